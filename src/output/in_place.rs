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
//! names the file and says nothing was written. Between steps 2 and 3 the caller writes
//! standard output and the results (`output::write`): a stream that cannot be written also
//! changes no file. A rename failing after that (not expected once the temporary file sits in
//! the same directory) is reported with the files already written.
//! A symbolic link is followed: the file it points to is written and the link stays.
//!
//! SIGTERM, SIGINT and SIGHUP are caught from step 1 until the renames are done, and looked at
//! between files: the temporary files not yet renamed are removed, each file is wholly old or
//! wholly new, the message names the files written, and the exit code is 128 + the signal.
//! Afterwards (and before) those signals act as they always do.

use std::fs::{self, File, OpenOptions};
use std::io::Write as _;
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

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

/// What stopped `--in-place`: a failure, or a signal (its number); each with its message.
#[derive(Debug)]
pub(crate) enum Stop {
    /// A check or a write failed.
    Failed(String),
    /// A signal arrived.
    Signal(i32, String),
}

/// The signals caught while files are written, as (number, name).
const SIGNALS: [(i32, &str); 3] = [
    (signal_hook::consts::SIGHUP, "SIGHUP"),
    (signal_hook::consts::SIGINT, "SIGINT"),
    (signal_hook::consts::SIGTERM, "SIGTERM"),
];

/// SIGTERM, SIGINT and SIGHUP caught (recorded, not acted on) while any [`Caught`] lives; then
/// they act as by default again. The handlers are installed once per process (signal-hook
/// cannot remove one and give the default action back), and stay: outside a [`Caught`] they
/// terminate the process as the default action does.
struct Handlers {
    /// The signal that arrived last (0: none).
    signal: Arc<AtomicUsize>,
    /// Set while no [`Caught`] lives: the signals act as by default (terminate).
    released: Arc<AtomicBool>,
    /// How many [`Caught`] live (runs of `--in-place` in this process at once).
    active: Mutex<usize>,
}

fn handlers() -> &'static Handlers {
    static HANDLERS: OnceLock<Handlers> = OnceLock::new();
    HANDLERS.get_or_init(|| {
        let h = Handlers {
            signal: Arc::new(AtomicUsize::new(0)),
            released: Arc::new(AtomicBool::new(true)),
            active: Mutex::new(0),
        };
        for (signal, _) in SIGNALS {
            // Registered first, so it runs first: terminate as by default when released.
            let _ = signal_hook::flag::register_conditional_default(signal, Arc::clone(&h.released));
            let _ = signal_hook::flag::register_usize(signal, Arc::clone(&h.signal), signal.unsigned_abs() as usize);
        }
        h
    })
}

/// While it lives, the signals are caught.
struct Caught {
    signal: Arc<AtomicUsize>,
}

impl Caught {
    fn new() -> Caught {
        let h = handlers();
        let mut active = h.active.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if *active == 0 {
            h.signal.store(0, Ordering::SeqCst);
            h.released.store(false, Ordering::SeqCst);
        }
        *active += 1;
        Caught { signal: Arc::clone(&h.signal) }
    }

    /// The signal that arrived, with its name.
    fn arrived(&self) -> Option<(i32, &'static str)> {
        let n = self.signal.load(Ordering::SeqCst);
        SIGNALS.into_iter().find(|(s, _)| s.unsigned_abs() as usize == n)
    }
}

impl Drop for Caught {
    fn drop(&mut self) {
        let h = handlers();
        let mut active = h.active.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *active -= 1;
        if *active == 0 {
            h.released.store(true, Ordering::SeqCst);
        }
    }
}

/// The files to write, checked, each with its new text in a synced temporary file beside it
/// (steps 1 and 2), waiting for [`Prepared::commit`]. Dropped without a commit, it removes the
/// temporary files: no file is changed.
pub(crate) struct Prepared<'a> {
    targets: Vec<Target<'a>>,
    temps: Vec<PathBuf>,
    caught: Option<Caught>,
}

/// Steps 1 and 2 for every output with edits. A failure or a signal changes no file (the
/// temporary files written so far are removed) and its message says so.
pub(crate) fn prepare<'a>(outputs: &[EditedText<'a>]) -> Result<Prepared<'a>, Stop> {
    let mut prepared = Prepared { targets: Vec::new(), temps: Vec::new(), caught: None };
    if outputs.iter().any(|o| !o.edits.is_empty() && o.path.is_some()) {
        prepared.caught = Some(Caught::new());
    }
    let mut targets = Vec::new();
    for out in outputs.iter().filter(|o| !o.edits.is_empty()) {
        let Some(path) = out.path else { continue };
        prepared.stopped(0)?;
        targets.push(check(out, path).map_err(|e| Stop::Failed(format!("{e}; no file was written")))?);
    }
    for (i, t) in targets.iter().enumerate() {
        prepared.stopped(0)?;
        let tmp = temporary(t, i).map_err(|e| Stop::Failed(format!("{e}; no file was written")))?;
        prepared.temps.push(tmp);
    }
    prepared.targets = targets;
    Ok(prepared)
}

