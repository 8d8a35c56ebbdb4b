//! Pod statuses shaped like a kubelet's, for the Pods the embedded cluster makes look running
//! (it has no nodes): what the kubelet writes through `pods/status` once the containers run
//! (kubelet `pkg/kubelet/kubelet_pods.go` `generateAPIPodStatus`, `convertToAPIContainerStatuses`;
//! conditions from `pkg/kubelet/status/generate.go`; the QoS class from
//! `pkg/apis/core/helper/qos`, set by the API server on create).
//!
//! Every container runs (`state.running`, ready, started, no restarts), with the image as the
//! container runtime reports it (`docker.io/library/nginx:latest`), an `imageID` with a digest
//! and a `containerID`; init containers have completed (`state.terminated`, reason
//! `Completed`). The conditions are the five a 1.29+ kubelet reports, the Pod and host IPs are
//! set, `startTime` is the creation time. Digests, container IDs and the Pod IP are derived from
//! the names, so they are the same at every start.
//!
//! The Pods of a rollout (`controller/`) go through the states before that: being created
//! (`ContainerCreating`), started, or stuck on an image pull (`ErrImagePull`, then
//! `ImagePullBackOff`; `images.rs` says which pulls fail).

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use keyhole_core::format::rfc3339;

/// The node every Pod runs on, and its address (a kind node's).
pub const NODE_NAME: &str = "keyhole-demo-node";
pub const HOST_IP: &str = "172.18.0.2";

/// 64 hex digits derived from `seed` (FNV-1a then xorshift64*): a stable stand-in for a digest.
fn hex64(seed: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in seed.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    let mut x = h | 1;
    let mut out = String::with_capacity(64);
    while out.len() < 64 {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        out.push_str(&format!("{:016x}", x.wrapping_mul(0x2545_f491_4f6c_dd1d)));
    }
    out
}

/// An image reference as containerd reports it (docker's normalisation): a name without a
/// registry is on `docker.io`, a one-part name under `library/`, and `:latest` is the tag when
/// none is given. Returns the reported image and the repository (for `imageID`). A reference
/// with upper-case letters is not valid (a kubelet would report `InvalidImageName`); it is
/// reported as written, with a lower-cased repository.
pub fn normalize_image(image: &str) -> (String, String) {
    let (name, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (image, None),
    };
    let lower = name.to_ascii_lowercase();
    let (first, _) = lower.split_once('/').unwrap_or(("", &lower));
    let full = if !lower.contains('/') {
        format!("docker.io/library/{lower}")
    } else if first.contains('.') || first.contains(':') || first == "localhost" {
        lower.clone()
    } else {
        format!("docker.io/{lower}")
    };
    let last = full.rsplit('/').next().unwrap_or("");
    let (repo, tagged) = match last.find(':') {
        Some(i) => (full[..full.len() - last.len() + i].to_string(), full.clone()),
        None => (full.clone(), format!("{full}:latest")),
    };
    let reported = match (digest, name == lower) {
        (Some(d), true) => format!("{repo}@{d}"),
        (None, true) => tagged,
        (_, false) => image.to_string(),
    };
    (reported, repo)
}

fn container_id(pod: &str, container: &str) -> String {
    format!("containerd://{}", hex64(&format!("container/{pod}/{container}")))
}

fn image_id(image: &str) -> String {
    let (_, repo) = normalize_image(image);
    match image.split_once('@') {
        Some((_, digest)) => format!("{repo}@{digest}"),
        None => format!("{repo}@sha256:{}", hex64(&format!("image/{}", normalize_image(image).0))),
    }
}

/// The Pod's IP: 10.244.0.2 to 10.244.0.251, stable per Pod.
fn pod_ip(key: &str) -> String {
    let n = u8::from_str_radix(&hex64(&format!("ip/{key}"))[..2], 16).unwrap_or(0);
    format!("10.244.0.{}", 2 + u16::from(n) % 250)
}

/// `GetPodQOS`: BestEffort without requests or limits, Guaranteed when every container limits
/// CPU and memory with requests equal to the limits (or none), else Burstable.
pub fn qos_class(spec: &Value) -> &'static str {
    let containers: Vec<&Value> = ["initContainers", "containers"]
        .iter()
        .filter_map(|k| spec.get(*k).and_then(Value::as_array))
        .flatten()
        .collect();
    let res = |c: &Value, kind: &str| c.pointer(&format!("/resources/{kind}")).and_then(Value::as_object).cloned();
    let any = containers
        .iter()
        .any(|c| res(c, "requests").is_some_and(|m| !m.is_empty()) || res(c, "limits").is_some_and(|m| !m.is_empty()));
    if !any {
        return "BestEffort";
    }
    let guaranteed = containers.iter().all(|c| {
        let limits = res(c, "limits").unwrap_or_default();
        let requests = res(c, "requests").unwrap_or_default();
        ["cpu", "memory"].iter().all(|r| limits.contains_key(*r))
            && requests.iter().all(|(k, v)| limits.get(k) == Some(v))
    });
    if guaranteed { "Guaranteed" } else { "Burstable" }
}

