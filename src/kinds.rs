//! The kinds rwo-guard knows, as data: workloads (where their pods, replicas and rollout live),
//! claims, autoscalers, and the framing kinds that hold other objects. This table is the one
//! place that names a kind. The reader's schema (`schema.rs`) takes the field paths it must
//! read from here, and the rules (`rules/`) ask a kind's properties (does it scale by
//! replicas? which rollout layout?) instead of its name.
//!
//! Adding a kind shaped like an existing one is one entry in [`WORKLOADS`] (or
//! [`AUTOSCALERS`]); a kind that keeps its rollout differently also needs a [`Layout`] here.
//!
//! A leaf: it imports nothing of the crate. What an object's kind is, is asked of the object
//! (`model::Object::workload` and its siblings, which look it up here).

/// A field path from the object's root: `["spec", "replicas"]`.
pub(crate) type Path = &'static [&'static str];

/// Which API versions an entry covers.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Api {
    /// API groups (`""` is the core group).
    pub groups: &'static [&'static str],
    /// Versions, when only some share this entry's layout (`None`: every version).
    pub versions: Option<&'static [&'static str]>,
}

impl Api {
    /// Whether `api_version` (`apps/v1`, `v1`) is covered.
    pub(crate) fn covers(&self, api_version: Option<&str>) -> bool {
        let (group, version) = split_api_version(api_version.unwrap_or(""));
        self.groups.contains(&group) && self.versions.is_none_or(|vs| vs.contains(&version))
    }
}

/// `apps/v1` → (`apps`, `v1`); `v1` → (`""`, `v1`).
pub(crate) fn split_api_version(api_version: &str) -> (&str, &str) {
    api_version.rsplit_once('/').unwrap_or(("", api_version))
}

/// Where a kind's pod template sits: its `volumes` are at this path plus `volumes`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PodsAt {
    /// `spec` (a bare Pod).
    Spec,
    /// `spec.template.spec` (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CloneSet…).
    Template,
    /// `spec.jobTemplate.spec.template.spec` (CronJob).
    JobTemplate,
}

impl PodsAt {
    /// The path of the pod spec.
    pub(crate) fn path(self) -> Path {
        match self {
            PodsAt::Spec => &["spec"],
            PodsAt::Template => &["spec", "template", "spec"],
            PodsAt::JobTemplate => &["spec", "jobTemplate", "spec", "template", "spec"],
        }
    }

    /// Where the pod template's labels are (`None` for a bare Pod: a drain does not evict
    /// one without `--force`, and its labels are every object's `metadata.labels`, which the
    /// reader does not keep).
    pub(crate) fn labels_path(self) -> Option<Path> {
        match self {
            PodsAt::Spec => None,
            PodsAt::Template => Some(&["spec", "template", "metadata", "labels"]),
            PodsAt::JobTemplate => Some(&["spec", "jobTemplate", "spec", "template", "metadata", "labels"]),
        }
    }

    /// The field path of the volumes list, for messages.
    pub fn volumes_path(self) -> &'static str {
        match self {
            PodsAt::Spec => "spec.volumes",
            PodsAt::Template => "spec.template.spec.volumes",
            PodsAt::JobTemplate => "spec.jobTemplate.spec.template.spec.volumes",
        }
    }
}

/// How many pods of a workload run at once, and where that is said.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Scale {
    /// `replicas` pods (default 1) at this path.
    Replicas(Path),
    /// One pod on every node (DaemonSet).
    PerNode,
    /// One pod (a bare Pod).
    One,
    /// A Job: `parallelism` pods at once (default 1).
    Job {
        /// Where `parallelism` is.
        parallelism: Path,
    },
    /// A CronJob: runs may overlap as `concurrencyPolicy` allows, each `parallelism` wide.
    CronJob {
        /// Where `parallelism` is.
        parallelism: Path,
        /// Where `concurrencyPolicy` is.
        concurrency: Path,
    },
}

/// What happens to a workload's pods in a rollout.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Rollout {
    /// Its strategy can surge a new pod beside the old one; rwo-guard rewrites it to a safe one.
    Rewrite(&'static Layout),
    /// An Argo Rollout: blueGreen always runs two ReplicaSets; only a canary without surge is
    /// safe. Reported, never rewritten.
    Argo {
        /// The key under `spec` that holds its strategy.
        key: &'static str,
    },
    /// No surge to fix: StatefulSets replace one ordered pod at a time, ReplicaSets, Pods and
    /// Jobs have no rollout, DaemonSets are reported for their scale.
    Fixed,
}

