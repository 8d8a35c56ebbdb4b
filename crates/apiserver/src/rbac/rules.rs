//! Policy rules and how one request is matched against one rule, as kube-apiserver's RBAC
//! authorizer does it (`plugin/pkg/auth/authorizer/rbac/rbac.go` `RuleAllows`;
//! `pkg/apis/rbac/v1/evaluation_helpers.go` `VerbMatches`, `APIGroupMatches`,
//! `ResourceMatches`, `ResourceNameMatches`, `NonResourceURLMatches`).

use serde_json::{Map, Value, json};

/// One `PolicyRule` of a Role or ClusterRole.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rule {
    pub verbs: Vec<String>,
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub resource_names: Vec<String>,
    pub non_resource_urls: Vec<String>,
}

fn strings(v: &Value, field: &str) -> Vec<String> {
    v.get(field)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default()
}

impl Rule {
    pub fn from_json(v: &Value) -> Rule {
        Rule {
            verbs: strings(v, "verbs"),
            api_groups: strings(v, "apiGroups"),
            resources: strings(v, "resources"),
            resource_names: strings(v, "resourceNames"),
            non_resource_urls: strings(v, "nonResourceURLs"),
        }
    }

    /// The rules of a Role or ClusterRole object (`rules`, absent or null: none).
    pub fn all_of(role: &Value) -> Vec<Rule> {
        role.get("rules").and_then(Value::as_array).map(|a| a.iter().map(Rule::from_json).collect()).unwrap_or_default()
    }

    /// The rule as JSON, empty lists left out (`omitempty`), fields in the Go struct's order.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        for (field, list) in [
            ("verbs", &self.verbs),
            ("apiGroups", &self.api_groups),
            ("resources", &self.resources),
            ("resourceNames", &self.resource_names),
            ("nonResourceURLs", &self.non_resource_urls),
        ] {
            if !list.is_empty() || field == "verbs" {
                m.insert(field.into(), json!(list));
            }
        }
        Value::Object(m)
    }
}

/// What RBAC sees of a request (`authorizer.Attributes`; apiVersion and selectors are not
/// read by RBAC).
#[derive(Debug, Clone, Copy, Default)]
pub struct Attributes<'a> {
    pub verb: &'a str,
    /// Empty for cluster-scoped requests and lists across all namespaces.
    pub namespace: &'a str,
    pub api_group: &'a str,
    pub resource: &'a str,
    pub subresource: &'a str,
    pub name: &'a str,
    /// False for non-resource requests (`/version`, `/api`, `/healthz`), which match on `path`.
    pub resource_request: bool,
    pub path: &'a str,
}

impl<'a> Attributes<'a> {
    /// A resource request.
    pub fn resource(verb: &'a str, api_group: &'a str, resource: &'a str, namespace: &'a str, name: &'a str) -> Self {
        Attributes { verb, namespace, api_group, resource, name, resource_request: true, ..Default::default() }
    }

    /// A non-resource request.
    pub fn non_resource(verb: &'a str, path: &'a str) -> Self {
        Attributes { verb, path, ..Default::default() }
    }
}

/// `RuleAllows`.
pub fn rule_allows(a: &Attributes<'_>, rule: &Rule) -> bool {
    if !verb_matches(rule, a.verb) {
        return false;
    }
    if a.resource_request {
        let combined;
        let resource = if a.subresource.is_empty() {
            a.resource
        } else {
            combined = format!("{}/{}", a.resource, a.subresource);
            &combined
        };
        api_group_matches(rule, a.api_group)
            && resource_matches(rule, resource, a.subresource)
            && resource_name_matches(rule, a.name)
    } else {
        non_resource_url_matches(rule, a.path)
    }
}

fn verb_matches(rule: &Rule, verb: &str) -> bool {
    rule.verbs.iter().any(|v| v == "*" || v == verb)
}

fn api_group_matches(rule: &Rule, group: &str) -> bool {
    rule.api_groups.iter().any(|g| g == "*" || g == group)
}

/// `*` matches every resource and subresource; `*/scale` matches any resource's `scale`;
/// `pods` does not match `pods/log`, and `pods/*` is not a pattern.
fn resource_matches(rule: &Rule, combined: &str, subresource: &str) -> bool {
    rule.resources.iter().any(|r| {
        r == "*"
            || r == combined
            || (!subresource.is_empty() && r.strip_prefix("*/").is_some_and(|sub| sub == subresource))
    })
}

/// No names: any name, and requests without one. Names: only requests naming one of them.
fn resource_name_matches(rule: &Rule, name: &str) -> bool {
    rule.resource_names.is_empty() || rule.resource_names.iter().any(|n| n == name)
}

/// Exact, or a prefix ending in `*` (`/healthz/*` matches `/healthz/etcd`, not `/healthz`).
fn non_resource_url_matches(rule: &Rule, path: &str) -> bool {
    rule.non_resource_urls
        .iter()
        .any(|u| u == "*" || u == path || u.strip_suffix('*').is_some_and(|prefix| path.starts_with(prefix)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(v: Value) -> Rule {
        Rule::from_json(&v)
    }

    #[test]
    fn subresources_and_wildcards() {
        let pods = rule(json!({"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}));
        let log = Attributes { subresource: "log", ..Attributes::resource("get", "", "pods", "default", "p") };
        assert!(rule_allows(&Attributes::resource("get", "", "pods", "default", "p"), &pods));
        assert!(!rule_allows(&log, &pods));
        let star = rule(json!({"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}));
        assert!(rule_allows(&log, &star));
        let scale = rule(json!({"verbs": ["get"], "apiGroups": ["apps"], "resources": ["*/scale"]}));
        let dep_scale =
            Attributes { subresource: "scale", ..Attributes::resource("get", "apps", "deployments", "a", "d") };
        assert!(rule_allows(&dep_scale, &scale));
        assert!(!rule_allows(&Attributes::resource("get", "apps", "scale", "a", ""), &scale));
        let pods_star = rule(json!({"verbs": ["get"], "apiGroups": [""], "resources": ["pods/*"]}));
        assert!(!rule_allows(&log, &pods_star), "pods/* is literal");
    }

    #[test]
    fn urls_end_in_star_only() {
        let r = rule(json!({"verbs": ["get"], "nonResourceURLs": ["/healthz/*", "/api*"]}));
        assert!(rule_allows(&Attributes::non_resource("get", "/healthz/etcd"), &r));
        assert!(!rule_allows(&Attributes::non_resource("get", "/healthz"), &r));
        assert!(rule_allows(&Attributes::non_resource("get", "/apis/apps"), &r));
        assert!(!rule_allows(&Attributes::non_resource("post", "/apis/apps"), &r));
        // A resource rule never matches a non-resource request, nor the other way round.
        let res = rule(json!({"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}));
        assert!(!rule_allows(&Attributes::non_resource("get", "/version"), &res));
        assert!(!rule_allows(&Attributes::resource("get", "", "pods", "", ""), &r));
    }

    #[test]
    fn json_round_trip_leaves_out_empty_lists() {
        let v = json!({"verbs": ["get"], "apiGroups": [""], "resources": ["secrets"], "resourceNames": ["a"]});
        assert_eq!(rule(v.clone()).to_json(), v);
    }
}
