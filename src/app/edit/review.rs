//! Review and apply (DESIGN.md decision 7): local validation, the key diff, the server's dry
//! run, then the write with the resourceVersion of the version opened; a 409 fetches the
//! server's version for the conflict screen, where the user rebases key by key. Every failure
//! keeps the edits.

use crate::app::detail::open_error_text;
use crate::app::effect::Effect;
use crate::app::state::{ConflictView, Detail, Modal, Phase, Review, State};
use crate::cluster::apply::ApplyError;
use crate::cluster::ops::OpenError;
use crate::keymap::Action;
use crate::secret::Secret;

/// The dry run or the write of the draft, with the precondition: the resourceVersion of the
/// version the user opened (or rebased onto).
fn write_effect(d: &Detail, dry_run: bool) -> Option<Effect> {
    let dr = d.draft.as_ref()?;
    let mut secret = dr.work.clone();
    secret.metadata.resource_version = dr.base.metadata.resource_version.clone();
    let secret = Box::new(secret);
    Some(if dry_run {
        Effect::DryRun { secret, creating: dr.creating }
    } else {
        Effect::Apply { secret, creating: dr.creating }
    })
}

pub(in crate::app) fn on_key(state: &mut State, action: Option<Action>, fx: &mut Vec<Effect>) {
    let redact = state.options.redact;
    let now = state.now;
    let Some(d) = state.detail.as_ref() else {
        state.modal = None;
        return;
    };
    let (errors, warnings) = match &d.draft {
        Some(dr) => (dr.errors(), dr.new_warnings(now)),
        None => (Vec::new(), Vec::new()),
    };
    let effect_dry = write_effect(d, true);
    let effect_apply = write_effect(d, false);
    let Some(Modal::Review(r)) = &mut state.modal else { return };
    match action {
        Some(Action::Back) => state.modal = None,
        Some(Action::Up) => r.scroll = r.scroll.saturating_sub(1),
        Some(Action::Down) => r.scroll = r.scroll.saturating_add(1),
        Some(Action::Reveal) => {
            if redact {
                state.flash("Values stay hidden: keyhole runs with --redact", true);
            } else {
                r.revealed = !r.revealed;
            }
        }
        Some(Action::Yes) => r.warnings_accepted = true,
        Some(Action::Accept) => match r.phase.clone() {
            Phase::Review | Phase::Failed { retry_apply: false, .. } => {
                if !errors.is_empty() {
                    state.flash("Fix the errors first: the API server would reject this", true);
                } else if !warnings.is_empty() && !r.warnings_accepted {
                    state.flash("There are warnings: press y to accept them, then Enter", true);
                } else if let Some(e) = effect_dry {
                    r.phase = Phase::DryRunning;
                    fx.push(e);
                }
            }
            Phase::DryRunOk { .. } | Phase::Failed { retry_apply: true, .. } => {
                if let Some(e) = effect_apply {
                    r.phase = Phase::Applying;
                    fx.push(e);
                }
            }
            Phase::DryRunning | Phase::Applying => {}
        },
        _ => {}
    }
}

pub(in crate::app) fn on_conflict_key(state: &mut State, action: Option<Action>) {
    let Some(Modal::Conflict(c)) = &mut state.modal else { return };
    match action {
        Some(Action::Back) => state.modal = None,
        Some(Action::Up) => c.selected = c.selected.saturating_sub(1),
        Some(Action::Down) => c.selected = (c.selected + 1).min(c.conflicts.len().saturating_sub(1)),
        Some(Action::ToggleChoice) => {
            if let Some(x) = c.conflicts.get_mut(c.selected) {
                x.take_theirs = !x.take_theirs;
            }
        }
        Some(Action::Accept) => {
            let Some(Modal::Conflict(view)) = state.modal.take() else { return };
            if let Some(dr) = state.detail.as_mut().and_then(|d| d.draft.as_mut()) {
                dr.rebase(view.server, &view.conflicts);
            }
            state.modal = Some(Modal::Review(Review::new(Phase::Review)));
            state.flash("Rebased onto the server's version: review and apply again", false);
        }
        _ => {}
    }
}

fn failed(state: &mut State, e: &ApplyError, retry_apply: bool) {
    let causes = match e {
        ApplyError::Invalid { causes, .. } => causes.clone(),
        _ => Vec::new(),
    };
    let phase = Phase::Failed { message: e.describe(), causes, retry_apply };
    match &mut state.modal {
        Some(Modal::Review(r)) => r.phase = phase,
        _ => {
            let mut r = Review::new(phase);
            r.warnings_accepted = true;
            state.modal = Some(Modal::Review(r));
        }
    }
}

fn fetch_latest(state: &State, fx: &mut Vec<Effect>) {
    if let Some(d) = &state.detail {
        fx.push(Effect::FetchLatest { namespace: d.namespace.clone(), name: d.name.clone() });
    }
}

pub(super) fn on_dry_run(state: &mut State, result: Result<Vec<String>, ApplyError>, fx: &mut Vec<Effect>) {
    match result {
        Ok(warnings) => {
            if let Some(Modal::Review(r)) = &mut state.modal {
                r.phase = Phase::DryRunOk { warnings };
            }
        }
        Err(ApplyError::Conflict(_)) => fetch_latest(state, fx),
        Err(e) => failed(state, &e, false),
    }
}

pub(super) fn on_applied(state: &mut State, result: Result<Box<Secret>, ApplyError>, fx: &mut Vec<Effect>) {
    match result {
        Ok(secret) => {
            let name = secret.name().to_string();
            let rv = secret.metadata.resource_version.clone().unwrap_or_default();
            if let Some(d) = state.detail.as_mut() {
                let created = d.draft.as_ref().is_some_and(|x| x.creating);
                d.draft = None;
                d.revealed.clear();
                d.secret = Some(*secret);
                d.error = None;
                state.flash(
                    if created {
                        format!("Created {name}")
                    } else {
                        format!("Applied: {name} is now at resourceVersion {rv}")
                    },
                    false,
                );
            }
            if matches!(state.modal, Some(Modal::Review(_))) {
                state.modal = None;
            }
        }
        Err(ApplyError::Conflict(_)) => fetch_latest(state, fx),
        Err(e) => failed(state, &e, true),
    }
}

pub(super) fn on_latest(state: &mut State, result: Result<Box<Secret>, OpenError>) {
    match result {
        Ok(server) => {
            let Some(dr) = state.detail.as_mut().and_then(|d| d.draft.as_mut()) else { return };
            let conflicts = dr.conflicts(&server);
            if conflicts.is_empty() {
                // Only metadata moved on: rebase silently and review again.
                dr.rebase(*server, &[]);
                state.modal = Some(Modal::Review(Review::new(Phase::Review)));
                state.flash("The Secret changed on the server (not its data): rebased; review and apply again", false);
            } else {
                state.modal = Some(Modal::Conflict(ConflictView { server: *server, conflicts, selected: 0 }));
            }
        }
        Err(e) => {
            let message = open_error_text(&e);
            failed(state, &ApplyError::Server { code: 409, message }, false);
        }
    }
}

pub(super) fn on_deleted(state: &mut State, namespace: &str, name: &str, result: Result<(), ApplyError>) {
    match result {
        Ok(()) => {
            if state.detail.as_ref().is_some_and(|d| d.namespace == namespace && d.name == name) {
                state.detail = None;
            }
            state.flash(format!("Deleted {name}"), false);
        }
        Err(e) => state.flash(e.describe(), true),
    }
}
