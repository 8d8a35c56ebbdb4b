//! Projecting watched objects into [`Reference`] records, following `VisitPodSecretNames`
//! (reference §6.1): every path by which a Pod names a Secret, with empty names skipped and no
//! transitive references (Pod → PVC → PV → Secret is not followed).

use std::sync::Arc;

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{
    Container, EnvFromSource, EnvVar, EphemeralContainer, KeyToPath, PersistentVolume, Pod, PodSpec, PodTemplateSpec,
    SecretReference, ServiceAccount, VolumeMount,
};
use k8s_openapi::api::networking::v1::Ingress;
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::intern::Interner;
use super::model::{
    Consumer, ConsumerId, ConsumerKind, ConsumerState, ContainerKind, ContainerRef, CsiOp, Item, JobEnd, Mount, Name,
    PodPhase, Reference, Usage, VolumePlugin, VolumeSecret, VolumeUse,
};
use super::workload::{Owner, POD_TEMPLATE_HASH, Resolution, Workload, WorkloadKind, WorkloadResolver};

/// The namespace of an object without one, as kubectl assumes.
const DEFAULT_NAMESPACE: &str = "default";

/// The identity of a Pod as the index keys it.
pub fn pod_id(pod: &Pod) -> ConsumerId {
    id(ConsumerKind::Pod, pod.metadata.namespace.as_deref(), pod.metadata.name.as_deref())
}

pub fn service_account_id(sa: &ServiceAccount) -> ConsumerId {
    id(ConsumerKind::ServiceAccount, sa.metadata.namespace.as_deref(), sa.metadata.name.as_deref())
}

pub fn ingress_id(ingress: &Ingress) -> ConsumerId {
    id(ConsumerKind::Ingress, ingress.metadata.namespace.as_deref(), ingress.metadata.name.as_deref())
}

fn id(kind: ConsumerKind, namespace: Option<&str>, name: Option<&str>) -> ConsumerId {
    ConsumerId::new(kind, namespace.unwrap_or(DEFAULT_NAMESPACE), name.unwrap_or(""))
}

/// A container of any of the three lists, seen through the fields that matter here.
struct ContainerView<'a> {
    container: ContainerRef,
    env: &'a [EnvVar],
    env_from: &'a [EnvFromSource],
    mounts: &'a [VolumeMount],
}

impl<'a> ContainerView<'a> {
    fn of(kind: ContainerKind, c: &'a Container, names: &mut Interner) -> Self {
        ContainerView {
            container: ContainerRef { kind, name: names.intern(&c.name) },
            env: c.env.as_deref().unwrap_or_default(),
            env_from: c.env_from.as_deref().unwrap_or_default(),
            mounts: c.volume_mounts.as_deref().unwrap_or_default(),
        }
    }

    fn ephemeral(c: &'a EphemeralContainer, names: &mut Interner) -> Self {
        ContainerView {
            container: ContainerRef { kind: ContainerKind::Ephemeral, name: names.intern(&c.name) },
            env: c.env.as_deref().unwrap_or_default(),
            env_from: c.env_from.as_deref().unwrap_or_default(),
            mounts: c.volume_mounts.as_deref().unwrap_or_default(),
        }
    }
}

/// The references of one consumer being collected.
struct Collector<'n> {
    consumer: Arc<Consumer>,
    names: &'n mut Interner,
    out: Vec<Reference>,
}

impl Collector<'_> {
    fn push(&mut self, secret: &str, usage: Usage, optional: bool) {
        if !secret.is_empty() {
            let secret = self.names.intern(secret);
            self.out.push(Reference { consumer: Arc::clone(&self.consumer), secret, usage, optional });
        }
    }
}

/// Every reference a Pod makes to a Secret, in the order of its spec: image pull secrets,
/// containers (init, regular, ephemeral: envFrom then env), then volumes.
pub fn from_pod(pod: &Pod, resolver: &WorkloadResolver) -> Vec<Reference> {
    from_pod_in(pod, resolver, &mut Interner::new())
}

