//! The one validator (DESIGN.md decision 4): the kube-apiserver rules for Secrets, returning
//! errors shaped like `metav1.Status` causes, plus warnings for what the server does not check.
//! Used by the TUI before apply, by `keyhole validate`, and by the embedded cluster.

use serde::Serialize;

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
        let q = serde_json::to_string(value).unwrap_or_default();
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

/// Placeholder until the validator rules land from their branch.
pub fn validate_create(_s: &crate::secret::Secret) -> Vec<FieldError> {
    Vec::new()
}

/// Placeholder until the validator rules land from their branch.
pub fn validate_update(_old: &crate::secret::Secret, _new: &crate::secret::Secret) -> Vec<FieldError> {
    Vec::new()
}
