//! pre-commit: the repository's `.pre-commit-hooks.yaml`, used by URL the way a user's
//! repository uses it, through the real framework: `pre-commit try-repo HOOK_REPO --all-files`
//! (PyPI `pre-commit`, in `.tools/venv`) in a scratch git repository. The hook repository is a
//! fresh git repository holding this checkout's tracked files as they are now (so uncommitted
//! work is what is tested), and pre-commit builds rwo-guard from it (`language: rust`, with the
//! system's cargo) once for every run. The unsafe Deployment fails both hooks, which name its
//! file, line and rule; after the fix both pass; and `args:` reach `rwo-guard check` (a user
//! config naming the hook repository, with `args: [--fail-on, warning]`, fails on a warning).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // a test harness: fail loudly

use crate::common;

use std::fs;
use std::path::Path;
use std::process::Command;

use common::{command, repo, require, run, scratch, venv_tool, Ran};

fn git(dir: &Path, args: &[&str]) -> Ran {
    let mut c = command("git", args, dir);
    c.env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com");
    for k in ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"] {
        c.env_remove(k);
    }
    let ran = run(c);
    assert_eq!(ran.code, 0, "git {args:?} in {}: {}", dir.display(), ran.show());
    ran
}

#[test]
#[ignore = "end to end: needs pre-commit in .tools/venv, git, cargo and kubectl; run `make test`"]
fn pre_commit_hooks_by_url() {
    let python = venv_tool("pre_commit");
    let pre_commit = python.with_file_name("pre-commit");
    require("git", "install git");
    require("cargo", "install Rust (cargo): pre-commit builds the hook with it");
    require("kubectl", "install kubectl (kustomize v5.5); see scripts/install-deps.sh");
    let root = scratch("precommit");
    let readme =
        fs::read_to_string(repo().join("examples/pre-commit/README.md")).expect("examples/pre-commit/README.md");
    for id in ["- id: rwo-guard ", "- id: rwo-guard-kustomize "] {
        assert!(readme.contains(id), "examples/pre-commit/README.md does not show `{id}`");
    }
    let hooks = hook_repo(&root);
    let (user, manifest) = user_repo(&root);
    let pre_commit_in = |args: &[&str]| {
        let mut c = Command::new(&pre_commit);
        c.args(args).args(["--all-files", "--color", "never"]).current_dir(&user);
        c.env("PRE_COMMIT_HOME", root.join("pre-commit-home")).env_remove("GIT_DIR").env_remove("GIT_INDEX_FILE");
        run(c)
    };
    let hooks_arg = hooks.display().to_string();
    let try_repo = || pre_commit_in(&["try-repo", &hooks_arg]);

    // Unsafe: both hooks fail and name the Deployment (the kustomize hook also the directory).
    unsafe_fails_both(&try_repo());

    // Fixed: both pass.
    let fixed = manifest.replace("spec:\n  replicas: 1\n", "spec:\n  replicas: 1\n  strategy:\n    type: Recreate\n");
    assert_ne!(fixed, manifest, "the fix did not apply");
    fs::write(user.join("app/deploy.yaml"), &fixed).expect("write");
    git(&user, &["add", "-A"]);
    let ran = try_repo();
    assert_eq!(ran.code, 0, "{}", ran.show());
    assert_eq!(
        ran.stdout.lines().filter(|l| l.starts_with("rwo-guard") && l.ends_with("Passed")).count(),
        2,
        "{}",
        ran.show()
    );

    // `args:` are check's flags: with --fail-on warning, a warning (a claim not in the files
    // passed) fails the hook that passed before.
    let head = git(&hooks, &["rev-parse", "HEAD"]).stdout.trim().to_string();
    let config = format!(
        "repos:\n- repo: {}\n  rev: {head}\n  hooks:\n  - id: rwo-guard\n    args: [--fail-on, warning]\n",
        hooks.display()
    );
    fs::write(user.join(".pre-commit-config.yaml"), config).expect("write");
    let external = fixed.replace("claimName: db-data", "claimName: elsewhere");
    fs::write(user.join("app/deploy.yaml"), &external).expect("write");
    git(&user, &["add", "-A"]);
    let ran = pre_commit_in(&["run"]);
    assert_eq!(ran.code, 1, "{}", ran.show());
    assert!(
        ran.stdout.contains("app/deploy.yaml:39:22: warning [external-claim] Deployment db: claim elsewhere"),
        "{}",
        ran.show()
    );
    let _ = fs::remove_dir_all(&root);
}

/// The hook repository: this checkout's tracked files, committed in a fresh repository.
fn hook_repo(root: &Path) -> std::path::PathBuf {
    let hooks = root.join("hook-repo");
    fs::create_dir_all(&hooks).expect("mkdir");
    let listed = git(&repo(), &["ls-files", "-z"]);
    for rel in listed.stdout.split('\0').filter(|f| !f.is_empty()) {
        let from = repo().join(rel);
        if !from.is_file() {
            continue; // deleted in the working tree
        }
        let to = hooks.join(rel);
        fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        fs::copy(&from, &to).unwrap_or_else(|e| panic!("copy {rel}: {e}"));
    }
    assert!(hooks.join(".pre-commit-hooks.yaml").is_file(), ".pre-commit-hooks.yaml is not tracked");
    git(&hooks, &["init", "-q", "."]);
    git(&hooks, &["add", "-A"]);
    git(&hooks, &["commit", "-qm", "hooks under test"]);
    hooks
}

/// The user's repository: a Deployment on a ReadWriteOnce claim with the default strategy, and
/// a kustomization over it; and the manifest.
fn user_repo(root: &Path) -> (std::path::PathBuf, String) {
    let user = root.join("user-repo");
    fs::create_dir_all(user.join("app")).expect("mkdir");
    let manifest = fs::read_to_string(repo().join("examples/argocd/app/app.yaml")).expect("example app");
    fs::write(user.join("app/deploy.yaml"), &manifest).expect("write");
    fs::write(user.join("app/kustomization.yaml"), "resources:\n- deploy.yaml\n").expect("write");
    git(&user, &["init", "-q", "."]);
    git(&user, &["add", "-A"]);
    (user, manifest)
}

/// Both hooks fail on the unsafe Deployment: `check` on the files names the file, line and
/// column; `check -` on each build its line in the build, and the directory.
fn unsafe_fails_both(ran: &Ran) {
    assert_eq!(ran.code, 1, "{}", ran.show());
    let out = format!("{}{}", ran.stdout, ran.stderr);
    for hook in
        ["rwo-guard (rollouts cannot Multi-Attach)", "rwo-guard on kustomize builds (rollouts cannot Multi-Attach)"]
    {
        assert!(out.lines().any(|l| l.starts_with(hook) && l.ends_with("Failed")), "{hook} did not fail:\n{out}");
    }
    assert!(
        out.contains(
            "app/deploy.yaml:19:3: error [strategy-unsafe] Deployment db: would add spec.strategy: {type: Recreate}\n"
        ),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("<stdin>:") && l.contains(": error [strategy-unsafe] Deployment db: would add")),
        "{out}"
    );
    assert!(out.contains("rwo-guard: in app (kubectl kustomize app)"), "{out}");
    assert_eq!(out.matches("[strategy-unsafe] Deployment db: would add").count(), 2, "{out}");
}
