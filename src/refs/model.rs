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
    /// The pod templates of workloads (`spec.template.spec`; a CronJob's
    /// `spec.jobTemplate.spec.template.spec`). ReplicaSets count only when no Deployment owns
    /// them, Jobs only when no CronJob does: otherwise the owner's template is the consumer.
    Deployment,
    StatefulSet,
    DaemonSet,
    ReplicaSet,
    Job,
    CronJob,
    ServiceAccount,
    Ingress,
    /// Gateway API (`gateway.networking.k8s.io`) Gateways: listener certificates.
    Gateway,
    /// Cluster-scoped: the namespace of their [`ConsumerId`] is empty and each reference names
    /// the Secret's namespace.
    PersistentVolume,
    StorageClass,
    /// A legacy service-account token Secret: its annotation
    /// `kubernetes.io/service-account.name` binds it to a ServiceAccount, which is the consumer
    /// shown. The id names the Secret itself.
    ServiceAccountToken,
}

impl ConsumerKind {
    /// Every kind, in display order.
    pub const ALL: [ConsumerKind; 13] = [
        ConsumerKind::Pod,
        ConsumerKind::Deployment,
        ConsumerKind::StatefulSet,
        ConsumerKind::DaemonSet,
        ConsumerKind::ReplicaSet,
        ConsumerKind::Job,
        ConsumerKind::CronJob,
        ConsumerKind::ServiceAccount,
        ConsumerKind::Ingress,
        ConsumerKind::Gateway,
        ConsumerKind::PersistentVolume,
        ConsumerKind::StorageClass,
        ConsumerKind::ServiceAccountToken,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ConsumerKind::Pod => "Pod",
            ConsumerKind::Deployment => "Deployment",
            ConsumerKind::StatefulSet => "StatefulSet",
            ConsumerKind::DaemonSet => "DaemonSet",
            ConsumerKind::ReplicaSet => "ReplicaSet",
            ConsumerKind::Job => "Job",
            ConsumerKind::CronJob => "CronJob",
            ConsumerKind::ServiceAccount | ConsumerKind::ServiceAccountToken => "ServiceAccount",
            ConsumerKind::Ingress => "Ingress",
            ConsumerKind::Gateway => "Gateway",
            ConsumerKind::PersistentVolume => "PersistentVolume",
            ConsumerKind::StorageClass => "StorageClass",
        }
    }

    /// The kind in the plural, as a sentence says it ("cannot list CronJobs").
    pub fn plural(self) -> &'static str {
        match self {
            ConsumerKind::Pod => "Pods",
            ConsumerKind::Deployment => "Deployments",
            ConsumerKind::StatefulSet => "StatefulSets",
            ConsumerKind::DaemonSet => "DaemonSets",
            ConsumerKind::ReplicaSet => "ReplicaSets",
            ConsumerKind::Job => "Jobs",
            ConsumerKind::CronJob => "CronJobs",
            ConsumerKind::ServiceAccount => "ServiceAccounts",
            ConsumerKind::Ingress => "Ingresses",
            ConsumerKind::Gateway => "Gateways",
            ConsumerKind::PersistentVolume => "PersistentVolumes",
            ConsumerKind::StorageClass => "StorageClasses",
            ConsumerKind::ServiceAccountToken => "service-account token Secrets",
        }
    }

    /// A workload's pod template.
    pub fn is_template(self) -> bool {
        matches!(
            self,
            ConsumerKind::Deployment
                | ConsumerKind::StatefulSet
                | ConsumerKind::DaemonSet
                | ConsumerKind::ReplicaSet
                | ConsumerKind::Job
                | ConsumerKind::CronJob
        )
    }

    /// Cluster-scoped kinds: they may name a Secret in any namespace.
    pub fn is_cluster_scoped(self) -> bool {
        matches!(self, ConsumerKind::PersistentVolume | ConsumerKind::StorageClass)
    }

    /// Whether a Pod or a template: its references run in containers.
    pub fn runs_pods(self) -> bool {
        self == ConsumerKind::Pod || self.is_template()
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

/// The object that references a Secret. A namespaced consumer's Secrets are in its own
/// namespace, except where a reference names another (Gateway certificate references); a
/// cluster-scoped consumer's references always name the namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consumer {
    pub id: ConsumerId,
    /// For Pods: the workload that owns the Pod (a bare Pod is its own workload). For pod
    /// templates: the workload itself, so that a workload's Pods and its template are one
    /// consumer. `None` for the other kinds.
    pub workload: Option<Workload>,
    /// For Pods: the controller ownerReference and the `pod-template-hash` label, kept so that
    /// the workload can be resolved again when ReplicaSets or Jobs become known.
    pub controller: Option<Owner>,
    pub pod_template_hash: Option<Name>,
    /// For Pods: `status.phase`, when the Pod has one.
    pub phase: Option<PodPhase>,
    /// For pod templates: what the workload says about its Pods (replicas, schedule); for
    /// PersistentVolumes, the claim.
    pub state: Option<Box<ConsumerState>>,
    /// For Pods and pod templates: the service account the Pods run as.
    pub service_account: Option<Name>,
}

