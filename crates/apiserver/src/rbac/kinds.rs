//! What the server does with the RBAC kinds beyond storing them: defaults
//! (`pkg/apis/rbac/v1/defaults.go`), the validation a client meets first
//! (`pkg/apis/rbac/validation/validation.go`), and the binding Table columns
//! (`pkg/printers/internalversion/printers.go` `printRoleBinding`). Roles print as Name and
//! Created At, the generic columns.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::GROUP;
use crate::resources::ResourceDef;
use keyhole_core::format;
use keyhole_core::validate::FieldError;

fn is_binding(def: &ResourceDef) -> bool {
    def.custom.is_none() && matches!(def.plural, "rolebindings" | "clusterrolebindings")
}

fn is_role(def: &ResourceDef) -> bool {
    def.custom.is_none() && matches!(def.plural, "roles" | "clusterroles")
}

pub fn is_rbac(def: &ResourceDef) -> bool {
    is_binding(def) || is_role(def)
}

fn str_at<'a>(v: &'a Value, p: &str) -> &'a str {
    v.pointer(p).and_then(Value::as_str).unwrap_or("")
}

/// `SetDefaults_RoleBinding`/`ClusterRoleBinding` and `SetDefaults_Subject`: the API groups
/// of the role reference and of User and Group subjects.
pub fn apply_defaults(def: &ResourceDef, obj: &mut Value) {
    if !is_binding(def) {
        return;
    }
    if let Some(r) = obj.get_mut("roleRef").and_then(Value::as_object_mut) {
        let empty = r.get("apiGroup").and_then(Value::as_str).is_none_or(str::is_empty);
        if empty {
            r.insert("apiGroup".into(), json!(GROUP));
        }
    }
    if let Some(subjects) = obj.get_mut("subjects").and_then(Value::as_array_mut) {
        for s in subjects.iter_mut().filter_map(Value::as_object_mut) {
            let kind = s.get("kind").and_then(Value::as_str).unwrap_or("");
            let unset = s.get("apiGroup").and_then(Value::as_str).is_none_or(str::is_empty);
            if unset && matches!(kind, "User" | "Group") {
                s.insert("apiGroup".into(), json!(GROUP));
            }
        }
    }
}

/// `ValidatePolicyRule` for each rule, and the binding checks.
pub fn validate(def: &ResourceDef, obj: &Value) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if is_role(def) {
        let namespaced = def.plural == "roles";
        let rules = obj.get("rules").and_then(Value::as_array).cloned().unwrap_or_default();
        for (i, rule) in rules.iter().enumerate() {
            errors.extend(validate_rule(&super::Rule::from_json(rule), namespaced, &format!("rules[{i}]")));
        }
    } else if is_binding(def) {
        let r = obj.get("roleRef").cloned().unwrap_or_default();
        if str_at(&r, "/apiGroup") != GROUP {
            errors.push(FieldError::not_supported("roleRef.apiGroup", str_at(&r, "/apiGroup"), &[GROUP]));
        }
        let kinds: &[&str] = if def.plural == "rolebindings" { &["Role", "ClusterRole"] } else { &["ClusterRole"] };
        if !kinds.contains(&str_at(&r, "/kind")) {
            errors.push(FieldError::not_supported("roleRef.kind", str_at(&r, "/kind"), kinds));
        }
        if str_at(&r, "/name").is_empty() {
            errors.push(FieldError::required("roleRef.name", ""));
        }
        let subjects = obj.get("subjects").and_then(Value::as_array).cloned().unwrap_or_default();
        for (i, s) in subjects.iter().enumerate() {
            let path = format!("subjects[{i}]");
            if str_at(s, "/name").is_empty() {
                errors.push(FieldError::required(format!("{path}.name"), ""));
            }
            match str_at(s, "/kind") {
                "ServiceAccount" => {
                    if !str_at(s, "/apiGroup").is_empty() {
                        errors.push(FieldError::not_supported(
                            format!("{path}.apiGroup"),
                            str_at(s, "/apiGroup"),
                            &[""],
                        ));
                    }
                    if def.plural == "clusterrolebindings" && str_at(s, "/namespace").is_empty() {
                        errors.push(FieldError::required(format!("{path}.namespace"), ""));
                    }
                }
                "User" | "Group" => {
                    if str_at(s, "/apiGroup") != GROUP {
                        errors.push(FieldError::not_supported(
                            format!("{path}.apiGroup"),
                            str_at(s, "/apiGroup"),
                            &[GROUP],
                        ));
                    }
                }
                kind => errors.push(FieldError::not_supported(
                    format!("{path}.kind"),
                    kind,
                    &["ServiceAccount", "User", "Group"],
                )),
            }
        }
    }
    errors
}

