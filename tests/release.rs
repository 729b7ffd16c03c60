//! The release machinery, checked as far as it runs here: the GitHub workflows and the Action
//! validate (action-validator, check-jsonschema's builtin GitHub schemas), the scripts they run
//! pass shellcheck, the release archive holds what the README promises, the Action's install
//! step verifies checksums of a locally built archive and its run step runs rwo-guard on a
//! path and on a kustomization, and the Dockerfile's version agrees with Cargo.toml.
//!
//! The tools come from `.tools/` (installed by scripts/install-deps.sh, which `make test` runs
//! first); a missing tool fails the test, naming the script. These tests are `#[ignore]`d so a
//! bare `cargo test` lists them instead of failing on a machine without the tools; `make test`
//! runs them (`--include-ignored`). What only GitHub can run (the workflows themselves, the
//! multi-arch push, the release upload) is checked by the validators alone.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // a test harness: fail loudly

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A tool under `.tools/`, or a failure naming how to install it.
fn tool(rel: &str) -> PathBuf {
    let path = repo().join(".tools").join(rel);
    assert!(
        path.is_file(),
        "{} is missing: run scripts/install-deps.sh (make test does) to install the test tools",
        path.display()
    );
    path
}

fn run(cmd: &mut Command) -> Output {
    cmd.stdin(Stdio::null()).output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn workflows() -> Vec<PathBuf> {
    let dir = repo().join(".github/workflows");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yml" || x == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 2, "expected ci.yml and release.yml in {}: {files:?}", dir.display());
    files
}

/// A scratch directory under target/tmp, fresh for each test.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("release-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

#[test]
#[ignore = "end to end: needs action-validator, check-jsonschema (scripts/install-deps.sh); run `make test`"]
fn workflows_and_action_validate() {
    let validator = tool("node/node_modules/.bin/action-validator");
    let schema = tool("venv/bin/check-jsonschema");
    let action = repo().join("action.yml");
    let mut all = workflows();
    all.push(action.clone());
    for file in &all {
        let out = run(Command::new(&validator).arg(file));
        assert!(out.status.success(), "action-validator {}:\n{}", file.display(), text(&out));
    }
    let out = run(Command::new(&schema).args(["--builtin-schema", "vendor.github-workflows"]).args(workflows()));
    assert!(out.status.success(), "check-jsonschema vendor.github-workflows:\n{}", text(&out));
    let out = run(Command::new(&schema).args(["--builtin-schema", "vendor.github-actions"]).arg(&action));
    assert!(out.status.success(), "check-jsonschema vendor.github-actions:\n{}", text(&out));

    // The validators must reject what is wrong (they are not silently passing everything).
    let dir = scratch("validators");
    let bad_workflow = dir.join("bad.yml");
    fs::write(&bad_workflow, "on: push\njobs:\n  a:\n    steps: [{run: x}]\n").expect("write");
    let out = run(Command::new(&validator).arg(&bad_workflow));
    assert!(!out.status.success(), "action-validator accepted a job without runs-on:\n{}", text(&out));
    let out = run(Command::new(&schema).args(["--builtin-schema", "vendor.github-workflows"]).arg(&bad_workflow));
    assert!(!out.status.success(), "check-jsonschema accepted a job without runs-on:\n{}", text(&out));
}

#[test]
#[ignore = "end to end: needs shellcheck (scripts/install-deps.sh); run `make test`"]
fn scripts_pass_shellcheck() {
    let shellcheck = tool("venv/bin/shellcheck");
    let scripts = [
        "scripts/full-test.sh",
        "scripts/install-deps.sh",
        "scripts/build-image.sh",
        "scripts/release/archive.sh",
        "scripts/release/version.sh",
        "scripts/release/notes.sh",
        "scripts/action/install.sh",
        "scripts/action/run.sh",
        ".github/scripts/install-kube-tools.sh",
        ".ci/run",
    ];
    // SC1007 flags the `CDPATH= cd` idiom; SC1091: sourced files are followed with -x anyway.
    let out = run(Command::new(&shellcheck)
        .current_dir(repo())
        .args(["--severity=warning", "--external-sources", "--exclude=SC1007,SC1091"])
        .args(scripts));
    assert!(out.status.success(), "shellcheck:\n{}", text(&out));

    // The `run:` blocks of the workflows and the Action, as GitHub runs them (bash -e). None
    // may hold a `${{ }}` expression: inputs and contexts reach scripts through `env:` only
    // (no script injection).
    let dir = scratch("shellcheck");
    let mut blocks = Vec::new();
    let mut files = workflows();
    files.push(repo().join("action.yml"));
    for file in files {
        let yaml: serde_norway::Value =
            serde_norway::from_str(&fs::read_to_string(&file).expect("read")).expect("YAML");
        let mut steps: Vec<&serde_norway::Value> = Vec::new();
        if let Some(jobs) = yaml["jobs"].as_mapping() {
            for job in jobs.values() {
                steps.extend(job["steps"].as_sequence().into_iter().flatten());
            }
        }
        steps.extend(yaml["runs"]["steps"].as_sequence().into_iter().flatten());
        for (i, step) in steps.into_iter().enumerate() {
            if let Some(script) = step["run"].as_str() {
                let name = format!("{}-{i}.sh", file.file_stem().unwrap_or_default().to_string_lossy());
                assert!(!script.contains("${{"), "{name}: a `${{{{ }}}}` expression in a run block:\n{script}");
                let path = dir.join(&name);
                fs::write(&path, format!("#!/usr/bin/env bash\nset -eo pipefail\n{script}")).expect("write");
                blocks.push(path);
            }
        }
    }
    assert!(blocks.len() >= 10, "only {} run blocks found", blocks.len());
    let out = run(Command::new(&shellcheck).current_dir(repo()).args(["--severity=warning"]).args(&blocks));
    assert!(out.status.success(), "shellcheck of the run blocks (in {}):\n{}", dir.display(), text(&out));
}

#[test]
#[ignore = "end to end: needs scripts/release/ (in a clone, not in the packaged crate); run `make test`"]
fn release_scripts_check_the_tag_and_extract_notes() {
    let version = env!("CARGO_PKG_VERSION");
    let script = repo().join("scripts/release/version.sh");
    let out = run(Command::new(&script).arg(format!("v{version}")));
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("{version}\n"));
    let out = run(Command::new(&script).arg(format!("v{version}.1")));
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("does not match"), "{}", text(&out));

    let dir = scratch("notes");
    let changelog = dir.join("CHANGELOG.md");
    fs::write(
        &changelog,
        "# Changelog\n\n## Unreleased\n- next\n\n## [1.2.0] - 2026-01-02\n### Added\n- one\n\n## 1.1.0\n- old\n",
    )
    .expect("write");
    let notes = repo().join("scripts/release/notes.sh");
    let out = run(Command::new(&notes).arg("1.2.0").arg(&changelog));
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "### Added\n- one\n");
    let out = run(Command::new(&notes).arg("1.1.0").arg(&changelog));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "- old\n");
    let out = run(Command::new(&notes).arg("1.3.0").arg(&changelog));
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("Unreleased"), "{}", text(&out));
}