/// A workload kind.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Workload {
    /// `kind`.
    pub kind: &'static str,
    /// Its API groups and versions.
    pub api: Api,
    /// Where its pod template is.
    pub pods: PodsAt,
    /// How many pods run at once.
    pub scale: Scale,
    /// Its rollout.
    pub rollout: Rollout,
}

const REPLICAS: Path = &["spec", "replicas"];

/// How a workload kind keeps its rollout strategy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// The key under `spec` that holds it.
    pub key: &'static str,
    /// What its `type` values mean.
    pub types: Types,
    /// The key inside the strategy that holds `maxSurge` and `maxUnavailable`, or `None` when
    /// they sit directly in the strategy.
    pub params: Option<&'static str>,
    /// `maxSurge` when absent, as the API defaults it.
    pub default_surge: &'static str,
    /// `maxUnavailable` when absent, as the API defaults it.
    pub default_unavailable: &'static str,
    /// The `maxUnavailable` a surge-free plan writes when it is absent (`None`: the default
    /// is kept).
    pub unavailable_when_absent: Option<i64>,
    /// The kind named when the API rejects a `type` it does not know (`a Deployment`), for
    /// the unsupported-strategy message; `None` when it accepts any.
    pub rejects_unknown_type: Option<&'static str>,
}

/// What a strategy's `type` values mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Types {
    /// `recreate` stops every old pod before new ones start; `rolling` (the default) replaces
    /// pods as `maxSurge`/`maxUnavailable` allow (Deployment, DeploymentConfig).
    RecreateOrRolling {
        /// The recreate type's name.
        recreate: &'static str,
        /// The rolling type's name, the default.
        rolling: &'static str,
    },
    /// `type` says how one pod is replaced; whether new pods start first is `maxSurge`'s
    /// alone (CloneSet).
    PodReplacement {
        /// The accepted values.
        known: &'static [&'static str],
    },
}

impl Layout {
    /// The path of a field of the strategy: `spec.strategy.rollingUpdate.maxSurge`.
    pub fn path(&self, rest: &[&str]) -> String {
        let mut p = format!("spec.{}", self.key);
        for k in rest {
            p.push('.');
            p.push_str(k);
        }
        p
    }

    /// The recreate type, when this layout has one.
    pub fn recreate(&self) -> Option<&'static str> {
        match self.types {
            Types::RecreateOrRolling { recreate, .. } => Some(recreate),
            Types::PodReplacement { .. } => None,
        }
    }
}

/// `apps/v1` Deployment (and its beta versions): `spec.strategy`, `Recreate` or
/// `RollingUpdate` with `rollingUpdate.maxSurge` (default 25%).
pub(crate) const DEPLOYMENT: Layout = Layout {
    key: "strategy",
    types: Types::RecreateOrRolling { recreate: "Recreate", rolling: "RollingUpdate" },
    params: Some("rollingUpdate"),
    default_surge: "25%",
    default_unavailable: "25%",
    // With one replica 25% rounds down to 0: written out, the rollout plainly moves.
    unavailable_when_absent: Some(1),
    rejects_unknown_type: Some("a Deployment"),
};

/// OpenShift `apps.openshift.io/v1` DeploymentConfig: `Recreate` or `Rolling` with
/// `rollingParams`.
pub(crate) const DEPLOYMENT_CONFIG: Layout = Layout {
    key: "strategy",
    types: Types::RecreateOrRolling { recreate: "Recreate", rolling: "Rolling" },
    params: Some("rollingParams"),
    default_surge: "25%",
    default_unavailable: "25%",
    unavailable_when_absent: Some(1),
    rejects_unknown_type: None,
};

/// OpenKruise `apps.kruise.io/v1alpha1` CloneSet: `spec.updateStrategy` holds `maxSurge` and
/// `maxUnavailable` directly; `type` says how a pod is replaced (`ReCreate`,
/// `InPlaceIfPossible`, `InPlaceOnly`), not whether new pods start first. Defaults (kruise
/// `SetDefaultsCloneSet`): `maxSurge` 0, `maxUnavailable` 20% (rounded up when `maxSurge` is 0).
pub(crate) const CLONESET: Layout = Layout {
    key: "updateStrategy",
    types: Types::PodReplacement { known: &["ReCreate", "InPlaceIfPossible", "InPlaceOnly"] },
    params: None,
    default_surge: "0",
    default_unavailable: "20%",
    unavailable_when_absent: None,
    rejects_unknown_type: Some("a CloneSet"),
};