/// Steps 1 to 3 at once (nothing to write between them): how many files were written, or
/// what stopped it (a signal's message names the files written).
pub(crate) fn write(outputs: &[EditedText<'_>]) -> Result<usize, String> {
    let done = prepare(outputs).and_then(Prepared::commit);
    done.map_err(|stop| match stop {
        Stop::Failed(message) | Stop::Signal(_, message) => message,
    })
}

impl Prepared<'_> {
    /// A signal that arrived, once `written` files of the targets were renamed, as a [`Stop`].
    fn stopped(&self, written: usize) -> Result<(), Stop> {
        let Some((signal, name)) = self.caught.as_ref().and_then(Caught::arrived) else { return Ok(()) };
        let names: Vec<&str> = self.targets[..written.min(self.targets.len())].iter().map(|t| t.name).collect();
        Err(Stop::Signal(
            signal,
            match names.len() {
                0 => format!("interrupted by {name}: no file was written (temporary files removed)"),
                n if n == self.targets.len() => {
                    format!("interrupted by {name} once every file was written: {}", names.join(", "))
                }
                n => format!(
                    "interrupted by {name}: {n} of {} files written ({}); the others are unchanged (temporary files removed)",
                    self.targets.len(),
                    names.join(", ")
                ),
            },
        ))
    }

    /// Step 3: renames each temporary file over its file. Returns how many files were written,
    /// or what stopped it, naming the files written before.
    pub(crate) fn commit(self) -> Result<usize, Stop> {
        self.commit_with(|_| {})
    }

    /// As [`commit`](Self::commit), calling `before(i)` before the `i`th rename (tests send a
    /// signal there).
    fn commit_with(mut self, mut before: impl FnMut(usize)) -> Result<usize, Stop> {
        let temps = std::mem::take(&mut self.temps);
        for (i, (t, tmp)) in self.targets.iter().zip(&temps).enumerate() {
            before(i);
            let renamed = self
                .stopped(i)
                .map_err(|stop| (stop, None))
                .and_then(|()| fs::rename(tmp, &t.real).map_err(|e| (Stop::Failed(String::new()), Some(e))));
            if let Err((stop, e)) = renamed {
                remove(&temps[i..]);
                let Some(e) = e else { return Err(stop) };
                let written: Vec<&str> = self.targets[..i].iter().map(|t| t.name).collect();
                return Err(Stop::Failed(format!(
                    "cannot replace {} with its edited text: {e}; written before it: {}",
                    t.name,
                    if written.is_empty() { "none".to_string() } else { written.join(", ") }
                )));
            }
        }
        for t in &self.targets {
            if let Some(dir) = t.real.parent().and_then(|d| File::open(d).ok()) {
                let _ = dir.sync_all();
            }
        }
        self.stopped(self.targets.len())?;
        Ok(self.targets.len())
    }
}

impl Drop for Prepared<'_> {
    fn drop(&mut self) {
        remove(&self.temps);
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A signal between two renames: the files renamed are new and named, the others old, and
    /// no temporary file is left.
    #[test]
    fn a_signal_between_renames_leaves_each_file_old_or_new_and_names_those_written() {
        let dir = std::env::temp_dir().join(format!("rwo-guard-in-place-signal-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("dir");
        let names = ["a.yaml", "b.yaml", "c.yaml"];
        let paths: Vec<PathBuf> = names.iter().map(|n| dir.join(n)).collect();
        for p in &paths {
            fs::write(p, "a: 1\n").expect("write");
        }
        let outputs: Vec<EditedText<'_>> = names
            .iter()
            .zip(&paths)
            .map(|(n, p)| EditedText {
                name: n,
                path: Some(p.as_path()),
                text: "a: 1\n",
                edits: vec![rewrite::Edit { start: 3, end: 4, with: "2".into() }],
            })
            .collect();
        let prepared = prepare(&outputs).expect("prepare");
        let flag = Arc::clone(&prepared.caught.as_ref().expect("signals caught").signal);
        let sigterm = signal_hook::consts::SIGTERM;
        let stop = prepared
            .commit_with(|i| {
                if i == 2 {
                    flag.store(sigterm.unsigned_abs() as usize, Ordering::SeqCst);
                }
            })
            .expect_err("interrupted");
        let Stop::Signal(signal, message) = stop else { panic!("{stop:?}") };
        assert_eq!(signal, sigterm);
        assert!(message.contains("interrupted by SIGTERM: 2 of 3 files written (a.yaml, b.yaml)"), "{message}");
        let texts: Vec<String> = paths.iter().map(|p| fs::read_to_string(p).expect("read")).collect();
        assert_eq!(texts, ["a: 2\n", "a: 2\n", "a: 1\n"]);
        assert_eq!(fs::read_dir(&dir).expect("dir").count(), 3, "no temporary file left");
        let _ = fs::remove_dir_all(&dir);
    }
}
