//! `rwo-guard check`, `fix`, `rules` and `explain` as a person runs them (the golden trees are
//! in tests/files: check-*, fix-*): the rules list and an explanation (golden, tests/cli/), the
//! GitLab Code Quality report checked field by field against GitLab's documentation (GitLab
//! publishes no schema package), the hints for a directory given to the filter and for a
//! terminal on standard input, standard input as a path, colours, and what is a usage error.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use crate::common;

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{copy_tree, repo, require, run_with, scratch, Ran};

fn rwo_guard(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Ran {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rwo-guard"));
    cmd.args(args).current_dir(dir).env_remove("NO_COLOR");
    run_with(cmd, stdin, Duration::from_secs(60))
}

fn platform(name: &str) -> std::path::PathBuf {
    let dir = scratch(name);
    copy_tree(&repo().join("tests/files/check-platform/tree"), &dir);
    dir
}

fn golden(name: &str, got: &str) {
    let path = repo().join("tests/cli").join(name);
    if std::env::var_os("RWO_GUARD_BLESS").is_some() {
        fs::write(&path, got).expect("bless");
    }
    let want = fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(got, want, "{name} changed; review and bless with RWO_GUARD_BLESS=1");
}

#[test]
fn check_and_fix_help_are_golden() {
    let dir = scratch("check-help");
    for (cmd, file) in [("check", "check-help.txt"), ("fix", "fix-help.txt")] {
        let ran = rwo_guard(&dir, &[cmd, "--help"], None);
        assert_eq!(ran.code, 0, "{}", ran.show());
        golden(file, &ran.stdout);
    }
}

#[test]
fn rules_and_explain_are_golden() {
    let dir = scratch("check-rules");
    let rules = rwo_guard(&dir, &["rules"], None);
    assert_eq!(rules.code, 0, "{}", rules.show());
    golden("rules.txt", &rules.stdout);
    // replicas, and the storage rules (node-pinned for its node-local storage).
    for id in [
        "replicas",
        "node-pinned",
        "access-modes-missing",
        "access-mode-unsupported",
        "immediate-binding",
        "pdb-blocks-drain",
        "fsgroup-recursive-chown",
        "cluster-object-replaced",
    ] {
        let explain = rwo_guard(&dir, &["explain", id], None);
        assert_eq!(explain.code, 0, "{}", explain.show());
        golden(&format!("explain-{id}.txt"), &explain.stdout);
    }
    let typo = rwo_guard(&dir, &["explain", "replica"], None);
    assert_eq!((typo.code, typo.stdout.as_str()), (2, ""), "{}", typo.show());
    assert!(typo.stderr.contains("did you mean `replicas`?"), "{}", typo.stderr);
}

#[test]
fn the_gitlab_report_has_every_field_gitlab_reads() {
    // docs.gitlab.com/ci/testing/code_quality: an array of issues, each with `description`,
    // `check_name`, `fingerprint` (unique), `severity` (info, minor, major, critical, blocker),
    // `location.path` (relative to the repository) and `location.lines.begin`.
    let dir = platform("check-gitlab");
    let ran = rwo_guard(&dir, &["check", "--no-build", "--format", "gitlab", "components/manifests"], None);
    assert_eq!(ran.code, 1, "{}", ran.show());
    assert!(ran.stderr.starts_with("rwo-guard: 13 files"), "the summary goes to stderr: {}", ran.stderr);
    let issues: Vec<serde_json::Value> = serde_json::from_str(&ran.stdout).expect("a JSON array");
    assert!(!issues.is_empty());
    let mut fingerprints = std::collections::HashSet::new();
    for i in &issues {
        assert!(i["description"].as_str().is_some_and(|d| !d.is_empty()), "{i}");
        assert!(i["check_name"].as_str().is_some_and(|c| c.chars().all(|c| c.is_ascii_lowercase() || c == '-')));
        assert!(fingerprints.insert(i["fingerprint"].as_str().expect("fingerprint").to_string()), "unique: {i}");
        assert!(["info", "minor", "major", "critical", "blocker"].contains(&i["severity"].as_str().unwrap_or("")));
        let path = i["location"]["path"].as_str().expect("path");
        assert!(!path.starts_with('/') && dir.join(path).is_file(), "a file of the repository: {path}");
        assert!(i["location"]["lines"]["begin"].as_u64().is_some_and(|l| l >= 1), "{i}");
    }
}

#[test]
fn the_filter_given_a_directory_suggests_check() {
    let dir = platform("check-hint");
    let ran = rwo_guard(&dir, &["components/manifests"], Some(b""));
    assert_eq!((ran.code, ran.stdout.as_str()), (2, ""), "{}", ran.show());
    // The tip is a line of its own (it once came out as a literal `\n` once messages were escaped).
    assert_eq!(
        ran.stderr,
        "rwo-guard: error: components/manifests is a directory, not a config file\n  tip: did you mean: rwo-guard check components/manifests\n",
        "{}",
        ran.show()
    );
}

#[test]
#[ignore = "end to end: needs script (util-linux) for a terminal; run `make test`"]
fn a_terminal_on_standard_input_gets_a_hint_not_a_wait() {
    let script = require("script", "install util-linux (`script`)");
    let dir = scratch("check-terminal");
    let bin = env!("CARGO_BIN_EXE_rwo-guard");
    for args in ["", " check -"] {
        // `script` gives rwo-guard a terminal on standard input; `timeout` fails the test
        // instead of hanging it if rwo-guard waits for input.
        let line = format!("timeout 10 {bin}{args}; echo \"exit $?\"");
        let mut cmd = common::command(&script, &["-qec", &line, "/dev/null"], &dir);
        cmd.env("TERM", "dumb");
        let ran = run_with(cmd, Some(b""), Duration::from_secs(30));
        assert!(ran.stdout.contains("standard input is a terminal"), "{args}: {}", ran.show());
        assert!(ran.stdout.contains("\n  tip: rwo-guard check DIR"), "{args}: {}", ran.show());
        assert!(ran.stdout.contains("exit 2"), "{args}: {}", ran.show());
    }
}

#[test]
fn standard_input_is_a_path_with_its_own_lines() {
    let dir = scratch("check-stdin");
    let text = fs::read(
        repo().join("tests/files/check-platform/tree/components/manifests/base/core/postgresql-deployment.yaml"),
    )
    .expect("fixture");
    let pvc =
        fs::read(repo().join("tests/files/check-platform/tree/components/manifests/base/core/postgresql-pvc.yaml"))
            .expect("fixture");
    let input = [pvc, b"---\n".to_vec(), text].concat();
    let ran = rwo_guard(&dir, &["check", "--no-config", "-"], Some(&input));
    assert_eq!(ran.code, 1, "{}", ran.show());
    assert_eq!(
        ran.stdout,
        "<stdin>:16:3: error [strategy-unsafe] Deployment postgresql: would add spec.strategy: {type: Recreate}\nrwo-guard: 1 file, 2 objects, 1 workload checked: 1 error, 0 warnings, 0 suppressed\n"
    );
    let fixed = rwo_guard(&dir, &["fix", "--no-config", "-"], Some(&input));
    assert_eq!(fixed.code, 0, "{}", fixed.show());
    assert!(fixed.stdout.contains("  strategy:\n    type: Recreate\n"), "the fixed stream: {}", fixed.stdout);
    assert!(fixed.stderr.contains("1 workload fixed"), "the report goes to stderr: {}", fixed.stderr);
    let mixed = rwo_guard(&dir, &["check", "-", "."], Some(&input));
    assert_eq!((mixed.code, mixed.stdout.as_str()), (2, ""), "{}", mixed.show());
    assert!(mixed.stderr.contains("cannot be given with other paths"), "{}", mixed.stderr);
}

#[test]
fn an_empty_input_still_gets_its_summary() {
    let dir = scratch("check-empty");
    let ran = rwo_guard(&dir, &["check", "--no-config"], None);
    assert_eq!(ran.code, 0, "{}", ran.show());
    assert_eq!(ran.stdout, "rwo-guard: 0 files, 0 objects, 0 workloads checked: 0 errors, 0 warnings, 0 suppressed\n");
    let filter = rwo_guard(&dir, &[], Some(b""));
    assert_eq!((filter.code, filter.stdout.as_str()), (0, ""), "{}", filter.show());
    assert_eq!(filter.stderr, "rwo-guard: 0 workloads fixed, 0 warnings, 0 errors\n");
}

#[test]
fn severities_are_coloured_when_asked_and_never_in_a_file() {
    let dir = platform("check-colour");
    let always = rwo_guard(&dir, &["check", "--no-build", "--color", "always", "components/manifests"], None);
    assert!(always.stdout.contains("\u{1b}[1;31merror\u{1b}[0m [strategy-unsafe]"), "{}", always.stdout);
    let auto = rwo_guard(&dir, &["check", "--no-build", "components/manifests"], None);
    assert!(!auto.stdout.contains('\u{1b}'), "not a terminal: {}", auto.stdout);
    let file = rwo_guard(
        &dir,
        &["check", "--no-build", "--color", "always", "-o", "report.txt", "components/manifests"],
        None,
    );
    assert_eq!((file.code, file.stdout.as_str()), (1, ""), "{}", file.show());
    let report = fs::read_to_string(dir.join("report.txt")).expect("report");
    assert!(!report.contains('\u{1b}') && report.contains("error [strategy-unsafe]"), "{report}");
}

#[test]
fn check_never_writes_and_fix_writes_all_or_nothing() {
    let dir = platform("check-writes");
    let before = fs::read(dir.join("components/manifests/base/core/backend-deployment.yaml")).expect("read");
    let ran = rwo_guard(&dir, &["check", "--no-build", "--mode", "recreate", "components/manifests"], None);
    assert_eq!(ran.code, 1, "check reports, whatever the mode: {}", ran.show());
    assert_eq!(fs::read(dir.join("components/manifests/base/core/backend-deployment.yaml")).expect("read"), before);
    let fixed = rwo_guard(&dir, &["fix", "--no-build", "components/manifests"], None);
    assert_eq!(fixed.code, 0, "{}", fixed.show());
    let again = rwo_guard(&dir, &["check", "--no-build", "components/manifests"], None);
    assert_eq!(again.code, 0, "{}", again.show());
    assert!(again.stdout.ends_with("0 errors, 0 warnings, 0 suppressed (8 more with -v)\n"), "{}", again.stdout);
}

#[test]
fn a_results_format_without_results_is_a_usage_error() {
    let dir = scratch("check-results-format");
    let ran = rwo_guard(&dir, &["--results-format", "sarif"], Some(b"a: 1\n"));
    assert_eq!((ran.code, ran.stdout.as_str()), (2, ""), "{}", ran.show());
    assert!(ran.stderr.contains("--results <FILE>"), "{}", ran.stderr);
}

#[test]
fn a_bad_config_file_is_named_with_every_problem() {
    let dir = platform("check-bad-config");
    fs::write(dir.join(".rwo-guard.yaml"), "rules:\n  replica: off\nexclude: legacy\nfailOn: sometimes\n")
        .expect("write");
    let ran = rwo_guard(&dir, &["check", "--no-build", "components/manifests"], None);
    assert_eq!((ran.code, ran.stdout.as_str()), (2, ""), "{}", ran.show());
    assert!(ran.stderr.contains("invalid configuration in .rwo-guard.yaml"), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("rules.replica: `replica` is not a rule id (did you mean `replicas`?"),
        "{}",
        ran.stderr
    );
    assert!(ran.stderr.contains("exclude: must be a list, found a string"), "{}", ran.stderr);
    assert!(ran.stderr.contains("failOn: `sometimes` is not one of error, warning, never"), "{}", ran.stderr);
    let ignored = rwo_guard(&dir, &["check", "--no-build", "--no-config", "components/manifests"], None);
    assert_eq!(ignored.code, 1, "{}", ignored.show());
    let named = rwo_guard(&dir, &["check", "--no-build", "--config", "missing.yaml", "components/manifests"], None);
    assert_eq!(named.code, 2, "{}", named.show());
    assert!(named.stderr.contains("cannot read config file missing.yaml"), "{}", named.stderr);
}

#[test]
fn the_configuration_is_found_in_a_parent_up_to_the_repository_root() {
    let dir = scratch("check-discover");
    copy_tree(&repo().join("tests/files/check-config/tree"), &dir.join("repo"));
    fs::create_dir_all(dir.join("repo/.git")).expect("a repository root");
    let deploy = dir.join("repo/deploy");
    // From a subdirectory: the root's .rwo-guard.yaml applies (replicas is an error there, the
    // external claim is off, legacy/ is excluded).
    let ran = rwo_guard(&deploy, &["check", "-v", "."], None);
    assert_eq!(ran.code, 1, "{}", ran.show());
    assert!(ran.stdout.contains("web.yaml:6:13: error [replicas]"), "{}", ran.stdout);
    assert!(!ran.stdout.contains("external-claim"), "{}", ran.stdout);
    assert!(ran.stdout.contains("legacy/old.yaml: skipped excluded by `deploy/legacy`"), "{}", ran.stdout);
    // Above the repository root a file is not read.
    fs::rename(dir.join("repo/.rwo-guard.yaml"), dir.join(".rwo-guard.yaml")).expect("move");
    let ran = rwo_guard(&deploy, &["check", "."], None);
    assert!(ran.stdout.contains("warning [replicas]") && ran.stdout.contains("external-claim"), "{}", ran.stdout);
    // --config names one anywhere; its globs are relative to it.
    let ran = rwo_guard(&deploy, &["check", "-v", "--config", "../../.rwo-guard.yaml", "."], None);
    assert!(ran.stdout.contains("error [replicas]"), "{}", ran.stdout);
}
