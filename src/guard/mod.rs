//! The publish-time guard: the last line of defence for closed items and personal data.
//!
//! The content stage drops the body of every closed (`{.lukket}`) item while parsing, and
//! `referat check` reports CPR numbers. The guard does not trust either: before the new site is
//! put in place, every file the build writes is scanned for
//!
//! - the text of every closed item, found again in the meeting files by reading their raw lines
//!   (not through the content stage's parser), and
//! - anything shaped like a CPR number (`ddmmyy-xxxx` with a real date).
//!
//! A hit stops the build before publishing, naming the output file and the closed item's line
//! (or the masked number); the published site stays as it was.
//!
//! The text of a closed item is looked for as its runs of plain text (the text between
//! Markdown's markup, one line at most), as written and as HTML and JSON escape them. Short
//! runs are left out (a word or two proves nothing), and so is any run that the site publishes
//! legitimately: one that also occurs outside the closed items, in the meeting and council
//! files, the plain text of their open items, or site.toml. A boilerplate sentence that closed
//! and open items share ("Sagen blev drøftet.") is therefore no leak.
//!
//! What the guard found in each file is kept for the next build, as hashes (`state.rs`): a
//! rebuild reads again the files that changed, and looks in the others' open text only for the
//! runs that are new.

mod closed;
mod needles;
mod state;

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use foldhash::{HashMap, HashSet};
use rayon::prelude::*;
use xxhash_rust::xxh3::{Xxh3, xxh3_64};

use crate::check::cpr_numbers;
use crate::content::{Archive, Council, Meeting, cache_key, meeting_key};
use closed::{closed_bodies, closed_items, without_markup};
use needles::Needles;
use state::{Closed, Entry, State};

/// Where one run of closed text comes from.
#[derive(Debug, Clone)]
struct Origin {
    /// The meeting file, relative to the site root.
    file: PathBuf,
    /// The line of the run in that file.
    line: usize,
}

/// What the guard looks for in every file a build writes. The default looks for CPR numbers
/// only, as for a site without closed items.
#[derive(Default)]
pub struct Guard {
    /// The closed runs in each of their written forms.
    needles: Needles,
    /// The origin of each text of `needles`, by its number.
    origins: Vec<Origin>,
    /// A hash of what `needles` looks for; 0 for a site without closed items.
    fingerprint: u128,
}

/// Something a file was about to publish that it must not.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Leak {
    /// The file, relative to the site's root.
    pub path: String,
    /// What it contains.
    pub what: Found,
}

/// What a [`Leak`] contains.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Found {
    /// Text of the closed item whose body has this line of this meeting file.
    ClosedText {
        /// The meeting file, relative to the site root.
        file: PathBuf,
        /// The line in it.
        line: usize,
    },
    /// A number that looks like a CPR number, masked (`010190-****`).
    CprNumber(String),
}

/// Why [`crate::output::Staging::publish`] refused to publish: every leak found, sorted.
#[derive(Debug)]
pub struct Refused(pub Vec<Leak>);

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "refusing to publish: {} finding{} of a closed item's text or personal data",
            self.0.len(),
            if self.0.len() == 1 { "" } else { "s" }
        )
    }
}

impl std::error::Error for Refused {}

impl fmt::Display for Leak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.what {
            Found::ClosedText { file, line } => write!(
                f,
                "{} contains the text of a closed item ({}:{}): refusing to publish it; \
                 a closed item's body must never reach the site (a template or theme that shows \
                 it? please report it if not)",
                self.path,
                file.display(),
                line
            ),
            Found::CprNumber(masked) => write!(
                f,
                "{} contains `{masked}`, which looks like a CPR number: refusing to publish \
                 personal data; `referat check` names the line it comes from",
                self.path
            ),
        }
    }
}

