//! The embedded cluster driven by kube-rs, as keyhole's own code drives a real cluster:
//! CRUD, errors with their exact Status shapes, permissions, dry run, paging and watches.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::{Pod, Secret};
use kube::api::{Api, DeleteParams, ListParams, ObjectMeta, Patch, PatchParams, PostParams};
use kube::runtime::{WatchStreamExt, reflector, watcher};

fn secret(name: &str, pairs: &[(&str, &[u8])]) -> Secret {
    Secret {
        metadata: ObjectMeta { name: Some(name.into()), ..Default::default() },
        data: Some(pairs.iter().map(|(k, v)| (k.to_string(), ByteString(v.to_vec()))).collect()),
        ..Default::default()
    }
}

#[tokio::test]
async fn demo_data_is_served_with_the_documentation_values() {
    let server = common::demo().await;
    let client = common::client(&server, "admin").await;
    let secrets: Api<Secret> = Api::namespaced(client.clone(), "default");
    let my = secrets.get("mysecret").await.unwrap();
    let data = my.data.unwrap();
    assert_eq!(data["username"].0, b"admin");
    assert_eq!(data["password"].0, b"1f2d1e2e67df");
    assert!(data.contains_key("1badkey") && data.contains_key("2alsobad"));
    for name in [
        "secret-basic-auth",
        "secret-ssh-auth",
        "secret-tls",
        "secret-tiger-docker",
        "secret-dockercfg",
        "secret-sa-sample",
        "empty-secret",
        "dotfile-secret",
        "prod-db-secret",
        "test-db-secret",
        "ssh-key-secret",
        "app-config-v1",
    ] {
        secrets.get(name).await.unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    let basic = secrets.get("secret-basic-auth").await.unwrap();
    assert_eq!(basic.data.unwrap()["password"].0, b"t0p-Secret");
    assert!(basic.string_data.is_none(), "stringData is never returned");
    let kube_system: Api<Secret> = Api::namespaced(client.clone(), "kube-system");
    let token = kube_system.get("bootstrap-token-5emitj").await.unwrap();
    assert_eq!(token.data.unwrap()["token-id"].0, b"5emitj");
    assert_eq!(secrets.get("app-config-v1").await.unwrap().immutable, Some(true));
    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    let mypod = pods.get("mypod").await.unwrap();
    let vol = &mypod.spec.unwrap().volumes.unwrap()[0];
    assert_eq!(vol.secret.as_ref().unwrap().secret_name.as_deref(), Some("mysecret"));
    // The certificate that must always expire within 30 days is made at start.
    let shop: Api<Secret> = Api::namespaced(client, "shop");
    let tls = shop.get("shop-tls").await.unwrap();
    assert!(tls.data.unwrap()["tls.crt"].0.starts_with(b"-----BEGIN CERTIFICATE-----"));
}

#[tokio::test]
async fn create_get_update_delete_with_exact_errors() {
    let server = common::empty().await;
    let client = common::client(&server, "admin").await;
    let api: Api<Secret> = Api::namespaced(client, "default");
    let binary: Vec<u8> = (0..=255u8).collect();
    let created = api.create(&PostParams::default(), &secret("db-pass", &[("blob", &binary)])).await.unwrap();
    assert_eq!(created.type_.as_deref(), Some("Opaque"), "type defaults to Opaque");
    assert_eq!(created.data.as_ref().unwrap()["blob"].0, binary, "binary values round-trip byte for byte");

    let (reason, code, message) =
        common::status(&api.create(&PostParams::default(), &created_copy(&created)).await.unwrap_err());
    assert_eq!((reason.as_str(), code), ("AlreadyExists", 409));
    assert_eq!(message, "secrets \"db-pass\" already exists");

    let (reason, code, message) = common::status(&api.get("nope").await.unwrap_err());
    assert_eq!((reason.as_str(), code, message.as_str()), ("NotFound", 404, "secrets \"nope\" not found"));

    // Update with the version we read works; the same stale version then conflicts.
    let mut first = created.clone();
    first.data.as_mut().unwrap().insert("k".into(), ByteString(b"v1".to_vec()));
    let updated = api.replace("db-pass", &PostParams::default(), &first).await.unwrap();
    assert_ne!(updated.metadata.resource_version, created.metadata.resource_version);
    let mut stale = created.clone();
    stale.data.as_mut().unwrap().insert("k".into(), ByteString(b"v2".to_vec()));
    let (reason, code, message) =
        common::status(&api.replace("db-pass", &PostParams::default(), &stale).await.unwrap_err());
    assert_eq!((reason.as_str(), code), ("Conflict", 409));
    assert_eq!(
        message,
        "Operation cannot be fulfilled on secrets \"db-pass\": the object has been modified; please apply your changes to the latest version and try again"
    );
    assert_eq!(api.get("db-pass").await.unwrap().data.unwrap()["k"].0, b"v1", "the conflict wrote nothing");

    api.delete("db-pass", &DeleteParams::default()).await.unwrap();
    let (reason, code, _) = common::status(&api.get("db-pass").await.unwrap_err());
    assert_eq!((reason.as_str(), code), ("NotFound", 404));
}

fn created_copy(s: &Secret) -> Secret {
    let mut c = s.clone();
    c.metadata.resource_version = None;
    c.metadata.uid = None;
    c.metadata.creation_timestamp = None;
    c
}

#[tokio::test]
async fn invalid_secrets_get_422_with_causes() {
    let server = common::empty().await;
    let client = common::client(&server, "admin").await;
    let api: Api<Secret> = Api::namespaced(client, "default");
    let mut tls = secret("web-tls", &[("tls.crt", b"x"), ("bad key", b"y")]);
    tls.type_ = Some("kubernetes.io/tls".into());
    let err = api.create(&PostParams::default(), &tls).await.unwrap_err();
    let kube::Error::Api(status) = err else { panic!("expected a Status") };
    assert_eq!((status.reason.as_str(), status.code), ("Invalid", 422));
    assert!(status.message.starts_with("Secret \"web-tls\" is invalid: ["), "{}", status.message);
    let causes = status.details.unwrap().causes;
    let fields: Vec<_> = causes.iter().map(|c| (c.field.as_str(), c.reason.as_str())).collect();
    assert!(fields.contains(&("data[bad key]", "FieldValueInvalid")), "{fields:?}");
    assert!(fields.contains(&("data[tls.key]", "FieldValueRequired")), "{fields:?}");
}

#[tokio::test]
async fn immutable_secrets_refuse_data_changes() {
    let server = common::demo().await;
    let client = common::client(&server, "admin").await;
    let api: Api<Secret> = Api::namespaced(client, "default");
    let patch = serde_json::json!({"data": {"API_URL": "aHR0cHM6Ly9ldmlsLmV4YW1wbGU="}});
    let err = api.patch("app-config-v1", &PatchParams::default(), &Patch::Merge(&patch)).await.unwrap_err();
    let (reason, code, message) = common::status(&err);
    assert_eq!((reason.as_str(), code), ("Invalid", 422));
    assert_eq!(
        message,
        "Secret \"app-config-v1\" is invalid: data: Forbidden: field is immutable when `immutable` is set"
    );
    // Metadata may still change.
    let labels = serde_json::json!({"metadata": {"labels": {"reviewed": "yes"}}});
    api.patch("app-config-v1", &PatchParams::default(), &Patch::Merge(&labels)).await.unwrap();
}

#[tokio::test]
async fn dry_run_writes_nothing() {
    let server = common::demo().await;
    let client = common::client(&server, "admin").await;
    let api: Api<Secret> = Api::namespaced(client, "default");
    let dry = PostParams { dry_run: true, ..Default::default() };
    api.create(&dry, &secret("ghost", &[("a", b"b")])).await.unwrap();
    assert!(api.get_opt("ghost").await.unwrap().is_none());
    let before = api.get("mysecret").await.unwrap();
    let patch = serde_json::json!({"stringData": {"password": "changed"}});
    let pp = PatchParams { dry_run: true, ..Default::default() };
    let out = api.patch("mysecret", &pp, &Patch::Merge(&patch)).await.unwrap();
    assert_eq!(out.data.unwrap()["password"].0, b"changed", "dry run answers with the result");
    let after = api.get("mysecret").await.unwrap();
    assert_eq!(after.metadata.resource_version, before.metadata.resource_version);
    assert_eq!(after.data.unwrap()["password"].0, b"1f2d1e2e67df");
    api.delete("mysecret", &DeleteParams { dry_run: true, ..Default::default() }).await.unwrap();
    assert!(api.get_opt("mysecret").await.unwrap().is_some());
}

#[tokio::test]
async fn permissions_per_user() {
    let server = common::demo().await;
    let viewer = common::client(&server, "viewer").await;
    let api: Api<Secret> = Api::namespaced(viewer, "default");
    api.get("mysecret").await.unwrap();
    let err = api.delete("mysecret", &DeleteParams::default()).await.unwrap_err();
    let (reason, code, message) = common::status(&err);
    assert_eq!((reason.as_str(), code), ("Forbidden", 403));
    assert_eq!(
        message,
        "secrets \"mysecret\" is forbidden: User \"viewer\" cannot delete resource \"secrets\" in API group \"\" in the namespace \"default\""
    );

    let team = common::client(&server, "shop-dev").await;
    let shop: Api<Secret> = Api::namespaced(team.clone(), "shop");
    assert!(!shop.list(&ListParams::default()).await.unwrap().items.is_empty());
    let all: Api<Secret> = Api::all(team.clone());
    let (reason, code, message) = common::status(&all.list(&ListParams::default()).await.unwrap_err());
    assert_eq!((reason.as_str(), code), ("Forbidden", 403));
    assert_eq!(
        message,
        "secrets is forbidden: User \"shop-dev\" cannot list resource \"secrets\" in API group \"\" at the cluster scope"
    );
    let other: Api<Secret> = Api::namespaced(team, "default");
    assert_eq!(common::status(&other.get("mysecret").await.unwrap_err()).1, 403);
}

#[tokio::test]
async fn unknown_or_missing_tokens_get_401() {
    let server = common::demo().await;
    let url = server.url();
    let mut config = kube::Config::new(url.parse().unwrap());
    config.root_cert = None;
    config.accept_invalid_certs = true;
    let anon = kube::Client::try_from(config.clone()).unwrap();
    let api: Api<Secret> = Api::namespaced(anon, "default");
    let (reason, code, message) = common::status(&api.get("mysecret").await.unwrap_err());
    assert_eq!((reason.as_str(), code, message.as_str()), ("Unauthorized", 401, "Unauthorized"));
    config.auth_info.token = Some("not-a-demo-token".to_string().into());
    let wrong = kube::Client::try_from(config).unwrap();
    let api: Api<Secret> = Api::namespaced(wrong, "default");
    assert_eq!(common::status(&api.get("mysecret").await.unwrap_err()).1, 401);
}

/// A protobuf body the server cannot read is an error only after routing and authorization, as
/// in kube-apiserver: kubectl's typed clients send protobuf for every kind (`kubectl create
/// deployment`, `create configmap`).
#[tokio::test]
async fn undecodable_protobuf_bodies_are_judged_after_routing_and_authorization() {
    let server = common::demo().await;
    let post = |path: &str| {
        http::Request::post(path)
            .header("Content-Type", "application/vnd.kubernetes.protobuf")
            .body(b"k8s\x00\x0a\x0e\x0a\x07apps/v1\x12\x03Foo".to_vec())
            .unwrap()
    };
    let admin = common::client(&server, "admin").await;
    let viewer = common::client(&server, "viewer").await;
    let err = admin.request_text(post("/api/v1/namespaces/default/configmaps")).await.unwrap_err();
    assert_eq!(common::status(&err).1, 404, "configmaps are not served");
    let err = viewer.request_text(post("/apis/apps/v1/namespaces/default/deployments")).await.unwrap_err();
    let (reason, code, message) = common::status(&err);
    assert_eq!((reason.as_str(), code), ("Forbidden", 403));
    assert_eq!(
        message,
        "deployments.apps is forbidden: User \"viewer\" cannot create resource \"deployments\" in API group \"apps\" in the namespace \"default\""
    );
    let err = admin.request_text(post("/apis/apps/v1/namespaces/default/deployments")).await.unwrap_err();
    assert_eq!(common::status(&err).1, 415);
}

#[tokio::test]
async fn self_subject_access_review_answers_truthfully() {
    use k8s_openapi::api::authorization::v1::{
        ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
    };
    let server = common::demo().await;
    for (user, verb, ns, want) in [
        ("admin", "update", "default", true),
        ("viewer", "get", "default", true),
        ("viewer", "update", "default", false),
        ("shop-dev", "update", "shop", true),
        ("shop-dev", "get", "default", false),
        ("shop-dev", "list", "", false),
    ] {
        let client = common::client(&server, user).await;
        let api: Api<SelfSubjectAccessReview> = Api::all(client);
        let review = SelfSubjectAccessReview {
            spec: SelfSubjectAccessReviewSpec {
                resource_attributes: Some(ResourceAttributes {
                    verb: Some(verb.into()),
                    resource: Some("secrets".into()),
                    namespace: Some(ns.into()),
                    ..Default::default()
                }),
                ..Default::default()
            },
            ..Default::default()
        };
        let out = api.create(&PostParams::default(), &review).await.unwrap();
        assert_eq!(out.status.unwrap().allowed, want, "{user} {verb} secrets in {ns:?}");
    }
}

#[tokio::test]
async fn paging_returns_every_item_once() {
    let server =
        keyhole_apiserver::DemoServer::start(keyhole_apiserver::ServerOptions { scale: 300, ..Default::default() })
            .await
            .unwrap();
    let client = common::client(&server, "admin").await;
    let api: Api<Secret> = Api::all(client);
    let everything = api.list(&ListParams::default()).await.unwrap().items.len();
    let mut seen = std::collections::BTreeSet::new();
    let mut params = ListParams::default().limit(7);
    let mut pages = 0;
    loop {
        let page = api.list_metadata(&params).await.unwrap();
        pages += 1;
        for s in &page.items {
            let key = (s.metadata.namespace.clone().unwrap(), s.metadata.name.clone().unwrap());
            assert!(seen.insert(key.clone()), "{key:?} returned twice");
        }
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(c) => params = params.continue_token(&c),
            None => break,
        }
    }
    assert_eq!(seen.len(), everything);
    assert!(everything > 300 && pages == everything.div_ceil(7), "{everything} items in {pages} pages");
}

