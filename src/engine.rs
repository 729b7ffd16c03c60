//! Which engine runs rwo-guard, as far as its environment tells, and where findings must go
//! so that the person running that engine sees them (README "Where findings are shown").
//!
//! Measured (kustomize v5.5 and v5.6 through kubectl, kpt 1.0.0-beta.56): kustomize drops a
//! function's `results` but passes a container function's stderr through; kpt shows both
//! results and stderr; kustomize keeps a legacy exec plugin's stderr in a buffer and shows it
//! only when the plugin fails.

use std::fs::File;
use std::io::{self, Write};

/// kustomize's container runtime (kyaml `runtimeutil.NewContainerEnv`) runs every function
/// with `LOG_TO_STDERR=true` (and `STRUCTURED_RESULTS=true`); kpt deliberately does not.
pub(crate) fn kustomize_container() -> bool {
    std::env::var_os("LOG_TO_STDERR").is_some_and(|v| v == "true")
}

/// kustomize runs a legacy exec plugin with `KUSTOMIZE_PLUGIN_CONFIG_ROOT` (and
/// `KUSTOMIZE_PLUGIN_CONFIG_STRING`) in its environment.
pub(crate) fn kustomize_legacy_plugin() -> bool {
    std::env::var_os("KUSTOMIZE_PLUGIN_CONFIG_ROOT").is_some()
}

/// Whether kustomize reads this legacy exec plugin's stderr through a Go format string: from
/// kustomize v5.4 (kubectl 1.31) on, a failing plugin's stderr, kept in a buffer, becomes the
/// format of its error, so `25%)` is shown as `25%!)(MISSING)` and `%%` as `%`. Measured:
/// kustomize v5.0.1 (kubectl 1.27–1.30) hands the plugin its own stderr instead and prints
/// nothing through a format. Told apart by what the plugin's stderr is: kustomize's own
/// stderr (passed through) or something else (a buffer's pipe).
pub(crate) fn kustomize_formats_stderr() -> bool {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::MetadataExt as _;
        if !kustomize_legacy_plugin() {
            return false;
        }
        let id = |path: String| std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()));
        let parent = id(format!("/proc/{}/fd/2", std::os::unix::process::parent_id()));
        let mine = id("/proc/self/fd/2".to_string());
        mine.is_some() && mine != parent
    }
    #[cfg(not(target_os = "linux"))]
    {
        false
    }
}

/// A writer for text that kustomize will use as a Go format string ([`kustomize_formats_stderr`]):
/// every `%` written as `%%`, so that the text reads as written.
pub(crate) struct GoFormatted<W>(pub W);

impl<W: Write> Write for GoFormatted<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut rest = buf;
        while let Some(at) = rest.iter().position(|&b| b == b'%') {
            self.0.write_all(&rest[..at])?;
            self.0.write_all(b"%%")?;
            rest = &rest[at + 1..];
        }
        self.0.write_all(rest)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// The parent process's stderr, opened anew for appending, when it is a terminal or a pipe
/// (Linux only). `None` for a regular file (the parent writes it at its own offset and could
/// overwrite what is appended), a socket, or anything that cannot be opened.
pub(crate) fn parent_stderr() -> Option<File> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
        // O_NONBLOCK: opening a pipe nobody reads must not hang; O_NOCTTY: never acquire a
        // controlling terminal. Values of the generic Linux ABI (x86, arm, riscv...).
        const O_NONBLOCK: i32 = 0o4000;
        const O_NOCTTY: i32 = 0o400;
        let path = format!("/proc/{}/fd/2", std::os::unix::process::parent_id());
        let kind = std::fs::metadata(&path).ok()?.file_type();
        if !(kind.is_char_device() || kind.is_fifo()) {
            return None;
        }
        std::fs::OpenOptions::new().append(true).custom_flags(O_NONBLOCK | O_NOCTTY).open(&path).ok()
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

/// Writes all of `bytes` to a possibly non-blocking file, waiting (up to about two seconds in
/// all) while a pipe is full.
pub(crate) fn write_all_patiently(file: &mut File, mut bytes: &[u8]) -> io::Result<()> {
    let mut waits = 0;
    while !bytes.is_empty() {
        match file.write(bytes) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock && waits < 2000 => {
                waits += 1;
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_signs_are_doubled_for_a_go_format_string() {
        let mut w = GoFormatted(Vec::new());
        w.write_all(b"maxSurge 25%); 100%% %s").expect("write");
        assert_eq!(w.0, b"maxSurge 25%%); 100%%%% %%s");
    }
}