impl Guard {
    /// The guard of the site at `root` whose loaded content is `archive`. It reads again the
    /// meeting and council files and site.toml that changed since the build that kept `cache`
    /// (every one when `clean`), and keeps there what it found for the next build.
    pub fn new(root: &Path, archive: &Archive, cache: &Path, clean: bool) -> Result<Guard> {
        let last = if clean { None } else { State::read(cache) }.unwrap_or_default();
        let kept: HashMap<&Path, &Entry> = last
            .files
            .iter()
            .map(|(path, entry)| (path.as_path(), entry))
            .collect();
        let config = std::fs::read(root.join("site.toml")).ok();
        let sources: Vec<Source> = archive
            .meetings()
            .map(|(council, meeting)| Source::Meeting(council, meeting))
            .chain(archive.councils.iter().map(Source::Council))
            .chain(config.as_deref().map(Source::Config))
            .collect();

        // Each file's closed runs: kept by the last build, or found in the file read again.
        let readings: Vec<Reading> = sources
            .par_iter()
            .map(|source| {
                let key = source.key(archive);
                if let Some(entry) = kept.get(source.path()).filter(|entry| entry.key == key) {
                    return Ok(Reading {
                        key,
                        runs: entry.runs.clone(),
                        seen: Seen::Kept(entry.published.as_slice()),
                    });
                }
                let (text, bodies) = source.text(root)?;
                Ok(Reading {
                    key,
                    runs: closed_items(&text, &bodies),
                    seen: Seen::Changed(xxh3_64(text.as_bytes())),
                })
            })
            .collect::<Result<_>>()?;

        // Each run once, by its hash as written, from the first file that has it.
        let mut candidates: Vec<(&Closed, usize)> = readings
            .iter()
            .enumerate()
            .flat_map(|(source, reading)| reading.runs.iter().map(move |run| (run, source)))
            .collect();
        candidates.par_sort_by_key(|(run, _)| run.forms[0].hash);
        candidates.dedup_by_key(|(run, _)| run.forms[0].hash);
        let sought: Vec<u128> = candidates
            .iter()
            .map(|(run, _)| run.forms[0].hash)
            .collect();

        // The runs that the open text publishes, which are no leak. A file's open text is looked
        // in again when it changed, for every run; else only for the runs new since the last
        // build, and those it published then still count.
        let every = readings
            .iter()
            .any(|reading| matches!(reading.seen, Seen::Changed(_)))
            .then(|| Marker::new(candidates.iter().map(|(run, _)| *run)));
        let is_new = |hash: &u128| last.sought.binary_search(hash).is_err();
        let new = readings
            .iter()
            .any(|reading| matches!(reading.seen, Seen::Kept(_)))
            .then(|| {
                Marker::new(
                    candidates
                        .iter()
                        .map(|(run, _)| *run)
                        .filter(|run| is_new(&run.forms[0].hash)),
                )
            })
            .filter(|marker| !marker.runs.is_empty());
        let published: Vec<Vec<u128>> = sources
            .par_iter()
            .zip(&readings)
            .map(|(source, reading)| {
                let kept = match reading.seen {
                    Seen::Kept(kept) => kept,
                    Seen::Changed(read) => {
                        let every = every.as_ref().expect("needles for a file read again");
                        let (text, bodies) = source.text(root)?;
                        if xxh3_64(text.as_bytes()) != read {
                            bail!(
                                "{} changed during the build: build again",
                                source.path().display()
                            );
                        }
                        return Ok(every.published_in(&source.open_text(&text, &bodies)?));
                    }
                };
                let mut published: Vec<u128> = kept
                    .iter()
                    .filter(|hash| sought.binary_search(hash).is_ok())
                    .copied()
                    .collect();
                if let Some(new) = &new {
                    let (text, bodies) = source.text(root)?;
                    published.extend(new.published_in(&source.open_text(&text, &bodies)?));
                    published.sort_unstable();
                    published.dedup();
                }
                Ok(published)
            })
            .collect::<Result<_>>()?;

        let guard = if candidates.is_empty() {
            Guard::default()
        } else {
            let published: HashSet<u128> = published.iter().flatten().copied().collect();
            let mut patterns = Vec::new();
            let mut origins = Vec::new();
            let mut hasher = Xxh3::new();
            for (run, source) in &candidates {
                if published.contains(&run.forms[0].hash) {
                    continue;
                }
                for form in &run.forms {
                    hasher.update(&form.hash.to_le_bytes());
                    patterns.push(form.clone());
                    origins.push(Origin {
                        file: sources[*source].path().to_owned(),
                        line: run.line,
                    });
                }
            }
            Guard {
                needles: Needles::new(&patterns),
                origins,
                fingerprint: hasher.digest128(),
            }
        };
        drop(candidates);
        State {
            sought,
            files: sources
                .iter()
                .zip(readings)
                .zip(published)
                .map(|((source, reading), published)| {
                    let entry = Entry {
                        key: reading.key,
                        runs: reading.runs,
                        published,
                    };
                    (source.path().to_owned(), entry)
                })
                .collect(),
        }
        .write(cache);
        Ok(guard)
    }

