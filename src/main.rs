use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    referat::cli::run(referat::cli::Cli::parse())
}