/// [`from_pod`], sharing names through `names`.
pub fn from_pod_in(pod: &Pod, resolver: &WorkloadResolver, names: &mut Interner) -> Vec<Reference> {
    let Some(spec) = pod.spec.as_ref() else {
        return Vec::new();
    };
    let namespace = names.intern(pod.metadata.namespace.as_deref().unwrap_or(DEFAULT_NAMESPACE));
    let id = ConsumerId { kind: ConsumerKind::Pod, namespace, name: pod.metadata.name.as_deref().unwrap_or("").into() };
    let controller =
        pod.metadata.owner_references.iter().flatten().find(|r| r.controller == Some(true) && !r.name.is_empty());
    let controller = controller.map(|r| Owner { kind: names.intern(&r.kind), name: names.intern(&r.name) });
    let pod_template_hash =
        pod.metadata.labels.as_ref().and_then(|l| l.get(POD_TEMPLATE_HASH)).map(|h| names.intern(h));
    let workload =
        resolver.resolve_with(&id.namespace, &id.name, controller.as_ref(), pod_template_hash.as_deref(), &mut |s| {
            if s == &*id.name { Arc::clone(&id.name) } else { names.intern(s) }
        });
    let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref()).and_then(PodPhase::parse);
    let service_account = Some(names.intern(service_account_of(spec)));
    let consumer = Arc::new(Consumer {
        id,
        workload: Some(workload),
        controller,
        pod_template_hash,
        phase,
        state: None,
        service_account,
    });
    from_pod_spec(spec, consumer, names)
}

/// The service account a PodSpec runs as: `serviceAccountName`, else the deprecated
/// `serviceAccount`, else `default` (what the ServiceAccount admission plugin sets).
fn service_account_of(spec: &PodSpec) -> &str {
    [&spec.service_account_name, &spec.service_account]
        .into_iter()
        .find_map(|s| s.as_deref().filter(|s| !s.is_empty()))
        .unwrap_or("default")
}

