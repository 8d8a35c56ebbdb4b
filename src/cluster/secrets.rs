//! The Secrets list without values (DESIGN.md decision 5): the server's Table output, listed
//! in pages and then watched, as `kubectl get secrets -w` does. A 410 relists quietly; a lost
//! connection is reported and retried.

use std::time::Duration;

use super::event::{Connection, Emit, Event, ListError};
use crate::list::copy::RowAnnotations;
use crate::list::rows::SecretRow;
use crate::owners::{self, Marks, OwnerRef};
use futures::TryStreamExt;
use jiff::Timestamp;
use kube::api::WatchEvent;
use serde::Deserialize as _;
use serde_json::Value;

const TABLE_ACCEPT: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
/// Table rows per list request. Larger than kubectl's 500: a row is a few hundred bytes (no
/// values), so a page of 5,000 is about 1.7 MB, and 20,000 Secrets take 5 round trips instead
/// of 41 (on a link with 50 ms of latency, 1.8 s less before the list is complete).
pub const PAGE: u32 = 5000;

/// One page of the Table list, read into the fields keyhole uses and nothing else: the rows'
/// partial objects are not built into JSON trees only to be dropped (20,000 rows at startup).
#[derive(serde::Deserialize)]
struct TablePage {
    #[serde(default, deserialize_with = "null_default")]
    metadata: PageMeta,
    #[serde(default, deserialize_with = "null_default", rename = "columnDefinitions")]
    column_definitions: Vec<ColumnDefinition>,
    #[serde(default, deserialize_with = "null_default")]
    rows: Vec<TableRow>,
}

#[derive(serde::Deserialize, Default)]
struct PageMeta {
    #[serde(default, deserialize_with = "null_default", rename = "resourceVersion")]
    resource_version: String,
    #[serde(default, deserialize_with = "null_default", rename = "continue")]
    continue_: String,
}

#[derive(serde::Deserialize)]
struct ColumnDefinition {
    #[serde(default, deserialize_with = "null_default")]
    name: String,
}

#[derive(serde::Deserialize)]
struct TableRow {
    #[serde(default, deserialize_with = "null_default")]
    cells: Vec<Value>,
    #[serde(default, deserialize_with = "null_default")]
    object: Option<RowObject>,
}

#[derive(serde::Deserialize, Default)]
struct RowObject {
    #[serde(default, deserialize_with = "null_default")]
    metadata: RowMeta,
}

#[derive(serde::Deserialize, Default)]
struct RowMeta {
    #[serde(default, deserialize_with = "null_default")]
    name: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    namespace: String,
    #[serde(default, deserialize_with = "null_default", rename = "creationTimestamp")]
    creation_timestamp: Option<String>,
    #[serde(default, deserialize_with = "null_default", rename = "resourceVersion")]
    resource_version: String,
    #[serde(default, deserialize_with = "null_default", rename = "deletionTimestamp")]
    deletion_timestamp: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    finalizers: Vec<String>,
    /// Only the labels and annotations that say who manages it (the others are skipped
    /// without being copied), and whether kubectl's last-applied annotation holds a copy of
    /// values (its text is looked at, not kept).
    #[serde(default, deserialize_with = "owners::marks::de_labels")]
    labels: Marks,
    #[serde(default, deserialize_with = "crate::list::copy::de_annotations")]
    annotations: RowAnnotations,
    #[serde(default, rename = "ownerReferences", deserialize_with = "owners::marks::de_owner_refs")]
    owner_references: Vec<OwnerRef>,
}

impl RowMeta {
    fn owners(&self, name: &str, type_: &str) -> Vec<owners::Owner> {
        owners::detect(owners::Meta {
            type_,
            namespace: &self.namespace,
            name,
            labels: &self.labels,
            annotations: &self.annotations.marks,
            owner_references: &self.owner_references,
        })
    }
}

/// The ServiceAccount a token Secret is bound to, for Secrets of that type only.
fn bound_account(type_: &str, account: Option<String>) -> Option<String> {
    account.filter(|a| type_ == crate::secret::types::SERVICE_ACCOUNT_TOKEN && !a.is_empty())
}

