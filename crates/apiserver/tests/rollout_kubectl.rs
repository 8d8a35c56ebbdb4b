//! kubectl's rollouts against the embedded cluster's controllers: `kubectl rollout restart`
//! really rolls a Deployment (a new ReplicaSet at the next revision, `rollout status` ends
//! "successfully rolled out", `rollout history` lists both revisions), the demo's failing
//! Deployment exceeds its progress deadline, and a StatefulSet and a DaemonSet restart.
//!
//! Each test starts its own server in-process, with a short pace and progress deadline, and
//! runs the `kubectl` on PATH with a kubeconfig and discovery cache of its own. Where kubectl is
//! not installed, every test prints why it is skipped and passes. Every kubectl run has a
//! deadline, so a hang fails.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use keyhole_apiserver::{DemoServer, ServerOptions};
use serde_json::Value;

const DEADLINE: Duration = Duration::from_secs(40);

fn kubectl_on_path() -> bool {
    let name = if cfg!(windows) { "kubectl.exe" } else { "kubectl" };
    std::env::var_os("PATH").is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(name).is_file()))
}

#[derive(Debug)]
struct Run {
    success: bool,
    stdout: String,
    stderr: String,
}

struct Kubectl {
    _server: DemoServer,
    _rt: tokio::runtime::Runtime,
    dir: tempfile::TempDir,
}

impl Kubectl {
    /// The demo cluster rolling a step every 100 ms, with progress deadlines of at most 2 s.
    fn start() -> Option<Kubectl> {
        if !kubectl_on_path() {
            eprintln!("skipping: kubectl not found on PATH");
            return None;
        }
        let opts = ServerOptions {
            rollout_pace: Duration::from_millis(100),
            progress_deadline_cap: Some(Duration::from_secs(2)),
            ..ServerOptions::default()
        };
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let server = rt.block_on(DemoServer::start(opts)).expect("demo server starts");
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("kubeconfig"), server.kubeconfig()).unwrap();
        Some(Kubectl { _server: server, _rt: rt, dir })
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn run(&self, args: &[&str]) -> Run {
        let mut c = Command::new("kubectl");
        c.arg("--kubeconfig").arg(self.path("kubeconfig")).arg("--cache-dir").arg(self.path("cache")).args(args);
        c.current_dir(self.dir.path()).env("HOME", self.dir.path()).env_remove("KUBECONFIG");
        let mut child =
            c.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("kubectl starts");
        let drain = |mut r: Box<dyn Read + Send>| {
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                let _ = r.read_to_end(&mut buf);
                String::from_utf8_lossy(&buf).into_owned()
            })
        };
        let out = drain(Box::new(child.stdout.take().unwrap()));
        let err = drain(Box::new(child.stderr.take().unwrap()));
        let start = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if start.elapsed() > DEADLINE {
                let _ = child.kill();
                let _ = child.wait();
                panic!("kubectl {args:?} did not finish within {DEADLINE:?}; stderr:\n{}", err.join().unwrap());
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        Run { success: status.success(), stdout: out.join().unwrap(), stderr: err.join().unwrap() }
    }

    fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert!(r.success, "kubectl {args:?} failed:\n{}", r.stderr);
        r.stdout
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.extend(["-o", "json"]);
        serde_json::from_str(&self.ok(&all)).expect("kubectl -o json prints JSON")
    }
}

