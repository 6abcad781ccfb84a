//! The command line: parses arguments, runs a command, reports the outcome and the exit code
//! (0 success, 1 a problem with the site or the disk, 2 a usage error, from clap).

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{NaiveDate, Utc};
use chrono_tz::Europe::Copenhagen;
use clap::{Args, Parser, Subcommand};

use std::io::{IsTerminal, Write};

use crate::build::{BuildOptions, build};
use crate::check::{CheckOptions, Report, check};
use crate::config::SiteConfig;
use crate::content::{self, Status};
use crate::diagnostics::BuildError;
use crate::html::unescape;
use crate::progress::{Progress, Verbosity};
use crate::scaffold;
use crate::search::{Answer, Filters, Query, SearchIndex, Sort};

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
    /// Check the site without writing anything: the errors a build would report, links into the
    /// site that lead nowhere, oversized attachments, referater dated in the future, decisions in
    /// a dagsorden, and CPR numbers in published text. Exits with 1 when it finds an error.
    Check(CheckArgs),
    /// Search the archive from the terminal, with the search page's rules and ranking. Uses the
    /// index of the last build, or indexes the content first when it has changed since.
    Search(SearchArgs),
    /// Create a new site in a new folder: site.toml, one council with one meeting, and a
    /// .gitignore. It builds at once.
    Init(InitArgs),
    /// Write a new file from a template.
    #[command(subcommand)]
    New(NewCommand),
    /// Build the site and serve it over HTTP while you edit it: every change to site.toml,
    /// content/, themes/ or templates/ rebuilds it and reloads the open pages, and a build's
    /// errors show in the terminal and over the pages until they are fixed.
    Serve(ServeArgs),
}

/// Options of `referat init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder to create; it must not exist or be empty.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

/// What `referat new` writes.
#[derive(Debug, Subcommand)]
pub enum NewCommand {
    /// A meeting file, content/<COUNCIL>/<DATE>.md, never overwriting one.
    Meeting(NewMeetingArgs),
}

/// Options of `referat new meeting`.
#[derive(Debug, Args)]
pub struct NewMeetingArgs {
    /// The council: the name of its folder in content/.
    pub council: String,
    /// The day of the meeting, YYYY-MM-DD.
    #[arg(value_parser = parse_date)]
    pub date: NaiveDate,
    /// An agenda (before the meeting) or minutes (after it).
    #[arg(long, value_parser = ["dagsorden", "referat"], default_value = "dagsorden")]
    pub status: String,
    /// The site's folder, holding site.toml and content/.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
}

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("`{text}` is not a date: expected YYYY-MM-DD, e.g. 2026-12-01"))
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
    #[arg(long, short, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also print how long each stage of the build took.
    #[arg(long, short)]
    pub verbose: bool,
    /// Make and publish every file, ignoring what the last build left in the site's cache
    /// (.referat-cache/).
    #[arg(long)]
    pub clean: bool,
}

/// Options of `referat check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The site's folder, holding site.toml and content/.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// Check for this URL instead of site.toml's base_url, as `referat build --base-url`.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// `text` for people, `json` for CI pipelines (docs/check.md).
    #[arg(long, value_parser = ["text", "json"], default_value = "text")]
    pub format: String,
    /// Treat warnings as errors.
    #[arg(long)]
    pub strict: bool,
}

/// Options of `referat search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// What to search for: words (all must match, the last also as a prefix), "a phrase" in
    /// quotes, or a Sags ID as written (EMN-2016-02142).
    #[arg(required = true)]
    pub query: Vec<String>,
    /// The site's folder, holding site.toml and content/.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// Only this council (its slug or name).
    #[arg(long, value_name = "COUNCIL")]
    pub council: Option<String>,
    /// Only meetings of this year.
    #[arg(long, value_name = "YEAR")]
    pub year: Option<i32>,
    /// Only agendas or only minutes.
    #[arg(long, value_parser = ["dagsorden", "referat"])]
    pub status: Option<String>,
    /// Newest meeting first instead of best match first.
    #[arg(long)]
    pub by_date: bool,
    /// How many results to show.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// How many results to skip.
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    /// Print the answer as JSON, shaped like the browser module's.
    #[arg(long)]
    pub json: bool,
    /// Make result URLs absolute from this URL instead of site.toml's base_url.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
}

