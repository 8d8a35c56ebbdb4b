//! Projecting watched objects into [`Reference`] records, following `VisitPodSecretNames`
//! (reference §6.1): every path by which a Pod names a Secret, with empty names skipped and no
//! transitive references (Pod → PVC → PV → Secret is not followed).

use std::sync::Arc;

use k8s_openapi::api::core::v1::{
    Container, EnvFromSource, EnvVar, EphemeralContainer, KeyToPath, Pod, ServiceAccount, VolumeMount,
};
use k8s_openapi::api::networking::v1::Ingress;

use super::model::{
    Consumer, ConsumerId, ConsumerKind, ContainerKind, ContainerRef, Item, Mount, Name, Reference, Usage, VolumePlugin,
    VolumeUse,
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
    fn of(kind: ContainerKind, c: &'a Container) -> Self {
        ContainerView {
            container: ContainerRef { kind, name: c.name.as_str().into() },
            env: c.env.as_deref().unwrap_or_default(),
            env_from: c.env_from.as_deref().unwrap_or_default(),
            mounts: c.volume_mounts.as_deref().unwrap_or_default(),
        }
    }

    fn ephemeral(c: &'a EphemeralContainer) -> Self {
        ContainerView {
            container: ContainerRef { kind: ContainerKind::Ephemeral, name: c.name.as_str().into() },
            env: c.env.as_deref().unwrap_or_default(),
            env_from: c.env_from.as_deref().unwrap_or_default(),
            mounts: c.volume_mounts.as_deref().unwrap_or_default(),
        }
    }
}

/// Every reference a Pod makes to a Secret, in the order of its spec: image pull secrets,
/// containers (init, regular, ephemeral: envFrom then env), then volumes.
pub fn from_pod(pod: &Pod, resolver: &WorkloadResolver) -> Vec<Reference> {
    let Some(spec) = pod.spec.as_ref() else {
        return Vec::new();
    };
    let id = pod_id(pod);
    let controller = Owner::controller_of(pod.metadata.owner_references.as_deref());
    let pod_template_hash =
        pod.metadata.labels.as_ref().and_then(|l| l.get(POD_TEMPLATE_HASH)).map(|h| Name::from(h.as_str()));
    let workload = resolver.resolve_owner(&id.namespace, &id.name, controller.as_ref(), pod_template_hash.as_deref());
    let consumer = Arc::new(Consumer { id, workload: Some(workload), controller, pod_template_hash });
    let mut out = Vec::new();
    let mut push = |secret: &str, usage: Usage, optional: bool| {
        if !secret.is_empty() {
            out.push(Reference { consumer: Arc::clone(&consumer), secret: secret.into(), usage, optional });
        }
    };

    for s in spec.image_pull_secrets.iter().flatten() {
        push(&s.name, Usage::ImagePullSecret, false);
    }

    let containers: Vec<ContainerView<'_>> = spec
        .init_containers
        .iter()
        .flatten()
        .map(|c| ContainerView::of(ContainerKind::Init, c))
        .chain(spec.containers.iter().map(|c| ContainerView::of(ContainerKind::Regular, c)))
        .chain(spec.ephemeral_containers.iter().flatten().map(ContainerView::ephemeral))
        .collect();

    for c in &containers {
        for e in c.env_from {
            if let Some(s) = &e.secret_ref {
                let prefix = e.prefix.as_deref().filter(|p| !p.is_empty()).map(Name::from);
                push(&s.name, Usage::EnvFrom { container: c.container.clone(), prefix }, s.optional == Some(true));
            }
        }
        for e in c.env {
            if let Some(s) = e.value_from.as_ref().and_then(|v| v.secret_key_ref.as_ref()) {
                let usage = Usage::Env {
                    container: c.container.clone(),
                    var: e.name.as_str().into(),
                    key: s.key.as_str().into(),
                };
                push(&s.name, usage, s.optional == Some(true));
            }
        }
    }

    let volumes = spec.volumes.as_deref().unwrap_or_default();
    if volumes.is_empty() {
        return out;
    }
    // Mounts sorted by volume name, so that each volume finds its own without a quadratic scan.
    let mut mounts: Vec<(&str, &ContainerRef, &VolumeMount)> =
        containers.iter().flat_map(|c| c.mounts.iter().map(move |m| (m.name.as_str(), &c.container, m))).collect();
    mounts.sort_by(|a, b| a.0.cmp(b.0));
    let mounts_of = |volume: &str| -> Box<[Mount]> {
        let start = mounts.partition_point(|m| m.0 < volume);
        mounts[start..]
            .iter()
            .take_while(|m| m.0 == volume)
            .map(|(_, container, m)| {
                let (sub_path, sub_path_expr) = match (m.sub_path.as_deref(), m.sub_path_expr.as_deref()) {
                    (Some(p), _) if !p.is_empty() => (Some(p.into()), false),
                    (_, Some(p)) if !p.is_empty() => (Some(p.into()), true),
                    _ => (None, false),
                };
                Mount {
                    container: (*container).clone(),
                    path: m.mount_path.as_str().into(),
                    read_only: m.read_only == Some(true),
                    sub_path,
                    sub_path_expr,
                }
            })
            .collect()
    };

    for v in volumes {
        let volume: Name = v.name.as_str().into();
        if let Some(s) = &v.secret {
            let usage = Usage::Volume(Box::new(VolumeUse {
                volume: Arc::clone(&volume),
                mounts: mounts_of(&v.name),
                items: items(s.items.as_deref()),
                default_mode: s.default_mode,
            }));
            push(s.secret_name.as_deref().unwrap_or(""), usage, s.optional == Some(true));
        }
        if let Some(p) = &v.projected {
            let sources = p.sources.iter().flatten().filter_map(|s| s.secret.as_ref()).filter(|s| !s.name.is_empty());
            let mut sources = sources.peekable();
            if sources.peek().is_some() {
                let volume_mounts = mounts_of(&v.name);
                for s in sources {
                    let usage = Usage::Projected(Box::new(VolumeUse {
                        volume: Arc::clone(&volume),
                        mounts: volume_mounts.clone(),
                        items: items(s.items.as_deref()),
                        default_mode: p.default_mode,
                    }));
                    push(&s.name, usage, s.optional == Some(true));
                }
            }
        }
        if let Some(csi) = &v.csi
            && let Some(s) = &csi.node_publish_secret_ref
        {
            let usage = Usage::Csi {
                volume: Arc::clone(&volume),
                driver: csi.driver.as_str().into(),
                mounts: mounts_of(&v.name),
            };
            push(&s.name, usage, false);
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
                let usage = Usage::Plugin { plugin, volume: Arc::clone(&volume), mounts: mounts_of(&v.name) };
                push(secret, usage, false);
            }
        }
    }
    out
}

fn items(items: Option<&[KeyToPath]>) -> Box<[Item]> {
    items
        .unwrap_or_default()
        .iter()
        .map(|i| Item { key: i.key.as_str().into(), path: i.path.as_str().into(), mode: i.mode })
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
