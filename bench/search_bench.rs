//! `referat-bench search`: referat's search against Pagefind on the same generated archives.
//!
//! For each size: the corpus (seed 1) into a temporary folder (in /dev/shm when there is one),
//! built by the `referat` binary beside this one, then indexed by Pagefind (the npm package
//! pinned in bench/package-lock.json, installed into bench/node_modules when missing) with its
//! default settings. Then every query of [`QUERIES`] is asked as a first query, in a fresh Node
//! process per engine, query and run (bench/search_queries.mjs), which reports the bytes the
//! query downloads and the time to the first 10 results. The tables go to stdout and, with the
//! machine, the versions and the command, to a Markdown file.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use clap::Args;
use serde::Deserialize;

use crate::measure::{
    Bundle, bundle, change_one_meeting, install_pagefind, json_number, kilobytes, machine, median,
    megabytes, now_utc, pagefind_version, ratio, referat_binary, thousands, version,
};
use crate::{corpus, measure, referat};

/// The seed of every archive.
const SEED: u64 = 1;

/// What citizens type; every query finds something in the archives of seed 1 at 1,000 and at
/// 10,000 meetings (the Sags ID is an item of Kommunalbestyrelsen in both). "beskæf" is a word
/// still being typed, which both engines also match as a prefix.
const QUERIES: &[&str] = &[
    "beskæftigelse",
    "budget 2024",
    "integration af flygtninge",
    "boligplacering",
    "handleplan",
    "sprogundervisning",
    "høringssvar",
    "udsat",
    "ældre",
    "klima",
    "psykiatri",
    "lokalplan",
    "EMN-2019-00243",
    "beskæf",
];

/// The engines, as bench/search_queries.mjs names them.
const ENGINES: [&str; 2] = ["referat", "pagefind"];

/// What the files of a first query are, as bench/search_queries.mjs names them, with their
/// labels in the report.
const KINDS: [(&str, &str); 4] = [
    ("code", "runtime (JS, WASM)"),
    (
        "entry",
        "entry file (`index.json`; `pagefind-entry.json` + `.pf_meta`)",
    ),
    ("index", "index shards / chunks"),
    ("fragment", "fragments of the first 10 results"),
];

/// The targets of the issue, reported against, not asserted.
const TARGET_RATIO: f64 = 0.5;
/// Milliseconds to results in Node.
const TARGET_MS: f64 = 100.0;

/// The target for a rebuild after one meeting changed, in seconds.
const TARGET_REBUILD_S: f64 = 1.0;

/// Options of `referat-bench search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The archive sizes, in meetings.
    #[arg(
        long,
        value_name = "N,…",
        value_delimiter = ',',
        default_values_t = [1000, 10000],
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    sizes: Vec<u32>,
    /// Fresh Node processes per engine and query; a query's time is their median.
    #[arg(long, value_name = "R", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    runs: u32,
    /// Where to write the report [default: docs/benchmarks-search.md in the repository]
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// One run of bench/search_queries.mjs.
#[derive(Deserialize)]
struct Run {
    /// Milliseconds from calling search to 10 results with their excerpts.
    ms: f64,
    /// Results in all.
    total: u64,
    /// Results fetched (at most 10).
    shown: u64,
    /// What the query downloaded, the runtime included.
    files: Vec<RunFile>,
}

/// A file of a first query.
#[derive(Deserialize)]
struct RunFile {
    /// Its path in the site.
    path: String,
    /// What it is: one of [`KINDS`].
    kind: String,
    /// Its bytes as served.
    bytes: u64,
    /// Its bytes sent with gzip, never more than `bytes`.
    gzip: u64,
}

/// One engine's first query, over the runs.
struct Answer {
    /// Results in all.
    total: u64,
    /// Results fetched (at most 10).
    shown: u64,
    /// Bytes downloaded, by [`KINDS`].
    bytes: [u64; KINDS.len()],
    /// Bytes downloaded with gzip.
    gzip: u64,
    /// The median time, in milliseconds.
    ms: f64,
}

impl Answer {
    /// All bytes downloaded.
    fn total_bytes(&self) -> u64 {
        self.bytes.iter().sum()
    }
}