/// Run the parsed command line and return the process's exit code.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Build(args) => run_build(args),
        Command::Check(args) => run_check(&args),
        Command::Search(args) => finish(run_search(&args)),
        Command::Init(args) => finish(run_init(&args).map_err(BuildError::Other)),
        Command::New(NewCommand::Meeting(args)) => {
            finish(run_new_meeting(&args).map_err(BuildError::Other))
        }
        Command::Serve(args) => finish(run_serve(&args).map_err(BuildError::Other)),
    }
}

fn finish(result: Result<(), BuildError>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            report(&error);
            ExitCode::FAILURE
        }
    }
}

fn run_init(args: &InitArgs) -> anyhow::Result<()> {
    let files = scaffold::init(&args.dir, today())?;
    for file in &files {
        eprintln!("Created {}", file.display());
    }
    eprintln!("Build it with: referat build --root {}", args.dir.display());
    Ok(())
}

fn run_new_meeting(args: &NewMeetingArgs) -> anyhow::Result<()> {
    let status = Status::parse(&args.status).map_err(anyhow::Error::msg)?;
    let path = scaffold::new_meeting(&args.root, &args.council, args.date, status)?;
    eprintln!("Created {}", path.display());
    Ok(())
}

/// Options of `referat serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The site's folder, holding site.toml and content/.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// The port to listen on; 0 takes a free one.
    #[arg(long, default_value_t = 1111)]
    pub port: u16,
    /// The address to listen on: 127.0.0.1 for this machine only, 0.0.0.0 for the network.
    #[arg(long, value_name = "ADDRESS", default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Open the site in the default browser once it has built.
    #[arg(long)]
    pub open: bool,
}

fn run_serve(args: &ServeArgs) -> anyhow::Result<()> {
    crate::serve::serve(&crate::serve::ServeOptions {
        root: args.root.clone(),
        port: args.port,
        bind: args.bind,
        open: args.open,
    })
}

fn run_search(args: &SearchArgs) -> Result<(), BuildError> {
    let root = &args.root;
    let config = SiteConfig::load(root, args.base_url.as_deref())
        .map_err(|d| BuildError::Content(vec![d]))?;
    let base_url = config.base_url.clone();
    let index = SearchIndex::open_or_build(
        root,
        |line| eprintln!("{line}"),
        || {
            eprintln!("Indexing the content of {} for search …", root.display());
            content::load(root, config, None).map_err(BuildError::Content)
        },
    )?;
    let mut filters = Filters::default();
    if let Some(wanted) = &args.council {
        let slug = index
            .councils()
            .find(|(slug, name)| slug == wanted || name.to_lowercase() == wanted.to_lowercase())
            .map(|(slug, _)| slug.to_owned());
        match slug {
            Some(slug) => filters.council.push(slug),
            None => {
                let known: Vec<&str> = index.councils().map(|(slug, _)| slug).collect();
                return Err(BuildError::Other(anyhow::anyhow!(
                    "there is no council `{wanted}`: expected one of {}",
                    known.join(", ")
                )));
            }
        }
    }
    filters.year.extend(args.year);
    filters.status.extend(args.status.clone());
    let query = Query {
        text: args.query.join(" "),
        filters,
        limit: args.limit,
        offset: args.offset,
        sort: if args.by_date {
            Sort::Date
        } else {
            Sort::Relevance
        },
    };
    let mut answer = index.search(&query)?;
    for hit in &mut answer.results {
        hit.about.url = format!("{base_url}{}", hit.about.url);
    }
    let text = if args.json {
        serde_json::to_string_pretty(&answer).map_err(anyhow::Error::from)? + "\n"
    } else {
        format_answer(&query, &answer, std::io::stdout().is_terminal())
    };
    print(&text)
}

/// Write `text` to standard output; a reader that stops early (`| head`) is not an error.
fn print(text: &str) -> Result<(), BuildError> {
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(BuildError::Other(e.into())),
        _ => Ok(()),
    }
}

