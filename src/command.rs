//! The commands: `check`, `fix`, `rules`, `explain`. `check` and `fix` read files and
//! directories (or standard input, `-`), find the configuration (`--config`, else
//! `.rwo-guard.yaml` in the current directory or a parent, up to the one holding `.git`),
//! leave out what it excludes, run the pipeline over the rest and write a report; `fix` also
//! writes the edits into the files (all or none), or prints them as a diff (`--diff`).
//!
//! Everything the command line says becomes a `cli::CheckRun` in one place (`cli::CheckArgs::run`); what reads
//! the inputs is [`sources`], the seam another source of objects plugs into (it returns the
//! texts the pipeline checks and the files left out, each with why).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::cli::{CheckRun as Run, ConfigSource, FixArgs, Subcommand};
use crate::config::{self, Config};
use crate::error::{exit, Failure, Fatal, STDIN};
use crate::findings::Severity;
use crate::input::{self, Source};
use crate::kustomize;
use crate::outcome::{EditedText, Outcome, Skipped};
use crate::output::{self, report};
use crate::read::Form;
use crate::rewrite::Edit;
use crate::{pipeline, rules};

/// The name of the configuration file `check` and `fix` look for.
pub(crate) const CONFIG_FILE: &str = ".rwo-guard.yaml";

