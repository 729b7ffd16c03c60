//! The command line (clap derive). `--help` is checked by a golden test (`tests/cli.rs`).

use std::path::PathBuf;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::Parser;

use crate::config::{ExternalClaims, FailOn, Keyword, Mode, Overrides};
use crate::read::Limits;

const AFTER_HELP: &str = "\
Input (detected, never a flag): a KRM ResourceList (kustomize containerized functions, kpt
fn eval/render) or a plain multi-document YAML stream (`kubectl kustomize . | rwo-guard`, a
legacy kustomize exec plugin). Output: the same form, byte-identical except the edited fields.

Configuration: flags > the CONFIG file > a ResourceList's functionConfig > defaults. CONFIG
and functionConfig are `apiVersion: rwo-guard.dev/v1alpha1, kind: RwoGuard` with the fields
under `spec`, or a ConfigMap with the same fields as strings under `data`.

Exit codes:
  0  success: no finding at or above --fail-on
  1  findings at or above --fail-on (e.g. --mode check found a workload to fix)
  2  bad command line or configuration (nothing was changed)
  3  unreadable input: invalid YAML, not UTF-8, a limit exceeded (nothing was written)
  4  internal error: the output failed verification (nothing was written)";

/// rwo-guard: give Deployments on ReadWriteOnce volumes a rollout strategy that cannot hang
/// on "Multi-Attach error for volume", and report what a strategy cannot fix.
#[derive(Debug, Parser)]
#[command(name = "rwo-guard", version = env!("RWO_GUARD_BUILD"), about, long_about = None, after_help = AFTER_HELP)]
pub struct Cli {
    /// Config file (RwoGuard or ConfigMap). kustomize passes it here to a legacy exec plugin.
    #[arg(value_name = "CONFIG")]
    pub config: Option<PathBuf>,

    /// recreate: type Recreate; rolling: RollingUpdate with maxSurge 0; check: change nothing,
    /// report every workload to fix as an error [default: recreate]
    #[arg(short, long, value_parser = keyword::<Mode>())]
    pub mode: Option<Mode>,

    /// Claims whose PVC is not in the input [default: warn]
    #[arg(long, value_parser = keyword::<ExternalClaims>())]
    pub external_claims: Option<ExternalClaims>,

    /// With Recreate, write `rollingUpdate: null` instead of removing the key
    #[arg(long)]
    pub null_rolling_update: bool,

    /// Findings of this severity or worse make the exit code 1 [default: error]
    #[arg(long, value_parser = keyword::<FailOn>())]
    pub fail_on: Option<FailOn>,

    /// Also write the results (KRM result list, YAML) to this file
    #[arg(long, value_name = "FILE")]
    pub results: Option<PathBuf>,

    /// Print a unified diff of the edits instead of the output stream
    #[arg(long)]
    pub diff: bool,

    /// Colour the diff: auto (a terminal, unless NO_COLOR is set), always, never
    #[arg(long, value_name = "WHEN", default_value = "auto", value_parser = ["auto", "always", "never"])]
    pub color: String,

    /// Only error findings and fatal errors on stderr, no other summary lines
    #[arg(short, long)]
    pub quiet: bool,

    /// Largest input accepted, in bytes
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_input_bytes)]
    pub max_input_bytes: usize,

    /// Deepest nesting of mappings and sequences accepted
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_depth)]
    pub max_depth: usize,

    /// Most documents plus objects accepted
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_documents)]
    pub max_documents: usize,
}

fn keyword<T: Keyword + PartialEq + Clone + Send + Sync>() -> impl TypedValueParser<Value = T> {
    PossibleValuesParser::new(T::ALL.iter().map(|(k, _)| *k)).map(|s: String| T::parse(&s).unwrap_or(T::ALL[0].1))
}

impl Cli {
    /// The config fields given as flags.
    pub fn overrides(&self) -> Overrides {
        Overrides {
            mode: self.mode,
            external_claims: self.external_claims,
            null_rolling_update: self.null_rolling_update.then_some(true),
            fail_on: self.fail_on,
        }
    }

    /// Whether `--diff` output is coloured.
    pub fn diff_colors(&self) -> bool {
        use std::io::IsTerminal as _;
        match self.color.as_str() {
            "always" => true,
            "never" => false,
            _ => std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal(),
        }
    }

    /// The limits given as flags.
    pub fn limits(&self) -> Limits {
        Limits { max_input_bytes: self.max_input_bytes, max_depth: self.max_depth, max_documents: self.max_documents }
    }
}