/// What a workload says about the Pods it makes, for "no Pod now" (the Pods themselves are
/// counted from the Pod watch); for PersistentVolumes, their claim.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ConsumerState {
    /// Deployments, StatefulSets, ReplicaSets: `spec.replicas` (1 when unset).
    Replicas { desired: i32 },
    /// DaemonSets: `status.desiredNumberScheduled`, the nodes that should run a Pod (`None`
    /// before the controller has counted).
    Daemon { desired_scheduled: Option<i32> },
    /// Jobs: `spec.suspend`, `status.active`, and whether it has finished.
    Job { suspended: bool, active: i32, finished: Option<JobEnd> },
    /// CronJobs: the schedule as written (`spec.schedule`), `spec.timeZone`, `spec.suspend`,
    /// the number of Jobs running (`status.active`) and `status.lastScheduleTime`.
    CronJob {
        schedule: Name,
        time_zone: Option<Name>,
        suspended: bool,
        active: usize,
        last_schedule: Option<jiff::Timestamp>,
    },
    /// PersistentVolumes: the claim bound to it (`spec.claimRef`, as `namespace/name`).
    Volume { claim: Option<Name> },
}

/// How a Job ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobEnd {
    Complete,
    Failed,
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
    /// The Secret's name, in the consumer's namespace unless the usage names another
    /// ([`Reference::secret_namespace`]).
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
    /// Gateway `spec.listeners[].tls.certificateRefs[]` (kind Secret, group ""), in
    /// `namespace`: another namespace than the Gateway's needs a ReferenceGrant there.
    GatewayTls { listener: Name, namespace: Name },
    /// A PersistentVolume's Secret for one volume operation, in `namespace`: a CSI
    /// `*SecretRef`, the provisioner's deletion Secret (annotations), or an in-tree plugin's
    /// `secretRef`. `driver` is the CSI driver (empty for in-tree plugins).
    PersistentVolume { secret: VolumeSecret, driver: Name, namespace: Name },
    /// A StorageClass's `csi.storage.k8s.io/*-secret-name` and `-namespace` parameters, both
    /// literal (templates are not references: see [`super::SecretTemplate`]).
    StorageClass { op: CsiOp, provisioner: Name, namespace: Name, deprecated: bool },
    /// A StorageClass pair with a template in its name or namespace (the reference's `secret`
    /// is the name as written, `${pvc.name}-creds`, say): which Secret it names depends on
    /// each claim, so the index keeps it apart and never counts it as a use of a Secret.
    StorageClassTemplate { op: CsiOp, provisioner: Name, namespace: Name },
    /// A legacy token Secret bound to the ServiceAccount `account` by its annotation.
    ServiceAccountToken { account: Name },
}

/// The volume operation a CSI Secret is handed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CsiOp {
    /// CreateVolume and DeleteVolume (the external-provisioner).
    Provisioner,
    /// ControllerPublishVolume: attaching.
    ControllerPublish,
    /// NodeStageVolume: the kubelet's mount on the node.
    NodeStage,
    /// NodePublishVolume: the kubelet's mount into the Pod.
    NodePublish,
    /// ControllerExpandVolume (the external-resizer).
    ControllerExpand,
    /// NodeExpandVolume.
    NodeExpand,
    /// ControllerModifyVolume.
    ControllerModify,
    /// `csi.storage.k8s.io/secret-name`: every operation without a Secret of its own.
    Any,
}

