//! Analysis: from the bundle's facts and the config to findings and an edit plan. Pure: it
//! reads facts, decides, and changes nothing.
//!
//! Every rule rwo-guard applies is a [`Rule`] here, with its severity and its message; the
//! README's table of findings mirrors this list.

use std::collections::{BTreeMap, HashSet};

use crate::claims::{Access, Claims, NameIndex};
use crate::config::{Config, ExternalClaims, Keyword, Mode};
use crate::model::{ClaimUse, Object};
use crate::strategy::{self, Dialect, Fix, Op, Val, Verdict};

/// How serious a finding is (KRM result severities).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Informational: what was changed or skipped.
    Info,
    /// A risk rwo-guard cannot fix.
    Warning,
    /// A certain failure, or a change `mode: check` refuses.
    Error,
}

impl Severity {
    /// The KRM spelling.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Every kind of finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// The strategy was rewritten (info).
    StrategyRewritten,
    /// `mode: check`: the strategy would be rewritten (error).
    StrategyUnsafe,
    /// `rwo-guard.dev/skip: "true"` (info).
    Skipped,
    /// A `rwo-guard.dev/*` annotation has a bad value (error).
    BadAnnotation,
    /// A strategy type rwo-guard does not rewrite (warning).
    UnsupportedStrategy,
    /// More than one replica on an exclusive claim.
    Replicas,
    /// A claim whose PVC is not in the bundle.
    ExternalClaim,
    /// An autoscaler may scale a workload on an exclusive claim above one replica.
    Autoscaled,
    /// Several workloads mount one exclusive claim.
    SharedClaim,
    /// A DaemonSet mounts an exclusive claim.
    DaemonSet,
    /// An Argo Rollout mounts an exclusive claim.
    Rollout,
    /// Job or CronJob runs that can overlap on an exclusive claim.
    JobOverlap,
    /// A field rwo-guard reads could not be read (an alias of a collection…).
    Unreadable,
}

impl Rule {
    /// The rule's name, used as the `rule` tag of results.
    pub fn name(self) -> &'static str {
        match self {
            Rule::StrategyRewritten => "strategy-rewritten",
            Rule::StrategyUnsafe => "strategy-unsafe",
            Rule::Skipped => "skipped",
            Rule::BadAnnotation => "bad-annotation",
            Rule::UnsupportedStrategy => "unsupported-strategy",
            Rule::Replicas => "replicas",
            Rule::ExternalClaim => "external-claim",
            Rule::Autoscaled => "autoscaled",
            Rule::SharedClaim => "shared-claim",
            Rule::DaemonSet => "daemonset",
            Rule::Rollout => "argo-rollout",
            Rule::JobOverlap => "job-overlap",
            Rule::Unreadable => "unreadable-field",
        }
    }
}

/// A field change, for results.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldChange {
    /// `spec.strategy.type`
    pub path: String,
    /// The value now (`None` when absent).
    pub current: Option<String>,
    /// The value proposed (`None` for a removal).
    pub proposed: Option<String>,
}

/// One finding about one object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The object's ordinal in the bundle.
    pub object: usize,
    /// Which rule.
    pub rule: Rule,
    /// How serious.
    pub severity: Severity,
    /// What and why.
    pub message: String,
    /// The field changed or to change.
    pub field: Option<FieldChange>,
}

/// The edits planned for one object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectPlan {
    /// The object's ordinal.
    pub object: usize,
    /// Its strategy dialect.
    pub dialect: Dialect,
    /// The semantic edits.
    pub ops: Vec<Op>,
    /// The strategy expected after the edits (normalized).
    pub expected: Option<Val>,
}

/// Findings and the edit plan.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Analysis {
    /// All findings, in object order then rule order.
    pub findings: Vec<Finding>,
    /// Objects to edit, in object order.
    pub plans: Vec<ObjectPlan>,
}

/// The workload kinds rwo-guard knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Workload {
    Deployment,
    DeploymentConfig,
    StatefulSet,
    DaemonSet,
    ReplicaSet,
    Pod,
    Job,
    CronJob,
    Rollout,
}

