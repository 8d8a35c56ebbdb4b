//! The subcommands side by side: the TUI (`keyhole`), `keyhole list`, `keyhole validate` and
//! `keyhole demo-server`, with the one way they start a runtime and reach a cluster.

pub(crate) mod access;
pub(crate) mod compare;
pub(crate) mod complete;
pub(crate) mod demo_server;
pub(crate) mod exec_credential;
pub(crate) mod list;
pub(crate) mod man;
pub(crate) mod restart;
mod table;
pub(crate) mod tui;
pub(crate) mod validate;

use keyhole_apiserver::{DemoServer, ServerOptions};

use crate::cli::Cli;
use crate::cluster::{self, Connected};

/// A multi-threaded tokio runtime, or a message that says why there is none.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))
}

/// A connection as the command line asks for it: the embedded demo cluster with `--demo`
/// (started here and kept running while the returned server lives), else the kubeconfig's
/// context (`--kubeconfig`, `KUBECONFIG`, `--context`), as kubectl chooses it.
pub(crate) async fn connect(cli: &Cli) -> Result<(Option<DemoServer>, Connected), String> {
    connect_lending(cli, None).await
}

/// [`connect`], with exec credential plugins that may prompt borrowing the terminal through
/// `socket` (the TUI's; `cluster::exec`).
pub(crate) async fn connect_lending(
    cli: &Cli,
    socket: Option<&std::path::Path>,
) -> Result<(Option<DemoServer>, Connected), String> {
    if cli.cluster.demo {
        let (server, connected) = demo_connection().await.map_err(|e| format!("cannot start the demo cluster: {e}"))?;
        return Ok((Some(server), connected));
    }
    let (path, context) = (cli.cluster.kubeconfig.as_deref(), cli.cluster.context.as_deref());
    let connected = match socket {
        Some(socket) => cluster::connect_lending(path, context, socket).await,
        None => cluster::connect(path, context).await,
    };
    Ok((None, connected.map_err(|e| e.to_string())?))
}

/// The namespace the command line asks for: `None` for all (`-A`), else `-n` or the context's.
pub(crate) fn namespace(cli: &Cli, connected: &Connected) -> Option<String> {
    if cli.cluster.all_namespaces {
        None
    } else {
        Some(cli.cluster.namespace.clone().unwrap_or_else(|| connected.namespace.clone()))
    }
}

/// The embedded cluster on a random loopback port, and a connection to it through its
/// kubeconfig, exactly as for a real cluster.
pub(crate) async fn demo_connection() -> Result<(DemoServer, Connected), String> {
    let server = DemoServer::start(ServerOptions::default()).await.map_err(|e| e.to_string())?;
    let kubeconfig = kube::config::Kubeconfig::from_yaml(&server.kubeconfig()).map_err(|e| e.to_string())?;
    let connected = cluster::connect::connect_with(kubeconfig, None).await.map_err(|e| e.0)?;
    Ok((server, connected))
}
