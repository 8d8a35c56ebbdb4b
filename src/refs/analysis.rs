//! What the references to one Secret mean for their consumers, from kubelet behaviour
//! (reference §6.2 and §7): missing Secrets and keys, envFrom keys that are skipped, and whether
//! a consumer sees a change without a restart.

use std::collections::{BTreeSet, HashMap};

use crate::validate::EnvNameRule;

use super::model::{
    ConsumerId, ConsumerKind, ContainerRef, CsiOp, DOCKER_CONFIG_KEYS, Name, Reference, TLS_KEYS, Usage, VolumeSecret,
};

/// What the absence of a Secret (or of a key it names) does to the consumer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MissingEffect {
    /// env or envFrom: the container cannot start; its status is `CreateContainerConfigError`
    /// and the kubelet retries.
    ContainerCannotStart { container: ContainerRef },
    /// A volume: the Pod stays in `ContainerCreating` with `FailedMount` events; no container starts.
    VolumeCannotMount { volume: Name },
    /// An optional reference: the variable, key or volume content is skipped and the Pod runs.
    Skipped,
    /// An image pull secret: the kubelet pulls without it, so pulls of private images fail.
    PullWithoutCredentials,
    /// An Ingress TLS entry: the controller serves its default certificate (or none) for those hosts.
    NoCertificate,
    /// A ServiceAccount `secrets[]` entry: nothing fails; the list is stale.
    Nothing,
    /// A Gateway listener: `ResolvedRefs=False` (`InvalidCertificateRef`); it serves no
    /// certificate.
    ListenerInvalid { listener: Name },
    /// A PersistentVolume's Secret: this operation fails for the volume (for the Secret of
    /// mounting, Pods using the volume cannot start; for the provisioner's, deleting the
    /// volume goes on without credentials).
    VolumeOperationFails { op: CsiOp },
    /// A StorageClass's Secret: volumes of the class fail at this operation from now on
    /// (for the provisioner's, new claims stay Pending).
    ClassOperationFails { op: CsiOp },
    /// A service-account token Secret: the token stops working for whoever holds it.
    TokenGone { account: Name },
}

impl MissingEffect {
    /// Whether a Pod cannot start because of it.
    pub fn blocks_start(&self) -> bool {
        matches!(self, MissingEffect::ContainerCannotStart { .. } | MissingEffect::VolumeCannotMount { .. })
    }

    /// Whether something stops working: a Pod, a pull, a certificate, a volume operation, a
    /// token (not an optional reference, not a stale list entry).
    pub fn breaks(&self) -> bool {
        !matches!(self, MissingEffect::Skipped | MissingEffect::Nothing)
    }

    pub fn describe(&self) -> String {
        match self {
            MissingEffect::ContainerCannotStart { container } => {
                format!("{} cannot start (CreateContainerConfigError)", describe_container(container))
            }
            MissingEffect::VolumeCannotMount { volume } => {
                format!("volume \"{volume}\" cannot be mounted: the Pod stays in ContainerCreating (FailedMount)")
            }
            MissingEffect::Skipped => "optional: skipped, the Pod runs without it".into(),
            MissingEffect::PullWithoutCredentials => "images are pulled without these credentials".into(),
            MissingEffect::NoCertificate => "the ingress controller serves its default certificate".into(),
            MissingEffect::Nothing => "no effect on Pods (a stale entry)".into(),
            MissingEffect::ListenerInvalid { listener } if listener.is_empty() => {
                "the Gateway has no client certificate for its backends (InvalidClientCertificateRef)".into()
            }
            MissingEffect::ListenerInvalid { listener } => {
                format!("listener \"{listener}\" serves no certificate (ResolvedRefs=False, InvalidCertificateRef)")
            }
            MissingEffect::VolumeOperationFails { op: CsiOp::Provisioner } => {
                "deleting the volume goes on without the provisioner's credentials".into()
            }
            MissingEffect::VolumeOperationFails { op } if op.blocks_mount() => {
                format!("{} the volume fails: Pods using it cannot start", op.doing())
            }
            MissingEffect::VolumeOperationFails { op } => format!("{} the volume fails", op.doing()),
            MissingEffect::ClassOperationFails { op: CsiOp::Provisioner } => {
                "new claims of this class stay Pending (CreateVolume fails)".into()
            }
            MissingEffect::ClassOperationFails { op } => {
                format!("volumes provisioned from now on fail at {}", op.doing())
            }
            MissingEffect::TokenGone { account } => {
                format!("the token of ServiceAccount {account} stops working for whoever holds it")
            }
        }
    }
}

