//! Every finding rwo-guard reports: one rule per file, each holding its name, documentation,
//! severity, message and tests, and [`ALL`], the one list of them. The README's findings table
//! is generated from this list and a test keeps the two equal (`tests/readme.rs`); SARIF rules
//! come from it too.
//!
//! A rule reads the [`Facts`] gathered before any rule runs and pushes findings (the strategy
//! rule also pushes the edit plan). Adding a finding: a file here with its `pub(crate) static`
//! [`Rule`], one line in [`ALL`] (its place there is its place in the output order), a golden
//! case under `tests/golden/finding-*`, and the README table (the test tells you the row).

mod access_mode_unsupported;
mod access_modes_missing;
mod argo_rollout;
mod autoscaled;
mod bad_annotation;
mod cluster_replaced;
mod daemonset;
mod duplicate_object;
mod external_claim;
mod fsgroup_recursive_chown;
mod immediate_binding;
mod job_overlap;
mod namespace_assumed;
mod node_pinned;
mod pdb_blocks_drain;
mod replicas;
mod shared_claim;
mod skipped;
mod strategy_rewritten;
mod unreadable_field;
mod unsupported_strategy;

use std::collections::BTreeSet;

use crate::claims::Access;
use crate::config::Config;
use crate::facts::{ClusterFile, Facts};
use crate::findings::{Analysis, Severity};
use crate::model::Object;

pub(crate) use crate::findings::{Level, Rule};

pub(crate) use access_mode_unsupported::ACCESS_MODE_UNSUPPORTED;
pub(crate) use access_modes_missing::ACCESS_MODES_MISSING;
pub(crate) use argo_rollout::ARGO_ROLLOUT;
pub(crate) use autoscaled::AUTOSCALED;
pub(crate) use bad_annotation::BAD_ANNOTATION;
pub(crate) use cluster_replaced::CLUSTER_OBJECT_REPLACED;
pub(crate) use daemonset::DAEMONSET;
pub(crate) use duplicate_object::DUPLICATE_OBJECT;
pub(crate) use external_claim::EXTERNAL_CLAIM;
pub(crate) use fsgroup_recursive_chown::FSGROUP_RECURSIVE_CHOWN;
pub(crate) use immediate_binding::IMMEDIATE_BINDING;
pub(crate) use job_overlap::JOB_OVERLAP;
pub(crate) use namespace_assumed::NAMESPACE_ASSUMED;
pub(crate) use node_pinned::NODE_PINNED;
pub(crate) use pdb_blocks_drain::PDB_BLOCKS_DRAIN;
pub(crate) use replicas::REPLICAS;
pub(crate) use shared_claim::SHARED_CLAIM;
pub(crate) use skipped::SKIPPED;
pub(crate) use strategy_rewritten::{STRATEGY_REWRITTEN, STRATEGY_UNSAFE};
pub(crate) use unreadable_field::UNREADABLE_FIELD;
pub(crate) use unsupported_strategy::{unplaceable, UNSUPPORTED_STRATEGY};

/// Every rule, in the order findings of one object are listed.
pub static ALL: &[&Rule] = &[
    &STRATEGY_REWRITTEN,
    &STRATEGY_UNSAFE,
    &NODE_PINNED,
    &SKIPPED,
    &BAD_ANNOTATION,
    &UNSUPPORTED_STRATEGY,
    &REPLICAS,
    &EXTERNAL_CLAIM,
    &AUTOSCALED,
    &SHARED_CLAIM,
    &DAEMONSET,
    &ARGO_ROLLOUT,
    &JOB_OVERLAP,
    &ACCESS_MODES_MISSING,
    &ACCESS_MODE_UNSUPPORTED,
    &IMMEDIATE_BINDING,
    &PDB_BLOCKS_DRAIN,
    &FSGROUP_RECURSIVE_CHOWN,
    &UNREADABLE_FIELD,
    &NAMESPACE_ASSUMED,
    &DUPLICATE_OBJECT,
    &CLUSTER_OBJECT_REPLACED,
];

/// Runs every rule over the objects: gathers the facts, runs each rule's check, orders the
/// findings (object order, then the order of [`ALL`]) and the plans (object order).
/// `namespaces` are the namespaces the input's objects name: objects without one are in
/// `config.namespace`, else in the bundle's only namespace when there is one (assumed, and
/// said), else in their own unnamed one.
pub(crate) fn run(objects: &[Object], config: &Config, namespaces: &BTreeSet<String>) -> Analysis {
    run_named(objects, &[], config, namespaces, &[])
}

