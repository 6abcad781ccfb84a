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

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result};
use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use rayon::prelude::*;
use xxhash_rust::xxh3::Xxh3;

use crate::check::cpr_numbers;
use crate::content::{Archive, markdown};
use crate::html::escape;

/// The fewest characters a run of a closed item's text must have to be looked for.
const MIN_CHARS: usize = 20;
/// The fewest words a run must have to be looked for.
const MIN_WORDS: usize = 3;
/// The most words of one piece of a run looked for.
const PIECE_WORDS: usize = 12;
/// The bytes of a window, the part of a text that [`Needles`] indexes and looks up.
const WINDOW: usize = 12;
/// How far apart the windows of a haystack that [`Needles`] looks up are. A text looked for has
/// at least [`MIN_CHARS`] bytes, so each of its occurrences holds a whole window that starts at a
/// multiple of `STEP` and at one of the text's first `STEP` offsets.
const STEP: usize = MIN_CHARS - WINDOW + 1;

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
            candidates
                .iter()
                .flat_map(|(text, _)| [text.clone(), body_escape(text)])
                .collect(),
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
                patterns.push(form);
                origins.push(origin.clone());
            }
        }
        let mut hasher = Xxh3::new();
        for pattern in &patterns {
            hasher.update(&(pattern.len() as u64).to_le_bytes());
            hasher.update(pattern.as_bytes());
        }
        Ok(Guard {
            fingerprint: hasher.digest128(),
            needles: Needles::new(patterns),
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

/// Texts of at least [`MIN_CHARS`] bytes, each found wherever it occurs in a haystack. The texts
/// are grouped by their window at each of their first [`STEP`] offsets, and the groups indexed
/// in buckets by the window's hash. The haystack's windows at every `STEP` bytes are looked up;
/// where a group's window is found, its texts that start there are found by binary search.
#[derive(Default)]
struct Needles {
    texts: Vec<String>,
    /// How far a window's hash is shifted right to give its bucket.
    shift: u32,
    /// One bit per bucket: whether any group is in it.
    filled: Vec<u64>,
    /// Where each bucket's groups start in `groups`, and where the last one's end.
    starts: Vec<u32>,
    /// The groups, by bucket.
    groups: Vec<Group>,
    /// The numbers of the texts of each group, sorted by text.
    members: Vec<usize>,
}

/// The texts that have one window at one offset.
struct Group {
    window: u128,
    offset: usize,
    /// Where the texts are in [`Needles::members`].
    members: std::ops::Range<usize>,
}

impl Needles {
    /// The needles that look for `texts`; panics if one is shorter than [`MIN_CHARS`] bytes.
    fn new(texts: Vec<String>) -> Needles {
        // The texts in order, so that the entries sort by numbers, not by comparing texts.
        let mut sorted: Vec<usize> = (0..texts.len()).collect();
        sorted.par_sort_unstable_by_key(|&number| &texts[number]);
        let mut entries: Vec<(u128, usize, usize)> = Vec::with_capacity(texts.len() * STEP);
        for (rank, &number) in sorted.iter().enumerate() {
            let text = texts[number].as_bytes();
            assert!(
                text.len() >= MIN_CHARS,
                "a text looked for has {MIN_CHARS} bytes at least"
            );
            for offset in 0..STEP {
                entries.push((window(&text[offset..]), offset, rank));
            }
        }
        entries.par_sort_unstable();
        let mut groups: Vec<Group> = Vec::new();
        for (at, &(window, offset, ..)) in entries.iter().enumerate() {
            match groups.last_mut() {
                Some(group) if group.window == window && group.offset == offset => {
                    group.members.end = at + 1;
                }
                _ => groups.push(Group {
                    window,
                    offset,
                    members: at..at + 1,
                }),
            }
        }
        // Buckets enough that few of a haystack's windows fall in one with a group.
        let bits = (groups.len() * 64)
            .next_power_of_two()
            .trailing_zeros()
            .max(6);
        let shift = u64::BITS - bits;
        groups.sort_by_key(|group| bucket(group.window, shift));
        let mut filled = vec![0u64; (1 << bits) / 64];
        let mut starts = vec![0; (1 << bits) + 1];
        for group in &groups {
            let bucket = bucket(group.window, shift);
            filled[bucket / 64] |= 1 << (bucket % 64);
            starts[bucket + 1] += 1;
        }
        for at in 1..starts.len() {
            starts[at] += starts[at - 1];
        }
        let members = entries.iter().map(|entry| sorted[entry.2]).collect();
        Needles {
            texts,
            shift,
            filled,
            starts,
            groups,
            members,
        }
    }

    /// Calls `found` with the number of the text and the start of every occurrence of a text
    /// in `haystack`, once each.
    fn each_match(&self, haystack: &[u8], mut found: impl FnMut(usize, usize)) {
        if self.texts.is_empty() {
            return;
        }
        let mut at = 0;
        while at + WINDOW <= haystack.len() {
            let window = window(&haystack[at..]);
            let bucket = bucket(window, self.shift);
            if self.filled[bucket / 64] & (1 << (bucket % 64)) != 0 {
                let groups = self.starts[bucket] as usize..self.starts[bucket + 1] as usize;
                for group in &self.groups[groups] {
                    if group.window == window
                        && let Some(start) = at.checked_sub(group.offset)
                    {
                        let members = &self.members[group.members.clone()];
                        self.starting(members, &haystack[start..], |text| found(text, start));
                    }
                }
            }
            at += STEP;
        }
    }

    /// Calls `found` with each of the texts numbered `members` (sorted by text) that `haystack`
    /// starts with. Each such text sorts at or below the haystack, and is the start of every
    /// text sorted between them, so the largest text at or below is either one of them, or its
    /// common start with the haystack holds every one of them not seen yet.
    fn starting(&self, members: &[usize], haystack: &[u8], mut found: impl FnMut(usize)) {
        let text = |number: usize| self.texts[number].as_bytes();
        let mut key = haystack;
        let mut end = members.len();
        loop {
            let below = members[..end].partition_point(|&number| text(number) <= key);
            if below == 0 {
                return;
            }
            let largest = members[below - 1];
            let shared = text(largest)
                .iter()
                .zip(key)
                .take_while(|(a, b)| a == b)
                .count();
            if shared == text(largest).len() {
                found(largest);
            }
            if shared < MIN_CHARS {
                return;
            }
            key = &key[..shared];
            end = below - 1;
        }
    }

    /// The number of the text that occurs first in `haystack` (the lowest of those that start
    /// at the same byte), if any does.
    fn first(&self, haystack: &[u8]) -> Option<usize> {
        let mut first: Option<(usize, usize)> = None;
        self.each_match(haystack, |text, start| {
            first = Some(first.map_or((start, text), |f| f.min((start, text))));
        });
        first.map(|(_, text)| text)
    }
}

/// The window at the start of `bytes`.
fn window(bytes: &[u8]) -> u128 {
    let mut window = [0; 16];
    window[..WINDOW].copy_from_slice(&bytes[..WINDOW]);
    u128::from_le_bytes(window)
}

/// The bucket of a window for [`Needles`] whose hashes are shifted right by `shift`.
fn bucket(window: u128, shift: u32) -> usize {
    let low = (window as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let hash = (low ^ (window >> 64) as u64).wrapping_mul(0xc2b2_ae3d_27d4_eb4f);
    (hash >> shift) as usize
}

/// A run of a closed item's plain text, with its line.
#[derive(Debug, PartialEq, Eq)]
struct Run {
    text: String,
    line: usize,
}

/// The runs of text of the closed items of a meeting file, and the byte ranges of their bodies.
fn closed_runs(text: &str) -> (Vec<Run>, Vec<std::ops::Range<usize>>) {
    let bodies = closed_bodies(text);
    let mut runs = Vec::new();
    for body in &bodies {
        let first_line = text[..body.start].matches('\n').count() + 1;
        let source = &text[body.clone()];
        let mut keep = |run: Option<(String, usize)>| {
            let Some((run, offset)) = run else { return };
            let line = first_line + source[..offset].matches('\n').count();
            for piece in pieces(&run) {
                if piece.chars().count() >= MIN_CHARS && piece.split(' ').count() >= MIN_WORDS {
                    runs.push(Run { text: piece, line });
                }
            }
        };
        // A run between two pieces of markup, as HTML has it, and a run of a line across
        // inline markup (emphasis, links), as plain text has it.
        let mut segment: Option<(String, usize)> = None;
        let mut line: Option<(String, usize)> = None;
        for (event, range) in Parser::new_ext(source, markdown::options()).into_offset_iter() {
            match event {
                Event::Text(t) | Event::Code(t) => {
                    for run in [&mut segment, &mut line] {
                        match run.as_mut() {
                            Some((text, _)) => text.push_str(&t),
                            None => *run = Some((t.to_string(), range.start)),
                        }
                    }
                }
                Event::Start(tag) if is_inline(&tag) => keep(segment.take()),
                Event::End(tag) if is_inline_end(&tag) => keep(segment.take()),
                _ => {
                    keep(segment.take());
                    keep(line.take());
                }
            }
        }
        keep(segment.take());
        keep(line.take());
    }
    runs.sort_by(|a, b| (a.line, &a.text).cmp(&(b.line, &b.text)));
    runs.dedup();
    (runs, bodies)
}

/// The pieces of a run that are looked for: its sentences, each cut into parts of at most
/// [`PIECE_WORDS`] words, so that an excerpt that cuts a sentence still contains whole pieces.
fn pieces(run: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut sentence: Vec<&str> = Vec::new();
    for word in run.split_whitespace() {
        sentence.push(word);
        if sentence.len() == PIECE_WORDS || word.ends_with(['.', '!', '?', ':', ';']) {
            pieces.push(sentence.join(" "));
            sentence.clear();
        }
    }
    if !sentence.is_empty() {
        pieces.push(sentence.join(" "));
    }
    pieces
}

/// Whether a tag is markup within a line of text.
fn is_inline(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Link { .. }
    )
}

/// Whether a tag's end is markup within a line of text.
fn is_inline_end(tag: &TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link
    )
}

/// The byte ranges of the bodies of the closed items in a meeting file, from its raw lines: after
/// each `##` heading (ATX or underlined with `---`) that has `lukket` in a `{…}` block, up to the
/// next `#` or `##` heading. Fenced code blocks are skipped; front matter is not a body.
fn closed_bodies(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        lines.push((at, line.trim_end_matches(['\n', '\r'])));
        at += line.len();
    }
    let mut first = 0;
    if lines
        .first()
        .is_some_and(|(_, l)| l.trim_start_matches('\u{feff}') == "---")
    {
        first = lines[1..]
            .iter()
            .position(|(_, l)| *l == "---" || *l == "...")
            .map_or(lines.len(), |end| end + 2);
    }
    let mut bodies = Vec::new();
    let mut open: Option<usize> = None;
    let mut fence: Option<char> = None;
    let mut i = first;
    while i < lines.len() {
        let (offset, line) = lines[i];
        let indented = line.len() - line.trim_start_matches(' ').len();
        let trimmed = line.trim_start_matches(' ');
        if indented < 4 {
            if let Some(marker) = fence {
                if trimmed.starts_with(&format!("{marker}{marker}{marker}")) {
                    fence = None;
                }
                i += 1;
                continue;
            }
            if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
                fence = trimmed.chars().next();
                i += 1;
                continue;
            }
        }
        let atx = (indented < 4)
            .then(|| atx_level(trimmed))
            .flatten()
            .filter(|level| *level <= 2);
        let setext = atx.is_none()
            && indented < 4
            && !trimmed.is_empty()
            && lines
                .get(i + 1)
                .is_some_and(|(_, next)| setext_underline(next).is_some());
        if atx.is_some() || setext {
            if let Some(start) = open.take() {
                bodies.push(start..offset);
            }
            let skip = if setext { 2 } else { 1 };
            if is_closed_heading(trimmed) {
                open = Some(lines.get(i + skip).map_or(text.len(), |(o, _)| *o));
            }
            i += skip;
            continue;
        }
        i += 1;
    }
    if let Some(start) = open {
        bodies.push(start..text.len());
    }
    bodies
}

