//! Rollout-strategy rules: when a strategy is safe on an exclusive volume, and what it becomes.
//!
//! This is the one place that knows the Kubernetes strategy API: `Recreate` vs `RollingUpdate`
//! (`Rolling` for OpenShift DeploymentConfig), `maxSurge`/`maxUnavailable` and their defaults,
//! and the validation rules the result must pass (never `Recreate` beside a `rollingUpdate`
//! mapping; never `maxSurge` and `maxUnavailable` both zero). The plan is semantic (set this
//! field, remove that one); `rewrite.rs` turns it into text and `verify.rs` checks the text says
//! exactly this.

use crate::model::{Node, NodeKind};

/// The names one workload API uses for its strategy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dialect {
    /// The rolling type's name (the default when `type` is absent).
    pub rolling: &'static str,
    /// The recreate type's name.
    pub recreate: &'static str,
    /// The key holding the rolling parameters.
    pub params: &'static str,
}

/// `apps/v1` Deployment (and its beta versions).
pub const DEPLOYMENT: Dialect = Dialect { rolling: "RollingUpdate", recreate: "Recreate", params: "rollingUpdate" };

/// `apps.openshift.io/v1` DeploymentConfig.
pub const DEPLOYMENT_CONFIG: Dialect = Dialect { rolling: "Rolling", recreate: "Recreate", params: "rollingParams" };

/// A semantic YAML value: what a node means, without its spelling or position.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Val {
    /// `null`, `~`, or nothing.
    Null,
    /// A plain integer.
    Int(i64),
    /// Any other scalar: a plain one that is not null or an integer, or any quoted one
    /// (`"Recreate"` and `Recreate` are the same string).
    Str(String),
    /// A mapping; compared without regard to key order.
    Map(Vec<(Val, Val)>),
    /// A sequence.
    Seq(Vec<Val>),
    /// An alias (never expanded).
    Alias,
}

impl Val {
    /// A plain string scalar.
    pub fn word(s: &str) -> Val {
        Val::Str(s.to_string())
    }

    /// The mapping's value under `key`.
    pub fn get(&self, key: &str) -> Option<&Val> {
        match self {
            Val::Map(entries) => entries.iter().find(|(k, _)| k.is_key(key)).map(|(_, v)| v),
            _ => None,
        }
    }

    fn is_key(&self, key: &str) -> bool {
        matches!(self, Val::Str(k) if k == key)
    }

    /// Sorts every mapping by key so that comparison ignores order.
    #[must_use]
    pub fn normalized(mut self) -> Val {
        let mut stack: Vec<&mut Val> = vec![&mut self];
        while let Some(v) = stack.pop() {
            match v {
                Val::Map(entries) => {
                    entries.sort();
                    for (_, e) in entries.iter_mut() {
                        stack.push(e);
                    }
                }
                Val::Seq(items) => stack.extend(items.iter_mut()),
                _ => {}
            }
        }
        self
    }

    /// Short text for results: scalars as written, collections in flow style.
    pub fn display(&self) -> String {
        match self {
            Val::Null => "null".into(),
            Val::Int(i) => i.to_string(),
            Val::Str(s) => s.clone(),
            Val::Alias => "*alias".into(),
            Val::Seq(items) => {
                format!("[{}]", items.iter().map(Val::display).collect::<Vec<_>>().join(", "))
            }
            Val::Map(entries) => format!(
                "{{{}}}",
                entries.iter().map(|(k, v)| format!("{}: {}", k.display(), v.display())).collect::<Vec<_>>().join(", ")
            ),
        }
    }
}

/// JSON for a value (`Alias` as null: it never reaches output, the planner replaces it).
impl serde::Serialize for Val {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap as _, SerializeSeq as _};
        match self {
            Val::Null | Val::Alias => s.serialize_unit(),
            Val::Int(i) => s.serialize_i64(*i),
            Val::Str(v) => s.serialize_str(v),
            Val::Seq(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for i in items {
                    seq.serialize_element(i)?;
                }
                seq.end()
            }
            Val::Map(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(&k.display(), v)?;
                }
                map.end()
            }
        }
    }
}

