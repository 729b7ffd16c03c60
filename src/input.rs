//! Files and directories as input (`-f PATH`, repeatable, as in kubectl): which files are read,
//! their text, and which of them are not Kubernetes objects and are skipped.
//!
//! - A file named on the command line is read whatever its name; a directory is read
//!   recursively: its `*.yaml`, `*.yml` and `*.json` files (any case), in byte order of their
//!   paths, entries whose name starts with `.` (`.git`, `.github`) left out. Each file is read
//!   once, however many paths lead to it. A symbolic link named on the command line is
//!   followed. Inside a directory, a link is followed only when it resolves inside the path
//!   named (as the directory itself resolves): one that leads out of it (to a file or a
//!   directory) is skipped with an info line naming the link and where it leads, so a tree
//!   cannot make rwo-guard read, print or write a file outside it. A link that leads back to a
//!   directory being read is an error, as is a broken one.
//! - Every file is read whole and checked to be UTF-8 (an error names the file, line and
//!   column); `--max-input-bytes` bounds all of them together.
//! - A file that holds no Kubernetes object is skipped with one info line: a kustomization, a
//!   Kptfile, a values file, a ResourceList (that belongs on standard input), and a file that is
//!   not valid YAML but holds `{{` (a Helm template). Any other file that is not valid YAML
//!   stops the run, as on standard input.
//!
//! Standard input is read by `pipeline::read_input`; both end in the same reader, one text at a
//! time, so positions stay those of each file.

use std::collections::HashSet;
use std::os::unix::ffi::OsStrExt as _;
use std::os::unix::fs::MetadataExt as _;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use crate::error::{Failure, Fatal, Place};
use crate::model::Object;
use crate::read::{Bundle, Form, Limits};
use crate::{kinds, text};

/// One file read.
#[derive(Debug)]
pub(crate) struct Source {
    /// The path as given (`./` left out), shown in messages and reports.
    pub name: String,
    /// The path, for reading and writing.
    pub path: PathBuf,
    /// Its text.
    pub text: String,
}

/// The extensions a directory's files are read for.
const EXTENSIONS: &[&str] = &["yaml", "yml", "json"];

/// Kinds that configure a build instead of describing Kubernetes objects (API group, kind, what
/// the skip line calls it): a file holding nothing else is skipped.
const BUILD_CONFIG: &[(&str, &str, &str)] = &[
    ("kustomize.config.k8s.io", "Kustomization", "a kustomize Kustomization"),
    ("kustomize.config.k8s.io", "Component", "a kustomize Component"),
    ("kpt.dev", "Kptfile", "a kpt Kptfile"),
];

/// File names kustomize reads as a kustomization, with or without `apiVersion` and `kind`.
const KUSTOMIZATION_NAMES: &[&str] = &["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// The files of `-f`: those read, and the links left out (name, why), in order.
#[derive(Debug, Default)]
pub(crate) struct Files {
    /// Every file read, in order, each once.
    pub sources: Vec<Source>,
    /// The links not followed because they lead out of the path named: the link's name and the
    /// info line's reason (naming where it leads).
    pub skipped: Vec<(String, String)>,
}

/// Reads every file the `-f` paths name, in order, each once.
pub(crate) fn read_files(paths: &[PathBuf], limits: Limits) -> Result<Files, Failure> {
    read_files_where(paths, limits, Given::Filename, &mut |_| true)
}

/// How the paths were given: they differ in how errors name them and in whether an empty
/// directory is an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Given {
    /// `-f PATH`: a directory with no file to read is an error.
    Filename,
    /// `check PATH`, `fix PATH`: an empty directory is checked, and found empty.
    Argument,
}

