//! Custom resources through a generic store, as apiextensions-apiserver serves them: every
//! served version of every CustomResourceDefinition in the store is a resource, found by
//! routing and listed by discovery (`/apis`, `/apis/<group>`, `/apis/<group>/<version>`). A
//! CRD that is not in the store is not installed: its group is absent from `/apis` and its
//! paths are 404s, as on a cluster without that operator.
//!
//! What is kept of apiextensions' behaviour: names, scope, served versions, the storage version,
//! `additionalPrinterColumns` for Table output (an `Age` column when a version declares none),
//! deprecated versions' `Warning` header, conversion strategy `None` (only `apiVersion` changes
//! between versions), and deleting a CRD deletes its objects. Not kept: schema validation and
//! pruning (objects are stored as sent), defaulting from schemas, subresources, webhooks.
//!
//! A resource is a `&'static ResourceDef`, as the built-in ones are; those of CRDs are made
//! once per distinct definition and kept for the life of the process (a few hundred bytes
//! each), so that a CRD changed or created again reuses what was made before.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Value, json};

use crate::jsonpath;
use crate::objects::meta;
use crate::resources::{self, GROUPS, RESOURCES, ResourceDef};
use crate::store::{Inner, Store};
use keyhole_core::validate::FieldError;

/// The store key of CustomResourceDefinitions.
pub const CRDS: &str = "customresourcedefinitions";

/// What a custom resource's definition adds to its `ResourceDef`.
#[derive(Debug)]
pub struct Custom {
    /// The CRD's name, `plural.group`: the store key of its objects, whatever the version.
    pub key: &'static str,
    /// The version objects are stored in (`storage: true`).
    pub storage_version: &'static str,
    /// `additionalPrinterColumns` of this version, `Age` when it declares none
    /// (`customresource_handler.go` serveDefaultColumnsIfEmpty).
    pub columns: Vec<Column>,
    /// The `Warning` a request to this version gets when the version is deprecated.
    pub deprecation: Option<String>,
}

/// One printer column.
#[derive(Debug)]
pub struct Column {
    pub name: String,
    pub type_: String,
    pub format: String,
    pub description: String,
    pub priority: i64,
    pub path: Option<jsonpath::Path>,
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

fn leak_list(items: &[String]) -> &'static [&'static str] {
    Box::leak(items.iter().map(|s| leak(s)).collect::<Vec<_>>().into_boxed_slice())
}

fn interned() -> &'static Mutex<HashMap<String, &'static ResourceDef>> {
    static DEFS: OnceLock<Mutex<HashMap<String, &'static ResourceDef>>> = OnceLock::new();
    DEFS.get_or_init(|| Mutex::new(HashMap::new()))
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default()
}

fn s<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// Whether a group belongs to the built-in API (a CRD cannot take it over here).
fn builtin_group(group: &str) -> bool {
    group.is_empty() || GROUPS.contains(&group)
}