/// Every reference of a PodSpec (a Pod's, or a workload's pod template), made by `consumer`.
pub(crate) fn from_pod_spec(spec: &PodSpec, consumer: Arc<Consumer>, names: &mut Interner) -> Vec<Reference> {
    let containers: Vec<ContainerView<'_>> = {
        let mut v = Vec::with_capacity(spec.containers.len());
        for c in spec.init_containers.iter().flatten() {
            v.push(ContainerView::of(ContainerKind::Init, c, names));
        }
        for c in &spec.containers {
            v.push(ContainerView::of(ContainerKind::Regular, c, names));
        }
        for c in spec.ephemeral_containers.iter().flatten() {
            v.push(ContainerView::ephemeral(c, names));
        }
        v
    };
    let mut out = Collector { consumer, names, out: Vec::with_capacity(8) };

    for s in spec.image_pull_secrets.iter().flatten() {
        out.push(&s.name, Usage::ImagePullSecret, false);
    }

    for c in &containers {
        for e in c.env_from {
            if let Some(s) = &e.secret_ref {
                let prefix = e.prefix.as_deref().filter(|p| !p.is_empty()).map(|p| out.names.intern(p));
                out.push(&s.name, Usage::EnvFrom { container: c.container.clone(), prefix }, s.optional == Some(true));
            }
        }
        for e in c.env {
            if let Some(s) = e.value_from.as_ref().and_then(|v| v.secret_key_ref.as_ref()) {
                let (var, key) = (out.names.intern(&e.name), out.names.intern(&s.key));
                out.push(&s.name, Usage::Env { container: c.container.clone(), var, key }, s.optional == Some(true));
            }
        }
    }

    let volumes = spec.volumes.as_deref().unwrap_or_default();
    if volumes.is_empty() {
        return out.out;
    }
    // Mounts sorted by volume name, so that each volume finds its own without a quadratic scan.
    let mut mounts: Vec<(&str, &ContainerRef, &VolumeMount)> =
        containers.iter().flat_map(|c| c.mounts.iter().map(move |m| (m.name.as_str(), &c.container, m))).collect();
    mounts.sort_by(|a, b| a.0.cmp(b.0));
    let mounts_of = |volume: &str, names: &mut Interner| -> Box<[Mount]> {
        let start = mounts.partition_point(|m| m.0 < volume);
        mounts[start..]
            .iter()
            .take_while(|m| m.0 == volume)
            .map(|(_, container, m)| {
                let (sub_path, sub_path_expr) = match (m.sub_path.as_deref(), m.sub_path_expr.as_deref()) {
                    (Some(p), _) if !p.is_empty() => (Some(names.intern(p)), false),
                    (_, Some(p)) if !p.is_empty() => (Some(names.intern(p)), true),
                    _ => (None, false),
                };
                Mount {
                    container: (*container).clone(),
                    path: names.intern(&m.mount_path),
                    read_only: m.read_only == Some(true),
                    sub_path,
                    sub_path_expr,
                }
            })
            .collect()
    };

    for v in volumes {
        let names = &mut *out.names;
        let volume = names.intern(&v.name);
        if let Some(s) = &v.secret {
            let usage = Usage::Volume(Box::new(VolumeUse {
                volume: Arc::clone(&volume),
                mounts: mounts_of(&v.name, names),
                items: items(s.items.as_deref(), names),
                default_mode: s.default_mode,
            }));
            out.push(s.secret_name.as_deref().unwrap_or(""), usage, s.optional == Some(true));
        }
        if let Some(p) = &v.projected {
            let sources = p.sources.iter().flatten().filter_map(|s| s.secret.as_ref()).filter(|s| !s.name.is_empty());
            let mut sources = sources.peekable();
            if sources.peek().is_some() {
                let volume_mounts = mounts_of(&v.name, out.names);
                for s in sources {
                    let usage = Usage::Projected(Box::new(VolumeUse {
                        volume: Arc::clone(&volume),
                        mounts: volume_mounts.clone(),
                        items: items(s.items.as_deref(), out.names),
                        default_mode: p.default_mode,
                    }));
                    out.push(&s.name, usage, s.optional == Some(true));
                }
            }
        }
        if let Some(csi) = &v.csi
            && let Some(s) = &csi.node_publish_secret_ref
        {
            let driver = out.names.intern(&csi.driver);
            let usage = Usage::Csi { volume: Arc::clone(&volume), driver, mounts: mounts_of(&v.name, out.names) };
            out.push(&s.name, usage, false);
        }
        let plugin_refs = [
            (VolumePlugin::AzureFile, v.azure_file.as_ref().map(|a| a.secret_name.as_str())),
            (VolumePlugin::CephFs, v.cephfs.as_ref().and_then(|c| c.secret_ref.as_ref()).map(|r| r.name.as_str())),
            (VolumePlugin::Cinder, v.cinder.as_ref().and_then(|c| c.secret_ref.as_ref()).map(|r| r.name.as_str())),
            (
                VolumePlugin::FlexVolume,
                v.flex_volume.as_ref().and_then(|c| c.secret_ref.as_ref()).map(|r| r.name.as_str()),
            ),
            (VolumePlugin::Rbd, v.rbd.as_ref().and_then(|c| c.secret_ref.as_ref()).map(|r| r.name.as_str())),
            (VolumePlugin::ScaleIo, v.scale_io.as_ref().map(|c| c.secret_ref.name.as_str())),
            (VolumePlugin::Iscsi, v.iscsi.as_ref().and_then(|c| c.secret_ref.as_ref()).map(|r| r.name.as_str())),
            (
                VolumePlugin::StorageOs,
                v.storageos.as_ref().and_then(|c| c.secret_ref.as_ref()).map(|r| r.name.as_str()),
            ),
        ];
        for (plugin, secret) in plugin_refs {
            if let Some(secret) = secret.filter(|s| !s.is_empty()) {
                let usage =
                    Usage::Plugin { plugin, volume: Arc::clone(&volume), mounts: mounts_of(&v.name, out.names) };
                out.push(secret, usage, false);
            }
        }
    }
    out.out
}

fn items(items: Option<&[KeyToPath]>, names: &mut Interner) -> Box<[Item]> {
    items
        .unwrap_or_default()
        .iter()
        .map(|i| Item { key: names.intern(&i.key), path: names.intern(&i.path), mode: i.mode })
        .collect()
}

