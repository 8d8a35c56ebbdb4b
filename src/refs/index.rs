//! [`RefIndex`]: every consumer's references, and for each Secret the consumers that name it.
//!
//! Watch events replace a consumer's references whole ([`RefIndex::upsert`]) or drop them
//! ([`RefIndex::remove`]); both cost the size of that consumer's references, whatever the size
//! of the cluster. Names (namespaces, Secrets, containers, volumes, paths, keys, workloads) are
//! held once and shared between the Pods that use them, through an [`Interner`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use k8s_openapi::api::core::v1::{Pod, ServiceAccount};
use k8s_openapi::api::networking::v1::Ingress;

use super::analysis::{self, Analysis, MissingEffect, SecretFacts};
use super::intern::Interner;
use super::model::{ConsumerId, ConsumerKind, DOCKER_CONFIG_KEYS, Keys, Name, PodPhase, Reference, Usage};
use super::project;
use super::workload::{Workload, WorkloadKind, WorkloadResolver};

type Map<K, V> = foldhash::HashMap<K, V>;
type Set<T> = foldhash::HashSet<T>;

/// A consumer's place in the index; Secrets point at consumers by slot number.
type Slot = u32;

#[derive(Debug, Clone)]
struct Entry {
    id: ConsumerId,
    refs: Box<[Reference]>,
}

/// Who uses which Secret, and how.
#[derive(Debug, Default, Clone)]
pub struct RefIndex {
    entries: Vec<Option<Entry>>,
    free: Vec<Slot>,
    slots: Map<ConsumerId, Slot>,
    /// namespace → secret → the consumers that reference it.
    by_secret: Map<Name, Map<Name, Set<Slot>>>,
    references: usize,
    names: Interner,
    removed_since_purge: usize,
}

/// How many consumers use one Secret.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct UsageCount {
    pub pods: usize,
    /// Of those, Pods that have terminated (Succeeded or Failed) and read nothing any more.
    pub terminated_pods: usize,
    /// Distinct workloads of those Pods (a bare Pod counts as one).
    pub workloads: usize,
    pub service_accounts: usize,
    pub ingresses: usize,
}

impl UsageCount {
    pub fn total(&self) -> usize {
        self.pods + self.service_accounts + self.ingresses
    }
}

/// The consumers of one Secret that belong together: the Pods of one workload, or one
/// ServiceAccount or Ingress.
#[derive(Debug, Clone)]
pub struct Group<'a> {
    pub kind: ConsumerKind,
    /// For Pods: the workload (for a bare Pod, the Pod itself).
    pub workload: Option<&'a Workload>,
    /// The workload's name, or the ServiceAccount's or Ingress's.
    pub name: &'a str,
    /// The consumers, sorted by name.
    pub consumers: Vec<&'a ConsumerId>,
    pub references: Vec<&'a Reference>,
}

impl Group<'_> {
    /// The distinct ways the group's consumers use the Secret, each with the number of
    /// consumers that use it so (replicas of one workload usually agree).
    pub fn usages(&self) -> Vec<(&Reference, usize)> {
        let mut seen: HashMap<(&Usage, bool), usize> = HashMap::new();
        let mut out: Vec<(&Reference, usize)> = Vec::new();
        for r in &self.references {
            match seen.get(&(&r.usage, r.optional)) {
                Some(&i) => {
                    if let Some(entry) = out.get_mut(i) {
                        entry.1 += 1;
                    }
                }
                None => {
                    seen.insert((&r.usage, r.optional), out.len());
                    out.push((r, 1));
                }
            }
        }
        out
    }
}

/// Which references read which keys of one Secret.
#[derive(Debug, Default, Clone)]
pub struct KeyReaders<'a> {
    /// References that read every key (volumes without `items`, envFrom).
    pub all: Vec<&'a Reference>,
    /// References that name keys, by key (env, volume `items`, Ingress TLS).
    pub by_key: BTreeMap<&'a str, Vec<&'a Reference>>,
    /// Image pull secrets: `.dockerconfigjson` or `.dockercfg`, by the Secret's type.
    pub docker_config: Vec<&'a Reference>,
    /// CSI drivers and volume plugins: they read what they read.
    pub driver_defined: Vec<&'a Reference>,
}

