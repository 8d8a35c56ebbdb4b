//! Which workload owns a Pod: the Pod's controller ownerReference, followed one step further
//! from a ReplicaSet to its Deployment and from a Job to its CronJob.
//!
//! The app watches ReplicaSet and Job metadata and feeds it to a [`WorkloadResolver`]. When an
//! owner is not (yet) known, the names tell: a Deployment's ReplicaSet is `<deployment>-<hash>`
//! where the Pod carries the `pod-template-hash` label, and a CronJob's Job is
//! `<cronjob>-<scheduled time in minutes since the epoch>`. [`Workload::via`] says which was used.

use std::collections::HashMap;
use std::sync::Arc;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

use super::model::Name;

/// The kinds of workload a Pod can belong to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WorkloadKind {
    Deployment,
    StatefulSet,
    DaemonSet,
    CronJob,
    Job,
    ReplicaSet,
    ReplicationController,
    /// Another controller kind (an operator's custom resource, `Node` for static Pods).
    Other(Name),
    /// A Pod without a controller.
    Pod,
}

impl WorkloadKind {
    pub fn from_kind(kind: &str) -> Self {
        match kind {
            "Deployment" => WorkloadKind::Deployment,
            "StatefulSet" => WorkloadKind::StatefulSet,
            "DaemonSet" => WorkloadKind::DaemonSet,
            "CronJob" => WorkloadKind::CronJob,
            "Job" => WorkloadKind::Job,
            "ReplicaSet" => WorkloadKind::ReplicaSet,
            "ReplicationController" => WorkloadKind::ReplicationController,
            "Pod" => WorkloadKind::Pod,
            other => WorkloadKind::Other(other.into()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            WorkloadKind::Deployment => "Deployment",
            WorkloadKind::StatefulSet => "StatefulSet",
            WorkloadKind::DaemonSet => "DaemonSet",
            WorkloadKind::CronJob => "CronJob",
            WorkloadKind::Job => "Job",
            WorkloadKind::ReplicaSet => "ReplicaSet",
            WorkloadKind::ReplicationController => "ReplicationController",
            WorkloadKind::Other(kind) => kind,
            WorkloadKind::Pod => "Pod",
        }
    }
}

/// How a Pod's workload was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Resolution {
    /// The Pod has no controller ownerReference: it is its own workload.
    BarePod,
    /// The Pod's controller ownerReference, taken as it is.
    OwnerReference,
    /// The owner's owner, from ReplicaSet or Job metadata given to the resolver.
    OwnerMetadata,
    /// Guessed: the ReplicaSet's name minus the `-<pod-template-hash>` suffix.
    PodTemplateHash,
    /// Guessed: the Job's name minus a `-<minutes since the epoch>` suffix.
    CronJobSchedule,
    /// The workload's own pod template.
    Template,
}

impl Resolution {
    /// Whether the workload is a guess from names.
    pub fn is_guess(self) -> bool {
        matches!(self, Resolution::PodTemplateHash | Resolution::CronJobSchedule)
    }

    pub fn describe(self) -> &'static str {
        match self {
            Resolution::BarePod => "no controller",
            Resolution::OwnerReference => "from the Pod's ownerReference",
            Resolution::OwnerMetadata => "from the owner's ownerReference",
            Resolution::PodTemplateHash => "guessed from the ReplicaSet name and pod-template-hash",
            Resolution::CronJobSchedule => "guessed from the Job name",
            Resolution::Template => "the workload's pod template",
        }
    }
}

/// The workload a Pod belongs to, in the Pod's namespace.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Workload {
    pub kind: WorkloadKind,
    pub name: Name,
    pub via: Resolution,
}

/// A Pod's controller: the ownerReference with `controller: true`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Owner {
    pub kind: Name,
    pub name: Name,
}

impl Owner {
    /// The controller among `refs`, if any.
    pub fn controller_of(refs: Option<&[OwnerReference]>) -> Option<Owner> {
        refs?
            .iter()
            .find(|r| r.controller == Some(true) && !r.name.is_empty())
            .map(|r| Owner { kind: r.kind.as_str().into(), name: r.name.as_str().into() })
    }
}

