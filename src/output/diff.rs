//! `--diff`: the edits as a unified diff of the input, for code review.
//!
//! The edits are known exactly, so no diff algorithm is needed: each group of nearby edits
//! becomes one hunk with three lines of context.

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
        let cs = starts[line_of(e.start)];
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
        let old_lines: Vec<&str> = split_lines(&text[changed_start..changed_end]);
        let new_lines: Vec<&str> = split_lines(&new_text);
        let before: Vec<&str> = split_lines(&text[starts[from]..changed_start]);
        let after: Vec<&str> = split_lines(&text[changed_end..starts[to].max(changed_end)]);
        let old_count = before.len() + old_lines.len() + after.len();
        let new_count = before.len() + new_lines.len() + after.len();
        let old_start = from + 1;
        let new_start = (from + 1 + added).saturating_sub(removed);
        let _ = writeln!(out, "{cyan}@@ -{old_start},{old_count} +{new_start},{new_count} @@{reset}");
        for l in &before {
            let _ = writeln!(out, " {l}");
        }
        for l in &old_lines {
            let _ = writeln!(out, "{red}-{l}{reset}");
        }
        for l in &new_lines {
            let _ = writeln!(out, "{green}+{l}{reset}");
        }
        for l in &after {
            let _ = writeln!(out, " {l}");
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

fn split_lines(s: &str) -> Vec<&str> {
    s.split_inclusive('\n').map(|l| l.trim_end_matches('\n').trim_end_matches('\r')).collect()
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
    }

    #[test]
    fn no_edits_no_diff() {
        assert_eq!(unified("a\n", &[], "a", "b"), "");
    }
}
