//! End to end through the real engines: every case under `kustomization-tests/` and every
//! example under `examples/` runs through kubectl's kustomize (v5.5), kubectl.1.33's (v5.6),
//! the legacy exec plugin lookup, `kpt fn eval --exec` and `kpt fn render`, and the container
//! image in podman (through `scripts/shim/docker`, exactly as kustomize calls `docker run`).
//!
//! Both tests are `#[ignore]`d so that a bare `cargo test` lists them as ignored instead of
//! failing on a machine without the tools; `make test` (the README's full test command) installs
//! what it can and runs them with `--include-ignored` (alone:
//! `cargo test --test suite kustomization:: -- --include-ignored`).
//!
//! Once per test process the runner checks that kubectl, kubectl.1.33, kpt and podman exist
//! (the test FAILS, naming what is missing, when one does not: run `scripts/install-deps.sh`),
//! builds the static binary and the image `localhost/rwo-guard:dev` from the current code with
//! `scripts/build-image.sh`, and takes the container settings from `scripts/container-env.sh`.
//! Exec routes run the binary cargo built for this test run (`CARGO_BIN_EXE_rwo-guard`), put
//! first on PATH as `rwo-guard` and linked as the legacy plugin in a scratch plugin home.
//!
//! A case directory holds `case.yaml` (the descriptor, see kustomization-tests/README.md), the
//! kustomization or kpt package, and `.expected/`: `output.yaml` (stdout), for kpt engines the
//! package tree after the run (`.expected/<dir>/`), and `stderr` / `exit-code` where present
//! (a missing `exit-code` means 0; a missing `stderr` is not compared). Each case runs on a
//! scratch copy. Stderr is normalized narrowly before comparing: the scratch path becomes
//! `<work>`, kustomize's legacy plugin config path `/tmp/kust-plugin-config-N` becomes
//! `<plugin-config>`, klog headers `E1124 04:54:42.390047   26835 ` become `E<klog> `, and kpt's
//! `[PASS] "fn" in 100ms` timings become `in <time>`.
//!
//! Proof that rwo-guard really ran (kubectl kustomize silently skips exec KRM functions): the
//! case's `proof` text must be in the output (stdout, stderr or package files) and in none of
//! the case's input files; for the container engines the docker shim's log must show
//! `docker run ... --network none --user nobody --security-opt=no-new-privileges ... IMAGE`.
//! For kpt engines every comment of the input package must still be in the same file, in order.
//!
//! `RWO_GUARD_BLESS=1 cargo test --test suite kustomization:: -- --include-ignored` rewrites
//! `.expected/` from what the engines produce (review the diff); `RWO_GUARD_KUST=name` runs only
//! matching cases.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // a test harness: fail loudly

use crate::common;

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::Ran;

/// The image the cases and examples name in their `config.kubernetes.io/function` annotation.
const IMAGE: &str = "localhost/rwo-guard:dev";
/// Longest any single engine run may take before it is killed and the case fails.
const RUN_TIMEOUT: Duration = Duration::from_secs(180);

/// What every case needs, prepared once per test process.
struct Setup {
    repo: PathBuf,
    /// Scratch root under target/tmp, one per test process.
    root: PathBuf,
    /// PATH for every command: the bin dir (`rwo-guard`), the docker shim, then the caller's.
    path: OsString,
    /// CONTAINERS_CONF and, when the overlay storage is unusable, CONTAINERS_STORAGE_CONF.
    container_env: Vec<(String, String)>,
    kubectl: PathBuf,
    kubectl_133: PathBuf,
    kpt: PathBuf,
    /// Holds rwo-guard.dev/v1alpha1/rwoguard/RwoGuard -> the binary under test.
    plugin_home: PathBuf,
    /// An empty plugin home, set for every non-legacy run so no stray plugin is picked up.
    no_plugins: PathBuf,
    /// The binary under test.
    bin: PathBuf,
}

static SETUP: OnceLock<Result<Setup, String>> = OnceLock::new();

fn setup() -> &'static Setup {
    match SETUP.get_or_init(prepare) {
        Ok(setup) => setup,
        Err(e) => panic!("{e}"),
    }
}

fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(name)).find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// kubectl.1.33: on PATH, else beside kubectl's resolved binary (the Google Cloud SDK bin
/// folder), else `$KUBECTL_133` (same lookup as scripts/install-deps.sh).
fn find_kubectl_133(kubectl: Option<&Path>) -> Option<PathBuf> {
    which("kubectl.1.33")
        .or_else(|| {
            let real = fs::canonicalize(kubectl?).ok()?;
            Some(real.parent()?.join("kubectl.1.33")).filter(|p| is_executable(p))
        })
        .or_else(|| std::env::var_os("KUBECTL_133").map(PathBuf::from).filter(|p| is_executable(p)))
}

