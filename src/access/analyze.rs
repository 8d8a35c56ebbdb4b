//! Who can read Secret NS/NAME: every binding's subjects, each evaluated as the RBAC authorizer
//! would (ClusterRoleBindings everywhere, RoleBindings of the Secret's namespace only), plus the
//! indirect paths of rbac-facts.md §6: creating Pods (P1, P2), impersonation (P6), and the
//! service accounts whose Pods read it today.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::rbac::v1::{PolicyRule, RoleRef as K8sRoleRef, Subject as K8sSubject};

use super::model::*;
use super::rules::{Name, Resolved, Roles, allows, allows_sub, compact};

/// Kinds whose `create` starts Pods in the namespace: Pods themselves, and the workloads whose
/// controllers create Pods with their own credentials (rbac-facts.md §6 P1, P2).
pub const POD_MAKERS: [(&str, &str); 8] = [
    ("", "pods"),
    ("apps", "deployments"),
    ("apps", "replicasets"),
    ("apps", "statefulsets"),
    ("apps", "daemonsets"),
    ("batch", "jobs"),
    ("batch", "cronjobs"),
    ("", "replicationcontrollers"),
];

const READ_VERBS: [&str; 3] = ["get", "list", "watch"];

/// One binding with its role's rules resolved.
struct Bound<'a> {
    binding: BindingRef,
    /// The binding's namespace (`None` for a ClusterRoleBinding).
    namespace: Option<&'a str>,
    subjects: Vec<Subject>,
    rules: Resolved,
    /// The role it binds: kind (Role or ClusterRole) and name.
    role: (&'a str, &'a str),
}

fn subject_of(s: &K8sSubject, binding_ns: Option<&str>) -> Option<Subject> {
    match s.kind.as_str() {
        "User" => Some(Subject::user(&s.name)),
        "Group" => Some(Subject::group(&s.name)),
        "ServiceAccount" => {
            let ns = s.namespace.as_deref().filter(|n| !n.is_empty()).or(binding_ns)?;
            Some(Subject::service_account(ns, &s.name))
        }
        _ => None,
    }
}

/// Every binding, resolved once; missing roles become problems.
fn bindings<'a>(policy: &'a Policy, problems: &mut Vec<String>) -> Vec<Bound<'a>> {
    let roles = Roles::new(policy);
    let mut out = Vec::new();
    let mut push = |binding: BindingRef,
                    namespace: Option<&'a str>,
                    subjects: &[K8sSubject],
                    role: &'a K8sRoleRef,
                    rules| match rules {
        Ok(rules) => {
            let subjects = subjects.iter().filter_map(|s| subject_of(s, namespace)).collect();
            out.push(Bound { binding, namespace, subjects, rules, role: (role.kind.as_str(), role.name.as_str()) });
        }
        Err(e) => problems.push(format!("{}: {e}", binding.label())),
    };
    for b in &policy.cluster_role_bindings {
        let name = b.metadata.name.clone().unwrap_or_default();
        let binding = BindingRef { kind: "ClusterRoleBinding", name, namespace: None };
        push(binding, None, b.subjects.as_deref().unwrap_or_default(), &b.role_ref, roles.of(&b.role_ref, None));
    }
    for b in &policy.role_bindings {
        let ns = b.metadata.namespace.as_deref().unwrap_or("default");
        let binding = BindingRef {
            kind: "RoleBinding",
            name: b.metadata.name.clone().unwrap_or_default(),
            namespace: Some(ns.into()),
        };
        push(
            binding,
            Some(ns),
            b.subjects.as_deref().unwrap_or_default(),
            &b.role_ref,
            roles.of(&b.role_ref, Some(ns)),
        );
    }
    out
}

/// Every subject named by a binding, across namespaces, plus `system:masters`.
pub fn subjects(policy: &Policy) -> BTreeSet<Subject> {
    let mut out: BTreeSet<Subject> = bindings(policy, &mut Vec::new()).into_iter().flat_map(|b| b.subjects).collect();
    out.insert(Subject::group(MASTERS));
    out
}

/// What impersonation one rule allows (rbac-facts.md §5): users and groups only through
/// ClusterRoleBindings (they are checked at the cluster scope), service accounts in the
/// binding's namespace or everywhere. `None` names = any.
#[derive(Debug, Clone, Default)]
struct Impersonation {
    users: Option<Option<Vec<String>>>,
    groups: Option<Option<Vec<String>>>,
    /// (namespace or every namespace, names or any).
    service_accounts: Option<(Option<String>, Option<Vec<String>>)>,
}

