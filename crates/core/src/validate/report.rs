//! Checking Secret manifests offline (what `keyhole validate` reports): the API server's rules
//! ([`validate_create`]) and keyhole's warnings, for people and for CI.
//!
//! Exit status: 0 when every Secret is valid, 1 when any is invalid, 2 when an input cannot be
//! read or parsed (that wins over 1). Documents that are not Secrets are skipped and counted.
//! Values are never printed: messages quote keys, and docker config errors say
//! `<secret contents redacted>` as the server does.

use std::io::Read;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use super::manifest::{self, Note};
use super::{FieldError, Warning, validate_create, warnings_for};
use crate::secret::{CodecError, DecodeError, Secret};

/// One Secret found in the input, and what was found wrong with it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentReport {
    pub file: String,
    /// 1-based line where the document (or the `items` element) starts.
    pub line: usize,
    pub kind: String,
    /// As the manifest says: `None` when absent.
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub valid: bool,
    pub errors: Vec<ErrorEntry>,
    pub warnings: Vec<WarningEntry>,
    #[serde(skip)]
    pub generate_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorEntry {
    pub field: String,
    /// A cause reason (`FieldValueInvalid`, ...), or `BadRequest` when the server could not even
    /// decode the Secret (a `data` value that is not base64, a non-string in `stringData`).
    pub reason: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WarningEntry {
    pub field: String,
    pub message: String,
    /// The line the warning is about, when it is more precise than the document's.
    #[serde(skip)]
    pub line: Option<usize>,
}

/// An input that could not be read or parsed, or a document kubectl would refuse outright.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputError {
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

/// Everything `keyhole validate` found.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Report {
    pub documents: Vec<DocumentReport>,
    /// Documents that are not Secrets.
    pub skipped: usize,
    pub input_errors: Vec<InputError>,
    /// The Kubernetes minor version checked against, when one was chosen; the rules that
    /// changed between versions (envFrom's names) follow it.
    #[serde(rename = "kubernetesVersion", skip_serializing_if = "Option::is_none", serialize_with = "as_version")]
    pub kubernetes_minor: Option<u32>,
    /// The rule `envFrom` applies to variable names on that version.
    #[serde(skip)]
    pub env_rule: super::EnvNameRule,
}

fn as_version<S: serde::Serializer>(minor: &Option<u32>, s: S) -> Result<S::Ok, S::Error> {
    match minor {
        Some(m) => s.serialize_str(&format!("1.{m}")),
        None => s.serialize_none(),
    }
}

impl Report {
    pub fn exit_code(&self) -> u8 {
        if !self.input_errors.is_empty() {
            2
        } else if self.documents.iter().any(|d| !d.valid) {
            1
        } else {
            0
        }
    }

    fn input_error(&mut self, file: &str, line: Option<usize>, column: Option<usize>, message: impl Into<String>) {
        self.input_errors.push(InputError { file: file.to_string(), line, column, message: message.into() });
    }

    /// Checks one input's text; `file` is the name to report.
    pub fn check_text(&mut self, file: &str, text: &str, now: jiff::Timestamp) {
        let loaded = manifest::load(text);
        for doc in &loaded.documents {
            let notes: Vec<&Note> = doc.notes.iter().filter(|n| n.item.is_none()).collect();
            self.check_value(file, doc.line, &doc.value, &doc.item_lines, &notes, &doc.notes, now);
        }
        if let Some(e) = loaded.error {
            self.input_error(file, Some(e.line), Some(e.column), e.message);
        }
    }

