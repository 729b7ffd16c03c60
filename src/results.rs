//! Results: findings as KRM function results (the `results` of a ResourceList, or the file
//! `--results` writes), the one-line human summary for stderr, and which findings fail the run.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::analyze::{Finding, Severity};
use crate::config::FailOn;
use crate::model::Object;

/// A KRM function result (`config.kubernetes.io/v1` ResourceList `results` item).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KrmResult {
    /// What and why.
    pub message: String,
    /// `info`, `warning` or `error`.
    pub severity: String,
    /// The object concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_ref: Option<ResourceRef>,
    /// The field changed or to change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<Field>,
    /// The file the object came from, when the input says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<File>,
    /// `rule: <name>`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub tags: BTreeMap<String, String>,
}

/// `resourceRef`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceRef {
    /// `apiVersion`
    pub api_version: String,
    /// `kind`
    pub kind: String,
    /// `metadata.name`
    pub name: String,
    /// `metadata.namespace`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// `field`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Field {
    /// Dotted path.
    pub path: String,
    /// The value now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_value: Option<String>,
    /// The value proposed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proposed_value: Option<String>,
}

/// `file`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct File {
    /// `config.kubernetes.io/path`
    pub path: String,
    /// `config.kubernetes.io/index`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<u64>,
}

/// The KRM results for `findings` (consumed: their texts move into the results).
pub fn krm_results(findings: Vec<Finding>, objects: &[Object]) -> Vec<KrmResult> {
    findings
        .into_iter()
        .map(|f| {
            let o = &objects[f.object];
            let mut tags = BTreeMap::new();
            tags.insert("rule".to_string(), f.rule.name().to_string());
            let annotations = o.annotations();
            KrmResult {
                message: f.message,
                severity: f.severity.name().to_string(),
                resource_ref: Some(ResourceRef {
                    api_version: o.api_version.clone().unwrap_or_default(),
                    kind: o.kind.clone().unwrap_or_default(),
                    name: o.name.clone().unwrap_or_default(),
                    namespace: o.namespace.clone().filter(|n| !n.is_empty()),
                }),
                field: f.field.map(|c| Field { path: c.path, current_value: c.current, proposed_value: c.proposed }),
                file: annotations
                    .path
                    .as_ref()
                    .map(|p| File { path: p.clone(), index: annotations.index.as_ref().and_then(|i| i.parse().ok()) }),
                tags,
            }
        })
        .collect()
}

/// A result for a fatal error (ResourceList mode).
pub fn fatal_result(message: String) -> KrmResult {
    KrmResult { message, severity: "error".into(), resource_ref: None, field: None, file: None, tags: BTreeMap::new() }
}

/// Results as a YAML block sequence (`- message: …`), one line per field.
pub fn to_yaml(results: &[KrmResult]) -> Result<String, String> {
    serde_yaml::to_string(results).map_err(|e| format!("cannot serialize results: {e}"))
}

/// Results as JSON (for a ResourceList written in flow style).
pub fn to_json(results: &[KrmResult]) -> Result<String, String> {
    let value = serde_yaml::to_value(results).map_err(|e| format!("cannot serialize results: {e}"))?;
    let mut out = String::new();
    json(&value, &mut out);
    Ok(out)
}

fn json(v: &serde_yaml::Value, out: &mut String) {
    use serde_yaml::Value as V;
    match v {
        V::Null => out.push_str("null"),
        V::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        V::Number(n) => out.push_str(&n.to_string()),
        V::String(s) => json_string(s, out),
        V::Sequence(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                json(item, out);
            }
            out.push(']');
        }
        V::Mapping(m) => {
            out.push('{');
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                json_string(k.as_str().unwrap_or(""), out);
                out.push_str(": ");
                json(v, out);
            }
            out.push('}');
        }
        V::Tagged(t) => json(&t.value, out),
    }
}

fn json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// One line per finding of severity `min` or worse, for stderr.
pub fn summary(findings: &[Finding], min: Severity) -> String {
    let mut out = String::new();
    for f in findings.iter().filter(|f| f.severity >= min) {
        let _ = writeln!(out, "rwo-guard: {}: {}", f.severity.name(), f.message);
    }
    out
}

/// The least severity that fails the run under `fail_on` (`None`: nothing fails it).
pub fn threshold(fail_on: FailOn) -> Option<Severity> {
    match fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Never => None,
    }
}

/// Whether `findings` make the run fail under `fail_on`.
pub fn fails(findings: &[Finding], fail_on: FailOn) -> bool {
    threshold(fail_on).is_some_and(|t| findings.iter().any(|f| f.severity >= t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::{FieldChange, Rule};
    use crate::model::Annotations;

    #[test]
    fn results_carry_ref_field_file_and_rule() {
        let o = Object {
            api_version: Some("apps/v1".into()),
            kind: Some("Deployment".into()),
            name: Some("web".into()),
            namespace: Some("prod".into()),
            annotations: Some(Box::new(Annotations {
                path: Some("app.yaml".into()),
                index: Some("1".into()),
                ..Annotations::default()
            })),
            ..Object::default()
        };
        let f = Finding {
            object: 0,
            rule: Rule::StrategyRewritten,
            severity: Severity::Info,
            message: "m".into(),
            field: Some(FieldChange {
                path: "spec.strategy.type".into(),
                current: None,
                proposed: Some("Recreate".into()),
            }),
        };
        let yaml = to_yaml(&krm_results(vec![f], &[o])).expect("yaml");
        assert_eq!(
            yaml,
            "- message: m\n  severity: info\n  resourceRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: web\n    namespace: prod\n  field:\n    path: spec.strategy.type\n    proposedValue: Recreate\n  file:\n    path: app.yaml\n    index: 1\n  tags:\n    rule: strategy-rewritten\n"
        );
    }

    #[test]
    fn json_escapes() {
        let r = fatal_result("a \"b\"\n".into());
        assert_eq!(to_json(&[r]).expect("json"), "[{\"message\": \"a \\\"b\\\"\\n\", \"severity\": \"error\"}]");
    }

    #[test]
    fn fail_on_thresholds() {
        let f = |s| Finding { object: 0, rule: Rule::Replicas, severity: s, message: String::new(), field: None };
        assert!(!fails(&[f(Severity::Warning)], FailOn::Error));
        assert!(fails(&[f(Severity::Warning)], FailOn::Warning));
        assert!(!fails(&[f(Severity::Error)], FailOn::Never));
    }
}
