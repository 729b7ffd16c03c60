//! Generated tests: many random manifests in many YAML styles (see `props/manifest.rs`), each
//! checked against the properties in `props/invariants.rs` — the same ones the fuzz targets
//! assert. Deterministic: case `n` is generated from seed `BASE_SEED + n`. A failure prints the
//! seed, the arguments and the input; `RWO_GUARD_SEED=<seed>` reruns that one case, and
//! `RWO_GUARD_CASES=<n>` changes how many run.
//!
//! Regression cases found by fuzzing are at the end, one test each.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::props;

use props::invariants::check;
use props::manifest::{generate, mutate, XorShift, ARG_SETS};

const BASE_SEED: u64 = 0x5eed_0000;
const CASES: u64 = 2000;

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| {
        let v = v.trim();
        v.strip_prefix("0x").map_or_else(|| v.parse().ok(), |h| u64::from_str_radix(h, 16).ok())
    })
}

fn seeds() -> Vec<u64> {
    match env_u64("RWO_GUARD_SEED") {
        Some(seed) => vec![seed],
        None => (0..env_u64("RWO_GUARD_CASES").unwrap_or(CASES)).map(|n| BASE_SEED + n).collect(),
    }
}

fn check_case(seed: u64, input: &str, args: &[String]) -> Option<String> {
    let verdict = std::panic::catch_unwind(|| check(input.as_bytes(), args));
    let problem = match verdict {
        Ok(Ok(())) => return None,
        Ok(Err(problem)) => problem,
        Err(panic) => format!(
            "panicked: {}",
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_string()))
                .unwrap_or_default()
        ),
    };
    Some(format!("seed {seed:#x} (RWO_GUARD_SEED={seed:#x}), args {args:?}: {problem}\n--- input ({} bytes)\n{input}\n--- input, escaped\n{input:?}", input.len()))
}

fn run_all(mutated: bool) {
    let mut failures = Vec::new();
    let seeds = seeds();
    for &seed in &seeds {
        let mut rng = XorShift::new(seed);
        let case = generate(&mut rng);
        let input = if mutated { mutate(&case.input, &mut rng) } else { case.input };
        if let Some(f) = check_case(seed, &input, &case.args) {
            failures.push(f);
        }
    }
    let heads: Vec<&str> = failures.iter().filter_map(|f| f.lines().next()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} generated case(s) failed:\n{}\n\nThe first in full:\n{}",
        failures.len(),
        seeds.len(),
        heads.join("\n"),
        failures[0]
    );
}

#[test]
fn generated_manifests_keep_every_property() {
    run_all(false);
}

#[test]
fn mutated_manifests_keep_every_property() {
    run_all(true);
}

/// The generator really produces the variety it claims (so a broken generator cannot make the
/// tests above pass vacuously).
#[test]
fn generator_covers_the_styles() {
    let mut seen = std::collections::BTreeMap::new();
    let mut rewritten = 0;
    let mut readable = 0;
    for n in 0..CASES {
        let case = generate(&mut XorShift::new(BASE_SEED + n));
        let t = &case.input;
        for (what, hit) in [
            ("crlf", t.contains("\r\n")),
            ("flow strategy", t.contains("strategy: {")),
            ("block strategy", t.contains("strategy:\n") || t.contains("strategy:\r\n")),
            ("comment", t.contains('#')),
            ("indentless list", t.contains("\n- ") || t.contains("\n  - name") || t.contains(":\n  - ")),
            ("indented list", t.contains("\n  - ") || t.contains("\n    - ")),
            ("document end", t.contains("...\n") || t.contains("...\r\n")),
            ("resource list", t.contains("ResourceList")),
            ("json", t.contains("{\"apiVersion\"")),
            ("existing results", t.contains("earlier function")),
            ("single quotes", t.contains('\'')),
            ("double quotes", t.contains('"')),
            ("rwop", t.contains("ReadWriteOncePod")),
            ("rwx", t.contains("ReadWriteMany")),
            ("previousNames", t.contains("previousNames")),
            ("maxSurge", t.contains("maxSurge")),
            ("list kind", t.contains("kind: List")),
            ("hpa", t.contains("HorizontalPodAutoscaler")),
            ("alias", t.contains(" *a")),
            ("merge key", t.contains("<<: *a")),
        ] {
            *seen.entry(what).or_insert(0) += usize::from(hit);
        }
        let out = props::invariants::run(t.as_bytes(), &case.args);
        if out.code <= 1 {
            readable += 1;
            if out.stdout != t.as_bytes() {
                rewritten += 1;
            }
        }
    }
    let missing: Vec<_> = seen.iter().filter(|(_, n)| **n < 5).collect();
    assert!(missing.is_empty(), "styles too rare in {CASES} cases: {missing:?}");
    assert!(readable > CASES * 95 / 100, "only {readable} of {CASES} generated manifests were accepted");
    assert!(rewritten > CASES / 10, "only {rewritten} of {CASES} cases were rewritten");
}

