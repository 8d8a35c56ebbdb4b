//! `keyhole list`: the Secrets of a namespace (or of all) as a table or JSON, for people,
//! scripts, cron jobs and CI.
//!
//! It takes the TUI's data path (DESIGN.md decision 5): the Secrets come from the server's Table
//! output, listed in pages, without values; Pods, ServiceAccounts and Ingresses are listed once,
//! page by page, and each object is projected into reference records ([`crate::refs`]) and
//! dropped. Values are read only for the Secrets that `--broken`, `--expiring` and `-o wide`
//! need (TLS Secrets, and Secrets that some consumer reads by key), through
//! [`ops::open`](crate::cluster::ops::open) and [`ops::facts`](crate::cluster::ops::facts): key
//! names, `immutable` and the first certificate's notAfter are kept, the values are zeroized.
//!
//! `--unused`, `--broken` and `--expiring DAYS` make it a linter: exit 1 when anything is found,
//! 0 when not, 2 on errors (no connection, 403, bad flags, or a check that could not be made).

use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

use futures::StreamExt;
use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::ServiceAccount;
use k8s_openapi::api::networking::v1::Ingress;
use kube::api::{Api, ListParams};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::app::msg::OpenError;
use crate::app::rows::{Inspected, SecretRow};
use crate::cli::{Cli, ListArgs, ListFormat};
use crate::cluster::consumers::api;
use crate::cluster::pod::PodForRefs;
use crate::cluster::{self, Connected, ops, secrets};
use crate::format;
use crate::refs::{self, MissingEffect, RefIndex, UsageCount, WorkloadResolver};

/// Exit codes of the linter.
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FOUND: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

/// Page size for the consumer lists (kubectl's default chunk size).
const PAGE: u32 = 500;
/// Secrets read at once for `--broken`, `--expiring` and `-o wide`.
const INSPECT_CONCURRENCY: usize = 16;

/// `keyhole list`.
pub fn run(cli: &Cli, args: &ListArgs) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("keyhole list: cannot start the async runtime: {e}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    ExitCode::from(rt.block_on(run_async(cli, args)))
}

