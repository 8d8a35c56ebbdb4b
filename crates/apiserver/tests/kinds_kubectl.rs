//! kubectl against the kinds of issue 14: `get` with the columns kube-apiserver prints (and the
//! CRDs' printer columns), `describe`, `api-resources`, `get crd`, a cluster without
//! cert-manager, the user who cannot list CronJobs, apply and watch of a custom resource.
//!
//! Each test starts its own server in-process and runs the `kubectl` on PATH with a kubeconfig
//! and discovery cache of its own. Where kubectl is not installed, every test prints why it is
//! skipped and passes. Every kubectl run has a deadline, so a hang fails.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use keyhole_apiserver::{DemoServer, ServerOptions};
use serde_json::Value;

const DEADLINE: Duration = Duration::from_secs(30);

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
    fn start() -> Option<Kubectl> {
        Kubectl::start_with(ServerOptions::default())
    }

    fn start_with(opts: ServerOptions) -> Option<Kubectl> {
        if !kubectl_on_path() {
            eprintln!("skipping: kubectl not found on PATH");
            return None;
        }
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let server = rt.block_on(DemoServer::start(opts)).expect("demo server starts");
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("kubeconfig"), server.kubeconfig()).unwrap();
        Some(Kubectl { _server: server, _rt: rt, dir })
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new("kubectl");
        c.arg("--kubeconfig").arg(self.path("kubeconfig")).arg("--cache-dir").arg(self.path("cache")).args(args);
        c.current_dir(self.dir.path()).env("HOME", self.dir.path()).env_remove("KUBECONFIG");
        c
    }

    fn run(&self, args: &[&str]) -> Run {
        run(self.command(args), args)
    }

    fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert!(r.success, "kubectl {args:?} failed:\n{}", r.stderr);
        r.stdout
    }

    fn fails(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert!(!r.success, "kubectl {args:?} should have failed, printed:\n{}", r.stdout);
        r.stderr
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.extend(["-o", "json"]);
        serde_json::from_str(&self.ok(&all)).expect("kubectl -o json prints JSON")
    }
}

fn drain<R: Read + Send + 'static>(mut r: R) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    })
}

fn run(mut cmd: Command, args: &[&str]) -> Run {
    let mut child =
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("kubectl starts");
    let out = drain(child.stdout.take().unwrap());
    let err = drain(child.stderr.take().unwrap());
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

/// Lines of a table split on runs of two or more spaces, so that cells with one space
/// (`Refresh Interval`, `<none>`) stay whole.
fn table(out: &str) -> Vec<Vec<String>> {
    out.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split("  ").map(str::trim).filter(|c| !c.is_empty()).map(str::to_string).collect())
        .collect()
}

fn row<'a>(rows: &'a [Vec<String>], first: &[&str]) -> &'a [String] {
    rows.iter()
        .find(|r| r.len() >= first.len() && r.iter().zip(first).all(|(a, b)| a == b))
        .unwrap_or_else(|| panic!("no row starting with {first:?} in {rows:?}"))
}

/// The block of `kubectl get a,b,c` output that belongs to one kind (blocks are separated by a
/// blank line).
fn block<'a>(out: &'a str, first_name: &str) -> &'a str {
    out.split("\n\n").find(|b| b.lines().nth(1).is_some_and(|l| l.contains(first_name))).unwrap_or_else(|| {
        panic!("no block with {first_name} in:\n{out}");
    })
}

