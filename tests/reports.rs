//! The reports and diffs, read by the tools that consume them:
//! - SARIF validates against the OASIS SARIF 2.1.0 schema (`tests/fixtures/`, with its notice;
//!   Python `jsonschema`, Draft 4), over files (every finding a result with a file and a region) and
//!   over a stream (a finding with no file is a tool notification, never a location-less
//!   result, which GitHub would reject the whole upload for);
//! - JUnit XML is read by `junitparser` (PyPI) with the counts CI systems show;
//! - GitHub workflow commands are parsed as the runner does, and every property round-trips;
//! - `-f --diff` applies with `git apply` and `patch -p1` and gives what `--in-place` writes.
//!
//! They need `.tools/venv` (scripts/install-deps.sh), git and patch, so they are ignored by a
//! bare `cargo test`; `make test` runs them.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use crate::common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::{copy_tree, repo, require, run_with, scratch, venv_tool};

/// A copy of the mixed tree of tests/files (nested folders, JSON, several documents per file,
/// files that are skipped) in a scratch directory.
fn mixed_tree(name: &str) -> PathBuf {
    let dir = scratch(name);
    copy_tree(&repo().join("tests/files/mixed-tree/tree"), &dir);
    dir
}

fn rwo_guard(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> common::Ran {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rwo-guard"));
    cmd.args(args).current_dir(dir);
    run_with(cmd, stdin, Duration::from_secs(60))
}

fn python(module: &str, script: &str, args: &[&Path]) -> common::Ran {
    let mut cmd = Command::new(venv_tool(module));
    cmd.arg("-c").arg(script).args(args);
    run_with(cmd, None, Duration::from_secs(120))
}

fn sarif_schema() -> PathBuf {
    repo().join("tests/fixtures/sarif-schema-2.1.0.json")
}

/// The tests need the repository only: a clean clone, with nothing beside it, runs them all.
/// (The SARIF schema was once read from a folder beside the repository.)
#[test]
fn tests_read_nothing_outside_the_repository() {
    let schema = sarif_schema();
    let text = fs::read_to_string(&schema).expect("the SARIF schema is vendored under tests/fixtures");
    assert!(text.contains("\"title\": \"Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema\""));
    assert!(repo().join("tests/fixtures/sarif-schema-2.1.0.NOTICE.md").exists(), "the schema's notice");
    let mut files = vec![repo().join("Makefile")];
    for dir in ["tests", "tests/common", "tests/props", "scripts", ".ci"] {
        for entry in fs::read_dir(repo().join(dir)).into_iter().flatten().flatten() {
            if entry.path().is_file() {
                files.push(entry.path());
            }
        }
    }
    // The folder beside the repository the schema was read from, named as a path or joined on.
    let outside = [["../", "shared/schemas"].concat(), ["join(\"../", "shared"].concat()];
    for f in files {
        let text = fs::read(&f).unwrap_or_default();
        for o in &outside {
            assert!(
                !text.windows(o.len()).any(|w| w == o.as_bytes()),
                "{} reads a folder beside the repository ({o})",
                f.display()
            );
        }
    }
}

const VALIDATE_SARIF: &str = r#"
import json, sys
from jsonschema import Draft4Validator, FormatChecker
schema = json.load(open(sys.argv[1]))
log = json.load(open(sys.argv[2]))
errors = sorted(Draft4Validator(schema, format_checker=FormatChecker()).iter_errors(log), key=str)
for e in errors:
    print("schema:", list(e.absolute_path), e.message)
run = log["runs"][0]
rules = run["tool"]["driver"]["rules"]
for r in run["results"]:
    # What GitHub code scanning needs of every result (else it rejects the whole upload).
    loc = r["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"], r
    region = loc["region"]
    assert all(region[k] >= 1 for k in ("startLine", "startColumn", "endLine", "endColumn")), r
    assert rules[r["ruleIndex"]]["id"] == r["ruleId"], r
    assert r["level"] in ("error", "warning", "note"), r
for rule in rules:
    assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"] and rule["help"]["text"], rule
    # GitHub links a rule's help from helpUri: an absolute URI (the schema's "uri" format).
    assert rule["helpUri"].startswith("https://") and rule["helpUri"].endswith('#' + rule['id']), rule
notes = run["invocations"][0].get("toolExecutionNotifications", [])
print("results", len(run["results"]), "notifications", len(notes), "rules", len(rules))
sys.exit(1 if errors else 0)
"#;

#[test]
#[ignore = "end to end: needs .tools/venv (jsonschema); run `make test`"]
fn sarif_validates_against_the_oasis_schema() {
    let schema = sarif_schema();
    let dir = mixed_tree("reports-sarif");
    let ran = rwo_guard(
        &dir,
        &["-f", "deploy", "--mode", "check", "--results", "out.sarif", "--results-format", "sarif"],
        None,
    );
    assert_eq!(ran.code, 1, "{}", ran.show());
    let checked = python("jsonschema", VALIDATE_SARIF, &[&schema, &dir.join("out.sarif")]);
    assert_eq!(checked.code, 0, "{}", checked.show());
    assert!(checked.stdout.contains("results 5 notifications 0"), "{}", checked.stdout);

    // A stream: one finding placed by kustomize's origin annotation, one with no place.
    let input = fs::read(repo().join("tests/golden/report-sarif-stream/input.yaml")).expect("input");
    let ran = rwo_guard(&dir, &["--results", "stream.sarif", "--results-format", "sarif"], Some(&input));
    assert_eq!(ran.code, 1, "{}", ran.show());
    let checked = python("jsonschema", VALIDATE_SARIF, &[&schema, &dir.join("stream.sarif")]);
    assert_eq!(checked.code, 0, "{}", checked.show());
    assert!(checked.stdout.contains("results 1 notifications 1"), "{}", checked.stdout);

    // A run that stops on an error still leaves a valid log, marked unsuccessful.
    fs::write(dir.join("deploy/apps/broken.yaml"), "a: [1,\n").expect("write");
    let ran = rwo_guard(&dir, &["-f", "deploy", "--results", "failed.sarif", "--results-format", "sarif"], None);
    assert_eq!(ran.code, 3, "{}", ran.show());
    let checked = python("jsonschema", VALIDATE_SARIF, &[&schema, &dir.join("failed.sarif")]);
    assert_eq!(checked.code, 0, "{}", checked.show());
    assert!(fs::read_to_string(dir.join("failed.sarif")).expect("log").contains("\"executionSuccessful\": false"));
}

#[test]
#[ignore = "end to end: needs .tools/venv (jsonschema, junitparser) and kubectl; run `make test`"]
fn check_reports_are_read_by_their_tools() {
    let schema = sarif_schema();
    let dir = scratch("reports-check");
    copy_tree(&repo().join("tests/files/check-platform/tree"), &dir);
    // The files as plain manifests (--no-build), then as kustomize builds them (every root built
    // by kubectl kustomize, findings at their source): both reports are valid, and describe
    // every rule, as `rwo-guard rules` lists them.
    let rules = rwo_guard(&dir, &["rules"], None).stdout.lines().count();
    for (build, results, junit) in [
        (&["--no-build"][..], 5, "tests 8 failures 3 errors 0"),
        (&["--kustomize", "kubectl"][..], 6, "tests 6 failures 2 errors 0"),
    ] {
        let mut args = vec!["check", "--format", "sarif", "-o", "check.sarif", "components/manifests"];
        args.extend(build);
        let ran = rwo_guard(&dir, &args, None);
        assert_eq!(ran.code, 1, "{}", ran.show());
        let checked = python("jsonschema", VALIDATE_SARIF, &[&schema, &dir.join("check.sarif")]);
        assert_eq!(checked.code, 0, "{}", checked.show());
        let counts = format!("results {results} notifications 0 rules {rules}");
        assert!(checked.stdout.contains(&counts), "{build:?}: {counts}: {}", checked.stdout);
        let mut args = vec!["check", "--format", "junit", "-o", "check.xml", "components/manifests"];
        args.extend(build);
        let ran = rwo_guard(&dir, &args, None);
        assert_eq!(ran.code, 1, "{}", ran.show());
        let read = python("junitparser", READ_JUNIT, &[&dir.join("check.xml")]);
        assert_eq!(read.code, 0, "{}", read.show());
        assert!(read.stdout.contains(junit), "{build:?}: {}", read.stdout);
    }
}

const READ_JUNIT: &str = r#"
import sys
from junitparser import JUnitXml, Failure, Error
xml = JUnitXml.fromfile(sys.argv[1])
cases = [(suite.name, case.classname, case.name, [type(r).__name__ for r in case.result]) for suite in xml for case in suite]
for c in cases:
    print(*c, sep=" | ")
keys = [(c[1], c[2]) for c in cases]
assert len(keys) == len(set(keys)), "GitLab keeps one case per classname and name"
before = (xml.tests, xml.failures, xml.errors)
xml.update_statistics()
assert before == (xml.tests, xml.failures, xml.errors), (before, xml.tests, xml.failures, xml.errors)
print("tests", xml.tests, "failures", xml.failures, "errors", xml.errors)
"#;

#[test]
#[ignore = "end to end: needs .tools/venv (junitparser); run `make test`"]
fn junit_reads_as_ci_systems_read_it() {
    let dir = mixed_tree("reports-junit");
    for (fail_on, failures) in [("error", 2), ("warning", 3), ("never", 0)] {
        let out = format!("junit-{fail_on}.xml");
        let ran = rwo_guard(
            &dir,
            &["-f", "deploy", "--mode", "check", "--fail-on", fail_on, "--results", &out, "--results-format", "junit"],
            None,
        );
        assert_eq!(ran.code, i32::from(failures > 0), "{}", ran.show());
        let read = python("junitparser", READ_JUNIT, &[&dir.join(&out)]);
        assert_eq!(read.code, 0, "{}", read.show());
        assert!(read.stdout.contains(&format!("tests 3 failures {failures} errors 0")), "{fail_on}: {}", read.stdout);
        assert!(
            read.stdout.contains("deploy/apps/worker.yml | deploy/apps/worker.yml | Deployment shop/worker | "),
            "{}",
            read.stdout
        );
    }
    fs::write(dir.join("deploy/apps/broken.yaml"), "a: [1,\n").expect("write");
    let ran = rwo_guard(&dir, &["-f", "deploy", "--results", "failed.xml", "--results-format", "junit"], None);
    assert_eq!(ran.code, 3, "{}", ran.show());
    let read = python("junitparser", READ_JUNIT, &[&dir.join("failed.xml")]);
    assert_eq!(read.code, 0, "{}", read.show());
    assert!(read.stdout.contains("tests 1 failures 0 errors 1"), "{}", read.stdout);
}

/// The runner's parsing of a workflow command line (actions/runner `ActionCommand.TryParseV2`):
/// command, properties split on `,` then on the first `=`, the message after the second `::`,
/// each unescaped.
fn parse_command(line: &str) -> (String, Vec<(String, String)>, String) {
    let unescape = |s: &str| {
        s.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")
    };
    let rest = line.strip_prefix("::").expect("a command");
    let (head, message) = rest.split_once("::").expect("a message");
    let (name, props) = head.split_once(' ').unwrap_or((head, ""));
    let props = props
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').expect("key=value");
            (k.to_string(), unescape(v))
        })
        .collect();
    (name.to_string(), props, unescape(message))
}

