//! What the server does to an object on its way into the store: defaulting, system fields,
//! and for Secrets the decode (stringData merge, base64) and the validator.

use jiff::Timestamp;
use serde_json::{Map, Value, json};

use crate::resources::ResourceDef;
use crate::status::ApiError;
use keyhole_core::format::rfc3339;
use keyhole_core::secret::Secret;
use keyhole_core::validate::{self, FieldError};

/// `names.SimpleNameGenerator`: the base cut to 58 characters plus 5 random characters.
pub fn generate_name(base: &str) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let base: String = base.chars().take(58).collect();
    let random = uuid::Uuid::new_v4();
    let suffix: String =
        random.as_bytes()[..5].iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect();
    format!("{base}{suffix}")
}

pub fn meta(obj: &Value, field: &str) -> String {
    obj.get("metadata").and_then(|m| m.get(field)).and_then(Value::as_str).unwrap_or("").to_string()
}

/// The object's metadata, made an empty object when absent or of another type. `None` only when
/// `obj` is not an object at all (callers run after `check_type`, which refuses those): nothing
/// here indexes into request JSON that could panic.
fn meta_mut(obj: &mut Value) -> Option<&mut Map<String, Value>> {
    let meta = obj.as_object_mut()?.entry("metadata").or_insert_with(|| json!({}));
    if !meta.is_object() {
        *meta = json!({});
    }
    meta.as_object_mut()
}

/// The apiVersion/kind check of the body against the URL's resource.
pub fn check_type(def: &ResourceDef, obj: &mut Value) -> Result<(), ApiError> {
    if !obj.is_object() {
        return Err(ApiError::bad_request(format!(
            "{} in version \"{}\" cannot be handled as a {}: expected an object",
            def.kind, def.version, def.kind
        )));
    }
    let gv = def.group_version();
    match obj.get("apiVersion").and_then(Value::as_str) {
        None | Some("") => {}
        Some(v) if v == gv => {}
        Some(v) => {
            return Err(ApiError::bad_request(format!(
                "the API version in the data ({v}) does not match the expected API version ({gv})"
            )));
        }
    }
    match obj.get("kind").and_then(Value::as_str) {
        None | Some("") => {}
        Some(k) if k == def.kind => {}
        Some(k) => {
            return Err(ApiError::bad_request(format!(
                "{k} in version \"{}\" cannot be handled as a {}: no kind \"{k}\" is registered for version \"{gv}\" in scheme",
                def.version, def.kind
            )));
        }
    }
    obj["apiVersion"] = json!(gv);
    obj["kind"] = json!(def.kind);
    Ok(())
}

/// The fields of each kind's JSON, at the top level.
fn top_level_fields(def: &ResourceDef) -> &'static [&'static str] {
    match def.kind {
        "Secret" => &["apiVersion", "kind", "metadata", "data", "stringData", "type", "immutable"],
        "ServiceAccount" => {
            &["apiVersion", "kind", "metadata", "secrets", "imagePullSecrets", "automountServiceAccountToken"]
        }
        "Role" if def.custom.is_none() => &["apiVersion", "kind", "metadata", "rules"],
        "ClusterRole" if def.custom.is_none() => &["apiVersion", "kind", "metadata", "rules", "aggregationRule"],
        "RoleBinding" | "ClusterRoleBinding" if def.custom.is_none() => {
            &["apiVersion", "kind", "metadata", "subjects", "roleRef"]
        }
        "StorageClass" if def.custom.is_none() => &[
            "apiVersion",
            "kind",
            "metadata",
            "provisioner",
            "parameters",
            "reclaimPolicy",
            "mountOptions",
            "allowVolumeExpansion",
            "volumeBindingMode",
            "allowedTopologies",
        ],
        _ => &["apiVersion", "kind", "metadata", "spec", "status"],
    }
}

