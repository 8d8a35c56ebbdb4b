//! keyhole: a terminal UI for Kubernetes Secrets.
//!
//! `main.rs` only calls [`run`]; everything else lives here so that tests can drive it.

pub mod cli;
pub mod commands;
pub mod demo;
pub mod format;
pub mod refs;
pub mod secret;
pub mod validate;

use std::process::ExitCode;

use clap::Parser as _;

/// Parses the command line and runs the chosen command.
pub fn run() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli.command {
        Some(cli::Command::Validate(args)) => validate::command::run(&args),
        Some(cli::Command::DemoServer(args)) => commands::demo_server(&args),
        None => {
            eprintln!("keyhole: the terminal UI is not implemented yet; try `keyhole --help`");
            ExitCode::from(2)
        }
    }
}
