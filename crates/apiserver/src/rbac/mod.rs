//! Authorization from the stored `rbac.authorization.k8s.io/v1` objects, as kube-apiserver's
//! RBAC authorizer decides (`plugin/pkg/auth/authorizer/rbac/rbac.go` `Authorize`, `RulesFor`;
//! `pkg/registry/rbac/validation/rule.go` `VisitRulesFor`, `appliesTo`), behind the
//! `system:masters` group, which is allowed everything before RBAC is asked.
//!
//! The rules that apply to one user in one namespace are collected once and kept until an
//! RBAC object changes (the store counts those changes, `Inner::rbac_changes`): a request costs
//! a map lookup and a walk over that user's rules, whatever the number of other objects.

pub mod aggregate;
pub mod escalation;
pub mod kinds;
pub mod protobuf;
pub mod rules;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;

pub use self::rules::{Attributes, Rule, rule_allows};
use crate::store::{Inner, Store};

pub const GROUP: &str = "rbac.authorization.k8s.io";

/// The four RBAC resources (store buckets).
pub const RESOURCES: &[&str] = &["roles", "clusterroles", "rolebindings", "clusterrolebindings"];

pub const AUTHENTICATED: &str = "system:authenticated";
pub const MASTERS: &str = "system:masters";

/// Who a request is from, after authentication and impersonation (`user.Info`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UserInfo {
    pub name: String,
    pub uid: String,
    pub groups: Vec<String>,
}

impl UserInfo {
    /// An authenticated user: its groups, then `system:authenticated`
    /// (`AuthenticatedGroupAdder`).
    pub fn authenticated(name: &str, groups: &[String]) -> Self {
        let mut groups = groups.to_vec();
        if !groups.iter().any(|g| g == AUTHENTICATED || g == "system:unauthenticated") {
            groups.push(AUTHENTICATED.into());
        }
        UserInfo { name: name.into(), uid: String::new(), groups }
    }

    fn in_group(&self, group: &str) -> bool {
        self.groups.iter().any(|g| g == group)
    }
}

/// An authorizer's answer (`authorizer.Decision` and its reason).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    /// `RBAC: allowed by ...` when allowed by a binding; on a denial, the errors met on the way
    /// (a binding to a missing role) as `RBAC: ...`, else empty.
    pub reason: String,
}

/// The rules a user holds in one namespace: each binding's role rules with the binding
/// described as the authorizer's reason names it, plus the errors of unresolvable bindings.
#[derive(Debug, Default)]
pub struct Granted {
    pub sets: Vec<(String, Arc<Vec<Rule>>)>,
    pub errors: Vec<String>,
}

impl Granted {
    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.sets.iter().flat_map(|(_, r)| r.iter())
    }
}

#[derive(Debug)]
struct Subject {
    kind: String,
    name: String,
    namespace: String,
}

#[derive(Debug)]
struct Binding {
    name: String,
    /// Empty for a ClusterRoleBinding.
    namespace: String,
    role_kind: String,
    role_name: String,
    subjects: Vec<Subject>,
}

fn str_at<'a>(v: &'a Value, p: &str) -> &'a str {
    v.pointer(p).and_then(Value::as_str).unwrap_or("")
}

