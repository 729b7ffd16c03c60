//! rwo-guard: give workloads on ReadWriteOnce volumes a rollout strategy that cannot hang on
//! "Multi-Attach error for volume", and report what a strategy cannot fix.
//!
//! The pipeline, one module per step: [`read`] (facts with spans) → [`config`] → [`claims`]
//! (which claims are exclusive) → [`analyze`] (findings and an edit plan; pure) → [`rewrite`]
//! (splice edits into the original bytes) → [`verify`] (re-read the output and check it is the
//! input plus exactly the plan) → [`results`] → write. [`run`] drives it over reader and writer
//! handles; `main.rs` only passes it the process's.

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
    let outcome = read_input(stdin, cli.limits(), &mut input).and_then(|text| process(&cli, text));
    match outcome {
        Ok(done) => finish(&cli, &done, stdout, stderr),
        Err(fatal) => {
            let _ = stderr.write_all(fatal.render(STDIN, &input).as_bytes());
            if looks_like_resource_list(&input) {
                // KRM: a failing function still answers with a ResourceList carrying the error.
                let result = results::fatal_result(fatal.summary(STDIN));
                if let Ok(yaml) = results::to_yaml(&[result]) {
                    let _ = write!(stdout, "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nresults:\n{yaml}");
                }
            }
            fatal.exit_code()
        }
    }
}

/// What a successful run has to write.
struct Done {
    output: String,
    input: String,
    edits: Vec<Edit>,
    results: Vec<KrmResult>,
    summary: String,
    fails: bool,
    form: Form,
}

fn read_input<'a>(stdin: &mut dyn Read, limits: Limits, buf: &'a mut Vec<u8>) -> Result<&'a str, Fatal> {
    let cap = limits.max_input_bytes.saturating_add(1) as u64;
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
        let meta = std::fs::metadata(path).map_err(|e| Fatal::Usage(format!("cannot read config file {origin}: {e}")))?;
        if meta.len() > config::MAX_CONFIG_BYTES as u64 {
            return Err(Fatal::Config { origin, problems: vec![format!("is larger than {} bytes", config::MAX_CONFIG_BYTES)] });
        }
        let file = std::fs::read_to_string(path).map_err(|e| Fatal::Usage(format!("cannot read config file {origin}: {e}")))?;
        config = config::parse(&file, &origin)?;
    }
    Ok(config.with(cli.overrides()))
}

fn process(cli: &Cli, text: &str) -> Result<Done, Fatal> {
    let limits = cli.limits();
    let bundle = read::read(text, limits)?;
    let config = load_config(cli, &bundle, text)?;
    let analysis = analyze::analyze(&bundle.objects, &config);
    let mut edits = Vec::new();
    for plan in &analysis.plans {
        edits.extend(rewrite::edits_for(text, &bundle.objects[plan.object], plan).map_err(Fatal::Internal)?);
    }
    let results = results::krm_results(&analysis.findings, &bundle.objects);
    if bundle.form == Form::ResourceList {
        if let Some(e) = results_edit(text, &bundle, &results)? {
            edits.push(e);
        }
    }
    edits.sort_by_key(|e| (e.start, e.end));
    let output = rewrite::splice(text, &edits);
    let checked = verify::verify(&bundle, &output, &analysis.plans, limits).map_err(Fatal::Internal)?;
    if bundle.form == Form::ResourceList {
        check_results(&output, &checked, text, &bundle, &results)?;
    }
    Ok(Done {
        fails: results::fails(&analysis.findings, config.fail_on),
        summary: results::summary(&analysis.findings),
        output,
        input: text.to_string(),
        edits,
        results,
        form: bundle.form,
    })
}

/// The existing `results` of a ResourceList, as YAML values.
fn existing_results(text: &str, bundle: &Bundle) -> Result<Vec<serde_yaml::Value>, Fatal> {
    let Some(region) = &bundle.results else { return Ok(Vec::new()) };
    let node = &text[region.value.start.offset..region.value.end.offset];
    if node.len() > config::MAX_CONFIG_BYTES {
        return Err(Fatal::Input { message: "the ResourceList's results are too large to extend".into(), place: None, hint: None });
    }
    let doc = format!("{}{node}", " ".repeat(region.value.start.col));
    match serde_yaml::from_str::<serde_yaml::Value>(&doc) {
        Ok(serde_yaml::Value::Sequence(items)) => Ok(items),
        Ok(serde_yaml::Value::Null) => Ok(Vec::new()),
        _ => Err(Fatal::input_at(
            "the ResourceList's `results` is not a list",
            Place {
                offset: region.value.start.offset,
                line: region.value.start.line,
                col: region.value.start.col,
                document: Some("document 1".into()),
                field: Some("results".into()),
            },
        )),
    }
}

