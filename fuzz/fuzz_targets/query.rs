//! Fuzz target `query`: the text of a search query through `SearchIndex::search` (parsing into
//! words, phrases, Sags IDs and prefixes; matching, scoring, excerpts and suggestions) against
//! the index of the demo site, built once per process.
//!
//! The input is the query text; bytes that are not UTF-8 are skipped (a query is a `String`).

#![no_main]

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use referat::config::SiteConfig;
use referat::diagnostics::BuildError;
use referat::search::{Query, SearchIndex, Sort};

/// The repository root, whose `site.toml` and `content/` are the demo site.
const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create the fixture folder");
    for entry in fs::read_dir(from).expect("read the demo content") {
        let entry = entry.expect("read the demo content");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).expect("copy the demo content");
        }
    }
}

/// The demo site's index, built in `fuzz/target/query-site/` (a copy, so the repository's own
/// cache is left alone).
fn index() -> &'static SearchIndex {
    static INDEX: OnceLock<SearchIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let repo = Path::new(REPO);
        let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/target/query-site"));
        let _ = fs::remove_dir_all(&root);
        copy_dir(&repo.join("content"), &root.join("content"));
        fs::copy(repo.join("site.toml"), root.join("site.toml")).expect("copy site.toml");
        let config = SiteConfig::load(&root, None).expect("the demo's site.toml loads");
        SearchIndex::open_or_build(&root, || {
            referat::content::load(&root, config).map_err(BuildError::Content)
        })
        .unwrap_or_else(|e| panic!("the demo site indexes: {e}"))
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let index = index();
    for sort in [Sort::Relevance, Sort::Date] {
        let query = Query {
            text: text.to_owned(),
            limit: 10,
            sort,
            ..Query::default()
        };
        let answer = index.search(&query).expect("a query is answered");
        assert!(answer.results.len() <= answer.total.min(10));
    }
});
