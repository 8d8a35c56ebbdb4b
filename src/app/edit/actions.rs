//! The detail screen's edit actions: edit, add, rename, delete and load keys, generate values,
//! labels and annotations, immutable, review, undo, clone, delete the Secret.

use super::{draft, prompt, writable};
use crate::app::editor::{self, Format, TextArea};
use crate::app::state::{Confirm, ConfirmKind, Modal, Phase, PromptKind, Review, State, ValueEditor};
use crate::keymap::Action;
use crate::owners::Owner;
use crate::secret::{Secret, ValueKind, last_applied};

const EDIT_ACTIONS: [Action; 14] = [
    Action::Edit,
    Action::AddKey,
    Action::RenameKey,
    Action::DeleteKey,
    Action::LoadFile,
    Action::Generate,
    Action::Rotate,
    Action::UndoApply,
    Action::ToggleImmutable,
    Action::ReviewApply,
    Action::EditMetadata,
    Action::DiscardEdits,
    Action::Clone,
    Action::DeleteSecret,
];

pub(in crate::app) fn is_edit_action(action: Action) -> bool {
    EDIT_ACTIONS.contains(&action)
}

/// Opens the value editor on a key: text when the value is UTF-8, hex when it is binary.
pub(super) fn open_editor(state: &mut State, key: &str) {
    let Some(d) = state.detail.as_mut() else { return };
    let value = d.shown().and_then(|s| s.get(key)).cloned().unwrap_or_default();
    let format = match value.kind() {
        ValueKind::Binary => Format::Hex,
        _ => Format::Text,
    };
    let mut text = editor::to_format(&value, format).unwrap_or_default();
    let area = TextArea::new(&text);
    zeroize::Zeroize::zeroize(&mut text);
    state.modal =
        Some(Modal::Editor(ValueEditor { key: Some(key.to_string()), area, format, revealed: false, error: None }));
}

fn add_key_prompt() -> Modal {
    prompt(PromptKind::AddKey, "New key", "", "letters, digits, '-', '_' or '.'")
}

pub(in crate::app) fn on_action(state: &mut State, action: Action, fx: &mut Vec<crate::app::effect::Effect>) {
    if !writable(state) {
        return;
    }
    let owners = state.detail_owners();
    let Some(d) = state.detail.as_mut() else { return };
    if d.shown().is_none() {
        state.flash("The Secret has not been read; nothing to edit", true);
        return;
    }
    let selected = d.selected_key_name().cloned();
    let immutable = d.secret.as_ref().is_some_and(Secret::is_immutable) && d.draft.as_ref().is_none_or(|x| !x.creating);
    let data_edit = matches!(
        action,
        Action::Edit
            | Action::AddKey
            | Action::RenameKey
            | Action::DeleteKey
            | Action::LoadFile
            | Action::Generate
            | Action::Rotate
            | Action::UndoApply
    );
    if immutable && data_edit {
        state.flash("This Secret is immutable: its data can never change. Press C to clone it under a new name.", true);
        return;
    }
    // A controller would put its version back: say who, once, before the first edit.
    let edits = data_edit
        || action == Action::EditMetadata
        || (action == Action::ToggleImmutable && !d.shown().is_some_and(Secret::is_immutable));
    if edits && !d.managed_ack && owners.iter().any(Owner::asks) {
        state.modal = Some(managed_confirm(action, &d.name, &owners));
        return;
    }
    match action {
        Action::Edit => match selected {
            Some(k) => open_editor(state, &k),
            None => state.modal = Some(add_key_prompt()),
        },
        Action::AddKey => state.modal = Some(add_key_prompt()),
        Action::EditMetadata => super::value::open_metadata_editor(state),
        Action::RenameKey => {
            if let Some(k) = selected {
                state.modal = Some(prompt(PromptKind::RenameKey(k.clone()), &format!("Rename {k} to"), &k, ""));
            }
        }
        Action::DeleteKey => {
            if let Some(k) = selected {
                if let Some(dr) = draft(d) {
                    dr.remove(&k);
                }
                if d.selected_key > 0 && d.selected_key >= d.keys().len() {
                    d.selected_key -= 1;
                }
                state.flash(format!("Deleted key {k} (not applied yet; u undoes every edit)"), false);
            }
        }
        Action::LoadFile => {
            if let Some(k) = selected {
                state.modal = Some(prompt(
                    PromptKind::LoadFile(k.clone()),
                    &format!("Load {k} from file"),
                    "",
                    "Tab completes the path",
                ));
            }
        }
        Action::Generate => {
            if let Some(k) = selected {
                state.modal = Some(prompt(
                    PromptKind::Generate(k.clone()),
                    &format!("Generate a random {k}: length"),
                    "32",
                    "Tab changes the alphabet",
                ));
            }
        }
        Action::ToggleImmutable => {
            if d.shown().is_some_and(Secret::is_immutable) {
                state.flash(
                    "Immutable cannot be undone: the API server forbids it. Clone the Secret (C) instead.",
                    true,
                );
            } else {
                state.modal = Some(Modal::Confirm(Confirm {
                    kind: ConfirmKind::MakeImmutable,
                    title: "Make this Secret immutable?".into(),
                    lines: vec![
                        "Its data can never change again, and this cannot be undone:".into(),
                        "only deleting and re-creating the Secret gets rid of it.".into(),
                        "The kubelet stops watching it, so Pods keep the values they have.".into(),
                    ],
                    underneath: None,
                }));
            }
        }
        Action::ReviewApply => {
            // Without edits, the review still offers to deal with kubectl's plaintext copy.
            let copy = d.draft.as_ref().is_none_or(|dr| !dr.creating) && d.shown().is_some_and(last_applied::has_copy);
            if !d.is_dirty() && !copy {
                state.flash("Nothing to apply: no changes", false);
            } else {
                draft(d);
                state.modal = Some(Modal::Review(Review::new(Phase::Review)));
            }
        }
        Action::DiscardEdits if d.is_dirty() => {
            state.modal = Some(Modal::Confirm(Confirm {
                kind: ConfirmKind::DiscardEdits,
                title: "Undo every edit?".into(),
                lines: vec!["The Secret goes back to the version you opened.".into()],
                underneath: None,
            }));
        }
        Action::Clone => {
            let name = format!("{}-copy", d.name);
            state.modal = Some(prompt(
                PromptKind::CloneName,
                "Clone into a new Secret named",
                &name,
                "same namespace and type; not immutable",
            ));
        }
        Action::DeleteSecret => state.modal = delete_confirm(state),
        Action::Rotate => super::rotate::start(state, fx),
        Action::UndoApply => super::rotate::undo_apply(state),
        _ => {}
    }
}

