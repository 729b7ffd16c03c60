//! GitLab's Code Quality report (`artifacts: reports: codequality:`), which GitLab shows in
//! merge requests: a JSON array with one issue per finding, each with the fields GitLab reads
//! (docs.gitlab.com, "Code Quality", "Implement a custom tool"): `description`, `check_name`
//! (the rule), `fingerprint` (unique per issue, stable while the rule, object, field and file
//! are), `severity` (`info`, `minor`, `major`, `critical`; rwo-guard's info, warning and error
//! are info, major, critical), `location.path` (relative to the repository) and
//! `location.lines.begin`. GitLab needs a path: a finding placed in no file names `<stdin>`
//! (or the file annotated) at line 1.

use std::collections::HashSet;

use serde_json::{json, Value};

use crate::error::STDIN;
use crate::findings::Severity;

use super::{sarif, Report};

/// The issues of `report`, as a JSON array.
pub(super) fn render(report: &Report<'_>) -> Result<String, String> {
    let mut seen = HashSet::new();
    let issues: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| {
            let path = d.location.file.as_deref().unwrap_or(STDIN);
            let line = d.location.point().map_or(1, |p| p.line);
            let base = sarif::key(d, path);
            let mut fingerprint = base.clone();
            let mut n = 1;
            while !seen.insert(fingerprint.clone()) {
                n += 1;
                fingerprint = format!("{base}-{n}");
            }
            json!({
                "description": d.message(),
                "check_name": d.rule().name,
                "fingerprint": fingerprint,
                "severity": severity(d.severity()),
                "location": {"path": path, "lines": {"begin": line}},
            })
        })
        .collect();
    crate::json::pretty(&issues).map(|j| j + "\n")
}

/// The report of a run that stopped on an error: one critical issue.
pub(super) fn fatal(message: &str) -> String {
    let issue = json!([{
        "description": message,
        "check_name": "rwo-guard",
        "fingerprint": format!("{:016x}", crate::fingerprint::of_texts(&["rwo-guard", message])),
        "severity": "critical",
        "location": {"path": STDIN, "lines": {"begin": 1}},
    }]);
    crate::json::pretty(&issue).map(|j| j + "\n").unwrap_or_default()
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Info => "info",
        Severity::Warning => "major",
        Severity::Error => "critical",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::report::testing::with;

    #[test]
    fn every_issue_has_the_fields_gitlab_reads() {
        let text = with(Some(Severity::Error), render).expect("renders");
        let issues: Vec<Value> = serde_json::from_str(&text).expect("a JSON array");
        assert_eq!(issues.len(), 4);
        let mut fingerprints = HashSet::new();
        for i in &issues {
            assert!(i["description"].is_string() && i["check_name"].is_string(), "{i}");
            assert!(fingerprints.insert(i["fingerprint"].as_str().expect("fingerprint").to_string()), "{i}");
            assert!(["info", "minor", "major", "critical", "blocker"].contains(&i["severity"].as_str().unwrap_or("")));
            assert!(i["location"]["path"].is_string() && i["location"]["lines"]["begin"].is_u64(), "{i}");
        }
        assert_eq!(issues[0]["location"], json!({"path": "deploy/web.yaml", "lines": {"begin": 9}}));
        assert_eq!(issues[3]["location"]["path"], "<stdin>");
    }
}
