//! Kustomize repositories checked and fixed at their source.
//!
//! Under each PATH: the kustomization roots ([`discover`]) are built by the real kustomize
//! ([`build`]), each build is checked as one bundle by the ordinary reader and rules, and every
//! finding is mapped back, through kustomize's `config.kubernetes.io/origin`, to the source file
//! and line of its object ([`map`]); the same finding from several roots is one finding that
//! lists them. Files outside every kustomization are read as plain manifests (one more bundle).
//! `fix` edits the strategy where it is set, or writes a strategic-merge patch beside a root
//! when the roots building a file disagree, and verifies by rebuilding every root from the
//! edited texts in a temporary copy before any file is written ([`fix`]).
//!
//! The seam: [`Options`] in, [`run`] writes the report lines and returns the exit code.

pub(crate) mod build;
pub(crate) mod discover;
pub(crate) mod fix;
pub(crate) mod map;

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::analyze::{self, Analysis, Severity};
use crate::config::{Config, Mode};
use crate::error::exit;
use crate::read::{self, Bundle, Limits};

pub(crate) use build::Builder;

/// What to do, from the command line.
#[derive(Clone, Debug)]
pub(crate) struct Options {
    /// The PATHs, as given.
    pub paths: Vec<PathBuf>,
    /// How to build (`None`: `--no-build`, which the caller handles as plain files).
    pub builder: Builder,
    /// `-v`: also the info lines about files no root deploys.
    pub verbose: bool,
    /// `fix`: write the edits (else `check`).
    pub fix: bool,
    /// Reader limits.
    pub limits: Limits,
    /// Builds at once.
    pub workers: usize,
}

/// Control characters shown escaped (`\n`, `\x1b`), so that nothing a file or a tool says can
/// drive the terminal.
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
    /// Its facts.
    pub bundle: Bundle,
    /// Findings and plans.
    pub analysis: Analysis,
    /// Where its objects come from.
    pub origin: map::Origins,
}

/// A finding as reported: where, what, and the bundles it was found in.
#[derive(Clone, Debug)]
pub(crate) struct Reported {
    /// `file:line` (or `file`).
    pub place: String,
    /// How serious.
    pub severity: Severity,
    /// The message (from the first bundle that found it).
    pub message: String,
    /// The bundles (roots) it was found in.
    pub roots: Vec<String>,
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

    /// How `path` is shown.
    pub(crate) fn of(&self, path: &Path) -> String {
        for (canonical, given) in &self.given {
            if let Ok(rest) = path.strip_prefix(canonical) {
                let joined = if rest.as_os_str().is_empty() { given.clone() } else { given.join(rest) };
                let s = joined.display().to_string();
                return shown(s.strip_prefix("./").unwrap_or(&s));
            }
        }
        if let Some(rest) = self.cwd.as_ref().and_then(|c| path.strip_prefix(c).ok()) {
            return shown(&rest.display().to_string());
        }
        shown(&path.display().to_string())
    }
}

/// Checks (or fixes) the kustomization roots and plain manifests under `opts.paths`; writes the
/// report to `stderr` and returns the exit code.
pub(crate) fn run(opts: &Options, config: &Config, stderr: &mut dyn Write) -> i32 {
    let mut out = String::new();
    let code = run_into(opts, config, &mut out);
    let _ = stderr.write_all(out.as_bytes());
    code
}

