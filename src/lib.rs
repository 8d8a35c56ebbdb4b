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

use clap::{CommandFactory as _, Parser as _};

/// `0.1.0 (abc1234 2026-12-05)`: the version and the commit it was built from (build.rs).
pub(crate) const VERSION: &str = env!("KEYHOLE_VERSION");

/// Parses the command line and runs the chosen command.
pub fn run() -> ExitCode {
    // kubectl asking to complete `kubectl keyhole ...` (keyhole linked as kubectl_complete-keyhole).
    if cmd::complete::started_as_kubectl_completer() {
        return cmd::complete::kubectl();
    }
    // A shell asking for completions (the scripts of `keyhole completions`): answered, and exit.
    clap_complete::CompleteEnv::with_factory(cli::Cli::command).var(cmd::complete::VAR).complete();
    let cli = cli::Cli::parse().resolve().unwrap_or_else(|e| e.exit());
    use cli::Command as C;
    let local = matches!(cli.command, Some(C::DemoServer(_) | C::Validate(_) | C::Completions { .. } | C::Man { .. }));
    if !local && !cli.cluster.demo {
        memory::tune();
    }
    match cli.command {
        Some(C::Validate(args)) => cmd::validate::run(&args),
        Some(C::DemoServer(args)) => cmd::demo_server::run(&args),
        Some(C::List { ref args, .. }) => cmd::list::run(&cli, args),
        Some(C::Restart { ref args, .. }) => cmd::restart::run(&cli, args),
        Some(C::Access { ref args, .. }) => cmd::access::run(&cli, args),
        Some(C::Compare { ref args, .. }) => cmd::compare::run(&cli, args),
        Some(C::Completions { shell }) => cmd::complete::script(shell),
        Some(C::Man { ref out_dir }) => cmd::man::run(out_dir.as_deref()),
        Some(C::ExecCredential { ref command }) => cmd::exec_credential::run(command),
        None => cmd::tui::run(&cli),
    }
}
