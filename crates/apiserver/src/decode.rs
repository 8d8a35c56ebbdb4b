//! Request bodies read as kube-apiserver's JSON serializer reads them, with its error texts.
//!
//! kube-apiserver decodes a create or update body in two steps
//! (apimachinery `runtime/serializer/json/json.go` `Decode`): `SimpleMetaFactory.Interpret`
//! (`json/meta.go`) reads `apiVersion` and `kind` with the standard library's `json.Unmarshal`;
//! then the body is unmarshalled into the typed object with `sigs.k8s.io/json` (case-sensitive
//! field names). A failure is turned into a 400 by `transformDecodeError`
//! (apiserver `endpoints/handlers/rest.go`): `<Kind> in version "<v>" cannot be handled as a
//! <Kind>: <err>` once the kind is known, else `the object provided is unrecognized (must be of
//! type <Kind>): <err> (<summary of the body>)`. The `<err>` texts are Go's: the scanner's syntax
//! errors, and `json: cannot unmarshal <what> into Go struct field <Struct>.<path> of type <T>`
//! (`encoding/json` `UnmarshalTypeError`, with the innermost struct and the full field path).
//!
//! Here the syntax is checked by Go's scanner as ported in keyhole-core, and the types against a
//! description of each served kind: `ObjectMeta` in full, each kind's top-level fields, and the
//! access reviews' specs. The specs and statuses of Pods, Deployments, ReplicaSets, Ingresses and
//! Namespaces are only checked to be objects.

use serde_json::Value;

use crate::resources::ResourceDef;
use crate::status::ApiError;

