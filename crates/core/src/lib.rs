//! keyhole-core: what keyhole knows about Secrets without a cluster. The decoded model and the
//! codec between base64 `data` and bytes (values zeroized on drop, never in `Debug`), the typed
//! views of the built-in Secret types, and the one validator (DESIGN.md decision 4) that the
//! TUI, `keyhole validate` and the embedded cluster all call.

pub mod format;
pub mod secret;
pub mod validate;
