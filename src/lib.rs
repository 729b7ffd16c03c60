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
pub mod engine;
pub mod error;
pub mod fingerprint;
pub mod model;
pub mod read;
pub mod resource_list;
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
    let fails = results::fails(&analysis.findings, config.fail_on);
    // On a stream every finding goes to stderr (errors only with --quiet). A ResourceList
    // carries them in its results; kpt shows those, so stderr stays quiet, but kustomize drops
    // them (kustomize#4321) and asks its container functions to log to stderr instead
    // (`LOG_TO_STDERR=true`, set only by kustomize's container runtime): then stderr gets the
    // same lines as a stream. See README "Where findings are shown".
    let to_stderr = bundle.form == Form::Stream || engine::kustomize_container();
    let summary = match (to_stderr, cli.quiet) {
        (true, false) => results::summary(&analysis.findings, Severity::Info),
        (true, true) => results::summary(&analysis.findings, Severity::Error),
        (false, _) => String::new(),
    };
    let results = results::krm_results(analysis.findings, &bundle.objects);
    // The objects' facts are no longer needed: free them before the results are rendered.
    bundle.objects = Vec::new();
    if bundle.form == Form::ResourceList {
        if let Some(e) = resource_list::results_edit(text, &bundle, &results)? {
            resource_list::check_results_edit(text, &bundle, &e, results.len(), limits)?;
            edits.push(e);
        }
    }
    edits.sort_by_key(|e| (e.start, e.end));
    if edits.windows(2).any(|w| w[1].start < w[0].end) {
        return Err(Fatal::Internal("overlapping edits".into()));
    }
    Ok(Done { fails, summary, input: text, edits, results })
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
    // kustomize shows a legacy exec plugin's stderr only when the plugin fails: on success the
    // findings go to kustomize's own stderr instead, where the person running it sees them.
    let to_parent = !done.fails && !done.summary.is_empty() && engine::kustomize_legacy_plugin();
    let shown = to_parent
        && engine::parent_stderr()
            .is_some_and(|mut p| engine::write_all_patiently(&mut p, done.summary.as_bytes()).is_ok());
    if !shown {
        let _ = stderr.write_all(done.summary.as_bytes());
    }
    if done.fails {
        exit::FINDINGS
    } else {
        exit::OK
    }
}
