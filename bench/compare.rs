//! `referat-bench compare`: referat against Hugo + Pagefind on the same generated archives.
//!
//! For each size, the corpus (seed 1) is written twice into a temporary folder (in /dev/shm
//! when there is one): in referat's format and as a Hugo site (`hugo`). Then, per run, the
//! contenders take turns: referat's full build (pages and search bundle, from nothing), referat's
//! rebuild after one changed meeting, Hugo's build (from nothing), and Pagefind's index of Hugo's
//! output. Each is run under GNU time for its wall time, CPU time and peak memory. The tables,
//! the ratios referat / (Hugo + Pagefind) and the targets of issue #5 go to stdout and, with the
//! machine, the versions and the command, to a Markdown file with an SVG chart beside it.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail, ensure};
use clap::Args;

use crate::chart::{self, Series};
use crate::measure::{
    Bundle, Usage, apt_install, bundle, change_one_meeting, default_scratch, free_bytes,
    has_gnu_time, install_pagefind, json_number, load_average, machine, median, now_utc,
    pagefind_version, ratio, referat_binary, referat_build, thousands, timed, version,
};
use crate::{corpus, hugo, referat};

/// The seed of every archive.
const SEED: u64 = 1;

/// The size `--with-100k` adds.
const LARGE: u32 = 100_000;

/// Scratch space one meeting takes, measured on ext4 with room to spare, as its sources and
/// as what each run makes, which is kept until a size's runs are over (see [`set_aside`]):
/// referat's output and cache took 205 kB at 100,000 meetings, and Hugo's output with
/// Pagefind's index 35 kB at 10,000.
const SPACE: Space = Space {
    referat_source: 30_000,
    referat_run: 220_000,
    hugo_source: 30_000,
    peers_run: 40_000,
};

/// The targets of issue #5, reported against, not asserted: a full build in at most this
/// fraction of the wall time of Hugo + Pagefind, at every size;
const TARGET_BUILD_RATIO: f64 = 0.25;
/// a rebuild after one changed meeting in under this many seconds at 10,000 meetings;
const TARGET_REBUILD_S: f64 = 1.0;
/// peak memory under these bytes at these sizes;
const TARGET_PEAK: [(u32, f64); 2] = [(10_000, 1e9), (LARGE, 2e9)];
/// the time per meeting within this fraction from 1,000 to 100,000 meetings.
const TARGET_FLAT: f64 = 0.20;

/// The contenders, in the order each run runs them.
const CONTENDERS: [&str; 4] = ["referat build", "referat rebuild", "Hugo", "Pagefind"];
/// Indexes into [`CONTENDERS`].
const BUILD: usize = 0;
const REBUILD: usize = 1;
const HUGO: usize = 2;
const PAGEFIND: usize = 3;

/// Options of `referat-bench compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The archive sizes, in meetings.
    #[arg(
        long,
        value_name = "N,…",
        value_delimiter = ',',
        default_values_t = [1000, 10000],
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    sizes: Vec<u32>,
    /// Also measure 100,000 meetings: it needs 70 GB free in the scratch folder with 3 runs,
    /// more than /dev/shm usually has (see --scratch), and an hour or more on 2 cores. Hugo and
    /// Pagefind are left out at a size where their peak memory, scaled from the largest size they
    /// ran at, would be more than the machine has (they took over 4 GB each at 10,000 meetings).
    #[arg(long)]
    with_100k: bool,
    /// Runs per size; each figure is the median of the runs.
    #[arg(long, value_name = "R", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    runs: u32,
    /// CI's quick mode: 1,000 meetings, one run; the report goes to stdout only, unless --out.
    #[arg(long, conflicts_with_all = ["sizes", "with_100k", "runs"])]
    quick: bool,
    /// Where to write the report; the chart goes beside it, as the same name with .svg
    /// [default: docs/benchmarks.md in the repository, none with --quick]
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Where to generate and build the archives [default: /dev/shm, else the temporary folder]
    #[arg(long, value_name = "DIR")]
    scratch: Option<PathBuf>,
}

/// What one contender's run took: seconds, seconds, bytes.
#[derive(Clone, Copy, Debug)]
struct Sample {
    /// Wall time.
    wall: f64,
    /// User and system CPU time.
    cpu: f64,
    /// Peak resident memory.
    peak: f64,
}

/// The sample of a contender that was not run.
const NOT_RUN: Sample = Sample {
    wall: f64::NAN,
    cpu: f64::NAN,
    peak: f64::NAN,
};

impl Sample {
    /// From GNU time's figures, which [`timed`] has when /usr/bin/time is GNU time.
    fn of(usage: Usage) -> Self {
        Sample {
            wall: usage.wall.as_secs_f64(),
            cpu: usage.cpu.map_or(f64::NAN, |d| d.as_secs_f64()),
            peak: usage.peak.map_or(f64::NAN, |b| b as f64),
        }
    }

