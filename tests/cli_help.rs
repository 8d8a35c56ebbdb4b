//! The command line as packaged: each subcommand's help offers only the flags that apply to it,
//! cluster flags work before and after a subcommand, `--version` names the commit, `keyhole man`
//! writes roff, and keyhole runs as a kubectl plugin (`kubectl keyhole`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

const KEYHOLE: &str = env!("CARGO_BIN_EXE_keyhole");

fn keyhole(args: &[&str]) -> Output {
    Command::new(KEYHOLE).args(args).env_remove("KUBECONFIG").output().expect("keyhole runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Whether a help text lists `flag` as one of its options (not merely mentions it): clap puts
/// options 2 to 6 columns in, descriptions 10, the about text 0.
fn offers(help: &str, flag: &str) -> bool {
    help.lines()
        .filter(|l| (2..=6).contains(&(l.len() - l.trim_start().len())))
        .map(str::trim_start)
        .filter(|l| l.starts_with('-'))
        .any(|l| l.split([',', ' ', '<']).any(|word| word == flag))
}

const CLUSTER_FLAGS: [&str; 5] = ["--kubeconfig", "--context", "--namespace", "--all-namespaces", "--demo"];

#[test]
fn cluster_flags_are_offered_only_where_a_cluster_is_reached() {
    for args in [&["--help"][..], &["list", "--help"], &["restart", "--help"], &["access", "--help"]] {
        let help = stdout(&keyhole(args));
        for flag in CLUSTER_FLAGS {
            assert!(offers(&help, flag), "keyhole {args:?} lacks {flag}:\n{help}");
        }
    }
    // compare picks contexts with --contexts: of the cluster flags, the kubeconfig and -n.
    let help = stdout(&keyhole(&["compare", "--help"]));
    assert!(offers(&help, "--kubeconfig") && offers(&help, "--namespace") && offers(&help, "--contexts"), "{help}");
    for flag in ["--context", "--all-namespaces", "--demo"] {
        assert!(!offers(&help, flag), "keyhole compare --help offers {flag}:\n{help}");
    }
    for sub in ["validate", "demo-server", "completions", "man", "exec-credential"] {
        let help = stdout(&keyhole(&[sub, "--help"]));
        assert!(offers(&help, "--help"), "{help}");
        for flag in CLUSTER_FLAGS {
            assert!(!offers(&help, flag), "keyhole {sub} --help offers {flag}:\n{help}");
        }
    }
}

#[test]
fn cluster_flags_before_a_subcommand_that_reaches_no_cluster_are_refused() {
    let out = keyhole(&["-n", "shop", "validate", "-"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("-n/--namespace says how to reach a cluster, which `keyhole validate` does not take"),
        "{err}"
    );
    let out = keyhole(&["--context", "prod", "compare", "db"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--context says which context to reach, which `keyhole compare` does not take"),
        "{}",
        stderr(&out)
    );
    // After it, clap itself refuses a flag the subcommand does not have.
    let out = keyhole(&["demo-server", "--context", "x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unexpected argument '--context'"), "{}", stderr(&out));
}

#[test]
fn cluster_flags_work_before_and_after_the_subcommand_after_winning() {
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(KEYHOLE).args(args).env("HOME", home.path()).env_remove("KUBECONFIG").output().unwrap()
    };
    // The demo's namespaces: shop has shop-db, monitoring has none of that name.
    for args in [
        &["--demo", "-n", "shop", "list"][..],
        &["list", "--demo", "-n", "shop"],
        &["-n", "monitoring", "--demo", "list", "-n", "shop"],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert!(stdout(&out).contains("shop-db"), "{args:?}:\n{}", stdout(&out));
    }
    // A kubeconfig given before the subcommand is the one read.
    let out = run(&["--kubeconfig", "/nonexistent/kc", "list"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("Cannot read the kubeconfig /nonexistent/kc"), "{}", stderr(&out));
}

#[test]
fn version_names_the_commit_it_was_built_from() {
    let out = keyhole(&["--version"]);
    assert!(out.status.success());
    let version = stdout(&out);
    let pkg = env!("CARGO_PKG_VERSION");
    assert!(version.starts_with(&format!("keyhole {pkg}")), "{version}");
    // Built from a git checkout (this one), the commit and its date follow.
    let checkout = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".git").exists();
    let has_git = Command::new("git").arg("--version").output().is_ok_and(|o| o.status.success());
    if checkout && has_git {
        let rest = version.trim().strip_prefix(&format!("keyhole {pkg} (")).and_then(|r| r.strip_suffix(')'));
        let rest = rest.unwrap_or_else(|| panic!("no commit in {version:?}"));
        let (commit, date) = rest.split_once(' ').unwrap_or_else(|| panic!("{version:?}"));
        let hash = commit.trim_end_matches("-dirty");
        assert!(hash.len() >= 7 && hash.chars().all(|c| c.is_ascii_hexdigit()), "{version:?}");
        assert!(date.len() == 10 && date.as_bytes()[4] == b'-', "{version:?}");
    } else {
        eprintln!("no git checkout or no git: only the version is checked");
    }
    assert!(stdout(&keyhole(&["list", "--version"])).contains(pkg));
}

#[test]
fn man_prints_a_page_and_writes_one_per_command() {
    let out = keyhole(&["man"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let page = stdout(&out);
    assert!(page.contains(".TH keyhole 1") && page.contains(".SH KEYS") && page.contains(".SH CLUSTER"), "{page}");
    let dir = tempfile::tempdir().unwrap();
    let man1 = dir.path().join("man1");
    let out = keyhole(&["man", "--out-dir", man1.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    for name in ["keyhole.1", "keyhole-list.1", "keyhole-validate.1", "keyhole-demo-server.1", "keyhole-completions.1"]
    {
        let text = std::fs::read_to_string(man1.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(text.starts_with(".ie") || text.starts_with(".TH"), "{name}");
    }
    assert!(!man1.join("keyhole-exec-credential.1").exists(), "hidden commands have no page");
    let list = std::fs::read_to_string(man1.join("keyhole-list.1")).unwrap();
    assert!(list.contains("\\-\\-unused") && list.contains("\\-\\-context"), "{list}");
}

/// kubectl runs `kubectl-keyhole` from PATH for `kubectl keyhole`: keyhole does not depend on
/// the name it was started under.
#[test]
fn runs_as_a_kubectl_plugin() {
    let Some(kubectl) = std::env::var_os("PATH")
        .and_then(|p| std::env::split_paths(&p).map(|d| d.join("kubectl")).find(|p| p.is_file()))
    else {
        eprintln!("skipped: kubectl is not installed");
        return;
    };
    let bin = tempfile::tempdir().unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(KEYHOLE, bin.path().join("kubectl-keyhole")).unwrap();
    #[cfg(not(unix))]
    std::fs::copy(KEYHOLE, bin.path().join("kubectl-keyhole.exe")).unwrap();
    let path = std::env::join_paths(
        std::iter::once(bin.path().to_path_buf()).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    let kubectl_run = |args: &[&str]| {
        Command::new(&kubectl)
            .args(args)
            .env("PATH", &path)
            .env("HOME", home.path())
            .env_remove("KUBECONFIG")
            .output()
            .unwrap()
    };
    let out = kubectl_run(&["plugin", "list"]);
    assert!(stdout(&out).contains("kubectl-keyhole"), "{}{}", stdout(&out), stderr(&out));
    let out = kubectl_run(&["keyhole", "--version"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with(&format!("keyhole {}", env!("CARGO_PKG_VERSION"))), "{}", stdout(&out));
    // Flags reach keyhole as given, subcommands included.
    let out = kubectl_run(&["keyhole", "list", "--demo", "-n", "shop"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("shop-db"), "{}", stdout(&out));

    // kubectl completes a plugin's arguments through kubectl_complete-keyhole on PATH.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(KEYHOLE, bin.path().join("kubectl_complete-keyhole")).unwrap();
        let kc = home.path().join("kc");
        std::fs::write(
            &kc,
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\n\
             contexts:\n- name: prod-eu\n  context: {cluster: c, user: u}\n- name: staging\n  context: {cluster: c, user: u}\n\
             current-context: staging\nusers:\n- name: u\n  user: {token: t}\n",
        )
        .unwrap();
        let complete = |args: &[&str]| {
            let out = Command::new(&kubectl)
                .arg("__complete")
                .args(args)
                .env("PATH", &path)
                .env("HOME", home.path())
                .env("KUBECONFIG", &kc)
                .output()
                .unwrap();
            stdout(&out)
        };
        let got = complete(&["keyhole", "--context", ""]);
        assert_eq!(got.lines().collect::<Vec<_>>(), ["prod-eu", "staging\tcurrent context", ":4"], "{got}");
        let got = complete(&["keyhole", "li"]);
        assert!(got.lines().next().is_some_and(|l| l.starts_with("list\t")), "{got}");
        let got = complete(&["keyhole", "validate", "--"]);
        assert!(got.contains("--kubernetes-version") && !got.contains("--context"), "{got}");
    }
}
