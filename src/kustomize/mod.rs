//! Kustomize repositories checked and fixed at their source (docs/kustomize.md).
//!
//! Under each PATH: the kustomization roots ([`discover`]) are built by the real kustomize
//! ([`build`]), each build is checked as one bundle by the ordinary reader and rules, and every
//! finding is placed, through kustomize's `config.kubernetes.io/origin`, at the source file and
//! line of its object, or of the patch that sets its strategy ([`map`]); the same finding from
//! several roots is one finding that names them. Files outside every kustomization are read as
//! plain manifests (one more bundle). `fix` edits the strategy where it is set, or writes a
//! strategic-merge patch beside a root when the roots building a file disagree, and verifies
//! by rebuilding every root from the edited texts in a temporary copy ([`fix`]).
//!
//! The seam: `command` asks [`has_roots`], then [`check`] gives a [`Checked`] (diagnostics,
//! the located build errors, the verified edits and new files) that `command` turns into the
//! ordinary `Outcome` for the reports; [`write`] writes a fix (all or nothing).

pub(crate) mod build;
pub(crate) mod discover;
pub(crate) mod fix;
pub(crate) mod map;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::config::Config;
use crate::error::{Failure, Fatal};
use crate::findings::{Analysis, Diagnostic};
use crate::outcome::{self, Stats, Suppressed};
use crate::read::{self, Limits};
use crate::rewrite::Edit;

pub(crate) use build::Builder;

/// How roots are built, as the command line says (`--kustomize`, `--build-arg`,
/// `--build-timeout`, `--no-build`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Settings {
    /// `--kustomize CMD`.
    pub command: Option<String>,
    /// `--build-arg ARG`, in order.
    pub args: Vec<String>,
    /// `--build-timeout SECONDS`.
    pub timeout: Duration,
    /// `--no-build`: every file a plain manifest.
    pub no_build: bool,
}

/// What to do.
#[derive(Clone, Debug)]
pub(crate) struct Options {
    /// The PATHs, as given.
    pub paths: Vec<PathBuf>,
    /// How to build.
    pub builder: Builder,
    /// `fix` (else `check`).
    pub fix: bool,
    /// Reader limits.
    pub limits: Limits,
    /// Builds at once.
    pub workers: usize,
    /// List every workload checked (a JUnit report).
    pub list_checked: bool,
}

/// Control characters shown escaped (`\n`, `\u{1b}`), so that nothing a file or a tool says
/// can drive the terminal.
pub(crate) fn shown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// One bundle checked: a root's build, or the plain manifests.
pub(crate) struct Unit {
    /// What it is, as shown: the root's directory, or `plain manifests`.
    pub name: String,
    /// The root (absolute), `None` for the plain manifests.
    pub root: Option<PathBuf>,
    /// The root's kustomization file.
    pub kustomization: Option<PathBuf>,
    /// Its objects.
    pub objects: Vec<crate::model::Object>,
    /// Findings and plans.
    pub analysis: Analysis,
    /// Where its objects come from.
    pub origin: map::Origins,
}

/// An existing file to edit.
#[derive(Clone, Debug)]
pub(crate) struct FileEdit {
    /// As shown.
    pub name: String,
    /// The file.
    pub path: PathBuf,
    /// The file as the person gave it (the PATH joined with the rest): what a diff names.
    pub given: PathBuf,
    /// Its text when read.
    pub text: String,
    /// Its edits, sorted and verified.
    pub edits: Vec<Edit>,
}

/// A new file to create (a strategic-merge patch).
#[derive(Clone, Debug)]
pub(crate) struct NewFile {
    /// As shown.
    pub name: String,
    /// The file.
    pub path: PathBuf,
    /// The file as the person gave it (the PATH joined with the rest): what a diff names.
    pub given: PathBuf,
    /// Its text.
    pub text: String,
}

