//! Configuration: its fields and defaults, the two shapes it comes in (the typed `RwoGuard`
//! kind and a `ConfigMap`), and validation that reports every problem at once.
//!
//! Sources, weakest first: defaults, then the functionConfig of a ResourceList or the config
//! file named on the command line (a legacy kustomize exec plugin gets its config that way),
//! then command-line flags.

use std::fmt;

use serde_norway::{Mapping, Value};

use crate::error::Fatal;

/// The typed config's `apiVersion`.
pub const API_VERSION: &str = "rwo-guard.dev/v1alpha1";
/// The typed config's `kind`.
pub const KIND: &str = "RwoGuard";
/// Largest functionConfig or config file read (it is parsed with serde_yaml, so it is bounded).
pub const MAX_CONFIG_BYTES: usize = 1 << 20;

/// What to do with a workload that mounts an exclusive claim and can surge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `strategy: {type: Recreate}`: old pods are gone before new ones start.
    Recreate,
    /// `RollingUpdate` with `maxSurge: 0`: one pod replaced at a time, never one extra.
    Rolling,
    /// Change nothing; every workload that would change is an error (a CI gate).
    Check,
}

/// What to do with a claim whose PersistentVolumeClaim is not in the bundle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExternalClaims {
    /// Report a warning, change nothing.
    Warn,
    /// Say nothing, change nothing.
    Ignore,
    /// Treat it as ReadWriteOnce.
    AssumeExclusive,
}

/// Which findings make the exit code non-zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FailOn {
    /// Errors only.
    Error,
    /// Warnings and errors.
    Warning,
    /// Never (exit 0 whatever is found; fatal errors still fail).
    Never,
}

/// The effective configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// `mode` (default `recreate`).
    pub mode: Mode,
    /// `externalClaims` (default `warn`).
    pub external_claims: ExternalClaims,
    /// `nullRollingUpdate` (default false): with Recreate, write `rollingUpdate: null` instead
    /// of removing the key (for client-side appliers that keep a stale `rollingUpdate`).
    pub null_rolling_update: bool,
    /// `failOn` (default `error`).
    pub fail_on: FailOn,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            mode: Mode::Recreate,
            external_claims: ExternalClaims::Warn,
            null_rolling_update: false,
            fail_on: FailOn::Error,
        }
    }
}

/// Config fields given on the command line; `None` leaves the file's or default value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `--mode`
    pub mode: Option<Mode>,
    /// `--external-claims`
    pub external_claims: Option<ExternalClaims>,
    /// `--null-rolling-update`
    pub null_rolling_update: Option<bool>,
    /// `--fail-on`
    pub fail_on: Option<FailOn>,
}

impl Config {
    /// Applies command-line overrides (flags win).
    #[must_use]
    pub fn with(mut self, o: Overrides) -> Config {
        if let Some(m) = o.mode {
            self.mode = m;
        }
        if let Some(e) = o.external_claims {
            self.external_claims = e;
        }
        if let Some(n) = o.null_rolling_update {
            self.null_rolling_update = n;
        }
        if let Some(f) = o.fail_on {
            self.fail_on = f;
        }
        self
    }
}

/// A keyword-valued field: its accepted spellings.
pub trait Keyword: Sized + Copy + 'static {
    /// Every value with its spelling.
    const ALL: &'static [(&'static str, Self)];

    /// Parses a spelling.
    fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().find(|(k, _)| *k == s).map(|(_, v)| *v)
    }

    /// The spelling of a value.
    fn name(self) -> &'static str
    where
        Self: PartialEq,
    {
        Self::ALL.iter().find(|(_, v)| *v == self).map_or("?", |(k, _)| k)
    }

    /// `a, b, c` for messages.
    fn accepted() -> String {
        Self::ALL.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
    }
}

impl Keyword for Mode {
    const ALL: &'static [(&'static str, Self)] =
        &[("recreate", Mode::Recreate), ("rolling", Mode::Rolling), ("check", Mode::Check)];
}

impl Keyword for ExternalClaims {
    const ALL: &'static [(&'static str, Self)] = &[
        ("warn", ExternalClaims::Warn),
        ("ignore", ExternalClaims::Ignore),
        ("assume-exclusive", ExternalClaims::AssumeExclusive),
    ];
}

