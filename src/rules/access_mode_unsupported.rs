//! `access-mode-unsupported`: a claim asks for `ReadWriteMany` or `ReadOnlyMany` from storage
//! that cannot serve it: a class whose provisioner attaches a volume to one node only (EBS, GCE
//! PD, Azure Disk, Hetzner, DigitalOcean, Linode, Cinder; `storage::PROVISIONERS`), or a
//! PersistentVolume (`volumeName`) that does not offer the mode. The claim stays Pending and
//! nothing that mounts it starts. Block-mode claims are left alone (several of these drivers
//! multi-attach raw devices of some disk types), as is every provisioner rwo-guard does not know.

use crate::facts::Facts;
use crate::findings::{Analysis, FieldChange, Severity};
use crate::model::ScalarField;
use crate::storage::Attach;

use super::{Level, Rule};

/// A claim asks for a mode its storage cannot give.
pub(crate) static ACCESS_MODE_UNSUPPORTED: Rule = Rule {
    name: crate::rule_ids::ACCESS_MODE_UNSUPPORTED,
    level: Level::Always(Severity::Error),
    summary: "A claim asks for ReadWriteMany or ReadOnlyMany from storage that attaches to one node only",
    triggered_by: "a PersistentVolumeClaim (file system mode) asking `ReadWriteMany` or `ReadOnlyMany` from a class whose provisioner attaches a volume to one node only (the class named, or the default class; from the bundle or `--cluster`), or bound by `volumeName` to a PersistentVolume that does not offer that mode",
    advice: "a class backed by shared file storage (EFS, Filestore, Azure Files, NFS, CephFS…), or ReadWriteOnce with one replica",
    why: "A class whose provisioner attaches a volume to one node only (EBS, GCE PD, Azure Disk, Hetzner, DigitalOcean, Linode, Cinder) cannot make a ReadWriteMany or ReadOnlyMany file system volume, and a PersistentVolume binds only a claim whose every mode it offers: the claim stays Pending and no pod that mounts it starts. Block-mode claims and provisioners rwo-guard does not know are left alone.",
    example: "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: gp3}\nprovisioner: ebs.csi.aws.com\n---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: shared}\nspec: {accessModes: [ReadWriteMany], storageClassName: gp3}",
    check: Some(check),
};

const MANY: &[&str] = &["ReadWriteMany", "ReadOnlyMany"];

