//! The command line (clap derive). The configuration fields' flags are generated from
//! `config::FIELDS` (help, default, accepted values); `--help` is checked by a golden test
//! (`tests/cli.rs`).

use std::path::PathBuf;

use std::ffi::OsStr;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Arg, ArgAction, ArgMatches, Args, Command, FromArgMatches, Parser};

use crate::config::{Config, Field, Overrides, Values, FIELDS};
use crate::error::Fatal;
use crate::output::{self, diff, report, Body, Destination, ReportTo};
use crate::pipeline;
use crate::read::Limits;

const AFTER_HELP: &str = "\
Input (detected, never a flag): a KRM ResourceList (kustomize containerized functions, kpt
fn eval/render) or a plain multi-document YAML stream (`kubectl kustomize . | rwo-guard`, a
legacy kustomize exec plugin). Output: the same form, byte-identical except the edited fields.
With -f, the files as they are (no kustomize patches or renames), one bundle; the output is
their stream, or each file edited in place (--in-place).

Configuration: flags > the CONFIG file > a ResourceList's functionConfig > defaults. CONFIG
and functionConfig are `apiVersion: rwo-guard.dev/v1alpha1, kind: RwoGuard` with the fields
under `spec`, or a ConfigMap with the same fields as strings under `data`.";

fn after_help() -> String {
    format!("{AFTER_HELP}\n\n{}", crate::error::exit_codes_help())
}

/// rwo-guard: give Deployments on ReadWriteOnce volumes a rollout strategy that cannot hang
/// on "Multi-Attach error for volume", and report what a strategy cannot fix.
#[derive(Debug, Parser)]
#[command(name = "rwo-guard", version = env!("RWO_GUARD_BUILD"), about, long_about = None, after_help = after_help())]
#[command(args_conflicts_with_subcommands = true, disable_help_subcommand = true)]
pub struct Cli {
    /// A command; without one, rwo-guard is the KRM filter (standard input to standard output).
    #[command(subcommand)]
    pub command: Option<Subcommand>,

    /// Config file (RwoGuard or ConfigMap). kustomize passes it here to a legacy exec plugin.
    #[arg(value_name = "CONFIG")]
    pub config: Option<PathBuf>,

    /// Read this file, or this directory recursively (*.yaml, *.yml, *.json), instead of
    /// standard input; repeat it: all are read as one bundle
    #[arg(short = 'f', long = "filename", value_name = "PATH")]
    pub filename: Vec<PathBuf>,

    /// With -f: write each file's edits back into it (all files or none) instead of printing
    /// the stream
    #[arg(long, requires = "filename", conflicts_with = "diff")]
    pub in_place: bool,

    /// The configuration fields, one flag each (from `config::FIELDS`).
    #[command(flatten)]
    pub fields: ConfigFlags,

    /// Also write the results to this file (`-`: to standard output, instead of the output)
    #[arg(long, value_name = "FILE")]
    pub results: Option<PathBuf>,

    /// The format of --results (only with --results)
    #[arg(long, value_name = "FORMAT", default_value = report::FORMATS[0].name, value_parser = formats(), requires = "results")]
    pub results_format: String,

    /// Print a unified diff of the edits instead of the output stream
    #[arg(long)]
    pub diff: bool,

    /// Colour the diff: auto (a terminal, unless NO_COLOR is set), always, never
    #[arg(long, value_name = "WHEN", default_value = "auto", value_parser = ["auto", "always", "never"])]
    pub color: String,

    /// Only error findings and fatal errors on stderr, no other summary lines
    #[arg(short, long)]
    pub quiet: bool,

    /// The input limits.
    #[command(flatten)]
    pub limit_flags: LimitFlags,

    /// Print the man page or a shell completion script, made from these flags, and exit
    #[arg(long, value_name = "KIND", value_enum)]
    pub generate: Option<Generate>,
}

/// The input limits, one flag each (the filter's and `check`/`fix`'s).
#[derive(Clone, Debug, Args)]
#[allow(clippy::struct_field_names, reason = "the flags' names")]
pub struct LimitFlags {
    /// Largest input accepted, in bytes
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_input_bytes)]
    pub max_input_bytes: usize,

    /// Deepest nesting of mappings and sequences accepted (at most 1000)
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_depth,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=crate::read::MAX_DEPTH as u64))]
    pub max_depth: usize,

    /// Most documents plus objects accepted
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_documents)]
    pub max_documents: usize,
}

impl LimitFlags {
    /// The limits given.
    pub fn limits(&self) -> Limits {
        Limits { max_input_bytes: self.max_input_bytes, max_depth: self.max_depth, max_documents: self.max_documents }
    }
}

