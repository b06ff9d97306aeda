//! `threads-demo shared`: not written yet.

use clap::Command;
use demo_kit::{Clock, Common};
use std::process::ExitCode;

/// The subcommand's flags.
pub fn command() -> Command {
    Command::new("shared").about("Every thread adds to one shared counter (not written yet)")
}

/// Runs the variant.
pub fn run(_clock: Clock, _common: &Common) -> ExitCode {
    demo_kit::error("not written yet");
    ExitCode::FAILURE
}
