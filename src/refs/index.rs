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
use super::gateway::Grant;
use super::intern::Interner;
use super::model::{Consumer, ConsumerId, ConsumerKind, DOCKER_CONFIG_KEYS, Keys, Name, PodPhase, Reference, Usage};
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
    /// namespace → secret → the consumers that reference it. Keyed by the Secret's namespace,
    /// which is not always the consumer's (PersistentVolumes, StorageClasses, Gateways).
    by_secret: Map<Name, Map<Name, Set<Slot>>>,
    /// Pods by their controller (namespace, ReplicaSet or Job name): a ReplicaSet or Job event
    /// regroups only the Pods it owns.
    by_owner: Map<(Name, Name), Set<Slot>>,
    /// Consumers with StorageClass templates (never counted as references).
    templates: Set<Slot>,
    /// ReferenceGrants by namespace and name.
    grants: Map<Name, Map<Name, Grant>>,
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
    /// Distinct workloads: those of the Pods (a bare Pod counts as one) and those whose pod
    /// template names the Secret; a workload with Pods counts once.
    pub workloads: usize,
    /// Of those, workloads whose template names the Secret.
    pub templates: usize,
    /// ServiceAccounts, including those a token Secret is bound to.
    pub service_accounts: usize,
    pub ingresses: usize,
    pub gateways: usize,
    pub persistent_volumes: usize,
    pub storage_classes: usize,
}

impl UsageCount {
    /// The consumers: workloads (their Pods and template as one), ServiceAccounts, Ingresses,
    /// Gateways, PersistentVolumes and StorageClasses.
    pub fn total(&self) -> usize {
        self.workloads
            + self.service_accounts
            + self.ingresses
            + self.gateways
            + self.persistent_volumes
            + self.storage_classes
    }
}

/// The consumers of one Secret that belong together: a workload (its Pods and its pod
/// template), or one ServiceAccount, Ingress, Gateway, PersistentVolume or StorageClass.
#[derive(Debug, Clone)]
pub struct Group<'a> {
    /// [`ConsumerKind::Pod`] for a workload's group (Pods, template, or both); the kind of
    /// the consumer otherwise (a token Secret's binding shows as its ServiceAccount).
    pub kind: ConsumerKind,
    /// For workloads: the workload (for a bare Pod, the Pod itself).
    pub workload: Option<&'a Workload>,
    /// The workload's name, or the consumer's.
    pub name: &'a str,
    /// The consumers, sorted by kind and name.
    pub consumers: Vec<&'a ConsumerId>,
    pub references: Vec<&'a Reference>,
    /// The workload's own template, when it names the Secret.
    pub template: Option<&'a Consumer>,
}

/// One way a group uses the Secret.
#[derive(Debug, Clone, Copy)]
pub struct GroupUsage<'a> {
    pub reference: &'a Reference,
    /// Pods that use it so.
    pub pods: usize,
    /// Whether the workload's template uses it so (Pods made from now on will).
    pub template: bool,
    /// Other consumers (not Pods, not templates) that use it so.
    pub others: usize,
}

