//! `--diff`: the edits as a unified diff of the input, for code review and for `patch -p1` or
//! `git apply`, which give back exactly the output.
//!
//! The edits are known exactly, so no diff algorithm is needed: each group of nearby edits
//! becomes one hunk with three lines of context. Lines are patch's lines (split at `\n`, a
//! `\r` kept in the line), and a last line without a line break gets patch's
//! `\ No newline at end of file`.

use std::fmt::Write as _;

use crate::rewrite::Edit;

const CONTEXT: usize = 3;

/// ANSI colours for a terminal, or none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Colors {
    /// Colour `-`/`+` lines and hunk headers.
    pub enabled: bool,
}

/// A unified diff of `text` against `text` with `edits` (sorted, non-overlapping) applied.
#[cfg(test)]
pub fn unified(text: &str, edits: &[Edit], old_name: &str, new_name: &str) -> String {
    unified_colored(text, edits, old_name, new_name, Colors { enabled: false })
}

/// As [`unified`], with colours when `colors.enabled`.
pub fn unified_colored(text: &str, edits: &[Edit], old_name: &str, new_name: &str, colors: Colors) -> String {
    if edits.is_empty() {
        return String::new();
    }
    let starts = line_starts(text);
    let lines = starts.len() - 1;
    let line_of = |offset: usize| starts.partition_point(|&s| s <= offset) - 1;
    // Each edit touches whole lines [cs, ce) (an insertion at a line start touches none);
    // edits within 2*CONTEXT lines of each other share a hunk.
    let mut groups: Vec<(usize, usize, Vec<&Edit>)> = Vec::new();
    for e in edits {
        // An edit at the very end of a text without a final line break changes its last line
        // (the line gains a break): that line is in the change, not in the context.
        let at_open_end = e.start == text.len() && !text.is_empty() && !text.ends_with('\n');
        let cs = starts[line_of(if at_open_end { e.start - 1 } else { e.start })];
        let ce =
            if starts.binary_search(&e.end).is_ok() { e.end.max(cs) } else { starts[(line_of(e.end) + 1).min(lines)] };
        match groups.last_mut() {
            Some((_, end, es)) if line_of(cs) <= line_of(*end) + 2 * CONTEXT => {
                *end = (*end).max(ce);
                es.push(e);
            }
            _ => groups.push((cs, ce, vec![e])),
        }
    }
    let (red, green, cyan, bold, reset) =
        if colors.enabled { ("\x1b[31m", "\x1b[32m", "\x1b[36m", "\x1b[1m", "\x1b[0m") } else { ("", "", "", "", "") };
    let mut out = format!("{bold}--- {old_name}{reset}\n{bold}+++ {new_name}{reset}\n");
    let (mut added, mut removed) = (0usize, 0usize);
    for (changed_start, changed_end, es) in groups {
        let from = line_of(changed_start).saturating_sub(CONTEXT);
        let to = (line_of(changed_end) + CONTEXT).min(lines);
        let mut new_text = String::new();
        let mut at = changed_start;
        for e in &es {
            new_text.push_str(&text[at..e.start]);
            new_text.push_str(&e.with);
            at = e.end;
        }
        new_text.push_str(&text[at..changed_end.max(at)]);
        let old_lines = split_lines(&text[changed_start..changed_end]);
        let new_lines = split_lines(&new_text);
        let before = split_lines(&text[starts[from]..changed_start]);
        let after = split_lines(&text[changed_end..starts[to].max(changed_end)]);
        let old_count = before.len() + old_lines.len() + after.len();
        let new_count = before.len() + new_lines.len() + after.len();
        // An empty range starts at the line before it (`@@ -0,0 +1,3 @@` creates a file).
        let old_start = if old_count == 0 { from } else { from + 1 };
        let new_start = (from + usize::from(new_count > 0) + added).saturating_sub(removed);
        let _ = writeln!(out, "{cyan}@@ -{old_start},{old_count} +{new_start},{new_count} @@{reset}");
        let mut emit = |mark: &str, (line, ended): (&str, bool), color: &str| {
            let _ = writeln!(out, "{color}{mark}{line}{}", if color.is_empty() { "" } else { reset });
            if !ended {
                out.push_str(NO_NEWLINE);
            }
        };
        for &l in &before {
            emit(" ", l, "");
        }
        for &l in &old_lines {
            emit("-", l, red);
        }
        for &l in &new_lines {
            emit("+", l, green);
        }
        for &l in &after {
            emit(" ", l, "");
        }
        added += new_lines.len();
        removed += old_lines.len();
    }
    out
}

fn line_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i + 1));
    if *starts.last().unwrap_or(&0) != text.len() {
        starts.push(text.len());
    }
    starts
}

/// What diff and patch print after a last line that has no line break.
const NO_NEWLINE: &str = "\\ No newline at end of file\n";

/// The lines of `s` as patch sees them (split at `\n`; a `\r` before it is part of the line,
/// so CRLF files diff and patch as they are), each with whether it ended with `\n`.
fn split_lines(s: &str) -> Vec<(&str, bool)> {
    s.split_inclusive('\n').map(|l| l.strip_suffix('\n').map_or((l, false), |l| (l, true))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_hunk_with_context() {
        let text = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let edits = [Edit { start: 6, end: 8, with: "D\n".into() }];
        let d = unified(text, &edits, "a/x", "b/x");
        assert_eq!(d, "--- a/x\n+++ b/x\n@@ -1,7 +1,7 @@\n a\n b\n c\n-d\n+D\n e\n f\n g\n");
    }

    #[test]
    fn insertions_add_lines() {
        let text = "a\nb\n";
        let edits = [Edit { start: 2, end: 2, with: "x\ny\n".into() }];
        let d = unified(text, &edits, "a", "b");
        assert_eq!(d, "--- a\n+++ b\n@@ -1,2 +1,4 @@\n a\n+x\n+y\n b\n");
        // A new file: from nothing, as patch(1) and git apply read it.
        let d = unified("", &[Edit { start: 0, end: 0, with: "x\ny\n".into() }], "/dev/null", "b/n");
        assert_eq!(d, "--- /dev/null\n+++ b/n\n@@ -0,0 +1,2 @@\n+x\n+y\n");
    }

    #[test]
    fn no_edits_no_diff() {
        assert_eq!(unified("a\n", &[], "a", "b"), "");
    }
}