fn condition(kind: &str, at: &str) -> Value {
    json!({"type": kind, "status": "True", "lastProbeTime": null, "lastTransitionTime": at})
}

/// The status a kubelet reports for the running Pod `pod`, created at `created`.
pub fn pod_status(pod: &Value, created: Timestamp) -> Value {
    running_status(pod, created, None)
}

/// The status of a Pod the kubelet has just started, at `now`: its timeline (sandbox, init
/// containers, containers) is squeezed so that nothing in it is later than `now`.
pub fn started_status(pod: &Value, created: Timestamp, now: Timestamp) -> Value {
    running_status(pod, created, Some(now))
}

fn running_status(pod: &Value, created: Timestamp, cap: Option<Timestamp>) -> Value {
    let ns = pod.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or("");
    let name = pod.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("");
    let key = format!("{ns}/{name}");
    let spec = pod.get("spec").cloned().unwrap_or_else(|| json!({}));
    let at = |secs: i64| {
        let t = created.checked_add(SignedDuration::from_secs(secs)).unwrap_or(created);
        rfc3339(cap.map_or(t, |c| t.min(c.max(created))))
    };
    let list = |k: &str| spec.get(k).and_then(Value::as_array).cloned().unwrap_or_default();
    let (inits, containers) = (list("initContainers"), list("containers"));
    let str_of = |c: &Value, f: &str| c.get(f).and_then(Value::as_str).unwrap_or("").to_string();
    // The sandbox is up a second after scheduling; each init container runs two seconds.
    let mut clock = 1;
    let init_statuses: Vec<Value> = inits
        .iter()
        .map(|c| {
            let (cname, image) = (str_of(c, "name"), str_of(c, "image"));
            let id = container_id(&key, &cname);
            let (start, end) = (at(clock), at(clock + 2));
            clock += 2;
            json!({"name": cname,
                   "state": {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": start,
                                            "finishedAt": end, "containerID": id}},
                   "lastState": {}, "ready": true, "restartCount": 0,
                   "image": normalize_image(&image).0, "imageID": image_id(&image), "containerID": id,
                   "started": false})
        })
        .collect();
    let initialized = at(clock);
    let running = at(clock + 1);
    let statuses: Vec<Value> = containers
        .iter()
        .map(|c| {
            let (cname, image) = (str_of(c, "name"), str_of(c, "image"));
            json!({"name": cname, "state": {"running": {"startedAt": running}}, "lastState": {},
                   "ready": true, "restartCount": 0, "image": normalize_image(&image).0, "imageID": image_id(&image),
                   "containerID": container_id(&key, &cname), "started": true})
        })
        .collect();
    let ready = at(clock + 2);
    let ip = pod_ip(&key);
    let mut status = serde_json::Map::new();
    status.insert("phase".into(), json!("Running"));
    status.insert(
        "conditions".into(),
        json!([
            condition("PodReadyToStartContainers", &at(1)),
            condition("Initialized", &initialized),
            condition("Ready", &ready),
            condition("ContainersReady", &ready),
            condition("PodScheduled", &at(0)),
        ]),
    );
    status.insert("hostIP".into(), json!(HOST_IP));
    status.insert("hostIPs".into(), json!([{"ip": HOST_IP}]));
    status.insert("podIP".into(), json!(ip));
    status.insert("podIPs".into(), json!([{"ip": ip}]));
    status.insert("startTime".into(), json!(at(0)));
    if !init_statuses.is_empty() {
        status.insert("initContainerStatuses".into(), Value::Array(init_statuses));
    }
    status.insert("containerStatuses".into(), Value::Array(statuses));
    status.insert("qosClass".into(), json!(qos_class(&spec)));
    Value::Object(status)
}

fn names(list: &[Value]) -> String {
    let names: Vec<&str> = list.iter().filter_map(|c| c.get("name").and_then(Value::as_str)).collect();
    format!("[{}]", names.join(" "))
}

