//! The facts the reader gathers about each Kubernetes object, and the small span tree kept for
//! the subtrees rwo-guard edits (rollout strategies).
//!
//! Everything here is plain data with positions into the input; nothing refers back to the
//! parser. The facts (`facts.rs`) and the rules read them; the rewriter (`rewrite.rs`) uses the spans.

use std::sync::Arc;

use crate::kinds::{self, Autoscaler, Budget, Claim, Class, Driver, PodsAt, Volume, Workload};
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

/// A volume that names a PersistentVolumeClaim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimUse {
    /// Which pod template holds the volume.
    pub at: PodsAt,
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
    /// The mapping node defines an anchor.
    pub anchored: bool,
    /// Start of the mapping (`{` for flow, first key for block).
    pub start: Pos,
    /// End of its content (`}` included for flow).
    pub end: Pos,
    /// Its keys in order.
    pub keys: Vec<KeyAt>,
}

/// A scalar field the reader keeps: what a value means to rwo-guard. Where each is read from is
/// declared once, in `schema.rs` (from the kinds in `kinds.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScalarField {
    /// `apiVersion`
    ApiVersion,
    /// `kind`
    Kind,
    /// `metadata.name`
    Name,
    /// `metadata.namespace`
    Namespace,
    /// Annotation `rwo-guard.dev/skip`.
    SkipAnnotation,
    /// Annotation `rwo-guard.dev/mode`.
    ModeAnnotation,
    /// Annotation `internal.config.kubernetes.io/previousNames` (kustomize's rename history,
    /// comma-separated).
    PreviousNames,
    /// Annotation `internal.config.kubernetes.io/previousNamespaces`.
    PreviousNamespaces,
    /// Annotation `config.kubernetes.io/path` (or its `internal.` form).
    PathAnnotation,
    /// Annotation `config.kubernetes.io/index` (or its `internal.` form).
    IndexAnnotation,
    /// Annotation `config.kubernetes.io/origin` (kustomize's `buildMetadata: [originAnnotations]`:
    /// a YAML text naming the file the object came from).
    OriginAnnotation,
    /// Annotation `ignore-check.rwo-guard.dev/<rule>`: the rule's place in `rules::ALL`
    /// (its value is the reason).
    IgnoreCheck(u8),
    /// A workload's replica count.
    Replicas,
    /// The most replicas an autoscaler may scale to.
    MaxReplicas,
    /// A Job's (or a CronJob's job template's) parallelism.
    Parallelism,
    /// A CronJob's concurrency policy.
    ConcurrencyPolicy,
    /// One of a claim's access modes.
    AccessMode,
    /// An autoscaler's target `apiVersion`.
    TargetApiVersion,
    /// An autoscaler's target `kind`.
    TargetKind,
    /// An autoscaler's target `name`.
    TargetName,
    /// A volume's `name`.
    VolumeName,
    /// A volume's `persistentVolumeClaim.claimName`.
    ClaimName,
    /// A pod's `nodeSelector` on `kubernetes.io/hostname`.
    NodeSelectorHost,
    /// A node selector requirement's `key`.
    RequirementKey,
    /// A node selector requirement's `operator`.
    RequirementOperator,
    /// One of a node selector requirement's `values`.
    RequirementValue,
    /// A claim's `spec.volumeName`: the PersistentVolume it is bound to.
    BoundVolume,
    /// A PersistentVolume's `spec.claimRef.name`.
    ClaimRefName,
    /// A PersistentVolume's `spec.claimRef.namespace`.
    ClaimRefNamespace,
    /// An owner reference's `kind`.
    OwnerKind,
    /// An owner reference's `name`.
    OwnerName,
    /// An owner reference's `controller`.
    OwnerController,
    /// A claim's or a PersistentVolume's `spec.storageClassName`.
    StorageClass,
    /// Annotation `volume.beta.kubernetes.io/storage-class` (a claim's class, before
    /// `storageClassName`; the API still honours it first).
    ClassAnnotation,
    /// A claim's `spec.volumeMode`.
    VolumeMode,
    /// A PersistentVolume's `spec.csi.driver`.
    Driver,
    /// A PersistentVolume's `spec.local.path`.
    LocalPath,
    /// A StorageClass's `provisioner`.
    Provisioner,
    /// A StorageClass's `volumeBindingMode`.
    BindingMode,
    /// Annotation `storageclass.kubernetes.io/is-default-class` (or its beta form).
    DefaultClass,
    /// A CSIDriver's `spec.fsGroupPolicy`.
    FsGroupPolicy,
    /// A PodDisruptionBudget's `spec.minAvailable`.
    MinAvailable,
    /// A PodDisruptionBudget's `spec.maxUnavailable`.
    MaxUnavailable,
    /// A pod's `securityContext.fsGroup`.
    FsGroup,
    /// A pod's `securityContext.fsGroupChangePolicy`.
    FsGroupChangePolicy,
    /// A pod's `nodeSelector` on a zone or region label.
    NodeSelectorTopology,
    /// One of a pod template's labels (kept in [`Packed::labels`]).
    PodLabel,
    /// One of a label selector's `matchLabels` (kept in [`Selector::match_labels`]).
    MatchLabel,
    /// A label selector requirement's `key`.
    SelectorKey,
    /// A label selector requirement's `operator`.
    SelectorOperator,
    /// One of a label selector requirement's `values`.
    SelectorValue,
}

