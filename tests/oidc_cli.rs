//! A kubeconfig user with `auth-provider: oidc` whose `id-token` has expired: keyhole gets a new
//! one from the issuer with the `refresh-token`, as kubectl does, and goes on. The issuer is a
//! small HTTPS server in the test (discovery document and token endpoint); the embedded cluster
//! takes the new ID token as a static token of its admin (kube-apiserver's `--token-auth-file`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::{Arc, Mutex};

use base64::Engine as _;
use keyhole_apiserver::{DemoServer, ServerOptions};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

/// An unsigned JWT that expires at `exp` (seconds since the epoch): kube-rs, like client-go,
/// reads only its expiry; the API server decides whether it is valid.
fn jwt(exp: i64, subject: &str) -> String {
    let b64 = |v: serde_json::Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.c2lnbmF0dXJl",
        b64(serde_json::json!({"alg": "RS256", "typ": "JWT"})),
        b64(serde_json::json!({"iss": "test", "sub": subject, "exp": exp}))
    )
}

/// The issuer: what it was asked (request lines and bodies), and the CA that signed its
/// certificate.
struct Issuer {
    url: String,
    ca_pem: String,
    asked: Arc<Mutex<Vec<String>>>,
}

async fn issuer(new_id_token: String) -> Issuer {
    let tls = keyhole_apiserver::tls::ServerTls::generate(&[]).unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(tls.config.clone());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let asked: Arc<Mutex<Vec<String>>> = Arc::default();
    let (log, base) = (asked.clone(), url.clone());
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else { return };
            let Ok(mut conn) = acceptor.accept(tcp).await else { continue };
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            // The head, then as much body as Content-Length says.
            let (head, body) = loop {
                let Ok(n) = conn.read(&mut buf).await else { break (String::new(), String::new()) };
                if n == 0 {
                    break (String::new(), String::new());
                }
                request.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&request).into_owned();
                if let Some(end) = text.find("\r\n\r\n") {
                    let length = text[..end]
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_string())
                        })
                        .and_then(|v| v.parse::<usize>().ok())
                        .unwrap_or(0);
                    if request.len() >= end + 4 + length {
                        break (text[..end].to_string(), text[end + 4..end + 4 + length].to_string());
                    }
                }
            };
            let line = head.lines().next().unwrap_or_default().to_string();
            log.lock().unwrap().push(format!("{line} {body}"));
            let answer = if line.starts_with("GET /.well-known/openid-configuration") {
                serde_json::json!({"issuer": base, "token_endpoint": format!("{base}/token")}).to_string()
            } else if line.starts_with("POST /token") {
                serde_json::json!({"id_token": new_id_token, "refresh_token": "r2", "token_type": "Bearer"}).to_string()
            } else {
                "{}".to_string()
            };
            let response = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                answer.len()
            );
            let _ = conn.write_all(response.as_bytes()).await;
            let _ = conn.shutdown().await;
        }
    });
    Issuer { url, ca_pem: tls.ca_pem, asked }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_oidc_id_token_is_refreshed_with_the_refresh_token() {
    let now = jiff::Timestamp::now().as_second();
    let fresh = jwt(now + 3600, "fresh");
    let server = DemoServer::start(ServerOptions {
        static_tokens: vec![(fresh.clone(), "admin".into())],
        ..ServerOptions::default()
    })
    .await
    .unwrap();
    let issuer = issuer(fresh).await;
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("issuer-ca.pem");
    std::fs::write(&ca, &issuer.ca_pem).unwrap();

    let mut config = kube::config::Kubeconfig::from_yaml(&server.kubeconfig()).unwrap();
    let admin = config.auth_infos.iter_mut().find(|a| a.name == "admin").unwrap().auth_info.as_mut().unwrap();
    admin.token = None;
    admin.auth_provider = Some(
        serde_json::from_value(serde_json::json!({
            "name": "oidc",
            "config": {
                "idp-issuer-url": issuer.url,
                "client-id": "keyhole",
                "client-secret": "not-a-secret",
                "id-token": jwt(now - 60, "expired"),
                "refresh-token": "r1",
            }
        }))
        .unwrap(),
    );
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(&kubeconfig, serde_json::to_string(&config).unwrap()).unwrap();

    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_keyhole"));
    cmd.args(["list", "-n", "default", "--kubeconfig"]).arg(&kubeconfig);
    cmd.env("HOME", dir.path()).env("SSL_CERT_FILE", &ca).env_remove("SSL_CERT_DIR");
    for var in ["KUBECONFIG", "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"] {
        cmd.env_remove(var);
    }
    let out = cmd.output().await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "keyhole list with an expired id-token: {stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("mysecret"));
    let asked = issuer.asked.lock().unwrap().clone();
    assert!(
        asked.iter().any(|a| a.starts_with("POST /token")
            && a.contains("grant_type=refresh_token")
            && a.contains("refresh_token=r1")),
        "the issuer was asked for a new token with the refresh token: {asked:?}"
    );
    assert!(!stderr.contains("r1") && !stderr.contains("eyJ"), "no token in the messages: {stderr}");
}
