//! Fatal errors, how they are shown, and the exit codes they map to.
//!
//! Findings about workloads are not errors: they are results (see `results.rs`). This module is
//! for what stops the run: bad usage or config, unreadable input, a broken limit, or an internal
//! inconsistency caught before anything is written.

use std::borrow::Cow;
use std::fmt::{self, Write as _};

/// The name standard input goes by in messages.
pub const STDIN: &str = "<stdin>";

/// Exit codes. Their meanings are [`EXIT_CODES`], the one text `--help` and the README show.
pub mod exit {
    /// Success: no finding at or above the `failOn` severity.
    pub const OK: i32 = 0;
    /// Findings at or above the `failOn` severity (e.g. `mode: check` found a workload to fix).
    pub const FINDINGS: i32 = 1;
    /// Bad command line or bad configuration: nothing was read or changed.
    pub const USAGE: i32 = 2;
    /// The input could not be read: invalid YAML, not UTF-8, a limit exceeded.
    pub const INPUT: i32 = 3;
    /// Internal error: the output failed its own verification and was not written.
    pub const INTERNAL: i32 = 4;
    /// The output could not be written (standard output, the `--results` file, or a file of
    /// `--in-place`: then none was changed).
    pub const OUTPUT: i32 = 5;
    /// Base of the exit code after a signal during `--in-place` (128 + the signal's number).
    pub const SIGNALLED: i32 = 128;
    /// SIGHUP (1) during `--in-place`.
    pub const SIGHUP: i32 = SIGNALLED + 1;
    /// SIGINT (2) during `--in-place`.
    pub const SIGINT: i32 = SIGNALLED + 2;
    /// SIGTERM (15) during `--in-place`.
    pub const SIGTERM: i32 = SIGNALLED + 15;
}

/// An exit code and what it means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExitCode {
    /// The process exit code.
    pub code: i32,
    /// What it means, one line (shown by `--help` and in the README's table).
    pub meaning: &'static str,
}

/// Every exit code rwo-guard uses, in order. `--help` is generated from this table and a test
/// holds the README's table to it.
pub const EXIT_CODES: &[ExitCode] = &[
    ExitCode { code: exit::OK, meaning: "success: no finding at or above failOn; the output is written" },
    ExitCode {
        code: exit::FINDINGS,
        meaning: "a finding at or above failOn (e.g. mode check found a workload to fix); the output is written",
    },
    ExitCode {
        code: exit::USAGE,
        meaning: "bad command line or configuration: every problem is named, nothing is changed",
    },
    ExitCode { code: exit::INPUT, meaning: "unreadable input: invalid YAML, not UTF-8, a limit exceeded" },
    ExitCode { code: exit::INTERNAL, meaning: "internal error: the output failed its verification" },
    ExitCode {
        code: exit::OUTPUT,
        meaning: "the output could not be written (standard output, the --results file, or a file of --in-place)",
    },
    ExitCode {
        code: exit::SIGHUP,
        meaning:
            "SIGHUP during --in-place: temporary files removed, each file wholly old or new, the files written named",
    },
    ExitCode { code: exit::SIGINT, meaning: "SIGINT during --in-place: as for SIGHUP" },
    ExitCode { code: exit::SIGTERM, meaning: "SIGTERM during --in-place: as for SIGHUP" },
];

/// The exit codes as `--help` shows them.
pub fn exit_codes_help() -> String {
    let mut out = String::from("Exit codes:");
    for e in EXIT_CODES {
        let _ = write!(out, "\n  {}  {}", e.code, e.meaning);
    }
    out
}

/// Where in the input a problem is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Place {
    /// Byte offset (for the caret line).
    pub offset: usize,
    /// 1-based line.
    pub line: usize,
    /// 0-based column in characters.
    pub col: usize,
    /// `document 3` or `items[2]`, when known.
    pub document: Option<String>,
    /// Field path such as `spec.strategy.type`, when known.
    pub field: Option<String>,
}

/// An error that stops the run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fatal {
    /// Bad command line.
    Usage(String),
    /// A command line that cannot be what was meant, and a tip saying what probably was (shown
    /// on a line of its own: `  tip: …`).
    Misuse {
        /// What is wrong.
        message: String,
        /// The command that was probably meant.
        tip: String,
    },
    /// Bad configuration: every problem found, each naming its field.
    Config {
        /// Where the configuration came from.
        origin: String,
        /// One line per problem.
        problems: Vec<String>,
    },
    /// The input cannot be processed.
    Input {
        /// What is wrong and what was expected.
        message: String,
        /// Where, when known.
        place: Option<Place>,
        /// How to get past it (e.g. which flag raises a limit).
        hint: Option<String>,
    },
    /// A bug: the output did not verify.
    Internal(String),
    /// The output (standard output, the results file) could not be written.
    Output(String),
    /// A signal (its number) stopped `--in-place`; the message says which files were written.
    Interrupted(i32, String),
}

