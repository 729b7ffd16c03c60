//! rwo-guard: give workloads on ReadWriteOnce volumes a rollout strategy that cannot hang on
//! "Multi-Attach error for volume", and report what a strategy cannot fix.
//!
//! The pipeline, one module per step: [`read`] (facts with spans) → [`config`] → [`claims`]
//! (which claims are exclusive) → [`analyze`] (findings and an edit plan; pure) → [`rewrite`]
//! (splice edits into the original bytes) → [`verify`] (re-read the output and check it is the
//! input plus exactly the plan) → [`results`] → write. [`run`] drives it over reader and writer
//! handles; `main.rs` only passes it the process's.

#![cfg_attr(test, allow(clippy::expect_used, clippy::unwrap_used, clippy::panic))]

pub mod analyze;
pub mod claims;
pub mod cli;
pub mod config;
pub mod diff;
pub mod error;
pub mod fingerprint;
pub mod model;
pub mod read;
pub mod results;
pub mod rewrite;
pub mod strategy;
pub mod verify;
pub mod yaml;

use std::ffi::OsString;
use std::io::{self, Read, Write};

use clap::Parser as _;

use crate::analyze::Severity;
use crate::cli::Cli;
use crate::config::Config;
use crate::error::{exit, Fatal, Place};
use crate::read::{Bundle, Form, Limits};
use crate::results::KrmResult;
use crate::rewrite::Edit;

/// Name used for standard input in messages.
pub const STDIN: &str = "<stdin>";

/// Runs rwo-guard with `args` (including the program name) over the given handles and returns
/// the exit code.
pub fn run<I, T>(args: I, stdin: &mut dyn Read, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { exit::USAGE } else { exit::OK };
            let text = e.render().to_string();
            let _ = if e.use_stderr() { stderr.write_all(text.as_bytes()) } else { stdout.write_all(text.as_bytes()) };
            return code;
        }
    };
    let mut input = Vec::new();
    let outcome = read_input(stdin, stdin_size(), cli.limits(), &mut input).and_then(|text| process(&cli, text));
    match outcome {
        Ok(done) => finish(&cli, &done, stdout, stderr),
        Err(fatal) => {
            let _ = stderr.write_all(fatal.render(STDIN, &input).as_bytes());
            if looks_like_resource_list(&input) {
                // KRM: a failing function still answers with a ResourceList carrying the error.
                let result = results::fatal_result(fatal.summary(STDIN));
                if let Ok(yaml) = results::to_yaml(&[result]) {
                    let _ = write!(
                        stdout,
                        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nresults:\n{yaml}"
                    );
                }
            }
            fatal.exit_code()
        }
    }
}

/// What a successful run has to write.
struct Done<'t> {
    input: &'t str,
    /// Every edit, sorted: the output is the input with these spliced in.
    edits: Vec<Edit>,
    results: Vec<KrmResult>,
    summary: String,
    fails: bool,
}

fn read_input<'a>(
    stdin: &mut dyn Read,
    size_hint: Option<u64>,
    limits: Limits,
    buf: &'a mut Vec<u8>,
) -> Result<&'a str, Fatal> {
    let cap = limits.max_input_bytes.saturating_add(1) as u64;
    if let Some(size) = size_hint {
        buf.reserve_exact(usize::try_from(size.min(cap)).unwrap_or(0) + 1);
    }
    stdin.take(cap).read_to_end(buf).map_err(|e| Fatal::Input {
        message: format!("cannot read standard input: {e}"),
        place: None,
        hint: None,
    })?;
    if buf.len() > limits.max_input_bytes {
        return Err(Fatal::Input {
            message: format!("the input is larger than {} bytes", limits.max_input_bytes),
            place: None,
            hint: Some("raise the limit with --max-input-bytes".into()),
        });
    }
    std::str::from_utf8(buf).map_err(|e| {
        let at = e.valid_up_to();
        let before = &buf[..at];
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let col = String::from_utf8_lossy(&before[line_start..]).chars().count();
        Fatal::input_at(
            format!("the input is not UTF-8 (byte 0x{:02x} at offset {at}); YAML must be UTF-8", buf[at]),
            Place { offset: at, line, col, document: None, field: None },
        )
    })
}

