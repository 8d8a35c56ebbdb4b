//! The fleet view and the comparison across contexts, through the real loop, on two demo
//! clusters and one unreachable context (tests/common/fleet.rs).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::app::App;
use common::fleet::TwoClusters;
use crossterm::event::KeyCode;
use keyhole::app::state::{Modal, Options};

fn fleet(app: &App) -> &keyhole::app::fleet::FleetView {
    match &app.state().modal {
        Some(Modal::Fleet(v)) => v,
        other => panic!("not the fleet view: {other:?}"),
    }
}

async fn open_fleet(app: &mut App) {
    app.press(KeyCode::Char('F')).await;
    app.until("every context answered", |s| matches!(&s.modal, Some(Modal::Fleet(v)) if !v.loading)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_fleet_lists_every_context_says_which_could_not_be_read_and_filters_across_them() {
    let two = TwoClusters::start().await;
    let kubeconfig = two.kubeconfig.clone();
    let TwoClusters { a, b: _b, .. } = two;
    let mut app = App::with_kubeconfig(a, kubeconfig, "a", None, Options::default()).await;
    app.loaded().await;
    open_fleet(&mut app).await;
    let screen = app.screen(160, 48).await;
    assert!(screen.contains("keyhole fleet") && screen.contains("in 2 of 3 contexts"), "{screen}");
    assert!(screen.contains(" down: ") && screen.contains("Cannot reach the cluster"), "{screen}");
    let v = fleet(&app);
    let in_ctx = |ctx: &str, name: &str| {
        v.visible.iter().filter_map(|at| v.row(*at)).any(|r| r.context == ctx && r.name == name)
    };
    assert!(in_ctx("a", "test-db-secret") && !in_ctx("b", "test-db-secret"), "deleted in b only");
    assert!(in_ctx("a", "mysecret") && in_ctx("b", "mysecret"));
    // Certificates are read for their expiry: legacy-tls expired in both.
    let legacy: Vec<_> = v.visible.iter().filter_map(|at| v.row(*at)).filter(|r| r.name == "legacy-tls").collect();
    assert_eq!(legacy.len(), 2);
    assert!(legacy.iter().all(|r| r.flags.contains(&keyhole::list::flags::Flag::Expired)), "{legacy:?}");

    // The filter works across contexts.
    app.press(KeyCode::Char('/')).await;
    app.type_text("test-db").await;
    app.press(KeyCode::Enter).await;
    let v = fleet(&app);
    let names: Vec<(&str, &str)> =
        v.visible.iter().filter_map(|at| v.row(*at)).map(|r| (r.context.as_str(), r.name.as_str())).collect();
    assert_eq!(names, [("a", "test-db-secret")]);
    // The type picker too: t chooses the first type present, in every context.
    app.press(KeyCode::Char('x')).await;
    app.press(KeyCode::Char('t')).await;
    let v = fleet(&app);
    let t = v.type_filter.clone().expect("a type chosen");
    assert!(v.visible.iter().filter_map(|at| v.row(*at)).all(|r| r.type_ == t));
    assert!(v.visible.iter().filter_map(|at| v.row(*at)).any(|r| r.context == "b"));
}

#[tokio::test(flavor = "multi_thread")]
async fn compare_shows_which_keys_differ_and_enter_opens_the_secret_in_its_own_context() {
    let two = TwoClusters::start().await;
    let kubeconfig = two.kubeconfig.clone();
    let TwoClusters { a, b: _b, .. } = two;
    let mut app = App::with_kubeconfig(a, kubeconfig, "a", None, Options::default()).await;
    app.loaded().await;
    open_fleet(&mut app).await;
    app.press(KeyCode::Char('/')).await;
    app.type_text("mysecret").await;
    app.press(KeyCode::Enter).await;
    let first = fleet(&app).selected_row().unwrap().clone();
    assert_eq!((first.context.as_str(), first.name.as_str()), ("a", "mysecret"));
    app.press(KeyCode::Char('c')).await;
    app.until("the comparison", |s| matches!(&s.modal, Some(Modal::Fleet(v)) if matches!(v.compare, Some(Some(_)))))
        .await;
    let Some(Some(c)) = &fleet(&app).compare else { unreachable!() };
    let key = |k: &str| c.keys.iter().find(|(name, _, _)| name == k).cloned().unwrap();
    assert_eq!(key("password").1, vec![Some('A'), Some('B'), None]);
    assert_eq!(key("password").2, "differs");
    assert_eq!(key("username").2, "same");
    assert!(c.sides[2].starts_with("unread"), "{:?}", c.sides);
    let screen = app.screen(160, 48).await;
    assert!(screen.contains("password") && screen.contains("differs"), "{screen}");
    // No value reaches the screen: only letters.
    assert!(!screen.contains("another-password") && !screen.contains("s3cr3t"), "{screen}");

    // Back to the list; the second mysecret is b's: Enter opens it in context b.
    app.press(KeyCode::Esc).await;
    app.press(KeyCode::Down).await;
    let row = fleet(&app).selected_row().unwrap().clone();
    assert_eq!((row.context.as_str(), row.name.as_str()), ("b", "mysecret"));
    app.press(KeyCode::Enter).await;
    app.until("switched to b and opened mysecret there", |s| {
        s.context == "b" && s.detail.as_ref().is_some_and(|d| d.name == "mysecret" && d.secret.is_some())
    })
    .await;
    let password = app.state().detail.as_ref().unwrap().secret.as_ref().unwrap().get("password").unwrap().to_vec();
    assert_eq!(password, b"another-password", "b's own value, read in b");
}

/// `keyhole --contexts a,b`: the TUI opens on the fleet view of those contexts only.
#[tokio::test(flavor = "multi_thread")]
async fn contexts_on_the_command_line_open_on_the_fleet_view_of_those_contexts() {
    let two = TwoClusters::start().await;
    let kubeconfig = two.kubeconfig.clone();
    let TwoClusters { a, b: _b, .. } = two;
    let options = Options { fleet: Some("a,b".into()), ..Options::default() };
    let mut app = App::with_kubeconfig(a, kubeconfig, "a", None, options).await;
    app.until("the fleet view read", |s| matches!(&s.modal, Some(Modal::Fleet(v)) if !v.loading)).await;
    let v = fleet(&app);
    let names: Vec<&str> = v.contexts.iter().map(|c| c.context.as_str()).collect();
    assert_eq!(names, ["a", "b"], "down is not among the contexts asked for");
    assert!(v.contexts.iter().all(|c| c.result.is_ok()));
    // Esc closes it onto the usual list; F opens it again with the same contexts.
    app.press(KeyCode::Esc).await;
    assert!(app.state().modal.is_none());
    open_fleet(&mut app).await;
    assert_eq!(fleet(&app).contexts.len(), 2);
}
