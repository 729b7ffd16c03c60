//! The `rwo-guard` binary: a thin shell around [`rwo_guard::run`].

fn main() {
    let code = rwo_guard::run(
        std::env::args_os(),
        &mut std::io::stdin().lock(),
        &mut std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock()),
        &mut std::io::stderr().lock(),
    );
    std::process::exit(code);
}