#[test]
fn rollout_restart_of_a_deployment_rolls_a_new_replica_set_out() {
    let Some(k) = Kubectl::start() else { return };
    assert_eq!(k.ok(&["rollout", "restart", "deployment/secret-env"]).trim(), "deployment.apps/secret-env restarted");
    let status = k.ok(&["rollout", "status", "deployment/secret-env", "--timeout=30s"]);
    assert!(status.trim_end().ends_with("deployment \"secret-env\" successfully rolled out"), "{status}");

    let d = k.json(&["get", "deployment", "secret-env"]);
    let restarted = &d["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"];
    assert!(restarted.as_str().is_some_and(|t| t.parse::<jiff::Timestamp>().is_ok()), "{d}");
    assert_eq!(d["metadata"]["generation"], 2);
    assert_eq!(d["status"]["observedGeneration"], 2);
    assert_eq!(d["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "2");

    let rs = k.json(&["get", "rs", "-l", "app=secret-env"]);
    let items = rs["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "the old ReplicaSet stays, at zero: {rs}");
    let new = items
        .iter()
        .find(|r| r["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2")
        .expect("revision 2");
    let new_name = new["metadata"]["name"].as_str().unwrap();
    let hash = new["metadata"]["labels"]["pod-template-hash"].as_str().unwrap();
    assert_eq!(new_name, format!("secret-env-{hash}"));
    assert_eq!(new["status"]["readyReplicas"], 1);
    let old = items.iter().find(|r| r["metadata"]["name"] == "secret-env-6d9c7b8f5").unwrap();
    assert_eq!(old["spec"]["replicas"], 0);

    let table = k.ok(&["get", "rs", "-l", "app=secret-env"]);
    let row = table.lines().find(|l| l.starts_with(new_name)).unwrap_or_else(|| panic!("{table}"));
    assert_eq!(row.split_whitespace().skip(1).take(3).collect::<Vec<_>>(), ["1", "1", "1"], "{table}");

    let history = k.ok(&["rollout", "history", "deployment/secret-env"]);
    let revisions: Vec<&str> =
        history.lines().filter_map(|l| l.split_whitespace().next()).filter(|w| w.parse::<u32>().is_ok()).collect();
    assert_eq!(revisions, ["1", "2"], "{history}");

    let pods = k.json(&["get", "pods", "-l", "app=secret-env"]);
    let pods = pods["items"].as_array().unwrap();
    assert_eq!(pods.len(), 1, "the old Pod is gone");
    assert!(pods[0]["metadata"]["name"].as_str().unwrap().starts_with(&format!("{new_name}-")));
    assert_eq!(pods[0]["status"]["phase"], "Running");
    assert_eq!(pods[0]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"], *restarted);
}

#[test]
fn the_demo_rollout_that_cannot_pull_exceeds_its_progress_deadline() {
    let Some(k) = Kubectl::start() else { return };
    k.ok(&["rollout", "restart", "-n", "shop", "deployment/orders-worker"]);
    let r = k.run(&["rollout", "status", "-n", "shop", "deployment/orders-worker", "--timeout=30s"]);
    assert!(!r.success, "{}", r.stdout);
    assert!(r.stderr.contains("error: deployment \"orders-worker\" exceeded its progress deadline"), "{}", r.stderr);

    let d = k.json(&["get", "-n", "shop", "deployment", "orders-worker"]);
    let conditions = d["status"]["conditions"].as_array().unwrap();
    let progressing = conditions.iter().find(|c| c["type"] == "Progressing").unwrap();
    assert_eq!(progressing["status"], "False");
    assert_eq!(progressing["reason"], "ProgressDeadlineExceeded");
    let message = progressing["message"].as_str().unwrap();
    assert!(
        message.starts_with("ReplicaSet \"orders-worker-") && message.ends_with("\" has timed out progressing."),
        "{message}"
    );

    // The old Pods serve; the new one cannot pull its image.
    let table = k.ok(&["get", "pods", "-n", "shop", "-l", "app=orders-worker"]);
    let statuses: Vec<(&str, &str)> = table
        .lines()
        .skip(1)
        .filter_map(|l| {
            let cells: Vec<&str> = l.split_whitespace().collect();
            Some((*cells.first()?, *cells.get(2)?))
        })
        .collect();
    assert_eq!(
        statuses.iter().filter(|(n, s)| n.starts_with("orders-worker-9c4d7f6b5-") && *s == "Running").count(),
        2,
        "{table}"
    );
    assert_eq!(statuses.iter().filter(|(_, s)| *s == "ImagePullBackOff").count(), 1, "{table}");
}

#[test]
fn rollout_restart_of_a_statefulset_and_a_daemonset_completes() {
    let Some(k) = Kubectl::start() else { return };
    k.ok(&["rollout", "restart", "-n", "shop", "statefulset/db"]);
    let status = k.ok(&["rollout", "status", "-n", "shop", "statefulset/db", "--timeout=30s"]);
    assert!(status.trim_end().ends_with("partitioned roll out complete: 1 new pods have been updated..."), "{status}");
    let set = k.json(&["get", "-n", "shop", "statefulset", "db"]);
    assert_eq!(set["status"]["currentRevision"], set["status"]["updateRevision"]);
    assert_eq!(set["status"]["updatedReplicas"], 1);
    let pod = k.json(&["get", "-n", "shop", "pod", "db-0"]);
    assert_eq!(pod["metadata"]["labels"]["controller-revision-hash"], set["status"]["updateRevision"]);
    assert!(pod["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"].is_string());

    let manifest = k.path("ds.yaml");
    std::fs::write(
        &manifest,
        "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: node-agent\n  namespace: monitoring\nspec:\n  selector:\n    matchLabels:\n      app: node-agent\n  template:\n    metadata:\n      labels:\n        app: node-agent\n    spec:\n      containers:\n      - name: agent\n        image: example/agent:1.0\n",
    )
    .unwrap();
    k.ok(&["apply", "-f", manifest.to_str().unwrap()]);
    k.ok(&["rollout", "restart", "-n", "monitoring", "daemonset/node-agent"]);
    let status = k.ok(&["rollout", "status", "-n", "monitoring", "daemonset/node-agent", "--timeout=30s"]);
    assert!(status.trim_end().ends_with("daemon set \"node-agent\" successfully rolled out"), "{status}");
    let pods = k.json(&["get", "pods", "-n", "monitoring", "-l", "app=node-agent"]);
    let pods = pods["items"].as_array().unwrap();
    assert_eq!(pods.len(), 1);
    assert_eq!(pods[0]["status"]["phase"], "Running");
    assert_eq!(pods[0]["metadata"]["ownerReferences"][0]["kind"], "DaemonSet");
}
