//! The embedded cluster as unkind as a real one (DESIGN.md decision 3), driven by kube-rs:
//! restricted users with RBAC's 403s, watches that stall, paged lists that are snapshots with
//! expiring continue tokens, finalizers, and server-side apply in YAML. Each behaviour is what
//! kube-apiserver does; the switches are `ServerOptions` fields (docs/embedded-cluster.md).
//! managedFields, the last-applied annotation and kubelet statuses are in `realism.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use futures::{AsyncBufReadExt, StreamExt};
use k8s_openapi::api::core::v1::{Pod, Secret, ServiceAccount};
use k8s_openapi::api::networking::v1::Ingress;
use keyhole_apiserver::{DemoServer, ServerOptions, WatchStall};
use kube::api::{Api, ListParams};
use serde_json::{Value, json};

async fn start(opts: ServerOptions) -> DemoServer {
    DemoServer::start(opts).await.expect("server starts")
}

/// Sends a request as `user`; the HTTP status and the JSON body.
async fn send(
    server: &DemoServer,
    user: &str,
    method: &str,
    path: &str,
    content_type: &str,
    body: &str,
) -> (u16, Value) {
    let client = common::client(server, user).await;
    let req = http::Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", content_type)
        .body(kube::client::Body::from(body.as_bytes().to_vec()))
        .unwrap();
    let resp = client.send(req).await.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    let status = resp.status().as_u16();
    let bytes = resp.into_body().collect_bytes().await.unwrap();
    let v = serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
    (status, v)
}

async fn get(server: &DemoServer, path: &str) -> Value {
    let (code, body) = send(server, "admin", "GET", path, "application/json", "").await;
    assert_eq!(code, 200, "GET {path}: {body}");
    body
}

/// A watch read line by line, each line an event.
struct Lines(Box<dyn futures::Stream<Item = std::io::Result<String>> + Unpin + Send>);

impl Lines {
    async fn open(server: &DemoServer, user: &str, path: &str) -> Lines {
        let client = common::client(server, user).await;
        let req = http::Request::get(path).body(Vec::new()).unwrap();
        let reader = client.request_stream(req).await.unwrap_or_else(|e| panic!("watch {path}: {e}"));
        Lines(Box::new(reader.lines()))
    }

    /// The next event, or `None` when nothing arrives within `wait` (or the stream ended).
    async fn next(&mut self, wait: Duration) -> Option<Value> {
        match tokio::time::timeout(wait, self.0.next()).await {
            Ok(Some(Ok(line))) => Some(serde_json::from_str(&line).expect("an event is a JSON line")),
            _ => None,
        }
    }

    /// Whether nothing at all happens for `wait`: no line, and no end of the stream.
    async fn silent(&mut self, wait: Duration) -> bool {
        tokio::time::timeout(wait, self.0.next()).await.is_err()
    }
}

fn forbidden(user: &str, verb: &str, group: &str, resource: &str, ns: &str) -> String {
    let gr = if group.is_empty() { resource.to_string() } else { format!("{resource}.{group}") };
    format!(
        "{gr} is forbidden: User \"{user}\" cannot {verb} resource \"{resource}\" in API group \"{group}\" in the namespace \"{ns}\""
    )
}

// ---------------------------------------------------------------------------------------------
// Users

