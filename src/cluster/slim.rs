//! Workloads, PersistentVolumes and StorageClasses read the way the reference index needs
//! them, as [`super::pod::PodForRefs`] reads Pods: the metadata the watch and the index use,
//! the pod template's spec, the few status fields that say whether Pods exist, and nothing
//! else (no `managedFields`, annotations, template metadata or conditions beyond the ones
//! read). A Deployment's ReplicaSets and a CronJob's Jobs are not consumers of their own: for
//! them the spec is skipped without being built (the metadata comes first in the API's
//! JSON). Each is still the k8s-openapi type, so the projection is the one the tests use.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use k8s_openapi::api::apps::v1::{
    DaemonSet, DaemonSetSpec, DaemonSetStatus, Deployment, DeploymentSpec, ReplicaSet, ReplicaSetSpec, StatefulSet,
    StatefulSetSpec,
};
use k8s_openapi::api::batch::v1::{
    CronJob, CronJobSpec, CronJobStatus, Job, JobCondition, JobSpec, JobStatus, JobTemplateSpec,
};
use k8s_openapi::api::core::v1::{ObjectReference, PersistentVolume, PersistentVolumeSpec, PodSpec, PodTemplateSpec};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference, Time};
use serde::de::{IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::refs::PROVISIONER_DELETION_SECRET;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Meta {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    namespace: Option<String>,
    #[serde(default)]
    uid: Option<String>,
    #[serde(default)]
    resource_version: Option<String>,
    #[serde(default)]
    owner_references: Option<Vec<OwnerReference>>,
    /// Only the provisioner's deletion Secret (PersistentVolumes); other annotations are skipped.
    #[serde(default)]
    annotations: Option<Annotations>,
}

#[derive(Deserialize, Default)]
struct Annotations {
    #[serde(default, rename = "volume.kubernetes.io/provisioner-deletion-secret-name")]
    deletion_secret_name: Option<String>,
    #[serde(default, rename = "volume.kubernetes.io/provisioner-deletion-secret-namespace")]
    deletion_secret_namespace: Option<String>,
}

impl Meta {
    fn controller_kind(&self) -> Option<&str> {
        self.owner_references.iter().flatten().find(|r| r.controller == Some(true)).map(|r| r.kind.as_str())
    }

    fn into_object_meta(self) -> ObjectMeta {
        let annotations = self.annotations.map(|a| {
            let [name_key, ns_key] = PROVISIONER_DELETION_SECRET;
            let mut m = BTreeMap::new();
            if let Some(n) = a.deletion_secret_name {
                m.insert(name_key.to_string(), n);
            }
            if let Some(n) = a.deletion_secret_namespace {
                m.insert(ns_key.to_string(), n);
            }
            m
        });
        ObjectMeta {
            name: self.name,
            namespace: self.namespace,
            uid: self.uid,
            resource_version: self.resource_version,
            owner_references: self.owner_references,
            annotations: annotations.filter(|a| !a.is_empty()),
            ..ObjectMeta::default()
        }
    }
}

#[derive(Deserialize, Default)]
struct Template {
    #[serde(default)]
    spec: Option<PodSpec>,
}

impl Template {
    fn typed(self) -> PodTemplateSpec {
        PodTemplateSpec { metadata: None, spec: self.spec }
    }
}

#[derive(Deserialize, Default)]
struct JobTemplate {
    #[serde(default)]
    spec: Option<JobTemplateJobSpec>,
}

#[derive(Deserialize, Default)]
struct JobTemplateJobSpec {
    #[serde(default)]
    template: Option<Template>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Spec {
    #[serde(default)]
    replicas: Option<i32>,
    #[serde(default)]
    suspend: Option<bool>,
    #[serde(default)]
    schedule: Option<String>,
    #[serde(default)]
    time_zone: Option<String>,
    #[serde(default)]
    template: Option<Template>,
    #[serde(default)]
    job_template: Option<JobTemplate>,
}

/// `status.active`: a count for Jobs, a list of Jobs for CronJobs.
#[derive(Deserialize)]
#[serde(untagged)]
enum Active {
    Count(i32),
    List(Vec<IgnoredAny>),
}

#[derive(Deserialize)]
struct Condition {
    #[serde(default, rename = "type")]
    type_: String,
    #[serde(default)]
    status: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Status {
    #[serde(default)]
    desired_number_scheduled: Option<i32>,
    #[serde(default)]
    active: Option<Active>,
    #[serde(default)]
    conditions: Option<Vec<Condition>>,
    #[serde(default)]
    last_schedule_time: Option<Time>,
}

/// A kind read through [`Slim`].
pub(crate) trait SlimKind:
    kube::Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope> + Sized
{
    /// A controller of this kind makes the object not a consumer: its spec is skipped.
    const SKIP_WHEN_OWNED_BY: Option<&'static str> = None;
    fn build(meta: ObjectMeta, spec: Option<Spec>, status: Option<Status>) -> Self;
}

impl SlimKind for Deployment {
    fn build(metadata: ObjectMeta, spec: Option<Spec>, _: Option<Status>) -> Self {
        let spec = spec.map(|s| DeploymentSpec {
            replicas: s.replicas,
            template: s.template.unwrap_or_default().typed(),
            ..DeploymentSpec::default()
        });
        Deployment { metadata, spec, status: None }
    }
}

impl SlimKind for StatefulSet {
    fn build(metadata: ObjectMeta, spec: Option<Spec>, _: Option<Status>) -> Self {
        let spec = spec.map(|s| StatefulSetSpec {
            replicas: s.replicas,
            template: s.template.unwrap_or_default().typed(),
            ..StatefulSetSpec::default()
        });
        StatefulSet { metadata, spec, status: None }
    }
}

impl SlimKind for ReplicaSet {
    const SKIP_WHEN_OWNED_BY: Option<&'static str> = Some("Deployment");
    fn build(metadata: ObjectMeta, spec: Option<Spec>, _: Option<Status>) -> Self {
        let spec = spec.map(|s| ReplicaSetSpec {
            replicas: s.replicas,
            template: s.template.map(Template::typed),
            ..ReplicaSetSpec::default()
        });
        ReplicaSet { metadata, spec, status: None }
    }
}

impl SlimKind for DaemonSet {
    fn build(metadata: ObjectMeta, spec: Option<Spec>, status: Option<Status>) -> Self {
        let spec = spec
            .map(|s| DaemonSetSpec { template: s.template.unwrap_or_default().typed(), ..DaemonSetSpec::default() });
        let status = status
            .and_then(|s| s.desired_number_scheduled)
            .map(|n| DaemonSetStatus { desired_number_scheduled: n, ..DaemonSetStatus::default() });
        DaemonSet { metadata, spec, status }
    }
}

impl SlimKind for Job {
    const SKIP_WHEN_OWNED_BY: Option<&'static str> = Some("CronJob");
    fn build(metadata: ObjectMeta, spec: Option<Spec>, status: Option<Status>) -> Self {
        let spec = spec.map(|s| JobSpec {
            suspend: s.suspend,
            template: s.template.unwrap_or_default().typed(),
            ..JobSpec::default()
        });
        let status = status.map(|s| JobStatus {
            active: match s.active {
                Some(Active::Count(n)) => Some(n),
                _ => None,
            },
            conditions: s.conditions.map(|c| {
                c.into_iter()
                    .map(|c| JobCondition { type_: c.type_, status: c.status, ..JobCondition::default() })
                    .collect()
            }),
            ..JobStatus::default()
        });
        Job { metadata, spec, status }
    }
}

impl SlimKind for CronJob {
    fn build(metadata: ObjectMeta, spec: Option<Spec>, status: Option<Status>) -> Self {
        let spec = spec.unwrap_or_default();
        let template = spec.job_template.and_then(|j| j.spec).and_then(|j| j.template).unwrap_or_default();
        let spec = CronJobSpec {
            schedule: spec.schedule.unwrap_or_default(),
            time_zone: spec.time_zone,
            suspend: spec.suspend,
            job_template: JobTemplateSpec {
                metadata: None,
                spec: Some(JobSpec { template: template.typed(), ..JobSpec::default() }),
            },
            ..CronJobSpec::default()
        };
        let status = status.map(|s| CronJobStatus {
            active: match s.active {
                Some(Active::List(l)) => Some(vec![ObjectReference::default(); l.len()]),
                _ => None,
            },
            last_schedule_time: s.last_schedule_time,
            ..CronJobStatus::default()
        });
        CronJob { metadata, spec, status }
    }
}

/// A workload with only the fields the reference index reads (see the module docs).
#[derive(Clone, Debug)]
pub struct Slim<K>(pub K);

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum Field {
    Metadata,
    Spec,
    Status,
    #[serde(other)]
    Other,
}

/// An owned object's spec: its replica count, the rest skipped.
#[derive(Deserialize)]
struct ReplicasOnly {
    #[serde(default)]
    replicas: Option<i32>,
}

impl Slim<ReplicaSet> {
    /// Whether the resolver needs this ReplicaSet's owner to group Pods: it may have Pods
    /// (replicas unset or above zero), or its controller is not a Deployment. A Deployment's
    /// ReplicaSet at zero (the history a Deployment keeps, two per Deployment on most clusters)
    /// has no Pods but terminating ones, which the pod-template-hash rule names for the same
    /// Deployment.
    pub(crate) fn groups_pods(&self) -> bool {
        let replicas = self.0.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
        let by_deployment = self
            .0
            .metadata
            .owner_references
            .iter()
            .flatten()
            .any(|o| o.controller == Some(true) && o.kind == "Deployment");
        replicas > 0 || !by_deployment
    }
}

struct SlimVisitor<K>(PhantomData<K>);

impl<'de, K: SlimKind> Visitor<'de> for SlimVisitor<K> {
    type Value = Slim<K>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Kubernetes object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut meta, mut spec, mut status): (Option<Meta>, Option<Spec>, Option<Status>) = (None, None, None);
        while let Some(field) = map.next_key::<Field>()? {
            match field {
                Field::Metadata => meta = map.next_value::<Option<Meta>>()?,
                Field::Spec => {
                    let owned = K::SKIP_WHEN_OWNED_BY
                        .is_some_and(|owner| meta.as_ref().and_then(Meta::controller_kind) == Some(owner));
                    if owned {
                        // Only the replica count: whether it can have Pods now.
                        let r = map.next_value::<Option<ReplicasOnly>>()?;
                        spec = r.map(|r| Spec { replicas: r.replicas, ..Spec::default() });
                    } else {
                        spec = map.next_value::<Option<Spec>>()?;
                    }
                }
                Field::Status => status = map.next_value::<Option<Status>>()?,
                Field::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let meta = meta.unwrap_or_default();
        // Owned, with the spec read before the metadata: keep only the replica count.
        if K::SKIP_WHEN_OWNED_BY.is_some_and(|owner| meta.controller_kind() == Some(owner)) {
            spec = spec.map(|s| Spec { replicas: s.replicas, ..Spec::default() });
        }
        Ok(Slim(K::build(meta.into_object_meta(), spec, status)))
    }
}

impl<'de, K: SlimKind> Deserialize<'de> for Slim<K> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(SlimVisitor(PhantomData))
    }
}

impl<K: SlimKind> kube::Resource for Slim<K> {
    type DynamicType = ();
    type Scope = k8s_openapi::NamespaceResourceScope;

    fn kind(dt: &()) -> Cow<'_, str> {
        K::kind(dt)
    }
    fn group(dt: &()) -> Cow<'_, str> {
        K::group(dt)
    }
    fn version(dt: &()) -> Cow<'_, str> {
        K::version(dt)
    }
    fn plural(dt: &()) -> Cow<'_, str> {
        K::plural(dt)
    }
    fn meta(&self) -> &ObjectMeta {
        self.0.meta()
    }
    fn meta_mut(&mut self) -> &mut ObjectMeta {
        self.0.meta_mut()
    }
}