/// A Go type a JSON value is decoded into, as far as decoding can fail on it.
#[derive(Debug)]
pub enum Ty {
    /// A string kind, named as Go prints it (`string`, `types.UID`, `v1.SecretType`).
    Str(&'static str),
    Bool,
    /// An integer kind (`int64`, `int32`).
    Int(&'static str),
    /// `metav1.Time`: its `UnmarshalJSON` unmarshals into a `string`.
    Time,
    /// `[]byte`: a base64 string (whose decoding is judged elsewhere) or an array of bytes.
    Bytes,
    /// Anything (`runtime.RawExtension`, `FieldsV1`).
    Any,
    /// A struct whose fields are not described here: any object.
    Object(&'static str),
    Map(&'static Ty, &'static str),
    Slice(&'static Ty, &'static str),
    Struct(&'static Struct),
}

/// A Go struct: its name (`ObjectMeta`), its qualified name (`v1.ObjectMeta`) and JSON fields.
#[derive(Debug)]
pub struct Struct {
    pub name: &'static str,
    pub go: &'static str,
    pub fields: &'static [(&'static str, Ty)],
}

static STRING: Ty = Ty::Str("string");
static BYTES: Ty = Ty::Bytes;

static OWNER_REFERENCE: Struct = Struct {
    name: "OwnerReference",
    go: "v1.OwnerReference",
    fields: &[
        ("apiVersion", Ty::Str("string")),
        ("kind", Ty::Str("string")),
        ("name", Ty::Str("string")),
        ("uid", Ty::Str("types.UID")),
        ("controller", Ty::Bool),
        ("blockOwnerDeletion", Ty::Bool),
    ],
};
static OWNER_REFERENCE_TY: Ty = Ty::Struct(&OWNER_REFERENCE);

static MANAGED_FIELDS_ENTRY: Struct = Struct {
    name: "ManagedFieldsEntry",
    go: "v1.ManagedFieldsEntry",
    fields: &[
        ("manager", Ty::Str("string")),
        ("operation", Ty::Str("v1.ManagedFieldsOperationType")),
        ("apiVersion", Ty::Str("string")),
        ("time", Ty::Time),
        ("fieldsType", Ty::Str("string")),
        ("fieldsV1", Ty::Any),
        ("subresource", Ty::Str("string")),
    ],
};
static MANAGED_FIELDS_ENTRY_TY: Ty = Ty::Struct(&MANAGED_FIELDS_ENTRY);

/// `metav1.ObjectMeta` (apimachinery `pkg/apis/meta/v1/types.go`).
pub static OBJECT_META: Struct = Struct {
    name: "ObjectMeta",
    go: "v1.ObjectMeta",
    fields: &[
        ("name", Ty::Str("string")),
        ("generateName", Ty::Str("string")),
        ("namespace", Ty::Str("string")),
        ("selfLink", Ty::Str("string")),
        ("uid", Ty::Str("types.UID")),
        ("resourceVersion", Ty::Str("string")),
        ("generation", Ty::Int("int64")),
        ("creationTimestamp", Ty::Time),
        ("deletionTimestamp", Ty::Time),
        ("deletionGracePeriodSeconds", Ty::Int("int64")),
        ("labels", Ty::Map(&STRING, "map[string]string")),
        ("annotations", Ty::Map(&STRING, "map[string]string")),
        ("ownerReferences", Ty::Slice(&OWNER_REFERENCE_TY, "[]v1.OwnerReference")),
        ("finalizers", Ty::Slice(&STRING, "[]string")),
        ("managedFields", Ty::Slice(&MANAGED_FIELDS_ENTRY_TY, "[]v1.ManagedFieldsEntry")),
    ],
};

macro_rules! kind {
    ($name:literal, $($field:expr),* $(,)?) => {
        Struct {
            name: $name,
            go: concat!("v1.", $name),
            fields: &[
                ("apiVersion", Ty::Str("string")),
                ("kind", Ty::Str("string")),
                ("metadata", Ty::Struct(&OBJECT_META)),
                $($field),*
            ],
        }
    };
}

static SECRET: Struct = kind!(
    "Secret",
    ("immutable", Ty::Bool),
    ("data", Ty::Map(&BYTES, "map[string][]uint8")),
    ("stringData", Ty::Map(&STRING, "map[string]string")),
    ("type", Ty::Str("v1.SecretType")),
);

static NAMESPACE_SPEC: Struct = Struct {
    name: "NamespaceSpec",
    go: "v1.NamespaceSpec",
    fields: &[("finalizers", Ty::Slice(&Ty::Str("v1.FinalizerName"), "[]v1.FinalizerName"))],
};
static NAMESPACE_STATUS: Struct = Struct {
    name: "NamespaceStatus",
    go: "v1.NamespaceStatus",
    fields: &[
        ("phase", Ty::Str("v1.NamespacePhase")),
        ("conditions", Ty::Slice(&Ty::Object("v1.NamespaceCondition"), "[]v1.NamespaceCondition")),
    ],
};
static NAMESPACE: Struct =
    kind!("Namespace", ("spec", Ty::Struct(&NAMESPACE_SPEC)), ("status", Ty::Struct(&NAMESPACE_STATUS)));

static POD: Struct = kind!("Pod", ("spec", Ty::Object("v1.PodSpec")), ("status", Ty::Object("v1.PodStatus")));

static SERVICE_ACCOUNT: Struct = kind!(
    "ServiceAccount",
    ("secrets", Ty::Slice(&Ty::Object("v1.ObjectReference"), "[]v1.ObjectReference")),
    ("imagePullSecrets", Ty::Slice(&Ty::Object("v1.LocalObjectReference"), "[]v1.LocalObjectReference")),
    ("automountServiceAccountToken", Ty::Bool),
);

static DEPLOYMENT: Struct =
    kind!("Deployment", ("spec", Ty::Object("v1.DeploymentSpec")), ("status", Ty::Object("v1.DeploymentStatus")));

static REPLICA_SET: Struct =
    kind!("ReplicaSet", ("spec", Ty::Object("v1.ReplicaSetSpec")), ("status", Ty::Object("v1.ReplicaSetStatus")));

static INGRESS: Struct =
    kind!("Ingress", ("spec", Ty::Object("v1.IngressSpec")), ("status", Ty::Object("v1.IngressStatus")));

static STATEFUL_SET: Struct =
    kind!("StatefulSet", ("spec", Ty::Object("v1.StatefulSetSpec")), ("status", Ty::Object("v1.StatefulSetStatus")));

static DAEMON_SET: Struct =
    kind!("DaemonSet", ("spec", Ty::Object("v1.DaemonSetSpec")), ("status", Ty::Object("v1.DaemonSetStatus")));

static JOB: Struct = kind!("Job", ("spec", Ty::Object("v1.JobSpec")), ("status", Ty::Object("v1.JobStatus")));

static CRON_JOB: Struct =
    kind!("CronJob", ("spec", Ty::Object("v1.CronJobSpec")), ("status", Ty::Object("v1.CronJobStatus")));

static PERSISTENT_VOLUME: Struct = kind!(
    "PersistentVolume",
    ("spec", Ty::Object("v1.PersistentVolumeSpec")),
    ("status", Ty::Object("v1.PersistentVolumeStatus")),
);

static STORAGE_CLASS: Struct = kind!(
    "StorageClass",
    ("provisioner", Ty::Str("string")),
    ("parameters", Ty::Map(&STRING, "map[string]string")),
    ("reclaimPolicy", Ty::Str("v1.PersistentVolumeReclaimPolicy")),
    ("mountOptions", Ty::Slice(&STRING, "[]string")),
    ("allowVolumeExpansion", Ty::Bool),
    ("volumeBindingMode", Ty::Str("v1.VolumeBindingMode")),
    ("allowedTopologies", Ty::Slice(&Ty::Object("v1.TopologySelectorTerm"), "[]v1.TopologySelectorTerm")),
);

static CUSTOM_RESOURCE_DEFINITION: Struct = kind!(
    "CustomResourceDefinition",
    ("spec", Ty::Object("v1.CustomResourceDefinitionSpec")),
    ("status", Ty::Object("v1.CustomResourceDefinitionStatus")),
);

static POLICY_RULE: Struct = Struct {
    name: "PolicyRule",
    go: "v1.PolicyRule",
    fields: &[
        ("verbs", Ty::Slice(&STRING, "[]string")),
        ("apiGroups", Ty::Slice(&STRING, "[]string")),
        ("resources", Ty::Slice(&STRING, "[]string")),
        ("resourceNames", Ty::Slice(&STRING, "[]string")),
        ("nonResourceURLs", Ty::Slice(&STRING, "[]string")),
    ],
};
static POLICY_RULE_TY: Ty = Ty::Struct(&POLICY_RULE);
static AGGREGATION_RULE: Struct = Struct {
    name: "AggregationRule",
    go: "v1.AggregationRule",
    fields: &[("clusterRoleSelectors", Ty::Slice(&Ty::Object("v1.LabelSelector"), "[]v1.LabelSelector"))],
};
static SUBJECT: Struct = Struct {
    name: "Subject",
    go: "v1.Subject",
    fields: &[
        ("kind", Ty::Str("string")),
        ("apiGroup", Ty::Str("string")),
        ("name", Ty::Str("string")),
        ("namespace", Ty::Str("string")),
    ],
};
static SUBJECT_TY: Ty = Ty::Struct(&SUBJECT);
static ROLE_REF: Struct = Struct {
    name: "RoleRef",
    go: "v1.RoleRef",
    fields: &[("apiGroup", Ty::Str("string")), ("kind", Ty::Str("string")), ("name", Ty::Str("string"))],
};
static ROLE: Struct = kind!("Role", ("rules", Ty::Slice(&POLICY_RULE_TY, "[]v1.PolicyRule")));
static CLUSTER_ROLE: Struct = kind!(
    "ClusterRole",
    ("rules", Ty::Slice(&POLICY_RULE_TY, "[]v1.PolicyRule")),
    ("aggregationRule", Ty::Struct(&AGGREGATION_RULE)),
);
static ROLE_BINDING: Struct =
    kind!("RoleBinding", ("subjects", Ty::Slice(&SUBJECT_TY, "[]v1.Subject")), ("roleRef", Ty::Struct(&ROLE_REF)),);
static CLUSTER_ROLE_BINDING: Struct = kind!(
    "ClusterRoleBinding",
    ("subjects", Ty::Slice(&SUBJECT_TY, "[]v1.Subject")),
    ("roleRef", Ty::Struct(&ROLE_REF)),
);

static RESOURCE_ATTRIBUTES: Struct = Struct {
    name: "ResourceAttributes",
    go: "v1.ResourceAttributes",
    fields: &[
        ("namespace", Ty::Str("string")),
        ("verb", Ty::Str("string")),
        ("group", Ty::Str("string")),
        ("version", Ty::Str("string")),
        ("resource", Ty::Str("string")),
        ("subresource", Ty::Str("string")),
        ("name", Ty::Str("string")),
        ("fieldSelector", Ty::Object("v1.FieldSelectorAttributes")),
        ("labelSelector", Ty::Object("v1.LabelSelectorAttributes")),
    ],
};
static NON_RESOURCE_ATTRIBUTES: Struct = Struct {
    name: "NonResourceAttributes",
    go: "v1.NonResourceAttributes",
    fields: &[("path", Ty::Str("string")), ("verb", Ty::Str("string"))],
};
static SELF_SUBJECT_ACCESS_REVIEW_SPEC: Struct = Struct {
    name: "SelfSubjectAccessReviewSpec",
    go: "v1.SelfSubjectAccessReviewSpec",
    fields: &[
        ("resourceAttributes", Ty::Struct(&RESOURCE_ATTRIBUTES)),
        ("nonResourceAttributes", Ty::Struct(&NON_RESOURCE_ATTRIBUTES)),
    ],
};
static SUBJECT_ACCESS_REVIEW_STATUS: Struct = Struct {
    name: "SubjectAccessReviewStatus",
    go: "v1.SubjectAccessReviewStatus",
    fields: &[
        ("allowed", Ty::Bool),
        ("denied", Ty::Bool),
        ("reason", Ty::Str("string")),
        ("evaluationError", Ty::Str("string")),
    ],
};
static SELF_SUBJECT_ACCESS_REVIEW: Struct = kind!(
    "SelfSubjectAccessReview",
    ("spec", Ty::Struct(&SELF_SUBJECT_ACCESS_REVIEW_SPEC)),
    ("status", Ty::Struct(&SUBJECT_ACCESS_REVIEW_STATUS)),
);

static SELF_SUBJECT_RULES_REVIEW_SPEC: Struct = Struct {
    name: "SelfSubjectRulesReviewSpec",
    go: "v1.SelfSubjectRulesReviewSpec",
    fields: &[("namespace", Ty::Str("string"))],
};
static SELF_SUBJECT_RULES_REVIEW: Struct = kind!(
    "SelfSubjectRulesReview",
    ("spec", Ty::Struct(&SELF_SUBJECT_RULES_REVIEW_SPEC)),
    ("status", Ty::Object("v1.SubjectRulesReviewStatus")),
);

static SELF_SUBJECT_REVIEW: Struct = kind!("SelfSubjectReview", ("status", Ty::Object("v1.SelfSubjectReviewStatus")));

/// The Go struct of a served kind.
pub fn schema(kind: &str) -> Option<&'static Struct> {
    Some(match kind {
        "Secret" => &SECRET,
        "Namespace" => &NAMESPACE,
        "Pod" => &POD,
        "ServiceAccount" => &SERVICE_ACCOUNT,
        "Deployment" => &DEPLOYMENT,
        "ReplicaSet" => &REPLICA_SET,
        "Ingress" => &INGRESS,
        "StatefulSet" => &STATEFUL_SET,
        "DaemonSet" => &DAEMON_SET,
        "Job" => &JOB,
        "CronJob" => &CRON_JOB,
        "PersistentVolume" => &PERSISTENT_VOLUME,
        "StorageClass" => &STORAGE_CLASS,
        "CustomResourceDefinition" => &CUSTOM_RESOURCE_DEFINITION,
        "Role" => &ROLE,
        "ClusterRole" => &CLUSTER_ROLE,
        "RoleBinding" => &ROLE_BINDING,
        "ClusterRoleBinding" => &CLUSTER_ROLE_BINDING,
        "SelfSubjectAccessReview" => &SELF_SUBJECT_ACCESS_REVIEW,
        "SelfSubjectRulesReview" => &SELF_SUBJECT_RULES_REVIEW,
        "SelfSubjectReview" => &SELF_SUBJECT_REVIEW,
        _ => return None,
    })
}

/// What `UnmarshalTypeError.Value` says about a JSON value.
pub fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Where the decoder is: the innermost struct and the path of field names (`errorContext`).
struct Context<'a> {
    strukt: Option<&'static str>,
    fields: Vec<&'a str>,
}

