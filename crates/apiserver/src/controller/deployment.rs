//! The Deployment controller (`pkg/controller/deployment`: `sync.go`, `rolling.go`,
//! `recreate.go`, `progress.go`, `util/deployment_util.go`), one step at a time: the kubelet
//! moves the Pods on, the controller takes one action (create the new ReplicaSet, scale it up,
//! scale the old ones down), the ReplicaSet controller makes or deletes Pods, and the statuses
//! and conditions are written as kube-controller-manager writes them.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, Value, json};

use super::progress::{complete, condition, set_annotation, set_condition, sync_status};
use super::{
    Config, MANAGER, Next, int, owned, owner_ref, pods, replicaset, str_at, template_hash, write_main, write_status,
};
use crate::store::Inner;
use crate::{data, objects, resources};

const REVISION: &str = "deployment.kubernetes.io/revision";
const REVISION_HISTORY: &str = "deployment.kubernetes.io/revision-history";
const DESIRED: &str = "deployment.kubernetes.io/desired-replicas";
const MAX: &str = "deployment.kubernetes.io/max-replicas";
const HASH: &str = "pod-template-hash";
/// `annotationsToSkip`: what a Deployment's annotations do not pass to its ReplicaSets.
const NOT_COPIED: &[&str] = &[
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION,
    REVISION_HISTORY,
    DESIRED,
    MAX,
    "deprecated.deployment.rollback.to",
];

/// What the spec asks, with the defaults the API server sets.
pub(super) struct Params {
    pub replicas: i64,
    pub surge: i64,
    pub unavailable: i64,
    pub recreate: bool,
    pub paused: bool,
    pub deadline: Option<SignedDuration>,
    pub history: usize,
}

impl Params {
    fn of(d: &Value, cfg: &Config) -> Params {
        let replicas = d.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(1);
        let recreate = str_at(d, "/spec/strategy/type") == "Recreate";
        let (mut surge, mut unavailable) = (0, 0);
        if !recreate && replicas > 0 {
            let value = |p: &str| d.pointer(p).cloned().unwrap_or_else(|| json!("25%"));
            // `ResolveFenceposts`: a surge rounds up, unavailability down; never both zero.
            surge = scaled(&value("/spec/strategy/rollingUpdate/maxSurge"), replicas, true);
            unavailable = scaled(&value("/spec/strategy/rollingUpdate/maxUnavailable"), replicas, false);
            if surge == 0 && unavailable == 0 {
                unavailable = 1;
            }
            unavailable = unavailable.min(replicas);
        }
        let seconds = d.pointer("/spec/progressDeadlineSeconds").and_then(Value::as_i64).unwrap_or(600);
        let deadline = (seconds != i64::from(i32::MAX)).then(|| {
            let written = SignedDuration::from_secs(seconds);
            match cfg.deadline_cap.and_then(|c| SignedDuration::try_from(c).ok()) {
                Some(cap) => written.min(cap),
                None => written,
            }
        });
        let history = d.pointer("/spec/revisionHistoryLimit").and_then(Value::as_i64).unwrap_or(10);
        Params {
            replicas,
            surge,
            unavailable,
            recreate,
            paused: d.pointer("/spec/paused").and_then(Value::as_bool).unwrap_or(false),
            deadline,
            history: usize::try_from(history).unwrap_or(0),
        }
    }
}

/// `intstr.GetScaledValueFromIntOrPercent`.
fn scaled(v: &Value, total: i64, round_up: bool) -> i64 {
    if let Some(n) = v.as_i64() {
        return n;
    }
    let percent = v.as_str().and_then(|s| s.strip_suffix('%')).and_then(|n| n.parse::<i64>().ok()).unwrap_or(0);
    let product = percent * total;
    if round_up { (product + 99) / 100 } else { product / 100 }
}

/// One ReplicaSet as the controller reasons about it.
#[derive(Clone)]
pub(super) struct Rs {
    pub obj: Arc<Value>,
    /// `spec.replicas`.
    pub spec: i64,
    /// `status.availableReplicas`.
    pub available: i64,
}

impl Rs {
    pub(super) fn name(&self) -> &str {
        str_at(&self.obj, "/metadata/name")
    }
}

