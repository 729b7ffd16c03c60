//! The library's surface besides [`crate::run`]: a look at what a run reads, plans and
//! verifies, for the test suite, the fuzz targets and tools built on rwo-guard. It computes
//! everything the way `run` does (same reader, same command line, same config loading), so a
//! test that checks a run against it checks the run, not a copy of its logic.

use std::fmt;

use crate::config::Mode;
use crate::findings::ObjectPlan;
use crate::kinds::RESOURCE_LIST;
use crate::read::{self, Bundle};
use crate::{cli, framing, pipeline, rules, verify};

pub use crate::error::{Fatal, Place};
pub use crate::read::{Form, Limits};

/// How a run is configured: its configuration file and fields, and its limits.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pipeline: pipeline::Options,
}

impl Options {
    /// The options a command line gives (`args`, after the program name), as a run takes them.
    pub fn from_args(args: &[String]) -> Result<Options, Error> {
        let (pipeline, _) = cli::options_of(args).map_err(Error::Usage)?;
        Ok(Options { pipeline })
    }

    /// These options with other input limits.
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Options {
        self.pipeline.limits = limits;
        self
    }
}

/// Why an API call gave no answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The arguments are not a command line rwo-guard accepts (clap's message).
    Usage(String),
    /// A run would stop on this error: unreadable input, bad configuration, a limit.
    Fatal(Fatal),
    /// The output is not the input with exactly the plan: the first difference.
    Mismatch(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(m) | Error::Mismatch(m) => f.write_str(m.trim_end()),
            Error::Fatal(fatal) => fatal.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Fatal(fatal) => Some(fatal),
            Error::Usage(_) | Error::Mismatch(_) => None,
        }
    }
}

impl From<Fatal> for Error {
    fn from(fatal: Fatal) -> Error {
        Error::Fatal(fatal)
    }
}

/// What the reader sees in a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inspection {
    /// Stream or ResourceList.
    pub form: Form,
    /// Every document: its start, and the end of its root mapping (when it is one).
    pub documents: Vec<(usize, Option<usize>)>,
    /// Every object, in input order.
    pub objects: Vec<ObjectInfo>,
    /// A ResourceList's `results` entry: the key's start and the value's end.
    pub results: Option<(usize, usize)>,
}

/// One object as the reader sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectInfo {
    /// `Kind namespace/name`.
    pub display: String,
    /// `document 3`, `document 1, items[2]`.
    pub label: String,
    /// Its node's first byte and the byte after its content.
    pub span: (usize, usize),
    /// The hash of its events except its rollout strategies.
    pub fingerprint: u64,
    /// It carries a `rwo-guard.dev/mode` annotation.
    pub mode_annotation: bool,
}

/// What a run with some arguments plans for an input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// The objects (indices into [`Inspection::objects`]) whose strategy is rewritten.
    pub objects: Vec<usize>,
    /// The effective mode is `check`.
    pub check: bool,
}

/// Reads `text` as a run does (every object kept).
pub fn inspect(text: &str) -> Result<Inspection, Error> {
    let b = read::read(text, Limits::default())?;
    Ok(Inspection {
        form: b.form,
        documents: b.documents.iter().map(|d| (d.start, d.root.as_ref().map(|r| r.end.offset))).collect(),
        objects: b
            .objects
            .iter()
            .map(|o| ObjectInfo {
                display: o.display(),
                label: o.label(),
                span: (o.span.start.offset, o.span.end.offset),
                fingerprint: o.fingerprint,
                mode_annotation: o.value(crate::model::ScalarField::ModeAnnotation).is_some(),
            })
            .collect(),
        results: b.results.as_ref().map(|r| (r.key.start.offset, r.value.end.offset.max(r.key.end.offset))),
    })
}

/// The plan of a run with `options` on `text`.
pub fn plan(text: &str, options: &Options) -> Result<Plan, Error> {
    let (_, _, plan) = planned(text, options)?;
    Ok(plan)
}

/// Checks `output` against `input` as the full verifier does: the output re-read whole has the
/// same documents and objects, each hashing as before outside its rollout strategy, and every
/// strategy means exactly what the plan of a run with `options` says. (A run checks each
/// edited object alone; the test suite holds the two checks together.)
pub fn verify(input: &str, output: &str, options: &Options) -> Result<(), Error> {
    let (bundle, plans, _) = planned(input, options)?;
    verify::verify(&bundle, output, &plans, Limits::default()).map(|_| ()).map_err(Error::Mismatch)
}

/// Whether the input is a KRM ResourceList, as a run decides when answering a fatal error.
pub fn is_resource_list(input: &[u8]) -> bool {
    framing::detect(&String::from_utf8_lossy(input)).is_some_and(|f| f.kind == RESOURCE_LIST)
}

fn planned(text: &str, options: &Options) -> Result<(Bundle, Vec<ObjectPlan>, Plan), Error> {
    let bundle = read::read(text, options.pipeline.limits)?;
    let config = pipeline::load_config(&options.pipeline, &bundle, text)?;
    let mut analysis = rules::run(&bundle.objects, &config, &bundle.namespaces);
    // As a run does: a plan the rewriter cannot write is dropped (and warned about).
    pipeline::byte_edits(&mut analysis, &bundle.objects, |_| text);
    let plans = analysis.plans;
    let plan = Plan { objects: plans.iter().map(|p| p.object.index).collect(), check: config.mode == Mode::Check };
    Ok((bundle, plans, plan))
}

/// The README's reference tables (findings, configuration fields, exit codes), each with the
/// marker that delimits it there, rendered from the tables rwo-guard runs on.
pub fn readme_tables() -> Vec<(&'static str, String)> {
    crate::docs::tables()
}
