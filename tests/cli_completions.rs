//! `keyhole completions`: the bash script sourced in a real bash and driven as bash drives it on
//! TAB (COMP_WORDS, COMP_CWORD, the registered function), against a kubeconfig of the test's and
//! the embedded cluster; the zsh and fish scripts are produced (those shells are not installed
//! here, so they are not run).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const KEYHOLE: &str = env!("CARGO_BIN_EXE_keyhole");

fn bash() -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths).map(|d| d.join("bash")).find(|p| p.is_file())
}

/// A kubeconfig of three contexts whose cluster refuses connections (port 1).
fn three_contexts(dir: &Path) -> PathBuf {
    let path = dir.join("three");
    std::fs::write(
        &path,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\n\
         contexts:\n- name: prod-eu\n  context: {cluster: c, user: u, namespace: shop}\n\
         - name: prod-us\n  context: {cluster: c, user: u}\n- name: staging\n  context: {cluster: c, user: u}\n\
         current-context: staging\nusers:\n- name: u\n  user: {token: t}\n",
    )
    .unwrap();
    path
}

/// What bash offers for the line `words` with the cursor at the end of the last word: the
/// script of `keyhole completions bash` sourced, and its function called as `complete -F` does.
/// The second value is what was written to stderr (a completion must write nothing there).
fn complete(bash: &Path, words: &[&str], env: &[(&str, &Path)]) -> (Vec<String>, String) {
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let (cword, cur, prev) = (words.len() - 1, words[words.len() - 1], words[words.len() - 2]);
    let script = format!(
        r#"source <("$KEYHOLE" completions bash) || exit 3
complete -p keyhole | grep -q _clap_complete_keyhole || exit 4
COMP_WORDS=({words})
COMP_CWORD={cword}
COMP_LINE="${{COMP_WORDS[*]}}"
COMP_POINT=${{#COMP_LINE}}
COMP_TYPE=9
_clap_complete_keyhole keyhole '{cur}' '{prev}'
printf '%s\n' "${{COMPREPLY[@]}}""#,
        words = quoted.join(" "),
    );
    let mut cmd = Command::new(bash);
    cmd.args(["--norc", "--noprofile", "-c", &script])
        .env("KEYHOLE", KEYHOLE)
        .env_remove("KUBECONFIG")
        .env_remove("KUBERNETES_SERVICE_HOST")
        .env_remove("KUBERNETES_SERVICE_PORT");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("bash runs");
    assert!(out.status.success(), "bash failed ({:?}): {}", out.status, String::from_utf8_lossy(&out.stderr));
    let offered = String::from_utf8_lossy(&out.stdout).lines().filter(|l| !l.is_empty()).map(str::to_string).collect();
    (offered, String::from_utf8_lossy(&out.stderr).into_owned())
}

macro_rules! bash_or_skip {
    () => {
        match bash() {
            Some(b) => b,
            None => {
                eprintln!("skipped: bash is not installed");
                return;
            }
        }
    };
}

#[test]
fn context_names_come_from_kubeconfig() {
    let bash = bash_or_skip!();
    let dir = tempfile::tempdir().unwrap();
    let kc = three_contexts(dir.path());
    let env = [("KUBECONFIG", kc.as_path()), ("HOME", dir.path())];
    let (offered, err) = complete(&bash, &["keyhole", "--context", ""], &env);
    assert_eq!(offered, ["prod-eu", "prod-us", "staging"]);
    assert_eq!(err, "");
    // What is typed narrows them; after a subcommand that reaches a cluster too.
    assert_eq!(complete(&bash, &["keyhole", "list", "--context", "prod"], &env).0, ["prod-eu", "prod-us"]);
    // --kubeconfig typed earlier on the line wins over KUBECONFIG, as it does when keyhole runs.
    let other = dir.path().join("other");
    std::fs::write(&other, std::fs::read_to_string(&kc).unwrap().replace("prod-", "dev-")).unwrap();
    let line = ["keyhole", "--kubeconfig", other.to_str().unwrap(), "--context", ""];
    assert_eq!(complete(&bash, &line, &env).0, ["dev-eu", "dev-us", "staging"]);
    // No kubeconfig at all: nothing offered, nothing said.
    let (offered, err) = complete(&bash, &["keyhole", "--context", ""], &[("HOME", dir.path())]);
    assert!(offered.is_empty(), "{offered:?}");
    assert_eq!(err, "");
}

#[test]
fn contexts_lists_complete_the_name_after_the_last_comma() {
    let bash = bash_or_skip!();
    let dir = tempfile::tempdir().unwrap();
    let kc = three_contexts(dir.path());
    let env = [("KUBECONFIG", kc.as_path()), ("HOME", dir.path())];
    let (offered, err) = complete(&bash, &["keyhole", "list", "--contexts", ""], &env);
    assert_eq!(offered, ["all", "prod-eu", "prod-us", "staging"]);
    assert_eq!(err, "");
    let (offered, _) = complete(&bash, &["keyhole", "compare", "db", "--contexts", "prod-eu,"], &env);
    assert_eq!(offered, ["prod-eu,prod-us", "prod-eu,staging"], "a context chosen already is not offered again");
    let (offered, _) = complete(&bash, &["keyhole", "compare", "db", "--contexts", "prod-eu,st"], &env);
    assert_eq!(offered, ["prod-eu,staging"]);
}

#[test]
fn namespaces_come_from_the_cluster() {
    let bash = bash_or_skip!();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(common::demo());
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig");
    std::fs::write(&kc, server.kubeconfig()).unwrap();
    let env = [("KUBECONFIG", kc.as_path()), ("HOME", dir.path())];
    let (offered, err) = complete(&bash, &["keyhole", "-n", ""], &env);
    for ns in ["default", "kube-system", "monitoring", "shop"] {
        assert!(offered.iter().any(|o| o == ns), "{ns} not in {offered:?}");
    }
    assert_eq!(err, "");
    assert_eq!(complete(&bash, &["keyhole", "access", "--namespace", "mo"], &env).0, ["monitoring"]);
    drop(server);
}

#[test]
fn an_unreachable_cluster_offers_the_contexts_namespace_within_seconds_and_says_nothing() {
    let bash = bash_or_skip!();
    let dir = tempfile::tempdir().unwrap();
    let kc = three_contexts(dir.path());
    let env = [("KUBECONFIG", kc.as_path()), ("HOME", dir.path())];
    let start = Instant::now();
    let (offered, err) = complete(&bash, &["keyhole", "--context", "prod-eu", "-n", ""], &env);
    assert!(start.elapsed() < Duration::from_secs(10), "took {:?}", start.elapsed());
    assert_eq!(offered, ["shop"]);
    assert_eq!(err, "");
    // A cluster that accepts the connection and never answers: the 2 s limit.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let stalled = dir.path().join("stalled");
    let text = std::fs::read_to_string(&kc).unwrap().replace("127.0.0.1:1", &silent.local_addr().unwrap().to_string());
    std::fs::write(&stalled, text).unwrap();
    let start = Instant::now();
    let (offered, err) = complete(&bash, &["keyhole", "-n", ""], &[("KUBECONFIG", stalled.as_path())]);
    let took = start.elapsed();
    assert!(took >= Duration::from_secs(2) && took < Duration::from_secs(10), "took {took:?}");
    assert_eq!(offered, ["default"], "the current context (staging) has no namespace: default");
    assert_eq!(err, "");
}

#[test]
fn subcommands_and_flags_are_completed_where_they_apply() {
    let bash = bash_or_skip!();
    let dir = tempfile::tempdir().unwrap();
    let env = [("HOME", dir.path())];
    let (offered, _) = complete(&bash, &["keyhole", "c"], &env);
    assert!(offered.contains(&"completions".to_string()), "{offered:?}");
    let (offered, _) = complete(&bash, &["keyhole", "completions", ""], &env);
    assert_eq!(offered[..3], ["bash", "zsh", "fish"], "{offered:?}");
    let (offered, _) = complete(&bash, &["keyhole", "list", "--"], &env);
    assert!(offered.contains(&"--context".to_string()) && offered.contains(&"--unused".to_string()), "{offered:?}");
    let (offered, _) = complete(&bash, &["keyhole", "demo-server", "--"], &env);
    assert!(offered.contains(&"--scale".to_string()), "{offered:?}");
    assert!(!offered.iter().any(|o| o == "--context" || o == "--namespace" || o == "--demo"), "{offered:?}");
}

#[test]
fn zsh_and_fish_scripts_are_printed() {
    for (shell, marker) in
        [("zsh", "#compdef keyhole"), ("fish", "complete --keep-order --exclusive --command keyhole")]
    {
        let out = Command::new(KEYHOLE).args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}: {}", String::from_utf8_lossy(&out.stderr));
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(script.contains(marker), "{shell}:\n{script}");
        assert!(script.contains("KEYHOLE_COMPLETE") && script.contains(KEYHOLE), "{shell}:\n{script}");
    }
    let out = Command::new(KEYHOLE).args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}
