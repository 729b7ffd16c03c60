//! `fix` on kustomize roots: each edit made where the strategy is set, verified by rebuilding.
//!
//! For every workload a bundle plans to fix, the **site** of its strategy is found: a patch of
//! one of the root's kustomizations that sets it (the first found from the root down, the last
//! entry of a kustomization first), else the object's own source. When every bundle that builds
//! that site plans the same strategy, the site is edited with the ordinary rewriter and checked
//! by the ordinary verifier on its own text. When they disagree (a base shared by an overlay
//! that mounts an exclusive claim and one that does not), or the object has no local source (a
//! generator, a remote base), the root that needs the fix gets a new strategic-merge patch
//! beside its kustomization, added to its `patches:` by a splice in that file's style.
//!
//! Nothing is written before every root has been rebuilt by kustomize from the edited texts in
//! a temporary copy of the tree and planned nothing more; then the new patch files are created
//! and the edited files replaced as `--in-place` does (all or nothing).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::discover::Tree;
use super::map::{self, Source, Sources};
use super::{FileEdit, Names, NewFile, Options, Unit};
use crate::config::Config;
use crate::error::exit;
use crate::findings::ObjectPlan;
use crate::kinds::Layout;
use crate::kinds::Rollout;
use crate::location::{Location, Origin};
use crate::model::{Object, ObjectId};
use crate::read::{self, Limits};
use crate::rewrite::{self, Edit};
use crate::strategy::{self, Fix, Val};
use crate::yaml::{Event, Events};

/// Why `fix` wrote nothing, and the exit code.
#[derive(Debug)]
pub(crate) struct FixError {
    /// What went wrong.
    pub message: String,
    /// The exit code.
    pub code: i32,
}

impl std::fmt::Display for FixError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

fn internal(message: String) -> FixError {
    FixError { message, code: exit::INTERNAL }
}

/// Where a workload's strategy is edited.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Site {
    /// An object in a file (the workload's source, or a patch): the file and its index.
    At(PathBuf, usize),
    /// Nowhere rwo-guard edits: a new patch in the root (the bundle and object).
    Root(usize, usize),
    /// Somewhere only a person edits (an inline or JSON patch): why.
    Hand(String),
}

/// A new strategic-merge patch beside a root's kustomization.
struct NewPatch {
    /// The bundle (root) it is for, and the workload.
    unit: usize,
    object: ObjectId,
    /// The file to create, and the kustomization that lists it.
    file: PathBuf,
    kustomization: PathBuf,
    /// Its text.
    text: String,
    /// Where the report places the fix.
    placed: PlacedAt,
}

/// One workload of one bundle.
struct Need<'u> {
    unit: usize,
    object: &'u Object,
    layout: &'static Layout,
    plan: Option<&'u ObjectPlan>,
}

/// Where a fix that did not go to the workload's source went: a new patch.
#[derive(Clone, Debug)]
pub(crate) struct PlacedAt {
    /// The place of its strategy in the new patch.
    pub location: Location,
    /// The new patch.
    pub file: PathBuf,
    /// What the report says about it.
    pub why: String,
}

/// The fixes placed in new patches, by bundle and object.
pub(crate) type Placed = HashMap<(usize, ObjectId), PlacedAt>;

/// What a fix writes, verified.
pub(crate) struct FixPlan {
    /// Existing files edited.
    pub edits: Vec<FileEdit>,
    /// New patch files.
    pub new_files: Vec<NewFile>,
    /// The fixes that went into new patches.
    pub placed: Placed,
}