fn revision(rs: &Value) -> i64 {
    rs.pointer("/metadata/annotations")
        .and_then(|a| a.get(REVISION))
        .and_then(Value::as_str)
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

/// A template without the `pod-template-hash` label, empty maps gone (`EqualIgnoreHash`).
fn without_hash(template: &Value) -> Value {
    let mut t = template.clone();
    if let Some(meta) = t.get_mut("metadata").and_then(Value::as_object_mut) {
        if let Some(labels) = meta.get_mut("labels").and_then(Value::as_object_mut) {
            labels.shift_remove(HASH);
        }
        meta.retain(|_, v| !(v.is_null() || v.as_object().is_some_and(Map::is_empty)));
    }
    t
}

/// The Deployment's ReplicaSets, oldest first, and which one has its template.
fn replica_sets(s: &Inner, d: &Value) -> (Vec<Rs>, Option<usize>) {
    let mut all: Vec<Rs> = owned(s, "replicasets", str_at(d, "/metadata/namespace"), str_at(d, "/metadata/uid"))
        .into_iter()
        .map(|obj| Rs { spec: int(&obj, "/spec/replicas"), available: int(&obj, "/status/availableReplicas"), obj })
        .collect();
    all.sort_by(|a, b| {
        (str_at(&a.obj, "/metadata/creationTimestamp"), a.name())
            .cmp(&(str_at(&b.obj, "/metadata/creationTimestamp"), b.name()))
    });
    let template = without_hash(d.pointer("/spec/template").unwrap_or(&Value::Null));
    let new =
        all.iter().position(|rs| without_hash(rs.obj.pointer("/spec/template").unwrap_or(&Value::Null)) == template);
    (all, new)
}

/// One step of the Deployment `ns/name` (see the module's documentation).
pub(super) fn step(s: &mut Inner, ns: &str, name: &str, now: Timestamp, cfg: &Config) -> Next {
    let Some(d) = s.get("deployments", ns, name).cloned() else { return Next::Settled };
    if !well_formed(&d) {
        // kube-apiserver's validation would have refused it; nothing to roll.
        return Next::Settled;
    }
    let p = Params::of(&d, cfg);
    // The kubelet, then the ReplicaSets' statuses after it.
    let (rss, _) = replica_sets(s, &d);
    for rs in &rss {
        for pod in owned(s, "pods", ns, str_at(&rs.obj, "/metadata/uid")) {
            pods::advance(s, &pod, now);
        }
        replicaset::sync_status(s, ns, rs.name(), now);
    }
    // The Deployment controller's action.
    let mut dep = (*d).clone();
    if !p.paused {
        rollout(s, &d, &mut dep, &p, now);
    }
    // The ReplicaSet controller.
    for rs in replica_sets(s, &d).0 {
        replicaset::sync_pods(s, &rs.obj, now);
        replicaset::sync_status(s, ns, rs.name(), now);
    }
    let (rss, new) = replica_sets(s, &d);
    let settled = sync_status(&d, &mut dep, &rss, new, &p, now);
    write_status(s, "deployments", &d, dep, MANAGER, now);
    let busy = rss.iter().any(|rs| {
        let min_ready = pods::min_ready(&rs.obj);
        owned(s, "pods", ns, str_at(&rs.obj, "/metadata/uid")).iter().any(|p| pods::settling(p, min_ready, now))
    });
    if settled && !busy { Next::Settled } else { Next::Again }
}

/// Whether the fields the controller builds on are objects where it writes into them (the
/// embedded cluster checks a Deployment's spec only to be an object).
fn well_formed(d: &Value) -> bool {
    let object_or_absent = |p: &str| d.pointer(p).is_none_or(Value::is_object);
    d.pointer("/spec/template").is_some_and(Value::is_object)
        && [
            "/spec/template/metadata",
            "/spec/template/metadata/labels",
            "/spec/selector",
            "/spec/selector/matchLabels",
            "/status",
        ]
        .iter()
        .all(|p| object_or_absent(p))
}

/// The controller's one action (`rolloutRolling`, `rolloutRecreate`): returns whether it took one.
fn rollout(s: &mut Inner, d: &Value, dep: &mut Value, p: &Params, now: Timestamp) -> bool {
    let (mut all, new) = replica_sets(s, d);
    let max_old =
        all.iter().enumerate().filter(|(i, _)| Some(*i) != new).map(|(_, rs)| revision(&rs.obj)).max().unwrap_or(0);
    let new = match new {
        Some(i) => {
            found_new(s, d, dep, &all[i], max_old, p, now);
            all = replica_sets(s, d).0;
            Some(i)
        }
        None if p.recreate => None,
        None => {
            let Some(rs) = create_new(s, d, dep, &all, max_old, p, now) else { return false };
            all.push(rs);
            Some(all.len() - 1)
        }
    };
    if p.recreate {
        return recreate(s, d, dep, &all, new, max_old, p, now);
    }
    let Some(new) = new else { return false };
    let mut new_rs = all[new].clone();
    let olds: Vec<Rs> = all.iter().enumerate().filter(|(i, _)| *i != new).map(|(_, rs)| rs.clone()).collect();
    if reconcile_new(s, &all, &mut new_rs, p, now) || reconcile_old(s, &all, &olds, &new_rs, p, now) {
        return true;
    }
    if complete(p, dep.get("status").unwrap_or(&Value::Null), int(d, "/metadata/generation")) {
        cleanup(s, &olds, p.history);
    }
    false
}

/// `getNewReplicaSet` for a ReplicaSet that already has the template (a rollback, or the one
/// rolling now): it gets the newest revision, the Deployment records it.
fn found_new(s: &mut Inner, d: &Value, dep: &mut Value, rs: &Rs, max_old: i64, p: &Params, now: Timestamp) {
    let mut updated = (*rs.obj).clone();
    let mut annotations = copied_annotations(d, &rs.obj);
    let current = revision(&rs.obj);
    if current <= max_old {
        let next = (max_old + 1).to_string();
        if rs.obj.pointer("/metadata/annotations").and_then(|a| a.get(REVISION)).is_some() {
            let history = str_at(&rs.obj, &format!("/metadata/annotations/{}", REVISION_HISTORY.replace('/', "~1")));
            let history = if history.is_empty() { current.to_string() } else { format!("{history},{current}") };
            annotations.insert(REVISION_HISTORY.into(), json!(history));
        }
        annotations.insert(REVISION.into(), json!(next));
    }
    updated["metadata"]["annotations"] = Value::Object(annotations);
    let min_ready = d.pointer("/spec/minReadySeconds").cloned();
    if updated.pointer("/spec/minReadySeconds") != min_ready.as_ref()
        && let Some(spec) = updated.get_mut("spec").and_then(Value::as_object_mut)
    {
        match min_ready {
            Some(m) => spec.insert("minReadySeconds".into(), m),
            None => spec.remove("minReadySeconds"),
        };
    }
    let revision_now = str_at(&updated, &format!("/metadata/annotations/{}", REVISION.replace('/', "~1"))).to_string();
    write_main(s, "replicasets", &rs.obj, updated, now);
    set_annotation(dep, REVISION, &revision_now);
    if p.deadline.is_some() && condition(dep, "Progressing").is_none() {
        set_condition(
            dep,
            "Progressing",
            "True",
            "FoundNewReplicaSet",
            &format!("Found new replica set \"{}\"", rs.name()),
            now,
        );
    }
}

/// The Deployment's annotations a ReplicaSet of it carries (`copyDeploymentAnnotationsToReplicaSet`),
/// over the ReplicaSet's own.
fn copied_annotations(d: &Value, rs: &Value) -> Map<String, Value> {
    let mut out = rs.pointer("/metadata/annotations").and_then(Value::as_object).cloned().unwrap_or_default();
    for (k, v) in d.pointer("/metadata/annotations").and_then(Value::as_object).into_iter().flatten() {
        if !NOT_COPIED.contains(&k.as_str()) {
            out.insert(k.clone(), v.clone());
        }
    }
    out
}

/// Creates the ReplicaSet of the Deployment's template (`getNewReplicaSet`): named
/// `<deployment>-<pod-template-hash>`, the hash in its labels, selector and template, the next
/// revision, and the replicas a rolling update may start it with. A name taken by another
/// template is a hash collision: the count goes up and the hash changes.
#[allow(clippy::too_many_arguments)]
fn create_new(
    s: &mut Inner,
    d: &Value,
    dep: &mut Value,
    all: &[Rs],
    max_old: i64,
    p: &Params,
    now: Timestamp,
) -> Option<Rs> {
    let def = resources::by_kind("ReplicaSet")?;
    let ns = str_at(d, "/metadata/namespace").to_string();
    let template = d.pointer("/spec/template").cloned().unwrap_or_else(|| json!({}));
    let mut collisions = int(dep, "/status/collisionCount");
    let (name, hash) = loop {
        let hash = template_hash(&template, collisions);
        let name = format!("{}-{hash}", str_at(d, "/metadata/name"));
        if !s.contains("replicasets", &ns, &name) {
            break (name, hash);
        }
        collisions += 1;
        if collisions > 10 {
            return None;
        }
    };
    if collisions > 0 {
        dep["status"]["collisionCount"] = json!(collisions);
    }
    let mut rs_template = template.clone();
    rs_template["metadata"]["labels"][HASH] = json!(hash);
    let mut selector = d.pointer("/spec/selector").cloned().unwrap_or_else(|| json!({}));
    selector["matchLabels"][HASH] = json!(hash);
    let total: i64 = all.iter().map(|rs| rs.spec).sum();
    let replicas = new_replicas(p, total, 0);
    let mut annotations = copied_annotations(d, &json!({}));
    annotations.insert(DESIRED.into(), json!(p.replicas.to_string()));
    annotations.insert(MAX.into(), json!((p.replicas + p.surge).to_string()));
    annotations.insert(REVISION.into(), json!((max_old + 1).to_string()));
    let mut spec = Map::new();
    spec.insert("replicas".into(), json!(replicas));
    if let Some(m) = d.pointer("/spec/minReadySeconds") {
        spec.insert("minReadySeconds".into(), m.clone());
    }
    spec.insert("selector".into(), selector);
    spec.insert("template".into(), rs_template.clone());
    let mut rs = json!({"apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": name, "namespace": ns, "labels": rs_template["metadata"]["labels"].clone(),
                     "annotations": annotations, "ownerReferences": [owner_ref("Deployment", d)]},
        "spec": spec, "status": {"replicas": 0}});
    objects::prepare_create(def, &mut rs, now).ok()?;
    data::stamp(&mut rs, MANAGER, now);
    let stored = s.put("replicasets", rs);
    set_annotation(dep, REVISION, &(max_old + 1).to_string());
    set_condition(
        dep,
        "Progressing",
        "True",
        "NewReplicaSetCreated",
        &format!("Created new replica set \"{name}\""),
        now,
    );
    Some(Rs { obj: stored, spec: replicas, available: 0 })
}

