//! The opened Secret: moving between keys and tabs, revealing values (masked again when the
//! selection moves, DESIGN.md decision 6), copying, and the answers to opening it.

use super::edit;
use super::effect::{Effect, Target};
use super::state::{AccessView, State, Tab};
use crate::cluster::ops::OpenError;
use crate::cluster::rbac::Loaded;
use crate::keymap::Action;
use crate::secret::Secret;

pub(super) fn on_key(state: &mut State, action: Option<Action>, fx: &mut Vec<Effect>) {
    let Some(action) = action else { return };
    match action {
        Action::CopyValue | Action::CopyYaml | Action::CopyEnv => copy(state, action, fx),
        Action::Restart => super::restart::from_detail(state),
        _ if edit::actions::is_edit_action(action) => edit::actions::on_action(state, action, fx),
        _ => on_view_key(state, action, fx),
    }
}

fn on_view_key(state: &mut State, action: Action, fx: &mut Vec<Effect>) {
    let redact = state.options.redact;
    let Some(d) = &mut state.detail else { return };
    let keys: Vec<String> = d.keys().into_iter().cloned().collect();
    match action {
        Action::Back if d.is_dirty() => state.modal = Some(edit::discard_confirm(false, None)),
        Action::Back => {
            // Dropping the Detail drops the Secret, whose values are zeroized.
            state.detail = None;
        }
        Action::Up if d.tab == Tab::Data && d.selected_key > 0 => {
            d.selected_key -= 1;
            d.revealed.clear();
            d.scroll = 0;
        }
        Action::Down if d.tab == Tab::Data && d.selected_key + 1 < keys.len() => {
            d.selected_key += 1;
            d.revealed.clear();
            d.scroll = 0;
        }
        Action::Up | Action::PageUp => d.scroll = d.scroll.saturating_sub(if action == Action::Up { 1 } else { 10 }),
        Action::Down | Action::PageDown => {
            d.scroll = d.scroll.saturating_add(if action == Action::Down { 1 } else { 10 })
        }
        Action::Reveal | Action::RevealAll if redact => {
            state.flash("Values stay hidden: keyhole runs with --redact", true);
        }
        Action::Reveal => {
            if let Some(k) = keys.get(d.selected_key)
                && !d.revealed.remove(k)
            {
                d.revealed.insert(k.clone());
            }
        }
        Action::RevealAll => {
            if d.revealed.len() == keys.len() {
                d.revealed.clear();
            } else {
                d.revealed = keys.into_iter().collect();
            }
        }
        Action::NextTab => switch_tab(d, d.tab.next(), fx),
        Action::PrevTab => switch_tab(d, d.tab.prev(), fx),
        Action::TabData => switch_tab(d, Tab::Data, fx),
        Action::TabUsedBy => switch_tab(d, Tab::UsedBy, fx),
        Action::TabDetails => switch_tab(d, Tab::Details, fx),
        Action::TabAccess => switch_tab(d, Tab::Access, fx),
        _ => {}
    }
}

/// Another tab: its own scroll position, and no value left revealed behind it. The Access tab
/// reads the RBAC objects the first time it is shown for this opening (in the background).
fn switch_tab(d: &mut super::state::Detail, tab: Tab, fx: &mut Vec<Effect>) {
    if d.tab != tab {
        d.tab = tab;
        d.scroll = 0;
        d.revealed.clear();
    }
    if tab == Tab::Access && d.access == AccessView::NotAsked {
        d.access = AccessView::Loading;
        fx.push(Effect::LoadAccess(d.target()));
    }
}

/// Reloading everything reads the RBAC objects again: at once on the Access tab (the old
/// answer stays drawn until the new one comes), else when the tab is next shown.
pub(super) fn reload_access(d: &mut super::state::Detail, fx: &mut Vec<Effect>) {
    match (&d.access, d.tab) {
        (AccessView::NotAsked | AccessView::Loading, _) => {}
        (_, Tab::Access) => fx.push(Effect::LoadAccess(d.target())),
        _ => d.access = AccessView::NotAsked,
    }
}

pub(super) fn on_access(state: &mut State, target: &Target, result: Result<Box<Loaded>, String>) {
    if let Some(d) = state.detail_for(target) {
        d.access = match result {
            Ok(loaded) => AccessView::Loaded(*loaded),
            Err(e) => AccessView::Failed(e),
        };
        state.dirty = true;
    }
}

/// Copy actions: refused with `--redact` before any text is built.
fn copy(state: &mut State, action: Action, fx: &mut Vec<Effect>) {
    if state.options.redact {
        state.flash("Nothing is copied: keyhole runs with --redact", true);
        return;
    }
    let Some(d) = &state.detail else { return };
    let Some(secret) = d.shown() else {
        state.flash("The Secret has not been read; nothing to copy", true);
        return;
    };
    use crate::secret::export;
    use crate::terminal::clipboard::CopyText;
    let (text, what) = match action {
        Action::CopyValue => {
            let Some(key) = d.selected_key_name() else { return };
            let Some(v) = secret.get(key) else { return };
            let c = export::value_for_copy(v);
            let what = if c.base64 { format!("{key} (binary, as base64)") } else { key.clone() };
            (CopyText::from(c.text), what)
        }
        Action::CopyYaml => (CopyText::from(export::to_yaml(secret)), format!("{} as YAML", d.name)),
        _ => {
            let env = export::to_env(secret);
            let what = format!(
                "{} as an env file{}",
                d.name,
                if env.skipped.is_empty() { String::new() } else { format!(" ({})", env.skipped_summary()) }
            );
            (CopyText::from(env.text), what)
        }
    };
    fx.push(Effect::Copy { text, what });
}

pub(super) fn on_opened(state: &mut State, target: &Target, secret: Secret) {
    if let Some(d) = state.detail_for(target) {
        let keys = secret.entries().count();
        if d.secret.is_none() {
            // Keys pressed while it loaded scrolled an empty pane: start at the top.
            d.scroll = 0;
        }
        d.secret = Some(secret);
        d.error = None;
        if d.selected_key >= keys {
            d.selected_key = keys.saturating_sub(1);
        }
        state.dirty = true;
    }
}

pub(super) fn on_open_failed(state: &mut State, target: &Target, error: OpenError) {
    if let Some(d) = state.detail_for(target) {
        d.error = Some(error);
        state.dirty = true;
    }
}

pub(super) fn on_can_update(state: &mut State, target: &Target, allowed: bool) {
    if let Some(d) = state.detail_for(target) {
        d.can_update = Some(allowed);
        state.dirty = true;
    }
}

/// Turns an open failure into the message the detail screen shows.
pub(crate) fn open_error_text(e: &OpenError) -> String {
    match e {
        OpenError::Forbidden(m) => format!("No permission to read values: {m}"),
        OpenError::NotFound => "This Secret does not exist. Press 2 to see who names it.".to_string(),
        OpenError::Other(m) => format!("Could not read this Secret: {m}"),
    }
}