/// Runs a command; returns the exit code.
pub(crate) fn run(
    command: Subcommand,
    stdin: &mut dyn Read,
    stdin_terminal: bool,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> i32 {
    match command {
        Subcommand::Rules => print(stdout, stderr, &rules::list()),
        Subcommand::Explain { rule } => match rules::named(&rule) {
            Some(r) => print(stdout, stderr, &rules::explain(r)),
            None => {
                let near = rules::ALL.iter().map(|r| r.name).min_by_key(|n| config::distance(n, &rule)).unwrap_or("");
                let _ = writeln!(
                    stderr,
                    "rwo-guard: error: `{}` is not a rule id\n  tip: did you mean `{near}`? `rwo-guard rules` lists them",
                    report::escape(&rule)
                );
                exit::USAGE
            }
        },
        Subcommand::Check(args) => start(args.run(None), stdin, stdin_terminal, stdout, stderr),
        Subcommand::Fix(FixArgs { check: args, diff }) => {
            start(args.run(Some(diff)), stdin, stdin_terminal, stdout, stderr)
        }
    }
}

/// Runs `check` or `fix`, or answers the usage error its command line is.
fn start(
    run: Result<Run, Fatal>,
    stdin: &mut dyn Read,
    stdin_terminal: bool,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> i32 {
    match run {
        Ok(run) => check(&run, stdin, stdin_terminal, stdout, stderr),
        Err(misuse) => {
            let _ = stderr.write_all(misuse.render(STDIN, b"").as_bytes());
            misuse.exit_code()
        }
    }
}

fn print(stdout: &mut dyn Write, stderr: &mut dyn Write, text: &str) -> i32 {
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Ok(()) => exit::OK,
        Err(e) => output::fatal(&Fatal::Output(format!("cannot write the output: {e}")), None, b"", stdout, stderr),
    }
}

/// `check` and `fix`.
fn check(run: &Run, stdin: &mut dyn Read, stdin_terminal: bool, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    let out = &run.output;
    let fail = |failure: &Failure, stdout: &mut dyn Write, stderr: &mut dyn Write| {
        output::fatal_in_file(failure, out, stdout, stderr)
    };
    let (config, base) = match load_config(run) {
        Ok(c) => c,
        Err(fatal) => return fail(&Failure::new(fatal), stdout, stderr),
    };
    let limits = run.pipeline.limits;
    if run.stdin {
        if stdin_terminal {
            return fail(&Failure::new(terminal_hint()), stdout, stderr);
        }
        let mut buf = Vec::new();
        let text = match pipeline::read_input(stdin, None, limits, &mut buf) {
            Ok(t) => t,
            Err(fatal) => return fail(&Failure::in_input(fatal, STDIN, buf.clone()), stdout, stderr),
        };
        let written = pipeline::process_stdin(&run.pipeline, &config, text)
            .and_then(|o| output::write(out, &o, stdout, stderr).map_err(Failure::new));
        return written.unwrap_or_else(|failure| fail(&failure, stdout, stderr));
    }
    if !run.kustomize.no_build && kustomize::has_roots(&run.pipeline.files) {
        return roots(run, &config, &base, stdout, stderr);
    }
    let (sources, excluded) = match sources(&run.pipeline.files, &config, &base, limits) {
        Ok(s) => s,
        Err(failure) => return fail(&failure, stdout, stderr),
    };
    let skipped = excluded.iter().map(|(name, why)| Skipped { name, why: why.clone() }).collect();
    let written = pipeline::process_sources(&run.pipeline, &config, &sources, skipped)
        .and_then(|o| output::write(out, &o, stdout, stderr).map_err(Failure::new));
    written.unwrap_or_else(|failure| fail(&failure, stdout, stderr))
}

/// `check` and `fix` over directories that hold kustomizations: every root built by kustomize
/// and checked, each finding at its source (`kustomize::check`); `fix` writes the verified
/// edits and new patches (all or nothing), `fix --diff` prints them. A root that does not
/// build is a located error: exit 3, and `fix` writes nothing.
fn roots(run: &Run, config: &Config, base: &Bases, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    let out = &run.output;
    let fail = |failure: &Failure, stdout: &mut dyn Write, stderr: &mut dyn Write| {
        output::fatal_in_file(failure, out, stdout, stderr)
    };
    let settings = &run.kustomize;
    let limits = run.pipeline.limits;
    let builder = match kustomize::Builder::choose(
        settings.command.as_deref(),
        settings.args.clone(),
        settings.timeout,
        limits.max_input_bytes,
    ) {
        Ok(b) => b,
        Err(why) => return fail(&Failure::new(Fatal::Usage(why)), stdout, stderr),
    };
    let opts = kustomize::Options {
        paths: run.pipeline.files.clone(),
        builder,
        fix: run.fix.is_some(),
        limits,
        workers: std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
        list_checked: run.pipeline.list_checked,
    };
    let excluded = |path: &Path| excluded_by(path, config, base).map(str::to_string);
    let checked = match kustomize::check(&opts, config, &excluded) {
        Ok(c) => c,
        Err(failure) => return fail(&failure, stdout, stderr),
    };
    for e in &checked.errors {
        let _ = writeln!(stderr, "{e}");
    }
    let stopped = !checked.errors.is_empty();
    let diff = run.fix == Some(true);
    if run.fix == Some(false) && !stopped {
        if let Err(why) = kustomize::write(&checked) {
            return fail(&Failure::new(Fatal::Output(why)), stdout, stderr);
        }
    }
    let mut texts = Vec::new();
    if diff {
        for e in &checked.edits {
            // Named as given (a diff's a/ and b/ paths are relative to where it is applied).
            texts.push(EditedText { name: &e.name, path: Some(&e.given), text: &e.text, edits: e.edits.clone() });
        }
        for f in &checked.new_files {
            let edits = vec![Edit { start: 0, end: 0, with: f.text.clone() }];
            texts.push(EditedText { name: &f.name, path: Some(&f.given), text: "", edits });
        }
    }
    let outcome = Outcome {
        texts,
        form: Form::Stream,
        diagnostics: checked.diagnostics.clone(),
        fixed: checked.fixed,
        skipped: checked.skipped.iter().map(|(name, why)| Skipped { name, why: why.clone() }).collect(),
        checked: checked.workloads.clone(),
        fail_at: Severity::failing_at(config.fail_on),
        suppressed: checked.suppressed.clone(),
        stats: checked.stats,
        report_only: run.fix.is_none() || stopped,
    };
    let code = match output::write(out, &outcome, stdout, stderr) {
        Ok(code) => code,
        Err(fatal) => return fail(&Failure::new(fatal), stdout, stderr),
    };
    if stopped {
        exit::INPUT
    } else {
        code
    }
}

/// The texts `check` and `fix` run over: the files the paths name, less those the
/// configuration excludes (returned as skipped, with why). Excluded files are not read.
pub(crate) fn sources(
    paths: &[PathBuf],
    config: &Config,
    base: &Bases,
    limits: crate::read::Limits,
) -> Result<(Vec<Source>, Excluded), Failure> {
    let mut skipped = Vec::new();
    let files = input::read_files_where(paths, limits, input::Given::Argument, &mut |path: &Path| match excluded_by(
        path, config, base,
    ) {
        Some(glob) => {
            skipped.push((input::display(path), format!("excluded by `{glob}`")));
            false
        }
        None => true,
    })?;
    // Links that lead out of the paths named are left out too, with why.
    skipped.extend(files.skipped);
    Ok((files.sources, skipped))
}

/// Files left out, each with why.
pub(crate) type Excluded = Vec<(String, String)>;

/// The directories `exclude` globs are relative to: the config file's (its globs come first
/// in `config.exclude`, `file_globs` of them) and the current one (the flags').
pub(crate) struct Bases {
    /// The config file's directory.
    pub file: PathBuf,
    /// How many of `config.exclude` come from the file.
    pub file_globs: usize,
    /// The current directory.
    pub cwd: PathBuf,
}

/// The `exclude` glob that leaves `path` out, if any.
fn excluded_by<'c>(path: &Path, config: &'c Config, base: &Bases) -> Option<&'c str> {
    let abs = std::path::absolute(path).ok()?;
    config.exclude.iter().enumerate().find_map(|(i, glob)| {
        let dir = if i < base.file_globs { &base.file } else { &base.cwd };
        let rel = abs.strip_prefix(dir).unwrap_or(&abs);
        let rel = rel.to_string_lossy();
        glob_matches(glob, &rel).then_some(glob.as_str())
    })
}