/// Plans every fix at its site (or in a new patch), verifies each edit on its text, then
/// rebuilds every root from the edited texts in a temporary copy. A fix that cannot be made
/// turns its findings into an `unsupported-strategy` warning in its bundle.
pub(crate) fn plan(
    units: &mut [Unit],
    tree: &Tree,
    sources: &mut Sources,
    names: &Names,
    opts: &Options,
    config: &Config,
) -> Result<FixPlan, FixError> {
    let mut decided = Decided::default();
    {
        let cx = Cx { units, tree, names, opts };
        for (site, needs) in &sites(units, tree, sources, names) {
            decided.decide(&cx, site, needs, sources)?;
        }
    }
    let Decided { mut edits, new_patches, by_hand } = decided;
    // The fixes nobody can write: a warning in their bundle instead (never a false "fixed").
    for (ui, id, why) in &by_hand {
        let u = &mut units[*ui];
        if let Some(i) = u.analysis.plans.iter().position(|p| p.object == *id) {
            let object = &u.objects[id.index];
            crate::rules::unplaceable(&mut u.analysis, i, object, why);
        }
    }
    list_new_patches(&new_patches, &mut edits, names)?;
    let mut files = Vec::new();
    let mut texts: BTreeMap<PathBuf, String> = BTreeMap::new();
    for (file, e) in edits {
        let text =
            std::fs::read_to_string(&file).map_err(|e| internal(format!("cannot read {}: {e}", names.of(&file))))?;
        let sorted = rewrite::normalize(e).map_err(|why| internal(why.to_string()))?;
        texts.insert(file.clone(), rewrite::splice(&text, &sorted));
        files.push(FileEdit { name: names.of(&file), given: names.given_path(&file), path: file, text, edits: sorted });
    }
    let mut placed = Placed::new();
    for p in &new_patches {
        texts.insert(p.file.clone(), p.text.clone());
        placed.insert((p.unit, p.object), p.placed.clone());
    }
    if !texts.is_empty() {
        let hand: Vec<(usize, String)> =
            by_hand.iter().map(|(u, id, _)| (*u, units[*u].objects[id.index].display())).collect();
        rebuild_and_check(units, tree, &texts, &hand, opts, config, names)?;
    }
    let new_files = new_patches
        .into_iter()
        .map(|p| NewFile { name: names.of(&p.file), given: names.given_path(&p.file), path: p.file, text: p.text })
        .collect();
    Ok(FixPlan { edits: files, new_files, placed })
}

/// What the fixes plan and where the plan is read from.
struct Cx<'a> {
    units: &'a [Unit],
    tree: &'a Tree,
    names: &'a Names,
    opts: &'a Options,
}

/// Every workload of every bundle, by the site of its strategy.
fn sites<'u>(units: &'u [Unit], tree: &Tree, sources: &mut Sources, names: &Names) -> BTreeMap<Site, Vec<Need<'u>>> {
    let mut sites: BTreeMap<Site, Vec<Need<'u>>> = BTreeMap::new();
    for (ui, u) in units.iter().enumerate() {
        let reached = u.root.as_ref().map(|r| tree.reached(r));
        for o in &u.objects {
            let Some(Rollout::Rewrite(layout)) = o.workload().map(|w| w.rollout) else { continue };
            let plan = u.analysis.plans.iter().find(|p| p.object == o.id);
            let site = match map::strategy_site(u, o, layout, reached.as_ref(), tree, sources, names) {
                map::Site::At(file, i) => Site::At(file, i),
                map::Site::Hand(why, _) => Site::Hand(why),
                map::Site::Unknown if u.root.is_some() => Site::Root(ui, o.id.index),
                map::Site::Unknown => Site::Hand("its source is unknown".into()),
            };
            sites.entry(site).or_default().push(Need { unit: ui, object: o, layout, plan });
        }
    }
    sites
}

/// Edits at sites, new patches in roots, and the fixes left to a person (bundle, object, why).
#[derive(Default)]
struct Decided {
    edits: BTreeMap<PathBuf, Vec<Edit>>,
    new_patches: Vec<NewPatch>,
    by_hand: Vec<(usize, ObjectId, String)>,
}

