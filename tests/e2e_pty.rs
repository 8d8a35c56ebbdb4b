//! End-to-end: the real `keyhole --demo` binary in a pseudo-terminal, read back through a
//! terminal emulator (vt100), driven with keystrokes as a person would.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

#[path = "common/pty.rs"]
mod pty;

use pty::Tty;

#[test]
fn demo_open_mysecret_reveal_username_and_see_who_uses_it() {
    let home = tempfile::tempdir().unwrap();
    let mut tty = Tty::spawn(&["--demo"], &[("HOME", home.path().to_str().unwrap())]);
    tty.wait_for("mysecret");
    tty.wait_for("USED BY");
    tty.open_secret("mysecret");
    tty.wait_for("mysecret in default");
    tty.wait_for("username");
    assert!(!tty.screen().contains("admin"), "values are masked until asked for");
    tty.send("jjj");
    tty.send("v");
    tty.wait_for("admin");
    tty.send("2");
    tty.wait_for("Pod mypod");
    tty.send("q");
    tty.send("q");
    let status = tty.wait_exit();
    assert!(status.success(), "{status:?}");
    // The alternate screen is gone: the terminal shows what was there before keyhole.
    assert!(!tty.screen().contains("mysecret in default"), "{}", tty.screen());
}

/// A Secret that a controller manages (the demo's service-account token): the real binary
/// names the manager on the Secret screen and asks before an edit and a delete.
#[test]
fn a_managed_secret_names_its_manager_and_asks_before_edit_and_delete() {
    let home = tempfile::tempdir().unwrap();
    let mut tty = Tty::spawn(&["--demo"], &[("HOME", home.path().to_str().unwrap())]);
    tty.wait_for("USED BY");
    tty.wait_for("MANAGED token-con");
    tty.open_secret("secret-sa-sample");
    tty.wait_for("Managed: the token controller (ServiceAccount build-robot) fills it");
    tty.send("a");
    tty.wait_for("It is managed by the token controller");
    tty.wait_for("y edits it anyway");
    tty.send("n");
    tty.wait_until("no answers no", |s| !s.contains("It is managed by") && !s.contains("New key"));
    tty.send("D");
    tty.wait_for("tokens taken from it stop working at once");
    tty.send("n");
    tty.wait_until("the dialog closes", |s| !s.contains("tokens taken from it"));
    assert!(tty.screen().contains("secret-sa-sample in default"), "still on the Secret:\n{}", tty.screen());
    tty.send("q");
    tty.send("q");
    let status = tty.wait_exit();
    assert!(status.success(), "{status:?}");
}

/// The demo's TLS Secret that cert-manager issues for its Certificate: named on the Secret
/// screen, and asked about before an edit and a delete.
#[test]
fn the_demos_cert_manager_secret_names_its_certificate_and_asks_before_edit_and_delete() {
    let home = tempfile::tempdir().unwrap();
    let mut tty = Tty::spawn(&["--demo", "-n", "shop"], &[("HOME", home.path().to_str().unwrap())]);
    tty.wait_for("USED BY");
    tty.wait_for("shop-gateway-tls");
    tty.open_secret("shop-gateway-tls");
    tty.wait_for("Managed: cert-manager Certificate shop-gateway re-issues it: your edit will be replaced");
    tty.send("e");
    tty.wait_for("It is managed by cert-manager Certificate shop-gateway");
    tty.send("n");
    tty.wait_until("no answers no", |s| !s.contains("It is managed by"));
    tty.send("D");
    tty.wait_for("it issues a new certificate and private key");
    tty.send("n");
    tty.wait_until("the dialog closes", |s| !s.contains("it issues a new certificate"));
    tty.send("q");
    tty.send("q");
    let status = tty.wait_exit();
    assert!(status.success(), "{status:?}");
}

/// Tab and Shift-Tab switch the opened Secret's tabs, as the footer and the help say.
#[test]
fn tab_and_shift_tab_switch_tabs() {
    let home = tempfile::tempdir().unwrap();
    let mut tty = Tty::spawn(&["--demo"], &[("HOME", home.path().to_str().unwrap())]);
    tty.wait_for("USED BY");
    tty.open_secret("mysecret");
    assert!(!tty.screen().contains("Pod mypod"), "the Data tab first");
    tty.send("\t");
    tty.wait_for("Pod mypod");
    tty.send("\t");
    tty.wait_until("Tab leaves Used by for Details", |s| s.contains("resourceVersion") && !s.contains("Pod mypod"));
    // Shift-Tab, as terminals send it: CSI Z.
    tty.send("\x1b[Z");
    tty.wait_for("Pod mypod");
    tty.send("\x1b[Z");
    tty.wait_for("press v to reveal");
    tty.send("\x1b[Z");
    tty.wait_for("resourceVersion");
}

