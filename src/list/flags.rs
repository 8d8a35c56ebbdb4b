//! The list's flags, decided in one place: the TUI's FLAGS column and `keyhole list` (its
//! `-o wide` FLAGS, its JSON `flags` and the linter's findings) both call [`for_secret`] and
//! [`for_missing`], so a Secret gets the same flags from both.

use jiff::{SignedDuration, Timestamp};

use super::rows::SecretRow;
use crate::owners::Owner;
use crate::refs::{Known, MissingEffect, MissingSecret, RefIndex};
use crate::secret::types;

/// Certificates expiring within this many days are flagged (`keyhole list --expiring DAYS`
/// chooses another window for its findings).
pub(crate) const EXPIRING_DAYS: u32 = 30;

/// What the list says about a Secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flag {
    /// The first certificate has expired.
    Expired,
    /// The first certificate expires within the window: whole days left.
    Expiring(i64),
    /// Consumers read these keys without `optional: true`, and the Secret does not have them.
    Broken(Vec<String>),
    /// Consumers name it but it does not exist; `fails` when some consumer breaks without it
    /// (a container or volume, an image pull, an Ingress certificate), not only optional ones.
    Missing {
        fails: bool,
    },
    Immutable,
    /// Nothing that was listed uses it (said only when every consumer kind could be listed).
    Unused,
    /// Deleted, and waiting for these finalizers to be removed by their controllers.
    Terminating(Vec<String>),
    /// Controllers write it (Helm, cert-manager, External Secrets, ...): an edit may be put
    /// back. Their short names (`crate::owners::Owner::short`).
    Managed(Vec<String>),
    /// kubectl's last-applied annotation holds a copy of values, in plaintext for `stringData`,
    /// sent to every client that lists Secrets. `stale`: whether the copy differs from the
    /// current values, where they were read anyway (`None`: not known; never read for this).
    PlaintextCopy {
        stale: Option<bool>,
    },
}

/// How urgent a flag is, for colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Severity {
    Bad,
    Warn,
    Info,
}

impl Flag {
    /// The flag as a table cell: one word, no spaces (for awk and cut).
    pub(crate) fn tag(&self) -> String {
        match self {
            Flag::Expired => "EXPIRED".into(),
            Flag::Expiring(days) => format!("EXPIRES-{days}d"),
            Flag::Broken(keys) => format!("BROKEN:{}", keys.join("+")),
            Flag::Missing { fails: true } => "MISSING".into(),
            Flag::Missing { fails: false } => "MISSING-OPTIONAL".into(),
            Flag::Immutable => "IMMUTABLE".into(),
            Flag::Unused => "UNUSED".into(),
            Flag::Terminating(f) if f.is_empty() => "TERMINATING".into(),
            Flag::Terminating(f) => format!("TERMINATING:{}", f.join("+")),
            Flag::Managed(by) => format!("MANAGED:{}", by.join("+")),
            Flag::PlaintextCopy { stale: Some(true) } => "PLAINTEXT-COPY:stale".into(),
            Flag::PlaintextCopy { .. } => "PLAINTEXT-COPY".into(),
        }
    }

    /// The flag's name in JSON.
    pub fn name(&self) -> &'static str {
        match self {
            Flag::Expired => "EXPIRED",
            Flag::Expiring(_) => "EXPIRING",
            Flag::Broken(_) => "BROKEN",
            Flag::Missing { fails: true } => "MISSING",
            Flag::Missing { fails: false } => "MISSING-OPTIONAL",
            Flag::Immutable => "IMMUTABLE",
            Flag::Unused => "UNUSED",
            Flag::Terminating(_) => "TERMINATING",
            Flag::Managed(_) => "MANAGED",
            Flag::PlaintextCopy { .. } => "PLAINTEXT-COPY",
        }
    }

    /// The flag as the TUI shows it.
    pub(crate) fn label(&self) -> String {
        match self {
            Flag::Expiring(days) => format!("EXPIRES {days}d"),
            Flag::Missing { fails: false } => "MISSING (optional)".into(),
            Flag::Terminating(f) if !f.is_empty() => format!("TERMINATING: waits for {}", f.join(", ")),
            Flag::Managed(by) => format!("MANAGED {}", by.join(", ")),
            Flag::PlaintextCopy { stale: Some(true) } => "PLAINTEXT-COPY (stale)".into(),
            other => other.name().to_string(),
        }
    }

    pub(crate) fn severity(&self) -> Severity {
        match self {
            Flag::Expired | Flag::Broken(_) | Flag::Missing { fails: true } => Severity::Bad,
            Flag::Expiring(_) | Flag::Missing { fails: false } | Flag::Terminating(_) | Flag::PlaintextCopy { .. } => {
                Severity::Warn
            }
            Flag::Immutable | Flag::Unused | Flag::Managed(_) => Severity::Info,
        }
    }
}

