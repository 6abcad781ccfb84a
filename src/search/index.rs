//! The tantivy index: its schema, keeping it up to date with the search documents, and reading
//! it back as plain postings (term → field → documents with term frequency, length code and
//! positions) for the bundle export and for `referat search`.
//!
//! The index is kept from build to build. Its commit records the key of each group of documents
//! (a meeting's items, a council page: a hash of what they are made from); a build replaces the
//! groups whose key changed and adds the new ones, and makes the index anew when a document has
//! left it (an item closed or removed, a meeting deleted), so that no deleted text stays behind
//! in the cache.
//!
//! Whatever segments the index is made of, what is read back is the same: every document has
//! a key (from its URL) that the reader maps to its id in the archive's order, deleted
//! documents are skipped, postings are sorted by id, and the token totals count live documents
//! only.
//!
//! A reader also tells which terms may have changed since a [`Snapshot`] of an earlier index
//! (its segments and deletions, and the postings of its small segments): the bundle reads only
//! those again.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use smallvec::SmallVec;
use tantivy::indexer::{LogMergePolicy, MergeCandidate, MergePolicy, NoMergePolicy};
use tantivy::postings::{Postings, SegmentPostings, TermInfo};
use tantivy::schema::{
    FAST, Field, IndexRecordOption, STORED, STRING, Schema, TantivyDocument, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::termdict::{TermDictionary, TermStreamer};
use tantivy::tokenizer::{LowerCaser, RawTokenizer, TextAnalyzer};
use tantivy::{
    DocAddress, DocSet, Index, IndexWriter, InvertedIndexReader, ReloadPolicy, SegmentMeta,
    SegmentReader, TERMINATED, Term,
};

use super::analysis::{ANALYZER_NAME, danish_analyzer};
use super::directory::StoreByRead;
use super::documents::{CASE_FIELD, Document, Documents, FIELDS, Fragment};

/// The name the Sags ID analyzer (the whole value, lowercased) is registered under.
const CASE_ANALYZER: &str = "referat_case";

/// How much memory the writer threads of a new index may fill, together, before they write
/// segments.
const WRITER_MEMORY: usize = 200_000_000;

/// How much memory the writer of a few changed groups may fill.
const UPDATE_MEMORY: usize = 30_000_000;

/// How many groups of documents a new index has made at once, on every core, before it adds
/// them: enough to keep the cores busy, few enough that the archive's text is never all in
/// memory.
const BATCH_GROUPS: usize = 256;

/// Changes whenever the schema or the analysis changes, so that an index kept by another
/// version of referat is made anew.
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "/1");

/// A document id no live document has: the reader's mark for a deleted one.
const DEAD: u32 = u32::MAX;

/// What an index was made from, kept as the payload of its commit.
#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
struct Manifest {
    /// The [`VERSION`] that wrote it.
    version: String,
    /// Per group of documents, a hash of their content.
    groups: BTreeMap<String, String>,
}

/// Bring the index in `dir` up to date with `docs`: replace the groups whose key changed when
/// the folder holds an index made by this version, make it anew when it does not, when `clean`
/// is set, or when a document has left the archive.
pub fn update(dir: &Path, docs: &Documents<'_>, clean: bool) -> Result<()> {
    let manifest = Manifest {
        version: VERSION.to_owned(),
        groups: docs
            .groups
            .iter()
            .map(|g| (g.name.clone(), format!("{:032x}", g.key)))
            .collect(),
    };
    if !clean
        && let Ok((index, old)) = open_kept(dir)
        && replace(&index, &old, &manifest, docs).with_context(|| {
            format!(
                "cannot update the search index in {}; `referat build --clean` makes it anew",
                dir.display()
            )
        })?
    {
        return Ok(());
    }
    make_anew(dir, docs, &manifest)
}

/// The index kept in `dir` and what it was made from, when this version made it.
fn open_kept(dir: &Path) -> Result<(Index, Manifest)> {
    let index = Index::open_in_dir(dir)?;
    let payload = index.load_metas()?.payload.context("no manifest")?;
    let manifest: Manifest = serde_json::from_str(&payload)?;
    if manifest.version != VERSION {
        bail!("made by another version");
    }
    register(&index);
    Ok((index, manifest))
}

