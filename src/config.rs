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

/// The effective configuration. Each field is described once, in [`FIELDS`]: its names,
/// values, default and documentation; the config reader, the command-line flags (and their
/// `--help`) and the README's table come from there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// `mode`
    pub mode: Mode,
    /// `externalClaims`
    pub external_claims: ExternalClaims,
    /// `nullRollingUpdate`: with Recreate, write `rollingUpdate: null` instead of removing the
    /// key (for client-side appliers that keep a stale `rollingUpdate`).
    pub null_rolling_update: bool,
    /// `failOn`
    pub fail_on: FailOn,
    /// `namespace`: where objects without `metadata.namespace` go (`None`: decided from the
    /// bundle, see `facts`).
    pub namespace: Option<String>,
    /// `cluster`: files holding the cluster's storage objects, read as facts only.
    pub cluster: Vec<String>,
    /// `rules`: severity overrides by rule id, in the order given (a later one wins).
    pub rules: Vec<(&'static str, RuleLevel)>,
    /// `exclude`: globs of paths `check` and `fix` leave out.
    pub exclude: Vec<String>,
    /// Report only (`rwo-guard check`): every workload to fix is an error and nothing is
    /// planned, whatever `mode` says the fix would be. Not a field: the command sets it.
    pub report_only: bool,
}

/// What `rules` sets a rule to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleLevel {
    /// The rule does nothing: no finding, and for the strategy rules no edit.
    Off,
    /// Its findings are info.
    Info,
    /// Its findings are warnings.
    Warning,
    /// Its findings are errors.
    Error,
}

impl Keyword for RuleLevel {
    const ALL: &'static [(&'static str, Self)] = &[
        ("off", RuleLevel::Off),
        ("info", RuleLevel::Info),
        ("warning", RuleLevel::Warning),
        ("error", RuleLevel::Error),
    ];
}

impl Config {
    /// What `rules` sets `rule` to (`None`: its own severity).
    pub fn rule_level(&self, rule: &str) -> Option<RuleLevel> {
        self.rules.iter().rev().find(|(r, _)| *r == rule).map(|&(_, l)| l)
    }
}

