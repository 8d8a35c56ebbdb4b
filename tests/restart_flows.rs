//! After the apply: the workloads that read a changed key only at start are offered a restart,
//! chosen one by one, checked, restarted as `kubectl rollout restart` does and followed until
//! their rollout is done; from the Secret screen with `R` at any time; a user who may not
//! patch them gets a refusal per workload and nothing changes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::app::App;
use crossterm::event::{KeyCode, KeyModifiers};
use k8s_openapi::api::apps::v1::Deployment;
use keyhole::app::restart::{RestartView, RowState};
use keyhole::app::state::{Modal, Options, Phase};
use kube::api::Api;

fn view(app: &App) -> Option<&RestartView> {
    match &app.state().modal {
        Some(Modal::Restart(v)) => Some(v),
        _ => None,
    }
}

fn row<'a>(v: &'a RestartView, title: &str) -> &'a keyhole::app::restart::RestartRow {
    v.rows.iter().find(|r| r.target.title() == title).unwrap_or_else(|| panic!("{title} in {v:#?}"))
}

async fn restarted_at(app: &App, name: &str) -> Option<String> {
    let api: Api<Deployment> = Api::namespaced(app.server.client("admin").await.unwrap(), "default");
    let d = api.get(name).await.unwrap();
    d.spec?.template.metadata?.annotations?.get("kubectl.kubernetes.io/restartedAt").cloned()
}

/// Changes the selected key's value to `text`, reviews, dry-runs and applies.
async fn change_and_apply(app: &mut App, key: &str, text: &str) {
    let d = app.driver.state.detail.as_mut().unwrap();
    d.selected_key = d.keys().iter().position(|k| *k == key).expect("key exists");
    app.press(KeyCode::Char('e')).await;
    if let Some(Modal::Editor(e)) = &mut app.driver.state.modal {
        e.area.clear();
    }
    app.type_text(text).await;
    app.press_with(KeyCode::Char('s'), KeyModifiers::CONTROL).await;
    app.press_with(KeyCode::Char('A'), KeyModifiers::SHIFT).await;
    app.press(KeyCode::Char('y')).await;
    app.press(KeyCode::Enter).await;
    app.until("the dry run is done", |s| !matches!(&s.modal, Some(Modal::Review(r)) if r.phase == Phase::DryRunning))
        .await;
    app.press(KeyCode::Enter).await;
    app.until("applied", |s| !matches!(&s.modal, Some(Modal::Review(_)))).await;
}

#[tokio::test]
async fn after_an_apply_the_env_readers_are_restarted_and_followed() {
    let mut app = App::on(common::quick_cluster().await, "admin", None, Options::default()).await;
    app.loaded().await;
    // The documentation's secret-env Pod, run by the Deployment secret-env, reads mysecret
    // through env.
    app.open("mysecret").await;
    change_and_apply(&mut app, "password", "rotated-Pa55").await;
    let v = view(&app).expect("the restart window opens after the apply");
    let deploy = row(v, "Deployment secret-env");
    assert!(deploy.chosen && deploy.restartable());
    let screen = app.screen(160, 48).await;
    assert!(screen.contains("Restart: mysecret in default"), "{screen}");
    assert!(screen.contains("[x] Deployment secret-env"), "{screen}");
    assert_eq!(restarted_at(&app, "secret-env").await, None, "nothing restarts before Enter");
    app.press(KeyCode::Enter).await;
    app.until("the rollout is done", |s| {
        matches!(&s.modal, Some(Modal::Restart(v)) if matches!(row(v, "Deployment secret-env").state, RowState::Done(_)))
    })
    .await;
    assert!(restarted_at(&app, "secret-env").await.is_some(), "the template carries restartedAt");
    let screen = app.screen(160, 48).await;
    assert!(screen.contains("done: deployment \"secret-env\" successfully rolled out"), "{screen}");
    app.press(KeyCode::Esc).await;
    assert!(app.state().modal.is_none());
}

#[tokio::test]
async fn a_rollout_whose_pods_cannot_start_is_reported_failing_with_the_reason() {
    let server = common::quick_cluster().await;
    let mut app =
        App::on(server, "admin", Some(keyhole::app::effect::Scope::One("shop".into())), Options::default()).await;
    app.loaded().await;
    // orders-worker reads shop-db through env; its image tag is gone from the registry.
    app.open("shop-db").await;
    app.press_with(KeyCode::Char('R'), KeyModifiers::SHIFT).await;
    let v = view(&app).expect("R opens the restart window");
    assert!(row(v, "Deployment orders-worker").chosen);
    // Only orders-worker is restarted here.
    let others: Vec<usize> = v
        .rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.chosen && r.target.name != "orders-worker")
        .map(|(i, _)| i)
        .collect();
    for i in others {
        if let Some(Modal::Restart(v)) = &mut app.driver.state.modal {
            v.rows[i].chosen = false;
        }
    }
    app.press(KeyCode::Enter).await;
    app.until("the rollout fails", |s| {
        matches!(&s.modal, Some(Modal::Restart(v)) if matches!(row(v, "Deployment orders-worker").state, RowState::RolloutFailed { .. }))
    })
    .await;
    let screen = app.screen(160, 48).await;
    assert!(screen.contains("failed: deployment \"orders-worker\" exceeded its progress deadline"), "{screen}");
    assert!(screen.contains("ImagePullBackOff") || screen.contains("ErrImagePull"), "the reason is shown:\n{screen}");
}

#[tokio::test]
async fn r_on_the_secret_screen_offers_the_restart_and_a_viewer_is_refused() {
    let mut app = App::start("viewer", None, Options::default()).await;
    app.loaded().await;
    app.open("prod-db-secret").await;
    app.press_with(KeyCode::Char('R'), KeyModifiers::SHIFT).await;
    let v = view(&app).expect("R opens the restart window");
    assert!(row(v, "Deployment web").chosen);
    // Leaving one out: space toggles the choice of the selected workload.
    app.press(KeyCode::Char(' ')).await;
    assert!(!row(view(&app).unwrap(), "Deployment web").chosen);
    app.press(KeyCode::Char(' ')).await;
    app.press(KeyCode::Enter).await;
    app.until("the answer", |s| {
        matches!(&s.modal, Some(Modal::Restart(v)) if matches!(row(v, "Deployment web").state, RowState::Refused(_)))
    })
    .await;
    let screen = app.screen(160, 48).await;
    assert!(screen.contains("refused: you may not patch Deployment web in default"), "{screen}");
    assert_eq!(restarted_at(&app, "web").await, None, "nothing changed");
}

#[tokio::test]
async fn nothing_to_restart_is_said_not_opened() {
    let mut app = App::start("admin", None, Options::default()).await;
    app.loaded().await;
    // secret-tls is only mounted as a volume.
    app.open("secret-tls").await;
    app.press_with(KeyCode::Char('R'), KeyModifiers::SHIFT).await;
    assert!(app.state().modal.is_none());
    let flash = app.state().flash.as_ref().map(|f| f.text.clone()).unwrap_or_default();
    assert!(flash.contains("nothing to restart"), "{flash}");
}
