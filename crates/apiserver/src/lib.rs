//! keyhole-apiserver, the embedded cluster (DESIGN.md decision 3): a Kubernetes-compatible API
//! server inside keyhole, serving namespaces, secrets, pods, serviceaccounts, persistentvolumes,
//! deployments, replicasets, statefulsets, daemonsets, jobs, cronjobs, ingresses,
//! storageclasses, customresourcedefinitions and the custom resources they define, the RBAC
//! kinds (which decide every request, `rbac/`), and access reviews, from memory over HTTP on
//! loopback. kubectl and kube-rs talk to it unchanged; it is how the demo runs and how every
//! flow is tested.

pub mod api;
pub mod auth;
pub mod controller;
pub mod crd;
pub mod data;
pub mod decode;
pub mod demo_kinds;
pub mod discovery;
pub mod fleet;
pub mod hosts;
pub mod images;
pub mod jsonpath;
pub mod kinds;
pub mod kubelet;
pub mod managed;
pub mod objects;
pub mod patch;
pub mod protobuf;
pub mod rbac;
pub mod requests;
pub mod resources;
pub mod scale;
pub mod selectors;
pub mod serve;
pub mod status;
pub mod store;
pub mod table;
pub mod tls;
pub mod watch;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use tokio::net::TcpListener;
use tokio::sync::watch as signal;
use tokio::task::JoinHandle;

use self::api::AppState;
use self::auth::Users;
pub use self::fleet::{Fleet, FleetOptions};
pub use self::requests::{Request, Requests};
use self::store::Store;
pub use self::watch::WatchStall;

/// How to start the embedded cluster.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Where to listen; port 0 picks a free port.
    pub addr: SocketAddr,
    /// Load the demo data (the Kubernetes documentation's examples and their consumers).
    pub demo_data: bool,
    /// Extra generated Secrets and Pods, for benchmarks.
    pub scale: usize,
    /// How often watches with `allowWatchBookmarks` get a BOOKMARK.
    pub bookmark_interval: Duration,
    /// Events kept for watches to resume from; older resourceVersions get 410.
    pub event_log: usize,
    /// A connection that has not finished its TLS handshake within this is closed: a client
    /// that connects and never sends a ClientHello does not hold a socket forever.
    pub tls_handshake_timeout: Duration,
    /// The first request's headers must arrive within this after the handshake, and on
    /// HTTP/1.1 every request's headers within this of the connection waiting for them
    /// (kube-apiserver's `ReadHeaderTimeout` is 32 s).
    pub header_read_timeout: Duration,
    /// A connection with no request in flight for this long is closed (kube-apiserver's
    /// `IdleTimeout` is 90 s). A watch is in flight for as long as it streams.
    pub idle_timeout: Duration,
    /// Connections served at once. Beyond it the server accepts no more until one closes;
    /// new clients wait in the kernel's listen backlog (and are refused when that is full).
    pub max_connections: usize,
    /// The Kubernetes version reported (1.`minor`): clients that follow the server's version
    /// (keyhole's envFrom rule) behave as against that version.
    pub minor: u32,
    /// Makes every watch stop sending at a point (after its initial events, or after N events)
    /// while its connection stays open: no more events, no bookmarks, no end at
    /// `timeoutSeconds`. A dead connection as a client sees it. Off (`None`) by default.
    pub watch_stall: Option<WatchStall>,
    /// Compacts the event log every interval to the version it had at the previous one, as
    /// kube-apiserver's etcd compactor does (`--etcd-compaction-interval`, 5 minutes by
    /// default): continue tokens and watches older than that get 410. `None` (the default):
    /// only `event_log`'s bound drops old events.
    pub compaction_interval: Option<Duration>,
    /// More bearer tokens, each for a demo user by name, as kube-apiserver's
    /// `--token-auth-file` adds static tokens: for tests whose clients get their tokens
    /// elsewhere (an OIDC issuer, an exec plugin). Empty by default.
    pub static_tokens: Vec<(String, String)>,
    /// CustomResourceDefinitions not to install, by CRD name (`certificates.cert-manager.io`) or
    /// by group (`cert-manager.io`): a cluster without that operator, whose group is absent from
    /// discovery and whose paths are 404s. The demo objects of those kinds go with them (the
    /// Secrets they made stay, as when an operator is uninstalled). Empty by default: every demo
    /// CRD is installed (`demo_kinds::CRDS`).
    pub without_crds: Vec<String>,
    /// The time between two steps of a rollout (`controller.rs`): a Pod created at one step
    /// runs (or fails to pull its image) at the next, a deleted one is gone at the next, and the
    /// Deployment, StatefulSet and DaemonSet controllers take one action per step. 1 s by
    /// default, so that a demo's rollout can be watched; tests make it short.
    pub rollout_pace: Duration,
    /// When set, every Deployment's progress deadline is at most this: tests see
    /// `ProgressDeadlineExceeded` in seconds. `None` (the default): `progressDeadlineSeconds`.
    pub progress_deadline_cap: Option<Duration>,
    /// This cluster is cluster `i` (1-based) of a demo fleet (`fleet.rs`): the fleet's
    /// overlapping and drifting Secrets for `i` are loaded on top of the other data. `None` (the
    /// default): a cluster of its own, without them.
    pub fleet_member: Option<usize>,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            demo_data: true,
            scale: 0,
            bookmark_interval: Duration::from_secs(60),
            event_log: 50_000,
            tls_handshake_timeout: Duration::from_secs(10),
            header_read_timeout: Duration::from_secs(32),
            idle_timeout: Duration::from_secs(90),
            max_connections: 512,
            minor: discovery::SERVER_MINOR,
            watch_stall: None,
            compaction_interval: None,
            static_tokens: Vec::new(),
            without_crds: Vec::new(),
            rollout_pace: Duration::from_secs(1),
            progress_deadline_cap: None,
            fleet_member: None,
        }
    }
}

