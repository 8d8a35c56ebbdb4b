//! Tests across the views: `view()` dispatch, `content_warnings()`, the TLS pair and Go's
//! `X509KeyPair` errors, and arbitrary bytes never panicking.

use std::collections::BTreeMap;

use jiff::Timestamp;
use proptest::prelude::*;

use super::*;
use crate::secret::{Secret, SecretValue, types};
use crate::validate::Warning;

const CRT: &[u8] = include_bytes!("../../../../../assets/pki/example.com.crt");
const KEY: &[u8] = include_bytes!("../../../../../assets/pki/example.com.key");
const CHAIN: &[u8] = include_bytes!("../../../../../assets/pki/example.com-chain.crt");
const CA_CRT: &[u8] = include_bytes!("../../../../../assets/pki/ca.crt");
const CA_KEY: &[u8] = include_bytes!("../../../../../assets/pki/ca.key");
const EXPIRED_CRT: &[u8] = include_bytes!("../../../../../assets/pki/expired.crt");
const EXPIRED_KEY: &[u8] = include_bytes!("../../../../../assets/pki/expired.key");
const FUTURE_CRT: &[u8] = include_bytes!("../../../../../assets/pki/future.crt");
const FUTURE_KEY: &[u8] = include_bytes!("../../../../../assets/pki/future.key");
const MISMATCH_CRT: &[u8] = include_bytes!("../../../../../assets/pki/mismatch.crt");
const MISMATCH_KEY: &[u8] = include_bytes!("../../../../../assets/pki/mismatch.key");

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// A moment when example.com.crt is valid and not close to expiry.
fn now() -> Timestamp {
    at("2027-06-01T00:00:00Z")
}

fn secret(type_: &str, pairs: &[(&str, &[u8])]) -> Secret {
    let mut s = Secret::new("default", "s", type_);
    s.data = Some(pairs.iter().map(|(k, v)| (k.to_string(), SecretValue::from(*v))).collect());
    s
}

fn tls(crt: &[u8], key: &[u8]) -> Secret {
    secret(types::TLS, &[("tls.crt", crt), ("tls.key", key)])
}

fn tls_view(s: &Secret, now: Timestamp) -> TlsView {
    match view(s, now) {
        Some(TypedView::Tls(v)) => v,
        other => panic!("expected a TLS view, got {other:?}"),
    }
}

fn fields(w: &[Warning]) -> Vec<&str> {
    w.iter().map(|w| w.field.as_str()).collect()
}

// ---- dispatch ----

#[test]
fn view_is_chosen_by_type() {
    assert!(view(&secret("Opaque", &[]), now()).is_none());
    assert!(view(&secret("", &[]), now()).is_none());
    assert!(view(&secret("example.com/custom", &[]), now()).is_none());
    let kinds: Vec<&str> = [
        types::TLS,
        types::DOCKER_CONFIG_JSON,
        types::DOCKERCFG,
        types::BASIC_AUTH,
        types::SSH_AUTH,
        types::BOOTSTRAP_TOKEN,
        types::SERVICE_ACCOUNT_TOKEN,
        types::HELM_RELEASE,
    ]
    .into_iter()
    .map(|t| match view(&secret(t, &[]), now()) {
        Some(TypedView::Tls(_)) => "tls",
        Some(TypedView::Docker(_)) => "docker",
        Some(TypedView::BasicAuth(_)) => "basic",
        Some(TypedView::Ssh(_)) => "ssh",
        Some(TypedView::BootstrapToken(_)) => "bootstrap",
        Some(TypedView::ServiceAccountToken(_)) => "sa",
        Some(TypedView::HelmRelease(_)) => "helm",
        None => "none",
    })
    .collect();
    assert_eq!(kinds, ["tls", "docker", "docker", "basic", "ssh", "bootstrap", "sa", "helm"]);
}

// ---- TLS view ----