    /// Two contenders one after the other: their times add up, their memory does not.
    fn then(self, next: Sample) -> Sample {
        Sample {
            wall: self.wall + next.wall,
            cpu: self.cpu + next.cpu,
            peak: self.peak.max(next.peak),
        }
    }
}

/// A figure of a [`Sample`].
#[derive(Clone, Copy)]
enum Figure {
    Wall,
    Cpu,
    Peak,
}

impl Figure {
    fn of(self, sample: &Sample) -> f64 {
        match self {
            Figure::Wall => sample.wall,
            Figure::Cpu => sample.cpu,
            Figure::Peak => sample.peak,
        }
    }
}

/// What one size measured.
struct Measured {
    /// Meetings generated.
    meetings: u32,
    /// Per run, per contender of [`CONTENDERS`].
    runs: Vec<[Sample; 4]>,
    /// referat's summary line of its first full build.
    build_summary: String,
    /// referat's summary line of its first rebuild.
    rebuild_summary: String,
    /// referat's `public/`.
    output: Bundle,
    /// What Hugo and Pagefind made, or why they were not run (their samples are then NaN).
    peers: Result<Peers, String>,
}

/// What Hugo and Pagefind made at one size.
struct Peers {
    /// Pages Hugo made, as it reports them.
    hugo_pages: u64,
    /// Pages Pagefind indexed.
    pagefind_pages: u64,
    /// Hugo's `public/` without `pagefind/`.
    pages: Bundle,
    /// Pagefind's `pagefind/`.
    index: Bundle,
}

impl Measured {
    /// The median over the runs of `figure` of contender `c`.
    fn median(&self, c: usize, figure: Figure) -> f64 {
        let values: Vec<f64> = self.runs.iter().map(|run| figure.of(&run[c])).collect();
        median(&values)
    }

    /// The median over the runs of `figure` of Hugo and then Pagefind.
    fn combined(&self, figure: Figure) -> f64 {
        let values: Vec<f64> = self
            .runs
            .iter()
            .map(|run| figure.of(&run[HUGO].then(run[PAGEFIND])))
            .collect();
        median(&values)
    }

    /// The highest peak memory of referat, build or rebuild, in any run.
    fn referat_peak(&self) -> f64 {
        self.runs
            .iter()
            .flat_map(|run| [run[BUILD].peak, run[REBUILD].peak])
            .fold(0.0, f64::max)
    }

    /// The factor from this size to `meetings`, for a figure taken to grow with the archive.
    fn scale_to(&self, meetings: u32) -> f64 {
        f64::from(meetings) / f64::from(self.meetings)
    }

    /// Seconds of wall time per 1,000 meetings for `seconds`.
    fn per_thousand(&self, seconds: f64) -> f64 {
        seconds * 1000.0 / f64::from(self.meetings)
    }
}

/// Where things are.
struct Setup {
    /// The `referat` binary.
    referat: PathBuf,
    /// The `pagefind` command of bench/node_modules.
    pagefind: PathBuf,
    /// Where the archives are built.
    scratch: PathBuf,
}

