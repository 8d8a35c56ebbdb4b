//! Just enough of the Kubernetes protobuf encoding to read request bodies from kubectl's typed
//! clients (`kubectl create secret ...`, `create namespace`, `create serviceaccount`,
//! `create role|clusterrole|rolebinding|clusterrolebinding` (`rbac/protobuf.rs`), and the
//! reviews of `kubectl auth can-i` and `auth whoami`), which always send
//! `application/vnd.kubernetes.protobuf`. Responses stay JSON: those clients accept it. The wire
//! format is the `k8s\0` magic, then a `runtime.Unknown` wrapping the object.

use serde_json::{Map, Value, json};

use keyhole_core::secret::codec::encode_value;

const MAGIC: &[u8] = b"k8s\x00";

#[derive(Debug)]
pub(crate) enum Field<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Fixed,
}

struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    fn varint(&mut self) -> Result<u64, String> {
        let mut v: u64 = 0;
        for i in 0..10 {
            let (&b, rest) = self.buf.split_first().ok_or("truncated varint")?;
            self.buf = rest;
            v |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("varint too long".into())
    }

    fn next(&mut self) -> Result<Option<(u64, Field<'a>)>, String> {
        if self.buf.is_empty() {
            return Ok(None);
        }
        let key = self.varint()?;
        let field = match key & 7 {
            0 => Field::Varint(self.varint()?),
            1 => {
                self.buf = self.buf.get(8..).ok_or("truncated fixed64")?;
                Field::Fixed
            }
            2 => {
                let len = usize::try_from(self.varint()?).map_err(|_| "length overflow")?;
                let bytes = self.buf.get(..len).ok_or("truncated field")?;
                self.buf = &self.buf[len..];
                Field::Bytes(bytes)
            }
            5 => {
                self.buf = self.buf.get(4..).ok_or("truncated fixed32")?;
                Field::Fixed
            }
            t => return Err(format!("unsupported wire type {t}")),
        };
        Ok(Some((key >> 3, field)))
    }
}

pub(crate) fn fields(buf: &[u8]) -> Result<Vec<(u64, Field<'_>)>, String> {
    let mut r = Reader { buf };
    let mut out = Vec::new();
    while let Some(f) = r.next()? {
        out.push(f);
    }
    Ok(out)
}

pub(crate) fn string(b: &[u8]) -> Result<String, String> {
    String::from_utf8(b.to_vec()).map_err(|_| "invalid UTF-8 in a string field".to_string())
}

/// A `map<string, X>` entry: key = 1, value = 2.
pub(crate) fn map_entry(b: &[u8]) -> Result<(String, &[u8]), String> {
    let mut key = String::new();
    let mut value: &[u8] = &[];
    for (n, f) in fields(b)? {
        match (n, f) {
            (1, Field::Bytes(k)) => key = string(k)?,
            (2, Field::Bytes(v)) => value = v,
            _ => {}
        }
    }
    Ok((key, value))
}

fn time(b: &[u8]) -> Result<Value, String> {
    let mut seconds = 0i64;
    for (n, f) in fields(b)? {
        if let (1, Field::Varint(v)) = (n, f) {
            seconds = v as i64;
        }
    }
    let t = jiff::Timestamp::from_second(seconds).map_err(|e| e.to_string())?;
    Ok(json!(keyhole_core::format::rfc3339(t)))
}

fn owner_reference(b: &[u8]) -> Result<Value, String> {
    let mut o = Map::new();
    for (n, f) in fields(b)? {
        match (n, f) {
            (1, Field::Bytes(v)) => drop(o.insert("kind".into(), json!(string(v)?))),
            (3, Field::Bytes(v)) => drop(o.insert("name".into(), json!(string(v)?))),
            (4, Field::Bytes(v)) => drop(o.insert("uid".into(), json!(string(v)?))),
            (5, Field::Bytes(v)) => drop(o.insert("apiVersion".into(), json!(string(v)?))),
            (6, Field::Varint(v)) => drop(o.insert("controller".into(), json!(v != 0))),
            (7, Field::Varint(v)) => drop(o.insert("blockOwnerDeletion".into(), json!(v != 0))),
            _ => {}
        }
    }
    Ok(Value::Object(o))
}

