//! kubectl's plaintext copy of values in the last-applied annotation, through the app's real
//! loop against the embedded cluster: the PLAINTEXT-COPY flag, the Secret screen naming the
//! keys (never the values) and saying whether the copy is stale, and the review's choice
//! (remove by default, update, keep) going into the apply. Where kubectl is installed, a Secret
//! made by `kubectl apply -f` of a stringData manifest is rotated through keyhole with each
//! choice, and `kubectl get -o json` is searched for the old value; then the next
//! `kubectl apply` behaves as docs/plaintext-copies.md says.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use base64::Engine as _;
use common::app::App;
use crossterm::event::{KeyCode, KeyModifiers};
use k8s_openapi::api::core::v1::Secret as K8sSecret;
use keyhole::app::state::{Modal, Options, Phase};
use keyhole::list::flags::Flag;
use kube::api::Api;

const ANNOTATION: &str = "kubectl.kubernetes.io/last-applied-configuration";

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn flags_of(app: &App, ns: &str, name: &str) -> Vec<Flag> {
    let s = app.state();
    s.rows.get(&(ns.to_string(), name.to_string())).map(|r| s.flags(r)).unwrap_or_default()
}

fn has_copy_flag(app: &App, ns: &str, name: &str) -> bool {
    flags_of(app, ns, name).iter().any(|f| matches!(f, Flag::PlaintextCopy { .. }))
}

fn phase(app: &App) -> Option<Phase> {
    match &app.state().modal {
        Some(Modal::Review(r)) => Some(r.phase.clone()),
        _ => None,
    }
}

/// Sets the selected Secret's `key` to `value` in the value editor, as a person would.
async fn rotate(app: &mut App, key: &str, value: &str) {
    let d = app.state_mut().detail.as_mut().unwrap();
    d.selected_key = d.keys().iter().position(|k| *k == key).expect("the key exists");
    app.press(KeyCode::Char('e')).await;
    if let Some(Modal::Editor(e)) = &mut app.state_mut().modal {
        e.area.clear();
    }
    app.type_text(value).await;
    app.press_with(KeyCode::Char('s'), KeyModifiers::CONTROL).await;
}

/// From the open review: `choices` presses of `a`, the dry run, then the apply.
async fn choose_and_apply(app: &mut App, choices: usize) {
    assert!(phase(app).is_some(), "the review is open");
    for _ in 0..choices {
        app.press(KeyCode::Char('a')).await;
    }
    app.press(KeyCode::Char('y')).await;
    app.press(KeyCode::Enter).await;
    app.until("the dry run is done", |s| !matches!(&s.modal, Some(Modal::Review(r)) if r.phase == Phase::DryRunning))
        .await;
    assert!(matches!(phase(app), Some(Phase::DryRunOk { .. })), "{:?}\n{}", phase(app), app.drawn());
    app.press(KeyCode::Enter).await;
    app.until("applied", |s| s.modal.is_none() || matches!(s.modal, Some(Modal::Restart(_)))).await;
    // Workloads that read a changed key at start are offered a restart: not this test's business.
    if matches!(app.state().modal, Some(Modal::Restart(_))) {
        app.press(KeyCode::Esc).await;
    }
}

#[tokio::test]
async fn the_demos_kubectl_applied_secrets_are_flagged_and_named_without_values() {
    let mut app = App::start("admin", None, Options::default()).await;
    app.loaded().await;
    for name in ["mysecret", "prod-db-secret", "secret-basic-auth", "test-db-secret"] {
        assert!(has_copy_flag(&app, "default", name), "{name}: {:?}", flags_of(&app, "default", name));
    }
    for name in ["empty-secret", "secret-tls", "dotfile-secret"] {
        assert!(!has_copy_flag(&app, "default", name), "{name} was not applied with kubectl");
    }
    let list = app.screen(200, 60).await;
    assert!(list.contains("PLAINTEXT-COPY"), "{list}");

    // mysecret's annotation holds the values it has now (in base64): named, current.
    app.open("mysecret").await;
    let screen = app.screen(160, 48).await;
    assert!(
        screen.contains("Plaintext copy in last-applied annotation: password, username (current values)"),
        "{screen}"
    );
    assert!(!screen.contains("MWYyZDFlMmU2N2Rm") && !screen.contains("1f2d1e2e67df"), "{screen}");
}

#[tokio::test]
async fn a_rotation_says_the_copy_keeps_the_old_value_and_removes_it_by_default() {
    let mut app = App::start("admin", None, Options::default()).await;
    app.loaded().await;
    app.open("prod-db-secret").await;
    rotate(&mut app, "password", "Rotated-9x").await;
    // The Secret screen compares with the stored values: still current until applied.
    assert!(app.screen(160, 48).await.contains("password, username (current values)"));
    app.press_with(KeyCode::Char('A'), KeyModifiers::SHIFT).await;
    // Wide enough that no sentence wraps.
    let review = app.screen(400, 80).await;
    assert!(review.contains("holds a plaintext copy of password, username"), "{review}");
    assert!(review.contains("it would still hold the old values of password"), "{review}");
    assert!(review.contains("▸ remove it (default)"), "{review}");
    assert!(review.contains("missing the kubectl.kubernetes.io/last-applied-configuration annotation"), "{review}");
    for value in ["Y4nys7f11", "WTRueXM3ZjEx", "Rotated-9x"] {
        assert!(!review.contains(value), "a value on the review: {value}\n{review}");
    }
    choose_and_apply(&mut app, 0).await;
    let api: Api<K8sSecret> = Api::namespaced(app.server.client("admin").await.unwrap(), "default");
    let stored = api.get("prod-db-secret").await.unwrap();
    assert!(!stored.metadata.annotations.unwrap_or_default().contains_key(ANNOTATION), "removed in the same write");
    assert_eq!(stored.data.unwrap()["password"].0, b"Rotated-9x");
    app.until("the row has no copy any more", |s| {
        s.rows.get(&("default".to_string(), "prod-db-secret".to_string())).is_some_and(|r| !r.plaintext_copy)
    })
    .await;
    // Nothing to remove any more: the Secret screen says nothing of it.
    assert!(!app.screen(160, 48).await.contains("Plaintext copy"));
}

