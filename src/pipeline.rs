//! The run, downhill: read the input → read its facts → load the config → run the rules →
//! rewrite → verify. It ends in an [`Outcome`] (everything to write, already checked, and every
//! finding placed) or a [`Fatal`] (what stopped the run, before anything was written). Writing
//! either is `output`'s job. The pipeline knows its [`Options`], never the command line.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::config::{self, Config, Overrides};
use crate::error::{Failure, Fatal};
use crate::facts::ClusterFile;
use crate::findings::{Analysis, Diagnostic, Finding, ObjectPlan, ResourceRef, Severity};
use crate::input::{self, Census, Files, Source};
use crate::krm::resource_list;
use crate::location::{Location, Origin};
use crate::model::{self, Object};
use crate::outcome::{Checked, EditedText, Outcome, Skipped, Stats, Suppressed};
use crate::read::{self, Bundle, Form, Limits};
use crate::rewrite::{self, Edit};
use crate::{rules, verify};

/// What the pipeline is asked to do: its inputs, configuration sources and limits.
#[derive(Clone, Debug, Default)]
pub(crate) struct Options {
    /// The files and directories to read (`-f`); none: standard input.
    pub files: Vec<PathBuf>,
    /// The configuration file (RwoGuard or ConfigMap).
    pub config_file: Option<PathBuf>,
    /// The configuration fields given as flags, over every other source.
    pub overrides: Overrides,
    /// The input limits.
    pub limits: Limits,
    /// Whether the outcome lists every workload checked (a JUnit report has a case for each).
    pub list_checked: bool,
}

/// Reads all of `stdin` into `buf` (at most the input limit) and checks it is UTF-8.
pub(crate) fn read_input<'a>(
    stdin: &mut dyn Read,
    size_hint: Option<u64>,
    limits: Limits,
    buf: &'a mut Vec<u8>,
) -> Result<&'a str, Fatal> {
    let cap = limits.max_input_bytes.saturating_add(1) as u64;
    if let Some(size) = size_hint {
        buf.reserve_exact(usize::try_from(size.min(cap)).unwrap_or(0) + 1);
    }
    stdin.take(cap).read_to_end(buf).map_err(|e| Fatal::Input {
        message: format!("cannot read standard input: {e}"),
        place: None,
        hint: None,
    })?;
    if buf.len() > limits.max_input_bytes {
        return Err(Fatal::Input {
            message: format!("the input is larger than {} bytes", limits.max_input_bytes),
            place: None,
            hint: Some("raise the limit with --max-input-bytes".into()),
        });
    }
    input::utf8(buf)
}

/// The configuration: defaults, then the ResourceList's functionConfig or the CONFIG file,
/// then the flags.
pub(crate) fn load_config(options: &Options, bundle: &Bundle, text: &str) -> Result<Config, Fatal> {
    let function_config = bundle.function_config.as_ref().map(|fc| {
        let node = &text[fc.value.start.offset..fc.value.end.offset];
        format!("{}{node}", " ".repeat(fc.value.start.col))
    });
    configure(options, function_config.as_deref())
}

/// The configuration from a functionConfig's text (indented as in its input), the CONFIG file
/// and the flags.
fn configure(options: &Options, function_config: Option<&str>) -> Result<Config, Fatal> {
    let mut config = Config::default();
    if let Some(doc) = function_config {
        config = config::parse(doc, "functionConfig")?;
        if !config.cluster.is_empty() {
            // A function's config comes with the package it runs on: it must not make the
            // function read files of the machine it runs on.
            return Err(Fatal::Config {
                origin: "functionConfig".into(),
                problems: vec![
                    "cluster: files are read only when named on the command line (--cluster) or in the CONFIG file, not by a functionConfig".into(),
                ],
            });
        }
    }
    if let Some(path) = &options.config_file {
        let origin = path.display().to_string();
        config = config::parse(&read_config_file(path, &origin)?, &origin)?;
    }
    Ok(config.with(&options.overrides))
}

