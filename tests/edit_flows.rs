//! Editing, creating and deleting Secrets through the app, against the embedded cluster:
//! validate, review, dry run, apply with the resourceVersion precondition, conflicts.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::app::App;
use crossterm::event::{KeyCode, KeyModifiers};
use k8s_openapi::api::core::v1::Secret as K8sSecret;
use keyhole::app::state::{Modal, Options, Phase};
use keyhole::runtime::Input;
use kube::api::{Api, Patch, PatchParams};

async fn api(app: &App, ns: &str) -> Api<K8sSecret> {
    Api::namespaced(app.server.client("admin").await.unwrap(), ns)
}

async fn value(app: &App, ns: &str, name: &str, key: &str) -> Option<Vec<u8>> {
    let s = api(app, ns).await.get(name).await.unwrap();
    s.data.and_then(|d| d.get(key).map(|v| v.0.clone()))
}

fn select_key(app: &mut App, key: &str) {
    let d = app.driver.state.detail.as_mut().unwrap();
    d.selected_key = d.keys().iter().position(|k| *k == key).expect("key exists");
}

async fn ctrl(app: &mut App, c: char) {
    app.press_with(KeyCode::Char(c), KeyModifiers::CONTROL).await;
}

/// Replaces the editor's content with `text` and keeps it.
async fn replace_value(app: &mut App, text: &str) {
    if let Some(Modal::Editor(e)) = &mut app.driver.state.modal {
        e.area.clear();
    }
    app.type_text(text).await;
    ctrl(app, 's').await;
}

fn phase(app: &App) -> Option<Phase> {
    match &app.driver.state.modal {
        Some(Modal::Review(r)) => Some(r.phase.clone()),
        _ => None,
    }
}

/// Review, dry run, apply, and wait for the result.
async fn apply(app: &mut App) {
    apply_choosing(app, 0).await;
}

/// The same, pressing `a` this many times in the review first (what the apply does with
/// kubectl's last-applied annotation: remove, update, keep).
async fn apply_choosing(app: &mut App, presses: usize) {
    app.press_with(KeyCode::Char('A'), KeyModifiers::SHIFT).await;
    assert!(phase(app).is_some(), "the review opens");
    for _ in 0..presses {
        app.press(KeyCode::Char('a')).await;
    }
    app.press(KeyCode::Char('y')).await;
    app.press(KeyCode::Enter).await;
    app.until("the dry run is done", |s| !matches!(&s.modal, Some(Modal::Review(r)) if r.phase == Phase::DryRunning))
        .await;
    assert!(
        matches!(phase(app), Some(Phase::DryRunOk { .. })),
        "dry run ok: {:?}\n{}",
        phase(app),
        app.screen(160, 48).await
    );
    app.press(KeyCode::Enter).await;
    app.until("applied", |s| s.modal.is_none() || matches!(s.modal, Some(Modal::Restart(_)))).await;
    // Workloads that read a changed key at start are offered a restart: not this test's business.
    if matches!(app.state().modal, Some(Modal::Restart(_))) {
        app.press(KeyCode::Esc).await;
    }
}

#[tokio::test]
async fn edit_a_value_apply_and_read_it_back() {
    let mut app = App::start("admin", None, Options::default()).await;
    app.loaded().await;
    app.open("mysecret").await;
    select_key(&mut app, "password");
    app.press(KeyCode::Char('e')).await;
    assert!(matches!(app.driver.state.modal, Some(Modal::Editor(_))));
    let screen = app.screen(160, 48).await;
    assert!(!screen.contains("1f2d1e2e67df"), "the editor masks the value:\n{screen}");
    replace_value(&mut app, "n3w-passw0rd").await;
    assert!(app.driver.state.detail.as_ref().unwrap().is_dirty());
    let screen = app.screen(160, 48).await;
    assert!(screen.contains("EDITED: 1 change"), "{screen}");
    app.press_with(KeyCode::Char('A'), KeyModifiers::SHIFT).await;
    let review = app.screen(160, 48).await;
    assert!(review.contains("~ password") && review.contains("12 B → 12 B"), "{review}");
    assert!(review.contains("RESTART NEEDED"), "env consumers need a restart:\n{review}");
    assert!(review.contains("precondition resourceVersion"), "{review}");
    app.press(KeyCode::Esc).await;
    apply(&mut app).await;
    assert_eq!(value(&app, "default", "mysecret", "password").await.unwrap(), b"n3w-passw0rd");
    assert!(!app.driver.state.detail.as_ref().unwrap().is_dirty());
}

