//! Helm: the shipped `examples/helm/rwo-guard` postrenderer/v1 plugin run by Helm 4's own
//! engine, and the Helm 3 `--post-renderer` contract.
//!
//! Helm 4: no helm binary can be installed here, but PyPI `helm-python-sdk` (in `.tools/venv`,
//! from scripts/requirements-tools.txt) carries Helm 4's Go SDK as a shared library.
//! `tests/helm/sdk_install.py` calls its `helm_install` with `dry_run: client`, memory storage
//! and `post_renderer: rwo-guard`: Helm renders `examples/helm/chart`, finds the plugin under
//! `$XDG_DATA_HOME/helm/plugins/` (placed as `helm plugin install DIR` places a local
//! directory: a symlink named after it), runs it through its subprocess runtime and returns
//! the manifest it would apply. `helm plugin install` itself and the helm CLI are not run.
//!
//! Helm 3: tested against its documented contract only (manifests on stdin, manifests on
//! stdout, non-zero exit on failure; stderr shown only on failure, from pkg/postrender/exec.go):
//! the post-render script and the bare binary are run on `helm template`-shaped input, with
//! `# Source:` comments, through a real pipe.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // a test harness: fail loudly

use crate::common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::{bin_dir, copy_tree, path_with, repo, run, run_with, scratch, venv_tool, Ran};

/// One `helm install --dry-run=client` through Helm 4's engine.
struct Install {
    /// The manifest Helm would apply, or Helm's error.
    result: Result<String, String>,
    /// What reached the process's stderr (Helm itself keeps none of a plugin's stderr).
    stderr: String,
}

struct Helm {
    python: PathBuf,
    root: PathBuf,
}

impl Helm {
    fn new(name: &str) -> Helm {
        Helm { python: venv_tool("helm_python"), root: scratch(name) }
    }

    /// Installs `plugin_src` as plugin directory `dir` of a fresh data home, the way
    /// `helm plugin install` installs a local directory (a symlink named after it).
    fn data_home(&self, name: &str, plugin_src: &Path) -> PathBuf {
        let data = self.root.join(name);
        let plugins = data.join("helm/plugins");
        fs::create_dir_all(&plugins).expect("mkdir plugins");
        std::os::unix::fs::symlink(plugin_src, plugins.join(plugin_src.file_name().expect("name")))
            .expect("symlink plugin");
        data
    }

    fn install(&self, data: &Path, path: &std::ffi::OsStr, values: &str, args: &[&str], plugin: &str) -> Install {
        let mut cmd = Command::new(&self.python);
        cmd.arg(repo().join("tests/helm/sdk_install.py"))
            .arg(repo().join("examples/helm/chart"))
            .args(["kv", "apps", values, plugin])
            .arg(serde_json_args(args))
            .current_dir(&self.root)
            .env("XDG_DATA_HOME", data)
            .env("XDG_CACHE_HOME", self.root.join("cache"))
            .env("XDG_CONFIG_HOME", self.root.join("config"))
            .env("PATH", path)
            .env_remove("HELM_NAMESPACE")
            .env_remove("HELM_PLUGINS");
        let ran = run(cmd);
        assert_eq!(ran.code, 0, "sdk_install.py failed:\n{}", ran.show());
        let out: serde_norway::Value = serde_norway::from_str(ran.stdout.trim()).expect("driver prints JSON");
        let result = match (out.get("manifest").and_then(|m| m.as_str()), out.get("error").and_then(|e| e.as_str())) {
            (Some(m), _) => Ok(m.to_string()),
            (_, Some(e)) => Err(e.to_string()),
            _ => panic!("unexpected driver output: {}", ran.stdout),
        };
        Install { result, stderr: ran.stderr }
    }
}

fn serde_json_args(args: &[&str]) -> String {
    let quoted: Vec<String> =
        args.iter().map(|a| format!("\"{}\"", a.replace('\\', "\\\\").replace('"', "\\\""))).collect();
    format!("[{}]", quoted.join(","))
}

/// The `# Source:` document of the rendered manifest for `template`.
fn document<'m>(manifest: &'m str, template: &str) -> Option<&'m str> {
    let marker = format!("# Source: kv/templates/{template}\n");
    let start = manifest.find(&marker)?;
    let rest = &manifest[start..];
    Some(rest[marker.len()..].find("\n---").map_or(rest, |end| &rest[..marker.len() + end]))
}

fn deployment(i: &Install) -> String {
    let m = i.result.as_ref().unwrap_or_else(|e| panic!("helm refused: {e}\nstderr:\n{}", i.stderr));
    document(m, "deployment.yaml").unwrap_or_else(|| panic!("no deployment.yaml in the manifest:\n{m}")).to_string()
}