impl ScalarField {
    /// Whether the field is kept packed in an object's [`Packed`] facts (the storage-aware
    /// rules' fields: most objects have none, and a workload's are read only when it mounts an
    /// exclusive claim) rather than as a [`Scalar`] in `Object::values`.
    pub fn packed(self) -> bool {
        PACKED.contains(&self)
    }
}

/// The fields kept in [`Packed`] facts; an entry's tag is its place here.
const PACKED: &[ScalarField] = &[
    ScalarField::StorageClass,
    ScalarField::ClassAnnotation,
    ScalarField::VolumeMode,
    ScalarField::Driver,
    ScalarField::LocalPath,
    ScalarField::Provisioner,
    ScalarField::BindingMode,
    ScalarField::DefaultClass,
    ScalarField::FsGroupPolicy,
    ScalarField::MinAvailable,
    ScalarField::MaxUnavailable,
    ScalarField::FsGroup,
    ScalarField::FsGroupChangePolicy,
    ScalarField::NodeSelectorTopology,
];

/// The separator of [`Packed`] entries: no value kept there may hold it.
const NUL: char = '\0';

/// The tag of a pod template label's entry in [`Packed`] facts.
const LABEL: char = '#';

/// An object's storage facts, packed into one string (one allocation per object that has
/// any): pod template labels as `# key NUL value NUL`, each other field as its tag (its place
/// in `PACKED`, from `a`), `p` (written plain) or `q`, then `value NUL`, in input order. The
/// reader builds it ([`Packed::push_label`], [`Packed::push_value`]); the rules read it through
/// [`Object::packed`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Packed<'a>(&'a str);

/// A value kept in [`Packed`] facts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PackedValue<'a> {
    /// Its value.
    pub value: &'a str,
    /// Whether it was written plain (so `2` is an int, `"2"` a string).
    pub plain: bool,
}

impl PackedValue<'_> {
    /// A count written as a plain integer (`3`; `"3"` is a string the API rejects).
    pub fn int(&self) -> Option<i64> {
        self.value.parse().ok().filter(|_| self.plain)
    }
}

/// The tag of `field`'s entries, if it is kept packed.
fn tag(field: ScalarField) -> Option<char> {
    let i = PACKED.iter().position(|f| *f == field)?;
    u8::try_from(i).ok().map(|i| char::from(b'a' + i))
}

impl<'a> Packed<'a> {
    /// Adds a pod template label to `buf`; `false` (nothing added) when its key or value holds
    /// a NUL, which no label may.
    pub fn push_label(buf: &mut String, key: &str, value: &str) -> bool {
        if key.contains(NUL) || value.contains(NUL) {
            return false;
        }
        buf.push(LABEL);
        for part in [key, value] {
            buf.push_str(part);
            buf.push(NUL);
        }
        true
    }

    /// Adds a value of `field` (one of `PACKED`) to `buf`; `false` (nothing added) when it
    /// holds a NUL or the field is not kept packed.
    pub fn push_value(buf: &mut String, field: ScalarField, value: &str, plain: bool) -> bool {
        let Some(tag) = tag(field).filter(|_| !value.contains(NUL)) else { return false };
        buf.push(tag);
        buf.push(if plain { 'p' } else { 'q' });
        buf.push_str(value);
        buf.push(NUL);
        true
    }

    /// The entries: (tag, key, value) for a label, (tag, `p` or `q`, value) for a field.
    fn entries(self) -> impl Iterator<Item = (char, &'a str, &'a str)> + Clone {
        let mut rest = self.0;
        std::iter::from_fn(move || {
            let tag = rest.chars().next()?;
            let (first, tail) = rest[tag.len_utf8()..].split_once(NUL)?;
            if tag == LABEL {
                let (value, tail) = tail.split_once(NUL)?;
                rest = tail;
                return Some((tag, first, value));
            }
            rest = tail;
            first.split_at_checked(1).map(|(flag, value)| (tag, flag, value))
        })
    }

