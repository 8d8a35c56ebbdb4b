//! Owners from a Secret's own metadata: its type, the labels and annotations controllers
//! write, and its owner references (see /work/shared/reference/secret-references.md §4.0 and
//! docs/owners.md). Nothing is guessed: a mark that does not name its owner gives an owner
//! without a name, and a tracking annotation that names another object is ignored, as Argo CD
//! ignores it.

use super::marks::{Meta, OwnerRef};
use super::{Manager, Owner};
use crate::secret::types;

/// Every owner that the metadata names, each once.
pub fn detect(m: Meta<'_>) -> Vec<Owner> {
    let mut found = Vec::new();
    helm(m, &mut found);
    cert_manager(m, &mut found);
    external_secrets(m, &mut found);
    argo_cd(m, &mut found);
    if m.type_ == types::SERVICE_ACCOUNT_TOKEN {
        let sa = m.annotations.value("kubernetes.io/service-account.name").map(str::to_string);
        found.push(Owner::new(
            Manager::TokenController { service_account: sa },
            "type kubernetes.io/service-account-token",
        ));
    }
    for r in m.owner_references {
        found.push(from_owner_ref(m, r));
    }
    // Argo CD renders Helm charts itself (`helm template`): a chart's managed-by=Helm label
    // without a release annotation is Argo CD's, not a Helm release's.
    if found.iter().any(|o| matches!(o.manager, Manager::ArgoCdApp { .. })) {
        found.retain(|o| !matches!(o.manager, Manager::Helm { release: None, .. }));
    }
    let mut out = Vec::with_capacity(found.len());
    for o in found {
        merge(&mut out, o);
    }
    out
}

fn helm(m: Meta<'_>, found: &mut Vec<Owner>) {
    let labels = m.labels;
    if m.type_ == types::HELM_RELEASE {
        // Labels as Helm's Secrets driver writes them; the name as Helm makes it
        // (`sh.helm.release.v1.<release>.v<revision>`) when they are gone.
        let from_name = m.name.strip_prefix("sh.helm.release.v1.").and_then(|r| r.rsplit_once(".v"));
        let (release, from) = match (labels.value("name"), from_name) {
            (Some(r), _) if labels.get("owner") == Some("helm") => (r.to_string(), "labels owner=helm, name, version"),
            (_, Some((r, _))) => (r.to_string(), "type helm.sh/release.v1 and the name Helm gives it"),
            _ => return,
        };
        let revision = labels.value("version").map(str::to_string).or_else(|| from_name.map(|(_, v)| v.to_string()));
        let status = labels.value("status").map(str::to_string);
        found.push(Owner::new(Manager::HelmRecord { release, revision, status }, from));
        return;
    }
    let release = m.annotations.value("meta.helm.sh/release-name").map(str::to_string);
    let labelled = labels.get("app.kubernetes.io/managed-by") == Some("Helm");
    if release.is_none() && !labelled {
        return;
    }
    let namespace =
        m.annotations.value("meta.helm.sh/release-namespace").filter(|ns| *ns != m.namespace).map(str::to_string);
    let from = if release.is_some() {
        "annotations meta.helm.sh/release-name, release-namespace"
    } else {
        "label app.kubernetes.io/managed-by=Helm"
    };
    found.push(Owner::new(Manager::Helm { release, namespace }, from));
}

fn cert_manager(m: Meta<'_>, found: &mut Vec<Owner>) {
    let certificate = m.annotations.value("cert-manager.io/certificate-name").map(str::to_string);
    let next_key = m.labels.get("cert-manager.io/next-private-key") == Some("true");
    if next_key {
        // The owner reference (below) names the Certificate.
        let certificate = m
            .owner_references
            .iter()
            .find(|r| r.kind == "Certificate" && r.group() == "cert-manager.io")
            .map(|r| r.name.clone());
        found.push(Owner::new(Manager::CertManagerNextKey { certificate }, "label cert-manager.io/next-private-key"));
        return;
    }
    let issuer = m.annotations.value("cert-manager.io/issuer-name").map(|name| {
        let kind = m.annotations.value("cert-manager.io/issuer-kind").unwrap_or("Issuer");
        match m.annotations.value("cert-manager.io/issuer-group").filter(|g| *g != "cert-manager.io") {
            Some(group) => format!("{kind}.{group} {name}"),
            None => format!("{kind} {name}"),
        }
    });
    if certificate.is_some() {
        found.push(Owner::new(
            Manager::CertManager { certificate, issuer },
            "annotation cert-manager.io/certificate-name",
        ));
    } else if m.labels.get("controller.cert-manager.io/fao") == Some("true") {
        // cert-manager's label on the Secrets it writes. An issuer annotation alone is not
        // enough: cert-manager writes it with the Certificate's name, and a Certificate that
        // names the Secret is found through its spec.secretName.
        found.push(Owner::new(
            Manager::CertManager { certificate: None, issuer },
            "label controller.cert-manager.io/fao",
        ));
    }
}

fn external_secrets(m: Meta<'_>, found: &mut Vec<Owner>) {
    let marked = m.labels.get("reconcile.external-secrets.io/managed") == Some("true")
        || m.labels.get("reconcile.external-secrets.io/created-by").is_some()
        || m.annotations.get("reconcile.external-secrets.io/data-hash").is_some();
    if marked {
        // The created-by label is a hash of the ExternalSecret's name: it names nothing.
        found.push(Owner::new(
            Manager::ExternalSecrets { external_secret: None, policy: None },
            "label reconcile.external-secrets.io/managed",
        ));
    }
}

