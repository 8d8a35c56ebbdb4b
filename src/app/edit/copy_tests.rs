//! kubectl's plaintext copy through the review, without a socket: the choice (remove by
//! default, update, keep) goes into the dry run and the write; changing it after a dry run asks
//! for a new one; a review without edits can take the copy out alone. Against the embedded
//! cluster and kubectl: tests/plaintext_copy.rs.

use crossterm::event::KeyCode;

use crate::app::effect::Effect;
use crate::app::msg::Msg;
use crate::app::state::{Modal, Phase, State};
use crate::app::tests::{key, state};
use crate::app::update;
use crate::secret::last_applied::{self, ANNOTATION};
use crate::secret::{Secret, SecretValue};

/// What `kubectl apply -f` of a stringData manifest left: the password in plaintext.
const APPLIED: &str = r#"{"apiVersion":"v1","kind":"Secret","metadata":{"annotations":{},"name":"alpha","namespace":"default"},"stringData":{"password":"old"},"type":"Opaque"}"#;

fn opened_with(annotation: Option<&str>) -> State {
    let mut s = state();
    key(&mut s, KeyCode::Enter);
    let mut secret = Secret::new("default", "alpha", "Opaque");
    secret.metadata.resource_version = Some("1".into());
    secret.data = Some([("password".to_string(), SecretValue::from("old"))].into_iter().collect());
    secret.metadata.annotations = annotation.map(|a| [(ANNOTATION.to_string(), a.to_string())].into_iter().collect());
    let target = s.detail.as_ref().unwrap().target();
    update(&mut s, Msg::Opened { target, secret: Box::new(secret) });
    s
}

/// Sets `password` to `value` in the draft (the editor's keys are tested elsewhere).
fn rotate(s: &mut State, value: &str) {
    key(s, KeyCode::Char('e'));
    if let Some(Modal::Editor(e)) = &mut s.modal {
        e.area.clear();
    }
    for c in value.chars() {
        key(s, KeyCode::Char(c));
    }
    update(s, Msg::Key(crossterm::event::KeyEvent::new(KeyCode::Char('s'), crossterm::event::KeyModifiers::CONTROL)));
}

fn phase(s: &State) -> Option<Phase> {
    match &s.modal {
        Some(Modal::Review(r)) => Some(r.phase.clone()),
        _ => None,
    }
}

/// The Secret a dry run or write sends.
fn sent(fx: &[Effect]) -> &Secret {
    match fx {
        [Effect::DryRun { secret, .. } | Effect::Apply { secret, .. }] => secret,
        other => panic!("no dry run or write: {other:?}"),
    }
}

#[test]
fn the_copy_is_removed_by_default_in_the_same_write() {
    let mut s = opened_with(Some(APPLIED));
    rotate(&mut s, "new");
    key(&mut s, KeyCode::Char('A'));
    let fx = key(&mut s, KeyCode::Enter);
    let body = sent(&fx);
    assert_eq!(body.annotation(ANNOTATION), None, "removed");
    assert_eq!(body.get("password").unwrap().as_bytes(), b"new");
    assert_eq!(body.metadata.resource_version.as_deref(), Some("1"), "one write, the version opened");
}

#[test]
fn updating_records_the_new_object_and_a_changed_choice_needs_a_new_dry_run() {
    let mut s = opened_with(Some(APPLIED));
    rotate(&mut s, "new");
    key(&mut s, KeyCode::Char('A'));
    let fx = key(&mut s, KeyCode::Enter);
    let [Effect::DryRun { ticket, .. }] = &fx[..] else { panic!("{fx:?}") };
    update(&mut s, Msg::DryRunDone { ticket: ticket.clone(), result: Ok(vec![]) });
    assert!(matches!(phase(&s), Some(Phase::DryRunOk { .. })));
    // The dry run was of the write that removes it: choosing again asks for another.
    key(&mut s, KeyCode::Char('a'));
    assert_eq!(phase(&s), Some(Phase::Review));
    let fx = key(&mut s, KeyCode::Enter);
    let body = sent(&fx);
    let text = body.annotation(ANNOTATION).expect("updated");
    assert!(!text.contains("\"old\"") && !text.contains("b2xk"), "no old value");
    assert!(!last_applied::of(body).unwrap().is_stale(), "a copy of the new values");
    let work = &s.detail.as_ref().unwrap().draft.as_ref().unwrap().work;
    assert_eq!(text, last_applied::recompute(work));
    // An answer to the earlier dry run does not pass this one.
    update(&mut s, Msg::DryRunDone { ticket: ticket.clone(), result: Ok(vec![]) });
    assert_eq!(phase(&s), Some(Phase::DryRunning));
}

#[test]
fn keeping_it_sends_it_as_it_was() {
    let mut s = opened_with(Some(APPLIED));
    rotate(&mut s, "new");
    key(&mut s, KeyCode::Char('A'));
    key(&mut s, KeyCode::Char('a'));
    key(&mut s, KeyCode::Char('a'));
    let fx = key(&mut s, KeyCode::Enter);
    assert_eq!(sent(&fx).annotation(ANNOTATION), Some(APPLIED));
}

#[test]
fn without_edits_the_review_can_take_the_copy_out_alone() {
    let mut s = opened_with(Some(APPLIED));
    key(&mut s, KeyCode::Char('A'));
    assert_eq!(phase(&s), Some(Phase::Review), "offered even without edits");
    // Kept: nothing to write.
    key(&mut s, KeyCode::Char('a'));
    key(&mut s, KeyCode::Char('a'));
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    assert!(s.flash.as_ref().unwrap().text.contains("Nothing to apply"));
    key(&mut s, KeyCode::Char('a'));
    let fx = key(&mut s, KeyCode::Enter);
    let body = sent(&fx);
    assert_eq!(body.annotation(ANNOTATION), None);
    assert_eq!(body.get("password").unwrap().as_bytes(), b"old", "the values are not touched");
}

#[test]
fn no_choice_without_a_copy_of_values() {
    for annotation in [None, Some(r#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"alpha"}}"#)] {
        let mut s = opened_with(annotation);
        key(&mut s, KeyCode::Char('A'));
        assert_eq!(phase(&s), None, "nothing to review: {annotation:?}");
        rotate(&mut s, "new");
        key(&mut s, KeyCode::Char('A'));
        key(&mut s, KeyCode::Char('a'));
        assert!(s.flash.as_ref().unwrap().text.contains("nothing to choose"));
        let fx = key(&mut s, KeyCode::Enter);
        assert_eq!(sent(&fx).annotation(ANNOTATION), annotation, "carried over as it was");
    }
}
