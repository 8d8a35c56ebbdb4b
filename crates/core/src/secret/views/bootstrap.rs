//! `bootstrap.kubernetes.io/token`: the checks the bootstrap authenticator and token cleaner make
//! (`reference/kubernetes-api-facts.md` §1.6). The token secret itself is never kept: only whether
//! it has the right form and its length.

use jiff::Timestamp;

use super::cert::days_between;
use crate::secret::Secret;
use crate::validate::Warning;

pub const NAME_PREFIX: &str = "bootstrap-token-";
pub const NAMESPACE: &str = "kube-system";
const USAGE_PREFIX: &str = "usage-bootstrap-";
const GROUP_PREFIX: &str = "system:bootstrappers:";

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BootstrapTokenView {
    pub token_id: Option<String>,
    /// `token-id` is six of `[a-z0-9]`.
    pub token_id_valid: bool,
    pub token_secret_present: bool,
    pub token_secret_len: usize,
    /// `token-secret` is sixteen of `[a-z0-9]`.
    pub token_secret_valid: bool,
    /// The `expiration` value as written (it is not secret).
    pub expiration_raw: Option<String>,
    /// `None` when absent or unparseable.
    pub expiration: Option<Timestamp>,
    /// Whole days left, rounded down (negative once expired).
    pub days_left: Option<i64>,
    /// Expired, or an expiration that does not parse: the authenticator treats both as expired.
    pub expired: bool,
    /// The usages set to exactly `"true"`, without the `usage-bootstrap-` prefix.
    pub usages: Vec<String>,
    /// `usage-bootstrap-*` keys with another value, which count as false.
    pub ignored_usages: Vec<String>,
    pub extra_groups: Vec<ExtraGroup>,
    pub description: Option<String>,
    /// The name is `bootstrap-token-<token-id>`.
    pub name_matches: bool,
    pub in_kube_system: bool,
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ExtraGroup {
    pub name: String,
    pub valid: bool,
}

fn text(secret: &Secret, key: &str) -> Option<String> {
    secret.get(key).map(|v| String::from_utf8_lossy(v).into_owned())
}

fn all_of(s: &[u8], len: usize) -> bool {
    s.len() == len && s.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// `\Asystem:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]\z`
pub fn valid_group(group: &str) -> bool {
    let Some(rest) = group.strip_prefix(GROUP_PREFIX) else {
        return false;
    };
    let b = rest.as_bytes();
    let Some((last, init)) = b.split_last() else {
        return false;
    };
    init.len() <= 255
        && (last.is_ascii_lowercase() || last.is_ascii_digit())
        && init.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b':' || *c == b'-')
}

pub fn view(secret: &Secret, now: Timestamp) -> BootstrapTokenView {
    let id_bytes = secret.get("token-id");
    let token_id = text(secret, "token-id");
    let token_secret = secret.get("token-secret");
    let expiration_raw = text(secret, "expiration");
    let expiration = expiration_raw.as_deref().and_then(parse_rfc3339);
    let expired = match (&expiration_raw, expiration) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(_), Some(e)) => e <= now,
    };
    let mut usages = Vec::new();
    let mut ignored_usages = Vec::new();
    for (key, value) in secret.entries() {
        if let Some(usage) = key.strip_prefix(USAGE_PREFIX) {
            if value.as_bytes() == b"true" {
                usages.push(usage.to_string());
            } else {
                ignored_usages.push(usage.to_string());
            }
        }
    }
    // Like the authenticator: an empty value means no extra groups; entries are not trimmed.
    let extra_groups: Vec<ExtraGroup> = text(secret, "auth-extra-groups")
        .filter(|g| !g.is_empty())
        .map(|groups| groups.split(',').map(|g| ExtraGroup { name: g.to_string(), valid: valid_group(g) }).collect())
        .unwrap_or_default();
    let name_matches =
        token_id.as_deref().is_some_and(|id| secret.name().strip_prefix(NAME_PREFIX).is_some_and(|rest| rest == id));
    let mut view = BootstrapTokenView {
        token_id_valid: id_bytes.is_some_and(|v| all_of(v, 6)),
        token_id,
        token_secret_present: token_secret.is_some(),
        token_secret_len: token_secret.map_or(0, |v| v.len()),
        token_secret_valid: token_secret.is_some_and(|v| all_of(v, 16)),
        expiration_raw,
        days_left: expiration.map(|e| days_between(now, e)),
        expiration,
        expired,
        usages,
        ignored_usages,
        extra_groups,
        description: text(secret, "description"),
        name_matches,
        in_kube_system: secret.namespace() == NAMESPACE,
        problems: Vec::new(),
    };
    view.problems = warnings(&view, secret.name()).into_iter().map(|w| w.message).collect();
    view
}

