//! Keeps the documentation honest:
//! - the reference tables (findings and each rule's section, configuration fields, exit codes,
//!   report formats) must be exactly what rwo-guard renders from the tables it runs on
//!   (`rwo_guard::api::readme_tables`), wherever they live: README.md or a page of docs/. A
//!   rule, field or exit code added without its documentation fails here;
//! - the README's sample of `rwo-guard check` is the golden output of the tests/files case it
//!   names (which tests/files.rs proves the tool prints);
//! - the README stays at most 15 KB, and every relative link of README.md and docs/*.md leads
//!   to a file that exists.
//!
//! `RWO_GUARD_BLESS=1 cargo test --test suite readme::` rewrites the tables and the sample.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// README.md and every page of docs/.
fn pages() -> Vec<PathBuf> {
    let mut pages = vec![root().join("README.md")];
    let mut docs: Vec<PathBuf> = fs::read_dir(root().join("docs"))
        .expect("docs/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    pages.extend(docs);
    pages
}

/// Replaces the body of the `marker` block of `text` with `want` (bless) or says how it
/// differs; `None` when `text` has no such block.
fn block(text: &mut String, marker: &str, want: &str, bless: bool, page: &Path) -> Option<Result<(), String>> {
    let open = format!("<!-- {marker}:");
    let close = format!("<!-- /{marker} -->");
    let a = text.find(&open)?;
    let b = text.find(&close)?;
    let body_start = a + text[a..].find("-->\n").expect("marker line ends") + "-->\n".len();
    if text[body_start..b] == *want {
        return Some(Ok(()));
    }
    if bless {
        text.replace_range(body_start..b, want);
        return Some(Ok(()));
    }
    Some(Err(format!(
        "{}'s `{marker}` block differs from the code; expected:\n{want}\nfound:\n{}",
        page.display(),
        &text[body_start..b]
    )))
}

#[test]
fn documentation_tables_and_sample_match_the_code() {
    let bless = std::env::var_os("RWO_GUARD_BLESS").is_some();
    let mut texts: Vec<(PathBuf, String)> =
        pages().into_iter().map(|p| (p.clone(), fs::read_to_string(&p).expect("page"))).collect();
    let mut problems = Vec::new();
    for (marker, table) in rwo_guard::api::readme_tables() {
        let mut found = 0;
        for (page, text) in &mut texts {
            if let Some(result) = block(text, marker, &table, bless, page) {
                found += 1;
                problems.extend(result.err());
            }
        }
        if found != 1 {
            problems
                .push(format!("the `<!-- {marker}: … -->` block is in {found} pages of README.md and docs/, not one"));
        }
    }
    // The README's sample of `check`, in the same pass (one test writes the pages: no race).
    let (path, readme) = texts.iter_mut().find(|(p, _)| p.ends_with("README.md")).expect("README.md");
    problems.extend(sample(readme, bless, path).err());
    if bless {
        for (page, text) in &texts {
            if fs::read_to_string(page).ok().as_deref() != Some(text.as_str()) {
                fs::write(page, text).expect("bless");
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{}\n(bless with RWO_GUARD_BLESS=1 cargo test --test suite readme::)",
        problems.join("\n\n")
    );
}

/// Checks (or blesses) the README's sample of `check`: the golden output of the tests/files
/// case its block names, run with that case's arguments.
fn sample(readme: &mut String, bless: bool, path: &Path) -> Result<(), String> {
    let marker = "check-sample";
    let line = readme.lines().find(|l| l.starts_with(&format!("<!-- {marker}:"))).expect("a check-sample block");
    // A case of tests/files (its args, its .expected/stdout), or of tests/kustomize (built by
    // kubectl kustomize end to end: `check`, its args and path, its .expected/check/stdout).
    let (args, stdout) = if let Some(rest) = line.split("tests/kustomize/").nth(1) {
        let case = rest.split([' ', ')']).next().expect("a case named");
        let dir = root().join("tests/kustomize").join(case);
        let mut args = vec!["check".to_string()];
        args.extend(fs::read_to_string(dir.join("args")).expect("args").lines().map(String::from));
        args.push(fs::read_to_string(dir.join("path")).expect("path").trim().to_string());
        (args, fs::read_to_string(dir.join(".expected/check/stdout")).expect("the case's golden stdout"))
    } else {
        let case = line.split("tests/files/").nth(1).and_then(|r| r.split([' ', ')']).next()).expect("a case named");
        let dir = root().join("tests/files").join(case);
        let args: Vec<String> = fs::read_to_string(dir.join("args")).expect("args").lines().map(String::from).collect();
        (args, fs::read_to_string(dir.join(".expected/stdout")).expect("the case's golden stdout"))
    };
    let want = format!("```console\n$ rwo-guard {}\n{stdout}```\n", args.join(" "));
    block(readme, marker, &want, bless, path).expect("a check-sample block")
}

#[test]
fn the_readme_is_short_and_every_relative_link_resolves() {
    let readme = fs::read_to_string(root().join("README.md")).expect("README.md");
    assert!(readme.len() <= 15 * 1024, "README.md is {} bytes; at most 15 KB: move detail to docs/", readme.len());
    // The packaged crate leaves out what Cargo.toml's `exclude` lists (examples, scripts, …):
    // links there are checked in a clone only.
    let manifest = fs::read_to_string(root().join("Cargo.toml")).expect("Cargo.toml");
    let excluded: Vec<PathBuf> = manifest
        .split_once("exclude = [")
        .and_then(|(_, rest)| rest.split_once(']'))
        .map(|(list, _)| list.split('"').skip(1).step_by(2).map(|e| root().join(e.trim_start_matches('/'))).collect())
        .unwrap_or_default();
    let packaged = !root().join("Makefile").exists();
    let mut broken = Vec::new();
    for page in pages() {
        let text = fs::read_to_string(&page).expect("page");
        let dir = page.parent().expect("dir");
        for (i, _) in text.match_indices("](") {
            let rest = &text[i + 2..];
            let Some(end) = rest.find(')') else { continue };
            let target = &rest[..end];
            if target.contains("://")
                || target.starts_with('#')
                || target.starts_with("mailto:")
                || target.contains(' ')
            {
                continue;
            }
            let file = target.split('#').next().unwrap_or_default();
            let path = normalize(&dir.join(file));
            let left_out = packaged && excluded.iter().any(|e| path.starts_with(e));
            if !file.is_empty() && !path.exists() && !left_out {
                broken.push(format!("{}: {target}", page.display()));
            }
        }
    }
    assert!(broken.is_empty(), "links to nothing:\n{}", broken.join("\n"));
}

/// `path` with its `.` and `..` steps taken.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}
