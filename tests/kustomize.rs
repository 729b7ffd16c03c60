//! Kustomize repositories checked and fixed at their source (docs/kustomize.md), end to end:
//! every root is built by the real `kubectl kustomize`.
//!
//! Golden cases: every directory under `tests/kustomize/` holds a `tree/` (copied to a scratch
//! directory, where rwo-guard runs on `tree`; or, when the case has a `path` file, inside the
//! tree on that path), `args` (more arguments, one a line) and `roots` (the roots that build,
//! relative to the tree). README's sample is the ambient-code case's check (tests/readme.rs). Each case is run three times:
//! 1. check: `.expected/check/stdout` (the report), `stderr` and `exit-code`; no file changes;
//! 2. fix: `.expected/fix/stdout`, `stderr`, `exit-code`, and `changed/` (every file of the tree the run
//!    changed or created, as it is after the run); every other file stays byte-identical;
//! 3. after a fix that wrote: every root of `roots` is built again by `kubectl kustomize` and
//!    piped into `rwo-guard --mode check` (the filter, on standard input), which must find
//!    nothing to fix; and fix again changes nothing.
//!
//! A build error's text is kustomize's and the machine's (its resolver, where git is): the
//! golden stderr keeps the located start of the line, `… <kustomize's error>`.
//! `RWO_GUARD_BLESS=1 cargo test --test suite kustomize:: -- --include-ignored` rewrites `.expected/`.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use crate::common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::{copy_tree, require, run_with, scratch, snapshot, Ran};

const NEEDS: &str = "install kubectl (scripts/install-deps.sh)";

/// The command line of `action` (check or fix) over `path`.
fn rwo_guard(action: &str, path: &str, extra: &[String]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rwo-guard"));
    cmd.args([action, path, "--kustomize", "kubectl", "--no-config"]).args(extra);
    cmd
}

fn run_in(dir: &Path, mut cmd: Command, stdin: Option<&[u8]>) -> Ran {
    cmd.current_dir(dir);
    run_with(cmd, stdin, Duration::from_secs(180))
}

/// The stderr with each build error's own text (kustomize's, naming this machine's resolver
/// and git) replaced by `<kustomize's error>`.
fn stable(stderr: &str) -> String {
    stderr
        .lines()
        .map(|l| match l.find(": error: cannot build the root ").and_then(|i| l[i..].find(" failed").map(|j| i + j)) {
            Some(at) => format!("{} failed: <kustomize's error>\n", &l[..at]),
            None => format!("{l}\n"),
        })
        .collect()
}

fn lines(path: &Path) -> Vec<String> {
    fs::read_to_string(path).unwrap_or_default().lines().filter(|l| !l.is_empty()).map(String::from).collect()
}

/// Compares (or blesses) `got` against the files under `expected`.
fn compare(name: &str, expected: &Path, got: &BTreeMap<String, Vec<u8>>, failures: &mut Vec<String>) {
    if std::env::var_os("RWO_GUARD_BLESS").is_some() {
        let _ = fs::remove_dir_all(expected);
        for (f, content) in got {
            let p = expected.join(f);
            fs::create_dir_all(p.parent().expect("parent")).expect("dirs");
            fs::write(p, content).expect("bless");
        }
        return;
    }
    let want = if expected.exists() { snapshot(expected) } else { BTreeMap::new() };
    for k in want.keys().chain(got.keys()).collect::<std::collections::BTreeSet<_>>() {
        if want.get(k) != got.get(k) {
            failures.push(format!(
                "{name}: {k} differs\n--- expected\n{}\n--- got\n{}",
                want.get(k).map_or("<missing>".into(), |b| String::from_utf8_lossy(b).into_owned()),
                got.get(k).map_or("<missing>".into(), |b| String::from_utf8_lossy(b).into_owned())
            ));
        }
    }
}

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kustomize");
    let mut cases: Vec<PathBuf> = fs::read_dir(&root)
        .expect("tests/kustomize")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.join("tree").is_dir())
        .collect();
    cases.sort();
    cases
}

