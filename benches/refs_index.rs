//! The reference index at cluster scale: building it from 20,000 Pods (as the initial list of a
//! Pod watch does), replacing one Pod in it (a watch event), and the queries the UI makes.
//!
//! Run with `cargo bench --bench refs_index`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use keyhole::cluster::pod::PodForRefs;
use keyhole::refs::{Interner, RefIndex, SecretFacts, WorkloadResolver, from_pod_in, pod_id};
use serde_json::json;

const PODS: usize = 20_000;

/// A Deployment's replica with env, envFrom, a volume with items, a projected volume and an
/// image pull secret: five references, in 50 namespaces of 8 apps each.
fn generated_pod(i: usize) -> Pod {
    let ns = format!("ns-{}", i % 50);
    let app = format!("app-{}", i % 400);
    let secret = format!("{app}-secret");
    let pod = serde_json::from_value(json!({
        "metadata": {
            "name": format!("{app}-5d8f7c9b4-{i:06}"),
            "namespace": ns,
            "labels": {"app": app, "pod-template-hash": "5d8f7c9b4"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": format!("{app}-5d8f7c9b4"),
                                 "uid": "u", "controller": true}]
        },
        "spec": {
            "imagePullSecrets": [{"name": "registry"}],
            "containers": [{
                "name": "app",
                "image": "example/app:1",
                "env": [{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": secret, "key": "password"}}}],
                "envFrom": [{"secretRef": {"name": "shared-config", "optional": true}}],
                "volumeMounts": [{"name": "tls", "mountPath": "/tls", "readOnly": true},
                                 {"name": "all", "mountPath": "/all"}]
            }],
            "volumes": [
                {"name": "tls", "secret": {"secretName": format!("{app}-tls"), "items": [
                    {"key": "tls.crt", "path": "tls.crt"}, {"key": "tls.key", "path": "tls.key", "mode": 0o400}]}},
                {"name": "all", "projected": {"sources": [{"secret": {"name": secret}}, {"configMap": {"name": "c"}}]}}
            ]
        }
    }));
    match pod {
        Ok(pod) => pod,
        Err(e) => panic!("generated Pod {i}: {e}"),
    }
}

/// The metadata of app-`app`'s ReplicaSet (owned by Deployment app-`app`), as a watch of
/// ReplicaSet metadata delivers it.
fn replica_set_meta(app: usize) -> ObjectMeta {
    ObjectMeta {
        name: Some(format!("app-{app}-5d8f7c9b4")),
        namespace: Some(format!("ns-{}", app % 50)),
        owner_references: Some(vec![OwnerReference {
            api_version: "apps/v1".into(),
            kind: "Deployment".into(),
            name: format!("app-{app}"),
            uid: "d".into(),
            controller: Some(true),
            block_owner_deletion: None,
        }]),
        ..ObjectMeta::default()
    }
}

fn build(pods: &[Pod], resolver: &WorkloadResolver) -> RefIndex {
    let mut index = RefIndex::new();
    for pod in pods {
        index.upsert_pod(pod, resolver);
    }
    index
}

fn bench(c: &mut Criterion) {
    let pods: Vec<Pod> = (0..PODS).map(generated_pod).collect();
    let resolver = WorkloadResolver::new();

    let mut group = c.benchmark_group("refs_index");
    group.sample_size(20);
    // The index is dropped outside the measurement: the app builds it once and keeps it.
    group.bench_function("build from 20000 pods", |b| b.iter_with_large_drop(|| build(black_box(&pods), &resolver)));
    group.bench_function("build and drop, 20000 pods", |b| b.iter(|| build(black_box(&pods), &resolver)));
    group.bench_function("project 20000 pods (from_pod, names shared)", |b| {
        b.iter_with_large_drop(|| {
            let mut names = Interner::new();
            pods.iter().map(|p| from_pod_in(black_box(p), &resolver, &mut names)).collect::<Vec<_>>()
        })
    });
    group.finish();

    // A watch delivers one Pod at a time, just deserialized and so in cache; the 20,000 Pods
    // above are cold, spread over some hundred megabytes.
    let mut names = Interner::new();
    c.bench_function("refs_index/project one pod (in cache)", |b| {
        b.iter(|| from_pod_in(black_box(&pods[7]), &resolver, &mut names).len())
    });

    let mut index = build(&pods, &resolver);
    let mut i = 0;
    c.bench_function("refs_index/watch event: replace one pod in 20000", |b| {
        b.iter(|| {
            i = (i + 1) % PODS;
            index.upsert_pod(black_box(&pods[i]), &resolver);
        })
    });
    c.bench_function("refs_index/watch event: delete and re-add one pod in 20000", |b| {
        b.iter(|| {
            i = (i + 1) % PODS;
            index.remove(&pod_id(&pods[i]));
            index.upsert_pod(black_box(&pods[i]), &resolver);
        })
    });
    // A ReplicaSet watch event: the resolver learns the ReplicaSet's owner and the Pods it
    // owns are grouped again (50 of the 20,000 Pods are this ReplicaSet's).
    let mut resolver_rs = WorkloadResolver::new();
    let mut rs = 0;
    c.bench_function("refs_index/ReplicaSet event: regroup its pods in 20000", |b| {
        b.iter(|| {
            rs = (rs + 1) % 400;
            let meta = replica_set_meta(rs);
            resolver_rs.upsert_replica_set(&meta);
            // What the app does with the event: regroup the Pods this ReplicaSet owns.
            index.refresh_owner(
                &resolver_rs,
                meta.namespace.as_deref().unwrap_or(""),
                meta.name.as_deref().unwrap_or(""),
            );
        })
    });
    // Before issue 14 the event walked every index entry: kept to compare.
    c.bench_function("refs_index/ReplicaSet event: regroup a whole namespace in 20000", |b| {
        b.iter(|| {
            rs = (rs + 1) % 400;
            let meta = replica_set_meta(rs);
            resolver_rs.upsert_replica_set(&meta);
            index.refresh_workloads(&resolver_rs, meta.namespace.as_deref());
        })
    });
    c.bench_function("refs_index/usage counts of a namespace (list view)", |b| {
        b.iter(|| index.usage_in(black_box("ns-7")).len())
    });
    c.bench_function("refs_index/by_workload of a Secret used by 400 pods", |b| {
        b.iter(|| index.by_workload("ns-0", black_box("shared-config")).len())
    });
    let facts = SecretFacts::with_keys(["password", "1bad"]);
    c.bench_function("refs_index/analyze a Secret used by 400 pods", |b| {
        b.iter(|| index.analyze("ns-0", black_box("shared-config"), &facts).findings.len())
    });
}

/// A Pod as a real cluster returns it: the spec above plus what a Deployment's replica carries
/// on a live cluster (managedFields of three managers, annotations, status with conditions and
/// container states).
fn live_pod_json(i: usize) -> serde_json::Value {
    let mut pod = serde_json::to_value(generated_pod(i)).unwrap_or_default();
    let fields = json!({"f:metadata": {"f:labels": {".": {}, "f:app": {}, "f:pod-template-hash": {}},
        "f:ownerReferences": {".": {}, "k:{\"uid\":\"u\"}": {}}},
        "f:spec": {"f:containers": {"k:{\"name\":\"app\"}": {".": {}, "f:env": {}, "f:envFrom": {}, "f:image": {},
            "f:imagePullPolicy": {}, "f:name": {}, "f:resources": {}, "f:terminationMessagePath": {}}},
            "f:dnsPolicy": {}, "f:enableServiceLinks": {}, "f:restartPolicy": {}, "f:schedulerName": {},
            "f:securityContext": {}, "f:terminationGracePeriodSeconds": {}, "f:volumes": {}}});
    let status_fields = json!({"f:status": {"f:conditions": {"k:{\"type\":\"Ready\"}": {".": {}, "f:lastProbeTime": {},
        "f:lastTransitionTime": {}, "f:status": {}, "f:type": {}}}, "f:containerStatuses": {}, "f:hostIP": {},
        "f:phase": {}, "f:podIP": {}, "f:podIPs": {".": {}}, "f:startTime": {}}});
    pod["metadata"]["managedFields"] = json!([
        {"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1",
         "time": "2026-01-01T00:00:00Z", "fieldsType": "FieldsV1", "fieldsV1": fields},
        {"manager": "kubelet", "operation": "Update", "apiVersion": "v1", "time": "2026-01-01T00:00:05Z",
         "fieldsType": "FieldsV1", "fieldsV1": status_fields, "subresource": "status"},
    ]);
    pod["metadata"]["annotations"] = json!({"kubectl.kubernetes.io/restartedAt": "2026-01-01T00:00:00Z",
        "prometheus.io/scrape": "true", "prometheus.io/port": "9090"});
    let condition = |t: &str| {
        json!({"type": t, "status": "True", "lastProbeTime": null,
        "lastTransitionTime": "2026-01-01T00:00:05Z"})
    };
    pod["status"] = json!({"phase": "Running", "hostIP": "10.0.0.7", "podIP": format!("10.244.{}.{}", i % 250, i % 200),
        "podIPs": [{"ip": "10.244.0.1"}], "startTime": "2026-01-01T00:00:00Z", "qosClass": "BestEffort",
        "conditions": [condition("PodReadyToStartContainers"), condition("Initialized"), condition("Ready"),
                       condition("ContainersReady"), condition("PodScheduled")],
        "containerStatuses": [{"name": "app", "ready": true, "started": true, "restartCount": 0,
            "image": "example/app:1.0", "imageID": "docker.io/example/app@sha256:0123456789abcdef",
            "containerID": "containerd://0123456789abcdef0123456789abcdef",
            "state": {"running": {"startedAt": "2026-01-01T00:00:03Z"}}}]});
    pod
}

/// One page of the Pod list as kube-rs receives it (500 Pods), decoded as k8s-openapi `Pod`s
/// and as `PodForRefs`, which skips what the index does not read.
fn decode(c: &mut Criterion) {
    #[derive(serde::Deserialize)]
    struct Page<T> {
        items: Vec<T>,
    }
    let items: Vec<serde_json::Value> = (0..500).map(live_pod_json).collect();
    let page = serde_json::to_string(&json!({"items": items})).unwrap_or_default();
    let mut group = c.benchmark_group("pod page");
    group.bench_function(format!("decode 500 live pods ({} KiB) as Pod", page.len() / 1024), |b| {
        b.iter(|| serde_json::from_str::<Page<Pod>>(black_box(&page)).map(|p| p.items.len()).unwrap_or(0))
    });
    group.bench_function(format!("decode 500 live pods ({} KiB) as PodForRefs", page.len() / 1024), |b| {
        b.iter(|| serde_json::from_str::<Page<PodForRefs>>(black_box(&page)).map(|p| p.items.len()).unwrap_or(0))
    });
    group.finish();
}

criterion_group!(benches, bench, decode);
criterion_main!(benches);
