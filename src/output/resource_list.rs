//! A ResourceList's `results`: where rwo-guard's results go (after the existing ones, kept
//! byte for byte, or as a new key at the end of the root mapping; JSON in a flow-style
//! ResourceList) and the check that the output holds exactly those.

use crate::error::{Fatal, Place};
use crate::model::MapLayout;
use crate::read::{self, Bundle, Limits, Region};
use crate::rewrite::{self, Edit};

use super::results::{self, KrmResult};
use crate::text;
use crate::verify;

fn after_line(text: &str, end: usize) -> usize {
    text::after_line(text.as_bytes(), end)
}

/// The edit that appends rwo-guard's results to a ResourceList (none when it has none): after
/// the items of an existing `results` list, in its place when it is null, or as a new `results`
/// key at the end of the root mapping. Existing results are kept byte for byte. A block
/// ResourceList gets block YAML; a flow or JSON one (or a flow `results` list) gets JSON.
pub fn results_edit(text: &str, bundle: &Bundle, results: &[KrmResult]) -> Result<Option<Edit>, Fatal> {
    if results.is_empty() {
        return Ok(None);
    }
    let root = bundle
        .documents
        .first()
        .and_then(|d| d.root.as_ref())
        .ok_or_else(|| Fatal::Internal("ResourceList without a root mapping".into()))?;
    let existing = bundle.results.as_ref().map(|r| (r, &text[r.value.start.offset..r.value.end.offset]));
    let json = || results::to_json(results).map_err(Fatal::Internal);
    let null = |v: &str| matches!(v.trim(), "" | "null" | "~");
    let nl = text::newline_near(text.as_bytes(), 0);
    let edit = if root.flow {
        match existing {
            Some((region, value)) if value.trim_start().starts_with('[') => {
                append_to_flow_list(region, value, &json()?)
            }
            Some((region, value)) if null(value) && !value.trim().is_empty() => {
                Edit { start: region.value.start.offset, end: region.value.end.offset, with: json()? }
            }
            Some(_) => return Err(not_a_list(bundle)),
            None => {
                let at = root.end.offset.saturating_sub(1);
                Edit { start: at, end: at, with: format!(", \"results\": {}", json()?) }
            }
        }
    } else {
        match existing {
            Some((region, value)) => match block_dash_col(text, region, value) {
                Some(col) => {
                    let at = after_line(text, region.value.end.offset);
                    let lead = if at == text.len() && !text.ends_with('\n') { nl } else { "" };
                    Edit { start: at, end: at, with: format!("{lead}{}", block(text, results, col)?) }
                }
                None if value.trim_start().starts_with('[') => append_to_flow_list(region, value, &json()?),
                None if null(value) => {
                    let end = after_line(text, region.value.end.offset.max(region.key.end.offset));
                    let with = format!("results:{nl}{}", block(text, results, root_col(root))?);
                    Edit { start: region.key.start.offset, end, with }
                }
                None => return Err(not_a_list(bundle)),
            },
            None => {
                let at = after_line(text, root.end.offset);
                let lead = if at == text.len() && !text.is_empty() && !text.ends_with('\n') { nl } else { "" };
                let col = root_col(root);
                let with = format!("{lead}{}results:{nl}{}", " ".repeat(col), block(text, results, col)?);
                Edit { start: at, end: at, with }
            }
        }
    };
    Ok(Some(edit))
}

/// The column of the root mapping's keys.
fn root_col(root: &MapLayout) -> usize {
    root.keys.first().map_or(0, |k| k.span.start.col)
}

/// The column of the dashes of an existing block `results` list (`None`: not a block list).
/// The parser starts an indented block sequence at its dash, a compact one after it.
fn block_dash_col(text: &str, region: &Region, value: &str) -> Option<usize> {
    if value.starts_with('-') {
        return Some(region.value.start.col);
    }
    let line_start = text::line_start(text.as_bytes(), region.value.start.offset);
    let prefix = &text[line_start..region.value.start.offset];
    prefix.trim_start().starts_with('-').then(|| prefix.len() - prefix.trim_start().len())
}

/// `results` as block YAML items whose dashes are at column `col`, with the text's line ending.
fn block(text: &str, results: &[KrmResult], col: usize) -> Result<String, Fatal> {
    let yaml = results::to_yaml(results).map_err(Fatal::Internal)?;
    let nl = text::newline_near(text.as_bytes(), 0);
    if col == 0 && nl == "\n" {
        return Ok(yaml);
    }
    let indent = " ".repeat(col);
    Ok(yaml.lines().map(|l| format!("{indent}{l}{nl}")).collect())
}

/// Appends the items of the JSON list `json` to the flow list `value` (the text of `region`).
fn append_to_flow_list(region: &Region, value: &str, json: &str) -> Edit {
    let close = region.value.start.offset + value.rfind(']').unwrap_or(0);
    let empty = value.trim().trim_start_matches('[').trim_end_matches(']').trim().is_empty();
    let items = json.trim_start_matches('[').trim_end_matches(']');
    Edit { start: close, end: close, with: format!("{}{items}", if empty { "" } else { ", " }) }
}

