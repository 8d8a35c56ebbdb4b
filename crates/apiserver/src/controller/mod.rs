//! The workload controllers of the embedded cluster: what kube-controller-manager's Deployment,
//! ReplicaSet, StatefulSet and DaemonSet controllers (and the kubelet under them) do when a
//! workload's spec changes, so that `kubectl rollout restart` really rolls and
//! `kubectl rollout status` follows it (demo behaviour, `docs/embedded-cluster.md`).
//!
//! They react to changes only. A workload whose `metadata.generation` is ahead of its
//! `status.observedGeneration` (the API server bumped it on a spec change, `objects.rs`
//! `bump_generation`) is synced at once and then once per `pace` until it settles: each step
//! moves the kubelet one state on (a new Pod is created, then it runs or its pull fails, a
//! deleted one goes), then the controller one action on (create, scale up, scale down), and
//! writes the statuses. Settled workloads cost nothing: the task waits on the store's events,
//! and objects made at start (the demo data, `--scale` data) are never touched, since their
//! statuses have observed their generation.
//!
//! The clusterrole-aggregation controller runs here too: any change of a ClusterRole brings
//! the aggregated ClusterRoles up to date (`rbac::aggregate`).
//!
//! A Pod of a Deployment, StatefulSet or DaemonSet that is deleted (or starts terminating)
//! wakes its workload at the next step, so its controller replaces it, as kube-controller-manager
//! does. Nothing reacts to creations with a settled status, to the Pods of a ReplicaSet no
//! Deployment owns or of a Job, or to deleted owners (no garbage collector).

mod daemonset;
mod deployment;
mod pods;
mod progress;
mod replicaset;
mod statefulset;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use serde_json::{Value, json};
use tokio::sync::broadcast;
use tokio::sync::watch as signal;
use tokio::time::Instant;

use crate::managed;
use crate::objects;
use crate::resources;
use crate::store::{Event, EventKind, Inner, Store};
use keyhole_core::format::rfc3339;

/// How fast rollouts go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// The time between two steps of a rollout.
    pub pace: Duration,
    /// When set, a Deployment's progress deadline is at most this (tests make the demo's
    /// failing rollout fail in seconds); `None`: `spec.progressDeadlineSeconds` as written.
    pub deadline_cap: Option<Duration>,
}

/// The workload kinds that roll.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Deployment,
    StatefulSet,
    DaemonSet,
}

impl Kind {
    pub fn resource(self) -> &'static str {
        match self {
            Kind::Deployment => "deployments",
            Kind::StatefulSet => "statefulsets",
            Kind::DaemonSet => "daemonsets",
        }
    }

    fn of_resource(resource: &str) -> Option<Kind> {
        match resource {
            "deployments" => Some(Kind::Deployment),
            "statefulsets" => Some(Kind::StatefulSet),
            "daemonsets" => Some(Kind::DaemonSet),
            _ => None,
        }
    }
}

/// One workload, by kind, namespace and name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Workload {
    pub kind: Kind,
    pub namespace: String,
    pub name: String,
}

/// What a step leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// More steps to come.
    Again,
    /// Nothing will change until the spec does: rolled out, timed out, or gone.
    Settled,
}

/// One step of the workload's controller at `now` (see the module's documentation).
pub fn step(s: &mut Inner, w: &Workload, now: Timestamp, cfg: &Config) -> Next {
    match w.kind {
        Kind::Deployment => deployment::step(s, &w.namespace, &w.name, now, cfg),
        Kind::StatefulSet => statefulset::step(s, &w.namespace, &w.name, now),
        Kind::DaemonSet => daemonset::step(s, &w.namespace, &w.name, now),
    }
}

/// Whether the controller has not yet acted on the object's spec.
pub fn unobserved(obj: &Value) -> bool {
    let generation = int(obj, "/metadata/generation");
    generation > 0 && generation > int(obj, "/status/observedGeneration")
}

/// The workload an event asks to sync, if any.
fn wanted(ev: &Event) -> Option<Workload> {
    let kind = Kind::of_resource(ev.resource)?;
    if ev.kind == EventKind::Deleted || !unobserved(&ev.object) {
        return None;
    }
    Some(Workload { kind, namespace: ev.namespace.clone(), name: str_at(&ev.object, "/metadata/name").to_string() })
}