use keyhole_core::validate::report::METADATA_FIELDS as OBJECT_META_FIELDS;
const OWNER_REFERENCE_FIELDS: &[&str] = &["apiVersion", "kind", "name", "uid", "controller", "blockOwnerDeletion"];
const MANAGED_FIELDS_ENTRY_FIELDS: &[&str] =
    &["manager", "operation", "apiVersion", "time", "fieldsType", "fieldsV1", "subresource"];

/// Removes the fields the kind does not have and names them as strict decoding does
/// (`unknown field "metadata.labelz"`), in document order. Checked: the top level, metadata and
/// its owner references and managedFields entries; a Secret has nothing deeper. The specs of the
/// other kinds are not checked.
pub fn take_unknown_fields(def: &ResourceDef, obj: &mut Value) -> Vec<String> {
    fn take(map: &mut Map<String, Value>, known: &[&str], prefix: &str, out: &mut Vec<String>) {
        let unknown: Vec<String> = map.keys().filter(|k| !known.contains(&k.as_str())).cloned().collect();
        for k in unknown {
            out.push(format!("unknown field \"{prefix}{k}\""));
            map.remove(&k);
        }
    }
    let mut out = Vec::new();
    let Some(top) = obj.as_object_mut() else { return out };
    // Keep document order: the top level first, then inside metadata, as a decoder walks it.
    let fields = top_level_fields(def);
    for (k, v) in top.iter_mut() {
        if !fields.contains(&k.as_str()) {
            out.push(format!("unknown field \"{k}\""));
            continue;
        }
        let Some(meta) = v.as_object_mut().filter(|_| k == "metadata") else { continue };
        take(meta, OBJECT_META_FIELDS, "metadata.", &mut out);
        for (list, known) in
            [("ownerReferences", OWNER_REFERENCE_FIELDS), ("managedFields", MANAGED_FIELDS_ENTRY_FIELDS)]
        {
            if let Some(Value::Array(items)) = meta.get_mut(list) {
                for (i, item) in items.iter_mut().enumerate() {
                    if let Some(m) = item.as_object_mut() {
                        take(m, known, &format!("metadata.{list}[{i}]."), &mut out);
                    }
                }
            }
        }
    }
    top.retain(|k, _| fields.contains(&k.as_str()));
    out
}

/// Namespace of the body against the URL (`rest.BeforeCreate`/`BeforeUpdate`).
pub fn check_namespace(def: &ResourceDef, obj: &mut Value, url_ns: Option<&str>) -> Result<(), ApiError> {
    if !def.namespaced {
        if let Some(m) = meta_mut(obj) {
            m.remove("namespace");
        }
        return Ok(());
    }
    let body_ns = meta(obj, "namespace");
    let url_ns = url_ns.unwrap_or("");
    if !body_ns.is_empty() && body_ns != url_ns {
        return Err(ApiError::bad_request(
            "the namespace of the provided object does not match the namespace sent on the request",
        ));
    }
    if let Some(m) = meta_mut(obj) {
        m.insert("namespace".into(), json!(url_ns));
    }
    Ok(())
}

/// System fields on create: name from generateName, uid, creationTimestamp, defaults.
pub fn prepare_create(def: &ResourceDef, obj: &mut Value, now: Timestamp) -> Result<(), ApiError> {
    if !meta(obj, "resourceVersion").is_empty() {
        return Err(ApiError::internal("resourceVersion should not be set on objects to be created"));
    }
    let name = meta(obj, "name");
    let generate = meta(obj, "generateName");
    if let Some(m) = meta_mut(obj) {
        if name.is_empty() && !generate.is_empty() {
            m.insert("name".into(), json!(generate_name(&generate)));
        }
        m.insert("uid".into(), json!(uuid::Uuid::new_v4().to_string()));
        m.insert("creationTimestamp".into(), json!(rfc3339(now)));
        m.remove("deletionTimestamp");
        m.remove("deletionGracePeriodSeconds");
        m.remove("managedFields");
        if matches!(def.plural, "deployments" | "replicasets") {
            m.insert("generation".into(), json!(1));
        }
    }
    apply_defaults(def, obj);
    Ok(())
}

