//! Subcommands that are not the TUI: `demo-server`, and what `--demo` does.

use std::io::Write as _;
use std::process::ExitCode;

use crate::cli::DemoServerArgs;
use keyhole_apiserver::{DemoServer, ServerOptions};

fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build()
}

/// `keyhole demo-server`: serve until Ctrl-C (or SIGTERM).
pub(crate) fn run(args: &DemoServerArgs) -> ExitCode {
    if !args.addr.ip().is_loopback() && !args.allow_remote {
        eprintln!(
            "keyhole demo-server: refusing to listen on {}: the demo cluster's certificate authority is\n\
             throwaway and its credentials are written to the kubeconfig for anyone to read.\n\
             Use a loopback address such as 127.0.0.1:8001, or pass --allow-remote if you really mean it.",
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
    rt.block_on(async {
        let opts = ServerOptions { addr: args.addr, scale: args.scale, ..ServerOptions::default() };
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
        let path = args.kubeconfig_out.clone().unwrap_or_else(|| std::env::temp_dir().join("keyhole-demo.kubeconfig"));
        if let Err(e) = write_private(&path, server.kubeconfig().as_bytes()) {
            eprintln!("keyhole demo-server: cannot write the kubeconfig to {}: {e}", path.display());
            return ExitCode::from(1);
        }
        println!("keyhole demo cluster serving on {}", server.url());
        println!("kubeconfig written to {}", path.display());
        println!("  export KUBECONFIG={}", path.display());
        println!("  contexts: keyhole-demo (admin, current), keyhole-demo-readonly, keyhole-demo-team");
        println!("Press Ctrl-C to stop.");
        let _ = std::io::stdout().flush();
        wait_for_shutdown_signal().await;
        server.shutdown().await;
        ExitCode::SUCCESS
    })
}

/// Writes a file readable only by its owner (it holds bearer tokens).
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::fs::OpenOptions;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut opts = OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    opts.mode(0o600);
    let mut f = opts.open(path)?;
    f.write_all(bytes)
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
