//! The analysis against small RBAC policies, one rule of the authorizer each, and the demo's.

use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use keyhole_apiserver::data::{DEMO_YAML, POLICY_YAML, parse_yaml};
use serde_json::Value;

use super::*;

fn policy_of(values: impl IntoIterator<Item = Value>) -> Policy {
    let mut p = Policy::default();
    for v in values {
        let kind = v["kind"].as_str().unwrap_or_default().to_string();
        match kind.as_str() {
            "ClusterRole" => p.cluster_roles.push(serde_json::from_value::<ClusterRole>(v).unwrap()),
            "Role" => p.roles.push(serde_json::from_value::<Role>(v).unwrap()),
            "ClusterRoleBinding" => {
                p.cluster_role_bindings.push(serde_json::from_value::<ClusterRoleBinding>(v).unwrap())
            }
            "RoleBinding" => p.role_bindings.push(serde_json::from_value::<RoleBinding>(v).unwrap()),
            _ => {}
        }
    }
    p
}

fn policy(yaml: &str) -> Policy {
    policy_of(parse_yaml(yaml).unwrap())
}

/// The embedded cluster's policy and the demo's RBAC cases.
fn demo_policy() -> Policy {
    let texts = POLICY_YAML.iter().chain(DEMO_YAML.iter().filter(|(f, _)| f.contains("rbac")));
    policy_of(texts.flat_map(|(_, t)| parse_yaml(t).unwrap()))
}

fn user(n: &str) -> Subject {
    Subject::user(n)
}

fn paths<'a>(a: &'a Analysis, s: &Subject) -> &'a [Path] {
    &a.subject(s).unwrap_or_else(|| panic!("{} not in {:#?}", s.label(), a.subjects)).paths
}

const CR_SECRETS: &str = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: read-secrets}
rules:
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch"]
"#;

fn crb(name: &str, role: &str, subject_kind: &str, subject: &str) -> String {
    format!(
        "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {{name: {name}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {role}}}\nsubjects:\n- {{kind: {subject_kind}, name: \"{subject}\", apiGroup: rbac.authorization.k8s.io}}\n"
    )
}

fn rb(ns: &str, name: &str, role_kind: &str, role: &str, subject: &str) -> String {
    format!(
        "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {{name: {name}, namespace: {ns}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: {role_kind}, name: {role}}}\nsubjects:\n- {subject}\n"
    )
}

#[test]
fn get_by_name_reads_only_that_secret() {
    let p = demo_policy();
    let a = analyze(&p, "default", "mysecret", &[]);
    let jane = paths(&a, &user("jane"));
    assert_eq!(jane.len(), 1);
    assert_eq!(jane[0].via, Via::Read { verbs: vec!["get".into()], by_name: true });
    assert_eq!(jane[0].reach, Reach::ThisSecret);
    assert_eq!(jane[0].through(), "RoleBinding default/jane-reads-mysecret → Role mysecret-reader");
    assert!(jane[0].broad.is_empty(), "{:?}", jane[0].broad);
    assert!(analyze(&p, "default", "other", &[]).subject(&user("jane")).is_none());
    assert!(!can_read(&p, "default", "other", &user("jane")));
}

#[test]
fn list_in_namespace_reads_every_secret_there_and_is_called_out() {
    let yaml = format!(
        "{}{}",
        r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: lister, namespace: team}
rules:
- {apiGroups: [""], resources: ["secrets"], verbs: ["list"]}
"#,
        rb("team", "bob-lists", "Role", "lister", "{kind: User, name: bob}")
    );
    let p = policy(&yaml);
    let a = analyze(&p, "team", "anything", &[]);
    let bob = paths(&a, &user("bob"));
    assert_eq!(bob[0].via, Via::Read { verbs: vec!["list".into()], by_name: false });
    assert_eq!(bob[0].reach, Reach::Namespace);
    assert_eq!(bob[0].broad, vec![Broad::ListWhereGetWould]);
    assert!(analyze(&p, "elsewhere", "anything", &[]).subject(&user("bob")).is_none());
}

