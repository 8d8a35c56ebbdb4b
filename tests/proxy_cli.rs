//! Proxies as kubectl uses them (docs/cluster-access.md): `HTTPS_PROXY` and `NO_PROXY` from the
//! environment, a kubeconfig's `proxy-url` (http and socks5), and what the user reads when a
//! proxy fails. The real binary (`keyhole list`) against the embedded cluster, through an HTTP
//! CONNECT proxy and a SOCKS5 proxy written here: loopback only, started by each test, recording
//! every destination they are asked for.
//!
//! kubectl never sends loopback traffic to a proxy from the environment, so the tests that want
//! it proxied name the server `keyhole-test.invalid` (a name that never resolves: only the proxy
//! knows where it is) with `tls-server-name: localhost` for the certificate.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::{Arc, Mutex};

use keyhole_apiserver::DemoServer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The server name only the test proxies resolve.
const NAME: &str = "keyhole-test.invalid";

/// What a test proxy does with a request.
#[derive(Clone, Copy)]
enum Mode {
    /// Connect to this address, whatever destination was asked for.
    Tunnel(SocketAddr),
    /// HTTP: answer 407 Proxy Authentication Required. SOCKS5: answer the request with this
    /// reply code (5 = connection refused).
    Refuse(u8),
}

/// A proxy on a loopback port and the destinations it was asked for (`host:port`).
struct TestProxy {
    addr: SocketAddr,
    asked: Arc<Mutex<Vec<String>>>,
}

impl TestProxy {
    fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap().clone()
    }
}

/// A tiny HTTP proxy: CONNECT only.
async fn http_proxy(mode: Mode) -> TestProxy {
    serve(mode, |mut client, mode, asked| async move {
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            let mut byte = [0u8; 1];
            if client.read(&mut byte).await.unwrap_or(0) == 0 {
                return;
            }
            head.push(byte[0]);
        }
        let head = String::from_utf8_lossy(&head);
        let Some(dest) = head.strip_prefix("CONNECT ").and_then(|r| r.split(' ').next()) else {
            let _ = client.write_all(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n").await;
            return;
        };
        asked.lock().unwrap().push(dest.to_string());
        match mode {
            Mode::Refuse(_) => {
                let _ = client
                    .write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n")
                    .await;
            }
            Mode::Tunnel(to) => {
                let Ok(mut upstream) = TcpStream::connect(to).await else { return };
                let _ = client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n").await;
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
            }
        }
    })
    .await
}

/// A tiny SOCKS5 proxy: no authentication, CONNECT only, IPv4, domain and IPv6 destinations.
async fn socks5_proxy(mode: Mode) -> TestProxy {
    serve(mode, |mut client, mode, asked| async move {
        let mut greeting = [0u8; 2];
        if client.read_exact(&mut greeting).await.is_err() || greeting[0] != 5 {
            return;
        }
        let mut methods = vec![0u8; usize::from(greeting[1])];
        if client.read_exact(&mut methods).await.is_err() {
            return;
        }
        if !methods.contains(&0) {
            let _ = client.write_all(&[5, 0xff]).await;
            return;
        }
        let _ = client.write_all(&[5, 0]).await;
        let mut request = [0u8; 4];
        if client.read_exact(&mut request).await.is_err() {
            return;
        }
        let host = match request[3] {
            1 => {
                let mut ip = [0u8; 4];
                let _ = client.read_exact(&mut ip).await;
                std::net::Ipv4Addr::from(ip).to_string()
            }
            3 => {
                let len = client.read_u8().await.unwrap_or(0);
                let mut name = vec![0u8; usize::from(len)];
                let _ = client.read_exact(&mut name).await;
                String::from_utf8_lossy(&name).into_owned()
            }
            4 => {
                let mut ip = [0u8; 16];
                let _ = client.read_exact(&mut ip).await;
                format!("[{}]", std::net::Ipv6Addr::from(ip))
            }
            _ => return,
        };
        let port = client.read_u16().await.unwrap_or(0);
        asked.lock().unwrap().push(format!("{host}:{port}"));
        let reply = |code: u8| [5, code, 0, 1, 0, 0, 0, 0, 0, 0];
        if request[1] != 1 {
            let _ = client.write_all(&reply(7)).await;
            return;
        }
        match mode {
            Mode::Refuse(code) => {
                let _ = client.write_all(&reply(code)).await;
            }
            Mode::Tunnel(to) => {
                let Ok(mut upstream) = TcpStream::connect(to).await else {
                    let _ = client.write_all(&reply(5)).await;
                    return;
                };
                let _ = client.write_all(&reply(0)).await;
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
            }
        }
    })
    .await
}

