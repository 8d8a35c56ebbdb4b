//! A Deployment's status and conditions (`pkg/controller/deployment/progress.go`,
//! `sync.go` `calculateStatus`, `util/deployment_util.go`): the counts of its ReplicaSets,
//! `Available`, and `Progressing` with its progress deadline.

use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, Value, json};

use super::deployment::{Params, Rs};
use super::{int, str_at};

pub(super) fn set_annotation(obj: &mut Value, key: &str, value: &str) {
    if !obj.pointer("/metadata/annotations").is_some_and(Value::is_object) {
        obj["metadata"]["annotations"] = json!({});
    }
    obj["metadata"]["annotations"][key] = json!(value);
}

pub(super) fn condition<'a>(obj: &'a Value, kind: &str) -> Option<&'a Value> {
    obj.pointer("/status/conditions")?.as_array()?.iter().find(|c| str_at(c, "/type") == kind)
}

/// `SetDeploymentCondition`: the same status and reason change nothing; the same status keeps
/// its transition time; the condition moves to the end.
pub(super) fn set_condition(obj: &mut Value, kind: &str, status: &str, reason: &str, message: &str, now: Timestamp) {
    let at = keyhole_core::format::rfc3339(now);
    let mut since = at.clone();
    if let Some(c) = condition(obj, kind) {
        if str_at(c, "/status") == status && str_at(c, "/reason") == reason {
            return;
        }
        if str_at(c, "/status") == status {
            since = str_at(c, "/lastTransitionTime").to_string();
        }
    }
    put_condition(
        obj,
        json!({"type": kind, "status": status, "lastUpdateTime": at, "lastTransitionTime": since,
                              "reason": reason, "message": message}),
    );
}

fn put_condition(obj: &mut Value, c: Value) {
    let kind = str_at(&c, "/type").to_string();
    if !obj.get("status").is_some_and(Value::is_object) {
        obj["status"] = json!({});
    }
    let mut list: Vec<Value> = obj.pointer("/status/conditions").and_then(Value::as_array).cloned().unwrap_or_default();
    list.retain(|x| str_at(x, "/type") != kind);
    list.push(c);
    obj["status"]["conditions"] = Value::Array(list);
}

/// `DeploymentComplete`.
pub(super) fn complete(p: &Params, status: &Value, generation: i64) -> bool {
    int(status, "/updatedReplicas") == p.replicas
        && int(status, "/replicas") == p.replicas
        && int(status, "/availableReplicas") == p.replicas
        && int(status, "/observedGeneration") >= generation
}

