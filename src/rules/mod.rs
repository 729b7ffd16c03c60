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
mod strategy;
mod unreadable_field;
mod unsupported_strategy;

use crate::analyze::{Analysis, Facts, FieldChange, Finding, Severity};
use crate::claims::Access;

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
pub(crate) use strategy::{STRATEGY_REWRITTEN, STRATEGY_UNSAFE};
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

/// How severe a rule's findings are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Always this severity.
    Always(Severity),
    /// Error on a ReadWriteOncePod claim (only one pod can ever use it: the failure is
    /// certain), warning on ReadWriteOnce (it fails once pods land on different nodes).
    ByAccess,
}

impl Level {
    /// `info`, `warning / error`.
    pub fn describe(self) -> &'static str {
        match self {
            Level::Always(s) => s.name(),
            Level::ByAccess => "warning / error",
        }
    }
}

/// One rule: what it is called, when it fires, what it advises, and its check.
pub struct Rule {
    /// The name, used as the `rule` tag of results (`shared-claim`).
    pub name: &'static str,
    /// Its severity.
    pub level: Level,
    /// One line: what it reports (SARIF's short description).
    pub summary: &'static str,
    /// What triggers it (the README's "triggered by").
    pub triggered_by: &'static str,
    /// What to do about it.
    pub advice: &'static str,
    /// The check; `None` for a rule whose findings another rule's check emits (named in its
    /// documentation).
    pub(crate) check: Option<fn(&Facts<'_>, &mut Analysis)>,
}

impl PartialEq for Rule {
    fn eq(&self, other: &Rule) -> bool {
        self.name == other.name
    }
}

impl Eq for Rule {}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
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

impl Analysis {
    /// Adds a finding of `rule` about object `object`.
    pub(crate) fn push(
        &mut self,
        rule: &'static Rule,
        object: usize,
        severity: Severity,
        message: String,
        field: Option<FieldChange>,
    ) {
        self.findings.push(Finding { object, rule, severity, message, field });
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! Running the analysis on a small bundle, for the rules' own tests.

    use crate::analyze::{analyze, Finding};
    use crate::config::Config;
    use crate::read::{read, Limits};

    use super::Rule;

    /// A ReadWriteOnce claim `data` and a ReadWriteOncePod claim `pod-data`, to append to.
    pub(crate) const CLAIMS: &str = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec: {accessModes: [ReadWriteOnce]}\n---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: pod-data}\nspec: {accessModes: [ReadWriteOncePod]}\n---\n";

    /// The findings of `rule` on `yaml` with `config`.
    #[allow(clippy::needless_pass_by_value, reason = "tests pass configs built in place")]
    pub(crate) fn findings(rule: &Rule, yaml: &str, config: Config) -> Vec<Finding> {
        let b = read(yaml, Limits::default()).expect("valid test input");
        analyze(&b.objects, &config, &b.namespaces).findings.into_iter().filter(|f| f.rule == rule).collect()
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

    #[test]
    fn names_are_unique_and_kebab_case() {
        let mut seen = std::collections::HashSet::new();
        for r in ALL {
            assert!(seen.insert(r.name), "{} twice", r.name);
            assert!(r.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'), "{}", r.name);
            assert!(!r.summary.is_empty() && !r.triggered_by.is_empty() && !r.advice.is_empty(), "{}", r.name);
        }
    }
}
