//! Unit tests of the update function: pure, no cluster.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use jiff::Timestamp;

use super::effect::{Effect, Scope};
use super::msg::Msg;
use super::state::{Modal, Options, State};
use super::update;
use crate::cluster::event::{Connection, Event, ListError};
use crate::cluster::ops::OpenError;
use crate::list::flags::Flag;
use crate::list::rows::{Inspected, SecretRow};

/// A fixed time: tests never read the clock.
pub(super) fn t0() -> Timestamp {
    "2026-06-01T12:00:00Z".parse().unwrap()
}

/// An event of the watches now running, through the update function.
pub(super) fn watch_event(s: &mut State, event: Event) -> Vec<Effect> {
    let watch = s.watch;
    update(s, Msg::Watched { watch, event })
}

pub(super) fn new_state(scope: Scope, options: Options) -> State {
    let mut s = State::new("ctx", vec!["ctx".into(), "other".into()], scope, options, t0());
    // The watches the app starts with.
    update::start(&mut s);
    s
}

pub(super) fn row(ns: &str, name: &str, ty: &str) -> SecretRow {
    SecretRow {
        namespace: ns.into(),
        name: name.into(),
        type_: ty.into(),
        keys: 1,
        created: None,
        resource_version: "1".into(),
        ..Default::default()
    }
}

pub(super) fn state() -> State {
    let mut s = new_state(Scope::One("default".into()), Options::default());
    let rows = vec![
        row("default", "alpha", "Opaque"),
        row("default", "beta-tls", "kubernetes.io/tls"),
        row("default", "sh.helm.release.v1.app.v1", "helm.sh/release.v1"),
    ];
    watch_event(&mut s, Event::SecretsListed(rows));
    s
}

pub(super) fn key(s: &mut State, c: KeyCode) -> Vec<Effect> {
    update(s, Msg::Key(KeyEvent::new(c, KeyModifiers::NONE)))
}

#[test]
fn listing_hides_helm_and_asks_to_inspect_tls() {
    let mut s = new_state(Scope::One("default".into()), Options::default());
    let listed =
        Event::SecretsListed(vec![row("default", "a", "kubernetes.io/tls"), row("default", "h", "helm.sh/release.v1")]);
    let fx = watch_event(&mut s, listed);
    assert_eq!(s.list.visible.len(), 1);
    assert_eq!(s.list.hidden_helm, 1);
    assert_eq!(fx, vec![Effect::Inspect(vec![("default".into(), "a".into())])]);
}

#[test]
fn only_rows_on_screen_are_inspected_and_scrolling_inspects_the_next() {
    let mut s = new_state(Scope::One("default".into()), Options::default());
    s.height = 24;
    let rows: Vec<SecretRow> = (0..1000).map(|i| row("default", &format!("t{i:04}"), "kubernetes.io/tls")).collect();
    let fx = watch_event(&mut s, Event::SecretsListed(rows));
    let asked = |fx: &[Effect]| -> Vec<String> {
        fx.iter()
            .flat_map(|e| match e {
                Effect::Inspect(keys) => keys.iter().map(|k| k.1.clone()).collect(),
                _ => Vec::new(),
            })
            .collect()
    };
    let first = asked(&fx);
    let page = s.list_page();
    // The screen and a page below it, not the other 950 TLS Secrets.
    assert_eq!(first.len(), 2 * page);
    assert_eq!(first.first().map(String::as_str), Some("t0000"));
    // A watch event for a row far off screen reads nothing.
    let fx = watch_event(&mut s, Event::SecretUpserted(Box::new(row("default", "t0900", "kubernetes.io/tls"))));
    assert!(asked(&fx).is_empty());
    // Paging down brings the next rows' flags, each Secret asked for once.
    let fx = update(&mut s, Msg::Key(KeyEvent::new(KeyCode::PageDown, KeyModifiers::NONE)));
    let next = asked(&fx);
    assert!(!next.is_empty());
    assert!(next.iter().all(|n| !first.contains(n)), "{next:?} were asked for already");
    assert!(next.iter().all(|n| n.as_str() < "t0100"), "{next:?} are not near the screen");
}