/// The level of an ATX heading line (`#` to `######` then a space or the end).
fn atx_level(line: &str) -> Option<usize> {
    let level = line.bytes().take_while(|b| *b == b'#').count();
    let rest = &line[level..];
    ((1..=6).contains(&level) && (rest.is_empty() || rest.starts_with([' ', '\t'])))
        .then_some(level)
}

/// Whether `line` underlines the line before it as a heading (`===` or `---`), and with which.
fn setext_underline(line: &str) -> Option<char> {
    let indented = line.len() - line.trim_start_matches(' ').len();
    let marks = line.trim();
    let first = marks.chars().next()?;
    (indented < 4 && (first == '=' || first == '-') && marks.chars().all(|c| c == first))
        .then_some(first)
}

/// Whether a heading line has `lukket` inside a `{…}` block, in any case.
fn is_closed_heading(line: &str) -> bool {
    let lower = line.to_lowercase();
    let mut rest = lower.as_str();
    while let Some(open) = rest.find('{') {
        let block = &rest[open..];
        let end = block.find('}').unwrap_or(block.len());
        if block[..end].contains("lukket") {
            return true;
        }
        rest = &block[1..];
    }
    false
}

/// `text` escaped as pulldown-cmark escapes the text of HTML it writes.
fn body_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Tags that are markup within a line of text, in the HTML the content stage writes.
const INLINE_TAGS: &[&str] = &[
    "a", "abbr", "b", "code", "del", "em", "i", "mark", "s", "small", "span", "strong", "sub",
    "sup", "u",
];