/// The resources of one CRD: one per served version, in the order the CRD lists them.
pub fn defs_of(crd: &Value) -> Vec<&'static ResourceDef> {
    let spec = crd.get("spec").unwrap_or(&Value::Null);
    let (group, plural, kind) = (s(spec, "/group"), s(spec, "/names/plural"), s(spec, "/names/kind"));
    if builtin_group(group) || plural.is_empty() || kind.is_empty() {
        return Vec::new();
    }
    let versions = spec.get("versions").and_then(Value::as_array).cloned().unwrap_or_default();
    let storage = versions.iter().find(|v| v["storage"] == json!(true)).map_or("", |v| s(v, "/name"));
    let mut out = Vec::new();
    for v in versions.iter().filter(|v| v["served"] == json!(true)) {
        let version = s(v, "/name");
        if version.is_empty() {
            continue;
        }
        let deprecation =
            (v["deprecated"] == json!(true)).then(|| match v.get("deprecationWarning").and_then(Value::as_str) {
                Some(w) => w.to_string(),
                None => default_deprecation_warning(version, spec),
            });
        // Everything the resource is made of, so that a changed CRD makes a new one.
        let signature = json!({
            "name": meta(crd, "name"), "group": group, "version": version, "names": spec.get("names"),
            "scope": spec.get("scope"), "columns": v.get("additionalPrinterColumns"),
            "deprecation": deprecation, "storage": storage,
        })
        .to_string();
        let mut cache = interned().lock().unwrap_or_else(|p| p.into_inner());
        if let Some(def) = cache.get(&signature) {
            out.push(*def);
            continue;
        }
        let names = &spec["names"];
        let singular = match s(names, "/singular") {
            "" => kind.to_lowercase(),
            x => x.to_string(),
        };
        let custom = Custom {
            key: leak(&format!("{plural}.{group}")),
            storage_version: leak(storage),
            columns: columns(v.get("additionalPrinterColumns")),
            deprecation,
        };
        let def: &'static ResourceDef = Box::leak(Box::new(ResourceDef {
            group: leak(group),
            version: leak(version),
            plural: leak(plural),
            singular: leak(&singular),
            kind: leak(kind),
            namespaced: s(spec, "/scope") != "Cluster",
            short_names: leak_list(&strings(names.get("shortNames"))),
            categories: leak_list(&strings(names.get("categories"))),
            extra_fields: &[],
            stored: true,
            custom: Some(Box::leak(Box::new(custom))),
        }));
        cache.insert(signature, def);
        out.push(def);
    }
    out
}

fn columns(declared: Option<&Value>) -> Vec<Column> {
    let declared = declared.and_then(Value::as_array).cloned().unwrap_or_default();
    if declared.is_empty() {
        return vec![Column {
            name: "Age".into(),
            type_: "date".into(),
            format: String::new(),
            description: String::new(),
            priority: 0,
            path: jsonpath::Path::parse(".metadata.creationTimestamp").ok(),
        }];
    }
    declared
        .iter()
        .map(|c| {
            let path = s(c, "/jsonPath");
            let description = match s(c, "/description") {
                "" => format!("Custom resource definition column (in JSONPath format): {path}"),
                d => d.to_string(),
            };
            Column {
                name: s(c, "/name").to_string(),
                type_: s(c, "/type").to_string(),
                format: s(c, "/format").to_string(),
                description,
                priority: c.get("priority").and_then(Value::as_i64).unwrap_or(0),
                path: jsonpath::Path::parse(path).ok(),
            }
        })
        .collect()
}

/// `defaultDeprecationWarning` (apiextensions-apiserver `customresource_handler.go`):
/// `<group>/<version> <Kind> is deprecated`, naming the newest served version that is not.
fn default_deprecation_warning(version: &str, spec: &Value) -> String {
    let (group, kind) = (s(spec, "/group"), s(spec, "/names/kind"));
    let mut msg = format!("{group}/{version} {kind} is deprecated");
    let mut newer: Vec<&str> = spec
        .get("versions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|v| v["served"] == json!(true) && v["deprecated"] != json!(true))
        .map(|v| s(v, "/name"))
        .filter(|n| compare_versions(version, n) == std::cmp::Ordering::Greater)
        .collect();
    newer.sort_by(|a, b| compare_versions(a, b));
    if let Some(n) = newer.first() {
        msg.push_str(&format!("; use {group}/{n} {kind}"));
    }
    msg
}

/// `version.CompareKubeAwareVersionStrings`, as an ordering where the preferred version comes
/// first: GA before beta before alpha before anything else; higher major, then higher minor,
/// first; versions that are none of these in alphabetical order.
pub fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    fn rank(v: &str) -> (u8, u64, u64) {
        let Some(rest) = v.strip_prefix('v') else { return (3, 0, 0) };
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let Ok(major) = digits.parse::<u64>() else { return (3, 0, 0) };
        if digits.starts_with('0') {
            return (3, 0, 0);
        }
        let tail = &rest[digits.len()..];
        let (class, minor) = if tail.is_empty() {
            (0, String::new())
        } else if let Some(m) = tail.strip_prefix("beta") {
            (1, m.to_string())
        } else if let Some(m) = tail.strip_prefix("alpha") {
            (2, m.to_string())
        } else {
            return (3, 0, 0);
        };
        if class > 0 && (minor.is_empty() || minor.starts_with('0') || !minor.chars().all(|c| c.is_ascii_digit())) {
            return (3, 0, 0);
        }
        (class, major, minor.parse().unwrap_or(0))
    }
    let (ra, rb) = (rank(a), rank(b));
    ra.0.cmp(&rb.0)
        .then(rb.1.cmp(&ra.1))
        .then(rb.2.cmp(&ra.2))
        .then_with(|| if ra.0 == 3 { a.cmp(b) } else { std::cmp::Ordering::Equal })
}

