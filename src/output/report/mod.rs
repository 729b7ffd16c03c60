//! The `--results` report, in the format `--results-format` names. [`FORMATS`] is the one list
//! of them: `--help` and the README's table are generated from it. Each format renders the same
//! [`Report`]: the run's diagnostics (each finding with its rule, object and `Location`), the
//! workloads checked and the severity that fails the run.
//!
//! - `yaml`, `json`: the KRM result list (`results.rs`), as a ResourceList's `results` hold it;
//! - `sarif`: SARIF 2.1.0 for GitHub code scanning ([`sarif`]);
//! - `junit`: JUnit XML for GitLab and Jenkins ([`junit`]);
//! - `github`: GitHub Actions workflow commands, annotations on a pull request ([`github`]);
//! - `gitlab`: GitLab's Code Quality report ([`gitlab`]);
//! - `text`: one line per finding and a summary line, for people (`check`'s default, [`text`]).

mod github;
mod gitlab;
mod junit;
mod sarif;
mod text;

pub(crate) use text::{escape, summary};

use crate::findings::{Diagnostic, Severity};
use crate::krm::{self as results, KrmResult};
use crate::outcome::{Checked, Outcome, Skipped, Stats, Suppressed};

/// One report format.
#[derive(Debug)]
pub(crate) struct Format {
    /// Its `--results-format` value.
    pub name: &'static str,
    /// What it is for, one line (`--help`, the README).
    pub doc: &'static str,
    /// The report of a run.
    pub render: fn(&Report<'_>) -> Result<String, String>,
    /// The report of a run that stopped on an error (its one-line summary).
    pub fatal: fn(&str) -> String,
    /// Findings that name no file are not where a viewer shows findings (stderr warns).
    hides_unplaced: bool,
}

/// Every format; the first is the default.
pub(crate) static FORMATS: &[Format] = &[
    Format {
        name: "yaml",
        doc: "the KRM result list, as a ResourceList's `results` hold it (--results-format's default)",
        render: |r| results::to_yaml(r.diagnostics.iter().map(KrmResult::of)),
        fatal: |m| results::to_yaml(&[results::fatal_result(m.to_string())]).unwrap_or_default(),
        hides_unplaced: false,
    },
    Format {
        name: "json",
        doc: "the same results as JSON",
        render: |r| crate::json::pretty(&results::of_all(r.diagnostics)).map(|j| j + "\n"),
        fatal: |m| crate::json::pretty(&[results::fatal_result(m.to_string())]).unwrap_or_default() + "\n",
        hides_unplaced: false,
    },
    Format {
        name: "sarif",
        doc: "SARIF 2.1.0 for GitHub code scanning (`github/codeql-action/upload-sarif`)",
        render: sarif::render,
        fatal: sarif::fatal,
        hides_unplaced: true,
    },
    Format {
        name: "junit",
        doc: "JUnit XML: a test case per workload checked, failing at `--fail-on` (GitLab, Jenkins)",
        render: |r| Ok(junit::render(r)),
        fatal: junit::fatal,
        hides_unplaced: false,
    },
    Format {
        name: "github",
        doc: "GitHub Actions workflow commands: the findings as annotations on the pull request",
        render: |r| Ok(github::render(r)),
        fatal: github::fatal,
        hides_unplaced: false,
    },
    Format {
        name: "gitlab",
        doc: "GitLab Code Quality report (`artifacts: reports: codequality`): findings in merge requests",
        render: gitlab::render,
        fatal: gitlab::fatal,
        hides_unplaced: false,
    },
    Format {
        name: "text",
        doc: "`PATH:LINE:COLUMN: SEVERITY [RULE] MESSAGE` lines and a summary line (`check`'s default)",
        render: |r| Ok(text::render(r)),
        fatal: text::fatal,
        hides_unplaced: false,
    },
];

/// What every format renders from.
pub(crate) struct Report<'a> {
    /// Every finding, in output order.
    pub diagnostics: &'a [Diagnostic],
    /// Every workload checked and where it is (filled for JUnit only).
    pub checked: &'a [Checked],
    /// The least severity that fails the run (`None`: nothing does).
    pub fail_at: Option<Severity>,
    /// What was checked.
    pub stats: Stats,
    /// How many workloads were fixed.
    pub fixed: usize,
    /// The files left out.
    pub skipped: &'a [Skipped<'a>],
    /// The findings suppressed by annotations.
    pub suppressed: &'a [Suppressed],
    /// How the report is shown.
    pub style: Style,
}

/// How a report is shown (the text format's choices).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Style {
    /// Info findings, suppressed findings and skipped files too (`-v`).
    pub verbose: bool,
    /// Severities coloured (a terminal).
    pub colors: bool,
    /// The run is `fix`: the summary says what was fixed.
    pub fix: bool,
    /// No summary line (`-q`).
    pub quiet: bool,
    /// The report of `check` or `fix` (the person's view: info findings only with `verbose`
    /// in the text and `github` formats), not of the filter's `--results`.
    pub linter: bool,
}

