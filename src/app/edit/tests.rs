//! The edit flow without a socket: keys and the results of effects go through the update
//! function, and the effects it asks for are checked. The same flows against the embedded
//! cluster are in tests/edit_flows.rs.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use zeroize::Zeroizing;

use crate::app::effect::{Effect, RandomFor, Target, Ticket};
use crate::app::msg::Msg;
use crate::app::state::{ConfirmKind, Modal, Phase, PromptKind, State, Tab};
use crate::app::tests::{key, state, t0};
use crate::app::update;
use crate::cluster::apply::ApplyError;
use crate::secret::{Secret, SecretValue, types};

fn secret(rv: &str, pairs: &[(&str, &str)]) -> Secret {
    let mut s = Secret::new("default", "alpha", "Opaque");
    s.metadata.resource_version = Some(rv.into());
    s.metadata.uid = Some("uid-1".into());
    s.data = Some(pairs.iter().map(|(k, v)| (k.to_string(), SecretValue::from(*v))).collect());
    s
}

/// The list with `alpha` selected, opened, and its values read at resourceVersion 1.
fn opened() -> State {
    let mut s = state();
    key(&mut s, KeyCode::Enter);
    let target = s.detail.as_ref().unwrap().target();
    update(&mut s, Msg::Opened { target, secret: Box::new(secret("1", &[("password", "old"), ("user", "admin")])) });
    s
}

/// The ticket of the dry run, write or read an effect list asks for.
fn ticket(fx: &[Effect]) -> Ticket {
    match fx {
        [Effect::DryRun { ticket, .. } | Effect::Apply { ticket, .. } | Effect::FetchLatest(ticket)] => ticket.clone(),
        other => panic!("no dry run, write or read: {other:?}"),
    }
}

fn ctrl(s: &mut State, c: char) -> Vec<Effect> {
    update(s, Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)))
}

fn typed(s: &mut State, text: &str) {
    for c in text.chars() {
        key(s, KeyCode::Char(c));
    }
}

/// Edits `password` (the first key) to `value` and keeps it with Ctrl-S.
fn edit_password(s: &mut State, value: &str) {
    s.detail.as_mut().unwrap().selected_key = 0;
    key(s, KeyCode::Char('e'));
    assert!(matches!(s.modal, Some(Modal::Editor(_))));
    key(s, KeyCode::End);
    for _ in 0..3 {
        key(s, KeyCode::Backspace);
    }
    typed(s, value);
    ctrl(s, 's');
    assert!(s.modal.is_none());
}

fn work_value(s: &State, k: &str) -> Option<Vec<u8>> {
    s.detail.as_ref()?.draft.as_ref()?.work.get(k).map(|v| v.as_bytes().to_vec())
}

fn phase(s: &State) -> Option<Phase> {
    match &s.modal {
        Some(Modal::Review(r)) => Some(r.phase.clone()),
        _ => None,
    }
}

#[test]
fn tab_and_shift_tab_switch_tabs_and_mask_again() {
    let mut s = opened();
    assert_eq!(s.detail.as_ref().unwrap().tab, Tab::Data);
    key(&mut s, KeyCode::Char('v'));
    assert!(!s.detail.as_ref().unwrap().revealed.is_empty());
    key(&mut s, KeyCode::Tab);
    assert_eq!(s.detail.as_ref().unwrap().tab, Tab::UsedBy);
    assert!(s.detail.as_ref().unwrap().revealed.is_empty(), "a value revealed stays behind on its tab, masked");
    key(&mut s, KeyCode::Tab);
    assert_eq!(s.detail.as_ref().unwrap().tab, Tab::Details);
    key(&mut s, KeyCode::Tab);
    assert_eq!(s.detail.as_ref().unwrap().tab, Tab::Access);
    key(&mut s, KeyCode::Tab);
    assert_eq!(s.detail.as_ref().unwrap().tab, Tab::Data, "Tab goes round");
    update(&mut s, Msg::Key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)));
    assert_eq!(s.detail.as_ref().unwrap().tab, Tab::Access, "Shift-Tab goes back");
}

#[test]
fn the_access_tab_reads_rbac_once_per_opening_and_ignores_stale_answers() {
    use crate::app::state::AccessView;
    use crate::cluster::rbac::Loaded;
    let mut s = opened();
    let target = s.detail.as_ref().unwrap().target();
    let fx = update(&mut s, Msg::Key(KeyEvent::new(KeyCode::Char('4'), KeyModifiers::NONE)));
    assert_eq!(fx, vec![Effect::LoadAccess(target.clone())]);
    assert_eq!(s.detail.as_ref().unwrap().tab, Tab::Access);
    assert_eq!(s.detail.as_ref().unwrap().access, AccessView::Loading);
    // Away and back: no second read while the first is on its way.
    key(&mut s, KeyCode::Char('1'));
    let fx = update(&mut s, Msg::Key(KeyEvent::new(KeyCode::Char('4'), KeyModifiers::NONE)));
    assert!(fx.is_empty(), "{fx:?}");
    // An answer for another opening is ignored; this one's is kept.
    let stale = Target { session: target.session + 100, ..target.clone() };
    let loaded = || Ok(Box::new(Loaded::Policy(Box::default())));
    update(&mut s, Msg::AccessLoaded { target: stale, result: loaded() });
    assert_eq!(s.detail.as_ref().unwrap().access, AccessView::Loading);
    update(&mut s, Msg::AccessLoaded { target, result: loaded() });
    assert_eq!(s.detail.as_ref().unwrap().access, AccessView::Loaded(Loaded::Policy(Box::default())));
}

