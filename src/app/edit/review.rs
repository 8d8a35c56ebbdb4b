//! Review and apply (DESIGN.md decision 7): local validation, the key diff, the server's dry
//! run, then the write with the resourceVersion of the version opened; a 409 fetches the
//! server's version for the conflict screen, where the user rebases key by key. Every failure
//! keeps the edits.

use crate::app::copy::{self, CopyChoice};
use crate::app::detail::open_error_text;
use crate::app::effect::{Effect, Target, Ticket};
use crate::app::state::{ConflictView, Detail, Modal, Phase, Review, State};
use crate::cluster::apply::{ApplyError, Deletion};
use crate::cluster::ops::OpenError;
use crate::keymap::Action;
use crate::secret::{Secret, last_applied};

/// The dry run or the write of the draft, with the precondition: the resourceVersion of the
/// version the user opened (or rebased onto). The ticket names the draft and its revision.
fn write_effect(d: &Detail, dry_run: bool) -> Option<Effect> {
    let dr = d.draft.as_ref()?;
    // The edit with the choice about kubectl's plaintext copy made: one write for both.
    let mut secret = copy::to_send(dr);
    secret.metadata.resource_version = dr.base.metadata.resource_version.clone();
    let secret = Box::new(secret);
    let ticket = Ticket { target: d.target(), draft: dr.id, revision: dr.revision };
    Some(if dry_run {
        Effect::DryRun { ticket, secret, creating: dr.creating }
    } else {
        Effect::Apply { ticket, secret, creating: dr.creating }
    })
}

/// Whether an answer is for the draft on screen, as it is now (no edit since it was sent).
fn current(state: &State, ticket: &Ticket) -> bool {
    state.detail.as_ref().is_some_and(|d| {
        d.is(&ticket.target)
            && d.draft.as_ref().is_some_and(|dr| dr.id == ticket.draft && dr.revision == ticket.revision)
    })
}

/// Whether the review is open and waiting for an answer.
fn waiting(state: &State) -> bool {
    matches!(&state.modal, Some(Modal::Review(r)) if matches!(r.phase, Phase::DryRunning | Phase::Applying))
}

