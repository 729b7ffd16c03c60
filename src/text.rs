//! Lines of the input text: where a line starts and ends, and which line ending a place uses.
//! Every module that places text by lines (the rewriter, the results appender, the verifier,
//! error carets, the parallel splitter) asks here, so "a line" means one thing everywhere, and
//! what YAML means: a line ends at `\n`, at `\r\n`, or at a `\r` alone (old Mac files).

/// Whether `text[i]` ends a line: a `\n`, or a `\r` not followed by `\n` (the `\r` of a
/// `\r\n` belongs to it, and the `\n` ends the line).
fn ends_line(text: &[u8], i: usize) -> bool {
    match text[i] {
        b'\n' => true,
        b'\r' => text.get(i + 1) != Some(&b'\n'),
        _ => false,
    }
}

/// The offset of the first byte of the line holding `offset`.
pub(crate) fn line_start(text: &[u8], offset: usize) -> usize {
    (0..offset).rev().find(|&i| ends_line(text, i)).map_or(0, |i| i + 1)
}

/// The offset just past the line break ending the line that holds `offset` (the text's length
/// on the last line).
pub(crate) fn next_line(text: &[u8], offset: usize) -> usize {
    (offset..text.len()).find(|&i| ends_line(text, i)).map_or(text.len(), |i| i + 1)
}

/// The offset where the content of the line holding `offset` ends: its line break (a
/// `\r\n`'s `\n`), or the text's length on the last line.
pub(crate) fn line_end(text: &[u8], offset: usize) -> usize {
    (offset..text.len()).find(|&i| ends_line(text, i)).unwrap_or(text.len())
}

/// The indentation of a block mapping key starting at `offset`: its line's leading spaces, when
/// nothing but the key's own properties (`!tag`, `&anchor`) stands between them and the key.
/// `None` when something else does (`- `, `? `, `--- `, another node): the key does not start
/// its line, and a line written beside it would not be its sibling.
pub(crate) fn key_indent(text: &[u8], offset: usize) -> Option<usize> {
    let lead = &text[line_start(text, offset)..offset];
    let indent = lead.iter().take_while(|&&b| b == b' ').count();
    lead[indent..]
        .split(|&b| b == b' ' || b == b'\t')
        .filter(|t| !t.is_empty())
        .all(|t| t[0] == b'!' || t[0] == b'&')
        .then_some(indent)
}

/// The column a block key's siblings are indented to: [`key_indent`], or the key's own column
/// `col` when it does not start its line (a compact `- key:` item).
pub(crate) fn key_col(text: &[u8], offset: usize, col: usize) -> usize {
    key_indent(text, offset).unwrap_or(col)
}

/// Where a new line can go after content ending at `end`: `end` itself when the content ended
/// with its line break, else the start of the next line.
pub(crate) fn after_line(text: &[u8], end: usize) -> usize {
    if end > 0 && ends_line(text, end - 1) {
        end
    } else {
        next_line(text, end)
    }
}

/// The 1-based line number of `offset`.
pub(crate) fn line_number(text: &[u8], offset: usize) -> usize {
    let before = &text[..offset];
    let newlines = before.iter().filter(|&&b| b == b'\n').count();
    // Lone `\r`s are rare: counted only when there is a `\r` at all.
    let lone_crs = if before.contains(&b'\r') {
        (0..offset).filter(|&i| text[i] == b'\r' && ends_line(text, i)).count()
    } else {
        0
    };
    1 + newlines + lone_crs
}

/// Where the flow collection entry whose node starts at `node` begins, its properties
/// (`!!str`, `&a`) included, and the `,` before it if there is one: the first byte from `from`
/// (just past `{`, or past the previous entry's content) that is not a blank, a comment or the
/// `,` between entries. Scanning forward from the previous entry, not back from the node,
/// reads a verbatim tag (`!<tag:yaml.org,2002:str>`) whole.
pub(crate) fn flow_entry(text: &[u8], from: usize, node: usize) -> (usize, Option<usize>) {
    let (mut i, mut comma) = (from, None);
    while i < node {
        match text[i] {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'#' => i = line_end(text, i),
            b',' if comma.is_none() => {
                comma = Some(i);
                i += 1;
            }
            _ => break,
        }
    }
    (i.min(node), comma)
}

