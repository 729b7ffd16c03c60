//! From a built object back to its source: the file kustomize's `config.kubernetes.io/origin`
//! names (its `path`, relative to the temporary kustomization the root was built through), and
//! in that file the object of the same kind whose name the built name is made of (kustomize
//! adds prefixes and suffixes, never takes away). A generated object names the kustomization
//! holding its generator (`configuredIn`); an object of a remote base names the root's
//! kustomization file.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::discover::{self, Reached, Ref, Tree};
use super::fix::Placed;
use super::{Names, Unit};
use crate::findings::{Diagnostic, Finding, ResourceRef};
use crate::kinds::Layout;
use crate::location::{Location, Origin, Point};
use crate::model::{Object, ScalarField};
use crate::outcome::{self, Suppressed};
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
                // Bounded as every input is: a larger file is not read (its objects go unplaced).
                let size = std::fs::metadata(file).ok()?.len();
                if size > limits.max_input_bytes as u64 {
                    return None;
                }
                let text = std::fs::read_to_string(file).ok()?;
                let bundle = read::read_source(&text, limits).ok()?;
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
    /// A line of a file: the root kustomization's entry of the remote base an object is from.
    Line(PathBuf, usize),
}

/// Where a workload's strategy is set.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Site {
    /// An object in a file (the workload's source, or a patch): the file and its index.
    At(PathBuf, usize),
    /// No local file (a generator, a remote base).
    Unknown,
    /// Somewhere only a person edits (an inline or JSON patch): why, and the file and line.
    Hand(String, Option<(PathBuf, usize)>),
}

/// Where the strategy of workload `o` of bundle `u` is set: a patch of one of the root's
/// kustomizations that sets it (the first found from the root down, a kustomization's last
/// entry first), else the object's own source.
pub(crate) fn strategy_site(
    u: &Unit,
    o: &Object,
    layout: &Layout,
    reached: Option<&Reached>,
    tree: &Tree,
    sources: &mut Sources,
    names: &Names,
) -> Site {
    let source = source_of(u, o, sources);
    let source_name = match &source {
        Some(Source::Object(f, i)) => sources.get(f).and_then(|(_, b)| b.objects[*i].name.clone()),
        _ => None,
    };
    let built_name = o.name.as_deref().unwrap_or_default();
    let matches = |n: &str| !n.is_empty() && (source_name.as_deref() == Some(n) || built_name.contains(n));
    for dir in reached.map(|r| r.kustomizations.as_slice()).unwrap_or_default() {
        let Some(k) = tree.kustomizations.get(dir) else { continue };
        let kind = o.kind.as_deref().unwrap_or_default();
        let sets_strategy = |p: &discover::Inline| {
            let kind_ok = match &p.target_kind {
                Some(t) => t == kind,
                None => p.text.contains(&format!("kind: {kind}")),
            };
            let name_ok = p.target_name.as_deref().is_none_or(matches);
            let key = [format!("/spec/{}", layout.key), format!("{}:", layout.key)];
            kind_ok && name_ok && key.iter().any(|k| p.text.contains(k.as_str()))
        };
        if let Some(p) = k.inline_patches.iter().find(|p| sets_strategy(p)) {
            // The line in the kustomization that names the strategy, in that patch.
            let first = p.text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or_default();
            let lines: Vec<&str> = k.text.lines().collect();
            let start = lines.iter().position(|l| !first.is_empty() && l.contains(first));
            let line = start.map(|s| {
                let key = lines[s..].iter().position(|l| l.contains(layout.key)).map_or(s, |i| s + i);
                (k.file.clone(), key + 1)
            });
            return Site::Hand(format!("an inline patch in {} sets it", names.of(&k.file)), line);
        }
        for pf in k.patches.iter().rev() {
            let kind_ok = pf.target_kind.as_deref().is_none_or(|t| Some(t) == o.kind.as_deref());
            let name_ok = pf.target_name.as_deref().is_none_or(matches);
            if !(kind_ok && name_ok) {
                continue;
            }
            if pf.json {
                let sets =
                    std::fs::read_to_string(&pf.file).is_ok_and(|t| t.contains(&format!("/spec/{}", layout.key)));
                if sets && pf.targeted {
                    let at = std::fs::read_to_string(&pf.file).ok().and_then(|t| {
                        t.lines()
                            .position(|l| l.contains(&format!("/spec/{}", layout.key)))
                            .map(|i| (pf.file.clone(), i + 1))
                    });
                    return Site::Hand(format!("the JSON patch {} sets it", names.of(&pf.file)), at);
                }
                continue;
            }
            let Some((_, bundle)) = sources.get(&pf.file) else { continue };
            let hit = bundle.objects.iter().position(|p| {
                p.kind == o.kind
                    // A patch its entry targets applies whatever its own name says.
                    && (pf.targeted || p.name.as_deref().is_some_and(matches))
                    && p.rollout(layout.key).is_some()
            });
            if let Some(i) = hit {
                return Site::At(pf.file.clone(), i);
            }
        }
    }
    match source {
        Some(Source::Object(f, i)) => Site::At(f, i),
        _ => Site::Unknown,
    }
}

