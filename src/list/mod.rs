//! The Secrets list as the TUI and `keyhole list` share it: rows without values
//! ([`rows`]), the one rule for their flags ([`flags`]), and, for `keyhole list`, the one-shot
//! gathering of a scope ([`gather`]) and the report ([`report`]).

pub(crate) mod compare;
pub(crate) mod copy;
pub mod flags;
pub(crate) mod fleet;
pub(crate) mod gather;
pub mod inspect;
pub(crate) mod progress;
pub(crate) mod report;
pub mod rows;
