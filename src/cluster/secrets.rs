//! The Secrets list without values (DESIGN.md decision 5): the server's Table output, listed
//! in pages and then watched, as `kubectl get secrets -w` does. A 410 relists quietly; a lost
//! connection is reported and retried.

use std::time::Duration;

use super::event::{Connection, Emit, Event, ListError};
use crate::list::rows::SecretRow;
use futures::TryStreamExt;
use jiff::Timestamp;
use kube::api::WatchEvent;
use serde_json::Value;

const TABLE_ACCEPT: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
/// Table rows per list request. Larger than kubectl's 500: a row is a few hundred bytes (no
/// values), so a page of 5,000 is about 1.7 MB, and 20,000 Secrets take 5 round trips instead
/// of 41 (on a link with 50 ms of latency, 1.8 s less before the list is complete).
const PAGE: u32 = 5000;

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
    Some(SecretRow {
        namespace: s(meta.and_then(|m| m.get("namespace"))),
        name,
        type_: cols.type_.map(|i| s(cells.get(i))).unwrap_or_default(),
        keys: cols.data.and_then(|i| cells.get(i)).and_then(Value::as_i64).unwrap_or(0),
        created: meta
            .and_then(|m| m.get("creationTimestamp"))
            .and_then(Value::as_str)
            .and_then(|t| t.parse::<Timestamp>().ok()),
        resource_version: s(meta.and_then(|m| m.get("resourceVersion"))),
        inspected: None,
        inspect_failed: false,
        name_rank: None,
    })
}

fn row_from_typed(row: TableRow, cols: Columns) -> SecretRow {
    let meta = row.object.unwrap_or_default().metadata;
    let mut cells = row.cells;
    let mut take = |i: Option<usize>| match i.and_then(|i| cells.get_mut(i)).map(Value::take) {
        Some(Value::String(s)) => s,
        _ => String::new(),
    };
    let name = match meta.name {
        Some(n) => n,
        None => take(Some(cols.name)),
    };
    let type_ = take(cols.type_);
    SecretRow {
        namespace: meta.namespace,
        name,
        type_,
        keys: cols.data.and_then(|i| cells.get(i)).and_then(Value::as_i64).unwrap_or(0),
        created: meta.creation_timestamp.and_then(|t| t.parse::<Timestamp>().ok()),
        resource_version: meta.resource_version,
        inspected: None,
        inspect_failed: false,
        name_rank: None,
    }
}

fn path(namespace: Option<&str>) -> String {
    match namespace {
        Some(ns) => format!("/api/v1/namespaces/{ns}/secrets"),
        None => "/api/v1/secrets".to_string(),
    }
}

/// Lists every Secret in scope as Table rows, page by page. Returns the rows, the list's
/// resourceVersion and the column layout.
async fn list(
    client: &kube::Client,
    namespace: Option<&str>,
) -> Result<(Vec<SecretRow>, String, Columns), kube::Error> {
    let mut rows = Vec::new();
    let mut cont: Option<String> = None;
    let mut cols = None;
    let started = std::time::Instant::now();
    let mut pages = 0;
    loop {
        pages += 1;
        let mut url = format!("{}?limit={PAGE}", path(namespace));
        if let Some(c) = &cont {
            url.push_str(&format!("&continue={}", urlencode(c)));
        }
        let req = http::Request::get(url)
            .header(http::header::ACCEPT, TABLE_ACCEPT)
            .body(Vec::new())
            .map_err(kube::Error::HttpError)?;
        // Rows carry annotations (kubectl's last-applied copy can hold values): read quietly.
        let page: TablePage = super::quiet::request_json(client, req).await?;
        if cols.is_none() {
            cols = Columns::from_definitions(&page.column_definitions);
        }
        let c = cols.unwrap_or(Columns { name: 0, type_: Some(1), data: Some(2) });
        rows.reserve(page.rows.len());
        rows.extend(page.rows.into_iter().map(|r| row_from_typed(r, c)));
        cont = Some(page.metadata.continue_).filter(|s| !s.is_empty());
        if cont.is_none() {
            tracing::debug!("listed {} Secrets in {pages} pages in {:?}", rows.len(), started.elapsed());
            return Ok((rows, page.metadata.resource_version, c));
        }
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

async fn watch(
    client: &kube::Client,
    namespace: Option<&str>,
    rv: &str,
    cols: Columns,
    emit: &Emit,
) -> Result<WatchEnd, kube::Error> {
    let url = format!("{}?watch=1&resourceVersion={rv}&allowWatchBookmarks=true&timeoutSeconds=290", path(namespace));
    let req = http::Request::get(url)
        .header(http::header::ACCEPT, TABLE_ACCEPT)
        .body(Vec::new())
        .map_err(kube::Error::HttpError)?;
    let stream = client.request_events::<Value>(req).await?;
    let mut stream = std::pin::pin!(stream);
    let mut last = rv.to_string();
    let mut cols = cols;
    while let Some(ev) = stream.try_next().await? {
        match ev {
            WatchEvent::Added(t) | WatchEvent::Modified(t) => {
                if let Some(c) = Columns::from_table(&t) {
                    cols = c;
                }
                for r in t.get("rows").and_then(Value::as_array).into_iter().flatten() {
                    if let Some(row) = row_from(r, cols) {
                        last = row.resource_version.clone();
                        emit(Event::SecretUpserted(row));
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

/// Runs until aborted: list, watch, resume, relist on 410, retry with backoff when the
/// connection drops. Sends rows and connection changes to the app.
pub(crate) async fn run(client: kube::Client, namespace: Option<String>, fallback: Vec<String>, emit: Emit) {
    let ns = namespace.as_deref();
    let mut backoff = Duration::from_millis(500);
    let mut lost = false;
    'relist: loop {
        let (rows, mut rv, cols) = match list(&client, ns).await {
            Ok(ok) => ok,
            Err(e) => {
                if let Some(mut le) = list_error(&e, ns) {
                    if let ListError::ForbiddenAllNamespaces { fallback: f, .. } = &mut le {
                        *f = fallback.clone();
                    }
                    emit(Event::SecretsFailed(le));
                    return;
                }
                lost = true;
                emit(Event::Connection(Connection::Lost(crate::cluster::connect::error_chain(&e))));
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(10));
                continue;
            }
        };
        if lost {
            lost = false;
            emit(Event::Connection(Connection::Live));
        }
        backoff = Duration::from_millis(500);
        emit(Event::SecretsListed(rows));
        loop {
            match watch(&client, ns, &rv, cols, &emit).await {
                Ok(WatchEnd::Resume(next)) => {
                    rv = next;
                    if lost {
                        lost = false;
                        emit(Event::Connection(Connection::Live));
                    }
                }
                Ok(WatchEnd::Expired) => continue 'relist,
                Err(kube::Error::Api(s)) if s.code == 410 => continue 'relist,
                Err(e) => {
                    lost = true;
                    emit(Event::Connection(Connection::Lost(crate::cluster::connect::error_chain(&e))));
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(10));
                    // Events may have been missed while down: relist to be sure.
                    continue 'relist;
                }
            }
        }
    }
}

/// One paged Table list, for `keyhole list` and benchmarks.
pub(crate) async fn list_rows(client: &kube::Client, namespace: Option<&str>) -> Result<Vec<SecretRow>, kube::Error> {
    list(client, namespace).await.map(|(rows, _, _)| rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