// Regression cases found by the generated tests and the fuzzers (see fuzz/README.md).

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|a| (*a).to_string()).collect()
}

fn output(input: &str, list: &[&str]) -> (i32, String) {
    let out = props::invariants::run(input.as_bytes(), &args(list));
    (out.code, String::from_utf8(out.stdout).expect("utf-8"))
}

const RL_HEAD: &str = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: w}\n  spec:\n    template:\n      spec:\n        volumes:\n        - persistentVolumeClaim: {claimName: d}\n- apiVersion: v1\n  kind: PersistentVolumeClaim\n  metadata: {name: d}\n  spec: {accessModes: [ReadWriteOnce]}\n";

/// A null `results` that is not the last key of the ResourceList: the results check counted
/// the null as a second key and the run ended in an internal error (exit 4).
#[test]
fn null_results_before_another_key() {
    for results in ["results: null\n", "results:\n", "results: ~ # none yet\n"] {
        let input = format!(
            "{RL_HEAD}{results}functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  data: {{mode: recreate}}\n"
        );
        check(input.as_bytes(), &[]).unwrap_or_else(|e| panic!("{e}\n{input}"));
        let (code, out) = output(&input, &[]);
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("results:\n- message: 'Deployment w: added spec.strategy: {type: Recreate}."), "{out}");
        assert!(
            out.ends_with("functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  data: {mode: recreate}\n"),
            "{out}"
        );
    }
}

const DEPLOY_HEAD: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: w\nspec:\n";
const DEPLOY_TAIL: &str = "  template:\n    spec:\n      volumes:\n      - persistentVolumeClaim:\n          claimName: d\n---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: d}\nspec: {accessModes: [ReadWriteOnce]}\n";

/// A strategy whose last value is empty (`maxUnavailable:`): the parser ends an empty value
/// before its key's colon, so removing `rollingUpdate` left a stray `:` behind and the run
/// ended in an internal error (exit 4).
#[test]
fn empty_value_at_the_end_of_a_strategy() {
    let input = format!("{DEPLOY_HEAD}  strategy:\n    type: RollingUpdate\n    rollingUpdate:\n      maxUnavailable:\n  selector: {{}}\n{DEPLOY_TAIL}");
    let (code, out) = output(&input, &[]);
    assert_eq!(code, 0);
    assert_eq!(out, format!("{DEPLOY_HEAD}  strategy:\n    type: Recreate\n  selector: {{}}\n{DEPLOY_TAIL}"));
    for list in ARG_SETS {
        check(input.as_bytes(), &args(list)).unwrap_or_else(|e| panic!("{list:?}: {e}"));
    }
}