/// The workload whose Pod an event deletes (or starts deleting): its controller replaces it.
/// A ReplicaSet's Pod wakes the Deployment that owns the ReplicaSet.
fn replacing(s: &Inner, ev: &Event) -> Option<Workload> {
    if ev.resource != "pods" {
        return None;
    }
    let going = ev.kind == EventKind::Deleted
        || (pods::deleting(&ev.object) && !ev.previous.as_deref().is_some_and(pods::deleting));
    if !going {
        return None;
    }
    let (kind, name) = controller_ref(&ev.object)?;
    let ns = ev.namespace.clone();
    let workload = |kind, name: &str| Some(Workload { kind, namespace: ns.clone(), name: name.to_string() });
    match kind {
        "StatefulSet" => workload(Kind::StatefulSet, name),
        "DaemonSet" => workload(Kind::DaemonSet, name),
        "ReplicaSet" => match controller_ref(s.get("replicasets", &ns, name)?)? {
            ("Deployment", deployment) => workload(Kind::Deployment, deployment),
            _ => None,
        },
        _ => None,
    }
}

/// The kind and name of the object's controller (`ownerReferences` with `controller: true`).
fn controller_ref(obj: &Value) -> Option<(&str, &str)> {
    let r = obj
        .pointer("/metadata/ownerReferences")?
        .as_array()?
        .iter()
        .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))?;
    Some((r.get("kind")?.as_str()?, r.get("name")?.as_str()?))
}

/// Every stored workload its controller has not caught up with: after missed events.
fn unobserved_workloads(s: &Inner) -> Vec<Workload> {
    let mut out = Vec::new();
    for kind in [Kind::Deployment, Kind::StatefulSet, Kind::DaemonSet] {
        for ((ns, name), obj) in s.iter(kind.resource(), None, None) {
            if unobserved(obj) {
                out.push(Workload { kind, namespace: ns.clone(), name: name.clone() });
            }
        }
    }
    out
}

