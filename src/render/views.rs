//! What each template sees: plain serialisable views with every link and date already
//! written, so templates only lay out.

use serde::Serialize;
use tera::Context;

use super::theme::Texts;
use super::{Page, PageKind, Renderer, STATIC_DIR, case_dir};
use crate::config::{Contact, SiteConfig};
use crate::content::{Case, Council, Meeting, MeetingText, SectionKind, Status};
use crate::{feeds, opendata};

/// How many meetings the front page lists.
const LATEST: usize = 10;

/// The most characters of a decision that a case page shows of each item.
const DECISION_CHARS: usize = 240;

/// Writes links from one page to the others.
struct Linker {
    /// What leads from the page back to the site root: `../..` style, or the base path.
    prefix: String,
    /// Link `folder/index.html` instead of `folder/`, for sites opened from disk.
    index_file: bool,
}

impl Linker {
    /// The link to the page whose folder is `dir` (`""` for the root, else ending in `/`).
    fn page(&self, dir: &str) -> String {
        match (self.index_file, self.prefix.is_empty() && dir.is_empty()) {
            (true, _) => format!("{}{dir}index.html", self.prefix),
            (false, true) => "./".to_owned(),
            (false, false) => format!("{}{dir}", self.prefix),
        }
    }

    /// The link to a file at `path` from the root.
    fn file(&self, path: &str) -> String {
        format!("{}{path}", self.prefix)
    }
}

#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    municipality: &'a str,
    contact: &'a Contact,
    accessibility_statement: &'a str,
}

#[derive(Serialize)]
struct Links {
    home: String,
    archive: String,
    search: String,
    css: String,
    /// The site's Atom feed.
    feed: String,
    /// The site's calendar.
    calendar: String,
    /// The index of every meeting as open data.
    open_data: String,
}

/// An Atom feed for the page's `<link rel="alternate">` (feed autodiscovery).
#[derive(Serialize)]
struct FeedLink {
    title: String,
    href: String,
}

#[derive(Serialize)]
struct PageView {
    title: String,
    canonical: Option<String>,
    breadcrumbs: Vec<Crumb>,
}

#[derive(Serialize)]
struct Crumb {
    label: String,
    href: Option<String>,
}

#[derive(Serialize)]
struct MeetingLink {
    heading: String,
    date: String,
    status_label: String,
    href: String,
}

#[derive(Serialize)]
struct CouncilLink<'a> {
    name: &'a str,
    kind: Option<&'a str>,
    href: String,
    meeting_count: String,
}

#[derive(Serialize)]
struct Municipality<'a> {
    name: &'a str,
    councils: Vec<CouncilLink<'a>>,
}

#[derive(Serialize)]
struct Year {
    year: i32,
    href: String,
    meeting_count: String,
    meetings: Vec<MeetingLink>,
}

#[derive(Serialize)]
struct CouncilView<'a> {
    name: &'a str,
    kind: Option<&'a str>,
    municipality: &'a str,
    established: Option<String>,
    members: &'a [crate::content::Member],
    contact: Option<&'a Contact>,
    kommissorium_html: &'a str,
    href: String,
    archive_href: String,
    /// The council's Atom feed.
    feed: String,
    /// The council's calendar.
    calendar: String,
}

#[derive(Serialize)]
struct MeetingView<'a> {
    heading: String,
    selected: String,
    date: String,
    /// "10. oktober 2023, 16:00–18:30", as the feeds write it too.
    time: String,
    start: Option<&'a str>,
    end: Option<&'a str>,
    place: Option<&'a str>,
    status: Status,
    status_label: String,
    participants: &'a [String],
    absent: &'a [String],
    intro_html: &'a str,
    items: Vec<ItemView<'a>>,
    /// The meeting as open data.
    json: String,
}

#[derive(Serialize)]
struct ItemView<'a> {
    number: usize,
    anchor: String,
    title: &'a str,
    case: Option<&'a str>,
    /// The page of the item's Sags ID.
    case_href: Option<String>,
    closed: bool,
    sections: Vec<SectionView<'a>>,
}

#[derive(Serialize)]
struct SectionView<'a> {
    kind: SectionKind,
    title: &'a str,
    html: &'a str,
}

#[derive(Serialize)]
struct CaseView<'a> {
    id: &'a str,
    heading: String,
    items: Vec<CaseItemView<'a>>,
}