fn argo_cd(m: Meta<'_>, found: &mut Vec<Owner>) {
    if let Some(t) = m.labels.value("argocd.argoproj.io/secret-type") {
        found.push(Owner::new(
            Manager::ArgoCdConfig { secret_type: t.to_string() },
            "label argocd.argoproj.io/secret-type",
        ));
    }
    if let Some(app) = m.annotations.value("argocd.argoproj.io/tracking-id").and_then(|id| tracked_app(id, m)) {
        found.push(Owner::new(Manager::ArgoCdApp { application: app }, "annotation argocd.argoproj.io/tracking-id"));
    }
    if let Some(app) = m.labels.value("argocd.argoproj.io/instance") {
        found
            .push(Owner::new(Manager::ArgoCdApp { application: app.to_string() }, "label argocd.argoproj.io/instance"));
    }
}

/// The Application of an Argo CD tracking id (`<app>:<group>/<kind>:<namespace>/<name>`, the app
/// as `<namespace>_<name>` for Applications outside Argo CD's namespace), if it tracks this
/// Secret: a copied annotation that names another object is not Argo CD's.
fn tracked_app(id: &str, m: Meta<'_>) -> Option<String> {
    let (app, rest) = id.split_once(':')?;
    let (group_kind, ns_name) = rest.split_once(':')?;
    let (group, kind) = group_kind.split_once('/')?;
    let (ns, name) = ns_name.split_once('/')?;
    let this = group.is_empty() && kind == "Secret" && name == m.name && (ns.is_empty() || ns == m.namespace);
    (this && !app.is_empty()).then(|| app.replacen('_', "/", 1))
}

fn from_owner_ref(m: Meta<'_>, r: &OwnerRef) -> Owner {
    let name = Some(r.name.clone()).filter(|n| !n.is_empty());
    let manager = match (r.group(), r.kind.as_str()) {
        ("cert-manager.io", "Certificate") if m.labels.get("cert-manager.io/next-private-key") == Some("true") => {
            Manager::CertManagerNextKey { certificate: name }
        }
        ("cert-manager.io", "Certificate") => Manager::CertManager { certificate: name, issuer: None },
        ("external-secrets.io", "ExternalSecret") => Manager::ExternalSecrets { external_secret: name, policy: None },
        ("bitnami.com", "SealedSecret") => Manager::SealedSecrets { sealed_secret: r.name.clone() },
        _ => Manager::OwnedBy {
            api_version: r.api_version.clone(),
            kind: r.kind.clone(),
            name: r.name.clone(),
            controller: r.is_controller(),
        },
    };
    Owner::new(manager, "ownerReference")
}

/// The name an owner gives, to tell two findings of one owner from two owners.
fn name_of(m: &Manager) -> Option<&str> {
    match m {
        Manager::Helm { release, .. } => release.as_deref(),
        Manager::HelmRecord { release, .. } => Some(release),
        Manager::CertManager { certificate, .. } | Manager::CertManagerNextKey { certificate } => {
            certificate.as_deref()
        }
        Manager::ExternalSecrets { external_secret, .. } => external_secret.as_deref(),
        Manager::SealedSecrets { sealed_secret } => Some(sealed_secret),
        Manager::ArgoCdConfig { secret_type } => Some(secret_type),
        Manager::ArgoCdApp { application } => Some(application),
        Manager::TokenController { service_account } => service_account.as_deref(),
        Manager::OwnedBy { name, .. } => Some(name),
    }
}

/// Adds an owner, or what it adds to one already there: the same kind of manager with the same
/// name (or one of them unnamed) is one owner, with the details and the fields of both.
pub fn merge(owners: &mut Vec<Owner>, new: Owner) {
    let same = |o: &Owner| match (&o.manager, &new.manager) {
        (Manager::OwnedBy { .. }, Manager::OwnedBy { .. }) => o.manager == new.manager,
        (a, b) if std::mem::discriminant(a) == std::mem::discriminant(b) => match (name_of(a), name_of(b)) {
            (Some(x), Some(y)) => x == y,
            _ => true,
        },
        _ => false,
    };
    let Some(old) = owners.iter_mut().find(|o| same(o)) else {
        owners.push(new);
        return;
    };
    for f in new.from {
        if !old.from.contains(&f) {
            old.from.push(f);
        }
    }
    fill(&mut old.manager, new.manager);
}

/// Fills what `into` does not know from `other`, an equal owner found another way.
fn fill(into: &mut Manager, other: Manager) {
    fn or<T>(a: &mut Option<T>, b: Option<T>) {
        if a.is_none() {
            *a = b;
        }
    }
    match (into, other) {
        (Manager::Helm { release, namespace }, Manager::Helm { release: r, namespace: n }) => {
            or(release, r);
            or(namespace, n);
        }
        (Manager::CertManager { certificate, issuer }, Manager::CertManager { certificate: c, issuer: i }) => {
            or(certificate, c);
            or(issuer, i);
        }
        (Manager::CertManagerNextKey { certificate }, Manager::CertManagerNextKey { certificate: c }) => {
            or(certificate, c)
        }
        (
            Manager::ExternalSecrets { external_secret, policy },
            Manager::ExternalSecrets { external_secret: e, policy: p },
        ) => {
            or(external_secret, e);
            or(policy, p);
        }
        (Manager::TokenController { service_account }, Manager::TokenController { service_account: s }) => {
            or(service_account, s)
        }
        _ => {}
    }
}
