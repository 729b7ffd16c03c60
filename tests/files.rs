//! Files and directories as input (`-f`), `--in-place`, and the reports over them.
//!
//! Golden cases: every directory under `tests/files/` holds a `tree/` (copied to a scratch
//! directory, where rwo-guard runs; or a `tree-of` file naming the case whose tree it uses) and
//! an `args` file (one argument per line); `.expected/`
//! has `stdout`, `stderr`, `exit-code`, `report` (the file `report` in the tree after the run,
//! when the arguments write one) and `changed/` (every file of the tree that the run changed,
//! as it is after the run). Every other file of the tree must be byte-identical after the run.
//! A case that changes files is run a second time on its own result, which must change nothing.
//! `RWO_GUARD_BLESS=1 cargo test --test suite files::` rewrites `.expected/`.
//!
//! The other tests here build their trees in code: permissions, read-only files (nothing is
//! changed), symbolic link loops, non-UTF-8 and invalid files.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use crate::common;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::{copy_tree, run_with, scratch, Ran};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rwo-guard"))
}

/// Every file under `root`, by relative path, with its bytes.
fn snapshot(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(dir) = todo.pop() {
        for e in fs::read_dir(&dir).expect("read dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                todo.push(p);
            } else {
                let rel = p.strip_prefix(root).expect("under root").to_string_lossy().into_owned();
                out.insert(rel, fs::read(&p).expect("read file"));
            }
        }
    }
    out
}

fn run_in(dir: &Path, args: &[String], stdin: &[u8]) -> Ran {
    let mut cmd = bin();
    cmd.args(args).current_dir(dir);
    run_with(cmd, Some(stdin), Duration::from_secs(60))
}

fn args(s: &[&str]) -> Vec<String> {
    s.iter().map(|a| (*a).to_string()).collect()
}

#[test]
fn golden_file_cases() {
    let bless = std::env::var_os("RWO_GUARD_BLESS").is_some();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/files");
    let mut cases: Vec<PathBuf> = fs::read_dir(&root)
        .expect("tests/files")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.join("args").exists())
        .collect();
    cases.sort();
    assert!(cases.len() >= 5, "expected the cases under tests/files, found {}", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().and_then(|n| n.to_str()).unwrap_or("?").to_string();
        let dir = scratch(&name);
        let tree = match fs::read_to_string(case.join("tree-of")) {
            Ok(other) => root.join(other.trim()).join("tree"),
            Err(_) => case.join("tree"),
        };
        copy_tree(&tree, &dir);
        let before = snapshot(&dir);
        let argv: Vec<String> = fs::read_to_string(case.join("args"))
            .expect("args")
            .lines()
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect();
        let ran = run_in(&dir, &argv, b"");
        let mut after = snapshot(&dir);
        let report = after.remove("report").map(|b| String::from_utf8(b).expect("utf-8 report"));
        let changed: BTreeMap<&String, &Vec<u8>> = after.iter().filter(|(k, v)| before.get(*k) != Some(v)).collect();
        if after.keys().ne(before.keys()) {
            failures.push(format!("{name}: the run added or removed files: {:?}", after.keys().collect::<Vec<_>>()));
        }
        let expected = case.join(".expected");
        let mut files: Vec<(String, Vec<u8>)> = vec![
            ("stdout".into(), ran.stdout.clone().into_bytes()),
            ("stderr".into(), ran.stderr.clone().into_bytes()),
            ("exit-code".into(), format!("{}\n", ran.code).into_bytes()),
        ];
        if let Some(r) = &report {
            files.push(("report".into(), r.clone().into_bytes()));
        }
        files.extend(changed.iter().map(|(k, v)| (format!("changed/{k}"), (*v).clone())));
        if bless {
            let _ = fs::remove_dir_all(&expected);
            for (f, content) in &files {
                let p = expected.join(f);
                fs::create_dir_all(p.parent().expect("parent")).expect("dirs");
                fs::write(p, content).expect("bless");
            }
        } else {
            let want = if expected.exists() { snapshot(&expected) } else { BTreeMap::new() };
            let got: BTreeMap<String, Vec<u8>> = files.into_iter().collect();
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
        if !changed.is_empty() {
            let again = run_in(&dir, &argv, b"");
            let mut second = snapshot(&dir);
            second.remove("report");
            if second != after {
                failures.push(format!("{name}: a second run changed files again\n{}", again.stderr));
            }
            if again.stderr.contains("rule: strategy-rewritten") || again.stderr.contains("set spec.strategy") {
                failures.push(format!("{name}: a second run rewrote a strategy again\n{}", again.stderr));
            }
        }
        let _ = fs::remove_dir_all(&dir);
    }
    assert!(failures.is_empty(), "{} failure(s):\n\n{}", failures.len(), failures.join("\n\n"));
}

