//! The walk over one text's YAML events: a small state machine over the schema's roles.
//!
//! State, each part with one job:
//! - the cursor ([`Frame`]s, one per open mapping or sequence the schema reads, and a depth
//!   counter for subtrees it skips): where we are, which schema node that is, the keys seen;
//! - the capture stack ([`Building`]): a rollout strategy being kept as a node tree;
//! - the open objects ([`Open`]): the facts and fingerprint of each object being read;
//! - the hash pause: rollout strategies and a ResourceList's `results` are left out of
//!   fingerprints (rwo-guard edits them);
//! - the document ([`Doc`]) and what the walk has gathered so far ([`Walked`]).
//!
//! No recursion: deep input costs frames on a heap stack, bounded by the parser's depth limit.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use crate::error::{Fatal, Place};
use crate::fingerprint::Fingerprint;
use crate::kinds::{self, LIST, RESOURCE_LIST};
use crate::model::{
    location, Captured, ClaimUse, Entry, KeyAt, KeyName, LabelRequirement, MapLayout, Node, NodeKind, Object, Packed,
    Scalar, ScalarField, Selector, Unreadable,
};
use crate::schema::{Id, Role, Schema, ITEM, TOP};
use crate::storage;
use crate::yaml::{Event, Events, Pos, ScalarStyle, Span, SyntaxError};

use super::{DocKind, Document, Limits, Region};

/// Whether `o`'s label selector is worth keeping: a budget's, or one whose kind is not read yet.
fn wants_selector(o: &Object) -> bool {
    o.kind.as_deref().is_none_or(|k| kinds::BUDGETS.iter().any(|b| b.kind == k))
}

/// The label selector being read in `o`.
fn selector(o: &mut Object) -> Option<&mut Selector> {
    o.rare.as_mut()?.selector.as_deref_mut()
}

/// The YAML 1.1 merge key, which kubectl resolves (explicit keys win over merged ones).
const MERGE_KEY: &str = "<<";

/// Why the fields a merge key brings in are not read.
const MERGE_NOT_RESOLVED: &str =
    "is a YAML merge key: rwo-guard does not resolve merge keys, so the fields it brings in were not read";

/// Why an alias where a single value belongs cannot be read.
const ALIAS_OF_COLLECTION: &str = "is an alias of a mapping or list, which rwo-guard does not expand";

/// Which part of an input a walker reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Part {
    /// A whole input (or a part of a stream cut at a document marker).
    Whole,
    /// A later part of a ResourceList's items, cut out by the parallel reader and read after
    /// an `items:` line of its own.
    Continuation,
    /// One object standing alone: an edited object re-read by the verifier.
    Alone,
}

/// What one walk gathered.
#[derive(Debug, Default)]
pub(super) struct Walked {
    /// Every document.
    pub documents: Vec<Document>,
    /// Every object kept, in input order.
    pub objects: Vec<Object>,
    /// A ResourceList's `functionConfig`.
    pub function_config: Option<Region>,
    /// A ResourceList's `results`.
    pub results: Option<Region>,
    /// A ResourceList was read.
    pub resource_list: bool,
    /// How many items the first document's `items` held.
    pub first_items: usize,
    /// Every `metadata.namespace` of the input's objects (kept or not).
    pub namespaces: BTreeSet<String>,
}

/// The keys seen in a mapping, to reject duplicates where rwo-guard reads. The first few are
/// kept in the frame itself: most mappings read (metadata, a pod's securityContext, labels)
/// have a handful of keys, and a frame then costs no allocation.
#[derive(Debug, Default)]
struct KeySet<'t> {
    inline: [Option<Cow<'t, str>>; INLINE_KEYS],
    small: Vec<Cow<'t, str>>,
    large: Option<HashSet<Cow<'t, str>>>,
}

/// How many keys a [`KeySet`] holds without allocating.
const INLINE_KEYS: usize = 6;

impl<'t> KeySet<'t> {
    /// Adds `key`; false when it was already there.
    fn insert(&mut self, key: Cow<'t, str>) -> bool {
        if let Some(set) = &mut self.large {
            return set.insert(key);
        }
        for slot in &mut self.inline {
            match slot {
                Some(k) if *k == key => return false,
                Some(_) => {}
                None => {
                    *slot = Some(key);
                    return true;
                }
            }
        }
        if self.small.contains(&key) {
            return false;
        }
        self.small.push(key);
        if self.small.len() + INLINE_KEYS > 16 {
            let mut set: HashSet<Cow<'t, str>> = self.small.drain(..).collect();
            set.extend(self.inline.iter_mut().filter_map(Option::take));
            self.large = Some(set);
        }
        true
    }
}

/// One open collection the schema reads.
#[derive(Debug)]
struct Frame<'t> {
    /// Its schema node.
    node: Id,
    role: Role,
    is_map: bool,
    flow: bool,
    /// Defines an anchor.
    anchored: bool,
    start: Pos,
    /// For maps: the next node is a key.
    expect_key: bool,
    /// For maps: the current key (None for a complex key) and its span.
    key: Option<Cow<'t, str>>,
    key_span: Span,
    /// For maps: the schema node of the current key's value, if it matters.
    child: Option<Id>,
    /// For sequences: index of the next item.
    index: usize,
    keys: KeySet<'t>,
    /// End of the content seen so far.
    last_end: Pos,
    /// Key positions, recorded for `spec` and a document's root.
    layout: Option<Vec<KeyAt>>,
}

/// A scalar or alias event, before deciding whether it is worth a [`Node`].
struct Leaf<'v> {
    span: Span,
    /// The scalar's value (an alias: the anchored scalar it names, if any) and plainness.
    text: Option<(&'v str, bool)>,
    /// `None` for an alias.
    style: Option<ScalarStyle>,
    anchored: bool,
    tagged: bool,
}

