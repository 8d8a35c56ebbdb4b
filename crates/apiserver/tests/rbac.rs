//! Authorization decisions through the real HTTP path: the examples of "Using RBAC
//! Authorization" (kubernetes.io/docs/reference/access-authn-authz/rbac/) created over the API,
//! then a table of requests, each asked as a SelfSubjectAccessReview by the admin impersonating
//! the subject (the decision is the impersonated subject's), with the answer the documentation
//! gives. And real requests: the 403 a refused request gets, and a list narrowed to one name.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use serde_json::{Value, json};

const RBAC: &str = "/apis/rbac.authorization.k8s.io/v1";

async fn send(
    client: &kube::Client,
    method: &str,
    path: &str,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> Result<Value, kube::Error> {
    let mut req = http::Request::builder().method(method).uri(path).header("Content-Type", "application/json");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let body = body.map(|b| serde_json::to_vec(&b).unwrap()).unwrap_or_default();
    client.request::<Value>(req.body(body).unwrap()).await
}

async fn create(client: &kube::Client, path: &str, obj: Value) {
    send(client, "POST", path, Some(obj), &[]).await.unwrap_or_else(|e| panic!("create at {path}: {e}"));
}

fn role(kind: &str, name: &str, ns: Option<&str>, rules: Value) -> Value {
    let mut meta = json!({"name": name});
    if let Some(ns) = ns {
        meta["namespace"] = json!(ns);
    }
    json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": meta, "rules": rules})
}

fn binding(kind: &str, name: &str, ns: Option<&str>, role_kind: &str, role: &str, subjects: Value) -> Value {
    let mut meta = json!({"name": name});
    if let Some(ns) = ns {
        meta["namespace"] = json!(ns);
    }
    json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": meta,
           "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role}, "subjects": subjects})
}

/// The documentation's examples, as objects.
async fn create_examples(admin: &kube::Client) {
    create(
        admin,
        "/api/v1/namespaces",
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "development"}}),
    )
    .await;
    let user = |n: &str| json!({"kind": "User", "name": n, "apiGroup": "rbac.authorization.k8s.io"});
    let group = |n: &str| json!({"kind": "Group", "name": n, "apiGroup": "rbac.authorization.k8s.io"});
    let ns = |n: &str| format!("{RBAC}/namespaces/{n}");
    create(
        admin,
        &format!("{}/roles", ns("default")),
        role(
            "Role",
            "pod-reader",
            Some("default"),
            json!([{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "watch", "list"]}]),
        ),
    )
    .await;
    create(
        admin,
        &format!("{}/rolebindings", ns("default")),
        binding("RoleBinding", "read-pods", Some("default"), "Role", "pod-reader", json!([user("jane")])),
    )
    .await;
    create(
        admin,
        &format!("{RBAC}/clusterroles"),
        role(
            "ClusterRole",
            "secret-reader",
            None,
            json!([{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "watch", "list"]}]),
        ),
    )
    .await;
    create(
        admin,
        &format!("{}/rolebindings", ns("development")),
        binding(
            "RoleBinding",
            "read-secrets",
            Some("development"),
            "ClusterRole",
            "secret-reader",
            json!([user("dave")]),
        ),
    )
    .await;
    create(
        admin,
        &format!("{RBAC}/clusterrolebindings"),
        binding(
            "ClusterRoleBinding",
            "read-secrets-global",
            None,
            "ClusterRole",
            "secret-reader",
            json!([group("manager")]),
        ),
    )
    .await;
    create(
        admin,
        &format!("{}/roles", ns("default")),
        role(
            "Role",
            "pod-and-pod-logs-reader",
            Some("default"),
            json!([{"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list"]}]),
        ),
    )
    .await;
    create(admin, &format!("{}/roles", ns("default")), role("Role", "configmap-updater", Some("default"),
        json!([{"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["my-configmap"], "verbs": ["update", "get"]}]))).await;
    create(
        admin,
        &format!("{}/rolebindings", ns("default")),
        binding(
            "RoleBinding",
            "logs-and-configmaps",
            Some("default"),
            "Role",
            "pod-and-pod-logs-reader",
            json!([user("lou")]),
        ),
    )
    .await;
    create(
        admin,
        &format!("{}/rolebindings", ns("default")),
        binding(
            "RoleBinding",
            "update-my-configmap",
            Some("default"),
            "Role",
            "configmap-updater",
            json!([user("lou")]),
        ),
    )
    .await;
    create(admin, &format!("{RBAC}/clusterroles"), json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": {"name": "monitoring"},
        "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"rbac.example.com/aggregate-to-monitoring": "true"}}]}})).await;
    let mut endpoints = role(
        "ClusterRole",
        "monitoring-endpoints",
        None,
        json!([{"apiGroups": [""], "resources": ["services", "endpointslices", "pods"], "verbs": ["get", "list", "watch"]}]),
    );
    endpoints["metadata"]["labels"] = json!({"rbac.example.com/aggregate-to-monitoring": "true"});
    create(admin, &format!("{RBAC}/clusterroles"), endpoints).await;
    create(
        admin,
        &format!("{RBAC}/clusterrolebindings"),
        binding("ClusterRoleBinding", "monitoring", None, "ClusterRole", "monitoring", json!([group("monitors")])),
    )
    .await;
    create(
        admin,
        &format!("{RBAC}/clusterroles"),
        role(
            "ClusterRole",
            "healthz-poster",
            None,
            json!([{"nonResourceURLs": ["/healthz", "/healthz/*"], "verbs": ["get", "post"]}]),
        ),
    )
    .await;
    create(
        admin,
        &format!("{RBAC}/clusterrolebindings"),
        binding("ClusterRoleBinding", "healthz-poster", None, "ClusterRole", "healthz-poster", json!([user("hal")])),
    )
    .await;
    // Service accounts: one by name (namespace defaulted to the binding's), every one of a
    // namespace (a group), and every one anywhere.
    create(
        admin,
        &format!("{}/rolebindings", ns("kube-system")),
        binding(
            "RoleBinding",
            "sa-default",
            Some("kube-system"),
            "ClusterRole",
            "view",
            json!([{"kind": "ServiceAccount", "name": "default"}]),
        ),
    )
    .await;
    create(
        admin,
        &format!("{}/rolebindings", ns("development")),
        binding(
            "RoleBinding",
            "qa-edit",
            Some("development"),
            "ClusterRole",
            "edit",
            json!([group("system:serviceaccounts:qa")]),
        ),
    )
    .await;
    create(
        admin,
        &format!("{RBAC}/clusterrolebindings"),
        binding(
            "ClusterRoleBinding",
            "all-sa-pod-readers",
            None,
            "ClusterRole",
            "secret-reader",
            json!([{"kind": "ServiceAccount", "name": "reader", "namespace": "shop"}]),
        ),
    )
    .await;
}

/// One row: who asks (user, groups; empty groups: what impersonation gives), what, and the
/// expected answer.
struct Row {
    user: &'static str,
    groups: &'static [&'static str],
    verb: &'static str,
    /// `group/resource[/subresource]` (`/pods` is core), or `path:/url` for a non-resource
    /// request.
    what: &'static str,
    namespace: &'static str,
    name: &'static str,
    allowed: bool,
}

const fn row(
    user: &'static str,
    groups: &'static [&'static str],
    verb: &'static str,
    what: &'static str,
    namespace: &'static str,
    name: &'static str,
    allowed: bool,
) -> Row {
    Row { user, groups, verb, what, namespace, name, allowed }
}

const SA_KS: &str = "system:serviceaccount:kube-system:default";
const SA_QA: &str = "system:serviceaccount:qa:tester";
const SA_SHOP: &str = "system:serviceaccount:shop:reader";

const TABLE: &[Row] = &[
    // A Role grants its verbs on its resources, in its namespace only.
    row("jane", &[], "get", "/pods", "default", "p", true),
    row("jane", &[], "list", "/pods", "default", "", true),
    row("jane", &[], "watch", "/pods", "default", "", true),
    row("jane", &[], "delete", "/pods", "default", "p", false),
    row("jane", &[], "get", "/pods", "shop", "p", false),
    row("jane", &[], "list", "/pods", "", "", false),
    row("jane", &[], "get", "/secrets", "default", "s", false),
    // A RoleBinding to a ClusterRole grants it in the binding's namespace only.
    row("dave", &[], "get", "/secrets", "development", "s", true),
    row("dave", &[], "get", "/secrets", "default", "s", false),
    row("dave", &[], "list", "/secrets", "", "", false),
    // A ClusterRoleBinding to a group grants it everywhere, across namespaces too.
    row("ann", &["manager"], "get", "/secrets", "shop", "s", true),
    row("ann", &["manager"], "list", "/secrets", "", "", true),
    row("ann", &["manager"], "update", "/secrets", "shop", "s", false),
    row("ann", &["staff"], "get", "/secrets", "shop", "s", false),
    // Subresources are named: pods/log is not pods.
    row("lou", &[], "get", "/pods/log", "default", "p", true),
    row("jane", &[], "get", "/pods/log", "default", "p", false),
    // resourceNames restrict get and update to those names; list and create carry no name.
    row("lou", &[], "get", "/configmaps", "default", "my-configmap", true),
    row("lou", &[], "update", "/configmaps", "default", "my-configmap", true),
    row("lou", &[], "get", "/configmaps", "default", "other", false),
    row("lou", &[], "list", "/configmaps", "default", "", false),
    row("lou", &[], "create", "/configmaps", "default", "", false),
    // An aggregated ClusterRole holds the rules of the roles its selector matches.
    row("mo", &["monitors"], "list", "/services", "", "", true),
    row("mo", &["monitors"], "get", "/pods", "shop", "p", true),
    row("mo", &["monitors"], "delete", "/pods", "shop", "p", false),
    // The default roles: view does not read Secrets, edit does; admin manages Roles.
    row(SA_KS, &[], "list", "/pods", "kube-system", "", true),
    row(SA_KS, &[], "get", "/secrets", "kube-system", "s", false),
    row(SA_KS, &[], "list", "/pods", "default", "", false),
    row(SA_QA, &[], "get", "/secrets", "development", "s", true),
    row(SA_QA, &[], "create", "apps/deployments", "development", "", true),
    row(SA_QA, &[], "impersonate", "/serviceaccounts", "development", "x", true),
    row(SA_QA, &[], "create", "rbac.authorization.k8s.io/roles", "development", "", false),
    row(SA_QA, &[], "get", "/secrets", "qa", "s", false),
    // A ServiceAccount subject in a ClusterRoleBinding names its namespace.
    row(SA_SHOP, &[], "list", "/secrets", "", "", true),
    row("system:serviceaccount:default:reader", &[], "list", "/secrets", "", "", false),
    // Wildcards: cluster-admin (system:masters) has every verb on every resource and URL.
    row("root", &["system:masters"], "deletecollection", "example.com/widgets", "", "", true),
    row("root", &["system:masters"], "post", "path:/anything", "", "", true),
    // Non-resource URLs: discovery and /version for every authenticated user; a trailing *
    // matches below, not the URL itself.
    row("nobody", &[], "get", "path:/api", "", "", true),
    row("nobody", &[], "get", "path:/apis/apps/v1", "", "", true),
    row("nobody", &[], "get", "path:/version", "", "", true),
    row("nobody", &[], "get", "path:/healthz", "", "", true),
    row("nobody", &[], "post", "path:/healthz", "", "", false),
    row("nobody", &[], "get", "path:/metrics", "", "", false),
    row("hal", &[], "post", "path:/healthz", "", "", true),
    row("hal", &[], "post", "path:/healthz/etcd", "", "", true),
    row("hal", &[], "post", "path:/healthzx", "", "", false),
    // Every authenticated user may ask what it may do.
    row("nobody", &[], "create", "authorization.k8s.io/selfsubjectaccessreviews", "", "", true),
    row("nobody", &[], "create", "authorization.k8s.io/subjectaccessreviews", "", "", false),
];

#[tokio::test]
async fn the_rbac_documentation_table_decides_through_http() {
    let server = common::demo().await;
    let admin = common::client(&server, "admin").await;
    create_examples(&admin).await;
    // The aggregation controller runs on the server's events: wait for monitoring's rules.
    for _ in 0..100 {
        let m = send(&admin, "GET", &format!("{RBAC}/clusterroles/monitoring"), None, &[]).await.unwrap();
        if m["rules"].as_array().is_some_and(|r| !r.is_empty()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let mut wrong = Vec::new();
    for r in TABLE {
        let spec = if let Some(path) = r.what.strip_prefix("path:") {
            json!({"nonResourceAttributes": {"path": path, "verb": r.verb}})
        } else {
            let (group, rest) = r.what.split_once('/').unwrap();
            let (resource, sub) = rest.split_once('/').unwrap_or((rest, ""));
            json!({"resourceAttributes": {"namespace": r.namespace, "verb": r.verb, "group": group,
                   "resource": resource, "subresource": sub, "name": r.name}})
        };
        let review = json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview", "spec": spec});
        let mut headers = vec![("Impersonate-User", r.user)];
        headers.extend(r.groups.iter().map(|g| ("Impersonate-Group", *g)));
        let answer =
            send(&admin, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", Some(review), &headers)
                .await
                .unwrap();
        let allowed = answer["status"]["allowed"].as_bool().unwrap();
        if allowed != r.allowed {
            wrong.push(format!(
                "{} {:?} {} {} ns={:?} name={:?}: {allowed} {}",
                r.user, r.groups, r.verb, r.what, r.namespace, r.name, answer["status"]
            ));
        }
    }
    assert!(TABLE.len() >= 30);
    assert!(wrong.is_empty(), "wrong decisions:\n{}", wrong.join("\n"));
}

#[tokio::test]
async fn refused_requests_get_the_real_403_and_names_narrow_lists() {
    let server = common::demo().await;
    let admin = common::client(&server, "admin").await;
    let as_jane = [("Impersonate-User", "jane")];
    // jane may get default/mysecret by name (demo data), and nothing else.
    let got = send(&admin, "GET", "/api/v1/namespaces/default/secrets/mysecret", None, &as_jane).await.unwrap();
    assert_eq!(got["metadata"]["name"], "mysecret");
    let err = send(&admin, "GET", "/api/v1/namespaces/default/secrets/db-user-pass", None, &as_jane).await.unwrap_err();
    assert_eq!(
        common::status(&err),
        ("Forbidden".into(), 403, "secrets \"db-user-pass\" is forbidden: User \"jane\" cannot get resource \"secrets\" in API group \"\" in the namespace \"default\"".into())
    );
    // A list narrowed to one name by a field selector carries that name: resourceNames apply.
    let mut rb = binding(
        "RoleBinding",
        "jane-lists-mysecret",
        Some("default"),
        "Role",
        "mysecret-lister",
        json!([{"kind": "User", "name": "jane", "apiGroup": "rbac.authorization.k8s.io"}]),
    );
    create(
        &admin,
        &format!("{RBAC}/namespaces/default/roles"),
        role(
            "Role",
            "mysecret-lister",
            Some("default"),
            json!([{"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["mysecret"], "verbs": ["list"]}]),
        ),
    )
    .await;
    create(&admin, &format!("{RBAC}/namespaces/default/rolebindings"), rb.take()).await;
    let list = send(
        &admin,
        "GET",
        "/api/v1/namespaces/default/secrets?fieldSelector=metadata.name%3Dmysecret",
        None,
        &as_jane,
    )
    .await
    .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let err = send(&admin, "GET", "/api/v1/namespaces/default/secrets", None, &as_jane).await.unwrap_err();
    assert_eq!(common::status(&err).1, 403);
    // Non-resource requests are authorized by path.
    let viewer = common::client(&server, "viewer").await;
    let err = send(&viewer, "GET", "/metrics", None, &[]).await.unwrap_err();
    assert_eq!(
        common::status(&err),
        ("Forbidden".into(), 403, "forbidden: User \"viewer\" cannot get path \"/metrics\"".into())
    );
    // Who the impersonated user is.
    let who = send(
        &admin,
        "POST",
        "/apis/authentication.k8s.io/v1/selfsubjectreviews",
        Some(json!({"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"})),
        &[("Impersonate-User", "system:serviceaccount:shop:shop-frontend"), ("Impersonate-Uid", "u-1")],
    )
    .await
    .unwrap();
    assert_eq!(
        who["status"]["userInfo"],
        json!({"username": "system:serviceaccount:shop:shop-frontend", "uid": "u-1",
        "groups": ["system:serviceaccounts", "system:serviceaccounts:shop", "system:authenticated"]})
    );
}
