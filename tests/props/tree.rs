//! Generated directory trees for `-f`, and the trust model every run over one must keep
//! (README "Security"):
//!
//! - nothing outside the path named is read: the files a link leads out to hold markers (an
//!   invalid file with a secret, manifests with their own names) that never reach stdout or
//!   stderr;
//! - nothing outside the path named is written, a FIFO stays a FIFO, and no temporary file is
//!   left anywhere;
//! - no raw control character reaches stderr (a line break only ends a line), nor the
//!   `---`/`+++` lines of `--diff` (a TAB may end one, as git writes it) or a `github` report;
//! - no panic, and never exit 4.
//!
//! A tree holds generated manifests (`manifest.rs`) under odd names (line breaks, tabs, spaces,
//! quotes, a leading dash, ESC, bytes that are not UTF-8, a leading dot), subdirectories,
//! symbolic links inside it (to files, to directories, back up to an ancestor) and out of it (to
//! files and directories beside it, by relative and absolute targets, broken ones), a FIFO with
//! a manifest's name, and files that are not manifests.

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt as _;
use std::os::unix::fs::FileTypeExt as _;
use std::path::{Path, PathBuf};

use super::invariants::run;
use super::manifest::{generate, mutate, Source};

/// What the files outside the tree hold: none of it may be shown.
pub const MARKERS: &[&str] = &["SECRET-7c1e", "outside-file-7c1e", "outside-dir-7c1e"];

const PVC: &str =
    "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\nspec:\n  accessModes: [ReadWriteOnce]\n";

fn deployment(name: &str) -> String {
    format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: 1\n  template:\n    spec:\n      volumes:\n      - name: d\n        persistentVolumeClaim: {{claimName: data}}\n")
}

/// Pieces of names: every one a byte sequence a file name may hold.
const PIECES: &[&[u8]] = &[
    b"a",
    b"b",
    b"web",
    b"0",
    b" ",
    b"\t",
    b"\n",
    b"\r",
    b"\"",
    b"'",
    b"\\",
    b"-",
    b"\x1b",
    b"\x1b[2J",
    b"\xff",
    b"\xe2\x80\xae",
    b"\xc3\xa9",
    b"::error ",
    b"rwo-guard: ",
    b"%s",
    b"$(x)",
    b"#",
];

const EXTENSIONS: &[&str] = &[".yaml", ".yml", ".json", ".YAML", ".txt", ""];

/// A random odd name (never empty, `.`, `..`, nor holding `/` or NUL).
fn name(src: &mut impl Source, ext: bool) -> Vec<u8> {
    let mut n = Vec::new();
    match src.below(8) {
        0 => n.push(b'-'),
        1 => n.push(b'.'),
        _ => {}
    }
    for _ in 0..=src.below(4) {
        n.extend_from_slice(PIECES[src.below(PIECES.len())]);
    }
    if ext {
        n.extend_from_slice(EXTENSIONS[src.below(EXTENSIONS.len())].as_bytes());
    }
    n
}

fn os(b: &[u8]) -> &OsStr {
    OsStr::from_bytes(b)
}

/// What a run over a tree was, for a failure's message.
pub struct Made {
    /// The arguments after the program name.
    pub args: Vec<String>,
    /// Every entry made, as (relative path, what).
    pub entries: Vec<(String, String)>,
}