fn names_of(rule: &PolicyRule) -> Option<Vec<String>> {
    rule.resource_names.clone().filter(|n| !n.is_empty())
}

fn impersonation(rule: &PolicyRule, namespace: Option<&str>) -> Impersonation {
    let can = |resource: &str| allows(rule, "impersonate", "", resource, Name::Any);
    Impersonation {
        users: (namespace.is_none() && can("users")).then(|| names_of(rule)),
        groups: (namespace.is_none() && can("groups")).then(|| names_of(rule)),
        service_accounts: can("serviceaccounts").then(|| (namespace.map(str::to_string), names_of(rule))),
    }
}

/// The service accounts one rule lets one create tokens for (rbac-facts.md §6 P7): those of the
/// binding's namespace, or of every namespace through a ClusterRoleBinding; `names` as
/// resourceNames say (`None`: any).
#[derive(Debug, Clone)]
struct TokenRule {
    namespace: Option<String>,
    names: Option<Vec<String>>,
}

impl TokenRule {
    fn of(rule: &PolicyRule, namespace: Option<&str>) -> Option<TokenRule> {
        allows_sub(rule, "create", "", "serviceaccounts", "token", Name::Any)
            .then(|| TokenRule { namespace: namespace.map(str::to_string), names: names_of(rule) })
    }

    fn targets(&self, readers: &BTreeSet<Subject>) -> Vec<Subject> {
        readers
            .iter()
            .filter(|r| match r {
                Subject::ServiceAccount { namespace, name } => {
                    self.namespace.as_ref().is_none_or(|ns| ns == namespace) && named(&self.names, name)
                }
                _ => false,
            })
            .cloned()
            .collect()
    }
}

/// Verbs that open `pods/exec` or `pods/attach` (P4): `create`, and `get`, with which a
/// WebSocket connection was authorized before Kubernetes 1.35. A rule with resourceNames is not
/// counted: which Pods it names is not known here.
const EXEC_VERBS: [&str; 2] = ["create", "get"];
const EXEC_SUBRESOURCES: [&str; 2] = ["exec", "attach"];

fn exec_into(rule: &PolicyRule) -> Option<Via> {
    let allowed = |v: &str, sub: &str| allows_sub(rule, v, "", "pods", sub, Name::Absent);
    let verbs: Vec<String> =
        EXEC_VERBS.iter().filter(|v| EXEC_SUBRESOURCES.iter().any(|s| allowed(v, s))).map(|v| v.to_string()).collect();
    let subresources: Vec<String> = EXEC_SUBRESOURCES
        .iter()
        .filter(|s| EXEC_VERBS.iter().any(|v| allowed(v, s)))
        .map(|s| format!("pods/{s}"))
        .collect();
    (!verbs.is_empty()).then_some(Via::ExecInto { verbs, subresources, consumers: Vec::new() })
}

fn named(names: &Option<Vec<String>>, name: &str) -> bool {
    names.as_ref().is_none_or(|n| n.iter().any(|x| x == name))
}

impl Impersonation {
    fn is_empty(&self) -> bool {
        self.users.is_none() && self.groups.is_none() && self.service_accounts.is_none()
    }
    /// Which of `readers` this rule lets one act as. Impersonating a group needs a user too
    /// (`Impersonate-Group` alone is a 400): `with_user` says whether the subject may
    /// impersonate some user or service account.
    fn targets(&self, readers: &BTreeSet<Subject>, with_user: bool) -> Vec<Subject> {
        readers
            .iter()
            .filter(|r| match r {
                Subject::User { name } => self.users.as_ref().is_some_and(|n| named(n, name)),
                Subject::Group { name } => with_user && self.groups.as_ref().is_some_and(|n| named(n, name)),
                Subject::ServiceAccount { namespace, name } => self
                    .service_accounts
                    .as_ref()
                    .is_some_and(|(ns, n)| ns.as_ref().is_none_or(|x| x == namespace) && named(n, name)),
            })
            .cloned()
            .collect()
    }
}

/// What one subject holds towards a Secret: its own paths, and the rules that act through other
/// subjects (impersonation, token requests), resolved against the readers by [`analyze`].
struct Held {
    own: Vec<Path>,
    impersonate: Vec<(Impersonation, Path)>,
    tokens: Vec<(TokenRule, Path)>,
}