/// The size of standard input when it is a regular file (so it is read into one allocation).
fn stdin_size() -> Option<u64> {
    use std::os::fd::AsFd as _;
    let fd = io::stdin().as_fd().try_clone_to_owned().ok()?;
    let meta = std::fs::File::from(fd).metadata().ok()?;
    meta.is_file().then_some(meta.len())
}

fn looks_like_resource_list(input: &[u8]) -> bool {
    let head = &input[..input.len().min(1 << 20)];
    String::from_utf8_lossy(head).lines().any(|l| l.trim_end() == "kind: ResourceList")
}

fn load_config(cli: &Cli, bundle: &Bundle, text: &str) -> Result<Config, Fatal> {
    let mut config = Config::default();
    if let Some(fc) = &bundle.function_config {
        let node = &text[fc.value.start.offset..fc.value.end.offset];
        let doc = format!("{}{node}", " ".repeat(fc.value.start.col));
        config = config::parse(&doc, "functionConfig")?;
    }
    if let Some(path) = &cli.config {
        let origin = path.display().to_string();
        let meta =
            std::fs::metadata(path).map_err(|e| Fatal::Usage(format!("cannot read config file {origin}: {e}")))?;
        if meta.len() > config::MAX_CONFIG_BYTES as u64 {
            return Err(Fatal::Config {
                origin,
                problems: vec![format!("is larger than {} bytes", config::MAX_CONFIG_BYTES)],
            });
        }
        let file = std::fs::read_to_string(path)
            .map_err(|e| Fatal::Usage(format!("cannot read config file {origin}: {e}")))?;
        config = config::parse(&file, &origin)?;
    }
    Ok(config.with(cli.overrides()))
}

fn process<'t>(cli: &Cli, text: &'t str) -> Result<Done<'t>, Fatal> {
    let limits = cli.limits();
    let mut bundle = read::read_filtered(text, limits, &analyze::relevant)?;
    let config = load_config(cli, &bundle, text)?;
    let analysis = analyze::analyze(&bundle.objects, &config);
    let per_object = analysis
        .plans
        .iter()
        .map(|plan| rewrite::edits_for(text, &bundle.objects[plan.object], plan))
        .collect::<Result<Vec<_>, _>>()
        .map_err(Fatal::Internal)?;
    verify::verify_regions(text, &bundle.objects, &analysis.plans, &per_object, limits).map_err(Fatal::Internal)?;
    let mut edits: Vec<Edit> = per_object.into_iter().flatten().collect();
    let results = results::krm_results(&analysis.findings, &bundle.objects);
    // The objects' facts are no longer needed: free them before the results are rendered.
    bundle.objects = Vec::new();
    let fails = results::fails(&analysis.findings, config.fail_on);
    // On a stream every finding goes to stderr (errors only with --quiet); a ResourceList
    // carries them in its results, so stderr repeats them only when the run fails.
    let summary = match (bundle.form, cli.quiet, results::threshold(config.fail_on)) {
        (Form::Stream, false, _) => results::summary(&analysis.findings, Severity::Info),
        (Form::Stream, true, _) => results::summary(&analysis.findings, Severity::Error),
        (Form::ResourceList, _, Some(min)) if fails => results::summary(&analysis.findings, min),
        _ => String::new(),
    };
    drop(analysis);
    if bundle.form == Form::ResourceList {
        if let Some(e) = results_edit(text, &bundle, &results)? {
            check_results_edit(text, &bundle, &e, results.len(), limits)?;
            edits.push(e);
        }
    }
    edits.sort_by_key(|e| (e.start, e.end));
    if edits.windows(2).any(|w| w[1].start < w[0].end) {
        return Err(Fatal::Internal("overlapping edits".into()));
    }
    Ok(Done { fails, summary, input: text, edits, results })
}