/// One item of a case page, oldest first.
#[derive(Serialize)]
struct CaseItemView<'a> {
    /// The item on its meeting page.
    href: String,
    number: usize,
    title: &'a str,
    date: String,
    /// The meeting's date as `YYYY-MM-DD`, for `<time datetime>`.
    iso_date: String,
    council: &'a str,
    status_label: String,
    /// The start of the decision, when the item has one.
    decision: Option<String>,
}

/// What every page's context holds, whatever the page: the language, the theme's texts and the
/// site's settings. Made once, as the templates' global context.
pub(super) fn site_context(config: &SiteConfig, texts: &Texts) -> Context {
    let mut context = Context::new();
    context.insert("lang", &config.language);
    context.insert("t", &texts.strings);
    context.insert(
        "site",
        &SiteView {
            title: &config.title,
            municipality: &config.municipality,
            contact: &config.contact,
            accessibility_statement: &config.accessibility_statement,
        },
    );
    context
}

/// The values of `page` (besides [`site_context`]'s) and the template that renders it; an error
/// when a meeting's text cannot be read.
pub(super) fn context(r: &Renderer<'_>, page: &Page) -> anyhow::Result<(&'static str, Context)> {
    let depth = page.path.matches('/').count();
    let config = &r.archive.config;
    let linker = match page.kind {
        PageKind::NotFound => Linker {
            prefix: config.base_path().to_owned(),
            index_file: config.opened_from_disk(),
        },
        _ => Linker {
            prefix: "../".repeat(depth),
            index_file: config.opened_from_disk(),
        },
    };
    let dir = page.path.strip_suffix("index.html").unwrap_or(&page.path);
    let canonical = (config.base_url.starts_with("http") && page.kind != PageKind::NotFound)
        .then(|| format!("{}{dir}", config.base_url));
    let texts = &r.theme.texts;
    let home = Crumb {
        label: texts.get("home").to_owned(),
        href: Some(linker.page("")),
    };
    let councils_crumb = Crumb {
        label: texts.get("councils").to_owned(),
        href: Some(format!("{}#raad", linker.page(""))),
    };

    let mut context = Context::new();
    context.insert(
        "links",
        &Links {
            home: linker.page(""),
            archive: linker.page("arkiv/"),
            search: linker.page("soeg/"),
            css: linker.file(&format!("{STATIC_DIR}/referat.css")),
            feed: linker.file(feeds::ATOM),
            calendar: linker.file(feeds::CALENDAR),
            open_data: linker.file(opendata::INDEX),
        },
    );
    let mut feed_links = vec![FeedLink {
        title: feeds::title(config, None),
        href: linker.file(feeds::ATOM),
    }];
    if let PageKind::Council(ci) | PageKind::Meeting(ci, _) = page.kind {
        let council = &r.archive.councils[ci];
        feed_links.push(FeedLink {
            title: feeds::title(config, Some(council)),
            href: linker.file(&format!("{}/{}", council.slug, feeds::ATOM)),
        });
    }
    context.insert("feeds", &feed_links);

    let (template, title, breadcrumbs) = match page.kind {
        PageKind::Front => {
            context.insert("municipalities", &municipalities(r, &linker));
            context.insert("latest", &latest(r, &linker));
            ("index.html", String::new(), Vec::new())
        }
        PageKind::Council(ci) => {
            let council = &r.archive.councils[ci];
            context.insert("council", &council_view(council, r, &linker));
            context.insert("years", &council_years(council, r, &linker));
            let crumbs = vec![home, councils_crumb, current(&council.name)];
            ("council.html", council.name.clone(), crumbs)
        }
        PageKind::Meeting(ci, mi) => {
            let council = &r.archive.councils[ci];
            let meeting = &council.meetings[mi];
            let text = meeting.text()?;
            let view = meeting_view(council, meeting, &text, r, &linker);
            let crumbs = vec![
                home,
                councils_crumb,
                Crumb {
                    label: council.name.clone(),
                    href: Some(linker.page(&format!("{}/", council.slug))),
                },
                current(&view.date),
            ];
            let title = view.heading.clone();
            context.insert("meeting", &view);
            context.insert("council", &council_view(council, r, &linker));
            ("meeting.html", title, crumbs)
        }
        PageKind::Archive => {
            let years: Vec<Year> = r
                .years
                .iter()
                .rev()
                .map(|(year, meetings)| Year {
                    year: *year,
                    href: linker.page(&format!("arkiv/{year}/")),
                    meeting_count: meeting_count(r, meetings.len()),
                    meetings: Vec::new(),
                })
                .collect();
            context.insert("years", &years);
            let title = texts.get("archive").to_owned();
            (
                "archive.html",
                title,
                vec![home, current(texts.get("archive"))],
            )
        }
        PageKind::ArchiveYear(year) => {
            let meetings: Vec<MeetingLink> = r.years[&year]
                .iter()
                .map(|&(ci, mi)| {
                    let council = &r.archive.councils[ci];
                    meeting_link(council, &council.meetings[mi], r, &linker)
                })
                .collect();
            let heading = texts.fill("archive_year_heading", &[("year", &year.to_string())]);
            context.insert("heading", &heading);
            context.insert("meetings", &meetings);
            let crumbs = vec![
                home,
                Crumb {
                    label: texts.get("archive").to_owned(),
                    href: Some(linker.page("arkiv/")),
                },
                current(&year.to_string()),
            ];
            ("archive_year.html", heading, crumbs)
        }
        PageKind::Case(i) => {
            let view = case_view(&r.archive.cases[i], r, &linker);
            let crumbs = vec![home, current(&view.heading)];
            let title = view.heading.clone();
            context.insert("case", &view);
            ("case.html", title, crumbs)
        }
        PageKind::Search => {
            context.insert(
                "script",
                &linker.file(&format!("{STATIC_DIR}/search-page.js")),
            );
            context.insert("months", &texts.months);
            (
                "search.html",
                texts.get("search_heading").to_owned(),
                vec![home, current(texts.get("search"))],
            )
        }
        PageKind::NotFound => (
            "404.html",
            texts.get("not_found_heading").to_owned(),
            Vec::new(),
        ),
    };
    context.insert(
        "page",
        &PageView {
            title,
            canonical,
            breadcrumbs,
        },
    );
    Ok((template, context))
}