/// The paths of one subject to Secret `namespace/name` through the bindings that name it (and,
/// with `implicit`, through its implicit groups), with the impersonation and token rules it holds.
fn paths(bound: &[Bound<'_>], subject: &Subject, implicit: bool, namespace: &str, name: &str) -> Held {
    let groups = if implicit { subject.implicit_groups() } else { Vec::new() };
    let mut out = Vec::new();
    let mut imp = Vec::new();
    let mut tokens = Vec::new();
    for b in bound {
        let via_group = if b.subjects.contains(subject) {
            None
        } else if let Some(g) = groups.iter().find(|g| b.subjects.contains(&Subject::group(g))) {
            Some(g.clone())
        } else {
            continue;
        };
        let in_reach = b.namespace.is_none_or(|ns| ns == namespace);
        let everyone_group = via_group.as_deref().or(match subject {
            Subject::Group { name } => Some(name.as_str()),
            _ => None,
        });
        for (rule, role) in &b.rules.rules {
            let path = |via: Via, reach: Reach| Path {
                via,
                reach,
                binding: Some(b.binding.clone()),
                role: Some(role.clone()),
                rule: Some(compact(rule)),
                as_member_of: via_group.clone(),
                broad: Vec::new(),
            };
            let i = impersonation(rule, b.namespace);
            if !i.is_empty() {
                imp.push((i, path(Via::Impersonate { targets: Vec::new() }, Reach::Cluster)));
            }
            if let Some(t) = TokenRule::of(rule, b.namespace) {
                let reach = if b.namespace.is_some() { Reach::Namespace } else { Reach::Cluster };
                tokens.push((t, path(Via::TokenFor { targets: Vec::new() }, reach)));
            }
            if !in_reach {
                continue;
            }
            let verbs: Vec<String> = READ_VERBS
                .iter()
                .filter(|v| allows(rule, v, "", "secrets", if **v == "get" { Name::Is(name) } else { Name::Absent }))
                .map(|v| v.to_string())
                .collect();
            let scope = if b.namespace.is_some() { Reach::Namespace } else { Reach::Cluster };
            if !verbs.is_empty() {
                let by_name = rule.resource_names.as_ref().is_some_and(|n| !n.is_empty());
                let mut p =
                    path(Via::Read { verbs: verbs.clone(), by_name }, if by_name { Reach::ThisSecret } else { scope });
                p.broad = broad(rule, everyone_group, b.namespace.is_none() && !by_name);
                if verbs.iter().any(|v| v != "get") {
                    p.broad.push(Broad::ListWhereGetWould);
                }
                p.broad.sort();
                out.push(p);
            }
            let makers: Vec<String> = POD_MAKERS
                .iter()
                .filter(|(g, r)| allows(rule, "create", g, r, Name::Absent))
                .map(|(_, r)| r.to_string())
                .collect();
            if !makers.is_empty() {
                let mut p = path(Via::CreatePods { resources: makers }, scope);
                p.broad = broad(rule, everyone_group, b.namespace.is_none());
                out.push(p);
            }
            if let Some(via) = exec_into(rule) {
                let mut p = path(via, scope);
                p.broad = broad(rule, everyone_group, b.namespace.is_none());
                out.push(p);
            }
        }
    }
    if !implicit && subject == &Subject::group(MASTERS) {
        out.insert(
            0,
            Path {
                via: Via::BypassesRbac,
                reach: Reach::Cluster,
                binding: None,
                role: None,
                rule: None,
                as_member_of: None,
                broad: vec![Broad::ClusterWide],
            },
        );
    }
    Held { own: out, impersonate: imp, tokens }
}

fn broad(rule: &PolicyRule, group: Option<&str>, cluster: bool) -> Vec<Broad> {
    let mut b = Vec::new();
    if group.is_some_and(everyone) {
        b.push(Broad::Everyone);
    }
    if rule.verbs.iter().any(|v| v == "*") {
        b.push(Broad::WildcardVerb);
    }
    let star = |l: &Option<Vec<String>>| l.iter().flatten().any(|v| v == "*");
    if star(&rule.resources) || star(&rule.api_groups) {
        b.push(Broad::WildcardResource);
    }
    if cluster {
        b.push(Broad::ClusterWide);
    }
    b
}

const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

fn reads_secret(rules: &Resolved, name: &str) -> bool {
    rules.rules.iter().any(|(r, _)| {
        READ_VERBS.iter().any(|v| allows(r, v, "", "secrets", if *v == "get" { Name::Is(name) } else { Name::Absent }))
    })
}

/// One rule a subject holds, with the binding and role it comes from.
type HeldRule<'b, 'a> = (&'b Bound<'a>, &'b PolicyRule, &'b RoleRef);

/// How `subject` may grant itself reading Secret `namespace/name` through RBAC writes
/// (rbac-facts.md §6 P9, the checks of §7): `create rolebindings` in the namespace (or
/// `create clusterrolebindings`) with `bind` on a role that reads it, or `escalate` with
/// `update` or `patch` on a role already bound to it. The rules may come from different
/// bindings; a path names the one that grants `bind` or `escalate`. Direct bindings only, as
/// `paths` without `implicit`.
fn grants(bound: &[Bound<'_>], policy: &Policy, subject: &Subject, namespace: &str, name: &str) -> Vec<Path> {
    let mine: Vec<HeldRule<'_, '_>> = bound
        .iter()
        .filter(|b| b.subjects.contains(subject))
        .flat_map(|b| b.rules.rules.iter().map(move |(r, role)| (b, r, role)))
        .collect();
    // The rule that allows a request at `scope` (a namespace, or `None`: cluster-scoped).
    let first = |scope: Option<&str>, verb: &str, resource: &str, n: Name<'_>| {
        mine.iter()
            .find(|(b, r, _)| {
                let applies = match scope {
                    Some(ns) => b.namespace.is_none_or(|x| x == ns),
                    None => b.namespace.is_none(),
                };
                applies && allows(r, verb, RBAC_GROUP, resource, n)
            })
            .copied()
    };
    let path = |(b, r, role): HeldRule<'_, '_>, via: Via, reach: Reach| Path {
        via,
        reach,
        binding: Some(b.binding.clone()),
        role: Some(role.clone()),
        rule: Some(compact(r)),
        as_member_of: None,
        broad: broad(r, None, b.namespace.is_none()),
    };
    let mut out = Vec::new();
    let resource = |kind: &str| if kind == "Role" { "roles" } else { "clusterroles" };
    // Bind: a new RoleBinding in the namespace to a role that reads it, or a new
    // ClusterRoleBinding to a ClusterRole that does (checked at the cluster scope).
    let roles = Roles::new(policy);
    for (scope, bindings, reach) in
        [(Some(namespace), "rolebindings", Reach::Namespace), (None, "clusterrolebindings", Reach::Cluster)]
    {
        if first(scope, "create", bindings, Name::Absent).is_none() {
            continue;
        }
        let local = policy.roles.iter().filter(|r| scope.is_some() && r.metadata.namespace.as_deref() == scope);
        let candidates = local.map(|r| ("Role", r.metadata.name.as_deref().unwrap_or_default())).chain(
            policy.cluster_roles.iter().map(|r| ("ClusterRole", r.metadata.name.as_deref().unwrap_or_default())),
        );
        let mut by_rule: Vec<(HeldRule<'_, '_>, Vec<String>)> = Vec::new();
        for (kind, role) in candidates {
            let r = K8sRoleRef { api_group: Some(RBAC_GROUP.into()), kind: kind.into(), name: role.into() };
            if !roles.of(&r, Some(namespace)).is_ok_and(|rules| reads_secret(&rules, name)) {
                continue;
            }
            let Some(granting) = first(scope, "bind", resource(kind), Name::Is(role)) else { continue };
            let label = format!("{kind} {role}");
            match by_rule.iter_mut().find(|(g, _)| std::ptr::eq(g.1, granting.1) && std::ptr::eq(g.0, granting.0)) {
                Some((_, labels)) => labels.push(label),
                None => by_rule.push((granting, vec![label])),
            }
        }
        for (granting, roles) in by_rule {
            out.push(path(granting, Via::Bind { roles }, reach));
        }
    }
    // Escalate: add the rule to a role already bound to it, where the namespace is in reach.
    for b in bound.iter().filter(|b| b.subjects.contains(subject) && b.namespace.is_none_or(|x| x == namespace)) {
        let (kind, role) = b.role;
        // A Role is written in its namespace, a ClusterRole at the cluster scope.
        let scope = if kind == "Role" { b.namespace } else { None };
        let Some(granting) = first(scope, "escalate", resource(kind), Name::Is(role)) else { continue };
        let writes = ["update", "patch"].iter().any(|v| first(scope, v, resource(kind), Name::Is(role)).is_some());
        if writes {
            let reach = if b.namespace.is_some() { Reach::Namespace } else { Reach::Cluster };
            out.push(path(
                granting,
                Via::Escalate { role: format!("{kind} {role}"), binding: b.binding.label() },
                reach,
            ));
        }
    }
    out
}

/// Whether `subject` (with its implicit groups, as the API server sees a user) can get, list or
/// watch Secret `namespace/name`: what `kubectl auth can-i get|list|watch` answers.
pub fn can_read(policy: &Policy, namespace: &str, name: &str, subject: &Subject) -> bool {
    if subject == &Subject::group(MASTERS) {
        return true;
    }
    let bound = bindings(policy, &mut Vec::new());
    paths(&bound, subject, true, namespace, name).own.iter().any(|p| p.via.reads())
}

/// Who can read Secret `namespace/name`, and how; `mounters` are the consumers whose Pods read
/// it today, by service account (from the usage index).
pub fn analyze(policy: &Policy, namespace: &str, name: &str, mounters: &[Mounter]) -> Analysis {
    let mut problems = Vec::new();
    let bound = bindings(policy, &mut problems);
    let mut all: BTreeSet<Subject> = bound.iter().flat_map(|b| b.subjects.iter().cloned()).collect();
    all.insert(Subject::group(MASTERS));
    all.extend(mounters.iter().map(|m| m.service_account.clone()));

    // Who reads it as the API server sees them (implicit groups included): the subjects one
    // may impersonate to read it.
    let readers: BTreeSet<Subject> = all
        .iter()
        .filter(|s| {
            *s == &Subject::group(MASTERS) || paths(&bound, s, true, namespace, name).own.iter().any(|p| p.via.reads())
        })
        .cloned()
        .collect();

    let mut by_sa: BTreeMap<&Subject, Vec<String>> = BTreeMap::new();
    for m in mounters {
        by_sa.entry(&m.service_account).or_default().push(m.consumer.clone());
    }
    // The consumers whose Pods one could exec into: every Pod that reads it runs in its namespace.
    let mut running: Vec<String> = mounters.iter().map(|m| m.consumer.clone()).collect();
    running.sort();
    running.dedup();
    let mut subjects = Vec::new();
    for s in &all {
        let Held { mut own, impersonate: imp, tokens } = paths(&bound, s, false, namespace, name);
        let reads = own.iter().any(|p| p.via.reads());
        if reads {
            own.retain(|p| p.via.reads());
        } else {
            own.retain_mut(|p| match &mut p.via {
                Via::ExecInto { consumers, .. } => {
                    consumers.clone_from(&running);
                    !running.is_empty()
                }
                _ => true,
            });
            own.extend(grants(&bound, policy, s, namespace, name));
            for (t, mut p) in tokens {
                let targets: Vec<Subject> = t.targets(&readers).into_iter().filter(|r| r != s).collect();
                if !targets.is_empty() {
                    p.via = Via::TokenFor { targets };
                    own.push(p);
                }
            }
            let with_user = imp.iter().any(|(i, _)| i.users.is_some() || i.service_accounts.is_some());
            for (i, mut p) in imp {
                let targets: Vec<Subject> = i.targets(&readers, with_user).into_iter().filter(|t| t != s).collect();
                if !targets.is_empty() {
                    p.via = Via::Impersonate { targets };
                    p.broad = p
                        .broad
                        .into_iter()
                        .chain(p.as_member_of.as_deref().filter(|g| everyone(g)).map(|_| Broad::Everyone))
                        .collect();
                    own.push(p);
                }
            }
        }
        if let Some(consumers) = by_sa.get(s) {
            let reach = Reach::ThisSecret;
            own.push(Path {
                via: Via::RunsPods { consumers: consumers.clone() },
                reach,
                binding: None,
                role: None,
                rule: None,
                as_member_of: None,
                broad: Vec::new(),
            });
        }
        if !own.is_empty() {
            subjects.push(SubjectAccess { builtin: s.is_builtin(), reads, subject: s.clone(), paths: own });
        }
    }
    subjects.sort_by(|a, b| (a.builtin, !a.reads, &a.subject).cmp(&(b.builtin, !b.reads, &b.subject)));
    Analysis { namespace: namespace.into(), name: name.into(), subjects, problems }
}
