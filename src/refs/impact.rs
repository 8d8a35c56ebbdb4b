//! What deleting or changing a Secret does to each of its consumers, in sentences for the
//! delete dialog and the review screen: every group (a workload with its Pods and pod
//! template, a ServiceAccount, Ingress, Gateway, PersistentVolume or StorageClass), templates
//! with no Pod now included (a CronJob's next run, a Deployment scaled up later).

use jiff::Timestamp;

use super::analysis::missing_secret_effect;
use super::index::{Group, RefIndex};
use super::model::ConsumerState;

/// One consumer and what happens to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Impact {
    /// The group's title ([`Group::title`]).
    pub who: String,
    /// What happens, one sentence per distinct effect.
    pub what: Vec<String>,
    /// A running Pod must be restarted to see a change.
    pub restart: bool,
}

/// When the Pods of a group meet the change: running ones, or those the template makes
/// later. `(subject, verb for one, verb for many, when)`.
fn when(group: &Group<'_>) -> (&'static str, bool, &'static str) {
    if group.pods().next().is_some() {
        return ("new and restarted Pods", true, "");
    }
    match group.template.and_then(|t| t.state.as_deref()) {
        Some(ConsumerState::CronJob { suspended: false, .. }) => ("its next run", false, ""),
        Some(ConsumerState::CronJob { suspended: true, .. }) => ("its next run", false, " once it is resumed"),
        Some(ConsumerState::Replicas { desired: 0 }) => ("its Pods", true, " when it is scaled up"),
        Some(ConsumerState::Job { suspended: true, .. }) => ("its Pods", true, " when it is resumed"),
        Some(ConsumerState::Daemon { desired_scheduled: Some(0) }) => ("its Pods", true, " when a node matches"),
        _ => ("Pods made from its template", true, ""),
    }
}

/// "its next run fails", "its Pods fail when it is scaled up".
fn fail(group: &Group<'_>) -> String {
    let (who, many, later) = when(group);
    format!("{who} {}{later}", if many { "fail" } else { "fails" })
}

/// "its next run reads the new value", "its Pods read the new value when it is scaled up".
fn read_new(group: &Group<'_>) -> String {
    let (who, many, later) = when(group);
    format!("{who} {} the new value{later}", if many { "read" } else { "reads" })
}

impl RefIndex {
    /// What deleting the Secret breaks: every consumer with a reference that is not optional
    /// (optional ones are skipped by the kubelet).
    pub fn breakage(&self, namespace: &str, secret: &str, now: Timestamp) -> Vec<Impact> {
        let mut out = Vec::new();
        for group in self.by_workload(namespace, secret) {
            let mut what: Vec<String> = Vec::new();
            for u in group.usages() {
                let effect = missing_secret_effect(u.reference);
                if !effect.breaks() {
                    continue;
                }
                let line = if group.is_workload() {
                    format!("{}: {}", fail(&group), effect.describe())
                } else {
                    effect.describe()
                };
                if !what.contains(&line) {
                    what.push(line);
                }
            }
            if !what.is_empty() {
                out.push(Impact { who: group.title(now), what, restart: false });
            }
        }
        out
    }

    /// Who reads the changed `keys` (every key for `None`), and whether running Pods need a
    /// restart to see the change. A template with no Pod now reads the new value when it next
    /// makes one.
    pub fn change_impact(
        &self,
        namespace: &str,
        secret: &str,
        keys: &[&str],
        immutable: bool,
        now: Timestamp,
    ) -> Vec<Impact> {
        let readers = self.key_readers(namespace, secret);
        // Readers of the changed keys; CSI drivers and volume plugins read what they read.
        let reading: Vec<*const super::Reference> = keys
            .iter()
            .flat_map(|k| readers.of(k))
            .chain(readers.driver_defined.iter().copied())
            .map(|r| r as *const _)
            .collect();
        let mut out = Vec::new();
        for group in self.by_workload(namespace, secret) {
            let mut what: Vec<String> = Vec::new();
            let mut restart = false;
            for u in group.usages() {
                let r = u.reference;
                // Readers of a changed key: this usage, by any consumer of the group.
                let reads = group
                    .references
                    .iter()
                    .any(|g| g.usage == r.usage && g.optional == r.optional && reading.contains(&(*g as *const _)));
                if !reads {
                    continue;
                }
                let refresh = r.refresh_for(immutable);
                let line = if group.is_workload() && u.pods == 0 {
                    format!("{}: {}", r.usage.describe(), read_new(&group))
                } else {
                    if refresh.without_restart() == Some(false) {
                        restart = true;
                    }
                    format!("{}: {}", r.usage.describe(), refresh.describe())
                };
                if !what.contains(&line) {
                    what.push(line);
                }
            }
            if !what.is_empty() {
                out.push(Impact { who: group.title(now), what, restart });
            }
        }
        out
    }
}