fn prepare() -> Result<Setup, String> {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    if !repo.join("kustomization-tests").is_dir() || !repo.join("scripts/build-image.sh").is_file() {
        return Err(format!(
            "{} has no kustomization-tests/ or scripts/ (a packaged crate leaves them out): the \
             end-to-end tests run in a clone of the repository, with `make test`",
            repo.display()
        ));
    }
    let kubectl = which("kubectl");
    let kubectl_133 = find_kubectl_133(kubectl.as_deref());
    let kpt = which("kpt");
    let podman = which("podman");
    let mut missing = Vec::new();
    for (found, what) in [
        (kubectl.is_some(), "kubectl (kustomize v5.5) on PATH"),
        (kubectl_133.is_some(), "kubectl.1.33 (kustomize v5.6) on PATH, beside kubectl's binary or in $KUBECTL_133"),
        (kpt.is_some(), "kpt on PATH"),
        (podman.is_some(), "podman on PATH"),
    ] {
        if !found {
            missing.push(what);
        }
    }
    if !missing.is_empty() {
        return Err(format!(
            "kustomization tests cannot run: missing {}.\nRun scripts/install-deps.sh (as root it installs \
             podman and runc with apt-get and reports what else is missing); these tests never skip.",
            missing.join("; ")
        ));
    }

    let (shim_path, container_env) = container_env(&repo)?;
    build_image(&repo)?;
    let root = scratch_root();
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_rwo-guard"));
    let bin_dir = root.join("bin");
    let plugin_dir = root.join("plugins/rwo-guard.dev/v1alpha1/rwoguard");
    let no_plugins = root.join("no-plugins");
    for d in [&bin_dir, &plugin_dir, &no_plugins] {
        fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
    }
    std::os::unix::fs::symlink(&bin, bin_dir.join("rwo-guard")).map_err(|e| e.to_string())?;
    std::os::unix::fs::symlink(&bin, plugin_dir.join("RwoGuard")).map_err(|e| e.to_string())?;
    let mut path = bin_dir.into_os_string();
    path.push(":");
    path.push(&shim_path);
    Ok(Setup {
        repo,
        plugin_home: root.join("plugins"),
        no_plugins,
        root,
        path,
        container_env,
        kubectl: kubectl.unwrap_or_default(),
        kubectl_133: kubectl_133.unwrap_or_default(),
        kpt: kpt.unwrap_or_default(),
        bin,
    })
}

