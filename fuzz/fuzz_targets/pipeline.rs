//! The whole pipeline (`rwo_guard::run`) on arbitrary bytes. The first byte picks the argument
//! set (default, --mode rolling, --null-rolling-update, --mode check, …); the rest is stdin.
//! Every property of `tests/props/invariants.rs` is asserted on every input.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/props/mod.rs"]
mod props;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, input)) = data.split_first() else { return };
    let sets = props::manifest::ARG_SETS;
    let args: Vec<String> = sets[usize::from(pick) % sets.len()].iter().map(|a| (*a).to_string()).collect();
    if let Err(problem) = props::invariants::check(input, &args) {
        panic!("args {args:?}: {problem}\n--- input\n{:?}", String::from_utf8_lossy(input));
    }
});
