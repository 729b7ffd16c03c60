//! The text report, for people (`check`'s and `fix`'s default): one line per finding,
//! `PATH:LINE:COLUMN: SEVERITY [RULE] MESSAGE`, then one summary line.
//!
//! - PATH is the file as given (or as a stream's annotations name it), `<stdin>` for standard
//!   input; LINE and COLUMN are the finding's field, else its object (left out when unknown).
//! - MESSAGE is the finding's headline: its message up to the end of the first clause (the
//!   full text is in the structured formats, the rule's explanation in `rwo-guard explain`).
//! - Warnings and errors are listed; info findings, suppressed findings and skipped files only
//!   with `-v`. Severities are coloured on a terminal (`NO_COLOR` honoured, `--color`).
//! - Control characters from the input are shown escaped, never written raw.

use std::fmt::Write as _;

use crate::error::STDIN;
use crate::findings::{Diagnostic, Severity};
use crate::location::Location;

use super::Report;

/// The report's text.
pub(super) fn render(report: &Report<'_>) -> String {
    let style = report.style;
    let mut out = String::new();
    if style.verbose {
        for s in report.skipped {
            let _ = writeln!(out, "{}: {} {}", escape(s.name), paint("skipped", "2", style.colors), escape(&s.why));
        }
    }
    // By file (in the order read), then line and column, as a linter lists them.
    let mut files: Vec<Option<&str>> = Vec::new();
    let mut shown: Vec<&Diagnostic> =
        report.diagnostics.iter().filter(|d| d.severity() != Severity::Info || style.verbose).collect();
    for d in &shown {
        if !files.contains(&d.location.file.as_deref()) {
            files.push(d.location.file.as_deref());
        }
    }
    shown.sort_by_key(|d| {
        let file = files.iter().position(|f| *f == d.location.file.as_deref());
        (file, d.location.point().map(|p| (p.line, p.col)))
    });
    for d in shown {
        let _ = writeln!(
            out,
            "{}: {} [{}] {}",
            place(&d.location),
            severity(d.severity(), style.colors),
            d.rule().name,
            escape(&headline(d.message()))
        );
    }
    if style.verbose {
        for s in report.suppressed {
            let d = &s.diagnostic;
            let _ = writeln!(
                out,
                "{}: {} [{}] {} (suppressed: {})",
                place(&d.location),
                paint("suppressed", "2", style.colors),
                d.rule().name,
                escape(&headline(d.message())),
                escape(&s.reason)
            );
        }
    }
    if !style.quiet {
        out.push_str(&summary(report));
        out.push('\n');
    }
    out
}

/// The report of a run that stopped on an error (its one-line summary).
pub(super) fn fatal(message: &str) -> String {
    format!("rwo-guard: error: {}\n", escape(message))
}

/// `rwo-guard: 3 files, 12 objects, 4 workloads checked: 1 error, 2 warnings, 0 suppressed`
/// (`fix`: and the workloads fixed; info findings hidden: how to see them).
pub(crate) fn summary(report: &Report<'_>) -> String {
    let n = |s| report.diagnostics.iter().filter(|d: &&Diagnostic| d.severity() == s).count();
    let s = report.stats;
    let mut line = format!(
        "rwo-guard: {}, {}, {} checked: {}, {}, {} suppressed",
        plural(s.files, "file"),
        plural(s.objects, "object"),
        plural(s.workloads, "workload"),
        plural(n(Severity::Error), "error"),
        plural(n(Severity::Warning), "warning"),
        report.suppressed.len(),
    );
    if report.style.fix {
        let _ = write!(line, "; {} fixed", plural(report.fixed, "workload"));
    }
    let hidden = if report.style.verbose { 0 } else { n(Severity::Info) + report.skipped.len() };
    if hidden > 0 {
        let _ = write!(line, " ({hidden} more with -v)");
    }
    line
}

fn plural(n: usize, one: &str) -> String {
    format!("{n} {one}{}", if n == 1 { "" } else { "s" })
}

/// `path:line:col` (or `path` when the line is unknown); `<stdin>` when no file is known.
fn place(at: &Location) -> String {
    let file = escape(at.file.as_deref().unwrap_or(STDIN));
    match at.point() {
        Some(p) => format!("{file}:{}:{}", p.line, p.col),
        None => file,
    }
}

fn severity(s: Severity, colors: bool) -> String {
    let code = match s {
        Severity::Error => "1;31",
        Severity::Warning => "33",
        Severity::Info => "36",
    };
    paint(s.name(), code, colors)
}

fn paint(word: &str, code: &str, colors: bool) -> String {
    if colors {
        format!("\u{1b}[{code}m{word}\u{1b}[0m")
    } else {
        word.to_string()
    }
}

