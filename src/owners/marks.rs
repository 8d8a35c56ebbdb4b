//! The metadata that says who manages a Secret, read without keeping anything else: the few
//! labels and annotations that controllers write (by key, from a fixed list), and the owner
//! references. Other annotations are skipped at decode without being copied: kubectl's
//! last-applied annotation can hold the values (DESIGN.md decision 5).

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

/// Labels read (every other label is skipped).
pub const LABELS: &[&str] = &[
    // Helm release records (HELM pkg/storage/driver/secrets.go newSecretsObject).
    "owner",
    "name",
    "version",
    "status",
    // Objects of a Helm chart (HELM pkg/action/validate.go).
    "app.kubernetes.io/managed-by",
    // Argo CD configuration Secrets and the tracking label.
    "argocd.argoproj.io/secret-type",
    "argocd.argoproj.io/instance",
    // External Secrets Operator.
    "reconcile.external-secrets.io/managed",
    "reconcile.external-secrets.io/created-by",
    // cert-manager.
    "controller.cert-manager.io/fao",
    "cert-manager.io/next-private-key",
];

/// Annotations read (every other annotation is skipped, kubectl's last-applied copy included).
pub const ANNOTATIONS: &[&str] = &[
    "meta.helm.sh/release-name",
    "meta.helm.sh/release-namespace",
    "cert-manager.io/certificate-name",
    "cert-manager.io/issuer-name",
    "cert-manager.io/issuer-kind",
    "cert-manager.io/issuer-group",
    "reconcile.external-secrets.io/data-hash",
    "argocd.argoproj.io/tracking-id",
    "kubernetes.io/service-account.name",
];

/// Takes out of a copy of a Secret (a clone) the marks by which controllers recognise their own
/// Secrets: a copy is nobody's, and with them it would look managed, to keyhole and to the
/// controllers (Helm lists its release records by their labels). The service-account name
/// stays: the API server requires it on token Secrets. Returns the keys taken out.
pub fn strip_for_copy(
    type_: &str,
    labels: &mut Option<BTreeMap<String, String>>,
    annotations: &mut Option<BTreeMap<String, String>>,
) -> Vec<String> {
    // `owner`, `name`, `version` and `status` mean something only on Helm's release records.
    let generic = ["owner", "name", "version", "status"];
    let helm_record = type_ == crate::secret::types::HELM_RELEASE;
    let mut removed = Vec::new();
    if let Some(l) = labels.as_mut() {
        for k in LABELS.iter().filter(|k| helm_record || !generic.contains(k)) {
            if l.remove(*k).is_some() {
                removed.push((*k).to_string());
            }
        }
    }
    if let Some(a) = annotations.as_mut() {
        for k in ANNOTATIONS.iter().filter(|k| **k != "kubernetes.io/service-account.name") {
            if a.remove(*k).is_some() {
                removed.push((*k).to_string());
            }
        }
    }
    removed
}

/// Some labels or annotations: only keys of [`LABELS`] or [`ANNOTATIONS`], in the order met.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marks(Vec<(&'static str, String)>);

impl Marks {
    /// The known keys among `pairs` (a Secret's labels or annotations as read in full).
    pub fn from_pairs<'a>(known: &'static [&'static str], pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Marks(
            pairs
                .into_iter()
                .filter_map(|(k, v)| known.iter().find(|x| **x == k).map(|x| (*x, v.to_string())))
                .collect(),
        )
    }

    pub fn labels(map: Option<&BTreeMap<String, String>>) -> Self {
        Self::from_pairs(LABELS, map.into_iter().flatten().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    pub fn annotations(map: Option<&BTreeMap<String, String>>) -> Self {
        Self::from_pairs(ANNOTATIONS, map.into_iter().flatten().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| *k == key).map(|(_, v)| v.as_str())
    }

    /// A value that is there and not empty.
    pub(crate) fn value(&self, key: &str) -> Option<&str> {
        self.get(key).filter(|v| !v.is_empty())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Which keys a map is read for.
struct MarksVisitor(&'static [&'static str]);

/// A map key, matched against the known keys without being copied.
struct KeySeed(&'static [&'static str]);

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Option<&'static str>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed {
    type Value = Option<&'static str>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a label or annotation key")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(self.0.iter().find(|k| **k == v).copied())
    }
}