/// The `:` at `end`, after blanks (spaces, tabs), if there is one there.
pub(crate) fn colon_after(text: &[u8], end: usize) -> Option<usize> {
    let i = end + text[end..].iter().take_while(|&&b| b == b' ' || b == b'\t').count();
    (text.get(i) == Some(&b':')).then_some(i)
}

/// `end`, or just past a `:` there ([`colon_after`]): the parser places an empty value at the
/// end of its key, before the colon, so content ending in `key:` really ends after it.
pub(crate) fn past_colon(text: &[u8], end: usize) -> usize {
    colon_after(text, end).map_or(end, |colon| colon + 1)
}

/// The line ending written near `offset`: that of the next line break, or else the previous
/// one; `\n` when there is none. CRLF input gets CRLF lines, a `\r`-only input `\r`.
pub(crate) fn newline_near(text: &[u8], offset: usize) -> &'static str {
    let at = offset.min(text.len());
    let nl = (at..text.len()).find(|&i| ends_line(text, i)).or_else(|| (0..at).rev().find(|&i| ends_line(text, i)));
    match nl {
        Some(i) if text[i] == b'\r' => "\r",
        Some(i) if i > 0 && text[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        let t = b"ab\ncd\r\nef";
        assert_eq!((line_start(t, 4), next_line(t, 4), line_end(t, 4)), (3, 7, 6));
        assert_eq!((line_start(t, 8), next_line(t, 8), line_end(t, 8)), (7, 9, 9));
        assert_eq!((after_line(t, 3), after_line(t, 4)), (3, 7));
        assert_eq!((line_number(t, 0), line_number(t, 8)), (1, 3));
    }

    #[test]
    fn flow_entries_start_at_their_properties() {
        let t = b"{a: 1, # c\n !<tag:yaml.org,2002:str> &k b: 2}";
        let key = t.iter().position(|&b| b == b'b').unwrap();
        assert_eq!(flow_entry(t, 5, key), (12, Some(5)));
        assert_eq!(flow_entry(b"{ !!str a: 1}", 1, 8), (2, None));
        assert_eq!((past_colon(b"a: {b:, c: 1}", 5), past_colon(b"a: {b: 1}", 8)), (6, 8));
    }

    #[test]
    fn newline_style_follows_the_nearest_break() {
        assert_eq!(newline_near(b"a\r\nb\n", 0), "\r\n");
        assert_eq!(newline_near(b"a\r\nb\n", 4), "\n");
        assert_eq!(newline_near(b"a\r\nb", 4), "\r\n");
        assert_eq!(newline_near(b"ab", 1), "\n");
        assert_eq!(newline_near(b"a\rb\r", 1), "\r");
    }

    #[test]
    fn a_lone_cr_ends_a_line() {
        let t = b"a\rbc\r\nd";
        assert_eq!((line_start(t, 3), next_line(t, 3), line_end(t, 3)), (2, 6, 5));
        assert_eq!(line_number(t, 7), 3);
        assert_eq!(after_line(t, 2), 2);
    }

    #[test]
    fn a_key_is_indented_by_its_line_properties_included() {
        let at = |t: &str, key: &str| key_indent(t.as_bytes(), t.find(key).expect("key"));
        assert_eq!(at("a:\n  replicas: 1", "replicas"), Some(2));
        assert_eq!(at("a:\n  !!str replicas: 1", "replicas"), Some(2));
        assert_eq!(at("a:\n  &x !t\treplicas: 1", "replicas"), Some(2));
        assert_eq!(at("!!map apiVersion: v1", "apiVersion"), Some(0));
        assert_eq!(at("- apiVersion: v1", "apiVersion"), None);
        assert_eq!(at("  ? replicas\n", "replicas"), None);
        assert_eq!(at("--- !!map apiVersion: v1", "apiVersion"), None);
    }
}
