//! Reading the input: detect its form (KRM ResourceList or plain multi-document stream) and
//! gather, in one pass over the parser's events, the facts of every object.
//!
//! The walk keeps an explicit stack of frames, one per open mapping or sequence that matters,
//! and a counter for subtrees that do not matter, so deep input costs no recursion. Which fields
//! matter is decided in one place, [`child_slot`]: that table is rwo-guard's whole view of the
//! Kubernetes schema. The only subtree kept as a tree is `spec.strategy` (the one rwo-guard may
//! edit); everything else becomes a handful of scalars per object.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use crate::error::{Fatal, Place};
use crate::fingerprint::Fingerprint;
use crate::model::{
    location, ClaimUse, Entry, KeyAt, KeyName, MapLayout, Node, NodeKind, Object, PodSpecAt, Scalar, ScaleTarget,
    Unreadable,
};
use crate::yaml::{Event, Events, Pos, Span, SyntaxError};

/// Limits on what the reader accepts (see README "Limits").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest input, in bytes.
    pub max_input_bytes: usize,
    /// Deepest nesting of mappings and sequences.
    pub max_depth: usize,
    /// Most documents plus objects.
    pub max_documents: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_input_bytes: 256 << 20, max_depth: 128, max_documents: 1_000_000 }
    }
}

/// The shape of the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// A plain stream of documents (kubectl kustomize output, a legacy exec plugin's stdin).
    Stream,
    /// A KRM `ResourceList` (kustomize containerized functions, kpt).
    ResourceList,
}

/// What a top-level document turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocKind {
    /// One Kubernetes object.
    Object,
    /// A `kind: List` whose items are objects.
    List,
    /// The KRM `ResourceList`.
    ResourceList,
    /// Anything else (scalar, sequence, empty document, mapping without fields we read).
    Other,
}

/// One document of the input.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    /// Byte offset of its start.
    pub start: usize,
    /// What it is.
    pub kind: DocKind,
    /// Layout of its root mapping, when it is one.
    pub root: Option<MapLayout>,
    /// Hash of its events except `spec.strategy` subtrees and a top-level `results`.
    pub fingerprint: u64,
}

/// A node of the input kept as text with its position (functionConfig, results).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Region {
    /// The key's start (the entry begins there).
    pub key: Span,
    /// The value's start and end.
    pub value: Span,
}

/// Everything read from the input.
#[derive(Clone, Debug, PartialEq)]
pub struct Bundle {
    /// The input's form.
    pub form: Form,
    /// Every document.
    pub documents: Vec<Document>,
    /// Every object, in input order.
    pub objects: Vec<Object>,
    /// `functionConfig` of a ResourceList.
    pub function_config: Option<Region>,
    /// `results` already present in a ResourceList.
    pub results: Option<Region>,
}

/// Which annotation a value belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ann {
    Skip,
    Mode,
    PreviousNames,
    PreviousNamespaces,
    Path,
    Index,
}

/// What the node at the current position means to rwo-guard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    Skip,
    DocRoot,
    Items,
    Object { top: bool },
    FunctionConfig,
    Results,
    ApiVersion,
    Kind,
    Metadata,
    Name,
    Namespace,
    Annotations,
    Annotation(Ann),
    Spec,
    Replicas,
    Strategy,
    Template,
    JobTemplate,
    JobSpec,
    JobPodTemplate,
    PodSpec(PodSpecAt),
    Volumes(PodSpecAt),
    Volume,
    VolumeName,
    PvcSource,
    ClaimName,
    AccessModes,
    AccessMode,
    ScaleTargetRef,
    TargetApiVersion,
    TargetKind,
    TargetName,
    MinReplicas,
    MaxReplicas,
    Parallelism,
    ConcurrencyPolicy,
}

/// The schema: what the value under `key` of a mapping at `parent` means.
fn child_slot(parent: Slot, key: &str) -> Slot {
    use Slot as S;
    match (parent, key) {
        (S::Object { .. }, "apiVersion") => S::ApiVersion,
        (S::Object { .. }, "kind") => S::Kind,
        (S::Object { .. }, "metadata") => S::Metadata,
        (S::Object { .. }, "spec") => S::Spec,
        (S::Object { top: true }, "items") => S::Items,
        (S::Object { top: true }, "functionConfig") => S::FunctionConfig,
        (S::Object { top: true }, "results") => S::Results,
        (S::Metadata, "name") => S::Name,
        (S::Metadata, "namespace") => S::Namespace,
        (S::Metadata, "annotations") => S::Annotations,
        (S::Annotations, k) => match k {
            "rwo-guard.dev/skip" => S::Annotation(Ann::Skip),
            "rwo-guard.dev/mode" => S::Annotation(Ann::Mode),
            "internal.config.kubernetes.io/previousNames" => S::Annotation(Ann::PreviousNames),
            "internal.config.kubernetes.io/previousNamespaces" => S::Annotation(Ann::PreviousNamespaces),
            "config.kubernetes.io/path" | "internal.config.kubernetes.io/path" => S::Annotation(Ann::Path),
            "config.kubernetes.io/index" | "internal.config.kubernetes.io/index" => S::Annotation(Ann::Index),
            _ => S::Skip,
        },
        (S::Spec, "replicas") => S::Replicas,
        (S::Spec, "strategy") => S::Strategy,
        (S::Spec, "template") => S::Template,
        (S::Spec, "volumes") => S::Volumes(PodSpecAt::Spec),
        (S::Spec, "jobTemplate") => S::JobTemplate,
        (S::Spec, "accessModes") => S::AccessModes,
        (S::Spec, "scaleTargetRef") => S::ScaleTargetRef,
        (S::Spec, "minReplicas" | "minReplicaCount") => S::MinReplicas,
        (S::Spec, "maxReplicas" | "maxReplicaCount") => S::MaxReplicas,
        (S::Spec | S::JobSpec, "parallelism") => S::Parallelism,
        (S::Spec, "concurrencyPolicy") => S::ConcurrencyPolicy,
        (S::Template, "spec") => S::PodSpec(PodSpecAt::Template),
        (S::JobTemplate, "spec") => S::JobSpec,
        (S::JobSpec, "template") => S::JobPodTemplate,
        (S::JobPodTemplate, "spec") => S::PodSpec(PodSpecAt::JobTemplate),
        (S::PodSpec(at), "volumes") => S::Volumes(at),
        (S::Volume, "name") => S::VolumeName,
        (S::Volume, "persistentVolumeClaim") => S::PvcSource,
        (S::PvcSource, "claimName") => S::ClaimName,
        (S::ScaleTargetRef, "apiVersion") => S::TargetApiVersion,
        (S::ScaleTargetRef, "kind") => S::TargetKind,
        (S::ScaleTargetRef, "name") => S::TargetName,
        _ => S::Skip,
    }
}

