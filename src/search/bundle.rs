//! The tantivy index → the static search bundle under `_search/`, in the format of
//! docs/search-bundle.md: the entry file, term shards, positions, meeting dates, fragments.

use std::collections::BTreeMap;

use anyhow::{Context, ensure};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::Xxh3;

use super::documents::{CASE_FIELD, CouncilRange, Documents, FIELDS, Layout};
use super::index::{Changes, IndexReader, Read, Snapshot, TermPostings, TermRange};
use super::score::{Impacts, average_length};
use crate::content::build_id;
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

/// What the last export made, kept in the search cache, so that the next one makes again only
/// the shards and fragment chunks whose content changed. A name is only taken for files the
/// last published build made from the same key ([`Sink::unchanged_all`]), so a lost or stale
/// memory costs time, never correctness.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Memory {
    /// What every score depended on ([`scoring_key`]).
    scoring: u128,
    /// The index's segments and deletions when its terms were read.
    snapshot: Snapshot,
    /// Every term then, in byte order, with the sizes of its encoding.
    terms: Vec<(String, Sizes)>,
    /// The name of each shard, by its key ([`shard_key`]).
    shards: BTreeMap<u128, String>,
    /// The name of each fragment chunk, by the key of what it was made from.
    chunks: BTreeMap<u128, String>,
}

/// Write the bundle of `index` (built from `docs`) through `sink`, with `runtime` (the source
/// of `search.js`) as [`published_runtime`] makes it; returns what it holds and what the next
/// export needs to remember of it. What `memory` remembers of the last export is not made
/// again: the shards of the terms whose documents hold them as they did then, and the fragment
/// chunks made from the same documents.
pub fn export(
    index: &IndexReader,
    docs: &Documents<'_>,
    runtime: &str,
    sink: &Sink,
    memory: &Memory,
) -> anyhow::Result<(BundleSummary, Memory)> {
    let layout = &docs.layout;
    let scoring = scoring_key(index, &docs.keys);
    let since = if memory.scoring == scoring {
        index.changes_since(&memory.snapshot)?
    } else {
        None
    };
    let (shards, fragments) = rayon::join(
        || write_shards(index, sink, memory, scoring, since.as_ref()),
        || {
            layout
                .councils
                .par_iter()
                .map(|council| write_fragments(council, index, docs, sink, &memory.chunks))
                .collect::<anyhow::Result<Vec<Vec<(u128, String)>>>>()
        },
    );
    let shards = shards?;
    let fragments = fragments?;
    let chunks = fragments.iter().flatten().cloned().collect();
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
        shards: shards.bounds,
        shard_names: shards.names,
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
        Memory {
            scoring,
            snapshot: index.snapshot()?,
            terms: shards.terms,
            shards: shards.keys,
            chunks,
        },
    ))
}

/// A key of everything the scores of every term depend on besides the term's own postings: the
/// program, the documents (by key, in id order) and the average length of each field as the
/// scores round it. While it stays the same, a term whose postings stay the same keeps its
/// encoding.
fn scoring_key(index: &IndexReader, keys: &[u64]) -> u128 {
    let mut hasher = Xxh3::new();
    hasher.update(build_id().as_bytes());
    hasher.update(&FORMAT.to_le_bytes());
    hasher.update(&index.docs.to_le_bytes());
    for field in 0..FIELDS.len() {
        let average = average_length(index.tokens[field], f64::from(index.docs));
        hasher.update(&average.to_le_bytes());
    }
    for key in keys {
        hasher.update(&key.to_le_bytes());
    }
    hasher.digest128()
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
/// memory the encoded terms take. Two for each of this machine's cores keep them busy; a
/// range is a fixed share of the terms, so a larger window costs more memory as the archive
/// grows.
const WINDOW: usize = 4;

/// The sizes of a term's encoding ([`Encoded`]), which decide where the shards end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Sizes {
    /// Bytes of its record, but for the offset.
    record: u32,
    /// Bytes of its positions.
    positions: u32,
    /// Whether it gets a shard of its own ([`OWN_SHARD_DOCS`]).
    big: bool,
}

/// One term encoded as far as it does not depend on the shard that holds it: its record without
/// the term's bytes and without the offset into the shard's positions, and its positions.
struct Encoded {
    /// The record after the term's bytes, but for the offset.
    record: Vec<u8>,
    /// Where in `record` the offset goes.
    offset_at: usize,
    /// Empty when no text field holds the term, whose offset is then 0.
    positions: Vec<u8>,
    big: bool,
}

impl Encoded {
    fn sizes(&self) -> Sizes {
        Sizes {
            record: self.record.len() as u32,
            positions: self.positions.len() as u32,
            big: self.big,
        }
    }
}

/// A term on its way into a shard: its sizes, and its encoding unless its postings are as the
/// last export found them (then it is encoded only if its shard must be made again).
struct Walked {
    term: String,
    sizes: Sizes,
    encoded: Option<Encoded>,
}

