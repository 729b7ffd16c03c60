//! The facts the reader gathers about each Kubernetes object, and the small span tree used for
//! the one subtree rwo-guard edits (`spec.strategy`).
//!
//! Everything here is plain data with positions into the input; nothing refers back to the
//! parser. Analysis (`analyze.rs`) reads these facts; the rewriter (`rewrite.rs`) uses the spans.

use crate::yaml::{Pos, ScalarStyle, Span};

/// A captured YAML node with its exact extent in the input.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// What the node holds.
    pub kind: NodeKind,
    /// From the first byte of the node's content to the byte after its last one. For block
    /// collections this ends at the end of their last child.
    pub span: Span,
    /// The node defines an anchor (`&a`): something else may refer to it.
    pub anchored: bool,
    /// The node carries an explicit tag (`!!map`, `!x`).
    pub tagged: bool,
}

/// The content of a [`Node`].
#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// A scalar and how it was written.
    Scalar {
        /// The value after escape processing.
        value: String,
        /// Quoting or block style.
        style: ScalarStyle,
    },
    /// A mapping, in source order.
    Map {
        /// Key/value pairs.
        entries: Vec<Entry>,
        /// Written as `{ … }`.
        flow: bool,
    },
    /// A sequence.
    Seq {
        /// The items.
        items: Vec<Node>,
        /// Written as `[ … ]`.
        flow: bool,
    },
    /// An alias (`*a`): never expanded.
    Alias,
}

/// One key/value pair of a mapping.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The key node.
    pub key: Node,
    /// The value node.
    pub value: Node,
}

impl Node {
    /// The scalar's text if this is a scalar.
    pub fn as_scalar(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    /// Whether this is a YAML null (`~`, `null`, or nothing at all, written plain).
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, NodeKind::Scalar { value, style }
            if style.is_plain() && matches!(value.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// The value under `key` if this is a mapping with scalar keys.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// The entry under `key` if this is a mapping.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.kind {
            NodeKind::Map { entries, .. } => entries.iter().find(|e| e.key.as_scalar() == Some(key)),
            _ => None,
        }
    }
}

/// A scalar read from an object, with where it was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scalar {
    /// Its value.
    pub value: String,
    /// Whether it was written plain (so `2` is an int, `"2"` a string).
    pub plain: bool,
    /// Where it starts.
    pub pos: Pos,
}

/// Which pod template a volume belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PodSpecAt {
    /// `spec.volumes` (a bare Pod).
    Spec,
    /// `spec.template.spec.volumes` (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job…).
    Template,
    /// `spec.jobTemplate.spec.template.spec.volumes` (CronJob).
    JobTemplate,
}

impl PodSpecAt {
    /// The field path of the volumes list.
    pub fn volumes_path(self) -> &'static str {
        match self {
            PodSpecAt::Spec => "spec.volumes",
            PodSpecAt::Template => "spec.template.spec.volumes",
            PodSpecAt::JobTemplate => "spec.jobTemplate.spec.template.spec.volumes",
        }
    }
}

/// A volume that names a PersistentVolumeClaim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimUse {
    /// Which pod template holds the volume.
    pub at: PodSpecAt,
    /// The volume's index in its list.
    pub index: usize,
    /// The volume's name, if given.
    pub volume: Option<String>,
    /// `persistentVolumeClaim.claimName`, when it is a readable scalar.
    pub claim: Option<Scalar>,
}

impl ClaimUse {
    /// `spec.template.spec.volumes[2].persistentVolumeClaim.claimName`
    pub fn path(&self) -> String {
        format!("{}[{}].persistentVolumeClaim.claimName", self.at.volumes_path(), self.index)
    }
}

/// The keys whose place matters when inserting next to them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyName {
    /// `template` (a new `strategy` goes above it).
    Template,
    /// `items` (a ResourceList's).
    Items,
    /// Any other key.
    Other,
}

impl KeyName {
    /// Which of the names `key` is.
    pub fn of(key: &str) -> KeyName {
        match key {
            "template" => KeyName::Template,
            "items" => KeyName::Items,
            _ => KeyName::Other,
        }
    }
}

/// Where a key of the `spec` mapping (or a document's root) sits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyAt {
    /// Which key, as far as placement cares.
    pub key: KeyName,
    /// The key's span.
    pub span: Span,
    /// The end of its value's content.
    pub value_end: Pos,
}

/// The layout of an object's `spec` mapping.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MapLayout {
    /// Written as `{ … }`.
    pub flow: bool,
    /// The mapping node carries an anchor or tag.
    pub decorated: bool,
    /// Start of the mapping (`{` for flow, first key for block).
    pub start: Pos,
    /// End of its content (`}` included for flow).
    pub end: Pos,
    /// Its keys in order.
    pub keys: Vec<KeyAt>,
}

/// The annotations rwo-guard reads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Annotations {
    /// `rwo-guard.dev/skip`
    pub skip: Option<Scalar>,
    /// `rwo-guard.dev/mode`
    pub mode: Option<Scalar>,
    /// `internal.config.kubernetes.io/previousNames` (kustomize's rename history).
    pub previous_names: Vec<String>,
    /// `internal.config.kubernetes.io/previousNamespaces`.
    pub previous_namespaces: Vec<String>,
    /// `config.kubernetes.io/path` (or its legacy `internal.` form).
    pub path: Option<String>,
    /// `config.kubernetes.io/index` (or its legacy `internal.` form).
    pub index: Option<String>,
}

