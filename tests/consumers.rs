//! The tool that reads rwo-guard's output next must accept it: every golden case's output is
//! read back by a real consumer. A plain stream goes to `kubectl kustomize` as a resource of a
//! kustomization; a ResourceList to kpt as a function's answer (`kpt fn eval --exec` with a
//! function that prints it), which kpt parses as kustomize does (kyaml). The rule: when the
//! consumer accepts the case's input, it must accept the output (odd inputs — a scalar
//! document, an object without a kind — are refused by the consumer whatever rwo-guard does).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use crate::common;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{command, repo, require, run_with, scratch};

/// Whether the consumer accepts `text`, and what it said when it did not.
fn accepted(dir: &Path, text: &[u8], kubectl: &Path, kpt: &Path) -> Result<(), String> {
    let _ = fs::remove_dir_all(dir);
    fs::create_dir_all(dir).expect("scratch");
    let is_resource_list = rwo_guard::api::is_resource_list(text);
    let ran = if is_resource_list {
        // A function that answers with this ResourceList, whatever it is given.
        let answer = dir.join("answer.yaml");
        fs::write(&answer, text).expect("answer");
        let function = dir.join("function.sh");
        fs::write(&function, format!("#!/bin/sh\ncat >/dev/null\nexec cat '{}'\n", answer.display())).expect("fn");
        fs::set_permissions(&function, std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod");
        let pkg = dir.join("pkg");
        fs::create_dir_all(&pkg).expect("pkg");
        fs::write(pkg.join("Kptfile"), "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata: {name: pkg}\n")
            .expect("kptfile");
        let mut cmd = command(kpt, &["fn", "eval", "pkg", "--exec"], dir);
        cmd.arg(&function);
        run_with(cmd, None, Duration::from_secs(60))
    } else {
        fs::write(dir.join("resources.yaml"), text).expect("resources");
        fs::write(dir.join("kustomization.yaml"), "resources: [resources.yaml]\n").expect("kustomization");
        run_with(command(kubectl, &["kustomize", "."], dir), None, Duration::from_secs(60))
    };
    if ran.code == 0 {
        Ok(())
    } else {
        Err(ran.show())
    }
}

#[test]
#[ignore = "end to end: needs kubectl and kpt; run `make test`"]
fn every_golden_output_is_read_back_by_kustomize_or_kpt() {
    let kubectl = require("kubectl", "kubectl (kustomize v5.5) must be on the machine");
    let kpt = require("kpt", "kpt must be on the machine");
    let scratch = scratch("consumers");
    let root = repo().join("tests/golden");
    let mut cases: Vec<PathBuf> =
        fs::read_dir(&root).expect("tests/golden").map(|e| e.expect("entry").path()).collect();
    cases.sort();
    let (mut checked, mut failures) = (0, Vec::new());
    for case in cases {
        let name = case.file_name().and_then(|n| n.to_str()).unwrap_or("?").to_string();
        let (Ok(input), Ok(output)) = (fs::read(case.join("input.yaml")), fs::read(case.join(".expected/output.yaml")))
        else {
            continue;
        };
        let args = fs::read_to_string(case.join("args")).unwrap_or_default();
        if output.is_empty() || args.contains("--diff") {
            continue;
        }
        if accepted(&scratch.join(format!("{name}-in")), &input, &kubectl, &kpt).is_err() {
            continue;
        }
        checked += 1;
        if let Err(said) = accepted(&scratch.join(format!("{name}-out")), &output, &kubectl, &kpt) {
            failures.push(format!("{name}: the consumer accepts the input but not the output:\n{said}"));
        }
    }
    assert!(checked >= 60, "only {checked} golden cases had an input the consumers accept");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    eprintln!("consumers: {checked} golden outputs read back by kubectl kustomize or kpt");
}
