//! A fleet of embedded clusters: N `DemoServer`s on loopback, each on its own port with the
//! standard demo data, and one kubeconfig with a context per cluster (`fleet-1` … `fleet-N`, as
//! each cluster's admin), plus `fleet-down`, whose server is a port nothing listens on, and
//! `fleet-forbidden`, a user on `fleet-1` who may not list Secrets anywhere. On top of the demo
//! data each cluster gets a fleet overlay: Secrets that exist in every cluster and drift between
//! them, as a platform team's clusters do (docs/embedded-cluster.md, "Fleet"). This is demo
//! behaviour, for `keyhole list --contexts` and the compare across contexts, and their tests.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use base64::Engine as _;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use tokio::net::TcpSocket;

use crate::data::insert;
use crate::demo_kinds::{CA_CRT, signed};
use crate::store::Store;
use crate::{DemoServer, ServerOptions, hosts};
use keyhole_core::secret::codec::encode_value;

/// The context whose server is a loopback port nothing listens on.
pub const DOWN_CONTEXT: &str = "fleet-down";
/// The context on `fleet-1` as a demo user who may not list Secrets anywhere.
pub const FORBIDDEN_CONTEXT: &str = "fleet-forbidden";
/// That user: `getter` may get Secrets by name but not list or watch them
/// (`assets/rbac/10-demo-users.yaml`).
pub const FORBIDDEN_USER: &str = "getter";
/// `fleet-down`'s bearer token, which no server accepts.
const DOWN_TOKEN: &str = "fleet-down.not-a-credential";

/// The context of cluster `i` (1-based): `fleet-i`.
pub fn context_name(i: usize) -> String {
    format!("fleet-{i}")
}

/// How to start a fleet.
#[derive(Debug, Clone)]
pub struct FleetOptions {
    /// How many clusters (at least one).
    pub clusters: usize,
    /// Generated Secrets and Pods in each cluster (`ServerOptions::scale`, per cluster).
    pub scale: usize,
    /// The options of every cluster. `addr` is the first cluster's: with port 0 each cluster
    /// gets a free port of that address, with port P cluster i listens on P + i - 1. `scale` and
    /// `fleet_member` are set by the fleet.
    pub server: ServerOptions,
}

impl Default for FleetOptions {
    /// Three clusters, the smallest fleet with every drift of the overlay.
    fn default() -> Self {
        FleetOptions { clusters: 3, scale: 0, server: ServerOptions::default() }
    }
}

/// Running demo clusters and the kubeconfig that reaches them. Dropping it stops them all.
#[derive(Debug)]
pub struct Fleet {
    clusters: Vec<DemoServer>,
    /// `fleet-down`'s address: a socket bound there and never listening keeps the port closed
    /// (a connection is refused) and keeps anyone else from binding it while the fleet runs.
    down: SocketAddr,
    _down_socket: TcpSocket,
}