impl Keyword for FailOn {
    const ALL: &'static [(&'static str, Self)] =
        &[("error", FailOn::Error), ("warning", FailOn::Warning), ("never", FailOn::Never)];
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Parses a config document (typed `RwoGuard` or `ConfigMap`); `origin` names it in errors.
/// An empty or null document gives the defaults.
pub fn parse(text: &str, origin: &str) -> Result<Config, Fatal> {
    let fail = |problems: Vec<String>| Fatal::Config { origin: origin.to_string(), problems };
    if text.len() > MAX_CONFIG_BYTES {
        return Err(fail(vec![format!("is {} bytes; the most rwo-guard reads is {MAX_CONFIG_BYTES}", text.len())]));
    }
    let value: Value = serde_norway::from_str(text).map_err(|e| fail(vec![format!("is not valid YAML: {e}")]))?;
    from_value(&value).map_err(fail)
}

fn from_value(value: &Value) -> Result<Config, Vec<String>> {
    let root = match value {
        Value::Null => return Ok(Config::default()),
        Value::Mapping(m) if m.is_empty() => return Ok(Config::default()),
        Value::Mapping(m) => m,
        other => return Err(vec![format!("must be a mapping, found {}", type_name(other))]),
    };
    let text = |k: &str| root.get(k).and_then(Value::as_str);
    let (api_version, kind) = (text("apiVersion").unwrap_or(""), text("kind").unwrap_or(""));
    let mut problems = Vec::new();
    let fields = match kind {
        KIND => {
            if api_version != API_VERSION {
                problems
                    .push(format!("apiVersion: `{api_version}` is not supported for kind {KIND}; use {API_VERSION}"));
            }
            check_keys(root, "", &["apiVersion", "kind", "metadata", "spec"], &mut problems);
            Fields::Typed(optional_mapping(root, "spec", &mut problems))
        }
        "ConfigMap" => {
            check_keys(root, "", &["apiVersion", "kind", "metadata", "data", "immutable", "binaryData"], &mut problems);
            Fields::Strings(optional_mapping(root, "data", &mut problems))
        }
        "" => return Err(vec![format!("kind: missing; use {KIND} ({API_VERSION}) or ConfigMap (v1)")]),
        other => {
            return Err(vec![format!(
                "kind: `{other}` is not a config kind rwo-guard reads; use {KIND} ({API_VERSION}) or ConfigMap (v1)"
            )])
        }
    };
    let config = fields.read(&mut problems);
    if problems.is_empty() {
        Ok(config)
    } else {
        Err(problems)
    }
}

/// The field names, as written in config files.
const FIELDS: [&str; 4] = ["mode", "externalClaims", "nullRollingUpdate", "failOn"];

enum Fields<'a> {
    /// `spec` of the typed kind: real YAML types.
    Typed(Option<&'a Mapping>),
    /// `data` of a ConfigMap: every value a string.
    Strings(Option<&'a Mapping>),
}

impl Fields<'_> {
    fn read(&self, problems: &mut Vec<String>) -> Config {
        let (map, prefix, strings) = match self {
            Fields::Typed(m) => (*m, "spec.", false),
            Fields::Strings(m) => (*m, "data.", true),
        };
        let mut config = Config::default();
        let Some(map) = map else { return config };
        check_keys(map, prefix, &FIELDS, problems);
        let keyword = |name: &str, problems: &mut Vec<String>| -> Option<String> {
            match map.get(name)? {
                Value::String(s) => Some(s.clone()),
                other => {
                    problems.push(format!("{prefix}{name}: must be a string, found {}", type_name(other)));
                    None
                }
            }
        };
        if let Some(v) = keyword("mode", problems) {
            set(&mut config.mode, &v, &format!("{prefix}mode"), problems);
        }
        if let Some(v) = keyword("externalClaims", problems) {
            set(&mut config.external_claims, &v, &format!("{prefix}externalClaims"), problems);
        }
        if let Some(v) = keyword("failOn", problems) {
            set(&mut config.fail_on, &v, &format!("{prefix}failOn"), problems);
        }
        match (map.get("nullRollingUpdate"), strings) {
            (None, _) => {}
            (Some(Value::Bool(b)), false) => config.null_rolling_update = *b,
            (Some(Value::String(s)), true) if s == "true" || s == "false" => {
                config.null_rolling_update = s == "true";
            }
            (Some(other), _) => problems.push(format!(
                "{prefix}nullRollingUpdate: must be {}, found {}",
                if strings { "\"true\" or \"false\"" } else { "true or false" },
                describe(other)
            )),
        }
        config
    }
}