/// Replace the groups of `index` whose key differs between `old` and `new`; false when a
/// document of the index is not among `docs`, so the index must be made anew, or when more
/// than a quarter of the groups changed (a new site.toml, another program), which a new index,
/// written on every core, makes faster.
fn replace(index: &Index, old: &Manifest, new: &Manifest, docs: &Documents<'_>) -> Result<bool> {
    if old == new {
        return Ok(true);
    }
    let changed = |name: &String| old.groups.get(name) != new.groups.get(name);
    if new.groups.keys().filter(|name| changed(name)).count() * 4 > new.groups.len() {
        return Ok(false);
    }
    let keys: std::collections::HashSet<u64> = docs.keys.iter().copied().collect();
    let searcher = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()?
        .searcher();
    for segment in searcher.segment_readers() {
        let column = segment.fast_fields().u64("key")?;
        for local in segment.doc_ids_alive() {
            if !column.first(local).is_some_and(|key| keys.contains(&key)) {
                return Ok(false);
            }
        }
    }
    let fields = Fields::of(&index.schema())?;
    let writer: IndexWriter<TantivyDocument> = index.writer_with_num_threads(1, UPDATE_MEMORY)?;
    writer.set_merge_policy(Box::new(WholeSegmentsMergePolicy::default()));
    for name in old.groups.keys().filter(|name| changed(name)) {
        writer.delete_term(Term::from_field_text(fields.group, name));
    }
    for (number, group) in docs.groups.iter().enumerate() {
        if changed(&group.name) {
            for doc in docs.of(number)? {
                writer.add_document(fields.document(&doc)?)?;
            }
        }
    }
    commit(writer, new)?;
    Ok(true)
}

/// tantivy's merge policy for the kept index, left to merge only segments without deleted
/// documents: tantivy counts the tokens of a segment merged from one with deletes from the
/// rounded field lengths of its documents, and the scores need the exact count
/// ([`SegmentView::tokens`] counts it for a segment with deletes).
#[derive(Debug, Default)]
struct WholeSegmentsMergePolicy(LogMergePolicy);

impl MergePolicy for WholeSegmentsMergePolicy {
    fn compute_merge_candidates(&self, segments: &[SegmentMeta]) -> Vec<MergeCandidate> {
        let whole: Vec<SegmentMeta> = segments
            .iter()
            .filter(|segment| !segment.has_deletes())
            .cloned()
            .collect();
        self.0.compute_merge_candidates(&whole)
    }
}

/// Write the index of `docs` into `dir`, emptied first.
fn make_anew(dir: &Path, docs: &Documents<'_>, manifest: &Manifest) -> Result<()> {
    if dir.exists() {
        fs::remove_dir_all(dir)
            .with_context(|| format!("cannot remove the old search index in {}", dir.display()))?;
    }
    fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the search index in {}", dir.display()))?;
    let index = Index::create_in_dir(dir, schema())
        .with_context(|| format!("cannot create the search index in {}", dir.display()))?;
    register(&index);
    let fields = Fields::of(&index.schema())?;
    // One writer thread per core: which thread indexes which document changes from run to run,
    // but what is read back does not depend on the segments. The documents are made on every
    // core a batch at a time, then added in id order, so that each writer thread takes them in
    // that order and each segment holds them by ascending id: the bundle then finds a term's
    // postings in a few sorted runs, one per segment, and sorting them is a merge.
    let threads = rayon::current_num_threads().clamp(1, 8);
    let writer = index.writer_with_num_threads::<TantivyDocument>(threads, WRITER_MEMORY)?;
    writer.set_merge_policy(Box::new(NoMergePolicy));
    let groups: Vec<usize> = (0..docs.groups.len()).collect();
    for batch in groups.chunks(BATCH_GROUPS) {
        let made = batch
            .par_iter()
            .map(|&group| docs.of(group))
            .collect::<Result<Vec<_>>>()?;
        for doc in made.iter().flatten() {
            writer.add_document(fields.document(doc)?)?;
        }
    }
    commit(writer, manifest)
}

fn commit(mut writer: IndexWriter<TantivyDocument>, manifest: &Manifest) -> Result<()> {
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&serde_json::to_string(manifest)?);
    prepared.commit()?;
    writer.wait_merging_threads()?;
    Ok(())
}

/// The fields of the schema.
struct Fields {
    text: [Field; 5],
    key: Field,
    group: Field,
    fragment: Field,
}

impl Fields {
    fn of(schema: &Schema) -> Result<Fields> {
        let mut text = Vec::new();
        for f in FIELDS {
            text.push(schema.get_field(f.name)?);
        }
        Ok(Fields {
            text: text.try_into().expect("one field each"),
            key: schema.get_field("key")?,
            group: schema.get_field("group")?,
            fragment: schema.get_field("fragment")?,
        })
    }

    fn document(&self, doc: &Document) -> Result<TantivyDocument> {
        let mut tantivy_doc = TantivyDocument::default();
        tantivy_doc.add_u64(self.key, doc.key);
        tantivy_doc.add_text(self.group, doc.group());
        for (field, text) in self.text.iter().zip(&doc.fields) {
            if !text.is_empty() {
                tantivy_doc.add_text(*field, text);
            }
        }
        tantivy_doc.add_text(self.fragment, &doc.fragment);
        Ok(tantivy_doc)
    }
}

