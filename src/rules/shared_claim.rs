//! `shared-claim`: two or more workloads of any kind (bare Pods, ReplicaSets and Jobs too)
//! mount one exclusive claim; one finding on each of them.

use crate::claims::Access;
use crate::facts::Facts;
use crate::facts::Mount;
use crate::findings::{Analysis, FieldChange};

use super::{by_access, Level, Rule};

/// An exclusive claim shared by several workloads.
pub(crate) static SHARED_CLAIM: Rule = Rule {
    name: crate::rule_ids::SHARED_CLAIM,
    level: Level::ByAccess,
    summary: "Several workloads mount one exclusive claim",
    triggered_by: "two or more workloads of any kind (bare Pods, ReplicaSets, Jobs included) mounting one exclusive claim; one result on each",
    advice: "a claim per workload, or ReadWriteMany",
    why: "Two workloads on one exclusive claim run pods at the same time by design: once they land on different nodes (or at all, on ReadWriteOncePod) one of them cannot start.",
    example: "# Deployment web and Deployment worker both mount\nvolumes: [{name: data, persistentVolumeClaim: {claimName: shared-data}}]",
    check: Some(check),
};

fn check(facts: &Facts<'_>, out: &mut Analysis) {
    for ((_, claim), users) in facts.users.iter().filter(|(_, users)| users.len() > 1) {
        for &i in users {
            let Some(w) = facts.workload(i).filter(|w| !w.skipped()) else { continue };
            let Some(m) = w.mounts.iter().find(|m| &m.claim == claim) else { continue };
            let others: Vec<String> = users.iter().filter(|&&j| j != i).map(|&j| facts.objects[j].display()).collect();
            out.push(
                &SHARED_CLAIM,
                w.object.id,
                by_access(m.access),
                format!(
                    "{}: mounts {}, which {} also mount{}; pods of different workloads on different nodes hang on Multi-Attach{}. Give each workload its own claim or use a ReadWriteMany claim",
                    w.object.display(),
                    m.describe(),
                    others.join(", "),
                    if others.len() == 1 { "s" } else { "" },
                    if m.access == Access::OncePod { ", and ReadWriteOncePod admits only one pod at all" } else { "" }
                ),
                Some(mount_field(m)),
            );
        }
    }
}

/// The volume's `claimName` field.
pub(crate) fn mount_field(m: &Mount<'_>) -> FieldChange {
    FieldChange::at(m.use_.path(), m.use_.claim.as_ref().map(|c| c.value.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::rules::testing::{findings, workload, CLAIMS};

    #[test]
    fn each_sharer_names_the_others() {
        let yaml = format!(
            "{CLAIMS}{}{}",
            workload("apps/v1", "Deployment", "a", "data", ""),
            workload("apps/v1", "ReplicaSet", "b", "data", "")
        );
        let f = findings(&SHARED_CLAIM, &yaml, Config::default());
        assert_eq!(f.len(), 2);
        assert!(f[0].message.contains("which ReplicaSet b also mounts;"), "{}", f[0].message);
        assert!(f[1].message.contains("which Deployment a also mounts;"), "{}", f[1].message);
    }
}
