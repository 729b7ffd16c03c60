//! What storage provisioners can do, as data: which attach a volume to one node only, which
//! serve a shared file system, which keep a volume on one node's disks, and which make volumes
//! in one zone. Declared once, beside the kinds (`kinds.rs`); each entry cites the driver's own
//! documentation. A provisioner not listed here asserts nothing: no rule guesses about it.
//!
//! Left out on purpose, because what they allow depends on more than their name: Longhorn
//! (`driver.longhorn.io`: block, yet ReadWriteMany through its share-manager), Ceph RBD
//! (`rbd.csi.ceph.com`: ReadWriteMany in block mode), vSphere (`csi.vsphere.vmware.com`:
//! ReadWriteMany with vSAN file services), Portworx, OpenEBS Mayastor/Jiva/cStor, and
//! `local-path`'s shared-filesystem mode is why node-local classes assert nothing about
//! ReadWriteMany.

/// What volumes of a provisioner are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Attach {
    /// Block storage attached to one node at a time: a file-system claim (`volumeMode`
    /// `Filesystem`, the default) cannot be `ReadWriteMany`; `ReadOnlyMany` only where
    /// `read_only_many` says so. (Block-mode claims are left alone: several of these drivers
    /// multi-attach raw devices of some disk types.)
    SingleNode {
        /// The driver attaches a disk read-only to many nodes (GCE PD).
        read_only_many: bool,
    },
    /// A shared file system (NFS, SMB, CephFS…): every access mode.
    SharedFile,
    /// Volumes on one node's own disks: a pod using one runs on that node only.
    NodeLocal,
}

/// A provisioner (a CSI driver's name, or an in-tree `kubernetes.io/…` plugin).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Provisioner {
    /// Its names (`StorageClass.provisioner`, `PersistentVolume.spec.csi.driver`).
    pub names: &'static [&'static str],
    /// What its volumes are.
    pub attach: Attach,
    /// Its volumes live in one zone (or location): a volume made before its pod is scheduled
    /// may be where the pod cannot run.
    pub zonal: bool,
    /// The node label its topology uses, besides the well-known zone labels.
    pub topology_key: Option<&'static str>,
}

const fn block(names: &'static [&'static str], zonal: bool, topology_key: Option<&'static str>) -> Provisioner {
    Provisioner { names, attach: Attach::SingleNode { read_only_many: false }, zonal, topology_key }
}

const fn shared(names: &'static [&'static str]) -> Provisioner {
    Provisioner { names, attach: Attach::SharedFile, zonal: false, topology_key: None }
}

const fn local(names: &'static [&'static str]) -> Provisioner {
    Provisioner { names, attach: Attach::NodeLocal, zonal: false, topology_key: None }
}

