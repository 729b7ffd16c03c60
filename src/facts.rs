//! The facts the rules read, gathered once before any rule runs: for every workload, its kind,
//! the exclusive claims it mounts, the claims that are not in the bundle, what its annotations
//! say, and its rollout verdict; which workloads share each exclusive claim; workloads by name
//! for autoscaler targets. Nothing here decides a finding.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::claims::{Access, Claims, NameIndex};
use crate::config::{Config, ExternalClaims, Keyword, Mode};
use crate::kinds::{self, Rollout, Workload};
use crate::model::{ClaimUse, Object, Scalar, ScalarField};
use crate::strategy::{self, Verdict};

/// Everything the rules know.
pub(crate) struct Facts<'a> {
    /// The bundle's objects.
    pub objects: &'a [Object],
    /// The effective configuration.
    pub config: &'a Config,
    /// The namespace of objects without one (`""`: none is known, they share their own).
    pub default_ns: &'a str,
    /// `default_ns` is the bundle's only namespace, assumed (no `--namespace` given).
    pub assumed_ns: bool,
    /// The bundle's claims.
    pub claims: Claims<'a>,
    /// Every workload, in input order.
    pub workloads: Vec<WorkloadFacts<'a>>,
    /// Index into `workloads` by the object's position in `objects`.
    by_object: HashMap<usize, usize>,
    /// Each exclusive claim (namespace, final name) and the workloads that mount it, in input
    /// order.
    pub users: BTreeMap<(String, String), Vec<usize>>,
    /// Workloads by namespace and every name they had.
    pub workload_names: NameIndex<'a>,
    /// Objects that appear more than once (same API group, kind, namespace and name): the
    /// positions (in `objects`) of every copy, in input order. The last copy is the one applied.
    pub copies: Vec<Vec<usize>>,
    /// The positions of copies that are not the last of their object.
    superseded: HashSet<usize>,
    /// The name of each input (by `ObjectId::source`) read as a file; empty for a stream.
    pub names: &'a [&'a str],
}

/// What makes two objects the same object for the API: group, kind, namespace, name.
type Identity<'a> = (&'a str, &'a str, &'a str, &'a str);

/// One workload's facts.
pub(crate) struct WorkloadFacts<'a> {
    /// The object.
    pub object: &'a Object,
    /// Its kind.
    pub kind: &'static Workload,
    /// The exclusive claims it mounts, in volume order.
    pub mounts: Vec<Mount<'a>>,
    /// Claims whose PVC is not in the bundle (first use of each name), under
    /// `externalClaims: warn`.
    pub external: Vec<&'a ClaimUse>,
    /// Claims whose PVC is in the bundle but could not be read whole (a merge key, an alias
    /// of a list where its access modes are), and does not read as exclusive: what it really
    /// allows is unknown.
    pub unreadable_claims: Vec<(&'a ClaimUse, &'a Object)>,
    /// What its annotations say to do.
    pub disposition: Disposition<'a>,
    /// The one node its pods can run on, when something pins them there.
    pub pin: Option<Box<Pin>>,
    /// How its current rollout strategy stands, for kinds rwo-guard rewrites (judged only when
    /// it mounts an exclusive claim).
    pub verdict: Option<Verdict>,
}

/// What a workload's `rwo-guard.dev/*` annotations say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Disposition<'a> {
    /// Act in this mode.
    Act(Mode),
    /// `rwo-guard.dev/skip: "true"`.
    Skipped,
    /// `rwo-guard.dev/skip` is neither `"true"` nor `"false"`.
    BadSkip(&'a str),
    /// `rwo-guard.dev/mode` is not a mode.
    BadMode(&'a str),
}

/// The one node a workload's pods can run on, and what says so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Pin {
    /// The node.
    pub node: String,
    /// What pins them: `nodeSelector kubernetes.io/hostname`, …
    pub by: String,
}

/// An exclusive claim a workload mounts.
#[derive(Clone, Debug)]
pub(crate) struct Mount<'a> {
    /// The volume.
    pub use_: &'a ClaimUse,
    /// The claim's object, when it is in the bundle.
    pub pvc: Option<&'a Object>,
    /// The PVC's final name (after kustomize's renames) or the claim as written.
    pub claim: String,
    /// What its access modes allow.
    pub access: Access,
    /// How the access is known ("ReadWriteOnce", "not in the bundle, assumed ReadWriteOnce").
    pub access_text: String,
}

