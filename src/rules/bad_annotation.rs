//! `bad-annotation`: a workload on an exclusive claim has a `rwo-guard.dev/skip` that is not
//! `"true"`/`"false"`, or a `rwo-guard.dev/mode` that is not a mode; it is left untouched.

use crate::config::{Keyword as _, Mode};
use crate::facts::{Disposition, Facts};
use crate::findings::{Analysis, FieldChange, Severity};

use super::{Level, Rule};

/// An annotation with a bad value.
pub(crate) static BAD_ANNOTATION: Rule = Rule {
    name: crate::rule_ids::BAD_ANNOTATION,
    level: Level::Always(Severity::Error),
    summary: "A rwo-guard.dev annotation has a value rwo-guard does not accept",
    triggered_by: "`rwo-guard.dev/skip` not `\"true\"`/`\"false\"`, or `rwo-guard.dev/mode` not a mode",
    advice: "`rwo-guard.dev/skip: \"true\"` or `\"false\"`; `rwo-guard.dev/mode`: recreate, rolling or check",
    why: "An annotation meant to steer rwo-guard that it cannot read is a request it cannot honour; the workload is left untouched, which may leave it unsafe.",
    example: "metadata:\n  name: web\n  annotations:\n    rwo-guard.dev/skip: \"yes\"   # must be \"true\" or \"false\"",
    check: Some(check),
};

fn check(facts: &Facts<'_>, out: &mut Analysis) {
    for w in facts.workloads.iter().filter(|w| w.mounts_any()) {
        let (message, path, value) = match w.disposition {
            Disposition::BadSkip(v) => (
                format!("annotation rwo-guard.dev/skip is `{v}`; expected \"true\" or \"false\"; left untouched"),
                "metadata.annotations.rwo-guard.dev/skip",
                v,
            ),
            Disposition::BadMode(v) => (
                format!("annotation rwo-guard.dev/mode is `{v}`; expected one of {}; left untouched", Mode::accepted()),
                "metadata.annotations.rwo-guard.dev/mode",
                v,
            ),
            Disposition::Act(_) | Disposition::Skipped => continue,
        };
        out.push(
            &BAD_ANNOTATION,
            w.object.id,
            Severity::Error,
            format!("{}: {message}", w.object.display()),
            Some(FieldChange::at(path, Some(value.to_string()))),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::rules::testing::{findings, CLAIMS};

    #[test]
    fn bad_skip_and_mode_values_are_errors() {
        let annotated = |ann: &str| {
            format!("{CLAIMS}apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: w\n  annotations: {{{ann}}}\nspec:\n  template:\n    spec:\n      volumes: [{{persistentVolumeClaim: {{claimName: data}}}}]\n")
        };
        let f = findings(&BAD_ANNOTATION, &annotated("rwo-guard.dev/skip: yes"), Config::default());
        assert_eq!(
            f[0].message,
            "Deployment w: annotation rwo-guard.dev/skip is `yes`; expected \"true\" or \"false\"; left untouched"
        );
        let f = findings(&BAD_ANNOTATION, &annotated("rwo-guard.dev/mode: fast"), Config::default());
        assert!(f[0].message.contains("rwo-guard.dev/mode is `fast`; expected one of recreate, rolling, check"));
        assert!(findings(&BAD_ANNOTATION, &annotated("rwo-guard.dev/mode: rolling"), Config::default()).is_empty());
    }
}