fn workload(o: &Object) -> Option<Workload> {
    let (kind, group) = (o.kind.as_deref()?, o.group());
    Some(match (kind, group) {
        ("Deployment", "apps" | "extensions") => Workload::Deployment,
        ("DeploymentConfig", "apps.openshift.io" | "") => Workload::DeploymentConfig,
        ("StatefulSet", "apps") => Workload::StatefulSet,
        ("DaemonSet", "apps" | "extensions") => Workload::DaemonSet,
        ("ReplicaSet", "apps" | "extensions") | ("ReplicationController", "") => Workload::ReplicaSet,
        ("Pod", "") => Workload::Pod,
        ("Job", "batch") => Workload::Job,
        ("CronJob", "batch") => Workload::CronJob,
        ("Rollout", "argoproj.io") => Workload::Rollout,
        _ => return None,
    })
}

/// Whether analysis needs an object's facts: workloads, claims and autoscalers. The reader
/// drops every other object's facts as soon as it has read it.
pub fn relevant(o: &Object) -> bool {
    workload(o).is_some()
        || (o.is_kind("PersistentVolumeClaim") && o.group().is_empty())
        || (o.is_kind("HorizontalPodAutoscaler") && o.group() == "autoscaling")
        || (o.is_kind("ScaledObject") && o.group() == "keda.sh")
}

/// An exclusive claim a workload mounts.
#[derive(Clone, Debug)]
struct Mount<'a> {
    use_: &'a ClaimUse,
    /// The PVC's final name (after kustomize's renames) or the claim as written.
    claim: String,
    access: Access,
    /// How the access is known ("ReadWriteOnce", "assumed ReadWriteOnce").
    access_text: String,
}

impl Mount<'_> {
    /// `claim data (volume d, ReadWriteOnce)`
    fn describe(&self) -> String {
        let volume = self.use_.volume.as_deref().map_or(String::new(), |v| format!("volume {v}, "));
        format!("claim {} ({volume}{})", self.claim, self.access_text)
    }
}

fn severity_for(access: Access) -> Severity {
    if access == Access::OncePod {
        Severity::Error
    } else {
        Severity::Warning
    }
}

fn int(s: Option<&crate::model::Scalar>) -> Option<i64> {
    s.filter(|s| s.plain).and_then(|s| s.value.parse().ok())
}

