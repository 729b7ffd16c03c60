//! The command line's contract: `--help` is golden (tests/cli/help.txt; bless with
//! `RWO_GUARD_BLESS=1 cargo test --test suite cli::`), usage errors exit 2, and the binary behaves as the
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

#[test]
fn a_failed_write_has_its_own_exit_code_and_message() {
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
    let mut child =
        bin().stdin(Stdio::piped()).stdout(Stdio::from(full)).stderr(Stdio::piped()).spawn().expect("spawn rwo-guard");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
        .expect("input");
    let out = child.wait_with_output().expect("wait");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(err.contains("cannot write the output"), "{err}");
}

/// Runs the binary through `sh -c` (to close or redirect its standard streams).
fn shell(script: &str, input: &[u8]) -> (i32, String, String) {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_rwo-guard"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sh");
    let _ = child.stdin.take().expect("stdin").write_all(input);
    let out = child.wait_with_output().expect("wait");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// `/dev/null` as standard input or output, in any open mode, is a working stream: an empty
/// input, a discarding output. Opened read-write (Python's `subprocess.DEVNULL`) it was taken for
/// a closed stream (stdout: exit 5; stdin: exit 3). A stream closed at start is reopened there
/// by Rust's runtime, read-write, so it is the same.
#[test]
fn dev_null_in_any_mode_is_a_working_stream() {
    let null = |read: bool, write: bool| {
        Stdio::from(std::fs::OpenOptions::new().read(read).write(write).open("/dev/null").expect("/dev/null"))
    };
    let doc = b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n";
    for (read, write) in [(true, true), (false, true)] {
        let mut child =
            bin().stdin(Stdio::piped()).stdout(null(read, write)).stderr(Stdio::piped()).spawn().expect("spawn");
        child.stdin.take().expect("stdin").write_all(doc).expect("input");
        let out = child.wait_with_output().expect("wait");
        assert_eq!(
            out.status.code(),
            Some(0),
            "stdout /dev/null ({read}, {write}): {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for (read, write) in [(true, true), (true, false)] {
        let out = bin().args(["--mode", "check"]).stdin(null(read, write)).output().expect("run");
        assert_eq!(
            out.status.code(),
            Some(0),
            "stdin /dev/null ({read}, {write}): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.stdout.is_empty(), "{}", String::from_utf8_lossy(&out.stdout));
    }
    // Closed at start: the same, as the runtime hands it over.
    assert_eq!(shell(r#""$0" --mode check <&-"#, b"").0, 0);
    assert_eq!(shell(r#""$0" >&-"#, b"apiVersion: v1\nkind: ConfigMap\n").0, 0);
    assert_eq!(shell(r#""$0" >/dev/null"#, b"apiVersion: v1\nkind: ConfigMap\n").0, 0);
    // An output that fails is still an error.
    let (code, _, err) = shell(r#""$0" --help >/dev/full"#, b"");
    assert_eq!(code, 5, "{err}");
}

#[test]
fn a_config_file_that_never_ends_is_bounded() {
    let (code, out, err) = shell(r#"exec timeout 20 "$0" /dev/zero"#, b"apiVersion: v1\nkind: ConfigMap\n");
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(err.contains("/dev/zero") && err.contains("larger than 1048576 bytes"), "{err}");
}

#[test]
fn a_failed_run_leaves_its_error_as_the_results() {
    let dir = std::env::temp_dir().join(format!("rwo-guard-cli-results-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let results = dir.join("results.yaml");
    std::fs::write(&results, "- message: an older, good run\n  severity: info\n").expect("old results");
    let (code, _, _) = run_with(&["--results", results.to_str().expect("utf-8")], b"a: [\n");
    assert_eq!(code, 3);
    let now = std::fs::read_to_string(&results).expect("results");
    assert!(now.contains("invalid YAML") && !now.contains("older"), "{now}");
    // A results file that cannot be written: the ResourceList is answered with the error.
    let (code, out, err) = run_with(
        &["--results", dir.to_str().expect("utf-8")],
        b"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n",
    );
    assert_eq!(code, 5, "{err}");
    assert!(out.contains("kind: ResourceList") && out.contains("cannot write the results"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_full_non_blocking_stdout_is_waited_for() {
    // Python sets O_NONBLOCK on the pipe rwo-guard writes to, and reads it slowly: the output
    // must arrive whole (EAGAIN retried, not an error or a loss).
    let doc = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: b}\n---\n".repeat(20_000);
    let script = r#"
import fcntl, os, subprocess, sys, time
r, w = os.pipe()
fcntl.fcntl(w, fcntl.F_SETFL, fcntl.fcntl(w, fcntl.F_GETFL) | os.O_NONBLOCK)
p = subprocess.Popen([sys.argv[1]], stdin=subprocess.PIPE, stdout=w, stderr=subprocess.PIPE)
os.close(w)
data = sys.stdin.buffer.read()
import threading
threading.Thread(target=lambda: (p.stdin.write(data), p.stdin.close())).start()
got = b""
while True:
    time.sleep(0.001)
    chunk = os.read(r, 65536)
    if not chunk:
        break
    got += chunk
p.wait()
sys.stderr.write(p.stderr.read().decode())
sys.exit(0 if p.returncode == 0 and got == data else 1)
"#;
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_rwo-guard"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 (on every machine this project builds on) runs this test");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(doc.as_bytes());
    });
    let out = child.wait_with_output().expect("wait");
    writer.join().expect("writer");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn block_and_flow_nesting_count_together_against_max_depth() {
    // 100 block mappings, then 100 flow sequences: 200 levels, over the default 128.
    let mut deep: String = (0..100).map(|i| format!("{}a:\n", "  ".repeat(i))).collect();
    deep.push_str(&format!("{}{}{}\n", "  ".repeat(100), "[".repeat(100), "]".repeat(100)));
    let (code, out, err) = run_with(&[], deep.as_bytes());
    assert_eq!(code, 3, "{err}");
    assert!(out.is_empty());
    assert!(err.contains("nesting deeper than 128") && err.contains("--max-depth"), "{err}");
    assert_eq!(run_with(&["--max-depth", "201"], deep.as_bytes()).0, 0);
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

/// The man page and the completion scripts come from the command line's own definition.
#[test]
fn generate_man_page_and_completions() {
    for (kind, marker) in [
        ("man", ".TH rwo-guard 1"),
        ("complete-bash", "complete -F"),
        ("complete-zsh", "#compdef rwo-guard"),
        ("complete-fish", "complete -c rwo-guard"),
        ("complete-powershell", "Register-ArgumentCompleter"),
        ("complete-elvish", "set edit:completion:arg-completer[rwo-guard]"),
    ] {
        let (code, out, err) = run_with(&["--generate", kind], b"");
        assert_eq!(code, 0, "{kind}: {err}");
        assert!(out.contains(marker), "{kind}: no {marker:?} in\n{out}");
        // roff escapes a hyphen as `\-`.
        let flags = out.replace("\\-", "-");
        assert!(flags.contains("external-claims") && flags.contains("max-depth"), "{kind} lacks flags");
    }
    let (code, _, err) = run_with(&["--generate", "tcsh"], b"");
    assert_eq!(code, 2);
    assert!(err.contains("possible values"), "{err}");
}

/// A byte-order mark before a later `---`: YAML 1.2 allows it, kubectl (go-yaml) does not;
/// the error says what and where, without a field it does not belong to.
#[test]
fn a_byte_order_mark_mid_stream_is_named() {
    let (code, out, err) =
        run_with(&[], b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n\xef\xbb\xbf---\nkind: ConfigMap\n");
    assert_eq!(code, 3, "{err}");
    assert!(out.is_empty());
    assert!(err.contains("byte-order mark") && err.contains("<stdin>:4:1") && !err.contains("field"), "{err}");
    // At the very start it is fine (and kept).
    let (code, out, _) = run_with(&[], b"\xef\xbb\xbfapiVersion: v1\nkind: ConfigMap\n");
    assert_eq!(code, 0);
    assert!(out.starts_with('\u{feff}'));
}

/// `--results` creates or replaces only a regular file, atomically; it writes into a character
/// device or a FIFO and never removes or replaces one; it removes nothing it did not create;
/// and a results path that is the input is a usage error before any work.
#[test]
fn the_results_path_is_written_safely() {
    use std::os::unix::fs::{FileTypeExt as _, MetadataExt as _};
    let dir = std::env::temp_dir().join(format!("rwo-guard-cli-results-safe-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let input = b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n";
    // A device that fails every write (as /dev/full): the failed write and the failed error
    // report leave it where it is, a device (it was removed, then created as a regular file).
    let full = dir.join("full");
    let made = Command::new("mknod").arg(&full).args(["c", "1", "7"]).status().is_ok_and(|s| s.success());
    let full = if made { full } else { std::path::PathBuf::from("/dev/full") };
    let (code, _, err) = run_with(&["--results", full.to_str().expect("utf-8")], input);
    assert_eq!(code, 5, "{err}");
    assert!(err.contains("cannot write the results"), "{err}");
    let kind = std::fs::symlink_metadata(&full).expect("still there").file_type();
    assert!(kind.is_char_device(), "{} is still a character device", full.display());
    // A regular file is replaced by a rename: a new file, whole.
    let results = dir.join("r.yaml");
    std::fs::write(&results, "old\n").expect("write");
    let before = std::fs::metadata(&results).expect("meta").ino();
    let (code, _, err) = run_with(&["--results", results.to_str().expect("utf-8")], input);
    assert_eq!(code, 0, "{err}");
    assert_ne!(std::fs::metadata(&results).expect("meta").ino(), before, "replaced by a rename");
    assert_eq!(std::fs::read_dir(&dir).expect("dir").count(), if made { 2 } else { 1 }, "no temporary file left");
    // A FIFO is written into and stays a FIFO.
    let fifo = dir.join("fifo");
    assert!(Command::new("mkfifo").arg(&fifo).status().expect("mkfifo").success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).expect("read the fifo"))
    };
    let (code, _, err) = run_with(&["--results", fifo.to_str().expect("utf-8")], input);
    assert_eq!(code, 0, "{err}");
    assert_eq!(reader.join().expect("reader"), "[]\n");
    assert!(std::fs::symlink_metadata(&fifo).expect("meta").file_type().is_fifo());
    // The process's own stdout, a regular file here: appended to, not replaced by a rename.
    let log = dir.join("log");
    std::fs::write(&log, "before\n").expect("write");
    let ino = std::fs::metadata(&log).expect("meta").ino();
    let out = Command::new("sh")
        .arg("-c")
        .arg(r#""$0" --results /dev/stdout >> "$1" < "$2""#)
        .arg(env!("CARGO_BIN_EXE_rwo-guard"))
        .arg(&log)
        .arg(dir.join("r.yaml"))
        .output()
        .expect("sh");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::metadata(&log).expect("meta").ino(), ino, "/dev/stdout's file is not replaced");
    assert!(std::fs::read_to_string(&log).expect("read").starts_with("before\n"));
    // The input itself: exit 2, before any work; the input is left as it was.
    let manifest = dir.join("in.yaml");
    std::fs::write(&manifest, input).expect("write");
    let out = bin()
        .arg("--results")
        .arg(&manifest)
        .stdin(std::fs::File::open(&manifest).expect("open"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("that is the input <stdin>"));
    assert!(out.stdout.is_empty());
    assert_eq!(std::fs::read(&manifest).expect("read"), input);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--max-depth` is capped where the code is proven (`src/lib.rs`'s test at the cap on a small
/// stack): raised high, a deep strategy aborted the process with a stack overflow (exit 134).
#[test]
fn max_depth_is_capped_where_the_code_is_proven() {
    let n = 20_000;
    let input = format!(
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {{name: data}}\nspec: {{accessModes: [ReadWriteOnce]}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web}}\nspec:\n  replicas: 1\n  strategy: {{type: RollingUpdate, x: {}1{}}}\n  template:\n    spec:\n      volumes:\n      - name: d\n        persistentVolumeClaim: {{claimName: data}}\n",
        "[".repeat(n),
        "]".repeat(n)
    );
    let (code, out, err) = run_with(&["--max-depth", &(n + 10).to_string()], input.as_bytes());
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(err.contains("--max-depth") && err.contains("1..=1000"), "{err}");
    let (code, _, err) = run_with(&["--max-depth", "1000"], input.as_bytes());
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("the nesting limit is 1000, the highest rwo-guard accepts"), "{err}");
}

/// A `--cluster` file is read, never written, and its own problems are named with its place.
#[test]
fn cluster_files_are_facts_only_and_their_errors_are_located() {
    let dir = std::env::temp_dir().join(format!("rwo-guard-cluster-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let good = dir.join("cluster.yaml");
    let cluster = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: storage.k8s.io/v1\n  kind: StorageClass\n  metadata: {name: gp3}\n  provisioner: ebs.csi.aws.com\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: not-read}\n  spec: {template: {spec: {volumes: [{name: v, persistentVolumeClaim: {claimName: d}}]}}}\n";
    std::fs::write(&good, cluster).expect("write");
    let claim = b"apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: d}\nspec: {accessModes: [ReadWriteMany], storageClassName: gp3}\n";
    let g = good.display().to_string();
    let (code, out, err) = run_with(&["--cluster", &g], claim);
    assert_eq!(code, 1, "{err}");
    assert_eq!(out.as_bytes(), claim, "the bundle is passed through");
    assert!(err.contains("StorageClass gp3 from cluster file"), "{err}");
    assert!(!err.contains("not-read"), "no finding about the cluster file's objects: {err}");
    assert_eq!(std::fs::read_to_string(&good).expect("read"), cluster, "never written");

    let bad = dir.join("bad.yaml");
    std::fs::write(&bad, "items:\n- a: [1\n").expect("write");
    let b = bad.display().to_string();
    let (code, out, err) = run_with(&["--cluster", &g, "--cluster", &b], claim);
    assert_eq!(code, 3, "{err}");
    assert!(out.is_empty());
    assert!(err.contains("bad.yaml") && err.contains(":2:"), "file and line named: {err}");

    let (code, _, err) = run_with(&["--cluster", &dir.join("missing.yaml").display().to_string()], claim);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--cluster") && err.contains("missing.yaml"), "{err}");

    let rl = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nfunctionConfig:\n  apiVersion: rwo-guard.dev/v1alpha1\n  kind: RwoGuard\n  spec: {cluster: /etc/passwd}\n";
    let (code, _, err) = run_with(&[], rl.as_bytes());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not by a functionConfig"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