/// How `check` and `fix` build the kustomization roots under their PATHs (docs/kustomize.md),
/// one flag each.
#[derive(Clone, Debug, Args)]
pub struct BuildFlags {
    /// The kustomize that builds kustomization roots: a program (`kustomize` runs `kustomize
    /// build DIR`, `kubectl` runs `kubectl kustomize DIR`) or a command with its words
    /// [default: kustomize on PATH, else kubectl]
    #[arg(long, value_name = "CMD")]
    pub kustomize: Option<String>,

    /// A flag for every kustomize build, after the directory (`--enable-helm`,
    /// `--load-restrictor=LoadRestrictionsNone`); repeat it for more
    #[arg(long = "build-arg", value_name = "ARG", allow_hyphen_values = true)]
    pub build_args: Vec<String>,

    /// Seconds a kustomize build may take before it is stopped
    #[arg(long, value_name = "SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub build_timeout: u64,

    /// Build no kustomization: read every file as a plain manifest, patches and all
    #[arg(long)]
    pub no_build: bool,
}

impl BuildFlags {
    /// The settings these flags give.
    pub(crate) fn settings(&self) -> crate::kustomize::Settings {
        crate::kustomize::Settings {
            command: self.kustomize.clone(),
            args: self.build_args.clone(),
            timeout: std::time::Duration::from_secs(self.build_timeout),
            no_build: self.no_build,
        }
    }
}

/// The commands.
#[derive(Debug, clap::Subcommand)]
pub enum Subcommand {
    /// Check files and directories (`-`: standard input; none: `.`) and report; never writes
    Check(CheckArgs),
    /// Write the fixes into the files (all or none), then report what remains as `check` does
    Fix(FixArgs),
    /// List the rules: id, default severity, summary
    Rules,
    /// Explain a rule: what triggers it, why it breaks rollouts, how to fix and suppress it
    Explain {
        /// The rule's id, as `rwo-guard rules` lists it
        #[arg(value_name = "RULE")]
        rule: String,
    },
}

/// `check`'s arguments (and `fix`'s, which adds `--diff`).
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files and directories to check (directories recursively: *.yaml, *.yml, *.json); `-`
    /// for standard input [default: .]. Directories holding kustomizations: every root is built
    /// by kustomize and each finding placed at its source (see --kustomize, --no-build)
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// The report's format, on standard output
    #[arg(long, value_name = "FORMAT", default_value = "text", value_parser = formats())]
    pub format: String,

    /// Write the report to this file instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// The configuration file [default: .rwo-guard.yaml in this directory or the nearest
    /// parent, up to the one holding .git]
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Read no configuration file
    #[arg(long)]
    pub no_config: bool,

    /// Also list info findings, suppressed findings and skipped files
    #[arg(short, long)]
    pub verbose: bool,

    /// No summary line; only the findings
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Colour the severities (and `fix --diff`): auto (a terminal, unless NO_COLOR is set),
    /// always, never
    #[arg(long, value_name = "WHEN", default_value = "auto", value_parser = ["auto", "always", "never"])]
    pub color: String,

    /// The configuration fields, one flag each (from `config::FIELDS`).
    #[command(flatten)]
    pub fields: ConfigFlags,

    /// The input limits.
    #[command(flatten)]
    pub limit_flags: LimitFlags,

    /// How kustomization roots are built.
    #[command(flatten)]
    pub build_flags: BuildFlags,
}

/// `fix`'s arguments.
#[derive(Debug, Args)]
pub struct FixArgs {
    /// What `check` takes.
    #[command(flatten)]
    pub check: CheckArgs,

    /// Print the fixes as a unified diff instead of writing them (the report goes to stderr)
    #[arg(long)]
    pub diff: bool,
}