/// Every custom resource served now, by group, preferred version first, then by name.
pub fn served(store: &Store) -> Vec<&'static ResourceDef> {
    served_in(&store.lock())
}

/// `served`, for a caller that holds the store's lock.
pub fn served_in(store: &Inner) -> Vec<&'static ResourceDef> {
    let crds: Vec<Arc<Value>> = store.iter(CRDS, None, None).map(|(_, v)| v.clone()).collect();
    let mut out: Vec<&'static ResourceDef> = crds.iter().flat_map(|c| defs_of(c)).collect();
    out.sort_by(|a, b| a.group.cmp(b.group).then(compare_versions(a.version, b.version)).then(a.plural.cmp(b.plural)));
    out
}

/// The custom resource a URL names, if its CRD is installed and serves that version.
pub fn find(store: &Store, group: &str, version: &str, plural: &str) -> Option<&'static ResourceDef> {
    if builtin_group(group) {
        return None;
    }
    let crd = store.lock().get(CRDS, "", &format!("{plural}.{group}")).cloned()?;
    defs_of(&crd).into_iter().find(|d| d.version == version && d.plural == plural)
}

/// The resource of an object, by its `apiVersion` and `kind`: a built-in kind, or a custom
/// resource whose CRD is installed. Without an `apiVersion`, the built-in kind of that name.
pub fn def_for_object(store: &Store, obj: &Value) -> Option<&'static ResourceDef> {
    let api_version = obj.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
    if api_version.is_empty() {
        return resources::by_kind(kind);
    }
    RESOURCES
        .iter()
        .find(|r| r.kind == kind && r.group_version() == api_version)
        .or_else(|| served(store).into_iter().find(|d| d.kind == kind && d.group_version() == api_version))
}

/// A stored custom resource as the requested version serves it: conversion strategy `None`
/// changes only `apiVersion` (`apiextensions-apiserver/pkg/apiserver/conversion/nop_converter.go`).
pub fn present(def: &ResourceDef, obj: Arc<Value>) -> Arc<Value> {
    if def.custom.is_none() {
        return obj;
    }
    let gv = def.group_version();
    if obj.get("apiVersion").and_then(Value::as_str) == Some(gv.as_str()) {
        return obj;
    }
    let mut converted = (*obj).clone();
    if let Some(m) = converted.as_object_mut() {
        m.insert("apiVersion".into(), json!(gv));
    }
    Arc::new(converted)
}

/// Deletes every object of a CRD, as the apiextensions finalizer does before the CRD goes
/// (`customresourcecleanup.apiextensions.k8s.io`); each gets its DELETED event.
pub fn remove_instances(store: &mut Inner, crd: &Value) {
    let Some(def) = defs_of(crd).into_iter().next() else { return };
    let key = def.key();
    let keys: Vec<(String, String)> = store.iter(key, None, None).map(|(k, _)| k.clone()).collect();
    for (ns, n) in keys {
        store.remove(key, &ns, &n);
    }
}

