//! The run, downhill: read the input → read its facts → load the config → analyze → rewrite →
//! verify. It ends in a [`Done`] (everything to write, already checked) or a [`Fatal`] (what
//! stopped the run, before anything was written). Writing either is `output`'s job.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;

use crate::analyze::{self, ObjectPlan, Severity};
use crate::cli::Cli;
use crate::config::{self, Config};
use crate::error::Fatal;
use crate::input::{self, Census, Failure, Source};
use crate::kinds;
use crate::location::{self, Location};
use crate::model::Object;
use crate::output::{self, resource_list, results};
use crate::read::{self, Bundle, Form, Limits};
use crate::rewrite::{self, Edit};
use crate::verify;

/// One input (standard input, or a file of `-f`) and the edits to its text.
#[derive(Debug)]
pub(crate) struct Output<'t> {
    /// Its name in messages: `<stdin>`, or the file as given.
    pub name: &'t str,
    /// The file, to write back with `--in-place` (`None`: standard input).
    pub path: Option<&'t Path>,
    /// Its text.
    pub text: &'t str,
    /// Its edits, sorted: the output is the text with these spliced in.
    pub edits: Vec<Edit>,
}

/// What a successful run has to write.
pub(crate) struct Done<'t> {
    /// Every input with its edits, in order (standard input: one).
    pub outputs: Vec<Output<'t>>,
    /// The findings as KRM results.
    pub results: Vec<results::KrmResult>,
    /// Where each result's finding is (one per result).
    pub locations: Vec<Location>,
    /// The workloads checked and where they are (gathered only for a JUnit report).
    pub checked: Vec<(results::ResourceRef, Location)>,
    /// The stderr lines (one per finding that the form shows there, and the closing count).
    pub summary: String,
    /// A finding at or above `failOn`.
    pub fails: bool,
    /// The least severity that fails the run (`None`: `failOn: never`).
    pub fail_at: Option<Severity>,
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
pub(crate) fn load_config(cli: &Cli, bundle: &Bundle, text: &str) -> Result<Config, Fatal> {
    let function_config = bundle.function_config.as_ref().map(|fc| {
        let node = &text[fc.value.start.offset..fc.value.end.offset];
        format!("{}{node}", " ".repeat(fc.value.start.col))
    });
    configure(cli, function_config.as_deref())
}

/// The configuration from a functionConfig's text (indented as in its input), the CONFIG file
/// and the flags.
fn configure(cli: &Cli, function_config: Option<&str>) -> Result<Config, Fatal> {
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
    if let Some(path) = &cli.config {
        let origin = path.display().to_string();
        config = config::parse(&read_config_file(path, &origin)?, &origin)?;
    }
    Ok(config.with(cli.overrides()))
}

/// The config file's text, read up to the size limit (a FIFO or `/dev/zero` never ends: the
/// read itself is bounded, not only the size the file reports).
fn read_config_file(path: &Path, origin: &str) -> Result<String, Fatal> {
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
pub(crate) fn process<'t>(cli: &Cli, text: &'t str) -> Result<Done<'t>, Fatal> {
    let bundle = read::read_filtered(text, cli.limits(), &kinds::relevant)?;
    let config = load_config(cli, &bundle, text)?;
    let loaded = vec![Loaded { name: crate::STDIN, path: None, text, bundle }];
    finish(cli, &config, loaded, &[]).map_err(|f| *f.fatal)
}

/// As [`process`], for the files of `-f`: each read on its own text (positions stay the
/// file's), the files that hold no Kubernetes object skipped, then all objects analysed
/// together as one bundle; edits and their checks are per file.
pub(crate) fn process_files<'t>(cli: &Cli, sources: &'t [Source]) -> Result<Done<'t>, Failure> {
    let limits = cli.limits();
    let config = configure(cli, None).map_err(Failure::new)?;
    let mut read = Vec::new();
    let mut skipped = Vec::new();
    let mut counted = 0usize;
    for source in sources {
        let census = Census::default();
        let fail = |fatal| Failure::in_input(fatal, &source.name, source.text.clone().into_bytes());
        let bundle = match read::read_filtered(&source.text, limits, &|o: &Object| census.keep(o)) {
            Ok(bundle) => bundle,
            Err(fatal) => match input::template_reason(&source.text) {
                Some(why) => {
                    skipped.push((source.name.as_str(), why));
                    continue;
                }
                None => return Err(fail(fatal)),
            },
        };
        if let Some(why) = census.skip_reason(source, &bundle) {
            skipped.push((source.name.as_str(), why));
            continue;
        }
        counted += bundle.documents.len() + bundle.objects.len();
        if counted > limits.max_documents {
            return Err(fail(Fatal::Input {
                message: format!("more than {} documents and objects in the files together", limits.max_documents),
                place: None,
                hint: Some("raise the limit with --max-documents".into()),
            }));
        }
        read.push(Loaded { name: &source.name, path: Some(&source.path), text: &source.text, bundle });
    }
    finish(cli, &config, read, &skipped)
}