/// What values a field takes.
#[derive(Clone, Copy, Debug)]
pub enum Values {
    /// One of a fixed set of words (the first spelling of each is the one documented).
    Keyword(fn() -> Vec<&'static str>),
    /// `true` or `false`; on the command line a switch that sets `true`.
    Switch,
    /// A word of the user's: what it is, in `--help` (`NAMESPACE`) and the README.
    Text(&'static str, &'static str),
    /// Files, each a word of the user's: the flag repeats, a config file gives a string or a
    /// list of strings. What one is, in `--help` (`FILE`) and the README.
    Files(&'static str, &'static str),
    /// A list of words (`exclude: [a, b]`; a repeated flag; a ConfigMap's comma-separated
    /// string): what one is, in `--help` (`GLOB`) and the README. Each is given to the setter.
    List(&'static str, &'static str),
    /// A mapping of words to words (`rules: {a: b}`; a repeated flag `a=b`; a ConfigMap's
    /// comma-separated `a=b` pairs). Each pair is given to the setter as `key=value`.
    Map(&'static str, &'static str),
}

/// One configuration field: everything about it in one place.
#[derive(Clone, Copy, Debug)]
pub struct Field {
    /// Its key in a config file (`spec.<name>`, `data.<name>`).
    pub name: &'static str,
    /// Its long flag, without the dashes.
    pub flag: &'static str,
    /// Its short flag.
    pub short: Option<char>,
    /// What values it takes.
    pub values: Values,
    /// Its default, as written in a config file.
    pub default: &'static str,
    /// One line for `--help` and the README.
    pub doc: &'static str,
    /// Sets the field from a spelling; `Err` says what is wrong with it.
    pub set: fn(&mut Config, &str) -> Result<(), String>,
}

/// Every configuration field, in the order they are documented.
pub static FIELDS: &[Field] = &[
    Field {
        name: "mode",
        flag: "mode",
        short: Some('m'),
        values: Values::Keyword(Mode::names),
        default: "recreate",
        doc: "recreate: type Recreate; rolling: RollingUpdate with maxSurge 0; check: change nothing, report every workload to fix as an error",
        set: |c, v| set_keyword(&mut c.mode, v),
    },
    Field {
        name: "externalClaims",
        flag: "external-claims",
        short: None,
        values: Values::Keyword(ExternalClaims::names),
        default: "warn",
        doc: "Claims whose PVC is not in the input: warn (a warning, no change), ignore, assume-exclusive (treat as ReadWriteOnce)",
        set: |c, v| set_keyword(&mut c.external_claims, v),
    },
    Field {
        name: "nullRollingUpdate",
        flag: "null-rolling-update",
        short: None,
        values: Values::Switch,
        default: "false",
        doc: "With Recreate, write `rollingUpdate: null` instead of removing the key",
        set: |c, v| set_switch(&mut c.null_rolling_update, v),
    },
    Field {
        name: "failOn",
        flag: "fail-on",
        short: None,
        values: Values::Keyword(FailOn::names),
        default: "error",
        doc: "Findings of this severity or worse make the exit code 1: error, warning, never",
        set: |c, v| set_keyword(&mut c.fail_on, v),
    },
    Field {
        name: "namespace",
        flag: "namespace",
        short: Some('n'),
        values: Values::Text("NAMESPACE", "a namespace name"),
        default: "",
        doc: "The namespace objects without metadata.namespace are applied to (kubectl apply -n, helm install -n); unset: the bundle's namespace when all its namespaced objects share one",
        set: set_namespace,
    },
    Field {
        name: "cluster",
        flag: "cluster",
        short: None,
        values: Values::Files("FILE", "a file path (repeatable; a list in a config file)"),
        default: "",
        doc: "The cluster's storage objects, from `kubectl get storageclass,csidriver,persistentvolume -o yaml`: facts only, never edited or written; the bundle's object of the same name wins, a later file's replaces an earlier one's (the flags' files come after the config's). Not accepted from a functionConfig",
        set: |c, v| {
            if !v.is_empty() {
                c.cluster.push(v.to_string());
            }
            Ok(())
        },
    },
    Field {
        name: "rules",
        flag: "rule",
        short: None,
        values: Values::Map("RULE=LEVEL", "rule id: off, info, warning or error"),
        default: "",
        doc: "A rule's severity, or off (no finding, no edit), by rule id (`rwo-guard rules`); repeat the flag for several",
        set: set_rule,
    },
    Field {
        name: "exclude",
        flag: "exclude",
        short: None,
        values: Values::List("GLOB", "a glob of paths"),
        default: "",
        doc: "Paths check and fix leave out: globs relative to the config file's directory (the current one for the flag); `*` within a name, `**` across directories, a glob without `/` matches any file or directory name; repeat the flag for several",
        set: set_exclude,
    },
];

/// One `rules` entry, `RULE=LEVEL` (empty: none).
fn set_rule(c: &mut Config, v: &str) -> Result<(), String> {
    if v.is_empty() {
        return Ok(());
    }
    let Some((id, level)) = v.split_once('=') else {
        return Err(format!("`{v}` is not RULE=LEVEL"));
    };
    let (id, level) = (id.trim(), level.trim());
    let Some(&rule) = crate::rule_ids::ALL.iter().find(|r| **r == id) else {
        let near = crate::rule_ids::ALL.iter().min_by_key(|n| distance(n, id)).unwrap_or(&"");
        return Err(format!("`{id}` is not a rule id (did you mean `{near}`? `rwo-guard rules` lists them)"));
    };
    let level =
        RuleLevel::parse(level).ok_or_else(|| format!("{id}: `{level}` is not one of {}", RuleLevel::accepted()))?;
    c.rules.push((rule, level));
    Ok(())
}

/// One `exclude` glob (empty: none).
#[allow(clippy::unnecessary_wraps, reason = "every field's setter has one signature")]
fn set_exclude(c: &mut Config, v: &str) -> Result<(), String> {
    if !v.is_empty() {
        c.exclude.push(v.to_string());
    }
    Ok(())
}

/// Edit distance, for suggesting the nearest rule id.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// A namespace name (a DNS-1123 label), or empty for none.
fn set_namespace(c: &mut Config, v: &str) -> Result<(), String> {
    let label = v.len() <= 63
        && v.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !v.starts_with('-')
        && !v.ends_with('-');
    if !label {
        return Err(format!("`{v}` is not a namespace name (at most 63 lowercase letters, digits and '-')"));
    }
    c.namespace = (!v.is_empty()).then(|| v.to_string());
    Ok(())
}

impl Field {
    /// The field called `name` in config files.
    #[cfg(test)]
    pub fn named(name: &str) -> Option<&'static Field> {
        FIELDS.iter().find(|f| f.name == name)
    }
}

