//! `keyhole demo-server` and the kubeconfig it writes: the admin's bearer token is in it, so it
//! goes to a per-user place, is created 0600 and never through a symlink; with
//! `--allow-remote` on a wildcard address it names a server other hosts can reach and verify.

#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read};
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A started `keyhole demo-server`, killed when dropped.
struct Running {
    child: Child,
    stdout: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How a run ended: serving (with what it printed), or exited (code and stderr).
enum Outcome {
    Serving(Running),
    Exited(Option<i32>, String),
}

/// Runs `keyhole demo-server ARGS` with HOME, TMPDIR and XDG_RUNTIME_DIR of the test's choosing,
/// until it says it serves or exits.
fn demo_server(args: &[&str], home: &Path, runtime_dir: Option<&Path>) -> Outcome {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_keyhole"));
    cmd.arg("demo-server")
        .args(args)
        .env("HOME", home)
        .env("TMPDIR", home.join("tmp"))
        .env_remove("KUBECONFIG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    std::fs::create_dir_all(home.join("tmp")).unwrap();
    match runtime_dir {
        Some(d) => cmd.env("XDG_RUNTIME_DIR", d),
        None => cmd.env_remove("XDG_RUNTIME_DIR"),
    };
    let mut child = cmd.spawn().expect("keyhole runs");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut seen = String::new();
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            seen.push_str(&line);
            seen.push('\n');
            if line.starts_with("Press Ctrl-C") {
                let _ = tx.send(Some(seen.clone()));
            }
        }
        let _ = tx.send(None);
    });
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(Some(stdout)) => Outcome::Serving(Running { child, stdout }),
        Ok(None) => {
            let status = child.wait().unwrap();
            let mut err = String::new();
            child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
            Outcome::Exited(status.code(), err)
        }
        Err(_) => {
            let _ = child.kill();
            panic!("keyhole demo-server neither served nor exited within 60 s");
        }
    }
}

fn serving(outcome: Outcome) -> Running {
    match outcome {
        Outcome::Serving(r) => r,
        Outcome::Exited(code, err) => panic!("demo-server exited ({code:?}): {err}"),
    }
}

fn refused(outcome: Outcome) -> String {
    match outcome {
        Outcome::Serving(r) => panic!("demo-server should have refused, but serves:\n{}", r.stdout),
        Outcome::Exited(code, err) => {
            assert_eq!(code, Some(1), "{err}");
            err
        }
    }
}

/// The path after `kubeconfig written to `.
fn written_to(stdout: &str) -> PathBuf {
    let line = stdout.lines().find_map(|l| l.strip_prefix("kubeconfig written to ")).expect(stdout);
    PathBuf::from(line.trim())
}

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path).unwrap().permissions().mode() & 0o777
}

fn private_dir(path: &Path) -> PathBuf {
    std::fs::create_dir_all(path).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700)).unwrap();
    path.to_path_buf()
}

const LOOPBACK: &[&str] = &["--addr", "127.0.0.1:0"];

#[test]
fn the_default_kubeconfig_is_per_user_and_private() {
    let home = tempfile::tempdir().unwrap();
    // With XDG_RUNTIME_DIR (a per-user directory only its owner can enter): there.
    let run_dir = private_dir(&home.path().join("run"));
    let server = serving(demo_server(LOOPBACK, home.path(), Some(&run_dir)));
    let path = written_to(&server.stdout);
    assert_eq!(path, run_dir.join("keyhole-demo.kubeconfig"));
    assert_eq!(mode(&path), 0o600);
    assert!(std::fs::read_to_string(&path).unwrap().contains("token: "));
    drop(server);
    // Without it: ~/.kube, made 0700 when missing; never the shared temp directory.
    let server = serving(demo_server(LOOPBACK, home.path(), None));
    let path = written_to(&server.stdout);
    assert_eq!(path, home.path().join(".kube/keyhole-demo.kubeconfig"));
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(&home.path().join(".kube")), 0o700);
    assert_eq!(std::fs::read_dir(home.path().join("tmp")).unwrap().count(), 0, "nothing in the temp directory");
}

