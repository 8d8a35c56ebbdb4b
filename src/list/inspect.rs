//! What the list learns from reading a Secret's content: facts for its flags (key names,
//! certificate expiry, a key that does not belong to its certificate, a CA that did not issue
//! the chain, a docker `auth` that disagrees, a bootstrap token's expiry, a stale plaintext
//! copy), never the values. One function for the TUI's inspections, `keyhole list` and the
//! opened Secret's flag lines, so the three agree.

use jiff::Timestamp;

use super::rows::Inspected;
use crate::secret::views::{self, CaMatch, KeyMatch, TypedView};
use crate::secret::{Secret, types};

/// What the typed views found wrong that the list flags. Names only, never values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// `tls.key` is not the key of the first certificate in `tls.crt` (or another kind of key).
    KeyMismatch,
    /// No certificate in `ca.crt` issued the chain in `tls.crt`.
    CaMismatch,
    /// A docker registry entry whose `auth` is not base64 of its `username:password`: the
    /// registries named.
    AuthMismatch(Vec<String>),
}

/// The facts of `secret` at `now` (certificates are read as of then; expiry is compared with
/// the clock again each time flags are decided).
pub(crate) fn facts(secret: &Secret, now: Timestamp) -> Inspected {
    let view = views::view(secret, now);
    let cert_not_after = match &view {
        Some(TypedView::Tls(v)) => {
            v.certificates.as_ref().and_then(|b| b.certificates.iter().map(|c| c.not_after).min())
        }
        _ => None,
    };
    Inspected {
        keys: secret.entries().map(|(k, _)| k.clone()).collect(),
        immutable: secret.is_immutable(),
        cert_not_after,
        copy_stale: crate::secret::last_applied::of(secret).map(|c| c.is_stale()),
        problems: view.as_ref().map(problems).unwrap_or_default(),
        token_expires: match &view {
            Some(TypedView::BootstrapToken(v)) => token_expiry(v),
            _ => None,
        },
        resource_version: secret.metadata.resource_version.clone().unwrap_or_default(),
    }
}

fn problems(view: &TypedView) -> Vec<Problem> {
    let mut out = Vec::new();
    match view {
        TypedView::Tls(v) => {
            if matches!(v.key_match, KeyMatch::DoesNotMatch | KeyMatch::TypeDiffers) {
                out.push(Problem::KeyMismatch);
            }
            if v.ca_match == Some(CaMatch::DoesNotMatch) {
                out.push(Problem::CaMismatch);
            }
        }
        TypedView::Docker(v) => {
            let servers: Vec<String> =
                v.registries.iter().filter(|r| r.auth_agrees == Some(false)).map(|r| r.server.clone()).collect();
            if !servers.is_empty() {
                out.push(Problem::AuthMismatch(servers));
            }
        }
        _ => {}
    }
    out
}

/// When a bootstrap token stops being accepted: its `expiration`; an expiration that does not
/// parse counts as expired for the authenticator, so as already past. `None`: it never expires.
fn token_expiry(v: &views::BootstrapTokenView) -> Option<Timestamp> {
    match (&v.expiration_raw, v.expiration) {
        (Some(_), Some(at)) => Some(at),
        (Some(_), None) => Some(Timestamp::MIN),
        (None, _) => None,
    }
}

/// Whether a Secret of this type has content the flags read whatever uses it.
pub(crate) fn type_has_checks(type_: &str) -> bool {
    matches!(type_, types::TLS | types::DOCKER_CONFIG_JSON | types::DOCKERCFG | types::BOOTSTRAP_TOKEN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::SecretValue;

    fn secret(type_: &str, data: &[(&str, &[u8])]) -> Secret {
        let mut s = Secret::new("ns", "s", type_);
        s.data = Some(data.iter().map(|(k, v)| ((*k).to_string(), SecretValue::from(*v))).collect());
        s
    }

    fn now() -> Timestamp {
        "2026-06-01T00:00:00Z".parse().unwrap()
    }

    const CA: &[u8] = include_bytes!("../../assets/pki/ca.crt");
    const CRT: &[u8] = include_bytes!("../../assets/pki/example.com.crt");
    const KEY: &[u8] = include_bytes!("../../assets/pki/example.com.key");
    const OTHER_KEY: &[u8] = include_bytes!("../../assets/pki/mismatch.key");
    const OTHER_CA: &[u8] = include_bytes!("../../assets/pki/other-ca.crt");

    #[test]
    fn tls_pairs_and_their_ca() {
        let good = secret(types::TLS, &[("tls.crt", CRT), ("tls.key", KEY), ("ca.crt", CA)]);
        assert_eq!(facts(&good, now()).problems, vec![]);
        assert!(facts(&good, now()).cert_not_after.is_some());
        let wrong_key = secret(types::TLS, &[("tls.crt", CRT), ("tls.key", OTHER_KEY)]);
        assert_eq!(facts(&wrong_key, now()).problems, vec![Problem::KeyMismatch]);
        let wrong_ca = secret(types::TLS, &[("tls.crt", CRT), ("tls.key", KEY), ("ca.crt", OTHER_CA)]);
        assert_eq!(facts(&wrong_ca, now()).problems, vec![Problem::CaMismatch]);
    }

    #[test]
    fn docker_auth_that_disagrees_names_the_registry() {
        use base64::Engine as _;
        let auth = base64::engine::general_purpose::STANDARD.encode("me:old");
        let json = format!(
            r#"{{"auths":{{"r.example.com":{{"username":"me","password":"new","auth":"{auth}"}},"ok.example.com":{{"username":"me","password":"p","auth":"{}"}}}}}}"#,
            base64::engine::general_purpose::STANDARD.encode("me:p")
        );
        let s = secret(types::DOCKER_CONFIG_JSON, &[(".dockerconfigjson", json.as_bytes())]);
        assert_eq!(facts(&s, now()).problems, vec![Problem::AuthMismatch(vec!["r.example.com".into()])]);
    }

    #[test]
    fn bootstrap_token_expiry() {
        let token = |exp: Option<&[u8]>| {
            let mut data: Vec<(&str, &[u8])> = vec![("token-id", b"abcdef"), ("token-secret", b"0123456789abcdef")];
            if let Some(e) = exp {
                data.push(("expiration", e));
            }
            secret(types::BOOTSTRAP_TOKEN, &data)
        };
        assert_eq!(
            facts(&token(Some(b"2020-09-13T04:39:10Z")), now()).token_expires,
            Some("2020-09-13T04:39:10Z".parse().unwrap())
        );
        assert_eq!(facts(&token(Some(b"soon")), now()).token_expires, Some(Timestamp::MIN));
        assert_eq!(facts(&token(None), now()).token_expires, None);
    }
}
