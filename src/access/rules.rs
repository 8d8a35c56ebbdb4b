//! The RBAC authorizer's matching, literally (rbac-facts.md §1: `RuleAllows` and the matchers of
//! `pkg/apis/rbac/v1/evaluation_helpers.go`), roles resolved from bindings (§2), and
//! ClusterRole aggregation (§3) for roles whose rules the controller has not filled in.

use std::collections::BTreeMap;

use k8s_openapi::api::rbac::v1::{ClusterRole, PolicyRule, RoleRef as K8sRoleRef};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use super::model::{Policy, RoleRef};

/// The name a request carries.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Name<'a> {
    /// None: a create, or a list or watch without a `metadata.name` field selector.
    Absent,
    Is(&'a str),
    /// Any name: whatever `resourceNames` say (the caller reads them).
    Any,
}

fn has(list: &[String], want: &str) -> bool {
    list.iter().any(|v| v == "*" || v == want)
}

/// `RuleAllows` for a resource request without a subresource.
pub(crate) fn allows(rule: &PolicyRule, verb: &str, group: &str, resource: &str, name: Name<'_>) -> bool {
    allows_sub(rule, verb, group, resource, "", name)
}

/// `RuleAllows` for `resource/sub` (`sub` empty: no subresource). A rule matches it by `*`, by
/// the combined name (`pods/exec`), or by `*/sub` (any resource's `sub`); `pods` alone does not.
pub(crate) fn allows_sub(
    rule: &PolicyRule,
    verb: &str,
    group: &str,
    resource: &str,
    sub: &str,
    name: Name<'_>,
) -> bool {
    let names = rule.resource_names.as_deref().unwrap_or_default();
    let name_ok = match name {
        _ if names.is_empty() => true,
        Name::Absent => false,
        Name::Is(n) => names.iter().any(|r| r == n),
        Name::Any => true,
    };
    let resource_ok = rule.resources.as_deref().unwrap_or_default().iter().any(|r| {
        r == "*"
            || (sub.is_empty() && r == resource)
            || (!sub.is_empty()
                && (r.strip_prefix(resource).and_then(|t| t.strip_prefix('/')) == Some(sub)
                    || r.strip_prefix("*/") == Some(sub)))
    });
    rule.verbs.iter().any(|v| v == "*" || v == verb)
        && has(rule.api_groups.as_deref().unwrap_or_default(), group)
        && resource_ok
        && name_ok
}

/// The rule as `CompactString` prints it: `{APIGroups:[""], Resources:["secrets"], ...}`.
pub(crate) fn compact(rule: &PolicyRule) -> String {
    let list = |l: &[String]| l.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", ");
    let mut parts = Vec::new();
    let mut push = |label: &str, l: Option<&Vec<String>>| {
        if let Some(l) = l.filter(|l| !l.is_empty()) {
            parts.push(format!("{label}:[{}]", list(l)));
        }
    };
    push("APIGroups", rule.api_groups.as_ref());
    push("Resources", rule.resources.as_ref());
    push("ResourceNames", rule.resource_names.as_ref());
    push("NonResourceURLs", rule.non_resource_urls.as_ref());
    push("Verbs", Some(&rule.verbs));
    format!("{{{}}}", parts.join(", "))
}

/// The rules of a role with where each came from (the aggregated ClusterRole, if any).
pub(crate) struct Resolved {
    pub rules: Vec<(PolicyRule, RoleRef)>,
}

/// ClusterRoles by name, with their aggregation resolved.
pub(crate) struct Roles<'a> {
    cluster: BTreeMap<&'a str, &'a ClusterRole>,
    policy: &'a Policy,
}

impl<'a> Roles<'a> {
    pub(crate) fn new(policy: &'a Policy) -> Self {
        let cluster = policy.cluster_roles.iter().filter_map(|r| Some((r.metadata.name.as_deref()?, r))).collect();
        Roles { cluster, policy }
    }

