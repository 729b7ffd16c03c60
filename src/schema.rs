//! The schema: every field the reader keeps, declared once as (path, role), from which the
//! walker's decisions derive (which subtrees to enter, what shape each node must have, where
//! each value goes). Everything else in the input is skipped while being hashed.
//!
//! The paths come from two places: the fields every object has (below, in [`declarations`])
//! and the fields the kinds of `kinds.rs` say they keep (where pods, replicas, rollouts, access
//! modes and autoscaler targets are). The declarations are built once into a trie of
//! [`SchemaNode`]s; a node's role decides what the walker does there.

use std::sync::OnceLock;

use crate::kinds::{self, PodsAt, Rollout, Scale};
use crate::model::ScalarField;
use crate::storage;

/// What a node of the input means to the reader.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// A mapping on the way to fields below (`metadata`, `spec.template`).
    Map,
    /// An object's `spec`: a mapping whose key positions are kept (a missing strategy is
    /// inserted among them).
    Spec,
    /// The root mapping of an object: at the top of a document (`top`) or an item of a List
    /// or ResourceList.
    Object {
        /// At the top of a document (it may be a List or ResourceList).
        top: bool,
    },
    /// One scalar, kept as this fact.
    Value(ScalarField),
    /// A sequence of scalars, each kept as this fact.
    Values(ScalarField),
    /// A pod's `volumes` list.
    Volumes(PodsAt),
    /// One volume (its name and claim are kept together).
    Volume,
    /// A volume's `persistentVolumeClaim`.
    ClaimSource,
    /// A list of node selector terms (required node affinity: any one term must match).
    NodeTerms,
    /// One node selector term (all its requirements must match).
    NodeTerm,
    /// A term's `matchExpressions` or `matchFields`.
    Requirements,
    /// One requirement: `key`, `operator`, `values`.
    Requirement,
    /// A mapping of labels (a pod template's, a selector's `matchLabels`): every key is kept
    /// with its value, as this fact.
    Labels(ScalarField),
    /// A label selector (its presence matters: an empty one selects every pod).
    Selector,
    /// A label selector's `matchExpressions`.
    LabelRequirements,
    /// One label selector requirement: `key`, `operator`, `values`.
    LabelRequirement,
    /// `metadata.ownerReferences`.
    OwnerRefs,
    /// One owner reference: `kind`, `name`, `controller`.
    OwnerRef,
    /// A subtree kept whole (a rollout strategy the rewriter may edit): left out of the
    /// object's fingerprint, key and value.
    Capture(&'static str),
    /// The `items` of a List or ResourceList.
    Items,
    /// A ResourceList's `functionConfig`: its place is kept, its content skipped.
    FunctionConfig,
    /// A ResourceList's `results`: its place is kept, its content skipped and left out of the
    /// document's fingerprint (rwo-guard appends to it).
    Results,
}

impl Role {
    /// Whether the node must be a mapping to be read.
    pub(crate) fn wants_map(self) -> bool {
        matches!(
            self,
            Role::Map
                | Role::Spec
                | Role::Object { .. }
                | Role::Volume
                | Role::ClaimSource
                | Role::NodeTerm
                | Role::Requirement
                | Role::OwnerRef
                | Role::Labels(_)
                | Role::Selector
                | Role::LabelRequirement
        )
    }

    /// Whether the node must be a sequence.
    pub(crate) fn wants_seq(self) -> bool {
        matches!(
            self,
            Role::Values(_)
                | Role::Volumes(_)
                | Role::Items
                | Role::NodeTerms
                | Role::Requirements
                | Role::OwnerRefs
                | Role::LabelRequirements
        )
    }
}

/// A node of the schema trie.
#[derive(Debug)]
pub(crate) struct SchemaNode {
    /// What it means.
    pub role: Role,
    /// Its mapping keys that matter.
    children: Vec<(&'static str, Id)>,
    /// What its sequence items are.
    item: Option<Id>,
    /// What the value of any other key is (a labels mapping's).
    any: Option<Id>,
    /// One bit per child key ([`key_bit`]): most keys that are not children are rejected
    /// without comparing strings (a `spec` has a child for every kind's fields).
    filter: u64,
}

/// A key's bit in a node's [`SchemaNode::filter`], from its length and first byte.
fn key_bit(key: &str) -> u64 {
    let first = key.as_bytes().first().copied().unwrap_or(0);
    1 << ((key.len().wrapping_mul(7) ^ usize::from(first)) & 63)
}

/// A node's index in the schema.
pub(crate) type Id = u16;

/// The schema trie.
#[derive(Debug)]
pub(crate) struct Schema {
    nodes: Vec<SchemaNode>,
}

/// The root of a document (an object that may be a List or ResourceList).
pub(crate) const TOP: Id = 0;
/// The root of an object that is an item of a List or ResourceList (or read alone).
pub(crate) const ITEM: Id = 1;

impl Schema {
    /// The schema, built on first use.
    pub(crate) fn get() -> &'static Schema {
        static SCHEMA: OnceLock<Schema> = OnceLock::new();
        SCHEMA.get_or_init(|| Schema::build(&declarations()))
    }