async fn run_async(cli: &Cli, args: &ListArgs) -> u8 {
    let mut _server = None;
    let connected = if cli.demo {
        match crate::launch::demo_connection().await {
            Ok((server, c)) => {
                _server = Some(server);
                c
            }
            Err(e) => {
                eprintln!("keyhole list: cannot start the demo cluster: {e}");
                return EXIT_ERROR;
            }
        }
    } else {
        match cluster::connect(cli.cluster.kubeconfig.as_deref(), cli.cluster.context.as_deref()).await {
            Ok(c) => c,
            Err(e) => {
                eprintln!("keyhole list: {e}");
                return EXIT_ERROR;
            }
        }
    };
    let namespace = if cli.cluster.all_namespaces {
        None
    } else {
        Some(cli.cluster.namespace.clone().unwrap_or_else(|| connected.namespace.clone()))
    };
    let report = match build(&connected, namespace.as_deref(), args, Timestamp::now()).await {
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
    let written = match args.output {
        ListFormat::Json => write_json(&mut out, &report),
        ListFormat::Table | ListFormat::Wide => write_table(&mut out, &report, namespace.is_none()),
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

/// What was learnt about the Secrets in scope, without their values.
#[derive(Debug)]
pub struct Gathered {
    /// By namespace and name.
    pub rows: BTreeMap<(String, String), SecretRow>,
    pub index: RefIndex,
    /// Why usage is not fully known (a consumer list failed), one sentence per kind.
    pub consumer_errors: Vec<String>,
}

/// Lists the Secrets (Table, paged) and the consumers (paged, projected at once) of a scope,
/// concurrently.
pub async fn gather(client: &kube::Client, server: &str, namespace: Option<&str>) -> Result<Gathered, String> {
    let (secret_rows, consumers) = tokio::join!(secrets::list_rows(client, namespace), consumers(client, namespace));
    let rows = secret_rows.map_err(|e| secrets_error(server, namespace, &e))?;
    let (index, consumer_errors) = consumers;
    Ok(Gathered { rows: rows.into_iter().map(|r| (r.key(), r)).collect(), index, consumer_errors })
}

fn secrets_error(server: &str, namespace: Option<&str>, e: &kube::Error) -> String {
    match (e, namespace) {
        (kube::Error::Api(s), None) if s.code == 403 => format!(
            "You may not list Secrets in all namespaces: {} (403 Forbidden). List one namespace with -n NAMESPACE, or ask for access.",
            s.message
        ),
        (kube::Error::Api(s), Some(ns)) if s.code == 403 => format!(
            "You may not list Secrets in namespace {ns}: {} (403 Forbidden). Ask for access, or choose another namespace (-n) or context (--context).",
            s.message
        ),
        (kube::Error::Api(s), Some(ns)) if s.code == 404 => {
            format!("The cluster at {server} answered 404 for the Secrets of namespace {ns}: {}.", s.message)
        }
        _ => cluster::connect::describe(server, e),
    }
}

/// Lists every object of a kind page by page, handing each to `each`; one page is held at a time.
async fn each_page<K>(api: Api<K>, mut each: impl FnMut(K)) -> Result<(), kube::Error>
where
    K: Clone + DeserializeOwned + std::fmt::Debug,
{
    let mut params = ListParams::default().limit(PAGE);
    loop {
        let list = api.list(&params).await?;
        let next = list.metadata.continue_.clone().filter(|c| !c.is_empty());
        for item in list.items {
            each(item);
        }
        match next {
            Some(token) => params = params.continue_token(&token),
            None => return Ok(()),
        }
    }
}

async fn replica_sets(api: Api<ReplicaSet>, resolver: &mut WorkloadResolver) -> Result<(), kube::Error> {
    let mut params = ListParams::default().limit(PAGE);
    loop {
        let list = api.list_metadata(&params).await?;
        for m in &list.items {
            resolver.upsert_replica_set(&m.metadata);
        }
        match list.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(token) => params = params.continue_token(&token),
            None => return Ok(()),
        }
    }
}

fn consumer_error(what: &str, e: &kube::Error) -> String {
    match e {
        kube::Error::Api(s) if s.code == 403 => format!("listing {what} was refused: {} (403 Forbidden)", s.message),
        other => format!("listing {what} failed: {}", cluster::connect::error_chain(other)),
    }
}

/// Pods (with ReplicaSet metadata for their workloads), ServiceAccounts and Ingresses, projected
/// into the reference index as each page arrives.
async fn consumers(client: &kube::Client, namespace: Option<&str>) -> (RefIndex, Vec<String>) {
    let mut index = RefIndex::new();
    let mut resolver = WorkloadResolver::new();
    let mut others: Vec<(refs::ConsumerId, Vec<refs::Reference>)> = Vec::new();
    let mut ingresses: Vec<(refs::ConsumerId, Vec<refs::Reference>)> = Vec::new();
    // ReplicaSets only name the workloads: Pods are indexed as they arrive, without them, and
    // their workloads resolved once both lists are in.
    let bare = WorkloadResolver::new();
    let (pods_result, rs_result, sa_result, ing_result) = tokio::join!(
        each_page(api::<PodForRefs>(client, namespace), |p| index.upsert_pod(&p.0, &bare)),
        replica_sets(api(client, namespace), &mut resolver),
        each_page(api::<ServiceAccount>(client, namespace), |s| {
            others.push((refs::service_account_id(&s), refs::from_service_account(&s)))
        }),
        each_page(api::<Ingress>(client, namespace), |i| {
            ingresses.push((refs::ingress_id(&i), refs::from_ingress(&i)))
        }),
    );
    for (id, r) in others.into_iter().chain(ingresses) {
        index.upsert(id, r);
    }
    if rs_result.is_ok() && !resolver.is_empty() {
        index.refresh_workloads(&resolver, None);
    }
    let mut errors = Vec::new();
    for (what, result) in [("Pods", pods_result), ("ServiceAccounts", sa_result), ("Ingresses", ing_result)] {
        if let Err(e) = result {
            errors.push(consumer_error(what, &e));
        }
    }
    (index, errors)
}

/// Reads the Secrets that the flags need, keeps their facts, drops their values. Returns
/// the Secrets that could not be read, with why.
pub async fn inspect(
    client: &kube::Client,
    rows: &mut BTreeMap<(String, String), SecretRow>,
    wanted: Vec<(String, String)>,
) -> Vec<String> {
    let results = futures::stream::iter(wanted)
        .map(|key| async move {
            let result = ops::open(client, &key.0, &key.1).await.map(|secret| ops::facts(&secret));
            (key, result)
        })
        .buffer_unordered(INSPECT_CONCURRENCY);
    let mut results = std::pin::pin!(results);
    let mut failed = Vec::new();
    while let Some((key, result)) = results.next().await {
        match result {
            Ok(facts) => {
                if let Some(row) = rows.get_mut(&key) {
                    row.inspected = Some(facts);
                }
            }
            // Deleted since it was listed: nothing to check.
            Err(OpenError::NotFound) => {
                rows.remove(&key);
            }
            Err(OpenError::Forbidden(m)) => {
                failed.push(format!("{}/{}: {m} (403 Forbidden)", key.0, key.1));
                if let Some(row) = rows.get_mut(&key) {
                    row.inspect_failed = true;
                }
            }
            Err(OpenError::Other(m)) => {
                failed.push(format!("{}/{}: {m}", key.0, key.1));
                if let Some(row) = rows.get_mut(&key) {
                    row.inspect_failed = true;
                }
            }
        }
    }
    failed.sort();
    failed
}

/// One line of the listing: a Secret, or a Secret that consumers name but that does not exist.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub namespace: String,
    pub name: String,
    /// `None` for a Secret that does not exist.
    pub row: Option<SecretRow>,
    /// `None` when the consumers could not all be listed.
    pub usage: Option<UsageCount>,
    pub flags: Vec<Flag>,
}

/// What the list says about a Secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flag {
    /// The first certificate has expired.
    Expired,
    /// The first certificate expires within 30 days (or the `--expiring` window): days left.
    Expiring(i64),
    /// Consumers read these keys, which the Secret does not have.
    Broken(Vec<String>),
    /// Consumers name it but it does not exist; true when some consumer fails without it.
    Missing {
        fails: bool,
    },
    Immutable,
    /// Nothing uses it.
    Unused,
}

