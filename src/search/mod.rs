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
mod documents;
mod engine;
mod index;
mod score;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};

pub use analysis::{ANALYZER_NAME, AaFilter, analyze, danish_analyzer};
pub use bundle::{BUNDLE_DIR, BundleSummary};
pub use engine::{Answer, FacetValue, Facets, Filters, Hit, Query, Sort};

use crate::content::{Archive, CONTENT_DIR};
use crate::output::Sink;
use crate::progress::Progress;
use documents::Layout;
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
        collect_files(&root.join(CONTENT_DIR), &mut files)?;
        let mut hasher = Sha256::new();
        hasher.update(env!("CARGO_PKG_VERSION"));
        for file in files {
            let meta =
                fs::metadata(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let modified = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            hasher.update(file.to_string_lossy().as_bytes());
            hasher.update(meta.len().to_le_bytes());
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

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(());
    };
    let mut paths: Vec<PathBuf> = entries
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .with_context(|| format!("cannot read {}", dir.display()))?;
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect_files(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

fn cache_dir(root: &Path) -> PathBuf {
    root.join(CACHE_DIR).join("search")
}

/// A freshly written index in a folder of its own, not yet kept in the cache.
struct Fresh {
    dir: tempfile::TempDir,
    index: SearchIndex,
    docs: Vec<documents::Document>,
}

/// Index `archive` into a new folder: in the cache folder at `root` where it can be created
/// (so it can be kept by renaming), else in the system's temporary folder.
fn write_fresh(root: &Path, archive: &Archive, stamp: &Stamp) -> Result<Fresh> {
    let (docs, layout) = documents::documents(archive);
    let parent = root.join(CACHE_DIR);
    let builder = {
        let mut b = tempfile::Builder::new();
        b.prefix("search.new-");
        b
    };
    let dir = fs::create_dir_all(&parent)
        .and_then(|()| builder.tempdir_in(&parent))
        .or_else(|_| builder.tempdir())
        .context("cannot create a folder for the search index")?;
    let index_dir = dir.path().join("index");
    fs::create_dir(&index_dir)?;
    index::write(&index_dir, &docs)?;
    fs::write(dir.path().join("layout.json"), serde_json::to_vec(&layout)?)?;
    fs::write(dir.path().join("stamp"), &stamp.0)?;
    let index = SearchIndex::open_dir(dir.path())?;
    Ok(Fresh { dir, index, docs })
}

impl Fresh {
    /// Keep the index as the cache of `root`, replacing the one there. The cache is only a
    /// shortcut for `referat search`: when it cannot be replaced (a read-only site folder,
    /// another build replacing it at the same moment) the fresh index is simply dropped.
    fn keep(self, root: &Path) -> SearchIndex {
        let target = cache_dir(root);
        if self.dir.path().parent() == target.parent() {
            let old = target.with_extension(format!("old-{}", std::process::id()));
            let moved_old = fs::rename(&target, &old).is_ok();
            // Once renamed, the temporary folder's own clean-up finds nothing to remove.
            let _ = fs::rename(self.dir.path(), &target);
            if moved_old {
                let _ = fs::remove_dir_all(&old);
            }
        }
        self.index
    }
}

/// Index `archive` (the site at `root`, stamped `stamp` before it was loaded), write the bundle
/// through `sink`, and keep the index for `referat search`; the two are stages of `progress`.
pub fn index_and_export(
    root: &Path,
    archive: &Archive,
    stamp: &Stamp,
    sink: &Sink,
    progress: &Progress,
) -> Result<BundleSummary> {
    let fresh = progress.stage("search index", None, |_| write_fresh(root, archive, stamp))?;
    let summary = progress.stage("search bundle", None, |_| {
        bundle::export(
            &fresh.index.reader,
            &fresh.docs,
            &fresh.index.layout,
            RUNTIME.as_bytes(),
            sink,
        )
    })?;
    fresh.keep(root);
    Ok(summary)
}

/// The search index of a site, ready for queries.
pub struct SearchIndex {
    reader: IndexReader,
    layout: Layout,
}

impl SearchIndex {
    /// The index of the site at `root`: the cached one when it is up to date, else one built
    /// now from the content by `load` (which returns the archive, or an error to show).
    pub fn open_or_build(
        root: &Path,
        load: impl FnOnce() -> Result<Archive, crate::diagnostics::BuildError>,
    ) -> Result<SearchIndex, crate::diagnostics::BuildError> {
        let stamp = Stamp::of(root)?;
        let dir = cache_dir(root);
        let current = fs::read_to_string(dir.join("stamp")).is_ok_and(|s| s == stamp.0);
        if current && let Ok(index) = SearchIndex::open_dir(&dir) {
            return Ok(index);
        }
        let archive = load()?;
        Ok(write_fresh(root, &archive, &stamp)?.keep(root))
    }

    fn open_dir(dir: &Path) -> Result<SearchIndex> {
        let layout = serde_json::from_slice(&fs::read(dir.join("layout.json"))?)?;
        let reader = IndexReader::open(&dir.join("index"))?;
        Ok(SearchIndex { reader, layout })
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
