//! keyhole: a terminal UI for Kubernetes Secrets.
//!
//! `main.rs` only calls [`run`]; everything else lives here so that tests can drive it.

pub mod access;
pub mod app;
pub(crate) mod cli;
pub mod cluster;
pub(crate) mod cmd;
pub(crate) mod config;
pub(crate) mod keymap;
pub mod list;
mod memory;
pub mod owners;
pub mod refs;
pub mod runtime;
pub mod terminal;
pub mod ui;

#[cfg(test)]
mod architecture;

// The Secret model, codec, views and validator live in keyhole-core; inside keyhole they are
// reached as `crate::secret`, `crate::validate` and `crate::format`.
use keyhole_core::{format, secret, validate};

use std::process::ExitCode;

use clap::Parser as _;

/// Parses the command line and runs the chosen command.
pub fn run() -> ExitCode {
    let cli = cli::Cli::parse();
    if !matches!(cli.command, Some(cli::Command::DemoServer(_) | cli::Command::Validate(_))) && !cli.demo {
        memory::tune();
    }
    match cli.command {
        Some(cli::Command::Validate(args)) => cmd::validate::run(&args),
        Some(cli::Command::DemoServer(args)) => cmd::demo_server::run(&args),
        Some(cli::Command::List(ref args)) => cmd::list::run(&cli, args),
        Some(cli::Command::Restart(ref args)) => cmd::restart::run(&cli, args),
        Some(cli::Command::Access(ref args)) => cmd::access::run(&cli, args),
        Some(cli::Command::Compare(ref args)) => cmd::compare::run(&cli, args),
        Some(cli::Command::ExecCredential { ref command }) => cmd::exec_credential::run(command),
        None => cmd::tui::run(&cli),
    }
}