#[test]
fn tls_pair_from_the_assets_matches() {
    let v = tls_view(&tls(CRT, KEY), now());
    assert!(v.problems.is_empty(), "{:?}", v.problems);
    assert_eq!(v.key_match, KeyMatch::Matches);
    let key = v.key.unwrap();
    assert_eq!((key.format, key.algorithm), (KeyFormat::Pkcs1, Some(KeyAlgorithm::Rsa { bits: 2048 })));
    let c = &v.certificates.unwrap().certificates[0];
    assert_eq!(c.subject, "O=keyhole demo, CN=example.com");
    assert_eq!(c.issuer, "O=keyhole demo, CN=keyhole demo CA");
    assert_eq!(c.serial, "1a:bd:74:f6:b9:67:13:ed:f9:23:50:9b:21:a5:df:5f:83:8f:29:7a");
    assert_eq!(
        c.sha256_fingerprint,
        "BF:68:03:55:AB:B1:82:6D:56:3A:41:2E:BE:89:47:F3:9C:EC:9C:99:79:13:E8:17:1D:2D:1A:39:5B:3D:1E:E0"
    );
    assert_eq!((c.not_before, c.not_after), (at("2026-01-01T00:00:00Z"), at("2031-01-01T00:00:00Z")));
    assert_eq!(c.days_left, 1310);
}

#[test]
fn tls_chain_ec_ed25519_and_ca_crt() {
    let mut s = tls(CHAIN, KEY);
    s.data.as_mut().unwrap().insert("ca.crt".into(), CA_CRT.into());
    let v = tls_view(&s, now());
    assert_eq!(v.certificates.as_ref().unwrap().certificates.len(), 2);
    assert_eq!(v.key_match, KeyMatch::Matches);
    assert!(v.ca.unwrap().certificates[0].is_ca);
    let ec = tls_view(&tls(EXPIRED_CRT, EXPIRED_KEY), now());
    assert_eq!(ec.key_match, KeyMatch::Matches);
    assert_eq!(ec.key.unwrap().format, KeyFormat::Sec1);
    let ca = tls_view(&tls(CA_CRT, CA_KEY), now());
    assert_eq!(ca.key_match, KeyMatch::Matches);
    let ed = tls_view(&tls(FUTURE_CRT, FUTURE_KEY), now());
    assert_eq!(ed.key_match, KeyMatch::Matches);
    assert_eq!(ed.key.unwrap().algorithm, Some(KeyAlgorithm::Ed25519));
}

#[test]
fn tls_mismatches_are_found() {
    let v = tls_view(&tls(MISMATCH_CRT, MISMATCH_KEY), now());
    assert_eq!(v.key_match, KeyMatch::DoesNotMatch);
    assert_eq!(v.key.unwrap().format, KeyFormat::Pkcs8);
    assert_eq!(tls_view(&tls(CRT, MISMATCH_KEY), now()).key_match, KeyMatch::DoesNotMatch);
    assert_eq!(tls_view(&tls(CA_CRT, EXPIRED_KEY), now()).key_match, KeyMatch::DoesNotMatch);
    assert_eq!(tls_view(&tls(CRT, CA_KEY), now()).key_match, KeyMatch::TypeDiffers);
    assert_eq!(tls_view(&tls(FUTURE_CRT, KEY), now()).key_match, KeyMatch::TypeDiffers);
}

#[test]
fn tls_broken_values_are_problems() {
    let swapped = tls_view(&tls(KEY, CRT), now());
    assert_eq!(swapped.key_match, KeyMatch::Unknown);
    assert!(swapped.problems.iter().any(|p| p.contains("swapped")), "{:?}", swapped.problems);
    let encrypted = b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMAMCAQA=\n-----END ENCRYPTED PRIVATE KEY-----\n";
    let v = tls_view(&tls(CRT, encrypted), now());
    let key = v.key.unwrap();
    assert!(key.is_encrypted() && key.algorithm.is_none());
    assert!(v.problems[0].contains("encrypted"));
    let missing = tls_view(&secret(types::TLS, &[]), now());
    assert!(missing.certificates.is_none() && missing.key.is_none());
    let ssh = tls_view(&tls(CRT, include_bytes!("../../../../../assets/ssh/id_ed25519")), now());
    assert!(ssh.problems[0].contains("OpenSSH"));
    let garbage = tls_view(&tls(b"\xff\x00", b"-----BEGIN PRIVATE KEY-----\nYWJj\n-----END PRIVATE KEY-----\n"), now());
    assert!(garbage.certificates.unwrap().certificates.is_empty());
    assert!(garbage.key_problem.unwrap().contains("cannot be read"));
}

// ---- Go's X509KeyPair ----

