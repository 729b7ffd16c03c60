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
/// The `cluster` files' objects are facts about storage only.
pub(crate) fn run(
    objects: &[Object],
    cluster: &[ClusterFile],
    config: &Config,
    namespaces: &BTreeSet<String>,
) -> Analysis {
    let (default_ns, assumed) = match (&config.namespace, namespaces.first()) {
        (Some(ns), _) => (ns.as_str(), false),
        (None, Some(only)) if namespaces.len() == 1 => (only.as_str(), true),
        _ => ("", false),
    };
    let facts = Facts::gather(objects, cluster, config, default_ns, assumed);
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
    out
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
        run(&b.objects, &[], &config, &b.namespaces).findings.into_iter().filter(|f| f.rule == rule).collect()
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
        }
    }

    #[allow(clippy::needless_pass_by_value, reason = "tests pass configs built in place")]
    fn analysis(yaml: &str, config: Config) -> Analysis {
        let b = read(yaml, Limits::default()).expect("valid");
        run(&b.objects, &[], &config, &b.namespaces)
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
}
