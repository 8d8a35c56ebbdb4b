//! The records: one [`Reference`] per way a consumer names a Secret.
//!
//! Records are kept for every Pod of a cluster (20,000 and more), so they hold names only, as
//! shared `Arc<str>`: one Pod's references share one [`Consumer`], one container's references
//! share its name, and the index shares each Secret name between all its references.

use std::sync::Arc;

use super::workload::{Owner, Workload};

/// A shared, immutable name.
pub type Name = Arc<str>;

/// What kind of object holds a reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConsumerKind {
    Pod,
    ServiceAccount,
    Ingress,
}

impl ConsumerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ConsumerKind::Pod => "Pod",
            ConsumerKind::ServiceAccount => "ServiceAccount",
            ConsumerKind::Ingress => "Ingress",
        }
    }

    /// The kind in the plural, as a sentence names them.
    pub fn plural(self) -> &'static str {
        match self {
            ConsumerKind::Pod => "Pods",
            ConsumerKind::ServiceAccount => "ServiceAccounts",
            ConsumerKind::Ingress => "Ingresses",
        }
    }
}

/// Identifies a consumer; watch events for it replace all its references.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConsumerId {
    pub kind: ConsumerKind,
    pub namespace: Name,
    pub name: Name,
}

impl ConsumerId {
    pub fn new(kind: ConsumerKind, namespace: &str, name: &str) -> Self {
        ConsumerId { kind, namespace: namespace.into(), name: name.into() }
    }
}

/// The object that references a Secret. Secrets are always in the consumer's namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consumer {
    pub id: ConsumerId,
    /// For Pods: the workload that owns the Pod (a bare Pod is its own workload).
    /// `None` for ServiceAccounts and Ingresses.
    pub workload: Option<Workload>,
    /// For Pods: the controller ownerReference and the `pod-template-hash` label, kept so that
    /// the workload can be resolved again when ReplicaSets or Jobs become known.
    pub controller: Option<Owner>,
    pub pod_template_hash: Option<Name>,
    /// For Pods: `status.phase`, when the Pod has one.
    pub phase: Option<PodPhase>,
}

/// A Pod's `status.phase`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PodPhase {
    Pending,
    Running,
    Succeeded,
    Failed,
    Unknown,
}

impl PodPhase {
    pub fn parse(phase: &str) -> Option<Self> {
        Some(match phase {
            "Pending" => PodPhase::Pending,
            "Running" => PodPhase::Running,
            "Succeeded" => PodPhase::Succeeded,
            "Failed" => PodPhase::Failed,
            "Unknown" => PodPhase::Unknown,
            _ => return None,
        })
    }

    /// Succeeded or Failed: its containers no longer run and read nothing.
    pub fn is_terminated(self) -> bool {
        matches!(self, PodPhase::Succeeded | PodPhase::Failed)
    }
}

/// One reference from a consumer to a Secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub consumer: Arc<Consumer>,
    /// The Secret's name, in the consumer's namespace.
    pub secret: Name,
    pub usage: Usage,
    /// `optional: true` on the reference: a missing Secret or key is skipped instead of failing.
    pub optional: bool,
}

/// Which list of a Pod a container is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ContainerKind {
    Init,
    Regular,
    Ephemeral,
}

/// A container of the consumer Pod.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContainerRef {
    pub kind: ContainerKind,
    pub name: Name,
}

/// A container's mount of the volume that carries the Secret.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mount {
    pub container: ContainerRef,
    pub path: Name,
    pub read_only: bool,
    /// `subPath` or `subPathExpr` (the latter marked by `sub_path_expr`): such a mount never
    /// receives updates.
    pub sub_path: Option<Name>,
    pub sub_path_expr: bool,
}

/// One `items[]` entry of a secret volume or projection: key → relative path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Item {
    pub key: Name,
    pub path: Name,
    pub mode: Option<i32>,
}

/// A `secret` volume, or one `secret` source of a `projected` volume.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VolumeUse {
    pub volume: Name,
    pub mounts: Box<[Mount]>,
    /// Empty: every key becomes a file named after the key.
    pub items: Box<[Item]>,
    /// `defaultMode` of the secret volume (or of the projected volume).
    pub default_mode: Option<i32>,
}

/// In-tree volume plugins that take a Secret for their credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VolumePlugin {
    AzureFile,
    CephFs,
    Cinder,
    FlexVolume,
    Rbd,
    ScaleIo,
    Iscsi,
    StorageOs,
}

impl VolumePlugin {
    /// The field name in the Pod spec.
    pub fn as_str(self) -> &'static str {
        match self {
            VolumePlugin::AzureFile => "azureFile",
            VolumePlugin::CephFs => "cephfs",
            VolumePlugin::Cinder => "cinder",
            VolumePlugin::FlexVolume => "flexVolume",
            VolumePlugin::Rbd => "rbd",
            VolumePlugin::ScaleIo => "scaleIO",
            VolumePlugin::Iscsi => "iscsi",
            VolumePlugin::StorageOs => "storageos",
        }
    }
}