/// As [`read_files`], reading only the files `keep` accepts (the others are not opened).
pub(crate) fn read_files_where(
    paths: &[PathBuf],
    limits: Limits,
    given: Given,
    keep: &mut dyn FnMut(&Path) -> bool,
) -> Result<Files, Failure> {
    let mut seen = HashSet::new();
    let mut files = Files::default();
    let mut total = 0usize;
    for arg in paths {
        let (paths, skipped) = files_of(arg, given).map_err(Failure::new)?;
        files.skipped.extend(skipped);
        for path in paths {
            let meta = std::fs::metadata(&path).map_err(|e| Failure::new(cannot_read(&path, &e)))?;
            if !seen.insert((meta.dev(), meta.ino())) || !keep(&path) {
                continue;
            }
            let budget = limits.max_input_bytes - total;
            let bytes = read_bounded(&path, budget, limits.max_input_bytes).map_err(Failure::new)?;
            total += bytes.len();
            let name = display(&path);
            match utf8(&bytes) {
                Ok(_) => {
                    let text = String::from_utf8(bytes).unwrap_or_default();
                    files.sources.push(Source { name, path, text });
                }
                Err(fatal) => return Err(Failure::in_input(fatal, &name, bytes)),
            }
        }
    }
    Ok(files)
}

/// Checks that `bytes` are UTF-8; the error names the first byte that is not, with its place.
pub(crate) fn utf8(bytes: &[u8]) -> Result<&str, Fatal> {
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let before = &bytes[..at];
        let line = text::line_number(before, at);
        let line_start = text::line_start(before, at);
        let col = String::from_utf8_lossy(&before[line_start..]).chars().count();
        Fatal::input_at(
            format!("the input is not UTF-8 (byte 0x{:02x} at offset {at}); YAML must be UTF-8", bytes[at]),
            Place { offset: at, line, col, document: None, field: None },
        )
    })
}

/// `path` as shown: its components joined with `/`, without `.` steps (bytes that are not
/// UTF-8 shown as U+FFFD).
pub(crate) fn display(path: &Path) -> String {
    String::from_utf8_lossy(&display_bytes(path)).into_owned()
}

/// [`display`]'s name as the path's own bytes (for `--diff`, which quotes them as git does).
pub(crate) fn display_bytes(path: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    for c in path.components() {
        match c {
            Component::RootDir => out.push(b'/'),
            Component::CurDir => {}
            other => {
                if !out.is_empty() && !out.ends_with(b"/") {
                    out.push(b'/');
                }
                out.extend_from_slice(other.as_os_str().as_bytes());
            }
        }
    }
    if out.is_empty() {
        out.push(b'.');
    }
    out
}

fn cannot_read(path: &Path, e: &std::io::Error) -> Fatal {
    Fatal::Input { message: format!("cannot read {}: {e}", display(path)), place: None, hint: None }
}

/// A link left out of a walk, and why: its name and the info line's reason.
type Skipped = (String, String);

/// The files one `-f` path stands for: itself, or a directory's files (sorted), and the links
/// in the directory left out because they lead out of it.
fn files_of(arg: &Path, given: Given) -> Result<(Vec<PathBuf>, Vec<Skipped>), Fatal> {
    let flag = if given == Given::Filename { "-f " } else { "" };
    if arg.as_os_str() == "-" {
        return Err(Fatal::Usage("-f -: standard input is read when no -f is given".into()));
    }
    let meta = std::fs::metadata(arg).map_err(|e| {
        let broken = std::fs::symlink_metadata(arg).is_ok_and(|m| m.file_type().is_symlink());
        let what = if broken { " (a symbolic link to nothing, or a loop of links)" } else { "" };
        Fatal::Usage(format!("{flag}{}: {e}{what}", display(arg)))
    })?;
    if !meta.is_dir() {
        return Ok((vec![arg.to_path_buf()], Vec::new()));
    }
    let (mut files, mut skipped) = walk(arg, (meta.dev(), meta.ino()))?;
    if files.is_empty() && given == Given::Filename {
        let kinds = EXTENSIONS.iter().map(|e| format!("*.{e}")).collect::<Vec<_>>().join(", ");
        let also = if skipped.is_empty() { "" } else { " (links that lead out of it are not followed)" };
        return Err(Fatal::Usage(format!("-f {}: no {kinds} file in this directory or below it{also}", display(arg))));
    }
    files.sort_by(|a, b| a.as_os_str().as_bytes().cmp(b.as_os_str().as_bytes()));
    skipped.sort();
    Ok((files, skipped))
}

/// A directory being walked: its path, identity and parent (an index into the walk's list).
struct Dir {
    path: PathBuf,
    id: (u64, u64),
    parent: Option<usize>,
}

