//! Typed views of the built-in Secret types: structured facts the UI and the validator use.
//! (Being written; see the foundation issue.)

use crate::secret::Secret;
use crate::validate::Warning;

/// Warnings about a Secret's contents that the API server does not give: certificate/key
/// mismatch and validity, docker `auth` disagreeing with username/password, bootstrap token
/// format, name and expiry.
pub fn content_warnings(_secret: &Secret, _now: jiff::Timestamp) -> Vec<Warning> {
    Vec::new()
}

/// The error Go's `crypto/tls.X509KeyPair` gives for this pair, if any (placeholder until
/// the TLS view lands).
pub fn go_x509_key_pair_error(_crt: &[u8], _key: &[u8]) -> Option<String> {
    None
}