/// Removes the CRDs named in `without` (by CRD name, `certificates.cert-manager.io`, or by
/// group, `cert-manager.io`) and their objects: a cluster where that operator is not installed.
pub fn uninstall(store: &Store, without: &[String]) {
    if without.is_empty() {
        return;
    }
    let mut s = store.lock();
    let gone: Vec<Arc<Value>> = s
        .iter(CRDS, None, None)
        .map(|(_, v)| v.clone())
        .filter(|crd| {
            let (name, group) = (meta(crd, "name"), s_owned(crd, "/spec/group"));
            without.iter().any(|w| *w == name || *w == group)
        })
        .collect();
    for crd in gone {
        remove_instances(&mut s, &crd);
        s.remove(CRDS, "", &meta(&crd, "name"));
    }
}

fn s_owned(v: &Value, pointer: &str) -> String {
    s(v, pointer).to_string()
}

/// Defaults and status of a CRD on create, as the API server and its controllers leave them:
/// `singular` and `listKind` from the kind, conversion `None`, and a status that says the names
/// were accepted and the CRD is established, with the storage version stored.
pub fn apply_defaults(obj: &mut Value) {
    let created = meta(obj, "creationTimestamp");
    let Some(spec) = obj.get_mut("spec").and_then(Value::as_object_mut) else { return };
    let kind = spec.get("names").map(|n| s(n, "/kind").to_string()).unwrap_or_default();
    if let Some(names) = spec.get_mut("names").and_then(Value::as_object_mut) {
        if names.get("singular").and_then(Value::as_str).unwrap_or("").is_empty() && !kind.is_empty() {
            names.insert("singular".into(), json!(kind.to_lowercase()));
        }
        if names.get("listKind").and_then(Value::as_str).unwrap_or("").is_empty() && !kind.is_empty() {
            names.insert("listKind".into(), json!(format!("{kind}List")));
        }
    }
    spec.entry("conversion").or_insert_with(|| json!({"strategy": "None"}));
    let names = spec.get("names").cloned().unwrap_or_else(|| json!({}));
    let storage: Vec<Value> = spec
        .get("versions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|v| v["storage"] == json!(true))
        .filter_map(|v| v.get("name").cloned())
        .collect();
    if obj.get("status").is_none_or(|s| s.get("conditions").is_none())
        && let Some(o) = obj.as_object_mut()
    {
        o.insert(
            "status".into(),
            json!({
                "acceptedNames": names,
                "conditions": [
                    {"type": "NamesAccepted", "status": "True", "lastTransitionTime": created,
                     "reason": "NoConflicts", "message": "no conflicts found"},
                    {"type": "Established", "status": "True", "lastTransitionTime": created,
                     "reason": "InitialNamesAccepted", "message": "the initial names have been accepted"}
                ],
                "storedVersions": storage,
            }),
        );
    }
}

/// The rules of `ValidateCustomResourceDefinition` (apiextensions-apiserver
/// `pkg/apis/apiextensions/validation/validation.go`) that decide whether a CRD can be served:
/// its name, group, names, scope, and versions (one storage version, schemas present).
pub fn validate(obj: &Value) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let spec = obj.get("spec").unwrap_or(&Value::Null);
    let (group, plural, kind) = (s(spec, "/group"), s(spec, "/names/plural"), s(spec, "/names/kind"));
    let name = meta(obj, "name");
    if name != format!("{plural}.{group}") {
        errors.push(FieldError::invalid("metadata.name", &name, "must be spec.names.plural+\".\"+spec.group"));
    }
    if group.is_empty() {
        errors.push(FieldError::required("spec.group", ""));
    } else if !group.contains('.') {
        errors.push(FieldError::invalid("spec.group", group, "should be a domain with at least one dot"));
    }
    match s(spec, "/scope") {
        "" => errors.push(FieldError::required("spec.scope", "")),
        "Cluster" | "Namespaced" => {}
        other => errors.push(FieldError::not_supported("spec.scope", other, &["Cluster", "Namespaced"])),
    }
    if plural.is_empty() {
        errors.push(FieldError::required("spec.names.plural", ""));
    }
    if kind.is_empty() {
        errors.push(FieldError::required("spec.names.kind", ""));
    }
    let versions = spec.get("versions").and_then(Value::as_array).cloned().unwrap_or_default();
    if versions.is_empty() {
        errors.push(FieldError::invalid_plain(
            "spec.versions",
            "null",
            "must have exactly one version marked as storage version",
        ));
    } else if versions.iter().filter(|v| v["storage"] == json!(true)).count() != 1 {
        errors.push(FieldError::invalid_plain(
            "spec.versions",
            &format!("{} versions", versions.len()),
            "must have exactly one version marked as storage version",
        ));
    }
    for (i, v) in versions.iter().enumerate() {
        if s(v, "/name").is_empty() {
            errors.push(FieldError::required(format!("spec.versions[{i}].name"), ""));
        }
        if v.pointer("/schema/openAPIV3Schema").is_none_or(Value::is_null) {
            errors.push(FieldError::required(
                format!("spec.versions[{i}].schema.openAPIV3Schema"),
                "schemas are required",
            ));
        }
        if let Some(cols) = v.get("additionalPrinterColumns").and_then(Value::as_array) {
            for (j, c) in cols.iter().enumerate() {
                let path = s(c, "/jsonPath");
                if jsonpath::Path::parse(path).is_err() {
                    errors.push(FieldError::invalid(
                        format!("spec.versions[{i}].additionalPrinterColumns[{j}].jsonPath"),
                        path,
                        "must be a simple json path",
                    ));
                }
            }
        }
    }
    errors
}

