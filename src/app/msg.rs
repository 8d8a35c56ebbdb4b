//! Everything that can happen to the app: input, and results from background tasks.

use crossterm::event::KeyEvent;

use std::collections::HashSet;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::rows::{Inspected, SecretRow};
use crate::cluster::apply::ApplyError;
use crate::refs::{ConsumerId, ConsumerKind, Reference};
use crate::secret::Secret;

/// Where the connection stands, for the banner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    Live,
    /// Lost, with the error and when the watch will retry.
    Lost(String),
}

#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Resize(u16, u16),
    /// A second passed (ages, expiring banners).
    Tick,
    /// The whole list for the current scope (initial list or relist after 410).
    SecretsListed(Vec<SecretRow>),
    SecretUpserted(SecretRow),
    SecretDeleted {
        namespace: String,
        name: String,
    },
    /// Listing Secrets failed (403 across namespaces, network).
    SecretsFailed(ListError),
    Connection(Connection),
    /// The references of one consumer (Pod, ServiceAccount, Ingress), replacing earlier ones.
    RefsUpserted {
        consumer: ConsumerId,
        refs: Vec<Reference>,
    },
    RefsRemoved(ConsumerId),
    /// All consumers of one kind were relisted: drop the ones not in this set.
    RefsSynced {
        kind: ConsumerKind,
        present: HashSet<ConsumerId>,
    },
    /// A ReplicaSet's metadata: which Deployment owns it (for grouping Pods by workload).
    ReplicaSet(Box<ObjectMeta>),
    ReplicaSetGone {
        namespace: String,
        name: String,
    },
    InspectFailed {
        namespace: String,
        name: String,
    },
    Inspected {
        namespace: String,
        name: String,
        facts: Inspected,
    },
    /// The opened Secret arrived (values inside, zeroized when dropped).
    Opened(Box<Secret>),
    OpenFailed {
        namespace: String,
        name: String,
        error: OpenError,
    },
    /// Whether the user may update the opened Secret (SelfSubjectAccessReview).
    CanUpdate {
        namespace: String,
        name: String,
        allowed: bool,
    },
    Namespaces(Result<Vec<String>, String>),
    /// What the clipboard did (or why it did not), for the status line.
    Copied(Result<String, String>),
    /// Pasted text (bracketed paste).
    Paste(String),
    DryRunDone(Result<Vec<String>, ApplyError>),
    Applied(Result<Box<Secret>, ApplyError>),
    /// The server's current version, for the conflict screen.
    Latest(Result<Box<Secret>, OpenError>),
    Deleted {
        namespace: String,
        name: String,
        result: Result<(), ApplyError>,
    },
    FileRead {
        key: String,
        path: String,
        result: Result<Vec<u8>, String>,
    },
    /// Switched to another kubeconfig context: its name and namespace.
    ContextSwitched(Result<(String, String), String>),
}

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

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenError {
    Forbidden(String),
    NotFound,
    Other(String),
}
