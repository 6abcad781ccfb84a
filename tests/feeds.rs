//! Subscriptions and discovery: the Atom feeds, the iCalendar files, sitemap.xml and robots.txt,
//! read back with real parsers (feed-rs, icalendar, quick-xml), and the pages' links to them.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use common::*;
use icalendar::{CalendarDateTime, Component, DatePerhapsTime, EventLike};

/// ../shared/examples' `base_url`, which these builds keep.
const BASE: &str = "https://www.example.dk/raad/";
/// The marker in the closed item of ../shared/examples.
const CANARY: &str = "KANARIE-7731";

/// ../shared/examples with more meetings: a winter one, two all-day ones on one day, a second
/// council meeting at the very same moment as the first, one past midnight, one more than a
/// year before the newest, and a council without meetings. Built: (guard, output folder).
fn build_fixture() -> (tempfile::TempDir, PathBuf) {
    let (dir, root) = site_copy(&examples());
    let meeting = |path: &str, front: &str, body: &str| {
        write_file(&root, path, &format!("---\n{front}---\n\n{body}"));
    };
    meeting(
        "content/integrationsraadet/2024-01-15.md",
        "date: 2024-01-15\nstart: \"16:00\"\nend: \"18:00\"\n\
         place: \"Rådhuset, lokale 2; 1. sal\"\nstatus: dagsorden\n",
        "## Godkendelse af dagsorden\n\n## Budget 2025 {case=EMN-2024-00001}\n\nTekst.\n",
    );
    meeting(
        "content/integrationsraadet/2024-03-05.md",
        "date: 2024-03-05\nstatus: dagsorden\n",
        "## Temadag\n",
    );
    meeting(
        "content/integrationsraadet/2024-03-05-ekstra.md",
        "date: 2024-03-05\nstatus: dagsorden\n",
        "## Ekstra temadag\n",
    );
    write_file(
        &root,
        "content/beskaeftigelsesraadet/_index.md",
        "---\nname: Beskæftigelsesrådet\n---\n\nRådet for beskæftigelse.\n",
    );
    meeting(
        "content/beskaeftigelsesraadet/2024-01-15.md",
        "date: 2024-01-15\nstart: \"16:00\"\nstatus: referat\n",
        "## Ledighed\n",
    );
    meeting(
        "content/beskaeftigelsesraadet/2023-06-20.md",
        "date: 2023-06-20\nstart: \"22:00\"\nend: \"00:30\"\nstatus: referat\n",
        "## Sent møde\n",
    );
    meeting(
        "content/beskaeftigelsesraadet/2022-12-01.md",
        "date: 2022-12-01\nstart: \"09:00\"\nstatus: referat\n",
        "## Gammelt møde\n",
    );
    write_file(
        &root,
        "content/tomt-udvalg/_index.md",
        "---\nname: Tomt udvalg\n---\n",
    );
    let out = root.join("public");
    build_ok(&root, &out, &[]);
    (dir, out)
}