pub(crate) fn describe_container(c: &ContainerRef) -> String {
    let kind = match c.kind {
        super::model::ContainerKind::Init => "init container",
        super::model::ContainerKind::Regular => "container",
        super::model::ContainerKind::Ephemeral => "ephemeral container",
    };
    format!("{kind} \"{}\"", c.name)
}

/// What happens when the Secret is not found.
pub fn missing_secret_effect(r: &Reference) -> MissingEffect {
    match &r.usage {
        _ if r.optional => MissingEffect::Skipped,
        Usage::Env { container, .. } | Usage::EnvFrom { container, .. } => {
            MissingEffect::ContainerCannotStart { container: container.clone() }
        }
        Usage::Volume(v) | Usage::Projected(v) => MissingEffect::VolumeCannotMount { volume: v.volume.clone() },
        Usage::Csi { volume, .. } | Usage::Plugin { volume, .. } => {
            MissingEffect::VolumeCannotMount { volume: volume.clone() }
        }
        Usage::ImagePullSecret | Usage::ServiceAccountImagePullSecret => MissingEffect::PullWithoutCredentials,
        Usage::IngressTls { .. } => MissingEffect::NoCertificate,
        Usage::ServiceAccountSecret | Usage::StorageClassTemplate { .. } => MissingEffect::Nothing,
        Usage::GatewayTls { listener, .. } => MissingEffect::ListenerInvalid { listener: listener.clone() },
        Usage::PersistentVolume { secret: VolumeSecret::Csi(op), .. } => {
            MissingEffect::VolumeOperationFails { op: *op }
        }
        // In-tree plugins read their Secret when they mount.
        Usage::PersistentVolume { secret: VolumeSecret::Plugin(_), .. } => {
            MissingEffect::VolumeOperationFails { op: CsiOp::NodeStage }
        }
        Usage::StorageClass { op, .. } => MissingEffect::ClassOperationFails { op: *op },
        Usage::ServiceAccountToken { account } => MissingEffect::TokenGone { account: account.clone() },
    }
}

/// What happens when the Secret exists but lacks `key`, for a reference that names it.
/// `None` when the reference does not name keys the kubelet requires.
pub fn missing_key_effect(r: &Reference) -> Option<MissingEffect> {
    match &r.usage {
        Usage::Env { container, .. } => Some(if r.optional {
            MissingEffect::Skipped
        } else {
            MissingEffect::ContainerCannotStart { container: container.clone() }
        }),
        Usage::Volume(v) | Usage::Projected(v) if !v.items.is_empty() => Some(if r.optional {
            MissingEffect::Skipped
        } else {
            MissingEffect::VolumeCannotMount { volume: v.volume.clone() }
        }),
        _ => None,
    }
}

/// Why a consumer sees a change only after a restart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RestartCause {
    /// Variables are resolved once, when the container is created.
    Env,
    EnvFrom,
    /// A subPath mount binds the file behind the `..data` symlink; the swap never reaches it.
    SubPath,
}

