//! The process's standard streams. `/dev/null` as standard input or output, opened in any
//! mode, is a working stream: an empty input, a discarding output (Python's
//! `subprocess.DEVNULL` opens it read-write). A stream closed when the process starts
//! (`rwo-guard >&-`) is the same: Rust's runtime reopens it on `/dev/null`, read-write, before
//! `main`, and nothing tells the two apart afterwards. Writes are retried when interrupted or
//! when a non-blocking stdout is full, and after a write fails nothing more is written (a
//! buffered chunk would otherwise be written again at exit).

use std::io::{self, Read, Write};

/// Standard input.
pub(crate) fn stdin() -> Box<dyn Read> {
    Box::new(io::stdin().lock())
}

/// Standard output, buffered.
pub(crate) fn stdout() -> Box<dyn Write> {
    Box::new(io::BufWriter::with_capacity(1 << 16, Patient { inner: io::stdout().lock(), failed: false }))
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