const PVC: &str =
    "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\nspec:\n  accessModes: [ReadWriteOnce]\n";

fn deployment(name: &str) -> String {
    format!("# {name}: keep this comment\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: 1\n  template:\n    spec:\n      volumes:\n      - name: d\n        persistentVolumeClaim: {{claimName: data}}\n")
}

#[test]
fn in_place_keeps_permissions_and_touches_only_edited_files() {
    let dir = scratch("perms");
    fs::write(dir.join("pvc.yaml"), PVC).expect("write");
    fs::write(dir.join("a.yaml"), deployment("a")).expect("write");
    fs::set_permissions(dir.join("a.yaml"), fs::Permissions::from_mode(0o640)).expect("chmod");
    fs::set_permissions(dir.join("pvc.yaml"), fs::Permissions::from_mode(0o444)).expect("chmod");
    let ran = run_in(&dir, &args(&["-f", ".", "--in-place"]), b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(ran.stdout.is_empty(), "--in-place writes nothing on stdout: {}", ran.stdout);
    let a = fs::read_to_string(dir.join("a.yaml")).expect("read");
    assert!(a.starts_with("# a: keep this comment\n") && a.contains("  strategy:\n    type: Recreate\n"), "{a}");
    let mode = |f: &str| fs::metadata(dir.join(f)).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode("a.yaml"), 0o640, "the edited file keeps its permissions");
    assert_eq!(
        fs::read_to_string(dir.join("pvc.yaml")).expect("read"),
        PVC,
        "a read-only file without edits is not touched"
    );
    assert!(snapshot(&dir).keys().all(|k| !k.contains(".tmp")), "no temporary file is left");
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn a_read_only_file_to_edit_changes_no_file() {
    let dir = scratch("read-only");
    fs::write(dir.join("pvc.yaml"), PVC).expect("write");
    fs::write(dir.join("a.yaml"), deployment("a")).expect("write");
    fs::write(
        dir.join("b.yaml"),
        deployment("b").replace("name: d\n", "name: d2\n").replace("claimName: data", "claimName: other"),
    )
    .expect("write");
    fs::write(dir.join("other.yaml"), PVC.replace("name: data", "name: other")).expect("write");
    fs::write(dir.join("z.yaml"), deployment("z").replace("claimName: data", "claimName: zed")).expect("write");
    fs::write(dir.join("zed.yaml"), PVC.replace("name: data", "name: zed")).expect("write");
    fs::set_permissions(dir.join("b.yaml"), fs::Permissions::from_mode(0o444)).expect("chmod");
    let before = snapshot(&dir);
    let ran = run_in(&dir, &args(&["-f", ".", "--in-place"]), b"");
    assert_eq!(ran.code, 5, "{}", ran.stderr);
    assert!(ran.stderr.contains("cannot write b.yaml: the file is read-only; no file was written"), "{}", ran.stderr);
    assert_eq!(snapshot(&dir), before, "a.yaml and z.yaml, writable, must not be changed either");
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn a_symlinked_file_is_written_through_its_link() {
    let dir = scratch("symlink");
    fs::create_dir_all(dir.join("shared")).expect("dir");
    fs::create_dir_all(dir.join("app")).expect("dir");
    fs::write(dir.join("shared/a.yaml"), deployment("a")).expect("write");
    fs::write(dir.join("app/pvc.yaml"), PVC).expect("write");
    std::os::unix::fs::symlink("../shared/a.yaml", dir.join("app/a.yaml")).expect("link");
    let ran = run_in(&dir, &args(&["-f", "app", "--in-place"]), b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(fs::symlink_metadata(dir.join("app/a.yaml")).expect("meta").file_type().is_symlink(), "the link stays");
    assert!(fs::read_to_string(dir.join("shared/a.yaml")).expect("read").contains("type: Recreate"));
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn unreadable_inputs_get_located_errors_and_change_nothing() {
    let dir = scratch("errors");
    fs::write(dir.join("pvc.yaml"), PVC).expect("write");
    fs::write(dir.join("a.yaml"), deployment("a")).expect("write");
    fs::write(dir.join("bad.yaml"), b"a: 1\nb: \xff\n").expect("write");
    let ran = run_in(&dir, &args(&["-f", ".", "--in-place"]), b"");
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    assert!(ran.stderr.contains("not UTF-8") && ran.stderr.contains("--> bad.yaml:2:4"), "{}", ran.stderr);
    fs::write(dir.join("bad.yaml"), "a: [1,\nb: 2\n").expect("write");
    let ran = run_in(&dir, &args(&["-f", ".", "--in-place"]), b"");
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    assert!(ran.stderr.contains("invalid YAML") && ran.stderr.contains("--> bad.yaml:"), "{}", ran.stderr);
    fs::remove_file(dir.join("bad.yaml")).expect("rm");
    fs::create_dir_all(dir.join("sub")).expect("dir");
    std::os::unix::fs::symlink("..", dir.join("sub/up")).expect("link");
    let ran = run_in(&dir, &args(&["-f", ".", "--in-place"]), b"");
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    assert!(ran.stderr.contains("sub/up leads back to .: a loop of symbolic links"), "{}", ran.stderr);
    assert!(fs::read_to_string(dir.join("a.yaml")).expect("read").contains("replicas: 1\n  template"), "unchanged");
    let ran = run_in(&dir, &args(&["-f", "missing"]), b"");
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(ran.stderr.contains("-f missing: No such file or directory"), "{}", ran.stderr);
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn flags_that_need_files_or_stdout_are_usage_errors() {
    let dir = scratch("usage");
    for (argv, needle) in [
        (vec!["--in-place"], "--filename"),
        (vec!["-f", ".", "--in-place", "--diff"], "cannot be used with"),
        (vec!["--results", "-", "--diff"], "both write standard output"),
        (vec!["--results-format", "xml"], "possible values: yaml, json, sarif, junit, github"),
    ] {
        let ran = run_in(&dir, &args(&argv), b"");
        assert_eq!(ran.code, 2, "{argv:?}: {}", ran.stderr);
        assert!(ran.stderr.contains(needle), "{argv:?}: {}", ran.stderr);
    }
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn results_on_stdout_replace_the_output() {
    let dir = scratch("stdout");
    fs::write(dir.join("pvc.yaml"), PVC).expect("write");
    fs::write(dir.join("a.yaml"), deployment("a")).expect("write");
    let ran = run_in(&dir, &args(&["-f", ".", "--mode", "check", "--results", "-", "--results-format", "github"]), b"");
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert_eq!(
        ran.stdout,
        "::error file=a.yaml,line=7,col=3,endLine=7,endColumn=14,title=rwo-guard strategy-unsafe::Deployment a: would add spec.strategy: {type: Recreate}. It mounts claim data (volume d, ReadWriteOnce) and has no strategy, so it rolls out with the default RollingUpdate (maxSurge 25%25); a new pod could start on another node while the old one still holds the volume (Multi-Attach error)\n"
    );
    assert!(ran.stderr.ends_with("rwo-guard: 1 workload to fix, 0 warnings, 1 error\n"), "{}", ran.stderr);
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn the_files_stream_reads_back_as_the_same_objects() {
    let dir = scratch("stream");
    fs::write(dir.join("a.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}").expect("write");
    fs::write(dir.join("b.yaml"), "\u{feff}apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n").expect("write");
    fs::write(dir.join("c.yaml"), "--- # c\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n").expect("write");
    fs::write(dir.join("d.yaml"), "%YAML 1.2\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: d}\n")
        .expect("write");
    fs::write(dir.join("e.json"), "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"e\"}}")
        .expect("write");
    let ran = run_in(&dir, &args(&["-f", "."]), b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let again = run_in(
        &dir,
        &args(&["--results", "-", "--results-format", "json", "--external-claims", "ignore"]),
        ran.stdout.as_bytes(),
    );
    assert_eq!(again.code, 0, "the stream of the files must read as YAML: {}\n{}", again.stderr, ran.stdout);
    let names: Vec<&str> = ran.stdout.lines().filter_map(|l| l.strip_prefix("metadata: {name: ")).collect();
    assert_eq!(names, ["a}", "b}", "c}", "d}"], "{}", ran.stdout);
    assert!(!ran.stdout[1..].contains('\u{feff}'), "a later file's byte-order mark is left out");
    let _ = fs::remove_dir_all(&dir);
}