/// What a node means (iteratively; the strategy subtree is small but may be hostile).
pub fn val(node: &Node) -> Val {
    enum Work<'a> {
        Visit(&'a Node),
        Map(usize),
        Seq(usize),
    }
    let mut work = vec![Work::Visit(node)];
    let mut done: Vec<Val> = Vec::new();
    while let Some(w) = work.pop() {
        match w {
            Work::Visit(n) => match &n.kind {
                NodeKind::Alias => done.push(Val::Alias),
                NodeKind::Scalar { value, style } => done.push(scalar_val(value, style.is_plain())),
                NodeKind::Map { entries, .. } => {
                    work.push(Work::Map(entries.len()));
                    for e in entries.iter().rev() {
                        work.push(Work::Visit(&e.value));
                        work.push(Work::Visit(&e.key));
                    }
                }
                NodeKind::Seq { items, .. } => {
                    work.push(Work::Seq(items.len()));
                    for i in items.iter().rev() {
                        work.push(Work::Visit(i));
                    }
                }
            },
            Work::Map(n) => {
                let flat = done.split_off(done.len() - 2 * n);
                let mut entries = Vec::with_capacity(n);
                let mut it = flat.into_iter();
                while let (Some(k), Some(v)) = (it.next(), it.next()) {
                    entries.push((k, v));
                }
                done.push(Val::Map(entries));
            }
            Work::Seq(n) => {
                let items = done.split_off(done.len() - n);
                done.push(Val::Seq(items));
            }
        }
    }
    done.pop().unwrap_or(Val::Null)
}

/// The meaning of a scalar: plain `null`/`~`/empty is null, plain decimal is an integer.
pub fn scalar_val(value: &str, plain: bool) -> Val {
    if plain {
        if matches!(value, "" | "~" | "null" | "Null" | "NULL") {
            return Val::Null;
        }
        if let Ok(i) = value.parse::<i64>() {
            return Val::Int(i);
        }
    }
    Val::Str(value.to_string())
}

/// An int-or-percent (`maxSurge`, `maxUnavailable`) that is zero: `0`, `"0%"`, `0%`.
fn is_zero(v: Option<&Val>) -> bool {
    match v {
        Some(Val::Int(0)) => true,
        Some(Val::Str(s)) => s.strip_suffix('%').is_some_and(|n| n.trim().parse::<f64>().is_ok_and(|x| x == 0.0)),
        _ => false,
    }
}

/// How a strategy stands on an exclusive volume.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Old pods go before new ones start: `Recreate`.
    Recreate,
    /// Rolling, but never a pod more than `replicas`: `maxSurge: 0`, `maxUnavailable` > 0.
    NoSurge,
    /// A new pod can start beside the old one; the text says why.
    Surges(String),
    /// A type rwo-guard does not handle (`Custom`, a typo…); the text says which.
    Unknown(String),
}

/// Classifies the current strategy (`None` when `spec.strategy` is absent).
pub fn classify(strategy: Option<&Val>, d: &Dialect) -> Verdict {
    let strategy = match strategy {
        None | Some(Val::Null) => {
            return Verdict::Surges(format!(
                "has no strategy, so it rolls out with the default {} (maxSurge 25%)",
                d.rolling
            ))
        }
        Some(s @ Val::Map(_)) => s,
        Some(other) => return Verdict::Unknown(format!("spec.strategy is `{}`, not a mapping", other.display())),
    };
    let ty = match strategy.get("type") {
        None | Some(Val::Null) => d.rolling.to_string(),
        Some(Val::Str(t)) => t.clone(),
        Some(other) => return Verdict::Unknown(format!("spec.strategy.type is `{}`", other.display())),
    };
    if ty == d.recreate {
        return Verdict::Recreate;
    }
    if ty != d.rolling {
        return Verdict::Unknown(format!(
            "type `{ty}` is neither {} nor {}{}",
            d.recreate,
            d.rolling,
            if *d == DEPLOYMENT { " (the API rejects it for a Deployment)" } else { "" }
        ));
    }
    let params = strategy.get(d.params);
    let surge = params.and_then(|p| p.get("maxSurge"));
    let unavailable = params.and_then(|p| p.get("maxUnavailable"));
    if is_zero(surge) && !is_zero(unavailable) {
        return Verdict::NoSurge;
    }
    match surge {
        None | Some(Val::Null) => Verdict::Surges(format!("rolls out with {ty} and the default maxSurge 25%")),
        Some(s) if is_zero(Some(s)) => {
            Verdict::Surges(format!("rolls out with {ty}, maxSurge 0 and maxUnavailable 0 (which the API rejects)"))
        }
        Some(s) => Verdict::Surges(format!("rolls out with {ty} and maxSurge {}", s.display())),
    }
}

