//! The command line's contract: `--help` is golden (tests/cli/help.txt; bless with
//! `RWO_GUARD_BLESS=1 cargo test --test cli`), usage errors exit 2, and the binary behaves as the
//! library's `run` (exit codes, streams) when run as a process.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::io::Write as _;
use std::process::{Command, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rwo-guard"))
}

fn run_with(args: &[&str], input: &[u8]) -> (i32, String, String) {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn rwo-guard");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait");
    writer.join().expect("writer");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn help_is_golden() {
    let (code, help, _) = run_with(&["--help"], b"");
    assert_eq!(code, 0);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/help.txt");
    if std::env::var_os("RWO_GUARD_BLESS").is_some() {
        std::fs::write(&path, &help).expect("bless help");
    }
    let want = std::fs::read_to_string(&path).expect("tests/cli/help.txt");
    assert_eq!(help, want, "--help changed; review and bless with RWO_GUARD_BLESS=1");
}

#[test]
fn usage_errors_exit_2_and_write_nothing() {
    let (code, out, err) = run_with(&["--mode", "sometimes"], b"a: 1\n");
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("sometimes") && err.contains("recreate"), "{err}");
}

#[test]
fn missing_config_file_is_a_usage_error() {
    let (code, out, err) = run_with(&["/nonexistent/rwo-guard.yaml"], b"a: 1\n");
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("/nonexistent/rwo-guard.yaml"), "{err}");
}

#[test]
fn non_utf8_input_is_named_with_its_place() {
    let (code, out, err) = run_with(&[], b"a: 1\nb: \xff\n");
    assert_eq!(code, 3);
    assert!(out.is_empty());
    assert!(err.contains("not UTF-8") && err.contains("<stdin>:2:4"), "{err}");
}

#[test]
fn input_over_the_limit_names_the_flag() {
    let (code, out, err) = run_with(&["--max-input-bytes", "10"], b"apiVersion: v1\nkind: ConfigMap\n");
    assert_eq!(code, 3);
    assert!(out.is_empty());
    assert!(err.contains("--max-input-bytes"), "{err}");
}

#[test]
fn closed_stdout_exits_quietly() {
    let doc = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: b}\n---\n".repeat(50_000);
    let mut child = bin().stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(doc.as_bytes());
    });
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    writer.join().expect("writer");
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// `--version` names the commit the binary was built from (build.rs): the commit given in
/// RWO_GUARD_COMMIT, else the one a packaged crate records, else git's HEAD here (with
/// ", dirty" when the sources built differ from it).
#[test]
fn version_names_the_commit() {
    let (code, out, _) = run_with(&["--version"], b"");
    assert_eq!(code, 0);
    let prefix = format!("rwo-guard {} (", env!("CARGO_PKG_VERSION"));
    let inner = out.strip_prefix(&prefix).and_then(|s| s.strip_suffix(")\n")).unwrap_or_else(|| panic!("{out:?}"));
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let git = |args: &[&str]| {
        let out = Command::new("git").arg("-C").arg(dir).args(args).output().ok()?;
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    if let Some(id) = option_env!("RWO_GUARD_COMMIT").filter(|id| !id.is_empty()) {
        assert_eq!(inner, &id[..7], "RWO_GUARD_COMMIT={id}");
    } else if let Ok(info) = std::fs::read_to_string(dir.join(".cargo_vcs_info.json")) {
        let (id, _) = inner.split_once(", dirty").unwrap_or((inner, ""));
        assert!(info.contains(&format!("\"sha1\": \"{id}")), "{inner:?} not in {info}");
    } else if git(&["rev-parse", "--show-toplevel"]).and_then(|top| std::fs::canonicalize(top).ok())
        == std::fs::canonicalize(dir).ok()
    {
        let head = git(&["rev-parse", "--short", "HEAD"]).expect("git rev-parse HEAD");
        let dirty = !git(&["status", "--porcelain", "--", "src", "build.rs", "Cargo.toml", "Cargo.lock"])
            .expect("git status")
            .is_empty();
        assert_eq!(inner, if dirty { format!("{head}, dirty") } else { head });
    } else {
        assert_eq!(inner, "unknown commit");
    }
}