    /// Checks one input's bytes: they must be UTF-8.
    pub fn check_bytes(&mut self, file: &str, bytes: &[u8], now: jiff::Timestamp) {
        match std::str::from_utf8(bytes) {
            Ok(text) => self.check_text(file, text, now),
            Err(e) => {
                let good = &bytes[..e.valid_up_to()];
                let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
                let column = good.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
                self.input_error(file, Some(line), Some(column), "the input is not valid UTF-8");
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn check_value(
        &mut self,
        file: &str,
        line: usize,
        value: &Value,
        item_lines: &[usize],
        notes: &[&Note],
        all_notes: &[Note],
        now: jiff::Timestamp,
    ) {
        let Some(obj) = value.as_object() else {
            let what = match value {
                Value::Array(_) => "a list",
                Value::String(_) => "a string",
                Value::Number(_) => "a number",
                Value::Bool(_) => "a boolean",
                _ => "empty",
            };
            return self.input_error(file, Some(line), None, format!("the document is {what}, not an object"));
        };
        let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
        let api_version = obj.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        if kind.is_empty() {
            return self.input_error(file, Some(line), None, "kind not set");
        }
        if kind.ends_with("List") && obj.contains_key("items") {
            match obj.get("items") {
                Some(Value::Array(items)) => {
                    for (i, item) in items.iter().enumerate() {
                        let item_line = item_lines.get(i).copied().unwrap_or(line);
                        let item_notes: Vec<&Note> = all_notes.iter().filter(|n| n.item == Some(i)).collect();
                        self.check_value(file, item_line, item, &[], &item_notes, &[], now);
                    }
                }
                Some(Value::Null) | None => {}
                Some(_) => self.input_error(file, Some(line), None, format!("the items of this {kind} are not a list")),
            }
            return;
        }
        if kind != "Secret" {
            self.skipped += 1;
            return;
        }
        if api_version.is_empty() {
            return self.input_error(file, Some(line), None, "apiVersion not set");
        }
        if api_version != "v1" {
            // Another API group may define a kind named Secret; a typo in the core group may not.
            let group = api_version.split_once('/').map_or("", |(g, _)| g);
            if group.contains('.') {
                self.skipped += 1;
            } else {
                self.input_error(
                    file,
                    Some(line),
                    None,
                    format!("apiVersion {api_version:?} does not serve kind Secret; Secrets are apiVersion \"v1\""),
                );
            }
            return;
        }
        self.documents.push(check_secret(file, line, value, notes, now, self.env_rule));
    }
}

fn str_at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut v = value;
    for p in path {
        v = v.get(p)?;
    }
    v.as_str()
}

/// The fields of a v1 Secret and of its `metadata`, as the API serves them.
const SECRET_FIELDS: &[&str] = &["apiVersion", "kind", "metadata", "data", "stringData", "type", "immutable"];
/// The fields of `metadata` (ObjectMeta) as the API serves them; also used by the embedded cluster.
pub const METADATA_FIELDS: &[&str] = &[
    "name",
    "generateName",
    "namespace",
    "selfLink",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "labels",
    "annotations",
    "ownerReferences",
    "finalizers",
    "managedFields",
];

/// Fields the Secret type does not have (`stringdata`, `metadata.lables`). kubectl asks for
/// `fieldValidation=Strict`, so the server answers them with 400 `strict decoding error: unknown
/// field "..."` instead of dropping them silently.
fn unknown_fields(value: &Value) -> Vec<ErrorEntry> {
    let mut paths = Vec::new();
    if let Some(obj) = value.as_object() {
        paths.extend(obj.keys().filter(|k| !SECRET_FIELDS.contains(&k.as_str())).cloned());
        if let Some(meta) = obj.get("metadata").and_then(Value::as_object) {
            paths.extend(
                meta.keys().filter(|k| !METADATA_FIELDS.contains(&k.as_str())).map(|k| format!("metadata.{k}")),
            );
        }
    }
    paths
        .into_iter()
        .map(|p| ErrorEntry {
            message: format!("strict decoding error: unknown field {p:?}"),
            field: p,
            reason: "BadRequest".into(),
        })
        .collect()
}

fn decode_error_entry(e: &DecodeError) -> ErrorEntry {
    match e {
        DecodeError::Base64(CodecError::InvalidBase64 { key, .. }) => ErrorEntry {
            field: format!("data[{key}]"),
            reason: "BadRequest".into(),
            message: format!("{} (data values must be base64; use stringData for plain text)", e_detail(e)),
        },
        DecodeError::Field { field, message } => {
            let mut message = message.clone();
            if message.ends_with("got bool") || message.ends_with("got number") {
                message.push_str(" (unquoted true, yes, on or a number in YAML is not a string: quote the value)");
            }
            ErrorEntry { field: field.clone(), reason: "BadRequest".into(), message }
        }
    }
}

fn e_detail(e: &DecodeError) -> String {
    match e {
        DecodeError::Base64(c) => c.detail(),
        DecodeError::Field { message, .. } => message.clone(),
    }
}

fn error_entry(e: FieldError) -> ErrorEntry {
    ErrorEntry { field: e.field, reason: e.reason.as_str().to_string(), message: e.message }
}

fn warning_entry(w: Warning) -> WarningEntry {
    WarningEntry { field: w.field, message: w.message, line: None }
}

/// Validates one Secret document as a create would.
fn check_secret(
    file: &str,
    line: usize,
    value: &Value,
    notes: &[&Note],
    now: jiff::Timestamp,
    rule: super::EnvNameRule,
) -> DocumentReport {
    let name = str_at(value, &["metadata", "name"]).map(str::to_string);
    let namespace = str_at(value, &["metadata", "namespace"]).map(str::to_string);
    let generate_name = str_at(value, &["metadata", "generateName"]).map(str::to_string);
    let mut errors = Vec::new();
    let mut warns: Vec<WarningEntry> = notes
        .iter()
        .map(|n| WarningEntry { field: n.field.clone(), message: n.message.clone(), line: Some(n.line) })
        .collect();
    errors.extend(unknown_fields(value));
    match Secret::from_json(value) {
        Err(e) => errors.push(decode_error_entry(&e)),
        Ok(secret) => {
            let namespace_missing = secret.namespace().is_empty();
            errors.extend(
                validate_create(&secret)
                    .into_iter()
                    // The server fills a missing namespace from the request (kubectl -n, or the
                    // context's namespace) before it validates.
                    .filter(|e| !(namespace_missing && e.field == "metadata.namespace"))
                    .map(error_entry),
            );
            warns.extend(warnings_for(&secret, now, rule).into_iter().map(warning_entry));
        }
    }
    DocumentReport {
        file: file.to_string(),
        line,
        kind: "Secret".into(),
        name,
        namespace,
        valid: errors.is_empty(),
        errors,
        warnings: warns,
        generate_name,
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl DocumentReport {
    /// `namespace/name` as the manifest gives it.
    fn display_name(&self) -> String {
        let name = match (&self.name, &self.generate_name) {
            (Some(n), _) if !n.is_empty() => n.clone(),
            (_, Some(g)) if !g.is_empty() => format!("{g}*"),
            _ => "(no name)".to_string(),
        };
        match &self.namespace {
            Some(ns) if !ns.is_empty() => format!("{ns}/{name}"),
            _ => name,
        }
    }
}

/// The human report: one line per error and warning, then a summary line.
pub fn render_text(report: &Report) -> String {
    let mut out = String::new();
    for d in &report.documents {
        let who = d.display_name();
        for e in &d.errors {
            out.push_str(&format!("{}:{}: {who}: {}: {}\n", d.file, d.line, e.field, e.message));
        }
        for w in &d.warnings {
            let field = if w.field.is_empty() { String::new() } else { format!("{}: ", w.field) };
            out.push_str(&format!("{}:{}: {who}: warning: {field}{}\n", d.file, w.line.unwrap_or(d.line), w.message));
        }
    }
    let total = report.documents.len();
    let invalid = report.documents.iter().filter(|d| !d.valid).count();
    let warning_count: usize = report.documents.iter().map(|d| d.warnings.len()).sum();
    let mut summary = format!(
        "{} checked: {} valid, {} invalid, {}; {} skipped",
        plural(total, "Secret", "Secrets"),
        total - invalid,
        invalid,
        plural(warning_count, "warning", "warnings"),
        plural(report.skipped, "other document", "other documents"),
    );
    if !report.input_errors.is_empty() {
        summary.push_str(&format!("; {}", plural(report.input_errors.len(), "input error", "input errors")));
    }
    if let Some(m) = report.kubernetes_minor {
        summary.push_str(&format!("; rules of Kubernetes 1.{m}"));
    }
    out.push_str(&summary);
    out.push('\n');
    out
}

/// Input errors as `FILE:LINE:COLUMN: error: message`.
pub fn render_input_errors(report: &Report) -> String {
    let mut out = String::new();
    for e in &report.input_errors {
        let at = match (e.line, e.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}", e.file),
            (Some(l), None) => format!("{}:{l}", e.file),
            _ => e.file.clone(),
        };
        out.push_str(&format!("{at}: error: {}\n", e.message));
    }
    out
}

/// The JSON report: `{"documents":[...],"skipped":N,"input_errors":[...]}`.
pub fn render_json(report: &Report) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|_| "{}".to_string())
}

/// Reads every input (`-` is stdin) and checks it.
pub fn check_inputs(files: &[std::path::PathBuf], stdin: &mut dyn Read, now: jiff::Timestamp, minor: u32) -> Report {
    let env_rule = super::EnvNameRule::for_minor(minor);
    let mut report = Report { env_rule, kubernetes_minor: Some(minor), ..Report::default() };
    for path in files {
        let is_stdin = path.as_os_str() == "-";
        let name = if is_stdin { "<stdin>".to_string() } else { path.display().to_string() };
        let bytes = if is_stdin { read_bounded(stdin, MAX_INPUT) } else { read_file(path) };
        match bytes {
            Ok(bytes) => report.check_bytes(&name, &bytes, now),
            Err(e) => report.input_error(&name, None, None, format!("cannot read: {e}")),
        }
    }
    report
}

/// The most one input may hold: far more than any manifest of Secrets (the API server takes
/// 3 MiB per request, etcd 1.5 MiB per object), and a bound for `/dev/zero` or a stream that
/// never ends. FIFOs (`keyhole validate <(kustomize build)`) are read like files.
pub const MAX_INPUT: usize = 64 << 20;

fn read_file(path: &Path) -> std::io::Result<Vec<u8>> {
    if path.is_dir() {
        return Err(std::io::Error::other("is a directory"));
    }
    read_bounded(&mut std::fs::File::open(path)?, MAX_INPUT)
}

/// Reads at most `max` bytes; one more is an error that says the limit.
fn read_bounded(input: &mut dyn Read, max: usize) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    input.take(max as u64 + 1).read_to_end(&mut buf)?;
    if buf.len() > max {
        return Err(std::io::Error::other(format!(
            "larger than {} MiB, the most keyhole validate reads from one input",
            max >> 20
        )));
    }
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checked by the rules of the Secret documentation this project starts from (1.26), which
    /// warn about more (envFrom's names) than a current Kubernetes.
    fn check(text: &str) -> Report {
        let mut r = Report { env_rule: crate::validate::EnvNameRule::Classic, ..Report::default() };
        r.check_text("m.yaml", text, jiff::Timestamp::UNIX_EPOCH);
        r
    }