/// Analyzes the bundle.
pub fn analyze(objects: &[Object], config: &Config) -> Analysis {
    let claims = Claims::new(objects);
    let mut out = Analysis::default();
    let mut mounts_by_object: BTreeMap<usize, Vec<Mount<'_>>> = BTreeMap::new();
    // claim (namespace, final name) -> objects mounting it
    let mut users: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();

    for (i, o) in objects.iter().enumerate() {
        if !o.extra().unreadable.is_empty() && workload(o).is_some() {
            for u in &o.extra().unreadable {
                out.findings.push(Finding {
                    object: i,
                    rule: Rule::Unreadable,
                    severity: Severity::Warning,
                    message: format!(
                        "{}: {} {}; rwo-guard did not analyse it (line {})",
                        o.display(),
                        u.field,
                        u.reason,
                        u.pos.line
                    ),
                    field: Some(FieldChange { path: u.field.clone(), current: None, proposed: None }),
                });
            }
        }
        let Some(_) = workload(o) else { continue };
        let skipped = is_skipped(o);
        let mut mounts = Vec::new();
        let mut external_seen = HashSet::new();
        for c in &o.claims {
            let Some(claim) = &c.claim else { continue };
            match claims.resolve(o.ns(), &claim.value) {
                Some(r) if r.access.exclusive() => {
                    let modes = r.pvc.extra().access_modes.clone().unwrap_or_default().join(", ");
                    mounts.push(Mount {
                        use_: c,
                        claim: r.pvc.name.clone().unwrap_or_default(),
                        access: r.access,
                        access_text: modes,
                    });
                }
                Some(_) => {}
                None => match config.external_claims {
                    ExternalClaims::Ignore => {}
                    ExternalClaims::AssumeExclusive => mounts.push(Mount {
                        use_: c,
                        claim: claim.value.clone(),
                        access: Access::Once,
                        access_text: "not in the bundle, assumed ReadWriteOnce".into(),
                    }),
                    ExternalClaims::Warn => {
                        if !skipped && external_seen.insert(claim.value.clone()) {
                            out.findings.push(Finding {
                                object: i,
                                rule: Rule::ExternalClaim,
                                severity: Severity::Warning,
                                message: format!(
                                    "{}: claim {} is not in the bundle, so rwo-guard cannot tell whether it is ReadWriteOnce and did not act on it (set externalClaims: assume-exclusive to treat it as ReadWriteOnce, or ignore to silence this)",
                                    o.display(),
                                    claim.value
                                ),
                                field: Some(FieldChange {
                                    path: c.path(),
                                    current: Some(claim.value.clone()),
                                    proposed: None,
                                }),
                            });
                        }
                    }
                },
            }
        }
        if mounts.is_empty() {
            continue;
        }
        for m in &mounts {
            let e = users.entry((o.ns().to_string(), m.claim.clone())).or_default();
            if e.last() != Some(&i) {
                e.push(i);
            }
        }
        mounts_by_object.insert(i, mounts);
    }

    let workloads = NameIndex::new(objects, |o| workload(o).is_some());
    for (&i, mounts) in &mounts_by_object {
        let o = &objects[i];
        if let Some(skip) = &o.annotations().skip {
            match skip.value.as_str() {
                "true" => {
                    out.findings.push(Finding {
                        object: i,
                        rule: Rule::Skipped,
                        severity: Severity::Info,
                        message: format!(
                            "{}: annotation rwo-guard.dev/skip is \"true\"; left untouched although it mounts {}",
                            o.display(),
                            mounts[0].describe()
                        ),
                        field: None,
                    });
                    continue;
                }
                "false" => {}
                other => {
                    out.findings.push(Finding {
                        object: i,
                        rule: Rule::BadAnnotation,
                        severity: Severity::Error,
                        message: format!(
                            "{}: annotation rwo-guard.dev/skip is `{other}`; expected \"true\" or \"false\"; left untouched",
                            o.display()
                        ),
                        field: Some(FieldChange {
                            path: "metadata.annotations.rwo-guard.dev/skip".into(),
                            current: Some(other.into()),
                            proposed: None,
                        }),
                    });
                    continue;
                }
            }
        }
        let mode = match &o.annotations().mode {
            None => config.mode,
            Some(m) => match Mode::parse(&m.value) {
                Some(mode) => mode,
                None => {
                    out.findings.push(Finding {
                        object: i,
                        rule: Rule::BadAnnotation,
                        severity: Severity::Error,
                        message: format!(
                            "{}: annotation rwo-guard.dev/mode is `{}`; expected one of {}; left untouched",
                            o.display(),
                            m.value,
                            Mode::accepted()
                        ),
                        field: Some(FieldChange {
                            path: "metadata.annotations.rwo-guard.dev/mode".into(),
                            current: Some(m.value.clone()),
                            proposed: None,
                        }),
                    });
                    continue;
                }
            },
        };
        let worst = mounts.iter().map(|m| m.access).max_by_key(|a| *a == Access::OncePod).unwrap_or(Access::Once);
        let first = mounts.iter().find(|m| m.access == worst).unwrap_or(&mounts[0]);
        let kind = workload(o);
        match kind {
            Some(Workload::Deployment | Workload::DeploymentConfig) => {
                let dialect = if kind == Some(Workload::Deployment) {
                    strategy::DEPLOYMENT
                } else {
                    strategy::DEPLOYMENT_CONFIG
                };
                strategy_findings(&mut out, i, o, mode, *config, dialect, first);
            }
            Some(Workload::DaemonSet) => out.findings.push(Finding {
                object: i,
                rule: Rule::DaemonSet,
                severity: severity_for(worst),
                message: format!(
                    "{}: a DaemonSet runs one pod per node, and {} can be used by {} at a time; only one pod will start. Use a ReadWriteMany claim, a Deployment with one replica, or per-node storage (hostPath, local volumes)",
                    o.display(),
                    first.describe(),
                    if worst == Access::OncePod { "one pod" } else { "one node" }
                ),
                field: Some(mount_field(first)),
            }),
            Some(Workload::Rollout) if !o.strategy.as_deref().is_some_and(|s| strategy::canary_without_surge(&strategy::val(s))) => out.findings.push(Finding {
                object: i,
                rule: Rule::Rollout,
                severity: severity_for(worst),
                message: format!(
                    "{}: mounts {}; Argo Rollouts has no Recreate strategy and blueGreen always runs two ReplicaSets. Use spec.strategy.canary with maxSurge: 0 and maxUnavailable: 1 (and no traffic routing), or a Deployment with strategy Recreate",
                    o.display(),
                    first.describe()
                ),
                field: Some(FieldChange { path: "spec.strategy".into(), current: None, proposed: None }),
            }),
            Some(Workload::Job) if int(o.extra().parallelism.as_ref()).unwrap_or(1) > 1 => {
                out.findings.push(job_overlap(i, o, first, worst, "spec.parallelism", o.extra().parallelism.as_ref(), "parallel pods of one run", "Set parallelism: 1"));
            }
            Some(Workload::CronJob) => {
                let policy = o.extra().concurrency_policy.as_ref().map_or("Allow", |p| p.value.as_str());
                match policy {
                    "Allow" => out.findings.push(job_overlap(i, o, first, worst, "spec.concurrencyPolicy", o.extra().concurrency_policy.as_ref(), "runs that overlap (concurrencyPolicy Allow, the default)", "Set concurrencyPolicy: Forbid")),
                    "Replace" => out.findings.push(job_overlap(i, o, first, worst, "spec.concurrencyPolicy", o.extra().concurrency_policy.as_ref(), "a new run and the replaced one, still terminating (concurrencyPolicy Replace),", "Set concurrencyPolicy: Forbid")),
                    _ => {}
                }
                if int(o.extra().parallelism.as_ref()).unwrap_or(1) > 1 {
                    out.findings.push(job_overlap(i, o, first, worst, "spec.jobTemplate.spec.parallelism", o.extra().parallelism.as_ref(), "parallel pods of one run", "Set parallelism: 1"));
                }
            }
            _ => {}
        }
        if matches!(
            kind,
            Some(
                Workload::Deployment
                    | Workload::DeploymentConfig
                    | Workload::StatefulSet
                    | Workload::ReplicaSet
                    | Workload::Rollout
            )
        ) {
            let replicas = int(o.replicas.as_ref()).unwrap_or(1);
            if replicas > 1 {
                out.findings.push(Finding {
                    object: i,
                    rule: Rule::Replicas,
                    severity: severity_for(worst),
                    message: format!(
                        "{}: {replicas} replicas share {}; {} No strategy can fix this: use one replica, a ReadWriteMany claim, or a StatefulSet with volumeClaimTemplates (a claim per pod). Replicas were not changed",
                        o.display(),
                        first.describe(),
                        if worst == Access::OncePod {
                            "ReadWriteOncePod allows one pod: the others never start."
                        } else {
                            "ReadWriteOnce allows one node: pods scheduled elsewhere hang on Multi-Attach."
                        }
                    ),
                    field: Some(FieldChange { path: "spec.replicas".into(), current: Some(replicas.to_string()), proposed: None }),
                });
            }
        }
    }

    // Several workloads on one exclusive claim.
    for ((ns, claim), objs) in &users {
        if objs.len() < 2 {
            continue;
        }
        for &i in objs {
            let o = &objects[i];
            let Some(m) = mounts_by_object.get(&i).and_then(|ms| ms.iter().find(|m| &m.claim == claim)) else {
                continue;
            };
            if is_skipped(o) {
                continue;
            }
            let others: Vec<String> = objs.iter().filter(|&&j| j != i).map(|&j| objects[j].display()).collect();
            let _ = ns;
            out.findings.push(Finding {
                object: i,
                rule: Rule::SharedClaim,
                severity: severity_for(m.access),
                message: format!(
                    "{}: mounts {}, which {} also mount{}; pods of different workloads on different nodes hang on Multi-Attach{}. Give each workload its own claim or use a ReadWriteMany claim",
                    o.display(),
                    m.describe(),
                    others.join(", "),
                    if others.len() == 1 { "s" } else { "" },
                    if m.access == Access::OncePod { ", and ReadWriteOncePod admits only one pod at all" } else { "" }
                ),
                field: Some(mount_field(m)),
            });
        }
    }

    // Autoscalers whose target mounts an exclusive claim.
    for (i, o) in objects.iter().enumerate() {
        let is_hpa = o.is_kind("HorizontalPodAutoscaler") && o.group() == "autoscaling";
        let is_keda = o.is_kind("ScaledObject") && o.group() == "keda.sh";
        if !(is_hpa || is_keda) {
            continue;
        }
        let Some(target) = &o.extra().scale_target else { continue };
        let (Some(name), kind) = (&target.name, target.kind.as_deref().unwrap_or("Deployment")) else { continue };
        let max = int(o.extra().max_replicas.as_ref()).unwrap_or(if is_keda { 100 } else { 1 });
        if max <= 1 {
            continue;
        }
        for &w in workloads.lookup(o.ns(), name) {
            if !objects[w].is_kind(kind) {
                continue;
            }
            let Some(mounts) = mounts_by_object.get(&w) else { continue };
            if is_skipped(&objects[w]) {
                continue;
            }
            let worst = mounts.iter().map(|m| m.access).max_by_key(|a| *a == Access::OncePod).unwrap_or(Access::Once);
            let m = mounts.iter().find(|m| m.access == worst).unwrap_or(&mounts[0]);
            out.findings.push(Finding {
                object: i,
                rule: Rule::Autoscaled,
                severity: severity_for(worst),
                message: format!(
                    "{}: may scale {} to {max} replicas{}, but it mounts {}; {} Cap {} at 1, or give the workload shareable storage",
                    o.display(),
                    objects[w].display(),
                    if is_keda && o.extra().max_replicas.is_none() { " (KEDA's default maxReplicaCount)" } else { "" },
                    m.describe(),
                    extra_pods(worst),
                    if is_keda { "maxReplicaCount" } else { "maxReplicas" },
                ),
                field: Some(FieldChange {
                    path: if is_keda { "spec.maxReplicaCount".into() } else { "spec.maxReplicas".into() },
                    current: o.extra().max_replicas.as_ref().map(|m| m.value.clone()),
                    proposed: None,
                }),
            });
        }
    }

    out.findings.sort_by_key(|f| (f.object, f.rule));
    out
}

