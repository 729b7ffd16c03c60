//! `unreadable-field`: a field of a workload that rwo-guard reads could not be read: an alias
//! of a mapping or list (aliases are never expanded) or a collection where a single value
//! belongs. That field was not analysed; the finding says so instead of guessing.

use crate::facts::Facts;
use crate::findings::{Analysis, FieldChange, Severity};

use super::{Level, Rule};

/// A field rwo-guard could not read.
pub(crate) static UNREADABLE_FIELD: Rule = Rule {
    name: crate::rule_ids::UNREADABLE_FIELD,
    level: Level::Always(Severity::Warning),
    summary: "A field of a workload that rwo-guard reads could not be read",
    triggered_by: "a field rwo-guard reads is an alias of a mapping/list (aliases are never expanded) or a collection where a value belongs",
    advice: "write the field out instead of aliasing a mapping or list, so it can be read",
    why: "rwo-guard never expands aliases of mappings or lists, so it cannot see what the field holds; a claim or strategy hidden there is not checked.",
    example: "x-volumes: &vols [{name: data, persistentVolumeClaim: {claimName: web-data}}]\nspec:\n  template:\n    spec:\n      volumes: *vols",
    check: Some(check),
};

fn check(facts: &Facts<'_>, out: &mut Analysis) {
    for w in &facts.workloads {
        for (c, pvc) in &w.unreadable_claims {
            for u in pvc.unreadable() {
                out.push(
                    &UNREADABLE_FIELD,
                    w.object.id,
                    Severity::Warning,
                    format!(
                        "{}: mounts claim {}, whose {}: {} {} (line {}); rwo-guard cannot tell whether it is ReadWriteOnce and did not act on it",
                        w.object.display(),
                        c.claim.as_ref().map_or("", |s| s.value.as_str()),
                        pvc.display(),
                        u.field,
                        u.reason,
                        u.pos.line
                    ),
                    Some(FieldChange::at(c.path(), c.claim.as_ref().map(|s| s.value.clone()))),
                );
            }
        }
        for u in w.object.unreadable() {
            out.push(
                &UNREADABLE_FIELD,
                w.object.id,
                Severity::Warning,
                format!(
                    "{}: {} {}; rwo-guard did not analyse it (line {})",
                    w.object.display(),
                    u.field,
                    u.reason,
                    u.pos.line
                ),
                Some(FieldChange::at(u.field.clone(), None)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::rules::testing::{findings, CLAIMS};

    #[test]
    fn an_alias_of_a_list_where_volumes_belong() {
        let yaml = format!("{CLAIMS}apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: w, labels: &v [a]}}\nspec:\n  template:\n    spec:\n      volumes: *v\n");
        let f = findings(&UNREADABLE_FIELD, &yaml, Config::default());
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].message.starts_with("Deployment w: spec.template.spec.volumes is an alias of a mapping or list"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn a_storage_value_or_label_holding_a_nul() {
        let class =
            "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: c}\nprovisioner: \"ebs\\0x\"\n---\n";
        let labels = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\nspec:\n  template:\n    metadata: {labels: {app: \"a\\0b\"}}\n    spec: {}\n";
        let yaml = format!("{class}{labels}");
        let f = findings(&UNREADABLE_FIELD, &yaml, Config::default());
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].message.contains("spec.template.metadata.labels.app holds a NUL character"), "{}", f[0].message);
        // A class's unreadable provisioner is unknown: it asserts nothing, and is not kept.
        let b = crate::read::read(&yaml, crate::read::Limits::default()).expect("valid");
        assert_eq!(b.objects[0].stored(crate::model::ScalarField::Provisioner), None);
        assert_eq!(b.objects[0].unreadable()[0].field, "provisioner");
    }
}
