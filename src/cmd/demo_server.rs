//! Subcommands that are not the TUI: `demo-server`, and what `--demo` does.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cli::DemoServerArgs;
use keyhole_apiserver::fleet::{DOWN_CONTEXT, FORBIDDEN_CONTEXT, FORBIDDEN_USER};
use keyhole_apiserver::{DemoServer, Fleet, FleetOptions, ServerOptions};

fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build()
}

/// `keyhole demo-server`: serve until Ctrl-C (or SIGTERM).
pub(crate) fn run(args: &DemoServerArgs) -> ExitCode {
    if !args.addr.ip().is_loopback() && !args.allow_remote {
        eprintln!(
            "keyhole demo-server: refusing to listen on {}: the demo cluster is made for this machine.\n\
             It serves demo data with demo users, a throwaway certificate authority and none of a real\n\
             cluster's protections (no audit log, no rate limits), to anyone who can reach the port.\n\
             Use a loopback address such as 127.0.0.1:8001, or pass --allow-remote to serve other hosts anyway.",
            args.addr
        );
        return ExitCode::from(2);
    }
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("keyhole demo-server: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let path = match &args.kubeconfig_out {
        Some(p) => p.clone(),
        None => match default_kubeconfig_path() {
            Ok(p) => p,
            Err(e) => {
                eprintln!("keyhole demo-server: {e}");
                return ExitCode::from(1);
            }
        },
    };
    // Refuse a symlink or a foreign file before starting anything; the write checks again.
    if let Err(e) = check_target(&path) {
        eprintln!("keyhole demo-server: {e}");
        return ExitCode::from(1);
    }
    if args.clusters > 1 {
        return rt.block_on(serve_fleet(args, &path));
    }
    rt.block_on(async {
        let opts = ServerOptions {
            addr: args.addr,
            scale: args.scale,
            minor: args.kubernetes_version,
            without_crds: args.without_crds.clone(),
            ..ServerOptions::default()
        };
        let server = match DemoServer::start(opts).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!(
                    "keyhole demo-server: cannot listen on {}: {e}.\nIs another program using that port? Try --addr 127.0.0.1:0 for a free one.",
                    args.addr
                );
                return ExitCode::from(1);
            }
        };
        if let Err(e) = write_kubeconfig(&path, server.kubeconfig().as_bytes()) {
            eprintln!("keyhole demo-server: {e}");
            server.shutdown().await;
            return ExitCode::from(1);
        }
        if args.addr.ip().is_unspecified() {
            println!("keyhole demo cluster listening on {}, reachable as {}", args.addr, server.url());
            println!("serving certificate names: {}", server.hosts.join(", "));
        } else {
            println!("keyhole demo cluster serving on {}", server.url());
        }
        println!("kubeconfig written to {}", path.display());
        println!("  export KUBECONFIG={}", path.display());
        let contexts: Vec<&str> = server.users.all().iter().map(|u| u.context.as_str()).collect();
        println!("  contexts (one per demo user, the first current): {}", contexts.join(", "));
        println!("  who may do what: docs/embedded-cluster.md, Users");
        println!("Press Ctrl-C to stop.");
        let _ = std::io::stdout().flush();
        wait_for_shutdown_signal().await;
        server.shutdown().await;
        ExitCode::SUCCESS
    })
}

/// `keyhole demo-server --clusters N` (N > 1): a fleet of demo clusters behind one kubeconfig,
/// until Ctrl-C (or SIGTERM).
async fn serve_fleet(args: &DemoServerArgs, path: &Path) -> ExitCode {
    let opts = FleetOptions {
        clusters: usize::from(args.clusters),
        scale: args.scale,
        server: ServerOptions {
            addr: args.addr,
            minor: args.kubernetes_version,
            without_crds: args.without_crds.clone(),
            ..ServerOptions::default()
        },
    };
    let fleet = match Fleet::start(opts).await {
        Ok(f) => f,
        Err(e) => {
            eprintln!(
                "keyhole demo-server: cannot start the fleet: {e}.\nIs another program using one of its ports? Try --addr 127.0.0.1:0 for free ones."
            );
            return ExitCode::from(1);
        }
    };
    if let Err(e) = write_kubeconfig(path, fleet.kubeconfig().as_bytes()) {
        eprintln!("keyhole demo-server: {e}");
        fleet.shutdown().await;
        return ExitCode::from(1);
    }
    println!("keyhole demo fleet of {} clusters:", fleet.len());
    for (i, server) in fleet.clusters().iter().enumerate() {
        if args.addr.ip().is_unspecified() {
            println!("  fleet-{}  listening on {}, reachable as {}", i + 1, server.addr, server.url());
        } else {
            println!("  fleet-{}  serving on {}", i + 1, server.url());
        }
    }
    if let Some(names) =
        fleet.clusters().first().map(|s| s.hosts.join(", ")).filter(|_| args.addr.ip().is_unspecified())
    {
        println!("serving certificate names: {names}");
    }
    println!("kubeconfig written to {}", path.display());
    println!("  export KUBECONFIG={}", path.display());
    println!("  contexts (one per cluster as its admin, the first current): {}", fleet.contexts().join(", "));
    println!("  {DOWN_CONTEXT}: nothing listens on {}", fleet.down_addr());
    println!("  {FORBIDDEN_CONTEXT}: fleet-1 as {FORBIDDEN_USER}, who may not list Secrets (a 403)");
    println!("  what drifts where: docs/embedded-cluster.md, Fleet");
    println!("Press Ctrl-C to stop.");
    let _ = std::io::stdout().flush();
    wait_for_shutdown_signal().await;
    fleet.shutdown().await;
    ExitCode::SUCCESS
}

