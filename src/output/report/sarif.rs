//! SARIF 2.1.0 (OASIS), as GitHub code scanning reads it (`github/codeql-action/upload-sarif`):
//!
//! - one rule per entry of `rules::ALL`, in that order (`ruleIndex` is the place there): `id`
//!   and `name` the rule's name, `shortDescription` its summary, `fullDescription` what triggers
//!   it and why it breaks rollouts, `helpUri` its section of docs/findings.md under the
//!   repository Cargo.toml names (`rules::help_uri`), `help` what `rwo-guard explain` prints,
//!   `defaultConfiguration.level` from its level;
//! - one result per finding placed in a file: `ruleId`, `ruleIndex`, `level` (error, warning, or
//!   note for info), the message, a physical location (`artifactLocation.uri` relative to the
//!   directory rwo-guard ran in, `%SRCROOT%`; a region on the field's line, else the object's,
//!   else line 1 when only the file is known), the object as a logical location, and a partial
//!   fingerprint that does not move with lines (rule, object, field, file), so an alert
//!   survives edits above it;
//! - a finding placed in no file is not a result: GitHub rejects a whole upload when one result
//!   has no location. It is a tool notification of the run's invocation instead (level,
//!   message, rule), which SARIF viewers list and GitHub accepts; stderr says so.
//!
//! Columns count Unicode code points (`columnKind`), as rwo-guard's reader does.

use serde_json::{json, Value};

use crate::findings::{Diagnostic, Level, Rule, Severity};
use crate::fingerprint;
use crate::location::Point;
use crate::rules::{self, ALL};

use super::Report;

/// The SARIF log of `report`, pretty-printed.
pub(super) fn render(report: &Report<'_>) -> Result<String, String> {
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for item in report.diagnostics {
        match item.location.file.as_deref() {
            Some(file) => results.push(result(item, file)),
            None => notifications.push(notification(item)),
        }
    }
    let mut invocation = json!({"executionSuccessful": true});
    if !notifications.is_empty() {
        invocation["toolExecutionNotifications"] = Value::Array(notifications);
    }
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "rwo-guard",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": ALL.iter().map(|r| rule(r)).collect::<Vec<_>>(),
            }},
            "automationDetails": {"id": "rwo-guard/"},
            "originalUriBaseIds": {"%SRCROOT%": {"description": {
                "text": "The directory rwo-guard ran in: relative file paths are relative to it."
            }}},
            "invocations": [invocation],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    crate::json::pretty(&log).map(|s| s + "\n")
}

/// The SARIF log of a run that stopped on an error: no results, and the error as the
/// invocation's notification (`executionSuccessful: false`).
pub(super) fn fatal(message: &str) -> String {
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "rwo-guard", "semanticVersion": env!("CARGO_PKG_VERSION"), "rules": []}},
            "invocations": [{
                "executionSuccessful": false,
                "toolExecutionNotifications": [{"level": "error", "message": {"text": message}}],
            }],
            "results": [],
        }],
    });
    crate::json::pretty(&log).map(|s| s + "\n").unwrap_or_default()
}

/// SARIF's level for a severity.
fn level(s: Severity) -> &'static str {
    match s {
        Severity::Info => "note",
        Severity::Warning => "warning",
        Severity::Error => "error",
    }
}

fn rule(r: &Rule) -> Value {
    let default = match r.level {
        Level::Always(s) => level(s),
        Level::ByAccess => "warning",
    };
    let problem = match default {
        "note" => "recommendation",
        other => other,
    };
    json!({
        "id": r.name,
        "name": r.name,
        "shortDescription": {"text": r.summary},
        "fullDescription": {"text": format!("Triggered by {}. {}", r.triggered_by, r.why)},
        "helpUri": rules::help_uri(r),
        "help": {
            "text": rules::explain(r),
            "markdown": format!(
                "{}.\n\n**Triggered by** {}.\n\n**Why:** {}\n\n**How to fix:** {}.\n\n**How to suppress:** {}.\n\n**Severity:** {}.\n\n```yaml\n{}\n```",
                r.summary, r.triggered_by, r.why, r.advice, rules::suppression(r), r.level.describe(), r.example
            ),
        },
        "defaultConfiguration": {"level": default},
        "properties": {"tags": ["kubernetes", "reliability", "storage"], "precision": "very-high", "problem.severity": problem},
    })
}

