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

use common::{copy_tree, run_with, scratch, snapshot, Ran};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rwo-guard"))
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
    fs::create_dir_all(dir.join("app/common")).expect("dir");
    fs::write(dir.join("app/common/a.yaml"), deployment("a")).expect("write");
    fs::write(dir.join("app/pvc.yaml"), PVC).expect("write");
    std::os::unix::fs::symlink("common/a.yaml", dir.join("app/a.yaml")).expect("link");
    let ran = run_in(&dir, &args(&["-f", "app/pvc.yaml", "-f", "app/a.yaml", "--in-place"]), b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(fs::symlink_metadata(dir.join("app/a.yaml")).expect("meta").file_type().is_symlink(), "the link stays");
    assert!(fs::read_to_string(dir.join("app/common/a.yaml")).expect("read").contains("type: Recreate"));
    let _ = fs::remove_dir_all(&dir);
}

/// A link in a directory that leads out of the path named is neither read (a file that does
/// not parse would have a line of it printed) nor written; it is skipped with an info line
/// naming it and its target. Named on the command line, a link is followed.
#[test]
fn links_out_of_the_tree_are_neither_read_nor_written() {
    let dir = scratch("links-out");
    fs::create_dir_all(dir.join("app")).expect("dir");
    fs::create_dir_all(dir.join("outside/deep")).expect("dir");
    fs::write(dir.join("outside/a.yaml"), deployment("a")).expect("write");
    fs::write(dir.join("outside/deep/b.yaml"), deployment("b")).expect("write");
    fs::write(dir.join("outside/key.yaml"), "AWS_SECRET=hunter2: [\n").expect("write");
    fs::write(dir.join("app/pvc.yaml"), PVC).expect("write");
    fs::write(dir.join("app/c.yaml"), deployment("c")).expect("write");
    std::os::unix::fs::symlink("../outside/a.yaml", dir.join("app/a.yaml")).expect("link");
    std::os::unix::fs::symlink("../outside/key.yaml", dir.join("app/key.yaml")).expect("link");
    std::os::unix::fs::symlink("../outside/deep", dir.join("app/deep")).expect("link");
    let before = snapshot(&dir.join("outside"));
    let ran = run_in(&dir, &args(&["-f", "app", "--in-place"]), b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(!ran.stderr.contains("hunter2") && !ran.stdout.contains("hunter2"), "{}", ran.stderr);
    for (link, target) in
        [("app/a.yaml", "outside/a.yaml"), ("app/key.yaml", "outside/key.yaml"), ("app/deep", "outside/deep")]
    {
        let line = ran.stderr.lines().find(|l| l.starts_with(&format!("{link}: info: skipped: a symbolic link to ")));
        let line = line.unwrap_or_else(|| panic!("no info line for {link}: {}", ran.stderr));
        assert!(line.contains(&format!("/{target}, outside app")), "{line}");
    }
    assert_eq!(snapshot(&dir.join("outside")), before, "nothing outside the path named is written");
    assert!(fs::read_to_string(dir.join("app/c.yaml")).expect("read").contains("type: Recreate"));
    // Named on the command line, the link is followed (read and written), as the user asked.
    let ran = run_in(&dir, &args(&["-f", "app/pvc.yaml", "-f", "app/a.yaml", "--in-place"]), b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(fs::read_to_string(dir.join("outside/a.yaml")).expect("read").contains("type: Recreate"));
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

/// `--results` naming one of the files read is a usage error before any work: the manifest is
/// not replaced by the report (it was, with exit 0), with or without `--in-place`.
#[test]
fn a_results_path_that_is_an_input_is_a_usage_error() {
    let dir = scratch("results-input");
    fs::write(dir.join("pvc.yaml"), PVC).expect("write");
    fs::write(dir.join("a.yaml"), deployment("a")).expect("write");
    std::os::unix::fs::symlink("a.yaml", dir.join("link.yaml")).expect("link");
    let before = snapshot(&dir);
    for extra in [&[][..], &["--in-place"][..]] {
        for results in ["a.yaml", "link.yaml", "./pvc.yaml"] {
            let mut a = args(&["-f", ".", "--results", results]);
            a.extend(extra.iter().map(|s| (*s).to_string()));
            let ran = run_in(&dir, &a, b"");
            assert_eq!(ran.code, 2, "{results}: {}", ran.stderr);
            assert!(ran.stderr.contains("that is the input"), "{}", ran.stderr);
            assert!(ran.stdout.is_empty());
            assert_eq!(snapshot(&dir), before, "{results}");
        }
    }
    let _ = fs::remove_dir_all(&dir);
}

/// File names (and object names) are shown with their control characters escaped, on stderr
/// and stdout: a line break in a name never starts a line (it could forge the count line or a
/// GitHub `::error` command), and no ESC reaches a terminal. Today's lines are all of the forms
/// `<file>[:line]: <severity>: …`, `rwo-guard: …`, or an error's indented lines.
#[test]
fn names_with_control_characters_never_start_a_line() {
    let dir = scratch("odd-names");
    let forged = "x\nrwo-guard: 0 workloads fixed, 0 warnings, 0 errors\n::error file=a::forged\x1b[2J\x1b]0;t\x07";
    fs::write(dir.join("pvc.yaml"), PVC).expect("write");
    fs::write(dir.join(format!("{forged}.yaml")), deployment("\"a\\e[31m\"")).expect("write");
    fs::write(dir.join(format!("{forged}-empty.yaml")), "a: 1\n").expect("write");
    let check = |ran: &Ran, what: &str| {
        for out in [&ran.stdout, &ran.stderr] {
            assert!(!out.contains('\x1b') && !out.contains('\x07'), "{what}: a raw control character: {out:?}");
            for line in out.lines() {
                assert!(
                    !line.starts_with("::error file=a") && line != "rwo-guard: 0 workloads fixed, 0 warnings, 0 errors",
                    "{what}: {out}"
                );
            }
        }
    };
    let ran = run_in(&dir, &args(&["-f", ".", "--mode", "check"]), b"");
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(ran.stderr.contains("x\\nrwo-guard: 0 workloads fixed"), "{}", ran.stderr);
    check(&ran, "findings");
    let ran = run_in(&dir, &args(&["-f", ".", "--mode", "check", "--results", "-", "--results-format", "github"]), b"");
    check(&ran, "github results");
    // An error about such a file, with its line quoted.
    fs::write(dir.join(format!("{forged}-bad.yaml")), "a: \x1b[31m: [\n").expect("write");
    let ran = run_in(&dir, &args(&["-f", "."]), b"");
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    assert!(ran.stderr.contains("\\x1b[31m"), "{}", ran.stderr);
    check(&ran, "an error");
    let _ = fs::remove_dir_all(&dir);
}

/// With `--in-place`, standard output and the results are written before any file is renamed:
/// a stdout that cannot be written is exit 5 with no file changed (every file was renamed
/// first, then exit 5, against the README's promise).
#[test]
fn in_place_checks_the_streams_before_the_first_rename() {
    let dir = scratch("in-place-streams");
    fs::write(dir.join("pvc.yaml"), PVC).expect("write");
    fs::write(dir.join("a.yaml"), deployment("a")).expect("write");
    fs::write(dir.join("b.yaml"), deployment("b")).expect("write");
    let before = snapshot(&dir);
    let full = fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
    let out = bin()
        .args(["-f", ".", "--in-place", "--results", "-", "--results-format", "sarif"])
        .current_dir(&dir)
        .stdin(std::process::Stdio::null())
        .stdout(full)
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(err.contains("cannot write the output") && err.contains("no file was written"), "{err}");
    assert_eq!(snapshot(&dir), before, "no file changed, no temporary file left");
    // A results file that cannot be written: the same.
    let ran = run_in(&dir, &args(&["-f", ".", "--in-place", "--results", "/dev/full"]), b"");
    assert_eq!(ran.code, 5, "{}", ran.stderr);
    assert!(ran.stderr.contains("no file was written"), "{}", ran.stderr);
    assert_eq!(snapshot(&dir), before);
    let ran = run_in(&dir, &args(&["-f", ".", "--in-place", "--results", "report.sarif"]), b"");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(fs::read_to_string(dir.join("a.yaml")).expect("read").contains("type: Recreate"));
    let _ = fs::remove_dir_all(&dir);
}

/// SIGTERM, SIGINT or SIGHUP during `--in-place`: the temporary files are removed (thousands were
/// left behind), each file is wholly old or wholly new, the message names the files written, and
/// the exit code is 128 + the signal. The signal is sent at delays found by halving: too early
/// the process dies by the signal before writing (nothing changed, nothing left), too late it
/// has finished; the test needs at least one signal inside the writing, and searches on towards
/// the renames (where some files are new and the others old).
#[test]
fn a_signal_during_in_place_removes_the_temporaries_and_names_the_files_written() {
    use std::os::unix::process::ExitStatusExt as _;
    const FILES: usize = 300;
    let template = scratch("signal-template");
    fs::write(template.join("pvc.yaml"), PVC).expect("write");
    for i in 0..FILES {
        fs::write(template.join(format!("d{i:04}.yaml")), deployment(&format!("d{i}"))).expect("write");
    }
    let old = snapshot(&template);
    let done = scratch("signal-done");
    copy_tree(&template, &done);
    assert_eq!(run_in(&done, &args(&["-f", ".", "--in-place"]), b"").code, 0);
    let new = snapshot(&done);
    let mut caught = Vec::new();
    let (mut low, mut high) = (0u64, 4000u64);
    for (attempt, signal) in ["TERM", "INT", "HUP"].iter().cycle().take(20).enumerate() {
        // Enough once a signal came during the renames (some files written, not all).
        if caught.iter().any(|&(_, _, n)| n > 0 && n < FILES) {
            break;
        }
        let dir = scratch(&format!("signal-{attempt}"));
        copy_tree(&template, &dir);
        let delay = u64::midpoint(low, high);
        let child = bin()
            .args(["-f", ".", "--in-place"])
            .current_dir(&dir)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn");
        std::thread::sleep(Duration::from_millis(delay));
        let _ = Command::new("kill").arg(format!("-{signal}")).arg(child.id().to_string()).status();
        let out = child.wait_with_output().expect("wait");
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        let now = snapshot(&dir);
        let temps: Vec<&String> = now.keys().filter(|k| k.contains(".rwo-guard-")).collect();
        assert!(
            temps.is_empty(),
            "{signal} after {delay} ms ({:?}): temporary files left: {}",
            out.status,
            temps.len()
        );
        let written: Vec<&String> = now.iter().filter(|(k, v)| old[*k] != **v).map(|(k, _)| k).collect();
        for (name, bytes) in &now {
            assert!(*bytes == old[name] || *bytes == new[name], "{name} is neither old nor new");
        }
        let number = match *signal {
            "TERM" => 15,
            "INT" => 2,
            _ => 1,
        };
        match (out.status.code(), out.status.signal()) {
            // Killed before the writing started, or after it ended: nothing, or everything.
            (None, Some(s)) if s == number && written.is_empty() => low = delay,
            (None, Some(s)) if s == number && written.len() == FILES => high = delay,
            (Some(0), _) => high = delay,
            (Some(code), _) if code == 128 + number => {
                assert!(err.contains(&format!("interrupted by SIG{signal}")), "{err}");
                for name in &written {
                    assert!(err.contains(name.as_str()), "{name} was written but not named: {err}");
                }
                if written.len() < FILES {
                    assert!(err.contains("the others are unchanged") || err.contains("no file was written"), "{err}");
                }
                caught.push((signal, delay, written.len()));
                // Later: towards the renames.
                low = delay;
            }
            other => panic!("{signal} after {delay} ms: {other:?}\n{err}"),
        }
        let _ = fs::remove_dir_all(&dir);
    }
    eprintln!("signals inside the writing (signal, delay ms, files written): {caught:?}");
    assert!(!caught.is_empty(), "no signal arrived while files were written (window {low}..{high} ms)");
    let _ = fs::remove_dir_all(&template);
    let _ = fs::remove_dir_all(&done);
}