/// Every workload kind rwo-guard knows.
pub(crate) const WORKLOADS: &[Workload] = &[
    Workload {
        kind: "Deployment",
        api: Api { groups: &["apps", "extensions"], versions: None },
        pods: PodsAt::Template,
        scale: Scale::Replicas(REPLICAS),
        rollout: Rollout::Rewrite(&DEPLOYMENT),
    },
    Workload {
        kind: "DeploymentConfig",
        api: Api { groups: &["apps.openshift.io", ""], versions: None },
        pods: PodsAt::Template,
        scale: Scale::Replicas(REPLICAS),
        rollout: Rollout::Rewrite(&DEPLOYMENT_CONFIG),
    },
    Workload {
        kind: "CloneSet",
        api: Api { groups: &["apps.kruise.io"], versions: Some(&["v1alpha1"]) },
        pods: PodsAt::Template,
        scale: Scale::Replicas(REPLICAS),
        rollout: Rollout::Rewrite(&CLONESET),
    },
    Workload {
        kind: "StatefulSet",
        api: Api { groups: &["apps"], versions: None },
        pods: PodsAt::Template,
        scale: Scale::Replicas(REPLICAS),
        rollout: Rollout::Fixed,
    },
    Workload {
        kind: "DaemonSet",
        api: Api { groups: &["apps", "extensions"], versions: None },
        pods: PodsAt::Template,
        scale: Scale::PerNode,
        rollout: Rollout::Fixed,
    },
    Workload {
        kind: "ReplicaSet",
        api: Api { groups: &["apps", "extensions"], versions: None },
        pods: PodsAt::Template,
        scale: Scale::Replicas(REPLICAS),
        rollout: Rollout::Fixed,
    },
    Workload {
        kind: "ReplicationController",
        api: Api { groups: &[""], versions: None },
        pods: PodsAt::Template,
        scale: Scale::Replicas(REPLICAS),
        rollout: Rollout::Fixed,
    },
    Workload {
        kind: "Pod",
        api: Api { groups: &[""], versions: None },
        pods: PodsAt::Spec,
        scale: Scale::One,
        rollout: Rollout::Fixed,
    },
    Workload {
        kind: "Job",
        api: Api { groups: &["batch"], versions: None },
        pods: PodsAt::Template,
        scale: Scale::Job { parallelism: &["spec", "parallelism"] },
        rollout: Rollout::Fixed,
    },
    Workload {
        kind: "CronJob",
        api: Api { groups: &["batch"], versions: None },
        pods: PodsAt::JobTemplate,
        scale: Scale::CronJob {
            parallelism: &["spec", "jobTemplate", "spec", "parallelism"],
            concurrency: &["spec", "concurrencyPolicy"],
        },
        rollout: Rollout::Fixed,
    },
    Workload {
        kind: "Rollout",
        api: Api { groups: &["argoproj.io"], versions: None },
        pods: PodsAt::Template,
        scale: Scale::Replicas(REPLICAS),
        rollout: Rollout::Argo { key: "strategy" },
    },
];

/// A kind that claims storage: its access modes decide whether two pods may share it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Claim {
    /// `kind`.
    pub kind: &'static str,
    /// Its API groups and versions.
    pub api: Api,
    /// Where the list of access modes is.
    pub access_modes: Path,
    /// Where the name of the volume it is bound to is.
    pub volume_name: Path,
    /// Where its StorageClass's name is (`""`: no class).
    pub class: Path,
    /// Where its `volumeMode` is (`Filesystem` when absent, or `Block`).
    pub volume_mode: Path,
}

/// The claim kinds.
pub(crate) const CLAIMS: &[Claim] = &[Claim {
    kind: "PersistentVolumeClaim",
    api: Api { groups: &[""], versions: None },
    access_modes: &["spec", "accessModes"],
    volume_name: &["spec", "volumeName"],
    class: &["spec", "storageClassName"],
    volume_mode: &["spec", "volumeMode"],
}];

/// A kind that is the storage a claim is bound to; its node affinity limits where the pods
/// that use it can run (a local volume: one node).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Volume {
    /// `kind`.
    pub kind: &'static str,
    /// Its API groups and versions.
    pub api: Api,
    /// Where its required node affinity is (holding `nodeSelectorTerms`).
    pub node_affinity: Path,
    /// Where the reference to the claim bound to it is (`namespace`, `name`).
    pub claim_ref: Path,
    /// Where its access modes are.
    pub access_modes: Path,
    /// Where its StorageClass's name is.
    pub class: Path,
    /// Where its CSI driver's name is.
    pub driver: Path,
    /// Where a local volume's path is (a `local` volume: on one node's disk).
    pub local_path: Path,
}

