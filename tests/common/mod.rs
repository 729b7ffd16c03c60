//! Helpers shared by the integration tests (helm, argocd, precommit, live_audit, kustomization,
//! files, reports): locating tools, scratch space, copying trees, running commands with a
//! deadline. A test that needs an external tool is `#[ignore]`d (bare `cargo test` reports it
//! as ignored; `make test` runs it) and fails loudly, naming what is missing and how to install
//! it, when the tool is absent.

#![allow(dead_code, clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh scratch directory for one test, under target/tmp: its own even when two tests of the
/// one test process ask for the same name.
pub fn scratch(name: &str) -> PathBuf {
    static TAKEN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = TAKEN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}-{n}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

pub fn is_executable(p: &Path) -> bool {
    fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(name)).find(|p| is_executable(p))
}

/// A tool on PATH, or a loud failure naming how to get it.
pub fn require(name: &str, how: &str) -> PathBuf {
    which(name).unwrap_or_else(|| panic!("this test needs `{name}` on PATH, which is missing: {how}"))
}

/// The project's Python tools venv (`.tools/venv`, from scripts/requirements-tools.txt), with
/// `module` importable; a loud failure otherwise.
pub fn venv_tool(module: &str) -> PathBuf {
    let python = repo().join(".tools/venv/bin/python");
    let hint = "run scripts/install-deps.sh (it installs scripts/requirements-tools.txt into .tools/venv)";
    assert!(is_executable(&python), "this test needs {} (missing): {hint}", python.display());
    let ok = Command::new(&python)
        .args(["-c", &format!("import {module}")])
        .stdin(Stdio::null())
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(ok, "this test needs the Python module `{module}` in .tools/venv, which is missing: {hint}");
    python
}

/// What one command produced.
pub struct Ran {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Ran {
    pub fn show(&self) -> String {
        format!("exit {}\n--- stdout\n{}\n--- stderr\n{}", self.code, self.stdout, self.stderr)
    }
}

/// Runs `cmd` (stdout and stderr piped, `input` on stdin) and kills it after `limit`.
pub fn run_with(mut cmd: Command, input: Option<&[u8]>, limit: Duration) -> Ran {
    let what = format!("{cmd:?}");
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd.stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() });
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    let writer = input.map(|bytes| {
        let mut stdin = child.stdin.take().expect("stdin pipe");
        let bytes = bytes.to_vec();
        std::thread::spawn(move || {
            let _ = stdin.write_all(&bytes);
        })
    });
    let mut out = child.stdout.take().expect("stdout pipe");
    let mut err = child.stderr.take().expect("stderr pipe");
    let out_reader = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = out.read_to_end(&mut b);
        b
    });
    let err_reader = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = err.read_to_end(&mut b);
        b
    });
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running after {}s; killed", limit.as_secs());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    if let Some(w) = writer {
        let _ = w.join();
    }
    Ran {
        stdout: String::from_utf8_lossy(&out_reader.join().expect("stdout reader")).into_owned(),
        stderr: String::from_utf8_lossy(&err_reader.join().expect("stderr reader")).into_owned(),
        code: status.code().unwrap_or(-1),
    }
}

pub fn run(cmd: Command) -> Ran {
    run_with(cmd, None, Duration::from_secs(300))
}

/// `program args...` in `cwd`.
pub fn command(program: impl AsRef<OsStr>, args: &[&str], cwd: &Path) -> Command {
    let mut c = Command::new(program);
    c.args(args).current_dir(cwd);
    c
}

/// Copies a directory tree (files keep their permission bits).
pub fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for e in fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let e = e.expect("entry");
        let p = e.path();
        let dest = to.join(e.file_name());
        if p.is_dir() {
            copy_tree(&p, &dest);
        } else {
            fs::copy(&p, &dest).unwrap_or_else(|e| panic!("copy {}: {e}", p.display()));
        }
    }
}

/// A directory holding only `rwo-guard` (a link to the binary under test), to put on PATH.
pub fn bin_dir(root: &Path) -> PathBuf {
    let dir = root.join("bin");
    fs::create_dir_all(&dir).expect("mkdir bin");
    let link = dir.join("rwo-guard");
    let _ = fs::remove_file(&link);
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_rwo-guard"), &link).expect("link rwo-guard");
    dir
}

/// PATH with `first` in front of the caller's.
pub fn path_with(first: &Path) -> std::ffi::OsString {
    let mut p = first.as_os_str().to_os_string();
    if let Some(rest) = std::env::var_os("PATH") {
        p.push(":");
        p.push(rest);
    }
    p
}

/// Every file under `root`, by relative path, with its bytes.
pub fn snapshot(root: &Path) -> BTreeMap<String, Vec<u8>> {
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
