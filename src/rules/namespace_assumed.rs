//! `namespace-assumed`: objects without `metadata.namespace` are applied to the namespace of
//! the install (`kubectl apply -n`, `helm install -n`), which the bundle does not say. When all
//! its namespaced objects share one namespace, rwo-guard takes objects without one to be in it
//! too (so a chart's Deployment without a namespace still meets its PVC and its HPA), and says
//! so once. `--namespace` says it instead, and silences this.

use crate::facts::Facts;
use crate::findings::{Analysis, Severity};

use super::{Level, Rule};

/// Objects without a namespace taken to be in the bundle's only one.
pub(crate) static NAMESPACE_ASSUMED: Rule = Rule {
    name: crate::rule_ids::NAMESPACE_ASSUMED,
    level: Level::Always(Severity::Info),
    summary: "Objects without a namespace were taken to be in the bundle's only namespace",
    triggered_by: "workloads without `metadata.namespace` in a bundle whose namespaced objects all share one namespace, and no `--namespace`; once, on the first such workload",
    advice: "set `--namespace` (or `namespace` in the config) to the namespace you apply to",
    why: "Objects without a namespace land where they are applied; rwo-guard matched claims to workloads as if that were the bundle's one namespace, which is wrong if you apply elsewhere.",
    example: "# every namespaced object says namespace: shop, the Deployment says none\nrwo-guard check --namespace shop deploy/",
    check: Some(check),
};

fn check(facts: &Facts<'_>, out: &mut Analysis) {
    if !facts.assumed_ns {
        return;
    }
    let Some(w) = facts.workloads.iter().find(|w| w.object.namespace.as_deref().is_none_or(str::is_empty)) else {
        return;
    };
    let ns = facts.default_ns;
    out.push(
        &NAMESPACE_ASSUMED,
        w.object.id,
        Severity::Info,
        format!(
            "{}: has no metadata.namespace; it and every object without one are taken to be in namespace {ns}, the only one in the bundle, where `kubectl apply -n {ns}` or `helm install -n {ns}` would put them. Set --namespace to say otherwise",
            w.object.display()
        ),
        None,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::rules::testing::{findings, workload};
    use crate::rules::{AUTOSCALED, EXTERNAL_CLAIM};

    const PVC_IN_APPS: &str = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data, namespace: apps}\nspec: {accessModes: [ReadWriteOnce]}\n---\n";
    const HPA_NO_NS: &str = "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec: {scaleTargetRef: {kind: Deployment, name: w}, maxReplicas: 3}\n";

    #[test]
    fn objects_without_a_namespace_meet_the_bundles_only_one() {
        let yaml = format!("{PVC_IN_APPS}{}{HPA_NO_NS}", workload("apps/v1", "Deployment", "w", "data", ""));
        let f = findings(&NAMESPACE_ASSUMED, &yaml, Config::default());
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("taken to be in namespace apps"), "{}", f[0].message);
        assert!(findings(&EXTERNAL_CLAIM, &yaml, Config::default()).is_empty());
        assert_eq!(findings(&AUTOSCALED, &yaml, Config::default()).len(), 1);
    }

    #[test]
    fn a_namespace_given_is_not_assumed() {
        let yaml = format!("{PVC_IN_APPS}{}", workload("apps/v1", "Deployment", "w", "data", ""));
        let given = Config { namespace: Some("apps".into()), ..Config::default() };
        assert!(findings(&NAMESPACE_ASSUMED, &yaml, given.clone()).is_empty());
        assert!(findings(&EXTERNAL_CLAIM, &yaml, given).is_empty());
        let elsewhere = Config { namespace: Some("other".into()), ..Config::default() };
        let f = findings(&EXTERNAL_CLAIM, &yaml, elsewhere);
        assert!(f[0].message.contains("exists in namespace apps"), "{}", f[0].message);
    }
}
