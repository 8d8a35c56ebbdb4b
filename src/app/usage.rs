//! The app's view of the reference index: what the list and the detail screen ask about use.

use std::collections::HashSet;

use crate::refs::{ConsumerId, ConsumerKind, RefIndex, Reference, Usage as How, WorkloadResolver};

#[derive(Debug, Default)]
pub struct Usage {
    pub index: RefIndex,
    pub resolver: WorkloadResolver,
    /// The kinds of consumer listed at least once.
    synced: HashSet<ConsumerKind>,
}

impl Usage {
    pub fn upsert(&mut self, id: ConsumerId, refs: Vec<Reference>) {
        self.index.upsert(id, refs);
    }

    pub fn remove(&mut self, id: &ConsumerId) {
        self.index.remove(id);
    }

    /// After a (re)list of one kind of consumer: drop those the list did not contain.
    pub fn synced(&mut self, kind: ConsumerKind, present: &HashSet<ConsumerId>) {
        self.index.retain(|id| id.kind != kind || present.contains(id));
        self.synced.insert(kind);
    }

    /// Every kind of consumer (Pods, ServiceAccounts, Ingresses) has been listed: usage counts
    /// are complete and "unused" can be said.
    pub fn is_synced(&self) -> bool {
        [ConsumerKind::Pod, ConsumerKind::ServiceAccount, ConsumerKind::Ingress].iter().all(|k| self.synced.contains(k))
    }

    pub fn pod_count(&self, namespace: &str, name: &str) -> usize {
        self.index.usage(namespace, name).pods
    }

    /// Pods, ServiceAccounts and Ingresses that use the Secret.
    pub fn consumer_count(&self, namespace: &str, name: &str) -> usize {
        let u = self.index.usage(namespace, name);
        u.pods + u.service_accounts + u.ingresses
    }

    pub fn is_used(&self, namespace: &str, name: &str) -> bool {
        self.index.is_used(namespace, name)
    }

    /// The keys consumers name, when any consumer names keys.
    pub fn keys_read(&self, namespace: &str, name: &str) -> Option<Vec<String>> {
        let readers = self.index.key_readers(namespace, name);
        let keys: Vec<String> = readers.named_keys().map(str::to_string).collect();
        (!keys.is_empty()).then_some(keys)
    }

    /// How many consumers read one key (those reading every key included).
    pub fn key_reader_count(&self, namespace: &str, name: &str, key: &str) -> usize {
        self.index.key_readers(namespace, name).consumer_count(key)
    }

    pub fn has_env_from(&self, namespace: &str, name: &str) -> bool {
        self.index.refs_to(namespace, name).iter().any(|r| matches!(r.usage, How::EnvFrom { .. }))
    }
}
