//! The layering: every module of `src/` imports only modules below it. The layers are declared
//! once, in docs/ARCHITECTURE.md (the block between `<!-- layers -->` and `<!-- /layers -->`,
//! lowest first; inside a layer, a module may import the ones listed before it). This test
//! reads every `crate::…` path in `src/**/*.rs` outside comments, attributes it to its
//! top-level module, and fails on a module missing from the list, a listed module that does not
//! exist, and any import of a module at or after the importer (which rules out every cycle).
//! `cargo test --test suite layers:: -- --nocapture` prints each layer with its modules' imports.
//! Two more rules of the architecture live here: crates that enter through one module (the
//! parser, clap), and no function of `src/` or `tests/` longer than 80 lines.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The declared layers, lowest first: (layer name, its modules in order).
fn declared_layers(root: &Path) -> Vec<(String, Vec<String>)> {
    let doc = std::fs::read_to_string(root.join("docs/ARCHITECTURE.md")).expect("docs/ARCHITECTURE.md");
    let start = doc.find("<!-- layers -->").expect("ARCHITECTURE.md has a `<!-- layers -->` block");
    let end = doc.find("<!-- /layers -->").expect("ARCHITECTURE.md closes the block with `<!-- /layers -->`");
    doc[start..end]
        .lines()
        .filter_map(|line| line.split_once(':'))
        .filter(|(name, _)| !name.contains(' ') && !name.starts_with('<'))
        .map(|(name, modules)| (name.trim().to_string(), modules.split_whitespace().map(String::from).collect()))
        .collect()
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file of `src/` belongs to (`lib` for the crate root and `main.rs`).
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).expect("under src");
    let first = rel.components().next().expect("a component").as_os_str().to_string_lossy().into_owned();
    match first.strip_suffix(".rs") {
        Some("lib" | "main") => "lib".into(),
        Some(name) => name.into(),
        None => first,
    }
}

/// The names a line of code reaches through `crate::` (`crate::a::b`, `crate::{a, b::c}`): a
/// module, or `lib` for an item of the crate root (`crate::STDIN`; a lower-case root item such
/// as `crate::run` is mapped to `lib` once the modules are known, in [`imports`]).
fn named_modules(line: &str, out: &mut BTreeSet<String>) {
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue; // `rwo_guard_crate::`, not a path of this crate
        }
        let names: Vec<&str> = match rest.strip_prefix('{') {
            Some(group) => group[..group.find('}').unwrap_or(group.len())].split(',').collect(),
            None => vec![rest],
        };
        for name in names {
            let name = name.trim();
            let ident: String = name.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            match ident.chars().next() {
                None => {}
                Some(c) if c.is_uppercase() => {
                    out.insert("lib".into());
                }
                Some(_) if ident == "self" => {}
                Some(_) => {
                    out.insert(ident);
                }
            }
        }
    }
}

/// Each module's imports of other modules.
fn imports(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    sources(src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let module = module_of(src, &file);
        let text = std::fs::read_to_string(&file).expect("read source");
        let mut named = BTreeSet::new();
        for line in text.lines().map(str::trim_start).filter(|l| !l.starts_with("//")) {
            let code = line.find(" //").map_or(line, |at| &line[..at]);
            named_modules(code, &mut named);
        }
        named.remove(&module);
        graph.entry(module).or_default().extend(named);
    }
    let modules: BTreeSet<String> = graph.keys().cloned().collect();
    for (m, deps) in &mut graph {
        let (known, root): (BTreeSet<String>, BTreeSet<String>) =
            deps.iter().cloned().partition(|d| modules.contains(d));
        *deps = known;
        if !root.is_empty() && m != "lib" {
            deps.insert("lib".into());
        }
    }
    graph
}

