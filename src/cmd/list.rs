//! `keyhole list`: the Secrets of a namespace (or of all) as a table or JSON, for people,
//! scripts, cron jobs and CI. What is listed and flagged is [`crate::list`]'s (the same data
//! path and the same flags as the TUI); this is the command: options, output, exit codes.
//!
//! `--unused`, `--broken`, `--expiring DAYS` and `--plaintext-copies` make it a linter: exit 1
//! when anything is found, 0 when not, 2 on errors (no connection, 403, bad flags, or a check
//! that could not be made).

use std::io::Write;
use std::process::ExitCode;

use jiff::Timestamp;
use serde::Serialize;

use crate::cli::{Cli, ListArgs, ListFormat};
use crate::format;
use crate::list::flags::Flag;
use crate::list::report::{Item, Query, Report, build};
use crate::list::rows::Inspected;

/// Exit codes of the linter.
pub(crate) const EXIT_CLEAN: u8 = 0;
pub(crate) const EXIT_FOUND: u8 = 1;
pub(crate) const EXIT_ERROR: u8 = 2;
/// With --contexts: some contexts could not be read (the others were listed).
pub(crate) const EXIT_SOME_CONTEXTS: u8 = 3;

/// `keyhole list`.
pub(crate) fn run(cli: &Cli, args: &ListArgs) -> ExitCode {
    let rt = match super::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("keyhole list: {e}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    ExitCode::from(rt.block_on(run_async(cli, args)))
}

fn query(args: &ListArgs) -> Query {
    Query {
        type_: args.type_.clone(),
        unused: args.unused,
        broken: args.broken,
        expiring: args.expiring,
        plaintext_copies: args.plaintext_copies,
        // JSON is for scripts: its flags are as complete as the wide table's.
        complete: args.output != ListFormat::Table,
        chunk_size: args.chunk_size,
        certs: false,
    }
}

async fn run_async(cli: &Cli, args: &ListArgs) -> u8 {
    if let Some(spec) = &args.contexts {
        return run_fleet(cli, args, spec).await;
    }
    let (_server, connected) = match super::connect(cli).await {
        Ok(c) => c,
        Err(e) => {
            eprintln!("keyhole list: {e}");
            return EXIT_ERROR;
        }
    };
    let namespace = super::namespace(cli, &connected);
    let query = query(args);
    let report = match build(&connected, namespace.as_deref(), &query, Timestamp::now()).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("keyhole list: {e}");
            return EXIT_ERROR;
        }
    };
    for note in &report.notes {
        eprintln!("keyhole list: {note}");
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let show_flags = args.output == ListFormat::Wide || report.linting;
    let written = match args.output {
        ListFormat::Json => write_json(&mut out, &report),
        ListFormat::Table | ListFormat::Wide => write_table(&mut out, &report, namespace.is_none(), show_flags),
    };
    // A closed pipe (`| head`) is not an error of the listing.
    let _ = written.and_then(|()| out.flush());
    if report.incomplete {
        EXIT_ERROR
    } else if report.linting && report.findings > 0 {
        EXIT_FOUND
    } else {
        EXIT_CLEAN
    }
}

