//! A ResourceList's `results`: where rwo-guard's results go (after the existing ones, kept
//! byte for byte, or as a new key at the end of the root mapping; JSON in a flow-style
//! ResourceList) and the check that the output holds exactly those.

use crate::error::{Fatal, Place};
use crate::model::{MapLayout, Object};
use crate::read::{self, Bundle, Limits, Region};
use crate::rewrite::{self, Edit};
use crate::rules;
use crate::yaml::{Event, Events, Pos};

use super::{self as results, AsKrmResult, KrmResult};
use crate::text;

fn after_line(text: &str, end: usize) -> usize {
    text::after_line(text.as_bytes(), end)
}

/// The edits that write `results` into a ResourceList (and take out rwo-guard's own results of
/// an earlier run), each checked: the ResourceList re-read with them is the input with exactly
/// these results. `objects` is how many objects the input's read kept.
pub(crate) fn checked_results_edits<R: AsKrmResult>(
    text: &str,
    bundle: &Bundle,
    objects: usize,
    results: &[R],
    limits: Limits,
) -> Result<Vec<Edit>, Fatal> {
    let (removed, append) = results_edits(text, bundle, results, limits)?;
    if removed.is_empty() {
        if let Some(e) = &append {
            check_results_edit(text, bundle, objects, e, results.len(), limits)?;
        }
    } else {
        check_replaced_results(text, bundle, objects, &removed, append.as_ref(), results.len(), limits)?;
    }
    Ok(removed.into_iter().chain(append).collect())
}

/// The edits that give a ResourceList rwo-guard's results: the removal of rwo-guard's own
/// results of an earlier run (a second run replaces them; other functions' results stay byte
/// for byte), and the append of this run's (see [`results_edit`]).
fn results_edits<R: AsKrmResult>(
    text: &str,
    bundle: &Bundle,
    results: &[R],
    limits: Limits,
) -> Result<(Vec<Edit>, Option<Edit>), Fatal> {
    let Some(region) = &bundle.results else { return Ok((Vec::new(), results_edit(text, bundle, results, None)?)) };
    let earlier = earlier_results(text, region, limits);
    let removed = removals(text, region, &earlier);
    if region.anchored && !(results.is_empty() && removed.is_empty()) {
        return Err(anchored_results(region));
    }
    if removed.is_empty() {
        return Ok((Vec::new(), results_edit(text, bundle, results, None)?));
    }
    let kept = earlier.iter().filter(|e| !e.ours).count();
    if kept == 0 && results.is_empty() {
        // Only rwo-guard's own results, and none now: the entry goes (a ResourceList without
        // results, as before the first run).
        return Ok((vec![entry_removal(text, bundle, region)?], None));
    }
    Ok((removed, results_edit(text, bundle, results, Some(kept))?))
}

/// Re-reads a flow or JSON ResourceList whose results were written: it must still be a
/// ResourceList with its `objects` (how many the input's read kept, [`Object::relevant`] as in
/// the pipeline) and its `functionConfig` (a results edit that reached past its entry would
/// lose them).
fn reread_whole(out: &str, bundle: &Bundle, objects: usize, limits: Limits) -> Result<Bundle, Fatal> {
    let internal = |m: String| Fatal::Internal(format!("results: {m}"));
    let checked = read::read_filtered(out, limits, &Object::relevant).map_err(|e| internal(e.summary("<output>")))?;
    let same = checked.form == bundle.form
        && checked.objects.len() == objects
        && checked.function_config.is_some() == bundle.function_config.is_some();
    if same {
        Ok(checked)
    } else {
        Err(internal(format!(
            "the output holds {} objects{}, not {}{}",
            checked.objects.len(),
            if checked.function_config.is_some() { " and a functionConfig" } else { "" },
            objects,
            if bundle.function_config.is_some() { " and a functionConfig" } else { "" },
        )))
    }
}

