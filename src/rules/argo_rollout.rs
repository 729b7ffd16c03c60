//! `argo-rollout`: an Argo Rollout mounts an exclusive claim. Rollouts have no Recreate
//! strategy and blueGreen always runs two ReplicaSets; only a canary with `maxSurge: 0` and a
//! non-zero `maxUnavailable` never starts a new pod beside the old ones. Never rewritten.

use crate::facts::Facts;
use crate::findings::{Analysis, FieldChange};
use crate::kinds::Rollout;
use crate::strategy;

use super::{by_access, Level, Rule};

/// An Argo Rollout on an exclusive claim.
pub(crate) static ARGO_ROLLOUT: Rule = Rule {
    name: crate::rule_ids::ARGO_ROLLOUT,
    level: Level::ByAccess,
    summary: "An Argo Rollout whose strategy can surge mounts an exclusive claim",
    triggered_by: "an Argo `Rollout` on an exclusive claim, unless it is a canary with `maxSurge: 0` and `maxUnavailable` > 0 (blueGreen always runs two ReplicaSets; Rollouts have no Recreate)",
    advice: "canary with `maxSurge: 0`, `maxUnavailable: 1`, or a Deployment with Recreate",
    why: "Argo Rollouts have no Recreate: a canary step or a blueGreen preview starts new pods while the old ones still run. On a ReadWriteOnce claim the new pods hang on Multi-Attach when they land on another node; on ReadWriteOncePod they never start.",
    example: "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: web}\nspec:\n  strategy:\n    canary: {steps: [{setWeight: 50}]}\n  template:\n    spec:\n      volumes: [{name: data, persistentVolumeClaim: {claimName: web-data}}]",
    check: Some(check),
};

fn check(facts: &Facts<'_>, out: &mut Analysis) {
    for w in &facts.workloads {
        let (Rollout::Argo { key }, Some(_), Some(mount)) = (w.kind.rollout, w.mode(), w.first()) else { continue };
        if w.object.rollout(key).is_some_and(|c| strategy::canary_without_surge(&strategy::val(&c.node))) {
            continue;
        }
        out.push(
            &ARGO_ROLLOUT,
            w.object.id,
            by_access(w.worst()),
            format!(
                "{}: mounts {}; Argo Rollouts has no Recreate strategy and blueGreen always runs two ReplicaSets. Use spec.strategy.canary with maxSurge: 0 and maxUnavailable: 1 (and no traffic routing), or a Deployment with strategy Recreate",
                w.object.display(),
                mount.describe()
            ),
            Some(FieldChange::at(format!("spec.{key}"), None)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::rules::testing::{findings, workload, CLAIMS};

    #[test]
    fn only_a_canary_without_surge_passes() {
        let rollout =
            |spec: &str| format!("{CLAIMS}{}", workload("argoproj.io/v1alpha1", "Rollout", "r", "data", spec));
        assert_eq!(findings(&ARGO_ROLLOUT, &rollout("  strategy: {blueGreen: {}}\n"), Config::default()).len(), 1);
        let safe = rollout("  strategy: {canary: {maxSurge: 0, maxUnavailable: 1}}\n");
        assert!(findings(&ARGO_ROLLOUT, &safe, Config::default()).is_empty());
    }
}
