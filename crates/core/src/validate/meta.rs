//! `metadata` rules: `ValidateObjectMetaAccessor` and `ValidateObjectMetaAccessorUpdate` of
//! `k8s.io/apimachinery/pkg/api/validation/objectmeta.go`, plus the finalizer check that
//! `pkg/apis/core/validation` adds (facts §1.3, §2). Go iterates label and annotation maps in
//! random order; here they are visited sorted by key.

use std::collections::BTreeSet;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference, Time};

use super::FieldError;
use super::names::{self, go_json_string};

/// `TotalAnnotationSizeLimitB`: 256 KiB over all keys and values.
pub const TOTAL_ANNOTATION_SIZE_LIMIT: usize = 256 * (1 << 10);
const FIELD_MANAGER_MAX_LENGTH: usize = 128;
const MAX_SUBRESOURCE_NAME_LENGTH: usize = 256;
/// `FieldImmutableErrorMsg`.
pub const FIELD_IMMUTABLE: &str = "field is immutable";

/// Which name function the caller passes to `ValidateObjectMetaAccessor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameRule {
    /// `ValidateSecretName` = `NameIsDNSSubdomain` (the strategy's `ValidateSecret`).
    DnsSubdomain,
    /// `path.ValidatePathSegmentName` (the generic check in `rest.BeforeCreate`/`BeforeUpdate`).
    PathSegment,
}

impl NameRule {
    fn check(self, name: &str, prefix: bool) -> Vec<String> {
        match self {
            NameRule::DnsSubdomain => names::name_is_dns_subdomain(name, prefix),
            NameRule::PathSegment => names::path_segment_name(name, prefix),
        }
    }
}

/// `TooLong(path, _, max)` as of Kubernetes 1.32+: `Too long: may not be more than N bytes`.
pub fn too_long(path: &str, max: usize) -> FieldError {
    let unit = if max == 1 { "byte" } else { "bytes" };
    FieldError::too_long(path, &format!("may not be more than {max} {unit}"))
}

/// `ValidateObjectMetaAccessor(meta, namespaced=true, nameFn, "metadata")`.
pub fn object_meta(meta: &ObjectMeta, rule: NameRule) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let generate_name = meta.generate_name.as_deref().unwrap_or("");
    if !generate_name.is_empty() {
        for msg in rule.check(generate_name, true) {
            errs.push(FieldError::invalid("metadata.generateName", generate_name, &msg));
        }
    }
    let name = meta.name.as_deref().unwrap_or("");
    if name.is_empty() {
        errs.push(FieldError::required("metadata.name", "name or generateName is required"));
    } else {
        for msg in rule.check(name, false) {
            errs.push(FieldError::invalid("metadata.name", name, &msg));
        }
    }
    let namespace = meta.namespace.as_deref().unwrap_or("");
    if namespace.is_empty() {
        errs.push(FieldError::required("metadata.namespace", ""));
    } else {
        for msg in names::name_is_dns_label(namespace) {
            errs.push(FieldError::invalid("metadata.namespace", namespace, &msg));
        }
    }
    let generation = meta.generation.unwrap_or(0);
    if generation < 0 {
        errs.push(FieldError::invalid_plain(
            "metadata.generation",
            &generation.to_string(),
            "must be greater than or equal to 0",
        ));
    }
    errs.extend(labels(meta));
    errs.extend(annotations(meta));
    errs.extend(owner_references(meta));
    errs.extend(finalizers(meta));
    errs.extend(managed_fields(meta));
    errs
}

/// `ValidateLabels`: keys are qualified names, values label values; the path is not keyed.
pub fn labels(meta: &ObjectMeta) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (k, v) in meta.labels.iter().flatten() {
        for msg in names::is_qualified_name(k) {
            errs.push(FieldError::invalid("metadata.labels", k, &msg));
        }
        for msg in names::is_label_value(v) {
            errs.push(FieldError::invalid("metadata.labels", v, &msg));
        }
    }
    errs
}

/// Go's `strings.ToLower`: one rune for one rune (`İ` becomes `i`, not `i̇` as in Rust).
fn go_to_lower(s: &str) -> String {
    s.chars().map(|c| c.to_lowercase().next().unwrap_or(c)).collect()
}