#[tokio::test]
async fn binary_values_are_edited_as_hex_byte_for_byte() {
    let mut app = App::start("admin", None, Options::default()).await;
    app.loaded().await;
    app.open("binary-truststore").await;
    app.press(KeyCode::Char('e')).await;
    match &app.driver.state.modal {
        Some(Modal::Editor(e)) => assert_eq!(e.format.label(), "hex"),
        other => panic!("expected the editor, got {other:?}"),
    }
    replace_value(&mut app, "de ad be ef 00 ff 0a 0d").await;
    apply(&mut app).await;
    assert_eq!(
        value(&app, "default", "binary-truststore", "truststore.der").await.unwrap(),
        vec![0xde, 0xad, 0xbe, 0xef, 0x00, 0xff, 0x0a, 0x0d]
    );
}

#[tokio::test]
async fn add_rename_delete_generate_and_load_keys() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ca.pem");
    std::fs::write(&file, include_bytes!("../assets/pki/ca.crt")).unwrap();
    let mut app = App::start("admin", None, Options::default()).await;
    app.loaded().await;
    app.open("prod-db-secret").await;
    // Add a key: names are checked as they are typed.
    app.press(KeyCode::Char('a')).await;
    app.type_text("bad key").await;
    match &app.driver.state.modal {
        Some(Modal::Prompt(p)) => assert!(p.error.as_ref().unwrap().contains("a valid config key")),
        other => panic!("{other:?}"),
    }
    for _ in 0..7 {
        app.press(KeyCode::Backspace).await;
    }
    app.type_text("api-token").await;
    app.press(KeyCode::Enter).await;
    replace_value(&mut app, "tok").await;
    // Generate a random value for it.
    select_key(&mut app, "api-token");
    app.press(KeyCode::Char('g')).await;
    app.press(KeyCode::Backspace).await;
    app.press(KeyCode::Backspace).await;
    app.type_text("24").await;
    app.press(KeyCode::Enter).await;
    // Rename username, delete password, load ca.crt from a file.
    select_key(&mut app, "username");
    app.press(KeyCode::Char('r')).await;
    for _ in 0.."username".len() {
        app.press(KeyCode::Backspace).await;
    }
    app.type_text("user").await;
    app.press(KeyCode::Enter).await;
    select_key(&mut app, "password");
    app.press(KeyCode::Char('x')).await;
    app.press(KeyCode::Char('a')).await;
    app.type_text("ca.crt").await;
    app.press(KeyCode::Enter).await;
    ctrl(&mut app, 's').await;
    select_key(&mut app, "ca.crt");
    app.press(KeyCode::Char('f')).await;
    app.type_text(&file.display().to_string()).await;
    app.press(KeyCode::Enter).await;
    app.until("the file is loaded", |s| {
        s.detail.as_ref().and_then(|d| d.shown()).and_then(|x| x.get("ca.crt")).is_some_and(|v| !v.is_empty())
    })
    .await;
    apply(&mut app).await;
    let s = api(&app, "default").await.get("prod-db-secret").await.unwrap();
    let data = s.data.unwrap();
    let keys: Vec<&String> = data.keys().collect();
    assert_eq!(keys, ["api-token", "ca.crt", "user"]);
    assert_eq!(data["api-token"].0.len(), 24);
    assert_eq!(data["user"].0, b"produser");
    assert_eq!(data["ca.crt"].0, include_bytes!("../assets/pki/ca.crt"));
}

