//! Where a finding is: the file its object came from and, when the text rwo-guard read is that
//! file (`-f`), the line and column of the object and of the finding's field.
//!
//! Two ways to know the file:
//! - read with `-f`: the file itself, named as given on the command line;
//! - on a stream: what the object says of itself, kustomize's `config.kubernetes.io/origin`
//!   (`buildMetadata: [originAnnotations]`, a YAML text whose `path` is the file, relative to
//!   the kustomization built) or else kpt's `config.kubernetes.io/path` (relative to the package).
//!   A stream's lines are not the file's, so those locations have no line.
//!
//! A field's place is found from what the reader kept: the claims, the unreadable fields, the
//! captured rollout strategies (walked by the rest of the path) and the scalar facts (whose paths
//! the schema declares). A field that is not in the object (a strategy to add) is placed at the
//! mapping it goes into.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::model::{Node, NodeKind, Object, ScalarField};
use crate::schema::{self, Role};
use crate::yaml::Pos;

/// A place in a file: 1-based line, 1-based column, and the column just past the end of that
/// line's text (columns count Unicode code points).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Point {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub col: usize,
    /// The column after the line's last character.
    pub end_col: usize,
}

/// Where a finding is, as far as rwo-guard knows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Location {
    /// The file, relative as given (`-f`) or as annotated.
    pub file: Option<String>,
    /// The object's document in the file (0-based), when known.
    pub index: Option<u64>,
    /// Where the object starts in the file.
    pub object: Option<Point>,
    /// Where the finding's field is in the file.
    pub field: Option<Point>,
}

/// What rwo-guard read an object from.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Origin<'a> {
    /// The file itself: its name (as given) and text.
    File {
        /// The name shown.
        name: &'a str,
        /// Its text.
        text: &'a str,
    },
    /// A stream (standard input): only the object's own annotations tell its file.
    Stream,
    /// Standard input read by `check -`: the file the object's annotations name, else its
    /// line and column in standard input (no file).
    Stdin {
        /// Standard input's text.
        text: &'a str,
    },
}

impl Location {
    /// Where the finding about `o` (on the field at `field`, a dotted path) is.
    pub(crate) fn of(o: &Object, field: Option<&str>, origin: Origin<'_>) -> Location {
        match origin {
            Origin::File { name, text } => Location {
                file: Some(name.to_string()),
                index: Some(u64::from(o.document.saturating_sub(1))),
                object: Some(point(text, o.span.start)),
                field: field.and_then(|f| field_pos(o, f)).map(|p| point(text, p)),
            },
            Origin::Stdin { text } => match Location::of(o, field, Origin::Stream) {
                Location { file: None, .. } => Location {
                    file: None,
                    index: Some(u64::from(o.document.saturating_sub(1))),
                    object: Some(point(text, o.span.start)),
                    field: field.and_then(|f| field_pos(o, f)).map(|p| point(text, p)),
                },
                annotated => annotated,
            },
            Origin::Stream => match origin_file(o) {
                Some(file) => Location { file: Some(file), ..Location::default() },
                None => Location {
                    file: o.value(ScalarField::PathAnnotation).map(|p| p.value.clone()),
                    index: o.value(ScalarField::IndexAnnotation).and_then(|i| i.value.parse().ok()),
                    ..Location::default()
                },
            },
        }
    }

    /// The line a report points at: the field's when known, else the object's.
    pub(crate) fn point(&self) -> Option<Point> {
        self.field.or(self.object)
    }

    /// `path:line` (or `path` when the line is unknown) for messages; `None` without a file.
    pub(crate) fn prefix(&self) -> Option<String> {
        let file = self.file.as_deref()?;
        Some(match self.point() {
            Some(p) => format!("{file}:{}", p.line),
            None => file.to_string(),
        })
    }
}

/// The point of `pos` in `text`.
fn point(text: &str, pos: Pos) -> Point {
    let start = pos.offset.min(text.len());
    let line_start = crate::text::line_start(text.as_bytes(), start);
    let line_end = crate::text::line_end(text.as_bytes(), start);
    let line = text.get(line_start..line_end).unwrap_or_default().trim_end_matches('\r');
    Point { line: pos.line, col: pos.col + 1, end_col: line.chars().count().max(pos.col) + 1 }
}

/// kustomize's origin annotation: a YAML text. Only local files are locations here: a remote
/// resource's path is in another repository.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OriginAnnotation {
    path: Option<String>,
    repo: Option<String>,
    configured_in: Option<String>,
}

/// The file `config.kubernetes.io/origin` names: its `path`, or for a generated object the
/// file holding the generator (`configuredIn`).
fn origin_file(o: &Object) -> Option<String> {
    let text = &o.value(ScalarField::OriginAnnotation)?.value;
    let origin: OriginAnnotation = serde_norway::from_str(text).ok()?;
    if origin.repo.is_some() {
        return None;
    }
    origin.path.or(origin.configured_in).filter(|p| !p.is_empty())
}

/// Where the field at the dotted `path` is in `o`, from what the reader kept.
fn field_pos(o: &Object, path: &str) -> Option<Pos> {
    if let Some(c) = o.claims.iter().find(|c| c.path() == path) {
        return c.claim.as_ref().map(|s| s.pos);
    }
    if let Some(u) = o.unreadable().iter().find(|u| u.field == path) {
        return Some(u.pos);
    }
    if let Some(pos) = rollout_pos(o, path) {
        return Some(pos);
    }
    paths().values.get(path).and_then(|fact| o.value(*fact)).map(|s| s.pos)
}