/// Go encodes an empty slice or map as `null`: read it as the empty value.
fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + serde::Deserialize<'de>,
{
    Ok(<Option<T> as serde::Deserialize>::deserialize(d)?.unwrap_or_default())
}

/// Column positions in the Table, found by name.
#[derive(Debug, Clone, Copy)]
struct Columns {
    name: usize,
    type_: Option<usize>,
    data: Option<usize>,
}

impl Columns {
    fn from_definitions(defs: &[ColumnDefinition]) -> Option<Columns> {
        if defs.is_empty() {
            return None;
        }
        let find = |n: &str| defs.iter().position(|d| d.name == n);
        Some(Columns { name: find("Name").unwrap_or(0), type_: find("Type"), data: find("Data") })
    }

    fn from_table(t: &Value) -> Option<Columns> {
        let defs = t.get("columnDefinitions")?.as_array()?;
        let find = |n: &str| defs.iter().position(|d| d.get("name").and_then(Value::as_str) == Some(n));
        Some(Columns { name: find("Name").unwrap_or(0), type_: find("Type"), data: find("Data") })
    }
}

fn row_from(table_row: &Value, cols: Columns) -> Option<SecretRow> {
    let cells = table_row.get("cells")?.as_array()?;
    let meta = table_row.pointer("/object/metadata");
    let s = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or("").to_string();
    let name = meta
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| s(cells.get(cols.name)));
    let type_ = cols.type_.map(|i| s(cells.get(i))).unwrap_or_default();
    // The marks of its managers and whether it holds a plaintext copy, read from the metadata
    // as the typed list reads them.
    let typed = meta.and_then(|m| RowMeta::deserialize(m).ok());
    let owners = typed.as_ref().map(|m| m.owners(&name, &type_)).unwrap_or_default();
    let plaintext_copy = typed.is_some_and(|m| m.annotations.plaintext_copy);
    Some(SecretRow {
        namespace: s(meta.and_then(|m| m.get("namespace"))),
        name,
        type_,
        keys: cols.data.and_then(|i| cells.get(i)).and_then(Value::as_i64).unwrap_or(0),
        created: meta
            .and_then(|m| m.get("creationTimestamp"))
            .and_then(Value::as_str)
            .and_then(|t| t.parse::<Timestamp>().ok()),
        resource_version: s(meta.and_then(|m| m.get("resourceVersion"))),
        terminating: terminating(
            meta.and_then(|m| m.get("deletionTimestamp")).is_some_and(|t| !t.is_null()),
            meta.and_then(|m| m.get("finalizers"))
                .and_then(Value::as_array)
                .map(|f| f.iter().filter_map(Value::as_str).map(str::to_string).collect()),
        ),
        service_account: bound_account(
            &cols.type_.map(|i| s(cells.get(i))).unwrap_or_default(),
            meta.and_then(|m| m.pointer("/annotations/kubernetes.io~1service-account.name"))
                .and_then(Value::as_str)
                .map(str::to_string),
        ),
        inspected: None,
        inspect_failed: false,
        name_rank: None,
        owners,
        plaintext_copy,
    })
}

/// A Secret being deleted (a `deletionTimestamp`) waits for its finalizers.
fn terminating(deleting: bool, finalizers: Option<Vec<String>>) -> Option<Vec<String>> {
    deleting.then(|| finalizers.unwrap_or_default())
}

fn row_from_typed(row: TableRow, cols: Columns) -> SecretRow {
    let mut meta = row.object.unwrap_or_default().metadata;
    let mut cells = row.cells;
    let mut take = |i: Option<usize>| match i.and_then(|i| cells.get_mut(i)).map(Value::take) {
        Some(Value::String(s)) => s,
        _ => String::new(),
    };
    let name = match meta.name.take() {
        Some(n) => n,
        None => take(Some(cols.name)),
    };
    let type_ = take(cols.type_);
    let owners = meta.owners(&name, &type_);
    let service_account =
        bound_account(&type_, meta.annotations.marks.get("kubernetes.io/service-account.name").map(str::to_string));
    SecretRow {
        namespace: meta.namespace,
        name,
        type_,
        keys: cols.data.and_then(|i| cells.get(i)).and_then(Value::as_i64).unwrap_or(0),
        created: meta.creation_timestamp.and_then(|t| t.parse::<Timestamp>().ok()),
        resource_version: meta.resource_version,
        terminating: terminating(meta.deletion_timestamp.is_some(), Some(meta.finalizers)),
        service_account,
        inspected: None,
        inspect_failed: false,
        name_rank: None,
        owners,
        plaintext_copy: meta.annotations.plaintext_copy,
    }
}