/// SIGTERM, SIGHUP, SIGINT and SIGQUIT from another process end keyhole with the terminal
/// restored (in the TUI, Ctrl-C is a key; these come from `kill`, a supervisor, a closed ssh).
#[test]
fn signals_restore_the_terminal() {
    for signal in ["TERM", "HUP", "INT", "QUIT"] {
        let home = tempfile::tempdir().unwrap();
        let mut tty = Tty::spawn(&["--demo"], &[("HOME", home.path().to_str().unwrap())]);
        tty.wait_for("USED BY");
        let pid = tty.child.process_id().expect("a pid");
        let killed =
            std::process::Command::new("kill").args([&format!("-{signal}"), &pid.to_string()]).status().unwrap();
        assert!(killed.success());
        let status = tty.wait_exit();
        assert!(status.success(), "SIG{signal} ends keyhole cleanly: {status:?}");
        let parser = tty.parser.lock().unwrap();
        assert!(!parser.screen().alternate_screen(), "SIG{signal}: left the alternate screen");
        assert!(!parser.screen().hide_cursor(), "SIG{signal}: the cursor is visible again");
    }
}

#[test]
fn demo_edit_password_apply_and_see_it_after_reopening() {
    let home = tempfile::tempdir().unwrap();
    let mut tty = Tty::spawn(&["--demo"], &[("HOME", home.path().to_str().unwrap())]);
    tty.wait_for("USED BY");
    tty.open_secret("mysecret");
    tty.set_mysecret_password_and_apply("s3cr3t-e2e");
    tty.send("\r");
    tty.wait_for("mysecret in default");
    // The values are read after the screen opens: j before that scrolls the empty value pane.
    tty.wait_for("press v to reveal");
    tty.send("jj");
    tty.send("v");
    tty.wait_for("s3cr3t-e2e");
    tty.send("q");
    tty.send("q");
    assert!(tty.wait_exit().success());
}

#[test]
fn ctrl_z_suspends_and_fg_resumes_with_a_full_redraw() {
    // Job control needs a shell that does it: an interactive bash in the pseudo-terminal.
    if std::process::Command::new("bash").arg("--version").output().is_err() {
        eprintln!("skipping: bash not found");
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let mut tty = Tty::spawn_command(
        "bash",
        &["--norc", "--noprofile", "-i"],
        &[("HOME", home.path().to_str().unwrap()), ("PS1", "sh$ ")],
    );
    tty.wait_for("sh$");
    tty.send(&format!("{} --demo\r", env!("CARGO_BIN_EXE_keyhole")));
    tty.wait_for("USED BY");
    tty.send("\x1a");
    tty.wait_for("Stopped");
    assert!(!tty.parser.lock().unwrap().screen().alternate_screen(), "the terminal is given back while stopped");
    tty.send("fg\r");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !tty.parser.lock().unwrap().screen().alternate_screen() {
        assert!(Instant::now() < deadline, "keyhole did not take the terminal back:\n{}", tty.screen());
        std::thread::sleep(Duration::from_millis(50));
    }
    tty.wait_for("USED BY");
    tty.send("q");
    tty.wait_for("sh$");
    tty.send("exit\r");
    tty.wait_exit();
}

#[test]
fn flags_are_read_for_rows_on_screen_and_for_rows_that_come_into_view() {
    // 2,000 generated Secrets: app-00001-tls (near the top) and app-01001-tls (some 900 rows
    // down) carry a certificate that expires 12 days after the start.
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let server = rt
        .block_on(keyhole_apiserver::DemoServer::start(keyhole_apiserver::ServerOptions {
            scale: 2000,
            ..Default::default()
        }))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(&kubeconfig, server.kubeconfig()).unwrap();
    let log = dir.path().join("keyhole.log");
    let home = dir.path().to_str().unwrap();
    let mut tty = Tty::spawn(
        &["--kubeconfig", kubeconfig.to_str().unwrap(), "-A", "--debug", "--log-file", log.to_str().unwrap()],
        &[("HOME", home)],
    );
    tty.wait_for("app-00001-tls");
    tty.wait_for("EXPIRES");
    let inspected = || {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split_once("inspecting ").map(|(_, rest)| rest.to_string()))
            .flat_map(|rest| rest.split_once(": ").map(|(_, names)| names.to_string()))
            .flat_map(|names| names.split(' ').map(str::to_string).collect::<Vec<_>>())
            .collect::<Vec<String>>()
    };
    let first = inspected();
    assert!(first.iter().any(|n| n.ends_with("/app-00001-tls")), "{first:?}");
    assert!(!first.iter().any(|n| n.ends_with("/app-01001-tls")), "read before it was on screen");
    // 200 TLS Secrets and 1,400 read by key: only a screen's worth and a page around it.
    assert!(first.len() < 150, "{} Secrets read for a 40-row screen", first.len());

    tty.send("/app-01001-tls");
    tty.wait_for("1 of 2");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !inspected().iter().any(|n| n.ends_with("/app-01001-tls")) {
        assert!(Instant::now() < deadline, "app-01001-tls was never read:\n{}", tty.screen());
        std::thread::sleep(Duration::from_millis(50));
    }
    tty.wait_for("EXPIRES");
    tty.send("\x1b");
    tty.send("q");
    drop(tty);
    rt.block_on(server.shutdown());
}
