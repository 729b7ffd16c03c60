//! `job-overlap`: pods of a Job or CronJob that can run at once on an exclusive claim: a Job's
//! `parallelism` above one; a CronJob whose runs may overlap (`concurrencyPolicy` `Allow`, the
//! default, or `Replace`, whose replaced run is still terminating) or whose runs are parallel.

use crate::facts::Facts;
use crate::facts::{int, Mount, WorkloadFacts};
use crate::findings::{Analysis, FieldChange};
use crate::kinds::{Path, Scale};
use crate::model::ScalarField;

use super::{by_access, extra_pods, Level, Rule};

/// Job or CronJob pods that overlap on an exclusive claim.
pub(crate) static JOB_OVERLAP: Rule = Rule {
    name: crate::rule_ids::JOB_OVERLAP,
    level: Level::ByAccess,
    summary: "Job or CronJob pods that can run at once mount an exclusive claim",
    triggered_by: "a Job with `parallelism` > 1; a CronJob with `concurrencyPolicy` `Allow` (the default) or `Replace`, or `jobTemplate.spec.parallelism` > 1, on an exclusive claim",
    advice: "`parallelism: 1`, `concurrencyPolicy: Forbid`",
    why: "Overlapping Job pods need the volume at the same time: on a ReadWriteOnce claim the ones on another node hang on Multi-Attach, on ReadWriteOncePod only one runs.",
    example: "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: backup}\nspec:\n  schedule: \"0 * * * *\"\n  # concurrencyPolicy defaults to Allow\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          volumes: [{name: data, persistentVolumeClaim: {claimName: db-data}}]",
    check: Some(check),
};

fn check(facts: &Facts<'_>, out: &mut Analysis) {
    for w in &facts.workloads {
        let (Some(_), Some(mount), None) = (w.mode(), w.first(), w.pinned_rwo()) else { continue };
        let o = w.object;
        let parallel = |path: Path, out: &mut Analysis| {
            if int(o.value(ScalarField::Parallelism)).unwrap_or(1) > 1 {
                push(out, w, mount, path, ScalarField::Parallelism, "parallel pods of one run", "Set parallelism: 1");
            }
        };
        match w.kind.scale {
            Scale::Job { parallelism } => parallel(parallelism, out),
            Scale::CronJob { parallelism, concurrency } => {
                match o.value(ScalarField::ConcurrencyPolicy).map_or("Allow", |p| p.value.as_str()) {
                    "Allow" => push(
                        out,
                        w,
                        mount,
                        concurrency,
                        ScalarField::ConcurrencyPolicy,
                        "runs that overlap (concurrencyPolicy Allow, the default)",
                        "Set concurrencyPolicy: Forbid",
                    ),
                    "Replace" => push(
                        out,
                        w,
                        mount,
                        concurrency,
                        ScalarField::ConcurrencyPolicy,
                        "a new run and the replaced one, still terminating (concurrencyPolicy Replace),",
                        "Set concurrencyPolicy: Forbid",
                    ),
                    _ => {}
                }
                parallel(parallelism, out);
            }
            _ => {}
        }
    }
}

fn push(
    out: &mut Analysis,
    w: &WorkloadFacts<'_>,
    m: &Mount<'_>,
    path: Path,
    fact: ScalarField,
    what: &str,
    advice: &str,
) {
    let worst = w.worst();
    out.push(
        &JOB_OVERLAP,
        w.object.id,
        by_access(worst),
        format!(
            "{}: mounts {}, and {what} can run at once; {} {advice}",
            w.object.display(),
            m.describe(),
            extra_pods(worst)
        ),
        Some(FieldChange::at(path.join("."), w.object.value(fact).map(|c| c.value.clone()))),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::rules::testing::{findings, CLAIMS};

    #[test]
    fn cronjobs_overlap_unless_forbidden() {
        let cron = |policy: &str| {
            format!("{CLAIMS}apiVersion: batch/v1\nkind: CronJob\nmetadata: {{name: c}}\nspec:\n{policy}  jobTemplate:\n    spec:\n      template:\n        spec:\n          volumes: [{{persistentVolumeClaim: {{claimName: data}}}}]\n")
        };
        assert_eq!(findings(&JOB_OVERLAP, &cron(""), Config::default()).len(), 1);
        assert_eq!(findings(&JOB_OVERLAP, &cron("  concurrencyPolicy: Replace\n"), Config::default()).len(), 1);
        assert!(findings(&JOB_OVERLAP, &cron("  concurrencyPolicy: Forbid\n"), Config::default()).is_empty());
    }
}
