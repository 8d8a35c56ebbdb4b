//! The app's view of the reference index: what the list and the detail screen ask about use.

use std::collections::HashSet;

use crate::refs::{ConsumerId, ConsumerKind, RefIndex, Reference, Usage as How, WorkloadResolver};

#[derive(Debug, Default)]
pub struct Usage {
    pub index: RefIndex,
    pub resolver: WorkloadResolver,
    /// The kinds of consumer listed at least once.
    synced: HashSet<ConsumerKind>,
    /// The kinds that cannot be listed (403), with the server's message.
    pub unavailable: std::collections::BTreeMap<ConsumerKind, String>,
}

impl Usage {
    pub(crate) fn upsert(&mut self, id: ConsumerId, refs: Vec<Reference>) {
        self.index.upsert(id, refs);
    }

    pub(crate) fn remove(&mut self, id: &ConsumerId) {
        self.index.remove(id);
    }

    /// After a (re)list of one kind of consumer: drop those the list did not contain.
    pub fn synced(&mut self, kind: ConsumerKind, present: &HashSet<ConsumerId>) {
        self.index.retain(|id| id.kind != kind || present.contains(id));
        self.synced.insert(kind);
        self.unavailable.remove(&kind);
    }

    /// A kind of consumer cannot be listed: usage stays unknown ("?"), never "unused".
    pub(crate) fn refused(&mut self, kind: ConsumerKind, reason: String) {
        self.unavailable.insert(kind, reason);
    }

    /// Why usage is not known, when some kind of consumer cannot be listed.
    pub(crate) fn unknown_because(&self) -> Option<String> {
        (!self.unavailable.is_empty()).then(|| {
            self.unavailable
                .iter()
                .map(|(k, m)| format!("{} cannot be listed: {m}", k.plural()))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    /// Every kind of consumer (Pods, ServiceAccounts, Ingresses) has been listed: usage counts
    /// are complete and "unused" can be said.
    pub fn is_synced(&self) -> bool {
        [ConsumerKind::Pod, ConsumerKind::ServiceAccount, ConsumerKind::Ingress].iter().all(|k| self.synced.contains(k))
    }

    pub(crate) fn pod_count(&self, namespace: &str, name: &str) -> usize {
        self.index.usage(namespace, name).pods
    }

    /// Pods, ServiceAccounts and Ingresses that use the Secret.
    pub(crate) fn consumer_count(&self, namespace: &str, name: &str) -> usize {
        let u = self.index.usage(namespace, name);
        u.pods + u.service_accounts + u.ingresses
    }

    /// How many consumers read one key (those reading every key included).
    pub(crate) fn key_reader_count(&self, namespace: &str, name: &str, key: &str) -> usize {
        self.index.key_readers(namespace, name).consumer_count(key)
    }

    pub(crate) fn has_env_from(&self, namespace: &str, name: &str) -> bool {
        self.index.refs_to(namespace, name).iter().any(|r| matches!(r.usage, How::EnvFrom { .. }))
    }
}
