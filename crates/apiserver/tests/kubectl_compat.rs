//! kubectl against the embedded cluster (DESIGN.md decision 3: real clients work unchanged).
//!
//! Each test starts its own server in-process, writes its kubeconfig to a temporary directory and
//! runs the `kubectl` on PATH with that kubeconfig and a discovery cache of its own, then asserts
//! on what kubectl prints, as a user would see it. Where kubectl is not installed, every test
//! prints why it is skipped and passes. Every kubectl run has a deadline, so a hang fails.

// Test helpers: a failed setup step should fail the test on the spot.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use keyhole_apiserver::{DemoServer, ServerOptions};
use serde_json::Value;

/// How long one kubectl command may take before the test fails.
const DEADLINE: Duration = Duration::from_secs(30);

const PKI: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/pki");

fn kubectl_on_path() -> bool {
    let name = if cfg!(windows) { "kubectl.exe" } else { "kubectl" };
    std::env::var_os("PATH").is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(name).is_file()))
}

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn unb64(s: &str) -> String {
    let bytes = base64::engine::general_purpose::STANDARD.decode(s.trim()).expect("base64 from kubectl");
    String::from_utf8(bytes).expect("UTF-8 value")
}

/// What one kubectl run printed.
#[derive(Debug)]
struct Run {
    success: bool,
    stdout: String,
    stderr: String,
}

/// One embedded cluster and a kubectl set up for it.
struct Kubectl {
    // Dropped in this order: the server stops before its runtime goes away.
    _server: DemoServer,
    _rt: tokio::runtime::Runtime,
    dir: tempfile::TempDir,
}

impl Kubectl {
    /// Starts a server with the demo data, or says why the test is skipped.
    fn start() -> Option<Kubectl> {
        if !kubectl_on_path() {
            eprintln!("skipping: kubectl not found on PATH");
            return None;
        }
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let server = rt.block_on(DemoServer::start(ServerOptions::default())).expect("demo server starts");
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("kubeconfig"), server.kubeconfig()).unwrap();
        std::fs::create_dir(dir.path().join("tmp")).unwrap();
        Some(Kubectl { _server: server, _rt: rt, dir })
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes a file into the test's directory and returns its path.
    fn file(&self, name: &str, contents: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, contents).unwrap();
        p
    }

    /// kubectl with this cluster's kubeconfig and cache, isolated from the user's own files.
    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new("kubectl");
        c.arg("--kubeconfig").arg(self.path("kubeconfig")).arg("--cache-dir").arg(self.path("cache")).args(args);
        c.current_dir(self.dir.path())
            .env("HOME", self.dir.path())
            .env("TMPDIR", self.path("tmp"))
            .env_remove("KUBECONFIG")
            .env_remove("KUBE_EDITOR")
            .env_remove("EDITOR")
            .env_remove("KUBECTL_EXTERNAL_DIFF");
        c
    }

    fn run(&self, args: &[&str]) -> Run {
        run(self.command(args), None, args)
    }

    fn run_with_stdin(&self, args: &[&str], stdin: &str) -> Run {
        run(self.command(args), Some(stdin), args)
    }

    /// Runs kubectl, requires success and returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert!(r.success, "kubectl {args:?} failed:\n{}", r.stderr);
        r.stdout
    }

    /// Runs kubectl, requires failure and returns stderr.
    fn fails(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert!(!r.success, "kubectl {args:?} should have failed, printed:\n{}", r.stdout);
        r.stderr
    }

    /// One value of a Secret, decoded, read back with `-o jsonpath`.
    fn value(&self, ns: &str, name: &str, key: &str) -> String {
        let escaped = key.replace('.', "\\.");
        unb64(&self.ok(&["get", "secret", name, "-n", ns, "-o", &format!("jsonpath={{.data.{escaped}}}")]))
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["-o", "json"]);
        serde_json::from_str(&self.ok(&all)).expect("kubectl -o json prints JSON")
    }

    /// `kubectl ... -w` (or anything long-running), read line by line while it runs.
    fn stream(&self, args: &[&str]) -> Stream {
        let mut child = self
            .command(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kubectl starts");
        let (tx, lines) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        let stderr = drain(child.stderr.take().unwrap());
        Stream { child, lines, seen: Vec::new(), stderr: Some(stderr) }
    }
}

/// Reads a pipe to the end in a thread.
fn drain<R: Read + Send + 'static>(mut r: R) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    })
}

/// Runs a command to completion within the deadline; kills it and fails the test otherwise.
fn run(mut cmd: Command, stdin: Option<&str>, args: &[&str]) -> Run {
    let mut child = cmd
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kubectl starts");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        let input = input.to_string();
        std::thread::spawn(move || {
            let _ = pipe.write_all(input.as_bytes());
        });
    }
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

/// A running kubectl whose stdout is read as it comes.
struct Stream {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
    stderr: Option<std::thread::JoinHandle<String>>,
}

impl Stream {
    /// Waits for a line that satisfies `want` and returns it (its words).
    fn expect(&mut self, what: &str, want: impl Fn(&[&str]) -> bool) -> Vec<String> {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let words: Vec<&str> = line.split_whitespace().collect();
                    let found = want(&words);
                    let owned = words.iter().map(|w| w.to_string()).collect();
                    self.seen.push(line);
                    if found {
                        return owned;
                    }
                }
                Err(e) => {
                    let _ = self.child.kill();
                    let status = self.child.wait();
                    let stderr = self.stderr.take().map(|h| h.join().unwrap()).unwrap_or_default();
                    let why = match e {
                        mpsc::RecvTimeoutError::Timeout => format!("within {DEADLINE:?}"),
                        mpsc::RecvTimeoutError::Disconnected => format!("before kubectl ended ({status:?})"),
                    };
                    panic!("no line with {what} {why}; saw:\n{}\nstderr:\n{stderr}", self.seen.join("\n"));
                }
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

/// The rows of kubectl's table output, split into words (no value here contains a space).
fn table(out: &str) -> Vec<Vec<String>> {
    out.lines().map(|l| l.split_whitespace().map(str::to_string).collect()).collect()
}

/// The row whose first words are `first`.
fn row<'a>(rows: &'a [Vec<String>], first: &[&str]) -> &'a [String] {
    rows.iter()
        .find(|r| r.len() >= first.len() && r.iter().zip(first).all(|(a, b)| a == b))
        .unwrap_or_else(|| panic!("no row starting with {first:?} in {rows:?}"))
}