impl Context<'_> {
    fn type_error(&self, value: impl std::fmt::Display, go_type: &str) -> String {
        match self.strukt {
            Some(s) => format!(
                "json: cannot unmarshal {value} into Go struct field {s}.{} of type {go_type}",
                self.fields.join(".")
            ),
            None => format!("json: cannot unmarshal {value} into Go value of type {go_type}"),
        }
    }
}

/// The first type error Go's decoder saves for `v` decoded into `ty`, in document order.
fn check<'a>(v: &'a Value, ty: &Ty, cx: &mut Context<'a>) -> Option<String> {
    // `null` leaves any Go value as it is.
    if v.is_null() {
        return None;
    }
    match ty {
        Ty::Any => None,
        Ty::Str(go) => (!v.is_string()).then(|| cx.type_error(json_kind(v), go)),
        Ty::Time => (!v.is_string()).then(|| cx.type_error(json_kind(v), "string")),
        Ty::Bool => (!v.is_boolean()).then(|| cx.type_error(json_kind(v), "bool")),
        Ty::Int(go) => match v {
            Value::Number(n) => {
                let fits = match *go {
                    "int32" => n.as_i64().is_some_and(|i| i32::try_from(i).is_ok()),
                    _ => n.as_i64().is_some(),
                };
                (!fits).then(|| cx.type_error(format_args!("number {n}"), go))
            }
            other => Some(cx.type_error(json_kind(other), go)),
        },
        Ty::Bytes => match v {
            Value::String(_) | Value::Array(_) => None,
            other => Some(cx.type_error(json_kind(other), "[]uint8")),
        },
        Ty::Object(go) => (!v.is_object()).then(|| cx.type_error(json_kind(v), go)),
        Ty::Map(elem, go) => match v {
            Value::Object(m) => m.values().find_map(|e| check(e, elem, cx)),
            other => Some(cx.type_error(json_kind(other), go)),
        },
        Ty::Slice(elem, go) => match v {
            Value::Array(items) => items.iter().find_map(|e| check(e, elem, cx)),
            other => Some(cx.type_error(json_kind(other), go)),
        },
        Ty::Struct(s) => match v {
            Value::Object(m) => {
                for (key, value) in m {
                    // sigs.k8s.io/json matches field names case-sensitively; others are unknown
                    // fields (judged by fieldValidation, elsewhere).
                    let Some((name, fty)) = s.fields.iter().find(|(f, _)| f == key) else { continue };
                    let outer = cx.strukt.replace(s.name);
                    cx.fields.push(name);
                    let err = check(value, fty, cx);
                    cx.fields.pop();
                    cx.strukt = outer;
                    if err.is_some() {
                        return err;
                    }
                }
                None
            }
            other => Some(cx.type_error(json_kind(other), s.go)),
        },
    }
}