/// What an item of a sequence at `parent` means.
fn item_slot(parent: Slot) -> Slot {
    match parent {
        Slot::Items => Slot::Object { top: false },
        Slot::Volumes(_) => Slot::Volume,
        Slot::AccessModes => Slot::AccessMode,
        _ => Slot::Skip,
    }
}

/// The keys seen in a mapping, to reject duplicates where rwo-guard reads.
#[derive(Debug, Default)]
struct KeySet<'t> {
    small: Vec<Cow<'t, str>>,
    large: Option<HashSet<Cow<'t, str>>>,
}

impl<'t> KeySet<'t> {
    /// Adds `key`; false when it was already there.
    fn insert(&mut self, key: Cow<'t, str>) -> bool {
        if let Some(set) = &mut self.large {
            return set.insert(key);
        }
        if self.small.contains(&key) {
            return false;
        }
        self.small.push(key);
        if self.small.len() > 16 {
            self.large = Some(self.small.drain(..).collect());
        }
        true
    }
}

/// One open collection that matters.
#[derive(Debug)]
struct Frame<'t> {
    slot: Slot,
    is_map: bool,
    flow: bool,
    decorated: bool,
    start: Pos,
    /// For maps: the next node is a key.
    expect_key: bool,
    /// For maps: the current key (None for a complex key).
    key: Option<Cow<'t, str>>,
    /// For sequences: index of the next item.
    index: usize,
    keys: KeySet<'t>,
    /// End of the content seen so far.
    last_end: Pos,
    /// Key positions, recorded for `spec` and a document's root.
    layout: Option<Vec<KeyAt>>,
}

/// A scalar or alias event, before deciding whether it is worth a [`Node`].
struct Leaf<'v, 't> {
    span: Span,
    /// The value as a key (cheap: borrowed from the input when it can be).
    key: Option<Cow<'t, str>>,
    /// The scalar's value (an alias: the anchored scalar it names, if any) and plainness.
    text: Option<(&'v str, bool)>,
    /// `None` for an alias.
    style: Option<crate::yaml::ScalarStyle>,
    anchored: bool,
    tagged: bool,
}

impl Leaf<'_, '_> {
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

/// An object whose facts are being gathered.
#[derive(Debug)]
struct Open {
    object: Object,
    fp: Fingerprint,
    volume: Option<(ClaimUse, bool)>,
}

/// The walk's state for the current document.
#[derive(Debug, Default)]
struct Doc {
    number: usize,
    start: usize,
    start_pos: Pos,
    fp: Fingerprint,
    kind_value: Option<String>,
    api_version: Option<String>,
    root: Option<MapLayout>,
    root_object: Option<Object>,
    items: Vec<Object>,
    has_items: bool,
    /// Where `items` is something other than a list.
    items_bad: Option<Pos>,
    function_config: Option<Region>,
    results: Option<Region>,
    /// Start of a `functionConfig` / `results` value being skipped.
    region_start: Option<(Slot, Span, Pos)>,
}

struct Walker<'t> {
    keep: &'t dyn Fn(&Object) -> bool,
    /// Read one object standing alone (a region of a larger input) as a list item.
    root_as_item: bool,
    /// This text is a later part of a ResourceList's items (see [`split`]).
    continuation: bool,
    /// How many items the first document's `items` held.
    first_items: usize,
    limits: Limits,
    frames: Vec<Frame<'t>>,
    skip_depth: usize,
    skip_end: Pos,
    building: Vec<Building>,
    objects: Vec<Open>,
    /// Hashing is paused inside a top-level `results`.
    results_paused: bool,
    /// Hashing of objects and document is paused inside `spec.strategy`.
    strategy_paused: bool,
    anchors: HashMap<usize, String>,
    doc: Doc,
    documents: Vec<Document>,
    out_objects: Vec<Object>,
    function_config: Option<Region>,
    results: Option<Region>,
    resource_list_seen: bool,
}

/// Reads `text` and returns its facts, or the first problem with its place.
pub fn read(text: &str, limits: Limits) -> Result<Bundle, Fatal> {
    read_filtered(text, limits, &|_| true)
}

/// Reads one object that stands alone: `text` is the object's own text (a list item's text
/// with its `- ` blanked out). Used by the verifier on edited regions.
pub fn read_object(text: &str, limits: Limits) -> Result<Option<Object>, Fatal> {
    let mut w = Walker::new(limits, &|_| true);
    w.root_as_item = true;
    w.walk(Events::new(text, limits.max_depth))?;
    if w.documents.len() != 1 || w.out_objects.len() > 1 {
        return Ok(None);
    }
    Ok(w.out_objects.pop())
}

/// Inputs smaller than this are read on one thread.
const PARALLEL_MIN_BYTES: usize = 1 << 20;

/// As [`read`], keeping only the objects for which `keep` holds (the others cost no memory).
/// Large inputs are cut at object boundaries and read on all cores; if any part fails to read
/// on its own, the whole input is read again in one piece, so errors are always reported
/// exactly as a single pass would.
pub fn read_filtered(text: &str, limits: Limits, keep: &(dyn Fn(&Object) -> bool + Sync)) -> Result<Bundle, Fatal> {
    let workers = std::thread::available_parallelism().map_or(1, std::num::NonZero::get).min(8);
    if text.len() >= PARALLEL_MIN_BYTES && workers > 1 {
        if let Some(chunks) = split(text, workers) {
            let parts: Vec<Result<Walked, Fatal>> = std::thread::scope(|scope| {
                let handles: Vec<_> =
                    chunks.iter().map(|c| scope.spawn(move || read_chunk(text, c, limits, keep))).collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_else(|_| Err(Fatal::Internal("a reader thread failed".into()))))
                    .collect()
            });
            if parts.iter().all(Result::is_ok) {
                if let Some(bundle) = merge(parts.into_iter().flatten().collect(), limits) {
                    return Ok(bundle);
                }
            }
        }
    }
    read_sequential(text, limits, keep)
}

