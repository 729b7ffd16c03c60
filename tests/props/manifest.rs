//! Random manifests from a small grammar: PVCs (RWO, RWX, RWOP, ROX), Deployments and other
//! workloads with strategies of every shape, autoscalers, ConfigMaps, `kind: List`, KRM
//! ResourceLists with or without functionConfig and existing results, kustomize annotations
//! and renamed claims — written in many YAML styles: block and flow, JSON, plain and quoted
//! scalars, `!!str` tags on keys, CRLF, comments before and after keys and inside strategies, indented and
//! indentless lists, `---` and `...` markers — and, one case in eight, anchors placed on random
//! nodes with aliases and merge keys (`<<: *a`) to them further on, within an object or across
//! a List's or ResourceList's items (around the edited objects too).
//!
//! Every choice comes from a [`Source`]: a seeded [`XorShift`] in the test suite, the fuzzer's
//! bytes ([`Bytes`]) in the fuzz targets, so each case is reproducible from its seed or input.

/// Where the random choices come from.
pub trait Source {
    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize;

    /// True `num` times in `den`.
    fn chance(&mut self, num: usize, den: usize) -> bool {
        self.below(den) < num
    }

    /// One of `items` (not empty).
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

/// A small xorshift64* generator: deterministic from its seed.
pub struct XorShift(u64);

impl XorShift {
    /// A generator seeded with `seed` (any value, 0 included).
    pub fn new(seed: u64) -> Self {
        XorShift(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x2545_F491_4F6C_DD1D | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

impl Source for XorShift {
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next_u64() % n.max(1) as u64).unwrap_or(0)
    }
}

/// Choices read from a byte string (a fuzzer's input); 0 once it runs out.
pub struct Bytes<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Bytes<'a> {
    /// Choices from `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Bytes { data, at: 0 }
    }

    /// Whether every byte was used.
    pub fn exhausted(&self) -> bool {
        self.at >= self.data.len()
    }
}

impl Source for Bytes<'_> {
    fn below(&mut self, n: usize) -> usize {
        let n = n.max(1);
        let mut v = 0usize;
        let mut range = 1usize;
        while range < n {
            let b = self.data.get(self.at).copied().unwrap_or(0);
            self.at += 1;
            v = (v << 8) | usize::from(b);
            range = range.saturating_mul(256);
        }
        v % n
    }
}

/// A YAML value before it is written.
#[derive(Clone, Debug)]
pub enum Y {
    /// A string: written plain or quoted.
    S(String),
    /// A number or other plain-typed word (`0`, `25%`, `true`): written plain, now and then
    /// quoted (which makes it a string: odd but legal input).
    I(String),
    /// A null: written as nothing, `null` or `~`.
    N,
    /// A literal block scalar (`|`).
    Lit(String),
    /// A mapping.
    M(Vec<(String, Y)>),
    /// A sequence.
    L(Vec<Y>),
    /// A node with an anchor (`&name`).
    A(String, Box<Y>),
    /// An alias (`*name`).
    Z(String),
}

fn s(v: &str) -> Y {
    Y::S(v.to_string())
}

fn i(v: &str) -> Y {
    Y::I(v.to_string())
}

