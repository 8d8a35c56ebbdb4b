//! The escalation checks on RBAC writes (`pkg/registry/rbac/escalation_check.go`
//! `EscalationAllowed`, `RoleEscalationAuthorized`, `BindingAuthorized`; `policybased/storage.go`
//! of roles, clusterroles, rolebindings and clusterrolebindings; `validation/rule.go`
//! `ConfirmNoEscalation`; `policy_comparator.go` `Covers`): a user may write a role only with
//! rules it holds itself, or with `escalate`; a binding only to a role whose rules it holds, or
//! with `bind` on that role. `system:masters` may do anything.

use serde_json::Value;

use super::rules::{Attributes, Rule, rule_allows};
use super::{GROUP, MASTERS, Policy, UserInfo};
use crate::store::Inner;

/// Why a write is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// 403, with the message's detail (after `... is forbidden: `).
    Forbidden(String),
    /// 404: the binding's role does not exist (the registry's `Get`, so the plural resource:
    /// `roles.rbac.authorization.k8s.io "x" not found`).
    RoleNotFound { resource: &'static str, name: String },
}

/// The check for a create (`old` `None`) or update of an object of `resource` (one of
/// [`super::RESOURCES`]) by `user`. Updates that change only the garbage collector's fields
/// pass.
pub fn check(s: &Inner, user: &UserInfo, resource: &str, new: &Value, old: Option<&Value>) -> Result<(), Refusal> {
    if user.in_group(MASTERS) || old.is_some_and(|o| only_gc_fields(o, new)) {
        return Ok(());
    }
    let policy = Policy::load(s);
    let ns = new.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or("");
    let held: Vec<Rule> = policy.granted(user, ns).rules().cloned().collect();
    let allowed = |verb: &str, group: &str, resource: &str, name: &str| {
        let a = Attributes::resource(verb, group, resource, ns, name);
        held.iter().any(|r| rule_allows(&a, r))
    };
    match resource {
        "roles" | "clusterroles" => {
            // The name is in the request path on an update only.
            let name = old.map(|_| name_of(new)).unwrap_or("");
            if allowed("escalate", GROUP, resource, name) {
                return Ok(());
            }
            if resource == "clusterroles" && new.get("aggregationRule").is_some_and(|a| !a.is_null()) {
                let everything = [
                    Rule {
                        verbs: vec!["*".into()],
                        api_groups: vec!["*".into()],
                        resources: vec!["*".into()],
                        ..Default::default()
                    },
                    Rule { verbs: vec!["*".into()], non_resource_urls: vec!["*".into()], ..Default::default() },
                ];
                if !uncovered(&held, &everything).is_empty() {
                    return Err(Refusal::Forbidden(
                        "must have cluster-admin privileges to use the aggregationRule".into(),
                    ));
                }
            }
            refuse_missing(user, &held, &Rule::all_of(new))
        }
        "rolebindings" | "clusterrolebindings" => {
            let kind = new.pointer("/roleRef/kind").and_then(Value::as_str).unwrap_or("");
            let role = new.pointer("/roleRef/name").and_then(Value::as_str).unwrap_or("");
            let group = new.pointer("/roleRef/apiGroup").and_then(Value::as_str).unwrap_or("");
            let target = if kind == "Role" { "roles" } else { "clusterroles" };
            if allowed("bind", group, target, role) {
                return Ok(());
            }
            let binding = super::Binding::from_json(new);
            let rules = policy.role_rules(&binding).map_err(|e| match kind {
                "Role" | "ClusterRole" => Refusal::RoleNotFound { resource: target, name: role.to_string() },
                _ => Refusal::Forbidden(e),
            })?;
            refuse_missing(user, &held, &rules)
        }
        _ => Ok(()),
    }
}

fn name_of(obj: &Value) -> &str {
    obj.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("")
}

/// `IsOnlyMutatingGCFields`: the objects differ in ownerReferences and finalizers at most
/// (and in what the server writes itself).
fn only_gc_fields(old: &Value, new: &Value) -> bool {
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
            for f in ["ownerReferences", "finalizers", "managedFields", "resourceVersion", "generation"] {
                m.remove(f);
            }
        }
        v
    };
    strip(old) == strip(new)
}

fn refuse_missing(user: &UserInfo, held: &[Rule], wanted: &[Rule]) -> Result<(), Refusal> {
    let missing = uncovered(held, wanted);
    if missing.is_empty() {
        return Ok(());
    }
    let groups: Vec<String> = user.groups.iter().map(|g| format!("{g:?}")).collect();
    let lines: Vec<String> = missing.iter().map(compact).collect();
    Err(Refusal::Forbidden(format!(
        "user {:?} (groups=[{}]) is attempting to grant RBAC permissions not currently held:\n{}",
        user.name,
        groups.join(" "),
        lines.join("\n")
    )))
}