fn schema() -> Schema {
    let mut builder = Schema::builder();
    for f in FIELDS {
        let indexing = if f.name == FIELDS[CASE_FIELD].name {
            TextFieldIndexing::default()
                .set_tokenizer(CASE_ANALYZER)
                .set_index_option(IndexRecordOption::WithFreqs)
        } else {
            TextFieldIndexing::default()
                .set_tokenizer(ANALYZER_NAME)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions)
        };
        builder.add_text_field(
            f.name,
            TextOptions::default().set_indexing_options(indexing),
        );
    }
    builder.add_u64_field("key", FAST);
    builder.add_text_field("group", STRING);
    builder.add_text_field("fragment", STORED);
    builder.build()
}

fn register(index: &Index) {
    index
        .tokenizers()
        .register(ANALYZER_NAME, danish_analyzer());
    index.tokenizers().register(
        CASE_ANALYZER,
        TextAnalyzer::builder(RawTokenizer::default())
            .filter(LowerCaser)
            .build(),
    );
}

/// One document holding a term in one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Posting {
    /// The document id.
    pub doc: u32,
    /// How often the term occurs in the field.
    pub tf: u32,
    /// tantivy's one-byte code of the field's length in this document.
    pub norm: u8,
    /// The term's token positions in the field (none for the case field). Most terms occur
    /// once or twice in a field, so their positions are kept inline, not allocated.
    pub positions: SmallVec<[u32; 2]>,
}

/// Where a term occurs: per field holding it (ascending), its postings by document id.
pub type TermPostings = Vec<(usize, Vec<Posting>)>;

/// Where the term at `ord` of `terms` is.
fn term_info(terms: &TermDictionary, ord: u64) -> Result<TermInfo> {
    let mut term = Vec::new();
    terms.ord_to_term(ord, &mut term)?;
    terms
        .get(&term)?
        .context("the search index lost a term of its dictionary")
}

/// Where the postings and the positions of a term start, added up: the terms of one dictionary
/// follow each other in both files, so it grows with every term by the bytes of the term before.
fn offset(info: &TermInfo) -> usize {
    info.postings_range.start + info.positions_range.start
}

/// What [`IndexReader::for_each_term_since`] gives for a term.
pub enum Read {
    /// Its postings: at least one document holds it.
    Postings(TermPostings),
    /// Its live documents hold it as they did before the changes asked about.
    Unchanged,
}

/// Which segments an index had and which of their documents were deleted: what
/// [`IndexReader::changes_since`] compares a later index with.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot(Vec<SegmentState>);

/// One segment of a [`Snapshot`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct SegmentState {
    /// tantivy's id of the segment.
    id: String,
    /// Its deleted documents, by their numbers in the segment, ascending.
    deleted: Vec<u32>,
    /// For a segment of at most [`SMALL_SEGMENT`] documents, the postings of its live documents.
    /// tantivy drops a segment once all its documents are deleted, which happens to the segment
    /// of an edited meeting when it is edited again, and merges small segments: what they held
    /// is then known from here.
    postings: Option<Vec<KeptTerm>>,
}

/// A term and its postings, by field, as a [`Snapshot`] keeps them for a small segment.
type KeptTerm = (String, Vec<(usize, Posting)>);

/// The most documents a segment may have for a [`Snapshot`] to keep its postings: the segments
/// an update adds hold one or a few meetings.
const SMALL_SEGMENT: usize = 1024;

/// What changed in an index since a [`Snapshot`].
pub struct Changes {
    /// Per segment, none when it is new, else the documents deleted since, by their numbers in
    /// the segment (ascending), each with the id of the document that has its key now.
    deleted: Vec<Option<Vec<(u32, u32)>>>,
    /// The postings the segments that are gone held, by term in byte order.
    gone: Vec<KeptTerm>,
}

/// The terms from `start` (included) up to `end` (excluded; with none, to the last term), by
/// their bytes.
#[derive(Debug, Default)]
pub struct TermRange {
    start: Vec<u8>,
    end: Option<Vec<u8>>,
}

/// A written index, read back.
pub struct IndexReader {
    segments: Vec<SegmentView>,
    searcher: tantivy::Searcher,
    fragment: Field,
    /// Per document key, its id.
    ids: HashMap<u64, u32>,
    /// Per document id, its segment and its number there.
    places: Vec<(u32, u32)>,
    /// Whether a segment holds deleted documents.
    deletes: bool,
    /// The number of documents.
    pub docs: u32,
    /// Per field, the number of tokens it holds in all documents.
    pub tokens: [u64; 5],
}

struct SegmentView {
    /// Its place among the index's segments.
    ord: usize,
    /// tantivy's id of the segment, the same from commit to commit.
    id: String,
    inverted: Vec<Arc<InvertedIndexReader>>,
    norms: Vec<tantivy::fieldnorm::FieldNormReader>,
    /// Per document of the segment, its id, or [`DEAD`].
    ids: Vec<u32>,
    deletes: bool,
}

