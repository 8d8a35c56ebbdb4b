//! Demo users, bearer-token authentication, and a small RBAC-like authorizer.

use std::fmt;

use crate::resources::ResourceDef;

/// What a user may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// Everything, everywhere.
    Admin,
    /// get, list and watch, everywhere.
    ReadOnly,
    /// Everything on namespaced resources in one namespace; nothing cluster-wide.
    Namespace(String),
    /// get, list and watch everywhere, except `get` on Secrets: sees the Secrets list (which
    /// carries no values) but cannot read a Secret's values.
    ListOnly,
    /// get, list and watch everywhere, and on Secrets every verb but `watch` (a Role written
    /// without it): a Secrets watch is the real 403, while Secrets can be read and edited.
    NoSecretWatch,
    /// get, list and watch everywhere, except Secrets, which it may only `get` by name.
    SecretGetOnly,
    /// get, list and watch everywhere, except Pods, ServiceAccounts and Ingresses, on which it
    /// may do nothing: usage of a Secret cannot be proven.
    NoConsumers,
    /// get, list and watch in these namespaces only (a RoleBinding in each), and the namespaces
    /// themselves may be listed: listing across namespaces is the real 403, namespace by
    /// namespace it works.
    Namespaces(Vec<String>),
    /// get, list and watch everywhere, except CronJobs, on which it may do nothing: a Secret
    /// that only a CronJob uses between its runs cannot be proven used or unused.
    NoCronJobs,
}

#[derive(Clone)]
pub struct User {
    pub name: String,
    pub token: String,
    pub role: Role,
    /// The kubeconfig context that logs in as this user.
    pub context: String,
    /// The namespace that context starts in.
    pub default_namespace: String,
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User").field("name", &self.name).field("role", &self.role).finish_non_exhaustive()
    }
}

/// The namespace the team user owns in the demo.
pub const TEAM_NAMESPACE: &str = "shop";

#[derive(Debug, Clone)]
pub struct Users {
    users: Vec<User>,
    /// Further tokens, each for the user of that index (`ServerOptions::static_tokens`).
    static_tokens: Vec<(String, usize)>,
}

fn random_token(prefix: &str) -> String {
    format!("{prefix}.{}", uuid::Uuid::new_v4().simple())
}

impl Users {
    /// The demo users, with fresh random tokens. The first is the admin.
    pub fn demo() -> Self {
        Users {
            users: vec![
                User {
                    name: "admin".into(),
                    token: random_token("admin"),
                    role: Role::Admin,
                    context: "keyhole-demo".into(),
                    default_namespace: "default".into(),
                },
                User {
                    name: "viewer".into(),
                    token: random_token("viewer"),
                    role: Role::ReadOnly,
                    context: "keyhole-demo-readonly".into(),
                    default_namespace: "default".into(),
                },
                User {
                    name: "auditor".into(),
                    token: random_token("auditor"),
                    role: Role::ListOnly,
                    context: "keyhole-demo-auditor".into(),
                    default_namespace: "default".into(),
                },
                User {
                    name: "shop-dev".into(),
                    token: random_token("shop-dev"),
                    role: Role::Namespace(TEAM_NAMESPACE.into()),
                    context: "keyhole-demo-team".into(),
                    default_namespace: TEAM_NAMESPACE.into(),
                },
                User {
                    name: "lister".into(),
                    token: random_token("lister"),
                    role: Role::NoSecretWatch,
                    context: "keyhole-demo-nowatch".into(),
                    default_namespace: "default".into(),
                },
                User {
                    name: "getter".into(),
                    token: random_token("getter"),
                    role: Role::SecretGetOnly,
                    context: "keyhole-demo-getonly".into(),
                    default_namespace: "default".into(),
                },
                User {
                    name: "secret-reader".into(),
                    token: random_token("secret-reader"),
                    role: Role::NoConsumers,
                    context: "keyhole-demo-noconsumers".into(),
                    default_namespace: "default".into(),
                },
                User {
                    name: "two-teams".into(),
                    token: random_token("two-teams"),
                    role: Role::Namespaces(vec!["default".into(), TEAM_NAMESPACE.into()]),
                    context: "keyhole-demo-pernamespace".into(),
                    default_namespace: "default".into(),
                },
                User {
                    name: "no-cronjobs".into(),
                    token: random_token("no-cronjobs"),
                    role: Role::NoCronJobs,
                    context: "keyhole-demo-nocronjobs".into(),
                    default_namespace: "default".into(),
                },
            ],
            static_tokens: Vec::new(),
        }
    }

