//! What the watches report: the cluster's own event type. The app turns these into its
//! messages; nothing under `cluster/` knows the app.

use std::collections::HashSet;
use std::sync::Arc;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::list::rows::SecretRow;
use crate::refs::{ConsumerId, ConsumerKind, Grant, Listing, Reference, Source};

/// Where the connection stands, for the banner: the header always tells the truth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    /// Watching: changes show as they happen.
    Live,
    /// Watching is not allowed (403 or 405 on watch): the list is read again every `every`.
    Polling { every: std::time::Duration, reason: String },
    /// Lost, with the error; the list is as it was at `since`. The watch retries.
    Lost { error: String, since: jiff::Timestamp },
}

/// Why the Secrets of a scope could not be listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListError {
    /// 403 on listing across namespaces: fall back to these namespaces.
    ForbiddenAllNamespaces {
        fallback: Vec<String>,
        message: String,
    },
    Forbidden(String),
    Other(String),
}

#[derive(Debug)]
pub enum Event {
    /// The whole list for the scope (initial list, or relist after a 410 or a lost connection).
    SecretsListed(Vec<SecretRow>),
    /// A page of the Secrets list came in and more follow: how many rows so far (for the
    /// progress line of a long first list).
    SecretsListing(usize),
    SecretUpserted(Box<SecretRow>),
    SecretDeleted {
        namespace: String,
        name: String,
    },
    /// Listing Secrets failed for good (403, 401); the watch has stopped.
    SecretsFailed(ListError),
    Connection(Connection),
    /// The references of one consumer (Pod, ServiceAccount, Ingress), replacing earlier ones.
    RefsUpserted {
        consumer: ConsumerId,
        refs: Vec<Reference>,
    },
    RefsRemoved(ConsumerId),
    /// All consumers of one kind were (re)listed: drop the ones not in this set.
    RefsSynced {
        kind: ConsumerKind,
        present: HashSet<ConsumerId>,
    },
    /// A source (a kind of consumer, or ReferenceGrants) cannot be listed (403, another
    /// failure: usage is unknown, with why) or is not served (404: there are none).
    Unlisted {
        source: Source,
        listing: Listing,
    },
    /// A ReplicaSet's or Job's metadata: which Deployment or CronJob owns it (for grouping
    /// Pods by workload). Only the Pods it owns are grouped again.
    Owner {
        kind: OwnerKind,
        meta: Box<ObjectMeta>,
    },
    OwnerGone {
        kind: OwnerKind,
        namespace: String,
        name: String,
    },
    /// A custom resource that writes a Secret (a Certificate, an ExternalSecret), where its CRD
    /// is served: who manages which Secret.
    Writers(crate::owners::WriterEvent),
    /// A source is watched across namespaces though the scope is one namespace (Gateways,
    /// which name Secrets of other namespaces): its listing covers every namespace.
    Widened {
        source: Source,
    },
    /// ReferenceGrants: what lets a Gateway use a Secret of another namespace.
    GrantUpserted(Grant),
    GrantRemoved {
        namespace: String,
        name: String,
    },
    GrantsSynced {
        present: HashSet<(String, String)>,
    },
}

/// The owners of Pods that the resolver looks through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnerKind {
    ReplicaSet,
    Job,
}

/// Where a watch sends its events.
pub(crate) type Emit = Arc<dyn Fn(Event) + Send + Sync>;