#[test]
#[ignore = "end to end: needs helm-python-sdk in .tools/venv; run `make test`"]
fn helm4_plugin_rewrites_and_findings_reach_helms_stderr() {
    let h = Helm::new("helm4-plugin");
    let no_rwo_guard = std::env::var_os("PATH").unwrap_or_default();
    assert!(
        common::which("rwo-guard").is_none(),
        "rwo-guard is already on the caller's PATH; the `beside` case would not prove the lookup"
    );

    // The binary beside the plugin: a copy of the shipped directory with rwo-guard added.
    let beside = h.root.join("src/rwo-guard");
    copy_tree(&repo().join("examples/helm/rwo-guard"), &beside);
    fs::copy(env!("CARGO_BIN_EXE_rwo-guard"), beside.join("rwo-guard")).expect("copy binary");
    let data_beside = h.data_home("data-beside", &beside);
    // The shipped directory itself, as `helm plugin install examples/helm/rwo-guard` links it,
    // with rwo-guard found on PATH.
    let data_path = h.data_home("data-path", &repo().join("examples/helm/rwo-guard"));
    let on_path = path_with(&bin_dir(&h.root));

    // 1. Default values, binary beside: the Deployment gets Recreate; `# Source:` comments and
    //    everything else as Helm rendered it; the info line reaches stderr.
    let i = h.install(&data_beside, &no_rwo_guard, "{}", &[], "rwo-guard");
    let d = deployment(&i);
    assert!(d.contains("  strategy:\n    type: Recreate\n  template:"), "no Recreate:\n{d}");
    let m = i.result.as_ref().expect("manifest");
    assert!(document(m, "pvc.yaml").is_some_and(|p| p.contains("name: kv-data")), "PVC missing:\n{m}");
    assert!(!m.contains("postrenderer.helm.sh"), "Helm's filename annotation leaked into the manifest:\n{m}");
    assert!(
        i.stderr.contains("rwo-guard: info: Deployment kv: added spec.strategy: {type: Recreate}"),
        "the rewrite did not reach stderr:\n{}",
        i.stderr
    );

    // 2. Three replicas, binary on PATH: rewritten, and the warning no strategy can fix is shown.
    let i = h.install(&data_path, &on_path, r#"{"replicaCount": 3}"#, &[], "rwo-guard");
    let d = deployment(&i);
    assert!(d.contains("replicas: 3") && d.contains("type: Recreate"), "{d}");
    assert!(
        i.stderr
            .contains("rwo-guard: warning: Deployment kv: 3 replicas share claim kv-data (volume data, ReadWriteOnce)"),
        "the replicas warning did not reach stderr:\n{}",
        i.stderr
    );

    // 3. The same with --post-renderer-args=--fail-on=warning: Helm refuses the install and says
    //    only that the plugin failed; the warning itself is on stderr.
    let i = h.install(&data_path, &on_path, r#"{"replicaCount": 3}"#, &["--fail-on=warning"], "rwo-guard");
    let err = i.result.as_ref().expect_err("install should fail");
    assert!(err.contains(r#"plugin "rwo-guard" exited with error"#), "{err}");
    assert!(!err.contains("replicas share"), "Helm now shows the plugin's stderr? {err}");
    assert!(i.stderr.contains("rwo-guard: warning: Deployment kv: 3 replicas share claim kv-data"), "{}", i.stderr);

    // 4. existingClaim: the chart renders no PVC, so the claim is not in the bundle: nothing is
    //    changed and the finding says so, naming the option.
    let i = h.install(&data_path, &on_path, r#"{"persistence": {"existingClaim": "kv-shared"}}"#, &[], "rwo-guard");
    let d = deployment(&i);
    assert!(d.contains("claimName: kv-shared") && !d.contains("strategy"), "{d}");
    assert!(document(i.result.as_ref().expect("manifest"), "pvc.yaml").is_none());
    assert!(
        i.stderr.contains("rwo-guard: warning: Deployment kv: claim kv-shared is not in the bundle")
            && i.stderr.contains("assume-exclusive"),
        "{}",
        i.stderr
    );

    // 5. existingClaim with --external-claims=assume-exclusive: rewritten.
    let args = ["--external-claims=assume-exclusive"];
    let i = h.install(&data_path, &on_path, r#"{"persistence": {"existingClaim": "kv-shared"}}"#, &args, "rwo-guard");
    assert!(deployment(&i).contains("type: Recreate"), "{}", deployment(&i));

    // 6. rwo-guard nowhere: Helm fails the install (the script's message reaches stderr).
    let i = h.install(&data_path, &no_rwo_guard, "{}", &[], "rwo-guard");
    assert!(i.result.is_err(), "install without rwo-guard should fail");
    assert!(i.stderr.contains("rwo-guard is neither beside"), "{}", i.stderr);

    let _ = fs::remove_dir_all(&h.root);
}

/// Control: the same plugin without the shipped script (its command is the rwo-guard binary
/// itself) still rewrites, but Helm 4 drops every finding. This is why the plugin sends
/// rwo-guard's stderr to Helm's.
#[test]
#[ignore = "end to end: needs helm-python-sdk in .tools/venv; run `make test`"]
fn helm4_discards_a_bare_plugins_stderr() {
    let h = Helm::new("helm4-bare");
    let bare = h.root.join("src/rwo-guard-bare");
    fs::create_dir_all(&bare).expect("mkdir");
    fs::copy(env!("CARGO_BIN_EXE_rwo-guard"), bare.join("rwo-guard")).expect("copy binary");
    fs::write(
        bare.join("plugin.yaml"),
        "apiVersion: v1\ntype: postrenderer/v1\nname: rwo-guard-bare\nversion: 0.1.0\nruntime: subprocess\n\
         runtimeConfig:\n  platformCommand:\n  - command: ${HELM_PLUGIN_DIR}/rwo-guard\n",
    )
    .expect("write plugin.yaml");
    let data = h.data_home("data", &bare);
    let path = std::env::var_os("PATH").unwrap_or_default();
    let i = h.install(&data, &path, r#"{"replicaCount": 3}"#, &[], "rwo-guard-bare");
    assert!(deployment(&i).contains("type: Recreate"));
    assert!(!i.stderr.contains("rwo-guard"), "Helm 4 showed a plugin's stderr:\n{}", i.stderr);
    let i = h.install(&data, &path, r#"{"replicaCount": 3}"#, &["--fail-on=warning"], "rwo-guard-bare");
    let err = i.result.expect_err("should fail");
    assert!(!i.stderr.contains("rwo-guard:") && !err.contains("replicas share"), "{err}\n{}", i.stderr);
    let _ = fs::remove_dir_all(&h.root);
}

/// What Helm 4 tells a post-renderer about the namespace it installs into: nothing. The
/// probe plugin records its arguments and environment; the release is installed into `apps`.
#[test]
#[ignore = "end to end: needs helm-python-sdk in .tools/venv; run `make test`"]
fn helm4_passes_no_namespace_to_post_renderers() {
    let h = Helm::new("helm4-namespace");
    let probe = h.root.join("src/probe");
    fs::create_dir_all(&probe).expect("mkdir");
    fs::write(
        probe.join("plugin.yaml"),
        "apiVersion: v1\ntype: postrenderer/v1\nname: probe\nversion: 0.1.0\nruntime: subprocess\n\
         runtimeConfig:\n  platformCommand:\n  - command: ${HELM_PLUGIN_DIR}/probe.sh\n",
    )
    .expect("write plugin.yaml");
    let script = probe.join("probe.sh");
    fs::write(
        &script,
        "#!/bin/sh\n{ echo \"argc=$#\"; env; } > \"$HELM_PLUGIN_DIR/seen.txt\"\ntee \"$HELM_PLUGIN_DIR/stdin.yaml\"\n",
    )
    .expect("write probe");
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).expect("chmod");
    let data = h.data_home("data", &probe);
    let path = std::env::var_os("PATH").unwrap_or_default();
    let i = h.install(&data, &path, "{}", &[], "probe");
    assert!(i.result.is_ok(), "{:?}", i.result);
    let seen = fs::read_to_string(probe.join("seen.txt")).expect("probe ran");
    let stdin = fs::read_to_string(probe.join("stdin.yaml")).expect("probe ran");
    assert!(seen.contains("argc=0\n"), "{seen}");
    assert!(seen.contains("HELM_PLUGIN_NAME=probe\n") && seen.contains("HELM_PLUGIN_DIR="), "{seen}");
    let mentions_apps: Vec<&str> = seen.lines().filter(|l| l.starts_with("HELM_") && l.contains("apps")).collect();
    assert!(!seen.contains("HELM_NAMESPACE"), "Helm passed HELM_NAMESPACE:\n{seen}");
    assert!(mentions_apps.is_empty(), "{mentions_apps:?}");
    // Helm 4 hands each document with its template file as an annotation, not `# Source:`,
    // and the chart's objects carry no namespace.
    assert!(stdin.contains("postrenderer.helm.sh/postrender-filename: 'kv/templates/deployment.yaml'"), "{stdin}");
    assert!(!stdin.contains("# Source:") && !stdin.contains("namespace:"), "{stdin}");
    let _ = fs::remove_dir_all(&h.root);
}

/// `helm template`-shaped input: what Helm 3 pipes to a post-renderer (pkg/action/action.go
/// renderResources: `---\n# Source: NAME\nCONTENT\n` per manifest).
fn helm3_stream(replicas: u32) -> String {
    let chart = repo().join("examples/helm/chart/templates");
    let render = |file: &str| {
        fs::read_to_string(chart.join(file))
            .expect("template")
            .replace("{{- if not .Values.persistence.existingClaim }}\n", "")
            .replace("{{- end }}\n", "")
            .replace("{{ .Release.Name }}", "kv")
            .replace("{{ .Values.persistence.accessMode }}", "ReadWriteOnce")
            .replace("{{ .Values.persistence.size }}", "1Gi")
            .replace("{{ .Values.replicaCount }}", &replicas.to_string())
            .replace("{{ .Values.persistence.existingClaim | default (printf \"%s-data\" .Release.Name) }}", "kv-data")
    };
    let out = format!(
        "---\n# Source: kv/templates/pvc.yaml\n{}\n---\n# Source: kv/templates/deployment.yaml\n{}\n",
        render("pvc.yaml"),
        render("deployment.yaml")
    );
    assert!(!out.contains("{{"), "template not fully rendered:\n{out}");
    out
}

/// `helm3_exec_render.py PROGRAM ARGS` (Helm 3's exec post-renderer, from its source) on
/// `input`, with `path` as PATH.
fn helm3(python: &Path, program: &Path, args: &[&str], input: &str, path: &std::ffi::OsStr) -> Ran {
    let mut cmd = Command::new(python);
    cmd.arg(repo().join("tests/helm/helm3_exec_render.py")).arg(program).args(args).env("PATH", path);
    run_with(cmd, Some(input.as_bytes()), Duration::from_secs(60))
}

#[test]
#[ignore = "end to end: needs python in .tools/venv (the documented Helm 3 contract, real pipes); run `make test`"]
fn helm3_post_renderer_contract() {
    let python = venv_tool("subprocess");
    let root = scratch("helm3");
    let on_path = path_with(&bin_dir(&root));
    let script = repo().join("examples/helm/rwo-guard/post-render");
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_rwo-guard"));
    let warning = "rwo-guard: warning: Deployment kv: 3 replicas share claim kv-data";

    for (program, what) in [(&bin, "rwo-guard"), (&script, "post-render")] {
        // One replica: every byte as rendered, `# Source:` comments included, plus the strategy.
        let input = helm3_stream(1);
        let ran = helm3(&python, program, &[], &input, &on_path);
        assert_eq!(ran.code, 0, "{what}: {}", ran.show());
        let expected = input.replace("  template:\n", "  strategy:\n    type: Recreate\n  template:\n");
        assert_eq!(ran.stdout, expected, "{what}: output is not the input plus the strategy");
        assert_eq!(ran.stdout.matches("# Source: kv/templates/").count(), 2);

        // Three replicas: rewritten; the warning is lost with the bare binary (Helm 3 shows a
        // succeeding post-renderer's stderr nowhere) and shown with the script.
        let ran = helm3(&python, program, &[], &helm3_stream(3), &on_path);
        assert_eq!(ran.code, 0, "{what}: {}", ran.show());
        assert!(ran.stdout.contains("type: Recreate"));
        assert_eq!(ran.stderr.matches(warning).count(), usize::from(program == &script), "{what}: {}", ran.stderr);

        // --post-renderer-args=--fail-on=warning: Helm fails; the warning is shown once, inside
        // Helm's error (bare binary) or just above it (script).
        let ran = helm3(&python, program, &["--fail-on=warning"], &helm3_stream(3), &on_path);
        assert_eq!((ran.code, ran.stdout.as_str()), (1, ""), "{what}: {}", ran.show());
        assert!(ran.stderr.contains("error while running post render on files"), "{what}: {}", ran.stderr);
        assert_eq!(ran.stderr.matches(warning).count(), 1, "{what}: {}", ran.stderr);

        // Bad arguments: Helm fails with rwo-guard's message.
        let ran = helm3(&python, program, &["--mode=fast"], &helm3_stream(1), &on_path);
        assert_eq!(ran.code, 1, "{what}: {}", ran.show());
        assert!(ran.stderr.contains("invalid value 'fast'"), "{what}: {}", ran.stderr);
    }
    let _ = fs::remove_dir_all(&root);
}