fn m(entries: Vec<(&str, Y)>) -> Y {
    Y::M(entries.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

const CLAIMS: &[&str] = &["data", "cache", "logs", "pre-data-suf"];
const WORKLOADS: &[&str] = &["web", "api", "worker"];
const NAMESPACES: &[&str] = &["prod", "default", "staging"];
const COMMENTS: &[&str] = &[
    "# a comment",
    "#",
    "# strategy: {type: Recreate}",
    "# - name: x",
    "# rollingUpdate: null  ",
    "# 日本語 ünïcödé",
    "# key: value # nested",
];

fn namespace(src: &mut impl Source) -> Option<&'static str> {
    if src.chance(1, 2) {
        Some(src.pick(NAMESPACES))
    } else {
        None
    }
}

fn metadata(src: &mut impl Source, name: &str, ns: Option<&str>, extra: Vec<(String, Y)>) -> Y {
    let mut meta = vec![("name".to_string(), s(name))];
    if let Some(ns) = ns {
        meta.push(("namespace".into(), s(ns)));
    }
    let mut ann = extra;
    if src.chance(1, 3) {
        ann.push(("config.kubernetes.io/index".into(), s(&src.below(3).to_string())));
        ann.push(("config.kubernetes.io/path".into(), s(&format!("{name}.yaml"))));
    }
    if src.chance(1, 6) {
        ann.push(("internal.config.kubernetes.io/previousNamespaces".into(), s("default,prod")));
    }
    if src.chance(1, 5) {
        ann.push(("description".into(), s("{{ .Values.description }}")));
    }
    if !ann.is_empty() || src.chance(1, 10) {
        meta.push(("annotations".into(), Y::M(ann)));
    }
    if src.chance(1, 3) {
        meta.push(("labels".into(), m(vec![("app", s(name))])));
    }
    if src.chance(1, 2) {
        let last = meta.len() - 1;
        meta.swap(0, last);
    }
    Y::M(meta)
}

fn intish(src: &mut impl Source) -> Y {
    match src.below(8) {
        0 => i("0"),
        1 => i("1"),
        2 => i("25%"),
        3 => i("0%"),
        4 => s("0"),
        5 => Y::N,
        6 => i("100%"),
        _ => i("2"),
    }
}

fn rolling_update(src: &mut impl Source) -> Y {
    let mut e = Vec::new();
    if src.chance(3, 4) {
        e.push(("maxSurge".to_string(), intish(src)));
    }
    if src.chance(3, 4) {
        e.push(("maxUnavailable".to_string(), intish(src)));
    }
    if src.chance(1, 2) {
        e.reverse();
    }
    if e.is_empty() && src.chance(1, 2) {
        return Y::N;
    }
    Y::M(e)
}

/// `spec.strategy` of every shape (`None`: absent).
fn strategy(src: &mut impl Source, openshift: bool) -> Option<Y> {
    if openshift {
        return match src.below(5) {
            0 => None,
            1 => Some(m(vec![("type", s("Recreate"))])),
            2 => Some(m(vec![("type", s("Rolling"))])),
            3 => Some(m(vec![
                ("type", s("Rolling")),
                ("rollingParams", m(vec![("maxSurge", intish(src)), ("maxUnavailable", intish(src))])),
            ])),
            _ => Some(m(vec![("rollingParams", m(vec![("maxSurge", intish(src))]))])),
        };
    }
    let k = src.below(15);
    let mut entries = match k {
        0..=3 => return None,
        4 => return Some(Y::N),
        5 => Vec::new(),
        6 => vec![("type".to_string(), s("Recreate"))],
        7 => vec![("type".to_string(), s("RollingUpdate"))],
        8 => vec![("rollingUpdate".to_string(), rolling_update(src))],
        9 => vec![("type".to_string(), s("Recreate")), ("rollingUpdate".to_string(), Y::N)],
        10 => vec![("type".to_string(), s("Recreate")), ("rollingUpdate".to_string(), rolling_update(src))],
        11 => return Some(s(if src.chance(1, 2) { "Recreate" } else { "RollingUpdate" })),
        _ => {
            let t = match src.below(6) {
                0 | 1 => s("RollingUpdate"),
                2 | 3 => s("Recreate"),
                4 => s("Bogus"),
                _ => Y::N,
            };
            vec![("type".to_string(), t), ("rollingUpdate".to_string(), rolling_update(src))]
        }
    };
    if src.chance(1, 8) {
        entries.push(("x-extra".to_string(), s("kept")));
    }
    if src.chance(1, 3) {
        entries.reverse();
    }
    Some(Y::M(entries))
}

fn volumes(src: &mut impl Source) -> Y {
    let n = src.below(4);
    let mut items = Vec::new();
    for k in 0..n {
        let name = format!("v{k}");
        let v = match src.below(5) {
            0 => m(vec![("name", s(&name)), ("emptyDir", m(vec![]))]),
            1 => m(vec![("name", s(&name)), ("configMap", m(vec![("name", s("cfg"))]))]),
            _ => {
                let mut pvc = vec![("claimName", s(src.pick(CLAIMS)))];
                if src.chance(1, 5) {
                    pvc.push(("readOnly", i("true")));
                }
                let mut e = vec![("name", s(&name)), ("persistentVolumeClaim", m(pvc))];
                if src.chance(1, 3) {
                    e.reverse();
                }
                m(e)
            }
        };
        items.push(v);
    }
    Y::L(items)
}

fn workload(src: &mut impl Source) -> Y {
    let (api, kind) = match src.below(12) {
        0 => ("apps/v1", "StatefulSet"),
        1 => ("apps/v1", "DaemonSet"),
        2 => ("apps.openshift.io/v1", "DeploymentConfig"),
        3 => ("apps/v1", "ReplicaSet"),
        _ => ("apps/v1", "Deployment"),
    };
    let name = src.pick(WORKLOADS);
    let mut ann = Vec::new();
    if src.chance(1, 6) {
        let v = src.pick(&["\"true\"", "true", "false", "yes"]);
        ann.push(("rwo-guard.dev/skip".to_string(), if v.starts_with('"') { s("true") } else { i(v) }));
    }
    if src.chance(1, 6) {
        ann.push(("rwo-guard.dev/mode".to_string(), s(src.pick(&["recreate", "rolling", "check", "sideways"]))));
    }
    if src.chance(1, 6) {
        ann.push(("internal.config.kubernetes.io/previousNames".to_string(), s(&format!("{name},{name}"))));
    }
    let ns = namespace(src);
    let mut spec: Vec<(String, Y)> = Vec::new();
    match src.below(6) {
        0 => {}
        1 => spec.push(("replicas".into(), i("2"))),
        2 => spec.push(("replicas".into(), s("1"))),
        _ => spec.push(("replicas".into(), i("1"))),
    }
    if src.chance(1, 2) {
        spec.push(("selector".into(), m(vec![("matchLabels", m(vec![("app", s(name))]))])));
    }
    if let Some(st) = strategy(src, kind == "DeploymentConfig") {
        spec.push(("strategy".into(), st));
    }
    if src.chance(7, 8) {
        let mut pod = Vec::new();
        if src.chance(3, 4) {
            let c = m(vec![("name", s("app")), ("image", s("registry.example.com/app:1.2.3"))]);
            pod.push(("containers".to_string(), Y::L(vec![c])));
        }
        pod.push(("volumes".to_string(), volumes(src)));
        if src.chance(1, 2) {
            pod.reverse();
        }
        let mut template = vec![("spec".to_string(), Y::M(pod))];
        if src.chance(1, 2) {
            template.insert(0, ("metadata".into(), m(vec![("labels", m(vec![("app", s(name))]))])));
        }
        spec.push(("template".into(), Y::M(template)));
    }
    // Key order varies: a strategy may come after the template, the template first…
    for _ in 0..src.below(3) {
        let a = src.below(spec.len().max(1));
        let b = src.below(spec.len().max(1));
        if a < spec.len() && b < spec.len() {
            spec.swap(a, b);
        }
    }
    let mut e = vec![
        ("apiVersion".to_string(), s(api)),
        ("kind".to_string(), s(kind)),
        ("metadata".to_string(), metadata(src, name, ns, ann)),
        ("spec".to_string(), Y::M(spec)),
    ];
    if src.chance(1, 6) {
        e.swap(0, 3);
    }
    Y::M(e)
}

fn pvc(src: &mut impl Source) -> Y {
    let name = src.pick(CLAIMS);
    let mut ann = Vec::new();
    if name == "pre-data-suf" || src.chance(1, 8) {
        ann.push(("internal.config.kubernetes.io/previousNames".to_string(), s("data,data,pre-data")));
    }
    let modes = ["ReadWriteOnce", "ReadWriteMany", "ReadWriteOncePod", "ReadOnlyMany"];
    let mut list = vec![s(src.pick(&modes))];
    if src.chance(1, 4) {
        list.push(s(src.pick(&modes)));
    }
    let ns = namespace(src);
    let mut spec = vec![("accessModes", Y::L(list))];
    if src.chance(1, 2) {
        spec.push(("resources", m(vec![("requests", m(vec![("storage", s("10Gi"))]))])));
    }
    m(vec![
        ("apiVersion", s("v1")),
        ("kind", s("PersistentVolumeClaim")),
        ("metadata", metadata(src, name, ns, ann)),
        ("spec", m(spec)),
    ])
}

fn hpa(src: &mut impl Source) -> Y {
    let target = m(vec![("apiVersion", s("apps/v1")), ("kind", s("Deployment")), ("name", s(src.pick(WORKLOADS)))]);
    let ns = namespace(src);
    m(vec![
        ("apiVersion", s("autoscaling/v2")),
        ("kind", s("HorizontalPodAutoscaler")),
        ("metadata", metadata(src, "hpa", ns, Vec::new())),
        (
            "spec",
            m(vec![("scaleTargetRef", target), ("minReplicas", i("1")), ("maxReplicas", i(src.pick(&["1", "3"])))]),
        ),
    ])
}

fn config_map(src: &mut impl Source) -> Y {
    let mut data = vec![("mode", s("rolling"))];
    if src.chance(1, 2) {
        data.push(("manifest", Y::Lit("strategy:\n  type: RollingUpdate\n---\nkind: Deployment\n".into())));
    }
    if src.chance(1, 3) {
        data.push(("helm", s("{{ include \"x\" . }}")));
    }
    let ns = namespace(src);
    m(vec![
        ("apiVersion", s("v1")),
        ("kind", s("ConfigMap")),
        ("metadata", metadata(src, "cfg", ns, Vec::new())),
        ("data", m(data)),
    ])
}

fn object(src: &mut impl Source) -> Y {
    match src.below(10) {
        0..=3 => workload(src),
        4..=6 => pvc(src),
        7 => hpa(src),
        8 => config_map(src),
        _ => m(vec![("apiVersion", s("v1")), ("kind", s("Service")), ("metadata", m(vec![("name", s("svc"))]))]),
    }
}

/// How a manifest is written.
#[derive(Clone, Copy, Debug)]
struct Style {
    unit: usize,
    /// Out of 8: how often a list is indentless.
    indentless: usize,
    /// Out of 16: how often a collection is written in flow style.
    flow: usize,
    /// Out of 16: how often a comment is added where one can go.
    comments: usize,
    /// Out of 16: how often a scalar is quoted.
    quotes: usize,
    /// Out of 32: how often a key carries a `!!str` tag (`!!str kind: Deployment`): the lines
    /// written beside it go at its line's indentation, not at its own column.
    key_tags: usize,
    json: bool,
}

struct W<'s, S: Source> {
    src: &'s mut S,
    out: String,
    style: Style,
}

