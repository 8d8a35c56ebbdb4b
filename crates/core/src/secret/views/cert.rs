//! Facts about X.509 certificates in a PEM bundle: names, validity, key, fingerprint.

use std::net::{Ipv4Addr, Ipv6Addr};

use jiff::Timestamp;
use sha2::{Digest, Sha256};
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};

use super::keys::{self, KeyAlgorithm, PublicParts};
use super::pem;

/// What the UI shows about one certificate. Certificates are public: nothing here is secret.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CertInfo {
    pub subject: String,
    pub issuer: String,
    pub dns_names: Vec<String>,
    pub ip_addresses: Vec<String>,
    pub emails: Vec<String>,
    pub not_before: Timestamp,
    pub not_after: Timestamp,
    /// Whole days from `now` to not-after, rounded down: negative once expired.
    pub days_left: i64,
    pub expired: bool,
    pub not_yet_valid: bool,
    pub key_algorithm: KeyAlgorithm,
    pub is_ca: bool,
    pub self_signed: bool,
    /// Colon-separated hex, as `openssl x509 -serial` shows it.
    pub serial: String,
    /// SHA-256 of the DER, colon-separated upper-case hex, as `openssl x509 -fingerprint -sha256`.
    pub sha256_fingerprint: String,
    #[serde(skip)]
    pub(crate) public_key: PublicParts,
}

/// The certificates of one PEM value (`tls.crt`, `ca.crt`) and what was wrong with it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct CertBundle {
    pub certificates: Vec<CertInfo>,
    /// PEM blocks that are not certificates (their types only).
    pub other_blocks: Vec<String>,
    pub problems: Vec<String>,
}

/// Reads every `CERTIFICATE` block of `input`.
pub fn read_bundle(input: &[u8], now: Timestamp) -> CertBundle {
    let mut bundle = CertBundle::default();
    let blocks = pem::decode_all(input);
    if blocks.is_empty() {
        if !input.is_empty() {
            bundle.problems.push("no PEM data found: expected -----BEGIN CERTIFICATE----- blocks".to_string());
        } else {
            bundle.problems.push("the value is empty".to_string());
        }
        return bundle;
    }
    let mut index = 0;
    for block in blocks {
        if block.label != "CERTIFICATE" {
            bundle.other_blocks.push(block.label.clone());
            if block.label.ends_with("PRIVATE KEY") {
                bundle.problems.push(format!("holds a private key ({}): keys belong in tls.key", block.label));
            }
            continue;
        }
        index += 1;
        match parse_der(&block.der, now) {
            Ok(info) => bundle.certificates.push(info),
            Err(e) => bundle.problems.push(format!("certificate {index} cannot be parsed: {e}")),
        }
    }
    if index == 0 {
        bundle.problems.push(format!("no CERTIFICATE block, only: {}", bundle.other_blocks.join(", ")));
    }
    bundle
}

/// Parses one DER certificate. The error is Go's `x509` wording where it has one.
pub fn parse_der(der: &[u8], now: Timestamp) -> Result<CertInfo, String> {
    let (rest, cert) = X509Certificate::from_der(der).map_err(|_| "x509: malformed certificate".to_string())?;
    if !rest.is_empty() {
        return Err("x509: trailing data".to_string());
    }
    Ok(info(&cert, der, now))
}

fn info(cert: &X509Certificate<'_>, der: &[u8], now: Timestamp) -> CertInfo {
    let (mut dns_names, mut ip_addresses, mut emails) = (Vec::new(), Vec::new(), Vec::new());
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for name in &san.value.general_names {
            match name {
                GeneralName::DNSName(d) => dns_names.push(d.to_string()),
                GeneralName::RFC822Name(e) => emails.push(e.to_string()),
                GeneralName::IPAddress(ip) => ip_addresses.push(ip_string(ip)),
                _ => {}
            }
        }
    }
    let validity = cert.validity();
    let not_before = timestamp(validity.not_before.timestamp());
    let not_after = timestamp(validity.not_after.timestamp());
    let (key_algorithm, public_key) = public_key(cert);
    let subject = cert.subject().to_string();
    let issuer = cert.issuer().to_string();
    CertInfo {
        self_signed: subject == issuer,
        subject,
        issuer,
        dns_names,
        ip_addresses,
        emails,
        days_left: days_between(now, not_after),
        expired: not_after < now,
        not_yet_valid: not_before > now,
        not_before,
        not_after,
        key_algorithm,
        is_ca: cert.is_ca(),
        serial: cert.raw_serial_as_string(),
        sha256_fingerprint: colon_hex(&Sha256::digest(der)),
        public_key,
    }
}

