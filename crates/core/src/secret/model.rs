//! The decoded Secret: metadata, type, `immutable`, and `data` as bytes with `stringData`
//! already merged in (as the API server does on decode). Values live in [`SecretValue`], which
//! never prints its contents and is zeroized when dropped.

use std::collections::BTreeMap;
use std::fmt;

use k8s_openapi::ByteString;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::{Map, Value};
use zeroize::Zeroizing;

use super::codec::{self, CodecError, ValueKind};

/// The bytes of one Secret value. `Debug` shows only the length; the buffer is zeroized on drop.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SecretValue(Zeroizing<Vec<u8>>);

impl SecretValue {
    pub fn new(bytes: Vec<u8>) -> Self {
        SecretValue(Zeroizing::new(bytes))
    }
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn kind(&self) -> ValueKind {
        codec::classify(&self.0)
    }
    /// The value as UTF-8 text, if it is valid UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0).ok()
    }
}

impl fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretValue(<{} bytes>)", self.0.len())
    }
}

impl std::ops::Deref for SecretValue {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for SecretValue {
    fn from(v: Vec<u8>) -> Self {
        SecretValue::new(v)
    }
}
impl From<&[u8]> for SecretValue {
    fn from(v: &[u8]) -> Self {
        SecretValue::new(v.to_vec())
    }
}
impl From<&str> for SecretValue {
    fn from(v: &str) -> Self {
        SecretValue::new(v.as_bytes().to_vec())
    }
}

/// A Secret with its values decoded.
#[derive(Clone, Default, PartialEq)]
pub struct Secret {
    pub metadata: ObjectMeta,
    /// The type as written. `None` or `""` means Opaque: the server defaults it on decode.
    pub type_: Option<String>,
    pub immutable: Option<bool>,
    /// `data` with `stringData` merged in (stringData wins on a clash). `None` when the
    /// manifest had neither; the distinction matters for the immutability rule.
    pub data: Option<BTreeMap<String, SecretValue>>,
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print values, labels or annotations (last-applied-configuration holds values).
        f.debug_struct("Secret")
            .field("namespace", &self.metadata.namespace)
            .field("name", &self.metadata.name)
            .field("type", &self.type_)
            .field("immutable", &self.immutable)
            .field("keys", &self.data.as_ref().map(|d| d.keys().collect::<Vec<_>>()))
            .finish()
    }
}

/// Why a JSON object could not be read as a Secret. The API server answers these with 400.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("{0}")]
    Base64(#[from] CodecError),
    #[error("{field}: {message}")]
    Field { field: String, message: String },
}

impl DecodeError {
    fn field(field: &str, message: impl Into<String>) -> Self {
        DecodeError::Field { field: field.to_string(), message: message.into() }
    }