#[test]
fn watch_events_mark_the_list_stale_and_one_refresh_applies_them() {
    let mut s = state();
    for i in 0..100 {
        watch_event(&mut s, Event::SecretUpserted(Box::new(row("default", &format!("n{i}"), "Opaque"))));
    }
    assert!(s.stale);
    s.refresh_if_stale();
    assert_eq!(s.list.visible.len(), 102);
    watch_event(&mut s, Event::SecretDeleted { namespace: "default".into(), name: "n0".into() });
    s.refresh_if_stale();
    assert_eq!(s.list.visible.len(), 101);
}

#[test]
fn updates_of_existing_secrets_redraw_without_recomputing_the_list() {
    let mut s = state();
    s.dirty = false;
    let mut updated = row("default", "alpha", "Opaque");
    updated.resource_version = "2".into();
    updated.keys = 5;
    watch_event(&mut s, Event::SecretUpserted(Box::new(updated)));
    assert!(!s.stale, "same rows, same order: nothing to filter or sort again");
    assert!(s.dirty, "the row's new content is drawn");
    assert_eq!(s.rows[&("default".to_string(), "alpha".to_string())].keys, 5);
    // A new Secret does move rows.
    watch_event(&mut s, Event::SecretUpserted(Box::new(row("default", "aardvark", "Opaque"))));
    assert!(s.stale);
    s.refresh_if_stale();
    assert_eq!(s.list.visible[0].1, "aardvark");
}

#[test]
fn a_changed_secret_keeps_its_flags_until_the_new_version_is_inspected() {
    let mut s = new_state(Scope::One("default".into()), Options::default());
    let fx = watch_event(&mut s, Event::SecretsListed(vec![row("default", "web", "kubernetes.io/tls")]));
    assert_eq!(fx, vec![Effect::Inspect(vec![("default".into(), "web".into())])]);
    let facts = Inspected { resource_version: "1".into(), immutable: true, ..Default::default() };
    update(&mut s, Msg::Inspected { namespace: "default".into(), name: "web".into(), facts });
    let key = ("default".to_string(), "web".to_string());
    assert!(s.flags(&s.rows[&key]).contains(&Flag::Immutable) && !s.rows[&key].needs_inspection());
    let mut changed = row("default", "web", "kubernetes.io/tls");
    changed.resource_version = "2".into();
    watch_event(&mut s, Event::SecretUpserted(Box::new(changed)));
    assert!(s.flags(&s.rows[&key]).contains(&Flag::Immutable), "the old facts are shown meanwhile");
    assert!(s.rows[&key].needs_inspection());
    let fx = update(&mut s, Msg::Tick(t0()));
    assert_eq!(fx, vec![Effect::Inspect(vec![key.clone()])], "read again at the next tick: it is on screen");
}

#[test]
fn filter_typing_does_not_trigger_list_keys() {
    let mut s = state();
    key(&mut s, KeyCode::Char('/'));
    for c in "qbeta".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    assert!(!s.quit, "q while typing is a letter");
    assert_eq!(s.list.query, "qbeta");
    key(&mut s, KeyCode::Backspace);
    key(&mut s, KeyCode::Backspace);
    key(&mut s, KeyCode::Backspace);
    key(&mut s, KeyCode::Backspace);
    key(&mut s, KeyCode::Backspace);
    for c in "beta".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    assert_eq!(s.list.visible, vec![("default".to_string(), "beta-tls".to_string())]);
    key(&mut s, KeyCode::Esc);
    assert_eq!(s.list.visible.len(), 2);
}

#[test]
fn open_asks_for_the_secret_and_permissions_and_back_drops_it() {
    let mut s = state();
    let fx = key(&mut s, KeyCode::Enter);
    let target = s.detail.as_ref().unwrap().target();
    assert_eq!((target.namespace.as_str(), target.name.as_str()), ("default", "alpha"));
    assert_eq!(fx, vec![Effect::Open(target.clone()), Effect::CheckUpdate(target.clone())]);
    update(&mut s, Msg::OpenFailed { target, error: OpenError::Forbidden("no".into()) });
    assert!(s.detail.as_ref().unwrap().error.is_some());
    key(&mut s, KeyCode::Esc);
    assert!(s.detail.is_none());
}