/// As [`run`], with the storage facts of the `cluster` files (facts only: no finding is about
/// their objects), over inputs read as files named `names` (by `ObjectId::source`), so
/// findings can name other objects by file and line.
pub(crate) fn run_named(
    objects: &[Object],
    cluster: &[ClusterFile],
    config: &Config,
    namespaces: &BTreeSet<String>,
    names: &[&str],
) -> Analysis {
    let (default_ns, assumed) = match (&config.namespace, namespaces.first()) {
        (Some(ns), _) => (ns.as_str(), false),
        (None, Some(only)) if namespaces.len() == 1 => (only.as_str(), true),
        _ => ("", false),
    };
    let mut facts = Facts::gather(objects, cluster, config, default_ns, assumed);
    facts.names = names;
    let mut out = Analysis::default();
    for rule in ALL {
        if let Some(check) = rule.check {
            check(&facts, &mut out);
        }
    }
    // The facts are done with: freed before the sort takes its buffer.
    drop(facts);
    out.findings.sort_by_key(|f| (f.object, rank(f.rule)));
    out.plans.sort_by_key(|p| p.object);
    configure(&mut out, objects, config);
    out
}

/// Applies `rules` (a severity, or off) and the objects' `ignore-check.rwo-guard.dev/<rule>`
/// annotations (suppressed, with the reason) to the findings. `strategy-rewritten` and
/// `strategy-unsafe` are one check: either's annotation or `off` holds for both, and takes the
/// object's edit with it (the rule does nothing there).
fn configure(out: &mut Analysis, objects: &[Object], config: &Config) {
    use crate::config::RuleLevel;
    for mut f in std::mem::take(&mut out.findings) {
        let object = crate::model::object(objects, f.object);
        let same = same_check(f.rule);
        let reason = same.iter().find_map(|r| ignore_reason(object, r));
        let off = same.iter().any(|r| config.rule_level(r.name) == Some(RuleLevel::Off));
        let level = config.rule_level(f.rule.name);
        if reason.is_some() || off {
            if let Some(reason) = reason {
                out.suppressed.push((f, reason));
            }
            continue;
        }
        f.severity = match level {
            Some(RuleLevel::Info) => Severity::Info,
            Some(RuleLevel::Warning) => Severity::Warning,
            Some(RuleLevel::Error) => Severity::Error,
            Some(RuleLevel::Off) | None => f.severity,
        };
        out.findings.push(f);
    }
}

/// The rules that are one check with `rule`: the strategy's two (what `check` reports, what
/// `fix` does), else `rule` alone. An annotation or `off` for one holds for all.
fn same_check(rule: &'static Rule) -> &'static [&'static Rule] {
    static STRATEGY: [&Rule; 2] = [&STRATEGY_REWRITTEN, &STRATEGY_UNSAFE];
    if STRATEGY.contains(&rule) {
        &STRATEGY
    } else {
        ALL.iter().position(|r| *r == rule).map_or(&[], |i| &ALL[i..=i])
    }
}

/// The reason `o`'s `ignore-check.rwo-guard.dev/<rule>` annotation gives, if it has one.
fn ignore_reason(o: &Object, rule: &Rule) -> Option<String> {
    let rank = u8::try_from(rank(rule)).unwrap_or(u8::MAX);
    o.value(crate::model::ScalarField::IgnoreCheck(rank)).map(|s| s.value.clone())
}

/// Whether the strategy check is suppressed on `o` or turned off: it is reported (then
/// dropped), never fixed.
pub(crate) fn ignored(o: &Object, config: &Config) -> bool {
    same_check(&STRATEGY_REWRITTEN)
        .iter()
        .any(|r| ignore_reason(o, r).is_some() || config.rule_level(r.name) == Some(crate::config::RuleLevel::Off))
}

/// The rule named `name`.
pub(crate) fn named(name: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|r| r.name == name)
}

/// The annotation that suppresses `rule` on one object (`ignore-check.rwo-guard.dev/replicas`).
pub(crate) fn ignore_annotation(rule: &Rule) -> String {
    format!("{}{}", crate::rule_ids::IGNORE_PREFIX, rule.name)
}

/// Where a rule's documentation is published: `docs/findings.md` under the repository named in
/// Cargo.toml (`package.repository`), anchored at the rule. No public repository exists yet:
/// Cargo.toml's is a placeholder under the reserved `.invalid` domain, so these links are
/// absolute, as SARIF requires, and start working when the real repository is named there.
pub(crate) fn help_uri(rule: &Rule) -> String {
    format!("{}/blob/main/docs/findings.md#{}", env!("CARGO_PKG_REPOSITORY"), rule.name)
}

/// How to suppress `rule`: on one object, or everywhere.
pub(crate) fn suppression(rule: &Rule) -> String {
    format!(
        "on one object, annotate the object the finding is about (where its line points: the workload; the autoscaler, or a copy, for a finding about one) with `{}: \"why\"`; everywhere, `rules: {{{}: off}}` in `.rwo-guard.yaml` (or `--rule {}=off`)",
        ignore_annotation(rule),
        rule.name,
        rule.name
    )
}