/// Defaults the real cluster (or its controllers) would fill, so that `kubectl get` looks
/// normal: namespaces are Active, pods are Running, workloads are ready.
pub fn apply_defaults(def: &ResourceDef, obj: &mut Value) {
    if !obj.is_object() {
        return;
    }
    if def.custom.is_some() {
        return crate::kinds::apply_defaults(def, obj);
    }
    match def.plural {
        "namespaces" => {
            let name = meta(obj, "name");
            if let Some(Value::Object(l)) = meta_mut(obj).map(|m| m.entry("labels").or_insert_with(|| json!({}))) {
                l.insert("kubernetes.io/metadata.name".into(), json!(name));
            }
            if obj.get("spec").is_none() {
                obj["spec"] = json!({"finalizers": ["kubernetes"]});
            }
            if obj.get("status").is_none() {
                obj["status"] = json!({"phase": "Active"});
            }
        }
        "pods" => {
            if obj.pointer("/spec/serviceAccountName").is_none() && obj.get("spec").is_some_and(Value::is_object) {
                let sa = obj.pointer("/spec/serviceAccount").cloned().unwrap_or_else(|| json!("default"));
                obj["spec"]["serviceAccountName"] = sa;
            }
            if obj.get("status").is_none() {
                if obj.pointer("/spec/nodeName").is_none() && obj.get("spec").is_some_and(Value::is_object) {
                    obj["spec"]["nodeName"] = json!(crate::kubelet::NODE_NAME);
                }
                let created = meta(obj, "creationTimestamp").parse::<Timestamp>().unwrap_or(Timestamp::UNIX_EPOCH);
                obj["status"] = crate::kubelet::pod_status(obj, created);
            }
        }
        "deployments" | "replicasets" if obj.get("status").is_none() => {
            let n = obj.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(1);
            obj["status"] = json!({"replicas": n, "readyReplicas": n, "availableReplicas": n,
                                    "updatedReplicas": n, "observedGeneration": 1});
        }
        _ => crate::kinds::apply_defaults(def, obj),
    }
}

/// Minimal metadata validation for the kinds other than Secret (which get the full validator).
pub fn validate_generic(def: &ResourceDef, obj: &Value) -> Vec<FieldError> {
    let name = meta(obj, "name");
    if name.is_empty() {
        return vec![FieldError::required("metadata.name", "name or generateName is required")];
    }
    if crate::rbac::kinds::is_rbac(def) {
        // `ValidateRBACName`: any path segment name (`path.IsValidPathSegmentName`).
        let detail = match name.as_str() {
            "." => Some("may not be '.'".to_string()),
            ".." => Some("may not be '..'".to_string()),
            _ => ['/', '%'].iter().find(|c| name.contains(**c)).map(|c| format!("may not contain '{c}'")),
        };
        return detail.map(|d| FieldError::invalid("metadata.name", &name, &d)).into_iter().collect();
    }
    let label = def.plural == "namespaces";
    let ok = if label { is_dns1123_label(&name) } else { is_dns1123_subdomain(&name) };
    if ok {
        return Vec::new();
    }
    let detail = if label {
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
    } else {
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    };
    vec![FieldError::invalid("metadata.name", &name, detail)]
}

fn is_dns1123_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

fn is_dns1123_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_dns1123_label)
}

/// Decodes a Secret body like the API server: 400 on bad base64 or wrong JSON types; `type`
/// defaulted to Opaque; stringData merged into data and dropped.
pub fn decode_secret(obj: &Value) -> Result<Secret, ApiError> {
    let mut secret = Secret::from_json(obj).map_err(|e| ApiError::bad_request(e.server_message()))?;
    if secret.type_.as_deref().unwrap_or("").is_empty() {
        secret.type_ = Some(keyhole_core::secret::types::OPAQUE.to_string());
    }
    Ok(secret)
}

