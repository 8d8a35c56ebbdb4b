//! Which workloads to restart after a Secret changed: those whose running Pods read a changed
//! key only when a container starts (environment variables, `envFrom`, a volume mounted
//! through `subPath`, an in-tree volume plugin's credentials), as `kubectl rollout restart`
//! would restart them. Pods that see the change through a mounted volume are left alone.
//! Bare Pods, Jobs, CronJobs and ReplicaSets without a Deployment cannot be restarted that
//! way: the plan says what happens to them instead.

use super::analysis::Refresh;
use super::index::{Group, RefIndex};
use super::workload::WorkloadKind;

/// What to do with one workload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// A rollout restart: the pod template's `kubectl.kubernetes.io/restartedAt` annotation.
    Restart,
    /// It cannot be restarted through its controller: what happens instead.
    Instead(String),
}

/// A workload whose running Pods keep the old value until they restart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestartTarget {
    pub kind: WorkloadKind,
    pub namespace: String,
    pub name: String,
    pub action: Action,
    /// How its Pods read the changed keys ("env DB_PASSWORD in container app").
    pub reads: Vec<String>,
    /// Its running Pods that read them.
    pub pods: usize,
}

impl RestartTarget {
    /// "Deployment web".
    pub fn title(&self) -> String {
        format!("{} {}", self.kind.as_str(), self.name)
    }
}

/// A refresh that only a new container sees.
fn only_at_start(refresh: &Refresh) -> bool {
    matches!(refresh, Refresh::AfterRestart(_) | Refresh::Partly { .. } | Refresh::NextMount)
}

/// What happens to a workload that cannot be restarted through its controller.
fn instead(kind: &WorkloadKind) -> Option<String> {
    Some(match kind {
        WorkloadKind::Deployment | WorkloadKind::StatefulSet | WorkloadKind::DaemonSet => return None,
        WorkloadKind::Pod => {
            "a Pod without a controller: it reads the new value only when it is deleted and created again".into()
        }
        WorkloadKind::Job => {
            "a Job's running Pods keep the old value until they finish; Pods it starts from now on read the new one"
                .into()
        }
        WorkloadKind::CronJob => "the running Job keeps the old value; the CronJob's next run reads the new one".into(),
        WorkloadKind::ReplicaSet | WorkloadKind::ReplicationController => format!(
            "a {} without a Deployment has no rollout: delete its Pods and it makes new ones that read the new value",
            kind.as_str()
        ),
        WorkloadKind::Other(owner) => {
            format!("managed by a {owner}: restart it with that controller's own tools (e.g. its rollout command)")
        }
    })
}

impl RefIndex {
    /// The workloads in `namespace` whose running Pods read the changed `keys` of `secret`
    /// (every key for `None`) only at start. Workloads with no Pod now are not listed: the
    /// Pods they make later read the new value.
    pub fn restart_plan(&self, namespace: &str, secret: &str, keys: Option<&[&str]>) -> Vec<RestartTarget> {
        let readers = self.key_readers(namespace, secret);
        let changed: Option<Vec<*const super::Reference>> = keys.map(|keys| {
            keys.iter()
                .flat_map(|k| readers.of(k))
                .chain(readers.driver_defined.iter().copied())
                .map(|r| r as *const _)
                .collect()
        });
        let mut out = Vec::new();
        for group in self.by_workload(namespace, secret) {
            let Some(target) = target(&group, namespace, changed.as_deref()) else { continue };
            out.push(target);
        }
        out
    }
}

fn target(group: &Group<'_>, namespace: &str, changed: Option<&[*const super::Reference]>) -> Option<RestartTarget> {
    let workload = group.workload.filter(|_| group.is_workload())?;
    let mut reads: Vec<String> = Vec::new();
    let mut pods = std::collections::BTreeSet::new();
    for &r in &group.references {
        if r.consumer.id.kind != super::ConsumerKind::Pod {
            continue;
        }
        if changed.is_some_and(|c| !c.contains(&(r as *const _))) {
            continue;
        }
        if !only_at_start(&r.refresh()) {
            continue;
        }
        pods.insert(&r.consumer.id);
        let line = r.usage.describe();
        if !reads.contains(&line) {
            reads.push(line);
        }
    }
    if pods.is_empty() {
        return None;
    }
    let action = match instead(&workload.kind) {
        None => Action::Restart,
        Some(why) => Action::Instead(why),
    };
    Some(RestartTarget {
        kind: workload.kind.clone(),
        namespace: namespace.to_string(),
        name: workload.name.to_string(),
        action,
        reads,
        pods: pods.len(),
    })
}
