//! The process's standard streams, made honest. A process started with its standard input or
//! output closed (`rwo-guard <&-`, `rwo-guard >&-`) finds them open on `/dev/null`: Rust's
//! runtime reopens closed standard streams there, read-write, before `main`. For a filter,
//! an empty input or a lost output would pass for success, so both are errors here. Writes are
//! retried when interrupted or when a non-blocking stdout is full, and after a write fails
//! nothing more is written (a buffered chunk would otherwise be written again at exit).

use std::io::{self, Read, Write};

/// Whether standard stream `fd` was open when the process started. On Linux: not when it is
/// `/dev/null` opened read-write, which is how the runtime replaces a closed one (a shell
/// opens `< /dev/null` read-only and `> /dev/null` write-only). Elsewhere: assumed open.
fn is_open(fd: u8) -> bool {
    let Ok(target) = std::fs::read_link(format!("/proc/self/fd/{fd}")) else { return true };
    if target != std::path::Path::new("/dev/null") {
        return true;
    }
    let Ok(info) = std::fs::read_to_string(format!("/proc/self/fdinfo/{fd}")) else { return true };
    let flags = info.lines().find_map(|l| l.strip_prefix("flags:")).and_then(|f| u32::from_str_radix(f.trim(), 8).ok());
    // O_ACCMODE == O_RDWR
    flags.is_none_or(|f| f & 0o3 != 0o2)
}

/// Standard input, or a reader that fails because it is closed.
pub(crate) fn stdin() -> Box<dyn Read> {
    if is_open(0) {
        Box::new(io::stdin().lock())
    } else {
        Box::new(Closed("standard input is closed"))
    }
}

/// Standard output, buffered, or a writer that fails because it is closed.
pub(crate) fn stdout() -> Box<dyn Write> {
    if is_open(1) {
        Box::new(io::BufWriter::with_capacity(1 << 16, Patient { inner: io::stdout().lock(), failed: false }))
    } else {
        Box::new(Closed("standard output is closed"))
    }
}

/// A stream that is not open: every read or write fails with the reason.
struct Closed(&'static str);

impl Read for Closed {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        Err(io::Error::new(io::ErrorKind::NotConnected, self.0))
    }
}

impl Write for Closed {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::Error::new(io::ErrorKind::NotConnected, self.0))
    }

    fn flush(&mut self) -> io::Result<()> {
        Err(io::Error::new(io::ErrorKind::NotConnected, self.0))
    }
}

/// A writer that retries interrupted and would-block writes and, once a write has failed,
/// writes nothing more.
struct Patient<W> {
    inner: W,
    failed: bool,
}

impl<W: Write> Patient<W> {
    fn retry<T>(&mut self, mut op: impl FnMut(&mut W) -> io::Result<T>, nothing: T) -> io::Result<T> {
        if self.failed {
            return Ok(nothing);
        }
        loop {
            match op(&mut self.inner) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // A full non-blocking pipe: wait for the reader.
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    std::thread::sleep(std::time::Duration::from_millis(1));
                }
                Err(e) => {
                    self.failed = true;
                    return Err(e);
                }
                ok => return ok,
            }
        }
    }
}

impl<W: Write> Write for Patient<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let len = buf.len();
        self.retry(|w| w.write(buf), len)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.retry(Write::flush, ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fails as told, then records what it is given.
    struct Flaky {
        errors: Vec<io::ErrorKind>,
        written: Vec<u8>,
    }

    impl Write for Flaky {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if let Some(kind) = self.errors.pop() {
                return Err(kind.into());
            }
            self.written.extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn interrupted_and_full_writes_are_retried() {
        let mut w = Patient {
            inner: Flaky { errors: vec![io::ErrorKind::WouldBlock, io::ErrorKind::Interrupted], written: Vec::new() },
            failed: false,
        };
        w.write_all(b"abc").expect("retried");
        assert_eq!(w.inner.written, b"abc");
    }

    #[test]
    fn nothing_is_written_after_a_failure() {
        let mut w =
            Patient { inner: Flaky { errors: vec![io::ErrorKind::StorageFull], written: Vec::new() }, failed: false };
        assert!(w.write_all(b"abc").is_err());
        w.write_all(b"def").expect("swallowed");
        assert!(w.inner.written.is_empty());
    }
}