fn set<T: Keyword + PartialEq>(slot: &mut T, value: &str, field: &str, problems: &mut Vec<String>) {
    match T::parse(value) {
        Some(v) => *slot = v,
        None => problems.push(format!("{field}: `{value}` is not one of {}", T::accepted())),
    }
}

fn check_keys(map: &Mapping, prefix: &str, known: &[&str], problems: &mut Vec<String>) {
    for key in map.keys() {
        match key.as_str() {
            Some(k) if known.contains(&k) => {}
            Some(k) => problems.push(format!("{prefix}{k}: unknown field; known fields here: {}", known.join(", "))),
            None => problems.push(format!("{prefix}: keys must be strings, found {}", describe(key))),
        }
    }
}

/// The mapping at `key` of `root`: `None` when absent or null, a problem when not a mapping.
fn optional_mapping<'a>(root: &'a Mapping, key: &str, problems: &mut Vec<String>) -> Option<&'a Mapping> {
    match root.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::Mapping(m)) => Some(m),
        Some(other) => {
            problems.push(format!("{key}: must be a mapping, found {}", type_name(other)));
            None
        }
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::Bool(b) => format!("`{b}`"),
        Value::Number(n) => format!("`{n}`"),
        Value::String(s) => format!("`{s}`"),
        other => type_name(other).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<String> {
        match parse(text, "test") {
            Err(Fatal::Config { problems, .. }) => problems,
            other => panic!("expected config error, got {other:?}"),
        }
    }

    #[test]
    fn typed_config_reads_every_field() {
        let c = parse(
            "apiVersion: rwo-guard.dev/v1alpha1\nkind: RwoGuard\nmetadata: {name: g}\nspec:\n  mode: rolling\n  externalClaims: assume-exclusive\n  nullRollingUpdate: true\n  failOn: warning\n",
            "test",
        )
        .expect("valid");
        assert_eq!(
            c,
            Config {
                mode: Mode::Rolling,
                external_claims: ExternalClaims::AssumeExclusive,
                null_rolling_update: true,
                fail_on: FailOn::Warning
            }
        );
    }

    #[test]
    fn configmap_values_are_strings() {
        let c = parse("apiVersion: v1\nkind: ConfigMap\ndata:\n  mode: check\n  nullRollingUpdate: \"true\"\n", "t")
            .expect("valid");
        assert_eq!((c.mode, c.null_rolling_update), (Mode::Check, true));
    }

    #[test]
    fn empty_config_is_the_default() {
        assert_eq!(parse("", "t").expect("empty"), Config::default());
        assert_eq!(parse("{}", "t").expect("empty map"), Config::default());
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let p = problems(
            "apiVersion: rwo-guard.dev/v1alpha1\nkind: RwoGuard\nspec:\n  mode: recreat\n  externalClaim: warn\n  failOn: 3\n  nullRollingUpdate: yes\n",
        );
        assert_eq!(p.len(), 4, "{p:?}");
        assert!(p.iter().any(|m| m == "spec.mode: `recreat` is not one of recreate, rolling, check"), "{p:?}");
        assert!(p.iter().any(|m| m.starts_with("spec.externalClaim: unknown field")), "{p:?}");
        assert!(p.iter().any(|m| m == "spec.failOn: must be a string, found a number"), "{p:?}");
        assert!(p.iter().any(|m| m.starts_with("spec.nullRollingUpdate: must be true or false")), "{p:?}");
    }

    #[test]
    fn spec_and_data_must_be_mappings() {
        let typed = problems("apiVersion: rwo-guard.dev/v1alpha1\nkind: RwoGuard\nspec: [mode]\n");
        assert_eq!(typed, vec!["spec: must be a mapping, found a list".to_string()]);
        let map = problems("apiVersion: v1\nkind: ConfigMap\ndata: recreate\n");
        assert_eq!(map, vec!["data: must be a mapping, found a string".to_string()]);
        assert_eq!(parse("apiVersion: v1\nkind: ConfigMap\ndata:\n", "t").expect("null data"), Config::default());
    }

    #[test]
    fn unknown_kinds_are_named() {
        let p = problems("apiVersion: v1\nkind: Secret\n");
        assert!(p[0].contains("`Secret` is not a config kind"), "{p:?}");
    }

    #[test]
    fn flags_win() {
        let c = Config::default().with(Overrides { mode: Some(Mode::Check), ..Overrides::default() });
        assert_eq!(c.mode, Mode::Check);
    }
}
