//! Whether `ca.crt` is the CA of `tls.crt`: some certificate in `ca.crt` is one of the chain's
//! certificates or signed one of them (cert-manager writes the issuing CA there; a self-signed
//! certificate is its own CA). Signatures are checked with x509-parser's `verify` (ring), not
//! only names: a CA with the right name and another key does not match.

use x509_parser::error::X509Error;
use x509_parser::prelude::{FromDer, X509Certificate};

use super::pem;

/// The answer for one Secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum CaMatch {
    /// A certificate of `ca.crt` is in the chain or signed a certificate of it.
    Matches,
    /// No certificate of `ca.crt` is in the chain or signed one of it.
    DoesNotMatch,
    /// Cannot tell: a side has no readable certificate, or a signature uses an algorithm that
    /// cannot be checked here.
    Unknown,
}

/// Compares the certificates of `ca_pem` with those of `chain_pem`.
pub fn ca_matches(chain_pem: &[u8], ca_pem: &[u8]) -> CaMatch {
    let chain_blocks = certificate_blocks(chain_pem);
    let ca_blocks = certificate_blocks(ca_pem);
    let chain: Vec<X509Certificate<'_>> = parse_all(&chain_blocks);
    let cas: Vec<X509Certificate<'_>> = parse_all(&ca_blocks);
    if chain.is_empty() || cas.is_empty() {
        return CaMatch::Unknown;
    }
    let mut unknown = false;
    for ca in &cas {
        for cert in &chain {
            if ca.as_raw() == cert.as_raw() {
                return CaMatch::Matches;
            }
            if cert.issuer() != ca.subject() {
                continue;
            }
            match cert.verify_signature(Some(ca.public_key())) {
                Ok(()) => return CaMatch::Matches,
                Err(X509Error::SignatureVerificationError) => {}
                // An algorithm ring does not check (e.g. RSA-PSS with odd parameters).
                Err(_) => unknown = true,
            }
        }
    }
    if unknown { CaMatch::Unknown } else { CaMatch::DoesNotMatch }
}

fn certificate_blocks(input: &[u8]) -> Vec<pem::Block> {
    pem::decode_all(input).into_iter().filter(|b| b.label == "CERTIFICATE").collect()
}

fn parse_all(blocks: &[pem::Block]) -> Vec<X509Certificate<'_>> {
    blocks.iter().filter_map(|b| X509Certificate::from_der(&b.der).ok().map(|(_, c)| c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CA: &[u8] = include_bytes!("../../../../../assets/pki/ca.crt");
    const LEAF: &[u8] = include_bytes!("../../../../../assets/pki/example.com.crt");
    const CHAIN: &[u8] = include_bytes!("../../../../../assets/pki/example.com-chain.crt");
    const OTHER_CA: &[u8] = include_bytes!("../../../../../assets/pki/other-ca.crt");
    const IMPOSTOR_CA: &[u8] = include_bytes!("../../../../../assets/pki/impostor-ca.crt");

    #[test]
    fn the_issuing_ca_matches_a_leaf_and_a_chain() {
        assert_eq!(ca_matches(LEAF, CA), CaMatch::Matches);
        assert_eq!(ca_matches(CHAIN, CA), CaMatch::Matches);
        // A self-signed certificate is its own CA.
        assert_eq!(ca_matches(CA, CA), CaMatch::Matches);
        // ca.crt with several certificates: one of them is enough.
        let both = [OTHER_CA, CA].concat();
        assert_eq!(ca_matches(LEAF, &both), CaMatch::Matches);
    }

    #[test]
    fn another_ca_does_not_match_even_with_the_same_name() {
        assert_eq!(ca_matches(LEAF, OTHER_CA), CaMatch::DoesNotMatch);
        // Same subject as the real CA, another key: the signature decides.
        assert_eq!(ca_matches(LEAF, IMPOSTOR_CA), CaMatch::DoesNotMatch);
    }

    #[test]
    fn unreadable_sides_cannot_tell() {
        assert_eq!(ca_matches(b"", CA), CaMatch::Unknown);
        assert_eq!(ca_matches(LEAF, b"not pem"), CaMatch::Unknown);
    }
}
