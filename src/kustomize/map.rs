//! From a built object back to its source: the file kustomize's `config.kubernetes.io/origin`
//! names (its `path`, relative to the temporary kustomization the root was built through), and
//! in that file the object of the same kind whose name the built name is made of (kustomize
//! adds prefixes and suffixes, never takes away). A generated object names the kustomization
//! holding its generator (`configuredIn`); an object of a remote base names the root's
//! kustomization file.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::discover::{self, Ref, Tree};
use super::{Names, Reported, Unit};
use crate::location::{Location, Read};
use crate::model::{Fact, Object};
use crate::read::{self, Bundle, Limits};

/// Where a bundle's objects come from.
#[derive(Clone, Debug)]
pub(crate) enum Origins {
    /// A root's build, through a temporary kustomization in `dir`.
    Built {
        /// The temporary directory origin paths are relative to.
        dir: PathBuf,
    },
    /// Plain files one after another: where each starts in the text, and the file.
    Plain {
        /// (offset, file), in order.
        parts: Vec<(usize, PathBuf)>,
    },
}

/// Source files read, each once.
pub(crate) struct Sources {
    limits: Limits,
    files: HashMap<PathBuf, Option<(String, Bundle)>>,
}

impl Sources {
    pub(crate) fn new(limits: Limits) -> Sources {
        Sources { limits, files: HashMap::new() }
    }

    /// A file's text and facts (`None`: it cannot be read as YAML).
    pub(crate) fn get(&mut self, file: &Path) -> Option<&(String, Bundle)> {
        let limits = self.limits;
        self.files
            .entry(file.to_path_buf())
            .or_insert_with(|| {
                let text = std::fs::read_to_string(file).ok()?;
                let bundle = read::read(&text, limits).ok()?;
                Some((text, bundle))
            })
            .as_ref()
    }
}

/// Where a built object is defined.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Source {
    /// An object in a file: the file and the object's index in it.
    Object(PathBuf, usize),
    /// A file without a known object (a generator's kustomization, a remote base's root).
    File(PathBuf),
}

impl Source {
    pub(crate) fn file(&self) -> &Path {
        match self {
            Source::Object(f, _) | Source::File(f) => f,
        }
    }
}

/// kustomize's origin annotation.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Origin {
    path: Option<String>,
    repo: Option<String>,
    configured_in: Option<String>,
}

/// Where object `o` of `unit` is defined.
pub(crate) fn source_of(unit: &Unit, o: &Object, sources: &mut Sources) -> Option<Source> {
    match &unit.origin {
        Origins::Plain { parts } => {
            let at = o.span.start.offset;
            let i = parts.partition_point(|(start, _)| *start <= at).checked_sub(1)?;
            let (start, file) = &parts[i];
            let (_, bundle) = sources.get(file)?;
            let index = bundle.objects.iter().position(|s| s.span.start.offset + start == at)?;
            Some(Source::Object(file.clone(), index))
        }
        Origins::Built { dir } => {
            let fallback = || unit.kustomization.clone().map(Source::File);
            let Some(text) = o.value(Fact::OriginAnnotation).map(|s| s.value.clone()) else { return fallback() };
            let origin: Origin = serde_norway::from_str(&text).unwrap_or_default();
            if origin.repo.is_some() {
                return fallback();
            }
            if let Some(path) = origin.path {
                let file = discover::normalize(&dir.join(path));
                return Some(match find_object(o, &file, sources) {
                    Some(i) => Source::Object(file, i),
                    None => Source::File(file),
                });
            }
            match origin.configured_in {
                Some(k) => Some(Source::File(discover::normalize(&dir.join(k)))),
                None => fallback(),
            }
        }
    }
}

/// The object in `file` that `built` was made from: same kind, and the longest name that the
/// built name contains (kustomize adds prefixes and suffixes); the only one of its kind when no
/// name matches.
fn find_object(built: &Object, file: &Path, sources: &mut Sources) -> Option<usize> {
    let (_, bundle) = sources.get(file)?;
    let name = built.name.as_deref().unwrap_or_default();
    let same_kind: Vec<(usize, &Object)> =
        bundle.objects.iter().enumerate().filter(|(_, s)| s.kind == built.kind).collect();
    let by_name = same_kind
        .iter()
        .filter(|(_, s)| s.name.as_deref().is_some_and(|n| !n.is_empty() && name.contains(n)))
        .max_by_key(|(_, s)| s.name.as_ref().map_or(0, String::len));
    match (by_name, same_kind.as_slice()) {
        (Some((i, _)), _) => Some(*i),
        (None, [(i, _)]) => Some(*i),
        _ => None,
    }
}

