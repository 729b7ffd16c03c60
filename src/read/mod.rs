//! Reading the input: detect its form (KRM ResourceList or plain multi-document stream) and
//! gather, in one pass over the parser's events, the facts of every object.
//!
//! The walk ([`walker`]) keeps an explicit stack of frames, one per open mapping or sequence
//! the schema (`schema.rs`) says matters, and a counter for subtrees that do not, so deep input
//! costs no recursion. Rollout strategies (the subtrees rwo-guard may edit) are kept as node
//! trees; everything else becomes a handful of scalars per object. Large inputs are cut into
//! parts read on all cores ([`split`]).

mod split;
mod walker;

use std::collections::BTreeSet;

use crate::error::Fatal;
use crate::model::{MapLayout, Object};
use crate::yaml::{Events, Span};

use walker::{Part, Walker};

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
    /// Layout of its root mapping, for a walk's first document (where a ResourceList gets
    /// its results); boxed, so that a stream of a million tiny documents stays small.
    pub root: Option<Box<MapLayout>>,
    /// Hash of its events except rollout strategies and a top-level `results`.
    pub fingerprint: u64,
}

/// A node of the input kept as text with its position (functionConfig, results).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Region {
    /// The key's start (the entry begins there).
    pub key: Span,
    /// The value's start and end.
    pub value: Span,
    /// The value, or a node in it, defines an anchor (`results: &r …`): other nodes may alias
    /// it, so writing into it could change them.
    pub anchored: bool,
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
    /// Every namespace named by an object of the input (kept or not).
    pub namespaces: BTreeSet<String>,
}

impl Bundle {
    fn from(walked: walker::Walked) -> Bundle {
        let mut objects = walked.objects;
        for (i, o) in objects.iter_mut().enumerate() {
            o.id.index = i;
        }
        Bundle {
            form: if walked.resource_list { Form::ResourceList } else { Form::Stream },
            documents: walked.documents,
            objects,
            function_config: walked.function_config,
            results: walked.results,
            namespaces: walked.namespaces,
        }
    }
}

/// Reads `text` and returns its facts, or the first problem with its place.
pub fn read(text: &str, limits: Limits) -> Result<Bundle, Fatal> {
    read_filtered(text, limits, &|_| true)
}

/// Reads one object that stands alone: `text` is the object's own text (a list item's text
/// with its `- ` blanked out). Used by the verifier on edited regions. `all_rollouts`: every
/// strategy kept, as [`read_source`] keeps them.
pub fn read_object_with(text: &str, limits: Limits, all_rollouts: bool) -> Result<Option<Object>, Fatal> {
    let walker = Walker::new(limits, &|_| true, Part::Alone);
    let walker = if all_rollouts { walker.keeping_all_rollouts() } else { walker };
    let mut w = walker.walk(Events::new(text, limits.max_depth))?;
    if w.documents.len() != 1 || w.objects.len() > 1 {
        return Ok(None);
    }
    Ok(w.objects.pop())
}

/// Inputs smaller than this are read on one thread.
const PARALLEL_MIN_BYTES: usize = 1 << 20;

/// As [`read`], keeping only the objects for which `keep` holds (the others cost no memory).
/// Large inputs are cut at object boundaries and read on all cores; if any part fails to read
/// on its own, the whole input is read again in one piece, so errors are always reported
/// exactly as a single pass would.
pub fn read_filtered(text: &str, limits: Limits, keep: &(dyn Fn(&Object) -> bool + Sync)) -> Result<Bundle, Fatal> {
    let workers = crate::threads::workers();
    if text.len() >= PARALLEL_MIN_BYTES && workers > 1 {
        if let Some(bundle) = split::read_parallel(text, workers, limits, keep) {
            return Ok(bundle);
        }
    }
    read_sequential(text, limits, keep)
}

/// Reads a source file of a kustomize repository in one piece: as [`read`], and every object
/// keeps its strategy even when it mounts no claim (a patch that sets only a strategy is
/// edited where it sets it).
pub fn read_source(text: &str, limits: Limits) -> Result<Bundle, Fatal> {
    read_with(text, limits, true)
}

/// As [`read_sequential`] keeping everything; `all_rollouts`: as [`read_source`].
pub fn read_with(text: &str, limits: Limits, all_rollouts: bool) -> Result<Bundle, Fatal> {
    let walker = Walker::new(limits, &|_| true, Part::Whole);
    let walker = if all_rollouts { walker.keeping_all_rollouts() } else { walker };
    walker.walk(Events::new(text, limits.max_depth)).map(Bundle::from)
}

/// Reads `text` in one piece on this thread.
pub fn read_sequential(text: &str, limits: Limits, keep: &dyn Fn(&Object) -> bool) -> Result<Bundle, Fatal> {
    Walker::new(limits, keep, Part::Whole).walk(Events::new(text, limits.max_depth)).map(Bundle::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Fatal;
    use crate::model::{KeyName, Node, ScalarField};

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
        assert_eq!(d.value(ScalarField::Replicas).map(|r| r.value.as_str()), Some("2"));
        assert_eq!(d.value(ScalarField::ModeAnnotation).map(|m| m.value.as_str()), Some("rolling"));
        assert_eq!(d.claims.len(), 1);
        assert_eq!(d.claims[0].claim.as_ref().map(|c| c.value.as_str()), Some("web-data"));
        assert_eq!(d.claims[0].path(), "spec.template.spec.volumes[0].persistentVolumeClaim.claimName");
        let strategy = &d.rollout("strategy").expect("strategy").node;
        assert_eq!(strategy.get("type").and_then(Node::as_scalar), Some("RollingUpdate"));
        let spec = d.spec.as_ref().expect("spec layout");
        let keys: Vec<_> = spec.keys.iter().map(|k| k.key).collect();
        assert_eq!(keys, [KeyName::Other, KeyName::Other, KeyName::Template]);
        assert_eq!(spec.keys[1].span.start.line, 10);
        let pvc = &b.objects[1];
        assert_eq!(
            pvc.values(ScalarField::AccessMode).map(|m| m.value.as_str()).collect::<Vec<_>>(),
            ["ReadWriteOnce"]
        );
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
        assert!(b.objects[0].rollouts.is_empty() && b.objects[0].spec.is_none());
        assert!(read_ok(DEPLOY).objects[0].rollout("strategy").is_some());
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
            assert!(split::split(&text, 2).is_some(), "no cut found (resource list: {rl})");
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