impl Decided {
    /// Decides one site: edited when every bundle building it plans the same strategy, else a
    /// patch in each root that needs one; never a file outside the PATHs.
    fn decide(&mut self, cx: &Cx<'_>, site: &Site, needs: &[Need<'_>], sources: &mut Sources) -> Result<(), FixError> {
        let planned: Vec<&Need<'_>> = needs.iter().filter(|n| n.plan.is_some()).collect();
        let Some(first) = planned.first() else { return Ok(()) };
        let same = planned.len() == needs.len()
            && planned.iter().all(|n| n.plan.map(|p| &p.expected) == first.plan.map(|p| &p.expected));
        let names = cx.names;
        match site {
            // Never written: a file outside the PATHs given; the roots, under them, get a patch.
            Site::At(file, _) if !names.inside(file) => {
                let why = format!("{} is outside the paths given", names.of(file));
                self.root_patches(cx, &planned, &why, sources)
            }
            Site::At(file, index) if same => {
                let is_patch = cx.tree.kustomizations.values().any(|k| k.patches.iter().any(|p| p.file == *file));
                match edit_at(file, *index, first, is_patch, sources, cx.opts)? {
                    Ok(Some(e)) => {
                        self.edits.entry(file.clone()).or_default().extend(e);
                        Ok(())
                    }
                    Ok(None) => {
                        let why = format!(
                            "the strategy {} sets is already safe; the one built comes from elsewhere",
                            names.of(file)
                        );
                        self.root_patches(cx, &planned, &why, sources)
                    }
                    Err(why) => {
                        for n in &planned {
                            self.by_hand.push((n.unit, n.object.id, format!("{}: {why}", names.of(file))));
                        }
                        Ok(())
                    }
                }
            }
            Site::At(file, _) => {
                let rest: Vec<&str> =
                    needs.iter().filter(|n| n.plan.is_none()).map(|n| cx.units[n.unit].name.as_str()).collect();
                let why = match rest.as_slice() {
                    [] => format!("the roots building {} need different strategies", names.of(file)),
                    [one] => format!("the roots building {} disagree: {one} needs no fix", names.of(file)),
                    many => format!("the roots building {} disagree: {} need no fix", names.of(file), many.join(", ")),
                };
                self.root_patches(cx, &planned, &why, sources)
            }
            Site::Root(..) => {
                let why = "it has no local source (made by a generator, or from a remote base)";
                self.root_patches(cx, &planned, why, sources)
            }
            Site::Hand(why) => {
                for n in &planned {
                    self.by_hand.push((n.unit, n.object.id, why.clone()));
                }
                Ok(())
            }
        }
    }

    /// A new patch in the root of each planned workload (a plain file's is left to a person).
    fn root_patches(
        &mut self,
        cx: &Cx<'_>,
        planned: &[&Need<'_>],
        why: &str,
        sources: &mut Sources,
    ) -> Result<(), FixError> {
        for n in planned {
            if cx.units[n.unit].root.is_none() {
                self.by_hand.push((n.unit, n.object.id, "it is in no kustomization".into()));
                continue;
            }
            let p = patch_for(n, cx.units, sources, &self.new_patches, why, cx.names, cx.tree)?;
            self.new_patches.push(p);
        }
        Ok(())
    }
}

/// Each kustomization's edit that lists its new patches (one edit for all of them).
fn list_new_patches(
    new_patches: &[NewPatch],
    edits: &mut BTreeMap<PathBuf, Vec<Edit>>,
    names: &Names,
) -> Result<(), FixError> {
    let mut listed: BTreeMap<PathBuf, Vec<String>> = BTreeMap::new();
    for p in new_patches {
        let entry = p.file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        listed.entry(p.kustomization.clone()).or_default().push(entry);
    }
    for (k, entries) in &listed {
        let text = std::fs::read_to_string(k).map_err(|e| internal(format!("cannot read {}: {e}", names.of(k))))?;
        let edit = add_patches(&text, entries).map_err(|why| FixError {
            message: format!("cannot add the new patches to {}: {why}", names.of(k)),
            code: exit::INPUT,
        })?;
        edits.entry(k.clone()).or_default().push(edit);
    }
    Ok(())
}

/// The fix a bundle's plan makes, from the strategy it expects.
fn fix_of(plan: &ObjectPlan) -> Fix {
    let l = plan.layout;
    let recreate =
        l.recreate().is_some_and(|r| plan.expected.as_ref().and_then(|e| e.get("type")) == Some(&Val::word(r)));
    if recreate {
        let null_params = l.params.is_some_and(|p| plan.expected.as_ref().and_then(|e| e.get(p)) == Some(&Val::Null));
        Fix::Recreate { null_params }
    } else {
        Fix::NoSurge
    }
}