#[test]
fn reloading_everything_reads_the_access_tab_again() {
    use crate::app::state::AccessView;
    use crate::cluster::rbac::Loaded;
    let mut s = opened();
    let target = s.detail.as_ref().unwrap().target();
    let ctrl_r = || Msg::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL));
    // Never shown: nothing to read again.
    let fx = update(&mut s, ctrl_r());
    assert!(!fx.contains(&Effect::LoadAccess(target.clone())), "{fx:?}");
    update(&mut s, Msg::Key(KeyEvent::new(KeyCode::Char('4'), KeyModifiers::NONE)));
    let loaded = || Ok(Box::new(Loaded::Policy(Box::default())));
    update(&mut s, Msg::AccessLoaded { target: target.clone(), result: loaded() });
    // On the tab: read again at once, the old answer drawn meanwhile.
    let fx = update(&mut s, ctrl_r());
    assert!(fx.contains(&Effect::Open(target.clone())) && fx.contains(&Effect::LoadAccess(target.clone())), "{fx:?}");
    assert!(matches!(s.detail.as_ref().unwrap().access, AccessView::Loaded(_)));
    // Elsewhere: read again when the tab is next shown.
    key(&mut s, KeyCode::Char('1'));
    let fx = update(&mut s, ctrl_r());
    assert!(!fx.contains(&Effect::LoadAccess(target.clone())), "{fx:?}");
    assert_eq!(s.detail.as_ref().unwrap().access, AccessView::NotAsked);
    let fx = update(&mut s, Msg::Key(KeyEvent::new(KeyCode::Char('4'), KeyModifiers::NONE)));
    assert_eq!(fx, vec![Effect::LoadAccess(target)]);
}

#[test]
fn review_dry_run_and_apply_with_the_version_opened() {
    let mut s = opened();
    edit_password(&mut s, "new");
    assert_eq!(work_value(&s, "password").as_deref(), Some(&b"new"[..]));
    key(&mut s, KeyCode::Char('A'));
    assert_eq!(phase(&s), Some(Phase::Review));
    let fx = key(&mut s, KeyCode::Enter);
    assert_eq!(phase(&s), Some(Phase::DryRunning));
    let [Effect::DryRun { secret: sent, creating: false, .. }] = &fx[..] else { panic!("{fx:?}") };
    assert_eq!(sent.metadata.resource_version.as_deref(), Some("1"), "the precondition is the version opened");
    assert_eq!(sent.get("password").map(|v| v.as_bytes()), Some(&b"new"[..]));
    let result = Ok(vec!["a warning from a webhook".into()]);
    update(&mut s, Msg::DryRunDone { ticket: ticket(&fx), result });
    assert_eq!(phase(&s), Some(Phase::DryRunOk { warnings: vec!["a warning from a webhook".into()] }));
    let fx = key(&mut s, KeyCode::Enter);
    assert!(matches!(&fx[..], [Effect::Apply { creating: false, .. }]), "{fx:?}");
    assert_eq!(phase(&s), Some(Phase::Applying));
    let result = Ok(Box::new(secret("2", &[("password", "new"), ("user", "admin")])));
    update(&mut s, Msg::Applied { ticket: ticket(&fx), result });
    let d = s.detail.as_ref().unwrap();
    assert!(d.draft.is_none() && s.modal.is_none());
    assert_eq!(d.secret.as_ref().unwrap().metadata.resource_version.as_deref(), Some("2"));
    assert!(s.flash.as_ref().unwrap().text.contains("resourceVersion 2"));
}

#[test]
fn rejections_and_network_errors_keep_the_edits_and_retry_the_step() {
    let mut s = opened();
    edit_password(&mut s, "new");
    key(&mut s, KeyCode::Char('A'));
    let fx = key(&mut s, KeyCode::Enter);
    let invalid =
        ApplyError::Invalid { message: "denied by a webhook".into(), causes: vec!["data[password]: too short".into()] };
    update(&mut s, Msg::DryRunDone { ticket: ticket(&fx), result: Err(invalid) });
    let Some(Phase::Failed { causes, retry_apply: false, .. }) = phase(&s) else { panic!("{:?}", phase(&s)) };
    assert_eq!(causes, ["data[password]: too short"]);
    assert_eq!(work_value(&s, "password").as_deref(), Some(&b"new"[..]), "the edit is kept");
    // Enter runs the dry run again; this time it passes, and the write fails on the network.
    let fx = key(&mut s, KeyCode::Enter);
    assert!(matches!(&fx[..], [Effect::DryRun { .. }]));
    update(&mut s, Msg::DryRunDone { ticket: ticket(&fx), result: Ok(vec![]) });
    let fx = key(&mut s, KeyCode::Enter);
    update(&mut s, Msg::Applied { ticket: ticket(&fx), result: Err(ApplyError::Network("connection reset".into())) });
    let Some(Phase::Failed { retry_apply: true, message, .. }) = phase(&s) else { panic!("{:?}", phase(&s)) };
    assert!(message.contains("edits are kept"), "{message}");
    let fx = key(&mut s, KeyCode::Enter);
    assert!(matches!(&fx[..], [Effect::Apply { .. }]), "Enter retries the write, not the dry run");
    // A 403 keeps them too.
    let result = Err(ApplyError::Forbidden("secrets \"alpha\" is forbidden".into()));
    update(&mut s, Msg::Applied { ticket: ticket(&fx), result });
    assert_eq!(work_value(&s, "password").as_deref(), Some(&b"new"[..]));
    // Back to editing: the draft is still there.
    key(&mut s, KeyCode::Esc);
    assert!(s.modal.is_none() && s.detail.as_ref().unwrap().is_dirty());
}

#[test]
fn a_conflict_shows_their_changes_and_the_rebase_keeps_mine() {
    let mut s = opened();
    edit_password(&mut s, "mine");
    key(&mut s, KeyCode::Char('A'));
    let fx = key(&mut s, KeyCode::Enter);
    update(&mut s, Msg::DryRunDone { ticket: ticket(&fx), result: Ok(vec![]) });
    let fx = key(&mut s, KeyCode::Enter);
    let sent = ticket(&fx);
    let result = Err(ApplyError::Conflict("the object has been modified".into()));
    let fx = update(&mut s, Msg::Applied { ticket: sent.clone(), result });
    assert_eq!(fx, vec![Effect::FetchLatest(sent.clone())]);
    // Someone changed both keys meanwhile.
    let theirs = secret("7", &[("password", "theirs"), ("user", "root")]);
    update(&mut s, Msg::Latest { ticket: sent, result: Ok(Box::new(theirs)) });
    let Some(Modal::Conflict(c)) = &s.modal else { panic!("{:?}", s.modal) };
    let keys: Vec<(&str, bool)> = c.conflicts.iter().map(|c| (c.key.as_str(), c.mine_too)).collect();
    assert_eq!(keys, [("password", true), ("user", false)]);
    // Keep mine for password (the default for keys I changed), take theirs for user; rebase.
    key(&mut s, KeyCode::Enter);
    assert_eq!(phase(&s), Some(Phase::Review));
    let dr = s.detail.as_ref().unwrap().draft.as_ref().unwrap();
    assert_eq!(dr.base.metadata.resource_version.as_deref(), Some("7"), "the next write carries their version");
    assert_eq!(work_value(&s, "password").as_deref(), Some(&b"mine"[..]));
    assert_eq!(work_value(&s, "user").as_deref(), Some(&b"root"[..]));
    let fx = key(&mut s, KeyCode::Enter);
    let [Effect::DryRun { secret: sent, .. }] = &fx[..] else { panic!("{fx:?}") };
    assert_eq!(sent.metadata.resource_version.as_deref(), Some("7"));
}

