//! Shared by `tests/generated.rs` and the fuzz targets under `fuzz/` (included there with
//! `#[path]`): a generator of random manifests in many YAML styles ([`manifest`]) and the
//! invariants every run of rwo-guard must satisfy ([`invariants`]).

#![allow(dead_code)]

pub mod invariants;
pub mod manifest;
