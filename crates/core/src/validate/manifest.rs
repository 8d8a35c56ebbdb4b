//! Reading Kubernetes manifests the way kubectl does: a stream of YAML documents (or of JSON
//! objects) turned into JSON values, each with the line it starts on.
//!
//! kubectl reads YAML with `sigs.k8s.io/yaml`, which is go-yaml v2 underneath: YAML 1.1 scalar
//! resolution (`yes`, `on`, `y` are booleans; `0x1f`, `010` and `1_000` are integers; `~` is null)
//! followed by a conversion to JSON in which non-string map keys become strings (`on:` becomes
//! the key `"true"`). This module does the same on top of `saphyr-parser`, which only tokenizes,
//! and adds a [`Note`] wherever an unquoted key changes on the way, so that the surprise is
//! shown rather than silently applied. Input that starts with `{` is read as a stream of JSON
//! objects, as kubectl's `YAMLOrJSONDecoder` does.
//!
//! Never panics on any input: parser faults become a [`LoadError`] with a line and column.
//! Errors never quote a scalar's text (it may be a Secret value): the line and column say which.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span, Tag};
use serde_json::{Map, Number, Value};

/// The deepest nesting accepted; deeper input is an error, not a stack overflow.
const MAX_DEPTH: usize = 512;
/// A bound on the nodes built, alias expansions included ("billion laughs").
const MAX_NODES: usize = 5_000_000;

/// One document of the stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// 1-based line of the document's root node.
    pub line: usize,
    pub value: Value,
    /// When the root is a mapping with an `items` sequence (`kind: List`), the line of each item.
    pub item_lines: Vec<usize>,
    /// Things the YAML reading changed that the author probably did not mean.
    pub notes: Vec<Note>,
}

/// A YAML surprise in one document, e.g. the key `on:` read as `"true"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub line: usize,
    /// When the note is inside an element of the root's `items`, that element's index.
    pub item: Option<usize>,
    /// The field path relative to the document (or to the `items` element), like `data[true]`.
    pub field: String,
    pub message: String,
}

/// Why the input could not be read. `line` and `column` are 1-based.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

/// The documents read before the first error, and that error if there was one.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Loaded {
    pub documents: Vec<Document>,
    pub error: Option<LoadError>,
}

