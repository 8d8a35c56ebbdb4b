//! Objects shaped like a real cluster's (DESIGN.md decision 3): managedFields written on every
//! write as kube-apiserver's field manager writes them, server-side apply conflicts, demo
//! Secrets created the `kubectl apply` way with the last-applied annotation, and Pod statuses
//! shaped like a kubelet's, read by kube-rs (k8s-openapi) and by the official Python client
//! where it is installed. docs/embedded-cluster.md ("Objects as a real cluster has them").

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use k8s_openapi::api::core::v1::{Pod, Secret};
use keyhole_apiserver::DemoServer;
use kube::api::{Api, ListParams};
use serde_json::{Value, json};

/// Sends a request as the admin with a User-Agent; the HTTP status and the JSON body.
async fn send(
    server: &DemoServer,
    method: &str,
    path: &str,
    content_type: &str,
    agent: &str,
    body: &str,
) -> (u16, Value) {
    let client = common::client(server, "admin").await;
    let mut req = http::Request::builder().method(method).uri(path).header("content-type", content_type);
    if !agent.is_empty() {
        req = req.header("user-agent", agent);
    }
    let req = req.body(kube::client::Body::from(body.as_bytes().to_vec())).unwrap();
    let resp = client.send(req).await.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    let status = resp.status().as_u16();
    let bytes = resp.into_body().collect_bytes().await.unwrap();
    let v = serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
    (status, v)
}

const SECRETS: &str = "/api/v1/namespaces/default/secrets";
const JSON: &str = "application/json";
const APPLY: &str = "application/apply-patch+yaml";

fn entries(obj: &Value) -> Vec<Value> {
    obj.pointer("/metadata/managedFields").and_then(Value::as_array).cloned().unwrap_or_default()
}

fn entry<'a>(list: &'a [Value], manager: &str) -> &'a Value {
    list.iter().find(|e| e["manager"] == manager).unwrap_or_else(|| panic!("no entry of {manager} in {list:?}"))
}

fn managers(obj: &Value) -> Vec<(String, String)> {
    entries(obj)
        .iter()
        .map(|e| (e["manager"].as_str().unwrap().to_string(), e["operation"].as_str().unwrap().to_string()))
        .collect()
}

/// RFC 3339 in seconds, as `metav1.Time` is written.
fn is_second_precision(t: &str) -> bool {
    t.len() == 20 && t.ends_with('Z') && t.parse::<jiff::Timestamp>().is_ok()
}

// ---------------------------------------------------------------------------------------------
// managedFields on every write

