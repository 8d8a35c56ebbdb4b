//! `keyhole` (and `keyhole --demo`): logging, the config file and theme, connecting before the
//! terminal is taken over (so that exec credential plugins can prompt and errors print plainly),
//! then the TUI's loop.

use std::io::stdout;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crossterm::event::{Event, EventStream};
use futures::StreamExt as _;
use jiff::Timestamp;
use ratatui::backend::CrosstermBackend;
use tokio::sync::mpsc;

use crate::app::State;
use crate::app::effect::Scope;
use crate::app::state::Options;
use crate::cli::Cli;
use crate::cluster::Connected;
use crate::config::Config;
use crate::keymap::Keymap;
use crate::runtime::{Driver, Executor, Input};
use crate::terminal::clipboard::{ClipEnv, Clipboard};
use crate::terminal::lend::Lender;
use crate::terminal::{self, TerminalGuard};
use crate::ui::Theme;
use crate::validate::EnvNameRule;

/// Where `--debug` keeps its log: `$XDG_STATE_HOME/keyhole/keyhole.log`.
pub(crate) fn default_log_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
    Some(base.join("keyhole").join("keyhole.log"))
}

/// kube-client logs a response body it cannot parse at WARN (and error bodies at DEBUG): with
/// Secrets, values. Its own events are kept to ERROR whatever the log level asked for.
const QUIET_LIBRARIES: &str = "kube_client=error";

