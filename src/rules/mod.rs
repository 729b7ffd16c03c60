//! Every finding rwo-guard reports: one rule per file, each holding its name, documentation,
//! severity, message and tests, and [`ALL`], the one list of them. The README's findings table
//! is generated from this list and a test keeps the two equal (`tests/readme.rs`); SARIF rules
//! come from it too.
//!
//! A rule reads the [`Facts`] gathered before any rule runs and pushes findings (the strategy
//! rule also pushes the edit plan). Adding a finding: a file here with its `pub(crate) static`
//! [`Rule`], one line in [`ALL`] (its place there is its place in the output order), a golden
//! case under `tests/golden/finding-*`, and the README table (the test tells you the row).

mod argo_rollout;
mod autoscaled;
mod bad_annotation;
mod daemonset;
mod duplicate_object;
mod external_claim;
mod job_overlap;
mod namespace_assumed;
mod node_pinned;
mod replicas;
mod shared_claim;
mod skipped;
mod strategy;
mod unreadable_field;
mod unsupported_strategy;

use crate::analyze::{Analysis, Facts, FieldChange, Finding, Severity};
use crate::claims::Access;

pub(crate) use argo_rollout::ARGO_ROLLOUT;
pub(crate) use autoscaled::AUTOSCALED;
pub(crate) use bad_annotation::BAD_ANNOTATION;
pub(crate) use daemonset::DAEMONSET;
pub(crate) use duplicate_object::DUPLICATE_OBJECT;
pub(crate) use external_claim::EXTERNAL_CLAIM;
pub(crate) use job_overlap::JOB_OVERLAP;
pub(crate) use namespace_assumed::NAMESPACE_ASSUMED;
pub(crate) use node_pinned::NODE_PINNED;
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
    &UNREADABLE_FIELD,
    &NAMESPACE_ASSUMED,
    &DUPLICATE_OBJECT,
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
    /// What to do about it (the README's and `explain`'s "how to fix").
    pub advice: &'static str,
    /// Why it breaks rollouts (`explain`, SARIF's full description).
    pub why: &'static str,
    /// A manifest fragment or command that triggers it (`explain`).
    pub example: &'static str,
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

/// The rule named `name`.
pub(crate) fn named(name: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|r| r.name == name)
}

/// The annotation that suppresses `rule` on one object (`ignore-check.rwo-guard.dev/replicas`).
pub(crate) fn ignore_annotation(rule: &Rule) -> String {
    format!("{IGNORE_PREFIX}{}", rule.name)
}

/// The prefix of the annotations that suppress one rule on one object.
pub(crate) const IGNORE_PREFIX: &str = "ignore-check.rwo-guard.dev/";

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
        "on one object (the workload, or the claim for a finding about a claim), annotate it `{}: \"why\"`; everywhere, `rules: {{{}: off}}` in `.rwo-guard.yaml` (or `--rule {}=off`)",
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
            assert!(!r.why.is_empty() && !r.example.is_empty(), "{}", r.name);
        }
    }
}
