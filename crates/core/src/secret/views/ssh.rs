//! `kubernetes.io/ssh-auth`: the type, fingerprint, comment and public half of `ssh-privatekey`,
//! and whether an `ssh-publickey` value belongs to it. OpenSSH keys are read fully (the public
//! half of an encrypted key is stored in the clear); PEM keys (PKCS#1, PKCS#8, SEC1) are read
//! through their public numbers.

use ssh_key::public::{EcdsaPublicKey, Ed25519PublicKey, KeyData, RsaPublicKey};
use ssh_key::{HashAlg, Mpint, PublicKey};

use super::keys::{self, KeyFormat, PublicParts};
use super::pem;
use crate::secret::Secret;

pub const PRIVATE_KEY: &str = "ssh-privatekey";
pub const PUBLIC_KEY: &str = "ssh-publickey";

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SshView {
    /// `None` when `ssh-privatekey` is missing or unreadable.
    pub key: Option<SshKeyInfo>,
    pub public_key_present: bool,
    /// Whether `ssh-publickey` is the public half of `ssh-privatekey`; `None` when one is
    /// missing or unreadable.
    pub public_key_matches: Option<bool>,
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SshKeyInfo {
    pub format: KeyFormat,
    /// The ssh algorithm name (`ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`), or the PEM
    /// type for an encrypted PEM key.
    pub algorithm: String,
    /// RSA modulus size; curve size for ECDSA.
    pub bits: Option<usize>,
    /// `SHA256:...` as `ssh-keygen -l` prints it.
    pub fingerprint: Option<String>,
    pub comment: Option<String>,
    pub encrypted: bool,
    /// The `authorized_keys` line, e.g. `ssh-ed25519 AAAA... comment`.
    pub public_key_line: Option<String>,
}

pub fn view(secret: &Secret) -> SshView {
    let mut problems = Vec::new();
    let mut public = None;
    let key = match secret.get(PRIVATE_KEY) {
        None => {
            problems.push(format!("{PRIVATE_KEY} is missing"));
            None
        }
        Some(v) if v.is_empty() => {
            problems.push(format!("{PRIVATE_KEY} is empty"));
            None
        }
        Some(v) => match read_private(v) {
            Ok((info, data)) => {
                public = data;
                Some(info)
            }
            Err(msg) => {
                problems.push(msg);
                None
            }
        },
    };
    let given = secret.get(PUBLIC_KEY);
    let mut public_key_matches = None;
    if let Some(given) = given {
        match given.as_str().map(str::trim).map(PublicKey::from_openssh) {
            Some(Ok(given)) => {
                if let Some(derived) = &public {
                    let matches = given.key_data() == derived;
                    public_key_matches = Some(matches);
                    if !matches {
                        problems.push(format!("{PUBLIC_KEY} is not the public half of {PRIVATE_KEY}"));
                    }
                }
            }
            _ => problems
                .push(format!("{PUBLIC_KEY} is not an OpenSSH public key line (\"ssh-ed25519 AAAA... comment\")")),
        }
    }
    SshView { key, public_key_present: given.is_some(), public_key_matches, problems }
}

/// Reads the first private key block; returns its facts and its public key data.
fn read_private(value: &[u8]) -> Result<(SshKeyInfo, Option<KeyData>), String> {
    let blocks = pem::decode_all(value);
    let Some(block) = blocks.iter().find(|b| b.label.ends_with("PRIVATE KEY")) else {
        return Err(format!("{PRIVATE_KEY} has no PEM private key (expected -----BEGIN OPENSSH PRIVATE KEY-----)"));
    };
    if block.label == "OPENSSH PRIVATE KEY" {
        let key = ssh_key::PrivateKey::from_bytes(&block.der)
            .map_err(|e| format!("{PRIVATE_KEY} cannot be read as an OpenSSH key: {e}"))?;
        let public = key.public_key();
        let comment = Some(key.comment().to_string()).filter(|c| !c.is_empty());
        let mut info = describe(KeyFormat::OpenSsh, public.key_data(), comment);
        info.encrypted = key.is_encrypted();
        return Ok((info, Some(public.key_data().clone())));
    }
    let encrypted_format = if block.label == "ENCRYPTED PRIVATE KEY" {
        Some(KeyFormat::EncryptedPkcs8)
    } else if block.encrypted_headers {
        Some(KeyFormat::LegacyEncryptedPem)
    } else {
        None
    };
    if let Some(format) = encrypted_format {
        let info = SshKeyInfo {
            format,
            algorithm: block.label.clone(),
            bits: None,
            fingerprint: None,
            comment: None,
            encrypted: true,
            public_key_line: None,
        };
        return Ok((info, None));
    }
    let parsed = keys::parse_der(&block.der).map_err(|_| {
        format!("{PRIVATE_KEY} cannot be read as a {} key", block.label.trim_end_matches(" PRIVATE KEY"))
    })?;
    let data = key_data(&parsed.public)
        .ok_or_else(|| format!("{PRIVATE_KEY} is a {} key, which ssh does not use", parsed.algorithm))?;
    Ok((describe(parsed.format, &data, None), Some(data)))
}

fn describe(format: KeyFormat, data: &KeyData, comment: Option<String>) -> SshKeyInfo {
    let bits = match data {
        KeyData::Rsa(rsa) => rsa.n.as_positive_bytes().map(keys::bit_len),
        KeyData::Ecdsa(ec) => Some(match ec {
            EcdsaPublicKey::NistP256(_) => 256,
            EcdsaPublicKey::NistP384(_) => 384,
            EcdsaPublicKey::NistP521(_) => 521,
        }),
        KeyData::Ed25519(_) => Some(256),
        _ => None,
    };
    let public = PublicKey::new(data.clone(), comment.clone().unwrap_or_default());
    SshKeyInfo {
        format,
        algorithm: data.algorithm().as_str().to_string(),
        bits,
        fingerprint: Some(data.fingerprint(HashAlg::Sha256).to_string()),
        comment,
        encrypted: false,
        public_key_line: public.to_openssh().ok(),
    }
}

/// The ssh public key for the public half of a PEM private key.
fn key_data(public: &PublicParts) -> Option<KeyData> {
    match public {
        PublicParts::Rsa { n, e } => Some(KeyData::Rsa(RsaPublicKey {
            e: Mpint::from_positive_bytes(e).ok()?,
            n: Mpint::from_positive_bytes(n).ok()?,
        })),
        PublicParts::Ec { point: Some(point), .. } => {
            Some(KeyData::Ecdsa(EcdsaPublicKey::from_sec1_bytes(point).ok()?))
        }
        PublicParts::Ed25519(k) => Some(KeyData::Ed25519(Ed25519PublicKey(*k))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::types;

    fn secret(private: &[u8], public: Option<&[u8]>) -> Secret {
        let mut s = Secret::new("default", "ssh", types::SSH_AUTH);
        let mut data = std::collections::BTreeMap::new();
        data.insert(PRIVATE_KEY.to_string(), private.into());
        if let Some(p) = public {
            data.insert(PUBLIC_KEY.to_string(), p.into());
        }
        s.data = Some(data);
        s
    }

    fn pub_line(file: &[u8]) -> String {
        let s = std::str::from_utf8(file).unwrap().trim();
        s.to_string()
    }

    #[test]
    fn reads_an_openssh_ed25519_key_and_its_public_half() {
        let pubfile = include_bytes!("../../../../../assets/ssh/id_ed25519.pub");
        let v = view(&secret(include_bytes!("../../../../../assets/ssh/id_ed25519"), Some(pubfile)));
        assert!(v.problems.is_empty(), "{:?}", v.problems);
        let k = v.key.unwrap();
        assert_eq!((k.format, k.algorithm.as_str(), k.encrypted), (KeyFormat::OpenSsh, "ssh-ed25519", false));
        assert_eq!(k.comment.as_deref(), Some("demo@keyhole"));
        assert_eq!(k.public_key_line.as_deref(), Some(pub_line(pubfile).as_str()));
        assert!(k.fingerprint.unwrap().starts_with("SHA256:"));
        assert_eq!(v.public_key_matches, Some(true));
    }

    #[test]
    fn reads_rsa_bits_and_the_encrypted_key_public_half() {
        let rsa = view(&secret(include_bytes!("../../../../../assets/ssh/id_rsa"), None)).key.unwrap();
        assert_eq!((rsa.algorithm.as_str(), rsa.bits), ("ssh-rsa", Some(2048)));
        let pubfile = include_bytes!("../../../../../assets/ssh/id_ed25519_encrypted.pub");
        let v = view(&secret(include_bytes!("../../../../../assets/ssh/id_ed25519_encrypted"), Some(pubfile)));
        let k = v.key.unwrap();
        assert!(k.encrypted);
        let line = pub_line(pubfile);
        let key_part: Vec<&str> = line.split(' ').take(2).collect();
        assert!(k.public_key_line.unwrap().starts_with(&key_part.join(" ")));
        assert_eq!(v.public_key_matches, Some(true));
    }

    #[test]
    fn pem_rsa_key_gets_the_ssh_fingerprint_of_its_numbers() {
        let v = view(&secret(include_bytes!("../../../../../assets/pki/example.com.key"), None));
        let k = v.key.unwrap();
        assert_eq!((k.format, k.algorithm.as_str(), k.bits), (KeyFormat::Pkcs1, "ssh-rsa", Some(2048)));
        assert!(k.public_key_line.unwrap().starts_with("ssh-rsa AAAAB3NzaC1yc2E"));
        let ec = view(&secret(include_bytes!("../../../../../assets/pki/ca.key"), None)).key.unwrap();
        assert_eq!(ec.algorithm, "ecdsa-sha2-nistp256");
        let ed = view(&secret(include_bytes!("../../../../../assets/pki/future.key"), None)).key.unwrap();
        assert_eq!(ed.algorithm, "ssh-ed25519");
    }

    #[test]
    fn reports_a_public_key_of_another_key() {
        let v = view(&secret(
            include_bytes!("../../../../../assets/ssh/id_ed25519"),
            Some(include_bytes!("../../../../../assets/ssh/id_rsa.pub")),
        ));
        assert_eq!(v.public_key_matches, Some(false));
        assert!(v.problems[0].contains("not the public half"));
        let v = view(&secret(include_bytes!("../../../../../assets/ssh/id_ed25519"), Some(b"not a key")));
        assert_eq!(v.public_key_matches, None);
        assert!(v.problems[0].contains("OpenSSH public key line"));
    }

    #[test]
    fn broken_private_keys_are_problems() {
        assert!(view(&secret(b"", None)).problems[0].contains("empty"));
        assert!(view(&secret(b"hello", None)).problems[0].contains("no PEM"));
        let garbage = b"-----BEGIN OPENSSH PRIVATE KEY-----\nYWJj\n-----END OPENSSH PRIVATE KEY-----\n";
        assert!(view(&secret(garbage, None)).problems[0].contains("cannot be read"));
        let mut s = Secret::new("default", "ssh", types::SSH_AUTH);
        s.data = Some(Default::default());
        assert!(view(&s).problems[0].contains("missing"));
    }
}
