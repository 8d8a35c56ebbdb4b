//! `keyhole access [-n NS] SECRET [-o table|json]`: every subject (User, Group, ServiceAccount)
//! that can read a Secret's values, and how: the binding, the role (and the ClusterRole a rule
//! was aggregated from), the rule and the verb; the indirect paths (creating Pods or workloads,
//! impersonation); the service accounts whose Pods read it today. Broad grants are flagged and
//! Kubernetes' own subjects grouped last. Where the RBAC objects cannot be listed, only what the
//! current user may do is said (SelfSubjectAccessReview), and that the list is not known.
//!
//! Exit codes: 0 the answer was printed (complete or, without permission to list the RBAC
//! objects, the current user's own access); 2 an error (no connection, no such Secret).

use std::io::Write;
use std::process::ExitCode;

use serde::Serialize;

use super::list::{EXIT_CLEAN, EXIT_ERROR};
use crate::access::{self, Analysis, SelfCheck, SubjectAccess};
use crate::cli::{AccessArgs, RestartFormat};
use crate::cluster::rbac::{self, Loaded};
use crate::list::gather::{Pages, gather};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    namespace: String,
    secret: String,
    /// Whether every RBAC object could be read (else `selfCheck` says what you may do).
    complete: bool,
    subjects: Vec<SubjectAccess>,
    #[serde(skip_serializing_if = "Option::is_none")]
    self_check: Option<SelfCheck>,
    problems: Vec<String>,
    notes: Vec<String>,
}

pub(crate) fn run(cli: &crate::cli::Cli, args: &AccessArgs) -> ExitCode {
    let rt = match super::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("keyhole access: {e}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    ExitCode::from(rt.block_on(run_async(cli, args)))
}

async fn run_async(cli: &crate::cli::Cli, args: &AccessArgs) -> u8 {
    if cli.cluster.all_namespaces {
        eprintln!("keyhole access: a Secret is in one namespace: use -n NAMESPACE, not -A");
        return EXIT_ERROR;
    }
    let (_server, connected) = match super::connect(cli).await {
        Ok(c) => c,
        Err(e) => {
            eprintln!("keyhole access: {e}");
            return EXIT_ERROR;
        }
    };
    let namespace = cli.cluster.namespace.clone().unwrap_or_else(|| connected.namespace.clone());
    let mut notes = Vec::new();
    // The usage index: which service accounts' Pods read it today (and whether it exists).
    let mounters = match gather(&connected, Some(&namespace), Pages::chunk(None), false).await {
        Ok(g) if !g.rows.contains_key(&(namespace.clone(), args.secret.clone())) => {
            eprintln!(
                "keyhole access: there is no Secret {:?} in namespace {namespace:?} (kubectl get secrets -n {namespace} lists them)",
                args.secret
            );
            return EXIT_ERROR;
        }
        Ok(g) => access::mounters(&g.index, &namespace, &args.secret),
        Err(e) => {
            notes.push(format!("which Pods read it is unknown: {e}"));
            Vec::new()
        }
    };
    let report = match rbac::load(&connected.client, &namespace, &args.secret).await {
        Ok(Loaded::Policy(p)) => {
            let Analysis { subjects, problems, .. } = access::analyze(&p, &namespace, &args.secret, &mounters);
            Report {
                namespace,
                secret: args.secret.clone(),
                complete: true,
                subjects,
                self_check: None,
                problems,
                notes,
            }
        }
        Ok(Loaded::Refused(check)) => {
            notes.push(format!(
                "who else can read it is unknown: you may not list Roles, ClusterRoles and their bindings ({}); only your own access is shown",
                check.why
            ));
            let Analysis { subjects, .. } = access::analyze(&Default::default(), &namespace, &args.secret, &mounters);
            let subjects = subjects.into_iter().filter(|s| !s.reads).collect();
            Report {
                namespace,
                secret: args.secret.clone(),
                complete: false,
                subjects,
                self_check: Some(check),
                problems: Vec::new(),
                notes,
            }
        }
        Err(e) => {
            eprintln!("keyhole access: cannot read the RBAC objects: {e}");
            return EXIT_ERROR;
        }
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let written = match args.output {
        RestartFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &report).map_err(std::io::Error::other).and_then(|()| writeln!(out))
        }
        RestartFormat::Table => write_table(&mut out, &report),
    };
    let _ = written.and_then(|()| out.flush());
    for note in report.notes.iter().chain(&report.problems) {
        eprintln!("keyhole access: {note}");
    }
    EXIT_CLEAN
}

fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "unknown",
    }
}

fn write_table(out: &mut impl Write, report: &Report) -> std::io::Result<()> {
    if let Some(c) = &report.self_check {
        writeln!(
            out,
            "YOU   get {}   list {}   watch {}   create pods {}   pods/exec {}",
            yes_no(c.get),
            yes_no(c.list),
            yes_no(c.watch),
            yes_no(c.create_pods),
            yes_no(c.exec_pods)
        )?;
    }
    let mut rows: Vec<[String; 5]> = Vec::new();
    for s in &report.subjects {
        for p in &s.paths {
            let mut flags: Vec<&str> = p.broad.iter().map(|b| b.text()).collect();
            if s.builtin {
                flags.insert(0, "built-in");
            }
            rows.push([
                s.subject.label(),
                if p.via.reads() { "yes" } else { "indirect" }.to_string(),
                p.how(),
                p.through(),
                flags.join(", "),
            ]);
        }
    }
    if rows.is_empty() {
        return Ok(());
    }
    super::table::write(out, &["SUBJECT", "READS", "HOW", "THROUGH", "FLAGS"], &rows)
}
