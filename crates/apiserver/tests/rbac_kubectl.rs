//! kubectl against the RBAC of the embedded cluster: `auth can-i` for the demo data's subjects
//! (through `--as`), `auth can-i --list`, the aggregated `view` role, a RoleBinding made with
//! `kubectl create` taking effect, `auth whoami --as`, and impersonation refused to a user who
//! may not impersonate.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "common/kubectl.rs"]
mod kubectl;

use std::time::{Duration, Instant};

use kubectl::Kubectl;

#[test]
fn can_i_for_the_subjects_of_the_demo_data() {
    let Some(k) = Kubectl::start() else { return };
    // One Secret by name.
    assert_eq!(k.can_i(&["get", "secret/mysecret", "--as", "jane", "-n", "default"]), "yes");
    assert_eq!(k.can_i(&["get", "secret/db-user-pass", "--as", "jane", "-n", "default"]), "no");
    assert_eq!(k.can_i(&["list", "secrets", "--as", "jane", "-n", "default"]), "no");
    // A group bound to edit in shop: Secrets there, not elsewhere.
    assert_eq!(k.can_i(&["get", "secret/shop-db", "--as", "mia", "--as-group", "shop-team", "-n", "shop"]), "yes");
    assert_eq!(k.can_i(&["get", "secret/mysecret", "--as", "mia", "--as-group", "shop-team", "-n", "default"]), "no");
    // The over-broad grant: developers list Secrets everywhere, but view alone would not.
    assert_eq!(k.can_i(&["list", "secrets", "-A", "--as", "ann", "--as-group", "developers"]), "yes");
    assert_eq!(k.can_i(&["get", "secret/mysecret", "--as", "ann", "--as-group", "developers"]), "no");
    assert_eq!(k.can_i(&["list", "pods", "-A", "--as", "ann", "--as-group", "developers"]), "yes");
    // A service account that may create Pods in its namespace only.
    let sa = "system:serviceaccount:shop:shop-frontend";
    assert_eq!(k.can_i(&["create", "pods", "--as", sa, "-n", "shop"]), "yes");
    assert_eq!(k.can_i(&["create", "pods", "--as", sa, "-n", "default"]), "no");
    // The aggregated role: its labelled parts' rules.
    assert_eq!(k.can_i(&["patch", "deployments.apps", "--as", "rotator", "-n", "shop"]), "yes");
    assert_eq!(k.can_i(&["update", "secret/shop-db", "--as", "rotator", "-n", "shop"]), "yes");
    assert_eq!(k.can_i(&["delete", "secret/shop-db", "--as", "rotator", "-n", "shop"]), "no");
}

#[test]
fn can_i_list_shows_the_rules_of_the_bindings() {
    let Some(k) = Kubectl::start() else { return };
    let out = k.ok(&["auth", "can-i", "--list", "--as", "jane", "-n", "default"]);
    let line = out.lines().find(|l| l.starts_with("secrets ")).unwrap_or_else(|| panic!("{out}"));
    assert!(line.contains("[mysecret]") && line.contains("[get]"), "{line}");
    assert!(out.lines().any(|l| l.starts_with("selfsubjectaccessreviews.authorization.k8s.io")), "{out}");
    assert!(out.contains("/version"), "system:discovery: {out}");
    let out = k.ok(&["auth", "can-i", "--list", "--as", "jane", "-n", "shop"]);
    assert!(!out.lines().any(|l| l.starts_with("secrets ")), "the Role is in default only: {out}");
}

