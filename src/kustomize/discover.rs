//! Which kustomizations are under a PATH, what each one uses, and which are roots.
//!
//! A kustomization is a directory holding `kustomization.yaml`, `kustomization.yml` or
//! `Kustomization`. Its file is small, bounded data read with serde_norway (as the config file
//! is): the lists that name other files (`resources`, `bases`, `components`, `patches`,
//! `patchesStrategicMerge`, `patchesJson6902`, the generators' files, `generators`,
//! `transformers`, `crds`, `configurations`, `openapi`, `replacements`). A **root** is a
//! kustomization under the PATH that no other kustomization under the PATH lists as a
//! resource or component. Kustomizations outside the PATH that a root reaches (`../shared`)
//! are read too, so that every file a root uses is known.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Component, Path, PathBuf};

use serde::Deserialize;

/// File names kustomize reads as a kustomization, in the order it looks for them.
pub(crate) const NAMES: &[&str] = &["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// The largest kustomization file read.
const MAX_KUSTOMIZATION_BYTES: u64 = 1 << 20;

/// Most kustomizations read under all PATHs together.
const MAX_KUSTOMIZATIONS: usize = 10_000;

/// One entry of a list that names another file or directory.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Ref {
    /// A local file or directory: its absolute, normalized path.
    Local(PathBuf),
    /// A remote base (git, http, OCI), as written.
    Remote(String),
}

/// A patch file a kustomization lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PatchFile {
    /// The file (absolute, normalized).
    pub file: PathBuf,
    /// `target.kind`, when the entry selects by kind.
    pub target_kind: Option<String>,
    /// `target.name`, when the entry selects by name.
    pub target_name: Option<String>,
    /// The entry has a `target` (by kind, name, labels or annotations): the patch's own name
    /// does not choose what it patches.
    pub targeted: bool,
    /// A JSON 6902 patch (`patchesJson6902`, or a file of operations).
    pub json: bool,
}

/// A patch written inside a kustomization.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Inline {
    /// Its text.
    pub text: String,
    /// `target.kind` and `target.name`, when the entry has them.
    pub target_kind: Option<String>,
    pub target_name: Option<String>,
}

/// One kustomization read.
#[derive(Clone, Debug)]
pub(crate) struct Kustomization {
    /// Its directory (absolute, normalized).
    pub dir: PathBuf,
    /// Its file.
    pub file: PathBuf,
    /// Its text.
    pub text: String,
    /// `kind: Component`.
    pub component: bool,
    /// `resources` and `bases`, in order.
    pub resources: Vec<Ref>,
    /// `components`, in order.
    pub components: Vec<Ref>,
    /// Patch files, in order (inline patches are in `inline_patches`).
    pub patches: Vec<PatchFile>,
    /// Every inline patch (`patches: [{patch: …}]`, an inline `patchesStrategicMerge` entry):
    /// its text and target.
    pub inline_patches: Vec<Inline>,
    /// Every other file it reads that is not an object (generator inputs, transformer configs).
    pub inputs: Vec<PathBuf>,
    /// `namePrefix` and `nameSuffix`.
    pub name_prefix: String,
    pub name_suffix: String,
}