#[tokio::test]
async fn restricted_users_get_rbacs_403s() {
    let server = common::demo().await;
    let config = server.kubeconfig();
    for context in
        ["keyhole-demo-nowatch", "keyhole-demo-getonly", "keyhole-demo-noconsumers", "keyhole-demo-pernamespace"]
    {
        assert!(config.contains(&format!("- name: {context}\n")), "{context} in the kubeconfig");
    }
    for context in ["keyhole-demo", "keyhole-demo-readonly", "keyhole-demo-auditor", "keyhole-demo-team"] {
        assert!(config.contains(&format!("- name: {context}\n")), "{context} is still there");
    }
    assert!(config.contains("current-context: keyhole-demo\n"));

    // get and list Secrets, but a watch is the authorizer's 403, in kube-rs's own watch too.
    let lister = common::client(&server, "lister").await;
    let secrets: Api<Secret> = Api::namespaced(lister.clone(), "default");
    secrets.get("mysecret").await.unwrap();
    assert!(!secrets.list(&ListParams::default()).await.unwrap().items.is_empty());
    let err = secrets.watch(&kube::api::WatchParams::default(), "0").await.err().expect("a watch is refused");
    let (reason, code, message) = common::status(&err);
    assert_eq!((reason.as_str(), code), ("Forbidden", 403));
    assert_eq!(message, forbidden("lister", "watch", "", "secrets", "default"));
    let pods: Api<Pod> = Api::namespaced(lister, "default");
    let _events =
        pods.watch(&kube::api::WatchParams::default().timeout(1), "0").await.expect("other kinds may be watched");

    // get only.
    let getter = common::client(&server, "getter").await;
    let secrets: Api<Secret> = Api::namespaced(getter.clone(), "default");
    secrets.get("mysecret").await.unwrap();
    let (_, code, message) = common::status(&secrets.list(&ListParams::default()).await.unwrap_err());
    assert_eq!((code, message), (403, forbidden("getter", "list", "", "secrets", "default")));
    let all: Api<Secret> = Api::all(getter.clone());
    let (_, code, message) = common::status(&all.list(&ListParams::default()).await.unwrap_err());
    assert_eq!(code, 403);
    assert_eq!(
        message,
        "secrets is forbidden: User \"getter\" cannot list resource \"secrets\" in API group \"\" at the cluster scope"
    );
    let err = secrets.watch(&kube::api::WatchParams::default(), "0").await.err().expect("a watch is refused");
    assert_eq!(common::status(&err).2, forbidden("getter", "watch", "", "secrets", "default"));

    // Secrets, but none of the kinds that use them.
    let reader = common::client(&server, "secret-reader").await;
    let secrets: Api<Secret> = Api::namespaced(reader.clone(), "default");
    assert!(!secrets.list(&ListParams::default()).await.unwrap().items.is_empty());
    secrets.get("mysecret").await.unwrap();
    let pods: Api<Pod> = Api::namespaced(reader.clone(), "default");
    let (reason, code, message) = common::status(&pods.list(&ListParams::default()).await.unwrap_err());
    assert_eq!((reason.as_str(), code), ("Forbidden", 403));
    assert_eq!(message, forbidden("secret-reader", "list", "", "pods", "default"));
    let sas: Api<ServiceAccount> = Api::namespaced(reader.clone(), "default");
    let (_, code, message) = common::status(&sas.list(&ListParams::default()).await.unwrap_err());
    assert_eq!((code, message), (403, forbidden("secret-reader", "list", "", "serviceaccounts", "default")));
    let ingresses: Api<Ingress> = Api::namespaced(reader.clone(), "default");
    let (_, code, message) = common::status(&ingresses.list(&ListParams::default()).await.unwrap_err());
    assert_eq!((code, message), (403, forbidden("secret-reader", "list", "networking.k8s.io", "ingresses", "default")));
    let (_, code, message) = common::status(&pods.get("mypod").await.unwrap_err());
    assert_eq!(code, 403);
    assert_eq!(
        message,
        "pods \"mypod\" is forbidden: User \"secret-reader\" cannot get resource \"pods\" in API group \"\" in the namespace \"default\""
    );
}

#[tokio::test]
async fn access_reviews_tell_the_restricted_users_the_truth() {
    let server = common::demo().await;
    for (user, verb, resource, allowed) in [
        ("lister", "list", "secrets", true),
        ("lister", "watch", "secrets", false),
        ("getter", "get", "secrets", true),
        ("getter", "list", "secrets", false),
        ("secret-reader", "watch", "secrets", true),
        ("secret-reader", "list", "pods", false),
    ] {
        let review = json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
            "spec": {"resourceAttributes": {"namespace": "default", "verb": verb, "resource": resource}}});
        let (code, body) = send(
            &server,
            user,
            "POST",
            "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
            "application/json",
            &review.to_string(),
        )
        .await;
        assert_eq!(code, 201);
        assert_eq!(body["status"]["allowed"], allowed, "{user} {verb} {resource}");
    }
}