#[test]
fn get_workloads_and_storage_prints_the_server_columns() {
    let Some(k) = Kubectl::start() else { return };
    let out = k.ok(&["get", "cronjobs,statefulsets,daemonsets,jobs,pv,storageclass", "-A"]);

    let cron = table(block(&out, "cronjob.batch/nightly-backup"));
    assert_eq!(cron[0], ["NAMESPACE", "NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"]);
    let r = row(&cron, &["shop", "cronjob.batch/nightly-backup"]);
    assert_eq!(&r[2..6], ["0 2 * * *", "<none>", "False", "0"]);
    assert_ne!(r[6], "<none>", "it ran last night");

    let sts = table(block(&out, "statefulset.apps/db"));
    assert_eq!(sts[0], ["NAMESPACE", "NAME", "READY", "AGE"]);
    assert_eq!(&row(&sts, &["shop", "statefulset.apps/db"])[..3], ["shop", "statefulset.apps/db", "1/1"]);

    let ds = table(block(&out, "daemonset.apps/log-shipper"));
    assert_eq!(
        ds[0],
        ["NAMESPACE", "NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"]
    );
    assert_eq!(
        &row(&ds, &["monitoring", "daemonset.apps/log-shipper"])[2..8],
        ["0", "0", "0", "0", "0", "node-role.kubernetes.io/logging=true"]
    );

    let jobs = table(block(&out, "job.batch/db-migrate-42"));
    assert_eq!(jobs[0], ["NAMESPACE", "NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"]);
    assert_eq!(&row(&jobs, &["shop", "job.batch/db-migrate-42"])[2..4], ["Suspended", "0/1"]);
    assert_eq!(&row(&jobs, &["shop", "job.batch/shop-seed-data"])[2..5], ["Complete", "1/1", "47s"]);

    let pv = table(block(&out, "persistentvolume/"));
    assert_eq!(
        pv[0],
        [
            "NAMESPACE",
            "NAME",
            "CAPACITY",
            "ACCESS MODES",
            "RECLAIM POLICY",
            "STATUS",
            "CLAIM",
            "STORAGECLASS",
            "VOLUMEATTRIBUTESCLASS",
            "REASON",
            "AGE"
        ]
    );
    // Cluster-scoped: the NAMESPACE cell is empty (and the split drops it).
    let r = row(&pv, &["persistentvolume/pvc-12958521-331c-5942-8a00-85147b542b4b"]);
    assert_eq!(&r[1..8], ["20Gi", "RWO", "Delete", "Bound", "shop/data-db-0", "ceph-rbd-tenant", "<unset>"]);

    let sc = table(block(&out, "storageclass.storage.k8s.io/"));
    assert_eq!(
        sc[0],
        ["NAMESPACE", "NAME", "PROVISIONER", "RECLAIMPOLICY", "VOLUMEBINDINGMODE", "ALLOWVOLUMEEXPANSION", "AGE"]
    );
    assert_eq!(
        &row(&sc, &["storageclass.storage.k8s.io/ceph-rbd (default)"])[1..5],
        ["rbd.csi.ceph.com", "Delete", "Immediate", "true"]
    );
    assert_eq!(&row(&sc, &["storageclass.storage.k8s.io/ceph-rbd-tenant"])[3], "WaitForFirstConsumer");

    // The Deployment at zero replicas.
    let deploy = table(&k.ok(&["get", "deployment", "api", "-n", "shop"]));
    assert_eq!(&row(&deploy, &["api"])[1..4], ["0/0", "0", "0"]);
    // Wide columns.
    let wide = table(&k.ok(&["get", "cronjob", "nightly-backup", "-n", "shop", "-o", "wide"]));
    assert_eq!(&wide[0][7..], ["CONTAINERS", "IMAGES", "SELECTOR"]);
    assert_eq!(&wide[1][7..], ["pg-dump", "postgres:16", "<none>"]);
}

#[test]
fn get_custom_resources_prints_their_printer_columns() {
    let Some(k) = Kubectl::start() else { return };
    let out = k.ok(&["get", "gateways,certificates,externalsecrets,sealedsecrets", "-A"]);
    let gw = table(block(&out, "gateway.gateway.networking.k8s.io/shared-gateway"));
    assert_eq!(gw[0], ["NAMESPACE", "NAME", "CLASS", "ADDRESS", "PROGRAMMED", "AGE"]);
    assert_eq!(
        &row(&gw, &["infra"])[1..5],
        ["gateway.gateway.networking.k8s.io/shared-gateway", "eg", "172.18.255.200", "True"]
    );
    let certs = table(block(&out, "certificate.cert-manager.io/shop-gateway"));
    assert_eq!(certs[0], ["NAMESPACE", "NAME", "READY", "SECRET", "AGE"]);
    assert_eq!(&row(&certs, &["shop"])[2..4], ["True", "shop-gateway-tls"]);
    let es = table(block(&out, "externalsecret.external-secrets.io/payments-api"));
    assert_eq!(es[0], ["NAMESPACE", "NAME", "STORETYPE", "STORE", "REFRESH INTERVAL", "STATUS", "READY"]);
    assert_eq!(&row(&es, &["shop"])[2..7], ["ClusterSecretStore", "vault-backend", "1h", "SecretSynced", "True"]);
    let sealed = table(block(&out, "sealedsecret.bitnami.com/smtp-credentials"));
    // No message on success: the Status cell is empty, Synced is True.
    assert_eq!(sealed[0], ["NAMESPACE", "NAME", "STATUS", "SYNCED", "AGE"]);
    assert_eq!(&row(&sealed, &["shop"])[2], "True");

    let wide = table(&k.ok(&["get", "certificate", "shop-gateway", "-n", "shop", "-o", "wide"]));
    assert_eq!(wide[0], ["NAME", "READY", "SECRET", "ISSUER", "STATUS", "AGE"]);
    assert_eq!(
        &wide[1][..5],
        [
            "shop-gateway",
            "True",
            "shop-gateway-tls",
            "keyhole-demo-ca",
            "Certificate is up to date and has not expired"
        ]
    );

    let grants = table(&k.ok(&["get", "referencegrants", "-n", "shop"]));
    assert_eq!(grants[0], ["NAME", "AGE"]);
    assert_eq!(grants[1][0], "allow-infra-gateways");

    // The deprecated version still serves, with kube-apiserver's warning.
    let r = k.run(&["get", "externalsecrets.v1beta1.external-secrets.io", "-n", "shop", "-o", "name"]);
    assert!(r.success, "{}", r.stderr);
    assert_eq!(r.stdout.trim(), "externalsecret.external-secrets.io/payments-api");
    assert!(
        r.stderr.contains("Warning: external-secrets.io/v1beta1 ExternalSecret is deprecated; use external-secrets.io/v1 ExternalSecret"),
        "{}",
        r.stderr
    );
    let beta = k.json(&["get", "externalsecrets.v1beta1.external-secrets.io", "payments-api", "-n", "shop"]);
    assert_eq!(beta["apiVersion"], "external-secrets.io/v1beta1");
}