/// The edits at a site: the object at `index` of `file`, planned with the bundles' fix and
/// checked by the verifier on the file's text. `Ok(Ok(None))`: the site's own strategy is
/// already safe (what the bundles see comes from elsewhere): a patch in each root instead.
/// `Ok(Err(why))`: the text's layout leaves the rewriter no place for the edit (a warning, as
/// for any file). `Err`: the edit failed its verification (an internal error: nothing written).
fn edit_at(
    file: &Path,
    index: usize,
    need: &Need<'_>,
    is_patch: bool,
    sources: &mut Sources,
    opts: &Options,
) -> Result<Result<Option<Vec<Edit>>, String>, FixError> {
    let Some(plan) = need.plan else { return Ok(Ok(None)) };
    let Some((text, bundle)) = sources.get(file) else {
        return Ok(Err("the file cannot be read again".into()));
    };
    let o = &bundle.objects[index];
    let node = o.rollout(need.layout.key).map(|c| &c.node);
    let mut fix = fix_of(plan);
    if let (Fix::Recreate { .. }, true) = (fix, is_patch) {
        // In a strategic-merge patch, `null` deletes what the base sets.
        fix = Fix::Recreate { null_params: true };
    }
    let site_ops = strategy::plan(node, fix, need.layout);
    if site_ops.is_empty() {
        return Ok(Ok(None));
    }
    let expected = strategy::apply(node.map(strategy::val), &site_ops).map(Val::normalized);
    let site_plan = ObjectPlan { object: o.id, layout: need.layout, ops: site_ops, expected };
    let edits = match rewrite::edits_for(text, o, &site_plan) {
        Ok(edits) => edits,
        Err(why) => return Ok(Err(why.to_string())),
    };
    crate::verify::verify_regions(
        text,
        bundle,
        &bundle.objects,
        std::slice::from_ref(&site_plan),
        std::slice::from_ref(&edits),
        opts.limits,
    )
    .map_err(|e| internal(format!("the edit of {} failed its verification: {e}", file.display())))?;
    Ok(Ok(Some(edits)))
}

/// A new strategic-merge patch beside the root's kustomization for `n`.
fn patch_for(
    need: &Need<'_>,
    units: &[Unit],
    sources: &mut Sources,
    taken: &[NewPatch],
    why: &str,
    names: &Names,
    tree: &Tree,
) -> Result<NewPatch, FixError> {
    let unit = &units[need.unit];
    let (Some(kustomization), Some(plan)) = (&unit.kustomization, need.plan) else {
        return Err(internal("a patch without a root".into()));
    };
    let dir = kustomization.parent().unwrap_or(Path::new("."));
    let object = need.object;
    let source = map::source_of(unit, object, sources);
    let (name, namespace) = match &source {
        Some(Source::Object(f, i)) => sources
            .get(f)
            .map(|(_, b)| (b.objects[*i].name.clone(), b.objects[*i].namespace.clone()))
            .unwrap_or((object.name.clone(), None)),
        // No source here (a remote base, a generator): the built name without the root's own
        // prefix and suffix, the name the root's patches see.
        _ => {
            let built = object.name.clone().unwrap_or_default();
            let root = unit.root.as_ref().and_then(|r| tree.kustomizations.get(r));
            let bare = root.map_or(built.as_str(), |k| {
                let rest = built.strip_prefix(k.name_prefix.as_str()).unwrap_or(&built);
                rest.strip_suffix(k.name_suffix.as_str()).unwrap_or(rest)
            });
            (Some(bare.to_string()), None)
        }
    };
    let name = name.unwrap_or_default();
    let stem: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '.' { c } else { '-' }).collect();
    let mut file = dir.join(format!("{stem}-strategy-patch.yaml"));
    let mut n2 = 2;
    while file.exists() || taken.iter().any(|p| p.file == file) {
        file = dir.join(format!("{stem}-strategy-patch-{n2}.yaml"));
        n2 += 1;
    }
    let mut value = plan.expected.clone().unwrap_or(Val::Null);
    if let (Fix::Recreate { .. }, Some(p), Val::Map(m)) = (fix_of(plan), need.layout.params, &mut value) {
        if !m.iter().any(|(k, _)| *k == Val::word(p)) {
            // The base's rolling parameters, deleted (the API rejects them beside Recreate).
            m.push((Val::word(p), Val::Null));
        }
    }
    let mut text = format!(
        "# Written by rwo-guard: in this root, {} mounts an exclusive claim,\n# and a rollout that starts a new pod beside the old one would hang on it.\napiVersion: {}\nkind: {}\nmetadata:\n  name: {}\n",
        super::shown(&object.display()),
        scalar(&Val::word(object.api_version.as_deref().unwrap_or_default())),
        scalar(&Val::word(object.kind.as_deref().unwrap_or_default())),
        scalar(&Val::Str(name)),
    );
    if let Some(ns) = namespace.filter(|ns| !ns.is_empty()) {
        let _ = writeln!(text, "  namespace: {}", scalar(&Val::word(&ns)));
    }
    let _ = writeln!(text, "spec:\n  {}:", need.layout.key);
    block(&value, 4, &mut text);
    // The report places the fix at the new patch's strategy.
    let name = names.of(&file);
    let field = need.layout.path(&[]);
    let location = read::read_source(&text, Limits::default())
        .ok()
        .and_then(|b| {
            b.objects.first().map(|p| Location::of(p, Some(&field), Origin::File { name: &name, text: &text }))
        })
        .unwrap_or(Location { file: Some(name.clone()), ..Location::default() });
    let why = format!("in the new patch {name}, added to {}, as {why}", names.of(kustomization));
    Ok(NewPatch {
        unit: need.unit,
        object: object.id,
        file: file.clone(),
        kustomization: kustomization.clone(),
        text,
        placed: PlacedAt { location, file, why },
    })
}

