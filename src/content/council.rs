//! One council folder: `_index.md` (name, members, kommissorium) and its meeting files.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use pulldown_cmark::Parser;
use rayon::prelude::*;
use serde::Deserialize;

use super::cache::MeetingCache;
use super::markdown::{Body, BodyWriter, options};
use super::meeting::MeetingFile;
use super::model::{Council, Link, Member};
use super::source::{Source, parse_date};
use crate::config::{Contact, SiteConfig};
use crate::diagnostics::{Diagnostic, collect_ok};

/// The file in a council folder that describes the council.
pub const INDEX_FILE: &str = "_index.md";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    name: String,
    kind: Option<String>,
    municipality: Option<String>,
    established: Option<String>,
    #[serde(default)]
    members: Vec<Member>,
    contact: Option<Contact>,
}

/// Load the council in `dir` (shown as `shown`) with slug `slug`, and all its meetings, those
/// unchanged from `cache` when there is one.
pub fn load(
    dir: &Path,
    shown: &Path,
    slug: String,
    config: &SiteConfig,
    cache: Option<&MeetingCache>,
) -> Result<Council, Vec<Diagnostic>> {
    let decimal_comma = config.language != "en";
    let index_shown = shown.join(INDEX_FILE);
    let mut diagnostics = Vec::new();
    let mut files = Vec::new();
    match list_meeting_files(dir, shown) {
        Ok(found) => {
            for file in found {
                match file {
                    Ok(file) => files.push(file),
                    Err(d) => diagnostics.push(d),
                }
            }
        }
        Err(d) => diagnostics.push(d),
    }
    files.sort_by(|a, b| a.slug.cmp(&b.slug).then(a.stem.cmp(&b.stem)));
    for pair in files.windows(2) {
        if pair[0].slug == pair[1].slug {
            diagnostics.push(Diagnostic::file(
                &pair[1].shown,
                format!(
                    "two meetings have the slug `{}` (this file and {}): expected one file per \
                     meeting, with a distinct suffix for a second meeting that day",
                    pair[1].slug,
                    pair[0].shown.display()
                ),
            ));
        }
    }

    let iframe_hosts = &config.iframe_hosts;
    let index = load_index(
        &dir.join(INDEX_FILE),
        &index_shown,
        decimal_comma,
        iframe_hosts,
    );
    let heads = cache.map(|cache| cache.heads(shown));
    let meetings = files
        .par_iter()
        .map(|file| {
            file.load(
                dir,
                shown,
                decimal_comma,
                iframe_hosts,
                cache.zip(heads.as_ref()),
            )
        })
        .collect();
    let loaded = collect_ok(meetings, &mut diagnostics);
    if diagnostics.is_empty()
        && let (Some(cache), Some(heads)) = (cache, heads)
    {
        cache.keep_heads(heads, &loaded);
    }
    let mut loaded: Vec<_> = loaded.into_iter().map(|(meeting, _)| meeting).collect();
    let Index {
        front,
        established,
        kommissorium_html,
        links,
        fingerprint,
    } = match index {
        Ok(index) => index,
        Err(mut errors) => {
            diagnostics.append(&mut errors);
            return Err(diagnostics);
        }
    };
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }
    loaded.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.slug.cmp(&b.slug)));
    Ok(Council {
        slug,
        name: front.name,
        kind: front.kind,
        municipality: front
            .municipality
            .unwrap_or_else(|| config.municipality.clone()),
        established,
        members: front.members,
        contact: front.contact,
        source: index_shown,
        fingerprint,
        kommissorium_html,
        links,
        meetings: loaded,
    })
}

/// What `_index.md` says.
struct Index {
    front: FrontMatter,
    established: Option<NaiveDate>,
    kommissorium_html: String,
    links: Vec<Link>,
    fingerprint: u128,
}

fn load_index(
    path: &Path,
    shown: &Path,
    decimal_comma: bool,
    iframe_hosts: &[String],
) -> Result<Index, Vec<Diagnostic>> {
    if !path.is_file() {
        return Err(vec![Diagnostic::file(
            shown,
            "the council folder has no _index.md: expected this file, with front matter naming \
             the council (`name: …`) and its kommissorium as the body",
        )]);
    }
    let source = Source::read(path, shown).map_err(|d| vec![d])?;
    let front: FrontMatter = source.front_matter(shown).map_err(|d| vec![d])?;
    let established = front
        .established
        .as_deref()
        .map(|d| source.field(shown, "established", d, parse_date))
        .transpose()
        .map_err(|d| vec![d])?;
    let mut writer = BodyWriter::new(
        shown,
        source.body(),
        source.body_first_line(),
        None,
        decimal_comma,
        iframe_hosts,
    );
    let mut events = Body::default();
    for (event, range) in Parser::new_ext(source.body(), options()).into_offset_iter() {
        writer.push(event, range.start, &mut events);
    }
    if !writer.diagnostics.is_empty() {
        return Err(writer.diagnostics);
    }
    Ok(Index {
        fingerprint: source.fingerprint,
        front,
        established,
        kommissorium_html: writer.html(events),
        links: writer.links,
    })
}

/// The `.md` files of a council folder other than `_index.md`, sorted by name.
fn list_meeting_files(
    dir: &Path,
    shown: &Path,
) -> Result<Vec<Result<MeetingFile, Diagnostic>>, Diagnostic> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Diagnostic::file(shown, format!("cannot read the council folder: {e}")))?;
    let mut names: Vec<PathBuf> = Vec::new();
    for entry in entries {
        let entry =
            entry.map_err(|e| Diagnostic::file(shown, format!("cannot read the folder: {e}")))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        let markdown = name.to_ascii_lowercase().ends_with(".md");
        if is_file && markdown && name != INDEX_FILE && !name.starts_with('.') {
            names.push(entry.path());
        }
    }
    names.sort();
    Ok(names
        .into_iter()
        .map(|path| {
            let shown = shown.join(path.file_name().unwrap_or_default());
            MeetingFile::new(path, shown)
        })
        .collect())
}
