//! What the watches and inspections report, applied to the state: the Secrets list, the
//! reference index, the connection banner, the facts behind the flags; and context switches.

use super::effect::{Effect, Scope, Switched};
use super::state::{Sort, State};
use super::update::watch;
use crate::cluster::event::{Connection, Event, ListError, OwnerKind};
use crate::list::flags;
use crate::list::rows::Inspected;

pub(super) fn on_event(state: &mut State, event: Event, fx: &mut Vec<Effect>) {
    match event {
        Event::SecretsListed(rows) => {
            // Facts learnt about a Secret stay with it across a relist (a 410, a reconnect)
            // while its version is the same.
            let mut old = std::mem::take(&mut state.rows);
            state.rows = rows
                .into_iter()
                .map(|mut r| {
                    if let Some(prev) = old.remove(&r.key())
                        && prev.resource_version == r.resource_version
                    {
                        r.inspected = prev.inspected;
                        r.inspect_failed = prev.inspect_failed;
                    }
                    (r.key(), r)
                })
                .collect();
            let tokens: std::collections::HashSet<crate::refs::ConsumerId> = state
                .rows
                .values()
                .filter(|r| r.service_account.is_some())
                .map(|r| {
                    crate::refs::ConsumerId::new(crate::refs::ConsumerKind::ServiceAccountToken, &r.namespace, &r.name)
                })
                .collect();
            state
                .refs
                .index
                .retain(|id| id.kind != crate::refs::ConsumerKind::ServiceAccountToken || tokens.contains(id));
            let rows: Vec<crate::list::rows::SecretRow> =
                state.rows.values().filter(|r| r.service_account.is_some()).cloned().collect();
            index_tokens(state, rows.iter());
            state.loading = false;
            state.listed_so_far = None;
            state.list_error = None;
            state.refresh_visible();
            inspect_what_matters(state, fx);
            state.dirty = true;
        }
        Event::SecretsListing(n) => {
            if state.loading {
                state.listed_so_far = Some(n);
                state.dirty = true;
            }
        }
        Event::SecretUpserted(row) => {
            let mut row = *row;
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
            if row.service_account.is_some() || state.rows.get(&key).is_some_and(|o| o.service_account.is_some()) {
                index_tokens(state, std::iter::once(&row));
            }
            state.rows.insert(key.clone(), row);
            if moves {
                state.stale = true;
            }
            let writing = super::edit::writing(state);
            let now = state.rows.get(&key).map(|r| r.resource_version.clone());
            let reopen = match &mut state.detail {
                Some(d)
                    if d.namespace == key.0
                        && d.name == key.1
                        && d.secret.as_ref().is_some_and(|s| s.metadata.resource_version != now) =>
                {
                    if writing {
                        // Likely our own write, ahead of its answer: the answer decides.
                        d.announced_while_writing = now;
                        None
                    } else {
                        Some((d.target(), d.name.clone()))
                    }
                }
                _ => None,
            };
            if let Some((target, name)) = reopen {
                state.flash(format!("{name} changed on the server; showing the new version"), false);
                fx.push(Effect::Open(target));
            }
            state.dirty = true;
        }
        Event::SecretDeleted { namespace, name } => {
            state.rows.remove(&(namespace.clone(), name.clone()));
            // A Secret made again under this name is another object: nothing to put back.
            state.applied.forget(&state.context.clone(), &namespace, &name);
            state.refs.remove(&crate::refs::ConsumerId::new(
                crate::refs::ConsumerKind::ServiceAccountToken,
                &namespace,
                &name,
            ));
            state.stale = true;
            if state.detail.as_ref().is_some_and(|d| d.namespace == namespace && d.name == name) {
                state.flash(format!("{name} was deleted on the server"), true);
            }
            state.dirty = true;
        }
        Event::SecretsFailed(err) => {
            state.loading = false;
            match err {
                ListError::ForbiddenAllNamespaces { fallback, message } => {
                    let ns = fallback.first().cloned().unwrap_or_else(|| "default".to_string());
                    state.scope_note = Some(format!(
                        "You may not list Secrets in all namespaces ({message}). Showing namespace {ns}; press n for the others you can read."
                    ));
                    state.namespaces = fallback;
                    state.scope = Scope::One(ns);
                    state.loading = true;
                    fx.push(watch(state));
                }
                ListError::Forbidden(m) => {
                    state.list_error =
                        Some(format!("No permission to list Secrets here: {m}. Press o to open one by its name."))
                }
                ListError::Other(m) => state.list_error = Some(m),
            }
            state.dirty = true;
        }
        Event::Connection(c) => {
            if c == Connection::Live && matches!(state.connection, Connection::Lost { .. }) {
                state.reconnected_ticks = 3;
            }
            state.connection = c;
            state.dirty = true;
        }
        Event::RefsUpserted { consumer, refs } => {
            state.refs.upsert(consumer, refs);
            after_refs_change(state);
        }
        Event::RefsRemoved(consumer) => {
            state.refs.remove(&consumer);
            after_refs_change(state);
        }
        Event::RefsSynced { kind, present } => {
            state.refs.synced(kind, &present);
            after_refs_change(state);
            // A (re)list is complete: look now rather than at the next tick.
            if !state.loading {
                state.inspect_due = false;
                inspect_what_matters(state, fx);
            }
        }
        Event::Unlisted { source, listing } => {
            state.refs.listed(source, listing);
            after_refs_change(state);
        }
        Event::Owner { kind, meta } => {
            let (Some(ns), Some(name)) = (meta.namespace.clone(), meta.name.clone()) else { return };
            match kind {
                OwnerKind::ReplicaSet => state.refs.resolver.upsert_replica_set(&meta),
                OwnerKind::Job => state.refs.resolver.upsert_job(&meta),
            }
            // Only the Pods this ReplicaSet or Job owns are grouped again.
            state.refs.index.refresh_owner(&state.refs.resolver, &ns, &name);
            state.dirty = true;
        }
        Event::OwnerGone { kind, namespace, name } => {
            match kind {
                OwnerKind::ReplicaSet => state.refs.resolver.remove_replica_set(&namespace, &name),
                OwnerKind::Job => state.refs.resolver.remove_job(&namespace, &name),
            }
            state.dirty = true;
        }
        Event::Widened { source } => state.refs.widened(source),
        Event::GrantUpserted(grant) => {
            state.refs.index.upsert_grant(grant);
            after_refs_change(state);
        }
        Event::Writers(e) => {
            state.writers.apply(e);
            state.dirty = true;
        }
        Event::GrantRemoved { namespace, name } => {
            state.refs.index.remove_grant(&namespace, &name);
            after_refs_change(state);
        }
        Event::GrantsSynced { present } => {
            state.refs.index.retain_grants(|ns, name| present.contains(&(ns.to_string(), name.to_string())));
            state.refs.listed(crate::refs::Source::ReferenceGrants, crate::refs::Listing::Listed);
            after_refs_change(state);
        }
    }
}