/// The volume kinds.
pub(crate) const VOLUMES: &[Volume] = &[Volume {
    kind: "PersistentVolume",
    api: Api { groups: &[""], versions: None },
    node_affinity: &["spec", "nodeAffinity", "required"],
    claim_ref: &["spec", "claimRef"],
    access_modes: &["spec", "accessModes"],
    class: &["spec", "storageClassName"],
    driver: &["spec", "csi", "driver"],
    local_path: &["spec", "local", "path"],
}];

/// A kind that describes how claims get their volumes (a StorageClass).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Class {
    /// `kind`.
    pub kind: &'static str,
    /// Its API groups and versions.
    pub api: Api,
    /// Where the provisioner's name is (see `storage::PROVISIONERS`).
    pub provisioner: Path,
    /// Where the volume binding mode is (`Immediate` when absent, or `WaitForFirstConsumer`).
    pub binding_mode: Path,
}

/// The class kinds. The default class is annotated `storageclass.kubernetes.io/is-default-class:
/// "true"` (`schema::ANNOTATIONS`).
pub(crate) const CLASSES: &[Class] = &[Class {
    kind: "StorageClass",
    api: Api { groups: &["storage.k8s.io"], versions: None },
    provisioner: &["provisioner"],
    binding_mode: &["volumeBindingMode"],
}];

/// A kind that describes an installed CSI driver (its name is the driver's).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Driver {
    /// `kind`.
    pub kind: &'static str,
    /// Its API groups and versions.
    pub api: Api,
    /// Where its `fsGroupPolicy` is (`ReadWriteOnceWithFSType` when absent, `File`, `None`).
    pub fs_group_policy: Path,
}

/// The driver kinds.
pub(crate) const DRIVERS: &[Driver] = &[Driver {
    kind: "CSIDriver",
    api: Api { groups: &["storage.k8s.io"], versions: None },
    fs_group_policy: &["spec", "fsGroupPolicy"],
}];

/// A kind that limits voluntary disruptions (evictions, so node drains) of the pods it selects.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Budget {
    /// `kind`.
    pub kind: &'static str,
    /// Its API groups and versions.
    pub api: Api,
    /// Where its label selector is (`matchLabels`, `matchExpressions`).
    pub selector: Path,
    /// Where `minAvailable` is.
    pub min_available: Path,
    /// Where `maxUnavailable` is.
    pub max_unavailable: Path,
}

/// The budget kinds: `policy/v1` only (in `v1beta1`, gone since Kubernetes 1.25, an empty
/// selector selected no pod).
pub(crate) const BUDGETS: &[Budget] = &[Budget {
    kind: "PodDisruptionBudget",
    api: Api { groups: &["policy"], versions: Some(&["v1"]) },
    selector: &["spec", "selector"],
    min_available: &["spec", "minAvailable"],
    max_unavailable: &["spec", "maxUnavailable"],
}];

/// A kind that scales a workload.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Autoscaler {
    /// `kind`.
    pub kind: &'static str,
    /// Its API groups and versions.
    pub api: Api,
    /// Where the target reference (`apiVersion`, `kind`, `name`) is.
    pub target: Path,
    /// Where the most replicas it may scale to is.
    pub max: Path,
    /// The most replicas when `max` is absent (`None`: it is required, so nothing is said).
    pub default_max: Option<i64>,
    /// How a message names that default.
    pub default_note: &'static str,
    /// The target's kind when the reference names none.
    pub default_target_kind: &'static str,
}

impl Autoscaler {
    /// The name of the `max` field (`maxReplicas`).
    pub(crate) fn max_name(&self) -> &'static str {
        self.max.last().copied().unwrap_or("")
    }
}

/// The autoscaler kinds.
pub(crate) const AUTOSCALERS: &[Autoscaler] = &[
    Autoscaler {
        kind: "HorizontalPodAutoscaler",
        api: Api { groups: &["autoscaling"], versions: None },
        target: &["spec", "scaleTargetRef"],
        max: &["spec", "maxReplicas"],
        default_max: None,
        default_note: "",
        default_target_kind: "Deployment",
    },
    Autoscaler {
        kind: "ScaledObject",
        api: Api { groups: &["keda.sh"], versions: None },
        target: &["spec", "scaleTargetRef"],
        max: &["spec", "maxReplicaCount"],
        default_max: Some(100),
        default_note: "KEDA's default maxReplicaCount",
        default_target_kind: "Deployment",
    },
];