impl<'de> Visitor<'de> for MarksVisitor {
    type Value = Marks;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map of labels or annotations")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Marks, A::Error> {
        let mut out = Vec::new();
        while let Some(key) = map.next_key_seed(KeySeed(self.0))? {
            match key {
                Some(k) => {
                    // A null value (never written by the API server) reads as empty.
                    let v: Option<String> = map.next_value()?;
                    out.push((k, v.unwrap_or_default()));
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Marks(out))
    }
}

/// Reads the labels of a Secret's metadata, keeping the known ones (null reads as none).
pub fn de_labels<'de, D: Deserializer<'de>>(d: D) -> Result<Marks, D::Error> {
    d.deserialize_option(OptionalMarks(LABELS))
}

/// Reads the annotations of a Secret's metadata, keeping the known ones (null reads as none).
pub fn de_annotations<'de, D: Deserializer<'de>>(d: D) -> Result<Marks, D::Error> {
    d.deserialize_option(OptionalMarks(ANNOTATIONS))
}

struct OptionalMarks(&'static [&'static str]);

impl<'de> Visitor<'de> for OptionalMarks {
    type Value = Marks;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map of labels or annotations, or null")
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<Marks, E> {
        Ok(Marks::default())
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Marks, E> {
        Ok(Marks::default())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Marks, D::Error> {
        d.deserialize_map(MarksVisitor(self.0))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Marks, A::Error> {
        MarksVisitor(self.0).visit_map(map)
    }
}

/// One of `metadata.ownerReferences`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct OwnerRef {
    #[serde(default, rename = "apiVersion")]
    pub api_version: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    /// The owner's controller reconciles this object.
    #[serde(default)]
    pub controller: Option<bool>,
}

impl OwnerRef {
    /// The API group of the owner (`""` for the core group).
    pub fn group(&self) -> &str {
        self.api_version.rsplit_once('/').map_or("", |(g, _)| g)
    }

    pub fn is_controller(&self) -> bool {
        self.controller == Some(true)
    }
}

/// Reads `metadata.ownerReferences` (null reads as none).
pub fn de_owner_refs<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<OwnerRef>, D::Error> {
    Ok(<Option<Vec<OwnerRef>> as serde::Deserialize>::deserialize(d)?.unwrap_or_default())
}

/// What the detection reads of a Secret: its type and the metadata above.
#[derive(Debug, Clone, Copy)]
pub struct Meta<'a> {
    pub type_: &'a str,
    pub namespace: &'a str,
    pub name: &'a str,
    pub labels: &'a Marks,
    pub annotations: &'a Marks,
    pub owner_references: &'a [OwnerRef],
}

/// A Secret's metadata in full (an opened Secret), read into [`Marks`] and [`OwnerRef`]s.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OwnedMeta {
    pub type_: String,
    pub namespace: String,
    pub name: String,
    pub labels: Marks,
    pub annotations: Marks,
    pub owner_references: Vec<OwnerRef>,
}

impl OwnedMeta {
    pub fn from_object_meta(type_: &str, m: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> Self {
        OwnedMeta {
            type_: type_.to_string(),
            namespace: m.namespace.clone().unwrap_or_default(),
            name: m.name.clone().unwrap_or_default(),
            labels: Marks::labels(m.labels.as_ref()),
            annotations: Marks::annotations(m.annotations.as_ref()),
            owner_references: m
                .owner_references
                .iter()
                .flatten()
                .map(|o| OwnerRef {
                    api_version: o.api_version.clone(),
                    kind: o.kind.clone(),
                    name: o.name.clone(),
                    controller: o.controller,
                })
                .collect(),
        }
    }

    pub fn meta(&self) -> Meta<'_> {
        Meta {
            type_: &self.type_,
            namespace: &self.namespace,
            name: &self.name,
            labels: &self.labels,
            annotations: &self.annotations,
            owner_references: &self.owner_references,
        }
    }
}