    /// The pod template's labels, in input order.
    pub fn labels(self) -> impl Iterator<Item = (&'a str, &'a str)> + Clone {
        self.entries().filter(|(t, _, _)| *t == LABEL).map(|(_, k, v)| (k, v))
    }

    /// The last value of `field` (as the API takes the last of two spellings of one field).
    pub fn value(self, field: ScalarField) -> Option<PackedValue<'a>> {
        let tag = tag(field)?;
        self.entries()
            .filter(|(t, _, _)| *t == tag)
            .last()
            .map(|(_, flag, value)| PackedValue { value, plain: flag == "p" })
    }
}

/// A label selector: every `matchLabels` pair and every requirement must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selector {
    /// `matchLabels`.
    pub match_labels: Vec<(String, String)>,
    /// `matchExpressions`.
    pub expressions: Vec<LabelRequirement>,
}

/// One `matchExpressions` requirement.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelRequirement {
    /// `key`.
    pub key: String,
    /// `operator`: `In`, `NotIn`, `Exists`, `DoesNotExist`.
    pub operator: String,
    /// `values`.
    pub values: Vec<String>,
}

impl Selector {
    /// Whether the selector selects pods labelled `labels`; `None` when a requirement's
    /// operator is not one the API knows (the API rejects the object).
    pub fn matches<'a, I>(&self, labels: &I) -> Option<bool>
    where
        I: Iterator<Item = (&'a str, &'a str)> + Clone,
    {
        let get = |k: &str| labels.clone().filter(|(key, _)| *key == k).last().map(|(_, v)| v);
        let mut all = self.match_labels.iter().all(|(k, v)| get(k) == Some(v.as_str()));
        for r in &self.expressions {
            let value = get(&r.key);
            let holds = match r.operator.as_str() {
                "In" => value.is_some_and(|v| r.values.iter().any(|x| x == v)),
                "NotIn" => value.is_none_or(|v| r.values.iter().all(|x| x != v)),
                "Exists" => value.is_some(),
                "DoesNotExist" => value.is_none(),
                _ => return None,
            };
            all &= holds;
        }
        Some(all)
    }
}

/// A subtree kept whole: a rollout strategy the rewriter may edit.
#[derive(Clone, Debug, PartialEq)]
pub struct Captured {
    /// Its key under `spec` (`strategy`, `updateStrategy`).
    pub key: &'static str,
    /// The key's span.
    pub key_span: Span,
    /// The value.
    pub node: Node,
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

/// An object's identity for the whole run: the input it was read from (0: standard input, or
/// the first file of `-f`) and its 0-based place among that input's objects. Ids order objects
/// as the inputs list them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectId {
    /// The input.
    pub source: usize,
    /// The object's place among the input's objects.
    pub index: usize,
}

/// What few objects have: fields that could not be read, a controller, node affinity.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rare {
    /// Fields that could not be read.
    pub unreadable: Vec<Unreadable>,
    /// The kind and name of its controller (`metadata.ownerReferences` with `controller:
    /// true`): a Deployment's ReplicaSet, a ReplicaSet's Pod, as a cluster lists them.
    pub controller: Option<(String, String)>,
    /// The terms of its required node affinity (a pod's, or a PersistentVolume's), each with
    /// the one node it limits scheduling to, if it names exactly one.
    pub node_terms: Vec<Option<String>>,
    /// Its label selector (a PodDisruptionBudget's).
    pub selector: Option<Box<Selector>>,
    /// Some required node affinity term names a zone, region or node label
    /// (`storage::is_topology_key`).
    pub topology_terms: bool,
}

