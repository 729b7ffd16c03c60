//! Everything rwo-guard writes, and the one place that decides its form:
//! - standard output: the input with the edits spliced in (a stream stays a stream, a
//!   ResourceList gets its results appended in its own style: block YAML, or JSON in a flow or
//!   JSON ResourceList), or with `--diff` a unified diff of the edits;
//! - the answer to a fatal error: nothing on stdout for a plain stream; a ResourceList holding
//!   the error for a ResourceList input (as the KRM function spec asks), in the input's style;
//! - with `-f`: the files joined into one stream, or per-file diffs naming the real files, or
//!   nothing on stdout with `--in-place`, which writes each edited file back ([`in_place`]);
//! - standard error: one line per finding the form does not otherwise show (with its file and
//!   line when known) closed by a count, and fatal errors;
//! - the `--results` report, in the format asked for ([`report`]); `--results -` puts it on
//!   standard output instead of the output.
//!
//! It knows its [`Options`] and the run's [`Outcome`], never the command line.
//!
//! A failure to write gets its own message and exit code ([`exit::OUTPUT`]).

pub mod diff;
pub(crate) mod in_place;
pub(crate) mod report;

use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::PathBuf;

use crate::error::{exit, Failure, Fatal, STDIN};
use crate::findings::Severity;
use crate::kinds::RESOURCE_LIST;
use crate::krm;
use crate::outcome::Outcome;
use crate::read::Form;
use crate::rewrite;
use crate::{engine, framing};

use self::report::Format;

/// What standard output gets on success.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Body {
    /// Every input with its edits, one stream.
    Texts,
    /// A unified diff of the edits, per input.
    Diff(diff::Colors),
    /// Nothing: each edited file is written back (`--in-place`, `fix`).
    InPlace,
    /// Nothing, and nothing written back (`check`).
    Nothing,
}

/// Where a report is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Destination {
    /// Standard output, instead of the body.
    Stdout,
    /// Standard error (`fix --diff`, `fix -`: the body has standard output).
    Stderr,
    /// A file, written whole (and removed when it cannot hold a fatal error's report).
    File(PathBuf),
}

/// A report to write: its format and where it goes.
#[derive(Clone, Debug)]
pub(crate) struct ReportTo {
    /// The format (one of [`report::FORMATS`]).
    pub format: &'static Format,
    /// Where it goes.
    pub to: Destination,
}

/// What to write and where.
#[derive(Clone, Debug)]
pub(crate) struct Options {
    /// What standard output gets.
    pub body: Body,
    /// The report, if one is asked for.
    pub report: Option<ReportTo>,
    /// Only error findings on stderr, and no closing count.
    pub quiet: bool,
    /// `check` and `fix`: the report is the person's view, shown this way; stderr gets no
    /// finding lines (the report has them), only the summary line when the report is not text.
    pub linter: Option<report::Style>,
}

impl Options {
    /// Whether the report takes standard output's place.
    fn report_on_stdout(&self) -> bool {
        self.report.as_ref().is_some_and(|r| r.to == Destination::Stdout)
    }
}

/// The least severity of the findings that go to stderr (`None`: none do). On a stream every
/// finding goes there (errors only with `--quiet`). A ResourceList carries them in its
/// results; kpt shows those, so stderr stays quiet, but kustomize drops them (kustomize#4321)
/// and asks its container functions to log to stderr instead (`LOG_TO_STDERR=true`, set only
/// by kustomize's container runtime): then stderr gets the same lines as a stream. See README
/// "Where findings are shown".
pub(crate) fn stderr_threshold(form: Form, quiet: bool) -> Option<Severity> {
    if form == Form::ResourceList && !engine::kustomize_container() {
        return None;
    }
    Some(if quiet { Severity::Error } else { Severity::Info })
}

/// The stderr lines: one per file skipped (info), one per finding of severity `min` or worse
/// (`file:line: severity: message` when its place is known, else `rwo-guard: severity:
/// message`), and, when any line was written (or the input held no object) and `min` lets info
/// through, the count that closes them ([`tally`]).
fn stderr_lines(outcome: &Outcome<'_>, min: Severity) -> String {
    let mut out = String::new();
    if min <= Severity::Info {
        for s in &outcome.skipped {
            let _ = writeln!(out, "{}: info: skipped: {}", s.name, s.why);
        }
    }
    for d in outcome.diagnostics.iter().filter(|d| d.severity() >= min) {
        let prefix = d.location.prefix().unwrap_or_else(|| "rwo-guard".into());
        let _ = writeln!(out, "{prefix}: {}: {}", d.severity().name(), d.message());
    }
    if (!out.is_empty() || outcome.stats.objects == 0) && min <= Severity::Info {
        out.push_str(&tally(outcome));
        out.push('\n');
    }
    out
}