/// A PEM block pasted into a new key, as a terminal delivers a bracketed paste (line breaks as
/// CR), is applied byte for byte: LF line breaks and the final newline, as in the file.
#[tokio::test]
async fn a_pasted_pem_block_is_applied_byte_for_byte() {
    let pem = include_str!("../assets/pki/ca.crt");
    let mut app = App::start("admin", None, Options::default()).await;
    app.loaded().await;
    app.open("prod-db-secret").await;
    app.press(KeyCode::Char('a')).await;
    app.type_text("ca.crt").await;
    app.press(KeyCode::Enter).await;
    assert!(matches!(app.driver.state.modal, Some(Modal::Editor(_))), "the new key's value is edited");
    app.send(Input::Paste(pem.replace('\n', "\r"))).await;
    let screen = app.screen(160, 48).await;
    let lines = pem.lines().count() + 1;
    assert!(screen.contains(&format!("Ln {lines}/{lines}, Col 1 · {} bytes", pem.len())), "{screen}");
    assert!(!screen.contains("BEGIN CERTIFICATE"), "masked while pasted:\n{screen}");
    // One undo step takes the whole paste back, and redo puts it again.
    app.press_with(KeyCode::Char('7'), KeyModifiers::CONTROL).await;
    assert!(app.screen(160, 48).await.contains("Ln 1/1, Col 1 · 0 bytes"));
    app.press_with(KeyCode::Char('r'), KeyModifiers::CONTROL).await;
    ctrl(&mut app, 's').await;
    apply(&mut app).await;
    assert_eq!(value(&app, "default", "prod-db-secret", "ca.crt").await.unwrap(), pem.as_bytes());
}

#[tokio::test]
async fn create_each_built_in_type() {
    let mut app = App::start("admin", None, Options::default()).await;
    app.loaded().await;
    let types = [
        ("Opaque", "new-opaque", vec![("password", "pw")]),
        ("basic-auth", "new-basic", vec![("password", "pw")]),
        ("ssh-auth", "new-ssh", vec![("ssh-privatekey", "-----BEGIN OPENSSH PRIVATE KEY-----")]),
        ("tls", "new-tls", vec![]),
        ("dockerconfigjson", "new-docker", vec![]),
        ("dockercfg", "new-dockercfg", vec![]),
        ("service-account-token", "new-sa-token", vec![]),
        ("bootstrap", "", vec![]),
        ("custom", "new-custom", vec![]),
    ];
    for (ty, name, values) in types {
        app.press_with(KeyCode::Char('N'), KeyModifiers::SHIFT).await;
        app.type_text(ty).await;
        app.press(KeyCode::Enter).await;
        if ty == "custom" {
            app.type_text("example.com/api-key").await;
            app.press(KeyCode::Enter).await;
        }
        if !name.is_empty() {
            app.type_text(name).await;
        }
        app.press(KeyCode::Enter).await;
        let created = app.driver.state.detail.as_ref().unwrap().name.clone();
        // kubectl's generators: the registry fields, and the TLS files.
        if ty == "dockerconfigjson" {
            for field in ["my-registry.example:5000", "tiger", "pass113", "tiger@acme.com"] {
                app.type_text(field).await;
                app.press(KeyCode::Enter).await;
            }
        }
        if ty == "tls" {
            for file in ["example.com.crt", "example.com.key"] {
                app.type_text(&format!("{}/assets/pki/{file}", env!("CARGO_MANIFEST_DIR"))).await;
                app.press(KeyCode::Enter).await;
            }
            app.until("both files loaded", |s| {
                let w = s.detail.as_ref().and_then(|d| d.shown());
                w.is_some_and(|w| !w.get("tls.crt").unwrap().is_empty() && !w.get("tls.key").unwrap().is_empty())
            })
            .await;
        }
        for (k, v) in values {
            select_key(&mut app, k);
            app.press(KeyCode::Char('e')).await;
            replace_value(&mut app, v).await;
        }
        apply(&mut app).await;
        let s = api(&app, "default").await.get(&created).await.unwrap_or_else(|e| panic!("{ty}: {e}"));
        let want = match ty {
            "Opaque" => "Opaque".to_string(),
            "bootstrap" => "bootstrap.kubernetes.io/token".to_string(),
            "custom" => "example.com/api-key".to_string(),
            t => format!("kubernetes.io/{t}"),
        };
        assert_eq!(s.type_.as_deref(), Some(want.as_str()), "{ty}");
        if ty == "dockerconfigjson" {
            // The same JSON `kubectl create secret docker-registry` writes (the docs' example).
            let json: serde_json::Value =
                serde_json::from_slice(&s.data.as_ref().unwrap()[".dockerconfigjson"].0).unwrap();
            let entry = &json["auths"]["my-registry.example:5000"];
            assert_eq!(entry["auth"], "dGlnZXI6cGFzczExMw==");
            assert_eq!(entry["email"], "tiger@acme.com");
        }
        if ty == "tls" {
            assert_eq!(s.data.as_ref().unwrap()["tls.crt"].0, include_bytes!("../assets/pki/example.com.crt"));
        }
        app.press(KeyCode::Esc).await;
    }
}

