//! The tantivy index: its schema, writing it from the search documents, and reading it back as
//! plain postings (term → field → documents with term frequency, length code and positions) for
//! the bundle export and for `referat search`.
//!
//! One writer thread and no merging keep segments, and so everything read back, deterministic.
//! Document ids are tantivy's local ids mapped through the `id` fast field.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use tantivy::directory::MmapDirectory;
use tantivy::indexer::NoMergePolicy;
use tantivy::postings::{Postings, TermInfo};
use tantivy::schema::{
    FAST, Field, IndexRecordOption, STORED, Schema, TantivyDocument, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::termdict::TermStreamer;
use tantivy::tokenizer::{LowerCaser, RawTokenizer, TextAnalyzer};
use tantivy::{
    DocAddress, DocSet, Index, InvertedIndexReader, ReloadPolicy, SegmentReader, TERMINATED,
};

use super::analysis::{ANALYZER_NAME, danish_analyzer};
use super::documents::{CASE_FIELD, Document, FIELDS, Fragment};

/// The name the Sags ID analyzer (the whole value, lowercased) is registered under.
const CASE_ANALYZER: &str = "referat_case";

/// How much memory the one writer thread may fill before it writes a segment.
const WRITER_MEMORY: usize = 200_000_000;

/// Write the index of `docs` into the empty folder `dir`.
pub fn write(dir: &Path, docs: &[Document]) -> Result<()> {
    let (schema, fields, id, fragment) = schema();
    let index = Index::create_in_dir(dir, schema)
        .with_context(|| format!("cannot create the search index in {}", dir.display()))?;
    register(&index);
    let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, WRITER_MEMORY)?;
    writer.set_merge_policy(Box::new(NoMergePolicy));
    for (n, doc) in docs.iter().enumerate() {
        let mut tantivy_doc = TantivyDocument::default();
        tantivy_doc.add_u64(id, n as u64);
        for (field, text) in fields.iter().zip(&doc.fields) {
            if !text.is_empty() {
                tantivy_doc.add_text(*field, text);
            }
        }
        tantivy_doc.add_text(fragment, serde_json::to_string(&doc.fragment)?);
        writer.add_document(tantivy_doc)?;
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    Ok(())
}

fn schema() -> (Schema, [Field; 5], Field, Field) {
    let mut builder = Schema::builder();
    let fields = FIELDS.map(|f| {
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
        )
    });
    let id = builder.add_u64_field("id", FAST);
    let fragment = builder.add_text_field("fragment", STORED);
    (builder.build(), fields, id, fragment)
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posting {
    /// The document id.
    pub doc: u32,
    /// How often the term occurs in the field.
    pub tf: u32,
    /// tantivy's one-byte code of the field's length in this document.
    pub norm: u8,
    /// The term's token positions in the field (none for the case field).
    pub positions: Vec<u32>,
}

/// Where a term occurs: per field holding it (ascending), its postings by document id.
pub type TermPostings = Vec<(usize, Vec<Posting>)>;

/// A written index, read back.
pub struct IndexReader {
    segments: Vec<SegmentView>,
    searcher: tantivy::Searcher,
    fragment: Field,
    /// The number of documents.
    pub docs: u32,
    /// Per field, the number of tokens it holds in all documents.
    pub tokens: [u64; 5],
}

struct SegmentView {
    ord: u32,
    base: u32,
    inverted: Vec<Arc<InvertedIndexReader>>,
    norms: Vec<tantivy::fieldnorm::FieldNormReader>,
}

impl IndexReader {
    /// Open the index in `dir`.
    pub fn open(dir: &Path) -> Result<IndexReader> {
        let directory = MmapDirectory::open(dir)
            .with_context(|| format!("cannot open the search index in {}", dir.display()))?;
        let index = Index::open(directory)?;
        register(&index);
        let schema = index.schema();
        let fields = FIELDS.map(|f| schema.get_field(f.name));
        let fragment = schema.get_field("fragment")?;
        // Manual: the default reloading policy starts a thread that polls for commits.
        let searcher = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?
            .searcher();
        let mut segments = Vec::new();
        let mut tokens = [0u64; 5];
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let base = segment_base(segment)?;
            let mut inverted = Vec::new();
            let mut norms = Vec::new();
            for (i, field) in fields.iter().enumerate() {
                let field = *field.as_ref().map_err(|e| anyhow::anyhow!("{e}"))?;
                let reader = segment.inverted_index(field)?;
                tokens[i] += reader.total_num_tokens();
                inverted.push(reader);
                norms.push(
                    segment
                        .get_fieldnorms_reader(field)
                        .context("the search index has no field lengths")?,
                );
            }
            segments.push(SegmentView {
                ord: ord as u32,
                base,
                inverted,
                norms,
            });
        }
        segments.sort_by_key(|s| s.base);
        let docs = searcher.num_docs() as u32;
        Ok(IndexReader {
            segments,
            searcher,
            fragment,
            docs,
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
            if !postings.is_empty() {
                found.push((field, postings));
            }
        }
        Ok((!found.is_empty()).then_some(found))
    }

    /// Every term that starts with `prefix`, in byte order.
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

    /// Call `visit` with every term, in byte order, and its postings.
    pub fn for_each_term(
        &self,
        mut visit: impl FnMut(&str, TermPostings) -> Result<()>,
    ) -> Result<()> {
        self.for_each_term_info(|term, infos| {
            let mut found: TermPostings = Vec::new();
            for (field, segment, info) in infos {
                if found.last().is_none_or(|(f, _)| f != field) {
                    found.push((*field, Vec::new()));
                }
                let postings = &mut found.last_mut().expect("just pushed").1;
                segment.read(*field, info, postings)?;
            }
            visit(term, found)
        })
    }

    /// Call `visit` with every term, in byte order, and the number of its postings in all fields.
    pub fn for_each_term_count(&self, mut visit: impl FnMut(&str, u64)) -> Result<()> {
        self.for_each_term_info(|term, infos| {
            visit(
                term,
                infos.iter().map(|(_, _, i)| u64::from(i.doc_freq)).sum(),
            );
            Ok(())
        })
    }

    /// The merged term streams of every field and segment: each term once, in byte order, with
    /// where it is, by field then segment.
    fn for_each_term_info(
        &self,
        mut visit: impl FnMut(&str, &[(usize, &SegmentView, TermInfo)]) -> Result<()>,
    ) -> Result<()> {
        let mut streams: Vec<(usize, &SegmentView, TermStreamer<'_>)> = Vec::new();
        for field in 0..FIELDS.len() {
            for segment in &self.segments {
                let mut stream = segment.inverted[field].terms().stream()?;
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
        let segment = self
            .segments
            .iter()
            .rev()
            .find(|s| s.base <= doc)
            .context("no such document")?;
        let stored: TantivyDocument = self
            .searcher
            .doc(DocAddress::new(segment.ord, doc - segment.base))?;
        let json = stored
            .get_first(self.fragment)
            .and_then(|v| v.as_str())
            .context("a document of the search index has no fragment")?;
        Ok(serde_json::from_str(json)?)
    }
}

/// The id of a segment's first document, after checking that its ids run on from it.
fn segment_base(segment: &SegmentReader) -> Result<u32> {
    let ids = segment.fast_fields().u64("id")?;
    let base = ids.first(0).unwrap_or(0);
    for local in 0..segment.max_doc() {
        if ids.first(local) != Some(base + u64::from(local)) {
            bail!(
                "the search index's documents are out of order; delete .referat-cache/ and build again"
            );
        }
    }
    Ok(base as u32)
}

impl SegmentView {
    fn read(&self, field: usize, info: &TermInfo, out: &mut Vec<Posting>) -> Result<()> {
        let option = if field == CASE_FIELD {
            IndexRecordOption::WithFreqs
        } else {
            IndexRecordOption::WithFreqsAndPositions
        };
        let mut postings = self.inverted[field].read_postings_from_terminfo(info, option)?;
        while postings.doc() != TERMINATED {
            let local = postings.doc();
            let mut positions = Vec::new();
            if field != CASE_FIELD {
                postings.positions(&mut positions);
            }
            out.push(Posting {
                doc: self.base + local,
                tf: postings.term_freq(),
                norm: self.norms[field].fieldnorm_id(local),
                positions,
            });
            postings.advance();
        }
        Ok(())
    }
}