fn plain_ok(v: &str) -> bool {
    !v.is_empty()
        && !v.contains(": ")
        && !v.contains(" #")
        && !v.starts_with(['{', '[', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', '#', '-', '?', ':', ','])
        && !v.ends_with(':')
        && !matches!(v, "null" | "~" | "true" | "false" | "yes" | "no")
        && v.parse::<f64>().is_err()
}

fn double_quoted(v: &str) -> String {
    let mut out = String::from("\"");
    for c in v.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl<S: Source> W<'_, S> {
    fn comment(&mut self) -> Option<&'static str> {
        if self.src.below(16) < self.style.comments {
            Some(self.src.pick(COMMENTS))
        } else {
            None
        }
    }

    fn eol(&mut self) {
        if let Some(c) = self.comment() {
            self.out.push(' ');
            self.out.push_str(c);
        }
        self.out.push('\n');
    }

    fn comment_line(&mut self, col: usize) {
        if let Some(c) = self.comment() {
            self.out.push_str(&" ".repeat(col));
            self.out.push_str(c);
            self.out.push('\n');
        }
    }

    fn key(&mut self, k: &str) {
        if !self.style.json && self.src.below(32) < self.style.key_tags {
            self.out.push_str("!!str ");
        }
        if self.style.json {
            self.out.push_str(&double_quoted(k));
        } else if self.src.below(24) < self.style.quotes || !plain_ok(k) {
            self.quoted(k);
        } else {
            self.out.push_str(k);
        }
    }

    fn quoted(&mut self, v: &str) {
        if self.src.chance(1, 2) {
            self.out.push('\'');
            self.out.push_str(&v.replace('\'', "''"));
            self.out.push('\'');
        } else {
            self.out.push_str(&double_quoted(v));
        }
    }

    /// A scalar, written in flow (one line).
    fn scalar(&mut self, v: &Y, in_flow: bool) {
        match v {
            Y::S(t) | Y::Lit(t) => {
                if self.style.json {
                    self.out.push_str(&double_quoted(t));
                } else if self.src.below(16) < self.style.quotes
                    || !plain_ok(t)
                    || (in_flow && t.contains(['{', '}', '[', ']', ',']))
                {
                    self.quoted(t);
                } else {
                    self.out.push_str(t);
                }
            }
            Y::I(t) => {
                let json_plain = t.parse::<i64>().is_ok() || matches!(t.as_str(), "true" | "false");
                if (self.style.json && !json_plain) || self.src.chance(1, 12) {
                    self.out.push_str(&double_quoted(t));
                } else {
                    self.out.push_str(t);
                }
            }
            Y::N => {
                let w = if self.style.json { "null" } else { self.src.pick(&["null", "~", "null", "Null"]) };
                self.out.push_str(w);
            }
            Y::M(_) | Y::L(_) => self.flow(v),
            Y::A(name, inner) => {
                self.out.push('&');
                self.out.push_str(name);
                self.out.push(' ');
                self.scalar(inner, in_flow);
            }
            Y::Z(name) => {
                self.out.push('*');
                self.out.push_str(name);
            }
        }
    }

    fn flow(&mut self, v: &Y) {
        let pad = !self.style.json && self.src.chance(1, 4);
        match v {
            Y::M(entries) => {
                self.out.push('{');
                for (n, (k, v)) in entries.iter().enumerate() {
                    self.out.push_str(if n > 0 {
                        ", "
                    } else if pad {
                        " "
                    } else {
                        ""
                    });
                    self.key(k);
                    self.out.push_str(": ");
                    self.scalar(v, true);
                }
                if pad && !entries.is_empty() {
                    self.out.push(' ');
                }
                self.out.push('}');
            }
            Y::L(items) => {
                self.out.push('[');
                for (n, v) in items.iter().enumerate() {
                    if n > 0 {
                        self.out.push_str(", ");
                    }
                    self.scalar(v, true);
                }
                self.out.push(']');
            }
            other => self.scalar(other, true),
        }
    }

    fn wants_flow(&mut self, v: &Y) -> bool {
        match v {
            Y::M(e) if e.is_empty() => true,
            Y::L(e) if e.is_empty() => true,
            Y::M(_) | Y::L(_) => self.style.json || self.src.below(16) < self.style.flow,
            _ => true,
        }
    }

    /// The value of a block mapping pair whose key (at `col`) and colon are written.
    fn value(&mut self, v: &Y, col: usize) {
        match v {
            Y::A(name, inner) if matches!(**inner, Y::M(_) | Y::L(_)) && !self.wants_flow(inner) => {
                self.out.push_str(" &");
                self.out.push_str(name);
                self.eol();
                match &**inner {
                    Y::M(entries) => self.block_map(entries, col + self.style.unit, false),
                    Y::L(items) => self.block_list(items, col + self.style.unit),
                    _ => {}
                }
            }
            Y::N if self.src.chance(1, 3) => self.eol(),
            Y::Lit(t) => {
                self.out.push_str(" |");
                self.out.push('\n');
                for line in t.lines() {
                    self.out.push_str(&" ".repeat(col + self.style.unit));
                    self.out.push_str(line);
                    self.out.push('\n');
                }
            }
            Y::M(entries) if !self.wants_flow(v) => {
                self.eol();
                self.block_map(entries, col + self.style.unit, false);
            }
            Y::L(items) if !self.wants_flow(v) => {
                self.eol();
                let at = if self.src.below(8) < self.style.indentless { col } else { col + self.style.unit };
                self.block_list(items, at);
            }
            other => {
                self.out.push(' ');
                self.scalar(other, false);
                self.eol();
            }
        }
    }

    /// A block mapping at `col`; with `inline`, its first key follows a `- ` already written.
    fn block_map(&mut self, entries: &[(String, Y)], col: usize, inline: bool) {
        for (n, (k, v)) in entries.iter().enumerate() {
            if !(inline && n == 0) {
                self.comment_line(col);
                self.out.push_str(&" ".repeat(col));
            }
            self.key(k);
            self.out.push(':');
            self.value(v, col);
        }
    }

    fn block_list(&mut self, items: &[Y], col: usize) {
        for item in items {
            self.comment_line(col);
            self.out.push_str(&" ".repeat(col));
            self.out.push('-');
            match item {
                Y::A(name, inner) if matches!(**inner, Y::M(_)) && !self.wants_flow(inner) => {
                    self.out.push_str(" &");
                    self.out.push_str(name);
                    self.out.push('\n');
                    if let Y::M(entries) = &**inner {
                        self.block_map(entries, col + 2, false);
                    }
                }
                Y::M(entries) if !self.wants_flow(item) => {
                    if self.src.chance(1, 10) {
                        // The mapping starts on the line after the dash.
                        self.out.push('\n');
                        self.block_map(entries, col + 2, false);
                    } else {
                        self.out.push(' ');
                        self.block_map(entries, col + 2, true);
                    }
                }
                Y::L(inner) if !self.wants_flow(item) => {
                    self.out.push('\n');
                    self.block_list(inner, col + 2);
                }
                other => {
                    self.out.push(' ');
                    self.scalar(other, false);
                    self.eol();
                }
            }
        }
    }

    /// A whole document's root node.
    fn root(&mut self, v: &Y) {
        match v {
            Y::M(entries) if !entries.is_empty() && !self.style.json && self.src.below(24) >= self.style.flow => {
                self.block_map(entries, 0, false);
            }
            other => {
                self.flow(other);
                self.eol();
            }
        }
    }
}

/// A random case: the input text and the command-line arguments to run it with.
#[derive(Clone, Debug)]
pub struct Case {
    /// The input.
    pub input: String,
    /// The arguments after the program name.
    pub args: Vec<String>,
}

/// The argument sets the properties are checked with.
pub const ARG_SETS: &[&[&str]] = &[
    &[],
    &["--mode", "rolling"],
    &["--null-rolling-update"],
    &["--mode", "check"],
    &["--external-claims", "assume-exclusive"],
    &["--fail-on", "never", "--mode", "rolling"],
];

fn style(src: &mut impl Source) -> Style {
    Style {
        unit: src.pick(&[2, 2, 2, 4, 3]),
        indentless: src.below(9),
        flow: src.pick(&[0, 2, 5, 10]),
        comments: src.pick(&[0, 1, 3, 8]),
        quotes: src.pick(&[0, 2, 6]),
        key_tags: src.pick(&[0, 0, 0, 2]),
        json: false,
    }
}

fn resource_list(src: &mut impl Source, items: Vec<Y>) -> Y {
    let mut e = vec![
        ("apiVersion".to_string(), s("config.kubernetes.io/v1")),
        ("kind".to_string(), s("ResourceList")),
        ("items".to_string(), Y::L(items)),
    ];
    match src.below(5) {
        0 => e.push((
            "functionConfig".into(),
            m(vec![
                ("apiVersion", s("v1")),
                ("kind", s("ConfigMap")),
                ("metadata", m(vec![("name", s("fc"))])),
                ("data", m(vec![("mode", s(src.pick(&["rolling", "recreate", "check"])))])),
            ]),
        )),
        1 => e.push((
            "functionConfig".into(),
            m(vec![
                ("apiVersion", s("rwo-guard.dev/v1alpha1")),
                ("kind", s("RwoGuard")),
                ("metadata", m(vec![("name", s("fc"))])),
                ("spec", m(vec![("nullRollingUpdate", i("true"))])),
            ]),
        )),
        _ => {}
    }
    match src.below(6) {
        0 => e.push((
            "results".into(),
            Y::L(vec![m(vec![("message", s("an earlier function said this")), ("severity", s("info"))])]),
        )),
        1 => e.push(("results".into(), Y::L(Vec::new()))),
        2 => e.push(("results".into(), Y::N)),
        _ => {}
    }
    if src.chance(1, 4) {
        let a = src.below(e.len());
        let last = e.len() - 1;
        e.swap(a, last);
    }
    Y::M(e)
}

/// A step from a node to a child: the `n`-th pair of a mapping or item of a list.
type NodePath = Vec<usize>;

/// Every node below `v` in document order, with the index just past its subtree.
fn nodes(v: &Y, path: &mut NodePath, out: &mut Vec<(NodePath, usize, bool)>) {
    let at = out.len();
    out.push((path.clone(), 0, matches!(v, Y::M(_))));
    let children: Vec<&Y> = match v {
        Y::M(e) => e.iter().map(|(_, v)| v).collect(),
        Y::L(items) => items.iter().collect(),
        Y::A(_, inner) => vec![&**inner],
        _ => Vec::new(),
    };
    for (n, child) in children.into_iter().enumerate() {
        path.push(n);
        nodes(child, path, out);
        path.pop();
    }
    out[at].1 = out.len();
}

fn node_mut<'a>(mut v: &'a mut Y, path: &[usize]) -> &'a mut Y {
    for &n in path {
        v = match v {
            Y::M(e) => &mut e[n].1,
            Y::L(items) => &mut items[n],
            Y::A(_, inner) => inner,
            other => return other,
        };
    }
    v
}