/// The first type error of `obj` decoded into the Go struct of `kind`, as `json: cannot
/// unmarshal ...`; `None` when it decodes (or the kind is not described).
pub fn type_error(kind: &str, obj: &Value) -> Option<String> {
    let s = schema(kind)?;
    check(obj, &Ty::Struct(s), &mut Context { strukt: None, fields: Vec::new() })
}

/// The first type error of `v` decoded into `ty` at the top level (`into Go value of type T`).
pub fn check_value(v: &Value, ty: &Ty) -> Option<String> {
    check(v, ty, &mut Context { strukt: None, fields: Vec::new() })
}

/// `summarizeData` (`handlers/rest.go`): the body as text when it starts with `{`, else in hex,
/// cut at 30 bytes.
fn summarize(data: &[u8]) -> String {
    const MAX: usize = 30;
    let cut = &data[..data.len().min(MAX)];
    let more = if data.len() > MAX { " ..." } else { "" };
    match data.first() {
        None => "<empty>".to_string(),
        Some(b'{') => format!("{}{more}", String::from_utf8_lossy(cut)),
        Some(_) => {
            let hex: String = cut.iter().map(|b| format!("{b:02x}")).collect();
            format!("{hex}{more}")
        }
    }
}

fn unrecognized(def: &ResourceDef, err: &str, body: &[u8]) -> ApiError {
    ApiError::bad_request(format!(
        "the object provided is unrecognized (must be of type {}): {err} ({})",
        def.kind,
        summarize(body)
    ))
}

