//! `kubernetes.io/tls`: the certificates of `tls.crt` (and `ca.crt`), the type of `tls.key`, and
//! whether the key belongs to the first certificate. Also the exact error Go's
//! `crypto/tls.X509KeyPair` gives, which kube-apiserver returns as a warning.

use jiff::Timestamp;

use super::cert::{self, CertBundle, CertInfo};
use super::chain::{self, CaMatch};
use super::keys::{self, KeyAlgorithm, KeyFormat, ParsedKey, PublicParts};
use super::pem;
use crate::secret::Secret;
use crate::validate::Warning;

pub const CERT_KEY: &str = "tls.crt";
pub const KEY_KEY: &str = "tls.key";
pub const CA_KEY: &str = "ca.crt";

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TlsView {
    /// `tls.crt`, `None` when the key is absent.
    pub certificates: Option<CertBundle>,
    /// `tls.key`: its type, never its contents. `None` when absent or unreadable.
    pub key: Option<KeyInfo>,
    pub key_match: KeyMatch,
    /// `ca.crt`, when present.
    pub ca: Option<CertBundle>,
    /// Whether `ca.crt` is the CA of `tls.crt`'s chain; `None` without both keys.
    pub ca_match: Option<CaMatch>,
    /// Why `tls.key` could not be read, when it is present but unusable.
    pub key_problem: Option<String>,
    /// What is wrong with `tls.key` or the pair, for people.
    pub problems: Vec<String>,
}

/// The type of a private key, read without keeping the key.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct KeyInfo {
    /// The PEM type, e.g. `RSA PRIVATE KEY`.
    pub pem_label: String,
    pub format: KeyFormat,
    /// `None` when encrypted (the type is inside the encryption).
    pub algorithm: Option<KeyAlgorithm>,
}

impl KeyInfo {
    pub fn is_encrypted(&self) -> bool {
        matches!(self.format, KeyFormat::EncryptedPkcs8 | KeyFormat::LegacyEncryptedPem)
    }
}

/// Whether `tls.key` is the private key of the first certificate in `tls.crt`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum KeyMatch {
    Matches,
    /// Same algorithm, different key.
    DoesNotMatch,
    /// E.g. an RSA certificate with an EC key.
    TypeDiffers,
    /// Cannot tell: a side is missing, unreadable or encrypted.
    Unknown,
}

pub fn view(secret: &Secret, now: Timestamp) -> TlsView {
    let certificates = secret.get(CERT_KEY).map(|v| cert::read_bundle(v, now));
    let ca = secret.get(CA_KEY).map(|v| cert::read_bundle(v, now));
    let mut problems = Vec::new();
    let mut key_problem = None;
    let (key, parsed) = match secret.get(KEY_KEY) {
        None => {
            problems.push(format!("{KEY_KEY} is missing"));
            (None, None)
        }
        Some(v) => {
            let mut key_problems = Vec::new();
            let read = read_key(v, &mut key_problems);
            key_problem = key_problems.first().cloned();
            problems.extend(key_problems);
            read
        }
    };
    let first = certificates.as_ref().and_then(|b| b.certificates.first());
    let key_match = match (first, &parsed) {
        (Some(c), Some(k)) => compare(&c.public_key, &k.public),
        _ => KeyMatch::Unknown,
    };
    match key_match {
        KeyMatch::DoesNotMatch => problems.push(format!(
            "{KEY_KEY} does not belong to the first certificate in {CERT_KEY}: TLS servers will refuse to start"
        )),
        KeyMatch::TypeDiffers => problems.push(format!(
            "{KEY_KEY} is a different kind of key ({}) than the certificate's ({})",
            parsed.as_ref().map(|k| k.algorithm.to_string()).unwrap_or_default(),
            first.map(|c| c.key_algorithm.to_string()).unwrap_or_default()
        )),
        KeyMatch::Matches | KeyMatch::Unknown => {}
    }
    let ca_match = match (secret.get(CERT_KEY), secret.get(CA_KEY)) {
        (Some(crt), Some(ca)) => Some(chain::ca_matches(crt, ca)),
        _ => None,
    };
    if ca_match == Some(CaMatch::DoesNotMatch) {
        problems.push(format!("no certificate in {CA_KEY} issued the certificates in {CERT_KEY}"));
    }
    TlsView { certificates, key, key_match, ca, ca_match, key_problem, problems }
}

