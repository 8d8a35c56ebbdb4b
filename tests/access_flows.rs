//! The Access tab through the app's loop against the embedded cluster: `4` reads the RBAC
//! objects in the background and the tab names each demo subject with its path; a user who may
//! not list RBAC objects is told so and sees their own access.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::app::App;
use crossterm::event::KeyCode;
use keyhole::app::effect::Scope;
use keyhole::app::state::{AccessView, Options, Tab};

async fn access_tab(app: &mut App, name: &str) -> String {
    app.open(name).await;
    app.press(KeyCode::Char('4')).await;
    assert_eq!(app.state().detail.as_ref().unwrap().tab, Tab::Access);
    app.until("the RBAC objects are read", |s| {
        s.detail.as_ref().is_some_and(|d| !matches!(d.access, AccessView::Loading | AccessView::NotAsked))
    })
    .await;
    app.screen(200, 80).await
}

#[tokio::test]
async fn the_access_tab_lists_each_subject_with_its_path() {
    let mut app = App::start("admin", Some(Scope::All), Options::default()).await;
    app.loaded().await;
    let screen = access_tab(&mut app, "mysecret").await;
    assert!(screen.contains("4 Access"), "{screen}");
    assert!(screen.contains("Reads its values"), "{screen}");
    let at = screen.find("User jane").expect("jane is listed");
    let after = &screen[at..];
    assert!(
        after.contains("get (by name)  RoleBinding default/jane-reads-mysecret → Role mysecret-reader"),
        "{screen}"
    );
    assert!(screen.contains("Group developers  ⚠ list where get would do, every namespace"), "{screen}");
    assert!(screen.contains("Kubernetes (built-in subjects)") && screen.contains("Group system:masters"), "{screen}");
    // The documentation's Pods that mount it run as default/default.
    assert!(screen.contains("ServiceAccount default/default") && screen.contains("its Pods read it"), "{screen}");
    // Another Secret of another namespace: the aggregated role and the Pod creator of shop.
    let screen = access_tab(&mut app, "shop-db").await;
    assert!(screen.contains("User rotator"), "{screen}");
    assert!(screen.contains("ClusterRole secret-rotation (aggregated from secret-rotation:secrets)"), "{screen}");
    assert!(
        screen.contains("Can get at them indirectly") && screen.contains("ServiceAccount shop/shop-frontend"),
        "{screen}"
    );
    assert!(screen.contains("create pods  RoleBinding shop/shop-frontend-creates-pods → Role pod-creator"), "{screen}");
    assert!(!screen.contains("User jane"), "{screen}");
}

#[tokio::test]
async fn without_rbac_permissions_the_tab_says_so_and_shows_your_own_access() {
    let mut app = App::start("shop-dev", Some(Scope::One("shop".into())), Options::default()).await;
    app.loaded().await;
    let screen = access_tab(&mut app, "shop-db").await;
    assert!(screen.contains("You may not list Roles, ClusterRoles and their bindings"), "{screen}");
    assert!(screen.contains("You (auth can-i): get yes · list yes · watch yes"), "{screen}");
    assert!(screen.contains("indirectly:      create pods yes · exec into pods no"), "{screen}");
}