/// The edit that appends `results` to a ResourceList (none when there is nothing to add).
fn results_edit(text: &str, bundle: &Bundle, results: &[KrmResult]) -> Result<Option<Edit>, Fatal> {
    if results.is_empty() {
        return Ok(None);
    }
    let root = bundle.documents.first().and_then(|d| d.root.as_ref()).ok_or_else(|| Fatal::Internal("ResourceList without a root mapping".into()))?;
    let mut all = existing_results(text, bundle)?;
    for r in results {
        all.push(serde_yaml::to_value(r).map_err(|e| Fatal::Internal(e.to_string()))?);
    }
    if root.flow {
        let json = results::to_json(results).map_err(Fatal::Internal)?;
        if let Some(region) = &bundle.results {
            let mut merged = String::from("[");
            let existing = &text[region.value.start.offset..region.value.end.offset];
            let inner = existing.trim().trim_start_matches('[').trim_end_matches(']').trim();
            merged.push_str(inner);
            if !inner.is_empty() {
                merged.push_str(", ");
            }
            merged.push_str(json.trim_start_matches('['));
            return Ok(Some(Edit { start: region.value.start.offset, end: region.value.end.offset, with: merged }));
        }
        let at = root.end.offset.saturating_sub(1);
        return Ok(Some(Edit { start: at, end: at, with: format!(", \"results\": {json}") }));
    }
    let yaml = serde_yaml::to_string(&all).map_err(|e| Fatal::Internal(e.to_string()))?;
    let col = root.keys.first().map_or(0, |k| k.span.start.col);
    let indent = " ".repeat(col);
    let nl = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let body: String = yaml.lines().map(|l| format!("{indent}{l}{nl}")).collect();
    if let Some(region) = &bundle.results {
        let end = region.value.end.offset.max(region.key.end.offset);
        let end = if end > 0 && text.as_bytes()[end - 1] == b'\n' { end } else { text[end..].find('\n').map_or(text.len(), |i| end + i + 1) };
        return Ok(Some(Edit { start: region.key.start.offset, end, with: format!("results:{nl}{body}") }));
    }
    let end = root.end.offset;
    let at = if end > 0 && text.as_bytes()[end - 1] == b'\n' { end } else { text[end..].find('\n').map_or(text.len(), |i| end + i + 1) };
    let lead = if at == text.len() && !text.is_empty() && !text.ends_with('\n') { nl } else { "" };
    Ok(Some(Edit { start: at, end: at, with: format!("{lead}{indent}results:{nl}{body}") }))
}

/// Checks that the output's `results` are the input's followed by ours.
fn check_results(output: &str, checked: &Bundle, input: &str, bundle: &Bundle, ours: &[KrmResult]) -> Result<(), Fatal> {
    let mut expected = existing_results(input, bundle)?;
    for r in ours {
        expected.push(serde_yaml::to_value(r).map_err(|e| Fatal::Internal(e.to_string()))?);
    }
    let actual = existing_results(output, checked).map_err(|e| Fatal::Internal(format!("output results unreadable: {}", e.summary("<output>"))))?;
    if actual == expected {
        Ok(())
    } else {
        Err(Fatal::Internal("the output's results are not the input's plus rwo-guard's".into()))
    }
}

fn finish(cli: &Cli, done: &Done, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    if let Some(path) = &cli.results {
        let yaml = results::to_yaml(&done.results).unwrap_or_default();
        if let Err(e) = std::fs::write(path, yaml) {
            let _ = writeln!(stderr, "rwo-guard: error: cannot write results to {}: {e}", path.display());
            return exit::USAGE;
        }
    }
    let body = if cli.diff { diff::unified_colored(&done.input, &done.edits, "a/<stdin>", "b/<stdout>", diff::Colors { enabled: cli.diff_colors() }) } else { done.output.clone() };
    if let Err(e) = stdout.write_all(body.as_bytes()).and_then(|()| stdout.flush()) {
        if e.kind() != io::ErrorKind::BrokenPipe {
            let _ = writeln!(stderr, "rwo-guard: error: cannot write output: {e}");
            return exit::INPUT;
        }
    }
    let show_summary = !cli.quiet && (done.form == Form::Stream || done.fails);
    if show_summary {
        let _ = stderr.write_all(done.summary.as_bytes());
    }
    if done.fails {
        exit::FINDINGS
    } else {
        exit::OK
    }
}