/// Every provisioner rwo-guard knows.
pub(crate) const PROVISIONERS: &[Provisioner] = &[
    // Single-node block storage.
    // https://github.com/kubernetes-sigs/aws-ebs-csi-driver/blob/master/docs/multi-attach.md
    // (ReadWriteMany only for io2 volumes in Block mode); in-tree: the access-mode table of
    // https://kubernetes.io/docs/concepts/storage/persistent-volumes/#access-modes
    block(&["ebs.csi.aws.com", "kubernetes.io/aws-ebs"], true, Some("topology.ebs.csi.aws.com/zone")),
    // https://cloud.google.com/kubernetes-engine/docs/how-to/persistent-volumes/readonlymany-disks
    // (a disk attached read-only to many nodes); https://cloud.google.com/kubernetes-engine/docs/how-to/persistent-volumes/gce-pd-csi-driver
    Provisioner {
        names: &["pd.csi.storage.gke.io", "kubernetes.io/gce-pd"],
        attach: Attach::SingleNode { read_only_many: true },
        zonal: true,
        topology_key: Some("topology.gke.io/zone"),
    },
    // https://learn.microsoft.com/en-us/azure/aks/azure-disk-csi (shared disks: maxShares,
    // Block mode only)
    block(&["disk.csi.azure.com", "kubernetes.io/azure-disk"], true, Some("topology.disk.csi.azure.com/zone")),
    // https://github.com/hetznercloud/csi-driver/blob/main/docs/kubernetes/README.md (volumes
    // are ReadWriteOnce and bound to one location)
    block(&["csi.hetzner.cloud"], true, Some("csi.hetzner.cloud/location")),
    // https://github.com/digitalocean/csi-digitalocean (ReadWriteOnce; a cluster is in one region)
    block(&["dobs.csi.digitalocean.com"], false, None),
    // https://github.com/linode/linode-blockstorage-csi-driver (ReadWriteOnce; one region)
    block(&["linodebs.csi.linode.com"], false, None),
    // https://github.com/kubernetes/cloud-provider-openstack/blob/master/docs/cinder-csi-plugin/features.md
    // (multi-attach only for raw block volumes of a multiattach volume type)
    block(&["cinder.csi.openstack.org", "kubernetes.io/cinder"], true, Some("topology.cinder.csi.openstack.org/zone")),
    // Shared file storage.
    // https://github.com/kubernetes-sigs/aws-efs-csi-driver
    shared(&["efs.csi.aws.com"]),
    // https://cloud.google.com/filestore/docs/csi-driver
    shared(&["filestore.csi.storage.gke.io"]),
    // https://learn.microsoft.com/en-us/azure/aks/azure-files-csi
    shared(&["file.csi.azure.com", "kubernetes.io/azure-file"]),
    // https://github.com/kubernetes-csi/csi-driver-nfs
    shared(&["nfs.csi.k8s.io"]),
    // https://github.com/kubernetes-csi/csi-driver-smb
    shared(&["smb.csi.k8s.io"]),
    // https://github.com/ceph/ceph-csi/blob/devel/docs/cephfs/deploy.md
    shared(&["cephfs.csi.ceph.com"]),
    // Node-local storage.
    // https://github.com/rancher/local-path-provisioner
    local(&["rancher.io/local-path"]),
    // https://openebs.io/docs/user-guides/local-storage-user-guide/local-pv-hostpath/hostpath-overview
    local(&["openebs.io/local"]),
    // https://github.com/openebs/lvm-localpv and https://github.com/openebs/zfs-localpv
    local(&["local.csi.openebs.io", "zfs.csi.openebs.io"]),
    // https://kubernetes.io/docs/concepts/storage/storage-classes/#local (static local volumes)
    local(&["kubernetes.io/no-provisioner"]),
    // https://github.com/topolvm/topolvm (topolvm.cybozu.com is its name before 0.16)
    local(&["topolvm.io", "topolvm.cybozu.com"]),
];

/// The provisioner called `name`, if rwo-guard knows it.
pub(crate) fn provisioner(name: &str) -> Option<&'static Provisioner> {
    PROVISIONERS.iter().find(|p| p.names.contains(&name))
}

/// The well-known node labels that place a pod in a zone, region or on one node.
const TOPOLOGY_KEYS: &[&str] = &[
    "kubernetes.io/hostname",
    "topology.kubernetes.io/zone",
    "topology.kubernetes.io/region",
    "failure-domain.beta.kubernetes.io/zone",
    "failure-domain.beta.kubernetes.io/region",
];

/// Every node label that places a pod in a zone or on a node: the well-known ones and the
/// zonal provisioners' own.
pub(crate) fn topology_keys() -> impl Iterator<Item = &'static str> {
    TOPOLOGY_KEYS.iter().copied().chain(PROVISIONERS.iter().filter_map(|p| p.topology_key))
}

/// Whether a node label places pods in a zone or on a node.
pub(crate) fn is_topology_key(key: &str) -> bool {
    topology_keys().any(|k| k == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_listed_once() {
        let mut seen = std::collections::HashSet::new();
        for p in PROVISIONERS {
            for n in p.names {
                assert!(seen.insert(*n), "{n} twice");
            }
            assert!(!p.zonal || matches!(p.attach, Attach::SingleNode { .. }), "{:?}", p.names);
        }
    }

    #[test]
    fn lookups() {
        assert_eq!(
            provisioner("ebs.csi.aws.com").map(|p| p.attach),
            Some(Attach::SingleNode { read_only_many: false })
        );
        assert_eq!(provisioner("efs.csi.aws.com").map(|p| p.attach), Some(Attach::SharedFile));
        assert_eq!(provisioner("rancher.io/local-path").map(|p| p.attach), Some(Attach::NodeLocal));
        assert!(provisioner("driver.longhorn.io").is_none(), "block with RWX through share-manager: left out");
        assert!(provisioner("rbd.csi.ceph.com").is_none());
        assert!(is_topology_key("topology.kubernetes.io/zone"));
        assert!(is_topology_key("csi.hetzner.cloud/location"));
        assert!(!is_topology_key("kubernetes.io/os"));
    }
}