/// `rwo-guard: 2 workloads fixed, 1 warning, 0 errors`: the objects edited (`mode: check`: the
/// workloads to fix) and the findings of each severity.
fn tally(outcome: &Outcome<'_>) -> String {
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let (n, done) = if outcome.report_only { (outcome.to_fix(), "to fix") } else { (outcome.fixed, "fixed") };
    format!(
        "rwo-guard: {} {done}, {}, {}",
        plural(n, "workload", "workloads"),
        plural(outcome.count(Severity::Warning), "warning", "warnings"),
        plural(outcome.count(Severity::Error), "error", "errors")
    )
}

/// Writes a successful run: files edited in place (`--in-place`), the report, then the body,
/// then the stderr lines. Returns the exit code, or the failure to write (nothing more is
/// written after it).
pub(crate) fn write(
    options: &Options,
    outcome: &Outcome<'_>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<i32, Fatal> {
    if options.body == Body::InPlace {
        in_place::write(&outcome.texts).map_err(Fatal::Output)?;
    }
    let mut report_on_stdout = None;
    if let Some(report) = &options.report {
        let style = options.linter.unwrap_or_default();
        let text = (report.format.render)(&report::Report::styled(outcome, style)).map_err(Fatal::Internal)?;
        match &report.to {
            Destination::Stdout => report_on_stdout = Some(text),
            Destination::Stderr => {
                let _ = stderr.write_all(text.as_bytes());
            }
            Destination::File(path) => std::fs::write(path, text)
                .map_err(|e| Fatal::Output(format!("cannot write the results to {}: {e}", path.display())))?,
        }
        if let Some(warning) = report::unplaced_warning(report.format, outcome) {
            let _ = stderr.write_all(warning.as_bytes());
        }
    }
    let written = match &report_on_stdout {
        Some(text) => stdout.write_all(text.as_bytes()),
        None => body(options.body, outcome, stdout),
    };
    match written.and_then(|()| stdout.flush()) {
        // `| head`: the reader has all it wants.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(Fatal::Output(format!("cannot write the output: {e}"))),
        Ok(()) => {}
    }
    let summary = match (options.linter, &options.report) {
        (Some(style), Some(report)) if !style.quiet && report.format.name != "text" => {
            format!("{}\n", report::summary(&report::Report::styled(outcome, report::Style { colors: false, ..style })))
        }
        (Some(_), _) => String::new(),
        (None, _) => {
            stderr_threshold(outcome.form, options.quiet).map_or_else(String::new, |min| stderr_lines(outcome, min))
        }
    };
    let fails = outcome.fails();
    // kustomize shows a legacy exec plugin's stderr only when the plugin fails: on success the
    // findings go to kustomize's own stderr instead, where the person running it sees them.
    let to_parent = !fails && !summary.is_empty() && engine::kustomize_legacy_plugin();
    let shown = to_parent
        && engine::parent_stderr().is_some_and(|mut p| engine::write_all_patiently(&mut p, summary.as_bytes()).is_ok());
    if !shown {
        let _ = stderr.write_all(summary.as_bytes());
    }
    Ok(if fails { exit::FINDINGS } else { exit::OK })
}

/// What standard output gets: the diff, nothing (`--in-place`), or every input with its edits,
/// one stream (files joined by document markers).
fn body(body: Body, outcome: &Outcome<'_>, stdout: &mut dyn Write) -> io::Result<()> {
    match body {
        Body::InPlace | Body::Nothing => Ok(()),
        Body::Diff(colors) => {
            for out in &outcome.texts {
                let (old, new) = match out.path {
                    // A file `fix` creates (a new kustomize patch): a diff from nothing.
                    Some(p) if out.text.is_empty() && !p.exists() => ("/dev/null".into(), format!("b/{}", out.name)),
                    Some(_) => (format!("a/{}", out.name), format!("b/{}", out.name)),
                    None => (format!("a/{STDIN}"), format!("b/{STDIN}")),
                };
                stdout.write_all(diff::unified_colored(out.text, &out.edits, &old, &new, colors).as_bytes())?;
            }
            Ok(())
        }
        Body::Texts => {
            for (i, out) in outcome.texts.iter().enumerate() {
                if i == 0 {
                    rewrite::write_spliced(out.text, &out.edits, stdout)?;
                    continue;
                }
                stdout.write_all(separator(outcome.texts[i - 1].text, out.text).as_bytes())?;
                match out.text.strip_prefix('\u{feff}') {
                    // A byte-order mark starts a stream, never a later document (YAML 1.2, kubectl).
                    Some(_) => stdout.write_all(&rewrite::splice(out.text, &out.edits).as_bytes()[3..])?,
                    None => rewrite::write_spliced(out.text, &out.edits, stdout)?,
                }
            }
            Ok(())
        }
    }
}

/// What goes between two files in one stream: a line break if the first does not end with one,
/// then a document marker unless the second starts with one (`...` before directives). A
/// later file's byte-order mark is left out of the stream.
fn separator(before: &str, after: &str) -> String {
    let mut s = String::new();
    if !before.is_empty() && !before.ends_with('\n') {
        s.push('\n');
    }
    let after = after.trim_start_matches('\u{feff}');
    if after.starts_with('%') {
        s.push_str("...\n");
    } else if !after.strip_prefix("---").is_some_and(|r| r.is_empty() || r.starts_with(char::is_whitespace)) {
        s.push_str("---\n");
    }
    s
}