impl Leaf<'_> {
    fn node(&self) -> Node {
        let kind = match (self.style, self.text) {
            (Some(style), Some((value, _))) => NodeKind::Scalar { value: value.to_string(), style },
            _ => NodeKind::Alias,
        };
        Node { kind, span: self.span, anchored: self.anchored, tagged: self.tagged }
    }
}

/// A mapping or sequence being captured as a [`Node`].
#[derive(Debug)]
struct Building {
    map: bool,
    flow: bool,
    marks: (bool, bool),
    start: Pos,
    entries: Vec<Entry>,
    items: Vec<Node>,
    pending_key: Option<Node>,
    last_end: Pos,
}

/// Texts that many objects repeat (`apiVersion`, `kind`, `namespace`), kept once: a bundle
/// names a handful of each, thousands of times.
#[derive(Debug, Default)]
struct Shared(HashSet<Arc<str>>);

impl Shared {
    /// How many distinct texts are kept; past that, each is its own copy.
    const MOST: usize = 4096;

    /// The shared copy of `text`.
    fn get(&mut self, text: &str) -> Arc<str> {
        if let Some(s) = self.0.get(text) {
            return Arc::clone(s);
        }
        let s: Arc<str> = Arc::from(text);
        if self.0.len() < Self::MOST {
            self.0.insert(Arc::clone(&s));
        }
        s
    }
}

/// An anchor defined in the current document.
#[derive(Debug)]
struct Anchor {
    /// The anchored scalar's text (`None` for a mapping or sequence).
    text: Option<String>,
    /// The how-many-th anchor of the document it is (from 1).
    seq: usize,
    /// The serial of the innermost object being read where it was defined (0: none).
    owner: usize,
}

/// An object whose facts are being gathered.
#[derive(Debug)]
struct Open {
    object: Object,
    /// A number no other object of the walk has.
    serial: usize,
    /// How many anchors the document had defined when the object began.
    anchors_before: usize,
    fp: Fingerprint,
    /// The volume being read, and whether it has a `persistentVolumeClaim`.
    volume: Option<(ClaimUse, bool)>,
    /// The node selector term being read, and the one node its requirements name so far.
    term: Option<TermNode>,
    /// The node selector requirement being read.
    requirement: Option<Requirement>,
    /// The owner reference being read: kind, name, controller.
    owner: Option<(Option<String>, Option<String>, bool)>,
    /// Where its storage facts start in the walker's `packed` buffer.
    packed_from: usize,
}

/// What a node selector term's requirements say of its node.
#[derive(Debug)]
enum TermNode {
    /// None names one node.
    Any,
    /// All that name one name this one.
    One(String),
    /// Two name different nodes: the term matches none.
    Conflict,
}

/// A node selector requirement as read.
#[derive(Debug, Default)]
struct Requirement {
    key: Option<String>,
    operator: Option<String>,
    values: Vec<String>,
}

impl Requirement {
    /// The one node it limits scheduling to: `kubernetes.io/hostname` (or, in `matchFields`,
    /// `metadata.name`) `In` exactly one value.
    fn node(self) -> Option<String> {
        let on_node = matches!(self.key.as_deref(), Some("kubernetes.io/hostname" | "metadata.name"));
        let mut values = self.values;
        (on_node && self.operator.as_deref() == Some("In") && values.len() == 1).then(|| values.remove(0))
    }
}

/// The current document.
#[derive(Debug, Default)]
struct Doc {
    number: usize,
    start: usize,
    start_pos: Pos,
    fp: Fingerprint,
    root: Option<Box<MapLayout>>,
    root_object: Option<Object>,
    items: Vec<Object>,
    has_items: bool,
    /// Where `items` is something other than a list.
    items_bad: Option<Pos>,
    function_config: Option<Region>,
    results: Option<Region>,
}

/// The walk's state.
pub(super) struct Walker<'t> {
    schema: &'static Schema,
    /// The `apiVersion`s, kinds and namespaces read, one copy each for every object naming them.
    shared: Shared,
    keep: &'t dyn Fn(&Object) -> bool,
    part: Part,
    /// Keep the strategies of objects that mount no claim (a strategic-merge patch that sets
    /// only a strategy is edited where it sets it).
    all_rollouts: bool,
    limits: Limits,
    frames: Vec<Frame<'t>>,
    /// Depth inside a subtree the schema does not read (0: not skipping), and where its
    /// content ends.
    skip_depth: usize,
    skip_end: Pos,
    /// A rollout strategy being captured, its key and the key's span.
    building: Vec<Building>,
    capture_key: Option<(&'static str, Span)>,
    objects: Vec<Open>,
    /// The open objects' storage facts as they are read (`model::Packed`), innermost last: an
    /// object's are copied out once, in one allocation of their size, when it ends.
    packed: String,
    /// Hashing is paused until the value of the key at this frame depth ends.
    paused: Option<usize>,
    /// A `functionConfig` or `results` being skipped: its role, key span, start, and whether a
    /// node in it defines an anchor.
    region: Option<(Role, Span, Pos, bool)>,
    /// The current document's anchors by the parser's id (which counts across the input).
    anchors: HashMap<usize, Anchor>,
    /// The last object serial given.
    serials: usize,
    doc: Doc,
    out: Walked,
}

