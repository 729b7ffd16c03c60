//! `strategy-rewritten` and `strategy-unsafe`: a workload whose kind rwo-guard rewrites
//! (Deployment, DeploymentConfig, CloneSet) mounts an exclusive claim and its rollout can start
//! a new pod beside the old one. Outside `mode: check` the strategy is rewritten (one info
//! finding per field edited, the first saying why); in `mode: check` each edit that would be
//! made is an error instead. This file's check emits both rules' findings and the edit plan.

use crate::claims::Access;
use crate::config::Mode;
use crate::facts::Facts;
use crate::findings::{Analysis, FieldChange, ObjectPlan, Severity};
use crate::kinds::Layout;
use crate::kinds::Rollout;
use crate::strategy::{self, Fix, Op, Val, Verdict};

use super::{Level, Rule};

/// The strategy was rewritten.
pub(crate) static STRATEGY_REWRITTEN: Rule = Rule {
    name: crate::rule_ids::STRATEGY_REWRITTEN,
    level: Level::Always(Severity::Info),
    summary: "The rollout strategy of a workload on an exclusive claim was rewritten",
    triggered_by: "a Deployment, DeploymentConfig or CloneSet on an exclusive claim whose rollout can surge (no strategy, or rolling with `maxSurge` ≠ 0); one result per field edited",
    advice: "nothing: rwo-guard fix (or the filter) already set `strategy: {type: Recreate}` (or `RollingUpdate` with `maxSurge: 0` under `mode: rolling`)",
    why: "The default RollingUpdate starts the new pod before the old one stops (maxSurge 25%). If the new pod is scheduled on another node, the ReadWriteOnce volume is still attached to the old node and the rollout hangs on \"Multi-Attach error for volume\".",
    example: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  # no strategy: RollingUpdate with maxSurge 25%\n  template:\n    spec:\n      volumes: [{name: data, persistentVolumeClaim: {claimName: web-data}}]",
    check: Some(check),
};

/// `mode: check`: the strategy would be rewritten.
pub(crate) static STRATEGY_UNSAFE: Rule = Rule {
    name: crate::rule_ids::STRATEGY_UNSAFE,
    level: Level::Always(Severity::Error),
    summary: "A workload on an exclusive claim has a rollout strategy that can surge (`check`, or mode check)",
    triggered_by: "the same, reported by `rwo-guard check` or under `mode: check` instead of fixed",
    advice: "run `rwo-guard fix`, or set `strategy: {type: Recreate}` by hand (no `rollingUpdate` beside it), or `RollingUpdate` with `maxSurge: 0`",
    why: "The default RollingUpdate starts the new pod before the old one stops (maxSurge 25%). If the new pod is scheduled on another node, the ReadWriteOnce volume is still attached to the old node and the rollout hangs on \"Multi-Attach error for volume\".",
    example: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  strategy: {type: RollingUpdate}   # maxSurge 25% by default\n  template:\n    spec:\n      volumes: [{name: data, persistentVolumeClaim: {claimName: web-data}}]",
    // Emitted by STRATEGY_REWRITTEN's check.
    check: None,
};

fn check(facts: &Facts<'_>, out: &mut Analysis) {
    for w in &facts.workloads {
        let (Rollout::Rewrite(layout), Some(Verdict::Surges(why)), Some(mode), Some(mount), None) =
            (w.kind.rollout, &w.verdict, w.mode(), w.first(), w.pinned_rwo())
        else {
            continue;
        };
        let o = w.object;
        let node = o.rollout(layout.key).map(|c| &c.node);
        let current = node.map(strategy::val);
        let fix = match mode {
            Mode::Recreate | Mode::Check => Fix::Recreate { null_params: facts.config.null_rolling_update },
            Mode::Rolling => Fix::NoSurge,
        };
        let ops = strategy::plan(node, fix, layout);
        // Reported, not fixed: `mode: check`, `rwo-guard check`, or the check suppressed on
        // this object or turned off (then `rules::run` drops the findings).
        let check = mode == Mode::Check || facts.config.report_only || super::ignored(o, facts.config);
        for (n, op) in ops.iter().enumerate() {
            let path = op.path(layout);
            let current_at = current.as_ref().and_then(|c| value_at(c, layout, &path));
            // The first edit says why; the others (same object, same reason) only what.
            let why = if n == 0 {
                let risk = if mount.access == Access::OncePod {
                    "a new pod could start while the old one still holds the volume, and ReadWriteOncePod admits one pod at a time, even on one node"
                } else {
                    "a new pod could start on another node while the old one still holds the volume (Multi-Attach error)"
                };
                format!(". It mounts {} and {why}; {risk}", mount.describe())
            } else {
                format!(", with the edit above: {}", op_reason(op, layout))
            };
            let (rule, severity) =
                if check { (&STRATEGY_UNSAFE, Severity::Error) } else { (&STRATEGY_REWRITTEN, Severity::Info) };
            out.push(
                rule,
                w.object.id,
                severity,
                format!(
                    "{}: {}{}{why}",
                    o.display(),
                    if check { "would " } else { "" },
                    action(op, &path, current_at, check)
                ),
                Some(FieldChange {
                    path,
                    current: current_at.map(Val::display),
                    proposed: op.proposed().map(Val::display),
                }),
            );
        }
        if !check {
            let expected = strategy::apply(current, &ops).map(Val::normalized);
            out.plans.push(ObjectPlan { object: w.object.id, layout, ops, expected });
        }
    }
}

