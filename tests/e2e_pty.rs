//! End-to-end: the real `keyhole --demo` binary in a pseudo-terminal, read back through a
//! terminal emulator (vt100), driven with keystrokes as a person would.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

mod common;

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
    tty.wait_for("Who can read mysecret");
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

/// The value editor's readline keys, undo and redo, and a bracketed paste, as a terminal sends
/// them: Ctrl-E, Ctrl-U, Alt-b (ESC b), Ctrl-_ (0x1F), Ctrl-R, and ESC [200~ ... ESC [201~.
/// The value stays masked; each step is checked on the editor's counter of position and size.
#[test]
fn demo_edit_password_with_readline_keys_undo_redo_and_paste_then_apply() {
    let home = tempfile::tempdir().unwrap();
    let mut tty = Tty::spawn(&["--demo"], &[("HOME", home.path().to_str().unwrap())]);
    tty.wait_for("USED BY");
    tty.open_secret("mysecret");
    tty.send("jj");
    tty.send("e");
    tty.wait_for("password (text");
    tty.wait_for("Ln 1/1, Col 1 · 12 bytes");
    tty.send("\x05"); // Ctrl-E
    tty.wait_for("Col 13 · 12 bytes");
    tty.send("\x15"); // Ctrl-U
    tty.wait_for("Col 1 · 0 bytes");
    tty.send("typed-e2e");
    tty.wait_for("Col 10 · 9 bytes");
    tty.send("\x1bb"); // Alt-b
    tty.wait_for("Col 7 · 9 bytes");
    tty.send("\x1f"); // Ctrl-_ (and Ctrl-/): undo the typing
    tty.wait_for("Col 1 · 0 bytes");
    tty.send("\x12"); // Ctrl-R: redo
    tty.wait_for("Col 7 · 9 bytes");
    tty.send("\x05");
    tty.wait_for("Col 10 · 9 bytes");
    tty.send("\x1b[200~-pasted\x1b[201~");
    tty.wait_for("Col 17 · 16 bytes");
    assert!(!tty.screen().contains("typed-e2e"), "masked while edited:\n{}", tty.screen());
    tty.send("\x13"); // Ctrl-S keeps the value
    tty.wait_for("EDITED: 1 change");
    tty.send("A");
    tty.wait_for("Review: update mysecret");
    tty.send("\r");
    tty.wait_for("The server accepts it");
    tty.send("\r");
    tty.wait_for("Applied: mysecret");
    tty.apply_ends_in_the_restart_window();
    tty.send("q");
    tty.send("q");
    tty.wait_for("USED BY");
    tty.send("\r");
    tty.wait_for("mysecret in default");
    tty.wait_for("press v to reveal");
    tty.send("jj");
    tty.send("v");
    tty.wait_for("typed-e2e-pasted");
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
    // The screen already holds two prompts ("sh$ keyhole --demo", "sh$ fg"): wait for the third,
    // which bash prints once keyhole has ended and readline has the terminal. Typed earlier,
    // "exit" can reach the terminal while keyhole restores it, be echoed and then be dropped.
    tty.wait_until("bash prompts again after keyhole ends", |screen| screen.matches("sh$").count() >= 3);
    assert!(!tty.parser.lock().unwrap().screen().alternate_screen(), "the terminal is given back on quit");
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

/// The issue's walk-through: change mysecret's password, restart the Deployment that reads it
/// through env from the window after the apply, and watch the rollout finish, in the real binary.
#[test]
fn after_the_apply_the_env_reader_is_restarted_and_its_rollout_followed() {
    let home = tempfile::tempdir().unwrap();
    let mut tty = Tty::spawn(&["--demo"], &[("HOME", home.path().to_str().unwrap())]);
    tty.wait_for("USED BY");
    tty.open_secret("mysecret");
    tty.send("jj");
    tty.send("e");
    tty.wait_for("password (text");
    tty.send("\x1b[F");
    tty.send(&"\x7f".repeat(12));
    tty.send("rotated-pty");
    tty.send("\x13");
    tty.wait_for("EDITED: 1 change");
    tty.send("A");
    tty.wait_for("Review: update mysecret");
    tty.send("\r");
    tty.wait_for("The server accepts it");
    tty.send("\r");
    tty.apply_ends_in_the_restart_window();
    tty.send("\r");
    tty.wait_for("done: deployment \"secret-env\" successfully rolled out");
    tty.send("q");
    tty.send("q");
    tty.wait_for("USED BY");
    tty.send("q");
    assert!(tty.wait_exit().success());
}

/// Rotate and undo in the real binary: `o` on the demo's grafana-admin (basic-auth, read by
/// the grafana Deployment through env) generates its password, the review applies it, the
/// restart window restarts grafana and follows it to the end; `U` puts the old one back.
#[test]
fn rotate_a_basic_auth_password_restart_its_reader_then_put_the_old_one_back() {
    let home = tempfile::tempdir().unwrap();
    let mut tty = Tty::spawn(&["--demo", "-n", "monitoring"], &[("HOME", home.path().to_str().unwrap())]);
    tty.wait_for("USED BY");
    tty.open_secret("grafana-admin");
    tty.send("o");
    tty.wait_for("Rotate the basic-auth password: length of the new random value");
    tty.send("\r");
    tty.wait_for("Review: update grafana-admin");
    tty.send("\r");
    tty.wait_for("The server accepts it");
    tty.send("\r");
    tty.wait_for("Restart: grafana-admin in monitoring");
    tty.wait_for("[x] Deployment grafana");
    tty.send("\r");
    tty.wait_for("done: deployment \"grafana\" successfully rolled out");
    tty.send("\x1b");
    tty.wait_until("the restart window is closed", |s| !s.contains("Restart: grafana-admin"));
    tty.send("U");
    tty.wait_for("Review: update grafana-admin");
    tty.send("\r");
    tty.wait_for("The server accepts it");
    tty.send("\r");
    // The old password is read at start too: the window is offered again.
    tty.wait_for("Restart: grafana-admin in monitoring");
    tty.send("\x1b");
    tty.wait_for("Put back the earlier version");
    tty.send("q");
    tty.send("q");
    assert!(tty.wait_exit().success());
}

/// The issue's stale-copy walk-through in the real binary, checked with kubectl: a Secret made
/// by `kubectl apply -f` of a stringData manifest is flagged PLAINTEXT-COPY; rotating its
/// password in keyhole removes the copy in the same write, and kubectl finds the old value
/// nowhere in the object.
#[test]
fn a_kubectl_applied_secret_is_flagged_and_its_rotation_leaves_no_old_value_anywhere() {
    let Some(kubectl) = common::kubectl() else {
        eprintln!("skipping: kubectl not found on PATH");
        return;
    };
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let server = rt.block_on(keyhole_apiserver::DemoServer::start(Default::default())).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(&kubeconfig, server.kubeconfig()).unwrap();
    let run = |args: &[&str], stdin: Option<&str>| {
        use std::io::Write as _;
        let mut child = std::process::Command::new(&kubectl)
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .args(["--cache-dir", dir.path().join("cache").to_str().unwrap()])
            .args(args)
            .env("HOME", dir.path())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin.unwrap_or("").as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "kubectl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    const OLD: &str = "Old-Pw-4kq9z";
    let manifest = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: applied-app\n  namespace: default\ntype: Opaque\nstringData:\n  password: {OLD}\n"
    );
    run(&["apply", "-f", "-"], Some(&manifest));
    let home = dir.path().to_str().unwrap();
    let mut tty = Tty::spawn(&["--kubeconfig", kubeconfig.to_str().unwrap(), "-n", "default"], &[("HOME", home)]);
    tty.wait_for("USED BY");
    tty.send("/applied-app");
    tty.wait_until("the row is flagged", |s| {
        s.lines().any(|l| l.contains("applied-app") && l.contains("PLAINTEXT-COPY"))
    });
    tty.send("\r"); // leaves the filter
    tty.send("\r"); // opens the row
    tty.wait_for("applied-app in default");
    tty.wait_for("press v to reveal");
    tty.send("o");
    tty.wait_for("Rotate password: length of the new random value");
    tty.send("\r");
    tty.wait_for("Review: update applied-app");
    tty.wait_for("plaintext copy of password");
    tty.wait_for("remove it (default)");
    tty.send("\r");
    tty.wait_for("The server accepts it");
    tty.send("\r");
    tty.wait_for("kubectl's last-applied copy removed");
    let json = run(&["get", "secret", "applied-app", "-o", "json"], None);
    let old_b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, OLD);
    assert!(!json.contains(OLD) && !json.contains(&old_b64), "the old value is still in the object:\n{json}");
    assert!(!json.contains("last-applied-configuration"), "{json}");
    tty.send("q");
    tty.send("q");
    assert!(tty.wait_exit().success());
    drop(tty);
    rt.block_on(server.shutdown());
}