impl<'a> KeyReaders<'a> {
    /// The references that read `key`: those that read every key and those that name it.
    /// Driver-defined readers are not included (see [`KeyReaders::driver_defined`]).
    pub fn of(&self, key: &str) -> Vec<&'a Reference> {
        let mut out = self.all.clone();
        if let Some(named) = self.by_key.get(key) {
            out.extend(named.iter().copied());
        }
        if DOCKER_CONFIG_KEYS.contains(&key) {
            out.extend(self.docker_config.iter().copied());
        }
        out
    }

    /// The number of distinct consumers that read `key`.
    pub fn consumer_count(&self, key: &str) -> usize {
        self.of(key).iter().map(|r| &r.consumer.id).collect::<HashSet<_>>().len()
    }

    /// Keys that references name, whether or not the Secret has them.
    pub fn named_keys(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.by_key.keys().copied()
    }
}

/// A Secret that consumers in a namespace reference but that does not exist.
#[derive(Debug, Clone)]
pub struct MissingSecret<'a> {
    pub secret: &'a str,
    /// Each reference with what its absence does.
    pub references: Vec<(&'a Reference, MissingEffect)>,
}

impl MissingSecret<'_> {
    /// Whether some Pod cannot start because of it.
    pub fn blocks_start(&self) -> bool {
        self.references.iter().any(|(_, e)| e.blocks_start())
    }

    /// The Pods that cannot start because of it.
    pub fn blocked_pods(&self) -> Vec<&ConsumerId> {
        let mut pods: Vec<&ConsumerId> =
            self.references.iter().filter(|(_, e)| e.blocks_start()).map(|(r, _)| &r.consumer.id).collect();
        pods.sort();
        pods.dedup();
        pods
    }
}

impl RefIndex {
    pub fn new() -> Self {
        Self::default()
    }

    /// Replaces all references of the consumer `id` (an empty list removes it).
    /// References whose consumer is not `id` are dropped.
    /// Takes in every consumer of `other` (the index of another namespace, say).
    pub(crate) fn absorb(&mut self, other: RefIndex) {
        for Entry { id, refs } in other.entries.into_iter().flatten() {
            self.upsert(id, refs.into_vec());
        }
    }

    pub fn upsert(&mut self, id: ConsumerId, refs: Vec<Reference>) {
        let refs: Vec<Reference> = refs.into_iter().filter(|r| r.consumer.id == id).collect();
        if let Some(&slot) = self.slots.get(&id)
            && let Some(Some(entry)) = self.entries.get(slot as usize)
            && *entry.refs == *refs
        {
            // Most Pod events change the status only.
            return;
        }
        self.remove(&id);
        if refs.is_empty() {
            return;
        }
        let slot = match self.free.pop() {
            Some(slot) => slot,
            None => match Slot::try_from(self.entries.len()) {
                Ok(slot) => {
                    self.entries.push(None);
                    slot
                }
                Err(_) => return,
            },
        };
        let by_namespace = match self.by_secret.get_mut(&*id.namespace) {
            Some(m) => m,
            None => self.by_secret.entry(Arc::clone(&id.namespace)).or_default(),
        };
        for r in &refs {
            match by_namespace.get_mut(&*r.secret) {
                Some(set) => {
                    set.insert(slot);
                }
                None => {
                    by_namespace.insert(Arc::clone(&r.secret), Set::from_iter([slot]));
                }
            }
        }
        self.references += refs.len();
        self.slots.insert(id.clone(), slot);
        if let Some(e) = self.entries.get_mut(slot as usize) {
            *e = Some(Entry { id, refs: refs.into_boxed_slice() });
        }
    }

    /// Projects and indexes a Pod (an added or modified watch event).
    pub fn upsert_pod(&mut self, pod: &Pod, resolver: &WorkloadResolver) {
        let refs = project::from_pod_in(pod, resolver, &mut self.names);
        let id = match refs.first() {
            Some(r) => r.consumer.id.clone(),
            None => project::pod_id(pod),
        };
        self.upsert(id, refs);
    }

    pub fn upsert_service_account(&mut self, sa: &ServiceAccount) {
        let refs = self.share_secret_names(project::from_service_account(sa));
        self.upsert(project::service_account_id(sa), refs);
    }

    pub fn upsert_ingress(&mut self, ingress: &Ingress) {
        let refs = self.share_secret_names(project::from_ingress(ingress));
        self.upsert(project::ingress_id(ingress), refs);
    }

    fn share_secret_names(&mut self, mut refs: Vec<Reference>) -> Vec<Reference> {
        for r in &mut refs {
            r.secret = self.names.intern(&r.secret);
        }
        refs
    }

