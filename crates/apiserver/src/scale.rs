//! `--scale N` data for benchmarks: N Secrets and N Pods over N/100 namespaces, each Pod made
//! by a workload the way a real cluster's are, so that the pod templates and the ReplicaSet
//! history a real cluster carries are listed and watched too (issue 14):
//!
//! - most Pods belong to a Deployment of one replica, with its current ReplicaSet and two old
//!   ones scaled to zero (rollouts leave them; `revisionHistoryLimit` keeps up to ten);
//! - one app in twenty is a StatefulSet, one in twenty a CronJob whose Job is running now, one
//!   in a hundred a DaemonSet.
//!
//! A tenth of the Secrets are Helm release records of about 50 KiB; every other Secret is used
//! by one Pod and by the templates it came from. Objects are built directly (no admission
//! round trip per object) with the fields, managedFields and statuses their controllers write.

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use crate::data::{TLS_CRT, TLS_KEY, created_at, helm_payload, stamp};
use crate::store::{Inner, Store};
use crate::{kinds, kubelet, objects, resources};
use keyhole_core::format::rfc3339;
use keyhole_core::secret::codec::encode_value;

/// What made an app's Pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Maker {
    Deployment,
    StatefulSet,
    CronJob,
    DaemonSet,
}

/// The workload kind of app `i` of `n`: by its place in its namespace, so that every
/// namespace has some of each.
pub(crate) fn maker(i: usize, n: usize) -> Maker {
    match (i / namespaces(n)) % 100 {
        2 => Maker::DaemonSet,
        k if k % 20 == 0 => Maker::StatefulSet,
        k if k % 20 == 1 => Maker::CronJob,
        _ => Maker::Deployment,
    }
}

fn namespaces(n: usize) -> usize {
    (n / 100).max(1)
}

/// Old ReplicaSets (replicas 0) kept per Deployment.
pub(crate) const OLD_REPLICASETS: usize = 2;

pub(crate) fn load(store: &Store, now: Timestamp, n: usize) {
    let namespaces = namespaces(n);
    let mut s = store.lock();
    for i in 0..namespaces {
        let name = format!("scale-{i:03}");
        let mut ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}});
        if let Some(def) = resources::by_kind("Namespace") {
            let _ = objects::prepare_create(def, &mut ns, now);
        }
        stamp(&mut ns, "kubectl-create", now);
        s.put("namespaces", ns);
    }
    // Helm payloads are expensive to make; twenty distinct ones are reused.
    let payloads: Vec<String> = (0..20)
        .map(|k| helm_payload("scale", &format!("app-{k}"), "generic-app", "1.0.0", 1, "deployed", 50, now))
        .collect();
    let tls_crt = encode_value(TLS_CRT.as_bytes());
    let tls_key = encode_value(TLS_KEY.as_bytes());
    // Every thousandth TLS Secret carries shop-tls's certificate, which expires 12 days after
    // the start: a few rows far down the list are EXPIRING, as on a real cluster.
    let expiring: Option<Value> = s.get("secrets", "shop", "shop-tls").and_then(|o| o.get("data").cloned());
    for i in 0..n {
        let ns = format!("scale-{:03}", i % namespaces);
        let created_ts = created_at(&format!("{ns}/{i}"), now);
        let (name, ty, data, labels) = match i % 10 {
            0 => (
                format!("sh.helm.release.v1.app-{i:05}.v1"),
                "helm.sh/release.v1",
                json!({"release": encode_value(payloads[i % payloads.len()].as_bytes())}),
                json!({"name": format!("app-{i:05}"), "owner": "helm", "status": "deployed", "version": "1"}),
            ),
            1 => (
                format!("app-{i:05}-tls"),
                "kubernetes.io/tls",
                match &expiring {
                    Some(data) if i % 1000 == 1 => data.clone(),
                    _ => json!({"tls.crt": tls_crt, "tls.key": tls_key}),
                },
                json!({}),
            ),
            2 => (
                format!("app-{i:05}-registry"),
                "kubernetes.io/dockerconfigjson",
                json!({".dockerconfigjson": encode_value(format!("{{\"auths\":{{\"registry.example:5000\":{{\"username\":\"u{i}\",\"password\":\"p{i}\",\"auth\":\"{}\"}}}}}}", encode_value(format!("u{i}:p{i}").as_bytes())).as_bytes())}),
                json!({}),
            ),
            _ => (
                format!("app-{i:05}-config"),
                "Opaque",
                json!({"DB_USER": encode_value(format!("user{i}").as_bytes()), "DB_PASSWORD": encode_value(format!("pw-{i}-{}", i * 7919 % 10007).as_bytes()), "API_URL": encode_value(b"https://api.example.com")}),
                json!({"app": format!("app-{i:05}")}),
            ),
        };
        let mut secret = json!({"apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": name, "namespace": ns, "uid": uuid::Uuid::new_v4().to_string(),
                         "creationTimestamp": rfc3339(created_ts), "labels": labels},
            "type": ty, "data": data});
        stamp(&mut secret, if i % 10 == 0 { "helm" } else { "kubectl-create" }, created_ts);
        s.put("secrets", secret);
        // The app of this index uses this Secret (or, for a Helm record, the next configuration
        // Secret, index i + 3, in whose namespace the app then runs).
        let (used, app_ns) = if i % 10 == 0 {
            (format!("app-{:05}-config", i + 3), format!("scale-{:03}", (i + 3) % namespaces))
        } else {
            (name.clone(), ns.clone())
        };
        let app =
            App { i, n, name: format!("app-{i:05}"), ns: app_ns, created: created_ts, now, spec: pod_spec(i, &used) };
        app.load(&mut s);
    }
}

