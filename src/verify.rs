//! Verification before anything is written: re-read the output and check that it is the input
//! with exactly the planned edits. A wrong stream must be impossible, not unlikely.
//!
//! Checks: the output parses; same form, documents and objects, in the same order; every
//! document and object hashes the same as in the input once `spec.strategy` (and a
//! ResourceList's `results`) are left out; every object's strategy means exactly what the plan
//! says (unplanned objects: what it meant before), and every planned strategy passes the API's
//! validation and is safe.

use crate::findings::ObjectPlan;
use crate::model::Object;
use crate::read::{read, read_object_with, read_with, Bundle, Limits};
use crate::rewrite::{splice, Edit};
use crate::strategy::{self, Verdict};

/// Checks each edited object on its own: its text with the edits re-read alone hashes like the
/// original and its strategy means exactly the plan. Everything outside the edited objects is
/// copied byte for byte, so this is the whole output's check at a fraction of the cost of
/// re-reading it all; [`verify`] is the whole re-read, which tests run against this one.
/// `edits[i]` are the edits of `plans[i]`. An object with an alias to an anchor outside it
/// reads right only in its whole document: those are checked by re-reading their document
/// (once for all of them). `bundle` is the input's documents, `objects` its objects (a plan's
/// object is `objects[plan.object.index]`). Runs on all cores.
pub fn verify_regions(
    input: &str,
    bundle: &Bundle,
    objects: &[Object],
    plans: &[ObjectPlan],
    edits: &[Vec<Edit>],
    limits: Limits,
) -> Result<(), String> {
    let (in_document, alone): (Vec<usize>, Vec<usize>) =
        (0..plans.len()).partition(|&i| objects[plans[i].object.index].external_aliases);
    let in_document: Vec<(&ObjectPlan, &Vec<Edit>)> = in_document.iter().map(|&i| (&plans[i], &edits[i])).collect();
    verify_in_documents(input, bundle, objects, &in_document, limits)?;
    let one = |&i: &usize| verify_region(input, &objects[plans[i].object.index], &plans[i], &edits[i], limits);
    let workers = crate::threads::workers();
    if alone.len() < 64 || workers == 1 {
        return alone.iter().try_for_each(one);
    }
    let chunk = alone.len().div_ceil(workers);
    std::thread::scope(|scope| {
        let handles: Vec<_> =
            alone.chunks(chunk).map(|part| scope.spawn(move || part.iter().try_for_each(one))).collect();
        handles.into_iter().try_for_each(|h| h.join().unwrap_or_else(|_| Err("a verification thread failed".into())))
    })
}

/// Checks planned objects by re-reading each document that holds one with all its edits.
fn verify_in_documents(
    input: &str,
    bundle: &Bundle,
    objects: &[Object],
    planned: &[(&ObjectPlan, &Vec<Edit>)],
    limits: Limits,
) -> Result<(), String> {
    let mut documents: Vec<usize> = planned.iter().map(|(p, _)| objects[p.object.index].document as usize).collect();
    documents.dedup();
    for d in documents {
        let start = bundle.documents.get(d - 1).map_or(0, |doc| doc.start);
        let end = bundle.documents.get(d).map_or(input.len(), |doc| doc.start);
        let here: Vec<&(&ObjectPlan, &Vec<Edit>)> =
            planned.iter().filter(|(p, _)| objects[p.object.index].document as usize == d).collect();
        let mut local: Vec<Edit> = Vec::new();
        for (_, edits) in &here {
            for e in *edits {
                if e.start < start || e.end > end {
                    return Err(format!("an edit falls outside document {d}"));
                }
                local.push(Edit { start: e.start - start, end: e.end - start, with: e.with.clone() });
            }
        }
        local.sort_by_key(|e| e.start);
        let text = splice(&input[start..end], &local);
        // An object planned without a claim was read with every strategy kept (a patch).
        let all_rollouts = here.iter().any(|(p, _)| objects[p.object.index].claims.is_empty());
        let whole = Limits { max_input_bytes: usize::MAX, ..limits };
        let out = if all_rollouts { read_with(&text, whole, true) } else { read(&text, whole) }
            .map_err(|e| format!("document {d}, edited, does not parse: {}", e.summary("<output>")))?;
        for (plan, _) in here {
            let before = &objects[plan.object.index];
            let after = out
                .objects
                .iter()
                .find(|o| o.item == before.item)
                .ok_or_else(|| format!("{} is missing from its edited document", before.display()))?;
            check_object(before, after, Some(plan))?;
        }
    }
    Ok(())
}

