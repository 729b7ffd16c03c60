//! Rollout-strategy rules: when a strategy is safe on an exclusive volume, and what it becomes.
//!
//! This is the one place that knows what rollout strategies mean. A kind's strategy is
//! described by a [`Layout`] (in `kinds.rs`): where it is (`spec.strategy`,
//! `spec.updateStrategy`), what its `type` values mean, where `maxSurge`/`maxUnavailable` sit
//! and their defaults. From that: the verdict on the current strategy, the semantic plan that
//! makes it safe (set this field, remove that one), and the API validation the result must pass
//! (never `Recreate` beside a `rollingUpdate` mapping; never `maxSurge` and `maxUnavailable`
//! both zero). `rewrite.rs` turns the plan into text and `verify.rs` checks the text says
//! exactly this.

use crate::kinds::{Layout, Types};
use crate::model::{Node, NodeKind};

impl Layout {
    /// The surge parameters' mapping in a strategy value (the strategy itself when they sit
    /// directly in it).
    fn params_of<'v>(&self, strategy: &'v Val) -> Option<&'v Val> {
        match self.params {
            Some(k) => strategy.get(k),
            None => Some(strategy),
        }
    }

    /// The path of a surge parameter inside the strategy.
    fn param(&self, name: &'static str) -> Vec<&'static str> {
        self.params.into_iter().chain([name]).collect()
    }
}

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

/// The default of a surge parameter as a value (`25%`, `0`).
fn default_val(text: &'static str) -> Val {
    scalar_val(text, true)
}

