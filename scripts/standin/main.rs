//! Plumbing stand-in for rwo-guard, used only by `scripts/e2e-smoke.sh --standin` to prove the
//! image, podman, the docker shim, kustomize and kpt work together independently of the real
//! tool. It is not rwo-guard: it copies stdin to stdout, adding the annotation
//! `standin.rwo-guard.dev/seen: "true"` to each top-level object (plain stream) or each
//! ResourceList item, logs its argv to stderr, and writes its stdin to $STANDIN_DUMP if set.
//! Line-based on purpose (std only, builds with plain rustc); it handles the block-style YAML
//! that kustomize and the smoke fixtures produce, nothing more.
//! Build: rustc -O -C strip=symbols -C target-feature=+crt-static --target x86_64-unknown-linux-gnu main.rs
use std::io::{Read, Write};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mut s = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut s) {
        eprintln!("standin: reading stdin: {e}");
        std::process::exit(1);
    }
    eprintln!("standin: argv={:?} stdin_bytes={}", args, s.len());
    if let Ok(p) = std::env::var("STANDIN_DUMP") {
        let _ = std::fs::write(p, &s);
    }
    let lines: Vec<&str> = s.lines().collect();
    let is_rl = s.contains("kind: ResourceList");
    let mut out = String::new();
    let mut in_items = false;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        out.push_str(line);
        out.push('\n');
        if is_rl && line.starts_with("items:") {
            in_items = true;
        } else if is_rl && !line.starts_with(' ') && !line.starts_with('-') && !line.is_empty() {
            in_items = false;
        }
        let (want, meta_ind) = if is_rl { (in_items, 2) } else { (true, 0) };
        let ind = line.len() - line.trim_start().len();
        let t = line.trim_start().trim_start_matches("- ");
        let eff = if line.trim_start().starts_with("- ") { ind + 2 } else { ind };
        if want && t == "metadata:" && eff == meta_ind {
            let pad = " ".repeat(meta_ind + 2);
            let mut j = i + 1;
            let mut found = None;
            while j < lines.len() {
                let l = lines[j];
                let li = l.len() - l.trim_start().len();
                if l.trim().is_empty() {
                    j += 1;
                    continue;
                }
                if li < meta_ind + 2 {
                    break;
                }
                if li == meta_ind + 2 && l.trim_start() == "annotations:" {
                    found = Some(j);
                    break;
                }
                j += 1;
            }
            match found {
                Some(j) => {
                    for l in &lines[i + 1..=j] {
                        out.push_str(l);
                        out.push('\n');
                    }
                    out.push_str(&format!("{pad}  standin.rwo-guard.dev/seen: \"true\"\n"));
                    i = j;
                }
                None => out.push_str(&format!(
                    "{pad}annotations:\n{pad}  standin.rwo-guard.dev/seen: \"true\"\n"
                )),
            }
        }
        i += 1;
    }
    if std::io::stdout().write_all(out.as_bytes()).is_err() {
        std::process::exit(1);
    }
}