impl Fatal {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Fatal::Usage(_) | Fatal::Misuse { .. } | Fatal::Config { .. } => exit::USAGE,
            Fatal::Input { .. } => exit::INPUT,
            Fatal::Internal(_) => exit::INTERNAL,
            Fatal::Output(_) => exit::OUTPUT,
            Fatal::Interrupted(signal, _) => exit::SIGNALLED + signal,
        }
    }

    /// An input error at a place.
    pub fn input_at(message: impl Into<String>, place: Place) -> Fatal {
        Fatal::Input { message: message.into(), place: Some(place), hint: None }
    }

    /// A one-line summary (for KRM results).
    pub fn summary(&self, source_name: &str) -> String {
        match self {
            Fatal::Usage(m) | Fatal::Internal(m) | Fatal::Output(m) | Fatal::Interrupted(_, m) => m.clone(),
            Fatal::Misuse { message, tip } => format!("{message} (tip: {tip})"),
            Fatal::Config { origin, problems } => {
                format!("invalid configuration in {origin}: {}", problems.join("; "))
            }
            Fatal::Input { message, place, hint } => {
                let mut s = String::new();
                if let Some(p) = place {
                    let _ = write!(s, "{source_name}:{}:{}: ", p.line, p.col + 1);
                    if let Some(d) = &p.document {
                        let _ = write!(s, "{d}: ");
                    }
                    if let Some(f) = &p.field {
                        let _ = write!(s, "{f}: ");
                    }
                }
                s.push_str(message);
                if let Some(h) = hint {
                    let _ = write!(s, " ({h})");
                }
                s
            }
        }
    }

    /// The full message for stderr: `file:line:col`, the offending line and a caret. Every name,
    /// message and line of input in it is [`shown`]: control characters escaped.
    pub fn render(&self, source_name: &str, text: &[u8]) -> String {
        let mut out = String::new();
        let source_name = shown(source_name);
        match self {
            Fatal::Usage(m) | Fatal::Output(m) | Fatal::Interrupted(_, m) => {
                let _ = writeln!(out, "rwo-guard: error: {}", shown(m));
            }
            Fatal::Misuse { message, tip } => {
                let _ = writeln!(out, "rwo-guard: error: {}\n  tip: {}", shown(message), shown(tip));
            }
            Fatal::Internal(m) => {
                let _ = writeln!(out, "rwo-guard: internal error: {}", shown(m));
                let _ = writeln!(out, "  nothing was written; please report this with the input that caused it");
            }
            Fatal::Config { origin, problems } => {
                let _ = writeln!(out, "rwo-guard: error: invalid configuration in {}:", shown(origin));
                for p in problems {
                    let _ = writeln!(out, "  - {}", shown(p));
                }
            }
            Fatal::Input { message, place, hint } => {
                let _ = writeln!(out, "rwo-guard: error: {}", shown(message));
                if let Some(p) = place {
                    let mut context = Vec::new();
                    if let Some(d) = &p.document {
                        context.push(shown(d).into_owned());
                    }
                    if let Some(f) = &p.field {
                        context.push(format!("field {}", shown(f)));
                    }
                    let context = if context.is_empty() { String::new() } else { format!(" ({})", context.join(", ")) };
                    let _ = writeln!(out, "  --> {source_name}:{}:{}{context}", p.line, p.col + 1);
                    out.push_str(&caret(text, p));
                }
                if let Some(h) = hint {
                    let _ = writeln!(out, "  = help: {}", shown(h));
                }
            }
        }
        out
    }
}

/// Whether `c` is a control character a terminal or a log would act on: C0 (a line break, a
/// tab, ESC), DEL, C1, and the Unicode line separators and bidirectional controls (which can
/// make a line read as another).
pub(crate) fn is_control(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `s` with every control character ([`is_control`]) written as an escape (`\n`, `\t`, `\r`,
/// `\x1b`, `\u{202e}`): what is shown of a name, a value or a line of an input, so that a name
/// holding a line break never starts a line of output and no ESC reaches a terminal.
pub(crate) fn shown(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push_shown(&mut out, c);
    }
    Cow::Owned(out)
}

/// A text of several lines as [`shown`] shows each: its line breaks kept, every other control
/// character escaped (clap's messages, which quote the command line).
pub(crate) fn shown_lines(s: &str) -> String {
    s.split('\n').map(shown).collect::<Vec<_>>().join("\n")
}

/// Pushes `c` as [`shown`] shows it.
fn push_shown(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x80 && is_control(c) => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c if is_control(c) => {
            let _ = write!(out, "\\u{{{:04x}}}", c as u32);
        }
        c => out.push(c),
    }
}