/// Every finding of every bundle at its source, the same finding from several roots once.
pub(crate) fn report(units: &[Unit], _tree: &Tree, sources: &mut Sources, names: &Names) -> Vec<Reported> {
    let mut merged: BTreeMap<(String, usize, &'static str, String), Reported> = BTreeMap::new();
    for u in units {
        for f in &u.analysis.findings {
            let o = &u.bundle.objects[f.object];
            let field = f.field.as_ref().map(|c| c.path.as_str());
            let (place, line, key_file) = match source_of(u, o, sources) {
                Some(Source::Object(file, i)) => {
                    let name = names.of(&file);
                    let loc = sources.get(&file).map(|(text, bundle)| {
                        Location::of(&bundle.objects[i], field, Read::File { name: &name, text })
                    });
                    let loc = loc.unwrap_or_default();
                    let line = loc.point().map_or(0, |p| p.line);
                    (loc.prefix().unwrap_or(name), line, file)
                }
                Some(Source::File(file)) => (names.of(&file), 0, file),
                None => ("rwo-guard".to_string(), 0, PathBuf::new()),
            };
            let change = f.field.as_ref().map(|c| format!("{}={:?}", c.path, c.proposed)).unwrap_or_default();
            let key = (key_file.display().to_string(), line, f.rule.name, format!("{change}{}", if line == 0 { f.message.clone() } else { String::new() }));
            let entry = merged.entry(key).or_insert_with(|| Reported {
                place,
                severity: f.severity,
                rule: f.rule.name,
                message: f.message.clone(),
                roots: Vec::new(),
            });
            if !entry.roots.contains(&u.name) {
                entry.roots.push(u.name.clone());
            }
        }
    }
    merged.into_values().collect()
}

/// Every file any kustomization uses (objects, patches, other inputs).
pub(crate) fn used_anywhere(tree: &Tree) -> BTreeSet<PathBuf> {
    let mut used = BTreeSet::new();
    for k in tree.kustomizations.values() {
        for r in k.resources.iter().chain(&k.components) {
            if let Ref::Local(p) = r {
                used.insert(p.clone());
            }
        }
        used.extend(k.patches.iter().map(|p| p.file.clone()));
        used.extend(k.inputs.iter().cloned());
    }
    used
}

/// The YAML files in a kustomization's directory (or below) that no kustomization uses.
pub(crate) fn undeployed(tree: &Tree) -> Vec<PathBuf> {
    let used = used_anywhere(tree);
    tree.files.iter().filter(|f| tree.covered(f) && !used.contains(*f)).cloned().collect()
}

/// `file:line` for a root that did not build: the line of the first entry of its
/// kustomizations that kustomize's error names (a remote base, a missing file), else the
/// root's kustomization file.
pub(crate) fn locate_build_error(tree: &Tree, root: &Path, why: &str, names: &Names) -> String {
    let reached = tree.reached(root);
    for dir in &reached.kustomizations {
        let Some(k) = tree.kustomizations.get(dir) else { continue };
        let entries = k.resources.iter().chain(&k.components).map(|r| match r {
            Ref::Local(p) => super::build::relative(&k.dir, p).display().to_string(),
            Ref::Remote(s) => s.clone(),
        });
        let patches = k.patches.iter().map(|p| super::build::relative(&k.dir, &p.file).display().to_string());
        for entry in entries.chain(patches) {
            let bare = entry.trim_start_matches("./");
            let named = why.contains(bare) || (k.resources.iter().any(|r| matches!(r, Ref::Remote(s) if *s == entry)) && remote_error(why));
            if named {
                if let Some(line) = line_of(&k.text, bare) {
                    return format!("{}:{line}", names.of(&k.file));
                }
            }
        }
    }
    tree.kustomizations.get(root).map_or_else(|| names.of(root), |k| names.of(&k.file))
}

/// An error kustomize gives when it cannot fetch a remote base.
fn remote_error(why: &str) -> bool {
    ["git", "http", "fetch", "clone", "network", "resolve", "dial", "repo"].iter().any(|w| why.contains(w))
}

/// The 1-based line of the first line of `text` that holds `needle` as a list entry or value.
fn line_of(text: &str, needle: &str) -> Option<usize> {
    text.lines().position(|l| {
        let l = l.trim_start();
        !l.starts_with('#') && l.contains(needle)
    })
    .map(|i| i + 1)
}
