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
    app.until("applied", |s| s.modal.is_none() || matches!(s.modal, Some(Modal::Restart(_)))).await;
    // Workloads that read a changed key at start are offered a restart: not this test's business.
    if matches!(app.state().modal, Some(Modal::Restart(_))) {
        app.press(KeyCode::Esc).await;
    }
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

/// The managers of one listed Secret, as the list sees them.
fn managers_of(app: &App, ns: &str, name: &str) -> Vec<keyhole::owners::Owner> {
    let s = app.state();
    s.rows.get(&(ns.to_string(), name.to_string())).map(|r| s.owners(r)).unwrap_or_default()
}

/// Waits until the custom resources' watches have said which Secrets they write.
async fn writers_synced(app: &mut App) {
    app.until("the ExternalSecrets are read", |s| {
        s.rows
            .get(&("shop".into(), "payments-api-credentials".into()))
            .is_some_and(|r| s.owners(r).iter().any(|o| o.from.contains(&"ExternalSecret spec.target.name")))
    })
    .await;
    app.until("the Certificates are read", |s| {
        s.rows
            .get(&("shop".into(), "shop-gateway-tls".into()))
            .is_some_and(|r| s.owners(r).iter().any(|o| o.from.contains(&"Certificate spec.secretName")))
    })
    .await;
}

#[tokio::test]
async fn the_demos_managed_secrets_are_flagged_with_their_managers() {
    let mut app = App::start("admin", Some(keyhole::app::effect::Scope::All), Options::default()).await;
    app.loaded().await;
    writers_synced(&mut app).await;
    let managed = |app: &App, ns: &str, name: &str| -> Vec<String> {
        flags_of(app, ns, name)
            .into_iter()
            .find_map(|f| match f {
                Flag::Managed(by) => Some(by),
                _ => None,
            })
            .unwrap_or_default()
    };
    for (ns, name, by) in [
        ("shop", "shop-gateway-tls", "cert-manager"),
        ("shop", "payments-api-credentials", "external-secrets"),
        ("shop", "smtp-credentials", "sealed-secrets"),
        ("shop", "shop-frontend-session", "helm"),
        ("shop", "sh.helm.release.v1.shop-frontend.v3", "helm-record"),
        ("argocd", "repo-shop-manifests", "argocd"),
        ("shop", "deployer-token-7xk2p", "token-controller"),
    ] {
        assert_eq!(managed(&app, ns, name), [by], "{ns}/{name}");
    }
    assert!(managed(&app, "default", "mysecret").is_empty());
    // Each says what becomes of an edit; the fields of both ways of knowing are kept.
    let summary = |ns: &str, name: &str| managers_of(&app, ns, name)[0].summary();
    assert_eq!(
        summary("shop", "shop-gateway-tls"),
        "cert-manager Certificate shop-gateway re-issues it: your edit will be replaced"
    );
    assert_eq!(
        managers_of(&app, "shop", "shop-gateway-tls")[0].from,
        ["annotation cert-manager.io/certificate-name", "Certificate spec.secretName"]
    );
    assert_eq!(
        summary("shop", "payments-api-credentials"),
        "ExternalSecret payments-api writes it from its secret store: your edit will be replaced"
    );
    assert_eq!(
        managers_of(&app, "shop", "payments-api-credentials")[0].from,
        ["label reconcile.external-secrets.io/managed", "ownerReference", "ExternalSecret spec.target.name"]
    );
    assert!(summary("shop", "smtp-credentials").starts_with("SealedSecret smtp-credentials unseals into it"));
    assert!(summary("shop", "shop-frontend-session").starts_with("Helm release shop-frontend deployed it"));
    assert!(summary("argocd", "repo-shop-manifests").starts_with("Argo CD reads it as a repository's credentials"));
    // Argo CD reads its repositories: in use, though no Pod names it.
    assert!(!flags_of(&app, "argocd", "repo-shop-manifests").contains(&Flag::Unused));
    assert!(app.state().writers.refused().next().is_none(), "the admin may read them all");
}