/// A value in block style at `indent`.
fn block(v: &Val, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Val::Map(entries) => {
            for (k, v) in entries {
                match v {
                    Val::Map(inner) if !inner.is_empty() => {
                        let _ = writeln!(out, "{pad}{}:", scalar(k));
                        block(v, indent + 2, out);
                    }
                    _ => {
                        let _ = writeln!(out, "{pad}{}: {}", scalar(k), scalar(v));
                    }
                }
            }
        }
        other => {
            let _ = writeln!(out, "{pad}{}", scalar(other));
        }
    }
}

/// A scalar as YAML: plain when it reads back as the same string, else a JSON string.
fn scalar(v: &Val) -> String {
    match v {
        Val::Null | Val::Alias => "null".into(),
        Val::Int(i) => i.to_string(),
        Val::Str(s) => {
            let plain = !s.is_empty()
                && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./%".contains(c))
                && !s.starts_with(['-', '.', '%'])
                && strategy::scalar_val(s, true) == Val::Str(s.clone())
                && !["true", "false", "yes", "no", "on", "off", "y", "n"].contains(&s.to_ascii_lowercase().as_str())
                && s.parse::<f64>().is_err();
            if plain {
                s.clone()
            } else {
                serde_json::to_string(s).unwrap_or_default()
            }
        }
        other => serde_json::to_string(other).unwrap_or_default(),
    }
}

