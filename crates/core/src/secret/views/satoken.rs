//! `kubernetes.io/service-account-token`: which service account the Secret is for, what the token
//! controller filled in, and the token's JWT header and claims, decoded but NOT verified. The
//! token itself and its signature are never kept.

use base64::Engine as _;
use jiff::Timestamp;
use serde_json::{Map, Value};

use super::cert::timestamp;
use crate::secret::Secret;

pub const NAME_ANNOTATION: &str = "kubernetes.io/service-account.name";
pub const UID_ANNOTATION: &str = "kubernetes.io/service-account.uid";
const LEGACY_PREFIX: &str = "kubernetes.io/serviceaccount/";

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ServiceAccountTokenView {
    pub service_account_name: Option<String>,
    pub service_account_uid: Option<String>,
    pub has_token: bool,
    pub has_ca_crt: bool,
    /// The `namespace` value (not secret), when present.
    pub namespace: Option<String>,
    pub has_namespace: bool,
    pub jwt: Option<JwtInfo>,
    pub problems: Vec<String>,
}

/// The readable parts of a JWT. Unverified: anyone can write any claims.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct JwtInfo {
    pub algorithm: Option<String>,
    pub key_id: Option<String>,
    pub issuer: Option<String>,
    pub subject: Option<String>,
    pub audiences: Vec<String>,
    pub expires_at: Option<Timestamp>,
    pub issued_at: Option<Timestamp>,
    pub not_before: Option<Timestamp>,
    pub kubernetes: KubernetesClaims,
}

/// The `kubernetes.io` claims: the legacy flat `kubernetes.io/serviceaccount/...` ones of
/// Secret-based tokens, or the nested object of bound (TokenRequest) tokens.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct KubernetesClaims {
    /// True for the legacy flat claims.
    pub legacy: bool,
    pub namespace: Option<String>,
    pub service_account_name: Option<String>,
    pub service_account_uid: Option<String>,
    pub secret_name: Option<String>,
    pub secret_uid: Option<String>,
    pub pod_name: Option<String>,
    pub pod_uid: Option<String>,
    pub node_name: Option<String>,
    pub node_uid: Option<String>,
    pub warn_after: Option<Timestamp>,
}

pub fn view(secret: &Secret, now: Timestamp) -> ServiceAccountTokenView {
    let mut problems = Vec::new();
    let service_account_name = secret.annotation(NAME_ANNOTATION).map(str::to_string);
    let service_account_uid = secret.annotation(UID_ANNOTATION).map(str::to_string);
    if service_account_name.as_deref().unwrap_or("").is_empty() {
        problems.push(format!("the annotation {NAME_ANNOTATION} is required: name the service account"));
    }
    let token = secret.get("token");
    let jwt = match token {
        None => {
            problems.push("no token yet: the token controller adds it once the service account exists".to_string());
            None
        }
        Some(t) => match decode_jwt(t) {
            Ok(jwt) => Some(jwt),
            Err(msg) => {
                problems.push(format!("token is not a readable JWT: {msg}"));
                None
            }
        },
    };
    if let Some(jwt) = &jwt {
        let k = &jwt.kubernetes;
        let differs = |claim: &Option<String>, actual: Option<&str>| matches!((claim.as_deref(), actual), (Some(c), Some(a)) if !a.is_empty() && c != a);
        if differs(&k.service_account_name, service_account_name.as_deref()) {
            problems.push("the token is for another service account than the annotation names".to_string());
        }
        if differs(&k.service_account_uid, service_account_uid.as_deref()) {
            problems.push("the token's service account UID differs from the annotation's".to_string());
        }
        if differs(&k.namespace, secret.metadata.namespace.as_deref()) {
            problems.push("the token is for another namespace than the Secret's".to_string());
        }
        if jwt.expires_at.is_some_and(|e| e <= now) {
            problems.push("the token has expired".to_string());
        }
    }
    let namespace = secret.get("namespace").map(|v| String::from_utf8_lossy(v).into_owned());
    ServiceAccountTokenView {
        service_account_name,
        service_account_uid,
        has_token: token.is_some(),
        has_ca_crt: secret.get("ca.crt").is_some(),
        has_namespace: namespace.is_some(),
        namespace,
        jwt,
        problems,
    }
}