#[test]
fn cluster_role_binding_reads_in_every_namespace() {
    let p = policy(&format!("{CR_SECRETS}{}", crb("ops", "read-secrets", "User", "ops")));
    for ns in ["default", "shop", "kube-system"] {
        let a = analyze(&p, ns, "x", &[]);
        let ops = paths(&a, &user("ops"));
        assert_eq!(ops[0].reach, Reach::Cluster);
        assert_eq!(ops[0].broad, vec![Broad::ListWhereGetWould, Broad::ClusterWide]);
        assert_eq!(ops[0].through(), "ClusterRoleBinding ops → ClusterRole read-secrets");
    }
}

#[test]
fn role_binding_to_a_cluster_role_grants_only_in_its_namespace() {
    let p =
        policy(&format!("{CR_SECRETS}{}", rb("shop", "amy", "ClusterRole", "read-secrets", "{kind: User, name: amy}")));
    assert!(analyze(&p, "shop", "x", &[]).subject(&user("amy")).is_some_and(|s| s.reads));
    assert!(analyze(&p, "default", "x", &[]).subject(&user("amy")).is_none());
    assert!(!can_read(&p, "default", "x", &user("amy")));
}

#[test]
fn wildcards_match_and_are_flagged() {
    let yaml = format!(
        "{}{}",
        r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: god}
rules:
- {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}
"#,
        crb("god", "god", "User", "root")
    );
    let a = analyze(&policy(&yaml), "default", "x", &[]);
    let root = paths(&a, &user("root"));
    assert_eq!(root[0].via, Via::Read { verbs: vec!["get".into(), "list".into(), "watch".into()], by_name: false });
    for b in [Broad::WildcardVerb, Broad::WildcardResource, Broad::ListWhereGetWould, Broad::ClusterWide] {
        assert!(root[0].broad.contains(&b), "{b:?} in {:?}", root[0].broad);
    }
    // A rule for another group or resource does not match.
    let other = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: apps-only}
rules:
- {apiGroups: ["apps"], resources: ["*"], verbs: ["get", "list", "watch", "delete"]}
- {apiGroups: ["*"], resources: ["configmaps", "secrets/status"], verbs: ["*"]}
"#;
    let p = policy(&format!("{other}{}", crb("a", "apps-only", "User", "eve")));
    assert!(analyze(&p, "default", "x", &[]).subject(&user("eve")).is_none());
}

#[test]
fn aggregated_roles_are_resolved_and_named() {
    // The demo's secret-rotation has no rules as stored: its selector is resolved here.
    let p = demo_policy();
    let a = analyze(&p, "shop", "shop-db", &[]);
    let rotator = paths(&a, &user("rotator"));
    assert_eq!(rotator.len(), 1);
    assert_eq!(rotator[0].via, Via::Read { verbs: vec!["get".into()], by_name: false });
    let role = rotator[0].role.as_ref().unwrap();
    assert_eq!(role.name, "secret-rotation");
    assert_eq!(role.aggregated_from.as_deref(), Some("secret-rotation:secrets"));
    // With the rules filled in by the controller, each is still traced to its source.
    let mut filled = p.clone();
    let rules = filled
        .cluster_roles
        .iter()
        .find(|r| r.metadata.name.as_deref() == Some("secret-rotation:secrets"))
        .unwrap()
        .rules
        .clone();
    let agg = filled.cluster_roles.iter_mut().find(|r| r.metadata.name.as_deref() == Some("secret-rotation")).unwrap();
    agg.rules = rules;
    let a = analyze(&filled, "shop", "shop-db", &[]);
    assert_eq!(
        paths(&a, &user("rotator"))[0].role.as_ref().unwrap().aggregated_from.as_deref(),
        Some("secret-rotation:secrets")
    );
    // edit (aggregated through system:aggregate-to-edit) reads Secrets: shop-team in shop.
    let team = paths(&a, &Subject::group("shop-team"));
    assert!(team.iter().any(|p| p.via.reads() && p.role.as_ref().is_some_and(|r| r.name == "edit")), "{team:#?}");
}

