//! The pass-through KRM function of the benchmark's kustomize section: copies stdin to stdout
//! unchanged. The ResourceList kustomize sends is itself a valid function response (items
//! unchanged, no results), so this is the least any container function can do; bench/run
//! compares the rwo-guard image against it.

use std::io::{self, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let stdin = io::stdin();
    let stdout = io::stdout();
    let (mut input, mut output) = (stdin.lock(), stdout.lock());
    match io::copy(&mut input, &mut output).and_then(|_| output.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("passthrough: {e}");
            ExitCode::FAILURE
        }
    }
}