fn has_anchor(v: &Y) -> bool {
    match v {
        Y::A(..) => true,
        Y::M(e) => e.iter().any(|(_, v)| has_anchor(v)),
        Y::L(items) => items.iter().any(has_anchor),
        _ => false,
    }
}

/// Anchors on random nodes of one document, and aliases and merge keys (`<<: *a`) to them
/// further on: the shapes that must never let an edit change what another node means.
fn decorate(doc: &mut Y, src: &mut impl Source) {
    for k in 0..=src.below(3) {
        let mut all = Vec::new();
        nodes(doc, &mut Vec::new(), &mut all);
        if all.len() < 3 {
            return;
        }
        let anchor = 1 + src.below(all.len() - 1);
        let (path, end, is_map) = all[anchor].clone();
        let name = format!("a{}{k}", src.below(1000));
        // One anchor a node: not on an anchor, an alias, or what an anchor is on.
        let parent_anchored = matches!(node_mut(doc, &path[..path.len() - 1]), Y::A(..));
        let target = node_mut(doc, &path);
        if parent_anchored || matches!(target, Y::A(..) | Y::Z(_)) {
            continue;
        }
        let inner = std::mem::replace(target, Y::N);
        *target = Y::A(name.clone(), Box::new(inner));
        // Paths after the anchor's subtree are unchanged by wrapping it.
        if end >= all.len() {
            continue;
        }
        let site = end + src.below(all.len() - end);
        let (site_path, _, site_is_map) = all[site].clone();
        // Not a key of the root (`items: *a`, `results: *a` only make the input invalid), and
        // not over an anchor that an alias may need.
        if site_path.len() < 2 || has_anchor(node_mut(doc, &site_path)) {
            continue;
        }
        match src.below(3) {
            0 if is_map && site_is_map => {
                if let Y::M(entries) = node_mut(doc, &site_path) {
                    if entries.iter().all(|(k, _)| k != "<<") {
                        let at = src.below(entries.len() + 1);
                        entries.insert(at, ("<<".to_string(), Y::Z(name)));
                    }
                }
            }
            _ => *node_mut(doc, &site_path) = Y::Z(name),
        }
    }
}

