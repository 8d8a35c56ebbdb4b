//! Restarting workloads the way `kubectl rollout restart` does (a patch of the pod template's
//! `kubectl.kubernetes.io/restartedAt` annotation, here with keyhole's field manager), after
//! asking the server whether the user may (SelfSubjectAccessReview on `patch`); and reading a
//! rollout's progress the way `kubectl rollout status` reads it, with the reason of Pods that
//! do not come up.

use jiff::Timestamp;
use k8s_openapi::api::authorization::v1::{ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec};
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, ListParams, Patch, PatchParams, PostParams};
use serde_json::{Value, json};

use crate::refs::WorkloadKind;

/// The annotation `kubectl rollout restart` sets on the pod template.
pub(crate) const RESTARTED_AT: &str = "kubectl.kubernetes.io/restartedAt";
/// keyhole's field manager for the patch.
pub(crate) const FIELD_MANAGER: &str = "keyhole";

/// The kinds a rollout restart applies to (apps/v1).
pub(crate) fn restartable(kind: &WorkloadKind) -> bool {
    matches!(kind, WorkloadKind::Deployment | WorkloadKind::StatefulSet | WorkloadKind::DaemonSet)
}

fn resource(kind: &WorkloadKind) -> ApiResource {
    ApiResource::from_gvk(&GroupVersionKind::gvk("apps", "v1", kind.as_str()))
}

/// SelfSubjectAccessReview: may the user `verb` this object? An empty `name` asks about the
/// collection (a list or watch of every object), as `kubectl auth can-i list secrets` does.
pub(crate) async fn may(
    client: &kube::Client,
    verb: &str,
    group: &str,
    resource: &str,
    namespace: &str,
    name: &str,
) -> Result<bool, kube::Error> {
    may_sub(client, verb, group, resource, "", namespace, name).await
}

/// [`may`] for a subresource (`pods` `exec`); `subresource` empty: none.
pub(crate) async fn may_sub(
    client: &kube::Client,
    verb: &str,
    group: &str,
    resource: &str,
    subresource: &str,
    namespace: &str,
    name: &str,
) -> Result<bool, kube::Error> {
    let api: Api<SelfSubjectAccessReview> = Api::all(client.clone());
    let review = SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(ResourceAttributes {
                verb: Some(verb.to_string()),
                group: Some(group.to_string()),
                resource: Some(resource.to_string()),
                namespace: Some(namespace.to_string()),
                name: (!name.is_empty()).then(|| name.to_string()),
                subresource: (!subresource.is_empty()).then(|| subresource.to_string()),
                ..Default::default()
            }),
            ..Default::default()
        },
        ..Default::default()
    };
    let out = api.create(&PostParams::default(), &review).await?;
    Ok(out.status.is_some_and(|s| s.allowed))
}

/// May the user restart this workload?
pub(crate) async fn may_restart(
    client: &kube::Client,
    kind: &WorkloadKind,
    namespace: &str,
    name: &str,
) -> Result<bool, kube::Error> {
    may(client, "patch", "apps", &resource(kind).plural, namespace, name).await
}

/// How a restart went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Restarted {
    /// Patched (or, with a dry run, the server accepted the patch).
    Done,
    /// The server refused (403), with its message.
    Refused(String),
    /// It is gone (404).
    Gone,
    /// Another error, in words.
    Failed(String),
}

/// The patch `kubectl rollout restart` sends, at `at`.
pub(crate) fn restart_patch(at: Timestamp) -> Value {
    let when = at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    json!({"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: when}}}}})
}

/// Restarts one workload: its controller replaces its Pods with new ones.
pub(crate) async fn restart(
    client: &kube::Client,
    kind: &WorkloadKind,
    namespace: &str,
    name: &str,
    at: Timestamp,
    dry_run: bool,
) -> Restarted {
    if !restartable(kind) {
        return Restarted::Failed(format!("a {} has no rollout restart", kind.as_str()));
    }
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), namespace, &resource(kind));
    let mut params = PatchParams { field_manager: Some(FIELD_MANAGER.to_string()), ..Default::default() };
    params.dry_run = dry_run;
    match api.patch(name, &params, &Patch::Strategic(restart_patch(at))).await {
        Ok(_) => Restarted::Done,
        Err(kube::Error::Api(s)) if s.code == 403 => Restarted::Refused(s.message),
        Err(kube::Error::Api(s)) if s.code == 404 => Restarted::Gone,
        Err(e) => Restarted::Failed(e.to_string()),
    }
}

