//! `daemonset`: a DaemonSet runs a pod on every node, and an exclusive claim can be used by one
//! node (ReadWriteOnce) or one pod (ReadWriteOncePod) at a time.

use crate::claims::Access;
use crate::facts::Facts;
use crate::findings::Analysis;
use crate::kinds::Scale;

use super::shared_claim::mount_field;
use super::{by_access, Level, Rule};

/// A DaemonSet on an exclusive claim.
pub(crate) static DAEMONSET: Rule = Rule {
    name: crate::rule_ids::DAEMONSET,
    level: Level::ByAccess,
    summary: "A DaemonSet mounts an exclusive claim",
    triggered_by: "a DaemonSet mounting an exclusive claim",
    advice: "ReadWriteMany, a one-replica Deployment, or per-node storage",
    why: "A DaemonSet runs one pod per node, so a ReadWriteOnce volume can only be attached to one of them: every pod on another node hangs on Multi-Attach.",
    example: "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent}\nspec:\n  template:\n    spec:\n      volumes: [{name: data, persistentVolumeClaim: {claimName: agent-data}}]",
    check: Some(check),
};

fn check(facts: &Facts<'_>, out: &mut Analysis) {
    for w in &facts.workloads {
        let (Scale::PerNode, Some(_), Some(mount), None) = (w.kind.scale, w.mode(), w.first(), w.pinned_rwo()) else {
            continue;
        };
        let worst = w.worst();
        out.push(
            &DAEMONSET,
            w.object.id,
            by_access(worst),
            format!(
                "{}: a DaemonSet runs one pod per node, and {} can be used by {} at a time; only one pod will start. Use a ReadWriteMany claim, a Deployment with one replica, or per-node storage (hostPath, local volumes)",
                w.object.display(),
                mount.describe(),
                if worst == Access::OncePod { "one pod" } else { "one node" }
            ),
            Some(mount_field(mount)),
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
    fn a_daemonset_on_an_exclusive_claim() {
        let yaml = format!("{CLAIMS}{}", workload("apps/v1", "DaemonSet", "d", "pod-data", ""));
        let f = findings(&DAEMONSET, &yaml, Config::default());
        assert_eq!(f.iter().map(|f| f.severity).collect::<Vec<_>>(), [Severity::Error]);
        assert!(f[0].message.contains("can be used by one pod at a time"));
    }
}