/// Reads a manifest stream. Empty documents (`---` alone, comments only) are dropped, as
/// kubectl drops them.
pub fn load(text: &str) -> Loaded {
    let trimmed = text.trim_start_matches([' ', '\t', '\r', '\n']);
    if trimmed.starts_with('{') {
        return load_json(text);
    }
    match std::panic::catch_unwind(|| load_yaml(text)) {
        Ok(loaded) => loaded,
        Err(_) => Loaded {
            documents: Vec::new(),
            error: Some(LoadError { line: 1, column: 1, message: "the YAML parser failed on this input".into() }),
        },
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut cut = offset.min(text.len());
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let before = &text[..cut];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

fn load_json(text: &str) -> Loaded {
    let mut out = Loaded::default();
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    let mut start = 0;
    loop {
        let skipped = text[start..].len() - text[start..].trim_start_matches([' ', '\t', '\r', '\n']).len();
        let doc_start = start + skipped;
        match stream.next() {
            None => break,
            Some(Ok(value)) => {
                let end = stream.byte_offset();
                let item_lines = json_item_offsets(&text[doc_start..end])
                    .into_iter()
                    .map(|o| line_col(text, doc_start + o).0)
                    .collect();
                out.documents.push(Document {
                    line: line_col(text, doc_start).0,
                    value,
                    item_lines,
                    notes: Vec::new(),
                });
                start = end;
            }
            Some(Err(e)) => {
                let message = e.to_string();
                let message = match message.rfind(" at line ") {
                    Some(i) => message[..i].to_string(),
                    None => message,
                };
                out.error = Some(LoadError { line: e.line(), column: e.column().max(1), message });
                break;
            }
        }
    }
    out
}

/// Byte offsets of the elements of the root object's `items` array, in a JSON text that is
/// known to be valid.
fn json_item_offsets(doc: &str) -> Vec<usize> {
    let b = doc.as_bytes();
    let mut offsets = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    let mut last_key: Option<(usize, usize)> = None;
    let mut in_items = false;
    let mut expect_element = false;
    while i < b.len() {
        let c = b[i];
        if in_items && depth == 2 && expect_element && !matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b']') {
            offsets.push(i);
            expect_element = false;
        }
        match c {
            b'"' => {
                let s = i + 1;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                if depth == 1 {
                    last_key = Some((s, i.min(b.len())));
                }
            }
            b'{' | b'[' => {
                depth += 1;
                if depth == 2 && c == b'[' && last_key.is_some_and(|(s, e)| &doc[s..e] == "items") {
                    in_items = true;
                    expect_element = true;
                }
            }
            b'}' | b']' => {
                if depth == 2 && in_items {
                    in_items = false;
                }
                depth = depth.saturating_sub(1);
            }
            b',' if depth == 2 && in_items => expect_element = true,
            b',' if depth == 1 => last_key = None,
            _ => {}
        }
        i += 1;
    }
    offsets
}

/// A scalar as go-yaml v2 resolves it.
#[derive(Debug, Clone, PartialEq)]
enum Scalar {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(String),
    Merge,
}

/// go-yaml v2's `resolve` for a plain scalar (YAML 1.1 with base-60 numbers left out;
/// timestamps stay strings when decoded into `interface{}`).
fn resolve_plain(s: &str) -> Scalar {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Scalar::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Scalar::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Scalar::Bool(false);
        }
        ".nan" | ".NaN" | ".NAN" => return Scalar::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Scalar::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Scalar::Float(f64::NEG_INFINITY),
        "<<" => return Scalar::Merge,
        _ => {}
    }
    let first = s.as_bytes().first().copied().unwrap_or(b' ');
    match first {
        b'.' => {
            if let Some(f) = go_parse_float(s) {
                return Scalar::Float(f);
            }
        }
        b'+' | b'-' | b'0'..=b'9' => {
            let plain = s.replace('_', "");
            if let Some(v) = go_parse_int(&plain) {
                return v;
            }
            if yaml_style_float(&plain)
                && let Some(f) = go_parse_float(&plain)
            {
                return Scalar::Float(f);
            }
        }
        _ => {}
    }
    Scalar::Str(s.to_string())
}

/// `strconv.ParseInt(s, 0, 64)`, then `ParseUint`: sign, `0x`/`0o`/`0b` prefixes, a leading `0`
/// meaning octal.
fn go_parse_int(s: &str) -> Option<Scalar> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if body.is_empty() {
        return None;
    }
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u128::from_str_radix(digits, radix).ok()?;
    if neg {
        let v = i128::try_from(magnitude).ok().map(|m| -m)?;
        i64::try_from(v).ok().map(Scalar::Int)
    } else if let Ok(v) = i64::try_from(magnitude) {
        Some(Scalar::Int(v))
    } else {
        u64::try_from(magnitude).ok().map(Scalar::Uint)
    }
}

/// go-yaml's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'-' | b'+')));
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// `strconv.ParseFloat(s, 64)` for the decimal forms YAML can reach here; out of range fails.
fn go_parse_float(s: &str) -> Option<f64> {
    if !s.bytes().all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-')) {
        return None;
    }
    s.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// `strconv.FormatFloat(f, 'g', -1, 32)`, as `sigs.k8s.io/yaml` turns a float key into a string.
fn go_format_float32(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf".into() } else { "-.inf".into() };
    }
    let x = f as f32;
    if x == 0.0 {
        return if x.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    // Shortest digits and exponent, from Rust's shortest round-trip formatting.
    let sci = format!("{x:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = mantissa.strip_prefix('-').map_or(("", mantissa), |m| ("-", m));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if !(-4..6).contains(&exp) {
        let mut m = digits[..1].to_string();
        if digits.len() > 1 {
            m.push('.');
            m.push_str(&digits[1..]);
        }
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{m}e{esign}{:02}", exp.abs());
    }
    if exp < 0 {
        return format!("{sign}0.{}{}", "0".repeat((-exp - 1) as usize), digits);
    }
    let int_len = exp as usize + 1;
    if digits.len() <= int_len {
        format!("{sign}{}{}", digits, "0".repeat(int_len - digits.len()))
    } else {
        format!("{sign}{}.{}", &digits[..int_len], &digits[int_len..])
    }
}