impl IndexReader {
    /// Open the index in `dir`, whose documents are those with `keys`, in id order.
    pub fn open(dir: &Path, keys: &[u64]) -> Result<IndexReader> {
        let directory = StoreByRead::open(dir)
            .with_context(|| format!("cannot open the search index in {}", dir.display()))?;
        let index = Index::open(directory)?;
        register(&index);
        let fields = Fields::of(&index.schema())?;
        // Manual: the default reloading policy starts a thread that polls for commits.
        let searcher = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?
            .searcher();
        let ids: HashMap<u64, u32> = keys.iter().zip(0..).map(|(&k, id)| (k, id)).collect();
        let stale = || {
            anyhow::anyhow!(
                "the search index in {} does not match the archive; delete .referat-cache/ and \
                 build again",
                dir.display()
            )
        };
        let mut places = vec![(DEAD, DEAD); keys.len()];
        let mut segments = Vec::new();
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let view = SegmentView::open(ord, segment, &fields, &ids)?.ok_or_else(stale)?;
            for (local, &id) in view.ids.iter().enumerate() {
                if id != DEAD {
                    let place = &mut places[id as usize];
                    if place.0 != DEAD {
                        return Err(stale());
                    }
                    *place = (ord as u32, local as u32);
                }
            }
            segments.push(view);
        }
        if ids.len() != keys.len() || places.iter().any(|p| p.0 == DEAD) {
            return Err(stale());
        }
        let deletes = segments.iter().any(|s| s.deletes);
        let mut tokens = [0u64; 5];
        for segment in &segments {
            for (field, total) in tokens.iter_mut().enumerate() {
                *total += segment.tokens(field)?;
            }
        }
        Ok(IndexReader {
            segments,
            searcher,
            fragment: fields.fragment,
            ids,
            places,
            deletes,
            docs: keys.len() as u32,
            tokens,
        })
    }

    /// The postings of `term` in every field, or none when no field holds it.
    pub fn term(&self, term: &str) -> Result<Option<TermPostings>> {
        let mut found = Vec::new();
        for field in 0..FIELDS.len() {
            let mut postings = Vec::new();
            for segment in &self.segments {
                if let Some(info) = segment.inverted[field].terms().get(term.as_bytes())? {
                    segment.read(field, &info, &mut postings)?;
                }
            }
            postings.sort_by_key(|p| p.doc);
            if !postings.is_empty() {
                found.push((field, postings));
            }
        }
        Ok((!found.is_empty()).then_some(found))
    }

    /// Every term that starts with `prefix`, in byte order (with deleted documents, possibly
    /// a term no live document holds: [`IndexReader::term`] gives it no postings).
    pub fn terms_with_prefix(&self, prefix: &str) -> Result<Vec<String>> {
        let mut terms = std::collections::BTreeSet::new();
        for segment in &self.segments {
            for inverted in &segment.inverted {
                let mut stream = inverted
                    .terms()
                    .range()
                    .ge(prefix.as_bytes())
                    .into_stream()?;
                while stream.advance() {
                    if !stream.key().starts_with(prefix.as_bytes()) {
                        break;
                    }
                    terms.insert(String::from_utf8_lossy(stream.key()).into_owned());
                }
            }
        }
        Ok(terms.into_iter().collect())
    }

    /// Call `visit` with every term that a document holds, in byte order, and its postings.
    pub fn for_each_term(&self, visit: impl FnMut(&str, TermPostings) -> Result<()>) -> Result<()> {
        self.for_each_term_in(&TermRange::default(), visit)
    }

    /// At most `parts` ranges that hold every term between them, in byte order, each with about
    /// as many bytes of postings and positions in the term dictionary (of any field and segment)
    /// that has the most, so that reading the postings of each takes about as long.
    pub fn term_ranges(&self, parts: usize) -> Result<Vec<TermRange>> {
        let mut largest = None;
        for terms in self
            .segments
            .iter()
            .flat_map(|s| &s.inverted)
            .map(|i| i.terms())
        {
            let Some(last) = terms.num_terms().checked_sub(1) else {
                continue;
            };
            let (first, last) = (term_info(terms, 0)?, term_info(terms, last as u64)?);
            let bytes = last.postings_range.end + last.positions_range.end - offset(&first);
            if largest.as_ref().is_none_or(|(most, _, _)| bytes > *most) {
                largest = Some((bytes, offset(&first), terms));
            }
        }
        let mut starts = vec![Vec::new()];
        if let Some((total, first, terms)) = largest {
            let mut stream = terms.stream()?;
            while starts.len() < parts && stream.advance() {
                if (offset(stream.value()) - first) * parts >= starts.len() * total {
                    starts.push(stream.key().to_vec());
                }
            }
        }
        let ends = starts[1..].iter().cloned().map(Some).chain([None]);
        Ok(starts
            .iter()
            .cloned()
            .zip(ends)
            .map(|(start, end)| TermRange { start, end })
            .collect())
    }

    /// Call `visit` with every term of `range` that a document holds, in byte order, and its
    /// postings.
    pub fn for_each_term_in(
        &self,
        range: &TermRange,
        mut visit: impl FnMut(&str, TermPostings) -> Result<()>,
    ) -> Result<()> {
        self.for_each_term_info(range, |term, infos| {
            let found = read_all(infos)?;
            if found.is_empty() {
                return Ok(());
            }
            visit(term, found)
        })
    }

    /// As [`IndexReader::for_each_term_in`], but a term whose live documents hold it as they did
    /// when the index had the segments and deletions `since` describes is given as
    /// [`Read::Unchanged`], its postings not read; with no changes, every term is read.
    pub fn for_each_term_since(
        &self,
        range: &TermRange,
        since: Option<&Changes>,
        mut visit: impl FnMut(&str, Read) -> Result<()>,
    ) -> Result<()> {
        self.for_each_term_info(range, |term, infos| {
            if let Some(changes) = since
                && unchanged(term, infos, changes)?
            {
                return visit(term, Read::Unchanged);
            }
            let found = read_all(infos)?;
            if found.is_empty() {
                return Ok(());
            }
            visit(term, Read::Postings(found))
        })
    }

    /// Which segments the index has and which of their documents are deleted: what
    /// [`IndexReader::changes_since`] compares a later index with.
    pub fn snapshot(&self) -> Result<Snapshot> {
        let mut states = Vec::new();
        for segment in &self.segments {
            let deleted = (0..)
                .zip(&segment.ids)
                .filter(|&(_, &id)| id == DEAD)
                .map(|(local, _)| local)
                .collect();
            let postings = if segment.ids.len() <= SMALL_SEGMENT {
                Some(segment.postings_by_term()?)
            } else {
                None
            };
            states.push(SegmentState {
                id: segment.id.clone(),
                deleted,
                postings,
            });
        }
        Ok(Snapshot(states))
    }

    /// What changed in the index since it was as `before` describes: which segments are new,
    /// which documents of the others were deleted since, with the ids of the documents that
    /// have their keys now, and the postings of the small segments that are gone. None when a large
    /// segment of then is gone, a document deleted then is not, or a document deleted since has
    /// no id now.
    pub fn changes_since(&self, before: &Snapshot) -> Result<Option<Changes>> {
        let then: HashMap<&str, &[u32]> = before
            .0
            .iter()
            .map(|state| (state.id.as_str(), state.deleted.as_slice()))
            .collect();
        let mut gone: BTreeMap<&str, Vec<(usize, Posting)>> = BTreeMap::new();
        for state in &before.0 {
            if !self.segments.iter().any(|s| s.id == state.id) {
                let Some(postings) = &state.postings else {
                    return Ok(None);
                };
                for (term, postings) in postings {
                    gone.entry(term)
                        .or_default()
                        .extend(postings.iter().cloned());
                }
            }
        }
        let gone = gone
            .into_iter()
            .map(|(term, postings)| (term.to_owned(), postings))
            .collect();
        let readers = self.searcher.segment_readers();
        let mut deleted = Vec::new();
        for segment in &self.segments {
            let Some(before) = then.get(segment.id.as_str()) else {
                deleted.push(None);
                continue;
            };
            let keys = readers[segment.ord].fast_fields().u64("key")?;
            let mut earlier = before.iter().copied().peekable();
            let mut since = Vec::new();
            for (local, &id) in (0..).zip(&segment.ids) {
                let was = earlier.next_if_eq(&local).is_some();
                match (id == DEAD, was) {
                    (true, false) => {
                        let Some(&id) = keys.first(local).and_then(|key| self.ids.get(&key)) else {
                            return Ok(None);
                        };
                        since.push((local, id));
                    }
                    (false, true) => return Ok(None),
                    _ => {}
                }
            }
            if earlier.next().is_some() {
                return Ok(None);
            }
            deleted.push(Some(since));
        }
        Ok(Some(Changes { deleted, gone }))
    }

    /// Call `visit` with every term that a document holds, in byte order, and the number of
    /// its postings in all fields.
    pub fn for_each_term_count(&self, mut visit: impl FnMut(&str, u64)) -> Result<()> {
        if self.deletes {
            return self.for_each_term(|term, postings| {
                visit(term, postings.iter().map(|(_, p)| p.len() as u64).sum());
                Ok(())
            });
        }
        self.for_each_term_info(&TermRange::default(), |term, infos| {
            visit(
                term,
                infos.iter().map(|(_, _, i)| u64::from(i.doc_freq)).sum(),
            );
            Ok(())
        })
    }

    /// The merged term streams of every field and segment within `range`: each term once, in
    /// byte order, with where it is, by field then segment.
    fn for_each_term_info(
        &self,
        range: &TermRange,
        mut visit: impl FnMut(&str, &[(usize, &SegmentView, TermInfo)]) -> Result<()>,
    ) -> Result<()> {
        let mut streams: Vec<(usize, &SegmentView, TermStreamer<'_>)> = Vec::new();
        for field in 0..FIELDS.len() {
            for segment in &self.segments {
                let mut builder = segment.inverted[field].terms().range().ge(&range.start);
                if let Some(end) = &range.end {
                    builder = builder.lt(end);
                }
                let mut stream = builder.into_stream()?;
                if stream.advance() {
                    streams.push((field, segment, stream));
                }
            }
        }
        let mut infos = Vec::new();
        while let Some(key) = streams.iter().map(|(_, _, s)| s.key()).min() {
            let key = key.to_vec();
            infos.clear();
            let mut i = 0;
            while i < streams.len() {
                let (field, segment, stream) = &mut streams[i];
                if stream.key() != key.as_slice() {
                    i += 1;
                    continue;
                }
                infos.push((*field, *segment, stream.value().clone()));
                if stream.advance() {
                    i += 1;
                } else {
                    streams.remove(i);
                }
            }
            let term = std::str::from_utf8(&key)
                .context("the search index holds a term that is not UTF-8")?;
            visit(term, &infos)?;
        }
        Ok(())
    }

    /// The fragment of document `doc`.
    pub fn fragment(&self, doc: u32) -> Result<Fragment> {
        Ok(serde_json::from_str(&self.fragment_json(doc)?)?)
    }

    /// The fragment of document `doc` as stored: [`super::documents::Document::fragment`].
    pub fn fragment_json(&self, doc: u32) -> Result<String> {
        let &(ord, local) = self.places.get(doc as usize).context("no such document")?;
        let stored: TantivyDocument = self.searcher.doc(DocAddress::new(ord, local))?;
        stored
            .get_first(self.fragment)
            .and_then(|v| v.as_str())
            .map(str::to_owned)
            .context("a document of the search index has no fragment")
    }
}