/// The answer as the terminal shows it.
fn format_answer(query: &Query, answer: &Answer, bold: bool) -> String {
    let text = &query.text;
    let mut out = match answer.total {
        0 => format!("No results for \"{text}\".\n"),
        total => format!(
            "{} for \"{text}\" (showing {}–{}):\n",
            count(total, "result"),
            (query.offset + 1).min(total),
            (query.offset + answer.results.len()).min(total)
        ),
    };
    if let Some(suggestion) = &answer.suggestion {
        out += &format!("Did you mean \"{suggestion}\"?\n");
    }
    let (on, off) = if bold {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("*", "*")
    };
    for (n, hit) in answer.results.iter().enumerate() {
        let excerpt = &hit.excerpt;
        let hit = &hit.about;
        let about: Vec<&str> = [
            Some(hit.council.as_str()),
            hit.date.as_deref(),
            hit.status.as_deref(),
            hit.case.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect();
        out += &format!(
            "\n{}. {}\n   {}\n   {}\n",
            query.offset + n + 1,
            hit.title,
            about.join(" · "),
            hit.url
        );
        if !excerpt.is_empty() {
            let excerpt = unescape(
                &excerpt
                    .replace("<mark>", on)
                    .replace("</mark>", off)
                    .replace('\n', " "),
            );
            out += &format!("   {excerpt}\n");
        }
    }
    out
}

fn report(error: &BuildError) {
    eprint!("{}", error.lines());
}

/// Today in Copenhagen, where the councils meet, whatever zone the machine runs in (CI
/// servers often run in UTC).
fn today() -> NaiveDate {
    Utc::now().with_timezone(&Copenhagen).date_naive()
}

fn run_check(args: &CheckArgs) -> ExitCode {
    let report = check(&CheckOptions {
        root: args.root.clone(),
        base_url: args.base_url.clone(),
        today: today(),
        strict: args.strict,
    });
    let text = match args.format.as_str() {
        "json" => match serde_json::to_string_pretty(&report) {
            Ok(json) => json + "\n",
            Err(error) => return finish(Err(BuildError::Other(error.into()))),
        },
        _ => format_report(&report),
    };
    if let Err(error) = print(&text) {
        return finish(Err(error));
    }
    if report.errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// The findings as the terminal shows them, each with its hint, then a summary.
fn format_report(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let place = match f.line {
            Some(line) => format!("{}:{line}", f.file.display()),
            None => f.file.display().to_string(),
        };
        out += &format!(
            "{place}: {}: {} [{}]\n  hint: {}\n",
            f.severity.as_str(),
            f.message,
            f.rule.name(),
            f.hint
        );
    }
    let found = match (report.errors, report.warnings) {
        (0, 0) => "No problems found".to_owned(),
        (errors, 0) => format!("Found {}", count(errors, "error")),
        (0, warnings) => format!("Found {}", count(warnings, "warning")),
        (errors, warnings) => format!(
            "Found {} and {}",
            count(errors, "error"),
            count(warnings, "warning")
        ),
    };
    out += &match report.checked {
        Some(checked) => format!(
            "{found} in {} and {}.\n",
            count(checked.councils, "council"),
            count(checked.meetings, "meeting")
        ),
        None => format!(
            "{found}. The site did not load, so only the build's errors were looked for: fix \
             them and check again.\n"
        ),
    };
    out
}

fn run_build(args: BuildArgs) -> ExitCode {
    let options = BuildOptions {
        root: args.root,
        output: args.output,
        base_url: args.base_url,
        clean: args.clean,
    };
    let verbosity = match (args.quiet, args.verbose) {
        (true, _) => Verbosity::Quiet,
        (_, true) => Verbosity::Verbose,
        _ => Verbosity::Normal,
    };
    match build(&options, &Progress::new(verbosity)) {
        Ok(summary) => {
            if verbosity == Verbosity::Verbose {
                for stage in &summary.stages {
                    let count = stage.count.map(|n| format!(" ({n})")).unwrap_or_default();
                    eprintln!("{:>8.3} s  {}{count}", stage.time.as_secs_f64(), stage.name);
                }
            }
            if verbosity != Verbosity::Quiet {
                let published = &summary.published;
                let changes = if published.incremental {
                    format!(
                        "; {} changed, {} removed",
                        count(published.written, "file"),
                        published.removed
                    )
                } else {
                    String::new()
                };
                eprintln!(
                    "Built {}, {}, {}: {} and {} in {}{changes} ({:.2} s)",
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
        Err(error) => {
            report(&error);
            let output = options.output_dir();
            match error {
                BuildError::Content(diagnostics) => eprintln!(
                    "Error: the build found {}; {} was left as it was.",
                    count(diagnostics.len(), "problem"),
                    output.display()
                ),
                BuildError::Refused(leaks) => eprintln!(
                    "Error: {}; {} was left as it was.",
                    BuildError::Refused(leaks),
                    output.display()
                ),
                BuildError::Other(_) => eprintln!("{} was left as it was.", output.display()),
            }
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