fn read_feed(out: &Path, path: &str) -> feed_rs::model::Feed {
    let bytes = fs::read(out.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    feed_rs::parser::parse(bytes.as_slice()).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn read_calendar(out: &Path, path: &str) -> icalendar::Calendar {
    page(out, path)
        .parse()
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The href of the link of `rel` (`None`: no rel, which Atom reads as alternate).
fn link<'a>(links: &'a [feed_rs::model::Link], rel: &str) -> &'a str {
    links
        .iter()
        .find(|l| l.rel.as_deref().unwrap_or("alternate") == rel)
        .map(|l| l.href.as_str())
        .unwrap_or_else(|| panic!("no link rel={rel}"))
}

/// `<council>/<meeting>` of a meeting page's absolute URL.
fn meeting_of(url: &str) -> String {
    file_of_url(BASE, url)
        .strip_suffix("/index.html")
        .unwrap()
        .to_owned()
}

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

#[test]
fn the_site_feed_lists_every_meeting_newest_first_with_copenhagen_offsets() {
    let (_dir, out) = build_fixture();
    let feed = read_feed(&out, "atom.xml");
    assert_eq!(
        feed.title.as_ref().unwrap().content,
        "Dagsordener og referater - Aalborg Kommune"
    );
    assert_eq!(feed.id, format!("{BASE}atom.xml"));
    assert_eq!(link(&feed.links, "self"), format!("{BASE}atom.xml"));
    assert_eq!(link(&feed.links, "alternate"), BASE);
    assert_eq!(feed.language.as_deref(), Some("da"));

    let order: Vec<String> = feed
        .entries
        .iter()
        .map(|e| meeting_of(link(&e.links, "alternate")))
        .collect();
    assert_eq!(
        order,
        [
            "integrationsraadet/2024-03-05",
            "integrationsraadet/2024-03-05-ekstra",
            "beskaeftigelsesraadet/2024-01-15",
            "integrationsraadet/2024-01-15",
            "integrationsraadet/2023-10-10",
            "beskaeftigelsesraadet/2023-06-20",
            "beskaeftigelsesraadet/2022-12-01",
        ],
        "newest first; at the same moment by council slug, then meeting slug"
    );
    assert_eq!(feed.updated, feed.entries[0].updated);

    let files = read_tree(&out);
    for entry in &feed.entries {
        let href = link(&entry.links, "alternate");
        let file = file_of_url(BASE, href);
        assert!(files.contains_key(&file), "{href} leads to missing {file}");
        let body = entry.content.as_ref().unwrap().body.as_deref().unwrap();
        let page = page(&out, &file);
        for anchor in attribute_values(body, "href") {
            assert_eq!(file_of_url(BASE, &anchor), file, "{anchor}");
            let id = anchor.split_once('#').unwrap().1;
            assert!(page.contains(&format!(" id=\"{id}\"")), "{anchor}");
        }
    }
    let ids: BTreeSet<&str> = feed.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids.len(), feed.entries.len(), "entry ids are unique");

    let entry = |slug: &str| {
        feed.entries
            .iter()
            .find(|e| meeting_of(link(&e.links, "alternate")) == slug)
            .unwrap()
    };
    let summer = entry("integrationsraadet/2023-10-10");
    assert_eq!(
        summer.title.as_ref().unwrap().content,
        "10. oktober 2023 - referat fra Integrationsrådet"
    );
    assert_eq!(summer.updated, Some(utc("2023-10-10T14:00:00Z")));
    assert_eq!(
        summer.id,
        format!("{BASE}integrationsraadet/2023-10-10/#referat")
    );
    let terms: Vec<&str> = summer.categories.iter().map(|c| c.term.as_str()).collect();
    assert_eq!(terms, ["integrationsraadet", "referat"]);
    let body = summer.content.as_ref().unwrap().body.as_deref().unwrap();
    assert!(
        body.contains("Tid: 10. oktober 2023, 16:00–18:30"),
        "{body}"
    );
    assert!(
        body.contains("Indstilling af kandidat til Det Nationale Integrationsråd</a> (Lukket)"),
        "a closed item's title is listed and marked: {body}"
    );

    let winter = entry("integrationsraadet/2024-01-15");
    assert_eq!(
        winter.title.as_ref().unwrap().content,
        "15. januar 2024 - dagsorden for Integrationsrådet"
    );
    assert_eq!(winter.updated, Some(utc("2024-01-15T15:00:00Z")));
    assert!(
        winter
            .id
            .ends_with("/integrationsraadet/2024-01-15/#dagsorden")
    );
    let body = winter.content.as_ref().unwrap().body.as_deref().unwrap();
    assert!(body.contains("Sted: Rådhuset, lokale 2; 1. sal"), "{body}");
    let all_day = entry("integrationsraadet/2024-03-05");
    assert_eq!(all_day.updated, Some(utc("2024-03-04T23:00:00Z")));

    // The offsets as written, which a parser turns into UTC.
    let xml = page(&out, "atom.xml");
    for stamp in [
        "<updated>2023-10-10T16:00:00+02:00</updated>",
        "<updated>2024-01-15T16:00:00+01:00</updated>",
        "<updated>2024-03-05T00:00:00+01:00</updated>",
    ] {
        assert!(xml.contains(stamp), "{stamp}");
    }
    assert!(!xml.contains(CANARY));
}