/// Decodes the header and claims of a compact JWT (`header.claims.signature`), unverified.
pub fn decode_jwt(token: &[u8]) -> Result<JwtInfo, String> {
    let token = token.trim_ascii();
    let parts: Vec<&[u8]> = token.split(|&b| b == b'.').collect();
    let [header, claims, _signature] = parts.as_slice() else {
        return Err(format!("expected 3 dot-separated parts, found {}", parts.len()));
    };
    let header = json_part(header).map_err(|e| format!("header {e}"))?;
    let claims = json_part(claims).map_err(|e| format!("claims {e}"))?;
    let s = |m: &Map<String, Value>, k: &str| m.get(k).and_then(Value::as_str).map(str::to_string);
    let t = |m: &Map<String, Value>, k: &str| m.get(k).and_then(Value::as_f64).map(|f| timestamp(f as i64));
    let audiences = match claims.get("aud") {
        Some(Value::String(a)) => vec![a.clone()],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        _ => Vec::new(),
    };
    let kubernetes = match claims.get("kubernetes.io") {
        Some(Value::Object(k)) => {
            let sub = |name: &str| k.get(name).and_then(Value::as_object).cloned().unwrap_or_default();
            let (sa, pod, node, secret) = (sub("serviceaccount"), sub("pod"), sub("node"), sub("secret"));
            KubernetesClaims {
                legacy: false,
                namespace: s(k, "namespace"),
                service_account_name: s(&sa, "name"),
                service_account_uid: s(&sa, "uid"),
                secret_name: s(&secret, "name"),
                secret_uid: s(&secret, "uid"),
                pod_name: s(&pod, "name"),
                pod_uid: s(&pod, "uid"),
                node_name: s(&node, "name"),
                node_uid: s(&node, "uid"),
                warn_after: t(k, "warnafter"),
            }
        }
        _ => {
            let legacy = |name: &str| s(&claims, &format!("{LEGACY_PREFIX}{name}"));
            KubernetesClaims {
                legacy: claims.keys().any(|k| k.starts_with(LEGACY_PREFIX)),
                namespace: legacy("namespace"),
                service_account_name: legacy("service-account.name"),
                service_account_uid: legacy("service-account.uid"),
                secret_name: legacy("secret.name"),
                ..KubernetesClaims::default()
            }
        }
    };
    Ok(JwtInfo {
        algorithm: s(&header, "alg"),
        key_id: s(&header, "kid"),
        issuer: s(&claims, "iss"),
        subject: s(&claims, "sub"),
        audiences,
        expires_at: t(&claims, "exp"),
        issued_at: t(&claims, "iat"),
        not_before: t(&claims, "nbf"),
        kubernetes,
    })
}

