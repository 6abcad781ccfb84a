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

/// One shard being filled: its term records and their positions.
#[derive(Default)]
struct Shard {
    terms: usize,
    records: Vec<u8>,
    positions: Vec<u8>,
    first: String,
    last: String,
}

/// Stream every term into shards of about [`SHARD_BYTES`] (a term of [`OWN_SHARD_DOCS`] alone),
/// each written under a name of its own content; returns the shard boundaries and the names.
fn write_shards(index: &IndexReader, sink: &Sink) -> anyhow::Result<(Vec<String>, Vec<String>)> {
    let mut bounds = Vec::new();
    let mut names = Vec::new();
    let mut shard = Shard::default();
    let mut previous_last = String::new();
    let mut flush = |shard: Shard, bounds: &mut Vec<String>| -> anyhow::Result<()> {
        bounds.push(boundary(&previous_last, &shard.first, bounds.is_empty()));
        let mut terms = Vec::with_capacity(shard.records.len() + 5);
        varint(&mut terms, shard.terms as u64);
        terms.extend_from_slice(&shard.records);
        let mut hash = ContentHash::default();
        hash.add(&terms);
        hash.add(&shard.positions);
        let name = hash.finish();
        sink.write(&format!("{BUNDLE_DIR}/s/{name}-t.bin"), &terms)?;
        sink.write(&format!("{BUNDLE_DIR}/s/{name}-p.bin"), &shard.positions)?;
        names.push(name);
        previous_last = shard.last;
        Ok(())
    };
    let mut alone = false;
    index.for_each_term(|term, postings| {
        let impacts = Impacts::of(index, &postings);
        let big = impacts.docs.len() >= OWN_SHARD_DOCS;
        if shard.terms > 0 && (shard.records.len() >= SHARD_BYTES || big || alone) {
            flush(std::mem::take(&mut shard), &mut bounds)?;
        }
        alone = big;
        if shard.terms == 0 {
            shard.first = term.to_owned();
        }
        encode_term(&mut shard, term, &postings, &impacts);
        shard.last = term.to_owned();
        Ok(())
    })?;
    if shard.terms > 0 || bounds.is_empty() {
        flush(shard, &mut bounds)?;
    }
    Ok((bounds, names))
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

fn encode_term(shard: &mut Shard, term: &str, postings: &TermPostings, impacts: &Impacts) {
    let shared = if shard.terms == 0 {
        0
    } else {
        shard
            .last
            .bytes()
            .zip(term.bytes())
            .take_while(|(a, b)| a == b)
            .count()
    };
    let out = &mut shard.records;
    varint(out, shared as u64);
    varint(out, (term.len() - shared) as u64);
    out.extend_from_slice(&term.as_bytes()[shared..]);
    varint(out, postings.iter().map(|(f, _)| 1u64 << f).sum());
    varint(out, Impacts::count(postings));
    varint(out, impacts.docs.len() as u64);
    out.extend_from_slice(&impacts.max.to_le_bytes());
    let text_fields = postings.iter().filter(|(f, _)| *f != CASE_FIELD);
    let offset = if text_fields.clone().next().is_some() {
        shard.positions.len()
    } else {
        0
    };
    varint(out, offset as u64);
    for (_, list) in text_fields {
        let positions = &mut shard.positions;
        varint(positions, list.len() as u64);
        gaps(positions, list.iter().map(|p| p.doc));
        for posting in list {
            varint(positions, u64::from(posting.tf));
            gaps(positions, posting.positions.iter().copied());
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
    varint(out, ((list.len() as u64) << 1) | is_dense);
    out.extend_from_slice(&list);
    out.extend_from_slice(&impacts.impacts);
    shard.terms += 1;
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
