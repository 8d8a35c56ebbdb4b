//! What `keyhole list` learns about a scope, without values (DESIGN.md decision 5): the Secrets
//! from the server's Table output, listed in pages; Pods, ServiceAccounts and Ingresses listed
//! once, page by page, each object projected into reference records ([`crate::refs`]) and
//! dropped; and, for the flags that need content, the facts of some Secrets (key names,
//! `immutable`, the first certificate's notAfter) read through
//! [`ops::open`](crate::cluster::ops::open) with their values zeroized at once; and the custom
//! resources that write Secrets (Certificates, ExternalSecrets) where their CRDs are served.

use std::collections::{BTreeMap, HashSet};

use futures::StreamExt;
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::ServiceAccount;
use k8s_openapi::api::networking::v1::Ingress;
use kube::api::{Api, ApiResource, ListParams};
use serde::de::DeserializeOwned;

use super::rows::SecretRow;
use crate::cluster::consumers::api;
use crate::cluster::ops::{self, OpenError};
use crate::cluster::pod::PodForRefs;
use crate::cluster::{self, Connected, secrets};
use crate::owners::{WriterEvent, WriterKind, Writers};
use crate::refs::{self, RefIndex, WorkloadResolver};

/// Page size for the consumer lists (kubectl's default chunk size).
const PAGE: u32 = 500;

/// Objects per list request: by default 5,000 Secrets (Table rows without values) and 500
/// consumers (kubectl's chunk size); `--chunk-size` sets both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pages {
    pub secrets: u32,
    pub consumers: u32,
}

impl Default for Pages {
    fn default() -> Self {
        Pages { secrets: secrets::PAGE, consumers: PAGE }
    }
}

impl Pages {
    /// `--chunk-size N`: N of everything per request (0: no pages, as kubectl).
    pub(crate) fn chunk(size: Option<u32>) -> Pages {
        size.map_or_else(Pages::default, |n| Pages { secrets: n, consumers: n })
    }
}
/// Secrets read at once for the flags.
const INSPECT_CONCURRENCY: usize = 16;

/// What was learnt about the Secrets in scope, without their values.
#[derive(Debug)]
pub(crate) struct Gathered {
    /// By namespace and name.
    pub rows: BTreeMap<(String, String), SecretRow>,
    pub index: RefIndex,
    /// Why usage is not fully known (a consumer list failed), one sentence per kind.
    pub consumer_errors: Vec<String>,
    /// What the user should know about how the scope was read.
    pub notes: Vec<String>,
    /// The custom resources that write Secrets (where their CRDs are served).
    pub writers: Writers,
}

/// Lists the Secrets (Table, paged) and the consumers (paged, projected at once) of a scope,
/// concurrently.
/// `managers`: also the custom resources that write Secrets (for the MANAGED flag; the plain
/// table does not show it, and skips them).
pub(crate) async fn gather(
    connected: &Connected,
    namespace: Option<&str>,
    pages: Pages,
    managers: bool,
) -> Result<Gathered, String> {
    let served = if managers { cluster::owners::discover(&connected.client).await } else { Vec::new() };
    match gather_scope(&connected.client, namespace, pages, &served).await {
        Err(e) if namespace.is_none() && is_forbidden(&e) => each_namespace(connected, &e, pages, &served).await,
        Err(e) => Err(secrets_error(connected, namespace, &e)),
        Ok(g) => Ok(g),
    }
}

fn is_forbidden(e: &kube::Error) -> bool {
    matches!(e, kube::Error::Api(s) if s.code == 403)
}

async fn gather_scope(
    client: &kube::Client,
    namespace: Option<&str>,
    pages: Pages,
    served: &Served,
) -> Result<Gathered, kube::Error> {
    let (secret_rows, consumers, writers) = tokio::join!(
        secrets::list_rows(client, namespace, pages.secrets),
        consumers(client, namespace, pages.consumers),
        writers(client, namespace, pages.consumers, served)
    );
    let rows = secret_rows?;
    let (index, consumer_errors) = consumers;
    Ok(Gathered {
        rows: rows.into_iter().map(|r| (r.key(), r)).collect(),
        index,
        consumer_errors,
        notes: Vec::new(),
        writers,
    })
}

/// The kinds of custom resource that write Secrets and that the cluster serves.
type Served = [(WriterKind, ApiResource)];

/// The custom resources that write Secrets, listed page by page and projected into the Secret
/// each writes; a kind that cannot be listed says why.
async fn writers(client: &kube::Client, namespace: Option<&str>, page: u32, served: &Served) -> Writers {
    let mut writers = Writers::new();
    for (kind, ar) in served {
        let kind = *kind;
        let mut events = Vec::new();
        let mut present = HashSet::new();
        let listed = each_page(cluster::owners::api(client, namespace, ar), page, |o| {
            present.insert(cluster::owners::key(&o));
            events.push(cluster::owners::upserted(kind, &o));
        })
        .await;
        match listed {
            Ok(()) => {
                for e in events {
                    writers.apply(e);
                }
                writers.apply(WriterEvent::Synced { kind, present });
            }
            Err(e) => {
                let reason = match &e {
                    kube::Error::Api(s) if s.code == 403 => {
                        format!("listing them was refused ({}, 403 Forbidden)", s.message)
                    }
                    other => format!("listing them failed ({})", cluster::connect::error_chain(other)),
                };
                writers.apply(WriterEvent::Refused { kind, reason });
            }
        }
    }
    writers
}

