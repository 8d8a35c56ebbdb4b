//! Custom resources that name the Secret they write: cert-manager Certificates
//! (`spec.secretName`) and ExternalSecrets (`spec.target.name`, by default the ExternalSecret's
//! own name). The cluster code reads them where discovery says their CRDs are served, projects
//! each into a [`Writer`] with [`writer_from`] and drops it; this index answers "which custom
//! resources write this Secret". Where a kind cannot be listed (403), it says so
//! ([`Writers::unknown`]); where its CRD is not installed, it says nothing.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde_json::Value;

use super::{Manager, Owner, merge};
use crate::secret::types;

/// A kind of custom resource that names the Secret it writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WriterKind {
    Certificate,
    ExternalSecret,
}

impl WriterKind {
    pub const ALL: [WriterKind; 2] = [WriterKind::Certificate, WriterKind::ExternalSecret];

    pub fn kind(self) -> &'static str {
        match self {
            WriterKind::Certificate => "Certificate",
            WriterKind::ExternalSecret => "ExternalSecret",
        }
    }

    pub fn group(self) -> &'static str {
        match self {
            WriterKind::Certificate => "cert-manager.io",
            WriterKind::ExternalSecret => "external-secrets.io",
        }
    }

    pub fn plural(self) -> &'static str {
        match self {
            WriterKind::Certificate => "certificates",
            WriterKind::ExternalSecret => "externalsecrets",
        }
    }

    /// The field that names the Secret, for "from".
    fn field(self) -> &'static str {
        match self {
            WriterKind::Certificate => "Certificate spec.secretName",
            WriterKind::ExternalSecret => "ExternalSecret spec.target.name",
        }
    }
}

/// One custom resource and the Secret (same namespace) it writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Writer {
    pub kind: WriterKind,
    pub namespace: String,
    pub name: String,
    pub secret: String,
    /// An ExternalSecret's `spec.target.creationPolicy` (`Owner` when not set).
    pub policy: Option<String>,
}

impl Writer {
    fn owner(&self) -> Owner {
        let manager = match self.kind {
            WriterKind::Certificate => Manager::CertManager { certificate: Some(self.name.clone()), issuer: None },
            WriterKind::ExternalSecret => {
                Manager::ExternalSecrets { external_secret: Some(self.name.clone()), policy: self.policy.clone() }
            }
        };
        Owner::new(manager, self.kind.field())
    }
}

/// The Secret a custom resource writes, from its namespace, name and `spec` as the API server
/// returns them. `None` when it writes none: a Certificate without `spec.secretName`, an
/// ExternalSecret with `creationPolicy: None`.
pub fn writer_from(kind: WriterKind, namespace: &str, name: &str, spec: Option<&Value>) -> Option<Writer> {
    let s = |p: &str| spec.and_then(|v| v.pointer(p)).and_then(Value::as_str).filter(|v| !v.is_empty());
    if namespace.is_empty() || name.is_empty() {
        return None;
    }
    let (secret, policy) = match kind {
        WriterKind::Certificate => (s("/secretName")?.to_string(), None),
        WriterKind::ExternalSecret => {
            let policy = s("/target/creationPolicy").unwrap_or("Owner");
            if policy == "None" {
                return None;
            }
            (s("/target/name").unwrap_or(name).to_string(), Some(policy.to_string()))
        }
    };
    Some(Writer { kind, namespace: namespace.to_string(), name: name.to_string(), secret, policy })
}

/// What a watch of one kind of writer reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriterEvent {
    /// A custom resource, and the Secret it writes (`None`: none), replacing what it wrote before.
    Upserted {
        kind: WriterKind,
        namespace: String,
        name: String,
        writes: Option<Writer>,
    },
    Removed {
        kind: WriterKind,
        namespace: String,
        name: String,
    },
    /// Every object of the kind was (re)listed: drop the others.
    Synced {
        kind: WriterKind,
        present: HashSet<(String, String)>,
    },
    /// The kind is served but cannot be listed or watched: why, as a clause ("listing them
    /// was refused (...)").
    Refused {
        kind: WriterKind,
        reason: String,
    },
}

/// Which custom resources write which Secrets.
#[derive(Debug, Default)]
pub struct Writers {
    by_secret: HashMap<(String, String), Vec<Writer>>,
    /// Each object's Secret, to take it out again.
    by_object: HashMap<(WriterKind, String, String), String>,
    listed: BTreeSet<WriterKind>,
    refused: BTreeMap<WriterKind, String>,
}

