//! `skipped`: a workload on an exclusive claim is annotated `rwo-guard.dev/skip: "true"`, so
//! rwo-guard leaves it untouched and says so.

use crate::facts::{Disposition, Facts};
use crate::findings::{Analysis, Severity};

use super::{Level, Rule};

/// A workload left alone on request.
pub(crate) static SKIPPED: Rule = Rule {
    name: crate::rule_ids::SKIPPED,
    level: Level::Always(Severity::Info),
    summary: "A workload on an exclusive claim was left untouched on request",
    triggered_by: "a workload on an exclusive claim annotated `rwo-guard.dev/skip: \"true\"`",
    advice: "nothing to fix; remove the annotation to have rwo-guard check and fix the workload",
    why: "The workload mounts an exclusive claim and may roll out unsafely; it was left alone because it asked to be.",
    example: "metadata:\n  name: web\n  annotations:\n    rwo-guard.dev/skip: \"true\"",
    check: Some(check),
};

fn check(facts: &Facts<'_>, out: &mut Analysis) {
    for w in facts.workloads.iter().filter(|w| w.disposition == Disposition::Skipped) {
        let Some(mount) = w.mounts.first() else { continue };
        out.push(
            &SKIPPED,
            w.object.id,
            Severity::Info,
            format!(
                "{}: annotation rwo-guard.dev/skip is \"true\"; left untouched although it mounts {}",
                w.object.display(),
                mount.describe()
            ),
            None,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::rules::testing::{findings, CLAIMS};

    #[test]
    fn only_workloads_on_exclusive_claims_are_reported() {
        let skip = |claim: &str| {
            format!("{CLAIMS}apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: w\n  annotations: {{rwo-guard.dev/skip: \"true\"}}\nspec:\n  template:\n    spec:\n      volumes: [{{persistentVolumeClaim: {{claimName: {claim}}}}}]\n")
        };
        assert_eq!(findings(&SKIPPED, &skip("data"), Config::default()).len(), 1);
        assert!(findings(&SKIPPED, &skip("elsewhere"), Config::default()).is_empty());
    }
}
