//! A fast, non-cryptographic hash of a stream of YAML events.
//!
//! The verifier compares the fingerprint of every document and object of the output with the
//! input's: anything the rewriter was not asked to change must hash the same. It guards against
//! bugs, not adversaries, so a fast multiply-rotate hash is enough.

use crate::yaml::{Event, ScalarStyle};

/// A running hash over events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fingerprint(u64);

impl Default for Fingerprint {
    fn default() -> Self {
        Fingerprint(0x9e37_79b9_7f4a_7c15)
    }
}

const K: u64 = 0x517c_c1b7_2722_0a95;

impl Fingerprint {
    #[inline]
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
    }

    #[inline]
    fn bytes(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.mix(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        self.mix(u64::from_le_bytes(w) ^ ((bytes.len() as u64) << 56));
    }

    /// Adds one event (its kind, style, decorations and value).
    #[inline]
    pub fn add(&mut self, event: &Event<'_>) {
        match event {
            Event::DocumentStart { explicit } => self.mix(1 + u64::from(*explicit)),
            Event::DocumentEnd => self.mix(3),
            Event::MappingStart { flow, anchor, tagged } => {
                self.mix(4 | u64::from(*flow) << 8 | u64::from(*anchor != 0) << 9 | u64::from(*tagged) << 10);
            }
            Event::MappingEnd => self.mix(5),
            Event::SequenceStart { flow, anchor, tagged } => {
                self.mix(6 | u64::from(*flow) << 8 | u64::from(*anchor != 0) << 9 | u64::from(*tagged) << 10);
            }
            Event::SequenceEnd => self.mix(7),
            Event::Scalar { value, style, anchor, tagged } => {
                let s = match style {
                    ScalarStyle::Plain => 0,
                    ScalarStyle::SingleQuoted => 1,
                    ScalarStyle::DoubleQuoted => 2,
                    ScalarStyle::Literal => 3,
                    ScalarStyle::Folded => 4,
                };
                self.mix(8 | s << 8 | u64::from(*anchor != 0) << 12 | u64::from(*tagged) << 13);
                self.bytes(value.as_bytes());
            }
            // Callers hash an alias by a stable name for its anchor (see the reader), not by the
            // parser's number, which counts from the start of the whole input.
            Event::Alias { id } => self.mix(9 | (*id as u64) << 8),
            Event::StreamEnd => self.mix(10),
        }
    }

    /// The hash so far.
    pub fn value(self) -> u64 {
        self.0
    }
}

/// The hash of a few texts (each one delimited by its length), for keys that must not change
/// from run to run while the texts do not: SARIF's partial fingerprints.
pub(crate) fn of_texts(parts: &[&str]) -> u64 {
    let mut f = Fingerprint::default();
    for p in parts {
        f.bytes(p.as_bytes());
    }
    f.value()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn scalar(v: &str, style: ScalarStyle) -> Event<'_> {
        Event::Scalar { value: Cow::Borrowed(v), style, anchor: 0, tagged: false }
    }

    #[test]
    fn distinguishes_value_style_and_order() {
        let mut a = Fingerprint::default();
        a.add(&scalar("0", ScalarStyle::Plain));
        let mut b = Fingerprint::default();
        b.add(&scalar("0", ScalarStyle::DoubleQuoted));
        assert_ne!(a, b);
        let mut c = Fingerprint::default();
        c.add(&scalar("ab", ScalarStyle::Plain));
        c.add(&scalar("c", ScalarStyle::Plain));
        let mut d = Fingerprint::default();
        d.add(&scalar("a", ScalarStyle::Plain));
        d.add(&scalar("bc", ScalarStyle::Plain));
        assert_ne!(c, d);
    }

    #[test]
    fn texts_hash_the_same_every_run_and_keep_their_borders() {
        assert_eq!(of_texts(&["replicas", "apps/v1/Deployment//web"]), 0x1ff9_278b_ff8b_794d);
        assert_ne!(of_texts(&["ab", "c"]), of_texts(&["a", "bc"]));
    }
}
