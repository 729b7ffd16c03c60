//! Directory trees for `-f`: the input bytes drive `tests/props/tree.rs`, which builds a tree
//! (generated manifests under odd names, subdirectories, symbolic links inside it and out of
//! it, broken links, a FIFO, junk files) in a scratch directory, runs rwo-guard over it with an
//! argument set (plain, `--in-place`, `--diff`, a `github` report), and checks the trust model:
//! nothing outside the path named read or written, no temporary file left, no raw control
//! character shown, no panic, never exit 4.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/props/mod.rs"]
mod props;

use props::manifest::Bytes;

fuzz_target!(|data: &[u8]| {
    let base = std::env::temp_dir().join(format!("rwo-guard-fuzz-tree-{}", std::process::id()));
    let mut src = Bytes::new(data);
    if let Err(problem) = props::tree::check(&mut src, &base) {
        panic!("{problem}");
    }
});
