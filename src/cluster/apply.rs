//! Writing a Secret (DESIGN.md decision 7): a server-side dry run first, then the update that
//! carries the resourceVersion of the version the user opened, so that a change made by
//! someone else in between is a 409, never a silent overwrite. Also delete with preconditions.

use http_body_util::BodyExt;
use serde_json::Value;
use zeroize::Zeroize;

use crate::secret::Secret;

/// Why a write did not happen. The edits are kept in every case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplyError {
    /// 409 Conflict: someone changed the Secret since it was opened.
    Conflict(String),
    /// 409 AlreadyExists on create.
    AlreadyExists(String),
    /// 422 Invalid: the causes as `field: message`.
    Invalid {
        message: String,
        causes: Vec<String>,
    },
    Forbidden(String),
    NotFound(String),
    /// The request did not get an answer (connection refused, reset, timeout).
    Network(String),
    /// Anything else the server said (admission webhook denials arrive here), with its code.
    Server {
        code: u16,
        message: String,
    },
}

impl ApplyError {
    /// One paragraph for the user: what happened and what to do.
    pub(crate) fn describe(&self) -> String {
        match self {
            ApplyError::Conflict(_) => {
                "Someone changed this Secret since you opened it. Your edits are kept; review their changes and rebase."
                    .into()
            }
            ApplyError::AlreadyExists(m) => format!("{m}. Choose another name; your edits are kept."),
            ApplyError::Invalid { message, .. } => format!("The API server rejected the change: {message}"),
            ApplyError::Forbidden(m) => {
                format!("No permission: {m}. Your edits are kept; ask for access or use another context.")
            }
            ApplyError::NotFound(m) => {
                format!("{m}: it was deleted meanwhile. Your edits are kept; clone them into a new Secret.")
            }
            ApplyError::Network(m) => {
                format!("The cluster did not answer: {m}. Your edits are kept; press Enter to try again.")
            }
            ApplyError::Server { code, message } => {
                format!("The API server refused ({code}): {message}. Your edits are kept; press Enter to try again.")
            }
        }
    }
}

/// What a successful write returns: the stored Secret and the server's warnings.
#[derive(Debug)]
pub(crate) struct Written {
    pub secret: Secret,
    pub warnings: Vec<String>,
}

fn from_status(code: u16, body: &[u8]) -> ApplyError {
    let status: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let message = status
        .get("message")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| String::from_utf8_lossy(body).chars().take(300).collect());
    let reason = status.get("reason").and_then(Value::as_str).unwrap_or("");
    match (code, reason) {
        (409, "AlreadyExists") => ApplyError::AlreadyExists(message),
        (409, _) => ApplyError::Conflict(message),
        (422, _) => {
            let causes = status
                .pointer("/details/causes")
                .and_then(Value::as_array)
                .map(|c| {
                    c.iter()
                        .map(|c| {
                            let f = c.get("field").and_then(Value::as_str).unwrap_or("");
                            let m = c.get("message").and_then(Value::as_str).unwrap_or("");
                            if f.is_empty() { m.to_string() } else { format!("{f}: {m}") }
                        })
                        .collect()
                })
                .unwrap_or_default();
            ApplyError::Invalid { message, causes }
        }
        (403, _) => ApplyError::Forbidden(message),
        (404, _) => ApplyError::NotFound(message),
        _ => ApplyError::Server { code, message },
    }
}

/// The `Warning` header values: `299 - "text"` → `text`.
fn warnings(headers: &http::HeaderMap) -> Vec<String> {
    headers
        .get_all("warning")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| {
            let text = v.splitn(3, ' ').nth(2).unwrap_or(v).trim();
            text.trim_matches('"').replace("\\\"", "\"")
        })
        .collect()
}

