//! The embedded cluster's workload controllers driven by kube-rs: a restart patch (what
//! `kubectl rollout restart` sends) rolls a Deployment to a new ReplicaSet, a scale makes
//! Pods, the failing demo Deployment times out, and nothing is written while nothing changes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams, Patch, PatchParams};
use kube::runtime::{WatchStreamExt, watcher};
use serde_json::json;

use keyhole_apiserver::{DemoServer, ServerOptions};

const PACE: Duration = Duration::from_millis(50);

async fn server() -> DemoServer {
    let opts = ServerOptions {
        rollout_pace: PACE,
        progress_deadline_cap: Some(Duration::from_secs(1)),
        ..ServerOptions::default()
    };
    DemoServer::start(opts).await.expect("demo server starts")
}

/// The strategic merge patch `kubectl rollout restart` sends.
async fn restart(api: &Api<Deployment>, name: &str, at: &str) {
    let patch = json!({"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": at}}}}});
    let params = PatchParams { field_manager: Some("kubectl-rollout".into()), ..PatchParams::default() };
    api.patch(name, &params, &Patch::Strategic(patch)).await.unwrap();
}

/// Watches the Deployment until `done` holds for it.
async fn until(api: &Api<Deployment>, name: &str, done: impl Fn(&Deployment) -> bool) -> Deployment {
    let config = watcher::Config::default().fields(&format!("metadata.name={name}"));
    let stream = watcher(api.clone(), config).applied_objects();
    let found = tokio::time::timeout(Duration::from_secs(20), async {
        let mut stream = std::pin::pin!(stream);
        while let Some(d) = stream.next().await {
            let d = d.unwrap();
            if done(&d) {
                return d;
            }
        }
        panic!("the watch ended");
    })
    .await;
    match found {
        Ok(d) => d,
        Err(_) => panic!("{name} did not get there in 20 s: {:?}", api.get_opt(name).await),
    }
}

fn rolled_out(d: &Deployment) -> bool {
    let want = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let s = d.status.clone().unwrap_or_default();
    s.observed_generation >= d.metadata.generation
        && s.updated_replicas == Some(want)
        && s.replicas == Some(want)
        && s.available_replicas == Some(want)
}

#[tokio::test]
async fn a_restart_patch_rolls_the_deployment_to_a_new_replica_set() {
    let server = server().await;
    let client = common::client(&server, "admin").await;
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), "default");
    restart(&deployments, "secret-env", "2026-03-01T10:00:00Z").await;
    let d = until(&deployments, "secret-env", rolled_out).await;
    assert_eq!(d.metadata.generation, Some(2));
    let annotations = d.metadata.annotations.clone().unwrap_or_default();
    assert_eq!(annotations.get("deployment.kubernetes.io/revision").map(String::as_str), Some("2"));
    let progressing =
        d.status.unwrap().conditions.unwrap().into_iter().find(|c| c.type_ == "Progressing").expect("Progressing");
    assert_eq!(progressing.reason.as_deref(), Some("NewReplicaSetAvailable"));

    let sets: Api<ReplicaSet> = Api::namespaced(client.clone(), "default");
    let list = sets.list(&ListParams::default().labels("app=secret-env")).await.unwrap();
    let mut revisions: Vec<(String, i32, String)> = list
        .items
        .iter()
        .map(|rs| {
            let revision = rs.metadata.annotations.as_ref().and_then(|a| a.get("deployment.kubernetes.io/revision"));
            (
                revision.cloned().unwrap_or_default(),
                rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(-1),
                rs.metadata.name.clone().unwrap_or_default(),
            )
        })
        .collect();
    revisions.sort();
    assert_eq!(revisions.len(), 2, "{revisions:?}");
    assert_eq!((revisions[0].0.as_str(), revisions[0].1), ("1", 0));
    assert_eq!((revisions[1].0.as_str(), revisions[1].1), ("2", 1));

    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    // The old Pod may still be terminating for a step.
    let mut names = Vec::new();
    for _ in 0..100 {
        let list = pods.list(&ListParams::default().labels("app=secret-env")).await.unwrap();
        names = list.items.iter().filter_map(|p| p.metadata.name.clone()).collect();
        if names.len() == 1 {
            break;
        }
        tokio::time::sleep(PACE).await;
    }
    assert_eq!(names.len(), 1, "{names:?}");
    assert!(names[0].starts_with(&format!("{}-", revisions[1].2)), "{names:?}");

    // Settled: nothing more is written.
    tokio::time::sleep(PACE * 4).await;
    let rv = server.store.lock().rv();
    tokio::time::sleep(PACE * 6).await;
    assert_eq!(server.store.lock().rv(), rv, "a settled rollout writes nothing");
}

#[tokio::test]
async fn nothing_is_written_while_nothing_changes() {
    let server = server().await;
    let rv = server.store.lock().rv();
    tokio::time::sleep(PACE * 10).await;
    assert_eq!(server.store.lock().rv(), rv, "the controllers leave the demo data alone");
}