#[test]
#[ignore = "end to end: needs kubectl; run `make test`"]
fn golden_kustomize_repositories() {
    require("kubectl", NEEDS);
    let cases = cases();
    assert!(cases.len() >= 7, "expected the cases under tests/kustomize, found {}", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().and_then(|n| n.to_str()).unwrap_or("?").to_string();
        let scratch_dir = scratch(&format!("kustomize-{name}"));
        let tree = scratch_dir.join("tree");
        copy_tree(&case.join("tree"), &tree);
        // `path`: run inside the tree on that path (the README's sample); else on `tree`.
        let (dir, path) = match fs::read_to_string(case.join("path")) {
            Ok(p) => (tree.clone(), p.trim().to_string()),
            Err(_) => (scratch_dir.clone(), "tree".to_string()),
        };
        let before = snapshot(&tree);
        let extra = lines(&case.join("args"));
        let expected = case.join(".expected");

        let check = run_in(&dir, rwo_guard("check", &path, &extra), None);
        if snapshot(&tree) != before {
            failures.push(format!("{name}: check changed files\n{}", check.show()));
        }
        let got = BTreeMap::from([
            ("stdout".to_string(), check.stdout.clone().into_bytes()),
            ("stderr".to_string(), stable(&check.stderr).into_bytes()),
            ("exit-code".to_string(), format!("{}\n", check.code).into_bytes()),
        ]);
        compare(&name, &expected.join("check"), &got, &mut failures);

        let fix = run_in(&dir, rwo_guard("fix", &path, &extra), None);
        let after = snapshot(&tree);
        let mut got = BTreeMap::from([
            ("stdout".to_string(), fix.stdout.clone().into_bytes()),
            ("stderr".to_string(), stable(&fix.stderr).into_bytes()),
            ("exit-code".to_string(), format!("{}\n", fix.code).into_bytes()),
        ]);
        for (k, v) in &after {
            if before.get(k) != Some(v) {
                got.insert(format!("changed/{k}"), v.clone());
            }
        }
        if before.keys().any(|k| !after.contains_key(k)) {
            failures.push(format!("{name}: fix removed files"));
        }
        compare(&name, &expected.join("fix"), &got, &mut failures);
        if fix.code == 3 && after != before {
            failures.push(format!("{name}: a fix that stopped on an error wrote files"));
        }
        if after == before {
            continue;
        }
        for root in lines(&case.join("roots")) {
            let built = run_in(&tree, common::command("kubectl", &["kustomize", &root], &tree), None);
            if built.code != 0 {
                failures.push(format!("{name}: {root} does not build after fix\n{}", built.show()));
                continue;
            }
            let mut filter = Command::new(env!("CARGO_BIN_EXE_rwo-guard"));
            filter.args(["--mode", "check"]);
            let checked = run_in(&dir, filter, Some(built.stdout.as_bytes()));
            if checked.code != 0 || checked.stderr.contains(": error:") {
                failures.push(format!("{name}: {root} still has a strategy to fix after fix\n{}", checked.show()));
            }
        }
        let again = run_in(&dir, rwo_guard("fix", &path, &extra), None);
        if snapshot(&tree) != after || again.code != 0 && again.code != 1 {
            failures.push(format!("{name}: a second fix changed files or failed\n{}", again.show()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A tree of `n` roots: `n` overlays over one shared base of two apps (one renamed per
/// overlay), and `n` standalone apps.
fn generated_tree(dir: &Path, n: usize) {
    let dep = |name: &str, claim: &str| {
        format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  selector:\n    matchLabels: {{app: {name}}}\n  template:\n    metadata:\n      labels: {{app: {name}}}\n    spec:\n      containers:\n      - name: c\n        image: example.com/{name}:1\n      volumes:\n      - name: d\n        persistentVolumeClaim:\n          claimName: {claim}\n")
    };
    let pvc = |name: &str| {
        format!("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: {name}\nspec:\n  accessModes: [ReadWriteOnce]\n")
    };
    let w = |p: PathBuf, t: String| {
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, t).unwrap();
    };
    w(dir.join("base/kustomization.yaml"), "resources:\n- db.yaml\n- db-pvc.yaml\n- web.yaml\n".into());
    w(dir.join("base/db.yaml"), dep("db", "db-data"));
    w(dir.join("base/db-pvc.yaml"), pvc("db-data"));
    w(dir.join("base/web.yaml"), dep("web", "db-data"));
    for i in 0..n / 2 {
        w(
            dir.join(format!("overlays/o{i}/kustomization.yaml")),
            format!("namePrefix: o{i}-\nnamespace: ns{i}\nresources:\n- ../../base\n"),
        );
    }
    for i in 0..n - n / 2 {
        w(dir.join(format!("apps/a{i}/kustomization.yaml")), "resources:\n- app.yaml\n- pvc.yaml\n".into());
        w(dir.join(format!("apps/a{i}/app.yaml")), dep(&format!("a{i}"), &format!("a{i}-data")));
        w(dir.join(format!("apps/a{i}/pvc.yaml")), pvc(&format!("a{i}-data")));
    }
}

#[test]
#[ignore = "end to end: needs kubectl; run `make test`"]
fn fifty_generated_roots_are_built_checked_and_fixed() {
    require("kubectl", NEEDS);
    let dir = scratch("kustomize-fifty");
    generated_tree(&dir.join("tree"), 50);
    let started = Instant::now();
    let check = run_in(&dir, rwo_guard("check", "tree", &[]), None);
    let check_time = started.elapsed();
    assert_eq!(check.code, 1, "{}", check.show());
    // 25 apps and the shared base's two workloads, each once: the base's findings list the
    // 25 overlays that build it.
    assert!(
        check.stdout.contains("rwo-guard: 53 files, 53 objects, 27 workloads checked: 27 errors"),
        "{}",
        check.show()
    );
    assert!(
        check
            .stdout
            .contains("tree/base/db.yaml:6:3: error [strategy-unsafe] Deployment db [roots: tree/overlays/o0, "),
        "{}",
        check.show()
    );
    let started = Instant::now();
    let fix = run_in(&dir, rwo_guard("fix", "tree", &[]), None);
    let fix_time = started.elapsed();
    assert_eq!(fix.code, 0, "{}", fix.show());
    assert!(fix.stdout.contains("; 27 workloads fixed"), "{}", fix.show());
    eprintln!(
        "50 roots: check {:.2} s, fix (with the rebuild of every root) {:.2} s",
        check_time.as_secs_f64(),
        fix_time.as_secs_f64()
    );
}

#[test]
#[ignore = "end to end: needs kubectl; run `make test`"]
fn without_kustomize_or_kubectl_the_error_names_both_and_no_build() {
    require("kubectl", NEEDS);
    let dir = scratch("kustomize-no-tool");
    copy_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kustomize/shared-base/tree"), &dir.join("tree"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rwo-guard"));
    cmd.args(["check", "tree", "--no-config"]).env("PATH", dir.join("empty"));
    let ran = run_in(&dir, cmd, None);
    assert_eq!(ran.code, 2, "{}", ran.show());
    for word in ["kustomize", "kubectl", "--no-build"] {
        assert!(ran.stderr.contains(word), "{}", ran.show());
    }
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rwo-guard"));
    cmd.args(["check", "tree", "--no-config", "--no-build", "-v"]).env("PATH", dir.join("empty"));
    let plain = run_in(&dir, cmd, None);
    // The files as plain manifests: kustomization files skipped, both overlays' claims read
    // side by side (a duplicate), nothing built.
    assert_eq!(plain.code, 0, "{}", plain.show());
    assert!(
        plain.stdout.contains("tree/base/kustomization.yaml: skipped a kustomize Kustomization"),
        "{}",
        plain.show()
    );
    assert!(plain.stdout.contains("[duplicate-object] PersistentVolumeClaim cache-data"), "{}", plain.show());
}

#[test]
#[ignore = "end to end: needs kubectl; run `make test`"]
fn a_build_past_its_timeout_is_stopped_and_located() {
    require("kubectl", NEEDS);
    let dir = scratch("kustomize-timeout");
    copy_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kustomize/shared-base/tree"), &dir.join("tree"));
    let slow = dir.join("slow-kustomize");
    fs::write(&slow, "#!/bin/sh\nexec sleep 30\n").unwrap();
    fs::set_permissions(&slow, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rwo-guard"));
    cmd.args(["check", "tree", "--no-config", "--kustomize", "./slow-kustomize build", "--build-timeout", "1"]);
    let started = Instant::now();
    let ran = run_in(&dir, cmd, None);
    assert!(started.elapsed() < Duration::from_secs(20), "the builds were not stopped at their deadline");
    assert_eq!(ran.code, 3, "{}", ran.show());
    assert!(
        ran.stderr.contains("tree/overlays/shared-fs/kustomization.yaml: error: cannot build the root tree/overlays/shared-fs: the build did not finish within 1 s (--build-timeout)"),
        "{}",
        ran.show()
    );
}

#[test]
#[ignore = "end to end: needs kubectl; run `make test`"]
fn build_args_reach_kustomize() {
    require("kubectl", NEEDS);
    let dir = scratch("kustomize-build-arg");
    let tree = dir.join("tree");
    fs::create_dir_all(tree.join("app")).unwrap();
    fs::create_dir_all(tree.join("shared")).unwrap();
    // A file outside the root: kustomize refuses it unless the load restrictor is lifted.
    fs::write(tree.join("app/kustomization.yaml"), "resources:\n- ../shared/pvc.yaml\n").unwrap();
    fs::write(
        tree.join("shared/pvc.yaml"),
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: d\nspec:\n  accessModes: [ReadWriteOnce]\n",
    )
    .unwrap();
    let refused = run_in(&dir, rwo_guard("check", "tree", &[]), None);
    assert_eq!(refused.code, 3, "{}", refused.show());
    let args = ["--build-arg".to_string(), "--load-restrictor=LoadRestrictionsNone".to_string()];
    let allowed = run_in(&dir, rwo_guard("check", "tree", &args), None);
    assert_eq!(allowed.code, 0, "{}", allowed.show());
}

#[test]
#[ignore = "end to end: needs kubectl; run `make test`"]
fn every_report_format_places_findings_at_their_source() {
    require("kubectl", NEEDS);
    let dir = scratch("kustomize-formats");
    copy_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kustomize/ambient-code/tree"), &dir.join("tree"));
    let base = "tree/components/manifests/base/core/minio-deployment.yaml";
    for format in ["json", "sarif", "junit", "github", "gitlab", "yaml"] {
        let ran = run_in(&dir, rwo_guard("check", "tree", &["--format".into(), format.into()]), None);
        assert_eq!(ran.code, 1, "{format}\n{}", ran.show());
        assert!(ran.stdout.contains(base), "{format}: the finding names its source file\n{}", ran.show());
        assert!(ran.stdout.contains("strategy-unsafe"), "{format}\n{}", ran.show());
        assert!(
            !ran.stdout.contains("grafana-pvc.yaml") || format == "yaml",
            "{format}: the stray file is no object\n{}",
            ran.show()
        );
    }
    let sarif = run_in(&dir, rwo_guard("check", "tree", &["--format".into(), "sarif".into()]), None);
    let value: serde_json::Value = serde_json::from_str(&sarif.stdout).expect("SARIF is JSON");
    let result = &value["runs"][0]["results"][0];
    let at = &result["locations"][0]["physicalLocation"];
    assert_eq!(at["artifactLocation"]["uri"], base, "{result}");
    assert_eq!(at["region"]["startLine"], 9, "the line of spec in the source file: {result}");
}

#[test]
#[ignore = "end to end: needs kubectl; run `make test`"]
fn exclude_leaves_out_plain_files_beside_the_roots() {
    require("kubectl", NEEDS);
    let dir = scratch("kustomize-exclude");
    copy_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kustomize/renames/tree"), &dir.join("tree"));
    let all = run_in(&dir, rwo_guard("check", "tree", &[]), None);
    assert!(all.stdout.contains("tree/plain/tools.yaml:8:3: error [strategy-unsafe]"), "{}", all.show());
    let args = ["--exclude".to_string(), "plain".to_string(), "-v".to_string()];
    let some = run_in(&dir, rwo_guard("check", "tree", &args), None);
    assert!(!some.stdout.contains("tools.yaml:8"), "{}", some.show());
    assert!(some.stdout.contains("tree/plain/tools.yaml: skipped excluded by `plain`"), "{}", some.show());
    assert!(some.stdout.contains("tree/base/search-deployment.yaml:13:5: error [strategy-unsafe]"), "{}", some.show());
}

#[test]
#[ignore = "end to end: needs kubectl; run `make test`"]
fn fix_never_writes_outside_the_paths_given() {
    require("kubectl", NEEDS);
    let dir = scratch("kustomize-outside");
    copy_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kustomize/ambient-code/tree"), &dir.join("tree"));
    let manifests = dir.join("tree/components/manifests");
    let base = manifests.join("base/core/minio-deployment.yaml");
    let before = fs::read(&base).unwrap();
    // Only one overlay is given: the base it builds is outside, so the overlay gets a patch.
    let fixed = run_in(&manifests, rwo_guard("fix", "overlays/production", &["-v".into()]), None);
    assert_eq!(fixed.code, 0, "{}", fixed.show());
    assert_eq!(fs::read(&base).unwrap(), before, "the base outside the path is unchanged\n{}", fixed.show());
    let patch = manifests.join("overlays/production/minio-strategy-patch.yaml");
    assert!(patch.exists(), "{}", fixed.show());
    assert!(
        fixed.stdout.contains("overlays/production/minio-strategy-patch.yaml:8:3: info [strategy-rewritten] Deployment minio [root: overlays/production]"),
        "{}",
        fixed.show()
    );
    let built = run_in(&manifests, common::command("kubectl", &["kustomize", "overlays/production"], &manifests), None);
    assert_eq!(built.code, 0, "{}", built.show());
    let mut filter = Command::new(env!("CARGO_BIN_EXE_rwo-guard"));
    filter.args(["--mode", "check"]);
    let checked = run_in(&manifests, filter, Some(built.stdout.as_bytes()));
    assert_eq!(checked.code, 0, "{}", checked.show());
}

#[test]
#[ignore = "end to end: needs kubectl, patch; run `make test`"]
fn fix_diff_applies_with_patch_and_equals_fix() {
    require("kubectl", NEEDS);
    require("patch", "install GNU patch");
    let dir = scratch("kustomize-diff");
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kustomize/shared-base/tree");
    copy_tree(&case, &dir.join("a/tree"));
    copy_tree(&case, &dir.join("b/tree"));
    let diff = run_in(&dir.join("a"), rwo_guard("fix", "tree", &["--diff".into()]), None);
    assert_eq!(diff.code, 0, "{}", diff.show());
    assert!(
        diff.stdout.contains("--- /dev/null\n+++ b/tree/overlays/single-node/cache-strategy-patch.yaml\n@@ -0,0 +1,"),
        "{}",
        diff.show()
    );
    assert_eq!(snapshot(&dir.join("a/tree")), snapshot(&case), "--diff writes nothing");
    let applied = run_in(
        &dir.join("a"),
        common::command("patch", &["-p1", "--batch"], &dir.join("a")),
        Some(diff.stdout.as_bytes()),
    );
    assert_eq!(applied.code, 0, "{}", applied.show());
    let fixed = run_in(&dir.join("b"), rwo_guard("fix", "tree", &[]), None);
    assert_eq!(fixed.code, 0, "{}", fixed.show());
    assert_eq!(snapshot(&dir.join("a/tree")), snapshot(&dir.join("b/tree")), "the patch is the fix");
}

#[test]
#[ignore = "end to end: needs kubectl, git; run `make test`"]
fn a_remote_base_is_located_at_its_entry_and_fixed_by_a_patch_in_the_root() {
    require("kubectl", NEEDS);
    let git = require("git", "install git");
    let dir = scratch("kustomize-remote");
    // A remote base kustomize fetches with git, served from this machine (file://): no network.
    let repo = dir.join("upstream");
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kustomize/remote-base/tree/vendored"),
        &repo.join("deploy"),
    );
    for args in [
        &["init", "-q", "-b", "main"][..],
        &["add", "-A"],
        &["-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "base"],
    ] {
        let ran = run_in(&repo, common::command(&git, args, &repo), None);
        assert_eq!(ran.code, 0, "{}", ran.show());
    }
    let root = dir.join("tree/prod");
    fs::create_dir_all(&root).unwrap();
    let kustomization = format!(
        "# Production, from the upstream base.\nnamePrefix: prod-\nresources:\n- file://{}//deploy?ref=main\n",
        repo.display()
    );
    fs::write(root.join("kustomization.yaml"), &kustomization).unwrap();
    let check = run_in(&dir, rwo_guard("check", "tree", &[]), None);
    assert_eq!(check.code, 1, "{}", check.show());
    assert!(
        check.stdout.starts_with(
            "tree/prod/kustomization.yaml:4:1: error [strategy-unsafe] Deployment prod-api [root: tree/prod]"
        ),
        "{}",
        check.show()
    );
    let fix = run_in(&dir, rwo_guard("fix", "tree", &["-v".into()]), None);
    assert_eq!(fix.code, 0, "{}", fix.show());
    assert_eq!(
        fs::read_to_string(root.join("kustomization.yaml")).unwrap(),
        format!("{kustomization}patches:\n- path: api-strategy-patch.yaml\n"),
        "the root lists its new patch, every other byte kept"
    );
    let patch = fs::read_to_string(root.join("api-strategy-patch.yaml")).unwrap();
    assert!(patch.contains("metadata:\n  name: api\n"), "the name before the root's prefix: {patch}");
    let built = run_in(&dir, common::command("kubectl", &["kustomize", "tree/prod"], &dir), None);
    assert_eq!(built.code, 0, "{}", built.show());
    let mut filter = Command::new(env!("CARGO_BIN_EXE_rwo-guard"));
    filter.args(["--mode", "check"]);
    let checked = run_in(&dir, filter, Some(built.stdout.as_bytes()));
    assert_eq!(checked.code, 0, "{}", checked.show());
}

#[test]
#[ignore = "end to end: needs kubectl; run `make test`"]
fn a_fix_that_cannot_write_one_file_writes_none() {
    require("kubectl", NEEDS);
    let dir = scratch("kustomize-read-only");
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kustomize/shared-base/tree");
    copy_tree(&case, &dir.join("tree"));
    // The new patch would be created, then the kustomization listing it cannot be written.
    let kustomization = dir.join("tree/overlays/single-node/kustomization.yaml");
    let mut perms = fs::metadata(&kustomization).unwrap().permissions();
    perms.set_readonly(true);
    fs::set_permissions(&kustomization, perms).unwrap();
    let fix = run_in(&dir, rwo_guard("fix", "tree", &[]), None);
    assert_eq!(fix.code, 5, "{}", fix.show());
    assert!(fix.stderr.contains("kustomization.yaml") && fix.stderr.contains("no file was written"), "{}", fix.show());
    assert_eq!(snapshot(&dir.join("tree")), snapshot(&case), "no file written, the new patch removed again");
}