    pub fn all(&self) -> &[User] {
        &self.users
    }

    pub fn by_name(&self, name: &str) -> Option<&User> {
        self.users.iter().find(|u| u.name == name)
    }

    pub fn admin(&self) -> &User {
        &self.users[0]
    }

    /// Adds tokens that log in as the named demo users (names that are not demo users are
    /// ignored).
    pub fn with_static_tokens(mut self, tokens: &[(String, String)]) -> Self {
        for (token, user) in tokens {
            if let Some(i) = self.users.iter().position(|u| &u.name == user) {
                self.static_tokens.push((token.clone(), i));
            }
        }
        self
    }

    /// Finds the user for an `Authorization` header value (`Bearer <token>`).
    pub fn authenticate(&self, header: Option<&str>) -> Option<&User> {
        let token = header?.strip_prefix("Bearer ")?.trim();
        // Compare every token in full so that timing says nothing about which one was close.
        let mut found = None;
        for u in &self.users {
            if constant_time_eq(u.token.as_bytes(), token.as_bytes()) {
                found = Some(u);
            }
        }
        for (t, i) in &self.static_tokens {
            if constant_time_eq(t.as_bytes(), token.as_bytes()) {
                found = self.users.get(*i);
            }
        }
        found
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whether `user` may `verb` the resource. `namespace` is empty for cluster-scoped requests
/// (including lists across all namespaces).
pub fn allowed(user: &User, verb: &str, group: &str, resource: &str, namespace: &str) -> bool {
    // Every authenticated user may ask what it is allowed to do and who it is (system:basic-user).
    if verb == "create" && is_self_review(group, resource) {
        return true;
    }
    match &user.role {
        Role::Admin => true,
        Role::ReadOnly => matches!(verb, "get" | "list" | "watch"),
        Role::Namespace(ns) => !namespace.is_empty() && namespace == ns && resource != "namespaces",
        Role::ListOnly => matches!(verb, "list" | "watch") || (verb == "get" && !is_secrets(group, resource)),
        Role::NoSecretWatch if is_secrets(group, resource) => SECRET_WRITER_VERBS.contains(&verb),
        Role::NoSecretWatch => is_read(verb),
        Role::SecretGetOnly => is_read(verb) && (verb == "get" || !is_secrets(group, resource)),
        Role::NoConsumers => is_read(verb) && !is_consumer(group, resource),
        Role::Namespaces(list) => {
            is_read(verb) && ((group.is_empty() && resource == "namespaces") || list.iter().any(|n| n == namespace))
        }
        Role::NoCronJobs => is_read(verb) && !is_cronjobs(group, resource),
    }
}

/// What `NoSecretWatch` may do with Secrets: everything an editor does, but watch.
const SECRET_WRITER_VERBS: &[&str] = &["get", "list", "create", "update", "patch", "delete"];

fn is_read(verb: &str) -> bool {
    matches!(verb, "get" | "list" | "watch")
}

fn is_secrets(group: &str, resource: &str) -> bool {
    group.is_empty() && resource == "secrets"
}

fn is_cronjobs(group: &str, resource: &str) -> bool {
    group == "batch" && resource == "cronjobs"
}

/// The kinds whose objects say which Secrets are used (keyhole's "Used by").
fn is_consumer(group: &str, resource: &str) -> bool {
    matches!((group, resource), ("", "pods" | "serviceaccounts") | ("networking.k8s.io", "ingresses"))
}

/// The stored resources, built-in then custom (`custom` is `crd::served`), by API group in
/// discovery order: `(group, plurals)`, each plural once, for the groups that have any.
fn stored_by_group(
    custom: &[&'static ResourceDef],
    keep: impl Fn(&ResourceDef) -> bool,
) -> Vec<(&'static str, Vec<&'static str>)> {
    let mut groups: Vec<&'static str> = std::iter::once("").chain(crate::resources::GROUPS.iter().copied()).collect();
    for d in custom {
        if !groups.contains(&d.group) {
            groups.push(d.group);
        }
    }
    let mut out = Vec::new();
    for group in groups {
        let mut resources: Vec<&'static str> = Vec::new();
        for r in crate::resources::RESOURCES.iter().chain(custom.iter().copied()) {
            if r.group == group && r.stored && keep(r) && !resources.contains(&r.plural) {
                resources.push(r.plural);
            }
        }
        if !resources.is_empty() {
            out.push((group, resources));
        }
    }
    out
}

/// Read rules (get, list, watch) on every stored resource but those `except` names, as a
/// ClusterRole would list them: one rule per API group.
fn read_rules_except(custom: &[&'static ResourceDef], except: impl Fn(&str, &str) -> bool) -> Vec<serde_json::Value> {
    stored_by_group(custom, |r| !except(r.group, r.plural))
        .into_iter()
        .map(|(group, resources)| {
            serde_json::json!({"verbs": ["get", "list", "watch"], "apiGroups": [group], "resources": resources})
        })
        .collect()
}

/// The reviews every user may create about itself.
pub fn is_self_review(group: &str, resource: &str) -> bool {
    matches!(
        (group, resource),
        ("authorization.k8s.io", "selfsubjectaccessreviews" | "selfsubjectrulesreviews")
            | ("authentication.k8s.io", "selfsubjectreviews")
    )
}

/// The groups a user is in, as `kubectl auth whoami` shows them.
pub fn groups(user: &User) -> Vec<&'static str> {
    match user.role {
        Role::Admin => vec!["system:masters", "system:authenticated"],
        _ => vec!["system:authenticated"],
    }
}

/// A user's permissions as SelfSubjectRulesReview rules (`kubectl auth can-i --list`), for one
/// namespace: the role's rules, then what every user may do (system:basic-user,
/// system:discovery, system:public-info-viewer). `custom` is the custom resources served now
/// (`crd::served`): the roles that name resources name those too.
pub fn rules(
    user: &User,
    namespace: &str,
    custom: &[&'static ResourceDef],
) -> (Vec<serde_json::Value>, Vec<serde_json::Value>) {
    use serde_json::json;
    let mut resource_rules = Vec::new();
    let mut non_resource_rules = Vec::new();
    match &user.role {
        Role::Admin => {
            resource_rules.push(json!({"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}));
            non_resource_rules.push(json!({"verbs": ["*"], "nonResourceURLs": ["*"]}));
        }
        Role::ReadOnly => {
            resource_rules.push(json!({"verbs": ["get", "list", "watch"], "apiGroups": ["*"], "resources": ["*"]}));
        }
        Role::Namespace(ns) if ns == namespace => {
            for (group, resources) in stored_by_group(custom, |r| r.namespaced) {
                resource_rules.push(json!({"verbs": ["*"], "apiGroups": [group], "resources": resources}));
            }
        }
        Role::Namespace(_) => {}
        Role::ListOnly => {
            resource_rules.push(json!({"verbs": ["list", "watch"], "apiGroups": ["*"], "resources": ["*"]}));
            // get on everything stored but Secrets: the core resources by name, the other groups whole.
            let groups = stored_by_group(custom, |r| !is_secrets(r.group, r.plural));
            for (group, resources) in &groups {
                if group.is_empty() {
                    resource_rules.push(json!({"verbs": ["get"], "apiGroups": [""], "resources": resources}));
                }
            }
            let others: Vec<&str> = groups.iter().map(|(g, _)| *g).filter(|g| !g.is_empty()).collect();
            resource_rules.push(json!({"verbs": ["get"], "apiGroups": others, "resources": ["*"]}));
        }
        Role::NoSecretWatch => {
            resource_rules.extend(read_rules_except(custom, is_secrets));
            resource_rules.push(json!({"verbs": SECRET_WRITER_VERBS, "apiGroups": [""], "resources": ["secrets"]}));
        }
        Role::SecretGetOnly => {
            resource_rules.extend(read_rules_except(custom, is_secrets));
            resource_rules.push(json!({"verbs": ["get"], "apiGroups": [""], "resources": ["secrets"]}));
        }
        Role::NoConsumers => resource_rules.extend(read_rules_except(custom, is_consumer)),
        Role::NoCronJobs => resource_rules.extend(read_rules_except(custom, is_cronjobs)),
        Role::Namespaces(list) => {
            if list.iter().any(|n| n == namespace) {
                resource_rules.extend(read_rules_except(custom, |group, resource| {
                    crate::resources::RESOURCES
                        .iter()
                        .any(|r| r.group == group && r.plural == resource && !r.namespaced)
                }));
            }
            resource_rules
                .push(json!({"verbs": ["get", "list", "watch"], "apiGroups": [""], "resources": ["namespaces"]}));
        }
    }
    resource_rules.push(
        json!({"verbs": ["create"], "apiGroups": ["authentication.k8s.io"], "resources": ["selfsubjectreviews"]}),
    );
    resource_rules.push(json!({"verbs": ["create"], "apiGroups": ["authorization.k8s.io"],
                               "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]}));
    non_resource_rules.push(json!({"verbs": ["get"], "nonResourceURLs": [
        "/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"
    ]}));
    (resource_rules, non_resource_rules)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_authenticate_their_user_only() {
        let users = Users::demo();
        let viewer = users.by_name("viewer").unwrap();
        let header = format!("Bearer {}", viewer.token);
        assert_eq!(users.authenticate(Some(&header)).unwrap().name, "viewer");
        assert!(users.authenticate(Some("Bearer nope")).is_none());
        assert!(users.authenticate(None).is_none());
        assert!(users.authenticate(Some(&viewer.token)).is_none());
        assert!(!format!("{viewer:?}").contains(&viewer.token));
    }

    #[test]
    fn static_tokens_log_in_as_their_user_and_others_are_ignored() {
        let users =
            Users::demo().with_static_tokens(&[("a.b.c".into(), "viewer".into()), ("x".into(), "nobody".into())]);
        assert_eq!(users.authenticate(Some("Bearer a.b.c")).unwrap().name, "viewer");
        assert!(users.authenticate(Some("Bearer x")).is_none());
        let admin = format!("Bearer {}", users.admin().token);
        assert_eq!(users.authenticate(Some(&admin)).unwrap().name, "admin");
    }

    #[test]
    fn roles() {
        let users = Users::demo();
        let admin = users.by_name("admin").unwrap();
        let viewer = users.by_name("viewer").unwrap();
        let team = users.by_name("shop-dev").unwrap();
        assert!(allowed(admin, "delete", "", "secrets", "default"));
        assert!(allowed(viewer, "list", "", "secrets", ""));
        assert!(!allowed(viewer, "update", "", "secrets", "default"));
        assert!(allowed(team, "update", "", "secrets", "shop"));
        assert!(!allowed(team, "get", "", "secrets", "default"));
        assert!(!allowed(team, "list", "", "secrets", ""));
        assert!(!allowed(team, "list", "", "namespaces", ""));
        assert!(allowed(team, "create", "authorization.k8s.io", "selfsubjectaccessreviews", ""));
        assert!(allowed(viewer, "create", "authorization.k8s.io", "selfsubjectrulesreviews", ""));
        assert!(allowed(viewer, "create", "authentication.k8s.io", "selfsubjectreviews", ""));
        assert!(!allowed(viewer, "create", "authentication.k8s.io", "tokenreviews", ""));
    }

    #[test]
    fn restricted_readers() {
        let users = Users::demo();
        let lister = users.by_name("lister").unwrap();
        assert!(allowed(lister, "get", "", "secrets", "default"));
        assert!(allowed(lister, "list", "", "secrets", ""));
        assert!(!allowed(lister, "watch", "", "secrets", "default"));
        assert!(allowed(lister, "watch", "", "pods", ""));
        assert!(allowed(lister, "update", "", "secrets", "default"), "edits what it cannot watch");
        assert!(!allowed(lister, "update", "", "pods", "default"));
        let getter = users.by_name("getter").unwrap();
        assert!(allowed(getter, "get", "", "secrets", "default"));
        assert!(!allowed(getter, "list", "", "secrets", "default"));
        assert!(!allowed(getter, "watch", "", "secrets", "default"));
        assert!(allowed(getter, "list", "", "pods", "default"));
        let reader = users.by_name("secret-reader").unwrap();
        assert!(allowed(reader, "list", "", "secrets", ""));
        assert!(allowed(reader, "watch", "", "secrets", ""));
        assert!(allowed(reader, "list", "apps", "replicasets", ""));
        for (group, resource) in [("", "pods"), ("", "serviceaccounts"), ("networking.k8s.io", "ingresses")] {
            assert!(!allowed(reader, "list", group, resource, "default"), "{resource}");
            assert!(!allowed(reader, "get", group, resource, "default"), "{resource}");
        }
        let two = users.by_name("two-teams").unwrap();
        assert!(!allowed(two, "list", "", "secrets", ""), "not across namespaces");
        assert!(allowed(two, "list", "", "secrets", "default"));
        assert!(allowed(two, "watch", "", "secrets", "shop"));
        assert!(allowed(two, "list", "", "pods", "shop"));
        assert!(!allowed(two, "list", "", "secrets", "kube-system"));
        assert!(allowed(two, "list", "", "namespaces", ""));
        assert!(!allowed(two, "update", "", "secrets", "default"));
        let no_cronjobs = users.by_name("no-cronjobs").unwrap();
        assert_eq!(no_cronjobs.context, "keyhole-demo-nocronjobs");
        for verb in ["get", "list", "watch"] {
            assert!(!allowed(no_cronjobs, verb, "batch", "cronjobs", "shop"), "{verb}");
            assert!(!allowed(no_cronjobs, verb, "batch", "cronjobs", ""), "{verb}");
        }
        assert!(allowed(no_cronjobs, "list", "batch", "jobs", ""));
        assert!(allowed(no_cronjobs, "list", "", "secrets", ""));
        assert!(allowed(no_cronjobs, "get", "", "secrets", "shop"));
        assert!(allowed(no_cronjobs, "list", "", "pods", "shop"));
        assert!(allowed(no_cronjobs, "list", "gateway.networking.k8s.io", "gateways", ""));
        assert!(!allowed(no_cronjobs, "delete", "batch", "jobs", "shop"));
        let (rules, _) = rules(no_cronjobs, "shop", &[]);
        let batch = rules.iter().find(|r| r["apiGroups"][0] == "batch").unwrap();
        assert_eq!(batch["resources"], serde_json::json!(["jobs"]));
        let contexts: Vec<&str> = users.all().iter().map(|u| u.context.as_str()).collect();
        assert!(contexts.iter().all(|c| c.starts_with("keyhole-demo")), "{contexts:?}");
        assert_eq!(contexts.len(), contexts.iter().collect::<std::collections::BTreeSet<_>>().len());
    }
}
