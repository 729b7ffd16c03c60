//! The YAML event source: the only module that talks to the parser crate (granit-parser).
//!
//! It turns the parser's events into [`Event`]s with exact byte spans into the input text, maps
//! parser errors to [`SyntaxError`] with a line and column, and enforces the nesting limit.
//! Nothing here builds a tree or expands an alias: callers walk the flat event stream with an
//! explicit stack, so memory and stack use stay bounded whatever the input.
//!
//! Why granit-parser: its spans are byte offsets, start and end, exact for every scalar style
//! (see DEVELOPERS.md for what was measured against yaml-rust2 and saphyr-parser).

use std::borrow::Cow;

use granit_parser::{Event as GEvent, Options, Parser, ScalarStyle as GStyle, StrInput};

/// A position in the input: byte offset, 1-based line, 0-based column in characters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pos {
    /// Byte offset into the input text.
    pub offset: usize,
    /// Line number, counting from 1.
    pub line: usize,
    /// Column, in characters, counting from 0.
    pub col: usize,
}

/// A byte range `[start, end)` of the input with the positions of both ends.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span {
    /// Where the event's text starts.
    pub start: Pos,
    /// Where it ends (exclusive).
    pub end: Pos,
}

/// How a scalar was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScalarStyle {
    /// `value`
    Plain,
    /// `'value'`
    SingleQuoted,
    /// `"value"`
    DoubleQuoted,
    /// `|` block
    Literal,
    /// `>` block
    Folded,
}

impl ScalarStyle {
    /// Plain scalars are the only ones whose type is resolved from their text (`0`, `null`…).
    pub fn is_plain(self) -> bool {
        self == ScalarStyle::Plain
    }
}

/// One parser event, reduced to what rwo-guard needs.
#[derive(Clone, Debug, PartialEq)]
pub enum Event<'a> {
    /// Start of a document (`explicit` when written with `---`).
    DocumentStart {
        /// The document began with a `---` marker.
        explicit: bool,
    },
    /// End of a document.
    DocumentEnd,
    /// Start of a mapping.
    MappingStart {
        /// Written as `{ … }`.
        flow: bool,
        /// The anchor it defines (`&a`), 0 when none.
        anchor: usize,
        /// Carries an explicit tag (`!!map`, `!foo`).
        tagged: bool,
    },
    /// End of a mapping.
    MappingEnd,
    /// Start of a sequence.
    SequenceStart {
        /// Written as `[ … ]`.
        flow: bool,
        /// The anchor it defines (`&a`), 0 when none.
        anchor: usize,
        /// Carries an explicit tag.
        tagged: bool,
    },
    /// End of a sequence.
    SequenceEnd,
    /// A scalar with its value after escape processing.
    Scalar {
        /// The scalar's value.
        value: Cow<'a, str>,
        /// How it was written.
        style: ScalarStyle,
        /// Anchor id (0 when none).
        anchor: usize,
        /// Carries an explicit tag.
        tagged: bool,
    },
    /// An alias (`*a`): never expanded.
    Alias {
        /// The anchor id it refers to.
        id: usize,
    },
    /// End of the stream.
    StreamEnd,
}

/// A YAML syntax error at a position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// Where the parser stopped.
    pub pos: Pos,
    /// What it expected or found.
    pub message: String,
}

/// Streams [`Event`]s with byte spans out of a text.
pub struct Events<'a> {
    parser: Parser<'a, StrInput<'a>>,
    done: bool,
    /// Where `text` starts in the whole input (a chunk read on its own thread).
    base: Pos,
    /// Open mappings and sequences, block and flow together, and the most allowed.
    depth: usize,
    max_depth: usize,
}

impl<'a> Events<'a> {
    /// Start reading `text`; `max_depth` bounds the nesting of mappings and sequences, block and
    /// flow counted together.
    pub fn new(text: &'a str, max_depth: usize) -> Self {
        Events::at(text, max_depth, Pos { offset: 0, line: 1, col: 0 })
    }

    /// Start reading `text`, a part of a larger input beginning at a line start `base`:
    /// positions are reported in the larger input's terms.
    pub fn at(text: &'a str, max_depth: usize, base: Pos) -> Self {
        // The parser's own limits (one for block, one for flow) only guard it; the combined
        // count below is the limit, reached first.
        let mut options = Options::default();
        options.block_nesting_limit = max_depth.saturating_add(1);
        options.flow_nesting_limit = max_depth.saturating_add(1);
        Events { parser: Parser::new_from_str_with_options(text, options), done: false, base, depth: 0, max_depth }
    }

    fn pos(&self, m: &granit_parser::Marker) -> Pos {
        Pos {
            offset: m.byte_offset().unwrap_or(0) + self.base.offset,
            line: m.line() + self.base.line - 1,
            col: m.col(),
        }
    }
}

fn style(s: GStyle) -> ScalarStyle {
    match s {
        GStyle::Plain => ScalarStyle::Plain,
        GStyle::SingleQuoted => ScalarStyle::SingleQuoted,
        GStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
        GStyle::Literal => ScalarStyle::Literal,
        GStyle::Folded => ScalarStyle::Folded,
    }
}