#[test]
fn a_world_readable_kubeconfig_left_from_before_is_replaced_by_a_private_one() {
    let home = tempfile::tempdir().unwrap();
    let run_dir = private_dir(&home.path().join("run"));
    let default = run_dir.join("keyhole-demo.kubeconfig");
    let explicit = home.path().join("out.kubeconfig");
    for (path, args) in [
        (&default, LOOPBACK.to_vec()),
        (&explicit, [LOOPBACK, &["--kubeconfig-out", explicit.to_str().unwrap()]].concat()),
    ] {
        std::fs::write(path, "stale").unwrap();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let server = serving(demo_server(&args, home.path(), Some(&run_dir)));
        assert_eq!(&written_to(&server.stdout), path);
        assert_eq!(mode(path), 0o600, "{}", path.display());
        let text = std::fs::read_to_string(path).unwrap();
        assert!(text.contains("token: ") && !text.contains("stale"), "{text}");
    }
}

#[test]
fn a_symlink_in_place_of_the_kubeconfig_is_refused_not_followed() {
    let home = tempfile::tempdir().unwrap();
    let run_dir = private_dir(&home.path().join("run"));
    let target = home.path().join("victim");
    std::fs::write(&target, "precious").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).unwrap();
    let default = run_dir.join("keyhole-demo.kubeconfig");
    let explicit = home.path().join("link.kubeconfig");
    let dangling = home.path().join("dangling.kubeconfig");
    symlink(&target, &default).unwrap();
    symlink(&target, &explicit).unwrap();
    symlink(home.path().join("nowhere"), &dangling).unwrap();
    for (path, args) in [
        (&default, LOOPBACK.to_vec()),
        (&explicit, [LOOPBACK, &["--kubeconfig-out", explicit.to_str().unwrap()]].concat()),
        (&dangling, [LOOPBACK, &["--kubeconfig-out", dangling.to_str().unwrap()]].concat()),
    ] {
        let err = refused(demo_server(&args, home.path(), Some(&run_dir)));
        assert!(err.contains(&path.display().to_string()) && err.contains("symbolic link"), "{err}");
        assert!(err.contains("--kubeconfig-out"), "says what to do: {err}");
        assert!(std::fs::symlink_metadata(path).unwrap().file_type().is_symlink(), "the link is left alone");
    }
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious");
    assert_eq!(mode(&target), 0o644);
    assert!(!home.path().join("nowhere").exists());
}

/// `--allow-remote` on 0.0.0.0: the kubeconfig must name an address other hosts can use (not
/// 0.0.0.0), and the serving certificate must carry it, so that TLS verification passes.
#[test]
fn allow_remote_on_a_wildcard_address_names_a_reachable_server_in_the_certificate() {
    let home = tempfile::tempdir().unwrap();
    let run_dir = private_dir(&home.path().join("run"));
    let server = serving(demo_server(&["--addr", "0.0.0.0:0", "--allow-remote"], home.path(), Some(&run_dir)));
    let path = written_to(&server.stdout);
    let text = std::fs::read_to_string(&path).unwrap();
    let url = text.lines().find_map(|l| l.trim().strip_prefix("server: ")).expect(&text).to_string();
    assert!(!url.contains("0.0.0.0") && !url.contains("127.0.0.1") && !url.contains("localhost"), "{url}");
    assert!(server.stdout.contains(&url), "the URL is printed: {}", server.stdout);
    // A client that verifies the certificate against that URL gets through.
    let out = Command::new(env!("CARGO_BIN_EXE_keyhole"))
        .args(["list", "-A", "-o", "json", "--kubeconfig", path.to_str().unwrap()])
        .env("HOME", home.path())
        .env_remove("KUBECONFIG")
        .output()
        .unwrap();
    assert!(out.status.success(), "{url}: {}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("mysecret"));
}

/// A non-loopback address without `--allow-remote` is refused before anything is served or
/// written, with what to do instead.
#[test]
fn a_non_loopback_address_is_refused_without_allow_remote() {
    let home = tempfile::tempdir().unwrap();
    let run_dir = home.path().join("run");
    std::fs::create_dir(&run_dir).unwrap();
    let Outcome::Exited(code, stderr) = demo_server(&["--addr", "0.0.0.0:0"], home.path(), Some(&run_dir)) else {
        panic!("the demo cluster served on 0.0.0.0 without --allow-remote")
    };
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("refusing to listen on 0.0.0.0:0"), "{stderr}");
    assert!(stderr.contains("127.0.0.1:8001") && stderr.contains("--allow-remote"), "{stderr}");
    assert_eq!(std::fs::read_dir(&run_dir).unwrap().count(), 0, "no kubeconfig was written");
}

