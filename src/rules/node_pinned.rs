//! `node-pinned`: a workload whose pods can only run on one node (a `nodeSelector` on
//! `kubernetes.io/hostname`, a required node affinity naming one node, a claim bound to a
//! PersistentVolume whose node affinity names one node, as local volumes are, or a claim on
//! node-local storage: a node-local class or a `local` PersistentVolume, whose volume stays on
//! the node it was made on) cannot
//! Multi-Attach a ReadWriteOnce claim: every pod of every rollout lands on that node, which
//! ReadWriteOnce allows. It is left as it is (Recreate would only add downtime), and nothing
//! else about its replicas is reported. ReadWriteOncePod is different (one pod at a time, even
//! on one node): such a workload is still rewritten.

use crate::facts::Facts;
use crate::findings::{Analysis, Severity};
use crate::kinds::Rollout;
use crate::strategy::Verdict;

use super::{Level, Rule};

/// A workload pinned to one node, on ReadWriteOnce claims.
pub(crate) static NODE_PINNED: Rule = Rule {
    name: crate::rule_ids::NODE_PINNED,
    level: Level::Always(Severity::Info),
    summary: "A workload on ReadWriteOnce claims whose pods can only run on one node was left as it is",
    triggered_by: "a workload on a ReadWriteOnce claim whose pods can only run on one node (`nodeSelector` on `kubernetes.io/hostname`, a required node affinity naming one node, a claim bound to a PersistentVolume whose node affinity names one node, a claim on node-local storage: a class of `rancher.io/local-path`, `openebs.io/local`, `kubernetes.io/no-provisioner`, TopoLVM… or a `local` PersistentVolume) and whose rollout would otherwise be rewritten",
    advice: "nothing: every pod lands on that node, which ReadWriteOnce allows (ReadWriteOncePod claims are still rewritten)",
    why: "Pods that can only run on one node never meet on two nodes, so ReadWriteOnce's one-node limit cannot hang their rollout; rwo-guard leaves the strategy as it is. A claim on node-local storage (local-path, OpenEBS local, TopoLVM, a `local` PersistentVolume) pins them too: its volume stays on the node it was made on, and every new pod is scheduled there.",
    example: "spec:\n  template:\n    spec:\n      nodeSelector: {kubernetes.io/hostname: node-1}\n      volumes: [{name: data, persistentVolumeClaim: {claimName: web-data}}]",
    check: Some(check),
};

fn check(facts: &Facts<'_>, out: &mut Analysis) {
    for w in &facts.workloads {
        let (Rollout::Rewrite(_), Some(Verdict::Surges(_)), Some(_), Some(mount), Some(pin)) =
            (w.kind.rollout, &w.verdict, w.mode(), w.first(), w.pinned_rwo())
        else {
            continue;
        };
        out.push(
            &NODE_PINNED,
            w.object.id,
            Severity::Info,
            format!(
                "{}: its pods can only run on {} ({}), so a rollout cannot Multi-Attach {}: ReadWriteOnce lets every pod on that node use it. Left as it is (Recreate there would only add downtime)",
                w.object.display(),
                pin.node.as_ref().map_or_else(|| "the node that holds its volume".to_string(), |n| format!("node {n}")),
                pin.by,
                mount.describe()
            ),
            None,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::rules::testing::{findings, CLAIMS};
    use crate::rules::{REPLICAS, STRATEGY_REWRITTEN};

    fn pinned(claim: &str, pod: &str) -> String {
        format!("{CLAIMS}apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: w}}\nspec:\n  replicas: 2\n  template:\n    spec:\n{pod}      volumes: [{{name: v, persistentVolumeClaim: {{claimName: {claim}}}}}]\n")
    }

    const SELECTOR: &str = "      nodeSelector: {kubernetes.io/hostname: node-a}\n";
    const AFFINITY: &str = "      affinity:\n        nodeAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n            nodeSelectorTerms:\n            - matchExpressions:\n              - {key: kubernetes.io/hostname, operator: In, values: [node-a]}\n              - {key: disk, operator: Exists}\n";

    #[test]
    fn a_workload_pinned_to_one_node_on_rwo_is_left_alone() {
        for pod in [SELECTOR, AFFINITY] {
            let yaml = pinned("data", pod);
            let f = findings(&NODE_PINNED, &yaml, Config::default());
            assert_eq!(f.len(), 1, "{pod}");
            assert!(f[0].message.contains("only run on node node-a"), "{}", f[0].message);
            assert!(findings(&STRATEGY_REWRITTEN, &yaml, Config::default()).is_empty());
            assert!(findings(&REPLICAS, &yaml, Config::default()).is_empty());
        }
    }

    #[test]
    fn rwop_and_two_nodes_are_not_pinned() {
        let yaml = pinned("pod-data", SELECTOR);
        assert!(findings(&NODE_PINNED, &yaml, Config::default()).is_empty());
        assert_eq!(findings(&STRATEGY_REWRITTEN, &yaml, Config::default()).len(), 1);
        let two = AFFINITY.replace("values: [node-a]", "values: [node-a, node-b]");
        assert!(findings(&NODE_PINNED, &pinned("data", &two), Config::default()).is_empty());
    }

    #[test]
    fn a_local_volume_pins_its_claims_users() {
        let pv = "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: local-1}\nspec:\n  local: {path: /mnt/disk}\n  claimRef: {namespace: '', name: data}\n  nodeAffinity:\n    required:\n      nodeSelectorTerms:\n      - matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [node-b]}]\n---\n";
        let yaml = format!("{pv}{}", pinned("data", ""));
        let f = findings(&NODE_PINNED, &yaml, Config::default());
        assert!(f[0].message.contains("node node-b (the node affinity of PersistentVolume local-1"), "{f:?}");
    }

    #[test]
    fn node_local_storage_pins_rwo_but_not_rwop() {
        let class = |p: &str| {
            format!(
                "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {{name: fast}}\nprovisioner: {p}\n---\n"
            )
        };
        let claims = CLAIMS
            .replace("accessModes: [ReadWriteOnce]}", "accessModes: [ReadWriteOnce], storageClassName: fast}")
            .replace("accessModes: [ReadWriteOncePod]}", "accessModes: [ReadWriteOncePod], storageClassName: fast}");
        let yaml = |p: &str, claim: &str| format!("{}{}", class(p), pinned(claim, "").replace(CLAIMS, &claims));
        let f = findings(&NODE_PINNED, &yaml("rancher.io/local-path", "data"), Config::default());
        assert!(f[0].message.contains("only run on the node that holds its volume"), "{f:?}");
        assert!(findings(&STRATEGY_REWRITTEN, &yaml("rancher.io/local-path", "data"), Config::default()).is_empty());
        assert!(findings(&NODE_PINNED, &yaml("rancher.io/local-path", "pod-data"), Config::default()).is_empty());
        assert_eq!(
            findings(&STRATEGY_REWRITTEN, &yaml("rancher.io/local-path", "pod-data"), Config::default()).len(),
            1
        );
        assert!(findings(&NODE_PINNED, &yaml("ebs.csi.aws.com", "data"), Config::default()).is_empty());
        assert!(findings(&NODE_PINNED, &yaml("example.com/unknown", "data"), Config::default()).is_empty());
        let local_pv = "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv}\nspec: {local: {path: /mnt}, claimRef: {name: data}}\n---\n";
        let f = findings(&NODE_PINNED, &format!("{local_pv}{}", pinned("data", "")), Config::default());
        assert!(f[0].message.contains("(a local volume)"), "{f:?}");
    }
}