#[test]
fn go_key_pair_accepts_good_pairs() {
    for (crt, key) in [(CRT, KEY), (CHAIN, KEY), (CA_CRT, CA_KEY), (EXPIRED_CRT, EXPIRED_KEY), (FUTURE_CRT, FUTURE_KEY)]
    {
        assert_eq!(go_x509_key_pair_error(crt, key), None);
    }
}

#[test]
fn go_key_pair_errors_read_like_go() {
    let e = |crt: &[u8], key: &[u8]| go_x509_key_pair_error(crt, key).unwrap();
    assert_eq!(e(b"", KEY), "tls: failed to find any PEM data in certificate input");
    assert_eq!(e(CRT, b"not pem"), "tls: failed to find any PEM data in key input");
    assert_eq!(e(CRT, MISMATCH_KEY), "tls: private key does not match public key");
    assert_eq!(e(CA_CRT, EXPIRED_KEY), "tls: private key does not match public key");
    assert_eq!(e(CRT, CA_KEY), "tls: private key type does not match public key type");
    assert_eq!(e(CRT, CRT), "tls: found a certificate rather than a key in the PEM for the private key");
    assert_eq!(
        e(KEY, KEY),
        "tls: failed to find certificate PEM data in certificate input, but did find a private key; PEM inputs may \
         have been switched"
    );
    let two = b"-----BEGIN FOO-----\nYQ==\n-----END FOO-----\n-----BEGIN BAR BAZ-----\nYQ==\n-----END BAR BAZ-----\n";
    assert_eq!(
        e(two, KEY),
        "tls: failed to find \"CERTIFICATE\" PEM block in certificate input after skipping PEM blocks of the following \
         types: [FOO BAR BAZ]"
    );
    assert_eq!(
        e(CRT, two),
        "tls: failed to find PEM block with type ending in \"PRIVATE KEY\" in key input after skipping PEM blocks of \
         the following types: [FOO BAR BAZ]"
    );
    let bad_key = b"-----BEGIN PRIVATE KEY-----\nYWJj\n-----END PRIVATE KEY-----\n";
    assert_eq!(e(CRT, bad_key), "tls: failed to parse private key");
    let encrypted = b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMAMCAQA=\n-----END ENCRYPTED PRIVATE KEY-----\n";
    assert_eq!(e(CRT, encrypted), "tls: failed to parse private key");
    let bad_cert = b"-----BEGIN CERTIFICATE-----\nYWJj\n-----END CERTIFICATE-----\n";
    assert_eq!(e(bad_cert, KEY), "x509: malformed certificate");
}

// ---- content warnings ----

#[test]
fn good_tls_gives_no_warnings() {
    assert!(content_warnings(&tls(CRT, KEY), now()).is_empty());
    assert!(content_warnings(&tls(CHAIN, KEY), now()).is_empty());
}

#[test]
fn tls_mismatch_warns_on_the_key() {
    let w = content_warnings(&tls(MISMATCH_CRT, MISMATCH_KEY), now());
    assert_eq!(fields(&w), ["data[tls.key]"]);
    assert!(w[0].message.contains("does not match the certificate \"O=keyhole demo, CN=mismatch.example.com\""));
    let w = content_warnings(&tls(CRT, CA_KEY), now());
    assert!(w[0].message.contains("different kind of key"), "{w:?}");
}

#[test]
fn tls_unreadable_values_warn() {
    let w = content_warnings(&tls(b"hello", KEY), now());
    assert_eq!(fields(&w), ["data[tls.crt]"]);
    assert!(w[0].message.contains("no PEM data"));
    let w = content_warnings(&tls(CRT, b"hello"), now());
    assert_eq!(fields(&w), ["data[tls.key]"]);
    assert!(w[0].message.contains("no PEM private key"));
}

#[test]
fn expired_certificate_warns_with_dates_and_subject() {
    let w = content_warnings(&tls(EXPIRED_CRT, EXPIRED_KEY), now());
    assert_eq!(fields(&w), ["data[tls.crt]"]);
    let m = &w[0].message;
    assert!(m.contains("\"O=keyhole demo, CN=old.example.com\" expired"), "{m}");
    assert!(m.contains("valid 2024-01-01 00:00:00 UTC to 2025-01-01 00:00:00 UTC"), "{m}");
    // Before it expired: no warning.
    assert!(content_warnings(&tls(EXPIRED_CRT, EXPIRED_KEY), at("2024-06-01T00:00:00Z")).is_empty());
}

