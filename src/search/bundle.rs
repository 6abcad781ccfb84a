//! The tantivy index → the static search bundle under `_search/`, in the format of
//! docs/search-bundle.md: the entry file, term shards, positions, meeting dates, fragments.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;
use xxhash_rust::xxh3::Xxh3;

use super::documents::{CASE_FIELD, CouncilRange, Documents, Layout};
use super::index::{IndexReader, TermPostings};
use super::score::Impacts;
use crate::output::Sink;

/// The folder of the bundle in the output.
pub const BUNDLE_DIR: &str = "_search";

/// Bumped whenever a file of the bundle changes shape.
const FORMAT: u32 = 3;

/// A shard is closed once it holds this many bytes; a query downloads whole shards.
const SHARD_BYTES: usize = 12 * 1024;

/// A term held by this many documents or more (a quarter of a shard of ids and impacts at the
/// least) gets a shard of its own, so that a prefix whose terms end next to it does not
/// download it too.
const OWN_SHARD_DOCS: usize = SHARD_BYTES / 4;

/// A council's fragments are published in chunks of this many, each in a folder named by its
/// content, so that an edited item renames the one chunk that holds it.
const FRAGMENT_CHUNK: usize = 1024;

/// `_search/index.json`: the only file whose name stays the same from build to build.
#[derive(Serialize)]
struct Entry<'a> {
    format: u32,
    docs: u32,
    #[serde(rename = "fragmentChunk")]
    fragment_chunk: usize,
    councils: Vec<EntryCouncil<'a>>,
    shards: Vec<String>,
    #[serde(rename = "shardNames")]
    shard_names: Vec<String>,
    dates: String,
}

#[derive(Serialize)]
struct EntryCouncil<'a> {
    slug: &'a str,
    name: &'a str,
    municipality: &'a str,
    start: u32,
    count: u32,
    fragments: Vec<String>,
    years: &'a [(i32, u32)],
    agenda: &'a [(u32, u32)],
}

/// What the bundle holds, for the build's summary.
#[derive(Debug, Clone, Copy)]
pub struct BundleSummary {
    /// Documents indexed.
    pub docs: u32,
    /// Term shards written.
    pub shards: usize,
}

/// Write the bundle of `index` (built from `docs`) through `sink`, with `runtime` (the source
/// of `search.js`) as [`published_runtime`] makes it; returns what it holds and the names of its
/// fragment chunks, of which those in `known` need not be made again.
pub fn export(
    index: &IndexReader,
    docs: &Documents<'_>,
    runtime: &str,
    sink: &Sink,
    known: &ChunkNames,
) -> anyhow::Result<(BundleSummary, ChunkNames)> {
    let layout = &docs.layout;
    let (shards, fragments) = rayon::join(
        || write_shards(index, sink),
        || {
            layout
                .councils
                .par_iter()
                .map(|council| write_fragments(council, docs, sink, known))
                .collect::<anyhow::Result<Vec<Vec<(u128, String)>>>>()
        },
    );
    let (shards, shard_names) = shards?;
    let fragments = fragments?;
    let chunks = ChunkNames(fragments.iter().flatten().cloned().collect());
    let dates = dates_file(layout);
    let mut dates_hash = ContentHash::default();
    dates_hash.add(&dates);
    let dates_name = format!("d/{}.bin", dates_hash.finish());
    sink.write(&format!("{BUNDLE_DIR}/{dates_name}"), &dates)?;
    let entry = Entry {
        format: FORMAT,
        docs: index.docs,
        fragment_chunk: FRAGMENT_CHUNK,
        councils: layout
            .councils
            .iter()
            .zip(fragments)
            .map(|(c, fragments)| EntryCouncil {
                slug: &c.slug,
                name: &c.name,
                municipality: &c.municipality,
                start: c.start,
                count: c.count,
                fragments: fragments.into_iter().map(|(_, name)| name).collect(),
                years: &c.years,
                agenda: &c.agenda,
            })
            .collect(),
        shards,
        shard_names,
        dates: dates_name,
    };
    sink.write(
        &format!("{BUNDLE_DIR}/index.json"),
        &serde_json::to_vec(&entry)?,
    )?;
    sink.write(
        &format!("{BUNDLE_DIR}/search.js"),
        published_runtime(runtime).as_bytes(),
    )?;
    Ok((
        BundleSummary {
            docs: index.docs,
            shards: entry.shards.len(),
        },
        chunks,
    ))
}