/// A ServiceAccount's `secrets[]` and `imagePullSecrets[]`, in the account's namespace.
pub fn from_service_account(sa: &ServiceAccount) -> Vec<Reference> {
    let consumer = Arc::new(Consumer::other(service_account_id(sa)));
    let secrets =
        sa.secrets.iter().flatten().filter_map(|s| s.name.as_deref()).map(|n| (n, Usage::ServiceAccountSecret));
    let pulls = sa.image_pull_secrets.iter().flatten().map(|s| (s.name.as_str(), Usage::ServiceAccountImagePullSecret));
    secrets
        .chain(pulls)
        .filter(|(name, _)| !name.is_empty())
        .map(|(name, usage)| Reference { consumer: Arc::clone(&consumer), secret: name.into(), usage, optional: false })
        .collect()
}

/// An Ingress's `spec.tls[].secretName` with the hosts of each entry.
pub fn from_ingress(ingress: &Ingress) -> Vec<Reference> {
    let consumer = Arc::new(Consumer::other(ingress_id(ingress)));
    let tls = ingress.spec.as_ref().and_then(|s| s.tls.as_deref()).unwrap_or_default();
    tls.iter()
        .filter_map(|t| Some((t.secret_name.as_deref().filter(|n| !n.is_empty())?, t)))
        .map(|(name, t)| Reference {
            consumer: Arc::clone(&consumer),
            secret: name.into(),
            usage: Usage::IngressTls { hosts: t.hosts.iter().flatten().map(|h| Name::from(h.as_str())).collect() },
            optional: false,
        })
        .collect()
}

/// The identity of any consumer from its metadata; cluster-scoped kinds have no namespace.
pub fn consumer_id(kind: ConsumerKind, meta: &ObjectMeta) -> ConsumerId {
    if kind.is_cluster_scoped() {
        ConsumerId::new(kind, "", meta.name.as_deref().unwrap_or(""))
    } else {
        id(kind, meta.namespace.as_deref(), meta.name.as_deref())
    }
}

/// A workload's pod template as the index reads it.
#[derive(Debug)]
pub struct Template<'a> {
    pub kind: ConsumerKind,
    pub meta: &'a ObjectMeta,
    pub spec: Option<&'a PodSpec>,
    pub state: ConsumerState,
}

/// The kinds that hold a pod template.
pub trait HasTemplate {
    const KIND: ConsumerKind;
    fn template(&self) -> Template<'_>;
}

fn template_spec(t: Option<&PodTemplateSpec>) -> Option<&PodSpec> {
    t.and_then(|t| t.spec.as_ref())
}

impl HasTemplate for Deployment {
    const KIND: ConsumerKind = ConsumerKind::Deployment;
    fn template(&self) -> Template<'_> {
        let spec = self.spec.as_ref();
        Template {
            kind: Self::KIND,
            meta: &self.metadata,
            spec: template_spec(spec.map(|s| &s.template)),
            state: ConsumerState::Replicas { desired: spec.and_then(|s| s.replicas).unwrap_or(1) },
        }
    }
}

impl HasTemplate for StatefulSet {
    const KIND: ConsumerKind = ConsumerKind::StatefulSet;
    fn template(&self) -> Template<'_> {
        let spec = self.spec.as_ref();
        Template {
            kind: Self::KIND,
            meta: &self.metadata,
            spec: template_spec(spec.map(|s| &s.template)),
            state: ConsumerState::Replicas { desired: spec.and_then(|s| s.replicas).unwrap_or(1) },
        }
    }
}

impl HasTemplate for ReplicaSet {
    const KIND: ConsumerKind = ConsumerKind::ReplicaSet;
    fn template(&self) -> Template<'_> {
        let spec = self.spec.as_ref();
        Template {
            kind: Self::KIND,
            meta: &self.metadata,
            spec: template_spec(spec.and_then(|s| s.template.as_ref())),
            state: ConsumerState::Replicas { desired: spec.and_then(|s| s.replicas).unwrap_or(1) },
        }
    }
}

impl HasTemplate for DaemonSet {
    const KIND: ConsumerKind = ConsumerKind::DaemonSet;
    fn template(&self) -> Template<'_> {
        Template {
            kind: Self::KIND,
            meta: &self.metadata,
            spec: template_spec(self.spec.as_ref().map(|s| &s.template)),
            state: ConsumerState::Daemon {
                desired_scheduled: self.status.as_ref().map(|s| s.desired_number_scheduled),
            },
        }
    }
}