#[test]
#[ignore = "end to end: needs git; run `make test`"]
fn github_commands_parse_back_to_the_findings() {
    let dir = scratch("reports-github");
    fs::create_dir_all(dir.join("odd, dir")).expect("dir");
    let pvc =
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec: {accessModes: [ReadWriteOnce]}\n";
    let app = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app}\nspec:\n  template:\n    spec:\n      volumes: [{name: d, persistentVolumeClaim: {claimName: data}}]\n";
    fs::write(dir.join("odd, dir/pvc.yaml"), pvc).expect("write");
    fs::write(dir.join("odd, dir/a:b.yaml"), app).expect("write");
    let ran =
        rwo_guard(&dir, &["-f", "odd, dir", "--mode", "check", "--results", "-", "--results-format", "github"], None);
    assert_eq!(ran.code, 1, "{}", ran.show());
    let lines: Vec<&str> = ran.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{}", ran.stdout);
    let (name, props, message) = parse_command(lines[0]);
    assert_eq!(name, "error");
    let get = |k: &str| props.iter().find(|(p, _)| p == k).map(|(_, v)| v.as_str());
    assert_eq!(get("file"), Some("odd, dir/a:b.yaml"), "{props:?}");
    assert_eq!((get("line"), get("col")), (Some("5"), Some("3")), "the spec mapping the strategy goes into: {props:?}");
    assert!(message.starts_with("Deployment app: would add spec.strategy: {type: Recreate}"), "{message}");
    assert!(message.contains("(maxSurge 25%)"), "{message}");
    // git is what the runner's checkout is: the path must be the repository-relative one.
    let git = require("git", "install git");
    let init = run_with(
        {
            let mut c = Command::new(&git);
            c.args(["init", "-q"]).current_dir(&dir);
            c
        },
        None,
        Duration::from_secs(30),
    );
    assert_eq!(init.code, 0, "{}", init.show());
    let listed = run_with(
        {
            let mut c = Command::new(&git);
            c.args(["ls-files", "--others", "--", get("file").expect("file")]).current_dir(&dir);
            c
        },
        None,
        Duration::from_secs(30),
    );
    assert_eq!(listed.stdout.trim(), "odd, dir/a:b.yaml", "{}", listed.show());
}

