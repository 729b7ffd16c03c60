//! Building roots with the real kustomize, as users run it: `kustomize build` when it is on
//! PATH, else `kubectl kustomize`, or the command `--kustomize` names; `--build-arg`s after the
//! directory. Each root is built through a temporary kustomization in a directory of its own
//! (never in the user's tree) that lists the root (a component under `components:`) and sets
//! `buildMetadata: [originAnnotations]`, so every object says which file it came from. Builds
//! run in parallel up to the number of cores, each killed at its deadline.

use std::fs;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How to run kustomize.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Builder {
    /// The program and the words before the directory (`kustomize build`, `kubectl kustomize`).
    pub command: Vec<String>,
    /// Passed after the directory (`--enable-helm`, `--load-restrictor=…`).
    pub args: Vec<String>,
    /// Each build's deadline.
    pub timeout: Duration,
    /// The largest output read from one build.
    pub max_output: usize,
}

/// One build to run: the root, whether it is a component, and where to build it from.
#[derive(Clone, Debug)]
pub(crate) struct Job {
    /// The root directory (absolute).
    pub root: PathBuf,
    /// `kind: Component`: listed under `components:`.
    pub component: bool,
}

/// A build's outcome.
#[derive(Clone, Debug)]
pub(crate) struct Built {
    /// The temporary directory it was built from (origin paths are relative to it); removed.
    pub dir: PathBuf,
    /// The stream, or why there is none.
    pub output: Result<String, String>,
}

/// Why no builder could be chosen.
pub(crate) const NO_KUSTOMIZE: &str = "neither `kustomize` nor `kubectl` is on PATH, and kustomization roots are built with one of them: install one, name it with --kustomize CMD, or read the files as plain manifests with --no-build";

impl Builder {
    /// The builder `--kustomize` names, else `kustomize build` on PATH, else `kubectl
    /// kustomize`; `Err` when none is there.
    pub(crate) fn choose(
        chosen: Option<&str>,
        args: Vec<String>,
        timeout: Duration,
        max_output: usize,
    ) -> Result<Builder, String> {
        let command = match chosen {
            Some(cmd) => {
                let words: Vec<String> = cmd.split_whitespace().map(str::to_string).collect();
                let Some(program) = words.first() else { return Err("--kustomize is empty".into()) };
                if which(program).is_none() {
                    return Err(format!("--kustomize {}: `{program}` is not found", super::shown(cmd)));
                }
                if words.len() > 1 {
                    words
                } else if Path::new(program).file_name().is_some_and(|n| n.to_string_lossy().starts_with("kubectl")) {
                    vec![program.clone(), "kustomize".into()]
                } else {
                    vec![program.clone(), "build".into()]
                }
            }
            None if which("kustomize").is_some() => vec!["kustomize".into(), "build".into()],
            None if which("kubectl").is_some() => vec!["kubectl".into(), "kustomize".into()],
            None => return Err(NO_KUSTOMIZE.into()),
        };
        Ok(Builder { command, args, timeout, max_output })
    }

    /// Runs every job, up to `workers` at a time; results in the jobs' order.
    pub(crate) fn build_all(&self, jobs: &[Job], workers: usize) -> Vec<Built> {
        let next = AtomicUsize::new(0);
        let results: Mutex<Vec<Option<Built>>> = Mutex::new(vec![None; jobs.len()]);
        let workers = workers.clamp(1, jobs.len().max(1));
        std::thread::scope(|s| {
            for _ in 0..workers {
                s.spawn(|| loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    let built = self.build(job);
                    if let Ok(mut r) = results.lock() {
                        r[i] = Some(built);
                    }
                });
            }
        });
        let results = results.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
        results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Built { dir: PathBuf::new(), output: Err("the build did not run".into()) }))
            .collect()
    }

    /// Builds one root through a temporary kustomization.
    pub(crate) fn build(&self, job: &Job) -> Built {
        let dir = match temp_dir("build") {
            Ok(d) => d,
            Err(e) => return Built { dir: PathBuf::new(), output: Err(e) },
        };
        let output = self.build_in(&dir, job);
        let _ = fs::remove_dir_all(&dir);
        Built { dir, output }
    }

    fn build_in(&self, dir: &Path, job: &Job) -> Result<String, String> {
        let rel = relative(dir, &job.root);
        let list = if job.component { "components" } else { "resources" };
        let text = format!(
            "# Written by rwo-guard to build {} with origin annotations; removed after the build.\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n{list}:\n- {}\nbuildMetadata: [originAnnotations]\n",
            json_string(&job.root.display().to_string()).trim_matches('"'),
            json_string(&rel.display().to_string()),
        );
        fs::write(dir.join("kustomization.yaml"), text)
            .map_err(|e| format!("cannot write a temporary kustomization: {e}"))?;
        let mut cmd = Command::new(&self.command[0]);
        cmd.args(&self.command[1..]).arg(dir).args(&self.args);
        // A remote base that asks for credentials fails instead of waiting for a terminal.
        cmd.env("GIT_TERMINAL_PROMPT", "0");
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let (code, stdout, stderr) = run(cmd, self.timeout, self.max_output)?;
        if code == Some(0) {
            String::from_utf8(stdout).map_err(|_| "the build's output is not UTF-8".to_string())
        } else {
            let why = without_log_prefixes(&String::from_utf8_lossy(&stderr));
            let why = below_wrapper(why.trim());
            Err(format!(
                "`{}` failed{}: {}",
                self.command.join(" "),
                code.map_or_else(|| " (killed by a signal)".to_string(), |c| format!(" (exit {c})")),
                super::shown(last_lines(why, 6))
            ))
        }
    }
}