/// The body sent to the server: the Secret without the fields the server owns on create. The
/// JSON tree it was built from (values in base64) is zeroized.
fn body(secret: &Secret, creating: bool) -> Vec<u8> {
    let mut v = secret.to_json();
    if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        m.remove("managedFields");
        if creating {
            for f in ["uid", "resourceVersion", "creationTimestamp", "selfLink", "ownerReferences"] {
                m.remove(f);
            }
        }
    }
    let bytes = serde_json::to_vec(&v).unwrap_or_default();
    crate::secret::wipe::wipe_json(v);
    bytes
}

/// The stored Secret from a successful answer; the parsed tree is zeroized, and a body that
/// does not parse is described by position, never quoted.
fn stored_secret(code: u16, bytes: &[u8]) -> Result<Secret, ApplyError> {
    let stored: Value = serde_json::from_slice(bytes).map_err(|e| ApplyError::Server {
        code,
        message: format!(
            "the answer could not be read ({:?} error at line {} column {})",
            e.classify(),
            e.line(),
            e.column()
        ),
    })?;
    let secret = Secret::from_json(&stored).map_err(|e| ApplyError::Server { code, message: e.to_string() });
    crate::secret::wipe::wipe_json(stored);
    secret
}

/// Creates or updates a Secret; with `dry_run`, the server validates (admission included) and
/// writes nothing. Updates carry the Secret's resourceVersion as the precondition.
pub(crate) async fn write(
    client: &kube::Client,
    secret: &Secret,
    creating: bool,
    dry_run: bool,
) -> Result<Written, ApplyError> {
    let ns = secret.namespace();
    let name = secret.name();
    let mut query = "fieldManager=keyhole&fieldValidation=Strict".to_string();
    if dry_run {
        query.push_str("&dryRun=All");
    }
    let (method, url) = if creating {
        (http::Method::POST, format!("/api/v1/namespaces/{ns}/secrets?{query}"))
    } else {
        (http::Method::PUT, format!("/api/v1/namespaces/{ns}/secrets/{name}?{query}"))
    };
    // Moved into the request, not copied: what hyper does with it is beyond reach (docs/security.md).
    let req = http::Request::builder()
        .method(method)
        .uri(url)
        .header(http::header::CONTENT_TYPE, "application/json")
        .header(http::header::ACCEPT, "application/json")
        .body(kube::client::Body::from(body(secret, creating)))
        .map_err(|e| ApplyError::Server { code: 0, message: e.to_string() });
    let resp = client.send(req?).await.map_err(|e| ApplyError::Network(super::connect::error_chain(&e)))?;
    let code = resp.status().as_u16();
    let warns = warnings(resp.headers());
    let mut bytes = resp
        .into_body()
        .collect()
        .await
        .map_err(|e| ApplyError::Network(super::connect::error_chain(&e)))?
        .to_bytes()
        .to_vec();
    let result = if (200..300).contains(&code) {
        stored_secret(code, &bytes).map(|secret| Written { secret, warnings: warns })
    } else {
        Err(from_status(code, &bytes))
    };
    bytes.zeroize();
    result
}

/// Deletes a Secret only if it is still the version the user saw (uid and resourceVersion
/// preconditions).
pub(crate) async fn delete(
    client: &kube::Client,
    namespace: &str,
    name: &str,
    uid: Option<&str>,
    rv: Option<&str>,
) -> Result<Deletion, ApplyError> {
    let mut pre = serde_json::Map::new();
    if let Some(u) = uid {
        pre.insert("uid".into(), Value::String(u.to_string()));
    }
    if let Some(r) = rv {
        pre.insert("resourceVersion".into(), Value::String(r.to_string()));
    }
    let opts = serde_json::json!({"kind": "DeleteOptions", "apiVersion": "v1", "preconditions": pre});
    let req = http::Request::delete(format!("/api/v1/namespaces/{namespace}/secrets/{name}"))
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(kube::client::Body::from(serde_json::to_vec(&opts).unwrap_or_default()))
        .map_err(|e| ApplyError::Server { code: 0, message: e.to_string() })?;
    let resp = client.send(req).await.map_err(|e| ApplyError::Network(super::connect::error_chain(&e)))?;
    let code = resp.status().as_u16();
    let mut bytes = resp.into_body().collect().await.map(|b| b.to_bytes().to_vec()).unwrap_or_default();
    let result = if (200..300).contains(&code) { Ok(deletion(&bytes)) } else { Err(from_status(code, &bytes)) };
    // A pending deletion answers with the object, values and all.
    bytes.zeroize();
    result
}

