//! `cluster-object-replaced`: a StorageClass, CSIDriver or PersistentVolume of the bundle has
//! the name of one read from a `--cluster` file. The bundle's is what will be applied, so its
//! facts are used; said once per object, so a surprising class is traced to its source.

use crate::facts::Facts;
use crate::findings::{Analysis, Severity};

use super::{Level, Rule};

/// A bundle object replaces a cluster file's.
pub(crate) static CLUSTER_OBJECT_REPLACED: Rule = Rule {
    name: crate::rule_ids::CLUSTER_OBJECT_REPLACED,
    level: Level::Always(Severity::Info),
    summary: "A storage object of the bundle replaces the one of the same name read from --cluster",
    triggered_by: "a StorageClass, CSIDriver or PersistentVolume of the bundle with the kind and name of one in a `--cluster` file; one result per object",
    advice: "nothing: the bundle's object is what will be applied, so its facts are used",
    why: "A StorageClass, CSIDriver or PersistentVolume of the bundle has the name of one read from a --cluster file. The bundle's object is what will be applied, so its facts are used; said once per object, so a surprising class is traced to its source.",
    example: "rwo-guard --cluster cluster.yaml < bundle.yaml   # both define StorageClass gp3",
    check: Some(check),
};

fn check(facts: &Facts<'_>, out: &mut Analysis) {
    for &(i, file) in &facts.storage.replacing {
        out.push(
            &CLUSTER_OBJECT_REPLACED,
            facts.objects[i].id,
            Severity::Info,
            format!(
                "{}: also in cluster file {file}; the bundle's is used, as it is what will be applied",
                facts.objects[i].display()
            ),
            None,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::facts::ClusterFile;
    use crate::read::{read, Limits};
    use crate::rules::run_named;
    use crate::rules::ACCESS_MODE_UNSUPPORTED;

    const CLASS: &str =
        "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: fast}\nprovisioner: ebs.csi.aws.com\n";
    const CLAIM: &str = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: d}\nspec: {accessModes: [ReadWriteMany], storageClassName: fast}\n";

    fn run(bundle: &str, files: &[(&str, &str)]) -> Vec<(&'static str, String)> {
        let b = read(bundle, Limits::default()).expect("bundle");
        let cluster: Vec<ClusterFile> = files
            .iter()
            .map(|(name, text)| ClusterFile {
                name: (*name).to_string(),
                objects: read(text, Limits::default()).expect("cluster").objects,
            })
            .collect();
        run_named(&b.objects, &cluster, &Config::default(), &b.namespaces, &[])
            .findings
            .into_iter()
            .map(|f| (f.rule.name, f.message))
            .collect()
    }

    #[test]
    fn the_bundle_wins_and_says_so_once() {
        let efs = CLASS.replace("ebs.csi.aws.com", "efs.csi.aws.com");
        let f = run(&format!("{efs}---\n{CLAIM}"), &[("a.yaml", CLASS), ("b.yaml", CLASS)]);
        let replaced: Vec<&String> =
            f.iter().filter(|(r, _)| *r == CLUSTER_OBJECT_REPLACED.name).map(|(_, m)| m).collect();
        // b.yaml's replaced a.yaml's, and the bundle's replaced that one.
        assert_eq!(
            replaced,
            ["StorageClass fast: also in cluster file b.yaml; the bundle's is used, as it is what will be applied"]
        );
        assert!(!f.iter().any(|(r, _)| *r == ACCESS_MODE_UNSUPPORTED.name), "the bundle's EFS class is used: {f:?}");
    }

    #[test]
    fn cluster_facts_alone_decide_and_get_no_findings() {
        let f = run(
            CLAIM,
            &[("c.yaml", &format!("apiVersion: v1\nkind: List\nitems:\n- {}", CLASS.replace('\n', "\n  ")))],
        );
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].0, ACCESS_MODE_UNSUPPORTED.name);
        assert!(f[0].1.contains("StorageClass fast from cluster file c.yaml"), "{}", f[0].1);
    }
}