pub(crate) fn object_meta(b: &[u8]) -> Result<Value, String> {
    let mut m = Map::new();
    let mut labels = Map::new();
    let mut annotations = Map::new();
    let mut owners = Vec::new();
    let mut finalizers = Vec::new();
    for (n, f) in fields(b)? {
        let name = match n {
            1 => "name",
            2 => "generateName",
            3 => "namespace",
            5 => "uid",
            6 => "resourceVersion",
            _ => "",
        };
        match (n, f) {
            // Go's protobuf writes empty strings and zeros too; JSON omits them.
            (1..=3 | 5 | 6, Field::Bytes(v)) if !v.is_empty() => drop(m.insert(name.into(), json!(string(v)?))),
            (7, Field::Varint(v)) if v != 0 => drop(m.insert("generation".into(), json!(v as i64))),
            (8, Field::Bytes(v)) => drop(m.insert("creationTimestamp".into(), time(v)?)),
            (11, Field::Bytes(v)) => {
                let (k, val) = map_entry(v)?;
                labels.insert(k, json!(string(val)?));
            }
            (12, Field::Bytes(v)) => {
                let (k, val) = map_entry(v)?;
                annotations.insert(k, json!(string(val)?));
            }
            (13, Field::Bytes(v)) => owners.push(owner_reference(v)?),
            (14, Field::Bytes(v)) => finalizers.push(json!(string(v)?)),
            _ => {}
        }
    }
    if !labels.is_empty() {
        m.insert("labels".into(), Value::Object(labels));
    }
    if !annotations.is_empty() {
        m.insert("annotations".into(), Value::Object(annotations));
    }
    if !owners.is_empty() {
        m.insert("ownerReferences".into(), Value::Array(owners));
    }
    if !finalizers.is_empty() {
        m.insert("finalizers".into(), Value::Array(finalizers));
    }
    Ok(Value::Object(m))
}

fn secret(b: &[u8]) -> Result<Value, String> {
    let mut o = Map::new();
    let mut data = Map::new();
    let mut string_data = Map::new();
    for (n, f) in fields(b)? {
        match (n, f) {
            (1, Field::Bytes(v)) => drop(o.insert("metadata".into(), object_meta(v)?)),
            (2, Field::Bytes(v)) => {
                let (k, val) = map_entry(v)?;
                data.insert(k, json!(encode_value(val)));
            }
            (3, Field::Bytes(v)) if !v.is_empty() => drop(o.insert("type".into(), json!(string(v)?))),
            (4, Field::Bytes(v)) => {
                let (k, val) = map_entry(v)?;
                string_data.insert(k, json!(string(val)?));
            }
            (5, Field::Varint(v)) => drop(o.insert("immutable".into(), json!(v != 0))),
            _ => {}
        }
    }
    if !data.is_empty() {
        o.insert("data".into(), Value::Object(data));
    }
    if !string_data.is_empty() {
        o.insert("stringData".into(), Value::Object(string_data));
    }
    Ok(Value::Object(o))
}

fn namespace(b: &[u8]) -> Result<Value, String> {
    let mut o = Map::new();
    for (n, f) in fields(b)? {
        if let (1, Field::Bytes(v)) = (n, f) {
            o.insert("metadata".into(), object_meta(v)?);
        }
    }
    Ok(Value::Object(o))
}

fn service_account(b: &[u8]) -> Result<Value, String> {
    let mut o = Map::new();
    let mut pull = Vec::new();
    for (n, f) in fields(b)? {
        match (n, f) {
            (1, Field::Bytes(v)) => drop(o.insert("metadata".into(), object_meta(v)?)),
            (3, Field::Bytes(v)) => {
                for (m, g) in fields(v)? {
                    if let (1, Field::Bytes(name)) = (m, g) {
                        pull.push(json!({"name": string(name)?}));
                    }
                }
            }
            (4, Field::Varint(v)) => drop(o.insert("automountServiceAccountToken".into(), json!(v != 0))),
            _ => {}
        }
    }
    if !pull.is_empty() {
        o.insert("imagePullSecrets".into(), Value::Array(pull));
    }
    Ok(Value::Object(o))
}

/// Non-empty string fields of a message, by field number, under their JSON names.
fn strings(b: &[u8], names: &[(u64, &str)]) -> Result<Map<String, Value>, String> {
    let mut o = Map::new();
    for (n, f) in fields(b)? {
        if let (Some((_, name)), Field::Bytes(v)) = (names.iter().find(|(m, _)| *m == n), f)
            && !v.is_empty()
        {
            o.insert((*name).into(), json!(string(v)?));
        }
    }
    Ok(o)
}