#[test]
fn describe_each_kind() {
    let Some(k) = Kubectl::start() else { return };
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["cronjob", "nightly-backup", "-n", "shop"],
            &["Name:", "nightly-backup", "Schedule:", "0 2 * * *", "backup-s3-credentials", "shop-db"],
        ),
        (&["statefulset", "db", "-n", "shop"], &["Name:", "db", "Replicas:", "shop-db"]),
        (
            &["daemonset", "log-shipper", "-n", "monitoring"],
            &[
                "Name:",
                "log-shipper",
                "Node-Selector:",
                "node-role.kubernetes.io/logging=true",
                "log-shipper-credentials",
            ],
        ),
        (
            &["job", "db-migrate-42", "-n", "shop"],
            &["Name:", "db-migrate-42", "Suspend:", "true", "db-migrate-credentials"],
        ),
        (&["job", "shop-seed-data", "-n", "shop"], &["Completed At:", "seed-data-token"]),
        (&["deployment", "api", "-n", "shop"], &["Replicas:", "0 desired", "api-signing-key"]),
        (
            &["pv", "pvc-12958521-331c-5942-8a00-85147b542b4b"],
            &["StorageClass:", "ceph-rbd-tenant", "Claim:", "shop/data-db-0", "rbd.csi.ceph.com"],
        ),
        (
            &["storageclass", "ceph-rbd-tenant"],
            &["Provisioner:", "rbd.csi.ceph.com", "csi.storage.k8s.io/node-publish-secret-name=${pvc.name}-rbd-key"],
        ),
        (
            &["gateway", "shared-gateway", "-n", "infra"],
            &["Kind:", "Gateway", "Certificate Refs:", "shop-gateway-tls", "RefNotPermitted"],
        ),
        (&["referencegrant", "allow-infra-gateways", "-n", "shop"], &["Kind:", "ReferenceGrant", "shop-gateway-tls"]),
        (
            &["certificate", "shop-gateway", "-n", "shop"],
            &["Kind:", "Certificate", "Secret Name:", "shop-gateway-tls", "Not After:"],
        ),
        (
            &["externalsecret", "payments-api", "-n", "shop"],
            &["Kind:", "ExternalSecret", "payments-api-credentials", "Creation Policy:", "Owner"],
        ),
        (&["sealedsecret", "smtp-credentials", "-n", "shop"], &["Kind:", "SealedSecret", "Encrypted Data:"]),
        (
            &["secret", "payments-api-credentials", "-n", "shop"],
            &["reconcile.external-secrets.io/managed=true", "PAYMENTS_API_KEY:"],
        ),
        (&["serviceaccount", "deployer", "-n", "shop"], &["Mountable secrets:", "deployer-token-7xk2p"]),
        (&["crd", "certificates.cert-manager.io"], &["Kind:", "CustomResourceDefinition", "Established"]),
    ];
    for (args, wants) in cases {
        let mut all = vec!["describe"];
        all.extend(args.iter());
        let out = k.ok(&all);
        for want in wants.iter() {
            assert!(out.contains(want), "kubectl describe {args:?} lacks {want:?}:\n{out}");
        }
        assert!(!out.contains("demo-payments-api-key"), "describe never prints a Secret's values");
    }
}