#[test]
#[ignore = "end to end: needs git and patch; run `make test`"]
fn file_diffs_apply_with_git_apply_and_patch() {
    let git = require("git", "install git");
    let patch = require("patch", "install patch");
    let base = mixed_tree("reports-diff");
    let ran = rwo_guard(&base, &["-f", "./deploy", "--diff", "--color", "never"], None);
    assert_eq!(ran.code, 0, "{}", ran.show());
    assert!(ran.stdout.contains("--- a/deploy/apps/web.yaml\n+++ b/deploy/apps/web.yaml\n"), "{}", ran.stdout);
    fs::write(base.join("../reports-diff.patch"), &ran.stdout).expect("patch file");
    let expected = mixed_tree("reports-diff-in-place");
    let fixed = rwo_guard(&expected, &["-f", "deploy", "--in-place"], None);
    assert_eq!(fixed.code, 0, "{}", fixed.show());
    let tool_runs: [(&str, Vec<String>); 2] = [
        ("git", vec!["apply".into(), base.join("../reports-diff.patch").display().to_string()]),
        ("patch", vec!["-p1".into(), "-i".into(), base.join("../reports-diff.patch").display().to_string()]),
    ];
    for (tool, args) in tool_runs {
        let dir = mixed_tree(&format!("reports-diff-{tool}"));
        let mut cmd = Command::new(if tool == "git" { &git } else { &patch });
        cmd.args(&args).current_dir(&dir);
        let applied = run_with(cmd, None, Duration::from_secs(30));
        assert_eq!(applied.code, 0, "{tool}: {}", applied.show());
        for f in ["deploy/apps/web.yaml", "deploy/apps/worker.yml", "deploy/storage/claims.yaml"] {
            assert_eq!(
                fs::read_to_string(dir.join(f)).expect("read"),
                fs::read_to_string(expected.join(f)).expect("read"),
                "{tool} {f}: the diff applied must give what --in-place writes"
            );
        }
    }
}

