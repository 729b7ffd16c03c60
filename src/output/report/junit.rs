//! JUnit XML, as GitLab (`artifacts:reports:junit`) and Jenkins show it: one test suite per
//! file, one test case per workload checked (and per other object a finding is about, such as
//! an autoscaler). A case fails when a finding about its object is at or above `--fail-on`;
//! the `<failure>` holds all of them (Jenkins reads only the first failure element, GitLab only
//! its text), and the case's other findings are its `<system-out>`.
//!
//! GitLab keys a case by classname and name and keeps the first of two with the same key:
//! the classname is the file, the name the object (`Deployment ns/name`), numbered when one
//! file holds two objects of the same name. No times are written: the report is the same from
//! run to run. The XML is escaped here (a few characters, and those XML 1.0 does not allow are
//! dropped): no XML crate is needed.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::findings::{Diagnostic, ResourceRef};
use crate::location::Location;

use super::Report;

/// The suite of objects placed in no file.
const UNPLACED: &str = "rwo-guard";

/// One test case: an object and its findings.
struct Case<'a> {
    file: Option<&'a str>,
    name: String,
    line: Option<usize>,
    findings: Vec<&'a Diagnostic>,
}

/// The JUnit XML of `report`.
pub(super) fn render(report: &Report<'_>) -> String {
    let cases = cases(report);
    let mut suites: Vec<(&str, Vec<&Case<'_>>)> = Vec::new();
    for case in &cases {
        let suite = case.file.unwrap_or(UNPLACED);
        match suites.iter_mut().find(|(s, _)| *s == suite) {
            Some((_, cases)) => cases.push(case),
            None => suites.push((suite, vec![case])),
        }
    }
    let failing = |c: &Case<'_>| c.findings.iter().any(|f| f.fails(report.fail_at));
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"rwo-guard\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\">",
        cases.len(),
        cases.iter().filter(|c| failing(c)).count()
    );
    for (suite, cases) in &suites {
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\">",
            attr(suite),
            cases.len(),
            cases.iter().filter(|c| failing(c)).count()
        );
        for case in cases {
            write_case(&mut out, suite, case, report);
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// The report of a run that stopped on an error: one case, in error.
pub(super) fn fatal(message: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"rwo-guard\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">\n  <testsuite name=\"{UNPLACED}\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">\n    <testcase classname=\"{UNPLACED}\" name=\"rwo-guard\">\n      <error message=\"{}\" type=\"error\">{}</error>\n    </testcase>\n  </testsuite>\n</testsuites>\n",
        attr(message),
        text(message)
    )
}

/// The cases: the workloads checked, in order, then any other object a finding is about.
fn cases<'a>(report: &'a Report<'a>) -> Vec<Case<'a>> {
    let mut cases: Vec<Case<'a>> = Vec::new();
    let mut index: HashMap<Key<'a>, usize> = HashMap::new();
    let mut add = |r: &'a ResourceRef, l: &'a Location, cases: &mut Vec<Case<'a>>| {
        *index.entry(key(r, l)).or_insert_with(|| {
            cases.push(Case {
                file: l.file.as_deref(),
                name: display(r),
                line: l.object.map(|p| p.line),
                findings: Vec::new(),
            });
            cases.len() - 1
        })
    };
    for c in report.checked {
        add(&c.resource, &c.location, &mut cases);
    }
    for item in report.diagnostics {
        let at = add(&item.resource, &item.location, &mut cases);
        cases[at].findings.push(item);
    }
    number_repeated_names(&mut cases);
    cases
}

/// What tells two objects apart: their file, their first line, and their reference.
type Key<'a> = (Option<&'a str>, Option<usize>, &'a str, &'a str, Option<&'a str>, &'a str);

fn key<'a>(r: &'a ResourceRef, l: &'a Location) -> Key<'a> {
    (l.file.as_deref(), l.object.map(|p| p.line), &r.api_version, &r.kind, r.namespace.as_deref(), &r.name)
}

/// `Deployment ns/name`.
fn display(r: &ResourceRef) -> String {
    match r.namespace.as_deref() {
        Some(ns) => format!("{} {ns}/{}", r.kind, r.name),
        None => format!("{} {}", r.kind, r.name),
    }
}