/// kustomize's origin annotation.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct OriginAnnotation {
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
            let Some(text) = o.value(ScalarField::OriginAnnotation).map(|s| s.value.clone()) else { return fallback() };
            let origin: OriginAnnotation = serde_norway::from_str(&text).unwrap_or_default();
            if let Some(repo) = &origin.repo {
                // The root's entry that names the repository, when the root names it itself.
                let k = unit.kustomization.clone()?;
                let text = std::fs::read_to_string(&k).unwrap_or_default();
                let bare = repo.trim_end_matches(".git");
                let line = text.lines().position(|l| !l.trim_start().starts_with('#') && l.contains(bare));
                return Some(match line {
                    Some(i) => Source::Line(k, i + 1),
                    None => Source::File(k),
                });
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

/// The findings of every bundle placed at their source.
#[derive(Default)]
pub(crate) struct Reported {
    /// Every finding, the same one from several roots once, in file and line order.
    pub diagnostics: Vec<Diagnostic>,
    /// Suppressed findings, likewise.
    pub suppressed: Vec<Suppressed>,
    /// Every workload, at its source (when asked for).
    pub checked: Vec<outcome::Checked>,
    /// How many source files the objects came from.
    pub files: usize,
    /// How many Kubernetes objects, each source object once (one built by four roots: one).
    pub objects: usize,
    /// How many workloads among them.
    pub workloads: usize,
}

/// Where a finding about object `o` of bundle `u` is: the patch that sets its strategy when
/// the finding is about the strategy, else its source object; the file's object or the file.
fn place(
    u: &Unit,
    o: &Object,
    field: Option<&str>,
    reached: Option<&Reached>,
    tree: &Tree,
    sources: &mut Sources,
    names: &Names,
) -> (Location, PathBuf, Option<ResourceRef>) {
    let layout = match o.workload().map(|w| w.rollout) {
        Some(crate::kinds::Rollout::Rewrite(l)) => Some(l),
        _ => None,
    };
    let in_strategy = |l: &Layout| field.is_some_and(|p| p.starts_with(&l.path(&[])));
    let patched = match layout.filter(|l| in_strategy(l)) {
        Some(l) => match strategy_site(u, o, l, reached, tree, sources, names) {
            Site::At(file, i) => Some(Source::Object(file, i)),
            Site::Hand(_, Some((file, line))) => Some(Source::Line(file, line)),
            _ => None,
        },
        None => None,
    };
    let source = source_of(u, o, sources);
    let resource = match &source {
        Some(Source::Object(file, i)) => sources.get(file).map(|(_, b)| ResourceRef::of(&b.objects[*i])),
        _ => None,
    };
    match patched.or(source) {
        Some(Source::Object(file, i)) => {
            let name = names.of(&file);
            let loc = sources
                .get(&file)
                .map(|(text, bundle)| Location::of(&bundle.objects[i], field, Origin::File { name: &name, text }))
                .unwrap_or(Location { file: Some(name), ..Location::default() });
            (loc, file, resource)
        }
        Some(Source::File(file)) => (Location { file: Some(names.of(&file)), ..Location::default() }, file, resource),
        Some(Source::Line(file, line)) => {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            let width = text.lines().nth(line - 1).map_or(0, |l| l.chars().count());
            let object = Some(Point { line, col: 1, end_col: width + 1 });
            (Location { file: Some(names.of(&file)), object, ..Location::default() }, file, resource)
        }
        None => (Location::default(), PathBuf::new(), resource),
    }
}

/// `Deployment minio: …` with the roots that found it after the object's name, in brackets,
/// which the text report's headline keeps (`Deployment minio [roots: a, b]: …`), then `extra`
/// (where a fix went) as an aside it may leave out.
fn with_roots(message: &str, display: &str, roots: &[String], extra: Option<&str>) -> String {
    let mut what = match roots {
        [] => String::new(),
        [one] => format!(" [root: {one}]"),
        many => format!(" [roots: {}]", many.join(", ")),
    };
    if let Some(extra) = extra {
        what.push_str(&format!(" ({extra})"));
    }
    match message.strip_prefix(display) {
        Some(rest) => format!("{display}{what}{rest}"),
        None => format!("{message}{what}"),
    }
}

/// Every finding of every bundle at its source, the same finding from several roots once, in
/// the order of their files and lines. A finding about a strategy that a patch sets is placed
/// at that patch's field; one whose fix went into a new patch (`placed`), at that patch.
pub(crate) fn report(
    units: &[Unit],
    tree: &Tree,
    sources: &mut Sources,
    names: &Names,
    placed: &Placed,
    list_checked: bool,
) -> Reported {
    let mut out = Reported::default();
    let mut counted = Counted::default();
    let mut merged = Merged::default();
    for (ui, u) in units.iter().enumerate() {
        let reached = u.root.as_ref().map(|r| tree.reached(r));
        let at = Here { unit: u, index: ui, reached: reached.as_ref(), tree, names };
        counted.count(&at, sources, list_checked.then_some(&mut out.checked));
        let all = u
            .analysis
            .findings
            .iter()
            .map(|f| (f, None))
            .chain(u.analysis.suppressed.iter().map(|(f, r)| (f, Some(r))));
        for (f, reason) in all {
            merged.add(&at, f, reason, sources, placed);
        }
    }
    out.files = counted.files.len();
    out.objects = counted.objects.len();
    out.workloads = counted.workloads;
    merged.finish(&mut out);
    out
}

/// A bundle being reported, and what places its objects.
struct Here<'a> {
    unit: &'a Unit,
    index: usize,
    reached: Option<&'a Reached>,
    tree: &'a Tree,
    names: &'a Names,
}

