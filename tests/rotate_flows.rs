//! Rotate and undo end to end, through the app's real effects against the embedded cluster:
//! `o` on a basic-auth Secret generates its password and goes to the review; the apply opens
//! the restart window for the Deployment that reads it through env; the rollout is followed to
//! the end; kubectl reads the new value. `U` then puts the old one back as a reviewed write.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use base64::Engine as _;
use common::app::App;
use crossterm::event::{KeyCode, KeyModifiers};
use keyhole::app::effect::Scope;
use keyhole::app::restart::RowState;
use keyhole::app::state::{Modal, Options, Phase, PromptKind};

const OLD_PASSWORD: &str = "gr4fana-Adm1n";

/// The review of the draft open now: dry run, then the write; ends when the review closes.
async fn dry_run_and_apply(app: &mut App) {
    app.until("the review", |s| matches!(&s.modal, Some(Modal::Review(r)) if r.phase == Phase::Review)).await;
    app.press(KeyCode::Enter).await;
    app.until("the dry run is done", |s| !matches!(&s.modal, Some(Modal::Review(r)) if r.phase == Phase::DryRunning))
        .await;
    app.press(KeyCode::Enter).await;
    app.until("applied", |s| !matches!(&s.modal, Some(Modal::Review(_)))).await;
}

/// grafana-admin's password as kubectl reads it (when kubectl is installed).
async fn password_by_kubectl(dir: &std::path::Path) -> Option<String> {
    common::kubectl()?;
    let args = ["get", "secret", "grafana-admin", "-n", "monitoring", "-o", "jsonpath={.data.password}"];
    let (ok, out, err) = common::run_kubectl(dir, &args, None).await;
    assert!(ok, "{err}");
    let bytes = base64::engine::general_purpose::STANDARD.decode(out.trim()).unwrap();
    Some(String::from_utf8(bytes).unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn rotate_of_a_basic_auth_password_is_read_by_kubectl_and_its_env_reader_restarted() {
    let server = common::quick_cluster().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("kubeconfig"), server.kubeconfig()).unwrap();
    if common::kubectl().is_none() {
        eprintln!("kubectl not found on PATH: the value is read with kube-rs only");
    }
    let mut app = App::on(server, "admin", Some(Scope::One("monitoring".into())), Options::default()).await;
    app.loaded().await;
    app.open("grafana-admin").await;
    app.press(KeyCode::Char('o')).await;
    let Some(Modal::Prompt(p)) = &app.state().modal else { panic!("{:?}", app.state().modal) };
    assert_eq!(p.kind, PromptKind::Rotate("password".into()));
    app.press(KeyCode::Enter).await;
    dry_run_and_apply(&mut app).await;

    // The new value, as the cluster holds it.
    let secrets: kube::Api<k8s_openapi::api::core::v1::Secret> =
        kube::Api::namespaced(app.server.client("admin").await.unwrap(), "monitoring");
    let stored = secrets.get("grafana-admin").await.unwrap();
    let data = stored.data.unwrap();
    let new = String::from_utf8(data["password"].0.clone()).unwrap();
    assert_eq!(new.len(), 32);
    assert!(new.chars().all(|c| c.is_ascii_alphanumeric()), "letters and digits");
    assert_ne!(new, OLD_PASSWORD);
    assert_eq!(data["username"].0, b"admin", "the username is left alone");
    if let Some(by_kubectl) = password_by_kubectl(dir.path()).await {
        assert_eq!(by_kubectl, new);
    }

    // grafana reads it through env: the restart window, then its rollout to the end.
    let Some(Modal::Restart(v)) = &app.state().modal else { panic!("no restart window: {:?}", app.state().flash) };
    let row = v.rows.iter().find(|r| r.target.title() == "Deployment grafana").expect("grafana offered");
    assert!(row.chosen && row.restartable());
    app.press(KeyCode::Enter).await;
    app.until("grafana rolled out", |s| {
        matches!(&s.modal, Some(Modal::Restart(v)) if v.rows.iter().any(|r| r.target.name == "grafana" && matches!(r.state, RowState::Done(_))))
    })
    .await;
    let screen = app.screen(160, 48).await;
    assert!(screen.contains("done: deployment \"grafana\" successfully rolled out"), "{screen}");
    app.press(KeyCode::Esc).await;

    // U puts the old password back, reviewed, over the version the rotate wrote.
    app.press_with(KeyCode::Char('U'), KeyModifiers::SHIFT).await;
    let dr = app.state().detail.as_ref().unwrap().draft.as_ref().expect("a draft that puts it back");
    assert!(dr.undoing);
    assert_eq!(dr.base.metadata.resource_version, stored.metadata.resource_version, "precondition: the rotated one");
    dry_run_and_apply(&mut app).await;
    let flash = app.state().flash.as_ref().unwrap().text.clone();
    assert!(flash.starts_with("Put back the earlier version"), "{flash}");
    let back = secrets.get("grafana-admin").await.unwrap().data.unwrap();
    assert_eq!(back["password"].0, OLD_PASSWORD.as_bytes());
    if let Some(by_kubectl) = password_by_kubectl(dir.path()).await {
        assert_eq!(by_kubectl, OLD_PASSWORD);
    }
    // Nothing further back: this run applied grafana-admin once.
    if matches!(app.state().modal, Some(Modal::Restart(_))) {
        app.press(KeyCode::Esc).await;
    }
    app.press_with(KeyCode::Char('U'), KeyModifiers::SHIFT).await;
    assert!(app.state().flash.as_ref().unwrap().text.contains("Nothing to put back"));
}

#[tokio::test]
async fn a_viewer_cannot_rotate_and_nothing_changes() {
    let mut app = App::start("viewer", Some(Scope::One("monitoring".into())), Options::default()).await;
    app.loaded().await;
    app.open("grafana-admin").await;
    app.until("the access review", |s| s.detail.as_ref().is_some_and(|d| d.can_update.is_some())).await;
    app.press(KeyCode::Char('o')).await;
    assert!(app.state().modal.is_none(), "{:?}", app.state().modal);
    let flash = app.state().flash.as_ref().expect("the refusal is said").text.clone();
    assert!(flash.contains("you may not update Secrets in monitoring"), "{flash}");
    let secrets: kube::Api<k8s_openapi::api::core::v1::Secret> =
        kube::Api::namespaced(app.server.client("admin").await.unwrap(), "monitoring");
    let data = secrets.get("grafana-admin").await.unwrap().data.unwrap();
    assert_eq!(data["password"].0, OLD_PASSWORD.as_bytes());
}