fn tar_list(archive: &Path) -> Vec<String> {
    let out = run(Command::new("tar").arg("-tzvf").arg(archive));
    assert!(out.status.success(), "tar -tzvf {}:\n{}", archive.display(), text(&out));
    String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect()
}

fn host_target() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "x86_64-unknown-linux-musl",
        "aarch64" => "aarch64-unknown-linux-musl",
        other => panic!("no release target for {other}"),
    }
}

/// The release archive: the binary, README, LICENSE, CHANGELOG, and the completions and man
/// page from `rwo-guard --generate`.
#[test]
#[ignore = "end to end: needs scripts/release/ (in a clone, not in the packaged crate), tar; run `make test`"]
fn archive_holds_binary_docs_completions_and_man_page() {
    let bin = Path::new(env!("CARGO_BIN_EXE_rwo-guard"));
    let dir = scratch("archive");
    let target = host_target();
    let out = run(Command::new(repo().join("scripts/release/archive.sh")).args([target]).arg(bin).arg(bin).arg(&dir));
    let generate = run(Command::new(bin).args(["--generate", "man"]));
    assert!(generate.status.success(), "rwo-guard --generate man:\n{}", text(&generate));
    assert!(out.status.success(), "archive.sh:\n{}", text(&out));
    let archive = dir.join(format!("rwo-guard-{target}.tar.gz"));
    let listing = tar_list(&archive);
    for file in [
        "rwo-guard",
        "README.md",
        "LICENSE",
        "CHANGELOG.md",
        "doc/rwo-guard.1",
        "complete/rwo-guard.bash",
        "complete/_rwo-guard",
        "complete/rwo-guard.fish",
        "complete/_rwo-guard.ps1",
        "complete/rwo-guard.elv",
    ] {
        let path = format!("rwo-guard-{target}/{file}");
        assert!(
            listing.iter().any(|l| l.ends_with(&format!(" {path}"))),
            "{path} not in the archive:\n{}",
            listing.join("\n")
        );
    }
    assert!(listing.iter().any(|l| l.starts_with("-rwxr-xr-x") && l.ends_with("/rwo-guard")), "{}", listing.join("\n"));
    // The generated files are the binary's own output.
    let unpacked = dir.join("unpacked");
    fs::create_dir_all(&unpacked).expect("mkdir");
    let out = run(Command::new("tar").arg("-xzf").arg(&archive).arg("-C").arg(&unpacked));
    assert!(out.status.success(), "{}", text(&out));
    let man = fs::read(unpacked.join(format!("rwo-guard-{target}/doc/rwo-guard.1"))).expect("man page");
    assert_eq!(man, generate.stdout);
    // Reproducible: the same inputs give the same bytes.
    let again = dir.join("again");
    let out = run(Command::new(repo().join("scripts/release/archive.sh")).args([target]).arg(bin).arg(bin).arg(&again));
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        fs::read(&archive).expect("archive"),
        fs::read(again.join(format!("rwo-guard-{target}.tar.gz"))).expect("again")
    );
}