/// Reads the first private key block of `tls.key`, as Go picks it.
fn read_key(value: &[u8], problems: &mut Vec<String>) -> (Option<KeyInfo>, Option<ParsedKey>) {
    let blocks = pem::decode_all(value);
    let Some(block) = blocks.iter().find(|b| is_private_key_label(&b.label)) else {
        let msg = if value.is_empty() {
            format!("{KEY_KEY} is empty")
        } else if blocks.iter().any(|b| b.label == "CERTIFICATE") {
            format!("{KEY_KEY} holds a certificate, not a private key: the values may have been swapped")
        } else {
            format!("{KEY_KEY} has no PEM private key (expected -----BEGIN ... PRIVATE KEY-----)")
        };
        problems.push(msg);
        return (None, None);
    };
    let encrypted_format = if block.label == "ENCRYPTED PRIVATE KEY" {
        Some(KeyFormat::EncryptedPkcs8)
    } else if block.encrypted_headers {
        Some(KeyFormat::LegacyEncryptedPem)
    } else {
        None
    };
    if let Some(format) = encrypted_format {
        problems.push(format!(
            "{KEY_KEY} is encrypted with a passphrase; Kubernetes TLS consumers need an unencrypted key"
        ));
        return (Some(KeyInfo { pem_label: block.label.clone(), format, algorithm: None }), None);
    }
    match keys::parse_der(&block.der) {
        Ok(parsed) => {
            let info = KeyInfo {
                pem_label: block.label.clone(),
                format: parsed.format,
                algorithm: Some(parsed.algorithm.clone()),
            };
            (Some(info), Some(parsed))
        }
        Err(_) if block.label == "OPENSSH PRIVATE KEY" => {
            problems.push(format!(
                "{KEY_KEY} is an OpenSSH key; TLS needs PKCS#1, PKCS#8 or SEC1 PEM (ssh-keygen -p -m PEM converts it)"
            ));
            (None, None)
        }
        Err(e) => {
            problems.push(format!("{KEY_KEY} cannot be read as a private key ({})", e.go_message()));
            (None, None)
        }
    }
}

fn is_private_key_label(label: &str) -> bool {
    label == "PRIVATE KEY" || label.ends_with(" PRIVATE KEY")
}

/// Compares a certificate's public key with a private key's public half.
pub fn compare(cert: &PublicParts, key: &PublicParts) -> KeyMatch {
    match (cert, key) {
        (PublicParts::Rsa { n: cn, e: ce }, PublicParts::Rsa { n: kn, e: ke }) => {
            if cn == kn && ce == ke {
                KeyMatch::Matches
            } else {
                KeyMatch::DoesNotMatch
            }
        }
        (PublicParts::Ec { point: Some(cp), .. }, PublicParts::Ec { point: Some(kp), .. }) => {
            if cp == kp {
                KeyMatch::Matches
            } else {
                KeyMatch::DoesNotMatch
            }
        }
        (PublicParts::Ec { .. }, PublicParts::Ec { .. }) => KeyMatch::Unknown,
        (PublicParts::Ed25519(c), PublicParts::Ed25519(k)) => {
            if c == k {
                KeyMatch::Matches
            } else {
                KeyMatch::DoesNotMatch
            }
        }
        (PublicParts::Other, _) | (_, PublicParts::Other) => KeyMatch::Unknown,
        _ => KeyMatch::TypeDiffers,
    }
}