fn path(namespace: Option<&str>) -> String {
    match namespace {
        Some(ns) => format!("/api/v1/namespaces/{ns}/secrets"),
        None => "/api/v1/secrets".to_string(),
    }
}

/// Only the list metadata of a Table page: read before the rows, so that the next page is asked
/// for while this one is decoded.
#[derive(serde::Deserialize)]
struct PageHead {
    #[serde(default, deserialize_with = "null_default")]
    metadata: PageMeta,
}

/// A page on its way. Dropped (the list was stopped, or failed), the request is dropped too.
struct Pending(tokio::task::JoinHandle<Result<super::quiet::Body, kube::Error>>);

impl Drop for Pending {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Pending {
    async fn answer(&mut self) -> Result<super::quiet::Body, kube::Error> {
        (&mut self.0).await.map_err(|e| kube::Error::Service(format!("listing Secrets: {e}").into()))?
    }
}

/// Asks for one page on its own task, so that it is on its way while the page before is decoded.
fn fetch_page(client: &kube::Client, namespace: Option<&str>, limit: u32, cont: Option<&str>) -> Pending {
    let mut url = format!("{}?limit={limit}", path(namespace));
    if let Some(c) = cont {
        url.push_str(&format!("&continue={}", urlencode(c)));
    }
    let client = client.clone();
    Pending(tokio::spawn(async move {
        let req = http::Request::get(url)
            .header(http::header::ACCEPT, TABLE_ACCEPT)
            .body(Vec::new())
            .map_err(kube::Error::HttpError)?;
        // Rows carry annotations (kubectl's last-applied copy can hold values): read quietly.
        super::quiet::request_body(&client, req).await
    }))
}

/// Lists every Secret in scope as Table rows, page by page. Returns the rows, the list's
/// resourceVersion and the column layout.
///
/// Pages are pipelined: as soon as a page's bytes are in, its continue token is read and the
/// next page is asked for, and only then are its rows decoded. The server builds page n+1 while
/// keyhole decodes page n (on two cores, both at once) instead of each waiting for the other.
async fn list(
    client: &kube::Client,
    namespace: Option<&str>,
    page_size: u32,
    progress: &(dyn Fn(usize) + Send + Sync),
) -> Result<(Vec<SecretRow>, String, Columns), kube::Error> {
    let mut rows = Vec::new();
    let mut cols = None;
    let started = std::time::Instant::now();
    let mut pages = 0;
    // 0: everything in one request.
    let mut limit = page_size;
    let mut continued = false;
    let mut next = fetch_page(client, namespace, limit, None);
    loop {
        pages += 1;
        let body = match next.answer().await {
            // The continue token expired: a paged list is a snapshot that the server keeps only
            // until its next compaction (five minutes on kube-apiserver). Starting over page by
            // page would meet the same expiry whenever the list takes that long, so everything
            // is listed again in one request, which no expiry can cut short, as client-go's
            // pager does (FullListIfExpired).
            Err(kube::Error::Api(s)) if s.code == 410 && continued => {
                tracing::debug!("the continue token expired after {pages} pages: listing again in one request");
                rows.clear();
                limit = 0;
                continued = false;
                next = fetch_page(client, namespace, limit, None);
                continue;
            }
            other => other?,
        };
        tracing::trace!("page {pages}: {} bytes in after {:?}", body.bytes().len(), started.elapsed());
        let head: PageHead = super::quiet::parse(&body)?;
        let cont = Some(head.metadata.continue_).filter(|s| !s.is_empty());
        let following = cont.as_deref().map(|c| fetch_page(client, namespace, limit, Some(c)));
        let page: TablePage = super::quiet::parse(&body)?;
        drop(body);
        if cols.is_none() {
            cols = Columns::from_definitions(&page.column_definitions);
        }
        let c = cols.unwrap_or(Columns { name: 0, type_: Some(1), data: Some(2) });
        rows.reserve(page.rows.len());
        rows.extend(page.rows.into_iter().map(|r| row_from_typed(r, c)));
        tracing::trace!("page {pages}: decoded after {:?}", started.elapsed());
        match following {
            None => {
                tracing::debug!("listed {} Secrets in {pages} pages in {:?}", rows.len(), started.elapsed());
                return Ok((rows, page.metadata.resource_version, c));
            }
            Some(f) => {
                next = f;
                continued = true;
            }
        }
        progress(rows.len());
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// How a watch ended.
enum WatchEnd {
    /// Clean end (timeout): resume from this version.
    Resume(String),
    /// 410: the version is too old; relist.
    Expired,
}

/// How a watch ended badly.
enum WatchError {
    /// Watching is not allowed (403 or 405 on the watch): poll instead.
    NotAllowed(String),
    /// No event, not even a bookmark, for longer than the server sends them: the connection is
    /// taken for dead (a laptop slept, a VPN changed, a load balancer dropped the stream).
    Idle(Duration),
    Other(kube::Error),
}

async fn watch(
    client: &kube::Client,
    namespace: Option<&str>,
    rv: &str,
    cols: Columns,
    tuning: &Tuning,
    emit: &Emit,
) -> Result<WatchEnd, WatchError> {
    let url = format!(
        "{}?watch=1&resourceVersion={rv}&allowWatchBookmarks=true&timeoutSeconds={}",
        path(namespace),
        tuning.watch_timeout_secs
    );
    let req = http::Request::get(url)
        .header(http::header::ACCEPT, TABLE_ACCEPT)
        .body(Vec::new())
        .map_err(|e| WatchError::Other(kube::Error::HttpError(e)))?;
    let stream = match client.request_events::<Value>(req).await {
        Ok(s) => s,
        Err(kube::Error::Api(s)) if s.code == 403 || s.code == 405 => return Err(WatchError::NotAllowed(s.message)),
        Err(e) => return Err(WatchError::Other(e)),
    };
    let mut stream = std::pin::pin!(stream);
    let mut last = rv.to_string();
    let mut cols = cols;
    loop {
        let next = match tokio::time::timeout(tuning.idle, stream.try_next()).await {
            Err(_) => return Err(WatchError::Idle(tuning.idle)),
            Ok(Err(kube::Error::Api(s))) if s.code == 410 => return Ok(WatchEnd::Expired),
            Ok(Err(e)) => return Err(WatchError::Other(e)),
            Ok(Ok(next)) => next,
        };
        let Some(ev) = next else { break };
        match ev {
            WatchEvent::Added(t) | WatchEvent::Modified(t) => {
                if let Some(c) = Columns::from_table(&t) {
                    cols = c;
                }
                for r in t.get("rows").and_then(Value::as_array).into_iter().flatten() {
                    if let Some(row) = row_from(r, cols) {
                        last = row.resource_version.clone();
                        emit(Event::SecretUpserted(Box::new(row)));
                    }
                }
            }
            WatchEvent::Deleted(t) => {
                for r in t.get("rows").and_then(Value::as_array).into_iter().flatten() {
                    if let Some(row) = row_from(r, cols) {
                        last = row.resource_version.clone();
                        emit(Event::SecretDeleted { namespace: row.namespace, name: row.name });
                    }
                }
            }
            WatchEvent::Bookmark(b) => last = b.metadata.resource_version,
            WatchEvent::Error(e) if e.code == 410 => return Ok(WatchEnd::Expired),
            WatchEvent::Error(e) => {
                tracing::warn!("secrets watch error event: {} ({})", e.message, e.code);
            }
        }
    }
    Ok(WatchEnd::Resume(last))
}

/// How the Secrets watch behaves when things go wrong; tests make it quick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tuning {
    /// No event (a bookmark included) for this long: reconnect. kube-apiserver sends a bookmark
    /// about every minute to a watcher that asks for them.
    pub idle: Duration,
    /// How often the list is read again when watching is not allowed.
    pub poll: Duration,
    /// Waits between attempts after a failure: doubled each time from `backoff_min` up to
    /// `backoff_max`, each with jitter (from half to all of it).
    pub backoff_min: Duration,
    pub backoff_max: Duration,
    /// A watch that lived this long resets the backoff.
    pub healthy_after: Duration,
    /// The server-side timeout each watch asks for.
    pub watch_timeout_secs: u32,
    /// Table rows per list request.
    pub page: u32,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            idle: Duration::from_secs(90),
            poll: Duration::from_secs(30),
            backoff_min: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            healthy_after: Duration::from_secs(30),
            watch_timeout_secs: 290,
            page: PAGE,
        }
    }
}

