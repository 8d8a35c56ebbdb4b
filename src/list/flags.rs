//! The list's flags, decided in one place: the TUI's FLAGS column and `keyhole list` (its
//! `-o wide` FLAGS, its JSON `flags` and the linter's findings) both call [`for_secret`] and
//! [`for_missing`], so a Secret gets the same flags from both.

use jiff::{SignedDuration, Timestamp};

use super::inspect::Problem;
use super::rows::SecretRow;
use crate::owners::Owner;
use crate::refs::{Known, MissingEffect, MissingSecret, RefIndex};
use crate::secret::types;
use crate::validate::EnvNameRule;

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
    /// `tls.key` is not the private key of the first certificate in `tls.crt`.
    KeyMismatch,
    /// No certificate in `ca.crt` issued the chain in `tls.crt`.
    CaMismatch,
    /// A docker registry's `auth` is not base64 of its `username:password`: these registries.
    AuthMismatch(Vec<String>),
    /// Consumers load it with `envFrom`, and these keys (with the consumer's prefix) are not
    /// variable names under the cluster's rule: the kubelet skips them.
    EnvFromSkips(Vec<String>),
    /// A bootstrap token past its expiration: the API server rejects it, the token cleaner
    /// deletes it.
    TokenExpired,
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
            Flag::AuthMismatch(servers) => format!("AUTH-MISMATCH:{}", servers.join("+")),
            Flag::EnvFromSkips(keys) => format!("ENVFROM-SKIPS:{}", keys.join("+")),
            other => other.name().into(),
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
            Flag::KeyMismatch => "KEY-MISMATCH",
            Flag::CaMismatch => "CA-MISMATCH",
            Flag::AuthMismatch(_) => "AUTH-MISMATCH",
            Flag::EnvFromSkips(_) => "ENVFROM-SKIPS",
            Flag::TokenExpired => "TOKEN-EXPIRED",
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
            Flag::EnvFromSkips(keys) => format!("ENVFROM-SKIPS {}", keys.join(", ")),
            other => other.name().to_string(),
        }
    }

    /// One line that says what the flag means and what to do, for the opened Secret.
    pub(crate) fn explain(&self) -> String {
        match self {
            Flag::Expired => "the certificate in tls.crt has expired: clients reject it. Renew it.".into(),
            Flag::Expiring(days) => {
                format!("the certificate in tls.crt expires in {days} days: renew it before clients reject it.")
            }
            Flag::Broken(keys) => format!(
                "consumers read {} without optional: true, and the Secret has no such key: their Pods cannot start.",
                keys.join(", ")
            ),
            Flag::Missing { fails: true } => "consumers name it, but it does not exist: they cannot start.".into(),
            Flag::Missing { fails: false } => {
                "consumers name it (optionally), but it does not exist: they run without it.".into()
            }
            Flag::Immutable => "immutable: values cannot change; clone it to a new name to change them.".into(),
            Flag::Unused => "nothing that was listed uses it (every kind of consumer could be listed).".into(),
            Flag::Terminating(f) if f.is_empty() => "being deleted.".into(),
            Flag::Terminating(f) => format!("being deleted, waiting for the finalizers {}.", f.join(", ")),
            Flag::Managed(by) => format!("written by {}: an edit may be put back.", by.join(", ")),
            Flag::PlaintextCopy { stale } => format!(
                "kubectl's last-applied annotation holds a plaintext copy of values{}, sent to everyone who lists Secrets.",
                if *stale == Some(true) { " (old ones)" } else { "" }
            ),
            Flag::KeyMismatch => {
                "tls.key is not the key of the certificate in tls.crt: TLS servers refuse the pair.".into()
            }
            Flag::CaMismatch => {
                "no certificate in ca.crt issued tls.crt: clients that trust ca.crt reject the server.".into()
            }
            Flag::AuthMismatch(servers) => format!(
                "the \"auth\" of {} is not base64 of username:password: the kubelet pulls with \"auth\".",
                servers.join(", ")
            ),
            Flag::EnvFromSkips(keys) => format!(
                "envFrom consumers skip {}: not variable names under this cluster's rule (use secretKeyRef or rename).",
                keys.join(", ")
            ),
            Flag::TokenExpired => {
                "the bootstrap token has expired: the API server rejects it and the token cleaner deletes it.".into()
            }
        }
    }

    pub(crate) fn severity(&self) -> Severity {
        match self {
            Flag::Expired
            | Flag::Broken(_)
            | Flag::Missing { fails: true }
            | Flag::KeyMismatch
            | Flag::TokenExpired => Severity::Bad,
            Flag::Expiring(_)
            | Flag::Missing { fails: false }
            | Flag::Terminating(_)
            | Flag::PlaintextCopy { .. }
            | Flag::CaMismatch
            | Flag::AuthMismatch(_)
            | Flag::EnvFromSkips(_) => Severity::Warn,
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

/// The keys `envFrom` consumers skip: a key whose name with a consumer's prefix is not a
/// variable name under `rule`. Sorted, each once, without the prefix.
pub(crate) fn envfrom_skipped(
    index: &RefIndex,
    namespace: &str,
    name: &str,
    keys: &[String],
    rule: EnvNameRule,
) -> Vec<String> {
    let prefixes = envfrom_prefixes(index, namespace, name);
    let mut out: Vec<String> = keys
        .iter()
        .filter(|k| prefixes.iter().any(|p| !rule.accepts(&format!("{}{k}", p.unwrap_or("")))))
        .cloned()
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The prefixes of the `envFrom` references to a Secret (`None`: no prefix).
fn envfrom_prefixes<'a>(index: &'a RefIndex, namespace: &str, name: &str) -> Vec<Option<&'a str>> {
    index
        .key_readers(namespace, name)
        .all
        .iter()
        .filter_map(|r| match &r.usage {
            crate::refs::Usage::EnvFrom { prefix, .. } => Some(prefix.as_deref()),
            _ => None,
        })
        .collect()
}

/// Whether the flags of this Secret need its content: a type with content checks (TLS, docker
/// config, bootstrap token), one that consumers read by key (missing keys), or, where the
/// cluster's variable-name rule can skip keys, one loaded with `envFrom`. Only these are read to
/// learn facts; the values are dropped at once (DESIGN.md decision 5).
pub fn needs_content(row: &SecretRow, index: &RefIndex, rule: EnvNameRule) -> bool {
    super::inspect::type_has_checks(&row.type_)
        || reads_keys(index, &row.namespace, &row.name)
        || (rule == EnvNameRule::Classic && !envfrom_prefixes(index, &row.namespace, &row.name).is_empty())
}

/// The flags of an existing Secret, most urgent first. `known`: whether every kind of consumer
/// that could reference it was listed ([`crate::refs::Coverage::known`]); "unused" is said only
/// then. Expiry and missing keys need the row's inspected facts; without them those flags are
/// not given. `owners`: every manager of the Secret (its
/// metadata's and the custom resources' that name it, `Writers::owners`). `rule`: the
/// cluster's variable-name rule, for the keys `envFrom` skips.
pub(crate) fn for_secret(
    row: &SecretRow,
    index: &RefIndex,
    known: &Known,
    now: Timestamp,
    expiring_days: u32,
    owners: &[Owner],
    rule: EnvNameRule,
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
        if inspected.problems.contains(&Problem::KeyMismatch) {
            flags.push(Flag::KeyMismatch);
        }
        if inspected.token_expires.is_some_and(|at| at <= now) {
            flags.push(Flag::TokenExpired);
        }
        let missing = missing_keys(index, &row.namespace, &row.name, &inspected.keys);
        if !missing.is_empty() {
            flags.push(Flag::Broken(missing));
        }
        let skipped = envfrom_skipped(index, &row.namespace, &row.name, &inspected.keys, rule);
        if !skipped.is_empty() {
            flags.push(Flag::EnvFromSkips(skipped));
        }
        for p in &inspected.problems {
            match p {
                Problem::CaMismatch => flags.push(Flag::CaMismatch),
                Problem::AuthMismatch(servers) => flags.push(Flag::AuthMismatch(servers.clone())),
                Problem::KeyMismatch => {}
            }
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
            ..Default::default()
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
            assert_eq!(
                for_secret(&row, index, &known, now(), EXPIRING_DAYS, &[], EnvNameRule::default()),
                want,
                "{what}"
            );
        }
        // Still listing: not unused yet.
        assert_eq!(
            for_secret(
                &row("s", "Opaque", None),
                &empty,
                &Known::Pending,
                now(),
                EXPIRING_DAYS,
                &[],
                EnvNameRule::default()
            ),
            vec![]
        );
        // The window is the caller's: --expiring 7 does not flag a certificate with 12 days left.
        let r = row("s", tls, Some(facts(&["password"], false, Some(12))));
        assert_eq!(for_secret(&r, &used, &Known::Complete, now(), 7, &[], EnvNameRule::default()), vec![]);
    }

    /// An index with one Pod that loads `secret` with envFrom, with `prefix`.
    fn index_envfrom(secret: &str, prefix: Option<&str>) -> RefIndex {
        let pod: k8s_openapi::api::core::v1::Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "p", "namespace": "ns"},
            "spec": {"containers": [{"name": "c", "envFrom": [{"prefix": prefix, "secretRef": {"name": secret}}]}]}
        }))
        .unwrap();
        let mut i = RefIndex::new();
        i.upsert_pod(&pod, &WorkloadResolver::new());
        i
    }

    /// The flags of what the typed views find wrong, each from its fact, with its explanation.
    #[test]
    fn content_problems_are_flagged() {
        let used = index_reading("s", "password", false);
        let with = |problems: Vec<Problem>, token_days: Option<i64>| Inspected {
            problems,
            token_expires: token_days.map(|d| now() + SignedDuration::from_hours(24 * d)),
            ..facts(&["password"], false, None)
        };
        let flags = |i: Inspected| {
            for_secret(
                &row("s", types::TLS, Some(i)),
                &used,
                &Known::Complete,
                now(),
                EXPIRING_DAYS,
                &[],
                EnvNameRule::Relaxed,
            )
        };
        assert_eq!(flags(with(vec![Problem::KeyMismatch], None)), vec![Flag::KeyMismatch]);
        assert_eq!(flags(with(vec![Problem::CaMismatch], None)), vec![Flag::CaMismatch]);
        assert_eq!(
            flags(with(vec![Problem::AuthMismatch(vec!["r.io".into()])], None)),
            vec![Flag::AuthMismatch(vec!["r.io".into()])]
        );
        assert_eq!(flags(with(vec![], Some(-1))), vec![Flag::TokenExpired]);
        assert_eq!(flags(with(vec![], Some(1))), vec![], "a token that has not expired yet");
        assert_eq!(
            flags(with(vec![Problem::CaMismatch, Problem::KeyMismatch], Some(-3))),
            vec![Flag::KeyMismatch, Flag::TokenExpired, Flag::CaMismatch],
            "most urgent first"
        );
        for f in [Flag::KeyMismatch, Flag::CaMismatch, Flag::AuthMismatch(vec!["r.io".into()]), Flag::TokenExpired] {
            assert!(!f.tag().contains(' ') && !f.explain().is_empty(), "{f:?}");
        }
        assert_eq!(Flag::AuthMismatch(vec!["a".into(), "b".into()]).tag(), "AUTH-MISMATCH:a+b");
    }

    /// envFrom skips keys that are not variable names under the cluster's rule, prefix
    /// included: before 1.32 a key that starts with a digit, unless a prefix makes it valid.
    #[test]
    fn keys_envfrom_skips_are_flagged_under_the_clusters_rule() {
        let keys = || Some(facts(&["1st", "ok", "2nd"], false, None));
        let flags = |index: &RefIndex, rule| {
            for_secret(&row("s", "Opaque", keys()), index, &Known::Complete, now(), EXPIRING_DAYS, &[], rule)
        };
        let plain = index_envfrom("s", None);
        assert_eq!(flags(&plain, EnvNameRule::Classic), vec![Flag::EnvFromSkips(vec!["1st".into(), "2nd".into()])]);
        assert_eq!(flags(&plain, EnvNameRule::Relaxed), vec![], "1.32 and later keep them");
        assert_eq!(
            flags(&index_envfrom("s", Some("APP_")), EnvNameRule::Classic),
            vec![],
            "the prefix makes them names"
        );
        assert_eq!(Flag::EnvFromSkips(vec!["1st".into()]).tag(), "ENVFROM-SKIPS:1st");
        // Only read where it can matter: an Opaque Secret loaded by envFrom, before 1.32.
        let r = row("s", "Opaque", None);
        assert!(needs_content(&r, &plain, EnvNameRule::Classic));
        assert!(!needs_content(&r, &plain, EnvNameRule::Relaxed));
        assert!(needs_content(&row("s", types::BOOTSTRAP_TOKEN, None), &RefIndex::new(), EnvNameRule::Relaxed));
        assert!(needs_content(&row("s", types::DOCKER_CONFIG_JSON, None), &RefIndex::new(), EnvNameRule::Relaxed));
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
                for_secret(
                    &row("s", "Opaque", None),
                    &empty,
                    &Known::Complete,
                    now(),
                    EXPIRING_DAYS,
                    &owners,
                    EnvNameRule::default()
                ),
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
            assert_eq!(
                for_secret(&row, &used, &Known::Complete, now(), EXPIRING_DAYS, &[], EnvNameRule::default()),
                want,
                "{what}"
            );
        }
        assert_eq!(Flag::PlaintextCopy { stale: Some(true) }.label(), "PLAINTEXT-COPY (stale)");
        assert_eq!(Flag::PlaintextCopy { stale: None }.label(), "PLAINTEXT-COPY");
    }
}