/// One input read: its name, file, text and facts.
struct Loaded<'t> {
    name: &'t str,
    path: Option<&'t Path>,
    text: &'t str,
    bundle: Bundle,
}

impl<'t> Loaded<'t> {
    /// How locations name this input's objects.
    fn origin(&self) -> location::Read<'t> {
        match self.path {
            Some(_) => location::Read::File { name: self.name, text: self.text },
            None => location::Read::Stream,
        }
    }
}

/// The inputs' objects as one list, each knowing its input (ordinals counted on), and where
/// each input's objects start in it.
fn gather(read: &mut [Loaded<'_>]) -> (Vec<Object>, Vec<usize>) {
    let mut objects: Vec<Object> = Vec::new();
    let mut bases = Vec::with_capacity(read.len());
    for (i, r) in read.iter_mut().enumerate() {
        bases.push(objects.len());
        let mut mine = std::mem::take(&mut r.bundle.objects);
        if i > 0 {
            for o in &mut mine {
                o.source = i;
                o.ordinal += objects.len();
            }
        }
        if objects.is_empty() {
            objects = mine;
        } else {
            objects.extend(mine);
        }
    }
    (objects, bases)
}

/// Every namespace the inputs' objects name (one input's own set when there is one).
fn namespaces<'a>(read: &'a [Loaded<'_>]) -> Cow<'a, BTreeSet<String>> {
    match read {
        [one] => Cow::Borrowed(&one.bundle.namespaces),
        many => Cow::Owned(many.iter().flat_map(|r| r.bundle.namespaces.iter().cloned()).collect()),
    }
}

/// Gives each input its objects back (what [`gather`] took), for verification in its text.
fn scatter(read: &mut [Loaded<'_>], mut objects: Vec<Object>, bases: &[usize]) {
    for (r, &base) in read.iter_mut().zip(bases).skip(1).rev() {
        r.bundle.objects = objects.split_off(base);
    }
    if let Some(first) = read.first_mut() {
        first.bundle.objects = objects;
    }
}

/// Analysis, edits and their checks over the inputs read, and what to write.
fn finish<'t>(
    cli: &Cli,
    config: &Config,
    mut read: Vec<Loaded<'t>>,
    skipped: &[(&str, String)],
) -> Result<Done<'t>, Failure> {
    let limits = cli.limits();
    let cluster = cluster_files(config, limits)?;
    let (objects, bases) = gather(&mut read);
    let mut analysis = analyze::analyze_with(&objects, &cluster, config, &namespaces(&read));
    drop(cluster);
    let per_plan = placed(&mut analysis, &objects, |o| read[o.source].text);
    let fails = results::fails(&analysis.findings, config.fail_on);
    let form = read.first().map_or(Form::Stream, |r| r.bundle.form);
    let locations: Vec<Location> = analysis
        .findings
        .iter()
        .map(|f| {
            let o = &objects[f.object];
            Location::of(o, f.field.as_ref().map(|c| c.path.as_str()), read[o.source].origin())
        })
        .collect();
    let summary = match output::stderr_threshold(form, cli.quiet) {
        Some(min) => results::summary(skipped, &analysis, &locations, min),
        None => String::new(),
    };
    let checked = if cli.wants_checked_workloads() { checked(&objects, &read) } else { Vec::new() };
    let sources: Vec<usize> = analysis.plans.iter().map(|p| objects[p.object].source).collect();
    let results = results::krm_results(analysis.findings, &objects, &locations);
    scatter(&mut read, objects, &bases);
    let mut edits = verified(&read, &bases, &analysis.plans, &sources, per_plan, limits)?;
    // The objects' facts are no longer needed: free them before the results are rendered.
    let objects_read = read.first().map_or(0, |r| r.bundle.objects.len());
    for r in &mut read {
        r.bundle.objects = Vec::new();
    }
    if form == Form::ResourceList {
        let r = &read[0];
        let (removed, append) =
            resource_list::results_edits(r.text, &r.bundle, &results, limits).map_err(Failure::new)?;
        if removed.is_empty() {
            if let Some(e) = append {
                resource_list::check_results_edit(r.text, &r.bundle, objects_read, &e, results.len(), limits)
                    .map_err(Failure::new)?;
                edits[0].push(e);
            }
        } else {
            resource_list::check_replaced_results(
                r.text,
                &r.bundle,
                objects_read,
                &removed,
                append.as_ref(),
                results.len(),
                limits,
            )
            .map_err(Failure::new)?;
            edits[0].extend(removed);
            edits[0].extend(append);
        }
    }
    let outputs = read
        .iter()
        .zip(edits)
        .map(|(r, edits)| {
            let edits = rewrite::normalize(edits).map_err(|e| Failure::new(Fatal::Internal(e.into())))?;
            Ok(Output { name: r.name, path: r.path, text: r.text, edits })
        })
        .collect::<Result<Vec<_>, Failure>>()?;
    let fail_at = results::threshold(config.fail_on);
    Ok(Done { outputs, results, locations, checked, summary, fails, fail_at })
}

/// The `cluster` files' storage objects (StorageClasses, CSIDrivers, PersistentVolumes), each
/// file read whole (a `List`, or objects) with the input's limits; everything else in them is
/// dropped as it is read.
fn cluster_files(config: &Config, limits: Limits) -> Result<Vec<analyze::ClusterFile>, Failure> {
    let mut files = Vec::with_capacity(config.cluster.len());
    for name in &config.cluster {
        let (name, bytes) = input::read_cluster_file(Path::new(name), limits).map_err(Failure::new)?;
        let bundle = input::utf8(&bytes)
            .and_then(|text| read::read_filtered(text, limits, &kinds::storage_fact))
            .map_err(|fatal| Failure::new(in_cluster_file(fatal, &name)))?;
        files.push(analyze::ClusterFile { name, objects: bundle.objects });
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

/// Each plan's edits in its object's text. A plan the text's layout does not let the rewriter
/// write is dropped, and its object gets a warning instead (valid input: never exit 4).
/// `text_of` gives the text an object was read from.
pub(crate) fn placed<'t>(
    analysis: &mut analyze::Analysis,
    objects: &[Object],
    text_of: impl Fn(&Object) -> &'t str,
) -> Vec<Vec<Edit>> {
    let mut per_plan = Vec::with_capacity(analysis.plans.len());
    let mut i = 0;
    while i < analysis.plans.len() {
        let o = &objects[analysis.plans[i].object];
        match rewrite::edits_for(text_of(o), o, &analysis.plans[i]) {
            Ok(edits) => {
                per_plan.push(edits);
                i += 1;
            }
            Err(why) => crate::rules::unplaceable(analysis, i, o, why),
        }
    }
    per_plan
}

/// Each input's edits, once every edited object has been checked against its plan in its
/// input's text. `sources[i]` is the input of `plans[i]`, whose edits are `per_plan[i]`; plans
/// are in object order, so each input's plans are together.
fn verified(
    read: &[Loaded<'_>],
    bases: &[usize],
    plans: &[ObjectPlan],
    sources: &[usize],
    per_plan: Vec<Vec<Edit>>,
    limits: Limits,
) -> Result<Vec<Vec<Edit>>, Failure> {
    let mut edits = vec![Vec::new(); read.len()];
    let mut at = 0;
    while at < plans.len() {
        let source = sources[at];
        let end = at + sources[at..].iter().take_while(|&&s| s == source).count();
        let local: Vec<ObjectPlan>;
        let mine = if bases[source] == 0 {
            &plans[at..end]
        } else {
            local =
                plans[at..end].iter().map(|p| ObjectPlan { object: p.object - bases[source], ..p.clone() }).collect();
            &local[..]
        };
        let r = &read[source];
        verify::verify_regions(r.text, &r.bundle, mine, &per_plan[at..end], limits)
            .map_err(|e| Failure::new(Fatal::Internal(e)))?;
        at = end;
    }
    for (source, e) in sources.iter().zip(per_plan) {
        edits[*source].extend(e);
    }
    Ok(edits)
}

/// Every workload and where it is (for a JUnit report: one test case each).
fn checked(objects: &[Object], read: &[Loaded<'_>]) -> Vec<(results::ResourceRef, Location)> {
    objects
        .iter()
        .filter(|o| kinds::workload(o).is_some())
        .map(|o| (results::resource_ref(o), Location::of(o, None, read[o.source].origin())))
        .collect()
}