#[test]
fn the_view_role_shows_its_aggregated_rules_and_follows_a_new_labelled_role() {
    let Some(k) = Kubectl::start() else { return };
    let view: serde_json::Value = serde_json::from_str(&k.ok(&["get", "clusterrole", "view", "-o", "json"])).unwrap();
    let rules = view["rules"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["resources"].as_array().unwrap().iter().any(|x| x == "pods/log")), "{view}");
    assert!(!rules.iter().any(|r| r["resources"].as_array().unwrap().iter().any(|x| x == "secrets")), "{view}");
    let yaml = k.ok(&["get", "clusterroles", "view", "-o", "yaml"]);
    assert!(
        yaml.contains("aggregationRule:") && yaml.contains("rbac.authorization.k8s.io/aggregate-to-view"),
        "{yaml}"
    );

    k.ok(&["create", "clusterrole", "class-viewer", "--verb=get,list", "--resource=storageclasses.storage.k8s.io"]);
    k.ok(&["label", "clusterrole", "class-viewer", "rbac.authorization.k8s.io/aggregate-to-view=true"]);
    // The aggregation controller writes it into view, then edit, then admin.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let admin = k.ok(&["get", "clusterrole", "admin", "-o", "json"]);
        let admin: serde_json::Value = serde_json::from_str(&admin).unwrap();
        let verbs = |r: &serde_json::Value| r["verbs"].as_array().cloned().unwrap_or_default();
        let has = admin["rules"].as_array().unwrap().iter().any(|r| {
            r["resources"] == serde_json::json!(["storageclasses"])
                && verbs(r) == [serde_json::json!("get"), serde_json::json!("list")]
        });
        if has {
            break;
        }
        assert!(Instant::now() < deadline, "admin never aggregated the new role: {admin}");
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = k.ok(&["get", "clusterroles", "view", "admin"]);
    assert!(out.starts_with("NAME") && out.contains("CREATED AT"), "{out}");
}

#[test]
fn a_rolebinding_made_with_kubectl_takes_effect() {
    let Some(k) = Kubectl::start() else { return };
    assert_eq!(k.can_i(&["get", "secret/mysecret", "--as", "bob", "-n", "default"]), "no");
    k.ok(&["create", "role", "secret-getter", "--verb=get", "--resource=secrets", "-n", "default"]);
    k.ok(&["create", "rolebinding", "bob-gets-secrets", "--role=secret-getter", "--user=bob", "-n", "default"]);
    assert_eq!(k.can_i(&["get", "secret/mysecret", "--as", "bob", "-n", "default"]), "yes");
    assert_eq!(k.can_i(&["get", "secret/shop-db", "--as", "bob", "-n", "shop"]), "no");
    let out = k.ok(&["get", "secret", "mysecret", "--as", "bob", "-n", "default", "-o", "name"]);
    assert_eq!(out.trim(), "secret/mysecret");
    let rows = k.ok(&["get", "rolebindings", "-n", "default", "-o", "wide"]);
    let row = rows.lines().find(|l| l.starts_with("bob-gets-secrets")).unwrap_or_else(|| panic!("{rows}"));
    assert!(row.contains("Role/secret-getter") && row.contains("bob"), "{row}");
    let described = k.ok(&["describe", "role", "secret-getter", "-n", "default"]);
    assert!(described.contains("secrets") && described.contains("[get]"), "{described}");
    k.ok(&["delete", "rolebinding", "bob-gets-secrets", "-n", "default"]);
    assert_eq!(k.can_i(&["get", "secret/mysecret", "--as", "bob", "-n", "default"]), "no");
}

#[test]
fn impersonation_needs_the_impersonate_verb() {
    let Some(k) = Kubectl::start() else { return };
    let who = k.ok(&["auth", "whoami", "--as", "jane", "--as-group", "developers"]);
    assert!(who.contains("jane") && who.contains("developers") && who.contains("system:authenticated"), "{who}");
    // Discovery is refused too (kubectl then prints only "Forbidden: unknown"): ask for a path.
    let viewer = ["--context", "keyhole-demo-readonly"];
    let err = k.fails(&[&viewer[..], &["get", "--raw", "/api/v1/namespaces/default/secrets", "--as", "jane"]].concat());
    assert!(
        err.contains("users \"jane\" is forbidden: User \"viewer\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope"),
        "{err}"
    );
    let err = k.fails(&[&viewer[..], &["get", "--raw", "/version", "--as-group", "g"]].concat());
    assert!(err.contains("without impersonating a user"), "{err}");
    let err = k.fails(&["get", "secret", "mysecret", "-n", "shop", "--as", "jane"]);
    assert!(
        err.contains("secrets \"mysecret\" is forbidden: User \"jane\" cannot get resource \"secrets\" in API group \"\" in the namespace \"shop\""),
        "{err}"
    );
}