/// What a kustomization file says, as far as rwo-guard needs it.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Raw {
    kind: Option<String>,
    name_prefix: Option<String>,
    name_suffix: Option<String>,
    resources: Vec<String>,
    bases: Vec<String>,
    components: Vec<String>,
    patches: Vec<RawPatch>,
    patches_strategic_merge: Vec<String>,
    patches_json6902: Vec<RawPatch>,
    generators: Vec<String>,
    transformers: Vec<String>,
    validators: Vec<String>,
    crds: Vec<String>,
    configurations: Vec<String>,
    openapi: Option<RawOpenApi>,
    replacements: Vec<RawReplacement>,
    config_map_generator: Vec<RawGenerator>,
    secret_generator: Vec<RawGenerator>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawPatch {
    path: Option<String>,
    patch: Option<String>,
    target: Option<RawTarget>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
#[serde(rename_all = "camelCase")]
struct RawTarget {
    kind: Option<String>,
    name: Option<String>,
    label_selector: Option<String>,
    annotation_selector: Option<String>,
}

impl RawTarget {
    /// Whether the target selects anything.
    fn selects(&self) -> bool {
        self.kind.is_some()
            || self.name.is_some()
            || self.label_selector.is_some()
            || self.annotation_selector.is_some()
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawOpenApi {
    path: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawReplacement {
    path: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawGenerator {
    files: Vec<String>,
    envs: Vec<String>,
    env: Option<String>,
}

/// A problem with a kustomization file: the file and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Problem {
    /// The kustomization file.
    pub file: PathBuf,
    /// What is wrong (one line, with line and column when the parser gives them).
    pub message: String,
}

/// Every kustomization found under the PATHs and reached from them.
#[derive(Debug, Default)]
pub(crate) struct Tree {
    /// By directory.
    pub kustomizations: BTreeMap<PathBuf, Kustomization>,
    /// The roots, in path order.
    pub roots: Vec<PathBuf>,
    /// Every regular YAML/JSON file under the PATHs, in path order, with the PATH it is under.
    pub files: Vec<PathBuf>,
    /// Kustomization files that could not be read.
    pub problems: Vec<Problem>,
}

impl Tree {
    /// Whether `file` is in a kustomization's directory or below one (up to its PATH).
    pub(crate) fn covered(&self, file: &Path) -> bool {
        file.ancestors().skip(1).any(|d| self.kustomizations.contains_key(d))
    }

    /// Every file a kustomization uses as objects (resources that are files), transitively
    /// from `root`, and every patch file and other input on the way (`uses`).
    pub(crate) fn reached(&self, root: &Path) -> Reached {
        let mut out = Reached::default();
        let mut stack = vec![root.to_path_buf()];
        let mut seen = BTreeSet::new();
        while let Some(dir) = stack.pop() {
            if !seen.insert(dir.clone()) {
                continue;
            }
            let Some(k) = self.kustomizations.get(&dir) else { continue };
            out.kustomizations.push(dir.clone());
            for r in k.resources.iter().chain(&k.components) {
                match r {
                    Ref::Local(p) if self.kustomizations.contains_key(p) => stack.push(p.clone()),
                    Ref::Local(p) => {
                        out.objects.insert(p.clone());
                    }
                    Ref::Remote(_) => {}
                }
            }
            out.patches.extend(k.patches.iter().map(|p| p.file.clone()));
            out.inputs.extend(k.inputs.iter().cloned());
        }
        out
    }
}

/// What one root uses.
#[derive(Debug, Default)]
pub(crate) struct Reached {
    /// Its kustomizations, the root first.
    pub kustomizations: Vec<PathBuf>,
    /// Files read as objects.
    pub objects: BTreeSet<PathBuf>,
    /// Patch files.
    pub patches: BTreeSet<PathBuf>,
    /// Other inputs (generator files, configurations).
    pub inputs: BTreeSet<PathBuf>,
}

/// Finds every kustomization under `paths` (absolute, normalized directories) and the ones
/// they reach, and decides the roots.
pub(crate) fn discover(paths: &[PathBuf]) -> Tree {
    let mut tree = Tree::default();
    let mut dirs = Vec::new();
    for p in paths {
        walk(p, &mut dirs, &mut tree.files);
    }
    tree.files.sort();
    tree.files.dedup();
    let mut queue: Vec<PathBuf> = dirs.clone();
    while let Some(dir) = queue.pop() {
        if tree.kustomizations.contains_key(&dir) || tree.kustomizations.len() >= MAX_KUSTOMIZATIONS {
            continue;
        }
        let Some(file) = kustomization_file(&dir) else { continue };
        match load(&dir, &file) {
            Ok(k) => {
                for r in k.resources.iter().chain(&k.components) {
                    if let Ref::Local(p) = r {
                        if p.is_dir() {
                            queue.push(p.clone());
                        }
                    }
                }
                tree.kustomizations.insert(dir, k);
            }
            Err(message) => tree.problems.push(Problem { file, message }),
        }
    }
    let listed: BTreeSet<&PathBuf> = tree
        .kustomizations
        .values()
        .filter(|k| paths.iter().any(|p| k.dir.starts_with(p)))
        .flat_map(|k| k.resources.iter().chain(&k.components))
        .filter_map(|r| match r {
            Ref::Local(p) => Some(p),
            Ref::Remote(_) => None,
        })
        .collect();
    let mut roots: Vec<PathBuf> = dirs.into_iter().filter(|d| !listed.contains(d)).collect();
    roots.sort();
    roots.dedup();
    // A directory whose kustomization could not be read is still a root: building it reports
    // kustomize's own error, located.
    tree.roots = roots;
    tree
}

/// The kustomization file of `dir`, when it has one.
pub(crate) fn kustomization_file(dir: &Path) -> Option<PathBuf> {
    NAMES.iter().map(|n| dir.join(n)).find(|f| fs::symlink_metadata(f).is_ok_and(|m| m.is_file()))
}

/// Walks `dir`: directories holding a kustomization into `dirs`, YAML/JSON files into `files`.
/// Entries starting with `.` and symbolic links to directories are left out (no loops).
fn walk(dir: &Path, dirs: &mut Vec<PathBuf>, files: &mut Vec<PathBuf>) {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        if kustomization_file(&d).is_some() {
            dirs.push(d.clone());
        }
        let Ok(entries) = fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let name = e.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') {
                continue;
            }
            let Ok(kind) = e.file_type() else { continue };
            let path = e.path();
            if kind.is_dir() {
                stack.push(path);
            } else if (kind.is_file() || kind.is_symlink() && path.is_file()) && is_manifest_name(&name) {
                files.push(path);
            }
        }
    }
}

/// A `*.yaml`, `*.yml` or `*.json` file (any case) that is not a kustomization file.
fn is_manifest_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    !NAMES.contains(&name) && [".yaml", ".yml", ".json"].iter().any(|e| lower.ends_with(e))
}