/// What was checked, each source file and object once.
#[derive(Default)]
struct Counted {
    files: BTreeSet<PathBuf>,
    objects: BTreeSet<(PathBuf, usize, String)>,
    workloads: usize,
}

impl Counted {
    /// Counts a bundle's objects (and lists its workloads in `checked`, when asked).
    fn count(&mut self, at: &Here<'_>, sources: &mut Sources, mut checked: Option<&mut Vec<outcome::Checked>>) {
        let (u, ui) = (at.unit, at.index);
        for o in u.objects.iter().filter(|o| o.kind.is_some() && o.api_version.is_some()) {
            let workload = o.workload().is_some();
            let key = match source_of(u, o, sources) {
                Some(Source::Object(f, i)) => {
                    self.files.insert(f.clone());
                    (f, i, String::new())
                }
                Some(Source::File(f) | Source::Line(f, _)) => {
                    self.files.insert(f.clone());
                    (f, usize::MAX, format!("{ui} {}", o.id.index))
                }
                None => (PathBuf::new(), usize::MAX, format!("{ui} {}", o.id.index)),
            };
            if self.objects.insert(key) && workload {
                self.workloads += 1;
            }
            if let (Some(list), true) = (checked.as_deref_mut(), workload) {
                let (location, _, resource) = place(u, o, None, at.reached, at.tree, sources, at.names);
                let c = outcome::Checked { resource: resource.unwrap_or_else(|| ResourceRef::of(o)), location };
                if !list.contains(&c) {
                    list.push(c);
                }
            }
        }
    }
}