/// `syncRolloutStatus` (`progress.go`) over `calculateStatus` (`sync.go`): the counts of the
/// ReplicaSets, `Available`, and `Progressing` (progress made, complete, or out of time).
/// Returns whether the rollout has nowhere further to go (complete, timed out, or paused).
pub(super) fn sync_status(
    d: &Value,
    dep: &mut Value,
    all: &[Rs],
    new: Option<usize>,
    p: &Params,
    now: Timestamp,
) -> bool {
    let sum = |f: &dyn Fn(&Rs) -> i64| all.iter().map(f).sum::<i64>();
    let replicas = sum(&|rs: &Rs| int(&rs.obj, "/status/replicas"));
    let updated = new.map_or(0, |i| int(&all[i].obj, "/status/replicas"));
    let ready = sum(&|rs: &Rs| int(&rs.obj, "/status/readyReplicas"));
    let available = sum(&|rs: &Rs| int(&rs.obj, "/status/availableReplicas"));
    let unavailable = (sum(&|rs: &Rs| rs.spec) - available).max(0);
    let mut status = Map::new();
    status.insert("observedGeneration".into(), json!(int(d, "/metadata/generation")));
    for (k, v) in [
        ("replicas", replicas),
        ("updatedReplicas", updated),
        ("readyReplicas", ready),
        ("availableReplicas", available),
        ("unavailableReplicas", unavailable),
    ] {
        if v != 0 {
            status.insert(k.into(), json!(v));
        }
    }
    if let Some(c) = dep.pointer("/status/conditions") {
        status.insert("conditions".into(), c.clone());
    }
    if let Some(c) = dep.pointer("/status/collisionCount") {
        status.insert("collisionCount".into(), c.clone());
    }
    dep["status"] = Value::Object(status);
    if available >= p.replicas - p.unavailable {
        set_condition(
            dep,
            "Available",
            "True",
            "MinimumReplicasAvailable",
            "Deployment has minimum availability.",
            now,
        );
    } else {
        set_condition(
            dep,
            "Available",
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
            now,
        );
    }
    let rs_name = new.map(|i| all[i].name().to_string());
    let subject = |what: &str| match &rs_name {
        Some(n) => format!("ReplicaSet \"{n}\" {what}"),
        None => format!("Deployment \"{}\" {what}", str_at(d, "/metadata/name")),
    };
    if p.paused {
        if p.deadline.is_some() {
            set_condition(dep, "Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", now);
        }
        return true;
    }
    if condition(dep, "Progressing").is_some_and(|c| str_at(c, "/reason") == "DeploymentPaused") {
        set_condition(dep, "Progressing", "Unknown", "DeploymentResumed", "Deployment is resumed", now);
    }
    let generation = int(d, "/metadata/generation");
    let Some(deadline) = p.deadline else {
        if let Some(list) = dep.pointer_mut("/status/conditions").and_then(Value::as_array_mut) {
            list.retain(|c| str_at(c, "/type") != "Progressing");
        }
        return complete(p, &dep["status"], generation);
    };
    let current = condition(dep, "Progressing").cloned();
    let reason = current.as_ref().map(|c| str_at(c, "/reason").to_string()).unwrap_or_default();
    let finished = replicas == updated && reason == "NewReplicaSetAvailable";
    if !finished {
        let old = d.get("status").cloned().unwrap_or_default();
        let progressed = updated > int(&old, "/updatedReplicas")
            || replicas - updated < int(&old, "/replicas") - int(&old, "/updatedReplicas")
            || ready > int(&old, "/readyReplicas")
            || available > int(&old, "/availableReplicas");
        if complete(p, &dep["status"], generation) {
            set_condition(
                dep,
                "Progressing",
                "True",
                "NewReplicaSetAvailable",
                &subject("has successfully progressed."),
                now,
            );
        } else if progressed {
            // Progress refreshes the condition's update time (the deadline counts from it).
            let at = keyhole_core::format::rfc3339(now);
            let since = match &current {
                Some(c) if str_at(c, "/status") == "True" => str_at(c, "/lastTransitionTime").to_string(),
                _ => at.clone(),
            };
            put_condition(
                dep,
                json!({"type": "Progressing", "status": "True", "lastUpdateTime": at,
                "lastTransitionTime": since, "reason": "ReplicaSetUpdated", "message": subject("is progressing.")}),
            );
        } else if timed_out(dep, deadline, now) {
            set_condition(
                dep,
                "Progressing",
                "False",
                "ProgressDeadlineExceeded",
                &subject("has timed out progressing."),
                now,
            );
        }
    }
    let reason = condition(dep, "Progressing").map(|c| str_at(c, "/reason").to_string()).unwrap_or_default();
    reason == "ProgressDeadlineExceeded" || complete(p, &dep["status"], generation)
}

/// `DeploymentTimedOut`: no progress recorded within the deadline.
fn timed_out(dep: &Value, deadline: SignedDuration, now: Timestamp) -> bool {
    let Some(c) = condition(dep, "Progressing") else { return false };
    match str_at(c, "/reason") {
        "NewReplicaSetAvailable" => false,
        "ProgressDeadlineExceeded" => true,
        _ => str_at(c, "/lastUpdateTime").parse::<Timestamp>().is_ok_and(|from| from + deadline < now),
    }
}