impl Fleet {
    /// Starts the clusters concurrently (each loads its data on a thread of its own) and
    /// reserves `fleet-down`'s port. If any cluster cannot start, those that did are stopped.
    pub async fn start(opts: FleetOptions) -> io::Result<Fleet> {
        if opts.clusters == 0 {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "a fleet has at least one cluster"));
        }
        let base = opts.server.addr;
        let runtime = tokio::runtime::Handle::current();
        let mut starting = Vec::with_capacity(opts.clusters);
        for i in 1..=opts.clusters {
            let addr = member_addr(base, i)?;
            let server = ServerOptions { addr, scale: opts.scale, fleet_member: Some(i), ..opts.server.clone() };
            let runtime = runtime.clone();
            // Loading the data is synchronous work: a blocking thread per cluster lets the
            // clusters load at once (and keeps the runtime's workers free meanwhile).
            starting.push(tokio::task::spawn_blocking(move || {
                runtime
                    .block_on(DemoServer::start(server))
                    .map_err(|e| io::Error::new(e.kind(), format!("{} on {addr}: {e}", context_name(i))))
            }));
        }
        let mut clusters = Vec::with_capacity(opts.clusters);
        let mut failed = None;
        for task in starting {
            match task.await {
                Ok(Ok(server)) => clusters.push(server),
                Ok(Err(e)) => {
                    failed.get_or_insert(e);
                }
                Err(e) => {
                    failed.get_or_insert(io::Error::other(e));
                }
            }
        }
        if let Some(e) = failed {
            return Err(e);
        }
        let (down_socket, down) = closed_port(base.ip())?;
        Ok(Fleet { clusters, down, _down_socket: down_socket })
    }

    /// The number of clusters.
    pub fn len(&self) -> usize {
        self.clusters.len()
    }

    /// Never true: a fleet has at least one cluster.
    pub fn is_empty(&self) -> bool {
        self.clusters.is_empty()
    }

    /// The cluster of context `fleet-i`: 1-based, as the contexts are named. Panics if there is
    /// no such cluster.
    pub fn cluster(&self, i: usize) -> &DemoServer {
        assert!((1..=self.clusters.len()).contains(&i), "the fleet has clusters 1 to {}, not {i}", self.clusters.len());
        &self.clusters[i - 1]
    }

    /// Every cluster, `fleet-1` first.
    pub fn clusters(&self) -> &[DemoServer] {
        &self.clusters
    }

    /// The address of `fleet-down`, where nothing listens.
    pub fn down_addr(&self) -> SocketAddr {
        self.down
    }

    /// The contexts of the kubeconfig, in its order: `fleet-1` … `fleet-N` (the first is
    /// current), `fleet-down`, `fleet-forbidden`.
    pub fn contexts(&self) -> Vec<String> {
        (1..=self.clusters.len())
            .map(context_name)
            .chain([DOWN_CONTEXT.to_string(), FORBIDDEN_CONTEXT.to_string()])
            .collect()
    }

    /// One kubeconfig for the whole fleet: a cluster entry per server (named as its context)
    /// and `fleet-down`; a context per cluster as its admin (`fleet-1` current), `fleet-down`
    /// with a token no cluster knows (no real credential is ever sent to a port that someone
    /// could take later), and `fleet-forbidden` on `fleet-1` as `getter`.
    pub fn kubeconfig(&self) -> String {
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let first = &self.clusters[0];
        let mut out = String::new();
        out.push_str("apiVersion: v1\nkind: Config\n");
        out.push_str(&format!(
            "# keyhole embedded demo fleet of {} clusters. Demo credentials only; they change at every start.\n",
            self.clusters.len()
        ));
        out.push_str("clusters:\n");
        let cluster = |out: &mut String, name: &str, server: &str, ca: &str| {
            out.push_str(&format!(
                "- name: {name}\n  cluster:\n    server: {server}\n    certificate-authority-data: {}\n",
                b64(ca)
            ));
        };
        for (i, s) in self.clusters.iter().enumerate() {
            cluster(&mut out, &context_name(i + 1), &s.url(), &s.ca_pem);
        }
        cluster(&mut out, DOWN_CONTEXT, &hosts::url(&self.down.ip().to_string(), self.down.port()), &first.ca_pem);
        out.push_str("contexts:\n");
        let context = |out: &mut String, name: &str, cluster: &str, user: &str| {
            out.push_str(&format!(
                "- name: {name}\n  context:\n    cluster: {cluster}\n    user: {user}\n    namespace: default\n"
            ));
        };
        for i in 1..=self.clusters.len() {
            let name = context_name(i);
            context(&mut out, &name, &name, &format!("{name}-admin"));
        }
        context(&mut out, DOWN_CONTEXT, DOWN_CONTEXT, DOWN_CONTEXT);
        context(&mut out, FORBIDDEN_CONTEXT, &context_name(1), &format!("{}-{FORBIDDEN_USER}", context_name(1)));
        out.push_str(&format!("current-context: {}\n", context_name(1)));
        out.push_str("users:\n");
        for (i, s) in self.clusters.iter().enumerate() {
            out.push_str(&format!(
                "- name: {}-admin\n  user:\n    token: {}\n",
                context_name(i + 1),
                s.users.admin().token
            ));
        }
        // A token no server knows: without any credentials kubectl would prompt for a password.
        out.push_str(&format!("- name: {DOWN_CONTEXT}\n  user:\n    token: {DOWN_TOKEN}\n"));
        if let Some(u) = first.users.by_name(FORBIDDEN_USER) {
            out.push_str(&format!("- name: {}-{FORBIDDEN_USER}\n  user:\n    token: {}\n", context_name(1), u.token));
        }
        out.push_str("preferences: {}\n");
        out
    }

    /// A kube-rs client for one of the kubeconfig's contexts, built from it like any cluster's.
    pub async fn client(&self, context: &str) -> Result<kube::Client, kube::Error> {
        let kubeconfig =
            kube::config::Kubeconfig::from_yaml(&self.kubeconfig()).map_err(kube::Error::InferKubeconfig)?;
        let options = kube::config::KubeConfigOptions { context: Some(context.to_string()), ..Default::default() };
        let mut config =
            kube::Config::from_custom_kubeconfig(kubeconfig, &options).await.map_err(kube::Error::InferKubeconfig)?;
        // Directly, whatever HTTPS_PROXY says (as `DemoServer::client`).
        config.proxy_url = None;
        kube::Client::try_from(config)
    }

    /// Stops every cluster and waits for them.
    pub async fn shutdown(self) {
        futures::future::join_all(self.clusters.into_iter().map(DemoServer::shutdown)).await;
    }
}