/// Reads one kustomization file.
fn load(dir: &Path, file: &Path) -> Result<Kustomization, String> {
    let text = read_bounded(file)?;
    let raw: Raw = if text.trim().is_empty() {
        Raw::default()
    } else {
        serde_norway::from_str(&text).map_err(|e| super::shown(&e.to_string()))?
    };
    let local = |s: &str| normalize(&dir.join(s));
    let reference = |s: &String| if is_remote(s) { Ref::Remote(s.clone()) } else { Ref::Local(local(s)) };
    let (patches, inline_patches) = patch_lists(&raw, &local);
    Ok(Kustomization {
        dir: dir.to_path_buf(),
        file: file.to_path_buf(),
        component: raw.kind.as_deref() == Some("Component"),
        resources: raw.resources.iter().chain(&raw.bases).map(reference).collect(),
        components: raw.components.iter().map(reference).collect(),
        patches,
        inline_patches,
        inputs: inputs(&raw, &local),
        name_prefix: raw.name_prefix.clone().unwrap_or_default(),
        name_suffix: raw.name_suffix.clone().unwrap_or_default(),
        text,
    })
}

impl RawPatch {
    /// The entry as a patch file at `file`.
    fn file(&self, file: PathBuf, json: bool) -> PatchFile {
        PatchFile {
            file,
            target_kind: self.target.as_ref().and_then(|t| t.kind.clone()),
            target_name: self.target.as_ref().and_then(|t| t.name.clone()),
            targeted: self.target.as_ref().is_some_and(RawTarget::selects),
            json,
        }
    }

    /// The entry's inline patch, if it has one.
    fn inline(&self) -> Option<Inline> {
        Some(Inline {
            text: self.patch.clone()?,
            target_kind: self.target.as_ref().and_then(|t| t.kind.clone()),
            target_name: self.target.as_ref().and_then(|t| t.name.clone()),
        })
    }
}

/// The patch files and inline patches of `patches`, `patchesStrategicMerge` and
/// `patchesJson6902`, in order.
fn patch_lists(raw: &Raw, local: &dyn Fn(&str) -> PathBuf) -> (Vec<PatchFile>, Vec<Inline>) {
    let mut patches = Vec::new();
    let mut inline_patches = Vec::new();
    for p in &raw.patches {
        if let Some(path) = &p.path {
            let file = local(path);
            let json = fs::read_to_string(&file).is_ok_and(|t| is_json_patch(&t));
            patches.push(p.file(file, json));
        }
        inline_patches.extend(p.inline());
    }
    for p in &raw.patches_strategic_merge {
        if p.contains('\n') || p.trim_start().starts_with('{') {
            inline_patches.push(Inline { text: p.clone(), target_kind: None, target_name: None });
        } else {
            patches.push(RawPatch::default().file(local(p), false));
        }
    }
    for p in &raw.patches_json6902 {
        if let Some(path) = &p.path {
            patches.push(p.file(local(path), true));
        }
        inline_patches.extend(p.inline());
    }
    (patches, inline_patches)
}

/// Every other file a kustomization reads that is not an object: generator inputs,
/// generators', transformers' and validators' configs, CRDs, configurations, OpenAPI,
/// replacements.
fn inputs(raw: &Raw, local: &dyn Fn(&str) -> PathBuf) -> Vec<PathBuf> {
    let mut inputs: Vec<PathBuf> = Vec::new();
    for g in raw.config_map_generator.iter().chain(&raw.secret_generator) {
        for f in g.files.iter().chain(&g.envs).chain(&g.env) {
            // `key=path` names the key in the generated object.
            let path = f.split_once('=').map_or(f.as_str(), |(_, p)| p);
            inputs.push(local(path));
        }
    }
    let listed = raw.generators.iter().chain(&raw.transformers).chain(&raw.validators);
    inputs.extend(listed.filter(|s| !s.contains('\n') && !is_remote(s)).map(|s| local(s)));
    inputs.extend(raw.crds.iter().chain(&raw.configurations).map(|s| local(s)));
    inputs.extend(raw.openapi.iter().filter_map(|o| o.path.as_deref()).map(local));
    inputs.extend(raw.replacements.iter().filter_map(|r| r.path.as_deref()).map(local));
    inputs
}