/// `rwo-guard explain RULE`: what triggers it, why it breaks rollouts, how to fix and suppress
/// it, an example.
pub(crate) fn explain(rule: &Rule) -> String {
    let example: String = rule.example.lines().map(|l| format!("    {l}\n")).collect();
    format!(
        "{name} ({level}): {summary}\n\nTriggered by: {triggered}.\n\nWhy: {why}\n\nHow to fix: {fix}.\n\nHow to suppress: {suppress}.\n\nExample:\n{example}\nMore: {uri}\n",
        name = rule.name,
        level = rule.level.describe(),
        summary = rule.summary,
        triggered = rule.triggered_by,
        why = rule.why,
        fix = rule.advice,
        suppress = suppression(rule),
        uri = help_uri(rule),
    )
}

/// `rwo-guard rules`: one line per rule, its id, default severity and summary.
pub(crate) fn list() -> String {
    let width = ALL.iter().map(|r| r.name.len()).max().unwrap_or(0);
    let sev = ALL.iter().map(|r| r.level.describe().len()).max().unwrap_or(0);
    ALL.iter().map(|r| format!("{:width$}  {:sev$}  {}\n", r.name, r.level.describe(), r.summary)).collect()
}

/// The rule's place in [`ALL`].
pub(crate) fn rank(rule: &Rule) -> usize {
    ALL.iter().position(|r| r.name == rule.name).unwrap_or(usize::MAX)
}

/// The severity of a finding of a [`Level::ByAccess`] rule.
pub(crate) fn by_access(access: Access) -> Severity {
    if access == Access::OncePod {
        Severity::Error
    } else {
        Severity::Warning
    }
}