fn set_keyword<T: Keyword + PartialEq>(slot: &mut T, value: &str) -> Result<(), String> {
    *slot = T::parse(value).ok_or_else(|| format!("`{value}` is not one of {}", T::accepted()))?;
    Ok(())
}

fn set_switch(slot: &mut bool, value: &str) -> Result<(), String> {
    *slot = match value {
        "true" => true,
        "false" => false,
        other => return Err(format!("`{other}` is not true or false")),
    };
    Ok(())
}

impl Default for Config {
    /// Every field at its default from [`FIELDS`].
    fn default() -> Self {
        // Placeholders, each replaced by its field's default below.
        let mut c = Config {
            mode: Mode::ALL[0].1,
            external_claims: ExternalClaims::ALL[0].1,
            null_rolling_update: false,
            fail_on: FailOn::ALL[0].1,
            namespace: None,
            cluster: Vec::new(),
            rules: Vec::new(),
            exclude: Vec::new(),
            report_only: false,
        };
        for f in FIELDS {
            // The defaults are valid spellings (a unit test holds them to it).
            let _ = (f.set)(&mut c, f.default);
        }
        c
    }
}

/// Config fields given on the command line, by field, as spelled there.
pub type Overrides = Vec<(&'static Field, String)>;

impl Config {
    /// Applies command-line overrides (flags win). Their values were checked by the
    /// command-line parser with the same words.
    #[must_use]
    pub fn with(mut self, overrides: &Overrides) -> Config {
        for (field, value) in overrides {
            let _ = (field.set)(&mut self, value);
        }
        self
    }
}

/// A keyword-valued field: its accepted spellings.
pub trait Keyword: Sized + Copy + 'static {
    /// Every value with its spelling, the documented one first for each value.
    const ALL: &'static [(&'static str, Self)];

    /// Parses a spelling: exactly, or ignoring case, `-` and `_` (`Recreate`,
    /// `assume_exclusive`), which no two values share.
    fn parse(s: &str) -> Option<Self> {
        let folded = |w: &str| w.chars().filter(|c| !matches!(c, '-' | '_')).collect::<String>().to_ascii_lowercase();
        Self::ALL
            .iter()
            .find(|(k, _)| *k == s)
            .or_else(|| Self::ALL.iter().find(|(k, _)| folded(k) == folded(s)))
            .map(|(_, v)| *v)
    }

    /// The spelling of a value.
    fn name(self) -> &'static str
    where
        Self: PartialEq,
    {
        Self::ALL.iter().find(|(_, v)| *v == self).map_or("?", |(k, _)| k)
    }

    /// The documented spellings, one per value, in order.
    fn names() -> Vec<&'static str>
    where
        Self: PartialEq,
    {
        let mut out: Vec<&'static str> = Vec::new();
        for (k, v) in Self::ALL {
            if !Self::ALL.iter().any(|(k2, v2)| v2 == v && out.contains(k2)) {
                out.push(k);
            }
        }
        out
    }

    /// `a, b, c` for messages.
    fn accepted() -> String
    where
        Self: PartialEq,
    {
        Self::names().join(", ")
    }
}

impl Keyword for Mode {
    const ALL: &'static [(&'static str, Self)] = &[
        ("recreate", Mode::Recreate),
        ("rolling", Mode::Rolling),
        ("check", Mode::Check),
        // The Kubernetes name of the rolling strategy.
        ("RollingUpdate", Mode::Rolling),
    ];
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
    parse_as(text, origin, false)
}

/// Parses a repository's config file (`.rwo-guard.yaml`, `--config`): as [`parse`], and also
/// the fields alone at the top (`rules: {replicas: off}`), without `apiVersion` and `kind`.
pub fn parse_file(text: &str, origin: &str) -> Result<Config, Fatal> {
    parse_as(text, origin, true)
}

fn parse_as(text: &str, origin: &str, bare: bool) -> Result<Config, Fatal> {
    let fail = |problems: Vec<String>| Fatal::Config { origin: origin.to_string(), problems };
    if text.len() > MAX_CONFIG_BYTES {
        return Err(fail(vec![format!("is {} bytes; the most rwo-guard reads is {MAX_CONFIG_BYTES}", text.len())]));
    }
    let value: Value = serde_norway::from_str(text).map_err(|e| fail(vec![format!("is not valid YAML: {e}")]))?;
    from_value(&value, bare).map_err(fail)
}