/// `ValidateAnnotations`: keys are qualified names once lower-cased; the total size of keys and
/// values is at most 256 KiB.
pub fn annotations(meta: &ObjectMeta) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let Some(annotations) = &meta.annotations else {
        return errs;
    };
    for k in annotations.keys() {
        for msg in names::is_qualified_name(&go_to_lower(k)) {
            errs.push(FieldError::invalid("metadata.annotations", k, &msg));
        }
    }
    let total: usize = annotations.iter().map(|(k, v)| k.len() + v.len()).sum();
    if total > TOTAL_ANNOTATION_SIZE_LIMIT {
        errs.push(too_long("metadata.annotations", TOTAL_ANNOTATION_SIZE_LIMIT));
    }
    errs
}

/// An owner reference as Go's `json.Marshal` writes it (field order of the Go struct).
fn owner_reference_json(r: &OwnerReference) -> String {
    let mut s = format!(
        "{{\"apiVersion\":{},\"kind\":{},\"name\":{},\"uid\":{}",
        go_json_string(&r.api_version),
        go_json_string(&r.kind),
        go_json_string(&r.name),
        go_json_string(&r.uid)
    );
    if let Some(c) = r.controller {
        s.push_str(&format!(",\"controller\":{c}"));
    }
    if let Some(b) = r.block_owner_deletion {
        s.push_str(&format!(",\"blockOwnerDeletion\":{b}"));
    }
    s.push('}');
    s
}

/// `schema.ParseGroupVersion` as used by `FromAPIVersionAndKind`: (group, version), both empty
/// when the string has more than one `/`.
fn parse_group_version(api_version: &str) -> (&str, &str) {
    if api_version.is_empty() || api_version == "/" {
        return ("", "");
    }
    match api_version.matches('/').count() {
        0 => ("", api_version),
        1 => api_version.split_once('/').unwrap_or(("", "")),
        _ => ("", ""),
    }
}

/// `ValidateOwnerReferences`: required fields, no `v1/Event` owner, one controller at most. The
/// field paths are not indexed (`metadata.ownerReferences.uid`), as upstream.
pub fn owner_references(meta: &ObjectMeta) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let Some(refs) = &meta.owner_references else {
        return errs;
    };
    let path = "metadata.ownerReferences";
    let mut first_controller: Option<String> = None;
    for r in refs {
        let (group, version) = parse_group_version(&r.api_version);
        if version.is_empty() {
            errs.push(FieldError::invalid(format!("{path}.apiVersion"), &r.api_version, "version must not be empty"));
        }
        if r.kind.is_empty() {
            errs.push(FieldError::invalid(format!("{path}.kind"), &r.kind, "must not be empty"));
        }
        if r.name.is_empty() {
            errs.push(FieldError::invalid(format!("{path}.name"), &r.name, "must not be empty"));
        }
        if r.uid.is_empty() {
            errs.push(FieldError::invalid_plain(format!("{path}.uid"), &go_json_string(&r.uid), "must not be empty"));
        }
        if group.is_empty() && version == "v1" && r.kind == "Event" {
            errs.push(FieldError::invalid_plain(
                path,
                &owner_reference_json(r),
                &format!("{group}/{version}, Kind={} is disallowed from being an owner", r.kind),
            ));
        }
        if r.controller == Some(true) {
            let current = format!("{}/{}", r.kind, r.name);
            match &first_controller {
                Some(first) => {
                    let all: Vec<String> = refs.iter().map(owner_reference_json).collect();
                    errs.push(FieldError::invalid_plain(
                        path,
                        &format!("[{}]", all.join(",")),
                        &format!(
                            "Only one reference can have Controller set to true. Found \"true\" in references for {first} and {current}"
                        ),
                    ));
                }
                None => first_controller = Some(current),
            }
        }
    }
    errs
}

fn json_string_list(items: &[String]) -> String {
    format!("[{}]", items.iter().map(|s| go_json_string(s)).collect::<Vec<_>>().join(","))
}

/// `ValidateFinalizers` (apimachinery): qualified names, and not both `orphan` and
/// `foregroundDeletion`. The path is not indexed.
pub fn finalizers(meta: &ObjectMeta) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let Some(list) = &meta.finalizers else {
        return errs;
    };
    for f in list {
        for msg in names::is_qualified_name(f) {
            errs.push(FieldError::invalid("metadata.finalizers", f, &msg));
        }
    }
    if list.iter().any(|f| f == "orphan") && list.iter().any(|f| f == "foregroundDeletion") {
        errs.push(FieldError::invalid_plain(
            "metadata.finalizers",
            &json_string_list(list),
            "finalizer orphan and foregroundDeletion cannot be both set",
        ));
    }
    errs
}

