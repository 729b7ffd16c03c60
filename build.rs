//! Build script: exports `RWO_GUARD_BUILD`, the text `--version` prints after the name:
//! `0.1.0 (3597d70)`, `0.1.0 (3597d70, dirty)` or `0.1.0 (unknown commit)`.
//!
//! Where the commit comes from, first found wins:
//! 1. `RWO_GUARD_COMMIT` (a hex commit id, set by a build that has no `.git`, such as the
//!    Dockerfile's build stage, from the commit it was given);
//! 2. `.cargo_vcs_info.json` beside Cargo.toml (a crate packaged by `cargo package`/`publish`
//!    records the commit it was packaged from there, with `"dirty": true` when it had changes);
//! 3. git, when this directory is the top of a git work tree: `git rev-parse --short HEAD`, and
//!    "dirty" when `git status` shows a change in what the binary is built from (`src/`,
//!    `build.rs`, `Cargo.toml`, `Cargo.lock`; untracked files there count). Changes elsewhere
//!    (tests, docs) do not make the binary differ from the commit's and are not reported.

use std::path::{Path, PathBuf};
use std::process::Command;

/// What the binary is built from: a change here makes a git build "dirty".
const BUILD_INPUTS: [&str; 4] = ["src", "build.rs", "Cargo.toml", "Cargo.lock"];

fn main() {
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    println!("cargo:rerun-if-env-changed=RWO_GUARD_COMMIT");
    println!("cargo:rerun-if-changed=.cargo_vcs_info.json");
    for input in BUILD_INPUTS {
        println!("cargo:rerun-if-changed={input}");
    }
    let commit = from_env().or_else(|| from_vcs_info(&dir)).or_else(|| from_git(&dir));
    let build = match commit {
        Some((id, false)) => format!("{version} ({id})"),
        Some((id, true)) => format!("{version} ({id}, dirty)"),
        None => format!("{version} (unknown commit)"),
    };
    println!("cargo:rustc-env=RWO_GUARD_BUILD={build}");
}

/// A commit id as given: 7 to 40 hex digits, shortened to 7.
fn short(id: &str) -> Option<String> {
    let id = id.trim();
    ((7..=40).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_hexdigit())).then(|| id[..7].to_ascii_lowercase())
}

fn from_env() -> Option<(String, bool)> {
    let id = std::env::var("RWO_GUARD_COMMIT").ok()?;
    if id.trim().is_empty() {
        return None;
    }
    match short(&id) {
        Some(id) => Some((id, false)),
        None => {
            println!("cargo:warning=RWO_GUARD_COMMIT={id:?} is not a commit id (7 to 40 hex digits); ignored");
            None
        }
    }
}

/// `{"git": {"sha1": "…", "dirty": true}, "path_in_vcs": ""}`, as cargo writes it.
fn from_vcs_info(dir: &Path) -> Option<(String, bool)> {
    let text = std::fs::read_to_string(dir.join(".cargo_vcs_info.json")).ok()?;
    let after = &text[text.find("\"sha1\"")? + "\"sha1\"".len()..];
    let value = after.trim_start().strip_prefix(':')?.trim_start().strip_prefix('"')?;
    let id = short(&value[..value.find('"')?])?;
    let dirty = text.split_whitespace().collect::<String>().contains("\"dirty\":true");
    Some((id, dirty))
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git").arg("-C").arg(dir).args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn from_git(dir: &Path) -> Option<(String, bool)> {
    // Only this crate's own repository: a crate unpacked inside another repository (vendored,
    // or under a project's target/) must not report that repository's commit.
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    if std::fs::canonicalize(&top).ok()? != std::fs::canonicalize(dir).ok()? {
        return None;
    }
    let id = git(dir, &["rev-parse", "--short", "HEAD"])?;
    // Rebuild when HEAD moves (checkout, commit) or the index changes (add, commit). Only
    // files that exist: cargo reruns the script on every build for a missing one.
    let mut watched = vec!["HEAD".to_string(), "index".to_string(), "packed-refs".to_string()];
    watched.extend(git(dir, &["symbolic-ref", "-q", "HEAD"]));
    for file in watched {
        if let Some(path) = git(dir, &["rev-parse", "--path-format=absolute", "--git-path", &file]) {
            if Path::new(&path).exists() {
                println!("cargo:rerun-if-changed={path}");
            }
        }
    }
    // --no-optional-locks: `git status` must not rewrite the index it is watched through.
    let mut status = vec!["--no-optional-locks", "status", "--porcelain", "--"];
    status.extend(BUILD_INPUTS);
    let dirty = !git(dir, &status)?.is_empty();
    Some((id, dirty))
}
