//! The one JSON writer: serde_json with the spacing rwo-guard's JSON has always had
//! (`{"a": 1, "b": [1, 2]}`, one line). Used for results appended to a flow-style or JSON
//! ResourceList, for strategy values written into JSON documents, and for the JSON reports.

use serde::Serialize;
use serde_json::ser::Formatter;

/// serde_json's compact form with a blank after each `,` and `:`.
struct Spaced;

impl Formatter for Spaced {
    fn begin_array_value<W: ?Sized + std::io::Write>(&mut self, writer: &mut W, first: bool) -> std::io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(&mut self, writer: &mut W, first: bool) -> std::io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        writer.write_all(b": ")
    }
}

/// `value` as one line of JSON.
pub(crate) fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, String> {
    let mut out = Vec::with_capacity(128);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, Spaced);
    value.serialize(&mut ser).map_err(|e| format!("cannot write JSON: {e}"))?;
    String::from_utf8(out).map_err(|e| format!("cannot write JSON: {e}"))
}

/// `value` as indented JSON (two spaces), for reports (`--results-format json`, `sarif`).
pub(crate) fn pretty<T: Serialize + ?Sized>(value: &T) -> Result<String, String> {
    serde_json::to_string_pretty(value).map_err(|e| format!("cannot write JSON: {e}"))
}

/// `s` as a JSON string, quotes included.
pub(crate) fn string(s: &str) -> String {
    // Serializing a str cannot fail.
    to_string(s).unwrap_or_else(|_| String::from("\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaced_and_escaped() {
        let v = serde_json::json!({"a": [1, "x\"\n\u{1}"], "b": {}});
        assert_eq!(to_string(&v).expect("json"), r#"{"a": [1, "x\"\n\u0001"], "b": {}}"#);
        assert_eq!(string("é\\"), "\"é\\\\\"");
    }
}