/// Whether and when a consumer sees a change of the Secret.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Refresh {
    /// A mounted volume: updated in place, eventually (kubelet sync period plus cache delay).
    Eventually,
    /// A volume mounted by some containers through subPath: those need a restart, others update.
    Partly { restart: Vec<ContainerRef> },
    /// Only a restarted (re-created) container sees the change.
    AfterRestart(RestartCause),
    /// Used at the next image pull.
    NextImagePull,
    /// An in-tree volume plugin uses its credentials when it mounts: at the next mount.
    NextMount,
    /// A CSI driver gets the Secret at NodePublish; whether it sees a change is the driver's
    /// business (e.g. `requiresRepublish`).
    DriverDefined,
    /// Ingress controllers usually watch their TLS Secrets and reload.
    IngressController,
    /// ServiceAccount `secrets[]`: not read by anything.
    NotRead,
    /// Gateway controllers watch their certificates and reload.
    GatewayController,
    /// A PersistentVolume's Secret: read at the next operation it is for (attach, mount,
    /// expand); a volume already mounted keeps what it was given.
    NextVolumeOperation(CsiOp),
    /// A StorageClass's Secret: read by the next provisioning (or operation) of a volume.
    NextProvisioning,
    /// A token Secret: whoever holds the token keeps the copy it has.
    TokenHolders,
    /// The Secret is immutable: its data cannot change; replacing it means deleting and
    /// re-creating it, and restarting the Pods.
    Immutable,
}

impl Refresh {
    /// Whether the consumer sees a change without a restart: yes, no, or it depends.
    pub fn without_restart(&self) -> Option<bool> {
        match self {
            Refresh::Eventually
            | Refresh::IngressController
            | Refresh::GatewayController
            | Refresh::NextImagePull
            | Refresh::NextProvisioning => Some(true),
            Refresh::AfterRestart(_) | Refresh::NextMount | Refresh::Immutable => Some(false),
            Refresh::Partly { .. }
            | Refresh::DriverDefined
            | Refresh::NotRead
            | Refresh::NextVolumeOperation(_)
            | Refresh::TokenHolders => None,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Refresh::Eventually => "sees changes without a restart, eventually (kubelet sync)".into(),
            Refresh::Partly { restart } => {
                let names: Vec<String> = restart.iter().map(describe_container).collect();
                format!("sees changes eventually, except {} (subPath): restart needed", names.join(", "))
            }
            Refresh::AfterRestart(RestartCause::Env) => "env is read once: restart the Pod to see changes".into(),
            Refresh::AfterRestart(RestartCause::EnvFrom) => {
                "envFrom is read once: restart the Pod to see changes".into()
            }
            Refresh::AfterRestart(RestartCause::SubPath) => {
                "subPath mounts never update: restart the Pod to see changes".into()
            }
            Refresh::NextImagePull => "used at the next image pull".into(),
            Refresh::NextMount => "read when the volume is mounted: restart the Pod to see changes".into(),
            Refresh::DriverDefined => "depends on the CSI driver".into(),
            Refresh::IngressController => "depends on the ingress controller (most reload on change)".into(),
            Refresh::NotRead => "not read".into(),
            Refresh::GatewayController => "depends on the Gateway controller (most reload on change)".into(),
            Refresh::NextVolumeOperation(op) => {
                format!("read by the CSI driver when {}; a volume already set up keeps what it was given", op.doing())
            }
            Refresh::NextProvisioning => "read when volumes of the class are provisioned from now on".into(),
            Refresh::TokenHolders => "whoever holds the token keeps their copy".into(),
            Refresh::Immutable => "immutable: changing it means re-creating the Secret and restarting the Pods".into(),
        }
    }
}

impl Reference {
    /// Whether and when this consumer sees a change of the Secret.
    pub fn refresh(&self) -> Refresh {
        match &self.usage {
            Usage::Volume(v) | Usage::Projected(v) => {
                let sub_path: Vec<ContainerRef> =
                    v.mounts.iter().filter(|m| m.sub_path.is_some()).map(|m| m.container.clone()).collect();
                if sub_path.is_empty() {
                    Refresh::Eventually
                } else if sub_path.len() == v.mounts.len() {
                    Refresh::AfterRestart(RestartCause::SubPath)
                } else {
                    let mut restart = sub_path;
                    restart.sort();
                    restart.dedup();
                    Refresh::Partly { restart }
                }
            }
            Usage::Env { .. } => Refresh::AfterRestart(RestartCause::Env),
            Usage::EnvFrom { .. } => Refresh::AfterRestart(RestartCause::EnvFrom),
            Usage::ImagePullSecret | Usage::ServiceAccountImagePullSecret => Refresh::NextImagePull,
            Usage::Csi { .. } => Refresh::DriverDefined,
            Usage::Plugin { .. } => Refresh::NextMount,
            Usage::ServiceAccountSecret | Usage::StorageClassTemplate { .. } => Refresh::NotRead,
            Usage::IngressTls { .. } => Refresh::IngressController,
            Usage::GatewayTls { .. } => Refresh::GatewayController,
            Usage::PersistentVolume { secret: VolumeSecret::Csi(op), .. } => Refresh::NextVolumeOperation(*op),
            Usage::PersistentVolume { secret: VolumeSecret::Plugin(_), .. } => Refresh::NextMount,
            Usage::StorageClass { .. } => Refresh::NextProvisioning,
            Usage::ServiceAccountToken { .. } => Refresh::TokenHolders,
        }
    }