/// Checks a `results` entry from which rwo-guard's earlier results were taken out: re-read,
/// it holds the items kept and this run's `ours`, or it is gone when both are none.
fn check_replaced_results(
    text: &str,
    bundle: &Bundle,
    objects: usize,
    removed: &[Edit],
    append: Option<&Edit>,
    ours: usize,
    limits: Limits,
) -> Result<(), Fatal> {
    let internal = |m: String| Fatal::Internal(format!("results: {m}"));
    let region = bundle.results.as_ref().ok_or_else(|| internal("no results to replace".into()))?;
    let earlier = earlier_results(text, region, limits);
    let kept = earlier.iter().filter(|e| !e.ours).count();
    if text[region.value.start.offset..].starts_with('[')
        || bundle.documents.first().and_then(|d| d.root.as_ref()).is_some_and(|r| r.flow)
    {
        // A flow or JSON ResourceList (small by nature): re-read whole.
        let mut edits: Vec<Edit> = removed.iter().chain(append).cloned().collect();
        edits.sort_by_key(|e| e.start);
        let out = rewrite::splice(text, &edits);
        let checked = reread_whole(&out, bundle, objects, limits)?;
        let found = match &checked.results {
            None => 0,
            Some(r) => count_results(&format!("results: {}", &out[r.value.start.offset..r.value.end.offset]), limits)
                .map_err(internal)?,
        };
        return if found == kept + ours {
            Ok(())
        } else {
            Err(internal(format!("{found} results after replacing, not {kept} kept + {ours} new")))
        };
    }
    // A block list with its key's line.
    let from = text::line_start(text.as_bytes(), region.key.start.offset);
    let to = after_line(text, region.value.end.offset.max(region.key.end.offset));
    let mut local = Vec::new();
    for e in removed.iter().chain(append) {
        if e.start < from || e.end > to {
            return Err(internal("an edit falls outside the results entry".into()));
        }
        local.push(Edit { start: e.start - from, end: e.end - from, with: e.with.clone() });
    }
    local.sort_by_key(|e| e.start);
    let after = rewrite::splice(&text[from..to], &local);
    if after.trim().is_empty() && kept + ours == 0 {
        return Ok(());
    }
    let found = count_results(&after, limits).map_err(internal)?;
    if found == kept + ours {
        Ok(())
    } else {
        Err(internal(format!("{found} results after replacing, not {kept} kept + {ours} new")))
    }
}

/// The edit that takes the whole `results` entry out: its lines in a block mapping; in a flow
/// mapping the pair (from its key's properties: `!!str results: …`) and the comma before it,
/// or after it when it comes first.
fn entry_removal(text: &str, bundle: &Bundle, region: &Region) -> Result<Edit, Fatal> {
    let bytes = text.as_bytes();
    let value_end = text::past_colon(bytes, region.value.end.offset.max(region.key.end.offset));
    let root = bundle.documents.first().and_then(|d| d.root.as_ref());
    let Some(root) = root.filter(|r| r.flow) else {
        let start = text::line_start(bytes, region.key.start.offset);
        return Ok(Edit { start, end: after_line(text, value_end), with: String::new() });
    };
    let internal = || Fatal::Internal("results: its key is not among the root mapping's keys".into());
    let k = root.keys.iter().position(|k| k.span.start == region.key.start).ok_or_else(internal)?;
    let from = match k.checked_sub(1).map(|p| &root.keys[p]) {
        Some(prev) => text::past_colon(bytes, prev.value_end.offset.max(prev.span.end.offset)),
        None => root.start.offset + 1,
    };
    Ok(match text::flow_entry(bytes, from, region.key.start.offset) {
        // After another pair: from the comma before it.
        (_, Some(comma)) => Edit { start: comma, end: value_end, with: String::new() },
        // The first pair: up to where the next entry begins, past the comma after it.
        (start, None) => {
            let end = root
                .keys
                .get(k + 1)
                .map_or(value_end, |next| text::flow_entry(bytes, value_end, next.span.start.offset).0);
            Edit { start, end, with: String::new() }
        }
    })
}

/// An item of an existing `results` list.
#[derive(Debug)]
struct Earlier {
    /// Its first byte (a block item's: the start of the line of its dash).
    start: usize,
    /// The byte after its content.
    end: usize,
    /// Its `tags.rule` names one of rwo-guard's rules.
    ours: bool,
}