#[test]
fn a_council_feed_holds_its_own_meetings_and_an_empty_one_is_still_valid() {
    let (_dir, out) = build_fixture();
    let feed = read_feed(&out, "integrationsraadet/atom.xml");
    assert_eq!(
        feed.title.as_ref().unwrap().content,
        "Integrationsrådet - Aalborg Kommune"
    );
    assert_eq!(
        link(&feed.links, "self"),
        format!("{BASE}integrationsraadet/atom.xml")
    );
    assert_eq!(
        link(&feed.links, "alternate"),
        format!("{BASE}integrationsraadet/")
    );
    let order: Vec<String> = feed
        .entries
        .iter()
        .map(|e| meeting_of(link(&e.links, "alternate")))
        .collect();
    assert_eq!(
        order,
        [
            "integrationsraadet/2024-03-05",
            "integrationsraadet/2024-03-05-ekstra",
            "integrationsraadet/2024-01-15",
            "integrationsraadet/2023-10-10",
        ]
    );
    assert_eq!(feed.authors[0].name, "Aalborg Kommune");

    let empty = read_feed(&out, "tomt-udvalg/atom.xml");
    assert!(empty.entries.is_empty());
    assert_eq!(empty.updated, Some(utc("1970-01-01T00:00:00Z")));
    assert_eq!(
        empty.title.as_ref().unwrap().content,
        "Tomt udvalg - Aalborg Kommune"
    );
}

#[test]
fn calendars_hold_timed_all_day_winter_and_summer_meetings_in_utc() {
    let (_dir, out) = build_fixture();
    let text = page(&out, "kalender.ics");
    assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
    assert!(text.ends_with("END:VCALENDAR\r\n"));
    for (i, line) in text.split_terminator("\r\n").enumerate() {
        assert!(!line.contains('\n'), "line {i}: a line ends without CR");
        assert!(
            line.len() <= 75,
            "line {i} has {} octets: {line}",
            line.len()
        );
    }
    assert!(
        text.contains("LOCATION:Rådhuset\\, lokale 2\\; 1. sal\r\n"),
        "text is escaped"
    );
    assert!(!text.contains(CANARY));

    let calendar: icalendar::Calendar = text.parse().unwrap();
    assert_eq!(
        calendar.get_name(),
        Some("Møder i råd og udvalg - Aalborg Kommune")
    );
    assert_eq!(calendar.get_timezone(), Some("Europe/Copenhagen"));
    let uids: Vec<&str> = calendar.events().map(|e| e.get_uid().unwrap()).collect();
    assert_eq!(
        uids,
        [
            "raad/integrationsraadet/2024-03-05@www.example.dk",
            "raad/integrationsraadet/2024-03-05-ekstra@www.example.dk",
            "raad/beskaeftigelsesraadet/2024-01-15@www.example.dk",
            "raad/integrationsraadet/2024-01-15@www.example.dk",
            "raad/integrationsraadet/2023-10-10@www.example.dk",
            "raad/beskaeftigelsesraadet/2023-06-20@www.example.dk",
        ],
        "the same order as the feeds, and nothing more than a year before the newest meeting"
    );
    let files = read_tree(&out);
    let event = |uid: &str| {
        calendar
            .events()
            .find(|e| e.get_uid() == Some(uid))
            .unwrap_or_else(|| panic!("no event {uid}"))
    };
    let at = |text: &str| Some(DatePerhapsTime::DateTime(CalendarDateTime::Utc(utc(text))));
    for event in calendar.events() {
        let url = event.get_url().unwrap();
        assert!(files.contains_key(&file_of_url(BASE, url)), "{url}");
        assert!(event.get_timestamp().is_some(), "every event has a DTSTAMP");
    }

    let winter = event("raad/integrationsraadet/2024-01-15@www.example.dk");
    assert_eq!(winter.get_start(), at("2024-01-15T15:00:00Z"));
    assert_eq!(winter.get_end(), at("2024-01-15T17:00:00Z"));
    assert_eq!(winter.get_timestamp(), Some(utc("2024-01-15T15:00:00Z")));
    assert_eq!(winter.get_summary(), Some("Møde i Integrationsrådet"));
    assert_eq!(winter.get_location(), Some("Rådhuset, lokale 2; 1. sal"));
    assert_eq!(
        winter.get_url(),
        Some(format!("{BASE}integrationsraadet/2024-01-15/").as_str())
    );
    assert_eq!(
        winter.get_description(),
        Some(
            format!(
                "15. januar 2024 - dagsorden for Integrationsrådet\n\n1. Godkendelse af \
                 dagsorden\n2. Budget 2025\n\n{BASE}integrationsraadet/2024-01-15/"
            )
            .as_str()
        )
    );

    let summer = event("raad/integrationsraadet/2023-10-10@www.example.dk");
    assert_eq!(summer.get_start(), at("2023-10-10T14:00:00Z"));
    assert_eq!(summer.get_end(), at("2023-10-10T16:30:00Z"));
    let description = summer.get_description().unwrap();
    assert!(
        description
            .contains("\n4. Indstilling af kandidat til Det Nationale Integrationsråd (Lukket)"),
        "{description}"
    );

    let all_day = event("raad/integrationsraadet/2024-03-05@www.example.dk");
    assert_eq!(
        all_day.get_start(),
        Some(DatePerhapsTime::Date(date("2024-03-05")))
    );
    assert_eq!(
        all_day.get_end(),
        Some(DatePerhapsTime::Date(date("2024-03-06")))
    );
    assert!(text.contains("DTSTART;VALUE=DATE:20240305\r\n"));

    let no_end = event("raad/beskaeftigelsesraadet/2024-01-15@www.example.dk");
    assert_eq!(no_end.get_start(), at("2024-01-15T15:00:00Z"));
    assert_eq!(no_end.get_end(), None, "no end is made up");

    let past_midnight = event("raad/beskaeftigelsesraadet/2023-06-20@www.example.dk");
    assert_eq!(past_midnight.get_start(), at("2023-06-20T20:00:00Z"));
    assert_eq!(past_midnight.get_end(), at("2023-06-20T22:30:00Z"));
}

