//! The bundle's PersistentVolumeClaims and how a workload's `claimName` resolves to one.
//!
//! kustomize runs `transformers:` after namePrefix/nameSuffix/namespace but fixes name
//! references only afterwards, so inside a build a PVC may already be called `pre-data-suf`
//! while the Deployment still says `data`. kustomize records each object's earlier names in
//! `internal.config.kubernetes.io/previousNames`; a claim matches a PVC of the workload's
//! namespace by its current name first, then by any earlier name, as kustomize will resolve it.

use std::collections::HashMap;

use crate::model::{Object, ScalarField};

/// What a claim's access modes allow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// ReadWriteOncePod: one pod, ever, at a time.
    OncePod,
    /// ReadWriteOnce: one node at a time.
    Once,
    /// Many nodes may mount it (ReadWriteMany / ReadOnlyMany present), or no mode is given.
    Shared,
}

impl Access {
    /// Exclusive claims are the ones a surging rollout can Multi-Attach.
    pub fn exclusive(self) -> bool {
        matches!(self, Access::OncePod | Access::Once)
    }
}

/// The access a PVC's `spec.accessModes` grant.
pub fn access_of(modes: &[&str]) -> Access {
    let has = |m: &str| modes.contains(&m);
    if has("ReadWriteMany") || has("ReadOnlyMany") {
        Access::Shared
    } else if has("ReadWriteOncePod") {
        Access::OncePod
    } else if has("ReadWriteOnce") {
        Access::Once
    } else {
        Access::Shared
    }
}

/// A claim resolved to a PVC of the bundle.
#[derive(Clone, Copy, Debug)]
pub struct Resolved<'a> {
    /// The PVC object.
    pub pvc: &'a Object,
    /// Its access.
    pub access: Access,
}

/// Index of the bundle's objects of one kind by namespace and every name they had (keys
/// borrowed from the objects).
#[derive(Debug, Default)]
pub struct NameIndex<'a> {
    current: HashMap<(&'a str, &'a str), Vec<usize>>,
    previous: HashMap<(&'a str, &'a str), Vec<usize>>,
}

impl<'a> NameIndex<'a> {
    /// Indexes the objects for which `keep` holds, by the namespace `ns` says each is in.
    pub fn new(
        objects: &'a [Object],
        keep: impl Fn(&Object) -> bool,
        ns: impl Fn(&'a Object) -> &'a str,
    ) -> NameIndex<'a> {
        let mut index = NameIndex::default();
        for (i, o) in objects.iter().enumerate() {
            if !keep(o) {
                continue;
            }
            let Some(name) = o.name.as_deref() else { continue };
            let ns = ns(o);
            index.current.entry((ns, name)).or_default().push(i);
            let previous: Vec<&str> = o.list(ScalarField::PreviousNames).collect();
            for (k, &p) in previous.iter().enumerate() {
                if p != name && !previous[..k].contains(&p) {
                    index.previous.entry((ns, p)).or_default().push(i);
                }
            }
        }
        index
    }

    /// The namespaces holding an object called `name` (any name it had).
    fn namespaces_of<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'a str> + 's {
        self.current.keys().chain(self.previous.keys()).filter(move |(_, n)| *n == name).map(|(ns, _)| *ns)
    }

    /// The objects `name` in `ns` refers to: by current name, else by an earlier name.
    pub fn lookup<'s>(&'s self, ns: &'s str, name: &'s str) -> &'s [usize] {
        if let Some(hits) = self.current.get(&(ns, name)) {
            return hits;
        }
        self.previous.get(&(ns, name)).map_or(&[], Vec::as_slice)
    }
}

/// The bundle's claims.
#[derive(Debug)]
pub struct Claims<'a> {
    objects: &'a [Object],
    index: NameIndex<'a>,
}

impl<'a> Claims<'a> {
    /// Indexes every claim of `objects`, those without a namespace in `default_ns`.
    pub fn new(objects: &'a [Object], default_ns: &'a str) -> Claims<'a> {
        let index = NameIndex::new(objects, |o| o.claim().is_some(), |o| o.ns_or(default_ns));
        Claims { objects, index }
    }

    /// The namespaces other than `ns` that hold a claim called `claim` (any name it had).
    pub fn namespaces_of(&self, ns: &str, claim: &str) -> Vec<&'a str> {
        let mut found: Vec<&str> = self.index.namespaces_of(claim).filter(|n| *n != ns).collect();
        found.sort_unstable();
        found.dedup();
        found
    }

    /// The PVC that `claim` in namespace `ns` refers to.
    pub fn resolve(&self, ns: &str, claim: &str) -> Option<Resolved<'a>> {
        let &i = self.index.lookup(ns, claim).first()?;
        let pvc = &self.objects[i];
        let modes: Vec<&str> = pvc.values(ScalarField::AccessMode).map(|m| m.value.as_str()).collect();
        let access = access_of(&modes);
        Some(Resolved { pvc, access })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Scalar;

    fn pvc(name: &str, ns: &str, modes: &[&str], previous: &[&str]) -> Object {
        let scalar = |v: &str| Scalar { value: v.to_string(), plain: true, pos: crate::yaml::Pos::default() };
        let mut values: Vec<(ScalarField, Scalar)> =
            modes.iter().map(|m| (ScalarField::AccessMode, scalar(m))).collect();
        if !previous.is_empty() {
            values.push((ScalarField::PreviousNames, scalar(&previous.join(","))));
        }
        Object {
            api_version: Some("v1".into()),
            kind: Some("PersistentVolumeClaim".into()),
            name: Some(name.into()),
            namespace: Some(ns.into()),
            values,
            ..Object::default()
        }
    }

    #[test]
    fn exclusive_only_without_many_modes() {
        let s = |m: &[&str]| access_of(m);
        assert_eq!(s(&["ReadWriteOnce"]), Access::Once);
        assert_eq!(s(&["ReadWriteOncePod"]), Access::OncePod);
        assert_eq!(s(&["ReadWriteOnce", "ReadOnlyMany"]), Access::Shared);
        assert_eq!(s(&["ReadWriteMany"]), Access::Shared);
        assert_eq!(s(&[]), Access::Shared);
    }

    #[test]
    fn resolves_by_current_then_previous_name_in_the_namespace() {
        let objects = vec![
            pvc("pre-data-suf", "prod", &["ReadWriteOnce"], &["data", "data", "pre-data"]),
            pvc("data", "other", &["ReadWriteMany"], &[]),
        ];
        let claims = Claims::new(&objects, "");
        assert_eq!(claims.resolve("prod", "data").map(|r| r.access), Some(Access::Once));
        assert_eq!(claims.resolve("prod", "pre-data-suf").map(|r| r.access), Some(Access::Once));
        assert_eq!(claims.resolve("other", "data").map(|r| r.access), Some(Access::Shared));
        assert!(claims.resolve("dev", "data").is_none());
    }
}