/// Why an edit that follows the first one of a strategy is needed.
fn op_reason(op: &Op, layout: &Layout) -> String {
    match op {
        Op::Remove(k) => format!("the API rejects {k} beside type {}", layout.recreate().unwrap_or("Recreate")),
        Op::Set(path, Val::Null) => format!("{} null clears a stored value on client-side apply", path.join(".")),
        Op::Set(path, _) if path.last() == Some(&"maxUnavailable") => {
            "maxSurge and maxUnavailable may not both be 0".to_string()
        }
        Op::Set(path, _) if path.last() == Some(&"type") => "the strategy type it belongs to".to_string(),
        _ => "no new pod starts beside the old ones (maxSurge 0)".to_string(),
    }
}

/// `set spec.strategy.type to Recreate (was RollingUpdate)`, in the tense of `check`.
fn action(op: &Op, path: &str, current: Option<&Val>, check: bool) -> String {
    let was = current.map_or(String::new(), |c| format!(" (was {})", c.display()));
    let (set, remove, add, replace) =
        if check { ("set", "remove", "add", "replace") } else { ("set", "removed", "added", "replaced") };
    match op {
        Op::Set(_, v) => format!("{set} {path} to {}{was}", v.display()),
        Op::Remove(_) => format!("{remove} {path}{was}"),
        Op::Insert(v) => format!("{add} {path}: {}", v.display()),
        Op::Replace(v) => format!("{replace} {path} with {}{was}", v.display()),
    }
}

/// The value at a field path of the strategy (`spec.strategy.rollingUpdate`) in its value.
fn value_at<'v>(strategy: &'v Val, layout: &Layout, path: &str) -> Option<&'v Val> {
    let rest = path.strip_prefix(&layout.path(&[]))?;
    let mut v = strategy;
    for k in rest.split('.').filter(|k| !k.is_empty()) {
        v = v.get(k)?;
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::rules::testing::{findings, workload, CLAIMS};

    #[test]
    fn a_deployment_without_strategy_is_rewritten_once_with_the_reason() {
        let yaml = format!("{CLAIMS}{}", workload("apps/v1", "Deployment", "web", "data", ""));
        let f = findings(&STRATEGY_REWRITTEN, &yaml, Config::default());
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].message, "Deployment web: added spec.strategy: {type: Recreate}. It mounts claim data (volume v, ReadWriteOnce) and has no strategy, so it rolls out with the default RollingUpdate (maxSurge 25%); a new pod could start on another node while the old one still holds the volume (Multi-Attach error)");
    }

    #[test]
    fn check_mode_says_what_would_change() {
        let yaml = format!(
            "{CLAIMS}{}",
            workload(
                "apps/v1",
                "Deployment",
                "web",
                "data",
                "  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1}}\n"
            )
        );
        let config = Config { mode: Mode::Check, ..Config::default() };
        let f = findings(&STRATEGY_UNSAFE, &yaml, config.clone());
        let messages: Vec<&str> = f.iter().map(|f| f.message.split('.').next().unwrap_or("")).collect();
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(messages[0].starts_with("Deployment web: would set spec"), "{messages:?}");
        assert!(f.iter().all(|f| f.severity == Severity::Error));
        assert!(findings(&STRATEGY_REWRITTEN, &yaml, config).is_empty());
    }

    #[test]
    fn a_cloneset_gets_max_surge_zero_and_keeps_its_type() {
        let yaml = format!(
            "{CLAIMS}{}",
            workload(
                "apps.kruise.io/v1alpha1",
                "CloneSet",
                "c",
                "data",
                "  updateStrategy: {type: InPlaceIfPossible, maxSurge: 2}\n"
            )
        );
        let f = findings(&STRATEGY_REWRITTEN, &yaml, Config::default());
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].field.as_ref().map(|c| c.path.as_str()), Some("spec.updateStrategy.maxSurge"));
        assert!(
            f[0].message.starts_with("CloneSet c: set spec.updateStrategy.maxSurge to 0 (was 2)"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn a_cloneset_that_cannot_surge_is_left_alone() {
        for spec in ["", "  updateStrategy: {type: ReCreate}\n", "  updateStrategy: {maxSurge: 0, maxUnavailable: 2}\n"]
        {
            let yaml = format!("{CLAIMS}{}", workload("apps.kruise.io/v1alpha1", "CloneSet", "c", "data", spec));
            assert!(findings(&STRATEGY_REWRITTEN, &yaml, Config::default()).is_empty(), "{spec}");
        }
    }
}