/// Classifies the current strategy (`None` when the strategy key is absent).
pub fn classify(strategy: Option<&Val>, l: &Layout) -> Verdict {
    let strategy = match strategy {
        None | Some(Val::Null) => {
            return match l.types {
                _ if is_zero(Some(&default_val(l.default_surge))) => Verdict::NoSurge,
                Types::RecreateOrRolling { rolling, .. } => Verdict::Surges(format!(
                    "has no {}, so it rolls out with the default {rolling} (maxSurge {})",
                    l.key, l.default_surge
                )),
                Types::PodReplacement { .. } => {
                    Verdict::Surges(format!("has no {}, so it rolls out with maxSurge {}", l.key, l.default_surge))
                }
            }
        }
        Some(s @ Val::Map(_)) => s,
        Some(other) => return Verdict::Unknown(format!("{} is `{}`, not a mapping", l.path(&[]), other.display())),
    };
    let ty = match strategy.get("type") {
        None | Some(Val::Null) => None,
        Some(Val::Str(t)) => Some(t.as_str()),
        Some(other) => return Verdict::Unknown(format!("{} is `{}`", l.path(&["type"]), other.display())),
    };
    let api_rejects = l.rejects_unknown_type.map_or(String::new(), |k| format!(" (the API rejects it for {k})"));
    // How the verdict's text goes on: "rolls out with RollingUpdate and maxSurge 1".
    let (rolls, and, zeros) = match (l.types, ty) {
        (Types::RecreateOrRolling { recreate, rolling }, t) => match t {
            Some(t) if t == recreate => return Verdict::Recreate,
            Some(t) if t != rolling => {
                return Verdict::Unknown(format!("type `{t}` is neither {recreate} nor {rolling}{api_rejects}"));
            }
            _ => (format!("rolls out with {rolling}"), " and ", ", "),
        },
        (Types::PodReplacement { known }, Some(t)) if !known.contains(&t) => {
            return Verdict::Unknown(format!("type `{t}` is not one of {}{api_rejects}", known.join(", ")));
        }
        (Types::PodReplacement { .. }, _) => ("rolls out with".to_string(), " ", " "),
    };
    let params = l.params_of(strategy);
    let surge = params.and_then(|p| p.get("maxSurge")).filter(|v| **v != Val::Null);
    let unavailable = params.and_then(|p| p.get("maxUnavailable")).filter(|v| **v != Val::Null);
    let surge_now = surge.cloned().unwrap_or_else(|| default_val(l.default_surge));
    let unavailable_now = unavailable.cloned().unwrap_or_else(|| default_val(l.default_unavailable));
    if is_zero(Some(&surge_now)) && !is_zero(Some(&unavailable_now)) {
        return Verdict::NoSurge;
    }
    match surge {
        None => Verdict::Surges(format!("{rolls}{and}the default maxSurge {}", l.default_surge)),
        Some(s) if is_zero(Some(s)) => {
            Verdict::Surges(format!("{rolls}{zeros}maxSurge 0 and maxUnavailable 0 (which the API rejects)"))
        }
        Some(s) => Verdict::Surges(format!("{rolls}{and}maxSurge {}", s.display())),
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

/// One semantic change to the strategy. Paths are relative to the strategy mapping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// The strategy is absent: add it with this value.
    Insert(Val),
    /// The strategy is not a plain mapping: replace its value.
    Replace(Val),
    /// Set the value at a path (one or two keys), adding the key if absent.
    Set(Vec<&'static str>, Val),
    /// Remove a top-level key of the strategy.
    Remove(&'static str),
}

impl Op {
    /// The field path in the object.
    pub fn path(&self, l: &Layout) -> String {
        match self {
            Op::Insert(_) | Op::Replace(_) => l.path(&[]),
            Op::Set(p, _) => l.path(p),
            Op::Remove(k) => l.path(&[k]),
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
fn fresh(fix: Fix, l: &Layout) -> Val {
    match (fix, l.types, l.params) {
        (Fix::Recreate { null_params }, Types::RecreateOrRolling { recreate, .. }, params) => {
            let mut m = vec![(Val::word("type"), Val::word(recreate))];
            if let (true, Some(p)) = (null_params, params) {
                m.push((Val::word(p), Val::Null));
            }
            Val::Map(m)
        }
        (_, Types::RecreateOrRolling { rolling, .. }, Some(p)) => {
            Val::Map(vec![(Val::word("type"), Val::word(rolling)), (Val::word(p), no_surge_params(None, l))])
        }
        (_, _, Some(p)) => Val::Map(vec![(Val::word(p), no_surge_params(None, l))]),
        (_, _, None) => no_surge_params(None, l),
    }
}

/// `maxSurge: 0` and a `maxUnavailable` that lets the rollout move: `unavailable` when it is a
/// non-zero value, else the layout's choice (or nothing, keeping the default).
fn no_surge_params(unavailable: Option<&Val>, l: &Layout) -> Val {
    let keep = unavailable.filter(|u| !is_zero(Some(u)) && !matches!(u, Val::Null)).cloned();
    let mut m = vec![(Val::word("maxSurge"), Val::Int(0))];
    if let Some(u) = keep.or_else(|| unavailable_fix(unavailable, l)) {
        m.push((Val::word("maxUnavailable"), u));
    }
    Val::Map(m)
}

/// The `maxUnavailable` to write when the current one (`None`: absent) would stall a rollout
/// without surge, or when the layout writes one out.
fn unavailable_fix(current: Option<&Val>, l: &Layout) -> Option<Val> {
    match current {
        None => l.unavailable_when_absent.map(Val::Int),
        Some(u) if is_zero(Some(u)) || *u == Val::Null => Some(Val::Int(1)),
        Some(_) => None,
    }
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

/// The semantic edits that turn `strategy` into a safe one with `fix` (a layout without a
/// recreate type always gets [`Fix::NoSurge`]).
pub fn plan(strategy: Option<&Node>, fix: Fix, l: &Layout) -> Vec<Op> {
    let fix = if l.recreate().is_none() { Fix::NoSurge } else { fix };
    let Some(node) = strategy else { return vec![Op::Insert(fresh(fix, l))] };
    if !editable_map(node) {
        return vec![Op::Replace(fresh(fix, l))];
    }
    let current = val(node);
    let mut ops = Vec::new();
    let ty = current.get("type");
    match (fix, l.types) {
        (Fix::Recreate { null_params }, Types::RecreateOrRolling { recreate, .. }) => {
            if !matches!(ty, Some(Val::Str(t)) if t == recreate) {
                ops.push(Op::Set(vec!["type"], Val::word(recreate)));
            }
            if let Some(p) = l.params {
                match (current.get(p), null_params) {
                    (Some(Val::Null), true) => {}
                    (_, true) => ops.push(Op::Set(vec![p], Val::Null)),
                    (Some(_), false) => ops.push(Op::Remove(p)),
                    (None, false) => {}
                }
            }
        }
        _ => {
            if let Types::RecreateOrRolling { rolling, .. } = l.types {
                if !matches!(ty, Some(Val::Str(t)) if t == rolling) {
                    ops.push(Op::Set(vec!["type"], Val::word(rolling)));
                }
            }
            let params_node = match l.params {
                Some(p) => node.get(p),
                None => Some(node),
            };
            let params = l.params_of(&current);
            let unavailable = params.and_then(|p| p.get("maxUnavailable"));
            if params_node.is_some_and(editable_map) {
                if params.and_then(|p| p.get("maxSurge")) != Some(&Val::Int(0)) {
                    ops.push(Op::Set(l.param("maxSurge"), Val::Int(0)));
                }
                if let Some(u) = unavailable_fix(unavailable, l) {
                    ops.push(Op::Set(l.param("maxUnavailable"), u));
                }
            } else if let Some(p) = l.params {
                ops.push(Op::Set(vec![p], no_surge_params(unavailable, l)));
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
pub fn validate(strategy: Option<&Val>, l: &Layout) -> Result<(), String> {
    let Some(s @ Val::Map(_)) = strategy else { return Ok(()) };
    let ty = s.get("type");
    if let (Some(recreate), Some(p)) = (l.recreate(), l.params) {
        let params = s.get(p).filter(|v| **v != Val::Null);
        if matches!(ty, Some(Val::Str(t)) if t == recreate) && params.is_some() {
            return Err(format!("{p} may not be set when type is {recreate}"));
        }
    }
    if let Some(p) = l.params_of(s).filter(|v| **v != Val::Null) {
        let surge = p.get("maxSurge").cloned().unwrap_or_else(|| default_val(l.default_surge));
        let unavailable = p.get("maxUnavailable").cloned().unwrap_or_else(|| default_val(l.default_unavailable));
        if is_zero(Some(&surge)) && is_zero(Some(&unavailable)) {
            return Err("maxSurge and maxUnavailable may not both be 0".into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::{CLONESET, DEPLOYMENT};
    use crate::read::{read, Limits};

    fn strategy_of(yaml: &str) -> Option<Node> {
        let text = format!("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: a}}\nspec:\n{yaml}  template: {{spec: {{volumes: [{{persistentVolumeClaim: {{claimName: d}}}}]}}}}\n");
        let b = read(&text, Limits::default()).expect("valid");
        b.objects[0].rollout("strategy").map(|c| c.node.clone())
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
    fn cloneset_plans_only_touch_surge_parameters() {
        let cs = |yaml: &str| {
            let text = format!("apiVersion: apps.kruise.io/v1alpha1\nkind: CloneSet\nmetadata: {{name: a}}\nspec:\n  updateStrategy: {yaml}\n  template: {{spec: {{volumes: [{{persistentVolumeClaim: {{claimName: d}}}}]}}}}\n");
            let b = read(&text, Limits::default()).expect("valid");
            b.objects[0].rollout("updateStrategy").map(|c| c.node.clone())
        };
        let s = cs("{type: InPlaceIfPossible, maxSurge: 2, maxUnavailable: 0}");
        assert!(matches!(classify(s.as_ref().map(val).as_ref(), &CLONESET), Verdict::Surges(_)));
        let ops = plan(s.as_ref(), Fix::Recreate { null_params: false }, &CLONESET);
        assert_eq!(ops, vec![Op::Set(vec!["maxSurge"], Val::Int(0)), Op::Set(vec!["maxUnavailable"], Val::Int(1))]);
        let after = apply(s.as_ref().map(val), &ops);
        assert_eq!(after.as_ref().and_then(|a| a.get("type")), Some(&Val::word("InPlaceIfPossible")));
        assert!(validate(after.as_ref(), &CLONESET).is_ok());
        assert_eq!(classify(after.as_ref(), &CLONESET), Verdict::NoSurge);
        // The default maxUnavailable (20%) lets a rollout without surge move: not added.
        let s = cs("{maxSurge: 25%}");
        assert_eq!(plan(s.as_ref(), Fix::NoSurge, &CLONESET), vec![Op::Set(vec!["maxSurge"], Val::Int(0))]);
        assert_eq!(classify(None, &CLONESET), Verdict::NoSurge);
        assert!(validate(Some(&Val::Map(vec![(Val::word("maxUnavailable"), Val::Int(0))])), &CLONESET).is_err());
    }

    #[test]
    fn validation_rejects_what_the_api_rejects() {
        let bad =
            Val::Map(vec![(Val::word("type"), Val::word("Recreate")), (Val::word("rollingUpdate"), Val::Map(vec![]))]);
        assert!(validate(Some(&bad), &DEPLOYMENT).is_err());
    }
}
