//! The demo users' permissions, now RBAC objects, against the fixed roles they replaced, over
//! every served resource, verb and namespace; and the evaluation of bindings and subjects.

use jiff::Timestamp;
use serde_json::json;

use super::*;
use crate::auth::Users;
use crate::resources::ResourceDef;

/// The demo users' permissions as they were written before RBAC (the old `auth::allowed`),
/// kept as the oracle the RBAC objects must agree with.
fn old_allowed(user: &str, verb: &str, group: &str, resource: &str, namespace: &str) -> bool {
    let read = matches!(verb, "get" | "list" | "watch");
    let secrets = group.is_empty() && resource == "secrets";
    let self_review = verb == "create"
        && matches!(
            (group, resource),
            ("authorization.k8s.io", "selfsubjectaccessreviews" | "selfsubjectrulesreviews")
                | ("authentication.k8s.io", "selfsubjectreviews")
        );
    if self_review {
        return true;
    }
    match user {
        "admin" => true,
        "viewer" => read,
        "shop-dev" => namespace == "shop" && resource != "namespaces",
        "auditor" => matches!(verb, "list" | "watch") || (verb == "get" && !secrets),
        "lister" if secrets => ["get", "list", "create", "update", "patch", "delete"].contains(&verb),
        "lister" => read,
        "getter" => read && (verb == "get" || !secrets),
        "secret-reader" => {
            read && !matches!((group, resource), ("", "pods" | "serviceaccounts") | ("networking.k8s.io", "ingresses"))
        }
        "two-teams" => {
            read && ((group.is_empty() && resource == "namespaces") || ["default", "shop"].contains(&namespace))
        }
        "no-cronjobs" => read && !(group == "batch" && resource == "cronjobs"),
        other => panic!("no old role for {other}"),
    }
}

fn demo_store() -> Store {
    let store = Store::new(100_000);
    let now = Timestamp::now();
    crate::data::load(&store, now, 0).unwrap();
    crate::demo_kinds::load(&store, now).unwrap();
    store
}

#[test]
fn demo_users_keep_exactly_their_permissions() {
    let store = demo_store();
    let authz = Authorizer::default();
    let custom = crate::crd::served(&store);
    let served: Vec<&ResourceDef> = crate::resources::RESOURCES.iter().chain(custom.iter().copied()).collect();
    let verbs = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];
    let namespaces = ["", "default", "shop", "kube-system"];
    let mut checked = 0;
    for user in Users::demo().all() {
        let info = user.info();
        for def in &served {
            for verb in verbs {
                for ns in namespaces {
                    if !def.namespaced && !ns.is_empty() && def.plural != "namespaces" {
                        continue;
                    }
                    let a = Attributes::resource(verb, def.group, def.plural, ns, "");
                    let got = authz.authorize(&store, &info, &a).allowed;
                    let want = old_allowed(&user.name, verb, def.group, def.plural, ns);
                    assert_eq!(got, want, "{} {verb} {}.{} in {ns:?}", user.name, def.plural, def.group);
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 2000, "{checked}");
}

fn user(name: &str, groups: &[&str]) -> UserInfo {
    UserInfo::authenticated(name, &groups.iter().map(|g| g.to_string()).collect::<Vec<_>>())
}

#[test]
fn reasons_name_the_binding_and_subject() {
    let store = demo_store();
    let authz = Authorizer::default();
    let get = |ns, name| Attributes::resource("get", "", "secrets", ns, name);
    let d = authz.authorize(&store, &user("jane", &[]), &get("default", "mysecret"));
    assert_eq!(
        d.reason,
        "RBAC: allowed by RoleBinding \"jane-reads-mysecret/default\" of Role \"mysecret-reader\" to User \"jane\""
    );
    assert!(!authz.authorize(&store, &user("jane", &[]), &get("default", "other")).allowed);
    let sa =
        user("system:serviceaccount:shop:shop-frontend", &["system:serviceaccounts", "system:serviceaccounts:shop"]);
    let d = authz.authorize(&store, &sa, &Attributes::resource("create", "", "pods", "shop", ""));
    assert_eq!(
        d.reason,
        "RBAC: allowed by RoleBinding \"shop-frontend-creates-pods/shop\" of Role \"pod-creator\" to ServiceAccount \"shop-frontend/shop\""
    );
    let d = authz.authorize(&store, &user("x", &["developers"]), &Attributes::resource("list", "", "secrets", "", ""));
    assert!(
        d.reason.contains(
            "ClusterRoleBinding \"developers-list-secrets\" of ClusterRole \"secret-lister\" to Group \"developers\""
        ),
        "{}",
        d.reason
    );
    // The admin is allowed before RBAC, with no reason.
    let d = authz.authorize(&store, &Users::demo().admin().info(), &get("default", "x"));
    assert_eq!((d.allowed, d.reason.as_str()), (true, ""));
}

#[test]
fn a_binding_to_a_missing_role_is_an_error_in_the_reason_not_a_deny_of_others() {
    let store = demo_store();
    let binding = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": {"name": "dangling", "namespace": "default"},
        "roleRef": {"apiGroup": GROUP, "kind": "Role", "name": "gone"},
        "subjects": [{"kind": "User", "name": "viewer", "apiGroup": GROUP}]});
    store.lock().put("rolebindings", binding);
    let authz = Authorizer::default();
    let viewer = Users::demo().by_name("viewer").unwrap().info();
    assert!(authz.authorize(&store, &viewer, &Attributes::resource("get", "", "secrets", "default", "a")).allowed);
    let d = authz.authorize(&store, &viewer, &Attributes::resource("delete", "", "secrets", "default", "a"));
    assert_eq!((d.allowed, d.reason.as_str()), (false, "RBAC: role.rbac.authorization.k8s.io \"gone\" not found"));
}

