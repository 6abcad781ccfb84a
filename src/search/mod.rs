//! Search: the Danish analysis, the tantivy index of the archive, the static bundle the browser
//! searches, and the engine `referat search` answers with.
//!
//! The browser runs the same analysis and the same engine in `themes/standard/search/search.js`;
//! the tests hold the two to identical terms and identical results. docs/search-bundle.md is
//! the format and the rules both follow.
//!
//! The index lives in `.referat-cache/search/` at the site root with a stamp of the input it
//! was built from, so `referat search` finds it wherever the site was last built to, and
//! rebuilds it when the content has changed since.

mod analysis;
mod bundle;
mod directory;
mod documents;
mod engine;
mod index;
mod score;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use anyhow::{Context, Result};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

pub use analysis::{ANALYZER_NAME, analyze, danish_analyzer};
pub use bundle::{BUNDLE_DIR, BundleSummary};
pub use engine::{Answer, FacetValue, Facets, Filters, Hit, Query, Sort};

use crate::cachefile;
use crate::content::{Archive, CONTENT_DIR};
use crate::output::Sink;
use crate::progress::Progress;
use documents::{Documents, Layout};
use index::IndexReader;

/// The folder at the site root where referat keeps what it can rebuild.
pub const CACHE_DIR: &str = ".referat-cache";

/// The browser runtime, published as `_search/search.js`.
const RUNTIME: &str = include_str!("../../themes/standard/search/search.js");

/// A stamp of everything the index is built from: the input files' names, sizes and times, and
/// this version of referat.
pub struct Stamp(String);

impl Stamp {
    /// The stamp of the site at `root` as it is now.
    pub fn of(root: &Path) -> Result<Stamp> {
        let mut files = vec![root.join("site.toml")];
        files.extend(collect_files(&root.join(CONTENT_DIR))?);
        let stats = files
            .par_iter()
            .map(|file| {
                let meta = fs::metadata(file)
                    .with_context(|| format!("cannot read {}", file.display()))?;
                let modified = meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                Ok((meta.len(), modified))
            })
            .collect::<Result<Vec<_>>>()?;
        let mut hasher = Sha256::new();
        hasher.update(env!("CARGO_PKG_VERSION"));
        for (file, (len, modified)) in files.iter().zip(stats) {
            hasher.update(file.to_string_lossy().as_bytes());
            hasher.update(len.to_le_bytes());
            hasher.update(modified.to_le_bytes());
        }
        Ok(Stamp(
            hasher
                .finalize()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
        ))
    }
}

/// The files under `dir`, sorted by path, its folders read on every core; none when `dir` cannot
/// be read.
fn collect_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut paths: Vec<(PathBuf, bool)> = entries
        .map(|e| {
            let e = e?;
            Ok((e.path(), e.file_type()?.is_dir()))
        })
        .collect::<std::io::Result<_>>()
        .with_context(|| format!("cannot read {}", dir.display()))?;
    paths.sort();
    let nested = paths
        .into_par_iter()
        .map(|(path, is_dir)| {
            if is_dir {
                collect_files(&path)
            } else {
                Ok(vec![path])
            }
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(nested.into_iter().flatten().collect())
}

fn cache_dir(root: &Path) -> PathBuf {
    root.join(CACHE_DIR).join("search")
}

/// Bring the index kept at `root` up to date with `archive` (its input stamped `stamp`), or make
/// it anew when `clean`; returns it with the documents it holds. It is kept in the cache folder
/// when that can be written, else in a temporary folder that lives as long as the index.
fn update<'a>(
    root: &Path,
    archive: &'a Archive,
    stamp: &Stamp,
    clean: bool,
) -> Result<(SearchIndex, Documents<'a>)> {
    let docs = Documents::plan(archive);
    let cache = cache_dir(root);
    let writable = fs::create_dir_all(&cache).and_then(|()| tempfile::tempfile_in(&cache));
    let (dir, temporary) = match writable {
        Ok(_) => (cache, None),
        Err(_) => {
            let temporary = tempfile::Builder::new()
                .prefix("referat-search-")
                .tempdir()
                .context("cannot create a folder for the search index")?;
            (temporary.path().to_owned(), Some(temporary))
        }
    };
    // The stamp goes first and comes back last, so that an index left half updated is never
    // taken for a current one.
    match fs::remove_file(dir.join("stamp")) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(e).context("cannot update the search index's stamp");
        }
        _ => {}
    }
    index::update(&dir.join("index"), &docs, clean)?;
    fs::write(dir.join("layout.json"), serde_json::to_vec(&docs.layout)?)?;
    let keys: Vec<u8> = docs.keys.iter().flat_map(|k| k.to_le_bytes()).collect();
    fs::write(dir.join("keys.bin"), keys)?;
    fs::write(dir.join("stamp"), &stamp.0)?;
    let mut index = SearchIndex::open_dir(&dir)?;
    index.temporary = temporary;
    Ok((index, docs))
}

