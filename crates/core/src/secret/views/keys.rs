//! Private keys in the DER forms Go's `crypto/tls` accepts (PKCS#1, PKCS#8, SEC1), read only for
//! their type and public half. The private half is never copied out of the parsers' borrowed
//! views of the (zeroized) input.

use pkcs1::der::asn1::UintRef;

/// How a private key is wrapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum KeyFormat {
    /// `BEGIN RSA PRIVATE KEY`
    Pkcs1,
    /// `BEGIN PRIVATE KEY`
    Pkcs8,
    /// `BEGIN ENCRYPTED PRIVATE KEY`: needs a passphrase, which Kubernetes consumers cannot give.
    EncryptedPkcs8,
    /// `BEGIN EC PRIVATE KEY`
    Sec1,
    /// A legacy OpenSSL PEM with `Proc-Type: 4,ENCRYPTED`.
    LegacyEncryptedPem,
    /// `BEGIN OPENSSH PRIVATE KEY`
    OpenSsh,
}

impl KeyFormat {
    pub fn label(self) -> &'static str {
        match self {
            KeyFormat::Pkcs1 => "PKCS#1",
            KeyFormat::Pkcs8 => "PKCS#8",
            KeyFormat::EncryptedPkcs8 => "encrypted PKCS#8",
            KeyFormat::Sec1 => "SEC1",
            KeyFormat::LegacyEncryptedPem => "encrypted PEM (OpenSSL legacy)",
            KeyFormat::OpenSsh => "OpenSSH",
        }
    }
}

/// A key's algorithm and size.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum KeyAlgorithm {
    Rsa {
        bits: usize,
    },
    /// `curve` is `P-256`, `P-384`, `P-521`, ... or the OID when unknown.
    Ec {
        curve: String,
    },
    Ed25519,
    /// Anything else, named by OID or ssh algorithm name.
    Other(String),
}

impl std::fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyAlgorithm::Rsa { bits } => write!(f, "RSA {bits} bits"),
            KeyAlgorithm::Ec { curve } => write!(f, "ECDSA {curve}"),
            KeyAlgorithm::Ed25519 => write!(f, "Ed25519"),
            KeyAlgorithm::Other(name) => write!(f, "{name}"),
        }
    }
}

/// The public half of a key, for comparing a private key with a certificate or ssh public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicParts {
    /// Modulus and exponent, big-endian without leading zeros.
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
    },
    /// The SEC1 encoded point, when known.
    Ec {
        curve: String,
        point: Option<Vec<u8>>,
    },
    Ed25519([u8; 32]),
    Other,
}

/// A private key read for its type and public half.
#[derive(Debug, Clone)]
pub struct ParsedKey {
    pub format: KeyFormat,
    pub algorithm: KeyAlgorithm,
    pub public: PublicParts,
}

/// Why a DER private key could not be read, with the text Go's `crypto/tls` gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyError {
    /// PKCS#8 that parses but holds a key type TLS cannot use (X25519).
    UnknownPkcs8Type,
    Unparseable,
}

impl KeyError {
    pub fn go_message(self) -> &'static str {
        match self {
            KeyError::UnknownPkcs8Type => "tls: found unknown private key type in PKCS#8 wrapping",
            KeyError::Unparseable => "tls: failed to parse private key",
        }
    }
}

pub const OID_RSA: &str = "1.2.840.113549.1.1.1";
pub const OID_EC: &str = "1.2.840.10045.2.1";
pub const OID_ED25519: &str = "1.3.101.112";
const OID_X25519: &str = "1.3.101.110";

/// A curve's common name from its OID, or the OID itself.
pub fn curve_name(oid: &str) -> String {
    match oid {
        "1.2.840.10045.3.1.7" => "P-256",
        "1.3.132.0.34" => "P-384",
        "1.3.132.0.35" => "P-521",
        "1.3.132.0.33" => "P-224",
        "1.3.132.0.10" => "secp256k1",
        other => other,
    }
    .to_string()
}

