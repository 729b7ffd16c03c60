//! Analysis: from the bundle's facts and the config to findings and an edit plan. Pure: it
//! reads facts, decides, and changes nothing.
//!
//! Two steps, downhill: [`facts::Facts::gather`] collects what every rule needs (which
//! workloads mount which exclusive claims, what their annotations say, how their rollout
//! stands), then every rule of [`crate::rules::ALL`] looks at those facts and emits its
//! findings (and, for the strategy rule, the edit plan). Findings come out in object order,
//! then in the order of the rules' list.

pub(crate) mod facts;

use std::collections::BTreeSet;

use crate::config::Config;
use crate::model::Object;
use crate::rules::{self, Rule};
use crate::strategy::{Layout, Op, Val};

pub(crate) use facts::Facts;

/// How serious a finding is (KRM result severities).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Informational: what was changed or skipped.
    Info,
    /// A risk rwo-guard cannot fix.
    Warning,
    /// A certain failure, or a change `mode: check` refuses.
    Error,
}

impl Severity {
    /// The KRM spelling.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A field change, for results.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldChange {
    /// `spec.strategy.type`
    pub path: String,
    /// The value now (`None` when absent).
    pub current: Option<String>,
    /// The value proposed (`None` for a removal).
    pub proposed: Option<String>,
}

impl FieldChange {
    /// A field named without a change.
    pub(crate) fn at(path: impl Into<String>, current: Option<String>) -> FieldChange {
        FieldChange { path: path.into(), current, proposed: None }
    }
}

/// One finding about one object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The object's ordinal in the bundle.
    pub object: usize,
    /// Which rule.
    pub rule: &'static Rule,
    /// How serious.
    pub severity: Severity,
    /// What and why.
    pub message: String,
    /// The field changed or to change.
    pub field: Option<FieldChange>,
}

/// The edits planned for one object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectPlan {
    /// The object's ordinal.
    pub object: usize,
    /// How its kind keeps its rollout strategy.
    pub layout: &'static Layout,
    /// The semantic edits.
    pub ops: Vec<Op>,
    /// The strategy expected after the edits (normalized).
    pub expected: Option<Val>,
}

/// Findings and the edit plan.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Analysis {
    /// All findings, in object order then rule order.
    pub findings: Vec<Finding>,
    /// Objects to edit, in object order.
    pub plans: Vec<ObjectPlan>,
}

/// A `--cluster` file read: the storage objects of a cluster (`kubectl get
/// storageclass,csidriver,persistentvolume -o yaml`), facts only: never edited, never written,
/// no finding is about them.
#[derive(Debug, Default)]
pub struct ClusterFile {
    /// The file as named on the command line or in the config.
    pub name: String,
    /// Its StorageClasses, CSIDrivers and PersistentVolumes.
    pub objects: Vec<Object>,
}

/// Analyzes the bundle: gathers the facts, runs every rule, orders the findings. `namespaces`
/// are the namespaces the input's objects name: objects without one are in `config.namespace`,
/// else in the bundle's only namespace when there is one (assumed, and said), else in their
/// own unnamed one.
pub fn analyze(objects: &[Object], config: &Config, namespaces: &BTreeSet<String>) -> Analysis {
    analyze_with(objects, &[], config, namespaces)
}

/// As [`analyze`], with the storage facts of `cluster` files.
pub fn analyze_with(
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
    for rule in rules::ALL {
        if let Some(check) = rule.check {
            check(&facts, &mut out);
        }
    }
    out.findings.sort_by_key(|f| (f.object, rules::rank(f.rule)));
    out.plans.sort_by_key(|p| p.object);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Mode;
    use crate::read::{read, Limits};
    use crate::rules::{REPLICAS, STRATEGY_REWRITTEN, STRATEGY_UNSAFE};

    #[allow(clippy::needless_pass_by_value, reason = "tests pass configs built in place")]
    fn findings(yaml: &str, config: Config) -> Analysis {
        let b = read(yaml, Limits::default()).expect("valid");
        analyze(&b.objects, &config, &b.namespaces)
    }

    fn bundle(mode: &str, replicas: u32, strategy: &str) -> String {
        format!("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {{name: d}}\nspec: {{accessModes: [{mode}]}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: w}}\nspec:\n  replicas: {replicas}\n{strategy}  template:\n    spec:\n      volumes: [{{name: v, persistentVolumeClaim: {{claimName: d}}}}]\n")
    }

    #[test]
    fn plans_a_fix_only_for_exclusive_claims() {
        let a = findings(&bundle("ReadWriteOnce", 1, ""), Config::default());
        assert_eq!(a.plans.len(), 1);
        assert_eq!(a.findings[0].rule, &STRATEGY_REWRITTEN);
        assert!(findings(&bundle("ReadWriteMany", 1, ""), Config::default()).findings.is_empty());
        assert!(findings(&bundle("ReadWriteOnce", 1, "  strategy: {type: Recreate}\n"), Config::default())
            .findings
            .is_empty());
    }

    #[test]
    fn findings_are_in_object_then_rule_order() {
        let a = findings(&bundle("ReadWriteOnce", 3, ""), Config::default());
        let rules: Vec<&str> = a.findings.iter().map(|f| f.rule.name).collect();
        assert_eq!(rules, [STRATEGY_REWRITTEN.name, REPLICAS.name]);
    }

    #[test]
    fn check_mode_plans_nothing_and_reports_errors() {
        let config = Config { mode: Mode::Check, ..Config::default() };
        let a = findings(&bundle("ReadWriteOnce", 1, ""), config.clone());
        assert!(a.plans.is_empty());
        assert_eq!((a.findings[0].rule, a.findings[0].severity), (&STRATEGY_UNSAFE, Severity::Error));
    }
}