/// The postings of the term at `infos` in the live documents, by field, sorted by id; no field
/// without any.
fn read_all(infos: &[(usize, &SegmentView, TermInfo)]) -> Result<TermPostings> {
    let mut found: TermPostings = Vec::new();
    for (field, segment, info) in infos {
        if found.last().is_none_or(|(f, _)| f != field) {
            found.push((*field, Vec::new()));
        }
        let postings = &mut found.last_mut().expect("just pushed").1;
        segment.read(*field, info, postings)?;
    }
    found.retain_mut(|(_, postings)| {
        postings.sort_by_key(|p| p.doc);
        !postings.is_empty()
    });
    Ok(found)
}

/// Whether the live documents hold `term`, at `infos`, as they did before `changes`: the segments
/// that are gone and the documents deleted since held it exactly as the new segments hold it
/// now (so none of either, or the same postings in both).
fn unchanged(
    term: &str,
    infos: &[(usize, &SegmentView, TermInfo)],
    changes: &Changes,
) -> Result<bool> {
    let (mut before, mut after) = (Vec::new(), Vec::new());
    if let Ok(i) = changes
        .gone
        .binary_search_by(|(gone, _)| gone.as_str().cmp(term))
    {
        before.extend(changes.gone[i].1.iter().cloned());
    }
    let mut postings = Vec::new();
    for (field, segment, info) in infos {
        postings.clear();
        let side = match &changes.deleted[segment.ord] {
            None => {
                segment.read(*field, info, &mut postings)?;
                &mut after
            }
            Some(deleted) if !deleted.is_empty() => {
                segment.read_deleted(*field, info, deleted, &mut postings)?;
                &mut before
            }
            Some(_) => continue,
        };
        side.extend(postings.drain(..).map(|posting| (*field, posting)));
    }
    let order = |(field, posting): &(usize, Posting)| (*field, posting.doc);
    before.sort_by_key(order);
    after.sort_by_key(order);
    Ok(before == after)
}