fn mount_field(m: &Mount<'_>) -> FieldChange {
    FieldChange { path: m.use_.path(), current: m.use_.claim.as_ref().map(|c| c.value.clone()), proposed: None }
}

#[allow(clippy::too_many_arguments)]
fn job_overlap(
    i: usize,
    o: &Object,
    m: &Mount<'_>,
    worst: Access,
    path: &str,
    current: Option<&crate::model::Scalar>,
    what: &str,
    advice: &str,
) -> Finding {
    Finding {
        object: i,
        rule: Rule::JobOverlap,
        severity: severity_for(worst),
        message: format!(
            "{}: mounts {}, and {what} can run at once; {} {advice}",
            o.display(),
            m.describe(),
            extra_pods(worst)
        ),
        field: Some(FieldChange { path: path.into(), current: current.map(|c| c.value.clone()), proposed: None }),
    }
}

/// What happens to a second pod on the claim.
fn extra_pods(access: Access) -> &'static str {
    if access == Access::OncePod {
        "with ReadWriteOncePod a second pod cannot start at all, on any node."
    } else {
        "pods on other nodes hang on Multi-Attach."
    }
}

/// `rwo-guard.dev/skip: "true"`
fn is_skipped(o: &Object) -> bool {
    o.annotations().skip.as_ref().is_some_and(|s| s.value == "true")
}