/// One shard being filled: its terms, and how many bytes its records and positions take.
#[derive(Default)]
struct Shard {
    terms: Vec<Walked>,
    records: usize,
    positions: usize,
}

impl Shard {
    /// Add `term`, counting the bytes its record takes with the prefix it shares with the term
    /// before it left out, as [`Shard::encode`] writes it.
    fn push(&mut self, term: Walked) {
        let shared = self
            .terms
            .last()
            .map_or(0, |last| shared_prefix(&last.term, &term.term));
        let suffix = term.term.len() - shared;
        let offset = if term.sizes.positions == 0 {
            0
        } else {
            self.positions
        };
        self.records += varint_len(shared as u64)
            + varint_len(suffix as u64)
            + suffix
            + term.sizes.record as usize
            + varint_len(offset as u64);
        self.positions += term.sizes.positions as usize;
        self.terms.push(term);
    }

    /// The shard's two files: its terms (their count, then each term's record) and their
    /// positions. Every term must be encoded.
    fn encode(&self) -> (Vec<u8>, Vec<u8>) {
        let mut records = Vec::with_capacity(self.records + 5);
        let mut positions = Vec::with_capacity(self.positions);
        varint(&mut records, self.terms.len() as u64);
        let mut last = "";
        for term in &self.terms {
            let encoded = term
                .encoded
                .as_ref()
                .expect("every term of the shard encoded");
            let shared = shared_prefix(last, &term.term);
            varint(&mut records, shared as u64);
            varint(&mut records, (term.term.len() - shared) as u64);
            records.extend_from_slice(&term.term.as_bytes()[shared..]);
            let (before, after) = encoded.record.split_at(encoded.offset_at);
            records.extend_from_slice(before);
            let offset = if encoded.positions.is_empty() {
                0
            } else {
                positions.len()
            };
            varint(&mut records, offset as u64);
            records.extend_from_slice(after);
            positions.extend_from_slice(&encoded.positions);
            last = &term.term;
        }
        (records, positions)
    }
}

/// The bytes `a` and `b` start with alike.
fn shared_prefix(a: &str, b: &str) -> usize {
    a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count()
}

/// The shards written: their boundaries and names, in order, and what the next export needs to
/// remember of them.
#[derive(Default)]
struct Written {
    bounds: Vec<String>,
    names: Vec<String>,
    /// Every term, in order, with its sizes.
    terms: Vec<(String, Sizes)>,
    /// Each shard's name by its key.
    keys: BTreeMap<u128, String>,
}

impl Written {
    /// Write `shards`, which follow those written so far, each under a name of its own content;
    /// a shard whose terms all hold the postings the last export found keeps the name `memory`
    /// gives it, unmade, when the last published build has its files.
    fn add(
        &mut self,
        shards: Vec<Shard>,
        index: &IndexReader,
        sink: &Sink,
        memory: &Memory,
        scoring: u128,
    ) -> anyhow::Result<()> {
        for shard in &shards {
            let first = shard.terms.first().map_or("", |t| t.term.as_str());
            let last = self.terms.last().map_or("", |(t, _)| t.as_str());
            self.bounds
                .push(boundary(last, first, self.bounds.is_empty()));
            self.terms
                .extend(shard.terms.iter().map(|t| (t.term.clone(), t.sizes)));
        }
        let named = shards
            .into_par_iter()
            .map(|mut shard| {
                let key = shard_key(scoring, &shard.terms);
                if shard.terms.iter().all(|t| t.encoded.is_none())
                    && let Some(name) = memory.shards.get(&key)
                    && sink.unchanged_all(&shard_paths(name), key)
                {
                    return Ok((key, name.clone()));
                }
                for term in shard.terms.iter_mut().filter(|t| t.encoded.is_none()) {
                    let postings = index.term(&term.term)?.with_context(|| {
                        format!("the search index lost the term `{}`", term.term)
                    })?;
                    let encoded = encode_term(index, &postings);
                    ensure!(
                        encoded.sizes() == term.sizes,
                        "the search cache does not match the index at the term `{}`; remove \
                         .referat-cache/ and build again",
                        term.term
                    );
                    term.encoded = Some(encoded);
                }
                Ok((key, write_shard(&shard, key, sink)?))
            })
            .collect::<anyhow::Result<Vec<(u128, String)>>>()?;
        for (key, name) in named {
            self.names.push(name.clone());
            self.keys.insert(key, name);
        }
        Ok(())
    }
}

/// A key of what a shard holds: the scores' key ([`scoring_key`]) and each term with its
/// sizes. A shard of terms whose postings did not change since a shard with the same key was
/// made is that shard again.
fn shard_key(scoring: u128, terms: &[Walked]) -> u128 {
    let mut hasher = Xxh3::new();
    hasher.update(&scoring.to_le_bytes());
    for term in terms {
        hasher.update(&(term.term.len() as u64).to_le_bytes());
        hasher.update(term.term.as_bytes());
        hasher.update(&term.sizes.record.to_le_bytes());
        hasher.update(&term.sizes.positions.to_le_bytes());
        hasher.update(&[u8::from(term.sizes.big)]);
    }
    hasher.digest128()
}