/// `authorization.k8s.io/v1` SelfSubjectAccessReview (`kubectl auth can-i`): metadata = 1,
/// spec = 2 { resourceAttributes = 1, nonResourceAttributes = 2 }.
fn self_subject_access_review(b: &[u8]) -> Result<Value, String> {
    const RESOURCE: &[(u64, &str)] = &[
        (1, "namespace"),
        (2, "verb"),
        (3, "group"),
        (4, "version"),
        (5, "resource"),
        (6, "subresource"),
        (7, "name"),
    ];
    const NON_RESOURCE: &[(u64, &str)] = &[(1, "path"), (2, "verb")];
    let mut o = Map::new();
    for (n, f) in fields(b)? {
        match (n, f) {
            (1, Field::Bytes(v)) => drop(o.insert("metadata".into(), object_meta(v)?)),
            (2, Field::Bytes(v)) => {
                let mut spec = Map::new();
                for (m, g) in fields(v)? {
                    match (m, g) {
                        (1, Field::Bytes(a)) => {
                            drop(spec.insert("resourceAttributes".into(), strings(a, RESOURCE)?.into()))
                        }
                        (2, Field::Bytes(a)) => {
                            drop(spec.insert("nonResourceAttributes".into(), strings(a, NON_RESOURCE)?.into()))
                        }
                        _ => {}
                    }
                }
                o.insert("spec".into(), Value::Object(spec));
            }
            _ => {}
        }
    }
    Ok(Value::Object(o))
}

/// `authorization.k8s.io/v1` SelfSubjectRulesReview (`kubectl auth can-i --list`): metadata = 1,
/// spec = 2 { namespace = 1 }.
fn self_subject_rules_review(b: &[u8]) -> Result<Value, String> {
    let mut o = Map::new();
    for (n, f) in fields(b)? {
        match (n, f) {
            (1, Field::Bytes(v)) => drop(o.insert("metadata".into(), object_meta(v)?)),
            (2, Field::Bytes(v)) => drop(o.insert("spec".into(), strings(v, &[(1, "namespace")])?.into())),
            _ => {}
        }
    }
    Ok(Value::Object(o))
}

/// `authentication.k8s.io/v1` SelfSubjectReview (`kubectl auth whoami`): only metadata = 1.
fn self_subject_review(b: &[u8]) -> Result<Value, String> {
    let mut o = Map::new();
    for (n, f) in fields(b)? {
        if let (1, Field::Bytes(v)) = (n, f) {
            o.insert("metadata".into(), object_meta(v)?);
        }
    }
    Ok(Value::Object(o))
}