const TLS_MANIFEST_WITH_THREE_ERRORS: &str = "apiVersion: v1
kind: Secret
metadata:
  name: x
type: kubernetes.io/tls
data:
  \"bad key\": YQ==
";

const BAD_KEY_MESSAGE: &str = "Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

// --- get -------------------------------------------------------------------------------------

#[test]
fn get_secrets_across_namespaces_prints_the_server_table() {
    let Some(k) = Kubectl::start() else { return };
    let out = k.ok(&["get", "secrets", "-A"]);
    let rows = table(&out);
    assert_eq!(rows[0], ["NAMESPACE", "NAME", "TYPE", "DATA", "AGE"]);
    let my = row(&rows, &["default", "mysecret"]);
    assert_eq!(&my[2..4], ["Opaque", "4"]);
    assert!(my[4].ends_with('d') || my[4].ends_with('h'), "an age such as 49d: {my:?}");
    assert_eq!(&row(&rows, &["kube-system", "bootstrap-token-5emitj"])[2..4], ["bootstrap.kubernetes.io/token", "6"]);
    assert_eq!(&row(&rows, &["default", "secret-tls"])[2..4], ["kubernetes.io/tls", "2"]);
    assert_eq!(&row(&rows, &["default", "secret-basic-auth"])[2..4], ["kubernetes.io/basic-auth", "2"]);
    assert_eq!(&row(&rows, &["default", "empty-secret"])[2..4], ["Opaque", "0"]);
    assert!(rows.iter().any(|r| r[0] == "shop"));

    // One namespace: no NAMESPACE column; the context's namespace is default.
    let rows_default = table(&k.ok(&["get", "secrets"]));
    assert_eq!(rows_default[0], ["NAME", "TYPE", "DATA", "AGE"]);
    assert_eq!(&row(&rows_default, &["mysecret"])[1..3], ["Opaque", "4"]);
    assert!(rows_default.iter().all(|r| r[0] != "bootstrap-token-5emitj"));

    // Pages of two give the same rows as one list.
    let paged = k.ok(&["get", "secrets", "-A", "--chunk-size=2", "-o", "name"]);
    assert_eq!(paged, k.ok(&["get", "secrets", "-A", "-o", "name"]));
    assert!(paged.lines().count() > 20);

    // Selectors are evaluated by the server.
    let tls = table(&k.ok(&["get", "secrets", "-A", "--field-selector", "type=kubernetes.io/tls"]));
    assert!(tls.len() > 2 && tls[1..].iter().all(|r| r[2] == "kubernetes.io/tls"), "{tls:?}");
    let labelled = k.ok(&["get", "secrets", "-l", "app.kubernetes.io/part-of=docs-examples", "--show-labels"]);
    assert!(labelled.lines().next().unwrap().ends_with("LABELS"));
    assert!(labelled.contains("mysecret"));
    let err = k.fails(&["get", "secrets", "--field-selector", "data.password=x"]);
    assert_eq!(
        err.trim(),
        "Error from server (BadRequest): Unable to find \"/v1, Resource=secrets\" that match label selector \"\", field selector \"data.password=x\": field label not supported: data.password"
    );
    let err = k.fails(&["get", "secret", "no-such-secret"]);
    assert_eq!(err.trim(), "Error from server (NotFound): secrets \"no-such-secret\" not found");
}

#[test]
fn get_secret_as_yaml_and_json_shows_base64_data_and_never_string_data() {
    let Some(k) = Kubectl::start() else { return };
    let yaml = k.ok(&["get", "secret", "mysecret", "-o", "yaml"]);
    assert!(yaml.starts_with("apiVersion: v1\n"), "{yaml}");
    assert!(yaml.contains("\nkind: Secret\n"));
    assert!(yaml.contains(&format!("\n  password: {}\n", b64("1f2d1e2e67df"))));
    assert!(yaml.contains(&format!("\n  username: {}\n", b64("admin"))));
    assert!(yaml.contains("\n  name: mysecret\n  namespace: default\n"));
    assert!(yaml.contains("\n  resourceVersion: \""));
    assert!(yaml.contains("\ntype: Opaque\n"));
    assert!(!yaml.contains("stringData"));

    let json = k.json(&["get", "secret", "secret-basic-auth"]);
    assert_eq!(json["kind"], "Secret");
    assert_eq!(json["type"], "kubernetes.io/basic-auth");
    assert_eq!(json["data"]["password"], b64("t0p-Secret"), "the docs' stringData example, stored as data");
    assert!(json.get("stringData").is_none());

    assert_eq!(k.value("default", "mysecret", "username"), "admin");
    assert_eq!(k.value("kube-system", "bootstrap-token-5emitj", "token-id"), "5emitj");
    let list = k.json(&["get", "secrets", "-n", "kube-system"]);
    assert_eq!(list["kind"], "List");
    assert!(list["items"].as_array().unwrap().iter().all(|i| i["kind"] == "Secret"));

    // describe shows sizes, never values.
    let described = k.ok(&["describe", "secret", "mysecret"]);
    assert!(described.contains("Type:  Opaque"), "{described}");
    assert!(described.lines().any(|l| l.split_whitespace().collect::<Vec<_>>() == ["password:", "12", "bytes"]));
    assert!(!described.contains("1f2d1e2e67df") && !described.contains(&b64("1f2d1e2e67df")));
}