impl Flag {
    /// The flag as the table shows it: one word, no spaces (for awk and cut).
    pub fn tag(&self) -> String {
        match self {
            Flag::Expired => "EXPIRED".into(),
            Flag::Expiring(days) => format!("EXPIRES-{days}d"),
            Flag::Broken(keys) => format!("BROKEN:{}", keys.join("+")),
            Flag::Missing { fails: true } => "MISSING".into(),
            Flag::Missing { fails: false } => "MISSING-OPTIONAL".into(),
            Flag::Immutable => "IMMUTABLE".into(),
            Flag::Unused => "UNUSED".into(),
        }
    }

    /// The flag's name in JSON.
    pub fn name(&self) -> &'static str {
        match self {
            Flag::Expired => "EXPIRED",
            Flag::Expiring(_) => "EXPIRING",
            Flag::Broken(_) => "BROKEN",
            Flag::Missing { fails: true } => "MISSING",
            Flag::Missing { fails: false } => "MISSING-OPTIONAL",
            Flag::Immutable => "IMMUTABLE",
            Flag::Unused => "UNUSED",
        }
    }
}

/// The listing, ready to print.
#[derive(Debug)]
pub struct Report {
    pub items: Vec<Item>,
    pub now: Timestamp,
    /// Linter flags were given: `findings` decides the exit code.
    pub linting: bool,
    pub findings: usize,
    /// Show the FLAGS column.
    pub show_flags: bool,
    /// A check could not be made (a consumer list or a Secret read failed): exit 2.
    pub incomplete: bool,
    pub notes: Vec<String>,
}

/// Types that something other than Pods, ServiceAccounts and Ingresses uses (Helm, the
/// bootstrap token authenticator, the token controller): never "unused".
pub fn implicitly_used(type_: &str) -> bool {
    crate::ui::list::implicitly_used_type(type_)
}

fn type_matches(wanted: &str, type_: &str) -> bool {
    wanted.eq_ignore_ascii_case(type_) || wanted.eq_ignore_ascii_case(&crate::ui::list::type_label(type_, false))
}

/// Whether a missing key or Secret is a finding: some reference fails without it.
fn fails(effect: &MissingEffect) -> bool {
    !matches!(effect, MissingEffect::Skipped | MissingEffect::Nothing)
}

/// Keys that some non-optional reference reads and the Secret does not have.
fn missing_keys(index: &RefIndex, namespace: &str, name: &str, have: &[String]) -> Vec<String> {
    let readers = index.key_readers(namespace, name);
    readers
        .by_key
        .iter()
        .filter(|(key, _)| !have.iter().any(|h| h == *key))
        .filter(|(_, refs)| refs.iter().any(|r| !r.optional))
        .map(|(key, _)| (*key).to_string())
        .collect()
}

fn reads_keys(index: &RefIndex, namespace: &str, name: &str) -> bool {
    index.key_readers(namespace, name).named_keys().next().is_some()
}