/// The name of a file, or of files that go together: the first 10 hex digits of the xxh3-128 of
/// each file's length (8 bytes, little-endian) and bytes, in order.
#[derive(Default)]
struct ContentHash(Xxh3);

impl ContentHash {
    fn add(&mut self, part: &[u8]) {
        self.0.update(&(part.len() as u64).to_le_bytes());
        self.0.update(part);
    }

    fn finish(self) -> String {
        let mut name = format!("{:032x}", self.0.digest128());
        name.truncate(10);
        name
    }
}

/// The runtime as published: the source without its comment lines (those whose text starts
/// with `//`), without indentation and without empty lines. The source keeps every template
/// literal and string on one line, so no line is inside one.
fn published_runtime(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    for line in source.lines().map(str::trim_start) {
        if !line.is_empty() && !line.starts_with("//") {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The ranges the terms are split into, each read and encoded by one thread.
const TERM_RANGES: usize = 128;

/// How many ranges are encoded at once before their terms go into shards: what bounds the
/// memory the encoded terms take.
const WINDOW: usize = 16;

/// One term encoded as far as it does not depend on the shard that holds it: its record without
/// the term's bytes and without the offset into the shard's positions, and its positions.
struct EncodedTerm {
    term: String,
    /// The record after the term's bytes, but for the offset.
    record: Vec<u8>,
    /// Where in `record` the offset goes.
    offset_at: usize,
    /// Empty when no text field holds the term, whose offset is then 0.
    positions: Vec<u8>,
    /// Whether the term gets a shard of its own ([`OWN_SHARD_DOCS`]).
    big: bool,
}

/// One shard being filled: its term records and their positions.
#[derive(Default)]
struct Shard {
    terms: usize,
    records: Vec<u8>,
    positions: Vec<u8>,
    first: String,
    last: String,
}

impl Shard {
    /// Append `term`, its prefix shared with the term before it in the shard left out.
    fn push(&mut self, term: &EncodedTerm) {
        let shared = if self.terms == 0 {
            0
        } else {
            self.last
                .bytes()
                .zip(term.term.bytes())
                .take_while(|(a, b)| a == b)
                .count()
        };
        let out = &mut self.records;
        varint(out, shared as u64);
        varint(out, (term.term.len() - shared) as u64);
        out.extend_from_slice(&term.term.as_bytes()[shared..]);
        let (before, after) = term.record.split_at(term.offset_at);
        out.extend_from_slice(before);
        let offset = if term.positions.is_empty() {
            0
        } else {
            self.positions.len()
        };
        varint(out, offset as u64);
        out.extend_from_slice(after);
        self.positions.extend_from_slice(&term.positions);
        if self.terms == 0 {
            self.first.clone_from(&term.term);
        }
        self.last.clone_from(&term.term);
        self.terms += 1;
    }
}

/// The shards written so far: their boundaries and names, in order, and the last term of the
/// last one.
#[derive(Default)]
struct Written {
    bounds: Vec<String>,
    names: Vec<String>,
    last: String,
}

impl Written {
    /// Write `shards`, which follow those written so far, each under a name of its own content.
    fn add(&mut self, shards: Vec<Shard>, sink: &Sink) -> anyhow::Result<()> {
        for shard in &shards {
            self.bounds
                .push(boundary(&self.last, &shard.first, self.bounds.is_empty()));
            self.last.clone_from(&shard.last);
        }
        let names = shards
            .par_iter()
            .map(|shard| write_shard(shard, sink))
            .collect::<anyhow::Result<Vec<String>>>()?;
        self.names.extend(names);
        Ok(())
    }
}

/// Stream every term into shards of about [`SHARD_BYTES`] (a term of [`OWN_SHARD_DOCS`] alone),
/// each written under a name of its own content; returns the shard boundaries and the names.
/// The terms of [`WINDOW`] ranges are encoded in parallel, then put into shards in order.
fn write_shards(index: &IndexReader, sink: &Sink) -> anyhow::Result<(Vec<String>, Vec<String>)> {
    let mut written = Written::default();
    let mut shard = Shard::default();
    let mut alone = false;
    for window in index.term_ranges(TERM_RANGES)?.chunks(WINDOW) {
        let encoded = window
            .par_iter()
            .map(|range| {
                let mut terms = Vec::new();
                index.for_each_term_in(range, |term, postings| {
                    terms.push(encode_term(index, term, &postings));
                    Ok(())
                })?;
                Ok(terms)
            })
            .collect::<anyhow::Result<Vec<Vec<EncodedTerm>>>>()?;
        let mut full = Vec::new();
        for term in encoded.iter().flatten() {
            if shard.terms > 0 && (shard.records.len() >= SHARD_BYTES || term.big || alone) {
                full.push(std::mem::take(&mut shard));
            }
            alone = term.big;
            shard.push(term);
        }
        written.add(full, sink)?;
    }
    if shard.terms > 0 || written.bounds.is_empty() {
        written.add(vec![shard], sink)?;
    }
    Ok((written.bounds, written.names))
}

/// Write `shard` under a name of its own content; returns the name.
fn write_shard(shard: &Shard, sink: &Sink) -> anyhow::Result<String> {
    let mut terms = Vec::with_capacity(shard.records.len() + 5);
    varint(&mut terms, shard.terms as u64);
    terms.extend_from_slice(&shard.records);
    let mut hash = ContentHash::default();
    hash.add(&terms);
    hash.add(&shard.positions);
    let name = hash.finish();
    sink.write(&format!("{BUNDLE_DIR}/s/{name}-t.bin"), &terms)?;
    sink.write(&format!("{BUNDLE_DIR}/s/{name}-p.bin"), &shard.positions)?;
    Ok(name)
}

/// The shortest prefix of `first` (on a character boundary) that sorts after `previous`.
fn boundary(previous: &str, first: &str, is_first: bool) -> String {
    if is_first {
        return String::new();
    }
    first
        .char_indices()
        .map(|(i, c)| &first[..i + c.len_utf8()])
        .find(|prefix| *prefix > previous)
        .unwrap_or(first)
        .to_owned()
}

fn encode_term(index: &IndexReader, term: &str, postings: &TermPostings) -> EncodedTerm {
    let impacts = Impacts::of(index, postings);
    let mut record = Vec::new();
    varint(&mut record, postings.iter().map(|(f, _)| 1u64 << f).sum());
    varint(&mut record, Impacts::count(postings));
    varint(&mut record, impacts.docs.len() as u64);
    record.extend_from_slice(&impacts.max.to_le_bytes());
    let offset_at = record.len();
    let mut positions = Vec::new();
    for (_, list) in postings.iter().filter(|(f, _)| *f != CASE_FIELD) {
        varint(&mut positions, list.len() as u64);
        gaps(&mut positions, list.iter().map(|p| p.doc));
        for posting in list {
            varint(&mut positions, u64::from(posting.tf));
            gaps(&mut positions, posting.positions.iter().copied());
        }
    }
    let mut sparse = Vec::new();
    gaps(&mut sparse, impacts.docs.iter().copied());
    // A rare term spread over the archive would make a bitmap of kilobytes: weigh its length
    // before writing it.
    let (list, is_dense) = if bitmap_len(&impacts.docs) < sparse.len() {
        (bitmap(&impacts.docs), 1)
    } else {
        (sparse, 0)
    };
    varint(&mut record, ((list.len() as u64) << 1) | is_dense);
    record.extend_from_slice(&list);
    record.extend_from_slice(&impacts.impacts);
    EncodedTerm {
        term: term.to_owned(),
        record,
        offset_at,
        positions,
        big: impacts.docs.len() >= OWN_SHARD_DOCS,
    }
}

/// Ascending numbers as varints: the first as is, each next minus the one before.
fn gaps(out: &mut Vec<u8>, numbers: impl Iterator<Item = u32>) {
    let mut previous = 0;
    for n in numbers {
        varint(out, u64::from(n - previous));
        previous = n;
    }
}

/// The length in bytes of [`bitmap`] of `docs`.
fn bitmap_len(docs: &[u32]) -> usize {
    let (Some(&first), Some(&last)) = (docs.first(), docs.last()) else {
        return 0;
    };
    let mut first_id = Vec::new();
    varint(&mut first_id, u64::from(first));
    first_id.len() + (last - first) as usize / 8 + 1
}

/// Ascending document ids as the first id and a bitmap from it, lowest bit first.
fn bitmap(docs: &[u32]) -> Vec<u8> {
    let (Some(&first), Some(&last)) = (docs.first(), docs.last()) else {
        return Vec::new();
    };
    let mut out = Vec::with_capacity(bitmap_len(docs));
    varint(&mut out, u64::from(first));
    let start = out.len();
    out.resize(start + (last - first) as usize / 8 + 1, 0);
    for &doc in docs {
        let bit = (doc - first) as usize;
        out[start + bit / 8] |= 1 << (bit % 8);
    }
    out
}

/// Write the fragments of one council in chunks of [`FRAGMENT_CHUNK`], each into a folder named
/// by its content; returns each chunk's key and name. A chunk whose key names it in `known`, and
/// whose files the last build published from that key, is kept without making its fragments.
fn write_fragments(
    council: &CouncilRange,
    docs: &Documents<'_>,
    sink: &Sink,
    known: &ChunkNames,
) -> anyhow::Result<Vec<(u128, String)>> {
    let (start, end) = (
        council.start as usize,
        (council.start + council.count) as usize,
    );
    (start..end)
        .step_by(FRAGMENT_CHUNK)
        .map(|from| {
            let ids = from..(from + FRAGMENT_CHUNK).min(end);
            let mut key = Xxh3::new();
            for (_, group, part) in docs.groups_of(ids.clone()) {
                key.update(&group.key.to_le_bytes());
                key.update(&(part.start as u64).to_le_bytes());
                key.update(&(part.end as u64).to_le_bytes());
            }
            let key = key.digest128();
            let paths = |name: &str| -> Vec<String> {
                (0..ids.len())
                    .map(|n| format!("{BUNDLE_DIR}/f/{name}/{n}.json"))
                    .collect()
            };
            if let Some(name) = known.0.get(&key)
                && sink.unchanged_all(&paths(name), key)
            {
                return Ok((key, name.clone()));
            }
            let fragments: Vec<&str> = docs
                .groups_of(ids.clone())
                .flat_map(|(number, _, part)| docs.of(number)[part].iter())
                .map(|doc| doc.fragment.as_str())
                .collect();
            let mut hash = ContentHash::default();
            for fragment in &fragments {
                hash.add(fragment.as_bytes());
            }
            let name = hash.finish();
            for (path, fragment) in paths(&name).iter().zip(fragments) {
                sink.write_keyed(path, key, fragment.as_bytes())?;
            }
            Ok((key, name))
        })
        .collect()
}

/// The names of the fragment chunks of the last build, by the key of what each was made from:
/// kept in the search cache, so that a build names an unchanged chunk without making it. A
/// name is only taken for files the last published build made from the same key
/// ([`Sink::unchanged_all`]), so a lost or stale list costs time, never correctness.
#[derive(Debug, Default)]
pub struct ChunkNames(HashMap<u128, String>);

impl ChunkNames {
    /// The list kept at `path`; empty when there is none or it cannot be read.
    pub fn read(path: &Path) -> ChunkNames {
        let text = fs::read_to_string(path).unwrap_or_default();
        ChunkNames(
            text.lines()
                .filter_map(|line| {
                    let (key, name) = line.split_once(' ')?;
                    Some((u128::from_str_radix(key, 16).ok()?, name.to_owned()))
                })
                .collect(),
        )
    }

    /// Keep the list at `path`, one `<key in hex> <name>` line per chunk, sorted.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let mut lines: Vec<String> = self
            .0
            .iter()
            .map(|(key, name)| format!("{key:032x} {name}\n"))
            .collect();
        lines.sort_unstable();
        fs::write(path, lines.concat())
    }
}

fn dates_file(layout: &Layout) -> Vec<u8> {
    let mut out = Vec::new();
    for council in &layout.councils {
        let mut previous = None;
        for &(items, days) in &council.meetings {
            varint(&mut out, u64::from(items));
            varint(&mut out, u64::from(previous.map_or(days, |p| days - p)));
            previous = Some(days);
        }
    }
    out
}

/// Unsigned LEB128.
fn varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

#[cfg(test)]
mod tests {
    use super::{ContentHash, bitmap, bitmap_len, boundary, published_runtime, varint};

    #[test]
    fn boundaries_are_the_shortest_prefix_after_the_previous_shard() {
        assert_eq!(boundary("", "abc", true), "");
        assert_eq!(boundary("beskæftig", "bestyr", false), "best");
        assert_eq!(boundary("a", "b", false), "b");
        assert_eq!(boundary("å", "åb", false), "åb");
        assert_eq!(boundary("zz", "æble", false), "æ");
    }

    #[test]
    fn a_bitmap_starts_at_the_first_id_lowest_bit_first() {
        assert_eq!(bitmap(&[]), Vec::<u8>::new());
        assert_eq!(bitmap(&[3]), [3, 0b1]);
        assert_eq!(bitmap(&[300, 301, 309]), [0xac, 2, 0b11, 0b10]);
        for docs in [&[][..], &[3], &[300, 301, 309]] {
            assert_eq!(bitmap_len(docs), bitmap(docs).len());
        }
    }

    #[test]
    fn a_name_is_the_start_of_the_xxh3_of_each_part_with_its_length() {
        let mut hash = ContentHash::default();
        hash.add(b"ab");
        hash.add(b"");
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&2u64.to_le_bytes());
        bytes.extend_from_slice(b"ab");
        bytes.extend_from_slice(&0u64.to_le_bytes());
        let whole = format!("{:032x}", xxhash_rust::xxh3::xxh3_128(&bytes));
        assert_eq!(hash.finish(), whole[..10]);
    }

    #[test]
    fn the_published_runtime_has_no_comment_lines_indentation_or_empty_lines() {
        let source = "// The module.\n\
                      //\n\
                      const A = 1; // kept: code before it\n\
                      \n\
                      function f(x) {\n\
                      \x20 // a comment\n\
                      \x20 return `${x}//` + '// not a comment';\n\
                      \t  \n\
                      }\n\
                      /**\n\
                      \x20* Documented.\n\
                      \x20*/\n";
        assert_eq!(
            published_runtime(source),
            "const A = 1; // kept: code before it\n\
             function f(x) {\n\
             return `${x}//` + '// not a comment';\n\
             }\n\
             /**\n\
             * Documented.\n\
             */\n"
        );
    }

    /// Stripping lines is safe only when no line of code is inside a template literal or a
    /// string: each of them closes on the line it opens.
    #[test]
    fn every_template_literal_and_string_of_the_runtime_closes_on_its_line() {
        for (n, line) in crate::search::RUNTIME.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            assert!(
                code.matches('`').count() % 2 == 0 && !code.ends_with('\\'),
                "search.js line {}: a template literal or string goes on to the next line",
                n + 1
            );
        }
    }

    #[test]
    fn varints_are_little_endian_groups_of_seven_bits() {
        let mut out = Vec::new();
        for v in [0, 127, 128, 300] {
            varint(&mut out, v);
        }
        assert_eq!(out, [0, 127, 0x80, 1, 0xac, 2]);
    }
}
