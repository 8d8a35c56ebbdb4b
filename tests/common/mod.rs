//! Shared by the integration tests: start the embedded cluster, get clients for its users.
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

pub mod app;