/// The stored (wire) form of a decoded Secret. An empty `data` map is stored as absent, as
/// etcd's protobuf encoding does, so that `data: {}` and no data compare as the server's do.
pub fn encode_secret(secret: &Secret) -> Value {
    let mut out = secret.to_json();
    if out.get("data").and_then(Value::as_object).is_some_and(|m| m.is_empty())
        && let Some(o) = out.as_object_mut()
    {
        o.remove("data");
    }
    out
}

/// Validation on create, Secret or not. Returns the object to store.
pub fn validate_create(def: &ResourceDef, obj: Value) -> Result<(Value, Vec<String>), ApiError> {
    if def.is_secret() {
        let secret = decode_secret(&obj)?;
        let errors = validate::validate_create_causes(&secret);
        if !errors.is_empty() {
            return Err(ApiError::invalid(def.group, def.kind, secret.name(), &errors));
        }
        let warnings = server_warnings(&secret);
        return Ok((encode_secret(&secret), warnings));
    }
    let mut errors = validate_generic(def, &obj);
    errors.extend(crate::kinds::validate(def, &obj));
    if !errors.is_empty() {
        return Err(ApiError::invalid(def.group, def.kind, &meta(&obj, "name"), &errors));
    }
    Ok((obj, Vec::new()))
}

/// Validation on update, with the old object for the immutability rules.
pub fn validate_update(def: &ResourceDef, old: &Value, mut new: Value) -> Result<(Value, Vec<String>), ApiError> {
    // `rest.BeforeUpdate` (apiserver `registry/rest/update.go`): system fields come from the
    // stored object, and an update can never remove or change a deletion timestamp, nor remove
    // the deletion grace period.
    for field in ["uid", "creationTimestamp", "generation", "deletionTimestamp"] {
        if let (Some(v), Some(m)) = (old.get("metadata").and_then(|m| m.get(field)), meta_mut(&mut new)) {
            m.insert(field.into(), v.clone());
        }
    }
    if let (Some(v), Some(m)) = (old.pointer("/metadata/deletionGracePeriodSeconds"), meta_mut(&mut new))
        && m.get("deletionGracePeriodSeconds").is_none_or(Value::is_null)
    {
        m.insert("deletionGracePeriodSeconds".into(), v.clone());
    }
    if let Some(m) = meta_mut(&mut new) {
        m.remove("managedFields");
    }
    bump_generation(def, old, &mut new);
    if def.is_secret() {
        let old_secret = decode_secret(old)?;
        let secret = decode_secret(&new)?;
        let errors = validate::validate_update_causes(&old_secret, &secret);
        if !errors.is_empty() {
            return Err(ApiError::invalid(def.group, def.kind, secret.name(), &errors));
        }
        let warnings = server_warnings(&secret);
        return Ok((encode_secret(&secret), warnings));
    }
    if new.get("status").is_none()
        && let (Some(s), Some(o)) = (old.get("status"), new.as_object_mut())
    {
        o.insert("status".into(), s.clone());
    }
    let mut errors = validate_generic(def, &new);
    errors.extend(crate::kinds::validate(def, &new));
    errors.extend(crate::rbac::kinds::validate_update(def, old, &new));
    errors.extend(no_new_finalizers(old, &new));
    if !errors.is_empty() {
        return Err(ApiError::invalid(def.group, def.kind, &meta(&new, "name"), &errors));
    }
    Ok((new, Vec::new()))
}

