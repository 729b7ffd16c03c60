//! The run, downhill: read the input → read its facts → load the config → analyze → rewrite →
//! verify. It ends in a [`Done`] (everything to write, already checked) or a [`Fatal`] (what
//! stopped the run, before anything was written). Writing either is `output`'s job.

use std::io::Read;

use crate::analyze::{self, Finding};
use crate::cli::Cli;
use crate::config::{self, Config};
use crate::error::{Fatal, Place};
use crate::kinds;
use crate::output::{self, resource_list, results};
use crate::read::{self, Bundle, Form, Limits};
use crate::rewrite::{self, Edit};
use crate::text;
use crate::verify;

/// What a successful run has to write.
pub(crate) struct Done<'t> {
    /// The input.
    pub input: &'t str,
    /// Every edit, sorted: the output is the input with these spliced in.
    pub edits: Vec<Edit>,
    /// The findings as KRM results.
    pub results: Vec<results::KrmResult>,
    /// The stderr lines (one per finding that the form shows there).
    pub summary: String,
    /// A finding at or above `failOn`.
    pub fails: bool,
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
    std::str::from_utf8(buf).map_err(|e| {
        let at = e.valid_up_to();
        let before = &buf[..at];
        let line = text::line_number(before, at);
        let line_start = text::line_start(before, at);
        let col = String::from_utf8_lossy(&before[line_start..]).chars().count();
        Fatal::input_at(
            format!("the input is not UTF-8 (byte 0x{:02x} at offset {at}); YAML must be UTF-8", buf[at]),
            Place { offset: at, line, col, document: None, field: None },
        )
    })
}

/// The configuration: defaults, then the ResourceList's functionConfig or the CONFIG file,
/// then the flags.
pub(crate) fn load_config(cli: &Cli, bundle: &Bundle, text: &str) -> Result<Config, Fatal> {
    let mut config = Config::default();
    if let Some(fc) = &bundle.function_config {
        let node = &text[fc.value.start.offset..fc.value.end.offset];
        let doc = format!("{}{node}", " ".repeat(fc.value.start.col));
        config = config::parse(&doc, "functionConfig")?;
    }
    if let Some(path) = &cli.config {
        let origin = path.display().to_string();
        config = config::parse(&read_config_file(path, &origin)?, &origin)?;
    }
    Ok(config.with(cli.overrides()))
}

/// The config file's text, read up to the size limit (a FIFO or `/dev/zero` never ends: the
/// read itself is bounded, not only the size the file reports).
fn read_config_file(path: &std::path::Path, origin: &str) -> Result<String, Fatal> {
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

/// Everything between reading the input and writing: facts, config, analysis, edits, and the
/// checks that the edited text is exactly the plan.
pub(crate) fn process<'t>(cli: &Cli, text: &'t str) -> Result<Done<'t>, Fatal> {
    let limits = cli.limits();
    let mut bundle = read::read_filtered(text, limits, &kinds::relevant)?;
    let config = load_config(cli, &bundle, text)?;
    let analysis = analyze::analyze(&bundle.objects, &config, &bundle.namespaces);
    let per_object = analysis
        .plans
        .iter()
        .map(|plan| rewrite::edits_for(text, &bundle.objects[plan.object], plan))
        .collect::<Result<Vec<_>, _>>()
        .map_err(Fatal::Internal)?;
    verify::verify_regions(text, &bundle, &analysis.plans, &per_object, limits).map_err(Fatal::Internal)?;
    let mut edits: Vec<Edit> = per_object.into_iter().flatten().collect();
    let fails = results::fails(&analysis.findings, config.fail_on);
    let summary = summary(&analysis.findings, output::stderr_threshold(bundle.form, cli.quiet));
    let results = results::krm_results(analysis.findings, &bundle.objects);
    // The objects' facts are no longer needed: free them before the results are rendered.
    bundle.objects = Vec::new();
    if bundle.form == Form::ResourceList {
        let (removed, append) = resource_list::results_edits(text, &bundle, &results, limits)?;
        if removed.is_empty() {
            if let Some(e) = append {
                resource_list::check_results_edit(text, &bundle, &e, results.len(), limits)?;
                edits.push(e);
            }
        } else {
            resource_list::check_replaced_results(text, &bundle, &removed, append.as_ref(), results.len(), limits)?;
            edits.extend(removed);
            edits.extend(append);
        }
    }
    let edits = rewrite::normalize(edits).map_err(|e| Fatal::Internal(e.into()))?;
    Ok(Done { input: text, edits, results, summary, fails })
}

fn summary(findings: &[Finding], min: Option<analyze::Severity>) -> String {
    min.map_or_else(String::new, |min| results::summary(findings, min))
}
