//! `access-modes-missing`: a PersistentVolumeClaim with no `accessModes` (absent, or an empty
//! list). The API rejects it ("at least 1 access mode is required"), so whatever mounts it never
//! starts; rwo-guard cannot tell whether it was meant to be exclusive.

use crate::facts::Facts;
use crate::findings::{Analysis, FieldChange, Severity};
use crate::model::ScalarField;

use super::{Level, Rule};

/// A claim without access modes.
pub(crate) static ACCESS_MODES_MISSING: Rule = Rule {
    name: crate::rule_ids::ACCESS_MODES_MISSING,
    level: Level::Always(Severity::Error),
    summary: "A PersistentVolumeClaim has no access modes, which the API rejects",
    triggered_by: "a PersistentVolumeClaim whose `spec.accessModes` is absent or an empty list",
    advice: "`accessModes: [ReadWriteOnce]` (one node) or `[ReadWriteMany]` on a class that serves it",
    why: "The API rejects a PersistentVolumeClaim without access modes (at least 1 access mode is required): the claim is never created, so every pod that mounts it stays Pending, and whether it was meant to be exclusive cannot be told.",
    example: "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: web-data}\nspec:\n  resources: {requests: {storage: 1Gi}}",
    check: Some(check),
};

fn check(facts: &Facts<'_>, out: &mut Analysis) {
    for (i, o) in facts.objects.iter().enumerate() {
        let Some(claim) = o.claim() else { continue };
        // Unread fields (an alias, a merge key) may hold the modes.
        if o.values(ScalarField::AccessMode).next().is_some() || !o.unreadable().is_empty() || facts.superseded(i) {
            continue;
        }
        let path = claim.access_modes.join(".");
        out.push(
            &ACCESS_MODES_MISSING,
            o.id,
            Severity::Error,
            format!(
                "{}: {path} is missing or empty; the API rejects the claim (at least 1 access mode is required), so no pod that mounts it starts. Set accessModes: [ReadWriteOnce], or [ReadWriteMany] on a class that serves it",
                o.display()
            ),
            Some(FieldChange::at(path, None)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::rules::testing::findings;

    fn pvc(spec: &str) -> String {
        format!("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {{name: d}}\nspec: {spec}\n")
    }

    #[test]
    fn absent_and_empty_modes_are_errors() {
        for spec in ["{resources: {requests: {storage: 1Gi}}}", "{accessModes: []}", "{}"] {
            let f = findings(&ACCESS_MODES_MISSING, &pvc(spec), Config::default());
            assert_eq!(f.iter().map(|f| f.severity).collect::<Vec<_>>(), [Severity::Error], "{spec}");
        }
    }

    #[test]
    fn modes_given_or_unreadable_are_not_reported() {
        for spec in ["{accessModes: [ReadWriteOnce]}", "{accessModes: [ReadWriteMany]}"] {
            assert!(findings(&ACCESS_MODES_MISSING, &pvc(spec), Config::default()).is_empty(), "{spec}");
        }
        let merged = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: d}\nbase: &b {accessModes: [ReadWriteOnce]}\nspec:\n  <<: *b\n";
        assert!(findings(&ACCESS_MODES_MISSING, merged, Config::default()).is_empty());
    }
}
