//! What the access analysis answers: each subject that can read a Secret, and every path that
//! lets it (binding → role → rule, and the verb).

use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use serde::Serialize;

/// The RBAC objects of a cluster, as stored (read with list on the four kinds).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Policy {
    pub cluster_roles: Vec<ClusterRole>,
    pub roles: Vec<Role>,
    pub cluster_role_bindings: Vec<ClusterRoleBinding>,
    pub role_bindings: Vec<RoleBinding>,
}

/// Who: a subject of a binding. A `User` subject named `system:serviceaccount:NS:NAME` is that
/// service account (the authorizer matches it by user name), so it is kept as one.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind")]
pub enum Subject {
    User { name: String },
    Group { name: String },
    ServiceAccount { namespace: String, name: String },
}

impl Subject {
    pub fn user(name: &str) -> Self {
        match name.strip_prefix("system:serviceaccount:").and_then(|r| r.split_once(':')) {
            Some((ns, sa)) if !ns.is_empty() && !sa.is_empty() && !sa.contains(':') => {
                Subject::ServiceAccount { namespace: ns.into(), name: sa.into() }
            }
            _ => Subject::User { name: name.into() },
        }
    }
    pub fn group(name: &str) -> Self {
        Subject::Group { name: name.into() }
    }
    pub fn service_account(namespace: &str, name: &str) -> Self {
        Subject::ServiceAccount { namespace: namespace.into(), name: name.into() }
    }

    /// The user name the API server sees (a service account's is `system:serviceaccount:NS:NAME`).
    pub fn user_name(&self) -> Option<String> {
        match self {
            Subject::User { name } => Some(name.clone()),
            Subject::ServiceAccount { namespace, name } => Some(format!("system:serviceaccount:{namespace}:{name}")),
            Subject::Group { .. } => None,
        }
    }

    /// "User jane", "Group developers", "ServiceAccount shop/shop-frontend".
    pub fn label(&self) -> String {
        match self {
            Subject::User { name } => format!("User {name}"),
            Subject::Group { name } => format!("Group {name}"),
            Subject::ServiceAccount { namespace, name } => format!("ServiceAccount {namespace}/{name}"),
        }
    }

    /// The groups every member of this subject is in without a binding saying so: every
    /// authenticated user is in `system:authenticated`, a service account also in
    /// `system:serviceaccounts` and `system:serviceaccounts:NS`.
    pub fn implicit_groups(&self) -> Vec<String> {
        match self {
            Subject::ServiceAccount { namespace, .. } => vec![
                "system:serviceaccounts".into(),
                format!("system:serviceaccounts:{namespace}"),
                AUTHENTICATED.into(),
            ],
            Subject::Group { name } if name == AUTHENTICATED || name == UNAUTHENTICATED => Vec::new(),
            _ => vec![AUTHENTICATED.into()],
        }
    }

    /// Subjects of Kubernetes itself: `system:masters`, the control plane's users
    /// (`system:kube-controller-manager`, `system:node:*`, ...) and groups, and the service
    /// accounts of `kube-system` (its controllers). They are grouped, never hidden.
    pub fn is_builtin(&self) -> bool {
        match self {
            Subject::User { name } => name.starts_with("system:"),
            Subject::Group { name } => name.starts_with("system:") && !everyone(name),
            Subject::ServiceAccount { namespace, .. } => namespace == "kube-system",
        }
    }
}

pub(crate) const AUTHENTICATED: &str = "system:authenticated";
pub(crate) const UNAUTHENTICATED: &str = "system:unauthenticated";
pub(crate) const MASTERS: &str = "system:masters";

/// Groups that stand for everyone (or every service account) rather than for a team.
pub(crate) fn everyone(group: &str) -> bool {
    group == AUTHENTICATED || group == UNAUTHENTICATED || group.starts_with("system:serviceaccounts")
}

/// A binding, as `kubectl get` names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BindingRef {
    /// RoleBinding or ClusterRoleBinding.
    pub kind: &'static str,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

