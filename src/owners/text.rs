//! What an owner does to a Secret, in words: who it is, what becomes of an edit, what a delete
//! does. The behaviour is each controller's, as /work/shared/reference/secret-references.md §4
//! reads it in their sources (docs/owners.md repeats it for users).

use super::{Manager, Owner};

fn named(kind: &str, name: Option<&str>) -> String {
    match name {
        Some(n) => format!("{kind} {n}"),
        None => kind.to_string(),
    }
}

/// What an Argo CD configuration Secret is to Argo CD.
fn argo_config(secret_type: &str) -> String {
    match secret_type {
        "repository" => "a repository's credentials".into(),
        "repo-creds" => "credentials for the repositories under a URL".into(),
        "repository-write" => "a repository's write credentials".into(),
        "repo-write-creds" => "write credentials for the repositories under a URL".into(),
        "cluster" => "a cluster's credentials".into(),
        "scm-creds" => "SCM provider credentials".into(),
        other => format!("its {other} configuration"),
    }
}

impl Owner {
    /// Who manages it: "cert-manager Certificate web-cert", "Helm release shop".
    pub fn who(&self) -> String {
        match &self.manager {
            Manager::Helm { release: Some(r), namespace } => match namespace {
                Some(ns) => format!("Helm release {r} (namespace {ns})"),
                None => format!("Helm release {r}"),
            },
            Manager::Helm { release: None, .. } => "a Helm chart".into(),
            Manager::HelmRecord { release, revision, .. } => match revision {
                Some(v) => format!("Helm (release {release}, revision {v})"),
                None => format!("Helm (release {release})"),
            },
            Manager::CertManager { certificate, .. } => {
                format!("cert-manager {}", named("Certificate", certificate.as_deref()))
            }
            Manager::CertManagerNextKey { certificate } => {
                format!("cert-manager {}", named("Certificate", certificate.as_deref()))
            }
            Manager::ExternalSecrets { external_secret: Some(e), .. } => format!("ExternalSecret {e}"),
            Manager::ExternalSecrets { external_secret: None, .. } => "External Secrets Operator".into(),
            Manager::SealedSecrets { sealed_secret } => format!("SealedSecret {sealed_secret}"),
            Manager::ArgoCdConfig { .. } => "Argo CD".into(),
            Manager::ArgoCdApp { application } => format!("Argo CD Application {application}"),
            Manager::TokenController { service_account } => match service_account {
                Some(sa) => format!("the token controller (ServiceAccount {sa})"),
                None => "the token controller".into(),
            },
            Manager::OwnedBy { kind, name, .. } => format!("{kind} {name}"),
        }
    }

    /// One sentence: who, and what becomes of an edit. "cert-manager Certificate web-cert
    /// re-issues it: your edit will be replaced".
    pub fn summary(&self) -> String {
        let who = self.who();
        match &self.manager {
            Manager::Helm { release: Some(_), .. } => {
                format!("{who} deployed it: the next helm upgrade or rollback puts the chart's version back")
            }
            Manager::Helm { release: None, .. } => format!(
                "{who} deployed it (label managed-by=Helm, no release named): a helm upgrade may put the chart's version back"
            ),
            Manager::HelmRecord { release, revision, status } => {
                let rev = revision.as_deref().map(|v| format!(", revision {v}")).unwrap_or_default();
                let status = status.as_deref().map(|s| format!(" ({s})")).unwrap_or_default();
                format!(
                    "Helm's record of release {release}{rev}{status}: helm reads it to upgrade, roll back and uninstall; an edit can break the release"
                )
            }
            Manager::CertManager { certificate: Some(_), .. } => {
                format!("{who} re-issues it: your edit will be replaced")
            }
            Manager::CertManager { certificate: None, .. } => {
                format!("{who} (no Certificate named) writes it: your edit will be replaced")
            }
            Manager::CertManagerNextKey { .. } => {
                format!(
                    "{who} keeps its next private key here: cert-manager uses it at the next issuance and then deletes it"
                )
            }
            Manager::ExternalSecrets { policy: Some(p), .. } if p == "Orphan" => format!(
                "{who} writes it from its secret store (creationPolicy Orphan): your edit stays until its next refresh"
            ),
            Manager::ExternalSecrets { policy: Some(p), .. } if p == "Merge" || p == "CreateOrMerge" => {
                format!("{who} merges its keys into it (creationPolicy {p}): your edits of those keys will be replaced")
            }
            Manager::ExternalSecrets { external_secret: Some(_), .. } => {
                format!("{who} writes it from its secret store: your edit will be replaced")
            }
            Manager::ExternalSecrets { external_secret: None, .. } => {
                format!("{who} writes it (no ExternalSecret named): your edit will be replaced")
            }
            Manager::SealedSecrets { .. } => format!(
                "{who} unseals into it: your edit will be replaced when the SealedSecret changes or its controller restarts"
            ),
            Manager::ArgoCdConfig { secret_type } => format!(
                "Argo CD reads it as {}: an edit changes what Argo CD uses (Argo CD does not put it back)",
                argo_config(secret_type)
            ),
            Manager::ArgoCdApp { .. } => {
                format!("{who} deploys it: the next sync replaces your edit (at once with self-heal)")
            }
            Manager::TokenController { .. } => {
                format!("{who} fills it: it rewrites ca.crt, and a token that is emptied or removed")
            }
            Manager::OwnedBy { controller: true, .. } => {
                format!("{who} controls it: its controller may replace your edit")
            }
            Manager::OwnedBy { controller: false, .. } => {
                format!("owned by {who}: deleted with it (garbage collection); nothing reconciles it")
            }
        }
    }

    /// What deleting the Secret does, as far as this owner is concerned: a clause that follows
    /// [`Owner::who`] ("cert-manager Certificate web-cert: it issues a new certificate ...").
    pub fn on_delete(&self) -> String {
        match &self.manager {
            Manager::Helm { release: Some(_), .. } => {
                "the release misses it until the next helm upgrade creates it again".into()
            }
            Manager::Helm { release: None, .. } => "the next helm upgrade of its chart may create it again".into(),
            Manager::HelmRecord { revision, .. } => format!(
                "Helm forgets {}: no rollback to it; if it is the latest, helm sees the release as it was before",
                revision.as_deref().map_or_else(|| "this revision".to_string(), |v| format!("revision {v}"))
            ),
            Manager::CertManager { .. } => {
                "it issues a new certificate and private key into a Secret of this name".into()
            }
            Manager::CertManagerNextKey { .. } => "it makes a new private key at the next issuance".into(),
            Manager::ExternalSecrets { policy: Some(p), .. } if p == "Merge" => {
                "it does not create it again (creationPolicy Merge): the ExternalSecret fails until the Secret exists"
                    .into()
            }
            Manager::ExternalSecrets { .. } => "it creates it again at its next refresh".into(),
            Manager::SealedSecrets { .. } => "its controller unseals it again at once".into(),
            Manager::ArgoCdConfig { secret_type } => format!("Argo CD loses {}", argo_config(secret_type)),
            Manager::ArgoCdApp { .. } => "the Application shows OutOfSync; its next sync creates it again".into(),
            Manager::TokenController { .. } => "tokens taken from it stop working at once".into(),
            Manager::OwnedBy { controller: true, .. } => "its controller may create it again".into(),
            Manager::OwnedBy { controller: false, .. } => {
                "nothing brings it back: the owner does not reconcile it".into()
            }
        }
    }
}