/// A GitHub-like environment for the Action's scripts: RUNNER_* and GITHUB_* files in `dir`.
fn action_env(cmd: &mut Command, dir: &Path) {
    let runner_arch = if std::env::consts::ARCH == "aarch64" { "ARM64" } else { "X64" };
    cmd.env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", runner_arch)
        .env("RUNNER_TEMP", dir.join("runner-temp"))
        .env("GITHUB_PATH", dir.join("github-path"))
        .env("GITHUB_OUTPUT", dir.join("github-output"))
        .env("GITHUB_STEP_SUMMARY", dir.join("step-summary"))
        .env_remove("RWO_GUARD_VERSION")
        .env_remove("RWO_GUARD_SHA256")
        .env_remove("RWO_GUARD_DOWNLOAD_BASE");
    fs::create_dir_all(dir.join("runner-temp")).expect("runner temp");
    for f in ["github-path", "github-output", "step-summary"] {
        fs::write(dir.join(f), "").expect("reset");
    }
}

fn outputs(dir: &Path) -> Vec<(String, String)> {
    fs::read_to_string(dir.join("github-output"))
        .expect("GITHUB_OUTPUT")
        .lines()
        .filter_map(|l| l.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())))
        .collect()
}

fn output(dir: &Path, key: &str) -> String {
    outputs(dir).into_iter().find(|(k, _)| k == key).map_or_else(|| panic!("no output {key}"), |(_, v)| v)
}

