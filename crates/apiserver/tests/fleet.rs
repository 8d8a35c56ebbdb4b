//! A demo fleet (`Fleet`): several embedded clusters behind one kubeconfig, as the clients of
//! `keyhole list --contexts` and the compare across contexts see it. Every `fleet-i` context
//! lists its cluster's Secrets; the overlay's Secrets overlap and drift as documented
//! (docs/embedded-cluster.md, "Fleet"); `fleet-down` is refused; `fleet-forbidden` is a 403.
//! Through kube-rs, and through kubectl where it is installed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "common/kubectl.rs"]
mod kubectl;

use std::collections::BTreeMap;
use std::time::Instant;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::Secret;
use keyhole_apiserver::fleet::{DOWN_CONTEXT, FORBIDDEN_CONTEXT};
use keyhole_apiserver::{Fleet, FleetOptions};
use keyhole_core::secret::views::cert;
use kube::Api;
use kube::api::ListParams;

async fn fleet(clusters: usize) -> Fleet {
    Fleet::start(FleetOptions { clusters, ..FleetOptions::default() }).await.expect("the fleet starts")
}

/// The decoded values of `default/NAME` as the context's admin reads them.
async fn values(fleet: &Fleet, context: &str, name: &str) -> Option<BTreeMap<String, Vec<u8>>> {
    let client = fleet.client(context).await.unwrap();
    let secret = Api::<Secret>::namespaced(client, "default").get_opt(name).await.unwrap()?;
    Some(secret.data.unwrap_or_default().into_iter().map(|(k, v)| (k, v.0)).collect())
}

fn text(values: &BTreeMap<String, Vec<u8>>, key: &str) -> String {
    String::from_utf8(values[key].clone()).unwrap()
}

#[tokio::test]
async fn every_fleet_context_lists_its_secrets_on_a_server_of_its_own() {
    let started = Instant::now();
    let fleet = fleet(3).await;
    eprintln!("3 clusters started in {:?}", started.elapsed());
    assert_eq!(fleet.contexts(), ["fleet-1", "fleet-2", "fleet-3", "fleet-down", "fleet-forbidden"]);
    let kubeconfig = fleet.kubeconfig();
    assert!(kubeconfig.contains("current-context: fleet-1\n"), "{kubeconfig}");
    let mut urls: Vec<String> = fleet.clusters().iter().map(|c| c.url()).collect();
    urls.sort();
    urls.dedup();
    assert_eq!(urls.len(), 3, "a server per cluster: {urls:?}");
    for i in 1..=3 {
        let context = format!("fleet-{i}");
        assert!(kubeconfig.contains(&format!("server: {}\n", fleet.cluster(i).url())));
        let client = fleet.client(&context).await.unwrap();
        let secrets = Api::<Secret>::all(client).list(&ListParams::default()).await.unwrap();
        let names: Vec<String> = secrets
            .items
            .iter()
            .map(|s| format!("{}/{}", s.metadata.namespace.as_deref().unwrap(), s.metadata.name.as_deref().unwrap()))
            .collect();
        // The standard demo in every cluster, and the overlay.
        for name in ["default/mysecret", "shop/shop-tls", "monitoring/grafana-tls", "default/registry-creds"] {
            assert!(names.iter().any(|n| n == name), "{context} lacks {name}: {names:?}");
        }
        for name in ["default/app-config", "default/edge-tls"] {
            assert!(names.iter().any(|n| n == name), "{context} lacks {name}");
        }
        assert_eq!(names.iter().any(|n| n == "default/old-api-key"), i == 2, "{context}");
        // The client reached cluster i: the request was counted there, by its admin.
        assert!(fleet.cluster(i).requests().count(|r| r.is("list", "secrets")) >= 1, "{context}");
    }
    fleet.shutdown().await;
}