/// Where cluster `i` listens: the base address, its port counted up from the base's (or 0).
fn member_addr(base: SocketAddr, i: usize) -> io::Result<SocketAddr> {
    if base.port() == 0 {
        return Ok(base);
    }
    let port = u16::try_from(usize::from(base.port()) + i - 1).map_err(|_| {
        io::Error::new(io::ErrorKind::InvalidInput, format!("{}: no port {} + {}", context_name(i), base.port(), i - 1))
    })?;
    Ok(SocketAddr::new(base.ip(), port))
}

/// A port nothing listens on, on `ip` (loopback for a wildcard): a socket bound to a free port
/// and never put in the listening state. Connections to it are refused; while the socket is
/// held, no other socket can bind the port (it has no `SO_REUSEADDR`), so it stays closed.
fn closed_port(ip: IpAddr) -> io::Result<(TcpSocket, SocketAddr)> {
    let ip = match ip {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    let socket = if ip.is_ipv4() { TcpSocket::new_v4()? } else { TcpSocket::new_v6()? };
    socket.bind(SocketAddr::new(ip, 0))?;
    let addr = socket.local_addr()?;
    Ok((socket, addr))
}

/// The registry every cluster pulls from, and its pull account.
const REGISTRY: &str = "registry.example.com";
const PULL_USER: &str = "fleet-puller";

/// Days until `default/edge-tls` expires on cluster `member`.
fn edge_tls_days(member: usize) -> i64 {
    match member {
        1 => 10,
        2 => 25,
        3 => 200,
        _ => 90,
    }
}

/// The Secrets the fleet adds to cluster `member` (1-based), all in `default`:
///
/// - `registry-creds` (dockerconfigjson) everywhere, the same bytes but on `fleet-2`, whose
///   password was rotated;
/// - `app-config` (Opaque) everywhere with `LOG_LEVEL` and `API_URL`; `fleet-2` lacks `API_URL`,
///   `fleet-3` has `LOG_LEVEL=debug` and an extra `FEATURE_X`;
/// - `edge-tls` (tls) everywhere, a certificate signed by the demo CA at start that expires in
///   10 days on `fleet-1`, 25 on `fleet-2`, 200 on `fleet-3` and 90 on the others;
/// - `old-api-key` (Opaque) on `fleet-2` only, referenced by nothing.
///
/// Clusters beyond the third are like `fleet-1` but for `edge-tls`.
pub fn overlay(member: usize, now: Timestamp) -> Result<Vec<Value>, String> {
    let secret = |name: &str, kind: &str, data: Value| {
        json!({"apiVersion": "v1", "kind": "Secret",
               "metadata": {"name": name, "namespace": "default", "labels": {"app.kubernetes.io/part-of": "fleet"}},
               "type": kind, "data": data})
    };
    let password = if member == 2 { "pull-Qx7v-2025-rotated" } else { "pull-Hk3m-2024" };
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{PULL_USER}:{password}"));
    let docker = json!({"auths": {REGISTRY: {"username": PULL_USER, "password": password, "auth": auth}}}).to_string();
    let mut out = vec![secret(
        "registry-creds",
        "kubernetes.io/dockerconfigjson",
        json!({".dockerconfigjson": encode_value(docker.as_bytes())}),
    )];

    let mut config = serde_json::Map::new();
    config.insert("LOG_LEVEL".into(), json!(encode_value(if member == 3 { b"debug" } else { b"info" })));
    if member != 2 {
        config.insert("API_URL".into(), json!(encode_value(b"https://api.example.com/v2")));
    }
    if member == 3 {
        config.insert("FEATURE_X".into(), json!(encode_value(b"enabled")));
    }
    out.push(secret("app-config", "Opaque", Value::Object(config)));

    let (crt, key) = signed(
        &["edge.example.com"],
        now - SignedDuration::from_hours(24 * 80),
        now + SignedDuration::from_hours(24 * edge_tls_days(member)),
    )?;
    out.push(secret(
        "edge-tls",
        "kubernetes.io/tls",
        json!({"tls.crt": encode_value(crt.as_bytes()), "tls.key": encode_value(key.as_bytes()),
               "ca.crt": encode_value(CA_CRT.as_bytes())}),
    ));

    if member == 2 {
        out.push(secret("old-api-key", "Opaque", json!({"api-key": encode_value(b"ak_2023_9f41c07d2be85a36")})));
    }
    Ok(out)
}

/// Stores the overlay of cluster `member` as created objects (`ServerOptions::fleet_member`).
pub(crate) fn load_overlay(store: &Store, now: Timestamp, member: usize) -> Result<(), String> {
    for obj in overlay(member, now)? {
        insert(store, obj, now).map_err(|e| format!("fleet overlay of {}: {e}", context_name(member)))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(secrets: &[Value], name: &str) -> Vec<String> {
        let s = secrets.iter().find(|s| s["metadata"]["name"] == name).unwrap();
        s["data"].as_object().unwrap().keys().cloned().collect()
    }

    #[test]
    fn the_overlay_drifts_as_documented() {
        let now = Timestamp::now();
        let [one, two, three] = [1, 2, 3].map(|i| overlay(i, now).unwrap());
        let data = |secrets: &[Value], name: &str| {
            secrets.iter().find(|s| s["metadata"]["name"] == name).unwrap()["data"].clone()
        };
        assert_eq!(data(&one, "registry-creds"), data(&three, "registry-creds"));
        assert_ne!(data(&one, "registry-creds"), data(&two, "registry-creds"));
        assert_eq!(keys(&one, "app-config"), ["LOG_LEVEL", "API_URL"]);
        assert_eq!(keys(&two, "app-config"), ["LOG_LEVEL"]);
        assert_eq!(keys(&three, "app-config"), ["LOG_LEVEL", "API_URL", "FEATURE_X"]);
        assert_ne!(data(&one, "app-config")["LOG_LEVEL"], data(&three, "app-config")["LOG_LEVEL"]);
        let names =
            |s: &[Value]| s.iter().map(|s| s["metadata"]["name"].as_str().unwrap().to_string()).collect::<Vec<_>>();
        assert!(names(&two).contains(&"old-api-key".to_string()));
        assert!(
            !names(&one).contains(&"old-api-key".to_string()) && !names(&three).contains(&"old-api-key".to_string())
        );
    }

    #[test]
    fn member_ports_count_up_from_a_fixed_port() {
        let fixed: SocketAddr = "127.0.0.1:8001".parse().unwrap();
        assert_eq!(member_addr(fixed, 3).unwrap().port(), 8003);
        let free: SocketAddr = "127.0.0.1:0".parse().unwrap();
        assert_eq!(member_addr(free, 3).unwrap().port(), 0);
        assert!(member_addr("127.0.0.1:65535".parse().unwrap(), 2).is_err());
    }
}