    /// [`Reference::refresh`], or [`Refresh::Immutable`] for an immutable Secret that the
    /// reference reads.
    pub fn refresh_for(&self, immutable: bool) -> Refresh {
        match self.refresh() {
            Refresh::NotRead => Refresh::NotRead,
            _ if immutable => Refresh::Immutable,
            other => other,
        }
    }
}

/// What is known about the Secret being analysed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecretFacts {
    pub exists: bool,
    /// Its keys (`data` and `stringData` names), when known; `None` when only metadata was read.
    pub keys: Option<BTreeSet<String>>,
    pub immutable: bool,
    /// The rule the cluster's kubelets apply to `envFrom` names (it follows the version).
    pub env_rule: EnvNameRule,
}

impl SecretFacts {
    /// A Secret that does not exist.
    pub fn missing() -> Self {
        SecretFacts::default()
    }

    /// An existing Secret with these keys.
    pub fn with_keys<I, K>(keys: I) -> Self
    where
        I: IntoIterator<Item = K>,
        K: Into<String>,
    {
        SecretFacts {
            exists: true,
            keys: Some(keys.into_iter().map(Into::into).collect()),
            immutable: false,
            env_rule: EnvNameRule::default(),
        }
    }

    /// An existing Secret whose keys are not known.
    pub fn exists_keys_unknown() -> Self {
        SecretFacts { exists: true, keys: None, immutable: false, env_rule: EnvNameRule::default() }
    }

    pub fn immutable(mut self, immutable: bool) -> Self {
        self.immutable = immutable;
        self
    }

    /// The `envFrom` name rule of the cluster (the version's).
    pub fn env_rule(mut self, rule: EnvNameRule) -> Self {
        self.env_rule = rule;
        self
    }
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// A Pod cannot start.
    Error,
    /// Something is skipped or silently degraded.
    Warning,
    /// Worth knowing; nothing fails.
    Info,
}

/// What is wrong with one reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FindingKind {
    /// The Secret does not exist.
    SecretMissing(MissingEffect),
    /// The reference names a key that the Secret lacks.
    KeyMissing { key: Name, effect: MissingEffect },
    /// envFrom skips these keys (prefix included, sorted): they are not valid variable names.
    /// The Pod starts; the kubelet records a Warning event `InvalidEnvironmentVariableNames`.
    EnvFromKeysSkipped { keys: Vec<String> },
    /// An image pull secret without `.dockerconfigjson` or `.dockercfg`: the kubelet ignores it.
    NoDockerConfig,
    /// An Ingress or Gateway TLS Secret without `tls.crt` or `tls.key`.
    TlsKeysMissing { missing: Vec<&'static str> },
    /// A Gateway in another namespace names the Secret and no ReferenceGrant in the Secret's
    /// namespace allows it: the listener is not ready (`RefNotPermitted`). Broken, not a use.
    NotPermitted,
}

/// One finding about one reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding<'a> {
    pub reference: &'a Reference,
    pub kind: FindingKind,
}