fn scalar_json(v: Scalar) -> Result<Value, String> {
    Ok(match v {
        Scalar::Null => Value::Null,
        Scalar::Bool(b) => Value::Bool(b),
        Scalar::Int(i) => Value::Number(i.into()),
        Scalar::Uint(u) => Value::Number(u.into()),
        Scalar::Float(f) => match Number::from_f64(f) {
            Some(n) => Value::Number(n),
            None => {
                return Err(
                    "an infinite or NaN float cannot be converted to JSON; quote the scalar to keep it as a string"
                        .into(),
                );
            }
        },
        Scalar::Str(s) => Value::String(s),
        Scalar::Merge => Value::String("<<".into()),
    })
}

/// A scalar with an explicit core tag (`!!str`, `!!int`, ...), as go-yaml checks it.
fn resolve_tagged(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> Result<Scalar, String> {
    let Some(tag) = tag else {
        return Ok(if style == ScalarStyle::Plain { resolve_plain(text) } else { Scalar::Str(text.to_string()) });
    };
    if !tag.is_yaml_core_schema() {
        // Local and non-specific tags (`!foo`, `!`): go-yaml keeps the text as a string.
        return Ok(Scalar::Str(text.to_string()));
    }
    let resolved = resolve_plain(text);
    let ok = match tag.suffix.as_str() {
        "str" => return Ok(Scalar::Str(text.to_string())),
        "binary" => {
            let cleaned: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            return crate::secret::decode_value("", &cleaned)
                .map(|bytes| Scalar::Str(String::from_utf8_lossy(&bytes).into_owned()))
                .map_err(|e| format!("!!binary value is not base64: {}", e.detail()));
        }
        "int" => matches!(resolved, Scalar::Int(_) | Scalar::Uint(_)),
        "float" => matches!(resolved, Scalar::Float(_) | Scalar::Int(_) | Scalar::Uint(_)),
        "bool" => matches!(resolved, Scalar::Bool(_)),
        "null" => matches!(resolved, Scalar::Null),
        "timestamp" => return Ok(Scalar::Str(text.to_string())),
        "merge" => return Ok(Scalar::Merge),
        _ => return Ok(Scalar::Str(text.to_string())),
    };
    if ok {
        Ok(match (tag.suffix.as_str(), resolved) {
            ("float", Scalar::Int(i)) => Scalar::Float(i as f64),
            ("float", Scalar::Uint(u)) => Scalar::Float(u as f64),
            (_, r) => r,
        })
    } else {
        // go-yaml quotes the scalar here; keyhole does not, since it may be a Secret value.
        // The error's line and column say which scalar.
        Err(format!("cannot decode this {} as a !!{}", describe_tag(&resolved), tag.suffix))
    }
}

fn describe_tag(s: &Scalar) -> &'static str {
    match s {
        Scalar::Null => "!!null",
        Scalar::Bool(_) => "!!bool",
        Scalar::Int(_) | Scalar::Uint(_) => "!!int",
        Scalar::Float(_) => "!!float",
        Scalar::Str(_) => "!!str",
        Scalar::Merge => "!!merge",
    }
}

/// A map key as `sigs.k8s.io/yaml` turns it into a JSON key.
fn key_string(s: &Scalar) -> Result<String, String> {
    Ok(match s {
        Scalar::Str(s) => s.clone(),
        Scalar::Bool(b) => b.to_string(),
        Scalar::Int(i) => i.to_string(),
        Scalar::Uint(u) => u.to_string(),
        Scalar::Float(f) => go_format_float32(*f),
        Scalar::Null => return Err("a null map key (`~`, `null` or an empty key) cannot become a JSON key".into()),
        Scalar::Merge => "<<".into(),
    })
}