/// A message up to the end of its first clause: the first `. `, `; `, `, with `, `, so ` or
/// `, but ` outside brackets (`{type: Recreate}. It mounts…` ends before ` It`), the whole
/// message when there is none. A clause still longer than [`HEADLINE`] characters loses its
/// parenthesized asides (`claim data is not in the bundle (a PersistentVolumeClaim data exists
/// in namespace prod, …)`): the full message is in the structured formats.
pub(crate) fn headline(message: &str) -> std::borrow::Cow<'_, str> {
    let clause = first_clause(message);
    if clause.chars().count() <= HEADLINE {
        return clause.into();
    }
    let mut out = String::with_capacity(clause.len());
    let mut depth = 0usize;
    for c in clause.chars() {
        match c {
            '(' => {
                if depth == 0 {
                    out.truncate(out.trim_end().len());
                }
                depth += 1;
            }
            ')' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    let mut out = out.split(' ').filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ");
    while out.ends_with([',', ' ']) {
        out.pop();
    }
    out.into()
}

/// How many characters a headline's clause may have before its asides are left out.
const HEADLINE: usize = 100;

fn first_clause(message: &str) -> &str {
    const JOINS: [&[u8]; 3] = [b", with ", b", so ", b", but "];
    let b = message.as_bytes();
    let mut depth = 0i32;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth -= 1,
            b'.' | b';' if depth <= 0 && b.get(i + 1) == Some(&b' ') => return &message[..i],
            b',' if depth <= 0 && JOINS.iter().any(|j| b[i..].starts_with(j)) => return &message[..i],
            _ => {}
        }
    }
    message.strip_suffix('.').unwrap_or(message)
}

/// `s` with control characters shown as `\u{1b}` escapes (input text never reaches the
/// terminal raw).
pub(crate) fn escape(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_string();
    }
    s.chars().map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::report::testing::with;

    #[test]
    fn a_headline_is_the_first_clause_outside_brackets() {
        assert_eq!(
            headline("Deployment web: would add spec.strategy: {type: Recreate}. It mounts claim d"),
            "Deployment web: would add spec.strategy: {type: Recreate}"
        );
        assert_eq!(
            headline("PVC d: appears 2 times (a.yaml:1; b.yaml:3); applied together"),
            "PVC d: appears 2 times (a.yaml:1; b.yaml:3)"
        );
        assert_eq!(headline("one clause."), "one clause");
        assert_eq!(
            headline("remove spec.strategy.rollingUpdate (was {a: 1, b: 2}), with the edit above: x"),
            "remove spec.strategy.rollingUpdate (was {a: 1, b: 2})"
        );
        assert_eq!(headline("v1.2 stays whole"), "v1.2 stays whole");
    }

    #[test]
    fn lines_name_path_line_column_severity_and_rule() {
        let text = with(Some(Severity::Error), render);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "deploy/web.yaml:9:3: warning [replicas] Deployment web: 3 replicas share claim data");
        assert_eq!(
            lines[1],
            "../base/db.yaml: error [strategy-unsafe] Deployment db: would add spec.strategy: {type: Recreate}"
        );
        assert_eq!(lines[2], "<stdin>: error [strategy-unsafe] Deployment q: a message with 100% of \"quotes\", <tags> & a\\nsecond line");
        assert_eq!(
            lines[3],
            "rwo-guard: 2 files, 7 objects, 4 workloads checked: 2 errors, 1 warning, 0 suppressed (1 more with -v)"
        );
        assert_eq!(lines.len(), 4, "{text}");
    }

    #[test]
    fn golden_messages_have_short_headlines() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut long = Vec::new();
        let mut seen = 0;
        for dir in ["tests/golden", "tests/files"] {
            for case in std::fs::read_dir(root.join(dir)).expect("cases") {
                let Ok(text) = std::fs::read_to_string(case.expect("case").path().join(".expected/stderr")) else {
                    continue;
                };
                for line in text.lines() {
                    let Some((_, message)) =
                        [": error: ", ": warning: ", ": info: "].iter().find_map(|s| line.split_once(s))
                    else {
                        continue;
                    };
                    seen += 1;
                    let h = headline(message);
                    if h.chars().count() > HEADLINE + 20 {
                        long.push(h.into_owned());
                    }
                }
            }
        }
        // The common case fits; a rare finding (an unreadable field's path) may run longer.
        assert!(seen > 100, "{seen} messages read");
        assert!(
            long.len() * 50 <= seen,
            "{} of {seen} headlines over {} characters:\n{}",
            long.len(),
            HEADLINE + 20,
            long.join("\n")
        );
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(escape("a\u{1b}[31mb\tc"), "a\\u{1b}[31mb\\tc");
    }
}
