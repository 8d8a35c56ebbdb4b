//! The `kubectl` on PATH against an embedded cluster started for one test, with a kubeconfig
//! and discovery cache of its own, every run under a deadline so that a hang fails. Where
//! kubectl is not installed, `Kubectl::start` prints why the test is skipped and returns `None`.

// Each test binary that includes this uses a part of it.
#![allow(dead_code)]

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use keyhole_apiserver::{DemoServer, Fleet, FleetOptions, ServerOptions};

const DEADLINE: Duration = Duration::from_secs(30);

#[derive(Debug)]
pub struct Run {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

/// What the kubeconfig reaches: one cluster, or a fleet of them.
enum Served {
    One(DemoServer),
    Fleet(Fleet),
}

pub struct Kubectl {
    _server: Served,
    _rt: tokio::runtime::Runtime,
    dir: tempfile::TempDir,
}

fn kubectl_on_path() -> bool {
    std::env::var_os("PATH").is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join("kubectl").is_file()))
}

impl Kubectl {
    /// A demo server on its own runtime (kubectl runs block this thread, not the server).
    pub fn start() -> Option<Kubectl> {
        if !kubectl_on_path() {
            eprintln!("skipping: kubectl not found on PATH");
            return None;
        }
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let server = rt.block_on(DemoServer::start(ServerOptions::default())).expect("demo server starts");
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("kubeconfig"), server.kubeconfig()).unwrap();
        Some(Kubectl { _server: Served::One(server), _rt: rt, dir })
    }

    /// A demo fleet on its own runtime, with the fleet's kubeconfig (`--context fleet-2`, ...).
    pub fn start_fleet(opts: FleetOptions) -> Option<Kubectl> {
        if !kubectl_on_path() {
            eprintln!("skipping: kubectl not found on PATH");
            return None;
        }
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let fleet = rt.block_on(Fleet::start(opts)).expect("demo fleet starts");
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("kubeconfig"), fleet.kubeconfig()).unwrap();
        Some(Kubectl { _server: Served::Fleet(fleet), _rt: rt, dir })
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let mut c = Command::new("kubectl");
        c.arg("--kubeconfig").arg(self.dir.path().join("kubeconfig"));
        c.arg("--cache-dir").arg(self.dir.path().join("cache")).args(args);
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

    pub fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert!(r.success, "kubectl {args:?} failed:\n{}", r.stderr);
        r.stdout
    }

    pub fn fails(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert!(!r.success, "kubectl {args:?} should have failed, printed:\n{}", r.stdout);
        r.stderr
    }

    /// `kubectl auth can-i ...`: `yes` or `no`, checking that the exit code agrees.
    pub fn can_i(&self, args: &[&str]) -> String {
        let r = self.run(&[&["auth", "can-i"], args].concat());
        let answer = r.stdout.trim().to_string();
        assert_eq!(r.success, answer == "yes", "{args:?}: {answer} / {}", r.stderr);
        answer
    }
}