/// Whether `glob` matches the relative path `path`: `*` and `?` within a name, `**` any
/// number of directories; a glob without `/` matches any one name in the path (a file or a
/// directory), as in .gitignore. A leading `./` or `/` anchors it at the base.
pub(crate) fn glob_matches(glob: &str, path: &str) -> bool {
    let path: Vec<&str> = path.split('/').filter(|s| !s.is_empty() && *s != ".").collect();
    let glob = glob.trim_end_matches('/');
    if !glob.contains('/') {
        return path.iter().any(|name| name_matches(glob.as_bytes(), name.as_bytes()));
    }
    let glob = glob.trim_start_matches("./").trim_start_matches('/');
    let parts: Vec<&str> = glob.split('/').filter(|s| !s.is_empty()).collect();
    // A directory's glob also covers everything below it.
    (0..=path.len()).any(|n| segments_match(&parts, &path[..n]))
}

fn segments_match(glob: &[&str], path: &[&str]) -> bool {
    match glob.split_first() {
        None => path.is_empty(),
        Some((&"**", rest)) => (0..=path.len()).any(|skip| segments_match(rest, &path[skip..])),
        Some((first, rest)) => path
            .split_first()
            .is_some_and(|(p, prest)| name_matches(first.as_bytes(), p.as_bytes()) && segments_match(rest, prest)),
    }
}

fn name_matches(glob: &[u8], name: &[u8]) -> bool {
    // Iterative wildcard match (`*` backtracks to the last star only).
    let (mut g, mut n, mut star, mut mark) = (0, 0, None, 0);
    while n < name.len() {
        if g < glob.len() && (glob[g] == b'?' || glob[g] == name[n]) {
            g += 1;
            n += 1;
        } else if g < glob.len() && glob[g] == b'*' {
            star = Some(g);
            mark = n;
            g += 1;
        } else if let Some(s) = star {
            g = s + 1;
            mark += 1;
            n = mark;
        } else {
            return false;
        }
    }
    glob[g..].iter().all(|&c| c == b'*')
}

