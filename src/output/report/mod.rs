//! The `--results` report, in the format `--results-format` names. [`FORMATS`] is the one list
//! of them: `--help` and the README's table are generated from it. Each format renders the same
//! [`Report`]: the run's KRM results with where each finding is (a `Location`), the rule it
//! comes from (`rules::ALL`), the workloads checked and the severity that fails the run.
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

pub(crate) use text::escape;

use crate::analyze::Severity;
use crate::location::Location;
use crate::pipeline::{Done, Stats};
use crate::rules::{self, Rule};

use super::results::{self, KrmResult, ResourceRef};

/// One report format.
pub(crate) struct Format {
    /// Its `--results-format` value.
    pub name: &'static str,
    /// What it is for, one line (`--help`, the README).
    pub doc: &'static str,
    render: fn(&Report<'_>) -> Result<String, String>,
    /// The report of a run that stopped on an error (its one-line summary).
    fatal: fn(&str) -> String,
    /// Findings that name no file are not where a viewer shows findings (stderr warns).
    hides_unplaced: bool,
}

/// Every format; the first is the default.
pub(crate) static FORMATS: &[Format] = &[
    Format {
        name: "yaml",
        doc: "the KRM result list, as a ResourceList's `results` hold it (the default)",
        render: |r| results::to_yaml(&r.results()),
        fatal: |m| results::to_yaml(&[results::fatal_result(m.to_string())]).unwrap_or_default(),
        hides_unplaced: false,
    },
    Format {
        name: "json",
        doc: "the same results as JSON",
        render: |r| crate::json::pretty(&r.results()).map(|j| j + "\n"),
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
    pub findings: Vec<Item<'a>>,
    /// Every workload checked and where it is (filled for JUnit only).
    pub checked: &'a [(ResourceRef, Location)],
    /// The least severity that fails the run (`None`: nothing does).
    pub fail_at: Option<Severity>,
    /// What was checked.
    pub stats: Stats,
    /// The files left out, with why.
    pub skipped: &'a [(String, String)],
    /// The findings suppressed by annotations: result, place, reason.
    pub suppressed: &'a [(KrmResult, Location, String)],
    /// How the report is shown.
    pub style: Style,
}

/// How a report is shown (the text format's choices).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Style {
    /// Info findings, suppressed findings and skipped files too (`-v`).
    pub verbose: bool,
    /// Severities coloured (a terminal).
    pub colors: bool,
    /// The run is `fix`: the summary says what was fixed.
    pub fix: bool,
    /// No summary line (`-q`).
    pub quiet: bool,
}

/// One finding.
pub(crate) struct Item<'a> {
    /// Its KRM result.
    pub result: &'a KrmResult,
    /// Where it is.
    pub location: &'a Location,
    /// Its rule (`None` only for a result of no known rule).
    pub rule: Option<&'static Rule>,
    /// How serious.
    pub severity: Severity,
}

impl Report<'_> {
    fn results(&self) -> Vec<KrmResult> {
        self.findings.iter().map(|i| i.result.clone()).collect()
    }
}

impl Item<'_> {
    /// The rule's name (`rwo-guard` for a result of no known rule).
    pub(crate) fn rule_name(&self) -> &'static str {
        self.rule.map_or("rwo-guard", |r| r.name)
    }

    /// Whether this finding fails the run.
    pub(crate) fn fails(&self, fail_at: Option<Severity>) -> bool {
        fail_at.is_some_and(|t| self.severity >= t)
    }

    /// `file:line: severity: message [rule]`, one line, as stderr shows it.
    pub(crate) fn line(&self) -> String {
        let at = self.location.prefix().unwrap_or_else(|| "rwo-guard".into());
        format!("{at}: {}: {} [{}]", self.severity.name(), self.result.message, self.rule_name())
    }
}

/// The report of `done` in the format named `name` (one of [`FORMATS`]).
pub(crate) fn render(name: &str, done: &Done<'_>) -> Result<String, String> {
    render_styled(name, done, Style::default())
}

/// As [`render`], shown as `style` says.
pub(crate) fn render_styled(name: &str, done: &Done<'_>, style: Style) -> Result<String, String> {
    let format = FORMATS.iter().find(|f| f.name == name).ok_or_else(|| format!("unknown results format {name}"))?;
    (format.render)(&report(done, style))
}

/// The summary line of `done`: files, objects and workloads checked; errors, warnings and
/// suppressed findings (and, for `fix`, the workloads fixed).
pub(crate) fn summary_line(done: &Done<'_>, style: Style) -> String {
    text::summary(&report(done, style))
}

