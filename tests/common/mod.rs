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

/// The embedded cluster rolling workloads quickly (100 ms a step), with short progress
/// deadlines: rollouts end within a test's patience.
pub async fn quick_cluster() -> DemoServer {
    DemoServer::start(ServerOptions {
        rollout_pace: std::time::Duration::from_millis(100),
        progress_deadline_cap: Some(std::time::Duration::from_secs(2)),
        ..ServerOptions::default()
    })
    .await
    .expect("demo server starts")
}

pub mod app;
pub mod fleet;

/// kubectl from PATH, when it is installed (tests that need it skip with a printed reason).
#[allow(dead_code)]
pub fn kubectl() -> Option<std::path::PathBuf> {
    let name = if cfg!(windows) { "kubectl.exe" } else { "kubectl" };
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths).map(|dir| dir.join(name)).find(|p| p.is_file())
}

/// kubectl on this cluster's kubeconfig and a cache of its own, with a deadline; stdin given.
pub async fn run_kubectl(dir: &std::path::Path, args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    use tokio::io::AsyncWriteExt as _;
    let mut cmd = tokio::process::Command::new("kubectl");
    cmd.arg("--kubeconfig")
        .arg(dir.join("kubeconfig"))
        .arg("--cache-dir")
        .arg(dir.join("cache"))
        .args(args)
        .env("HOME", dir)
        .env_remove("KUBECONFIG")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    let mut child = cmd.spawn().expect("kubectl starts");
    let mut pipe = child.stdin.take().unwrap();
    if let Some(input) = stdin {
        pipe.write_all(input.as_bytes()).await.unwrap();
    }
    drop(pipe);
    let out = tokio::time::timeout(std::time::Duration::from_secs(30), child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("kubectl {args:?} did not finish within 30 s"))
        .unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}