/// `NewRSNewReplicas`: how far the new ReplicaSet may grow now.
fn new_replicas(p: &Params, total: i64, new_spec: i64) -> i64 {
    if p.recreate {
        return p.replicas;
    }
    let max_total = p.replicas + p.surge;
    if total >= max_total {
        return new_spec;
    }
    new_spec + (max_total - total).min(p.replicas - new_spec)
}

/// `scaleReplicaSet`: a new size, and the annotations saying what the Deployment wants.
/// Returns whether the size changed; `rs` is the stored ReplicaSet after it.
fn scale(s: &mut Inner, rs: &mut Rs, to: i64, p: &Params, now: Timestamp) -> bool {
    let mut updated = (*rs.obj).clone();
    updated["spec"]["replicas"] = json!(to);
    set_annotation(&mut updated, DESIRED, &p.replicas.to_string());
    set_annotation(&mut updated, MAX, &(p.replicas + p.surge).to_string());
    write_main(s, "replicasets", &rs.obj, updated, now);
    if let Some(stored) = s.get("replicasets", str_at(&rs.obj, "/metadata/namespace"), rs.name()).cloned() {
        rs.obj = stored;
    }
    let scaled = rs.spec != to;
    rs.spec = to;
    scaled
}

/// `reconcileNewReplicaSet`.
fn reconcile_new(s: &mut Inner, all: &[Rs], new: &mut Rs, p: &Params, now: Timestamp) -> bool {
    if new.spec == p.replicas {
        return false;
    }
    if new.spec > p.replicas {
        return scale(s, new, p.replicas, p, now);
    }
    let total: i64 = all.iter().map(|rs| rs.spec).sum();
    let to = new_replicas(p, total, new.spec);
    scale(s, new, to, p, now)
}