#[derive(Deserialize)]
struct RawVolume {
    #[serde(default)]
    metadata: Option<Meta>,
    #[serde(default)]
    spec: Option<PersistentVolumeSpec>,
}

/// A PersistentVolume with its metadata (the deletion-Secret annotations only) and spec.
#[derive(Clone, Debug, Default)]
pub struct VolumeForRefs(pub PersistentVolume);

impl<'de> Deserialize<'de> for VolumeForRefs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = RawVolume::deserialize(d)?;
        let metadata = raw.metadata.unwrap_or_default().into_object_meta();
        Ok(VolumeForRefs(PersistentVolume { metadata, spec: raw.spec, status: None }))
    }
}

#[derive(Deserialize)]
struct RawClass {
    #[serde(default)]
    metadata: Option<Meta>,
    #[serde(default)]
    provisioner: String,
    #[serde(default)]
    parameters: Option<BTreeMap<String, String>>,
}

/// A StorageClass with its name, provisioner and parameters.
#[derive(Clone, Debug, Default)]
pub struct ClassForRefs(pub StorageClass);

impl<'de> Deserialize<'de> for ClassForRefs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = RawClass::deserialize(d)?;
        let metadata = raw.metadata.unwrap_or_default().into_object_meta();
        Ok(ClassForRefs(StorageClass {
            metadata,
            provisioner: raw.provisioner,
            parameters: raw.parameters,
            ..StorageClass::default()
        }))
    }
}