/// `validateKubeFinalizerName` (core): a name without `/` must be a standard finalizer.
pub fn kube_finalizer_names(meta: &ObjectMeta) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (i, f) in meta.finalizers.iter().flatten().enumerate() {
        if !f.contains('/') && !matches!(f.as_str(), "kubernetes" | "orphan" | "foregroundDeletion") {
            errs.push(FieldError::invalid(
                format!("metadata.finalizers[{i}]"),
                f,
                "name is neither a standard finalizer name nor is it fully qualified",
            ));
        }
    }
    errs
}

/// `ValidateManagedFields`.
pub fn managed_fields(meta: &ObjectMeta) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (i, entry) in meta.managed_fields.iter().flatten().enumerate() {
        let path = format!("metadata.managedFields[{i}]");
        let op = entry.operation.as_deref().unwrap_or("");
        if op != "Apply" && op != "Update" {
            errs.push(FieldError::invalid_plain(
                format!("{path}.operation"),
                &go_json_string(op),
                "must be `Apply` or `Update`",
            ));
        }
        let fields_type = entry.fields_type.as_deref().unwrap_or("");
        if !fields_type.is_empty() && fields_type != "FieldsV1" {
            errs.push(FieldError::invalid(format!("{path}.fieldsType"), fields_type, "must be `FieldsV1`"));
        }
        let manager = entry.manager.as_deref().unwrap_or("");
        if manager.len() > FIELD_MANAGER_MAX_LENGTH {
            errs.push(too_long(&format!("{path}.manager"), FIELD_MANAGER_MAX_LENGTH));
        }
        for (pos, c) in manager.char_indices() {
            if !names::go_is_print(c) {
                errs.push(FieldError::invalid(
                    format!("{path}.manager"),
                    manager,
                    &format!("invalid character U+{:04X} (at position {pos})", c as u32),
                ));
            }
        }
        if entry.subresource.as_deref().unwrap_or("").len() > MAX_SUBRESOURCE_NAME_LENGTH {
            errs.push(too_long(&format!("{path}.subresource"), MAX_SUBRESOURCE_NAME_LENGTH));
        }
    }
    errs
}

/// Go's `time.Time.String()` for a UTC instant, which is how a `metav1.Time` bad value prints.
fn go_time_string(t: Option<&Time>) -> String {
    match t {
        None => "0001-01-01 00:00:00 +0000 UTC".to_string(),
        Some(t) => {
            let ts = t.0;
            let mut s = ts.strftime("%Y-%m-%d %H:%M:%S").to_string();
            let nanos = ts.subsec_nanosecond();
            if nanos != 0 {
                let frac = format!("{:09}", nanos.unsigned_abs());
                s.push('.');
                s.push_str(frac.trim_end_matches('0'));
            }
            s.push_str(" +0000 UTC");
            s
        }
    }
}

