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
