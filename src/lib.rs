//! rwo-guard: give workloads on ReadWriteOnce volumes a rollout strategy that cannot hang on
//! "Multi-Attach error for volume", and report what a strategy cannot fix.
//!
//! The pipeline ([`pipeline`]), one module per step: [`read`] (facts with spans, as the
//! [`schema`] declares them from the [`kinds`] table) → [`config`] → [`claims`] (which claims
//! are exclusive) → [`analyze`] (facts, then every rule of [`rules`]: findings and an edit
//! plan; pure) → [`rewrite`] (splice edits into the original bytes) → [`verify`] (re-read the
//! output and check it is the input plus exactly the plan) → [`output`] (the one place that
//! decides what is written, and how). [`run`] drives it over reader and writer handles;
//! `main.rs` only passes it the process's. The input is standard input, or the files and
//! directories of `-f` ([`input`]), each read on its own and analysed together; where each
//! finding is in them is a [`location`]. See docs/ARCHITECTURE.md.

#![cfg_attr(test, allow(clippy::expect_used, clippy::unwrap_used, clippy::panic))]

pub(crate) mod analyze;
pub mod api;
pub(crate) mod claims;
pub(crate) mod cli;
pub(crate) mod config;
mod docs;
mod engine;
pub(crate) mod error;
pub(crate) mod fingerprint;
mod framing;
mod input;
mod json;
pub(crate) mod kinds;
mod location;
pub(crate) mod model;
pub(crate) mod output;
mod pipeline;
pub(crate) mod read;
pub(crate) mod rewrite;
pub(crate) mod rules;
mod schema;
mod stdio;
pub(crate) mod storage;
pub(crate) mod strategy;
mod text;
pub(crate) mod verify;
pub(crate) mod yaml;

use std::ffi::OsString;
use std::io::{self, Read, Write};

use clap::Parser as _;

use crate::cli::Cli;
use crate::error::{exit, Fatal};

pub use crate::output::STDIN;

/// Runs rwo-guard as the process: its arguments and standard streams (a closed stdin or stdout
/// is an error, not an empty input or a lost output). Returns the exit code.
pub fn main() -> i32 {
    run(std::env::args_os(), &mut stdio::stdin(), &mut stdio::stdout(), &mut io::stderr().lock())
}

/// Runs rwo-guard with `args` (including the program name) over the given handles and returns
/// the exit code.
pub fn run<I, T>(args: I, stdin: &mut dyn Read, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() => {
            let _ = stderr.write_all(e.render().to_string().as_bytes());
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
    if let Some(what) = cli.generate {
        return match what.render().and_then(|text| stdout.write_all(&text)).and_then(|()| stdout.flush()) {
            Ok(()) => exit::OK,
            Err(err) => {
                output::fatal(&Fatal::Output(format!("cannot write the output: {err}")), None, b"", stdout, stderr)
            }
        };
    }
    if let Some(code) = files_or_misuse(&cli, stdout, stderr) {
        return code;
    }
    let mut input = Vec::new();
    let outcome = pipeline::read_input(stdin, stdin_size(), cli.limits(), &mut input)
        .and_then(|text| pipeline::process(&cli, text))
        .and_then(|done| output::write(&cli, &done, stdout, stderr));
    match outcome {
        Ok(code) => code,
        Err(fatal) => output::fatal(&fatal, Some(&cli), &input, stdout, stderr),
    }
}

/// A run over the files of `-f` (or a usage error no clap rule expresses): its exit code.
/// `None`: standard input is the input.
fn files_or_misuse(cli: &Cli, stdout: &mut dyn Write, stderr: &mut dyn Write) -> Option<i32> {
    if cli.results_to_stdout() && cli.diff {
        let misuse = input::Failure::usage("--results - and --diff both write standard output; choose one");
        let _ = stderr.write_all(misuse.fatal.render(STDIN, b"").as_bytes());
        return Some(misuse.fatal.exit_code());
    }
    if cli.filename.is_empty() {
        return None;
    }
    let sources = match input::read_files(&cli.filename, cli.limits()) {
        Ok(sources) => sources,
        Err(failure) => return Some(output::fatal_in_file(&failure, cli, stdout, stderr)),
    };
    let written = pipeline::process_files(cli, &sources)
        .and_then(|done| output::write(cli, &done, stdout, stderr).map_err(input::Failure::new));
    Some(match written {
        Ok(code) => code,
        Err(failure) => output::fatal_in_file(&failure, cli, stdout, stderr),
    })
}

/// The size of standard input when it is a regular file (so it is read into one allocation).
fn stdin_size() -> Option<u64> {
    use std::os::fd::AsFd as _;
    let fd = io::stdin().as_fd().try_clone_to_owned().ok()?;
    let meta = std::fs::File::from(fd).metadata().ok()?;
    meta.is_file().then_some(meta.len())
}

/// How many threads large inputs are read and verified on.
pub(crate) fn workers() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get).min(8)
}