/// The pieces generated file names are made of.
const NAME_PIECES: &[&[u8]] = &[
    b"a",
    b"b",
    b"z",
    b" ",
    b"  ",
    b"\t",
    b"\n",
    b"\"",
    b"\\",
    b"-",
    b"'",
    b"$",
    "\u{e9}".as_bytes(),
    b"\xff",
    b"\x1b",
    b"#",
];

/// A generated file name for case `case`: pieces with spaces, tabs, line breaks, quotes,
/// backslashes, ESC, non-ASCII and non-UTF-8 bytes, every fifth with a leading dash.
fn odd_name(case: usize, next: &mut impl FnMut(usize) -> usize) -> Vec<u8> {
    let mut name: Vec<u8> = Vec::new();
    if case % 5 == 0 {
        name.push(b'-');
    }
    for _ in 0..=next(6) {
        name.extend_from_slice(NAME_PIECES[next(NAME_PIECES.len())]);
    }
    name.extend_from_slice(if case % 3 == 0 { b" x.yaml" } else { b".yaml" });
    name
}

/// Generated file names (spaces, tabs, line breaks, quotes, backslashes, a leading dash,
/// non-ASCII and non-UTF-8 bytes): the `--diff` header lines are exactly `git diff`'s for the
/// same change, and the diff applies with `git apply` and with `patch -p1`, giving what
/// `--in-place` writes.
#[test]
#[ignore = "end to end: needs git and patch; run `make test`"]
fn diff_headers_quote_names_as_git_does_and_apply() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt as _;
    let git = require("git", "install git");
    let patch = require("patch", "install patch");
    const PVC: &str =
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec: {accessModes: [ReadWriteOnce]}\n";
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 1\n  template:\n    spec:\n      volumes:\n      - name: d\n        persistentVolumeClaim: {claimName: data}\n";
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        usize::try_from(seed % n as u64).expect("small")
    };
    let git_in = |dir: &Path, args: &[&str]| {
        let mut cmd = Command::new(&git);
        cmd.args(["-c", "core.quotePath=true", "-c", "color.ui=never", "-c", "user.name=t", "-c", "user.email=t@t"]);
        cmd.args(args).current_dir(dir);
        let ran = run_with(cmd, None, Duration::from_secs(30));
        assert_eq!(ran.code, 0, "git {args:?}: {}", ran.show());
        ran.stdout
    };
    let headers = |diff: &str| -> Vec<String> {
        diff.lines().filter(|l| l.starts_with("--- ") || l.starts_with("+++ ")).map(str::to_string).collect()
    };
    for case in 0..40 {
        let name = odd_name(case, &mut next);
        let sub: &[u8] = if case % 4 == 1 { b"dir with space/" } else { b"" };
        let rel: Vec<u8> = [sub, &name[..]].concat();
        let shown = String::from_utf8_lossy(&rel).into_owned();
        let tree = |label: &str| {
            let dir = scratch(&format!("reports-names-{case}-{label}"));
            fs::write(dir.join("pvc.yaml"), PVC).expect("write");
            if !sub.is_empty() {
                fs::create_dir_all(dir.join(OsStr::from_bytes(sub))).expect("dir");
            }
            fs::write(dir.join(OsStr::from_bytes(&rel)), deployment).expect("write");
            dir
        };
        let base = tree("base");
        let ran = rwo_guard(&base, &["-f", ".", "--diff", "--color", "never"], None);
        assert_eq!(ran.code, 0, "{shown:?}: {}", ran.show());
        let ours = ran.stdout;
        // git diff of the same change, made by --in-place in a repository.
        let repo_dir = tree("git");
        git_in(&repo_dir, &["init", "-q"]);
        git_in(&repo_dir, &["add", "-A"]);
        git_in(&repo_dir, &["commit", "-q", "-m", "base"]);
        let fixed = rwo_guard(&repo_dir, &["-f", ".", "--in-place"], None);
        assert_eq!(fixed.code, 0, "{shown:?}: {}", fixed.show());
        let theirs = git_in(&repo_dir, &["diff"]);
        assert_eq!(headers(&ours), headers(&theirs), "{shown:?}: the ---/+++ lines differ from git diff's");
        let want = fs::read(repo_dir.join(OsStr::from_bytes(&rel))).expect("read");
        // Both tools apply it and give what --in-place wrote.
        let patch_file = base.join("../names.patch");
        fs::write(&patch_file, &ours).expect("patch file");
        for (tool, how) in [(&git, &["apply"][..]), (&patch, &["-p1", "-i"][..])] {
            let dir = tree(if how.len() == 1 { "git" } else { "patch" });
            let mut cmd = common::command(tool, how, &dir);
            cmd.arg(&patch_file);
            let applied = run_with(cmd, None, Duration::from_secs(30));
            assert_eq!(applied.code, 0, "{how:?} on {shown:?}:\n{ours}\n{}", applied.show());
            assert_eq!(fs::read(dir.join(OsStr::from_bytes(&rel))).expect("read"), want, "{how:?} on {shown:?}");
            let _ = fs::remove_dir_all(&dir);
        }
        for d in [&base, &repo_dir] {
            let _ = fs::remove_dir_all(d);
        }
    }
}