/// The error Go's `crypto/tls.X509KeyPair(crt, key)` returns, or `None` when it would succeed.
/// kube-apiserver sends this text as a `Warning: 299` header on writes of TLS Secrets.
pub fn go_x509_key_pair_error(crt: &[u8], key: &[u8]) -> Option<String> {
    let mut first_cert: Option<Vec<u8>> = None;
    let mut skipped: Vec<String> = Vec::new();
    let mut rest = crt;
    while let Some((block, next)) = pem::decode(rest) {
        rest = next;
        if block.label == "CERTIFICATE" {
            if first_cert.is_none() {
                first_cert = Some(block.der.to_vec());
            }
        } else {
            skipped.push(block.label.clone());
        }
    }
    let Some(cert_der) = first_cert else {
        if skipped.is_empty() {
            return Some("tls: failed to find any PEM data in certificate input".to_string());
        }
        if skipped.len() == 1 && skipped[0].ends_with("PRIVATE KEY") {
            return Some(
                "tls: failed to find certificate PEM data in certificate input, but did find a private key; \
                 PEM inputs may have been switched"
                    .to_string(),
            );
        }
        return Some(format!(
            "tls: failed to find \"CERTIFICATE\" PEM block in certificate input after skipping PEM blocks of the \
             following types: [{}]",
            skipped.join(" ")
        ));
    };

    skipped.clear();
    let mut rest = key;
    let key_block = loop {
        let Some((block, next)) = pem::decode(rest) else {
            if skipped.is_empty() {
                return Some("tls: failed to find any PEM data in key input".to_string());
            }
            if skipped.len() == 1 && skipped[0] == "CERTIFICATE" {
                return Some("tls: found a certificate rather than a key in the PEM for the private key".to_string());
            }
            return Some(format!(
                "tls: failed to find PEM block with type ending in \"PRIVATE KEY\" in key input after skipping PEM \
                 blocks of the following types: [{}]",
                skipped.join(" ")
            ));
        };
        rest = next;
        if is_private_key_label(&block.label) {
            break block;
        }
        skipped.push(block.label.clone());
    };

    let cert = match cert::parse_der(&cert_der, Timestamp::UNIX_EPOCH) {
        Ok(c) => c,
        Err(e) => return Some(e),
    };
    if let PublicParts::Ec { curve, .. } = &cert.public_key
        && !matches!(curve.as_str(), "P-224" | "P-256" | "P-384" | "P-521")
    {
        // Go's x509 parser rejects the certificate itself.
        return Some("x509: unsupported elliptic curve".to_string());
    }
    let parsed = match keys::parse_der(&key_block.der) {
        Ok(k) => k,
        Err(e) => return Some(e.go_message().to_string()),
    };
    go_compare(&cert, &parsed)
}

/// Go compares only what it supports: RSA by modulus, ECDSA by point, Ed25519 by public key.
fn go_compare(cert: &CertInfo, key: &ParsedKey) -> Option<String> {
    match (&cert.public_key, &key.public) {
        (PublicParts::Other, _) => Some("tls: unknown public key algorithm".to_string()),
        (PublicParts::Rsa { n: cn, .. }, PublicParts::Rsa { n: kn, .. }) => {
            (cn != kn).then(|| "tls: private key does not match public key".to_string())
        }
        (PublicParts::Ec { .. }, PublicParts::Ec { .. }) | (PublicParts::Ed25519(_), PublicParts::Ed25519(_)) => {
            match compare(&cert.public_key, &key.public) {
                KeyMatch::DoesNotMatch => Some("tls: private key does not match public key".to_string()),
                _ => None,
            }
        }
        _ => Some("tls: private key type does not match public key type".to_string()),
    }
}

/// How close to expiry a certificate must be to warn.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

