//! The one validator (DESIGN.md decision 4): the kube-apiserver rules for Secrets, returning
//! errors shaped like `metav1.Status` causes, plus warnings for what the server does not check.
//! Used by the TUI before apply, by `keyhole validate`, and by the embedded cluster.

use serde::Serialize;

use crate::secret::Secret;

mod gojson;
pub mod manifest;
pub mod meta;
pub mod names;
pub mod report;
pub mod secret;
mod warnings;

pub use gojson::check_valid as go_json_syntax_error;
pub use warnings::{EnvNameRule, env_var_warnings, is_env_var_name};

/// A cause `reason`, as `field.ErrorType` names it on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Reason {
    FieldValueRequired,
    FieldValueInvalid,
    FieldValueTooLong,
    FieldValueForbidden,
    FieldValueDuplicate,
    FieldValueNotSupported,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::FieldValueRequired => "FieldValueRequired",
            Reason::FieldValueInvalid => "FieldValueInvalid",
            Reason::FieldValueTooLong => "FieldValueTooLong",
            Reason::FieldValueForbidden => "FieldValueForbidden",
            Reason::FieldValueDuplicate => "FieldValueDuplicate",
            Reason::FieldValueNotSupported => "FieldValueNotSupported",
        }
    }
}

/// One validation error, shaped like a Status cause: `field` is the path (`data[tls.key]`,
/// `metadata.name`), `message` is Go's `ErrorBody()` (`Required value`,
/// `Invalid value: "x": detail`, `Too long: detail`, `Forbidden: detail`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub reason: Reason,
    pub message: String,
}

impl FieldError {
    pub fn required(field: impl Into<String>, detail: &str) -> Self {
        let message =
            if detail.is_empty() { "Required value".to_string() } else { format!("Required value: {detail}") };
        FieldError { field: field.into(), reason: Reason::FieldValueRequired, message }
    }
    /// `Invalid value: "<value>": <detail>`; the value is quoted like Go's `%q`.
    pub fn invalid(field: impl Into<String>, value: &str, detail: &str) -> Self {
        let q = names::go_quote(value);
        FieldError {
            field: field.into(),
            reason: Reason::FieldValueInvalid,
            message: format!("Invalid value: {q}: {detail}"),
        }
    }
    /// `Invalid value` with a value printed plainly (numbers, booleans), as Go does.
    pub fn invalid_plain(field: impl Into<String>, value: &str, detail: &str) -> Self {
        FieldError {
            field: field.into(),
            reason: Reason::FieldValueInvalid,
            message: format!("Invalid value: {value}: {detail}"),
        }
    }
    pub fn too_long(field: impl Into<String>, detail: &str) -> Self {
        FieldError { field: field.into(), reason: Reason::FieldValueTooLong, message: format!("Too long: {detail}") }
    }
    /// `Unsupported value: "<value>": supported values: "a", "b"`.
    pub fn not_supported(field: impl Into<String>, value: &str, supported: &[&str]) -> Self {
        let list: Vec<String> = supported.iter().map(|s| format!("\"{s}\"")).collect();
        FieldError {
            field: field.into(),
            reason: Reason::FieldValueNotSupported,
            message: format!("Unsupported value: \"{value}\": supported values: {}", list.join(", ")),
        }
    }
    pub fn forbidden(field: impl Into<String>, detail: &str) -> Self {
        FieldError { field: field.into(), reason: Reason::FieldValueForbidden, message: format!("Forbidden: {detail}") }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.field, self.message)
        }
    }
}

/// Something the server accepts but that will likely hurt: never blocks a write by itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub field: String,
    pub message: String,
}

impl Warning {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Warning { field: field.into(), message: message.into() }
    }
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.field, self.message)
        }
    }
}

/// The 422 message kube-apiserver builds from a list of errors:
/// `Secret "name" is invalid: <one>` or `Secret "name" is invalid: [<a>, <b>]` (de-duplicated).
pub fn invalid_message(kind: &str, name: &str, errors: &[FieldError]) -> String {
    let mut seen: Vec<String> = Vec::new();
    for e in errors {
        let s = e.to_string();
        if !seen.contains(&s) {
            seen.push(s);
        }
    }
    let aggregate = if seen.len() == 1 { seen.remove(0) } else { format!("[{}]", seen.join(", ")) };
    format!("{kind} \"{name}\" is invalid: {aggregate}")
}

/// Keeps the first of equal errors, as the server's aggregate message does.
fn dedup(errors: Vec<FieldError>) -> Vec<FieldError> {
    let mut out: Vec<FieldError> = Vec::with_capacity(errors.len());
    for e in errors {
        if !out.contains(&e) {
            out.push(e);
        }
    }
    out
}