/// `reconcileOldReplicaSets`: scale the old ReplicaSets down as far as availability allows,
/// the unhealthy Pods first (`cleanupUnhealthyReplicas`), then the oldest ReplicaSets
/// (`scaleDownOldReplicaSetsForRollingUpdate`).
fn reconcile_old(s: &mut Inner, all: &[Rs], olds: &[Rs], new: &Rs, p: &Params, now: Timestamp) -> bool {
    let old_pods: i64 = olds.iter().map(|rs| rs.spec).sum();
    if old_pods == 0 {
        return false;
    }
    let all_pods: i64 = all.iter().map(|rs| rs.spec).sum();
    let min_available = p.replicas - p.unavailable;
    let max_down = all_pods - min_available - (new.spec - new.available);
    if max_down <= 0 {
        return false;
    }
    let mut olds: Vec<Rs> = olds.to_vec();
    let mut cleaned = 0;
    for rs in olds.iter_mut() {
        if cleaned >= max_down {
            break;
        }
        if rs.spec == 0 || rs.spec == rs.available {
            continue;
        }
        let down = (max_down - cleaned).min(rs.spec - rs.available);
        let to = rs.spec - down;
        scale(s, rs, to, p, now);
        cleaned += down;
    }
    let available: i64 = olds.iter().map(|rs| rs.available).sum::<i64>() + new.available;
    let mut scaled = 0;
    if available > min_available {
        let total = available - min_available;
        for rs in olds.iter_mut() {
            if scaled >= total {
                break;
            }
            if rs.spec == 0 {
                continue;
            }
            let down = rs.spec.min(total - scaled);
            let to = rs.spec - down;
            scale(s, rs, to, p, now);
            scaled += down;
        }
    }
    cleaned + scaled > 0
}