/// `Covers`: the atoms of `wanted` (one per verb, group, resource and name, or per verb and
/// URL) that no single rule of `held` covers.
fn uncovered(held: &[Rule], wanted: &[Rule]) -> Vec<Rule> {
    let mut out = Vec::new();
    for rule in wanted {
        for atom in breakdown(rule) {
            if !held.iter().any(|h| covers(h, &atom)) && !out.contains(&atom) {
                out.push(atom);
            }
        }
    }
    out
}

/// `BreakdownRule`.
fn breakdown(rule: &Rule) -> Vec<Rule> {
    let one = |s: &String| vec![s.clone()];
    let mut out = Vec::new();
    for group in &rule.api_groups {
        for resource in &rule.resources {
            for verb in &rule.verbs {
                if rule.resource_names.is_empty() {
                    out.push(Rule {
                        verbs: one(verb),
                        api_groups: one(group),
                        resources: one(resource),
                        ..Default::default()
                    });
                }
                for name in &rule.resource_names {
                    out.push(Rule {
                        verbs: one(verb),
                        api_groups: one(group),
                        resources: one(resource),
                        resource_names: one(name),
                        ..Default::default()
                    });
                }
            }
        }
    }
    for url in &rule.non_resource_urls {
        for verb in &rule.verbs {
            out.push(Rule { verbs: one(verb), non_resource_urls: one(url), ..Default::default() });
        }
    }
    out
}

/// `ruleCovers` for one atom: each field covered by the same owner rule; wildcards in the atom
/// are literal.
fn covers(owner: &Rule, atom: &Rule) -> bool {
    let has = |list: &[String], v: &str| list.iter().any(|x| x == "*" || x == v);
    let verbs = atom.verbs.iter().all(|v| has(&owner.verbs, v));
    if !atom.non_resource_urls.is_empty() {
        let url_ok = atom.non_resource_urls.iter().all(|u| {
            owner.non_resource_urls.iter().any(|o| o == u || o.strip_suffix('*').is_some_and(|p| u.starts_with(p)))
        });
        return verbs && url_ok;
    }
    let groups = atom.api_groups.iter().all(|g| has(&owner.api_groups, g));
    let resources = atom.resources.iter().all(|r| {
        owner
            .resources
            .iter()
            .any(|o| o == "*" || o == r || r.split_once('/').is_some_and(|(_, sub)| o.strip_prefix("*/") == Some(sub)))
    });
    let names = owner.resource_names.is_empty()
        || (!atom.resource_names.is_empty() && atom.resource_names.iter().all(|n| owner.resource_names.contains(n)));
    verbs && groups && resources && names
}

/// `CompactString`: `{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}`.
fn compact(rule: &Rule) -> String {
    let list = |l: &[String]| l.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", ");
    let mut parts = Vec::new();
    for (label, l) in [
        ("APIGroups", &rule.api_groups),
        ("Resources", &rule.resources),
        ("ResourceNames", &rule.resource_names),
        ("NonResourceURLs", &rule.non_resource_urls),
        ("Verbs", &rule.verbs),
    ] {
        if !l.is_empty() {
            parts.push(format!("{label}:[{}]", list(l)));
        }
    }
    format!("{{{}}}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rule(v: Value) -> Rule {
        Rule::from_json(&v)
    }

    #[test]
    fn covers_atom_by_atom() {
        let held = [
            rule(json!({"verbs": ["get", "list"], "apiGroups": [""], "resources": ["secrets"]})),
            rule(json!({"verbs": ["get"], "apiGroups": ["apps"], "resources": ["*/scale"]})),
            rule(json!({"verbs": ["get"], "apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["a"]})),
            rule(json!({"verbs": ["get"], "nonResourceURLs": ["/healthz/*"]})),
        ];
        let ok = [
            rule(json!({"verbs": ["get"], "apiGroups": [""], "resources": ["secrets"], "resourceNames": ["x"]})),
            rule(json!({"verbs": ["get"], "apiGroups": ["apps"], "resources": ["deployments/scale"]})),
            rule(json!({"verbs": ["get"], "apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["a"]})),
            rule(json!({"verbs": ["get"], "nonResourceURLs": ["/healthz/etcd"]})),
        ];
        assert!(uncovered(&held, &ok).is_empty(), "{:?}", uncovered(&held, &ok));
        let wanted =
            [rule(json!({"verbs": ["get", "watch"], "apiGroups": [""], "resources": ["secrets", "configmaps"]}))];
        let missing: Vec<String> = uncovered(&held, &wanted).iter().map(compact).collect();
        assert_eq!(
            missing,
            [
                r#"{APIGroups:[""], Resources:["secrets"], Verbs:["watch"]}"#,
                r#"{APIGroups:[""], Resources:["configmaps"], Verbs:["get"]}"#,
                r#"{APIGroups:[""], Resources:["configmaps"], Verbs:["watch"]}"#,
            ]
        );
        // A wildcard wanted is literal: only a wildcard covers it.
        let star = [rule(json!({"verbs": ["*"], "apiGroups": [""], "resources": ["secrets"]}))];
        assert_eq!(uncovered(&held, &star).len(), 1);
    }
}