/// What a run over kustomize roots found, and what `fix` would write (already verified).
#[derive(Debug, Default)]
pub(crate) struct Checked {
    /// Every finding, placed at its source, in file and line order.
    pub diagnostics: Vec<Diagnostic>,
    /// Findings suppressed by an annotation.
    pub suppressed: Vec<Suppressed>,
    /// Files not read as objects, and why (`a file no kustomization root uses`).
    pub skipped: Vec<(String, String)>,
    /// Every workload checked, at its source (a JUnit report).
    pub workloads: Vec<outcome::Checked>,
    /// Roots that did not build and files that could not be read: one located line each.
    pub errors: Vec<String>,
    /// Existing files to edit.
    pub edits: Vec<FileEdit>,
    /// New files to create.
    pub new_files: Vec<NewFile>,
    /// Workloads fixed.
    pub fixed: usize,
    /// What was checked.
    pub stats: Stats,
}

/// Paths as the person gave them: under a PATH, that PATH as given joined with the rest;
/// else relative to the working directory when under it; else absolute.
#[derive(Clone, Debug)]
pub(crate) struct Names {
    given: Vec<(PathBuf, PathBuf)>,
    cwd: Option<PathBuf>,
}

impl Names {
    fn new(given: &[PathBuf], canonical: &[PathBuf]) -> Names {
        Names {
            given: canonical.iter().cloned().zip(given.iter().cloned()).collect(),
            cwd: std::env::current_dir().ok().and_then(|d| std::fs::canonicalize(d).ok()),
        }
    }

    /// `text` (a tool's message) with the PATHs' absolute forms replaced by the names given.
    pub(crate) fn in_text(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (canonical, given) in &self.given {
            let given = given.display().to_string();
            out = out.replace(&format!("{}/", canonical.display()), &format!("{}/", given.trim_end_matches('/')));
            out = out.replace(&canonical.display().to_string(), &given);
        }
        out
    }

    /// Whether `path` is under one of the PATHs (the only places `fix` writes).
    pub(crate) fn inside(&self, path: &Path) -> bool {
        self.given.iter().any(|(canonical, _)| path.starts_with(canonical))
    }

    /// How `path` is shown.
    pub(crate) fn of(&self, path: &Path) -> String {
        shown(&self.given_path(path).display().to_string())
    }

    /// `path` as the person gave it: under a PATH, that PATH joined with the rest (no leading
    /// `./`); else relative to the working directory when under it; else `path` itself.
    pub(crate) fn given_path(&self, path: &Path) -> PathBuf {
        for (canonical, given) in &self.given {
            if let Ok(rest) = path.strip_prefix(canonical) {
                let joined = if rest.as_os_str().is_empty() { given.clone() } else { given.join(rest) };
                return joined.strip_prefix(".").map_or_else(|_| joined.clone(), Path::to_path_buf);
            }
        }
        match self.cwd.as_ref().and_then(|c| path.strip_prefix(c).ok()) {
            Some(rest) => rest.to_path_buf(),
            None => path.to_path_buf(),
        }
    }
}

/// The PATHs as directories (absolute, links resolved); `None` when one is not a directory.
fn directories(paths: &[PathBuf]) -> Option<Vec<PathBuf>> {
    paths.iter().map(|p| std::fs::canonicalize(p).ok().filter(|c| c.is_dir())).collect()
}

/// Whether the PATHs (all directories) hold a kustomization: then `check` and `fix` build it.
pub(crate) fn has_roots(paths: &[PathBuf]) -> bool {
    directories(paths).is_some_and(|dirs| !discover::discover(&dirs).roots.is_empty())
}