/// A place in a rollout strategy the reader kept (`spec.strategy.rollingUpdate.maxSurge`): the
/// deepest key of the path that is there; the `spec` mapping when the strategy is not.
fn rollout_pos(o: &Object, path: &str) -> Option<Pos> {
    let rest = path.strip_prefix("spec.")?;
    let (key, below) = rest.split_once('.').unwrap_or((rest, ""));
    let Some(captured) = o.rollout(key) else {
        let is_rollout = paths().captures.contains(&key);
        return o.spec.as_ref().filter(|_| is_rollout).map(|s| s.start);
    };
    let mut at = captured.key_span.start;
    let mut node: &Node = &captured.node;
    for step in below.split('.').filter(|s| !s.is_empty()) {
        let NodeKind::Map { .. } = &node.kind else { break };
        let Some(entry) = node.entry(step) else { break };
        at = entry.key.span.start;
        node = &entry.value;
    }
    Some(at)
}

/// The paths the schema declares that locations look up.
struct Paths {
    /// The dotted path of every scalar fact, and the fact.
    values: HashMap<String, ScalarField>,
    /// The keys under `spec` of the rollout strategies kept.
    captures: Vec<&'static str>,
}

fn paths() -> &'static Paths {
    static PATHS: OnceLock<Paths> = OnceLock::new();
    PATHS.get_or_init(|| {
        let mut paths = Paths { values: HashMap::new(), captures: Vec::new() };
        for (path, role) in schema::declarations() {
            match role {
                Role::Value(fact) if !path.contains(&"[]") && path.first() != Some(&"@top") => {
                    paths.values.insert(path.join("."), fact);
                }
                Role::Capture(key) if !paths.captures.contains(&key) => paths.captures.push(key),
                _ => {}
            }
        }
        paths
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::{read, Limits};

    const TEXT: &str = "# a comment\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  annotations: {rwo-guard.dev/mode: fast}\nspec:\n  replicas: 3\n  strategy:\n    type: RollingUpdate\n    rollingUpdate: {maxSurge: 1}\n  template:\n    spec:\n      volumes:\n      - name: d\n        persistentVolumeClaim: {claimName: data}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: bare}\nspec:\n  template:\n    spec:\n      volumes: [{name: d, persistentVolumeClaim: {claimName: data}}]\n";

    fn located(field: Option<&str>, object: usize) -> Location {
        let b = read(TEXT, Limits::default()).expect("valid");
        Location::of(&b.objects[object], field, Origin::File { name: "app.yaml", text: TEXT })
    }

    fn line(field: &str) -> Option<usize> {
        located(Some(field), 0).field.map(|p| p.line)
    }

    #[test]
    fn a_file_gives_the_object_and_each_kind_of_field() {
        let l = located(None, 0);
        assert_eq!((l.file.as_deref(), l.index), (Some("app.yaml"), Some(0)));
        assert_eq!(l.object, Some(Point { line: 2, col: 1, end_col: 20 }));
        assert_eq!(l.prefix().as_deref(), Some("app.yaml:2"));
        assert_eq!(line("spec.replicas"), Some(8));
        assert_eq!(line("metadata.annotations.rwo-guard.dev/mode"), Some(6));
        assert_eq!(line("spec.strategy"), Some(9));
        assert_eq!(line("spec.strategy.type"), Some(10));
        assert_eq!(line("spec.strategy.rollingUpdate.maxSurge"), Some(11));
        assert_eq!(line("spec.template.spec.volumes[0].persistentVolumeClaim.claimName"), Some(16));
        assert_eq!(line("spec.nothing"), None);
        let bare = located(Some("spec.strategy"), 1);
        assert_eq!((bare.index, bare.object.map(|p| p.line)), (Some(1), Some(18)));
        assert_eq!(bare.field.map(|p| p.line), Some(22), "a missing strategy: the spec mapping");
    }

    #[test]
    fn a_stream_gives_the_annotated_file_without_lines() {
        let origin = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    config.kubernetes.io/origin: |\n      path: ../base/pod.yaml\n    config.kubernetes.io/path: pod_p.yaml\n";
        let remote = origin.replace("      path:", "      repo: https://example.com/r\n      path:");
        let generated = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations:\n    config.kubernetes.io/origin: |\n      configuredIn: kustomization.yaml\n      configuredBy: {apiVersion: builtin, kind: ConfigMapGenerator}\n";
        let at = |text: &str| {
            let b = read(text, Limits::default()).expect("valid");
            Location::of(&b.objects[0], Some("spec"), Origin::Stream)
        };
        let l = at(origin);
        assert_eq!((l.file.as_deref(), l.object, l.field), (Some("../base/pod.yaml"), None, None));
        assert_eq!(l.prefix().as_deref(), Some("../base/pod.yaml"));
        assert_eq!(at(&remote).file.as_deref(), Some("pod_p.yaml"), "a remote origin is not a local file");
        assert_eq!(at(generated).file.as_deref(), Some("kustomization.yaml"));
        assert_eq!(at("apiVersion: v1\nkind: Pod\n"), Location::default());
    }
}