#[tokio::test]
async fn field_and_label_selectors() {
    let server = common::demo().await;
    let client = common::client(&server, "admin").await;
    let api: Api<Secret> = Api::all(client);
    let tls = api.list_metadata(&ListParams::default().fields("type=kubernetes.io/tls")).await.unwrap();
    assert!(tls.items.len() >= 3);
    let helm = api.list_metadata(&ListParams::default().labels("owner=helm,status in (deployed)")).await.unwrap();
    assert_eq!(helm.items.len(), 4, "one deployed release record per demo release");
    let err = api.list(&ListParams::default().fields("data.password=x")).await.unwrap_err();
    let (reason, code, message) = common::status(&err);
    assert_eq!(
        (reason.as_str(), code, message.as_str()),
        ("BadRequest", 400, "field label not supported: data.password")
    );
}

/// Applies watcher events to a store and waits until `check` holds.
async fn wait_for<F: Fn(&reflector::Store<Secret>) -> bool>(reader: &reflector::Store<Secret>, check: F) {
    for _ in 0..200 {
        if check(reader) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the reflector did not catch up");
}

async fn reflector_stays_in_sync(config: watcher::Config) {
    let server = common::empty().await;
    let client = common::client(&server, "admin").await;
    let api: Api<Secret> = Api::namespaced(client.clone(), "default");
    api.create(&PostParams::default(), &secret("before", &[("a", b"1")])).await.expect("create");
    let (reader, writer) = reflector::store::<Secret>();
    let stream = reflector(writer, watcher(api.clone(), config)).applied_objects();
    let task = tokio::spawn(async move {
        let mut s = std::pin::pin!(stream);
        while let Ok(Some(_)) = s.try_next().await {}
    });
    wait_for(&reader, |r| r.state().len() == 1).await;
    api.create(&PostParams::default(), &secret("after", &[("b", b"2")])).await.expect("create");
    wait_for(&reader, |r| r.state().len() == 2).await;
    let patch = serde_json::json!({"data": {"a": "Mg=="}});
    api.patch("before", &PatchParams::default(), &Patch::Merge(&patch)).await.expect("patch");
    let key = reflector::ObjectRef::new("before").within("default");
    wait_for(&reader, |r| r.get(&key).is_some_and(|s| s.data.as_ref().is_some_and(|d| d["a"].0 == b"2"))).await;
    // A compaction makes the next resume a 410, which the watcher turns into a relist.
    server.store.lock().compact();
    api.delete("after", &DeleteParams::default()).await.expect("delete");
    wait_for(&reader, |r| r.state().len() == 1).await;
    task.abort();
}

#[tokio::test]
async fn kube_rs_watcher_stays_in_sync_with_list_then_watch() {
    reflector_stays_in_sync(watcher::Config::default()).await;
}

#[tokio::test]
async fn kube_rs_watcher_stays_in_sync_with_streaming_lists() {
    reflector_stays_in_sync(watcher::Config::default().streaming_lists()).await;
}

#[tokio::test]
async fn watch_from_a_compacted_version_is_an_error_event_in_a_200_stream() {
    let server = common::empty().await;
    let client = common::client(&server, "admin").await;
    let api: Api<Secret> = Api::namespaced(client.clone(), "default");
    api.create(&PostParams::default(), &secret("x", &[("a", b"1")])).await.unwrap();
    let old = api.list(&ListParams::default()).await.unwrap().metadata.resource_version.unwrap();
    // A change after that version, then a compaction that drops it from the history.
    api.create(&PostParams::default(), &secret("y", &[("a", b"1")])).await.unwrap();
    server.store.lock().compact();
    let mut stream = api.watch(&kube::api::WatchParams::default().timeout(5), &old).await.unwrap().boxed();
    match stream.next().await {
        Some(Ok(kube::api::WatchEvent::Error(e))) => {
            assert_eq!(e.code, 410);
            assert_eq!(e.reason, "Expired");
            assert!(e.message.starts_with(&format!("too old resource version: {old} (")), "{}", e.message);
        }
        other => panic!("expected an ERROR event, got {other:?}"),
    }
}

#[tokio::test]
async fn tls_key_mismatch_adds_a_warning_header() {
    let server = common::empty().await;
    let client = common::client(&server, "admin").await;
    let s = serde_json::json!({
        "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "mm"}, "type": "kubernetes.io/tls",
        "stringData": {"tls.crt": include_str!("../../../assets/pki/mismatch.crt"), "tls.key": include_str!("../../../assets/pki/mismatch.key")}
    });
    let req = http::Request::post("/api/v1/namespaces/default/secrets")
        .header("content-type", "application/json")
        .body(kube::client::Body::from(serde_json::to_vec(&s).unwrap()))
        .unwrap();
    let resp = client.send(req).await.unwrap();
    assert_eq!(resp.status(), 201);
    let warning = resp.headers().get("warning").expect("a Warning header").to_str().unwrap().to_string();
    assert_eq!(warning, "299 - \"tls: private key does not match public key\"");
}

#[tokio::test]
async fn tables_have_the_kubectl_columns() {
    let server = common::demo().await;
    let client = common::client(&server, "admin").await;
    let req = http::Request::get("/api/v1/namespaces/default/secrets?limit=500")
        .header("accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json")
        .body(Vec::new())
        .unwrap();
    let text = client.request_text(req).await.unwrap();
    let table: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(table["kind"], "Table");
    let cols: Vec<&str> =
        table["columnDefinitions"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(cols, ["Name", "Type", "Data", "Age"]);
    let row = table["rows"].as_array().unwrap().iter().find(|r| r["cells"][0] == "mysecret").unwrap();
    assert_eq!(row["cells"][1], "Opaque");
    assert_eq!(row["cells"][2], 4);
    assert_eq!(row["object"]["kind"], "PartialObjectMetadata");
    assert!(row["object"].get("data").is_none(), "tables never carry values");
}
