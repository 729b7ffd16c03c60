//! `autoscaled`: an autoscaler (HPA, KEDA ScaledObject) may scale a workload that mounts an
//! exclusive claim above one replica. Targets are matched by kind and name, through kustomize's
//! renames as the claims are.

use crate::facts::int;
use crate::facts::Facts;
use crate::findings::{Analysis, FieldChange};
use crate::model::ScalarField;

use super::{by_access, extra_pods, Level, Rule};

/// An autoscaler on a workload on an exclusive claim.
pub(crate) static AUTOSCALED: Rule = Rule {
    name: crate::rule_ids::AUTOSCALED,
    level: Level::ByAccess,
    summary: "An autoscaler may scale a workload on an exclusive claim above one replica",
    triggered_by: "an HPA (`autoscaling/v1`, `v2`, `v2beta2`) with `maxReplicas` > 1 or a KEDA `ScaledObject` with `maxReplicaCount` > 1 (default 100) whose target mounts an exclusive claim (target matched through kustomize renames too)",
    advice: "cap `maxReplicas`/`maxReplicaCount` at 1, or shareable storage",
    why: "A strategy only controls rollouts: an autoscaler that adds a second replica starts a pod that needs the volume while the first one holds it, and that pod hangs on Multi-Attach (or never starts on ReadWriteOncePod).",
    example: "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  minReplicas: 1\n  maxReplicas: 5",
    check: Some(check),
};

fn check(facts: &Facts<'_>, out: &mut Analysis) {
    for (_, o) in facts.objects.iter().enumerate().filter(|(i, _)| !facts.superseded(*i)) {
        let Some(scaler) = o.autoscaler() else { continue };
        let Some(name) = o.value(ScalarField::TargetName) else { continue };
        let kind = o.value(ScalarField::TargetKind).map_or(scaler.default_target_kind, |k| k.value.as_str());
        let written = o.value(ScalarField::MaxReplicas);
        let max = int(written).or(scaler.default_max).unwrap_or(1);
        if max <= 1 {
            continue;
        }
        for &t in facts.workload_names.lookup(facts.ns(o), &name.value).iter().filter(|&&t| !facts.superseded(t)) {
            let Some(w) =
                facts.workload(t).filter(|w| w.object.is_kind(kind) && !w.skipped() && w.pinned_rwo().is_none())
            else {
                continue;
            };
            let Some(mount) = w.first() else { continue };
            let worst = w.worst();
            let default_note = match (written, scaler.default_max) {
                (None, Some(_)) => format!(" ({})", scaler.default_note),
                _ => String::new(),
            };
            out.push(
                &AUTOSCALED,
                o.id,
                by_access(worst),
                format!(
                    "{}: may scale {} to {max} replicas{default_note}, but it mounts {}; {} Cap {} at 1, or give the workload shareable storage",
                    o.display(),
                    w.object.display(),
                    mount.describe(),
                    extra_pods(worst),
                    scaler.max_name(),
                ),
                Some(FieldChange::at(scaler.max.join("."), written.map(|m| m.value.clone()))),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::rules::testing::{findings, workload, CLAIMS};

    const HPA: &str = "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: w}\n";

    #[test]
    fn an_hpa_above_one_on_a_target_with_an_exclusive_claim() {
        let yaml = format!("{CLAIMS}{}{HPA}  maxReplicas: 4\n", workload("apps/v1", "Deployment", "w", "data", ""));
        let f = findings(&AUTOSCALED, &yaml, Config::default());
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message.starts_with(
                "HorizontalPodAutoscaler h: may scale Deployment w to 4 replicas, but it mounts claim data"
            ),
            "{}",
            f[0].message
        );
        let capped = format!("{CLAIMS}{}{HPA}  maxReplicas: 1\n", workload("apps/v1", "Deployment", "w", "data", ""));
        assert!(findings(&AUTOSCALED, &capped, Config::default()).is_empty());
    }

    #[test]
    fn keda_defaults_to_a_hundred() {
        let keda = "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: k}\nspec:\n  scaleTargetRef: {name: w}\n";
        let yaml = format!("{CLAIMS}{}{keda}", workload("apps/v1", "Deployment", "w", "data", ""));
        let f = findings(&AUTOSCALED, &yaml, Config::default());
        assert!(f[0].message.contains("to 100 replicas (KEDA's default maxReplicaCount)"), "{}", f[0].message);
    }
}
