//! rwo-guard: give workloads on ReadWriteOnce volumes a rollout strategy that cannot hang on
//! "Multi-Attach error for volume", and report what a strategy cannot fix.
//!
//! [`run`] turns the command line once into options ([`cli`]), then drives the pipeline
//! ([`pipeline`]), one module per step: [`read`] (facts with spans, as the [`schema`] declares
//! them from the [`kinds`] table) → [`config`] → [`facts`] (gathered once) → [`rules`]
//! (findings and an edit plan; pure) → [`rewrite`] (splice edits into the original bytes) →
//! [`verify`] (re-read the output and check it is the input plus exactly the plan) → an
//! [`outcome`] (the texts to write and every finding placed) → [`output`] (the one place that
//! decides what is written, and how). `main.rs` only passes [`run`] the process's handles. The
//! input is standard input, or the files and directories of `-f` ([`input`]), each read on its
//! own and analysed together; where each finding is in them is a [`location`]. Every module
//! imports only modules below it: see the layers in docs/ARCHITECTURE.md.

#![cfg_attr(test, allow(clippy::expect_used, clippy::unwrap_used, clippy::panic))]

pub mod api;
pub(crate) mod claims;
pub(crate) mod cli;
mod command;
pub(crate) mod config;
mod docs;
mod engine;
pub(crate) mod error;
pub(crate) mod facts;
pub(crate) mod findings;
pub(crate) mod fingerprint;
mod framing;
mod input;
mod json;
pub(crate) mod kinds;
pub(crate) mod krm;
pub(crate) mod kustomize;
mod location;
pub(crate) mod model;
mod outcome;
pub(crate) mod output;
mod pipeline;
pub(crate) mod read;
pub(crate) mod rewrite;
mod rule_ids;
pub(crate) mod rules;
mod schema;
mod stdio;
pub(crate) mod storage;
pub(crate) mod strategy;
mod text;
mod threads;
pub(crate) mod verify;
pub(crate) mod yaml;

use std::ffi::OsString;
use std::io::{self, Read, Write};

use clap::Parser as _;

use crate::cli::Cli;
use crate::error::{exit, Failure, Fatal};

pub use crate::error::STDIN;

/// Runs rwo-guard as the process: its arguments and standard streams (`/dev/null` in any mode
/// is an empty input or a discarding output). Returns the exit code.
pub fn main() -> i32 {
    use std::io::IsTerminal as _;
    let terminal = io::stdin().is_terminal();
    let mut stderr: Box<dyn Write> = if engine::kustomize_formats_stderr() {
        Box::new(engine::GoFormatted(io::stderr().lock()))
    } else {
        Box::new(io::stderr().lock())
    };
    run_in(std::env::args_os(), &mut stdio::stdin(), terminal, &mut stdio::stdout(), &mut stderr)
}

/// Runs rwo-guard with `args` (including the program name) over the given handles and returns
/// the exit code.
pub fn run<I, T>(args: I, stdin: &mut dyn Read, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    run_in(args, stdin, false, stdout, stderr)
}

/// As [`run`]; `stdin_terminal`: standard input is a terminal (nobody is piping manifests in).
fn run_in<I, T>(
    args: I,
    stdin: &mut dyn Read,
    stdin_terminal: bool,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() => {
            let _ = stderr.write_all(error::shown_lines(&e.render().to_string()).as_bytes());
            return exit::USAGE;
        }
        // --help, --version: their text is the output, and failing to write it is an error.
        Err(e) => {
            return match stdout.write_all(e.render().to_string().as_bytes()).and_then(|()| stdout.flush()) {
                Ok(()) => exit::OK,
                Err(err) => {
                    output::fatal(&Fatal::Output(format!("cannot write the output: {err}")), None, b"", stdout, stderr)
                }
            };
        }
    };
    let mut cli = cli;
    if let Some(command) = cli.command.take() {
        return command::run(command, stdin, stdin_terminal, stdout, stderr);
    }
    if let Some(what) = cli.generate {
        return match what.render().and_then(|text| stdout.write_all(&text)).and_then(|()| stdout.flush()) {
            Ok(()) => exit::OK,
            Err(err) => {
                output::fatal(&Fatal::Output(format!("cannot write the output: {err}")), None, b"", stdout, stderr)
            }
        };
    }
    let (pipeline_options, output_options) = match cli.options() {
        Ok(options) => options,
        Err(misuse) => {
            let _ = stderr.write_all(misuse.render(STDIN, b"").as_bytes());
            return misuse.exit_code();
        }
    };
    if !pipeline_options.files.is_empty() {
        return run_files(&pipeline_options, &output_options, stdout, stderr);
    }
    if let Some(misuse) = misuse(&cli, stdin_terminal) {
        let _ = stderr.write_all(misuse.render(STDIN, b"").as_bytes());
        return misuse.exit_code();
    }
    if let Some(results) = output_options.results_file() {
        let stdin_meta = output::results_file::stdin_meta();
        if let Err(misuse) = output::results_file::refuse_input(results, [(STDIN, stdin_meta)]) {
            let _ = stderr.write_all(misuse.render(STDIN, b"").as_bytes());
            return misuse.exit_code();
        }
    }
    let mut input = Vec::new();
    let outcome = pipeline::read_input(stdin, stdin_size(), pipeline_options.limits, &mut input)
        .and_then(|text| pipeline::process(&pipeline_options, text))
        .and_then(|outcome| output::write(&output_options, &outcome, stdout, stderr));
    match outcome {
        Ok(code) => code,
        Err(fatal) => output::fatal(&fatal, Some(&output_options), &input, stdout, stderr),
    }
}

