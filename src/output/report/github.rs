//! GitHub Actions workflow commands, one per finding, so that the findings show as annotations
//! on the pull request: `::error file=F,line=L,col=C,endLine=L,endColumn=E,title=T::message`
//! (`warning` for warnings, `notice` for info). They must reach the runner on standard output:
//! `--results - --results-format github`.
//!
//! Escaping follows the runner (actions/toolkit `command.ts`): `%`, CR and LF in the message;
//! those and `:` and `,` in property values, so a file name cannot add properties. A finding
//! placed in no file has no `file` (GitHub shows it on the run's summary). Errors come first,
//! then warnings, then notices: GitHub shows at most ten of each per step, so when a level has
//! more a notice says so before the notices.

use std::fmt::Write as _;

use crate::findings::{Diagnostic, Severity};

use super::Report;

/// How many annotations of one level GitHub shows per step.
const SHOWN_PER_LEVEL: usize = 10;

/// The workflow commands of `report`.
pub(super) fn render(report: &Report<'_>) -> String {
    // `check` and `fix` show info findings only with -v; the filter shows them all.
    let hide_info = report.style.linter && !report.style.verbose;
    let mut out = String::new();
    for level in [Severity::Error, Severity::Warning] {
        for item in report.diagnostics.iter().filter(|i| i.severity() == level) {
            command(&mut out, item);
        }
    }
    let counts = [Severity::Error, Severity::Warning, Severity::Info].map(|s| {
        let shown = s != Severity::Info || !hide_info;
        report.diagnostics.iter().filter(|i| i.severity() == s && shown).count()
    });
    let hidden: usize = counts.iter().map(|n| n.saturating_sub(SHOWN_PER_LEVEL)).sum();
    if hidden > 0 {
        let _ = writeln!(
            out,
            "::notice title={}::{}",
            property("rwo-guard"),
            data(&format!(
                "{hidden} of {} findings are not shown as annotations (GitHub shows {SHOWN_PER_LEVEL} per level and step); all are in this log and in the SARIF or JUnit report",
                report.diagnostics.len()
            ))
        );
    }
    for item in report.diagnostics.iter().filter(|i| i.severity() == Severity::Info && !hide_info) {
        command(&mut out, item);
    }
    out
}

/// The workflow command of a run that stopped on an error.
pub(super) fn fatal(message: &str) -> String {
    format!("::error title={}::{}\n", property("rwo-guard"), data(message))
}

fn command(out: &mut String, item: &Diagnostic) {
    let name = match item.severity() {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let mut props = Vec::new();
    if let Some(file) = &item.location.file {
        props.push(format!("file={}", property(file)));
        if let Some(p) = item.location.point() {
            props.push(format!("line={},col={},endLine={},endColumn={}", p.line, p.col, p.line, p.end_col.max(p.col)));
        }
    }
    props.push(format!("title={}", property(&format!("rwo-guard {}", item.rule().name))));
    let _ = writeln!(out, "::{name} {}::{}", props.join(","), data(item.message()));
}

/// A message: `%`, CR, LF escaped (`%` first).
fn data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// A property value: as [`data`], and `:` and `,`.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use super::*;

    /// The runner's unescaping (actions/runner `ActionCommand`): the reverse of the escaping.
    fn unescape(s: &str) -> String {
        s.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")
    }

    #[test]
    fn errors_first_and_escaped_both_ways() {
        let out = testing::with(Some(Severity::Error), render);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0], "::error file=../base/db.yaml,title=rwo-guard strategy-unsafe::Deployment db: would add spec.strategy: {type: Recreate}");
        assert_eq!(lines[1], "::error title=rwo-guard strategy-unsafe::Deployment q: a message with 100%25 of \"quotes\", <tags> & a%0Asecond line");
        assert_eq!(lines[2], "::warning file=deploy/web.yaml,line=9,col=3,endLine=9,endColumn=14,title=rwo-guard replicas::Deployment web: 3 replicas share claim data");
        assert!(lines[3].starts_with("::notice file=deploy/web.yaml,line=11,"), "{}", lines[3]);
        let message = lines[1].split_once("::").and_then(|(_, rest)| rest.split_once("::")).expect("command").1;
        assert_eq!(unescape(message), "Deployment q: a message with 100% of \"quotes\", <tags> & a\nsecond line");
        assert_eq!(unescape(&property("a,b:c%0A")), "a,b:c%0A");
        assert_eq!(property("x,line=1"), "x%2Cline=1");
    }
}
