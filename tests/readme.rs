//! Keeps the README honest: its reference tables (findings, configuration fields, exit codes)
//! must be exactly what rwo-guard renders from the tables it runs on (`rwo_guard::api::
//! readme_tables`). A rule, field or exit code added without its README row fails here.
//! `RWO_GUARD_BLESS=1 cargo test --test suite readme::` rewrites the tables in README.md.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::Path;

#[test]
fn readme_tables_match_the_code() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let mut readme = std::fs::read_to_string(&path).expect("README.md");
    let bless = std::env::var_os("RWO_GUARD_BLESS").is_some();
    let mut problems = Vec::new();
    for (marker, table) in rwo_guard::api::readme_tables() {
        let open = format!("<!-- {marker}:");
        let close = format!("<!-- /{marker} -->");
        let (Some(a), Some(b)) = (readme.find(&open), readme.find(&close)) else {
            problems.push(format!("README.md has no `{open} … -->` … `{close}` block"));
            continue;
        };
        let body_start = a + readme[a..].find("-->\n").expect("marker line ends") + "-->\n".len();
        if readme[body_start..b] != table {
            if bless {
                readme.replace_range(body_start..b, &table);
            } else {
                problems.push(format!(
                    "README.md's `{marker}` table differs from the code; expected:\n{table}\nfound:\n{}",
                    &readme[body_start..b]
                ));
            }
        }
    }
    if bless {
        std::fs::write(&path, &readme).expect("bless README.md");
    }
    assert!(
        problems.is_empty(),
        "{}\n(bless with RWO_GUARD_BLESS=1 cargo test --test suite readme::)",
        problems.join("\n\n")
    );
}