    /// Drops a consumer's references (a deleted watch event). Returns whether it had any.
    pub fn remove(&mut self, id: &ConsumerId) -> bool {
        let Some(slot) = self.slots.remove(id) else {
            return false;
        };
        let Some(Entry { refs: old, .. }) = self.entries.get_mut(slot as usize).and_then(Option::take) else {
            return false;
        };
        self.free.push(slot);
        self.references -= old.len();
        if let Some(by_namespace) = self.by_secret.get_mut(&*id.namespace) {
            for r in old.iter() {
                if let Some(set) = by_namespace.get_mut(&*r.secret) {
                    set.remove(&slot);
                    if set.is_empty() {
                        by_namespace.remove(&*r.secret);
                    }
                }
            }
            if by_namespace.is_empty() {
                self.by_secret.remove(&*id.namespace);
            }
        }
        drop(old);
        // Forget names nothing uses any more, once enough consumers went away.
        self.removed_since_purge += 1;
        if self.removed_since_purge > 1024 && self.removed_since_purge > self.slots.len() / 2 {
            self.names.purge();
            self.removed_since_purge = 0;
        }
        true
    }

    /// Keeps only the consumers for which `keep` is true: after a watch restarts with a fresh
    /// list, drop those of that kind that the list did not contain.
    pub fn retain(&mut self, mut keep: impl FnMut(&ConsumerId) -> bool) {
        let gone: Vec<ConsumerId> = self.slots.keys().filter(|id| !keep(id)).cloned().collect();
        for id in &gone {
            self.remove(id);
        }
    }

    /// Resolves the workload of every Pod again, after the resolver learnt of ReplicaSets or
    /// Jobs (in `namespace` only, when given).
    pub fn refresh_workloads(&mut self, resolver: &WorkloadResolver, namespace: Option<&str>) {
        for Entry { id, refs } in self.entries.iter_mut().flatten() {
            if id.kind != ConsumerKind::Pod || namespace.is_some_and(|ns| ns != &*id.namespace) {
                continue;
            }
            let Some(first) = refs.first() else { continue };
            let c = &first.consumer;
            let names = &mut self.names;
            let workload = resolver.resolve_with(
                &id.namespace,
                &id.name,
                c.controller.as_ref(),
                c.pod_template_hash.as_deref(),
                &mut |s| if s == &*id.name { Arc::clone(&id.name) } else { names.intern(s) },
            );
            if c.workload.as_ref() == Some(&workload) {
                continue;
            }
            let mut updated = (**c).clone();
            updated.workload = Some(workload);
            let updated = Arc::new(updated);
            for r in refs.iter_mut() {
                r.consumer = Arc::clone(&updated);
            }
        }
    }

    /// The number of consumers with references.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The number of distinct names held for sharing (a measure of memory use).
    pub fn shared_names(&self) -> usize {
        self.names.len()
    }

    /// The number of references held.
    pub fn reference_count(&self) -> usize {
        self.references
    }

    /// One consumer's references, in the order of its spec.
    pub fn references_of(&self, id: &ConsumerId) -> &[Reference] {
        self.slots.get(id).map_or(&[], |&slot| self.entry(slot).map_or(&[], |e| &e.refs))
    }

    fn entry(&self, slot: Slot) -> Option<&Entry> {
        self.entries.get(slot as usize)?.as_ref()
    }

    /// The consumers that reference the Secret, unordered.
    fn consumers_of(&self, namespace: &str, secret: &str) -> impl Iterator<Item = &Entry> {
        self.by_secret.get(namespace).and_then(|m| m.get(secret)).into_iter().flatten().filter_map(|&s| self.entry(s))
    }

    /// Every reference to the Secret `namespace/secret`, sorted by consumer (kind, then name),
    /// each consumer's in the order of its spec.
    pub fn refs_to(&self, namespace: &str, secret: &str) -> Vec<&Reference> {
        let mut entries: Vec<&Entry> = self.consumers_of(namespace, secret).collect();
        entries.sort_by(|a, b| a.id.cmp(&b.id));
        entries.into_iter().flat_map(|e| e.refs.iter()).filter(|r| &*r.secret == secret).collect()
    }

    /// Whether anything references the Secret.
    pub fn is_used(&self, namespace: &str, secret: &str) -> bool {
        self.consumers_of(namespace, secret).next().is_some()
    }

    /// How many consumers use the Secret.
    pub fn usage(&self, namespace: &str, secret: &str) -> UsageCount {
        count(self.consumers_of(namespace, secret))
    }

    /// Usage counts for every referenced Secret of a namespace (for the Secret list), by name.
    pub fn usage_in(&self, namespace: &str) -> BTreeMap<&str, UsageCount> {
        let Some(by_namespace) = self.by_secret.get(namespace) else {
            return BTreeMap::new();
        };
        by_namespace
            .iter()
            .map(|(secret, slots)| (&**secret, count(slots.iter().filter_map(|&s| self.entry(s)))))
            .collect()
    }