/// An Argo Rollout's `canary` strategy that never surges (`maxSurge: 0`, `maxUnavailable` > 0).
pub fn canary_without_surge(strategy: &Val) -> bool {
    strategy.get("canary").is_some_and(|c| {
        is_zero(c.get("maxSurge")) && !is_zero(c.get("maxUnavailable")) && c.get("maxUnavailable").is_some()
    })
}

/// The fix to apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fix {
    /// `type: Recreate`, no rolling parameters.
    Recreate {
        /// Write `rollingUpdate: null` instead of removing the key.
        null_params: bool,
    },
    /// Rolling with `maxSurge: 0`.
    NoSurge,
}

/// One semantic change to `spec.strategy`. Paths are relative to the strategy mapping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// `spec.strategy` is absent: add it with this value.
    Insert(Val),
    /// `spec.strategy` is not a plain mapping: replace its value.
    Replace(Val),
    /// Set the value at a path (one or two keys), adding the key if absent.
    Set(Vec<&'static str>, Val),
    /// Remove a top-level key of the strategy.
    Remove(&'static str),
}

impl Op {
    /// The field path in the object.
    pub fn path(&self) -> String {
        match self {
            Op::Insert(_) | Op::Replace(_) => "spec.strategy".into(),
            Op::Set(p, _) => format!("spec.strategy.{}", p.join(".")),
            Op::Remove(k) => format!("spec.strategy.{k}"),
        }
    }

    /// The value the op writes (`None` for a removal).
    pub fn proposed(&self) -> Option<&Val> {
        match self {
            Op::Insert(v) | Op::Replace(v) | Op::Set(_, v) => Some(v),
            Op::Remove(_) => None,
        }
    }
}

/// The value of a fresh strategy for `fix`.
fn fresh(fix: Fix, d: &Dialect) -> Val {
    match fix {
        Fix::Recreate { null_params } => {
            let mut m = vec![(Val::word("type"), Val::word(d.recreate))];
            if null_params {
                m.push((Val::word(d.params), Val::Null));
            }
            Val::Map(m)
        }
        Fix::NoSurge => {
            Val::Map(vec![(Val::word("type"), Val::word(d.rolling)), (Val::word(d.params), no_surge_params(None))])
        }
    }
}

fn no_surge_params(unavailable: Option<&Val>) -> Val {
    let keep = unavailable.filter(|u| !is_zero(Some(u)) && !matches!(u, Val::Null)).cloned();
    Val::Map(vec![(Val::word("maxSurge"), Val::Int(0)), (Val::word("maxUnavailable"), keep.unwrap_or(Val::Int(1)))])
}

/// Whether any node of the subtree defines an anchor (aliases elsewhere may share it, so it is
/// never edited).
pub fn has_anchor(node: &Node) -> bool {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if n.anchored {
            return true;
        }
        match &n.kind {
            NodeKind::Map { entries, .. } => {
                for e in entries {
                    stack.push(&e.key);
                    stack.push(&e.value);
                }
            }
            NodeKind::Seq { items, .. } => stack.extend(items.iter()),
            _ => {}
        }
    }
    false
}

/// Whether a node can be edited key by key: a mapping without anchor, tag, merge key or
/// non-scalar key. Anything else is replaced whole.
pub fn editable_map(node: &Node) -> bool {
    match &node.kind {
        NodeKind::Map { entries, .. } => {
            !node.anchored
                && !node.tagged
                && !entries.is_empty()
                && entries.iter().all(|e| {
                    matches!(&e.key.kind, NodeKind::Scalar { value, .. } if value != "<<")
                        && !e.key.anchored
                        && !e.key.tagged
                })
        }
        _ => false,
    }
}