/// The `scaleTargetRef` of an autoscaler.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScaleTarget {
    /// `apiVersion`
    pub api_version: Option<String>,
    /// `kind`
    pub kind: Option<String>,
    /// `name`
    pub name: Option<String>,
}

/// A field rwo-guard reads but could not read, with why (an alias, a non-scalar…).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unreadable {
    /// The field path.
    pub field: String,
    /// Why.
    pub reason: String,
    /// Where.
    pub pos: Pos,
}

/// Everything rwo-guard knows about one object of the bundle.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Object {
    /// 0-based position among the bundle's objects.
    pub ordinal: usize,
    /// The document it is in (1-based).
    pub document: usize,
    /// Its index in the `items` of a ResourceList or List.
    pub item: Option<usize>,
    /// The object's node extent.
    pub span: Span,
    /// Column of the object's top-level keys.
    pub key_col: usize,
    /// `apiVersion`
    pub api_version: Option<String>,
    /// `kind`
    pub kind: Option<String>,
    /// `metadata.name`
    pub name: Option<String>,
    /// `metadata.namespace`
    pub namespace: Option<String>,
    /// Selected annotations (boxed: most objects have none of them).
    pub annotations: Option<Box<Annotations>>,
    /// `spec.replicas`
    pub replicas: Option<Scalar>,
    /// Layout of `spec`, when it is a mapping.
    pub spec: Option<MapLayout>,
    /// The `strategy` key inside `spec`, when present.
    pub strategy_key: Option<Span>,
    /// The value of `spec.strategy`, when present.
    pub strategy: Option<Box<Node>>,
    /// Facts only some kinds have (boxed to keep every object small).
    pub extra: Option<Box<Extra>>,
    /// Volumes that name a claim.
    pub claims: Vec<ClaimUse>,
    /// Hash of every event of the object except `spec.strategy` (key and value).
    pub fingerprint: u64,
}

/// Facts of PersistentVolumeClaims, autoscalers and Jobs, and fields that could not be read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Extra {
    /// `spec.accessModes` (PersistentVolumeClaim).
    pub access_modes: Option<Vec<String>>,
    /// `spec.scaleTargetRef` (HorizontalPodAutoscaler, KEDA ScaledObject).
    pub scale_target: Option<ScaleTarget>,
    /// `spec.minReplicas` / `spec.minReplicaCount`
    pub min_replicas: Option<Scalar>,
    /// `spec.maxReplicas` / `spec.maxReplicaCount`
    pub max_replicas: Option<Scalar>,
    /// `spec.parallelism` (Job) or `spec.jobTemplate.spec.parallelism` (CronJob).
    pub parallelism: Option<Scalar>,
    /// `spec.concurrencyPolicy` (CronJob).
    pub concurrency_policy: Option<Scalar>,
    /// Fields that could not be read.
    pub unreadable: Vec<Unreadable>,
}

static NO_EXTRA: Extra = Extra {
    access_modes: None,
    scale_target: None,
    min_replicas: None,
    max_replicas: None,
    parallelism: None,
    concurrency_policy: None,
    unreadable: Vec::new(),
};

static NO_ANNOTATIONS: Annotations = Annotations {
    skip: None,
    mode: None,
    previous_names: Vec::new(),
    previous_namespaces: Vec::new(),
    path: None,
    index: None,
};

/// Where an object is, for messages: `document 3`, `document 1, items[2]`.
pub fn location(document: usize, item: Option<usize>) -> String {
    match item {
        Some(item) => format!("document {document}, items[{item}]"),
        None => format!("document {document}"),
    }
}

impl Object {
    /// Where the object is: `document 3`, `document 1, items[2]`.
    pub fn label(&self) -> String {
        location(self.document, self.item)
    }

    /// The kind-specific facts (empty when none were read).
    pub fn extra(&self) -> &Extra {
        self.extra.as_deref().unwrap_or(&NO_EXTRA)
    }

    /// The kind-specific facts, for filling in.
    pub fn extra_mut(&mut self) -> &mut Extra {
        self.extra.get_or_insert_with(Box::default)
    }

    /// The annotations rwo-guard reads (empty when none were present).
    pub fn annotations(&self) -> &Annotations {
        self.annotations.as_deref().unwrap_or(&NO_ANNOTATIONS)
    }

    /// The annotations, for filling in.
    pub fn annotations_mut(&mut self) -> &mut Annotations {
        self.annotations.get_or_insert_with(Box::default)
    }

    /// `kind namespace/name` for messages.
    pub fn display(&self) -> String {
        let kind = self.kind.as_deref().unwrap_or("object");
        let name = self.name.as_deref().unwrap_or("(unnamed)");
        match self.namespace.as_deref() {
            Some(ns) if !ns.is_empty() => format!("{kind} {ns}/{name}"),
            _ => format!("{kind} {name}"),
        }
    }

    /// The API group of `apiVersion` (`""` for the core group).
    pub fn group(&self) -> &str {
        match self.api_version.as_deref() {
            Some(v) => v.rsplit_once('/').map_or("", |(g, _)| g),
            None => "",
        }
    }

    /// The namespace, `""` when unset: objects without one share one namespace.
    pub fn ns(&self) -> &str {
        self.namespace.as_deref().unwrap_or("")
    }

    /// Whether `kind` equals `k`.
    pub fn is_kind(&self, k: &str) -> bool {
        self.kind.as_deref() == Some(k)
    }
}