/// Helm records, bootstrap tokens and service-account tokens are used by Helm, the API server
/// and the token controller, not through a Pod, ServiceAccount or Ingress: never "unused".
pub(crate) fn implicitly_used(type_: &str) -> bool {
    matches!(type_, types::HELM_RELEASE | types::BOOTSTRAP_TOKEN | types::SERVICE_ACCOUNT_TOKEN)
}

/// Keys that some reference without `optional: true` reads and the Secret does not have.
/// Optional references to a missing key are skipped by the kubelet: they break nothing.
pub(crate) fn missing_keys(index: &RefIndex, namespace: &str, name: &str, have: &[String]) -> Vec<String> {
    index
        .key_readers(namespace, name)
        .by_key
        .iter()
        .filter(|(key, _)| !have.iter().any(|h| h == *key))
        .filter(|(_, refs)| refs.iter().any(|r| !r.optional))
        .map(|(key, _)| (*key).to_string())
        .collect()
}

/// Whether some consumer names keys of this Secret (env `secretKeyRef`, volume `items`).
pub(crate) fn reads_keys(index: &RefIndex, namespace: &str, name: &str) -> bool {
    index.key_readers(namespace, name).named_keys().next().is_some()
}

/// Whether the flags of this Secret need its content: a TLS Secret (certificate expiry) or one
/// that consumers read by key (missing keys). Only these are read to learn facts; the values
/// are dropped at once (DESIGN.md decision 5).
pub fn needs_content(row: &SecretRow, index: &RefIndex) -> bool {
    row.is_tls() || reads_keys(index, &row.namespace, &row.name)
}

/// The flags of an existing Secret, most urgent first. `known`: whether every kind of consumer
/// that could reference it was listed ([`crate::refs::Coverage::known`]); "unused" is said only
/// then. Expiry and missing keys need the row's inspected facts; without them those flags are
/// not given. `owners`: every manager of the Secret (its
/// metadata's and the custom resources' that name it, `Writers::owners`).
pub(crate) fn for_secret(
    row: &SecretRow,
    index: &RefIndex,
    known: &Known,
    now: Timestamp,
    expiring_days: u32,
    owners: &[Owner],
) -> Vec<Flag> {
    let mut flags = Vec::new();
    if let Some(finalizers) = &row.terminating {
        flags.push(Flag::Terminating(finalizers.clone()));
    }
    if let Some(inspected) = &row.inspected {
        if let Some(not_after) = inspected.cert_not_after {
            let window = SignedDuration::from_hours(24 * i64::from(expiring_days));
            if not_after <= now {
                flags.push(Flag::Expired);
            } else if not_after <= now + window {
                flags.push(Flag::Expiring(not_after.duration_since(now).as_secs().div_euclid(86_400)));
            }
        }
        let missing = missing_keys(index, &row.namespace, &row.name, &inspected.keys);
        if !missing.is_empty() {
            flags.push(Flag::Broken(missing));
        }
    }
    if row.plaintext_copy {
        flags.push(Flag::PlaintextCopy { stale: row.inspected.as_ref().and_then(|i| i.copy_stale) });
    }
    if row.inspected.as_ref().is_some_and(|i| i.immutable) {
        flags.push(Flag::Immutable);
    }
    if !owners.is_empty() {
        flags.push(Flag::Managed(crate::owners::shorts(owners)));
    }
    // A controller that reads it as its input (Argo CD's repositories) uses it.
    let read_by_controller = owners.iter().any(Owner::reads_it);
    if *known == Known::Complete
        && !index.is_used(&row.namespace, &row.name)
        && !implicitly_used(&row.type_)
        && !read_by_controller
    {
        flags.push(Flag::Unused);
    }
    flags
}

/// Whether a missing reference breaks its consumer.
fn fails(effect: &MissingEffect) -> bool {
    effect.breaks()
}

