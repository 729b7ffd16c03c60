//! Structured fuzzing: the input bytes drive the manifest grammar of `tests/props/manifest.rs`
//! (Deployments, PVCs, HPAs, ResourceLists… in random YAML styles) and then a few random
//! mutations, so most inputs are valid or nearly valid YAML that reaches deep into the
//! analysis and the rewriter. Every property of `tests/props/invariants.rs` is asserted.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/props/mod.rs"]
mod props;

use props::manifest::{generate, mutate, Bytes};

fuzz_target!(|data: &[u8]| {
    let mut src = Bytes::new(data);
    let case = generate(&mut src);
    let input = mutate(&case.input, &mut src);
    if let Err(problem) = props::invariants::check(input.as_bytes(), &case.args) {
        panic!("args {:?}: {problem}\n--- input\n{input:?}", case.args);
    }
});