#[test]
fn a_conflict_on_metadata_only_rebases_without_asking() {
    let mut s = opened();
    edit_password(&mut s, "mine");
    key(&mut s, KeyCode::Char('A'));
    let fx = key(&mut s, KeyCode::Enter);
    let sent = ticket(&fx);
    update(&mut s, Msg::DryRunDone { ticket: sent.clone(), result: Err(ApplyError::Conflict("modified".into())) });
    let mut theirs = secret("3", &[("password", "old"), ("user", "admin")]);
    theirs.metadata.labels = Some([("team".to_string(), "a".to_string())].into_iter().collect());
    update(&mut s, Msg::Latest { ticket: sent, result: Ok(Box::new(theirs)) });
    assert_eq!(phase(&s), Some(Phase::Review));
    assert!(s.flash.as_ref().unwrap().text.contains("merged"));
    let labels = &s.detail.as_ref().unwrap().draft.as_ref().unwrap().work.metadata.labels;
    assert_eq!(labels.as_ref().and_then(|l| l.get("team")).map(String::as_str), Some("a"), "their label is kept");
    assert_eq!(work_value(&s, "password").as_deref(), Some(&b"mine"[..]));
}

#[test]
fn delete_asks_then_deletes_with_preconditions() {
    let mut s = opened();
    key(&mut s, KeyCode::Char('D'));
    let Some(Modal::Confirm(c)) = &s.modal else { panic!("{:?}", s.modal) };
    assert!(matches!(&c.kind, ConfirmKind::Delete { .. }));
    assert!(c.lines.iter().any(|l| l.contains("Nothing that was listed would break")), "{:?}", c.lines);
    let fx = key(&mut s, KeyCode::Char('n'));
    assert!(fx.is_empty() && s.modal.is_none() && s.detail.is_some());
    key(&mut s, KeyCode::Char('D'));
    let fx = key(&mut s, KeyCode::Char('y'));
    let target = s.detail.as_ref().unwrap().target();
    assert_eq!(
        fx,
        vec![Effect::Delete { target: target.clone(), uid: Some("uid-1".into()), resource_version: Some("1".into()) }]
    );
    update(&mut s, Msg::Deleted { target, result: Ok(crate::cluster::apply::Deletion::Gone) });
    assert!(s.detail.is_none());
}