/// The flag of a Secret that consumers name but that does not exist.
pub(crate) fn for_missing(missing: &MissingSecret<'_>) -> Flag {
    Flag::Missing { fails: missing.references.iter().any(|(_, e)| fails(e)) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::list::rows::Inspected;
    use crate::refs::WorkloadResolver;

    fn now() -> Timestamp {
        "2026-06-01T00:00:00Z".parse().unwrap()
    }

    fn row(name: &str, type_: &str, inspected: Option<Inspected>) -> SecretRow {
        SecretRow { namespace: "ns".into(), name: name.into(), type_: type_.into(), inspected, ..Default::default() }
    }

    fn facts(keys: &[&str], immutable: bool, cert_days: Option<i64>) -> Inspected {
        Inspected {
            keys: keys.iter().map(|k| (*k).to_string()).collect(),
            immutable,
            cert_not_after: cert_days.map(|d| now() + SignedDuration::from_hours(24 * d)),
            copy_stale: None,
            resource_version: "1".into(),
        }
    }

    /// An index with one Pod that reads `secret`/`key` through env, optional or not.
    fn index_reading(secret: &str, key: &str, optional: bool) -> RefIndex {
        let pod: k8s_openapi::api::core::v1::Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "p", "namespace": "ns"},
            "spec": {"containers": [{"name": "c", "env": [{"name": "V",
                "valueFrom": {"secretKeyRef": {"name": secret, "key": key, "optional": optional}}}]}]}
        }))
        .unwrap();
        let mut i = RefIndex::new();
        i.upsert_pod(&pod, &WorkloadResolver::new());
        i
    }

    /// The one table: each rule with a case that gives the flag and one that does not.
    #[test]
    fn the_flags_table() {
        let used = index_reading("s", "password", false);
        let optional = index_reading("s", "password", true);
        let empty = RefIndex::new();
        let tls = types::TLS;
        let cases: Vec<(&str, SecretRow, &RefIndex, bool, Vec<Flag>)> = vec![
            (
                "expired certificate",
                row("s", tls, Some(facts(&["password"], false, Some(-1)))),
                &used,
                true,
                vec![Flag::Expired],
            ),
            (
                "expires in 12 days",
                row("s", tls, Some(facts(&["password"], false, Some(12)))),
                &used,
                true,
                vec![Flag::Expiring(12)],
            ),
            ("expires in 90 days", row("s", tls, Some(facts(&["password"], false, Some(90)))), &used, true, vec![]),
            (
                "a key read without optional is missing",
                row("s", "Opaque", Some(facts(&["user"], false, None))),
                &used,
                true,
                vec![Flag::Broken(vec!["password".into()])],
            ),
            ("the key is there", row("s", "Opaque", Some(facts(&["password"], false, None))), &used, true, vec![]),
            (
                "an optional reader of a missing key breaks nothing",
                row("s", "Opaque", Some(facts(&["user"], false, None))),
                &optional,
                true,
                vec![],
            ),
            (
                "immutable",
                row("s", "Opaque", Some(facts(&["password"], true, None))),
                &used,
                true,
                vec![Flag::Immutable],
            ),
            ("not inspected: no content flags", row("s", "Opaque", None), &used, true, vec![]),
            ("nothing uses it", row("s", "Opaque", None), &empty, true, vec![Flag::Unused]),
            ("usage unknown: never unused", row("s", "Opaque", None), &empty, false, vec![]),
            ("Helm records are used by Helm", row("s", types::HELM_RELEASE, None), &empty, true, vec![]),
            (
                "bootstrap tokens are used by the API server",
                row("s", types::BOOTSTRAP_TOKEN, None),
                &empty,
                true,
                vec![],
            ),
            (
                "service-account tokens are used by the token controller",
                row("s", types::SERVICE_ACCOUNT_TOKEN, None),
                &empty,
                true,
                vec![],
            ),
            (
                "several at once, most urgent first",
                row("s", tls, Some(facts(&[], true, Some(3)))),
                &empty,
                true,
                vec![Flag::Expiring(3), Flag::Immutable, Flag::Unused],
            ),
            (
                "deleted, waiting for a finalizer",
                SecretRow { terminating: Some(vec!["example.com/keep".into()]), ..row("s", "Opaque", None) },
                &used,
                true,
                vec![Flag::Terminating(vec!["example.com/keep".into()])],
            ),
        ];
        for (what, row, index, known, want) in cases {
            let known = if known { Known::Complete } else { Known::Unknown(vec!["cannot list CronJobs in ns".into()]) };
            assert_eq!(for_secret(&row, index, &known, now(), EXPIRING_DAYS, &[]), want, "{what}");
        }
        // Still listing: not unused yet.
        assert_eq!(for_secret(&row("s", "Opaque", None), &empty, &Known::Pending, now(), EXPIRING_DAYS, &[]), vec![]);
        // The window is the caller's: --expiring 7 does not flag a certificate with 12 days left.
        let r = row("s", tls, Some(facts(&["password"], false, Some(12))));
        assert_eq!(for_secret(&r, &used, &Known::Complete, now(), 7, &[]), vec![]);
    }

    #[test]
    fn managed_secrets_are_flagged_with_their_managers() {
        use crate::owners::Manager;
        let cert = Owner::new(Manager::CertManager { certificate: Some("web-cert".into()), issuer: None }, "x");
        let repo = Owner::new(Manager::ArgoCdConfig { secret_type: "repository".into() }, "x");
        let helm = Owner::new(Manager::Helm { release: Some("shop".into()), namespace: None }, "x");
        let empty = RefIndex::new();
        let cases: Vec<(&str, Vec<Owner>, Vec<Flag>)> = vec![
            ("not managed", vec![], vec![Flag::Unused]),
            (
                "cert-manager's, unused all the same",
                vec![cert.clone()],
                vec![Flag::Managed(vec!["cert-manager".into()]), Flag::Unused],
            ),
            ("Argo CD reads its repositories: never unused", vec![repo], vec![Flag::Managed(vec!["argocd".into()])]),
            (
                "several managers, each named once",
                vec![helm, cert.clone(), cert],
                vec![Flag::Managed(vec!["helm".into(), "cert-manager".into()]), Flag::Unused],
            ),
        ];
        for (what, owners, want) in cases {
            assert_eq!(
                for_secret(&row("s", "Opaque", None), &empty, &Known::Complete, now(), EXPIRING_DAYS, &owners),
                want,
                "{what}"
            );
        }
        assert_eq!(Flag::Managed(vec!["helm".into(), "cert-manager".into()]).tag(), "MANAGED:helm+cert-manager");
        assert_eq!(Flag::Managed(vec!["helm".into()]).label(), "MANAGED helm");
    }

    #[test]
    fn missing_secrets_fail_unless_every_reference_is_optional() {
        let required = index_reading("gone", "k", false);
        let optional = index_reading("gone", "k", true);
        let m = required.missing_in("ns", |_| false);
        assert_eq!(m.iter().map(for_missing).collect::<Vec<_>>(), vec![Flag::Missing { fails: true }]);
        let m = optional.missing_in("ns", |_| false);
        assert_eq!(m.iter().map(for_missing).collect::<Vec<_>>(), vec![Flag::Missing { fails: false }]);
    }

    #[test]
    fn tags_have_no_spaces() {
        for f in [
            Flag::Expired,
            Flag::Expiring(3),
            Flag::Broken(vec!["a".into(), "b".into()]),
            Flag::Missing { fails: true },
            Flag::Missing { fails: false },
            Flag::Immutable,
            Flag::Unused,
            Flag::Terminating(vec!["a/b".into()]),
            Flag::Managed(vec!["cert-manager".into(), "helm".into()]),
            Flag::PlaintextCopy { stale: None },
            Flag::PlaintextCopy { stale: Some(true) },
        ] {
            assert!(!f.tag().contains(' '), "{}", f.tag());
        }
        assert_eq!(Flag::Broken(vec!["a".into(), "b".into()]).tag(), "BROKEN:a+b");
        assert_eq!(Flag::PlaintextCopy { stale: Some(false) }.tag(), "PLAINTEXT-COPY");
        assert_eq!(Flag::PlaintextCopy { stale: Some(true) }.name(), "PLAINTEXT-COPY");
    }

    /// PLAINTEXT-COPY comes from the row's metadata alone; whether the copy is stale only from
    /// facts learnt by an inspection that happened anyway.
    #[test]
    fn a_plaintext_copy_is_flagged_and_stale_only_when_known() {
        let copy = |inspected: Option<Inspected>| SecretRow { plaintext_copy: true, ..row("s", "Opaque", inspected) };
        let with_stale = |stale: Option<bool>| Inspected { copy_stale: stale, ..facts(&["password"], false, None) };
        let used = index_reading("s", "password", false);
        let cases: Vec<(&str, SecretRow, Vec<Flag>)> = vec![
            ("no copy", row("s", "Opaque", None), vec![]),
            ("a copy, values never read", copy(None), vec![Flag::PlaintextCopy { stale: None }]),
            (
                "a copy of the current values",
                copy(Some(with_stale(Some(false)))),
                vec![Flag::PlaintextCopy { stale: Some(false) }],
            ),
            ("a stale copy", copy(Some(with_stale(Some(true)))), vec![Flag::PlaintextCopy { stale: Some(true) }]),
            ("facts without a copy do not flag it", row("s", "Opaque", Some(with_stale(Some(true)))), vec![]),
            (
                "after the missing keys, before immutable",
                SecretRow { plaintext_copy: true, ..row("s", "Opaque", Some(facts(&["user"], true, None))) },
                vec![Flag::Broken(vec!["password".into()]), Flag::PlaintextCopy { stale: None }, Flag::Immutable],
            ),
        ];
        for (what, row, want) in cases {
            assert_eq!(for_secret(&row, &used, &Known::Complete, now(), EXPIRING_DAYS, &[]), want, "{what}");
        }
        assert_eq!(Flag::PlaintextCopy { stale: Some(true) }.label(), "PLAINTEXT-COPY (stale)");
        assert_eq!(Flag::PlaintextCopy { stale: None }.label(), "PLAINTEXT-COPY");
    }
}
