//! referat-bench: generates large, realistic archives of council meetings for referat's tests
//! and benchmarks.
//!
//! `referat-bench corpus --meetings N [--seed S] [--format referat|hugo] --out DIR` writes
//! `DIR/site.toml` and `DIR/content/` (or, as a Hugo site, `DIR/config.toml`, `DIR/layouts/`,
//! `DIR/content/`); the same N and S always give the same bytes. The corpus is generated as a
//! plain model first (`corpus`, `model`), then written in a format (`referat`, `hugo`).
//!
//! `referat-bench search [--sizes 1000,10000] [--out FILE]` measures referat's search against
//! Pagefind on generated archives (`search_bench`, with the Node driver
//! bench/search_queries.mjs) and writes the report, by default docs/benchmarks-search.md.
//!
//! `referat-bench compare [--sizes 1000,10000] [--with-100k] [--runs R] [--quick] [--out FILE]`
//! measures referat's build and rebuild against Hugo's build plus Pagefind's index of it
//! (`compare`, with `chart` for the SVG) and writes the report, by default docs/benchmarks.md.
//! `measure` holds what both benchmarks share.

mod chart;
mod compare;
mod corpus;
mod hugo;
mod measure;
mod model;
mod referat;
mod rng;
mod search_bench;
mod text;
mod words;

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Result;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::model::{Block, Corpus, Status};

/// Generates archives of council meetings in referat's content format, for tests and
/// benchmarks.
#[derive(Debug, Parser)]
#[command(name = "referat-bench", version, about, long_about = None)]
struct Cli {
    /// What to do.
    #[command(subcommand)]
    command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
enum Command {
    /// Write a generated archive (site.toml and content/) that `referat build` builds. The same
    /// number of meetings and seed always give byte-identical files.
    Corpus(CorpusArgs),
    /// Measure referat's search against Pagefind on generated archives: build and index time,
    /// bundle size, and per first query the bytes downloaded and the time to results in Node.
    /// Needs the release `referat` binary beside this one, Node.js and npm (Pagefind is
    /// installed into bench/node_modules when missing).
    Search(search_bench::SearchArgs),
    /// Measure referat's build, and its rebuild after one changed meeting, against Hugo's build
    /// of the same archive plus Pagefind's index of Hugo's output: wall time, CPU time, peak
    /// memory, output size and files. Needs the release `referat` binary beside this one; Hugo
    /// and GNU time are installed with apt-get, Pagefind into bench/node_modules, when missing.
    Compare(compare::CompareArgs),
}

/// The formats an archive is written in.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    /// referat's content format: site.toml and content/.
    Referat,
    /// A Hugo site: config.toml, layouts/, static/ and content/ with a page bundle per meeting.
    Hugo,
}

/// Options of `referat-bench corpus`.
#[derive(Debug, Args)]
struct CorpusArgs {
    /// How many meetings to generate (about 30 councils share them).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    meetings: u32,
    /// The seed: another seed gives another archive of the same shape.
    #[arg(long, value_name = "S", default_value_t = 1)]
    seed: u64,
    /// The format to write: referat's, or the same archive as a Hugo site.
    #[arg(long, value_enum, default_value_t = Format::Referat)]
    format: Format,
    /// The folder to write into: new, empty, or holding an earlier corpus of the same format
    /// (replaced).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Corpus(args) => corpus(&args),
        Command::Search(args) => search_bench::run(&args),
        Command::Compare(args) => compare::run(&args),
    }
}

/// `referat-bench corpus`.
fn corpus(args: &CorpusArgs) -> Result<()> {
    let started = Instant::now();
    let (corpus, vocabulary) = corpus::generate(args.meetings as usize, args.seed);
    let mut command = format!(
        "referat-bench corpus --meetings {} --seed {}",
        args.meetings, args.seed
    );
    match args.format {
        Format::Referat => referat::write(&corpus, &args.out, &command)?,
        Format::Hugo => {
            command.push_str(" --format hugo");
            hugo::write(&corpus, &args.out, &command)?;
        }
    }
    let stats = Stats::of(&corpus);
    println!(
        "Wrote {} councils, {} meetings ({} agendas), {} items ({} closed), {} attachments, \
         from a vocabulary of {} nouns, to {} ({:.2} s)",
        corpus.councils.len(),
        stats.meetings,
        stats.agendas,
        stats.items,
        stats.closed,
        stats.attachments,
        vocabulary.noun_count(),
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Counts for the summary line.
struct Stats {
    /// Meetings.
    meetings: usize,
    /// Meetings published as an agenda only.
    agendas: usize,
    /// Agenda items.
    items: usize,
    /// Closed items.
    closed: usize,
    /// Attachment files.
    attachments: usize,
}

impl Stats {
    /// The counts of `corpus`.
    fn of(corpus: &Corpus) -> Self {
        let meetings = corpus.councils.iter().flat_map(|c| &c.meetings);
        let items = meetings.clone().flat_map(|m| &m.items);
        Stats {
            meetings: meetings.clone().count(),
            agendas: meetings.filter(|m| m.status == Status::Dagsorden).count(),
            items: items.clone().count(),
            closed: items.clone().filter(|i| i.closed).count(),
            attachments: items
                .flat_map(|i| &i.sections)
                .flat_map(|s| &s.blocks)
                .map(|b| match b {
                    Block::Attachments(files) => files.len(),
                    _ => 0,
                })
                .sum(),
        }
    }
}
