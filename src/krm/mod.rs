//! The KRM results layer: diagnostics as KRM function results (the `results` of a ResourceList,
//! or the yaml/json reports), their YAML (serde_yaml's exact text, written directly) and JSON,
//! and the edit that writes them into a ResourceList, with its check ([`resource_list`]).

pub(crate) mod resource_list;

use std::borrow::{Borrow, Cow};
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::findings::{Diagnostic, Severity};

pub use crate::findings::ResourceRef;

/// A KRM function result (`config.kubernetes.io/v1` ResourceList `results` item).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KrmResult {
    /// What and why.
    pub message: String,
    /// `info`, `warning` or `error`.
    pub severity: Severity,
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

impl KrmResult {
    /// The KRM result of a diagnostic: its message, severity, object, field, file and rule.
    pub fn of(d: &Diagnostic) -> KrmResult {
        let f = &d.finding;
        KrmResult {
            message: f.message.clone(),
            severity: f.severity,
            resource_ref: Some(d.resource.clone()),
            field: f.field.as_deref().cloned().map(|c| Field {
                path: c.path,
                current_value: c.current,
                proposed_value: c.proposed,
            }),
            file: d.location.file.clone().map(|path| File { path, index: d.location.index }),
            tags: BTreeMap::from([("rule".to_string(), f.rule.name.to_string())]),
        }
    }
}

/// What is written as a KRM result: a result as it is, or a diagnostic rendered when it is
/// written (a large run's results are never all held as KRM results at once).
pub(crate) trait AsKrmResult {
    /// The KRM result.
    fn krm_result(&self) -> Cow<'_, KrmResult>;
}

impl AsKrmResult for KrmResult {
    fn krm_result(&self) -> Cow<'_, KrmResult> {
        Cow::Borrowed(self)
    }
}

impl AsKrmResult for Diagnostic {
    fn krm_result(&self) -> Cow<'_, KrmResult> {
        Cow::Owned(KrmResult::of(self))
    }
}

/// The KRM results of `diagnostics`, in order.
pub fn of_all(diagnostics: &[Diagnostic]) -> Vec<KrmResult> {
    diagnostics.iter().map(KrmResult::of).collect()
}

/// A result for a fatal error (ResourceList mode).
pub fn fatal_result(message: String) -> KrmResult {
    KrmResult { message, severity: Severity::Error, resource_ref: None, field: None, file: None, tags: BTreeMap::new() }
}

/// Results as a YAML block sequence (`- message: …`), one line per field: exactly the text
/// serde_yaml writes for them. Results whose strings are all ordinary single-line text are
/// written here directly (serde_yaml's emitter costs more than the rest of a large run's
/// post-processing); any other result is handed to serde_yaml.
pub fn to_yaml<R: Borrow<KrmResult>>(results: impl IntoIterator<Item = R>) -> Result<String, String> {
    let mut out = String::new();
    to_yaml_after(&mut out, results)?;
    Ok(out)
}

/// As [`to_yaml`], appended to `out` (no copy of a large run's results to put text before them).
pub fn to_yaml_after<R: Borrow<KrmResult>>(
    out: &mut String,
    results: impl IntoIterator<Item = R>,
) -> Result<(), String> {
    let mut results = results.into_iter().peekable();
    if results.peek().is_none() {
        out.push_str("[]\n");
        return Ok(());
    }
    out.reserve(results.size_hint().0 * 320);
    for r in results {
        let r = r.borrow();
        let mark = out.len();
        if !emit::result(r, out) {
            out.truncate(mark);
            let yaml = serde_norway::to_string(std::slice::from_ref(r))
                .map_err(|e| format!("cannot serialize results: {e}"))?;
            out.push_str(&yaml);
        }
    }
    Ok(())
}

/// The direct writer behind [`to_yaml`]: the block layout serde_yaml uses for a
/// [`KrmResult`], and libyaml's choice between a plain and a single-quoted scalar.
mod emit {
    use super::KrmResult;

    /// Writes `r` as one block sequence item; false (with `out` partly written) when a string
    /// needs a style decided only by serde_yaml.
    pub(super) fn result(r: &KrmResult, out: &mut String) -> bool {
        out.push_str("- ");
        let mut ok = field(out, "", "message", &r.message) && field(out, "  ", "severity", r.severity.name());
        if let Some(rr) = &r.resource_ref {
            out.push_str("  resourceRef:\n");
            ok = ok
                && field(out, "    ", "apiVersion", &rr.api_version)
                && field(out, "    ", "kind", &rr.kind)
                && field(out, "    ", "name", &rr.name)
                && rr.namespace.as_ref().is_none_or(|n| field(out, "    ", "namespace", n));
        }
        if let Some(f) = &r.field {
            out.push_str("  field:\n");
            ok = ok
                && field(out, "    ", "path", &f.path)
                && f.current_value.as_ref().is_none_or(|v| field(out, "    ", "currentValue", v))
                && f.proposed_value.as_ref().is_none_or(|v| field(out, "    ", "proposedValue", v));
        }
        if let Some(file) = &r.file {
            out.push_str("  file:\n");
            ok = ok && field(out, "    ", "path", &file.path);
            if let Some(i) = file.index {
                out.push_str("    index: ");
                out.push_str(&i.to_string());
                out.push('\n');
            }
        }
        if !r.tags.is_empty() {
            out.push_str("  tags:\n");
            for (k, v) in &r.tags {
                ok = ok && simple_key(k) && field(out, "    ", k, v);
            }
        }
        ok
    }

