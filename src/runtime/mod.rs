//! The runtime (DESIGN.md decision 8): one loop that takes input (key presses, pastes, resizes,
//! signals), the results of effects and a tick as messages, runs the pure `app::update`, hands
//! every effect to the one [`Executor`], and redraws only when something changed. The binary
//! runs it on the terminal; the flow tests run the same loop on a scripted input stream and a
//! ratatui `TestBackend`.

pub(crate) mod executor;
pub(crate) mod fleet;
pub(crate) mod local;

use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use futures::{FutureExt as _, Stream, StreamExt as _};
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::layout::Rect;
use tokio::sync::mpsc::UnboundedReceiver;

pub use executor::Executor;

use crate::app::{Msg, State, update};
use crate::ui::{self, Theme};

/// What comes from the user's side: the terminal's events and the signals that end keyhole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Key(crossterm::event::KeyEvent),
    Paste(String),
    Resize(u16, u16),
    /// SIGTERM or SIGHUP: end, restoring the terminal.
    Terminate,
    /// The terminal could not be read.
    Failed(String),
}

/// Why the loop returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The user quit.
    Quit,
    /// A signal asked keyhole to end.
    Terminated,
    /// The input stream ended.
    InputEnded,
    /// The caller's condition holds (tests).
    Stopped,
}

/// The loop's state: the app's state, where it is drawn, and who runs its effects.
pub struct Driver<B: Backend> {
    pub state: State,
    terminal: Terminal<B>,
    theme: Theme,
    executor: Executor,
    results: UnboundedReceiver<Msg>,
    tick: tokio::time::Interval,
    /// When the screen was last drawn: changes that come from the cluster are drawn at most
    /// once a [`FRAME`], so that a list arriving page by page is not redrawn for every page.
    drawn: Option<Instant>,
    /// Input was handled since the last draw: drawn at once, whatever the pace.
    answered: bool,
}

/// The shortest time between two redraws caused by the cluster (not by the user).
const FRAME: Duration = Duration::from_millis(20);

impl<B: Backend> std::fmt::Debug for Driver<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Driver").field("executor", &self.executor).finish_non_exhaustive()
    }
}

impl<B: Backend> Driver<B> {
    /// `results` receives what the executor's effects send back; `tick` is how often time
    /// advances (a second in the binary).
    pub fn new(
        mut state: State,
        backend: B,
        theme: Theme,
        executor: Executor,
        results: UnboundedReceiver<Msg>,
        tick: Duration,
    ) -> Result<Self, String> {
        let terminal = Terminal::new(backend).map_err(|e| format!("cannot set up the terminal: {e}"))?;
        if let Ok(size) = terminal.size() {
            state.width = size.width;
            state.height = size.height;
        }
        let mut tick = tokio::time::interval(tick);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        Ok(Driver { state, terminal, theme, executor, results, tick, drawn: None, answered: false })
    }

    /// Runs the effects that start the app (the watches, the namespaces).
    pub fn start(&mut self) {
        for effect in update::start(&mut self.state) {
            self.executor.run(effect);
        }
    }

    pub fn terminal_mut(&mut self) -> &mut Terminal<B> {
        &mut self.terminal
    }

    /// The loop. Returns when the user quits, a signal arrives, the input ends, or `stop`
    /// holds while no input is waiting (the binary's `stop` never holds).
    pub async fn run_until<I>(&mut self, inputs: &mut I, stop: impl Fn(&State) -> bool) -> Result<End, String>
    where
        I: Stream<Item = Input> + Unpin,
    {
        loop {
            let stopping = stop(&self.state);
            let next_frame = self.drawn.map(|t| t + FRAME);
            if self.answered || stopping || next_frame.is_none_or(|t| Instant::now() >= t) {
                self.draw_if_dirty()?;
            }
            if self.state.quit {
                return Ok(End::Quit);
            }
            // A change not drawn yet is drawn when its frame comes, if nothing else wakes us.
            let frame = next_frame.filter(|_| self.state.dirty);
            let first = if stopping {
                // Input already waiting is handled before returning.
                match inputs.next().now_or_never() {
                    Some(Some(input)) => self.input(input)?,
                    Some(None) => return Ok(End::InputEnded),
                    None => return Ok(End::Stopped),
                }
            } else {
                tokio::select! {
                    biased;
                    input = inputs.next() => match input {
                        Some(input) => self.input(input)?,
                        None => return Ok(End::InputEnded),
                    },
                    msg = self.results.recv() => match msg {
                        Some(m) => ControlFlow::Continue(m),
                        None => return Ok(End::InputEnded),
                    },
                    _ = self.tick.tick() => {
                        self.executor.tick(Instant::now());
                        ControlFlow::Continue(Msg::Tick(jiff::Timestamp::now()))
                    }
                    _ = tokio::time::sleep_until(frame.unwrap_or_else(Instant::now).into()), if frame.is_some() => continue,
                }
            };
            let first = match first {
                ControlFlow::Continue(m) => m,
                ControlFlow::Break(end) => return Ok(end),
            };
            // Handle everything already waiting before drawing again: a watch storm becomes
            // one redraw.
            self.handle(first)?;
            let mut n = 0;
            while let Ok(m) = self.results.try_recv() {
                self.handle(m)?;
                n += 1;
                if n > 5000 {
                    break;
                }
            }
        }
    }

    fn input(&mut self, input: Input) -> Result<Step, String> {
        self.answered = true;
        Ok(match input {
            Input::Key(k) => ControlFlow::Continue(Msg::Key(k)),
            // Moved, not copied, into a buffer that is wiped when dropped.
            Input::Paste(text) => ControlFlow::Continue(Msg::Paste(zeroize::Zeroizing::new(text))),
            Input::Resize(w, h) => ControlFlow::Continue(Msg::Resize(w, h)),
            Input::Terminate => ControlFlow::Break(End::Terminated),
            Input::Failed(e) => return Err(format!("cannot read the terminal: {e}")),
        })
    }

    /// One message: the update function, then its effects.
    fn handle(&mut self, msg: Msg) -> Result<(), String> {
        if matches!(msg, Msg::Watched { event: crate::cluster::event::Event::SecretsListed(_), .. }) {
            // The list the user waits for: drawn at once, not at the next frame, and the usage
            // watches start after that drawing (`list_shown`).
            self.answered = true;
        }
        if matches!(msg, Msg::Resumed) {
            // Back from Ctrl-Z: the screen is the shell's; draw everything again. Not
            // `clear()`: it asks the terminal where the cursor is, and the answer would be read
            // as input.
            let size = self.terminal.size().map_err(|e| format!("cannot redraw: {e}"))?;
            self.terminal
                .resize(Rect::new(0, 0, size.width, size.height))
                .map_err(|e| format!("cannot redraw: {e}"))?;
        }
        for effect in update(&mut self.state, msg) {
            self.executor.run(effect);
        }
        Ok(())
    }

    fn draw_if_dirty(&mut self) -> Result<(), String> {
        if self.state.dirty {
            self.state.settle();
            let (state, theme) = (&self.state, &self.theme);
            self.terminal.draw(|f| ui::draw(f, state, theme)).map_err(|e| format!("cannot draw: {e}"))?;
            self.state.dirty = false;
            self.drawn = Some(Instant::now());
            if !self.state.loading {
                self.executor.list_shown();
            }
        }
        self.answered = false;
        Ok(())
    }

    /// keyhole is exiting: the watches stop and a pending clipboard clear happens now.
    pub(crate) fn finish(&mut self) {
        self.executor.finish();
    }
}

/// What one input or wake-up means: a message for the update function, or the end.
type Step = ControlFlow<End, Msg>;