impl SegmentView {
    /// The view of `segment`, its live documents numbered through `ids` (key → id); `None`
    /// when a live document's key is not among them.
    fn open(
        ord: usize,
        segment: &SegmentReader,
        fields: &Fields,
        ids: &HashMap<u64, u32>,
    ) -> Result<Option<SegmentView>> {
        let keys = segment.fast_fields().u64("key")?;
        let mut local_ids = vec![DEAD; segment.max_doc() as usize];
        for local in segment.doc_ids_alive() {
            match keys.first(local).and_then(|key| ids.get(&key)) {
                Some(&id) => local_ids[local as usize] = id,
                None => return Ok(None),
            }
        }
        let mut inverted = Vec::new();
        let mut norms = Vec::new();
        for field in fields.text {
            inverted.push(segment.inverted_index(field)?);
            norms.push(
                segment
                    .get_fieldnorms_reader(field)
                    .context("the search index has no field lengths")?,
            );
        }
        Ok(Some(SegmentView {
            ord,
            id: segment.segment_id().uuid_string(),
            inverted,
            norms,
            ids: local_ids,
            deletes: segment.has_deletes(),
        }))
    }

    /// The tokens `field` holds in the segment's live documents: tantivy's count for a segment
    /// without deletes (written whole, or merged from such segments only, so exact), else
    /// counted from the postings.
    fn tokens(&self, field: usize) -> Result<u64> {
        let inverted = &self.inverted[field];
        if !self.deletes {
            return Ok(inverted.total_num_tokens());
        }
        let mut total = 0;
        let mut stream = inverted.terms().stream()?;
        while stream.advance() {
            let mut postings = inverted
                .read_postings_from_terminfo(stream.value(), IndexRecordOption::WithFreqs)?;
            while postings.doc() != TERMINATED {
                if self.ids[postings.doc() as usize] != DEAD {
                    total += u64::from(postings.term_freq());
                }
                postings.advance();
            }
        }
        Ok(total)
    }