/// The items of the `results` list in `region`, in order. A block list is read from its key's
/// line (`results:` and the list below it: items at depth 2); a flow list alone (items at
/// depth 1).
fn earlier_results(text: &str, region: &Region, limits: Limits) -> Vec<Earlier> {
    let flow = text[region.value.start.offset..].starts_with('[');
    let value = &text[region.value.start.offset..region.value.end.offset];
    if !flow && block_dash_col(text, region, value).is_none() {
        // Null or empty, or not a list (which the append reports): no items.
        return Vec::new();
    }
    let from =
        if flow { region.value.start.offset } else { text::line_start(text.as_bytes(), region.key.start.offset) };
    let to = region.value.end.offset.max(region.key.end.offset);
    let base = Pos { offset: from, line: text::line_number(text.as_bytes(), from), col: 0 };
    // The depth of the list's items: the depths below are given for a block list.
    let shift = usize::from(flow);
    let mut items: Vec<Earlier> = Vec::new();
    let (mut depth, mut key_3, mut key_4, mut expect_key) = (0usize, None::<String>, None::<String>, [true; 8]);
    for event in Events::at(&text[from..to], limits.max_depth, base) {
        // Results that do not read alone (an alias of an anchor outside them) are not told
        // apart: none is taken for rwo-guard's own.
        let Ok((event, span)) = event else { return Vec::new() };
        let depth = &mut depth;
        // As if the list were a block list under `results:`.
        let mut d = *depth + shift;
        let item_start = |at: usize| if flow { at } else { block_item_start(text, at) };
        match event {
            Event::MappingStart { .. } | Event::SequenceStart { .. } => {
                if d == 2 {
                    items.push(Earlier { start: item_start(span.start.offset), end: span.end.offset, ours: false });
                }
                *depth += 1;
                d += 1;
                if let Some(k) = expect_key.get_mut(d) {
                    *k = true;
                }
            }
            Event::MappingEnd | Event::SequenceEnd => {
                *depth = depth.saturating_sub(1);
                d = *depth + shift;
                if d == 2 && flow {
                    if let Some(item) = items.last_mut() {
                        item.end = span.end.offset;
                    }
                }
                if d == 3 {
                    key_4 = None;
                }
                step(&mut expect_key, d);
            }
            Event::Scalar { value, .. } => {
                if d == 2 {
                    items.push(Earlier { start: item_start(span.start.offset), end: span.end.offset, ours: false });
                } else if d >= 3 {
                    let is_key = expect_key.get(d).copied().unwrap_or(false);
                    match (d, is_key) {
                        (3, true) => key_3 = Some(value.to_string()),
                        (4, true) => key_4 = Some(value.to_string()),
                        (4, false) if key_3.as_deref() == Some("tags") && key_4.as_deref() == Some("rule") => {
                            if let Some(item) = items.last_mut() {
                                item.ours = rules::ALL.iter().any(|r| r.name == value);
                            }
                        }
                        _ => {}
                    }
                }
                if d > 2 && !flow {
                    if let Some(item) = items.last_mut() {
                        item.end = item.end.max(span.end.offset);
                    }
                }
                step(&mut expect_key, d);
            }
            Event::Alias { .. } => step(&mut expect_key, d),
            _ => {}
        }
    }
    items
}

/// A node at `depth` is done: in a mapping, a key is followed by its value and a value by a key.
fn step(expect_key: &mut [bool; 8], depth: usize) {
    if let Some(k) = expect_key.get_mut(depth) {
        *k = !*k;
    }
}

/// Where a block list item that starts (its first key or value) at `at` begins: the start of the
/// line of its dash.
fn block_item_start(text: &str, at: usize) -> usize {
    let bytes = text.as_bytes();
    let line = text::line_start(bytes, at);
    if text[line..at].trim_start().starts_with('-') || line == 0 {
        return line;
    }
    // The dash alone on the line before (`-` then the item's keys below it).
    let previous = text::line_start(bytes, line - 1);
    if text[previous..line].trim() == "-" {
        previous
    } else {
        line
    }
}

/// The edits that take out rwo-guard's own earlier results, with what separates them from the
/// others (a block item's lines; a flow item and its comma).
fn removals(text: &str, region: &Region, items: &[Earlier]) -> Vec<Edit> {
    let flow = text[region.value.start.offset..].starts_with('[');
    let end_of_list = if flow { None } else { Some(after_line(text, items.last().map_or(0, |i| i.end))) };
    let mut edits = Vec::new();
    let mut k = 0;
    while k < items.len() {
        if !items[k].ours {
            k += 1;
            continue;
        }
        let run_start = k;
        while k < items.len() && items[k].ours {
            k += 1;
        }
        let (first, last) = (&items[run_start], &items[k - 1]);
        let (start, end) = match (items.get(k), end_of_list) {
            // Up to the next item kept (its line, or its first byte after the comma).
            (Some(next), _) => (first.start, next.start),
            // Block: through the end of the last item's line.
            (None, Some(list_end)) => (first.start, list_end),
            // Flow, a run at the end: from the end of the item kept before it (its comma too).
            (None, None) => (run_start.checked_sub(1).map_or(first.start, |p| items[p].end), last.end),
        };
        edits.push(Edit { start, end, with: String::new() });
    }
    edits
}