impl HasTemplate for Job {
    const KIND: ConsumerKind = ConsumerKind::Job;
    fn template(&self) -> Template<'_> {
        let status = self.status.as_ref();
        let condition = |t: &str| {
            status
                .and_then(|s| s.conditions.as_ref())
                .is_some_and(|c| c.iter().any(|c| c.type_ == t && c.status == "True"))
        };
        let finished = if condition("Complete") {
            Some(JobEnd::Complete)
        } else if condition("Failed") {
            Some(JobEnd::Failed)
        } else {
            None
        };
        Template {
            kind: Self::KIND,
            meta: &self.metadata,
            spec: template_spec(self.spec.as_ref().map(|s| &s.template)),
            state: ConsumerState::Job {
                suspended: self.spec.as_ref().and_then(|s| s.suspend) == Some(true),
                active: status.and_then(|s| s.active).unwrap_or(0),
                finished,
            },
        }
    }
}

impl HasTemplate for CronJob {
    const KIND: ConsumerKind = ConsumerKind::CronJob;
    fn template(&self) -> Template<'_> {
        let spec = &self.spec;
        let status = self.status.as_ref();
        Template {
            kind: Self::KIND,
            meta: &self.metadata,
            spec: spec.job_template.spec.as_ref().and_then(|j| j.template.spec.as_ref()),
            state: ConsumerState::CronJob {
                schedule: spec.schedule.as_str().into(),
                time_zone: spec.time_zone.as_deref().filter(|z| !z.is_empty()).map(Name::from),
                suspended: spec.suspend == Some(true),
                active: status.and_then(|s| s.active.as_ref()).map_or(0, Vec::len),
                last_schedule: status.and_then(|s| s.last_schedule_time.as_ref()).map(|t| t.0),
            },
        }
    }
}

/// The controller whose own template stands for this one's: a Deployment's ReplicaSets and a
/// CronJob's Jobs are not consumers of their own (their Pods group under the owner, whose
/// template the index reads).
fn stands_for(kind: ConsumerKind, controller: Option<&Owner>) -> bool {
    matches!(
        (kind, controller.map(|o| &*o.kind)),
        (ConsumerKind::ReplicaSet, Some("Deployment")) | (ConsumerKind::Job, Some("CronJob"))
    )
}

/// Every reference of a workload's pod template, as one consumer whose workload is the
/// workload itself, so that it and its Pods group together. Nothing for a ReplicaSet that a
/// Deployment owns, or a Job that a CronJob owns.
pub fn from_template(t: Template<'_>, names: &mut Interner) -> Vec<Reference> {
    let controller = Owner::controller_of(t.meta.owner_references.as_deref());
    let Some(spec) = t.spec else { return Vec::new() };
    if stands_for(t.kind, controller.as_ref()) {
        return Vec::new();
    }
    let mut id = consumer_id(t.kind, t.meta);
    id.namespace = names.intern(&id.namespace);
    let workload = match &controller {
        // A ReplicaSet or Job of another controller (an Argo Rollout, say): its Pods group
        // under that controller, and so does this template.
        Some(o) if matches!(t.kind, ConsumerKind::ReplicaSet | ConsumerKind::Job) => Workload {
            kind: WorkloadKind::from_kind(&o.kind),
            name: names.intern(&o.name),
            via: Resolution::OwnerMetadata,
        },
        _ => Workload {
            kind: WorkloadKind::from_kind(t.kind.as_str()),
            name: Arc::clone(&id.name),
            via: Resolution::Template,
        },
    };
    let consumer = Arc::new(Consumer {
        id,
        workload: Some(workload),
        controller: None,
        pod_template_hash: None,
        phase: None,
        state: Some(Box::new(t.state)),
        service_account: Some(names.intern(service_account_of(spec))),
    });
    from_pod_spec(spec, consumer, names)
}

/// [`from_template`] of a typed workload.
pub fn from_workload<W: HasTemplate>(w: &W, names: &mut Interner) -> Vec<Reference> {
    from_template(w.template(), names)
}

/// The namespace a PersistentVolume's plugin Secret is in when its reference names none:
/// the bound claim's (`VisitPVSecretNames`).
fn claim_namespace(pv: &PersistentVolume) -> &str {
    pv.spec
        .as_ref()
        .and_then(|s| s.claim_ref.as_ref())
        .and_then(|c| c.namespace.as_deref())
        .unwrap_or(DEFAULT_NAMESPACE)
}