/// The offset after the line holding the content that ends at `end`.
fn after_line(text: &str, end: usize) -> usize {
    if end > 0 && text.as_bytes()[end - 1] == b'\n' {
        end
    } else {
        text[end..].find('\n').map_or(text.len(), |i| end + i + 1)
    }
}

/// The edit that appends rwo-guard's results to a ResourceList (none when it has none): after
/// the items of an existing block `results` list, or as a new `results` key at the end of the
/// root mapping. Existing results are kept byte for byte.
fn results_edit(text: &str, bundle: &Bundle, results: &[KrmResult]) -> Result<Option<Edit>, Fatal> {
    if results.is_empty() {
        return Ok(None);
    }
    let root = bundle
        .documents
        .first()
        .and_then(|d| d.root.as_ref())
        .ok_or_else(|| Fatal::Internal("ResourceList without a root mapping".into()))?;
    let existing = bundle.results.as_ref().map(|r| (r, &text[r.value.start.offset..r.value.end.offset]));
    let json = || results::to_json(results).map_err(Fatal::Internal);
    if root.flow {
        return Ok(Some(match existing {
            Some((region, value)) if value.trim_start().starts_with('[') => {
                let close = region.value.start.offset + value.rfind(']').unwrap_or(0);
                let empty = value.trim().trim_start_matches('[').trim_end_matches(']').trim().is_empty();
                let items = json()?;
                let items = items.trim_start_matches('[').trim_end_matches(']');
                Edit { start: close, end: close, with: format!("{}{items}", if empty { "" } else { ", " }) }
            }
            Some(_) => return Err(not_a_list(bundle)),
            None => {
                let at = root.end.offset.saturating_sub(1);
                Edit { start: at, end: at, with: format!(", \"results\": {}", json()?) }
            }
        }));
    }
    let nl = match text.find('\n') {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    };
    let block = |col: usize| -> Result<String, Fatal> {
        let yaml = results::to_yaml(results).map_err(Fatal::Internal)?;
        if col == 0 && nl == "\n" {
            return Ok(yaml);
        }
        let indent = " ".repeat(col);
        Ok(yaml.lines().map(|l| format!("{indent}{l}{nl}")).collect())
    };
    let root_col = root.keys.first().map_or(0, |k| k.span.start.col);
    // A block sequence's node starts at its first item's content, after the `- `.
    let dash_col = existing.and_then(|(region, _)| {
        let line_start = text[..region.value.start.offset].rfind('\n').map_or(0, |i| i + 1);
        let prefix = &text[line_start..region.value.start.offset];
        prefix.trim_start().starts_with('-').then(|| prefix.len() - prefix.trim_start().len())
    });
    Ok(Some(match existing {
        Some((region, _)) if dash_col.is_some() => {
            let at = after_line(text, region.value.end.offset);
            let lead = if at == text.len() && !text.ends_with('\n') { nl } else { "" };
            Edit { start: at, end: at, with: format!("{lead}{}", block(dash_col.unwrap_or(0))?) }
        }
        Some((region, value)) if value.trim_start().starts_with('[') => {
            let close = region.value.start.offset + value.rfind(']').unwrap_or(0);
            let empty = value.trim().trim_start_matches('[').trim_end_matches(']').trim().is_empty();
            let items = json()?;
            let items = items.trim_start_matches('[').trim_end_matches(']');
            Edit { start: close, end: close, with: format!("{}{items}", if empty { "" } else { ", " }) }
        }
        Some((region, value)) if value.trim().is_empty() || matches!(value.trim(), "null" | "~") => {
            let end = after_line(text, region.value.end.offset.max(region.key.end.offset));
            Edit { start: region.key.start.offset, end, with: format!("results:{nl}{}", block(root_col)?) }
        }
        Some(_) => return Err(not_a_list(bundle)),
        None => {
            let at = after_line(text, root.end.offset);
            let lead = if at == text.len() && !text.is_empty() && !text.ends_with('\n') { nl } else { "" };
            Edit { start: at, end: at, with: format!("{lead}{}results:{nl}{}", " ".repeat(root_col), block(root_col)?) }
        }
    }))
}

