//! The TUI runtime: one loop that receives terminal events, background results and ticks as
//! messages, runs `app::update`, hands effects to the runner, and redraws only when something
//! changed (DESIGN.md decision 8).

use std::io::stdout;
use std::time::Duration;

use crossterm::event::{Event, EventStream};
use futures::StreamExt;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use tokio::sync::mpsc;

use crate::app::effect::{Effect, Scope};
use crate::app::state::Options;
use crate::app::{Msg, State, update};
use crate::cluster::Connected;
use crate::runner::Runner;
use crate::terminal::clipboard::{ClipEnv, Clipboard};
use crate::terminal::{self, TerminalGuard};
use crate::ui::{self, Theme};

/// Everything the TUI needs to start.
#[derive(Debug)]
pub struct Launch {
    pub connected: Connected,
    pub scope: Scope,
    pub options: Options,
    pub theme: Theme,
    pub mouse: bool,
    /// Clear the native clipboard this long after a copy (unless it changed meanwhile).
    pub clear_after: Option<Duration>,
}

/// Runs the TUI until the user quits or a signal ends it. The terminal is restored on return.
pub async fn run(launch: Launch) -> Result<(), String> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let Launch { connected, scope, options, theme, mouse, clear_after } = launch;
    let redact = options.redact;
    let mut clipboard = Clipboard::new(ClipEnv::detect(), clear_after);
    let mut state = State::new(&connected.context, connected.contexts.clone(), scope.clone(), options);
    let mut runner = Runner::new(connected, tx.clone());
    let guard = TerminalGuard::enter(mouse).map_err(|e| format!("cannot set up the terminal: {e}"))?;
    let mut term =
        Terminal::new(CrosstermBackend::new(stdout())).map_err(|e| format!("cannot set up the terminal: {e}"))?;
    if let Ok(size) = term.size() {
        state.width = size.width;
        state.height = size.height;
    }
    runner.run(Effect::Watch(scope));
    runner.run(Effect::ListNamespaces);

    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut signals = Signals::new();
    loop {
        if state.dirty {
            state.refresh_if_stale();
            state.now = jiff::Timestamp::now();
            term.draw(|f| ui::draw(f, &mut state, &theme)).map_err(|e| format!("cannot draw: {e}"))?;
            state.dirty = false;
        }
        let first = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(Event::Key(k))) => Msg::Key(k),
                Some(Ok(Event::Resize(w, h))) => Msg::Resize(w, h),
                Some(Ok(Event::Paste(text))) => Msg::Paste(text),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(format!("cannot read the terminal: {e}")),
                None => break,
            },
            msg = rx.recv() => match msg { Some(m) => m, None => break },
            _ = tick.tick() => {
                if let Some(m) = clipboard.tick(std::time::Instant::now()) {
                    let _ = tx.send(Msg::Copied(Ok(m)));
                }
                Msg::Tick
            }
            _ = signals.recv() => break,
        };
        // Handle everything already waiting before drawing again: a watch storm becomes one redraw.
        let mut batch = vec![first];
        while let Ok(m) = rx.try_recv() {
            batch.push(m);
            if batch.len() > 5000 {
                break;
            }
        }
        for msg in batch {
            for effect in update(&mut state, msg) {
                match effect {
                    Effect::Quit => {}
                    Effect::Suspend => {
                        // Without a job-control shell the stop signal is discarded and keyhole
                        // simply continues; only failing to take the terminal back is fatal.
                        if let Err(e) = terminal::suspend() {
                            tracing::warn!("suspend: {e}");
                            terminal::reenter().map_err(|e| format!("cannot resume the terminal: {e}"))?;
                        }
                        // A full redraw. Not `clear()`: it asks the terminal where the cursor is,
                        // and the answer would be read by the event stream instead.
                        let size = term.size().map_err(|e| format!("cannot redraw: {e}"))?;
                        term.resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))
                            .map_err(|e| format!("cannot redraw: {e}"))?;
                        state.dirty = true;
                    }
                    Effect::Copy { text, what } => {
                        let result = clipboard
                            .copy(text.as_str(), redact, std::time::Instant::now())
                            .map(|o| format!("{what}: {}", o.message))
                            .map_err(|e| format!("{what}: {e}"));
                        let _ = tx.send(Msg::Copied(result));
                    }
                    Effect::SwitchContext(ctx) => {
                        let result = runner.switch_context(&ctx).await;
                        let _ = tx.send(Msg::ContextSwitched(result));
                    }
                    other => {
                        runner.run(other);
                    }
                }
            }
        }
        if state.quit {
            break;
        }
    }
    runner.stop();
    drop(term);
    drop(guard);
    // A pending clear happens now, so no copied value outlives keyhole in the clipboard.
    let _ = clipboard.finish();
    Ok(())
}

/// SIGTERM and SIGHUP end the loop, so the terminal is restored on the way out.
struct Signals {
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    hup: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    fn new() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Signals { term: signal(SignalKind::terminate()).ok(), hup: signal(SignalKind::hangup()).ok() }
        }
        #[cfg(not(unix))]
        Signals {}
    }

    async fn recv(&mut self) {
        #[cfg(unix)]
        {
            let term = async {
                match &mut self.term {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending().await,
                }
            };
            let hup = async {
                match &mut self.hup {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending().await,
                }
            };
            tokio::select! { _ = term => {}, _ = hup => {} }
        }
        #[cfg(not(unix))]
        std::future::pending::<()>().await
    }
}
