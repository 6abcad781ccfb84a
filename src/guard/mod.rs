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

mod closed;
mod needles;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result};
use rayon::prelude::*;
use xxhash_rust::xxh3::Xxh3;

use crate::check::cpr_numbers;
use crate::content::Archive;
use closed::{Run, body_escape, closed_runs, without_markup, written_forms};
use needles::{Form, Needles};

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
    /// The guard of the site at `root` whose loaded content is `archive`: reads the meeting and
    /// council files and site.toml once more.
    pub fn new(root: &Path, archive: &Archive) -> Result<Guard> {
        let meetings: Vec<&Path> = archive
            .meetings()
            .map(|(_, m)| m.source.as_path())
            .collect();
        let texts: Vec<String> = meetings
            .par_iter()
            .map(|file| read(root, file))
            .collect::<Result<_>>()?;
        let found: Vec<(Vec<Run>, Vec<std::ops::Range<usize>>)> =
            texts.par_iter().map(|text| closed_runs(text)).collect();

        let mut candidates: Vec<(String, Origin)> = Vec::new();
        for ((runs, _), file) in found.iter().zip(&meetings) {
            for run in runs {
                let origin = Origin {
                    file: file.to_path_buf(),
                    line: run.line,
                };
                candidates.push((run.text.clone(), origin));
            }
        }
        candidates.par_sort_by(|a, b| a.0.cmp(&b.0));
        candidates.dedup_by(|a, b| a.0 == b.0);
        if candidates.is_empty() {
            return Ok(Guard::default());
        }

        // Each candidate as written (meeting and council files, site.toml) and as HTML has it
        // (the open items' HTML, with its markup cut out).
        let finder = Needles::new(
            &candidates
                .par_iter()
                .flat_map_iter(|(text, _)| [Form::of(text), Form::of(&body_escape(text))])
                .collect::<Vec<_>>(),
        );
        let published: Vec<AtomicBool> =
            candidates.iter().map(|_| AtomicBool::new(false)).collect();
        let mark = |text: &str| {
            finder.each_match(text.as_bytes(), |found, _| {
                published[found / 2].store(true, Ordering::Relaxed);
            });
        };
        texts
            .par_iter()
            .zip(&found)
            .for_each(|(text, (_, closed))| {
                let mut at = 0;
                for body in closed {
                    mark(&text[at..body.start]);
                    at = body.end;
                }
                mark(&text[at..]);
            });
        archive.councils.par_iter().try_for_each(|council| {
            mark(&read(root, &council.source)?);
            mark(&without_markup(&council.kommissorium_html));
            council.meetings.par_iter().for_each(|meeting| {
                let mut html = meeting.intro_html.clone();
                for item in &meeting.items {
                    html.push('\n');
                    html.push_str(&item.title);
                    for section in &item.sections {
                        html.push('\n');
                        html.push_str(&section.title);
                        html.push('\n');
                        html.push_str(&section.html);
                    }
                }
                mark(&without_markup(&html));
            });
            anyhow::Ok(())
        })?;
        if let Ok(config) = std::fs::read_to_string(root.join("site.toml")) {
            mark(&config);
        }

        let mut patterns = Vec::new();
        let mut origins = Vec::new();
        for ((text, origin), published) in candidates.into_iter().zip(published) {
            if published.into_inner() {
                continue;
            }
            for form in written_forms(&text) {
                patterns.push(Form::of(&form));
                origins.push(origin.clone());
            }
        }
        let mut hasher = Xxh3::new();
        for pattern in &patterns {
            hasher.update(&pattern.hash.to_le_bytes());
        }
        Ok(Guard {
            fingerprint: hasher.digest128(),
            needles: Needles::new(&patterns),
            origins,
        })
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
