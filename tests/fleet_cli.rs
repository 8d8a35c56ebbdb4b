//! `keyhole list --contexts` and `keyhole compare`: the real binary over two demo clusters and
//! an unreachable context in one kubeconfig (tests/common/fleet.rs).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Output;

use common::fleet::TwoClusters;
use serde_json::Value;

async fn keyhole(dir: &std::path::Path, args: &[&str]) -> Output {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_keyhole"))
        .args(args)
        .arg("--kubeconfig")
        .arg(dir.join("kubeconfig"))
        .env("HOME", dir)
        .env_remove("KUBECONFIG")
        .output()
        .await
        .expect("keyhole runs");
    let all = [out.stdout.as_slice(), out.stderr.as_slice()].concat();
    let text = String::from_utf8_lossy(&all);
    for value in ["another-password", "s3cr3t", "YWRtaW4="] {
        assert!(!text.contains(value), "a value was printed: {text}");
    }
    out
}

async fn setup() -> (TwoClusters, tempfile::TempDir) {
    let two = TwoClusters::start().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("kubeconfig"), two.text()).unwrap();
    (two, dir)
}

#[tokio::test(flavor = "multi_thread")]
async fn expiring_over_every_context_finds_each_reachable_clusters_certificates_and_names_the_unreachable_one() {
    let (_two, dir) = setup().await;
    let out = keyhole(dir.path(), &["list", "--contexts", "all", "-A", "--expiring", "30", "-o", "json"]).await;
    assert_eq!(out.status.code(), Some(3), "some contexts could not be read: {}", String::from_utf8_lossy(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<(String, String)> = doc["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["context"].as_str().unwrap().to_string(), i["name"].as_str().unwrap().to_string()))
        .collect();
    for ctx in ["a", "b"] {
        for name in ["legacy-tls", "shop-tls"] {
            assert!(found.contains(&(ctx.to_string(), name.to_string())), "{name} in {ctx}: {found:?}");
        }
    }
    let contexts = doc["contexts"].as_array().unwrap();
    let down = contexts.iter().find(|c| c["name"] == "down").unwrap();
    assert_eq!(down["ok"], false);
    assert!(down["error"].as_str().unwrap().contains("Cannot reach the cluster"), "{down}");
    assert!(contexts.iter().filter(|c| c["ok"] == true).count() == 2);
    assert_eq!(doc["complete"], false);
    assert!(String::from_utf8_lossy(&out.stderr).contains("context down: not read"));

    // The table: a CONTEXT column; globs choose contexts; all reachable: exit 1 (found).
    let out = keyhole(dir.path(), &["list", "--contexts", "a,b", "-A", "--expiring", "30"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.starts_with("CONTEXT"), "{table}");
    assert!(table.lines().any(|l| l.starts_with("b ") && l.contains("legacy-tls")), "{table}");
    // A name that matches no context is an error, not an empty fleet.
    let out = keyhole(dir.path(), &["list", "--contexts", "prod-*"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no context matches"), "{out:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn compare_names_the_keys_that_differ_without_showing_a_value() {
    let (_two, dir) = setup().await;
    let out = keyhole(dir.path(), &["compare", "mysecret", "--contexts", "a,b", "-o", "json"]).await;
    assert_eq!(out.status.code(), Some(1), "drift: {}", String::from_utf8_lossy(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["drift"], true);
    let key = |k: &str| doc["keys"].as_array().unwrap().iter().find(|x| x["key"] == k).unwrap().clone();
    assert_eq!(key("password")["verdict"], "differs");
    assert_eq!(key("password")["groups"]["b"], "B");
    assert_eq!(key("username")["verdict"], "same");

    // Absent from one context: drift, said on stderr; the unreachable one: exit 3.
    let out = keyhole(dir.path(), &["compare", "test-db-secret", "-n", "default"]).await;
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("context b: no Secret test-db-secret in default"), "{err}");
    assert!(err.contains("context down: not read"), "{err}");
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("absent") && table.contains("unread"), "{table}");

    // The same everywhere: exit 0.
    let out = keyhole(dir.path(), &["compare", "secret-tls", "--contexts", "a,b"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
}

/// The demo fleet (`keyhole demo-server --clusters 3`): `--contexts all --expiring 30` finds the
/// expiring certificates of every reachable cluster (edge-tls expires in 10 days on fleet-1 and
/// 25 on fleet-2, in 200 on fleet-3) and names the unreachable and the forbidden contexts.
#[tokio::test(flavor = "multi_thread")]
async fn over_the_demo_fleet_expiring_names_each_clusters_certificates_and_the_unreadable_contexts() {
    let fleet = keyhole_apiserver::Fleet::start(keyhole_apiserver::FleetOptions::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("kubeconfig"), fleet.kubeconfig()).unwrap();
    let out = keyhole(dir.path(), &["list", "--contexts", "all", "-A", "--expiring", "30", "-o", "json"]).await;
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let found = |ctx: &str, name: &str| {
        doc["items"].as_array().unwrap().iter().any(|i| i["context"] == ctx && i["name"] == name)
    };
    assert!(found("fleet-1", "edge-tls") && found("fleet-2", "edge-tls") && !found("fleet-3", "edge-tls"));
    for ctx in ["fleet-1", "fleet-2", "fleet-3"] {
        assert!(found(ctx, "shop-tls"), "the standard demo's shop-tls expires in every cluster: {ctx}");
    }
    let contexts = doc["contexts"].as_array().unwrap();
    let status = |name: &str| contexts.iter().find(|c| c["name"] == name).unwrap().clone();
    assert_eq!(status("fleet-down")["ok"], false);
    assert!(status("fleet-down")["error"].as_str().unwrap().contains("Cannot reach"), "{}", status("fleet-down"));
    assert_eq!(status("fleet-forbidden")["ok"], false);
    assert!(status("fleet-forbidden")["error"].as_str().unwrap().contains("403"), "{}", status("fleet-forbidden"));

    // registry-creds drifts on fleet-2 only; app-config in keys and values.
    let out =
        keyhole(dir.path(), &["compare", "registry-creds", "--contexts", "fleet-?", "-n", "default", "-o", "json"])
            .await;
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let groups = &doc["keys"][0]["groups"];
    assert_eq!(
        (groups["fleet-1"].as_str(), groups["fleet-2"].as_str(), groups["fleet-3"].as_str()),
        (Some("A"), Some("B"), Some("A"))
    );
    let out =
        keyhole(dir.path(), &["compare", "app-config", "--contexts", "fleet-?", "-n", "default", "-o", "json"]).await;
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let verdict = |k: &str| doc["keys"].as_array().unwrap().iter().find(|x| x["key"] == k).unwrap()["verdict"].clone();
    assert_eq!(verdict("API_URL"), "partial");
    assert_eq!(verdict("FEATURE_X"), "partial");
    assert_eq!(verdict("LOG_LEVEL"), "differs");
}
