//! Pods read the way the reference index needs them. A Pod on a real cluster is mostly fields
//! that say nothing about Secrets: `managedFields` (often half of its JSON, decoded by
//! k8s-openapi into JSON trees), annotations, and a status with conditions and container
//! states. [`PodForRefs`] decodes the metadata the index uses, the spec, and the status's phase,
//! and skips the rest without building it, so listing tens of thousands of Pods costs less CPU
//! and memory. It is still a k8s-openapi [`Pod`], so the projection code stays one.

use std::borrow::Cow;
use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Pod, PodSpec, PodStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference, Time};
use serde::{Deserialize, Deserializer};

/// A Pod with only the fields the reference index reads (see the module docs).
#[derive(Clone, Debug, Default)]
pub struct PodForRefs(pub Pod);

#[derive(Deserialize)]
struct Raw {
    #[serde(default)]
    metadata: Option<Meta>,
    #[serde(default)]
    spec: Option<PodSpec>,
    #[serde(default)]
    status: Option<Status>,
}

#[derive(Deserialize)]
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
    creation_timestamp: Option<Time>,
    #[serde(default)]
    deletion_timestamp: Option<Time>,
    #[serde(default)]
    labels: Option<BTreeMap<String, String>>,
    #[serde(default)]
    owner_references: Option<Vec<OwnerReference>>,
}

#[derive(Deserialize)]
struct Status {
    #[serde(default)]
    phase: Option<String>,
}

impl<'de> Deserialize<'de> for PodForRefs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Raw::deserialize(d)?;
        let metadata = raw
            .metadata
            .map(|m| ObjectMeta {
                name: m.name,
                namespace: m.namespace,
                uid: m.uid,
                resource_version: m.resource_version,
                creation_timestamp: m.creation_timestamp,
                deletion_timestamp: m.deletion_timestamp,
                labels: m.labels,
                owner_references: m.owner_references,
                ..ObjectMeta::default()
            })
            .unwrap_or_default();
        let status = raw.status.map(|s| PodStatus { phase: s.phase, ..PodStatus::default() });
        Ok(PodForRefs(Pod { metadata, spec: raw.spec, status }))
    }
}

impl kube::Resource for PodForRefs {
    type DynamicType = ();
    type Scope = k8s_openapi::NamespaceResourceScope;

    fn kind(dt: &()) -> Cow<'_, str> {
        Pod::kind(dt)
    }
    fn group(dt: &()) -> Cow<'_, str> {
        Pod::group(dt)
    }
    fn version(dt: &()) -> Cow<'_, str> {
        Pod::version(dt)
    }
    fn plural(dt: &()) -> Cow<'_, str> {
        Pod::plural(dt)
    }
    fn meta(&self) -> &ObjectMeta {
        &self.0.metadata
    }
    fn meta_mut(&mut self) -> &mut ObjectMeta {
        &mut self.0.metadata
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::refs::{WorkloadResolver, from_pod};
    use serde_json::json;

    fn full_pod() -> serde_json::Value {
        json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {
                "name": "web-5d8f7c9b4-x2x9z", "namespace": "shop", "uid": "u-1", "resourceVersion": "42",
                "creationTimestamp": "2026-01-01T00:00:00Z",
                "labels": {"app": "web", "pod-template-hash": "5d8f7c9b4"},
                "annotations": {"kubectl.kubernetes.io/restartedAt": "2026-01-01T00:00:00Z"},
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-5d8f7c9b4",
                                     "uid": "rs", "controller": true}],
                "managedFields": [{"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1",
                                   "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {"f:labels": {".": {}}}}}]
            },
            "spec": {
                "containers": [{"name": "app", "image": "web:1",
                    "env": [{"name": "PW", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}}],
                    "volumeMounts": [{"name": "tls", "mountPath": "/tls"}]}],
                "volumes": [{"name": "tls", "secret": {"secretName": "web-tls"}}],
                "imagePullSecrets": [{"name": "registry"}]
            },
            "status": {"phase": "Running", "podIP": "10.0.0.1",
                       "conditions": [{"type": "Ready", "status": "True"}],
                       "containerStatuses": [{"name": "app", "ready": true, "restartCount": 0, "image": "web:1",
                                              "imageID": "", "state": {"running": {"startedAt": "2026-01-01T00:00:00Z"}}}]}
        })
    }

    #[test]
    fn the_slim_pod_projects_to_the_same_references_as_the_full_one() {
        let full: Pod = serde_json::from_value(full_pod()).unwrap();
        let slim: PodForRefs = serde_json::from_value(full_pod()).unwrap();
        let resolver = WorkloadResolver::new();
        let a = from_pod(&full, &resolver);
        let b = from_pod(&slim.0, &resolver);
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
        assert_eq!(a.len(), 3, "env key, volume and image pull secret: {a:?}");
        // What it skipped.
        assert!(slim.0.metadata.managed_fields.is_none() && slim.0.metadata.annotations.is_none());
        let status = slim.0.status.unwrap();
        assert_eq!(status.phase.as_deref(), Some("Running"));
        assert!(status.container_statuses.is_none());
    }

    #[test]
    fn missing_and_null_parts_are_empty_not_errors() {
        let p: PodForRefs = serde_json::from_value(json!({"metadata": null, "spec": null})).unwrap();
        assert!(p.0.spec.is_none() && p.0.metadata.name.is_none());
        assert!(serde_json::from_value::<PodForRefs>(json!({"spec": {"containers": "x"}})).is_err());
    }
}
