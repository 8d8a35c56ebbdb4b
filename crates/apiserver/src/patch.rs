//! PATCH bodies: JSON merge patch (RFC 7386), strategic merge patch (for the kinds served here)
//! and JSON patch (RFC 6902, via the json-patch crate).

use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchType {
    Json,
    Merge,
    Strategic,
    Apply,
}

impl PatchType {
    pub fn from_content_type(ct: &str) -> Option<Self> {
        let base = ct.split(';').next().unwrap_or("").trim();
        match base {
            "application/json-patch+json" => Some(PatchType::Json),
            "application/merge-patch+json" => Some(PatchType::Merge),
            "application/strategic-merge-patch+json" => Some(PatchType::Strategic),
            "application/apply-patch+yaml" => Some(PatchType::Apply),
            _ => None,
        }
    }
}

/// The patch body's own decoding, before it is applied, with kube-apiserver's errors
/// (`handlers/patch.go`): with `fieldValidation` Strict or Warn (the default) a JSON patch is
/// unmarshalled into `[]jsonPatchOp` and a merge patch into a map, both as `error decoding patch:
/// ...`; with Ignore, json-patch's own decoding and `ErrBadJSONPatch`. A strategic merge patch is
/// always unmarshalled into a map (`strategicPatchObject`), its error bare. Each is a 400.
pub fn check_patch_body(kind: PatchType, body: &Value, validating: bool) -> Result<(), String> {
    use crate::decode::{Ty, check_value, json_kind};
    if body.is_null() {
        return Ok(());
    }
    let not_a_map =
        || format!("json: cannot unmarshal {} into Go value of type map[string]interface {{}}", json_kind(body));
    match kind {
        PatchType::Json if validating => {
            static OP: crate::decode::Struct = crate::decode::Struct {
                name: "jsonPatchOp",
                go: "handlers.jsonPatchOp",
                fields: &[
                    ("op", Ty::Str("string")),
                    ("path", Ty::Str("string")),
                    ("from", Ty::Str("string")),
                    ("value", Ty::Any),
                ],
            };
            static OPS: Ty = Ty::Slice(&Ty::Struct(&OP), "[]handlers.jsonPatchOp");
            check_value(body, &OPS).map_or(Ok(()), |e| Err(format!("error decoding patch: {e}")))
        }
        PatchType::Json => {
            static OPS: Ty = Ty::Slice(&Ty::Object("jsonpatch.Operation"), "jsonpatch.Patch");
            check_value(body, &OPS).map_or(Ok(()), Err)
        }
        PatchType::Merge if !body.is_object() => {
            Err(if validating { format!("error decoding patch: {}", not_a_map()) } else { "Invalid JSON Patch".into() })
        }
        PatchType::Strategic if !body.is_object() => Err(not_a_map()),
        _ => Ok(()),
    }
}

/// RFC 7386: objects merge recursively, `null` deletes, everything else replaces.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch_map) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(t) = target {
        for (k, v) in patch_map {
            if v.is_null() {
                t.remove(k);
            } else {
                merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
    }
}

/// The merge key of a list field under strategic merge patch, for the kinds served here.
/// Lists not named here are replaced whole, as for atomic lists.
fn merge_key(field: &str) -> Option<&'static str> {
    Some(match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "volumes"
        | "env"
        | "imagePullSecrets"
        | "secrets" => "name",
        "volumeMounts" => "mountPath",
        "ports" => "containerPort",
        "ownerReferences" => "uid",
        "conditions" => "type",
        _ => return None,
    })
}

/// Lists of scalars that merge (union) rather than replace.
fn is_merged_primitive_list(field: &str) -> bool {
    field == "finalizers"
}

/// Strategic merge patch, as kube-apiserver applies it to the kinds served here: a merge patch
/// where lists with a merge key merge element by element, `$patch: delete|replace` and
/// `$deleteFromPrimitiveList/<field>` are honoured, and `$setElementOrder`/`$retainKeys` are
/// accepted and ignored.
pub fn strategic_merge_patch(target: &mut Value, patch: &Value) -> Result<(), String> {
    let Value::Object(patch_map) = patch else {
        *target = patch.clone();
        return Ok(());
    };
    if patch_map.get("$patch").and_then(Value::as_str) == Some("replace") {
        let mut p = patch_map.clone();
        p.remove("$patch");
        *target = Value::Object(p);
        return Ok(());
    }
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Value::Object(t) = target else { return Ok(()) };
    for (k, v) in patch_map {
        if k == "$patch" || k.starts_with("$setElementOrder/") || k == "$retainKeys" {
            continue;
        }
        if let Some(field) = k.strip_prefix("$deleteFromPrimitiveList/") {
            if let (Some(Value::Array(list)), Value::Array(remove)) = (t.get_mut(field), v) {
                list.retain(|x| !remove.contains(x));
            }
            continue;
        }
        if v.is_null() {
            t.remove(k);
            continue;
        }
        match (t.get_mut(k), v) {
            (Some(Value::Array(existing)), Value::Array(items)) if merge_key(k).is_some() => {
                let key = merge_key(k).unwrap_or("name");
                merge_list(existing, items, key)?;
            }
            (Some(Value::Array(existing)), Value::Array(items)) if is_merged_primitive_list(k) => {
                for item in items {
                    if !existing.contains(item) {
                        existing.push(item.clone());
                    }
                }
            }
            (Some(existing @ Value::Object(_)), Value::Object(_)) => strategic_merge_patch(existing, v)?,
            _ => {
                let mut fresh = Value::Null;
                strategic_merge_patch(&mut fresh, v)?;
                t.insert(k.clone(), strip_directives(fresh));
            }
        }
    }
    Ok(())
}