fn strategy_findings(
    out: &mut Analysis,
    i: usize,
    o: &Object,
    mode: Mode,
    config: Config,
    dialect: Dialect,
    mount: &Mount<'_>,
) {
    let current = o.strategy.as_deref().map(strategy::val);
    let verdict = if o.strategy.as_deref().is_some_and(strategy::has_anchor) {
        Verdict::Unknown("spec.strategy defines a YAML anchor that other nodes may share".into())
    } else {
        strategy::classify(current.as_ref(), &dialect)
    };
    let why = match verdict {
        Verdict::Recreate | Verdict::NoSurge => return,
        Verdict::Unknown(what) => {
            out.findings.push(Finding {
                object: i,
                rule: Rule::UnsupportedStrategy,
                severity: Severity::Warning,
                message: format!(
                    "{}: mounts {}, but rwo-guard does not rewrite this strategy: {what}. Make sure old pods stop before new ones start (type Recreate)",
                    o.display(),
                    mount.describe()
                ),
                field: Some(FieldChange { path: "spec.strategy".into(), current: current.map(|c| c.display()), proposed: None }),
            });
            return;
        }
        Verdict::Surges(why) => why,
    };
    let fix = match mode {
        Mode::Recreate | Mode::Check => Fix::Recreate { null_params: config.null_rolling_update },
        Mode::Rolling => Fix::NoSurge,
    };
    let ops = strategy::plan(o.strategy.as_deref(), fix, &dialect);
    let check = mode == Mode::Check;
    for (n, op) in ops.iter().enumerate() {
        let path = op.path();
        let current_at = current.as_ref().and_then(|c| value_at(c, &path));
        // The first edit says why; the others (same object, same reason) only what.
        let why = if n == 0 {
            format!(
                ". It mounts {} and {why}; a new pod could start on another node while the old one still holds the volume (Multi-Attach error)",
                mount.describe()
            )
        } else {
            format!(", with the edit above: {}", op_reason(op, &dialect))
        };
        out.findings.push(Finding {
            object: i,
            rule: if check { Rule::StrategyUnsafe } else { Rule::StrategyRewritten },
            severity: if check { Severity::Error } else { Severity::Info },
            message: format!(
                "{}: {}{}{why}",
                o.display(),
                if check { "would " } else { "" },
                action(op, &path, current_at, check),
            ),
            field: Some(FieldChange {
                path,
                current: current_at.map(Val::display),
                proposed: op.proposed().map(Val::display),
            }),
        });
    }
    if !check {
        let expected = strategy::apply(current, &ops).map(Val::normalized);
        out.plans.push(ObjectPlan { object: i, dialect, ops, expected });
    }
}