#[test]
fn a_council_calendar_holds_its_own_meetings_of_the_calendar_window() {
    let (_dir, out) = build_fixture();
    let calendar = read_calendar(&out, "beskaeftigelsesraadet/kalender.ics");
    assert_eq!(
        calendar.get_name(),
        Some("Møder i Beskæftigelsesrådet - Aalborg Kommune")
    );
    let uids: Vec<&str> = calendar.events().map(|e| e.get_uid().unwrap()).collect();
    assert_eq!(
        uids,
        [
            "raad/beskaeftigelsesraadet/2024-01-15@www.example.dk",
            "raad/beskaeftigelsesraadet/2023-06-20@www.example.dk",
        ]
    );
    let empty = read_calendar(&out, "tomt-udvalg/kalender.ics");
    assert_eq!(empty.events().count(), 0);
    assert_eq!(
        empty.property_value("SOURCE"),
        Some(format!("{BASE}tomt-udvalg/kalender.ics").as_str())
    );
}

/// Every `<loc>` of the sitemap file `xml`, which must be well-formed.
fn sitemap_locations(xml: &str) -> (String, Vec<String>) {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut root, mut locations, mut in_loc) = (None, Vec::new(), false);
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                in_loc = name == "loc";
                root.get_or_insert(name);
            }
            Event::Text(t) if in_loc => locations.push(t.decode().unwrap().into_owned()),
            Event::End(_) => in_loc = false,
            Event::Eof => break,
            _ => {}
        }
    }
    (root.unwrap(), locations)
}

#[test]
fn the_sitemap_lists_every_page_and_robots_txt_points_to_it() {
    let (_dir, out) = build_fixture();
    let (root, locations) = sitemap_locations(&page(&out, "sitemap.xml"));
    assert_eq!(root, "urlset");
    let listed: BTreeSet<String> = locations.iter().map(|u| file_of_url(BASE, u)).collect();
    assert_eq!(listed.len(), locations.len(), "each page once");
    let pages: BTreeSet<String> = read_tree(&out)
        .into_keys()
        .filter(|p| p.ends_with(".html") && p != "404.html")
        .collect();
    assert!(pages.len() > 12, "{pages:?}");
    assert_eq!(listed, pages, "the sitemap lists every page but 404.html");
    assert!(locations.iter().all(|u| u.starts_with(BASE)));
    assert!(locations.contains(&format!("{BASE}integrationsraadet/2024-03-05-ekstra/")));

    assert_eq!(
        page(&out, "robots.txt"),
        format!("User-agent: *\nAllow: /\n\nSitemap: {BASE}sitemap.xml\n")
    );
}

