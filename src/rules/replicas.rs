//! `replicas`: a workload that runs `replicas` pods has more than one on an exclusive claim.
//! No strategy fixes that: the pods run at the same time, on whatever nodes they land.

use crate::claims::Access;
use crate::facts::int;
use crate::facts::Facts;
use crate::findings::{Analysis, FieldChange};
use crate::kinds::Scale;
use crate::model::ScalarField;

use super::{by_access, Level, Rule};

/// More than one replica on an exclusive claim.
pub(crate) static REPLICAS: Rule = Rule {
    name: crate::rule_ids::REPLICAS,
    level: Level::ByAccess,
    summary: "Several replicas of a workload share one exclusive claim",
    triggered_by: "`replicas` > 1 on a Deployment, DeploymentConfig, CloneSet, StatefulSet (claim through `volumes`), ReplicaSet, ReplicationController or Rollout on an exclusive claim",
    advice: "one replica, a ReadWriteMany claim, or `volumeClaimTemplates`; replicas are never changed",
    why: "All replicas run at once: with ReadWriteOnce every replica scheduled on another node than the first hangs on Multi-Attach; with ReadWriteOncePod only one ever starts. No rollout strategy changes that.",
    example: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 3\n  template:\n    spec:\n      volumes: [{name: data, persistentVolumeClaim: {claimName: web-data}}]",
    check: Some(check),
};

fn check(facts: &Facts<'_>, out: &mut Analysis) {
    for w in &facts.workloads {
        let (Scale::Replicas(path), Some(_), Some(mount), None) = (w.kind.scale, w.mode(), w.first(), w.pinned_rwo())
        else {
            continue;
        };
        let replicas = int(w.object.value(ScalarField::Replicas)).unwrap_or(1);
        if replicas <= 1 {
            continue;
        }
        let worst = w.worst();
        out.push(
            &REPLICAS,
            w.object.id,
            by_access(worst),
            format!(
                "{}: {replicas} replicas share {}; {} No strategy can fix this: use one replica, a ReadWriteMany claim, or a StatefulSet with volumeClaimTemplates (a claim per pod). Replicas were not changed",
                w.object.display(),
                mount.describe(),
                if worst == Access::OncePod {
                    "ReadWriteOncePod allows one pod: the others never start."
                } else {
                    "ReadWriteOnce allows one node: pods scheduled elsewhere hang on Multi-Attach."
                }
            ),
            Some(FieldChange::at(path.join("."), Some(replicas.to_string()))),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::findings::Severity;
    use crate::rules::testing::{findings, workload, CLAIMS};

    #[test]
    fn severity_follows_the_access_mode() {
        for (claim, severity) in [("data", Severity::Warning), ("pod-data", Severity::Error)] {
            let yaml = format!("{CLAIMS}{}", workload("apps/v1", "Deployment", "w", claim, "  replicas: 3\n"));
            let f = findings(&REPLICAS, &yaml, Config::default());
            assert_eq!(f.iter().map(|f| f.severity).collect::<Vec<_>>(), [severity]);
        }
    }

    #[test]
    fn one_replica_quoted_counts_or_a_daemonset_are_not_reported() {
        for (kind, spec) in
            [("Deployment", "  replicas: 1\n"), ("Deployment", "  replicas: \"3\"\n"), ("DaemonSet", "  replicas: 3\n")]
        {
            let yaml = format!("{CLAIMS}{}", workload("apps/v1", kind, "w", "data", spec));
            assert!(findings(&REPLICAS, &yaml, Config::default()).is_empty(), "{kind} {spec}");
        }
    }
}
