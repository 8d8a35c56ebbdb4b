//! The controllers' steps on the demo data, with a clock the tests move.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use super::*;
use crate::{data, demo_kinds, kubelet};

fn demo() -> Store {
    let store = Store::new(100_000);
    let now = Timestamp::now();
    data::load(&store, now, 0).expect("demo data");
    demo_kinds::load(&store, now).expect("demo kinds");
    store
}

const CFG: Config = Config { pace: Duration::from_secs(1), deadline_cap: None };

fn workload(kind: Kind, ns: &str, name: &str) -> Workload {
    Workload { kind, namespace: ns.into(), name: name.into() }
}

/// What `kubectl rollout restart` does to the workload, through the API server's update rules.
fn restart(s: &mut Inner, w: &Workload, at: Timestamp) {
    let old = s.get(w.kind.resource(), &w.namespace, &w.name).cloned().expect("stored");
    let mut new = (*old).clone();
    if !new.pointer("/spec/template/metadata/annotations").is_some_and(Value::is_object) {
        new["spec"]["template"]["metadata"]["annotations"] = json!({});
    }
    new["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"] = json!(rfc3339(at));
    let def = resources::RESOURCES.iter().find(|r| r.plural == w.kind.resource()).expect("served");
    objects::bump_generation(def, &old, &mut new);
    s.put(w.kind.resource(), new);
}

fn scale_to(s: &mut Inner, w: &Workload, replicas: i64) {
    let old = s.get(w.kind.resource(), &w.namespace, &w.name).cloned().expect("stored");
    let mut new = (*old).clone();
    new["spec"]["replicas"] = json!(replicas);
    let def = resources::RESOURCES.iter().find(|r| r.plural == w.kind.resource()).expect("served");
    objects::bump_generation(def, &old, &mut new);
    s.put(w.kind.resource(), new);
}

fn get(s: &Inner, resource: &str, ns: &str, name: &str) -> Value {
    s.get(resource, ns, name).map(|v| (**v).clone()).unwrap_or_else(|| panic!("{resource} {ns}/{name} missing"))
}

fn pods_of(s: &Inner, ns: &str, prefix: &str) -> Vec<Value> {
    s.iter("pods", Some(ns), None).filter(|((_, n), _)| n.starts_with(prefix)).map(|(_, p)| (**p).clone()).collect()
}

fn condition(obj: &Value, kind: &str) -> Value {
    obj.pointer("/status/conditions")
        .and_then(Value::as_array)
        .and_then(|l| l.iter().find(|c| c["type"] == kind))
        .cloned()
        .unwrap_or(Value::Null)
}

/// Steps every `pace` from `start` until settled; returns the step count and the time.
fn roll(
    store: &Store,
    w: &Workload,
    start: Timestamp,
    cfg: &Config,
    mut each: impl FnMut(&Inner, usize),
) -> (usize, Timestamp) {
    let pace = SignedDuration::try_from(cfg.pace).expect("pace");
    let mut now = start;
    for n in 1..=200 {
        let mut s = store.lock();
        let next = step(&mut s, w, now, cfg);
        each(&s, n);
        if next == Next::Settled {
            return (n, now);
        }
        now += pace;
    }
    panic!("{w:?} did not settle in 200 steps");
}

#[test]
fn the_demo_and_scale_data_are_settled_at_start() {
    let store = demo();
    crate::scale::load(&store, Timestamp::now(), 300);
    let s = store.lock();
    assert!(s.count("deployments") > 100);
    assert_eq!(unobserved_workloads(&s), Vec::<Workload>::new());
}

