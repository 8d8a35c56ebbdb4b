//! `keyhole restart [-n NS] SECRET [--dry-run] [-o json]`: after a Secret changed, restart the
//! workloads whose running Pods read it only when a container starts (env, envFrom, subPath),
//! as `kubectl rollout restart` does, and leave alone those that see the change through a
//! mounted volume. Workloads that have no rollout (bare Pods, Jobs, CronJobs, ReplicaSets of no
//! Deployment) are listed with what happens to them instead. Each workload is checked first
//! (SelfSubjectAccessReview on `patch`); a refusal is reported per workload.
//!
//! Exit codes: 0 every workload that needed it was restarted (or none needed it); 1 some were
//! refused or failed; 2 an error (no connection, the Secret or its consumers cannot be read).

use std::io::Write;
use std::process::ExitCode;

use jiff::Timestamp;
use serde::Serialize;

use super::list::{EXIT_CLEAN, EXIT_ERROR, EXIT_FOUND};
use crate::cli::{Cli, RestartArgs, RestartFormat};
use crate::cluster::restart::{self, Restarted};
use crate::list::gather::{Pages, gather};
use crate::refs::{ConsumerKind, RestartAction, RestartTarget, Source};

/// What became of one workload.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Outcome {
    kind: String,
    name: String,
    /// restarted, would-restart (dry run), refused, gone, failed, not-restartable.
    result: &'static str,
    /// The server's message, or what happens instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    /// How its Pods read the Secret.
    reads: Vec<String>,
    pods: usize,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    namespace: String,
    secret: String,
    dry_run: bool,
    workloads: Vec<Outcome>,
    notes: Vec<String>,
}

pub(crate) fn run(cli: &Cli, args: &RestartArgs) -> ExitCode {
    let rt = match super::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("keyhole restart: {e}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    ExitCode::from(rt.block_on(run_async(cli, args)))
}

async fn run_async(cli: &Cli, args: &RestartArgs) -> u8 {
    if cli.cluster.all_namespaces {
        eprintln!("keyhole restart: a Secret is restarted in one namespace: use -n NAMESPACE, not -A");
        return EXIT_ERROR;
    }
    let (_server, connected) = match super::connect(cli).await {
        Ok(c) => c,
        Err(e) => {
            eprintln!("keyhole restart: {e}");
            return EXIT_ERROR;
        }
    };
    let namespace = cli.cluster.namespace.clone().unwrap_or_else(|| connected.namespace.clone());
    let gathered = match gather(&connected, Some(&namespace), Pages::chunk(None), false).await {
        Ok(g) => g,
        Err(e) => {
            eprintln!("keyhole restart: {e}");
            return EXIT_ERROR;
        }
    };
    if !gathered.rows.contains_key(&(namespace.clone(), args.secret.clone())) {
        eprintln!(
            "keyhole restart: there is no Secret {:?} in namespace {namespace:?} (kubectl get secrets -n {namespace} lists them)",
            args.secret
        );
        return EXIT_ERROR;
    }
    // Without the Pods, who reads the Secret at start is unknown: say so and restart nothing.
    if let Some(problem) = gathered.coverage.problem_in(Source::Consumers(ConsumerKind::Pod), &namespace) {
        eprintln!("keyhole restart: {problem}: which workloads read {} is unknown; nothing was restarted", args.secret);
        return EXIT_ERROR;
    }
    let mut notes: Vec<String> = [ConsumerKind::ReplicaSet, ConsumerKind::Job]
        .into_iter()
        .filter_map(|k| gathered.coverage.problem_in(Source::Consumers(k), &namespace))
        .map(|p| format!("{p}: workloads were told from Pod names"))
        .collect();
    let plan = gathered.index.restart_plan(&namespace, &args.secret, None);
    if plan.is_empty() {
        notes.push(format!(
            "no running Pod reads {} only at start: nothing to restart (Pods that mount it see changes in place)",
            args.secret
        ));
    }
    let at = Timestamp::now();
    let mut workloads = Vec::new();
    for target in &plan {
        workloads.push(act(&connected.client, target, at, args.dry_run).await);
    }
    let report = Report { namespace, secret: args.secret.clone(), dry_run: args.dry_run, workloads, notes };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let written = match args.output {
        RestartFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &report).map_err(std::io::Error::other).and_then(|()| writeln!(out))
        }
        RestartFormat::Table => write_table(&mut out, &report),
    };
    let _ = written.and_then(|()| out.flush());
    for note in &report.notes {
        eprintln!("keyhole restart: {note}");
    }
    if report.workloads.iter().any(|w| matches!(w.result, "refused" | "failed" | "gone")) {
        EXIT_FOUND
    } else {
        EXIT_CLEAN
    }
}

async fn act(client: &kube::Client, target: &RestartTarget, at: Timestamp, dry_run: bool) -> Outcome {
    let mut outcome = Outcome {
        kind: target.kind.as_str().to_string(),
        name: target.name.clone(),
        result: "not-restartable",
        message: None,
        reads: target.reads.clone(),
        pods: target.pods,
    };
    if let RestartAction::Instead(why) = &target.action {
        outcome.message = Some(why.clone());
        return outcome;
    }
    match restart::may_restart(client, &target.kind, &target.namespace, &target.name).await {
        Ok(true) => {}
        Ok(false) => {
            outcome.result = "refused";
            outcome.message = Some(format!(
                "you may not patch {} {} in {} (SelfSubjectAccessReview); ask for `patch` on it",
                target.kind.as_str(),
                target.name,
                target.namespace
            ));
            return outcome;
        }
        Err(e) => {
            outcome.result = "failed";
            outcome.message = Some(format!("cannot ask whether you may restart it: {e}"));
            return outcome;
        }
    }
    let (result, message) =
        match restart::restart(client, &target.kind, &target.namespace, &target.name, at, dry_run).await {
            Restarted::Done if dry_run => ("would-restart", None),
            Restarted::Done => ("restarted", None),
            Restarted::Refused(m) => ("refused", Some(m)),
            Restarted::Gone => ("gone", Some("it no longer exists".to_string())),
            Restarted::Failed(m) => ("failed", Some(m)),
        };
    outcome.result = result;
    outcome.message = message;
    outcome
}

fn write_table(out: &mut impl Write, report: &Report) -> std::io::Result<()> {
    if report.workloads.is_empty() {
        return Ok(());
    }
    let rows: Vec<[String; 4]> = report
        .workloads
        .iter()
        .map(|w| {
            [
                format!("{}/{}", w.kind.to_lowercase(), w.name),
                w.result.to_string(),
                w.reads.join("; "),
                w.message.clone().unwrap_or_default(),
            ]
        })
        .collect();
    super::table::write(out, &["WORKLOAD", "RESULT", "READS", "MESSAGE"], &rows)
}