    /// The message kube-apiserver gives for this decode failure (400 BadRequest).
    pub fn server_message(&self) -> String {
        let detail = match self {
            DecodeError::Base64(e) => e.detail(),
            DecodeError::Field { field, message } => format!("{field}: {message}"),
        };
        format!("Secret in version \"v1\" cannot be handled as a Secret: {detail}")
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// What each `metadata` field must be, as a phrase for errors.
fn metadata_field_shape(name: &str) -> Option<&'static str> {
    Some(match name {
        "name" | "generateName" | "namespace" | "selfLink" | "uid" | "resourceVersion" => "a string",
        "generation" | "deletionGracePeriodSeconds" => "an integer",
        "creationTimestamp" | "deletionTimestamp" => "an RFC 3339 time (like 2024-01-02T15:04:05Z)",
        "labels" | "annotations" => "an object of strings",
        "finalizers" => "a list of strings",
        "ownerReferences" => "a list of owner references (apiVersion, kind, name, uid)",
        "managedFields" => "a list of managed fields entries",
        _ => return None,
    })
}

/// Why `metadata` does not decode, naming the field and the JSON type, never the text: serde's
/// messages quote it (`invalid type: string "..."`), and metadata can hold values (kubectl's
/// last-applied annotation is a copy of them). Go's json errors name only types too.
fn metadata_error(meta: &Value) -> DecodeError {
    let Some(obj) = meta.as_object() else {
        return DecodeError::field("metadata", format!("expected an object, got {}", json_type(meta)));
    };
    for (name, v) in obj {
        let Some(shape) = metadata_field_shape(name) else { continue };
        let field = format!("metadata.{name}");
        let wrong_type = |got: &Value| DecodeError::field(&field, format!("expected {shape}, got {}", json_type(got)));
        match (shape, v) {
            (_, Value::Null) => continue,
            ("a string", Value::String(_)) => continue,
            ("a string", _) => return wrong_type(v),
            ("an integer", Value::Number(n)) if n.is_i64() => continue,
            ("an integer", _) => return wrong_type(v),
            ("an object of strings", Value::Object(map)) => {
                if let Some((k, bad)) = map.iter().find(|(_, x)| !x.is_string()) {
                    return DecodeError::field(
                        &format!("{field}[{k}]"),
                        format!("expected a string, got {}", json_type(bad)),
                    );
                }
                continue;
            }
            ("an object of strings", _) => return wrong_type(v),
            ("a list of strings", Value::Array(items)) => {
                if let Some((i, bad)) = items.iter().enumerate().find(|(_, x)| !x.is_string()) {
                    return DecodeError::field(
                        &format!("{field}[{i}]"),
                        format!("expected a string, got {}", json_type(bad)),
                    );
                }
                continue;
            }
            (_, Value::Array(_)) if shape.starts_with("a list") => {}
            (_, Value::String(_)) if shape.starts_with("an RFC 3339") => {}
            _ => return wrong_type(v),
        }
        // The JSON type is right but the contents are not (a time that does not parse, an owner
        // reference without its name): this field alone fails.
        let alone = Value::Object(Map::from_iter([(name.clone(), v.clone())]));
        if serde_json::from_value::<ObjectMeta>(alone).is_err() {
            let message = if shape.starts_with("an RFC 3339") {
                format!("expected {shape}")
            } else {
                format!("cannot be decoded: expected {shape}")
            };
            return DecodeError::field(&field, message);
        }
    }
    DecodeError::field("metadata", "cannot be decoded as object metadata")
}

impl Secret {
    /// A new Secret with a name, namespace and type and no data.
    pub fn new(namespace: &str, name: &str, type_: &str) -> Self {
        Secret {
            metadata: ObjectMeta {
                name: Some(name.to_string()),
                namespace: Some(namespace.to_string()),
                ..ObjectMeta::default()
            },
            type_: Some(type_.to_string()),
            immutable: None,
            data: None,
        }
    }

    /// Reads a v1 Secret from JSON (a manifest or a request body): decodes `data`, merges
    /// `stringData` over it. Does not check `apiVersion`/`kind`; callers decide about those.
    pub fn from_json(value: &Value) -> Result<Secret, DecodeError> {
        let obj = value
            .as_object()
            .ok_or_else(|| DecodeError::field("", format!("expected an object, got {}", json_type(value))))?;
        let metadata = match obj.get("metadata") {
            None | Some(Value::Null) => ObjectMeta::default(),
            Some(m) => serde_json::from_value(m.clone()).map_err(|_| metadata_error(m))?,
        };
        let type_ = match obj.get("type") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(v) => return Err(DecodeError::field("type", format!("expected a string, got {}", json_type(v)))),
        };
        let immutable = match obj.get("immutable") {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(v) => return Err(DecodeError::field("immutable", format!("expected a bool, got {}", json_type(v)))),
        };
        let mut data: Option<BTreeMap<String, SecretValue>> = None;
        match obj.get("data") {
            None | Some(Value::Null) => {}
            Some(Value::Object(map)) => {
                let mut out = BTreeMap::new();
                for (k, v) in map {
                    let bytes = match v {
                        Value::Null => Vec::new(),
                        Value::String(s) => codec::decode_value(k, s)?,
                        other => {
                            return Err(DecodeError::field(
                                &format!("data[{k}]"),
                                format!("expected a base64 string, got {}", json_type(other)),
                            ));
                        }
                    };
                    out.insert(k.clone(), SecretValue::new(bytes));
                }
                data = Some(out);
            }
            Some(v) => return Err(DecodeError::field("data", format!("expected an object, got {}", json_type(v)))),
        }
        match obj.get("stringData") {
            None | Some(Value::Null) => {}
            Some(Value::Object(map)) => {
                let out = data.get_or_insert_with(BTreeMap::new);
                for (k, v) in map {
                    let s = match v {
                        Value::Null => "",
                        Value::String(s) => s.as_str(),
                        other => {
                            return Err(DecodeError::field(
                                &format!("stringData[{k}]"),
                                format!("expected a string, got {}", json_type(other)),
                            ));
                        }
                    };
                    out.insert(k.clone(), SecretValue::from(s));
                }
            }
            Some(v) => {
                return Err(DecodeError::field("stringData", format!("expected an object, got {}", json_type(v))));
            }
        }
        Ok(Secret { metadata, type_, immutable, data })
    }

