//! The protobuf bodies of the RBAC kinds, as `kubectl create role|clusterrole|rolebinding|
//! clusterrolebinding` sends them (field numbers of `k8s.io/api/rbac/v1/generated.proto`).

use serde_json::{Map, Value, json};

use crate::protobuf::{Field, fields, map_entry, object_meta, string};

/// Repeated strings of a message by field number, under their JSON names; empty lists left out.
fn string_lists(b: &[u8], names: &[(u64, &str)]) -> Result<Map<String, Value>, String> {
    let mut o = Map::new();
    for (n, f) in fields(b)? {
        if let (Some((_, name)), Field::Bytes(v)) = (names.iter().find(|(m, _)| *m == n), f) {
            let list = o.entry(*name).or_insert_with(|| json!([]));
            if let Some(a) = list.as_array_mut() {
                a.push(json!(string(v)?));
            }
        }
    }
    Ok(o)
}

/// Single strings of a message by field number; empty ones left out.
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

/// PolicyRule: verbs = 1, apiGroups = 2, resources = 3, resourceNames = 4, nonResourceURLs = 5.
fn policy_rule(b: &[u8]) -> Result<Value, String> {
    const NAMES: &[(u64, &str)] =
        &[(1, "verbs"), (2, "apiGroups"), (3, "resources"), (4, "resourceNames"), (5, "nonResourceURLs")];
    Ok(Value::Object(string_lists(b, NAMES)?))
}

/// LabelSelector: matchLabels = 1, matchExpressions = 2 { key = 1, operator = 2, values = 3 }.
fn label_selector(b: &[u8]) -> Result<Value, String> {
    let mut labels = Map::new();
    let mut exprs = Vec::new();
    for (n, f) in fields(b)? {
        match (n, f) {
            (1, Field::Bytes(v)) => {
                let (k, val) = map_entry(v)?;
                labels.insert(k, json!(string(val)?));
            }
            (2, Field::Bytes(v)) => {
                let mut e = strings(v, &[(1, "key"), (2, "operator")])?;
                e.extend(string_lists(v, &[(3, "values")])?);
                exprs.push(Value::Object(e));
            }
            _ => {}
        }
    }
    let mut o = Map::new();
    if !labels.is_empty() {
        o.insert("matchLabels".into(), Value::Object(labels));
    }
    if !exprs.is_empty() {
        o.insert("matchExpressions".into(), Value::Array(exprs));
    }
    Ok(Value::Object(o))
}

/// Role and ClusterRole: metadata = 1, rules = 2, aggregationRule = 3 { clusterRoleSelectors = 1 };
/// RoleBinding and ClusterRoleBinding: metadata = 1, subjects = 2 { kind = 1, apiGroup = 2,
/// name = 3, namespace = 4 }, roleRef = 3 { apiGroup = 1, kind = 2, name = 3 }.
pub fn decode(kind: &str, b: &[u8]) -> Result<Value, String> {
    let binding = kind.ends_with("Binding");
    let mut o = Map::new();
    let mut list = Vec::new();
    for (n, f) in fields(b)? {
        match (n, f, binding) {
            (1, Field::Bytes(v), _) => drop(o.insert("metadata".into(), object_meta(v)?)),
            (2, Field::Bytes(v), false) => list.push(policy_rule(v)?),
            (2, Field::Bytes(v), true) => {
                list.push(strings(v, &[(1, "kind"), (2, "apiGroup"), (3, "name"), (4, "namespace")])?.into())
            }
            (3, Field::Bytes(v), false) => {
                let mut selectors = Vec::new();
                for (m, g) in fields(v)? {
                    if let (1, Field::Bytes(s)) = (m, g) {
                        selectors.push(label_selector(s)?);
                    }
                }
                o.insert("aggregationRule".into(), json!({"clusterRoleSelectors": selectors}));
            }
            (3, Field::Bytes(v), true) => {
                o.insert("roleRef".into(), strings(v, &[(1, "apiGroup"), (2, "kind"), (3, "name")])?.into());
            }
            _ => {}
        }
    }
    o.insert(if binding { "subjects" } else { "rules" }.into(), Value::Array(list));
    Ok(Value::Object(o))
}