    /// `{indent}{key}: {value}\n`; false when `value` is not one [`scalar`] can write.
    fn field(out: &mut String, indent: &str, key: &str, value: &str) -> bool {
        out.push_str(indent);
        out.push_str(key);
        out.push_str(": ");
        let ok = scalar(value, out);
        out.push('\n');
        ok
    }

    /// A tag key serde_yaml writes plain: a lower-case word.
    fn simple_key(k: &str) -> bool {
        !k.is_empty() && k.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
    }

    /// Writes `s` plain or single-quoted, as serde_yaml would; false for strings it could
    /// read as something else than a string, multi-line or blank-edged strings, and
    /// characters libyaml escapes (those go to serde_yaml).
    pub(super) fn scalar(s: &str, out: &mut String) -> bool {
        if !ordinary(s) {
            return false;
        }
        if plain_allowed(s.as_bytes()) {
            out.push_str(s);
        } else {
            // Single-quoted: a quote inside is written twice.
            out.push('\'');
            for (i, part) in s.split('\'').enumerate() {
                if i > 0 {
                    out.push_str("''");
                }
                out.push_str(part);
            }
            out.push('\'');
        }
        true
    }

    /// Text whose only style choices are plain or single-quoted: printable (as libyaml counts
    /// it), no line break, no blank at either end, and not a word serde_yaml would read back
    /// as null, a boolean or a number (a word starting with a letter, or text with a space).
    fn ordinary(s: &str) -> bool {
        let b = s.as_bytes();
        let (Some(&first), Some(&last)) = (b.first(), b.last()) else { return false };
        if first == b' ' || last == b' ' {
            return false;
        }
        let printable_text =
            if s.is_ascii() { b.iter().all(|c| (b' '..=b'~').contains(c)) } else { s.chars().all(printable) };
        if !printable_text {
            return false;
        }
        if b.contains(&b' ') {
            return true;
        }
        first.is_ascii_alphabetic()
            && !["null", "true", "false", "nan", "inf", "infinity"].iter().any(|w| s.eq_ignore_ascii_case(w))
    }

    /// libyaml's printable set, less what it counts as a line break (U+0085, U+2028, U+2029)
    /// and the byte-order mark.
    fn printable(c: char) -> bool {
        matches!(c, ' '..='~' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
            && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
    }

    /// libyaml's rule for a plain scalar in block context (`yaml_emitter_analyze_scalar`),
    /// for [`ordinary`] text: no indicator at the start, no `: ` or ` #` inside, no
    /// `---`/`...` document marker at the start. Indicators and blanks are ASCII, so bytes do.
    fn plain_allowed(b: &[u8]) -> bool {
        if b.starts_with(b"---") || b.starts_with(b"...") {
            return false;
        }
        (0..b.len()).all(|i| {
            let c = b[i];
            let followed_by_blank = b.get(i + 1).is_none_or(|&n| n == b' ');
            let indicator = if i == 0 {
                matches!(
                    c,
                    b'#' | b','
                        | b'['
                        | b']'
                        | b'{'
                        | b'}'
                        | b'&'
                        | b'*'
                        | b'!'
                        | b'|'
                        | b'>'
                        | b'\''
                        | b'"'
                        | b'%'
                        | b'@'
                        | b'`'
                ) || (matches!(c, b'?' | b':' | b'-') && followed_by_blank)
            } else {
                (c == b':' && followed_by_blank) || (c == b'#' && b[i - 1] == b' ')
            };
            !indicator
        })
    }
}

/// Results as one line of JSON (for a ResourceList written in flow style or JSON).
pub fn to_json(results: &[KrmResult]) -> Result<String, String> {
    crate::json::to_string(results)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{FieldChange, Finding};
    use crate::location::{Location, Origin};
    use crate::model::{Object, ObjectId, Scalar, ScalarField};
    use crate::rules::STRATEGY_REWRITTEN;

    #[test]
    fn results_carry_ref_field_file_and_rule() {
        let o = Object {
            api_version: Some("apps/v1".into()),
            kind: Some("Deployment".into()),
            name: Some("web".into()),
            namespace: Some("prod".into()),
            values: vec![
                (
                    ScalarField::PathAnnotation,
                    Scalar { value: "app.yaml".into(), plain: true, pos: crate::yaml::Pos::default() },
                ),
                (
                    ScalarField::IndexAnnotation,
                    Scalar { value: "1".into(), plain: false, pos: crate::yaml::Pos::default() },
                ),
            ],
            ..Object::default()
        };
        let finding = Finding {
            object: ObjectId::default(),
            rule: &STRATEGY_REWRITTEN,
            severity: Severity::Info,
            message: "m".into(),
            field: Some(Box::new(FieldChange {
                path: "spec.strategy.type".into(),
                current: None,
                proposed: Some("Recreate".into()),
            })),
        };
        let d = Diagnostic { finding, resource: ResourceRef::of(&o), location: Location::of(&o, None, Origin::Stream) };
        let yaml = to_yaml(&[KrmResult::of(&d)]).expect("yaml");
        assert_eq!(
            yaml,
            "- message: m\n  severity: info\n  resourceRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: web\n    namespace: prod\n  field:\n    path: spec.strategy.type\n    proposedValue: Recreate\n  file:\n    path: app.yaml\n    index: 1\n  tags:\n    rule: strategy-rewritten\n"
        );
    }

    /// Random text made of pieces that matter to YAML's scalar styles.
    struct Texts(u64);

    impl Texts {
        const PARTS: &[&str] = &[
            "a",
            "Z",
            "web",
            "0",
            "1",
            "07",
            "1.5",
            "-",
            "--",
            "---",
            "...",
            ".",
            ":",
            ": ",
            " :",
            "#",
            " #",
            "# ",
            "?",
            "? ",
            "'",
            "\"",
            "&",
            "*",
            "!",
            "|",
            ">",
            "%",
            "@",
            "`",
            ",",
            "[",
            "]",
            "{",
            "}",
            " ",
            "  ",
            "\t",
            "\n",
            "\r",
            "\\",
            "é",
            "\u{85}",
            "\u{2028}",
            "\u{feff}",
            "\u{e000}",
            "\u{1f600}",
            "\u{7f}",
            "\u{0}",
            "true",
            "False",
            "NULL",
            "~",
            "null",
            "yes",
            "no",
            "on",
            "nan",
            ".inf",
            "inf",
            "0x1f",
            "0o7",
            "1e3",
            "+1",
            "_",
            "=",
            "(",
            ")",
            "/",
            "spec.strategy",
            "ReadWriteOnce",
            "maxSurge: 0",
            "claim data",
        ];

        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            usize::try_from(self.0 % n as u64).expect("small")
        }

        fn text(&mut self) -> String {
            (0..self.below(6)).map(|_| Self::PARTS[self.below(Self::PARTS.len())]).collect()
        }
    }