    /// The v1 JSON form, with `data` base64-encoded, as the API server returns it.
    pub fn to_json(&self) -> Value {
        let mut obj = Map::new();
        obj.insert("kind".into(), Value::String("Secret".into()));
        obj.insert("apiVersion".into(), Value::String("v1".into()));
        obj.insert("metadata".into(), serde_json::to_value(&self.metadata).unwrap_or(Value::Object(Map::new())));
        if let Some(im) = self.immutable {
            obj.insert("immutable".into(), Value::Bool(im));
        }
        if let Some(data) = &self.data {
            let map: Map<String, Value> =
                data.iter().map(|(k, v)| (k.clone(), Value::String(codec::encode_value(v)))).collect();
            obj.insert("data".into(), Value::Object(map));
        }
        if let Some(t) = &self.type_ {
            obj.insert("type".into(), Value::String(t.clone()));
        }
        Value::Object(obj)
    }

    /// From the k8s-openapi type that kube-rs returns; `stringData` merged into `data`.
    pub fn from_k8s(s: &k8s_openapi::api::core::v1::Secret) -> Secret {
        let mut data: Option<BTreeMap<String, SecretValue>> =
            s.data.as_ref().map(|d| d.iter().map(|(k, v)| (k.clone(), SecretValue::from(v.0.as_slice()))).collect());
        if let Some(sd) = &s.string_data {
            let out = data.get_or_insert_with(BTreeMap::new);
            for (k, v) in sd {
                out.insert(k.clone(), SecretValue::from(v.as_str()));
            }
        }
        Secret { metadata: s.metadata.clone(), type_: s.type_.clone(), immutable: s.immutable, data }
    }

    /// To the k8s-openapi type, for kube-rs writes.
    pub fn to_k8s(&self) -> k8s_openapi::api::core::v1::Secret {
        k8s_openapi::api::core::v1::Secret {
            metadata: self.metadata.clone(),
            type_: self.type_.clone(),
            immutable: self.immutable,
            data: self
                .data
                .as_ref()
                .map(|d| d.iter().map(|(k, v)| (k.clone(), ByteString(v.as_bytes().to_vec()))).collect()),
            string_data: None,
        }
    }

    /// The type the server would store: `Opaque` when empty or absent.
    pub fn effective_type(&self) -> &str {
        match self.type_.as_deref() {
            None | Some("") => super::types::OPAQUE,
            Some(t) => t,
        }
    }

    pub fn name(&self) -> &str {
        self.metadata.name.as_deref().unwrap_or("")
    }

    pub fn namespace(&self) -> &str {
        self.metadata.namespace.as_deref().unwrap_or("")
    }

    /// The decoded value of one key.
    pub fn get(&self, key: &str) -> Option<&SecretValue> {
        self.data.as_ref()?.get(key)
    }

    /// The keys and values, empty when there is no data.
    pub fn entries(&self) -> impl Iterator<Item = (&String, &SecretValue)> {
        self.data.iter().flat_map(|d| d.iter())
    }

    /// Sum of the decoded value lengths: what the 1 MiB rule counts.
    pub fn data_size(&self) -> usize {
        self.entries().map(|(_, v)| v.len()).sum()
    }

    pub fn is_immutable(&self) -> bool {
        self.immutable == Some(true)
    }