/// The pod spec of app `i`, reading Secret `used` the way its type is read.
fn pod_spec(i: usize, used: &str) -> Value {
    let container = match i % 10 {
        1 => {
            json!({"name": "app", "image": "nginx:1.27", "volumeMounts": [{"name": "tls", "mountPath": "/tls", "readOnly": true}]})
        }
        2 => json!({"name": "app", "image": "registry.example:5000/app:1.0"}),
        _ => json!({"name": "app", "image": "example/app:1.0", "envFrom": [{"secretRef": {"name": used}}],
                    "env": [{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": used, "key": "DB_PASSWORD"}}}]}),
    };
    let mut spec = json!({"containers": [container], "serviceAccountName": "default", "restartPolicy": "Always",
                          "dnsPolicy": "ClusterFirst", "terminationGracePeriodSeconds": 30});
    match i % 10 {
        1 => spec["volumes"] = json!([{"name": "tls", "secret": {"secretName": used, "defaultMode": 420}}]),
        2 => spec["imagePullSecrets"] = json!([{"name": used}]),
        _ => {}
    }
    spec
}

/// One app: its workload objects and its Pod.
struct App {
    i: usize,
    n: usize,
    name: String,
    ns: String,
    created: Timestamp,
    now: Timestamp,
    spec: Value,
}

impl App {
    fn load(&self, s: &mut Inner) {
        match maker(self.i, self.n) {
            Maker::Deployment => self.deployment(s),
            Maker::StatefulSet => self.stateful_set(s),
            Maker::CronJob => self.cron_job(s),
            Maker::DaemonSet => self.daemon_set(s),
        }
    }

    fn meta(&self, name: &str, labels: Value, at: Timestamp) -> Value {
        json!({"name": name, "namespace": self.ns, "uid": uuid::Uuid::new_v4().to_string(),
               "creationTimestamp": rfc3339(at), "labels": labels})
    }

    fn template(&self, labels: Value, spec: &Value) -> Value {
        json!({"metadata": {"labels": labels}, "spec": spec})
    }

    fn labels(&self) -> Value {
        json!({"app": self.name})
    }

    /// A Deployment at revision 3: its ReplicaSet of now (one replica) and two old ones.
    fn deployment(&self, s: &mut Inner) {
        let meta = self.meta(&self.name, self.labels(), self.created);
        let uid = meta["uid"].clone();
        let mut deploy = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta,
            "spec": {"replicas": 1, "selector": {"matchLabels": self.labels()},
                     "template": self.template(self.labels(), &self.spec),
                     "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
                     "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600}});
        deploy["metadata"]["generation"] = json!(OLD_REPLICASETS + 1);
        deploy["metadata"]["annotations"] =
            json!({"deployment.kubernetes.io/revision": (OLD_REPLICASETS + 1).to_string()});
        let ready = rfc3339(self.created + SignedDuration::from_secs(30));
        deploy["status"] = json!({"observedGeneration": OLD_REPLICASETS + 1, "replicas": 1, "updatedReplicas": 1,
            "readyReplicas": 1, "availableReplicas": 1,
            "conditions": [
                {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable",
                 "message": "Deployment has minimum availability.", "lastUpdateTime": ready, "lastTransitionTime": ready},
                {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable",
                 "message": format!("ReplicaSet \"{}-{}\" has successfully progressed.", self.name, hash(&self.name, OLD_REPLICASETS)),
                 "lastUpdateTime": ready, "lastTransitionTime": rfc3339(self.created)}]});
        self.put(s, "kubectl-client-side-apply", deploy);
        let owner = owner_ref("apps/v1", "Deployment", &self.name, &uid);
        for rev in 0..=OLD_REPLICASETS {
            let current = rev == OLD_REPLICASETS;
            let h = hash(&self.name, rev);
            let rs_name = format!("{}-{h}", self.name);
            let labels = json!({"app": self.name, "pod-template-hash": h});
            let mut spec = self.spec.clone();
            // Each rollout changed the image.
            if let Some(c) = spec.pointer_mut("/containers/0/image") {
                let image = c.as_str().unwrap_or("").replace(":1.0", &format!(":0.{}", 8 + rev));
                *c = json!(if current { c.as_str().unwrap_or("").to_string() } else { image });
            }
            let at = self.created + SignedDuration::from_secs(rev as i64 * 600);
            let mut meta = self.meta(&rs_name, labels.clone(), at);
            meta["ownerReferences"] = json!([owner]);
            meta["generation"] = json!(if current { 1 } else { 2 });
            meta["annotations"] = json!({"deployment.kubernetes.io/desired-replicas": "1",
                "deployment.kubernetes.io/max-replicas": "2", "deployment.kubernetes.io/revision": (rev + 1).to_string()});
            let replicas = i64::from(current);
            let rs = json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": meta,
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels}, "template": self.template(labels.clone(), &spec)},
            "status": if current {
                json!({"replicas": 1, "fullyLabeledReplicas": 1, "readyReplicas": 1, "availableReplicas": 1, "observedGeneration": 1})
            } else {
                json!({"replicas": 0, "observedGeneration": 2})
            }});
            let rs_uid = rs["metadata"]["uid"].clone();
            self.put(s, "kube-controller-manager", rs);
            if current {
                let pod_name = format!("{rs_name}-x{:04}", self.i % 10_000);
                let owner = owner_ref("apps/v1", "ReplicaSet", &rs_name, &rs_uid);
                self.pod(s, &pod_name, labels, owner);
            }
        }
    }

    fn stateful_set(&self, s: &mut Inner) {
        let mut sts = json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": self.meta(&self.name, self.labels(), self.created),
            "spec": {"replicas": 1, "serviceName": self.name, "selector": {"matchLabels": self.labels()},
                     "template": self.template(self.labels(), &self.spec)}});
        defaults(&mut sts);
        let revision = sts.pointer("/status/currentRevision").cloned().unwrap_or_default();
        let uid = sts["metadata"]["uid"].clone();
        self.put(s, "kubectl-client-side-apply", sts);
        let pod_name = format!("{}-0", self.name);
        let labels = json!({"app": self.name, "controller-revision-hash": revision,
            "apps.kubernetes.io/pod-index": "0", "statefulset.kubernetes.io/pod-name": pod_name});
        self.pod(s, &pod_name, labels, owner_ref("apps/v1", "StatefulSet", &self.name, &uid));
    }

    fn daemon_set(&self, s: &mut Inner) {
        let mut ds = json!({"apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": self.meta(&self.name, self.labels(), self.created),
            "spec": {"selector": {"matchLabels": self.labels()}, "template": self.template(self.labels(), &self.spec)}});
        defaults(&mut ds);
        let uid = ds["metadata"]["uid"].clone();
        // The revision of the template, as the controller labels its Pods.
        let revision = crate::controller::template_hash(&ds["spec"]["template"], 0);
        self.put(s, "kubectl-client-side-apply", ds);
        let h = hash(&self.name, 9);
        let labels = json!({"app": self.name, "controller-revision-hash": revision, "pod-template-generation": "1"});
        let pod_name = format!("{}-{}", self.name, &h[..5]);
        self.pod(s, &pod_name, labels, owner_ref("apps/v1", "DaemonSet", &self.name, &uid));
    }

    /// A CronJob every thirty minutes whose Job of this half hour is running.
    fn cron_job(&self, s: &mut Inner) {
        let mut spec = self.spec.clone();
        spec["restartPolicy"] = json!("OnFailure");
        let run = Timestamp::from_second(self.now.as_second() / 1800 * 1800).unwrap_or(self.now);
        let job_name = format!("{}-{}", self.name, run.as_second() / 60);
        let mut cron = json!({"apiVersion": "batch/v1", "kind": "CronJob",
            "metadata": self.meta(&self.name, self.labels(), self.created),
            "spec": {"schedule": "*/30 * * * *",
                     "jobTemplate": {"spec": {"template": self.template(self.labels(), &spec)}}}});
        defaults(&mut cron);
        let cron_uid = cron["metadata"]["uid"].clone();
        cron["status"] = json!({"lastScheduleTime": rfc3339(run),
            "active": [{"apiVersion": "batch/v1", "kind": "Job", "namespace": self.ns, "name": job_name}]});
        let mut meta = self.meta(&job_name, self.labels(), run);
        meta["ownerReferences"] = json!([owner_ref("batch/v1", "CronJob", &self.name, &cron_uid)]);
        let mut job = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": meta,
            "spec": {"template": self.template(self.labels(), &spec)}});
        defaults(&mut job);
        job["status"] = json!({"active": 1, "ready": 1, "terminating": 0, "startTime": rfc3339(run),
            "uncountedTerminatedPods": {}});
        let job_uid = job["metadata"]["uid"].clone();
        cron["status"]["active"][0]["uid"] = job_uid.clone();
        let labels = job.pointer("/spec/template/metadata/labels").cloned().unwrap_or_default();
        self.put(s, "kubectl-client-side-apply", cron);
        self.put(s, "kube-controller-manager", job);
        let pod_name = format!("{job_name}-{}", &hash(&job_name, 0)[..5]);
        self.pod_at(s, &pod_name, labels, owner_ref("batch/v1", "Job", &job_name, &job_uid), run);
    }

    fn pod(&self, s: &mut Inner, name: &str, labels: Value, owner: Value) {
        self.pod_at(s, name, labels, owner, self.created + SignedDuration::from_secs(OLD_REPLICASETS as i64 * 600));
    }

    fn pod_at(&self, s: &mut Inner, name: &str, labels: Value, owner: Value, at: Timestamp) {
        let mut spec = self.spec.clone();
        spec["nodeName"] = json!(kubelet::NODE_NAME);
        let mut meta = self.meta(name, labels, at);
        meta["ownerReferences"] = json!([owner]);
        let mut pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec});
        stamp(&mut pod, "kube-controller-manager", at);
        pod["status"] = kubelet::pod_status(&pod, at);
        if let Some(def) = resources::by_kind("Pod") {
            objects::record_status_writer(def, &mut pod, at);
        }
        s.put("pods", pod);
    }

    /// Stores a workload object with the managedFields of its creator (and its status
    /// writer's, for the kinds that record one).
    fn put(&self, s: &mut Inner, manager: &str, mut obj: Value) {
        let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("").to_string();
        let Some(def) = resources::by_kind(&kind) else { return };
        let status = obj.as_object_mut().and_then(|o| o.remove("status"));
        let created = obj.pointer("/metadata/creationTimestamp").and_then(Value::as_str).and_then(|t| t.parse().ok());
        stamp(&mut obj, manager, created.unwrap_or(self.created));
        if let Some(status) = status {
            obj["status"] = status;
            objects::record_status_writer(def, &mut obj, created.unwrap_or(self.created));
        }
        s.put(def.key(), obj);
    }
}