/// A file's text, at most [`MAX_KUSTOMIZATION_BYTES`], UTF-8.
fn read_bounded(file: &Path) -> Result<String, String> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    fs::File::open(file)
        .and_then(|f| f.take(MAX_KUSTOMIZATION_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| format!("cannot read it: {e}"))?;
    if bytes.len() as u64 > MAX_KUSTOMIZATION_BYTES {
        return Err(format!("it is larger than {MAX_KUSTOMIZATION_BYTES} bytes"));
    }
    String::from_utf8(bytes).map_err(|e| format!("it is not UTF-8 (at byte {})", e.utf8_error().valid_up_to()))
}

/// A JSON 6902 patch: a sequence of operations (`- op: …`, `[{"op": …}]`).
fn is_json_patch(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with('[') || t.lines().any(|l| l.trim_start().starts_with("- op:"))
}

/// A resource kustomize fetches (git, http, OCI): a URL, `git@…`, or a host path
/// (`github.com/org/repo//dir?ref=v1`).
pub(crate) fn is_remote(s: &str) -> bool {
    s.contains("://")
        || s.starts_with("git@")
        || s.starts_with("github.com/")
        || s.starts_with("gitlab.com/")
        || s.starts_with("bitbucket.org/")
        || s.contains(".git//")
        || s.contains("?ref=")
}

/// `path` without `.` and `..` components, lexically (it need not exist).
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("rwo-guard-discover-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        fs::canonicalize(dir).unwrap()
    }

    fn write(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }

    #[test]
    fn roots_are_the_kustomizations_nobody_lists() {
        let t = scratch("roots");
        write(
            &t,
            "base/kustomization.yaml",
            "resources: [dep.yaml]\npatches:\n- path: p.yaml\n  target: {kind: Deployment, name: web}\n",
        );
        write(&t, "base/dep.yaml", "kind: Deployment\n");
        write(&t, "base/p.yaml", "kind: Deployment\n");
        write(&t, "base/stray.yaml", "kind: PersistentVolumeClaim\n");
        write(
            &t,
            "a/kustomization.yml",
            "resources:\n- ../base\ncomponents: [../comp]\nconfigMapGenerator:\n- name: c\n  files: [k=conf.txt]\n",
        );
        write(&t, "b/Kustomization", "resources:\n- ../base\n- https://example.com/remote.git//x?ref=v1\n");
        write(&t, "comp/kustomization.yaml", "kind: Component\nresources: [c.yaml]\n");
        write(&t, "lone/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n");
        write(&t, "bad/kustomization.yaml", "resources: {not: a list}\n");
        write(&t, "plain/app.yaml", "kind: Deployment\n");
        let tree = discover(std::slice::from_ref(&t));
        let roots: Vec<String> = tree.roots.iter().map(|r| r.strip_prefix(&t).unwrap().display().to_string()).collect();
        assert_eq!(roots, ["a", "b", "bad", "lone"]);
        assert!(tree.kustomizations[&t.join("lone")].component);
        assert_eq!(tree.problems.len(), 1);
        assert!(tree.problems[0].message.contains("resources"), "{}", tree.problems[0].message);
        assert!(matches!(&tree.kustomizations[&t.join("b")].resources[1], Ref::Remote(_)));
        let a = tree.reached(&t.join("a"));
        assert_eq!(a.kustomizations.len(), 3);
        assert!(a.objects.contains(&t.join("base/dep.yaml")) && a.objects.contains(&t.join("comp/c.yaml")));
        assert!(a.patches.contains(&t.join("base/p.yaml")) && !a.objects.contains(&t.join("base/p.yaml")));
        assert!(a.inputs.contains(&t.join("a/conf.txt")));
        let base = &tree.kustomizations[&t.join("base")];
        assert_eq!(base.patches[0].target_name.as_deref(), Some("web"));
        assert!(tree.covered(&t.join("base/stray.yaml")) && !tree.covered(&t.join("plain/app.yaml")));
        let _ = fs::remove_dir_all(t);
    }

    #[test]
    fn normalizes_lexically() {
        assert_eq!(normalize(Path::new("/a/b/../c/./d")), PathBuf::from("/a/c/d"));
        assert!(is_remote("github.com/org/repo//dir?ref=v1") && !is_remote("../base"));
    }
}