    #[test]
    fn an_endless_input_is_an_error_that_gives_the_limit_not_a_hang() {
        let err = read_bounded(&mut std::io::repeat(b'a'), 1024).unwrap_err();
        assert!(err.to_string().contains("larger than 0 MiB"), "{err}");
        assert_eq!(read_bounded(&mut &b"kind: Secret"[..], 1024).unwrap(), b"kind: Secret");
        #[cfg(target_os = "linux")]
        {
            let r = check_inputs(&["/dev/zero".into()], &mut std::io::empty(), jiff::Timestamp::UNIX_EPOCH, 36);
            assert!(format!("{r:?}").contains("larger than 64 MiB"), "{r:?}");
        }
    }

    #[test]
    fn a_valid_secret_and_a_skipped_configmap() {
        let r = check(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: mysecret\ntype: Opaque\ndata:\n  username: YWRtaW4=\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
        );
        assert_eq!(r.documents.len(), 1);
        assert!(r.documents[0].valid, "{r:#?}");
        assert_eq!(r.documents[0].namespace, None);
        assert_eq!(r.skipped, 1);
        assert_eq!(r.exit_code(), 0);
        assert_eq!(render_text(&r), "1 Secret checked: 1 valid, 0 invalid, 0 warnings; 1 other document skipped\n");
    }

