//! `keyhole restart`: the real binary against the embedded cluster through a kubeconfig. A dry
//! run changes nothing; a restart sets the pod template's restartedAt annotation the way
//! `kubectl rollout restart` does (checked with kubectl when it is installed); workloads without
//! a rollout are listed with what happens instead; a user who may not patch is refused, per
//! workload, and nothing changes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;
use std::process::Output;

use k8s_openapi::api::apps::v1::Deployment;
use keyhole_apiserver::DemoServer;
use kube::api::Api;
use serde_json::Value;

struct Cluster {
    server: DemoServer,
    dir: tempfile::TempDir,
    kubeconfig: PathBuf,
}

async fn cluster() -> Cluster {
    let server = common::demo().await;
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(&kubeconfig, server.kubeconfig()).unwrap();
    Cluster { server, dir, kubeconfig }
}

impl Cluster {
    async fn restart(&self, args: &[&str]) -> Output {
        let mut all = vec!["restart", "--kubeconfig", self.kubeconfig.to_str().unwrap()];
        all.extend_from_slice(args);
        tokio::process::Command::new(env!("CARGO_BIN_EXE_keyhole"))
            .args(&all)
            .env("HOME", self.dir.path())
            .env_remove("KUBECONFIG")
            .output()
            .await
            .expect("keyhole runs")
    }

    async fn restarted_at(&self, name: &str) -> Option<String> {
        let api: Api<Deployment> = Api::namespaced(self.server.client("admin").await.unwrap(), "default");
        let d = api.get(name).await.unwrap();
        d.spec?.template.metadata?.annotations?.get("kubectl.kubernetes.io/restartedAt").cloned()
    }
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!("JSON ({e}):\n{}\n{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
    })
}

fn workload<'a>(report: &'a Value, kind: &str, name: &str) -> &'a Value {
    report["workloads"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["kind"] == kind && w["name"] == name)
        .unwrap_or_else(|| panic!("{kind} {name} in {report:#}"))
}

#[tokio::test]
async fn a_dry_run_changes_nothing_and_a_restart_sets_restarted_at() {
    let c = cluster().await;
    // prod-db-secret: the web Deployment reads it through env.
    let out = c.restart(&["-n", "default", "prod-db-secret", "--dry-run", "-o", "json"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let report = json(&out);
    assert_eq!(report["dryRun"], true);
    assert_eq!(workload(&report, "Deployment", "web")["result"], "would-restart");
    // prod-db-client-pod mounts it as a volume: not listed.
    assert_eq!(report["workloads"].as_array().unwrap().len(), 1, "{report:#}");
    // A bare Pod that reads through subPath has no rollout: listed with what happens instead.
    let out = c.restart(&["-n", "default", "secret-basic-auth", "--dry-run", "-o", "json"]).await;
    let report = json(&out);
    let bare = workload(&report, "Pod", "subpath-pod");
    assert_eq!(bare["result"], "not-restartable");
    assert!(bare["message"].as_str().unwrap().contains("deleted and created again"), "{bare}");
    assert_eq!(c.restarted_at("web").await, None, "a dry run changes nothing");

    let out = c.restart(&["-n", "default", "prod-db-secret"]).await;
    let table = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(0), "{table}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(table.starts_with("WORKLOAD"), "{table}");
    assert!(table.lines().any(|l| l.starts_with("deployment/web") && l.contains("restarted")), "{table}");
    let at = c.restarted_at("web").await.expect("the template carries restartedAt");
    assert!(at.parse::<jiff::Timestamp>().is_ok(), "an RFC 3339 time: {at}");
    // kubectl sees the same annotation (kubectl rollout restart's).
    match common::kubectl() {
        None => eprintln!("skipping the kubectl check: kubectl is not installed"),
        Some(kubectl) => {
            // Not std's Command: the server runs on this test's runtime.
            let out = tokio::process::Command::new(kubectl)
                .args(["--kubeconfig", c.kubeconfig.to_str().unwrap(), "get", "deployment", "web", "-n", "default"])
                .args(["-o", "jsonpath={.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}"])
                .output()
                .await
                .unwrap();
            assert_eq!(String::from_utf8_lossy(&out.stdout), at, "{}", String::from_utf8_lossy(&out.stderr));
        }
    }
}

#[tokio::test]
async fn a_user_who_may_not_patch_is_refused_and_nothing_changes() {
    let c = cluster().await;
    let out = c.restart(&["--context", "keyhole-demo-readonly", "-n", "default", "prod-db-secret", "-o", "json"]).await;
    assert_eq!(out.status.code(), Some(1), "a refusal exits 1: {}", String::from_utf8_lossy(&out.stderr));
    let web = workload(&json(&out), "Deployment", "web").clone();
    assert_eq!(web["result"], "refused", "{web}");
    assert!(web["message"].as_str().unwrap().contains("may not patch"), "{web}");
    assert_eq!(c.restarted_at("web").await, None);
}

#[tokio::test]
async fn nothing_to_restart_and_errors_say_so() {
    let c = cluster().await;
    // secret-tls is mounted as a volume: its Pods see changes in place.
    let out = c.restart(&["-n", "default", "secret-tls"]).await;
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to restart"), "{out:?}");
    let out = c.restart(&["-n", "default", "no-such-secret"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("there is no Secret \"no-such-secret\""), "{out:?}");
    let out = c.restart(&["-A", "prod-db-secret"]).await;
    assert_eq!(out.status.code(), Some(2));
}