/// Index `archive` (the site at `root`, stamped `stamp` before it was loaded) into the index
/// kept for `referat search`, replacing only what changed unless `clean`, and write the bundle
/// through `sink`; the two are stages of `progress`.
pub fn index_and_export(
    root: &Path,
    archive: &Archive,
    stamp: &Stamp,
    clean: bool,
    sink: &Sink,
    progress: &Progress,
) -> Result<BundleSummary> {
    let (index, docs) = progress.stage("search index", None, |_| {
        update(root, archive, stamp, clean)
    })?;
    progress.stage("search bundle", None, |_| {
        let kept = cache_dir(root).join("bundle");
        let memory = cachefile::read(&kept).unwrap_or_default();
        let (summary, memory) = bundle::export(&index.reader, &docs, RUNTIME, sink, &memory)?;
        cachefile::write(&kept, &memory);
        Ok(summary)
    })
}

/// The search index of a site, ready for queries.
pub struct SearchIndex {
    reader: IndexReader,
    layout: Layout,
    /// The folder it is in, when that is not the cache.
    temporary: Option<tempfile::TempDir>,
}

impl SearchIndex {
    /// The index of the site at `root`: the cached one when it is up to date, else the cached
    /// one brought up to date with the content by `load` (which returns the archive, or an
    /// error to show). Bringing it up to date waits for any build of the site to end, handing
    /// `say` the line that tells so.
    pub fn open_or_build(
        root: &Path,
        say: impl FnOnce(&str),
        load: impl FnOnce() -> Result<Archive, crate::diagnostics::BuildError>,
    ) -> Result<SearchIndex, crate::diagnostics::BuildError> {
        let dir = cache_dir(root);
        let stamp = Stamp::of(root)?;
        let current = || {
            fs::read_to_string(dir.join("stamp"))
                .is_ok_and(|s| s == stamp.0)
                .then(|| SearchIndex::open_dir(&dir).ok())
                .flatten()
        };
        if let Some(index) = current() {
            return Ok(index);
        }
        let _site = crate::sitelock::take(root, say);
        // A build that held the lock may have brought the index up to date meanwhile.
        if let Some(index) = current() {
            return Ok(index);
        }
        let archive = load()?;
        Ok(update(root, &archive, &stamp, false)?.0)
    }

    fn open_dir(dir: &Path) -> Result<SearchIndex> {
        let layout = serde_json::from_slice(&fs::read(dir.join("layout.json"))?)?;
        let keys: Vec<u64> = fs::read(dir.join("keys.bin"))?
            .chunks_exact(8)
            .map(|k| u64::from_le_bytes(k.try_into().expect("chunks of 8")))
            .collect();
        let reader = IndexReader::open(&dir.join("index"), &keys)?;
        Ok(SearchIndex {
            reader,
            layout,
            temporary: None,
        })
    }

    /// Answer `query`.
    pub fn search(&self, query: &Query) -> Result<Answer> {
        engine::search(&self.reader, &self.layout, query)
    }

    /// The councils, as (slug, name), for checking a filter.
    pub fn councils(&self) -> impl Iterator<Item = (&str, &str)> {
        self.layout
            .councils
            .iter()
            .map(|c| (c.slug.as_str(), c.name.as_str()))
    }
}