#[tokio::test]
async fn the_demos_certificate_secret_asks_before_edit_and_delete_naming_the_certificate() {
    let mut app = App::start("admin", Some(keyhole::app::effect::Scope::One("shop".into())), Options::default()).await;
    app.loaded().await;
    app.open("shop-gateway-tls").await;
    app.until("the Certificate is read", |s| {
        s.detail_owners().iter().any(|o| o.from.contains(&"Certificate spec.secretName"))
    })
    .await;
    let screen = app.screen(160, 48).await;
    assert!(
        screen.contains("Managed: cert-manager Certificate shop-gateway re-issues it: your edit will be replaced"),
        "{screen}"
    );
    app.press(KeyCode::Char('e')).await;
    let (kind, title, _) = confirm(&app).expect("asked");
    assert!(matches!(kind, ConfirmKind::EditManaged { .. }));
    assert_eq!(title, "Edit shop-gateway-tls? It is managed by cert-manager Certificate shop-gateway");
    app.press(KeyCode::Char('n')).await;
    assert!(app.state().modal.is_none());
    app.press_with(KeyCode::Char('D'), KeyModifiers::SHIFT).await;
    let (_, title, lines) = confirm(&app).expect("asked");
    assert_eq!(title, "Delete shop-gateway-tls? It is managed by cert-manager Certificate shop-gateway");
    assert!(lines.iter().any(|l| l.contains("• cert-manager Certificate shop-gateway: it issues a new certificate")));
    // The Gateway that uses it is another matter (usage); the question is asked all the same.
    app.press(KeyCode::Char('y')).await;
    app.until("deleted", |s| s.detail.is_none()).await;
    let api: Api<K8sSecret> = Api::namespaced(app.server.client("admin").await.unwrap(), "shop");
    assert!(api.get_opt("shop-gateway-tls").await.unwrap().is_none());

    // The ExternalSecret's and the SealedSecret's Secrets ask too, naming theirs.
    for (name, manager) in [
        ("payments-api-credentials", "ExternalSecret payments-api"),
        ("smtp-credentials", "SealedSecret smtp-credentials"),
    ] {
        app.open(name).await;
        app.press(KeyCode::Char('e')).await;
        let (_, title, _) = confirm(&app).expect("asked");
        assert_eq!(title, format!("Edit {name}? It is managed by {manager}"));
        app.press(KeyCode::Char('n')).await;
    }
}

fn dynamic(group: &str, version: &str, kind: &str) -> kube::api::ApiResource {
    kube::api::ApiResource::from_gvk(&kube::api::GroupVersionKind::gvk(group, version, kind))
}

