//! Reading a large input on all cores: cut it where a part reads the same alone as in place (a
//! stream at document markers, a ResourceList between items of its top-level `items`), read
//! the parts on threads, and join what they gathered. Any doubt (no safe cut, a part that does
//! not read alone, parts that do not fit together) gives `None`: the caller reads the input
//! in one piece, so results and errors are always those of a single pass.

use crate::error::Fatal;
use crate::framing;
use crate::kinds::RESOURCE_LIST;
use crate::model::{KeyName, Object};
use crate::text;
use crate::yaml::{Events, Pos};

use super::walker::{Part, Walked, Walker};
use super::{Bundle, DocKind, Document, Limits};

/// One part of a split input.
#[derive(Clone, Debug)]
pub(super) struct Chunk {
    /// Byte range in the input; always starts at a line start.
    start: usize,
    end: usize,
    /// Later part of a ResourceList's items (read after an `items:` line of its own).
    continuation: bool,
}

/// The line read before a continuation part's own text.
const ITEMS_PREFIX: &str = "items:\n";

/// Reads `text` in `workers` parts on as many threads; `None` when it cannot be split safely.
pub(super) fn read_parallel(
    text: &str,
    workers: usize,
    limits: Limits,
    keep: &(dyn Fn(&Object) -> bool + Sync),
) -> Option<Bundle> {
    let chunks = split(text, workers)?;
    let parts: Vec<Result<(Walked, bool), Fatal>> = std::thread::scope(|scope| {
        let handles: Vec<_> = chunks.iter().map(|c| scope.spawn(move || read_chunk(text, c, limits, keep))).collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(Fatal::Internal("a reader thread failed".into()))))
            .collect()
    });
    let parts: Vec<(Walked, bool)> = parts.into_iter().collect::<Result<_, _>>().ok()?;
    merge(parts, limits)
}

fn read_chunk(text: &str, c: &Chunk, limits: Limits, keep: &dyn Fn(&Object) -> bool) -> Result<(Walked, bool), Fatal> {
    let own = &text[c.start..c.end];
    let joined;
    let prefix = if c.continuation { ITEMS_PREFIX } else { "" };
    let (body, base_offset) = if prefix.is_empty() {
        (own, c.start)
    } else {
        joined = format!("{prefix}{own}");
        (joined.as_str(), c.start - prefix.len())
    };
    let line = text::line_number(text.as_bytes(), c.start) - prefix.matches('\n').count();
    let part = if c.continuation { Part::Continuation } else { Part::Whole };
    let walked = Walker::new(limits, keep, part).walk(Events::at(
        body,
        limits.max_depth,
        Pos { offset: base_offset, line, col: 0 },
    ))?;
    Ok((walked, c.continuation))
}

/// Joins what the walkers of a split input gathered, or `None` when the parts do not fit
/// together (the caller then reads the input in one piece).
fn merge(mut parts: Vec<(Walked, bool)>, limits: Limits) -> Option<Bundle> {
    let mut documents: Vec<Document> = Vec::new();
    // The first part's objects are the start of the list: no copy of them.
    let total = parts.iter().map(|(p, _)| p.objects.len()).sum::<usize>();
    let mut objects: Vec<Object> = std::mem::take(&mut parts.first_mut()?.0.objects);
    objects.reserve_exact(total - objects.len());
    let mut first_part = true;
    let mut items_before = 0;
    let mut joined = Walked::default();
    for (part, continuation) in parts {
        if continuation {
            // The rest of the ResourceList's items: same document, items numbered on.
            let first = documents.first_mut()?;
            if part.documents.len() != 1 || first.kind != DocKind::ResourceList {
                return None;
            }
            let doc = &part.documents[0];
            if let (Some(root), Some(more)) = (&mut first.root, &doc.root) {
                root.keys.extend(more.keys.iter().filter(|k| k.key != KeyName::Items).cloned());
                root.end = more.end;
            }
            first.fingerprint ^= doc.fingerprint.rotate_left(29);
            for mut o in part.objects {
                o.document = 1;
                o.item = o.item.map(|i| crate::model::small(i as usize + items_before));
                objects.push(o);
            }
        } else if first_part {
            documents.extend(part.documents);
        } else {
            let offset = documents.len();
            documents.extend(part.documents);
            objects.extend(part.objects.into_iter().map(|mut o| {
                o.document = crate::model::small(o.document as usize + offset);
                o
            }));
        }
        joined.resource_list |= part.resource_list;
        joined.function_config = joined.function_config.or(part.function_config);
        joined.results = joined.results.or(part.results);
        joined.namespaces.extend(part.namespaces);
        items_before += part.first_items;
        first_part = false;
    }
    if joined.resource_list && documents.len() != 1 {
        return None;
    }
    if documents.len() + objects.len() > limits.max_documents {
        return None;
    }
    joined.documents = documents;
    joined.objects = objects;
    Some(Bundle::from(joined))
}

/// Cuts a large input into parts that read the same alone as in place: a stream at document
/// markers (`---` at a line start), a ResourceList between items of its top-level `items`.
/// `None` when no safe cut is found.
pub(super) fn split(text: &str, parts: usize) -> Option<Vec<Chunk>> {
    let bytes = text.as_bytes();
    let size = text.len() / parts;
    let items_dash = match framing::detect(text) {
        Some(f) if f.kind == RESOURCE_LIST => {
            // Cut between items only where kustomize and kpt write them: a block `items:` at
            // the root, its dashes all in one column.
            let at = f.items_line?;
            let first_item = text[at..].lines().find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))?;
            let col = first_item.len() - first_item.trim_start_matches(' ').len();
            if !first_item[col..].starts_with("- ") && first_item[col..].trim_end() != "-" {
                return None;
            }
            Some(col)
        }
        _ => None,
    };
    let mut chunks = Vec::new();
    let mut start = 0;
    for i in 1..parts {
        let from = (i * size).max(start + 1);
        let cut = match items_dash {
            None => find_line(bytes, from, |line| {
                line.starts_with(b"---") && line.get(3).is_none_or(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\n'))
            }),
            Some(col) => find_line(bytes, from, |line| {
                line.len() > col + 1
                    && line[..col].iter().all(|&b| b == b' ')
                    && line[col] == b'-'
                    && matches!(line[col + 1], b' ' | b'\r' | b'\n')
            }),
        };
        let Some(cut) = cut else { break };
        chunks.push(Chunk { start, end: cut, continuation: start > 0 && items_dash.is_some() });
        start = cut;
    }
    if chunks.is_empty() {
        return None;
    }
    chunks.push(Chunk { start, end: text.len(), continuation: items_dash.is_some() });
    Some(chunks)
}

/// The start of the first line at or after `from` for which `ok` holds.
fn find_line(bytes: &[u8], from: usize, ok: impl Fn(&[u8]) -> bool) -> Option<usize> {
    let mut at = bytes[from..].iter().position(|&b| b == b'\n')? + from + 1;
    while at < bytes.len() {
        let end = text::next_line(bytes, at);
        if ok(&bytes[at..end]) {
            return Some(at);
        }
        at = end;
    }
    None
}
