//! What `keyhole list` learns about a scope, without values (DESIGN.md decision 5): the Secrets
//! from the server's Table output, listed in pages; every kind that references Secrets (Pods,
//! workloads, ServiceAccounts, Ingresses, Gateways and ReferenceGrants, PersistentVolumes,
//! StorageClasses) listed once, page by page, each object projected into reference records
//! ([`crate::refs`]) and dropped; and, for the flags that need content, the facts of some Secrets (key names,
//! `immutable`, the first certificate's notAfter) read through
//! [`ops::open`](crate::cluster::ops::open) with their values zeroized at once; and the custom
//! resources that write Secrets (Certificates, ExternalSecrets) where their CRDs are served.

use std::collections::{BTreeMap, HashSet};

use futures::StreamExt;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::ServiceAccount;
use k8s_openapi::api::networking::v1::Ingress;
use kube::api::{Api, ApiResource, DynamicObject, ListParams};
use serde::de::DeserializeOwned;

use super::progress::Progress;
use super::rows::SecretRow;
use crate::cluster::consumers::api;
use crate::cluster::ops::{self, OpenError};
use crate::cluster::pod::PodForRefs;
use crate::cluster::slim::{ClassForRefs, Slim, SlimKind, VolumeForRefs};
use crate::cluster::{self, Connected, secrets};
use crate::owners::{WriterEvent, WriterKind, Writers};
use crate::refs::{
    self, ConsumerKind, Coverage, HasTemplate, Interner, Listing, RefIndex, SOURCES, Source, WorkloadResolver,
};

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
    /// How each kind that references Secrets was listed: where one could not be, the use of
    /// the Secrets it could reference is unknown.
    pub coverage: Coverage,
    /// What the user should know about how the scope was read.
    pub notes: Vec<String>,
    /// The custom resources that write Secrets (where their CRDs are served).
    pub writers: Writers,
    /// Namespaces left out because their Secrets may not be listed (`-A` read namespace by
    /// namespace): nothing in them was checked.
    pub refused: Vec<String>,
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
    gather_with(connected, namespace, pages, managers, &Progress::none()).await
}