/// Reads `text` in one piece on this thread.
pub fn read_sequential(text: &str, limits: Limits, keep: &dyn Fn(&Object) -> bool) -> Result<Bundle, Fatal> {
    let mut w = Walker::new(limits, keep);
    w.walk(Events::new(text, limits.max_depth))?;
    Ok(w.finish())
}

/// One part of a split input.
#[derive(Clone, Debug)]
struct Chunk {
    /// Byte range in the input; always starts at a line start.
    start: usize,
    end: usize,
    /// Text read before the chunk's own (`items:` for a later part of a ResourceList).
    prefix: &'static str,
    /// Later part of a ResourceList's items.
    continuation: bool,
}

/// What one walker gathered.
struct Walked {
    documents: Vec<Document>,
    objects: Vec<Object>,
    function_config: Option<Region>,
    results: Option<Region>,
    resource_list_seen: bool,
    continuation: bool,
    /// How many items the first document's `items` held.
    items: usize,
}

fn read_chunk(text: &str, c: &Chunk, limits: Limits, keep: &dyn Fn(&Object) -> bool) -> Result<Walked, Fatal> {
    let own = &text[c.start..c.end];
    let joined;
    let (body, base_offset) = if c.prefix.is_empty() {
        (own, c.start)
    } else {
        joined = format!("{}{own}", c.prefix);
        (joined.as_str(), c.start - c.prefix.len())
    };
    let line = 1 + text.as_bytes()[..c.start].iter().filter(|&&b| b == b'\n').count() - c.prefix.matches('\n').count();
    let mut w = Walker::new(limits, keep);
    w.continuation = c.continuation;
    w.walk(Events::at(body, limits.max_depth, Pos { offset: base_offset, line, col: 0 }))?;
    Ok(Walked {
        documents: w.documents,
        objects: w.out_objects,
        function_config: w.function_config,
        results: w.results,
        resource_list_seen: w.resource_list_seen,
        continuation: c.continuation,
        items: w.first_items,
    })
}

/// Joins what the walkers of a split input gathered, or `None` when the parts do not fit
/// together (the caller then reads the input in one piece).
fn merge(mut parts: Vec<Walked>, limits: Limits) -> Option<Bundle> {
    let mut documents: Vec<Document> = Vec::new();
    // The first part's objects are the start of the list: no copy of them.
    let total = parts.iter().map(|p| p.objects.len()).sum::<usize>();
    let mut objects: Vec<Object> = std::mem::take(&mut parts.first_mut()?.objects);
    objects.reserve_exact(total - objects.len());
    let mut first_part = true;
    let mut items_before = 0;
    let (mut function_config, mut results, mut resource_list) = (None, None, false);
    for part in parts {
        if part.continuation {
            // The rest of the ResourceList's items: same document, items numbered on.
            let first = documents.first_mut()?;
            if part.documents.len() != 1 || first.kind != DocKind::ResourceList {
                return None;
            }
            let doc = &part.documents[0];
            if let (Some(root), Some(more)) = (&mut first.root, &doc.root) {
                root.keys.extend(more.keys.iter().filter(|k| k.key != KeyName::Items).cloned());
                root.end = more.end;
            }
            first.fingerprint ^= doc.fingerprint.rotate_left(29);
            for mut o in part.objects {
                o.document = 1;
                o.item = o.item.map(|i| i + items_before);
                objects.push(o);
            }
        } else if first_part {
            documents.extend(part.documents);
            resource_list |= part.resource_list_seen;
        } else {
            let offset = documents.len();
            documents.extend(part.documents);
            objects.extend(part.objects.into_iter().map(|mut o| {
                o.document += offset;
                o
            }));
            resource_list |= part.resource_list_seen;
        }
        function_config = function_config.or(part.function_config);
        results = results.or(part.results);
        items_before += part.items;
        first_part = false;
    }
    if resource_list && documents.len() != 1 {
        return None;
    }
    if documents.len() + objects.len() > limits.max_documents {
        return None;
    }
    Some(finish_bundle(resource_list, documents, objects, function_config, results))
}

fn finish_bundle(
    resource_list: bool,
    documents: Vec<Document>,
    mut objects: Vec<Object>,
    function_config: Option<Region>,
    results: Option<Region>,
) -> Bundle {
    for (i, o) in objects.iter_mut().enumerate() {
        o.ordinal = i;
    }
    Bundle {
        form: if resource_list { Form::ResourceList } else { Form::Stream },
        documents,
        objects,
        function_config,
        results,
    }
}