/// The container settings exactly as scripts/container-env.sh computes them: the PATH with its
/// docker shim, and the variables the container engine reads.
fn container_env(repo: &Path) -> Result<(String, Vec<(String, String)>), String> {
    let env = Command::new("bash")
        .arg("-c")
        .arg(r#". "$1/scripts/container-env.sh" >&2 && printf '%s\0%s\0%s' "$PATH" "$CONTAINERS_CONF" "${CONTAINERS_STORAGE_CONF-}""#)
        .arg("bash")
        .arg(repo)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run bash: {e}"))?;
    if !env.status.success() {
        return Err(format!("sourcing scripts/container-env.sh failed:\n{}", String::from_utf8_lossy(&env.stderr)));
    }
    let env = String::from_utf8_lossy(&env.stdout).into_owned();
    let mut parts = env.split('\0');
    let (shim_path, conf, storage) =
        (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let mut container_env = vec![("CONTAINERS_CONF".to_string(), conf.to_string())];
    if !storage.is_empty() {
        container_env.push(("CONTAINERS_STORAGE_CONF".to_string(), storage.to_string()));
    }
    Ok((shim_path.to_string(), container_env))
}

/// The image, from the current code (static release build + offline podman build).
fn build_image(repo: &Path) -> Result<(), String> {
    let started = Instant::now();
    let built = Command::new("bash")
        .arg(repo.join("scripts/build-image.sh"))
        .arg(IMAGE)
        .current_dir(repo)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run scripts/build-image.sh: {e}"))?;
    if !built.status.success() {
        return Err(format!(
            "scripts/build-image.sh {IMAGE} failed ({}):\n{}\n{}",
            built.status,
            tail(&String::from_utf8_lossy(&built.stdout), 30),
            tail(&String::from_utf8_lossy(&built.stderr), 30)
        ));
    }
    eprintln!("kustomization tests: built the static binary and {IMAGE} in {:.1}s", started.elapsed().as_secs_f64());
    Ok(())
}

/// Scratch space, one per test process; leftovers of finished processes (kept when a case
/// failed) are removed.
fn scratch_root() -> PathBuf {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    for entry in fs::read_dir(&tmp).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(pid) = name.strip_prefix("kustomization-") {
            if !Path::new("/proc").join(pid).exists() {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }
    let root = tmp.join(format!("kustomization-{}", std::process::id()));
    let _ = fs::remove_dir_all(&root);
    root
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

impl Setup {
    /// A command with the tests' environment: PATH, container settings, no plugin home, no
    /// stdin, and the docker shim logging to `shim_log`.
    fn command(&self, program: impl AsRef<std::ffi::OsStr>, cwd: &Path, shim_log: &Path) -> Command {
        let mut c = Command::new(program);
        c.current_dir(cwd)
            .env("PATH", &self.path)
            .env("KUSTOMIZE_PLUGIN_HOME", &self.no_plugins)
            .env("RWO_GUARD_SHIM_LOG", shim_log)
            .env_remove("RWO_GUARD_SHIM_STDIN")
            .env_remove("NO_COLOR")
            .stdin(Stdio::null());
        for (k, v) in &self.container_env {
            c.env(k, v);
        }
        c
    }
}

/// Runs `cmd` to completion, killing it after [`RUN_TIMEOUT`].
fn run(cmd: Command) -> Ran {
    common::run_with(cmd, None, RUN_TIMEOUT)
}

/// The engines a case can name in `case.yaml`.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Engine {
    Kubectl,
    Kubectl133,
    LegacyPlugin,
    KptEval,
    KptRender,
}

impl Engine {
    fn parse(s: &str) -> Option<Engine> {
        Some(match s {
            "kubectl" => Engine::Kubectl,
            "kubectl-1.33" => Engine::Kubectl133,
            "legacy-plugin" => Engine::LegacyPlugin,
            "kpt-eval" => Engine::KptEval,
            "kpt-render" => Engine::KptRender,
            _ => return None,
        })
    }
    fn is_container(self) -> bool {
        matches!(self, Engine::Kubectl | Engine::Kubectl133)
    }
    fn is_kpt(self) -> bool {
        matches!(self, Engine::KptEval | Engine::KptRender)
    }
}

/// A parsed `case.yaml`.
struct Case {
    name: String,
    src: PathBuf,
    engine: Engine,
    /// What to build, relative to the case directory.
    dir: String,
    args: Vec<String>,
    fn_config: Option<String>,
    proof: String,
}

fn parse_case(src: &Path) -> Result<Case, String> {
    let name = src.file_name().and_then(|n| n.to_str()).unwrap_or("?").to_string();
    let text = fs::read_to_string(src.join("case.yaml")).map_err(|e| format!("{name}/case.yaml: {e}"))?;
    let mut keys = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (k, v) =
            line.split_once(':').ok_or_else(|| format!("{name}/case.yaml:{}: expected `key: value`", n + 1))?;
        let v = v.trim();
        let v = v.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(v);
        keys.insert(k.trim().to_string(), v.to_string());
    }
    for k in keys.keys() {
        if !["engine", "dir", "args", "fn-config", "proof"].contains(&k.as_str()) {
            return Err(format!("{name}/case.yaml: unknown key `{k}` (known: engine, dir, args, fn-config, proof)"));
        }
    }
    let engine = keys.get("engine").map_or("", String::as_str);
    let engine = Engine::parse(engine)
        .ok_or_else(|| format!("{name}/case.yaml: engine `{engine}` is not one of kubectl, kubectl-1.33, legacy-plugin, kpt-eval, kpt-render"))?;
    let proof = keys
        .get("proof")
        .cloned()
        .filter(|p| !p.is_empty())
        .ok_or_else(|| format!("{name}/case.yaml: `proof` is required"))?;
    let dir = keys.get("dir").cloned().unwrap_or_else(|| if engine.is_kpt() { "pkg".into() } else { ".".into() });
    if engine.is_kpt() && dir == "." {
        return Err(format!(
            "{name}/case.yaml: a kpt package must be a subdirectory (dir), so case.yaml is not part of it"
        ));
    }
    Ok(Case {
        name,
        src: src.to_path_buf(),
        engine,
        dir,
        args: keys.get("args").map(|a| a.split_whitespace().map(String::from).collect()).unwrap_or_default(),
        fn_config: keys.get("fn-config").cloned(),
        proof,
    })
}

/// Every file under `dir`, as (path relative to `dir`, bytes), sorted; skips `.expected`.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for e in entries {
            let p = e.expect("dir entry").path();
            if p.file_name().is_some_and(|n| n == ".expected") {
                continue;
            }
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p.strip_prefix(base).expect("under base").to_string_lossy().into_owned();
                out.insert(rel, fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn write_tree(dir: &Path, files: &BTreeMap<String, Vec<u8>>) {
    for (rel, bytes) in files {
        let p = dir.join(rel);
        fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        fs::write(&p, bytes).expect("write");
    }
}

/// The narrow, documented rewrites applied to stderr before comparing (see the module doc).
fn normalize(stderr: &str, work: &Path) -> String {
    let text = stderr.replace(&work.display().to_string(), "<work>");
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        let mut line = klog(line);
        while let Some(i) = line.find("/tmp/kust-plugin-config-") {
            let digits = line[i + 24..].bytes().take_while(u8::is_ascii_digit).count();
            line.replace_range(i..i + 24 + digits, "<plugin-config>");
        }
        let trimmed = line.trim_start();
        if trimmed.starts_with("[PASS] ") || trimmed.starts_with("[FAIL] ") {
            if let Some(i) = line.rfind("\" in ") {
                let end = line.len() - usize::from(line.ends_with('\n'));
                line.replace_range(i + 5..end, "<time>");
            }
        }
        out.push_str(&line);
    }
    out
}

/// `E1124 04:54:42.390047   26835 run.go:72] ...` -> `E<klog> run.go:72] ...`.
fn klog(line: &str) -> String {
    let b = line.as_bytes();
    let shape = b"L0000 00:00:00.000000 ";
    let fits = b.len() > shape.len()
        && matches!(b[0], b'E' | b'W' | b'I' | b'F')
        && shape[1..].iter().zip(&b[1..]).all(|(s, c)| if *s == b'0' { c.is_ascii_digit() } else { s == c });
    if !fits {
        return line.to_string();
    }
    let rest = line[shape.len()..].trim_start();
    let pid = rest.bytes().take_while(u8::is_ascii_digit).count();
    if pid == 0 || !rest[pid..].starts_with(' ') {
        return line.to_string();
    }
    format!("{}<klog> {}", &line[..1], &rest[pid + 1..])
}

/// The text of every comment in `text` (from `#` to the end of the line), in order. Good
/// enough for the test packages, which hold no `#` inside strings.
fn comments(text: &str) -> Vec<&str> {
    text.lines()
        .filter_map(|l| {
            l.find(" #").map(|i| &l[i + 1..]).or_else(|| l.trim_start().starts_with('#').then(|| l.trim_start()))
        })
        .collect()
}

/// Runs one case; returns its failures (empty when it passed).
fn run_case(s: &Setup, case: &Case, bless: bool) -> Vec<String> {
    let mut failures = Vec::new();
    let name = &case.name;
    let work = s.root.join("cases").join(name);
    let _ = fs::remove_dir_all(&work);
    let inputs = tree(&case.src);
    write_tree(&work, &inputs);
    let shim_log = s.root.join("cases").join(format!("{name}.shim.log"));
    let _ = fs::remove_file(&shim_log);

    let mut cmd = case_command(s, case, &work, &shim_log);
    cmd.args(&case.args);
    let started = Instant::now();
    let ran = run(cmd);
    let stderr = normalize(&ran.stderr, &work);
    let package = if case.engine.is_kpt() { tree(&work.join(&case.dir)) } else { BTreeMap::new() };
    eprintln!(
        "kustomization tests: {name} ({:?}): exit {} in {:.1}s",
        case.engine,
        ran.code,
        started.elapsed().as_secs_f64()
    );

    // Proof that rwo-guard ran: its text is in what came out and in nothing that went in.
    let produced = package.values().any(|b| String::from_utf8_lossy(b).contains(&case.proof))
        || ran.stdout.contains(&case.proof)
        || ran.stderr.contains(&case.proof);
    if !produced {
        failures
            .push(format!("{name}: proof `{}` is in neither the output nor stderr: did rwo-guard run?", case.proof));
    }
    for (file, bytes) in &inputs {
        if file != "case.yaml" && String::from_utf8_lossy(bytes).contains(&case.proof) {
            failures.push(format!("{name}: proof `{}` is already in input file {file}; it proves nothing", case.proof));
        }
    }
    engine_checks(case, &inputs, &package, &shim_log, &mut failures);
    compare_or_bless(case, &ran, &stderr, &package, bless, &mut failures);
    if failures.is_empty() {
        let _ = fs::remove_dir_all(&work);
        let _ = fs::remove_file(&shim_log);
    } else {
        failures.push(format!("{name}: stderr was:\n{}\n(work copy kept in {})", ran.stderr, work.display()));
    }
    failures
}

/// The command that builds `case` in `work` with its engine.
fn case_command(s: &Setup, case: &Case, work: &Path, shim_log: &Path) -> Command {
    let mut cmd;
    match case.engine {
        Engine::Kubectl | Engine::Kubectl133 | Engine::LegacyPlugin => {
            let k = if case.engine == Engine::Kubectl133 { &s.kubectl_133 } else { &s.kubectl };
            cmd = s.command(k, work, shim_log);
            cmd.args(["kustomize", "--enable-alpha-plugins", &case.dir]);
            if case.engine == Engine::LegacyPlugin {
                cmd.env("KUSTOMIZE_PLUGIN_HOME", &s.plugin_home);
            }
        }
        Engine::KptEval => {
            cmd = s.command(&s.kpt, work, shim_log);
            cmd.args(["fn", "eval", &case.dir, "--exec", "rwo-guard"]);
            if let Some(f) = &case.fn_config {
                cmd.args(["--fn-config", f]);
            }
        }
        Engine::KptRender => {
            cmd = s.command(&s.kpt, work, shim_log);
            cmd.args(["fn", "render", "--allow-exec", &case.dir]);
        }
    }
    cmd
}

/// What each engine must show: a container engine ran the image locked down (the docker shim's
/// log); kpt kept every comment of the package.
fn engine_checks(
    case: &Case,
    inputs: &BTreeMap<String, Vec<u8>>,
    package: &BTreeMap<String, Vec<u8>>,
    shim_log: &Path,
    failures: &mut Vec<String>,
) {
    let name = &case.name;
    if case.engine.is_container() {
        let log = fs::read_to_string(shim_log).unwrap_or_default();
        let ran_image = log.lines().any(|l| {
            let argv: Vec<&str> = l.split('\t').collect();
            argv.get(1) == Some(&"run")
                && argv.last() == Some(&IMAGE)
                && argv.windows(2).any(|w| w == ["--user", "nobody"])
                && argv.windows(2).any(|w| w == ["--network", "none"])
                && argv.contains(&"--security-opt=no-new-privileges")
        });
        if !ran_image {
            failures.push(format!(
                "{name}: the docker shim log has no `docker run ... --network none --user nobody \
                 --security-opt=no-new-privileges ... {IMAGE}`; log:\n{log}"
            ));
        }
    }
    if case.engine.is_kpt() {
        let prefix = format!("{}/", case.dir);
        for (file, bytes) in inputs.iter().filter_map(|(f, b)| f.strip_prefix(&prefix).map(|f| (f, b))) {
            let before = String::from_utf8_lossy(bytes);
            let after = package.get(file).map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default();
            let mut left = comments(&after).into_iter();
            for c in comments(&before) {
                if !left.any(|a| a == c) {
                    failures.push(format!("{name}: {}/{file} lost the comment `{c}` (or it moved)", case.dir));
                    break;
                }
            }
        }
    }
}

/// Compares what `case` gave with its `.expected` (or, blessing, writes it there).
fn compare_or_bless(
    case: &Case,
    ran: &Ran,
    stderr: &str,
    package: &BTreeMap<String, Vec<u8>>,
    bless: bool,
    failures: &mut Vec<String>,
) {
    let name = &case.name;
    let expected = case.src.join(".expected");
    let code = format!("{}\n", ran.code);
    if bless {
        let _ = fs::remove_dir_all(&expected);
        fs::create_dir_all(&expected).expect("create .expected");
        fs::write(expected.join("output.yaml"), &ran.stdout).expect("bless output.yaml");
        if !stderr.is_empty() {
            fs::write(expected.join("stderr"), stderr).expect("bless stderr");
        }
        if ran.code != 0 {
            fs::write(expected.join("exit-code"), &code).expect("bless exit-code");
        }
        if case.engine.is_kpt() {
            write_tree(&expected.join(&case.dir), package);
        }
    } else {
        let read = |f: &str| fs::read_to_string(expected.join(f)).ok();
        let mut compare = |what: &str, want: Option<String>, got: &str| match want {
            Some(want) if want == got => {}
            want => failures.push(format!(
                "{name}: {what} differs\n--- expected\n{}\n--- got\n{got}",
                want.as_deref().unwrap_or("<missing: bless with RWO_GUARD_BLESS=1>")
            )),
        };
        compare("stdout (.expected/output.yaml)", read("output.yaml"), &ran.stdout);
        compare("exit code", Some(read("exit-code").unwrap_or_else(|| "0\n".into())), &code);
        if let Some(want) = read("stderr") {
            compare("stderr", Some(want), stderr);
        }
        if case.engine.is_kpt() {
            let want = tree(&expected.join(&case.dir));
            if want.is_empty() {
                failures.push(format!("{name}: .expected/{} is missing: bless with RWO_GUARD_BLESS=1", case.dir));
            }
            for file in want.keys().chain(package.keys()).collect::<std::collections::BTreeSet<_>>() {
                let (w, g) = (want.get(file), package.get(file));
                if w != g {
                    let show = |b: Option<&Vec<u8>>| {
                        b.map_or("<no such file>".into(), |b| String::from_utf8_lossy(b).into_owned())
                    };
                    failures.push(format!(
                        "{name}: package file {}/{file} differs from .expected\n--- expected\n{}\n--- got\n{}",
                        case.dir,
                        show(w),
                        show(g)
                    ));
                }
            }
        }
    }
}

#[test]
#[ignore = "end to end: needs kubectl, kubectl.1.33, kpt, podman; run `make test`"]
fn kustomization_cases() {
    let s = setup();
    let bless = std::env::var_os("RWO_GUARD_BLESS").is_some();
    let only = std::env::var("RWO_GUARD_KUST").ok();
    let root = s.repo.join("kustomization-tests");
    let mut dirs: Vec<PathBuf> = fs::read_dir(&root)
        .expect("kustomization-tests/ exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.join("case.yaml").exists())
        .filter(|p| {
            only.as_ref().is_none_or(|o| p.file_name().is_some_and(|n| n.to_string_lossy().contains(o.as_str())))
        })
        .collect();
    dirs.sort();
    if only.is_none() {
        assert!(dirs.len() >= 10, "expected the cases under kustomization-tests/, found {}", dirs.len());
    }
    let mut failures = Vec::new();
    let mut engines = Vec::new();
    for dir in &dirs {
        match parse_case(dir) {
            Ok(case) => {
                engines.push(case.engine);
                failures.extend(run_case(s, &case, bless));
            }
            Err(e) => failures.push(e),
        }
    }
    if only.is_none() {
        for e in [Engine::Kubectl, Engine::Kubectl133, Engine::LegacyPlugin, Engine::KptEval, Engine::KptRender] {
            assert!(engines.contains(&e), "no case uses engine {e:?}");
        }
    }
    assert!(failures.is_empty(), "{} kustomization failure(s):\n\n{}", failures.len(), failures.join("\n\n"));
}

/// One documented command of an example, run verbatim by bash from a scratch root holding a
/// copy of `examples/` and `target/release/rwo-guard` (the binary under test).
struct Step {
    example: &'static str,
    command: &'static str,
    code: i32,
    /// Text that must be in stdout (or, when it starts with `stderr:`, in stderr).
    must: &'static [&'static str],
}

const STEPS: &[Step] = &[
    Step {
        example: "standalone-pipe",
        command: "kubectl kustomize examples/standalone-pipe | ./target/release/rwo-guard",
        code: 0,
        must: &["type: Recreate", "stderr:added spec.strategy"],
    },
    Step {
        example: "container-transformer",
        command: "kubectl kustomize --enable-alpha-plugins examples/container-transformer",
        code: 0,
        must: &["type: Recreate"],
    },
    Step {
        example: "legacy-plugin",
        command: "mkdir -p ~/.config/kustomize/plugin/rwo-guard.dev/v1alpha1/rwoguard\n\
                  cp target/release/rwo-guard ~/.config/kustomize/plugin/rwo-guard.dev/v1alpha1/rwoguard/RwoGuard\n\
                  kubectl kustomize --enable-alpha-plugins examples/legacy-plugin",
        code: 0,
        must: &["type: Recreate"],
    },
    Step {
        example: "kpt-exec",
        command: "kpt fn eval examples/kpt-exec --exec ./target/release/rwo-guard -o unwrap -- mode=rolling",
        code: 0,
        must: &["maxSurge: 0", "stderr:[PASS]"],
    },
    Step {
        example: "kpt-exec",
        command: "PATH=\"$PWD/target/release:$PATH\" kpt fn render --allow-exec examples/kpt-exec -o unwrap",
        code: 0,
        must: &["type: Recreate", "stderr:[PASS] \"rwo-guard\""],
    },
    Step {
        example: "kpt-image",
        command: "KPT_FN_RUNTIME=podman kpt fn eval examples/kpt-image --image localhost/rwo-guard:dev -o unwrap",
        code: 0,
        must: &[
            "type: Recreate",
            "stderr:[PASS] \"localhost/rwo-guard:dev\"",
            "stderr:[warning] apps/v1/Deployment/db spec.replicas: Deployment db: 2 replicas share claim db-data",
        ],
    },
    Step {
        example: "kpt-image",
        command: "KPT_FN_RUNTIME=podman kpt fn eval examples/kpt-image --image localhost/rwo-guard:dev -- mode=check",
        code: 1,
        must: &["stderr:[FAIL] \"localhost/rwo-guard:dev\"", "stderr:[error] apps/v1/Deployment/db spec.strategy"],
    },
    Step {
        example: "kpt-image",
        command: "KPT_FN_RUNTIME=podman kpt fn render examples/kpt-image -o unwrap",
        code: 0,
        must: &["type: Recreate", "stderr:[PASS] \"localhost/rwo-guard:dev\""],
    },
    Step {
        example: "flux",
        command: "kubectl kustomize examples/flux/base | ./target/release/rwo-guard --mode check > /dev/null",
        code: 1,
        must: &["stderr:rwo-guard: error: Deployment db: would set spec.strategy.type to Recreate (was RollingUpdate)"],
    },
    Step {
        example: "flux",
        command: "kubectl kustomize examples/flux/overlay | ./target/release/rwo-guard --mode check > /dev/null",
        code: 0,
        must: &[],
    },
    Step {
        example: "ci-check",
        command: "RWO_GUARD=./target/release/rwo-guard examples/ci-check/check.sh examples/ci-check/good",
        code: 0,
        must: &["stderr:ok"],
    },
    Step {
        example: "ci-check",
        command: "RWO_GUARD=./target/release/rwo-guard examples/ci-check/check.sh examples/ci-check/bad",
        code: 1,
        must: &["stderr:would add spec.strategy", "stderr:FAIL"],
    },
];

/// Examples whose commands need tools this runner does not set up: each is run by its own
/// test file (which must name the example's directory).
const RUN_ELSEWHERE: &[(&str, &str)] = &[
    ("argocd", "tests/argocd.rs"),
    ("helm", "tests/helm.rs"),
    ("live-audit", "tests/live_audit.rs"),
    ("pre-commit", "tests/precommit.rs"),
];

#[test]
#[ignore = "end to end: needs kubectl, kubectl.1.33, kpt, podman; run `make test`"]
fn examples_run_as_documented() {
    let s = setup();
    let root = s.root.join("examples-root");
    let _ = fs::remove_dir_all(&root);
    let examples = s.repo.join("examples");
    write_tree(&root.join("examples"), &tree(&examples));
    for script in ["ci-check/check.sh", "ci-check/pre-commit"] {
        fs::set_permissions(root.join("examples").join(script), fs::Permissions::from_mode(0o755)).expect("chmod");
        assert!(is_executable(&examples.join(script)), "examples/{script} must be executable (git mode 755)");
    }
    fs::create_dir_all(root.join("target/release")).expect("mkdir");
    fs::copy(&s.bin, root.join("target/release/rwo-guard")).expect("copy binary");
    let home = root.join("home");
    fs::create_dir_all(&home).expect("home");

    let mut failures = examples_covered(&s.repo, &examples);
    for (i, step) in STEPS.iter().enumerate() {
        failures.extend(run_step(s, &root, &examples, &home, i, step));
    }
    failures.extend(pre_commit_hook(s, &root));
    assert!(failures.is_empty(), "{} example failure(s):\n\n{}", failures.len(), failures.join("\n\n"));
    let _ = fs::remove_dir_all(&root);
}

/// Every example directory is run by a test (here or where `RUN_ELSEWHERE` says), and the ones
/// the README names exist.
fn examples_covered(repo: &Path, examples: &Path) -> Vec<String> {
    let mut failures = Vec::new();
    let mut names: Vec<String> = fs::read_dir(examples)
        .expect("examples/ exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in &names {
        let elsewhere = RUN_ELSEWHERE.iter().find(|(example, _)| example == name);
        if let Some((_, test)) = elsewhere {
            let source = fs::read_to_string(repo.join(test)).unwrap_or_default();
            if !source.contains(&format!("examples/{name}")) {
                failures.push(format!("examples/{name}: {test} does not run it"));
            }
        } else if !STEPS.iter().any(|st| st.example == name) {
            failures.push(format!("examples/{name}: no test runs it"));
        }
    }
    for want in ["ci-check", "container-transformer", "kpt-exec", "kpt-image", "legacy-plugin", "standalone-pipe"] {
        if !names.iter().any(|n| n == want) {
            failures.push(format!("examples/{want} is missing"));
        }
    }
    failures
}

/// Runs one documented step of an example; what went wrong.
fn run_step(s: &Setup, root: &Path, examples: &Path, home: &Path, i: usize, step: &Step) -> Vec<String> {
    let mut failures = Vec::new();
    let readme = fs::read_to_string(examples.join(step.example).join("README.md")).unwrap_or_default();
    if !readme.contains(step.command) {
        failures
            .push(format!("examples/{}/README.md does not show the tested command:\n{}", step.example, step.command));
    }
    let shim_log = root.join(format!("shim-{i}.log"));
    let mut cmd = s.command("bash", root, &shim_log);
    cmd.args(["-euo", "pipefail", "-c", step.command]).env("HOME", home).env_remove("XDG_CONFIG_HOME");
    if step.example == "legacy-plugin" {
        cmd.env_remove("KUSTOMIZE_PLUGIN_HOME"); // found through ~/.config, as documented
    }
    let ran = run(cmd);
    let mut bad = Vec::new();
    if ran.code != step.code {
        bad.push(format!("exit code {} (expected {})", ran.code, step.code));
    }
    for m in step.must {
        let (stream, text) = match m.strip_prefix("stderr:") {
            Some(t) => (&ran.stderr, t),
            None => (&ran.stdout, *m),
        };
        if !stream.contains(text) {
            bad.push(format!("`{text}` missing"));
        }
    }
    if step.example == "kpt-image" {
        // podman ran the image itself: kpt never called the docker command (the shim).
        let log = fs::read_to_string(&shim_log).unwrap_or_default();
        if !log.is_empty() {
            bad.push(format!("kpt called docker despite KPT_FN_RUNTIME=podman:\n{log}"));
        }
        if ran.stderr.matches("2 replicas share claim").count() != 1 {
            bad.push("the warning is not shown exactly once".into());
        }
    }
    if step.example == "container-transformer" {
        let log = fs::read_to_string(&shim_log).unwrap_or_default();
        if !log
            .lines()
            .any(|l| l.starts_with("docker\trun\t") && l.contains("\t--user\tnobody\t") && l.ends_with(IMAGE))
        {
            bad.push(format!("no `docker run ... --user nobody ... {IMAGE}` in the shim log"));
        }
    }
    if !bad.is_empty() {
        failures.push(format!(
            "examples/{}: `{}`: {}\n--- stdout\n{}\n--- stderr\n{}",
            step.example,
            step.command,
            bad.join("; "),
            ran.stdout,
            ran.stderr
        ));
    }
    failures
}

/// examples/ci-check/pre-commit installed as documented in a scratch git repository: a commit
/// holding a bad kustomization is refused; once it is gone the commit goes through.
fn pre_commit_hook(s: &Setup, root: &Path) -> Vec<String> {
    let repo = root.join("hook-repo");
    write_tree(&repo.join("examples/ci-check"), &tree(&root.join("examples/ci-check")));
    for script in ["check.sh", "pre-commit"] {
        fs::set_permissions(repo.join("examples/ci-check").join(script), fs::Permissions::from_mode(0o755))
            .expect("chmod");
    }
    let readme = fs::read_to_string(s.repo.join("examples/ci-check/README.md")).unwrap_or_default();
    let install = "ln -s ../../examples/ci-check/pre-commit .git/hooks/pre-commit";
    let mut failures = Vec::new();
    if !readme.contains(install) {
        failures.push(format!("examples/ci-check/README.md does not show `{install}`"));
    }
    let script = format!(
        "git init -q . && git add examples && {install}\n\
         if git -c user.name=t -c user.email=t@example.com commit -qm bad; then echo 'COMMITTED BAD'; exit 9; fi\n\
         git rm -rqf examples/ci-check/bad\n\
         git -c user.name=t -c user.email=t@example.com commit -qm good\n\
         git log --oneline | wc -l"
    );
    let mut cmd = s.command("bash", &repo, &root.join("shim-hook.log"));
    cmd.args(["-euo", "pipefail", "-c", &script]).env("HOME", root.join("home"));
    for k in ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"] {
        cmd.env_remove(k);
    }
    let ran = run(cmd);
    if ran.code != 0 || ran.stdout.trim() != "1" || !ran.stderr.contains("would add spec.strategy") {
        failures.push(format!(
            "examples/ci-check/pre-commit: expected the bad commit refused (with the finding on stderr) and the good one \
             made; exit {}\n--- stdout\n{}\n--- stderr\n{}",
            ran.code, ran.stdout, ran.stderr
        ));
    }
    failures
}