/// The edit that appends rwo-guard's results to a ResourceList (none when it has none): after
/// the items of an existing `results` list, in its place when it is null, or as a new `results`
/// key at the end of the root mapping. Existing results are kept byte for byte. A block
/// ResourceList gets block YAML; a flow or JSON one (or a flow `results` list) gets JSON.
/// `kept`: how many items an existing list keeps once rwo-guard's earlier results are taken
/// out (`None`: all of them).
fn results_edit<R: AsKrmResult>(
    text: &str,
    bundle: &Bundle,
    results: &[R],
    kept: Option<usize>,
) -> Result<Option<Edit>, Fatal> {
    if results.is_empty() {
        return Ok(None);
    }
    let root = bundle
        .documents
        .first()
        .and_then(|d| d.root.as_ref())
        .ok_or_else(|| Fatal::Internal("ResourceList without a root mapping".into()))?;
    let existing = bundle.results.as_ref().map(|r| (r, &text[r.value.start.offset..r.value.end.offset]));
    let json = || {
        let all: Vec<KrmResult> = results.iter().map(|r| r.krm_result().into_owned()).collect();
        results::to_json(&all).map_err(Fatal::Internal)
    };
    let null = |v: &str| matches!(v.trim(), "" | "null" | "~");
    let nl = text::newline_near(text.as_bytes(), 0);
    let edit = if root.flow {
        match existing {
            Some((region, value)) if value.trim_start().starts_with('[') => {
                append_to_flow_list(region, value, &json()?, kept)
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
                    Edit { start: at, end: at, with: block(text, results, col, lead.to_string())? }
                }
                None if value.trim_start().starts_with('[') => append_to_flow_list(region, value, &json()?, kept),
                None if null(value) => {
                    let end = after_line(text, region.value.end.offset.max(region.key.end.offset));
                    let with = block(text, results, root_col(root), format!("results:{nl}"))?;
                    Edit { start: region.key.start.offset, end, with }
                }
                None => return Err(not_a_list(bundle)),
            },
            None => {
                let at = after_line(text, root.end.offset);
                let lead = if at == text.len() && !text.is_empty() && !text.ends_with('\n') { nl } else { "" };
                let col = root_col(root);
                let with = block(text, results, col, format!("{lead}{}results:{nl}", " ".repeat(col)))?;
                Edit { start: at, end: at, with }
            }
        }
    };
    Ok(Some(edit))
}

