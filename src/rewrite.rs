//! Rewriting: turn an object's semantic plan into byte edits of the original text, and splice
//! them in. Nothing outside the edited fields changes: not a comment, a quote or a blank line.
//!
//! Edits follow the surrounding style: block mappings get new lines at the indentation of their
//! siblings (with the file's line ending), flow mappings get `key: value` pairs, a replaced
//! scalar keeps its quotes. A case the minimal edit cannot express (say, removing the only pair
//! of a flow mapping) falls back to replacing the whole `spec.strategy` value; the verifier
//! checks the result either way.

use crate::findings::ObjectPlan;
use crate::model::{Captured, Entry, Node, NodeKind, Object};
use crate::strategy::{Op, Val};
use crate::text;
use crate::yaml::ScalarStyle;

/// Replace `text[start..end]` with `with`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    /// First byte replaced.
    pub start: usize,
    /// Byte after the last one replaced (`== start` for an insertion).
    pub end: usize,
    /// The new text.
    pub with: String,
}

/// Why a minimal edit was not possible.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Unsupported(&'static str);

type R<T> = Result<T, Unsupported>;

/// The edits for one object's plan, sorted and non-overlapping; or, when the text is laid out
/// in a way no edit here can express (a `? key` in `spec`), why not. The pipeline then leaves
/// the object as it is and says so (`rules::unsupported_strategy::unplaceable`).
pub fn edits_for(text: &str, object: &Object, plan: &ObjectPlan) -> Result<Vec<Edit>, &'static str> {
    let cx = Cx { text, object, key: plan.layout.key, current: object.rollout(plan.layout.key) };
    match cx.ops(&plan.ops) {
        Ok(edits) => Ok(edits),
        Err(Unsupported(_)) => {
            let Some(expected) = &plan.expected else { return Err("no strategy to write") };
            let whole = if cx.current.is_some() { Op::Replace(expected.clone()) } else { Op::Insert(expected.clone()) };
            cx.ops(std::slice::from_ref(&whole)).map_err(|Unsupported(why)| why)
        }
    }
}

struct Cx<'a> {
    text: &'a str,
    object: &'a Object,
    /// The strategy's key under `spec`.
    key: &'static str,
    /// The strategy as read, when present.
    current: Option<&'a Captured>,
}

