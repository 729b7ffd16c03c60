//! The properties every run of rwo-guard must have, on any input: no panic; exit code 0–3
//! (never 4, the verifier catching a bug); on success the output parses, has the same form,
//! documents and objects, unplanned objects are byte-identical, every byte that changed lies
//! in a planned object (or a ResourceList's results), the full re-read verifier agrees with
//! the per-object one the run used, and a second run changes nothing; on a fatal error stdout
//! is empty (a stream) or a ResourceList carrying the error.

use rwo_guard::api::{self, Form, Inspection};

/// What one run gave.
pub struct Outcome {
    /// The exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: Vec<u8>,
    /// Standard error.
    pub stderr: Vec<u8>,
}

/// Runs rwo-guard on `input` with `args` (after the program name).
pub fn run(input: &[u8], args: &[String]) -> Outcome {
    let command_line = std::iter::once("rwo-guard".to_string()).chain(args.iter().cloned());
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let code = rwo_guard::run(command_line, &mut &input[..], &mut stdout, &mut stderr);
    Outcome { code, stdout, stderr }
}

fn after_line(text: &str, end: usize) -> usize {
    if end > 0 && text.as_bytes().get(end - 1) == Some(&b'\n') {
        end
    } else {
        text[end..].find('\n').map_or(text.len(), |i| end + i + 1)
    }
}

/// Where the region of the object starting at `start` ends: at the start of the next object
/// or document. An edited object owns the comments and blank lines after its content (a removed
/// pair can leave a comment that sat between pairs after the object's last content).
fn region_end(text: &str, bundle: &Inspection, start: usize) -> usize {
    let documents = bundle.documents.iter().map(|d| d.0);
    let objects = bundle.objects.iter().map(|o| o.span.0);
    documents.chain(objects).filter(|&s| s > start).min().unwrap_or(text.len())
}

/// Where a ResourceList's results may change: the `results` entry (with the `, ` before it in
/// flow style, or the `,` after it when it is the first pair), or, without one, the end of the
/// root mapping.
fn results_zone(text: &str, bundle: &Inspection) -> Option<(usize, usize)> {
    if bundle.form != Form::ResourceList {
        return None;
    }
    if let Some((key, end)) = bundle.results {
        let mut zone_end = past_blanks(text, after_line(text, end));
        if text[zone_end..].starts_with(',') {
            zone_end = past_blanks(text, zone_end + 1);
        }
        Some((with_properties(text, key).saturating_sub(2), zone_end))
    } else {
        let root_end = bundle.documents.first()?.1?;
        Some((root_end.saturating_sub(1), past_blanks(text, after_line(text, root_end))))
    }
}

/// `at` and the spaces and tabs after it. Appended lines that end like the blank line after
/// them (`  ` before a line of spaces) leave a shortest difference that ends inside that line;
/// those bytes are the same either way.
fn past_blanks(text: &str, at: usize) -> usize {
    at + text[at..].len() - text[at..].trim_start_matches([' ', '\t']).len()
}

/// Where the key starting at `key` begins with its properties (`!!str results:` from `!!str`,
/// a verbatim `!<…>` tag whole): a removed entry goes with them.
fn with_properties(text: &str, key: usize) -> usize {
    let mut start = key;
    loop {
        let blank_from = text[..start].trim_end_matches([' ', '\t']).len();
        let head = &text[..blank_from];
        // A verbatim tag (`!<tag:yaml.org,2002:str>`) may hold a comma.
        let verbatim = head.ends_with('>').then(|| head.rfind("!<")).flatten();
        let token_from = verbatim.unwrap_or_else(|| head.rfind([' ', '\t', '\n', '\r', '{', ',']).map_or(0, |i| i + 1));
        if blank_from < start && token_from < blank_from && matches!(text.as_bytes()[token_from], b'!' | b'&') {
            start = token_from;
        } else {
            return start;
        }
    }
}

/// The byte ranges `(input, output)` that differ between `a` and `b`, as one range each (the
/// common prefix and suffix taken off).
fn changed(before: &str, after: &str) -> Option<((usize, usize), (usize, usize))> {
    if before == after {
        return None;
    }
    let (old, new) = (before.as_bytes(), after.as_bytes());
    let prefix = old.iter().zip(new).take_while(|(l, r)| l == r).count();
    let most = old.len().min(new.len()) - prefix;
    let suffix = old.iter().rev().zip(new.iter().rev()).take(most).take_while(|(l, r)| l == r).count();
    Some(((prefix, old.len() - suffix), (prefix, new.len() - suffix)))
}

fn within(r: (usize, usize), zone: Option<(usize, usize)>) -> bool {
    zone.is_some_and(|(s, e)| s <= r.0 && r.1 <= e)
}

/// Checks that `out` is `input` changed only inside the planned objects (their spans in each)
/// and a ResourceList's results zone.
fn changed_only_where_planned(
    input: &str,
    inb: &Inspection,
    out: &str,
    outb: &Inspection,
    planned: &[usize],
) -> Result<(), String> {
    let mut cuts_in = vec![0];
    let mut cuts_out = vec![0];
    for &k in planned {
        let (a, b) = (inb.objects[k].span, outb.objects[k].span);
        cuts_in.extend([a.0, region_end(input, inb, a.0)]);
        cuts_out.extend([b.0, region_end(out, outb, b.0)]);
    }
    cuts_in.push(input.len());
    cuts_out.push(out.len());
    let zone_in = results_zone(input, inb);
    let zone_out = results_zone(out, outb);
    for n in (0..cuts_in.len()).step_by(2) {
        let (a0, a1, b0, b1) = (cuts_in[n], cuts_in[n + 1], cuts_out[n], cuts_out[n + 1]);
        if a0 > a1 || b0 > b1 {
            return Err("planned objects overlap or are out of order".into());
        }
        if let Some((ri, ro)) = changed(&input[a0..a1], &out[b0..b1]) {
            let (ri, ro) = ((ri.0 + a0, ri.1 + a0), (ro.0 + b0, ro.1 + b0));
            // Results appended (in the output's zone), or rwo-guard's own earlier results taken
            // out (from the input's zone; the whole entry may go, leaving no zone behind).
            let in_zone = (within(ro, zone_out) || (ro.0 == ro.1 && within(ri, zone_in)))
                && (ri.0 == ri.1 || within(ri, zone_in));
            if !in_zone {
                return Err(format!(
                    "bytes outside planned objects changed: input {:?} {:?} became output {:?} {:?}",
                    ri,
                    &input[ri.0..ri.1],
                    ro,
                    &out[ro.0..ro.1]
                ));
            }
        }
    }
    Ok(())
}