    /// The rules a binding's roleRef grants (a `Role` is looked up in the binding's namespace,
    /// `namespace`; `None` for a ClusterRoleBinding); `Err` names what is missing.
    pub(crate) fn of(&self, r: &K8sRoleRef, namespace: Option<&str>) -> Result<Resolved, String> {
        match (r.kind.as_str(), namespace) {
            ("ClusterRole", _) => self.cluster_role(&r.name),
            ("Role", Some(ns)) => {
                let role = self
                    .policy
                    .roles
                    .iter()
                    .find(|x| {
                        x.metadata.name.as_deref() == Some(&r.name) && x.metadata.namespace.as_deref() == Some(ns)
                    })
                    .ok_or_else(|| format!("role.rbac.authorization.k8s.io {:?} not found in {ns}", r.name))?;
                let me = RoleRef { kind: "Role".into(), name: r.name.clone(), aggregated_from: None };
                Ok(Resolved { rules: role.rules.iter().flatten().map(|x| (x.clone(), me.clone())).collect() })
            }
            (kind, _) => Err(format!("unsupported role reference kind {kind:?} ({})", r.name)),
        }
    }

    fn cluster_role(&self, name: &str) -> Result<Resolved, String> {
        let role = self
            .cluster
            .get(name)
            .ok_or_else(|| format!("clusterrole.rbac.authorization.k8s.io {name:?} not found"))?;
        let me =
            |from: Option<String>| RoleRef { kind: "ClusterRole".into(), name: name.into(), aggregated_from: from };
        let stored: Vec<PolicyRule> = role.rules.clone().unwrap_or_default();
        let Some(selectors) = selectors_of(role) else {
            return Ok(Resolved { rules: stored.into_iter().map(|x| (x, me(None))).collect() });
        };
        // Aggregated: the controller copies the selected roles' rules into this one; name
        // where each came from. If nothing was copied yet, aggregate here as it would.
        let sources = self.aggregate(name, selectors, &mut vec![name.to_string()]);
        if stored.is_empty() {
            return Ok(Resolved { rules: sources.into_iter().map(|(x, from)| (x, me(Some(from)))).collect() });
        }
        let rules = stored
            .into_iter()
            .map(|x| {
                let from = sources.iter().find(|(s, _)| *s == x).map(|(_, f)| f.clone());
                (x, me(from))
            })
            .collect();
        Ok(Resolved { rules })
    }

    /// The rules of every ClusterRole the selectors match, by name, as the aggregation
    /// controller collects them (recursively through aggregated ones; `seen` stops cycles).
    fn aggregate(&self, of: &str, selectors: &[LabelSelector], seen: &mut Vec<String>) -> Vec<(PolicyRule, String)> {
        let mut out: Vec<(PolicyRule, String)> = Vec::new();
        for sel in selectors {
            for (name, role) in &self.cluster {
                if *name == of || !matches(sel, role.metadata.labels.as_ref()) {
                    continue;
                }
                let mut rules: Vec<(PolicyRule, String)> =
                    role.rules.iter().flatten().map(|r| (r.clone(), name.to_string())).collect();
                if rules.is_empty()
                    && let Some(inner) = selectors_of(role)
                    && !seen.iter().any(|s| s == name)
                {
                    seen.push(name.to_string());
                    rules = self.aggregate(name, inner, seen);
                }
                for r in rules {
                    if !out.iter().any(|(x, _)| *x == r.0) {
                        out.push(r);
                    }
                }
            }
        }
        out
    }
}

fn selectors_of(role: &ClusterRole) -> Option<&[LabelSelector]> {
    role.aggregation_rule.as_ref()?.cluster_role_selectors.as_deref().filter(|s| !s.is_empty())
}

/// A metav1.LabelSelector against labels (matchLabels and matchExpressions, ANDed).
pub(crate) fn matches(sel: &LabelSelector, labels: Option<&BTreeMap<String, String>>) -> bool {
    let get = |k: &str| labels.and_then(|l| l.get(k));
    let labels_ok = sel.match_labels.iter().flatten().all(|(k, v)| get(k) == Some(v));
    let exprs_ok = sel.match_expressions.iter().flatten().all(|e| {
        let values = e.values.as_deref().unwrap_or_default();
        match e.operator.as_str() {
            "In" => get(&e.key).is_some_and(|v| values.contains(v)),
            "NotIn" => get(&e.key).is_none_or(|v| !values.contains(v)),
            "Exists" => get(&e.key).is_some(),
            "DoesNotExist" => get(&e.key).is_none(),
            _ => false,
        }
    });
    labels_ok && exprs_ok
}