impl<'a> Group<'a> {
    /// The distinct ways the group's consumers use the Secret, each with who uses it so
    /// (replicas of one workload and their template usually agree).
    pub fn usages(&self) -> Vec<GroupUsage<'a>> {
        let mut seen: HashMap<(&Usage, bool), usize> = HashMap::new();
        let mut out: Vec<GroupUsage<'a>> = Vec::new();
        for &r in &self.references {
            let i = *seen.entry((&r.usage, r.optional)).or_insert_with(|| {
                out.push(GroupUsage { reference: r, pods: 0, template: false, others: 0 });
                out.len() - 1
            });
            if let Some(u) = out.get_mut(i) {
                match r.consumer.id.kind {
                    ConsumerKind::Pod => u.pods += 1,
                    k if k.is_template() => u.template = true,
                    _ => u.others += 1,
                }
            }
        }
        out
    }

    /// The group's Pods.
    pub fn pods(&self) -> impl Iterator<Item = &'a ConsumerId> + '_ {
        self.consumers.iter().copied().filter(|c| c.kind == ConsumerKind::Pod)
    }

    /// Whether this is a workload's group (Pods or a template).
    pub fn is_workload(&self) -> bool {
        self.kind == ConsumerKind::Pod
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

    /// The number of distinct consumers that read `key` (a workload's Pods and template are one).
    pub fn consumer_count(&self, key: &str) -> usize {
        self.of(key)
            .iter()
            .map(|r| match &r.consumer.workload {
                Some(w) => (w.kind.as_str(), &*w.name),
                None => (r.consumer.id.kind.as_str(), &*r.consumer.id.name),
            })
            .collect::<HashSet<_>>()
            .len()
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

    /// Takes in every consumer and grant of `other` (the index of another namespace, say).
    pub(crate) fn absorb(&mut self, other: RefIndex) {
        for Entry { id, refs } in other.entries.into_iter().flatten() {
            self.upsert(id, refs.into_vec());
        }
        for grant in other.grants.into_values().flat_map(Map::into_values) {
            self.upsert_grant(grant);
        }
    }

    /// Replaces all references of the consumer `id` (an empty list removes it).
    /// References whose consumer is not `id` are dropped.
    pub fn upsert(&mut self, id: ConsumerId, mut refs: Vec<Reference>) {
        // The Secret's name, shared with every other reference to it.
        for r in &mut refs {
            r.secret = self.names.intern(&r.secret);
        }
        self.insert(id, refs);
    }

    /// [`RefIndex::upsert`] of references whose names come from this index's interner.
    fn insert(&mut self, id: ConsumerId, refs: Vec<Reference>) {
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
        let mut templated = false;
        for r in &refs {
            if r.usage.is_template() {
                templated = true;
                continue;
            }
            let ns = r.secret_namespace();
            let by_namespace = match self.by_secret.get_mut(ns) {
                Some(m) => m,
                None => self.by_secret.entry(self.names.intern(ns)).or_default(),
            };
            match by_namespace.get_mut(&*r.secret) {
                Some(set) => {
                    set.insert(slot);
                }
                None => {
                    by_namespace.insert(Arc::clone(&r.secret), Set::from_iter([slot]));
                }
            }
        }
        if templated {
            self.templates.insert(slot);
        }
        if let Some(key) = owner_key(&refs) {
            self.by_owner.entry(key).or_default().insert(slot);
        }
        self.references += refs.len();
        self.slots.insert(id.clone(), slot);
        if let Some(e) = self.entries.get_mut(slot as usize) {
            *e = Some(Entry { id, refs: refs.into_boxed_slice() });
        }
    }

    /// [`RefIndex::upsert`], with a Pod's workload resolved again through `resolver` first (the
    /// watch that projected it knew no ReplicaSets or Jobs), so that an unchanged Pod is still
    /// recognised as unchanged.
    pub fn upsert_resolved(&mut self, id: ConsumerId, mut refs: Vec<Reference>, resolver: &WorkloadResolver) {
        if id.kind == ConsumerKind::Pod
            && let Some(first) = refs.first()
            && first.consumer.controller.is_some()
        {
            let c = &first.consumer;
            let names = &mut self.names;
            let workload = resolver.resolve_with(
                &c.id.namespace,
                &c.id.name,
                c.controller.as_ref(),
                c.pod_template_hash.as_deref(),
                &mut |s| names.intern(s),
            );
            if c.workload.as_ref() != Some(&workload) {
                let mut updated = (**c).clone();
                updated.workload = Some(workload);
                let updated = Arc::new(updated);
                for r in &mut refs {
                    r.consumer = Arc::clone(&updated);
                }
            }
        }
        self.upsert(id, refs);
    }

    /// Projects and indexes a Pod (an added or modified watch event).
    pub fn upsert_pod(&mut self, pod: &Pod, resolver: &WorkloadResolver) {
        let refs = project::from_pod_in(pod, resolver, &mut self.names);
        let id = match refs.first() {
            Some(r) => r.consumer.id.clone(),
            None => project::pod_id(pod),
        };
        self.insert(id, refs);
    }

    pub fn upsert_service_account(&mut self, sa: &ServiceAccount) {
        let refs = project::from_service_account(sa);
        self.upsert(project::service_account_id(sa), refs);
    }

    pub fn upsert_ingress(&mut self, ingress: &Ingress) {
        let refs = project::from_ingress(ingress);
        self.upsert(project::ingress_id(ingress), refs);
    }

    /// The names this index shares between its records (for projections made outside it).
    pub fn names(&mut self) -> &mut Interner {
        &mut self.names
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
        self.templates.remove(&slot);
        if let Some(key) = owner_key(&old)
            && let Some(set) = self.by_owner.get_mut(&key)
        {
            set.remove(&slot);
            if set.is_empty() {
                self.by_owner.remove(&key);
            }
        }
        for r in old.iter().filter(|r| !r.usage.is_template()) {
            let ns = r.secret_namespace();
            if let Some(by_namespace) = self.by_secret.get_mut(ns) {
                if let Some(set) = by_namespace.get_mut(&*r.secret) {
                    set.remove(&slot);
                    if set.is_empty() {
                        by_namespace.remove(&*r.secret);
                    }
                }
                if by_namespace.is_empty() {
                    self.by_secret.remove(ns);
                }
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
    /// Jobs (in `namespace` only, when given). For one ReplicaSet or Job, see
    /// [`RefIndex::refresh_owner`], which costs the Pods it owns only.
    pub fn refresh_workloads(&mut self, resolver: &WorkloadResolver, namespace: Option<&str>) {
        let slots: Vec<Slot> = self
            .entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| Some((Slot::try_from(i).ok()?, e.as_ref()?)))
            .filter(|(_, e)| e.id.kind == ConsumerKind::Pod && namespace.is_none_or(|ns| ns == &*e.id.namespace))
            .map(|(slot, _)| slot)
            .collect();
        for slot in slots {
            self.resolve_again(resolver, slot);
        }
    }

    /// Resolves again the workload of the Pods whose controller is `owner` (a ReplicaSet or
    /// Job) in `namespace`: what a ReplicaSet or Job watch event changes, at the cost of those
    /// Pods alone.
    pub fn refresh_owner(&mut self, resolver: &WorkloadResolver, namespace: &str, owner: &str) {
        let key: (Name, Name) = (namespace.into(), owner.into());
        let Some(slots) = self.by_owner.get(&key) else { return };
        let slots: Vec<Slot> = slots.iter().copied().collect();
        for slot in slots {
            self.resolve_again(resolver, slot);
        }
    }

    fn resolve_again(&mut self, resolver: &WorkloadResolver, slot: Slot) {
        let Some(Some(Entry { id, refs })) = self.entries.get_mut(slot as usize) else { return };
        let Some(first) = refs.first() else { return };
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
            return;
        }
        let mut updated = (**c).clone();
        updated.workload = Some(workload);
        let updated = Arc::new(updated);
        for r in refs.iter_mut() {
            r.consumer = Arc::clone(&updated);
        }
    }

    /// Adds or replaces a ReferenceGrant.
    pub fn upsert_grant(&mut self, grant: Grant) {
        let ns = self.names.intern(&grant.namespace);
        self.grants.entry(ns).or_default().insert(Arc::clone(&grant.name), grant);
    }

    pub fn remove_grant(&mut self, namespace: &str, name: &str) {
        if let Some(m) = self.grants.get_mut(namespace) {
            m.remove(name);
            if m.is_empty() {
                self.grants.remove(namespace);
            }
        }
    }

    /// Keeps the grants for which `keep` (namespace, name) is true (after a relist).
    pub fn retain_grants(&mut self, mut keep: impl FnMut(&str, &str) -> bool) {
        for (ns, m) in self.grants.iter_mut() {
            m.retain(|name, _| keep(ns, name));
        }
        self.grants.retain(|_, m| !m.is_empty());
    }

    /// The grants of a namespace.
    pub fn grants_in(&self, namespace: &str) -> impl Iterator<Item = &Grant> {
        self.grants.get(namespace).into_iter().flat_map(|m| m.values())
    }

    /// Whether a reference is valid as far as ReferenceGrants go: a Gateway's reference to a
    /// Secret of another namespace needs a grant there; every other reference is.
    pub fn permitted(&self, r: &Reference) -> bool {
        !r.needs_grant() || self.grants_in(r.secret_namespace()).any(|g| g.allows(&r.consumer.id.namespace, &r.secret))
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

    /// The consumers that name the Secret, unordered, whether or not a grant allows it.
    fn consumers_of(&self, namespace: &str, secret: &str) -> impl Iterator<Item = &Entry> {
        self.by_secret.get(namespace).and_then(|m| m.get(secret)).into_iter().flatten().filter_map(|&s| self.entry(s))
    }

    /// Whether one of the entry's references to the Secret is valid (a Gateway's may lack its grant).
    fn uses(&self, e: &Entry, namespace: &str, secret: &str) -> bool {
        e.id.kind != ConsumerKind::Gateway
            || e.refs.iter().any(|r| &*r.secret == secret && r.secret_namespace() == namespace && self.permitted(r))
    }

    /// The consumers that use the Secret (references that lack a grant do not count).
    fn users_of<'s>(&'s self, namespace: &'s str, secret: &'s str) -> impl Iterator<Item = &'s Entry> + 's {
        self.consumers_of(namespace, secret).filter(move |e| self.uses(e, namespace, secret))
    }

    /// Every reference to the Secret `namespace/secret`, sorted by consumer (kind, then name),
    /// each consumer's in the order of its spec; references that lack a ReferenceGrant
    /// included (see [`RefIndex::permitted`]).
    pub fn refs_to(&self, namespace: &str, secret: &str) -> Vec<&Reference> {
        let mut entries: Vec<&Entry> = self.consumers_of(namespace, secret).collect();
        entries.sort_by(|a, b| a.id.cmp(&b.id));
        entries
            .into_iter()
            .flat_map(|e| e.refs.iter())
            .filter(|r| &*r.secret == secret && r.secret_namespace() == namespace && !r.usage.is_template())
            .collect()
    }

    /// [`RefIndex::refs_to`] without the references that lack a ReferenceGrant: the uses.
    pub fn uses_of(&self, namespace: &str, secret: &str) -> Vec<&Reference> {
        self.refs_to(namespace, secret).into_iter().filter(|r| self.permitted(r)).collect()
    }

    /// Gateway references to the Secret from another namespace that no ReferenceGrant allows:
    /// broken, not uses.
    pub fn not_permitted(&self, namespace: &str, secret: &str) -> Vec<&Reference> {
        self.refs_to(namespace, secret).into_iter().filter(|r| !self.permitted(r)).collect()
    }

    /// StorageClass templates that may name this Secret for some claims: which Secret a
    /// template names is known only per claim, so these are never counted as uses.
    pub fn templates_matching(&self, namespace: &str, secret: &str) -> Vec<&Reference> {
        let mut out: Vec<&Reference> = self
            .templates
            .iter()
            .filter_map(|&s| self.entry(s))
            .flat_map(|e| e.refs.iter())
            .filter(|r| r.usage.is_template())
            .filter(|r| template_matches(r.secret_namespace(), namespace) && template_matches(&r.secret, secret))
            .collect();
        out.sort_by(|a, b| a.consumer.id.cmp(&b.consumer.id));
        out
    }

    /// Every StorageClass template, sorted by StorageClass.
    pub fn templates(&self) -> Vec<&Reference> {
        let mut out: Vec<&Reference> = self
            .templates
            .iter()
            .filter_map(|&s| self.entry(s))
            .flat_map(|e| e.refs.iter())
            .filter(|r| r.usage.is_template())
            .collect();
        out.sort_by(|a, b| a.consumer.id.cmp(&b.consumer.id));
        out
    }

    /// Whether anything uses the Secret.
    pub fn is_used(&self, namespace: &str, secret: &str) -> bool {
        self.users_of(namespace, secret).next().is_some()
    }

    /// How many consumers use the Secret.
    pub fn usage(&self, namespace: &str, secret: &str) -> UsageCount {
        count(self.users_of(namespace, secret))
    }

    /// Usage counts for every referenced Secret of a namespace (for the Secret list), by name.
    pub fn usage_in(&self, namespace: &str) -> BTreeMap<&str, UsageCount> {
        let Some(by_namespace) = self.by_secret.get(namespace) else {
            return BTreeMap::new();
        };
        by_namespace
            .iter()
            .map(|(secret, slots)| {
                let users = slots.iter().filter_map(|&s| self.entry(s)).filter(|e| self.uses(e, namespace, secret));
                (&**secret, count(users))
            })
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

    /// The namespaces with referenced Secrets, sorted.
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

    /// The uses of a Secret, grouped: each workload's Pods with its template, then each
    /// ServiceAccount (with the token Secrets bound to it), Ingress, Gateway,
    /// PersistentVolume and StorageClass. Sorted by kind, workload kind and name. References
    /// that lack a ReferenceGrant are not uses and are left out ([`RefIndex::not_permitted`]).
    pub fn by_workload(&self, namespace: &str, secret: &str) -> Vec<Group<'_>> {
        let mut groups: BTreeMap<(ConsumerKind, &str, &str), Group<'_>> = BTreeMap::new();
        for r in self.uses_of(namespace, secret) {
            let c = &*r.consumer;
            let (kind, workload, kind_name, name) = match (&c.workload, &r.usage) {
                (Some(w), _) => (ConsumerKind::Pod, Some(w), w.kind.as_str(), &*w.name),
                (None, Usage::ServiceAccountToken { account }) => (ConsumerKind::ServiceAccount, None, "", &**account),
                (None, _) => (c.id.kind, None, "", &*c.id.name),
            };
            let group = groups.entry((kind, kind_name, name)).or_insert_with(|| Group {
                kind,
                workload,
                name,
                consumers: Vec::new(),
                references: Vec::new(),
                template: None,
            });
            if group.consumers.last() != Some(&&c.id) {
                group.consumers.push(&c.id);
            }
            if c.id.kind.is_template() {
                group.template = Some(c);
            }
            group.references.push(r);
        }
        let mut out: Vec<Group<'_>> = groups.into_values().collect();
        for g in &mut out {
            g.consumers.sort();
            g.consumers.dedup();
        }
        out
    }

    /// Which references read which keys of a Secret.
    pub fn key_readers(&self, namespace: &str, secret: &str) -> KeyReaders<'_> {
        let mut out = KeyReaders::default();
        for r in self.uses_of(namespace, secret) {
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
    /// its absence does (the Pod cannot start, or runs without it). References that lack a
    /// ReferenceGrant are left out: they are broken whether or not the Secret exists.
    pub fn missing_in(&self, namespace: &str, exists: impl Fn(&str) -> bool) -> Vec<MissingSecret<'_>> {
        self.secrets_in(namespace)
            .into_iter()
            .filter(|s| !exists(s))
            .map(|secret| MissingSecret {
                secret,
                references: self
                    .uses_of(namespace, secret)
                    .into_iter()
                    .map(|r| (r, analysis::missing_secret_effect(r)))
                    .collect(),
            })
            .filter(|m| !m.references.is_empty())
            .collect()
    }

    /// Findings about one Secret and its consumers, given what is known about the Secret.
    pub fn analyze(&self, namespace: &str, secret: &str, facts: &SecretFacts) -> Analysis<'_> {
        let mut a = analysis::analyze(namespace, secret, self.uses_of(namespace, secret), facts);
        a.add_not_permitted(self.not_permitted(namespace, secret));
        a
    }
}

/// A Pod's controller, when it is a ReplicaSet or a Job (the owners the resolver looks through).
fn owner_key(refs: &[Reference]) -> Option<(Name, Name)> {
    let c = &refs.first()?.consumer;
    let o = c.controller.as_ref().filter(|o| matches!(&*o.kind, "ReplicaSet" | "Job"))?;
    (c.id.kind == ConsumerKind::Pod).then(|| (Arc::clone(&c.id.namespace), Arc::clone(&o.name)))
}

/// Whether `value` is what `template` gives for some claim: each `${…}` stands for any run
/// of characters (the external-provisioner's tokens); the rest must match as written.
pub fn template_matches(template: &str, value: &str) -> bool {
    // The literal pieces between tokens, in order.
    let mut pieces: Vec<&str> = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        pieces.push(&rest[..start]);
        match rest[start..].find('}') {
            Some(end) => rest = &rest[start + end + 1..],
            None => {
                rest = "";
                break;
            }
        }
    }
    pieces.push(rest);
    let (first, last) = (pieces[0], pieces[pieces.len() - 1]);
    if pieces.len() == 1 {
        return template == value;
    }
    let Some(mut middle) = value.strip_prefix(first) else { return false };
    if middle.len() < last.len() || !middle.ends_with(last) {
        return false;
    }
    middle = &middle[..middle.len() - last.len()];
    for piece in &pieces[1..pieces.len() - 1] {
        match middle.find(piece) {
            Some(i) => middle = &middle[i + piece.len()..],
            None => return false,
        }
    }
    true
}