async fn serve<F, Fut>(mode: Mode, handle: F) -> TestProxy
where
    F: Fn(TcpStream, Mode, Arc<Mutex<Vec<String>>>) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let asked = Arc::new(Mutex::new(Vec::new()));
    let seen = asked.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(handle(stream, mode, seen.clone()));
        }
    });
    TestProxy { addr, asked }
}

/// A loopback port nothing listens on.
async fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

struct Cluster {
    server: DemoServer,
    dir: tempfile::TempDir,
}

async fn cluster() -> Cluster {
    Cluster { server: common::demo().await, dir: tempfile::tempdir().unwrap() }
}

impl Cluster {
    /// The embedded cluster's kubeconfig, changed by `edit`, written to a file.
    fn kubeconfig(&self, file: &str, edit: impl Fn(String) -> String) -> PathBuf {
        let path = self.dir.path().join(file);
        std::fs::write(&path, edit(self.server.kubeconfig())).unwrap();
        path
    }

    /// The cluster at 127.0.0.1, as the embedded cluster writes it.
    fn direct(&self) -> PathBuf {
        self.kubeconfig("direct", |k| k)
    }

    /// The cluster known by a name that only the proxies resolve.
    fn by_name(&self) -> PathBuf {
        let url = self.server.url();
        let named = format!("https://{NAME}:{}\n    tls-server-name: localhost", self.server.addr.port());
        self.kubeconfig("by-name", move |k| k.replace(&url, &named))
    }

    /// The cluster at 127.0.0.1 with a `proxy-url`.
    fn with_proxy_url(&self, proxy_url: &str) -> PathBuf {
        let url = self.server.url();
        let with = format!("{url}\n    proxy-url: {proxy_url}");
        self.kubeconfig("proxy-url", move |k| k.replace(&url, &with))
    }

    /// Where the server is, as a CONNECT or SOCKS5 destination.
    fn dest(&self, host: &str) -> String {
        format!("{host}:{}", self.server.addr.port())
    }
}

/// `keyhole list` (or `keyhole`, the TUI, with `list` false) in the given proxy environment
/// and no other: every proxy variable of the test's own environment is removed first.
async fn keyhole(home: &Path, list: bool, kubeconfig: &Path, env: &[(&str, &str)]) -> Output {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_keyhole"));
    if list {
        cmd.args(["list", "-n", "default"]);
    }
    cmd.arg("--kubeconfig").arg(kubeconfig).env("HOME", home);
    for var in [
        "KUBECONFIG",
        "KUBERNETES_SERVICE_HOST",
        "KUBERNETES_SERVICE_PORT",
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "NO_PROXY",
        "no_proxy",
    ] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    cmd.output().await.expect("keyhole runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `keyhole list` worked: exit 0 and a Secret of the demo data listed.
fn listed(o: &Output) -> bool {
    o.status.code() == Some(0) && String::from_utf8_lossy(&o.stdout).contains("app-config-v1")
}

#[tokio::test]
async fn https_proxy_carries_the_connection() {
    let c = cluster().await;
    let proxy = http_proxy(Mode::Tunnel(c.server.addr)).await;
    let url = format!("http://{}", proxy.addr);
    let out = keyhole(c.dir.path(), true, &c.by_name(), &[("HTTPS_PROXY", &url)]).await;
    assert!(listed(&out), "{}", stderr(&out));
    let asked = proxy.asked();
    assert!(!asked.is_empty(), "the proxy saw no CONNECT");
    assert!(asked.iter().all(|d| *d == c.dest(NAME)), "the server's name goes to the proxy: {asked:?}");

    // The lower-case spelling, a value without a scheme (Go takes it as http://), and a user and
    // password, which the proxy does not ask for here.
    let bare = format!("alice:s3cret@{}", proxy.addr);
    let out = keyhole(c.dir.path(), true, &c.by_name(), &[("https_proxy", &bare)]).await;
    assert!(listed(&out), "{}", stderr(&out));
    assert!(proxy.asked().len() > asked.len());
}

#[tokio::test]
async fn loopback_and_no_proxy_go_direct() {
    let c = cluster().await;
    let proxy = http_proxy(Mode::Tunnel(c.server.addr)).await;
    let url = format!("http://{}", proxy.addr);
    let home = c.dir.path();

    // kubectl never proxies loopback addresses from the environment, NO_PROXY or not.
    let out = keyhole(home, true, &c.direct(), &[("HTTPS_PROXY", &url)]).await;
    assert!(listed(&out), "{}", stderr(&out));
    // NO_PROXY naming the server; with empty entries, which kube-rs alone refuses and kubectl skips.
    for no_proxy in ["127.0.0.1", "localhost,,127.0.0.0/8,"] {
        let out = keyhole(home, true, &c.direct(), &[("HTTPS_PROXY", &url), ("NO_PROXY", no_proxy)]).await;
        assert!(listed(&out), "NO_PROXY={no_proxy}: {}", stderr(&out));
    }
    // A domain suffix in no_proxy covers the name, so keyhole goes direct, where the name does not
    // resolve: the error is the cluster's address, not the proxy.
    let out = keyhole(home, true, &c.by_name(), &[("HTTPS_PROXY", &url), ("no_proxy", "example.com, .invalid")]).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("https://{NAME}:")) && !stderr(&out).contains("proxy"), "{}", stderr(&out));
    // HTTP_PROXY is for http:// servers only.
    let out = keyhole(home, true, &c.by_name(), &[("HTTP_PROXY", &url)]).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));

    assert_eq!(proxy.asked(), Vec::<String>::new(), "nothing went through the proxy");
}

