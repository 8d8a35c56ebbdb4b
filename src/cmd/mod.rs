//! The subcommands side by side: `keyhole validate`, `keyhole list`, `keyhole demo-server`.

pub(crate) mod demo_server;
pub(crate) mod validate;
