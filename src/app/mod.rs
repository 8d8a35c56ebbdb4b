//! The application core (DESIGN.md decision 8): plain state, messages, and one pure update
//! function that returns effects. No module here performs I/O or reads a clock: time arrives
//! in `Msg::Tick`, and files, randomness, the clipboard and the cluster are effects whose
//! results come back as messages. The runtime (`crate::runtime`) feeds it input and results,
//! runs its effects and draws; tests drive it with or without that loop.

pub(crate) mod copy;
mod detail;
pub(crate) mod draft;
mod edit;
pub(crate) mod editor;
pub mod effect;
pub mod filter;
pub mod fleet;
pub(crate) mod history;
mod list;
pub(crate) mod msg;
pub mod restart;
pub mod state;
pub(crate) mod update;
pub(crate) mod usage;
mod watched;

pub(crate) use detail::open_error_text;
pub(crate) use msg::Msg;
pub use state::State;
pub(crate) use update::update;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