impl<'a> Iterator for Events<'a> {
    type Item = Result<(Event<'a>, Span), SyntaxError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return None;
            }
            let (event, span) = match self.parser.next_event()? {
                Ok(pair) => pair,
                Err(e) => {
                    self.done = true;
                    return Some(Err(SyntaxError { pos: self.pos(e.marker()), message: e.info() }));
                }
            };
            let span = Span { start: self.pos(&span.start), end: self.pos(&span.end) };
            match event {
                GEvent::MappingStart(..) | GEvent::SequenceStart(..) => {
                    self.depth += 1;
                    if self.depth > self.max_depth {
                        self.done = true;
                        return Some(Err(SyntaxError {
                            pos: span.start,
                            message: format!(
                                "nesting deeper than {} mappings and sequences (block and flow together)",
                                self.max_depth
                            ),
                        }));
                    }
                }
                GEvent::MappingEnd | GEvent::SequenceEnd => self.depth = self.depth.saturating_sub(1),
                _ => {}
            }
            let event = match event {
                GEvent::StreamStart | GEvent::Anchor(..) => continue,
                GEvent::StreamEnd => {
                    self.done = true;
                    Event::StreamEnd
                }
                GEvent::DocumentStart(explicit, _) => Event::DocumentStart { explicit },
                GEvent::DocumentEnd => Event::DocumentEnd,
                GEvent::Alias(id) => Event::Alias { id },
                GEvent::UnresolvedAlias(name) => {
                    self.done = true;
                    return Some(Err(SyntaxError {
                        pos: span.start,
                        message: format!("alias *{name} has no anchor before it"),
                    }));
                }
                GEvent::Scalar(value, s, anchor, tag) => {
                    Event::Scalar { value, style: style(s), anchor, tagged: tag.is_some() }
                }
                GEvent::SequenceStart(s, anchor, tag) => Event::SequenceStart {
                    flow: s == granit_parser::StructureStyle::Flow,
                    anchor,
                    tagged: tag.is_some(),
                },
                GEvent::SequenceEnd => Event::SequenceEnd,
                GEvent::MappingStart(s, anchor, tag) => Event::MappingStart {
                    flow: s == granit_parser::StructureStyle::Flow,
                    anchor,
                    tagged: tag.is_some(),
                },
                GEvent::MappingEnd => Event::MappingEnd,
                // Presentation-only events (comments, when a feature enables them).
                _ => continue,
            };
            return Some(Ok((event, span)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(text: &str) -> Vec<(Event<'_>, Span)> {
        Events::new(text, 64).collect::<Result<Vec<_>, _>>().expect("valid yaml")
    }

    fn scalar_spans(text: &str) -> Vec<(String, &str)> {
        events(text)
            .into_iter()
            .filter_map(|(e, s)| match e {
                Event::Scalar { value, .. } => Some((value.into_owned(), &text[s.start.offset..s.end.offset])),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn scalar_spans_are_exact_bytes() {
        let text = "a: \"é\" # c\nb: 'q' \nc: [1, \"2\" ]\nd: |\n  ééé\n  x\ne: plain words\n";
        let spans = scalar_spans(text);
        assert_eq!(spans[1], ("é".to_string(), "\"é\""));
        assert_eq!(spans[3], ("q".to_string(), "'q'"));
        assert_eq!(spans[6], ("2".to_string(), "\"2\""));
        assert_eq!(spans[10], ("plain words".to_string(), "plain words"));
    }

    #[test]
    fn flow_collection_end_spans_cover_the_bracket() {
        let text = "s: {type: Recreate}\n";
        let evs = events(text);
        let end = evs.iter().find(|(e, _)| *e == Event::MappingEnd).expect("mapping end");
        assert_eq!(&text[end.1.start.offset..end.1.end.offset], "}");
    }

    #[test]
    fn syntax_errors_carry_a_position() {
        let err =
            Events::new("a: [1, 2\nb: 3\n", 64).collect::<Result<Vec<_>, _>>().expect_err("unterminated flow sequence");
        assert!(err.pos.line >= 1);
        assert!(!err.message.is_empty());
    }

    #[test]
    fn nesting_limit_is_an_error_not_a_crash() {
        let deep = "[".repeat(10_000);
        let err = Events::new(&deep, 100).collect::<Result<Vec<_>, _>>().expect_err("too deep");
        assert!(err.message.to_lowercase().contains("nest") || err.message.contains("limit"));
    }

    #[test]
    fn block_and_flow_nesting_count_together() {
        let mut mixed: String = (0..6).map(|i| format!("{}a:\n", "  ".repeat(i))).collect();
        mixed.push_str(&format!("{}{}{}\n", "  ".repeat(6), "[".repeat(6), "]".repeat(6)));
        let err = Events::new(&mixed, 10).collect::<Result<Vec<_>, _>>().expect_err("12 levels > 10");
        assert!(err.message.contains("nesting deeper than 10"), "{}", err.message);
        assert!(Events::new("a: {b: [c]}\n", 3).collect::<Result<Vec<_>, _>>().is_ok());
        assert!(Events::new("a: {b: [c]}\n", 2).collect::<Result<Vec<_>, _>>().is_err());
    }

    #[test]
    fn aliases_are_reported_not_expanded() {
        let evs = events("a: &x {k: v}\nb: *x\n");
        assert!(evs.iter().any(|(e, _)| matches!(e, Event::Alias { .. })));
    }
}