impl Cx<'_> {
    fn ops(&self, ops: &[Op]) -> R<Vec<Edit>> {
        let mut edits = Vec::new();
        for op in ops {
            match op {
                Op::Insert(v) => edits.push(self.insert_strategy(v)?),
                Op::Replace(v) => {
                    let c = self.current.ok_or(Unsupported("no strategy"))?;
                    edits.push(self.replace_value(c.key_span.end.offset, &c.node, v)?);
                }
                Op::Set(path, v) => {
                    let c = self.current.ok_or(Unsupported("no strategy"))?;
                    edits.push(self.set(&c.node, self.key_col(c.key_span.start), path, v)?);
                }
                Op::Remove(k) => {
                    let c = self.current.ok_or(Unsupported("no strategy"))?;
                    edits.push(self.remove(&c.node, k)?);
                }
            }
        }
        normalize(edits).map_err(Unsupported)
    }

    /// Sets `path` inside the mapping `map` (whose key sits at column `parent_col`).
    fn set(&self, map: &Node, parent_col: usize, path: &[&'static str], v: &Val) -> R<Edit> {
        let NodeKind::Map { entries, flow } = &map.kind else { return Err(Unsupported("not a mapping")) };
        let (first, rest) = path.split_first().ok_or(Unsupported("empty path"))?;
        match entries.iter().find(|e| e.key.as_scalar() == Some(first)) {
            Some(e) if rest.is_empty() => self.replace_value(e.key.span.end.offset, &e.value, v),
            Some(e) => self.set(&e.value, self.key_col(e.key.span.start), rest, v),
            None => {
                let value = nest(rest, v);
                self.insert_entry(map, entries, *flow, parent_col, first, &value, *first == "type")
            }
        }
    }

    /// Replaces the value of a pair whose key ends at `key_end`.
    fn replace_value(&self, key_end: usize, node: &Node, v: &Val) -> R<Edit> {
        // A double-quoted key is JSON's: its new value is written as JSON.
        let json = key_end > 0 && self.text.as_bytes()[key_end - 1] == b'"';
        let empty = node.span.start.offset == node.span.end.offset;
        let in_place = !empty
            && !node.anchored
            && !node.tagged
            && match &node.kind {
                NodeKind::Scalar { style, .. } => !matches!(style, ScalarStyle::Literal | ScalarStyle::Folded),
                NodeKind::Map { flow, .. } | NodeKind::Seq { flow, .. } => *flow,
                NodeKind::Alias => true,
            };
        if in_place {
            let style = match &node.kind {
                NodeKind::Scalar { style, .. } => Some(*style),
                _ => None,
            };
            return Ok(Edit { start: node.span.start.offset, end: node.span.end.offset, with: value(v, style, json) });
        }
        // After the colon, through the end of the value: also drops an anchor or tag.
        let colon = self.colon_after(key_end)?;
        let end = if empty { colon + 1 } else { self.past_colon(node.span.end.offset).max(colon + 1) };
        Ok(Edit { start: colon + 1, end, with: format!(" {}", value(v, None, json)) })
    }

    /// Where the flow mapping entry whose key starts at `key` begins, its properties included
    /// ([`text::flow_entry`] from `from`: just past `{` or the previous entry's content).
    fn flow_node_start(&self, from: usize, key: usize) -> usize {
        text::flow_entry(self.text.as_bytes(), from, key).0
    }

    /// `end`, or past the `:` there: the parser places an empty value at the end of its key,
    /// before the colon, so content ending in `key:` (a mapping whose last value is empty)
    /// really ends after that colon.
    fn past_colon(&self, end: usize) -> usize {
        text::past_colon(self.text.as_bytes(), end)
    }

    /// `, {pair}` to append after content ending at `end` in a flow mapping (after an empty
    /// value's colon: ` , {pair}`, as `a:, b` would not read back).
    fn flow_append(&self, end: usize, pair: &str) -> Edit {
        let at = self.past_colon(end);
        Edit { start: at, end: at, with: format!("{}, {pair}", if at == end { "" } else { " " }) }
    }

    fn colon_after(&self, key_end: usize) -> R<usize> {
        text::colon_after(self.text.as_bytes(), key_end).ok_or(Unsupported("no colon after the key"))
    }

    #[allow(clippy::too_many_arguments)]
    fn insert_entry(
        &self,
        map: &Node,
        entries: &[Entry],
        is_flow: bool,
        parent_col: usize,
        key: &str,
        v: &Val,
        first: bool,
    ) -> R<Edit> {
        let Some(head) = entries.first() else { return Err(Unsupported("empty mapping")) };
        let last = entries.last().unwrap_or(head);
        if is_flow {
            let json = matches!(head.key.kind, NodeKind::Scalar { style: ScalarStyle::DoubleQuoted, .. });
            let pair = pair(key, v, json);
            return Ok(if first {
                let at = self.flow_node_start(map.span.start.offset + 1, head.key.span.start.offset);
                Edit { start: at, end: at, with: format!("{pair}, ") }
            } else {
                self.flow_append(entry_end(last), &pair)
            });
        }
        let col = self.block_key(map.span.start.offset)?;
        let unit = col.checked_sub(parent_col).filter(|u| *u > 0).unwrap_or(2);
        let at = if first {
            text::line_start(self.text.as_bytes(), head.key.span.start.offset)
        } else {
            text::after_line(self.text.as_bytes(), map.span.end.offset)
        };
        Ok(self.block_insert(at, key, v, col, unit))
    }

    fn block_insert(&self, at: usize, key: &str, v: &Val, col: usize, unit: usize) -> Edit {
        let nl = text::newline_near(self.text.as_bytes(), at);
        let mut with = String::new();
        if at == self.text.len() && !self.text.is_empty() && !self.text.ends_with('\n') {
            with.push_str(nl);
        }
        block_entry(&mut with, key, v, col, unit, nl);
        Edit { start: at, end: at, with }
    }

    /// The column of a block key starting at `offset` (its line's indentation: a tag or anchor
    /// of the key may stand before it), or why a line cannot be placed beside it.
    fn block_key(&self, offset: usize) -> R<usize> {
        text::key_indent(self.text.as_bytes(), offset).ok_or(Unsupported("block key does not start its line"))
    }

    /// The column a key's siblings are indented to (only the indentation unit of lines written
    /// under the key depends on it).
    fn key_col(&self, at: crate::yaml::Pos) -> usize {
        text::key_col(self.text.as_bytes(), at.offset, at.col)
    }

    fn remove(&self, map: &Node, key: &str) -> R<Edit> {
        let NodeKind::Map { entries, flow } = &map.kind else { return Err(Unsupported("not a mapping")) };
        let k = entries.iter().position(|e| e.key.as_scalar() == Some(key)).ok_or(Unsupported("no such key"))?;
        let e = &entries[k];
        if *flow {
            return if k > 0 {
                Ok(Edit { start: entry_end(&entries[k - 1]), end: self.past_colon(entry_end(e)), with: String::new() })
            } else if let Some(next) = entries.get(1) {
                Ok(Edit { start: e.key.span.start.offset, end: next.key.span.start.offset, with: String::new() })
            } else {
                Err(Unsupported("removing the only pair of a flow mapping"))
            };
        }
        if entries.len() == 1 {
            return Err(Unsupported("removing the only pair of a block mapping"));
        }
        let key_start = e.key.span.start.offset;
        self.block_key(key_start)?;
        let end = self.past_colon(entry_end(e));
        let rest_start = end;
        let line_rest_end = text::after_line(self.text.as_bytes(), end);
        let rest = self.text[rest_start..line_rest_end].trim();
        if !(rest.is_empty() || rest.starts_with('#')) {
            return Err(Unsupported("more content after the pair on its line"));
        }
        Ok(Edit { start: text::line_start(self.text.as_bytes(), key_start), end: line_rest_end, with: String::new() })
    }

    fn insert_strategy(&self, v: &Val) -> R<Edit> {
        let spec = self.object.spec.as_ref().ok_or(Unsupported("no spec mapping"))?;
        if spec.anchored {
            return Err(Unsupported("spec defines an anchor"));
        }
        let template = spec.keys.iter().find(|k| k.key == crate::model::KeyName::Template);
        if spec.flow {
            let json = spec.keys.first().is_some_and(|k| self.text.as_bytes()[k.span.start.offset] == b'"');
            let pair = pair(self.key, v, json);
            return Ok(match (template, spec.keys.last()) {
                (Some(t), _) => {
                    // Before the key's properties (`!!str template:`), which stay with it.
                    let i = spec.keys.iter().position(|k| std::ptr::eq(k, t)).unwrap_or(0);
                    let from = match i.checked_sub(1).map(|p| &spec.keys[p]) {
                        Some(prev) => self.past_colon(prev.value_end.offset.max(prev.span.end.offset)),
                        None => spec.start.offset + 1,
                    };
                    let at = self.flow_node_start(from, t.span.start.offset);
                    Edit { start: at, end: at, with: format!("{pair}, ") }
                }
                (None, Some(last)) => self.flow_append(last.value_end.offset.max(last.span.end.offset), &pair),
                (None, None) => {
                    let at = spec.start.offset + 1;
                    Edit { start: at, end: at, with: pair }
                }
            });
        }
        if spec.keys.is_empty() {
            return Err(Unsupported("empty spec"));
        }
        // The mapping starts where its first key does, properties and `? ` included.
        let col = self.block_key(spec.start.offset)?;
        let unit = col.checked_sub(self.object.key_col as usize).filter(|u| *u > 0).unwrap_or(2);
        let at = match template.filter(|t| self.block_key(t.span.start.offset) == Ok(col)) {
            Some(t) => self.above_comments(text::line_start(self.text.as_bytes(), t.span.start.offset), col),
            None => text::after_line(self.text.as_bytes(), spec.end.offset),
        };
        Ok(self.block_insert(at, self.key, v, col, unit))
    }

    /// Moves an insertion point up over the comment lines (at `col`) directly above it, so a
    /// comment stays with the key it describes.
    fn above_comments(&self, mut at: usize, col: usize) -> usize {
        while at > 0 {
            let prev = text::line_start(self.text.as_bytes(), at - 1);
            let line = &self.text[prev..at];
            let trimmed = line.trim_start_matches(' ');
            if trimmed.starts_with('#') && line.len() - trimmed.len() == col {
                at = prev;
            } else {
                break;
            }
        }
        at
    }
}

