//! `immediate-binding`: a workload mounts a claim of a zonal single-node class whose
//! `volumeBindingMode` is `Immediate` (or unset, which is `Immediate`), and its pods are
//! constrained to zones or nodes (a `nodeSelector` or required node affinity on a zone, region
//! or hostname label), or it mounts two or more such claims. The volume is made as soon as the
//! claim exists, in a zone chosen without the pod: the pod may be unable to run there, or two
//! volumes may land in two zones, and the pod stays Pending ("volume node affinity conflict").

use crate::facts::Facts;
use crate::facts::WorkloadFacts;
use crate::findings::{Analysis, Severity};
use crate::model::ScalarField;
use crate::storage::Attach;

use super::{Level, Rule};

/// Volumes made before their pod is scheduled, in one zone.
pub(crate) static IMMEDIATE_BINDING: Rule = Rule {
    name: crate::rule_ids::IMMEDIATE_BINDING,
    level: Level::Always(Severity::Warning),
    summary: "A zonal volume is made before its pod is scheduled, where the pod may not be able to run",
    triggered_by: "a workload mounting a claim of a zonal single-node class (EBS, GCE PD, Azure Disk, Cinder, Hetzner) with `volumeBindingMode: Immediate` or unset, whose pods are constrained to zones or nodes (`nodeSelector` or required node affinity on a zone, region or hostname label), or that mounts two or more such claims",
    advice: "`volumeBindingMode: WaitForFirstConsumer` on the class: the volume is made where the pod is scheduled",
    why: "With volumeBindingMode Immediate (the default) a zonal volume is made as soon as the claim exists, in a zone chosen without the pod: a pod held to other zones or nodes, or mounting two such claims made in two zones, stays Pending with a volume node affinity conflict. WaitForFirstConsumer makes the volume where the pod is scheduled.",
    example: "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: gp3}\nprovisioner: ebs.csi.aws.com\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      nodeSelector: {topology.kubernetes.io/zone: eu-west-1a}\n      volumes: [{name: data, persistentVolumeClaim: {claimName: web-data}}]",
    check: Some(check),
};

fn check(facts: &Facts<'_>, out: &mut Analysis) {
    for w in facts.workloads.iter().filter(|w| w.mode().is_some()) {
        let mut immediate: Vec<(String, String)> = Vec::new();
        for m in &w.mounts {
            let Some(pvc) = m.pvc else { continue };
            if pvc.value(ScalarField::BoundVolume).is_some() {
                continue;
            }
            let s = facts.storage.of_claim(pvc, facts.ns(pvc));
            let (Some(class), Some((_, p)), None) = (s.class, s.provisioner, s.volume) else { continue };
            let binding = class.object.stored(ScalarField::BindingMode).map(|b| b.value);
            if p.zonal && matches!(p.attach, Attach::SingleNode { .. }) && binding.is_none_or(|b| b == "Immediate") {
                immediate.push((m.claim.clone(), s.source));
            }
        }
        let constrained = constraint(w);
        let why = match (immediate.len(), &constrained) {
            (0, _) => continue,
            (1, None) => continue,
            (1, Some(c)) => format!("its pods are constrained by {c}"),
            (n, _) => format!("it mounts {n} such claims, which may be made in different zones"),
        };
        let claims: Vec<String> = immediate.iter().map(|(c, source)| format!("claim {c} of {source}")).collect();
        out.push(
            &IMMEDIATE_BINDING,
            w.object.id,
            Severity::Warning,
            format!(
                "{}: volumeBindingMode Immediate may make its volumes where its pods cannot run. {} {} volumeBindingMode Immediate: each volume is made in a zone chosen before the pod is scheduled, and {why}; the pod can stay Pending with \"volume node affinity conflict\". Set volumeBindingMode: WaitForFirstConsumer on the class",
                w.object.display(),
                claims.join(", "),
                if claims.len() == 1 { "has" } else { "have" },
            ),
            None,
        );
    }
}

/// What constrains a workload's pods to zones or nodes, if anything does.
fn constraint(w: &WorkloadFacts<'_>) -> Option<String> {
    let o = w.object;
    if let Some(n) = o.value(ScalarField::NodeSelectorHost) {
        return Some(format!("nodeSelector kubernetes.io/hostname: {}", n.value));
    }
    if let Some(n) = o.stored(ScalarField::NodeSelectorTopology) {
        return Some(format!("a nodeSelector on a zone or region label (value {})", n.value));
    }
    o.topology_terms().then(|| "a required node affinity on a zone, region or hostname label".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::rules::testing::findings;

    fn bundle(binding: &str, claims: &[&str], pod: &str) -> String {
        let mut y = format!("apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {{name: gp3}}\nprovisioner: ebs.csi.aws.com\n{binding}---\n");
        for c in claims {
            y += &format!("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {{name: {c}}}\nspec: {{accessModes: [ReadWriteOnce], storageClassName: gp3}}\n---\n");
        }
        let volumes: Vec<String> =
            claims.iter().map(|c| format!("{{name: {c}, persistentVolumeClaim: {{claimName: {c}}}}}")).collect();
        y + &format!("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: db}}\nspec:\n  strategy: {{type: Recreate}}\n  template:\n    spec:\n{pod}      volumes: [{}]\n", volumes.join(", "))
    }

    const ZONE: &str = "      nodeSelector: {topology.kubernetes.io/zone: eu-west-1a}\n";
    const AFFINITY: &str = "      affinity:\n        nodeAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n            nodeSelectorTerms:\n            - matchExpressions: [{key: topology.kubernetes.io/zone, operator: In, values: [a, b]}]\n";

    fn count(yaml: &str) -> usize {
        findings(&IMMEDIATE_BINDING, yaml, Config::default()).len()
    }

    #[test]
    fn immediate_zonal_volumes_of_constrained_pods() {
        for binding in ["", "volumeBindingMode: Immediate\n"] {
            assert_eq!(count(&bundle(binding, &["a"], ZONE)), 1, "{binding}");
            assert_eq!(count(&bundle(binding, &["a"], AFFINITY)), 1, "{binding}");
            assert_eq!(count(&bundle(binding, &["a", "b"], "")), 1, "{binding}");
        }
    }

    #[test]
    fn near_misses() {
        assert_eq!(count(&bundle("volumeBindingMode: WaitForFirstConsumer\n", &["a"], ZONE)), 0);
        assert_eq!(count(&bundle("", &["a"], "")), 0, "one claim, pods not constrained");
        assert_eq!(count(&bundle("", &["a"], "      nodeSelector: {kubernetes.io/os: linux}\n")), 0);
        let regional = bundle("", &["a"], ZONE).replace("ebs.csi.aws.com", "dobs.csi.digitalocean.com");
        assert_eq!(count(&regional), 0, "DigitalOcean volumes are regional");
    }
}