/// The edit that adds `entries` (patch files beside it) to a kustomization's `patches:`, in
/// its style: after the last item of a block list (at its dash's indentation), inside a flow
/// list, or a new `patches:` list at the end, indented like the file's other lists.
pub(crate) fn add_patches(text: &str, entries: &[String]) -> Result<Edit, String> {
    let top = top_level(text)?;
    let nl = crate::text::newline_near(text.as_bytes(), 0);
    let item = |f: &String| format!("path: {}", scalar(&Val::Str(f.clone())));
    let patches = top.iter().position(|k| k.name == "patches");
    match patches.map(|i| (i, &top[i])) {
        Some((_, k)) if k.flow_seq => {
            let end = k.value_end;
            let inner = text[k.value_start..end].trim_start_matches('[').trim();
            let sep = if inner.is_empty() { "" } else { ", " };
            let list: Vec<String> = entries.iter().map(|f| format!("{{{}}}", item(f))).collect();
            Ok(Edit { start: end, end, with: format!("{sep}{}", list.join(", ")) })
        }
        Some((i, k)) if k.block_seq => {
            let dash = k.dash.unwrap_or(0);
            let at = end_of_value(text, top.get(i + 1).map(|n| n.line_start));
            let mut with = String::new();
            if at == text.len() && !text.is_empty() && !text.ends_with('\n') {
                with.push_str(nl);
            }
            for f in entries {
                let _ = write!(with, "{}- {}{nl}", " ".repeat(dash), item(f));
            }
            Ok(Edit { start: at, end: at, with })
        }
        Some(_) => Err("its `patches` is not a list".into()),
        None => {
            let dash = top.iter().find(|k| k.block_seq).and_then(|k| k.dash).unwrap_or(0);
            let at = end_of_value(text, None);
            let mut with = String::new();
            if at > 0 && !text[..at].ends_with('\n') {
                with.push_str(nl);
            }
            let _ = write!(with, "patches:{nl}");
            for f in entries {
                let _ = write!(with, "{}- {}{nl}", " ".repeat(dash), item(f));
            }
            Ok(Edit { start: at, end: at, with })
        }
    }
}

/// A top-level key of a kustomization.
#[derive(Debug)]
struct TopKey {
    name: String,
    /// Where its line starts.
    line_start: usize,
    value_start: usize,
    value_end: usize,
    block_seq: bool,
    flow_seq: bool,
    /// The column of its block list's first dash.
    dash: Option<usize>,
}

/// The top-level keys of the first document (a flow or non-mapping document is an error).
fn top_level(text: &str) -> Result<Vec<TopKey>, String> {
    let mut keys: Vec<TopKey> = Vec::new();
    let mut depth = 0usize;
    let mut expect_key = true;
    let mut in_patches_seq = false;
    for ev in Events::new(text, 64) {
        let (ev, span) = ev.map_err(|e| format!("line {}: {}", e.pos.line, e.message))?;
        match ev {
            Event::MappingStart { flow, .. } if depth == 0 => {
                if flow {
                    return Err("it is a flow mapping (JSON); add the patch by hand".into());
                }
                depth = 1;
            }
            Event::Scalar { value, .. } if depth == 1 && expect_key => {
                let line_start = crate::text::line_start(text.as_bytes(), span.start.offset);
                keys.push(TopKey {
                    name: value.into_owned(),
                    line_start,
                    value_start: span.end.offset,
                    value_end: span.end.offset,
                    block_seq: false,
                    flow_seq: false,
                    dash: None,
                });
                expect_key = false;
            }
            Event::Scalar { .. } | Event::Alias { .. } if depth == 1 => expect_key = true,
            Event::SequenceStart { flow, .. } if depth == 1 => {
                if let Some(k) = keys.last_mut() {
                    k.value_start = span.start.offset;
                    k.flow_seq = flow;
                    k.block_seq = !flow;
                    in_patches_seq = !flow;
                }
                depth += 1;
            }
            Event::MappingStart { .. } | Event::SequenceStart { .. } => {
                if depth == 2 && in_patches_seq {
                    note_dash(text, span.start.offset, keys.last_mut());
                }
                depth += 1;
            }
            Event::Scalar { .. } | Event::Alias { .. } if depth == 2 && in_patches_seq => {
                note_dash(text, span.start.offset, keys.last_mut());
            }
            Event::MappingEnd | Event::SequenceEnd => {
                depth -= 1;
                if depth == 1 {
                    if let Some(k) = keys.last_mut() {
                        k.value_end = span.start.offset;
                    }
                    expect_key = true;
                    in_patches_seq = false;
                }
                if depth == 0 {
                    break;
                }
            }
            Event::StreamEnd => break,
            _ => {}
        }
    }
    if depth == 0
        && keys.is_empty()
        && !text.trim().is_empty()
        && !text.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Err("it is not a mapping".into());
    }
    Ok(keys)
}

/// Records the dash column of a block list's first item.
fn note_dash(text: &str, item_start: usize, key: Option<&mut TopKey>) {
    let Some(k) = key else { return };
    if k.dash.is_some() {
        return;
    }
    let ls = crate::text::line_start(text.as_bytes(), item_start);
    k.dash = text[ls..item_start].rfind('-').map(|d| text[ls..ls + d].chars().count());
}