impl Mount<'_> {
    /// `claim data (volume d, ReadWriteOnce)`
    pub(crate) fn describe(&self) -> String {
        let volume = self.use_.volume.as_deref().map_or(String::new(), |v| format!("volume {v}, "));
        format!("claim {} ({volume}{})", self.claim, self.access_text)
    }
}

impl WorkloadFacts<'_> {
    /// Whether it mounts an exclusive claim.
    pub(crate) fn mounts_any(&self) -> bool {
        !self.mounts.is_empty()
    }

    /// ReadWriteOncePod if any mounted claim is, else ReadWriteOnce.
    pub(crate) fn worst(&self) -> Access {
        self.mounts.iter().map(|m| m.access).max_by_key(|a| *a == Access::OncePod).unwrap_or(Access::Once)
    }

    /// The first mount with the worst access (what messages name).
    pub(crate) fn first(&self) -> Option<&Mount<'_>> {
        let worst = self.worst();
        self.mounts.iter().find(|m| m.access == worst).or(self.mounts.first())
    }

    /// The mode to act in, when the annotations allow acting.
    pub(crate) fn mode(&self) -> Option<Mode> {
        match self.disposition {
            Disposition::Act(m) => Some(m),
            _ => None,
        }
    }

    /// `rwo-guard.dev/skip: "true"`.
    pub(crate) fn skipped(&self) -> bool {
        self.disposition == Disposition::Skipped
    }

    /// Its pods can only run on one node and its claims are ReadWriteOnce (not
    /// ReadWriteOncePod): every pod of every rollout lands on that node, which ReadWriteOnce
    /// allows, so nothing can Multi-Attach.
    pub(crate) fn pinned_rwo(&self) -> Option<&Pin> {
        self.pin.as_deref().filter(|_| self.worst() == Access::Once)
    }
}

/// A count written as a plain integer (`replicas: 3`; `"3"` is a string the API rejects).
pub(crate) fn int(s: Option<&Scalar>) -> Option<i64> {
    s.filter(|s| s.plain).and_then(|s| s.value.parse().ok())
}

impl<'a> Facts<'a> {
    /// Gathers the facts of `objects`; those without a namespace are in `default_ns`.
    pub(crate) fn gather(
        objects: &'a [Object],
        config: &'a Config,
        default_ns: &'a str,
        assumed_ns: bool,
    ) -> Facts<'a> {
        let claims = Claims::new(objects, default_ns);
        let volumes = Volumes::new(objects, default_ns);
        // Sized once: a large bundle's workloads would otherwise grow these by doubling.
        let count = objects.iter().filter(|o| o.workload().is_some()).count();
        let mut workloads = Vec::with_capacity(count);
        let mut by_object = HashMap::with_capacity(count);
        let mut users: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
        let copies = copies(objects, default_ns);
        let superseded: HashSet<usize> = copies.iter().flat_map(|c| c[..c.len() - 1].iter().copied()).collect();
        let workload_names = NameIndex::new(objects, |o| o.workload().is_some(), |o| o.ns_or(default_ns));
        for (i, o) in objects.iter().enumerate() {
            let Some(kind) = o.workload() else { continue };
            if controlled_in_bundle(o, objects, &workload_names, default_ns) {
                continue;
            }
            let (mounts, external, unreadable_claims) =
                mounts(o, o.ns_or(default_ns), kind, &claims, config.external_claims);
            let pin = pin(o, &mounts, &volumes, default_ns);
            // An earlier copy of an object is not another workload on its claims.
            for m in mounts.iter().filter(|_| !superseded.contains(&i)) {
                let e = users.entry((o.ns_or(default_ns).to_string(), m.claim.clone())).or_default();
                if e.last() != Some(&i) {
                    e.push(i);
                }
            }
            // Only a workload on an exclusive claim is judged: no rule asks of the others.
            let verdict = match kind.rollout {
                _ if mounts.is_empty() => None,
                Rollout::Rewrite(layout) => Some(match o.rollout(layout.key) {
                    _ if o.anchored_spec => Verdict::Unknown(
                        "spec, or a node around it, defines a YAML anchor that other nodes may alias".into(),
                    ),
                    _ if o.merged => Verdict::Unknown(
                        "spec, or the object, takes fields from a YAML merge key (<<), which rwo-guard does not resolve"
                            .into(),
                    ),
                    Some(c) if strategy::has_anchor(&c.node) => Verdict::Unknown(format!(
                        "{} defines a YAML anchor that other nodes may share",
                        layout.path(&[])
                    )),
                    c => strategy::classify(c.map(|c| strategy::val(&c.node)).as_ref(), layout),
                }),
                _ => None,
            };
            by_object.insert(i, workloads.len());
            workloads.push(WorkloadFacts {
                object: o,
                kind,
                mounts,
                external,
                unreadable_claims,
                pin: pin.map(Box::new),
                disposition: disposition(o, config.mode),
                verdict,
            });
        }
        Facts {
            objects,
            config,
            default_ns,
            assumed_ns,
            claims,
            workloads,
            by_object,
            users,
            workload_names,
            copies,
            superseded,
            names: &[],
        }
    }

    /// Where `o` is, for a person: `file:line` when read from a file, else the file its
    /// annotations name, else its document and line in the stream.
    pub(crate) fn place(&self, o: &Object) -> String {
        if let Some(name) = self.names.get(o.id.source) {
            return format!("{name}:{}", o.span.start.line);
        }
        let at = crate::location::Location::of(o, None, crate::location::Origin::Stream);
        match at.file {
            Some(file) => format!("{file} ({})", o.label()),
            None => format!("{} line {}", o.label(), o.span.start.line),
        }
    }

    /// The namespace `o` is in (its own, or the one objects without a namespace go to).
    pub(crate) fn ns(&self, o: &'a Object) -> &'a str {
        o.ns_or(self.default_ns)
    }

    /// Whether a later copy of the same object follows this one (the later one is applied).
    pub(crate) fn superseded(&self, position: usize) -> bool {
        self.superseded.contains(&position)
    }

    /// The facts of the workload at this position in `objects`.
    pub(crate) fn workload(&self, position: usize) -> Option<&WorkloadFacts<'a>> {
        self.by_object.get(&position).map(|&i| &self.workloads[i])
    }
}

