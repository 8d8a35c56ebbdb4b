//! A flow-test harness: the app's state and update function, the real effect runner, and the
//! embedded cluster, with no terminal. Keys go in, messages come back from the cluster, and the
//! screen is drawn into a ratatui TestBackend.
#![allow(dead_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use futures::channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
use jiff::Timestamp;
use keyhole::app::State;
use keyhole::app::effect::Scope;
use keyhole::app::state::Options;
use keyhole::cluster::secrets::Tuning;
use keyhole::runtime::{Driver, End, Executor, Input};
use keyhole::terminal::clipboard::{CaptureTerminal, ClipEnv, Clipboard};
use keyhole::ui::{self, Theme};
use keyhole_apiserver::DemoServer;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use tokio::sync::mpsc::unbounded_channel;

/// How often time advances in the flow tests (a second in the binary): often enough that
/// waiting for a tick costs little, rarely enough that a message stays for a few steps.
const TICK: Duration = Duration::from_millis(100);

pub struct App {
    pub server: DemoServer,
    /// The binary's loop, on a TestBackend, with the binary's executor.
    pub driver: Driver<TestBackend>,
    inputs: UnboundedReceiver<Input>,
    keys: UnboundedSender<Input>,
    /// What the clipboard wrote to the terminal (OSC 52: there is no display in tests).
    pub terminal_output: CaptureTerminal,
}

pub fn context_of(user: &str) -> &'static str {
    match user {
        "admin" => "keyhole-demo",
        "viewer" => "keyhole-demo-readonly",
        "auditor" => "keyhole-demo-auditor",
        "shop-dev" => "keyhole-demo-team",
        "no-cronjobs" => "keyhole-demo-nocronjobs",
        "lister" => "keyhole-demo-nowatch",
        "getter" => "keyhole-demo-getonly",
        "secret-reader" => "keyhole-demo-noconsumers",
        "two-teams" => "keyhole-demo-pernamespace",
        _ => panic!("unknown demo user {user}"),
    }
}

impl App {
    pub async fn start(user: &str, scope: Option<Scope>, options: Options) -> App {
        let server = super::demo().await;
        Self::on(server, user, scope, options).await
    }

    pub async fn on(server: DemoServer, user: &str, scope: Option<Scope>, options: Options) -> App {
        Self::tuned(server, user, scope, options, Tuning::default()).await
    }

    /// The app on `server` with the Secrets watch tuned (quick idle timeouts, polls, backoff).
    pub async fn tuned(server: DemoServer, user: &str, scope: Option<Scope>, options: Options, tuning: Tuning) -> App {
        let kubeconfig = kube::config::Kubeconfig::from_yaml(&server.kubeconfig()).unwrap();
        Self::build(server, kubeconfig, context_of(user), scope, options, tuning).await
    }

    /// The app on `server` through this kubeconfig (an exec plugin, a proxy...).
    pub async fn with_kubeconfig(
        server: DemoServer,
        kubeconfig: kube::config::Kubeconfig,
        context: &str,
        scope: Option<Scope>,
        options: Options,
    ) -> App {
        Self::build(server, kubeconfig, context, scope, options, Tuning::default()).await
    }

    async fn build(
        server: DemoServer,
        kubeconfig: kube::config::Kubeconfig,
        context: &str,
        scope: Option<Scope>,
        options: Options,
        tuning: Tuning,
    ) -> App {
        let connected = keyhole::cluster::connect::connect_with(kubeconfig, Some(context)).await.unwrap();
        let scope = scope.unwrap_or_else(|| Scope::One(connected.namespace.clone()));
        let (tx, rx) = unbounded_channel();
        let redact = options.redact;
        let mut state = State::new(&connected.context, connected.contexts.clone(), scope, options, Timestamp::now());
        state.env_rule = keyhole_core::validate::EnvNameRule::for_git_version(&connected.version).unwrap_or_default();
        let terminal_output = CaptureTerminal::default();
        // No display: copies go out as OSC 52, into the captured terminal output.
        let env = ClipEnv::from_vars(|_| None).with_terminal(terminal_output.clone());
        let executor = Executor::new(connected, tx, Clipboard::new(env, None), redact).with_tuning(tuning);
        let mut driver = Driver::new(state, TestBackend::new(160, 48), Theme::ansi(), executor, rx, TICK).unwrap();
        driver.start();
        let (keys, inputs) = unbounded();
        App { server, driver, inputs, keys, terminal_output }
    }

    pub fn state(&self) -> &State {
        &self.driver.state
    }

    pub fn state_mut(&mut self) -> &mut State {
        &mut self.driver.state
    }

    /// Sends input as the terminal would and runs the loop until it is handled.
    pub async fn send(&mut self, input: Input) {
        self.keys.unbounded_send(input).unwrap();
        let end = self.driver.run_until(&mut self.inputs, |_| true).await.unwrap();
        assert!(matches!(end, End::Stopped | End::Quit), "the loop ended: {end:?}");
    }

    pub async fn press(&mut self, code: KeyCode) {
        self.press_with(code, KeyModifiers::NONE).await;
    }

    pub async fn press_with(&mut self, code: KeyCode, mods: KeyModifiers) {
        self.send(Input::Key(KeyEvent::new(code, mods))).await;
    }