#[tokio::test]
async fn a_concurrent_change_ends_in_the_conflict_screen_and_a_rebase() {
    let mut app = App::start("admin", None, Options::default()).await;
    app.loaded().await;
    app.open("mysecret").await;
    select_key(&mut app, "password");
    app.press(KeyCode::Char('e')).await;
    replace_value(&mut app, "mine").await;
    // Someone else changes the Secret meanwhile.
    let patch = serde_json::json!({"stringData": {"password": "theirs", "username": "root"}});
    api(&app, "default").await.patch("mysecret", &PatchParams::default(), &Patch::Merge(&patch)).await.unwrap();
    app.press_with(KeyCode::Char('A'), KeyModifiers::SHIFT).await;
    app.press(KeyCode::Char('y')).await;
    app.press(KeyCode::Enter).await;
    app.until("the conflict screen", |s| matches!(s.modal, Some(Modal::Conflict(_)))).await;
    let screen = app.screen(160, 48).await;
    assert!(
        screen.contains("Someone changed this Secret")
            && screen.contains("password")
            && screen.contains("and so did you"),
        "{screen}"
    );
    assert_eq!(
        app.driver.state.detail.as_ref().unwrap().shown().unwrap().get("password").unwrap().as_bytes(),
        b"mine",
        "edits intact"
    );
    // Keep mine for password (the default for keys both changed); theirs for username.
    app.press(KeyCode::Enter).await;
    assert!(matches!(app.driver.state.modal, Some(Modal::Review(_))));
    app.press(KeyCode::Esc).await;
    apply(&mut app).await;
    assert_eq!(value(&app, "default", "mysecret", "password").await.unwrap(), b"mine");
    assert_eq!(value(&app, "default", "mysecret", "username").await.unwrap(), b"root", "their change survives");
}

#[tokio::test]
async fn immutable_secrets_refuse_edits_and_can_be_cloned() {
    let mut app = App::start("admin", None, Options::default()).await;
    app.loaded().await;
    app.open("app-config-v1").await;
    app.press(KeyCode::Char('e')).await;
    assert!(app.driver.state.modal.is_none());
    assert!(app.driver.state.flash.as_ref().unwrap().text.contains("immutable"));
    app.press_with(KeyCode::Char('C'), KeyModifiers::SHIFT).await;
    app.press(KeyCode::Enter).await;
    select_key(&mut app, "API_URL");
    app.press(KeyCode::Char('e')).await;
    replace_value(&mut app, "https://api.example.com/v2").await;
    apply(&mut app).await;
    let copy = api(&app, "default").await.get("app-config-v1-copy").await.unwrap();
    assert_eq!(copy.immutable, None);
    assert_eq!(copy.data.unwrap()["API_URL"].0, b"https://api.example.com/v2");
    // Making a Secret immutable asks first.
    app.press(KeyCode::Char('i')).await;
    assert!(matches!(app.driver.state.modal, Some(Modal::Confirm(_))));
    assert!(app.screen(160, 48).await.contains("cannot be undone"));
    app.press(KeyCode::Char('y')).await;
    apply(&mut app).await;
    assert_eq!(api(&app, "default").await.get("app-config-v1-copy").await.unwrap().immutable, Some(true));
}