fn run_into(opts: &Options, config: &Config, out: &mut String) -> i32 {
    let mut canonical = Vec::new();
    for p in &opts.paths {
        match std::fs::canonicalize(p) {
            Ok(c) if c.is_dir() => canonical.push(c),
            Ok(_) => {
                let _ = writeln!(out, "rwo-guard: error: {}: not a directory (a kustomization root is a directory)", shown(&p.display().to_string()));
                return exit::USAGE;
            }
            Err(e) => {
                let _ = writeln!(out, "rwo-guard: error: cannot read {}: {e}", shown(&p.display().to_string()));
                return exit::USAGE;
            }
        }
    }
    let names = Names::new(&opts.paths, &canonical);
    let tree = discover::discover(&canonical);
    let mut errors = 0usize;
    for p in &tree.problems {
        let _ = writeln!(out, "{}: error: not a readable kustomization: {}", names.of(&p.file), p.message);
        errors += 1;
    }
    let jobs: Vec<build::Job> = tree
        .roots
        .iter()
        .filter(|r| tree.kustomizations.contains_key(*r))
        .map(|r| build::Job { root: r.clone(), component: tree.kustomizations[r].component })
        .collect();
    let built = opts.builder.build_all(&jobs, opts.workers);
    let mut texts = Vec::new();
    for (job, b) in jobs.iter().zip(built) {
        match b.output {
            Ok(text) => texts.push((job, text, b.dir)),
            Err(why) => {
                let place = map::locate_build_error(&tree, &job.root, &why, &names);
                let _ = writeln!(out, "{place}: error: cannot build the root {}: {}", names.of(&job.root), names.in_text(&why));
                errors += 1;
            }
        }
    }
    let plain = match plain_text(&tree, &names, opts, out) {
        Ok(plain) => plain,
        Err(()) => {
            errors += 1;
            None
        }
    };
    // `fix` with a root it cannot build writes nothing: its findings say what it would do.
    let config = if opts.fix && errors == 0 { config.clone() } else { Config { mode: Mode::Check, ..config.clone() } };
    let mut units = Vec::new();
    let mut sources = map::Sources::new(opts.limits);
    for (job, text, dir) in texts {
        let k = &tree.kustomizations[&job.root];
        let name = names.of(&job.root);
        match unit(&name, Some(job.root.clone()), Some(k.file.clone()), text, map::Origins::Built { dir }, &config, opts.limits) {
            Ok(u) => units.push(u),
            Err(why) => {
                let _ = writeln!(out, "{}: error: the build of {name} cannot be read: {why}", names.of(&k.file));
                errors += 1;
            }
        }
    }
    if let Some((text, parts)) = plain {
        match unit("plain manifests", None, None, text, map::Origins::Plain { parts }, &config, opts.limits) {
            Ok(u) => units.push(u),
            Err(why) => {
                let _ = writeln!(out, "rwo-guard: error: {why}");
                errors += 1;
            }
        }
    }
    if opts.verbose {
        for f in map::undeployed(&tree) {
            let _ = writeln!(out, "{}: info: not deployed by any root: not read as objects", names.of(&f));
        }
    }
    let reported = map::report(&units, &tree, &mut sources, &names);
    let min = Severity::Info;
    for r in reported.iter().filter(|r| r.severity >= min) {
        let roots = if r.roots.len() > 1 || units.len() > 1 {
            format!(" [{}: {}]", if r.roots.len() == 1 { "root" } else { "roots" }, r.roots.join(", "))
        } else {
            String::new()
        };
        let _ = writeln!(out, "{}: {}: {}{roots}", r.place, r.severity.name(), r.message);
    }
    if errors > 0 {
        let _ = writeln!(out, "rwo-guard: {errors} {} could not be built or read; nothing was written", if errors == 1 { "root or file" } else { "roots or files" });
        return exit::INPUT;
    }
    let mut code = if crate::output::results::threshold(config.fail_on).is_some_and(|t| reported.iter().any(|r| r.severity >= t)) {
        exit::FINDINGS
    } else {
        exit::OK
    };
    if opts.fix {
        match fix::fix(&units, &tree, &mut sources, &names, opts, &config) {
            Ok(lines) => out.push_str(&lines),
            Err(why) => {
                let _ = writeln!(out, "rwo-guard: error: {why}; nothing was written");
                code = why.code;
            }
        }
    }
    let count = |s| reported.iter().filter(|r| r.severity == s).count();
    let _ = writeln!(
        out,
        "rwo-guard: {} {} and {} checked; {} errors, {} warnings",
        units.iter().filter(|u| u.root.is_some()).count(),
        if units.iter().filter(|u| u.root.is_some()).count() == 1 { "root" } else { "roots" },
        if units.iter().any(|u| u.root.is_none()) { "the plain manifests" } else { "no plain manifests" },
        count(Severity::Error),
        count(Severity::Warning)
    );
    code
}

/// Reads and analyses one bundle.
pub(crate) fn unit(
    name: &str,
    root: Option<PathBuf>,
    kustomization: Option<PathBuf>,
    text: String,
    origin: map::Origins,
    config: &Config,
    limits: Limits,
) -> Result<Unit, String> {
    let bundle = read::read(&text, limits).map_err(|f| shown(&f.summary(name)))?;
    let analysis = analyze::analyze(&bundle.objects, config, &bundle.namespaces);
    Ok(Unit { name: name.to_string(), root, kustomization, bundle, analysis, origin })
}

/// The files under the PATHs that no kustomization covers or uses, one after another (files
/// that are not Kubernetes objects left out, as with -f), and where each starts; `Err`: a file
/// that is not valid YAML (said in `out`).
#[allow(clippy::type_complexity)]
fn plain_text(
    tree: &discover::Tree,
    names: &Names,
    opts: &Options,
    out: &mut String,
) -> Result<Option<(String, Vec<(usize, PathBuf)>)>, ()> {
    let used = map::used_anywhere(tree);
    let mut text = String::new();
    let mut parts = Vec::new();
    let mut failed = false;
    for f in tree.files.iter().filter(|f| !tree.covered(f) && !used.contains(*f)) {
        let Ok(t) = std::fs::read_to_string(f) else { continue };
        let bundle = match read::read(&t, opts.limits) {
            Ok(b) => b,
            Err(fatal) if t.contains("{{") => {
                drop(fatal);
                continue;
            }
            Err(fatal) => {
                let _ = writeln!(out, "{}", shown(&fatal.summary(&names.of(f))));
                failed = true;
                continue;
            }
        };
        if !bundle.objects.iter().any(|o| o.kind.is_some() && o.api_version.is_some()) {
            continue;
        }
        parts.push((text.len(), f.clone()));
        text.push_str(&t);
        if !t.ends_with('\n') {
            text.push('\n');
        }
        text.push_str("---\n");
    }
    if failed {
        return Err(());
    }
    if parts.is_empty() {
        return Ok(None);
    }
    Ok(Some((text, parts)))
}