/// `s` without kubectl's log prefixes (`E1205 18:17:12.817863   26022 run.go:72] `), which
/// say when and in which process, not what went wrong.
fn without_log_prefixes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for line in s.lines() {
        let b = line.as_bytes();
        let klog = b.len() > 22
            && b"EWIF".contains(&b[0])
            && b[1..5].iter().all(u8::is_ascii_digit)
            && b[5] == b' '
            && line.contains("] ");
        let rest = if klog { line.split_once("] ").map_or(line, |(_, r)| r) } else { line };
        out.push_str(rest.trim_start_matches('\t'));
        out.push('\n');
    }
    out
}

/// kustomize's error below the temporary kustomization's own level (`accumulating resources
/// from '../../root': …: recursed accumulation of path '/root': `), without kubectl's quoting.
fn below_wrapper(s: &str) -> &str {
    let s = match s.find("recursed accumulation of path '") {
        Some(i) => s[i..].split_once("': ").map_or(s, |(_, rest)| rest),
        None => s,
    };
    s.trim_end_matches(['"', '>', ' ', '\n'])
}

/// The last `n` lines of `s`.
fn last_lines(s: &str, n: usize) -> &str {
    let mut at = s.len();
    for _ in 0..n {
        match s[..at].rfind('\n') {
            Some(i) => at = i,
            None => return s,
        }
    }
    s[at + 1..].trim_start()
}

/// A string as a JSON (and so YAML flow) string literal.
fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// A command's exit code (`None`: a signal), stdout and stderr.
type Ran = (Option<i32>, Vec<u8>, Vec<u8>);

/// Runs `cmd` with its output read on two threads, killed at `timeout`. Returns the exit code
/// (`None`: a signal), stdout and stderr (each at most `max` bytes).
fn run(mut cmd: Command, timeout: Duration, max: usize) -> Result<Ran, String> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    let mut child = cmd.spawn().map_err(|e| format!("cannot run {program}: {e}"))?;
    let reader = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(p) = pipe {
                let _ = p.take(max as u64 + 1).read_to_end(&mut buf);
            }
            buf
        })
    };
    let out = reader(child.stdout.take().map(|p| Box::new(p) as Box<dyn std::io::Read + Send>));
    let err = reader(child.stderr.take().map(|p| Box::new(p) as Box<dyn std::io::Read + Send>));
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("the build did not finish within {} s (--build-timeout)", timeout.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("cannot wait for {program}: {e}")),
        }
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    if stdout.len() > max {
        return Err(format!("the build's output is larger than {max} bytes (--max-input-bytes)"));
    }
    Ok((status.code(), stdout, stderr))
}

/// A fresh private directory under the system's temporary directory (canonical: origin paths
/// are resolved against it).
pub(crate) fn temp_dir(what: &str) -> Result<PathBuf, String> {
    static N: AtomicUsize = AtomicUsize::new(0);
    let base = std::env::temp_dir();
    for _ in 0..100 {
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir = base.join(format!("rwo-guard-{what}-{}-{n}", std::process::id()));
        match fs::create_dir(&dir) {
            Ok(()) => {
                use std::os::unix::fs::PermissionsExt as _;
                let _ = fs::set_permissions(&dir, fs::Permissions::from_mode(0o700));
                return fs::canonicalize(&dir).map_err(|e| format!("cannot use a temporary directory: {e}"));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(format!("cannot make a temporary directory in {}: {e}", base.display())),
        }
    }
    Err("cannot make a temporary directory".into())
}

/// `to` relative to the directory `from` (both absolute and normalized).
pub(crate) fn relative(from: &Path, to: &Path) -> PathBuf {
    let f: Vec<_> = from.components().collect();
    let t: Vec<_> = to.components().collect();
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..f.len() {
        out.push("..");
    }
    for c in &t[common..] {
        out.push(c.as_os_str());
    }
    out
}

/// The program on PATH (or the path itself when it has a `/`).
pub(crate) fn which(program: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt as _;
    let runnable = |p: &Path| fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0);
    if program.contains('/') {
        let p = PathBuf::from(program);
        return runnable(&p).then_some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(program)).find(|p| runnable(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_climb_to_the_common_directory() {
        assert_eq!(relative(Path::new("/tmp/x/b"), Path::new("/work/repo/ov")), PathBuf::from("../../../work/repo/ov"));
        assert_eq!(relative(Path::new("/a"), Path::new("/a/b")), PathBuf::from("b"));
    }

    #[test]
    fn a_build_past_its_deadline_is_killed() {
        let mut cmd = Command::new("sleep");
        cmd.arg("5").stdout(Stdio::piped()).stderr(Stdio::piped());
        let started = Instant::now();
        let e = run(cmd, Duration::from_millis(200), 1000).unwrap_err();
        assert!(e.contains("did not finish"), "{e}");
        assert!(started.elapsed() < Duration::from_secs(4));
    }

    #[test]
    fn kubectl_log_prefixes_are_dropped() {
        let s = "E1205 18:17:12.856072   26044 run.go:72] \"command failed\" err=<\n\taccumulating resources\n >\n";
        assert_eq!(without_log_prefixes(s), "\"command failed\" err=<\naccumulating resources\n >\n");
    }

    #[test]
    fn the_last_lines_of_an_error() {
        assert_eq!(last_lines("a\nb\nc", 2), "b\nc");
        assert_eq!(last_lines("a", 2), "a");
    }
}