/// The config file's text, read up to the size limit (a FIFO or `/dev/zero` never ends: the
/// read itself is bounded, not only the size the file reports).
pub(crate) fn read_config_file(path: &Path, origin: &str) -> Result<String, Fatal> {
    let cannot = |e: std::io::Error| Fatal::Usage(format!("cannot read config file {origin}: {e}"));
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(config::MAX_CONFIG_BYTES as u64 + 1).read_to_end(&mut bytes))
        .map_err(cannot)?;
    if bytes.len() > config::MAX_CONFIG_BYTES {
        return Err(Fatal::Config {
            origin: origin.to_string(),
            problems: vec![format!("is larger than {} bytes", config::MAX_CONFIG_BYTES)],
        });
    }
    String::from_utf8(bytes).map_err(|e| Fatal::Config {
        origin: origin.to_string(),
        problems: vec![format!("is not UTF-8 (at byte {})", e.utf8_error().valid_up_to())],
    })
}

/// Everything between reading standard input and writing: facts, config, analysis, edits,
/// and the checks that the edited text is exactly the plan.
pub(crate) fn process<'t>(options: &Options, text: &'t str) -> Result<Outcome<'t>, Fatal> {
    let census = Census::default();
    let bundle = read::read_filtered(text, options.limits, &|o: &Object| census.keep(o))?;
    let config = load_config(options, &bundle, text)?;
    let inputs = vec![Loaded { name: crate::error::STDIN, path: None, text, bundle, lines: false }];
    outcome(options, &config, inputs, Vec::new(), census.objects()).map_err(|f| *f.fatal)
}

/// As [`process`] for `check -` and `fix -`: with the configuration given (a ResourceList's
/// functionConfig is not read), and findings placed at their line in standard input when no
/// annotation names their file.
pub(crate) fn process_stdin<'t>(options: &Options, config: &Config, text: &'t str) -> Result<Outcome<'t>, Failure> {
    let census = Census::default();
    let bundle = read::read_filtered(text, options.limits, &|o: &Object| census.keep(o))
        .map_err(|fatal| Failure::in_input(fatal, crate::error::STDIN, text.as_bytes().to_vec()))?;
    let inputs = vec![Loaded { name: crate::error::STDIN, path: None, text, bundle, lines: true }];
    outcome(options, config, inputs, Vec::new(), census.objects())
}

/// As [`process`], for the files of `-f`: each read on its own text (positions stay the
/// file's), the files that hold no Kubernetes object skipped, then all objects analysed
/// together as one bundle; edits and their checks are per file.
pub(crate) fn process_files<'t>(options: &Options, files: &'t Files) -> Result<Outcome<'t>, Failure> {
    let config = configure(options, None).map_err(Failure::new)?;
    // Links that lead out of the paths named: skipped with an info line each.
    let links = files.skipped.iter().map(|(name, why)| Skipped { name, why: why.clone() }).collect();
    process_sources(options, &config, &files.sources, links)
}

/// As [`process_files`], with the configuration given and the files already left out
/// (`skipped`): the seam `check` and `fix` feed their sources through.
pub(crate) fn process_sources<'t>(
    options: &Options,
    config: &Config,
    sources: &'t [Source],
    mut skipped: Vec<Skipped<'t>>,
) -> Result<Outcome<'t>, Failure> {
    let limits = options.limits;
    let mut inputs = Vec::new();
    let mut counted = 0usize;
    let mut seen = 0usize;
    for source in sources {
        let census = Census::default();
        let fail = |fatal| Failure::in_input(fatal, &source.name, source.text.clone().into_bytes());
        let mut bundle = match read::read_filtered(&source.text, limits, &|o: &Object| census.keep(o)) {
            Ok(bundle) => bundle,
            Err(fatal) => match input::template_reason(&source.text) {
                Some(why) => {
                    skipped.push(Skipped { name: &source.name, why });
                    continue;
                }
                None => return Err(fail(fatal)),
            },
        };
        if let Some(why) = census.skip_reason(source, &bundle) {
            skipped.push(Skipped { name: &source.name, why });
            continue;
        }
        seen += census.objects();
        counted += bundle.documents.len() + bundle.objects.len();
        if counted > limits.max_documents {
            return Err(fail(Fatal::Input {
                message: format!("more than {} documents and objects in the files together", limits.max_documents),
                place: None,
                hint: Some("raise the limit with --max-documents".into()),
            }));
        }
        for o in &mut bundle.objects {
            o.id.source = inputs.len();
        }
        inputs.push(Loaded { name: &source.name, path: Some(&source.path), text: &source.text, bundle, lines: true });
    }
    outcome(options, config, inputs, skipped, seen)
}