/// The annotations with which the external-provisioner keeps the Secret it deletes the
/// volume with.
pub const PROVISIONER_DELETION_SECRET: [&str; 2] = [
    "volume.kubernetes.io/provisioner-deletion-secret-name",
    "volume.kubernetes.io/provisioner-deletion-secret-namespace",
];

/// A PersistentVolume's Secrets: `spec.csi.*SecretRef`, the provisioner's deletion Secret
/// (annotations), and in-tree plugins' `secretRef`s. Each names its namespace, which may be any.
pub fn from_persistent_volume(pv: &PersistentVolume, names: &mut Interner) -> Vec<Reference> {
    let Some(spec) = pv.spec.as_ref() else { return Vec::new() };
    let claim =
        spec.claim_ref.as_ref().and_then(|c| Some(format!("{}/{}", c.namespace.as_deref()?, c.name.as_deref()?)));
    let consumer = Arc::new(Consumer {
        state: Some(Box::new(ConsumerState::Volume { claim: claim.map(|c| names.intern(&c)) })),
        ..Consumer::other(consumer_id(ConsumerKind::PersistentVolume, &pv.metadata))
    });
    let fallback = claim_namespace(pv);
    let mut out = Vec::new();
    let mut push = |secret: VolumeSecret, driver: &str, name: &str, namespace: Option<&str>, names: &mut Interner| {
        if name.is_empty() {
            return;
        }
        let namespace = names.intern(namespace.filter(|n| !n.is_empty()).unwrap_or(fallback));
        out.push(Reference {
            consumer: Arc::clone(&consumer),
            secret: names.intern(name),
            usage: Usage::PersistentVolume { secret, driver: names.intern(driver), namespace },
            optional: false,
        });
    };
    if let Some(csi) = &spec.csi {
        let refs = [
            (CsiOp::ControllerPublish, &csi.controller_publish_secret_ref),
            (CsiOp::NodeStage, &csi.node_stage_secret_ref),
            (CsiOp::NodePublish, &csi.node_publish_secret_ref),
            (CsiOp::ControllerExpand, &csi.controller_expand_secret_ref),
            (CsiOp::NodeExpand, &csi.node_expand_secret_ref),
        ];
        for (op, r) in refs {
            if let Some(r) = r {
                push(
                    VolumeSecret::Csi(op),
                    &csi.driver,
                    r.name.as_deref().unwrap_or(""),
                    r.namespace.as_deref(),
                    names,
                );
            }
        }
        let annotations = pv.metadata.annotations.as_ref();
        let [name_key, ns_key] = PROVISIONER_DELETION_SECRET;
        if let Some(name) = annotations.and_then(|a| a.get(name_key)) {
            let ns = annotations.and_then(|a| a.get(ns_key)).map(String::as_str);
            push(VolumeSecret::Csi(CsiOp::Provisioner), &csi.driver, name, ns, names);
        }
    }
    fn plugin(r: Option<&SecretReference>) -> Option<(&str, Option<&str>)> {
        r.map(|r| (r.name.as_deref().unwrap_or(""), r.namespace.as_deref()))
    }
    let plugins = [
        (
            VolumePlugin::AzureFile,
            spec.azure_file.as_ref().map(|a| (a.secret_name.as_str(), a.secret_namespace.as_deref())),
        ),
        (VolumePlugin::CephFs, plugin(spec.cephfs.as_ref().and_then(|c| c.secret_ref.as_ref()))),
        (VolumePlugin::Cinder, plugin(spec.cinder.as_ref().and_then(|c| c.secret_ref.as_ref()))),
        (VolumePlugin::FlexVolume, plugin(spec.flex_volume.as_ref().and_then(|c| c.secret_ref.as_ref()))),
        (VolumePlugin::Rbd, plugin(spec.rbd.as_ref().and_then(|c| c.secret_ref.as_ref()))),
        (VolumePlugin::ScaleIo, plugin(spec.scale_io.as_ref().map(|c| &c.secret_ref))),
        (VolumePlugin::Iscsi, plugin(spec.iscsi.as_ref().and_then(|c| c.secret_ref.as_ref()))),
        (
            VolumePlugin::StorageOs,
            spec.storageos
                .as_ref()
                .and_then(|c| c.secret_ref.as_ref())
                .map(|r| (r.name.as_deref().unwrap_or(""), r.namespace.as_deref())),
        ),
    ];
    for (p, r) in plugins {
        if let Some((name, ns)) = r {
            push(VolumeSecret::Plugin(p), "", name, ns, names);
        }
    }
    out
}

