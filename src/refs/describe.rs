//! Human-readable descriptions of references for the UI, e.g.
//! `volume "foo" at /etc/foo (items: username → my-group/my-username)`,
//! `env SECRET_USERNAME ← username`, `envFrom (prefix "X_")`.

use super::analysis::describe_container;
use super::model::{Consumer, Item, Mount, Reference, Usage, VolumePlugin, VolumeUse};
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
    /// `Pod web-1 (Deployment web)`, `Pod mypod`, `ServiceAccount build-robot`, `Ingress x`.
    pub fn describe(&self) -> String {
        let base = format!("{} {}", self.id.kind.as_str(), self.id.name);
        match &self.workload {
            Some(w) if w.kind != WorkloadKind::Pod => format!("{base} ({})", w.describe()),
            _ => base,
        }
    }
}
