//! The application core (DESIGN.md decision 8): plain state, messages, and one pure update
//! function that returns effects. Tests drive it without a terminal; the runtime
//! (`crate::tui`) feeds it terminal events and background results, runs its effects, and draws.

pub mod draft;
pub mod editing;
pub mod editor;
pub mod effect;
pub mod filter;
pub mod msg;
pub mod rows;
pub mod state;
pub mod update;
pub mod usage;

pub use effect::Effect;
pub use msg::Msg;
pub use state::State;
pub use update::update;

#[cfg(test)]
mod tests;