/// Where a rollout is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    Rolling,
    Done,
    Failed,
}

/// A rollout's progress: `kubectl rollout status`'s reading of the workload's status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub stage: Stage,
    /// What `kubectl rollout status` would print.
    pub message: String,
    pub desired: i64,
    pub updated: i64,
    pub ready: i64,
    pub available: i64,
}

fn int(v: &Value, pointer: &str) -> Option<i64> {
    v.pointer(pointer).and_then(Value::as_i64)
}

/// The progress of a workload's rollout from the object (`kubectl`'s
/// `polymorphichelpers/rollout_status.go`, one viewer per kind).
pub(crate) fn progress_of(kind: &WorkloadKind, obj: &Value) -> Progress {
    let name = obj.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("");
    let generation = int(obj, "/metadata/generation").unwrap_or(0);
    let observed = int(obj, "/status/observedGeneration").unwrap_or(0);
    let mut p =
        Progress { stage: Stage::Rolling, message: String::new(), desired: 0, updated: 0, ready: 0, available: 0 };
    match kind {
        WorkloadKind::Deployment => {
            p.desired = int(obj, "/spec/replicas").unwrap_or(1);
            p.updated = int(obj, "/status/updatedReplicas").unwrap_or(0);
            p.ready = int(obj, "/status/readyReplicas").unwrap_or(0);
            p.available = int(obj, "/status/availableReplicas").unwrap_or(0);
            let total = int(obj, "/status/replicas").unwrap_or(0);
            if generation > observed {
                p.message = "Waiting for deployment spec update to be observed...".into();
                return p;
            }
            let deadline = obj.pointer("/status/conditions").and_then(Value::as_array).is_some_and(|c| {
                c.iter().any(|c| c["type"] == "Progressing" && c["reason"] == "ProgressDeadlineExceeded")
            });
            p.message = if deadline {
                p.stage = Stage::Failed;
                format!("deployment \"{name}\" exceeded its progress deadline")
            } else if p.updated < p.desired {
                format!(
                    "Waiting for deployment \"{name}\" rollout to finish: {} out of {} new replicas have been updated...",
                    p.updated, p.desired
                )
            } else if total > p.updated {
                format!(
                    "Waiting for deployment \"{name}\" rollout to finish: {} old replicas are pending termination...",
                    total - p.updated
                )
            } else if p.available < p.updated {
                format!(
                    "Waiting for deployment \"{name}\" rollout to finish: {} of {} updated replicas are available...",
                    p.available, p.updated
                )
            } else {
                p.stage = Stage::Done;
                format!("deployment \"{name}\" successfully rolled out")
            };
        }
        WorkloadKind::StatefulSet => {
            p.desired = int(obj, "/spec/replicas").unwrap_or(1);
            p.updated = int(obj, "/status/updatedReplicas").unwrap_or(0);
            p.ready = int(obj, "/status/readyReplicas").unwrap_or(0);
            p.available = int(obj, "/status/availableReplicas").unwrap_or(p.ready);
            let current = obj.pointer("/status/currentRevision").and_then(Value::as_str).unwrap_or("");
            let update = obj.pointer("/status/updateRevision").and_then(Value::as_str).unwrap_or("");
            p.message = if observed == 0 || generation > observed {
                "Waiting for statefulset spec update to be observed...".into()
            } else if p.ready < p.desired {
                format!("Waiting for {} pods to be ready...", p.desired - p.ready)
            } else if update != current {
                format!("waiting for statefulset rolling update to complete {} pods at revision {update}...", p.updated)
            } else {
                p.stage = Stage::Done;
                format!("statefulset rolling update complete {} pods at revision {current}...", p.ready)
            };
        }
        WorkloadKind::DaemonSet => {
            p.desired = int(obj, "/status/desiredNumberScheduled").unwrap_or(0);
            p.updated = int(obj, "/status/updatedNumberScheduled").unwrap_or(0);
            p.ready = int(obj, "/status/numberReady").unwrap_or(0);
            p.available = int(obj, "/status/numberAvailable").unwrap_or(0);
            p.message = if generation > observed {
                "Waiting for daemon set spec update to be observed...".into()
            } else if p.updated < p.desired {
                format!(
                    "Waiting for daemon set \"{name}\" rollout to finish: {} out of {} new pods have been updated...",
                    p.updated, p.desired
                )
            } else if p.available < p.desired {
                format!(
                    "Waiting for daemon set \"{name}\" rollout to finish: {} of {} updated pods are available...",
                    p.available, p.desired
                )
            } else {
                p.stage = Stage::Done;
                format!("daemon set \"{name}\" successfully rolled out")
            };
        }
        other => {
            p.stage = Stage::Failed;
            p.message = format!("a {} has no rollout", other.as_str());
        }
    }
    p
}