/// The StorageClass parameters that name Secrets: the `csi.storage.k8s.io/` pairs, then the
/// deprecated ones (`EP controller.go`).
const STORAGE_CLASS_SECRETS: [(CsiOp, &str, &str, bool); 12] = [
    (
        CsiOp::Provisioner,
        "csi.storage.k8s.io/provisioner-secret-name",
        "csi.storage.k8s.io/provisioner-secret-namespace",
        false,
    ),
    (
        CsiOp::ControllerPublish,
        "csi.storage.k8s.io/controller-publish-secret-name",
        "csi.storage.k8s.io/controller-publish-secret-namespace",
        false,
    ),
    (
        CsiOp::NodeStage,
        "csi.storage.k8s.io/node-stage-secret-name",
        "csi.storage.k8s.io/node-stage-secret-namespace",
        false,
    ),
    (
        CsiOp::NodePublish,
        "csi.storage.k8s.io/node-publish-secret-name",
        "csi.storage.k8s.io/node-publish-secret-namespace",
        false,
    ),
    (
        CsiOp::ControllerExpand,
        "csi.storage.k8s.io/controller-expand-secret-name",
        "csi.storage.k8s.io/controller-expand-secret-namespace",
        false,
    ),
    (
        CsiOp::NodeExpand,
        "csi.storage.k8s.io/node-expand-secret-name",
        "csi.storage.k8s.io/node-expand-secret-namespace",
        false,
    ),
    (
        CsiOp::ControllerModify,
        "csi.storage.k8s.io/controller-modify-secret-name",
        "csi.storage.k8s.io/controller-modify-secret-namespace",
        false,
    ),
    (CsiOp::Any, "csi.storage.k8s.io/secret-name", "csi.storage.k8s.io/secret-namespace", false),
    (CsiOp::Provisioner, "csiProvisionerSecretName", "csiProvisionerSecretNamespace", true),
    (CsiOp::ControllerPublish, "csiControllerPublishSecretName", "csiControllerPublishSecretNamespace", true),
    (CsiOp::NodeStage, "csiNodeStageSecretName", "csiNodeStageSecretNamespace", true),
    (CsiOp::NodePublish, "csiNodePublishSecretName", "csiNodePublishSecretNamespace", true),
];

/// Whether a StorageClass parameter is a template the external-provisioner fills in per
/// claim (`${pvc.name}`, `${pvc.namespace}`, `${pv.name}`, `${pvc.annotations['…']}`).
pub fn is_template(value: &str) -> bool {
    value.contains("${")
}

/// A StorageClass's Secrets: literal name and namespace pairs are references; a pair with a
/// template is kept as [`Usage::StorageClassTemplate`], which the index never counts as a
/// reference to a Secret (which Secret it names depends on each claim). A pair with one half
/// missing is not read (the provisioner refuses it).
pub fn from_storage_class(sc: &StorageClass, names: &mut Interner) -> Vec<Reference> {
    let Some(params) = sc.parameters.as_ref() else { return Vec::new() };
    let consumer = Arc::new(Consumer::other(consumer_id(ConsumerKind::StorageClass, &sc.metadata)));
    let provisioner = names.intern(&sc.provisioner);
    let mut out = Vec::new();
    for (op, name_key, ns_key, deprecated) in STORAGE_CLASS_SECRETS {
        let (Some(name), Some(namespace)) = (params.get(name_key), params.get(ns_key)) else { continue };
        if name.is_empty() || namespace.is_empty() {
            continue;
        }
        let (provisioner, namespace_n) = (Arc::clone(&provisioner), names.intern(namespace));
        let usage = if is_template(name) || is_template(namespace) {
            Usage::StorageClassTemplate { op, provisioner, namespace: namespace_n }
        } else {
            Usage::StorageClass { op, provisioner, namespace: namespace_n, deprecated }
        };
        out.push(Reference { consumer: Arc::clone(&consumer), secret: names.intern(name), usage, optional: false });
    }
    out
}