#[tokio::test]
async fn the_fleet_secrets_overlap_and_drift_as_documented() {
    let fleet = fleet(3).await;
    let mut registry = Vec::new();
    let mut config = Vec::new();
    let mut edge = Vec::new();
    for context in ["fleet-1", "fleet-2", "fleet-3"] {
        registry.push(values(&fleet, context, "registry-creds").await.expect(context));
        config.push(values(&fleet, context, "app-config").await.expect(context));
        edge.push(values(&fleet, context, "edge-tls").await.expect(context));
    }
    // registry-creds: the same bytes on 1 and 3, another password on 2.
    assert_eq!(registry[0], registry[2]);
    assert_ne!(registry[0], registry[1]);
    let docker = |v: &BTreeMap<String, Vec<u8>>| -> serde_json::Value {
        serde_json::from_slice(&v[".dockerconfigjson"]).unwrap()
    };
    let (one, two) = (docker(&registry[0]), docker(&registry[1]));
    let entry = |d: &serde_json::Value| d["auths"]["registry.example.com"].clone();
    assert_eq!(entry(&one)["username"], entry(&two)["username"]);
    assert_ne!(entry(&one)["password"], entry(&two)["password"]);

    // app-config: 2 lacks API_URL, 3 has FEATURE_X and another LOG_LEVEL.
    let keys = |v: &BTreeMap<String, Vec<u8>>| v.keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&config[0]), ["API_URL", "LOG_LEVEL"]);
    assert_eq!(keys(&config[1]), ["LOG_LEVEL"]);
    assert_eq!(keys(&config[2]), ["API_URL", "FEATURE_X", "LOG_LEVEL"]);
    assert_eq!(text(&config[0], "LOG_LEVEL"), text(&config[1], "LOG_LEVEL"));
    assert_ne!(text(&config[0], "LOG_LEVEL"), text(&config[2], "LOG_LEVEL"));
    assert_eq!(text(&config[0], "API_URL"), text(&config[2], "API_URL"));

    // edge-tls: made at start, expiring in 10, 25 and 200 days.
    let now = Timestamp::now();
    for (v, days) in edge.iter().zip([10, 25, 200]) {
        let bundle = cert::read_bundle(&v["tls.crt"], now);
        let c = &bundle.certificates[0];
        assert!((days - 1..=days).contains(&c.days_left), "{} days left, want {days}", c.days_left);
        assert!(c.dns_names.iter().any(|n| n == "edge.example.com"), "{:?}", c.dns_names);
    }

    // The standard demo's fresh certificates are in every cluster, each its own.
    let mut shop = Vec::new();
    for i in 1..=3 {
        let client = fleet.client(&format!("fleet-{i}")).await.unwrap();
        let secret = Api::<Secret>::namespaced(client, "shop").get("shop-tls").await.unwrap();
        shop.push(secret.data.unwrap()["tls.crt"].0.clone());
    }
    for crt in &shop {
        let days = cert::read_bundle(crt, now).certificates[0].days_left;
        assert!((11..=12).contains(&days), "shop-tls expires in 12 days: {days}");
    }
    assert_ne!(shop[0], shop[1]);
    fleet.shutdown().await;
}

#[tokio::test]
async fn old_api_key_is_on_fleet_2_only_and_referenced_by_nothing() {
    let fleet = fleet(3).await;
    assert!(values(&fleet, "fleet-1", "old-api-key").await.is_none());
    assert!(values(&fleet, "fleet-3", "old-api-key").await.is_none());
    assert!(values(&fleet, "fleet-2", "old-api-key").await.is_some());
    // No object of any kind names it, but itself.
    let store = fleet.cluster(2).store.lock();
    for def in keyhole_apiserver::resources::RESOURCES.iter().filter(|r| r.stored) {
        for ((ns, name), obj) in store.iter(def.key(), None, None) {
            if def.key() == "secrets" && name == "old-api-key" {
                continue;
            }
            assert!(!obj.to_string().contains("old-api-key"), "{} {ns}/{name} names old-api-key", def.kind);
        }
    }
}

#[tokio::test]
async fn fleet_down_refuses_the_connection() {
    let fleet = fleet(2).await;
    let down = fleet.down_addr();
    assert!(down.ip().is_loopback());
    assert!(fleet.clusters().iter().all(|c| c.addr.port() != down.port()));
    let refused = tokio::net::TcpStream::connect(down).await.expect_err("nothing listens on fleet-down's port");
    assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
    // No other socket can take the port while the fleet runs.
    assert!(std::net::TcpListener::bind(down).is_err(), "{down} could be bound");
    let client = fleet.client(DOWN_CONTEXT).await.unwrap();
    let err = Api::<Secret>::namespaced(client, "default").list(&ListParams::default()).await.expect_err("unreachable");
    assert!(!matches!(err, kube::Error::Api(_)), "no server answered: {err:?}");
    assert!(format!("{err:?}").to_lowercase().contains("connection refused"), "{err:?}");
}

