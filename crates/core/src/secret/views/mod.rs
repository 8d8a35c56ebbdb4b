//! Typed views of the built-in Secret types: structured facts the UI and the validator use.
//!
//! [`view`] picks the view for a Secret's type. Views hold facts about values (certificate
//! names and dates, key types, fingerprints, lengths), never the secret material itself, and
//! carry what they found wrong as data: no input makes them fail or panic.

pub mod basic;
pub mod bootstrap;
pub mod cert;
pub mod chain;
pub mod docker;
pub mod helm;
pub mod keys;
pub mod pem;
pub mod satoken;
pub mod ssh;
pub mod tls;

#[cfg(test)]
mod tests;

use crate::secret::{Secret, types};
use crate::validate::Warning;

pub use basic::BasicAuthView;
pub use bootstrap::BootstrapTokenView;
pub use cert::{CertBundle, CertInfo};
pub use chain::CaMatch;
pub use docker::{DockerView, Registry};
pub use helm::HelmReleaseView;
pub use keys::{KeyAlgorithm, KeyFormat};
pub use satoken::{JwtInfo, KubernetesClaims, ServiceAccountTokenView};
pub use ssh::{SshKeyInfo, SshView};
pub use tls::{KeyInfo, KeyMatch, TlsView, go_x509_key_pair_error};

/// The typed view of one Secret, by type.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum TypedView {
    Tls(TlsView),
    /// `kubernetes.io/dockerconfigjson` and `kubernetes.io/dockercfg` (see `DockerView::key`).
    Docker(DockerView),
    BasicAuth(BasicAuthView),
    Ssh(SshView),
    BootstrapToken(Box<BootstrapTokenView>),
    ServiceAccountToken(Box<ServiceAccountTokenView>),
    HelmRelease(Box<HelmReleaseView>),
}

impl TypedView {
    /// What the view found wrong, for people.
    pub fn problems(&self) -> Vec<String> {
        match self {
            TypedView::Tls(v) => {
                let mut out = Vec::new();
                for (key, bundle) in [(tls::CERT_KEY, &v.certificates), (tls::CA_KEY, &v.ca)] {
                    if let Some(b) = bundle {
                        out.extend(b.problems.iter().map(|p| format!("{key}: {p}")));
                    }
                }
                out.extend(v.problems.iter().cloned());
                out
            }
            TypedView::Docker(v) => {
                let mut out = v.problems.clone();
                for r in &v.registries {
                    out.extend(r.problems.iter().map(|p| format!("{}: {p}", r.server)));
                }
                out
            }
            TypedView::BasicAuth(v) => v.problems.clone(),
            TypedView::Ssh(v) => v.problems.clone(),
            TypedView::BootstrapToken(v) => v.problems.clone(),
            TypedView::ServiceAccountToken(v) => v.problems.clone(),
            TypedView::HelmRelease(v) => v.problems.clone(),
        }
    }
}

/// The typed view for a Secret's type, or `None` for Opaque and custom types.
pub fn view(secret: &Secret, now: jiff::Timestamp) -> Option<TypedView> {
    Some(match secret.effective_type() {
        types::TLS => TypedView::Tls(tls::view(secret, now)),
        types::DOCKER_CONFIG_JSON => TypedView::Docker(docker::view(secret, false)),
        types::DOCKERCFG => TypedView::Docker(docker::view(secret, true)),
        types::BASIC_AUTH => TypedView::BasicAuth(basic::view(secret)),
        types::SSH_AUTH => TypedView::Ssh(ssh::view(secret)),
        types::BOOTSTRAP_TOKEN => TypedView::BootstrapToken(Box::new(bootstrap::view(secret, now))),
        types::SERVICE_ACCOUNT_TOKEN => TypedView::ServiceAccountToken(Box::new(satoken::view(secret, now))),
        types::HELM_RELEASE => TypedView::HelmRelease(Box::new(helm::view(secret))),
        _ => return None,
    })
}

/// Warnings about a Secret's contents that the API server does not give: certificate/key
/// mismatch and validity, docker `auth` disagreeing with username/password, bootstrap token
/// format, name and expiry. Messages say what is wrong and what to do, never a secret value.
pub fn content_warnings(secret: &Secret, now: jiff::Timestamp) -> Vec<Warning> {
    match secret.effective_type() {
        types::TLS => tls::warnings(&tls::view(secret, now), now),
        types::DOCKER_CONFIG_JSON => docker::warnings(&docker::view(secret, false)),
        types::DOCKERCFG => docker::warnings(&docker::view(secret, true)),
        types::BOOTSTRAP_TOKEN => bootstrap::warnings(&bootstrap::view(secret, now), secret.name()),
        _ => Vec::new(),
    }
}
