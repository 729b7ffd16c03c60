//! The `--results FILE` file: what may be at the path, and how it is written.
//!
//! - Nothing there, or a regular file (a symbolic link to one is followed): the report goes to a
//!   temporary file beside it, synced, then renamed over it (atomic: the old report or the new
//!   one, never half of one), with an existing file's permission bits.
//! - A character device or a FIFO (`/dev/null`, a terminal, a named pipe), or one of the
//!   process's own streams (`/dev/stdout`, `/dev/stderr`, `/dev/fd/N`, whatever they are): the
//!   report is written into it (appended to a stream); it is never removed or replaced.
//! - Anything else (a directory, a socket, a broken link) is an error, and nothing is touched.
//!
//! rwo-guard never removes anything it did not create: a failed write removes its own temporary
//! file and leaves whatever was at the path as it was. A results path that is one of the inputs
//! is a usage error before anything is written ([`refuse_input`]).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::os::unix::fs::{FileTypeExt as _, MetadataExt as _};
use std::path::{Path, PathBuf};

use crate::error::Fatal;

/// Writes `text` to the results path, as the module says.
pub(crate) fn write(path: &Path, text: &str) -> io::Result<()> {
    if is_own_stream(path) {
        // The process's own stream, whatever it is (`--results /dev/stdout >> log`): appended to,
        // never replaced (a rename would replace `/dev/stdout` itself, or the file behind it).
        let mut file = OpenOptions::new().append(true).open(path)?;
        file.write_all(text.as_bytes())?;
        return file.flush();
    }
    match fs::metadata(path) {
        Ok(meta) if meta.file_type().is_char_device() || meta.file_type().is_fifo() => {
            let mut file = OpenOptions::new().write(true).open(path)?;
            file.write_all(text.as_bytes())?;
            file.flush()
        }
        Ok(meta) if meta.is_file() => replace(&fs::canonicalize(path)?, text, Some(&meta)),
        Ok(_) => Err(io::Error::other("not a regular file, a character device or a FIFO")),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if fs::symlink_metadata(path).is_ok() {
                return Err(io::Error::other("a symbolic link to nothing"));
            }
            replace(path, text, None)
        }
        Err(e) => Err(e),
    }
}

/// Whether `path` names one of the process's own streams: `/dev/stdout`, `/dev/stderr`,
/// `/dev/fd/N`, `/proc/self/fd/N`.
fn is_own_stream(path: &Path) -> bool {
    let p = path.as_os_str().as_encoded_bytes();
    p == b"/dev/stdout" || p == b"/dev/stderr" || p.starts_with(b"/dev/fd/") || p.starts_with(b"/proc/self/fd/")
}

/// `text` in a temporary file beside `path`, renamed over it; the temporary file is removed if
/// anything fails.
fn replace(path: &Path, text: &str, old: Option<&fs::Metadata>) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp: PathBuf = dir.join(format!(".{name}.rwo-guard-{}.tmp", std::process::id()));
    let mut file = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
    let written = (|| {
        file.write_all(text.as_bytes())?;
        if let Some(old) = old {
            fs::set_permissions(&tmp, old.permissions())?;
        }
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    } else if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    written
}

/// A usage error when the results path is one of the inputs (`inputs`: each input's name and
/// path): writing the report there would replace a manifest. Only a regular file can be both.
pub(crate) fn refuse_input<'a>(
    results: &Path,
    inputs: impl IntoIterator<Item = (&'a str, Option<fs::Metadata>)>,
) -> Result<(), Fatal> {
    let Ok(meta) = fs::metadata(results) else { return Ok(()) };
    if !meta.is_file() {
        return Ok(());
    }
    for (name, input) in inputs {
        if input.is_some_and(|m| (m.dev(), m.ino()) == (meta.dev(), meta.ino())) {
            return Err(Fatal::Usage(format!(
                "--results {}: that is the input {name}; writing the results there would replace it",
                results.display()
            )));
        }
    }
    Ok(())
}

/// Standard input's metadata, when it can be had.
pub(crate) fn stdin_meta() -> Option<fs::Metadata> {
    use std::os::fd::AsFd as _;
    let fd = io::stdin().as_fd().try_clone_to_owned().ok()?;
    File::from(fd).metadata().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("rwo-guard-results-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("scratch");
        dir
    }

    #[test]
    fn a_regular_file_is_replaced_by_a_rename_keeping_its_mode() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = scratch("replace");
        let path = dir.join("r.sarif");
        fs::write(&path, "old").expect("write");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).expect("chmod");
        let before = fs::metadata(&path).expect("meta").ino();
        write(&path, "new").expect("write results");
        let after = fs::metadata(&path).expect("meta");
        assert_eq!(fs::read_to_string(&path).expect("read"), "new");
        assert_ne!(after.ino(), before, "a new file renamed over the old one");
        assert_eq!(after.permissions().mode() & 0o777, 0o640);
        assert_eq!(fs::read_dir(&dir).expect("dir").count(), 1, "no temporary file left");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_directory_or_a_broken_link_is_refused_and_kept() {
        let dir = scratch("refuse");
        assert!(write(&dir, "x").is_err());
        std::os::unix::fs::symlink("nowhere", dir.join("gone")).expect("link");
        assert!(write(&dir.join("gone"), "x").is_err());
        assert!(fs::symlink_metadata(dir.join("gone")).is_ok(), "the link stays");
        assert!(!dir.join("nowhere").exists());
        let _ = fs::remove_dir_all(&dir);
    }
}