/// Gathers, inspects what the flags need, and decides what to show.
pub async fn build(
    connected: &Connected,
    namespace: Option<&str>,
    args: &ListArgs,
    now: Timestamp,
) -> Result<Report, String> {
    let client = &connected.client;
    let Gathered { mut rows, index, consumer_errors } = gather(client, &connected.server, namespace).await?;
    if let Some(t) = &args.type_ {
        rows.retain(|_, r| type_matches(t, &r.type_));
    }
    let wide = args.output == ListFormat::Wide;
    let want_certs = wide || args.expiring.is_some();
    let want_keys = wide || args.broken;
    let linting = args.unused || args.broken || args.expiring.is_some();
    let usage_known = consumer_errors.is_empty();
    let mut notes = Vec::new();
    let mut incomplete = false;
    if !usage_known {
        let what = consumer_errors.join("; ");
        if args.unused || args.broken {
            incomplete = true;
            notes.push(format!(
                "cannot tell which Secrets are used: {what}. --unused and --broken need to list Pods, ServiceAccounts and Ingresses."
            ));
        } else {
            notes.push(format!("usage is unknown (USED-BY shows ?): {what}."));
        }
    }

    let wanted: Vec<(String, String)> = rows
        .values()
        .filter(|r| (want_certs && r.is_tls()) || (want_keys && reads_keys(&index, &r.namespace, &r.name)))
        .map(SecretRow::key)
        .collect();
    if !wanted.is_empty() {
        let failed = inspect(client, &mut rows, wanted).await;
        if !failed.is_empty() {
            let shown: Vec<&str> = failed.iter().take(3).map(String::as_str).collect();
            let more = if failed.len() > 3 { format!(" and {} more", failed.len() - 3) } else { String::new() };
            let consequence = if args.broken || args.expiring.is_some() {
                incomplete = true;
                "their keys and certificates were not checked"
            } else {
                "their flags are not shown"
            };
            notes.push(format!(
                "could not read {} Secret(s), so {consequence}: {}{more}.",
                failed.len(),
                shown.join("; ")
            ));
        }
    }

    let window = SignedDuration::from_hours(24 * i64::from(args.expiring.unwrap_or(30)));
    let mut items = Vec::with_capacity(rows.len());
    for ((ns, name), row) in rows {
        let usage = usage_known.then(|| index.usage(&ns, &name));
        let mut flags = Vec::new();
        if let Some(inspected) = &row.inspected {
            if let Some(not_after) = inspected.cert_not_after {
                if not_after <= now {
                    flags.push(Flag::Expired);
                } else if not_after <= now + window {
                    flags.push(Flag::Expiring(not_after.duration_since(now).as_secs().div_euclid(86_400)));
                }
            }
            let missing = missing_keys(&index, &ns, &name, &inspected.keys);
            if !missing.is_empty() {
                flags.push(Flag::Broken(missing));
            }
            if inspected.immutable {
                flags.push(Flag::Immutable);
            }
        }
        if usage_known && !index.is_used(&ns, &name) && !implicitly_used(&row.type_) {
            flags.push(Flag::Unused);
        }
        items.push(Item { namespace: ns, name, row: Some(row), usage, flags });
    }

    // Secrets that consumers name but that do not exist, where it matters.
    if (args.broken || wide) && usage_known && args.type_.is_none() {
        let namespaces: Vec<String> = match namespace {
            Some(ns) => vec![ns.to_string()],
            None => index.namespaces().into_iter().map(str::to_string).collect(),
        };
        let exists: std::collections::HashSet<(&str, &str)> =
            items.iter().map(|i| (i.namespace.as_str(), i.name.as_str())).collect();
        let mut ghosts = Vec::new();
        for ns in &namespaces {
            for m in index.missing_in(ns, |s| exists.contains(&(ns.as_str(), s))) {
                let fails = m.references.iter().any(|(_, e)| fails(e));
                ghosts.push(Item {
                    namespace: ns.clone(),
                    name: m.secret.to_string(),
                    row: None,
                    usage: Some(index.usage(ns, m.secret)),
                    flags: vec![Flag::Missing { fails }],
                });
            }
        }
        items.extend(ghosts);
        items.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    }

    let mut findings = 0;
    if linting {
        items.retain(|item| {
            item.flags.iter().any(|f| match f {
                Flag::Unused => args.unused,
                Flag::Broken(_) | Flag::Missing { fails: true } => args.broken,
                Flag::Expired | Flag::Expiring(_) => args.expiring.is_some(),
                Flag::Missing { fails: false } | Flag::Immutable => false,
            })
        });
        findings = items.len();
    }
    Ok(Report { items, now, linting, findings, show_flags: wide || linting, incomplete, notes })
}