/// What one size measured; per engine in [`ENGINES`] order.
struct Measured {
    /// Meetings generated.
    meetings: u32,
    /// referat's summary line.
    build_summary: String,
    /// Wall time of `referat build` and of `pagefind --site`.
    times: [Duration; 2],
    /// Wall time of `referat build` after one meeting changed, and its summary line.
    rebuild: (Duration, String),
    /// Documents indexed: referat's `docs`, Pagefind's pages.
    documents: [u64; 2],
    /// `_search/` and `pagefind/`.
    bundles: [Bundle; 2],
    /// Per query of [`QUERIES`].
    answers: Vec<[Answer; 2]>,
}

/// Where things are, and the versions.
struct Setup {
    /// The `referat` binary.
    referat: PathBuf,
    /// The `pagefind` command of bench/node_modules.
    pagefind: PathBuf,
    /// bench/search_queries.mjs.
    driver: PathBuf,
    /// Where the archives are built.
    scratch: PathBuf,
}

/// `referat-bench search`.
pub fn run(args: &SearchArgs) -> Result<()> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bench = repo.join("bench");
    let referat = referat_binary()?;
    let node = version(Command::new("node").arg("--version"))
        .context("Node.js 20 or newer is needed: apt-get install -y nodejs")?;
    let setup = Setup {
        referat,
        pagefind: install_pagefind(&bench)?,
        driver: bench.join("search_queries.mjs"),
        scratch: measure::default_scratch(),
    };
    let versions = format!(
        "{}, Pagefind {} (npm package `pagefind`, default settings), Node.js {node}",
        version(Command::new(&setup.referat).arg("--version"))?,
        pagefind_version(&bench)?
    );

    let mut report = header(args, &versions, &setup.scratch)?;
    for &meetings in &args.sizes {
        let measured = measure(&setup, meetings, args.runs)?;
        let section = section(&measured, args.runs)?;
        println!("{section}");
        report.push_str(&section);
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| repo.join("docs/benchmarks-search.md"));
    fs::write(&out, &report).with_context(|| format!("cannot write {}", out.display()))?;
    eprintln!("Wrote {}", out.display());
    Ok(())
}