/// `rolloutRecreate`: every old Pod goes first, then the new ReplicaSet gets them all.
#[allow(clippy::too_many_arguments)]
fn recreate(
    s: &mut Inner,
    d: &Value,
    dep: &mut Value,
    all: &[Rs],
    new: Option<usize>,
    max_old: i64,
    p: &Params,
    now: Timestamp,
) -> bool {
    let mut olds: Vec<Rs> = all.iter().enumerate().filter(|(i, _)| Some(*i) != new).map(|(_, rs)| rs.clone()).collect();
    let mut scaled = false;
    for rs in olds.iter_mut().filter(|rs| rs.spec > 0) {
        scaled |= scale(s, rs, 0, p, now);
    }
    if scaled {
        return true;
    }
    let ns = str_at(d, "/metadata/namespace");
    let running =
        olds.iter().any(|rs| owned(s, "pods", ns, str_at(&rs.obj, "/metadata/uid")).iter().any(|p| pods::active(p)));
    if running {
        return false;
    }
    let mut new_rs = match new {
        Some(i) => all[i].clone(),
        None => match create_new(s, d, dep, all, max_old, p, now) {
            Some(rs) => return rs.spec > 0,
            None => return false,
        },
    };
    reconcile_new(s, all, &mut new_rs, p, now)
}

/// `cleanupDeployment`: old ReplicaSets at zero beyond `revisionHistoryLimit` go, the oldest
/// revisions first.
fn cleanup(s: &mut Inner, olds: &[Rs], limit: usize) {
    let mut idle: Vec<&Rs> = olds
        .iter()
        .filter(|rs| rs.obj.pointer("/metadata/deletionTimestamp").is_none_or(Value::is_null))
        .filter(|rs| rs.spec == 0 && int(&rs.obj, "/status/replicas") == 0)
        .filter(|rs| int(&rs.obj, "/metadata/generation") <= int(&rs.obj, "/status/observedGeneration"))
        .collect();
    if idle.len() <= limit {
        return;
    }
    idle.sort_by_key(|rs| revision(&rs.obj));
    let n = idle.len() - limit;
    for rs in idle.into_iter().take(n) {
        s.remove("replicasets", str_at(&rs.obj, "/metadata/namespace"), rs.name());
    }
}