/// Answers a fatal error about a file of `-f` (or one found before any input was read): the
/// message on stderr, with the file's name and the line in it, and the error as this run's
/// results (as [`fatal`]).
pub(crate) fn fatal_in_file(
    failure: &Failure,
    options: &Options,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> i32 {
    let (name, text) = failure.source.as_deref().map_or((STDIN, &[][..]), |(n, t)| (n.as_str(), t.as_slice()));
    let _ = stderr.write_all(failure.fatal.render(name, text).as_bytes());
    fatal_report(&failure.fatal, options, name, stdout, stderr);
    failure.fatal.exit_code()
}

/// Answers a fatal error: the message on stderr; for a ResourceList input, a ResourceList
/// holding it on stdout; and, with `--results`, the error as this run's results, so that an
/// older results file is never left looking current (removed when it cannot be written).
/// Returns the exit code.
pub(crate) fn fatal(
    fatal: &Fatal,
    options: Option<&Options>,
    input: &[u8],
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> i32 {
    let _ = stderr.write_all(fatal.render(STDIN, input).as_bytes());
    if let Some(options) = options {
        fatal_report(fatal, options, STDIN, stdout, stderr);
    }
    if let Some(answer) = fatal_answer(fatal, input).filter(|_| !options.is_some_and(Options::report_on_stdout)) {
        let _ = stdout.write_all(answer.as_bytes()).and_then(|()| stdout.flush());
    }
    fatal.exit_code()
}

/// With `--results`, the error as this run's report, in its format, so that an older report is
/// never left looking current (removed when it cannot be written); `--results -` puts it on
/// standard output.
fn fatal_report(fatal: &Fatal, options: &Options, source: &str, stdout: &mut dyn Write, stderr: &mut dyn Write) {
    let Some(report) = &options.report else { return };
    if report.format.name == "text" && !matches!(report.to, Destination::File(_)) {
        // The text report of an error is the error, already on stderr.
        return;
    }
    let text = (report.format.fatal)(&fatal.summary(source));
    let path = match &report.to {
        Destination::Stdout => {
            let _ = stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush());
            return;
        }
        // The error itself is already on stderr.
        Destination::Stderr => return,
        Destination::File(path) => path,
    };
    if std::fs::write(path, text).is_err() && std::fs::remove_file(path).is_ok() {
        let _ = writeln!(
            stderr,
            "rwo-guard: removed the results file {}: it could not hold this run's error",
            path.display()
        );
    }
}

/// The ResourceList a fatal error is answered with, in the input's style (`None` for an input
/// that is not a ResourceList).
fn fatal_answer(fatal: &Fatal, input: &[u8]) -> Option<String> {
    let framed = framing::detect(&String::from_utf8_lossy(input)).filter(|f| f.kind == RESOURCE_LIST)?;
    let result = [krm::fatal_result(fatal.summary(STDIN))];
    let api_version = RESOURCE_LIST.api_versions[0];
    if framed.flow {
        let json = krm::to_json(&result).ok()?;
        Some(format!(
            "{{\"apiVersion\": \"{api_version}\", \"kind\": \"ResourceList\", \"items\": [], \"results\": {json}}}\n"
        ))
    } else {
        let yaml = krm::to_yaml(&result).ok()?;
        Some(format!("apiVersion: {api_version}\nkind: ResourceList\nitems: []\nresults:\n{yaml}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_joined_into_one_stream() {
        assert_eq!(separator("a: 1\n", "b: 2\n"), "---\n");
        assert_eq!(separator("a: 1", "b: 2\n"), "\n---\n");
        assert_eq!(separator("a: 1\n", "--- # doc\nb: 2\n"), "");
        assert_eq!(separator("a: 1\n", "---\n"), "");
        assert_eq!(separator("a: 1\n", "---x: 1\n"), "---\n");
        assert_eq!(separator("a: 1\n", "%YAML 1.2\n---\nb: 2\n"), "...\n");
        assert_eq!(separator("a: 1\n", "\u{feff}b: 2\n"), "---\n");
    }

    #[test]
    fn a_fatal_error_is_answered_in_the_input_style() {
        let err = Fatal::Usage("bad".into());
        let block = fatal_answer(&err, b"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n");
        assert_eq!(block.as_deref(), Some("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nresults:\n- message: bad\n  severity: error\n"));
        let json =
            fatal_answer(&err, br#"{"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": []}"#);
        assert_eq!(json.as_deref(), Some("{\"apiVersion\": \"config.kubernetes.io/v1\", \"kind\": \"ResourceList\", \"items\": [], \"results\": [{\"message\": \"bad\", \"severity\": \"error\"}]}\n"));
        assert!(fatal_answer(&err, b"apiVersion: v1\nkind: ConfigMap\n").is_none());
    }
}