/// The Go type `SimpleMetaFactory.Interpret` unmarshals into, as reflect prints it.
const FIND_KIND: &str =
    r#"struct { APIVersion string "json:\"apiVersion,omitempty\""; Kind string "json:\"kind,omitempty\"" }"#;

/// `SimpleMetaFactory.Interpret` plus `schema.ParseGroupVersion`: the body's apiVersion and kind.
/// The standard library's decoder matches field names case-insensitively; the last match wins.
fn interpret(v: &Value) -> Result<(String, String), String> {
    let map = match v {
        Value::Null => return Ok((String::new(), String::new())),
        Value::Object(m) => m,
        other => return Err(format!("json: cannot unmarshal {} into Go value of type {FIND_KIND}", json_kind(other))),
    };
    let (mut api_version, mut kind) = (String::new(), String::new());
    for (k, val) in map {
        let (slot, field) = if k.eq_ignore_ascii_case("apiVersion") {
            (&mut api_version, "apiVersion")
        } else if k.eq_ignore_ascii_case("kind") {
            (&mut kind, "kind")
        } else {
            continue;
        };
        match val {
            Value::Null => {}
            Value::String(s) => *slot = s.clone(),
            other => {
                return Err(format!(
                    "json: cannot unmarshal {} into Go struct field .{field} of type string",
                    json_kind(other)
                ));
            }
        }
    }
    if api_version != "/" && api_version.matches('/').count() > 1 {
        return Err(format!("unexpected GroupVersion string: {api_version}"));
    }
    Ok((api_version, kind))
}

