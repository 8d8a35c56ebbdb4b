//! Connections that say nothing, or too little, are closed; the number of connections is capped;
//! a watch is not idle. Raw TCP and TLS sockets, so that the server's own deadlines are what is
//! tested, with the deadlines made short through `ServerOptions`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use keyhole_apiserver::{DemoServer, ServerOptions};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const SHORT: Duration = Duration::from_millis(300);
const LONG: Duration = Duration::from_secs(60);

async fn server(opts: ServerOptions) -> DemoServer {
    DemoServer::start(ServerOptions { demo_data: false, ..opts }).await.expect("server starts")
}

async fn tls(server: &DemoServer, alpn: &[u8]) -> tokio_rustls::client::TlsStream<TcpStream> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(server.ca_pem.as_bytes()) {
        roots.add(cert.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![alpn.to_vec()];
    let tcp = TcpStream::connect(server.addr).await.unwrap();
    let name = ServerName::try_from("localhost").unwrap();
    tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, tcp).await.expect("TLS handshake")
}

/// Waits until the peer closes the connection (EOF, or an error such as a reset or a TLS close
/// without close_notify) and returns how long that took; panics if it is still open after `within`.
async fn closed_within(io: &mut (impl AsyncRead + Unpin), within: Duration) -> Duration {
    let start = Instant::now();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout_at((start + within).into(), io.read(&mut buf)).await {
            Err(_) => panic!("the connection is still open after {within:?}"),
            Ok(Ok(0) | Err(_)) => return start.elapsed(),
            Ok(Ok(_)) => {}
        }
    }
}

/// True if nothing arrives and the connection stays open for `d`.
async fn open_and_quiet_for(io: &mut (impl AsyncRead + Unpin), d: Duration) -> bool {
    let mut buf = [0u8; 64];
    tokio::time::timeout(d, io.read(&mut buf)).await.is_err()
}

/// Reads one HTTP/1.1 response to GET /healthz (body `ok`).
async fn read_healthz(io: &mut (impl AsyncRead + Unpin)) {
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    while !got.ends_with(b"\r\n\r\nok") {
        let n = tokio::time::timeout(Duration::from_secs(5), io.read(&mut buf)).await.unwrap().unwrap();
        assert!(n > 0, "closed before the response: {}", String::from_utf8_lossy(&got));
        got.extend_from_slice(&buf[..n]);
    }
    assert!(got.starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&got));
}

const HEALTHZ: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n";

#[tokio::test]
async fn a_connection_that_never_sends_a_client_hello_is_closed() {
    let server = server(ServerOptions { tls_handshake_timeout: SHORT, ..ServerOptions::default() }).await;
    let mut tcp = TcpStream::connect(server.addr).await.unwrap();
    let took = closed_within(&mut tcp, Duration::from_secs(5)).await;
    assert!(took >= SHORT - Duration::from_millis(50), "closed after {took:?}, before the deadline");
    // Half a ClientHello is no better.
    let mut tcp = TcpStream::connect(server.addr).await.unwrap();
    tcp.write_all(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01]).await.unwrap();
    closed_within(&mut tcp, Duration::from_secs(5)).await;
}

#[tokio::test]
async fn a_connection_that_sends_no_request_is_closed() {
    let server = server(ServerOptions { header_read_timeout: SHORT, ..ServerOptions::default() }).await;
    for alpn in [&b"http/1.1"[..], b"h2"] {
        let mut conn = tls(&server, alpn).await;
        let took = closed_within(&mut conn, Duration::from_secs(5)).await;
        assert!(took >= SHORT - Duration::from_millis(50), "{alpn:?}: closed after {took:?}");
    }
}

#[tokio::test]
async fn http1_headers_must_arrive_within_the_header_timeout() {
    let server =
        server(ServerOptions { header_read_timeout: SHORT, idle_timeout: LONG, ..ServerOptions::default() }).await;
    let mut conn = tls(&server, b"http/1.1").await;
    conn.write_all(HEALTHZ).await.unwrap();
    read_healthz(&mut conn).await;
    // The next request starts and its headers never end.
    conn.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n").await.unwrap();
    closed_within(&mut conn, Duration::from_secs(5)).await;
}

#[tokio::test]
async fn idle_connections_are_closed_but_a_watch_is_not_idle() {
    let server =
        server(ServerOptions { header_read_timeout: LONG, idle_timeout: SHORT, ..ServerOptions::default() }).await;
    // Kept alive after a request, then idle.
    let mut conn = tls(&server, b"http/1.1").await;
    conn.write_all(HEALTHZ).await.unwrap();
    read_healthz(&mut conn).await;
    closed_within(&mut conn, Duration::from_secs(5)).await;
    // A watch streams for as long as it lasts, events or not.
    let token = &server.users.admin().token;
    let mut conn = tls(&server, b"http/1.1").await;
    let watch = format!(
        "GET /api/v1/namespaces/default/secrets?watch=1 HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\n\r\n"
    );
    conn.write_all(watch.as_bytes()).await.unwrap();
    let mut buf = [0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(5), conn.read(&mut buf)).await.unwrap().unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&buf[..n]));
    assert!(open_and_quiet_for(&mut conn, SHORT * 4).await, "the watch was cut off as idle");
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_until_one_closes() {
    let server =
        server(ServerOptions { max_connections: 2, tls_handshake_timeout: LONG, ..ServerOptions::default() }).await;
    let first = TcpStream::connect(server.addr).await.unwrap();
    let _second = TcpStream::connect(server.addr).await.unwrap();
    // The third is queued by the kernel, but the server does not take it: no handshake.
    let pending = tokio::time::timeout(Duration::from_millis(500), tls(&server, b"http/1.1")).await;
    assert!(pending.is_err(), "a third connection was served while two were open");
    // When one of the two goes away, the waiting client is served.
    drop(first);
    let mut conn = tokio::time::timeout(Duration::from_secs(5), tls(&server, b"http/1.1")).await.expect("served");
    conn.write_all(HEALTHZ).await.unwrap();
    read_healthz(&mut conn).await;
}