/// `alpha` opened as cert-manager's Secret: its annotations name the Certificate.
fn opened_managed() -> State {
    let mut s = state();
    key(&mut s, KeyCode::Enter);
    let target = s.detail.as_ref().unwrap().target();
    let mut sec = secret("1", &[("password", "old"), ("user", "admin")]);
    sec.metadata.annotations = Some(
        [("cert-manager.io/certificate-name", "web-cert"), ("cert-manager.io/issuer-name", "ca")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    );
    update(&mut s, Msg::Opened { target, secret: Box::new(sec) });
    s
}

#[test]
fn editing_a_managed_secret_names_its_owner_and_asks_once() {
    let mut s = opened_managed();
    key(&mut s, KeyCode::Char('e'));
    let Some(Modal::Confirm(c)) = &s.modal else { panic!("{:?}", s.modal) };
    assert_eq!(c.kind, ConfirmKind::EditManaged { action: crate::keymap::Action::Edit });
    assert_eq!(c.title, "Edit alpha? It is managed by cert-manager Certificate web-cert");
    assert!(
        c.lines
            .iter()
            .any(|l| l.contains("cert-manager Certificate web-cert re-issues it: your edit will be replaced")),
        "{:?}",
        c.lines
    );
    // No: nothing is edited.
    key(&mut s, KeyCode::Char('n'));
    assert!(s.modal.is_none() && s.detail.as_ref().unwrap().draft.is_none());
    // Yes: the editor opens on the key, as e does on any Secret.
    key(&mut s, KeyCode::Char('e'));
    key(&mut s, KeyCode::Char('y'));
    assert!(matches!(s.modal, Some(Modal::Editor(_))), "{:?}", s.modal);
    key(&mut s, KeyCode::Esc);
    // Not asked again while it is open; the review says it once more.
    key(&mut s, KeyCode::Char('a'));
    assert!(matches!(s.modal, Some(Modal::Prompt(_))), "{:?}", s.modal);
    key(&mut s, KeyCode::Esc);
    // Opened again (another owner now): asked again.
    key(&mut s, KeyCode::Esc);
    assert!(s.detail.is_none());
    let mut s2 = s;
    key(&mut s2, KeyCode::Enter);
    let target = s2.detail.as_ref().unwrap().target();
    let mut sec = secret("1", &[("password", "old")]);
    sec.metadata.owner_references = Some(vec![k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference {
        api_version: "external-secrets.io/v1".into(),
        kind: "ExternalSecret".into(),
        name: "db".into(),
        uid: "u".into(),
        controller: Some(true),
        ..Default::default()
    }]);
    update(&mut s2, Msg::Opened { target, secret: Box::new(sec) });
    key(&mut s2, KeyCode::Char('x'));
    let Some(Modal::Confirm(c)) = &s2.modal else { panic!("{:?}", s2.modal) };
    assert_eq!(c.title, "Edit alpha? It is managed by ExternalSecret db");
    key(&mut s2, KeyCode::Char('y'));
    assert!(work_value(&s2, "password").is_none(), "yes went on with deleting the key (not applied)");
}

#[test]
fn a_clone_of_a_managed_secret_is_nobodys() {
    let mut s = opened_managed();
    key(&mut s, KeyCode::Char('C'));
    assert!(matches!(s.modal, Some(Modal::Prompt(_))), "a clone is not an edit of the managed Secret");
    key(&mut s, KeyCode::Enter);
    let d = s.detail.as_ref().unwrap();
    let work = &d.draft.as_ref().unwrap().work;
    assert!(work.metadata.annotations.as_ref().is_none_or(|a| a.is_empty()), "{:?}", work.metadata.annotations);
    assert!(s.flash.as_ref().unwrap().text.contains("without its managers' marks (cert-manager.io/certificate-name"));
    assert!(s.detail_owners().is_empty());
    key(&mut s, KeyCode::Char('e'));
    assert!(matches!(s.modal, Some(Modal::Editor(_))), "not asked: {:?}", s.modal);
}

#[test]
fn a_secret_nobody_manages_is_edited_without_asking() {
    let mut s = opened();
    key(&mut s, KeyCode::Char('e'));
    assert!(matches!(s.modal, Some(Modal::Editor(_))), "{:?}", s.modal);
}

#[test]
fn deleting_a_managed_secret_names_its_owner_and_what_comes_back() {
    let mut s = opened_managed();
    key(&mut s, KeyCode::Char('D'));
    let Some(Modal::Confirm(c)) = &s.modal else { panic!("{:?}", s.modal) };
    assert!(matches!(&c.kind, ConfirmKind::Delete { .. }));
    assert_eq!(c.title, "Delete alpha? It is managed by cert-manager Certificate web-cert");
    assert!(
        c.lines.iter().any(|l| l.contains("• cert-manager Certificate web-cert: it issues a new certificate")),
        "{:?}",
        c.lines
    );
    let fx = key(&mut s, KeyCode::Char('n'));
    assert!(fx.is_empty() && s.detail.is_some());
    key(&mut s, KeyCode::Char('D'));
    let fx = key(&mut s, KeyCode::Char('y'));
    assert!(matches!(&fx[..], [Effect::Delete { .. }]), "{fx:?}");
}

#[test]
fn a_certificate_that_names_the_secret_manages_it_too() {
    use crate::owners::{WriterEvent, WriterKind};
    let mut s = opened();
    let writes = crate::owners::writers::writer_from(
        WriterKind::Certificate,
        "default",
        "web-cert",
        Some(&serde_json::json!({"secretName": "alpha"})),
    );
    let event = WriterEvent::Upserted {
        kind: WriterKind::Certificate,
        namespace: "default".into(),
        name: "web-cert".into(),
        writes,
    };
    let watch = s.watch;
    update(&mut s, Msg::Watched { watch, event: crate::cluster::event::Event::Writers(event) });
    key(&mut s, KeyCode::Char('e'));
    let Some(Modal::Confirm(c)) = &s.modal else { panic!("{:?}", s.modal) };
    assert_eq!(c.title, "Edit alpha? It is managed by cert-manager Certificate web-cert");
    // And the list flags it.
    let row = s.rows.get(&("default".to_string(), "alpha".to_string())).unwrap();
    assert!(s.flags(row).contains(&crate::list::flags::Flag::Managed(vec!["cert-manager".into()])));
}

#[test]
fn quitting_with_edits_asks_and_no_keeps_them() {
    let mut s = opened();
    edit_password(&mut s, "new");
    ctrl(&mut s, 'c');
    assert!(!s.quit);
    assert!(matches!(&s.modal, Some(Modal::Confirm(c)) if c.kind == ConfirmKind::DiscardAndClose { quit: true }));
    key(&mut s, KeyCode::Char('n'));
    assert!(!s.quit && s.modal.is_none());
    assert_eq!(work_value(&s, "password").as_deref(), Some(&b"new"[..]));
    // Esc asks too, and yes drops the edits.
    key(&mut s, KeyCode::Esc);
    key(&mut s, KeyCode::Char('y'));
    assert!(s.detail.is_none() && !s.quit);
    ctrl(&mut s, 'c');
    assert!(s.quit, "nothing to lose: quits at once");
}

#[test]
fn ctrl_c_in_the_value_editor_asks_and_no_brings_the_editor_back() {
    let mut s = opened();
    key(&mut s, KeyCode::Char('e'));
    typed(&mut s, "typed");
    ctrl(&mut s, 'c');
    assert!(!s.quit, "a value being typed is work to lose");
    key(&mut s, KeyCode::Char('n'));
    let Some(Modal::Editor(e)) = &s.modal else { panic!("the editor is back: {:?}", s.modal) };
    assert_eq!(*Zeroizing::new(e.area.text()), "typedold");
}

#[test]
fn random_values_and_completions_are_effects_answered_by_messages() {
    let mut s = opened();
    s.detail.as_mut().unwrap().selected_key = 0;
    key(&mut s, KeyCode::Char('g'));
    key(&mut s, KeyCode::Tab); // the alphabet: letters, digits and symbols
    let fx = key(&mut s, KeyCode::Enter);
    let [Effect::Random { len: 32, target: for_key @ RandomFor::Key { key: k, .. }, .. }] = &fx[..] else {
        panic!("{fx:?}")
    };
    assert_eq!(k, "password");
    update(&mut s, Msg::Random { target: for_key.clone(), value: Zeroizing::new("x".repeat(32)) });
    assert_eq!(work_value(&s, "password"), Some(vec![b'x'; 32]));

    key(&mut s, KeyCode::Char('f'));
    typed(&mut s, "/etc/ss");
    let fx = key(&mut s, KeyCode::Tab);
    assert_eq!(fx, vec![Effect::CompletePath("/etc/ss".into())]);
    // An answer for text the user has changed since is dropped.
    update(&mut s, Msg::Completed { input: "/et".into(), completed: "/etc/".into(), candidates: vec![] });
    update(
        &mut s,
        Msg::Completed { input: "/etc/ss".into(), completed: "/etc/ssl/".into(), candidates: vec!["ssl/".into()] },
    );
    let Some(Modal::Prompt(p)) = &s.modal else { panic!() };
    assert_eq!(p.input.text.as_str(), "/etc/ssl/");
    assert_eq!(p.candidates, ["ssl/"]);
    let fx = key(&mut s, KeyCode::Enter);
    let target = s.detail.as_ref().unwrap().target();
    assert_eq!(fx, vec![Effect::ReadFile { target: target.clone(), path: "/etc/ssl/".into(), key: "password".into() }]);
    let result = Err("is a directory".into());
    update(&mut s, Msg::FileRead { target, key: "password".into(), path: "/etc/ssl/".into(), result });
    assert!(s.flash.as_ref().unwrap().error);
}

#[test]
fn a_new_bootstrap_token_gets_a_random_id_and_secret() {
    let mut s = state();
    key(&mut s, KeyCode::Char('N'));
    typed(&mut s, "bootstrap");
    let fx = key(&mut s, KeyCode::Enter);
    assert!(matches!(&fx[..], [Effect::Random { len: 6, target: RandomFor::BootstrapName, .. }]), "{fx:?}");
    update(&mut s, Msg::Random { target: RandomFor::BootstrapName, value: Zeroizing::new("abc123".into()) });
    let Some(Modal::Prompt(p)) = &s.modal else { panic!() };
    assert_eq!(p.kind, PromptKind::NewName(types::BOOTSTRAP_TOKEN.into()));
    assert_eq!(p.input.text.as_str(), "bootstrap-token-abc123");
    let fx = key(&mut s, KeyCode::Enter);
    let [Effect::Random { len: 16, target: for_secret @ RandomFor::BootstrapSecret(_), .. }] = &fx[..] else {
        panic!("{fx:?}")
    };
    update(&mut s, Msg::Random { target: for_secret.clone(), value: Zeroizing::new("0123456789abcdef".into()) });
    assert_eq!(work_value(&s, "token-id").as_deref(), Some(&b"abc123"[..]));
    assert_eq!(work_value(&s, "token-secret").as_deref(), Some(&b"0123456789abcdef"[..]));
    let dr = s.detail.as_ref().unwrap().draft.as_ref().unwrap();
    assert!(dr.creating);
    let expiration = dr.work.get("expiration").map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    assert_eq!(expiration.as_deref(), Some("2026-06-02T12:00:00Z"), "24 hours after the tick's time, {}", t0());
}

#[test]
fn readonly_refuses_every_edit() {
    let mut s = opened();
    s.options.readonly = true;
    for c in ['e', 'a', 'r', 'x', 'f', 'g', 'm', 'i', 'A', 'u', 'C', 'D'] {
        let fx = key(&mut s, KeyCode::Char(c));
        assert!(fx.is_empty() && s.modal.is_none(), "{c} is a write");
    }
    assert!(s.flash.as_ref().unwrap().text.contains("--readonly"));
}

/// Opens the second row of the list (`beta-tls`), answering the read.
fn open_beta(s: &mut State) {
    key(s, KeyCode::Down);
    key(s, KeyCode::Enter);
    let target = s.detail.as_ref().unwrap().target();
    assert_eq!(target.name, "beta-tls");
    let mut beta = Secret::new("default", "beta-tls", types::TLS);
    beta.metadata.resource_version = Some("5".into());
    beta.data = Some(
        [("tls.crt".to_string(), SecretValue::from("crt")), ("tls.key".to_string(), SecretValue::from("key"))]
            .into_iter()
            .collect(),
    );
    update(s, Msg::Opened { target, secret: Box::new(beta) });
}

/// Dry run and write of the draft on screen; returns the write's ticket, unanswered.
fn send_write(s: &mut State) -> Ticket {
    key(s, KeyCode::Char('A'));
    let fx = key(s, KeyCode::Enter);
    update(s, Msg::DryRunDone { ticket: ticket(&fx), result: Ok(vec![]) });
    let fx = key(s, KeyCode::Enter);
    assert_eq!(phase(s), Some(Phase::Applying));
    ticket(&fx)
}

/// A slow write: the user goes back to editing; the answer keeps the later edits, on top of
/// the version written.
#[test]
fn edits_made_while_a_write_is_on_its_way_are_kept() {
    let mut s = opened();
    edit_password(&mut s, "new");
    let sent = send_write(&mut s);
    key(&mut s, KeyCode::Esc);
    assert!(s.modal.is_none(), "back to editing while the write is on its way");
    // Another edit: user → root.
    s.detail.as_mut().unwrap().selected_key = 1;
    key(&mut s, KeyCode::Char('e'));
    key(&mut s, KeyCode::End);
    for _ in 0..5 {
        key(&mut s, KeyCode::Backspace);
    }
    typed(&mut s, "root");
    ctrl(&mut s, 's');
    let written = secret("2", &[("password", "new"), ("user", "admin")]);
    update(&mut s, Msg::Applied { ticket: sent, result: Ok(Box::new(written)) });
    let d = s.detail.as_ref().unwrap();
    let dr = d.draft.as_ref().expect("the later edit is kept");
    assert_eq!(dr.base.metadata.resource_version.as_deref(), Some("2"), "on top of the version written");
    let keys: Vec<String> = dr.diff().into_iter().map(|k| k.key).collect();
    assert_eq!(keys, ["user"], "only the later edit is left to apply");
    assert_eq!(work_value(&s, "user").as_deref(), Some(&b"root"[..]));
    assert_eq!(d.secret.as_ref().unwrap().metadata.resource_version.as_deref(), Some("2"));
    assert!(s.flash.as_ref().unwrap().text.contains("later edits are kept"));
}

/// A's answers never land on B: not the write's, not the dry run's, not the read after a 409.
#[test]
fn answers_for_a_secret_that_was_closed_do_not_land_on_the_next_one() {
    let mut s = opened();
    edit_password(&mut s, "new");
    let sent = send_write(&mut s);
    key(&mut s, KeyCode::Esc); // the review
    key(&mut s, KeyCode::Esc); // the Secret: discard the edits?
    key(&mut s, KeyCode::Char('y'));
    assert!(s.detail.is_none());
    open_beta(&mut s);
    let before = s.detail.as_ref().unwrap().secret.clone();
    let written = secret("2", &[("password", "new"), ("user", "admin")]);
    let fx = update(&mut s, Msg::Applied { ticket: sent.clone(), result: Ok(Box::new(written)) });
    assert!(fx.is_empty());
    let d = s.detail.as_ref().unwrap();
    assert_eq!(d.name, "beta-tls");
    assert_eq!(d.secret, before, "B's screen keeps B's data");
    assert!(s.flash.as_ref().unwrap().text.contains("default/alpha"), "the user hears that A was applied");
    let fx = update(&mut s, Msg::Applied { ticket: sent.clone(), result: Err(ApplyError::Conflict("x".into())) });
    assert!(fx.is_empty(), "no read of A for B's conflict screen");
    update(&mut s, Msg::DryRunDone { ticket: sent.clone(), result: Err(ApplyError::Network("x".into())) });
    update(&mut s, Msg::Latest { ticket: sent, result: Ok(Box::new(secret("9", &[]))) });
    assert!(s.modal.is_none() && s.detail.as_ref().unwrap().draft.is_none());
    // B's own edit is drafted from B and written to B.
    s.detail.as_mut().unwrap().selected_key = 0;
    key(&mut s, KeyCode::Char('e'));
    typed(&mut s, "x");
    ctrl(&mut s, 's');
    key(&mut s, KeyCode::Char('A'));
    let fx = key(&mut s, KeyCode::Enter);
    let [Effect::DryRun { secret: sent, .. }] = &fx[..] else { panic!("{fx:?}") };
    assert_eq!((sent.name(), sent.metadata.resource_version.as_deref()), ("beta-tls", Some("5")));
}

/// The same Secret closed and opened again is a new session: the old one's answers are not its.
#[test]
fn answers_for_an_earlier_opening_of_the_same_secret_are_ignored() {
    let mut s = opened();
    let old = s.detail.as_ref().unwrap().target();
    key(&mut s, KeyCode::Esc);
    key(&mut s, KeyCode::Enter);
    let new = s.detail.as_ref().unwrap().target();
    assert_ne!(old.session, new.session);
    update(&mut s, Msg::Opened { target: old.clone(), secret: Box::new(secret("1", &[("stale", "x")])) });
    assert!(s.detail.as_ref().unwrap().secret.is_none(), "not the read of the earlier opening");
    let result = Ok(b"file".to_vec());
    update(&mut s, Msg::FileRead { target: old.clone(), key: "k".into(), path: "/tmp/f".into(), result });
    update(
        &mut s,
        Msg::Random { target: RandomFor::Key { target: old, key: "k".into() }, value: Zeroizing::new("r".into()) },
    );
    assert!(s.detail.as_ref().unwrap().draft.is_none(), "nothing drafted from an old answer");
}

/// A dry run answered after the user edited again does not pass the new edit.
#[test]
fn a_dry_run_of_an_earlier_revision_does_not_pass_the_current_one() {
    let mut s = opened();
    edit_password(&mut s, "new");
    key(&mut s, KeyCode::Char('A'));
    let fx = key(&mut s, KeyCode::Enter);
    let first = ticket(&fx);
    key(&mut s, KeyCode::Esc);
    edit_password(&mut s, "newer");
    key(&mut s, KeyCode::Char('A'));
    let fx = key(&mut s, KeyCode::Enter);
    assert_eq!(phase(&s), Some(Phase::DryRunning));
    update(&mut s, Msg::DryRunDone { ticket: first, result: Ok(vec![]) });
    assert_eq!(phase(&s), Some(Phase::DryRunning), "still waiting for the dry run of what is on screen");
    update(&mut s, Msg::DryRunDone { ticket: ticket(&fx), result: Ok(vec![]) });
    assert_eq!(phase(&s), Some(Phase::DryRunOk { warnings: vec![] }));
}

#[test]
fn a_prompt_with_text_is_work_to_lose_too() {
    let mut s = state();
    key(&mut s, KeyCode::Char('N'));
    typed(&mut s, "opaque");
    key(&mut s, KeyCode::Enter);
    typed(&mut s, "new-name");
    ctrl(&mut s, 'c');
    assert!(!s.quit);
    key(&mut s, KeyCode::Char('n'));
    let Some(Modal::Prompt(p)) = &s.modal else { panic!("{:?}", s.modal) };
    assert_eq!(p.input.text.as_str(), "new-name");
}

#[test]
fn a_value_that_is_not_valid_hex_or_base64_is_refused_without_quoting_it() {
    for redact in [false, true] {
        let mut s = opened();
        s.options.redact = redact;
        s.detail.as_mut().unwrap().selected_key = 0;
        key(&mut s, KeyCode::Char('e'));
        key(&mut s, KeyCode::End);
        for _ in 0..3 {
            key(&mut s, KeyCode::Backspace);
        }
        ctrl(&mut s, 'o'); // text → hex (empty)
        typed(&mut s, "6f 6c\nPastedPassw0rd!");
        ctrl(&mut s, 's');
        let Some(Modal::Editor(e)) = &s.modal else { panic!("the editor stays open") };
        let err = e.error.clone().unwrap();
        assert_eq!(err, "not valid hex: line 2, column 1: not a hex digit (hex is 0-9 and a-f, two digits a byte)");
        ctrl(&mut s, 'o');
        let Some(Modal::Editor(e)) = &s.modal else { panic!("the editor stays open") };
        let err2 = e.error.clone().unwrap();
        assert!(err2.starts_with("cannot switch format: the hex is not valid: line 2, column 1"), "{err2}");
        for shown in [&err, &err2] {
            for part in ["PastedPassw0rd", "Pa", "rd!"] {
                assert!(!shown.contains(part), "redact={redact}: {part:?} in {shown:?}");
            }
        }
    }
    // Base64 says where too: the line and column in the editor, not an offset in compacted text.
    let mut s = opened();
    s.detail.as_mut().unwrap().selected_key = 0;
    key(&mut s, KeyCode::Char('e'));
    ctrl(&mut s, 'o'); // text → hex
    ctrl(&mut s, 'o'); // hex → base64: "b2xk"
    key(&mut s, KeyCode::End);
    key(&mut s, KeyCode::Enter);
    typed(&mut s, "Sm*9");
    ctrl(&mut s, 's');
    let Some(Modal::Editor(e)) = &s.modal else { panic!("the editor stays open") };
    let err = e.error.clone().unwrap();
    assert_eq!(err, "not valid base64: line 2, column 3: illegal base64 data");
}

#[test]
fn a_credential_plugin_borrowing_the_terminal_leaves_the_value_being_typed_alone() {
    let mut s = opened();
    key(&mut s, KeyCode::Char('e'));
    typed(&mut s, "typed");
    let fx = update(&mut s, Msg::TerminalWanted(7));
    assert_eq!(fx, vec![Effect::LendTerminal(7)]);
    update(&mut s, Msg::Resumed);
    let Some(Modal::Editor(e)) = &s.modal else { panic!("the editor is still open: {:?}", s.modal) };
    assert_eq!(*Zeroizing::new(e.area.text()), "typedold");
    assert!(s.flash.as_ref().is_some_and(|f| f.text.contains("credential plugin")), "{:?}", s.flash);
}

/// The delete dialog names the consumers with no Pod now: a CronJob's next run, a Deployment
/// at zero replicas (issue 14).
#[test]
fn delete_names_templates_with_no_pod_now() {
    use crate::refs::{ConsumerKind, Interner, consumer_id, from_workload};
    let mut s = opened();
    let template = serde_json::json!({"spec": {"containers": [{"name": "app", "image": "x",
        "env": [{"name": "PW", "valueFrom": {"secretKeyRef": {"name": "alpha", "key": "password"}}}]}]}});
    let cj: k8s_openapi::api::batch::v1::CronJob = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "nightly-backup", "namespace": "default"},
        "spec": {"schedule": "0 2 * * *", "jobTemplate": {"spec": {"template": template.clone()}}}}))
    .unwrap();
    let d: k8s_openapi::api::apps::v1::Deployment = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "api", "namespace": "default"},
        "spec": {"replicas": 0, "selector": {}, "template": template}}))
    .unwrap();
    s.refs.upsert(consumer_id(ConsumerKind::CronJob, &cj.metadata), from_workload(&cj, &mut Interner::new()));
    s.refs.upsert(consumer_id(ConsumerKind::Deployment, &d.metadata), from_workload(&d, &mut Interner::new()));
    key(&mut s, KeyCode::Char('D'));
    let Some(Modal::Confirm(c)) = &s.modal else { panic!("{:?}", s.modal) };
    let text = c.lines.join("\n");
    assert!(text.contains("These would break:"), "{text}");
    assert!(text.contains("• CronJob nightly-backup, next run 02:00 UTC"), "{text}");
    assert!(text.contains("no Pod now\n      its next run fails: container \"app\" cannot start"), "{text}");
    assert!(text.contains("• Deployment api, 0 replicas; no Pod now"), "{text}");
    assert!(text.contains("its Pods fail when it is scaled up"), "{text}");
}

