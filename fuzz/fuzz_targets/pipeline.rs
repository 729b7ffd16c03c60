//! The whole pipeline (`rwo_guard::run`) on arbitrary bytes. The first byte picks the argument
//! set (default, --mode rolling, --null-rolling-update, --mode check, …; its high bit adds
//! `--max-depth 1000`, the highest accepted, so deep nesting reaches every step); the rest is
//! stdin.
//! Every property of `tests/props/invariants.rs` is asserted on every input.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/props/mod.rs"]
mod props;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, input)) = data.split_first() else { return };
    let sets = props::manifest::ARG_SETS;
    let mut args: Vec<String> = sets[usize::from(pick & 0x7f) % sets.len()].iter().map(|a| (*a).to_string()).collect();
    if pick & 0x80 != 0 {
        args.extend(["--max-depth".to_string(), "1000".to_string()]);
    }
    if let Err(problem) = props::invariants::check(input, &args) {
        panic!("args {args:?}: {problem}\n--- input\n{:?}", String::from_utf8_lossy(input));
    }
});
