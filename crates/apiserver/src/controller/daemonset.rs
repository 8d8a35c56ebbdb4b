//! The DaemonSet controller (`pkg/controller/daemon/daemon_controller.go`, `update.go`), one
//! step at a time, on the embedded cluster's one node: a Pod there when the template's node
//! selector fits the node (`kinds::node_labels`), none otherwise. A rolling update replaces the
//! Pod of an older template: with `maxSurge` 0 (the default) the old Pod goes first and the new
//! one follows; with a surge the new one starts first and the old one goes once it is ready.
//! `OnDelete` replaces nothing.

use std::sync::Arc;

use jiff::Timestamp;
use serde_json::{Map, Value, json};

use super::pods::{self, Name, PodSpec};
use super::{MANAGER, Next, int, owned, owner_ref, str_at, template_hash, write_status};
use crate::kinds::node_labels;
use crate::kubelet::NODE_NAME;
use crate::store::Inner;

const HASH_LABEL: &str = "controller-revision-hash";

/// One step of the DaemonSet `ns/name`.
pub(super) fn step(s: &mut Inner, ns: &str, name: &str, now: Timestamp) -> Next {
    let Some(ds) = s.get("daemonsets", ns, name).cloned() else { return Next::Settled };
    let uid = str_at(&ds, "/metadata/uid").to_string();
    for pod in owned(s, "pods", ns, &uid) {
        pods::advance(s, &pod, now);
    }
    let template = ds.pointer("/spec/template").cloned().unwrap_or_else(|| json!({}));
    let hash = template_hash(&template, int(&ds, "/status/collisionCount"));
    let acted = act(s, &ds, &hash, now);
    let list = owned(s, "pods", ns, &uid);
    let wrote = write_status(s, "daemonsets", &ds, with_status(&ds, &list, &hash, now), MANAGER, now);
    let min_ready = pods::min_ready(&ds);
    let settling = list.iter().any(|p| pods::settling(p, min_ready, now));
    if acted || wrote || settling { Next::Again } else { Next::Settled }
}

/// Whether the template's node selector fits the node.
fn fits(ds: &Value) -> bool {
    let node = node_labels();
    ds.pointer("/spec/template/spec/nodeSelector")
        .and_then(Value::as_object)
        .is_none_or(|sel| sel.iter().all(|(k, v)| node.get(k) == Some(v)))
}

fn updated(pod: &Value, hash: &str) -> bool {
    str_at(pod, &format!("/metadata/labels/{HASH_LABEL}")) == hash
}

/// The controller's action this step; returns whether it took one.
fn act(s: &mut Inner, ds: &Value, hash: &str, now: Timestamp) -> bool {
    let ns = str_at(ds, "/metadata/namespace").to_string();
    let live: Vec<Arc<Value>> =
        owned(s, "pods", &ns, str_at(ds, "/metadata/uid")).into_iter().filter(|p| pods::active(p)).collect();
    if !fits(ds) {
        let mut acted = false;
        for p in &live {
            acted |= pods::terminate(s, p, now);
        }
        return acted;
    }
    let (new, old): (Vec<&Arc<Value>>, Vec<&Arc<Value>>) = live.iter().partition(|p| updated(p, hash));
    if live.is_empty() {
        return create(s, ds, hash, now);
    }
    if str_at(ds, "/spec/updateStrategy/type") == "OnDelete" {
        return false;
    }
    let surge =
        ds.pointer("/spec/updateStrategy/rollingUpdate/maxSurge").is_some_and(|v| v != &json!(0) && v != &json!("0%"));
    match (new.first(), old.first()) {
        // Surge: the new Pod first, the old one once the new one is ready.
        (None, Some(_)) if surge => create(s, ds, hash, now),
        (Some(n), Some(o)) if pods::ready(n) => pods::terminate(s, o, now),
        (None, Some(o)) => pods::terminate(s, o, now),
        // More than one new Pod on the node: the newest go.
        (Some(_), None) if new.len() > 1 => {
            let extra: Vec<Arc<Value>> = new.iter().map(|p| (*p).clone()).collect();
            let mut acted = false;
            for p in pods::victims(extra, new.len() - 1) {
                acted |= pods::terminate(s, &p, now);
            }
            acted
        }
        _ => false,
    }
}

