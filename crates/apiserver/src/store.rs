//! The embedded cluster's memory: objects by resource, namespace and name, a global
//! resourceVersion counter, and a bounded event log that watches replay from.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::Value;
use tokio::sync::broadcast;

/// One stored object with its key, (namespace, name).
pub type Entry<'a> = (&'a (String, String), &'a Arc<Value>);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Added,
    Modified,
    Deleted,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Added => "ADDED",
            EventKind::Modified => "MODIFIED",
            EventKind::Deleted => "DELETED",
        }
    }
}

/// One change. For MODIFIED, `previous` is the object before, so that a watch with a selector
/// can turn "stopped matching" into DELETED and "started matching" into ADDED.
#[derive(Debug)]
pub struct Event {
    pub rv: u64,
    pub kind: EventKind,
    pub resource: &'static str,
    pub namespace: String,
    pub object: Arc<Value>,
    pub previous: Option<Arc<Value>>,
}

type Bucket = BTreeMap<(String, String), Arc<Value>>;

/// Everything behind the store's lock. API handlers hold the lock for one read-modify-write.
#[derive(Debug)]
pub struct Inner {
    rv: u64,
    buckets: HashMap<&'static str, Bucket>,
    log: VecDeque<Arc<Event>>,
    log_capacity: usize,
    /// Events with a resourceVersion at or below this are gone from the log.
    compacted: u64,
    tx: broadcast::Sender<Arc<Event>>,
}

#[derive(Debug)]
pub struct Store {
    inner: Mutex<Inner>,
}

/// A watch's starting point: the events after the requested version, and a receiver for
/// everything after them, taken atomically so that nothing is missed or repeated.
#[derive(Debug)]
pub struct Subscription {
    pub backlog: Vec<Arc<Event>>,
    pub receiver: broadcast::Receiver<Arc<Event>>,
    pub rv: u64,
}

impl Store {
    pub fn new(log_capacity: usize) -> Self {
        let (tx, _) = broadcast::channel(log_capacity.max(1024));
        Store {
            inner: Mutex::new(Inner {
                rv: 1000,
                buckets: HashMap::new(),
                log: VecDeque::new(),
                log_capacity,
                compacted: 1000,
                tx,
            }),
        }
    }

    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave objects half-written (every write is a
        // single insert), so a poisoned lock is still safe to use.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Inner {
    pub fn rv(&self) -> u64 {
        self.rv
    }

    pub fn compacted(&self) -> u64 {
        self.compacted
    }

    pub fn get(&self, resource: &str, namespace: &str, name: &str) -> Option<&Arc<Value>> {
        self.buckets.get(resource)?.get(&(namespace.to_string(), name.to_string()))
    }

    pub fn contains(&self, resource: &str, namespace: &str, name: &str) -> bool {
        self.get(resource, namespace, name).is_some()
    }

    pub fn count(&self, resource: &str) -> usize {
        self.buckets.get(resource).map_or(0, BTreeMap::len)
    }

    /// Objects of a resource in key order (namespace, name), optionally in one namespace,
    /// starting strictly after `after`.
    pub fn iter<'a>(
        &'a self,
        resource: &str,
        namespace: Option<&'a str>,
        after: Option<(String, String)>,
    ) -> Box<dyn Iterator<Item = Entry<'a>> + 'a> {
        let Some(bucket) = self.buckets.get(resource) else {
            return Box::new(std::iter::empty());
        };
        use std::ops::Bound;
        let lower = match (after, namespace) {
            (Some(k), _) => Bound::Excluded(k),
            (None, Some(ns)) => Bound::Included((ns.to_string(), String::new())),
            (None, None) => Bound::Unbounded,
        };
        let it = bucket.range((lower, Bound::Unbounded));
        match namespace {
            Some(ns) => Box::new(it.take_while(move |((n, _), _)| n == ns)),
            None => Box::new(it),
        }
    }

    fn next_rv(&mut self) -> u64 {
        self.rv += 1;
        self.rv
    }

    fn record(&mut self, event: Event) {
        let event = Arc::new(event);
        self.log.push_back(event.clone());
        while self.log.len() > self.log_capacity {
            if let Some(old) = self.log.pop_front() {
                self.compacted = old.rv;
            }
        }
        // No receivers is fine: nobody is watching.
        let _ = self.tx.send(event);
    }

