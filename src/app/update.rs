//! The update function: `(state, message) -> effects`. Pure: no I/O, no clock (time comes in
//! with `Msg::Tick`), no global (the keymap is in the state's options), so tests drive it step
//! by step. This file routes messages and keys; the screens' rules are beside it
//! (`list.rs`, `detail.rs`, `edit/`, `watched.rs`).

use crossterm::event::{KeyEvent, KeyEventKind};

use super::effect::Effect;
use super::msg::Msg;
use super::state::{Modal, State};
use super::{detail, edit, list, watched};
use crate::keymap::{Action, Scope as KeyScope};

/// The effects that start the app: watch the scope, list the namespaces.
pub(crate) fn start(state: &mut State) -> Vec<Effect> {
    let mut fx = vec![watch(state), Effect::ListNamespaces];
    // `keyhole --contexts SPEC`: open on the fleet view.
    if state.options.fleet.is_some() {
        super::fleet::open(state, &mut fx);
    }
    fx
}

/// A new generation of watches for the current scope; events of older ones are ignored from
/// now on.
pub(super) fn watch(state: &mut State) -> Effect {
    state.watch += 1;
    state.refs.watching(state.scope.namespace().map(str::to_string));
    Effect::Watch { scope: state.scope.clone(), generation: state.watch }
}

pub(crate) fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    let mut fx = Vec::new();
    match msg {
        Msg::Key(ev) => {
            if ev.kind != KeyEventKind::Release {
                on_key(state, ev, &mut fx);
                state.settle();
                state.dirty = true;
                // The list may have scrolled or been filtered: inspect what came into view.
                if state.detail.is_none() && !state.loading {
                    watched::inspect_what_matters(state, &mut fx);
                }
            }
        }
        Msg::Paste(text) => edit::on_paste(state, &text),
        Msg::Resize(w, h) => {
            state.width = w;
            state.height = h;
            // A taller screen shows rows that were not inspected yet.
            state.inspect_due = true;
            state.dirty = true;
        }
        Msg::Tick(now) => {
            // Ages and certificate days move: redraw when the minute turns (and when a message
            // or banner expires), not every second.
            if now.as_second().div_euclid(60) != state.now.as_second().div_euclid(60) {
                state.dirty = true;
            }
            state.now = now;
            on_tick(state);
            if state.inspect_due && !state.loading {
                state.inspect_due = false;
                watched::inspect_what_matters(state, &mut fx);
            }
        }
        Msg::Resumed => state.dirty = true,
        Msg::TerminalWanted(id) => {
            // Nothing of the state changes: an open editor, prompt or draft is there when the
            // terminal comes back.
            state.flash("A credential plugin asked for the terminal (see kubeconfig exec); keyhole is back", false);
            fx.push(Effect::LendTerminal(id));
        }
        Msg::Watched { watch, event } => {
            // Events of watches that were replaced (another scope, another context) are stale.
            if watch == state.watch {
                watched::on_event(state, event, &mut fx);
            }
        }
        Msg::Inspected { namespace, name, facts } => watched::on_inspected(state, namespace, name, Some(facts)),
        Msg::InspectFailed { namespace, name } => watched::on_inspected(state, namespace, name, None),
        Msg::Namespaces(result) => list::on_namespaces(state, result),
        Msg::ContextSwitched(result) => watched::on_context_switched(state, result, &mut fx),
        Msg::FleetListed { generation, contexts } => super::fleet::on_listed(state, generation, contexts),
        Msg::Compared { generation, view } => super::fleet::on_compared(state, generation, view),
        Msg::Opened { target, secret } => detail::on_opened(state, &target, *secret),
        Msg::OpenFailed { target, error } => detail::on_open_failed(state, &target, error),
        Msg::CanUpdate { target, allowed } => detail::on_can_update(state, &target, allowed),
        Msg::AccessLoaded { target, result } => detail::on_access(state, &target, result),
        Msg::Restarted { id, kind, name, result } => super::restart::on_restarted(state, id, &kind, &name, result),
        Msg::Rollout { id, kind, name, result } => super::restart::on_rollout(state, id, &kind, &name, result),
        Msg::Copied(result) => {
            match result {
                Ok(m) => state.flash(m, false),
                Err(m) => state.flash(m, true),
            }
            state.dirty = true;
        }
        m @ (Msg::DryRunDone { .. }
        | Msg::Applied { .. }
        | Msg::Latest { .. }
        | Msg::Deleted { .. }
        | Msg::FileRead { .. }
        | Msg::Completed { .. }
        | Msg::Random { .. }) => edit::on_result(state, m, &mut fx),
    }
    fx
}