/// Empty values inside flow strategies: every edit must land after the empty value's colon.
#[test]
fn empty_values_in_flow_strategies() {
    for strategy in [
        "{type: RollingUpdate, rollingUpdate: }",
        "{rollingUpdate: , type: RollingUpdate}",
        "{rollingUpdate: {maxSurge: }}",
        "{type: RollingUpdate, rollingUpdate: {maxSurge: }}",
        "{type: RollingUpdate, rollingUpdate: {maxUnavailable: , maxSurge: 1}}",
    ] {
        let input = format!("{DEPLOY_HEAD}  strategy: {strategy}\n{DEPLOY_TAIL}");
        for list in ARG_SETS {
            check(input.as_bytes(), &args(list)).unwrap_or_else(|e| panic!("{strategy} {list:?}: {e}"));
        }
        assert_eq!(output(&input, &[]).0, 0, "{strategy}");
    }
    let (_, out) = output(
        &format!("{DEPLOY_HEAD}  strategy: {{rollingUpdate: {{maxSurge: }}}}\n{DEPLOY_TAIL}"),
        &["--mode", "rolling"],
    );
    assert!(
        out.contains("  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 0 , maxUnavailable: 1 }}\n"),
        "{out}"
    );
}

/// The last pair of a spec is an empty `strategy:`.
#[test]
fn empty_strategy_as_the_last_key() {
    let input = format!("{DEPLOY_HEAD}{}  strategy:\n---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {{name: d}}\nspec: {{accessModes: [ReadWriteOnce]}}\n", &DEPLOY_TAIL[..DEPLOY_TAIL.find("---").unwrap_or(0)]);
    let (code, out) = output(&input, &[]);
    assert_eq!(code, 0);
    assert!(out.contains("          claimName: d\n  strategy: {type: Recreate}\n---\n"), "{out}");
    check(input.as_bytes(), &[]).unwrap_or_else(|e| panic!("{e}"));
}