/// Cuts a large input into parts that read the same alone as in place: a stream at document
/// markers (`---` at a line start), a ResourceList between items of its top-level `items`.
/// `None` when no safe cut is found.
fn split(text: &str, parts: usize) -> Option<Vec<Chunk>> {
    let bytes = text.as_bytes();
    let size = text.len() / parts;
    // A ResourceList starts with its header; kustomize and kpt write `items:` at column 0.
    let head = &text[..text.len().min(4096)];
    let resource_list = head.lines().any(|l| l.trim_end() == "kind: ResourceList");
    let items_dash = if resource_list {
        let at = head.find("\nitems:\n")? + "\nitems:\n".len();
        let first_item = text[at..].lines().find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))?;
        let col = first_item.len() - first_item.trim_start_matches(' ').len();
        if !first_item[col..].starts_with("- ") && first_item[col..].trim_end() != "-" {
            return None;
        }
        Some(col)
    } else {
        None
    };
    let mut chunks = Vec::new();
    let mut start = 0;
    for i in 1..parts {
        let from = (i * size).max(start + 1);
        let cut = match items_dash {
            None => find_line(bytes, from, |line| {
                line.starts_with(b"---") && line.get(3).is_none_or(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\n'))
            }),
            Some(col) => find_line(bytes, from, |line| {
                line.len() > col + 1
                    && line[..col].iter().all(|&b| b == b' ')
                    && line[col] == b'-'
                    && matches!(line[col + 1], b' ' | b'\r' | b'\n')
            }),
        };
        let Some(cut) = cut else { break };
        chunks.push(Chunk { start, end: cut, prefix: "", continuation: start > 0 && items_dash.is_some() });
        start = cut;
    }
    if chunks.is_empty() {
        return None;
    }
    chunks.push(Chunk { start, end: text.len(), prefix: "", continuation: items_dash.is_some() });
    for c in &mut chunks {
        if c.continuation {
            c.prefix = "items:\n";
        }
    }
    Some(chunks)
}

/// The start of the first line at or after `from` for which `ok` holds.
fn find_line(bytes: &[u8], from: usize, ok: impl Fn(&[u8]) -> bool) -> Option<usize> {
    let mut at = bytes[from..].iter().position(|&b| b == b'\n')? + from + 1;
    while at < bytes.len() {
        let end = crate::text::next_line(bytes, at);
        if ok(&bytes[at..end]) {
            return Some(at);
        }
        at = end;
    }
    None
}

impl<'t> Walker<'t> {
    fn new(limits: Limits, keep: &'t dyn Fn(&Object) -> bool) -> Self {
        Walker {
            keep,
            root_as_item: false,
            continuation: false,
            first_items: 0,
            limits,
            frames: Vec::new(),
            skip_depth: 0,
            skip_end: Pos::default(),
            building: Vec::new(),
            objects: Vec::new(),
            results_paused: false,
            strategy_paused: false,
            anchors: HashMap::new(),
            doc: Doc::default(),
            documents: Vec::new(),
            out_objects: Vec::new(),
            function_config: None,
            results: None,
            resource_list_seen: false,
        }
    }

    fn walk(&mut self, events: Events<'t>) -> Result<(), Fatal> {
        for item in events {
            let (event, span) = item.map_err(|e| self.syntax_error(&e))?;
            self.event(&event, span)?;
        }
        Ok(())
    }

    fn finish(self) -> Bundle {
        finish_bundle(self.resource_list_seen, self.documents, self.out_objects, self.function_config, self.results)
    }
}

