//! Lines of the input text: where a line starts and ends, and which line ending a place uses.
//! Every module that places text by lines (the rewriter, the results appender, the verifier,
//! error carets, the parallel splitter) asks here, so "a line" means one thing everywhere:
//! bytes up to and including `\n` (a `\r` before it belongs to the line's ending).

/// The offset of the first byte of the line holding `offset`.
pub(crate) fn line_start(text: &[u8], offset: usize) -> usize {
    text[..offset].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1)
}

/// The offset just past the `\n` ending the line that holds `offset` (the text's length on the
/// last line).
pub(crate) fn next_line(text: &[u8], offset: usize) -> usize {
    text[offset..].iter().position(|&b| b == b'\n').map_or(text.len(), |i| offset + i + 1)
}

/// The offset of the `\n` ending the line that holds `offset` (the text's length on the last
/// line): the line's content ends here.
pub(crate) fn line_end(text: &[u8], offset: usize) -> usize {
    text[offset..].iter().position(|&b| b == b'\n').map_or(text.len(), |i| offset + i)
}

/// Where a new line can go after content ending at `end`: `end` itself when the content ended
/// with its line break, else the start of the next line.
pub(crate) fn after_line(text: &[u8], end: usize) -> usize {
    if end > 0 && text.get(end - 1) == Some(&b'\n') {
        end
    } else {
        next_line(text, end)
    }
}

/// The 1-based line number of `offset`.
pub(crate) fn line_number(text: &[u8], offset: usize) -> usize {
    1 + text[..offset].iter().filter(|&&b| b == b'\n').count()
}

/// The line ending written near `offset`: that of the next line break, or else the previous
/// one; `\n` when there is none. CRLF input gets CRLF lines.
pub(crate) fn newline_near(text: &[u8], offset: usize) -> &'static str {
    let at = offset.min(text.len());
    let nl = text[at..]
        .iter()
        .position(|&b| b == b'\n')
        .map(|i| at + i)
        .or_else(|| text[..at].iter().rposition(|&b| b == b'\n'));
    match nl {
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
    fn newline_style_follows_the_nearest_break() {
        assert_eq!(newline_near(b"a\r\nb\n", 0), "\r\n");
        assert_eq!(newline_near(b"a\r\nb\n", 4), "\n");
        assert_eq!(newline_near(b"a\r\nb", 4), "\r\n");
        assert_eq!(newline_near(b"ab", 1), "\n");
    }
}