/// `--diff` output applies with `patch -p1` and with `git apply` and gives exactly the output of
/// the same run without `--diff` (CRLF, a last line without a line break, results appended).
#[test]
fn diffs_apply_with_patch_and_git_apply() {
    let dir = std::env::temp_dir().join(format!("rwo-guard-diffs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let target = dir.join("<stdin>");
    let cases = env_u64("RWO_GUARD_DIFF_CASES").unwrap_or(1500);
    let (mut applied, mut failures) = (0, Vec::new());
    for seed in (0..cases).map(|n| BASE_SEED + 0x10_0000 + n) {
        let mut rng = XorShift::new(seed);
        let case = generate(&mut rng);
        let plain = props::invariants::run(case.input.as_bytes(), &case.args);
        if plain.code > 1 || plain.stdout == case.input.as_bytes() {
            continue;
        }
        let mut args = case.args.clone();
        args.push("--diff".into());
        let diff = props::invariants::run(case.input.as_bytes(), &args);
        for tool in [&["patch", "-p1", "-s", "-f", "--no-backup-if-mismatch"][..], &["git", "apply"][..]] {
            std::fs::write(&target, &case.input).expect("input file");
            let mut child = std::process::Command::new(tool[0])
                .args(&tool[1..])
                .current_dir(&dir)
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap_or_else(|e| panic!("{} is needed by this test: {e}", tool[0]));
            std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), &diff.stdout).expect("diff in");
            let out = child.wait_with_output().expect("wait");
            let patched = std::fs::read(&target).expect("patched");
            if !out.status.success() || patched != plain.stdout {
                failures.push(format!(
                    "seed {seed:#x}, {}: {}\n--- diff\n{}",
                    tool[0],
                    String::from_utf8_lossy(&out.stderr),
                    String::from_utf8_lossy(&diff.stdout)
                ));
            }
        }
        applied += 1;
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(applied * 20 > cases, "too few cases had edits: {applied} of {cases}");
    assert!(failures.is_empty(), "{} failure(s); the first:\n{}", failures.len(), failures[0]);
}

/// A ResourceList whose first root key carries a tag (`!!map apiVersion: …`, found by the
/// `manifest` fuzzer): the results were indented to the key's column, 6, and so landed inside
/// the last item (exit 0, the item changed). A root key's column is its line's indentation.
#[test]
fn results_after_a_tagged_first_root_key() {
    let input = "!!map apiVersion: config.kubernetes.io/v1\n'kind': ResourceList\nitems:\n  - apiVersion: apps/v1\n    kind: DaemonSet\n    metadata: {name: worker}\n    spec:\n      template:\n        spec: {volumes: [{name: v, persistentVolumeClaim: {claimName: logs}}]}\n";
    for list in ARG_SETS {
        check(input.as_bytes(), &args(list)).unwrap_or_else(|e| panic!("{list:?}: {e}"));
    }
    let (code, out) = output(input, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with(input), "{out}");
    assert!(out[input.len()..].starts_with("results:\n- message: 'DaemonSet worker: claim logs"), "{out}");
}

/// Keys with a tag or an anchor before them on their line, and explicit `? key` pairs: lines
/// written beside them go at their line's indentation (these ended in exit 4: "spec key does
/// not start its line").
#[test]
fn keys_with_properties_and_explicit_keys() {
    for (spec, want) in [
        ("  !!str replicas: 1\n", "  !!str replicas: 1\n  strategy:\n    type: Recreate\n"),
        ("  &r replicas: 1\n", "  &r replicas: 1\n  strategy:\n    type: Recreate\n"),
        ("  ? replicas\n  : 1\n", "  ? replicas\n  : 1\n  strategy:\n    type: Recreate\n"),
        ("  strategy:\n    ? type\n    : RollingUpdate\n", "  strategy:\n    ? type\n    : Recreate\n"),
        (
            "  strategy:\n    !!str type: RollingUpdate\n    rollingUpdate: {maxSurge: 1}\n",
            "  strategy: {type: Recreate}\n",
        ),
    ] {
        let input = format!("{DEPLOY_HEAD}{spec}{DEPLOY_TAIL}");
        for list in ARG_SETS {
            check(input.as_bytes(), &args(list)).unwrap_or_else(|e| panic!("{spec} {list:?}: {e}"));
        }
        let (code, out) = output(&input, &[]);
        assert_eq!(code, 0, "{spec}");
        assert_eq!(out, format!("{DEPLOY_HEAD}{want}{DEPLOY_TAIL}"), "{spec}");
    }
}

/// A planned edit the text's layout does not let the rewriter write (removing `rollingUpdate`
/// from the line of an explicit key's `: `, the whole value after an explicit key): a warning
/// naming what to set by hand and the object unchanged, not an internal error (exit 4).
#[test]
fn an_edit_that_cannot_be_placed_is_a_warning() {
    let input = format!(
        "{DEPLOY_HEAD}  ? strategy\n  : rollingUpdate: {{maxSurge: 1}}\n    type: RollingUpdate\n{DEPLOY_TAIL}"
    );
    for list in ARG_SETS {
        check(input.as_bytes(), &args(list)).unwrap_or_else(|e| panic!("{list:?}: {e}"));
    }
    let out = props::invariants::run(input.as_bytes(), &[]);
    assert_eq!(out.code, 0);
    assert_eq!(out.stdout, input.as_bytes());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning: Deployment w: its rollout can surge on an exclusive claim, but rwo-guard cannot write the edit into this text (no colon after the key) and left the object unchanged. Set spec.strategy: {type: Recreate} by hand"),
        "{err}"
    );
    assert!(!err.contains("info:"), "no strategy-rewritten finding for an edit not made: {err}");
}

