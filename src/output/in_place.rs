//! `--in-place`: each file with edits is written back, and no other. All or nothing:
//!
//! 1. check every file to write: not read-only, openable for writing, a single link (a new
//!    file would break the others), and still the bytes that were read;
//! 2. write each new text to a temporary file beside it (same directory, so the rename stays on
//!    one file system), with the file's permission bits, owner and group, synced to disk;
//! 3. only then rename each temporary file over its file (atomic per file), and sync the
//!    directories.
//!
//! A problem in steps 1 and 2 changes no file (the temporary files are removed); the message
//! names the file and says nothing was written. A rename failing after that (not expected once
//! the temporary file sits in the same directory) is reported with the files already written.
//! A symbolic link is followed: the file it points to is written and the link stays.

use std::fs::{self, File, OpenOptions};
use std::io::Write as _;
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};

use crate::outcome::EditedText;
use crate::rewrite;

/// One file to write.
struct Target<'a> {
    /// The name shown.
    name: &'a str,
    /// The file itself (links followed).
    real: PathBuf,
    /// Its new text.
    text: String,
    /// Its metadata when read.
    meta: fs::Metadata,
}

/// Writes every output with edits back to its file. Returns how many files were written, or
/// what went wrong.
pub(crate) fn write(outputs: &[EditedText<'_>]) -> Result<usize, String> {
    let mut targets = Vec::new();
    for out in outputs.iter().filter(|o| !o.edits.is_empty()) {
        let Some(path) = out.path else { continue };
        targets.push(check(out, path).map_err(|e| format!("{e}; no file was written"))?);
    }
    let mut temps: Vec<PathBuf> = Vec::new();
    for (i, t) in targets.iter().enumerate() {
        match temporary(t, i) {
            Ok(tmp) => temps.push(tmp),
            Err(e) => {
                remove(&temps);
                return Err(format!("{e}; no file was written"));
            }
        }
    }
    for (i, (t, tmp)) in targets.iter().zip(&temps).enumerate() {
        if let Err(e) = fs::rename(tmp, &t.real) {
            remove(&temps[i..]);
            let written: Vec<&str> = targets[..i].iter().map(|t| t.name).collect();
            return Err(format!(
                "cannot replace {} with its edited text: {e}; written before it: {}",
                t.name,
                if written.is_empty() { "none".to_string() } else { written.join(", ") }
            ));
        }
    }
    for t in &targets {
        if let Some(dir) = t.real.parent().and_then(|d| File::open(d).ok()) {
            let _ = dir.sync_all();
        }
    }
    Ok(targets.len())
}

/// Step 1 for one file.
fn check<'a>(out: &EditedText<'a>, path: &Path) -> Result<Target<'a>, String> {
    let name = out.name;
    let real = fs::canonicalize(path).map_err(|e| format!("cannot write {name}: {e}"))?;
    let meta = fs::metadata(&real).map_err(|e| format!("cannot write {name}: {e}"))?;
    if meta.permissions().readonly() {
        return Err(format!("cannot write {name}: the file is read-only"));
    }
    OpenOptions::new().write(true).open(&real).map_err(|e| format!("cannot write {name}: {e}"))?;
    if meta.nlink() > 1 {
        return Err(format!(
            "cannot write {name} in place: it has {} hard links, which a new file would break",
            meta.nlink()
        ));
    }
    let now = fs::read(&real).map_err(|e| format!("cannot write {name}: {e}"))?;
    if now != out.text.as_bytes() {
        return Err(format!("{name} changed while rwo-guard was running"));
    }
    Ok(Target { name, real, text: rewrite::splice(out.text, &out.edits), meta })
}

/// Step 2 for one file: its new text in a temporary file beside it, which is returned.
fn temporary(t: &Target<'_>, i: usize) -> Result<PathBuf, String> {
    let dir = t.real.parent().unwrap_or(Path::new("."));
    let file_name = t.real.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{file_name}.rwo-guard-{}-{i}.tmp", std::process::id()));
    let fail = |e: std::io::Error| format!("cannot write a temporary file beside {}: {e}", t.name);
    let mut file = OpenOptions::new().write(true).create_new(true).open(&tmp).map_err(fail)?;
    let written = (|| {
        file.write_all(t.text.as_bytes())?;
        fs::set_permissions(&tmp, t.meta.permissions())?;
        let mine = file.metadata()?;
        if (mine.uid(), mine.gid()) != (t.meta.uid(), t.meta.gid()) {
            std::os::unix::fs::fchown(&file, Some(t.meta.uid()), Some(t.meta.gid()))?;
        }
        file.sync_all()
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(fail(e));
    }
    Ok(tmp)
}

fn remove(temps: &[PathBuf]) {
    for tmp in temps {
        let _ = fs::remove_file(tmp);
    }
}