#[test]
fn forbidden_across_namespaces_falls_back_and_says_so() {
    let mut s = new_state(Scope::All, Options::default());
    let failed = Event::SecretsFailed(ListError::ForbiddenAllNamespaces {
        fallback: vec!["team".into()],
        message: "nope".into(),
    });
    let fx = watch_event(&mut s, failed);
    assert_eq!(s.scope, Scope::One("team".into()));
    assert_eq!(fx, vec![Effect::Watch { scope: Scope::One("team".into()), generation: 2 }]);
    // The first watch's events are stale now.
    update(&mut s, Msg::Watched { watch: 1, event: Event::SecretsListed(vec![row("default", "old", "Opaque")]) });
    assert!(s.rows.is_empty(), "an event of the replaced watch is ignored");
    assert!(s.scope_note.as_ref().unwrap().contains("nope"));
}

#[test]
fn connection_banner_comes_and_goes() {
    let mut s = state();
    let lost = Connection::Lost { error: "reset".into(), since: t0() };
    watch_event(&mut s, Event::Connection(lost.clone()));
    assert_eq!(s.connection, lost);
    watch_event(&mut s, Event::Connection(Connection::Live));
    assert_eq!(s.reconnected_ticks, 3);
    for _ in 0..3 {
        update(&mut s, Msg::Tick(t0()));
    }
    assert_eq!(s.reconnected_ticks, 0);
}

#[test]
fn quit_and_pickers() {
    let mut s = state();
    key(&mut s, KeyCode::Char('n'));
    assert!(matches!(&s.modal, Some(Modal::Picker(_))));
    update(&mut s, Msg::Namespaces(Ok(vec!["kube-system".into(), "default".into()])));
    key(&mut s, KeyCode::Char('k'));
    key(&mut s, KeyCode::Char('u'));
    let fx = key(&mut s, KeyCode::Enter);
    assert_eq!(fx, vec![Effect::Watch { scope: Scope::One("kube-system".into()), generation: 2 }]);
    assert!(s.rows.is_empty() && s.loading);
    let fx = key(&mut s, KeyCode::Char('q'));
    assert!(fx.is_empty());
    assert!(s.quit);
}

#[test]
fn redact_refuses_to_reveal() {
    let mut s = new_state(Scope::One("default".into()), Options { redact: true, ..Options::default() });
    watch_event(&mut s, Event::SecretsListed(vec![row("default", "a", "Opaque")]));
    key(&mut s, KeyCode::Enter);
    let mut secret = crate::secret::Secret::new("default", "a", "Opaque");
    secret.data = Some([("k".to_string(), crate::secret::SecretValue::from("v"))].into_iter().collect());
    let target = s.detail.as_ref().unwrap().target();
    update(&mut s, Msg::Opened { target, secret: Box::new(secret) });
    key(&mut s, KeyCode::Char('v'));
    key(&mut s, KeyCode::Char('V'));
    assert!(s.detail.as_ref().unwrap().revealed.is_empty());
    assert!(s.flash.as_ref().unwrap().text.contains("--redact"));
}