/// Checks the kustomization roots and plain manifests under `opts.paths` (and, for `fix`,
/// plans and verifies the edits). `Err`: an internal error (a fix that failed its rebuild).
/// `excluded` says which glob of `exclude` leaves a plain file out (files a root uses are read
/// by kustomize, whatever `exclude` says).
pub(crate) fn check(
    opts: &Options,
    config: &Config,
    excluded: &dyn Fn(&Path) -> Option<String>,
) -> Result<Checked, Failure> {
    let canonical = directories(&opts.paths)
        .ok_or_else(|| Failure::new(Fatal::Usage("kustomization roots are read from directories".into())))?;
    let names = Names::new(&opts.paths, &canonical);
    let tree = discover::discover(&canonical);
    let mut out = Checked::default();
    for p in &tree.problems {
        out.errors.push(format!("{}: error: not a readable kustomization: {}", names.of(&p.file), p.message));
    }
    let built = build_roots(opts, &tree, &names, &mut out.errors);
    let plain = plain_text(&tree, &names, opts.limits, excluded, &mut out);
    // A fix stopped by a root it cannot build writes nothing: its findings say what it would do.
    let fixing = opts.fix && out.errors.is_empty();
    let config = Config { report_only: !fixing, ..config.clone() };
    let mut units = read_units(built, plain, &tree, &names, &config, opts.limits, &mut out.errors);
    for f in map::undeployed(&tree) {
        out.skipped.push((names.of(&f), "a file no kustomization root uses, not read as objects".into()));
    }
    let mut sources = map::Sources::new(opts.limits);
    let mut placed = fix::Placed::default();
    if fixing {
        let planned = fix::plan(&mut units, &tree, &mut sources, &names, opts, &config).map_err(|e| {
            Failure::new(match e.code {
                crate::error::exit::INTERNAL => Fatal::Internal(e.message),
                _ => Fatal::Input { message: e.message, place: None, hint: None },
            })
        })?;
        out.edits = planned.edits;
        out.new_files = planned.new_files;
        placed = planned.placed;
    }
    let reported = map::report(&units, &tree, &mut sources, &names, &placed, opts.list_checked);
    out.diagnostics = reported.diagnostics;
    out.suppressed = reported.suppressed;
    out.workloads = reported.checked;
    out.stats = Stats { files: reported.files, objects: reported.objects, workloads: reported.workloads };
    out.fixed = fixed(&out.diagnostics);
    Ok(out)
}

/// How many workloads a fix edits: each once, however many roots build it.
fn fixed(diagnostics: &[Diagnostic]) -> usize {
    let mut fixed: Vec<(&Option<String>, &crate::findings::ResourceRef)> = diagnostics
        .iter()
        .filter(|d| d.rule() == &crate::rules::STRATEGY_REWRITTEN)
        .map(|d| (&d.location.file, &d.resource))
        .collect();
    fixed.sort_by(|a, b| (a.0, &a.1.kind, &a.1.name).cmp(&(b.0, &b.1.kind, &b.1.name)));
    fixed.dedup();
    fixed.len()
}

/// Every root built (in parallel): each root's stream and the directory it was built from; a
/// root that did not build is a located line in `errors`.
fn build_roots(
    opts: &Options,
    tree: &discover::Tree,
    names: &Names,
    errors: &mut Vec<String>,
) -> Vec<(build::Job, String, PathBuf)> {
    let jobs: Vec<build::Job> = tree
        .roots
        .iter()
        .filter(|r| tree.kustomizations.contains_key(*r))
        .map(|r| build::Job { root: r.clone(), component: tree.kustomizations[r].component })
        .collect();
    let built = opts.builder.build_all(&jobs, opts.workers);
    let mut texts = Vec::new();
    for (job, b) in jobs.into_iter().zip(built) {
        match b.output {
            Ok(text) => texts.push((job, text, b.dir)),
            Err(why) => {
                let place = map::locate_build_error(tree, &job.root, &why, names);
                errors.push(format!(
                    "{place}: error: cannot build the root {}: {}",
                    names.of(&job.root),
                    names.in_text(&why)
                ));
            }
        }
    }
    texts
}

/// The bundles to check: each root's build, then the plain manifests.
#[allow(clippy::type_complexity)]
fn read_units(
    built: Vec<(build::Job, String, PathBuf)>,
    plain: Option<(String, Vec<(usize, PathBuf)>)>,
    tree: &discover::Tree,
    names: &Names,
    config: &Config,
    limits: Limits,
    errors: &mut Vec<String>,
) -> Vec<Unit> {
    let mut units = Vec::new();
    for (job, text, dir) in built {
        let k = &tree.kustomizations[&job.root];
        let name = names.of(&job.root);
        let origin = map::Origins::Built { dir };
        match unit(&name, Some(job.root.clone()), Some(k.file.clone()), &text, origin, config, limits) {
            Ok(u) => units.push(u),
            Err(why) => errors.push(format!("{}: error: the build of {name} cannot be read: {why}", names.of(&k.file))),
        }
    }
    if let Some((text, parts)) = plain {
        match unit("plain manifests", None, None, &text, map::Origins::Plain { parts }, config, limits) {
            Ok(u) => units.push(u),
            Err(why) => errors.push(format!("rwo-guard: error: {why}")),
        }
    }
    units
}

