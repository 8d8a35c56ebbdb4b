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