/// Decodes a create or update body for `def` as kube-apiserver does, up to the typed object:
/// syntax, apiVersion/kind, then the field types. A `null` body is an empty object, as in Go.
/// A body of another kind or version is passed on for `objects::check_type` to refuse.
pub fn decode_body(def: &ResourceDef, body: &[u8]) -> Result<Value, ApiError> {
    let parse_error = |e: &str| unrecognized(def, &format!("couldn't get version/kind; json parse error: {e}"), body);
    if let Some(e) = keyhole_core::validate::go_json_syntax_error(body) {
        return Err(parse_error(&e));
    }
    // Go's scanner accepted it; serde_json can still refuse what Go takes (invalid UTF-8 in a
    // string, nesting deeper than 128, a number beyond f64).
    let v: Value = serde_json::from_slice(body).map_err(|e| parse_error(&e.to_string()))?;
    let (api_version, kind) = match interpret(&v) {
        Ok(gvk) => gvk,
        Err(e) if e.starts_with("unexpected GroupVersion") => return Err(unrecognized(def, &e, body)),
        Err(e) => return Err(parse_error(&e)),
    };
    let v = if v.is_null() { Value::Object(serde_json::Map::new()) } else { v };
    let other_kind = !kind.is_empty() && kind != def.kind;
    let other_version = !api_version.is_empty() && api_version != def.group_version();
    if other_kind || other_version {
        return Ok(v);
    }
    if let Some(e) = type_error(def.kind, &v) {
        return Err(ApiError::bad_request(format!(
            "{} in version \"{}\" cannot be handled as a {}: {e}",
            def.kind, def.version, def.kind
        )));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn secrets() -> &'static ResourceDef {
        crate::resources::secrets()
    }

    fn message(body: &str) -> String {
        decode_body(secrets(), body.as_bytes()).unwrap_err().message().to_string()
    }

    #[test]
    fn type_errors_name_the_innermost_struct_and_the_whole_path() {
        let pre = "Secret in version \"v1\" cannot be handled as a Secret: json: cannot unmarshal";
        for (body, want) in [
            (r#"{"metadata":5}"#, "number into Go struct field Secret.metadata of type v1.ObjectMeta"),
            (r#"{"metadata":{"name":5}}"#, "number into Go struct field ObjectMeta.metadata.name of type string"),
            (
                r#"{"metadata":{"labels":{"a":1}}}"#,
                "number into Go struct field ObjectMeta.metadata.labels of type string",
            ),
            (
                r#"{"metadata":{"labels":[]}}"#,
                "array into Go struct field ObjectMeta.metadata.labels of type map[string]string",
            ),
            (r#"{"metadata":{"uid":true}}"#, "bool into Go struct field ObjectMeta.metadata.uid of type types.UID"),
            (
                r#"{"metadata":{"generation":1.5}}"#,
                "number 1.5 into Go struct field ObjectMeta.metadata.generation of type int64",
            ),
            (
                r#"{"metadata":{"creationTimestamp":{}}}"#,
                "object into Go struct field ObjectMeta.metadata.creationTimestamp of type string",
            ),
            (
                r#"{"metadata":{"ownerReferences":["x"]}}"#,
                "string into Go struct field ObjectMeta.metadata.ownerReferences of type v1.OwnerReference",
            ),
            (
                r#"{"metadata":{"ownerReferences":[{"controller":"yes"}]}}"#,
                "string into Go struct field OwnerReference.metadata.ownerReferences.controller of type bool",
            ),
            (
                r#"{"metadata":{"finalizers":"x"}}"#,
                "string into Go struct field ObjectMeta.metadata.finalizers of type []string",
            ),
            (r#"{"type":1}"#, "number into Go struct field Secret.type of type v1.SecretType"),
            (r#"{"immutable":"true"}"#, "string into Go struct field Secret.immutable of type bool"),
            (r#"{"data":{"k":1}}"#, "number into Go struct field Secret.data of type []uint8"),
            (r#"{"data":"x"}"#, "string into Go struct field Secret.data of type map[string][]uint8"),
            (r#"{"stringData":{"k":false}}"#, "bool into Go struct field Secret.stringData of type string"),
            // The first error in document order is the one reported.
            (r#"{"type":1,"metadata":5}"#, "number into Go struct field Secret.type of type v1.SecretType"),
        ] {
            assert_eq!(message(body), format!("{pre} {want}"), "{body}");
        }
    }

    #[test]
    fn what_cannot_be_read_as_an_object_is_unrecognized() {
        let pre = "the object provided is unrecognized (must be of type Secret):";
        assert_eq!(
            message(""),
            format!("{pre} couldn't get version/kind; json parse error: unexpected end of JSON input (<empty>)")
        );
        assert_eq!(
            message("nope"),
            format!(
                "{pre} couldn't get version/kind; json parse error: invalid character at input byte 1 in literal null (expecting 'u') (6e6f7065)"
            )
        );
        assert_eq!(
            message("[1]"),
            format!(
                "{pre} couldn't get version/kind; json parse error: json: cannot unmarshal array into Go value of type {FIND_KIND} (5b315d)"
            )
        );
        assert_eq!(
            message(r#"{"apiVersion":1}"#),
            format!(
                "{pre} couldn't get version/kind; json parse error: json: cannot unmarshal number into Go struct field .apiVersion of type string ({{\"apiVersion\":1}})"
            )
        );
        assert_eq!(
            message(r#"{"apiVersion":"a/b/c","metadata":{"name":"0123456789"}}"#),
            format!("{pre} unexpected GroupVersion string: a/b/c ({{\"apiVersion\":\"a/b/c\",\"metadat ...)")
        );
    }

    #[test]
    fn good_bodies_decode_and_null_is_an_empty_object() {
        let v = decode_body(secrets(), br#"{"metadata":{"name":"a","labels":null},"data":{"k":"dg=="}}"#).unwrap();
        assert_eq!(v["metadata"]["name"], "a");
        assert_eq!(decode_body(secrets(), b"null").unwrap(), json!({}));
        // Another kind is left for check_type, which names it.
        assert!(decode_body(secrets(), br#"{"kind":"Pod","metadata":5}"#).is_ok());
    }
}