#[tokio::test]
async fn a_certificate_or_external_secret_made_while_keyhole_runs_manages_the_secret_it_names() {
    use kube::api::{DeleteParams, DynamicObject};
    let mut app = App::start("admin", Some(keyhole::app::effect::Scope::One("shop".into())), Options::default()).await;
    app.loaded().await;
    writers_synced(&mut app).await;
    let client = app.server.client("admin").await.unwrap();
    let secrets: Api<K8sSecret> = Api::namespaced(client.clone(), "shop");
    for name in ["pending-tls", "legacy-api"] {
        let s: K8sSecret = serde_json::from_value(serde_json::json!({
            "metadata": {"name": name, "namespace": "shop"}, "stringData": {"k": "v"}
        }))
        .unwrap();
        secrets.create(&PostParams::default(), &s).await.unwrap();
    }
    app.until("the Secrets are listed", |s| s.rows.contains_key(&("shop".into(), "legacy-api".into()))).await;
    assert!(managers_of(&app, "shop", "pending-tls").is_empty(), "nothing names it yet");
    // A Certificate that names it, not issued yet: the Secret has none of cert-manager's marks.
    let ar = dynamic("cert-manager.io", "v1", "Certificate");
    let certs: Api<DynamicObject> = Api::namespaced_with(client.clone(), "shop", &ar);
    let cert: DynamicObject = serde_json::from_value(serde_json::json!({
        "apiVersion": "cert-manager.io/v1", "kind": "Certificate",
        "metadata": {"name": "pending", "namespace": "shop"},
        "spec": {"secretName": "pending-tls", "dnsNames": ["pending.example.com"],
                 "issuerRef": {"kind": "ClusterIssuer", "name": "keyhole-demo-ca"}}
    }))
    .unwrap();
    certs.create(&PostParams::default(), &cert).await.unwrap();
    app.until("the watch brings the Certificate", |s| {
        s.rows.get(&("shop".into(), "pending-tls".into())).is_some_and(|r| !s.owners(r).is_empty())
    })
    .await;
    assert_eq!(
        managers_of(&app, "shop", "pending-tls")[0].summary(),
        "cert-manager Certificate pending re-issues it: your edit will be replaced"
    );
    assert_eq!(flags_of(&app, "shop", "pending-tls")[0], Flag::Managed(vec!["cert-manager".into()]));
    // An ExternalSecret that merely refreshes an existing Secret (creationPolicy Orphan).
    let ar = dynamic("external-secrets.io", "v1", "ExternalSecret");
    let ess: Api<DynamicObject> = Api::namespaced_with(client.clone(), "shop", &ar);
    let es: DynamicObject = serde_json::from_value(serde_json::json!({
        "apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret",
        "metadata": {"name": "legacy", "namespace": "shop"},
        "spec": {"secretStoreRef": {"kind": "ClusterSecretStore", "name": "vault-backend"},
                 "target": {"name": "legacy-api", "creationPolicy": "Orphan"}}
    }))
    .unwrap();
    ess.create(&PostParams::default(), &es).await.unwrap();
    app.until("the watch brings the ExternalSecret", |s| {
        s.rows.get(&("shop".into(), "legacy-api".into())).is_some_and(|r| !s.owners(r).is_empty())
    })
    .await;
    assert_eq!(
        managers_of(&app, "shop", "legacy-api")[0].summary(),
        "ExternalSecret legacy writes it from its secret store (creationPolicy Orphan): your edit stays until its next refresh"
    );
    // The Certificate deleted: the Secret is nobody's again.
    certs.delete("pending", &DeleteParams::default()).await.unwrap();
    app.until("the Certificate's deletion is seen", |s| {
        s.rows.get(&("shop".into(), "pending-tls".into())).is_some_and(|r| s.owners(r).is_empty())
    })
    .await;
    app.open("pending-tls").await;
    app.press(KeyCode::Char('e')).await;
    assert!(matches!(app.state().modal, Some(Modal::Editor(_))), "not asked: {:?}", app.state().modal);
}

#[tokio::test]
async fn without_cert_manager_nothing_is_read_or_said_about_certificates() {
    let server = keyhole_apiserver::DemoServer::start(keyhole_apiserver::ServerOptions {
        without_crds: vec!["cert-manager.io".into()],
        ..Default::default()
    })
    .await
    .unwrap();
    let mut app =
        App::on(server, "admin", Some(keyhole::app::effect::Scope::One("shop".into())), Options::default()).await;
    app.loaded().await;
    app.until("the ExternalSecrets are read", |s| {
        s.rows
            .get(&("shop".into(), "payments-api-credentials".into()))
            .is_some_and(|r| s.owners(r).iter().any(|o| o.from.contains(&"ExternalSecret spec.target.name")))
    })
    .await;
    // The Secret cert-manager wrote still says so by its annotations; no Certificate is read.
    assert_eq!(managers_of(&app, "shop", "shop-gateway-tls")[0].from, ["annotation cert-manager.io/certificate-name"]);
    assert!(app.state().writers.refused().next().is_none(), "not installed is not refused");
    // A TLS Secret nothing marks: nothing is said, not even that it cannot be told.
    app.open("shop-tls").await;
    let screen = app.screen(160, 48).await;
    assert!(!screen.contains("Managed") && !screen.contains("Cannot tell"), "{screen}");
}
