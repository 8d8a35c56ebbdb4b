//! Who manages a Secret, and what that means for an edit or a delete (issue 14, item 2). A
//! controller that writes a Secret puts its version back: people need to know before they
//! edit it. Plain, pure code:
//!
//! - [`marks`]: the metadata read (a few labels and annotations by key, owner references),
//!   decoded without keeping anything else;
//! - [`detect`]: owners from a Secret's own metadata, which the list already carries;
//! - [`writers`]: owners from custom resources that name a Secret (cert-manager Certificates'
//!   `spec.secretName`, ExternalSecrets' `spec.target.name`), as the cluster code reads them
//!   where their CRDs are served;
//! - [`text`]: what each owner does to an edit and a delete, in words.
//!
//! docs/owners.md lists what is detected and from which fields.

pub mod detect;
pub mod marks;
pub mod text;
pub mod writers;

#[cfg(test)]
mod tests;

pub use detect::{detect, merge};
pub use marks::{Marks, Meta, OwnedMeta, OwnerRef};
pub use writers::{Writer, WriterEvent, WriterKind, Writers};

/// What manages a Secret. `None` names are those the metadata does not give (a label that
/// says "cert-manager" but no Certificate name): never guessed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Manager {
    /// An object of a Helm chart: `app.kubernetes.io/managed-by=Helm`, `meta.helm.sh/release-*`.
    Helm { release: Option<String>, namespace: Option<String> },
    /// Helm's record of one revision of a release (`helm.sh/release.v1`).
    HelmRecord { release: String, revision: Option<String>, status: Option<String> },
    /// The Secret of a cert-manager Certificate.
    CertManager { certificate: Option<String>, issuer: Option<String> },
    /// cert-manager's next private key for a Certificate, kept between issuances.
    CertManagerNextKey { certificate: Option<String> },
    /// The target of an ExternalSecret; `policy` is its `spec.target.creationPolicy` when known.
    ExternalSecrets { external_secret: Option<String>, policy: Option<String> },
    /// The Secret a SealedSecret unseals into.
    SealedSecrets { sealed_secret: String },
    /// An Argo CD configuration Secret (`argocd.argoproj.io/secret-type`).
    ArgoCdConfig { secret_type: String },
    /// A Secret an Argo CD Application deploys (tracking label or annotation).
    ArgoCdApp { application: String },
    /// A legacy service-account token Secret: the token controller fills it.
    TokenController { service_account: Option<String> },
    /// Any other owner reference.
    OwnedBy { api_version: String, kind: String, name: String, controller: bool },
}

/// One manager of a Secret, and the fields that say so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub manager: Manager,
    /// Where it was read: "annotation cert-manager.io/certificate-name", "Certificate
    /// spec.secretName", "ownerReference".
    pub from: Vec<&'static str>,
}

impl Owner {
    pub fn new(manager: Manager, from: &'static str) -> Owner {
        Owner { manager, from: vec![from] }
    }

    /// Editing or deleting asks first: every manager but an owner reference without
    /// `controller: true` (the owner's deletion takes the Secret along; nothing reconciles it).
    pub fn asks(&self) -> bool {
        !matches!(self.manager, Manager::OwnedBy { controller: false, .. })
    }

    /// A controller reads it as its own input (Argo CD's repositories and clusters): it is in
    /// use even when no Pod names it.
    pub fn reads_it(&self) -> bool {
        matches!(self.manager, Manager::ArgoCdConfig { .. })
    }

    /// One word for a flag or a column: `helm`, `cert-manager`, `external-secrets`, ...
    pub fn short(&self) -> String {
        match &self.manager {
            Manager::Helm { .. } => "helm".into(),
            Manager::HelmRecord { .. } => "helm-record".into(),
            Manager::CertManager { .. } | Manager::CertManagerNextKey { .. } => "cert-manager".into(),
            Manager::ExternalSecrets { .. } => "external-secrets".into(),
            Manager::SealedSecrets { .. } => "sealed-secrets".into(),
            Manager::ArgoCdConfig { .. } | Manager::ArgoCdApp { .. } => "argocd".into(),
            Manager::TokenController { .. } => "token-controller".into(),
            Manager::OwnedBy { kind, .. } => kind.clone(),
        }
    }
}

impl Owner {
    /// The object that manages it, as a kind and a name where one is known: `("Certificate",
    /// Some("web-cert"))`, `("release", Some("shop"))` for Helm.
    pub fn object(&self) -> (&str, Option<&str>) {
        match &self.manager {
            Manager::Helm { release, .. } => ("release", release.as_deref()),
            Manager::HelmRecord { release, .. } => ("release", Some(release)),
            Manager::CertManager { certificate, .. } | Manager::CertManagerNextKey { certificate } => {
                ("Certificate", certificate.as_deref())
            }
            Manager::ExternalSecrets { external_secret, .. } => ("ExternalSecret", external_secret.as_deref()),
            Manager::SealedSecrets { sealed_secret } => ("SealedSecret", Some(sealed_secret)),
            Manager::ArgoCdConfig { secret_type } => ("secret-type", Some(secret_type)),
            Manager::ArgoCdApp { application } => ("Application", Some(application)),
            Manager::TokenController { service_account } => ("ServiceAccount", service_account.as_deref()),
            Manager::OwnedBy { kind, name, .. } => (kind, Some(name)),
        }
    }
}

/// The short names of the owners, each once, in order.
pub fn shorts(owners: &[Owner]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for o in owners {
        let s = o.short();
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}
