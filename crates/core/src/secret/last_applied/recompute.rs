//! What `kubectl apply -f` would record in the annotation for a Secret's manifest.

use std::fmt;

use serde_json::{Map, Value};

use super::ANNOTATION;
use crate::secret::codec;
use crate::secret::model::Secret;

/// What `kubectl apply -f` records for this Secret's manifest (kubectl
/// `GetModifiedConfiguration`): the manifest (`apiVersion`, `kind`, `metadata` with `name`,
/// `namespace`, `labels` and `annotations`, `type`, `immutable`, `data` in base64; no server
/// fields, owner references or finalizers, which a manifest does not set) without the
/// annotation itself, whose map stays even when empty, serialised as Go's encoding/json
/// serialises an unstructured object: keys sorted, no spaces, `<`, `>`, `&`, U+2028 and U+2029
/// escaped, and the encoder's newline. The JSON tree it is built from is zeroized.
pub fn recompute(secret: &Secret) -> String {
    let m = &secret.metadata;
    let mut meta = Map::new();
    let annotations: Map<String, Value> = m
        .annotations
        .iter()
        .flatten()
        .filter(|(k, _)| k.as_str() != ANNOTATION)
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    meta.insert("annotations".into(), Value::Object(annotations));
    if let Some(labels) = m.labels.as_ref().filter(|l| !l.is_empty()) {
        let labels = labels.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
        meta.insert("labels".into(), Value::Object(labels));
    }
    if let Some(name) = &m.name {
        meta.insert("name".into(), Value::String(name.clone()));
    }
    if let Some(ns) = &m.namespace {
        meta.insert("namespace".into(), Value::String(ns.clone()));
    }
    let mut manifest = Map::new();
    manifest.insert("apiVersion".into(), Value::String("v1".into()));
    manifest.insert("kind".into(), Value::String("Secret".into()));
    manifest.insert("metadata".into(), Value::Object(meta));
    if let Some(data) = &secret.data {
        let data = data.iter().map(|(k, v)| (k.clone(), Value::String(codec::encode_value(v)))).collect();
        manifest.insert("data".into(), Value::Object(data));
    }
    if let Some(im) = secret.immutable {
        manifest.insert("immutable".into(), Value::Bool(im));
    }
    if let Some(t) = &secret.type_ {
        manifest.insert("type".into(), Value::String(t.clone()));
    }
    let manifest = Value::Object(manifest);
    let mut out = String::with_capacity(256 + secret.data_size() * 2);
    go_json(&manifest, &mut out);
    out.push('\n');
    crate::secret::wipe::wipe_json(manifest);
    out
}

/// Go's encoding/json of an unstructured object (keys sorted, HTML-safe escapes): the text
/// kubectl records in its last-applied annotation. The embedded cluster writes it with this too.
pub fn to_go_json(v: &Value) -> String {
    let mut out = String::new();
    go_json(v, &mut out);
    out
}

/// Go's encoding/json of an unstructured object, written into `out` (no intermediate strings).
fn go_json(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_string(k, out);
                out.push(':');
                go_json(&m[k], out);
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, item) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_json(item, out);
            }
            out.push(']');
        }
        Value::String(s) => go_string(s, out),
        other => out.push_str(&other.to_string()),
    }
}

/// A JSON string as Go's encoding/json escapes it (HTML-safe), as
/// `crate::validate::names::go_json_string` does, appended to `out`.
pub(super) fn go_string(s: &str, out: &mut String) {
    use fmt::Write as _;
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}