impl BindingRef {
    pub fn label(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {ns}/{}", self.kind, self.name),
            None => format!("{} {}", self.kind, self.name),
        }
    }
}

/// A role, and the ClusterRole a rule was aggregated from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleRef {
    /// Role or ClusterRole.
    pub kind: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aggregated_from: Option<String>,
}

impl RoleRef {
    pub fn label(&self) -> String {
        match &self.aggregated_from {
            Some(from) => format!("{} {} (aggregated from {from})", self.kind, self.name),
            None => format!("{} {}", self.kind, self.name),
        }
    }
}

/// How a path yields the Secret's values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Via {
    /// `get`, `list` or `watch` on Secrets (the verbs the rule grants here). `byName`: the rule
    /// names this Secret in `resourceNames` (only `get` then).
    #[serde(rename_all = "camelCase")]
    Read { verbs: Vec<String>, by_name: bool },
    /// `create` on Pods or on a kind whose controller creates Pods: a Pod that mounts the
    /// Secret can be started.
    #[serde(rename_all = "camelCase")]
    CreatePods { resources: Vec<String> },
    /// `impersonate` a subject that can read it.
    #[serde(rename_all = "camelCase")]
    Impersonate { targets: Vec<Subject> },
    /// `create` (or, for a WebSocket before Kubernetes 1.35, `get`) on `pods/exec` or
    /// `pods/attach` where Pods that read the Secret run (`consumers`): read it inside them.
    #[serde(rename_all = "camelCase")]
    ExecInto { verbs: Vec<String>, subresources: Vec<String>, consumers: Vec<String> },
    /// `create rolebindings` in the namespace and `bind` on roles that read it (`roles`: "Role
    /// x", "ClusterRole y"): bind oneself to one.
    #[serde(rename_all = "camelCase")]
    Bind { roles: Vec<String> },
    /// `escalate` and `update` (or `patch`) on a role already bound to the subject (through
    /// `binding`): add reading Secrets to it.
    #[serde(rename_all = "camelCase")]
    Escalate { role: String, binding: String },
    /// `create serviceaccounts/token` for a service account that can read it: a TokenRequest
    /// gives a token to act as it.
    #[serde(rename_all = "camelCase")]
    TokenFor { targets: Vec<Subject> },
    /// Members of `system:masters` are allowed everything before RBAC is asked.
    BypassesRbac,
    /// Pods running as this service account mount or read it today (the usage index).
    #[serde(rename_all = "camelCase")]
    RunsPods { consumers: Vec<String> },
}

impl Via {
    /// A path that reads the values through the API (what `kubectl auth can-i get|list|watch`
    /// answers yes to), rather than indirectly.
    pub fn reads(&self) -> bool {
        matches!(self, Via::Read { .. } | Via::BypassesRbac)
    }
}

/// Where a path applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Reach {
    /// This Secret only (resourceNames).
    ThisSecret,
    /// Every Secret of the namespace (a RoleBinding).
    Namespace,
    /// Every namespace (a ClusterRoleBinding).
    Cluster,
}

/// Grants wider than reading this Secret needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Broad {
    /// Bound to every authenticated user, every unauthenticated one, or every service account.
    Everyone,
    /// `*` in the rule's verbs.
    WildcardVerb,
    /// `*` in the rule's resources or apiGroups.
    WildcardResource,
    /// `list` or `watch`, which return every Secret's values in reach, where `get` on this
    /// one by name would do.
    ListWhereGetWould,
    /// In every namespace (a ClusterRoleBinding).
    ClusterWide,
}

impl Broad {
    pub fn text(self) -> &'static str {
        match self {
            Broad::Everyone => "everyone in the group",
            Broad::WildcardVerb => "wildcard verbs",
            Broad::WildcardResource => "wildcard resources",
            Broad::ListWhereGetWould => "list where get would do",
            Broad::ClusterWide => "every namespace",
        }
    }
}