/// The files under `root`, walked with an explicit stack (deep trees cost heap, not stack), and
/// the links under it that lead out of it (not followed).
fn walk(root: &Path, id: (u64, u64)) -> Result<(Vec<PathBuf>, Vec<Skipped>), Fatal> {
    let inside = std::fs::canonicalize(root).map_err(|e| cannot_read(root, &e))?;
    let mut dirs = vec![Dir { path: root.to_path_buf(), id, parent: None }];
    let mut todo = vec![0usize];
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    while let Some(at) = todo.pop() {
        let dir = dirs[at].path.clone();
        let entries = std::fs::read_dir(&dir).map_err(|e| cannot_read(&dir, &e))?;
        for entry in entries {
            let entry = entry.map_err(|e| cannot_read(&dir, &e))?;
            let name = entry.file_name();
            if name.as_bytes().starts_with(b".") {
                continue;
            }
            let path = entry.path();
            let meta = std::fs::metadata(&path).map_err(|e| {
                let link = entry.file_type().is_ok_and(|t| t.is_symlink());
                let what = if link { " (a symbolic link to nothing, or a loop of links)" } else { "" };
                Fatal::Input { message: format!("cannot read {}: {e}{what}", display(&path)), place: None, hint: None }
            })?;
            let read = meta.is_dir() || (meta.is_file() && has_extension(&path));
            if read && entry.file_type().is_ok_and(|t| t.is_symlink()) {
                let target = std::fs::canonicalize(&path).map_err(|e| cannot_read(&path, &e))?;
                if !target.starts_with(&inside) {
                    let what = if meta.is_dir() { "directory" } else { "file" };
                    skipped.push((
                        display(&path),
                        format!(
                            "a symbolic link to the {what} {}, outside {}: a link that leads out of the path named with -f is not followed",
                            display(&target),
                            display(root)
                        ),
                    ));
                    continue;
                }
            }
            if meta.is_dir() {
                let id = (meta.dev(), meta.ino());
                if let Some(ancestor) = ancestor_with(&dirs, at, id) {
                    return Err(Fatal::Input {
                        message: format!(
                            "{} leads back to {}: a loop of symbolic links",
                            display(&path),
                            display(&dirs[ancestor].path)
                        ),
                        place: None,
                        hint: Some("remove the link, or name the directories to read with -f one by one".into()),
                    });
                }
                dirs.push(Dir { path, id, parent: Some(at) });
                todo.push(dirs.len() - 1);
            } else if meta.is_file() && has_extension(&path) {
                files.push(path);
            }
        }
    }
    Ok((files, skipped))
}

/// The directory among `at` and its ancestors whose identity is `id`.
fn ancestor_with(dirs: &[Dir], at: usize, id: (u64, u64)) -> Option<usize> {
    let mut next = Some(at);
    while let Some(i) = next {
        if dirs[i].id == id {
            return Some(i);
        }
        next = dirs[i].parent;
    }
    None
}