/// Container states that mean a Pod will not come up by itself.
const STUCK: &[&str] =
    &["CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError", "InvalidImageName"];

/// Why the workload's Pods do not come up, one line per distinct reason ("Pod web-1: container
/// app: ImagePullBackOff: Back-off pulling image ..."), from its Pods' container states.
pub(crate) fn stuck_pods(pods: &[Value]) -> Vec<String> {
    let mut out = Vec::new();
    for pod in pods {
        let name = pod.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("");
        let statuses = ["/status/initContainerStatuses", "/status/containerStatuses"]
            .iter()
            .filter_map(|p| pod.pointer(p).and_then(Value::as_array))
            .flatten();
        for c in statuses {
            let Some(waiting) = c.pointer("/state/waiting") else { continue };
            let reason = waiting.get("reason").and_then(Value::as_str).unwrap_or("");
            if !STUCK.contains(&reason) {
                continue;
            }
            let container = c.get("name").and_then(Value::as_str).unwrap_or("");
            let message = waiting.get("message").and_then(Value::as_str).unwrap_or("");
            let line = if message.is_empty() {
                format!("Pod {name}: container {container}: {reason}")
            } else {
                format!("Pod {name}: container {container}: {reason}: {message}")
            };
            out.push(line);
        }
    }
    out
}