impl CsiOp {
    /// The StorageClass parameter prefix: `csi.storage.k8s.io/<prefix>-secret-name`.
    pub fn parameter(self) -> &'static str {
        match self {
            CsiOp::Provisioner => "provisioner",
            CsiOp::ControllerPublish => "controller-publish",
            CsiOp::NodeStage => "node-stage",
            CsiOp::NodePublish => "node-publish",
            CsiOp::ControllerExpand => "controller-expand",
            CsiOp::NodeExpand => "node-expand",
            CsiOp::ControllerModify => "controller-modify",
            CsiOp::Any => "",
        }
    }

    /// The PersistentVolume field that carries it (`spec.csi.<field>`), where there is one.
    pub fn pv_field(self) -> Option<&'static str> {
        Some(match self {
            CsiOp::ControllerPublish => "controllerPublishSecretRef",
            CsiOp::NodeStage => "nodeStageSecretRef",
            CsiOp::NodePublish => "nodePublishSecretRef",
            CsiOp::ControllerExpand => "controllerExpandSecretRef",
            CsiOp::NodeExpand => "nodeExpandSecretRef",
            CsiOp::Provisioner | CsiOp::ControllerModify | CsiOp::Any => return None,
        })
    }

    /// What the operation does, for sentences.
    pub fn doing(self) -> &'static str {
        match self {
            CsiOp::Provisioner => "provisioning and deleting volumes",
            CsiOp::ControllerPublish => "attaching",
            CsiOp::NodeStage => "staging (mounting on the node)",
            CsiOp::NodePublish => "mounting into Pods",
            CsiOp::ControllerExpand => "expanding",
            CsiOp::NodeExpand => "expanding on the node",
            CsiOp::ControllerModify => "modifying",
            CsiOp::Any => "every operation without a Secret of its own",
        }
    }

    /// Whether a Pod using the volume cannot start without it.
    pub fn blocks_mount(self) -> bool {
        matches!(self, CsiOp::NodeStage | CsiOp::NodePublish | CsiOp::ControllerPublish | CsiOp::Any)
    }
}

/// Which Secret of a PersistentVolume.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VolumeSecret {
    /// `spec.csi.<op>SecretRef`, or the provisioner's deletion Secret named by the annotations
    /// `volume.kubernetes.io/provisioner-deletion-secret-name` and `-namespace`.
    Csi(CsiOp),
    /// An in-tree plugin's `secretRef` (`azureFile.secretName`).
    Plugin(VolumePlugin),
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
            Usage::ServiceAccountSecret | Usage::ServiceAccountToken { .. } => Keys::None,
            Usage::IngressTls { .. } | Usage::GatewayTls { .. } => Keys::Listed(TLS_KEYS.to_vec()),
            Usage::PersistentVolume { .. } | Usage::StorageClass { .. } | Usage::StorageClassTemplate { .. } => {
                Keys::DriverDefined
            }
        }
    }

    /// The Secret's namespace, where the usage names one (Gateways, PersistentVolumes,
    /// StorageClasses); otherwise the Secret is in the consumer's namespace.
    pub fn namespace(&self) -> Option<&Name> {
        match self {
            Usage::GatewayTls { namespace, .. }
            | Usage::PersistentVolume { namespace, .. }
            | Usage::StorageClass { namespace, .. }
            | Usage::StorageClassTemplate { namespace, .. } => Some(namespace),
            _ => None,
        }
    }
}

impl Usage {
    /// A template, not a reference to one Secret.
    pub fn is_template(&self) -> bool {
        matches!(self, Usage::StorageClassTemplate { .. })
    }
}

impl Reference {
    /// Which keys this reference reads.
    pub fn keys(&self) -> Keys<'_> {
        self.usage.keys()
    }

    /// The Secret's namespace.
    pub fn namespace(&self) -> &str {
        self.secret_namespace()
    }

    /// The Secret's namespace: the one the usage names, else the consumer's.
    pub fn secret_namespace(&self) -> &str {
        match self.usage.namespace() {
            Some(ns) => ns,
            None => &self.consumer.id.namespace,
        }
    }

    /// A Gateway's reference to a Secret in another namespace: valid only where a
    /// ReferenceGrant in the Secret's namespace allows it.
    pub fn needs_grant(&self) -> bool {
        matches!(&self.usage, Usage::GatewayTls { namespace, .. } if **namespace != *self.consumer.id.namespace)
    }
}

impl Consumer {
    /// A consumer that is not a Pod nor a template: no workload.
    pub fn other(id: ConsumerId) -> Self {
        Consumer {
            id,
            workload: None,
            controller: None,
            pod_template_hash: None,
            phase: None,
            state: None,
            service_account: None,
        }
    }
}
