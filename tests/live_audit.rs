//! Live-cluster audit: `kubectl get deploy,sts,ds,pvc,pv,hpa -A -o yaml | rwo-guard --mode
//! check` on `tests/fixtures/live-audit/cluster.yaml` (`examples/live-audit/cluster.yaml` links to it), that command's output as the API server
//! writes it (a `kind: List` with status, managedFields, last-applied-configuration, defaulted
//! strategies, bound PVCs and their PVs). Needs only the binary, so it runs in a bare
//! `cargo test`.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // a test harness: fail loudly

use crate::common;

use std::fs;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use common::{repo, run_with, Ran};

fn check(input: &str, args: &[&str]) -> Ran {
    let mut cmd = Command::new(PathBuf::from(env!("CARGO_BIN_EXE_rwo-guard")));
    cmd.args(args);
    run_with(cmd, Some(input.as_bytes()), Duration::from_secs(60))
}

fn cluster() -> String {
    fs::read_to_string(repo().join("tests/fixtures/live-audit/cluster.yaml"))
        .expect("tests/fixtures/live-audit/cluster.yaml")
}

/// The `rwo-guard: SEVERITY: KIND NS/NAME` prefix of each stderr line.
fn subjects(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .map(|l| l.split(' ').take(4).collect::<Vec<_>>().join(" ").trim_end_matches(':').to_string())
        .collect()
}

#[test]
fn live_cluster_list_is_checked() {
    let input = cluster();
    assert!(input.contains("kind: List") && input.contains("managedFields:") && input.contains("volumeName: pvc-"));
    let ran = check(&input, &["--mode", "check"]);
    assert_eq!(ran.code, 1, "{}", ran.show());
    assert_eq!(ran.stdout, input, "check mode must not change anything");
    let (findings, tally) = ran.stderr.trim_end().rsplit_once('\n').expect("findings, then the count");
    assert_eq!(tally, "rwo-guard: 2 workloads to fix, 2 warnings, 4 errors", "{}", ran.stderr);
    assert_eq!(
        subjects(findings),
        [
            "rwo-guard: error: Deployment shop/cart",
            "rwo-guard: error: Deployment shop/cart",
            "rwo-guard: error: Deployment db/pg",
            "rwo-guard: error: Deployment db/pg",
            "rwo-guard: warning: Deployment db/pg",
            "rwo-guard: warning: HorizontalPodAutoscaler db/pg",
        ],
        "{}",
        ran.stderr
    );
    assert!(ran.stderr.contains("Deployment shop/cart: would set spec.strategy.type to Recreate (was RollingUpdate)"));
    assert!(ran.stderr.contains("would remove spec.strategy.rollingUpdate (was {maxSurge: 25%, maxUnavailable: 25%})"));
    assert!(ran.stderr.contains("Deployment db/pg: 2 replicas share claim pg-data"));
    assert!(ran.stderr.contains("HorizontalPodAutoscaler db/pg: may scale Deployment db/pg to 4 replicas"));
    for quiet in ["shop/orders", "shop/search", "prometheus", "node-exporter"] {
        assert!(!ran.stderr.contains(quiet), "{quiet} should give no finding:\n{}", ran.stderr);
    }

    // -q keeps the errors only; --fail-on never exits 0 with the same findings.
    let ran = check(&input, &["--mode", "check", "-q"]);
    assert_eq!((ran.code, ran.stderr.lines().count()), (1, 4), "{}", ran.show());
    let ran = check(&input, &["--mode", "check", "--fail-on", "never"]);
    assert_eq!(ran.code, 0, "{}", ran.show());

    // Fixing what it found makes the audit pass (errors gone; the warnings stay, exit 0).
    let fixed = check(&input, &["--mode", "recreate"]);
    assert_eq!(fixed.code, 0, "{}", fixed.show());
    let ran = check(&fixed.stdout, &["--mode", "check"]);
    assert_eq!(ran.code, 0, "{}", ran.show());
    assert!(!ran.stderr.contains("error:"), "{}", ran.stderr);
}

/// Listing `rs` and `pods` too: the ReplicaSet and Pod that `shop/cart` controls (through
/// `ownerReferences` with `controller: true`) are its own, not other workloads on its claim:
/// the findings are those of the list without them.
#[test]
fn owned_replicasets_and_pods_are_not_other_workloads() {
    let mut input = cluster();
    // The pod spec at `indent` spaces.
    let pod_spec = |indent: usize| {
        let lines = [
            "containers:",
            "- image: registry.example.com/cart:1.4.2",
            "  name: cart",
            "  volumeMounts:",
            "  - mountPath: /data",
            "    name: data",
            "volumes:",
            "- name: data",
            "  persistentVolumeClaim:",
            "    claimName: cart-data",
        ];
        lines.iter().map(|l| format!("{}{l}\n", " ".repeat(indent))).collect::<String>()
    };
    let owner = |kind: &str, name: &str, uid: &str| {
        format!(
            "    ownerReferences:\n    - apiVersion: apps/v1\n      blockOwnerDeletion: true\n      controller: true\n      \
             kind: {kind}\n      name: {name}\n      uid: {uid}\n"
        )
    };
    let extra = format!(
        "- apiVersion: apps/v1\n  kind: ReplicaSet\n  metadata:\n    name: cart-7d9c6b8f5d\n    namespace: shop\n{}  \
         spec:\n    replicas: 1\n    template:\n      spec:\n{}\
         - apiVersion: v1\n  kind: Pod\n  metadata:\n    name: cart-7d9c6b8f5d-x2k9q\n    namespace: shop\n{}  spec:\n{}",
        owner("Deployment", "cart", "5f0c6a0e-1c44-4a0e-8d3c-1b2a3c4d5e6f"),
        pod_spec(8),
        owner("ReplicaSet", "cart-7d9c6b8f5d", "0c9b8a7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d"),
        pod_spec(4)
    );
    let at = input.find("kind: List\n").expect("List");
    input.insert_str(at, &extra);
    let ran = check(&input, &["--mode", "check"]);
    let without = check(&cluster(), &["--mode", "check"]);
    assert_eq!(ran.code, 1, "{}", ran.show());
    assert_eq!(ran.stderr, without.stderr, "listing owned ReplicaSets and Pods changed the findings");
    assert!(!ran.stderr.contains("cart-7d9c6b8f5d"), "{}", ran.stderr);
}