/// Reads a workload's progress now, with the reasons of stuck Pods (which make a Deployment's
/// rollout fail early, before its progress deadline, when every new Pod is stuck).
pub(crate) async fn progress(
    client: &kube::Client,
    kind: &WorkloadKind,
    namespace: &str,
    name: &str,
) -> Result<(Progress, Vec<String>), kube::Error> {
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), namespace, &resource(kind));
    let obj = serde_json::to_value(api.get(name).await?).map_err(kube::Error::SerdeError)?;
    let p = progress_of(kind, &obj);
    if p.stage == Stage::Done {
        return Ok((p, Vec::new()));
    }
    let selector = obj
        .pointer("/spec/selector/matchLabels")
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or(""))).collect::<Vec<_>>().join(","))
        .unwrap_or_default();
    if selector.is_empty() {
        return Ok((p, Vec::new()));
    }
    let pods: Api<DynamicObject> = Api::namespaced_with(
        client.clone(),
        namespace,
        &ApiResource::from_gvk(&GroupVersionKind::gvk("", "v1", "Pod")),
    );
    let stuck = match pods.list(&ListParams::default().labels(&selector)).await {
        Ok(list) => {
            let values: Vec<Value> = list.items.iter().filter_map(|p| serde_json::to_value(p).ok()).collect();
            stuck_pods(&values)
        }
        // Without Pods to read, the status alone says where the rollout is.
        Err(_) => Vec::new(),
    };
    Ok((p, stuck))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deployment(generation: i64, status: Value) -> Value {
        json!({"metadata": {"name": "web", "generation": generation}, "spec": {"replicas": 2}, "status": status})
    }

    #[test]
    fn deployment_progress_reads_as_kubectl_rollout_status() {
        let d = WorkloadKind::Deployment;
        let p = progress_of(&d, &deployment(3, json!({"observedGeneration": 2})));
        assert_eq!(p.message, "Waiting for deployment spec update to be observed...");
        let p = progress_of(&d, &deployment(3, json!({"observedGeneration": 3, "replicas": 3, "updatedReplicas": 1})));
        assert_eq!(
            p.message,
            "Waiting for deployment \"web\" rollout to finish: 1 out of 2 new replicas have been updated..."
        );
        let p = progress_of(&d, &deployment(3, json!({"observedGeneration": 3, "replicas": 3, "updatedReplicas": 2})));
        assert_eq!(
            p.message,
            "Waiting for deployment \"web\" rollout to finish: 1 old replicas are pending termination..."
        );
        let p = progress_of(
            &d,
            &deployment(
                3,
                json!({"observedGeneration": 3, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 1}),
            ),
        );
        assert_eq!(
            p.message,
            "Waiting for deployment \"web\" rollout to finish: 1 of 2 updated replicas are available..."
        );
        assert_eq!(p.stage, Stage::Rolling);
        let done = json!({"observedGeneration": 3, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 2, "readyReplicas": 2});
        let p = progress_of(&d, &deployment(3, done));
        assert_eq!((p.stage, p.message.as_str()), (Stage::Done, "deployment \"web\" successfully rolled out"));
        let failed = json!({"observedGeneration": 3, "replicas": 3, "updatedReplicas": 1,
            "conditions": [{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}]});
        let p = progress_of(&d, &deployment(3, failed));
        assert_eq!((p.stage, p.message.as_str()), (Stage::Failed, "deployment \"web\" exceeded its progress deadline"));
    }

    #[test]
    fn statefulset_and_daemonset_progress() {
        let s = json!({"metadata": {"name": "db", "generation": 2}, "spec": {"replicas": 2},
            "status": {"observedGeneration": 2, "readyReplicas": 2, "updatedReplicas": 1, "currentRevision": "db-1", "updateRevision": "db-2"}});
        let p = progress_of(&WorkloadKind::StatefulSet, &s);
        assert_eq!(p.message, "waiting for statefulset rolling update to complete 1 pods at revision db-2...");
        let s = json!({"metadata": {"name": "db", "generation": 2}, "spec": {"replicas": 2},
            "status": {"observedGeneration": 2, "readyReplicas": 2, "updatedReplicas": 2, "currentRevision": "db-2", "updateRevision": "db-2"}});
        assert_eq!(progress_of(&WorkloadKind::StatefulSet, &s).stage, Stage::Done);
        let ds = json!({"metadata": {"name": "agent", "generation": 4},
            "status": {"observedGeneration": 4, "desiredNumberScheduled": 1, "updatedNumberScheduled": 0, "numberAvailable": 1}});
        let p = progress_of(&WorkloadKind::DaemonSet, &ds);
        assert_eq!(
            p.message,
            "Waiting for daemon set \"agent\" rollout to finish: 0 out of 1 new pods have been updated..."
        );
    }

    #[test]
    fn stuck_pods_say_why() {
        let pod = json!({"metadata": {"name": "web-2"}, "status": {"containerStatuses": [
            {"name": "app", "state": {"waiting": {"reason": "ImagePullBackOff", "message": "Back-off pulling image \"x:2\""}}},
            {"name": "side", "state": {"waiting": {"reason": "ContainerCreating"}}},
        ]}});
        assert_eq!(stuck_pods(&[pod]), ["Pod web-2: container app: ImagePullBackOff: Back-off pulling image \"x:2\""]);
    }

    #[test]
    fn the_patch_is_kubectl_rollout_restarts() {
        let at: Timestamp = "2026-12-04T21:30:05Z".parse().unwrap();
        assert_eq!(
            restart_patch(at),
            json!({"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": "2026-12-04T21:30:05Z"}}}}})
        );
    }
}