/// `ValidateObjectMetaAccessorUpdate(new, old, "metadata")`. The `resourceVersion` rule
/// (`must be specified for an update`) is left out: Secrets allow unconditional updates, and
/// `rest.BeforeUpdate` fills in the current resourceVersion before validation.
pub fn object_meta_update(new: &ObjectMeta, old: &ObjectMeta) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if old.deletion_timestamp.is_some() {
        let old_set: BTreeSet<&String> = old.finalizers.iter().flatten().collect();
        let extra: BTreeSet<&String> = new.finalizers.iter().flatten().filter(|f| !old_set.contains(f)).collect();
        if !extra.is_empty() {
            let list: Vec<String> = extra.iter().map(|f| names::go_quote(f)).collect();
            errs.push(FieldError::forbidden(
                "metadata.finalizers",
                &format!(
                    "no new finalizers can be added if the object is being deleted, found new finalizers []string{{{}}}",
                    list.join(", ")
                ),
            ));
        }
    }
    let (new_gen, old_gen) = (new.generation.unwrap_or(0), old.generation.unwrap_or(0));
    if new_gen < old_gen {
        errs.push(FieldError::invalid_plain("metadata.generation", &new_gen.to_string(), "must not be decremented"));
    }
    let new_name = new.name.as_deref().unwrap_or("");
    if new_name != old.name.as_deref().unwrap_or("") {
        errs.push(FieldError::invalid("metadata.name", new_name, FIELD_IMMUTABLE));
    }
    let new_ns = new.namespace.as_deref().unwrap_or("");
    if new_ns != old.namespace.as_deref().unwrap_or("") {
        errs.push(FieldError::invalid("metadata.namespace", new_ns, FIELD_IMMUTABLE));
    }
    let new_uid = new.uid.as_deref().unwrap_or("");
    if new_uid != old.uid.as_deref().unwrap_or("") {
        errs.push(FieldError::invalid_plain("metadata.uid", &go_json_string(new_uid), FIELD_IMMUTABLE));
    }
    if new.creation_timestamp.as_ref().map(|t| t.0) != old.creation_timestamp.as_ref().map(|t| t.0) {
        errs.push(FieldError::invalid_plain(
            "metadata.creationTimestamp",
            &go_time_string(new.creation_timestamp.as_ref()),
            FIELD_IMMUTABLE,
        ));
    }
    if new.deletion_timestamp.as_ref().map(|t| t.0) != old.deletion_timestamp.as_ref().map(|t| t.0) {
        let shown = match &new.deletion_timestamp {
            None => "null".to_string(),
            Some(t) => go_time_string(Some(t)),
        };
        errs.push(FieldError::invalid_plain("metadata.deletionTimestamp", &shown, FIELD_IMMUTABLE));
    }
    if new.deletion_grace_period_seconds != old.deletion_grace_period_seconds {
        let shown = new.deletion_grace_period_seconds.map_or_else(|| "null".to_string(), |s| s.to_string());
        errs.push(FieldError::invalid_plain("metadata.deletionGracePeriodSeconds", &shown, FIELD_IMMUTABLE));
    }
    errs.extend(labels(new));
    errs.extend(annotations(new));
    errs.extend(owner_references(new));
    errs.extend(managed_fields(new));
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::Reason;
    use std::collections::BTreeMap;

    fn meta(name: &str, namespace: &str) -> ObjectMeta {
        ObjectMeta { name: Some(name.into()), namespace: Some(namespace.into()), ..ObjectMeta::default() }
    }

    fn one(errs: Vec<FieldError>) -> FieldError {
        assert_eq!(errs.len(), 1, "{errs:#?}");
        errs.into_iter().next().unwrap()
    }

    #[test]
    fn a_plain_meta_is_valid() {
        assert!(object_meta(&meta("mysecret", "default"), NameRule::DnsSubdomain).is_empty());
    }

    #[test]
    fn name_is_required() {
        let e = one(object_meta(&meta("", "default"), NameRule::DnsSubdomain));
        assert_eq!(e.field, "metadata.name");
        assert_eq!(e.reason, Reason::FieldValueRequired);
        assert_eq!(e.message, "Required value: name or generateName is required");
    }

    #[test]
    fn name_must_be_a_dns_subdomain_of_at_most_253() {
        let e = one(object_meta(&meta("My_Secret", "default"), NameRule::DnsSubdomain));
        assert_eq!(e.field, "metadata.name");
        assert_eq!(e.reason, Reason::FieldValueInvalid);
        assert!(e.message.starts_with("Invalid value: \"My_Secret\": a lowercase RFC 1123 subdomain must consist of"));
        let long = "a".repeat(254);
        let e = one(object_meta(&meta(&long, "default"), NameRule::DnsSubdomain));
        assert_eq!(e.message, format!("Invalid value: \"{long}\": must be no more than 253 characters"));
        assert!(object_meta(&meta(&"a".repeat(253), "default"), NameRule::DnsSubdomain).is_empty());
    }

    #[test]
    fn generate_name_is_checked_as_a_prefix() {
        let mut m = meta("web-xk2v9", "default");
        m.generate_name = Some("web-".into());
        assert!(object_meta(&m, NameRule::DnsSubdomain).is_empty());
        m.generate_name = Some("Web-".into());
        let e = one(object_meta(&m, NameRule::DnsSubdomain));
        assert_eq!(e.field, "metadata.generateName");
        assert!(e.message.starts_with("Invalid value: \"Web-\": a lowercase RFC 1123 subdomain"), "{}", e.message);
    }

    #[test]
    fn path_segment_rule_catches_slashes() {
        let errs = object_meta(&meta("a/b", "default"), NameRule::PathSegment);
        let e = one(errs);
        assert_eq!(
            (e.field.as_str(), e.message.as_str()),
            ("metadata.name", "Invalid value: \"a/b\": may not contain '/'")
        );
    }

    #[test]
    fn namespace_is_required_and_a_dns_label() {
        let e = one(object_meta(&meta("s", ""), NameRule::DnsSubdomain));
        assert_eq!(
            (e.field.as_str(), e.reason, e.message.as_str()),
            ("metadata.namespace", Reason::FieldValueRequired, "Required value")
        );
        let e = one(object_meta(&meta("s", "team.a"), NameRule::DnsSubdomain));
        assert_eq!(
            (e.field.as_str(), e.message.as_str()),
            ("metadata.namespace", "Invalid value: \"team.a\": must not contain dots")
        );
        assert!(object_meta(&meta("s", "kube-system"), NameRule::DnsSubdomain).is_empty());
    }

    #[test]
    fn generation_is_not_negative() {
        let mut m = meta("s", "default");
        m.generation = Some(-1);
        let e = one(object_meta(&m, NameRule::DnsSubdomain));
        assert_eq!(
            (e.field.as_str(), e.message.as_str()),
            ("metadata.generation", "Invalid value: -1: must be greater than or equal to 0")
        );
        m.generation = Some(0);
        assert!(object_meta(&m, NameRule::DnsSubdomain).is_empty());
    }

    #[test]
    fn labels_use_the_1_35_byte_texts() {
        let mut m = meta("s", "default");
        m.labels = Some(BTreeMap::from([("app.kubernetes.io/name".into(), "web".into())]));
        assert!(labels(&m).is_empty());
        m.labels = Some(BTreeMap::from([("app".into(), "x".repeat(64))]));
        let e = one(labels(&m));
        assert_eq!(e.field, "metadata.labels");
        assert_eq!(e.message, format!("Invalid value: \"{}\": must be no more than 63 bytes", "x".repeat(64)));
        m.labels = Some(BTreeMap::from([("bad key".into(), "ok".into())]));
        let e = one(labels(&m));
        assert_eq!(
            e.message,
            "Invalid value: \"bad key\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
        );
    }

    #[test]
    fn annotation_keys_are_lowercased_and_the_total_is_limited() {
        let mut m = meta("s", "default");
        m.annotations = Some(BTreeMap::from([("Example.COM/Key".into(), "v".into())]));
        assert!(annotations(&m).is_empty());
        m.annotations = Some(BTreeMap::from([("a b".into(), "v".into())]));
        let e = one(annotations(&m));
        assert_eq!(e.field, "metadata.annotations");
        assert!(e.message.starts_with("Invalid value: \"a b\": name part must consist"));
        m.annotations = Some(BTreeMap::from([("k".into(), "v".repeat(TOTAL_ANNOTATION_SIZE_LIMIT - 1))]));
        assert!(annotations(&m).is_empty());
        m.annotations = Some(BTreeMap::from([("k".into(), "v".repeat(TOTAL_ANNOTATION_SIZE_LIMIT))]));
        let e = one(annotations(&m));
        assert_eq!((e.field.as_str(), e.reason), ("metadata.annotations", Reason::FieldValueTooLong));
        assert_eq!(e.message, "Too long: may not be more than 262144 bytes");
    }

    fn owner(kind: &str, name: &str, controller: Option<bool>) -> OwnerReference {
        OwnerReference {
            api_version: "apps/v1".into(),
            kind: kind.into(),
            name: name.into(),
            uid: "u-1".into(),
            controller,
            block_owner_deletion: None,
        }
    }

    #[test]
    fn owner_references_need_their_fields() {
        let mut m = meta("s", "default");
        m.owner_references = Some(vec![owner("Deployment", "web", Some(true))]);
        assert!(owner_references(&m).is_empty());
        m.owner_references = Some(vec![OwnerReference::default()]);
        let errs = owner_references(&m);
        let got: Vec<(&str, &str)> = errs.iter().map(|e| (e.field.as_str(), e.message.as_str())).collect();
        assert_eq!(
            got,
            vec![
                ("metadata.ownerReferences.apiVersion", "Invalid value: \"\": version must not be empty"),
                ("metadata.ownerReferences.kind", "Invalid value: \"\": must not be empty"),
                ("metadata.ownerReferences.name", "Invalid value: \"\": must not be empty"),
                ("metadata.ownerReferences.uid", "Invalid value: \"\": must not be empty"),
            ]
        );
    }

    #[test]
    fn at_most_one_controller_and_no_event_owner() {
        let mut m = meta("s", "default");
        m.owner_references = Some(vec![owner("Deployment", "a", Some(true)), owner("StatefulSet", "b", Some(true))]);
        let e = one(owner_references(&m));
        assert_eq!(e.field, "metadata.ownerReferences");
        assert_eq!(
            e.message,
            "Invalid value: [{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"name\":\"a\",\"uid\":\"u-1\",\"controller\":true},{\"apiVersion\":\"apps/v1\",\"kind\":\"StatefulSet\",\"name\":\"b\",\"uid\":\"u-1\",\"controller\":true}]: Only one reference can have Controller set to true. Found \"true\" in references for Deployment/a and StatefulSet/b"
        );
        let mut ev = owner("Event", "e", None);
        ev.api_version = "v1".into();
        m.owner_references = Some(vec![ev]);
        let e = one(owner_references(&m));
        assert_eq!(
            e.message,
            "Invalid value: {\"apiVersion\":\"v1\",\"kind\":\"Event\",\"name\":\"e\",\"uid\":\"u-1\"}: /v1, Kind=Event is disallowed from being an owner"
        );
    }

    #[test]
    fn finalizers_are_qualified_or_standard() {
        let mut m = meta("s", "default");
        m.finalizers = Some(vec!["kubernetes".into(), "example.com/cleanup".into()]);
        assert!(finalizers(&m).is_empty());
        assert!(kube_finalizer_names(&m).is_empty());
        m.finalizers = Some(vec!["cleanup".into()]);
        assert!(finalizers(&m).is_empty());
        let e = one(kube_finalizer_names(&m));
        assert_eq!(e.field, "metadata.finalizers[0]");
        assert_eq!(
            e.message,
            "Invalid value: \"cleanup\": name is neither a standard finalizer name nor is it fully qualified"
        );
        m.finalizers = Some(vec!["orphan".into(), "foregroundDeletion".into()]);
        let e = one(finalizers(&m));
        assert_eq!(
            e.message,
            "Invalid value: [\"orphan\",\"foregroundDeletion\"]: finalizer orphan and foregroundDeletion cannot be both set"
        );
    }

    #[test]
    fn managed_fields_operation() {
        use k8s_openapi::apimachinery::pkg::apis::meta::v1::ManagedFieldsEntry;
        let mut m = meta("s", "default");
        m.managed_fields = Some(vec![ManagedFieldsEntry { operation: Some("Apply".into()), ..Default::default() }]);
        assert!(managed_fields(&m).is_empty());
        m.managed_fields = Some(vec![ManagedFieldsEntry { operation: Some("Patch".into()), ..Default::default() }]);
        let e = one(managed_fields(&m));
        assert_eq!(e.field, "metadata.managedFields[0].operation");
        assert_eq!(e.message, "Invalid value: \"Patch\": must be `Apply` or `Update`");
    }

    #[test]
    fn update_keeps_identity_fields() {
        let old = meta("a", "default");
        assert!(object_meta_update(&old, &old).is_empty());
        let e = one(object_meta_update(&meta("b", "default"), &old));
        assert_eq!(
            (e.field.as_str(), e.message.as_str()),
            ("metadata.name", "Invalid value: \"b\": field is immutable")
        );
        let e = one(object_meta_update(&meta("a", "other"), &old));
        assert_eq!(
            (e.field.as_str(), e.message.as_str()),
            ("metadata.namespace", "Invalid value: \"other\": field is immutable")
        );
        let mut older = old.clone();
        older.generation = Some(3);
        let mut newer = old.clone();
        newer.generation = Some(2);
        let e = one(object_meta_update(&newer, &older));
        assert_eq!(e.message, "Invalid value: 2: must not be decremented");
        let mut created = old.clone();
        created.creation_timestamp = Some(Time("2016-01-22T18:41:56Z".parse().unwrap()));
        let e = one(object_meta_update(&created, &old));
        assert_eq!(e.message, "Invalid value: 2016-01-22 18:41:56 +0000 UTC: field is immutable");
    }

    #[test]
    fn no_new_finalizers_while_deleting() {
        let mut old = meta("a", "default");
        old.deletion_timestamp = Some(Time("2024-01-01T00:00:00Z".parse().unwrap()));
        old.finalizers = Some(vec!["kubernetes".into()]);
        let mut new = old.clone();
        assert!(object_meta_update(&new, &old).is_empty());
        new.finalizers = Some(vec!["kubernetes".into(), "b.io/x".into(), "a.io/y".into()]);
        let e = one(object_meta_update(&new, &old));
        assert_eq!((e.field.as_str(), e.reason), ("metadata.finalizers", Reason::FieldValueForbidden));
        assert_eq!(
            e.message,
            "Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\"a.io/y\", \"b.io/x\"}"
        );
    }
}