impl<'t> Walker<'t> {
    pub(super) fn new(limits: Limits, keep: &'t dyn Fn(&Object) -> bool, part: Part) -> Self {
        Walker {
            schema: Schema::get(),
            keep,
            part,
            all_rollouts: false,
            limits,
            frames: Vec::new(),
            skip_depth: 0,
            skip_end: Pos::default(),
            building: Vec::new(),
            shared: Shared::default(),
            capture_key: None,
            objects: Vec::new(),
            packed: String::new(),
            paused: None,
            region: None,
            anchors: HashMap::new(),
            serials: 0,
            doc: Doc::default(),
            out: Walked::default(),
        }
    }

    /// Keeps the strategy of every object, whether it mounts a claim or not.
    pub(super) fn keeping_all_rollouts(mut self) -> Self {
        self.all_rollouts = true;
        self
    }

    /// Walks every event of `events`; the first syntax error or reading problem stops it.
    pub(super) fn walk(mut self, events: Events<'t>) -> Result<Walked, Fatal> {
        for item in events {
            let (event, span) = item.map_err(|e| self.syntax_error(&e))?;
            self.event(&event, span)?;
        }
        Ok(self.out)
    }

    fn event(&mut self, event: &Event<'t>, span: Span) -> Result<(), Fatal> {
        self.define_anchor(event);
        self.look_up_key(event);
        self.hash(event);
        match event {
            Event::DocumentStart { .. } => self.start_document(span),
            Event::DocumentEnd => self.end_document(),
            Event::StreamEnd => Ok(()),
            Event::MappingStart { flow, anchor, tagged } => self.open(true, *flow, (*anchor != 0, *tagged), span),
            Event::SequenceStart { flow, anchor, tagged } => self.open(false, *flow, (*anchor != 0, *tagged), span),
            Event::MappingEnd | Event::SequenceEnd => self.close(span),
            Event::Scalar { value, style, anchor, tagged } => {
                let key = value.clone();
                let leaf = Leaf {
                    span,
                    text: Some((value, style.is_plain())),
                    style: Some(*style),
                    anchored: *anchor != 0,
                    tagged: *tagged,
                };
                self.leaf(&leaf, Some(key))
            }
            Event::Alias { id } => {
                let resolved = self.anchors.get(id).and_then(|a| a.text.clone());
                let leaf = Leaf {
                    span,
                    text: resolved.as_deref().map(|v| (v, true)),
                    style: None,
                    anchored: false,
                    tagged: false,
                };
                self.leaf(&leaf, resolved.clone().map(Cow::Owned))
            }
        }
    }

    /// Before a key is hashed: which schema node its value is, and whether hashing pauses for
    /// it (a rollout strategy, a ResourceList's `results`: key and value are left out).
    fn look_up_key(&mut self, event: &Event<'t>) {
        if self.skip_depth > 0 || !self.building.is_empty() {
            return;
        }
        let key = match event {
            Event::Scalar { value, .. } => Some(value.as_ref()),
            Event::Alias { id } => self.anchors.get(id).and_then(|a| a.text.as_deref()),
            _ => return,
        };
        let depth = self.frames.len();
        let Some(f) = self.frames.last_mut() else { return };
        if !(f.is_map && f.expect_key) {
            return;
        }
        f.child = key.and_then(|k| self.schema.child(f.node, k));
        if matches!(f.child.map(|c| self.schema.role(c)), Some(Role::Capture(_) | Role::Results)) {
            self.paused = Some(depth);
        }
    }

    /// Records an anchor the event defines, with the object it is defined in.
    fn define_anchor(&mut self, event: &Event<'_>) {
        // Only anchored events: the scalar's text is copied for those alone.
        let (id, text) = match event {
            Event::Scalar { value, anchor, .. } if *anchor != 0 => (*anchor, Some(value.to_string())),
            Event::MappingStart { anchor, .. } | Event::SequenceStart { anchor, .. } if *anchor != 0 => (*anchor, None),
            _ => return,
        };
        let owner = self.objects.last().map_or(0, |o| o.serial);
        self.anchors.insert(id, Anchor { text, seq: self.anchors.len() + 1, owner });
        if let Some((_, _, _, anchored)) = &mut self.region {
            *anchored = true;
        }
    }

    /// Adds the event to the fingerprint of the innermost open object (the document's when
    /// none is open), unless hashing is paused. An alias is hashed by a name for its anchor
    /// that does not depend on what came before the object: its place among the object's own
    /// anchors, or, for an anchor outside the object, its scalar text (the object is then
    /// marked: it must be verified inside its whole document).
    fn hash(&mut self, event: &Event<'_>) {
        if self.paused.is_some() || !self.building.is_empty() {
            // Not hashed, but an alias in a part left out (a strategy being captured) to an
            // anchor outside the object still means the object reads only in its document.
            if let Event::Alias { id } = event {
                if self.reaches_outside(*id) {
                    if let Some(o) = self.objects.last_mut() {
                        o.object.external_aliases = true;
                    }
                }
            }
            return;
        }
        if let Event::Alias { id } = event {
            let anchor = self.anchors.get(id);
            let outside = self.reaches_outside(*id);
            let name = match (self.objects.last(), anchor) {
                (Some(o), Some(a)) if !outside => a.seq - o.anchors_before,
                (None, Some(a)) => a.seq,
                _ => 0,
            };
            let text = anchor.and_then(|a| a.text.as_deref()).filter(|_| outside);
            match self.objects.last_mut() {
                Some(o) => {
                    o.object.external_aliases |= outside;
                    o.fp.add(&Event::Alias { id: name });
                    if let Some(t) = text {
                        o.fp.add(&Event::Scalar {
                            value: t.into(),
                            style: ScalarStyle::Plain,
                            anchor: 0,
                            tagged: false,
                        });
                    }
                }
                None => self.doc.fp.add(&Event::Alias { id: name }),
            }
            return;
        }
        match self.objects.last_mut() {
            Some(o) => o.fp.add(event),
            None => self.doc.fp.add(event),
        }
    }

