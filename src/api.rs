//! The library's surface besides [`crate::run`]: a look at what a run reads, plans and
//! verifies, for the test suite, the fuzz targets and tools built on rwo-guard. It computes
//! everything the way `run` does (same reader, same command line, same config loading), so a
//! test that checks a run against it checks the run, not a copy of its logic.

use clap::Parser as _;

use crate::cli::Cli;
use crate::config::Mode;
use crate::findings::ObjectPlan;
use crate::kinds::RESOURCE_LIST;
use crate::read::{self, Bundle};
use crate::{framing, pipeline, rules, verify};

pub use crate::read::{Form, Limits};

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
pub fn inspect(text: &str) -> Result<Inspection, String> {
    let b = read_all(text)?;
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
                mode_annotation: o.value(crate::model::Fact::ModeAnnotation).is_some(),
            })
            .collect(),
        results: b.results.as_ref().map(|r| (r.key.start.offset, r.value.end.offset.max(r.key.end.offset))),
    })
}

/// The plan of a run with `args` (after the program name) on `text`.
pub fn plan(text: &str, args: &[String]) -> Result<Plan, String> {
    let (_, _, plan) = planned(text, args)?;
    Ok(plan)
}

/// Checks `output` against `input` as the full verifier does: the output re-read whole has the
/// same documents and objects, each hashing as before outside its rollout strategy, and every
/// strategy means exactly what the plan of a run with `args` says. (A run checks each edited
/// object alone; the test suite holds the two checks together.)
pub fn verify(input: &str, output: &str, args: &[String]) -> Result<(), String> {
    let (bundle, plans, _) = planned(input, args)?;
    verify::verify(&bundle, output, &plans, Limits::default()).map(|_| ())
}

/// Whether the input is a KRM ResourceList, as a run decides when answering a fatal error.
pub fn is_resource_list(input: &[u8]) -> bool {
    framing::detect(&String::from_utf8_lossy(input)).is_some_and(|f| f.kind == RESOURCE_LIST)
}

fn read_all(text: &str) -> Result<Bundle, String> {
    read::read(text, Limits::default()).map_err(|e| e.summary(crate::STDIN))
}

fn planned(text: &str, args: &[String]) -> Result<(Bundle, Vec<ObjectPlan>, Plan), String> {
    let cli = Cli::try_parse_from(std::iter::once("rwo-guard".to_string()).chain(args.iter().cloned()))
        .map_err(|e| e.to_string())?;
    let bundle = read_all(text)?;
    let (options, _) = cli.options().map_err(|e| e.summary(crate::STDIN))?;
    let config = pipeline::load_config(&options, &bundle, text).map_err(|e| e.summary(crate::STDIN))?;
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