/// Listing across namespaces is forbidden, but listing namespace by namespace may not be (a
/// user with a RoleBinding per namespace): the namespaces the user may list Secrets in, merged,
/// with a note naming the others. When the namespaces cannot be listed, or none can be read,
/// the error of listing across namespaces.
async fn each_namespace(
    connected: &Connected,
    across: &kube::Error,
    pages: Pages,
    served: &Served,
) -> Result<Gathered, String> {
    let client = &connected.client;
    let refused_across = || secrets_error(connected, None, across);
    let Ok(namespaces) = ops::namespaces(client).await else { return Err(refused_across()) };
    let mut out = Gathered {
        rows: BTreeMap::new(),
        index: RefIndex::new(),
        consumer_errors: Vec::new(),
        notes: Vec::new(),
        writers: Writers::new(),
    };
    let mut refused = Vec::new();
    for ns in &namespaces {
        match gather_scope(client, Some(ns), pages, served).await {
            Ok(g) => {
                out.rows.extend(g.rows);
                out.index.absorb(g.index);
                out.consumer_errors.extend(g.consumer_errors);
                out.writers.absorb(g.writers);
            }
            Err(e) if is_forbidden(&e) => refused.push(ns.clone()),
            Err(e) => return Err(secrets_error(connected, Some(ns), &e)),
        }
    }
    if refused.len() == namespaces.len() {
        return Err(refused_across());
    }
    out.consumer_errors.sort();
    out.consumer_errors.dedup();
    let not = if refused.is_empty() { String::new() } else { format!("; not {}", refused.join(", ")) };
    out.notes.push(format!(
        "you may not list Secrets across all namespaces, so they were listed namespace by namespace: {}{not}.",
        (namespaces.iter().filter(|n| !refused.contains(n)).cloned().collect::<Vec<_>>()).join(", ")
    ));
    Ok(out)
}

fn secrets_error(connected: &Connected, namespace: Option<&str>, e: &kube::Error) -> String {
    let server = &connected.server;
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
        _ => connected.describe(e),
    }
}

/// Lists every object of a kind page by page, handing each to `each`; one page is held at a time.
async fn each_page<K>(api: Api<K>, page: u32, mut each: impl FnMut(K)) -> Result<(), kube::Error>
where
    K: Clone + DeserializeOwned + std::fmt::Debug,
{
    let mut params = ListParams::default().limit(page);
    loop {
        let list = match api.list(&params).await {
            // What was handed to `each` is handed again; the index replaces a consumer's
            // references.
            Err(e) if expired(&e, &params) => {
                params = ListParams::default();
                continue;
            }
            other => other?,
        };
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

/// Whether a page failed because its continue token expired: a paged list is a snapshot the
/// server keeps only until its next compaction. Starting over page by page would meet the same
/// expiry whenever the list takes that long, so the caller lists everything again in one
/// request, which no expiry can cut short, as client-go's pager does (FullListIfExpired).
fn expired(e: &kube::Error, params: &ListParams) -> bool {
    matches!(e, kube::Error::Api(s) if s.code == 410) && params.continue_token.is_some()
}

async fn replica_sets(api: Api<ReplicaSet>, page: u32, resolver: &mut WorkloadResolver) -> Result<(), kube::Error> {
    let mut params = ListParams::default().limit(page);
    loop {
        let list = match api.list_metadata(&params).await {
            Err(e) if expired(&e, &params) => {
                params = ListParams::default();
                continue;
            }
            other => other?,
        };
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
async fn consumers(client: &kube::Client, namespace: Option<&str>, page: u32) -> (RefIndex, Vec<String>) {
    let mut index = RefIndex::new();
    let mut resolver = WorkloadResolver::new();
    let mut others: Vec<(refs::ConsumerId, Vec<refs::Reference>)> = Vec::new();
    let mut ingresses: Vec<(refs::ConsumerId, Vec<refs::Reference>)> = Vec::new();
    // ReplicaSets only name the workloads: Pods are indexed as they arrive, without them, and
    // their workloads resolved once both lists are in.
    let bare = WorkloadResolver::new();
    let (pods_result, rs_result, sa_result, ing_result) = tokio::join!(
        each_page(api::<PodForRefs>(client, namespace), page, |p| index.upsert_pod(&p.0, &bare)),
        replica_sets(api(client, namespace), page, &mut resolver),
        each_page(api::<ServiceAccount>(client, namespace), page, |s| {
            others.push((refs::service_account_id(&s), refs::from_service_account(&s)))
        }),
        each_page(api::<Ingress>(client, namespace), page, |i| {
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
pub(crate) async fn inspect(
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