/// `--without-crd`: a cluster where cert-manager is not installed (its group is absent from
/// discovery) while the other demo CRDs are.
#[test]
fn without_crd_leaves_an_operator_out_of_discovery() {
    let home = tempfile::tempdir().unwrap();
    let run_dir = private_dir(&home.path().join("run"));
    let args = ["--addr", "127.0.0.1:0", "--without-crd", "cert-manager.io,sealedsecrets.bitnami.com"];
    let server = serving(demo_server(&args, home.path(), Some(&run_dir)));
    let path = written_to(&server.stdout);
    let groups = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let kubeconfig = kube::config::Kubeconfig::read_from(&path).unwrap();
        let mut config = kube::Config::from_custom_kubeconfig(kubeconfig, &kube::config::KubeConfigOptions::default())
            .await
            .unwrap();
        config.proxy_url = None;
        let client = kube::Client::try_from(config).unwrap();
        client.list_api_groups().await.unwrap().groups.into_iter().map(|g| g.name).collect::<Vec<_>>()
    });
    assert!(!groups.iter().any(|g| g == "cert-manager.io" || g == "bitnami.com"), "{groups:?}");
    assert!(groups.iter().any(|g| g == "gateway.networking.k8s.io"), "{groups:?}");
}

/// `--clusters 3`: three clusters on ports of their own behind one kubeconfig, with fleet-down
/// refused and fleet-forbidden a 403; keyhole itself reaches each context.
#[test]
fn clusters_serves_a_fleet_behind_one_kubeconfig() {
    let home = tempfile::tempdir().unwrap();
    let run_dir = private_dir(&home.path().join("run"));
    let server = serving(demo_server(&["--addr", "127.0.0.1:0", "--clusters", "3"], home.path(), Some(&run_dir)));
    let path = written_to(&server.stdout);
    assert_eq!(mode(&path), 0o600);
    let contexts = "fleet-1, fleet-2, fleet-3, fleet-down, fleet-forbidden";
    assert!(server.stdout.contains(contexts), "{}", server.stdout);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("current-context: fleet-1\n"), "{text}");
    let mut servers: Vec<&str> = text.lines().filter_map(|l| l.trim().strip_prefix("server: ")).collect();
    assert_eq!(servers.len(), 4, "three clusters and fleet-down: {text}");
    for url in &servers[..3] {
        assert!(server.stdout.contains(url), "{url} is printed: {}", server.stdout);
    }
    servers.sort_unstable();
    servers.dedup();
    assert_eq!(servers.len(), 4, "a port each: {text}");

    let (secrets, down, forbidden) = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let client = |context: &str| {
            let path = path.clone();
            let context = context.to_string();
            async move {
                let kubeconfig = kube::config::Kubeconfig::read_from(&path).unwrap();
                let options = kube::config::KubeConfigOptions { context: Some(context), ..Default::default() };
                let mut config = kube::Config::from_custom_kubeconfig(kubeconfig, &options).await.unwrap();
                config.proxy_url = None;
                kube::Client::try_from(config).unwrap()
            }
        };
        let mut secrets = Vec::new();
        for i in 1..=3 {
            let api = kube::Api::<k8s_openapi::api::core::v1::Secret>::namespaced(
                client(&format!("fleet-{i}")).await,
                "default",
            );
            let list = api.list(&Default::default()).await.unwrap();
            secrets.push(list.items.into_iter().filter_map(|s| s.metadata.name).collect::<Vec<_>>());
        }
        let down = kube::Api::<k8s_openapi::api::core::v1::Secret>::namespaced(client("fleet-down").await, "default")
            .list(&Default::default())
            .await
            .expect_err("nothing listens");
        let forbidden =
            kube::Api::<k8s_openapi::api::core::v1::Secret>::namespaced(client("fleet-forbidden").await, "default")
                .list(&Default::default())
                .await
                .expect_err("getter may not list");
        (secrets, down, forbidden)
    });
    for (i, names) in secrets.iter().enumerate() {
        for name in ["mysecret", "registry-creds", "app-config", "edge-tls"] {
            assert!(names.iter().any(|n| n == name), "fleet-{}: {name} in {names:?}", i + 1);
        }
        assert_eq!(names.iter().any(|n| n == "old-api-key"), i == 1, "fleet-{}", i + 1);
    }
    assert!(format!("{down:?}").to_lowercase().contains("connection refused"), "{down:?}");
    assert!(matches!(&forbidden, kube::Error::Api(s) if s.code == 403), "{forbidden:?}");

    // keyhole reaches a context of the fleet by name.
    let out = Command::new(env!("CARGO_BIN_EXE_keyhole"))
        .args(["list", "-n", "default", "-o", "json", "--context", "fleet-2", "--kubeconfig", path.to_str().unwrap()])
        .env("HOME", home.path())
        .env_remove("KUBECONFIG")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("old-api-key"));
}