    #[test]
    fn bad_base64_is_an_invalid_secret_that_names_the_key() {
        let r =
            check("apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: ns}\ndata:\n  token: not base64!\n");
        assert_eq!(r.exit_code(), 1);
        let e = &r.documents[0].errors[0];
        assert_eq!((e.field.as_str(), e.reason.as_str()), ("data[token]", "BadRequest"));
        assert!(e.message.starts_with("illegal base64 data at input byte 3"), "{}", e.message);
        assert!(render_text(&r).starts_with("m.yaml:1: ns/s: data[token]: illegal base64 data at input byte 3"));
    }

    #[test]
    fn unquoted_booleans_in_string_data_get_a_hint() {
        let r = check("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  enabled: yes\n");
        let e = &r.documents[0].errors[0];
        assert_eq!(e.field, "stringData[enabled]");
        assert!(e.message.contains("quote the value"), "{}", e.message);
    }

    #[test]
    fn list_items_are_checked_with_their_lines() {
        let r = check(
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Secret\n  metadata: {name: a}\n- apiVersion: v1\n  kind: Secret\n  metadata: {name: B}\n- apiVersion: v1\n  kind: Pod\n",
        );
        assert_eq!(r.documents.iter().map(|d| d.line).collect::<Vec<_>>(), vec![4, 7]);
        assert!(r.documents[0].valid);
        assert!(!r.documents[1].valid);
        assert_eq!(r.skipped, 1);
    }