    /// Whether an alias of anchor `id` reaches outside the innermost open object (its anchor is
    /// another object's, the document's, or unknown); `false` when no object is open.
    fn reaches_outside(&self, id: usize) -> bool {
        self.objects.last().is_some_and(|o| self.anchors.get(&id).is_none_or(|a| a.owner != o.serial))
    }

    /// The schema node of the node that starts now (`None`: skipped), given the innermost
    /// frame; at a document's root, the object root.
    fn next_node(&self) -> Option<Id> {
        match self.frames.last() {
            None => Some(if self.part == Part::Alone { ITEM } else { TOP }),
            Some(f) if f.is_map => {
                if f.expect_key {
                    None
                } else {
                    f.child
                }
            }
            Some(f) => self.schema.item(f.node),
        }
    }

    fn start_document(&mut self, span: Span) -> Result<(), Fatal> {
        let number = self.out.documents.len() + 1;
        if number + self.out.objects.len() > self.limits.max_documents {
            return Err(self.too_many(Some(Place {
                offset: span.start.offset,
                line: span.start.line,
                col: span.start.col,
                document: Some(format!("document {number}")),
                field: None,
            })));
        }
        self.doc = Doc { number, start: span.start.offset, start_pos: span.start, ..Doc::default() };
        self.doc.fp.add(&Event::DocumentStart { explicit: false });
        self.anchors.clear();
        Ok(())
    }

    fn too_many(&self, place: Option<Place>) -> Fatal {
        Fatal::Input {
            message: format!("more than {} documents and objects", self.limits.max_documents),
            place,
            hint: Some("raise the limit with --max-documents".into()),
        }
    }

    fn end_document(&mut self) -> Result<(), Fatal> {
        let mut doc = std::mem::take(&mut self.doc);
        let kind = self.document_kind(&doc)?;
        if kind == DocKind::ResourceList {
            self.out.resource_list = true;
            self.out.function_config = doc.function_config.take();
            self.out.results = doc.results.take();
        }
        let (start, root) = (doc.start, doc.root.take());
        let fingerprint = self.keep_objects(kind, doc);
        if self.out.documents.len() + 1 + self.out.objects.len() > self.limits.max_documents {
            return Err(self.too_many(None));
        }
        self.out.documents.push(Document { start, kind, root, fingerprint });
        Ok(())
    }

    /// What the finished document is, from its root object's `apiVersion` and `kind`; a List or
    /// ResourceList whose `items` is not a list, or a ResourceList beside other documents, is
    /// an error.
    fn document_kind(&self, doc: &Doc) -> Result<DocKind, Fatal> {
        let (api_version, kind) =
            doc.root_object.as_ref().map_or((None, None), |o| (o.api_version.as_deref(), o.kind.as_deref()));
        let is_list = LIST.is(api_version, kind);
        let is_resource_list =
            (self.part == Part::Continuation && doc.has_items) || RESOURCE_LIST.is(api_version, kind);
        let at = |pos: Pos, col: usize, field: Option<String>| Place {
            offset: pos.offset,
            line: pos.line,
            col,
            document: Some(format!("document {}", doc.number)),
            field,
        };
        if let (true, Some(pos)) = (is_list || is_resource_list, doc.items_bad) {
            let framing = if is_list { LIST.kind } else { RESOURCE_LIST.kind };
            return Err(Fatal::input_at(
                format!("`items` of a {framing} must be a list of objects"),
                at(pos, pos.col, Some("items".into())),
            ));
        }
        if self.out.resource_list || (is_resource_list && !self.out.documents.is_empty()) {
            let pos = if self.out.resource_list { doc.start_pos } else { Pos { offset: 0, line: 1, col: 0 } };
            return Err(Fatal::Input {
                message: "a ResourceList must be the only document of its input".into(),
                place: Some(at(pos, 0, None)),
                hint: None,
            });
        }
        Ok(if is_resource_list {
            DocKind::ResourceList
        } else if is_list {
            DocKind::List
        } else if doc.root_object.is_some() {
            DocKind::Object
        } else {
            DocKind::Other
        })
    }

    /// Moves the document's objects to the output (its items, or itself when it is one) and
    /// returns the document's fingerprint.
    fn keep_objects(&mut self, kind: DocKind, doc: Doc) -> u64 {
        let root_fp = doc.root_object.as_ref().map_or(0, |o| o.fingerprint);
        match kind {
            DocKind::ResourceList | DocKind::List => {
                if self.out.objects.is_empty() {
                    self.out.objects = doc.items;
                } else {
                    self.out.objects.extend(doc.items);
                }
                doc.fp.value() ^ root_fp.rotate_left(17)
            }
            DocKind::Object => {
                self.out.objects.extend(doc.root_object.filter(|o| (self.keep)(o)));
                doc.fp.value()
            }
            DocKind::Other => {
                self.out.objects.extend(doc.items);
                doc.fp.value()
            }
        }
    }