/// The strategies' `PrepareForUpdate`: a change of the spec is a new generation, which the
/// kind's controller acknowledges in `status.observedGeneration` (`kubectl rollout status`
/// waits for that). For Deployments a change of the annotations is one too, because they are
/// copied to the ReplicaSets (`registry/apps/deployment/strategy.go`); for ReplicaSets,
/// StatefulSets, DaemonSets, Jobs, CronJobs and CustomResourceDefinitions the spec alone
/// (`registry/apps/*/strategy.go`, `registry/batch/*/strategy.go`, apiextensions'
/// `strategy.go`). `new` carries the stored generation already.
pub fn bump_generation(def: &ResourceDef, old: &Value, new: &mut Value) {
    if def.custom.is_some() {
        return;
    }
    // Go's semantic equality: an absent, null or empty map is the same.
    let map_at = |v: &Value, p: &str| v.pointer(p).filter(|m| m.as_object().is_some_and(|m| !m.is_empty())).cloned();
    let changed = match def.plural {
        "deployments" => {
            old.get("spec") != new.get("spec")
                || map_at(old, "/metadata/annotations") != map_at(new, "/metadata/annotations")
        }
        "replicasets" | "statefulsets" | "daemonsets" | "jobs" | "cronjobs" | "customresourcedefinitions" => {
            old.get("spec") != new.get("spec")
        }
        _ => false,
    };
    let Some(generation) = old.pointer("/metadata/generation").and_then(Value::as_i64) else { return };
    if changed && let Some(m) = meta_mut(new) {
        m.insert("generation".into(), json!(generation + 1));
    }
}

fn finalizers(obj: &Value) -> Vec<String> {
    obj.pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .map(|l| l.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default()
}

/// Whether the object waits for finalizers before it can go.
pub fn has_finalizers(obj: &Value) -> bool {
    !finalizers(obj).is_empty()
}

fn deleting(obj: &Value) -> bool {
    obj.pointer("/metadata/deletionTimestamp").is_some_and(|t| !t.is_null())
}

/// `ValidateObjectMetaAccessorUpdate`'s finalizer rule (apimachinery
/// `api/validation/objectmeta.go`), for the kinds other than Secret (whose validator has it):
/// no new finalizers once the object is being deleted.
fn no_new_finalizers(old: &Value, new: &Value) -> Vec<FieldError> {
    if !deleting(old) {
        return Vec::new();
    }
    // Only the fields of this rule: nothing else of ObjectMeta can make it fail.
    let parse = |v: &Value| {
        let m = json!({"finalizers": finalizers(v), "deletionTimestamp": v.pointer("/metadata/deletionTimestamp")});
        serde_json::from_value::<k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta>(m).unwrap_or_default()
    };
    validate::meta::object_meta_update(&parse(new), &parse(old))
        .into_iter()
        .filter(|e| e.field == "metadata.finalizers")
        .collect()
}

/// `markAsDeleting` (apiserver `registry/generic/registry/store.go`), for a delete that
/// finalizers hold: `deletionTimestamp` now unless one is already set and earlier,
/// `deletionGracePeriodSeconds` 0, and the generation bumped the first time.
pub fn mark_deleting(obj: &mut Value, now: Timestamp) {
    let Some(m) = meta_mut(obj) else { return };
    let existing = m.get("deletionTimestamp").and_then(Value::as_str).and_then(|t| t.parse::<Timestamp>().ok());
    if existing.is_none()
        && let Some(g) = m.get("generation").and_then(Value::as_i64).filter(|g| *g > 0)
    {
        m.insert("generation".into(), json!(g + 1));
    }
    if existing.is_none_or(|t| t > now) {
        m.insert("deletionTimestamp".into(), json!(rfc3339(now)));
    }
    m.insert("deletionGracePeriodSeconds".into(), json!(0));
}

/// `shouldDeleteDuringUpdate` (apiserver `registry/generic/registry/store.go`): an update that
/// removes the last finalizer of an object being deleted (with no grace period left) deletes it.
pub fn finalized(old: &Value, new: &Value) -> bool {
    deleting(old)
        && !has_finalizers(new)
        && old.pointer("/metadata/deletionGracePeriodSeconds").and_then(Value::as_i64).is_none_or(|g| g == 0)
}

/// The `Warning` headers kube-apiserver adds for Secrets: only the TLS key-pair check.
fn server_warnings(secret: &Secret) -> Vec<String> {
    if secret.effective_type() != keyhole_core::secret::types::TLS {
        return Vec::new();
    }
    let (Some(crt), Some(key)) = (secret.get("tls.crt"), secret.get("tls.key")) else {
        return Vec::new();
    };
    keyhole_core::secret::views::go_x509_key_pair_error(crt, key).into_iter().collect()
}

/// Equal apart from resourceVersion and the times of managedFields: an update that changes
/// nothing is not written (`IgnoreManagedFieldsTimestampsTransformer`, apiserver
/// `endpoints/handlers/fieldmanager/equality.go`, then the store's no-op check).
pub fn same_content(a: &Value, b: &Value) -> bool {
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
            m.remove("resourceVersion");
            if let Some(Value::Array(entries)) = m.get_mut("managedFields") {
                for e in entries.iter_mut().filter_map(Value::as_object_mut) {
                    e.remove("time");
                }
            }
        }
        v
    };
    strip(a) == strip(b)
}