/// The rule's place in `ALL`.
fn index(item: &Diagnostic) -> Option<usize> {
    ALL.iter().position(|r| *r == item.rule())
}

fn result(item: &Diagnostic, file: &str) -> Value {
    let p = item.location.point().unwrap_or(Point { line: 1, col: 1, end_col: 1 });
    let artifact = if file.starts_with('/') {
        json!({"uri": format!("file://{}", uri(file))})
    } else {
        json!({"uri": uri(file), "uriBaseId": "%SRCROOT%"})
    };
    let mut location = json!({"physicalLocation": {
        "artifactLocation": artifact,
        "region": {"startLine": p.line, "startColumn": p.col, "endLine": p.line, "endColumn": p.end_col.max(p.col)},
    }});
    let r = &item.resource;
    let ns = r.namespace.as_deref().unwrap_or("");
    location["logicalLocations"] = json!([{
        "name": r.name,
        "fullyQualifiedName": format!("{}/{}/{ns}/{}", r.api_version, r.kind, r.name),
        "kind": "resource",
    }]);
    let mut out = json!({
        "ruleId": item.rule().name,
        "level": level(item.severity()),
        "message": {"text": item.message()},
        "locations": [location],
        "partialFingerprints": {"rwoGuardFinding/v1": key(item, file)},
    });
    if let Some(i) = index(item) {
        out["ruleIndex"] = json!(i);
    }
    out
}

/// A key for the finding that does not change while the rule, the object, the field and the
/// file do not (lines may move).
pub(super) fn key(item: &Diagnostic, file: &str) -> String {
    let r = &item.resource;
    let field = item.finding.field.as_ref().map_or("", |f| f.path.as_str());
    let parts = [item.rule().name, &r.api_version, &r.kind, r.namespace.as_deref().unwrap_or(""), &r.name, field, file];
    format!("{:016x}", fingerprint::of_texts(&parts))
}

fn notification(item: &Diagnostic) -> Value {
    let mut rule = json!({"id": item.rule().name});
    if let Some(i) = index(item) {
        rule["index"] = json!(i);
    }
    json!({"level": level(item.severity()), "message": {"text": item.message()}, "associatedRule": rule})
}

/// `path` as a URI reference: every byte but unreserved characters and `/` percent-encoded.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use super::*;

    fn log() -> Value {
        let text = testing::with(Some(Severity::Error), |r| render(r).expect("sarif"));
        serde_json::from_str(&text).expect("valid JSON")
    }

    #[test]
    fn placed_findings_are_results_and_unplaced_ones_notifications() {
        let log = log();
        let run = &log["runs"][0];
        assert_eq!(run["tool"]["driver"]["rules"].as_array().map(Vec::len), Some(ALL.len()));
        let results = run["results"].as_array().expect("results");
        assert_eq!(results.len(), 3);
        let first = &results[0];
        assert_eq!(first["ruleId"], "replicas");
        assert_eq!(first["level"], "warning");
        assert_eq!(first["ruleIndex"].as_u64(), ALL.iter().position(|r| r.name == "replicas").map(|i| i as u64));
        let region = &first["locations"][0]["physicalLocation"]["region"];
        assert_eq!((region["startLine"].as_u64(), region["startColumn"].as_u64()), (Some(9), Some(3)));
        assert_eq!(first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "deploy/web.yaml");
        assert_eq!(results[1]["level"], "note");
        let only_file = &results[2]["locations"][0]["physicalLocation"];
        assert_eq!(only_file["artifactLocation"]["uri"], "../base/db.yaml");
        assert_eq!(only_file["region"]["startLine"], 1);
        let notes = run["invocations"][0]["toolExecutionNotifications"].as_array().expect("notifications");
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0]["associatedRule"]["id"], "strategy-unsafe");
        assert_ne!(results[0]["partialFingerprints"], results[1]["partialFingerprints"]);
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(uri("deploy/my app/[x].yaml"), "deploy/my%20app/%5Bx%5D.yaml");
        assert_eq!(uri("ü.yaml"), "%C3%BC.yaml");
    }
}
