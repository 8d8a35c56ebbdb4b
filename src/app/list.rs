//! The list screen's keys: moving, the fuzzy filter, sorting, Helm, and the pickers (type,
//! namespace, context, new Secret).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::edit;
use super::effect::{Effect, Scope};
use super::state::{Modal, Picker, PickerKind, PromptKind, State, Tab};
use super::update::watch;
use crate::cluster::ops::OpenError;
use crate::keymap::Action;

pub(super) fn on_filter_key(state: &mut State, ev: KeyEvent, action: Option<Action>) {
    match action {
        Some(Action::Accept) => state.list.typing = false,
        Some(Action::ClearFilter) => {
            state.list.query.clear();
            state.list.typing = false;
            state.refresh_view();
        }
        _ => match ev.code {
            KeyCode::Char(c) if !ev.modifiers.contains(KeyModifiers::CONTROL) => {
                state.list.query.push(c);
                state.list.selected = 0;
                state.refresh_view();
                state.list.selected = 0;
            }
            KeyCode::Backspace => {
                state.list.query.pop();
                state.refresh_view();
            }
            KeyCode::Up => move_list(state, -1),
            _ => {}
        },
    }
}

fn move_list(state: &mut State, delta: isize) {
    let n = state.list.visible.len();
    if n == 0 {
        state.list.selected = 0;
        return;
    }
    let cur = state.list.selected as isize;
    state.list.selected = (cur + delta).clamp(0, n as isize - 1) as usize;
}

pub(super) fn on_key(state: &mut State, action: Option<Action>, fx: &mut Vec<Effect>) {
    let page = state.list_page() as isize;
    match action {
        Some(Action::Up) => move_list(state, -1),
        Some(Action::Down) => move_list(state, 1),
        Some(Action::PageUp) => move_list(state, -page),
        Some(Action::PageDown) => move_list(state, page),
        Some(Action::Top) => state.list.selected = 0,
        Some(Action::Bottom) => state.list.selected = state.list.visible.len().saturating_sub(1),
        Some(Action::Search) => state.list.typing = true,
        Some(Action::ClearFilter) => {
            state.list.query.clear();
            state.list.type_filter = None;
            state.refresh_view();
        }
        Some(Action::ToggleHelm) => {
            state.list.show_helm = !state.list.show_helm;
            state.refresh_view();
            let what = if state.list.show_helm { "Showing" } else { "Hiding" };
            state.flash(format!("{what} Helm release Secrets"), false);
        }
        Some(Action::Sort) => {
            state.list.sort = state.list.sort.next();
            state.refresh_view();
            state.flash(format!("Sorted by {}", state.list.sort.label()), false);
        }
        Some(Action::TypePicker) => {
            let mut items = vec![(None, format!("all types ({})", state.rows.len()))];
            items.extend(state.type_counts().into_iter().map(|(t, n)| (Some(t.clone()), format!("{t} ({n})"))));
            let selected = state
                .list
                .type_filter
                .as_ref()
                .and_then(|t| items.iter().position(|(v, _)| v.as_ref() == Some(t)))
                .unwrap_or(0);
            state.modal = Some(Modal::Picker(Picker {
                kind: PickerKind::Type,
                title: "Filter by type".into(),
                items,
                selected,
                query: String::new(),
            }));
        }
        Some(Action::NamespacePicker) => {
            state.modal = Some(Modal::Picker(namespace_picker(state.namespaces.clone(), &state.scope)));
            fx.push(Effect::ListNamespaces);
        }
        Some(Action::OpenByName) => {
            let hint = match &state.scope {
                Scope::One(ns) => format!("in namespace {ns}; or write namespace/name"),
                Scope::All => "write namespace/name".to_string(),
            };
            state.modal = Some(edit::prompt(PromptKind::OpenName, "Open the Secret named", "", &hint));
        }
        Some(Action::NewSecret) => {
            if state.options.readonly {
                state.flash("keyhole runs with --readonly: nothing can be changed", true);
            } else {
                state.modal = Some(Modal::Picker(edit::create::type_picker()));
            }
        }
        Some(Action::ContextPicker) => {
            let items: Vec<(Option<String>, String)> =
                state.contexts.iter().map(|c| (Some(c.clone()), c.clone())).collect();
            let selected = state.contexts.iter().position(|c| *c == state.context).unwrap_or(0);
            state.modal = Some(Modal::Picker(Picker {
                kind: PickerKind::Context,
                title: "Switch context".into(),
                items,
                selected,
                query: String::new(),
            }));
        }
        Some(Action::Fleet) => super::fleet::open(state, fx),
        Some(Action::Open) => {
            let ghost = state.list.visible.get(state.list.selected).filter(|k| state.missing.contains_key(*k)).cloned();
            if let Some((namespace, name)) = ghost {
                let d = state.open_detail(&namespace, &name);
                d.error = Some(OpenError::NotFound);
                d.tab = Tab::UsedBy;
            } else if let Some(row) = state.selected_row() {
                let (namespace, name) = row.key();
                let target = state.open_detail(&namespace, &name).target();
                fx.push(Effect::Open(target.clone()));
                fx.push(Effect::CheckUpdate(target));
            }
        }
        _ => {}
    }
}