/// Everything rwo-guard knows about one object of the bundle.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Object {
    /// Which object it is: its input and its place among that input's objects.
    pub id: ObjectId,
    /// The document it is in (1-based).
    pub document: u32,
    /// Its index in the `items` of a ResourceList or List (32 bits, as [`Object::key_col`]:
    /// 35,000 objects of a large bundle carry it, and no input reaches 4 billion items).
    pub item: Option<u32>,
    /// The object's node extent.
    pub span: Span,
    /// Column of the object's top-level keys.
    pub key_col: u32,
    /// `apiVersion` (shared: a bundle names a handful, thousands of times)
    pub api_version: Option<Arc<str>>,
    /// `kind` (shared, as `api_version`)
    pub kind: Option<Arc<str>>,
    /// `metadata.name`
    pub name: Option<String>,
    /// `metadata.namespace` (shared, as `api_version`)
    pub namespace: Option<Arc<str>>,
    /// The other scalar facts, in input order (a fact may repeat: access modes).
    pub values: Vec<(ScalarField, Scalar)>,
    /// Volumes that name a claim.
    pub claims: Vec<ClaimUse>,
    /// Layout of `spec`, when it is a mapping (kept only for objects that mount a claim; boxed:
    /// most objects kept mount none).
    pub spec: Option<Box<MapLayout>>,
    /// Rollout strategies under `spec`, kept whole (only for objects that mount a claim).
    pub rollouts: Vec<Captured>,
    /// `spec`, or a node around it (the object, a List's `items`), defines a YAML anchor: other
    /// nodes may alias it, so nothing inside is edited.
    pub anchored_spec: bool,
    /// An alias in the object names an anchor outside it: the object reads right only inside
    /// its whole document.
    pub external_aliases: bool,
    /// The object's root or `spec` takes fields from a YAML merge key (`<<`): its rollout
    /// strategy may come from there, unread.
    pub merged: bool,
    /// What few objects have (boxed: an object without any of it pays one pointer).
    pub rare: Option<Box<Rare>>,
    /// Its storage facts (classes, provisioners, budgets' limits, a pod template's labels,
    /// fsGroup and zone selectors), packed: see [`Packed`].
    pub packed: Option<Box<str>>,
    /// Hash of every event of the object except its rollout strategies (key and value).
    pub fingerprint: u64,
}

/// The objects of input `source` among `objects` (every input's objects, in id order).
pub fn of_source(objects: &[Object], source: usize) -> &[Object] {
    let from = objects.partition_point(|o| o.id.source < source);
    let to = objects.partition_point(|o| o.id.source <= source);
    &objects[from..to]
}

/// The object `id` among `objects` (every input's objects, in id order).
pub fn object(objects: &[Object], id: ObjectId) -> &Object {
    &of_source(objects, id.source)[id.index]
}

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
        location(self.document as usize, self.item.map(|i| i as usize))
    }

    /// The value of `fact` (the last one read, as the API takes the last of two spellings of
    /// one annotation).
    pub fn value(&self, fact: ScalarField) -> Option<&Scalar> {
        self.values.iter().rev().find(|(f, _)| *f == fact).map(|(_, v)| v)
    }

    /// Every value of `fact`, in input order.
    pub fn values(&self, fact: ScalarField) -> impl Iterator<Item = &Scalar> {
        self.values.iter().filter(move |(f, _)| *f == fact).map(|(_, v)| v)
    }

    /// A comma-separated annotation's items (kustomize's `previousNames`).
    pub fn list(&self, fact: ScalarField) -> impl Iterator<Item = &str> {
        self.value(fact).into_iter().flat_map(|v| v.value.split(','))
    }

    /// The rollout strategy kept under `spec.<key>`.
    pub fn rollout(&self, key: &str) -> Option<&Captured> {
        self.rollouts.iter().find(|c| c.key == key)
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

    /// The namespace, or `default` when it has none.
    pub fn ns_or<'a>(&'a self, default: &'a str) -> &'a str {
        self.namespace.as_deref().filter(|n| !n.is_empty()).unwrap_or(default)
    }

    /// Its workload kind, if it is one.
    pub fn workload(&self) -> Option<&'static Workload> {
        kinds::workload(self.api_version.as_deref(), self.kind.as_deref())
    }

    /// Its claim kind, if it is one.
    pub fn claim(&self) -> Option<&'static Claim> {
        kinds::claim(self.api_version.as_deref(), self.kind.as_deref())
    }

    /// Its volume kind, if it is one.
    pub fn volume(&self) -> Option<&'static Volume> {
        kinds::volume(self.api_version.as_deref(), self.kind.as_deref())
    }

    /// Its autoscaler kind, if it is one.
    pub fn autoscaler(&self) -> Option<&'static Autoscaler> {
        kinds::autoscaler(self.api_version.as_deref(), self.kind.as_deref())
    }

    /// Its class kind (a StorageClass), if it is one.
    pub fn class(&self) -> Option<&'static Class> {
        kinds::class(self.api_version.as_deref(), self.kind.as_deref())
    }

    /// Its driver kind (a CSIDriver), if it is one.
    pub fn driver(&self) -> Option<&'static Driver> {
        kinds::driver(self.api_version.as_deref(), self.kind.as_deref())
    }

    /// Its budget kind (a PodDisruptionBudget), if it is one.
    pub fn budget(&self) -> Option<&'static Budget> {
        kinds::budget(self.api_version.as_deref(), self.kind.as_deref())
    }

    /// Whether it is a fact about the cluster's storage (a class, a driver, a volume): what a
    /// `--cluster` file is read for.
    pub fn storage_fact(&self) -> bool {
        self.class().is_some() || self.driver().is_some() || self.volume().is_some()
    }

    /// Whether analysis needs its facts: workloads, claims, autoscalers, volumes, classes,
    /// drivers and budgets. The reader drops every other object's facts as soon as it has
    /// read it.
    pub fn relevant(&self) -> bool {
        self.workload().is_some()
            || self.claim().is_some()
            || self.autoscaler().is_some()
            || self.storage_fact()
            || self.budget().is_some()
    }

    /// Fields that could not be read.
    pub fn unreadable(&self) -> &[Unreadable] {
        self.rare.as_ref().map_or(&[], |r| &r.unreadable)
    }

    /// The kind and name of its controller, if it names one.
    pub fn controller(&self) -> Option<(&str, &str)> {
        self.rare.as_ref()?.controller.as_ref().map(|(kind, name)| (kind.as_str(), name.as_str()))
    }

    /// The terms of its required node affinity, each with the one node it names, if one.
    pub fn node_terms(&self) -> &[Option<String>] {
        self.rare.as_ref().map_or(&[], |r| &r.node_terms)
    }

    /// Some required node affinity term names a zone, region or node label.
    pub fn topology_terms(&self) -> bool {
        self.rare.as_ref().is_some_and(|r| r.topology_terms)
    }

    /// Its label selector, when it is a budget that has one.
    pub fn selector(&self) -> Option<&Selector> {
        self.rare.as_ref()?.selector.as_deref()
    }

    /// Its packed storage facts (empty when it has none).
    pub fn packed(&self) -> Packed<'_> {
        Packed(self.packed.as_deref().unwrap_or(""))
    }

    /// The value of a field kept packed (a storage fact), the last one read.
    pub fn stored(&self, field: ScalarField) -> Option<PackedValue<'_>> {
        self.packed().value(field)
    }

    /// What few objects have, to add to.
    pub fn rare_mut(&mut self) -> &mut Rare {
        self.rare.get_or_insert_with(Box::default)
    }

    /// Gives back the spare room of the lists read (a `Vec` grows from four: most objects keep
    /// one claim, one strategy and a few keys of `spec`), before the object is kept.
    pub fn shrink_to_fit(&mut self) {
        self.claims.shrink_to_fit();
        self.rollouts.shrink_to_fit();
        if let Some(rare) = &mut self.rare {
            rare.unreadable.shrink_to_fit();
            rare.node_terms.shrink_to_fit();
        }
        if let Some(spec) = &mut self.spec {
            spec.keys.shrink_to_fit();
        }
    }

    /// Whether `kind` equals `k`.
    pub fn is_kind(&self, k: &str) -> bool {
        self.kind.as_deref() == Some(k)
    }
}