    /// An annotation's value.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.metadata.annotations.as_ref()?.get(key).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn string_data_merges_into_data_and_wins() {
        let s = Secret::from_json(&json!({
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "mysecret", "namespace": "default"},
            "data": {"username": "YWRtaW4=", "password": "MWYyZDFlMmU2N2Rm"},
            "stringData": {"username": "administrator", "extra": "x"}
        }))
        .unwrap();
        assert_eq!(s.get("username").unwrap().as_bytes(), b"administrator");
        assert_eq!(s.get("password").unwrap().as_bytes(), b"1f2d1e2e67df");
        assert_eq!(s.get("extra").unwrap().as_bytes(), b"x");
        let out = s.to_json();
        assert!(out.get("stringData").is_none());
        assert_eq!(out["data"]["username"], "YWRtaW5pc3RyYXRvcg==");
    }

    #[test]
    fn bad_base64_names_the_key_and_reads_like_the_server() {
        let err = Secret::from_json(&json!({"data": {"ok": "YQ==", "token": "not base64!"}})).unwrap_err();
        assert!(matches!(&err, DecodeError::Base64(CodecError::InvalidBase64 { key, .. }) if key == "token"));
        assert_eq!(
            err.server_message(),
            "Secret in version \"v1\" cannot be handled as a Secret: illegal base64 data at input byte 3"
        );
    }

    #[test]
    fn wrong_json_types_are_errors_not_panics() {
        assert!(Secret::from_json(&json!([])).is_err());
        assert!(Secret::from_json(&json!({"data": []})).is_err());
        assert!(Secret::from_json(&json!({"data": {"a": 1}})).is_err());
        assert!(Secret::from_json(&json!({"stringData": {"a": true}})).is_err());
        assert!(Secret::from_json(&json!({"type": 3})).is_err());
        assert!(Secret::from_json(&json!({"immutable": "yes"})).is_err());
        assert!(Secret::from_json(&json!({"metadata": {"labels": {"a": 1}}})).is_err());
    }

    #[test]
    fn decode_errors_name_the_field_never_the_value() {
        // Metadata can hold values (kubectl's last-applied annotation is a copy of them): a
        // decode error names the field and the JSON type, as Go's json errors do.
        let cases = [
            (json!({"metadata": "Zq7Sentinel"}), "metadata", "expected an object, got string"),
            (
                json!({"metadata": {"name": "a", "annotations": "Zq7Sentinel"}}),
                "metadata.annotations",
                "expected an object of strings, got string",
            ),
            (
                json!({"metadata": {"labels": {"app": ["Zq7Sentinel"]}}}),
                "metadata.labels[app]",
                "expected a string, got array",
            ),
            (json!({"metadata": {"name": 7}}), "metadata.name", "expected a string, got number"),
            (
                json!({"metadata": {"generation": "Zq7Sentinel"}}),
                "metadata.generation",
                "expected an integer, got string",
            ),
            (json!({"metadata": {"generation": 1.5}}), "metadata.generation", "expected an integer, got number"),
            (
                json!({"metadata": {"creationTimestamp": "Zq7Sentinel"}}),
                "metadata.creationTimestamp",
                "expected an RFC 3339 time (like 2024-01-02T15:04:05Z)",
            ),
            (
                json!({"metadata": {"finalizers": ["a", {"Zq7Sentinel": 1}]}}),
                "metadata.finalizers[1]",
                "expected a string, got object",
            ),
            (
                json!({"metadata": {"ownerReferences": [{"apiVersion": "v1", "kind": "Pod", "name": "p", "uid": "u", "controller": "Zq7Sentinel"}]}}),
                "metadata.ownerReferences",
                "cannot be decoded: expected a list of owner references (apiVersion, kind, name, uid)",
            ),
            (json!({"data": {"password": 12345}}), "data[password]", "expected a base64 string, got number"),
            (json!({"stringData": {"password": true}}), "stringData[password]", "expected a string, got bool"),
        ];
        for (input, field, message) in cases {
            let err = Secret::from_json(&input).err().unwrap_or_else(|| panic!("{input} decodes"));
            let shown = format!("{err} {err:?} {}", err.server_message());
            assert_eq!(err, DecodeError::Field { field: field.into(), message: message.into() }, "{input}");
            for secret in ["Zq7Sentinel", "12345"] {
                assert!(!shown.contains(secret), "{secret} in {shown}");
            }
        }
        // Valid metadata of every shape still decodes.
        let ok = json!({"metadata": {
            "name": "a", "generation": 3, "creationTimestamp": "2024-01-02T15:04:05Z", "labels": {"a": "b"},
            "finalizers": ["x"], "ownerReferences": [{"apiVersion": "v1", "kind": "Pod", "name": "p", "uid": "u"}],
            "deletionTimestamp": null, "unknownField": 1
        }});
        assert!(Secret::from_json(&ok).is_ok());
    }

    #[test]
    fn type_defaults_to_opaque() {
        let s = Secret::from_json(&json!({"metadata": {"name": "a"}})).unwrap();
        assert_eq!(s.effective_type(), "Opaque");
        assert!(s.data.is_none());
    }

    #[test]
    fn debug_never_shows_values() {
        let s = Secret::from_json(&json!({"stringData": {"password": "hunter2"}})).unwrap();
        let dbg = format!("{s:?} {:?}", s.get("password").unwrap());
        assert!(!dbg.contains("hunter2"), "{dbg}");
        assert!(dbg.contains("password"));
    }

    #[test]
    fn binary_values_round_trip_through_k8s_types() {
        let bytes: Vec<u8> = (0..=255).collect();
        let mut s = Secret::new("default", "bin", "Opaque");
        s.data = Some(BTreeMap::from([("blob".to_string(), SecretValue::new(bytes.clone()))]));
        let back = Secret::from_k8s(&s.to_k8s());
        assert_eq!(back.get("blob").unwrap().as_bytes(), bytes.as_slice());
        let back = Secret::from_json(&s.to_json()).unwrap();
        assert_eq!(back, s);
    }
}