/// The output file `href`, a link on the page `page`, leads to.
fn resolve(page: &str, href: &str) -> String {
    let base_path = "/raad/";
    let joined = match href.strip_prefix(base_path) {
        Some(from_root) => from_root.to_owned(),
        None => format!(
            "{}/{href}",
            page.rsplit_once('/').map_or("", |(dir, _)| dir)
        ),
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop().expect("the link stays in the site");
            }
            part => parts.push(part),
        }
    }
    parts.join("/")
}

#[test]
fn every_page_names_the_site_feed_and_council_pages_their_own_too() {
    let (_dir, out) = build_fixture();
    let files = read_tree(&out);
    let mut council_pages = 0;
    for (path, bytes) in &files {
        if !path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes.clone()).unwrap();
        let head = &html[..html.find("</head>").unwrap()];
        let feeds: Vec<String> = head
            .split("<link ")
            .filter(|tag| tag.starts_with("rel=\"alternate\" type=\"application/atom+xml\""))
            .map(|tag| resolve(path, &attribute_values(&format!(" {tag}"), "href")[0]))
            .collect();
        let council = path
            .split_once('/')
            .map(|(first, _)| first)
            .filter(|first| files.contains_key(&format!("{first}/atom.xml")));
        let mut expected = vec!["atom.xml".to_owned()];
        if let Some(council) = council {
            expected.push(format!("{council}/atom.xml"));
            council_pages += 1;
        }
        assert_eq!(feeds, expected, "{path}");
    }
    assert!(
        council_pages > 8,
        "council and meeting pages: {council_pages}"
    );
    let head = page(&out, "integrationsraadet/index.html");
    assert!(head.contains(
        "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Integrationsrådet - \
         Aalborg Kommune\" href=\"../integrationsraadet/atom.xml\">"
    ));

    for (page_path, prefix) in [
        ("integrationsraadet/index.html", "integrationsraadet/"),
        ("index.html", ""),
    ] {
        let html = page(&out, page_path);
        for (file, kind, text) in [
            (
                "atom.xml",
                "application/atom+xml",
                "Nye dagsordener og referater som feed (Atom)",
            ),
            (
                "kalender.ics",
                "text/calendar",
                "Møderne i din kalender (iCalendar)",
            ),
        ] {
            let start = html
                .find(&format!("\" type=\"{kind}\">{text}</a>"))
                .unwrap_or_else(|| panic!("{page_path}: no visible link to {file}"));
            let href_at = html[..start].rfind("href=\"").unwrap() + "href=\"".len();
            assert_eq!(
                resolve(page_path, &html[href_at..start]),
                format!("{prefix}{file}")
            );
        }
    }
}

#[test]
fn an_english_site_names_its_feeds_and_calendars_in_english() {
    let (_dir, out) = build_english_examples();
    let calendar = read_calendar(&out, "integrationsraadet/kalender.ics");
    assert_eq!(
        calendar.get_name(),
        Some("Meetings of Integrationsrådet - Aalborg Kommune")
    );
    let event = calendar.events().next().unwrap();
    assert_eq!(event.get_summary(), Some("Meeting of Integrationsrådet"));
    assert!(event.get_description().unwrap().contains("(Closed)"));
    let feed = read_feed(&out, "atom.xml");
    assert_eq!(feed.language.as_deref(), Some("en"));
    let entry = &feed.entries[0];
    assert_eq!(
        entry.title.as_ref().unwrap().content,
        "10 October 2023 - minutes of Integrationsrådet"
    );
    assert!(
        entry
            .content
            .as_ref()
            .unwrap()
            .body
            .as_deref()
            .unwrap()
            .contains("Time: 10 October 2023, 16:00–18:30")
    );
    let html = page(&out, "integrationsraadet/index.html");
    assert!(html.contains(">New agendas and minutes as a feed (Atom)</a>"));
    assert!(html.contains(">The meetings in your calendar (iCalendar)</a>"));
}

/// Date and start time ("HH:MM", "" for none) of the meeting file `path`.
fn when(path: &Path) -> (String, String) {
    let text = fs::read_to_string(path).unwrap();
    let value = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{key}: ")))
            .map(|v| v.trim_matches('"').to_owned())
    };
    (value("date").unwrap(), value("start").unwrap_or_default())
}