/// Sets up tracing to a file when asked. Returns the path, for the panic message.
pub(crate) fn init_logging(cli: &Cli) -> Result<Option<PathBuf>, String> {
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
    let filter = filter.add_directive(QUIET_LIBRARIES.parse().map_err(|e| format!("the log filter: {e}"))?);
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(Mutex::new(file))
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
/// `task:<ms>` panics in a background task instead.
fn test_panic_after() -> Option<(Duration, bool)> {
    let v = std::env::var("KEYHOLE_TEST_PANIC").ok()?;
    let (in_task, ms) = match v.strip_prefix("task:") {
        Some(ms) => (true, ms),
        None => (false, v.as_str()),
    };
    match ms.parse::<u64>() {
        Ok(0) => None,
        Ok(1) => Some((Duration::from_secs(1), in_task)),
        Ok(ms) => Some((Duration::from_millis(ms), in_task)),
        Err(_) => None,
    }
}

/// `keyhole` and `keyhole --demo`.
pub(crate) fn run(cli: &Cli) -> ExitCode {
    let log = match init_logging(cli) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("keyhole: {e}");
            return ExitCode::from(2);
        }
    };
    terminal::install_panic_hook(log);
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
    let rt = match super::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("keyhole: {e}");
            return ExitCode::from(1);
        }
    };
    // Exec credential plugins that may prompt borrow the terminal through this socket
    // (`cluster::exec`); without it they run as they would under kubectl.
    let lender = match Lender::start() {
        Ok(l) => Some(l),
        Err(e) => {
            tracing::warn!("no socket to lend the terminal to credential plugins: {e}");
            None
        }
    };
    rt.block_on(async {
        let socket = lender.as_ref().map(Lender::socket);
        let (_server, connected) = match super::connect_lending(cli, socket.as_deref()).await {
            Ok(c) => c,
            Err(e) => {
                eprintln!("keyhole: {e}");
                return ExitCode::from(1);
            }
        };
        let scope = match super::namespace(cli, &connected) {
            None => Scope::All,
            Some(ns) => Scope::One(ns),
        };
        tracing::info!(context = %connected.context, server = %connected.server, version = %connected.version, "connected");
        if let Some(path) = &config.path {
            tracing::info!(config = %path.display(), theme = theme.name, "config read");
        }
        let options = Options {
            redact: cli.ui.redact,
            readonly: cli.ui.readonly,
            keymap: Keymap::with_overrides(config.key_overrides()),
            fleet: cli.ui.contexts.clone(),
        };
        let launch =
            Launch { connected, scope, options, theme, mouse: cli.ui.mouse, clear_after: config.clear_after(), lender };
        let run = tui(launch);
        let result = match test_panic_after() {
            Some((after, false)) => tokio::select! {
                r = run => r,
                _ = tokio::time::sleep(after) => panic!("KEYHOLE_TEST_PANIC: a deliberate panic to test the terminal restore"),
            },
            Some((after, true)) => {
                tokio::spawn(async move {
                    tokio::time::sleep(after).await;
                    panic!("KEYHOLE_TEST_PANIC: a deliberate panic in a background task");
                });
                run.await
            }
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

/// Everything the TUI needs to start.
struct Launch {
    connected: Connected,
    scope: Scope,
    options: Options,
    theme: Theme,
    mouse: bool,
    /// Clear the native clipboard this long after a copy (unless it changed meanwhile).
    clear_after: Option<Duration>,
    /// Where credential plugins ask for the terminal.
    lender: Option<Lender>,
}

/// Runs the TUI on the terminal until the user quits or a signal ends it. The terminal is
/// restored on return (and on panic, by the hook).
async fn tui(launch: Launch) -> Result<(), String> {
    let Launch { connected, scope, options, theme, mouse, clear_after, lender } = launch;
    let (tx, rx) = mpsc::unbounded_channel();
    let clipboard = Clipboard::new(ClipEnv::detect(), clear_after);
    let redact = options.redact;
    let mut state = State::new(&connected.context, connected.contexts.clone(), scope, options, Timestamp::now());
    state.env_rule = EnvNameRule::for_git_version(&connected.version).unwrap_or_default();
    let keyboard = Keyboard::default();
    let mut executor =
        Executor::new(connected, tx.clone(), clipboard, redact).with_suspend(Box::new(terminal::suspend));
    if let Some(lender) = &lender {
        executor = executor.with_lend(lend_terminal(lender.clone(), keyboard.clone()));
    }
    let guard = TerminalGuard::enter(mouse).map_err(|e| format!("cannot set up the terminal: {e}"))?;
    if let Some(lender) = &lender {
        lender.hold(move |id| {
            let _ = tx.send(crate::app::Msg::TerminalWanted(id));
        });
    }
    let mut driver = Driver::new(state, CrosstermBackend::new(stdout()), theme, executor, rx, Duration::from_secs(1))?;
    driver.start();
    let mut inputs = std::pin::pin!(terminal_inputs(keyboard));
    let result = driver.run_until(&mut inputs, |_| false).await;
    if let Some(lender) = &lender {
        lender.release();
    }
    driver.finish();
    drop(driver);
    drop(guard);
    result.map(|_| ())
}

/// The terminal's key reader, which can be let go of while a credential plugin reads the
/// keyboard: crossterm's reader thread would otherwise take the plugin's input. It is made
/// again at the next read.
#[derive(Clone, Default)]
struct Keyboard(Arc<Mutex<Option<EventStream>>>);

impl Keyboard {
    fn let_go(&self) {
        if let Ok(mut reader) = self.0.lock() {
            reader.take();
        }
    }

    fn events(&self) -> impl futures::Stream<Item = std::io::Result<Event>> + use<> {
        let reader = self.0.clone();
        futures::stream::poll_fn(move |cx| match reader.lock() {
            Ok(mut r) => r.get_or_insert_with(EventStream::new).poll_next_unpin(cx),
            Err(_) => std::task::Poll::Ready(None),
        })
    }
}

/// What `Effect::LendTerminal` does in the binary: give the terminal to the plugin that asked
/// (saying so on the shell's screen), wait until it is done, take the terminal back.
fn lend_terminal(lender: Lender, keyboard: Keyboard) -> crate::runtime::executor::Lend {
    Box::new(move |id| {
        tokio::task::block_in_place(|| {
            keyboard.let_go();
            terminal::restore();
            eprintln!(
                "keyhole: a credential plugin of your kubeconfig (exec) needs the terminal; keyhole comes back when it is done."
            );
            let lent = lender.lend(id);
            terminal::reenter()?;
            lent
        })
    })
}

/// The terminal's events and the signals that end keyhole (SIGTERM, SIGHUP), as one stream of
/// input for the loop.
fn terminal_inputs(keyboard: Keyboard) -> impl futures::Stream<Item = Input> {
    let events = keyboard.events().filter_map(|ev| async move {
        match ev {
            Ok(Event::Key(k)) => Some(Input::Key(k)),
            Ok(Event::Resize(w, h)) => Some(Input::Resize(w, h)),
            Ok(Event::Paste(text)) => Some(Input::Paste(text)),
            Ok(_) => None,
            Err(e) => Some(Input::Failed(e.to_string())),
        }
    });
    futures::stream::select(events, signals())
}

/// SIGTERM, SIGHUP, SIGINT and SIGQUIT (sent by another process: in the TUI Ctrl-C is a key),
/// each as `Input::Terminate`, so that the terminal is restored on the way out.
fn signals() -> impl futures::Stream<Item = Input> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let one = |kind: SignalKind| {
            let sig = signal(kind).ok();
            futures::stream::unfold(sig, |mut sig| async move {
                match sig.as_mut() {
                    Some(s) => s.recv().await.map(|()| (Input::Terminate, sig)),
                    None => None,
                }
            })
        };
        futures::stream::select_all([
            one(SignalKind::terminate()).boxed(),
            one(SignalKind::hangup()).boxed(),
            one(SignalKind::interrupt()).boxed(),
            one(SignalKind::quit()).boxed(),
        ])
    }
    #[cfg(not(unix))]
    futures::stream::pending()
}