#[test]
fn get_pods_prints_the_pod_columns() {
    let Some(k) = Kubectl::start() else { return };
    let rows = table(&k.ok(&["get", "pods"]));
    assert_eq!(rows[0], ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]);
    assert_eq!(&row(&rows, &["mypod"])[1..4], ["1/1", "Running", "0"]);
    assert!(rows.len() > 10);
    for r in &rows[1..] {
        assert_eq!(&r[1..4], ["1/1", "Running", "0"], "every demo pod has one ready container: {r:?}");
    }
    let wide = table(&k.ok(&["get", "pods", "-o", "wide", "-n", "shop"]));
    assert_eq!(wide[0][..7], ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE"]);
    let all = k.ok(&["get", "all", "-n", "shop"]);
    assert!(all.contains("pod/shop-frontend-") && all.contains("deployment.apps/shop-frontend"), "{all}");
    let pod = k.json(&["get", "pod", "mypod"]);
    assert_eq!(pod["spec"]["volumes"][0]["secret"]["secretName"], "mysecret");
}

// --- create ----------------------------------------------------------------------------------

#[test]
fn create_secret_generic_from_literals_and_files() {
    let Some(k) = Kubectl::start() else { return };
    let out = k.ok(&["create", "secret", "generic", "lit", "--from-literal=user=alice", "--from-literal=pass=s3cr=t"]);
    assert_eq!(out.trim(), "secret/lit created");
    assert_eq!(k.value("default", "lit", "user"), "alice");
    assert_eq!(k.value("default", "lit", "pass"), "s3cr=t");
    assert_eq!(k.ok(&["get", "secret", "lit", "-o", "jsonpath={.type}"]), "Opaque");

    let file = k.file("app.properties", "color=blue\nsize=10\n");
    let file = file.to_str().unwrap();
    let out = k.ok(&[
        "create",
        "secret",
        "generic",
        "files",
        "-n",
        "shop",
        &format!("--from-file={file}"),
        &format!("--from-file=cfg={file}"),
    ]);
    assert_eq!(out.trim(), "secret/files created");
    assert_eq!(k.value("shop", "files", "app.properties"), "color=blue\nsize=10\n");
    assert_eq!(k.value("shop", "files", "cfg"), "color=blue\nsize=10\n");
    let rows = table(&k.ok(&["get", "secret", "files", "-n", "shop"]));
    assert_eq!(&rows[1][..3], ["files", "Opaque", "2"]);

    // A second create of the same name, and server-side dry run.
    let err = k.fails(&["create", "secret", "generic", "lit", "--from-literal=a=b"]);
    assert_eq!(err.trim(), "error: failed to create secret secrets \"lit\" already exists");
    let out = k.ok(&["create", "secret", "generic", "dry", "--from-literal=a=b", "--dry-run=server"]);
    assert_eq!(out.trim(), "secret/dry created (server dry run)");
    assert!(k.fails(&["get", "secret", "dry"]).contains("NotFound"));
    // kubectl's own key check, before the request.
    let err = k.fails(&["create", "secret", "generic", "bad", "--from-literal=bad key=v"]);
    assert!(err.contains("\"bad key\" is not valid key name for a Secret"), "{err}");
}

#[test]
fn create_secret_tls_stores_the_pem_files() {
    let Some(k) = Kubectl::start() else { return };
    let (crt, key) = (format!("{PKI}/example.com.crt"), format!("{PKI}/example.com.key"));
    let out = k.ok(&["create", "secret", "tls", "web-tls", &format!("--cert={crt}"), &format!("--key={key}")]);
    assert_eq!(out.trim(), "secret/web-tls created");
    assert_eq!(k.ok(&["get", "secret", "web-tls", "-o", "jsonpath={.type}"]), "kubernetes.io/tls");
    assert_eq!(k.value("default", "web-tls", "tls.crt"), std::fs::read_to_string(&crt).unwrap());
    assert!(k.value("default", "web-tls", "tls.key").contains("PRIVATE KEY-----"));
    assert_eq!(&table(&k.ok(&["get", "secret", "web-tls"]))[1][..3], ["web-tls", "kubernetes.io/tls", "2"]);
    // A certificate and a key that do not belong together: kubectl checks before sending.
    let mismatch = format!("{PKI}/mismatch.key");
    let err = k.fails(&["create", "secret", "tls", "wrong", &format!("--cert={crt}"), &format!("--key={mismatch}")]);
    assert!(err.contains("private key does not match public key"), "{err}");
}

#[test]
fn create_secret_docker_registry_writes_a_dockerconfigjson() {
    let Some(k) = Kubectl::start() else { return };
    let out = k.ok(&[
        "create",
        "secret",
        "docker-registry",
        "regcred",
        "--docker-server=registry.example:5000",
        "--docker-username=tiger",
        "--docker-password=pass1234",
        "--docker-email=tiger@acme.example",
    ]);
    assert_eq!(out.trim(), "secret/regcred created");
    assert_eq!(k.ok(&["get", "secret", "regcred", "-o", "jsonpath={.type}"]), "kubernetes.io/dockerconfigjson");
    let config: Value = serde_json::from_str(&k.value("default", "regcred", ".dockerconfigjson")).unwrap();
    let auth = &config["auths"]["registry.example:5000"];
    assert_eq!(auth["username"], "tiger");
    assert_eq!(auth["password"], "pass1234");
    assert_eq!(auth["email"], "tiger@acme.example");
    assert_eq!(auth["auth"], b64("tiger:pass1234"));
}

#[test]
fn create_from_stdin_and_kustomize_secret_generator() {
    let Some(k) = Kubectl::start() else { return };
    // The usual pipeline: generate client-side, apply from stdin.
    let manifest =
        k.ok(&["create", "secret", "generic", "piped", "--from-literal=k=v", "--dry-run=client", "-o", "yaml"]);
    let r = k.run_with_stdin(&["apply", "-f", "-"], &manifest);
    assert!(r.success, "{}", r.stderr);
    assert_eq!(r.stdout.trim(), "secret/piped created");
    assert_eq!(k.value("default", "piped", "k"), "v");

    std::fs::create_dir(k.path("kust")).unwrap();
    k.file("kust/kustomization.yaml", "namespace: shop\nsecretGenerator:\n- name: gen\n  literals:\n  - token=abc\n");
    let out = k.ok(&["apply", "-k", k.path("kust").to_str().unwrap()]);
    let name = out.trim().strip_prefix("secret/").and_then(|s| s.strip_suffix(" created")).expect(&out).to_string();
    assert!(name.starts_with("gen-") && name.len() == 14, "{name}");
    assert_eq!(k.value("shop", &name, "token"), "abc");
}