#[test]
fn resource_names_do_not_grant_list_or_watch() {
    let yaml = format!(
        "{}{}",
        r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: one, namespace: default}
rules:
- {apiGroups: [""], resources: ["secrets"], resourceNames: ["mysecret"], verbs: ["get", "list", "watch"]}
"#,
        rb("default", "one", "Role", "one", "{kind: User, name: kim}")
    );
    let a = analyze(&policy(&yaml), "default", "mysecret", &[]);
    assert_eq!(paths(&a, &user("kim"))[0].via, Via::Read { verbs: vec!["get".into()], by_name: true });
}

#[test]
fn groups_and_everyone_are_subjects_and_everyone_is_flagged() {
    let yaml = format!(
        "{CR_SECRETS}{}{}",
        crb("d", "read-secrets", "Group", "devs"),
        crb("all", "read-secrets", "Group", "system:authenticated")
    );
    let p = policy(&yaml);
    let a = analyze(&p, "default", "x", &[]);
    assert!(paths(&a, &Subject::group("devs"))[0].broad.iter().all(|b| *b != Broad::Everyone));
    let all = a.subject(&Subject::group("system:authenticated")).unwrap();
    assert!(all.reads && !all.builtin, "everyone is called out, not grouped as built-in");
    assert!(all.broad().contains(&Broad::Everyone));
    // Every user reads it through system:authenticated.
    assert!(can_read(&p, "default", "x", &user("nobody-in-particular")));
}

#[test]
fn service_accounts_default_to_the_binding_namespace() {
    let yaml = format!(
        "{CR_SECRETS}{}{}",
        rb("shop", "sa", "ClusterRole", "read-secrets", "{kind: ServiceAccount, name: worker}"),
        rb("shop", "u", "ClusterRole", "read-secrets", "{kind: User, name: \"system:serviceaccount:shop:builder\"}")
    );
    let p = policy(&yaml);
    let a = analyze(&p, "shop", "x", &[]);
    assert!(a.subject(&Subject::service_account("shop", "worker")).is_some_and(|s| s.reads));
    assert!(a.subject(&Subject::service_account("shop", "builder")).is_some_and(|s| s.reads));
    // Through the group of the namespace's service accounts.
    let yaml = format!(
        "{CR_SECRETS}{}",
        rb("shop", "g", "ClusterRole", "read-secrets", "{kind: Group, name: \"system:serviceaccounts:shop\"}")
    );
    let p = policy(&yaml);
    assert!(can_read(&p, "shop", "x", &Subject::service_account("shop", "any")));
    assert!(!can_read(&p, "shop", "x", &Subject::service_account("other", "any")));
}

#[test]
fn creating_pods_or_workloads_is_an_indirect_path() {
    let p = demo_policy();
    let a = analyze(&p, "shop", "shop-db", &[]);
    let sa = a.subject(&Subject::service_account("shop", "shop-frontend")).unwrap();
    assert!(!sa.reads);
    assert_eq!(sa.paths[0].via, Via::CreatePods { resources: vec!["pods".into()] });
    assert!(!can_read(&p, "shop", "shop-db", &sa.subject));
    // Deployments and Jobs create Pods too.
    let yaml = format!(
        "{}{}",
        r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deployer, namespace: shop}
rules:
- {apiGroups: ["apps", "batch"], resources: ["deployments", "jobs"], verbs: ["create"]}
"#,
        rb("shop", "d", "Role", "deployer", "{kind: User, name: ci}")
    );
    let a = analyze(&policy(&yaml), "shop", "x", &[]);
    assert_eq!(paths(&a, &user("ci"))[0].via, Via::CreatePods { resources: vec!["deployments".into(), "jobs".into()] });
}