    /// The postings of the segment's live documents, by term in byte order, by field.
    fn postings_by_term(&self) -> Result<Vec<KeptTerm>> {
        let mut terms: BTreeMap<String, Vec<(usize, Posting)>> = BTreeMap::new();
        let mut postings = Vec::new();
        for (field, inverted) in self.inverted.iter().enumerate() {
            let mut stream = inverted.terms().stream()?;
            while stream.advance() {
                postings.clear();
                self.read(field, stream.value(), &mut postings)?;
                if !postings.is_empty() {
                    let term = std::str::from_utf8(stream.key())
                        .context("the search index holds a term that is not UTF-8")?;
                    terms
                        .entry(term.to_owned())
                        .or_default()
                        .extend(postings.drain(..).map(|posting| (field, posting)));
                }
            }
        }
        Ok(terms.into_iter().collect())
    }

    /// Append the postings of the term at `info` in `field` of the segment's live documents to
    /// `out`, by their segment's order (not sorted by id).
    fn read(&self, field: usize, info: &TermInfo, out: &mut Vec<Posting>) -> Result<()> {
        let mut postings = self.postings(field, info)?;
        let mut positions = Vec::new();
        while postings.doc() != TERMINATED {
            let local = postings.doc();
            let doc = self.ids[local as usize];
            if doc != DEAD {
                out.push(self.posting(field, &mut postings, doc, &mut positions));
            }
            postings.advance();
        }
        Ok(())
    }

    /// Append the postings of the term at `info` in `field` of the deleted documents `docs`
    /// (their numbers in the segment, ascending, with the ids given them) to `out`.
    fn read_deleted(
        &self,
        field: usize,
        info: &TermInfo,
        docs: &[(u32, u32)],
        out: &mut Vec<Posting>,
    ) -> Result<()> {
        let mut postings = self.postings(field, info)?;
        let mut positions = Vec::new();
        for &(local, doc) in docs {
            if postings.doc() < local && postings.seek(local) == TERMINATED {
                break;
            }
            if postings.doc() == local {
                out.push(self.posting(field, &mut postings, doc, &mut positions));
            }
        }
        Ok(())
    }

    fn postings(&self, field: usize, info: &TermInfo) -> Result<SegmentPostings> {
        let option = if field == CASE_FIELD {
            IndexRecordOption::WithFreqs
        } else {
            IndexRecordOption::WithFreqsAndPositions
        };
        Ok(self.inverted[field].read_postings_from_terminfo(info, option)?)
    }