/// The column of the root mapping's keys: where the block mapping starts (a tag or anchor of
/// its first key included: `!!str apiVersion: v1` is at column 0, not 6).
fn root_col(root: &MapLayout) -> usize {
    root.start.col
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

/// `head`, then `results` as block YAML items whose dashes are at column `col`, with the text's
/// line ending (one string: a large run's results are not copied to put text before them).
fn block<R: AsKrmResult>(text: &str, results: &[R], col: usize, head: String) -> Result<String, Fatal> {
    let nl = text::newline_near(text.as_bytes(), 0);
    let mut out = head;
    if col == 0 && nl == "\n" {
        results::to_yaml_after(&mut out, results.iter().map(AsKrmResult::krm_result)).map_err(Fatal::Internal)?;
        return Ok(out);
    }
    let yaml = results::to_yaml(results.iter().map(AsKrmResult::krm_result)).map_err(Fatal::Internal)?;
    let indent = " ".repeat(col);
    for l in yaml.lines() {
        out.push_str(&indent);
        out.push_str(l);
        out.push_str(nl);
    }
    Ok(out)
}

/// Appends the items of the JSON list `json` to the flow list `value` (the text of `region`),
/// which keeps `kept` items (`None`: all it has).
fn append_to_flow_list(region: &Region, value: &str, json: &str, kept: Option<usize>) -> Edit {
    let close = region.value.start.offset + value.rfind(']').unwrap_or(0);
    let empty = kept == Some(0) || value.trim().trim_start_matches('[').trim_end_matches(']').trim().is_empty();
    let items = json.trim_start_matches('[').trim_end_matches(']');
    Edit { start: close, end: close, with: format!("{}{items}", if empty { "" } else { ", " }) }
}

/// `results` defines an anchor (`results: &r null`, an item `&i {…}`): other nodes may alias
/// it, and writing into it would change what they mean (an alias of a removed anchor would
/// not even parse). Found by the `manifest` fuzzer; no real ResourceList does this.
fn anchored_results(region: &Region) -> Fatal {
    let at = region.key.start;
    Fatal::input_at(
        "the ResourceList's `results` defines a YAML anchor: rwo-guard writes its results there, which would change every alias of it; remove the anchor (`&name`) from `results`",
        Place { offset: at.offset, line: at.line, col: at.col, document: Some("document 1".into()), field: Some("results".into()) },
    )
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
fn check_results_edit(
    text: &str,
    bundle: &Bundle,
    objects: usize,
    edit: &Edit,
    ours: usize,
    limits: Limits,
) -> Result<(), Fatal> {
    let internal = |m: String| Fatal::Internal(format!("results: {m}"));
    let root = bundle.documents.first().and_then(|d| d.root.as_ref());
    let flow_results = bundle.results.as_ref().is_some_and(|r| text[r.value.start.offset..].starts_with('['));
    if root.is_some_and(|r| r.flow) || flow_results {
        let out = rewrite::splice(text, std::slice::from_ref(edit));
        let checked = reread_whole(&out, bundle, objects, limits)?;
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
    let joined_count = |r: Option<&Region>| -> Result<(usize, usize), String> {
        let (from, before) = match r {
            Some(r) => {
                let existing = &text[r.key.start.offset..after_line(text, r.value.end.offset.max(r.key.end.offset))];
                (
                    r.key.start.offset,
                    count_results(
                        &format!(
                            "{}{existing}",
                            " ".repeat(text::key_col(text.as_bytes(), r.key.start.offset, r.key.start.col))
                        ),
                        limits,
                    )?,
                )
            }
            None => (edit.start, 0),
        };
        // From the start of the `results` key's line (a new key: from our own text).
        let line_start = if r.is_some() { text::line_start(text.as_bytes(), from) } else { from };
        let joined = format!("{}{}", &text[line_start..edit.start], &edit.with[..items_at + second_item]);
        Ok((count_results(&joined, limits)?, before + 1))
    };
    let (found, expected) = match joined_count(bundle.results.as_ref()) {
        Ok(counts) => counts,
        // Existing results that do not read alone (an alias of an anchor before them): count
        // in the whole ResourceList, before and after.
        Err(_) => {
            let out = rewrite::splice(text, std::slice::from_ref(edit));
            let before = count_results_in_document(text, limits).map_err(internal)?;
            (count_results_in_document(&out, limits).map_err(internal)?, before + ours)
        }
    };
    if found == expected {
        Ok(())
    } else {
        Err(internal(format!("the results list holds {found} items, not {expected}")))
    }
}

/// The number of items of the `results` list in `text`, a mapping whose only key is `results`
/// (the tail of a ResourceList from its `results:` key on).
fn count_results(text: &str, limits: Limits) -> Result<usize, String> {
    let mut depth = 0usize;
    let mut items = 0usize;
    // Keys and values of the root mapping: `results` and its list (or its null, the case
    // where the edit replaced `results: null` / `results:` with a list).
    let mut keys = 0usize;
    for event in Events::new(text, limits.max_depth) {
        let (event, _) = event.map_err(|e| format!("results do not parse: {} at line {}", e.message, e.pos.line))?;
        match event {
            Event::MappingStart { .. } | Event::SequenceStart { .. } => {
                if depth == 1 {
                    keys += 1;
                } else if depth == 2 {
                    items += 1;
                }
                depth += 1;
            }
            Event::MappingEnd | Event::SequenceEnd => depth = depth.saturating_sub(1),
            Event::Scalar { .. } | Event::Alias { .. } => {
                if depth == 1 {
                    keys += 1;
                } else if depth == 2 {
                    items += 1;
                }
            }
            _ => {}
        }
    }
    if keys != 2 {
        return Err(format!("the results tail has {keys} keys and values, not one `results` list"));
    }
    Ok(items)
}

/// The number of items of the root `results` list of `text`'s first document (0 when it has
/// none), read in the whole document: for results whose aliases name anchors outside them.
fn count_results_in_document(text: &str, limits: Limits) -> Result<usize, String> {
    let (mut depth, mut items, mut expect_key, mut in_results) = (0usize, 0usize, true, false);
    for event in Events::new(text, limits.max_depth) {
        let (event, _) =
            event.map_err(|e| format!("the output does not parse: {} at line {}", e.message, e.pos.line))?;
        match event {
            Event::MappingStart { .. } | Event::SequenceStart { .. } => {
                if in_results && depth == 2 {
                    items += 1;
                }
                depth += 1;
            }
            Event::MappingEnd | Event::SequenceEnd => {
                depth = depth.saturating_sub(1);
                if depth == 1 {
                    in_results = false;
                    expect_key = true;
                }
            }
            Event::Scalar { value, .. } => {
                if depth == 1 {
                    if expect_key {
                        in_results = value == "results";
                    } else {
                        in_results = false;
                    }
                    expect_key = !expect_key;
                } else if in_results && depth == 2 {
                    items += 1;
                }
            }
            Event::Alias { .. } => {
                if depth == 1 {
                    expect_key = !expect_key;
                } else if in_results && depth == 2 {
                    items += 1;
                }
            }
            Event::DocumentEnd => break,
            _ => {}
        }
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::krm::fatal_result;

    fn appended(text: &str) -> String {
        let bundle = read::read(text, Limits::default()).expect("valid");
        let ours = [fatal_result("ours".into())];
        let edit = results_edit(text, &bundle, &ours, None).expect("edit").expect("some");
        check_results_edit(text, &bundle, bundle.objects.len(), &edit, 1, Limits::default()).expect("checked");
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

    fn replaced(text: &str, ours: &[KrmResult]) -> String {
        let bundle = read::read(text, Limits::default()).expect("valid");
        let (removed, append) = results_edits(text, &bundle, ours, Limits::default()).expect("edits");
        check_replaced_results(
            text,
            &bundle,
            bundle.objects.len(),
            &removed,
            append.as_ref(),
            ours.len(),
            Limits::default(),
        )
        .expect("checked");
        let mut edits: Vec<Edit> = removed.into_iter().chain(append).collect();
        edits.sort_by_key(|e| e.start);
        rewrite::splice(text, &edits)
    }

    fn tagged(message: &str, rule: &str) -> KrmResult {
        let mut r = fatal_result(message.into());
        r.tags.insert("rule".into(), rule.into());
        r
    }

    #[test]
    fn earlier_own_results_are_replaced_and_others_kept() {
        let text = format!("{HEAD}results:\n- message: old\n  tags: {{rule: replicas}}\n- message: theirs # kept\n  severity: info\n- message: old too\n  tags:\n    rule: skipped\n");
        let out = replaced(&text, &[tagged("new", "replicas")]);
        assert_eq!(out, format!("{HEAD}results:\n- message: theirs # kept\n  severity: info\n- message: new\n  severity: error\n  tags:\n    rule: replicas\n"));
        // Only ours before, none now: the entry goes.
        let only = format!("{HEAD}results:\n  - message: old\n    tags: {{rule: replicas}}\n");
        assert_eq!(replaced(&only, &[]), HEAD);
    }

    #[test]
    fn earlier_own_results_in_a_flow_list() {
        let text = format!("{HEAD}results: [{{message: a, tags: {{rule: daemonset}}}}, {{message: b}}, {{message: c, tags: {{rule: replicas}}}}]\n");
        let out = replaced(&text, &[tagged("new", "replicas")]);
        assert!(out.ends_with("results: [{message: b}, {\"message\": \"new\", \"severity\": \"error\", \"tags\": {\"rule\": \"replicas\"}}]\n"), "{out}");
        let all = format!("{HEAD}results: [{{message: a, tags: {{rule: daemonset}}}}]\n");
        assert!(replaced(&all, &[tagged("new", "replicas")]).ends_with(
            "results: [{\"message\": \"new\", \"severity\": \"error\", \"tags\": {\"rule\": \"replicas\"}}]\n"
        ));
    }

    #[test]
    fn results_that_are_not_a_list_are_an_error() {
        let text = format!("{HEAD}results: {{a: b}}\n");
        let bundle = read::read(&text, Limits::default()).expect("valid");
        assert!(results_edit(&text, &bundle, &[fatal_result("x".into())], None).is_err());
    }
}