/// [`gather`], telling `progress` how far it got.
pub(crate) async fn gather_with(
    connected: &Connected,
    namespace: Option<&str>,
    pages: Pages,
    managers: bool,
    progress: &Progress,
) -> Result<Gathered, String> {
    let served = if managers { cluster::owners::discover(&connected.client).await } else { Vec::new() };
    match gather_scope(&connected.client, namespace, pages, &served, progress).await {
        Err(e) if namespace.is_none() && is_forbidden(&e) => {
            each_namespace(connected, &e, pages, &served, progress).await
        }
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
    progress: &Progress,
) -> Result<Gathered, kube::Error> {
    let so_far = |n: usize| progress.secrets_so_far(n);
    let secrets = async {
        let rows = secrets::list_rows(client, namespace, pages.secrets, &so_far).await;
        if let Ok(r) = &rows {
            progress.secrets_listed(r.len());
        }
        rows
    };
    let (secret_rows, consumers, writers) = tokio::join!(
        secrets,
        consumers(client, namespace, pages.consumers, progress),
        writers(client, namespace, pages.consumers, served)
    );
    let rows = secret_rows?;
    let (mut index, coverage) = consumers;
    // Legacy token Secrets bound to a ServiceAccount by their annotation.
    for r in rows.iter().filter(|r| r.service_account.is_some()) {
        let (id, refs) = refs::from_token_secret(&r.namespace, &r.name, r.service_account.as_deref().unwrap_or(""));
        index.upsert(id, refs);
    }
    Ok(Gathered {
        rows: rows.into_iter().map(|r| (r.key(), r)).collect(),
        index,
        coverage,
        notes: Vec::new(),
        writers,
        refused: Vec::new(),
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
    progress: &Progress,
) -> Result<Gathered, String> {
    let client = &connected.client;
    let refused_across = || secrets_error(connected, None, across);
    let Ok(namespaces) = ops::namespaces(client).await else { return Err(refused_across()) };
    let mut out = Gathered {
        rows: BTreeMap::new(),
        index: RefIndex::new(),
        coverage: Coverage::new(),
        notes: Vec::new(),
        writers: Writers::new(),
        refused: Vec::new(),
    };
    let mut refused = Vec::new();
    for ns in &namespaces {
        match gather_scope(client, Some(ns), pages, served, progress).await {
            Ok(g) => {
                out.rows.extend(g.rows);
                out.index.absorb(g.index);
                out.coverage.absorb(g.coverage);
                out.writers.absorb(g.writers);
            }
            Err(e) if is_forbidden(&e) => refused.push(ns.clone()),
            Err(e) => return Err(secrets_error(connected, Some(ns), &e)),
        }
    }
    if refused.len() == namespaces.len() {
        return Err(refused_across());
    }
    let not = if refused.is_empty() { String::new() } else { format!("; not {}", refused.join(", ")) };
    out.notes.push(format!(
        "you may not list Secrets across all namespaces, so they were listed namespace by namespace: {}{not}.",
        (namespaces.iter().filter(|n| !refused.contains(n)).cloned().collect::<Vec<_>>()).join(", ")
    ));
    out.refused = refused;
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

/// How a list went, for the usage rule: 403 refused, 404 not served (none exist).
fn listing_of(result: Result<(), kube::Error>) -> Listing {
    match result {
        Ok(()) => Listing::Listed,
        Err(kube::Error::Api(s)) if s.code == 403 => Listing::Forbidden(s.message),
        Err(kube::Error::Api(s)) if s.code == 404 => Listing::NotServed,
        Err(e) => Listing::Failed(cluster::connect::error_chain(&e)),
    }
}

/// What listing the consumers of a scope learnt: the index shared by every list (one page at a
/// time is held), the owners of Pods, and how each list went.
struct Found {
    index: std::cell::RefCell<RefIndex>,
    owners: std::cell::RefCell<Vec<(bool, k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta)>>,
}

impl Found {
    fn add(&self, (id, refs): (refs::ConsumerId, Vec<refs::Reference>)) {
        if !refs.is_empty() {
            self.index.borrow_mut().upsert(id, refs);
        }
    }
}

fn template<K: SlimKind + HasTemplate>(w: &Slim<K>) -> (refs::ConsumerId, Vec<refs::Reference>) {
    let t = w.0.template();
    let id = refs::consumer_id(t.kind, t.meta);
    (id, refs::from_template(t, &mut Interner::new()))
}

/// Lists one source in a scope (cluster-scoped kinds cluster-wide) into `found`.
async fn list_source(
    client: &kube::Client,
    source: Source,
    namespace: Option<&str>,
    page: u32,
    found: &Found,
) -> Listing {
    let ns = namespace;
    // Pods are indexed as they arrive, without their owners: their workloads are resolved
    // once every list is in.
    let bare = WorkloadResolver::new();
    let result = match source {
        Source::Consumers(kind) => match kind {
            ConsumerKind::Pod => {
                each_page(api::<PodForRefs>(client, ns), page, |p| found.index.borrow_mut().upsert_pod(&p.0, &bare))
                    .await
            }
            ConsumerKind::ServiceAccount => {
                each_page(api::<ServiceAccount>(client, ns), page, |s| {
                    found.add((refs::service_account_id(&s), refs::from_service_account(&s)))
                })
                .await
            }
            ConsumerKind::Ingress => {
                each_page(api::<Ingress>(client, ns), page, |i| {
                    found.add((refs::ingress_id(&i), refs::from_ingress(&i)))
                })
                .await
            }
            ConsumerKind::Deployment => {
                each_page(api::<Slim<Deployment>>(client, ns), page, |w| found.add(template(&w))).await
            }
            ConsumerKind::StatefulSet => {
                each_page(api::<Slim<StatefulSet>>(client, ns), page, |w| found.add(template(&w))).await
            }
            ConsumerKind::DaemonSet => {
                each_page(api::<Slim<DaemonSet>>(client, ns), page, |w| found.add(template(&w))).await
            }
            ConsumerKind::CronJob => {
                each_page(api::<Slim<CronJob>>(client, ns), page, |w| found.add(template(&w))).await
            }
            ConsumerKind::ReplicaSet => {
                each_page(api::<Slim<ReplicaSet>>(client, ns), page, |w| {
                    if w.groups_pods() {
                        found.owners.borrow_mut().push((true, w.0.metadata.clone()));
                    }
                    found.add(template(&w));
                })
                .await
            }
            ConsumerKind::Job => {
                each_page(api::<Slim<Job>>(client, ns), page, |w| {
                    found.owners.borrow_mut().push((false, w.0.metadata.clone()));
                    found.add(template(&w));
                })
                .await
            }
            ConsumerKind::PersistentVolume => {
                each_page(Api::<VolumeForRefs>::all(client.clone()), page, |v| {
                    let id = refs::consumer_id(ConsumerKind::PersistentVolume, &v.0.metadata);
                    found.add((id, refs::from_persistent_volume(&v.0, &mut Interner::new())));
                })
                .await
            }
            ConsumerKind::StorageClass => {
                each_page(Api::<ClassForRefs>::all(client.clone()), page, |c| {
                    let id = refs::consumer_id(ConsumerKind::StorageClass, &c.0.metadata);
                    found.add((id, refs::from_storage_class(&c.0, &mut Interner::new())));
                })
                .await
            }
            ConsumerKind::Gateway => match gateway_api(client, ns, "Gateway", "v1").await {
                Ok(Some(api)) => {
                    each_page(api, page, |o| {
                        let v = serde_json::to_value(&o).unwrap_or_default();
                        found.add((refs::gateway_id(&v), refs::from_gateway(&v, &mut Interner::new())));
                    })
                    .await
                }
                Ok(None) => return Listing::NotServed,
                Err(e) => Err(e),
            },
            // Token Secrets come with the Secrets.
            ConsumerKind::ServiceAccountToken => Ok(()),
        },
        Source::ReferenceGrants => match gateway_api(client, ns, "ReferenceGrant", "v1beta1").await {
            Ok(Some(api)) => {
                each_page(api, page, |o| {
                    let v = serde_json::to_value(&o).unwrap_or_default();
                    found.index.borrow_mut().upsert_grant(refs::grant_from(&v));
                })
                .await
            }
            Ok(None) => return Listing::NotServed,
            Err(e) => Err(e),
        },
    };
    listing_of(result)
}

/// The Api of a Gateway API kind, in the version the server serves (`preferred` if it does);
/// `None` when the Gateway API (or the kind) is not installed.
async fn gateway_api(
    client: &kube::Client,
    namespace: Option<&str>,
    kind: &str,
    preferred: &str,
) -> Result<Option<Api<DynamicObject>>, kube::Error> {
    let group = match kube::discovery::group(client, refs::GATEWAY_GROUP).await {
        Ok(g) => g,
        // The group is not in /apis: the Gateway API is not installed.
        Err(kube::Error::Discovery(kube::error::DiscoveryError::MissingApiGroup(_))) => return Ok(None),
        Err(kube::Error::Api(s)) if s.code == 404 => return Ok(None),
        Err(e) => return Err(e),
    };
    let pinned = group.versioned_resources(preferred).into_iter().find(|(r, _)| r.kind == kind);
    let Some((ar, _)) = pinned.or_else(|| group.recommended_kind(kind)) else { return Ok(None) };
    Ok(Some(match namespace {
        Some(ns) => Api::namespaced_with(client.clone(), ns, &ar),
        None => Api::all_with(client.clone(), &ar),
    }))
}

/// Every kind that references Secrets (and ReferenceGrants), projected into the reference
/// index as each page arrives; how each list went, in `coverage`. A namespaced kind that may
/// not be listed across namespaces is listed namespace by namespace where it may be, so that
/// "unknown" is said only of the namespaces where it is.
async fn consumers(
    client: &kube::Client,
    namespace: Option<&str>,
    page: u32,
    progress: &Progress,
) -> (RefIndex, Coverage) {
    let found = Found { index: Default::default(), owners: Default::default() };
    let mut coverage = Coverage::new();
    let found = &found;
    progress.waiting_for(SOURCES.iter().map(|s| s.plural()).collect());
    let listings = futures::future::join_all(SOURCES.iter().map(|&source| async move {
        // Gateways name Secrets of other namespaces: listed across namespaces where the user
        // may, so that a grant in this namespace to Gateways elsewhere is followed.
        if namespace.is_some() && source == Source::Consumers(ConsumerKind::Gateway) {
            let across = list_source(client, source, None, page, found).await;
            if matches!(across, Listing::Listed | Listing::NotServed) {
                progress.listed(source.plural());
                return (None, across);
            }
        }
        let listing = list_source(client, source, namespace, page, found).await;
        progress.listed(source.plural());
        (namespace, listing)
    }))
    .await;
    let mut refused_across = Vec::new();
    for (&source, (scope, listing)) in SOURCES.iter().zip(listings) {
        let cluster_kind = matches!(source, Source::Consumers(k) if k.is_cluster_scoped());
        if namespace.is_none() && !cluster_kind && matches!(listing, Listing::Forbidden(_)) {
            refused_across.push(source);
        }
        coverage.set(source, scope, listing);
    }
    if !refused_across.is_empty()
        && let Ok(namespaces) = ops::namespaces(client).await
    {
        for source in refused_across {
            for ns in &namespaces {
                let listing = list_source(client, source, Some(ns), page, found).await;
                coverage.set(source, Some(ns), listing);
            }
        }
    }
    let mut index = found.index.take();
    let mut resolver = WorkloadResolver::new();
    for (replica_set, meta) in found.owners.take() {
        if replica_set {
            resolver.upsert_replica_set(&meta);
        } else {
            resolver.upsert_job(&meta);
        }
    }
    if !resolver.is_empty() {
        index.refresh_workloads(&resolver, None);
    }
    (index, coverage)
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
            let result = ops::open(client, &key.0, &key.1)
                .await
                .map(|secret| super::inspect::facts(&secret, jiff::Timestamp::now()));
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
