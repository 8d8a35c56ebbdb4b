//! A property test of the whole app: random key presses, pastes and resizes over the demo
//! data, with a simulated cluster that answers effects in random order (and someone else
//! changing Secrets meanwhile). After every step it checks what keyhole promises:
//!
//! - nothing panics;
//! - with `--redact`, no value of the demo data is ever on screen, and nothing is copied;
//! - no edit is lost without a confirmation (a "y" to a discard or delete question), except
//!   when the write that carried it succeeded;
//! - every write goes to the Secret being edited, with the draft on screen as its body.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use zeroize::Zeroizing;

use super::effect::{Effect, Scope, Switched, Target, Ticket};
use super::msg::Msg;
use super::state::{ConfirmKind, Modal, Options, State};
use super::update::{start, update};
use crate::cluster::apply::ApplyError;
use crate::cluster::event::Event;
use crate::cluster::ops::OpenError;
use crate::list::rows::{Inspected, SecretRow};
use crate::secret::Secret;
use crate::ui::{Theme, draw};

/// The demo's Secrets in namespace `default`, as the embedded cluster loads them.
fn demo_secrets() -> Vec<Secret> {
    let mut out = Vec::new();
    for (_, text) in keyhole_apiserver::data::DEMO_YAML {
        for v in keyhole_apiserver::data::parse_yaml(text).unwrap_or_default() {
            if v["kind"] == "Secret" && v["metadata"]["namespace"] == "default" {
                let mut s = Secret::from_json(&v).expect("a demo Secret");
                s.metadata.resource_version = Some("1".into());
                s.metadata.uid = Some(format!("uid-{}", s.name()));
                out.push(s);
            }
        }
    }
    out
}

