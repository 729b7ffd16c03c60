//! What a successful run has to show, as data: the texts to write (each input with its verified
//! edits) and the diagnostics (each finding with its rule, object and location). The pipeline
//! produces an [`Outcome`]; `output` renders it (stdout, stderr, the report, `--in-place`) and
//! decides nothing about it.

use std::path::Path;

use crate::findings::{Diagnostic, ResourceRef, Severity};
use crate::location::Location;
use crate::read::Form;
use crate::rewrite::Edit;

/// One input (standard input, or a file of `-f`) and the edits to its text.
#[derive(Debug)]
pub(crate) struct EditedText<'t> {
    /// Its name in messages: `<stdin>`, or the file as given.
    pub name: &'t str,
    /// The file, to write back with `--in-place` (`None`: standard input).
    pub path: Option<&'t Path>,
    /// Its text.
    pub text: &'t str,
    /// Its edits, sorted and verified: the output is the text with these spliced in.
    pub edits: Vec<Edit>,
}

/// A file of `-f` left out as not Kubernetes objects, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Skipped<'t> {
    /// The file as given.
    pub name: &'t str,
    /// Why it holds no object to check.
    pub why: String,
}

/// A workload checked, and where it is (a JUnit report has a test case for each).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Checked {
    /// The workload.
    pub resource: ResourceRef,
    /// Where it is.
    pub location: Location,
}

/// What a successful run has to write, everything in it already verified.
#[derive(Debug)]
pub(crate) struct Outcome<'t> {
    /// Every input with its edits, in order (standard input: one).
    pub texts: Vec<EditedText<'t>>,
    /// The input's form (of the first input: a ResourceList is always alone).
    pub form: Form,
    /// Every finding, placed, in output order (object, then rule).
    pub diagnostics: Vec<Diagnostic>,
    /// How many workloads get a new strategy.
    pub fixed: usize,
    /// The files of `-f` left out.
    pub skipped: Vec<Skipped<'t>>,
    /// Every workload checked (gathered only when a report asks for them).
    pub checked: Vec<Checked>,
    /// The least severity that fails the run (`None`: `failOn: never`).
    pub fail_at: Option<Severity>,
    /// The findings suppressed by an annotation on their object.
    pub suppressed: Vec<Suppressed>,
    /// What was checked, for the summary line.
    pub stats: Stats,
    /// Nothing was fixed on purpose (`mode: check`, `rwo-guard check`): the summary counts the
    /// workloads to fix.
    pub report_only: bool,
}

/// A finding suppressed by `ignore-check.rwo-guard.dev/<rule>` on its object, and the reason
/// the annotation gives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Suppressed {
    /// The finding, placed.
    pub diagnostic: Diagnostic,
    /// The annotation's value.
    pub reason: String,
}

/// What a run checked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Stats {
    /// Inputs read (files, or standard input), skipped ones left out.
    pub files: usize,
    /// Kubernetes objects in them (with `apiVersion` and `kind`).
    pub objects: usize,
    /// Workloads among them.
    pub workloads: usize,
}

impl Outcome<'_> {
    /// Whether a finding is at or above the failing severity.
    pub(crate) fn fails(&self) -> bool {
        self.diagnostics.iter().any(|d| d.fails(self.fail_at))
    }

    /// How many workloads a `strategy-unsafe` finding says to fix.
    pub(crate) fn to_fix(&self) -> usize {
        let mut objects: Vec<&ResourceRef> = self
            .diagnostics
            .iter()
            .filter(|d| d.rule() == &crate::rules::STRATEGY_UNSAFE)
            .map(|d| &d.resource)
            .collect();
        objects.dedup();
        objects.len()
    }

    /// How many findings are of `severity`.
    pub(crate) fn count(&self, severity: Severity) -> usize {
        self.diagnostics.iter().filter(|d| d.severity() == severity).count()
    }
}