/// Decodes a protobuf request body into the JSON form of the object, for the kinds kubectl's
/// typed clients create. Other kinds give an error (answered with 415).
pub fn decode(body: &[u8]) -> Result<Value, String> {
    let rest = body.strip_prefix(MAGIC).ok_or("missing the k8s protobuf magic")?;
    let mut api_version = String::new();
    let mut kind = String::new();
    let mut raw: &[u8] = &[];
    for (n, f) in fields(rest)? {
        match (n, f) {
            (1, Field::Bytes(tm)) => {
                for (m, g) in fields(tm)? {
                    match (m, g) {
                        (1, Field::Bytes(v)) => api_version = string(v)?,
                        (2, Field::Bytes(v)) => kind = string(v)?,
                        _ => {}
                    }
                }
            }
            (2, Field::Bytes(v)) => raw = v,
            _ => {}
        }
    }
    let mut obj = match kind.as_str() {
        "Secret" => secret(raw)?,
        "Namespace" => namespace(raw)?,
        "ServiceAccount" => service_account(raw)?,
        "SelfSubjectAccessReview" => self_subject_access_review(raw)?,
        "SelfSubjectRulesReview" => self_subject_rules_review(raw)?,
        "SelfSubjectReview" => self_subject_review(raw)?,
        "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding" => crate::rbac::protobuf::decode(&kind, raw)?,
        other => return Err(format!("protobuf bodies of kind {other:?} are not supported; send JSON")),
    };
    obj["apiVersion"] = json!(api_version);
    obj["kind"] = json!(kind);
    Ok(obj)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn varint(mut v: u64, out: &mut Vec<u8>) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(b);
                return;
            }
            out.push(b | 0x80);
        }
    }
    fn bytes_field(n: u64, b: &[u8], out: &mut Vec<u8>) {
        varint(n << 3 | 2, out);
        varint(b.len() as u64, out);
        out.extend_from_slice(b);
    }
    fn entry(k: &str, v: &[u8]) -> Vec<u8> {
        let mut e = Vec::new();
        bytes_field(1, k.as_bytes(), &mut e);
        bytes_field(2, v, &mut e);
        e
    }

    #[test]
    fn decodes_a_secret_like_kubectl_sends_it() {
        let mut meta = Vec::new();
        bytes_field(1, b"s1", &mut meta);
        bytes_field(3, b"default", &mut meta);
        bytes_field(11, &entry("app", b"web"), &mut meta);
        let mut secret = Vec::new();
        bytes_field(1, &meta, &mut secret);
        bytes_field(2, &entry("bin", &[0, 255, 1]), &mut secret);
        bytes_field(3, b"Opaque", &mut secret);
        let mut tm = Vec::new();
        bytes_field(1, b"v1", &mut tm);
        bytes_field(2, b"Secret", &mut tm);
        let mut unknown = Vec::new();
        bytes_field(1, &tm, &mut unknown);
        bytes_field(2, &secret, &mut unknown);
        let mut body = MAGIC.to_vec();
        body.extend(unknown);
        let v = decode(&body).unwrap();
        assert_eq!(v["metadata"]["name"], "s1");
        assert_eq!(v["metadata"]["labels"]["app"], "web");
        assert_eq!(v["data"]["bin"], "AP8B");
        assert_eq!(v["type"], "Opaque");
        assert_eq!(v["kind"], "Secret");
    }

    fn wrap(api_version: &str, kind: &str, raw: &[u8]) -> Vec<u8> {
        let mut tm = Vec::new();
        bytes_field(1, api_version.as_bytes(), &mut tm);
        bytes_field(2, kind.as_bytes(), &mut tm);
        let mut body = MAGIC.to_vec();
        bytes_field(1, &tm, &mut body);
        bytes_field(2, raw, &mut body);
        body
    }

    #[test]
    fn decodes_the_access_reviews_of_kubectl_auth() {
        // kubectl auth can-i delete secrets/mysecret -n default
        let mut attrs = Vec::new();
        bytes_field(1, b"default", &mut attrs);
        bytes_field(2, b"delete", &mut attrs);
        bytes_field(3, b"", &mut attrs);
        bytes_field(5, b"secrets", &mut attrs);
        bytes_field(7, b"mysecret", &mut attrs);
        let mut spec = Vec::new();
        bytes_field(1, &attrs, &mut spec);
        let mut review = Vec::new();
        bytes_field(1, &[], &mut review);
        bytes_field(2, &spec, &mut review);
        let v = decode(&wrap("authorization.k8s.io/v1", "SelfSubjectAccessReview", &review)).unwrap();
        assert_eq!(v["kind"], "SelfSubjectAccessReview");
        assert_eq!(
            v["spec"]["resourceAttributes"],
            json!({"namespace": "default", "verb": "delete", "resource": "secrets", "name": "mysecret"})
        );
        // kubectl auth can-i get /healthz
        let mut attrs = Vec::new();
        bytes_field(1, b"/healthz", &mut attrs);
        bytes_field(2, b"get", &mut attrs);
        let mut spec = Vec::new();
        bytes_field(2, &attrs, &mut spec);
        let mut review = Vec::new();
        bytes_field(2, &spec, &mut review);
        let v = decode(&wrap("authorization.k8s.io/v1", "SelfSubjectAccessReview", &review)).unwrap();
        assert_eq!(v["spec"]["nonResourceAttributes"], json!({"path": "/healthz", "verb": "get"}));
        // kubectl auth can-i --list -n shop
        let mut spec = Vec::new();
        bytes_field(1, b"shop", &mut spec);
        let mut review = Vec::new();
        bytes_field(2, &spec, &mut review);
        let v = decode(&wrap("authorization.k8s.io/v1", "SelfSubjectRulesReview", &review)).unwrap();
        assert_eq!(v["spec"]["namespace"], "shop");
        // kubectl auth whoami
        let v = decode(&wrap("authentication.k8s.io/v1", "SelfSubjectReview", &[])).unwrap();
        assert_eq!(v["kind"], "SelfSubjectReview");
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(decode(b"nope").is_err());
        assert!(decode(b"k8s\x00\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff").is_err());
        assert!(decode(b"k8s\x00\x0a\x05ab").is_err());
    }
}