#[test]
fn api_resources_and_crds_list_the_new_kinds() {
    let Some(k) = Kubectl::start() else { return };
    let rows = table(&k.ok(&["api-resources"]));
    assert_eq!(row(&rows, &["cronjobs"]), ["cronjobs", "cj", "batch/v1", "true", "CronJob"]);
    assert_eq!(row(&rows, &["jobs"]), ["jobs", "batch/v1", "true", "Job"]);
    assert_eq!(row(&rows, &["statefulsets"]), ["statefulsets", "sts", "apps/v1", "true", "StatefulSet"]);
    assert_eq!(row(&rows, &["daemonsets"]), ["daemonsets", "ds", "apps/v1", "true", "DaemonSet"]);
    assert_eq!(row(&rows, &["persistentvolumes"]), ["persistentvolumes", "pv", "v1", "false", "PersistentVolume"]);
    assert_eq!(row(&rows, &["storageclasses"]), ["storageclasses", "sc", "storage.k8s.io/v1", "false", "StorageClass"]);
    assert_eq!(
        row(&rows, &["customresourcedefinitions"]),
        ["customresourcedefinitions", "crd,crds", "apiextensions.k8s.io/v1", "false", "CustomResourceDefinition"]
    );
    assert_eq!(row(&rows, &["gateways"]), ["gateways", "gtw", "gateway.networking.k8s.io/v1", "true", "Gateway"]);
    assert_eq!(
        row(&rows, &["referencegrants"]),
        ["referencegrants", "refgrant", "gateway.networking.k8s.io/v1beta1", "true", "ReferenceGrant"]
    );
    assert_eq!(
        row(&rows, &["certificates"]),
        ["certificates", "cert,certs", "cert-manager.io/v1", "true", "Certificate"]
    );
    assert_eq!(
        row(&rows, &["externalsecrets"]),
        ["externalsecrets", "es", "external-secrets.io/v1", "true", "ExternalSecret"]
    );
    assert_eq!(row(&rows, &["sealedsecrets"]), ["sealedsecrets", "bitnami.com/v1alpha1", "true", "SealedSecret"]);
    let versions = k.ok(&["api-versions"]);
    for gv in [
        "batch/v1",
        "storage.k8s.io/v1",
        "gateway.networking.k8s.io/v1",
        "gateway.networking.k8s.io/v1beta1",
        "external-secrets.io/v1beta1",
    ] {
        assert!(versions.lines().any(|l| l == gv), "{gv} in {versions}");
    }
    let crds = table(&k.ok(&["get", "crd"]));
    assert_eq!(crds[0], ["NAME", "CREATED AT"]);
    for name in keyhole_apiserver::demo_kinds::CRDS {
        row(&crds, &[name]);
    }
    // Short names and categories, as kubectl resolves them.
    assert_eq!(k.ok(&["get", "cj", "-n", "shop", "-o", "name"]).trim(), "cronjob.batch/nightly-backup");
    let gateway_api = k.ok(&["get", "gateway-api", "-A", "-o", "name"]);
    assert!(gateway_api.contains("gateway.gateway.networking.k8s.io/shared-gateway"), "{gateway_api}");
    assert!(gateway_api.contains("referencegrant.gateway.networking.k8s.io/allow-infra-gateways"), "{gateway_api}");
}

#[test]
fn without_cert_manager_kubectl_does_not_know_certificates() {
    let opts = ServerOptions { without_crds: vec!["cert-manager.io".into()], ..ServerOptions::default() };
    let Some(k) = Kubectl::start_with(opts) else { return };
    let err = k.fails(&["get", "certificates", "-A"]);
    assert!(err.contains("the server doesn't have a resource type \"certificates\""), "{err}");
    let rows = table(&k.ok(&["api-resources"]));
    assert!(rows.iter().all(|r| r[0] != "certificates"), "{rows:?}");
    assert!(rows.iter().any(|r| r[0] == "gateways"));
    let raw = k.fails(&["get", "--raw", "/apis/cert-manager.io"]);
    assert!(raw.contains("NotFound") || raw.contains("not find the requested resource"), "{raw}");
    assert!(!k.ok(&["get", "crd", "-o", "name"]).contains("cert-manager.io"));
    // The Secret it issued stays behind.
    k.ok(&["get", "secret", "shop-gateway-tls", "-n", "shop"]);
}