/// The report, in the format named `name`, of a run that stopped on an error.
pub(crate) fn fatal(name: &str, message: &str) -> String {
    FORMATS.iter().find(|f| f.name == name).map_or_else(String::new, |f| (f.fatal)(message))
}

/// The stderr warning for findings that a format does not show where its viewer shows findings
/// (SARIF results need a file: GitHub rejects an upload with a location-less result).
pub(crate) fn unplaced_warning(name: &str, done: &Done<'_>) -> Option<String> {
    let unplaced = done.locations.iter().filter(|l| l.file.is_none()).count();
    let hides = FORMATS.iter().any(|f| f.name == name && f.hides_unplaced);
    (hides && unplaced > 0).then(|| {
        format!(
            "rwo-guard: warning: {unplaced} finding(s) name no file, so the SARIF report lists them as tool notifications, not results (GitHub code scanning shows only results in a file); read files with -f, or add `buildMetadata: [originAnnotations]` to the kustomization\n"
        )
    })
}

fn report<'a>(done: &'a Done<'_>, style: Style) -> Report<'a> {
    let findings = done.results.iter().zip(&done.locations).map(|(r, l)| Item::of(r, l)).collect();
    Report {
        findings,
        checked: &done.checked,
        fail_at: done.fail_at,
        stats: done.stats,
        skipped: &done.skipped,
        suppressed: &done.suppressed,
        style,
    }
}

impl<'a> Item<'a> {
    /// The finding of a KRM result at `location`: its rule from the `rule` tag.
    pub(crate) fn of(result: &'a KrmResult, location: &'a Location) -> Item<'a> {
        let rule = result.tags.get("rule").and_then(|n| rules::ALL.iter().copied().find(|r| r.name == n));
        let severity = match result.severity.as_str() {
            "error" => Severity::Error,
            "warning" => Severity::Warning,
            _ => Severity::Info,
        };
        Item { result, location, rule, severity }
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! A small report for the formats' own tests: a finding placed in a file, one placed by an
    //! annotation only, one with no place, and a workload checked without findings.

    use std::collections::BTreeMap;

    use super::*;
    use crate::location::Point;
    use crate::output::results::Field;

    pub(crate) fn result(message: &str, severity: &str, rule: &str, name: &str) -> KrmResult {
        KrmResult {
            message: message.into(),
            severity: severity.into(),
            resource_ref: Some(reference(name)),
            field: Some(Field { path: "spec.replicas".into(), current_value: Some("3".into()), proposed_value: None }),
            file: None,
            tags: BTreeMap::from([("rule".to_string(), rule.to_string())]),
        }
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

    /// Results, locations and checked workloads of a small run.
    pub(crate) fn parts() -> (Vec<KrmResult>, Vec<Location>, Vec<(ResourceRef, Location)>) {
        let results = vec![
            result("Deployment web: 3 replicas share claim data", "warning", "replicas", "web"),
            result("Deployment web: set spec.strategy.type to Recreate", "info", "strategy-rewritten", "web"),
            result("Deployment db: would add spec.strategy: {type: Recreate}", "error", "strategy-unsafe", "db"),
            result(
                "Deployment q: a message with 100% of \"quotes\", <tags> & a\nsecond line",
                "error",
                "strategy-unsafe",
                "q",
            ),
        ];
        let origin = Location { file: Some("../base/db.yaml".into()), ..Location::default() };
        let locations =
            vec![placed("deploy/web.yaml", 9), placed("deploy/web.yaml", 11), origin.clone(), Location::default()];
        let checked = vec![
            (reference("web"), Location { field: None, ..placed("deploy/web.yaml", 1) }),
            (reference("idle"), Location { field: None, ..placed("deploy/web, idle.yaml", 30) }),
            (reference("db"), origin),
            (reference("q"), Location::default()),
        ];
        (results, locations, checked)
    }

    pub(crate) fn with<T>(fail_at: Option<Severity>, f: impl FnOnce(&Report<'_>) -> T) -> T {
        let (results, locations, checked) = parts();
        let findings = results.iter().zip(&locations).map(|(r, l)| Item::of(r, l)).collect();
        let stats = Stats { files: 2, objects: 7, workloads: 4, fixed: 0 };
        f(&Report {
            findings,
            checked: &checked,
            fail_at,
            stats,
            skipped: &[],
            suppressed: &[],
            style: Style::default(),
        })
    }
}
