//! Typed views of the built-in Secret types: structured facts the UI and the validator use.
//! (Being written: the views exist, dispatch comes next.)

pub mod basic;
pub mod bootstrap;
pub mod cert;
pub mod docker;
pub mod helm;
pub mod keys;
pub mod pem;
pub mod satoken;
pub mod ssh;
pub mod tls;

use crate::secret::Secret;
use crate::validate::Warning;

pub use tls::go_x509_key_pair_error;

/// Warnings about a Secret's contents that the API server does not give.
pub fn content_warnings(_secret: &Secret, _now: jiff::Timestamp) -> Vec<Warning> {
    Vec::new()
}