fn verify_region(
    input: &str,
    object: &Object,
    plan: &ObjectPlan,
    edits: &[Edit],
    limits: Limits,
) -> Result<(), String> {
    let start = object.span.start.offset;
    let content_end = object.span.end.offset;
    let bytes = input.as_bytes();
    let flow = bytes.get(start) == Some(&b'{');
    let line_end = if flow { content_end } else { crate::text::after_line(bytes, content_end) };
    let end = edits.iter().map(|e| e.end).max().unwrap_or(line_end).max(line_end);
    if edits.iter().any(|e| e.start < start || e.end > end) {
        return Err(format!("{}: an edit falls outside the object", object.display()));
    }
    let local: Vec<Edit> =
        edits.iter().map(|e| Edit { start: e.start - start, end: e.end - start, with: e.with.clone() }).collect();
    let text = format!("{}{}", " ".repeat(object.span.start.col), splice(&input[start..end], &local));
    // An object planned without a claim was read with every strategy kept (a patch).
    let out = read_object_with(&text, limits, object.claims.is_empty())
        .map_err(|e| format!("{}: the edited object does not parse: {}", object.display(), e.summary("<output>")))?
        .ok_or_else(|| format!("{}: the edited text is not one object", object.display()))?;
    check_object(object, &out, Some(plan))
}

/// The object as re-read against the object as read and its plan: the same fingerprint, the
/// planned strategy exactly as planned (valid and safe), every other kept strategy as it was.
fn check_object(before: &Object, after: &Object, plan: Option<&ObjectPlan>) -> Result<(), String> {
    if before.fingerprint != after.fingerprint {
        return Err(format!("{} ({}) changed beyond its planned edits", before.display(), before.label()));
    }
    let meaning = |o: &Object, key: &str| o.rollout(key).map(|c| strategy::val(&c.node).normalized());
    if let Some(plan) = plan {
        // An edit inside an anchored node would change what every alias of it means too.
        if before.anchored_spec || before.rollout(plan.layout.key).is_some_and(|c| strategy::has_anchor(&c.node)) {
            return Err(format!("{}: an edit inside a node that other nodes may alias", before.display()));
        }
        strategy::validate(plan.expected.as_ref(), plan.layout)
            .map_err(|e| format!("{}: planned strategy is invalid: {e}", before.display()))?;
        match strategy::classify(plan.expected.as_ref(), plan.layout) {
            Verdict::Recreate | Verdict::NoSurge => {}
            other => return Err(format!("{}: planned strategy is not safe: {other:?}", before.display())),
        }
    }
    let keys = before.rollouts.iter().chain(&after.rollouts).map(|c| c.key).chain(plan.map(|p| p.layout.key));
    for key in keys {
        let actual = meaning(after, key);
        let expected = match plan {
            Some(p) if p.layout.key == key => p.expected.clone(),
            _ => meaning(before, key),
        };
        if actual != expected {
            return Err(format!(
                "{} ({}): spec.{key} reads back as {} but {} was planned",
                before.display(),
                before.label(),
                actual.map_or("nothing".into(), |v| v.display()),
                expected.map_or("nothing".into(), |v| v.display())
            ));
        }
    }
    Ok(())
}

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
        check_object(a, b, plans.next_if(|p| p.object.index == i))?;
    }
    if let Some(p) = plans.next() {
        return Err(format!("a plan for object {} was not matched", p.object.index));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::rewrite::{edits_for, splice};
    use crate::rules::run;

    const INPUT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\nspec:\n  template:\n    spec:\n      volumes:\n      - persistentVolumeClaim: {claimName: d}\n---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: d}\nspec: {accessModes: [ReadWriteOnce]}\n";

    fn planned() -> (Bundle, Vec<ObjectPlan>, String) {
        let b = read(INPUT, Limits::default()).expect("valid");
        let a = run(&b.objects, &Config::default(), &b.namespaces);
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
