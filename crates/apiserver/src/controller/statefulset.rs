//! The StatefulSet controller (`pkg/controller/statefulset/stateful_set_control.go`,
//! `stateful_set_utils.go`), one step at a time: Pods `<name>-<ordinal>`, created lowest
//! ordinal first and each only when the ones below run and are ready (`OrderedReady`; all at
//! once for `Parallel`); a rolling update deletes the highest ordinal not at the update
//! revision, waits for its replacement to be ready, then the next one down to the partition.
//! `OnDelete` replaces nothing.
//!
//! Revisions are named `<name>-<hash of the template>` as ControllerRevisions are, but none is
//! stored: a Pod is always made from the current template, also below a partition.

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::Timestamp;
use serde_json::{Map, Value, json};

use super::pods::{self, Name, PodSpec};
use super::{MANAGER, Next, int, owned, owner_ref, str_at, template_hash, write_status};
use crate::store::Inner;

const REVISION_LABEL: &str = "controller-revision-hash";

/// One step of the StatefulSet `ns/name`.
pub(super) fn step(s: &mut Inner, ns: &str, name: &str, now: Timestamp) -> Next {
    let Some(set) = s.get("statefulsets", ns, name).cloned() else { return Next::Settled };
    let uid = str_at(&set, "/metadata/uid").to_string();
    for pod in owned(s, "pods", ns, &uid) {
        pods::advance(s, &pod, now);
    }
    let template = set.pointer("/spec/template").cloned().unwrap_or_else(|| json!({}));
    let update_revision = format!("{name}-{}", template_hash(&template, int(&set, "/status/collisionCount")));
    let acted = act(s, &set, &update_revision, now);
    let list = owned(s, "pods", ns, &uid);
    let wrote = write_status(s, "statefulsets", &set, with_status(&set, &list, &update_revision, now), MANAGER, now);
    let min_ready = pods::min_ready(&set);
    let settling = list.iter().any(|p| pods::settling(p, min_ready, now));
    if acted || wrote || settling { Next::Again } else { Next::Settled }
}

fn ordinal(set_name: &str, pod: &Value) -> Option<i64> {
    str_at(pod, "/metadata/name").strip_prefix(set_name)?.strip_prefix('-')?.parse().ok()
}

/// The controller's action this step; returns whether it took one.
fn act(s: &mut Inner, set: &Value, update_revision: &str, now: Timestamp) -> bool {
    let (ns, name) = (str_at(set, "/metadata/namespace").to_string(), str_at(set, "/metadata/name").to_string());
    let replicas = set.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(1);
    let parallel = str_at(set, "/spec/podManagementPolicy") == "Parallel";
    let by_ordinal: BTreeMap<i64, Arc<Value>> = owned(s, "pods", &ns, str_at(set, "/metadata/uid"))
        .into_iter()
        .filter_map(|p| Some((ordinal(&name, &p)?, p)))
        .collect();
    let healthy = |p: &Value| pods::active(p) && pods::ready(p);
    if !parallel && by_ordinal.values().any(|p| pods::deleting(p)) {
        // OrderedReady waits for a Pod going away before anything else.
        return false;
    }
    let mut acted = false;
    for i in 0..replicas {
        match by_ordinal.get(&i) {
            None => {
                acted |= create(s, set, i, update_revision, now);
                if !parallel {
                    return acted;
                }
            }
            Some(p) if !healthy(p) && !parallel => return acted,
            Some(_) => {}
        }
    }
    // Ordinals at or beyond `replicas` go, the highest first.
    let condemned: Vec<&Arc<Value>> = by_ordinal.range(replicas..).map(|(_, p)| p).rev().collect();
    if let Some(p) = condemned.first() {
        if parallel {
            for p in &condemned {
                acted |= pods::terminate(s, p, now);
            }
        } else if by_ordinal.values().all(|p| healthy(p)) {
            acted |= pods::terminate(s, p, now);
        }
        return acted;
    }
    if acted || str_at(set, "/spec/updateStrategy/type") == "OnDelete" {
        return acted;
    }
    let partition = int(set, "/spec/updateStrategy/rollingUpdate/partition");
    for i in (partition.max(0)..replicas).rev() {
        let Some(p) = by_ordinal.get(&i) else { continue };
        if str_at(p, &format!("/metadata/labels/{REVISION_LABEL}")) != update_revision && !pods::deleting(p) {
            return pods::terminate(s, p, now);
        }
        if !healthy(p) {
            return false;
        }
    }
    false
}