/// What happens to a second pod on the claim.
pub(crate) fn extra_pods(access: Access) -> &'static str {
    if access == Access::OncePod {
        "with ReadWriteOncePod a second pod cannot start at all, on any node."
    } else {
        "pods on other nodes hang on Multi-Attach."
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! Running the analysis on a small bundle, for the rules' own tests.

    use crate::config::Config;
    use crate::findings::Finding;
    use crate::read::{read, Limits};

    use super::{run, Rule};

    /// A ReadWriteOnce claim `data` and a ReadWriteOncePod claim `pod-data`, to append to.
    pub(crate) const CLAIMS: &str = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec: {accessModes: [ReadWriteOnce]}\n---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: pod-data}\nspec: {accessModes: [ReadWriteOncePod]}\n---\n";

    /// The findings of `rule` on `yaml` with `config`.
    #[allow(clippy::needless_pass_by_value, reason = "tests pass configs built in place")]
    pub(crate) fn findings(rule: &Rule, yaml: &str, config: Config) -> Vec<Finding> {
        let b = read(yaml, Limits::default()).expect("valid test input");
        run(&b.objects, &config, &b.namespaces).findings.into_iter().filter(|f| f.rule == rule).collect()
    }

    /// A workload of `kind` (`apps/v1` unless `api` says otherwise) mounting `claim`, with
    /// `spec` lines (indented two spaces) before its template.
    pub(crate) fn workload(api: &str, kind: &str, name: &str, claim: &str, spec: &str) -> String {
        format!("apiVersion: {api}\nkind: {kind}\nmetadata: {{name: {name}}}\nspec:\n{spec}  template:\n    spec:\n      volumes: [{{name: v, persistentVolumeClaim: {{claimName: {claim}}}}}]\n---\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Mode;
    use crate::read::{read, Limits};

    #[test]
    fn names_are_unique_and_kebab_case() {
        let mut seen = std::collections::HashSet::new();
        for r in ALL {
            assert!(seen.insert(r.name), "{} twice", r.name);
            assert!(r.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'), "{}", r.name);
            assert!(!r.summary.is_empty() && !r.triggered_by.is_empty() && !r.advice.is_empty(), "{}", r.name);
            assert!(!r.why.is_empty() && !r.example.is_empty(), "{}", r.name);
        }
        let names: Vec<&str> = ALL.iter().map(|r| r.name).collect();
        assert_eq!(names, crate::rule_ids::ALL, "rule_ids::ALL is rules::ALL's ids, in order");
    }

    #[allow(clippy::needless_pass_by_value, reason = "tests pass configs built in place")]
    fn analysis(yaml: &str, config: Config) -> Analysis {
        let b = read(yaml, Limits::default()).expect("valid");
        run(&b.objects, &config, &b.namespaces)
    }

    fn bundle(mode: &str, replicas: u32, strategy: &str) -> String {
        format!("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {{name: d}}\nspec: {{accessModes: [{mode}]}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: w}}\nspec:\n  replicas: {replicas}\n{strategy}  template:\n    spec:\n      volumes: [{{name: v, persistentVolumeClaim: {{claimName: d}}}}]\n")
    }

    #[test]
    fn plans_a_fix_only_for_exclusive_claims() {
        let a = analysis(&bundle("ReadWriteOnce", 1, ""), Config::default());
        assert_eq!(a.plans.len(), 1);
        assert_eq!(a.findings[0].rule, &STRATEGY_REWRITTEN);
        assert!(analysis(&bundle("ReadWriteMany", 1, ""), Config::default()).findings.is_empty());
        assert!(analysis(&bundle("ReadWriteOnce", 1, "  strategy: {type: Recreate}\n"), Config::default())
            .findings
            .is_empty());
    }

    #[test]
    fn findings_are_in_object_then_rule_order() {
        let a = analysis(&bundle("ReadWriteOnce", 3, ""), Config::default());
        let rules: Vec<&str> = a.findings.iter().map(|f| f.rule.name).collect();
        assert_eq!(rules, [STRATEGY_REWRITTEN.name, REPLICAS.name]);
    }

    #[test]
    fn check_mode_plans_nothing_and_reports_errors() {
        let config = Config { mode: Mode::Check, ..Config::default() };
        let a = analysis(&bundle("ReadWriteOnce", 1, ""), config.clone());
        assert!(a.plans.is_empty());
        assert_eq!((a.findings[0].rule, a.findings[0].severity), (&STRATEGY_UNSAFE, Severity::Error));
    }

    fn annotated(annotation: &str, replicas: u32) -> String {
        format!("{}apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: w\n  annotations: {{{annotation}}}\nspec:\n  replicas: {replicas}\n  template:\n    spec:\n      volumes: [{{name: v, persistentVolumeClaim: {{claimName: data}}}}]\n", testing::CLAIMS)
    }

    fn analysed(yaml: &str, config: &Config) -> Analysis {
        let b = read(yaml, Limits::default()).expect("valid");
        run(&b.objects, config, &b.namespaces)
    }

    #[test]
    fn an_annotation_suppresses_one_rule_on_its_object_with_its_reason() {
        let yaml = annotated("ignore-check.rwo-guard.dev/replicas: \"one node cluster\"", 3);
        let a = analysed(&yaml, &Config::default());
        assert!(a.findings.iter().all(|f| f.rule != &REPLICAS), "{:?}", a.findings);
        assert!(a.findings.iter().any(|f| f.rule == &STRATEGY_REWRITTEN), "other rules still apply");
        assert_eq!(a.suppressed.len(), 1);
        assert_eq!((a.suppressed[0].0.rule, a.suppressed[0].1.as_str()), (&REPLICAS, "one node cluster"));
        assert_eq!(a.plans.len(), 1, "the strategy is still fixed");
    }

    #[test]
    fn the_strategy_rules_are_one_check_and_suppressing_it_fixes_nothing() {
        for rule in ["strategy-unsafe", "strategy-rewritten"] {
            let yaml = annotated(&format!("ignore-check.rwo-guard.dev/{rule}: accepted"), 1);
            let a = analysed(&yaml, &Config::default());
            assert!(a.plans.is_empty(), "{rule}: no edit");
            assert!(a.findings.is_empty(), "{rule}: {:?}", a.findings);
            assert_eq!(a.suppressed.iter().map(|(f, _)| f.rule).collect::<Vec<_>>(), [&STRATEGY_UNSAFE], "{rule}");
        }
    }

    #[test]
    fn rules_set_severities_or_turn_rules_off() {
        use crate::config::RuleLevel;
        let yaml = annotated("a: b", 3);
        let config = Config { rules: vec![("replicas", RuleLevel::Error)], ..Config::default() };
        let a = analysed(&yaml, &config);
        let replicas: Vec<Severity> = a.findings.iter().filter(|f| f.rule == &REPLICAS).map(|f| f.severity).collect();
        assert_eq!(replicas, [Severity::Error]);
        let off = Config {
            rules: vec![("replicas", RuleLevel::Off), ("strategy-rewritten", RuleLevel::Off)],
            ..Config::default()
        };
        let a = analysed(&yaml, &off);
        assert!(a.findings.is_empty() && a.plans.is_empty() && a.suppressed.is_empty(), "{a:?}");
    }

    #[test]
    fn explain_says_what_why_fix_suppress_and_shows_an_example() {
        for r in ALL {
            let text = explain(r);
            for part in ["Triggered by:", "Why:", "How to fix:", "How to suppress:", "Example:", "More: https://"] {
                assert!(text.contains(part), "{}: {part}", r.name);
            }
            assert!(text.contains(&ignore_annotation(r)), "{}", r.name);
        }
        assert_eq!(list().lines().count(), ALL.len());
    }
}
