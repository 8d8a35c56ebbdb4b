//! A kubeconfig exec credential plugin that asks the user something (a device code, SSO, MFA)
//! when its token expires while the TUI runs: keyhole leaves its screen, says why, lets the
//! plugin have the terminal, and comes back with nothing lost. The real binary in a
//! pseudo-terminal against the embedded cluster.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "common/pty.rs"]
mod pty;

use std::path::Path;
use std::time::Duration;

use pty::Tty;

/// A plugin that, in its first two seconds (kube-rs runs it two or three times while it builds
/// a client), gives a token valid for 62 s without asking (kube-rs asks again within 60 s of an
/// expiry, so two seconds later), and from then on prompts on stderr, reads a code from the
/// terminal, notes it in `$ANSWERS`, and gives a token valid for an hour.
const PLUGIN: &str = r#"#!/bin/sh
now=$(date +%s)
[ -f "$FIRST_RUN" ] || echo "$now" > "$FIRST_RUN"
if [ "$now" -lt $(( $(cat "$FIRST_RUN") + 2 )) ]; then
  exp=$(date -u -d '+62 seconds' +%Y-%m-%dT%H:%M:%SZ)
else
  printf 'To sign in, enter the code from your phone: ' >&2
  read -r code
  echo "$code" >> "$ANSWERS"
  exp=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
fi
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"%s"}}' "$TOKEN" "$exp"
"#;

fn kubeconfig(server: &keyhole_apiserver::DemoServer, dir: &Path) -> std::path::PathBuf {
    let plugin = dir.join("sign-in");
    std::fs::write(&plugin, PLUGIN).unwrap();
    std::fs::set_permissions(&plugin, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let token = server.users.admin().token.clone();
    let mut config = kube::config::Kubeconfig::from_yaml(&server.kubeconfig()).unwrap();
    let admin = config.auth_infos.iter_mut().find(|a| a.name == "admin").unwrap().auth_info.as_mut().unwrap();
    admin.token = None;
    // No interactiveMode: IfAvailable, as `aws eks update-kubeconfig` and kubelogin write it.
    admin.exec = Some(
        serde_json::from_value(serde_json::json!({
            "apiVersion": "client.authentication.k8s.io/v1",
            "command": plugin.to_str().unwrap(),
            "env": [
                {"name": "TOKEN", "value": token},
                {"name": "FIRST_RUN", "value": dir.join("first-run").to_str().unwrap()},
                {"name": "ANSWERS", "value": dir.join("answers").to_str().unwrap()},
            ],
        }))
        .unwrap(),
    );
    let path = dir.join("kubeconfig");
    std::fs::write(&path, serde_json::to_string(&config).unwrap()).unwrap();
    path
}

#[test]
fn a_credential_plugin_that_prompts_gets_the_terminal_and_keyhole_comes_back() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(common::demo());
    let dir = tempfile::tempdir().unwrap();
    let config = kubeconfig(&server, dir.path());
    let home = dir.path().join("home");
    std::fs::create_dir(&home).unwrap();
    let mut tty = Tty::spawn(
        &["--kubeconfig", config.to_str().unwrap(), "-n", "default"],
        &[("HOME", home.to_str().unwrap()), ("XDG_RUNTIME_DIR", dir.path().to_str().unwrap())],
    );
    tty.wait_for("mysecret");
    std::thread::sleep(Duration::from_millis(2500));
    const PROMPT: &str = "enter the code from your phone";
    if !tty.appears_within(PROMPT, 3000) {
        // Nothing in the background needed the cluster: opening a Secret does.
        tty.send("\r");
    }
    tty.wait_for(PROMPT);
    let shell = tty.screen();
    assert!(shell.contains("a credential plugin of your kubeconfig (exec) needs the terminal"), "{shell}");
    assert!(
        !shell.contains("USED BY") && !shell.contains("1 Data"),
        "keyhole's screen is gone while the plugin asks:\n{shell}"
    );
    tty.send("4711\r");
    tty.wait_for("credential plugin asked for the terminal");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("answers")).unwrap(),
        "4711\n",
        "the plugin read what was typed"
    );
    // Back where it was (the list, or the Secret that was being read, now read), and the
    // keyboard works as before.
    if tty.screen().contains("1 Data") {
        tty.wait_for("press v to reveal");
        tty.send("\x1b");
    }
    tty.wait_for("USED BY");
    tty.open_secret("mysecret");
    tty.send("q");
    tty.send("q");
    assert!(tty.wait_exit().success());
    drop(server);
}

#[test]
fn without_a_keyhole_to_ask_the_wrapper_just_runs_the_plugin_and_passes_its_exit_code_on() {
    let run = |script: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_keyhole"))
            .args(["exec-credential", "--", "sh", "-c", script])
            .env("KUBERNETES_EXEC_INFO", r#"{"spec":{"interactive":true}}"#)
            .env("KEYHOLE_TERMINAL", "/nonexistent/terminal.sock")
            .output()
            .unwrap()
    };
    let ok = run("echo '{\"kind\":\"ExecCredential\"}'");
    assert!(ok.status.success());
    assert_eq!(String::from_utf8_lossy(&ok.stdout), "{\"kind\":\"ExecCredential\"}\n");
    let failed = run("echo 'not signed in' >&2; exit 3");
    assert_eq!(failed.status.code(), Some(3));
    assert_eq!(String::from_utf8_lossy(&failed.stderr), "not signed in\n");
}