pub(in crate::app) fn on_key(state: &mut State, action: Option<Action>, fx: &mut Vec<Effect>) {
    if action == Some(Action::LastApplied) {
        next_copy_choice(state);
        return;
    }
    let redact = state.options.redact;
    let (now, rule) = (state.now, state.env_rule);
    let Some(d) = state.detail.as_ref() else {
        state.modal = None;
        return;
    };
    let (errors, warnings) = match &d.draft {
        Some(dr) => (dr.errors(), dr.new_warnings(now, rule)),
        None => (Vec::new(), Vec::new()),
    };
    // Opened to deal with kubectl's plaintext copy alone, and told to keep it: nothing to write.
    let nothing =
        !d.is_dirty() && d.draft.as_ref().is_none_or(|dr| !copy::applies(dr) || dr.copy_choice == CopyChoice::Keep);
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
                if nothing {
                    state.flash("Nothing to apply: no changes, and the last-applied annotation is kept", false);
                } else if !errors.is_empty() {
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

/// The next choice about kubectl's plaintext copy. It changes the write, so a dry run of the
/// previous one does not count: the review goes back to its first step.
fn next_copy_choice(state: &mut State) {
    let in_flight = waiting(state);
    let Some(dr) = state.detail.as_mut().and_then(|d| d.draft.as_mut()) else { return };
    if !copy::applies(dr) {
        state.flash("The last-applied annotation holds no values here: nothing to choose", false);
        return;
    }
    if in_flight {
        state.flash("Wait for the server's answer before changing what is sent", true);
        return;
    }
    dr.choose_copy(dr.copy_choice.next());
    if let Some(Modal::Review(r)) = &mut state.modal
        && matches!(r.phase, Phase::DryRunOk { .. } | Phase::Failed { .. })
    {
        r.phase = Phase::Review;
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

pub(super) fn on_dry_run(
    state: &mut State,
    ticket: &Ticket,
    result: Result<Vec<String>, ApplyError>,
    fx: &mut Vec<Effect>,
) {
    // A dry run of another draft, or of this one before later edits, says nothing about what
    // is on screen now.
    if !current(state, ticket) || !waiting(state) {
        return;
    }
    match result {
        Ok(warnings) => {
            if let Some(Modal::Review(r)) = &mut state.modal {
                r.phase = Phase::DryRunOk { warnings };
            }
        }
        Err(ApplyError::Conflict(_)) => fx.push(Effect::FetchLatest(ticket.clone())),
        Err(e) => failed(state, &e, false),
    }
}

/// The answer to a write. The server has the new version whatever the user did meanwhile: the
/// Secret on screen follows it if it is still open, and edits made after the write was sent are
/// kept, on top of the version written.
pub(super) fn on_applied(
    state: &mut State,
    ticket: &Ticket,
    result: Result<Box<Secret>, ApplyError>,
    fx: &mut Vec<Effect>,
) {
    let was_waiting = current(state, ticket) && waiting(state);
    if let (Err(_), Some(d)) = (&result, state.detail_for(&ticket.target)) {
        // The write failed, so a version the watch announced meanwhile is someone else's.
        if d.announced_while_writing.take().is_some() {
            fx.push(Effect::Open(d.target()));
        }
    }
    match result {
        Ok(secret) => {
            let name = secret.name().to_string();
            let rv = secret.metadata.resource_version.clone().unwrap_or_default();
            let Some(d) = state.detail_for(&ticket.target) else {
                // The user left that Secret: say so, touch nothing on screen.
                state.flash(
                    format!("Applied: {}/{name} is now at resourceVersion {rv}", ticket.target.namespace),
                    false,
                );
                return;
            };
            let mut created = false;
            let mut kept = false;
            // What the write replaced: the draft's base (the write's precondition held), not
            // the screen's copy, which the watch may already have moved to the new version.
            let mut replaced = None;
            let undoing = d.draft.as_ref().is_some_and(|dr| dr.id == ticket.draft && dr.undoing);
            // What became of kubectl's plaintext copy, when there was one.
            let copy_note = d
                .draft
                .as_ref()
                .filter(|dr| dr.id == ticket.draft && !dr.creating && last_applied::has_copy(&dr.base))
                .map(|dr| match dr.copy_choice {
                    CopyChoice::Remove => "; kubectl's last-applied copy removed",
                    CopyChoice::Update => "; kubectl's last-applied copy now records this version",
                    CopyChoice::Keep => "; kubectl's last-applied copy kept, with the old values",
                });
            match d.draft.as_mut().filter(|dr| dr.id == ticket.draft) {
                Some(dr) if dr.revision == ticket.revision => {
                    created = dr.creating;
                    replaced = Some(d.draft.take().map(|dr| dr.base));
                }
                Some(dr) => {
                    // Edited after it was sent: what was sent is now the base.
                    replaced = Some(Some(std::mem::replace(&mut dr.base, (*secret).clone())));
                    dr.undoing = false;
                    dr.creating = false;
                    kept = true;
                }
                // Another draft was started meanwhile (from the version before this write): a
                // write of it meets a 409 and the conflict screen, never an overwrite.
                None => kept = d.draft.is_some(),
            }
            d.revealed.clear();
            let after = (*secret).clone();
            let shown = d.secret.replace(*secret);
            let before = replaced.flatten().or(shown);
            d.error = None;
            // A version the watch announced meanwhile that is not this write's: someone wrote
            // after us; read it.
            let newer =
                d.announced_while_writing.take().filter(|v| Some(v) != after.metadata.resource_version.as_ref());
            if newer.is_some() {
                fx.push(Effect::Open(d.target()));
            }
            let mut text = match (created, kept) {
                (true, _) => format!("Created {name}"),
                (false, true) => format!("Applied: {name} is now at resourceVersion {rv}; your later edits are kept"),
                (false, false) => format!("Applied: {name} is now at resourceVersion {rv}"),
            };
            // The history of this run's applies, for `U`.
            let (context, namespace) = (state.context.clone(), ticket.target.namespace.clone());
            if undoing {
                state.applied.put_back(&context, &namespace, &name);
                text = format!("Put back the earlier version: {name} is now at resourceVersion {rv}");
            } else if let (Some(before), false) = (&before, created) {
                state.applied.record(&context, before.clone(), rv.clone());
            }
            text.push_str(copy_note.unwrap_or_default());
            if !created && state.applied.depth(&context, &namespace, &name) > 0 {
                text.push_str(" (U puts back the version before)");
            }
            state.flash(text, false);
            if was_waiting {
                // Running Pods that read a changed key only at start: offer to restart them.
                state.modal = match (&before, created) {
                    (Some(before), false) => crate::app::restart::after_apply(state, before, &after),
                    _ => None,
                };
            }
        }
        Err(e) if was_waiting => match e {
            ApplyError::Conflict(_) => fx.push(Effect::FetchLatest(ticket.clone())),
            e => failed(state, &e, true),
        },
        // Not waiting for it any more (the user went back to editing, or left): the edits are
        // where they were; say what happened.
        Err(e) => state.flash(format!("{}: {}", ticket.target.name, e.describe()), true),
    }
}

pub(super) fn on_latest(state: &mut State, ticket: &Ticket, result: Result<Box<Secret>, OpenError>) {
    if !current(state, ticket) || !waiting(state) {
        return;
    }
    match result {
        Ok(server) => {
            let Some(dr) = state.detail.as_mut().and_then(|d| d.draft.as_mut()) else { return };
            let conflicts = dr.conflicts(&server);
            // Their changes to data are shown; their labels and annotations merge by themselves
            // unless the user changed the same one differently.
            let to_decide = conflicts.iter().any(|c| c.field == crate::app::draft::Field::Data || c.mine_too);
            if to_decide {
                state.modal = Some(Modal::Conflict(ConflictView { server: *server, conflicts, selected: 0 }));
            } else {
                dr.rebase(*server, &conflicts);
                state.modal = Some(Modal::Review(Review::new(Phase::Review)));
                state.flash("The Secret changed on the server (not its data): merged; review and apply again", false);
            }
        }
        Err(e) => {
            let message = open_error_text(&e);
            failed(state, &ApplyError::Server { code: 409, message }, false);
        }
    }
}

pub(super) fn on_deleted(state: &mut State, target: &Target, result: Result<Deletion, ApplyError>) {
    match result {
        Ok(deletion) => {
            if state.detail.as_ref().is_some_and(|d| d.is(target)) {
                state.detail = None;
            }
            let name = &target.name;
            let text = match deletion {
                Deletion::Gone => format!("Deleted {name}"),
                Deletion::Pending(f) if f.is_empty() => format!("Deletion of {name} requested: it is Terminating"),
                Deletion::Pending(f) if f.len() == 1 => format!(
                    "Deletion of {name} requested: it stays Terminating until its finalizer {} is removed",
                    f[0]
                ),
                Deletion::Pending(f) => format!(
                    "Deletion of {name} requested: it stays Terminating until its finalizers {} are removed",
                    f.join(", ")
                ),
            };
            state.flash(text, false);
        }
        Err(e) => state.flash(e.describe(), true),
    }
}
