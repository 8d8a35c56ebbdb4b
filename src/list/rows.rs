//! One row of the Secrets list: what the list knows without downloading values.

use jiff::Timestamp;

use crate::secret::types;

/// Facts about a Secret's content, learned by inspecting it (never the values themselves).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inspected {
    pub keys: Vec<String>,
    pub immutable: bool,
    /// The earliest `notAfter` among the certificates of `tls.crt`, for TLS Secrets.
    pub cert_not_after: Option<Timestamp>,
    /// Whether kubectl's last-applied annotation holds values other than the current ones
    /// (`None`: it holds no values). Only a fact: the values are compared and dropped.
    pub copy_stale: Option<bool>,
    /// What the typed views found wrong (key/certificate, CA, docker auth).
    pub problems: Vec<super::inspect::Problem>,
    /// A bootstrap token's expiration (an unreadable one as `Timestamp::MIN`: already past).
    pub token_expires: Option<Timestamp>,
    /// The version these facts are from: a row at a newer version is inspected again, and
    /// shows these facts until then.
    pub resource_version: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SecretRow {
    pub namespace: String,
    pub name: String,
    pub type_: String,
    /// The DATA column: how many keys.
    pub keys: i64,
    pub created: Option<Timestamp>,
    pub resource_version: String,
    /// Being deleted (`deletionTimestamp` set): the finalizers it waits for.
    pub terminating: Option<Vec<String>>,
    /// For a service-account token Secret: the ServiceAccount its annotation
    /// `kubernetes.io/service-account.name` binds it to (the only annotation kept).
    pub service_account: Option<String>,
    pub inspected: Option<Inspected>,
    /// Inspection was tried and failed (e.g. no permission to read values): not retried.
    pub inspect_failed: bool,
    /// Place in name order among all rows, set by the list when rows are added (`None` until
    /// then) and kept when a row is updated, so that neither a keystroke in the filter nor a
    /// storm of updates compares 20,000 names again: they sort by this integer.
    pub name_rank: Option<u32>,
    /// Who manages it, as its own metadata says (labels, annotations, owner references; see
    /// `crate::owners`). Custom resources that name it are added where the list is shown.
    pub owners: Vec<crate::owners::Owner>,
    /// kubectl's last-applied annotation holds values (`data` or `stringData`): a plaintext
    /// copy that every client listing Secrets receives. Decided at decode; the annotation's
    /// text is not kept (DESIGN.md decision 5).
    pub plaintext_copy: bool,
}

impl SecretRow {
    pub fn key(&self) -> (String, String) {
        (self.namespace.clone(), self.name.clone())
    }

    pub fn is_helm(&self) -> bool {
        self.type_ == types::HELM_RELEASE
    }

    pub(crate) fn is_tls(&self) -> bool {
        self.type_ == types::TLS
    }

    /// No facts yet, or facts of an older version.
    pub(crate) fn needs_inspection(&self) -> bool {
        self.inspected.as_ref().is_none_or(|i| i.resource_version != self.resource_version)
    }

    /// Days until the first certificate expires (negative when expired), when known.
    pub(crate) fn cert_days_left(&self, now: Timestamp) -> Option<i64> {
        let t = self.inspected.as_ref()?.cert_not_after?;
        Some(t.duration_since(now).as_secs().div_euclid(86_400))
    }
}