/// Takes `metadata.managedFields` out of a request's object: `None` when absent or null (Go's
/// nil slice), else the list as sent, for the field manager to judge.
pub fn take_managed_fields(obj: &mut Value) -> Option<Value> {
    let m = obj.get_mut("metadata").and_then(Value::as_object_mut)?;
    m.shift_remove("managedFields").filter(|v| !v.is_null())
}

/// Sets `metadata.managedFields` (removes it for `None`), after the other metadata fields, where
/// Go's `ObjectMeta` puts it.
pub fn set_managed_fields(obj: &mut Value, managed_fields: Option<Value>) {
    if let Some(m) = meta_mut(obj) {
        m.shift_remove("managedFields");
        if let Some(mf) = managed_fields {
            m.insert("managedFields".into(), mf);
        }
    }
}

/// A request's object as the field manager compares it: decoded as the API server decodes it
/// (a Secret's `stringData` merged into `data`, `type` defaulted; a Namespace's name label),
/// before the store adds system fields, the status and what admission sets.
pub fn decoded_form(def: &ResourceDef, obj: &Value) -> Value {
    if def.is_secret() {
        return decode_secret(obj).map(|s| encode_secret(&s)).unwrap_or_else(|_| obj.clone());
    }
    let mut out = obj.clone();
    if def.plural == "namespaces" {
        let name = meta(&out, "name");
        if let Some(Value::Object(l)) = meta_mut(&mut out).map(|m| m.entry("labels").or_insert_with(|| json!({}))) {
            l.insert("kubernetes.io/metadata.name".into(), json!(name));
        }
    }
    out
}

/// The writer of a status the embedded cluster fills in itself (a running Pod's, a ready
/// Deployment's): an entry of the kubelet or of kube-controller-manager through the `status`
/// subresource, as those write it, at the time the status says it was written.
pub fn record_status_writer(def: &ResourceDef, obj: &mut Value, created: Timestamp) {
    let (manager, before, at) = match def.kind {
        "Pod" => {
            let qos = obj.pointer("/status/qosClass").cloned().unwrap_or(Value::Null);
            // What the API server and the scheduler left before the kubelet's write.
            let before = json!({"phase": "Pending", "qosClass": qos});
            ("kubelet", before, crate::kubelet::status_time(obj, created))
        }
        "Deployment" | "ReplicaSet" => {
            ("kube-controller-manager", json!({}), created + jiff::SignedDuration::from_secs(1))
        }
        _ => return,
    };
    let Some(status) = obj.get("status") else { return };
    let entry = crate::managed::status_entry(&def.group_version(), manager, &rfc3339(at), &before, status);
    // Its time is after every other entry's (they made the object): it sorts last.
    if let Some(m) = meta_mut(obj) {
        match m.get_mut("managedFields") {
            Some(Value::Array(list)) => list.push(entry),
            _ => {
                m.insert("managedFields".into(), json!([entry]));
            }
        }
    }
}