#[test]
fn a_restarted_deployment_rolls_a_new_replica_set_out() {
    let store = demo();
    let w = workload(Kind::Deployment, "default", "secret-env");
    let t0: Timestamp = "2026-03-01T10:00:00Z".parse().unwrap();
    restart(&mut store.lock(), &w, t0);
    {
        let s = store.lock();
        let d = get(&s, "deployments", "default", "secret-env");
        assert_eq!(d["metadata"]["generation"], 2, "a template change is a new generation");
        assert!(unobserved(&d));
    }
    let mut first = None;
    let (steps, _) = roll(&store, &w, t0, &CFG, |s, n| {
        let d = get(s, "deployments", "default", "secret-env");
        assert_eq!(d["status"]["observedGeneration"], 2, "step {n}");
        if n == 1 {
            let rs: Vec<Value> = s
                .iter("replicasets", Some("default"), None)
                .filter(|((_, n), _)| n.starts_with("secret-env-") && n != "secret-env-6d9c7b8f5")
                .map(|(_, v)| (**v).clone())
                .collect();
            assert_eq!(rs.len(), 1, "one new ReplicaSet");
            first = Some(rs[0].clone());
            assert_eq!(condition(&d, "Progressing")["reason"], "NewReplicaSetCreated");
            let creating = pods_of(s, "default", rs[0]["metadata"]["name"].as_str().unwrap());
            assert_eq!(creating.len(), 1);
            assert_eq!(creating[0]["status"]["phase"], "Pending");
            assert_eq!(
                creating[0]["status"]["containerStatuses"][0]["state"]["waiting"]["reason"],
                "ContainerCreating"
            );
        }
        // Never more than one Pod over the one wanted (maxSurge 25% of 1, rounded up).
        let live = pods_of(s, "default", "secret-env-")
            .iter()
            .filter(|p| p["metadata"]["deletionTimestamp"].is_null())
            .count();
        assert!(live <= 2, "step {n}: {live} Pods");
    });
    assert!(steps <= 5, "{steps} steps");
    let rs = first.expect("a new ReplicaSet");
    let rs_name = rs["metadata"]["name"].as_str().unwrap().to_string();
    let hash = rs["metadata"]["labels"]["pod-template-hash"].as_str().unwrap().to_string();
    assert_eq!(rs_name, format!("secret-env-{hash}"));
    assert!(hash.bytes().all(|b| b"456789bcdf".contains(&b)), "{hash}: digits through SafeEncodeString");
    assert_eq!(rs["spec"]["selector"]["matchLabels"]["pod-template-hash"], hash.as_str());
    assert_eq!(rs["spec"]["template"]["metadata"]["labels"]["pod-template-hash"], hash.as_str());
    assert_eq!(rs["metadata"]["ownerReferences"][0]["uid"], "secret-env-deploy-uid");
    assert_eq!(rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "2");
    assert_eq!(rs["metadata"]["annotations"]["deployment.kubernetes.io/max-replicas"], "2");

    let s = store.lock();
    let d = get(&s, "deployments", "default", "secret-env");
    assert_eq!(d["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "2");
    assert_eq!(d["metadata"]["generation"], 2, "the controller's writes are not spec changes");
    assert_eq!(
        d["status"],
        json!({"observedGeneration": 2, "replicas": 1, "updatedReplicas": 1, "readyReplicas": 1, "availableReplicas": 1,
               "conditions": d["status"]["conditions"].clone()})
    );
    let progressing = condition(&d, "Progressing");
    assert_eq!(progressing["status"], "True");
    assert_eq!(progressing["reason"], "NewReplicaSetAvailable");
    assert_eq!(progressing["message"], format!("ReplicaSet \"{rs_name}\" has successfully progressed."));
    let available = condition(&d, "Available");
    assert_eq!(
        (available["status"].as_str(), available["reason"].as_str()),
        (Some("True"), Some("MinimumReplicasAvailable"))
    );
    // The controller's status writes are its own in managedFields, the revision annotation too.
    let mf = d["metadata"]["managedFields"].as_array().unwrap();
    let status_entry =
        mf.iter().find(|e| e["manager"] == "kube-controller-manager" && e["subresource"] == "status").unwrap();
    assert!(
        status_entry["fieldsV1"]["f:metadata"]["f:annotations"].get("f:deployment.kubernetes.io/revision").is_some()
    );
    assert!(status_entry["fieldsV1"]["f:status"].get("f:conditions").is_some());

    let old = get(&s, "replicasets", "default", "secret-env-6d9c7b8f5");
    assert_eq!(old["spec"]["replicas"], 0);
    assert_eq!(old["status"]["replicas"], 0);
    assert_eq!(old["metadata"]["generation"], 2, "scaled down: a spec change");
    assert_eq!(old["status"]["observedGeneration"], 2);
    let pods = pods_of(&s, "default", "secret-env-");
    assert_eq!(pods.len(), 1, "the old Pod is gone");
    let pod = &pods[0];
    assert!(pod["metadata"]["name"].as_str().unwrap().starts_with(&format!("{rs_name}-")));
    assert_eq!(pod["metadata"]["name"].as_str().unwrap().len(), rs_name.len() + 6);
    assert_eq!(pod["metadata"]["generateName"], format!("{rs_name}-"));
    assert_eq!(pod["metadata"]["ownerReferences"][0]["name"], rs_name.as_str());
    assert!(pod["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"].is_string());
    assert_eq!(pod["status"]["phase"], "Running");
    assert_eq!(condition(pod, "Ready")["status"], "True");
    let managers: Vec<&str> =
        pod["metadata"]["managedFields"].as_array().unwrap().iter().map(|e| e["manager"].as_str().unwrap()).collect();
    assert_eq!(managers, ["kube-controller-manager", "kubelet"]);
    assert_eq!(pod["spec"]["nodeName"], kubelet::NODE_NAME);
}

#[test]
fn a_rolling_update_keeps_within_surge_and_unavailability() {
    let store = demo();
    let w = workload(Kind::Deployment, "default", "web");
    let t0 = Timestamp::now();
    // Four replicas: maxSurge 1, maxUnavailable 1.
    scale_to(&mut store.lock(), &w, 4);
    roll(&store, &w, t0, &CFG, |_, _| {});
    restart(&mut store.lock(), &w, t0);
    roll(&store, &w, t0 + SignedDuration::from_secs(60), &CFG, |s, n| {
        let pods = pods_of(s, "default", "web-");
        let live: Vec<&Value> = pods.iter().filter(|p| p["metadata"]["deletionTimestamp"].is_null()).collect();
        let available = live.iter().filter(|p| condition(p, "Ready")["status"] == "True").count();
        assert!(live.len() <= 5, "step {n}: {} Pods", live.len());
        assert!(available >= 3, "step {n}: {available} available");
    });
    let s = store.lock();
    let d = get(&s, "deployments", "default", "web");
    assert_eq!(d["status"]["updatedReplicas"], 4);
    assert_eq!(d["status"]["availableReplicas"], 4);
    assert_eq!(pods_of(&s, "default", "web-7d4b9c8f6-").len(), 0, "the old revision's Pods are gone");
}

#[test]
fn a_rollout_whose_new_pods_cannot_pull_exceeds_its_deadline() {
    let store = demo();
    let w = workload(Kind::Deployment, "shop", "orders-worker");
    let cfg = Config { pace: Duration::from_secs(1), deadline_cap: Some(Duration::from_secs(5)) };
    let t0: Timestamp = "2026-03-01T10:00:00Z".parse().unwrap();
    restart(&mut store.lock(), &w, t0);
    let (_, end) = roll(&store, &w, t0, &cfg, |s, n| {
        let old = pods_of(s, "shop", "orders-worker-9c4d7f6b5-");
        assert_eq!(old.len(), 2, "step {n}: maxUnavailable 0 keeps both old Pods");
        assert!(old.iter().all(|p| p["status"]["phase"] == "Running"));
    });
    assert!(end >= t0 + SignedDuration::from_secs(5), "not before the deadline: {end}");
    assert!(end <= t0 + SignedDuration::from_secs(9), "soon after it: {end}");
    let s = store.lock();
    let d = get(&s, "deployments", "shop", "orders-worker");
    let progressing = condition(&d, "Progressing");
    assert_eq!(d["status"]["conditions"].as_array().unwrap().len(), 2);
    assert_eq!(progressing["status"], "False");
    assert_eq!(progressing["reason"], "ProgressDeadlineExceeded");
    let message = progressing["message"].as_str().unwrap();
    assert!(
        message.starts_with("ReplicaSet \"orders-worker-") && message.ends_with("\" has timed out progressing."),
        "{message}"
    );
    assert_eq!(condition(&d, "Available")["status"], "True", "the old Pods serve");
    assert_eq!(d["status"]["replicas"], 3);
    assert_eq!(d["status"]["updatedReplicas"], 1);
    assert_eq!(d["status"]["availableReplicas"], 2);
    assert_eq!(d["status"]["unavailableReplicas"], 1);
    let new: Vec<Value> = pods_of(&s, "shop", "orders-worker-")
        .into_iter()
        .filter(|p| !p["metadata"]["name"].as_str().unwrap().starts_with("orders-worker-9c4d7f6b5-"))
        .collect();
    assert_eq!(new.len(), 1);
    assert_eq!(new[0]["status"]["phase"], "Pending");
    let waiting = &new[0]["status"]["containerStatuses"][0]["state"]["waiting"];
    assert_eq!(waiting["reason"], "ImagePullBackOff");
    assert_eq!(
        waiting["message"],
        "Back-off pulling image \"ghcr.io/example/orders-worker:1.8.2\": ErrImagePull: rpc error: code = NotFound desc = failed to pull and unpack image \"ghcr.io/example/orders-worker:1.8.2\": failed to resolve reference \"ghcr.io/example/orders-worker:1.8.2\": ghcr.io/example/orders-worker:1.8.2: not found"
    );
    assert_eq!(condition(&new[0], "Ready")["reason"], "ContainersNotReady");
}

#[test]
fn a_statefulset_replaces_its_pods_from_the_highest_ordinal_down() {
    let store = demo();
    let w = workload(Kind::StatefulSet, "shop", "db");
    let t0 = Timestamp::now();
    let uid = get(&store.lock(), "pods", "shop", "db-0")["metadata"]["uid"].clone();
    scale_to(&mut store.lock(), &w, 3);
    let created = std::cell::RefCell::new(Vec::new());
    roll(&store, &w, t0, &CFG, |s, _| {
        for p in pods_of(s, "shop", "db-") {
            let name = p["metadata"]["name"].as_str().unwrap().to_string();
            if !created.borrow().contains(&name) {
                created.borrow_mut().push(name);
            }
        }
    });
    assert_eq!(*created.borrow(), ["db-0", "db-1", "db-2"], "one at a time, lowest first");
    assert_eq!(get(&store.lock(), "pods", "shop", "db-0")["metadata"]["uid"], uid, "a scale replaces nothing");
    let before = get(&store.lock(), "statefulsets", "shop", "db")["status"]["updateRevision"].clone();
    restart(&mut store.lock(), &w, t0);
    let deleted = std::cell::RefCell::new(Vec::<String>::new());
    roll(&store, &w, t0 + SignedDuration::from_secs(60), &CFG, |s, n| {
        let going: Vec<String> = pods_of(s, "shop", "db-")
            .into_iter()
            .filter(|p| !p["metadata"]["deletionTimestamp"].is_null())
            .map(|p| p["metadata"]["name"].as_str().unwrap().to_string())
            .collect();
        assert!(going.len() <= 1, "step {n}: {going:?}");
        for g in going {
            if deleted.borrow().last() != Some(&g) {
                deleted.borrow_mut().push(g);
            }
        }
    });
    assert_eq!(*deleted.borrow(), ["db-2", "db-1", "db-0"], "reverse ordinal order");
    let s = store.lock();
    let set = get(&s, "statefulsets", "shop", "db");
    let status = &set["status"];
    assert_ne!(status["updateRevision"], before);
    assert_eq!(status["currentRevision"], status["updateRevision"]);
    assert_eq!(status["observedGeneration"], set["metadata"]["generation"]);
    for k in ["replicas", "readyReplicas", "currentReplicas", "updatedReplicas", "availableReplicas"] {
        assert_eq!(status[k], 3, "{k}");
    }
    let pod = get(&s, "pods", "shop", "db-1");
    assert_eq!(pod["metadata"]["labels"]["controller-revision-hash"], status["updateRevision"]);
    assert_eq!(pod["metadata"]["labels"]["apps.kubernetes.io/pod-index"], "1");
    assert_eq!(pod["spec"]["hostname"], "db-1");
    assert_eq!(pod["spec"]["subdomain"], "db");
    assert_eq!(pod["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"], "data-db-1");
}

#[test]
fn a_daemonset_replaces_its_pod_on_the_node() {
    let store = demo();
    let ds = json!({"apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {"name": "node-agent", "namespace": "monitoring"},
        "spec": {"selector": {"matchLabels": {"app": "node-agent"}},
                 "template": {"metadata": {"labels": {"app": "node-agent"}},
                              "spec": {"containers": [{"name": "agent", "image": "example/agent:1.0"}]}}}});
    data::insert(&store, ds, Timestamp::now()).expect("stored");
    let w = workload(Kind::DaemonSet, "monitoring", "node-agent");
    let t0 = Timestamp::now();
    for round in 0..2 {
        restart(&mut store.lock(), &w, t0 + SignedDuration::from_secs(round * 60));
        let before: Vec<String> = pods_of(&store.lock(), "monitoring", "node-agent-")
            .iter()
            .map(|p| p["metadata"]["name"].as_str().unwrap().to_string())
            .collect();
        roll(&store, &w, t0 + SignedDuration::from_secs(round * 60), &CFG, |s, n| {
            let live = pods_of(s, "monitoring", "node-agent-")
                .iter()
                .filter(|p| p["metadata"]["deletionTimestamp"].is_null())
                .count();
            assert!(live <= 1, "round {round} step {n}: maxSurge 0");
        });
        let s = store.lock();
        let pods = pods_of(&s, "monitoring", "node-agent-");
        assert_eq!(pods.len(), 1);
        assert!(!before.contains(&pods[0]["metadata"]["name"].as_str().unwrap().to_string()), "a new Pod");
        let d = get(&s, "daemonsets", "monitoring", "node-agent");
        assert_eq!(pods[0]["metadata"]["labels"]["controller-revision-hash"], template_hash(&d["spec"]["template"], 0));
        assert_eq!(
            pods[0]["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
                [0]["matchFields"][0]["values"][0],
            kubelet::NODE_NAME
        );
        assert_eq!(
            d["status"],
            json!({"currentNumberScheduled": 1, "numberMisscheduled": 0, "desiredNumberScheduled": 1, "numberReady": 1,
                   "observedGeneration": 2 + round, "updatedNumberScheduled": 1, "numberAvailable": 1})
        );
    }
}

#[test]
fn a_daemonset_on_no_node_rolls_at_once() {
    let store = demo();
    let w = workload(Kind::DaemonSet, "monitoring", "log-shipper");
    restart(&mut store.lock(), &w, Timestamp::now());
    let (steps, _) = roll(&store, &w, Timestamp::now(), &CFG, |_, _| {});
    assert!(steps <= 2);
    let d = get(&store.lock(), "daemonsets", "monitoring", "log-shipper");
    assert_eq!(d["status"]["desiredNumberScheduled"], 0);
    assert_eq!(d["status"]["observedGeneration"], 2);
}

#[test]
fn a_scaled_deployment_without_a_rollout_scales_its_replica_set() {
    let store = demo();
    let w = workload(Kind::Deployment, "monitoring", "grafana");
    scale_to(&mut store.lock(), &w, 0);
    roll(&store, &w, Timestamp::now(), &CFG, |_, _| {});
    let s = store.lock();
    assert_eq!(get(&s, "replicasets", "monitoring", "grafana-6f9c4d8b7")["spec"]["replicas"], 0);
    assert!(pods_of(&s, "monitoring", "grafana-").is_empty());
    let d = get(&s, "deployments", "monitoring", "grafana");
    assert_eq!(d["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "1", "no new revision");
    assert_eq!(s.iter("replicasets", Some("monitoring"), None).count(), 1, "no new ReplicaSet");
}

#[test]
fn template_hashes_are_stable_and_change_with_the_template() {
    let t = json!({"metadata": {"labels": {"app": "a"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}});
    let reordered =
        json!({"spec": {"containers": [{"image": "i", "name": "c"}]}, "metadata": {"labels": {"app": "a"}}});
    assert_eq!(template_hash(&t, 0), template_hash(&reordered, 0));
    assert_ne!(template_hash(&t, 0), template_hash(&t, 1), "a collision count changes it");
    let mut other = t.clone();
    other["metadata"]["annotations"] = json!({"kubectl.kubernetes.io/restartedAt": "2026-01-01T00:00:00Z"});
    assert_ne!(template_hash(&t, 0), template_hash(&other, 0));
    assert_eq!(safe_encode("0123456789"), "456789bcdf");
}

#[test]
fn the_demo_statefulset_and_its_pod_are_at_the_revision_of_its_template() {
    // Else the first change of `db` (a scale) would replace db-0 as if its template had changed.
    let store = demo();
    let s = store.lock();
    let set = get(&s, "statefulsets", "shop", "db");
    let revision = format!("db-{}", template_hash(&set["spec"]["template"], 0));
    assert_eq!(set["status"]["updateRevision"], revision.as_str());
    assert_eq!(set["status"]["currentRevision"], revision.as_str());
    assert_eq!(get(&s, "pods", "shop", "db-0")["metadata"]["labels"]["controller-revision-hash"], revision.as_str());
}
