//! What a user sees when keyhole cannot connect: one clear paragraph, a non-zero exit, within
//! seconds, and the terminal untouched (these run without a terminal at all).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

#[path = "common/pty.rs"]
mod pty;

use pty::Tty;

use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn keyhole(args: &[&str], home: &std::path::Path, kubeconfig: Option<&std::path::Path>) -> (Output, Duration) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_keyhole"));
    // Not in a Pod either, even when the tests run in one (keyhole would use its service account).
    cmd.args(args)
        .env("HOME", home)
        .env_remove("KUBECONFIG")
        .env_remove("KUBERNETES_SERVICE_HOST")
        .env_remove("KUBERNETES_SERVICE_PORT");
    if let Some(k) = kubeconfig {
        cmd.env("KUBECONFIG", k);
    }
    let start = Instant::now();
    let out = cmd.output().expect("keyhole runs");
    (out, start.elapsed())
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn kubeconfig(dir: &std::path::Path, server: &str, ca_pem: Option<&str>) -> std::path::PathBuf {
    use base64::Engine as _;
    let ca = ca_pem
        .map(|c| format!("    certificate-authority-data: {}\n", base64::engine::general_purpose::STANDARD.encode(c)))
        .unwrap_or_default();
    let text = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: {server}\n{ca}contexts:\n- name: here\n  context:\n    cluster: c\n    user: u\ncurrent-context: here\nusers:\n- name: u\n  user:\n    token: t\n"
    );
    let path = dir.join("kubeconfig");
    std::fs::write(&path, text).unwrap();
    path
}

/// A first run: no KUBECONFIG, no ~/.kube/config, not in a Pod. keyhole and keyhole list say
/// so, where they looked, and how to try the demo instead.
#[test]
fn no_kubeconfig_says_where_it_looked_and_suggests_the_demo() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join(".kube").join("config");
    for (args, code) in [(&[][..], 1), (&["list"][..], 2), (&["list", "-A", "-o", "json"][..], 2)] {
        let (out, _) = keyhole(args, home.path(), None);
        assert_eq!(out.status.code(), Some(code), "{args:?}");
        let err = stderr(&out);
        let prefix = if args.is_empty() { "keyhole: " } else { "keyhole list: " };
        assert!(err.starts_with(&format!("{prefix}No kubeconfig found: ")), "{err}");
        assert!(err.contains(&format!("{} does not exist, and this is not a Pod", config.display())), "{err}");
        assert!(err.contains("keyhole --demo") && err.contains("keyhole demo-server"), "{err}");
        assert!(err.contains("KUBECONFIG=<the file it names> keyhole"), "{err}");
        assert!(!err.contains("os error"), "no raw I/O error for a first run: {err}");
        assert!(out.stdout.is_empty(), "nothing drawn or listed");
    }
    // An empty KUBECONFIG is no KUBECONFIG, as for kubectl.
    let (out, _) = keyhole(&["list"], home.path(), Some(std::path::Path::new("")));
    assert!(stderr(&out).starts_with("keyhole list: No kubeconfig found: "), "{}", stderr(&out));
}

/// The TUI in a terminal with no kubeconfig: the message, and the terminal never taken over
/// (no alternate screen, no raw mode left behind), so the message stays on screen.
#[test]
fn no_kubeconfig_in_a_terminal_prints_the_message_without_taking_the_screen() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path().to_str().unwrap();
    let mut tty = Tty::spawn(&[], &[("HOME", home), ("KUBECONFIG", ""), ("KUBERNETES_SERVICE_HOST", "")]);
    tty.wait_for("No kubeconfig found: ");
    let status = tty.wait_exit();
    assert_eq!(status.exit_code(), 1);
    let screen = tty.screen();
    assert!(screen.contains("keyhole --demo") && screen.contains("keyhole demo-server"), "{screen}");
    let raw = String::from_utf8_lossy(&tty.raw.lock().unwrap()).into_owned();
    assert!(!raw.contains("\x1b[?1049h"), "the alternate screen was entered: {raw:?}");
}

#[test]
fn in_a_pod_without_a_kubeconfig_or_a_service_account_token_the_message_says_both() {
    // The fallback itself runs against the embedded cluster in src/cluster/connect.rs's tests;
    // here the binary takes that path, in an environment that looks like a Pod.
    if std::path::Path::new("/var/run/secrets/kubernetes.io/serviceaccount").exists() {
        eprintln!("skipped: this machine has a service account mounted, so keyhole would really connect");
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_keyhole"))
        .env("HOME", home.path())
        .env_remove("KUBECONFIG")
        .env("KUBERNETES_SERVICE_HOST", "127.0.0.1")
        .env("KUBERNETES_SERVICE_PORT", "1")
        .output()
        .expect("keyhole runs");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("No kubeconfig")
            && err.contains("service account cannot be used")
            && err.contains("/var/run/secrets/kubernetes.io/serviceaccount/token")
            && err.contains("keyhole --demo"),
        "{err}"
    );
}

#[test]
fn a_missing_kubeconfig_file_is_named() {
    let home = tempfile::tempdir().unwrap();
    let (out, _) = keyhole(&["--kubeconfig", "/nonexistent/config"], home.path(), None);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("Cannot read the kubeconfig /nonexistent/config"), "{}", stderr(&out));
}

#[test]
fn an_unknown_context_lists_the_known_ones() {
    let home = tempfile::tempdir().unwrap();
    let kc = kubeconfig(home.path(), "https://127.0.0.1:1", None);
    let (out, _) = keyhole(&["--context", "prod"], home.path(), Some(&kc));
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("There is no context named \"prod\"") && err.contains("here"), "{err}");
}

#[test]
fn an_unreachable_cluster_is_reported_quickly() {
    let home = tempfile::tempdir().unwrap();
    let kc = kubeconfig(home.path(), "https://127.0.0.1:1", None);
    let (out, took) = keyhole(&[], home.path(), Some(&kc));
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("Cannot reach the cluster at https://127.0.0.1:1") && err.contains("connection refused"),
        "{err}"
    );
    assert!(took < Duration::from_secs(15), "took {took:?}");
}

#[test]
fn a_tls_error_names_the_certificate_problem() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(common::empty());
    let home = tempfile::tempdir().unwrap();
    // The demo PKI's CA did not sign this server's certificate.
    let kc = kubeconfig(home.path(), &server.url(), Some(include_str!("../assets/pki/ca.crt")));
    let (out, _) = keyhole(&[], home.path(), Some(&kc));
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("TLS with") && err.contains("certificate"), "{err}");
    drop(server);
}

#[test]
fn bad_credentials_are_a_401_message() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(common::empty());
    let home = tempfile::tempdir().unwrap();
    let kc = kubeconfig(home.path(), &server.url(), Some(&server.ca_pem));
    let (out, _) = keyhole(&[], home.path(), Some(&kc));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("rejected the credentials (401 Unauthorized)"), "{}", stderr(&out));
}
