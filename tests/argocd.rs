//! Argo CD: the generate command of the shipped Config Management Plugin
//! (`examples/argocd/plugin.yaml`), read from that file, run the way Argo CD's CMP server runs
//! it (`tests/argocd/cmp_run.py`, from cmpserver/plugin/plugin.go: stdout kept, stderr shown
//! only on failure) on a good and a broken kustomization. `kustomize` is kubectl's embedded
//! kustomize (v5.5) behind a one-line shim; the sidecar image itself (Argo CD's image plus
//! rwo-guard) is not built here: no image can be pulled.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // a test harness: fail loudly

use crate::common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use common::{bin_dir, copy_tree, path_with, repo, require, run, scratch, venv_tool};

/// `spec.generate.command` + `spec.generate.args` of the shipped plugin.yaml.
fn generate_command() -> Vec<String> {
    let text = fs::read_to_string(repo().join("examples/argocd/plugin.yaml")).expect("plugin.yaml");
    let doc: serde_norway::Value = serde_norway::from_str(&text).expect("plugin.yaml is YAML");
    assert_eq!(doc["kind"].as_str(), Some("ConfigManagementPlugin"));
    let generate = &doc["spec"]["generate"];
    let strings = |v: &serde_norway::Value| -> Vec<String> {
        v.as_sequence().expect("a list").iter().map(|s| s.as_str().expect("a string").to_string()).collect()
    };
    let mut cmd = strings(&generate["command"]);
    cmd.extend(strings(&generate["args"]));
    cmd
}

struct Cmp {
    python: std::path::PathBuf,
    root: std::path::PathBuf,
    path: std::ffi::OsString,
}

/// What the CMP server made of one generate run.
struct Generated {
    result: Result<String, String>,
    /// The sidecar's log (the CMP server's own stderr).
    log: String,
}

impl Cmp {
    fn new(name: &str) -> Cmp {
        let kubectl = require("kubectl", "install kubectl (kustomize v5.5); see scripts/install-deps.sh");
        let root = scratch(name);
        let bin = bin_dir(&root);
        let shim = bin.join("kustomize");
        fs::write(
            &shim,
            format!("#!/bin/sh\n# `kustomize build DIR` through kubectl's kustomize\n[ \"$1\" = build ] && shift\nexec {} kustomize \"$@\"\n", kubectl.display()),
        )
        .expect("write shim");
        fs::set_permissions(&shim, fs::Permissions::from_mode(0o755)).expect("chmod");
        Cmp { python: venv_tool("json"), path: path_with(&bin), root }
    }

    fn generate(&self, app: &Path, command: &[String], plugin_env: &str) -> Generated {
        let json = serde_json_strings(command);
        let mut cmd = Command::new(&self.python);
        cmd.arg(repo().join("tests/argocd/cmp_run.py")).arg(app).arg(plugin_env).arg(json).env("PATH", &self.path);
        let ran = run(cmd);
        assert_eq!(ran.code, 0, "cmp_run.py failed:\n{}", ran.show());
        let out: serde_norway::Value = serde_norway::from_str(ran.stdout.trim()).expect("cmp_run prints JSON");
        let result = match (out["manifests"].as_str(), out["error"].as_str()) {
            (Some(m), _) => Ok(m.to_string()),
            (_, Some(e)) => Err(e.to_string()),
            _ => panic!("unexpected output {}", ran.stdout),
        };
        Generated { result, log: ran.stderr }
    }

    fn app(&self, name: &str, replicas: u32) -> std::path::PathBuf {
        let dir = self.root.join(name);
        copy_tree(&repo().join("examples/argocd").join(name), &dir);
        let app = dir.join("app.yaml");
        let text = fs::read_to_string(&app).expect("app.yaml").replace("replicas: 1", &format!("replicas: {replicas}"));
        fs::write(&app, text).expect("write app.yaml");
        dir
    }
}

fn serde_json_strings(items: &[String]) -> String {
    let quoted: Vec<String> = items
        .iter()
        .map(|a| {
            let mut s = String::from("\"");
            for c in a.chars() {
                match c {
                    '"' => s.push_str("\\\""),
                    '\\' => s.push_str("\\\\"),
                    '\n' => s.push_str("\\n"),
                    c => s.push(c),
                }
            }
            s.push('"');
            s
        })
        .collect();
    format!("[{}]", quoted.join(","))
}

#[test]
#[ignore = "end to end: needs kubectl and .tools/venv python; run `make test`"]
fn argocd_generate_command() {
    let cmp = Cmp::new("argocd");
    let generate = generate_command();
    assert_eq!(generate[..2], ["bash".to_string(), "-c".to_string()], "{generate:?}");

    // Good kustomization: the manifests with the strategy rewritten; the info line in the log.
    let g = cmp.generate(&cmp.app("app", 1), &generate, "{}");
    let manifests = g.result.unwrap_or_else(|e| panic!("generate failed: {e}"));
    assert!(
        manifests.contains("kind: PersistentVolumeClaim") && manifests.contains("  strategy:\n    type: Recreate\n"),
        "{manifests}"
    );
    assert!(g.log.contains("rwo-guard: info: Deployment db: added spec.strategy"), "log:\n{}", g.log);

    // Three replicas: still generated; the warning reaches the sidecar log.
    let g = cmp.generate(&cmp.app("app", 3), &generate, "{}");
    assert!(g.result.is_ok_and(|m| m.contains("type: Recreate")));
    assert!(g.log.contains("rwo-guard: warning: Deployment db: 3 replicas share claim db-data"), "log:\n{}", g.log);

    // The Application's plugin env RWO_GUARD_FAIL_ON=warning: generate fails and Argo CD's
    // error carries the warning.
    let g = cmp.generate(&cmp.app("app", 3), &generate, r#"{"RWO_GUARD_FAIL_ON": "warning"}"#);
    let err = g.result.expect_err("should fail");
    assert!(err.contains("failed exit status 1") && err.contains("3 replicas share claim db-data"), "{err}");

    // Broken kustomization: generate FAILS (never an empty success), with kustomize's error.
    let g = cmp.generate(&cmp.app("broken", 1), &generate, "{}");
    let err = g.result.expect_err("a failed build must fail the generate step");
    assert!(err.contains("missing.yaml"), "{err}");

    // Control: the naive command without pipefail "succeeds" with empty output on the same
    // broken kustomization, which is what the plugin must never do.
    let naive = ["sh".to_string(), "-c".to_string(), "kustomize build . | rwo-guard".to_string()];
    let g = cmp.generate(&cmp.app("broken", 1), &naive, "{}");
    assert_eq!(g.result.as_deref(), Ok(""), "the control no longer shows the pipefail problem");
    let _ = fs::remove_dir_all(&cmp.root);
}