/// Where a value that runs to the next top-level key (at `next`, a line start; `None`: the
/// end) ends: before the blank and column-0 comment lines that precede that key.
fn end_of_value(text: &str, next: Option<usize>) -> usize {
    let mut at = next.unwrap_or(text.len());
    loop {
        let before = &text[..at];
        let trimmed = before.strip_suffix('\n').map(|b| b.strip_suffix('\r').unwrap_or(b));
        let Some(prev) = trimmed else { break };
        let ls = crate::text::line_start(prev.as_bytes(), prev.len());
        let line = &prev[ls..];
        if line.trim().is_empty() || line.starts_with('#') {
            at = ls;
        } else {
            break;
        }
        if at == 0 {
            break;
        }
    }
    if next.is_none() && at == text.len() {
        return at;
    }
    at
}

/// Copies the tree the roots use into a temporary directory, puts the edited texts in, rebuilds
/// every root there and checks that it plans nothing beyond what is left for a person.
fn rebuild_and_check(
    units: &[Unit],
    tree: &Tree,
    texts: &BTreeMap<PathBuf, String>,
    by_hand: &[(usize, String)],
    opts: &Options,
    config: &Config,
    names: &Names,
) -> Result<(), FixError> {
    let mut everything: Vec<PathBuf> = tree.kustomizations.keys().cloned().collect();
    everything.extend(map::used_anywhere(tree));
    everything.extend(texts.keys().cloned());
    everything.extend(units.iter().filter_map(|u| u.root.clone()));
    let base = common_ancestor(&everything).ok_or_else(|| internal("no common directory to verify in".into()))?;
    let copy = super::build::temp_dir("verify").map_err(internal)?;
    let result = (|| {
        copy_tree(&base, &copy)?;
        for (file, text) in texts {
            let rel = file.strip_prefix(&base).map_err(|_| internal("an edited file outside the tree".into()))?;
            std::fs::write(copy.join(rel), text)
                .map_err(|e| internal(format!("cannot write the verification copy: {e}")))?;
        }
        let jobs: Vec<super::build::Job> = units
            .iter()
            .filter_map(|u| u.root.as_ref())
            .map(|r| super::build::Job {
                root: copy.join(r.strip_prefix(&base).unwrap_or(r)),
                component: tree.kustomizations.get(r).is_some_and(|k| k.component),
            })
            .collect();
        let built = opts.builder.build_all(&jobs, opts.workers);
        let rooted: Vec<(usize, &Unit)> = units.iter().enumerate().filter(|(_, u)| u.root.is_some()).collect();
        for ((ui, u), b) in rooted.into_iter().zip(built) {
            let text =
                b.output.map_err(|why| internal(format!("after the edits, {} does not build: {why}", u.name)))?;
            let again =
                super::unit(&u.name, None, None, &text, map::Origins::Built { dir: b.dir }, config, opts.limits)
                    .map_err(|why| {
                        internal(format!("after the edits, the build of {} cannot be read: {why}", u.name))
                    })?;
            for p in &again.analysis.plans {
                let shown = again.objects[p.object.index].display();
                if !by_hand.iter().any(|(h, d)| *h == ui && *d == shown) {
                    return Err(internal(format!(
                        "after the edits, rebuilding {} still plans a fix for {shown}",
                        names.of(u.root.as_deref().unwrap_or(Path::new("")))
                    )));
                }
            }
        }
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&copy);
    result
}

/// The deepest directory holding every path.
fn common_ancestor(paths: &[PathBuf]) -> Option<PathBuf> {
    let mut it = paths.iter();
    let first = it.next()?;
    let mut common = if first.is_dir() { first.clone() } else { first.parent()?.to_path_buf() };
    for p in it {
        while !p.starts_with(&common) {
            common = common.parent()?.to_path_buf();
        }
    }
    Some(common)
}

/// The most files copied for a verification.
const MAX_COPIED_FILES: usize = 100_000;

/// Copies the regular files under `from` to `to` (entries starting with `.` left out, links
/// to directories not followed).
fn copy_tree(from: &Path, to: &Path) -> Result<(), FixError> {
    let mut stack = vec![from.to_path_buf()];
    let mut n = 0usize;
    let fail = |e: std::io::Error| internal(format!("cannot copy the tree for verification: {e}"));
    while let Some(dir) = stack.pop() {
        let target = to.join(dir.strip_prefix(from).unwrap_or(Path::new("")));
        std::fs::create_dir_all(&target).map_err(fail)?;
        for e in std::fs::read_dir(&dir).map_err(fail)?.flatten() {
            if e.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let Ok(kind) = e.file_type() else { continue };
            let path = e.path();
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() || kind.is_symlink() && path.is_file() {
                n += 1;
                if n > MAX_COPIED_FILES {
                    return Err(FixError {
                        message: format!(
                            "more than {MAX_COPIED_FILES} files under {} to copy for verification",
                            from.display()
                        ),
                        code: exit::INPUT,
                    });
                }
                std::fs::copy(&path, target.join(e.file_name())).map_err(fail)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn added(text: &str) -> String {
        let e = add_patches(text, &["web-strategy-patch.yaml".to_string()]).unwrap();
        rewrite::splice(text, &[e])
    }

    #[test]
    fn a_patch_entry_goes_in_the_files_style() {
        assert_eq!(
            added("resources:\n  - ../base\npatches:\n  - path: a.yaml\n    target: {kind: Deployment}\n# next\nnamePrefix: x-\n"),
            "resources:\n  - ../base\npatches:\n  - path: a.yaml\n    target: {kind: Deployment}\n  - path: web-strategy-patch.yaml\n# next\nnamePrefix: x-\n"
        );
        assert_eq!(added("patches: []\n"), "patches: [{path: web-strategy-patch.yaml}]\n");
        assert_eq!(
            added("patches: [{path: a.yaml}]\n"),
            "patches: [{path: a.yaml}, {path: web-strategy-patch.yaml}]\n"
        );
        assert_eq!(
            added("resources:\n- ../base # the base\n\n# trailing comment\n"),
            "resources:\n- ../base # the base\npatches:\n- path: web-strategy-patch.yaml\n\n# trailing comment\n"
        );
        assert_eq!(
            added("resources:\r\n    - ../base"),
            "resources:\r\n    - ../base\r\npatches:\r\n    - path: web-strategy-patch.yaml\r\n"
        );
        assert_eq!(added("patches:\n- path: a.yaml\n"), "patches:\n- path: a.yaml\n- path: web-strategy-patch.yaml\n");
        // An indented comment belongs to the list; the entry goes after it.
        assert_eq!(
            added("patches:\n- path: a.yaml\n  # keep a.yaml first\nnamePrefix: x-\n"),
            "patches:\n- path: a.yaml\n  # keep a.yaml first\n- path: web-strategy-patch.yaml\nnamePrefix: x-\n"
        );
        // A document marker before the mapping, and no newline at the end.
        assert_eq!(
            added("---\nresources: [../base]\npatches:\n- path: a.yaml"),
            "---\nresources: [../base]\npatches:\n- path: a.yaml\n- path: web-strategy-patch.yaml\n"
        );
        // A name YAML would read as something else is quoted.
        let e = add_patches("patches: []\n", &["1.yaml".into(), "yes".into()]).unwrap();
        assert_eq!(rewrite::splice("patches: []\n", &[e]), "patches: [{path: 1.yaml}, {path: \"yes\"}]\n");
        assert!(add_patches("{\"resources\": []}", &["x".into()]).is_err());
        assert!(add_patches("patches: {a: b}\n", &["x".into()]).is_err());
    }

    #[test]
    fn scalars_stay_strings() {
        assert_eq!(scalar(&Val::word("Recreate")), "Recreate");
        assert_eq!(scalar(&Val::word("25%")), "25%");
        assert_eq!(scalar(&Val::word("1")), "\"1\"");
        assert_eq!(scalar(&Val::word("yes")), "\"yes\"");
        assert_eq!(scalar(&Val::word("a: b")), "\"a: b\"");
    }
}