impl<'t> Walker<'t> {
    /// Where the current position is (as [`Object::label`] says it) and its field path.
    fn where_now(&self) -> (String, String) {
        let mut path = String::new();
        let mut item = None;
        for f in &self.frames {
            if f.slot == Slot::Items {
                // Items frames are always sequences: a mapping there is never pushed.
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
        let hint = if e.message.contains("nesting") || e.message.contains("recursion") {
            Some(format!("the nesting limit is {}; raise it with --max-depth", self.limits.max_depth))
        } else {
            None
        };
        Fatal::Input { message: format!("invalid YAML: {}", e.message), place: Some(place), hint }
    }

    fn event(&mut self, event: &Event<'t>, span: Span) -> Result<(), Fatal> {
        // Hash first: each event goes to the innermost open object (or the document when none
        // is open), except `spec.strategy` (which rwo-guard may edit) and a ResourceList's
        // `results` (which it appends to).
        if let Event::Scalar { value, .. } = event {
            self.pause_for_key(value);
        }
        if !self.strategy_paused && !self.results_paused && self.building.is_empty() {
            match self.objects.last_mut() {
                Some(o) => o.fp.add(event),
                None => self.doc.fp.add(event),
            }
        }
        match event {
            Event::DocumentStart { .. } => self.start_document(span),
            Event::DocumentEnd => self.end_document(),
            Event::StreamEnd => Ok(()),
            Event::MappingStart { flow, anchored, tagged } => self.open(true, *flow, (*anchored, *tagged), span),
            Event::SequenceStart { flow, anchored, tagged } => self.open(false, *flow, (*anchored, *tagged), span),
            Event::MappingEnd | Event::SequenceEnd => self.close(span),
            Event::Scalar { value, style, anchor, tagged } => {
                if *anchor != 0 {
                    self.anchors.insert(*anchor, value.to_string());
                }
                let leaf = Leaf {
                    span,
                    key: Some(value.clone()),
                    text: Some((value, style.is_plain())),
                    style: Some(*style),
                    anchored: *anchor != 0,
                    tagged: *tagged,
                };
                self.leaf(&leaf)
            }
            Event::Alias { id } => {
                let resolved = self.anchors.get(id).cloned();
                let leaf = Leaf {
                    span,
                    key: resolved.clone().map(Cow::Owned),
                    text: resolved.as_deref().map(|v| (v, true)),
                    style: None,
                    anchored: false,
                    tagged: false,
                };
                self.leaf(&leaf)
            }
        }
    }

    /// Pauses hashing before the key `strategy` of a `spec` (its value too is left out) and
    /// before a ResourceList's `results` key.
    fn pause_for_key(&mut self, key: &str) {
        if self.skip_depth > 0 || !self.building.is_empty() {
            return;
        }
        let Some(f) = self.frames.last() else { return };
        if !(f.is_map && f.expect_key) {
            return;
        }
        if f.slot == Slot::Spec && key == "strategy" {
            self.strategy_paused = true;
        }
        if matches!(f.slot, Slot::Object { top: true }) && key == "results" {
            self.results_paused = true;
        }
    }

    fn start_document(&mut self, span: Span) -> Result<(), Fatal> {
        let number = self.documents.len() + 1;
        if number + self.out_objects.len() > self.limits.max_documents {
            return Err(Fatal::Input {
                message: format!("more than {} documents and objects", self.limits.max_documents),
                place: Some(Place {
                    offset: span.start.offset,
                    line: span.start.line,
                    col: span.start.col,
                    document: Some(format!("document {number}")),
                    field: None,
                }),
                hint: Some("raise the limit with --max-documents".into()),
            });
        }
        self.doc = Doc { number, start: span.start.offset, start_pos: span.start, ..Doc::default() };
        self.doc.fp.add(&Event::DocumentStart { explicit: false });
        self.anchors.clear();
        Ok(())
    }

    fn end_document(&mut self) -> Result<(), Fatal> {
        let doc = std::mem::take(&mut self.doc);
        let is_list = doc.kind_value.as_deref() == Some("List") && doc.api_version.as_deref() == Some("v1");
        let is_resource_list = (self.continuation && doc.has_items)
            || doc.kind_value.as_deref() == Some("ResourceList")
                && matches!(
                    doc.api_version.as_deref(),
                    Some("config.kubernetes.io/v1" | "config.kubernetes.io/v1alpha1")
                );
        if let (true, Some(pos)) = (is_list || is_resource_list, doc.items_bad) {
            return Err(Fatal::input_at(
                format!("`items` of a {} must be a list of objects", if is_list { "List" } else { "ResourceList" }),
                Place {
                    offset: pos.offset,
                    line: pos.line,
                    col: pos.col,
                    document: Some(format!("document {}", doc.number)),
                    field: Some("items".into()),
                },
            ));
        }
        if self.resource_list_seen || (is_resource_list && !self.documents.is_empty()) {
            let pos = if self.resource_list_seen { doc.start_pos } else { Pos { offset: 0, line: 1, col: 0 } };
            return Err(Fatal::Input {
                message: "a ResourceList must be the only document of its input".into(),
                place: Some(Place {
                    offset: pos.offset,
                    line: pos.line,
                    col: 0,
                    document: Some(format!("document {}", doc.number)),
                    field: None,
                }),
                hint: None,
            });
        }
        let kind = if is_resource_list {
            self.resource_list_seen = true;
            self.function_config = doc.function_config;
            self.results = doc.results;
            DocKind::ResourceList
        } else if is_list {
            DocKind::List
        } else if doc.root_object.is_some() {
            DocKind::Object
        } else {
            DocKind::Other
        };
        let root_fp = doc.root_object.as_ref().map_or(0, |o| o.fingerprint);
        let fingerprint = match kind {
            DocKind::ResourceList | DocKind::List => {
                if self.out_objects.is_empty() {
                    self.out_objects = doc.items;
                } else {
                    self.out_objects.extend(doc.items);
                }
                doc.fp.value() ^ root_fp.rotate_left(17)
            }
            DocKind::Object => {
                self.out_objects.extend(doc.root_object.filter(|o| (self.keep)(o)));
                doc.fp.value()
            }
            DocKind::Other => {
                self.out_objects.extend(doc.items);
                doc.fp.value()
            }
        };
        if self.documents.len() + 1 + self.out_objects.len() > self.limits.max_documents {
            return Err(Fatal::Input {
                message: format!("more than {} documents and objects", self.limits.max_documents),
                place: None,
                hint: Some("raise the limit with --max-documents".into()),
            });
        }
        self.documents.push(Document { start: doc.start, kind, root: doc.root, fingerprint });
        Ok(())
    }

    /// The slot of the node that starts now, given the innermost frame.
    fn next_slot(&self) -> Slot {
        match self.frames.last() {
            None => Slot::DocRoot,
            Some(f) if f.is_map => {
                if f.expect_key {
                    Slot::Skip
                } else {
                    f.key.as_deref().map_or(Slot::Skip, |k| child_slot(f.slot, k))
                }
            }
            Some(f) => item_slot(f.slot),
        }
    }

    fn open(&mut self, map: bool, flow: bool, marks: (bool, bool), span: Span) -> Result<(), Fatal> {
        let decorated = marks.0 || marks.1;
        if !self.building.is_empty() {
            self.building.push(Building::new(map, flow, marks, span.start));
            return Ok(());
        }
        if self.skip_depth > 0 {
            self.skip_depth += 1;
            return Ok(());
        }
        let mut slot = self.next_slot();
        if slot == Slot::DocRoot {
            slot = if map { Slot::Object { top: !self.root_as_item } } else { Slot::Skip };
        }
        match slot {
            Slot::Strategy => {
                self.strategy_paused = true;
                self.building.push(Building::new(map, flow, marks, span.start));
                return Ok(());
            }
            Slot::FunctionConfig | Slot::Results => {
                self.begin_region(slot, span);
                self.skip_depth = 1;
                self.skip_end = span.end;
                return Ok(());
            }
            _ => {}
        }
        let wants_map = matches!(
            slot,
            Slot::Object { .. }
                | Slot::Metadata
                | Slot::Annotations
                | Slot::Spec
                | Slot::Template
                | Slot::JobTemplate
                | Slot::JobSpec
                | Slot::JobPodTemplate
                | Slot::PodSpec(_)
                | Slot::Volume
                | Slot::PvcSource
                | Slot::ScaleTargetRef
        );
        let wants_seq = matches!(slot, Slot::Items | Slot::Volumes(_) | Slot::AccessModes);
        if slot == Slot::Items && map {
            self.doc.items_bad = Some(span.start);
        }
        if (map && !wants_map) || (!map && !wants_seq) {
            self.unreadable_collection(slot, span.start);
            self.skip_depth = 1;
            self.skip_end = span.end;
            return Ok(());
        }
        match slot {
            Slot::Object { top } => {
                if !top {
                    let count = self.documents.len() + self.out_objects.len() + self.doc.items.len();
                    if count >= self.limits.max_documents {
                        return Err(Fatal::Input {
                            message: format!("more than {} documents and objects", self.limits.max_documents),
                            place: Some(self.place(span.start, None)),
                            hint: Some("raise the limit with --max-documents".into()),
                        });
                    }
                }
                let item = (!top).then(|| self.frames.last().map_or(0, |f| f.index));
                let mut fp = Fingerprint::default();
                fp.add(&Event::MappingStart { flow, anchored: false, tagged: false });
                self.objects.push(Open {
                    object: Object {
                        document: self.doc.number,
                        item,
                        span: Span { start: span.start, end: span.end },
                        key_col: span.start.col,
                        ..Object::default()
                    },
                    fp,
                    volume: None,
                });
            }
            Slot::Items => self.doc.has_items = true,
            Slot::Volume => {
                let (at, index) = match self.frames.last() {
                    Some(Frame { slot: Slot::Volumes(at), index, .. }) => (*at, *index),
                    _ => (PodSpecAt::Template, 0),
                };
                if let Some(o) = self.objects.last_mut() {
                    o.volume = Some((ClaimUse { at, index, volume: None, claim: None }, false));
                }
            }
            Slot::PvcSource => {
                if let Some(Open { volume: Some((_, has_pvc)), .. }) = self.objects.last_mut() {
                    *has_pvc = true;
                }
            }
            Slot::AccessModes => {
                if let Some(o) = self.objects.last_mut() {
                    o.object.extra_mut().access_modes = Some(Vec::new());
                }
            }
            Slot::ScaleTargetRef => {
                if let Some(o) = self.objects.last_mut() {
                    o.object.extra_mut().scale_target = Some(ScaleTarget::default());
                }
            }
            _ => {}
        }
        // Key positions: of every `spec` (to insert a strategy), and of a walker's first
        // document's root (where a ResourceList gets its results).
        let layout =
            (slot == Slot::Spec || (slot == Slot::Object { top: true } && self.documents.is_empty())).then(Vec::new);
        self.frames.push(Frame {
            slot,
            is_map: map,
            flow,
            decorated,
            start: span.start,
            expect_key: true,
            key: None,
            index: 0,
            keys: KeySet::default(),
            last_end: span.end,
            layout,
        });
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
            let layout = MapLayout { flow: frame.flow, decorated: frame.decorated, start: frame.start, end, keys };
            match frame.slot {
                Slot::Spec => {
                    if let Some(o) = self.objects.last_mut() {
                        o.object.spec = Some(layout);
                    }
                }
                Slot::Object { top: true } => self.doc.root = Some(layout),
                _ => {}
            }
        }
        match frame.slot {
            Slot::Items if self.documents.is_empty() => self.first_items = frame.index,
            Slot::Object { top } => {
                if let Some(mut open) = self.objects.pop() {
                    open.fp.add(&Event::MappingEnd);
                    open.object.span.end = end;
                    open.object.fingerprint = open.fp.value();
                    if open.object.claims.is_empty() {
                        // Only an object that mounts a claim can have its strategy rewritten.
                        open.object.strategy = None;
                        open.object.spec = None;
                    }
                    if top {
                        self.doc.kind_value.clone_from(&open.object.kind);
                        self.doc.api_version.clone_from(&open.object.api_version);
                        self.doc.root_object = Some(open.object);
                    } else if (self.keep)(&open.object) {
                        self.doc.items.push(open.object);
                    }
                }
            }
            Slot::Volume => {
                if let Some(o) = self.objects.last_mut() {
                    if let Some((claim, true)) = o.volume.take() {
                        o.object.claims.push(claim);
                    }
                }
            }
            _ => {}
        }
        self.child_done(end);
        Ok(())
    }

    /// A node finished inside the innermost frame: advance its key/value state.
    fn child_done(&mut self, end: Pos) {
        let Some(f) = self.frames.last_mut() else { return };
        if end.offset > f.last_end.offset {
            f.last_end = end;
        }
        if f.is_map {
            if f.expect_key {
                f.expect_key = false;
            } else {
                if let (Some(layout), Some(_)) = (&mut f.layout, &f.key) {
                    if let Some(k) = layout.last_mut() {
                        k.value_end = end;
                    }
                }
                if f.slot == Slot::Spec && f.key.as_deref() == Some("strategy") {
                    self.strategy_paused = false;
                }
                if matches!(f.slot, Slot::Object { top: true }) && f.key.as_deref() == Some("results") {
                    self.results_paused = false;
                }
                f.expect_key = true;
                f.key = None;
            }
        } else {
            f.index += 1;
        }
    }

    fn begin_region(&mut self, slot: Slot, span: Span) {
        let key_span =
            self.frames.last().and_then(|f| f.layout.as_ref()).and_then(|l| l.last()).map_or(span, |k| k.span);
        self.doc.region_start = Some((slot, key_span, span.start));
    }

    fn end_region(&mut self, end: Pos) {
        if let Some((slot, key, start)) = self.doc.region_start.take() {
            let region = Region { key, value: Span { start, end } };
            match slot {
                Slot::FunctionConfig => self.doc.function_config = Some(region),
                Slot::Results => self.doc.results = Some(region),
                _ => {}
            }
        }
    }

    fn unreadable_collection(&mut self, slot: Slot, pos: Pos) {
        let field = match slot {
            Slot::Skip | Slot::DocRoot => return,
            _ => self.where_now().1,
        };
        if let Some(o) = self.objects.last_mut() {
            o.object.extra_mut().unreadable.push(Unreadable {
                field,
                reason: "is a mapping or list where a single value was expected".into(),
                pos,
            });
        }
    }

    /// A scalar or alias.
    fn leaf(&mut self, leaf: &Leaf<'_, 't>) -> Result<(), Fatal> {
        if let Some(b) = self.building.last_mut() {
            b.push(leaf.node());
            return Ok(());
        }
        let span = leaf.span;
        let end = span.end;
        if self.skip_depth > 0 {
            if end.offset > span.start.offset {
                self.skip_end = end;
            }
            return Ok(());
        }
        let Some(frame) = self.frames.last_mut() else {
            // A scalar document.
            return Ok(());
        };
        if frame.is_map && frame.expect_key {
            return self.key(span, leaf.key.clone());
        }
        let slot = self.next_slot();
        match slot {
            Slot::Skip => {}
            Slot::Items => {
                if !leaf.node().is_null() {
                    self.doc.items_bad = Some(span.start);
                }
            }
            Slot::Strategy => {
                // A scalar or alias where a mapping belongs: kept so the planner can replace it.
                return self.captured(leaf.node());
            }
            Slot::FunctionConfig | Slot::Results => {
                self.begin_region(slot, span);
                self.end_region(end);
            }
            _ => match leaf.text {
                Some((value, plain)) => self.record(slot, value, plain, span.start),
                None => {
                    let field = self.where_now().1;
                    if let Some(o) = self.objects.last_mut() {
                        o.object.extra_mut().unreadable.push(Unreadable {
                            field,
                            reason: "is an alias of a mapping or list, which rwo-guard does not expand".into(),
                            pos: span.start,
                        });
                    }
                }
            },
        }
        self.child_done(end);
        Ok(())
    }

    fn key(&mut self, span: Span, key: Option<Cow<'t, str>>) -> Result<(), Fatal> {
        let start = span.start;
        let Some(f) = self.frames.last_mut() else { return Ok(()) };
        if f.slot == Slot::Skip {
            f.key = None;
            self.child_done(span.end);
            return Ok(());
        }
        if let Some(k) = &key {
            if !f.keys.insert(k.clone()) {
                f.key = Some(k.clone());
                f.expect_key = false;
                let place = self.place(start, None);
                return Err(Fatal::input_at(format!("duplicate key `{k}` in a mapping rwo-guard reads"), place));
            }
            if let Some(layout) = &mut f.layout {
                layout.push(KeyAt { key: KeyName::of(k), span, value_end: span.end });
            }
            if f.slot == Slot::Spec && k == "strategy" {
                if let Some(o) = self.objects.last_mut() {
                    o.object.strategy_key = Some(span);
                }
            }
        }
        f.key = key;
        self.child_done(span.end);
        Ok(())
    }

    fn record(&mut self, slot: Slot, value: &str, plain: bool, pos: Pos) {
        let Some(open) = self.objects.last_mut() else { return };
        let o = &mut open.object;
        let scalar = || Scalar { value: value.to_string(), plain, pos };
        let list = || value.split(',').map(str::to_string).collect::<Vec<_>>();
        match slot {
            Slot::ApiVersion => o.api_version = Some(value.to_string()),
            Slot::Kind => o.kind = Some(value.to_string()),
            Slot::Name => o.name = Some(value.to_string()),
            Slot::Namespace => o.namespace = Some(value.to_string()),
            Slot::Annotation(a) => match a {
                Ann::Skip => o.annotations_mut().skip = Some(scalar()),
                Ann::Mode => o.annotations_mut().mode = Some(scalar()),
                Ann::PreviousNames => o.annotations_mut().previous_names = list(),
                Ann::PreviousNamespaces => o.annotations_mut().previous_namespaces = list(),
                Ann::Path => o.annotations_mut().path = Some(value.to_string()),
                Ann::Index => o.annotations_mut().index = Some(value.to_string()),
            },
            Slot::Replicas => o.replicas = Some(scalar()),
            Slot::MinReplicas => o.extra_mut().min_replicas = Some(scalar()),
            Slot::MaxReplicas => o.extra_mut().max_replicas = Some(scalar()),
            Slot::Parallelism => o.extra_mut().parallelism = Some(scalar()),
            Slot::ConcurrencyPolicy => o.extra_mut().concurrency_policy = Some(scalar()),
            Slot::VolumeName => {
                if let Some((v, _)) = &mut open.volume {
                    v.volume = Some(value.to_string());
                }
            }
            Slot::ClaimName => {
                if let Some((v, _)) = &mut open.volume {
                    v.claim = Some(scalar());
                }
            }
            Slot::AccessMode => {
                if let Some(m) = &mut o.extra_mut().access_modes {
                    m.push(value.to_string());
                }
            }
            Slot::TargetApiVersion | Slot::TargetKind | Slot::TargetName => {
                if let Some(t) = &mut o.extra_mut().scale_target {
                    let v = Some(value.to_string());
                    match slot {
                        Slot::TargetApiVersion => t.api_version = v,
                        Slot::TargetKind => t.kind = v,
                        _ => t.name = v,
                    }
                }
            }
            _ => {}
        }
    }

    /// A captured `spec.strategy` value is complete.
    fn captured(&mut self, node: Node) -> Result<(), Fatal> {
        if let Some(parent) = self.building.last_mut() {
            parent.push(node);
            return Ok(());
        }
        if let Some(dup) = first_duplicate_key(&node) {
            let place = self.place(dup.start, None);
            return Err(Fatal::input_at("duplicate key in spec.strategy, which rwo-guard edits", place));
        }
        let end = node.span.end;
        if let Some(o) = self.objects.last_mut() {
            o.object.strategy = Some(Box::new(node));
        }
        self.child_done(end);
        Ok(())
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

    fn finish(self, end_span: Span) -> Node {
        let end = if self.flow { end_span.end } else { self.last_end };
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

    fn read_ok(text: &str) -> Bundle {
        read(text, Limits::default()).expect("readable")
    }

    const DEPLOY: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: prod
  annotations:
    rwo-guard.dev/mode: rolling
spec:
  replicas: 2
  strategy:
    type: RollingUpdate
  template:
    spec:
      volumes:
      - name: data
        persistentVolumeClaim:
          claimName: web-data
      - name: tmp
        emptyDir: {}
";

    #[test]
    fn stream_objects_and_their_facts() {
        let b = read_ok(&format!("{DEPLOY}---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {{name: web-data, namespace: prod}}\nspec:\n  accessModes: [ReadWriteOnce]\n"));
        assert_eq!(b.form, Form::Stream);
        assert_eq!(b.objects.len(), 2);
        let d = &b.objects[0];
        assert_eq!(d.kind.as_deref(), Some("Deployment"));
        assert_eq!(d.namespace.as_deref(), Some("prod"));
        assert_eq!(d.replicas.as_ref().map(|r| r.value.as_str()), Some("2"));
        assert_eq!(d.annotations().mode.as_ref().map(|m| m.value.as_str()), Some("rolling"));
        assert_eq!(d.claims.len(), 1);
        assert_eq!(d.claims[0].claim.as_ref().map(|c| c.value.as_str()), Some("web-data"));
        assert_eq!(d.claims[0].path(), "spec.template.spec.volumes[0].persistentVolumeClaim.claimName");
        let strategy = d.strategy.as_ref().expect("strategy");
        assert_eq!(strategy.get("type").and_then(Node::as_scalar), Some("RollingUpdate"));
        let spec = d.spec.as_ref().expect("spec layout");
        let keys: Vec<_> = spec.keys.iter().map(|k| k.key).collect();
        assert_eq!(keys, [KeyName::Other, KeyName::Other, KeyName::Template]);
        assert_eq!(spec.keys[1].span.start.line, 10);
        let pvc = &b.objects[1];
        assert_eq!(pvc.extra().access_modes.as_deref(), Some(&["ReadWriteOnce".to_string()][..]));
    }

    #[test]
    fn resource_list_items_are_the_objects() {
        let text = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\nfunctionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  data: {mode: check}\n";
        let b = read_ok(text);
        assert_eq!(b.form, Form::ResourceList);
        assert_eq!(b.objects.len(), 1);
        assert_eq!(b.objects[0].label(), "document 1, items[0]");
        let fc = b.function_config.expect("functionConfig");
        assert!(text[fc.value.start.offset..fc.value.end.offset].ends_with("{mode: check}"));
    }

    #[test]
    fn fingerprints_ignore_only_the_strategy() {
        let a = read_ok(DEPLOY);
        let b = read_ok(&DEPLOY.replace("    type: RollingUpdate\n", "    type: Recreate\n"));
        assert_eq!(a.objects[0].fingerprint, b.objects[0].fingerprint);
        assert_eq!(a.documents[0].fingerprint, b.documents[0].fingerprint);
        let c = read_ok(&DEPLOY.replace("claimName: web-data", "claimName: other"));
        assert_ne!(a.objects[0].fingerprint, c.objects[0].fingerprint);
        let d = read_ok(&DEPLOY.replace("  strategy:\n    type: RollingUpdate\n", ""));
        assert_eq!(a.objects[0].fingerprint, d.objects[0].fingerprint);
    }

    #[test]
    fn only_objects_with_claims_keep_their_strategy() {
        let b = read_ok("kind: Deployment\nspec:\n  strategy: {type: Recreate}\n  template: {}\n");
        assert!(b.objects[0].strategy.is_none() && b.objects[0].spec.is_none());
        assert!(read_ok(DEPLOY).objects[0].strategy.is_some());
    }

    #[test]
    fn duplicate_keys_where_we_read_are_errors() {
        let err = read(&DEPLOY.replace("  replicas: 2\n", "  replicas: 2\n  replicas: 3\n"), Limits::default())
            .expect_err("duplicate");
        let Fatal::Input { message, place: Some(p), .. } = err else { panic!("input error") };
        assert!(message.contains("duplicate key `replicas`"), "{message}");
        assert_eq!((p.line, p.field.as_deref()), (10, Some("spec.replicas")));
    }

    #[test]
    fn aliases_are_resolved_for_scalars_only() {
        let b = read_ok("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: &n web}\nspec:\n  template:\n    spec:\n      volumes:\n      - name: d\n        persistentVolumeClaim: {claimName: *n}\n");
        assert_eq!(b.objects[0].claims[0].claim.as_ref().map(|c| c.value.as_str()), Some("web"));
    }

    /// A bundle big enough to be read in parallel, in both forms.
    fn big(resource_list: bool) -> String {
        let mut items = String::new();
        for i in 0..4000 {
            let item = format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c-{i}}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\n  # c\nspec:\n  replicas: 1\n  template:\n    spec:\n      volumes:\n      - name: d\n        persistentVolumeClaim: {{claimName: d-{i}}}\n      containers: [{{name: c, args: [\"--x={i}\"]}}]\n---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {{name: d-{i}}}\nspec:\n  accessModes: [ReadWriteOnce]\n  note: |\n    - not an item\n    --- not a document\n");
            if resource_list {
                for doc in item.split("---\n") {
                    let mut lines = doc.lines();
                    items.push_str(&format!("- {}\n", lines.next().unwrap_or_default()));
                    for l in lines {
                        items.push_str(&format!("  {l}\n"));
                    }
                }
            } else {
                items.push_str(&item);
                items.push_str("---\n");
            }
        }
        if resource_list {
            format!("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n{items}functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  data: {{mode: check}}\n")
        } else {
            items
        }
    }

    #[test]
    fn parallel_reading_matches_one_piece() {
        for rl in [false, true] {
            let text = big(rl);
            assert!(text.len() > PARALLEL_MIN_BYTES);
            assert!(split(&text, 2).is_some(), "no cut found (resource list: {rl})");
            let keep = |o: &Object| o.kind.as_deref() != Some("ConfigMap");
            let a = read_filtered(&text, Limits::default(), &keep).expect("parallel");
            let b = read_sequential(&text, Limits::default(), &keep).expect("one piece");
            assert_eq!(a.form, b.form);
            assert_eq!(a.objects, b.objects, "resource list: {rl}");
            assert_eq!(a.documents.len(), b.documents.len());
            assert_eq!(a.function_config, b.function_config);
            let root = |x: &Bundle| {
                x.documents[0]
                    .root
                    .as_ref()
                    .map(|r| (r.end, r.keys.iter().map(|k| (k.key, k.span)).collect::<Vec<_>>()))
            };
            assert_eq!(root(&a), root(&b));
        }
    }

    #[test]
    fn errors_are_reported_as_one_piece_would() {
        let mut text = big(false);
        text.push_str("a: [unclosed\n");
        let a = read(&text, Limits::default()).expect_err("invalid");
        let b = read_sequential(&text, Limits::default(), &|_| true).expect_err("invalid");
        assert_eq!(a, b);
    }

    #[test]
    fn odd_documents_pass_as_other() {
        let b = read_ok("--- 42\n---\n# only a comment\n---\n[a, b]\n---\n{}\n");
        assert!(b.objects.len() <= 1);
        assert!(b.documents.iter().all(|d| matches!(d.kind, DocKind::Other | DocKind::Object)));
    }
}
