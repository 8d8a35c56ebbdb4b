//! Yes/no questions: discard the edits (when leaving or quitting), undo every edit, make the
//! Secret immutable, edit a Secret that a controller manages, delete it.

use super::draft;
use crate::app::effect::Effect;
use crate::app::state::{ConfirmKind, Modal, State};
use crate::keymap::Action;

pub(in crate::app) fn on_key(state: &mut State, action: Option<Action>, fx: &mut Vec<Effect>) {
    let Some(Modal::Confirm(c)) = &mut state.modal else { return };
    let kind = c.kind.clone();
    match action {
        Some(Action::No) => state.modal = c.underneath.take().map(|m| *m),
        Some(Action::Yes) => {
            state.modal = None;
            match kind {
                ConfirmKind::DiscardAndClose { quit } => {
                    state.detail = None;
                    if quit {
                        state.quit = true;
                    }
                }
                ConfirmKind::DiscardEdits => {
                    if let Some(d) = state.detail.as_mut() {
                        if d.draft.as_ref().is_some_and(|x| x.creating) {
                            state.detail = None;
                        } else {
                            d.draft = None;
                            d.selected_key = 0;
                        }
                    }
                    state.flash("Edits undone", false);
                }
                ConfirmKind::MakeImmutable => {
                    if let Some(dr) = state.detail.as_mut().and_then(draft) {
                        dr.work_mut().immutable = Some(true);
                    }
                    state.flash("Marked immutable (not applied yet: A reviews and applies)", false);
                }
                ConfirmKind::EditManaged { action } => {
                    if let Some(d) = state.detail.as_mut() {
                        d.managed_ack = true;
                    }
                    super::actions::on_action(state, action, fx);
                }
                ConfirmKind::Delete { uid, resource_version } => {
                    if let Some(d) = &state.detail {
                        fx.push(Effect::Delete { target: d.target(), uid, resource_version });
                    }
                }
            }
        }
        _ => {}
    }
}
