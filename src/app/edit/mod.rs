//! Editing, creating and deleting Secrets, split by job: the detail screen's edit actions
//! (`actions`), the value and metadata editor (`value`), the one-line prompts (`prompts`), new
//! Secrets and clones (`create`), confirmations (`confirm`), and review, apply and conflicts
//! (`review`). Pure like the rest of `update`; the network, files and randomness are effects.

pub(super) mod actions;
pub(super) mod confirm;
pub(super) mod create;
pub(super) mod prompts;
pub(super) mod review;
pub(super) mod rotate;
pub(super) mod value;

#[cfg(test)]
mod copy_tests;
#[cfg(test)]
mod editor_tests;
#[cfg(test)]
mod tests;

use super::draft::Draft;
use super::editor::{Alphabet, LineInput};
use super::effect::{Effect, RandomFor};
use super::msg::Msg;
use super::state::{Confirm, ConfirmKind, Detail, Modal, Phase, Prompt, PromptKind, State};
use crate::secret::SecretValue;

/// kubectl's copy of the applied manifest: never edited, shown or copied into a clone.
pub(crate) const LAST_APPLIED: &str = crate::secret::last_applied::ANNOTATION;

/// Says so and returns false with `--readonly`.
fn writable(state: &mut State) -> bool {
    if state.options.readonly {
        state.flash("keyhole runs with --readonly: nothing can be changed", true);
        return false;
    }
    true
}

/// The draft, started from the opened Secret on the first edit.
fn draft(d: &mut Detail) -> Option<&mut Draft> {
    if d.draft.is_none() {
        let secret = d.secret.as_ref()?;
        d.drafts += 1;
        d.draft = Some(Draft::edit(secret, d.drafts));
    }
    d.draft.as_mut()
}

/// A one-line prompt.
pub(super) fn prompt(kind: PromptKind, title: &str, text: &str, hint: &str) -> Modal {
    Modal::Prompt(Prompt {
        then: None,
        masked: false,
        kind,
        title: title.to_string(),
        input: LineInput::new(text),
        error: None,
        hint: hint.to_string(),
        alphabet: Alphabet::Alphanumeric,
        candidates: Vec::new(),
    })
}

/// Work that quitting or leaving would lose: edits not applied, a value being typed, or text
/// typed into a prompt (a key name, a path, a registry password).
/// A write of the open Secret is in flight.
pub(super) fn writing(state: &State) -> bool {
    matches!(&state.modal, Some(Modal::Review(r)) if r.phase == Phase::Applying)
}

pub(super) fn unsaved_work(state: &State) -> bool {
    state.detail.as_ref().is_some_and(Detail::is_dirty)
        || match &state.modal {
            Some(Modal::Editor(_)) => true,
            Some(Modal::Prompt(p)) => !p.input.text.is_empty(),
            _ => false,
        }
}

/// Asks before leaving the Secret (or quitting) with work that would be lost. The modal it
/// interrupts (a value being typed) comes back when the answer is no.
pub(super) fn discard_confirm(quit: bool, underneath: Option<Modal>) -> Modal {
    Modal::Confirm(Confirm {
        kind: ConfirmKind::DiscardAndClose { quit },
        title: "Discard the edits you have not applied?".into(),
        lines: vec![
            "They were never sent to the cluster; they are not saved anywhere.".into(),
            "n keeps editing.".into(),
        ],
        underneath: underneath.map(Box::new),
    })
}

/// Bracketed paste: into the value editor as one undo step, line breaks as `\n`; into a prompt
/// without control characters.
pub(super) fn on_paste(state: &mut State, text: &str) {
    match &mut state.modal {
        Some(Modal::Editor(e)) => e.area.insert_str(text),
        Some(Modal::Prompt(p)) => {
            for c in text.chars().filter(|c| !c.is_control()) {
                p.input.insert(c);
            }
        }
        _ => {}
    }
    state.dirty = true;
}

/// Results of the edit effects: writes, reads of files, completions, random values.
pub(super) fn on_result(state: &mut State, msg: Msg, fx: &mut Vec<Effect>) {
    match msg {
        Msg::DryRunDone { ticket, result } => review::on_dry_run(state, &ticket, result, fx),
        Msg::Applied { ticket, result } => review::on_applied(state, &ticket, result, fx),
        Msg::Latest { ticket, result } => review::on_latest(state, &ticket, result),
        Msg::Deleted { target, result } => review::on_deleted(state, &target, result),
        Msg::FileRead { target, key, path, result } => match result {
            Ok(bytes) => {
                let n = bytes.len();
                // Into the Secret it was read for, if that is still open.
                if let Some(dr) = state.detail_for(&target).and_then(draft) {
                    dr.set(&key, SecretValue::new(bytes));
                    state.flash(
                        format!("Loaded {} from {path} into {key} (not applied yet)", crate::format::bytes(n)),
                        false,
                    );
                }
            }
            Err(e) => state.flash(format!("Cannot read {path}: {e}"), true),
        },
        Msg::Completed { input, completed, candidates } => prompts::on_completed(state, &input, &completed, candidates),
        Msg::Random { target: RandomFor::Key { target, key }, value } => {
            if let Some(dr) = state.detail_for(&target).and_then(draft) {
                dr.set(&key, SecretValue::from(value.as_str()));
                state.flash(format!("Generated a random {key} (not applied yet)"), false);
            }
        }
        Msg::Random { target: RandomFor::Rotate { target, key }, value } => {
            rotate::on_random(state, &target, &key, value)
        }
        Msg::Random { target: RandomFor::BootstrapSecret(target), value } => {
            if let Some(dr) = state.detail_for(&target).and_then(|d| d.draft.as_mut()).filter(|dr| dr.creating) {
                dr.set("token-secret", SecretValue::from(value.as_str()));
            }
        }
        Msg::Random { target: RandomFor::BootstrapName, value } => create::on_bootstrap_id(state, &value),
        _ => {}
    }
    state.dirty = true;
}