/// The watch can bring our own write before the write's answer does (a loaded machine): the
/// Secret screen already shows the new version, yet the keys that changed are still those of
/// the write, so the restart window opens, and no "changed on the server" is said of our own
/// write.
#[test]
fn the_restart_window_opens_when_the_watch_brings_the_write_before_its_answer() {
    use crate::refs::{ConsumerKind, Interner, WorkloadResolver, consumer_id, from_pod_in};
    let mut s = opened();
    let pod: k8s_openapi::api::core::v1::Pod = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "api-6d9c7b8f5-x1", "namespace": "default",
            "labels": {"pod-template-hash": "6d9c7b8f5"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "api-6d9c7b8f5",
                "uid": "u", "controller": true}]},
        "spec": {"containers": [{"name": "app", "image": "x",
            "env": [{"name": "PW", "valueFrom": {"secretKeyRef": {"name": "alpha", "key": "password"}}}]}]}}))
    .unwrap();
    let refs = from_pod_in(&pod, &WorkloadResolver::new(), &mut Interner::new());
    s.refs.upsert(consumer_id(ConsumerKind::Pod, &pod.metadata), refs);
    edit_password(&mut s, "new");
    key(&mut s, KeyCode::Char('A'));
    let fx = key(&mut s, KeyCode::Enter);
    update(&mut s, Msg::DryRunDone { ticket: ticket(&fx), result: Ok(vec![]) });
    let fx = key(&mut s, KeyCode::Enter);
    let sent = ticket(&fx);
    let written = secret("2", &[("password", "new"), ("user", "admin")]);
    // The watch first: the row moves to resourceVersion 2 and the screen reads it again.
    let mut moved = crate::app::tests::row("default", "alpha", "Opaque");
    moved.resource_version = "2".into();
    let fx = crate::app::tests::watch_event(&mut s, crate::cluster::event::Event::SecretUpserted(Box::new(moved)));
    for e in fx {
        if let Effect::Open(target) = e {
            update(&mut s, Msg::Opened { target, secret: Box::new(written.clone()) });
        }
    }
    assert!(
        s.flash.as_ref().is_none_or(|f| !f.text.contains("changed on the server")),
        "our own write is not someone else's change: {:?}",
        s.flash
    );
    update(&mut s, Msg::Applied { ticket: sent, result: Ok(Box::new(written)) });
    let Some(Modal::Restart(v)) = &s.modal else { panic!("no restart window: {:?} {:?}", s.modal, s.flash) };
    assert_eq!(v.rows.len(), 1);
    assert_eq!(v.rows[0].target.name, "api");
}