/// Strips leading zero bytes from a big-endian integer.
pub fn trim_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

/// The bit length of a big-endian unsigned integer.
pub fn bit_len(bytes: &[u8]) -> usize {
    let b = trim_zeros(bytes);
    match b.first() {
        Some(first) => (b.len() - 1) * 8 + (8 - first.leading_zeros() as usize),
        None => 0,
    }
}

/// Reads a DER private key the way Go's `tls.parsePrivateKey` does: PKCS#1, then PKCS#8, then SEC1.
pub fn parse_der(der: &[u8]) -> Result<ParsedKey, KeyError> {
    if let Ok(key) = pkcs1::RsaPrivateKey::try_from(der) {
        return Ok(rsa(KeyFormat::Pkcs1, key.modulus, key.public_exponent));
    }
    if let Ok(info) = pkcs8::PrivateKeyInfo::try_from(der) {
        match pkcs8_key(&info) {
            Pkcs8Result::Key(key) => return Ok(key),
            Pkcs8Result::UnknownType => return Err(KeyError::UnknownPkcs8Type),
            Pkcs8Result::Invalid => {}
        }
    }
    if let Ok(key) = sec1::EcPrivateKey::try_from(der) {
        let curve = key.parameters.and_then(|p| p.named_curve()).map(|oid| oid.to_string());
        if let Some(curve) = curve {
            return Ok(ec(KeyFormat::Sec1, &curve, key.private_key, key.public_key));
        }
    }
    Err(KeyError::Unparseable)
}

enum Pkcs8Result {
    Key(ParsedKey),
    UnknownType,
    Invalid,
}

fn pkcs8_key(info: &pkcs8::PrivateKeyInfo<'_>) -> Pkcs8Result {
    let oid = info.algorithm.oid.to_string();
    match oid.as_str() {
        OID_RSA => match pkcs1::RsaPrivateKey::try_from(info.private_key) {
            Ok(key) => Pkcs8Result::Key(rsa(KeyFormat::Pkcs8, key.modulus, key.public_exponent)),
            Err(_) => Pkcs8Result::Invalid,
        },
        OID_EC => {
            let Ok(key) = sec1::EcPrivateKey::try_from(info.private_key) else {
                return Pkcs8Result::Invalid;
            };
            let curve = info
                .algorithm
                .parameters_oid()
                .ok()
                .or_else(|| key.parameters.and_then(|p| p.named_curve()))
                .map(|oid| oid.to_string());
            match curve {
                Some(curve) => Pkcs8Result::Key(ec(KeyFormat::Pkcs8, &curve, key.private_key, key.public_key)),
                None => Pkcs8Result::Invalid,
            }
        }
        OID_ED25519 => {
            // CurvePrivateKey ::= OCTET STRING (the 32-byte seed) inside the privateKey octets.
            match info.private_key {
                [0x04, 0x20, seed @ ..] if seed.len() == 32 => match ed25519_public(seed) {
                    Some(public) => Pkcs8Result::Key(ParsedKey {
                        format: KeyFormat::Pkcs8,
                        algorithm: KeyAlgorithm::Ed25519,
                        public: PublicParts::Ed25519(public),
                    }),
                    None => Pkcs8Result::Invalid,
                },
                _ => Pkcs8Result::Invalid,
            }
        }
        OID_X25519 => Pkcs8Result::UnknownType,
        _ => Pkcs8Result::Invalid,
    }
}

fn rsa(format: KeyFormat, n: UintRef<'_>, e: UintRef<'_>) -> ParsedKey {
    let n = trim_zeros(n.as_bytes()).to_vec();
    let e = trim_zeros(e.as_bytes()).to_vec();
    ParsedKey { format, algorithm: KeyAlgorithm::Rsa { bits: bit_len(&n) }, public: PublicParts::Rsa { n, e } }
}

