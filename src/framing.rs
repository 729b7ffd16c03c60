//! What frames the input, told from its first document's root keys alone: a KRM ResourceList,
//! a `kind: List`, or neither (a plain stream). The reader decides the form for a successful
//! run from the whole walk; this early look serves where the walk is not (yet) available: the
//! parallel reader choosing where to cut, and a fatal error answered in the input's own form
//! (a ResourceList with an error result, in block YAML or in JSON like the input).
//!
//! It reads events only until it knows (`apiVersion`, `kind`, where `items` is), skipping the
//! root's values without keeping them, and stops at the first syntax error with what it has.

use crate::kinds::{Framing, LIST, RESOURCE_LIST};
use crate::text;
use crate::yaml::{Event, Events, ScalarStyle};

/// The framing of an input, as its first document's root says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Framed {
    /// ResourceList or List.
    pub kind: Framing,
    /// The root mapping is written in flow style (`{…}`, JSON).
    pub flow: bool,
    /// Its keys are double-quoted: a JSON document.
    pub json: bool,
    /// For a block `items:` key at column 0 whose value is a block sequence: the offset of the
    /// line after the key, where the items start.
    pub items_line: Option<usize>,
}

/// The framing of `text`'s first document, when it is a ResourceList or a List.
pub(crate) fn detect(text: &str) -> Option<Framed> {
    let mut depth = 0usize;
    let (mut api_version, mut kind) = (None::<String>, None::<String>);
    let (mut flow, mut json, mut items_line) = (false, false, None);
    // At depth 1: the key whose value comes next (None: the next scalar is a key).
    let mut key: Option<String> = None;
    let mut items_seen = false;
    // Where the line after a root `items:` key at column 0 starts.
    let mut after_items_key = None;
    for event in Events::new(text, 256) {
        let Ok((event, span)) = event else { break };
        match event {
            Event::MappingStart { flow: f, .. } | Event::SequenceStart { flow: f, .. } => {
                if depth == 0 {
                    flow = f;
                } else if depth == 1 {
                    if key.as_deref() == Some("items") {
                        items_seen = true;
                        if !f && matches!(event, Event::SequenceStart { .. }) {
                            items_line = after_items_key;
                        }
                    }
                    key = None;
                }
                depth += 1;
            }
            Event::MappingEnd | Event::SequenceEnd => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    break;
                }
            }
            Event::Scalar { value, style, .. } if depth == 1 => match key.take() {
                None => {
                    json |= style == ScalarStyle::DoubleQuoted;
                    if value == "items" && !flow && text::key_indent(text.as_bytes(), span.start.offset) == Some(0) {
                        after_items_key = Some(text::next_line(text.as_bytes(), span.end.offset.min(text.len())));
                    }
                    key = Some(value.into_owned());
                }
                Some(k) => match k.as_str() {
                    "apiVersion" => api_version = Some(value.into_owned()),
                    "kind" => kind = Some(value.into_owned()),
                    _ => {}
                },
            },
            Event::Alias { .. } if depth == 1 && key.take().is_none() => key = Some(String::new()),
            Event::DocumentEnd => break,
            _ => {}
        }
        if api_version.is_some() && kind.is_some() && items_seen {
            break;
        }
    }
    let kind = [RESOURCE_LIST, LIST].into_iter().find(|f| f.is(api_version.as_deref(), kind.as_deref()))?;
    Some(Framed { kind, flow, json, items_line })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_flow_and_json_resource_lists() {
        let block = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- a: 1\n";
        let f = detect(block).expect("framed");
        assert_eq!(
            (f.kind, f.flow, f.json, f.items_line),
            (RESOURCE_LIST, false, false, Some(block.find("- a").unwrap_or(0)))
        );
        let json = r#"{"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": []}"#;
        let f = detect(json).expect("framed");
        assert_eq!((f.flow, f.json, f.items_line), (true, true, None));
        let flow = "{kind: ResourceList, apiVersion: config.kubernetes.io/v1alpha1, items: []}";
        assert!(detect(flow).is_some_and(|f| f.flow && !f.json));
    }

    #[test]
    fn kind_after_items_and_errors_after_it() {
        let late = "items:\n- {a: 1}\n- [b\napiVersion: v1\n";
        assert!(detect(late).is_none());
        let broken = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: [unclosed\n";
        assert_eq!(detect(broken).map(|f| f.kind), Some(RESOURCE_LIST));
        assert_eq!(detect("apiVersion: v1\nkind: List\nitems: []\n").map(|f| f.kind), Some(LIST));
        assert!(detect("apiVersion: v1\nkind: ConfigMap\n").is_none());
    }
}
