//! Managed Secrets through the app, against the embedded cluster: the list flags them, the
//! Secret screen names the manager and what becomes of an edit, and editing or deleting asks
//! first, naming it (issue 14, item 2; docs/owners.md).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::app::App;
use crossterm::event::{KeyCode, KeyModifiers};
use k8s_openapi::api::core::v1::Secret as K8sSecret;
use keyhole::app::state::{ConfirmKind, Modal, Options, Phase};
use keyhole::list::flags::Flag;
use kube::api::{Api, PostParams};

fn confirm(app: &App) -> Option<(ConfirmKind, String, Vec<String>)> {
    match &app.state().modal {
        Some(Modal::Confirm(c)) => Some((c.kind.clone(), c.title.clone(), c.lines.clone())),
        _ => None,
    }
}

fn flags_of(app: &App, ns: &str, name: &str) -> Vec<Flag> {
    let s = app.state();
    s.rows.get(&(ns.to_string(), name.to_string())).map(|r| s.flags(r)).unwrap_or_default()
}

#[tokio::test]
async fn a_service_account_token_names_the_token_controller_and_asks_before_edit_and_delete() {
    let mut app = App::start("admin", None, Options::default()).await;
    app.loaded().await;
    assert_eq!(
        flags_of(&app, "default", "secret-sa-sample"),
        [Flag::Managed(vec!["token-controller".into()])],
        "the list flags it"
    );
    app.open("secret-sa-sample").await;
    let screen = app.screen(160, 48).await;
    assert!(
        screen.contains(
            "Managed: the token controller (ServiceAccount build-robot) fills it: it rewrites ca.crt, and a token that is emptied or removed"
        ),
        "{screen}"
    );
    // An edit asks first, naming the manager; no leaves the Secret as it was.
    app.press(KeyCode::Char('a')).await;
    let (kind, title, _) = confirm(&app).expect("asked");
    assert!(matches!(kind, ConfirmKind::EditManaged { .. }));
    assert_eq!(title, "Edit secret-sa-sample? It is managed by the token controller (ServiceAccount build-robot)");
    let screen = app.screen(160, 48).await;
    assert!(screen.contains("It is managed by the token controller"), "the dialog is drawn:\n{screen}");
    app.press(KeyCode::Char('n')).await;
    assert!(app.state().modal.is_none() && app.state().detail.as_ref().unwrap().draft.is_none());
    // The delete dialog says what becomes of the tokens.
    app.press_with(KeyCode::Char('D'), KeyModifiers::SHIFT).await;
    let (kind, title, lines) = confirm(&app).expect("asked");
    assert!(matches!(kind, ConfirmKind::Delete { .. }));
    assert!(title.contains("It is managed by the token controller"), "{title}");
    assert!(lines.iter().any(|l| l.contains("tokens taken from it stop working at once")), "{lines:?}");
    app.press(KeyCode::Char('n')).await;
    assert!(app.state().detail.is_some());
}

/// A TLS Secret as cert-manager writes it: its labels and annotations name the Certificate.
fn cert_manager_secret(name: &str) -> K8sSecret {
    serde_json::from_value(serde_json::json!({
        "metadata": {"name": name, "namespace": "default",
            "labels": {"controller.cert-manager.io/fao": "true"},
            "annotations": {"cert-manager.io/certificate-name": "web-cert", "cert-manager.io/issuer-name": "demo-ca",
                            "cert-manager.io/issuer-kind": "ClusterIssuer", "cert-manager.io/issuer-group": "cert-manager.io"}},
        "type": "Opaque",
        "stringData": {"note": "not a certificate: the metadata is what counts here"}
    }))
    .unwrap()
}

#[tokio::test]
async fn a_secret_cert_manager_writes_is_flagged_and_edited_or_deleted_only_after_a_yes() {
    let mut app = App::start("admin", None, Options::default()).await;
    app.loaded().await;
    let api: Api<K8sSecret> = Api::namespaced(app.server.client("admin").await.unwrap(), "default");
    api.create(&PostParams::default(), &cert_manager_secret("web-tls")).await.unwrap();
    app.until("the watch brings it, flagged", |s| {
        s.rows.get(&("default".into(), "web-tls".into())).is_some_and(|r| !s.owners(r).is_empty())
    })
    .await;
    assert_eq!(flags_of(&app, "default", "web-tls"), [Flag::Managed(vec!["cert-manager".into()]), Flag::Unused]);
    app.open("web-tls").await;
    let screen = app.screen(160, 48).await;
    assert!(
        screen.contains("Managed: cert-manager Certificate web-cert re-issues it: your edit will be replaced"),
        "{screen}"
    );
    // The Details tab says which fields said so.
    app.press(KeyCode::Char('3')).await;
    let screen = app.screen(160, 60).await;
    assert!(
        screen.contains("Managed by") && screen.contains("annotation cert-manager.io/certificate-name"),
        "{screen}"
    );
    app.press(KeyCode::Char('1')).await;

    // Edit: asked once, then the editor; the review says it again; the apply goes through.
    app.press(KeyCode::Char('e')).await;
    let (_, title, lines) = confirm(&app).expect("asked");
    assert_eq!(title, "Edit web-tls? It is managed by cert-manager Certificate web-cert");
    assert!(lines[0].contains("your edit will be replaced"), "{lines:?}");
    app.press(KeyCode::Char('y')).await;
    assert!(matches!(app.state().modal, Some(Modal::Editor(_))), "yes opens the editor");
    app.type_text("!").await;
    app.press_with(KeyCode::Char('s'), KeyModifiers::CONTROL).await;
    app.press_with(KeyCode::Char('A'), KeyModifiers::SHIFT).await;
    let screen = app.screen(160, 48).await;
    assert!(
        screen.contains("Managed: cert-manager Certificate web-cert re-issues it"),
        "the review says it:\n{screen}"
    );
    app.press(KeyCode::Enter).await;
    app.until("the dry run is done", |s| matches!(&s.modal, Some(Modal::Review(r)) if r.phase != Phase::DryRunning))
        .await;
    app.press(KeyCode::Enter).await;
    app.until("applied", |s| s.modal.is_none()).await;
    let note = api.get("web-tls").await.unwrap().data.unwrap()["note"].0.clone();
    assert!(note.contains(&b'!'), "the edit was applied after the yes");

    // Delete: the dialog names the Certificate and what it does; yes deletes.
    app.press_with(KeyCode::Char('D'), KeyModifiers::SHIFT).await;
    let (_, title, lines) = confirm(&app).expect("asked");
    assert_eq!(title, "Delete web-tls? It is managed by cert-manager Certificate web-cert");
    assert!(
        lines.iter().any(|l| l.contains("issues a new certificate and private key into a Secret of this name")),
        "{lines:?}"
    );
    app.press(KeyCode::Char('y')).await;
    app.until("deleted", |s| s.detail.is_none()).await;
    assert!(api.get_opt("web-tls").await.unwrap().is_none());
}

#[tokio::test]
async fn redact_still_masks_every_value_of_a_managed_secret() {
    let mut app = App::start("admin", None, Options { redact: true, ..Options::default() }).await;
    app.loaded().await;
    app.open("secret-sa-sample").await;
    app.press(KeyCode::Char('V')).await;
    for tab in ['1', '3'] {
        app.press(KeyCode::Char(tab)).await;
        let screen = app.screen(160, 60).await;
        assert!(screen.contains("Managed: the token controller"), "{screen}");
        assert!(!screen.contains("eyJhbGciOiJSUzI1NiIs") && !screen.contains("-----BEGIN"), "{screen}");
    }
}