// --- apply -----------------------------------------------------------------------------------

#[test]
fn apply_with_string_data_twice_then_changed() {
    let Some(k) = Kubectl::start() else { return };
    let manifest = |pass: &str| {
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app-creds\n  labels:\n    app: demo\nstringData:\n  user: bob\n  pass: {pass}\n"
        )
    };
    let f = k.file("creds.yaml", &manifest("one"));
    let f = f.to_str().unwrap();
    assert_eq!(k.ok(&["apply", "-f", f]).trim(), "secret/app-creds created");
    assert_eq!(k.value("default", "app-creds", "pass"), "one");
    let rv1 = k.ok(&["get", "secret", "app-creds", "-o", "jsonpath={.metadata.resourceVersion}"]);
    // stringData is never stored, so kubectl's three-way patch always re-sends it and says
    // "configured", as on a real cluster; the server sees no change and keeps the version.
    assert_eq!(k.ok(&["apply", "-f", f]).trim(), "secret/app-creds configured");
    let rv2 = k.ok(&["get", "secret", "app-creds", "-o", "jsonpath={.metadata.resourceVersion}"]);
    assert_eq!(rv1, rv2, "an apply that changes nothing is not a write");
    k.file("creds.yaml", &manifest("two"));
    assert_eq!(k.ok(&["apply", "-f", f]).trim(), "secret/app-creds configured");
    assert_eq!(k.value("default", "app-creds", "pass"), "two");
    assert_eq!(k.value("default", "app-creds", "user"), "bob");
    let json = k.json(&["get", "secret", "app-creds"]);
    assert!(json.get("stringData").is_none());
    assert_eq!(json["metadata"]["labels"]["app"], "demo");
    let last = json["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"].as_str().unwrap();
    assert!(last.contains("\"stringData\""), "{last}");

    // With data instead of stringData, a second apply is "unchanged" and a removed key goes.
    let data = |extra: &str| {
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app-data\ntype: Opaque\ndata:\n  a: {}\n{extra}",
            b64("1")
        )
    };
    let f = k.file("data.yaml", &data(&format!("  b: {}\n", b64("2"))));
    let f = f.to_str().unwrap();
    assert_eq!(k.ok(&["apply", "-f", f]).trim(), "secret/app-data created");
    assert_eq!(k.ok(&["apply", "-f", f]).trim(), "secret/app-data unchanged");
    k.file("data.yaml", &data(""));
    assert_eq!(k.ok(&["apply", "-f", f]).trim(), "secret/app-data configured");
    let json = k.json(&["get", "secret", "app-data"]);
    assert_eq!(json["data"], serde_json::json!({"a": b64("1")}));

    // diff and server dry run see the change without making it.
    k.file("data.yaml", &data(&format!("  c: {}\n", b64("3"))));
    let r = k.run(&["diff", "-f", f]);
    assert!(!r.success && r.stdout.contains("+  c: "), "kubectl diff exits 1 with a diff: {r:?}");
    assert_eq!(k.ok(&["apply", "-f", f, "--dry-run=server"]).trim(), "secret/app-data configured (server dry run)");
    assert!(k.json(&["get", "secret", "app-data"])["data"].get("c").is_none());
}

#[test]
fn apply_server_side() {
    let Some(k) = Kubectl::start() else { return };
    let manifest = |v: &str| {
        format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: ssa\n  namespace: shop\nstringData:\n  key: {v}\n")
    };
    let f = k.file("ssa.yaml", &manifest("first"));
    let f = f.to_str().unwrap();
    assert_eq!(k.ok(&["apply", "--server-side", "-f", f]).trim(), "secret/ssa serverside-applied");
    assert_eq!(k.value("shop", "ssa", "key"), "first");
    k.file("ssa.yaml", &manifest("second"));
    assert_eq!(k.ok(&["apply", "--server-side", "-f", f]).trim(), "secret/ssa serverside-applied");
    assert_eq!(k.value("shop", "ssa", "key"), "second");
    assert_eq!(k.ok(&["get", "secret", "ssa", "-n", "shop", "-o", "jsonpath={.type}"]), "Opaque");
}