/// `alpha` opened as a Secret of `type_` with `pairs`.
fn opened_as(type_: &str, pairs: &[(&str, &str)]) -> State {
    let mut s = state();
    key(&mut s, KeyCode::Enter);
    let target = s.detail.as_ref().unwrap().target();
    let mut sec = secret("1", pairs);
    sec.type_ = Some(type_.into());
    update(&mut s, Msg::Opened { target, secret: Box::new(sec) });
    s
}

#[test]
fn rotate_of_a_basic_auth_secret_generates_its_password_and_goes_to_the_review() {
    let mut s = opened_as(types::BASIC_AUTH, &[("password", "old"), ("username", "admin")]);
    s.detail.as_mut().unwrap().selected_key = 1; // username: the password is rotated anyway
    key(&mut s, KeyCode::Char('o'));
    let Some(Modal::Prompt(p)) = &s.modal else { panic!("{:?}", s.modal) };
    assert_eq!(p.kind, PromptKind::Rotate("password".into()));
    assert!(p.title.contains("basic-auth password"), "{}", p.title);
    assert_eq!(p.input.text.as_str(), "32");
    let fx = key(&mut s, KeyCode::Enter);
    let [Effect::Random { len: 32, target: RandomFor::Rotate { target, key: k }, .. }] = &fx[..] else {
        panic!("{fx:?}")
    };
    assert_eq!(k, "password");
    let value = Zeroizing::new("N3wRandomValue".to_string());
    update(&mut s, Msg::Random { target: RandomFor::Rotate { target: target.clone(), key: k.clone() }, value });
    assert_eq!(phase(&s), Some(Phase::Review), "straight to the review");
    assert_eq!(work_value(&s, "password").as_deref(), Some(&b"N3wRandomValue"[..]));
    assert_eq!(work_value(&s, "username").as_deref(), Some(&b"admin"[..]));
    // The review goes on as any other: dry run, then the write.
    let fx = key(&mut s, KeyCode::Enter);
    assert!(matches!(&fx[..], [Effect::DryRun { .. }]), "{fx:?}");
}

