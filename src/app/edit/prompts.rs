//! One-line prompts on an opened Secret: a new key's name, a rename, a file to load (with Tab
//! completion, done by the executor), a random value's length and alphabet. The prompts that
//! create Secrets are in `create.rs`.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{actions, create, draft, prompt};
use crate::app::editor::Alphabet;
use crate::app::effect::{Effect, RandomFor};
use crate::app::state::{Modal, PromptKind, State};
use crate::keymap::Action;
use crate::secret::SecretValue;

/// Problems with a key name, as the server would say them, plus a duplicate check.
fn key_problems(state: &State, key: &str, except: Option<&str>) -> Option<String> {
    let mut msgs = crate::validate::check_data_key(key);
    let exists = state.detail.as_ref().and_then(|d| d.shown()).is_some_and(|s| s.get(key).is_some());
    if exists && except != Some(key) {
        msgs.push(format!("{key} already exists"));
    }
    (!msgs.is_empty()).then(|| msgs.join("; "))
}

pub(in crate::app) fn on_key(state: &mut State, ev: KeyEvent, action: Option<Action>, fx: &mut Vec<Effect>) {
    let Some(Modal::Prompt(p)) = &mut state.modal else { return };
    match action {
        Some(Action::Cancel) => {
            state.modal = None;
            return;
        }
        Some(Action::Complete) => {
            match &p.kind {
                // Reading the directory is the executor's; the answer is `Msg::Completed`.
                PromptKind::LoadFile(_) => fx.push(Effect::CompletePath(p.input.text.to_string())),
                PromptKind::Generate(_) | PromptKind::Rotate(_) => {
                    p.alphabet = p.alphabet.next();
                    p.hint = format!("alphabet: {} (Tab changes it)", p.alphabet.label());
                }
                _ => {}
            }
            return;
        }
        Some(Action::Accept) => {
            let kind = p.kind.clone();
            let text = p.input.text.trim().to_string();
            let alphabet = p.alphabet;
            accept(state, kind, text, alphabet, fx);
            return;
        }
        _ => match ev.code {
            KeyCode::Char(c) if !ev.modifiers.contains(KeyModifiers::CONTROL) => p.input.insert(c),
            KeyCode::Backspace => p.input.backspace(),
            KeyCode::Left => p.input.left(),
            KeyCode::Right => p.input.right(),
            _ => {}
        },
    }
    // Check key names as they are typed (only key names: other prompts can hold values, which
    // are not copied on every keystroke).
    let except = match &p.kind {
        PromptKind::AddKey => None,
        PromptKind::RenameKey(old) => Some(old.clone()),
        _ => return,
    };
    let text = p.input.text.to_string();
    let error = key_problems(state, &text, except.as_deref());
    if let Some(Modal::Prompt(p)) = &mut state.modal {
        p.error = if text.is_empty() { None } else { error };
    }
}

pub(super) fn set_error(state: &mut State, error: String) {
    if let Some(Modal::Prompt(p)) = &mut state.modal {
        p.error = Some(error);
    }
}

/// Tab completion's answer, if the prompt still holds what was completed.
pub(super) fn on_completed(state: &mut State, input: &str, completed: &str, candidates: Vec<String>) {
    if let Some(Modal::Prompt(p)) = &mut state.modal
        && matches!(p.kind, PromptKind::LoadFile(_))
        && p.input.text.as_str() == input
    {
        p.input.set(completed);
        p.candidates = candidates.into_iter().take(8).collect();
    }
}

fn accept(state: &mut State, kind: PromptKind, text: String, alphabet: Alphabet, fx: &mut Vec<Effect>) {
    match kind {
        PromptKind::AddKey | PromptKind::RenameKey(_) => {
            let except = if let PromptKind::RenameKey(old) = &kind { Some(old.as_str()) } else { None };
            if let Some(e) =
                key_problems(state, &text, except).or_else(|| text.is_empty().then(|| "a key name is required".into()))
            {
                set_error(state, e);
                return;
            }
            state.modal = None;
            let Some(d) = state.detail.as_mut() else { return };
            let Some(dr) = draft(d) else { return };
            match &kind {
                PromptKind::RenameKey(old) => {
                    dr.rename(old, &text);
                    state.flash(format!("Renamed {old} to {text} (not applied yet)"), false);
                }
                _ => {
                    dr.set(&text, SecretValue::default());
                    actions::open_editor(state, &text);
                }
            }
            if let Some(d) = state.detail.as_mut()
                && let Some(i) = d.keys().iter().position(|k| **k == text)
            {
                d.selected_key = i;
            }
        }
        PromptKind::LoadFile(key) => {
            if text.is_empty() {
                set_error(state, "a path is required".into());
                return;
            }
            let then = match &state.modal {
                Some(Modal::Prompt(p)) => p.then.clone(),
                _ => None,
            };
            state.modal = None;
            let Some(target) = state.detail.as_ref().map(|d| d.target()) else { return };
            fx.push(Effect::ReadFile { target, path: text, key });
            if let Some(PromptKind::LoadFile(next)) = then {
                state.modal = Some(prompt(
                    PromptKind::LoadFile(next.clone()),
                    &format!("Load {next} from file"),
                    "",
                    "Tab completes the path; Esc skips",
                ));
            }
        }
        PromptKind::Generate(ref key) | PromptKind::Rotate(ref key) => {
            let (rotating, key) = (matches!(kind, PromptKind::Rotate(_)), key.clone());
            let Ok(len) = text.parse::<usize>() else {
                set_error(state, "the length is a number, such as 32".into());
                return;
            };
            if !(1..=4096).contains(&len) {
                set_error(state, "choose a length between 1 and 4096".into());
                return;
            }
            if rotating {
                super::rotate::accept_length(state, key, len, alphabet, fx);
                return;
            }
            state.modal = None;
            let Some(target) = state.detail.as_ref().map(|d| d.target()) else { return };
            // The value comes from the operating system's generator, as `Msg::Random`.
            fx.push(Effect::Random { len, alphabet, target: RandomFor::Key { target, key } });
        }
        PromptKind::RotateRegistry { key, server } => {
            super::rotate::accept_registry(state, key, &server, zeroize::Zeroizing::new(text))
        }
        PromptKind::OpenName => {
            let (ns, name) = match (text.split_once('/'), &state.scope) {
                (Some((ns, n)), _) => (ns.to_string(), n.to_string()),
                (None, crate::app::effect::Scope::One(ns)) => (ns.clone(), text.clone()),
                (None, crate::app::effect::Scope::All) => {
                    set_error(state, "showing all namespaces: write namespace/name".into());
                    return;
                }
            };
            let problems = crate::validate::names::is_dns1123_subdomain(&name);
            if name.is_empty() || !problems.is_empty() || ns.is_empty() {
                set_error(state, "a Secret name, such as db-credentials, or namespace/name".into());
                return;
            }
            state.modal = None;
            let target = state.open_detail(&ns, &name).target();
            fx.push(Effect::Open(target.clone()));
            fx.push(Effect::CheckUpdate(target));
        }
        PromptKind::Registry(_) | PromptKind::NewType | PromptKind::NewName(_) | PromptKind::CloneName => {
            create::accept(state, kind, text, fx)
        }
    }
}