/// What the app knows about ReplicaSets and Jobs: each one's own controller (or none).
#[derive(Debug, Default, Clone)]
pub struct WorkloadResolver {
    replica_sets: HashMap<Name, HashMap<Name, Option<Owner>>>,
    jobs: HashMap<Name, HashMap<Name, Option<Owner>>>,
}

/// The label that Deployments put on their ReplicaSets and Pods.
pub const POD_TEMPLATE_HASH: &str = "pod-template-hash";

impl WorkloadResolver {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a ReplicaSet from its metadata (a watch of ReplicaSet metadata is enough).
    pub fn upsert_replica_set(&mut self, meta: &ObjectMeta) {
        upsert(&mut self.replica_sets, meta);
    }

    pub fn remove_replica_set(&mut self, namespace: &str, name: &str) {
        remove(&mut self.replica_sets, namespace, name);
    }

    /// Records a Job from its metadata.
    pub fn upsert_job(&mut self, meta: &ObjectMeta) {
        upsert(&mut self.jobs, meta);
    }

    pub fn remove_job(&mut self, namespace: &str, name: &str) {
        remove(&mut self.jobs, namespace, name);
    }

    /// The number of ReplicaSets and Jobs known.
    pub fn len(&self) -> usize {
        self.replica_sets.values().chain(self.jobs.values()).map(HashMap::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The workload of a Pod from its metadata.
    pub fn resolve(&self, pod: &ObjectMeta) -> Workload {
        let namespace = pod.namespace.as_deref().unwrap_or("default");
        let name = pod.name.as_deref().unwrap_or("");
        let hash = pod.labels.as_ref().and_then(|l| l.get(POD_TEMPLATE_HASH)).map(String::as_str);
        self.resolve_owner(namespace, name, Owner::controller_of(pod.owner_references.as_deref()).as_ref(), hash)
    }

    /// The workload of the Pod `pod_name` whose controller is `owner`.
    pub fn resolve_owner(
        &self,
        namespace: &str,
        pod_name: &str,
        owner: Option<&Owner>,
        pod_template_hash: Option<&str>,
    ) -> Workload {
        self.resolve_with(namespace, pod_name, owner, pod_template_hash, &mut |s| s.into())
    }

    /// [`WorkloadResolver::resolve_owner`], making new names (a bare Pod's, a guessed
    /// workload's) with `name`.
    pub fn resolve_with(
        &self,
        namespace: &str,
        pod_name: &str,
        owner: Option<&Owner>,
        pod_template_hash: Option<&str>,
        name: &mut dyn FnMut(&str) -> Name,
    ) -> Workload {
        let Some(owner) = owner else {
            return Workload { kind: WorkloadKind::Pod, name: name(pod_name), via: Resolution::BarePod };
        };
        let direct = || Workload {
            kind: WorkloadKind::from_kind(&owner.kind),
            name: Arc::clone(&owner.name),
            via: Resolution::OwnerReference,
        };
        let known = |map: &HashMap<Name, HashMap<Name, Option<Owner>>>| {
            map.get(namespace).and_then(|m| m.get(&*owner.name)).map(|parent| match parent {
                Some(p) => Workload {
                    kind: WorkloadKind::from_kind(&p.kind),
                    name: Arc::clone(&p.name),
                    via: Resolution::OwnerMetadata,
                },
                None => Workload { via: Resolution::OwnerMetadata, ..direct() },
            })
        };
        match &*owner.kind {
            "ReplicaSet" => known(&self.replica_sets).unwrap_or_else(|| {
                match pod_template_hash.and_then(|h| strip_suffix(&owner.name, h)) {
                    Some(deployment) => Workload {
                        kind: WorkloadKind::Deployment,
                        name: name(deployment),
                        via: Resolution::PodTemplateHash,
                    },
                    None => direct(),
                }
            }),
            "Job" => known(&self.jobs).unwrap_or_else(|| match cron_job_of(&owner.name) {
                Some(cron) => {
                    Workload { kind: WorkloadKind::CronJob, name: name(cron), via: Resolution::CronJobSchedule }
                }
                None => direct(),
            }),
            _ => direct(),
        }
    }
}

fn upsert(map: &mut HashMap<Name, HashMap<Name, Option<Owner>>>, meta: &ObjectMeta) {
    let (Some(namespace), Some(name)) = (meta.namespace.as_deref(), meta.name.as_deref()) else {
        return;
    };
    let owner = Owner::controller_of(meta.owner_references.as_deref());
    match map.get_mut(namespace) {
        Some(m) => {
            m.insert(name.into(), owner);
        }
        None => {
            map.insert(namespace.into(), HashMap::from([(name.into(), owner)]));
        }
    }
}

fn remove(map: &mut HashMap<Name, HashMap<Name, Option<Owner>>>, namespace: &str, name: &str) {
    if let Some(m) = map.get_mut(namespace) {
        m.remove(name);
        if m.is_empty() {
            map.remove(namespace);
        }
    }
}

/// `name` without `-<suffix>`, when that leaves a non-empty name.
fn strip_suffix<'a>(name: &'a str, suffix: &str) -> Option<&'a str> {
    if suffix.is_empty() {
        return None;
    }
    let base = name.strip_suffix(suffix)?.strip_suffix('-')?;
    (!base.is_empty()).then_some(base)
}