/// A running embedded cluster.
#[derive(Debug)]
pub struct DemoServer {
    /// Where it listens (possibly a wildcard address such as 0.0.0.0).
    pub addr: SocketAddr,
    /// The names clients use to reach it, the first in `url()`; all are in the certificate.
    pub hosts: Vec<String>,
    pub users: Users,
    pub store: Arc<Store>,
    /// PEM of the CA that signed the serving certificate.
    pub ca_pem: String,
    requests: Arc<Requests>,
    shutdown: signal::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl DemoServer {
    /// Binds, loads the data and starts serving in a background task.
    pub async fn start(opts: ServerOptions) -> std::io::Result<DemoServer> {
        let listener = TcpListener::bind(opts.addr).await?;
        let addr = listener.local_addr()?;
        let store = Arc::new(Store::new(opts.event_log));
        let users = Users::demo().with_static_tokens(&opts.static_tokens);
        let now = jiff::Timestamp::now();
        if opts.demo_data {
            data::load(&store, now, opts.scale).map_err(std::io::Error::other)?;
            demo_kinds::load(&store, now).map_err(std::io::Error::other)?;
        } else {
            data::load_namespaces(&store, &["default", "kube-system", "kube-public"]);
            data::load_policy(&store, now).map_err(std::io::Error::other)?;
            demo_kinds::install_crds(&store, now).map_err(std::io::Error::other)?;
        }
        if let Some(member) = opts.fleet_member {
            fleet::load_overlay(&store, now, member).map_err(std::io::Error::other)?;
        }
        crd::uninstall(&store, &opts.without_crds);
        let hosts = hosts::advertised(addr.ip());
        let url = hosts::url(hosts.first().map_or("127.0.0.1", String::as_str), addr.port());
        let state = Arc::new(AppState::new(
            store.clone(),
            users.clone(),
            url.trim_start_matches("https://").to_string(),
            &opts,
        ));
        let requests = state.requests.clone();
        let tls = tls::ServerTls::generate(&hosts)?;
        let acceptor = tokio_rustls::TlsAcceptor::from(tls.config.clone());
        let (tx, rx) = signal::channel(false);
        let limits = serve::Limits {
            tls_handshake_timeout: opts.tls_handshake_timeout,
            header_read_timeout: opts.header_read_timeout,
            idle_timeout: opts.idle_timeout,
            max_connections: opts.max_connections,
        };
        if let Some(interval) = opts.compaction_interval {
            tokio::spawn(compactor(store.clone(), interval, rx.clone()));
        }
        // The controllers see what changes from now on: the data just loaded is settled.
        let events = store.lock().subscribe_now();
        let rollouts = controller::Config { pace: opts.rollout_pace, deadline_cap: opts.progress_deadline_cap };
        tokio::spawn(controller::run(store.clone(), events, rollouts, rx.clone()));
        let task = tokio::spawn(serve::serve(listener, acceptor, state, limits, rx));
        Ok(DemoServer { addr, hosts, users, store, ca_pem: tls.ca_pem, requests, shutdown: tx, task: Some(task) })
    }

    /// The requests served so far, counted by kind (user, verb, resource, namespace, status):
    /// a test shows with them that a client does not spin.
    /// `server.requests().count(|r| r.is("watch", "secrets"))`.
    pub fn requests(&self) -> &Requests {
        &self.requests
    }

    /// The server URL clients use: a reachable address even when listening on a wildcard.
    pub fn url(&self) -> String {
        hosts::url(self.hosts.first().map_or("127.0.0.1", String::as_str), self.addr.port())
    }

    /// A kubeconfig with one context per demo user; the admin's is the current context.
    pub fn kubeconfig(&self) -> String {
        let mut out = String::new();
        out.push_str("apiVersion: v1\nkind: Config\n");
        out.push_str("# keyhole embedded demo cluster. Demo credentials only; they change at every start.\n");
        let ca = base64::engine::general_purpose::STANDARD.encode(&self.ca_pem);
        out.push_str(&format!(
            "clusters:\n- name: keyhole-demo\n  cluster:\n    server: {}\n    certificate-authority-data: {ca}\n",
            self.url()
        ));
        out.push_str("contexts:\n");
        for u in self.users.all() {
            out.push_str(&format!(
                "- name: {}\n  context:\n    cluster: keyhole-demo\n    user: {}\n    namespace: {}\n",
                u.context, u.name, u.default_namespace
            ));
        }
        out.push_str(&format!("current-context: {}\n", self.users.admin().context));
        out.push_str("users:\n");
        for u in self.users.all() {
            out.push_str(&format!("- name: {}\n  user:\n    token: {}\n", u.name, u.token));
        }
        out.push_str("preferences: {}\n");
        out
    }

    /// A kube-rs client for one of the demo users, built from the kubeconfig like any cluster.
    pub async fn client(&self, user: &str) -> Result<kube::Client, kube::Error> {
        let context = self.users.by_name(user).map(|u| u.context.clone());
        let kubeconfig =
            kube::config::Kubeconfig::from_yaml(&self.kubeconfig()).map_err(kube::Error::InferKubeconfig)?;
        let options = kube::config::KubeConfigOptions { context, ..Default::default() };
        let mut config =
            kube::Config::from_custom_kubeconfig(kubeconfig, &options).await.map_err(kube::Error::InferKubeconfig)?;
        // Directly, whatever HTTPS_PROXY says: the server is on this machine, and kubectl never
        // sends loopback traffic to a proxy from the environment either.
        config.proxy_url = None;
        kube::Client::try_from(config)
    }

    /// Stops serving and waits for the server task to end.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            // Open watches end with the server's runtime; do not wait on them for long.
            let _ = tokio::time::timeout(Duration::from_secs(2), task).await;
        }
    }
}

/// etcd's compaction as kube-apiserver drives it (apiserver `storage/etcd3/compact.go`
/// `runCompactLoop`): every `interval`, compact to the version recorded at the previous tick, so
/// that what was written during the last interval stays readable.
async fn compactor(store: Arc<Store>, interval: Duration, mut stop: signal::Receiver<bool>) {
    let mut previous: Option<u64> = None;
    loop {
        tokio::select! {
            _ = stop.changed() => return,
            _ = tokio::time::sleep(interval) => {}
        }
        let mut s = store.lock();
        if let Some(rv) = previous {
            s.compact_to(rv);
        }
        previous = Some(s.rv());
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}
