//! The legacy exec plugin's findings on a terminal. kustomize keeps a succeeding legacy
//! plugin's stderr to itself, so rwo-guard writes its findings to kustomize's own stderr
//! (`/proc/<parent>/fd/2`) when that is a terminal or a pipe. The pipe case is a
//! kustomization-tests case (findings-legacy-plugin); this runs `kubectl kustomize` under a
//! pseudo-terminal (util-linux `script`) as a person would, and with stderr sent to a regular
//! file, where nothing is written (documented: kustomize writes that file at its own offset).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // a test harness: fail loudly

use crate::common;

use std::fs;

use common::{copy_tree, repo, require, run, scratch};

#[test]
#[ignore = "end to end: needs kubectl and script (util-linux); run `make test`"]
fn legacy_plugin_findings_reach_a_terminal() {
    let kubectl = require("kubectl", "install kubectl (kustomize v5.5); see scripts/install-deps.sh");
    let script = require("script", "install util-linux (`script`)");
    let root = scratch("legacy-terminal");
    let case = root.join("case");
    copy_tree(&repo().join("kustomization-tests/findings-legacy-plugin"), &case);
    let plugin = root.join("plugins/rwo-guard.dev/v1alpha1/rwoguard");
    fs::create_dir_all(&plugin).expect("mkdir");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_rwo-guard"), plugin.join("RwoGuard")).expect("link");
    let build = format!("{} kustomize --enable-alpha-plugins {}", kubectl.display(), case.display());
    let warning = "rwo-guard: warning: Deployment db: 3 replicas share claim db-data";

    // Under a terminal: the findings are on it (stdout sent away, so only stderr remains).
    let mut cmd = common::command(&script, &["-qec", &format!("{build} > /dev/null"), "/dev/null"], &root);
    cmd.env("KUSTOMIZE_PLUGIN_HOME", root.join("plugins"));
    let ran = run(cmd);
    assert_eq!(ran.code, 0, "{}", ran.show());
    assert!(ran.stdout.contains(warning), "the warning did not reach the terminal:\n{}", ran.show());
    assert!(ran.stdout.contains("rwo-guard: info: Deployment db: added spec.strategy"), "{}", ran.show());

    // stderr to a regular file: left alone (and the build still succeeds).
    let log = root.join("stderr.log");
    let mut cmd = common::command("sh", &["-c", &format!("{build} > /dev/null 2> {}", log.display())], &root);
    cmd.env("KUSTOMIZE_PLUGIN_HOME", root.join("plugins"));
    let ran = run(cmd);
    assert_eq!(ran.code, 0, "{}", ran.show());
    assert_eq!(fs::read_to_string(&log).expect("log"), "", "findings were written into a regular file");
    let _ = fs::remove_dir_all(&root);
}