/// The CronJob that would have made a Job of this name: the CronJob controller names Jobs
/// `<cronjob>-<scheduled time in minutes since the epoch>`. Only times between 2015 and 2100
/// are taken, so that a Job named like `migrate-20240101` is not mistaken for one.
fn cron_job_of(job: &str) -> Option<&str> {
    let (base, minutes) = job.rsplit_once('-')?;
    if base.is_empty() || minutes.is_empty() || minutes.len() > 12 || !minutes.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let minutes: u64 = minutes.parse().ok()?;
    // 2015-01-01 and 2100-01-01 in minutes since the epoch.
    (23_667_840..=68_170_560).contains(&minutes).then_some(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(namespace: &str, name: &str, owner: Option<(&str, &str)>) -> ObjectMeta {
        ObjectMeta {
            namespace: Some(namespace.into()),
            name: Some(name.into()),
            owner_references: owner.map(|(kind, name)| {
                vec![OwnerReference {
                    api_version: "apps/v1".into(),
                    kind: kind.into(),
                    name: name.into(),
                    uid: format!("{name}-uid"),
                    controller: Some(true),
                    block_owner_deletion: Some(true),
                }]
            }),
            ..ObjectMeta::default()
        }
    }

    fn pod(owner: Option<(&str, &str)>, hash: Option<&str>) -> ObjectMeta {
        let mut m = meta("default", "p-1", owner);
        m.labels = hash.map(|h| [(POD_TEMPLATE_HASH.to_string(), h.to_string())].into());
        m
    }

    #[test]
    fn bare_pod() {
        let w = WorkloadResolver::new().resolve(&pod(None, None));
        assert_eq!((w.kind, &*w.name, w.via), (WorkloadKind::Pod, "p-1", Resolution::BarePod));
    }

    #[test]
    fn owner_reference_without_controller_is_bare() {
        let mut m = pod(Some(("ReplicaSet", "web-abc")), None);
        if let Some(refs) = m.owner_references.as_mut() {
            refs[0].controller = None;
        }
        assert_eq!(WorkloadResolver::new().resolve(&m).kind, WorkloadKind::Pod);
    }

    #[test]
    fn replica_set_known_to_resolver() {
        let mut r = WorkloadResolver::new();
        r.upsert_replica_set(&meta("default", "web-abc", Some(("Deployment", "web"))));
        let w = r.resolve(&pod(Some(("ReplicaSet", "web-abc")), None));
        assert_eq!((w.kind, &*w.name, w.via), (WorkloadKind::Deployment, "web", Resolution::OwnerMetadata));
        // Another namespace does not see it.
        let mut other = pod(Some(("ReplicaSet", "web-abc")), None);
        other.namespace = Some("shop".into());
        assert_eq!(r.resolve(&other).kind, WorkloadKind::ReplicaSet);
        r.remove_replica_set("default", "web-abc");
        assert!(r.is_empty());
    }

    #[test]
    fn standalone_replica_set_known_to_resolver() {
        let mut r = WorkloadResolver::new();
        r.upsert_replica_set(&meta("default", "web-abc", None));
        let w = r.resolve(&pod(Some(("ReplicaSet", "web-abc")), Some("abc")));
        assert_eq!((w.kind, &*w.name, w.via), (WorkloadKind::ReplicaSet, "web-abc", Resolution::OwnerMetadata));
    }

    #[test]
    fn replica_set_guessed_from_hash() {
        let r = WorkloadResolver::new();
        let w = r.resolve(&pod(Some(("ReplicaSet", "web-7d4b9c8f6")), Some("7d4b9c8f6")));
        assert_eq!((w.kind, &*w.name, w.via), (WorkloadKind::Deployment, "web", Resolution::PodTemplateHash));
        assert!(w.via.is_guess());
        // The hash does not match the name: the ReplicaSet is all we know.
        let w = r.resolve(&pod(Some(("ReplicaSet", "web-7d4b9c8f6")), Some("zzz")));
        assert_eq!((w.kind, &*w.name, w.via), (WorkloadKind::ReplicaSet, "web-7d4b9c8f6", Resolution::OwnerReference));
        // No label.
        assert_eq!(r.resolve(&pod(Some(("ReplicaSet", "web-7d4b9c8f6")), None)).kind, WorkloadKind::ReplicaSet);
        // The hash is the whole name.
        assert_eq!(r.resolve(&pod(Some(("ReplicaSet", "-abc")), Some("abc"))).kind, WorkloadKind::ReplicaSet);
    }

    #[test]
    fn jobs_and_cron_jobs() {
        let mut r = WorkloadResolver::new();
        let w = r.resolve(&pod(Some(("Job", "backup-29400000")), None));
        assert_eq!((w.kind, &*w.name, w.via), (WorkloadKind::CronJob, "backup", Resolution::CronJobSchedule));
        // A date-like suffix is not a schedule time.
        let w = r.resolve(&pod(Some(("Job", "migrate-20240101")), None));
        assert_eq!((w.kind, &*w.name), (WorkloadKind::Job, "migrate-20240101"));
        // Known: a Job made by hand whose name looks like a CronJob's.
        r.upsert_job(&meta("default", "backup-29400000", None));
        let w = r.resolve(&pod(Some(("Job", "backup-29400000")), None));
        assert_eq!((w.kind, w.via), (WorkloadKind::Job, Resolution::OwnerMetadata));
        r.upsert_job(&meta("default", "nightly-x", Some(("CronJob", "nightly"))));
        let w = r.resolve(&pod(Some(("Job", "nightly-x")), None));
        assert_eq!((w.kind, &*w.name), (WorkloadKind::CronJob, "nightly"));
        r.remove_job("default", "nightly-x");
        r.remove_job("default", "nope");
        assert_eq!(r.len(), 1);
    }

    #[test]
    fn other_controllers() {
        let r = WorkloadResolver::new();
        for (kind, expected) in [
            ("StatefulSet", WorkloadKind::StatefulSet),
            ("DaemonSet", WorkloadKind::DaemonSet),
            ("ReplicationController", WorkloadKind::ReplicationController),
            ("Node", WorkloadKind::Other("Node".into())),
        ] {
            let w = r.resolve(&pod(Some((kind, "x")), None));
            assert_eq!((w.kind, w.via), (expected, Resolution::OwnerReference), "{kind}");
        }
    }

    #[test]
    fn cron_job_names() {
        assert_eq!(cron_job_of("a-29400000"), Some("a"));
        assert_eq!(cron_job_of("a-b-29400000"), Some("a-b"));
        assert_eq!(cron_job_of("-29400000"), None);
        assert_eq!(cron_job_of("a-"), None);
        assert_eq!(cron_job_of("a-1"), None);
        assert_eq!(cron_job_of("a-2940000x"), None);
        assert_eq!(cron_job_of("a-99999999999999999999999"), None);
    }
}