/// One input read: its name, file, text and facts.
struct Loaded<'t> {
    name: &'t str,
    path: Option<&'t Path>,
    text: &'t str,
    bundle: Bundle,
    /// Whether standard input's lines place findings (`check -`).
    lines: bool,
}

impl<'t> Loaded<'t> {
    /// How locations name this input's objects.
    fn origin(&self) -> Origin<'t> {
        match (self.path, self.lines) {
            (Some(_), _) => Origin::File { name: self.name, text: self.text },
            (None, true) => Origin::Stdin { text: self.text },
            (None, false) => Origin::Stream,
        }
    }
}

/// The inputs' objects as one list, in id order (each input's bundle keeps its documents).
fn gather(inputs: &mut [Loaded<'_>]) -> Vec<Object> {
    match inputs {
        [one] => std::mem::take(&mut one.bundle.objects),
        many => many.iter_mut().flat_map(|r| std::mem::take(&mut r.bundle.objects)).collect(),
    }
}

/// Every namespace the inputs' objects name (one input's own set when there is one).
fn namespaces<'a>(inputs: &'a [Loaded<'_>]) -> Cow<'a, BTreeSet<String>> {
    match inputs {
        [one] => Cow::Borrowed(&one.bundle.namespaces),
        many => Cow::Owned(many.iter().flat_map(|r| r.bundle.namespaces.iter().cloned()).collect()),
    }
}

/// The run over the inputs read: the rules, the edits and their checks, every finding placed.
fn outcome<'t>(
    options: &Options,
    config: &Config,
    mut inputs: Vec<Loaded<'t>>,
    skipped: Vec<Skipped<'t>>,
    objects_seen: usize,
) -> Result<Outcome<'t>, Failure> {
    let cluster = cluster_files(config, options.limits)?;
    let objects = gather(&mut inputs);
    let names: Vec<&str> = inputs.iter().filter(|i| i.path.is_some()).map(|i| i.name).collect();
    let mut analysis = rules::run_named(&objects, &cluster, config, &namespaces(&inputs), &names);
    drop(cluster);
    let per_plan = byte_edits(&mut analysis, &objects, |o| inputs[o.id.source].text);
    let Analysis { findings, plans, suppressed } = analysis;
    let (suppressed_findings, reasons): (Vec<Finding>, Vec<String>) = suppressed.into_iter().unzip();
    let suppressed = diagnostics(suppressed_findings, &objects, &inputs)
        .into_iter()
        .zip(reasons)
        .map(|(diagnostic, reason)| Suppressed { diagnostic, reason })
        .collect();
    let diagnostics = diagnostics(findings, &objects, &inputs);
    let stats = Stats {
        files: inputs.len(),
        objects: objects_seen,
        workloads: objects.iter().filter(|o| o.workload().is_some()).count(),
    };
    let checked = if options.list_checked { checked(&objects, &inputs) } else { Vec::new() };
    let mut edits = verified_edits(&inputs, &objects, &plans, per_plan, options.limits)?;
    let objects_read = model::of_source(&objects, 0).len();
    // The objects' facts are no longer needed: free them before the results are rendered.
    drop(objects);
    let form = inputs.first().map_or(Form::Stream, |r| r.bundle.form);
    if form == Form::ResourceList {
        let first = &inputs[0];
        let written =
            resource_list::checked_results_edits(first.text, &first.bundle, objects_read, &diagnostics, options.limits);
        edits[0].extend(written.map_err(Failure::new)?);
    }
    let texts = inputs
        .iter()
        .zip(edits)
        .map(|(r, edits)| {
            let edits = rewrite::normalize(edits).map_err(|e| Failure::new(Fatal::Internal(e.into())))?;
            Ok(EditedText { name: r.name, path: r.path, text: r.text, edits })
        })
        .collect::<Result<Vec<_>, Failure>>()?;
    let fail_at = Severity::failing_at(config.fail_on);
    let report_only = config.report_only || config.mode == config::Mode::Check;
    Ok(Outcome {
        texts,
        form,
        diagnostics,
        fixed: plans.len(),
        skipped,
        checked,
        fail_at,
        suppressed,
        stats,
        report_only,
    })
}