/// The controllers' task: waits on the store's events (from `events`, subscribed when the
/// server started, after its data was loaded), syncs each workload whose spec changed at once
/// and then every `pace` until it settles.
pub(crate) async fn run(
    store: Arc<Store>,
    mut events: broadcast::Receiver<Arc<Event>>,
    cfg: Config,
    mut stop: signal::Receiver<bool>,
) {
    let mut rolling: BTreeSet<Workload> = BTreeSet::new();
    let mut next_tick: Option<Instant> = None;
    loop {
        let due = next_tick;
        let tick = async move {
            match due {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        let woken: Vec<Workload> = tokio::select! {
            _ = stop.changed() => return,
            ev = events.recv() => match ev {
                Ok(ev) => {
                    if ev.resource == "clusterroles" {
                        crate::rbac::aggregate::sync(&mut store.lock(), Timestamp::now());
                    }
                    // At the pace of a rollout, not at once: the controller's own deletions
                    // come through here too.
                    if ev.resource == "pods"
                        && let Some(w) = replacing(&store.lock(), &ev)
                    {
                        rolling.insert(w);
                    }
                    wanted(&ev).into_iter().collect()
                }
                // Events were missed: find what they would have asked for.
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    let mut s = store.lock();
                    crate::rbac::aggregate::sync(&mut s, Timestamp::now());
                    unobserved_workloads(&s)
                }
                Err(broadcast::error::RecvError::Closed) => return,
            },
            _ = tick => {
                next_tick = None;
                std::mem::take(&mut rolling).into_iter().collect()
            }
        };
        if woken.is_empty() {
            if !rolling.is_empty() && next_tick.is_none() {
                next_tick = Some(Instant::now() + cfg.pace);
            }
            continue;
        }
        let now = Timestamp::now();
        {
            let mut s = store.lock();
            for w in woken {
                match step(&mut s, &w, now, &cfg) {
                    Next::Again => {
                        rolling.insert(w);
                    }
                    Next::Settled => {
                        rolling.remove(&w);
                    }
                }
            }
        }
        if !rolling.is_empty() && next_tick.is_none() {
            next_tick = Some(Instant::now() + cfg.pace);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Shared by the controllers

/// The manager kube-controller-manager's controllers write as.
const MANAGER: &str = "kube-controller-manager";

fn int(obj: &Value, p: &str) -> i64 {
    obj.pointer(p).and_then(Value::as_i64).unwrap_or(0)
}

fn str_at<'a>(obj: &'a Value, p: &str) -> &'a str {
    obj.pointer(p).and_then(Value::as_str).unwrap_or("")
}

/// The objects of `resource` in `ns` whose controller (`ownerReferences` with `controller:
/// true`) has the uid `uid`.
fn owned(s: &Inner, resource: &str, ns: &str, uid: &str) -> Vec<Arc<Value>> {
    s.iter(resource, Some(ns), None).filter(|(_, o)| controller_uid(o) == Some(uid)).map(|(_, o)| o.clone()).collect()
}

fn controller_uid(obj: &Value) -> Option<&str> {
    obj.pointer("/metadata/ownerReferences")?
        .as_array()?
        .iter()
        .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
        .and_then(|r| r.get("uid"))
        .and_then(Value::as_str)
}

/// The owner reference a controller puts on what it makes.
fn owner_ref(kind: &str, obj: &Value) -> Value {
    json!({"apiVersion": "apps/v1", "kind": kind, "name": str_at(obj, "/metadata/name"),
           "uid": str_at(obj, "/metadata/uid"), "controller": true, "blockOwnerDeletion": true})
}

/// Writes `new` over `old` as `manager` through the main resource (the spec, labels,
/// annotations), with the generation the API server gives a spec change. Returns whether
/// anything changed.
fn write_main(s: &mut Inner, resource: &'static str, old: &Value, mut new: Value, now: Timestamp) -> bool {
    let Some(def) = resources::RESOURCES.iter().find(|r| r.plural == resource) else { return false };
    objects::bump_generation(def, old, &mut new);
    let (gv, stamp) = (def.group_version(), rfc3339(now));
    let mf = managed::update(&managed::Writer::main(def, &gv, MANAGER, &stamp), old, &new, None, false);
    objects::set_managed_fields(&mut new, mf);
    put_if_changed(s, resource, old, new)
}

/// Writes `new` over `old` as `manager` through the `status` subresource (the status, and
/// the annotations a Deployment's revision is recorded in). Returns whether anything changed.
fn write_status(
    s: &mut Inner,
    resource: &'static str,
    old: &Value,
    mut new: Value,
    manager: &str,
    now: Timestamp,
) -> bool {
    let Some(def) = resources::RESOURCES.iter().find(|r| r.plural == resource) else { return false };
    let (gv, stamp) = (def.group_version(), rfc3339(now));
    let mf = managed::update(&managed::Writer::status(&gv, manager, &stamp), old, &new, None, false);
    objects::set_managed_fields(&mut new, mf);
    put_if_changed(s, resource, old, new)
}

fn put_if_changed(s: &mut Inner, resource: &'static str, old: &Value, new: Value) -> bool {
    if objects::same_content(old, &new) {
        return false;
    }
    s.put(resource, new);
    true
}

/// `controller.ComputeHash` (`pkg/controller/controller_utils.go`): FNV-32a of the template
/// (here its JSON with sorted keys, where Go hashes its dump), then of the collision count when
/// there is one, as the decimal number's digits through `rand.SafeEncodeString`. The
/// `pod-template-hash` of a Deployment's ReplicaSets, the `controller-revision-hash` of
/// StatefulSet and DaemonSet revisions.
pub fn template_hash(template: &Value, collisions: i64) -> String {
    let mut h: u32 = 0x811c_9dc5;
    let mut feed = |bytes: &[u8]| {
        for b in bytes {
            h = (h ^ u32::from(*b)).wrapping_mul(0x0100_0193);
        }
    };
    feed(managed::go_json(template).as_bytes());
    if collisions > 0 {
        let mut bytes = [0u8; 8];
        bytes[..4].copy_from_slice(&(collisions as u32).to_le_bytes());
        feed(&bytes);
    }
    safe_encode(&h.to_string())
}

/// `rand.SafeEncodeString`: each byte to an alphanumeric without vowels or look-alikes.
fn safe_encode(s: &str) -> String {
    const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    s.bytes().map(|b| ALPHANUMS[usize::from(b) % ALPHANUMS.len()] as char).collect()
}

#[cfg(test)]
mod tests;