/// A kind whose `items` are the objects (`kind: List`, the KRM `ResourceList`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Framing {
    /// `kind`.
    pub kind: &'static str,
    /// The `apiVersion`s that make it one.
    pub api_versions: &'static [&'static str],
}

/// `v1` List (what `kubectl get -o yaml` prints).
pub(crate) const LIST: Framing = Framing { kind: "List", api_versions: &["v1"] };
/// The KRM function input and output.
pub(crate) const RESOURCE_LIST: Framing =
    Framing { kind: "ResourceList", api_versions: &["config.kubernetes.io/v1", "config.kubernetes.io/v1alpha1"] };

impl Framing {
    /// Whether an object with this `apiVersion` and `kind` is one.
    pub(crate) fn is(&self, api_version: Option<&str>, kind: Option<&str>) -> bool {
        kind == Some(self.kind) && api_version.is_some_and(|v| self.api_versions.contains(&v))
    }
}

fn find<T>(
    table: &'static [T],
    api_version: Option<&str>,
    kind: Option<&str>,
    entry: impl Fn(&T) -> (&'static str, &Api),
) -> Option<&'static T> {
    let k = kind?;
    table.iter().find(|e| {
        let (name, api) = entry(e);
        name == k && api.covers(api_version)
    })
}

/// The workload kind of an object with this `apiVersion` and `kind`, if it is one.
pub(crate) fn workload(api_version: Option<&str>, kind: Option<&str>) -> Option<&'static Workload> {
    find(WORKLOADS, api_version, kind, |w| (w.kind, &w.api))
}

/// The claim kind of an object with this `apiVersion` and `kind`, if it is one.
pub(crate) fn claim(api_version: Option<&str>, kind: Option<&str>) -> Option<&'static Claim> {
    find(CLAIMS, api_version, kind, |c| (c.kind, &c.api))
}

/// The volume kind of an object with this `apiVersion` and `kind`, if it is one.
pub(crate) fn volume(api_version: Option<&str>, kind: Option<&str>) -> Option<&'static Volume> {
    find(VOLUMES, api_version, kind, |v| (v.kind, &v.api))
}

/// The class kind of an object with this `apiVersion` and `kind`, if it is one.
pub(crate) fn class(api_version: Option<&str>, kind: Option<&str>) -> Option<&'static Class> {
    find(CLASSES, api_version, kind, |c| (c.kind, &c.api))
}

/// The driver kind of an object with this `apiVersion` and `kind`, if it is one.
pub(crate) fn driver(api_version: Option<&str>, kind: Option<&str>) -> Option<&'static Driver> {
    find(DRIVERS, api_version, kind, |d| (d.kind, &d.api))
}

/// The budget kind of an object with this `apiVersion` and `kind`, if it is one.
pub(crate) fn budget(api_version: Option<&str>, kind: Option<&str>) -> Option<&'static Budget> {
    find(BUDGETS, api_version, kind, |b| (b.kind, &b.api))
}

/// The autoscaler kind of an object with this `apiVersion` and `kind`, if it is one.
pub(crate) fn autoscaler(api_version: Option<&str>, kind: Option<&str>) -> Option<&'static Autoscaler> {
    find(AUTOSCALERS, api_version, kind, |a| (a.kind, &a.api))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workload(api_version: &str, kind: &str) -> Option<&'static Workload> {
        super::workload(Some(api_version), Some(kind))
    }

    #[test]
    fn kinds_match_by_group_and_version() {
        assert_eq!(workload("apps/v1", "Deployment").map(|w| w.kind), Some("Deployment"));
        assert_eq!(workload("extensions/v1beta1", "Deployment").map(|w| w.kind), Some("Deployment"));
        assert!(workload("v1", "Deployment").is_none());
        assert!(workload("apps.kruise.io/v1alpha1", "CloneSet").is_some());
        assert!(workload("apps.kruise.io/v1beta1", "CloneSet").is_none(), "v1beta1 has another layout");
        assert!(claim(Some("v1"), Some("PersistentVolumeClaim")).is_some());
        assert!(autoscaler(Some("keda.sh/v1alpha1"), Some("ScaledObject")).is_some());
        assert!(volume(Some("v1"), Some("ConfigMap")).is_none());
    }

    #[test]
    fn every_kind_is_listed_once() {
        let mut seen = std::collections::HashSet::new();
        for w in WORKLOADS {
            for g in w.api.groups {
                assert!(seen.insert((w.kind, *g)), "{} in group {g:?} twice", w.kind);
            }
        }
    }
}
