//! The embedded cluster as unkind as a real one (DESIGN.md decision 3), driven by kube-rs:
//! restricted users with RBAC's 403s, watches that stall, paged lists that are snapshots with
//! expiring continue tokens, finalizers, managedFields and the last-applied annotation, kubelet
//! statuses, and server-side apply in YAML. Each behaviour is what kube-apiserver does; the
//! switches are `ServerOptions` fields (docs/embedded-cluster.md).

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
async fn send(server: &DemoServer, user: &str, method: &str, path: &str, content_type: &str, body: &str) -> (u16, Value) {
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
    format!("{gr} is forbidden: User \"{user}\" cannot {verb} resource \"{resource}\" in API group \"{group}\" in the namespace \"{ns}\"")
}

// ---------------------------------------------------------------------------------------------
// Users

#[tokio::test]
async fn restricted_users_get_rbacs_403s() {
    let server = common::demo().await;
    let config = server.kubeconfig();
    for context in ["keyhole-demo-nowatch", "keyhole-demo-getonly", "keyhole-demo-noconsumers"] {
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
    let _events = pods.watch(&kube::api::WatchParams::default().timeout(1), "0").await.expect("other kinds may be watched");

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
        let (code, _) = send(&server, "admin", "POST", "/api/v1/namespaces/default/secrets", "application/json", &body).await;
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