    /// A hash of everything this guard looks for besides CPR numbers. Two guards with the same
    /// fingerprint find the same in the same bytes, so a file already scanned by one need not
    /// be scanned by the other. The hash keeps no closed text readable.
    pub fn fingerprint(&self) -> u128 {
        self.fingerprint
    }

    /// What `bytes`, about to be published at `path`, must not publish: the first closed text
    /// and the first CPR number found, if any.
    pub fn scan(&self, path: &str, bytes: &[u8]) -> Vec<Leak> {
        let unfolded;
        let bytes = if path.ends_with(".ics") {
            unfolded = unfold(bytes);
            &unfolded
        } else {
            bytes
        };
        let mut leaks = Vec::new();
        if let Some(found) = self.needles.first(bytes) {
            let origin = &self.origins[found];
            leaks.push(Leak {
                path: path.to_owned(),
                what: Found::ClosedText {
                    file: origin.file.clone(),
                    line: origin.line,
                },
            });
        }
        if let Some(masked) = first_cpr_number(bytes) {
            leaks.push(Leak {
                path: path.to_owned(),
                what: Found::CprNumber(masked),
            });
        }
        leaks
    }
}

/// A file whose open text may publish a run of a closed item's text, which is then no leak.
enum Source<'a> {
    /// A meeting file: its closed items' runs are looked for.
    Meeting(&'a Council, &'a Meeting),
    /// A council's `_index.md`.
    Council(&'a Council),
    /// site.toml, as read.
    Config(&'a [u8]),
}

impl Source<'_> {
    /// The file, relative to the site root.
    fn path(&self) -> &Path {
        match self {
            Source::Meeting(_, meeting) => &meeting.source,
            Source::Council(council) => &council.source,
            Source::Config(_) => Path::new("site.toml"),
        }
    }

    /// A hash of everything the guard finds in the file from: the file, what the content stage
    /// made of it, and the running program.
    fn key(&self, archive: &Archive) -> u128 {
        match self {
            Source::Meeting(council, meeting) => cache_key([
                b"meeting".as_slice(),
                &meeting_key(archive, council, meeting).to_le_bytes(),
                meeting.source.as_os_str().as_encoded_bytes(),
            ]),
            Source::Council(council) => cache_key([
                b"council".as_slice(),
                &archive.config_key.to_le_bytes(),
                &council.fingerprint.to_le_bytes(),
                council.slug.as_bytes(),
                council.source.as_os_str().as_encoded_bytes(),
            ]),
            Source::Config(bytes) => cache_key([b"config".as_slice(), bytes]),
        }
    }

    /// The file's text, and the byte ranges of its closed items' bodies.
    fn text(&self, root: &Path) -> Result<(String, Vec<Range<usize>>)> {
        Ok(match self {
            Source::Meeting(_, meeting) => {
                let text = read(root, &meeting.source)?;
                let bodies = closed_bodies(&text);
                (text, bodies)
            }
            Source::Council(council) => (read(root, &council.source)?, Vec::new()),
            Source::Config(bytes) => (String::from_utf8_lossy(bytes).into_owned(), Vec::new()),
        })
    }

    /// What a reader may be shown of the file's `text`, whose closed items' bodies are
    /// `bodies`: the text outside them as written, and the content stage's HTML of it as HTML
    /// text has it (its markup cut out).
    fn open_text<'t>(&self, text: &'t str, bodies: &[Range<usize>]) -> Result<Vec<Cow<'t, str>>> {
        let mut open = Vec::new();
        let mut at = 0;
        for body in bodies {
            open.push(Cow::Borrowed(&text[at..body.start]));
            at = body.end;
        }
        open.push(Cow::Borrowed(&text[at..]));
        match self {
            Source::Meeting(_, meeting) => {
                let text = meeting.text()?;
                let mut html = text.intro_html.clone();
                for item in &meeting.items {
                    html.push('\n');
                    html.push_str(&item.title);
                    for section in text.of(item) {
                        html.push('\n');
                        html.push_str(&section.title);
                        html.push('\n');
                        html.push_str(&section.html);
                    }
                }
                open.push(Cow::Owned(without_markup(&html)));
            }
            Source::Council(council) => {
                open.push(Cow::Owned(without_markup(&council.kommissorium_html)));
            }
            Source::Config(_) => {}
        }
        Ok(open)
    }
}

