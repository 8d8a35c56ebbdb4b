//! Pods as the controllers make them and as the kubelet runs them, one state per step: a new
//! Pod is `ContainerCreating`; at the next step it runs and is ready, or (when an image cannot
//! be pulled, `images.rs`) waits in `ErrImagePull`, then `ImagePullBackOff`; a deleted Pod is
//! `Terminating` for one step, then gone.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, Value, json};

use super::{MANAGER, int, str_at, write_status};
use crate::store::Inner;
use crate::{data, images, kubelet, managed, objects, resources};
use keyhole_core::format::rfc3339;

/// How a new Pod is named.
#[derive(Debug, Clone, Copy)]
pub(super) enum Name<'a> {
    /// `generateName`: the prefix and five random characters (ReplicaSets, DaemonSets).
    Generated(&'a str),
    /// A fixed name (a StatefulSet's `<name>-<ordinal>`).
    Fixed(&'a str),
}

/// What a controller puts on a Pod beyond its template.
pub(super) struct PodSpec<'a> {
    pub name: Name<'a>,
    pub labels: Vec<(&'a str, String)>,
    pub owner: Value,
    /// Spec fields a controller adds (a StatefulSet's `hostname`, a DaemonSet's affinity).
    pub spec: Map<String, Value>,
}

/// Creates a Pod from `template` in `ns` as a controller does (`GetPodFromTemplate`,
/// `pkg/controller/controller_utils.go`): the template's labels and annotations, the owner
/// reference, the template's spec; scheduled on the node at once, and reported by the kubelet
/// as `ContainerCreating`. Returns its name.
pub(super) fn create(s: &mut Inner, ns: &str, template: &Value, p: PodSpec<'_>, now: Timestamp) -> Option<String> {
    let def = resources::by_kind("Pod")?;
    let name = match p.name {
        Name::Fixed(n) => n.to_string(),
        Name::Generated(prefix) => {
            (0..10).map(|_| objects::generate_name(prefix)).find(|n| !s.contains("pods", ns, n))?
        }
    };
    let mut meta = Map::new();
    meta.insert("name".into(), json!(name));
    if let Name::Generated(prefix) = p.name {
        meta.insert("generateName".into(), json!(prefix));
    }
    meta.insert("namespace".into(), json!(ns));
    let mut labels = template.pointer("/metadata/labels").and_then(Value::as_object).cloned().unwrap_or_default();
    for (k, v) in p.labels {
        labels.insert(k.to_string(), json!(v));
    }
    meta.insert("labels".into(), Value::Object(labels));
    if let Some(a) = template.pointer("/metadata/annotations").filter(|a| a.as_object().is_some_and(|m| !m.is_empty()))
    {
        meta.insert("annotations".into(), a.clone());
    }
    meta.insert("ownerReferences".into(), json!([p.owner]));
    let mut spec = template.get("spec").and_then(Value::as_object).cloned().unwrap_or_default();
    spec.extend(p.spec);
    spec.insert("nodeName".into(), json!(kubelet::NODE_NAME));
    let mut pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec});
    pod["status"] = kubelet::creating_status(&pod, now);
    objects::prepare_create(def, &mut pod, now).ok()?;
    data::stamp(&mut pod, MANAGER, now);
    // The kubelet's first report, over what the API server set on create.
    let before =
        json!({"phase": "Pending", "qosClass": pod.pointer("/status/qosClass").cloned().unwrap_or(Value::Null)});
    let entry = managed::status_entry("v1", "kubelet", &rfc3339(now), &before, &pod["status"]);
    if let Some(Value::Array(list)) = pod.pointer_mut("/metadata/managedFields") {
        list.push(entry);
    }
    s.put("pods", pod);
    Some(name)
}

/// The kubelet's next step for the Pod: a Pod being deleted goes; a Pod being created starts
/// (or fails to pull); a failed pull backs off. Returns whether anything changed.
pub(super) fn advance(s: &mut Inner, pod: &Value, now: Timestamp) -> bool {
    let (ns, name) = (str_at(pod, "/metadata/namespace"), str_at(pod, "/metadata/name"));
    if deleting(pod) {
        // Its containers stopped within the grace period.
        return s.remove("pods", ns, name).is_some();
    }
    let next = if waits_for(pod, &["ContainerCreating", "PodInitializing"]) {
        let created = str_at(pod, "/metadata/creationTimestamp").parse().unwrap_or(now);
        let containers = pod.pointer("/spec/containers").and_then(Value::as_array).cloned().unwrap_or_default();
        let failed: Vec<(String, String)> =
            containers.iter().filter_map(|c| Some((str_at(c, "/name").to_string(), images::pull_error(c)?))).collect();
        if failed.is_empty() {
            kubelet::started_status(pod, created, now)
        } else {
            kubelet::pull_failed_status(pod, created, now, &failed)
        }
    } else {
        match pod.get("status").and_then(kubelet::backing_off) {
            Some(status) => status,
            None => return false,
        }
    };
    let mut new = pod.clone();
    new["status"] = next;
    write_status(s, "pods", pod, new, "kubelet", now)
}