/// The semantic edits that turn `strategy` into a safe one with `fix`.
pub fn plan(strategy: Option<&Node>, fix: Fix, d: &Dialect) -> Vec<Op> {
    let Some(node) = strategy else { return vec![Op::Insert(fresh(fix, d))] };
    if !editable_map(node) {
        return vec![Op::Replace(fresh(fix, d))];
    }
    let current = val(node);
    let mut ops = Vec::new();
    let ty = current.get("type");
    let params = current.get(d.params);
    match fix {
        Fix::Recreate { null_params } => {
            if !matches!(ty, Some(Val::Str(t)) if t == d.recreate) {
                ops.push(Op::Set(vec!["type"], Val::word(d.recreate)));
            }
            match (params, null_params) {
                (Some(Val::Null), true) => {}
                (_, true) => ops.push(Op::Set(vec![d.params], Val::Null)),
                (Some(_), false) => ops.push(Op::Remove(d.params)),
                (None, false) => {}
            }
        }
        Fix::NoSurge => {
            if !matches!(ty, Some(Val::Str(t)) if t == d.rolling) {
                ops.push(Op::Set(vec!["type"], Val::word(d.rolling)));
            }
            let params_node = node.get(d.params);
            if params_node.is_some_and(editable_map) {
                let surge = params.and_then(|p| p.get("maxSurge"));
                let unavailable = params.and_then(|p| p.get("maxUnavailable"));
                if surge != Some(&Val::Int(0)) {
                    ops.push(Op::Set(vec![d.params, "maxSurge"], Val::Int(0)));
                }
                if unavailable.is_none_or(|u| is_zero(Some(u)) || *u == Val::Null) {
                    ops.push(Op::Set(vec![d.params, "maxUnavailable"], Val::Int(1)));
                }
            } else {
                ops.push(Op::Set(vec![d.params], no_surge_params(params.and_then(|p| p.get("maxUnavailable")))));
            }
        }
    }
    ops
}

/// The strategy value after `ops` (what the verifier expects to read back).
pub fn apply(current: Option<Val>, ops: &[Op]) -> Option<Val> {
    let mut value = current;
    for op in ops {
        match op {
            Op::Insert(v) | Op::Replace(v) => value = Some(v.clone()),
            Op::Remove(k) => {
                if let Some(Val::Map(entries)) = &mut value {
                    entries.retain(|(key, _)| !key.is_key(k));
                }
            }
            Op::Set(path, v) => {
                let Some(root) = &mut value else { continue };
                set_path(root, path, v.clone());
            }
        }
    }
    value
}

fn set_path(root: &mut Val, path: &[&str], v: Val) {
    let Some((first, rest)) = path.split_first() else { return };
    let Val::Map(entries) = root else { return };
    let slot = match entries.iter().position(|(k, _)| k.is_key(first)) {
        Some(i) => &mut entries[i].1,
        None => {
            entries.push((Val::word(first), Val::Map(Vec::new())));
            let last = entries.len() - 1;
            &mut entries[last].1
        }
    };
    if rest.is_empty() {
        *slot = v;
    } else {
        if !matches!(slot, Val::Map(_)) {
            *slot = Val::Map(Vec::new());
        }
        set_path(slot, rest, v);
    }
}