/// What would stop the token from working, as warnings on the fields to fix.
pub fn warnings(v: &BootstrapTokenView, name: &str) -> Vec<Warning> {
    let mut out = Vec::new();
    match &v.token_id {
        None => out.push(Warning::new(
            "data[token-id]",
            "token-id is missing: add the 6-character token ID (a-z, 0-9) that the token starts with",
        )),
        Some(_) if !v.token_id_valid => out.push(Warning::new(
            "data[token-id]",
            "token-id must be exactly 6 characters of a-z and 0-9; the bootstrap authenticator ignores this token",
        )),
        _ => {}
    }
    if !v.token_secret_present {
        out.push(Warning::new(
            "data[token-secret]",
            "token-secret is missing: add the 16-character secret (a-z, 0-9) that follows the dot in the token",
        ));
    } else if !v.token_secret_valid {
        out.push(Warning::new(
            "data[token-secret]",
            format!(
                "token-secret must be exactly 16 characters of a-z and 0-9 (it has {}); tokens with another secret \
                 never authenticate",
                v.token_secret_len
            ),
        ));
    }
    if let Some(id) = v.token_id.as_deref().filter(|_| v.token_id_valid && !v.name_matches) {
        out.push(Warning::new(
            "metadata.name",
            format!(
                "the name \"{name}\" should be \"{NAME_PREFIX}{id}\": the authenticator looks the token up by that name"
            ),
        ));
    }
    if !v.in_kube_system {
        out.push(Warning::new(
            "metadata.namespace",
            "bootstrap tokens only work in the kube-system namespace; create it there",
        ));
    }
    match (&v.expiration_raw, v.expiration) {
        (Some(_), None) => out.push(Warning::new(
            "data[expiration]",
            "expiration is not an RFC 3339 time (like 2030-01-02T15:04:05Z), so the token counts as expired and \
             the token cleaner will delete it",
        )),
        (Some(_), Some(at)) if v.expired => out.push(Warning::new(
            "data[expiration]",
            format!(
                "the token expired at {at}; the authenticator rejects it and the token cleaner will delete the \
                 Secret. Set a later expiration or create a new token"
            ),
        )),
        _ => {}
    }
    for g in v.extra_groups.iter().filter(|g| !g.valid) {
        out.push(Warning::new(
            "data[auth-extra-groups]",
            format!(
                "extra group \"{}\" is invalid: each group must start with system:bootstrappers: and use only a-z, \
                 0-9, ':' and '-'; the authenticator rejects the token",
                g.name
            ),
        ));
    }
    if v.usages.is_empty() {
        out.push(Warning::new(
            "data",
            "no usage-bootstrap-* key is \"true\": set usage-bootstrap-authentication and/or \
             usage-bootstrap-signing to \"true\" (any other value means false)",
        ));
    }
    out
}

/// Go's `time.Parse(time.RFC3339, s)`, near enough: a date, `T`, a time with optional
/// fraction, and `Z` or a numeric offset.
pub fn parse_rfc3339(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    // jiff is more lenient than Go (it accepts lower-case `t`/`z` and spaces); require Go's shape.
    if b.len() < 20 || b.get(10) != Some(&b'T') {
        return None;
    }
    let last = *b.last()?;
    let offset_sign = b[b.len() - 6];
    if last != b'Z' && offset_sign != b'+' && offset_sign != b'-' {
        return None;
    }
    s.parse::<Timestamp>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::types;

    fn token(pairs: &[(&str, &str)]) -> Secret {
        let mut s = Secret::new(NAMESPACE, "bootstrap-token-07401b", types::BOOTSTRAP_TOKEN);
        s.data = Some(pairs.iter().map(|(k, v)| (k.to_string(), (*v).into())).collect());
        s
    }

    fn now() -> Timestamp {
        "2027-01-01T00:00:00Z".parse().unwrap()
    }

    #[test]
    fn reads_a_kubeadm_style_token() {
        let v = view(
            &token(&[
                ("token-id", "07401b"),
                ("token-secret", "f395accd246ae52d"),
                ("description", "kubeadm join token"),
                ("expiration", "2027-01-11T00:00:00+01:00"),
                ("usage-bootstrap-authentication", "true"),
                ("usage-bootstrap-signing", "True"),
                ("auth-extra-groups", "system:bootstrappers:kubeadm:default-node-token,system:bootstrappers:x"),
            ]),
            now(),
        );
        assert_eq!(v.token_id.as_deref(), Some("07401b"));
        assert!(v.token_id_valid && v.token_secret_valid && v.name_matches && v.in_kube_system);
        assert_eq!(v.token_secret_len, 16);
        assert_eq!(v.expiration, Some("2027-01-10T23:00:00Z".parse().unwrap()));
        assert_eq!((v.days_left, v.expired), (Some(9), false));
        assert_eq!(v.usages, ["authentication"]);
        assert_eq!(v.ignored_usages, ["signing"]);
        assert!(v.extra_groups.iter().all(|g| g.valid) && v.extra_groups.len() == 2);
        assert_eq!(v.description.as_deref(), Some("kubeadm join token"));
        assert!(v.problems.is_empty(), "{:?}", v.problems);
        assert!(!format!("{v:?}").contains("f395accd246ae52d"));
    }

    #[test]
    fn group_names_follow_the_authenticator_pattern() {
        assert!(valid_group("system:bootstrappers:a"));
        assert!(valid_group("system:bootstrappers:kubeadm:default-node-token"));
        assert!(!valid_group("system:bootstrappers:"));
        assert!(!valid_group("system:bootstrappers:a-"));
        assert!(!valid_group("system:bootstrappers:A"));
        assert!(!valid_group(" system:bootstrappers:a"));
        assert!(!valid_group("system:masters"));
        assert!(valid_group(&format!("system:bootstrappers:{}", "a".repeat(256))));
        assert!(!valid_group(&format!("system:bootstrappers:{}", "a".repeat(257))));
    }

    #[test]
    fn expiration_must_be_rfc3339() {
        assert!(parse_rfc3339("2030-01-02T03:04:05Z").is_some());
        assert!(parse_rfc3339("2030-01-02T03:04:05.123-07:00").is_some());
        for bad in ["2030-01-02", "2030-01-02 03:04:05Z", "2030-01-02T03:04:05", "tomorrow", "2030-01-02T03:04:05ZZ"] {
            assert!(parse_rfc3339(bad).is_none(), "{bad}");
        }
        let v = view(&token(&[("expiration", "soon")]), now());
        assert!(v.expired && v.expiration.is_none() && v.days_left.is_none());
        let v = view(&token(&[("token-id", "07401b")]), now());
        assert!(!v.expired, "no expiration means it never expires");
    }
}