    /// The node `id`.
    pub(crate) fn node(&self, id: Id) -> &SchemaNode {
        &self.nodes[usize::from(id)]
    }

    /// The role of `id`.
    pub(crate) fn role(&self, id: Id) -> Role {
        self.node(id).role
    }

    /// The child under mapping key `key`, if it matters.
    pub(crate) fn child(&self, id: Id, key: &str) -> Option<Id> {
        let node = self.node(id);
        if node.filter & key_bit(key) == 0 {
            return node.any;
        }
        node.children.iter().find(|(k, _)| *k == key).map(|&(_, c)| c).or(node.any)
    }

    /// What the items of the sequence `id` are, if they matter.
    pub(crate) fn item(&self, id: Id) -> Option<Id> {
        self.node(id).item
    }

    fn build(declarations: &[(Vec<&'static str>, Role)]) -> Schema {
        let mut schema = Schema {
            nodes: vec![
                SchemaNode { role: Role::Object { top: true }, children: Vec::new(), item: None, any: None, filter: 0 },
                SchemaNode {
                    role: Role::Object { top: false },
                    children: Vec::new(),
                    item: None,
                    any: None,
                    filter: 0,
                },
            ],
        };
        for (path, role) in declarations {
            for root in [TOP, ITEM] {
                if let Some((&"@top", rest)) = path.split_first() {
                    if root == TOP {
                        schema.declare(root, rest, *role);
                    }
                } else {
                    schema.declare(root, path, *role);
                }
            }
        }
        // A List's or ResourceList's items are objects.
        if let Some(items) = schema.child(TOP, "items") {
            schema.nodes[usize::from(items)].item = Some(ITEM);
        }
        schema
    }

    /// Adds `path` below `root` with `role`; the nodes on the way are mappings (`[]` steps
    /// into a sequence's items). Declaring one path with two roles is a bug in the
    /// declarations: the first stays (a unit test checks there is none). `*` stands for any
    /// other key of a mapping.
    fn declare(&mut self, root: Id, path: &[&'static str], role: Role) {
        let mut at = root;
        for (n, step) in path.iter().enumerate() {
            let last = n + 1 == path.len();
            let want = if last { role } else { Role::Map };
            let existing = match *step {
                "[]" => self.node(at).item,
                "*" => self.node(at).any,
                _ => self.node(at).children.iter().find(|(k, _)| k == step).map(|&(_, c)| c),
            };
            at = match existing {
                Some(id) => {
                    if last && self.role(id) == Role::Map && role != Role::Map {
                        self.nodes[usize::from(id)].role = role;
                    }
                    id
                }
                None => {
                    let id = Id::try_from(self.nodes.len()).unwrap_or(Id::MAX);
                    self.nodes.push(SchemaNode { role: want, children: Vec::new(), item: None, any: None, filter: 0 });
                    let node = &mut self.nodes[usize::from(at)];
                    match *step {
                        "[]" => node.item = Some(id),
                        "*" => node.any = Some(id),
                        _ => {
                            node.children.push((step, id));
                            node.filter |= key_bit(step);
                        }
                    }
                    id
                }
            };
        }
    }
}

/// Every field the reader keeps, as (path, role). A path starting with `@top` exists only at
/// the top of a document; `[]` steps into a sequence's items.
pub(crate) fn declarations() -> Vec<(Vec<&'static str>, Role)> {
    let mut d: Vec<(Vec<&'static str>, Role)> = vec![
        (vec!["apiVersion"], Role::Value(ScalarField::ApiVersion)),
        (vec!["kind"], Role::Value(ScalarField::Kind)),
        (vec!["metadata", "name"], Role::Value(ScalarField::Name)),
        (vec!["metadata", "namespace"], Role::Value(ScalarField::Namespace)),
        (vec!["spec"], Role::Spec),
        (vec!["metadata", "ownerReferences"], Role::OwnerRefs),
        (vec!["metadata", "ownerReferences", "[]"], Role::OwnerRef),
        (vec!["metadata", "ownerReferences", "[]", "kind"], Role::Value(ScalarField::OwnerKind)),
        (vec!["metadata", "ownerReferences", "[]", "name"], Role::Value(ScalarField::OwnerName)),
        (vec!["metadata", "ownerReferences", "[]", "controller"], Role::Value(ScalarField::OwnerController)),
        (vec!["@top", "items"], Role::Items),
        (vec!["@top", "functionConfig"], Role::FunctionConfig),
        (vec!["@top", "results"], Role::Results),
    ];
    for (key, fact) in ANNOTATIONS {
        d.push((vec!["metadata", "annotations", key], Role::Value(*fact)));
    }
    for (i, key) in crate::rule_ids::ignore_annotations().iter().enumerate() {
        let fact = ScalarField::IgnoreCheck(u8::try_from(i).unwrap_or(u8::MAX));
        d.push((vec!["metadata", "annotations", key], Role::Value(fact)));
    }
    let mut pods: Vec<PodsAt> = Vec::new();
    for w in kinds::WORKLOADS {
        if !pods.contains(&w.pods) {
            pods.push(w.pods);
        }
        match w.scale {
            Scale::Replicas(p) => d.push((p.to_vec(), Role::Value(ScalarField::Replicas))),
            Scale::Job { parallelism } => d.push((parallelism.to_vec(), Role::Value(ScalarField::Parallelism))),
            Scale::CronJob { parallelism, concurrency } => {
                d.push((parallelism.to_vec(), Role::Value(ScalarField::Parallelism)));
                d.push((concurrency.to_vec(), Role::Value(ScalarField::ConcurrencyPolicy)));
            }
            Scale::PerNode | Scale::One => {}
        }
        match w.rollout {
            Rollout::Rewrite(layout) => d.push((vec!["spec", layout.key], Role::Capture(layout.key))),
            Rollout::Argo { key } => d.push((vec!["spec", key], Role::Capture(key))),
            Rollout::Fixed => {}
        }
    }
    for at in pods {
        pod_fields(&mut d, at);
    }
    claim_fields(&mut d);
    d
}

/// The fields of a pod template at `at`: the node or zone it is pinned to, its fsGroup, its
/// labels, its volumes and claims.
fn pod_fields(d: &mut Vec<(Vec<&'static str>, Role)>, at: PodsAt) {
    let pod = || at.path().iter().copied();
    d.push((
        pod().chain(["nodeSelector", "kubernetes.io/hostname"]).collect(),
        Role::Value(ScalarField::NodeSelectorHost),
    ));
    for key in storage::topology_keys().filter(|k| *k != "kubernetes.io/hostname") {
        d.push((pod().chain(["nodeSelector", key]).collect(), Role::Value(ScalarField::NodeSelectorTopology)));
    }
    d.push((pod().chain(["securityContext", "fsGroup"]).collect(), Role::Value(ScalarField::FsGroup)));
    d.push((
        pod().chain(["securityContext", "fsGroupChangePolicy"]).collect(),
        Role::Value(ScalarField::FsGroupChangePolicy),
    ));
    if let Some(labels) = at.labels_path() {
        d.push((labels.to_vec(), Role::Labels(ScalarField::PodLabel)));
        d.push((labels.iter().copied().chain(["*"]).collect(), Role::Value(ScalarField::PodLabel)));
    }
    let affinity: Vec<&str> =
        pod().chain(["affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution"]).collect();
    node_terms(d, &affinity);
    let volumes = || at.path().iter().copied().chain(["volumes"]);
    d.push((volumes().collect(), Role::Volumes(at)));
    d.push((volumes().chain(["[]"]).collect(), Role::Volume));
    d.push((volumes().chain(["[]", "name"]).collect(), Role::Value(ScalarField::VolumeName)));
    d.push((volumes().chain(["[]", "persistentVolumeClaim"]).collect(), Role::ClaimSource));
    d.push((
        volumes().chain(["[]", "persistentVolumeClaim", "claimName"]).collect(),
        Role::Value(ScalarField::ClaimName),
    ));
}

/// The fields of the claims, the volumes bound to them, and the autoscalers' targets.
fn claim_fields(d: &mut Vec<(Vec<&'static str>, Role)>) {
    for v in kinds::VOLUMES {
        node_terms(d, v.node_affinity);
        d.push((v.access_modes.to_vec(), Role::Values(ScalarField::AccessMode)));
        d.push((v.access_modes.iter().copied().chain(["[]"]).collect(), Role::Value(ScalarField::AccessMode)));
        d.push((v.class.to_vec(), Role::Value(ScalarField::StorageClass)));
        d.push((v.driver.to_vec(), Role::Value(ScalarField::Driver)));
        d.push((v.local_path.to_vec(), Role::Value(ScalarField::LocalPath)));
        d.push((v.claim_ref.iter().copied().chain(["name"]).collect(), Role::Value(ScalarField::ClaimRefName)));
        d.push((
            v.claim_ref.iter().copied().chain(["namespace"]).collect(),
            Role::Value(ScalarField::ClaimRefNamespace),
        ));
    }
    for c in kinds::CLAIMS {
        d.push((c.volume_name.to_vec(), Role::Value(ScalarField::BoundVolume)));
        d.push((c.class.to_vec(), Role::Value(ScalarField::StorageClass)));
        d.push((c.volume_mode.to_vec(), Role::Value(ScalarField::VolumeMode)));
        d.push((c.access_modes.to_vec(), Role::Values(ScalarField::AccessMode)));
        d.push((c.access_modes.iter().copied().chain(["[]"]).collect(), Role::Value(ScalarField::AccessMode)));
    }
    storage_fields(d);
    for a in kinds::AUTOSCALERS {
        d.push((a.max.to_vec(), Role::Value(ScalarField::MaxReplicas)));
        for (key, fact) in [
            ("apiVersion", ScalarField::TargetApiVersion),
            ("kind", ScalarField::TargetKind),
            ("name", ScalarField::TargetName),
        ] {
            d.push((a.target.iter().copied().chain([key]).collect(), Role::Value(fact)));
        }
    }
}

/// The fields of the storage classes, the CSI drivers and the disruption budgets.
fn storage_fields(d: &mut Vec<(Vec<&'static str>, Role)>) {
    for c in kinds::CLASSES {
        d.push((c.provisioner.to_vec(), Role::Value(ScalarField::Provisioner)));
        d.push((c.binding_mode.to_vec(), Role::Value(ScalarField::BindingMode)));
    }
    for dr in kinds::DRIVERS {
        d.push((dr.fs_group_policy.to_vec(), Role::Value(ScalarField::FsGroupPolicy)));
    }
    for b in kinds::BUDGETS {
        d.push((b.min_available.to_vec(), Role::Value(ScalarField::MinAvailable)));
        d.push((b.max_unavailable.to_vec(), Role::Value(ScalarField::MaxUnavailable)));
        let selector = || b.selector.iter().copied();
        d.push((selector().collect(), Role::Selector));
        d.push((selector().chain(["matchLabels"]).collect(), Role::Labels(ScalarField::MatchLabel)));
        d.push((selector().chain(["matchLabels", "*"]).collect(), Role::Value(ScalarField::MatchLabel)));
        let req = || selector().chain(["matchExpressions", "[]"]);
        d.push((selector().chain(["matchExpressions"]).collect(), Role::LabelRequirements));
        d.push((req().collect(), Role::LabelRequirement));
        d.push((req().chain(["key"]).collect(), Role::Value(ScalarField::SelectorKey)));
        d.push((req().chain(["operator"]).collect(), Role::Value(ScalarField::SelectorOperator)));
        d.push((req().chain(["values"]).collect(), Role::Values(ScalarField::SelectorValue)));
        d.push((req().chain(["values", "[]"]).collect(), Role::Value(ScalarField::SelectorValue)));
    }
}

/// The node selector terms under `at` (a required node affinity): `at.nodeSelectorTerms[]`
/// with their `matchExpressions` and `matchFields` requirements.
fn node_terms(d: &mut Vec<(Vec<&'static str>, Role)>, at: &[&'static str]) {
    let terms = || at.iter().copied().chain(["nodeSelectorTerms"]);
    d.push((terms().collect(), Role::NodeTerms));
    d.push((terms().chain(["[]"]).collect(), Role::NodeTerm));
    for list in ["matchExpressions", "matchFields"] {
        let req = || terms().chain(["[]", list, "[]"]);
        d.push((terms().chain(["[]", list]).collect(), Role::Requirements));
        d.push((req().collect(), Role::Requirement));
        d.push((req().chain(["key"]).collect(), Role::Value(ScalarField::RequirementKey)));
        d.push((req().chain(["operator"]).collect(), Role::Value(ScalarField::RequirementOperator)));
        d.push((req().chain(["values"]).collect(), Role::Values(ScalarField::RequirementValue)));
        d.push((req().chain(["values", "[]"]).collect(), Role::Value(ScalarField::RequirementValue)));
    }
}

/// The annotations rwo-guard reads, and the fact each is.
pub(crate) const ANNOTATIONS: &[(&str, ScalarField)] = &[
    ("rwo-guard.dev/skip", ScalarField::SkipAnnotation),
    ("rwo-guard.dev/mode", ScalarField::ModeAnnotation),
    ("internal.config.kubernetes.io/previousNames", ScalarField::PreviousNames),
    ("internal.config.kubernetes.io/previousNamespaces", ScalarField::PreviousNamespaces),
    ("config.kubernetes.io/path", ScalarField::PathAnnotation),
    ("internal.config.kubernetes.io/path", ScalarField::PathAnnotation),
    ("config.kubernetes.io/index", ScalarField::IndexAnnotation),
    ("internal.config.kubernetes.io/index", ScalarField::IndexAnnotation),
    ("config.kubernetes.io/origin", ScalarField::OriginAnnotation),
    ("storageclass.kubernetes.io/is-default-class", ScalarField::DefaultClass),
    ("storageclass.beta.kubernetes.io/is-default-class", ScalarField::DefaultClass),
    ("volume.beta.kubernetes.io/storage-class", ScalarField::ClassAnnotation),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(path: &[&str]) -> Option<Id> {
        let s = Schema::get();
        path.iter().try_fold(ITEM, |at, step| if *step == "[]" { s.item(at) } else { s.child(at, step) })
    }

    #[test]
    fn no_path_is_declared_with_two_roles() {
        let mut seen: std::collections::HashMap<Vec<&str>, Role> = std::collections::HashMap::new();
        for (path, role) in declarations() {
            if let Some(before) = seen.insert(path.clone(), role) {
                assert_eq!(before, role, "{path:?} declared as {before:?} and {role:?}");
            }
        }
    }

    #[test]
    fn every_declaration_is_reachable_with_its_role() {
        for (path, role) in declarations() {
            let (root, path) = match path.split_first() {
                Some((&"@top", rest)) => (TOP, rest.to_vec()),
                _ => (ITEM, path),
            };
            let s = Schema::get();
            let id = path.iter().try_fold(root, |at, step| match *step {
                "[]" => s.item(at),
                "*" => s.child(at, "any-label-key"),
                _ => s.child(at, step),
            });
            assert_eq!(id.map(|id| s.role(id)), Some(role), "{path:?}");
        }
    }

    #[test]
    fn the_key_filter_never_hides_a_child() {
        let s = Schema::get();
        for node in &s.nodes {
            for (k, id) in &node.children {
                assert_ne!(node.filter & key_bit(k), 0, "{k}");
                let found = node.children.iter().find(|(c, _)| c == k).map(|&(_, c)| c);
                assert_eq!(found, Some(*id));
            }
        }
        assert_eq!(
            walk(&["spec", "storageClassName"]).map(|id| s.role(id)),
            Some(Role::Value(ScalarField::StorageClass))
        );
        assert!(walk(&["spec", "ports"]).is_none());
    }

    #[test]
    fn the_kinds_table_decides_what_is_read() {
        let s = Schema::get();
        assert_eq!(walk(&["spec", "updateStrategy"]).map(|id| s.role(id)), Some(Role::Capture("updateStrategy")));
        assert_eq!(
            walk(&["spec", "jobTemplate", "spec", "template", "spec", "volumes"]).map(|id| s.role(id)),
            Some(Role::Volumes(PodsAt::JobTemplate))
        );
        assert_eq!(
            walk(&["spec", "accessModes", "[]"]).map(|id| s.role(id)),
            Some(Role::Value(ScalarField::AccessMode))
        );
        assert!(walk(&["spec", "paused"]).is_none());
        assert!(walk(&["items"]).is_none(), "items only at the top of a document");
        assert_eq!(s.child(TOP, "items").map(|id| s.role(id)), Some(Role::Items));
    }
}
