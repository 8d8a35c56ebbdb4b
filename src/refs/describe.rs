//! Human-readable descriptions of references for the UI, e.g.
//! `volume "foo" at /etc/foo (items: username → my-group/my-username)`,
//! `env SECRET_USERNAME ← username`, `envFrom (prefix "X_")`.

use jiff::Timestamp;

use super::analysis::describe_container;
use super::index::Group;
use super::model::{
    Consumer, ConsumerKind, ConsumerState, CsiOp, Item, JobEnd, Mount, Reference, Usage, VolumePlugin, VolumeSecret,
    VolumeUse,
};
use super::schedule;
use super::workload::{Workload, WorkloadKind};

/// A file mode as Kubernetes shows it (`0400`); anything out of range as a plain number.
pub fn mode(mode: i32) -> String {
    if (0..=0o7777).contains(&mode) { format!("{mode:04o}") } else { format!("{mode} (invalid)") }
}

fn paths(mounts: &[Mount]) -> String {
    if mounts.is_empty() {
        return " (not mounted)".into();
    }
    let mut seen: Vec<&str> = Vec::new();
    for m in mounts {
        if !seen.contains(&&*m.path) {
            seen.push(&m.path);
        }
    }
    format!(" at {}", seen.join(", "))
}

fn items(items: &[Item]) -> String {
    if items.is_empty() {
        return String::new();
    }
    let list: Vec<String> = items.iter().map(|i| format!("{} → {}", i.key, i.path)).collect();
    format!(" (items: {})", list.join(", "))
}

fn volume(kind: &str, v: &VolumeUse) -> String {
    format!("{kind} \"{}\"{}{}", v.volume, paths(&v.mounts), items(&v.items))
}

impl Usage {
    /// One line: how the Secret is used.
    pub fn describe(&self) -> String {
        match self {
            Usage::Volume(v) => volume("volume", v),
            Usage::Projected(v) => volume("projected volume", v),
            Usage::Env { var, key, .. } => format!("env {var} ← {key}"),
            Usage::EnvFrom { prefix: None, .. } => "envFrom".into(),
            Usage::EnvFrom { prefix: Some(p), .. } => format!("envFrom (prefix \"{p}\")"),
            Usage::ImagePullSecret => "imagePullSecrets".into(),
            Usage::Csi { volume, driver, mounts } => {
                format!("CSI volume \"{volume}\"{} (driver {driver}, nodePublishSecretRef)", paths(mounts))
            }
            Usage::Plugin { plugin, volume, mounts } => {
                let field = if *plugin == VolumePlugin::AzureFile { "secretName" } else { "secretRef" };
                format!("{} volume \"{volume}\"{} ({field})", plugin.as_str(), paths(mounts))
            }
            Usage::ServiceAccountSecret => "secrets[]".into(),
            Usage::ServiceAccountImagePullSecret => "imagePullSecrets[]".into(),
            Usage::IngressTls { hosts } if hosts.is_empty() => "TLS (no hosts)".into(),
            Usage::IngressTls { hosts } => {
                let hosts: Vec<&str> = hosts.iter().map(|h| &**h).collect();
                format!("TLS for {}", hosts.join(", "))
            }
            Usage::GatewayTls { listener, .. } if listener.is_empty() => {
                "backend client certificate (spec.tls.backend.clientCertificateRef)".into()
            }
            Usage::GatewayTls { listener, .. } => format!("listener \"{listener}\" certificate (tls.certificateRefs)"),
            Usage::PersistentVolume { secret: VolumeSecret::Csi(CsiOp::Provisioner), driver, .. } => format!(
                "provisioner's Secret for deleting the volume (annotation volume.kubernetes.io/provisioner-deletion-secret-name; driver {driver})"
            ),
            Usage::PersistentVolume { secret: VolumeSecret::Csi(op), driver, .. } => {
                let field = op.pv_field().unwrap_or("secretRef");
                format!("CSI {field} (driver {driver}): {}", op.doing())
            }
            Usage::PersistentVolume { secret: VolumeSecret::Plugin(p), .. } => {
                let field = if *p == VolumePlugin::AzureFile { "secretName" } else { "secretRef" };
                format!("{}.{field}", p.as_str())
            }
            Usage::StorageClass { op, provisioner, deprecated, .. } => {
                format!(
                    "parameter {} (provisioner {provisioner}): {}",
                    storage_class_parameter(*op, *deprecated),
                    op.doing()
                )
            }
            Usage::StorageClassTemplate { op, provisioner, namespace } => format!(
                "parameter {} is a template (provisioner {provisioner}): a Secret named by each claim, in \"{namespace}\"",
                storage_class_parameter(*op, false)
            ),
            Usage::ServiceAccountToken { account } => {
                format!("legacy token of ServiceAccount {account} (annotation kubernetes.io/service-account.name)")
            }
        }
    }