fn public_key(cert: &X509Certificate<'_>) -> (KeyAlgorithm, PublicParts) {
    let spki = cert.public_key();
    let oid = spki.algorithm.algorithm.to_id_string();
    let data: &[u8] = &spki.subject_public_key.data;
    match oid.as_str() {
        keys::OID_RSA => match spki.parsed() {
            Ok(x509_parser::public_key::PublicKey::RSA(rsa)) => {
                let n = keys::trim_zeros(rsa.modulus).to_vec();
                let e = keys::trim_zeros(rsa.exponent).to_vec();
                (KeyAlgorithm::Rsa { bits: keys::bit_len(&n) }, PublicParts::Rsa { n, e })
            }
            _ => (KeyAlgorithm::Other("RSA (unreadable)".into()), PublicParts::Other),
        },
        keys::OID_EC => {
            let curve_oid = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| x509_parser::der_parser::oid::Oid::try_from(p).ok())
                .map(|o| o.to_id_string())
                .unwrap_or_default();
            let curve = keys::curve_name(&curve_oid);
            (KeyAlgorithm::Ec { curve: curve.clone() }, PublicParts::Ec { curve, point: Some(data.to_vec()) })
        }
        keys::OID_ED25519 => match <[u8; 32]>::try_from(data) {
            Ok(k) => (KeyAlgorithm::Ed25519, PublicParts::Ed25519(k)),
            Err(_) => (KeyAlgorithm::Ed25519, PublicParts::Other),
        },
        other => (KeyAlgorithm::Other(other.to_string()), PublicParts::Other),
    }
}

fn ip_string(bytes: &[u8]) -> String {
    if let Ok(v4) = <[u8; 4]>::try_from(bytes) {
        Ipv4Addr::from(v4).to_string()
    } else if let Ok(v6) = <[u8; 16]>::try_from(bytes) {
        Ipv6Addr::from(v6).to_string()
    } else {
        colon_hex(bytes)
    }
}

/// Seconds since the epoch as a timestamp, clamped into jiff's range.
pub fn timestamp(secs: i64) -> Timestamp {
    Timestamp::from_second(secs).unwrap_or(if secs < 0 { Timestamp::MIN } else { Timestamp::MAX })
}

/// Whole days from `from` to `to`, rounded down (negative when `to` is in the past).
pub fn days_between(from: Timestamp, to: Timestamp) -> i64 {
    (to.as_second() - from.as_second()).div_euclid(86_400)
}

pub fn colon_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn reads_the_example_leaf() {
        let b = read_bundle(include_bytes!("../../../../../assets/pki/example.com.crt"), at("2027-01-01T00:00:00Z"));
        assert!(b.problems.is_empty(), "{:?}", b.problems);
        let c = &b.certificates[0];
        assert!(c.subject.contains("example.com"), "{}", c.subject);
        assert_eq!(c.dns_names, ["example.com", "www.example.com"]);
        assert_eq!(c.key_algorithm, KeyAlgorithm::Rsa { bits: 2048 });
        assert!(!c.is_ca && !c.expired && !c.not_yet_valid);
        assert!(c.days_left > 300);
        assert_eq!(c.sha256_fingerprint.len(), 32 * 3 - 1);
    }

    #[test]
    fn reads_a_chain_and_the_ca() {
        let b =
            read_bundle(include_bytes!("../../../../../assets/pki/example.com-chain.crt"), at("2027-01-01T00:00:00Z"));
        assert_eq!(b.certificates.len(), 2);
        let ca = &b.certificates[1];
        assert!(ca.is_ca && ca.self_signed);
        assert_eq!(ca.key_algorithm, KeyAlgorithm::Ec { curve: "P-256".into() });
        assert_eq!(ca.subject, b.certificates[0].issuer);
    }

    #[test]
    fn expired_and_future_dates() {
        let now = at("2030-01-01T00:00:00Z");
        let expired = &read_bundle(include_bytes!("../../../../../assets/pki/expired.crt"), now).certificates[0];
        assert!(expired.expired && expired.days_left < 0);
        let future = &read_bundle(include_bytes!("../../../../../assets/pki/future.crt"), now).certificates[0];
        assert!(future.not_yet_valid && !future.expired);
        assert_eq!(future.key_algorithm, KeyAlgorithm::Ed25519);
    }

    #[test]
    fn broken_input_is_a_problem_not_a_panic() {
        assert!(!read_bundle(b"", Timestamp::UNIX_EPOCH).problems.is_empty());
        assert!(!read_bundle(b"hello", Timestamp::UNIX_EPOCH).problems.is_empty());
        let bad = b"-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n";
        let b = read_bundle(bad, Timestamp::UNIX_EPOCH);
        assert!(b.certificates.is_empty());
        assert!(b.problems[0].contains("cannot be parsed"), "{:?}", b.problems);
        let key = read_bundle(include_bytes!("../../../../../assets/pki/ca.key"), Timestamp::UNIX_EPOCH);
        assert!(key.problems.iter().any(|p| p.contains("tls.key")), "{:?}", key.problems);
    }

    #[test]
    fn days_round_down() {
        assert_eq!(days_between(at("2030-01-01T00:00:00Z"), at("2030-01-01T12:00:00Z")), 0);
        assert_eq!(days_between(at("2030-01-01T00:00:00Z"), at("2029-12-31T23:59:59Z")), -1);
        assert_eq!(days_between(at("2030-01-01T00:00:00Z"), at("2030-01-31T00:00:00Z")), 30);
    }
}
