//! What a build tells the person running it while it runs: a progress bar per stage when stderr
//! is a terminal, one plain line per stage otherwise (a CI log, a cron job's mail), nothing with
//! `--quiet`; and the time each stage took, for `--verbose`.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How much a build prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    /// Errors only.
    Quiet,
    /// Progress and a summary.
    Normal,
    /// Progress, a summary and the time of each stage.
    Verbose,
}

/// A stage of a build that has ended: what it did and how long it took.
#[derive(Debug, Clone)]
pub struct Stage {
    /// What the stage did, e.g. "render pages".
    pub name: &'static str,
    /// How many things it handled, when it counts them.
    pub count: Option<usize>,
    /// Wall time.
    pub time: Duration,
}

/// Reports the stages of one build as they run, and keeps their timings.
pub struct Progress {
    verbosity: Verbosity,
    terminal: bool,
    stages: Mutex<Vec<Stage>>,
}

/// The progress of the running stage: call [`Tick::inc`] once per thing done.
pub struct Tick {
    bar: Option<ProgressBar>,
}

impl Tick {
    /// One more thing done.
    pub fn inc(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }
}

impl Progress {
    /// Report at `verbosity`, with bars when stderr is a terminal.
    pub fn new(verbosity: Verbosity) -> Progress {
        Progress {
            verbosity,
            terminal: std::io::stderr().is_terminal(),
            stages: Mutex::new(Vec::new()),
        }
    }

    /// Run the stage `name`, which handles `count` things when it knows how many (a bar shows
    /// how far it is), and record its time.
    pub fn stage<T>(
        &self,
        name: &'static str,
        count: Option<usize>,
        run: impl FnOnce(&Tick) -> T,
    ) -> T {
        let started = Instant::now();
        let bar = self.bar(name, count);
        let result = run(&Tick { bar: bar.clone() });
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        self.stages.lock().expect("no stage panicked").push(Stage {
            name,
            count,
            time: started.elapsed(),
        });
        result
    }

    /// Tell the person running the build `line`, unless it is quiet.
    pub fn note(&self, line: &str) {
        if self.verbosity != Verbosity::Quiet {
            eprintln!("{line}");
        }
    }

    fn bar(&self, name: &str, count: Option<usize>) -> Option<ProgressBar> {
        if self.verbosity == Verbosity::Quiet {
            return None;
        }
        if !self.terminal {
            match count {
                Some(n) => eprintln!("{name}: {n}"),
                None => eprintln!("{name}"),
            }
            return None;
        }
        let bar = match count {
            Some(n) => ProgressBar::with_draw_target(Some(n as u64), ProgressDrawTarget::stderr())
                .with_style(
                    ProgressStyle::with_template("{prefix:>20} [{bar:30}] {pos}/{len} {elapsed}")
                        .expect("the template is valid")
                        .progress_chars("=> "),
                ),
            None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()).with_style(
                ProgressStyle::with_template("{prefix:>20} {spinner} {elapsed}")
                    .expect("the template is valid"),
            ),
        };
        bar.set_prefix(name.to_owned());
        bar.enable_steady_tick(Duration::from_millis(100));
        Some(bar)
    }

    /// The stages that have ended, in the order they ran.
    pub fn stages(&self) -> Vec<Stage> {
        self.stages.lock().expect("no stage panicked").clone()
    }
}