#[tokio::test]
async fn every_write_records_its_manager_and_the_fields_it_set() {
    let server = common::empty().await;
    let body = json!({"metadata": {"name": "s", "labels": {"app": "x"}}, "stringData": {"a": "1"}}).to_string();
    let (code, created) = send(&server, "POST", &format!("{SECRETS}?fieldManager=creator"), JSON, "", &body).await;
    assert_eq!(code, 201, "{created}");
    let list = entries(&created);
    assert_eq!(list.len(), 1);
    let e = &list[0];
    assert_eq!(
        (&e["manager"], &e["operation"], &e["apiVersion"], &e["fieldsType"]),
        (&json!("creator"), &json!("Update"), &json!("v1"), &json!("FieldsV1"))
    );
    assert!(is_second_precision(e["time"].as_str().unwrap()), "{e}");
    // stringData is stored as data, and owned as data; type was defaulted, and is owned too.
    assert_eq!(
        e["fieldsV1"],
        json!({"f:data": {".": {}, "f:a": {}}, "f:metadata": {"f:labels": {".": {}, "f:app": {}}}, "f:type": {}})
    );

    // PUT without a fieldManager: the User-Agent up to its first '/'.
    let mut put = created.clone();
    put["data"]["b"] = json!("Mg==");
    let (code, updated) =
        send(&server, "PUT", &format!("{SECRETS}/s"), JSON, "my-tool/1.2.3 (linux/amd64)", &put.to_string()).await;
    assert_eq!(code, 200, "{updated}");
    assert_eq!(entry(&entries(&updated), "my-tool")["fieldsV1"], json!({"f:data": {"f:b": {}}}));

    // Each patch type, each its own manager.
    let patches = [
        ("merger", "application/merge-patch+json", json!({"data": {"c": "Mw=="}})),
        ("strategic", "application/strategic-merge-patch+json", json!({"metadata": {"labels": {"tier": "db"}}})),
        ("jsonpatch", "application/json-patch+json", json!([{"op": "add", "path": "/data/d", "value": "NA=="}])),
    ];
    let mut last = updated;
    for (manager, ct, patch) in &patches {
        let (code, patched) =
            send(&server, "PATCH", &format!("{SECRETS}/s?fieldManager={manager}"), ct, "", &patch.to_string()).await;
        assert_eq!(code, 200, "{patched}");
        last = patched;
    }
    let list = entries(&last);
    assert_eq!(entry(&list, "merger")["fieldsV1"], json!({"f:data": {"f:c": {}}}));
    assert_eq!(entry(&list, "strategic")["fieldsV1"], json!({"f:metadata": {"f:labels": {"f:tier": {}}}}));
    assert_eq!(entry(&list, "jsonpatch")["fieldsV1"], json!({"f:data": {"f:d": {}}}));
    assert_eq!(list.len(), 5);

    // The same manager again: one entry, merged; a field changed moves to its new owner.
    let (_, again) = send(
        &server,
        "PATCH",
        &format!("{SECRETS}/s?fieldManager=merger"),
        "application/merge-patch+json",
        "",
        &json!({"data": {"a": "OQ=="}}).to_string(),
    )
    .await;
    let list = entries(&again);
    assert_eq!(list.len(), 5);
    assert_eq!(entry(&list, "merger")["fieldsV1"], json!({"f:data": {"f:a": {}, "f:c": {}}}));
    assert_eq!(entry(&list, "creator")["fieldsV1"]["f:data"], json!({}), "the creator keeps only the map itself");

    // A write that changes nothing is no write: same version, same entries and times.
    let (_, same) = send(
        &server,
        "PATCH",
        &format!("{SECRETS}/s?fieldManager=other"),
        "application/merge-patch+json",
        "",
        &json!({"data": {"a": "OQ=="}}).to_string(),
    )
    .await;
    assert_eq!(same["metadata"]["resourceVersion"], again["metadata"]["resourceVersion"]);
    assert_eq!(entries(&same), list);

    // Without fieldManager or User-Agent the manager is "unknown"; kube-rs reads it all back.
    let client = common::client(&server, "admin").await;
    let api: Api<Secret> = Api::namespaced(client, "default");
    let mut s = api.get("s").await.unwrap();
    s.data.as_mut().unwrap().insert("e".into(), k8s_openapi::ByteString(b"5".to_vec()));
    s.metadata.managed_fields = None;
    let s = api.replace("s", &Default::default(), &s).await.unwrap();
    let mf = s.metadata.managed_fields.unwrap();
    let unknown = mf.iter().find(|e| e.manager.as_deref() == Some("unknown")).expect("kube-rs sends no User-Agent");
    assert_eq!(unknown.fields_v1.as_ref().unwrap().0, json!({"f:data": {"f:e": {}}}));
    assert_eq!(mf.len(), 6, "omitting managedFields keeps them");
}