fn ec(format: KeyFormat, curve_oid: &str, scalar: &[u8], point: Option<&[u8]>) -> ParsedKey {
    let curve = curve_name(curve_oid);
    let point = point.map(<[u8]>::to_vec).or_else(|| ec_public_point(&curve, scalar));
    ParsedKey { format, algorithm: KeyAlgorithm::Ec { curve: curve.clone() }, public: PublicParts::Ec { curve, point } }
}

/// The Ed25519 public key for a 32-byte seed.
pub fn ed25519_public(seed: &[u8]) -> Option<[u8; 32]> {
    let pair = ring::signature::Ed25519KeyPair::from_seed_unchecked(seed).ok()?;
    ring::signature::KeyPair::public_key(&pair).as_ref().try_into().ok()
}

/// The uncompressed SEC1 point for a private scalar, for keys that leave the public key out
/// (it is optional in SEC1), as Go computes it.
fn ec_public_point(curve: &str, scalar: &[u8]) -> Option<Vec<u8>> {
    use p256::elliptic_curve::sec1::ToEncodedPoint;
    match curve {
        "P-256" => {
            Some(p256::SecretKey::from_slice(scalar).ok()?.public_key().to_encoded_point(false).as_bytes().to_vec())
        }
        "P-384" => {
            Some(p384::SecretKey::from_slice(scalar).ok()?.public_key().to_encoded_point(false).as_bytes().to_vec())
        }
        "P-521" => {
            Some(p521::SecretKey::from_slice(scalar).ok()?.public_key().to_encoded_point(false).as_bytes().to_vec())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::views::pem;

    fn first_der(pem_bytes: &[u8]) -> Vec<u8> {
        pem::decode_all(pem_bytes).remove(0).der.to_vec()
    }

    #[test]
    fn reads_each_asset_format() {
        let rsa = parse_der(&first_der(include_bytes!("../../../../../assets/pki/example.com.key"))).unwrap();
        assert_eq!((rsa.format, &rsa.algorithm), (KeyFormat::Pkcs1, &KeyAlgorithm::Rsa { bits: 2048 }));
        let ec = parse_der(&first_der(include_bytes!("../../../../../assets/pki/expired.key"))).unwrap();
        assert_eq!((ec.format, &ec.algorithm), (KeyFormat::Sec1, &KeyAlgorithm::Ec { curve: "P-256".into() }));
        let ed = parse_der(&first_der(include_bytes!("../../../../../assets/pki/future.key"))).unwrap();
        assert_eq!((ed.format, &ed.algorithm), (KeyFormat::Pkcs8, &KeyAlgorithm::Ed25519));
        let p8 = parse_der(&first_der(include_bytes!("../../../../../assets/pki/mismatch.key"))).unwrap();
        assert_eq!(p8.format, KeyFormat::Pkcs8);
        assert!(matches!(p8.algorithm, KeyAlgorithm::Rsa { .. }));
    }

    #[test]
    fn garbage_is_unparseable() {
        assert_eq!(parse_der(b"").unwrap_err(), KeyError::Unparseable);
        assert_eq!(parse_der(&[0x30, 0x03, 0x02, 0x01, 0x00]).unwrap_err(), KeyError::Unparseable);
    }

    #[test]
    fn derives_a_missing_ec_point() {
        let key = parse_der(&first_der(include_bytes!("../../../../../assets/pki/expired.key"))).unwrap();
        let PublicParts::Ec { point: Some(stored), .. } = key.public else { panic!("no point") };
        let der = first_der(include_bytes!("../../../../../assets/pki/expired.key"));
        let parsed = sec1::EcPrivateKey::try_from(der.as_slice()).unwrap();
        assert_eq!(ec_public_point("P-256", parsed.private_key).unwrap(), stored);
    }

    #[test]
    fn bit_len_counts_from_the_top_bit() {
        assert_eq!(bit_len(&[0, 0x80, 0]), 16);
        assert_eq!(bit_len(&[0x01]), 1);
        assert_eq!(bit_len(&[]), 0);
    }
}