/// `referat-bench compare`.
pub fn run(args: &CompareArgs) -> Result<()> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bench = repo.join("bench");
    let (mut sizes, runs) = if args.quick {
        (vec![1000], 1)
    } else {
        (args.sizes.clone(), args.runs)
    };
    if args.with_100k {
        sizes.push(LARGE);
    }
    sizes.sort_unstable();
    sizes.dedup();

    let referat = referat_binary()?;
    let scratch = args.scratch.clone().unwrap_or_else(default_scratch);
    let largest = sizes.last().copied().unwrap_or(0);
    ensure_space(&scratch, largest, SPACE.needed(largest, runs, false))?;
    if !has_gnu_time() {
        apt_install(
            "time",
            "GNU time (/usr/bin/time), which measures CPU time and memory",
        )?;
    }
    ensure!(
        has_gnu_time(),
        "/usr/bin/time is not GNU time: apt-get install -y time"
    );
    if version(Command::new("hugo").arg("version")).is_err() {
        apt_install("hugo", "Hugo")?;
    }
    let node = version(Command::new("node").arg("--version"))
        .context("Node.js 20 or newer is needed for Pagefind: apt-get install -y nodejs npm")?;
    let setup = Setup {
        referat,
        pagefind: install_pagefind(&bench)?,
        scratch,
    };
    let versions = format!(
        "{}; Hugo {} (Debian package `hugo`); Pagefind {} (npm package `pagefind`, default \
         settings, run by its npm wrapper on Node.js {node}); {}",
        version(Command::new(&setup.referat).arg("--version"))?,
        version(Command::new("hugo").arg("version"))?.trim_start_matches("hugo "),
        pagefind_version(&bench)?,
        git_commit(repo),
    );

    let command = command_line(args, &sizes, runs);
    let load_before = load_average();
    let date = now_utc()?;
    let mut sections = String::new();
    let mut measured = Vec::with_capacity(sizes.len());
    for &meetings in &sizes {
        let skip_peers = memory_total().and_then(|total| too_large(&measured, meetings, total));
        ensure_space(
            &setup.scratch,
            meetings,
            SPACE.needed(meetings, runs, skip_peers.is_none()),
        )?;
        let m = measure(&setup, meetings, runs, skip_peers)?;
        let section = section(&m)?;
        println!("{section}");
        sections.push_str(&section);
        measured.push(m);
    }
    let load_after = load_average();

    let summary = summary(&measured)?;
    let targets = targets(&measured)?;
    println!("{summary}\n{targets}");

    let out = match (&args.out, args.quick) {
        (Some(out), _) => Some(out.clone()),
        (None, false) => Some(repo.join("docs/benchmarks.md")),
        (None, true) => None,
    };
    if let Some(out) = out {
        let svg_path = out.with_extension("svg");
        let svg_name = svg_path
            .file_name()
            .context("the report has no file name")?
            .to_string_lossy()
            .to_string();
        let mut report = header(&command, &date, &versions, &setup.scratch, runs)?;
        writeln!(
            report,
            "- Load average (1, 5, 15 min) before: {load_before}; after: {load_after}. Other \
             processes share the cores: the figures are what a busy machine gives.\n"
        )?;
        writeln!(report, "## All sizes\n")?;
        writeln!(
            report,
            "![Seconds of wall time per 1,000 meetings against the number of meetings, per \
             contender]({svg_name})\n"
        )?;
        report.push_str(&summary);
        report.push('\n');
        report.push_str(&targets);
        report.push('\n');
        report.push_str(&sections);
        fs::write(&out, report.trim_end().to_string() + "\n")
            .with_context(|| format!("cannot write {}", out.display()))?;
        fs::write(&svg_path, chart(&measured))
            .with_context(|| format!("cannot write {}", svg_path.display()))?;
        eprintln!("Wrote {} and {}", out.display(), svg_path.display());
    }
    Ok(())
}

/// The command that reproduces this run.
fn command_line(args: &CompareArgs, sizes: &[u32], runs: u32) -> String {
    let mut command = String::from("cargo run --release --bin referat-bench -- compare");
    if args.quick {
        command.push_str(" --quick");
    } else {
        let listed: Vec<String> = sizes
            .iter()
            .filter(|&&n| !(args.with_100k && n == LARGE))
            .map(u32::to_string)
            .collect();
        let _ = write!(command, " --sizes {} --runs {runs}", listed.join(","));
        if args.with_100k {
            command.push_str(" --with-100k");
        }
    }
    if let Some(out) = &args.out {
        let _ = write!(command, " --out {}", out.display());
    }
    if let Some(scratch) = &args.scratch {
        let _ = write!(command, " --scratch {}", scratch.display());
    }
    command
}

/// The repository's commit, and whether the tree had changes.
fn git_commit(repo: &Path) -> String {
    let commit =
        version(
            Command::new("git")
                .arg("-C")
                .arg(repo)
                .args(["rev-parse", "--short", "HEAD"]),
        );
    let dirty = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["status", "--porcelain", "--untracked-files=no"])
        .output()
        .is_ok_and(|o| !o.stdout.is_empty());
    match commit {
        Ok(commit) if dirty => format!("built from commit {commit} with uncommitted changes"),
        Ok(commit) => format!("built from commit {commit}"),
        Err(_) => "commit unknown".into(),
    }
}

/// Why Hugo and Pagefind are not run at `meetings` meetings, when their peak memory at the
/// largest size of `measured` they ran at, scaled to `meetings`, is more than the machine's
/// `total` bytes.
fn too_large(measured: &[Measured], meetings: u32, total: f64) -> Option<String> {
    let m = measured.iter().rev().find(|m| m.peers.is_ok())?;
    let needed = m.combined(Figure::Peak) * m.scale_to(meetings);
    (needed > total).then(|| {
        format!(
            "Hugo and Pagefind were not run: scaled from their peak memory at {} meetings ({}), \
             they would need about {:.0} GB, and this machine has {:.0} GB",
            thousands(u64::from(m.meetings)),
            mb(m.combined(Figure::Peak)),
            needed / 1e9,
            total / 1e9
        )
    })
}