    fn open(&mut self, map: bool, flow: bool, marks: (bool, bool), span: Span) -> Result<(), Fatal> {
        if !self.building.is_empty() {
            self.building.push(Building::new(map, flow, marks, span.start));
            return Ok(());
        }
        if self.skip_depth > 0 {
            self.skip_depth += 1;
            return Ok(());
        }
        let node = self.next_node();
        let role = node.map(|n| self.schema.role(n));
        match role {
            Some(Role::Capture(_)) => {
                self.building.push(Building::new(map, flow, marks, span.start));
                return Ok(());
            }
            Some(r @ (Role::FunctionConfig | Role::Results)) => {
                self.begin_region(r, span, marks.0);
                self.skip(span);
                return Ok(());
            }
            Some(Role::Items) if map => self.doc.items_bad = Some(span.start),
            _ => {}
        }
        let (Some(node), Some(role)) = (node, role) else {
            self.skip(span);
            return Ok(());
        };
        // A Service's or a Deployment's selector is not a budget's: not worth a frame.
        if role == Role::Selector && self.objects.last().is_some_and(|o| !wants_selector(&o.object)) {
            self.skip(span);
            return Ok(());
        }
        // The root of a document that is a sequence, or a scalar role given a collection.
        if (map && !role.wants_map()) || (!map && !role.wants_seq()) {
            if self.frames.last().is_some() {
                self.unreadable(span.start, Self::shape_problem(role, map));
            }
            self.skip(span);
            return Ok(());
        }
        self.begin(role, flow, span)?;
        self.push_frame(node, role, map, flow, marks, span);
        Ok(())
    }

    fn push_frame(&mut self, node: Id, role: Role, map: bool, flow: bool, marks: (bool, bool), span: Span) {
        if role == Role::Spec && (marks.0 || self.frames.iter().any(|f| f.anchored)) {
            if let Some(o) = self.objects.last_mut() {
                o.object.anchored_spec = true;
            }
        }
        // Key positions: of every `spec` (to insert a strategy), and of a walk's first
        // document's root (where a ResourceList gets its results).
        let layout = (role == Role::Spec || (role == (Role::Object { top: true }) && self.out.documents.is_empty()))
            .then(Vec::new);
        self.frames.push(Frame {
            node,
            role,
            is_map: map,
            flow,
            anchored: marks.0,
            start: span.start,
            expect_key: true,
            key: None,
            key_span: span,
            child: None,
            index: 0,
            keys: KeySet::default(),
            last_end: span.end,
            layout,
        });
    }

    /// Starts skipping the collection opened at `span`.
    fn skip(&mut self, span: Span) {
        self.skip_depth = 1;
        self.skip_end = span.end;
    }