fn current(label: &str) -> Crumb {
    Crumb {
        label: label.to_owned(),
        href: None,
    }
}

fn meeting_count(r: &Renderer<'_>, count: usize) -> String {
    match count {
        1 => r.theme.texts.get("meeting_count_one").to_owned(),
        n => r
            .theme
            .texts
            .fill("meeting_count_many", &[("count", &n.to_string())]),
    }
}

fn meeting_link(
    council: &Council,
    meeting: &Meeting,
    r: &Renderer<'_>,
    linker: &Linker,
) -> MeetingLink {
    MeetingLink {
        heading: r.theme.texts.meeting_heading(&council.name, meeting),
        date: r.theme.texts.date(meeting.date),
        status_label: r.theme.texts.status_label(meeting.status).to_owned(),
        href: linker.page(&format!("{}/{}/", council.slug, meeting.slug)),
    }
}

fn municipalities<'a>(r: &Renderer<'a>, linker: &Linker) -> Vec<Municipality<'a>> {
    let mut groups: Vec<Municipality<'a>> = Vec::new();
    let mut councils: Vec<&'a Council> = r.archive.councils.iter().collect();
    let own = r.archive.config.municipality.as_str();
    councils.sort_by(|a, b| {
        (a.municipality != own, &a.municipality, &a.name).cmp(&(
            b.municipality != own,
            &b.municipality,
            &b.name,
        ))
    });
    for council in councils {
        let link = CouncilLink {
            name: &council.name,
            kind: council.kind.as_deref(),
            href: linker.page(&format!("{}/", council.slug)),
            meeting_count: meeting_count(r, council.meetings.len()),
        };
        match groups.last_mut() {
            Some(group) if group.name == council.municipality => group.councils.push(link),
            _ => groups.push(Municipality {
                name: &council.municipality,
                councils: vec![link],
            }),
        }
    }
    groups
}

fn latest(r: &Renderer<'_>, linker: &Linker) -> Vec<MeetingLink> {
    r.years
        .values()
        .rev()
        .flatten()
        .take(LATEST)
        .map(|&(ci, mi)| {
            let council = &r.archive.councils[ci];
            meeting_link(council, &council.meetings[mi], r, linker)
        })
        .collect()
}

fn council_view<'a>(council: &'a Council, r: &Renderer<'_>, linker: &Linker) -> CouncilView<'a> {
    let href = linker.page(&format!("{}/", council.slug));
    CouncilView {
        name: &council.name,
        kind: council.kind.as_deref(),
        municipality: &council.municipality,
        established: council.established.map(|d| r.theme.texts.date(d)),
        members: &council.members,
        contact: council.contact.as_ref(),
        kommissorium_html: &council.kommissorium_html,
        archive_href: format!("{href}#moeder"),
        href,
        feed: linker.file(&format!("{}/{}", council.slug, feeds::ATOM)),
        calendar: linker.file(&format!("{}/{}", council.slug, feeds::CALENDAR)),
    }
}