/// `n` in 32 bits, saturating (a place or column no input of the size limits reaches).
pub(crate) fn small(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_facts_are_read_back() {
        let mut buf = String::new();
        assert!(Packed::push_label(&mut buf, "app", "db"));
        assert!(Packed::push_value(&mut buf, ScalarField::MinAvailable, "1", true));
        assert!(Packed::push_label(&mut buf, "tier", ""));
        assert!(Packed::push_value(&mut buf, ScalarField::MinAvailable, "50%", false));
        assert!(!Packed::push_label(&mut buf, "bad\0key", "x"), "a NUL is refused");
        assert!(!Packed::push_value(&mut buf, ScalarField::Provisioner, "a\0b", true), "a NUL is refused");
        assert!(!Packed::push_value(&mut buf, ScalarField::Replicas, "1", true), "not a packed field");
        let p = Packed(&buf);
        assert_eq!(p.labels().collect::<Vec<_>>(), [("app", "db"), ("tier", "")]);
        assert_eq!(p.value(ScalarField::MinAvailable), Some(PackedValue { value: "50%", plain: false }));
        assert_eq!(p.value(ScalarField::Provisioner), None);
        assert_eq!(PackedValue { value: "1", plain: true }.int(), Some(1));
        assert_eq!(PackedValue { value: "1", plain: false }.int(), None);
        let selector = Selector {
            match_labels: vec![("app".into(), "db".into())],
            expressions: vec![LabelRequirement { key: "tier".into(), operator: "Exists".into(), values: vec![] }],
        };
        assert_eq!(selector.matches(&p.labels()), Some(true));
        let unknown = Selector {
            expressions: vec![LabelRequirement { key: "a".into(), operator: "Gt".into(), values: vec![] }],
            ..Selector::default()
        };
        assert_eq!(unknown.matches(&p.labels()), None);
    }
}
