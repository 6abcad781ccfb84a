use std::process::ExitCode;

use clap::Parser;

/// mimalloc hands freed memory back to the system as a build goes from stage to stage, where
/// the system allocator kept what each stage had used (#5: peak memory at 100,000 meetings).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    referat::cli::run(referat::cli::Cli::parse())
}