fn count<'a>(consumers: impl Iterator<Item = &'a Entry>) -> UsageCount {
    let mut out = UsageCount::default();
    let mut workloads: HashSet<(&WorkloadKind, &str)> = HashSet::new();
    let mut templates: HashSet<(&WorkloadKind, &str)> = HashSet::new();
    let mut accounts: HashSet<&str> = HashSet::new();
    for Entry { id, refs } in consumers {
        let workload = refs.first().and_then(|r| r.consumer.workload.as_ref()).map(|w| (&w.kind, &*w.name));
        match id.kind {
            ConsumerKind::Pod => {
                out.pods += 1;
                if refs.first().and_then(|r| r.consumer.phase).is_some_and(PodPhase::is_terminated) {
                    out.terminated_pods += 1;
                }
                workloads.extend(workload);
            }
            k if k.is_template() => {
                workloads.extend(workload);
                templates.extend(workload);
            }
            ConsumerKind::ServiceAccount => {
                accounts.insert(&id.name);
            }
            ConsumerKind::ServiceAccountToken => {
                for r in refs.iter() {
                    if let Usage::ServiceAccountToken { account } = &r.usage {
                        accounts.insert(account);
                    }
                }
            }
            ConsumerKind::Ingress => out.ingresses += 1,
            ConsumerKind::Gateway => out.gateways += 1,
            ConsumerKind::PersistentVolume => out.persistent_volumes += 1,
            ConsumerKind::StorageClass => out.storage_classes += 1,
            _ => {}
        }
    }
    out.workloads = workloads.len();
    out.templates = templates.len();
    out.service_accounts = accounts.len();
    out
}