#[tokio::test]
async fn fleet_forbidden_gets_403_listing_secrets() {
    let fleet = fleet(2).await;
    let client = fleet.client(FORBIDDEN_CONTEXT).await.unwrap();
    for api in [Api::<Secret>::all(client.clone()), Api::<Secret>::namespaced(client.clone(), "default")] {
        let err = api.list(&ListParams::default()).await.expect_err("getter may not list Secrets");
        let (reason, code, message) = common::status(&err);
        assert_eq!((reason.as_str(), code), ("Forbidden", 403), "{message}");
        assert!(message.contains("User \"getter\" cannot list resource \"secrets\""), "{message}");
    }
    // The user, not the cluster: fleet-1 serves it, and getter may get a Secret by name.
    assert!(Api::<Secret>::namespaced(client, "default").get("registry-creds").await.is_ok());
    assert!(fleet.cluster(1).requests().count(|r| r.is("list", "secrets") && r.code == 403 && r.user == "getter") >= 2);
}

#[tokio::test]
async fn shutting_the_fleet_down_stops_every_cluster() {
    let fleet = fleet(3).await;
    let addrs: Vec<_> = fleet.clusters().iter().map(|c| c.addr).collect();
    for addr in &addrs {
        tokio::net::TcpStream::connect(addr).await.expect("serving");
    }
    fleet.shutdown().await;
    for addr in &addrs {
        assert!(tokio::net::TcpStream::connect(addr).await.is_err(), "{addr} still accepts");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fleet_with_a_busy_port_fails_and_names_the_cluster() {
    // Cluster 2 would take the port after cluster 1's: hold it.
    let holder = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let busy = holder.local_addr().unwrap().port();
    let Some(first) = busy.checked_sub(1) else { return };
    let opts = FleetOptions {
        clusters: 2,
        server: keyhole_apiserver::ServerOptions {
            addr: std::net::SocketAddr::from(([127, 0, 0, 1], first)),
            ..Default::default()
        },
        ..FleetOptions::default()
    };
    let err = Fleet::start(opts).await.expect_err("port taken");
    assert!(err.to_string().contains(&format!("fleet-2 on 127.0.0.1:{busy}")), "{err}");
}

#[test]
fn kubectl_sees_every_context_the_drift_and_the_failures() {
    let Some(k) = kubectl::Kubectl::start_fleet(FleetOptions::default()) else { return };
    let contexts = k.ok(&["config", "get-contexts", "-o", "name"]);
    assert_eq!(
        contexts.lines().collect::<Vec<_>>(),
        ["fleet-1", "fleet-2", "fleet-3", "fleet-down", "fleet-forbidden"]
    );
    assert_eq!(k.ok(&["config", "current-context"]).trim(), "fleet-1");
    let get = |context: &str, name: &str, key: &str| {
        let path = format!("jsonpath={{.data.{}}}", key.replace('.', "\\."));
        k.run(&["--context", context, "get", "secret", name, "-o", &path])
    };
    for i in 1..=3 {
        let context = format!("fleet-{i}");
        let out = k.ok(&["--context", &context, "get", "secrets", "-A", "--no-headers"]);
        for name in ["mysecret", "shop-tls", "registry-creds", "app-config", "edge-tls"] {
            assert!(out.lines().any(|l| l.split_whitespace().nth(1) == Some(name)), "{context}: {name}\n{out}");
        }
        assert_eq!(out.contains("old-api-key"), i == 2, "{context}");
    }
    let docker: Vec<String> =
        (1..=3).map(|i| get(&format!("fleet-{i}"), "registry-creds", ".dockerconfigjson").stdout).collect();
    assert_eq!(docker[0], docker[2]);
    assert_ne!(docker[0], docker[1]);
    let api_url: Vec<String> = (1..=3).map(|i| get(&format!("fleet-{i}"), "app-config", "API_URL").stdout).collect();
    assert!(!api_url[0].is_empty() && api_url[1].is_empty() && api_url[0] == api_url[2], "{api_url:?}");
    let feature = get("fleet-3", "app-config", "FEATURE_X").stdout;
    assert!(!feature.is_empty() && get("fleet-1", "app-config", "FEATURE_X").stdout.is_empty());

    let down = k.fails(&["--context", "fleet-down", "--request-timeout", "5s", "get", "secrets"]);
    assert!(down.contains("connection refused"), "{down}");
    let forbidden = k.fails(&["--context", "fleet-forbidden", "get", "secrets"]);
    assert!(forbidden.contains("Forbidden") && forbidden.contains("User \"getter\" cannot list"), "{forbidden}");
    assert_eq!(k.can_i(&["--context", "fleet-forbidden", "list", "secrets", "-A"]), "no");
    assert_eq!(k.can_i(&["--context", "fleet-2", "list", "secrets", "-A"]), "yes");
}