/// A run over the files of `-f`: its exit code.
fn run_files(
    pipeline_options: &pipeline::Options,
    output_options: &output::Options,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> i32 {
    let files = match input::read_files(&pipeline_options.files, pipeline_options.limits) {
        Ok(files) => files,
        Err(failure) => return output::fatal_in_file(&failure, output_options, stdout, stderr),
    };
    if let Some(results) = output_options.results_file() {
        let inputs = files.sources.iter().map(|s| (s.name.as_str(), std::fs::metadata(&s.path).ok()));
        if let Err(misuse) = output::results_file::refuse_input(results, inputs) {
            let _ = stderr.write_all(misuse.render(STDIN, b"").as_bytes());
            return misuse.exit_code();
        }
    }
    let written = pipeline::process_files(pipeline_options, &files)
        .and_then(|outcome| output::write(output_options, &outcome, stdout, stderr).map_err(Failure::new));
    match written {
        Ok(code) => code,
        Err(failure) => output::fatal_in_file(&failure, output_options, stdout, stderr),
    }
}

/// A filter run that cannot be what was meant: a directory given as CONFIG (`did you mean:
/// rwo-guard check DIR`), or nothing to read (standard input is a terminal).
fn misuse(cli: &Cli, stdin_terminal: bool) -> Option<Fatal> {
    if let Some(dir) = cli.config.as_deref().filter(|p| p.is_dir()) {
        let dir = input::display(dir);
        return Some(Fatal::Misuse {
            message: format!("{dir} is a directory, not a config file"),
            tip: format!("did you mean: rwo-guard check {dir}"),
        });
    }
    stdin_terminal.then(command::terminal_hint)
}

/// The size of standard input when it is a regular file (so it is read into one allocation).
fn stdin_size() -> Option<u64> {
    use std::os::fd::AsFd as _;
    let fd = io::stdin().as_fd().try_clone_to_owned().ok()?;
    let meta = std::fs::File::from(fd).metadata().ok()?;
    meta.is_file().then_some(meta.len())
}

#[cfg(test)]
mod tests {
    /// At the highest `--max-depth`, a strategy nested as deep as it allows goes through every
    /// path (edit, check, rolling; stream, ResourceList, JSON; every report) without running
    /// out of stack, in this (debug) build on a 2 MiB thread: the worst case of any build, since
    /// release frames are smaller and the binary's main thread has 8 MiB. One level more is a
    /// usage error.
    #[test]
    fn the_deepest_nesting_allowed_runs_on_a_small_stack() {
        let max = crate::read::MAX_DEPTH;
        let run = |args: Vec<String>, input: String| {
            std::thread::Builder::new()
                .stack_size(2 << 20)
                .spawn(move || {
                    let (mut out, mut err) = (Vec::new(), Vec::new());
                    let code = super::run(args, &mut input.as_bytes(), &mut out, &mut err);
                    (code, String::from_utf8_lossy(&err).into_owned())
                })
                .expect("thread")
                .join()
                .expect("no overflow, no panic")
        };
        // The strategy sits 3 levels down (document, spec, strategy): its value fills the rest.
        let deep = |open: &str, close: &str, n: usize| format!("{}1{}", open.repeat(n), close.repeat(n));
        let deployment = |x: &str| {
            format!("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web}}\nspec:\n  replicas: 1\n  strategy: {{type: RollingUpdate, rollingUpdate: {{maxSurge: 1}}, x: {x}}}\n  template:\n    spec:\n      volumes:\n      - name: d\n        persistentVolumeClaim: {{claimName: data}}\n")
        };
        let pvc = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec: {accessModes: [ReadWriteOnce]}\n";
        for (open, close) in [("[", "]"), ("{a: ", "}")] {
            // Exactly the limit: the document (1), spec (2), strategy (3), then x's levels; in a
            // ResourceList, the list (1) and its items (2) come first.
            let stream = format!("{pvc}---\n{}", deployment(&deep(open, close, max - 3)));
            let item = deployment(&deep(open, close, max - 5)).replace('\n', "\n  ");
            let list = format!(
                "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- {}\n- {}\n",
                pvc.replace('\n', "\n  "),
                item
            );
            // One level more is over the limit: these inputs are at it exactly.
            let over = format!("{pvc}---\n{}", deployment(&deep(open, close, max - 2)));
            let (code, err) = run(["rwo-guard", "--max-depth", &max.to_string()].map(String::from).to_vec(), over);
            assert_eq!(code, crate::error::exit::INPUT, "{err}");
            for mode in ["recreate", "rolling", "check"] {
                for format in ["yaml", "sarif", "junit", "github"] {
                    for input in [&stream, &list] {
                        let args = ["rwo-guard", "--max-depth", &max.to_string(), "--mode", mode, "--results", "-"]
                            .into_iter()
                            .chain(["--results-format", format])
                            .map(String::from)
                            .collect();
                        let (code, err) = run(args, input.clone());
                        assert!(code == 0 || code == 1, "{mode} {format}: exit {code}: {err}");
                    }
                }
            }
        }
        let (code, err) = run(vec!["rwo-guard".into(), "--max-depth".into(), (max + 1).to_string()], String::new());
        assert_eq!(code, crate::error::exit::USAGE, "{err}");
    }
}
