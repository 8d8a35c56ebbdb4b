//! Restarting the consumers that read a Secret only at start, and following their rollouts:
//! offered after an apply that changed keys they read, and from the Secret screen (`R`) at any
//! time. The user chooses per workload; each restart is checked (SelfSubjectAccessReview on
//! `patch`) and made by the executor; the rollouts' progress comes back as messages, and the UI
//! never waits on it. Closing the window stops following (the rollouts go on in the cluster).

use super::effect::Effect;
use super::state::{Modal, State};
use crate::cluster::restart::{Progress, Restarted, Stage};
use crate::keymap::Action;
use crate::refs::{RestartAction, RestartTarget, WorkloadKind};
use crate::secret::Secret;

/// The restart window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestartView {
    /// Which restart the answers are for.
    pub id: u64,
    pub namespace: String,
    pub secret: String,
    /// Why it opened ("After the apply, ..."), one line.
    pub intro: String,
    pub rows: Vec<RestartRow>,
    pub selected: usize,
    /// The chosen restarts were sent.
    pub started: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestartRow {
    pub target: RestartTarget,
    /// Chosen for a restart (only for workloads that have one).
    pub chosen: bool,
    pub state: RowState,
}

/// Where one workload is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowState {
    /// Not started (or not chosen).
    Planned,
    /// Asking the server and patching.
    Sent,
    Refused(String),
    Failed(String),
    Rolling {
        progress: Progress,
        stuck: Vec<String>,
    },
    Done(String),
    RolloutFailed {
        message: String,
        stuck: Vec<String>,
    },
}

impl RestartRow {
    pub fn restartable(&self) -> bool {
        self.target.action == RestartAction::Restart
    }
}

/// The window for `plan`, or nothing when no workload needs a restart.
pub(super) fn view(
    state: &mut State,
    namespace: &str,
    secret: &str,
    plan: Vec<RestartTarget>,
    intro: String,
) -> Option<Modal> {
    if plan.is_empty() {
        return None;
    }
    let id = state.next_id();
    let rows = plan
        .into_iter()
        .map(|target| RestartRow { chosen: target.action == RestartAction::Restart, target, state: RowState::Planned })
        .collect();
    Some(Modal::Restart(RestartView {
        id,
        namespace: namespace.to_string(),
        secret: secret.to_string(),
        intro,
        rows,
        selected: 0,
        started: false,
    }))
}

/// The keys whose values differ between two versions of a Secret (added and removed included).
pub(super) fn changed_keys(before: &Secret, after: &Secret) -> Vec<String> {
    let mut keys: Vec<String> =
        before.entries().map(|(k, _)| k.clone()).chain(after.entries().map(|(k, _)| k.clone())).collect();
    keys.sort();
    keys.dedup();
    keys.retain(|k| before.get(k) != after.get(k));
    keys
}

/// After an apply of `after` over `before`: the window, when running Pods read a changed key
/// only at start.
pub(super) fn after_apply(state: &mut State, before: &Secret, after: &Secret) -> Option<Modal> {
    let (namespace, name) = (after.namespace().to_string(), after.name().to_string());
    let keys = changed_keys(before, after);
    let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let plan = state.refs.index.restart_plan(&namespace, &name, Some(&key_refs));
    let restartable = plan.iter().filter(|t| t.action == RestartAction::Restart).count();
    if restartable == 0 {
        // Nothing keyhole could restart: say it in the message rather than open a window.
        if let (false, Some(f)) = (plan.is_empty(), &mut state.flash) {
            f.text.push_str(&format!(
                "; {} keep the old value until re-created (R lists them)",
                count(plan.len(), "workload")
            ));
        }
        return None;
    }
    let intro = format!(
        "Applied. {} read the changed keys only at start: restart {}?",
        count(plan.len(), "workload"),
        if restartable == 1 && plan.len() == 1 { "it" } else { "the chosen ones" }
    );
    view(state, &namespace, &name, plan, intro)
}

fn count(n: usize, what: &str) -> String {
    if n == 1 { format!("1 {what}") } else { format!("{n} {what}s") }
}