/// One finding, merged across the roots that found it.
struct One {
    location: Location,
    finding: Finding,
    resource: ResourceRef,
    display: String,
    roots: Vec<String>,
    extra: Option<String>,
    reason: Option<String>,
}

/// The findings merged as they come: one per place, rule and change (or message).
#[derive(Default)]
struct Merged {
    all: Vec<One>,
    index: HashMap<(PathBuf, usize, &'static str, String, bool), usize>,
}

impl Merged {
    /// Adds a finding of a bundle (`reason`: suppressed, with the annotation's reason).
    fn add(&mut self, at: &Here<'_>, f: &Finding, reason: Option<&String>, sources: &mut Sources, placed: &Placed) {
        let u = at.unit;
        let o = &u.objects[f.object.index];
        let field = f.field.as_ref().map(|c| c.path.as_str());
        let (mut location, mut file, resource) = place(u, o, field, at.reached, at.tree, sources, at.names);
        let mut extra = None;
        if let Some(new) = placed.get(&(at.index, f.object)) {
            location = new.location.clone();
            file.clone_from(&new.file);
            extra = Some(new.why.clone());
        }
        let line = location.point().map_or(0, |p| p.line);
        let display = resource.as_ref().map_or_else(|| o.display(), display_of);
        let message = match f.message.strip_prefix(&o.display()) {
            Some(rest) => format!("{display}{rest}"),
            None => f.message.clone(),
        };
        let what = match &f.field {
            Some(c) => format!("{}={:?}", c.path, c.proposed),
            None => message.clone(),
        };
        let key = (file, line, f.rule.name, what, reason.is_some());
        let all = &mut self.all;
        let i = *self.index.entry(key).or_insert_with(|| {
            all.push(One {
                location,
                finding: Finding { message, ..f.clone() },
                resource: resource.unwrap_or_else(|| ResourceRef::of(o)),
                display,
                roots: Vec::new(),
                extra,
                reason: reason.cloned(),
            });
            all.len() - 1
        });
        if u.root.is_some() && !self.all[i].roots.contains(&u.name) {
            self.all[i].roots.push(u.name.clone());
        }
    }

    /// The diagnostics and suppressed findings, in file and line order.
    fn finish(mut self, out: &mut Reported) {
        // Stable: findings at one place keep the order the rules gave them.
        self.all.sort_by(|a, b| {
            let key = |o: &One| (o.location.file.clone(), o.location.point().map_or(0, |p| p.line));
            key(a).cmp(&key(b))
        });
        for one in self.all {
            let message = with_roots(&one.finding.message, &one.display, &one.roots, one.extra.as_deref());
            let finding = Finding { message, ..one.finding };
            let diagnostic = Diagnostic { finding, resource: one.resource, location: one.location };
            match one.reason {
                Some(reason) => out.suppressed.push(Suppressed { diagnostic, reason }),
                None => out.diagnostics.push(diagnostic),
            }
        }
    }
}

/// `Kind namespace/name` of a reference, as `Object::display` writes it.
fn display_of(r: &ResourceRef) -> String {
    match &r.namespace {
        Some(ns) => format!("{} {ns}/{}", r.kind, r.name),
        None => format!("{} {}", r.kind, r.name),
    }
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
            let mentioned = why.contains(bare)
                || (k.resources.iter().any(|r| matches!(r, Ref::Remote(s) if *s == entry)) && remote_error(why));
            if mentioned {
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
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            !l.starts_with('#') && l.contains(needle)
        })
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("rwo-guard-map-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::canonicalize(dir).unwrap()
    }

    /// A built stream as kustomize writes it through `dir/build` (origin paths relative to it).
    fn built(dir: &Path, text: &str) -> Unit {
        let origin = Origins::Built { dir: dir.join("build") };
        super::super::unit(
            "root",
            Some(dir.join("root")),
            Some(dir.join("root/kustomization.yaml")),
            text,
            origin,
            &Config::default(),
            Limits::default(),
        )
        .unwrap()
    }