#[test]
fn not_yet_valid_certificate_warns() {
    let w = content_warnings(&tls(FUTURE_CRT, FUTURE_KEY), now());
    assert_eq!(fields(&w), ["data[tls.crt]"]);
    assert!(w[0].message.contains("not valid yet (valid 2035-01-01 00:00:00 UTC to 2036-01-01 00:00:00 UTC)"));
    assert!(content_warnings(&tls(FUTURE_CRT, FUTURE_KEY), at("2035-06-01T00:00:00Z")).is_empty());
}

#[test]
fn certificate_expiring_within_30_days_warns() {
    let w = content_warnings(&tls(CRT, KEY), at("2030-12-15T00:00:00Z"));
    assert_eq!(fields(&w), ["data[tls.crt]"]);
    assert!(w[0].message.contains("expires in 17 days"), "{}", w[0].message);
    assert!(content_warnings(&tls(CRT, KEY), at("2030-11-30T00:00:00Z")).is_empty());
    // The CA in the chain expires too and is named separately.
    let w = content_warnings(&tls(CHAIN, KEY), at("2030-12-15T00:00:00Z"));
    assert!(!w.is_empty());
}

#[test]
fn ca_crt_is_checked_too() {
    let mut s = tls(CRT, KEY);
    s.data.as_mut().unwrap().insert("ca.crt".into(), EXPIRED_CRT.into());
    let w = content_warnings(&s, now());
    // Expired, and not the CA that issued tls.crt.
    assert_eq!(fields(&w), ["data[ca.crt]", "data[ca.crt]"]);
    assert!(w[0].message.contains("expired"), "{}", w[0].message);
    assert!(w[1].message.contains("no certificate in ca.crt issued"), "{}", w[1].message);
    // The CA that issued it: nothing to say.
    let mut s = tls(CRT, KEY);
    s.data.as_mut().unwrap().insert("ca.crt".into(), CA_CRT.into());
    assert!(content_warnings(&s, now()).is_empty());
}

fn docker(auth_of: &str, username: &str, password: &str) -> Secret {
    use base64::Engine as _;
    let auth = base64::engine::general_purpose::STANDARD.encode(auth_of);
    let json = format!(
        r#"{{"auths":{{"registry.example.com":{{"username":"{username}","password":"{password}","auth":"{auth}"}}}}}}"#
    );
    secret(types::DOCKER_CONFIG_JSON, &[(".dockerconfigjson", json.as_bytes())])
}