/// Flow mappings whose keys carry a tag (`{!!str replicas: 1, !!str template: …}`, found by the
/// `manifest` fuzzer once its grammar tagged keys): the strategy went between `!!str` and
/// `template`, taking the tag from it (exit 4, the verifier caught it). A pair now goes before
/// the key's properties.
#[test]
fn flow_pairs_go_before_a_tagged_key() {
    for (spec, want) in [
        (
            "  { !!str replicas: 1, !!str template: {spec: {volumes: [{persistentVolumeClaim: {claimName: d}}]}}}\n",
            "  { !!str replicas: 1, strategy: {type: Recreate}, !!str template: {spec: {volumes: [{persistentVolumeClaim: {claimName: d}}]}}}\n",
        ),
        (
            "  {!<tag:yaml.org,2002:str> template: {spec: {volumes: [{persistentVolumeClaim: {claimName: d}}]}}}\n",
            "  {strategy: {type: Recreate}, !<tag:yaml.org,2002:str> template: {spec: {volumes: [{persistentVolumeClaim: {claimName: d}}]}}}\n",
        ),
    ] {
        let claim = &DEPLOY_TAIL[DEPLOY_TAIL.find("---").unwrap_or(0)..];
        let input = format!("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: w}}\nspec:\n{spec}{claim}");
        for list in ARG_SETS {
            check(input.as_bytes(), &args(list)).unwrap_or_else(|e| panic!("{spec} {list:?}: {e}\n{input}"));
        }
        let (code, out) = output(&input, &[]);
        assert_eq!(code, 0, "{input}");
        assert!(out.contains(want.trim_start()), "{out}");
    }
}

/// A second run takes out rwo-guard's own earlier results when it has none to write, the
/// whole `results` entry with the tag before its key (`!!str 'results': [...]`).
#[test]
fn own_results_behind_a_tagged_key_are_replaced() {
    let input = format!("{RL_HEAD}!!str 'results': [] # filled in\n");
    for list in ARG_SETS {
        check(input.as_bytes(), &args(list)).unwrap_or_else(|e| panic!("{list:?}: {e}\n{input}"));
    }
    let (_, once) = output(&input, &[]);
    let (_, twice) = output(&once, &[]);
    assert!(once.contains("!!str 'results': [{\"message\": \"Deployment w: added spec.strategy"), "{once}");
    assert!(!twice.contains("results"), "{twice}");
}

/// A ResourceList whose `results` defines an anchor that an item aliases (`results: &a null`,
/// then `*a`; found by the `manifest` fuzzer): filling the results in dropped the anchor and
/// the output did not parse (exit 0). Writing into an anchored `results` is refused with a
/// located error; with nothing to write, the input passes unchanged.
#[test]
fn anchored_results_are_not_written_into() {
    let input = "results: &a null\nkind: ResourceList\napiVersion: config.kubernetes.io/v1\nitems:\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: w, labels: {x: *a}}\n  spec: {template: {spec: {volumes: [{persistentVolumeClaim: {claimName: d}}]}}}\n";
    for list in ARG_SETS {
        check(input.as_bytes(), &args(list)).unwrap_or_else(|e| panic!("{list:?}: {e}"));
    }
    let out = props::invariants::run(input.as_bytes(), &[]);
    assert_eq!(out.code, 3);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("the ResourceList's `results` defines a YAML anchor") && err.contains("<stdin>:1:1"), "{err}");
    // The claim is not in the bundle: with `--external-claims ignore` there is nothing to say.
    let out = props::invariants::run(input.as_bytes(), &["--external-claims".into(), "ignore".into()]);
    assert_eq!((out.code, out.stdout.as_slice()), (0, input.as_bytes()));
}

/// An alias inside the strategy to an anchor in another item (`maxUnavailable: *u`; found by
/// the `manifest` fuzzer): the edited object was checked alone, where the alias does not
/// resolve (exit 4). Such an object is checked inside its whole document, as one with an
/// outside alias elsewhere already was.
#[test]
fn an_alias_in_the_strategy_to_another_item() {
    let input = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: c, labels: {n: &u '1'}}\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: w}\n  spec:\n    strategy: {rollingUpdate: {maxUnavailable: *u}}\n    template: {spec: {volumes: [{persistentVolumeClaim: {claimName: d}}]}}\n- apiVersion: v1\n  kind: PersistentVolumeClaim\n  metadata: {name: d}\n  spec: {accessModes: [ReadWriteOnce]}\n";
    for list in ARG_SETS {
        check(input.as_bytes(), &args(list)).unwrap_or_else(|e| panic!("{list:?}: {e}"));
    }
    let (code, out) = output(input, &["--mode", "rolling"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("    strategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: *u, maxSurge: 0}}\n"),
        "{out}"
    );
}