/// What stopped the run, with the input it is about: its name and bytes (for the caret line).
#[derive(Debug)]
pub struct Failure {
    /// The error.
    pub fatal: Box<Fatal>,
    /// The input's name and bytes, when the error is about one.
    pub source: Option<Box<(String, Vec<u8>)>>,
}

impl Failure {
    /// A failure about no place in any input.
    pub(crate) fn new(fatal: Fatal) -> Failure {
        Failure { fatal: Box::new(fatal), source: None }
    }

    /// A failure in the input `name` whose bytes are `text`.
    pub(crate) fn in_input(fatal: Fatal, name: &str, text: Vec<u8>) -> Failure {
        Failure { fatal: Box::new(fatal), source: Some(Box::new((name.to_string(), text))) }
    }
}

impl fmt::Display for Fatal {
    /// The one-line summary, about standard input.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.summary(STDIN))
    }
}

impl std::error::Error for Fatal {}

impl fmt::Display for Failure {
    /// The one-line summary, naming the input it is about.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.source.as_deref().map_or(STDIN, |(name, _)| name.as_str());
        f.write_str(&self.fatal.summary(name))
    }
}

impl std::error::Error for Failure {}

/// The offending line with a caret under the column.
fn caret(text: &[u8], place: &Place) -> String {
    let offset = place.offset.min(text.len());
    let (line_start, line_end) = (crate::text::line_start(text, offset), crate::text::line_end(text, offset));
    let line = String::from_utf8_lossy(&text[line_start..line_end]);
    let line = line.trim_end_matches('\r');
    const MAX: usize = 160;
    let (shown, col) = if line.chars().count() > MAX {
        let from = place.col.saturating_sub(MAX / 2);
        (line.chars().skip(from).take(MAX).collect::<String>(), place.col - from)
    } else {
        (line.to_string(), place.col)
    };
    // A tab is a space (so the caret lines up); any other control character is escaped, and
    // the caret moves by what its escape adds.
    let mut line = String::with_capacity(shown.len());
    let mut caret_at = col;
    for (i, c) in shown.chars().enumerate() {
        let before = line.chars().count();
        if c == '\t' {
            line.push(' ');
        } else {
            push_shown(&mut line, c);
        }
        if i < col {
            caret_at += line.chars().count() - before - 1;
        }
    }
    let number = place.line.to_string();
    let pad = " ".repeat(number.len());
    format!("{pad} |\n{number} | {line}\n{pad} | {}^\n", " ".repeat(caret_at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_errors_show_file_line_col_and_a_caret() {
        let text = b"a: 1\nb: [\n";
        let err = Fatal::input_at(
            "unexpected end",
            Place { offset: 8, line: 2, col: 3, document: Some("document 1".into()), field: None },
        );
        let shown = err.render("<stdin>", text);
        assert!(shown.contains("--> <stdin>:2:4 (document 1)"), "{shown}");
        assert!(shown.contains("2 | b: [\n  |    ^\n"), "{shown}");
        assert_eq!(err.exit_code(), exit::INPUT);
    }

    #[test]
    fn names_messages_and_quoted_lines_have_control_characters_escaped() {
        let text = b"a: \x1b[31mred\x07: [\n";
        let err = Fatal::input_at(
            "bad \u{202e}value",
            Place { offset: 13, line: 1, col: 13, document: Some("doc\n1".into()), field: Some("a\rb".into()) },
        );
        let shown = err.render("evil\nrwo-guard: 0 workloads fixed\x1b[2J.yaml", text);
        assert!(!shown.contains('\x1b') && !shown.contains('\x07') && !shown.contains('\r'), "{shown:?}");
        assert!(!shown.contains('\u{202e}'), "{shown:?}");
        assert_eq!(shown.lines().count(), 5, "{shown}");
        assert!(
            shown.contains("--> evil\\nrwo-guard: 0 workloads fixed\\x1b[2J.yaml:1:14 (doc\\n1, field a\\rb)"),
            "{shown}"
        );
        // The caret stays under the character it points at, after the escapes before it.
        assert!(shown.contains("1 | a: \\x1b[31mred\\x07: [\n  |                    ^\n"), "{shown}");
        assert!(Fatal::Usage("-f a\nb".into()).render("-", b"").starts_with("rwo-guard: error: -f a\\nb\n"));
    }

    #[test]
    fn config_errors_list_every_problem() {
        let err = Fatal::Config { origin: "functionConfig".into(), problems: vec!["a".into(), "b".into()] };
        let shown = err.render("<stdin>", b"");
        assert!(shown.contains("  - a\n  - b\n"));
        assert_eq!(err.exit_code(), exit::USAGE);
    }
}