/// Legacy service-account token Secrets name their ServiceAccount in an annotation: the
/// binding is a use, indexed like a consumer's (the Secret list is its watch).
fn index_tokens<'a>(state: &mut State, rows: impl Iterator<Item = &'a crate::list::rows::SecretRow>) {
    for r in rows {
        let account = r.service_account.as_deref().unwrap_or("");
        let (id, refs) = crate::refs::from_token_secret(&r.namespace, &r.name, account);
        state.refs.upsert(id, refs);
    }
}

/// An inspection's facts (`None`: it failed, e.g. no permission to read values; not retried
/// for this version).
pub(super) fn on_inspected(state: &mut State, namespace: String, name: String, facts: Option<Inspected>) {
    let key = (namespace, name);
    state.inspect_requested.remove(&key);
    if let Some(r) = state.rows.get_mut(&key) {
        match facts {
            Some(f) => r.inspected = Some(f),
            None => r.inspect_failed = true,
        }
        state.dirty = true;
    }
}

/// Inspects the Secrets that are on screen or a page away from it, and nothing else: values
/// are downloaded only for rows someone can see (DESIGN.md decision 5), so a cluster with
/// thousands of TLS Secrets costs a few dozen reads at startup, and a watch storm off screen
/// costs none. Scrolling brings the flags of the next rows within one request.
pub(super) fn inspect_what_matters(state: &mut State, fx: &mut Vec<Effect>) {
    state.refresh_if_stale();
    let page = state.list_page();
    let from = state.list.selected.saturating_sub(page);
    let to = (state.list.selected + 2 * page).min(state.list.visible.len());
    let wanted: Vec<(String, String)> = state.list.visible[from.min(to)..to]
        .iter()
        .filter(|key| {
            state.rows.get(*key).is_some_and(|r| {
                r.needs_inspection()
                    && !r.inspect_failed
                    && !state.inspect_requested.contains(*key)
                    && flags::needs_content(r, &state.refs.index, state.env_rule)
            })
        })
        .cloned()
        .collect();
    state.inspect_requested.extend(wanted.iter().cloned());
    if !wanted.is_empty() {
        fx.push(Effect::Inspect(wanted));
    }
}