    /// Further lines: containers, mounts (read-only, subPath), modes.
    pub fn details(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(c) = self.container() {
            out.push(describe_container(c));
        }
        for m in self.mounts() {
            let mut line = format!("{} mounts it at {}", describe_container(&m.container), m.path);
            if let Some(p) = &m.sub_path {
                let field = if m.sub_path_expr { "subPathExpr" } else { "subPath" };
                line.push_str(&format!(" ({field} {p}: never updated)"));
            }
            line.push_str(if m.read_only { ", read-only" } else { ", read-write" });
            out.push(line);
        }
        if let Usage::Volume(v) | Usage::Projected(v) = self {
            if let Some(m) = v.default_mode {
                out.push(format!("defaultMode {}", mode(m)));
            }
            for i in v.items.iter() {
                let mut line = format!("key {} → {}", i.key, i.path);
                if let Some(m) = i.mode {
                    line.push_str(&format!(" (mode {})", mode(m)));
                }
                out.push(line);
            }
        }
        out
    }
}

/// The StorageClass parameter that names the Secret of `op`.
pub fn storage_class_parameter(op: CsiOp, deprecated: bool) -> String {
    match (op, deprecated) {
        (CsiOp::Any, _) => "csi.storage.k8s.io/secret-name".into(),
        (CsiOp::Provisioner, true) => "csiProvisionerSecretName".into(),
        (CsiOp::ControllerPublish, true) => "csiControllerPublishSecretName".into(),
        (CsiOp::NodeStage, true) => "csiNodeStageSecretName".into(),
        (CsiOp::NodePublish, true) => "csiNodePublishSecretName".into(),
        (op, _) => format!("csi.storage.k8s.io/{}-secret-name", op.parameter()),
    }
}

impl Reference {
    /// One line: how the Secret is used, and `(optional)` when it is.
    pub fn describe(&self) -> String {
        let mut s = self.usage.describe();
        if self.optional {
            s.push_str(" (optional)");
        }
        s
    }
}

impl Workload {
    /// `Deployment web`, with `(guessed)` when it comes from names only.
    pub fn describe(&self) -> String {
        let mut s = format!("{} {}", self.kind.as_str(), self.name);
        if self.via.is_guess() {
            s.push_str(" (guessed)");
        }
        s
    }
}

impl Consumer {
    /// `Pod web-1 (Deployment web)`, `Pod mypod`, `Deployment web (pod template)`,
    /// `ServiceAccount build-robot`, `Ingress x`, `PersistentVolume pv-1 (claim shop/data)`.
    pub fn describe(&self) -> String {
        let base = format!("{} {}", self.id.kind.as_str(), self.id.name);
        match (&self.workload, self.state.as_deref()) {
            (Some(w), _) if self.id.kind.is_template() && w.via == super::workload::Resolution::Template => {
                format!("{base} (pod template)")
            }
            (Some(w), _) if self.id.kind.is_template() => format!("{base} (pod template; {})", w.describe()),
            (Some(w), _) if w.kind != WorkloadKind::Pod => format!("{base} ({})", w.describe()),
            (_, Some(ConsumerState::Volume { claim: Some(c) })) => format!("{base} (claim {c})"),
            _ if self.id.kind == ConsumerKind::ServiceAccountToken => format!("token Secret {}", self.id.name),
            _ => base,
        }
    }
}