/// Generates, builds, indexes and queries the archive of `meetings` meetings.
fn measure(setup: &Setup, meetings: u32, runs: u32) -> Result<Measured> {
    let dir = tempfile::Builder::new()
        .prefix("referat-bench-search-")
        .tempdir_in(&setup.scratch)
        .with_context(|| format!("cannot create a folder in {}", setup.scratch.display()))?;
    let root = dir.path();
    let site = root.join("public");

    eprintln!(
        "{meetings} meetings: generating the corpus in {}",
        root.display()
    );
    let (corpus, _) = corpus::generate(meetings as usize, SEED);
    let command = format!("referat-bench corpus --meetings {meetings} --seed {SEED}");
    referat::write(&corpus, root, &command)?;
    drop(corpus);

    eprintln!("{meetings} meetings: referat build");
    let (build, build_summary) = referat_build(setup, root)?;

    eprintln!("{meetings} meetings: pagefind --site");
    // The case pages (sag/) repeat the items of the meeting pages: a site searched with
    // Pagefind would leave them out of its index, so they are out of the way while it runs.
    let cases = site.join("sag");
    let cases_aside = site.with_extension("sag");
    fs::rename(&cases, &cases_aside)
        .with_context(|| format!("cannot move {} aside", cases.display()))?;
    let started = Instant::now();
    let output = Command::new(&setup.pagefind)
        .arg("--site")
        .arg(&site)
        .output();
    let index = started.elapsed();
    fs::rename(&cases_aside, &cases)
        .with_context(|| format!("cannot move {} back", cases.display()))?;
    let output = output.with_context(|| format!("cannot run {}", setup.pagefind.display()))?;
    ensure!(
        output.status.success(),
        "pagefind failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );

    let documents = [
        json_number(&site.join("_search/index.json"), &["docs"])?,
        json_number(
            &site.join("pagefind/pagefind-entry.json"),
            &["languages", "da", "page_count"],
        )?,
    ];
    let bundles = [
        bundle(&site.join("_search"))?,
        bundle(&site.join("pagefind"))?,
    ];

    eprintln!(
        "{meetings} meetings: {} queries × {} engines × {runs} runs, each in a fresh Node process",
        QUERIES.len(),
        ENGINES.len()
    );
    let mut answers = Vec::with_capacity(QUERIES.len());
    for query in QUERIES {
        let [ours, theirs] = ENGINES.map(|engine| ask(setup, engine, &site, query, runs));
        let pair = [ours?, theirs?];
        for (engine, answer) in ENGINES.iter().zip(&pair) {
            if answer.total == 0 {
                eprintln!("warning: {engine} finds nothing for {query:?} at {meetings} meetings");
            }
        }
        answers.push(pair);
    }
    eprintln!("{meetings} meetings: referat build after one changed meeting");
    change_one_meeting(&root.join("content"))?;
    let rebuild = referat_build(setup, root)?;
    Ok(Measured {
        meetings,
        build_summary,
        times: [build, index],
        rebuild,
        documents,
        bundles,
        answers,
    })
}

/// Runs `referat build` on the site at `root`: its wall time, and its summary line.
fn referat_build(setup: &Setup, root: &Path) -> Result<(Duration, String)> {
    let (usage, summary) = measure::referat_build(&setup.referat, root)?;
    Ok((usage.wall, summary))
}

/// `query` asked of `engine` as a first query, `runs` times, each in a fresh Node process.
fn ask(setup: &Setup, engine: &str, site: &Path, query: &str, runs: u32) -> Result<Answer> {
    let mut times = Vec::with_capacity(runs as usize);
    let mut first: Option<Run> = None;
    for _ in 0..runs {
        let output = Command::new("node")
            .arg(&setup.driver)
            .arg(engine)
            .arg(site)
            .arg(query)
            .output()
            .context("cannot run node")?;
        ensure!(
            output.status.success(),
            "{engine} failed on {query:?}:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8_lossy(&output.stdout);
        let run: Run = serde_json::from_str(stdout.lines().last().unwrap_or_default())
            .with_context(|| format!("{engine} on {query:?}: not an answer: {stdout}"))?;
        times.push(run.ms);
        first.get_or_insert(run);
    }
    let run = first.context("no runs")?;
    let mut bytes = [0; KINDS.len()];
    for file in &run.files {
        let kind = KINDS
            .iter()
            .position(|(name, _)| *name == file.kind)
            .with_context(|| format!("{engine}: {} is of no known kind", file.path))?;
        bytes[kind] += file.bytes;
    }
    Ok(Answer {
        total: run.total,
        shown: run.shown,
        bytes,
        gzip: run.files.iter().map(|f| f.gzip).sum(),
        ms: median(&times),
    })
}

/// The report's title, the machine, the versions, the command and how each figure is measured.
fn header(args: &SearchArgs, versions: &str, scratch: &Path) -> Result<String> {
    let date = now_utc()?;
    let sizes: Vec<String> = args.sizes.iter().map(u32::to_string).collect();
    let mut command = format!(
        "cargo run --release --bin referat-bench -- search --sizes {} --runs {}",
        sizes.join(","),
        args.runs
    );
    if let Some(out) = &args.out {
        write!(command, " --out {}", out.display())?;
    }
    let mut s = String::new();
    writeln!(s, "# Search benchmark: referat against Pagefind\n")?;
    writeln!(s, "Written by `{command}` on {date}.\n")?;
    writeln!(s, "- Machine: {}.", machine())?;
    writeln!(s, "- Versions: {versions}.")?;
    writeln!(
        s,
        "- Archives: `referat-bench corpus --meetings N --seed {SEED}` in {} (memory), built by \
         `referat build`; Pagefind indexes the same built site with `pagefind --site public`, \
         but for the case pages (`sag/`), which repeat the meeting pages' items and which a \
         site searched with Pagefind would leave out (they are moved aside while it runs).",
        scratch.display()
    )?;
    writeln!(
        s,
        "- Rebuild: after the queries, the title of the first item of the newest meeting of the \
         first council changes and `referat build` runs again on the same site, reusing the \
         last build (docs/incremental-builds.md). Pagefind has no incremental index: its figure \
         is its full index again."
    )?;
    writeln!(
        s,
        "- Build / index time: wall time of `referat build`, which writes the whole site (pages \
         and search bundle), and of `pagefind --site`, which indexes the built pages."
    )?;
    writeln!(
        s,
        "- Bundle: every file under `_search/` and under `pagefind/` (Pagefind's optional UI \
         files included), apparent bytes."
    )?;
    writeln!(
        s,
        "- First query: each query in a fresh Node process (`bench/search_queries.mjs`), so \
         nothing is cached. **Bytes**: everything the query downloads, with the runtime: for \
         referat `_search/search.js`, `index.json`, the term shards it needs (positions too for \
         a phrase) and the fragments of the first 10 results; for Pagefind `pagefind.js`, \
         `pagefind-worker.js` (a browser loads it for the first search; Node, without Worker, \
         searches on the main thread and does not), the WASM, `pagefind-entry.json`, the \
         `.pf_meta`, the index chunks and the fragments of the first 10 results. Not Pagefind's \
         UI files. As served without HTTP compression: Pagefind's index files are gzipped on \
         disk, referat's are not; **gzip** is what a server sending gzip (level 6) would send, \
         per file never more than the file. kB = 1,000 bytes."
    )?;
    writeln!(
        s,
        "- **ms**: from calling search (the module is imported before the clock starts) to \
         having the first 10 results with their excerpts (Pagefind: `search()`, then `data()` \
         of the first 10), files read from memory by a replacement of `fetch`, so no network \
         (Node's `Response` class, which that replacement uses, is loaded before the clock \
         too); the median of {} processes (`--runs`).",
        args.runs
    )?;
    writeln!(
        s,
        "- A referat result is an agenda item or a council page; a Pagefind result is a page, \
         and a meeting's page holds all its items: the result counts count different things."
    )?;
    writeln!(
        s,
        "- The **mean** row is the mean over the queries; its ratio is the ratio of the means."
    )?;
    writeln!(
        s,
        "- Targets (from the issue; reported, not asserted): a first query downloads at most \
         {TARGET_RATIO} × Pagefind's bytes, and has its results in under {TARGET_MS} ms in Node, \
         at every size.\n"
    )?;
    Ok(s)
}

/// The report of one size.
fn section(m: &Measured, runs: u32) -> Result<String> {
    let mut s = String::new();
    writeln!(s, "## {} meetings\n", thousands(u64::from(m.meetings)))?;
    writeln!(s, "referat: `{}`\n", m.build_summary)?;
    writeln!(s, "referat's rebuild: `{}`\n", m.rebuild.1)?;
    writeln!(s, "| | referat | Pagefind | referat / Pagefind |")?;
    writeln!(s, "|---|---:|---:|---:|")?;
    let [build, index] = m.times.map(|t| t.as_secs_f64());
    writeln!(
        s,
        "| Build / index time (wall) | {build:.2} s | {index:.2} s | {} |",
        ratio(build, index)
    )?;
    writeln!(
        s,
        "| Documents indexed | {} (items and council pages) | {} (pages) | |",
        thousands(m.documents[0]),
        thousands(m.documents[1])
    )?;
    let rebuild = m.rebuild.0.as_secs_f64();
    writeln!(
        s,
        "| Rebuild after one changed meeting (wall) | {rebuild:.2} s (= {} × its full build) | \
         {index:.2} s (indexes everything again) | {} |",
        ratio(rebuild, build),
        ratio(rebuild, index)
    )?;
    let [ours, theirs] = &m.bundles;
    writeln!(
        s,
        "| Bundle on disk | {} | {} | {} |",
        megabytes(ours.bytes),
        megabytes(theirs.bytes),
        ratio(ours.bytes as f64, theirs.bytes as f64)
    )?;
    writeln!(
        s,
        "| Bundle files | {} | {} | {} |\n",
        thousands(ours.files),
        thousands(theirs.files),
        ratio(ours.files as f64, theirs.files as f64)
    )?;

    writeln!(s, "### First query (ms: median of {runs} runs)\n")?;
    writeln!(
        s,
        "| Query | Results referat | Results Pagefind | kB referat | kB Pagefind | ratio | \
         gzip kB referat | gzip kB Pagefind | ratio | ms referat | ms Pagefind | ratio |"
    )?;
    writeln!(
        s,
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    )?;
    for (query, [ours, theirs]) in QUERIES.iter().zip(&m.answers) {
        let results = |a: &Answer| {
            if a.shown < a.total.min(10) {
                format!("{} ({} shown)", thousands(a.total), a.shown)
            } else {
                thousands(a.total)
            }
        };
        writeln!(
            s,
            "| {query} | {} | {} | {} |",
            results(ours),
            results(theirs),
            figures(
                [
                    ours.total_bytes(),
                    ours.gzip,
                    theirs.total_bytes(),
                    theirs.gzip
                ]
                .map(|b| b as f64),
                ours.ms,
                theirs.ms
            )
        )?;
    }
    let mean = |f: &dyn Fn(&Answer) -> f64, engine: usize| {
        m.answers.iter().map(|pair| f(&pair[engine])).sum::<f64>() / m.answers.len() as f64
    };
    let bytes = |a: &Answer| a.total_bytes() as f64;
    let gzip = |a: &Answer| a.gzip as f64;
    let ms = |a: &Answer| a.ms;
    writeln!(
        s,
        "| **mean** | | | {} |\n",
        figures(
            [
                mean(&bytes, 0),
                mean(&gzip, 0),
                mean(&bytes, 1),
                mean(&gzip, 1)
            ],
            mean(&ms, 0),
            mean(&ms, 1)
        )
    )?;

    writeln!(
        s,
        "### Where a first query's bytes go (mean over the queries)\n"
    )?;
    writeln!(s, "| | kB referat | kB Pagefind |")?;
    writeln!(s, "|---|---:|---:|")?;
    for (k, (_, label)) in KINDS.iter().enumerate() {
        let part = |a: &Answer| a.bytes[k] as f64;
        writeln!(
            s,
            "| {label} | {} | {} |",
            kilobytes(mean(&part, 0)),
            kilobytes(mean(&part, 1))
        )?;
    }
    writeln!(
        s,
        "| all | {} | {} |\n",
        kilobytes(mean(&bytes, 0)),
        kilobytes(mean(&bytes, 1))
    )?;

    writeln!(
        s,
        "Target: a rebuild after one changed meeting in under {TARGET_REBUILD_S} s and under a \
         tenth of a full build: {rebuild:.2} s, {} × ({}).\n",
        ratio(rebuild, build),
        if rebuild < TARGET_REBUILD_S && rebuild < build / 10.0 {
            "met"
        } else {
            "not met"
        }
    )?;
    let within = |f: &dyn Fn(&[Answer; 2]) -> bool| m.answers.iter().filter(|p| f(p)).count();
    writeln!(
        s,
        "Targets: bytes per first query at most {TARGET_RATIO} × Pagefind's: {} of {} queries \
         (mean ratio {}); under {TARGET_MS} ms to results in Node: referat {} of {} queries \
         (slowest {:.0} ms), Pagefind {} of {}.\n",
        within(&|[a, b]| a.total_bytes() as f64 <= TARGET_RATIO * b.total_bytes() as f64),
        m.answers.len(),
        ratio(mean(&bytes, 0), mean(&bytes, 1)),
        within(&|[a, _]| a.ms < TARGET_MS),
        m.answers.len(),
        m.answers.iter().map(|[a, _]| a.ms).fold(0.0, f64::max),
        within(&|[_, b]| b.ms < TARGET_MS),
        m.answers.len(),
    )?;
    Ok(s)
}

/// The cells of a query's row after its result counts: bytes, gzip bytes and ms of each
/// engine, with the ratios. `bytes` is referat's bytes and gzip bytes, then Pagefind's.
fn figures(bytes: [f64; 4], ours_ms: f64, theirs_ms: f64) -> String {
    let [ours, ours_gzip, theirs, theirs_gzip] = bytes;
    format!(
        "{} | {} | {} | {} | {} | {} | {ours_ms:.0} | {theirs_ms:.0} | {}",
        kilobytes(ours),
        kilobytes(theirs),
        ratio(ours, theirs),
        kilobytes(ours_gzip),
        kilobytes(theirs_gzip),
        ratio(ours_gzip, theirs_gzip),
        ratio(ours_ms, theirs_ms)
    )
}
