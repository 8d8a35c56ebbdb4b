//! No value in the log (DESIGN.md decision 6): the real binary with `--debug` in a
//! pseudo-terminal, a session that opens and reveals every value of Secrets of every kind, then a scan of the
//! log for every value of the demo data.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "common/pty.rs"]
mod pty;

use base64::Engine as _;
use keyhole_core::secret::{Secret, codec};
use keyhole_core::validate::manifest;
use pty::Tty;

/// The demo Secrets' values as text, their base64 forms, and each longer line of multi-line
/// values. Values too short or too common to be told apart from ordinary log text (`true`,
/// `bar`, the namespace `default`) are left out; `admin` is checked on its own.
/// The value typed in the edit session.
const EDITED_VALUE: &str = "l0gged-n3ver-0k";

fn demo_values() -> Vec<String> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/demo/10-secrets.yaml")).unwrap();
    let loaded = manifest::load(&text);
    assert!(loaded.error.is_none());
    let mut out = Vec::new();
    for doc in loaded.documents {
        let secret = Secret::from_json(&doc.value).unwrap();
        for (_, v) in secret.entries() {
            out.push(codec::encode_value(v));
            out.push(base64::engine::general_purpose::STANDARD_NO_PAD.encode(v.as_bytes()));
            if let Some(s) = v.as_str() {
                out.push(s.trim().to_string());
                out.extend(s.lines().map(|l| l.trim().to_string()).filter(|l| !l.starts_with("-----")));
            }
        }
    }
    out.retain(|v| v.len() >= 8);
    out.sort();
    out.dedup();
    out
}

fn session(extra_env: &[(&str, &str)]) -> String {
    let home = tempfile::tempdir().unwrap();
    let state = home.path().join("state");
    let mut env = vec![
        ("HOME", home.path().to_str().unwrap()),
        ("XDG_CONFIG_HOME", home.path().to_str().unwrap()),
        ("XDG_STATE_HOME", state.to_str().unwrap()),
    ];
    env.extend_from_slice(extra_env);
    let mut tty = Tty::spawn(&["--demo", "-A", "--debug"], &env);
    tty.wait_for("USED BY");
    tty.wait_for("mysecret");
    // Open, reveal every value, look at every tab; for a Secret of each kind.
    // Each pair: the Secret, the position of a key among its sorted keys, and part of its value.
    for (name, index, shows) in [
        ("mysecret", 2, "1f2d1e2e67df"),
        ("secret-basic-auth", 0, "t0p-Secret"),
        ("secret-tiger-docker", 0, "my-registry"),
        ("secret-tls", 0, "BEGIN CERTIFICATE"),
        ("ssh-key-secret", 1, "ssh-rsa AAAAB3"),
        ("bootstrap-token-5emitj", 3, "kq4gihvszzgn1p0r"),
        ("secret-sa-sample", 3, "eyJhbGciOi"),
        ("shop-db", 0, "s3cr3t-sh0p"),
        ("grafana-admin", 0, "gr4fana-Adm1n"),
        ("binary-truststore", 0, "00000000"),
    ] {
        tty.open_secret(name);
        tty.send(&"j".repeat(index));
        tty.send("v");
        tty.wait_for(shows);
        // And every other value too.
        tty.send("V");
        tty.send("3");
        tty.send("2");
        tty.send("1");
        tty.send("q");
        tty.wait_for("USED BY");
    }
    // And a full edit session: change mysecret's password, review, dry run, apply.
    tty.open_secret("mysecret");
    tty.set_mysecret_password_and_apply(EDITED_VALUE);
    tty.send("q");
    let status = tty.wait_exit();
    assert!(status.success(), "{status:?}");
    let log = state.join("keyhole/keyhole.log");
    if let Ok(dir) = std::env::var("KEYHOLE_KEEP_TEST_LOG") {
        let _ = std::fs::copy(&log, std::path::Path::new(&dir).join(format!("{}.log", extra_env.len())));
    }
    std::fs::read_to_string(&log).unwrap_or_else(|e| panic!("the --debug log at {}: {e}", log.display()))
}

fn assert_no_values(log: &str) {
    assert!(log.contains("connected"), "the log has content:\n{log}");
    println!("scanned a log of {} lines for {} values", log.lines().count(), demo_values().len());
    for v in demo_values() {
        assert!(!log.contains(&v), "a value is in the log: {v:?}\n{log}");
    }
    // Short values of the session, as words (the demo user is also called admin).
    for v in ["1f2d1e2e67df", "t0p-Secret", "pass113", "kq4gihvszzgn1p0r", EDITED_VALUE] {
        assert!(!log.contains(v), "a value is in the log: {v:?}");
    }
    let admin_values = log.matches("admin").count();
    let admin_names = log.matches("grafana-admin").count() + log.matches("user=admin").count();
    assert_eq!(admin_values, admin_names, "\"admin\" appears other than as a name:\n{log}");
}

#[test]
fn a_debug_log_of_a_session_that_reveals_every_kind_of_value_holds_none_of_them() {
    let log = session(&[]);
    assert_no_values(&log);
}

/// Even with everything logged (`KEYHOLE_LOG=trace`, the libraries included), no value.
#[test]
fn a_trace_log_holds_no_values_either() {
    let log = session(&[("KEYHOLE_LOG", "trace")]);
    assert_no_values(&log);
}
