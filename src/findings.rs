//! What rwo-guard says about a bundle, as types: how serious ([`Severity`]), which rule
//! ([`Rule`]: its metadata and its check), the finding itself ([`Finding`], about an object by
//! its [`ObjectId`]), the edits planned ([`ObjectPlan`]), and a finding placed for the person
//! ([`Diagnostic`]: the finding, the object it is about and where it is). The rule framework:
//! it names no concrete rule (those are `rules::ALL`).

use serde::{Deserialize, Serialize};

use crate::config::FailOn;
use crate::facts::Facts;
use crate::kinds::Layout;
use crate::location::Location;
use crate::model::{Object, ObjectId};
use crate::strategy::{Op, Val};

/// How serious a finding is (KRM result severities, spelled as KRM spells them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
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

    /// The least severity that fails a run under `fail_on` (`None`: nothing fails it).
    pub fn failing_at(fail_on: FailOn) -> Option<Severity> {
        match fail_on {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Never => None,
        }
    }
}

/// How severe a rule's findings are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Always this severity.
    Always(Severity),
    /// Error on a ReadWriteOncePod claim (only one pod can ever use it: the failure is
    /// certain), warning on ReadWriteOnce (it fails once pods land on different nodes).
    ByAccess,
}

impl Level {
    /// `info`, `warning / error`.
    pub fn describe(self) -> &'static str {
        match self {
            Level::Always(s) => s.name(),
            Level::ByAccess => "warning / error",
        }
    }
}

/// A rule's check: reads the facts, pushes findings (and, for the strategy rule, plans).
pub(crate) type Check = fn(&Facts<'_>, &mut Analysis);

/// One rule: what it is called, when it fires, what it advises, and its check.
pub struct Rule {
    /// The name, used as the `rule` tag of results (`shared-claim`).
    pub name: &'static str,
    /// Its severity.
    pub level: Level,
    /// One line: what it reports (SARIF's short description).
    pub summary: &'static str,
    /// What triggers it (the README's "triggered by").
    pub triggered_by: &'static str,
    /// What to do about it (the README's and `explain`'s "how to fix").
    pub advice: &'static str,
    /// Why it breaks rollouts (`explain`, SARIF's full description).
    pub why: &'static str,
    /// A manifest fragment or command that triggers it (`explain`).
    pub example: &'static str,
    /// The check; `None` for a rule whose findings another rule's check emits (named in its
    /// documentation).
    pub(crate) check: Option<Check>,
}

impl PartialEq for Rule {
    fn eq(&self, other: &Rule) -> bool {
        self.name == other.name
    }
}

impl Eq for Rule {}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
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

impl FieldChange {
    /// A field named without a change.
    pub(crate) fn at(path: impl Into<String>, current: Option<String>) -> FieldChange {
        FieldChange { path: path.into(), current, proposed: None }
    }
}

/// One finding about one object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The object.
    pub object: ObjectId,
    /// Which rule.
    pub rule: &'static Rule,
    /// How serious.
    pub severity: Severity,
    /// What and why.
    pub message: String,
    /// The field changed or to change (boxed: a large run holds many findings at once).
    pub field: Option<Box<FieldChange>>,
}

/// The edits planned for one object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectPlan {
    /// The object.
    pub object: ObjectId,
    /// How its kind keeps its rollout strategy.
    pub layout: &'static Layout,
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
    /// Findings suppressed by an `ignore-check.rwo-guard.dev/<rule>` annotation on their
    /// object, each with the annotation's reason.
    pub suppressed: Vec<(Finding, String)>,
}

impl Analysis {
    /// Adds a finding of `rule` about `object`.
    pub(crate) fn push(
        &mut self,
        rule: &'static Rule,
        object: ObjectId,
        severity: Severity,
        message: String,
        field: Option<FieldChange>,
    ) {
        self.findings.push(Finding { object, rule, severity, message, field: field.map(Box::new) });
    }
}

/// The object a finding is about, as KRM results name it (`resourceRef`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceRef {
    /// `apiVersion`
    pub api_version: String,
    /// `kind`
    pub kind: String,
    /// `metadata.name`
    pub name: String,
    /// `metadata.namespace`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

impl ResourceRef {
    /// The reference to `o`.
    pub fn of(o: &Object) -> ResourceRef {
        ResourceRef {
            api_version: o.api_version.as_deref().unwrap_or_default().to_string(),
            kind: o.kind.as_deref().unwrap_or_default().to_string(),
            name: o.name.clone().unwrap_or_default(),
            namespace: o.namespace.as_deref().filter(|n| !n.is_empty()).map(String::from),
        }
    }
}

/// A finding as the person sees it: the finding (its rule, severity, message, field), the
/// object it is about and where that is. Every report format, stderr and a ResourceList's
/// results render from these.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The finding.
    pub finding: Finding,
    /// The object it is about.
    pub resource: ResourceRef,
    /// Where it is.
    pub location: Location,
}

impl Diagnostic {
    /// Its rule.
    pub fn rule(&self) -> &'static Rule {
        self.finding.rule
    }

    /// How serious.
    pub fn severity(&self) -> Severity {
        self.finding.severity
    }

    /// What and why.
    pub fn message(&self) -> &str {
        &self.finding.message
    }

    /// Whether it fails a run that fails at `fail_at`.
    pub fn fails(&self, fail_at: Option<Severity>) -> bool {
        fail_at.is_some_and(|t| self.finding.severity >= t)
    }

    /// `file:line: severity: message [rule]`, one line.
    pub fn line(&self) -> String {
        let at = self.location.prefix().unwrap_or_else(|| "rwo-guard".into());
        format!("{at}: {}: {} [{}]", self.severity().name(), self.message(), self.rule().name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_on_thresholds() {
        assert_eq!(Severity::failing_at(FailOn::Error), Some(Severity::Error));
        assert_eq!(Severity::failing_at(FailOn::Warning), Some(Severity::Warning));
        assert_eq!(Severity::failing_at(FailOn::Never), None);
        assert_eq!(serde_json::to_string(&Severity::Warning).ok().as_deref(), Some("\"warning\""));
    }
}