/// The Secret as `rest.BeforeCreate` hands it to validation: with `generateName` and no name,
/// the server generates the name first (the base cut to 58 bytes plus 5 random characters from
/// `bcdfghjklmnpqrstvwxz2456789`). The 5 characters used here are fixed.
fn with_generated_name(s: &Secret) -> std::borrow::Cow<'_, Secret> {
    let generate_name = s.metadata.generate_name.as_deref().unwrap_or("");
    if !s.name().is_empty() || generate_name.is_empty() {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut cut = generate_name.len().min(58);
    while !generate_name.is_char_boundary(cut) {
        cut -= 1;
    }
    let mut out = s.clone();
    out.metadata.name = Some(format!("{}bcdfg", &generate_name[..cut]));
    std::borrow::Cow::Owned(out)
}

/// Every cause kube-apiserver puts in the 422 for creating this Secret, in its order and with
/// its duplicates: `ValidateSecret` (metadata, data keys sorted by key, size, type rules), then
/// the generic metadata check of `rest.BeforeCreate`, which repeats most metadata errors and
/// adds the path-segment name rule (`may not contain '/'`). For an embedded API server.
pub fn validate_create_causes(s: &Secret) -> Vec<FieldError> {
    let s = with_generated_name(s);
    let mut errs = secret::validate_secret(&s);
    errs.extend(meta::object_meta(&s.metadata, meta::NameRule::PathSegment));
    errs
}

/// What kube-apiserver rejects when this Secret is created: [`validate_create_causes`] without
/// repeats (the order of the server's aggregate message). Empty means the create passes
/// validation. A missing namespace is reported (`metadata.namespace: Required value`); the server
/// fills it from the request URL before validating, so callers that know it should set it.
pub fn validate_create(s: &Secret) -> Vec<FieldError> {
    dedup(validate_create_causes(s))
}

/// The Secret as `rest.BeforeUpdate` hands it to validation: an empty namespace is filled from
/// the request, an empty uid and the creationTimestamp are copied from the stored object.
fn as_updated<'a>(old: &Secret, new: &'a Secret) -> std::borrow::Cow<'a, Secret> {
    let fill_ns = new.namespace().is_empty() && !old.namespace().is_empty();
    let fill_uid = new.metadata.uid.as_deref().unwrap_or("").is_empty() && old.metadata.uid.is_some();
    let fill_created = new.metadata.creation_timestamp.is_none() && old.metadata.creation_timestamp.is_some();
    if !(fill_ns || fill_uid || fill_created) {
        return std::borrow::Cow::Borrowed(new);
    }
    let mut out = new.clone();
    if fill_ns {
        out.metadata.namespace.clone_from(&old.metadata.namespace);
    }
    if fill_uid {
        out.metadata.uid.clone_from(&old.metadata.uid);
    }
    if fill_created {
        out.metadata.creation_timestamp.clone_from(&old.metadata.creation_timestamp);
    }
    std::borrow::Cow::Owned(out)
}

/// Every cause kube-apiserver puts in the 422 for replacing `old` with `new`, in its order and
/// with its duplicates: the generic metadata checks of `rest.BeforeUpdate`, then
/// `ValidateSecretUpdate` (metadata update rules, `type` immutable, the `immutable` rules, then the
/// whole `ValidateSecret` of `new`). `metadata.resourceVersion: must be specified for an update`
/// is never produced: Secrets allow unconditional updates and the server fills the version in.
pub fn validate_update_causes(old: &Secret, new: &Secret) -> Vec<FieldError> {
    let new = as_updated(old, new);
    let mut errs = meta::object_meta(&new.metadata, meta::NameRule::PathSegment);
    errs.extend(meta::object_meta_update(&new.metadata, &old.metadata));
    errs.extend(secret::validate_secret_update(old, &new));
    errs
}

/// What kube-apiserver rejects when `old` is replaced by `new` (PUT): [`validate_update_causes`]
/// without repeats. Includes everything [`validate_create`] checks on `new`.
pub fn validate_update(old: &Secret, new: &Secret) -> Vec<FieldError> {
    dedup(validate_update_causes(old, new))
}

/// Warnings for what the server accepts but will likely hurt: data keys that `envFrom`
/// consumers skip, then the typed views' content checks (certificates, docker auth, bootstrap
/// tokens). Never blocks a write.
pub fn warnings(s: &Secret, now: jiff::Timestamp) -> Vec<Warning> {
    warnings_for(s, now, EnvNameRule::default())
}

/// The warnings for a cluster whose kubelets apply `rule` to `envFrom` names.
pub fn warnings_for(s: &Secret, now: jiff::Timestamp, rule: EnvNameRule) -> Vec<Warning> {
    let mut out = env_var_warnings(s, rule);
    out.extend(crate::secret::views::content_warnings(s, now));
    out
}