/// Checks a strategy against the API's validation rules; `Err` says which rule it breaks.
pub fn validate(strategy: Option<&Val>, d: &Dialect) -> Result<(), String> {
    let Some(Val::Map(_)) = strategy else { return Ok(()) };
    let Some(s) = strategy else { return Ok(()) };
    let ty = s.get("type");
    let params = s.get(d.params).filter(|p| **p != Val::Null);
    if matches!(ty, Some(Val::Str(t)) if t == d.recreate) && params.is_some() {
        return Err(format!("{} may not be set when type is {}", d.params, d.recreate));
    }
    if let Some(p) = params {
        if is_zero(p.get("maxSurge")) && is_zero(p.get("maxUnavailable")) {
            return Err("maxSurge and maxUnavailable may not both be 0".into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::{read, Limits};

    fn strategy_of(yaml: &str) -> Option<Node> {
        let text = format!("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: a}}\nspec:\n{yaml}  template: {{spec: {{volumes: [{{persistentVolumeClaim: {{claimName: d}}}}]}}}}\n");
        let b = read(&text, Limits::default()).expect("valid");
        b.objects[0].strategy.as_deref().cloned()
    }

    fn verdict(yaml: &str) -> Verdict {
        classify(strategy_of(yaml).as_ref().map(val).as_ref(), &DEPLOYMENT)
    }

    #[test]
    fn classifies_strategies() {
        assert!(matches!(verdict(""), Verdict::Surges(_)));
        assert_eq!(verdict("  strategy: {type: Recreate}\n"), Verdict::Recreate);
        assert!(matches!(verdict("  strategy: {type: RollingUpdate}\n"), Verdict::Surges(_)));
        assert_eq!(verdict("  strategy: {rollingUpdate: {maxSurge: 0}}\n"), Verdict::NoSurge);
        assert_eq!(verdict("  strategy: {rollingUpdate: {maxSurge: \"0%\", maxUnavailable: 1}}\n"), Verdict::NoSurge);
        assert!(matches!(
            verdict("  strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: 0}}\n"),
            Verdict::Surges(_)
        ));
        assert!(matches!(verdict("  strategy: {type: Custom}\n"), Verdict::Unknown(_)));
        assert!(matches!(verdict("  strategy:\n"), Verdict::Surges(_)));
    }

    #[test]
    fn recreate_plan_sets_type_and_drops_params() {
        let s = strategy_of("  strategy:\n    type: RollingUpdate\n    rollingUpdate: {maxSurge: 1}\n");
        let ops = plan(s.as_ref(), Fix::Recreate { null_params: false }, &DEPLOYMENT);
        assert_eq!(ops, vec![Op::Set(vec!["type"], Val::word("Recreate")), Op::Remove("rollingUpdate")]);
        let after = apply(s.as_ref().map(val), &ops);
        assert_eq!(after, Some(Val::Map(vec![(Val::word("type"), Val::word("Recreate"))])));
        assert!(validate(after.as_ref(), &DEPLOYMENT).is_ok());
    }

    #[test]
    fn rolling_plan_keeps_a_nonzero_max_unavailable() {
        let s = strategy_of("  strategy:\n    rollingUpdate:\n      maxSurge: 25%\n      maxUnavailable: 2\n");
        let ops = plan(s.as_ref(), Fix::NoSurge, &DEPLOYMENT);
        let after = apply(s.as_ref().map(val), &ops).expect("value");
        assert_eq!(classify(Some(&after), &DEPLOYMENT), Verdict::NoSurge);
        assert_eq!(after.get("rollingUpdate").and_then(|p| p.get("maxUnavailable")), Some(&Val::Int(2)));
        let s = strategy_of("  strategy:\n    rollingUpdate:\n      maxSurge: 1\n      maxUnavailable: 0\n");
        let after = apply(s.as_ref().map(val), &plan(s.as_ref(), Fix::NoSurge, &DEPLOYMENT)).expect("v");
        assert_eq!(after.get("rollingUpdate").and_then(|p| p.get("maxUnavailable")), Some(&Val::Int(1)));
        assert!(validate(Some(&after), &DEPLOYMENT).is_ok());
    }

    #[test]
    fn odd_strategies_are_replaced_whole() {
        for s in
            ["  strategy: null\n", "  strategy: {}\n", "  strategy: &s {type: RollingUpdate}\n", "  strategy: [1]\n"]
        {
            let n = strategy_of(s);
            let ops = plan(n.as_ref(), Fix::Recreate { null_params: false }, &DEPLOYMENT);
            assert!(matches!(ops.as_slice(), [Op::Replace(_)]), "{s}: {ops:?}");
        }
        let ops = plan(None, Fix::Recreate { null_params: true }, &DEPLOYMENT);
        assert_eq!(
            ops,
            vec![Op::Insert(Val::Map(vec![
                (Val::word("type"), Val::word("Recreate")),
                (Val::word("rollingUpdate"), Val::Null)
            ]))]
        );
    }

    #[test]
    fn validation_rejects_what_the_api_rejects() {
        let bad =
            Val::Map(vec![(Val::word("type"), Val::word("Recreate")), (Val::word("rollingUpdate"), Val::Map(vec![]))]);
        assert!(validate(Some(&bad), &DEPLOYMENT).is_err());
    }
}