#[tokio::test]
async fn scaling_a_deployment_makes_its_pods() {
    let server = server().await;
    let client = common::client(&server, "admin").await;
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), "default");
    deployments.patch("web", &PatchParams::default(), &Patch::Merge(json!({"spec": {"replicas": 3}}))).await.unwrap();
    let d = until(&deployments, "web", rolled_out).await;
    assert_eq!(d.status.unwrap().ready_replicas, Some(3));
    let pods: Api<Pod> = Api::namespaced(client, "default");
    let list = pods.list(&ListParams::default().labels("app=web")).await.unwrap();
    assert_eq!(list.items.len(), 3);
    assert!(
        list.items.iter().all(|p| p.metadata.name.as_deref().unwrap().starts_with("web-7d4b9c8f6-")),
        "same ReplicaSet"
    );
}

#[tokio::test]
async fn the_failing_demo_deployment_times_out_and_keeps_its_old_pods() {
    let server = server().await;
    let client = common::client(&server, "admin").await;
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), "shop");
    restart(&deployments, "orders-worker", "2026-03-01T10:00:00Z").await;
    let timed_out = |d: &Deployment| {
        let conditions = d.status.as_ref().and_then(|s| s.conditions.clone()).unwrap_or_default();
        conditions.iter().any(|c| c.type_ == "Progressing" && c.reason.as_deref() == Some("ProgressDeadlineExceeded"))
    };
    let d = until(&deployments, "orders-worker", timed_out).await;
    let status = d.status.unwrap();
    assert_eq!((status.replicas, status.updated_replicas, status.available_replicas), (Some(3), Some(1), Some(2)));
    let available = status.conditions.unwrap().into_iter().find(|c| c.type_ == "Available").unwrap();
    assert_eq!(available.status, "True");
    let pods: Api<Pod> = Api::namespaced(client, "shop");
    let list = pods.list(&ListParams::default().labels("app=orders-worker")).await.unwrap();
    let waiting: Vec<String> = list
        .items
        .iter()
        .flat_map(|p| p.status.clone().and_then(|s| s.container_statuses).unwrap_or_default())
        .filter_map(|c| c.state.and_then(|s| s.waiting).and_then(|w| w.reason))
        .collect();
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    assert!(waiting[0] == "ErrImagePull" || waiting[0] == "ImagePullBackOff", "{waiting:?}");
}

/// Polls the Pods with `labels` in `ns` until `done` holds for them.
async fn pods_until(pods: &Api<Pod>, labels: &str, done: impl Fn(&[Pod]) -> bool) -> Vec<Pod> {
    let mut last = Vec::new();
    for _ in 0..400 {
        last = pods.list(&ListParams::default().labels(labels)).await.unwrap().items;
        if done(&last) {
            return last;
        }
        tokio::time::sleep(PACE).await;
    }
    let names: Vec<_> =
        last.iter().map(|p| (p.metadata.name.clone(), p.status.clone().and_then(|s| s.phase))).collect();
    panic!("the Pods of {labels} did not get there in 20 s: {names:?}");
}

fn running(p: &Pod) -> bool {
    p.metadata.deletion_timestamp.is_none() && p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running")
}

#[tokio::test]
async fn a_deleted_pod_is_replaced_by_its_controller() {
    let server = server().await;
    let client = common::client(&server, "admin").await;
    // A Deployment's Pod: a new one from the same ReplicaSet, under another name.
    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    let before = pods.list(&ListParams::default().labels("app=web")).await.unwrap().items;
    let n = before.len();
    assert!(n > 0 && before.iter().all(running), "{before:?}");
    let old = before[0].metadata.name.clone().unwrap();
    pods.delete(&old, &Default::default()).await.unwrap();
    let after = pods_until(&pods, "app=web", |l| {
        l.iter().filter(|p| running(p)).count() == n
            && l.iter().all(|p| p.metadata.name.as_deref() != Some(old.as_str()))
    })
    .await;
    for p in &after {
        let name = p.metadata.name.as_deref().unwrap();
        assert!(name.starts_with("web-7d4b9c8f6-"), "{name}: the same ReplicaSet");
    }
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), "default");
    let d = until(&deployments, "web", rolled_out).await;
    assert_eq!(d.status.unwrap().ready_replicas, Some(n as i32));
    assert_eq!(d.metadata.generation, Some(1), "a replacement is no rollout");

    // A StatefulSet's Pod: the same name again, a new object.
    let shop: Api<Pod> = Api::namespaced(client.clone(), "shop");
    let uid = shop.get("db-0").await.unwrap().metadata.uid.unwrap();
    shop.delete("db-0", &Default::default()).await.unwrap();
    pods_until(&shop, "app=db", |l| {
        l.iter().any(|p| {
            p.metadata.name.as_deref() == Some("db-0") && p.metadata.uid.as_deref() != Some(uid.as_str()) && running(p)
        })
    })
    .await;

    // Settled again: nothing more is written.
    tokio::time::sleep(PACE * 4).await;
    let rv = server.store.lock().rv();
    tokio::time::sleep(PACE * 6).await;
    assert_eq!(server.store.lock().rv(), rv, "replaced, the controllers are quiet");
}