/// `R` on the Secret screen: every workload that reads it only at start.
pub(super) fn from_detail(state: &mut State) {
    let Some(d) = &state.detail else { return };
    let (namespace, name) = (d.namespace.clone(), d.name.clone());
    let plan = state.refs.index.restart_plan(&namespace, &name, None);
    let intro = format!("Workloads whose running Pods read {name} only at start (env, envFrom, subPath):");
    match view(state, &namespace, &name, plan, intro) {
        Some(m) => state.modal = Some(m),
        None => state.flash(
            format!(
                "No running Pod reads {name} only at start: nothing to restart (mounted volumes see changes in place)"
            ),
            false,
        ),
    }
}

pub(super) fn on_key(state: &mut State, action: Option<Action>, fx: &mut Vec<Effect>) {
    let Some(Modal::Restart(v)) = &mut state.modal else { return };
    match action {
        Some(Action::Up) => v.selected = v.selected.saturating_sub(1),
        Some(Action::Down) if v.selected + 1 < v.rows.len() => v.selected += 1,
        Some(Action::ToggleChoice) if !v.started => {
            if let Some(row) = v.rows.get_mut(v.selected).filter(|r| r.restartable()) {
                row.chosen = !row.chosen;
            }
        }
        Some(Action::Accept) if !v.started => {
            let workloads: Vec<(WorkloadKind, String)> = v
                .rows
                .iter()
                .filter(|r| r.chosen && r.restartable())
                .map(|r| (r.target.kind.clone(), r.target.name.clone()))
                .collect();
            if workloads.is_empty() {
                state.modal = None;
                return;
            }
            for r in v.rows.iter_mut().filter(|r| r.chosen && r.restartable()) {
                r.state = RowState::Sent;
            }
            v.started = true;
            fx.push(Effect::Restart { id: v.id, namespace: v.namespace.clone(), workloads });
        }
        Some(Action::Back | Action::Accept) => {
            if v.started {
                fx.push(Effect::StopFollowing(v.id));
            }
            state.modal = None;
        }
        _ => {}
    }
}

fn row_of<'a>(state: &'a mut State, id: u64, kind: &WorkloadKind, name: &str) -> Option<&'a mut RestartRow> {
    let Some(Modal::Restart(v)) = &mut state.modal else { return None };
    if v.id != id {
        return None;
    }
    v.rows.iter_mut().find(|r| &r.target.kind == kind && r.target.name == name)
}

/// The answer to one restart.
pub(super) fn on_restarted(state: &mut State, id: u64, kind: &WorkloadKind, name: &str, result: Restarted) {
    let Some(row) = row_of(state, id, kind, name) else { return };
    row.state = match result {
        Restarted::Done => RowState::Rolling { progress: starting(), stuck: Vec::new() },
        Restarted::Refused(m) => RowState::Refused(m),
        Restarted::Gone => RowState::Failed("it no longer exists".into()),
        Restarted::Failed(m) => RowState::Failed(m),
    };
    state.dirty = true;
}

fn starting() -> Progress {
    Progress { stage: Stage::Rolling, message: "restarting…".into(), desired: 0, updated: 0, ready: 0, available: 0 }
}

/// A rollout's progress.
pub(super) fn on_rollout(
    state: &mut State,
    id: u64,
    kind: &WorkloadKind,
    name: &str,
    result: Result<(Progress, Vec<String>), String>,
) {
    let Some(row) = row_of(state, id, kind, name) else { return };
    row.state = match result {
        Ok((p, _)) if p.stage == Stage::Done => RowState::Done(p.message),
        Ok((p, stuck)) if p.stage == Stage::Failed => RowState::RolloutFailed { message: p.message, stuck },
        Ok((progress, stuck)) => RowState::Rolling { progress, stuck },
        // Reading the status failed once: keep what was known, say why.
        Err(e) => match std::mem::replace(&mut row.state, RowState::Planned) {
            RowState::Rolling { mut progress, stuck } => {
                progress.message = format!("cannot read its status now: {e}");
                RowState::Rolling { progress, stuck }
            }
            other => other,
        },
    };
    state.dirty = true;
}