/// One way a subject gets at the Secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Path {
    pub via: Via,
    pub reach: Reach,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub binding: Option<BindingRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<RoleRef>,
    /// The rule, compact (`{apiGroups:[""], resources:["secrets"], verbs:["get"]}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The group through which the subject holds it (its implicit groups), if not directly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_member_of: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub broad: Vec<Broad>,
}

impl Path {
    /// "get (by name)", "list, watch", "create pods", "impersonate User jane".
    pub fn how(&self) -> String {
        match &self.via {
            Via::Read { verbs, by_name: true } => format!("{} (by name)", verbs.join(", ")),
            Via::Read { verbs, .. } => verbs.join(", "),
            Via::CreatePods { resources } => format!("create {}", resources.join(", ")),
            Via::Impersonate { targets } => {
                let t: Vec<String> = targets.iter().map(Subject::label).collect();
                format!("impersonate {}", t.join(", "))
            }
            Via::ExecInto { verbs, subresources, consumers } => {
                format!("{} {} in the Pods of {}", verbs.join(", "), subresources.join(", "), consumers.join(", "))
            }
            Via::Bind { roles } => {
                let more = if roles.len() > 3 { format!(" and {} more", roles.len() - 3) } else { String::new() };
                let shown: Vec<&str> = roles.iter().take(3).map(String::as_str).collect();
                format!("bind itself to {}{more}", shown.join(", "))
            }
            Via::Escalate { role, .. } => format!("escalate and update {role}, bound to it"),
            Via::TokenFor { targets } => {
                let t: Vec<String> = targets.iter().map(Subject::label).collect();
                format!("create a token for {}", t.join(", "))
            }
            Via::BypassesRbac => "bypasses RBAC".into(),
            Via::RunsPods { .. } => "its Pods read it".into(),
        }
    }

    /// "RoleBinding default/jane-reads-mysecret → Role mysecret-reader".
    pub fn through(&self) -> String {
        if let Via::RunsPods { consumers } = &self.via {
            return consumers.join(", ");
        }
        let mut parts = Vec::new();
        if let Some(g) = &self.as_member_of {
            parts.push(format!("as member of {g}:"));
        }
        if let Some(b) = &self.binding {
            parts.push(b.label());
        }
        if let Some(r) = &self.role {
            parts.push(format!("→ {}", r.label()));
        }
        parts.join(" ")
    }
}

/// A subject and its paths.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubjectAccess {
    pub subject: Subject,
    /// Reads the values through the API (get, list or watch; or system:masters).
    pub reads: bool,
    /// A Kubernetes subject (system:masters, control-plane users, kube-system accounts).
    pub builtin: bool,
    pub paths: Vec<Path>,
}

impl SubjectAccess {
    pub fn broad(&self) -> Vec<Broad> {
        let mut b: Vec<Broad> = self.paths.iter().flat_map(|p| p.broad.iter().copied()).collect();
        b.sort();
        b.dedup();
        b
    }
}

/// Who can read one Secret, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Analysis {
    pub namespace: String,
    pub name: String,
    /// Readers first, then indirect ones; built-in subjects last; by name within each.
    pub subjects: Vec<SubjectAccess>,
    /// Bindings whose role does not exist, and other things the analysis could not resolve.
    pub problems: Vec<String>,
}

impl Analysis {
    pub fn subject(&self, s: &Subject) -> Option<&SubjectAccess> {
        self.subjects.iter().find(|a| &a.subject == s)
    }
}

/// A consumer whose Pods run as a service account and read the Secret (from the usage index).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Mounter {
    pub service_account: Subject,
    /// "Pod mypod", "Deployment web".
    pub consumer: String,
}

/// What the current user may do, when the RBAC objects cannot be listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SelfCheck {
    /// Why the RBAC objects could not be read (the server's message).
    pub why: String,
    pub get: Option<bool>,
    pub list: Option<bool>,
    pub watch: Option<bool>,
    /// `create pods` in the namespace: start a Pod that mounts it.
    pub create_pods: Option<bool>,
    /// `create pods/exec` in the namespace: read it inside a Pod that mounts it.
    pub exec_pods: Option<bool>,
}
