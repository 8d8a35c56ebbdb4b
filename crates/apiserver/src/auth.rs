//! Demo users, bearer-token authentication, and impersonation. What a user may do is decided by
//! the RBAC objects in the store (`rbac/`); the demo users' permissions are the bindings of
//! `assets/rbac/10-demo-users.yaml`.

use std::fmt;

use axum::http::HeaderMap;

use crate::rbac::{Attributes, Authorizer, UserInfo};
use crate::status::ApiError;
use crate::store::Store;

#[derive(Clone)]
pub struct User {
    pub name: String,
    pub token: String,
    /// The groups its credentials carry (besides `system:authenticated`, which every
    /// authenticated user has).
    pub groups: Vec<String>,
    /// The kubeconfig context that logs in as this user.
    pub context: String,
    /// The namespace that context starts in.
    pub default_namespace: String,
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User").field("name", &self.name).field("groups", &self.groups).finish_non_exhaustive()
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
                    groups: vec![crate::rbac::MASTERS.into()],
                    context: "keyhole-demo".into(),
                    default_namespace: "default".into(),
                },
                User {
                    name: "viewer".into(),
                    token: random_token("viewer"),
                    groups: Vec::new(),
                    context: "keyhole-demo-readonly".into(),
                    default_namespace: "default".into(),
                },
                User {
                    name: "auditor".into(),
                    token: random_token("auditor"),
                    groups: Vec::new(),
                    context: "keyhole-demo-auditor".into(),
                    default_namespace: "default".into(),
                },
                User {
                    name: "shop-dev".into(),
                    token: random_token("shop-dev"),
                    groups: Vec::new(),
                    context: "keyhole-demo-team".into(),
                    default_namespace: TEAM_NAMESPACE.into(),
                },
                User {
                    name: "lister".into(),
                    token: random_token("lister"),
                    groups: Vec::new(),
                    context: "keyhole-demo-nowatch".into(),
                    default_namespace: "default".into(),
                },
                User {
                    name: "getter".into(),
                    token: random_token("getter"),
                    groups: Vec::new(),
                    context: "keyhole-demo-getonly".into(),
                    default_namespace: "default".into(),
                },
                User {
                    name: "secret-reader".into(),
                    token: random_token("secret-reader"),
                    groups: Vec::new(),
                    context: "keyhole-demo-noconsumers".into(),
                    default_namespace: "default".into(),
                },
                User {
                    name: "two-teams".into(),
                    token: random_token("two-teams"),
                    groups: Vec::new(),
                    context: "keyhole-demo-pernamespace".into(),
                    default_namespace: "default".into(),
                },
                User {
                    name: "no-cronjobs".into(),
                    token: random_token("no-cronjobs"),
                    groups: Vec::new(),
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

impl User {
    /// Who requests with this user's credentials are from.
    pub fn info(&self) -> UserInfo {
        UserInfo::authenticated(&self.name, &self.groups)
    }
}

/// One thing a request asks to act as (`buildImpersonationRequests`).
enum Target<'a> {
    User(&'a str),
    ServiceAccount { namespace: &'a str, name: &'a str },
    Group(&'a str),
    Uid(&'a str),
}

impl Target<'_> {
    /// The attributes the requester must be allowed, and the object reference Go prints.
    fn check(&self) -> (Attributes<'_>, String) {
        match *self {
            Target::User(name) => {
                (Attributes::resource(IMPERSONATE, "", "users", "", name), format!("{{User  {name}    }}"))
            }
            Target::ServiceAccount { namespace, name } => (
                Attributes::resource(IMPERSONATE, "", "serviceaccounts", namespace, name),
                format!("{{ServiceAccount {namespace} {name}    }}"),
            ),
            Target::Group(name) => {
                (Attributes::resource(IMPERSONATE, "", "groups", "", name), format!("{{Group  {name}    }}"))
            }
            Target::Uid(uid) => (
                Attributes::resource(IMPERSONATE, "authentication.k8s.io", "uids", "", uid),
                format!("{{UID  {uid}  authentication.k8s.io/v1  }}"),
            ),
        }
    }
}

const IMPERSONATE: &str = "impersonate";

/// `serviceaccount.SplitUsername`: `system:serviceaccount:NS:NAME` with both parts set.
fn split_service_account(user: &str) -> Option<(&str, &str)> {
    let rest = user.strip_prefix("system:serviceaccount:")?;
    let (ns, name) = rest.split_once(':')?;
    (!ns.is_empty() && !name.is_empty() && !name.contains(':')).then_some((ns, name))
}

/// The impersonation filter (apiserver `endpoints/filters/impersonation/impersonation.go`
/// `WithImpersonation`): with `Impersonate-User` (and optionally `Impersonate-Group`, repeated,
/// and `Impersonate-Uid`), the request is served as that user, provided the requester may
/// `impersonate` each of them (by RBAC, like any request). A refusal is the 403 of the failed
/// check. `Impersonate-Extra-*` headers are not supported and are ignored.
pub fn impersonate(
    authz: &Authorizer,
    store: &Store,
    requester: UserInfo,
    headers: &HeaderMap,
) -> Result<UserInfo, ApiError> {
    let values = |h: &str| -> Vec<&str> { headers.get_all(h).iter().filter_map(|v| v.to_str().ok()).collect() };
    let user = headers.get("Impersonate-User").and_then(|v| v.to_str().ok()).filter(|u| !u.is_empty());
    let groups = values("Impersonate-Group");
    let uid = headers.get("Impersonate-Uid").and_then(|v| v.to_str().ok()).filter(|u| !u.is_empty());
    let mut targets = Vec::new();
    if let Some(u) = user {
        targets.push(match split_service_account(u) {
            Some((namespace, name)) => Target::ServiceAccount { namespace, name },
            None => Target::User(u),
        });
    }
    targets.extend(groups.iter().map(|g| Target::Group(g)));
    targets.extend(uid.map(Target::Uid));
    if targets.is_empty() {
        return Ok(requester);
    }
    let Some(name) = user else {
        let refs: Vec<String> = targets.iter().map(|t| t.check().1).collect();
        return Err(ApiError::bad_request(format!("requested [{}] without impersonating a user", refs.join(" "))));
    };
    for t in &targets {
        let (attrs, _) = t.check();
        let decision = authz.authorize(store, &requester, &attrs);
        if !decision.allowed {
            return Err(ApiError::forbidden_attrs(&requester.name, &attrs, &decision.reason));
        }
    }
    let mut impersonated: Vec<String> = groups.iter().map(|g| g.to_string()).collect();
    if let (true, Some((ns, _))) = (groups.is_empty(), split_service_account(name)) {
        impersonated = vec!["system:serviceaccounts".into(), format!("system:serviceaccounts:{ns}")];
    }
    let mut info = if name == "system:anonymous" {
        if !impersonated.iter().any(|g| g == "system:unauthenticated") {
            impersonated.push("system:unauthenticated".into());
        }
        UserInfo { name: name.into(), uid: String::new(), groups: impersonated }
    } else {
        UserInfo::authenticated(name, &impersonated)
    };
    info.uid = uid.unwrap_or("").to_string();
    Ok(info)
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
}