/// Known and accepted: a ResourceList whose text ends without a line break gets one before the
/// appended results, and an object ending there in a block scalar (`|`) then spans it too.
/// The parser reads the same value either way (the fingerprints are equal).
fn eof_break_added(input: &str, end: usize, before: &str, after: &str) -> bool {
    end == input.len() && !input.ends_with('\n') && matches!(after.strip_prefix(before), Some("\n" | "\r\n"))
}

fn text(bytes: &[u8], what: &str) -> Result<String, String> {
    String::from_utf8(bytes.to_vec()).map_err(|_| format!("{what} is not UTF-8"))
}

/// A run that stopped on an error (exit 2 or 3) answered in the input's form: a ResourceList
/// holding an error result for a ResourceList, nothing on stdout for a stream.
fn answered_in_form(input: &[u8], first: &Outcome) -> Result<(), String> {
    if api::is_resource_list(input) {
        let out = text(&first.stdout, "stdout")?;
        let b = api::inspect(&out).map_err(|e| format!("the error ResourceList does not parse: {e}\n{out}"))?;
        let error = out.contains("severity: error") || out.contains("\"severity\": \"error\"");
        if b.form != Form::ResourceList || b.results.is_none() || !error {
            return Err(format!("exit {} on a ResourceList without an error result:\n{out}", first.code));
        }
    } else if !first.stdout.is_empty() {
        return Err(format!("exit {} with output on stdout", first.code));
    }
    Ok(())
}

/// Checks every property on one input; `Err` says the first one broken.
pub fn check(input: &[u8], args: &[String]) -> Result<(), String> {
    let first = run(input, args);
    match first.code {
        0 | 1 => {}
        2 | 3 => return answered_in_form(input, &first),
        code => return Err(format!("exit code {code}: {}", String::from_utf8_lossy(&first.stderr).trim_end())),
    }
    let input = std::str::from_utf8(input).map_err(|_| "exit 0/1 on non-UTF-8 input".to_string())?;
    let out = text(&first.stdout, "stdout")?;
    let inb = api::inspect(input).map_err(|e| format!("the run succeeded but the reader rejects the input: {e}"))?;
    let outb = api::inspect(&out).map_err(|e| format!("the output does not parse: {e}"))?;
    if inb.form != outb.form {
        return Err("the output's form differs".into());
    }
    if inb.documents.len() != outb.documents.len() || inb.objects.len() != outb.objects.len() {
        return Err(format!(
            "documents/objects {}/{} became {}/{}",
            inb.documents.len(),
            inb.objects.len(),
            outb.documents.len(),
            outb.objects.len()
        ));
    }
    let options = api::Options::from_args(args).map_err(|e| format!("run accepted what the API rejects: {e}"))?;
    let plan = api::plan(input, &options).map_err(|e| format!("run accepted what the plan rejects: {e}"))?;
    api::verify(input, &out, &options).map_err(|e| format!("the full verifier rejects what the run wrote: {e}"))?;
    let planned = plan.objects;
    for (k, (a, b)) in inb.objects.iter().zip(&outb.objects).enumerate() {
        let before = &input[a.span.0..a.span.1];
        let after = &out[b.span.0..b.span.1];
        if planned.contains(&k) {
            if before == after {
                return Err(format!("{} was planned but its bytes did not change", a.display));
            }
        } else if a.fingerprint != b.fingerprint
            || (before != after && !eof_break_added(input, a.span.1, before, after))
        {
            return Err(format!("{} ({}) was not planned but changed", a.display, a.label));
        }
    }
    changed_only_where_planned(input, &inb, &out, &outb, &planned)?;
    if inb.form == Form::Stream && plan.check && out != input && inb.objects.iter().all(|o| !o.mode_annotation) {
        return Err("check mode changed the stream".into());
    }
    // A second run changes no object (a ResourceList gets its own earlier results replaced).
    let again = run(out.as_bytes(), args);
    if again.code != first.code {
        return Err(format!(
            "the second run exited {} (the first {}); stderr:\n{}",
            again.code,
            first.code,
            String::from_utf8_lossy(&again.stderr)
        ));
    }
    let second = text(&again.stdout, "second stdout")?;
    let replans = api::plan(&out, &options).map_err(|e| format!("second plan: {e}"))?.objects;
    if !replans.is_empty() {
        return Err(format!("the output still has {} object(s) to rewrite", replans.len()));
    }
    match outb.form {
        Form::Stream if second != out => return Err("the second run changed the stream".into()),
        Form::Stream => {}
        Form::ResourceList => {
            let second_bundle = api::inspect(&second).map_err(|e| format!("the second output does not parse: {e}"))?;
            changed_only_where_planned(&out, &outb, &second, &second_bundle, &[])
                .map_err(|e| format!("second run: {e}"))?;
        }
    }
    Ok(())
}
