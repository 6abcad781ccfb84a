//! Rendering: the [`Archive`] → one HTML page per front page, council, meeting, archive year,
//! case (Sags ID), search and 404, with tera templates of the site's theme.
//!
//! Every page links to the others with relative URLs, so a site works at a domain root, under a
//! sub-path and opened from disk; only the 404 page, which a server shows at any depth, links
//! from the base URL's path.

mod theme;
mod views;

use std::collections::BTreeMap;

use anyhow::{Result, anyhow};
use chrono::Datelike;
use xxhash_rust::xxh3::Xxh3;

pub use theme::{StaticFile, TEMPLATES, Texts, Theme};

use crate::content::{Archive, case_slug, key_meeting, meeting_key};

/// The folder under the output root that holds the theme's static files.
pub const STATIC_DIR: &str = "static";

/// The folder under the output root that holds the case pages.
pub const CASE_DIR: &str = "sag";

/// The folder of the page of the Sags ID `id`, from the output root: `sag/<slug>/`.
pub fn case_dir(id: &str) -> String {
    format!("{CASE_DIR}/{}/", case_slug(id))
}

/// One page to render: which kind, and the path of its file in the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The page's file, relative to the output root, e.g. `integrationsraadet/index.html`.
    pub path: String,
    /// What the page shows.
    pub kind: PageKind,
}

/// What a page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    /// The front page.
    Front,
    /// A council, by index in [`Archive::councils`].
    Council(usize),
    /// A meeting, by council index and meeting index.
    Meeting(usize, usize),
    /// The archive's list of years.
    Archive,
    /// One year of the archive.
    ArchiveYear(i32),
    /// The history of one Sags ID, by index in [`Archive::cases`].
    Case(usize),
    /// The search page: a form, and the results the theme's script finds in the search bundle.
    Search,
    /// The page a server shows for a missing URL.
    NotFound,
}

/// Renders the pages of one archive with one theme.
pub struct Renderer<'a> {
    archive: &'a Archive,
    theme: Theme,
    /// Every meeting by year, newest first: (council index, meeting index).
    years: BTreeMap<i32, Vec<(usize, usize)>>,
}

impl<'a> Renderer<'a> {
    /// Prepare to render `archive` with `theme`.
    pub fn new(archive: &'a Archive, mut theme: Theme) -> Self {
        let mut years: BTreeMap<i32, Vec<(usize, usize)>> = BTreeMap::new();
        for (ci, council) in archive.councils.iter().enumerate() {
            for (mi, meeting) in council.meetings.iter().enumerate() {
                years.entry(meeting.date.year()).or_default().push((ci, mi));
            }
        }
        for meetings in years.values_mut() {
            meetings.sort_by(|&(ac, am), &(bc, bm)| {
                let a = &archive.councils[ac].meetings[am];
                let b = &archive.councils[bc].meetings[bm];
                b.date.cmp(&a.date).then(ac.cmp(&bc)).then(am.cmp(&bm))
            });
        }
        let shared = views::site_context(&archive.config, &theme.texts);
        theme.tera.global_context().extend(shared);
        Renderer {
            archive,
            theme,
            years,
        }
    }

    /// Every page of the site, in a fixed order.
    pub fn pages(&self) -> Vec<Page> {
        let mut pages = vec![
            Page {
                path: "index.html".into(),
                kind: PageKind::Front,
            },
            Page {
                path: "404.html".into(),
                kind: PageKind::NotFound,
            },
            Page {
                path: "arkiv/index.html".into(),
                kind: PageKind::Archive,
            },
            Page {
                path: "soeg/index.html".into(),
                kind: PageKind::Search,
            },
        ];
        for year in self.years.keys() {
            pages.push(Page {
                path: format!("arkiv/{year}/index.html"),
                kind: PageKind::ArchiveYear(*year),
            });
        }
        for (ci, council) in self.archive.councils.iter().enumerate() {
            pages.push(Page {
                path: format!("{}/index.html", council.slug),
                kind: PageKind::Council(ci),
            });
            for (mi, meeting) in council.meetings.iter().enumerate() {
                pages.push(Page {
                    path: format!("{}/{}/index.html", council.slug, meeting.slug),
                    kind: PageKind::Meeting(ci, mi),
                });
            }
        }
        for (i, case) in self.archive.cases.iter().enumerate() {
            pages.push(Page {
                path: format!("{}index.html", case_dir(&case.id)),
                kind: PageKind::Case(i),
            });
        }
        pages
    }

    /// The static files of the theme, with their paths in the output.
    pub fn static_files(&self) -> impl Iterator<Item = (String, &StaticFile)> {
        self.theme
            .static_files
            .iter()
            .map(|(path, file)| (format!("{STATIC_DIR}/{path}"), file))
    }

    /// The key of what `page` is made from, for the pages made from a few files of the content:
    /// a meeting's page, and a case's page. A build may reuse such a page made from the same
    /// key; the other pages list the whole archive, and are few, so they are always rendered.
    pub fn key(&self, page: &Page) -> Option<u128> {
        let mut hasher = Xxh3::new();
        hasher.update(&self.theme.fingerprint.to_le_bytes());
        match page.kind {
            PageKind::Meeting(ci, mi) => {
                let council = &self.archive.councils[ci];
                let meeting = &council.meetings[mi];
                hasher.update(&meeting_key(self.archive, council, meeting).to_le_bytes());
            }
            PageKind::Case(i) => {
                hasher.update(&self.archive.config_key.to_le_bytes());
                for &at in &self.archive.cases[i].items {
                    let (council, meeting, item) = self.archive.item(at);
                    key_meeting(&mut hasher, council, meeting);
                    hasher.update(&(item.number as u64).to_le_bytes());
                }
            }
            _ => return None,
        }
        Some(hasher.digest128())
    }

    /// Render one page to HTML.
    pub fn render(&self, page: &Page) -> Result<String> {
        let mut html = Vec::new();
        self.render_into(page, &mut html)?;
        Ok(String::from_utf8(html)?)
    }

    /// Render one page to HTML into `html`, emptied first: a buffer kept from page to page
    /// grows to the size of the largest, instead of growing anew for each page.
    pub fn render_into(&self, page: &Page, html: &mut Vec<u8>) -> Result<()> {
        let (template, context) = views::context(self, page)?;
        html.clear();
        self.theme
            .tera
            .render_to(template, &context, &mut *html)
            .map_err(|e| anyhow!("cannot render {}: {}", page.path, tera_message(&e)))
    }

    /// The theme's texts in the site's language.
    pub fn texts(&self) -> &Texts {
        &self.theme.texts
    }
}

/// A tera error with the causes tera keeps in its source chain. A syntax or rendering error
/// ends with tera's report: the template, line and column, and the line marked.
pub(crate) fn tera_message(error: &tera::Error) -> String {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}