#[tokio::test]
async fn a_dry_run_rejection_is_shown_and_the_edits_stay() {
    let mut app = App::start("admin", None, Options::default()).await;
    app.loaded().await;
    // Creating under a name that exists: only the server knows; the dry run says so.
    app.press_with(KeyCode::Char('N'), KeyModifiers::SHIFT).await;
    app.type_text("Opaque").await;
    app.press(KeyCode::Enter).await;
    app.type_text("mysecret").await;
    app.press(KeyCode::Enter).await;
    app.press_with(KeyCode::Char('A'), KeyModifiers::SHIFT).await;
    app.press(KeyCode::Enter).await;
    app.until(
        "the dry run failed",
        |s| matches!(&s.modal, Some(Modal::Review(r)) if matches!(r.phase, Phase::Failed { .. })),
    )
    .await;
    let screen = app.screen(160, 48).await;
    assert!(screen.contains("secrets \"mysecret\" already exists") && screen.contains("edits are kept"), "{screen}");
    assert!(app.driver.state.detail.as_ref().unwrap().draft.is_some());
}

#[tokio::test]
async fn the_read_only_user_gets_the_real_403_and_keeps_the_edits() {
    let mut app = App::start("viewer", None, Options::default()).await;
    app.loaded().await;
    app.open("mysecret").await;
    select_key(&mut app, "password");
    app.press(KeyCode::Char('e')).await;
    replace_value(&mut app, "nope").await;
    app.press_with(KeyCode::Char('A'), KeyModifiers::SHIFT).await;
    app.press(KeyCode::Enter).await;
    app.until("refused", |s| matches!(&s.modal, Some(Modal::Review(r)) if matches!(r.phase, Phase::Failed { .. })))
        .await;
    let screen = app.screen(200, 48).await;
    assert!(screen.contains("User \"viewer\" cannot update resource \"secrets\""), "{screen}");
    assert!(app.driver.state.detail.as_ref().unwrap().is_dirty());
}

#[tokio::test]
async fn network_loss_during_apply_keeps_the_edits() {
    let mut app = App::start("admin", None, Options::default()).await;
    app.loaded().await;
    app.open("mysecret").await;
    select_key(&mut app, "password");
    app.press(KeyCode::Char('e')).await;
    replace_value(&mut app, "offline-edit").await;
    app.press_with(KeyCode::Char('A'), KeyModifiers::SHIFT).await;
    // The cluster goes away before the user presses Enter.
    let server = std::mem::replace(&mut app.server, common::empty().await);
    server.shutdown().await;
    app.press(KeyCode::Enter).await;
    app.until(
        "the write failed",
        |s| matches!(&s.modal, Some(Modal::Review(r)) if matches!(r.phase, Phase::Failed { .. })),
    )
    .await;
    let screen = app.screen(160, 48).await;
    assert!(screen.contains("did not answer") && screen.contains("edits are kept"), "{screen}");
    let d = app.driver.state.detail.as_ref().unwrap();
    assert_eq!(d.shown().unwrap().get("password").unwrap().as_bytes(), b"offline-edit");
}

