//! A watch storm for benchmarks: updates the generated Secrets of `keyhole demo-server --scale N`
//! at a steady rate for a while, then creates a marker Secret and prints `marker NAME UNIX_MS`
//! (the time just before the marker was sent), so that a watcher's lag can be measured.
//!
//!     cargo run --release --example storm -- --kubeconfig PATH --scale 20000 --rate 500 --seconds 20
//!
//! Only loopback demo clusters are meant: it refuses a server that is not on 127.0.0.0/8 or [::1].

#![allow(clippy::print_stdout)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, Patch, PatchParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use serde_json::json;

struct Args {
    kubeconfig: String,
    scale: usize,
    rate: u64,
    seconds: u64,
}

fn args() -> Result<Args, String> {
    let mut a = Args { kubeconfig: String::new(), scale: 20_000, rate: 500, seconds: 20 };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let num = || value.parse::<u64>().map_err(|_| format!("{flag}: not a number: {value}"));
        match flag.as_str() {
            "--kubeconfig" => a.kubeconfig = value.clone(),
            "--scale" => a.scale = num()? as usize,
            "--rate" => a.rate = num()?.max(1),
            "--seconds" => a.seconds = num()?,
            other => return Err(format!("unknown flag {other}")),
        }
    }
    if a.kubeconfig.is_empty() {
        return Err("--kubeconfig is required".into());
    }
    Ok(a)
}

/// The generated configuration Secrets of `--scale N` (see `src/demo/data.rs`).
fn targets(scale: usize) -> Vec<(String, String)> {
    let namespaces = (scale / 100).max(1);
    (0..scale)
        .filter(|i| i % 10 >= 3)
        .map(|i| (format!("scale-{:03}", i % namespaces), format!("app-{i:05}-config")))
        .collect()
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("storm: {e}");
            std::process::ExitCode::from(1)
        }
    }
}

async fn run() -> Result<(), String> {
    let args = args()?;
    let kubeconfig = Kubeconfig::read_from(&args.kubeconfig).map_err(|e| e.to_string())?;
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .map_err(|e| e.to_string())?;
    let host = config.cluster_url.host().unwrap_or_default().trim_matches(['[', ']']).to_string();
    let loopback = host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if !loopback {
        return Err(format!("refusing to storm {host}: only loopback demo clusters"));
    }
    let client = kube::Client::try_from(config).map_err(|e| e.to_string())?;
    let targets = Arc::new(targets(args.scale));
    if targets.is_empty() {
        return Err("no Secrets to update (is --scale right?)".into());
    }
    let ok = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let permits = Arc::new(tokio::sync::Semaphore::new(256));
    let mut tick = tokio::time::interval(Duration::from_nanos(1_000_000_000 / args.rate));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let total = args.rate * args.seconds;
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(total as usize);
    for n in 0..total {
        tick.tick().await;
        let Ok(permit) = permits.clone().acquire_owned().await else { break };
        let (ns, name) = targets[n as usize % targets.len()].clone();
        let api: Api<Secret> = Api::namespaced(client.clone(), &ns);
        let (ok, failed) = (ok.clone(), failed.clone());
        tasks.push(tokio::spawn(async move {
            let value = base64::engine::general_purpose::STANDARD.encode(format!("storm-{n}"));
            let patch = json!({"data": {"STORM": value}});
            match api.patch(&name, &PatchParams::default(), &Patch::Merge(&patch)).await {
                Ok(_) => ok.fetch_add(1, Ordering::Relaxed),
                Err(_) => failed.fetch_add(1, Ordering::Relaxed),
            };
            drop(permit);
        }));
    }
    let sent_in = start.elapsed();
    for t in tasks {
        let _ = t.await;
    }
    let done_in = start.elapsed();
    println!(
        "sent {total} updates in {:.2}s ({:.0}/s), all answered after {:.2}s: {} ok, {} failed",
        sent_in.as_secs_f64(),
        total as f64 / sent_in.as_secs_f64(),
        done_in.as_secs_f64(),
        ok.load(Ordering::Relaxed),
        failed.load(Ordering::Relaxed)
    );
    let at = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
    let name = format!("zzstorm-marker-{at}");
    let marker: Secret = serde_json::from_value(json!({
        "metadata": {"name": name, "namespace": targets[0].0},
        "data": {"done": base64::engine::general_purpose::STANDARD.encode("1")}
    }))
    .map_err(|e| e.to_string())?;
    Api::<Secret>::namespaced(client, &targets[0].0)
        .create(&PostParams::default(), &marker)
        .await
        .map_err(|e| format!("cannot create the marker: {e}"))?;
    println!("marker {name} {at}");
    Ok(())
}