/// A release of `bin` for this host in `dist` (as the release workflow builds it, without the
/// generated files): its SHA256SUMS line and the archive's digest.
fn local_release(bin: &Path, dist: &Path) -> (String, String) {
    let target = host_target();
    let out = run(Command::new(repo().join("scripts/release/archive.sh"))
        .args(["--without-generated", target])
        .arg(bin)
        .arg(dist));
    assert!(out.status.success(), "archive.sh:\n{}", text(&out));
    let archive = format!("rwo-guard-{target}.tar.gz");
    let out = run(Command::new("sha256sum").arg(&archive).current_dir(dist));
    assert!(out.status.success(), "{}", text(&out));
    let sums = String::from_utf8_lossy(&out.stdout).into_owned();
    let digest = sums.split_whitespace().next().expect("digest").to_string();
    (sums, digest)
}

/// What the Action's install step is asked for: a version, the SHA256SUMS it finds, the pinned
/// digest, the runner's OS.
#[derive(Clone, Copy)]
struct Release<'a> {
    version: &'a str,
    sums: &'a str,
    pinned: Option<&'a str>,
    os: &'a str,
}

/// The Action's install step run against the release in `dist` (file:// download base).
fn install_from(dir: &Path, dist: &Path, r: Release<'_>) -> Output {
    fs::write(dist.join("SHA256SUMS"), r.sums).expect("SHA256SUMS");
    let mut cmd = Command::new("bash");
    cmd.arg(repo().join("scripts/action/install.sh"));
    action_env(&mut cmd, dir);
    cmd.env("RUNNER_OS", r.os)
        .env("RWO_GUARD_VERSION", r.version)
        .env("RWO_GUARD_DOWNLOAD_BASE", format!("file://{}", dist.display()));
    if let Some(p) = r.pinned {
        cmd.env("RWO_GUARD_SHA256", p);
    }
    run(&mut cmd)
}

/// The install step as a test calls it: version, SHA256SUMS, pinned digest, OS.
type Install<'a> = dyn Fn(&str, &str, Option<&str>, &str) -> Output + 'a;

/// Checksums: a wrong line, no line, a wrong pinned digest, a bad version, another OS: each
/// refused with its reason.
fn refuses_what_does_not_match(install: &Install<'_>, version: &str, sums: &str, digest: &str) {
    let wrong = format!("{}{}", "0".repeat(64), &sums[64..]);
    let other = format!("{digest}  rwo-guard-other.tar.gz\n");
    let pinned = "f".repeat(64);
    for (out, why) in [
        (install(version, &wrong, None, "Linux"), "does not match SHA256SUMS"),
        (install(version, &other, None, "Linux"), "no line for"),
        (install(version, sums, Some(&pinned), "Linux"), "not the pinned"),
        (install("one.two", sums, None, "Linux"), "version must be"),
        (install(version, sums, None, "macOS"), "Linux only"),
    ] {
        assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains(why), "{}", text(&out));
    }
}