/// `{a: {b: v}}` for a remaining path `[a, b]`.
fn nest(rest: &[&str], v: &Val) -> Val {
    rest.iter().rev().fold(v.clone(), |inner, k| Val::Map(vec![(Val::word(k), inner)]))
}

fn entry_end(e: &Entry) -> usize {
    e.value.span.end.offset.max(e.key.span.end.offset)
}

/// A value written in place of another: JSON in a JSON document, else flow style (a string
/// keeping the quotes of the scalar it replaces).
fn value(v: &Val, style: Option<ScalarStyle>, json: bool) -> String {
    if json {
        crate::json::to_string(v).unwrap_or_else(|_| "null".into())
    } else {
        flow(v, style)
    }
}

/// A value in flow style; a string keeps the quotes of the scalar it replaces.
fn flow(v: &Val, style: Option<ScalarStyle>) -> String {
    match v {
        Val::Null => "null".into(),
        Val::Int(i) => i.to_string(),
        Val::Str(s) => match style {
            Some(ScalarStyle::DoubleQuoted) => format!("\"{s}\""),
            Some(ScalarStyle::SingleQuoted) => format!("'{s}'"),
            _ => s.clone(),
        },
        Val::Alias => "null".into(),
        Val::Seq(items) => format!("[{}]", items.iter().map(|i| flow(i, None)).collect::<Vec<_>>().join(", ")),
        Val::Map(entries) => format!(
            "{{{}}}",
            entries.iter().map(|(k, v)| format!("{}: {}", flow(k, None), flow(v, None))).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// `key: value` in flow style; JSON style (`"key": "value"`) beside double-quoted keys.
fn pair(key: &str, v: &Val, json: bool) -> String {
    if json {
        format!("{}: {}", crate::json::string(key), crate::json::to_string(v).unwrap_or_else(|_| "null".into()))
    } else {
        format!("{key}: {}", flow(v, None))
    }
}

/// `key: value` lines at column `col`, nested mappings in block style.
fn block_entry(out: &mut String, key: &str, v: &Val, col: usize, unit: usize, nl: &str) {
    out.push_str(&" ".repeat(col));
    out.push_str(key);
    out.push(':');
    match v {
        Val::Map(entries) if !entries.is_empty() => {
            out.push_str(nl);
            for (k, inner) in entries {
                block_entry(out, &flow(k, None), inner, col + unit, unit, nl);
            }
        }
        other => {
            out.push(' ');
            out.push_str(&flow(other, None));
            out.push_str(nl);
        }
    }
}

/// Sorts edits (of one object, or of a whole run), merges an insertion with a removal that
/// starts at the same byte, and rejects overlaps.
pub(crate) fn normalize(mut edits: Vec<Edit>) -> Result<Vec<Edit>, &'static str> {
    edits.sort_by_key(|e| (e.start, e.end));
    let mut out: Vec<Edit> = Vec::with_capacity(edits.len());
    for e in edits {
        if let Some(prev) = out.last_mut() {
            if e.start < prev.end {
                return Err("overlapping edits");
            }
            if e.start == prev.start && prev.start == prev.end {
                prev.end = e.end;
                prev.with.push_str(&e.with);
                continue;
            }
        }
        out.push(e);
    }
    Ok(out)
}

/// Writes the text with `edits` (sorted, non-overlapping) applied, without building it.
pub fn write_spliced(text: &str, edits: &[Edit], out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut at = 0;
    for e in edits {
        out.write_all(&text.as_bytes()[at..e.start])?;
        out.write_all(e.with.as_bytes())?;
        at = e.end;
    }
    out.write_all(&text.as_bytes()[at..])
}

/// The text with `edits` (sorted, non-overlapping) applied.
pub fn splice(text: &str, edits: &[Edit]) -> String {
    let added: usize = edits.iter().map(|e| e.with.len()).sum();
    let mut out = String::with_capacity(text.len() + added);
    let mut at = 0;
    for e in edits {
        out.push_str(&text[at..e.start]);
        out.push_str(&e.with);
        at = e.end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, Mode};
    use crate::read::{read, Limits};
    use crate::rules::run;

    const PVC: &str = "---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\nspec:\n  accessModes: [ReadWriteOnce]\n";

    fn fix(deploy: &str, mode: Mode) -> String {
        let text = format!("{deploy}{PVC}");
        let b = read(&text, Limits::default()).expect("valid");
        let a = run(&b.objects, &Config { mode, ..Config::default() }, &b.namespaces);
        let mut edits = Vec::new();
        for p in &a.plans {
            edits.extend(edits_for(&text, &b.objects[p.object.index], p).expect("edits"));
        }
        let out = splice(&text, &edits);
        out.strip_suffix(PVC).expect("pvc untouched").to_string()
    }

    fn deploy(spec_before_template: &str) -> String {
        format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n{spec_before_template}  template:\n    spec:\n      volumes:\n      - name: d\n        persistentVolumeClaim:\n          claimName: data\n")
    }

    #[test]
    fn inserts_a_missing_strategy_above_template() {
        let out = fix(&deploy(""), Mode::Recreate);
        assert_eq!(out, deploy("  strategy:\n    type: Recreate\n"));
    }

    #[test]
    fn keeps_comments_above_template_with_template() {
        let out = fix(&deploy("  # the pods\n"), Mode::Recreate);
        assert_eq!(out, deploy("  strategy:\n    type: Recreate\n  # the pods\n"));
    }

    #[test]
    fn rewrites_block_strategy_keeping_comments() {
        let input = deploy("  strategy: # how to roll\n    # which type\n    type: \"RollingUpdate\" # default\n    rollingUpdate:\n      maxSurge: 1 # one extra\n      maxUnavailable: 0\n");
        let out = fix(&input, Mode::Recreate);
        assert_eq!(out, deploy("  strategy: # how to roll\n    # which type\n    type: \"Recreate\" # default\n"));
    }

    #[test]
    fn rewrites_flow_strategy() {
        let out = fix(&deploy("  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1}}\n"), Mode::Recreate);
        assert_eq!(out, deploy("  strategy: {type: Recreate}\n"));
        let out = fix(&deploy("  strategy: {rollingUpdate: {maxSurge: 1}, type: RollingUpdate}\n"), Mode::Recreate);
        assert_eq!(out, deploy("  strategy: {type: Recreate}\n"));
        let out = fix(&deploy("  strategy: {rollingUpdate: {maxSurge: 1}}\n"), Mode::Recreate);
        assert_eq!(out, deploy("  strategy: {type: Recreate}\n"));
    }

    #[test]
    fn rolling_mode_sets_max_surge_zero() {
        let out = fix(
            &deploy("  strategy:\n    rollingUpdate:\n      maxSurge: 25%\n      maxUnavailable: 0\n"),
            Mode::Rolling,
        );
        assert_eq!(out, deploy("  strategy:\n    type: RollingUpdate\n    rollingUpdate:\n      maxSurge: 0\n      maxUnavailable: 1\n"));
        let out = fix(&deploy(""), Mode::Rolling);
        assert_eq!(out, deploy("  strategy:\n    type: RollingUpdate\n    rollingUpdate:\n      maxSurge: 0\n      maxUnavailable: 1\n"));
    }

    #[test]
    fn crlf_input_gets_crlf_lines() {
        let input = deploy("").replace('\n', "\r\n");
        let text = format!("{input}{}", PVC.replace('\n', "\r\n"));
        let b = read(&text, Limits::default()).expect("valid");
        let a = run(&b.objects, &Config::default(), &b.namespaces);
        let edits = edits_for(&text, &b.objects[0], &a.plans[0]).expect("edits");
        let out = splice(&text, &edits);
        assert!(out.contains("  strategy:\r\n    type: Recreate\r\n  template:"), "{out:?}");
    }

    #[test]
    fn null_and_empty_strategies_are_replaced() {
        assert_eq!(fix(&deploy("  strategy:\n"), Mode::Recreate), deploy("  strategy: {type: Recreate}\n"));
        assert_eq!(
            fix(&deploy("  strategy: null # x\n"), Mode::Recreate),
            deploy("  strategy: {type: Recreate} # x\n")
        );
        assert_eq!(fix(&deploy("  strategy: {}\n"), Mode::Recreate), deploy("  strategy: {type: Recreate}\n"));
    }
}
