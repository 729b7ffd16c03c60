//! The `rwo-guard` binary: a thin shell around [`rwo_guard::main`].

fn main() {
    std::process::exit(rwo_guard::main());
}