fn not_a_list(bundle: &Bundle) -> Fatal {
    let at = bundle.results.as_ref().map(|r| r.value.start).unwrap_or_default();
    Fatal::input_at(
        "the ResourceList's `results` is not a list",
        Place {
            offset: at.offset,
            line: at.line,
            col: at.col,
            document: Some("document 1".into()),
            field: Some("results".into()),
        },
    )
}

/// Checks the results part of the output. Our items are serde_yaml's rendering of a list, each
/// line either starting an item (`- ` at the list's column) or indented deeper: that is checked
/// line by line, with the count. The join is checked by re-reading the list from its `results`
/// key through the first of our items: it must hold the existing items plus one. (A flow-style
/// ResourceList, small by nature, is re-read whole.)
pub fn check_results_edit(text: &str, bundle: &Bundle, edit: &Edit, ours: usize, limits: Limits) -> Result<(), Fatal> {
    let internal = |m: String| Fatal::Internal(format!("results: {m}"));
    let root = bundle.documents.first().and_then(|d| d.root.as_ref());
    let flow_results = bundle.results.as_ref().is_some_and(|r| text[r.value.start.offset..].starts_with('['));
    if root.is_some_and(|r| r.flow) || flow_results {
        let out = rewrite::splice(text, std::slice::from_ref(edit));
        let checked = read::read(&out, limits).map_err(|e| internal(e.summary("<output>")))?;
        return if checked.results.is_some() { Ok(()) } else { Err(internal("not added".into())) };
    }
    // Our items: from the first line that starts with a dash.
    let first_dash_line = edit.with.lines().position(|l| l.trim_start().starts_with('-')).unwrap_or(0);
    let items_at = edit.with.split_inclusive('\n').take(first_dash_line).map(str::len).sum::<usize>();
    let items = &edit.with[items_at..];
    let col = items.len() - items.trim_start_matches(' ').len();
    let (item_start, deeper) = (format!("{}- ", " ".repeat(col)), " ".repeat(col + 2));
    let mut count = 0;
    let mut second_item = items.len();
    let mut at = 0;
    for line in items.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if bare.starts_with(&item_start) || bare == format!("{}-", " ".repeat(col)) {
            count += 1;
            if count == 2 {
                second_item = at;
            }
        } else if !(bare.starts_with(&deeper) || bare.is_empty()) {
            return Err(internal(format!("line `{bare}` is outside the results list")));
        }
        at += line.len();
    }
    if count != ours {
        return Err(internal(format!("{count} items written, {ours} planned")));
    }
    let (from, before) = match &bundle.results {
        Some(r) => {
            let existing = &text[r.key.start.offset..after_line(text, r.value.end.offset.max(r.key.end.offset))];
            let n = verify::count_results(&format!("{}{existing}", " ".repeat(r.key.start.col)), limits)
                .map_err(internal)?;
            (r.key.start.offset, n)
        }
        None => (edit.start, 0),
    };
    // From the start of the `results` key's line (a new key: from our own text).
    let line_start = if bundle.results.is_some() { text[..from].rfind('\n').map_or(0, |i| i + 1) } else { from };
    let joined = format!("{}{}", &text[line_start..edit.start], &edit.with[..items_at + second_item]);
    let found = verify::count_results(&joined, limits).map_err(internal)?;
    if found == before + 1 {
        Ok(())
    } else {
        Err(internal(format!("the list from its key through our first item holds {found} items, not {before} + 1")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::results::fatal_result;

    fn appended(text: &str) -> String {
        let bundle = read::read(text, Limits::default()).expect("valid");
        let ours = [fatal_result("ours".into())];
        let edit = results_edit(text, &bundle, &ours).expect("edit").expect("some");
        check_results_edit(text, &bundle, &edit, 1, Limits::default()).expect("checked");
        rewrite::splice(text, &[edit])
    }

    const HEAD: &str = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n";

    #[test]
    fn a_new_results_key_goes_at_the_end() {
        assert_eq!(appended(HEAD), format!("{HEAD}results:\n- message: ours\n  severity: error\n"));
    }

    #[test]
    fn existing_block_results_are_kept_byte_for_byte() {
        let text = format!("{HEAD}results:\n  - message: 'theirs' # kept\n    severity: info\nfunctionConfig: {{}}\n");
        let out = appended(&text);
        assert!(out.contains("  - message: 'theirs' # kept\n    severity: info\n  - message: ours\n    severity: error\nfunctionConfig"), "{out}");
    }

    #[test]
    fn flow_results_get_json_items() {
        let text = format!("{HEAD}results: [{{message: theirs, severity: info}}]\n");
        let out = appended(&text);
        assert!(
            out.contains(
                "results: [{message: theirs, severity: info}, {\"message\": \"ours\", \"severity\": \"error\"}]"
            ),
            "{out}"
        );
    }

    #[test]
    fn results_that_are_not_a_list_are_an_error() {
        let text = format!("{HEAD}results: {{a: b}}\n");
        let bundle = read::read(&text, Limits::default()).expect("valid");
        assert!(results_edit(&text, &bundle, &[fatal_result("x".into())]).is_err());
    }
}