/// What a successful delete did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deletion {
    /// The Secret is gone.
    Gone,
    /// It is marked for deletion and stays (Terminating) until these finalizers are removed.
    Pending(Vec<String>),
}

/// kube-apiserver answers a delete with a `Status` when the object is gone, and with the object
/// (a `deletionTimestamp` set) when finalizers hold it. Only those fields are read.
fn deletion(body: &[u8]) -> Deletion {
    #[derive(serde::Deserialize, Default)]
    struct Meta {
        #[serde(default, rename = "deletionTimestamp")]
        deletion_timestamp: Option<String>,
        #[serde(default)]
        finalizers: Option<Vec<String>>,
    }
    #[derive(serde::Deserialize)]
    struct Answer {
        #[serde(default)]
        kind: String,
        #[serde(default)]
        metadata: Option<Meta>,
    }
    match serde_json::from_slice::<Answer>(body) {
        Ok(a) if a.kind != "Status" => match a.metadata.unwrap_or_default() {
            Meta { deletion_timestamp: Some(_), finalizers } => Deletion::Pending(finalizers.unwrap_or_default()),
            _ => Deletion::Gone,
        },
        _ => Deletion::Gone,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_become_errors() {
        let conflict = br#"{"kind":"Status","status":"Failure","message":"Operation cannot be fulfilled","reason":"Conflict","code":409}"#;
        assert!(matches!(from_status(409, conflict), ApplyError::Conflict(_)));
        let exists = br#"{"message":"secrets \"a\" already exists","reason":"AlreadyExists","code":409}"#;
        assert!(matches!(from_status(409, exists), ApplyError::AlreadyExists(_)));
        let invalid = br#"{"message":"Secret \"a\" is invalid: data[x y]: Invalid value","reason":"Invalid","code":422,
            "details":{"causes":[{"field":"data[x y]","message":"Invalid value"}]}}"#;
        assert_eq!(
            from_status(422, invalid),
            ApplyError::Invalid {
                message: "Secret \"a\" is invalid: data[x y]: Invalid value".into(),
                causes: vec!["data[x y]: Invalid value".into()]
            }
        );
        assert!(matches!(from_status(500, b"oops"), ApplyError::Server { code: 500, .. }));
    }

    #[test]
    fn a_delete_held_by_finalizers_is_pending() {
        let held = br#"{"kind":"Secret","metadata":{"name":"a","deletionTimestamp":"2026-01-01T00:00:00Z","finalizers":["example.com/keep"]},"data":{"k":"dg=="}}"#;
        assert_eq!(deletion(held), Deletion::Pending(vec!["example.com/keep".into()]));
        let gone = br#"{"kind":"Status","apiVersion":"v1","status":"Success","details":{"name":"a","kind":"secrets"}}"#;
        assert_eq!(deletion(gone), Deletion::Gone);
        assert_eq!(deletion(br#"{"kind":"Secret","metadata":{"name":"a"}}"#), Deletion::Gone);
        assert_eq!(deletion(b""), Deletion::Gone);
    }

    #[test]
    fn warning_headers_are_unwrapped() {
        let mut h = http::HeaderMap::new();
        h.append("warning", http::HeaderValue::from_static("299 - \"tls: private key does not match public key\""));
        assert_eq!(warnings(&h), vec!["tls: private key does not match public key"]);
    }
}