/// Value text that must never be on screen with `--redact`: every text value of six
/// characters or more, and every line of the longer ones; not those that are also names shown
/// for other reasons (a service-account token's `namespace` value is the namespace).
fn value_texts(secrets: &[Secret]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for s in secrets {
        names.extend([s.name().to_string(), s.namespace().to_string(), s.effective_type().to_string()]);
        names.extend(s.entries().map(|(k, _)| k.clone()));
        for m in [&s.metadata.labels, &s.metadata.annotations].into_iter().flatten() {
            names.extend(m.iter().flat_map(|(k, v)| [k.clone(), v.clone()]));
        }
    }
    let mut out = Vec::new();
    for s in secrets {
        for (_, v) in s.entries() {
            let Ok(text) = std::str::from_utf8(v.as_bytes()) else { continue };
            for line in text.lines().map(str::trim).filter(|l| l.len() >= 6 && !l.starts_with("-----")) {
                if !names.iter().any(|n| n == line) {
                    out.push(line.chars().take(40).collect());
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// What the user does in one step.
#[derive(Debug, Clone)]
enum Step {
    Key(KeyCode, KeyModifiers),
    /// Several keys: what a person does in a row (edit a value and keep it; review and send).
    Keys(&'static [(KeyCode, KeyModifiers)]),
    Paste(&'static str),
    Resize(u16, u16),
    /// Deliver the answer waiting at this position (modulo the queue's length): answers come
    /// back in any order.
    Deliver(usize),
    /// Someone else changes the Secret at this position.
    Meddle(usize),
}

fn key_step() -> impl Strategy<Value = Step> {
    let plain = prop::sample::select(vec![
        KeyCode::Char('j'),
        KeyCode::Char('k'),
        KeyCode::Char('v'),
        KeyCode::Char('V'),
        KeyCode::Char('1'),
        KeyCode::Char('2'),
        KeyCode::Char('3'),
        KeyCode::Char('e'),
        KeyCode::Char('a'),
        KeyCode::Char('r'),
        KeyCode::Char('x'),
        KeyCode::Char('g'),
        KeyCode::Char('f'),
        KeyCode::Char('m'),
        KeyCode::Char('i'),
        KeyCode::Char('A'),
        KeyCode::Char('u'),
        KeyCode::Char('C'),
        KeyCode::Char('D'),
        KeyCode::Char('y'),
        KeyCode::Char('n'),
        KeyCode::Char('N'),
        KeyCode::Char('c'),
        KeyCode::Char('/'),
        KeyCode::Char('s'),
        KeyCode::Char('t'),
        KeyCode::Char('z'),
        KeyCode::Char(' '),
        KeyCode::Char('?'),
        KeyCode::Enter,
        KeyCode::Esc,
        KeyCode::Tab,
        KeyCode::BackTab,
        KeyCode::Backspace,
        KeyCode::Up,
        KeyCode::Down,
        KeyCode::End,
        KeyCode::PageDown,
    ]);
    let ctrl = prop::sample::select(vec!['s', 't', 'o', 'c']);
    prop_oneof![
        8 => plain.prop_map(|c| Step::Key(c, KeyModifiers::NONE)),
        1 => ctrl.prop_map(|c| Step::Key(KeyCode::Char(c), KeyModifiers::CONTROL)),
    ]
}

const NONE: KeyModifiers = KeyModifiers::NONE;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;
/// Edit the selected value, type, keep it.
const EDIT: &[(KeyCode, KeyModifiers)] =
    &[(KeyCode::Char('e'), NONE), (KeyCode::Char('z'), NONE), (KeyCode::Char('s'), CTRL)];
/// Review and start the dry run.
const APPLY: &[(KeyCode, KeyModifiers)] = &[(KeyCode::Char('A'), NONE), (KeyCode::Enter, NONE)];

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        10 => key_step(),
        3 => prop::sample::select(vec![EDIT, APPLY]).prop_map(Step::Keys),
        3 => Just(Step::Key(KeyCode::Enter, NONE)),
        2 => Just(Step::Key(KeyCode::Esc, NONE)),
        6 => any::<usize>().prop_map(Step::Deliver),
        1 => prop::sample::select(vec!["pasted text", "line one\nline two", "zz"]).prop_map(Step::Paste),
        1 => prop::sample::select(vec![(80u16, 24u16), (120, 40), (60, 15), (200, 60)]).prop_map(|(w, h)| Step::Resize(w, h)),
        1 => any::<usize>().prop_map(Step::Meddle),
    ]
}

/// The cluster as the effects see it: the Secrets, and the answers not delivered yet.
struct Cluster {
    secrets: BTreeMap<String, Secret>,
    version: u64,
    answers: Vec<Msg>,
}

impl Cluster {
    fn next_version(&mut self) -> String {
        self.version += 1;
        self.version.to_string()
    }

    fn get(&self, name: &str) -> Result<Box<Secret>, OpenError> {
        self.secrets.get(name).map(|s| Box::new(s.clone())).ok_or(OpenError::NotFound)
    }

    /// A write as the API server does it: the resourceVersion precondition, 409 when stale.
    fn write(&mut self, secret: &Secret, creating: bool, dry_run: bool) -> Result<Box<Secret>, ApplyError> {
        let name = secret.name().to_string();
        let current = self.secrets.get(&name);
        match (creating, current) {
            (true, Some(_)) => return Err(ApplyError::AlreadyExists(format!("secrets \"{name}\" already exists"))),
            (false, None) => return Err(ApplyError::NotFound(format!("secrets \"{name}\" not found"))),
            (false, Some(c)) if c.metadata.resource_version != secret.metadata.resource_version => {
                return Err(ApplyError::Conflict("the object has been modified".into()));
            }
            _ => {}
        }
        let mut stored = secret.clone();
        if !dry_run {
            stored.metadata.resource_version = Some(self.next_version());
            self.secrets.insert(name, stored.clone());
        }
        Ok(Box::new(stored))
    }

    /// Runs one effect, checking the promises about writes against the state that asked.
    fn run(&mut self, state: &State, effect: Effect) {
        match effect {
            Effect::Open(target) => {
                self.answers.push(match self.get(&target.name) {
                    Ok(secret) => Msg::Opened { target, secret },
                    Err(error) => Msg::OpenFailed { target, error },
                });
            }
            Effect::CheckUpdate(target) => self.answers.push(Msg::CanUpdate { target, allowed: true }),
            Effect::LoadAccess(target) => self.answers.push(Msg::AccessLoaded {
                target,
                result: Ok(Box::new(crate::cluster::rbac::Loaded::Policy(Box::default()))),
            }),
            Effect::Inspect(keys) => {
                for (namespace, name) in keys {
                    self.answers.push(match self.secrets.get(&name) {
                        Some(s) => Msg::Inspected { namespace, name, facts: inspected(s) },
                        None => Msg::InspectFailed { namespace, name },
                    });
                }
            }
            Effect::DryRun { ticket, secret, creating } => {
                check_write(state, &ticket, &secret);
                let result = self.write(&secret, creating, true).map(|_| Vec::new());
                self.answers.push(Msg::DryRunDone { ticket, result });
            }
            Effect::Apply { ticket, secret, creating } => {
                check_write(state, &ticket, &secret);
                let result = self.write(&secret, creating, false);
                if let Ok(s) = &result {
                    self.answers
                        .push(Msg::Watched { watch: state.watch, event: Event::SecretUpserted(Box::new(row(s))) });
                }
                self.answers.push(Msg::Applied { ticket, result });
            }
            Effect::FetchLatest(ticket) => {
                let result = self.get(&ticket.target.name);
                self.answers.push(Msg::Latest { ticket, result });
            }
            Effect::Delete { target, .. } => {
                assert!(state.detail.as_ref().is_some_and(|d| d.is(&target)), "a delete of a Secret not on screen");
                self.secrets.remove(&target.name);
                self.answers.push(Msg::Deleted { target, result: Ok(crate::cluster::apply::Deletion::Gone) });
            }
            Effect::Copy { .. } => {
                assert!(!state.options.redact, "a copy was asked for under --redact");
                self.answers.push(Msg::Copied(Ok("copied".into())));
            }
            Effect::ReadFile { target, path, key } => {
                self.answers.push(Msg::FileRead { target, key, path, result: Ok(b"from a file".to_vec()) })
            }
            Effect::CompletePath(input) => {
                let completed = format!("{input}x");
                self.answers.push(Msg::Completed { input, completed, candidates: vec![] });
            }
            Effect::Random { target, .. } => {
                self.answers.push(Msg::Random { target, value: Zeroizing::new("RANDOMx9".into()) })
            }
            Effect::SwitchContext(context) => {
                // The same cluster under another name is enough to switch.
                let _ = context;
            }
            Effect::FleetList { generation, .. } => {
                let Some(Modal::Fleet(_)) = &state.modal else { panic!("a fleet listing with no fleet view") };
                self.answers.push(Msg::FleetListed { generation, contexts: Vec::new() });
            }
            Effect::Compare { generation, .. } => {
                self.answers.push(Msg::Compared { generation, view: Err("not in this test".into()) });
            }
            Effect::Restart { id, workloads, .. } => {
                // Only what the window on screen chose, and only workloads with a rollout.
                let Some(Modal::Restart(v)) = &state.modal else { panic!("a restart with no restart window") };
                assert_eq!(v.id, id, "a restart for another window");
                assert!(!workloads.is_empty(), "a restart of nothing");
                for (kind, name) in workloads {
                    assert!(
                        v.rows
                            .iter()
                            .any(|r| r.chosen && r.restartable() && r.target.kind == kind && r.target.name == name),
                        "{} {name} was not chosen",
                        kind.as_str()
                    );
                    let done = crate::cluster::restart::Progress {
                        stage: crate::cluster::restart::Stage::Done,
                        message: "done".into(),
                        desired: 1,
                        updated: 1,
                        ready: 1,
                        available: 1,
                    };
                    self.answers.push(Msg::Restarted {
                        id,
                        kind: kind.clone(),
                        name: name.clone(),
                        result: crate::cluster::restart::Restarted::Done,
                    });
                    self.answers.push(Msg::Rollout { id, kind, name, result: Ok((done, Vec::new())) });
                }
            }
            Effect::Watch { .. }
            | Effect::StopFollowing(_)
            | Effect::ListNamespaces
            | Effect::Adopt(_)
            | Effect::Suspend
            | Effect::LendTerminal(_) => {}
        }
    }
}

/// Every write goes to the Secret on screen, and carries the draft on screen.
fn check_write(state: &State, ticket: &Ticket, secret: &Secret) {
    let d = state.detail.as_ref().expect("a write with no Secret open");
    assert!(d.is(&ticket.target), "a write for a Secret that is not the one on screen");
    assert_eq!(
        (secret.namespace(), secret.name()),
        (d.namespace.as_str(), d.name.as_str()),
        "a write to another Secret"
    );
    let dr = d.draft.as_ref().expect("a write with no draft");
    assert_eq!((dr.id, dr.revision), (ticket.draft, ticket.revision));
    assert!(secret.data == dr.work.data, "the write's body is not the draft on screen");
}

fn inspected(s: &Secret) -> Inspected {
    crate::list::inspect::facts(s, jiff::Timestamp::UNIX_EPOCH)
}

fn row(s: &Secret) -> SecretRow {
    SecretRow {
        namespace: s.namespace().to_string(),
        name: s.name().to_string(),
        type_: s.effective_type().to_string(),
        keys: s.entries().count() as i64,
        resource_version: s.metadata.resource_version.clone().unwrap_or_default(),
        plaintext_copy: crate::secret::last_applied::has_copy(s),
        ..Default::default()
    }
}

/// The unapplied draft on screen: (session, draft id, revision).
fn dirty_draft(state: &State) -> Option<(u64, u64, u64)> {
    let d = state.detail.as_ref()?;
    let dr = d.draft.as_ref().filter(|dr| dr.is_dirty())?;
    Some((d.session, dr.id, dr.revision))
}

fn screen(state: &State) -> String {
    let mut term = Terminal::new(TestBackend::new(state.width, state.height)).expect("a test terminal");
    term.draw(|f| draw(f, state, &Theme::mono())).expect("drawn");
    let buf = term.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

fn run_case(redact: bool, steps: Vec<Step>) {
    let secrets = demo_secrets();
    let values = value_texts(&secrets);
    let options = Options { redact, ..Options::default() };
    let t0 = "2026-06-01T12:00:00Z".parse().expect("a time");
    let mut state = State::new("ctx", vec!["ctx".into(), "other".into()], Scope::One("default".into()), options, t0);
    state.width = 120;
    state.height = 40;
    let mut cluster = Cluster {
        secrets: secrets.iter().map(|s| (s.name().to_string(), s.clone())).collect(),
        version: 1,
        answers: vec![],
    };
    for effect in start(&mut state) {
        cluster.run(&state, effect);
    }
    let watch = state.watch;
    let rows = cluster.secrets.values().map(row).collect();
    for effect in update(&mut state, Msg::Watched { watch, event: Event::SecretsListed(rows) }) {
        cluster.run(&state, effect);
    }
    for source in crate::refs::SOURCES {
        let event = match source {
            crate::refs::Source::Consumers(kind) => Event::RefsSynced { kind, present: Default::default() },
            source => Event::Unlisted { source, listing: crate::refs::Listing::NotServed },
        };
        for effect in update(&mut state, Msg::Watched { watch, event }) {
            cluster.run(&state, effect);
        }
    }
    let steps: Vec<Step> = steps
        .into_iter()
        .flat_map(|s| match s {
            Step::Keys(keys) => keys.iter().map(|&(c, m)| Step::Key(c, m)).collect(),
            other => vec![other],
        })
        .collect();
    for step in steps {
        let before = dirty_draft(&state);
        let before_data = state.detail.as_ref().and_then(|d| d.draft.as_ref()).map(|dr| dr.work.data.clone());
        let confirming = matches!(
            &state.modal,
            Some(Modal::Confirm(c)) if matches!(c.kind, ConfirmKind::DiscardAndClose { .. } | ConfirmKind::DiscardEdits | ConfirmKind::Delete { .. })
        );
        let mut applied: Option<Ticket> = None;
        let msg = match step {
            Step::Key(code, mods) => Msg::Key(KeyEvent::new(code, mods)),
            Step::Keys(_) => continue,
            Step::Paste(text) => Msg::Paste(Zeroizing::new(text.to_string())),
            Step::Resize(w, h) => Msg::Resize(w, h),
            Step::Deliver(i) => {
                if cluster.answers.is_empty() {
                    continue;
                }
                let m = cluster.answers.remove(i % cluster.answers.len());
                if let Msg::Applied { ticket, result: Ok(_) } = &m {
                    applied = Some(ticket.clone());
                }
                m
            }
            Step::Meddle(i) => {
                let names: Vec<String> = cluster.secrets.keys().cloned().collect();
                if names.is_empty() {
                    continue;
                }
                let name = &names[i % names.len()];
                let version = cluster.next_version();
                let Some(s) = cluster.secrets.get_mut(name) else { continue };
                s.metadata.resource_version = Some(version);
                let mut labels = s.metadata.labels.clone().unwrap_or_default();
                labels.insert("touched".into(), "yes".into());
                s.metadata.labels = Some(labels);
                Msg::Watched { watch: state.watch, event: Event::SecretUpserted(Box::new(row(s))) }
            }
        };
        let was_y = matches!(&msg, Msg::Key(k) if k.code == KeyCode::Char('y'));
        let deleted = matches!(&msg, Msg::Deleted { result: Ok(_), .. });
        let switched = matches!(&msg, Msg::ContextSwitched(_));
        for effect in update(&mut state, msg) {
            cluster.run(&state, effect);
        }
        if state.quit {
            break;
        }
        // No edit lost without a confirmation.
        if let Some((session, id, revision)) = before {
            let now = state.detail.as_ref().map(|d| (d.session, d.draft.as_ref().map(|dr| dr.id)));
            let kept = now == Some((session, Some(id)));
            let written = applied
                .as_ref()
                .is_some_and(|t| t.target.session == session && t.draft == id && t.revision == revision);
            // A clone (C) takes the edits along into the new Secret.
            let cloned = state
                .detail
                .as_ref()
                .and_then(|d| d.draft.as_ref())
                .is_some_and(|dr| dr.creating && Some(&dr.work.data) == before_data.as_ref());
            assert!(
                kept || written || cloned || (confirming && was_y) || deleted || switched,
                "an edit was lost without a confirmation (draft {id} of session {session})"
            );
        }
        if redact {
            state.settle();
            let text = screen(&state);
            for v in &values {
                assert!(!text.contains(v.as_str()), "a value ({v:?}) is on screen under --redact:\n{text}");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_use_keeps_the_promises(redact in any::<bool>(), steps in prop::collection::vec(step(), 1..160)) {
        run_case(redact, steps);
    }
}

/// A context switch that completes while the user edits a Secret of the old context: the
/// edits are kept, and nothing is sent to the other cluster.
#[tokio::test]
async fn a_context_switch_does_not_drop_edits() {
    let secrets = demo_secrets();
    let t0 = "2026-06-01T12:00:00Z".parse().expect("a time");
    let mut s =
        State::new("ctx", vec!["ctx".into(), "other".into()], Scope::One("default".into()), Options::default(), t0);
    start(&mut s);
    let watch = s.watch;
    update(&mut s, Msg::Watched { watch, event: Event::SecretsListed(secrets.iter().map(row).collect()) });
    s.switching = Some("other".into());
    s.refresh_if_stale();
    s.list.selected = s.list.visible.iter().position(|(_, n)| n == "mysecret").expect("listed");
    update(&mut s, Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    let target: Target = s.detail.as_ref().expect("opened").target();
    let secret = Box::new(secrets.iter().find(|x| x.name() == target.name).expect("known").clone());
    update(&mut s, Msg::Opened { target, secret });
    update(&mut s, Msg::Key(KeyEvent::new(KeyCode::Char('e'), KeyModifiers::NONE)));
    update(&mut s, Msg::Key(KeyEvent::new(KeyCode::Char('z'), KeyModifiers::NONE)));
    update(&mut s, Msg::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)));
    assert!(dirty_draft(&s).is_some());
    let kubeconfig = kube::config::Kubeconfig::default();
    let connected = crate::cluster::Connected::for_tests("other", kubeconfig);
    let fx = update(
        &mut s,
        Msg::ContextSwitched(Ok(Box::new(Switched {
            context: "other".into(),
            namespace: "default".into(),
            connected,
        }))),
    );
    assert!(fx.is_empty(), "no new connection adopted: {fx:?}");
    assert!(dirty_draft(&s).is_some(), "the edits are kept");
    assert_eq!(s.context, "ctx");
    assert!(s.flash.as_ref().expect("said").text.contains("edits not applied"));
}
