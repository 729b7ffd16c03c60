//! `unsupported-strategy`: a workload rwo-guard would rewrite has a strategy it does not
//! rewrite: an unknown `type`, a value that is not a mapping, or a YAML anchor (other nodes
//! may share it, so editing it could change them too). Also, after the analysis, a planned
//! edit that cannot be written into the text as it is laid out ([`unplaceable`]): the object
//! is left as it is, and this finding says what to set by hand.

use crate::facts::Facts;
use crate::findings::{Analysis, FieldChange, Finding, Severity};
use crate::kinds::Rollout;
use crate::kinds::Types;
use crate::model::Object;
use crate::strategy::{self, Verdict};

use super::{Level, Rule};

/// A strategy rwo-guard does not rewrite.
pub(crate) static UNSUPPORTED_STRATEGY: Rule = Rule {
    name: crate::rule_ids::UNSUPPORTED_STRATEGY,
    level: Level::Always(Severity::Warning),
    summary: "A workload on an exclusive claim has a rollout strategy rwo-guard does not rewrite",
    triggered_by: "a strategy rwo-guard does not rewrite: unknown `type` (`Custom` on a Deployment, a typo), not a mapping, or defining a YAML anchor; or a planned edit the text's layout leaves no place for (a rare explicit-key layout: `? strategy`, then `: rollingUpdate: …`)",
    advice: "use `strategy: {type: Recreate}`, or `RollingUpdate` with `maxSurge: 0`, so old pods stop before new ones start",
    why: "rwo-guard only writes strategies it knows to be safe; a strategy it does not recognize may still start new pods beside the old ones and hang on Multi-Attach.",
    example: "spec:\n  strategy: {type: Custom}",
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
            w.object.id,
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

/// Drops the plan `plan` of `out`, which the rewriter cannot write into its object's text
/// (`why`), and replaces the object's `strategy-rewritten` findings by one warning naming the
/// strategy to set by hand. Valid input never stops the run with an internal error for this.
pub(crate) fn unplaceable(out: &mut Analysis, plan: usize, object: &Object, why: &str) {
    let plan = out.plans.remove(plan);
    let path = plan.layout.path(&[]);
    let wanted =
        plan.expected.as_ref().map_or_else(|| "a strategy that cannot surge".to_string(), strategy::Val::display);
    out.findings.retain(|f| !(f.object == plan.object && *f.rule == super::STRATEGY_REWRITTEN));
    let current = object.rollout(plan.layout.key).map(|c| strategy::val(&c.node).display());
    let warning = Finding {
        object: plan.object,
        rule: &UNSUPPORTED_STRATEGY,
        severity: Severity::Warning,
        message: format!(
            "{}: its rollout can surge on an exclusive claim, but rwo-guard cannot write the edit into this text ({why}) and left the object unchanged. Set {path}: {wanted} by hand",
            object.display()
        ),
        field: Some(Box::new(FieldChange::at(path, current))),
    };
    // Findings stay in object then rule order: the warning goes where that order puts it.
    let key = |f: &Finding| (f.object, super::rank(f.rule));
    let at = out.findings.partition_point(|f| key(f) < key(&warning));
    out.findings.insert(at, warning);
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

    #[test]
    fn an_unplaceable_plan_becomes_one_warning_and_no_edit() {
        use crate::read::{read, Limits};
        use crate::rules::{run, REPLICAS, STRATEGY_REWRITTEN};
        let yaml = format!("{CLAIMS}{}", workload("apps/v1", "Deployment", "w", "data", "  replicas: 2\n"));
        let b = read(&yaml, Limits::default()).expect("valid");
        let mut a = run(&b.objects, &Config::default(), &b.namespaces);
        let object = a.plans[0].object;
        assert!(a.findings.iter().any(|f| f.rule == &STRATEGY_REWRITTEN));
        unplaceable(&mut a, 0, &b.objects[object.index], "why");
        assert!(a.plans.is_empty());
        let rules: Vec<&str> = a.findings.iter().map(|f| f.rule.name).collect();
        assert_eq!(rules, [UNSUPPORTED_STRATEGY.name, REPLICAS.name], "in the rules' order");
        let w = &a.findings[0];
        assert_eq!(w.severity, Severity::Warning);
        assert!(w.message.ends_with("cannot write the edit into this text (why) and left the object unchanged. Set spec.strategy: {type: Recreate} by hand"), "{}", w.message);
    }
}
