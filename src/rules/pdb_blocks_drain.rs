//! `pdb-blocks-drain`: a PodDisruptionBudget that selects the pod of a one-replica workload on
//! an exclusive claim and allows no disruption (`minAvailable` ≥ 1 or any percentage above 0%,
//! which rounds up to one pod; `maxUnavailable: 0` or `0%`). An eviction of that pod is never
//! allowed, so `kubectl drain`, node pools' upgrades and cluster autoscalers wait on that node
//! for ever. More replicas are no way out here: they cannot share the claim. The pods are
//! matched as the API does, by namespace and label selector (`matchLabels`,
//! `matchExpressions`) against the pod template's labels, so names (kustomize's prefixes and
//! suffixes) do not matter; the pods counted are those of the bundle's workloads it selects.

use crate::facts::Facts;
use crate::facts::{int, WorkloadFacts};
use crate::findings::{Analysis, FieldChange, Severity};
use crate::kinds::Scale;
use crate::model::{PackedValue, ScalarField};

use super::{Level, Rule};

/// A disruption budget that no eviction can satisfy.
pub(crate) static PDB_BLOCKS_DRAIN: Rule = Rule {
    name: crate::rule_ids::PDB_BLOCKS_DRAIN,
    level: Level::Always(Severity::Warning),
    summary: "A PodDisruptionBudget allows no eviction of a one-replica workload on an exclusive claim: node drains wait for ever",
    triggered_by: "a PodDisruptionBudget (policy/v1) whose selector matches, by namespace and labels, the pod template of a one-replica workload on an exclusive claim, with `minAvailable` ≥ 1 (or a percentage above 0%) or `maxUnavailable: 0` (or `0%`), counted over the bundle's workloads it selects",
    advice: "`maxUnavailable: 1` (and no `minAvailable`): the pod is evicted and restarted elsewhere; not more replicas, which cannot share the claim",
    why: "A budget that allows no disruption of the only pod of a workload never lets it be evicted, so kubectl drain, node pool upgrades and cluster autoscalers wait on its node for ever. More replicas are no way out on an exclusive claim: they cannot share it. Pods are matched as the API does, by namespace and label selector against the pod template's labels.",
    example: "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web}\nspec:\n  minAvailable: 1\n  selector: {matchLabels: {app: web}}",
    check: Some(check),
};

/// A count or a percentage (`1`, `"50%"`).
enum Amount {
    Count(i64),
    Percent(i64),
}

fn amount(s: PackedValue<'_>) -> Option<Amount> {
    match s.value.strip_suffix('%') {
        Some(p) => p.parse().ok().map(Amount::Percent),
        None => s.int().map(Amount::Count),
    }
}

/// `amount` of `total` pods, rounded up as the disruption controller does.
fn scaled(a: &Amount, total: i64) -> i64 {
    match *a {
        Amount::Count(n) => n,
        Amount::Percent(p) => (p * total + 99) / 100,
    }
}

