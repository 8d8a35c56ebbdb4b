//! The app's view of the reference index: what the list and the detail screen ask about use.

use std::collections::HashSet;

use crate::refs::{
    ConsumerId, ConsumerKind, Coverage, Known, Listing, RefIndex, Reference, Source, Usage as How, WorkloadResolver,
};

#[derive(Debug, Default)]
pub struct Usage {
    pub index: RefIndex,
    pub resolver: WorkloadResolver,
    /// How each kind of consumer was listed: UNUSED is said only where all were.
    pub coverage: Coverage,
    /// The namespace the watches cover (`None`: all of them).
    pub scope: Option<String>,
    /// Sources watched across namespaces whatever the scope (Gateways, where allowed).
    widened: HashSet<Source>,
}

impl Usage {
    pub(crate) fn upsert(&mut self, id: ConsumerId, refs: Vec<Reference>) {
        self.index.upsert_resolved(id, refs, &self.resolver);
    }

    pub(crate) fn remove(&mut self, id: &ConsumerId) {
        self.index.remove(id);
    }

    /// New watches for `scope` start: what was known of the old ones' lists no longer holds.
    pub(crate) fn watching(&mut self, scope: Option<String>) {
        self.scope = scope;
        self.coverage.clear();
        self.widened.clear();
    }

    /// A source is watched across namespaces: its listings cover them all.
    pub(crate) fn widened(&mut self, source: Source) {
        self.widened.insert(source);
    }

    fn scope_of(&self, source: Source) -> Option<String> {
        if self.widened.contains(&source) { None } else { self.scope.clone() }
    }

    /// After a (re)list of one kind of consumer: drop those the list did not contain.
    pub fn synced(&mut self, kind: ConsumerKind, present: &HashSet<ConsumerId>) {
        self.index.retain(|id| id.kind != kind || present.contains(id));
        let source = Source::Consumers(kind);
        let scope = self.scope_of(source);
        self.coverage.set(source, scope.as_deref(), Listing::Listed);
    }

    /// A source could not be listed (403, or another failure: usage stays unknown), or is not
    /// served (404: there are none).
    pub fn listed(&mut self, source: Source, listing: Listing) {
        if listing == Listing::NotServed
            && let Source::Consumers(kind) = source
        {
            self.index.retain(|id| id.kind != kind);
        }
        let scope = self.scope_of(source);
        self.coverage.set(source, scope.as_deref(), listing);
    }

    /// What is known of the use of one Secret.
    pub(crate) fn known(&self, namespace: &str, name: &str) -> Known {
        self.coverage.known(&self.index, namespace, name)
    }

    /// Every kind of consumer has been listed, refused or found absent: counts are final
    /// where they are known.
    pub fn is_synced(&self) -> bool {
        self.coverage.settled(self.scope.as_deref())
    }

    /// Consumers that use the Secret: a workload (its Pods and template) counts once.
    pub(crate) fn consumer_count(&self, namespace: &str, name: &str) -> usize {
        self.index.usage(namespace, name).total()
    }

    /// How many consumers read one key (those reading every key included).
    pub(crate) fn key_reader_count(&self, namespace: &str, name: &str, key: &str) -> usize {
        self.index.key_readers(namespace, name).consumer_count(key)
    }

    pub(crate) fn has_env_from(&self, namespace: &str, name: &str) -> bool {
        self.index.uses_of(namespace, name).iter().any(|r| matches!(r.usage, How::EnvFrom { .. }))
    }
}
