//! `threads-demo cpu`: not written yet.

use clap::Command;
use demo_kit::{Clock, Common};
use std::process::ExitCode;

/// The subcommand's flags.
pub fn command() -> Command {
    Command::new("cpu").about("CPU-bound work in parallel (not written yet)")
}

/// Runs the variant.
pub fn run(_clock: Clock, _common: &Common, _matches: &clap::ArgMatches) -> ExitCode {
    demo_kit::error("not written yet");
    ExitCode::FAILURE
}