impl CheckArgs {
    /// The `check` (`fix: None`) or `fix` (`Some(diff)`) run these arguments ask for: the one
    /// place `check`'s and `fix`'s command line becomes options.
    pub(crate) fn run(&self, fix: Option<bool>) -> Result<CheckRun, Fatal> {
        let paths = if self.paths.is_empty() { vec![PathBuf::from(".")] } else { self.paths.clone() };
        let config = match (&self.config, self.no_config) {
            (Some(f), _) => ConfigSource::File(f.clone()),
            (None, true) => ConfigSource::None,
            (None, false) => ConfigSource::Discover,
        };
        let stdin = paths.iter().any(|p| p.as_os_str() == "-");
        if stdin && paths.len() > 1 {
            return Err(Fatal::Usage("`-` (standard input) cannot be given with other paths".into()));
        }
        let format =
            report::format(&self.format).ok_or_else(|| Fatal::Usage(format!("unknown format {}", self.format)))?;
        // The patch (`fix --diff`) or the fixed stream (`fix -`) takes standard output: the
        // report goes to stderr then, unless --output names a file.
        let body = match (fix, stdin) {
            (Some(true), _) => Body::Diff(diff::Colors { enabled: colors(&self.color) }),
            (Some(false), true) => Body::Texts,
            (Some(false), false) => Body::InPlace,
            (None, _) => Body::InPlace,
        };
        let stdout_taken = fix == Some(true) || (fix == Some(false) && stdin);
        let to = match &self.output {
            Some(path) => Destination::File(path.clone()),
            None if stdout_taken => Destination::Stderr,
            None => Destination::Stdout,
        };
        let colors = to == Destination::Stdout && colors(&self.color);
        let style =
            report::Style { verbose: self.verbose, colors, fix: fix.is_some(), quiet: self.quiet, linter: true };
        let pipeline = pipeline::Options {
            files: paths.clone(),
            config_file: None,
            overrides: self.fields.given.clone(),
            limits: self.limit_flags.limits(),
            list_checked: format.name == "junit",
        };
        let output = output::Options {
            body: if fix.is_none() { Body::Nothing } else { body },
            report: Some(ReportTo { format, to }),
            quiet: self.quiet,
            linter: Some(style),
        };
        Ok(CheckRun { stdin, fix, config, pipeline, output, kustomize: self.build_flags.settings() })
    }
}

/// A `check` or `fix` run, as its command line asks ([`CheckArgs::run`] makes it; `command`
/// runs it).
pub(crate) struct CheckRun {
    /// Standard input is the input (`-`).
    pub stdin: bool,
    /// `fix`: `Some(diff)`; `check`: `None`.
    pub fix: Option<bool>,
    /// Where the configuration comes from.
    pub config: ConfigSource,
    /// What the pipeline is asked to do (`files`: the paths).
    pub pipeline: pipeline::Options,
    /// What to write and where.
    pub output: output::Options,
    /// How kustomization roots are built.
    pub kustomize: crate::kustomize::Settings,
}

/// Where the configuration comes from.
pub(crate) enum ConfigSource {
    /// `.rwo-guard.yaml` found from the current directory up.
    Discover,
    /// `--config FILE`.
    File(PathBuf),
    /// `--no-config`.
    None,
}

/// What `--generate` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Generate {
    // The man page (roff), for `man 1 rwo-guard`.
    Man,
    // Bash completions.
    CompleteBash,
    // Zsh completions.
    CompleteZsh,
    // Fish completions.
    CompleteFish,
    // PowerShell completions.
    CompletePowershell,
    // Elvish completions.
    CompleteElvish,
}

impl Generate {
    /// The text: the man page or completion script of the command line as defined here.
    pub fn render(self) -> std::io::Result<Vec<u8>> {
        use clap::CommandFactory as _;
        use clap_complete::Shell;
        let mut cmd = Cli::command();
        let mut out = Vec::new();
        let shell = match self {
            Generate::Man => {
                clap_mangen::Man::new(cmd).render(&mut out)?;
                return Ok(out);
            }
            Generate::CompleteBash => Shell::Bash,
            Generate::CompleteZsh => Shell::Zsh,
            Generate::CompleteFish => Shell::Fish,
            Generate::CompletePowershell => Shell::PowerShell,
            Generate::CompleteElvish => Shell::Elvish,
        };
        clap_complete::generate(shell, &mut cmd, "rwo-guard", &mut out);
        Ok(out)
    }
}

/// The `--results-format` values, each with what it is for.
fn formats() -> PossibleValuesParser {
    PossibleValuesParser::new(report::FORMATS.iter().map(|f| PossibleValue::new(f.name).help(f.doc)))
}

/// The flags of the configuration fields: one per entry of [`FIELDS`], with its help, default
/// and accepted values taken from there.
#[derive(Clone, Debug, Default)]
pub struct ConfigFlags {
    /// The fields given, with their values as spelled.
    pub given: Overrides,
}

impl Field {
    /// The flag's argument definition.
    fn arg(&'static self) -> Arg {
        let help = if self.default.is_empty() {
            self.doc.to_string()
        } else {
            format!("{} [default: {}]", self.doc, self.default)
        };
        let arg = Arg::new(self.name).long(self.flag).help(help);
        let arg = match self.short {
            Some(c) => arg.short(c),
            None => arg,
        };
        match self.values {
            Values::Keyword(names) => arg
                .value_name(self.flag.to_ascii_uppercase().replace('-', "_"))
                .value_parser(KeywordParser { field: self, documented: PossibleValuesParser::new(names()) })
                .action(ArgAction::Set),
            Values::Switch => arg.action(ArgAction::SetTrue),
            Values::Text(name, _) => {
                let set = self.set;
                arg.value_name(name)
                    .value_parser(move |v: &str| set(&mut Config::default(), v).map(|()| v.to_string()))
                    .action(ArgAction::Set)
            }
            Values::Files(name, _) => {
                arg.value_name(name)
                    .value_parser(|v: &str| {
                        if v.is_empty() {
                            Err("a file path, not empty".to_string())
                        } else {
                            Ok(v.to_string())
                        }
                    })
                    .action(ArgAction::Append)
            }
            Values::List(name, _) | Values::Map(name, _) => {
                let set = self.set;
                arg.value_name(name)
                    .value_parser(move |v: &str| set(&mut Config::default(), v).map(|()| v.to_string()))
                    .action(ArgAction::Append)
            }
        }
    }
}