#[tokio::test]
async fn quitting_with_edits_asks_first_and_readonly_removes_writes() {
    let mut app = App::start("admin", None, Options::default()).await;
    app.loaded().await;
    app.open("mysecret").await;
    select_key(&mut app, "username");
    app.press(KeyCode::Char('e')).await;
    replace_value(&mut app, "changed").await;
    app.press(KeyCode::Char('q')).await;
    assert!(matches!(app.driver.state.modal, Some(Modal::Confirm(_))), "back asks first");
    app.press(KeyCode::Char('n')).await;
    app.press_with(KeyCode::Char('c'), KeyModifiers::CONTROL).await;
    assert!(!app.driver.state.quit && matches!(app.driver.state.modal, Some(Modal::Confirm(_))), "quit asks first");
    app.press(KeyCode::Char('y')).await;
    assert!(app.driver.state.quit);

    let mut ro = App::start("admin", None, Options { readonly: true, ..Options::default() }).await;
    ro.loaded().await;
    ro.open("mysecret").await;
    for k in ['e', 'a', 'x', 'D', 'A'] {
        ro.press(KeyCode::Char(k)).await;
        assert!(ro.driver.state.modal.is_none(), "{k} is not available with --readonly");
    }
    assert!(ro.driver.state.flash.as_ref().unwrap().text.contains("--readonly"));
}

#[tokio::test]
async fn delete_lists_what_would_break_and_asks() {
    let mut app = App::start("admin", None, Options::default()).await;
    app.loaded().await;
    app.open("mysecret").await;
    app.press_with(KeyCode::Char('D'), KeyModifiers::SHIFT).await;
    let screen = app.screen(180, 48).await;
    // The documentation's secret-env-pod runs under the Deployment secret-env.
    assert!(screen.contains("These would break") && screen.contains("Deployment secret-env"), "{screen}");
    app.press(KeyCode::Char('y')).await;
    app.until("deleted", |s| s.detail.is_none()).await;
    assert!(api(&app, "default").await.get_opt("mysecret").await.unwrap().is_none());
    app.until("gone from the list", |s| s.rows.keys().all(|(_, n)| n != "mysecret")).await;
}

#[tokio::test]
async fn redact_masks_the_editor() {
    let mut app = App::start("admin", None, Options { redact: true, ..Options::default() }).await;
    app.loaded().await;
    app.open("mysecret").await;
    select_key(&mut app, "password");
    app.press(KeyCode::Char('e')).await;
    ctrl(&mut app, 't').await;
    assert!(app.screen(160, 48).await.contains("--redact"));
    app.type_text("typed-secret").await;
    let screen = app.screen(160, 48).await;
    assert!(!screen.contains("typed-secret") && !screen.contains("1f2d1e2e67df"), "{screen}");
}

#[tokio::test]
async fn labels_and_annotations_are_edited_as_text() {
    let mut app = App::start("admin", None, Options::default()).await;
    app.loaded().await;
    app.open("mysecret").await;
    app.press(KeyCode::Char('m')).await;
    let screen = app.screen(160, 48).await;
    assert!(screen.contains("app.kubernetes.io/part-of=docs-examples"), "{screen}");
    let Some(Modal::Editor(e)) = &app.driver.state.modal else { panic!("the editor is open") };
    assert!(
        !e.area.lines().iter().any(|l| l.contains("last-applied")),
        "kubectl's annotation is not offered:\n{screen}"
    );
    if let Some(Modal::Editor(e)) = &mut app.driver.state.modal {
        e.area.end();
        e.area.down();
        e.area.end();
    }
    // After the labels header and the one label: a new label line.
    app.press(KeyCode::Up).await;
    app.press(KeyCode::End).await;
    app.press(KeyCode::Enter).await;
    app.type_text("team=payments").await;
    ctrl(&mut app, 's').await;
    // Carried over by the editor; kept because the review is told to keep it (remove is the
    // default: tests/plaintext_copy.rs).
    apply_choosing(&mut app, 2).await;
    let s = api(&app, "default").await.get("mysecret").await.unwrap();
    assert_eq!(s.metadata.labels.unwrap()["team"], "payments");
    assert!(s.metadata.annotations.unwrap().contains_key("kubectl.kubernetes.io/last-applied-configuration"), "kept");
}