/// A rollout that cannot finish, in the real binary: orders-worker's image tag is gone, so its
/// new Pods fail to pull; the restart window says why while it rolls, then reports the
/// Deployment's progress deadline (30 s in the demo) as a failure.
#[test]
fn a_restart_whose_pods_cannot_pull_their_image_is_reported_failing_with_the_reason() {
    let home = tempfile::tempdir().unwrap();
    let mut tty = Tty::spawn(&["--demo", "-n", "shop"], &[("HOME", home.path().to_str().unwrap())]);
    tty.wait_for("USED BY");
    tty.open_secret("shop-db");
    tty.send("R");
    tty.wait_for("Restart: shop-db in shop");
    tty.wait_for("[x] Deployment orders-worker");
    // Only orders-worker: every other chosen line is left out with Space.
    let screen = tty.screen();
    let lines: Vec<&str> = screen.lines().filter(|l| l.contains("[x] ") || l.contains("[ ] ")).collect();
    let at = lines.iter().position(|l| l.contains("Deployment orders-worker")).unwrap();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            tty.send("j");
        }
        if i != at && line.contains("[x] ") {
            tty.send(" ");
        }
    }
    tty.wait_until("only orders-worker is chosen", |s| s.matches("[x] ").count() == 1);
    tty.send("\r");
    tty.wait_until("the reason the new Pods do not start", |s| {
        s.lines().any(|l| l.contains("ErrImagePull") || l.contains("ImagePullBackOff"))
    });
    assert!(
        tty.appears_within("failed: deployment \"orders-worker\" exceeded its progress deadline", 60_000),
        "no failure reported:\n{}",
        tty.screen()
    );
    tty.send("\x1b");
    tty.send("q");
    tty.send("q");
    assert!(tty.wait_exit().success());
}