fn on_tick(state: &mut State) {
    if let Some(f) = &mut state.flash {
        f.ticks_left = f.ticks_left.saturating_sub(1);
        if f.ticks_left == 0 {
            state.flash = None;
        }
        state.dirty = true;
    }
    if state.reconnected_ticks > 0 {
        state.reconnected_ticks -= 1;
        state.dirty = true;
    }
}

/// Which keys apply now: the open modal's, else the screen's.
pub(crate) fn key_scope(state: &State) -> KeyScope {
    match &state.modal {
        Some(Modal::Help { .. }) => KeyScope::Help,
        Some(Modal::Picker(_)) => KeyScope::Picker,
        Some(Modal::Editor(_)) => KeyScope::Editor,
        Some(Modal::Prompt(_)) => KeyScope::Prompt,
        Some(Modal::Confirm(_)) => KeyScope::Confirm,
        Some(Modal::Review(_)) => KeyScope::Review,
        Some(Modal::Conflict(_)) => KeyScope::Conflict,
        Some(Modal::Restart(_)) => KeyScope::Restart,
        Some(Modal::Fleet(_)) => KeyScope::Fleet,
        None if state.detail.is_some() => KeyScope::Detail,
        None if state.list.typing => KeyScope::Filter,
        None => KeyScope::List,
    }
}

fn on_key(state: &mut State, ev: KeyEvent, fx: &mut Vec<Effect>) {
    state.settle();
    let scope = key_scope(state);
    let action = state.options.keymap.lookup(scope, &ev);
    // Global actions first.
    match action {
        Some(Action::Quit) => {
            if edit::unsaved_work(state) {
                let underneath = state.modal.take();
                state.modal = Some(edit::discard_confirm(true, underneath));
            } else {
                state.quit = true;
            }
            return;
        }
        Some(Action::Suspend) => {
            fx.push(Effect::Suspend);
            return;
        }
        Some(Action::Help) if scope != KeyScope::Help => {
            state.modal = Some(Modal::Help { scroll: 0 });
            return;
        }
        Some(Action::Refresh) => {
            state.loading = true;
            fx.push(watch(state));
            if let Some(d) = &mut state.detail {
                fx.push(Effect::Open(d.target()));
                detail::reload_access(d, fx);
            }
            return;
        }
        _ => {}
    }
    match scope {
        KeyScope::Help => on_help_key(state, action),
        KeyScope::Picker => list::on_picker_key(state, ev, action, fx),
        KeyScope::Filter => list::on_filter_key(state, ev, action),
        KeyScope::Detail => detail::on_key(state, action, fx),
        KeyScope::Editor => edit::value::on_key(state, ev, action),
        KeyScope::Prompt => edit::prompts::on_key(state, ev, action, fx),
        KeyScope::Confirm => edit::confirm::on_key(state, action, fx),
        KeyScope::Review => edit::review::on_key(state, action, fx),
        KeyScope::Conflict => edit::review::on_conflict_key(state, action),
        KeyScope::Restart => super::restart::on_key(state, action, fx),
        KeyScope::Fleet => super::fleet::on_key(state, ev, action, fx),
        KeyScope::List | KeyScope::Global => list::on_key(state, action, fx),
    }
}

fn on_help_key(state: &mut State, action: Option<Action>) {
    if let Some(Modal::Help { scroll }) = &mut state.modal {
        match action {
            Some(Action::Back) => state.modal = None,
            Some(Action::Up) => *scroll = scroll.saturating_sub(1),
            Some(Action::Down) => *scroll = scroll.saturating_add(1),
            _ => {}
        }
    }
}
