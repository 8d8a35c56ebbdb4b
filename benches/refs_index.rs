//! The reference index at cluster scale: building it from 20,000 Pods (as the initial list of a
//! Pod watch does), replacing one Pod in it (a watch event), and the queries the UI makes.
//!
//! Run with `cargo bench --bench refs_index`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use k8s_openapi::api::core::v1::Pod;
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

criterion_group!(benches, bench);
criterion_main!(benches);
