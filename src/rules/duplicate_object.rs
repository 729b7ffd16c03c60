//! `duplicate-object`: the same object (API group, kind, namespace, name) more than once in
//! the input, as when several builds are piped into one run (`for o in overlays/*; do kubectl
//! kustomize $o; done | rwo-guard --mode check`). Applied together, the last copy wins; a copy
//! never counts as a second workload on a claim or a second autoscaler. Said once, on the last
//! copy.

use crate::facts::Facts;
use crate::findings::{Analysis, Severity};

use super::{Level, Rule};

/// An object that appears more than once.
pub(crate) static DUPLICATE_OBJECT: Rule = Rule {
    name: crate::rule_ids::DUPLICATE_OBJECT,
    level: Level::Always(Severity::Info),
    summary: "The same object appears more than once in the input",
    triggered_by: "an object rwo-guard reads (a workload, claim, volume, storage class, CSI driver, disruption budget or autoscaler) that appears more than once (same API group, kind, namespace and name), as when several builds are piped into one run; once, on the last copy",
    advice: "check separate builds separately; applied together, the last copy wins",
    why: "Two copies of one object usually mean several builds were concatenated: applied together only the last copy counts, and findings about the others may not be about what is deployed.",
    example: "# two builds piped into one run\nfor o in overlays/*; do kubectl kustomize $o; done | rwo-guard check -",
    check: Some(check),
};

fn check(facts: &Facts<'_>, out: &mut Analysis) {
    for copies in &facts.copies {
        let Some(&last) = copies.last() else { continue };
        let o = &facts.objects[last];
        let places: Vec<String> = copies.iter().map(|&i| facts.place(&facts.objects[i])).collect();
        out.push(
            &DUPLICATE_OBJECT,
            o.id,
            Severity::Info,
            format!(
                "{}: appears {} times in the input, at {}; applied together, the last one wins, and a copy is not counted as another workload. Separate builds are best checked one run each",
                o.display(),
                copies.len(),
                places.join(", ")
            ),
            None,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::rules::testing::{findings, workload, CLAIMS};
    use crate::rules::SHARED_CLAIM;

    #[test]
    fn copies_are_said_once_and_never_share_a_claim_with_themselves() {
        let one = workload("apps/v1", "Deployment", "web", "data", "  strategy: {type: Recreate}\n");
        let yaml = format!("{CLAIMS}{one}{one}{one}");
        let f = findings(&DUPLICATE_OBJECT, &yaml, Config::default());
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message
                .starts_with("Deployment web: appears 3 times in the input, at document 3 line 11, document 4 line 20, document 5 line 29;"),
            "{}",
            f[0].message
        );
        assert!(findings(&SHARED_CLAIM, &yaml, Config::default()).is_empty());
        let other = workload("apps/v1", "Deployment", "api", "data", "  strategy: {type: Recreate}\n");
        let two = findings(&SHARED_CLAIM, &format!("{CLAIMS}{one}{other}{one}"), Config::default());
        assert_eq!(two.len(), 2, "{two:?}");
    }
}