impl Finding<'_> {
    pub fn severity(&self) -> Severity {
        match &self.kind {
            FindingKind::SecretMissing(e) | FindingKind::KeyMissing { effect: e, .. } if e.blocks_start() => {
                Severity::Error
            }
            FindingKind::SecretMissing(MissingEffect::Nothing) => Severity::Info,
            FindingKind::NotPermitted => Severity::Error,
            _ => Severity::Warning,
        }
    }

    /// A sentence for the UI; for skipped envFrom keys, the kubelet's event text.
    pub fn message(&self) -> String {
        let r = self.reference;
        let secret = format!("{}/{}", r.namespace(), r.secret);
        match &self.kind {
            FindingKind::SecretMissing(effect) => format!("Secret {secret} not found: {}", effect.describe()),
            FindingKind::KeyMissing { key, effect } => {
                let what = match &r.usage {
                    Usage::Env { .. } => format!("couldn't find key {key} in Secret {secret}"),
                    _ => format!("references non-existent secret key: {key}"),
                };
                format!("{what}: {}", effect.describe())
            }
            FindingKind::EnvFromKeysSkipped { keys } => envfrom_skipped_message(&keys.join(", "), &secret),
            FindingKind::NoDockerConfig => {
                format!("Secret {secret} has neither .dockerconfigjson nor .dockercfg: the kubelet ignores it")
            }
            FindingKind::TlsKeysMissing { missing } => {
                let who =
                    if matches!(r.usage, Usage::GatewayTls { .. }) { "the Gateway" } else { "the ingress controller" };
                format!("Secret {secret} lacks {}: {who} cannot use it", missing.join(" and "))
            }
            FindingKind::NotPermitted => {
                let listener = match &r.usage {
                    Usage::GatewayTls { listener, .. } if !listener.is_empty() => format!("listener \"{listener}\""),
                    _ => "backend client certificate".into(),
                };
                format!(
                    "Gateway {}/{} names Secret {secret} for its {listener}, but no ReferenceGrant in {} allows Gateways of {}: not ready (RefNotPermitted), and not a use",
                    r.consumer.id.namespace,
                    r.consumer.id.name,
                    r.secret_namespace(),
                    r.consumer.id.namespace
                )
            }
        }
    }
}

/// The kubelet's event text for envFrom keys that are not valid variable names.
fn envfrom_skipped_message(keys: &str, secret: &str) -> String {
    format!(
        "Keys [{keys}] from the EnvFrom secret {secret} were skipped since they are considered invalid environment variable names."
    )
}

/// The keys an envFrom with `prefix` skips: those whose prefixed name is not a valid variable
/// name, prefixed and sorted as the kubelet reports them.
pub fn envfrom_skipped_keys<'k>(
    prefix: Option<&str>,
    keys: impl IntoIterator<Item = &'k str>,
    rule: EnvNameRule,
) -> Vec<String> {
    let prefix = prefix.unwrap_or("");
    let mut skipped: Vec<String> =
        keys.into_iter().map(|k| format!("{prefix}{k}")).filter(|k| !rule.accepts(k)).collect();
    skipped.sort();
    skipped
}

/// Everything found about one Secret.
#[derive(Debug, Clone)]
pub struct Analysis<'a> {
    pub namespace: String,
    pub secret: String,
    pub facts: SecretFacts,
    /// Every reference, as [`super::RefIndex::refs_to`] orders them.
    pub references: Vec<&'a Reference>,
    /// Sorted by severity, then in the order of `references`.
    pub findings: Vec<Finding<'a>>,
}

impl<'a> Analysis<'a> {
    /// Each reference with whether and when it sees a change.
    pub fn refresh(&self) -> Vec<(&'a Reference, Refresh)> {
        self.references.iter().map(|r| (*r, r.refresh_for(self.facts.immutable))).collect()
    }

    /// Whether some Pod cannot start because of this Secret.
    pub fn blocks_start(&self) -> bool {
        self.findings.iter().any(|f| f.severity() == Severity::Error)
    }