/// The Pod of the DaemonSet for the node: the template, the revision labels, pinned to the node
/// by affinity, and the tolerations a daemon Pod gets (`AddOrUpdateDaemonPodTolerations`).
fn create(s: &mut Inner, ds: &Value, hash: &str, now: Timestamp) -> bool {
    let template = ds.pointer("/spec/template").cloned().unwrap_or_else(|| json!({}));
    let mut spec = Map::new();
    spec.insert(
        "affinity".into(),
        json!({"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [NODE_NAME]}]}]}}}),
    );
    let mut tolerations = template.pointer("/spec/tolerations").and_then(Value::as_array).cloned().unwrap_or_default();
    for (key, effect) in [
        ("node.kubernetes.io/not-ready", "NoExecute"),
        ("node.kubernetes.io/unreachable", "NoExecute"),
        ("node.kubernetes.io/disk-pressure", "NoSchedule"),
        ("node.kubernetes.io/memory-pressure", "NoSchedule"),
        ("node.kubernetes.io/pid-pressure", "NoSchedule"),
        ("node.kubernetes.io/unschedulable", "NoSchedule"),
    ] {
        if !tolerations.iter().any(|t| str_at(t, "/key") == key && str_at(t, "/effect") == effect) {
            tolerations.push(json!({"key": key, "operator": "Exists", "effect": effect}));
        }
    }
    spec.insert("tolerations".into(), Value::Array(tolerations));
    let name = str_at(ds, "/metadata/name");
    let prefix = format!("{name}-");
    let labels =
        vec![(HASH_LABEL, hash.to_string()), ("pod-template-generation", int(ds, "/metadata/generation").to_string())];
    let p = PodSpec { name: Name::Generated(&prefix), labels, owner: owner_ref("DaemonSet", ds), spec };
    let ns = str_at(ds, "/metadata/namespace").to_string();
    pods::create(s, &ns, &template, p, now).is_some()
}

/// `updateDaemonSetStatus`: on the node that should run it, the oldest live Pod counts as
/// scheduled, ready, available, and updated when it has the template's hash.
fn with_status(ds: &Value, list: &[Arc<Value>], hash: &str, now: Timestamp) -> Value {
    let desired = i64::from(fits(ds));
    let mut live: Vec<&Arc<Value>> = list.iter().filter(|p| pods::active(p)).collect();
    live.sort_by_key(|p| str_at(p, "/metadata/creationTimestamp").to_string());
    let (mut current, mut ready, mut available, mut up_to_date) = (0, 0, 0, 0);
    let misscheduled = i64::from(desired == 0 && !live.is_empty());
    if let (1, Some(p)) = (desired, live.first()) {
        current = 1;
        if pods::ready(p) {
            ready = 1;
            available = i64::from(pods::available(p, pods::min_ready(ds), now));
        }
        up_to_date = i64::from(updated(p, hash));
    }
    let mut status = Map::new();
    status.insert("currentNumberScheduled".into(), json!(current));
    status.insert("numberMisscheduled".into(), json!(misscheduled));
    status.insert("desiredNumberScheduled".into(), json!(desired));
    status.insert("numberReady".into(), json!(ready));
    status.insert("observedGeneration".into(), json!(int(ds, "/metadata/generation")));
    // `omitempty` on these.
    for (k, v) in [
        ("updatedNumberScheduled", up_to_date),
        ("numberAvailable", available),
        ("numberUnavailable", desired - available),
    ] {
        if v != 0 {
            status.insert(k.into(), json!(v));
        }
    }
    if let Some(c) = ds.pointer("/status/collisionCount") {
        status.insert("collisionCount".into(), c.clone());
    }
    if let Some(c) = ds.pointer("/status/conditions") {
        status.insert("conditions".into(), c.clone());
    }
    let mut new = ds.clone();
    new["status"] = Value::Object(status);
    new
}