fn after_refs_change(state: &mut State) {
    state.inspect_due = true;
    // The rows shown depend on the references only through the usage sort and the missing
    // Secrets (known once the consumers are listed): while 20,000 Pods arrive, the list is not
    // re-sorted for each page of them.
    if state.list.sort == Sort::Usage || state.refs.is_synced() {
        state.stale = true;
    }
    state.dirty = true;
}

/// The answer to `Effect::SwitchContext`: adopt the new connection and watch it, unless the
/// user has asked for another context since.
pub(super) fn on_context_switched(state: &mut State, result: Result<Box<Switched>, String>, fx: &mut Vec<Effect>) {
    match result {
        // The user opened a Secret of this context and edited it while connecting: the edits
        // are neither dropped nor sent to the other cluster.
        Ok(switched)
            if state.switching.as_deref() == Some(switched.context.as_str()) && super::edit::unsaved_work(state) =>
        {
            state.switching = None;
            state.flash(
                format!(
                    "Stayed on {}: you have edits not applied here. Apply or discard them, then switch to {} again.",
                    state.context, switched.context
                ),
                true,
            );
        }
        Ok(switched) if state.switching.as_deref() == Some(switched.context.as_str()) => {
            state.switching = None;
            let ctx = switched.context.clone();
            state.context = ctx.clone();
            if state.scope != Scope::All {
                state.scope = Scope::One(switched.namespace.clone());
            }
            state.env_rule =
                crate::validate::EnvNameRule::for_git_version(&switched.connected.version).unwrap_or_default();
            fx.push(Effect::Adopt(switched));
            fx.push(watch(state));
            fx.push(Effect::ListNamespaces);
            state.rows.clear();
            state.inspect_requested.clear();
            state.refs = Default::default();
            state.writers = Default::default();
            state.namespaces.clear();
            state.detail = None;
            state.loading = true;
            state.scope_note = None;
            state.connection = Connection::Live;
            state.refresh_visible();
            state.flash(format!("Switched to context {ctx}"), false);
            // From the fleet view: the Secret chosen there, in its own context.
            if let Some((namespace, name)) = state.open_after_switch.take() {
                if state.scope != Scope::All {
                    state.scope = Scope::One(namespace.clone());
                    fx.retain(|e| !matches!(e, Effect::Watch { .. }));
                    fx.push(watch(state));
                }
                let target = state.open_detail(&namespace, &name).target();
                fx.push(Effect::Open(target.clone()));
                fx.push(Effect::CheckUpdate(target));
            }
        }
        // An answer for a switch the user has moved on from.
        Ok(_) => {}
        Err(e) => {
            state.switching = None;
            state.open_after_switch = None;
            state.flash(e, true);
        }
    }
    state.dirty = true;
}
