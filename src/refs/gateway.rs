//! Gateway API objects, read as JSON (no typed crate): Gateways' listener certificates and the
//! ReferenceGrants that let a Gateway use a Secret of another namespace.
//!
//! `spec.listeners[].tls.certificateRefs[]` is a `SecretObjectReference`: `group` defaults to
//! `""` and `kind` to `Secret`; other kinds are implementation-specific and not Secrets.
//! `namespace` defaults to the Gateway's; another namespace is valid only when a
//! ReferenceGrant in the Secret's namespace allows Gateways of the Gateway's namespace
//! (`GW apis/v1/gateway_types.go`, `object_reference_types.go`, `referencegrant_types.go`).
//! A listener in `Passthrough` mode ignores its certificates.

use std::sync::Arc;

use serde_json::Value;

use super::intern::Interner;
use super::model::{Consumer, ConsumerId, ConsumerKind, Name, Reference, Usage};

/// The API group of Gateways and ReferenceGrants.
pub const GATEWAY_GROUP: &str = "gateway.networking.k8s.io";

fn str_at<'a>(v: &'a Value, path: &str) -> Option<&'a str> {
    v.pointer(path).and_then(Value::as_str)
}

/// The identity of a Gateway.
pub fn gateway_id(obj: &Value) -> ConsumerId {
    ConsumerId::new(
        ConsumerKind::Gateway,
        str_at(obj, "/metadata/namespace").unwrap_or("default"),
        str_at(obj, "/metadata/name").unwrap_or(""),
    )
}

/// Whether a `SecretObjectReference` names a core Secret (group `""`, kind `Secret`, both
/// defaulted when absent).
fn is_secret(r: &Value) -> bool {
    str_at(r, "/group").unwrap_or("").is_empty() && str_at(r, "/kind").unwrap_or("Secret") == "Secret"
}

/// A Gateway's certificate references: every listener's `tls.certificateRefs[]` (unless the
/// listener passes TLS through), and `spec.tls.backend.clientCertificateRef` (listener `""`).
pub fn from_gateway(obj: &Value, names: &mut Interner) -> Vec<Reference> {
    let id = gateway_id(obj);
    let own = names.intern(&id.namespace);
    let consumer = Arc::new(Consumer::other(ConsumerId { namespace: Arc::clone(&own), ..id }));
    let mut out = Vec::new();
    let mut push = |listener: &str, r: &Value, names: &mut Interner| {
        let Some(name) = str_at(r, "/name").filter(|n| !n.is_empty()) else { return };
        if !is_secret(r) {
            return;
        }
        let namespace = match str_at(r, "/namespace").filter(|n| !n.is_empty()) {
            Some(ns) => names.intern(ns),
            None => Arc::clone(&own),
        };
        out.push(Reference {
            consumer: Arc::clone(&consumer),
            secret: names.intern(name),
            usage: Usage::GatewayTls { listener: names.intern(listener), namespace },
            optional: false,
        });
    };
    for l in obj.pointer("/spec/listeners").and_then(Value::as_array).into_iter().flatten() {
        if str_at(l, "/tls/mode") == Some("Passthrough") {
            continue;
        }
        let listener = str_at(l, "/name").unwrap_or("");
        for r in l.pointer("/tls/certificateRefs").and_then(Value::as_array).into_iter().flatten() {
            push(listener, r, names);
        }
    }
    if let Some(r) = obj.pointer("/spec/tls/backend/clientCertificateRef") {
        push("", r, names);
    }
    out
}

/// What a ReferenceGrant allows Gateways: the namespaces they may be in, and the Secrets of
/// the grant's namespace they may use (`None`: every Secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub namespace: Name,
    pub name: Name,
    /// `spec.from[]` entries for Gateways (group `gateway.networking.k8s.io`, kind `Gateway`).
    pub from: Box<[Name]>,
    /// `spec.to[]` entries for Secrets (group `""`, kind `Secret`).
    pub to: Box<[Option<Name>]>,
}

impl Grant {
    /// Whether a Gateway in `from_namespace` may use the Secret `secret` of the grant's namespace.
    pub fn allows(&self, from_namespace: &str, secret: &str) -> bool {
        self.from.iter().any(|n| &**n == from_namespace)
            && self.to.iter().any(|t| t.as_deref().is_none_or(|n| n == secret))
    }
}

/// The identity of a ReferenceGrant: namespace and name.
pub fn grant_key(obj: &Value) -> (String, String) {
    (
        str_at(obj, "/metadata/namespace").unwrap_or("default").to_string(),
        str_at(obj, "/metadata/name").unwrap_or("").to_string(),
    )
}

/// A ReferenceGrant's entries that concern Gateways and Secrets (others are dropped).
pub fn grant_from(obj: &Value) -> Grant {
    let (namespace, name) = grant_key(obj);
    let entries = |field: &str| obj.pointer(field).and_then(Value::as_array).into_iter().flatten();
    let from = entries("/spec/from")
        .filter(|f| str_at(f, "/group") == Some(GATEWAY_GROUP) && str_at(f, "/kind") == Some("Gateway"))
        .filter_map(|f| str_at(f, "/namespace").filter(|n| !n.is_empty()).map(Name::from))
        .collect();
    let to = entries("/spec/to")
        .filter(|t| str_at(t, "/group").unwrap_or("").is_empty() && str_at(t, "/kind") == Some("Secret"))
        .map(|t| str_at(t, "/name").filter(|n| !n.is_empty()).map(Name::from))
        .collect();
    Grant { namespace: namespace.into(), name: name.into(), from, to }
}

/// The binding of a legacy service-account token Secret to its ServiceAccount (the Secret's
/// annotation `kubernetes.io/service-account.name`): the consumer is the Secret itself, shown
/// as the ServiceAccount.
pub fn from_token_secret(namespace: &str, secret: &str, account: &str) -> (ConsumerId, Vec<Reference>) {
    let id = ConsumerId::new(ConsumerKind::ServiceAccountToken, namespace, secret);
    if account.is_empty() {
        return (id, Vec::new());
    }
    let consumer = Arc::new(Consumer::other(id.clone()));
    let r = Reference {
        consumer,
        secret: secret.into(),
        usage: Usage::ServiceAccountToken { account: account.into() },
        optional: false,
    };
    (id, vec![r])
}
