//! Links into the site that lead nowhere. Content links to other pages of the site in two ways
//! (relative links are attachments, checked while loading): `#anchor` on its own page, and a
//! full URL under the base URL, e.g. `https://www.kommune.dk/raad/` plus
//! `integrationsraadet/2023-10-10/#punkt-3`. Each is resolved against the files a build would
//! write, and an anchor against the `id`s of the target page, rendered in memory to learn them:
//! the theme decides which ids a page has, so only rendering knows. One page of each kind is
//! rendered too, so a template that does not render is reported as the build would; rendering
//! every page of a large archive would take most of the check's time.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

use rayon::prelude::*;

use super::{Finding, Rule};
use crate::content::{Archive, Link};
use crate::diagnostics::Diagnostic;
use crate::feeds;
use crate::html::{attribute_values, unescape};
use crate::opendata;
use crate::render::{Page, PageKind, Renderer};

/// What a path under the base URL names.
#[derive(Clone, Copy)]
enum Target {
    /// A page, by index in `Renderer::pages()`.
    Page(usize),
    /// Any other file the build writes.
    File,
}

/// A link that leads into the site, and where it came from.
struct Internal<'a> {
    file: &'a Path,
    link: &'a Link,
    /// The file it leads to, relative to the output root, e.g. `integrationsraadet/index.html`.
    path: String,
    fragment: Option<&'a str>,
}

/// The findings of this rule for every link of `archive`. `theme` names where the theme comes
/// from, for a page that does not render.
pub(super) fn check(archive: &Archive, renderer: &Renderer<'_>, theme: &Path) -> Vec<Finding> {
    let pages = renderer.pages();
    let site = site(archive, renderer, &pages);
    let base_url = &archive.config.base_url;
    let mut findings = Vec::new();
    let mut anchored: Vec<(Internal<'_>, usize)> = Vec::new();
    for (file, page, links) in linking_files(archive) {
        for link in links {
            let Some((path, fragment)) = resolve(&link.url, &page, base_url) else {
                continue;
            };
            let internal = Internal {
                file,
                link,
                path,
                fragment,
            };
            match lookup(&site, &internal.path) {
                None => findings.push(missing_file(archive, &internal)),
                Some(Target::Page(page)) if internal.fragment.is_some_and(needs_anchor) => {
                    anchored.push((internal, page))
                }
                Some(_) => {}
            }
        }
    }

    let wanted = anchored.iter().map(|(_, page)| *page).collect();
    let anchors = render(renderer, &pages, wanted, theme, &mut findings);
    for (internal, page) in &anchored {
        let (Some(ids), Some(fragment)) = (anchors.get(page), internal.fragment) else {
            continue;
        };
        if !ids.contains(fragment) {
            let kind = &pages[*page].kind;
            findings.push(missing_anchor(archive, kind, internal, fragment, ids));
        }
    }
    findings
}

/// Every file a build of `archive` writes but the search bundle, by its path from the output
/// root.
fn site(archive: &Archive, renderer: &Renderer<'_>, pages: &[Page]) -> HashMap<String, Target> {
    let mut site: HashMap<String, Target> = pages
        .iter()
        .enumerate()
        .map(|(i, page)| (page.path.clone(), Target::Page(i)))
        .collect();
    let mut files: Vec<String> = renderer.static_files().map(|(path, _)| path).collect();
    files.extend(feeds::paths(archive));
    files.push(opendata::INDEX.to_owned());
    for (council, meeting) in archive.meetings() {
        files.push(opendata::meeting_path(council, meeting));
        for attachment in &meeting.attachments {
            files.push(format!(
                "{}/{}/{}",
                council.slug, meeting.slug, attachment.file_name
            ));
        }
    }
    site.extend(files.into_iter().map(|path| (path, Target::File)));
    site
}

/// Each file with links: the file, the page it becomes, and its links.
fn linking_files(archive: &Archive) -> Vec<(&Path, String, &[Link])> {
    let mut files: Vec<(&Path, String, &[Link])> = Vec::new();
    for council in &archive.councils {
        let page = format!("{}/index.html", council.slug);
        files.push((&council.source, page, &council.links));
        for meeting in &council.meetings {
            let page = format!("{}/{}/index.html", council.slug, meeting.slug);
            files.push((&meeting.source, page, &meeting.links));
        }
    }
    files
}

/// Render the pages `wanted` and one page of each kind, in memory: the ids of each page that
/// rendered, and a finding for the first page of each kind that did not.
fn render(
    renderer: &Renderer<'_>,
    pages: &[Page],
    mut wanted: BTreeSet<usize>,
    theme: &Path,
    findings: &mut Vec<Finding>,
) -> BTreeMap<usize, BTreeSet<String>> {
    let mut kinds = HashSet::new();
    for (i, page) in pages.iter().enumerate() {
        if kinds.insert(std::mem::discriminant(&page.kind)) {
            wanted.insert(i);
        }
    }
    let rendered: Vec<(usize, Result<BTreeSet<String>, String>)> = wanted
        .into_par_iter()
        .map(|i| {
            let ids = renderer
                .render(&pages[i])
                .map(|html| ids(&html))
                .map_err(|e| super::error_chain(&e));
            (i, ids)
        })
        .collect();
    let mut anchors = BTreeMap::new();
    let mut failed = HashSet::new();
    for (i, ids) in rendered {
        match ids {
            Ok(ids) => {
                anchors.insert(i, ids);
            }
            Err(message) => {
                if failed.insert(std::mem::discriminant(&pages[i].kind)) {
                    findings.push(Finding::build(Diagnostic::file(theme, message)));
                }
            }
        }
    }
    anchors
}

/// Where `url`, found on the page `page`, leads: a file relative to the output root and the
/// fragment; `None` for a link that leaves the site.
fn resolve<'a>(url: &'a str, page: &str, base_url: &str) -> Option<(String, Option<&'a str>)> {
    let (target, fragment) = match url.split_once('#') {
        Some((target, fragment)) => (target, Some(fragment)),
        None => (url, None),
    };
    if target.is_empty() {
        return Some((page.to_owned(), fragment));
    }
    let target = target.split('?').next().unwrap_or(target);
    under(target, base_url).map(|path| (path.to_owned(), fragment))
}