/// Each write's field manager in `managedFields`: hidden by kubectl unless
/// `--show-managed-fields`, named after the kubectl command that wrote, and server-side apply's
/// conflicts in kubectl's words; a Secret made by client-side apply moves to server-side apply
/// without conflicts, as kubectl and kube-apiserver arrange it.
#[test]
fn managed_fields_name_each_kubectl_command_and_apply_conflicts() {
    let Some(k) = Kubectl::start() else { return };
    let plain = k.ok(&["get", "secret", "mysecret", "-o", "yaml"]);
    assert!(!plain.contains("managedFields"), "kubectl hides them by default:\n{plain}");
    let shown = k.ok(&["get", "secret", "mysecret", "-o", "yaml", "--show-managed-fields"]);
    for line in [
        "\n  managedFields:\n",
        "\n    manager: kubectl-client-side-apply\n",
        "\n    manager: kubectl-edit\n",
        "\n        f:password: {}\n",
        "\n    operation: Update\n",
        "\n    fieldsType: FieldsV1\n",
    ] {
        assert!(shown.contains(line), "{line:?} in:\n{shown}");
    }
    let managers = |k: &Kubectl, name: &str| -> Vec<String> {
        let json = k.json(&["get", "secret", name, "--show-managed-fields"]);
        let mut m: Vec<String> = json["metadata"]["managedFields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| format!("{} {}", e["manager"].as_str().unwrap(), e["operation"].as_str().unwrap()))
            .collect();
        m.sort();
        m
    };
    k.ok(&["create", "secret", "generic", "owned", "--from-literal=a=1"]);
    k.ok(&["label", "secret", "owned", "team=blue"]);
    k.ok(&["annotate", "secret", "owned", "note=hi"]);
    k.ok(&["patch", "secret", "owned", "-p", &format!(r#"{{"data":{{"b":"{}"}}}}"#, b64("2"))]);
    assert_eq!(
        managers(&k, "owned"),
        ["kubectl-annotate Update", "kubectl-create Update", "kubectl-label Update", "kubectl-patch Update"]
    );

    let f = k.file(
        "owned.yaml",
        &format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: owned\ndata:\n  a: {}\n", b64("9")),
    );
    let f = f.to_str().unwrap();
    let err = k.fails(&["apply", "--server-side", "-f", f]);
    assert!(
        err.starts_with("error: Apply failed with 1 conflict: conflict with \"kubectl-create\" using v1: .data.a\n"),
        "{err}"
    );
    assert_eq!(k.value("default", "owned", "a"), "1");
    assert_eq!(
        k.ok(&["apply", "--server-side", "--force-conflicts", "-f", f]).trim(),
        "secret/owned serverside-applied"
    );
    assert_eq!(k.value("default", "owned", "a"), "9");
    assert!(managers(&k, "owned").contains(&"kubectl Apply".to_string()));

    // mysecret was made by `kubectl apply`: server-side apply takes over what its last-applied
    // annotation says was applied, without conflicts.
    let f = k.file(
        "mysecret.yaml",
        &format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: mysecret\ntype: Opaque\ndata:\n  username: {}\n  password: {}\n",
            b64("root"),
            b64("1f2d1e2e67df")
        ),
    );
    assert_eq!(
        k.ok(&["apply", "--server-side", "-f", f.to_str().unwrap()]).trim(),
        "secret/mysecret serverside-applied"
    );
    assert_eq!(k.value("default", "mysecret", "username"), "root");
    let m = managers(&k, "mysecret");
    assert!(
        m.contains(&"kubectl Apply".to_string()) && !m.contains(&"kubectl-client-side-apply Update".to_string()),
        "{m:?}"
    );
}

// --- edit, patch, replace, delete ------------------------------------------------------------

/// A non-interactive editor for `kubectl edit`: a POSIX shell script that rewrites the lines
/// of the file kubectl hands it (`case` arms on each line), then appends `append`.
#[cfg(unix)]
fn editor(k: &Kubectl, name: &str, case_arms: &str, append: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt as _;
    let script = k.file(
        name,
        &format!(
            "#!/bin/sh\nout=\"$1.edited\"\nwhile IFS= read -r line; do\n  case \"$line\" in\n{case_arms}\n    *) printf '%s\\n' \"$line\" ;;\n  esac\ndone < \"$1\" > \"$out\"\nprintf '{append}' >> \"$out\"\nmv \"$out\" \"$1\"\n"
        ),
    );
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

#[cfg(unix)]
#[test]
fn edit_with_a_scripted_editor() {
    let Some(k) = Kubectl::start() else { return };
    k.ok(&["create", "secret", "generic", "editable", "--from-literal=username=before", "--from-literal=keep=same"]);
    // Change one value, and add a key in plain text through stringData.
    let arms = format!("    \"  username: \"*) printf '  username: {}\\n' ;;", b64("after"));
    let script = editor(&k, "editor.sh", &arms, "stringData:\\n  plain: text\\n");
    let mut cmd = k.command(&["edit", "secret", "editable"]);
    cmd.env("KUBE_EDITOR", &script).env("EDITOR", &script);
    let r = run(cmd, None, &["edit"]);
    assert!(r.success, "{}", r.stderr);
    assert_eq!(r.stdout.trim(), "secret/editable edited");
    assert_eq!(k.value("default", "editable", "username"), "after");
    assert_eq!(k.value("default", "editable", "keep"), "same");
    assert_eq!(k.value("default", "editable", "plain"), "text");
    assert!(k.json(&["get", "secret", "editable"]).get("stringData").is_none());
    let json = k.json(&["get", "secret", "editable", "--show-managed-fields"]);
    let edit = json["metadata"]["managedFields"].as_array().unwrap().iter().find(|e| e["manager"] == "kubectl-edit");
    assert_eq!(
        edit.map(|e| e["fieldsV1"].clone()),
        Some(serde_json::json!({"f:data": {"f:plain": {}, "f:username": {}}})),
        "kubectl-edit owns what it changed: {json}"
    );

    // An edit the server rejects (an immutable Secret's data) keeps the user's copy.
    let arms = format!("    \"data:\") printf 'data:\\n  added: {}\\n' ;;", b64("x"));
    let script = editor(&k, "editor2.sh", &arms, "");
    let mut cmd = k.command(&["edit", "secret", "app-config-v1"]);
    cmd.env("KUBE_EDITOR", &script);
    let r = run(cmd, None, &["edit"]);
    assert!(!r.success);
    assert!(
        r.stderr.starts_with("error: secrets \"app-config-v1\" is invalid\nA copy of your changes has been stored to"),
        "{}",
        r.stderr
    );
    assert!(k.json(&["get", "secret", "app-config-v1"])["data"].get("added").is_none());
}

#[test]
fn patch_json_merge_and_strategic() {
    let Some(k) = Kubectl::start() else { return };
    k.ok(&["create", "secret", "generic", "patched", "--from-literal=a=1", "--from-literal=b=2"]);
    let json_patch = format!(r#"[{{"op":"replace","path":"/data/a","value":"{}"}}]"#, b64("json"));
    assert_eq!(
        k.ok(&["patch", "secret", "patched", "--type=json", "-p", &json_patch]).trim(),
        "secret/patched patched"
    );
    assert_eq!(k.value("default", "patched", "a"), "json");

    let merge = format!(r#"{{"data":{{"b":null,"c":"{}"}}}}"#, b64("merge"));
    assert_eq!(k.ok(&["patch", "secret", "patched", "--type=merge", "-p", &merge]).trim(), "secret/patched patched");
    let data = k.json(&["get", "secret", "patched"])["data"].clone();
    assert_eq!(data, serde_json::json!({"a": b64("json"), "c": b64("merge")}));

    // The default is a strategic merge patch; stringData in a patch lands in data.
    let strategic = r#"{"stringData":{"d":"strategic"},"metadata":{"labels":{"team":"x"}}}"#;
    assert_eq!(k.ok(&["patch", "secret", "patched", "-p", strategic]).trim(), "secret/patched patched");
    assert_eq!(k.value("default", "patched", "d"), "strategic");
    assert_eq!(k.ok(&["get", "secret", "patched", "-o", "jsonpath={.metadata.labels.team}"]), "x");
    assert_eq!(k.ok(&["patch", "secret", "patched", "-p", strategic]).trim(), "secret/patched patched (no change)");

    // label and annotate are patches too.
    assert_eq!(k.ok(&["label", "secret", "patched", "tier=gold"]).trim(), "secret/patched labeled");
    assert_eq!(k.ok(&["annotate", "secret", "patched", "note=hi"]).trim(), "secret/patched annotated");
    let err = k.fails(&[
        "patch",
        "secret",
        "patched",
        "--type=json",
        "-p",
        r#"[{"op":"test","path":"/data/a","value":"eA=="}]"#,
    ]);
    assert!(err.starts_with("The request is invalid: "), "{err}");
    assert_eq!(k.value("default", "patched", "a"), "json", "a failed test operation changes nothing");
    let err = k.fails(&["patch", "secret", "app-config-v1", "--type=merge", "-p", r#"{"data":{"x":"eA=="}}"#]);
    assert_eq!(
        err.trim(),
        "The Secret \"app-config-v1\" is invalid: data: Forbidden: field is immutable when `immutable` is set"
    );
}

#[test]
fn replace_with_a_stale_resource_version_is_a_conflict() {
    let Some(k) = Kubectl::start() else { return };
    k.ok(&["create", "secret", "generic", "contested", "--from-literal=v=1"]);
    let stale = k.ok(&["get", "secret", "contested", "-o", "yaml"]);
    let f = k.file("stale.yaml", &stale.replace(&b64("1"), &b64("mine")));
    k.ok(&[
        "patch",
        "secret",
        "contested",
        "--type=merge",
        "-p",
        &format!(r#"{{"data":{{"v":"{}"}}}}"#, b64("theirs")),
    ]);
    let err = k.fails(&["replace", "-f", f.to_str().unwrap()]);
    assert_eq!(
        err.trim(),
        "Error from server (Conflict): error when replacing \"stale.yaml\": Operation cannot be fulfilled on secrets \"contested\": the object has been modified; please apply your changes to the latest version and try again"
            .replace("stale.yaml", f.to_str().unwrap())
    );
    assert_eq!(k.value("default", "contested", "v"), "theirs");
    // With the current version, replace works; --force deletes and creates.
    let fresh = k.ok(&["get", "secret", "contested", "-o", "yaml"]).replace(&b64("theirs"), &b64("mine"));
    let f = k.file("fresh.yaml", &fresh);
    assert_eq!(k.ok(&["replace", "-f", f.to_str().unwrap()]).trim(), "secret/contested replaced");
    assert_eq!(k.value("default", "contested", "v"), "mine");
    let out = k.ok(&["replace", "--force", "-f", k.file("stale.yaml", &stale).to_str().unwrap()]);
    assert_eq!(out.lines().collect::<Vec<_>>(), ["secret \"contested\" deleted", "secret/contested replaced"]);
    assert_eq!(k.value("default", "contested", "v"), "1");
}

#[test]
fn delete_secrets() {
    let Some(k) = Kubectl::start() else { return };
    k.ok(&["create", "secret", "generic", "doomed", "--from-literal=a=b"]);
    assert_eq!(k.ok(&["delete", "secret", "doomed"]).trim(), "secret \"doomed\" deleted");
    assert_eq!(
        k.fails(&["get", "secret", "doomed"]).trim(),
        "Error from server (NotFound): secrets \"doomed\" not found"
    );
    assert_eq!(
        k.fails(&["delete", "secret", "doomed"]).trim(),
        "Error from server (NotFound): secrets \"doomed\" not found"
    );
    assert_eq!(k.ok(&["delete", "secret", "doomed", "--ignore-not-found"]), "");
    assert_eq!(
        k.ok(&["delete", "secret", "mysecret", "--dry-run=server"]).trim(),
        "secret \"mysecret\" deleted (server dry run)"
    );
    assert_eq!(k.ok(&["get", "secret", "mysecret", "-o", "name"]).trim(), "secret/mysecret");
    // By label, and from the manifest that made it.
    k.ok(&["create", "secret", "generic", "l1", "--from-literal=a=b"]);
    k.ok(&["create", "secret", "generic", "l2", "--from-literal=a=b"]);
    k.ok(&["label", "secret", "l1", "l2", "cleanup=yes"]);
    let out = k.ok(&["delete", "secrets", "-l", "cleanup=yes"]);
    assert_eq!(out.lines().collect::<Vec<_>>(), ["secret \"l1\" deleted", "secret \"l2\" deleted"]);
    let f = k.file("s.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: from-file\nstringData:\n  a: b\n");
    k.ok(&["apply", "-f", f.to_str().unwrap()]);
    assert_eq!(k.ok(&["delete", "-f", f.to_str().unwrap()]).trim(), "secret \"from-file\" deleted");
    // A namespace takes its Secrets with it.
    k.ok(&["create", "namespace", "scratch"]);
    k.ok(&["create", "secret", "generic", "inside", "-n", "scratch", "--from-literal=a=b"]);
    assert_eq!(k.ok(&["delete", "namespace", "scratch"]).trim(), "namespace \"scratch\" deleted");
    assert!(k.fails(&["get", "secret", "inside", "-n", "scratch"]).contains("NotFound"));
}

// --- watch -----------------------------------------------------------------------------------

#[test]
fn get_watch_sees_changes_made_by_other_commands() {
    let Some(k) = Kubectl::start() else { return };
    let mut w = k.stream(&["get", "secrets", "-w", "--output-watch-events"]);
    let header = w.expect("the header", |r| r.first() == Some(&"EVENT"));
    assert_eq!(header, ["EVENT", "NAME", "TYPE", "DATA", "AGE"]);
    w.expect("mysecret", |r| r.starts_with(&["ADDED", "mysecret", "Opaque", "4"]));
    k.ok(&["create", "secret", "generic", "watched", "--from-literal=a=b"]);
    w.expect("the created secret", |r| r.starts_with(&["ADDED", "watched", "Opaque", "1"]));
    k.ok(&["patch", "secret", "watched", "-p", r#"{"stringData":{"c":"d"}}"#]);
    w.expect("the patched secret", |r| r.starts_with(&["MODIFIED", "watched", "Opaque", "2"]));
    k.ok(&["delete", "secret", "watched"]);
    w.expect("the deleted secret", |r| r.starts_with(&["DELETED", "watched", "Opaque", "2"]));
    drop(w);

    // kubectl wait watches for a change made by another command (or sees it already made).
    k.ok(&["create", "secret", "generic", "awaited", "--from-literal=a=b"]);
    let mut wait =
        k.stream(&["wait", "--for=jsonpath={.metadata.labels.ready}=yes", "secret/awaited", "--timeout=20s"]);
    k.ok(&["label", "secret", "awaited", "ready=yes"]);
    wait.expect("condition met", |r| r == ["secret/awaited", "condition", "met"]);
    drop(wait);

    // One object, printed by name on every change, without the initial state.
    let w = k.stream(&[
        "get",
        "secret",
        "mysecret",
        "-w",
        "--watch-only",
        "-o",
        "jsonpath={.metadata.annotations.seen}{\"\\n\"}",
    ]);
    // The watch may start after the first annotation; keep changing until one is seen.
    for i in 0..50 {
        k.ok(&["annotate", "--overwrite", "secret", "mysecret", &format!("seen=v{i}")]);
        let deadline = Instant::now() + Duration::from_millis(300);
        while Instant::now() < deadline {
            if let Ok(line) = w.lines.recv_timeout(Duration::from_millis(20))
                && line.starts_with('v')
            {
                return;
            }
        }
    }
    panic!("kubectl get -w --watch-only never printed a change");
}

// --- permissions -----------------------------------------------------------------------------

#[test]
fn read_only_user_is_forbidden_to_delete() {
    let Some(k) = Kubectl::start() else { return };
    let err = k.fails(&["--context", "keyhole-demo-readonly", "delete", "secret", "mysecret"]);
    assert_eq!(
        err.trim(),
        "Error from server (Forbidden): secrets \"mysecret\" is forbidden: User \"viewer\" cannot delete resource \"secrets\" in API group \"\" in the namespace \"default\""
    );
    assert_eq!(k.value("default", "mysecret", "username"), "admin", "still there");
    // Reading is allowed everywhere.
    let rows = table(&k.ok(&["--context", "keyhole-demo-readonly", "get", "secrets", "-A"]));
    row(&rows, &["kube-system", "bootstrap-token-5emitj"]);
    let err =
        k.fails(&["--context", "keyhole-demo-readonly", "create", "secret", "generic", "x", "--from-literal=a=b"]);
    assert_eq!(
        err.trim(),
        "error: failed to create secret secrets is forbidden: User \"viewer\" cannot create resource \"secrets\" in API group \"\" in the namespace \"default\""
    );
    // The user's permissions are checked before a body is read: 403 even for a kind whose
    // protobuf body this server cannot decode.
    let err = k.fails(&["--context", "keyhole-demo-readonly", "create", "deployment", "web2", "--image=nginx"]);
    assert_eq!(
        err.trim(),
        "error: failed to create deployment: deployments.apps is forbidden: User \"viewer\" cannot create resource \"deployments\" in API group \"apps\" in the namespace \"default\""
    );
}

#[test]
fn team_user_is_confined_to_its_namespace() {
    let Some(k) = Kubectl::start() else { return };
    let team = ["--context", "keyhole-demo-team"];
    let err = k.fails(&[&team[..], &["get", "secrets", "-A"]].concat());
    assert_eq!(
        err.trim(),
        "Error from server (Forbidden): secrets is forbidden: User \"shop-dev\" cannot list resource \"secrets\" in API group \"\" at the cluster scope"
    );
    let err = k.fails(&[&team[..], &["get", "secret", "mysecret", "-n", "default"]].concat());
    assert_eq!(
        err.trim(),
        "Error from server (Forbidden): secrets \"mysecret\" is forbidden: User \"shop-dev\" cannot get resource \"secrets\" in API group \"\" in the namespace \"default\""
    );
    // Its own namespace (the context's default) works.
    let rows = table(&k.ok(&[&team[..], &["get", "secrets"]].concat()));
    assert_eq!(&row(&rows, &["shop-db"])[1..3], ["Opaque", "2"]);
    k.ok(&[&team[..], &["create", "secret", "generic", "mine", "--from-literal=a=b"]].concat());
    assert_eq!(k.value("shop", "mine", "a"), "b");
}

#[test]
fn auth_can_i_and_whoami_for_each_user() {
    let Some(k) = Kubectl::start() else { return };
    let can_i = |context: &str, args: &[&str]| {
        let r = k.run(&[&["--context", context, "auth", "can-i"], args].concat());
        assert!(r.stderr.is_empty(), "{args:?}: {}", r.stderr);
        let answer = r.stdout.trim().to_string();
        assert_eq!(r.success, answer == "yes", "exit code follows the answer");
        answer
    };
    assert_eq!(can_i("keyhole-demo", &["delete", "secrets"]), "yes");
    assert_eq!(can_i("keyhole-demo", &["create", "namespaces", "-A"]), "yes");
    assert_eq!(can_i("keyhole-demo-team", &["create", "namespaces", "-A"]), "no");
    assert_eq!(can_i("keyhole-demo-readonly", &["delete", "secrets"]), "no");
    assert_eq!(can_i("keyhole-demo-readonly", &["get", "secrets/mysecret"]), "yes");
    assert_eq!(can_i("keyhole-demo-readonly", &["list", "secrets", "-A"]), "yes");
    assert_eq!(can_i("keyhole-demo-team", &["update", "secrets"]), "yes");
    assert_eq!(can_i("keyhole-demo-team", &["get", "secrets", "-n", "default"]), "no");
    assert_eq!(can_i("keyhole-demo-team", &["list", "secrets", "-A"]), "no");
    assert_eq!(can_i("keyhole-demo-team", &["list", "deployments.apps"]), "yes");
    assert_eq!(can_i("keyhole-demo-team", &["get", "/version"]), "yes");

    let list = table(&k.ok(&["--context", "keyhole-demo-team", "auth", "can-i", "--list"]));
    assert_eq!(list[0], ["Resources", "Non-Resource", "URLs", "Resource", "Names", "Verbs"]);
    assert_eq!(row(&list, &["secrets"])[1..], ["[]", "[]", "[*]"]);
    let list = table(&k.ok(&["--context", "keyhole-demo-readonly", "auth", "can-i", "--list"]));
    assert_eq!(row(&list, &["*.*"])[1..], ["[]", "[]", "[get", "list", "watch]"]);

    let who = table(&k.ok(&["--context", "keyhole-demo-readonly", "auth", "whoami"]));
    assert_eq!(who[0], ["ATTRIBUTE", "VALUE"]);
    assert_eq!(row(&who, &["Username"]), ["Username", "viewer"]);
}

// --- discovery -------------------------------------------------------------------------------

#[test]
fn version_api_resources_and_api_versions() {
    let Some(k) = Kubectl::start() else { return };
    let out = k.ok(&["version"]);
    assert!(out.contains("Client Version: v1."), "{out}");
    assert!(out.contains("Server Version: v1.36.0-keyhole."), "{out}");
    let version = k.json(&["version"]);
    assert_eq!(version["serverVersion"]["major"], "1");
    assert_eq!(version["serverVersion"]["minor"], "36");

    let rows = table(&k.ok(&["api-resources"]));
    assert_eq!(rows[0], ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]);
    assert_eq!(row(&rows, &["secrets"]), ["secrets", "v1", "true", "Secret"], "secrets have no short name");
    assert_eq!(row(&rows, &["pods"]), ["pods", "po", "v1", "true", "Pod"]);
    assert_eq!(row(&rows, &["namespaces"]), ["namespaces", "ns", "v1", "false", "Namespace"]);
    assert_eq!(row(&rows, &["serviceaccounts"]), ["serviceaccounts", "sa", "v1", "true", "ServiceAccount"]);
    assert_eq!(row(&rows, &["deployments"]), ["deployments", "deploy", "apps/v1", "true", "Deployment"]);
    assert_eq!(row(&rows, &["ingresses"])[2], "networking.k8s.io/v1");
    let names = k.ok(&["api-resources", "--verbs=list", "--namespaced", "-o", "name"]);
    assert!(names.lines().any(|l| l == "secrets") && !names.lines().any(|l| l == "namespaces"), "{names}");

    let versions = k.ok(&["api-versions"]);
    for gv in ["v1", "apps/v1", "authorization.k8s.io/v1", "networking.k8s.io/v1"] {
        assert!(versions.lines().any(|l| l == gv), "{gv} in {versions}");
    }
    // The raw API, as `kubectl get --raw` shows it.
    let raw: Value =
        serde_json::from_str(&k.ok(&["get", "--raw", "/api/v1/namespaces/default/secrets/empty-secret"])).unwrap();
    assert_eq!(raw["kind"], "Secret");
    assert_eq!(raw["apiVersion"], "v1");
    // What is not served is a 404, as on a cluster without that API.
    let err = k.fails(&["create", "configmap", "cm", "--from-literal=a=b"]);
    assert_eq!(err.trim(), "error: failed to create configmap: the server could not find the requested resource");
}

// --- invalid manifests -----------------------------------------------------------------------

#[test]
fn invalid_manifests_get_422_with_the_causes() {
    let Some(k) = Kubectl::start() else { return };
    let f = k.file("bad.yaml", TLS_MANIFEST_WITH_THREE_ERRORS);
    let f = f.to_str().unwrap();
    let expected = format!(
        "The Secret \"x\" is invalid: \n* data[bad key]: {BAD_KEY_MESSAGE}\n* data[tls.crt]: Required value\n* data[tls.key]: Required value\n"
    );
    assert_eq!(k.fails(&["apply", "-f", f]), expected);
    assert_eq!(k.fails(&["create", "-f", f]), expected);
    assert!(k.fails(&["get", "secret", "x"]).contains("NotFound"));

    // One cause is printed on the same line.
    let f = k.file(
        "one.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: ssh-y\ntype: kubernetes.io/ssh-auth\nstringData:\n  other: v\n",
    );
    let err = k.fails(&["apply", "-f", f.to_str().unwrap()]);
    assert_eq!(err, "The Secret \"ssh-y\" is invalid: data[ssh-privatekey]: Required value\n");

    // Changing the type of a Secret is refused, whichever way it is sent.
    let err = k.fails(&["patch", "secret", "mysecret", "--type=merge", "-p", r#"{"type":"kubernetes.io/tls"}"#]);
    assert!(err.starts_with("The Secret \"mysecret\" is invalid: "), "{err}");
    assert!(err.contains("type: Invalid value: \"kubernetes.io/tls\": field is immutable"), "{err}");

    // Unknown fields: kubectl asks for strict field validation, so the server refuses them (400);
    // with --validate=warn they come back as warnings and are dropped.
    let f = k.file(
        "unknown.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: unk\n  labelz:\n    a: b\nfoo: bar\nstringData:\n  a: b\n",
    );
    let f = f.to_str().unwrap();
    let err = k.fails(&["create", "-f", f]);
    assert_eq!(
        err.trim(),
        format!(
            "Error from server (BadRequest): error when creating \"{f}\": Secret in version \"v1\" cannot be handled as a Secret: strict decoding error: unknown field \"foo\", unknown field \"metadata.labelz\""
        )
    );
    let r = k.run(&["apply", "-f", f, "--validate=warn"]);
    assert!(r.success, "{}", r.stderr);
    assert_eq!(r.stderr, "Warning: unknown field \"foo\"\nWarning: unknown field \"metadata.labelz\"\n");
    let stored = k.json(&["get", "secret", "unk"]);
    assert!(stored.get("foo").is_none() && stored["metadata"].get("labelz").is_none(), "{stored}");
    // kubectl patch does not ask for strict validation: the server warns.
    let r = k.run(&["patch", "secret", "unk", "--type=merge", "-p", r#"{"bogus":1}"#]);
    assert!(r.success, "{}", r.stderr);
    assert_eq!(r.stderr, "Warning: unknown field \"bogus\"\n");
}
