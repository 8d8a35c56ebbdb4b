//! keyhole: a terminal UI for Kubernetes Secrets.
//!
//! `main.rs` only calls [`run`]; everything else lives here so that tests can drive it.

pub mod app;
pub mod cli;
pub mod cluster;
pub mod commands;
pub mod config;
pub mod demo;
pub mod format;
pub mod keymap;
pub mod launch;
pub mod list;
pub mod refs;
pub mod runner;
pub mod secret;
pub mod terminal;
pub mod tui;
pub mod ui;
pub mod validate;

use std::process::ExitCode;

use clap::Parser as _;

/// Parses the command line and runs the chosen command.
pub fn run() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli.command {
        Some(cli::Command::Validate(args)) => validate::command::run(&args),
        Some(cli::Command::DemoServer(args)) => commands::demo_server(&args),
        Some(cli::Command::List(ref args)) => list::run(&cli, args),
        None => launch::tui(&cli),
    }
}