/// Where the kubeconfig goes without `--kubeconfig-out`: a per-user place, never the shared temp
/// directory. `$XDG_RUNTIME_DIR/keyhole-demo.kubeconfig` (a directory only its user can enter,
/// emptied at logout) when set, else `~/.kube/keyhole-demo.kubeconfig` (`~/.kube` is made 0700
/// when missing).
fn default_kubeconfig_path() -> Result<PathBuf, String> {
    const NAME: &str = "keyhole-demo.kubeconfig";
    if let Some(dir) = std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from).filter(|d| d.is_absolute() && d.is_dir())
    {
        return Ok(dir.join(NAME));
    }
    let home = std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .ok_or("cannot tell where to write the kubeconfig: neither XDG_RUNTIME_DIR nor HOME is set.\nPass --kubeconfig-out PATH.")?;
    let dir = home.join(".kube");
    if !dir.exists() {
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(&dir)
            .map_err(|e| format!("cannot create {}: {e}.\nPass --kubeconfig-out PATH.", dir.display()))?;
    }
    Ok(dir.join(NAME))
}

/// What is at `path` now: nothing, a regular file of ours (which will be replaced), or something
/// the kubeconfig must not be written to or through.
fn check_target(path: &Path) -> Result<(), String> {
    let what = match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(format!("cannot use {} for the kubeconfig: {e}", path.display())),
        Ok(m) if m.file_type().is_symlink() => "is a symbolic link; the admin token is never written through a link",
        Ok(m) if !m.is_file() => "exists and is not a regular file",
        Ok(_) => return Ok(()),
    };
    Err(format!(
        "not writing the kubeconfig: {} {what}.\nRemove it, or pass --kubeconfig-out with another path.",
        path.display()
    ))
}

/// Writes the kubeconfig (it holds the admin's bearer token) so that it ends a new file of mode
/// 0600 that only its owner can read, never writing through a symbolic link: a new file is
/// created with O_CREAT|O_EXCL (which refuses any existing name, a symlink included, even a
/// dangling one) and mode 0600; an existing regular file of ours is replaced by writing such a
/// file next to it and renaming it over (a rename replaces the name, it follows no link), so a
/// file left 0644 from before ends 0600 with new content. Symlinks, other kinds of files and
/// files owned by someone else are refused with what to do.
fn write_kubeconfig(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let fail = |e: std::io::Error| format!("cannot write the kubeconfig to {}: {e}", path.display());
    check_target(path)?;
    match create_private(path) {
        Ok(mut f) => return f.write_all(bytes).and_then(|()| f.sync_all()).map_err(fail),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(fail(e)),
    }
    // It exists (check_target saw a regular file, or it appeared since): replace it.
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.{}.tmp", std::process::id(), uuid::Uuid::new_v4().simple()));
    let mut f = create_private(&tmp).map_err(fail)?;
    let result = (|| {
        check_owner(path, &f)?;
        f.write_all(bytes).and_then(|()| f.sync_all()).map_err(fail)?;
        check_target(path)?;
        std::fs::rename(&tmp, path).map_err(fail)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// A new file, mode 0600 from its creation, failing if the name exists in any form.
fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    opts.open(path)
}

/// An existing kubeconfig is replaced only if it is ours: the same owner as a file just created.
#[cfg(unix)]
fn check_owner(path: &Path, ours: &std::fs::File) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt as _;
    let me = ours.metadata().map_err(|e| e.to_string())?.uid();
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.uid() != me => Err(format!(
            "not writing the kubeconfig: {} belongs to another user.\nRemove it, or pass --kubeconfig-out with another path.",
            path.display()
        )),
        _ => Ok(()),
    }
}

#[cfg(not(unix))]
fn check_owner(_path: &Path, _ours: &std::fs::File) -> Result<(), String> {
    Ok(())
}

async fn wait_for_shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let term = signal(SignalKind::terminate());
        let hup = signal(SignalKind::hangup());
        match (term, hup) {
            (Ok(mut term), Ok(mut hup)) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                    _ = hup.recv() => {}
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    fn mode(p: &Path) -> u32 {
        std::fs::symlink_metadata(p).map(|m| m.permissions().mode() & 0o777).unwrap_or(0)
    }

    fn leftovers(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.ends_with(".tmp"))
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn a_new_kubeconfig_is_created_0600_and_an_old_one_replaced() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("k");
        assert_eq!(write_kubeconfig(&path, b"one"), Ok(()));
        assert_eq!(mode(&path), 0o600);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).expect("chmod");
        assert_eq!(write_kubeconfig(&path, b"two"), Ok(()));
        assert_eq!(mode(&path), 0o600);
        assert_eq!(std::fs::read(&path).ok().as_deref(), Some(&b"two"[..]));
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn links_directories_and_other_users_files_are_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("target");
        std::fs::write(&target, "keep").expect("write");
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link).expect("symlink");
        let err = write_kubeconfig(&link, b"token").expect_err("a symlink is refused");
        assert!(err.contains("symbolic link") && err.contains("--kubeconfig-out"), "{err}");
        assert!(write_kubeconfig(dir.path(), b"token").expect_err("a directory").contains("not a regular file"));
        assert_eq!(std::fs::read_to_string(&target).ok().as_deref(), Some("keep"));
        // Someone else's file (only root can make one here).
        let foreign = dir.path().join("foreign");
        std::fs::write(&foreign, "theirs").expect("write");
        if std::os::unix::fs::chown(&foreign, Some(65534), None).is_ok() {
            let err = write_kubeconfig(&foreign, b"token").expect_err("a foreign file is refused");
            assert!(err.contains("belongs to another user"), "{err}");
            assert_eq!(std::fs::read_to_string(&foreign).ok().as_deref(), Some("theirs"));
        }
        assert!(leftovers(dir.path()).is_empty());
    }
}