/// The Access tab in the real binary: `4` on mysecret names jane and the binding that lets her
/// read it.
#[test]
fn demo_access_tab_names_a_subject_and_its_path() {
    let home = tempfile::tempdir().unwrap();
    let mut tty = Tty::spawn(&["--demo"], &[("HOME", home.path().to_str().unwrap())]);
    tty.wait_for("USED BY");
    tty.open_secret("mysecret");
    tty.wait_for("mysecret in default");
    tty.send("4");
    tty.wait_for("User jane");
    tty.wait_for("RoleBinding default/jane-reads-mysecret");
    tty.send("q");
    tty.send("q");
    let status = tty.wait_exit();
    assert!(status.success(), "{status:?}");
}

#[test]
fn fleet_view_lists_every_context_and_compares_a_secret_across_them() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let two = rt.block_on(common::fleet::TwoClusters::start());
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(&kubeconfig, two.text()).unwrap();
    let mut tty =
        Tty::spawn(&["--kubeconfig", kubeconfig.to_str().unwrap()], &[("HOME", dir.path().to_str().unwrap())]);
    tty.wait_for("USED BY");
    tty.send("F");
    tty.wait_for("in 2 of 3 contexts");
    tty.wait_for(" down: ");
    tty.send("/mysecret");
    tty.send("\r");
    tty.send("c");
    tty.wait_for("key by key across the contexts");
    tty.wait_until("password differs between a and b", |s| {
        s.lines().any(|l| l.trim_start().starts_with("password") && l.contains("differs"))
    });
    assert!(!tty.screen().contains("another-password"), "no value on screen:\n{}", tty.screen());
    tty.send("\x1b");
    tty.wait_for("CONTEXT");
    tty.send("q");
    tty.wait_until("back at the list", |s| !s.contains("keyhole fleet") && s.contains("USED BY"));
    tty.send("q");
    assert!(tty.wait_exit().success());
    drop(two);
}
