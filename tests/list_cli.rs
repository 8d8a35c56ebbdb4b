//! `keyhole list`: the real binary against the embedded cluster, through a kubeconfig as for a
//! real cluster (and once through `--demo`). Columns, scopes, the type filter, the JSON shape,
//! the linter's exit codes (0 nothing found, 1 found, 2 errors), and that no value is ever
//! printed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use keyhole_apiserver::DemoServer;
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

async fn run_in(home: &Path, args: &[&str]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_keyhole"))
        .args(args)
        .env("HOME", home)
        .env_remove("KUBECONFIG")
        .env_remove("KEYHOLE_REDACT")
        .output()
        .await
        .expect("keyhole runs")
}

impl Cluster {
    async fn list(&self, args: &[&str]) -> Output {
        let mut all = vec!["list", "--kubeconfig", self.kubeconfig.to_str().unwrap()];
        all.extend_from_slice(args);
        let out = run_in(self.dir.path(), &all).await;
        assert_no_values(&out);
        out
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited, not killed")
}

/// Values of the demo Secrets, decoded and encoded, and PEM armour: none may ever be printed.
const VALUES: &[&str] = &[
    "1f2d1e2e67df",
    "MWYyZDFlMmU2N2Rm",
    "YWRtaW4=",
    "dmFsdWUtMQ==",
    "value-1",
    "pass113",
    "tiger@acme.com",
    "dGlnZXI6cGFzczExMw==",
    "-----BEGIN",
    "LS0tLS1CRUdJTi",
    "eyJhbGciOiJSUzI1NiIs",
];

fn assert_no_values(o: &Output) {
    let all = format!("{}{}", stdout(o), stderr(o));
    for v in VALUES {
        assert!(!all.contains(v), "the output holds the value {v:?}:\n{all}");
    }
}

/// The row of `name` in a table, split into cells.
fn row<'a>(table: &'a str, name: &str) -> Option<Vec<&'a str>> {
    table.lines().map(|l| l.split_whitespace().collect::<Vec<_>>()).find(|cells| cells.contains(&name))
}