fn namespace_picker(namespaces: Vec<String>, scope: &Scope) -> Picker {
    let mut items = vec![(None, "all namespaces".to_string())];
    items.extend(namespaces.into_iter().map(|n| (Some(n.clone()), n)));
    let selected = match scope {
        Scope::All => 0,
        Scope::One(ns) => items.iter().position(|(v, _)| v.as_deref() == Some(ns)).unwrap_or(0),
    };
    Picker { kind: PickerKind::Namespace, title: "Switch namespace".into(), items, selected, query: String::new() }
}

/// The namespaces the user may list (for the picker), or why not.
pub(super) fn on_namespaces(state: &mut State, result: Result<Vec<String>, String>) {
    match result {
        Ok(mut list) => {
            list.sort();
            state.namespaces = list;
        }
        Err(e) => {
            if state.namespaces.is_empty()
                && let Some(ns) = state.scope.namespace()
            {
                state.namespaces = vec![ns.to_string()];
            }
            state.flash(format!("Cannot list namespaces: {e}"), true);
        }
    }
    if let Some(Modal::Picker(p)) = &mut state.modal
        && p.kind == PickerKind::Namespace
    {
        *p = namespace_picker(state.namespaces.clone(), &state.scope);
    }
    state.dirty = true;
}

pub(super) fn on_picker_key(state: &mut State, ev: KeyEvent, action: Option<Action>, fx: &mut Vec<Effect>) {
    let Some(Modal::Picker(p)) = &mut state.modal else { return };
    let matching = p.matching();
    let pos = matching.iter().position(|&i| i == p.selected);
    match action {
        Some(Action::Back) => {
            state.modal = None;
            return;
        }
        Some(Action::Up) => {
            if let Some(i) = pos.and_then(|i| i.checked_sub(1)).and_then(|i| matching.get(i)) {
                p.selected = *i;
            }
        }
        Some(Action::Down) => {
            let next = pos.map_or(0, |i| i + 1);
            if let Some(i) = matching.get(next) {
                p.selected = *i;
            }
        }
        Some(Action::Accept) => {
            let chosen = if pos.is_some() { Some(p.selected) } else { matching.first().copied() };
            let Some(idx) = chosen else { return };
            let (value, _) = p.items[idx].clone();
            let kind = p.kind.clone();
            state.modal = None;
            match kind {
                PickerKind::Type => {
                    state.list.type_filter = value;
                    state.list.selected = 0;
                    state.refresh_view();
                }
                PickerKind::Namespace => {
                    let scope = value.map_or(Scope::All, Scope::One);
                    if scope != state.scope {
                        state.scope = scope;
                        state.scope_note = None;
                        state.rows.clear();
                        state.inspect_requested.clear();
                        state.list.selected = 0;
                        state.loading = true;
                        state.refresh_visible();
                        fx.push(watch(state));
                    }
                }
                PickerKind::NewSecret => {
                    if let Some(t) = value {
                        edit::create::chosen_type(state, t, fx);
                    }
                }
                PickerKind::Context => {
                    if let Some(ctx) = value
                        && ctx != state.context
                    {
                        // Connecting runs in the background; the list stays usable meanwhile.
                        state.switching = Some(ctx.clone());
                        state.flash(format!("Connecting to context {ctx}…"), false);
                        fx.push(Effect::SwitchContext(ctx));
                    }
                }
            }
            return;
        }
        _ => match ev.code {
            KeyCode::Char(c) if !ev.modifiers.contains(KeyModifiers::CONTROL) => p.query.push(c),
            KeyCode::Backspace => {
                p.query.pop();
            }
            _ => {}
        },
    }
    // Typing moves the selection to the best match.
    if matches!(ev.code, KeyCode::Char(_) | KeyCode::Backspace)
        && let Some(first) = p.matching().first()
    {
        p.selected = *first;
    }
}
