//! Watch: a 200 response with chunked NDJSON events, like kube-apiserver.
//!
//! Starts with ADDED for existing objects when the resourceVersion is empty or "0" (or with
//! `sendInitialEvents`, ending that with the `k8s.io/initial-events-end` bookmark), replays the
//! event log after a given version, and answers a version the log no longer reaches with an
//! ERROR event carrying a 410 Expired Status inside the 200 stream.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::Timestamp;
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};

use crate::api::{Filter, Shape, json_bytes};
use crate::resources::ResourceDef;
use crate::status::ApiError;
use crate::store::{Event, EventKind, Store};
use crate::table::{self, IncludeObject};

/// Where a stalled watch stops sending (`ServerOptions::watch_stall`): from then on it sends
/// nothing, no events and no bookmarks, and keeps the connection open, as a watch whose
/// connection died somewhere between the server and the client looks to the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchStall {
    /// After the events the watch starts with: the ADDED events of the objects that exist (and
    /// the `k8s.io/initial-events-end` bookmark when asked for), or the events of the log after
    /// the requested resourceVersion.
    AfterInitialEvents,
    /// After this many ADDED, MODIFIED or DELETED events (bookmarks are not counted).
    AfterEvents(usize),
}

#[derive(Debug)]
pub struct WatchOptions {
    pub def: &'static ResourceDef,
    pub filter: Filter,
    pub resource_version: String,
    pub send_initial_events: bool,
    pub bookmarks: bool,
    pub bookmark_interval: Duration,
    pub timeout: Option<Duration>,
    pub shape: Shape,
    pub include: IncludeObject,
    pub stall: Option<WatchStall>,
}

struct Encoder {
    def: &'static ResourceDef,
    shape: Shape,
    include: IncludeObject,
    columns_sent: bool,
}

impl Encoder {
    fn object(&mut self, obj: &Value) -> Value {
        match self.shape {
            Shape::Full => {
                let mut v = obj.clone();
                if self.def.custom.is_some() && v.is_object() {
                    // A custom resource in the watched version (`crd::present`).
                    v["apiVersion"] = json!(self.def.group_version());
                }
                v
            }
            Shape::Metadata => table::partial_metadata(obj),
            Shape::Table => {
                let rv = obj.pointer("/metadata/resourceVersion").cloned().unwrap_or(Value::Null);
                let list_meta = json!({"resourceVersion": rv});
                let items = [obj];
                let t = table::Table {
                    def: self.def,
                    items: &items,
                    list_meta: &list_meta,
                    with_columns: !self.columns_sent,
                    now: Timestamp::now(),
                    include: self.include,
                };
                self.columns_sent = true;
                serde_json::to_value(&t).unwrap_or_default()
            }
        }
    }

    fn event(&mut self, kind: &str, obj: &Value) -> Bytes {
        let object = self.object(obj);
        line(&json!({"type": kind, "object": object}))
    }

    fn bookmark(&self, rv: u64, initial_end: bool) -> Bytes {
        let (kind, api_version) = match self.shape {
            Shape::Full => (self.def.kind.to_string(), self.def.group_version()),
            Shape::Metadata => ("PartialObjectMetadata".to_string(), "meta.k8s.io/v1".to_string()),
            Shape::Table => ("Table".to_string(), "meta.k8s.io/v1".to_string()),
        };
        let mut meta = json!({"resourceVersion": rv.to_string()});
        if initial_end {
            meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
        }
        line(&json!({"type": "BOOKMARK", "object": {"kind": kind, "apiVersion": api_version, "metadata": meta}}))
    }
}

fn line(v: &Value) -> Bytes {
    let mut out = serde_json::to_vec(v).unwrap_or_default();
    out.push(b'\n');
    Bytes::from(out)
}

/// Turns a stored event into what this watcher sees, given its namespace and selectors.
fn view(ev: &Event, resource: &str, f: &Filter) -> Option<(&'static str, Arc<Value>)> {
    if ev.resource != resource {
        return None;
    }
    if let Some(ns) = &f.namespace
        && &ev.namespace != ns
    {
        return None;
    }
    let now = f.matches(&ev.object);
    match ev.kind {
        EventKind::Added | EventKind::Deleted => now.then(|| (ev.kind.as_str(), ev.object.clone())),
        EventKind::Modified => {
            let before = ev.previous.as_ref().is_some_and(|p| f.matches(p));
            match (before, now) {
                (true, true) => Some(("MODIFIED", ev.object.clone())),
                (false, true) => Some(("ADDED", ev.object.clone())),
                (true, false) => Some(("DELETED", ev.object.clone())),
                (false, false) => None,
            }
        }
    }
}