/// `newStatefulSetPod`: the template's Pod named `<set>-<ordinal>`, its identity labels, its
/// host name in the governing Service's domain, and a claim per volume claim template.
fn create(s: &mut Inner, set: &Value, ordinal: i64, revision: &str, now: Timestamp) -> bool {
    let (ns, name) = (str_at(set, "/metadata/namespace"), str_at(set, "/metadata/name"));
    let pod_name = format!("{name}-{ordinal}");
    let mut template = set.pointer("/spec/template").cloned().unwrap_or_else(|| json!({}));
    let mut spec = Map::new();
    spec.insert("hostname".into(), json!(pod_name));
    spec.insert("subdomain".into(), json!(str_at(set, "/spec/serviceName")));
    let mut volumes = template.pointer("/spec/volumes").and_then(Value::as_array).cloned().unwrap_or_default();
    for claim in set.pointer("/spec/volumeClaimTemplates").and_then(Value::as_array).into_iter().flatten() {
        let claim_name = str_at(claim, "/metadata/name");
        if !volumes.iter().any(|v| str_at(v, "/name") == claim_name) {
            volumes.push(
                json!({"name": claim_name, "persistentVolumeClaim": {"claimName": format!("{claim_name}-{pod_name}")}}),
            );
        }
    }
    if !volumes.is_empty() {
        spec.insert("volumes".into(), Value::Array(volumes));
    }
    if let Some(t) = template.get_mut("spec").and_then(Value::as_object_mut) {
        t.remove("volumes");
    }
    let labels = vec![
        (REVISION_LABEL, revision.to_string()),
        ("statefulset.kubernetes.io/pod-name", pod_name.clone()),
        ("apps.kubernetes.io/pod-index", ordinal.to_string()),
    ];
    let p = PodSpec { name: Name::Fixed(&pod_name), labels, owner: owner_ref("StatefulSet", set), spec };
    let ns = ns.to_string();
    pods::create(s, &ns, &template, p, now).is_some()
}

/// The status the controller writes (`computeReplicaStatus`, `completeRollingUpdate`): every
/// Pod counts as a replica, the ready and available ones, those at the current and at the
/// update revision (not those going); once every Pod is updated and ready, the update
/// revision is the current one.
fn with_status(set: &Value, list: &[Arc<Value>], update_revision: &str, now: Timestamp) -> Value {
    let min_ready = pods::min_ready(set);
    let mut current_revision = str_at(set, "/status/currentRevision").to_string();
    if current_revision.is_empty() {
        current_revision = update_revision.to_string();
    }
    let revision_of = |p: &Value| str_at(p, &format!("/metadata/labels/{REVISION_LABEL}")).to_string();
    let count = |f: &dyn Fn(&Value) -> bool| list.iter().filter(|p| f(p)).count() as i64;
    let replicas = list.len() as i64;
    let running_ready = |p: &Value| str_at(p, "/status/phase") == "Running" && pods::ready(p);
    let ready = count(&running_ready);
    let available = count(&|p: &Value| running_ready(p) && pods::available(p, min_ready, now));
    let mut current = count(&|p: &Value| !pods::deleting(p) && revision_of(p) == current_revision);
    let updated = count(&|p: &Value| !pods::deleting(p) && revision_of(p) == update_revision);
    let rolling = str_at(set, "/spec/updateStrategy/type") != "OnDelete";
    if rolling && updated == replicas && ready == replicas {
        current_revision = update_revision.to_string();
        current = updated;
    }
    let mut status = Map::new();
    status.insert("observedGeneration".into(), json!(int(set, "/metadata/generation")));
    status.insert("replicas".into(), json!(replicas));
    // `omitempty` on these three.
    for (k, v) in [("readyReplicas", ready), ("currentReplicas", current), ("updatedReplicas", updated)] {
        if v != 0 {
            status.insert(k.into(), json!(v));
        }
    }
    status.insert("currentRevision".into(), json!(current_revision));
    status.insert("updateRevision".into(), json!(update_revision));
    status.insert("collisionCount".into(), json!(int(set, "/status/collisionCount")));
    if let Some(c) = set.pointer("/status/conditions") {
        status.insert("conditions".into(), c.clone());
    }
    status.insert("availableReplicas".into(), json!(available));
    let mut new = set.clone();
    new["status"] = Value::Object(status);
    new
}