/// `keyhole list --contexts`: every chosen context, concurrently; a CONTEXT column; each
/// context that could not be read on a line of its own (stderr, and `contexts` in JSON).
async fn run_fleet(cli: &Cli, args: &ListArgs, spec: &str) -> u8 {
    use crate::list::fleet::{self, Namespaces};
    if cli.cluster.demo || cli.cluster.context.is_some() {
        eprintln!("keyhole list: --contexts chooses the contexts itself; leave out --demo and --context");
        return EXIT_ERROR;
    }
    let kubeconfig = match crate::cluster::connect::read_kubeconfig(cli.cluster.kubeconfig.as_deref()) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("keyhole list: {}", e.0);
            return EXIT_ERROR;
        }
    };
    let all: Vec<String> = kubeconfig.contexts.iter().map(|c| c.name.clone()).collect();
    let contexts = match fleet::select(&all, spec) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("keyhole list: --contexts {spec}: {e}");
            return EXIT_ERROR;
        }
    };
    let namespaces = match (&cli.cluster.namespace, cli.cluster.all_namespaces) {
        (_, true) => Namespaces::All,
        (Some(ns), false) => Namespaces::One(ns.clone()),
        (None, false) => Namespaces::ContextDefault,
    };
    let query = query(args);
    let now = Timestamp::now();
    let results = fleet::build_all(&kubeconfig, &contexts, &namespaces, &query, now, usize::from(args.parallel)).await;
    let mut failed = 0;
    let mut incomplete = false;
    let mut findings = 0;
    let mut linting = false;
    let mut items: Vec<(Option<&str>, &Item)> = Vec::new();
    for r in &results {
        match &r.report {
            Ok(report) => {
                for note in &report.notes {
                    eprintln!("keyhole list: context {}: {note}", r.context);
                }
                incomplete |= report.incomplete;
                findings += report.findings;
                linting |= report.linting;
                items.extend(report.items.iter().map(|i| (Some(r.context.as_str()), i)));
            }
            Err(e) => {
                failed += 1;
                eprintln!("keyhole list: context {}: not read: {e}", r.context);
            }
        }
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let show_flags = args.output == ListFormat::Wide || linting;
    let all_namespaces = !matches!(namespaces, Namespaces::One(_));
    let written = match args.output {
        ListFormat::Json => {
            let notes: Vec<String> = results
                .iter()
                .filter_map(|r| r.report.as_ref().ok().map(|rep| (r, rep)))
                .flat_map(|(r, rep)| rep.notes.iter().map(move |n| format!("context {}: {n}", r.context)))
                .collect();
            let json = JsonReport {
                items: items.iter().map(|(c, i)| JsonItem { context: *c, ..json_item(i, now) }).collect(),
                findings: linting.then_some(findings),
                complete: !incomplete && failed == 0,
                notes: &notes,
                contexts: Some(
                    results
                        .iter()
                        .map(|r| JsonContext {
                            name: &r.context,
                            ok: r.report.is_ok(),
                            namespace: r.namespace.as_deref(),
                            error: r.report.as_ref().err().map(String::as_str),
                            items: r.report.as_ref().ok().map(|rep| rep.items.len()),
                            findings: r.report.as_ref().ok().filter(|rep| rep.linting).map(|rep| rep.findings),
                            complete: r.report.as_ref().is_ok_and(|rep| !rep.incomplete),
                        })
                        .collect(),
                ),
            };
            serde_json::to_writer_pretty(&mut out, &json).map_err(std::io::Error::other).and_then(|()| writeln!(out))
        }
        ListFormat::Table | ListFormat::Wide => write_rows(&mut out, &items, now, all_namespaces, show_flags),
    };
    let _ = written.and_then(|()| out.flush());
    if items.is_empty() && args.output != ListFormat::Json && failed < results.len() && !incomplete {
        eprintln!("{}", if linting { "Nothing found." } else { "No resources found." });
    }
    if failed == results.len() {
        EXIT_ERROR
    } else if failed > 0 {
        EXIT_SOME_CONTEXTS
    } else if incomplete {
        EXIT_ERROR
    } else if linting && findings > 0 {
        EXIT_FOUND
    } else {
        EXIT_CLEAN
    }
}

fn write_table(out: &mut impl Write, report: &Report, all_namespaces: bool, show_flags: bool) -> std::io::Result<()> {
    let items: Vec<(Option<&str>, &Item)> = report.items.iter().map(|i| (None, i)).collect();
    write_rows(out, &items, report.now, all_namespaces, show_flags)?;
    if report.items.is_empty() {
        // As kubectl: the message goes to stderr, stdout stays empty for scripts. A check that
        // could not be made found nothing because it could not look: the notes say why, and
        // "Nothing found." would read as a clean result.
        if !(report.linting && report.incomplete) {
            eprintln!("{}", if report.linting { "Nothing found." } else { "No resources found." });
        }
    }
    Ok(())
}