fn check(facts: &Facts<'_>, out: &mut Analysis) {
    for (i, pdb) in facts.objects.iter().enumerate() {
        let Some(budget) = pdb.budget() else { continue };
        let Some(selector) = pdb.selector() else { continue };
        if facts.superseded(i) || !pdb.unreadable().is_empty() || pdb.merged {
            continue;
        }
        let (min, max) = (pdb.stored(ScalarField::MinAvailable), pdb.stored(ScalarField::MaxUnavailable));
        let (field, value, path) = match (min, max) {
            (Some(m), None) => (m, amount(m), budget.min_available),
            (None, Some(m)) => (m, amount(m), budget.max_unavailable),
            // Neither (no limit) or both (the API rejects it).
            _ => continue,
        };
        let Some(value) = value else { continue };
        let mut selected: Vec<&WorkloadFacts<'_>> = Vec::new();
        let mut known = true;
        for w in facts.workloads.iter().filter(|w| !facts.superseded(facts.position(w.object))) {
            if facts.ns(w.object) != facts.ns(pdb) || w.kind.pods.labels_path().is_none() {
                continue;
            }
            if w.object.unreadable().iter().any(|u| u.field.contains("labels")) {
                known = false;
                break;
            }
            let labels = w.object.packed().labels();
            match selector.matches(&labels) {
                Some(true) => selected.push(w),
                Some(false) => {}
                None => known = false,
            }
        }
        let mut total = 0;
        for w in &selected {
            match (w.kind.scale, int(w.object.value(ScalarField::Replicas))) {
                (Scale::Replicas(_), Some(n)) => total += n,
                (Scale::Replicas(_), None) if w.object.value(ScalarField::Replicas).is_none() => total += 1,
                _ => known = false,
            }
        }
        let allowed = if min.is_some() { total - scaled(&value, total) } else { scaled(&value, total) };
        if !known || total == 0 || allowed > 0 {
            continue;
        }
        let Some((w, mount)) = selected.iter().find_map(|w| {
            let one = w.object.value(ScalarField::Replicas).is_none_or(|r| int(Some(r)) == Some(1));
            let mount = w.first().filter(|_| one && matches!(w.kind.scale, Scale::Replicas(_)) && w.mode().is_some());
            mount.map(|m| (w, m))
        }) else {
            continue;
        };
        let others = selected.len() - 1;
        let field_name = path.last().copied().unwrap_or("");
        out.push(
            &PDB_BLOCKS_DRAIN,
            pdb.id,
            Severity::Warning,
            format!(
                "{}: {field_name}: {} blocks node drains. It allows no eviction of the pod of {}{}, which runs one replica on {}: node drains and cluster upgrades wait on its node for ever. Set maxUnavailable: 1 (and no minAvailable) so the pod is evicted and restarted elsewhere; more replicas are no way out, they cannot share the claim",
                pdb.display(),
                field.value,
                w.object.display(),
                match others {
                    0 => String::new(),
                    1 => " (and of the 1 other workload it selects)".to_string(),
                    n => format!(" (and of the {n} other workloads it selects)"),
                },
                mount.describe()
            ),
            Some(FieldChange::at(path.join("."), Some(field.value.to_string()))),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::rules::testing::findings;

    fn bundle(mode: &str, replicas: u32, labels: &str, pdb_spec: &str) -> String {
        format!("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {{name: data}}\nspec: {{accessModes: [{mode}]}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: db}}\nspec:\n  replicas: {replicas}\n  selector: {{matchLabels: {labels}}}\n  strategy: {{type: Recreate}}\n  template:\n    metadata: {{labels: {labels}}}\n    spec:\n      volumes: [{{name: v, persistentVolumeClaim: {{claimName: data}}}}]\n---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {{name: db}}\nspec: {pdb_spec}\n")
    }

    fn count(yaml: &str) -> usize {
        findings(&PDB_BLOCKS_DRAIN, yaml, Config::default()).len()
    }

    const APP: &str = "{app: db, tier: data}";

    #[test]
    fn budgets_that_allow_no_eviction() {
        for spec in [
            "{minAvailable: 1, selector: {matchLabels: {app: db}}}",
            "{minAvailable: 100%, selector: {matchLabels: {app: db}}}",
            "{minAvailable: 10%, selector: {matchLabels: {app: db}}}",
            "{maxUnavailable: 0, selector: {matchLabels: {app: db}}}",
            "{maxUnavailable: 0%, selector: {matchLabels: {app: db}}}",
            "{minAvailable: 1, selector: {}}",
            "{minAvailable: 1, selector: {matchExpressions: [{key: app, operator: In, values: [db, web]}, {key: tier, operator: Exists}, {key: canary, operator: DoesNotExist}, {key: tier, operator: NotIn, values: [web]}]}}",
        ] {
            assert_eq!(count(&bundle("ReadWriteOnce", 1, APP, spec)), 1, "{spec}");
        }
        let f = findings(
            &PDB_BLOCKS_DRAIN,
            &bundle("ReadWriteOnce", 1, APP, "{minAvailable: 1, selector: {matchLabels: {app: db}}}"),
            Config::default(),
        );
        assert_eq!(f[0].field.as_ref().map(|c| c.path.as_str()), Some("spec.minAvailable"));
        assert!(f[0].message.contains("Set maxUnavailable: 1"), "{}", f[0].message);
    }

    #[test]
    fn near_misses() {
        for (mode, replicas, spec) in [
            ("ReadWriteOnce", 1, "{minAvailable: 0, selector: {matchLabels: {app: db}}}"),
            ("ReadWriteOnce", 1, "{maxUnavailable: 1, selector: {matchLabels: {app: db}}}"),
            ("ReadWriteOnce", 1, "{minAvailable: 1, selector: {matchLabels: {app: web}}}"),
            ("ReadWriteOnce", 1, "{minAvailable: 1}"),
            (
                "ReadWriteOnce",
                1,
                "{minAvailable: 1, selector: {matchExpressions: [{key: app, operator: NotIn, values: [db]}]}}",
            ),
            (
                "ReadWriteOnce",
                1,
                "{minAvailable: 1, selector: {matchExpressions: [{key: app, operator: Matches, values: [db]}]}}",
            ),
            ("ReadWriteMany", 3, "{minAvailable: 1, selector: {matchLabels: {app: db}}}"),
            ("ReadWriteMany", 1, "{minAvailable: 1, selector: {matchLabels: {app: db}}}"),
            ("ReadWriteOnce", 2, "{minAvailable: 1, selector: {matchLabels: {app: db}}}"),
        ] {
            assert_eq!(count(&bundle(mode, replicas, APP, spec)), 0, "{mode} {replicas} {spec}");
        }
    }

    #[test]
    fn another_namespace_is_not_selected() {
        let yaml = bundle("ReadWriteOnce", 1, APP, "{minAvailable: 1, selector: {matchLabels: {app: db}}}")
            .replace("metadata: {name: db}\nspec: {min", "metadata: {name: db, namespace: other}\nspec: {min");
        let config = Config { namespace: Some("apps".into()), ..Config::default() };
        assert!(findings(&PDB_BLOCKS_DRAIN, &yaml, config.clone()).is_empty());
        let same = yaml.replace("namespace: other", "namespace: apps");
        assert_eq!(findings(&PDB_BLOCKS_DRAIN, &same, config).len(), 1);
    }
}