/// Second and later cases of one name in one suite get ` (2)`, ` (3)`: GitLab would drop them.
fn number_repeated_names(cases: &mut [Case<'_>]) {
    let mut seen: HashMap<(Option<String>, String), usize> = HashMap::new();
    for case in cases {
        let n = seen.entry((case.file.map(str::to_string), case.name.clone())).or_insert(0);
        *n += 1;
        if *n > 1 {
            case.name = format!("{} ({n})", case.name);
        }
    }
}

fn write_case(out: &mut String, suite: &str, case: &Case<'_>, report: &Report<'_>) {
    let mut head = format!("    <testcase classname=\"{}\" name=\"{}\"", attr(suite), attr(&case.name));
    if let Some(file) = case.file {
        let _ = write!(head, " file=\"{}\"", attr(file));
    }
    if let Some(line) = case.line {
        let _ = write!(head, " line=\"{line}\"");
    }
    if case.findings.is_empty() {
        let _ = writeln!(out, "{head}/>");
        return;
    }
    let _ = writeln!(out, "{head}>");
    let (failing, other): (Vec<&&Diagnostic>, Vec<&&Diagnostic>) =
        case.findings.iter().partition(|f| f.fails(report.fail_at));
    if let Some(first) = failing.first() {
        let body: Vec<String> = failing.iter().map(|f| detail(f)).collect();
        let _ = writeln!(
            out,
            "      <failure message=\"{}\" type=\"{}\">{}</failure>",
            attr(first.message()),
            attr(first.rule().name),
            text(&body.join("\n"))
        );
    }
    if !other.is_empty() {
        let lines: Vec<String> = other.iter().map(|f| f.line()).collect();
        let _ = writeln!(out, "      <system-out>{}</system-out>", text(&lines.join("\n")));
    }
    out.push_str("    </testcase>\n");
}

/// A failing finding in full: its line, and the rule's advice.
fn detail(item: &Diagnostic) -> String {
    format!("{}\nAdvice: {}.", item.line(), item.rule().advice)
}

/// Whether XML 1.0 allows `c` at all.
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

/// `s` as an attribute value (in double quotes): line breaks and tabs as character references,
/// so a parser does not turn them into spaces.
fn attr(s: &str) -> String {
    escape(s, true)
}

/// `s` as element text.
fn text(s: &str) -> String {
    escape(s, false)
}

/// `s` with the characters XML forbids dropped and markup escaped; in an attribute also `"`,
/// line feeds and tabs. A CR is always a reference: a parser would fold a literal one away.
fn escape(s: &str, in_attr: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|&c| allowed(c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            '"' if in_attr => out.push_str("&quot;"),
            '\n' if in_attr => out.push_str("&#10;"),
            '\t' if in_attr => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use super::*;
    use crate::findings::Severity;

    #[test]
    fn a_case_per_workload_failing_at_the_threshold() {
        let xml = testing::with(Some(Severity::Error), render);
        assert!(
            xml.starts_with(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"rwo-guard\" tests=\"4\" failures=\"2\""
            ),
            "{xml}"
        );
        assert!(xml.contains("<testsuite name=\"deploy/web.yaml\" tests=\"1\" failures=\"0\""), "{xml}");
        assert!(xml.contains("<testcase classname=\"deploy/web, idle.yaml\" name=\"Deployment idle\" file=\"deploy/web, idle.yaml\" line=\"1\"/>"), "{xml}");
        assert!(xml.contains("<failure message=\"Deployment db: would add spec.strategy: {type: Recreate}\" type=\"strategy-unsafe\">../base/db.yaml: error:"), "{xml}");
        assert!(xml.contains("<testsuite name=\"rwo-guard\" tests=\"1\" failures=\"1\""), "{xml}");
        assert!(xml.contains("100% of &quot;quotes&quot;, &lt;tags&gt; &amp; a&#10;second line"), "{xml}");
        let warning = testing::with(Some(Severity::Warning), render);
        assert!(warning.contains("tests=\"4\" failures=\"3\""), "{warning}");
        let never = testing::with(None, render);
        assert!(never.contains("tests=\"4\" failures=\"0\"") && !never.contains("<failure"), "{never}");
    }

    #[test]
    fn text_drops_what_xml_cannot_hold() {
        assert_eq!(text("a\u{1}b]]>c"), "ab]]&gt;c");
        assert_eq!(attr("x\ty\"z"), "x&#9;y&quot;z");
    }
}