#[tokio::test]
async fn managed_fields_sent_by_a_client_are_judged_as_the_server_does() {
    let server = common::empty().await;
    let body = json!({"metadata": {"name": "m"}, "stringData": {"a": "1"}}).to_string();
    let (_, created) = send(&server, "POST", &format!("{SECRETS}?fieldManager=creator"), JSON, "", &body).await;
    let merge = "application/merge-patch+json";
    let patch = |mf: Value, data: Value| json!({"metadata": {"managedFields": mf}, "data": data}).to_string();

    // Entries the field manager cannot decode are ignored: the stored ones stay.
    for bad in [
        json!([{"manager": "x", "operation": "Bogus", "apiVersion": "v1", "fieldsType": "FieldsV1"}]),
        json!([{"manager": "x", "operation": "Update", "fieldsType": "FieldsV1"}]),
        json!([{"manager": "x", "operation": "Update", "apiVersion": "v1", "fieldsType": "FieldsV2"}]),
        json!([{"manager": "x", "operation": "Update", "apiVersion": "v1", "fieldsType": "FieldsV1", "fieldsV1": {"x": 1}}]),
    ] {
        let (code, v) =
            send(&server, "PATCH", &format!("{SECRETS}/m?fieldManager=p"), merge, "", &patch(bad.clone(), json!({})))
                .await;
        assert_eq!(code, 200, "{bad}: {v}");
        assert_eq!(managers(&v), [("creator".to_string(), "Update".to_string())], "{bad}");
    }
    // A valid list replaces them.
    let mine = json!([{"manager": "mine", "operation": "Apply", "apiVersion": "v1", "time": "2020-01-01T00:00:00Z",
                       "fieldsType": "FieldsV1", "fieldsV1": {"f:data": {"f:a": {}}}}]);
    let (_, v) =
        send(&server, "PATCH", &format!("{SECRETS}/m?fieldManager=p"), merge, "", &patch(mine.clone(), json!({})))
            .await;
    assert_eq!(entries(&v), mine.as_array().unwrap().clone());
    // One that decodes but is not valid is the real 422.
    // (An entry that owns nothing is dropped before anything looks at its name.)
    let long = json!([{"manager": "x".repeat(129), "operation": "Update", "apiVersion": "v1", "fieldsType": "FieldsV1",
                       "fieldsV1": {"f:data": {"f:a": {}}}}]);
    let (code, v) =
        send(&server, "PATCH", &format!("{SECRETS}/m?fieldManager=p"), merge, "", &patch(long, json!({}))).await;
    assert_eq!((code, v["reason"].as_str()), (422, Some("Invalid")), "{v}");
    assert_eq!(
        v["message"],
        "Secret \"m\" is invalid: metadata.managedFields[0].manager: Too long: may not be more than 128 bytes"
    );
    // An empty list, or one empty entry, clears them, and then updates record nothing.
    for reset in [json!([]), json!([{}])] {
        let (_, v) =
            send(&server, "PATCH", &format!("{SECRETS}/m?fieldManager=p"), merge, "", &patch(mine.clone(), json!({})))
                .await;
        assert_eq!(entries(&v).len(), 1);
        let (code, v) = send(
            &server,
            "PATCH",
            &format!("{SECRETS}/m?fieldManager=p"),
            merge,
            "",
            &patch(reset.clone(), json!({"b": "Mg=="})),
        )
        .await;
        assert_eq!(code, 200);
        assert!(v["metadata"].get("managedFields").is_none(), "{reset}: {v}");
        let (_, v) = send(
            &server,
            "PATCH",
            &format!("{SECRETS}/m?fieldManager=p"),
            merge,
            "",
            &json!({"data": {"c": "Mw=="}}).to_string(),
        )
        .await;
        assert!(v["metadata"].get("managedFields").is_none(), "{v}");
    }
    // The options are checked before the body.
    let (code, v) =
        send(&server, "POST", &format!("{SECRETS}?fieldManager={}", "y".repeat(129)), JSON, "", "not json").await;
    assert_eq!(code, 422);
    assert_eq!(
        v["message"],
        "CreateOptions.meta.k8s.io \"\" is invalid: fieldManager: Too long: may not be more than 128 bytes"
    );
    let (code, v) = send(&server, "PATCH", &format!("{SECRETS}/m?force=true"), merge, "", "{}").await;
    assert_eq!(code, 422);
    assert_eq!(
        v["message"],
        "PatchOptions.meta.k8s.io \"\" is invalid: force: Forbidden: may not be specified for non-apply patch"
    );
    let _ = created;
}

