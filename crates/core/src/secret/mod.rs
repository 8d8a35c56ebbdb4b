//! Secrets as keyhole sees them: the decoded model, the codec between base64 `data` and bytes,
//! the typed views of the built-in Secret types, and exports for copying (YAML, env file).

pub mod codec;
pub mod export;
pub mod last_applied;
pub mod model;
pub mod rotate;
pub mod templates;
pub mod views;
pub mod wipe;

pub use codec::{CodecError, ValueKind, classify, decode_value, encode_value, hex_dump};
pub use model::{DecodeError, Secret, SecretValue};

/// The built-in Secret types, as the API server spells them.
pub mod types {
    pub const OPAQUE: &str = "Opaque";
    pub const SERVICE_ACCOUNT_TOKEN: &str = "kubernetes.io/service-account-token";
    pub const DOCKERCFG: &str = "kubernetes.io/dockercfg";
    pub const DOCKER_CONFIG_JSON: &str = "kubernetes.io/dockerconfigjson";
    pub const BASIC_AUTH: &str = "kubernetes.io/basic-auth";
    pub const SSH_AUTH: &str = "kubernetes.io/ssh-auth";
    pub const TLS: &str = "kubernetes.io/tls";
    pub const BOOTSTRAP_TOKEN: &str = "bootstrap.kubernetes.io/token";
    pub const HELM_RELEASE: &str = "helm.sh/release.v1";
}