/// Why an edit that follows the first one of a strategy is needed.
fn op_reason(op: &Op, dialect: &Dialect) -> String {
    match op {
        Op::Remove(k) => format!("the API rejects {k} beside type {}", dialect.recreate),
        Op::Set(path, Val::Null) => format!("{} null clears a stored value on client-side apply", path.join(".")),
        Op::Set(path, _) if path.last() == Some(&"maxUnavailable") => {
            "maxSurge and maxUnavailable may not both be 0".to_string()
        }
        Op::Set(path, _) if path.last() == Some(&"type") => "the strategy type it belongs to".to_string(),
        _ => "no new pod starts beside the old ones (maxSurge 0)".to_string(),
    }
}

/// `set spec.strategy.type to Recreate (was RollingUpdate)`, in the tense of `check`.
fn action(op: &Op, path: &str, current: Option<&Val>, check: bool) -> String {
    let was = current.map_or(String::new(), |c| format!(" (was {})", c.display()));
    let (set, remove, add, replace) =
        if check { ("set", "remove", "add", "replace") } else { ("set", "removed", "added", "replaced") };
    match op {
        Op::Set(_, v) => format!("{set} {path} to {}{was}", v.display()),
        Op::Remove(_) => format!("{remove} {path}{was}"),
        Op::Insert(v) => format!("{add} {path}: {}", v.display()),
        Op::Replace(v) => format!("{replace} {path} with {}{was}", v.display()),
    }
}

/// The value at `spec.strategy[.a[.b]]` in a strategy value.
fn value_at<'v>(strategy: &'v Val, path: &str) -> Option<&'v Val> {
    let rest = path.strip_prefix("spec.strategy")?;
    let mut v = strategy;
    for k in rest.split('.').filter(|k| !k.is_empty()) {
        v = v.get(k)?;
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::{read, Limits};

    fn findings(yaml: &str, config: Config) -> Analysis {
        let b = read(yaml, Limits::default()).expect("valid");
        analyze(&b.objects, &config)
    }

    fn bundle(mode: &str, replicas: u32, strategy: &str) -> String {
        format!("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {{name: d}}\nspec: {{accessModes: [{mode}]}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: w}}\nspec:\n  replicas: {replicas}\n{strategy}  template:\n    spec:\n      volumes: [{{name: v, persistentVolumeClaim: {{claimName: d}}}}]\n")
    }

    #[test]
    fn plans_a_fix_only_for_exclusive_claims() {
        let a = findings(&bundle("ReadWriteOnce", 1, ""), Config::default());
        assert_eq!(a.plans.len(), 1);
        assert_eq!(a.findings[0].rule, Rule::StrategyRewritten);
        assert!(findings(&bundle("ReadWriteMany", 1, ""), Config::default()).findings.is_empty());
        assert!(findings(&bundle("ReadWriteOnce", 1, "  strategy: {type: Recreate}\n"), Config::default())
            .findings
            .is_empty());
    }

    #[test]
    fn replicas_severity_follows_the_access_mode() {
        let rwo = findings(&bundle("ReadWriteOnce", 3, "  strategy: {type: Recreate}\n"), Config::default());
        assert_eq!((rwo.findings[0].rule, rwo.findings[0].severity), (Rule::Replicas, Severity::Warning));
        let rwop = findings(&bundle("ReadWriteOncePod", 3, "  strategy: {type: Recreate}\n"), Config::default());
        assert_eq!((rwop.findings[0].rule, rwop.findings[0].severity), (Rule::Replicas, Severity::Error));
    }

    #[test]
    fn check_mode_plans_nothing_and_reports_errors() {
        let config = Config { mode: Mode::Check, ..Config::default() };
        let a = findings(&bundle("ReadWriteOnce", 1, ""), config);
        assert!(a.plans.is_empty());
        assert_eq!((a.findings[0].rule, a.findings[0].severity), (Rule::StrategyUnsafe, Severity::Error));
    }
}
