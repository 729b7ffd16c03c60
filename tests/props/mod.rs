//! Shared by `tests/generated.rs` and the fuzz targets under `fuzz/` (included there with
//! `#[path]`): a generator of random manifests in many YAML styles ([`manifest`]), the
//! invariants every run of rwo-guard must satisfy ([`invariants`]), and generated directory
//! trees for `-f` with the trust model every run over one must keep ([`tree`]).

#![allow(dead_code)]

pub mod invariants;
pub mod manifest;
pub mod tree;