#[derive(Debug)]
enum Frame {
    Map { map: Map<String, Value>, key: Option<(String, bool)>, merges: Vec<Map<String, Value>>, anchor: usize },
    Seq { items: Vec<Value>, anchor: usize },
}

struct Builder {
    stack: Vec<Frame>,
    /// The line where each open collection started.
    lines: Vec<usize>,
    anchors: HashMap<usize, (Value, usize)>,
    /// Node counts of the open collections (for the anchors table).
    counts: Vec<usize>,
    nodes: usize,
    doc: Option<Document>,
    doc_line: usize,
}

type Fail = (Span, String);

impl Builder {
    fn new() -> Self {
        Builder {
            stack: Vec::new(),
            lines: Vec::new(),
            anchors: HashMap::new(),
            counts: Vec::new(),
            nodes: 0,
            doc: None,
            doc_line: 0,
        }
    }

    /// The field path of the mapping whose key is being read, relative to the document or to
    /// the `items` element it is in; that element's index; and whether the mapping is one of the
    /// string maps whose keys Kubernetes writes in brackets (`data[key]`).
    fn path(&self) -> (Option<usize>, String, bool) {
        let mut item = None;
        let mut start = 0;
        if let (Some(Frame::Map { key: Some((k, _)), .. }), Some(Frame::Seq { items, .. })) =
            (self.stack.first(), self.stack.get(1))
            && k == "items"
        {
            item = Some(items.len());
            start = 2;
        }
        let mut path = String::new();
        let mut bracketed = false;
        for frame in &self.stack[start..] {
            match frame {
                Frame::Map { key: Some((k, _)), .. } => {
                    if path.is_empty() {
                        path.push_str(k);
                    } else if bracketed {
                        path.push_str(&format!("[{k}]"));
                    } else {
                        path.push('.');
                        path.push_str(k);
                    }
                    bracketed = matches!(k.as_str(), "data" | "stringData" | "labels" | "annotations");
                }
                Frame::Seq { items, .. } => {
                    path.push_str(&format!("[{}]", items.len()));
                    bracketed = false;
                }
                Frame::Map { .. } => {}
            }
        }
        (item, path, bracketed)
    }

    /// A note about `key` of the mapping on top of the stack (whose own key slot is empty).
    fn note(&mut self, line: usize, key: String, message: String) {
        let (item, path, bracketed) = self.path();
        let field = if path.is_empty() {
            key
        } else if bracketed {
            format!("{path}[{key}]")
        } else {
            format!("{path}.{key}")
        };
        if let Some(doc) = &mut self.doc {
            doc.notes.push(Note { line, item, field, message });
        }
    }