    /// Usage counts for every referenced Secret of every namespace, by namespace and name.
    pub fn usage_all(&self) -> BTreeMap<(&str, &str), UsageCount> {
        let mut out = BTreeMap::new();
        for ns in self.namespaces() {
            out.extend(self.usage_in(ns).into_iter().map(|(secret, count)| ((ns, secret), count)));
        }
        out
    }

    /// The namespaces with references, sorted.
    pub fn namespaces(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.by_secret.keys().map(|n| &**n).collect();
        names.sort_unstable();
        names
    }

    /// The names of the Secrets referenced in a namespace, sorted.
    pub fn secrets_in(&self, namespace: &str) -> Vec<&str> {
        let mut names: Vec<&str> = self.referenced_in(namespace).collect();
        names.sort_unstable();
        names
    }

    /// The names of the Secrets referenced in a namespace, in no order (nothing sorted).
    pub fn referenced_in(&self, namespace: &str) -> impl Iterator<Item = &str> {
        self.by_secret.get(namespace).into_iter().flatten().map(|(s, _)| &**s)
    }

    /// The references to a Secret, grouped: Pods by workload, then each ServiceAccount and Ingress.
    /// Sorted by consumer kind, workload kind and name.
    pub fn by_workload(&self, namespace: &str, secret: &str) -> Vec<Group<'_>> {
        let mut groups: BTreeMap<(ConsumerKind, &str, &str), Group<'_>> = BTreeMap::new();
        for r in self.refs_to(namespace, secret) {
            let c = &*r.consumer;
            let (workload, kind_name, name) = match &c.workload {
                Some(w) => (Some(w), w.kind.as_str(), &*w.name),
                None => (None, "", &*c.id.name),
            };
            let group = groups.entry((c.id.kind, kind_name, name)).or_insert_with(|| Group {
                kind: c.id.kind,
                workload,
                name,
                consumers: Vec::new(),
                references: Vec::new(),
            });
            if group.consumers.last() != Some(&&c.id) {
                group.consumers.push(&c.id);
            }
            group.references.push(r);
        }
        groups.into_values().collect()
    }

    /// Which references read which keys of a Secret.
    pub fn key_readers(&self, namespace: &str, secret: &str) -> KeyReaders<'_> {
        let mut out = KeyReaders::default();
        for r in self.refs_to(namespace, secret) {
            match r.keys() {
                Keys::All => out.all.push(r),
                Keys::Listed(keys) => {
                    let mut keys = keys;
                    keys.sort_unstable();
                    keys.dedup();
                    for key in keys {
                        out.by_key.entry(key).or_default().push(r);
                    }
                }
                Keys::DockerConfig => out.docker_config.push(r),
                Keys::DriverDefined => out.driver_defined.push(r),
                Keys::None => {}
            }
        }
        out
    }

    /// References in a namespace to Secrets that do not exist, given which do; each says what
    /// its absence does (the Pod cannot start, or runs without it).
    pub fn missing_in(&self, namespace: &str, exists: impl Fn(&str) -> bool) -> Vec<MissingSecret<'_>> {
        self.secrets_in(namespace)
            .into_iter()
            .filter(|s| !exists(s))
            .map(|secret| MissingSecret {
                secret,
                references: self
                    .refs_to(namespace, secret)
                    .into_iter()
                    .map(|r| (r, analysis::missing_secret_effect(r)))
                    .collect(),
            })
            .collect()
    }

    /// Findings about one Secret and its consumers, given what is known about the Secret.
    pub fn analyze(&self, namespace: &str, secret: &str, facts: &SecretFacts) -> Analysis<'_> {
        analysis::analyze(namespace, secret, self.refs_to(namespace, secret), facts)
    }
}

fn count<'a>(consumers: impl Iterator<Item = &'a Entry>) -> UsageCount {
    let mut out = UsageCount::default();
    let mut workloads: HashSet<(&WorkloadKind, &str)> = HashSet::new();
    for Entry { id, refs } in consumers {
        match id.kind {
            ConsumerKind::Pod => {
                out.pods += 1;
                if refs.first().and_then(|r| r.consumer.phase).is_some_and(PodPhase::is_terminated) {
                    out.terminated_pods += 1;
                }
                if let Some(w) = refs.first().and_then(|r| r.consumer.workload.as_ref()) {
                    workloads.insert((&w.kind, &w.name));
                }
            }
            ConsumerKind::ServiceAccount => out.service_accounts += 1,
            ConsumerKind::Ingress => out.ingresses += 1,
        }
    }
    out.workloads = workloads.len();
    out
}