/// Builds a random tree under `base` (emptied first): `base/tree` (the path named) and
/// `base/outside` (what links lead out to). Returns the arguments to run with.
pub fn build(src: &mut impl Source, base: &Path) -> Made {
    let _ = fs::remove_dir_all(base);
    let tree = base.join("tree");
    let outside = base.join("outside");
    fs::create_dir_all(&tree).expect("tree");
    fs::create_dir_all(outside.join("dir")).expect("outside");
    fs::write(outside.join("secret.yaml"), format!("{}: [\nkey: {}\n", MARKERS[0], MARKERS[0])).expect("write");
    fs::write(outside.join("file.yaml"), format!("{PVC}---\n{}", deployment(MARKERS[1]))).expect("write");
    fs::write(outside.join("dir/inner.yaml"), format!("{PVC}---\n{}", deployment(MARKERS[2]))).expect("write");
    let mut entries = Vec::new();
    let mut dirs: Vec<PathBuf> = vec![tree.clone()];
    let mut files: Vec<PathBuf> = Vec::new();
    let count = 1 + src.below(10);
    for _ in 0..count {
        let dir = dirs[src.below(dirs.len())].clone();
        let what = src.below(16);
        let path = dir.join(os(&name(src, what < 12)));
        if fs::symlink_metadata(&path).is_ok() {
            continue;
        }
        let rel =
            String::from_utf8_lossy(path.strip_prefix(base).expect("under base").as_os_str().as_bytes()).into_owned();
        let made = make(src, what, &path, base, &mut files, &mut dirs);
        if let Ok(what) = made {
            entries.push((rel, what.to_string()));
        }
    }
    let mut args: Vec<String> = super::manifest::ARG_SETS[src.below(super::manifest::ARG_SETS.len())]
        .iter()
        .map(|a| (*a).to_string())
        .collect();
    match src.below(4) {
        0 => args.push("--in-place".into()),
        1 => args.extend(["--diff".into(), "--color".into(), "never".into()]),
        2 => args.extend(["--results".into(), "-".into(), "--results-format".into(), "github".into()]),
        _ => {}
    }
    args.push("-f".into());
    args.push(tree.display().to_string());
    Made { args, entries }
}

/// Makes entry `path` of kind `what` (a number from 0 to 15): a manifest, a directory, a link
/// out or in, a broken link, a FIFO, or junk. Returns what it made.
fn make(
    src: &mut impl Source,
    what: usize,
    path: &Path,
    base: &Path,
    files: &mut Vec<PathBuf>,
    dirs: &mut Vec<PathBuf>,
) -> std::io::Result<&'static str> {
    let outside = base.join("outside");
    match what {
        // A manifest: generated, sometimes damaged, sometimes the fixed pair that gets an edit.
        0..=5 => {
            let text = match src.below(3) {
                0 => format!("{PVC}---\n{}", deployment("web")),
                1 => {
                    let case = generate(src);
                    mutate(&case.input, src)
                }
                _ => generate(src).input,
            };
            fs::write(path, text).map(|()| {
                files.push(path.to_path_buf());
                "file"
            })
        }
        6..=7 => fs::create_dir(path).map(|()| {
            dirs.push(path.to_path_buf());
            "dir"
        }),
        // Links out: relative and absolute, to files and to a directory, and a broken one.
        8..=9 => {
            let depth = path.strip_prefix(base).expect("under base").components().count() - 1;
            let up = "../".repeat(depth);
            let target: PathBuf = match src.below(5) {
                0 => format!("{up}outside/secret.yaml").into(),
                1 => format!("{up}outside/file.yaml").into(),
                2 => format!("{up}outside/dir").into(),
                3 => outside.join("file.yaml"),
                _ => outside.join("dir"),
            };
            std::os::unix::fs::symlink(&target, path).map(|()| "link out")
        }
        // Links inside: to a file, to a directory (an ancestor makes a loop).
        10..=11 => {
            let target = if !files.is_empty() && src.chance(1, 2) {
                files[src.below(files.len())].clone()
            } else {
                dirs[src.below(dirs.len())].clone()
            };
            std::os::unix::fs::symlink(&target, path).map(|()| "link in")
        }
        12 => std::os::unix::fs::symlink("nowhere.yaml", path).map(|()| "broken link"),
        // A FIFO with a manifest's name: never opened.
        13 => {
            let mut fifo = path.as_os_str().to_os_string();
            fifo.push(".yaml");
            let made = std::process::Command::new("mkfifo").arg(&fifo).status();
            made.map(|_| "fifo")
        }
        _ => fs::write(path, "not: [a manifest\n").map(|()| "junk"),
    }
}