    fn count(&mut self, n: usize, span: Span) -> Result<(), Fail> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > MAX_NODES {
            return Err((span, "the document is too large once its aliases are expanded".into()));
        }
        Ok(())
    }

    fn start_doc(&mut self) {
        self.stack.clear();
        self.lines.clear();
        self.counts.clear();
        self.anchors.clear();
        self.nodes = 0;
        self.doc = Some(Document { line: 0, value: Value::Null, item_lines: Vec::new(), notes: Vec::new() });
        self.doc_line = 0;
    }

    fn open(&mut self, frame: Frame, span: Span) -> Result<(), Fail> {
        if matches!(self.stack.last(), Some(Frame::Map { key: None, .. })) {
            return Err((span, "a mapping or sequence used as a map key cannot become a JSON key".into()));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err((span, format!("the document nests deeper than {MAX_DEPTH} levels")));
        }
        self.count(1, span)?;
        if self.stack.is_empty() {
            self.doc_line = span.start.line();
        }
        self.stack.push(frame);
        self.lines.push(span.start.line());
        self.counts.push(self.nodes);
        Ok(())
    }

    fn close(&mut self, span: Span) -> Result<(), Fail> {
        let (Some(frame), Some(line), Some(before)) = (self.stack.pop(), self.lines.pop(), self.counts.pop()) else {
            return Ok(());
        };
        let size = self.nodes - before + 1;
        let (value, anchor) = match frame {
            Frame::Map { mut map, merges, anchor, .. } => {
                for merged in merges {
                    for (k, v) in merged {
                        if !map.contains_key(&k) {
                            map.insert(k, v);
                        }
                    }
                }
                (Value::Object(map), anchor)
            }
            Frame::Seq { items, anchor } => (Value::Array(items), anchor),
        };
        self.complete(value, anchor, size, line, span)
    }

    /// A finished node: record its anchor, then hand it to its parent.
    fn complete(&mut self, value: Value, anchor: usize, size: usize, line: usize, span: Span) -> Result<(), Fail> {
        if anchor != 0 {
            self.anchors.insert(anchor, (value.clone(), size));
        }
        let in_items = matches!(
            (self.stack.first(), self.stack.get(1), self.stack.len()),
            (Some(Frame::Map { key: Some((k, _)), .. }), Some(Frame::Seq { .. }), 2) if k == "items"
        );
        let root_line = self.doc_line;
        match self.stack.last_mut() {
            None => {
                if let Some(doc) = &mut self.doc {
                    doc.value = value;
                    doc.line = if root_line == 0 { line } else { root_line };
                }
            }
            Some(Frame::Seq { items, .. }) => {
                items.push(value);
                if in_items && let Some(doc) = &mut self.doc {
                    doc.item_lines.push(line);
                }
            }
            Some(Frame::Map { key: key @ None, .. }) => {
                // An alias used as a key.
                let scalar = match value {
                    Value::String(s) => Scalar::Str(s),
                    Value::Bool(b) => Scalar::Bool(b),
                    Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
                        (Some(i), _, _) => Scalar::Int(i),
                        (_, Some(u), _) => Scalar::Uint(u),
                        (_, _, f) => Scalar::Float(f.unwrap_or(0.0)),
                    },
                    Value::Null => Scalar::Null,
                    _ => return Err((span, "a mapping or sequence used as a map key cannot become a JSON key".into())),
                };
                *key = Some((key_string(&scalar).map_err(|m| (span, m))?, false));
            }
            Some(Frame::Map { map, key: key @ Some(_), merges, .. }) => {
                let Some((k, is_merge)) = key.take() else {
                    return Ok(());
                };
                if is_merge {
                    match value {
                        Value::Object(m) => merges.push(m),
                        Value::Array(list) if list.iter().all(Value::is_object) => {
                            merges.extend(list.into_iter().filter_map(|v| match v {
                                Value::Object(m) => Some(m),
                                _ => None,
                            }));
                        }
                        _ => return Err((span, "map merge requires map or sequence of maps as the value".into())),
                    }
                } else {
                    let duplicate = map.insert(k.clone(), value).is_some();
                    if duplicate {
                        self.note(
                            line,
                            k.clone(),
                            format!("the key {k:?} appears twice in this mapping; the last value is used"),
                        );
                    }
                }
            }
        }
        Ok(())
    }

    fn scalar(
        &mut self,
        text: &str,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        span: Span,
    ) -> Result<(), Fail> {
        self.count(1, span)?;
        let resolved = resolve_tagged(text, style, tag).map_err(|m| (span, m))?;
        let line = span.start.line();
        if let Some(Frame::Map { key: key @ None, .. }) = self.stack.last_mut() {
            let is_merge = resolved == Scalar::Merge && style == ScalarStyle::Plain;
            let k = key_string(&resolved).map_err(|m| (span, m))?;
            *key = Some((k.clone(), is_merge));
            if anchor != 0 {
                self.anchors.insert(anchor, (Value::String(k.clone()), 1));
            }
            if style == ScalarStyle::Plain && tag.is_none() && !is_merge && k != text {
                let what = match resolved {
                    Scalar::Bool(b) => format!("the boolean {b}"),
                    Scalar::Float(_) => "a float".to_string(),
                    _ => "a number".to_string(),
                };
                // Report under the key's final name, within its parent mapping.
                if let Some(Frame::Map { key, .. }) = self.stack.last_mut() {
                    *key = None;
                }
                self.note(
                    line,
                    k.clone(),
                    format!(
                        "the unquoted key {text} is read as {what} by YAML 1.1 (as kubectl reads it), so the key becomes {k:?}; quote it (\"{text}\") to keep the name"
                    ),
                );
                if let Some(Frame::Map { key, .. }) = self.stack.last_mut() {
                    *key = Some((k, false));
                }
            }
            return Ok(());
        }
        let value = scalar_json(resolved).map_err(|m| (span, m))?;
        if self.stack.is_empty() {
            self.doc_line = line;
        }
        self.complete(value, anchor, 1, line, span)
    }

    fn alias(&mut self, id: usize, span: Span) -> Result<(), Fail> {
        let Some((value, size)) = self.anchors.get(&id).cloned() else {
            return Err((span, "unknown anchor".into()));
        };
        self.count(size, span)?;
        if self.stack.is_empty() {
            self.doc_line = span.start.line();
        }
        self.complete(value, 0, size, span.start.line(), span)
    }

    fn end_doc(&mut self) -> Option<Document> {
        self.stack.clear();
        self.doc.take().filter(|d| !d.value.is_null())
    }
}

