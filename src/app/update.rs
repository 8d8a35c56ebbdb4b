//! The update function: `(state, message) -> effects`. Pure: no I/O, no clocks (time comes in
//! with `Msg::Tick`), so tests can drive it step by step.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::effect::{Effect, Scope};
use super::msg::{Connection, ListError, Msg, OpenError};
use super::state::{Detail, Modal, Picker, PickerKind, Sort, State, Tab};
use crate::keymap::{self, Action, Scope as KeyScope};

pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    let mut fx = Vec::new();
    match msg {
        Msg::Key(ev) => {
            if ev.kind != KeyEventKind::Release {
                on_key(state, ev, &mut fx);
                state.dirty = true;
                // The list may have scrolled or been filtered: inspect what came into view.
                if state.detail.is_none() && !state.loading {
                    inspect_what_matters(state, &mut fx);
                }
            }
        }
        Msg::Paste(text) => super::editing::on_paste(state, &text),
        Msg::Copied(result) => {
            match result {
                Ok(m) => state.flash(m, false),
                Err(m) => state.flash(m, true),
            }
            state.dirty = true;
        }
        m @ (Msg::DryRunDone(_) | Msg::Applied(_) | Msg::Latest(_) | Msg::Deleted { .. } | Msg::FileRead { .. }) => {
            super::editing::on_msg(state, m, &mut fx)
        }
        Msg::Resize(w, h) => {
            state.width = w;
            state.height = h;
            // A taller screen shows rows that were not inspected yet.
            state.inspect_due = true;
            state.dirty = true;
        }
        Msg::Tick => {
            on_tick(state);
            if state.inspect_due && !state.loading {
                state.inspect_due = false;
                inspect_what_matters(state, &mut fx);
            }
        }
        Msg::SecretsListed(rows) => {
            state.rows = rows.into_iter().map(|r| (r.key(), r)).collect();
            state.loading = false;
            state.list_error = None;
            state.refresh_visible();
            inspect_what_matters(state, &mut fx);
            state.dirty = true;
        }
        Msg::SecretUpserted(mut row) => {
            let key = row.key();
            // What the visible rows depend on: which rows exist, their names, types and ages.
            // An update of an existing Secret changes none of them (type is immutable), so a
            // storm of updates only redraws, without filtering and sorting 20,000 rows again.
            let moves = state.rows.get(&key).is_none_or(|old| old.type_ != row.type_ || old.created != row.created);
            if let Some(old) = state.rows.get(&key) {
                row.name_rank = old.name_rank;
                // The flags stay as they were until the new version is inspected; a failed
                // inspection is tried again for a new version.
                row.inspected = old.inspected.clone();
                row.inspect_failed = old.inspect_failed && old.resource_version == row.resource_version;
            }
            if row.needs_inspection() {
                // Looked at again at the next tick if it is on screen.
                state.inspect_due = true;
            }
            state.rows.insert(key.clone(), row);
            if moves {
                state.stale = true;
            }
            if let Some(d) = &state.detail {
                let changed = d.secret.as_ref().is_some_and(|s| {
                    s.metadata.resource_version.as_deref() != state.rows.get(&key).map(|r| r.resource_version.as_str())
                });
                if d.namespace == key.0 && d.name == key.1 && changed {
                    state.flash(format!("{} changed on the server; showing the new version", d.name), false);
                    fx.push(Effect::Open { namespace: key.0.clone(), name: key.1.clone() });
                }
            }
            state.dirty = true;
        }
        Msg::SecretDeleted { namespace, name } => {
            state.rows.remove(&(namespace.clone(), name.clone()));
            state.stale = true;
            if state.detail.as_ref().is_some_and(|d| d.namespace == namespace && d.name == name) {
                state.flash(format!("{name} was deleted on the server"), true);
            }
            state.dirty = true;
        }
        Msg::SecretsFailed(err) => {
            state.loading = false;
            match err {
                ListError::ForbiddenAllNamespaces { fallback, message } => {
                    let ns = fallback.first().cloned().unwrap_or_else(|| "default".to_string());
                    state.scope_note = Some(format!(
                        "You may not list Secrets in all namespaces ({message}). Showing namespace {ns}; press n for the others you can read."
                    ));
                    state.namespaces = fallback;
                    state.scope = Scope::One(ns.clone());
                    state.loading = true;
                    fx.push(Effect::Watch(Scope::One(ns)));
                }
                ListError::Forbidden(m) => state.list_error = Some(format!("No permission to list Secrets here: {m}")),
                ListError::Other(m) => state.list_error = Some(m),
            }
            state.dirty = true;
        }
        Msg::Connection(c) => {
            if c == Connection::Live && state.connection != Connection::Live {
                state.reconnected_ticks = 3;
            }
            state.connection = c;
            state.dirty = true;
        }
        Msg::RefsUpserted { consumer, refs } => {
            state.refs.upsert(consumer, refs);
            after_refs_change(state, &mut fx);
        }
        Msg::RefsRemoved(consumer) => {
            state.refs.remove(&consumer);
            after_refs_change(state, &mut fx);
        }
        Msg::RefsSynced { kind, present } => {
            state.refs.synced(kind, &present);
            after_refs_change(state, &mut fx);
            // A (re)list is complete: look now rather than at the next tick.
            if !state.loading {
                state.inspect_due = false;
                inspect_what_matters(state, &mut fx);
            }
        }
        Msg::ReplicaSet(meta) => {
            let ns = meta.namespace.clone();
            state.refs.resolver.upsert_replica_set(&meta);
            state.refs.index.refresh_workloads(&state.refs.resolver, ns.as_deref());
            state.dirty = true;
        }
        Msg::ReplicaSetGone { namespace, name } => {
            state.refs.resolver.remove_replica_set(&namespace, &name);
            state.dirty = true;
        }
        Msg::Inspected { namespace, name, facts } => {
            state.inspect_requested.remove(&(namespace.clone(), name.clone()));
            if let Some(r) = state.rows.get_mut(&(namespace, name)) {
                r.inspected = Some(facts);
                state.dirty = true;
            }
        }
        Msg::InspectFailed { namespace, name } => {
            state.inspect_requested.remove(&(namespace.clone(), name.clone()));
            if let Some(r) = state.rows.get_mut(&(namespace, name)) {
                r.inspect_failed = true;
            }
        }
        Msg::Opened(secret) => {
            if let Some(d) = &mut state.detail
                && d.namespace == secret.namespace()
                && d.name == secret.name()
            {
                let keys = secret.entries().count();
                d.secret = Some(*secret);
                d.error = None;
                if d.selected_key >= keys {
                    d.selected_key = keys.saturating_sub(1);
                }
                state.dirty = true;
            }
        }
        Msg::OpenFailed { namespace, name, error } => {
            if let Some(d) = &mut state.detail
                && d.namespace == namespace
                && d.name == name
            {
                d.error = Some(error);
                state.dirty = true;
            }
        }
        Msg::CanUpdate { namespace, name, allowed } => {
            if let Some(d) = &mut state.detail
                && d.namespace == namespace
                && d.name == name
            {
                d.can_update = Some(allowed);
                state.dirty = true;
            }
        }
        Msg::Namespaces(result) => {
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
        Msg::ContextSwitched(result) => {
            match result {
                Ok((ctx, namespace)) => {
                    state.context = ctx.clone();
                    if state.scope != Scope::All {
                        state.scope = Scope::One(namespace);
                    }
                    fx.push(Effect::Watch(state.scope.clone()));
                    fx.push(Effect::ListNamespaces);
                    state.rows.clear();
                    state.inspect_requested.clear();
                    state.refs = Default::default();
                    state.namespaces.clear();
                    state.detail = None;
                    state.loading = true;
                    state.scope_note = None;
                    state.refresh_visible();
                    state.flash(format!("Switched to context {ctx}"), false);
                }
                Err(e) => state.flash(e, true),
            }
            state.dirty = true;
        }
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

/// Secrets whose content the list needs for its flags: TLS (certificate expiry) and those
/// that a consumer reads by key (missing keys). Only names and dates are kept.
fn wants_inspection(state: &State, namespace: &str, name: &str, tls: bool) -> bool {
    tls || state.refs.keys_read(namespace, name).is_some()
}

/// Inspects the Secrets that are on screen or a page away from it, and nothing else: values
/// are downloaded only for rows someone can see (DESIGN.md decision 5), so a cluster with
/// thousands of TLS Secrets costs a few dozen reads at startup, and a watch storm off screen
/// costs none. Scrolling brings the flags of the next rows within one request.
fn inspect_what_matters(state: &mut State, fx: &mut Vec<Effect>) {
    state.refresh_if_stale();
    let page = state.page_rows();
    let from = state.list.selected.saturating_sub(page);
    let to = (state.list.selected + 2 * page).min(state.list.visible.len());
    let wanted: Vec<(String, String)> = state.list.visible[from.min(to)..to]
        .iter()
        .filter(|key| {
            state.rows.get(*key).is_some_and(|r| {
                r.needs_inspection()
                    && !r.inspect_failed
                    && !state.inspect_requested.contains(*key)
                    && wants_inspection(state, &r.namespace, &r.name, r.is_tls())
            })
        })
        .cloned()
        .collect();
    state.inspect_requested.extend(wanted.iter().cloned());
    if !wanted.is_empty() {
        fx.push(Effect::Inspect(wanted));
    }
}

fn after_refs_change(state: &mut State, _fx: &mut Vec<Effect>) {
    state.inspect_due = true;
    // The rows shown depend on the references only through the usage sort and the missing
    // Secrets (known once the Pods are listed): while 20,000 Pods arrive, the list is not
    // re-sorted for each page of them.
    if state.list.sort == Sort::Usage || state.refs.is_synced() {
        state.stale = true;
    }
    state.dirty = true;
}

fn key_scope(state: &State) -> KeyScope {
    match &state.modal {
        Some(Modal::Help { .. }) => KeyScope::Help,
        Some(Modal::Picker(_)) => KeyScope::Picker,
        Some(Modal::Editor(_)) => KeyScope::Editor,
        Some(Modal::Prompt(_)) => KeyScope::Prompt,
        Some(Modal::Confirm(_)) => KeyScope::Confirm,
        Some(Modal::Review(_)) => KeyScope::Review,
        Some(Modal::Conflict(_)) => KeyScope::Conflict,
        None if state.detail.is_some() => KeyScope::Detail,
        None if state.list.typing => KeyScope::Filter,
        None => KeyScope::List,
    }
}

fn on_key(state: &mut State, ev: KeyEvent, fx: &mut Vec<Effect>) {
    state.refresh_if_stale();
    let scope = key_scope(state);
    let action = keymap::lookup(scope, &ev);
    // Global actions first.
    match action {
        Some(Action::Quit) if state.detail.as_ref().is_some_and(|d| d.is_dirty()) => {
            state.modal = Some(discard_confirm(true));
            return;
        }
        Some(Action::Quit) => {
            state.quit = true;
            fx.push(Effect::Quit);
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
            fx.push(Effect::Watch(state.scope.clone()));
            if let Some(d) = &state.detail {
                fx.push(Effect::Open { namespace: d.namespace.clone(), name: d.name.clone() });
            }
            return;
        }
        _ => {}
    }
    match scope {
        KeyScope::Help => on_help_key(state, action),
        KeyScope::Picker => on_picker_key(state, ev, action, fx),
        KeyScope::Filter => on_filter_key(state, ev, action),
        KeyScope::Detail => {
            if let Some(a @ (Action::CopyValue | Action::CopyYaml | Action::CopyEnv)) = action {
                copy(state, a, fx);
                return;
            }
            if let Some(a) = action
                && super::editing::on_detail_action(state, a, fx)
            {
                return;
            }
            on_detail_key(state, action)
        }
        KeyScope::Editor => super::editing::on_editor_key(state, ev, action),
        KeyScope::Prompt => super::editing::on_prompt_key(state, ev, action, fx),
        KeyScope::Confirm => super::editing::on_confirm_key(state, action, fx),
        KeyScope::Review => super::editing::on_review_key(state, action, fx),
        KeyScope::Conflict => super::editing::on_conflict_key(state, action),
        KeyScope::List | KeyScope::Global => on_list_key(state, action, fx),
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

fn on_filter_key(state: &mut State, ev: KeyEvent, action: Option<Action>) {
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

fn on_list_key(state: &mut State, action: Option<Action>, fx: &mut Vec<Effect>) {
    let page = state.page_rows() as isize;
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
        Some(Action::NewSecret) => {
            if state.options.readonly {
                state.flash("keyhole runs with --readonly: nothing can be changed", true);
            } else {
                state.modal = Some(Modal::Picker(super::editing::new_secret_picker()));
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
        Some(Action::Open) => {
            let ghost = state.list.visible.get(state.list.selected).filter(|k| state.missing.contains_key(*k)).cloned();
            if let Some((namespace, name)) = ghost {
                let mut d = Detail::new(&namespace, &name);
                d.error = Some(OpenError::NotFound);
                d.tab = Tab::UsedBy;
                state.detail = Some(d);
            } else if let Some(row) = state.selected_row() {
                let (namespace, name) = row.key();
                state.detail = Some(Detail::new(&namespace, &name));
                fx.push(Effect::Open { namespace: namespace.clone(), name: name.clone() });
                fx.push(Effect::CheckUpdate { namespace, name });
            }
        }
        _ => {}
    }
}

fn discard_confirm(quit: bool) -> Modal {
    Modal::Confirm(super::state::Confirm {
        kind: super::state::ConfirmKind::DiscardAndClose { quit },
        title: "Discard the edits you have not applied?".into(),
        lines: vec![
            "They were never sent to the cluster; they are not saved anywhere.".into(),
            "n keeps editing.".into(),
        ],
    })
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

fn on_picker_key(state: &mut State, ev: KeyEvent, action: Option<Action>, fx: &mut Vec<Effect>) {
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
                        state.scope = scope.clone();
                        state.scope_note = None;
                        state.rows.clear();
                        state.inspect_requested.clear();
                        state.list.selected = 0;
                        state.loading = true;
                        state.refresh_visible();
                        fx.push(Effect::Watch(scope));
                    }
                }
                PickerKind::NewSecret => {
                    if let Some(t) = value {
                        super::editing::new_secret_name(state, t);
                    }
                }
                PickerKind::Context => {
                    if let Some(ctx) = value
                        && ctx != state.context
                    {
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

fn on_detail_key(state: &mut State, action: Option<Action>) {
    let redact = state.options.redact;
    let Some(d) = &mut state.detail else { return };
    let keys: Vec<String> = d.keys().into_iter().cloned().collect();
    match action {
        Some(Action::Back) if d.is_dirty() => state.modal = Some(discard_confirm(false)),
        Some(Action::Back) => {
            // Dropping the Detail drops the Secret, whose values are zeroized.
            state.detail = None;
        }
        Some(Action::Up) if d.tab == Tab::Data && d.selected_key > 0 => {
            d.selected_key -= 1;
            d.revealed.clear();
            d.scroll = 0;
        }
        Some(Action::Down) if d.tab == Tab::Data && d.selected_key + 1 < keys.len() => {
            d.selected_key += 1;
            d.revealed.clear();
            d.scroll = 0;
        }
        Some(Action::Up) | Some(Action::PageUp) => {
            d.scroll = d.scroll.saturating_sub(if action == Some(Action::Up) { 1 } else { 10 })
        }
        Some(Action::Down) | Some(Action::PageDown) => {
            d.scroll = d.scroll.saturating_add(if action == Some(Action::Down) { 1 } else { 10 })
        }
        Some(Action::Reveal) => {
            if redact {
                state.flash("Values stay hidden: keyhole runs with --redact", true);
                return;
            }
            if let Some(k) = keys.get(d.selected_key)
                && !d.revealed.remove(k)
            {
                d.revealed.insert(k.clone());
            }
        }
        Some(Action::RevealAll) => {
            if redact {
                state.flash("Values stay hidden: keyhole runs with --redact", true);
                return;
            }
            if d.revealed.len() == keys.len() {
                d.revealed.clear();
            } else {
                d.revealed = keys.into_iter().collect();
            }
        }
        Some(Action::NextTab) => {
            d.scroll = 0;
        }
        Some(Action::PrevTab) => {
            d.tab = d.tab.prev();
            d.scroll = 0;
        }
        Some(Action::TabData) => d.tab = Tab::Data,
        Some(Action::TabUsedBy) => d.tab = Tab::UsedBy,
        Some(Action::TabDetails) => d.tab = Tab::Details,
        _ => {}
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

/// Turns an open failure into the message the detail screen shows.
pub fn open_error_text(e: &OpenError) -> String {
    match e {
        OpenError::Forbidden(m) => format!("No permission to read values: {m}"),
        OpenError::NotFound => "This Secret does not exist. Press 2 to see who names it.".to_string(),
        OpenError::Other(m) => format!("Could not read this Secret: {m}"),
    }
}