/// A Table of custom resources: `Name`, then the printer columns.
pub fn table_columns(custom: &Custom) -> Vec<Value> {
    let mut out = vec![json!({"name": "Name", "type": "string", "format": "name",
        "description": "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
        "priority": 0})];
    for c in &custom.columns {
        out.push(json!({"name": c.name, "type": c.type_, "format": c.format, "description": c.description, "priority": c.priority}));
    }
    out
}

/// One row's cells (`tableconvertor.go` ConvertToTable, cellForJSONValue): the first value each
/// path finds; a `string` column prints it as JSONPath does, `date` is an age, `integer`,
/// `number` and `boolean` keep their JSON type; anything missing or of the wrong type is null
/// (kubectl prints `<none>`).
pub fn table_cells(custom: &Custom, obj: &Value, now: jiff::Timestamp) -> Vec<Value> {
    let mut out = vec![json!(meta(obj, "name"))];
    for c in &custom.columns {
        let found = c.path.as_ref().and_then(|p| p.find(obj).first().copied());
        let cell = match (found, c.type_.as_str()) {
            (None | Some(Value::Null), _) => Value::Null,
            (Some(v), "string") => json!(jsonpath::go_print(v)),
            (Some(Value::Number(n)), "integer") => {
                n.as_i64().map_or_else(|| n.as_f64().map_or(Value::Null, |f| json!(f as i64)), |i| json!(i))
            }
            (Some(Value::Number(n)), "number") => n.as_f64().map_or(Value::Null, |f| json!(f)),
            (Some(Value::Bool(b)), "boolean") => json!(b),
            (Some(Value::String(t)), "date") => match t.parse::<jiff::Timestamp>() {
                Ok(t) => json!(keyhole_core::format::age(Some(t), now)),
                Err(_) => json!("<invalid>"),
            },
            _ => Value::Null,
        };
        out.push(cell);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering;

    #[test]
    fn versions_sort_as_kubernetes_prefers_them() {
        let mut v = vec!["v1alpha1", "foo", "v1beta1", "v2", "v1", "v11alpha2", "v10beta3", "v1beta2", "bar"];
        v.sort_by(|a, b| compare_versions(a, b));
        assert_eq!(v, ["v2", "v1", "v10beta3", "v1beta2", "v1beta1", "v11alpha2", "v1alpha1", "bar", "foo"]);
        assert_eq!(compare_versions("v1", "v1"), Ordering::Equal);
    }

    fn crd() -> Value {
        json!({
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "widgets.example.com"},
            "spec": {"group": "example.com", "scope": "Namespaced",
                     "names": {"plural": "widgets", "kind": "Widget", "shortNames": ["wd"]},
                     "versions": [
                        {"name": "v1beta1", "served": true, "storage": false, "deprecated": true,
                         "schema": {"openAPIV3Schema": {"type": "object"}}},
                        {"name": "v1", "served": true, "storage": true,
                         "schema": {"openAPIV3Schema": {"type": "object"}},
                         "additionalPrinterColumns": [{"name": "Size", "type": "integer", "jsonPath": ".spec.size"}]},
                        {"name": "v1alpha1", "served": false, "storage": false,
                         "schema": {"openAPIV3Schema": {"type": "object"}}}]}
        })
    }

    #[test]
    fn a_crd_serves_each_served_version_once() {
        let c = crd();
        assert!(validate(&c).is_empty(), "{:?}", validate(&c));
        let defs = defs_of(&c);
        assert_eq!(defs.iter().map(|d| d.version).collect::<Vec<_>>(), ["v1beta1", "v1"]);
        let again = defs_of(&c);
        assert!(std::ptr::eq(defs[0], again[0]), "the same definition is made once");
        let v1 = defs[1];
        assert_eq!((v1.key(), v1.singular, v1.short_names), ("widgets.example.com", "widget", &["wd"][..]));
        assert_eq!(
            defs[0].custom.unwrap().deprecation.as_deref(),
            Some("example.com/v1beta1 Widget is deprecated; use example.com/v1 Widget")
        );
        let row = table_cells(
            v1.custom.unwrap(),
            &json!({"metadata": {"name": "w"}, "spec": {"size": 3}}),
            jiff::Timestamp::now(),
        );
        assert_eq!(row, vec![json!("w"), json!(3)]);
        assert_eq!(defs[0].custom.unwrap().columns[0].name, "Age");
    }

    /// A CRD body is any admin's input: shapes no CRD has must not panic anything here.
    #[test]
    fn odd_crds_never_panic() {
        for spec in [
            json!(5),
            json!({"group": 1, "names": [], "versions": "v1"}),
            json!({"group": "a.b", "names": {"plural": "xs", "kind": "X"}, "versions": [5, {"name": 3}, {"served": true}]}),
            json!({"group": "a.b", "names": {"plural": "xs", "kind": "X"}, "scope": [],
                   "versions": [{"name": "v1", "served": true, "storage": true, "additionalPrinterColumns": [7, {"jsonPath": 1}]}]}),
        ] {
            let mut c = json!({"metadata": {"name": "xs.a.b"}, "spec": spec});
            let _ = validate(&c);
            for d in defs_of(&c) {
                let _ = table_cells(d.custom.unwrap(), &json!({"spec": [1]}), jiff::Timestamp::now());
            }
            apply_defaults(&mut c);
            remove_instances(&mut Store::new(10).lock(), &c);
        }
        let _ = defs_of(&json!(null));
        apply_defaults(&mut json!([]));
    }

    #[test]
    fn invalid_crds_name_their_fields() {
        let mut c = crd();
        c["metadata"]["name"] = json!("widgets");
        c["spec"]["group"] = json!("example");
        c["spec"]["scope"] = json!("Global");
        c["spec"]["versions"][1]["storage"] = json!(false);
        let fields: Vec<String> = validate(&c).into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["metadata.name", "spec.group", "spec.scope", "spec.versions"]);
        let mut builtin = crd();
        builtin["spec"]["group"] = json!("apps");
        assert!(defs_of(&builtin).is_empty(), "a built-in group is never taken over");
    }
}