fn check(facts: &Facts<'_>, out: &mut Analysis) {
    for (i, o) in facts.objects.iter().enumerate() {
        let Some(claim) = o.claim() else { continue };
        let Some(asked) = o.values(ScalarField::AccessMode).map(|m| m.value.as_str()).find(|m| MANY.contains(m)) else {
            continue;
        };
        if facts.superseded(i) || o.stored(ScalarField::VolumeMode).is_some_and(|m| m.value == "Block") {
            continue;
        }
        let storage = facts.storage.of_claim(o, facts.ns(o));
        let why = match (storage.volume, o.value(ScalarField::BoundVolume)) {
            (Some(pv), _) => {
                let offered: Vec<&str> = pv.object.values(ScalarField::AccessMode).map(|m| m.value.as_str()).collect();
                if offered.is_empty() || offered.contains(&asked) || !pv.object.unreadable().is_empty() {
                    continue;
                }
                format!(
                    "it is bound to {}, which offers only {}: a claim binds only to a volume that offers every mode it asks for",
                    pv.display(),
                    offered.join(", ")
                )
            }
            // Bound to a volume rwo-guard does not know: no class provisions it.
            (None, Some(_)) => continue,
            (None, None) => match storage.provisioner {
                Some((_, p)) => match p.attach {
                    Attach::SingleNode { read_only_many } if asked == "ReadWriteMany" || !read_only_many => {
                        format!("its storage, {}, attaches a volume to one node only", storage.source)
                    }
                    _ => continue,
                },
                None => continue,
            },
        };
        out.push(
            &ACCESS_MODE_UNSUPPORTED,
            o.id,
            Severity::Error,
            format!(
                "{}: asks for {asked}, but {why}; the claim stays Pending and no pod that mounts it starts. Use a class backed by shared file storage (EFS, Filestore, Azure Files, NFS, CephFS…), or ReadWriteOnce with one replica",
                o.display()
            ),
            Some(FieldChange::at(claim.access_modes.join("."), Some(asked.to_string()))),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::rules::testing::findings;

    fn class(name: &str, provisioner: &str, default: bool) -> String {
        let annotation =
            if default { "\n  annotations: {storageclass.kubernetes.io/is-default-class: \"true\"}" } else { "" };
        format!("apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: {name}{annotation}\nprovisioner: {provisioner}\n---\n")
    }

    fn pvc(spec: &str) -> String {
        format!("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {{name: d}}\nspec: {spec}\n---\n")
    }

    fn count(yaml: &str) -> usize {
        findings(&ACCESS_MODE_UNSUPPORTED, yaml, Config::default()).len()
    }

    #[test]
    fn many_modes_on_single_node_block_storage_are_errors() {
        let yaml = format!(
            "{}{}",
            class("gp3", "ebs.csi.aws.com", false),
            pvc("{accessModes: [ReadWriteMany], storageClassName: gp3}")
        );
        let f = findings(&ACCESS_MODE_UNSUPPORTED, &yaml, Config::default());
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message.contains("StorageClass gp3 (provisioner ebs.csi.aws.com), attaches a volume to one node only"),
            "{}",
            f[0].message
        );
        assert_eq!(
            count(&format!(
                "{}{}",
                class("gp3", "ebs.csi.aws.com", false),
                pvc("{accessModes: [ReadOnlyMany], storageClassName: gp3}")
            )),
            1
        );
    }

    #[test]
    fn the_default_class_counts_and_an_empty_class_is_none() {
        let default = class("std", "disk.csi.azure.com", true);
        assert_eq!(count(&format!("{default}{}", pvc("{accessModes: [ReadWriteMany]}"))), 1);
        assert_eq!(count(&format!("{default}{}", pvc("{accessModes: [ReadWriteMany], storageClassName: ''}"))), 0);
        let annotated = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: d\n  annotations: {volume.beta.kubernetes.io/storage-class: std}\nspec: {accessModes: [ReadWriteMany], storageClassName: other}\n";
        assert_eq!(
            count(&format!("{}{annotated}", class("std", "disk.csi.azure.com", false))),
            1,
            "the annotation wins"
        );
    }

    #[test]
    fn near_misses() {
        // Shared file storage, an unknown provisioner, block mode, read-only GCE PD, RWO.
        for (provisioner, spec) in [
            ("efs.csi.aws.com", "{accessModes: [ReadWriteMany], storageClassName: c}"),
            ("driver.longhorn.io", "{accessModes: [ReadWriteMany], storageClassName: c}"),
            ("ebs.csi.aws.com", "{accessModes: [ReadWriteMany], storageClassName: c, volumeMode: Block}"),
            ("pd.csi.storage.gke.io", "{accessModes: [ReadOnlyMany], storageClassName: c}"),
            ("ebs.csi.aws.com", "{accessModes: [ReadWriteOnce], storageClassName: c}"),
        ] {
            assert_eq!(count(&format!("{}{}", class("c", provisioner, false), pvc(spec))), 0, "{provisioner} {spec}");
        }
        assert_eq!(
            count(&format!(
                "{}{}",
                class("c", "pd.csi.storage.gke.io", false),
                pvc("{accessModes: [ReadWriteMany], storageClassName: c}")
            )),
            1
        );
    }

    #[test]
    fn a_bound_claim_uses_its_volumes_modes() {
        let pv = |modes: &str| {
            format!("apiVersion: v1\nkind: PersistentVolume\nmetadata: {{name: pv1}}\nspec: {{accessModes: [{modes}], nfs: {{server: s, path: /x}}}}\n---\n")
        };
        let claim = pvc("{accessModes: [ReadWriteMany], storageClassName: '', volumeName: pv1}");
        assert_eq!(count(&format!("{}{claim}", pv("ReadWriteMany"))), 0);
        let f = findings(&ACCESS_MODE_UNSUPPORTED, &format!("{}{claim}", pv("ReadWriteOnce")), Config::default());
        assert!(f[0].message.contains("bound to PersistentVolume pv1, which offers only ReadWriteOnce"), "{f:?}");
        // Bound to a volume not known: nothing asserted, even with a block default class.
        let unknown = pvc("{accessModes: [ReadWriteMany], volumeName: elsewhere}");
        assert_eq!(count(&format!("{}{unknown}", class("c", "ebs.csi.aws.com", true))), 0);
    }
}