// ---------------------------------------------------------------------------------------------
// Server-side apply

#[tokio::test]
async fn server_side_apply_owns_prunes_and_conflicts_with_the_real_409() {
    let server = common::empty().await;
    let path = |q: &str| format!("{SECRETS}/app?{q}");
    let config = |user: &str, extra: &str| {
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\n  labels:\n    owner: ci\nstringData:\n  user: {user}\n{extra}"
        )
    };
    let (code, v) =
        send(&server, "PATCH", &path("fieldManager=ci"), APPLY, "", &config("alice", "  token: t1\n")).await;
    assert_eq!(code, 201, "{v}");
    let ci = entry(&entries(&v), "ci").clone();
    assert_eq!(ci["operation"], "Apply");
    assert_eq!(
        ci["fieldsV1"],
        json!({"f:metadata": {"f:labels": {"f:owner": {}}}, "f:stringData": {"f:token": {}, "f:user": {}}})
    );
    // Someone edits the label.
    let (_, v) = send(
        &server,
        "PATCH",
        &path("fieldManager=kubectl-label"),
        "application/merge-patch+json",
        "",
        &json!({"metadata": {"labels": {"owner": "ops"}}}).to_string(),
    )
    .await;
    assert_eq!(v["metadata"]["labels"]["owner"], "ops");
    // Applying the label back conflicts with the editor.
    let (code, v) =
        send(&server, "PATCH", &path("fieldManager=ci"), APPLY, "", &config("alice", "  token: t1\n")).await;
    assert_eq!((code, v["reason"].as_str()), (409, Some("Conflict")), "{v}");
    assert_eq!(
        v["message"],
        "Apply failed with 1 conflict: conflict with \"kubectl-label\" using v1: .metadata.labels.owner"
    );
    assert_eq!(
        v["details"],
        json!({"causes": [{"reason": "FieldManagerConflict", "message": "conflict with \"kubectl-label\" using v1",
                           "field": ".metadata.labels.owner"}]})
    );
    // Two managers' fields: every conflict is named, managers in order.
    let (_, _) = send(
        &server,
        "PATCH",
        &path("fieldManager=kubectl-annotate"),
        "application/merge-patch+json",
        "",
        &json!({"metadata": {"annotations": {"note": "x"}}}).to_string(),
    )
    .await;
    let two = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\n  labels:\n    owner: ci\n  annotations:\n    note: changed\n";
    let (code, v) = send(&server, "PATCH", &path("fieldManager=other"), APPLY, "", two).await;
    assert_eq!(code, 409, "{v}");
    assert_eq!(
        v["message"],
        "Apply failed with 2 conflicts: conflicts with \"kubectl-annotate\" using v1:\n- .metadata.annotations.note\nconflicts with \"kubectl-label\" using v1:\n- .metadata.labels.owner"
    );
    // Forced, the field changes hands.
    let (code, v) =
        send(&server, "PATCH", &path("fieldManager=ci&force=true"), APPLY, "", &config("alice", "  token: t1\n")).await;
    assert_eq!(code, 200, "{v}");
    assert_eq!(v["metadata"]["labels"]["owner"], "ci");
    assert!(!managers(&v).iter().any(|(m, _)| m == "kubectl-label"), "the editor lost its only field");
    // The same apply again is no write.
    let rv = v["metadata"]["resourceVersion"].clone();
    let (_, v) = send(&server, "PATCH", &path("fieldManager=ci"), APPLY, "", &config("alice", "  token: t1\n")).await;
    assert_eq!(v["metadata"]["resourceVersion"], rv);
    // Dropping the label from the configuration prunes it (nobody else owns it); a key dropped
    // from stringData stays in data (kubernetes#108008): stringData is never stored.
    let bare = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\nstringData:\n  user: alice\n";
    let (code, v) = send(&server, "PATCH", &path("fieldManager=ci"), APPLY, "", bare).await;
    assert_eq!(code, 200, "{v}");
    assert!(v["metadata"]["labels"].get("owner").is_none(), "{v}");
    assert!(v["data"].get("token").is_some());
    // kube-rs reads the Apply entry.
    let api: Api<Secret> = Api::namespaced(common::client(&server, "admin").await, "default");
    let s = api.get("app").await.unwrap();
    assert!(s.metadata.managed_fields.unwrap().iter().any(|e| e.operation.as_deref() == Some("Apply")));
}