/// The parser's message, without the one part that quotes the input: the reserved character a
/// plain scalar started with (`unexpected character: `@'`), which is the first character of what
/// may be a Secret value. The other messages of saphyr-parser are fixed texts.
fn parser_message(info: &str) -> String {
    if info.starts_with("unexpected character: ") {
        "a plain scalar cannot start with @ or ` (reserved in YAML) or % (a directive); quote the scalar".into()
    } else {
        info.to_string()
    }
}

fn load_yaml(text: &str) -> Loaded {
    let mut out = Loaded::default();
    let mut builder = Builder::new();
    let fail = |span: Span, message: String| LoadError {
        line: span.start.line().max(1),
        column: span.start.col() + 1,
        message,
    };
    for event in Parser::new_from_str(text) {
        let (event, span) = match event {
            Ok(e) => e,
            Err(e) => {
                out.error = Some(LoadError {
                    line: e.marker().line().max(1),
                    column: e.marker().col() + 1,
                    message: parser_message(e.info()),
                });
                return out;
            }
        };
        let step = match event {
            Event::StreamStart | Event::Nothing => Ok(()),
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                builder.start_doc();
                Ok(())
            }
            Event::DocumentEnd => {
                if let Some(doc) = builder.end_doc() {
                    out.documents.push(doc);
                }
                Ok(())
            }
            Event::Alias(id) => builder.alias(id, span),
            Event::Scalar(text, style, anchor, tag) => builder.scalar(&text, style, anchor, tag.as_deref(), span),
            Event::SequenceStart(anchor, _) => builder.open(Frame::Seq { items: Vec::new(), anchor }, span),
            Event::SequenceEnd | Event::MappingEnd => builder.close(span),
            Event::MappingStart(anchor, _) => {
                builder.open(Frame::Map { map: Map::new(), key: None, merges: Vec::new(), anchor }, span)
            }
        };
        if let Err((span, message)) = step {
            out.error = Some(fail(span, message));
            return out;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn one(text: &str) -> Document {
        let loaded = load(text);
        assert_eq!(loaded.error, None, "{text}");
        assert_eq!(loaded.documents.len(), 1, "{loaded:#?}");
        loaded.documents.into_iter().next().unwrap()
    }

    #[test]
    fn documents_with_their_start_lines() {
        let text = "# comment\napiVersion: v1\nkind: Secret\n---\n---\n\n# empty above\nkind: ConfigMap\n...\n";
        let loaded = load(text);
        assert_eq!(loaded.error, None);
        let lines: Vec<usize> = loaded.documents.iter().map(|d| d.line).collect();
        assert_eq!(lines, vec![2, 8]);
        assert_eq!(loaded.documents[1].value, json!({"kind": "ConfigMap"}));
    }

    #[test]
    fn list_items_have_lines() {
        let d = one("apiVersion: v1\nkind: List\nitems:\n- kind: Secret\n  metadata: {name: a}\n-\n  kind: Secret\n");
        assert_eq!(d.item_lines, vec![4, 7]);
    }

    #[test]
    fn yaml_1_1_scalars_like_go_yaml_v2() {
        let d = one(
            "a: yes\nb: off\nc: ~\nd: 0x1F\ne: 010\nf: 1_000\ng: 1.5\nh: '1'\ni: \"yes\"\nj: 09\nk: 2020-09-13T04:39:10Z\nl: |\n  text\nm: -0b11\np: +12\n",
        );
        assert_eq!(
            d.value,
            json!({"a": true, "b": false, "c": null, "d": 31, "e": 8, "f": 1000, "g": 1.5, "h": "1", "i": "yes",
                   "j": 9.0, "k": "2020-09-13T04:39:10Z", "l": "text\n", "m": -3, "p": 12})
        );
    }

    #[test]
    fn non_string_keys_become_strings_with_a_note() {
        let d = one("data:\n  on: YQ==\n  \"yes\": Yg==\n  123: Yw==\n  1.5: ZA==\n");
        assert_eq!(d.value, json!({"data": {"true": "YQ==", "yes": "Yg==", "123": "Yw==", "1.5": "ZA=="}}));
        assert_eq!(d.notes.len(), 1, "{:#?}", d.notes);
        assert_eq!(d.notes[0].field, "data[true]");
        assert_eq!(d.notes[0].line, 2);
        assert!(
            d.notes[0].message.contains("the unquoted key on is read as the boolean true"),
            "{}",
            d.notes[0].message
        );
    }

    #[test]
    fn anchors_aliases_and_merges() {
        let d = one("base: &b {x: 1, w: 2}\nc:\n  <<: *b\n  w: 3\nl: [*b]\n");
        assert_eq!(d.value, json!({"base": {"x": 1, "w": 2}, "c": {"w": 3, "x": 1}, "l": [{"x": 1, "w": 2}]}));
    }

    #[test]
    fn explicit_tags() {
        let d = one("a: !!str 123\nb: !!binary YWRtaW4=\nc: !custom yes\n");
        assert_eq!(d.value, json!({"a": "123", "b": "admin", "c": "yes"}));
        let e = load("a: !!int abc\n").error.unwrap();
        assert_eq!(e.message, "cannot decode this !!str as a !!int");
    }

    #[test]
    fn load_errors_never_quote_scalar_text() {
        // A scalar can be a Secret value: errors say where it is (line and column), not what it is.
        for (text, want) in [
            ("stringData:\n  password: !!int Zq7Sentinel\n", "cannot decode this !!str as a !!int"),
            ("stringData:\n  password: !!bool Zq7Sentinel\n", "cannot decode this !!str as a !!bool"),
            (
                "stringData:\n  password: .inf\n",
                "an infinite or NaN float cannot be converted to JSON; quote the scalar to keep it as a string",
            ),
            (
                "stringData:\n  password: @Zq7Sentinel\n",
                "a plain scalar cannot start with @ or ` (reserved in YAML) or % (a directive); quote the scalar",
            ),
        ] {
            let e = load(text).error.unwrap_or_else(|| panic!("{text}"));
            assert_eq!((e.line, e.column, e.message.as_str()), (2, 13, want), "{text}");
            for shown in ["Zq7Sentinel", ".inf", "Inf", "`@'"] {
                assert!(!e.message.contains(shown), "{shown:?} in {e}");
            }
        }
    }

    #[test]
    fn duplicate_keys_keep_the_last_with_a_note() {
        let d = one("stringData:\n  a: x\n  a: z\n");
        assert_eq!(d.value, json!({"stringData": {"a": "z"}}));
        assert_eq!(d.notes[0].field, "stringData[a]");
    }

    #[test]
    fn malformed_yaml_gives_line_and_column() {
        let e = load("apiVersion: v1\nkind: Secret\ndata:\n  a: [1, 2\n").error.unwrap();
        assert!(e.line >= 4, "{e:?}");
        assert!(e.column >= 1);
        let e = load("a: b\n c: d\n").error.unwrap();
        assert_eq!((e.line, e.column), (2, 3), "{e:?}");
    }

    #[test]
    fn null_and_complex_keys_are_errors() {
        assert!(load("? [a]\n: b\n").error.is_some());
        assert!(load("~: b\n").error.is_some());
    }

    #[test]
    fn json_streams_like_kubectl() {
        let text = "{\"kind\": \"List\", \"items\": [\n  {\"kind\": \"Secret\", \"a\": [1, {\"b\": \"]\"}]},\n  {\"kind\": \"Pod\"}\n]}\n\n{\"kind\": \"Secret\"}";
        let loaded = load(text);
        assert_eq!(loaded.error, None);
        assert_eq!(loaded.documents.len(), 2);
        assert_eq!(loaded.documents[0].item_lines, vec![2, 3]);
        assert_eq!(loaded.documents[1].line, 6);
        let e = load("{\"a\": 1,\n \"b\": }").error.unwrap();
        assert_eq!(e.line, 2);
        assert!(e.message.starts_with("expected value"), "{}", e.message);
    }

    #[test]
    fn float_keys_format_like_go() {
        assert_eq!(go_format_float32(1.5), "1.5");
        assert_eq!(go_format_float32(100000.0), "100000");
        assert_eq!(go_format_float32(1e6), "1e+06");
        assert_eq!(go_format_float32(0.0001), "0.0001");
        assert_eq!(go_format_float32(0.00001), "1e-05");
        assert_eq!(go_format_float32(0.1), "0.1");
        assert_eq!(go_format_float32(-2.5), "-2.5");
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let e = load(&text).error.unwrap();
        assert!(e.message.contains("aliases"), "{e:?}");
    }

    #[test]
    fn deep_nesting_is_an_error() {
        let text = format!("{}{}", "[".repeat(2000), "]".repeat(2000));
        assert!(load(&text).error.is_some());
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,200}") {
            let _ = load(&s);
        }

        #[test]
        fn never_panics_on_yamlish(s in "[-:{}\\[\\],&*!|>'\"#?%@` \n\tab01.~<]{0,120}") {
            let _ = load(&s);
        }

        #[test]
        fn never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            let _ = load(&String::from_utf8_lossy(&bytes));
        }

        /// Streams built from YAML's structural tokens (indentation, block and flow collections,
        /// anchors, aliases, tags, merges, block scalars, documents) reach deeper than characters.
        #[test]
        fn never_panics_on_yaml_token_streams(tokens in prop::collection::vec(yaml_token(), 0..60)) {
            let text: String = tokens.concat();
            let loaded = load(&text);
            if let Some(e) = loaded.error {
                prop_assert!(e.line >= 1 && e.column >= 1);
            }
        }

        #[test]
        fn never_panics_on_json_token_streams(tokens in prop::collection::vec(json_token(), 0..60)) {
            let _ = load(&format!("{{{}", tokens.concat()));
        }
    }

    fn yaml_token() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(vec![
                "\n",
                "\n  ",
                "\n    ",
                "- ",
                ": ",
                "? ",
                "{",
                "}",
                "[",
                "]",
                ", ",
                "&a ",
                "*a",
                "&b ",
                "*b",
                "<<: ",
                "!!str ",
                "!!int ",
                "!!binary ",
                "!!float ",
                "!!bool ",
                "!!null ",
                "!!map ",
                "!!seq ",
                "!x ",
                "|\n  ",
                ">-\n  ",
                "---\n",
                "...\n",
                "# c\n",
                "'",
                "\"",
                "\\",
                "~",
                "on",
                "yes",
                "0x1F",
                "010",
                ".inf",
                "1e999",
                "-",
                "items",
                "kind: List\n",
                "data",
                "stringData",
                "%YAML 1.1\n",
                "\t",
                "@",
                "`",
            ])
            .prop_map(str::to_string),
            "[a-z0-9=/+]{1,8}",
            "\\PC{1,4}",
        ]
    }

    fn json_token() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(vec![
                "{",
                "}",
                "[",
                "]",
                ",",
                ":",
                "\"items\"",
                "\"kind\"",
                "\"a\"",
                "1e400",
                "-0",
                "true",
                "null",
                "\"\\u12\"",
                "\"\\q\"",
                " ",
                "\n",
                "\"\u{e9}\"",
            ])
            .prop_map(str::to_string),
            "[0-9a-z\"]{1,6}",
        ]
    }
}