/// The backoff's next step.
fn doubled(current: Duration, tuning: &Tuning) -> Duration {
    (current * 2).clamp(tuning.backoff_min, tuning.backoff_max)
}

/// Between half of `d` and all of it, so that many clients do not retry in step.
fn jittered(d: Duration) -> Duration {
    let random = u64::from_le_bytes(uuid::Uuid::new_v4().as_bytes()[..8].try_into().unwrap_or_default());
    let fraction = 0.5 + (random % 1000) as f64 / 2000.0;
    d.mul_f64(fraction)
}

fn list_error(e: &kube::Error, namespace: Option<&str>) -> Option<ListError> {
    match e {
        kube::Error::Api(s) if s.code == 403 => Some(match namespace {
            None => ListError::ForbiddenAllNamespaces { fallback: Vec::new(), message: s.message.clone() },
            Some(_) => ListError::Forbidden(s.message.clone()),
        }),
        kube::Error::Api(s) if s.code == 401 => Some(ListError::Other(format!(
            "The cluster rejected the credentials ({}). Log in again and press Ctrl-R.",
            s.message
        ))),
        _ => None,
    }
}

/// Runs until aborted: list, watch, resume; relist on 410 (quietly); read the list again every
/// `tuning.poll` when watching is not allowed; reconnect when the watch goes quiet for longer
/// than the server's bookmarks; retry with backoff and jitter when the connection drops. Sends
/// rows and the connection's state (live, polling, lost since when) to the app.
pub(crate) async fn run(
    client: kube::Client,
    namespace: Option<String>,
    fallback: Vec<String>,
    tuning: Tuning,
    emit: Emit,
) {
    let ns = namespace.as_deref();
    let mut backoff = tuning.backoff_min;
    // The connection as the app was last told; when the list was last known current.
    let mut told = Connection::Live;
    let mut current_at = Timestamp::now();
    let mut polling: Option<String> = None;
    let tell = |c: Connection, told: &mut Connection| {
        if *told != c {
            *told = c.clone();
            emit(Event::Connection(c));
        }
    };
    'relist: loop {
        let listing = |n: usize| emit(Event::SecretsListing(n));
        let (rows, mut rv, cols) = match list(&client, ns, tuning.page, &listing).await {
            Ok(ok) => ok,
            Err(e) => {
                if let Some(mut le) = list_error(&e, ns) {
                    if let ListError::ForbiddenAllNamespaces { fallback: f, .. } = &mut le {
                        *f = fallback.clone();
                    }
                    emit(Event::SecretsFailed(le));
                    return;
                }
                let lost = Connection::Lost { error: crate::cluster::connect::error_chain(&e), since: current_at };
                tell(lost, &mut told);
                tokio::time::sleep(jittered(backoff)).await;
                backoff = doubled(backoff, &tuning);
                continue;
            }
        };
        current_at = Timestamp::now();
        emit(Event::SecretsListed(rows));
        if let Some(reason) = &polling {
            // Watching is not allowed: read the list again after a while.
            let every = tuning.poll;
            tell(Connection::Polling { every, reason: reason.clone() }, &mut told);
            backoff = tuning.backoff_min;
            tokio::time::sleep(every).await;
            continue;
        }
        tell(Connection::Live, &mut told);
        loop {
            let started = std::time::Instant::now();
            let result = watch(&client, ns, &rv, cols, &tuning, &emit).await;
            if started.elapsed() >= tuning.healthy_after {
                backoff = tuning.backoff_min;
            }
            match result {
                Ok(WatchEnd::Resume(next)) => {
                    rv = next;
                    current_at = Timestamp::now();
                    tell(Connection::Live, &mut told);
                }
                // The version is too old: a quiet relist (rows keep what was learnt about them).
                Ok(WatchEnd::Expired) => continue 'relist,
                Err(WatchError::NotAllowed(reason)) => {
                    tracing::info!("watching Secrets is not allowed ({reason}): polling every {:?}", tuning.poll);
                    polling = Some(reason);
                    continue 'relist;
                }
                Err(e) => {
                    let error = match e {
                        WatchError::Idle(after) => format!(
                            "no word from the cluster for {} s, not even a bookmark: the connection seems dead",
                            after.as_secs()
                        ),
                        WatchError::Other(e) => crate::cluster::connect::error_chain(&e),
                        WatchError::NotAllowed(_) => unreachable!("handled above"),
                    };
                    tell(Connection::Lost { error, since: current_at }, &mut told);
                    tokio::time::sleep(jittered(backoff)).await;
                    backoff = doubled(backoff, &tuning);
                    // Events may have been missed while down: relist to be sure.
                    continue 'relist;
                }
            }
        }
    }
}

