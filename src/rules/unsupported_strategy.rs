//! `unsupported-strategy`: a workload rwo-guard would rewrite has a strategy it does not
//! rewrite: an unknown `type`, a value that is not a mapping, or a YAML anchor (other nodes
//! may share it, so editing it could change them too).

use crate::analyze::{Analysis, Facts, FieldChange, Severity};
use crate::kinds::Rollout;
use crate::strategy::{self, Types, Verdict};

use super::{Level, Rule};

/// A strategy rwo-guard does not rewrite.
pub(crate) static UNSUPPORTED_STRATEGY: Rule = Rule {
    name: "unsupported-strategy",
    level: Level::Always(Severity::Warning),
    summary: "A workload on an exclusive claim has a rollout strategy rwo-guard does not rewrite",
    triggered_by: "a strategy rwo-guard does not rewrite: unknown `type` (`Custom` on a Deployment, a typo), not a mapping, or defining a YAML anchor",
    advice: "make sure old pods stop before new ones start",
    check: Some(check),
};

fn check(facts: &Facts<'_>, out: &mut Analysis) {
    for w in &facts.workloads {
        let (Rollout::Rewrite(layout), Some(Verdict::Unknown(what)), Some(_), Some(mount)) =
            (w.kind.rollout, &w.verdict, w.mode(), w.first())
        else {
            continue;
        };
        let how = match layout.types {
            Types::RecreateOrRolling { recreate, .. } => format!("type {recreate}"),
            Types::PodReplacement { .. } => "maxSurge 0".to_string(),
        };
        let current = w.object.rollout(layout.key).map(|c| strategy::val(&c.node).display());
        out.push(
            &UNSUPPORTED_STRATEGY,
            w.ordinal,
            Severity::Warning,
            format!(
                "{}: mounts {}, but rwo-guard does not rewrite this strategy: {what}. Make sure old pods stop before new ones start ({how})",
                w.object.display(),
                mount.describe()
            ),
            Some(FieldChange::at(layout.path(&[]), current)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::rules::testing::{findings, workload, CLAIMS};

    #[test]
    fn unknown_types_and_anchors_are_reported_not_rewritten() {
        for (api, kind, spec, what) in [
            ("apps/v1", "Deployment", "  strategy: {type: Custom}\n", "type `Custom` is neither Recreate nor RollingUpdate (the API rejects it for a Deployment)"),
            ("apps/v1", "Deployment", "  strategy: &s {type: RollingUpdate}\n", "spec.strategy defines a YAML anchor"),
            ("apps.kruise.io/v1alpha1", "CloneSet", "  updateStrategy: {type: Recreate, maxSurge: 1}\n", "type `Recreate` is not one of ReCreate, InPlaceIfPossible, InPlaceOnly (the API rejects it for a CloneSet)"),
        ] {
            let yaml = format!("{CLAIMS}{}", workload(api, kind, "w", "data", spec));
            let f = findings(&UNSUPPORTED_STRATEGY, &yaml, Config::default());
            assert_eq!(f.len(), 1, "{spec}");
            assert!(f[0].message.contains(what), "{}", f[0].message);
        }
    }
}
