//! Golden cases: every directory under `tests/golden/` holds an `input.yaml`, optionally a
//! `config.yaml` (passed as the CONFIG argument) and an `args` file (one flag per line; `$CASE/`
//! stands for the case's directory), and
//! `.expected/` with `output.yaml`, `results.yaml`, `stderr` and `exit-code`.
//!
//! Each case runs twice: once on its input, compared with `.expected/`, and once on its own
//! output, which must change nothing (idempotence). `RWO_GUARD_BLESS=1 cargo test --test suite golden::`
//! rewrites `.expected/` from what the code computes; review the diff before committing it.
//! `RWO_GUARD_GOLDEN=name` runs (or blesses) only the cases whose name contains `name`.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::fs;
use std::path::{Path, PathBuf};

struct Run {
    stdout: String,
    stderr: String,
    results: String,
    code: i32,
}

fn run(case: &Path, input: &[u8], scratch: &Path) -> Run {
    let results = scratch.join("results.yaml");
    let _ = fs::remove_file(&results);
    let mut args = vec!["rwo-guard".to_string(), "--results".into(), results.display().to_string()];
    if let Ok(extra) = fs::read_to_string(case.join("args")) {
        // `$CASE/` names a file of the case (a `--cluster` file).
        let dir = format!("{}/", case.display());
        args.extend(extra.lines().map(str::trim).filter(|l| !l.is_empty()).map(|l| l.replace("$CASE/", &dir)));
    }
    if case.join("config.yaml").exists() {
        args.push(case.join("config.yaml").display().to_string());
    }
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let code = rwo_guard::run(args, &mut &input[..], &mut stdout, &mut stderr);
    // The config's absolute path differs from clone to clone: show it relative to the case.
    let stderr = String::from_utf8(stderr).expect("utf-8 stderr").replace(&format!("{}/", case.display()), "");
    let results = fs::read_to_string(&results).unwrap_or_default().replace(&format!("{}/", case.display()), "");
    Run { stdout: String::from_utf8(stdout).expect("utf-8 stdout"), stderr, results, code }
}

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut cases: Vec<PathBuf> = fs::read_dir(&root)
        .expect("tests/golden exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.join("input.yaml").exists())
        .filter(|p| match std::env::var("RWO_GUARD_GOLDEN") {
            Ok(only) => p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.contains(&only)),
            Err(_) => true,
        })
        .collect();
    cases.sort();
    cases
}

/// The ResourceList's items part (everything but `results`), for the idempotence check.
fn without_results(text: &str) -> String {
    if let Ok(serde_json::Value::Object(mut root)) = serde_json::from_str::<serde_json::Value>(text) {
        root.remove("results");
        return serde_json::Value::Object(root).to_string();
    }
    match text.find("\nresults:\n") {
        Some(i) => text[..=i].to_string(),
        None => text.to_string(),
    }
}

#[test]
fn golden_cases() {
    let bless = std::env::var_os("RWO_GUARD_BLESS").is_some();
    let scratch = std::env::temp_dir().join(format!("rwo-guard-golden-{}", std::process::id()));
    fs::create_dir_all(&scratch).expect("scratch dir");
    let mut failures = Vec::new();
    let cases = cases();
    if std::env::var_os("RWO_GUARD_GOLDEN").is_none() {
        assert!(cases.len() >= 10, "expected the golden cases under tests/golden, found {}", cases.len());
    }
    for case in &cases {
        let name = case.file_name().and_then(|n| n.to_str()).unwrap_or("?").to_string();
        let input = fs::read(case.join("input.yaml")).expect("input.yaml");
        let got = run(case, &input, &scratch);
        let expected_dir = case.join(".expected");
        let files = [
            ("output.yaml", got.stdout.clone()),
            ("results.yaml", got.results.clone()),
            ("stderr", got.stderr.clone()),
            ("exit-code", format!("{}\n", got.code)),
        ];
        if bless {
            fs::create_dir_all(&expected_dir).expect("create .expected");
            for (file, content) in &files {
                fs::write(expected_dir.join(file), content).expect("bless");
            }
        } else {
            for (file, content) in &files {
                let want = fs::read_to_string(expected_dir.join(file)).unwrap_or_else(|_| "<missing>".into());
                if &want != content {
                    failures.push(format!("{name}: {file} differs\n--- expected\n{want}\n--- got\n{content}"));
                }
            }
        }
        // A JSON document stays JSON (a stream of JSON documents is not one JSON text; the
        // cases hold one document).
        if serde_json::from_slice::<serde_json::Value>(&input).is_ok()
            && got.code <= 1
            && serde_json::from_str::<serde_json::Value>(&got.stdout).is_err()
        {
            failures.push(format!("{name}: the input is JSON but the output is not:\n{}", got.stdout));
        }
        // Idempotence: the output, fed back, changes nothing.
        if got.code <= 1 && !got.stdout.is_empty() && !case.join("args").exists_and_contains("--diff") {
            let again = run(case, got.stdout.as_bytes(), &scratch);
            if without_results(&again.stdout) != without_results(&got.stdout) {
                failures.push(format!(
                    "{name}: a second run changed the output\n--- first\n{}\n--- second\n{}",
                    got.stdout, again.stdout
                ));
            }
            if again.results.contains("rule: strategy-rewritten") {
                failures.push(format!("{name}: a second run rewrote a strategy again"));
            }
        }
    }
    let _ = fs::remove_dir_all(&scratch);
    assert!(failures.is_empty(), "{} golden failure(s):\n\n{}", failures.len(), failures.join("\n\n"));
}

trait ContainsArg {
    fn exists_and_contains(&self, needle: &str) -> bool;
}

impl ContainsArg for PathBuf {
    fn exists_and_contains(&self, needle: &str) -> bool {
        fs::read_to_string(self).is_ok_and(|s| s.contains(needle))
    }
}
