//! Who uses which Secret, and how, down to the key.
//!
//! Pods, workloads' pod templates (Deployments, StatefulSets, DaemonSets, ReplicaSets and Jobs
//! of no Deployment or CronJob, CronJobs), ServiceAccounts (and the token Secrets bound to
//! them), Ingresses, Gateways, PersistentVolumes and StorageClasses are projected, as their
//! watch events arrive, into small [`Reference`] records (DESIGN.md decision 5): who (the
//! consumer and, for Pods and templates, the workload), which Secret in which namespace, how
//! (volume, projected volume, env, envFrom, image pull secret, CSI, volume plugin,
//! ServiceAccount lists, Ingress and Gateway TLS, volume operations), which keys, and whether
//! it is optional. docs/usage.md lists every field read.
//! Full Pod objects are not kept. [`RefIndex`] answers the questions of the UI: references to a
//! Secret, usage counts, consumers grouped by workload, readers per key, references to Secrets
//! that do not exist; [`RefIndex::analyze`] turns kubelet behaviour into [`Finding`]s.
//!
//! Fed from watches (kube-runtime `watcher` events): `upsert_pod` on Apply and InitApply,
//! `remove` on Delete, ReplicaSet and Job metadata to the [`WorkloadResolver`] followed by
//! `refresh_workloads`, and `retain` after InitDone to drop what a relist no longer has
//! (`tests.rs`: `feeding_the_index_from_watch_events`).

mod analysis;
mod coverage;
mod describe;
mod gateway;
mod impact;
mod index;
mod intern;
mod model;
mod project;
mod restart;
mod schedule;
mod workload;

#[cfg(test)]
mod kinds_tests;
#[cfg(test)]
mod tests;

// What benchmarks and tests outside the crate use; the rest is the crate's.
pub use analysis::SecretFacts;
pub use coverage::{Coverage, Known, Listing, SOURCES, Source};
pub use gateway::{GATEWAY_GROUP, Grant, from_gateway, from_token_secret, gateway_id, grant_from, grant_key};
pub use index::RefIndex;
pub use intern::Interner;
pub use model::{ConsumerKind, ConsumerState};
pub use project::{
    HasTemplate, PROVISIONER_DELETION_SECRET, Template, consumer_id, from_persistent_volume, from_pod_in,
    from_storage_class, from_template, from_workload, pod_id,
};
pub use restart::{Action as RestartAction, RestartTarget};
pub use workload::{WorkloadKind, WorkloadResolver};

pub(crate) use analysis::{MissingEffect, Severity};
pub(crate) use index::{MissingSecret, UsageCount};
pub(crate) use model::{ConsumerId, Reference, Usage};
pub(crate) use project::{from_ingress, from_pod, from_service_account, ingress_id, service_account_id};