fn waits_for(pod: &Value, reasons: &[&str]) -> bool {
    pod.pointer("/status/containerStatuses")
        .and_then(Value::as_array)
        .is_some_and(|l| l.iter().any(|c| reasons.contains(&str_at(c, "/state/waiting/reason"))))
}

/// Deletes the Pod gracefully, as a controller's delete does: `deletionTimestamp` is when
/// its grace period (`terminationGracePeriodSeconds`, 30 by default) ends; `kubectl get pods`
/// shows it `Terminating` until the kubelet is done (the next step).
pub(super) fn terminate(s: &mut Inner, pod: &Value, now: Timestamp) -> bool {
    if deleting(pod) {
        return false;
    }
    let grace = pod.pointer("/spec/terminationGracePeriodSeconds").and_then(Value::as_i64).unwrap_or(30);
    let mut marked = pod.clone();
    if let Some(m) = marked.get_mut("metadata").and_then(Value::as_object_mut) {
        let end = now.checked_add(SignedDuration::from_secs(grace)).unwrap_or(now);
        m.insert("deletionTimestamp".into(), json!(rfc3339(end)));
        m.insert("deletionGracePeriodSeconds".into(), json!(grace));
    }
    s.put("pods", marked);
    true
}

pub(super) fn deleting(pod: &Value) -> bool {
    pod.pointer("/metadata/deletionTimestamp").is_some_and(|t| !t.is_null())
}

/// `FilterActivePods`: not being deleted, not finished.
pub(super) fn active(pod: &Value) -> bool {
    !deleting(pod) && !matches!(str_at(pod, "/status/phase"), "Succeeded" | "Failed")
}

fn ready_since(pod: &Value) -> Option<Timestamp> {
    let conditions = pod.pointer("/status/conditions")?.as_array()?;
    let ready = conditions.iter().find(|c| str_at(c, "/type") == "Ready" && str_at(c, "/status") == "True")?;
    Some(str_at(ready, "/lastTransitionTime").parse().unwrap_or(Timestamp::UNIX_EPOCH))
}

pub(super) fn ready(pod: &Value) -> bool {
    ready_since(pod).is_some()
}

/// `IsPodAvailable`: ready for at least `min_ready` seconds.
pub(super) fn available(pod: &Value, min_ready: i64, now: Timestamp) -> bool {
    ready_since(pod).is_some_and(|t| min_ready <= 0 || t + SignedDuration::from_secs(min_ready) <= now)
}

/// The `n` Pods a controller deletes first (`ActivePods` order, `controller_utils.go`):
/// not ready before ready, then the newest first.
pub(super) fn victims(mut pods: Vec<Arc<Value>>, n: usize) -> Vec<Arc<Value>> {
    pods.sort_by(|a, b| {
        let created = |p: &Value| str_at(p, "/metadata/creationTimestamp").to_string();
        (ready(a), std::cmp::Reverse(created(a))).cmp(&(ready(b), std::cmp::Reverse(created(b))))
    });
    pods.truncate(n);
    pods
}

/// A Pod's counts for its owner's status: (active, ready, available).
pub(super) fn counts(pods: &[Arc<Value>], min_ready: i64, now: Timestamp) -> (i64, i64, i64) {
    let live: Vec<&Arc<Value>> = pods.iter().filter(|p| active(p)).collect();
    let count = |f: &dyn Fn(&Value) -> bool| live.iter().filter(|p| f(p)).count() as i64;
    (live.len() as i64, count(&ready), count(&|p: &Value| available(p, min_ready, now)))
}

/// Whether a Pod is still on its way: being created, failing its first pull, going, or
/// ready but not yet for `min_ready` seconds. A workload with such a Pod is not settled.
pub(super) fn settling(pod: &Value, min_ready: i64, now: Timestamp) -> bool {
    deleting(pod)
        || waits_for(pod, &["ContainerCreating", "PodInitializing", "ErrImagePull"])
        || (ready(pod) && !available(pod, min_ready, now))
}

/// `minReadySeconds` of a workload's spec.
pub(super) fn min_ready(obj: &Value) -> i64 {
    int(obj, "/spec/minReadySeconds")
}