macro_rules! cluster_resource {
    ($t:ty, $k:ty) => {
        impl kube::Resource for $t {
            type DynamicType = ();
            type Scope = k8s_openapi::ClusterResourceScope;

            fn kind(dt: &()) -> Cow<'_, str> {
                <$k>::kind(dt)
            }
            fn group(dt: &()) -> Cow<'_, str> {
                <$k>::group(dt)
            }
            fn version(dt: &()) -> Cow<'_, str> {
                <$k>::version(dt)
            }
            fn plural(dt: &()) -> Cow<'_, str> {
                <$k>::plural(dt)
            }
            fn meta(&self) -> &ObjectMeta {
                &self.0.metadata
            }
            fn meta_mut(&mut self) -> &mut ObjectMeta {
                &mut self.0.metadata
            }
        }
    };
}

cluster_resource!(VolumeForRefs, PersistentVolume);
cluster_resource!(ClassForRefs, StorageClass);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::refs::{ConsumerState, HasTemplate, Interner, from_persistent_volume, from_workload};
    use serde_json::{Value, json};

    fn template() -> Value {
        json!({"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "app", "image": "x",
            "env": [{"name": "PW", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}}]}]}})
    }

    fn live(kind: &str, spec: Value, status: Value, owner: Option<&str>) -> Value {
        let api_version = if matches!(kind, "Job" | "CronJob") { "batch/v1" } else { "apps/v1" };
        let mut v = json!({
            "apiVersion": api_version, "kind": kind,
            "metadata": {"name": "w", "namespace": "shop", "uid": "u", "resourceVersion": "7",
                "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{\"big\": true}"},
                "managedFields": [{"manager": "kubectl", "operation": "Update", "fieldsType": "FieldsV1",
                                   "fieldsV1": {"f:spec": {}}}]},
            "spec": spec,
            "status": status
        });
        if let Some(owner) = owner {
            v["metadata"]["ownerReferences"] =
                json!([{"apiVersion": "x/v1", "kind": owner, "name": "o", "uid": "o", "controller": true}]);
        }
        v
    }

    fn same<K>(v: Value)
    where
        K: SlimKind + HasTemplate + serde::de::DeserializeOwned,
    {
        let full: K = serde_json::from_value(v.clone()).unwrap();
        let slim: Slim<K> = serde_json::from_value(v).unwrap();
        let a = from_workload(&full, &mut Interner::new());
        let b = from_workload(&slim.0, &mut Interner::new());
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
        assert_eq!(a.len(), 1);
        assert_eq!(slim.0.meta().resource_version.as_deref(), Some("7"), "the watch resumes from it");
        assert!(slim.0.meta().managed_fields.is_none() && slim.0.meta().annotations.is_none());
    }

    #[test]
    fn slim_workloads_project_as_the_full_ones() {
        same::<Deployment>(live(
            "Deployment",
            json!({"replicas": 0, "selector": {}, "template": template()}),
            json!({"replicas": 0}),
            None,
        ));
        same::<StatefulSet>(live(
            "StatefulSet",
            json!({"selector": {}, "serviceName": "s", "template": template()}),
            json!({"replicas": 1}),
            None,
        ));
        same::<ReplicaSet>(live(
            "ReplicaSet",
            json!({"selector": {}, "template": template()}),
            json!({"replicas": 1}),
            None,
        ));
        same::<DaemonSet>(live(
            "DaemonSet",
            json!({"selector": {}, "template": template()}),
            json!({"desiredNumberScheduled": 0, "currentNumberScheduled": 0, "numberMisscheduled": 0, "numberReady": 0}),
            None,
        ));
        same::<Job>(live(
            "Job",
            json!({"template": template()}),
            json!({"active": 2, "conditions": [{"type": "Complete", "status": "False"}]}),
            None,
        ));
        same::<CronJob>(live(
            "CronJob",
            json!({"schedule": "0 2 * * *", "timeZone": "Europe/Berlin", "jobTemplate": {"spec": {"template": template()}}}),
            json!({"active": [{"kind": "Job", "name": "j"}], "lastScheduleTime": "2026-06-01T02:00:00Z"}),
            None,
        ));
    }

    #[test]
    fn owned_replica_sets_and_jobs_skip_their_spec() {
        let owned = |replicas: Option<i32>| -> Slim<ReplicaSet> {
            let mut spec = json!({"selector": {}, "template": template()});
            if let Some(r) = replicas {
                spec["replicas"] = json!(r);
            }
            serde_json::from_value(live("ReplicaSet", spec, json!({}), Some("Deployment"))).unwrap()
        };
        let rs = owned(Some(0));
        // Only the replica count is read: no template.
        let spec = rs.0.spec.as_ref().unwrap();
        assert_eq!((spec.replicas, spec.template.is_none()), (Some(0), true));
        assert!(rs.0.metadata.owner_references.is_some(), "kept: the resolver needs the owner");
        // A Deployment's history at zero leaves the resolver; its current one stays.
        assert!(!rs.groups_pods());
        assert!(owned(Some(2)).groups_pods() && owned(None).groups_pods());
        let job: Slim<Job> =
            serde_json::from_value(live("Job", json!({"template": template()}), json!({}), Some("CronJob"))).unwrap();
        assert!(job.0.spec.as_ref().is_none_or(|s| s.template.spec.is_none()));
        // Owned by another controller: the template is read.
        let rs: Slim<ReplicaSet> = serde_json::from_value(live(
            "ReplicaSet",
            json!({"selector": {}, "template": template()}),
            json!({}),
            Some("Rollout"),
        ))
        .unwrap();
        assert!(rs.0.spec.as_ref().is_some_and(|s| s.template.is_some()));
        assert!(rs.groups_pods(), "not a Deployment's: the resolver keeps it");
        // The spec before the metadata: still dropped.
        let v = json!({"spec": {"template": template()}, "metadata": {"name": "j", "namespace": "s",
            "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob", "name": "c", "uid": "c", "controller": true}]}});
        let job = serde_json::from_value::<Slim<Job>>(v).unwrap();
        assert!(job.0.spec.as_ref().is_none_or(|s| s.template.spec.is_none()));
    }

    #[test]
    fn status_fields_that_say_whether_pods_exist() {
        let cj: Slim<CronJob> = serde_json::from_value(live(
            "CronJob",
            json!({"schedule": "@daily", "suspend": true, "jobTemplate": {"spec": {"template": template()}}}),
            json!({"active": [{"kind": "Job", "name": "a"}, {"kind": "Job", "name": "b"}]}),
            None,
        ))
        .unwrap();
        match cj.0.template().state {
            ConsumerState::CronJob { active, suspended, .. } => assert_eq!((active, suspended), (2, true)),
            other => panic!("{other:?}"),
        }
        let ds: Slim<DaemonSet> = serde_json::from_value(live(
            "DaemonSet",
            json!({"selector": {}, "template": template()}),
            json!({"desiredNumberScheduled": 0}),
            None,
        ))
        .unwrap();
        assert_eq!(ds.0.template().state, ConsumerState::Daemon { desired_scheduled: Some(0) });
        let job: Slim<Job> = serde_json::from_value(live(
            "Job",
            json!({"template": template()}),
            json!({"conditions": [{"type": "Complete", "status": "True"}]}),
            None,
        ))
        .unwrap();
        assert!(matches!(job.0.template().state, ConsumerState::Job { finished: Some(_), .. }));
    }

    #[test]
    fn volumes_keep_the_deletion_secret_annotations_only() {
        let v: VolumeForRefs = serde_json::from_value(json!({
            "metadata": {"name": "pv", "annotations": {
                "pv.kubernetes.io/provisioned-by": "csi.example.com",
                "volume.kubernetes.io/provisioner-deletion-secret-name": "p",
                "volume.kubernetes.io/provisioner-deletion-secret-namespace": "storage"}},
            "spec": {"csi": {"driver": "csi.example.com", "volumeHandle": "h",
                "nodeStageSecretRef": {"name": "s", "namespace": "storage"}}},
            "status": {"phase": "Bound"}
        }))
        .unwrap();
        assert_eq!(v.0.metadata.annotations.as_ref().map(BTreeMap::len), Some(2));
        assert_eq!(from_persistent_volume(&v.0, &mut Interner::new()).len(), 2);
        let c: ClassForRefs = serde_json::from_value(json!({"metadata": {"name": "fast"}, "provisioner": "p",
            "parameters": {"a": "b"}, "reclaimPolicy": "Delete"}))
        .unwrap();
        assert_eq!((c.0.provisioner.as_str(), c.0.parameters.map(|p| p.len())), ("p", Some(1)));
    }
}