/// Every entry under `root` (links not followed) with what it is and, for a file, its bytes.
fn snapshot(root: &Path) -> Vec<(PathBuf, String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(dir) = todo.pop() {
        let Ok(entries) = fs::read_dir(&dir) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            let Ok(meta) = fs::symlink_metadata(&p) else { continue };
            let t = meta.file_type();
            let (what, bytes) = if t.is_dir() {
                todo.push(p.clone());
                ("dir", Vec::new())
            } else if t.is_symlink() {
                ("link", fs::read_link(&p).map(|l| l.as_os_str().as_bytes().to_vec()).unwrap_or_default())
            } else if t.is_fifo() {
                ("fifo", Vec::new())
            } else {
                ("file", fs::read(&p).unwrap_or_default())
            };
            out.push((p, what.to_string(), bytes));
        }
    }
    out.sort();
    out
}

/// The first raw control character in `line` (a TAB allowed at its end when `tab_at_end`).
fn control(line: &str, tab_at_end: bool) -> Option<char> {
    let line = if tab_at_end { line.strip_suffix('\t').unwrap_or(line) } else { line };
    line.chars().find(|&c| {
        c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    })
}

/// Builds a tree from `src` under `base`, runs rwo-guard over it in this process, and checks
/// the trust model. `Err` names what broke, with the arguments and the tree.
pub fn check(src: &mut impl Source, base: &Path) -> Result<(), String> {
    let made = build(src, base);
    let result = check_built(base, &made);
    result.map_err(|problem| {
        let entries: Vec<String> = made.entries.iter().map(|(p, w)| format!("  {w}: {p:?}")).collect();
        format!("{problem}\nargs: {:?}\ntree:\n{}", made.args, entries.join("\n"))
    })
}

fn check_built(base: &Path, made: &Made) -> Result<(), String> {
    let outside_before = snapshot(&base.join("outside"));
    let fifos: Vec<PathBuf> =
        snapshot(&base.join("tree")).into_iter().filter(|(_, w, _)| w == "fifo").map(|(p, _, _)| p).collect();
    let out = run(b"", &made.args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.code == 4 || !(0..=5).contains(&out.code) {
        return Err(format!("exit {}\n--- stderr\n{stderr}", out.code));
    }
    for marker in MARKERS {
        if stdout.contains(marker) || stderr.contains(marker) {
            return Err(format!(
                "{marker}, from a file outside the path named, was shown\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
            ));
        }
    }
    if snapshot(&base.join("outside")) != outside_before {
        return Err("a file outside the path named was changed".into());
    }
    for f in &fifos {
        if !fs::symlink_metadata(f).is_ok_and(|m| m.file_type().is_fifo()) {
            return Err(format!(
                "the FIFO {:?} is gone or replaced",
                String::from_utf8_lossy(f.as_os_str().as_bytes())
            ));
        }
    }
    if let Some((p, _, _)) = snapshot(base)
        .into_iter()
        .find(|(p, _, _)| p.file_name().is_some_and(|n| n.as_bytes().windows(11).any(|w| w == b".rwo-guard-")))
    {
        return Err(format!("a temporary file was left: {:?}", String::from_utf8_lossy(p.as_os_str().as_bytes())));
    }
    for line in stderr.lines() {
        if let Some(c) = control(line, false) {
            return Err(format!("a raw control character {c:?} on stderr, in line {line:?}\n--- stderr\n{stderr}"));
        }
    }
    let github = made.args.iter().any(|a| a == "github");
    for line in stdout.lines() {
        let header = line.starts_with("--- ") || line.starts_with("+++ ");
        if (github || header) && control(line, header).is_some() {
            return Err(format!("a raw control character on stdout, in line {line:?}"));
        }
    }
    Ok(())
}