fn write_table(out: &mut impl Write, report: &Report, all_namespaces: bool) -> std::io::Result<()> {
    if report.items.is_empty() {
        // As kubectl: the message goes to stderr, stdout stays empty for scripts.
        eprintln!("{}", if report.linting { "Nothing found." } else { "No resources found." });
        return Ok(());
    }
    let mut header: Vec<&str> = Vec::new();
    if all_namespaces {
        header.push("NAMESPACE");
    }
    header.extend(["NAME", "TYPE", "DATA", "AGE", "USED-BY"]);
    if report.show_flags {
        header.push("FLAGS");
    }
    let mut lines: Vec<Vec<String>> = Vec::with_capacity(report.items.len() + 1);
    lines.push(header.iter().map(|h| (*h).to_string()).collect());
    for item in &report.items {
        let mut cells = Vec::with_capacity(header.len());
        if all_namespaces {
            cells.push(item.namespace.clone());
        }
        cells.push(item.name.clone());
        match &item.row {
            Some(row) => {
                cells.push(if row.type_.is_empty() { "<none>".into() } else { row.type_.clone() });
                cells.push(row.keys.to_string());
                cells.push(format::age(row.created, report.now));
            }
            None => cells.extend(["<missing>".to_string(), "-".into(), "-".into()]),
        }
        cells.push(item.usage.map_or_else(|| "?".to_string(), |u| u.pods.to_string()));
        if report.show_flags {
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
    pods: usize,
    terminated_pods: usize,
    workloads: usize,
    service_accounts: usize,
    ingresses: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonItem<'a> {
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
    missing_keys: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cert_not_after: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cert_days_left: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    immutable: Option<bool>,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    items: Vec<JsonItem<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    findings: Option<usize>,
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
        namespace: &item.namespace,
        name: &item.name,
        exists: row.is_some(),
        type_: row.map(|r| r.type_.as_str()),
        data: row.map(|r| r.keys),
        created: row.and_then(|r| r.created).map(format::rfc3339),
        used_by: item.usage.map(|u| JsonUsage {
            pods: u.pods,
            terminated_pods: u.terminated_pods,
            workloads: u.workloads,
            service_accounts: u.service_accounts,
            ingresses: u.ingresses,
        }),
        flags: item.flags.iter().map(Flag::name).collect(),
        missing_keys,
        cert_not_after: inspected.and_then(|i| i.cert_not_after).map(format::rfc3339),
        cert_days_left: row.and_then(|r| r.cert_days_left(now)),
        immutable: inspected.map(|i| i.immutable),
    }
}

fn write_json(out: &mut impl Write, report: &Report) -> std::io::Result<()> {
    let json = JsonReport {
        items: report.items.iter().map(|i| json_item(i, report.now)).collect(),
        findings: report.linting.then_some(report.findings),
    };
    serde_json::to_writer_pretty(&mut *out, &json).map_err(std::io::Error::other)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::types;

    #[test]
    fn tags_have_no_spaces() {
        for f in [
            Flag::Expired,
            Flag::Expiring(3),
            Flag::Broken(vec!["a".into(), "b".into()]),
            Flag::Missing { fails: true },
            Flag::Missing { fails: false },
            Flag::Immutable,
            Flag::Unused,
        ] {
            assert!(!f.tag().contains(' '), "{}", f.tag());
        }
        assert_eq!(Flag::Broken(vec!["a".into(), "b".into()]).tag(), "BROKEN:a+b");
    }

    #[test]
    fn types_match_in_full_or_short() {
        assert!(type_matches("kubernetes.io/tls", "kubernetes.io/tls"));
        assert!(type_matches("tls", "kubernetes.io/tls"));
        assert!(type_matches("opaque", "Opaque"));
        assert!(type_matches("helm-release", "helm.sh/release.v1"));
        assert!(!type_matches("tls", "Opaque"));
    }

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
                usage: Some(UsageCount { pods: 3, ..Default::default() }),
                flags: vec![],
            }],
            now: Timestamp::UNIX_EPOCH,
            linting: false,
            findings: 0,
            show_flags: false,
            incomplete: false,
            notes: vec![],
        };
        let mut out = Vec::new();
        write_table(&mut out, &report, false).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "NAME       TYPE     DATA   AGE         USED-BY\nmysecret   Opaque   2      <unknown>   3\n"
        );
    }
}