/// Whether `o`'s controller (a Deployment of its ReplicaSet, a ReplicaSet of its Pod, as
/// `kubectl get` lists them) is a workload of the bundle: then `o` is that workload's, not
/// another workload, and the controller's own facts speak for it.
fn controlled_in_bundle(o: &Object, objects: &[Object], workloads: &NameIndex<'_>, default_ns: &str) -> bool {
    let Some((kind, name)) = o.controller() else { return false };
    workloads.lookup(o.ns_or(default_ns), name).iter().any(|&w| objects[w].is_kind(kind))
}

/// Every group of objects that are the same object, each in input order (objects rwo-guard
/// keeps the facts of: workloads, claims, autoscalers).
fn copies<'a>(objects: &'a [Object], default_ns: &'a str) -> Vec<Vec<usize>> {
    let mut seen: HashMap<Identity<'a>, Vec<usize>> = HashMap::new();
    for (i, o) in objects.iter().enumerate() {
        let (Some(kind), Some(name)) = (o.kind.as_deref(), o.name.as_deref()) else { continue };
        let group = kinds::split_api_version(o.api_version.as_deref().unwrap_or("")).0;
        seen.entry((group, kind, o.ns_or(default_ns), name)).or_default().push(i);
    }
    let mut copies: Vec<Vec<usize>> = seen.into_values().filter(|c| c.len() > 1).collect();
    copies.sort_unstable();
    copies
}

