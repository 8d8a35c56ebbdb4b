//! Rotate (`o`): a new value for a key in the terms of the Secret's type, then straight to the
//! review; after the apply the restart window offers to restart what reads it at start.
//! Undo (`U`): put back the version an apply of this run replaced, as a reviewed write with
//! its own precondition.

use zeroize::Zeroizing;

use super::{draft, prompt};
use crate::app::editor::Alphabet;
use crate::app::effect::{Effect, RandomFor, Target};
use crate::app::state::{Modal, Phase, PromptKind, Review, State};
use crate::secret::rotate::{self, Charset, Rotation};
use crate::secret::{SecretValue, last_applied};

fn alphabet(charset: Charset) -> Alphabet {
    match charset {
        Charset::Alphanumeric => Alphabet::Alphanumeric,
        Charset::Hex => Alphabet::Hex,
    }
}

/// `o` on the Secret screen (edit checks passed: writable, not immutable, manager asked).
pub(super) fn start(state: &mut State, fx: &mut Vec<Effect>) {
    let Some(d) = state.detail.as_ref() else { return };
    if d.is_dirty() {
        state.flash("Unapplied edits: apply them (A) or undo them (u) before a rotate", true);
        return;
    }
    if d.can_update == Some(false) {
        // Known before anything is generated: the server said so (SelfSubjectAccessReview).
        let text = format!(
            "Cannot rotate: you may not update Secrets in {} (RBAC); ask for update on secrets/{}",
            d.namespace, d.name
        );
        state.flash(text, true);
        return;
    }
    let Some(shown) = d.shown() else { return };
    let target = d.target();
    match rotate::plan(shown, d.selected_key_name().map(String::as_str)) {
        Rotation::Generate { key, charset, fixed: true, len, .. } => {
            fx.push(Effect::Random { len, alphabet: alphabet(charset), target: RandomFor::Rotate { target, key } });
        }
        Rotation::Generate { key, len, charset, what, .. } => {
            let mut modal = prompt(
                PromptKind::Rotate(key),
                &format!("Rotate {what}: length of the new random value"),
                &len.to_string(),
                "Tab changes the alphabet; Enter goes on to the review",
            );
            if let Modal::Prompt(p) = &mut modal {
                p.alphabet = alphabet(charset);
            }
            state.modal = Some(modal);
        }
        Rotation::RegistryPassword { key, server, username } => {
            let shown_server = if state.options.redact { "the registry".to_string() } else { server.clone() };
            let mut modal = prompt(
                PromptKind::RotateRegistry { key, server },
                &format!("New password of {username} at {shown_server}"),
                "",
                "as the registry issued it; auth is recomputed; hidden as you type",
            );
            if let Modal::Prompt(p) = &mut modal {
                p.masked = true;
            }
            state.modal = Some(modal);
        }
        Rotation::Refused(why) => state.flash(format!("Cannot rotate here: {why}"), true),
    }
}

/// The length prompt was accepted: ask for the random value.
pub(super) fn accept_length(state: &mut State, key: String, len: usize, alphabet: Alphabet, fx: &mut Vec<Effect>) {
    state.modal = None;
    let Some(target) = state.detail.as_ref().map(|d| d.target()) else { return };
    fx.push(Effect::Random { len, alphabet, target: RandomFor::Rotate { target, key } });
}

/// The new value arrived: set it and open the review.
pub(super) fn on_random(state: &mut State, target: &Target, key: &str, value: Zeroizing<String>) {
    set_and_review(state, target, key, SecretValue::from(value.as_str()), &format!("a new random {key}"));
}

/// The registry password prompt was accepted.
pub(super) fn accept_registry(state: &mut State, key: &'static str, server: &str, password: Zeroizing<String>) {
    if password.is_empty() {
        super::prompts::set_error(state, "the new password is required (Esc cancels the rotate)".into());
        return;
    }
    let Some(d) = state.detail.as_ref() else { return };
    let legacy = key == crate::secret::views::docker::CFG_KEY;
    let Some(config) = d.shown().and_then(|s| s.get(key)) else { return };
    match rotate::with_registry_password(config.as_bytes(), legacy, server, &password) {
        Ok(json) => {
            state.modal = None;
            let target = d.target();
            let value = SecretValue::from(json.as_slice());
            set_and_review(state, &target, key, value, "the registry password, with auth recomputed");
        }
        Err(e) => super::prompts::set_error(state, format!("cannot set it: {e}")),
    }
}

fn set_and_review(state: &mut State, target: &Target, key: &str, value: SecretValue, what: &str) {
    let Some(d) = state.detail_for(target) else { return };
    let Some(dr) = draft(d) else { return };
    dr.set(key, value);
    state.modal = Some(Modal::Review(Review::new(Phase::Review)));
    state.flash(format!("Rotate: {what}. Enter runs the dry run, then the apply; Esc goes back (u undoes it)"), false);
}

/// `U`: a draft that puts back the version the last apply of this run replaced, reviewed.
pub(super) fn undo_apply(state: &mut State) {
    let Some(d) = state.detail.as_ref() else { return };
    let Some(replaced) = state.applied.last(&state.context, &d.namespace, &d.name) else {
        state.flash(format!("Nothing to put back: {} was not applied from this keyhole", d.name), false);
        return;
    };
    if d.is_dirty() {
        state.flash("Unapplied edits: apply them (A) or undo them (u) before putting a version back", true);
        return;
    }
    let Some(current) = d.secret.as_ref() else { return };
    let earlier = replaced.version.clone();
    let moved_on = current.metadata.resource_version.as_deref() != Some(replaced.written.as_str());
    let Some(d) = state.detail.as_mut() else { return };
    let Some(dr) = draft(d) else { return };
    dr.undoing = true;
    let work = dr.work_mut();
    work.data = earlier.data.clone();
    // Labels and annotations as they were, except kubectl's last-applied copy: that follows
    // the review's choice, never an old value put back.
    let copy = work.annotation(last_applied::ANNOTATION).map(str::to_string);
    work.metadata.labels = earlier.metadata.labels.clone();
    let mut annotations = earlier.metadata.annotations.clone().unwrap_or_default();
    annotations.remove(last_applied::ANNOTATION);
    if let Some(copy) = copy {
        annotations.insert(last_applied::ANNOTATION.to_string(), copy);
    }
    work.metadata.annotations = (!annotations.is_empty()).then_some(annotations);
    state.modal = Some(Modal::Review(Review::new(Phase::Review)));
    state.flash(
        if moved_on {
            "Put back the version before your last apply: it changed on the server since; the review shows what \
             putting it back changes now"
        } else {
            "Put back the version before your last apply: review, then Enter for the dry run and the apply"
        },
        moved_on,
    );
}