#[tokio::test]
async fn a_kubeconfig_proxy_url_is_used_for_every_server() {
    let c = cluster().await;
    let socks = socks5_proxy(Mode::Tunnel(c.server.addr)).await;
    let kubeconfig = c.with_proxy_url(&format!("socks5://{}", socks.addr));
    // Loopback and NO_PROXY do not matter for a proxy-url, as in kubectl.
    let out = keyhole(c.dir.path(), true, &kubeconfig, &[("NO_PROXY", "*")]).await;
    assert!(listed(&out), "{}", stderr(&out));
    let asked = socks.asked();
    assert!(!asked.is_empty() && asked.iter().all(|d| *d == c.dest("127.0.0.1")), "{asked:?}");

    let http = http_proxy(Mode::Tunnel(c.server.addr)).await;
    let kubeconfig = c.with_proxy_url(&format!("http://{}", http.addr));
    let out = keyhole(c.dir.path(), true, &kubeconfig, &[]).await;
    assert!(listed(&out), "{}", stderr(&out));
    assert!(!http.asked().is_empty());
}

#[tokio::test]
async fn a_failing_proxy_is_named_without_its_password() {
    let c = cluster().await;
    let home = c.dir.path();
    let assert_clean = |out: &Output| {
        let err = stderr(out);
        assert!(!err.contains("s3cret") && !err.contains("alice"), "credentials in the message: {err}");
        assert!(out.stdout.is_empty());
    };

    // Nothing listens.
    let port = closed_port().await;
    let url = format!("http://alice:s3cret@127.0.0.1:{port}");
    let out = keyhole(home, true, &c.by_name(), &[("HTTPS_PROXY", &url)]).await;
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("Cannot reach the proxy http://127.0.0.1:{port} (HTTPS_PROXY)"))
            && err.contains("connection refused")
            && err.contains("NO_PROXY"),
        "{err}"
    );
    assert_clean(&out);
    // The TUI says the same and exits 1, before touching the terminal.
    let out = keyhole(home, false, &c.by_name(), &[("HTTPS_PROXY", &url)]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("Cannot reach the proxy"), "{}", stderr(&out));
    assert_clean(&out);

    // 407, with and without a user and password in the URL.
    let strict = http_proxy(Mode::Refuse(0)).await;
    let url = format!("http://alice:s3cret@{}", strict.addr);
    let out = keyhole(home, true, &c.by_name(), &[("HTTPS_PROXY", &url)]).await;
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("The proxy http://{} (HTTPS_PROXY) did not accept the user and password", strict.addr))
            && err.contains("407"),
        "{err}"
    );
    assert_clean(&out);
    let out = keyhole(home, true, &c.by_name(), &[("HTTPS_PROXY", &format!("http://{}", strict.addr))]).await;
    assert!(stderr(&out).contains("requires a user and password (407"), "{}", stderr(&out));

    // A SOCKS5 proxy that cannot reach the destination.
    let socks = socks5_proxy(Mode::Refuse(5)).await;
    let kubeconfig = c.with_proxy_url(&format!("socks5://alice:s3cret@{}", socks.addr));
    let out = keyhole(home, true, &kubeconfig, &[]).await;
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "The SOCKS5 proxy socks5://{} (the cluster's proxy-url in the kubeconfig) could not connect to the cluster",
            socks.addr
        )) && err.contains("connection refused"),
        "{err}"
    );
    assert_clean(&out);

    // A proxy-url kubectl would refuse, refused the same way.
    let kubeconfig = c.with_proxy_url(&format!("socks5h://alice:s3cret@{}", socks.addr));
    let out = keyhole(home, true, &kubeconfig, &[]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("has a scheme kubectl does not support"), "{}", stderr(&out));
    assert_clean(&out);
}