impl<'a> Report<'a> {
    /// The report of a run's outcome, shown as `style` says.
    pub(crate) fn styled(outcome: &'a Outcome<'a>, style: Style) -> Report<'a> {
        Report {
            diagnostics: &outcome.diagnostics,
            checked: &outcome.checked,
            fail_at: outcome.fail_at,
            stats: outcome.stats,
            fixed: outcome.fixed,
            skipped: &outcome.skipped,
            suppressed: &outcome.suppressed,
            style,
        }
    }
}

/// The format named `name` (one of [`FORMATS`]).
pub(crate) fn format(name: &str) -> Option<&'static Format> {
    FORMATS.iter().find(|f| f.name == name)
}

/// The stderr warning for findings that a format does not show where its viewer shows findings
/// (SARIF results need a file: GitHub rejects an upload with a location-less result).
pub(crate) fn unplaced_warning(format: &Format, outcome: &Outcome<'_>) -> Option<String> {
    let unplaced = outcome.diagnostics.iter().filter(|d| d.location.file.is_none()).count();
    (format.hides_unplaced && unplaced > 0).then(|| {
        format!(
            "rwo-guard: warning: {unplaced} finding(s) name no file, so the SARIF report lists them as tool notifications, not results (GitHub code scanning shows only results in a file); read files with -f, or add `buildMetadata: [originAnnotations]` to the kustomization\n"
        )
    })
}

#[cfg(test)]
pub(crate) mod testing {
    //! A small report for the formats' own tests: a finding placed in a file, one placed by an
    //! annotation only, one with no place, and a workload checked without findings.

    use super::*;
    use crate::findings::{FieldChange, Finding, ResourceRef, Rule};
    use crate::location::{Location, Point};
    use crate::model::ObjectId;
    use crate::rules::{REPLICAS, STRATEGY_REWRITTEN, STRATEGY_UNSAFE};

    fn diagnostic(
        message: &str,
        severity: Severity,
        rule: &'static Rule,
        name: &str,
        location: Location,
    ) -> Diagnostic {
        let field = FieldChange { path: "spec.replicas".into(), current: Some("3".into()), proposed: None };
        let finding = Finding {
            object: ObjectId::default(),
            rule,
            severity,
            message: message.into(),
            field: Some(Box::new(field)),
        };
        Diagnostic { finding, resource: reference(name), location }
    }

    pub(crate) fn reference(name: &str) -> ResourceRef {
        ResourceRef { api_version: "apps/v1".into(), kind: "Deployment".into(), name: name.into(), namespace: None }
    }

    pub(crate) fn placed(file: &str, line: usize) -> Location {
        Location {
            file: Some(file.into()),
            index: Some(0),
            object: Some(Point { line: 1, col: 1, end_col: 20 }),
            field: Some(Point { line, col: 3, end_col: 14 }),
        }
    }

    /// The diagnostics and checked workloads of a small run.
    pub(crate) fn parts() -> (Vec<Diagnostic>, Vec<Checked>) {
        let origin = Location { file: Some("../base/db.yaml".into()), ..Location::default() };
        let diagnostics = vec![
            diagnostic(
                "Deployment web: 3 replicas share claim data",
                Severity::Warning,
                &REPLICAS,
                "web",
                placed("deploy/web.yaml", 9),
            ),
            diagnostic(
                "Deployment web: set spec.strategy.type to Recreate",
                Severity::Info,
                &STRATEGY_REWRITTEN,
                "web",
                placed("deploy/web.yaml", 11),
            ),
            diagnostic(
                "Deployment db: would add spec.strategy: {type: Recreate}",
                Severity::Error,
                &STRATEGY_UNSAFE,
                "db",
                origin.clone(),
            ),
            diagnostic(
                "Deployment q: a message with 100% of \"quotes\", <tags> & a\nsecond line",
                Severity::Error,
                &STRATEGY_UNSAFE,
                "q",
                Location::default(),
            ),
        ];
        let checked = |name: &str, location: Location| Checked { resource: reference(name), location };
        let checked = vec![
            checked("web", Location { field: None, ..placed("deploy/web.yaml", 1) }),
            checked("idle", Location { field: None, ..placed("deploy/web, idle.yaml", 30) }),
            checked("db", origin),
            checked("q", Location::default()),
        ];
        (diagnostics, checked)
    }

    pub(crate) fn with<T>(fail_at: Option<Severity>, f: impl FnOnce(&Report<'_>) -> T) -> T {
        let (diagnostics, checked) = parts();
        let stats = Stats { files: 2, objects: 7, workloads: 4 };
        f(&Report {
            diagnostics: &diagnostics,
            checked: &checked,
            fail_at,
            stats,
            fixed: 0,
            skipped: &[],
            suppressed: &[],
            style: Style::default(),
        })
    }
}