#[test]
fn rotate_asks_for_nothing_when_the_format_fixes_the_length_and_refuses_what_it_cannot_make() {
    let mut s = opened_as(types::BOOTSTRAP_TOKEN, &[("token-id", "abcdef"), ("token-secret", "0123456789abcdef")]);
    let fx = key(&mut s, KeyCode::Char('o'));
    assert!(
        matches!(&fx[..], [Effect::Random { len: 16, alphabet: crate::app::editor::Alphabet::Hex, target: RandomFor::Rotate { key, .. } }] if key == "token-secret"),
        "{fx:?}"
    );
    let mut s = opened_as(types::TLS, &[("tls.crt", "x"), ("tls.key", "y")]);
    let fx = key(&mut s, KeyCode::Char('o'));
    assert!(fx.is_empty() && s.modal.is_none());
    let flash = s.flash.as_ref().unwrap();
    assert!(flash.error && flash.text.contains("new certificate"), "{}", flash.text);
    // With unapplied edits, a rotate would review them too: refused.
    let mut s = opened();
    edit_password(&mut s, "new");
    key(&mut s, KeyCode::Char('o'));
    assert!(s.modal.is_none() && s.flash.as_ref().unwrap().text.contains("Unapplied edits"));
}

#[test]
fn rotate_of_a_registry_password_recomputes_auth() {
    use base64::Engine as _;
    let config = r#"{"auths":{"r.example.com":{"username":"bot","password":"old","auth":"Ym90Om9sZA=="}}}"#;
    let mut s = opened_as(types::DOCKER_CONFIG_JSON, &[(".dockerconfigjson", config)]);
    key(&mut s, KeyCode::Char('o'));
    let Some(Modal::Prompt(p)) = &s.modal else { panic!("{:?}", s.modal) };
    assert!(p.masked && p.title.contains("bot at r.example.com"), "{}", p.title);
    key(&mut s, KeyCode::Enter);
    let Some(Modal::Prompt(p)) = &s.modal else { panic!("an empty password is refused: {:?}", s.modal) };
    assert!(p.error.is_some());
    typed(&mut s, "t0ken");
    key(&mut s, KeyCode::Enter);
    assert_eq!(phase(&s), Some(Phase::Review));
    let json = work_value(&s, ".dockerconfigjson").unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(v["auths"]["r.example.com"]["password"], "t0ken");
    assert_eq!(v["auths"]["r.example.com"]["auth"], base64::engine::general_purpose::STANDARD.encode("bot:t0ken"));
}