// ---------------------------------------------------------------------------------------------
// The demo data

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

#[tokio::test]
async fn demo_secrets_created_with_kubectl_apply_carry_its_annotation_and_manager() {
    let server = common::demo().await;
    let get = |name: &'static str| {
        let server = &server;
        async move { send(server, "GET", &format!("{SECRETS}/{name}"), JSON, "", "").await.1 }
    };
    // stringData as applied: in plaintext in the annotation, as on a real cluster.
    let basic = get("secret-basic-auth").await;
    assert_eq!(
        basic["metadata"]["annotations"][LAST_APPLIED],
        "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"annotations\":{},\"name\":\"secret-basic-auth\",\"namespace\":\"default\"},\"stringData\":{\"password\":\"t0p-Secret\",\"username\":\"admin\"},\"type\":\"kubernetes.io/basic-auth\"}\n"
    );
    let e = &entries(&basic)[0];
    assert_eq!((&e["manager"], &e["operation"]), (&json!("kubectl-client-side-apply"), &json!("Update")));
    assert_eq!(
        e["fieldsV1"],
        json!({"f:data": {".": {}, "f:password": {}, "f:username": {}},
               "f:metadata": {"f:annotations": {".": {}, f_last_applied(): {}}}, "f:type": {}})
    );
    // data as applied, then edited: the annotation is the earlier manifest, base64 values in it.
    let my = get("mysecret").await;
    let text = my["metadata"]["annotations"][LAST_APPLIED].as_str().unwrap();
    assert!(
        text.contains("\"data\":{\"password\":\"MWYyZDFlMmU2N2Rm\",\"username\":\"YWRtaW4=\"}")
            && text.ends_with("}\n"),
        "{text}"
    );
    assert_eq!(
        managers(&my),
        [("kubectl-client-side-apply".into(), "Update".into()), ("kubectl-edit".into(), "Update".into())]
    );
    assert_eq!(
        entry(&entries(&my), "kubectl-edit")["fieldsV1"],
        json!({"f:data": {"f:1badkey": {}, "f:2alsobad": {}}, "f:metadata": {"f:labels": {".": {}, "f:app.kubernetes.io/part-of": {}}}})
    );
    for name in ["prod-db-secret", "test-db-secret"] {
        assert!(get(name).await["metadata"]["annotations"][LAST_APPLIED].as_str().unwrap().contains("\"stringData\""));
    }
    // Others were made by other hands.
    assert_eq!(managers(&get("secret-ssh-auth").await), [("kubectl-create".into(), "Update".into())]);
    let helm =
        send(&server, "GET", "/api/v1/namespaces/shop/secrets/sh.helm.release.v1.redis.v1", JSON, "", "").await.1;
    assert_eq!(managers(&helm), [("helm".into(), "Update".into())]);
    let tls = send(&server, "GET", "/api/v1/namespaces/shop/secrets/shop-tls", JSON, "", "").await.1;
    assert_eq!(managers(&tls), [("cert-manager-certificates-issuing".into(), "Apply".into())]);
    let token =
        send(&server, "GET", "/api/v1/namespaces/kube-system/secrets/bootstrap-token-5emitj", JSON, "", "").await.1;
    assert_eq!(managers(&token), [("kubeadm".into(), "Update".into())]);
}

fn f_last_applied() -> String {
    format!("f:{LAST_APPLIED}")
}