    /// Stores a new or changed object, stamping `metadata.resourceVersion`, and records the
    /// event. Returns the stored object.
    pub fn put(&mut self, resource: &'static str, mut obj: Value) -> Arc<Value> {
        let rv = self.next_rv();
        let namespace = obj.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or("").to_string();
        let name = obj.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("").to_string();
        if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.insert("resourceVersion".into(), Value::String(rv.to_string()));
        }
        let obj = Arc::new(obj);
        let previous = self.buckets.entry(resource).or_default().insert((namespace.clone(), name), obj.clone());
        let kind = if previous.is_some() { EventKind::Modified } else { EventKind::Added };
        self.record(Event { rv, kind, resource, namespace, object: obj.clone(), previous });
        obj
    }

    /// Removes an object and records DELETED with the last state under a new resourceVersion.
    pub fn remove(&mut self, resource: &'static str, namespace: &str, name: &str) -> Option<Arc<Value>> {
        let old = self.buckets.get_mut(resource)?.remove(&(namespace.to_string(), name.to_string()))?;
        let rv = self.next_rv();
        let mut last = (*old).clone();
        if let Some(meta) = last.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.insert("resourceVersion".into(), Value::String(rv.to_string()));
        }
        let last = Arc::new(last);
        self.record(Event {
            rv,
            kind: EventKind::Deleted,
            resource,
            namespace: namespace.to_string(),
            object: last.clone(),
            previous: None,
        });
        Some(last)
    }

    /// Subscribes to events after `from`. `Err(compacted)` when the log no longer reaches back
    /// that far (the caller answers with a 410 ERROR event).
    pub fn subscribe(&self, from: u64) -> Result<Subscription, u64> {
        if from < self.compacted {
            return Err(self.compacted);
        }
        let backlog = self.log.iter().filter(|e| e.rv > from).cloned().collect();
        Ok(Subscription { backlog, receiver: self.tx.subscribe(), rv: self.rv })
    }

    /// Drops the whole event log, as etcd compaction does: older watches get 410.
    pub fn compact(&mut self) {
        self.log.clear();
        self.compacted = self.rv;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(ns: &str, name: &str) -> Value {
        json!({"metadata": {"namespace": ns, "name": name}})
    }

    #[test]
    fn put_stamps_versions_and_records_events() {
        let store = Store::new(100);
        let mut s = store.lock();
        let start = s.rv();
        let a = s.put("secrets", obj("default", "a"));
        assert_eq!(a["metadata"]["resourceVersion"], (start + 1).to_string());
        s.put("secrets", obj("default", "a"));
        let gone = s.remove("secrets", "default", "a").unwrap();
        assert_eq!(gone["metadata"]["resourceVersion"], (start + 3).to_string());
        let sub = s.subscribe(start).unwrap();
        let kinds: Vec<_> = sub.backlog.iter().map(|e| e.kind).collect();
        assert_eq!(kinds, vec![EventKind::Added, EventKind::Modified, EventKind::Deleted]);
        assert!(sub.backlog[1].previous.is_some());
    }

    #[test]
    fn iteration_is_in_key_order_and_pages() {
        let store = Store::new(100);
        let mut s = store.lock();
        for (ns, n) in [("b", "2"), ("a", "1"), ("b", "1"), ("c", "1")] {
            s.put("secrets", obj(ns, n));
        }
        let all: Vec<_> = s.iter("secrets", None, None).map(|(k, _)| k.clone()).collect();
        assert_eq!(all[0], ("a".into(), "1".into()));
        assert_eq!(all.len(), 4);
        let in_b: Vec<_> = s.iter("secrets", Some("b"), None).map(|(k, _)| k.1.clone()).collect();
        assert_eq!(in_b, vec!["1", "2"]);
        let after: Vec<_> = s.iter("secrets", None, Some(("b".into(), "1".into()))).map(|(k, _)| k.clone()).collect();
        assert_eq!(after, vec![("b".into(), "2".into()), ("c".into(), "1".into())]);
    }

    #[test]
    fn a_short_log_compacts_and_old_versions_expire() {
        let store = Store::new(2);
        let mut s = store.lock();
        let start = s.rv();
        for i in 0..5 {
            s.put("secrets", obj("default", &i.to_string()));
        }
        assert!(s.subscribe(start).is_err());
        assert_eq!(s.subscribe(s.rv() - 2).unwrap().backlog.len(), 2);
        s.compact();
        assert!(s.subscribe(s.rv() - 1).is_err());
        assert!(s.subscribe(s.rv()).is_ok());
    }
}