/// Generates the archive of `meetings` meetings and runs referat's build and rebuild `runs`
/// times; and, unless `skip_peers` says why not, the same archive as a Hugo site, taking turns
/// with Hugo and Pagefind.
fn measure(
    setup: &Setup,
    meetings: u32,
    runs: u32,
    skip_peers: Option<String>,
) -> Result<Measured> {
    let dir = tempfile::Builder::new()
        .prefix("referat-bench-compare-")
        .tempdir_in(&setup.scratch)
        .with_context(|| format!("cannot create a folder in {}", setup.scratch.display()))?;
    let referat_root = dir.path().join("referat");
    let hugo_root = dir.path().join("hugo");
    let trash = dir.path().join("trash");

    eprintln!(
        "{meetings} meetings: generating the corpus in {}",
        dir.path().display()
    );
    let (corpus, _) = corpus::generate(meetings as usize, SEED);
    let command = format!("referat-bench corpus --meetings {meetings} --seed {SEED}");
    referat::write(&corpus, &referat_root, &command)?;
    if skip_peers.is_none() {
        hugo::write(&corpus, &hugo_root, &format!("{command} --format hugo"))?;
    }
    let meeting_pages: Vec<PathBuf> = corpus
        .councils
        .iter()
        .flat_map(|c| {
            c.meetings
                .iter()
                .map(|m| Path::new(&c.slug).join(m.stem()).join("index.html"))
        })
        .collect();
    drop(corpus);

    let hugo_public = hugo_root.join("public");
    let mut samples = Vec::with_capacity(runs as usize);
    let mut summaries = (String::new(), String::new());
    let mut hugo_pages = 0;
    for run in 1..=runs {
        eprintln!("{meetings} meetings, run {run} of {runs}: referat build");
        set_aside(
            &[
                referat_root.join("public"),
                referat_root.join(".referat-cache"),
            ],
            &trash,
        )?;
        let (build, build_summary) = referat_build(&setup.referat, &referat_root)?;

        eprintln!("{meetings} meetings, run {run} of {runs}: referat build after one change");
        change_one_meeting(&referat_root.join("content"))?;
        let (rebuild, rebuild_summary) = referat_build(&setup.referat, &referat_root)?;
        if run == 1 {
            summaries = (build_summary, rebuild_summary);
        }
        if skip_peers.is_some() {
            samples.push([Sample::of(build), Sample::of(rebuild), NOT_RUN, NOT_RUN]);
            continue;
        }

        eprintln!("{meetings} meetings, run {run} of {runs}: hugo");
        let cache = hugo_root.join(".hugo-cache");
        set_aside(
            &[
                hugo_public.clone(),
                hugo_root.join("resources"),
                cache.clone(),
            ],
            &trash,
        )?;
        let mut command = Command::new("hugo");
        command
            .arg("--source")
            .arg(&hugo_root)
            .arg("--cacheDir")
            .arg(&cache);
        let (hugo, output) = timed(&command)?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        ensure!(
            output.status.success(),
            "hugo failed:\n{stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        hugo_pages = stdout
            .lines()
            .find_map(|line| {
                let (name, value) = line.split_once('|')?;
                (name.trim() == "Pages").then(|| value.trim().parse().ok())?
            })
            .with_context(|| format!("hugo reported no page count:\n{stdout}"))?;
        if run == 1
            && let Some(missing) = meeting_pages
                .iter()
                .find(|p| !hugo_public.join(p).is_file())
        {
            bail!("Hugo made no page {}", missing.display());
        }

        eprintln!("{meetings} meetings, run {run} of {runs}: pagefind --site");
        let mut command = Command::new(&setup.pagefind);
        command.arg("--site").arg(&hugo_public);
        let (pagefind, output) = timed(&command)?;
        ensure!(
            output.status.success(),
            "pagefind failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        samples.push([build, rebuild, hugo, pagefind].map(Sample::of));
    }

    let peers = match skip_peers {
        Some(why) => Err(why),
        None => {
            let pagefind_dir = hugo_public.join("pagefind");
            let everything = bundle(&hugo_public)?;
            let index = bundle(&pagefind_dir)?;
            Ok(Peers {
                hugo_pages,
                pagefind_pages: json_number(
                    &pagefind_dir.join("pagefind-entry.json"),
                    &["languages", "da", "page_count"],
                )?,
                pages: Bundle {
                    bytes: everything.bytes - index.bytes,
                    files: everything.files - index.files,
                },
                index,
            })
        }
    };
    let measured = Measured {
        meetings,
        runs: samples,
        build_summary: summaries.0,
        rebuild_summary: summaries.1,
        output: bundle(&referat_root.join("public"))?,
        peers,
    };
    eprintln!("{meetings} meetings: removing {}", dir.path().display());
    dir.close()
        .context("cannot remove the benchmark's temporary folder")?;
    Ok(measured)
}

/// Scratch space per meeting, in bytes.
struct Space {
    referat_source: u64,
    referat_run: u64,
    hugo_source: u64,
    peers_run: u64,
}

impl Space {
    /// What `meetings` meetings take over `runs` runs, with or without Hugo and Pagefind.
    fn needed(&self, meetings: u32, runs: u32, peers: bool) -> u64 {
        let runs = u64::from(runs);
        let mut each = self.referat_source + runs * self.referat_run;
        if peers {
            each += self.hugo_source + runs * self.peers_run;
        }
        u64::from(meetings) * each
    }
}

/// Fails, saying so, unless `scratch` has `needed` bytes free for `meetings` meetings.
fn ensure_space(scratch: &Path, meetings: u32, needed: u64) -> Result<()> {
    if let Some(free) = free_bytes(scratch)
        && free < needed
    {
        bail!(
            "{} meetings need about {:.0} GB in {}, which has {:.0} GB free: choose another \
             folder with --scratch, or fewer --runs",
            thousands(u64::from(meetings)),
            needed as f64 / 1e9,
            scratch.display(),
            free as f64 / 1e9
        );
    }
    Ok(())
}

/// Moves the folders `dirs` that exist into `trash`, which is removed once a size's runs are
/// over. A run never follows the removal of hundreds of thousands of files: ext4 without a
/// journal skips inodes freed in the last minute (five, while their table is unwritten) when it
/// makes a file, so a build just after such a removal took 2 to 4 times as long (a clean build
/// of 10,000 meetings: 8.5 s after none, 28 to 37 s after removing the last one's output).
fn set_aside(dirs: &[PathBuf], trash: &Path) -> Result<()> {
    fs::create_dir_all(trash).with_context(|| format!("cannot create {}", trash.display()))?;
    for dir in dirs.iter().filter(|dir| dir.exists()) {
        let to = trash.join(fs::read_dir(trash)?.count().to_string());
        fs::rename(dir, &to)
            .with_context(|| format!("cannot move {} to {}", dir.display(), to.display()))?;
    }
    Ok(())
}

/// The report's title, the command, the machine, the versions and how each figure is measured.
fn header(command: &str, date: &str, versions: &str, scratch: &Path, runs: u32) -> Result<String> {
    let mut s = String::new();
    writeln!(s, "# Benchmark: referat against Hugo + Pagefind\n")?;
    writeln!(s, "Written by `{command}` on {date}.\n")?;
    writeln!(s, "- Machine: {}.", machine())?;
    writeln!(s, "- Versions: {versions}.")?;
    writeln!(
        s,
        "- Archives: `referat-bench corpus --meetings N --seed {SEED}` in {} ({}), and the \
         same archive as a Hugo site (`--format hugo`, bench/hugo.rs): a page bundle per \
         meeting with its attachments, a list page per council, the front page; templates with \
         the standard theme's header, breadcrumb, meeting facts, table of contents, items as \
         sections with their tags and footer, and its style sheet. Closed items' text is in \
         neither site's output; in the Hugo site it is not even in the sources.",
        scratch.display(),
        if scratch.starts_with("/dev/shm") {
            "memory"
        } else {
            "on disk"
        }
    )?;
    writeln!(
        s,
        "- What each makes: referat the meeting, council, case, year-archive, front, search and \
         404 pages, the search bundle (`_search/`), Atom feeds, iCalendar files, open-data \
         JSON, the sitemap and the attachments. Hugo the meeting, council and front pages, RSS \
         feeds (newest 20), the sitemap, robots.txt and the attachments; Pagefind the search \
         index of all of Hugo's pages (`public/pagefind/`). referat does more: the comparison \
         does not favour it."
    )?;
    writeln!(
        s,
        "- A run: referat's full build (`referat build`, its `public/` and `.referat-cache/` \
         moved aside first), referat's rebuild after one changed meeting (the title of the \
         first item of the newest meeting of the first council gets \" (rettet)\" appended; \
         docs/incremental-builds.md), Hugo's build (`hugo --source`, its `public/`, \
         `resources/` and cache moved aside first), then `pagefind --site public` on Hugo's \
         output. What was moved aside is removed after the size's last run: on ext4 without a \
         journal, making files just after removing many is slower (see `set_aside` in \
         bench/compare.rs). \
         {} per size, taking turns; every figure is the median of the runs. Hugo + \
         Pagefind is their sum per run (the peak memory: the larger of the two), then the \
         median. Neither Hugo nor Pagefind has an incremental build: a changed meeting costs \
         them a full one. At a size where their peak memory, scaled from the largest size they \
         ran at, would be more than the machine has, they are not run, and its section says so.",
        if runs == 1 {
            "One run".to_string()
        } else {
            format!("{runs} runs")
        }
    )?;
    writeln!(
        s,
        "- Wall time from spawning to exit; CPU time (user + system) and peak memory (maximum \
         resident set size of the command or the largest process it waited for: for Pagefind \
         its native binary, not the sum with the Node wrapper) from GNU time (`/usr/bin/time \
         -f \"%U %S %M\"`). MB = 1,000,000 bytes. Output: apparent bytes and count of the \
         files under each output folder."
    )?;
    writeln!(
        s,
        "- Targets (issue #5; reported, not asserted): a full build in at most \
         {TARGET_BUILD_RATIO} × the wall time of Hugo + Pagefind at every size; a rebuild after \
         one changed meeting in under {TARGET_REBUILD_S} s at 10,000 meetings; peak memory \
         under 1 GB at 10,000 and under 2 GB at 100,000 meetings; time per meeting flat (within \
         {:.0} %) from 1,000 to 100,000 meetings.",
        TARGET_FLAT * 100.0
    )?;
    Ok(s)
}

/// Seconds with 2 decimals.
fn seconds(value: f64) -> String {
    if value.is_nan() {
        "–".into()
    } else {
        format!("{value:.2} s")
    }
}

/// Bytes in MB: no decimal from 100 MB on.
fn mb(bytes: f64) -> String {
    if bytes.is_nan() {
        "–".into()
    } else if bytes >= 1e8 {
        format!("{} MB", thousands((bytes / 1e6).round() as u64))
    } else {
        format!("{:.1} MB", bytes / 1e6)
    }
}

/// A row of a size's table: its label, its figure, and how the figure is written.
type Row = (&'static str, Figure, fn(f64) -> String);

/// The report of one size.
fn section(m: &Measured) -> Result<String> {
    let mut s = String::new();
    writeln!(s, "## {} meetings\n", thousands(u64::from(m.meetings)))?;
    writeln!(s, "- referat: `{}`", m.build_summary)?;
    writeln!(s, "- referat's rebuild: `{}`", m.rebuild_summary)?;
    match &m.peers {
        Ok(peers) => writeln!(
            s,
            "- Hugo: {} pages; Pagefind: {} pages indexed.\n",
            thousands(peers.hugo_pages),
            thousands(peers.pagefind_pages)
        )?,
        Err(why) => writeln!(s, "- {why}.\n")?,
    }
    writeln!(
        s,
        "| | referat build | referat rebuild | Hugo | Pagefind | Hugo + Pagefind | build / \
         (Hugo + Pagefind) | rebuild / (Hugo + Pagefind) |"
    )?;
    writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|")?;
    let rows: [Row; 3] = [
        ("Wall time", Figure::Wall, seconds),
        ("CPU time (user + system)", Figure::Cpu, seconds),
        ("Peak memory", Figure::Peak, mb),
    ];
    for (label, figure, format) in rows {
        let ours = [m.median(BUILD, figure), m.median(REBUILD, figure)];
        let theirs = m.combined(figure);
        writeln!(
            s,
            "| {label} | {} | {} | {} | {} | {} | {} | {} |",
            format(ours[0]),
            format(ours[1]),
            format(m.median(HUGO, figure)),
            format(m.median(PAGEFIND, figure)),
            format(theirs),
            ratio(ours[0], theirs),
            ratio(ours[1], theirs)
        )?;
    }
    let per = |c: usize| m.per_thousand(m.median(c, Figure::Wall));
    let theirs = m.per_thousand(m.combined(Figure::Wall));
    writeln!(
        s,
        "| Wall time per 1,000 meetings | {} | {} | {} | {} | {} | | |",
        seconds(per(BUILD)),
        seconds(per(REBUILD)),
        seconds(per(HUGO)),
        seconds(per(PAGEFIND)),
        seconds(theirs)
    )?;
    let ours = m.output;
    let peers = m.peers.as_ref().ok();
    let [pages, index, both] = [
        peers.map(|p| p.pages),
        peers.map(|p| p.index),
        peers.map(|p| Bundle {
            bytes: p.pages.bytes + p.index.bytes,
            files: p.pages.files + p.index.files,
        }),
    ];
    let bytes = |b: Option<Bundle>| b.map_or(f64::NAN, |b| b.bytes as f64);
    let files = |b: Option<Bundle>| b.map_or(f64::NAN, |b| b.files as f64);
    let count = |n: f64| {
        if n.is_nan() {
            "–".into()
        } else {
            thousands(n as u64)
        }
    };
    writeln!(
        s,
        "| Output | {} | | {} | {} | {} | {} | |",
        mb(ours.bytes as f64),
        mb(bytes(pages)),
        mb(bytes(index)),
        mb(bytes(both)),
        ratio(ours.bytes as f64, bytes(both))
    )?;
    writeln!(
        s,
        "| Output files | {} | | {} | {} | {} | {} | |\n",
        thousands(ours.files),
        count(files(pages)),
        count(files(index)),
        count(files(both)),
        ratio(ours.files as f64, files(both))
    )?;
    let runs: Vec<String> = CONTENDERS
        .iter()
        .enumerate()
        .map(|(c, name)| {
            let walls: Vec<String> = m
                .runs
                .iter()
                .map(|run| format!("{:.2}", run[c].wall))
                .collect();
            format!("{name} {}", walls.join(", "))
        })
        .take(if m.peers.is_ok() {
            CONTENDERS.len()
        } else {
            HUGO
        })
        .collect();
    writeln!(
        s,
        "Wall time of each run, in seconds: {}.\n",
        runs.join("; ")
    )?;
    Ok(s)
}

/// The table over all sizes, which the chart draws.
fn summary(measured: &[Measured]) -> Result<String> {
    let mut s = String::new();
    writeln!(
        s,
        "| Meetings | referat build | per 1,000 | referat rebuild | Hugo | Pagefind | Hugo + \
         Pagefind | per 1,000 | build / (Hugo + Pagefind) | referat peak memory | Hugo + \
         Pagefind peak memory |"
    )?;
    writeln!(
        s,
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    )?;
    for m in measured {
        let build = m.median(BUILD, Figure::Wall);
        let theirs = m.combined(Figure::Wall);
        writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            thousands(u64::from(m.meetings)),
            seconds(build),
            seconds(m.per_thousand(build)),
            seconds(m.median(REBUILD, Figure::Wall)),
            seconds(m.median(HUGO, Figure::Wall)),
            seconds(m.median(PAGEFIND, Figure::Wall)),
            seconds(theirs),
            seconds(m.per_thousand(theirs)),
            ratio(build, theirs),
            mb(m.median(BUILD, Figure::Peak)
                .max(m.median(REBUILD, Figure::Peak))),
            mb(m.combined(Figure::Peak)),
        )?;
    }
    Ok(s)
}

/// The targets of issue #5, met or not, as a table.
fn targets(measured: &[Measured]) -> Result<String> {
    let verdict = |met: bool| if met { "met" } else { "**not met**" };
    let at = |n: u32| measured.iter().find(|m| m.meetings == n);
    let mut s = String::new();
    writeln!(s, "### Targets\n")?;
    writeln!(s, "| Target | Measured | |")?;
    writeln!(s, "|---|---|---|")?;

    let ratios: Vec<(u32, f64)> = measured
        .iter()
        .filter(|m| m.peers.is_ok())
        .map(|m| {
            (
                m.meetings,
                m.median(BUILD, Figure::Wall) / m.combined(Figure::Wall),
            )
        })
        .collect();
    let mut listed: Vec<String> = ratios
        .iter()
        .map(|(n, r)| format!("{}: {r:.2} ×", thousands(u64::from(*n))))
        .collect();
    listed.extend(
        measured
            .iter()
            .filter(|m| m.peers.is_err())
            .map(|m| format!("{}: peers not run", thousands(u64::from(m.meetings)))),
    );
    writeln!(
        s,
        "| Full build at most {TARGET_BUILD_RATIO} × the wall time of Hugo + Pagefind, at every \
         size the peers ran at | {} | {} |",
        listed.join("; "),
        verdict(ratios.iter().all(|(_, r)| *r <= TARGET_BUILD_RATIO))
    )?;

    match at(10_000) {
        Some(m) => {
            let rebuild = m.median(REBUILD, Figure::Wall);
            writeln!(
                s,
                "| Rebuild after one changed meeting under {TARGET_REBUILD_S} s at 10,000 \
                 meetings | {} | {} |",
                seconds(rebuild),
                verdict(rebuild < TARGET_REBUILD_S)
            )?;
        }
        None => writeln!(
            s,
            "| Rebuild after one changed meeting under {TARGET_REBUILD_S} s at 10,000 meetings \
             | 10,000 not measured | not measured |"
        )?,
    }

    for (n, limit) in TARGET_PEAK {
        let label = format!(
            "Peak memory of referat (build or rebuild, highest of any run) under {:.0} GB at {} \
             meetings",
            limit / 1e9,
            thousands(u64::from(n))
        );
        match at(n) {
            Some(m) => writeln!(
                s,
                "| {label} | {} | {} |",
                mb(m.referat_peak()),
                verdict(m.referat_peak() < limit)
            )?,
            None => writeln!(
                s,
                "| {label} | {} not measured | not measured |",
                thousands(u64::from(n))
            )?,
        }
    }

    let per: Vec<(u32, f64)> = measured
        .iter()
        .filter(|m| (1000..=LARGE).contains(&m.meetings))
        .map(|m| (m.meetings, m.per_thousand(m.median(BUILD, Figure::Wall))))
        .collect();
    let (lo, hi) = per.iter().fold((f64::MAX, 0.0_f64), |(lo, hi), &(_, v)| {
        (lo.min(v), hi.max(v))
    });
    let spread = if per.len() > 1 { hi / lo - 1.0 } else { 0.0 };
    let mut listed: Vec<String> = per
        .iter()
        .map(|(n, v)| format!("{}: {v:.2} s", thousands(u64::from(*n))))
        .collect();
    if listed.is_empty() {
        listed.push("no size from 1,000 to 100,000 measured".into());
    }
    let ends = at(1000).is_some() && at(LARGE).is_some();
    let status = if ends {
        verdict(spread <= TARGET_FLAT).to_string()
    } else if per.len() > 1 {
        format!(
            "not measured at {} (so far {})",
            if at(1000).is_none() {
                "1,000"
            } else {
                "100,000"
            },
            if spread <= TARGET_FLAT {
                "within"
            } else {
                "outside"
            }
        )
    } else {
        "not measured".into()
    };
    writeln!(
        s,
        "| Full build's wall time per 1,000 meetings flat (within {:.0} %) from 1,000 to 100,000 \
         meetings | {}{} | {status} |",
        TARGET_FLAT * 100.0,
        listed.join("; "),
        if per.len() > 1 {
            format!(" (largest {:.0} % above smallest)", spread * 100.0)
        } else {
            String::new()
        }
    )?;
    if at(LARGE).is_none()
        && let Some(m) = measured.last().filter(|m| m.meetings >= 1000)
    {
        let scale = m.scale_to(LARGE);
        writeln!(
            s,
            "\n100,000 meetings were not measured (`--with-100k`). Scaled linearly from {}, \
             the peak memory there would be about {:.0} GB for referat and {:.0} GB for Hugo + \
             Pagefind{}: an estimate, not a measurement.",
            thousands(u64::from(m.meetings)),
            m.referat_peak() * scale / 1e9,
            m.combined(Figure::Peak) * scale / 1e9,
            memory_total().map_or(String::new(), |bytes| format!(
                " (this machine has {:.0} GB)",
                bytes / 1e9
            ))
        )?;
    }
    Ok(s)
}

/// The machine's memory in bytes, from /proc/meminfo.
fn memory_total() -> Option<f64> {
    let info = fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kilobytes: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kilobytes * 1024.0)
}

/// The chart of seconds per 1,000 meetings against the number of meetings.
fn chart(measured: &[Measured]) -> String {
    let line = |label: &str, f: &dyn Fn(&Measured) -> f64| Series {
        label: label.into(),
        points: measured
            .iter()
            .map(|m| (f64::from(m.meetings), m.per_thousand(f(m))))
            .filter(|(_, y)| y.is_finite())
            .collect(),
    };
    let series = [
        line("referat build", &|m| m.median(BUILD, Figure::Wall)),
        line("referat rebuild", &|m| m.median(REBUILD, Figure::Wall)),
        line("Hugo", &|m| m.median(HUGO, Figure::Wall)),
        line("Pagefind", &|m| m.median(PAGEFIND, Figure::Wall)),
        line("Hugo + Pagefind", &|m| m.combined(Figure::Wall)),
    ];
    let desc: Vec<String> = series
        .iter()
        .map(|line| {
            let points: Vec<String> = line
                .points
                .iter()
                .map(|(n, y)| format!("{:.2} s at {}", y, thousands(*n as u64)))
                .collect();
            format!("{}: {}", line.label, points.join(", "))
        })
        .collect();
    chart::svg(
        "Wall time per 1,000 meetings",
        &format!(
            "Seconds of wall time per 1,000 meetings (median of the runs) against the number \
             of meetings, on a logarithmic axis. {}.",
            desc.join(". ")
        ),
        "meetings (logarithmic)",
        "seconds per 1,000 meetings",
        &|n| thousands(n as u64),
        &series,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measured(meetings: u32, peers_peak: Option<f64>) -> Measured {
        let ran = |peak| Sample {
            wall: 1.0,
            cpu: 1.0,
            peak,
        };
        let peers = peers_peak.map_or(NOT_RUN, ran);
        Measured {
            meetings,
            runs: vec![[ran(1e8), ran(1e8), peers, peers]],
            build_summary: String::new(),
            rebuild_summary: String::new(),
            output: Bundle::default(),
            peers: match peers_peak {
                Some(_) => Ok(Peers {
                    hugo_pages: 0,
                    pagefind_pages: 0,
                    pages: Bundle::default(),
                    index: Bundle::default(),
                }),
                None => Err("not run".into()),
            },
        }
    }

    #[test]
    fn the_peers_are_left_out_where_their_scaled_memory_is_more_than_the_machine_has() {
        let total = 25e9;
        assert_eq!(
            too_large(&[], 100_000, total),
            None,
            "nothing to scale from"
        );
        let at_10k = [measured(1000, Some(0.5e9)), measured(10_000, Some(4.7e9))];
        assert_eq!(too_large(&at_10k, 50_000, total), None, "23.5 GB fits");
        let why = too_large(&at_10k, 100_000, total).expect("47 GB does not fit");
        assert!(
            why.contains("10,000 meetings (4,700 MB)") && why.contains("about 47 GB"),
            "{why}"
        );
        let skipped_last = [measured(1000, Some(0.5e9)), measured(10_000, None)];
        assert!(
            too_large(&skipped_last, 100_000, total)
                .is_some_and(|why| why.contains("at 1,000 meetings")),
            "scaled from 1,000, the largest size they ran at: 50 GB"
        );
    }
}