/// A second run over a flow ResourceList whose `results` key carries a tag (`!!str 'results':
/// [...]`, found by the `manifest` fuzzer): taking rwo-guard's own earlier results out removed
/// the whole text, and the output was empty with exit 0 (the entry was taken for a block one,
/// since the text before its key did not end in `,` or `{`). The entry now starts at its key's
/// properties in the root mapping's layout, and the re-read of a flow ResourceList must keep
/// its objects and `functionConfig`.
#[test]
fn own_results_in_a_flow_resource_list_behind_a_tagged_key() {
    let item = "{apiVersion: apps/v1, kind: Deployment, metadata: {name: w}, spec: {template: {spec: {volumes: [{persistentVolumeClaim: {claimName: d}}]}}}}";
    let claim =
        "{apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: d}, spec: {accessModes: [ReadWriteOnce]}}";
    let head = "apiVersion: config.kubernetes.io/v1, kind: ResourceList";
    let fc = "functionConfig: {apiVersion: v1, kind: ConfigMap, metadata: {name: fc}, data: {mode: recreate}}";
    for results in
        ["!!str 'results': null", "!!str results: []", "!<tag:yaml.org,2002:str> results: []", "&r !!str results: []"]
    {
        for input in [
            format!("{{{head}, items: [{item}, {claim}], {fc}, {results}}} # a comment\n"),
            format!("{{{results}, {head}, items: [{item}, {claim}], {fc}}}\n"),
            format!("{{{head}, x:, {results}, items: [{item}, {claim}]}}\n"),
        ] {
            for list in ARG_SETS {
                check(input.as_bytes(), &args(list)).unwrap_or_else(|e| panic!("{list:?}: {e}\n{input}"));
            }
            let (code, once) = output(&input, &[]);
            assert!(code == 0 && once.contains("[{\"message\": \"Deployment w: "), "{input}\n{once}");
            let (code, twice) = output(&once, &[]);
            assert_eq!(code, 0, "{once}");
            let expected = input.replace(&format!(", {results}"), "").replace(&format!("{results}, "), "");
            assert_eq!(twice, expected.replace("{template:", "{strategy: {type: Recreate}, template:"), "{once}");
        }
    }
}

/// Results appended to a block list that a line of spaces follows (found by the `manifest`
/// fuzzer, a false alarm of the invariants): the shortest difference ended inside that line,
/// past the results zone. The zone now takes in the blanks after its last line.
#[test]
fn results_before_a_line_of_spaces() {
    let input = format!("{RL_HEAD}results:\n  -\n    message: an earlier function said this\n    \nseverity: 'info'\n");
    for list in ARG_SETS {
        check(input.as_bytes(), &args(list)).unwrap_or_else(|e| panic!("{list:?}: {e}\n{input}"));
    }
}

/// Taking out a flow ResourceList's first pair, `results`, when a comment after it holds a
/// comma: the removal ran to the first comma it found, inside the comment, and left the rest
/// of the comment behind as a key (`{b , apiVersion: …}`, exit 0). It now runs to where the
/// next entry begins, as the rewriter's flow insertions do (`text::flow_entry`).
#[test]
fn own_results_first_in_a_flow_resource_list_before_a_comment() {
    let ours = r#"[{"message": "old", "severity": "info", "tags": {"rule": "strategy-rewritten"}}]"#;
    let input = format!(
        "{{results: {ours} # a, b\n , !!str apiVersion: config.kubernetes.io/v1, kind: ResourceList, items: []}}\n"
    );
    for list in ARG_SETS {
        check(input.as_bytes(), &args(list)).unwrap_or_else(|e| panic!("{list:?}: {e}\n{input}"));
    }
    let (code, out) = output(&input, &[]);
    assert_eq!(
        (code, out.as_str()),
        (0, "{!!str apiVersion: config.kubernetes.io/v1, kind: ResourceList, items: []}\n")
    );
}
