//! Starting the TUI: logging, connecting (before the terminal is taken over, so that exec
//! credential plugins can prompt and errors print plainly), and the demo cluster for `--demo`.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::app::effect::Scope;
use crate::app::state::Options;
use crate::cli::Cli;
use crate::cluster::{self, Connected};
use crate::config::Config;
use crate::ui::Theme;
use keyhole_apiserver::{DemoServer, ServerOptions};

/// Where `--debug` keeps its log: `$XDG_STATE_HOME/keyhole/keyhole.log`.
pub fn default_log_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
    Some(base.join("keyhole").join("keyhole.log"))
}

/// Sets up tracing to a file when asked. Returns the path, for the panic message.
pub fn init_logging(cli: &Cli) -> Result<Option<PathBuf>, String> {
    let path = match (&cli.ui.log_file, cli.ui.debug) {
        (Some(p), _) => p.clone(),
        (None, true) => default_log_path().ok_or("cannot find a state directory for the log; use --log-file")?,
        (None, false) => return Ok(None),
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|e| format!("cannot open the log file {}: {e}", path.display()))?;
    let level = if cli.ui.debug { "keyhole=debug,kube=info,warn" } else { "keyhole=info,warn" };
    let filter = tracing_subscriber::EnvFilter::try_from_env("KEYHOLE_LOG").unwrap_or_else(|_| level.into());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .try_init()
        .map_err(|e| format!("cannot start logging: {e}"))?;
    Ok(Some(path))
}

/// The theme: `--theme`, else `NO_COLOR` (monochrome), else the config file's, else ansi; with
/// the config file's colour overrides.
fn theme(cli: &Cli, config: &Config) -> Result<Theme, String> {
    config.theme(cli.ui.theme.as_deref(), crate::config::no_color_env())
}

/// A hidden switch for the pseudo-terminal tests: `KEYHOLE_TEST_PANIC=1` makes keyhole panic
/// one second after the TUI has taken the terminal (`KEYHOLE_TEST_PANIC=<ms>` after that many
/// milliseconds), to check that a panic restores the terminal and says where the log is.
fn test_panic_after() -> Option<std::time::Duration> {
    let v = std::env::var("KEYHOLE_TEST_PANIC").ok()?;
    match v.parse::<u64>() {
        Ok(0) => None,
        Ok(1) => Some(std::time::Duration::from_secs(1)),
        Ok(ms) => Some(std::time::Duration::from_millis(ms)),
        Err(_) => None,
    }
}

/// `keyhole` and `keyhole --demo`.
pub fn tui(cli: &Cli) -> ExitCode {
    let log = match init_logging(cli) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("keyhole: {e}");
            return ExitCode::from(2);
        }
    };
    crate::terminal::install_panic_hook(log);
    let config = match Config::load(cli.ui.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("keyhole: error in the config file {e}");
            return ExitCode::from(2);
        }
    };
    let theme = match theme(cli, &config) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("keyhole: {e}");
            return ExitCode::from(2);
        }
    };
    if cli.ui.theme.is_some() {
        // crossterm drops colours under NO_COLOR by itself; an explicit --theme wins over it.
        crossterm::style::force_color_output(true);
    }
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("keyhole: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    rt.block_on(async {
        let mut _server: Option<DemoServer> = None;
        let connected = if cli.demo {
            match demo_connection().await {
                Ok((server, c)) => {
                    _server = Some(server);
                    c
                }
                Err(e) => {
                    eprintln!("keyhole: cannot start the demo cluster: {e}");
                    return ExitCode::from(1);
                }
            }
        } else {
            match cluster::connect(cli.cluster.kubeconfig.as_deref(), cli.cluster.context.as_deref()).await {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("keyhole: {e}");
                    return ExitCode::from(1);
                }
            }
        };
        let scope = if cli.cluster.all_namespaces {
            Scope::All
        } else {
            Scope::One(cli.cluster.namespace.clone().unwrap_or_else(|| connected.namespace.clone()))
        };
        tracing::info!(context = %connected.context, server = %connected.server, version = %connected.version, "connected");
        if let Some(path) = &config.path {
            tracing::info!(config = %path.display(), theme = theme.name, "config read");
        }
        crate::keymap::set_overrides(config.key_overrides());
        let launch = crate::tui::Launch {
            connected,
            scope,
            options: Options { redact: cli.ui.redact, readonly: cli.ui.readonly },
            theme,
            mouse: cli.ui.mouse,
            clear_after: config.clear_after(),
        };
        let run = crate::tui::run(launch);
        let result = match test_panic_after() {
            Some(after) => tokio::select! {
                r = run => r,
                _ = tokio::time::sleep(after) => panic!("KEYHOLE_TEST_PANIC: a deliberate panic to test the terminal restore"),
            },
            None => run.await,
        };
        match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("keyhole: {e}");
                ExitCode::from(1)
            }
        }
    })
}

/// The embedded cluster on a random loopback port, and a connection to it through its
/// kubeconfig, exactly as for a real cluster.
pub async fn demo_connection() -> Result<(DemoServer, Connected), String> {
    let server = DemoServer::start(ServerOptions::default()).await.map_err(|e| e.to_string())?;
    let kubeconfig = kube::config::Kubeconfig::from_yaml(&server.kubeconfig()).map_err(|e| e.to_string())?;
    let connected = cluster::connect::connect_with(kubeconfig, None).await.map_err(|e| e.0)?;
    Ok((server, connected))
}