/// What the guard has of one file in this build.
struct Reading<'a> {
    key: u128,
    /// The runs of its closed items.
    runs: Vec<Closed>,
    /// Whether it is as the last build saw it.
    seen: Seen<'a>,
}

/// Whether a file is as the last build saw it.
enum Seen<'a> {
    /// As it was: what its open text published then.
    Kept(&'a [u128]),
    /// Changed, and read with this hash. It is read again to be looked in for every run, rather
    /// than kept: an archive's files together are too much to hold at once.
    Changed(u64),
}

/// Needles for runs as open text has them: as written (in the files) and as HTML text has it
/// (in the content stage's HTML).
struct Marker {
    needles: Needles,
    /// The hash, as written, of the run of each needle.
    runs: Vec<u128>,
}

impl Marker {
    fn new<'a>(runs: impl Iterator<Item = &'a Closed>) -> Marker {
        let mut forms = Vec::new();
        let mut hashes = Vec::new();
        for run in runs {
            let hash = run.forms[0].hash;
            forms.push(run.forms[0].clone());
            hashes.push(hash);
            if run.html != 0 {
                forms.push(run.forms[run.html].clone());
                hashes.push(hash);
            }
        }
        Marker {
            needles: Needles::new(&forms),
            runs: hashes,
        }
    }

    /// The runs that `texts` contain, by their hash as written, sorted.
    fn published_in(&self, texts: &[Cow<'_, str>]) -> Vec<u128> {
        let mut found = Vec::new();
        for text in texts {
            self.needles
                .each_match(text.as_bytes(), |needle, _| found.push(self.runs[needle]));
        }
        found.sort_unstable();
        found.dedup();
        found
    }
}

/// An iCalendar file's lines as they were before folding (a line break and a space wherever a
/// line reached 75 octets, even inside a word).
fn unfold(bytes: &[u8]) -> Vec<u8> {
    let mut unfolded = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    while let Some(at) = memchr::memmem::find(rest, b"\r\n ") {
        unfolded.extend_from_slice(&rest[..at]);
        rest = &rest[at + 3..];
    }
    unfolded.extend_from_slice(rest);
    unfolded
}

fn read(root: &Path, file: &Path) -> Result<String> {
    let bytes = std::fs::read(root.join(file))
        .with_context(|| format!("cannot read {} again", file.display()))?;
    Ok(String::from_utf8(bytes)
        .unwrap_or_else(|invalid| String::from_utf8_lossy(invalid.as_bytes()).into_owned()))
}

/// The first number in `bytes` that looks like a CPR number, masked.
fn first_cpr_number(bytes: &[u8]) -> Option<String> {
    memchr::memchr_iter(b'-', bytes).find_map(|dash| {
        let digits = |range: std::ops::Range<usize>| {
            bytes
                .get(range)
                .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
        };
        if dash < 6 || !digits(dash - 6..dash) || !digits(dash + 1..dash + 5) {
            return None;
        }
        let window = &bytes[dash.saturating_sub(10)..(dash + 9).min(bytes.len())];
        let window = String::from_utf8_lossy(window);
        cpr_numbers(&window)
            .into_iter()
            .find(|found| found.dashed)
            .map(|found| found.masked)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn calendars_are_scanned_unfolded() {
        assert_eq!(
            unfold(b"DESCRIPTION:Borg\r\n eren\r\nEND"),
            b"DESCRIPTION:Borgeren\r\nEND"
        );
    }

    #[test]
    fn cpr_numbers_are_found_in_any_bytes() {
        assert_eq!(
            first_cpr_number(b"<p>CPR 010190-1234.</p>").as_deref(),
            Some("010190-****")
        );
        assert_eq!(
            first_cpr_number(b"\xff\x00010190-1234\x00"),
            Some("010190-****".into())
        );
        assert_eq!(first_cpr_number(b"EMN-2016-02142 og 320190-1234"), None);
        assert_eq!(first_cpr_number(b"tlf. 1234010190-1234"), None);
    }
}