/// A random manifest in a random style, and the arguments to run it with.
pub fn generate(src: &mut impl Source) -> Case {
    let mut style = style(src);
    let crlf = src.chance(1, 8);
    let n = src.below(7);
    let mut objects: Vec<Y> = (0..n).map(|_| object(src)).collect();
    // Anchors, aliases and merge keys, within one object or across a List's items.
    let anchors = src.chance(1, 8);
    if anchors {
        for o in &mut objects {
            if src.chance(1, 2) {
                decorate(o, src);
            }
        }
    }
    let args: Vec<String> = src.pick(ARG_SETS).iter().map(|a| (*a).to_string()).collect();
    let mut out = String::new();
    if src.chance(1, 4) {
        let mut rl = resource_list(src, objects);
        style.json = !anchors && src.chance(1, 4);
        if anchors && src.chance(1, 2) {
            decorate(&mut rl, src);
        }
        if src.chance(1, 4) && !style.json {
            out.push_str("---\n");
        }
        let mut w = W { src, out, style };
        w.root(&rl);
        out = w.out;
    } else {
        if src.chance(1, 5) {
            out.push_str(src.pick(COMMENTS));
            out.push('\n');
        }
        let mut docs: Vec<Y> = objects;
        if src.chance(1, 8) && !docs.is_empty() {
            let k = src.below(docs.len()) + 1;
            let items: Vec<Y> = docs.drain(..k).collect();
            let mut list = m(vec![("apiVersion", s("v1")), ("kind", s("List")), ("items", Y::L(items))]);
            if anchors && src.chance(1, 2) {
                decorate(&mut list, src);
            }
            docs.insert(0, list);
        }
        for (k, doc) in docs.iter().enumerate() {
            if k > 0 || src.chance(1, 3) {
                out.push_str("---");
                if src.chance(1, 8) {
                    out.push_str(" # doc");
                }
                out.push('\n');
            }
            if src.chance(1, 12) {
                out.push_str("# only a comment\n---\n");
            }
            let mut w = W { src, out, style };
            w.root(doc);
            out = w.out;
            if src.chance(1, 10) {
                out.push_str("...\n");
            }
        }
        if src.chance(1, 10) {
            out.push_str("---\n");
        }
    }
    if src.chance(1, 10) {
        out.push('\n');
    }
    if src.chance(1, 12) {
        out.pop();
    }
    if crlf {
        out = out.replace('\n', "\r\n");
    }
    Case { input: out, args }
}