fn not_ready(kind: &str, at: &str, reason: &str, message: String) -> Value {
    json!({"type": kind, "status": "False", "lastProbeTime": null, "lastTransitionTime": at,
           "reason": reason, "message": message})
}

/// A container that has not started, waiting for `reason` (`generateContainerStatus` in
/// `kubelet_pods.go` for a container without a runtime status: the image as the spec names it).
fn waiting(c: &Value, reason: &str, message: Option<&str>) -> Value {
    let mut state = json!({"reason": reason});
    if let Some(m) = message {
        state["message"] = json!(m);
    }
    json!({"name": c.get("name").cloned().unwrap_or(Value::Null), "state": {"waiting": state}, "lastState": {},
           "ready": false, "restartCount": 0, "image": c.get("image").cloned().unwrap_or(Value::Null),
           "imageID": "", "started": false})
}

/// The status a kubelet reports while it sets up a Pod created at `created`: Pending, its
/// sandbox not ready yet (`PodReadyToStartContainers` False, no Pod IP), containers waiting in
/// `ContainerCreating` (or `PodInitializing` behind init containers, which wait too).
pub fn creating_status(pod: &Value, created: Timestamp) -> Value {
    let spec = pod.get("spec").cloned().unwrap_or_else(|| json!({}));
    let list = |k: &str| spec.get(k).and_then(Value::as_array).cloned().unwrap_or_default();
    let (inits, containers) = (list("initContainers"), list("containers"));
    let at = rfc3339(created);
    let initialized = if inits.is_empty() {
        condition("Initialized", &at)
    } else {
        not_ready(
            "Initialized",
            &at,
            "ContainersNotInitialized",
            format!("containers with incomplete status: {}", names(&inits)),
        )
    };
    let unready = format!("containers with unready status: {}", names(&containers));
    let reason = if inits.is_empty() { "ContainerCreating" } else { "PodInitializing" };
    let mut status = serde_json::Map::new();
    status.insert("phase".into(), json!("Pending"));
    status.insert(
        "conditions".into(),
        json!([
            {"type": "PodReadyToStartContainers", "status": "False", "lastProbeTime": null, "lastTransitionTime": at},
            initialized,
            not_ready("Ready", &at, "ContainersNotReady", unready.clone()),
            not_ready("ContainersReady", &at, "ContainersNotReady", unready),
            condition("PodScheduled", &at),
        ]),
    );
    status.insert("hostIP".into(), json!(HOST_IP));
    status.insert("hostIPs".into(), json!([{"ip": HOST_IP}]));
    status.insert("startTime".into(), json!(at));
    if !inits.is_empty() {
        status.insert(
            "initContainerStatuses".into(),
            inits.iter().map(|c| waiting(c, "PodInitializing", None)).collect(),
        );
    }
    status.insert("containerStatuses".into(), containers.iter().map(|c| waiting(c, reason, None)).collect());
    status.insert("qosClass".into(), json!(qos_class(&spec)));
    Value::Object(status)
}

/// The status of a Pod started at `now` whose containers named in `failed` could not pull
/// their images (`ErrImagePull`, with the runtime's message): Pending and not ready; its
/// sandbox is up and its other containers run.
pub fn pull_failed_status(pod: &Value, created: Timestamp, now: Timestamp, failed: &[(String, String)]) -> Value {
    let mut status = started_status(pod, created, now);
    let containers = pod.pointer("/spec/containers").and_then(Value::as_array).cloned().unwrap_or_default();
    let failing: Vec<Value> = containers
        .iter()
        .filter(|c| failed.iter().any(|(n, _)| c.get("name").and_then(Value::as_str) == Some(n)))
        .cloned()
        .collect();
    let at = rfc3339(now.max(created));
    let unready = format!("containers with unready status: {}", names(&failing));
    status["phase"] = json!("Pending");
    if let Some(conditions) = status.get_mut("conditions").and_then(Value::as_array_mut) {
        for c in conditions.iter_mut() {
            let kind = c.get("type").and_then(Value::as_str).unwrap_or("").to_string();
            if kind == "Ready" || kind == "ContainersReady" {
                *c = not_ready(&kind, &at, "ContainersNotReady", unready.clone());
            }
        }
    }
    if let Some(statuses) = status.get_mut("containerStatuses").and_then(Value::as_array_mut) {
        for (st, c) in statuses.iter_mut().zip(&containers) {
            let name = c.get("name").and_then(Value::as_str).unwrap_or("");
            if let Some((_, message)) = failed.iter().find(|(n, _)| n == name) {
                *st = waiting(c, "ErrImagePull", Some(message));
            }
        }
    }
    status
}

