//! Projecting watched objects into [`Reference`] records, following `VisitPodSecretNames`
//! (reference §6.1): every path by which a Pod names a Secret, with empty names skipped and no
//! transitive references (Pod → PVC → PV → Secret is not followed).

use std::sync::Arc;

use k8s_openapi::api::core::v1::{
    Container, EnvFromSource, EnvVar, EphemeralContainer, KeyToPath, Pod, ServiceAccount, VolumeMount,
};
use k8s_openapi::api::networking::v1::Ingress;

use super::intern::Interner;
use super::model::{
    Consumer, ConsumerId, ConsumerKind, ContainerKind, ContainerRef, Item, Mount, Name, PodPhase, Reference, Usage,
    VolumePlugin, VolumeUse,
};
use super::workload::{Owner, POD_TEMPLATE_HASH, WorkloadResolver};

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
    let consumer = Arc::new(Consumer { id, workload: Some(workload), controller, pod_template_hash, phase });

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
