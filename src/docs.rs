//! The README's reference tables, rendered from the tables they document: the findings from
//! `rules::ALL`, the configuration fields from `config::FIELDS`, the exit codes from
//! `error::EXIT_CODES`, the report formats from `output::report::FORMATS`. `tests/readme.rs` checks that README.md holds exactly these (and
//! rewrites them with `RWO_GUARD_BLESS=1`), so a rule, field or exit code cannot be added
//! without its documentation.

use crate::config::{Values, FIELDS};
use crate::error::EXIT_CODES;
use crate::output::report::FORMATS;
use crate::rules::ALL;

/// Each table with the marker that delimits it in README.md
/// (`<!-- marker: … -->` … `<!-- /marker -->`).
pub(crate) fn tables() -> Vec<(&'static str, String)> {
    vec![
        ("findings", findings()),
        ("config-fields", config_fields()),
        ("exit-codes", exit_codes()),
        ("results-formats", results_formats()),
    ]
}

fn results_formats() -> String {
    let mut t = String::from("| `--results-format` | what it is |\n|---|---|\n");
    for f in FORMATS {
        t.push_str(&format!("| `{}` | {} |\n", f.name, f.doc));
    }
    t
}

fn findings() -> String {
    let mut t = String::from("| rule (`tags.rule`) | severity | triggered by | advice |\n|---|---|---|---|\n");
    for r in ALL {
        t.push_str(&format!("| `{}` | {} | {} | {} |\n", r.name, r.level.describe(), r.triggered_by, r.advice));
    }
    t
}

fn config_fields() -> String {
    let mut t = String::from("| field | flag | default | values | meaning |\n|---|---|---|---|---|\n");
    for f in FIELDS {
        let flag = match f.short {
            Some(c) => format!("`-{c}, --{}`", f.flag),
            None => format!("`--{}`", f.flag),
        };
        let values = match f.values {
            Values::Keyword(names) => names().iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "),
            Values::Switch => "`true`, `false` (the flag sets `true`)".to_string(),
            Values::Text(_, what) | Values::Files(_, what) => what.to_string(),
        };
        let default = if f.default.is_empty() { "unset".to_string() } else { format!("`{}`", f.default) };
        t.push_str(&format!("| `{}` | {flag} | {default} | {values} | {} |\n", f.name, f.doc));
    }
    t
}

fn exit_codes() -> String {
    let mut t = String::from("| code | meaning |\n|---|---|\n");
    for e in EXIT_CODES {
        t.push_str(&format!("| {} | {} |\n", e.code, e.meaning));
    }
    t
}