/// How a consumer uses the Secret.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Usage {
    /// `spec.volumes[].secret`.
    Volume(Box<VolumeUse>),
    /// `spec.volumes[].projected.sources[].secret`.
    Projected(Box<VolumeUse>),
    /// `env[].valueFrom.secretKeyRef`: one variable from one key.
    Env { container: ContainerRef, var: Name, key: Name },
    /// `envFrom[].secretRef`: every key whose (prefixed) name is a valid variable name.
    EnvFrom { container: ContainerRef, prefix: Option<Name> },
    /// `spec.imagePullSecrets[]`.
    ImagePullSecret,
    /// `spec.volumes[].csi.nodePublishSecretRef`.
    Csi { volume: Name, driver: Name, mounts: Box<[Mount]> },
    /// `azureFile.secretName` or `<plugin>.secretRef` of an in-tree volume plugin.
    Plugin { plugin: VolumePlugin, volume: Name, mounts: Box<[Mount]> },
    /// ServiceAccount `secrets[]`: Secrets that Pods using the account are allowed to use.
    ServiceAccountSecret,
    /// ServiceAccount `imagePullSecrets[]`: copied into Pods that have none when they are created.
    ServiceAccountImagePullSecret,
    /// Ingress `spec.tls[].secretName`.
    IngressTls { hosts: Box<[Name]> },
}

/// Which keys of the Secret a reference reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keys<'a> {
    /// Every key (a volume without `items`, `envFrom`).
    All,
    /// These keys only.
    Listed(Vec<&'a str>),
    /// The docker config key that matches the Secret's type: `.dockerconfigjson` or `.dockercfg`.
    DockerConfig,
    /// Whatever the CSI driver or volume plugin reads.
    DriverDefined,
    /// None directly (ServiceAccount `secrets[]`).
    None,
}

/// Ingress controllers read these keys of a TLS Secret.
pub const TLS_KEYS: [&str; 2] = ["tls.crt", "tls.key"];
/// The kubelet reads one of these from an image pull Secret, by the Secret's type.
pub const DOCKER_CONFIG_KEYS: [&str; 2] = [".dockerconfigjson", ".dockercfg"];

impl<'a> Keys<'a> {
    /// Whether the reference reads `key`: certainly (`Some(true)`), not (`Some(false)`), or
    /// unknown because a driver decides (`None`).
    pub fn reads(&self, key: &str) -> Option<bool> {
        match self {
            Keys::All => Some(true),
            Keys::Listed(keys) => Some(keys.contains(&key)),
            Keys::DockerConfig => Some(DOCKER_CONFIG_KEYS.contains(&key)),
            Keys::DriverDefined => None,
            Keys::None => Some(false),
        }
    }
}

impl Usage {
    /// The containers' mounts, for the volume kinds.
    pub fn mounts(&self) -> &[Mount] {
        match self {
            Usage::Volume(v) | Usage::Projected(v) => &v.mounts,
            Usage::Csi { mounts, .. } | Usage::Plugin { mounts, .. } => mounts,
            _ => &[],
        }
    }

    /// The Pod volume's name, for the volume kinds.
    pub fn volume(&self) -> Option<&str> {
        match self {
            Usage::Volume(v) | Usage::Projected(v) => Some(&v.volume),
            Usage::Csi { volume, .. } | Usage::Plugin { volume, .. } => Some(volume),
            _ => None,
        }
    }

    /// The container, for env and envFrom.
    pub fn container(&self) -> Option<&ContainerRef> {
        match self {
            Usage::Env { container, .. } | Usage::EnvFrom { container, .. } => Some(container),
            _ => None,
        }
    }

    /// Which keys this usage reads.
    pub fn keys(&self) -> Keys<'_> {
        match self {
            Usage::Volume(v) | Usage::Projected(v) if v.items.is_empty() => Keys::All,
            Usage::Volume(v) | Usage::Projected(v) => Keys::Listed(v.items.iter().map(|i| &*i.key).collect()),
            Usage::Env { key, .. } => Keys::Listed(vec![key]),
            Usage::EnvFrom { .. } => Keys::All,
            Usage::ImagePullSecret | Usage::ServiceAccountImagePullSecret => Keys::DockerConfig,
            Usage::Csi { .. } | Usage::Plugin { .. } => Keys::DriverDefined,
            Usage::ServiceAccountSecret => Keys::None,
            Usage::IngressTls { .. } => Keys::Listed(TLS_KEYS.to_vec()),
        }
    }
}

impl Reference {
    /// Which keys this reference reads.
    pub fn keys(&self) -> Keys<'_> {
        self.usage.keys()
    }

    pub fn namespace(&self) -> &str {
        &self.consumer.id.namespace
    }
}

impl Consumer {
    /// A consumer that is not a Pod: no workload.
    pub fn other(id: ConsumerId) -> Self {
        Consumer { id, workload: None, controller: None, pod_template_hash: None, phase: None }
    }
}