    /// The findings, each once for all the consumers it concerns in one group (the replicas of
    /// a workload, or one ServiceAccount or Ingress), in the order of `findings`.
    pub fn grouped(&self) -> Vec<FindingGroup<'_, 'a>> {
        type Key<'k> = (ConsumerKind, &'k str, &'k str, &'k Usage, bool, &'k FindingKind);
        let mut seen: HashMap<Key<'_>, usize> = HashMap::new();
        let mut out: Vec<FindingGroup<'_, 'a>> = Vec::new();
        for f in &self.findings {
            let r = f.reference;
            let c = &r.consumer;
            // A workload's Pods and its template are one consumer.
            let (consumer_kind, kind, name) = match &c.workload {
                Some(w) => (ConsumerKind::Pod, w.kind.as_str(), &*w.name),
                None => (c.id.kind, "", &*c.id.name),
            };
            let key = (consumer_kind, kind, name, &r.usage, r.optional, &f.kind);
            match seen.get(&key).and_then(|&i| out.get_mut(i)) {
                Some(group) => group.consumers.push(&c.id),
                None => {
                    seen.insert(key, out.len());
                    out.push(FindingGroup { finding: f, consumers: vec![&c.id] });
                }
            }
        }
        out
    }

    /// Adds a finding for each Gateway reference that no ReferenceGrant allows.
    pub(crate) fn add_not_permitted(&mut self, refs: Vec<&'a Reference>) {
        if refs.is_empty() {
            return;
        }
        self.findings.extend(refs.into_iter().map(|r| Finding { reference: r, kind: FindingKind::NotPermitted }));
        self.findings.sort_by_key(Finding::severity);
    }

    /// The findings about one reference.
    pub fn findings_for(&self, reference: &Reference) -> impl Iterator<Item = &Finding<'a>> {
        let reference: *const Reference = reference;
        self.findings.iter().filter(move |f| std::ptr::eq(f.reference, reference))
    }
}

/// One finding shared by the consumers of a group.
#[derive(Debug, Clone)]
pub struct FindingGroup<'f, 'a> {
    /// The first of the group's findings; its reference's consumer tells the workload.
    pub finding: &'f Finding<'a>,
    pub consumers: Vec<&'a ConsumerId>,
}

/// Findings about the Secret `namespace/secret` and its `references`.
pub fn analyze<'a>(namespace: &str, secret: &str, references: Vec<&'a Reference>, facts: &SecretFacts) -> Analysis<'a> {
    let mut findings = Vec::new();
    for &r in &references {
        if !facts.exists {
            findings.push(Finding { reference: r, kind: FindingKind::SecretMissing(missing_secret_effect(r)) });
            continue;
        }
        let Some(keys) = &facts.keys else { continue };
        let has = |k: &str| keys.contains(k);
        match &r.usage {
            Usage::Env { key, .. } if !has(key) => {
                if let Some(effect) = missing_key_effect(r) {
                    findings.push(Finding { reference: r, kind: FindingKind::KeyMissing { key: key.clone(), effect } });
                }
            }
            Usage::Volume(v) | Usage::Projected(v) => {
                let mut reported: Vec<&str> = Vec::new();
                for item in v.items.iter().filter(|i| !has(&i.key)) {
                    if reported.contains(&&*item.key) {
                        continue;
                    }
                    reported.push(&item.key);
                    if let Some(effect) = missing_key_effect(r) {
                        findings.push(Finding {
                            reference: r,
                            kind: FindingKind::KeyMissing { key: item.key.clone(), effect },
                        });
                    }
                }
            }
            Usage::EnvFrom { prefix, .. } => {
                let skipped = envfrom_skipped_keys(prefix.as_deref(), keys.iter().map(String::as_str), facts.env_rule);
                if !skipped.is_empty() {
                    findings.push(Finding { reference: r, kind: FindingKind::EnvFromKeysSkipped { keys: skipped } });
                }
            }
            Usage::ImagePullSecret | Usage::ServiceAccountImagePullSecret
                if !DOCKER_CONFIG_KEYS.iter().any(|k| has(k)) =>
            {
                findings.push(Finding { reference: r, kind: FindingKind::NoDockerConfig });
            }
            Usage::IngressTls { .. } | Usage::GatewayTls { .. } => {
                let missing: Vec<&'static str> = TLS_KEYS.iter().copied().filter(|k| !has(k)).collect();
                if !missing.is_empty() {
                    findings.push(Finding { reference: r, kind: FindingKind::TlsKeysMissing { missing } });
                }
            }
            _ => {}
        }
    }
    findings.sort_by_key(Finding::severity);
    Analysis { namespace: namespace.into(), secret: secret.into(), facts: facts.clone(), references, findings }
}
