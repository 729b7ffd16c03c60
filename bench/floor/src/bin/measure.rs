//! Benchmark launcher, in the manner of `/usr/bin/time -f '%e %M'` but with
//! nanosecond wall time:
//!
//!   measure STDIN STDOUT STDERR PROGRAM [ARGS...]
//!
//! runs PROGRAM with its standard streams opened on the three files, waits for
//! it with wait4 and prints `WALL_NS MAXRSS_KB EXIT_CODE` on its own stdout.
//! Why not wait4 from the Python harness: on Linux a child's ru_maxrss keeps
//! the high-water mark of the memory it had before exec, which for a
//! vfork/posix_spawn child of Python is the harness's own peak (tens to
//! hundreds of MB). Spawned from this small process, the floor is ~2 MB.
use std::fs::{File, OpenOptions};
use std::process::{exit, Command};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 4 {
        eprintln!("usage: measure STDIN STDOUT STDERR PROGRAM [ARGS...]");
        exit(2);
    }
    let open_out = |p: &str| OpenOptions::new().write(true).create(true).truncate(true).open(p);
    let (stdin, stdout, stderr) = match (File::open(&args[0]), open_out(&args[1]), open_out(&args[2])) {
        (Ok(i), Ok(o), Ok(e)) => (i, o, e),
        (i, o, e) => {
            eprintln!("measure: opening files: {:?} {:?} {:?}", i.err(), o.err(), e.err());
            exit(2);
        }
    };
    let start = Instant::now();
    let child = match Command::new(&args[3]).args(&args[4..]).stdin(stdin).stdout(stdout).stderr(stderr).spawn() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("measure: cannot run {}: {e}", args[3]);
            exit(2);
        }
    };
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: zeroed rusage is a valid value; wait4 writes both out-params.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    if r != pid {
        eprintln!("measure: wait4 failed: {}", std::io::Error::last_os_error());
        exit(2);
    }
    let code = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { 128 + libc::WTERMSIG(status) };
    println!("{} {} {}", wall.as_nanos(), usage.ru_maxrss, code);
}