/// `html` with its inline tags cut out and its other tags made line breaks, escapes kept: the
/// text a reader sees, as HTML escapes it.
fn without_markup(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        text.push_str(&rest[..lt]);
        let Some(gt) = rest[lt..].find('>') else {
            rest = &rest[lt..];
            break;
        };
        let name = rest[lt + 1..lt + gt]
            .trim_start_matches('/')
            .split([' ', '/', '\n'])
            .next()
            .unwrap_or_default();
        if !INLINE_TAGS.contains(&name) {
            text.push('\n');
        }
        rest = &rest[lt + gt + 1..];
    }
    text.push_str(rest);
    text
}

/// The forms a run of text takes in the files a build writes: as written (plain text, feeds'
/// CDATA), escaped for HTML text and attributes, and inside a JSON string.
fn written_forms(text: &str) -> Vec<String> {
    let body_text = body_escape(text);
    let json = serde_json::to_string(text).expect("a string is JSON");
    let mut forms = vec![
        text.to_owned(),
        body_text,
        escape(text),
        json[1..json.len() - 1].to_owned(),
    ];
    forms.sort();
    forms.dedup();
    forms
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

    const MEETING: &str = "---\ndate: 2024-01-01\nstatus: referat\n---\n\
        ## Åbent punkt\n\nSagen blev drøftet på mødet i dag.\n\n\
        ## Personalesag {.lukket}\n\nBorgeren har klaget over **sagsbehandlingen** i afdelingen.\n\
        Sagen blev drøftet på mødet i dag.\n\n```\n## ikke en overskrift\nkode i lukket punkt her\n```\n\
        Titel på næste punkt\n---\n\nÅben tekst igen.\n";

    fn runs(text: &str) -> Vec<(String, usize)> {
        closed_runs(text)
            .0
            .into_iter()
            .map(|r| (r.text, r.line))
            .collect()
    }

    #[test]
    fn the_body_of_a_closed_item_runs_to_the_next_item_heading() {
        let runs = runs(MEETING);
        let texts: Vec<&str> = runs.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Borgeren har klaget over",
                "Borgeren har klaget over sagsbehandlingen i afdelingen.",
                "Sagen blev drøftet på mødet i dag.",
                "## ikke en overskrift kode i lukket punkt her",
            ]
        );
        assert_eq!(runs[1].1, 11, "the line of the run in the file");
        assert_eq!(runs[2].1, 12);
    }

    #[test]
    fn runs_are_looked_for_by_sentence_and_by_twelve_words() {
        assert_eq!(
            pieces("Første sætning her. Anden sætning? a b c d e f g h i j k l m n"),
            [
                "Første sætning her.",
                "Anden sætning?",
                "a b c d e f g h i j k l",
                "m n"
            ]
        );
    }

    #[test]
    fn closed_headings_are_found_in_any_form() {
        assert!(is_closed_heading("## Personalesag {.lukket}"));
        assert!(is_closed_heading("## Personalesag {.Lukket case=EMN-1}"));
        assert!(is_closed_heading("## Personalesag {.lukket} ##"));
        assert!(!is_closed_heading("## Lukket vej ved skolen"));
        let setext = "Personalesag {.lukket}\n---\nHemmelig tekst om en borger her.\n";
        assert_eq!(runs(setext).len(), 1);
    }

    #[test]
    fn front_matter_is_not_a_body() {
        assert!(closed_bodies("---\ntitle: x {.lukket}\n---\n").is_empty());
    }

    #[test]
    fn text_is_looked_for_as_html_and_json_write_it() {
        let forms = written_forms("Kommunen & \"borgeren\" <aftale>");
        assert!(forms.contains(&"Kommunen &amp; \"borgeren\" &lt;aftale&gt;".to_owned()));
        assert!(forms.contains(&"Kommunen &amp; &quot;borgeren&quot; &lt;aftale&gt;".to_owned()));
        assert!(forms.contains(&"Kommunen & \\\"borgeren\\\" <aftale>".to_owned()));
    }

    #[test]
    fn markup_within_a_line_is_cut_out_and_blocks_end_lines() {
        assert_eq!(
            without_markup("<p>A <strong>B</strong> &amp; <a href=\"x\">C</a></p><p>D<br />E</p>"),
            "\nA B &amp; C\n\nD\nE\n"
        );
    }

    #[test]
    fn calendars_are_scanned_unfolded() {
        assert_eq!(
            unfold(b"DESCRIPTION:Borg\r\n eren\r\nEND"),
            b"DESCRIPTION:Borgeren\r\nEND"
        );
    }

    /// Every occurrence of every text in `haystack`, by looking at each byte.
    fn every_match(texts: &[String], haystack: &[u8]) -> Vec<(usize, usize)> {
        let mut all = Vec::new();
        for (number, text) in texts.iter().enumerate() {
            for start in 0..haystack.len() {
                if haystack[start..].starts_with(text.as_bytes()) {
                    all.push((number, start));
                }
            }
        }
        all.sort();
        all
    }

    fn matches(needles: &Needles, haystack: &[u8]) -> Vec<(usize, usize)> {
        let mut all = Vec::new();
        needles.each_match(haystack, |text, start| all.push((text, start)));
        all.sort();
        all
    }

    #[test]
    fn a_text_is_found_at_every_offset_and_length() {
        for length in MIN_CHARS..MIN_CHARS + 2 * STEP {
            let text = &"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"[..length];
            let needles = Needles::new(vec![text.to_owned()]);
            for start in 0..3 * STEP {
                for after in 0..STEP {
                    let haystack = format!("{}{text}{}", "-".repeat(start), "+".repeat(after));
                    assert_eq!(
                        matches(&needles, haystack.as_bytes()),
                        [(0, start)],
                        "{length} bytes at {start}, {after} after"
                    );
                    assert_eq!(needles.first(haystack.as_bytes()), Some(0));
                }
                let cut = format!("{}{}", "-".repeat(start), &text[..text.len() - 1]);
                assert_eq!(needles.first(cut.as_bytes()), None);
            }
        }
    }

    #[test]
    fn texts_that_share_windows_and_starts_are_all_found() {
        let base = "Borgeren har klaget over sagsbehandlingen";
        let mut texts: Vec<String> = (MIN_CHARS..=base.len())
            .map(|length| base[..length].to_owned())
            .collect();
        texts.push(base[..MIN_CHARS].to_owned());
        texts.push(format!("{} i afdelingen", &base[..30]));
        texts.push(format!("Også: {base}"));
        texts.push("aaaaaaaaaaaaaaaaaaaaaaaa".to_owned());
        texts.push("abababababababababababab".to_owned());
        let needles = Needles::new(texts.clone());
        for haystack in [
            format!("x {base} og Også: {base} i afdelingen. {base}"),
            format!("{} i afdelingen {}", &base[..30], "a".repeat(40)),
            format!("b{}a{}", "ab".repeat(30), &base[..MIN_CHARS - 1]),
            base.to_owned(),
        ] {
            let all = every_match(&texts, haystack.as_bytes());
            assert!(!all.is_empty());
            assert_eq!(matches(&needles, haystack.as_bytes()), all, "{haystack}");
            assert_eq!(
                needles.first(haystack.as_bytes()),
                all.iter()
                    .min_by_key(|(text, start)| (*start, *text))
                    .map(|m| m.0)
            );
        }
    }

    #[test]
    fn texts_are_found_in_any_bytes() {
        // A haystack of one part over and over: its texts share windows and overlap everywhere.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut letters = |count: usize| -> String {
            (0..count)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    ['a', 'a', 'a', 'a', 'a', 'a', 'b', 'æ'][(state % 8) as usize]
                })
                .collect()
        };
        let haystack = letters(100).repeat(200);
        let mut texts: Vec<String> = (0..50).map(|i| letters(MIN_CHARS + i % 7)).collect();
        for start in (0..19_000).step_by(89) {
            let start = (start..).find(|s| haystack.is_char_boundary(*s)).unwrap();
            let end = (start + MIN_CHARS + start % 11..)
                .find(|e| haystack.is_char_boundary(*e))
                .unwrap();
            texts.push(haystack[start..end].to_owned());
        }
        let needles = Needles::new(texts.clone());
        let all = every_match(&texts, haystack.as_bytes());
        assert!(all.len() > 100 * texts.len());
        assert_eq!(matches(&needles, haystack.as_bytes()), all);
    }

    #[test]
    fn without_texts_nothing_is_found() {
        let needles = Needles::new(Vec::new());
        assert_eq!(
            needles.first(b"Borgeren har klaget over sagsbehandlingen"),
            None
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