/// The path of `url` below `base_url` (which ends in `/`), when it is one: the host's case and
/// `http` against `https` do not matter.
fn under<'a>(url: &'a str, base_url: &str) -> Option<&'a str> {
    let (scheme, rest) = url.split_once("://")?;
    let (base_scheme, base_rest) = base_url.split_once("://")?;
    let web = |s: &str| s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https");
    if !(scheme.eq_ignore_ascii_case(base_scheme) || web(scheme) && web(base_scheme)) {
        return None;
    }
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let (base_host, base_path) = base_rest.split_at(base_rest.find('/').unwrap_or(base_rest.len()));
    if !host.eq_ignore_ascii_case(base_host) {
        return None;
    }
    if path == base_path.trim_end_matches('/') {
        return Some("");
    }
    path.strip_prefix(base_path)
}

/// What the path `path` under the base URL names: a folder its `index.html`, and a folder
/// written without its trailing `/` too, since web servers redirect it.
fn lookup(site: &HashMap<String, Target>, path: &str) -> Option<Target> {
    if path.is_empty() || path.ends_with('/') {
        return site.get(&format!("{path}index.html")).copied();
    }
    site.get(path)
        .or_else(|| site.get(&format!("{path}/index.html")))
        .copied()
}

/// An empty fragment and `#top` lead to the top of any page.
fn needs_anchor(fragment: &str) -> bool {
    !fragment.is_empty() && fragment != "top"
}

/// Every `id` of the page `html`.
fn ids(html: &str) -> BTreeSet<String> {
    attribute_values(html, " id=\"").map(unescape).collect()
}

fn missing_file(archive: &Archive, link: &Internal<'_>) -> Finding {
    let folder = link.path.split('/').next().unwrap_or("");
    let hint = match archive.councils.iter().find(|c| c.slug == folder) {
        Some(council) => format!(
            "{} has no such page or file: its meetings are at `{folder}/<YYYY-MM-DD>/` and their \
             attachments beside them; check the date and the file name",
            council.name
        ),
        None => "link to a page the site has: a council `<council>/`, a meeting \
                 `<council>/<YYYY-MM-DD>/`, the archive `arkiv/<YYYY>/` or a case `sag/<case>/`"
            .to_owned(),
    };
    Finding::new(
        Rule::BrokenLink,
        link.file,
        Some(link.link.line),
        format!(
            "the link `{}` leads to no page or file of the site (`{}`)",
            link.link.url, link.path
        ),
        hint,
    )
}

fn missing_anchor(
    archive: &Archive,
    kind: &PageKind,
    link: &Internal<'_>,
    fragment: &str,
    ids: &BTreeSet<String>,
) -> Finding {
    let hint = match kind {
        PageKind::Meeting(c, m) if fragment.starts_with("punkt-") => {
            match archive.councils[*c].meetings[*m].items.len() {
                0 => "that meeting has no items".to_owned(),
                1 => "that meeting has one item: `#punkt-1`".to_owned(),
                n => format!("that meeting has {n} items: `#punkt-1` to `#punkt-{n}`"),
            }
        }
        _ => {
            let shown: Vec<String> = ids.iter().take(12).map(|id| format!("`#{id}`")).collect();
            let more = if ids.len() > shown.len() { ", …" } else { "" };
            format!("the anchors of that page are {}{more}", shown.join(", "))
        }
    };
    let url = &link.link.url;
    let message = if url.starts_with('#') {
        format!("the link `{url}` leads to no anchor of this page")
    } else {
        let page = link.path.strip_suffix("index.html").unwrap_or(&link.path);
        let page = if page.is_empty() { "./" } else { page };
        format!("the link `{url}` leads to no anchor `#{fragment}` on the page `{page}`")
    };
    Finding::new(
        Rule::BrokenLink,
        link.file,
        Some(link.link.line),
        message,
        hint,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "https://www.example.dk/raad/";

    #[test]
    fn links_resolve_under_the_base_url_only() {
        let page = "integrationsraadet/2023-10-10/index.html";
        assert_eq!(
            resolve("#punkt-3", page, BASE),
            Some((page.to_owned(), Some("punkt-3")))
        );
        assert_eq!(
            resolve(
                "http://WWW.example.dk/raad/integrationsraadet/?x=1#moeder",
                page,
                BASE
            ),
            Some(("integrationsraadet/".to_owned(), Some("moeder")))
        );
        assert_eq!(
            resolve("https://www.example.dk/raad", page, BASE),
            Some((String::new(), None))
        );
        assert_eq!(resolve("https://www.example.dk/andet/", page, BASE), None);
        assert_eq!(resolve("https://www.example.dk/raadhus/", page, BASE), None);
        assert_eq!(resolve("mailto:a@example.dk", page, BASE), None);
    }

    #[test]
    fn ids_are_read_from_the_html() {
        let found = ids(r#"<h2 id="punkt-1">A</h2><div class="x" id="a&amp;b">"#);
        assert_eq!(found.into_iter().collect::<Vec<_>>(), ["a&b", "punkt-1"]);
    }
}