/// A keyword field's value: any spelling the config reader accepts (`Recreate`,
/// `RollingUpdate`); `--help` lists the documented ones, and an unknown word gets clap's error
/// with those and the nearest one.
#[derive(Clone)]
struct KeywordParser {
    field: &'static Field,
    documented: PossibleValuesParser,
}

impl TypedValueParser for KeywordParser {
    type Value = String;

    fn parse_ref(&self, cmd: &Command, arg: Option<&Arg>, value: &OsStr) -> Result<String, clap::Error> {
        match value.to_str() {
            Some(v) if (self.field.set)(&mut Config::default(), v).is_ok() => Ok(v.to_string()),
            _ => self.documented.parse_ref(cmd, arg, value),
        }
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        self.documented.possible_values()
    }
}

impl Args for ConfigFlags {
    fn augment_args(cmd: Command) -> Command {
        FIELDS.iter().fold(cmd, |cmd, f| cmd.arg(f.arg()))
    }

    fn augment_args_for_update(cmd: Command) -> Command {
        Self::augment_args(cmd)
    }
}

impl FromArgMatches for ConfigFlags {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let mut given = Overrides::new();
        for f in FIELDS {
            match f.values {
                Values::Keyword(_) | Values::Text(..) => {
                    given.extend(matches.get_one::<String>(f.name).map(|v| (f, v.clone())));
                }
                Values::Switch => given.extend(matches.get_flag(f.name).then(|| (f, "true".to_string()))),
                Values::Files(..) | Values::List(..) | Values::Map(..) => {
                    given.extend(matches.get_many::<String>(f.name).into_iter().flatten().map(|v| (f, v.clone())));
                }
            }
        }
        Ok(ConfigFlags { given })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

/// The options a command line (`args`, after the program name) gives, or clap's message for a
/// command line rwo-guard does not accept.
pub(crate) fn options_of(args: &[String]) -> Result<(pipeline::Options, output::Options), String> {
    let cli = Cli::try_parse_from(std::iter::once("rwo-guard").chain(args.iter().map(String::as_str)))
        .map_err(|e| e.to_string())?;
    cli.options().map_err(|e| e.to_string())
}

impl Cli {
    /// The command line turned once into what the pipeline and the output are asked to do
    /// (nothing below this module sees the command line). A usage error no clap rule expresses
    /// is an error here.
    pub(crate) fn options(&self) -> Result<(pipeline::Options, output::Options), Fatal> {
        let report = match &self.results {
            None => None,
            Some(path) => {
                let format = report::format(&self.results_format)
                    .ok_or_else(|| Fatal::Usage(format!("unknown results format {}", self.results_format)))?;
                let to = if path.as_os_str() == "-" { Destination::Stdout } else { Destination::File(path.clone()) };
                Some(ReportTo { format, to })
            }
        };
        let on_stdout = report.as_ref().is_some_and(|r| r.to == Destination::Stdout);
        if on_stdout && self.diff {
            return Err(Fatal::Usage("--results - and --diff both write standard output; choose one".into()));
        }
        let body = match (self.in_place, self.diff) {
            (true, _) => Body::InPlace,
            (false, true) => Body::Diff(diff::Colors { enabled: self.diff_colors() }),
            (false, false) => Body::Texts,
        };
        let pipeline = pipeline::Options {
            files: self.filename.clone(),
            config_file: self.config.clone(),
            overrides: self.fields.given.clone(),
            limits: self.limits(),
            list_checked: report.as_ref().is_some_and(|r| r.format.name == "junit"),
        };
        Ok((pipeline, output::Options { body, report, quiet: self.quiet, linter: None }))
    }

    /// Whether `--diff` output is coloured.
    fn diff_colors(&self) -> bool {
        colors(&self.color)
    }

    /// The limits given as flags.
    fn limits(&self) -> Limits {
        self.limit_flags.limits()
    }
}

/// Whether to colour standard output under `--color WHEN`: `auto` is a terminal, unless
/// `NO_COLOR` is set to something.
pub fn colors(when: &str) -> bool {
    use std::io::IsTerminal as _;
    match when {
        "always" => true,
        "never" => false,
        _ => std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal(),
    }
}