fn names(table: &str, column: usize) -> Vec<String> {
    table.lines().skip(1).filter_map(|l| l.split_whitespace().nth(column)).map(str::to_string).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn lists_the_context_namespace_with_kubectl_columns_and_usage() {
    let c = cluster().await;
    let out = c.list(&[]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let table = stdout(&out);
    let header: Vec<&str> = table.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["NAME", "TYPE", "DATA", "AGE", "USED-BY"]);
    // The context's namespace (default) only.
    assert!(row(&table, "shop-tls").is_none(), "{table}");
    let mysecret = row(&table, "mysecret").expect("mysecret listed");
    assert_eq!(&mysecret[..3], ["mysecret", "Opaque", "4"]);
    let used: usize = mysecret[4].parse().unwrap();
    assert!(used >= 3, "mysecret is used by several Pods: {mysecret:?}");
    let empty = row(&table, "empty-secret").unwrap();
    assert_eq!(empty[2], "0");
    assert_eq!(empty[4], "0", "nothing uses empty-secret");
    // Sorted by name, as kubectl lists them.
    let listed = names(&table, 0);
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(listed, sorted);
    // Columns are aligned: every row starts its TYPE at the same place as the header.
    let at = table.lines().next().unwrap().find("TYPE").unwrap();
    for line in table.lines().skip(1) {
        assert_eq!(line.as_bytes()[at - 1], b' ', "{line}");
        assert_ne!(line.as_bytes()[at], b' ', "{line}");
    }
    // Nothing that does not exist is listed without --broken.
    assert!(row(&table, "api-token").is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn all_namespaces_adds_the_namespace_column_and_n_picks_one() {
    let c = cluster().await;
    let out = c.list(&["-A"]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let table = stdout(&out);
    let header: Vec<&str> = table.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["NAMESPACE", "NAME", "TYPE", "DATA", "AGE", "USED-BY"]);
    assert_eq!(row(&table, "shop-tls").unwrap()[..3], ["shop", "shop-tls", "kubernetes.io/tls"]);
    assert_eq!(row(&table, "bootstrap-token-5emitj").unwrap()[0], "kube-system");
    assert_eq!(row(&table, "mysecret").unwrap()[0], "default");
    assert!(table.contains("helm.sh/release.v1"), "Helm records are Secrets too");

    let out = c.list(&["-n", "shop"]).await;
    assert_eq!(code(&out), 0);
    let table = stdout(&out);
    assert!(row(&table, "shop-tls").is_some() && row(&table, "mysecret").is_none(), "{table}");

    let out = c.list(&["-n", "no-such-namespace"]).await;
    assert_eq!(code(&out), 0, "an empty namespace lists nothing, as kubectl: {}", stderr(&out));
    assert!(stdout(&out).is_empty());
    assert!(stderr(&out).contains("No resources found"));
}

#[tokio::test(flavor = "multi_thread")]
async fn type_filter_takes_full_or_short_names() {
    let c = cluster().await;
    for t in ["kubernetes.io/tls", "tls"] {
        let out = c.list(&["--type", t]).await;
        assert_eq!(code(&out), 0);
        let table = stdout(&out);
        let types: Vec<String> = names(&table, 1);
        assert!(!types.is_empty());
        assert!(types.iter().all(|t| t == "kubernetes.io/tls"), "{table}");
        assert!(row(&table, "legacy-tls").is_some() && row(&table, "secret-tls").is_some());
    }
    let out = c.list(&["-A", "--type", "opaque"]).await;
    assert!(names(&stdout(&out), 2).iter().all(|t| t == "Opaque"));
}

#[tokio::test(flavor = "multi_thread")]
async fn json_has_one_item_per_secret_with_usage_and_no_values() {
    let c = cluster().await;
    let out = c.list(&["-A", "-o", "json"]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let items = doc["items"].as_array().unwrap();
    assert!(items.len() > 20);
    assert!(doc.get("findings").is_none(), "findings only when linting");
    let mysecret = items.iter().find(|i| i["name"] == "mysecret").unwrap();
    assert_eq!(mysecret["namespace"], "default");
    assert_eq!(mysecret["type"], "Opaque");
    assert_eq!(mysecret["data"], 4);
    assert_eq!(mysecret["exists"], true);
    assert!(mysecret["created"].as_str().unwrap().ends_with('Z'));
    assert!(mysecret["usedBy"]["pods"].as_u64().unwrap() >= 3);
    for field in [
        "consumers",
        "workloads",
        "templates",
        "serviceAccounts",
        "ingresses",
        "gateways",
        "persistentVolumes",
        "storageClasses",
        "terminatedPods",
    ] {
        assert!(mysecret["usedBy"][field].is_u64(), "{field}");
    }
    // JSON is for scripts: its flags are as complete as -o wide's (the Secrets read by key are
    // inspected for their key names; the values are dropped).
    assert_eq!(mysecret["flags"], serde_json::json!(["BROKEN", "PLAINTEXT-COPY"]));
    assert_eq!(mysecret["missingKeys"], serde_json::json!(["api-key"]));
    for item in items {
        let keys: Vec<&str> = item.as_object().unwrap().keys().map(String::as_str).collect();
        assert!(!keys.contains(&"values") && !keys.contains(&"stringData"), "{keys:?}");
    }
    // The linter's JSON counts what it found.
    let out = c.list(&["-n", "shop", "--expiring", "30", "-o", "json"]).await;
    assert_eq!(code(&out), 1);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["findings"], 1);
    let item = &doc["items"][0];
    assert_eq!(item["name"], "shop-tls");
    assert_eq!(item["flags"], serde_json::json!(["EXPIRING"]));
    let days = item["certDaysLeft"].as_i64().unwrap();
    assert!((10..=12).contains(&days), "{days}");
    assert!(item["certNotAfter"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test(flavor = "multi_thread")]
async fn unused_finds_secrets_nothing_uses() {
    let c = cluster().await;
    let out = c.list(&["--unused"]).await;
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let table = stdout(&out);
    let header: Vec<&str> = table.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(header.last(), Some(&"FLAGS"));
    let empty = row(&table, "empty-secret").expect("empty-secret is unused");
    assert!(empty.last().unwrap().contains("UNUSED"));
    assert!(row(&table, "mysecret").is_none(), "mysecret is used");
    assert!(row(&table, "secret-sa-sample").is_none(), "service-account tokens are used by the token controller");
    assert!(table.lines().skip(1).all(|l| l.contains("UNUSED")), "{table}");

    // Helm records and the bootstrap token are never unused; shop's Secrets are all used.
    let out = c.list(&["-n", "kube-system", "--unused"]).await;
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).is_empty());
    assert!(stderr(&out).contains("Nothing found"));
}

#[tokio::test(flavor = "multi_thread")]
async fn broken_finds_missing_keys_and_missing_secrets() {
    let c = cluster().await;
    let out = c.list(&["--broken", "-o", "wide"]).await;
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let table = stdout(&out);
    let mysecret = row(&table, "mysecret").expect("mysecret lacks api-key");
    assert_eq!(mysecret.last(), Some(&"BROKEN:api-key,PLAINTEXT-COPY"));
    let ghost = row(&table, "api-token").expect("api-token is referenced but does not exist");
    assert_eq!(ghost[1], "<missing>");
    assert_eq!(ghost.last(), Some(&"MISSING"));
    assert!(row(&table, "feature-flags").is_none(), "an optional reference to a missing Secret is skipped by kubelet");
    assert!(row(&table, "empty-secret").is_none(), "--broken lists only what is broken");

    // shop's ServiceAccount pulls images with shop-registry, which does not exist.
    let out = c.list(&["-n", "shop", "--broken"]).await;
    assert_eq!(code(&out), 1, "{}{}", stdout(&out), stderr(&out));
    assert_eq!(row(&stdout(&out), "shop-registry").unwrap().last(), Some(&"MISSING"));

    let out = c.list(&["-n", "monitoring", "--broken"]).await;
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn expiring_finds_expired_and_soon_expiring_certificates() {
    let c = cluster().await;
    let out = c.list(&["-n", "shop", "--expiring", "30"]).await;
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let table = stdout(&out);
    let shop = row(&table, "shop-tls").expect("shop-tls expires within 30 days");
    assert!(shop.last().unwrap().starts_with("EXPIRES-"), "{shop:?}");
    assert_eq!(table.lines().count(), 2, "only shop-tls: {table}");

    let out = c.list(&["-n", "shop", "--expiring", "5"]).await;
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));

    let out = c.list(&["--expiring", "0"]).await;
    assert_eq!(code(&out), 1);
    let table = stdout(&out);
    assert_eq!(row(&table, "legacy-tls").unwrap().last(), Some(&"EXPIRED,UNUSED"));
    assert!(row(&table, "secret-tls").is_none(), "{table}");

    // Several checks: what any of them finds.
    let out = c.list(&["-A", "--expiring", "30", "--broken"]).await;
    assert_eq!(code(&out), 1);
    let table = stdout(&out);
    for name in ["shop-tls", "legacy-tls", "mysecret", "api-token"] {
        assert!(row(&table, name).is_some(), "{name} missing from:\n{table}");
    }
}

/// `kubectl apply` left a copy of the values in the last-applied annotation of the demo's
/// client-side-applied Secrets: found from the list's metadata, no value read or printed.
#[tokio::test(flavor = "multi_thread")]
async fn plaintext_copies_finds_the_secrets_kubectl_apply_left_values_in() {
    let c = cluster().await;
    let out = c.list(&["--plaintext-copies"]).await;
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let table = stdout(&out);
    for name in ["mysecret", "prod-db-secret", "secret-basic-auth", "test-db-secret"] {
        let cells = row(&table, name).unwrap_or_else(|| panic!("{name} missing from:\n{table}"));
        assert!(cells.last().unwrap().contains("PLAINTEXT-COPY"), "{cells:?}");
    }
    for name in ["empty-secret", "secret-tls", "dotfile-secret"] {
        assert!(row(&table, name).is_none(), "{name} was not applied with kubectl:\n{table}");
    }
    assert!(table.lines().skip(1).all(|l| l.contains("PLAINTEXT-COPY")), "only what it found:\n{table}");

    let out = c.list(&["-n", "monitoring", "--plaintext-copies"]).await;
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).is_empty());
    assert!(stderr(&out).contains("Nothing found"));

    // JSON: the lint's findings, and the field on each item.
    let out = c.list(&["-A", "-o", "json", "--plaintext-copies"]).await;
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let items = doc["items"].as_array().unwrap();
    assert_eq!(doc["findings"], items.len());
    assert!(
        items
            .iter()
            .all(|i| i["plaintextCopy"] == true
                && i["flags"].as_array().unwrap().contains(&Value::from("PLAINTEXT-COPY")))
    );
    assert!(items.iter().any(|i| i["namespace"] == "shop" && i["name"] == "shop-db"), "{items:?}");
    let out = c.list(&["-o", "json"]).await;
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let item = |name: &str| doc["items"].as_array().unwrap().iter().find(|i| i["name"] == name).unwrap().clone();
    assert_eq!(item("empty-secret")["plaintextCopy"], false);
    assert!(item("empty-secret").get("plaintextCopyStale").is_none());
    // mysecret is read for its key names anyway (consumers read it by key): its copy is compared
    // too, and holds the current values.
    assert_eq!(item("mysecret")["plaintextCopy"], true);
    assert_eq!(item("mysecret")["plaintextCopyStale"], false);
    assert_eq!(item("prod-db-secret")["plaintextCopy"], true);
}