pub fn start(store: Arc<Store>, opts: WatchOptions) -> Result<Response, ApiError> {
    let (tx, rx) = mpsc::channel::<Bytes>(256);
    let mut enc = Encoder { def: opts.def, shape: opts.shape, include: opts.include, columns_sent: false };
    let resource = opts.def.key();
    let rv_param = opts.resource_version.clone();
    let initial = opts.send_initial_events || rv_param.is_empty() || rv_param == "0";

    // Everything up to the subscription point is taken under the lock, so that no event is
    // lost or sent twice between the initial state and the live stream.
    // What the watch starts with; `true` marks an event (counted by a stall), `false` a bookmark.
    let mut first: Vec<(Bytes, bool)> = Vec::new();
    let (mut receiver, mut last_rv) = {
        let s = store.lock();
        if initial {
            for (_, obj) in
                s.iter(resource, opts.filter.namespace.as_deref(), None).filter(|(_, o)| opts.filter.matches(o))
            {
                first.push((enc.event("ADDED", obj), true));
            }
            let sub = s.subscribe(s.rv()).map_err(|_| ApiError::internal("watch subscription failed"))?;
            if opts.send_initial_events && opts.bookmarks {
                first.push((enc.bookmark(s.rv(), true), false));
            }
            (sub.receiver, s.rv())
        } else {
            let from: u64 = match rv_param.parse() {
                Ok(n) => n,
                Err(_) => {
                    return Err(ApiError::bad_request(format!("invalid resource version: {rv_param}")));
                }
            };
            if from > s.rv() {
                let e = ApiError::expired(format!("Too large resource version: {from}, current: {}", s.rv()));
                drop(s);
                return Ok(stream_response(rx, tx, vec![error_event(&e, 504, "Timeout")]));
            }
            match s.subscribe(from) {
                Ok(sub) => {
                    for ev in &sub.backlog {
                        if let Some((kind, obj)) = view(ev, resource, &opts.filter) {
                            first.push((enc.event(kind, &obj), true));
                        }
                    }
                    (sub.receiver, sub.rv)
                }
                Err(compacted) => {
                    let e = ApiError::expired(format!("too old resource version: {from} ({compacted})"));
                    drop(s);
                    return Ok(stream_response(rx, tx, vec![line(&json!({"type": "ERROR", "object": e.body}))]));
                }
            }
        }
    };

    let bookmarks = opts.bookmarks;
    let interval = opts.bookmark_interval;
    let timeout = opts.timeout;
    let filter = opts.filter;
    // Events this watch may still send before it stalls; `None`: no limit.
    let mut budget = match opts.stall {
        Some(WatchStall::AfterEvents(n)) => Some(n),
        Some(WatchStall::AfterInitialEvents) => Some(first.iter().filter(|(_, event)| *event).count()),
        None => None,
    };
    // Stalled after the initial events, the watch still sends all it starts with, the
    // initial-events-end bookmark included; stalled after N events, nothing after the Nth.
    let whole_start = opts.stall == Some(WatchStall::AfterInitialEvents);
    let task = async move {
        for (b, event) in first {
            if budget == Some(0) && !whole_start {
                break;
            }
            if tx.send(b).await.is_err() {
                return;
            }
            if event {
                budget = budget.map(|n| n.saturating_sub(1));
            }
        }
        if budget == Some(0) {
            return hang(tx, receiver).await;
        }
        let deadline = timeout.map(|t| tokio::time::Instant::now() + t);
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
        loop {
            let until_deadline = async {
                match deadline {
                    Some(d) => tokio::time::sleep_until(d).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = until_deadline => return,
                _ = tx.closed() => return,
                _ = tick.tick(), if bookmarks => {
                    if tx.send(enc.bookmark(last_rv, false)).await.is_err() { return; }
                }
                ev = receiver.recv() => match ev {
                    Ok(ev) => {
                        last_rv = ev.rv;
                        if let Some((kind, obj)) = view(&ev, resource, &filter) {
                            if tx.send(enc.event(kind, &obj)).await.is_err() {
                                return;
                            }
                            budget = budget.map(|n| n.saturating_sub(1));
                            if budget == Some(0) {
                                return hang(tx, receiver).await;
                            }
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        // This watcher fell too far behind: make the client relist.
                        let e = ApiError::expired(format!("too old resource version: {last_rv} ({last_rv})"));
                        let _ = tx.send(line(&json!({"type": "ERROR", "object": e.body}))).await;
                        return;
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                },
            }
        }
    };
    tokio::spawn(task);
    Ok(body_response(rx))
}

/// A stalled watch: nothing more is sent, not even the end of the stream at `timeoutSeconds`,
/// and the connection stays open until the client gives up on it.
async fn hang(tx: mpsc::Sender<Bytes>, receiver: broadcast::Receiver<Arc<Event>>) {
    drop(receiver);
    tx.closed().await;
}

fn error_event(e: &ApiError, code: u16, reason: &str) -> Bytes {
    let mut body = e.body.clone();
    body["code"] = json!(code);
    body["reason"] = json!(reason);
    line(&json!({"type": "ERROR", "object": body}))
}

/// A stream that sends a few fixed events and ends.
fn stream_response(rx: mpsc::Receiver<Bytes>, tx: mpsc::Sender<Bytes>, first: Vec<Bytes>) -> Response {
    tokio::spawn(async move {
        for b in first {
            if tx.send(b).await.is_err() {
                return;
            }
        }
    });
    body_response(rx)
}

fn body_response(rx: mpsc::Receiver<Bytes>) -> Response {
    let stream =
        futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|b| (Ok::<_, Infallible>(b), rx)) });
    let mut r = json_bytes(StatusCode::OK, Vec::new());
    *r.body_mut() = Body::from_stream(stream);
    r
}