fn has_extension(path: &Path) -> bool {
    path.extension().is_some_and(|e| EXTENSIONS.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// The file's bytes, at most `budget` of them (what is left of `limit`, the limit as given).
fn read_bounded(path: &Path, budget: usize, limit: usize) -> Result<Vec<u8>, Fatal> {
    use std::io::Read as _;
    let file = std::fs::File::open(path).map_err(|e| cannot_read(path, &e))?;
    let mut bytes = Vec::new();
    file.take(budget as u64 + 1).read_to_end(&mut bytes).map_err(|e| cannot_read(path, &e))?;
    if bytes.len() > budget {
        return Err(Fatal::Input {
            message: format!("the files given with -f are larger than {limit} bytes together"),
            place: None,
            hint: Some("raise the limit with --max-input-bytes".into()),
        });
    }
    Ok(bytes)
}

/// A `--cluster` file's name as shown and its bytes, at most the input limit.
pub(crate) fn read_cluster_file(path: &Path, limits: Limits) -> Result<(String, Vec<u8>), Fatal> {
    use std::io::Read as _;
    let name = display(path);
    let cannot = |e: std::io::Error| Fatal::Usage(format!("--cluster {name}: {e}"));
    if std::fs::metadata(path).map_err(cannot)?.is_dir() {
        return Err(Fatal::Usage(format!("--cluster {name}: is a directory; name the file kubectl wrote")));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(limits.max_input_bytes as u64 + 1).read_to_end(&mut bytes))
        .map_err(cannot)?;
    if bytes.len() > limits.max_input_bytes {
        return Err(Fatal::Input {
            message: format!("--cluster {name} is larger than {} bytes", limits.max_input_bytes),
            place: None,
            hint: Some("raise the limit with --max-input-bytes".into()),
        });
    }
    Ok((name, bytes))
}

/// What the reader saw of one file, for deciding whether it holds Kubernetes objects: counted
/// as the reader keeps or drops each object (the keep filter is where every object passes).
#[derive(Debug, Default)]
pub(crate) struct Census {
    /// Objects with an `apiVersion` and a `kind` that do not configure a build.
    objects: AtomicUsize,
    /// What the first build configuration seen is.
    config: OnceLock<&'static str>,
}

impl Census {
    /// Counts `o`, and keeps it when analysis needs it (as `Object::relevant`).
    pub(crate) fn keep(&self, o: &Object) -> bool {
        if let (Some(api_version), Some(kind)) = (o.api_version.as_deref(), o.kind.as_deref()) {
            let group = kinds::split_api_version(api_version).0;
            match BUILD_CONFIG.iter().find(|(g, k, _)| *g == group && *k == kind) {
                Some((_, _, what)) => {
                    let _ = self.config.set(what);
                }
                None => {
                    self.objects.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        o.relevant()
    }

    /// How many Kubernetes objects were seen (with `apiVersion` and `kind`, not build
    /// configuration).
    pub(crate) fn objects(&self) -> usize {
        self.objects.load(Ordering::Relaxed)
    }

    /// Why the file read is skipped, when it holds no Kubernetes object.
    pub(crate) fn skip_reason(&self, source: &Source, bundle: &Bundle) -> Option<String> {
        let file_name = source.path.file_name().map(|n| n.to_string_lossy());
        if file_name.is_some_and(|n| KUSTOMIZATION_NAMES.contains(&n.as_ref())) {
            return Some("a kustomize Kustomization, not Kubernetes objects".into());
        }
        if bundle.form == Form::ResourceList {
            return Some("a KRM ResourceList: give it to rwo-guard on standard input instead".into());
        }
        if self.objects.load(Ordering::Relaxed) > 0 {
            return None;
        }
        Some(match self.config.get() {
            Some(what) => format!("{what}, not Kubernetes objects"),
            None => "no Kubernetes object in it (no document with both apiVersion and kind)".into(),
        })
    }
}

/// Why a file that is not valid YAML is skipped rather than stopping the run: it is a template.
pub(crate) fn template_reason(text: &str) -> Option<String> {
    text.contains("{{").then(|| {
        "not valid YAML, and holds `{{`: a template; render it first (helm template … | rwo-guard)".to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("rwo-guard-input-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("scratch");
        dir
    }

    fn names(dir: &Path, files: &[PathBuf]) -> Vec<String> {
        files.iter().map(|f| display(f.strip_prefix(dir).expect("under dir"))).collect()
    }

    #[test]
    fn directories_are_read_recursively_sorted_without_hidden_entries() {
        let dir = scratch("walk");
        for f in ["b.yaml", "a.yml", "c.JSON", "notes.txt", "z/deep/x.yaml", "a/y.yaml", ".git/config.yaml", "a.yaml"] {
            let p = dir.join(f);
            fs::create_dir_all(p.parent().expect("parent")).expect("dirs");
            fs::write(&p, "a: 1\n").expect("write");
        }
        let (files, _) = files_of(&dir, Given::Filename).expect("walk");
        assert_eq!(names(&dir, &files), ["a.yaml", "a.yml", "a/y.yaml", "b.yaml", "c.JSON", "z/deep/x.yaml"]);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn symlink_loops_and_broken_links_are_named() {
        let dir = scratch("loops");
        fs::create_dir_all(dir.join("a/b")).expect("dirs");
        fs::write(dir.join("a/b/x.yaml"), "a: 1\n").expect("write");
        std::os::unix::fs::symlink("..", dir.join("a/b/up")).expect("link");
        let err = files_of(&dir.join("a"), Given::Filename).expect_err("loop");
        let shown = err.render("-", b"");
        assert!(shown.contains("a/b/up leads back to") && shown.contains("loop of symbolic links"), "{shown}");
        fs::remove_file(dir.join("a/b/up")).expect("unlink");
        std::os::unix::fs::symlink("nowhere.yaml", dir.join("a/b/gone.yaml")).expect("link");
        let shown = files_of(&dir.join("a"), Given::Filename).expect_err("broken").render("-", b"");
        assert!(shown.contains("gone.yaml") && shown.contains("a symbolic link to nothing"), "{shown}");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn each_file_is_read_once_and_the_limit_counts_them_all() {
        let dir = scratch("once");
        fs::write(dir.join("a.yaml"), "a: 1\n").expect("write");
        std::os::unix::fs::symlink("a.yaml", dir.join("b.yaml")).expect("link");
        let paths = [dir.join("a.yaml"), dir.clone()];
        let files = read_files(&paths, Limits::default()).expect("read");
        assert_eq!(files.sources.len(), 1);
        let small = Limits { max_input_bytes: 4, ..Limits::default() };
        let err = read_files(&paths, small).expect_err("too large");
        assert!(err.fatal.render("-", b"").contains("--max-input-bytes"));
        // The limit as given, not what was left of it after the first file.
        fs::write(dir.join("c.yaml"), "c: 12345\n").expect("write");
        let nine = Limits { max_input_bytes: 9, ..Limits::default() };
        let err = read_files(&[dir.join("a.yaml"), dir.join("c.yaml")], nine).expect_err("too large together");
        let shown = err.fatal.render("-", b"");
        assert!(shown.contains("larger than 9 bytes together"), "{shown}");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn links_that_lead_out_of_the_path_named_are_skipped_and_named() {
        let dir = scratch("outside");
        fs::create_dir_all(dir.join("tree/in")).expect("dirs");
        fs::create_dir_all(dir.join("secrets")).expect("dirs");
        fs::write(dir.join("secrets/key.yaml"), "a: 1\n").expect("write");
        fs::write(dir.join("tree/in/x.yaml"), "a: 1\n").expect("write");
        std::os::unix::fs::symlink("../secrets/key.yaml", dir.join("tree/key.yaml")).expect("link");
        std::os::unix::fs::symlink("../secrets", dir.join("tree/up")).expect("link");
        std::os::unix::fs::symlink("in/x.yaml", dir.join("tree/inner.yaml")).expect("link");
        std::os::unix::fs::symlink("in", dir.join("tree/again")).expect("link");
        let (files, skipped) = files_of(&dir.join("tree"), Given::Filename).expect("walk");
        assert_eq!(names(&dir, &files), ["tree/again/x.yaml", "tree/in/x.yaml", "tree/inner.yaml"]);
        let skipped: Vec<&str> = skipped.iter().map(|(n, _)| n.strip_prefix(&display(&dir)).unwrap_or(n)).collect();
        assert_eq!(skipped, ["/tree/key.yaml", "/tree/up"]);
        let (_, why) = &files_of(&dir.join("tree"), Given::Filename).expect("walk").1[0];
        assert!(why.contains("secrets/key.yaml") && why.contains("not followed"), "{why}");
        // Named on the command line, a link is followed; a link to a directory is a path named.
        let (files, skipped) = files_of(&dir.join("tree/key.yaml"), Given::Filename).expect("named");
        assert_eq!((files.len(), skipped.len()), (1, 0));
        let (files, skipped) = files_of(&dir.join("tree/up"), Given::Filename).expect("named");
        assert_eq!((names(&dir, &files), skipped.len()), (vec!["tree/up/key.yaml".to_string()], 0));
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn names_drop_dot_steps() {
        assert_eq!(display(Path::new("./base//x.yaml")), "base/x.yaml");
        assert_eq!(display(Path::new("/abs/./x.yaml")), "/abs/x.yaml");
        assert_eq!(display(Path::new(".")), ".");
    }
}