#[test]
fn every_import_points_down() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let layers = declared_layers(root);
    let graph = imports(&root.join("src"));
    let order: Vec<&str> = layers.iter().flat_map(|(_, ms)| ms.iter().map(String::as_str)).collect();
    let place = |m: &str| order.iter().position(|o| *o == m);
    let mut problems = Vec::new();
    for m in graph.keys().filter(|m| place(m).is_none()) {
        problems.push(format!("module `{m}` is in no layer of docs/ARCHITECTURE.md"));
    }
    for m in order.iter().filter(|m| !graph.contains_key(**m)) {
        problems.push(format!("the layer list names `{m}`, which is not a module of src/"));
    }
    let mut seen = BTreeSet::new();
    for m in &order {
        if !seen.insert(*m) {
            problems.push(format!("`{m}` is listed twice"));
        }
    }
    for (m, deps) in &graph {
        let (Some(at), false) = (place(m), m == "lib") else { continue };
        for d in deps {
            if place(d).is_none_or(|p| p >= at) {
                problems.push(format!("`{m}` imports `{d}`, which is not below it"));
            }
        }
    }
    for (name, modules) in &layers {
        println!("{name}:");
        for m in modules {
            let deps: Vec<&str> = graph.get(m).into_iter().flatten().map(String::as_str).collect();
            println!("  {m} -> {}", if deps.is_empty() { "(nothing)".to_string() } else { deps.join(", ") });
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn paths_are_read_as_modules() {
    let mut named = BTreeSet::new();
    named_modules("use crate::{framing, pipeline::Options, rules};", &mut named);
    named_modules("let x = crate::json::pretty(&y); crate::STDIN", &mut named);
    named_modules("not_crate::other::thing", &mut named);
    let named: Vec<&str> = named.iter().map(String::as_str).collect();
    assert_eq!(named, ["framing", "json", "lib", "pipeline", "rules"]);
}

/// Crates that enter through one door: the modules allowed to name them.
const DOORS: &[(&str, &[&str])] = &[("granit_parser", &["yaml"]), ("clap", &["cli", "lib"])];

#[test]
fn crates_enter_through_their_door() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut problems = Vec::new();
    for file in files {
        let module = module_of(&src, &file);
        let text = std::fs::read_to_string(&file).expect("read source");
        for (krate, doors) in DOORS {
            let named = text.lines().map(str::trim_start).filter(|l| !l.starts_with("//")).any(|l| {
                l.match_indices(krate).any(|(at, _)| {
                    let before = l[..at].chars().next_back();
                    !before.is_some_and(|c| c.is_alphanumeric() || c == '_') && l[at + krate.len()..].starts_with("::")
                })
            });
            if named && !doors.contains(&module.as_str()) {
                problems.push(format!("{} names `{krate}`, which only {doors:?} may", file.display()));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The longest a function may be, in lines from its `fn` to its closing brace.
const LONGEST_FUNCTION: usize = 80;

/// The functions of a rustfmt-formatted file longer than [`LONGEST_FUNCTION`]: (name, first line,
/// lines). A function ends at the first line that is its own indentation and `}`.
fn long_functions(text: &str) -> Vec<(String, usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut long = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let code = line.trim_start();
        let indent = &line[..line.len() - code.len()];
        let signature = ["pub(crate) ", "pub(super) ", "pub ", "const ", "async ", "unsafe "]
            .iter()
            .fold(code, |c, prefix| c.strip_prefix(prefix).unwrap_or(c));
        let Some(rest) = signature.strip_prefix("fn ") else { continue };
        if line.trim_end().ends_with(';') || line.trim_end().ends_with('}') {
            continue; // a declaration without a body, or a body on one line
        }
        let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        let end = lines[i..].iter().position(|l| l.strip_prefix(indent) == Some("}")).map_or(lines.len(), |n| i + n);
        if end + 1 - i > LONGEST_FUNCTION {
            long.push((name, i + 1, end + 1 - i));
        }
    }
    long
}

#[test]
fn functions_fit_on_a_screen() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    sources(&root.join("src"), &mut files);
    sources(&root.join("tests"), &mut files);
    let mut problems = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read source");
        for (name, line, lines) in long_functions(&text) {
            problems.push(format!("{}:{line}: fn {name} is {lines} lines", file.display()));
        }
    }
    assert!(problems.is_empty(), "longer than {LONGEST_FUNCTION} lines:\n{}", problems.join("\n"));
}

#[test]
fn long_functions_are_found() {
    let body = "    x();\n".repeat(LONGEST_FUNCTION - 1);
    let text = format!("fn short() {{}}\npub(crate) fn long() {{\n{body}}}\nfn declared();\n");
    assert_eq!(long_functions(&text), [("long".to_string(), 2, LONGEST_FUNCTION + 1)]);
    let fits = format!("fn fits() {{\n{}}}\n", "    x();\n".repeat(LONGEST_FUNCTION - 2));
    assert!(long_functions(&fits).is_empty());
}

/// With `autotests = false` a file of `tests/` runs only as a module of `tests/suite.rs`: a test
/// file added without its `mod` line would compile nowhere and pass unseen.
#[test]
fn every_test_file_is_a_module_of_the_suite() {
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let suite = std::fs::read_to_string(tests.join("suite.rs")).expect("tests/suite.rs");
    let declared: BTreeSet<&str> =
        suite.lines().filter_map(|l| l.trim().strip_prefix("mod ")?.strip_suffix(';')).collect();
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&tests).expect("read tests") {
        let path = entry.expect("entry").path();
        let name = path.file_stem().expect("a name").to_string_lossy().into_owned();
        let is_module = path.extension().is_some_and(|e| e == "rs") || path.join("mod.rs").is_file();
        if is_module && name != "suite" && !declared.contains(name.as_str()) {
            missing.push(name);
        }
    }
    assert!(missing.is_empty(), "tests/suite.rs lacks `mod` lines for: {missing:?}");
}