/// Warnings about the pair and every certificate: mismatch, unreadable values, expired, not yet
/// valid, expiring within [`EXPIRY_WARNING_DAYS`].
pub fn warnings(v: &TlsView, now: Timestamp) -> Vec<Warning> {
    let mut out = Vec::new();
    let cert_field = format!("data[{CERT_KEY}]");
    let key_field = format!("data[{KEY_KEY}]");
    if let Some(bundle) = &v.certificates {
        bundle_warnings(&mut out, &cert_field, CERT_KEY, bundle, now);
    }
    if let Some(problem) = &v.key_problem {
        out.push(Warning::new(&key_field, format!("{problem}. TLS servers and ingress controllers will not load it")));
    }
    let subject =
        || v.certificates.as_ref().and_then(|b| b.certificates.first()).map(|c| c.subject.clone()).unwrap_or_default();
    match v.key_match {
        KeyMatch::DoesNotMatch => out.push(Warning::new(
            &key_field,
            format!(
                "the private key does not match the certificate \"{}\" in {CERT_KEY}; TLS servers will refuse the \
                 pair. Put the key this certificate was issued for in {KEY_KEY}, or replace both",
                subject()
            ),
        )),
        KeyMatch::TypeDiffers => {
            let key_alg = v.key.as_ref().and_then(|k| k.algorithm.as_ref()).map(|a| a.to_string()).unwrap_or_default();
            let cert_alg = v
                .certificates
                .as_ref()
                .and_then(|b| b.certificates.first())
                .map(|c| c.key_algorithm.to_string())
                .unwrap_or_default();
            out.push(Warning::new(
                &key_field,
                format!(
                    "the private key ({key_alg}) is a different kind of key than the certificate \"{}\" ({cert_alg}); \
                     put the key this certificate was issued for in {KEY_KEY}",
                    subject()
                ),
            ));
        }
        KeyMatch::Matches | KeyMatch::Unknown => {}
    }
    if let Some(bundle) = &v.ca {
        bundle_warnings(&mut out, &format!("data[{CA_KEY}]"), CA_KEY, bundle, now);
    }
    if v.ca_match == Some(CaMatch::DoesNotMatch) {
        out.push(Warning::new(
            format!("data[{CA_KEY}]"),
            format!(
                "no certificate in {CA_KEY} issued the certificate \"{}\" or its chain in {CERT_KEY}; clients that \
                 trust {CA_KEY} will reject the server. Put the issuing CA in {CA_KEY}",
                subject()
            ),
        ));
    }
    out
}

fn bundle_warnings(out: &mut Vec<Warning>, field: &str, key: &str, bundle: &CertBundle, now: Timestamp) {
    for p in &bundle.problems {
        out.push(Warning::new(field, format!("{key}: {p}. Put PEM certificates (-----BEGIN CERTIFICATE-----) here")));
    }
    for c in &bundle.certificates {
        let span = format!("valid {} to {}", day(c.not_before), day(c.not_after));
        if c.expired {
            out.push(Warning::new(
                field,
                format!(
                    "certificate \"{}\" expired {} days ago ({span}); clients will reject it. Renew it and update {key}",
                    c.subject,
                    days_since(c.not_after, now)
                ),
            ));
        } else if c.not_yet_valid {
            out.push(Warning::new(
                field,
                format!(
                    "certificate \"{}\" is not valid yet ({span}); clients will reject it until {}. Check the clock of \
                     the machine that issued it",
                    c.subject,
                    day(c.not_before)
                ),
            ));
        } else if c.days_left < EXPIRY_WARNING_DAYS {
            out.push(Warning::new(
                field,
                format!(
                    "certificate \"{}\" expires in {} days ({span}); renew it and update {key} soon",
                    c.subject, c.days_left
                ),
            ));
        }
    }
}

fn days_since(then: Timestamp, now: Timestamp) -> i64 {
    cert::days_between(then, now)
}

/// A timestamp as `2025-01-31 12:00:00 UTC`.
pub fn day(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string()
}