#[test]
fn docker_auth_disagreement_warns_without_the_password() {
    assert!(content_warnings(&docker("alice:pw-one", "alice", "pw-one"), now()).is_empty());
    let w = content_warnings(&docker("alice:pw-two", "alice", "pw-one"), now());
    assert_eq!(fields(&w), ["data[.dockerconfigjson]"]);
    assert!(w[0].message.contains("\"registry.example.com\""));
    assert!(!w[0].message.contains("pw-one") && !w[0].message.contains("pw-two"));
    let bad =
        secret(types::DOCKER_CONFIG_JSON, &[(".dockerconfigjson", br#"{"auths":{"r.io":{"auth":"%%"}}}"#.as_slice())]);
    assert!(content_warnings(&bad, now())[0].message.contains("not base64"));
    let legacy = secret(types::DOCKERCFG, &[(".dockercfg", br#"{"r.io":{"auth":"%%"}}"#.as_slice())]);
    assert_eq!(fields(&content_warnings(&legacy, now())), ["data[.dockercfg]"]);
    // Not JSON: the API server rejects it with its own error, so no warning here.
    let not_json = secret(types::DOCKER_CONFIG_JSON, &[(".dockerconfigjson", b"{".as_slice())]);
    assert!(content_warnings(&not_json, now()).is_empty());
}

fn token(namespace: &str, name: &str, pairs: &[(&str, &str)]) -> Secret {
    let mut s = Secret::new(namespace, name, types::BOOTSTRAP_TOKEN);
    s.data = Some(pairs.iter().map(|(k, v)| (k.to_string(), SecretValue::from(*v))).collect());
    s
}

fn good_token() -> Vec<(&'static str, &'static str)> {
    vec![
        ("token-id", "07401b"),
        ("token-secret", "f395accd246ae52d"),
        ("expiration", "2030-01-01T00:00:00Z"),
        ("usage-bootstrap-authentication", "true"),
        ("auth-extra-groups", "system:bootstrappers:kubeadm:default-node-token"),
    ]
}

fn token_warnings(namespace: &str, name: &str, change: &[(&'static str, &'static str)]) -> Vec<String> {
    let mut pairs: BTreeMap<&str, &str> = good_token().into_iter().collect();
    for (k, v) in change {
        if v.is_empty() && *k != "auth-extra-groups" {
            pairs.remove(k);
        } else {
            pairs.insert(k, v);
        }
    }
    let pairs: Vec<(&str, &str)> = pairs.into_iter().collect();
    content_warnings(&token(namespace, name, &pairs), now()).into_iter().map(|w| w.to_string()).collect()
}

#[test]
fn good_bootstrap_token_gives_no_warnings() {
    assert_eq!(token_warnings("kube-system", "bootstrap-token-07401b", &[]), Vec::<String>::new());
}

#[test]
fn bootstrap_token_warnings_name_the_field() {
    let one = |ns: &str, name: &str, change: &[(&'static str, &'static str)]| {
        let w = token_warnings(ns, name, change);
        assert_eq!(w.len(), 1, "{w:?}");
        w.into_iter().next().unwrap()
    };
    let ok = "bootstrap-token-07401b";
    assert!(one("kube-system", "bootstrap-token-ABCDEF", &[("token-id", "ABCDEF")]).starts_with("data[token-id]"));
    let w = one("kube-system", ok, &[("token-secret", "short")]);
    assert!(w.starts_with("data[token-secret]") && w.contains("it has 5") && !w.contains("short"), "{w}");
    assert!(one("kube-system", "my-token", &[]).starts_with("metadata.name"));
    assert!(one("default", ok, &[]).starts_with("metadata.namespace"));
    assert!(one("kube-system", ok, &[("expiration", "2020-01-01T00:00:00Z")]).contains("expired at"));
    assert!(one("kube-system", ok, &[("expiration", "next tuesday")]).contains("not an RFC 3339"));
    assert!(one("kube-system", ok, &[("auth-extra-groups", "system:masters")]).starts_with("data[auth-extra-groups]"));
    let w = one("kube-system", ok, &[("usage-bootstrap-authentication", "yes")]);
    assert!(w.starts_with("data: no usage"), "{w}");
    // An empty extra-groups value means none, as in the authenticator.
    assert_eq!(token_warnings("kube-system", ok, &[("auth-extra-groups", "")]), Vec::<String>::new());
}

#[test]
fn problems_are_collected_per_view() {
    let v = view(&tls(b"", MISMATCH_KEY), now()).unwrap();
    let p = v.problems();
    assert!(p.iter().any(|p| p.starts_with("tls.crt: ")), "{p:?}");
    let d = view(&docker("bob:x", "alice", "x"), now()).unwrap();
    assert!(d.problems().iter().any(|p| p.starts_with("registry.example.com: ")));
    assert!(view(&tls(CRT, KEY), now()).unwrap().problems().is_empty());
}

#[test]
fn other_types_have_no_content_warnings() {
    assert!(content_warnings(&secret("Opaque", &[("a", b"\xff")]), now()).is_empty());
    assert!(content_warnings(&secret(types::BASIC_AUTH, &[]), now()).is_empty());
}

#[test]
fn ssh_fingerprints_match_ssh_keygen() {
    let fp = |key: &[u8]| match view(&secret(types::SSH_AUTH, &[("ssh-privatekey", key)]), now()) {
        Some(TypedView::Ssh(v)) => v.key.unwrap().fingerprint.unwrap(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        fp(include_bytes!("../../../../../assets/ssh/id_ed25519")),
        "SHA256:MkwmO1WktMezFhfkGph5sg0gLKoJodHTIp+Ltg18nec"
    );
    assert_eq!(
        fp(include_bytes!("../../../../../assets/ssh/id_ed25519_encrypted")),
        "SHA256:UIyJU9FOFzb6Gb16fBCBO5aR0GSyMOFJynW/LoC+QZQ"
    );
    assert_eq!(
        fp(include_bytes!("../../../../../assets/ssh/id_rsa")),
        "SHA256:e2ldTGTjNq7zH3FImSaxll/EUYArEJNkuTOEi3zjvcQ"
    );
    // PEM keys: `ssh-keygen -y` then `ssh-keygen -l` of the same files.
    assert_eq!(fp(KEY), "SHA256:NVZYJJa/xes3SWgARAmIyhCoHO2++8tN0PRiHQe0L+I");
    assert_eq!(fp(CA_KEY), "SHA256:Z7XZ92VwSJ+RCU3iaSvwJWAcrpupZTtHu11OyBz9EzI");
}

#[test]
fn views_never_show_secret_material() {
    let key_body: String = std::str::from_utf8(KEY).unwrap().lines().nth(3).unwrap().to_string();
    let ssh_body: String = std::str::from_utf8(include_bytes!("../../../../../assets/ssh/id_rsa"))
        .unwrap()
        .lines()
        .nth(5)
        .unwrap()
        .to_string();
    let secrets = [
        tls(CRT, KEY),
        secret(types::SSH_AUTH, &[("ssh-privatekey", include_bytes!("../../../../../assets/ssh/id_rsa"))]),
        secret(types::BASIC_AUTH, &[("username", b"admin"), ("password", b"hunter2-pw")]),
        token("kube-system", "bootstrap-token-07401b", &good_token()),
    ];
    for s in &secrets {
        let v = view(s, now()).unwrap();
        let out = format!("{v:?} {} {:?}", serde_json::to_string(&v).unwrap(), content_warnings(s, now()));
        for secret in [key_body.as_str(), ssh_body.as_str(), "hunter2-pw", "f395accd246ae52d"] {
            assert!(!out.contains(secret), "{secret} leaked in {out}");
        }
    }
}

// ---- arbitrary bytes ----

const ALL_TYPES: [&str; 8] = [
    types::TLS,
    types::DOCKER_CONFIG_JSON,
    types::DOCKERCFG,
    types::BASIC_AUTH,
    types::SSH_AUTH,
    types::BOOTSTRAP_TOKEN,
    types::SERVICE_ACCOUNT_TOKEN,
    types::HELM_RELEASE,
];

const ALL_KEYS: [&str; 17] = [
    "tls.crt",
    "tls.key",
    "ca.crt",
    ".dockerconfigjson",
    ".dockercfg",
    "username",
    "password",
    "ssh-privatekey",
    "ssh-publickey",
    "token-id",
    "token-secret",
    "expiration",
    "usage-bootstrap-signing",
    "auth-extra-groups",
    "token",
    "namespace",
    "release",
];

/// Bytes that are sometimes near-valid: raw, or wrapped in PEM armour with a plausible label.
fn value() -> impl Strategy<Value = Vec<u8>> {
    use base64::Engine as _;
    let labels = prop::sample::select(vec![
        "CERTIFICATE",
        "PRIVATE KEY",
        "RSA PRIVATE KEY",
        "EC PRIVATE KEY",
        "OPENSSH PRIVATE KEY",
    ]);
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..300),
        (labels, prop::collection::vec(any::<u8>(), 0..300)).prop_map(|(label, der)| {
            let body = base64::engine::general_purpose::STANDARD.encode(der);
            format!("-----BEGIN {label}-----\n{body}\n-----END {label}-----\n").into_bytes()
        }),
        "[ -~]{0,80}".prop_map(String::into_bytes),
        structured(),
    ]
}

/// Values shaped like what the views parse, with arbitrary pieces: docker configs, JWTs, Helm
/// records, bootstrap fields.
fn structured() -> impl Strategy<Value = Vec<u8>> {
    use base64::Engine as _;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let b64url = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    let json_text = prop_oneof![
        "\\PC{0,12}".prop_map(|s| serde_json::Value::String(s).to_string()),
        Just("null".to_string()),
        (any::<i64>()).prop_map(|n| n.to_string()),
        Just("1e999".to_string()),
        Just("{}".to_string()),
        Just("[]".to_string()),
    ];
    prop_oneof![
        // .dockerconfigjson / .dockercfg with arbitrary registries and fields.
        (
            "\\PC{0,12}",
            prop::option::of((any::<Vec<u8>>(), "[ -~]{0,8}")),
            json_text.clone(),
            json_text.clone(),
            any::<bool>()
        )
            .prop_map(move |(server, auth, user, pass, wrap)| {
                let auth = auth.map_or("null".to_string(), |(raw, s)| {
                    let mut v = raw;
                    v.extend_from_slice(s.as_bytes());
                    serde_json::Value::String(b64(&v)).to_string()
                });
                let entry = format!(
                    "{}:{{\"auth\":{auth},\"username\":{user},\"password\":{pass}}}",
                    serde_json::Value::String(server)
                );
                (if wrap { format!("{{\"auths\":{{{entry}}}}}") } else { format!("{{{entry}}}") }).into_bytes()
            }),
        // A JWT: three base64url parts of arbitrary JSON or bytes.
        (prop::collection::vec(prop_oneof![json_text.clone().prop_map(String::into_bytes), any::<Vec<u8>>()], 0..4))
            .prop_map(move |parts| parts.iter().map(|p| b64url(p)).collect::<Vec<_>>().join(".").into_bytes()),
        // A Helm record: base64 of gzip of arbitrary bytes (or of nothing gzip).
        (any::<Vec<u8>>(), any::<bool>()).prop_map(move |(raw, gzip)| {
            let body = if gzip {
                use std::io::Write as _;
                let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                let _ = enc.write_all(&raw);
                enc.finish().unwrap_or_default()
            } else {
                raw
            };
            b64(&body).into_bytes()
        }),
        // Bootstrap fields: times, usages, groups.
        prop::sample::select(vec![
            "2030-01-02T15:04:05Z",
            "1970-01-01T00:00:00Z",
            "9999-12-31T23:59:59+23:59",
            "0000-01-01T00:00:00Z",
            "true",
            "system:bootstrappers:a,system:bootstrappers:",
            ",,,",
            "abcdef",
            "0123456789abcdef",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
    ]
}

/// The keys the views read, and any other name.
fn any_key() -> impl Strategy<Value = String> {
    prop_oneof![prop::sample::select(ALL_KEYS.to_vec()).prop_map(str::to_string), "\\PC{0,12}"]
}

proptest! {
    #[test]
    fn arbitrary_values_never_panic(
        type_ in prop_oneof![prop::sample::select(ALL_TYPES.to_vec()).prop_map(str::to_string), "\\PC{0,20}"],
        values in prop::collection::vec((any_key(), value()), 0..6),
        now_secs in -1_000_000_000i64..5_000_000_000,
    ) {
        let mut s = Secret::new("kube-system", "bootstrap-token-abcdef", &type_);
        s.data = Some(values.into_iter().map(|(k, v)| (k, SecretValue::new(v))).collect());
        let now = Timestamp::from_second(now_secs).unwrap();
        let _ = view(&s, now).map(|v| v.problems());
        let _ = content_warnings(&s, now);
        if let (Some(c), Some(k)) = (s.get("tls.crt"), s.get("tls.key")) {
            let _ = go_x509_key_pair_error(c, k);
        }
    }

    #[test]
    fn the_view_parsers_never_panic_on_arbitrary_bytes(bytes in prop_oneof![any::<Vec<u8>>(), value()]) {
        let now = now();
        let _ = pem::decode_all(&bytes);
        let _ = cert::read_bundle(&bytes, now);
        let _ = cert::parse_der(&bytes, now);
        let _ = keys::parse_der(&bytes);
        let _ = satoken::decode_jwt(&bytes);
        let _ = bootstrap::parse_rfc3339(&String::from_utf8_lossy(&bytes));
        let _ = go_x509_key_pair_error(&bytes, &bytes);
        for type_ in ALL_TYPES {
            let s = secret(type_, &[(".dockerconfigjson", &bytes), (".dockercfg", &bytes), ("release", &bytes), ("token", &bytes)]);
            let _ = view(&s, now).map(|v| (v.problems(), serde_json::to_string(&v)));
        }
    }

    #[test]
    fn mutated_assets_never_panic(pos in any::<prop::sample::Index>(), byte in any::<u8>(), which in 0usize..6) {
        let assets: [&[u8]; 6] = [
            CRT, KEY, CA_KEY, FUTURE_KEY,
            include_bytes!("../../../../../assets/ssh/id_ed25519"),
            include_bytes!("../../../../../assets/ssh/id_ed25519_encrypted"),
        ];
        let mut bytes = assets[which].to_vec();
        let i = pos.index(bytes.len());
        bytes[i] = byte;
        let _ = view(&tls(&bytes, &bytes), now());
        let _ = content_warnings(&tls(CRT, &bytes), now());
        let _ = go_x509_key_pair_error(&bytes, KEY);
        let _ = view(&secret(types::SSH_AUTH, &[("ssh-privatekey", &bytes), ("ssh-publickey", &bytes)]), now());
    }
}