#[tokio::test(flavor = "multi_thread")]
async fn wide_shows_the_flags_of_every_secret() {
    let c = cluster().await;
    let out = c.list(&["-o", "wide"]).await;
    assert_eq!(code(&out), 0, "wide is not a check: {}", stderr(&out));
    let table = stdout(&out);
    assert_eq!(row(&table, "legacy-tls").unwrap().last(), Some(&"EXPIRED,UNUSED"));
    assert!(row(&table, "empty-secret").unwrap().last().unwrap().contains("UNUSED"));
    assert_eq!(row(&table, "mysecret").unwrap().last(), Some(&"BROKEN:api-key,PLAINTEXT-COPY"));
    assert_eq!(row(&table, "api-token").unwrap().last(), Some(&"MISSING"));
    assert_eq!(row(&table, "feature-flags").unwrap().last(), Some(&"MISSING-OPTIONAL"));
}

#[tokio::test(flavor = "multi_thread")]
async fn errors_exit_2_with_one_paragraph() {
    let c = cluster().await;
    // A kubeconfig that does not exist.
    let out = run_in(c.dir.path(), &["list", "--kubeconfig", "/nonexistent/kubeconfig"]).await;
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("Cannot read the kubeconfig /nonexistent/kubeconfig"), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    // A kubeconfig that is not one.
    let bad = c.dir.path().join("bad");
    std::fs::write(&bad, "this: is: not yaml: [").unwrap();
    let out = run_in(c.dir.path(), &["list", "--kubeconfig", bad.to_str().unwrap()]).await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    // A cluster that is not there.
    let down = c.dir.path().join("down");
    let text = std::fs::read_to_string(&c.kubeconfig).unwrap().replace(&c.server.url(), "https://127.0.0.1:1");
    std::fs::write(&down, text).unwrap();
    let out = run_in(c.dir.path(), &["list", "--kubeconfig", down.to_str().unwrap()]).await;
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("connection refused"), "{}", stderr(&out));
    // Bad flags.
    let out = c.list(&["--expiring", "soon"]).await;
    assert_eq!(code(&out), 2);
    let out = c.list(&["-o", "yaml"]).await;
    assert_eq!(code(&out), 2);
    // 403: the team user may not list across namespaces.
    let out = c.list(&["--context", "keyhole-demo-team", "-A"]).await;
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(err.contains("You may not list Secrets in all namespaces") && err.contains("-n NAMESPACE"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one paragraph: {err}");
    // ... but may list its own namespace, and check it.
    let out = c.list(&["--context", "keyhole-demo-team", "--expiring", "30"]).await;
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    // A user who may list but not read Secrets: a check that needs to read them cannot be made.
    let out = c.list(&["--context", "keyhole-demo-auditor", "--expiring", "30"]).await;
    assert_eq!(code(&out), 2, "{}{}", stdout(&out), stderr(&out));
    assert!(stderr(&out).contains("could not read"), "{}", stderr(&out));
    // ... while listing needs no values.
    let out = c.list(&["--context", "keyhole-demo-auditor"]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn no_value_appears_in_any_output() {
    let c = cluster().await;
    for args in [
        &["-A"][..],
        &["-A", "-o", "wide"],
        &["-A", "-o", "json"],
        &["-A", "-o", "wide", "--unused", "--broken", "--expiring", "3650"],
        &["-A", "-o", "json", "--unused", "--broken", "--expiring", "3650"],
    ] {
        // `list` asserts on every output.
        let out = c.list(args).await;
        assert!(!out.stdout.is_empty(), "{args:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_flag_lists_the_in_process_demo_cluster() {
    let home = tempfile::tempdir().unwrap();
    let out = run_in(home.path(), &["--demo", "list", "--broken"]).await;
    assert_no_values(&out);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(row(&stdout(&out), "mysecret").is_some());
    let out = run_in(home.path(), &["list", "--demo", "-n", "shop"]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(row(&stdout(&out), "shop-tls").is_some());
}

/// Secrets used only by something that runs no Pod now, or is not a Pod (a CronJob between
/// runs, a Deployment at zero replicas, a DaemonSet, a PersistentVolume, a StorageClass, a
/// Gateway through a ReferenceGrant, a ServiceAccount's token) are not unused (issue 14).
#[tokio::test(flavor = "multi_thread")]
async fn unused_across_namespaces_lists_only_secrets_nothing_references() {
    let c = cluster().await;
    let out = c.list(&["--unused", "-A"]).await;
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let table = stdout(&out);
    for name in [
        "backup-s3-credentials",
        "api-signing-key",
        "csi-rbd-provisioner",
        "csi-rbd-node",
        "rbd-publish",
        "data-db-0-rbd-key",
        "shop-gateway-tls",
        "deployer-token-7xk2p",
        "db-migrate-credentials",
        "log-shipper-credentials",
        "mysecret",
    ] {
        assert!(row(&table, name).is_none(), "{name} is used:\n{table}");
    }
    assert!(row(&table, "empty-secret").is_some(), "{table}");
    assert!(table.lines().skip(1).all(|l| l.contains("UNUSED")), "{table}");
    // The templated StorageClass is named, and not counted.
    assert!(stderr(&out).contains("StorageClass ceph-rbd-tenant"), "{}", stderr(&out));
    // The same Secrets in JSON, with who uses them.
    let out = c.list(&["-A", "-o", "json"]).await;
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let item = |ns: &str, name: &str| -> Value {
        doc["items"].as_array().unwrap().iter().find(|i| i["namespace"] == ns && i["name"] == name).unwrap().clone()
    };
    let backup = item("shop", "backup-s3-credentials");
    assert_eq!((backup["usedBy"]["pods"].as_u64(), backup["usedBy"]["templates"].as_u64()), (Some(0), Some(1)));
    assert_eq!(item("ceph-csi", "csi-rbd-node")["usedBy"]["persistentVolumes"], 1);
    assert_eq!(item("ceph-csi", "csi-rbd-node")["usedBy"]["storageClasses"], 2);
    assert_eq!(item("shop", "shop-gateway-tls")["usedBy"]["gateways"], 1);
}

/// A user who may not list CronJobs: use is unknown, not unused; --unused says where and exits 2.
#[tokio::test(flavor = "multi_thread")]
async fn unused_says_usage_unknown_where_cron_jobs_cannot_be_listed() {
    let c = cluster().await;
    let out = c.list(&["--context", "keyhole-demo-nocronjobs", "--unused", "-A"]).await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("usage unknown for") && err.contains("cannot list CronJobs in shop"), "{err}");
    assert!(row(&stdout(&out), "backup-s3-credentials").is_none());
    assert!(!stdout(&out).contains("UNUSED"), "nothing is proven unused:\n{}", stdout(&out));
    // The table says ? where use is unknown.
    let out = c.list(&["--context", "keyhole-demo-nocronjobs", "-n", "shop"]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(row(&stdout(&out), "backup-s3-credentials").unwrap().last(), Some(&"?"));
}

/// Managed Secrets (docs/owners.md): MANAGED in -o wide, and in JSON the flag and `managedBy`,
/// with what an edit and a delete do and the fields that say so. The demo's token Secret, and a
/// Secret shaped as Helm deploys it, created for the test.
#[tokio::test(flavor = "multi_thread")]
async fn managed_secrets_are_flagged_and_json_says_by_whom() {
    let c = cluster().await;
    let api: kube::Api<k8s_openapi::api::core::v1::Secret> =
        kube::Api::namespaced(c.server.client("admin").await.unwrap(), "default");
    let chart: k8s_openapi::api::core::v1::Secret = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "cart-db", "namespace": "default",
            "labels": {"app.kubernetes.io/managed-by": "Helm"},
            "annotations": {"meta.helm.sh/release-name": "cart", "meta.helm.sh/release-namespace": "default"}},
        "stringData": {"password": "helm-chart-value"}
    }))
    .unwrap();
    api.create(&Default::default(), &chart).await.unwrap();
    let out = c.list(&["-o", "wide"]).await;
    let table = stdout(&out);
    assert_eq!(row(&table, "secret-sa-sample").unwrap().last(), Some(&"MANAGED:token-controller"));
    assert_eq!(row(&table, "cart-db").unwrap().last(), Some(&"MANAGED:helm,UNUSED"));
    let out = c.list(&["-o", "json"]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(!stdout(&out).contains("helm-chart-value"));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let item = |name: &str| doc["items"].as_array().unwrap().iter().find(|i| i["name"] == name).unwrap().clone();
    let cart = item("cart-db");
    assert_eq!(cart["flags"], serde_json::json!(["MANAGED", "UNUSED"]));
    let by = &cart["managedBy"][0];
    assert_eq!(
        (by["manager"].as_str(), by["kind"].as_str(), by["name"].as_str()),
        (Some("helm"), Some("release"), Some("cart"))
    );
    assert_eq!(by["asks"], true);
    assert_eq!(
        by["summary"],
        "Helm release cart deployed it: the next helm upgrade or rollback puts the chart's version back"
    );
    assert!(by["onDelete"].as_str().unwrap().contains("next helm upgrade creates it again"));
    assert_eq!(by["from"], serde_json::json!(["annotations meta.helm.sh/release-name, release-namespace"]));
    let token = item("secret-sa-sample");
    assert_eq!(token["managedBy"][0]["kind"], "ServiceAccount");
    assert_eq!(token["managedBy"][0]["name"], "build-robot");
    assert!(item("mysecret").get("managedBy").is_none(), "nothing manages it: no managedBy");
}

/// The demo's Secrets that controllers write (issue 14's cases): each flagged with its manager,
/// the Certificate and the ExternalSecret read through discovery named in `from`.
#[tokio::test(flavor = "multi_thread")]
async fn the_demos_controller_written_secrets_are_managed_in_json_and_wide() {
    let c = cluster().await;
    let out = c.list(&["-A", "-o", "json"]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let item = |ns: &str, name: &str| {
        doc["items"].as_array().unwrap().iter().find(|i| i["namespace"] == ns && i["name"] == name).unwrap().clone()
    };
    let tls = item("shop", "shop-gateway-tls");
    assert!(tls["flags"].as_array().unwrap().contains(&Value::from("MANAGED")));
    assert_eq!(tls["managedBy"][0]["manager"], "cert-manager");
    assert_eq!(tls["managedBy"][0]["kind"], "Certificate");
    assert_eq!(tls["managedBy"][0]["name"], "shop-gateway");
    assert_eq!(
        tls["managedBy"][0]["from"],
        serde_json::json!(["annotation cert-manager.io/certificate-name", "Certificate spec.secretName"])
    );
    let eso = item("shop", "payments-api-credentials");
    assert_eq!(eso["managedBy"][0]["name"], "payments-api");
    assert!(eso["managedBy"][0]["from"].as_array().unwrap().contains(&Value::from("ExternalSecret spec.target.name")));
    assert_eq!(item("shop", "smtp-credentials")["managedBy"][0]["manager"], "sealed-secrets");
    assert_eq!(item("argocd", "repo-shop-manifests")["managedBy"][0]["manager"], "argocd");
    assert!(!item("argocd", "repo-shop-manifests")["flags"].as_array().unwrap().contains(&Value::from("UNUSED")));
    assert!(!stderr(&out).contains("cannot tell from"), "every kind could be read: {}", stderr(&out));
    let out = c.list(&["-n", "shop", "-o", "wide"]).await;
    let table = stdout(&out);
    let flags = |name: &str| row(&table, name).unwrap().last().unwrap().to_string();
    assert!(flags("shop-gateway-tls").contains("MANAGED:cert-manager"), "{table}");
    assert!(flags("payments-api-credentials").contains("MANAGED:external-secrets"), "{table}");
    assert!(flags("shop-frontend-session").contains("MANAGED:helm"), "{table}");
}