/// The server's defaults (and, for the kinds that get one there, the settled status).
fn defaults(obj: &mut Value) {
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("").to_string();
    if let Some(def) = resources::by_kind(&kind) {
        kinds::apply_defaults(def, obj);
    }
}

fn owner_ref(api_version: &str, kind: &str, name: &str, uid: &Value) -> Value {
    json!({"apiVersion": api_version, "kind": kind, "name": name, "uid": uid, "controller": true, "blockOwnerDeletion": true})
}

/// A pod-template-hash shaped value, stable per app and revision.
fn hash(name: &str, rev: usize) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes().chain([b'/', rev as u8]) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    (0..10).map(|k| ALPHABET[((h >> (k * 6)) % ALPHABET.len() as u64) as usize] as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_pods_come_from_workloads_with_replicaset_history() {
        let store = Store::new(1000);
        let n = 2000;
        load(&store, Timestamp::now(), n);
        let s = store.lock();
        assert_eq!(s.count("secrets"), n);
        assert_eq!(s.count("pods"), n);
        let deployments = (0..n).filter(|&i| maker(i, n) == Maker::Deployment).count();
        assert_eq!(s.count("deployments"), deployments);
        assert_eq!(s.count("replicasets"), deployments * (OLD_REPLICASETS + 1));
        assert!(s.count("statefulsets") > 0 && s.count("cronjobs") > 0 && s.count("daemonsets") > 0);
        // Every namespace with Pods has Deployments (namespaces of Helm records alone have
        // neither: their apps run beside the configuration they read).
        for k in 0..namespaces(n) {
            let ns = format!("scale-{k:03}");
            let pods = s.iter("pods", Some(&ns), None).count();
            let deployments = s.iter("deployments", Some(&ns), None).count();
            assert!(pods == 0 || deployments > pods / 2, "{ns}: {deployments} Deployments for {pods} Pods");
        }
        assert_eq!(s.count("jobs"), s.count("cronjobs"));
        // Every Pod has a controller that is stored, and uses a Secret of its own namespace.
        for ((ns, name), pod) in s.iter("pods", None, None) {
            let owner = &pod["metadata"]["ownerReferences"][0];
            let plural = match owner["kind"].as_str().unwrap() {
                "ReplicaSet" => "replicasets",
                "StatefulSet" => "statefulsets",
                "DaemonSet" => "daemonsets",
                "Job" => "jobs",
                other => panic!("{ns}/{name}: owner {other}"),
            };
            let stored = s.get(plural, ns, owner["name"].as_str().unwrap());
            assert_eq!(stored.map(|o| &o["metadata"]["uid"]), Some(&owner["uid"]), "{ns}/{name}");
            // Pods of Helm indices once named a Secret in the next namespace: 1 in 10 missing.
            let spec = &pod["spec"];
            let used = spec
                .pointer("/containers/0/envFrom/0/secretRef/name")
                .or_else(|| spec.pointer("/volumes/0/secret/secretName"))
                .or_else(|| spec.pointer("/imagePullSecrets/0/name"));
            let used = used.and_then(Value::as_str).unwrap();
            assert!(s.get("secrets", ns, used).is_some(), "{ns}/{name} uses {used}, which is not in {ns}");
        }
        // A Job's selector matches its Pod's labels (kubectl describe job lists its Pods).
        for ((ns, name), job) in s.iter("jobs", None, None) {
            let uid = job["metadata"]["uid"].as_str().unwrap();
            assert_eq!(
                job.pointer("/spec/selector/matchLabels/batch.kubernetes.io~1controller-uid"),
                Some(&json!(uid))
            );
            let has_pod =
                s.iter("pods", Some(ns), None).any(|(_, p)| p["metadata"]["labels"]["controller-uid"] == json!(uid));
            assert!(has_pod, "{ns}/{name}");
        }
    }
}
