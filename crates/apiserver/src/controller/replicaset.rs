//! The ReplicaSet controller (`pkg/controller/replicaset/replica_set.go`), one step at a time:
//! as many Pods as `spec.replicas` (creating the missing ones, deleting the surplus, not-ready
//! and newest first), and the status counting them.

use std::sync::Arc;

use jiff::Timestamp;
use serde_json::{Map, Value, json};

use super::pods::{self, Name, PodSpec};
use super::{MANAGER, int, owned, owner_ref, str_at, write_status};
use crate::store::Inner;

/// Creates or deletes Pods of the ReplicaSet to match its `spec.replicas`. Returns whether
/// anything changed.
pub(super) fn sync_pods(s: &mut Inner, rs: &Value, now: Timestamp) -> bool {
    let ns = str_at(rs, "/metadata/namespace").to_string();
    let name = str_at(rs, "/metadata/name").to_string();
    let want = int(rs, "/spec/replicas");
    let live: Vec<Arc<Value>> =
        owned(s, "pods", &ns, str_at(rs, "/metadata/uid")).into_iter().filter(|p| pods::active(p)).collect();
    let have = live.len() as i64;
    let template = rs.pointer("/spec/template").cloned().unwrap_or_else(|| json!({}));
    let mut changed = false;
    if want > have {
        let prefix = format!("{name}-");
        for _ in have..want {
            let p = PodSpec {
                name: Name::Generated(&prefix),
                labels: Vec::new(),
                owner: owner_ref("ReplicaSet", rs),
                spec: Map::new(),
            };
            changed |= pods::create(s, &ns, &template, p, now).is_some();
        }
    } else if have > want {
        let n = usize::try_from(have - want).unwrap_or(0);
        for pod in pods::victims(live, n) {
            changed |= pods::terminate(s, &pod, now);
        }
    }
    changed
}

/// Writes the ReplicaSet's status from its Pods (`calculateStatus`,
/// `replica_set_utils.go`): active, fully labelled, ready and available Pods, and the
/// generation observed. Returns whether it changed.
pub(super) fn sync_status(s: &mut Inner, ns: &str, name: &str, now: Timestamp) -> bool {
    let Some(rs) = s.get("replicasets", ns, name).cloned() else { return false };
    let pods = owned(s, "pods", ns, str_at(&rs, "/metadata/uid"));
    let (replicas, ready, available) = pods::counts(&pods, pods::min_ready(&rs), now);
    let labels = rs.pointer("/spec/template/metadata/labels").and_then(Value::as_object).cloned().unwrap_or_default();
    let labelled = pods
        .iter()
        .filter(|p| pods::active(p))
        .filter(|p| labels.iter().all(|(k, v)| p.pointer("/metadata/labels").and_then(|l| l.get(k)) == Some(v)))
        .count() as i64;
    let mut status = Map::new();
    status.insert("replicas".into(), json!(replicas));
    for (k, v) in [("fullyLabeledReplicas", labelled), ("readyReplicas", ready), ("availableReplicas", available)] {
        if v != 0 {
            status.insert(k.into(), json!(v));
        }
    }
    status.insert("observedGeneration".into(), json!(int(&rs, "/metadata/generation")));
    if let Some(c) = rs.pointer("/status/conditions") {
        status.insert("conditions".into(), c.clone());
    }
    let mut new = (*rs).clone();
    new["status"] = Value::Object(status);
    write_status(s, "replicasets", &rs, new, MANAGER, now)
}