/// The problems with a data key name, as the server words them (`IsConfigMapKey`); empty when
/// the key is valid. For checking a key while it is typed.
pub fn check_data_key(key: &str) -> Vec<String> {
    names::is_config_map_key(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::SecretValue;
    use std::collections::BTreeMap;

    fn tls(name: &str) -> Secret {
        let mut s = Secret::new("default", name, crate::secret::types::TLS);
        s.data = Some(BTreeMap::from([("tls.crt".to_string(), SecretValue::from("c"))]));
        s
    }

    #[test]
    fn create_reports_meta_then_keys_then_size_then_type() {
        let mut s = tls("Web");
        s.data = Some(BTreeMap::from([
            ("z key".to_string(), SecretValue::new(vec![0; 1024 * 1024])),
            ("a key".to_string(), SecretValue::from("x")),
        ]));
        let fields: Vec<String> = validate_create(&s).into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            vec!["metadata.name", "data[a key]", "data[z key]", "data", "data[tls.crt]", "data[tls.key]"]
        );
    }

    #[test]
    fn the_example_from_the_facts_reads_the_same() {
        let mut s = tls("web-tls");
        s.data.as_mut().unwrap().insert("bad key".into(), SecretValue::from("x"));
        let errs = validate_create(&s);
        assert_eq!(
            invalid_message("Secret", "web-tls", &errs),
            "Secret \"web-tls\" is invalid: [data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+'), data[tls.key]: Required value]"
        );
    }

    #[test]
    fn create_causes_repeat_metadata_errors_like_the_server() {
        let mut s = Secret::new("default", "a/b", "Opaque");
        s.metadata.labels = Some(BTreeMap::from([("-x".into(), "v".into())]));
        let causes = validate_create_causes(&s);
        let deduped = validate_create(&s);
        assert_eq!(causes.len(), 4, "{causes:#?}");
        assert_eq!(deduped.len(), 3);
        assert_eq!(deduped[2].message, "Invalid value: \"a/b\": may not contain '/'");
    }

    #[test]
    fn generate_name_stands_in_for_the_name() {
        let mut s = Secret::new("default", "", "Opaque");
        assert_eq!(validate_create(&s)[0].message, "Required value: name or generateName is required");
        s.metadata.generate_name = Some("web-".into());
        assert!(validate_create(&s).is_empty());
        s.metadata.generate_name = Some("Web-".into());
        let fields: Vec<String> = validate_create(&s).into_iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["metadata.generateName", "metadata.name"]);
    }

    #[test]
    fn update_includes_create_rules_and_update_rules() {
        let old = tls("web");
        let mut new = old.clone();
        assert_eq!(validate_update(&old, &new).len(), 1); // tls.key still missing
        new.type_ = Some("Opaque".into());
        let errs = validate_update(&old, &new);
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].message, "Invalid value: \"Opaque\": field is immutable");
        new.metadata.name = Some("other".into());
        let fields: Vec<String> = validate_update(&old, &new).into_iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["metadata.name", "type"]);
    }

    #[test]
    fn update_fills_namespace_uid_and_creation_time_like_before_update() {
        let mut old = Secret::new("team-a", "s", "Opaque");
        old.metadata.uid = Some("u-1".into());
        let mut new = old.clone();
        new.metadata.namespace = None;
        new.metadata.uid = None;
        assert!(validate_update(&old, &new).is_empty());
        new.metadata.uid = Some("u-2".into());
        assert_eq!(validate_update(&old, &new)[0].message, "Invalid value: \"u-2\": field is immutable");
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_secrets_never_panic(
            name in "\\PC{0,70}",
            generate_name in "\\PC{0,3}",
            namespace in "\\PC{0,70}",
            key in "\\PC{0,20}",
            label in "\\PC{0,70}",
            value in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64),
            type_ in proptest::sample::select(vec!["", "Opaque", "kubernetes.io/tls", "kubernetes.io/dockercfg",
                "kubernetes.io/dockerconfigjson", "kubernetes.io/basic-auth", "kubernetes.io/ssh-auth",
                "kubernetes.io/service-account-token", "bootstrap.kubernetes.io/token"]),
        ) {
            let mut s = Secret::new(&namespace, &name, type_);
            s.metadata.generate_name = Some(generate_name);
            s.metadata.labels = Some(BTreeMap::from([(label.clone(), label.clone())]));
            s.metadata.annotations = Some(BTreeMap::from([(label.clone(), key.clone())]));
            s.metadata.finalizers = Some(vec![label]);
            s.data = Some(BTreeMap::from([
                (key, SecretValue::new(value.clone())),
                (".dockercfg".to_string(), SecretValue::new(value.clone())),
                (".dockerconfigjson".to_string(), SecretValue::new(value)),
            ]));
            let errs = validate_create(&s);
            let _ = invalid_message("Secret", &name, &errs);
            let _ = validate_update(&s, &Secret::new("default", "x", "Opaque"));
            let _ = warnings(&s, jiff::Timestamp::UNIX_EPOCH);
        }
    }

    #[test]
    fn check_data_key_as_you_type() {
        assert!(check_data_key("tls.crt").is_empty());
        assert_eq!(check_data_key("..x"), vec!["must not start with '..'".to_string()]);
    }
}
