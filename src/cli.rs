//! The command line: parses arguments, runs a command, reports the outcome and the exit code
//! (0 success, 1 a problem with the site or the disk, 2 a usage error, from clap).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::build::{BuildOptions, build};
use crate::diagnostics::BuildError;

/// referat turns a folder of council meeting documents (dagsordener and referater) into a
/// static website with search that any web server can host.
#[derive(Debug, Parser)]
#[command(name = "referat", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site: read site.toml, content/ and the theme, write the pages into the output
    /// folder. The output folder changes only when the whole build succeeds.
    Build(BuildArgs),
}

/// Options of `referat build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The site's folder, holding site.toml and content/.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// Where to write the site [default: DIR/public].
    #[arg(long, short, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Serve the site from this URL instead of site.toml's base_url, e.g.
    /// https://www.kommune.dk/raad/ or file:///srv/site/ for a site opened from disk.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Run the parsed command line and return the process's exit code.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Build(args) => run_build(args),
    }
}

fn run_build(args: BuildArgs) -> ExitCode {
    let options = BuildOptions {
        root: args.root,
        output: args.output,
        base_url: args.base_url,
    };
    match build(&options) {
        Ok(summary) => {
            if !args.quiet {
                eprintln!(
                    "Built {}, {}, {}: {} and {} in {} ({:.2} s)",
                    count(summary.councils, "council"),
                    count(summary.meetings, "meeting"),
                    count(summary.items, "item"),
                    count(summary.pages, "page"),
                    count(summary.files, "file"),
                    summary.output.display(),
                    summary.seconds
                );
            }
            ExitCode::SUCCESS
        }
        Err(BuildError::Content(diagnostics)) => {
            for diagnostic in &diagnostics {
                eprintln!("error: {diagnostic}");
            }
            eprintln!(
                "Error: the build found {} problem{}; {} was left as it was.",
                diagnostics.len(),
                if diagnostics.len() == 1 { "" } else { "s" },
                options.output_dir().display()
            );
            ExitCode::FAILURE
        }
        Err(BuildError::Other(error)) => {
            eprintln!("Error: {error}");
            for cause in error.chain().skip(1) {
                eprintln!("Caused by: {cause}");
            }
            eprintln!("{} was left as it was.", options.output_dir().display());
            ExitCode::FAILURE
        }
    }
}

fn count(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        super::Cli::command().debug_assert();
    }
}