impl ConsumerState {
    /// What the workload says about its Pods, e.g. `0 replicas`, `next run 02:00 UTC (in
    /// 3h20m)`, `suspended`; empty when there is nothing to say.
    pub fn describe(&self, now: Timestamp) -> String {
        match self {
            ConsumerState::Replicas { desired } => {
                format!("{desired} replica{}", if *desired == 1 { "" } else { "s" })
            }
            ConsumerState::Daemon { desired_scheduled: Some(0) } => "no node to run on".into(),
            ConsumerState::Daemon { desired_scheduled: Some(n) } => {
                format!("{n} node{}", if *n == 1 { "" } else { "s" })
            }
            ConsumerState::Daemon { desired_scheduled: None } => String::new(),
            ConsumerState::Job { suspended: true, .. } => "suspended: no Pod until it is resumed".into(),
            ConsumerState::Job { finished: Some(JobEnd::Complete), .. } => "completed".into(),
            ConsumerState::Job { finished: Some(JobEnd::Failed), .. } => "failed".into(),
            ConsumerState::Job { active, .. } => format!("{active} active"),
            ConsumerState::CronJob { suspended: true, .. } => "suspended: no run until it is resumed".into(),
            ConsumerState::CronJob { schedule, time_zone, .. } => {
                schedule::next_run(schedule, time_zone.as_deref(), now).describe(now)
            }
            ConsumerState::Volume { .. } => String::new(),
        }
    }

    /// Whether Pods may come from the template later though none run now (a CronJob's next
    /// run, a scale-up, a resumed Job): used by the delete dialog and the review.
    pub fn pods_later(&self) -> bool {
        !matches!(self, ConsumerState::Job { finished: Some(_), .. } | ConsumerState::Volume { .. })
    }
}

impl Group<'_> {
    /// One line naming the consumer: `Deployment web (2 Pods: web-1, web-2)`,
    /// `CronJob nightly-backup, next run 02:00 UTC (in 3h20m); no Pod now`,
    /// `Deployment api, 0 replicas; no Pod now`, `Pod mypod`, `Gateway shop/web`.
    pub fn title(&self, now: Timestamp) -> String {
        let Some(w) = self.workload else {
            return match (self.kind, self.consumers.first()) {
                (ConsumerKind::Gateway, Some(id)) => format!("Gateway {}/{}", id.namespace, id.name),
                (ConsumerKind::PersistentVolume, _) => self
                    .references
                    .first()
                    .map_or_else(|| format!("PersistentVolume {}", self.name), |r| r.consumer.describe()),
                (ConsumerKind::ServiceAccount, _) => format!("ServiceAccount {}", self.name),
                (kind, _) => format!("{} {}", kind.as_str(), self.name),
            };
        };
        let pods: Vec<&str> = self.pods().map(|p| &*p.name).collect();
        if w.kind == WorkloadKind::Pod && self.template.is_none() {
            return format!("Pod {}", self.name);
        }
        let base = w.describe();
        let state = self.template.and_then(|t| t.state.as_deref()).map(|s| s.describe(now)).unwrap_or_default();
        if pods.is_empty() {
            return if state.is_empty() {
                format!("{base}; no Pod now")
            } else {
                format!("{base}, {state}; no Pod now")
            };
        }
        let n = pods.len();
        let state = if state.is_empty() { String::new() } else { format!(", {state}") };
        format!("{base} ({n} Pod{}: {}){state}", if n == 1 { "" } else { "s" }, pods.join(", "))
    }
}