fn not_a_list(bundle: &Bundle) -> Fatal {
    let at = bundle.results.as_ref().map(|r| r.value.start).unwrap_or_default();
    Fatal::input_at(
        "the ResourceList's `results` is not a list",
        Place {
            offset: at.offset,
            line: at.line,
            col: at.col,
            document: Some("document 1".into()),
            field: Some("results".into()),
        },
    )
}

/// Re-reads the results part of the output: from the `results` key to the end of the edit it
/// must be one `results` list holding the existing items plus ours.
fn check_results_edit(text: &str, bundle: &Bundle, edit: &Edit, ours: usize, limits: Limits) -> Result<(), Fatal> {
    let root = bundle.documents.first().and_then(|d| d.root.as_ref());
    if root.is_some_and(|r| r.flow) {
        // A flow (JSON) ResourceList: small by nature; re-read it whole.
        let out = rewrite::splice(text, std::slice::from_ref(edit));
        let checked =
            read::read(&out, limits).map_err(|e| Fatal::Internal(format!("results: {}", e.summary("<output>"))))?;
        return if checked.results.is_some() { Ok(()) } else { Err(Fatal::Internal("results were not added".into())) };
    }
    let (from, before) = match &bundle.results {
        Some(r) => {
            let existing = verify::count_results(
                &format!(
                    "{}{}",
                    " ".repeat(r.key.start.col),
                    &text[r.key.start.offset..after_line(text, r.value.end.offset.max(r.key.end.offset))]
                ),
                limits,
            )
            .map_err(Fatal::Internal)?;
            (r.key.start.offset, existing)
        }
        None => (edit.start, 0),
    };
    let col = bundle.results.as_ref().map_or(0, |r| r.key.start.col);
    let to = bundle.results.as_ref().map_or(edit.end, |r| after_line(text, r.value.end.offset).max(edit.end));
    let tail = rewrite::splice(
        &text[from..to],
        &[Edit { start: edit.start - from, end: edit.end - from, with: edit.with.clone() }],
    );
    let found = verify::count_results(&format!("{}{}", " ".repeat(col), tail.trim_start_matches(' ')), limits)
        .map_err(Fatal::Internal)?;
    if found == before + ours {
        Ok(())
    } else {
        Err(Fatal::Internal(format!("the output's results hold {found} items, not {before} + {ours}")))
    }
}

fn finish(cli: &Cli, done: &Done<'_>, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    if let Some(path) = &cli.results {
        let yaml = results::to_yaml(&done.results).unwrap_or_default();
        if let Err(e) = std::fs::write(path, yaml) {
            let _ = writeln!(stderr, "rwo-guard: error: cannot write results to {}: {e}", path.display());
            return exit::USAGE;
        }
    }
    let written = if cli.diff {
        let colors = diff::Colors { enabled: cli.diff_colors() };
        let body = diff::unified_colored(done.input, &done.edits, "a/<stdin>", "b/<stdout>", colors);
        stdout.write_all(body.as_bytes())
    } else {
        rewrite::write_spliced(done.input, &done.edits, stdout)
    };
    if let Err(e) = written.and_then(|()| stdout.flush()) {
        if e.kind() != io::ErrorKind::BrokenPipe {
            let _ = writeln!(stderr, "rwo-guard: error: cannot write output: {e}");
            return exit::INPUT;
        }
    }
    let _ = stderr.write_all(done.summary.as_bytes());
    if done.fails {
        exit::FINDINGS
    } else {
        exit::OK
    }
}