/// One paged Table list (`page_size` rows per request), for `keyhole list` and benchmarks.
/// `so_far` hears how many rows after each page that more follow.
pub(crate) async fn list_rows(
    client: &kube::Client,
    namespace: Option<&str>,
    page_size: u32,
    so_far: &(dyn Fn(usize) + Send + Sync),
) -> Result<Vec<SecretRow>, kube::Error> {
    list(client, namespace, page_size, so_far).await.map(|(rows, _, _)| rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_row_being_deleted_names_its_finalizers() {
        let table = json!({"columnDefinitions": [{"name": "Name"}, {"name": "Type"}, {"name": "Data"}],
            "rows": [{"cells": ["a", "Opaque", 1], "object": {"metadata": {"name": "a", "namespace": "ns",
                "deletionTimestamp": "2026-01-01T00:00:00Z", "finalizers": ["example.com/keep"]}}},
                     {"cells": ["b", "Opaque", 1], "object": {"metadata": {"name": "b", "namespace": "ns"}}}]});
        let cols = Columns::from_table(&table).unwrap();
        assert_eq!(row_from(&table["rows"][0], cols).unwrap().terminating, Some(vec!["example.com/keep".to_string()]));
        assert_eq!(row_from(&table["rows"][1], cols).unwrap().terminating, None);
        let page: TablePage = serde_json::from_value(table).unwrap();
        let typed: Vec<SecretRow> = page.rows.into_iter().map(|r| row_from_typed(r, cols)).collect();
        assert_eq!(typed[0].terminating, Some(vec!["example.com/keep".to_string()]));
        assert_eq!(typed[1].terminating, None);
    }

    #[test]
    fn rows_carry_their_managers_and_nothing_else_of_the_annotations() {
        let table = json!({"columnDefinitions": [{"name": "Name"}, {"name": "Type"}, {"name": "Data"}],
            "rows": [{"cells": ["web-tls", "kubernetes.io/tls", 2], "object": {"metadata": {"name": "web-tls", "namespace": "shop",
                "labels": {"controller.cert-manager.io/fao": "true", "app": "web"},
                "annotations": {"cert-manager.io/certificate-name": "web-cert",
                                "kubectl.kubernetes.io/last-applied-configuration": "{\"data\":{\"tls.key\":\"c2VjcmV0\"}}"},
                "ownerReferences": [{"apiVersion": "example.com/v1", "kind": "Site", "name": "web", "uid": "u", "controller": false}]}}},
                     {"cells": ["plain", "Opaque", 1], "object": {"metadata": {"name": "plain", "namespace": "shop",
                "labels": null, "annotations": null, "ownerReferences": null}}}]});
        let cols = Columns::from_table(&table).unwrap();
        let watched = row_from(&table["rows"][0], cols).unwrap();
        let page: TablePage = serde_json::from_value(table.clone()).unwrap();
        let listed: Vec<SecretRow> = page.rows.into_iter().map(|r| row_from_typed(r, cols)).collect();
        let shorts: Vec<String> = owners::shorts(&watched.owners);
        assert_eq!(shorts, ["cert-manager", "Site"]);
        assert_eq!(listed[0].owners, watched.owners, "the list and the watch read the same");
        assert!(listed[1].owners.is_empty() && row_from(&table["rows"][1], cols).unwrap().owners.is_empty());
        assert!(!format!("{listed:?}").contains("c2VjcmV0"), "the last-applied copy is not kept");
        // Only that it holds values is kept: PLAINTEXT-COPY, the same from the list and the watch.
        assert!(listed[0].plaintext_copy && watched.plaintext_copy);
        assert!(!listed[1].plaintext_copy && !row_from(&table["rows"][1], cols).unwrap().plaintext_copy);
    }

    #[test]
    fn backoff_doubles_up_to_the_limit_with_jitter() {
        let t = Tuning::default();
        let mut d = t.backoff_min;
        let mut steps = Vec::new();
        for _ in 0..10 {
            steps.push(d);
            d = doubled(d, &t);
        }
        assert_eq!(steps[0], Duration::from_millis(500));
        assert_eq!(steps[3], Duration::from_secs(4));
        assert_eq!(*steps.last().unwrap(), Duration::from_secs(30), "capped");
        let jitters: Vec<Duration> = (0..50).map(|_| jittered(Duration::from_secs(10))).collect();
        assert!(jitters.iter().all(|j| *j >= Duration::from_secs(5) && *j <= Duration::from_secs(10)));
        assert!(jitters.iter().any(|j| *j != jitters[0]), "not all the same");
    }

    #[test]
    fn rows_come_from_cells_and_metadata() {
        let table = json!({"columnDefinitions": [{"name": "Name"}, {"name": "Type"}, {"name": "Data"}, {"name": "Age"}],
            "rows": [{"cells": ["a", "kubernetes.io/tls", 2, "5m"],
                      "object": {"metadata": {"name": "a", "namespace": "web", "resourceVersion": "7", "creationTimestamp": "2026-01-01T00:00:00Z"}}}]});
        let cols = Columns::from_table(&table).unwrap();
        let row = row_from(&table["rows"][0], cols).unwrap();
        assert_eq!(
            (row.namespace.as_str(), row.name.as_str(), row.type_.as_str(), row.keys),
            ("web", "a", "kubernetes.io/tls", 2)
        );
        assert_eq!(row.resource_version, "7");
        assert!(row.created.is_some());
        // The list reads pages into typed rows: the same row either way.
        let page: TablePage = serde_json::from_value(table.clone()).unwrap();
        let typed_cols = Columns::from_definitions(&page.column_definitions).unwrap();
        let typed = page.rows.into_iter().map(|r| row_from_typed(r, typed_cols)).next().unwrap();
        // Go's nil slices and maps arrive as null: an empty page, not an error.
        let empty: TablePage =
            serde_json::from_str(r#"{"metadata":{"resourceVersion":"9"},"columnDefinitions":null,"rows":null}"#)
                .unwrap();
        assert!(empty.rows.is_empty() && empty.column_definitions.is_empty());
        assert_eq!(empty.metadata.resource_version, "9");
        assert_eq!(
            (typed.namespace, typed.name, typed.type_, typed.keys, typed.resource_version, typed.created),
            (row.namespace, row.name, row.type_, row.keys, row.resource_version, row.created)
        );
        assert_eq!(urlencode("a b/c="), "a%20b%2Fc%3D");
    }
}