/// Tests count what a client asked for (to show it does not spin): by user, verb, resource,
/// namespace, continued page and status, never with a body or a name.
#[tokio::test]
async fn requests_are_counted_by_kind_and_answer() {
    let server = common::demo().await;
    let lister = common::client(&server, "lister").await;
    let secrets: Api<Secret> = Api::namespaced(lister, "default");
    let page = secrets.list(&ListParams::default().limit(2)).await.unwrap();
    let token = page.metadata.continue_.clone().unwrap();
    secrets.list(&ListParams::default().limit(2).continue_token(&token)).await.unwrap();
    let _ = secrets.watch(&kube::api::WatchParams::default(), "0").await;
    secrets.get("mysecret").await.unwrap();
    let requests = server.requests();
    let by_lister =
        |verb: &'static str| move |r: &keyhole_apiserver::Request| r.user == "lister" && r.is(verb, "secrets");
    assert_eq!(requests.count(by_lister("list")), 2);
    assert_eq!(requests.count(|r| r.is("list", "secrets") && r.continued), 1);
    assert_eq!(requests.count(|r| r.is("watch", "secrets") && r.code == 403), 1);
    assert_eq!(requests.count(by_lister("get")), 1);
    assert!(requests.snapshot().iter().all(|(r, _)| r.namespace == "default" || r.resource.is_empty()));
    // A request without credentials is counted too, as 401.
    let text = server.kubeconfig().replace(&server.users.admin().token, "not-a-token");
    let config = kube::Config::from_custom_kubeconfig(
        kube::config::Kubeconfig::from_yaml(&text).unwrap(),
        &kube::config::KubeConfigOptions::default(),
    )
    .await
    .unwrap();
    let stranger: Api<Secret> = Api::namespaced(kube::Client::try_from(config).unwrap(), "default");
    assert_eq!(common::status(&stranger.list(&ListParams::default()).await.unwrap_err()).1, 401);
    assert_eq!(requests.count(|r| r.code == 401 && r.user.is_empty()), 1);
}

// ---------------------------------------------------------------------------------------------
// Watches that stall

const SECRETS_WATCH: &str = "/api/v1/namespaces/default/secrets?watch=1&allowWatchBookmarks=true";

#[tokio::test]
async fn bookmarks_arrive_at_the_configured_interval() {
    let server = start(ServerOptions { bookmark_interval: Duration::from_millis(200), ..Default::default() }).await;
    let mut watch = Lines::open(&server, "admin", SECRETS_WATCH).await;
    let mut bookmarks = 0;
    while let Some(ev) = watch.next(Duration::from_secs(2)).await {
        if ev["type"] == "BOOKMARK" {
            bookmarks += 1;
            if bookmarks == 3 {
                break;
            }
        }
    }
    assert_eq!(bookmarks, 3, "three bookmarks within a few hundred milliseconds");
}

#[tokio::test]
async fn a_watch_stalled_after_its_initial_events_sends_nothing_and_stays_open() {
    let server = start(ServerOptions {
        bookmark_interval: Duration::from_millis(100),
        watch_stall: Some(WatchStall::AfterInitialEvents),
        ..Default::default()
    })
    .await;
    let existing = get(&server, "/api/v1/namespaces/default/secrets").await["items"].as_array().unwrap().len();
    let mut watch = Lines::open(&server, "admin", &format!("{SECRETS_WATCH}&timeoutSeconds=1")).await;
    for _ in 0..existing {
        let ev = watch.next(Duration::from_secs(5)).await.expect("the initial events arrive");
        assert_eq!(ev["type"], "ADDED");
    }
    let (code, _) = send(
        &server,
        "admin",
        "POST",
        "/api/v1/namespaces/default/secrets",
        "application/json",
        r#"{"metadata":{"name":"after-the-stall"},"stringData":{"k":"v"}}"#,
    )
    .await;
    assert_eq!(code, 201);
    // No event, no bookmark (they come every 100 ms otherwise), and no end at timeoutSeconds.
    assert!(watch.silent(Duration::from_millis(2500)).await, "the stalled watch neither sends nor ends");
}