fn validate_rule(rule: &super::Rule, namespaced: bool, path: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if rule.verbs.is_empty() {
        errors.push(FieldError::required(format!("{path}.verbs"), "verbs must contain at least one value"));
    }
    if !rule.non_resource_urls.is_empty() {
        let urls = format!("[{}]", rule.non_resource_urls.join(" "));
        if namespaced {
            errors.push(FieldError::invalid_plain(
                format!("{path}.nonResourceURLs"),
                &urls,
                "namespaced rules cannot apply to non-resource URLs",
            ));
        }
        if !rule.api_groups.is_empty() || !rule.resources.is_empty() || !rule.resource_names.is_empty() {
            errors.push(FieldError::invalid_plain(
                format!("{path}.nonResourceURLs"),
                &urls,
                "rules cannot apply to both regular resources and non-resource URLs",
            ));
        }
        return errors;
    }
    if rule.api_groups.is_empty() {
        errors.push(FieldError::required(
            format!("{path}.apiGroups"),
            "resource rules must supply at least one api group",
        ));
    }
    if rule.resources.is_empty() {
        errors.push(FieldError::required(
            format!("{path}.resources"),
            "resource rules must supply at least one resource",
        ));
    }
    errors
}

/// `ValidateRoleBindingUpdate`: the role reference never changes.
pub fn validate_update(def: &ResourceDef, old: &Value, new: &Value) -> Vec<FieldError> {
    // Compared as defaulted: an update that leaves out the API group keeps the reference.
    let role_ref = |v: &Value| {
        let group = match str_at(v, "/roleRef/apiGroup") {
            "" => GROUP.to_string(),
            g => g.to_string(),
        };
        (group, str_at(v, "/roleRef/kind").to_string(), str_at(v, "/roleRef/name").to_string())
    };
    let (group, kind, name) = role_ref(new);
    if !is_binding(def) || role_ref(old) == (group.clone(), kind.clone(), name.clone()) {
        return Vec::new();
    }
    let shown = format!("rbac.RoleRef{{APIGroup:\"{group}\", Kind:\"{kind}\", Name:\"{name}\"}}");
    vec![FieldError::invalid_plain("roleRef", &shown, "cannot change roleRef")]
}

fn col(name: &str, description: &str, priority: u8) -> Value {
    let format = if name == "Name" { "name" } else { "" };
    json!({"name": name, "type": "string", "format": format, "description": description, "priority": priority})
}

/// The columns of RoleBindings and ClusterRoleBindings, or `None` for other kinds.
pub fn columns(def: &ResourceDef, name: Value, age: Value) -> Option<Vec<Value>> {
    is_binding(def).then(|| {
        vec![
            name,
            col(
                "Role",
                "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.",
                0,
            ),
            age,
            col("Users", "Users in the roleBinding", 1),
            col("Groups", "Groups in the roleBinding", 1),
            col("ServiceAccounts", "ServiceAccounts in the roleBinding", 1),
        ]
    })
}

/// A binding's row: name, `Kind/name` of its role, age, then its subjects by kind
/// (`SubjectsStrings`: service accounts as `namespace/name`).
pub fn cells(def: &ResourceDef, obj: &Value, now: Timestamp) -> Option<Vec<Value>> {
    if !is_binding(def) {
        return None;
    }
    let (mut users, mut groups, mut sas) = (Vec::new(), Vec::new(), Vec::new());
    for s in obj.get("subjects").and_then(Value::as_array).into_iter().flatten() {
        let name = str_at(s, "/name").to_string();
        match str_at(s, "/kind") {
            "User" => users.push(name),
            "Group" => groups.push(name),
            "ServiceAccount" => sas.push(format!("{}/{name}", str_at(s, "/namespace"))),
            _ => {}
        }
    }
    let created = obj.pointer("/metadata/creationTimestamp").and_then(Value::as_str).and_then(|s| s.parse().ok());
    Some(vec![
        json!(str_at(obj, "/metadata/name")),
        json!(format!("{}/{}", str_at(obj, "/roleRef/kind"), str_at(obj, "/roleRef/name"))),
        json!(format::age(created, now)),
        json!(users.join(", ")),
        json!(groups.join(", ")),
        json!(sas.join(", ")),
    ])
}