#[test]
fn feeds_keep_the_50_newest_meetings_and_calendars_the_last_year() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    generate_corpus(&root, 160);
    let out = root.join("public");
    build_ok(&root, &out, &["--base-url", BASE]);

    // Every meeting as (date, start, council, slug), newest first as the feeds order them.
    let mut meetings = Vec::new();
    for council in fs::read_dir(root.join("content")).unwrap() {
        let council = council.unwrap().path();
        for file in fs::read_dir(&council).unwrap() {
            let file = file.unwrap().path();
            let name = file.file_name().unwrap().to_str().unwrap().to_owned();
            if let Some(slug) = name.strip_suffix(".md").filter(|s| *s != "_index") {
                let (date, start) = when(&file);
                let council = council.file_name().unwrap().to_str().unwrap().to_owned();
                meetings.push((date, start, council, slug.to_owned()));
            }
        }
    }
    meetings.sort_by(|a, b| {
        (&b.0, &b.1)
            .cmp(&(&a.0, &a.1))
            .then((&a.2, &a.3).cmp(&(&b.2, &b.3)))
    });
    assert_eq!(meetings.len(), 160);

    let feed = read_feed(&out, "atom.xml");
    let listed: Vec<String> = feed
        .entries
        .iter()
        .map(|e| meeting_of(link(&e.links, "alternate")))
        .collect();
    let newest: Vec<String> = meetings[..50]
        .iter()
        .map(|(_, _, council, slug)| format!("{council}/{slug}"))
        .collect();
    assert_eq!(listed, newest);

    let busiest = meetings
        .iter()
        .map(|m| &m.2)
        .max_by_key(|c| meetings.iter().filter(|m| &m.2 == *c).count())
        .unwrap();
    let council_feed = read_feed(&out, &format!("{busiest}/atom.xml"));
    let own = meetings.iter().filter(|m| &m.2 == busiest).count();
    assert_eq!(council_feed.entries.len(), own.min(50));

    let from = date(&meetings[0].0)
        .checked_sub_months(chrono::Months::new(12))
        .unwrap();
    let expected: BTreeSet<String> = meetings
        .iter()
        .filter(|m| date(&m.0) >= from)
        .map(|(_, _, council, slug)| format!("raad/{council}/{slug}@www.example.dk"))
        .collect();
    let calendar = read_calendar(&out, "kalender.ics");
    let uids: BTreeSet<String> = calendar
        .events()
        .map(|e| e.get_uid().unwrap().to_owned())
        .collect();
    assert!(
        expected.len() > 3 && expected.len() < meetings.len(),
        "{}",
        expected.len()
    );
    assert_eq!(uids, expected);
    let winter_or_summer: BTreeSet<bool> = calendar
        .events()
        .filter_map(|e| match e.get_start()? {
            DatePerhapsTime::DateTime(CalendarDateTime::Utc(t)) => Some(t),
            _ => None,
        })
        .map(|t| {
            chrono_tz::Europe::Copenhagen
                .from_utc_datetime(&t.naive_utc())
                .format("%z")
                .to_string()
                == "+0200"
        })
        .collect();
    assert_eq!(
        winter_or_summer.len(),
        2,
        "a year holds winter and summer meetings"
    );
}

#[test]
fn opened_from_disk_the_feeds_link_index_files_and_there_is_no_sitemap() {
    let (_dir, root) = site_copy(&examples());
    let out = root.join("public");
    let base = format!("file://{}/", out.display());
    build_ok(&root, &out, &["--base-url", &base]);
    let feed = read_feed(&out, "atom.xml");
    let href = link(&feed.entries[0].links, "alternate");
    assert_eq!(
        href,
        format!("{base}integrationsraadet/2023-10-10/index.html")
    );
    assert!(out.join(file_of_url(&base, href)).is_file());
    let calendar = read_calendar(&out, "kalender.ics");
    let uid = calendar
        .events()
        .next()
        .unwrap()
        .get_uid()
        .unwrap()
        .to_owned();
    assert!(
        uid.ends_with("/integrationsraadet/2023-10-10@localhost"),
        "{uid}"
    );
    assert!(!out.join("sitemap.xml").exists());
    assert!(!out.join("robots.txt").exists());
}