#[test]
fn impersonating_a_reader_is_an_indirect_path() {
    let yaml = format!(
        "{CR_SECRETS}{}{}{}{}",
        crb("r", "read-secrets", "User", "reader"),
        r#"---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: be-reader}
rules:
- {apiGroups: [""], resources: ["users"], resourceNames: ["reader"], verbs: ["impersonate"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: be-anyone}
rules:
- {apiGroups: [""], resources: ["users", "groups"], verbs: ["impersonate"]}
"#,
        crb("i", "be-reader", "User", "helper"),
        crb("j", "be-anyone", "User", "support")
    );
    let a = analyze(&policy(&yaml), "default", "x", &[]);
    let helper = a.subject(&user("helper")).unwrap();
    assert!(!helper.reads);
    assert_eq!(helper.paths[0].via, Via::Impersonate { targets: vec![user("reader")] });
    let support = paths(&a, &user("support"));
    assert_eq!(support[0].via, Via::Impersonate { targets: vec![user("reader"), Subject::group("system:masters")] });
    // edit lets shop-team impersonate shop's service accounts, none of which reads shop-db.
    let a = analyze(&demo_policy(), "shop", "shop-db", &[]);
    assert!(paths(&a, &Subject::group("shop-team")).iter().all(|p| p.via.reads()));
}

#[test]
fn builtin_subjects_are_grouped_last_and_masters_bypasses_rbac() {
    let yaml = format!(
        "{CR_SECRETS}{}{}{}",
        crb("kcm", "read-secrets", "User", "system:kube-controller-manager"),
        crb("z", "read-secrets", "User", "zed"),
        "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: ks}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: read-secrets}\nsubjects:\n- {kind: ServiceAccount, name: generic-garbage-collector, namespace: kube-system}\n"
    );
    let a = analyze(&policy(&yaml), "default", "x", &[]);
    let order: Vec<(String, bool)> = a.subjects.iter().map(|s| (s.subject.label(), s.builtin)).collect();
    assert_eq!(order[0], ("User zed".to_string(), false));
    assert!(order[1..].iter().all(|(_, b)| *b), "{order:?}");
    let masters = a.subject(&Subject::group("system:masters")).unwrap();
    assert_eq!(masters.paths[0].via, Via::BypassesRbac);
    assert!(
        a.subject(&Subject::service_account("kube-system", "generic-garbage-collector")).is_some_and(|s| s.builtin)
    );
}

#[test]
fn service_accounts_whose_pods_read_it_are_listed() {
    let m = [Mounter { service_account: Subject::service_account("default", "default"), consumer: "Pod mypod".into() }];
    let a = analyze(&Policy::default(), "default", "mysecret", &m);
    let sa = a.subject(&m[0].service_account).unwrap();
    assert!(!sa.reads);
    assert_eq!(sa.paths[0].via, Via::RunsPods { consumers: vec!["Pod mypod".into()] });
}

#[test]
fn missing_roles_are_problems_not_failures() {
    let a = analyze(&policy(&crb("x", "gone", "User", "u")), "default", "s", &[]);
    assert_eq!(a.problems, vec![r#"ClusterRoleBinding x: clusterrole.rbac.authorization.k8s.io "gone" not found"#]);
}

#[test]
fn the_demo_subjects() {
    let p = demo_policy();
    let a = analyze(&p, "default", "mysecret", &[]);
    let reads = |s: &Subject| a.subject(s).is_some_and(|x| x.reads);
    assert!(reads(&user("jane")));
    assert!(reads(&Subject::group("developers")));
    assert!(a.subject(&Subject::group("developers")).unwrap().broad().contains(&Broad::ListWhereGetWould));
    assert!(reads(&user("viewer")) && reads(&user("getter")) && reads(&user("auditor")));
    assert!(!reads(&user("rotator")) && !reads(&Subject::group("shop-team")) && !reads(&user("shop-dev")));
    assert!(reads(&Subject::group("system:masters")));
    // The analysis agrees with the authorizer's view (implicit groups included) for every
    // subject of the policy: readers read, the others do not.
    for s in subjects(&p) {
        let listed = a.subject(&s).is_some_and(|x| x.reads);
        assert_eq!(listed, can_read(&p, "default", "mysecret", &s), "{}", s.label());
    }
}

const EXEC_ROLES: &str = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: exec, namespace: shop}
rules:
- {apiGroups: [""], resources: ["pods/exec"], verbs: ["create"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: any-attach, namespace: shop}
rules:
- {apiGroups: [""], resources: ["*/attach"], verbs: ["get"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pods-only, namespace: shop}
rules:
- {apiGroups: [""], resources: ["pods"], verbs: ["create", "get"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: one-pod, namespace: shop}
rules:
- {apiGroups: [""], resources: ["pods/exec"], resourceNames: ["web-0"], verbs: ["create"]}
"#;

#[test]
fn exec_or_attach_into_pods_that_read_it_is_an_indirect_path() {
    let yaml = format!(
        "{EXEC_ROLES}{}{}{}{}",
        rb("shop", "a", "Role", "exec", "{kind: User, name: ops}"),
        rb("shop", "b", "Role", "any-attach", "{kind: User, name: debugger}"),
        rb("shop", "c", "Role", "pods-only", "{kind: User, name: runner}"),
        rb("shop", "d", "Role", "one-pod", "{kind: User, name: narrow}"),
    );
    let p = policy(&yaml);
    let m = [Mounter { service_account: Subject::service_account("shop", "web"), consumer: "Deployment web".into() }];
    let a = analyze(&p, "shop", "db", &m);
    let ops = a.subject(&user("ops")).unwrap();
    assert!(!ops.reads);
    assert_eq!(
        ops.paths[0].via,
        Via::ExecInto {
            verbs: vec!["create".into()],
            subresources: vec!["pods/exec".into()],
            consumers: vec!["Deployment web".into()]
        }
    );
    assert_eq!(ops.paths[0].reach, Reach::Namespace);
    assert_eq!(ops.paths[0].how(), "create pods/exec in the Pods of Deployment web");
    // `*/attach` is any resource's attach; `get` opened a WebSocket before 1.35.
    assert_eq!(
        paths(&a, &user("debugger"))[0].via,
        Via::ExecInto {
            verbs: vec!["get".into()],
            subresources: vec!["pods/attach".into()],
            consumers: vec!["Deployment web".into()]
        }
    );
    // `pods` does not cover its subresources; named Pods are not known to be these.
    let runner = paths(&a, &user("runner"));
    assert!(runner.iter().all(|p| !matches!(p.via, Via::ExecInto { .. })), "{runner:?}");
    assert_eq!(runner[0].via, Via::CreatePods { resources: vec!["pods".into()] });
    assert!(a.subject(&user("narrow")).is_none());
    // No Pod reads it: nothing to exec into.
    let a = analyze(&p, "shop", "db", &[]);
    assert!(a.subject(&user("ops")).is_none() && a.subject(&user("debugger")).is_none());
    // Other namespaces are out of reach of these RoleBindings.
    assert!(analyze(&p, "default", "db", &m).subject(&user("ops")).is_none());
}

#[test]
fn a_token_for_a_service_account_that_reads_it_is_an_indirect_path() {
    let yaml = format!(
        "{CR_SECRETS}{}{}{}{}",
        rb("shop", "r", "ClusterRole", "read-secrets", "{kind: ServiceAccount, name: reader, namespace: shop}"),
        r#"---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: token-reader, namespace: shop}
rules:
- {apiGroups: [""], resources: ["serviceaccounts/token"], resourceNames: ["reader"], verbs: ["create"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: token-other, namespace: shop}
rules:
- {apiGroups: [""], resources: ["serviceaccounts/token"], resourceNames: ["builder"], verbs: ["create"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: token-any, namespace: web}
rules:
- {apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"]}
"#,
        rb("shop", "t", "Role", "token-reader", "{kind: User, name: minter}"),
        rb("shop", "u", "Role", "token-other", "{kind: User, name: other-minter}"),
    );
    let yaml = format!("{yaml}{}", rb("web", "v", "Role", "token-any", "{kind: User, name: web-minter}"));
    let a = analyze(&policy(&yaml), "shop", "db", &[]);
    let minter = a.subject(&user("minter")).unwrap();
    assert!(!minter.reads);
    assert_eq!(minter.paths[0].via, Via::TokenFor { targets: vec![Subject::service_account("shop", "reader")] });
    assert_eq!(minter.paths[0].how(), "create a token for ServiceAccount shop/reader");
    // A token for a service account that cannot read it, or for those of another namespace, is no path.
    assert!(a.subject(&user("other-minter")).is_none());
    assert!(a.subject(&user("web-minter")).is_none());
}

#[test]
fn binding_oneself_to_a_role_that_reads_it_is_an_indirect_path() {
    let yaml = format!(
        "{CR_SECRETS}{}{}{}{}",
        r#"---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: binder, namespace: shop}
rules:
- {apiGroups: ["rbac.authorization.k8s.io"], resources: ["rolebindings"], verbs: ["create"]}
- {apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], resourceNames: ["read-secrets"], verbs: ["bind"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: bind-only, namespace: shop}
rules:
- {apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["bind"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: self-edit, namespace: shop}
rules:
- {apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles"], resourceNames: ["self-edit"], verbs: ["escalate", "update"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: escalate-only, namespace: shop}
rules:
- {apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles"], verbs: ["escalate"]}
"#,
        rb("shop", "a", "Role", "binder", "{kind: User, name: binder}"),
        rb("shop", "b", "Role", "bind-only", "{kind: User, name: no-bindings}"),
        rb("shop", "c", "Role", "self-edit", "{kind: User, name: climber}"),
    );
    let yaml = format!("{yaml}{}", rb("shop", "d", "Role", "escalate-only", "{kind: User, name: no-update}"));
    let p = policy(&yaml);
    let a = analyze(&p, "shop", "db", &[]);
    let binder = a.subject(&user("binder")).unwrap();
    assert!(!binder.reads);
    assert_eq!(binder.paths[0].via, Via::Bind { roles: vec!["ClusterRole read-secrets".into()] });
    assert_eq!(binder.paths[0].reach, Reach::Namespace);
    assert!(binder.paths[0].rule.as_deref().unwrap().contains("bind"), "{:?}", binder.paths[0]);
    assert_eq!(binder.paths[0].how(), "bind itself to ClusterRole read-secrets");
    let climber = a.subject(&user("climber")).unwrap();
    assert_eq!(
        climber.paths[0].via,
        Via::Escalate { role: "Role self-edit".into(), binding: "RoleBinding shop/c".into() }
    );
    // `bind` without creating bindings, `escalate` without writing the role: no path.
    assert!(a.subject(&user("no-bindings")).is_none());
    assert!(a.subject(&user("no-update")).is_none());
    // Bindings in shop do not reach other namespaces.
    let elsewhere = analyze(&p, "default", "db", &[]);
    assert!(elsewhere.subject(&user("binder")).is_none() && elsewhere.subject(&user("climber")).is_none());
}

#[test]
fn a_cluster_role_binding_one_may_create_and_bind_is_a_path_everywhere() {
    let yaml = format!(
        "{CR_SECRETS}{}{}",
        r#"---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cluster-binder}
rules:
- {apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterrolebindings"], verbs: ["create"]}
- {apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["bind"]}
"#,
        crb("x", "cluster-binder", "User", "platform"),
    );
    let a = analyze(&policy(&yaml), "anywhere", "db", &[]);
    let p = &paths(&a, &user("platform"))[0];
    assert_eq!(p.via, Via::Bind { roles: vec!["ClusterRole read-secrets".into()] });
    assert_eq!(p.reach, Reach::Cluster);
    assert!(p.broad.contains(&Broad::ClusterWide), "{:?}", p.broad);
}