fn strip_directives(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter().filter(|(k, _)| !k.starts_with('$')).map(|(k, v)| (k, strip_directives(v))).collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(strip_directives).collect()),
        other => other,
    }
}

fn merge_list(existing: &mut Vec<Value>, items: &[Value], key: &str) -> Result<(), String> {
    for item in items {
        let Some(id) = item.get(key) else {
            return Err(format!("map: {item} does not contain declared merge key: {key}"));
        };
        let pos = existing.iter().position(|e| e.get(key) == Some(id));
        let directive = item.get("$patch").and_then(Value::as_str);
        match (pos, directive) {
            (Some(i), Some("delete")) => {
                existing.remove(i);
            }
            (None, Some("delete")) => {}
            (Some(i), Some("replace")) => existing[i] = strip_directives(item.clone()),
            (Some(i), _) => strategic_merge_patch(&mut existing[i], item)?,
            (None, _) => existing.push(strip_directives(item.clone())),
        }
    }
    Ok(())
}

/// RFC 6902 JSON patch. `target` is a scratch copy that is dropped when the patch fails, so
/// the operations are applied without json-patch's undo log: its `patch` panics when an undo
/// fails (a `move` to the root cannot be undone), which any user allowed to patch could cause.
pub fn json_patch(target: &mut Value, patch: &Value) -> Result<(), String> {
    let p: json_patch::Patch = serde_json::from_value(patch.clone()).map_err(|e| e.to_string())?;
    json_patch::patch_unsafe(target, &p).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_rfc7386() {
        let mut t = json!({"data": {"a": "1", "b": "2"}, "type": "Opaque"});
        merge_patch(&mut t, &json!({"data": {"a": null, "c": "3"}}));
        assert_eq!(t, json!({"data": {"b": "2", "c": "3"}, "type": "Opaque"}));
    }

    #[test]
    fn strategic_merges_containers_by_name() {
        let mut t = json!({"spec": {"containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "y"}]}});
        strategic_merge_patch(
            &mut t,
            &json!({"spec": {"containers": [{"name": "b", "image": "z"}, {"name": "c", "image": "w"}],
                             "$setElementOrder/containers": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}}),
        )
        .unwrap();
        assert_eq!(
            t["spec"]["containers"],
            json!([{"name": "a", "image": "x"}, {"name": "b", "image": "z"}, {"name": "c", "image": "w"}])
        );
        strategic_merge_patch(&mut t, &json!({"spec": {"containers": [{"name": "a", "$patch": "delete"}]}})).unwrap();
        assert_eq!(t["spec"]["containers"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn strategic_on_secret_data_is_a_merge() {
        let mut t = json!({"data": {"a": "1"}, "metadata": {"finalizers": ["x"]}});
        strategic_merge_patch(&mut t, &json!({"data": {"a": null, "b": "2"}, "metadata": {"finalizers": ["y"]}}))
            .unwrap();
        assert_eq!(t, json!({"data": {"b": "2"}, "metadata": {"finalizers": ["x", "y"]}}));
    }

    #[test]
    fn json_patch_ops() {
        let mut t = json!({"data": {"a": "1"}});
        json_patch(&mut t, &json!([{"op": "replace", "path": "/data/a", "value": "2"}, {"op": "add", "path": "/data/b", "value": "3"}]))
            .unwrap();
        assert_eq!(t, json!({"data": {"a": "2", "b": "3"}}));
        assert!(json_patch(&mut t, &json!([{"op": "test", "path": "/data/a", "value": "9"}])).is_err());
        assert!(json_patch(&mut t, &json!({"op": "bogus"})).is_err());
    }

    /// json-patch's `patch` undoes the applied operations when a later one fails, and panics
    /// when an undo fails (a move to the root cannot be undone): found by the property tests.
    #[test]
    fn a_failing_json_patch_after_a_move_to_the_root_is_an_error_not_a_panic() {
        let mut t = json!({"metadata": {"name": "a"}, "data": {"k": "dg=="}});
        let ops = json!([{"op": "move", "from": "/metadata", "path": ""}, {"op": "test", "path": "/nope", "value": 1}]);
        assert!(json_patch(&mut t, &ops).is_err());
    }

    #[test]
    fn content_types() {
        assert_eq!(PatchType::from_content_type("application/merge-patch+json; charset=utf-8"), Some(PatchType::Merge));
        assert_eq!(PatchType::from_content_type("text/plain"), None);
    }
}