/// The configuration of a run and the directories its globs are relative to: the file
/// (`--config`, or `.rwo-guard.yaml` discovered), then the flags; `check` only reports.
fn load_config(run: &Run) -> Result<(Config, Bases), Fatal> {
    let cwd = std::env::current_dir().map_err(|e| Fatal::Usage(format!("cannot read the current directory: {e}")))?;
    let file = match &run.config {
        ConfigSource::File(path) => Some(path.clone()),
        ConfigSource::Discover => discover(&cwd),
        ConfigSource::None => None,
    };
    let mut config = match &file {
        Some(path) => {
            let origin = input::display(path.strip_prefix(&cwd).unwrap_or(path));
            config::parse_file(&pipeline::read_config_file(path, &origin)?, &origin)?
        }
        None => Config::default(),
    };
    let file_globs = config.exclude.len();
    let dir = file.as_deref().and_then(Path::parent).map_or_else(|| cwd.clone(), |d| cwd.join(d));
    config = config.with(&run.pipeline.overrides);
    config.report_only = run.fix.is_none();
    Ok((config, Bases { file: dir, file_globs, cwd }))
}

/// `.rwo-guard.yaml` in `dir` or its nearest parent that has one, looking no higher than the
/// directory holding `.git` (the repository's root).
pub(crate) fn discover(dir: &Path) -> Option<PathBuf> {
    for d in dir.ancestors() {
        let candidate = d.join(CONFIG_FILE);
        if candidate.is_file() {
            return Some(candidate);
        }
        if d.join(".git").exists() {
            return None;
        }
    }
    None
}

/// What to do when standard input is a terminal and no path was given.
pub(crate) fn terminal_hint() -> Fatal {
    Fatal::Misuse {
        message: "standard input is a terminal: give rwo-guard manifests to read".into(),
        tip: "rwo-guard check DIR (files and directories), or pipe a stream in: kubectl kustomize DIR | rwo-guard"
            .into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_names_anywhere_and_paths_from_the_base() {
        assert!(glob_matches("legacy", "deploy/legacy/old.yaml"), "a name: any directory");
        assert!(glob_matches("*.tmpl.yaml", "a/b/c.tmpl.yaml"));
        assert!(!glob_matches("*.tmpl.yaml", "a/b/c.yaml"));
        assert!(glob_matches("deploy/legacy", "deploy/legacy/old.yaml"), "a directory covers what is below");
        assert!(!glob_matches("deploy/legacy", "other/deploy/legacy/old.yaml"), "a path starts at the base");
        assert!(glob_matches("**/legacy/*.yaml", "x/y/legacy/a.yaml"));
        assert!(glob_matches("./deploy/*/a.yaml", "deploy/b/a.yaml"));
        assert!(glob_matches("d?ploy/**", "deploy/x/y.yaml"));
        assert!(!glob_matches("deploy/*.yaml", "deploy/x/y.yaml"), "`*` stays within a name");
    }

    #[test]
    fn discovery_stops_at_the_repository_root() {
        let root = std::env::temp_dir().join(format!("rwo-guard-discover-{}", std::process::id()));
        let deep = root.join("repo/a/b");
        std::fs::create_dir_all(&deep).expect("dirs");
        std::fs::write(root.join(CONFIG_FILE), "rules: {}\n").expect("outside");
        std::fs::create_dir_all(root.join("repo/.git")).expect("git");
        assert_eq!(discover(&deep), None, "the file above the repository is not read");
        std::fs::write(root.join("repo").join(CONFIG_FILE), "rules: {}\n").expect("root");
        assert_eq!(discover(&deep), Some(root.join("repo").join(CONFIG_FILE)));
        std::fs::write(root.join("repo/a").join(CONFIG_FILE), "rules: {}\n").expect("nearer");
        assert_eq!(discover(&deep), Some(root.join("repo/a").join(CONFIG_FILE)));
        let _ = std::fs::remove_dir_all(&root);
    }
}
