//! `fsgroup-recursive-chown`: a pod template with `securityContext.fsGroup` and no
//! `fsGroupChangePolicy: OnRootMismatch`, on an exclusive claim. The kubelet then changes the
//! group and permissions of every file on the volume at every start, before the containers
//! run: every Recreate rollout (the old pod gone, the new one not yet serving) lasts as long as
//! that walk, and it grows with the volume. Reported only where the volume's storage is known
//! to change ownership: its CSIDriver says `fsGroupPolicy: File`, or its provisioner is
//! single-node block storage (a file system type, so the default `ReadWriteOnceWithFSType`
//! applies) and its CSIDriver, if known, does not say `None`. Shared file storage has no file
//! system type; node-local provisioners differ (host paths get no ownership change); an unknown
//! provisioner asserts nothing.

use crate::facts::Facts;
use crate::facts::Mount;
use crate::findings::{Analysis, FieldChange, Severity};
use crate::model::ScalarField;
use crate::storage::Attach;

use super::{Level, Rule};

/// A recursive ownership change at every start.
pub(crate) static FSGROUP_RECURSIVE_CHOWN: Rule = Rule {
    name: crate::rule_ids::FSGROUP_RECURSIVE_CHOWN,
    level: Level::Always(Severity::Info),
    summary: "Every start of a pod on an exclusive claim changes the ownership of every file on it (fsGroup without OnRootMismatch)",
    triggered_by: "a pod template with `securityContext.fsGroup` and no `fsGroupChangePolicy: OnRootMismatch` mounting an exclusive claim whose storage changes ownership: single-node block storage whose CSIDriver (if known) does not say `fsGroupPolicy: None`, or a CSIDriver saying `File`",
    advice: "`securityContext.fsGroupChangePolicy: OnRootMismatch`: ownership is changed only when the volume's root does not match",
    why: "With securityContext.fsGroup and no fsGroupChangePolicy: OnRootMismatch, the kubelet changes the group and permissions of every file on the volume at every start, before the containers run: every Recreate rollout (the old pod gone, the new one not yet serving) lasts as long as that walk, which grows with the volume. Reported only on storage known to change ownership.",
    example: "spec:\n  template:\n    spec:\n      securityContext: {fsGroup: 1000}\n      volumes: [{name: data, persistentVolumeClaim: {claimName: web-data}}]",
    check: Some(check),
};

fn check(facts: &Facts<'_>, out: &mut Analysis) {
    for w in &facts.workloads {
        let (Some(group), Some(_)) = (w.object.stored(ScalarField::FsGroup), w.mode()) else { continue };
        let policy = w.object.stored(ScalarField::FsGroupChangePolicy);
        if policy.is_some_and(|p| p.value == "OnRootMismatch") {
            continue;
        }
        let Some(mount) = w.mounts.iter().find(|m| changes_ownership(facts, m)) else { continue };
        let pod = w.kind.pods.path().join(".");
        out.push(
            &FSGROUP_RECURSIVE_CHOWN,
            w.object.id,
            Severity::Info,
            format!(
                "{}: securityContext.fsGroup {} without fsGroupChangePolicy: OnRootMismatch; every start of its pods, so every Recreate rollout, first changes the ownership of every file on {}; the downtime grows with the volume. Set {pod}.securityContext.fsGroupChangePolicy: OnRootMismatch",
                w.object.display(),
                group.value,
                mount.describe()
            ),
            Some(FieldChange::at(
                format!("{pod}.securityContext.fsGroupChangePolicy"),
                policy.map(|p| p.value.to_string()),
            )),
        );
    }
}

/// Whether the kubelet is known to change the ownership of the files on this claim's volume.
fn changes_ownership(facts: &Facts<'_>, m: &Mount<'_>) -> bool {
    let Some(pvc) = m.pvc else { return false };
    let storage = facts.storage.of_claim(pvc, facts.ns(pvc));
    let policy = storage
        .provisioner_name
        .and_then(|name| facts.storage.driver(name))
        .and_then(|d| d.object.stored(ScalarField::FsGroupPolicy));
    match policy.map(|p| p.value) {
        Some("None") => false,
        Some("File") => true,
        _ => matches!(storage.attach(), Some(Attach::SingleNode { .. })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::rules::testing::findings;

    fn bundle(class: &str, security: &str) -> String {
        format!("apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {{name: gp3}}\nprovisioner: ebs.csi.aws.com\n---\napiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {{name: efs}}\nprovisioner: efs.csi.aws.com\n---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {{name: data}}\nspec: {{accessModes: [ReadWriteOnce], storageClassName: {class}}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: db}}\nspec:\n  strategy: {{type: Recreate}}\n  template:\n    spec:\n      securityContext: {security}\n      volumes: [{{name: v, persistentVolumeClaim: {{claimName: data}}}}]\n")
    }

    fn count(yaml: &str) -> usize {
        findings(&FSGROUP_RECURSIVE_CHOWN, yaml, Config::default()).len()
    }

    #[test]
    fn fs_group_without_on_root_mismatch() {
        for security in ["{fsGroup: 1001}", "{fsGroup: 1001, fsGroupChangePolicy: Always}"] {
            let f = findings(&FSGROUP_RECURSIVE_CHOWN, &bundle("gp3", security), Config::default());
            assert_eq!(f.len(), 1, "{security}");
            assert_eq!(
                f[0].field.as_ref().map(|c| c.path.as_str()),
                Some("spec.template.spec.securityContext.fsGroupChangePolicy")
            );
        }
    }

    #[test]
    fn near_misses() {
        assert_eq!(count(&bundle("gp3", "{fsGroup: 1001, fsGroupChangePolicy: OnRootMismatch}")), 0);
        assert_eq!(count(&bundle("gp3", "{runAsUser: 1001}")), 0);
        assert_eq!(count(&bundle("efs", "{fsGroup: 1001}")), 0, "shared file storage has no fsType");
        let none = "apiVersion: storage.k8s.io/v1\nkind: CSIDriver\nmetadata: {name: ebs.csi.aws.com}\nspec: {fsGroupPolicy: None}\n---\n";
        assert_eq!(count(&format!("{none}{}", bundle("gp3", "{fsGroup: 1001}"))), 0);
        let file = none.replace("None", "File").replace("ebs.csi.aws.com", "efs.csi.aws.com");
        assert_eq!(count(&format!("{file}{}", bundle("efs", "{fsGroup: 1001}"))), 1);
        assert_eq!(count(&bundle("unknown", "{fsGroup: 1001}")), 0, "no class known: nothing asserted");
        let unknown =
            bundle("gp3", "{fsGroup: 1001}").replace("provisioner: ebs.csi.aws.com", "provisioner: example.com/disk");
        assert_eq!(count(&unknown), 0, "an unknown provisioner asserts nothing");
        let said = none.replace("None", "File").replace("ebs.csi.aws.com", "example.com/disk");
        assert_eq!(count(&format!("{said}{unknown}")), 1, "its CSIDriver says File");
    }
}
