//! Loading: `content/` → [`Archive`] (councils → meetings → items, and the open items grouped by
//! Sags ID), in parallel.
//!
//! Every problem of every file is collected and returned together, each with its file and line.
//! `referat build` keeps the meetings it parsed in a cache (`cache.rs`), so that the next build
//! parses only the meeting files that changed.

mod cache;
mod cases;
mod council;
pub(crate) mod markdown;
mod meeting;
mod model;
mod sanitize;
mod source;

use std::path::Path;

use rayon::prelude::*;

pub(crate) use cache::{build_id, key as cache_key};
pub use cases::case_slug;
pub use model::{
    Archive, Attachment, Case, Council, Item, ItemRef, Link, Meeting, MeetingText, Member, Section,
    SectionKind, Status, key_meeting, meeting_key,
};
pub(crate) use source::Source;

use cache::MeetingCache;

use crate::config::SiteConfig;
use crate::diagnostics::{Diagnostic, collect_ok};
use crate::slug::slugify;

/// The folder under the site root that holds the councils.
pub const CONTENT_DIR: &str = "content";

/// Council slugs that would collide with the site's own pages.
pub const RESERVED_SLUGS: &[&str] = &["arkiv", "soeg", "sag", "static", "search", "404"];

/// Parse the meeting file named `file_name` (e.g. `2023-10-10.md`) of the council folder
/// `council_dir` from its contents `bytes`, exactly as [`load`] reads one from disk: the file
/// name, UTF-8, front matter, agenda items and their HTML, attachments looked up in
/// `council_dir`. The entry point of the fuzz target `meeting` (fuzz/, docs/fuzzing.md).
pub fn parse_meeting(
    file_name: &str,
    bytes: &[u8],
    council_dir: &Path,
    decimal_comma: bool,
) -> Result<Meeting, Vec<Diagnostic>> {
    let shown_dir = Path::new(CONTENT_DIR).join(council_dir.file_name().unwrap_or_default());
    let file = meeting::MeetingFile::new(council_dir.join(file_name), shown_dir.join(file_name))
        .map_err(|d| vec![d])?;
    let source = Source::parse(bytes.to_vec(), &file.shown).map_err(|d| vec![d])?;
    file.parse(&source, council_dir, &shown_dir, decimal_comma, &[])
}

/// Load every council under `root/content/`, or return all problems found, sorted. With a
/// `cache` folder, meetings parsed by an earlier load of the same files are taken from it, and
/// the meetings parsed now are kept in it; a folder that cannot be written is no cache.
pub fn load(
    root: &Path,
    config: SiteConfig,
    cache: Option<&Path>,
) -> Result<Archive, Vec<Diagnostic>> {
    let content = root.join(CONTENT_DIR);
    let shown_content = Path::new(CONTENT_DIR);
    let entries = std::fs::read_dir(&content).map_err(|e| {
        vec![Diagnostic::file(
            shown_content,
            format!("cannot read the content folder ({e}): expected one folder per council"),
        )]
    })?;
    let mut folders = Vec::new();
    let mut diagnostics = Vec::new();
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                diagnostics.push(Diagnostic::file(shown_content, e.to_string()));
                continue;
            }
        };
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let shown = shown_content.join(&name);
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            folders.push((entry.path(), shown, slugify(&name)));
        } else if name.ends_with(".md") {
            diagnostics.push(Diagnostic::file(
                &shown,
                "a Markdown file directly in content/: expected meeting files inside a council \
                 folder, e.g. content/integrationsraadet/2023-10-10.md",
            ));
        }
    }
    folders.sort();
    for (_, shown, slug) in &folders {
        if slug.is_empty() || RESERVED_SLUGS.contains(&slug.as_str()) {
            diagnostics.push(Diagnostic::file(
                shown,
                format!(
                    "the folder name gives the URL slug `{slug}`, which {}: rename the folder",
                    if slug.is_empty() {
                        "is empty"
                    } else {
                        "the site uses for its own pages"
                    }
                ),
            ));
        }
    }
    let mut by_slug: Vec<_> = folders.iter().collect();
    by_slug.sort_by(|a, b| a.2.cmp(&b.2).then(a.1.cmp(&b.1)));
    for pair in by_slug.windows(2) {
        if pair[0].2 == pair[1].2 {
            diagnostics.push(Diagnostic::file(
                &pair[1].1,
                format!(
                    "two council folders give the slug `{}` (this one and {}): rename one",
                    pair[1].2,
                    pair[0].1.display()
                ),
            ));
        }
    }

    let cache = cache.and_then(MeetingCache::open);
    let results = folders
        .par_iter()
        .map(|(dir, shown, slug)| council::load(dir, shown, slug.clone(), &config, cache.as_ref()))
        .collect();
    let mut councils = collect_ok(results, &mut diagnostics);
    if !diagnostics.is_empty() {
        diagnostics.sort();
        diagnostics.dedup();
        return Err(diagnostics);
    }
    councils.sort_by(|a, b| a.slug.cmp(&b.slug));
    let cases = cases::group(&councils).map_err(|mut problems| {
        problems.sort();
        problems
    })?;
    if let Some(cache) = cache {
        cache.remove_unused();
    }
    Ok(Archive {
        config_key: xxhash_rust::xxh3::xxh3_128(format!("{config:?}").as_bytes()),
        config,
        councils,
        cases,
    })
}