    #[test]
    fn origins_lead_to_the_object_the_file_or_the_root() {
        let dir = scratch("origins");
        std::fs::create_dir_all(dir.join("base")).unwrap();
        std::fs::write(
            dir.join("base/app.yaml"),
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-canary\n",
        )
        .unwrap();
        let doc = |kind: &str, name: &str, origin: &str| {
            format!("apiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: {name}\n  annotations:\n    config.kubernetes.io/origin: |\n{origin}---\n")
        };
        let text = [
            doc("Deployment", "p-web-canary-s", "      path: ../base/app.yaml\n"),
            doc("Deployment", "p-web-s", "      path: ../base/app.yaml\n"),
            doc("ConfigMap", "cfg-5g7hk", "      configuredIn: ../base/kustomization.yaml\n      configuredBy:\n        kind: ConfigMapGenerator\n"),
            doc("Deployment", "remote", "      path: deploy/app.yaml\n      repo: https://example.com/r.git\n      ref: v1\n"),
            doc("Deployment", "bare", ""),
        ]
        .concat();
        let u = built(&dir, &text);
        let mut sources = Sources::new(Limits::default());
        let at = |i: usize, sources: &mut Sources| source_of(&u, &u.objects[i], sources);
        assert_eq!(at(0, &mut sources), Some(Source::Object(dir.join("base/app.yaml"), 2)), "the longest name wins");
        assert_eq!(at(1, &mut sources), Some(Source::Object(dir.join("base/app.yaml"), 1)));
        assert_eq!(at(2, &mut sources), Some(Source::File(dir.join("base/kustomization.yaml"))), "a generator");
        let root = Some(Source::File(dir.join("root/kustomization.yaml")));
        assert_eq!(at(3, &mut sources), root, "a remote base: the root's kustomization");
        assert_eq!(at(4, &mut sources), root, "no origin: the root's kustomization");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn plain_files_map_by_offset() {
        let dir = scratch("plain");
        let a = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n";
        let b = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n";
        std::fs::write(dir.join("a.yaml"), a).unwrap();
        std::fs::write(dir.join("b.yaml"), b).unwrap();
        let text = format!("{a}---\n{b}---\n");
        let parts = vec![(0, dir.join("a.yaml")), (a.len() + 4, dir.join("b.yaml"))];
        let u = super::super::unit(
            "plain",
            None,
            None,
            &text,
            Origins::Plain { parts },
            &Config::default(),
            Limits::default(),
        )
        .unwrap();
        let mut sources = Sources::new(Limits::default());
        let got: Vec<Option<Source>> = u.objects.iter().map(|o| source_of(&u, o, &mut sources)).collect();
        assert_eq!(
            got,
            [
                Some(Source::Object(dir.join("a.yaml"), 0)),
                Some(Source::Object(dir.join("b.yaml"), 0)),
                Some(Source::Object(dir.join("b.yaml"), 1))
            ]
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_build_error_is_placed_at_the_entry_it_names() {
        let dir = scratch("located");
        std::fs::create_dir_all(dir.join("r")).unwrap();
        std::fs::write(
            dir.join("r/kustomization.yaml"),
            "resources:\n- ok.yaml\n# the remote one\n- https://example.invalid/x.git//d?ref=v1\n",
        )
        .unwrap();
        let tree = discover::discover(std::slice::from_ref(&dir));
        let names = Names::new(&[PathBuf::from("t")], std::slice::from_ref(&dir));
        let why = "accumulating resources from 'https://example.invalid/x.git//d?ref=v1': Could not resolve host";
        assert_eq!(locate_build_error(&tree, &dir.join("r"), why, &names), "t/r/kustomization.yaml:4");
        assert_eq!(locate_build_error(&tree, &dir.join("r"), "something else", &names), "t/r/kustomization.yaml");
        let _ = std::fs::remove_dir_all(dir);
    }
}