/// A kind of consumer the user may not list: usage is "?" with why, never UNUSED; a kind the
/// server does not serve (404) is absent, which is known.
#[test]
fn a_forbidden_consumer_kind_makes_usage_unknown_not_unused() {
    use crate::refs::{ConsumerKind, Listing, SOURCES, Source};
    let mut s = state();
    for source in SOURCES {
        match source {
            Source::Consumers(ConsumerKind::ServiceAccount) => {}
            Source::Consumers(ConsumerKind::Gateway) | Source::ReferenceGrants => {
                watch_event(&mut s, Event::Unlisted { source, listing: Listing::NotServed });
            }
            Source::Consumers(kind) => {
                watch_event(&mut s, Event::RefsSynced { kind, present: Default::default() });
            }
        }
    }
    let row = s.rows.values().next().unwrap().clone();
    assert!(!s.flags(&row).contains(&Flag::Unused), "still listing ServiceAccounts: not unused yet");
    let forbidden = "serviceaccounts is forbidden: User \"dev\" cannot list resource \"serviceaccounts\"".to_string();
    watch_event(
        &mut s,
        Event::Unlisted {
            source: Source::Consumers(ConsumerKind::ServiceAccount),
            listing: Listing::Forbidden(forbidden),
        },
    );
    s.refresh_if_stale();
    assert!(!s.flags(&row).contains(&Flag::Unused), "never unused while ServiceAccounts cannot be listed");
    let crate::refs::Known::Unknown(why) = s.refs.known(&row.namespace, &row.name) else { panic!("unknown") };
    assert!(why[0].starts_with("cannot list ServiceAccounts in default: serviceaccounts is forbidden"), "{why:?}");
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 24)).unwrap();
    term.draw(|f| crate::ui::draw(f, &s, &crate::ui::Theme::mono())).unwrap();
    let screen: String = term.backend().buffer().content().iter().map(|c| c.symbol()).collect();
    assert!(screen.contains("usage unknown: cannot list ServiceAccounts"), "{screen}");
    // Once they can be listed after all, usage is known again.
    watch_event(&mut s, Event::RefsSynced { kind: ConsumerKind::ServiceAccount, present: Default::default() });
    assert!(s.refs.known(&row.namespace, &row.name) == crate::refs::Known::Complete && s.refs.is_synced());
    assert!(s.flags(&row).contains(&Flag::Unused));
}

/// A user who may read Secrets but not list them opens one by its name.
#[test]
fn a_secret_can_be_opened_by_name_when_listing_is_forbidden() {
    let mut s = new_state(Scope::One("team".into()), Options::default());
    watch_event(&mut s, Event::SecretsFailed(ListError::Forbidden("secrets is forbidden".into())));
    assert!(s.list_error.as_ref().unwrap().contains("Press o to open one by its name"));
    key(&mut s, KeyCode::Char('o'));
    for c in "db-pass".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    let fx = key(&mut s, KeyCode::Enter);
    let target = s.detail.as_ref().unwrap().target();
    assert_eq!((target.namespace.as_str(), target.name.as_str()), ("team", "db-pass"));
    assert_eq!(fx, vec![Effect::Open(target.clone()), Effect::CheckUpdate(target)]);
    // Not a name: said in the prompt.
    key(&mut s, KeyCode::Esc);
    key(&mut s, KeyCode::Char('o'));
    for c in "Not A Name".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    let fx = key(&mut s, KeyCode::Enter);
    assert!(fx.is_empty());
    assert!(matches!(&s.modal, Some(Modal::Prompt(p)) if p.error.is_some()));
}

/// Watching one namespace, Gateways are watched across namespaces where allowed: a grant in
/// the namespace to Gateways elsewhere is then followed, and use stays known.
#[test]
fn gateways_watched_across_namespaces_follow_grants_from_a_one_namespace_scope() {
    use crate::refs::{ConsumerKind, Known, Listing, SOURCES, Source, grant_from};
    let mut s = state();
    let grant = grant_from(&serde_json::json!({"metadata": {"namespace": "default", "name": "g"}, "spec": {
        "from": [{"group": "gateway.networking.k8s.io", "kind": "Gateway", "namespace": "infra"}],
        "to": [{"group": "", "kind": "Secret"}]}}));
    let list_all = |s: &mut State| {
        for source in SOURCES {
            match source {
                Source::Consumers(kind) => watch_event(s, Event::RefsSynced { kind, present: Default::default() }),
                _ => watch_event(s, Event::GrantsSynced { present: [("default".into(), "g".into())].into() }),
            };
        }
    };
    watch_event(&mut s, Event::GrantUpserted(grant.clone()));
    list_all(&mut s);
    assert!(matches!(s.refs.known("default", "alpha"), Known::Unknown(w) if w[0].contains("Gateways in infra")));
    // The same with the Gateway watch widened.
    let mut s = state();
    watch_event(&mut s, Event::Widened { source: Source::Consumers(ConsumerKind::Gateway) });
    watch_event(&mut s, Event::GrantUpserted(grant));
    list_all(&mut s);
    assert_eq!(s.refs.known("default", "alpha"), Known::Complete);
    // A new scope forgets it.
    s.refs.watching(Some("default".into()));
    s.refs.listed(Source::ReferenceGrants, Listing::Listed);
    assert_eq!(s.refs.known("default", "alpha"), Known::Pending);
}