#[tokio::test]
async fn without_edits_a_review_takes_the_copy_out_alone() {
    let mut app = App::start("admin", None, Options::default()).await;
    app.loaded().await;
    app.open("test-db-secret").await;
    app.press_with(KeyCode::Char('A'), KeyModifiers::SHIFT).await;
    let review = app.screen(400, 80).await;
    assert!(review.contains("the same values as this apply writes"), "{review}");
    choose_and_apply(&mut app, 0).await;
    let api: Api<K8sSecret> = Api::namespaced(app.server.client("admin").await.unwrap(), "default");
    let stored = api.get("test-db-secret").await.unwrap();
    assert!(!stored.metadata.annotations.unwrap_or_default().contains_key(ANNOTATION));
    assert_eq!(stored.data.unwrap()["password"].0, b"iluvtests", "values untouched");
}

// ---- with kubectl ----

fn manifest(name: &str, user: Option<&str>, password: &str) -> String {
    let user = user.map(|u| format!("  username: {u}\n")).unwrap_or_default();
    format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n  namespace: default\ntype: Opaque\nstringData:\n{user}  password: {password}\n"
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn kubectl_applied_then_rotated_in_keyhole_with_each_choice() {
    let kubectl_on_path = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join("kubectl").is_file()));
    if !kubectl_on_path {
        eprintln!("skipping: kubectl not found on PATH");
        return;
    }
    let server = common::demo().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("kubeconfig"), server.kubeconfig()).unwrap();
    let choices = [("copy-remove", 0), ("copy-update", 1), ("copy-keep", 2)];
    let old = |name: &str| format!("Zq7-old-{name}");
    // Applied from stdin: the manifest, values included, is never written to disk.
    let all: Vec<String> = choices.iter().map(|(n, _)| manifest(n, Some("app-user"), &old(n))).collect();
    let (ok, _, err) = common::run_kubectl(dir.path(), &["apply", "-f", "-"], Some(&all.join("---\n"))).await;
    assert!(ok, "{err}");

    let mut app = App::on(server, "admin", None, Options::default()).await;
    app.loaded().await;
    for (name, presses) in choices {
        assert!(has_copy_flag(&app, "default", name), "{name}");
        app.open(name).await;
        rotate(&mut app, "password", &format!("N3w-{name}")).await;
        app.press_with(KeyCode::Char('A'), KeyModifiers::SHIFT).await;
        choose_and_apply(&mut app, presses).await;
        let (ok, json, err) = common::run_kubectl(dir.path(), &["get", "secret", name, "-o", "json"], None).await;
        assert!(ok, "{err}");
        let object: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(object["data"]["password"], b64(&format!("N3w-{name}")), "{name}: rotated");
        let holds_old = json.contains(&old(name)) || json.contains(&b64(&old(name)));
        if name == "copy-keep" {
            // Kept on purpose: the annotation still holds the old value, in plaintext.
            assert!(holds_old, "{name}: kept as it was");
        } else {
            assert!(!holds_old, "{name}: the old value is still in the object:\n{json}");
        }
    }

    // Removed: the next apply warns, and cannot prune what the earlier manifest set (username).
    let (ok, _, err) =
        common::run_kubectl(dir.path(), &["apply", "-f", "-"], Some(&manifest("copy-remove", None, "p3"))).await;
    assert!(ok, "{err}");
    assert!(err.contains("missing the kubectl.kubernetes.io/last-applied-configuration annotation"), "{err}");
    let (_, json, _) = common::run_kubectl(dir.path(), &["get", "secret", "copy-remove", "-o", "json"], None).await;
    let object: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(object["data"].get("username").is_some(), "not pruned without the annotation: {}", object["data"]);

    // Updated: kubectl reads the new object as the last applied one, and merges from it.
    let (ok, last, err) =
        common::run_kubectl(dir.path(), &["apply", "view-last-applied", "secret", "copy-update", "-o", "json"], None)
            .await;
    assert!(ok, "{err}");
    let last: serde_json::Value = serde_json::from_str(&last).unwrap();
    assert_eq!(last["data"]["password"], b64("N3w-copy-update"));
    let (ok, _, err) =
        common::run_kubectl(dir.path(), &["apply", "-f", "-"], Some(&manifest("copy-update", None, "p3"))).await;
    assert!(ok, "{err}");
    assert!(!err.contains("missing the"), "{err}");
    let (_, json, _) = common::run_kubectl(dir.path(), &["get", "secret", "copy-update", "-o", "json"], None).await;
    let object: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(object["data"]["password"], b64("p3"));
    assert!(object["data"].get("username").is_none(), "pruned: the recorded object had it: {}", object["data"]);
}