#[test]
fn granting_rbac_needs_the_rules_or_bind_and_escalate() {
    let Some(k) = Kubectl::start() else { return };
    let ns = ["-n", "default"];
    let carl = ["--as", "carl"];
    // carl may write roles and bindings in default, and holds no Secret rights.
    k.ok(&[&ns[..], &["create", "role", "rbac-writer", "--verb=create,update,get", "--resource=roles,rolebindings"]]
        .concat());
    k.ok(&[&ns[..], &["create", "rolebinding", "carl-writes-rbac", "--role=rbac-writer", "--user=carl"]].concat());
    assert_eq!(k.can_i(&[&ns[..], &carl[..], &["get", "secrets"]].concat()), "no");

    // A role with rules carl does not hold: refused, naming what is missing.
    let err = k
        .fails(&[&ns[..], &carl[..], &["create", "role", "carl-secrets", "--verb=get", "--resource=secrets"]].concat());
    assert!(
        err.contains(r#"roles.rbac.authorization.k8s.io "carl-secrets" is forbidden: user "carl" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:"#)
            && err.contains(r#"{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}"#),
        "{err}"
    );
    // A role within carl's own rules: allowed.
    k.ok(&[&ns[..], &carl[..], &["create", "role", "carl-roles", "--verb=get", "--resource=roles"]].concat());
    // A binding to a role whose rules carl does not hold: refused; with `bind` on it: allowed.
    let bind = [
        &ns[..],
        &carl[..],
        &["create", "rolebinding", "carl-gets", "--clusterrole=keyhole-demo:get-secrets", "--user=carl"],
    ]
    .concat();
    let err = k.fails(&bind);
    assert!(err.contains("is attempting to grant RBAC permissions not currently held"), "{err}");
    k.ok(&[
        &ns[..],
        &[
            "create",
            "role",
            "binder",
            "--verb=bind",
            "--resource=clusterroles",
            "--resource-name=keyhole-demo:get-secrets",
        ],
    ]
    .concat());
    k.ok(&[&ns[..], &["create", "rolebinding", "carl-binds", "--role=binder", "--user=carl"]].concat());
    k.ok(&bind);
    assert_eq!(k.can_i(&[&ns[..], &carl[..], &["get", "secret/mysecret"]].concat()), "yes");
    // `escalate` on roles lets carl write rules beyond his own.
    k.ok(&[&ns[..], &["create", "role", "escalator", "--verb=escalate", "--resource=roles"]].concat());
    k.ok(&[&ns[..], &["create", "rolebinding", "carl-escalates", "--role=escalator", "--user=carl"]].concat());
    k.ok(&[&ns[..], &carl[..], &["create", "role", "carl-deletes", "--verb=delete", "--resource=secrets"]].concat());
    // A binding to a missing role: the role's lookup answers (404), unless carl may bind it.
    let err =
        k.fails(&[&ns[..], &carl[..], &["create", "rolebinding", "carl-nope", "--role=nope", "--user=carl"]].concat());
    assert!(err.contains(r#"roles.rbac.authorization.k8s.io "nope" not found"#), "{err}");
    // The cluster admin (system:masters) is never checked, even for a missing role.
    k.ok(&[&ns[..], &["create", "rolebinding", "dangling", "--role=nope", "--user=dora"]].concat());
    k.ok(&[&ns[..], &["create", "rolebinding", "dora-gets", "--clusterrole=cluster-admin", "--user=dora"]].concat());
}