/// The two files of the shard named `name`.
fn shard_paths(name: &str) -> [String; 2] {
    [
        format!("{BUNDLE_DIR}/s/{name}-t.bin"),
        format!("{BUNDLE_DIR}/s/{name}-p.bin"),
    ]
}

/// Stream every term into shards of about [`SHARD_BYTES`] (a term of [`OWN_SHARD_DOCS`] alone),
/// each written under a name of its own content. The terms of [`WINDOW`] ranges are read in
/// parallel, then put into shards in order. With `since`, the changes of the index since the
/// last export, a term whose documents hold it as they did then is not read: its sizes are
/// those `memory` remembers.
fn write_shards(
    index: &IndexReader,
    sink: &Sink,
    memory: &Memory,
    scoring: u128,
    since: Option<&Changes>,
) -> anyhow::Result<Written> {
    let mut written = Written::default();
    let mut shard = Shard::default();
    let mut alone = false;
    for window in index.term_ranges(TERM_RANGES)?.chunks(WINDOW) {
        let walked = window
            .par_iter()
            .map(|range| walk(index, range, memory, since))
            .collect::<anyhow::Result<Vec<Vec<Walked>>>>()?;
        let mut full = Vec::new();
        for term in walked.into_iter().flatten() {
            if !shard.terms.is_empty() && (shard.records >= SHARD_BYTES || term.sizes.big || alone)
            {
                full.push(std::mem::take(&mut shard));
            }
            alone = term.sizes.big;
            shard.push(term);
        }
        written.add(full, index, sink, memory, scoring)?;
    }
    if !shard.terms.is_empty() || written.bounds.is_empty() {
        written.add(vec![shard], index, sink, memory, scoring)?;
    }
    Ok(written)
}

/// The terms of `range`, in order, each encoded unless `since` tells that its postings are as
/// `memory` found them.
fn walk(
    index: &IndexReader,
    range: &TermRange,
    memory: &Memory,
    since: Option<&Changes>,
) -> anyhow::Result<Vec<Walked>> {
    let remembered = |term: &str| {
        memory
            .terms
            .binary_search_by(|(t, _)| t.as_str().cmp(term))
            .ok()
            .map(|i| memory.terms[i].1)
    };
    let mut terms = Vec::new();
    index.for_each_term_since(range, since, |term, read| {
        let postings = match read {
            Read::Postings(postings) => Some(postings),
            Read::Unchanged => match remembered(term) {
                Some(sizes) => {
                    terms.push(Walked {
                        term: term.to_owned(),
                        sizes,
                        encoded: None,
                    });
                    return Ok(());
                }
                None => index.term(term)?,
            },
        };
        if let Some(postings) = postings {
            let encoded = encode_term(index, &postings);
            terms.push(Walked {
                term: term.to_owned(),
                sizes: encoded.sizes(),
                encoded: Some(encoded),
            });
        }
        Ok(())
    })?;
    Ok(terms)
}

/// Write `shard`, made from what `key` names, under a name of its own content; returns the
/// name.
fn write_shard(shard: &Shard, key: u128, sink: &Sink) -> anyhow::Result<String> {
    let (terms, positions) = shard.encode();
    let mut hash = ContentHash::default();
    hash.add(&terms);
    hash.add(&positions);
    let name = hash.finish();
    let [terms_path, positions_path] = shard_paths(&name);
    sink.write_keyed(&terms_path, key, &terms)?;
    sink.write_keyed(&positions_path, key, &positions)?;
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

fn encode_term(index: &IndexReader, postings: &TermPostings) -> Encoded {
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
    Encoded {
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
/// whose files the last build published from that key, is kept without reading its fragments.
/// The fragments are read as `index` stores them, the JSON its documents were made with.
fn write_fragments(
    council: &CouncilRange,
    index: &IndexReader,
    docs: &Documents<'_>,
    sink: &Sink,
    known: &BTreeMap<u128, String>,
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
            if let Some(name) = known.get(&key)
                && sink.unchanged_all(&paths(name), key)
            {
                return Ok((key, name.clone()));
            }
            let fragments = ids
                .clone()
                .map(|id| index.fragment_json(id as u32))
                .collect::<anyhow::Result<Vec<String>>>()?;
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

/// The bytes [`varint`] writes `value` in.
fn varint_len(value: u64) -> usize {
    (64 - value.max(1).leading_zeros() as usize).div_ceil(7)
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
    use super::{ContentHash, bitmap, bitmap_len, boundary, published_runtime, varint, varint_len};

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
        for v in [0, 1, 127, 128, 16_383, 16_384, u64::MAX] {
            let mut out = Vec::new();
            varint(&mut out, v);
            assert_eq!(varint_len(v), out.len(), "{v}");
        }
    }
}