/// The Action's install step against a locally built release (file:// download base): it
/// installs only an archive whose SHA-256 matches SHA256SUMS (and the pinned digest, when
/// given); then its run step on a kustomization and on a path.
#[test]
#[ignore = "end to end: needs kubectl, curl, tar, scripts/ (in a clone, not in the packaged crate); run `make test`"]
fn action_installs_a_verified_archive_and_runs_rwo_guard() {
    let bin = Path::new(env!("CARGO_BIN_EXE_rwo-guard"));
    let dir = scratch("action");
    let dist = dir.join("dist");
    let (sums, digest) = local_release(bin, &dist);
    let install = |version: &str, sums: &str, pinned: Option<&str>, os: &str| {
        install_from(&dir, &dist, Release { version, sums, pinned, os })
    };

    let version = env!("CARGO_PKG_VERSION");
    let out = install(version, &sums, Some(&digest), "Linux");
    assert!(out.status.success(), "install.sh:\n{}", text(&out));
    let installed = PathBuf::from(output(&dir, "path"));
    let want = run(Command::new(bin).arg("--version"));
    assert_eq!(format!("{}\n", output(&dir, "version")), String::from_utf8_lossy(&want.stdout));
    let path_line = fs::read_to_string(dir.join("github-path")).expect("GITHUB_PATH");
    assert_eq!(Path::new(path_line.trim()), installed.parent().expect("bin dir"));
    assert_eq!(fs::read(&installed).expect("installed"), fs::read(bin).expect("bin"));

    refuses_what_does_not_match(&install, version, &sums, &digest);

    // Each install starts afresh (the failed ones above removed the first): install again.
    let out = install(&format!("v{version}"), &sums, None, "Linux");
    assert!(out.status.success(), "install.sh:\n{}", text(&out));
    assert_eq!(PathBuf::from(output(&dir, "path")), installed);

    // The run step: `rwo-guard check` on a kustomization's build (the example needs a fix:
    // exit 1), with annotations on stdout, the text in the log and summary, and a SARIF file.
    let example = repo().join("examples/standalone-pipe");
    let runner = |vars: &[(&str, &Path)], cwd: &Path| {
        let mut cmd = Command::new("bash");
        cmd.arg(repo().join("scripts/action/run.sh")).current_dir(cwd);
        action_env(&mut cmd, &dir);
        cmd.env("RWO_GUARD_BIN", &installed);
        for (k, v) in vars {
            cmd.env(k, v);
        }
        run(&mut cmd)
    };
    let out = runner(&[("INPUT_KUSTOMIZATION", &example)], &dir);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_eq!(output(&dir, "exit-code"), "1");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(stdout.contains("::error title=rwo-guard strategy-unsafe::Deployment db: would add"), "{stdout}");
    assert!(stdout.contains("error [strategy-unsafe] Deployment db: would add spec.strategy"), "the text: {stdout}");
    // A build names no file (unless its kustomization adds origin annotations): the SARIF
    // report holds the finding as a tool notification.
    let sarif = fs::read_to_string(output(&dir, "sarif")).expect("SARIF file");
    assert!(sarif.contains("\"id\": \"strategy-unsafe\""), "{sarif}");
    let summary = fs::read_to_string(dir.join("step-summary")).expect("summary");
    assert!(summary.contains("exit 1") && summary.contains("Deployment db"), "{summary}");
    let kustomized = run(Command::new("kubectl").arg("kustomize").arg(&example));
    assert!(kustomized.status.success(), "kubectl kustomize:\n{}", text(&kustomized));

    // Paths: a directory of files (relative to the workspace), each finding placed in its file.
    let manifests = dir.join("manifests");
    fs::create_dir_all(manifests.join("sub")).expect("mkdir");
    let text_out = String::from_utf8_lossy(&kustomized.stdout).into_owned();
    let (first, rest) = text_out.split_once("\n---\n").expect("two documents");
    fs::write(manifests.join("a.yaml"), first).expect("write"); // no final line break
    fs::write(manifests.join("sub/b.yml"), rest).expect("write");
    fs::write(manifests.join("notes.txt"), "not yaml: [").expect("write");
    let out = runner(&[("INPUT_PATH", Path::new("manifests"))], &dir);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(stdout.contains("::error file=manifests/sub/b.yml,line="), "annotated in its file: {stdout}");
    let sarif = fs::read_to_string(output(&dir, "sarif")).expect("SARIF file");
    assert!(sarif.contains("\"uri\": \"manifests/sub/b.yml\""), "{sarif}");

    // Fixed (by rwo-guard fix): the check passes.
    let fixed = run(Command::new(&installed).args(["fix", "manifests"]).current_dir(&dir));
    assert!(fixed.status.success(), "{}", text(&fixed));
    let out = runner(&[("INPUT_PATH", Path::new("manifests"))], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    // At most one of path and kustomization.
    let out = runner(&[("INPUT_PATH", Path::new("manifests")), ("INPUT_KUSTOMIZATION", &example)], &dir);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at most one"), "{}", text(&out));
}

/// The Dockerfile's default VERSION (its label when no build arg is given) is Cargo.toml's,
/// and the build stage checks the two agree.
#[test]
#[ignore = "end to end: needs the Dockerfile (in a clone, not in the packaged crate); run `make test`"]
fn dockerfile_version_is_cargo_toml_version() {
    let dockerfile = fs::read_to_string(repo().join("Dockerfile")).expect("Dockerfile");
    let defaults: Vec<&str> = dockerfile.lines().filter_map(|l| l.strip_prefix("ARG VERSION=")).collect();
    assert!(!defaults.is_empty(), "no `ARG VERSION=` in the Dockerfile");
    for d in defaults {
        assert_eq!(d, env!("CARGO_PKG_VERSION"), "Dockerfile ARG VERSION default");
    }
    assert!(
        dockerfile.contains(r#"if [ "${VERSION}" != "${crate_version}" ]"#),
        "the build stage no longer checks VERSION"
    );
    assert!(!dockerfile.starts_with("# syntax="), "a syntax line makes BuildKit pull a frontend image");
}

fn rust_version(v: &str) -> (u32, u32, u32) {
    let mut parts = v.split('.').map(|p| p.parse::<u32>().unwrap_or_else(|_| panic!("rust-version {v:?}")));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

/// "Rust 1.85+ builds it" (README, Cargo.toml's rust-version), as far as it can be checked
/// without a 1.85 toolchain: no locked dependency declares a newer rust-version (clippy's
/// incompatible_msrv lint checks our own use of std against it).
#[test]
fn dependencies_declare_no_newer_rust_version() {
    let ours = rust_version(env!("CARGO_PKG_RUST_VERSION"));
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = run(Command::new(cargo).current_dir(repo()).args([
        "metadata",
        "--format-version",
        "1",
        "--locked",
        "--offline",
    ]));
    assert!(out.status.success(), "cargo metadata:\n{}", text(&out));
    let meta: serde_norway::Value = serde_norway::from_slice(&out.stdout).expect("cargo metadata JSON");
    let packages = meta["packages"].as_sequence().expect("packages");
    assert!(packages.len() > 5, "{} packages", packages.len());
    for p in packages {
        if let Some(v) = p["rust_version"].as_str() {
            assert!(
                rust_version(v) <= ours,
                "{} {} needs Rust {v}, newer than our rust-version",
                p["name"].as_str().unwrap_or("?"),
                p["version"].as_str().unwrap_or("?")
            );
        }
    }
}

/// `cargo package` packs a crate whose own `cargo test` passes: the package leaves out the
/// end-to-end cases, examples and scripts (Cargo.toml's `exclude`), so every test that needs
/// them must be ignored there, and everything else must still build and pass.
#[test]
#[ignore = "end to end: packs this clone with cargo package and tests the package (a minute); run `make test`"]
fn packaged_crate_passes_its_own_tests() {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let dir = scratch("package");
    let out = run(Command::new(&cargo)
        .current_dir(repo())
        .args(["package", "--locked", "--offline", "--allow-dirty", "--no-verify", "--target-dir"])
        .arg(&dir));
    assert!(out.status.success(), "cargo package:\n{}", text(&out));
    let name = format!("rwo-guard-{}", env!("CARGO_PKG_VERSION"));
    let crate_file = dir.join("package").join(format!("{name}.crate"));
    let unpacked = dir.join("unpacked");
    fs::create_dir_all(&unpacked).expect("mkdir");
    let out = run(Command::new("tar").arg("-xzf").arg(&crate_file).arg("-C").arg(&unpacked));
    assert!(out.status.success(), "{}", text(&out));
    let root = unpacked.join(&name);
    for left_out in ["kustomization-tests", "examples", "scripts", ".github", "action.yml", "Dockerfile"] {
        assert!(!root.join(left_out).exists(), "{left_out} is in the package");
    }
    let out = run(Command::new(&cargo)
        .current_dir(&root)
        .args(["test", "--locked", "--offline", "--target-dir"])
        .arg(dir.join("target"))
        .env_remove("RUSTFLAGS"));
    let log = text(&out);
    assert!(out.status.success(), "cargo test in the package:\n{log}");
    assert!(log.contains("test result: ok") && !log.contains("FAILED"), "{log}");
}