#[test]
fn the_no_cronjobs_user_gets_forbidden_for_cronjobs_only() {
    let Some(k) = Kubectl::start() else { return };
    let ctx = ["--context", "keyhole-demo-nocronjobs"];
    let err = k.fails(&[&ctx[..], &["get", "cronjobs", "-A"]].concat());
    assert!(
        err.contains("cronjobs.batch is forbidden: User \"no-cronjobs\" cannot list resource \"cronjobs\" in API group \"batch\" at the cluster scope"),
        "{err}"
    );
    let r = k.run(&[&ctx[..], &["auth", "can-i", "list", "cronjobs", "-n", "shop"]].concat());
    assert_eq!((r.success, r.stdout.trim()), (false, "no"), "{}", r.stderr);
    let r = k.run(&[&ctx[..], &["auth", "can-i", "list", "jobs", "-n", "shop"]].concat());
    assert_eq!(r.stdout.trim(), "yes", "{}", r.stderr);
    k.ok(&[&ctx[..], &["get", "jobs,statefulsets,daemonsets,pv,storageclass,gateways,certificates", "-A"]].concat());
    k.ok(&[&ctx[..], &["get", "secrets", "-n", "shop"]].concat());
    let list = k.ok(&[&ctx[..], &["auth", "can-i", "--list", "-n", "shop"]].concat());
    let batch = list.lines().find(|l| l.starts_with("jobs.batch")).unwrap_or_else(|| panic!("{list}"));
    assert!(batch.contains("[get list watch]"), "{batch}");
    assert!(!list.lines().any(|l| l.starts_with("cronjobs.batch")), "{list}");
}

#[test]
fn apply_and_watch_a_custom_resource() {
    let Some(k) = Kubectl::start() else { return };
    // Whether the watch starts before or after the create, the new object is printed.
    let mut watch = Stream::spawn(k.command(&["get", "certificates", "-n", "default", "-w"]));
    let manifest = "apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: web
  namespace: default
spec:
  secretName: web-tls
  dnsNames: [web.example.com]
  issuerRef:
    name: keyhole-demo-ca
    kind: ClusterIssuer
";
    std::fs::write(k.path("cert.yaml"), manifest).unwrap();
    let out = k.ok(&["apply", "-f", k.path("cert.yaml").to_str().unwrap()]);
    assert_eq!(out.trim(), "certificate.cert-manager.io/web created");
    watch.expect("the new Certificate", |l| l.starts_with("web ") && l.contains("web-tls"));
    let out = k.ok(&["apply", "-f", k.path("cert.yaml").to_str().unwrap()]);
    assert_eq!(out.trim(), "certificate.cert-manager.io/web unchanged");
    std::fs::write(k.path("cert.yaml"), manifest.replace("web-tls", "web-tls-2")).unwrap();
    let out = k.ok(&["apply", "-f", k.path("cert.yaml").to_str().unwrap()]);
    assert_eq!(out.trim(), "certificate.cert-manager.io/web configured");
    watch.expect("the changed Certificate", |l| l.starts_with("web ") && l.contains("web-tls-2"));
    assert_eq!(
        k.ok(&["delete", "certificate", "web", "-n", "default"]).trim(),
        "certificate.cert-manager.io \"web\" deleted"
    );
    // Built-in kinds from manifests (kubectl's `create job|cronjob` send protobuf bodies, which
    // the embedded cluster decodes only for Secrets, Namespaces, ServiceAccounts and reviews).
    let jobs = "apiVersion: batch/v1
kind: CronJob
metadata:
  name: tick
  namespace: default
spec:
  schedule: '*/5 * * * *'
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: tick
            image: busybox
            envFrom:
            - secretRef:
                name: tick-env
";
    std::fs::write(k.path("cron.yaml"), jobs).unwrap();
    assert_eq!(k.ok(&["apply", "-f", k.path("cron.yaml").to_str().unwrap()]).trim(), "cronjob.batch/tick created");
    let rows = table(&k.ok(&["get", "cronjob", "tick", "-n", "default"]));
    assert_eq!(&rows[1][..6], ["tick", "*/5 * * * *", "<none>", "False", "0", "<none>"]);
}

/// A running kubectl whose stdout is read as it comes.
struct Stream {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Stream {
    fn spawn(mut cmd: Command) -> Stream {
        let mut child =
            cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("kubectl starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Stream { child, lines, seen: Vec::new() }
    }

    fn expect(&mut self, what: &str, want: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + DEADLINE;
        loop {
            match self.lines.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(line) => {
                    let found = want(&line);
                    self.seen.push(line);
                    if found {
                        return;
                    }
                }
                Err(_) => panic!("no line with {what}; saw:\n{}", self.seen.join("\n")),
            }
        }
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
