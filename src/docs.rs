//! The documentation's reference tables, rendered from the tables they document: the findings
//! from `rules::ALL` (a table, and one section per rule: what `rwo-guard explain` says, at the
//! anchor SARIF's `helpUri` names), the configuration fields from `config::FIELDS`, the exit
//! codes from `error::EXIT_CODES`, the report formats from `output::report::FORMATS`.
//! `tests/readme.rs` checks that README.md and docs/*.md hold exactly these (and rewrites them
//! with `RWO_GUARD_BLESS=1`), so a rule, field or exit code cannot be added without its
//! documentation.

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
        ("rule-docs", rule_docs()),
    ]
}

/// One section per rule, headed by its id (GitHub's anchor for `### replicas` is `#replicas`,
/// which `rules::help_uri` links to).
fn rule_docs() -> String {
    let mut t = String::new();
    for r in ALL {
        let example: String = r.example.lines().map(|l| format!("{l}\n")).collect();
        t.push_str(&format!(
            "### {name}\n\n**{level}.** {summary}.\n\n- **Triggered by** {triggered}.\n- **Why it breaks rollouts:** {why}\n- **How to fix:** {fix}.\n- **How to suppress:** {suppress}.\n\n```\n{example}```\n\n",
            name = r.name,
            level = r.level.describe(),
            summary = r.summary,
            triggered = r.triggered_by,
            why = r.why,
            fix = r.advice,
            suppress = crate::rules::suppression(r),
        ));
    }
    t
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
            Values::List(_, what) => format!("a list, each {what}"),
            Values::Map(_, what) => format!("a mapping, {what}"),
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
