//! The rules' ids, in the order of `rules::ALL` (a test there holds the two equal): the one
//! home of each id, which its rule's `name` takes, and the list the modules below the rules
//! know them by (the config reader checks `rules:` keys against it; the schema keeps one
//! `ignore-check.rwo-guard.dev/<id>` annotation per id). Pure data.

use std::sync::OnceLock;

/// `strategy-rewritten`.
pub(crate) const STRATEGY_REWRITTEN: &str = "strategy-rewritten";
/// `strategy-unsafe`.
pub(crate) const STRATEGY_UNSAFE: &str = "strategy-unsafe";
/// `node-pinned`.
pub(crate) const NODE_PINNED: &str = "node-pinned";
/// `skipped`.
pub(crate) const SKIPPED: &str = "skipped";
/// `bad-annotation`.
pub(crate) const BAD_ANNOTATION: &str = "bad-annotation";
/// `unsupported-strategy`.
pub(crate) const UNSUPPORTED_STRATEGY: &str = "unsupported-strategy";
/// `replicas`.
pub(crate) const REPLICAS: &str = "replicas";
/// `external-claim`.
pub(crate) const EXTERNAL_CLAIM: &str = "external-claim";
/// `autoscaled`.
pub(crate) const AUTOSCALED: &str = "autoscaled";
/// `shared-claim`.
pub(crate) const SHARED_CLAIM: &str = "shared-claim";
/// `daemonset`.
pub(crate) const DAEMONSET: &str = "daemonset";
/// `argo-rollout`.
pub(crate) const ARGO_ROLLOUT: &str = "argo-rollout";
/// `job-overlap`.
pub(crate) const JOB_OVERLAP: &str = "job-overlap";
/// `access-modes-missing`.
pub(crate) const ACCESS_MODES_MISSING: &str = "access-modes-missing";
/// `access-mode-unsupported`.
pub(crate) const ACCESS_MODE_UNSUPPORTED: &str = "access-mode-unsupported";
/// `immediate-binding`.
pub(crate) const IMMEDIATE_BINDING: &str = "immediate-binding";
/// `pdb-blocks-drain`.
pub(crate) const PDB_BLOCKS_DRAIN: &str = "pdb-blocks-drain";
/// `fsgroup-recursive-chown`.
pub(crate) const FSGROUP_RECURSIVE_CHOWN: &str = "fsgroup-recursive-chown";
/// `unreadable-field`.
pub(crate) const UNREADABLE_FIELD: &str = "unreadable-field";
/// `namespace-assumed`.
pub(crate) const NAMESPACE_ASSUMED: &str = "namespace-assumed";
/// `duplicate-object`.
pub(crate) const DUPLICATE_OBJECT: &str = "duplicate-object";
/// `cluster-object-replaced`.
pub(crate) const CLUSTER_OBJECT_REPLACED: &str = "cluster-object-replaced";

/// Every id, in the order of `rules::ALL`.
pub(crate) static ALL: &[&str] = &[
    STRATEGY_REWRITTEN,
    STRATEGY_UNSAFE,
    NODE_PINNED,
    SKIPPED,
    BAD_ANNOTATION,
    UNSUPPORTED_STRATEGY,
    REPLICAS,
    EXTERNAL_CLAIM,
    AUTOSCALED,
    SHARED_CLAIM,
    DAEMONSET,
    ARGO_ROLLOUT,
    JOB_OVERLAP,
    ACCESS_MODES_MISSING,
    ACCESS_MODE_UNSUPPORTED,
    IMMEDIATE_BINDING,
    PDB_BLOCKS_DRAIN,
    FSGROUP_RECURSIVE_CHOWN,
    UNREADABLE_FIELD,
    NAMESPACE_ASSUMED,
    DUPLICATE_OBJECT,
    CLUSTER_OBJECT_REPLACED,
];

/// The prefix of the annotations that suppress one rule on one object.
pub(crate) const IGNORE_PREFIX: &str = "ignore-check.rwo-guard.dev/";

/// `ignore-check.rwo-guard.dev/<id>` for every id, in [`ALL`]'s order (made once).
pub(crate) fn ignore_annotations() -> &'static [String] {
    static KEYS: OnceLock<Vec<String>> = OnceLock::new();
    KEYS.get_or_init(|| ALL.iter().map(|id| format!("{IGNORE_PREFIX}{id}")).collect())
}