/// The `cluster` files' storage objects (StorageClasses, CSIDrivers, PersistentVolumes), each
/// file read whole (a `List`, or objects) with the input's limits; everything else in them is
/// dropped as it is read.
fn cluster_files(config: &Config, limits: Limits) -> Result<Vec<ClusterFile>, Failure> {
    let mut files = Vec::with_capacity(config.cluster.len());
    for name in &config.cluster {
        let (name, bytes) = input::read_cluster_file(Path::new(name), limits).map_err(Failure::new)?;
        let bundle = input::utf8(&bytes)
            .and_then(|text| read::read_filtered(text, limits, &Object::storage_fact))
            .map_err(|fatal| Failure::new(in_cluster_file(fatal, &name)))?;
        files.push(ClusterFile { name, objects: bundle.objects });
    }
    Ok(files)
}

/// An error in a `--cluster` file, its place named in the message (the run's input is another
/// text: no line of it is shown under the message).
fn in_cluster_file(fatal: Fatal, name: &str) -> Fatal {
    match fatal {
        Fatal::Input { message, place, hint } => {
            let at = place.map_or(String::new(), |p| {
                let field = p.field.map_or(String::new(), |f| format!(", field {f}"));
                format!(":{}:{}{field}", p.line, p.col + 1)
            });
            Fatal::Input { message: format!("--cluster {name}{at}: {message}"), place: None, hint }
        }
        other => other,
    }
}

/// The byte edits of each plan, in its object's text (`text_of`). A plan the text's layout does
/// not let the rewriter write is dropped, and its object gets a warning instead (valid input:
/// never exit 4).
pub(crate) fn byte_edits<'t>(
    analysis: &mut Analysis,
    objects: &[Object],
    text_of: impl Fn(&Object) -> &'t str,
) -> Vec<Vec<Edit>> {
    let mut per_plan = Vec::with_capacity(analysis.plans.len());
    let mut i = 0;
    while i < analysis.plans.len() {
        let o = model::object(objects, analysis.plans[i].object);
        match rewrite::edits_for(text_of(o), o, &analysis.plans[i]) {
            Ok(edits) => {
                per_plan.push(edits);
                i += 1;
            }
            Err(why) => rules::unplaceable(analysis, i, o, why),
        }
    }
    per_plan
}

/// Each finding with its object and where that is.
fn diagnostics(findings: Vec<Finding>, objects: &[Object], inputs: &[Loaded<'_>]) -> Vec<Diagnostic> {
    findings
        .into_iter()
        .map(|finding| {
            let o = model::object(objects, finding.object);
            let field = finding.field.as_ref().map(|c| c.path.as_str());
            let location = Location::of(o, field, inputs[o.id.source].origin());
            Diagnostic { resource: ResourceRef::of(o), location, finding }
        })
        .collect()
}

/// Each input's edits, once every edited object has been checked against its plan in its
/// input's text. `per_plan[i]` are the edits of `plans[i]`; plans are in object order, so
/// each input's plans are together.
fn verified_edits(
    inputs: &[Loaded<'_>],
    objects: &[Object],
    plans: &[ObjectPlan],
    per_plan: Vec<Vec<Edit>>,
    limits: Limits,
) -> Result<Vec<Vec<Edit>>, Failure> {
    for (source, input) in inputs.iter().enumerate() {
        let from = plans.partition_point(|p| p.object.source < source);
        let to = plans.partition_point(|p| p.object.source <= source);
        if from < to {
            let mine = model::of_source(objects, source);
            verify::verify_regions(input.text, &input.bundle, mine, &plans[from..to], &per_plan[from..to], limits)
                .map_err(|e| Failure::new(Fatal::Internal(e)))?;
        }
    }
    let mut edits = vec![Vec::new(); inputs.len()];
    for (plan, e) in plans.iter().zip(per_plan) {
        edits[plan.object.source].extend(e);
    }
    Ok(edits)
}

/// Every workload and where it is (for a JUnit report: one test case each).
fn checked(objects: &[Object], inputs: &[Loaded<'_>]) -> Vec<Checked> {
    objects
        .iter()
        .filter(|o| o.workload().is_some())
        .map(|o| Checked {
            resource: ResourceRef::of(o),
            location: Location::of(o, None, inputs[o.id.source].origin()),
        })
        .collect()
}
