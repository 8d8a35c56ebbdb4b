//! The embedded cluster's memory: objects by resource, namespace and name, a global
//! resourceVersion counter, and a bounded event log that watches replay from.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::Value;
use tokio::sync::broadcast;

/// An object's key: (namespace, name).
pub type Key = (String, String);

/// One stored object with its key.
pub type Entry<'a> = (&'a Key, &'a Arc<Value>);

/// Objects as they were at a version, in key order (`Inner::iter_at`).
pub type Snapshot<'a> = Box<dyn Iterator<Item = (Key, Arc<Value>)> + 'a>;

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
/// can turn "stopped matching" into DELETED and "started matching" into ADDED; for DELETED, the
/// object as it was stored, so that a paged list can be served as of an older version.
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
    /// Writes of RBAC objects so far: the authorizer re-reads its policy when this moves.
    rbac_changes: u64,
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
                rbac_changes: 0,
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

    /// How many times an RBAC object (`rbac::RESOURCES`) was written or removed.
    pub fn rbac_changes(&self) -> u64 {
        self.rbac_changes
    }

    fn note_write(&mut self, resource: &str) {
        if crate::rbac::RESOURCES.contains(&resource) {
            self.rbac_changes += 1;
        }
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
        self.note_write(resource);
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
        self.note_write(resource);
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
            previous: Some(old),
        });
        Some(last)
    }

    /// Objects of a resource as they were at resourceVersion `at`, in key order, optionally in
    /// one namespace, starting strictly after `after`: the current objects with the changes
    /// since `at` undone from the event log. `Err(compacted)` when the log no longer reaches back
    /// that far, as etcd answers a read at a compacted revision.
    pub fn iter_at<'a>(
        &'a self,
        resource: &str,
        namespace: Option<&'a str>,
        after: Option<(String, String)>,
        at: u64,
    ) -> Result<Snapshot<'a>, u64> {
        let then = self.changed_since(resource, namespace, at)?;
        let keys: std::collections::BTreeSet<Key> = then.keys().cloned().collect();
        let mut changed = then
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k, v)))
            .filter(|(k, _)| after.as_ref().is_none_or(|a| k > a))
            .collect::<Vec<_>>()
            .into_iter()
            .peekable();
        let mut unchanged = self
            .iter(resource, namespace, after)
            .filter(move |(k, _)| !keys.contains(*k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .peekable();
        Ok(Box::new(std::iter::from_fn(move || match (unchanged.peek(), changed.peek()) {
            (Some(a), Some(b)) if b.0 < a.0 => changed.next(),
            (Some(_), _) => unchanged.next(),
            (None, _) => changed.next(),
        })))
    }

    /// How many objects [`Inner::iter_at`] would yield, without copying any: a paged list's
    /// `remainingItemCount` (counting by cloning each key made every page cost as much as the
    /// rest of the list).
    pub fn count_at(
        &self,
        resource: &str,
        namespace: Option<&str>,
        after: Option<(String, String)>,
        at: u64,
    ) -> Result<usize, u64> {
        let then = self.changed_since(resource, namespace, at)?;
        let later = |k: &Key| after.as_ref().is_none_or(|a| k > a);
        let existed = then.iter().filter(|(k, v)| v.is_some() && later(k)).count();
        let unchanged = self.iter(resource, namespace, after.clone()).filter(|(k, _)| !then.contains_key(*k)).count();
        Ok(existed + unchanged)
    }

    /// The state at `at` of every key of `resource` changed since (`None`: it did not exist
    /// then), from the event log; `Err(compacted)` when the log no longer reaches back that far.
    fn changed_since(
        &self,
        resource: &str,
        namespace: Option<&str>,
        at: u64,
    ) -> Result<BTreeMap<Key, Option<Arc<Value>>>, u64> {
        if at < self.compacted {
            return Err(self.compacted);
        }
        // The state at `at` of every key changed since: the first change after `at` says it.
        let mut then: BTreeMap<Key, Option<Arc<Value>>> = BTreeMap::new();
        for ev in self.log.iter().rev().take_while(|e| e.rv > at) {
            if ev.resource != resource || namespace.is_some_and(|ns| ns != ev.namespace) {
                continue;
            }
            let name = ev.object.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("").to_string();
            let before = match ev.kind {
                EventKind::Added => None,
                EventKind::Modified | EventKind::Deleted => ev.previous.clone(),
            };
            // Walking backwards, the last write wins: it is the first change after `at`.
            then.insert((ev.namespace.clone(), name), before);
        }
        Ok(then)
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

    /// A receiver of every event from now on (no backlog).
    pub fn subscribe_now(&self) -> broadcast::Receiver<Arc<Event>> {
        self.tx.subscribe()
    }

    /// Drops the whole event log, as etcd compaction does: older watches get 410.
    pub fn compact(&mut self) {
        self.log.clear();
        self.compacted = self.rv;
    }

    /// Drops the events up to `rv`, as etcd's compaction to a revision does: reads and watches
    /// at older versions get 410 from then on.
    pub fn compact_to(&mut self, rv: u64) {
        let rv = rv.min(self.rv);
        if rv <= self.compacted {
            return;
        }
        while self.log.front().is_some_and(|e| e.rv <= rv) {
            self.log.pop_front();
        }
        self.compacted = rv;
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
    fn a_list_at_an_older_version_undoes_the_changes_since() {
        let store = Store::new(100);
        let mut s = store.lock();
        for n in ["a", "b", "c", "d"] {
            s.put("secrets", obj("default", n));
        }
        s.put("secrets", obj("other", "x"));
        let at = s.rv();
        s.put("secrets", obj("default", "e"));
        s.remove("secrets", "default", "b");
        let mut c = obj("default", "c");
        c["data"] = json!({"k": "new"});
        s.put("secrets", c);
        s.remove("secrets", "default", "a");
        s.put("secrets", obj("default", "a"));
        let names = |it: Box<dyn Iterator<Item = (Key, Arc<Value>)> + '_>| -> Vec<String> {
            it.map(|((ns, n), v)| {
                let changed = if v.get("data").is_some() { "*" } else { "" };
                format!("{ns}/{n}{changed}")
            })
            .collect()
        };
        assert_eq!(
            names(s.iter_at("secrets", None, None, at).unwrap()),
            ["default/a", "default/b", "default/c", "default/d", "other/x"]
        );
        assert_eq!(
            names(s.iter_at("secrets", Some("default"), Some(("default".into(), "b".into())), at).unwrap()),
            ["default/c", "default/d"]
        );
        assert_eq!(
            names(s.iter_at("secrets", None, None, s.rv()).unwrap()),
            ["default/a", "default/c*", "default/d", "default/e", "other/x"]
        );
        // The count a paged list reports agrees with what the pages would yield.
        for (ns, after, version) in [
            (None, None, at),
            (Some("default"), Some(("default".to_string(), "b".to_string())), at),
            (None, Some(("default".to_string(), "a".to_string())), s.rv()),
            (None, Some(("default".to_string(), "d".to_string())), at),
            (Some("other"), None, s.rv()),
        ] {
            let yielded = s.iter_at("secrets", ns, after.clone(), version).unwrap().count();
            assert_eq!(s.count_at("secrets", ns, after.clone(), version), Ok(yielded), "{ns:?} {after:?} {version}");
        }
        s.compact_to(at + 1);
        assert_eq!(s.count_at("secrets", None, None, at), Err(at + 1));
        assert_eq!(s.iter_at("secrets", None, None, at).err(), Some(at + 1));
        assert!(s.iter_at("secrets", None, None, at + 1).is_ok());
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
