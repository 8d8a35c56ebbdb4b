//! Who uses which Secret, and how, down to the key.
//!
//! Pods, ServiceAccounts and Ingresses are projected, as their watch events arrive, into small
//! [`Reference`] records (DESIGN.md decision 5): who (the consumer and, for Pods, the owning
//! workload), which Secret, how (volume, projected volume, env, envFrom, image pull secret, CSI,
//! volume plugin, ServiceAccount lists, Ingress TLS), which keys, and whether it is optional.
//! Full Pod objects are not kept. [`RefIndex`] answers the questions of the UI: references to a
//! Secret, usage counts, consumers grouped by workload, readers per key, references to Secrets
//! that do not exist; [`RefIndex::analyze`] turns kubelet behaviour into [`Finding`]s.
//!
//! Fed from watches (kube-runtime `watcher` events): `upsert_pod` on Apply and InitApply,
//! `remove` on Delete, ReplicaSet and Job metadata to the [`WorkloadResolver`] followed by
//! `refresh_workloads`, and `retain` after InitDone to drop what a relist no longer has
//! (`tests.rs`: `feeding_the_index_from_watch_events`).

mod analysis;
mod describe;
mod index;
mod intern;
mod model;
mod project;
mod workload;

#[cfg(test)]
mod tests;

// What benchmarks and tests outside the crate use; the rest is the crate's.
pub use analysis::SecretFacts;
pub use index::RefIndex;
pub use intern::Interner;
pub use model::ConsumerKind;
pub use project::{from_pod_in, pod_id};
pub use workload::WorkloadResolver;

pub(crate) use analysis::{MissingEffect, Severity};
pub(crate) use index::{MissingSecret, UsageCount};
pub(crate) use model::{ConsumerId, Reference, Usage};
pub(crate) use project::{from_ingress, from_pod, from_service_account, ingress_id, service_account_id};