/// `ValidateManagedFields` on what the field manager made: only what a request can put there
/// and decoding accepts gets here (a manager name too long or not printable, a subresource too
/// long); a 422 for the object's kind.
pub fn check_managed_fields(def: &ResourceDef, obj: &Value) -> Result<(), ApiError> {
    let Some(entries) = obj.pointer("/metadata/managedFields").and_then(Value::as_array) else { return Ok(()) };
    let s = |e: &Value, f: &str| e.get(f).and_then(Value::as_str).map(str::to_string);
    let list = entries
        .iter()
        .map(|e| k8s_openapi::apimachinery::pkg::apis::meta::v1::ManagedFieldsEntry {
            manager: s(e, "manager"),
            operation: s(e, "operation"),
            fields_type: s(e, "fieldsType"),
            subresource: s(e, "subresource"),
            ..Default::default()
        })
        .collect();
    let m =
        k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta { managed_fields: Some(list), ..Default::default() };
    let errors = validate::meta::managed_fields(&m);
    if errors.is_empty() { Ok(()) } else { Err(ApiError::invalid(def.group, def.kind, &meta(obj, "name"), &errors)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_names_follow_the_server() {
        let n = generate_name("web-");
        assert!(n.starts_with("web-") && n.len() == 9, "{n}");
        let long = "a".repeat(80);
        assert_eq!(generate_name(&long).len(), 63);
    }

    #[test]
    fn dns_names() {
        assert!(is_dns1123_subdomain("a.b-c"));
        assert!(!is_dns1123_subdomain("A"));
        assert!(!is_dns1123_label("a.b"));
    }

    #[test]
    fn unknown_fields_are_named_in_document_order_and_removed() {
        let secrets = crate::resources::secrets();
        let mut obj = json!({"apiVersion": "v1", "foo": 1, "kind": "Secret",
            "metadata": {"name": "a", "labelz": {}, "ownerReferences": [{"uid": "u", "nam": "x"}]},
            "stringData": {"k": "v"}, "type": "Opaque"});
        assert_eq!(
            take_unknown_fields(secrets, &mut obj),
            [
                "unknown field \"foo\"",
                "unknown field \"metadata.labelz\"",
                "unknown field \"metadata.ownerReferences[0].nam\""
            ]
        );
        assert_eq!(
            obj,
            json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "a", "ownerReferences": [{"uid": "u"}]},
                   "stringData": {"k": "v"}, "type": "Opaque"})
        );
        let pods = crate::resources::find("", "v1", "pods").unwrap();
        let mut pod = json!({"metadata": {"name": "p"}, "spec": {"anything": 1}, "data": {}});
        assert_eq!(take_unknown_fields(pods, &mut pod), ["unknown field \"data\""]);
    }

    /// These run after `check_type` refused non-objects, but must not rely on it: none panics on
    /// JSON of another shape (they indexed into it before).
    #[test]
    fn object_helpers_never_panic_on_other_json() {
        let find = |plural| crate::resources::RESOURCES.iter().find(|r| r.plural == plural).expect("served");
        let (secrets, pods, namespaces) = (find("secrets"), find("pods"), find("namespaces"));
        let stored = json!({"metadata": {"name": "p", "uid": "u"}, "status": {"phase": "Running"}});
        for v in [json!(5), json!("x"), json!([1]), json!(true), json!(null), json!({"metadata": 5})] {
            let _ = check_namespace(secrets, &mut v.clone(), Some("default"));
            let _ = check_namespace(namespaces, &mut v.clone(), None);
            let _ = prepare_create(pods, &mut v.clone(), Timestamp::UNIX_EPOCH);
            apply_defaults(namespaces, &mut v.clone());
            apply_defaults(pods, &mut v.clone());
            let _ = validate_update(pods, &stored, v.clone());
        }
    }

    #[test]
    fn secret_type_defaults_to_opaque_and_string_data_disappears() {
        let s = decode_secret(&json!({"metadata": {"name": "a"}, "stringData": {"k": "v"}})).unwrap();
        let out = encode_secret(&s);
        assert_eq!(out["type"], "Opaque");
        assert_eq!(out["data"]["k"], "dg==");
        assert!(out.get("stringData").is_none());
    }
}