    #[test]
    fn input_problems_exit_2() {
        let r = check("apiVersion: v1\nkind: Secret\nmetadata:\n  name: [a\n");
        assert_eq!(r.exit_code(), 2);
        let e = &r.input_errors[0];
        assert!(e.line.is_some() && e.column.is_some());
        assert_eq!(check("kind: Secret\nmetadata: {name: a}\n").input_errors[0].message, "apiVersion not set");
        assert_eq!(check("metadata: {name: a}\n").input_errors[0].message, "kind not set");
        assert_eq!(check("- a\n").input_errors[0].message, "the document is a list, not an object");
        assert_eq!(check("apiVersion: example.com/v1\nkind: Secret\n").skipped, 1);
        assert_eq!(check("apiVersion: v2\nkind: Secret\n").exit_code(), 2);
        let mut r = Report::default();
        r.check_bytes("b", b"a: 1\nb: \xff\n", jiff::Timestamp::UNIX_EPOCH);
        assert_eq!((r.input_errors[0].line, r.input_errors[0].column), (Some(2), Some(4)));
    }

    #[test]
    fn unknown_fields_are_strict_decoding_errors() {
        let r = check("apiVersion: v1\nkind: Secret\nmetadata: {name: s, lables: {a: b}}\nstringdata:\n  a: b\n");
        let got: Vec<(&str, &str)> =
            r.documents[0].errors.iter().map(|e| (e.field.as_str(), e.message.as_str())).collect();
        assert_eq!(
            got,
            vec![
                ("stringdata", "strict decoding error: unknown field \"stringdata\""),
                ("metadata.lables", "strict decoding error: unknown field \"metadata.lables\""),
            ]
        );
        assert_eq!(r.exit_code(), 1);
        assert!(
            check("apiVersion: v1\nkind: Secret\nmetadata: {name: s, uid: u}\nimmutable: true\n").documents[0].valid
        );
    }

