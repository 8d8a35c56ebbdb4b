//! Who uses a Secret, completely (issue 14), through the binary's loop against the embedded
//! cluster's demo data: a CronJob between runs, a Deployment at zero replicas, a DaemonSet, a
//! PersistentVolume, StorageClasses (literal and templated), a Gateway with a certificate in
//! another namespace allowed by a ReferenceGrant (and one not allowed), a ServiceAccount with a
//! legacy token Secret; none of their Secrets is UNUSED, each is in Used by with how it reads
//! it, and a user who cannot list CronJobs sees "usage unknown", not UNUSED.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::app::App;
use crossterm::event::KeyCode;
use keyhole::app::effect::Scope;
use keyhole::app::state::{Modal, Options};
use keyhole::list::flags::Flag;

/// Opens a Secret of `namespace` (the scope is every namespace) and shows its Used by tab.
async fn used_by(app: &mut App, namespace: &str, name: &str) -> String {
    let key = (namespace.to_string(), name.to_string());
    let at = app
        .state()
        .list
        .visible
        .iter()
        .position(|k| *k == key)
        .unwrap_or_else(|| panic!("{namespace}/{name} is listed"));
    app.state_mut().list.selected = at;
    app.press(KeyCode::Enter).await;
    app.until("the Secret is open", |s| s.detail.as_ref().is_some_and(|d| d.name == name)).await;
    app.press(KeyCode::Char('2')).await;
    let screen = app.screen(200, 70).await;
    app.press(KeyCode::Esc).await;
    app.press(KeyCode::Esc).await;
    screen
}

fn flags(app: &App, namespace: &str, name: &str) -> Vec<Flag> {
    let s = app.state();
    let row = s.rows.get(&(namespace.to_string(), name.to_string())).unwrap_or_else(|| panic!("{namespace}/{name}"));
    s.flags(row)
}

fn contains_all(screen: &str, wanted: &[&str]) {
    for w in wanted {
        assert!(screen.contains(w), "{w:?} missing from Used by:\n{screen}");
    }
}

#[tokio::test]
async fn secrets_used_without_a_pod_are_used_and_say_how() {
    let mut app = App::start("admin", Some(Scope::All), Options::default()).await;
    app.loaded().await;
    // None of these is UNUSED: each is used by something that runs no Pod now, or is not a Pod.
    for (ns, name) in [
        ("shop", "backup-s3-credentials"),
        ("shop", "api-signing-key"),
        ("ceph-csi", "csi-rbd-provisioner"),
        ("ceph-csi", "csi-rbd-node"),
        ("shop", "rbd-publish"),
        ("shop", "data-db-0-rbd-key"),
        ("shop", "shop-gateway-tls"),
        ("shop", "deployer-token-7xk2p"),
        ("shop", "db-migrate-credentials"),
        ("monitoring", "log-shipper-credentials"),
    ] {
        assert!(!flags(&app, ns, name).contains(&Flag::Unused), "{ns}/{name} is used");
        assert_ne!(app.state().refs.index.usage(ns, name).total(), 0, "{ns}/{name} has consumers");
    }
    let screen = used_by(&mut app, "shop", "backup-s3-credentials").await;
    contains_all(&screen, &["CronJob nightly-backup, next run 02:00 UTC", "no Pod now", "envFrom"]);
    let screen = used_by(&mut app, "shop", "api-signing-key").await;
    contains_all(
        &screen,
        &[
            "Deployment api, 0 replicas; no Pod now",
            "volume \"signing-key\"",
            "Pods made from it read it as it is then",
        ],
    );
    let screen = used_by(&mut app, "ceph-csi", "csi-rbd-node").await;
    contains_all(
        &screen,
        &[
            "PersistentVolume pvc-12958521-331c-5942-8a00-85147b542b4b (claim shop/data-db-0)",
            "CSI nodeStageSecretRef (driver rbd.csi.ceph.com)",
            "StorageClass ceph-rbd",
            "parameter csi.storage.k8s.io/node-stage-secret-name (provisioner rbd.csi.ceph.com)",
        ],
    );
    let screen = used_by(&mut app, "shop", "data-db-0-rbd-key").await;
    contains_all(
        &screen,
        &[
            "CSI nodePublishSecretRef",
            "Templates that may name it (not counted as uses)",
            "StorageClass ceph-rbd-tenant: name \"${pvc.name}-rbd-key\"",
        ],
    );
    let screen = used_by(&mut app, "shop", "shop-gateway-tls").await;
    contains_all(
        &screen,
        &["Gateway infra/shared-gateway", "listener \"shop-https\" certificate (tls.certificateRefs)"],
    );
    // No ReferenceGrant in monitoring: broken, not a use.
    let screen = used_by(&mut app, "monitoring", "grafana-tls").await;
    contains_all(&screen, &["no ReferenceGrant in monitoring allows Gateways of infra", "RefNotPermitted"]);
    let screen = used_by(&mut app, "shop", "deployer-token-7xk2p").await;
    contains_all(&screen, &["ServiceAccount deployer", "secrets[]", "legacy token of ServiceAccount deployer"]);
    // The delete dialog names the CronJob's next run.
    let key = ("shop".to_string(), "backup-s3-credentials".to_string());
    let at = app.state().list.visible.iter().position(|k| *k == key).unwrap();
    app.state_mut().list.selected = at;
    app.press(KeyCode::Enter).await;
    app.until("open", |s| s.detail.as_ref().is_some_and(|d| d.secret.is_some())).await;
    app.press(KeyCode::Char('D')).await;
    let Some(Modal::Confirm(c)) = &app.state().modal else { panic!("no delete dialog") };
    let text = c.lines.join("\n");
    assert!(text.contains("CronJob nightly-backup") && text.contains("its next run fails"), "{text}");
}

#[tokio::test]
async fn a_user_who_cannot_list_cron_jobs_sees_usage_unknown_not_unused() {
    let mut app = App::start("no-cronjobs", Some(Scope::All), Options::default()).await;
    app.until("every kind listed or refused", |s| !s.loading && s.refs.is_synced()).await;
    let screen = app.screen(200, 50).await;
    assert!(screen.contains("usage unknown: cannot list CronJobs"), "{screen}");
    assert!(!screen.contains("UNUSED"), "{screen}");
    for (ns, name) in [("shop", "backup-s3-credentials"), ("default", "empty-secret")] {
        assert!(!flags(&app, ns, name).contains(&Flag::Unused), "{ns}/{name}: use unknown, never unused");
    }
    let screen = used_by(&mut app, "default", "empty-secret").await;
    contains_all(
        &screen,
        &["Usage unknown", "cannot list CronJobs across namespaces", "whether it is unused is unknown"],
    );
}