/// One base64url JSON part; padding is tolerated.
fn json_part(part: &[u8]) -> Result<Map<String, Value>, String> {
    let trimmed: &[u8] = part.strip_suffix(b"==").or_else(|| part.strip_suffix(b"=")).unwrap_or(part);
    let bytes =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(trimmed).map_err(|_| "is not base64url".to_string())?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err("is not a JSON object".to_string()),
        Err(_) => Err("is not JSON".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::types;

    const JWT: &[u8] = include_bytes!("../../../../../assets/tokens/sa-token.jwt");
    const UID: &str = include_str!("../../../../../assets/tokens/sa-uid.txt");

    fn secret(name: Option<&str>, uid: Option<&str>, token: Option<&[u8]>) -> Secret {
        let mut s = Secret::new("default", "secret-sa-sample", types::SERVICE_ACCOUNT_TOKEN);
        let mut ann = std::collections::BTreeMap::new();
        if let Some(n) = name {
            ann.insert(NAME_ANNOTATION.to_string(), n.to_string());
        }
        if let Some(u) = uid {
            ann.insert(UID_ANNOTATION.to_string(), u.to_string());
        }
        s.metadata.annotations = Some(ann);
        let mut data = std::collections::BTreeMap::new();
        if let Some(t) = token {
            data.insert("token".to_string(), t.into());
        }
        data.insert("namespace".to_string(), "default".into());
        s.data = Some(data);
        s
    }

    #[test]
    fn decodes_the_legacy_demo_token() {
        let v = view(&secret(Some("build-robot"), Some(UID.trim()), Some(JWT)), Timestamp::UNIX_EPOCH);
        assert!(v.problems.is_empty(), "{:?}", v.problems);
        assert!(v.has_token && !v.has_ca_crt && v.has_namespace);
        assert_eq!(v.namespace.as_deref(), Some("default"));
        let jwt = v.jwt.unwrap();
        assert_eq!(jwt.issuer.as_deref(), Some("kubernetes/serviceaccount"));
        assert_eq!(jwt.subject.as_deref(), Some("system:serviceaccount:default:build-robot"));
        assert_eq!(jwt.algorithm.as_deref(), Some("RS256"));
        let k = jwt.kubernetes;
        assert!(k.legacy);
        assert_eq!(k.service_account_name.as_deref(), Some("build-robot"));
        assert_eq!(k.service_account_uid.as_deref(), Some(UID.trim()));
        assert_eq!(k.secret_name.as_deref(), Some("secret-sa-sample"));
        assert!(!format!("{:?}", view(&secret(Some("b"), None, Some(JWT)), Timestamp::UNIX_EPOCH)).contains("eyJ"));
    }

    #[test]
    fn decodes_bound_token_claims() {
        let enc = |v: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
        let claims = r#"{"aud":["https://kubernetes.default.svc"],"exp":1700003600,"iat":1700000000,"nbf":1700000000,
            "iss":"https://kubernetes.default.svc","sub":"system:serviceaccount:default:app",
            "kubernetes.io":{"namespace":"default","serviceaccount":{"name":"app","uid":"u1"},
            "pod":{"name":"app-1","uid":"p1"},"node":{"name":"n1","uid":"n1u"},"warnafter":1700001000}}"#;
        let token = format!("{}.{}.sig", enc(r#"{"alg":"RS256","kid":"k"}"#), enc(claims));
        let jwt = decode_jwt(token.as_bytes()).unwrap();
        assert_eq!(jwt.audiences, ["https://kubernetes.default.svc"]);
        assert_eq!(jwt.expires_at, Some(Timestamp::from_second(1_700_003_600).unwrap()));
        let k = jwt.kubernetes;
        assert!(!k.legacy);
        assert_eq!((k.pod_name.as_deref(), k.node_name.as_deref()), (Some("app-1"), Some("n1")));
        assert_eq!(k.warn_after, Some(Timestamp::from_second(1_700_001_000).unwrap()));
        let s = secret(Some("other"), None, Some(token.as_bytes()));
        let v = view(&s, Timestamp::from_second(1_800_000_000).unwrap());
        assert!(v.problems.iter().any(|p| p.contains("another service account")));
        assert!(v.problems.iter().any(|p| p.contains("expired")));
    }

    #[test]
    fn broken_tokens_and_missing_annotations_are_problems() {
        let v = view(&secret(None, None, None), Timestamp::UNIX_EPOCH);
        assert!(!v.has_token && v.jwt.is_none());
        assert!(v.problems.iter().any(|p| p.contains(NAME_ANNOTATION)));
        assert!(decode_jwt(b"abc").unwrap_err().contains("3 dot-separated"));
        assert!(decode_jwt(b"!!.e30.x").unwrap_err().contains("header"));
        assert!(decode_jwt(b"e30.W10.x").unwrap_err().contains("JSON object"));
        let v = view(&secret(Some("a"), None, Some(b"nope")), Timestamp::UNIX_EPOCH);
        assert!(v.problems.iter().any(|p| p.contains("not a readable JWT")));
    }
}