/// The table of `items`, each with its context (a CONTEXT column first when any has one).
fn write_rows(
    out: &mut impl Write,
    items: &[(Option<&str>, &Item)],
    now: Timestamp,
    all_namespaces: bool,
    show_flags: bool,
) -> std::io::Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    let with_context = items.iter().any(|(c, _)| c.is_some());
    let mut header: Vec<&str> = Vec::new();
    if with_context {
        header.push("CONTEXT");
    }
    if all_namespaces {
        header.push("NAMESPACE");
    }
    header.extend(["NAME", "TYPE", "DATA", "AGE", "USED-BY"]);
    if show_flags {
        header.push("FLAGS");
    }
    let mut lines: Vec<Vec<String>> = Vec::with_capacity(items.len() + 1);
    lines.push(header.iter().map(|h| (*h).to_string()).collect());
    for (context, item) in items {
        let mut cells = Vec::with_capacity(header.len());
        if with_context {
            cells.push(context.unwrap_or("").to_string());
        }
        if all_namespaces {
            cells.push(item.namespace.clone());
        }
        cells.push(item.name.clone());
        match &item.row {
            Some(row) => {
                cells.push(if row.type_.is_empty() { "<none>".into() } else { row.type_.clone() });
                cells.push(row.keys.to_string());
                cells.push(format::age(row.created, now));
            }
            None => cells.extend(["<missing>".to_string(), "-".into(), "-".into()]),
        }
        cells.push(item.usage.map_or_else(|| "?".to_string(), |u| u.total().to_string()));
        if show_flags {
            let tags: Vec<String> = item.flags.iter().map(Flag::tag).collect();
            cells.push(if tags.is_empty() { "-".into() } else { tags.join(",") });
        }
        lines.push(cells);
    }
    // kubectl's tabwriter: columns padded to the widest cell, three spaces apart.
    let columns = header.len();
    let mut widths = vec![0usize; columns];
    for line in &lines {
        for (w, cell) in widths.iter_mut().zip(line) {
            *w = (*w).max(unicode_width::UnicodeWidthStr::width(crate::ui::text::sanitize(cell).as_str()));
        }
    }
    for line in &lines {
        let mut text = String::with_capacity(128);
        for (i, cell) in line.iter().enumerate() {
            let cell = crate::ui::text::sanitize(cell);
            text.push_str(&cell);
            if i + 1 < columns {
                let pad = widths[i] - unicode_width::UnicodeWidthStr::width(cell.as_str()) + 3;
                text.extend(std::iter::repeat_n(' ', pad));
            }
        }
        writeln!(out, "{}", text.trim_end())?;
    }
    Ok(())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonUsage {
    /// Consumers: a workload (its Pods and pod template) counts once, as USED-BY does.
    consumers: usize,
    pods: usize,
    terminated_pods: usize,
    workloads: usize,
    /// Workloads whose pod template names the Secret (Pods or not).
    templates: usize,
    service_accounts: usize,
    ingresses: usize,
    gateways: usize,
    persistent_volumes: usize,
    storage_classes: usize,
}

/// Who manages a Secret, and what that means (`crate::owners`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonOwner<'a> {
    /// `helm`, `helm-record`, `cert-manager`, `external-secrets`, `sealed-secrets`, `argocd`,
    /// `token-controller`, or the owner reference's kind.
    manager: String,
    kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    /// Whether editing or deleting it asks first in the TUI.
    asks: bool,
    summary: String,
    on_delete: String,
    /// The fields that say so.
    from: &'a [&'static str],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonItem<'a> {
    /// With --contexts: the kubeconfig context it was found in.
    #[serde(skip_serializing_if = "Option::is_none")]
    context: Option<&'a str>,
    namespace: &'a str,
    name: &'a str,
    exists: bool,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    type_: Option<&'a str>,
    /// The number of keys (kubectl's DATA).
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    created: Option<String>,
    /// `null` when the consumers could not be listed.
    used_by: Option<JsonUsage>,
    flags: Vec<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    managed_by: Vec<JsonOwner<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    missing_keys: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cert_not_after: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cert_days_left: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    immutable: Option<bool>,
    /// Whether kubectl's last-applied annotation holds a copy of values (PLAINTEXT-COPY); absent
    /// for a Secret that does not exist.
    #[serde(skip_serializing_if = "Option::is_none")]
    plaintext_copy: Option<bool>,
    /// Whether that copy differs from the current values, where they were read for other flags.
    #[serde(skip_serializing_if = "Option::is_none")]
    plaintext_copy_stale: Option<bool>,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    items: Vec<JsonItem<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    findings: Option<usize>,
    /// False when a check could not be made (exit 2): `findings` is then no clean result.
    complete: bool,
    /// What stderr says too: what could not be read, and how the list was made.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    notes: &'a [String],
    /// With --contexts: each context, read or not, and why not.
    #[serde(skip_serializing_if = "Option::is_none")]
    contexts: Option<Vec<JsonContext<'a>>>,
}