/// Who manages the Secret, in a title: "cert-manager Certificate web-cert and Helm release shop".
fn managers(owners: &[&Owner]) -> String {
    owners.iter().map(|o| o.who()).collect::<Vec<_>>().join(" and ")
}

/// Asks before the first edit of a Secret that a controller manages, naming it and saying what
/// becomes of the edit; yes goes on with `action`.
fn managed_confirm(action: Action, name: &str, owners: &[Owner]) -> Modal {
    let asking: Vec<&Owner> = owners.iter().filter(|o| o.asks()).collect();
    let mut lines: Vec<String> = asking.iter().map(|o| format!("• {}.", o.summary())).collect();
    lines.push("y edits it anyway (not asked again while it is open); n leaves it as it is.".into());
    Modal::Confirm(Confirm {
        kind: ConfirmKind::EditManaged { action },
        title: format!("Edit {name}? It is managed by {}", managers(&asking)),
        lines,
        underneath: None,
    })
}

/// The delete confirmation, naming every consumer that would break (DESIGN.md decision 11):
/// running Pods, and templates with no Pod now (a CronJob's next run, a Deployment scaled up
/// later), Gateways, volumes, StorageClasses and tokens.
fn delete_confirm(state: &State) -> Option<Modal> {
    let d = state.detail.as_ref()?;
    let (ns, name) = (d.namespace.clone(), d.name.clone());
    let uid = d.secret.as_ref().and_then(|s| s.metadata.uid.clone());
    let rv = d.secret.as_ref().and_then(|s| s.metadata.resource_version.clone());
    let mut lines = vec![format!("Delete {name} in {ns}? This cannot be undone.")];
    let owners = state.detail_owners();
    let asking: Vec<&Owner> = owners.iter().filter(|o| o.asks()).collect();
    if !owners.is_empty() {
        lines.push("Managed by:".into());
        lines.extend(owners.iter().map(|o| format!("  • {}: {}.", o.who(), o.on_delete())));
    }
    let breaking = state.refs.index.breakage(&ns, &name, state.now);
    if breaking.is_empty() {
        lines.push("Nothing that was listed would break without it.".into());
    } else {
        lines.push("These would break:".into());
        for b in breaking {
            lines.push(format!("  • {}", b.who));
            lines.extend(b.what.iter().map(|w| format!("      {w}")));
        }
    }
    if let crate::refs::Known::Unknown(why) = state.refs.known(&ns, &name) {
        lines.push(format!("Usage unknown beyond that: {}.", why.join("; ")));
    } else if state.refs.known(&ns, &name) == crate::refs::Known::Pending {
        lines.push("Not every kind of consumer has been listed yet.".into());
    }
    let title = if asking.is_empty() {
        format!("Delete {name}?")
    } else {
        format!("Delete {name}? It is managed by {}", managers(&asking))
    };
    Some(Modal::Confirm(Confirm {
        kind: ConfirmKind::Delete { uid, resource_version: rv },
        title,
        lines,
        underneath: None,
    }))
}