#[tokio::test]
async fn demo_pods_have_kubelet_statuses_that_k8s_openapi_reads() {
    let server = common::demo().await;
    let pods: Api<Pod> = Api::all(common::client(&server, "admin").await);
    let list = pods.list(&ListParams::default()).await.unwrap();
    assert!(list.items.len() > 10);
    for pod in &list.items {
        let name = pod.metadata.name.clone().unwrap();
        let status = pod.status.as_ref().unwrap_or_else(|| panic!("{name}: no status"));
        assert_eq!(status.phase.as_deref(), Some("Running"), "{name}");
        assert!(status.host_ip.is_some() && status.pod_ip.is_some() && status.start_time.is_some(), "{name}");
        assert_eq!(status.pod_ips.as_ref().unwrap()[0].ip, status.pod_ip.clone().unwrap());
        assert_eq!(status.host_ips.as_ref().unwrap()[0].ip, status.host_ip.clone().unwrap());
        assert!(status.qos_class.is_some(), "{name}");
        let types: Vec<&str> = status.conditions.as_ref().unwrap().iter().map(|c| c.type_.as_str()).collect();
        for t in ["PodScheduled", "Initialized", "ContainersReady", "Ready"] {
            assert!(types.contains(&t), "{name}: {types:?}");
        }
        assert!(status.conditions.as_ref().unwrap().iter().all(|c| c.status == "True"));
        let containers = &pod.spec.as_ref().unwrap().containers;
        let statuses = status.container_statuses.as_ref().unwrap();
        assert_eq!(statuses.len(), containers.len(), "{name}");
        for (c, s) in containers.iter().zip(statuses) {
            assert_eq!(s.name, c.name);
            assert!(s.image_id.contains("@sha256:") && s.image_id.len() > 64, "{name}: {}", s.image_id);
            assert!(s.container_id.as_deref().is_some_and(|id| id.starts_with("containerd://")), "{name}");
            assert!(s.ready && s.started == Some(true) && s.restart_count == 0, "{name}");
            assert!(s.state.as_ref().unwrap().running.as_ref().unwrap().started_at.is_some(), "{name}");
        }
        let kubelet =
            pod.metadata.managed_fields.as_ref().unwrap().iter().find(|e| e.manager.as_deref() == Some("kubelet"));
        assert_eq!(kubelet.and_then(|e| e.subresource.as_deref()), Some("status"), "{name}");
    }
    let with_init = list.items.iter().find(|p| p.metadata.name.as_deref() == Some("subpath-pod")).unwrap();
    let init = &with_init.status.as_ref().unwrap().init_container_statuses.as_ref().unwrap()[0];
    assert_eq!(init.name, "wait-for-config");
    assert_eq!(init.image, "docker.io/library/busybox:1.36");
    let done = init.state.as_ref().unwrap().terminated.as_ref().unwrap();
    assert_eq!((done.exit_code, done.reason.as_deref()), (0, Some("Completed")));
    let mypod = list.items.iter().find(|p| p.metadata.name.as_deref() == Some("mypod")).unwrap();
    let s = &mypod.status.as_ref().unwrap().container_statuses.as_ref().unwrap()[0];
    assert_eq!(s.image, "docker.io/library/redis:latest");
    assert!(s.image_id.starts_with("docker.io/library/redis@sha256:"));
    // A Pod created through the API is given the same status, and the kubelet's entry.
    let created: Pod = serde_json::from_value(json!({"metadata": {"name": "fresh"},
        "spec": {"containers": [{"name": "c", "image": "nginx:1.27", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}]}}))
    .unwrap();
    let ns: Api<Pod> = Api::namespaced(common::client(&server, "admin").await, "default");
    let fresh = ns.create(&Default::default(), &created).await.unwrap();
    let st = fresh.status.unwrap();
    assert_eq!(st.qos_class.as_deref(), Some("Guaranteed"));
    assert_eq!(st.container_statuses.unwrap()[0].image, "docker.io/library/nginx:1.27");
    let managers: Vec<_> = fresh.metadata.managed_fields.unwrap().iter().map(|e| e.manager.clone().unwrap()).collect();
    assert_eq!(managers, ["unknown", "kubelet"]);
}

