//! `external-claim`: a workload mounts a claim whose PersistentVolumeClaim is not in the
//! bundle, so rwo-guard cannot tell whether it is exclusive (`externalClaims: warn`).

use crate::facts::Facts;
use crate::findings::{Analysis, FieldChange, Severity};

use super::{Level, Rule};

/// A claim not in the bundle.
pub(crate) static EXTERNAL_CLAIM: Rule = Rule {
    name: crate::rule_ids::EXTERNAL_CLAIM,
    level: Level::Always(Severity::Warning),
    summary: "A workload mounts a claim whose PersistentVolumeClaim is not in the bundle",
    triggered_by: "a claim whose PVC is not in the bundle (`externalClaims: warn`)",
    advice: "put the claim in the input, or set `externalClaims: assume-exclusive` (treat it as ReadWriteOnce) or `ignore`",
    why: "rwo-guard cannot see the claim's access mode, so it cannot tell whether the rollout is safe: if the claim is ReadWriteOnce, a surging rollout hangs on Multi-Attach.",
    example: "spec:\n  template:\n    spec:\n      volumes: [{name: data, persistentVolumeClaim: {claimName: made-elsewhere}}]",
    check: Some(check),
};

fn check(facts: &Facts<'_>, out: &mut Analysis) {
    for w in facts.workloads.iter().filter(|w| !w.skipped()) {
        for c in &w.external {
            let Some(claim) = &c.claim else { continue };
            out.push(
                &EXTERNAL_CLAIM,
                w.object.id,
                Severity::Warning,
                format!(
                    "{}: claim {} is not in the bundle{}, so rwo-guard cannot tell whether it is ReadWriteOnce and did not act on it (set externalClaims: assume-exclusive to treat it as ReadWriteOnce, or ignore to silence this)",
                    w.object.display(),
                    claim.value,
                    elsewhere(facts, w.object, &claim.value),
                ),
                Some(FieldChange::at(c.path(), Some(claim.value.clone()))),
            );
        }
    }
}

/// Where a claim of that name is, when it is in another namespace than the workload's.
fn elsewhere(facts: &Facts<'_>, o: &crate::model::Object, claim: &str) -> String {
    let ns = facts.ns(o);
    let found = facts.claims.namespaces_of(ns, claim);
    if found.is_empty() {
        return String::new();
    }
    let here = if ns.is_empty() { "has no namespace".to_string() } else { format!("is in namespace {ns}") };
    let hint = if o.namespace.as_deref().is_none_or(str::is_empty) {
        "; objects without a namespace are applied to the namespace of the install: say which with --namespace"
    } else {
        ""
    };
    format!(
        " (a PersistentVolumeClaim {claim} exists in namespace {}, but the workload {here}{hint})",
        found.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, ExternalClaims};
    use crate::rules::testing::{findings, workload, CLAIMS};

    #[test]
    fn each_missing_claim_once_and_only_when_warned() {
        let yaml = format!(
            "{CLAIMS}{}{}",
            workload("apps/v1", "Deployment", "a", "gone", ""),
            workload("apps/v1", "Deployment", "b", "data", "")
        );
        let f = findings(&EXTERNAL_CLAIM, &yaml, Config::default());
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].field.as_ref().map(|c| c.path.as_str()),
            Some("spec.template.spec.volumes[0].persistentVolumeClaim.claimName")
        );
        for e in [ExternalClaims::Ignore, ExternalClaims::AssumeExclusive] {
            assert!(findings(&EXTERNAL_CLAIM, &yaml, Config { external_claims: e, ..Config::default() }).is_empty());
        }
    }
}
