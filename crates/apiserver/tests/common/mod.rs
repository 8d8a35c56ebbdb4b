//! Shared by the embedded cluster's tests: start it, get clients for its users.
#![allow(dead_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use keyhole_apiserver::{DemoServer, ServerOptions};

/// The embedded cluster with the demo data on a free loopback port.
pub async fn demo() -> DemoServer {
    DemoServer::start(ServerOptions::default()).await.expect("demo server starts")
}

/// The embedded cluster with only the default namespaces.
pub async fn empty() -> DemoServer {
    DemoServer::start(ServerOptions { demo_data: false, ..ServerOptions::default() }).await.expect("server starts")
}

pub async fn client(server: &DemoServer, user: &str) -> kube::Client {
    server.client(user).await.expect("client for demo user")
}

/// The `reason` and `code` of a kube API error, for asserting on Status shapes.
pub fn status(err: &kube::Error) -> (String, u16, String) {
    match err {
        kube::Error::Api(s) => (s.reason.clone(), s.code, s.message.clone()),
        other => panic!("expected an API error, got {other:?}"),
    }
}