/// The kubelet's next report of a Pod whose pulls failed: it backs off before pulling again,
/// and each such container waits in `ImagePullBackOff`, the message naming the image and the
/// last error (`Back-off pulling image "I": ErrImagePull: ...`). `None` when no container
/// waits in `ErrImagePull`.
pub fn backing_off(status: &Value) -> Option<Value> {
    let mut next = status.clone();
    let mut changed = false;
    for st in next.get_mut("containerStatuses").and_then(Value::as_array_mut).into_iter().flatten() {
        let Some(w) = st.pointer_mut("/state/waiting") else { continue };
        if w.get("reason").and_then(Value::as_str) != Some("ErrImagePull") {
            continue;
        }
        let last = w.get("message").and_then(Value::as_str).unwrap_or("").to_string();
        let image = st.get("image").and_then(Value::as_str).unwrap_or("").to_string();
        st["state"]["waiting"] = json!({"reason": "ImagePullBackOff",
            "message": format!("Back-off pulling image {}: ErrImagePull: {last}", keyhole_core::validate::names::go_quote(&image))});
        changed = true;
    }
    changed.then_some(next)
}

/// The time of the kubelet's last status write for a Pod created at `created`: when its
/// containers were ready.
pub fn status_time(pod: &Value, created: Timestamp) -> Timestamp {
    let inits = pod.pointer("/spec/initContainers").and_then(Value::as_array).map_or(0, Vec::len);
    let secs = 3 + 2 * i64::try_from(inits).unwrap_or(0);
    created.checked_add(SignedDuration::from_secs(secs)).unwrap_or(created)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_normalised_as_containerd_reports_them() {
        assert_eq!(
            normalize_image("nginx"),
            ("docker.io/library/nginx:latest".into(), "docker.io/library/nginx".into())
        );
        assert_eq!(normalize_image("redis:7"), ("docker.io/library/redis:7".into(), "docker.io/library/redis".into()));
        assert_eq!(
            normalize_image("example/app:1.0"),
            ("docker.io/example/app:1.0".into(), "docker.io/example/app".into())
        );
        assert_eq!(
            normalize_image("registry.k8s.io/busybox"),
            ("registry.k8s.io/busybox:latest".into(), "registry.k8s.io/busybox".into())
        );
        assert_eq!(
            normalize_image("my-registry.example:5000/tiger/app:1.4"),
            ("my-registry.example:5000/tiger/app:1.4".into(), "my-registry.example:5000/tiger/app".into())
        );
        assert_eq!(normalize_image("mySshImage").0, "mySshImage");
        assert!(image_id("nginx").starts_with("docker.io/library/nginx@sha256:"));
        assert_eq!(image_id("nginx").len(), "docker.io/library/nginx@sha256:".len() + 64);
    }

    #[test]
    fn a_running_pod_has_what_a_kubelet_reports() {
        let pod = json!({"metadata": {"name": "p", "namespace": "default"},
            "spec": {"initContainers": [{"name": "init", "image": "busybox:1.36"}],
                     "containers": [{"name": "app", "image": "nginx", "resources": {"requests": {"cpu": "100m"}}}]}});
        let created = Timestamp::from_second(1_700_000_000).unwrap();
        let s = pod_status(&pod, created);
        assert_eq!(s["phase"], "Running");
        assert_eq!(s["qosClass"], "Burstable");
        let types: Vec<&str> =
            s["conditions"].as_array().unwrap().iter().map(|c| c["type"].as_str().unwrap()).collect();
        assert_eq!(types, ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"]);
        let c = &s["containerStatuses"][0];
        assert_eq!(c["image"], "docker.io/library/nginx:latest");
        assert!(c["containerID"].as_str().unwrap().starts_with("containerd://"));
        assert_eq!(c["state"]["running"]["startedAt"], "2023-11-14T22:13:24Z");
        let i = &s["initContainerStatuses"][0];
        assert_eq!(i["state"]["terminated"]["reason"], "Completed");
        assert_eq!(i["started"], false);
        assert_eq!(s["podIPs"][0]["ip"], s["podIP"]);
        assert_eq!(s, pod_status(&pod, created), "stable");
        assert_eq!(qos_class(&json!({"containers": [{"name": "a"}]})), "BestEffort");
        assert_eq!(
            qos_class(&json!({"containers": [{"resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}]})),
            "Guaranteed"
        );
    }
}