/// Reads and analyses one bundle.
pub(crate) fn unit(
    name: &str,
    root: Option<PathBuf>,
    kustomization: Option<PathBuf>,
    text: &str,
    origin: map::Origins,
    config: &Config,
    limits: Limits,
) -> Result<Unit, String> {
    let mut bundle = read::read(text, limits).map_err(|f| shown(&f.summary(name)))?;
    let objects = std::mem::take(&mut bundle.objects);
    let analysis = crate::rules::run(&objects, config, &bundle.namespaces);
    Ok(Unit { name: name.to_string(), root, kustomization, objects, analysis, origin })
}

/// The files under the PATHs that no kustomization covers or uses, one after another (files
/// that are not Kubernetes objects left out, as with -f), and where each starts; a file that
/// is not valid YAML is a located error in `errors`.
fn plain_text(
    tree: &discover::Tree,
    names: &Names,
    limits: Limits,
    excluded: &dyn Fn(&Path) -> Option<String>,
    out: &mut Checked,
) -> Option<(String, Vec<(usize, PathBuf)>)> {
    let used = map::used_anywhere(tree);
    let mut text = String::new();
    let mut parts = Vec::new();
    for f in tree.files.iter().filter(|f| !tree.covered(f) && !used.contains(*f)) {
        if let Some(glob) = excluded(f) {
            out.skipped.push((names.of(f), format!("excluded by `{glob}`")));
            continue;
        }
        let size = std::fs::metadata(f).map_or(0, |m| m.len());
        if text.len() as u64 + size > limits.max_input_bytes as u64 {
            out.errors.push(format!(
                "{}: error: the plain files together are larger than {} bytes (raise the limit with --max-input-bytes)",
                names.of(f),
                limits.max_input_bytes
            ));
            break;
        }
        let Ok(t) = std::fs::read_to_string(f) else {
            out.errors.push(format!("{}: error: cannot read it as UTF-8 text", names.of(f)));
            continue;
        };
        let bundle = match read::read(&t, limits) {
            Ok(b) => b,
            Err(fatal) => {
                match crate::input::template_reason(&t) {
                    Some(why) => out.skipped.push((names.of(f), why)),
                    None => out.errors.push(shown(&fatal.summary(&names.of(f)))),
                }
                continue;
            }
        };
        if !bundle.objects.iter().any(|o| o.kind.is_some() && o.api_version.is_some()) {
            out.skipped.push((names.of(f), "holds no Kubernetes object".into()));
            continue;
        }
        parts.push((text.len(), f.clone()));
        text.push_str(&t);
        if !t.ends_with('\n') {
            text.push('\n');
        }
        text.push_str("---\n");
    }
    (!parts.is_empty()).then_some((text, parts))
}

/// Writes a fix: the new files first (each created, never over an existing file), then the
/// edited files as `--in-place` does (checked, then temporary files, then renames); when the
/// edited files cannot be written, the new files are removed again.
pub(crate) fn write(checked: &Checked) -> Result<(), String> {
    use std::io::Write as _;
    let mut created: Vec<&Path> = Vec::new();
    let undo = |created: &[&Path]| {
        for f in created {
            let _ = std::fs::remove_file(f);
        }
    };
    for f in &checked.new_files {
        let made = std::fs::OpenOptions::new().write(true).create_new(true).open(&f.path).and_then(|mut file| {
            file.write_all(f.text.as_bytes())?;
            file.sync_all()
        });
        if let Err(e) = made {
            undo(&created);
            return Err(format!("cannot create {}: {e}; no file was written", f.name));
        }
        created.push(&f.path);
    }
    let texts: Vec<outcome::EditedText<'_>> = checked
        .edits
        .iter()
        .map(|e| outcome::EditedText { name: &e.name, path: Some(&e.path), text: &e.text, edits: e.edits.clone() })
        .collect();
    if let Err(why) = crate::output::in_place::write(&texts) {
        undo(&created);
        return Err(why);
    }
    Ok(())
}
