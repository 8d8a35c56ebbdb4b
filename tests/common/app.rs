//! A flow-test harness: the app's state and update function, the real effect runner, and the
//! embedded cluster, with no terminal. Keys go in, messages come back from the cluster, and the
//! screen is drawn into a ratatui TestBackend.
#![allow(dead_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use keyhole::app::effect::{Effect, Scope};
use keyhole::app::state::Options;
use keyhole::app::{Msg, State, update};
use keyhole::runner::Runner;
use keyhole::ui::{self, Theme};
use keyhole_apiserver::DemoServer;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

pub struct App {
    pub server: DemoServer,
    pub state: State,
    pub runner: Runner,
    rx: UnboundedReceiver<Msg>,
    tx: tokio::sync::mpsc::UnboundedSender<Msg>,
}

pub fn context_of(user: &str) -> &'static str {
    match user {
        "admin" => "keyhole-demo",
        "viewer" => "keyhole-demo-readonly",
        "auditor" => "keyhole-demo-auditor",
        "shop-dev" => "keyhole-demo-team",
        _ => panic!("unknown demo user {user}"),
    }
}

impl App {
    pub async fn start(user: &str, scope: Option<Scope>, options: Options) -> App {
        let server = super::demo().await;
        Self::on(server, user, scope, options).await
    }

    pub async fn on(server: DemoServer, user: &str, scope: Option<Scope>, options: Options) -> App {
        let kubeconfig = kube::config::Kubeconfig::from_yaml(&server.kubeconfig()).unwrap();
        let connected = keyhole::cluster::connect::connect_with(kubeconfig, Some(context_of(user))).await.unwrap();
        let scope = scope.unwrap_or_else(|| Scope::One(connected.namespace.clone()));
        let (tx, rx) = unbounded_channel();
        let mut state = State::new(&connected.context, connected.contexts.clone(), scope.clone(), options);
        state.width = 160;
        state.height = 48;
        let mut runner = Runner::new(connected, tx.clone());
        runner.run(Effect::Watch(scope));
        runner.run(Effect::ListNamespaces);
        App { server, state, runner, rx, tx }
    }

    async fn dispatch(&mut self, msg: Msg) {
        for effect in update(&mut self.state, msg) {
            match effect {
                Effect::Quit | Effect::Suspend => {}
                Effect::SwitchContext(ctx) => {
                    let result = self.runner.switch_context(&ctx).await;
                    let _ = self.tx.send(Msg::ContextSwitched(result));
                }
                other => {
                    self.runner.run(other);
                }
            }
        }
    }

    pub async fn press(&mut self, code: KeyCode) {
        self.press_with(code, KeyModifiers::NONE).await;
    }

    pub async fn press_with(&mut self, code: KeyCode, mods: KeyModifiers) {
        self.dispatch(Msg::Key(KeyEvent::new(code, mods))).await;
    }

    /// Types characters one key at a time.
    pub async fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            let mods = if c.is_ascii_uppercase() { KeyModifiers::SHIFT } else { KeyModifiers::NONE };
            self.press_with(KeyCode::Char(c), mods).await;
        }
    }

    /// Feeds messages from the cluster until `cond` holds (10 s at most).
    pub async fn until(&mut self, what: &str, cond: impl Fn(&State) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            self.state.refresh_if_stale();
            if cond(&self.state) {
                return;
            }
            if tokio::time::Instant::now() > deadline {
                panic!("timed out waiting until {what}\n{}", self.screen(160, 48));
            }
            match tokio::time::timeout(Duration::from_millis(50), self.rx.recv()).await {
                Ok(Some(msg)) => self.dispatch(msg).await,
                // Idle: the real loop ticks every second; here, whenever nothing arrives.
                _ => self.dispatch(Msg::Tick).await,
            }
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
                    || !(r.is_tls() || s.refs.keys_read(&r.namespace, &r.name).is_some())
            })
        })
        .await;
    }

    pub fn buffer(&mut self, w: u16, h: u16, theme: &Theme) -> Buffer {
        self.state.refresh_if_stale();
        self.state.width = w;
        self.state.height = h;
        self.state.now = jiff::Timestamp::now();
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        term.draw(|f| ui::draw(f, &mut self.state, theme)).unwrap();
        term.backend().buffer().clone()
    }

    /// The screen as text, one line per row, trailing spaces trimmed.
    pub fn screen(&mut self, w: u16, h: u16) -> String {
        text(&self.buffer(w, h, &Theme::ansi()))
    }

    /// Opens the Secret with this name from the list (through the filter, as a person would).
    pub async fn open(&mut self, name: &str) {
        // From wherever the app is: back to the list, filter cleared.
        self.state.modal = None;
        if self.state.detail.is_some() {
            self.press(KeyCode::Esc).await;
        }
        self.state.modal = None;
        self.state.detail = None;
        self.press(KeyCode::Esc).await;
        self.press(KeyCode::Char('/')).await;
        self.type_text(name).await;
        self.press(KeyCode::Enter).await;
        let idx = self.state.list.visible.iter().position(|(_, n)| n == name).expect("the Secret is in the list");
        self.state.list.selected = idx;
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