#[tokio::test]
async fn a_watch_stalled_after_n_events_stops_mid_stream() {
    let server = start(ServerOptions {
        demo_data: false,
        bookmark_interval: Duration::from_millis(100),
        watch_stall: Some(WatchStall::AfterEvents(2)),
        ..Default::default()
    })
    .await;
    let mut watch = Lines::open(&server, "admin", &format!("{SECRETS_WATCH}&resourceVersion=0")).await;
    for i in 0..3 {
        let body = format!(r#"{{"metadata":{{"name":"s{i}"}},"stringData":{{"k":"v"}}}}"#);
        let (code, _) =
            send(&server, "admin", "POST", "/api/v1/namespaces/default/secrets", "application/json", &body).await;
        assert_eq!(code, 201);
    }
    let mut seen = Vec::new();
    let mut lines = 0;
    while let Some(ev) = watch.next(Duration::from_millis(800)).await {
        lines += 1;
        assert!(lines < 100, "bookmarks every 100 ms never stopped");
        if ev["type"] != "BOOKMARK" {
            seen.push(ev["object"]["metadata"]["name"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(seen, ["s0", "s1"], "two events, then silence");
}

// ---------------------------------------------------------------------------------------------
// Finalizers

#[tokio::test]
async fn finalizers_hold_a_delete_until_the_last_is_removed() {
    use kube::api::{DeleteParams, Patch, PatchParams, PostParams, WatchEvent, WatchParams};
    let server = common::empty().await;
    let client = common::client(&server, "admin").await;
    let api: Api<Secret> = Api::namespaced(client.clone(), "default");
    let mut held: Secret = serde_json::from_value(json!({"metadata": {"name": "held",
        "finalizers": ["example.com/hold", "example.com/audit"]}, "stringData": {"k": "v"}}))
    .unwrap();
    held = api.create(&PostParams::default(), &held).await.unwrap();
    let rv = held.metadata.resource_version.clone().unwrap();
    let mut events = api.watch(&WatchParams::default().timeout(10), &rv).await.unwrap().boxed();

    // The delete answers 200 with the object, marked, and it stays.
    let marked = api.delete("held", &DeleteParams::default()).await.unwrap().left().expect("the object, not a Status");
    let ts = marked.metadata.deletion_timestamp.clone().expect("deletionTimestamp");
    assert_eq!(marked.metadata.deletion_grace_period_seconds, Some(0));
    assert_ne!(marked.metadata.resource_version.as_deref(), Some(rv.as_str()));
    assert_eq!(api.get("held").await.unwrap().metadata.deletion_timestamp, Some(ts.clone()));
    match events.next().await.unwrap().unwrap() {
        WatchEvent::Modified(s) => assert!(s.metadata.deletion_timestamp.is_some()),
        other => panic!("MODIFIED expected, got {other:?}"),
    }

    // Deleting it again changes nothing: the same object, the same version.
    let again = api.delete("held", &DeleteParams::default()).await.unwrap().left().unwrap();
    assert_eq!(again.metadata.resource_version, marked.metadata.resource_version);
    assert_eq!(again.metadata.deletion_timestamp, Some(ts));

    // No new finalizer while it is being deleted.
    let add = json!({"metadata": {"finalizers": ["example.com/hold", "example.com/audit", "example.com/late"]}});
    let err = api.patch("held", &PatchParams::default(), &Patch::Merge(&add)).await.unwrap_err();
    let (reason, code, message) = common::status(&err);
    assert_eq!((reason.as_str(), code), ("Invalid", 422));
    assert_eq!(
        message,
        "Secret \"held\" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\"example.com/late\"}"
    );
    // An update cannot take the deletion timestamp away.
    let clear = json!({"metadata": {"deletionTimestamp": null, "finalizers": ["example.com/hold"]}});
    let kept = api.patch("held", &PatchParams::default(), &Patch::Merge(&clear)).await.unwrap();
    assert!(kept.metadata.deletion_timestamp.is_some());
    match events.next().await.unwrap().unwrap() {
        WatchEvent::Modified(s) => assert_eq!(s.metadata.finalizers, Some(vec!["example.com/hold".to_string()])),
        other => panic!("MODIFIED expected, got {other:?}"),
    }

    // Removing the last finalizer deletes it.
    let done = json!({"metadata": {"finalizers": null}});
    let last = api.patch("held", &PatchParams::default(), &Patch::Merge(&done)).await.unwrap();
    assert!(last.metadata.finalizers.is_none());
    let (_, code, _) = common::status(&api.get("held").await.unwrap_err());
    assert_eq!(code, 404);
    match events.next().await.unwrap().unwrap() {
        WatchEvent::Deleted(s) => assert_eq!(s.metadata.name.as_deref(), Some("held")),
        other => panic!("DELETED expected, got {other:?}"),
    }
}

#[tokio::test]
async fn a_delete_answers_as_each_store_does() {
    use kube::api::{DeleteParams, PostParams};
    let server = common::demo().await;
    let client = common::client(&server, "admin").await;
    // Secrets: a Status naming what was deleted (no ReturnDeletedObject).
    let secrets: Api<Secret> = Api::namespaced(client.clone(), "default");
    let uid = secrets.get("mysecret").await.unwrap().metadata.uid.unwrap();
    let status = secrets.delete("mysecret", &DeleteParams::default()).await.unwrap().right().expect("a Status");
    assert_eq!(status.status, Some(kube::core::response::StatusSummary::Success));
    let details = status.details.unwrap();
    assert_eq!(
        (details.name.as_str(), details.kind.as_str(), details.uid.as_str()),
        ("mysecret", "secrets", uid.as_str())
    );
    // Pods: the object.
    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    let pod = pods.delete("mypod", &DeleteParams::default()).await.unwrap().left().expect("the Pod");
    assert_eq!(pod.metadata.name.as_deref(), Some("mypod"));
    // A Deployment with a finalizer: marked, its generation bumped.
    let deployments: Api<k8s_openapi::api::apps::v1::Deployment> = Api::namespaced(client, "default");
    let d = serde_json::from_value(json!({"metadata": {"name": "held", "finalizers": ["example.com/hold"]},
        "spec": {"selector": {"matchLabels": {"app": "x"}},
                 "template": {"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}}}))
    .unwrap();
    let d = deployments.create(&PostParams::default(), &d).await.unwrap();
    assert_eq!(d.metadata.generation, Some(1));
    let marked = deployments.delete("held", &DeleteParams::default()).await.unwrap().left().unwrap();
    assert_eq!(marked.metadata.generation, Some(2));
    assert!(marked.metadata.deletion_timestamp.is_some());
    let add = json!({"metadata": {"finalizers": ["example.com/hold", "example.com/late"]}});
    let err = deployments
        .patch("held", &kube::api::PatchParams::default(), &kube::api::Patch::Merge(&add))
        .await
        .unwrap_err();
    let (_, code, message) = common::status(&err);
    assert_eq!(code, 422);
    assert!(message.ends_with("metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\"example.com/late\"}"), "{message}");
}

// ---------------------------------------------------------------------------------------------
// Server-side apply bodies are YAML

const APPLY: &str = "application/apply-patch+yaml";

#[tokio::test]
async fn server_side_apply_reads_yaml() {
    let server = common::empty().await;
    let path = "/api/v1/namespaces/default/secrets/from-yaml?fieldManager=yaml-test";
    let yaml = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: from-yaml\n  labels:\n    tier: db\nstringData:\n  user: admin\n  port: \"5432\"\ntype: Opaque\n";
    let (code, body) = send(&server, "admin", "PATCH", path, APPLY, yaml).await;
    assert_eq!(code, 201, "{body}");
    assert_eq!(body["metadata"]["labels"]["tier"], "db");
    assert_eq!(body["data"]["user"], "YWRtaW4=");
    assert_eq!(body["data"]["port"], "NTQzMg==");
    // Applied again with a change, in YAML with a comment and a second document (not read).
    let yaml = "# the same Secret\napiVersion: v1\nkind: Secret\nmetadata: {name: from-yaml}\nstringData:\n  user: root\n---\nkind: Ignored\n";
    let (code, body) = send(&server, "admin", "PATCH", path, APPLY, yaml).await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["data"]["user"], "cm9vdA==");
    // JSON is YAML.
    let json = r#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"from-yaml"},"stringData":{"user":"json"}}"#;
    let (code, body) = send(&server, "admin", "PATCH", path, APPLY, json).await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["data"]["user"], "anNvbg==");

    let (code, body) = send(&server, "admin", "PATCH", path, APPLY, "apiVersion: v1\nkind: [Secret\n").await;
    assert_eq!((code, body["reason"].as_str()), (400, Some("BadRequest")), "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(message.starts_with("error decoding patch: error converting YAML to JSON: yaml: line "), "{message}");
    let (code, body) = send(&server, "admin", "PATCH", path, APPLY, "- a\n- b\n").await;
    assert_eq!(code, 400);
    assert_eq!(
        body["message"],
        "error decoding patch: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}"
    );
    // An apply names its field manager.
    let (code, body) =
        send(&server, "admin", "PATCH", "/api/v1/namespaces/default/secrets/from-yaml", APPLY, json).await;
    assert_eq!((code, body["reason"].as_str()), (422, Some("Invalid")), "{body}");
    assert_eq!(
        body["message"],
        "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch"
    );
    assert_eq!(body["details"]["group"], "meta.k8s.io");
    assert_eq!(body["details"]["kind"], "PatchOptions");
}

// ---------------------------------------------------------------------------------------------
// Paged lists: snapshots, and continue tokens that expire

const INCONSISTENT: &str = "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";

async fn create_secret(server: &DemoServer, name: &str, value: &str) {
    let body = json!({"metadata": {"name": name}, "stringData": {"k": value}}).to_string();
    let (code, body) =
        send(server, "admin", "POST", "/api/v1/namespaces/default/secrets", "application/json", &body).await;
    assert_eq!(code, 201, "{body}");
}

fn names(list: &Value) -> Vec<String> {
    list["items"].as_array().unwrap().iter().map(|i| i["metadata"]["name"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn later_pages_are_read_at_the_first_pages_version() {
    let server = common::empty().await;
    for name in ["a", "b", "c", "d"] {
        create_secret(&server, name, "old").await;
    }
    let base = "/api/v1/namespaces/default/secrets?limit=2";
    let first = get(&server, base).await;
    assert_eq!(names(&first), ["a", "b"]);
    let rv = first["metadata"]["resourceVersion"].as_str().unwrap().to_string();
    let token = first["metadata"]["continue"].as_str().unwrap().to_string();
    assert_eq!(first["metadata"]["remainingItemCount"], 2);
    // The token is kube-apiserver's: base64url JSON with the version and the start key.
    use base64::Engine as _;
    let decoded: Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&token).unwrap()).unwrap();
    assert_eq!(decoded, json!({"v": "meta.k8s.io/v1", "rv": rv.parse::<i64>().unwrap(), "start": "b\u{0}"}));

    // Changes after the first page: a new object, a deleted one, a changed one.
    create_secret(&server, "bb", "new").await;
    let (code, _) =
        send(&server, "admin", "DELETE", "/api/v1/namespaces/default/secrets/c", "application/json", "").await;
    assert_eq!(code, 200);
    let patch = r#"{"stringData":{"k":"changed"}}"#;
    let (code, _) =
        send(&server, "admin", "PATCH", "/api/v1/namespaces/default/secrets/d", "application/merge-patch+json", patch)
            .await;
    assert_eq!(code, 200);

    let second = get(&server, &format!("{base}&continue={token}")).await;
    assert_eq!(names(&second), ["c", "d"], "the list as it was at the first page");
    assert_eq!(second["items"][1]["data"]["k"], "b2xk", "d as it was (old)");
    assert_eq!(second["metadata"]["resourceVersion"], rv.as_str());
    assert!(second["metadata"].get("continue").is_none());
    // A new list sees the changes.
    assert_eq!(names(&get(&server, "/api/v1/namespaces/default/secrets").await), ["a", "b", "bb", "d"]);
    // Across namespaces the start key carries the namespace.
    let all = get(&server, "/api/v1/secrets?limit=1").await;
    let token = all["metadata"]["continue"].as_str().unwrap();
    let decoded: Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(token).unwrap()).unwrap();
    assert_eq!(decoded["start"], "default/a\u{0}");
    // kube-rs pages through the same way.
    let client = common::client(&server, "admin").await;
    let api: Api<Secret> = Api::namespaced(client, "default");
    let page = api.list(&ListParams::default().limit(3)).await.unwrap();
    assert_eq!(page.items.len(), 3);
    let rest = api
        .list(&ListParams::default().limit(3).continue_token(page.metadata.continue_.as_deref().unwrap()))
        .await
        .unwrap();
    assert_eq!(rest.items.len(), 1);

    // Tokens that are not kube-apiserver's are its 400s.
    for (token, message) in [
        ("!!", "invalid continue token: continue key is not valid: illegal base64 data at input byte 0"),
        (
            "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MCwic3RhcnQiOiJhIn0",
            "invalid continue token: continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)",
        ),
    ] {
        let (code, body) = send(&server, "admin", "GET", &format!("{base}&continue={token}"), "", "").await;
        assert_eq!((code, body["message"].as_str()), (400, Some(message)), "{body}");
    }
    let (code, body) = send(
        &server,
        "admin",
        "GET",
        &format!("{base}&continue={}&resourceVersion=5", first["metadata"]["continue"].as_str().unwrap()),
        "",
        "",
    )
    .await;
    assert_eq!(
        (code, body["message"].as_str()),
        (400, Some("specifying resource version is not allowed when using continue"))
    );
}

/// The 410 of an expired token, with the token to go on with inconsistently.
async fn expect_expired(server: &DemoServer, base: &str, token: &str) -> String {
    let (code, body) = send(server, "admin", "GET", &format!("{base}&continue={token}"), "", "").await;
    assert_eq!(code, 410, "{body}");
    assert_eq!(body["reason"], "Expired");
    assert_eq!(body["message"], INCONSISTENT);
    let next = body["metadata"]["continue"].as_str().expect("an inconsistent continue token").to_string();
    use base64::Engine as _;
    let decoded: Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&next).unwrap()).unwrap();
    assert_eq!(decoded["rv"], -1, "{decoded}");
    next
}

#[tokio::test]
async fn continue_tokens_expire_when_the_log_no_longer_holds_their_version() {
    let server = start(ServerOptions { demo_data: false, event_log: 3, ..Default::default() }).await;
    for name in ["a", "b", "c"] {
        create_secret(&server, name, "v").await;
    }
    let base = "/api/v1/namespaces/default/secrets?limit=1";
    let first = get(&server, base).await;
    let token = first["metadata"]["continue"].as_str().unwrap().to_string();
    for name in ["d", "e", "f", "g"] {
        create_secret(&server, name, "v").await;
    }
    let next = expect_expired(&server, base, &token).await;
    // The inconsistent token goes on from the same place at the latest version.
    let rest = get(&server, &format!("{base}&continue={next}")).await;
    assert_eq!(names(&rest), ["b"]);
    assert_ne!(rest["metadata"]["resourceVersion"], first["metadata"]["resourceVersion"]);
    // kube-rs sees the 410.
    let client = common::client(&server, "admin").await;
    let api: Api<Secret> = Api::namespaced(client, "default");
    let err = api.list(&ListParams::default().limit(1).continue_token(&token)).await.unwrap_err();
    assert_eq!(common::status(&err).1, 410);
}

#[tokio::test]
async fn continue_tokens_expire_after_the_compaction_interval() {
    let interval = Duration::from_millis(300);
    let server =
        start(ServerOptions { demo_data: false, compaction_interval: Some(interval), ..Default::default() }).await;
    for name in ["a", "b", "c"] {
        create_secret(&server, name, "v").await;
    }
    let base = "/api/v1/namespaces/default/secrets?limit=1";
    let first = get(&server, base).await;
    let token = first["metadata"]["continue"].as_str().unwrap().to_string();
    // Within the interval the token works; once a compaction passes a later write, it is gone.
    assert_eq!(names(&get(&server, &format!("{base}&continue={token}")).await), ["b"]);
    create_secret(&server, "d", "v").await;
    tokio::time::sleep(interval * 3).await;
    expect_expired(&server, base, &token).await;
    // A watch from that version is too old as well.
    let rv = first["metadata"]["resourceVersion"].as_str().unwrap();
    let mut watch =
        Lines::open(&server, "admin", &format!("/api/v1/namespaces/default/secrets?watch=1&resourceVersion={rv}"))
            .await;
    let ev = watch.next(Duration::from_secs(2)).await.unwrap();
    assert_eq!((ev["type"].as_str(), ev["object"]["code"].as_i64()), (Some("ERROR"), Some(410)));
}