    /// The posting where `postings` is, given the id `doc`; `positions` is room to read its
    /// positions into.
    fn posting(
        &self,
        field: usize,
        postings: &mut SegmentPostings,
        doc: u32,
        positions: &mut Vec<u32>,
    ) -> Posting {
        positions.clear();
        if field != CASE_FIELD {
            postings.positions(positions);
        }
        Posting {
            doc,
            tf: postings.term_freq(),
            norm: self.norms[field].fieldnorm_id(postings.doc()),
            positions: SmallVec::from_slice(positions),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use tantivy::{Index, IndexWriter, TantivyDocument, Term};

    use std::collections::{BTreeMap, BTreeSet};

    use super::{
        Changes, Fields, IndexReader, NoMergePolicy, Read, TermPostings, TermRange, UPDATE_MEMORY,
        register, schema,
    };
    use crate::search::documents::Document;

    /// Add `docs` to the index in `dir` (made when there is none) as one new segment, after
    /// deleting the documents of the groups `deleted`.
    fn write(dir: &Path, docs: &[Document], deleted: &[&str]) {
        let index = Index::open_in_dir(dir)
            .unwrap_or_else(|_| Index::create_in_dir(dir, schema()).unwrap());
        register(&index);
        let fields = Fields::of(&index.schema()).unwrap();
        let mut writer: IndexWriter<TantivyDocument> =
            index.writer_with_num_threads(1, UPDATE_MEMORY).unwrap();
        writer.set_merge_policy(Box::new(NoMergePolicy));
        for group in deleted {
            writer.delete_term(Term::from_field_text(fields.group, group));
        }
        for doc in docs {
            writer.add_document(fields.document(doc).unwrap()).unwrap();
        }
        writer.commit().unwrap();
    }

    /// A meeting's one item, the words of its text picked by `n`.
    fn item(n: usize, word: &str) -> Document {
        let words = [
            "byrådet",
            "vedtog",
            "lokalplan",
            "skole",
            "æblehave",
            "økonomi",
            "år",
        ];
        let text: Vec<&str> = (0..12)
            .map(|i| words[(n * 7 + i * i) % words.len()])
            .collect();
        Document {
            fields: [
                format!("punkt {n} {word}"),
                text[..4].join(" "),
                String::new(),
                text.join(" "),
                format!("sag-{}", n % 5),
            ],
            url: format!("m{n}/#punkt-1"),
            fragment: String::new(),
            key: n as u64,
        }
    }

    fn terms_in_ranges(index: &IndexReader, parts: usize) -> Vec<(String, TermPostings)> {
        let mut found = Vec::new();
        for range in index.term_ranges(parts).unwrap() {
            index
                .for_each_term_in(&range, |term, postings| {
                    found.push((term.to_owned(), postings));
                    Ok(())
                })
                .unwrap();
        }
        found
    }

    #[test]
    fn the_term_ranges_hold_every_term_once_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut docs: Vec<Document> = (0..40).map(|n| item(n, &format!("ord{n}"))).collect();
        write(dir.path(), &docs, &[]);
        // A second segment, and deleted documents in the first.
        docs[3] = item(3, "ændret");
        docs[17] = item(17, "ord3");
        write(
            dir.path(),
            &[docs[3].clone(), docs[17].clone()],
            &["m3/", "m17/"],
        );
        let keys: Vec<u64> = docs.iter().map(|d| d.key).collect();
        let index = IndexReader::open(dir.path(), &keys).unwrap();
        assert!(index.segments.len() > 1 && index.deletes);
        let mut all = Vec::new();
        index
            .for_each_term(|term, postings| {
                all.push((term.to_owned(), postings));
                Ok(())
            })
            .unwrap();
        assert!(all.len() > 50);
        for parts in [1, 2, 7, all.len(), 1000] {
            let ranges = index.term_ranges(parts).unwrap();
            assert!(ranges.len() <= parts);
            assert_eq!(terms_in_ranges(&index, parts), all, "{parts} ranges");
        }
        assert!(index.term_ranges(7).unwrap().len() > 1);
    }

    fn all_terms(index: &IndexReader) -> BTreeMap<String, TermPostings> {
        let mut all = BTreeMap::new();
        index
            .for_each_term(|term, postings| {
                all.insert(term.to_owned(), postings);
                Ok(())
            })
            .unwrap();
        all
    }

    /// The terms [`IndexReader::for_each_term_since`] reads, and those it gives as unchanged.
    fn read_since(index: &IndexReader, changes: &Changes) -> (BTreeSet<String>, BTreeSet<String>) {
        let (mut read, mut kept) = (BTreeSet::new(), BTreeSet::new());
        index
            .for_each_term_since(&TermRange::default(), Some(changes), |term, found| {
                match found {
                    Read::Postings(_) => read.insert(term.to_owned()),
                    Read::Unchanged => kept.insert(term.to_owned()),
                };
                Ok(())
            })
            .unwrap();
        (read, kept)
    }

    #[test]
    fn a_term_is_read_again_only_when_its_postings_changed() {
        let dir = tempfile::tempdir().unwrap();
        let mut docs: Vec<Document> = (0..40).map(|n| item(n, &format!("ord{n}"))).collect();
        write(dir.path(), &docs, &[]);
        let keys: Vec<u64> = docs.iter().map(|d| d.key).collect();
        let open = || IndexReader::open(dir.path(), &keys).unwrap();
        let mut index = open();
        // Item 3 gets another word, then a longer title (so its title's length, and every term
        // of its title, changes); item 5 is replaced by itself each time. The second update
        // deletes every document of the first one's segment, which tantivy then drops.
        for word in ["ændret", "ændret igen"] {
            let (snapshot, before) = (index.snapshot().unwrap(), all_terms(&index));
            docs[3] = item(3, word);
            write(
                dir.path(),
                &[docs[3].clone(), docs[5].clone()],
                &["m3/", "m5/"],
            );
            index = open();
            assert_eq!(index.segments.len(), 2, "{word}: the segments");
            let after = all_terms(&index);
            let changes = index
                .changes_since(&snapshot)
                .unwrap()
                .expect("the changes since the snapshot");
            let (read, kept) = read_since(&index, &changes);
            let changed: BTreeSet<String> = after
                .iter()
                .filter(|(term, postings)| before.get(*term) != Some(*postings))
                .map(|(term, _)| term.clone())
                .collect();
            assert!(
                !changed.is_empty() && changed.len() * 4 < after.len(),
                "{word}: {changed:?}"
            );
            assert_eq!(read, changed, "{word}: the terms read");
            for term in &kept {
                assert_eq!(after.get(term), before.get(term), "{word}: `{term}` kept");
            }
            assert!(after.keys().all(|t| read.contains(t) || kept.contains(t)));
        }
    }
}
