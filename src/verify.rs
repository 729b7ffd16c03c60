//! Verification before anything is written: re-read the output and check that it is the input
//! with exactly the planned edits. A wrong stream must be impossible, not unlikely.
//!
//! Checks: the output parses; same form, documents and objects, in the same order; every
//! document and object hashes the same as in the input once `spec.strategy` (and a
//! ResourceList's `results`) are left out; every object's strategy means exactly what the plan
//! says (unplanned objects: what it meant before), and every planned strategy passes the API's
//! validation and is safe.

use crate::analyze::ObjectPlan;
use crate::read::{read, Bundle, Limits};
use crate::strategy::{self, Val, Verdict};

/// Checks `output` against `input` and `plans`; `Err` says the first difference.
pub fn verify(input: &Bundle, output: &str, plans: &[ObjectPlan], limits: Limits) -> Result<Bundle, String> {
    let limits = Limits { max_input_bytes: usize::MAX, max_documents: usize::MAX, ..limits };
    let out = read(output, limits).map_err(|e| format!("the output does not parse: {}", e.summary("<output>")))?;
    if out.form != input.form {
        return Err("the output's form differs from the input's".into());
    }
    if out.documents.len() != input.documents.len() {
        return Err(format!("the output has {} documents, the input {}", out.documents.len(), input.documents.len()));
    }
    for (i, (a, b)) in input.documents.iter().zip(&out.documents).enumerate() {
        if a.kind != b.kind || a.fingerprint != b.fingerprint {
            return Err(format!("document {} changed beyond its planned edits", i + 1));
        }
    }
    if out.objects.len() != input.objects.len() {
        return Err(format!("the output has {} objects, the input {}", out.objects.len(), input.objects.len()));
    }
    let mut plans = plans.iter().peekable();
    for (i, (a, b)) in input.objects.iter().zip(&out.objects).enumerate() {
        if a.fingerprint != b.fingerprint {
            return Err(format!("{} ({}) changed beyond its planned edits", a.display(), a.label));
        }
        let actual = b.strategy.as_ref().map(strategy::val).map(Val::normalized);
        let expected = match plans.next_if(|p| p.object == i) {
            Some(plan) => {
                strategy::validate(plan.expected.as_ref(), &plan.dialect)
                    .map_err(|e| format!("{}: planned strategy is invalid: {e}", a.display()))?;
                match strategy::classify(plan.expected.as_ref(), &plan.dialect) {
                    Verdict::Recreate | Verdict::NoSurge => {}
                    other => return Err(format!("{}: planned strategy is not safe: {other:?}", a.display())),
                }
                plan.expected.clone()
            }
            None => a.strategy.as_ref().map(strategy::val).map(Val::normalized),
        };
        if actual != expected {
            return Err(format!(
                "{} ({}): spec.strategy reads back as {} but {} was planned",
                a.display(),
                a.label,
                actual.map_or("nothing".into(), |v| v.display()),
                expected.map_or("nothing".into(), |v| v.display())
            ));
        }
    }
    if let Some(p) = plans.next() {
        return Err(format!("a plan for object {} was not matched", p.object));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::analyze;
    use crate::config::Config;
    use crate::rewrite::{edits_for, splice};

    const INPUT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\nspec:\n  template:\n    spec:\n      volumes:\n      - persistentVolumeClaim: {claimName: d}\n---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: d}\nspec: {accessModes: [ReadWriteOnce]}\n";

    fn planned() -> (Bundle, Vec<ObjectPlan>, String) {
        let b = read(INPUT, Limits::default()).expect("valid");
        let a = analyze(&b.objects, &Config::default());
        let edits = edits_for(INPUT, &b.objects[0], &a.plans[0]).expect("edits");
        let out = splice(INPUT, &edits);
        (b, a.plans, out)
    }

    #[test]
    fn accepts_exactly_the_planned_output() {
        let (b, plans, out) = planned();
        assert!(verify(&b, &out, &plans, Limits::default()).is_ok());
    }

    #[test]
    fn rejects_any_other_change() {
        let (b, plans, out) = planned();
        for bad in [
            out.replace("claimName: d}", "claimName: e}"),
            out.replace("type: Recreate", "type: RollingUpdate"),
            out.replace("type: Recreate\n", "type: Recreate\n    rollingUpdate: {}\n"),
            out.replace("---\n", ""),
            out.replace("  template:", "template:"),
            INPUT.to_string(),
        ] {
            assert!(verify(&b, &bad, &plans, Limits::default()).is_err(), "accepted:\n{bad}");
        }
    }
}