    /// Every string the direct writer takes is written as serde_yaml writes it.
    #[test]
    fn direct_scalars_are_serde_yaml_text() {
        let mut texts = Texts(0x2545_f491_4f6c_dd1d);
        let mut direct = 0;
        for _ in 0..200_000 {
            let s = texts.text();
            let mut out = String::new();
            if emit::scalar(&s, &mut out) {
                direct += 1;
                out.push('\n');
                assert_eq!(out, serde_norway::to_string(&s).expect("serde"), "{s:?}");
            }
        }
        assert!(direct > 20_000, "too few strings took the direct path: {direct}");
    }

    /// Whole results, direct or handed to serde_yaml, are serde_yaml's text.
    #[test]
    fn direct_results_are_serde_yaml_text() {
        assert_eq!(to_yaml(&[]).expect("yaml"), serde_norway::to_string(&[] as &[KrmResult]).expect("serde"));
        let mut t = Texts(0x9e37_79b9_7f4a_7c15);
        for _ in 0..3000 {
            // Mostly names and words (the direct path), now and then anything.
            let text =
                |t: &mut Texts| if t.below(8) == 0 { t.text() } else { ["web", "a b: c", "it's"][t.below(3)].into() };
            let mut tags = BTreeMap::new();
            if t.below(3) > 0 {
                tags.insert("rule".to_string(), text(&mut t));
            }
            let r = KrmResult {
                message: text(&mut t),
                severity: [Severity::Info, Severity::Warning, Severity::Error][t.below(3)],
                resource_ref: (t.below(4) > 0).then(|| ResourceRef {
                    api_version: text(&mut t),
                    kind: text(&mut t),
                    name: text(&mut t),
                    namespace: (t.below(2) > 0).then(|| text(&mut t)),
                }),
                field: (t.below(2) > 0).then(|| Field {
                    path: text(&mut t),
                    current_value: (t.below(2) > 0).then(|| text(&mut t)),
                    proposed_value: (t.below(2) > 0).then(|| text(&mut t)),
                }),
                file: (t.below(2) > 0).then(|| File { path: text(&mut t), index: (t.below(2) > 0).then_some(7) }),
                tags,
            };
            let list = [r.clone(), r];
            assert_eq!(to_yaml(&list).expect("yaml"), serde_norway::to_string(&list).expect("serde"), "{list:?}");
        }
    }

    #[test]
    fn json_escapes() {
        let r = fatal_result("a \"b\"\n".into());
        assert_eq!(to_json(&[r]).expect("json"), "[{\"message\": \"a \\\"b\\\"\\n\", \"severity\": \"error\"}]");
    }
}