fn council_years(council: &Council, r: &Renderer<'_>, linker: &Linker) -> Vec<Year> {
    let mut years: Vec<Year> = Vec::new();
    for meeting in council.meetings.iter().rev() {
        let year = chrono::Datelike::year(&meeting.date);
        let link = meeting_link(council, meeting, r, linker);
        match years.last_mut() {
            Some(y) if y.year == year => y.meetings.push(link),
            _ => years.push(Year {
                year,
                href: linker.page(&format!("arkiv/{year}/")),
                meeting_count: String::new(),
                meetings: vec![link],
            }),
        }
    }
    for year in &mut years {
        year.meeting_count = meeting_count(r, year.meetings.len());
    }
    years
}

fn meeting_view<'a>(
    council: &Council,
    meeting: &'a Meeting,
    text: &'a MeetingText,
    r: &Renderer<'_>,
    linker: &Linker,
) -> MeetingView<'a> {
    let items = meeting
        .items
        .iter()
        .map(|item| ItemView {
            number: item.number,
            anchor: format!("punkt-{}", item.number),
            title: &item.title,
            case: item.case.as_deref(),
            case_href: item.case.as_deref().map(|id| linker.page(&case_dir(id))),
            closed: item.closed,
            sections: text
                .of(item)
                .iter()
                .map(|s| SectionView {
                    kind: s.kind,
                    title: &s.title,
                    html: &s.html,
                })
                .collect(),
        })
        .collect();
    let texts = &r.theme.texts;
    MeetingView {
        heading: texts.meeting_heading(&council.name, meeting),
        selected: texts.fill("selected_meeting", &[("council", &council.name)]),
        date: texts.date(meeting.date),
        time: texts.meeting_time(meeting),
        start: meeting.start.as_deref(),
        end: meeting.end.as_deref(),
        place: meeting.place.as_deref(),
        status: meeting.status,
        status_label: texts.status_label(meeting.status).to_owned(),
        participants: &meeting.participants,
        absent: &meeting.absent,
        intro_html: &text.intro_html,
        items,
        json: linker.file(&opendata::meeting_path(council, meeting)),
    }
}

fn case_view<'a>(case: &'a Case, r: &Renderer<'a>, linker: &Linker) -> CaseView<'a> {
    let texts = &r.theme.texts;
    let items = case
        .items
        .iter()
        .map(|&at| {
            let (council, meeting, item) = r.archive.item(at);
            CaseItemView {
                href: format!(
                    "{}#punkt-{}",
                    linker.page(&format!("{}/{}/", council.slug, meeting.slug)),
                    item.number
                ),
                number: item.number,
                title: &item.title,
                date: texts.date(meeting.date),
                iso_date: meeting.date.format("%Y-%m-%d").to_string(),
                council: &council.name,
                status_label: texts.status_label(meeting.status).to_owned(),
                decision: item
                    .decision
                    .as_ref()
                    .map(|text| shorten(&text.replace('\n', " "), DECISION_CHARS)),
            }
        })
        .collect();
    CaseView {
        id: &case.id,
        heading: texts.fill("case_heading", &[("case", &case.id)]),
        items,
    }
}

/// `text` cut to at most `limit` characters, at the end of a word, with "…" when it was cut.
fn shorten(text: &str, limit: usize) -> String {
    let Some((cut, _)) = text.char_indices().nth(limit) else {
        return text.to_owned();
    };
    let head = &text[..cut];
    let head = match head.rfind(' ') {
        Some(space) if !text[cut..].starts_with(' ') => &head[..space],
        _ => head,
    };
    format!("{}…", head.trim_end_matches([' ', ',', ';', ':', '.']))
}

#[cfg(test)]
mod tests {
    use super::shorten;

    #[test]
    fn shorten_cuts_at_the_end_of_a_word() {
        assert_eq!(shorten("Godkendt.", 9), "Godkendt.");
        assert_eq!(shorten("Drøftedes og godkendtes", 12), "Drøftedes og…");
        assert_eq!(shorten("Drøftedes og godkendtes", 14), "Drøftedes og…");
        assert_eq!(shorten("Udsat, til næste møde", 7), "Udsat…");
    }
}