// ---------------------------------------------------------------------------------------------
// The official Python client

/// The Python interpreter to use: `KEYHOLE_PYTHON`, else `python3`; `None` (with the reason
/// printed) when it is missing or cannot import the `kubernetes` module.
fn python_with_kubernetes() -> Option<String> {
    let python = std::env::var("KEYHOLE_PYTHON").unwrap_or_else(|_| "python3".to_string());
    match std::process::Command::new(&python).args(["-c", "import kubernetes"]).output() {
        Ok(out) if out.status.success() => Some(python),
        Ok(_) => {
            eprintln!(
                "skipping: {python} cannot import the kubernetes module (pip install kubernetes, or set KEYHOLE_PYTHON)"
            );
            None
        }
        Err(e) => {
            eprintln!("skipping: {python} not found ({e})");
            None
        }
    }
}

const PYTHON_SCRIPT: &str = r#"
import sys
from kubernetes import client, config

config.load_kube_config(config_file=sys.argv[1])
core = client.CoreV1Api()
net = client.NetworkingV1Api()

pods = core.list_pod_for_all_namespaces().items
assert len(pods) > 10, len(pods)
for p in pods:
    s = p.status
    assert s.phase == "Running" and s.pod_ip and s.host_ip and s.start_time and s.qos_class, p.metadata.name
    for c in s.container_statuses:
        assert c.image_id and c.container_id and c.ready and c.started and c.state.running.started_at, c
    assert any(m.manager == "kubelet" and m.subresource == "status" for m in p.metadata.managed_fields)
    core.read_namespaced_pod(p.metadata.name, p.metadata.namespace)
init = core.read_namespaced_pod("subpath-pod", "default").status.init_container_statuses[0]
assert init.state.terminated.reason == "Completed", init

secrets = core.list_secret_for_all_namespaces().items
assert len(secrets) > 20, len(secrets)
basic = core.read_namespaced_secret("secret-basic-auth", "default")
entry = basic.metadata.managed_fields[0]
assert entry.manager == "kubectl-client-side-apply" and entry.operation == "Update", entry
assert "f:password" in entry.fields_v1["f:data"], entry.fields_v1
assert entry.time.year > 2000
assert "kubectl.kubernetes.io/last-applied-configuration" in basic.metadata.annotations

accounts = core.list_service_account_for_all_namespaces().items
for a in accounts:
    core.read_namespaced_service_account(a.metadata.name, a.metadata.namespace)
ingresses = net.list_ingress_for_all_namespaces().items
for i in ingresses:
    net.read_namespaced_ingress(i.metadata.name, i.metadata.namespace)

made = core.create_namespaced_secret("default", client.V1Secret(
    metadata=client.V1ObjectMeta(name="from-python"), string_data={"k": "v"}))
assert [(m.manager, m.operation) for m in made.metadata.managed_fields] == [("OpenAPI-Generator", "Update")]
print("ok", len(pods), "pods", len(secrets), "secrets", len(accounts), "serviceaccounts", len(ingresses), "ingresses")
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_python_client_lists_and_reads_the_demo() {
    let Some(python) = python_with_kubernetes() else { return };
    let server = common::demo().await;
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(&kubeconfig, server.kubeconfig()).unwrap();
    let script = dir.path().join("check.py");
    std::fs::write(&script, PYTHON_SCRIPT).unwrap();
    let run = tokio::task::spawn_blocking(move || {
        std::process::Command::new(python)
            .arg(&script)
            .arg(&kubeconfig)
            .env_remove("KUBECONFIG")
            .env("NO_PROXY", "*")
            .output()
            .unwrap()
    });
    let out = tokio::time::timeout(Duration::from_secs(120), run).await.expect("the Python client finishes").unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "the Python client failed:\n{stdout}\n{stderr}");
    assert!(stdout.starts_with("ok "), "{stdout}");
    eprintln!("python client: {}", stdout.trim());
}