#[test]
fn the_cache_follows_rbac_changes() {
    let store = demo_store();
    let authz = Authorizer::default();
    let bob = user("bob", &[]);
    let a = Attributes::resource("get", "", "secrets", "shop", "shop-db");
    assert!(!authz.authorize(&store, &bob, &a).allowed);
    let binding = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": {"name": "bob", "namespace": "shop"},
        "roleRef": {"apiGroup": GROUP, "kind": "ClusterRole", "name": "edit"},
        "subjects": [{"kind": "User", "name": "bob", "apiGroup": GROUP}]});
    store.lock().put("rolebindings", binding);
    assert!(authz.authorize(&store, &bob, &a).allowed);
    // A ClusterRole bound in one namespace grants nothing in another, nor cluster-wide.
    assert!(!authz.authorize(&store, &bob, &Attributes::resource("get", "", "secrets", "default", "x")).allowed);
    assert!(!authz.authorize(&store, &bob, &Attributes::resource("list", "", "secrets", "", "")).allowed);
    store.lock().remove("rolebindings", "shop", "bob");
    assert!(!authz.authorize(&store, &bob, &a).allowed);
}

#[test]
fn aggregation_fills_admin_edit_view_and_custom_roles() {
    let store = demo_store();
    let s = store.lock();
    let rules = |name: &str| Rule::all_of(s.get("clusterroles", "", name).unwrap());
    let (view, edit, admin) = (rules("view"), rules("edit"), rules("admin"));
    assert!(!view.is_empty());
    assert!(view.iter().all(|r| edit.contains(r)), "edit includes view");
    assert!(edit.iter().all(|r| admin.contains(r)), "admin includes edit");
    let reads_secrets =
        |rules: &[Rule]| rules.iter().any(|r| rule_allows(&Attributes::resource("get", "", "secrets", "x", "y"), r));
    assert!(!reads_secrets(&view) && reads_secrets(&edit) && reads_secrets(&admin));
    let rotation = rules("secret-rotation");
    assert_eq!(rotation.len(), 2, "{rotation:?}");
    assert_eq!(rotation[0].api_groups, ["apps"], "in name order: restarts, then secrets");
}

#[test]
fn aggregation_follows_a_changed_labelled_role() {
    let store = demo_store();
    let now = Timestamp::now();
    let mut s = store.lock();
    let mut extra = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": {"name": "extra", "labels": {"rbac.authorization.k8s.io/aggregate-to-view": "true"}},
        "rules": [{"verbs": ["get"], "apiGroups": ["example.com"], "resources": ["widgets"]}]});
    s.put("clusterroles", extra.clone());
    assert!(aggregate::sync(&mut s, now));
    let widgets = Attributes::resource("get", "example.com", "widgets", "a", "w");
    for role in ["view", "edit", "admin"] {
        let rules = Rule::all_of(s.get("clusterroles", "", role).unwrap());
        assert!(rules.iter().any(|r| rule_allows(&widgets, r)), "{role}");
    }
    extra["metadata"]["labels"] = json!({});
    s.put("clusterroles", extra);
    assert!(aggregate::sync(&mut s, now));
    let rules = Rule::all_of(s.get("clusterroles", "", "admin").unwrap());
    assert!(!rules.iter().any(|r| rule_allows(&widgets, r)));
    assert!(!aggregate::sync(&mut s, now), "settled");
}

#[test]
fn selectors_match_labels_and_expressions() {
    let labels = json!({"a": "1", "b": "2"});
    let l = labels.as_object();
    assert!(selector_matches(&json!({"matchLabels": {"a": "1"}}), l));
    assert!(!selector_matches(&json!({"matchLabels": {"a": "2"}}), l));
    assert!(selector_matches(&json!({"matchExpressions": [{"key": "b", "operator": "In", "values": ["2", "3"]}]}), l));
    assert!(selector_matches(&json!({"matchExpressions": [{"key": "c", "operator": "DoesNotExist"}]}), l));
    assert!(!selector_matches(&json!({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["1"]}]}), l));
    assert!(selector_matches(&json!({}), None));
}