impl Binding {
    fn from_json(v: &Value) -> Binding {
        let subjects = v
            .get("subjects")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|s| Subject {
                        kind: str_at(s, "/kind").into(),
                        name: str_at(s, "/name").into(),
                        namespace: str_at(s, "/namespace").into(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Binding {
            name: str_at(v, "/metadata/name").into(),
            namespace: str_at(v, "/metadata/namespace").into(),
            role_kind: str_at(v, "/roleRef/kind").into(),
            role_name: str_at(v, "/roleRef/name").into(),
            subjects,
        }
    }

    /// The first subject that is this user (`appliesTo`).
    fn subject_for(&self, user: &UserInfo) -> Option<&Subject> {
        self.subjects.iter().find(|s| match s.kind.as_str() {
            "User" => user.name == s.name,
            "Group" => user.in_group(&s.name),
            "ServiceAccount" => {
                let ns = if s.namespace.is_empty() { &self.namespace } else { &s.namespace };
                !ns.is_empty() && user.name == format!("system:serviceaccount:{ns}:{}", s.name)
            }
            _ => false,
        })
    }

    /// `roleBindingDescriber` / `clusterRoleBindingDescriber` with `describeSubject`.
    fn describe(&self, s: &Subject) -> String {
        let subject = match s.kind.as_str() {
            "ServiceAccount" => {
                let ns = if s.namespace.is_empty() { &self.namespace } else { &s.namespace };
                format!("ServiceAccount \"{}/{ns}\"", s.name)
            }
            kind => format!("{kind} \"{}\"", s.name),
        };
        if self.namespace.is_empty() {
            format!("ClusterRoleBinding \"{}\" of {} \"{}\" to {subject}", self.name, self.role_kind, self.role_name)
        } else {
            format!(
                "RoleBinding \"{}/{}\" of {} \"{}\" to {subject}",
                self.name, self.namespace, self.role_kind, self.role_name
            )
        }
    }
}

/// The RBAC objects at one point, parsed.
#[derive(Debug, Default)]
struct Policy {
    cluster_bindings: Vec<Binding>,
    bindings: HashMap<String, Vec<Binding>>,
    roles: HashMap<(String, String), Arc<Vec<Rule>>>,
    cluster_roles: HashMap<String, Arc<Vec<Rule>>>,
}

impl Policy {
    fn load(s: &Inner) -> Policy {
        let mut p = Policy::default();
        for ((ns, name), obj) in s.iter("roles", None, None) {
            p.roles.insert((ns.clone(), name.clone()), Arc::new(Rule::all_of(obj)));
        }
        for ((_, name), obj) in s.iter("clusterroles", None, None) {
            p.cluster_roles.insert(name.clone(), Arc::new(Rule::all_of(obj)));
        }
        for (_, obj) in s.iter("clusterrolebindings", None, None) {
            p.cluster_bindings.push(Binding::from_json(obj));
        }
        for ((ns, _), obj) in s.iter("rolebindings", None, None) {
            p.bindings.entry(ns.clone()).or_default().push(Binding::from_json(obj));
        }
        p
    }

    /// `GetRoleReferenceRules`: the rules of the role a binding refers to.
    fn role_rules(&self, b: &Binding) -> Result<Arc<Vec<Rule>>, String> {
        let found = match b.role_kind.as_str() {
            "Role" => self.roles.get(&(b.namespace.clone(), b.role_name.clone())),
            "ClusterRole" => self.cluster_roles.get(&b.role_name),
            other => return Err(format!("unsupported role reference kind: \"{other}\"")),
        };
        let singular = if b.role_kind == "Role" { "role" } else { "clusterrole" };
        found.cloned().ok_or_else(|| format!("{singular}.{GROUP} \"{}\" not found", b.role_name))
    }

    /// `VisitRulesFor`: ClusterRoleBindings, then the RoleBindings of `namespace` if any.
    fn granted(&self, user: &UserInfo, namespace: &str) -> Granted {
        let mut g = Granted::default();
        let in_ns = if namespace.is_empty() { None } else { self.bindings.get(namespace) };
        for b in self.cluster_bindings.iter().chain(in_ns.into_iter().flatten()) {
            let Some(subject) = b.subject_for(user) else { continue };
            match self.role_rules(b) {
                Ok(rules) => g.sets.push((b.describe(subject), rules)),
                Err(e) => g.errors.push(e),
            }
        }
        g
    }
}

type CacheKey = (UserInfo, String);

/// The most (user, namespace) rule sets kept; beyond it the cache starts over.
const CACHE_LIMIT: usize = 4096;

#[derive(Debug, Default)]
struct Cache {
    /// `Inner::rbac_changes` when `policy` was read.
    changes: Option<u64>,
    policy: Arc<Policy>,
    granted: HashMap<CacheKey, Arc<Granted>>,
}

/// The authorizer of one server.
#[derive(Debug, Default)]
pub struct Authorizer {
    cache: Mutex<Cache>,
}

impl Authorizer {
    /// The rules `user` holds in `namespace` (cluster-wide ones only for `""`).
    pub fn granted(&self, store: &Store, user: &UserInfo, namespace: &str) -> Arc<Granted> {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        {
            let s = store.lock();
            if cache.changes != Some(s.rbac_changes()) {
                cache.policy = Arc::new(Policy::load(&s));
                cache.changes = Some(s.rbac_changes());
                cache.granted.clear();
            }
        }
        let key = (user.clone(), namespace.to_string());
        if let Some(g) = cache.granted.get(&key) {
            return g.clone();
        }
        let g = Arc::new(cache.policy.granted(user, namespace));
        if cache.granted.len() >= CACHE_LIMIT {
            cache.granted.clear();
        }
        cache.granted.insert(key, g.clone());
        g
    }

    /// `Authorize`: `system:masters` first, then RBAC.
    pub fn authorize(&self, store: &Store, user: &UserInfo, a: &Attributes<'_>) -> Decision {
        if user.in_group(MASTERS) {
            return Decision { allowed: true, reason: String::new() };
        }
        let granted = self.granted(store, user, a.namespace);
        for (source, rules) in &granted.sets {
            if rules.iter().any(|r| rule_allows(a, r)) {
                return Decision { allowed: true, reason: format!("RBAC: allowed by {source}") };
            }
        }
        let reason = match granted.errors.as_slice() {
            [] => String::new(),
            [one] => format!("RBAC: {one}"),
            many => format!("RBAC: [{}]", many.join(", ")),
        };
        Decision { allowed: false, reason }
    }
}

/// Whether an object's labels satisfy a `metav1.LabelSelector` given as JSON (`matchLabels`
/// and `matchExpressions`, all ANDed; an empty selector matches everything).
pub fn selector_matches(selector: &Value, labels: Option<&serde_json::Map<String, Value>>) -> bool {
    let label = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
    let by_label = selector
        .get("matchLabels")
        .and_then(Value::as_object)
        .is_none_or(|m| m.iter().all(|(k, v)| label(k).is_some() && label(k) == v.as_str()));
    let by_expression = selector.get("matchExpressions").and_then(Value::as_array).is_none_or(|exprs| {
        exprs.iter().all(|e| {
            let key = str_at(e, "/key");
            let values: Vec<&str> = e
                .get("values")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            match (str_at(e, "/operator"), label(key)) {
                ("In", Some(v)) => values.contains(&v),
                ("NotIn", v) => v.is_none_or(|v| !values.contains(&v)),
                ("Exists", v) => v.is_some(),
                ("DoesNotExist", v) => v.is_none(),
                _ => false,
            }
        })
    });
    by_label && by_expression
}

#[cfg(test)]
mod tests;