    /// Why a collection cannot be read where `role` is.
    fn shape_problem(role: Role, map: bool) -> &'static str {
        match (role.wants_map(), role.wants_seq(), map) {
            (true, _, false) => "is a list where a mapping was expected",
            (_, true, true) => "is a mapping where a list was expected",
            _ => "is a mapping or list where a single value was expected",
        }
    }

    /// What opening a collection of `role` starts.
    fn begin(&mut self, role: Role, flow: bool, span: Span) -> Result<(), Fatal> {
        match role {
            Role::Object { top } => {
                if !top {
                    let count = self.out.documents.len() + self.out.objects.len() + self.doc.items.len();
                    if count >= self.limits.max_documents {
                        return Err(self.too_many(Some(self.place(span.start, None))));
                    }
                }
                let item = (!top).then(|| self.frames.last().map_or(0, |f| f.index));
                let mut fp = Fingerprint::default();
                fp.add(&Event::MappingStart { flow, anchor: 0, tagged: false });
                self.serials += 1;
                self.objects.push(Open {
                    serial: self.serials,
                    anchors_before: self.anchors.len(),
                    object: Object {
                        document: crate::model::small(self.doc.number),
                        item: item.map(crate::model::small),
                        span: Span { start: span.start, end: span.end },
                        key_col: crate::model::small(span.start.col),
                        ..Object::default()
                    },
                    fp,
                    volume: None,
                    term: None,
                    requirement: None,
                    owner: None,
                    packed_from: self.packed.len(),
                });
            }
            Role::Items => self.doc.has_items = true,
            Role::Volume => {
                let (at, index) = match self.frames.last() {
                    Some(Frame { role: Role::Volumes(at), index, .. }) => (*at, *index),
                    _ => return Ok(()),
                };
                if let Some(o) = self.objects.last_mut() {
                    o.volume = Some((ClaimUse { at, index, volume: None, claim: None }, false));
                }
            }
            Role::ClaimSource => {
                if let Some(Open { volume: Some((_, has_claim)), .. }) = self.objects.last_mut() {
                    *has_claim = true;
                }
            }
            Role::NodeTerm => {
                if let Some(o) = self.objects.last_mut() {
                    o.term = Some(TermNode::Any);
                }
            }
            Role::Requirement => {
                if let Some(o) = self.objects.last_mut() {
                    o.requirement = Some(Requirement::default());
                }
            }
            Role::OwnerRef => {
                if let Some(o) = self.objects.last_mut() {
                    o.owner = Some((None, None, false));
                }
            }
            Role::Selector => {
                if let Some(o) = self.objects.last_mut().filter(|o| wants_selector(&o.object)) {
                    o.object.rare_mut().selector = Some(Box::default());
                }
            }
            Role::LabelRequirement => {
                if let Some(s) = self.objects.last_mut().and_then(|o| selector(&mut o.object)) {
                    s.expressions.push(LabelRequirement::default());
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn close(&mut self, span: Span) -> Result<(), Fatal> {
        if let Some(b) = self.building.pop() {
            let node = b.finish(span);
            return self.captured(node);
        }
        if self.skip_depth > 0 {
            self.skip_depth -= 1;
            if span.end.offset > span.start.offset {
                self.skip_end = span.end;
            }
            if self.skip_depth == 0 {
                let end = self.skip_end;
                self.end_region(end);
                self.child_done(end);
            }
            return Ok(());
        }
        let Some(frame) = self.frames.pop() else { return Ok(()) };
        let end = if frame.flow { span.end } else { frame.last_end };
        if let Some(keys) = frame.layout {
            let layout = MapLayout { flow: frame.flow, anchored: frame.anchored, start: frame.start, end, keys };
            match frame.role {
                Role::Spec => {
                    if let Some(o) = self.objects.last_mut() {
                        o.object.spec = Some(Box::new(layout));
                    }
                }
                Role::Object { top: true } => self.doc.root = Some(Box::new(layout)),
                _ => {}
            }
        }
        match frame.role {
            Role::Items if self.out.documents.is_empty() => self.out.first_items = frame.index,
            Role::Object { top } => self.end_object(top, end),
            Role::Volume => {
                if let Some(o) = self.objects.last_mut() {
                    if let Some((claim, true)) = o.volume.take() {
                        o.object.claims.push(claim);
                    }
                }
            }
            Role::Requirement => {
                if let Some(o) = self.objects.last_mut() {
                    let requirement = o.requirement.take();
                    if requirement.as_ref().and_then(|r| r.key.as_deref()).is_some_and(storage::is_topology_key) {
                        o.object.rare_mut().topology_terms = true;
                    }
                    let node = requirement.and_then(Requirement::node);
                    if let (Some(term), Some(node)) = (&mut o.term, node) {
                        *term = match std::mem::replace(term, TermNode::Any) {
                            TermNode::Any => TermNode::One(node),
                            TermNode::One(before) if before == node => TermNode::One(node),
                            TermNode::One(_) | TermNode::Conflict => TermNode::Conflict,
                        };
                    }
                }
            }
            Role::OwnerRef => {
                if let Some(o) = self.objects.last_mut() {
                    if let Some((Some(kind), Some(name), true)) = o.owner.take() {
                        o.object.rare_mut().controller = Some((kind, name));
                    }
                }
            }
            Role::NodeTerm => {
                if let Some(o) = self.objects.last_mut() {
                    if let Some(term) = o.term.take() {
                        o.object.rare_mut().node_terms.push(match term {
                            TermNode::One(node) => Some(node),
                            TermNode::Any | TermNode::Conflict => None,
                        });
                    }
                }
            }
            _ => {}
        }
        self.child_done(end);
        Ok(())
    }

    fn end_object(&mut self, top: bool, end: Pos) {
        let Some(mut open) = self.objects.pop() else { return };
        open.fp.add(&Event::MappingEnd);
        open.object.span.end = end;
        open.object.fingerprint = open.fp.value();
        if let Some(ns) = open.object.namespace.as_deref().filter(|ns| !ns.is_empty()) {
            if !self.out.namespaces.contains(ns) {
                self.out.namespaces.insert(ns.to_string());
            }
        }
        if open.object.budget().is_none() {
            if let Some(rare) = &mut open.object.rare {
                // A Deployment's own selector: only a budget's is read.
                rare.selector = None;
            }
        }
        if let Some(packed) = self.packed.get(open.packed_from..).filter(|p| !p.is_empty()) {
            open.object.packed = Some(Box::from(packed));
        }
        self.packed.truncate(open.packed_from);
        if open.object.claims.is_empty() && !self.all_rollouts {
            // Only an object that mounts a claim can have its strategy rewritten.
            open.object.rollouts = Vec::new();
            open.object.spec = None;
        }
        if top {
            open.object.shrink_to_fit();
            self.doc.root_object = Some(open.object);
        } else if (self.keep)(&open.object) {
            open.object.shrink_to_fit();
            self.doc.items.push(open.object);
        }
    }

    /// A node finished inside the innermost frame: advance its key/value state.
    fn child_done(&mut self, end: Pos) {
        let depth = self.frames.len();
        let Some(f) = self.frames.last_mut() else { return };
        if end.offset > f.last_end.offset {
            f.last_end = end;
        }
        if !f.is_map {
            f.index += 1;
        } else if f.expect_key {
            f.expect_key = false;
        } else {
            if let (Some(layout), Some(_)) = (&mut f.layout, &f.key) {
                if let Some(k) = layout.last_mut() {
                    k.value_end = end;
                }
            }
            if self.paused == Some(depth) {
                self.paused = None;
            }
            f.expect_key = true;
            f.key = None;
            f.child = None;
        }
    }

    /// Starts a region whose value opens at `span` (`anchored`: the value defines an anchor).
    fn begin_region(&mut self, role: Role, span: Span, anchored: bool) {
        let key_span = self.frames.last().map_or(span, |f| f.key_span);
        self.region = Some((role, key_span, span.start, anchored));
    }

    fn end_region(&mut self, end: Pos) {
        if let Some((role, key, start, anchored)) = self.region.take() {
            let region = Region { key, value: Span { start, end }, anchored };
            match role {
                Role::FunctionConfig => self.doc.function_config = Some(region),
                Role::Results => self.doc.results = Some(region),
                _ => {}
            }
        }
    }

    /// Records that the field here could not be read.
    fn unreadable(&mut self, pos: Pos, reason: &str) {
        let field = self.where_now().1;
        if let Some(o) = self.objects.last_mut() {
            o.object.rare_mut().unreadable.push(Unreadable { field, reason: reason.into(), pos });
        }
    }

    /// A scalar or alias; `key` is its text as a mapping key.
    fn leaf(&mut self, leaf: &Leaf<'_>, key: Option<Cow<'t, str>>) -> Result<(), Fatal> {
        if let Some(b) = self.building.last_mut() {
            b.push(leaf.node());
            return Ok(());
        }
        let span = leaf.span;
        if self.skip_depth > 0 {
            if span.end.offset > span.start.offset {
                self.skip_end = span.end;
            }
            return Ok(());
        }
        let Some(frame) = self.frames.last() else {
            // A scalar document.
            return Ok(());
        };
        if frame.is_map && frame.expect_key {
            return self.key(span, key);
        }
        match self.next_node().map(|n| self.schema.role(n)) {
            None => {}
            Some(Role::Items) if !leaf.node().is_null() => self.doc.items_bad = Some(span.start),
            // A scalar or alias where a mapping belongs: kept so the planner can replace it.
            Some(Role::Capture(_)) => return self.captured(leaf.node()),
            Some(r @ (Role::FunctionConfig | Role::Results)) => {
                self.begin_region(r, span, leaf.anchored);
                self.end_region(span.end);
            }
            Some(role) => match leaf.text {
                Some((value, plain)) => match role {
                    Role::Value(fact @ (ScalarField::PodLabel | ScalarField::MatchLabel)) => self.label(fact, value),
                    Role::Value(fact) if fact.packed() => self.record_packed(fact, value, plain, span.start),
                    Role::Value(fact) => self.record(fact, value, plain, span.start),
                    _ => {}
                },
                None => self.unreadable(span.start, ALIAS_OF_COLLECTION),
            },
        }
        self.child_done(span.end);
        Ok(())
    }

    fn key(&mut self, span: Span, key: Option<Cow<'t, str>>) -> Result<(), Fatal> {
        let Some(f) = self.frames.last_mut() else { return Ok(()) };
        if let Some(k) = &key {
            if !f.keys.insert(k.clone()) {
                f.key = Some(k.clone());
                f.expect_key = false;
                let place = self.place(span.start, None);
                return Err(Fatal::input_at(format!("duplicate key `{k}` in a mapping rwo-guard reads"), place));
            }
            if let Some(layout) = &mut f.layout {
                layout.push(KeyAt { key: KeyName::of(k), span, value_end: span.end });
            }
        }
        if let Some(Role::Capture(name)) = f.child.map(|c| self.schema.role(c)) {
            self.capture_key = Some((name, span));
        }
        let merge = key.as_deref() == Some(MERGE_KEY);
        let role = f.role;
        f.key = key;
        f.key_span = span;
        if merge {
            // Fields merged in here were not read: say so, and edit nothing they may hold.
            let parent = self.where_now().1;
            let field = if parent.is_empty() { MERGE_KEY.to_string() } else { format!("{parent}.{MERGE_KEY}") };
            if let Some(o) = self.objects.last_mut() {
                o.object.rare_mut().unreadable.push(Unreadable {
                    field,
                    reason: MERGE_NOT_RESOLVED.into(),
                    pos: span.start,
                });
            }
            if let (Role::Object { .. } | Role::Spec, Some(o)) = (role, self.objects.last_mut()) {
                o.object.merged = true;
            }
        }
        self.child_done(span.end);
        Ok(())
    }

    fn record(&mut self, fact: ScalarField, value: &str, plain: bool, pos: Pos) {
        let Some(open) = self.objects.last_mut() else { return };
        let o = &mut open.object;
        match fact {
            ScalarField::ApiVersion => o.api_version = Some(self.shared.get(value)),
            ScalarField::Kind => o.kind = Some(self.shared.get(value)),
            ScalarField::Name => o.name = Some(value.to_string()),
            ScalarField::Namespace => o.namespace = Some(self.shared.get(value)),
            ScalarField::VolumeName => {
                if let Some((v, _)) = &mut open.volume {
                    v.volume = Some(value.to_string());
                }
            }
            ScalarField::ClaimName => {
                if let Some((v, _)) = &mut open.volume {
                    v.claim = Some(Scalar { value: value.to_string(), plain, pos });
                }
            }
            ScalarField::OwnerKind | ScalarField::OwnerName | ScalarField::OwnerController => {
                if let Some((kind, name, controller)) = &mut open.owner {
                    match fact {
                        ScalarField::OwnerKind => *kind = Some(value.to_string()),
                        ScalarField::OwnerName => *name = Some(value.to_string()),
                        _ => *controller = plain && value == "true",
                    }
                }
            }
            ScalarField::SelectorKey | ScalarField::SelectorOperator | ScalarField::SelectorValue => {
                if let Some(r) = selector(o).and_then(|s| s.expressions.last_mut()) {
                    let v = value.to_string();
                    match fact {
                        ScalarField::SelectorKey => r.key = v,
                        ScalarField::SelectorOperator => r.operator = v,
                        _ => r.values.push(v),
                    }
                }
            }
            ScalarField::RequirementKey | ScalarField::RequirementOperator | ScalarField::RequirementValue => {
                if let Some(r) = &mut open.requirement {
                    let v = value.to_string();
                    match fact {
                        ScalarField::RequirementKey => r.key = Some(v),
                        ScalarField::RequirementOperator => r.operator = Some(v),
                        _ => r.values.push(v),
                    }
                }
            }
            _ => {
                // Most objects keep one or two values: grown one at a time up to four (a
                // `Vec` starts at four, 256 bytes, which was 4 MB of a 10k-app bundle).
                if o.values.len() == o.values.capacity() && o.values.len() < 4 {
                    o.values.reserve_exact(1);
                }
                o.values.push((fact, Scalar { value: value.to_string(), plain, pos }));
            }
        }
    }

    /// A storage fact, kept packed (`model::Packed`).
    fn record_packed(&mut self, fact: ScalarField, value: &str, plain: bool, pos: Pos) {
        if self.objects.is_empty() {
            return;
        }
        if !Packed::push_value(&mut self.packed, fact, value, plain) {
            self.unreadable(pos, "holds a NUL character");
        }
    }

    /// A label (`fact`: a pod template's or a selector's `matchLabels`): its key is the
    /// innermost frame's.
    fn label(&mut self, fact: ScalarField, value: &str) {
        let Some(key) = self.frames.last().and_then(|f| f.key.as_deref()) else { return };
        let Some(open) = self.objects.last_mut() else { return };
        if fact == ScalarField::PodLabel {
            if !Packed::push_label(&mut self.packed, key, value) {
                let pos = self.frames.last().map_or(Pos::default(), |f| f.key_span.start);
                self.unreadable(pos, "holds a NUL character, which no label may");
            }
        } else if let Some(s) = selector(&mut open.object) {
            s.match_labels.push((key.to_string(), value.to_string()));
        }
    }

    /// A captured rollout strategy is complete.
    fn captured(&mut self, node: Node) -> Result<(), Fatal> {
        if let Some(parent) = self.building.last_mut() {
            parent.push(node);
            return Ok(());
        }
        let end = node.span.end;
        if let Some((key, key_span)) = self.capture_key.take() {
            if let Some(dup) = first_duplicate_key(&node) {
                let place = self.place(dup.start, None);
                return Err(Fatal::input_at(format!("duplicate key in spec.{key}, which rwo-guard edits"), place));
            }
            if let Some(o) = self.objects.last_mut() {
                o.object.rollouts.push(Captured { key, key_span, node });
            }
        }
        self.child_done(end);
        Ok(())
    }

    /// Where the current position is (as [`Object::label`] says it) and its field path.
    fn where_now(&self) -> (String, String) {
        let mut path = String::new();
        let mut item = None;
        for f in &self.frames {
            if f.role == Role::Items {
                item = Some(f.index);
                path.clear();
                continue;
            }
            if f.is_map {
                if let Some(k) = &f.key {
                    if !f.expect_key {
                        if !path.is_empty() {
                            path.push('.');
                        }
                        path.push_str(k);
                    }
                }
            } else {
                path.push_str(&format!("[{}]", f.index));
            }
        }
        (location(self.doc.number, item), path)
    }

    fn place(&self, pos: Pos, field: Option<String>) -> Place {
        let (label, path) = self.where_now();
        Place {
            offset: pos.offset,
            line: pos.line,
            col: pos.col,
            document: Some(label),
            field: field.or(if path.is_empty() { None } else { Some(path) }),
        }
    }

    fn syntax_error(&self, e: &SyntaxError) -> Fatal {
        let mut place = self.place(e.pos, None);
        if place.document.as_deref() == Some("document 0") {
            place.document = Some("document 1".into());
        }
        let (message, hint) = if e.message.contains("nesting") || e.message.contains("recursion") {
            (
                e.message.clone(),
                Some(if self.limits.max_depth < super::MAX_DEPTH {
                    format!(
                        "the nesting limit is {}; raise it with --max-depth (at most {})",
                        self.limits.max_depth,
                        super::MAX_DEPTH
                    )
                } else {
                    format!("the nesting limit is {}, the highest rwo-guard accepts", self.limits.max_depth)
                }),
            )
        } else if e.message.contains("BOM") {
            // YAML 1.2 allows a byte-order mark before each document's `---`; kubectl (go-yaml)
            // and this parser take one only at the very start of the input.
            place.field = None;
            (
                "a byte-order mark (U+FEFF) here; only the very start of the input may have one".to_string(),
                Some("remove it: kubectl does not read a byte-order mark before a later `---` either".into()),
            )
        } else {
            (e.message.clone(), None)
        };
        Fatal::Input { message: format!("invalid YAML: {message}"), place: Some(place), hint }
    }
}

/// The span of the first key that repeats an earlier key of the same mapping, searched
/// without recursion.
fn first_duplicate_key(node: &Node) -> Option<Span> {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        match &n.kind {
            NodeKind::Map { entries, .. } => {
                let mut seen = HashSet::new();
                for e in entries {
                    if let Some(k) = e.key.as_scalar() {
                        if !seen.insert(k) {
                            return Some(e.key.span);
                        }
                    }
                    stack.push(&e.value);
                }
            }
            NodeKind::Seq { items, .. } => stack.extend(items.iter()),
            _ => {}
        }
    }
    None
}

impl Building {
    fn new(map: bool, flow: bool, marks: (bool, bool), start: Pos) -> Self {
        Building { map, flow, marks, start, entries: Vec::new(), items: Vec::new(), pending_key: None, last_end: start }
    }

    fn push(&mut self, node: Node) {
        if node.span.end.offset > self.last_end.offset {
            self.last_end = node.span.end;
        }
        if self.map {
            match self.pending_key.take() {
                None => self.pending_key = Some(node),
                Some(key) => self.entries.push(Entry { key, value: node }),
            }
        } else {
            self.items.push(node);
        }
    }

    fn finish(mut self, end_span: Span) -> Node {
        let end = if self.flow { end_span.end } else { self.last_end };
        // A captured strategy is kept to the end of the run: no spare room in its lists.
        self.entries.shrink_to_fit();
        self.items.shrink_to_fit();
        let kind = if self.map {
            NodeKind::Map { entries: self.entries, flow: self.flow }
        } else {
            NodeKind::Seq { items: self.items, flow: self.flow }
        };
        Node { kind, span: Span { start: self.start, end }, anchored: self.marks.0, tagged: self.marks.1 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_set_finds_every_duplicate_inline_small_and_large() {
        for n in [1, INLINE_KEYS, INLINE_KEYS + 1, 16, 17, 40] {
            let keys: Vec<String> = (0..n).map(|i| format!("k{i}")).collect();
            let mut set = KeySet::default();
            for k in &keys {
                assert!(set.insert(Cow::Borrowed(k.as_str())), "{n}: {k} is new");
            }
            for k in &keys {
                assert!(!set.insert(Cow::Owned(k.clone())), "{n}: {k} again");
            }
            assert!(set.insert(Cow::Borrowed("other")), "{n}");
        }
    }
}