impl Writers {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn apply(&mut self, event: WriterEvent) {
        match event {
            WriterEvent::Upserted { kind, namespace, name, writes } => {
                self.remove(kind, &namespace, &name);
                if let Some(w) = writes {
                    self.by_object.insert((kind, namespace.clone(), name), w.secret.clone());
                    self.by_secret.entry((namespace, w.secret.clone())).or_default().push(w);
                }
            }
            WriterEvent::Removed { kind, namespace, name } => self.remove(kind, &namespace, &name),
            WriterEvent::Synced { kind, present } => {
                let gone: Vec<(String, String)> = self
                    .by_object
                    .keys()
                    .filter(|(k, ns, n)| *k == kind && !present.contains(&(ns.clone(), n.clone())))
                    .map(|(_, ns, n)| (ns.clone(), n.clone()))
                    .collect();
                for (ns, n) in gone {
                    self.remove(kind, &ns, &n);
                }
                self.listed.insert(kind);
                self.refused.remove(&kind);
            }
            WriterEvent::Refused { kind, reason } => {
                self.refused.insert(kind, reason);
            }
        }
    }

    fn remove(&mut self, kind: WriterKind, namespace: &str, name: &str) {
        let Some(secret) = self.by_object.remove(&(kind, namespace.to_string(), name.to_string())) else { return };
        let key = (namespace.to_string(), secret);
        if let Some(list) = self.by_secret.get_mut(&key) {
            list.retain(|w| !(w.kind == kind && w.name == name));
            if list.is_empty() {
                self.by_secret.remove(&key);
            }
        }
    }

    /// Adds the writers of one more scope (`keyhole list` namespace by namespace).
    pub fn absorb(&mut self, other: Writers) {
        for (key, secret) in other.by_object {
            self.by_object.insert(key, secret);
        }
        for (key, list) in other.by_secret {
            self.by_secret.entry(key).or_default().extend(list);
        }
        self.listed.extend(other.listed);
        for (k, r) in other.refused {
            self.refused.entry(k).or_insert(r);
        }
    }

    /// The custom resources that write this Secret.
    pub fn of(&self, namespace: &str, name: &str) -> &[Writer] {
        self.by_secret.get(&(namespace.to_string(), name.to_string())).map_or(&[], Vec::as_slice)
    }

    /// Whether any writer is known at all (nothing to look up otherwise).
    pub fn is_empty(&self) -> bool {
        self.by_secret.is_empty()
    }

    /// The kinds that are served but could not be listed, with the server's message.
    pub fn refused(&self) -> impl Iterator<Item = (WriterKind, &str)> {
        self.refused.iter().map(|(k, r)| (*k, r.as_str()))
    }

    /// Every owner of a Secret: those its metadata names (`own`, from [`super::detect`]) and
    /// the custom resources that name it, each once.
    pub fn owners(&self, own: &[Owner], namespace: &str, name: &str) -> Vec<Owner> {
        let mut out = own.to_vec();
        for w in self.of(namespace, name) {
            merge(&mut out, w.owner());
        }
        out
    }

    /// What cannot be told about a Secret because a kind of writer could not be listed, where
    /// it matters: Certificates for TLS Secrets not known to be cert-manager's, ExternalSecrets
    /// for Secrets that no other controller writes. One sentence each.
    pub fn unknown(&self, type_: &str, owners: &[Owner]) -> Vec<String> {
        let mut out = Vec::new();
        for (kind, reason) in &self.refused {
            let matters = match kind {
                WriterKind::Certificate => {
                    type_ == types::TLS
                        && !owners
                            .iter()
                            .any(|o| matches!(o.manager, Manager::CertManager { certificate: Some(_), .. }))
                }
                WriterKind::ExternalSecret => {
                    !matches!(type_, types::SERVICE_ACCOUNT_TOKEN | types::HELM_RELEASE | types::BOOTSTRAP_TOKEN)
                        && !owners
                            .iter()
                            .any(|o| matches!(o.manager, Manager::ExternalSecrets { external_secret: Some(_), .. }))
                }
            };
            if matters {
                out.push(format!("Cannot tell from {}s whether one writes it: {reason}", kind.kind()));
            }
        }
        out
    }
}