/// Applies `password` = `value` over the version open, answered with resourceVersion `rv`.
fn apply_password(s: &mut State, value: &str, rv: &str, user: &str) {
    edit_password(s, value);
    key(s, KeyCode::Char('A'));
    let fx = key(s, KeyCode::Enter);
    update(s, Msg::DryRunDone { ticket: ticket(&fx), result: Ok(vec![]) });
    let fx = key(s, KeyCode::Enter);
    let written = secret(rv, &[("password", value), ("user", user)]);
    update(s, Msg::Applied { ticket: ticket(&fx), result: Ok(Box::new(written)) });
    assert!(s.modal.is_none(), "{:?}", s.modal);
}

#[test]
fn undo_puts_back_the_version_the_apply_replaced_with_a_reviewed_write() {
    let mut s = opened();
    key(&mut s, KeyCode::Char('U'));
    assert!(s.modal.is_none() && s.flash.as_ref().unwrap().text.contains("Nothing to put back"));
    apply_password(&mut s, "new", "2", "admin");
    assert!(s.flash.as_ref().unwrap().text.contains("U puts back"), "{:?}", s.flash);
    key(&mut s, KeyCode::Char('U'));
    assert_eq!(phase(&s), Some(Phase::Review));
    let dr = s.detail.as_ref().unwrap().draft.as_ref().unwrap();
    assert!(dr.undoing);
    assert_eq!(dr.base.metadata.resource_version.as_deref(), Some("2"), "the precondition is the version now");
    assert_eq!(work_value(&s, "password").as_deref(), Some(&b"old"[..]));
    let fx = key(&mut s, KeyCode::Enter);
    let [Effect::DryRun { secret: sent, .. }] = &fx[..] else { panic!("{fx:?}") };
    assert_eq!(sent.metadata.resource_version.as_deref(), Some("2"));
    update(&mut s, Msg::DryRunDone { ticket: ticket(&fx), result: Ok(vec![]) });
    let fx = key(&mut s, KeyCode::Enter);
    let written = secret("3", &[("password", "old"), ("user", "admin")]);
    update(&mut s, Msg::Applied { ticket: ticket(&fx), result: Ok(Box::new(written)) });
    assert!(s.flash.as_ref().unwrap().text.starts_with("Put back the earlier version"), "{:?}", s.flash);
    assert_eq!(s.applied.depth(&s.context, "default", "alpha"), 0, "put back: it leaves the history");
    key(&mut s, KeyCode::Char('U'));
    assert!(s.modal.is_none() && s.flash.as_ref().unwrap().text.contains("Nothing to put back"));
}

#[test]
fn undo_after_someone_else_changed_it_says_so_and_versions_go_back_one_at_a_time() {
    let mut s = opened();
    apply_password(&mut s, "second", "2", "admin");
    apply_password(&mut s, "third", "3", "admin");
    assert_eq!(s.applied.depth(&s.context, "default", "alpha"), 2);
    // Someone else changes `user` after our last apply.
    let target = s.detail.as_ref().unwrap().target();
    let theirs = secret("4", &[("password", "third"), ("user", "root")]);
    update(&mut s, Msg::Opened { target, secret: Box::new(theirs) });
    key(&mut s, KeyCode::Char('U'));
    assert_eq!(phase(&s), Some(Phase::Review));
    let flash = s.flash.as_ref().unwrap();
    assert!(flash.error && flash.text.contains("changed on the server since"), "{}", flash.text);
    assert_eq!(work_value(&s, "password").as_deref(), Some(&b"second"[..]));
    assert_eq!(work_value(&s, "user").as_deref(), Some(&b"admin"[..]), "the version before, whole");
    // Esc leaves the review; u drops the draft; the history is untouched.
    key(&mut s, KeyCode::Esc);
    assert_eq!(s.applied.depth(&s.context, "default", "alpha"), 2);
}