    /// Types characters one key at a time.
    pub async fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            let mods = if c.is_ascii_uppercase() { KeyModifiers::SHIFT } else { KeyModifiers::NONE };
            self.press_with(KeyCode::Char(c), mods).await;
        }
    }

    /// Runs the loop (results of effects, ticks) until `cond` holds (10 s at most).
    pub async fn until(&mut self, what: &str, cond: impl Fn(&State) -> bool) {
        let run = self.driver.run_until(&mut self.inputs, cond);
        match tokio::time::timeout(Duration::from_secs(10), run).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => panic!("the loop failed waiting until {what}: {e}"),
            Err(_) => panic!("timed out waiting until {what}\n{}", self.drawn()),
        }
    }

    /// Runs the loop (results of effects, ticks) for `period`, whatever happens: for measuring
    /// what the app asks of the cluster over a time.
    pub async fn run_for(&mut self, period: Duration) {
        let run = self.driver.run_until(&mut self.inputs, |_| false);
        if let Ok(result) = tokio::time::timeout(period, run).await {
            panic!("the loop ended while running for {period:?}: {result:?}");
        }
    }

    /// Waits until the list, the references and the inspections have settled.
    pub async fn loaded(&mut self) {
        self.until("the list and the references are loaded", |s| !s.loading && s.refs.is_synced()).await;
        // Then the inspections (TLS dates, key names) of the Secrets that need them.
        self.until("the inspections are done", |s| {
            s.rows.values().all(|r| {
                r.inspected.is_some()
                    || r.inspect_failed
                    || !keyhole::list::flags::needs_content(r, &s.refs.index, s.env_rule)
            })
        })
        .await;
    }

    /// The screen at this size in this theme: the terminal is resized (as a person would) and
    /// the loop handles it; then the state is drawn.
    pub async fn buffer(&mut self, w: u16, h: u16, theme: &Theme) -> Buffer {
        if (self.state().width, self.state().height) != (w, h) {
            self.driver.terminal_mut().backend_mut().resize(w, h);
            self.send(Input::Resize(w, h)).await;
        }
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        term.draw(|f| ui::draw(f, self.state(), theme)).unwrap();
        term.backend().buffer().clone()
    }

    /// The screen as text, one line per row, trailing spaces trimmed.
    pub async fn screen(&mut self, w: u16, h: u16) -> String {
        text(&self.buffer(w, h, &Theme::ansi()).await)
    }

    /// What the loop last drew, as text (for failure messages).
    pub fn drawn(&mut self) -> String {
        text(self.driver.terminal_mut().backend().buffer())
    }

    /// Opens the Secret with this name from the list (through the filter, as a person would).
    pub async fn open(&mut self, name: &str) {
        // From wherever the app is: back to the list, filter cleared.
        self.state_mut().modal = None;
        if self.state().detail.is_some() {
            self.press(KeyCode::Esc).await;
        }
        self.state_mut().modal = None;
        self.state_mut().detail = None;
        self.press(KeyCode::Esc).await;
        self.press(KeyCode::Char('/')).await;
        self.type_text(name).await;
        self.press(KeyCode::Enter).await;
        let idx = self.state().list.visible.iter().position(|(_, n)| n == name).expect("the Secret is in the list");
        self.state_mut().list.selected = idx;
        self.press(KeyCode::Enter).await;
        self.until("the Secret is read", |s| {
            s.detail.as_ref().is_some_and(|d| d.secret.is_some() || d.error.is_some())
        })
        .await;
        self.until("the access review is back", |s| {
            s.detail.as_ref().is_some_and(|d| d.can_update.is_some() || d.error.is_some())
        })
        .await;
    }
}

pub fn text(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in 0..area.height {
        let mut line = String::new();
        for x in 0..area.width {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The screen with its colours: each line of text is followed by a line of the same width
/// that names the style of each cell (`.` the default, letters in order of first use), and a
/// legend of the letters ends the snapshot. A change of colour or emphasis shows in review.
pub fn styled(buf: &Buffer) -> String {
    use ratatui::style::Style;
    let area = buf.area;
    let mut styles: Vec<Style> = Vec::new();
    let mut out = String::new();
    for y in 0..area.height {
        let mut line = String::new();
        let mut marks = String::new();
        for x in 0..area.width {
            let cell = &buf[(x, y)];
            line.push_str(cell.symbol());
            let style = cell.style();
            let mark = if style == Style::default() {
                '.'
            } else {
                let i = styles.iter().position(|s| *s == style).unwrap_or_else(|| {
                    styles.push(style);
                    styles.len() - 1
                });
                char::from_u32(u32::from('a') + i as u32 % 26).unwrap()
            };
            marks.push(mark);
        }
        out.push_str(line.trim_end());
        out.push('\n');
        let marks = marks.trim_end_matches('.');
        if !marks.is_empty() {
            out.push_str(marks);
            out.push('\n');
        }
    }
    out.push_str("--- styles\n");
    for (i, s) in styles.iter().enumerate() {
        let mark = char::from_u32(u32::from('a') + i as u32 % 26).unwrap();
        out.push_str(&format!("{mark}: fg {:?} bg {:?} {:?}\n", s.fg, s.bg, s.add_modifier));
    }
    out
}