    #[test]
    fn yaml_key_notes_become_warnings_on_their_line() {
        let r = check("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  on: YQ==\n");
        let text = render_text(&r);
        assert!(
            text.contains("m.yaml:5: s: warning: data[true]: the unquoted key on is read as the boolean true"),
            "{text}"
        );
    }

    #[test]
    fn json_report_shape() {
        let r = check("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: kubernetes.io/ssh-auth\n");
        let v: Value = serde_json::from_str(&render_json(&r)).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "documents": [{
                    "file": "m.yaml", "line": 1, "kind": "Secret", "name": "s", "namespace": null, "valid": false,
                    "errors": [{"field": "data[ssh-privatekey]", "reason": "FieldValueRequired", "message": "Required value"}],
                    "warnings": []
                }],
                "skipped": 0,
                "input_errors": []
            })
        );
    }

    /// Manifests whose Secret values trip every kind of error and warning keyhole validate
    /// reports; `Zq7` marks value text (and `7e999`, `Q` the parts the old messages quoted).
    pub(crate) const VALUE_LEAKS: &[&str] = &[
        "apiVersion: v1\nkind: Secret\nmetadata: {name: a}\nstringData:\n  password: !!int Zq7Tag\n",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: b}\nstringData:\n  password: .inf\n",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: c}\nstringData:\n  password: @Zq7At\n",
        "apiVersion: v1\nkind: Secret\nmetadata: Zq7Meta\n",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: e\n  annotations: Zq7Annotations\n",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: f\n  creationTimestamp: Zq7Time\n",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: g}\ntype: kubernetes.io/dockerconfigjson\nstringData:\n  .dockerconfigjson: '{\"auths\":{\"r\":{\"password\":\"Zq7\\Q\"}}}'\n",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: h}\ntype: kubernetes.io/dockerconfigjson\nstringData:\n  .dockerconfigjson: '{\"auths\":{\"r\":{\"auth\":7e999}}}'\n",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: i}\ndata:\n  password: Zq7Base64!\n",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: j}\nstringData:\n  password: [Zq7List]\n",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: k}\ntype: kubernetes.io/basic-auth\nstringData:\n  username: Zq7User\n  1password: Zq7Digit\n",
        "{\"apiVersion\": \"v1\", \"kind\": \"Secret\", \"metadata\": {\"name\": \"l\"}, \"data\": {\"k\": \"Zq7Json!\"}}",
        "{\"apiVersion\": \"v1\", \"kind\": \"Secret\", \"metadata\": {\"name\": \"m\"}, \"data\": {\"k\": \"Zq7\\q\"}}",
    ];

    #[test]
    fn no_report_quotes_a_secret_value() {
        for text in VALUE_LEAKS {
            let r = check(text);
            let warned = r.documents.iter().any(|d| !d.warnings.is_empty());
            assert!(r.exit_code() != 0 || warned, "{text}: {r:#?}");
            let shown = format!("{}{}{}", render_text(&r), render_input_errors(&r), render_json(&r));
            for secret in ["Zq7", "7e999", "'Q'", ".inf"] {
                assert!(!shown.contains(secret), "{secret} in the report of\n{text}\n{shown}");
            }
        }
    }

    use proptest::prelude::*;

    /// Where a generated value goes, and how it is written.
    #[derive(Debug, Clone)]
    enum Place {
        Data { encode: bool },
        StringData,
        Annotation,
    }

    fn place() -> impl Strategy<Value = Place> {
        prop_oneof![
            any::<bool>().prop_map(|encode| Place::Data { encode }),
            Just(Place::StringData),
            Just(Place::Annotation),
        ]
    }

    /// A YAML scalar for `value`: plain (with or without a tag), single- or double-quoted, or a
    /// literal block.
    fn yaml_scalar(value: &str, style: u8, tag: &str) -> String {
        match style % 4 {
            0 => format!("{tag}{value}"),
            1 => format!("{tag}'{}'", value.replace('\'', "''")),
            2 => format!("{tag}\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\"")),
            _ => format!("|\n      {value}"),
        }
    }

    const TYPES: [&str; 10] = [
        "",
        "Opaque",
        "kubernetes.io/tls",
        "kubernetes.io/dockerconfigjson",
        "kubernetes.io/dockercfg",
        "kubernetes.io/basic-auth",
        "kubernetes.io/ssh-auth",
        "kubernetes.io/service-account-token",
        "bootstrap.kubernetes.io/token",
        "helm.sh/release.v1",
    ];

    /// Keys of every type's view (not `auth-extra-groups`, whose warnings name the group) and
    /// arbitrary valid and invalid key names.
    fn key() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(vec![
                "tls.crt",
                "tls.key",
                "ca.crt",
                ".dockerconfigjson",
                ".dockercfg",
                "username",
                "password",
                "ssh-privatekey",
                "token-id",
                "token-secret",
                "expiration",
                "usage-bootstrap-signing",
                "token",
                "release",
            ])
            .prop_map(str::to_string),
            "[a-z0-9._ -]{1,10}",
        ]
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic_the_checker(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
            let mut r = Report::default();
            r.check_bytes("f", &bytes, jiff::Timestamp::UNIX_EPOCH);
            let _ = (render_text(&r), render_input_errors(&r), render_json(&r), r.exit_code());
        }

        /// Secret manifests with values in every place and style: the report never contains a
        /// value (each starts with `Zq7`, which no message does).
        #[test]
        fn reports_never_quote_values(
            type_ in prop::sample::select(TYPES.to_vec()),
            entries in prop::collection::vec(
                (key(), place(), any::<u8>(), prop::sample::select(vec!["", "!!str ", "!!int ", "!!binary ", "!!float ", "!!bool "]),
                 prop_oneof!["[ -~]{0,40}", "\\PC{0,16}"]),
                1..5,
            ),
            json in any::<bool>(),
        ) {
            use base64::Engine as _;
            let b64 = |v: &str| base64::engine::general_purpose::STANDARD.encode(v);
            let text = if json {
                let mut doc = serde_json::json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "type": type_});
                for (k, place, _, _, tail) in &entries {
                    let v = format!("Zq7{tail}");
                    let (section, v) = match place {
                        Place::Data { encode: true } => ("data", b64(&v)),
                        Place::Data { encode: false } => ("data", v),
                        Place::StringData => ("stringData", v),
                        Place::Annotation => ("annotations", v),
                    };
                    let target = if section == "annotations" { &mut doc["metadata"] } else { &mut doc };
                    target[section][k.as_str()] = Value::String(v);
                }
                doc.to_string()
            } else {
                let mut data = String::new();
                let mut string_data = String::new();
                let mut annotations = String::new();
                for (k, place, style, tag, tail) in &entries {
                    let v = format!("Zq7{tail}");
                    let k = format!("'{k}'");
                    match place {
                        Place::Data { encode: true } => data.push_str(&format!("  {k}: {}\n", yaml_scalar(&b64(&v), *style, tag))),
                        Place::Data { encode: false } => data.push_str(&format!("  {k}: {}\n", yaml_scalar(&v, *style, tag))),
                        Place::StringData => string_data.push_str(&format!("  {k}: {}\n", yaml_scalar(&v, *style, tag))),
                        Place::Annotation => annotations.push_str(&format!("    {k}: {}\n", yaml_scalar(&v, *style, tag))),
                    }
                }
                let mut text = format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  annotations:\n{annotations}type: '{type_}'\n");
                for (section, body) in [("data", data), ("stringData", string_data)] {
                    if !body.is_empty() {
                        text.push_str(&format!("{section}:\n{body}"));
                    }
                }
                text
            };
            let mut r = Report::default();
            r.check_text("m.yaml", &text, jiff::Timestamp::UNIX_EPOCH);
            let shown = format!("{}{}{}", render_text(&r), render_input_errors(&r), render_json(&r));
            prop_assert!(!shown.contains("Zq7"), "a value in the report of\n{}\n{}", text, shown);
        }
    }
}