/// One context of a `--contexts` listing.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonContext<'a> {
    name: &'a str,
    /// Whether it could be listed (`error` says why not).
    ok: bool,
    /// The namespace listed (absent: all).
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    /// Secrets listed (and missing ones shown) in it.
    #[serde(skip_serializing_if = "Option::is_none")]
    items: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    findings: Option<usize>,
    /// False when a check could not be made in it.
    complete: bool,
}

fn json_item<'a>(item: &'a Item, now: Timestamp) -> JsonItem<'a> {
    let row = item.row.as_ref();
    let inspected: Option<&Inspected> = row.and_then(|r| r.inspected.as_ref());
    let missing_keys = item
        .flags
        .iter()
        .find_map(|f| match f {
            Flag::Broken(keys) => Some(keys.iter().map(String::as_str).collect()),
            _ => None,
        })
        .unwrap_or_default();
    JsonItem {
        context: None,
        namespace: &item.namespace,
        name: &item.name,
        exists: row.is_some(),
        type_: row.map(|r| r.type_.as_str()),
        data: row.map(|r| r.keys),
        created: row.and_then(|r| r.created).map(format::rfc3339),
        used_by: item.usage.map(|u| JsonUsage {
            consumers: u.total(),
            pods: u.pods,
            terminated_pods: u.terminated_pods,
            workloads: u.workloads,
            templates: u.templates,
            service_accounts: u.service_accounts,
            ingresses: u.ingresses,
            gateways: u.gateways,
            persistent_volumes: u.persistent_volumes,
            storage_classes: u.storage_classes,
        }),
        flags: item.flags.iter().map(Flag::name).collect(),
        managed_by: item
            .owners
            .iter()
            .map(|o| {
                let (kind, name) = o.object();
                JsonOwner {
                    manager: o.short(),
                    kind,
                    name,
                    asks: o.asks(),
                    summary: o.summary(),
                    on_delete: o.on_delete(),
                    from: &o.from,
                }
            })
            .collect(),
        missing_keys,
        cert_not_after: inspected.and_then(|i| i.cert_not_after).map(format::rfc3339),
        cert_days_left: row.and_then(|r| r.cert_days_left(now)),
        immutable: inspected.map(|i| i.immutable),
        plaintext_copy: row.map(|r| r.plaintext_copy),
        plaintext_copy_stale: row.filter(|r| r.plaintext_copy).and_then(|_| inspected?.copy_stale),
    }
}

fn write_json(out: &mut impl Write, report: &Report) -> std::io::Result<()> {
    let json = JsonReport {
        items: report.items.iter().map(|i| json_item(i, report.now)).collect(),
        findings: report.linting.then_some(report.findings),
        complete: !report.incomplete,
        notes: &report.notes,
        contexts: None,
    };
    serde_json::to_writer_pretty(&mut *out, &json).map_err(std::io::Error::other)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::list::rows::SecretRow;
    use crate::refs::UsageCount;
    use crate::secret::types;

    #[test]
    fn the_table_pads_like_kubectl() {
        let row = SecretRow {
            namespace: "default".into(),
            name: "mysecret".into(),
            type_: types::OPAQUE.into(),
            keys: 2,
            created: None,
            resource_version: "1".into(),
            ..Default::default()
        };
        let report = Report {
            items: vec![Item {
                namespace: "default".into(),
                name: "mysecret".into(),
                row: Some(row),
                usage: Some(UsageCount { pods: 3, workloads: 3, ..Default::default() }),
                flags: vec![],
                owners: vec![],
            }],
            now: Timestamp::UNIX_EPOCH,
            linting: false,
            findings: 0,
            incomplete: false,
            notes: vec![],
        };
        let mut out = Vec::new();
        write_table(&mut out, &report, false, false).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "NAME       TYPE     DATA   AGE         USED-BY\nmysecret   Opaque   2      <unknown>   3\n"
        );
    }
}