fn from_value(value: &Value, bare: bool) -> Result<Config, Vec<String>> {
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
        "" if bare && !root.contains_key("apiVersion") => Fields::Bare(root),
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

/// Where the fields are in a config document.
enum Fields<'a> {
    /// `spec` of the typed kind: real YAML types.
    Typed(Option<&'a Mapping>),
    /// `data` of a ConfigMap: every value a string.
    Strings(Option<&'a Mapping>),
    /// The fields alone at the top of a repository's config file.
    Bare(&'a Mapping),
}

impl Fields<'_> {
    fn read(&self, problems: &mut Vec<String>) -> Config {
        let (map, prefix, strings) = match self {
            Fields::Typed(m) => (*m, "spec.", false),
            Fields::Strings(m) => (*m, "data.", true),
            Fields::Bare(m) => (Some(*m), "", false),
        };
        let mut config = Config::default();
        let Some(map) = map else { return config };
        let known: Vec<&str> = FIELDS.iter().map(|f| f.name).collect();
        check_keys(map, prefix, &known, problems);
        for field in FIELDS {
            let Some(value) = map.get(field.name) else { continue };
            if let (Values::Files(..), Value::Sequence(items), false) = (field.values, value, strings) {
                for (n, item) in items.iter().enumerate() {
                    match item {
                        Value::String(s) if !s.is_empty() => {
                            let _ = (field.set)(&mut config, s);
                        }
                        other => problems.push(format!(
                            "{prefix}{}[{n}]: must be a file path, found {}",
                            field.name,
                            describe(other)
                        )),
                    }
                }
                continue;
            }
            if let Values::List(..) | Values::Map(..) = field.values {
                for problem in entries(field, value, strings, &mut config) {
                    problems.push(format!("{prefix}{}{problem}", field.name));
                }
                continue;
            }
            let spelled = match (field.values, value, strings) {
                (Values::List(..) | Values::Map(..), ..) => continue,
                (Values::Keyword(_) | Values::Text(..) | Values::Files(..), Value::String(s), _) => Ok(s.clone()),
                (Values::Files(..), other, false) => {
                    Err(format!("must be a file path or a list of them, found {}", type_name(other)))
                }
                (Values::Keyword(_) | Values::Text(..) | Values::Files(..), other, _) => {
                    Err(format!("must be a string, found {}", type_name(other)))
                }
                (Values::Switch, Value::Bool(b), false) => Ok(b.to_string()),
                (Values::Switch, Value::String(s), true) if s == "true" || s == "false" => Ok(s.clone()),
                (Values::Switch, other, _) => Err(format!(
                    "must be {}, found {}",
                    if strings { "\"true\" or \"false\"" } else { "true or false" },
                    describe(other)
                )),
            };
            if let Err(problem) = spelled.and_then(|v| (field.set)(&mut config, &v)) {
                problems.push(format!("{prefix}{}: {problem}", field.name));
            }
        }
        config
    }
}

/// Reads a list or map field's value into `config`, one setter call per entry; the problems
/// found, each starting with where (`[1]`, `.replicas`, or `` for the value itself).
fn entries(field: &Field, value: &Value, strings: bool, config: &mut Config) -> Vec<String> {
    let mut problems = Vec::new();
    let mut set = |problems: &mut Vec<String>, at: String, v: &str| {
        if let Err(p) = (field.set)(config, v) {
            problems.push(format!("{at}: {p}"));
        }
    };
    match (field.values, value) {
        (_, Value::Null) => {}
        (_, Value::String(s)) if strings => {
            for part in s.split([',', '\n']).map(str::trim).filter(|p| !p.is_empty()) {
                set(&mut problems, String::new(), part);
            }
        }
        (Values::List(..), Value::Sequence(items)) => {
            for (i, item) in items.iter().enumerate() {
                match item.as_str() {
                    Some(s) => set(&mut problems, format!("[{i}]"), s),
                    None => problems.push(format!("[{i}]: must be a string, found {}", type_name(item))),
                }
            }
        }
        (Values::Map(..), Value::Mapping(map)) => {
            for (k, v) in map {
                let key = k.as_str().unwrap_or("?");
                match (k.as_str(), v.as_str()) {
                    (Some(k), Some(v)) => set(&mut problems, format!(".{k}"), &format!("{k}={v}")),
                    // `off` is read as a boolean by YAML 1.1 readers: take `false` for it.
                    (Some(k), None) if *v == Value::Bool(false) => {
                        set(&mut problems, format!(".{k}"), &format!("{k}=off"));
                    }
                    _ => problems.push(format!(".{key}: must be a string, found {}", type_name(v))),
                }
            }
        }
        (Values::List(..), other) => problems.push(format!(": must be a list, found {}", type_name(other))),
        (_, other) => problems.push(format!(": must be a mapping, found {}", type_name(other))),
    }
    problems
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
                fail_on: FailOn::Warning,
                namespace: None,
                cluster: Vec::new(),
                rules: Vec::new(),
                exclude: Vec::new(),
                report_only: false,
            }
        );
    }

    #[test]
    fn cluster_files_are_a_string_or_a_list() {
        let typed = |files: &str| {
            parse(&format!("apiVersion: rwo-guard.dev/v1alpha1\nkind: RwoGuard\nspec:\n  cluster: {files}\n"), "t")
        };
        assert_eq!(typed("a.yaml").expect("one").cluster, ["a.yaml"]);
        assert_eq!(typed("[a.yaml, b.yaml]").expect("two").cluster, ["a.yaml", "b.yaml"]);
        let p = match typed("[a.yaml, 3, '']") {
            Err(Fatal::Config { problems, .. }) => problems,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            p,
            ["spec.cluster[1]: must be a file path, found `3`", "spec.cluster[2]: must be a file path, found ``"]
        );
        let map = parse("apiVersion: v1\nkind: ConfigMap\ndata: {cluster: c.yaml}\n", "t").expect("configmap");
        assert_eq!(map.cluster, ["c.yaml"]);
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
        let mode = Field::named("mode").expect("mode");
        let c = Config::default().with(&vec![(mode, "check".to_string())]);
        assert_eq!(c.mode, Mode::Check);
    }

    #[test]
    fn defaults_come_from_the_table_and_are_valid() {
        for f in FIELDS {
            let mut c = Config::default();
            assert_eq!((f.set)(&mut c, f.default), Ok(()), "{}", f.name);
            assert_eq!(c, Config::default(), "{}", f.name);
        }
        let d = Config::default();
        assert_eq!(
            (d.mode, d.external_claims, d.null_rolling_update, d.fail_on),
            (Mode::Recreate, ExternalClaims::Warn, false, FailOn::Error)
        );
    }

    #[test]
    fn kubernetes_spellings_are_accepted() {
        assert_eq!(Mode::parse("Recreate"), Some(Mode::Recreate));
        assert_eq!(Mode::parse("RollingUpdate"), Some(Mode::Rolling));
        assert_eq!(Mode::parse("rolling-update"), Some(Mode::Rolling));
        assert_eq!(ExternalClaims::parse("AssumeExclusive"), Some(ExternalClaims::AssumeExclusive));
        assert_eq!(FailOn::parse("Warning"), Some(FailOn::Warning));
        assert_eq!(Mode::parse("recreat"), None);
        assert_eq!(Mode::accepted(), "recreate, rolling, check");
    }

    #[test]
    fn rules_and_exclude_read_from_every_shape() {
        let bare =
            parse_file("rules:\n  replicas: error\n  external-claim: off\nexclude: [legacy, '**/*.tmpl.yaml']\n", "t")
                .expect("bare fields");
        assert_eq!(bare.rules, [("replicas", RuleLevel::Error), ("external-claim", RuleLevel::Off)]);
        assert_eq!(bare.exclude, ["legacy", "**/*.tmpl.yaml"]);
        let typed =
            parse("apiVersion: rwo-guard.dev/v1alpha1\nkind: RwoGuard\nspec:\n  rules: {replicas: info}\n", "t")
                .expect("typed");
        assert_eq!(typed.rule_level("replicas"), Some(RuleLevel::Info));
        let map = parse(
            "apiVersion: v1\nkind: ConfigMap\ndata:\n  rules: replicas=off, daemonset=error\n  exclude: a,b\n",
            "t",
        )
        .expect("configmap");
        assert_eq!((map.rules.len(), map.exclude.len()), (2, 2));
        assert!(
            matches!(parse("rules: {replicas: off}\n", "t"), Err(Fatal::Config { .. })),
            "only a repository file may be bare"
        );
    }

    #[test]
    fn a_wrong_rule_or_level_is_named_with_the_nearest_rule() {
        let p = match parse_file("rules:\n  replica: off\n  daemonset: loud\nexclude: 3\n", "t") {
            Err(Fatal::Config { problems, .. }) => problems,
            other => panic!("{other:?}"),
        };
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(p[0].starts_with("rules.replica: `replica` is not a rule id (did you mean `replicas`?"), "{p:?}");
        assert_eq!(p[1], "rules.daemonset: daemonset: `loud` is not one of off, info, warning, error");
        assert_eq!(p[2], "exclude: must be a list, found a number");
    }
}