/// The exclusive claims `o` mounts where its kind keeps its pods, and the claims not in the
/// bundle it should be warned about.
fn mounts<'a>(
    o: &'a Object,
    ns: &str,
    kind: &Workload,
    claims: &Claims<'a>,
    external_claims: ExternalClaims,
) -> (Vec<Mount<'a>>, Vec<&'a ClaimUse>, Vec<(&'a ClaimUse, &'a Object)>) {
    let mut mounts = Vec::with_capacity(o.claims.len());
    let mut external = Vec::new();
    let mut unreadable = Vec::new();
    let mut external_seen = HashSet::new();
    for c in o.claims.iter().filter(|c| c.at == kind.pods) {
        let Some(claim) = &c.claim else { continue };
        match claims.resolve(ns, &claim.value) {
            Some(r) if r.access.exclusive() => mounts.push(Mount {
                use_: c,
                pvc: Some(r.pvc),
                claim: r.pvc.name.clone().unwrap_or_default(),
                access: r.access,
                access_text: r
                    .pvc
                    .values(ScalarField::AccessMode)
                    .map(|m| m.value.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
            Some(r) if !r.pvc.unreadable().is_empty() => unreadable.push((c, r.pvc)),
            Some(_) => {}
            None => match external_claims {
                ExternalClaims::Ignore => {}
                ExternalClaims::AssumeExclusive => mounts.push(Mount {
                    use_: c,
                    pvc: None,
                    claim: claim.value.clone(),
                    access: Access::Once,
                    access_text: "not in the bundle, assumed ReadWriteOnce".into(),
                }),
                ExternalClaims::Warn => {
                    if external_seen.insert(claim.value.as_str()) {
                        external.push(c);
                    }
                }
            },
        }
    }
    (mounts, external, unreadable)
}

/// The bundle's PersistentVolumes, by name and by the claim bound to them.
struct Volumes<'a> {
    by_name: HashMap<&'a str, &'a Object>,
    by_claim: HashMap<(&'a str, &'a str), &'a Object>,
}

impl<'a> Volumes<'a> {
    fn new(objects: &'a [Object], default_ns: &'a str) -> Volumes<'a> {
        let mut v = Volumes { by_name: HashMap::new(), by_claim: HashMap::new() };
        for o in objects.iter().filter(|o| o.volume().is_some()) {
            if let Some(name) = o.name.as_deref() {
                v.by_name.insert(name, o);
            }
            if let Some(claim) = o.value(ScalarField::ClaimRefName) {
                let ns = o.value(ScalarField::ClaimRefNamespace).map_or(default_ns, |n| n.value.as_str());
                v.by_claim.insert((ns, claim.value.as_str()), o);
            }
        }
        v
    }

    /// The volume a claim is bound to: the one its `volumeName` names, or the one whose
    /// `claimRef` names it.
    fn of(&self, pvc: &'a Object, default_ns: &'a str) -> Option<&'a Object> {
        pvc.value(ScalarField::BoundVolume).and_then(|v| self.by_name.get(v.value.as_str())).copied().or_else(|| {
            let name = pvc.name.as_deref()?;
            self.by_claim.get(&(pvc.ns_or(default_ns), name)).copied()
        })
    }
}

/// The one node all terms of a required node affinity name, when they do.
fn one_node(terms: &[Option<String>]) -> Option<&str> {
    let first = terms.first()?.as_deref()?;
    terms.iter().all(|t| t.as_deref() == Some(first)).then_some(first)
}

/// The one node `o`'s pods can run on: its `nodeSelector` on the hostname, its required node
/// affinity, or the node affinity of a PersistentVolume one of its claims is bound to (a
/// local volume).
fn pin(o: &Object, mounts: &[Mount<'_>], volumes: &Volumes<'_>, default_ns: &str) -> Option<Pin> {
    if let Some(node) = o.value(ScalarField::NodeSelectorHost) {
        return Some(Pin { node: node.value.clone(), by: "nodeSelector kubernetes.io/hostname".into() });
    }
    if let Some(node) = one_node(o.node_terms()) {
        return Some(Pin { node: node.to_string(), by: "its required node affinity".into() });
    }
    mounts.iter().find_map(|m| {
        let pv = volumes.of(m.pvc?, default_ns)?;
        let node = one_node(pv.node_terms())?;
        Some(Pin {
            node: node.to_string(),
            by: format!(
                "the node affinity of PersistentVolume {}, bound to claim {}",
                pv.name.as_deref().unwrap_or("?"),
                m.claim
            ),
        })
    })
}

/// What the `rwo-guard.dev/skip` and `rwo-guard.dev/mode` annotations of `o` say.
fn disposition(o: &Object, default: Mode) -> Disposition<'_> {
    if let Some(skip) = o.value(ScalarField::SkipAnnotation) {
        match skip.value.as_str() {
            "true" => return Disposition::Skipped,
            "false" => {}
            other => return Disposition::BadSkip(other),
        }
    }
    match o.value(ScalarField::ModeAnnotation) {
        None => Disposition::Act(default),
        Some(m) => Mode::parse(&m.value).map_or(Disposition::BadMode(&m.value), Disposition::Act),
    }
}