/// Small random damage to a manifest: each of a few edits inserts, deletes or replaces a
/// little text at a random place, so the fuzzer reaches odd but nearly valid YAML.
pub fn mutate(text: &str, src: &mut impl Source) -> String {
    const PIECES: &[&str] = &[
        " ",
        "\n",
        "  ",
        "#",
        "# c\n",
        "- ",
        ":",
        ": ",
        "{",
        "}",
        "[",
        "]",
        ",",
        "\"",
        "'",
        "&a ",
        "*a",
        "!!str ",
        "!!map ",
        "\t",
        "\r\n",
        "---\n",
        "...\n",
        "null",
        "~",
        "|\n",
        ">-\n",
        "? ",
        "\u{feff}",
        "é",
        "strategy: ",
        "type: Recreate",
        "rollingUpdate: {maxSurge: 0}",
        "  strategy:\n    type: RollingUpdate\n",
        "claimName: data",
        "kind: ResourceList\n",
        "<<: *a\n",
        "%YAML 1.2\n---\n",
        "\\",
        "0",
        "ReadWriteOnce",
    ];
    let mut out = text.to_string();
    for _ in 0..src.below(4) {
        if out.is_empty() {
            break;
        }
        let mut at = src.below(out.len() + 1);
        while !out.is_char_boundary(at) {
            at -= 1;
        }
        match src.below(3) {
            0 => out.insert_str(at, src.pick(PIECES)),
            1 => {
                let mut end = (at + 1 + src.below(8)).min(out.len());
                while !out.is_char_boundary(end) {
                    end += 1;
                }
                out.replace_range(at..end, "");
            }
            _ => {
                let mut end = (at + 1 + src.below(3)).min(out.len());
                while !out.is_char_boundary(end) {
                    end += 1;
                }
                out.replace_range(at..end, src.pick(PIECES));
            }
        }
    }
    out
}
