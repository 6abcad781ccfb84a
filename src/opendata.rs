//! Open data (docs/open-data.md): every meeting as a JSON file beside its council's pages,
//! `<council>/<meeting>.json`, and `moeder.json`, an index of every council and meeting.
//!
//! The files say what the meeting pages say, as data: a closed item is its number and title, since
//! the model holds nothing more of it. Paths in them are relative to the site's root, like the
//! pages' links, so one build serves at a domain root, under a sub-path and from disk. Nothing in
//! them comes from the clock, and meetings are listed in a fixed order, so two builds of the same
//! input are byte-identical.

use std::collections::HashSet;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use rayon::prelude::*;
use serde::Serialize;

use crate::content::{
    Archive, Attachment, Council, Meeting, MeetingText, Section, SectionKind, Status, meeting_key,
};
use crate::html::attribute_values;
use crate::output::Sink;
use crate::render::case_dir;

/// The version of the format of the files, in their `format` field: it changes when a field is
/// removed or changes its meaning, not when one is added.
pub const FORMAT: u32 = 1;

/// The index's file name, at the site's root.
pub const INDEX: &str = "moeder.json";

/// The path of the JSON file of `meeting` from the site's root: beside its page's folder,
/// `integrationsraadet/2023-10-10.json`, where no page or attachment can have the name.
pub fn meeting_path(council: &Council, meeting: &Meeting) -> String {
    format!("{}/{}.json", council.slug, meeting.slug)
}

/// Write the JSON file of every meeting of `archive` (those whose [`meeting_key`] is unchanged
/// since the last build stay as they are) and the index through `sink`, and return how many
/// files there are.
pub fn write(archive: &Archive, sink: &Sink) -> Result<usize> {
    let meetings: Vec<(&Council, &Meeting)> = archive.meetings().collect();
    meetings.par_iter().try_for_each(|&(council, meeting)| {
        let path = meeting_path(council, meeting);
        let key = meeting_key(archive, council, meeting);
        if sink.unchanged(&path, key) {
            return Ok(());
        }
        let text = meeting.text()?;
        let json = pretty(&meeting_file(council, meeting, &text))
            .with_context(|| format!("cannot write {path}"))?;
        sink.write_keyed(&path, key, json.as_bytes())
    })?;
    sink.write(INDEX, index(archive)?.as_bytes())?;
    Ok(meetings.len() + 1)
}

/// `value` as indented JSON, ending in a line break.
fn pretty(value: &impl Serialize) -> Result<String> {
    let mut json = serde_json::to_string_pretty(value)?;
    json.push('\n');
    Ok(json)
}

/// A council as the files name it.
#[derive(Serialize)]
struct CouncilData<'a> {
    slug: &'a str,
    name: &'a str,
    municipality: &'a str,
    /// Its page.
    url: String,
}

impl<'a> CouncilData<'a> {
    fn of(council: &'a Council) -> Self {
        CouncilData {
            slug: &council.slug,
            name: &council.name,
            municipality: &council.municipality,
            url: format!("{}/", council.slug),
        }
    }
}

/// `<council>/<meeting>.json`.
#[derive(Serialize)]
struct MeetingFile<'a> {
    format: u32,
    council: CouncilData<'a>,
    slug: &'a str,
    date: NaiveDate,
    start: Option<&'a str>,
    end: Option<&'a str>,
    place: Option<&'a str>,
    status: Status,
    /// Its page.
    url: String,
    participants: &'a [String],
    absent: &'a [String],
    /// The text before the first item.
    intro: Option<Text<'a>>,
    items: Vec<ItemData<'a>>,
    /// Every file the meeting publishes.
    attachments: Vec<AttachmentData>,
}

/// A body as the page shows it (`html`) and as plain text.
#[derive(Serialize)]
struct Text<'a> {
    html: &'a str,
    text: String,
}

impl<'a> Text<'a> {
    fn of(html: &'a str) -> Self {
        Text {
            html,
            text: crate::html::to_text(html),
        }
    }
}

/// An item: open with everything the page shows, or closed with its number and title only.
#[derive(Serialize)]
#[serde(untagged)]
enum ItemData<'a> {
    Open(Box<OpenItem<'a>>),
    Closed {
        number: usize,
        title: &'a str,
        closed: bool,
    },
}

#[derive(Serialize)]
struct OpenItem<'a> {
    number: usize,
    title: &'a str,
    closed: bool,
    /// The item on its meeting page.
    url: String,
    case: Option<&'a str>,
    /// The page of its Sags ID.
    case_url: Option<String>,
    /// The plain text of its Beslutning sections.
    decision: Option<String>,
    sections: Vec<SectionData<'a>>,
    /// The files its sections link to.
    attachments: Vec<AttachmentData>,
}

#[derive(Serialize)]
struct SectionData<'a> {
    kind: SectionKind,
    heading: Option<&'a str>,
    #[serde(flatten)]
    body: Text<'a>,
}

#[derive(Serialize)]
struct AttachmentData {
    file_name: String,
    url: String,
    #[serde(rename = "type")]
    file_type: Option<String>,
    size: u64,
}

fn meeting_file<'a>(
    council: &'a Council,
    meeting: &'a Meeting,
    text: &'a MeetingText,
) -> MeetingFile<'a> {
    let dir = format!("{}/{}/", council.slug, meeting.slug);
    let attachment = |a: &Attachment| AttachmentData {
        file_name: a.file_name.clone(),
        url: format!("{dir}{}", a.file_name),
        file_type: a.file_type(),
        size: a.size,
    };
    let items = meeting
        .items
        .iter()
        .map(|item| {
            if item.closed {
                return ItemData::Closed {
                    number: item.number,
                    title: &item.title,
                    closed: true,
                };
            }
            ItemData::Open(Box::new(OpenItem {
                number: item.number,
                title: &item.title,
                closed: false,
                url: format!("{dir}#punkt-{}", item.number),
                case: item.case.as_deref(),
                case_url: item.case.as_deref().map(case_dir),
                decision: item.decision.clone(),
                sections: text
                    .of(item)
                    .iter()
                    .map(|s| SectionData {
                        kind: s.kind,
                        heading: Some(s.title.as_str()).filter(|t| !t.is_empty()),
                        body: Text::of(&s.html),
                    })
                    .collect(),
                attachments: {
                    let targets = link_targets(text.of(item));
                    meeting
                        .attachments
                        .iter()
                        .filter(|a| targets.contains(a.file_name.as_str()))
                        .map(attachment)
                        .collect()
                },
            }))
        })
        .collect();
    MeetingFile {
        format: FORMAT,
        council: CouncilData::of(council),
        slug: &meeting.slug,
        date: meeting.date,
        start: meeting.start.as_deref(),
        end: meeting.end.as_deref(),
        place: meeting.place.as_deref(),
        status: meeting.status,
        url: dir.clone(),
        participants: &meeting.participants,
        absent: &meeting.absent,
        intro: (!text.intro_html.is_empty()).then(|| Text::of(&text.intro_html)),
        items,
        attachments: meeting.attachments.iter().map(attachment).collect(),
    }
}

/// What the links and images of an item's `sections` point to (`href` and `src`). The content
/// stage writes an attachment's link as its bare file name.
fn link_targets(sections: &[Section]) -> HashSet<&str> {
    sections
        .iter()
        .flat_map(|s| ["href=\"", "src=\""].map(|start| attribute_values(&s.html, start)))
        .flatten()
        .collect()
}

/// One line of the index.
#[derive(Serialize)]
struct IndexEntry<'a> {
    council: &'a str,
    date: NaiveDate,
    slug: &'a str,
    status: Status,
    url: String,
    json: String,
}

/// `moeder.json`: the format, the councils, and every meeting oldest first (by date, council
/// and slug), one council or meeting a line, so that it reads and compares line by line.
fn index(archive: &Archive) -> Result<String> {
    let councils: Vec<CouncilData<'_>> = archive.councils.iter().map(CouncilData::of).collect();
    let mut meetings: Vec<(&Council, &Meeting)> = archive.meetings().collect();
    meetings
        .sort_by(|a, b| (a.1.date, &a.0.slug, &a.1.slug).cmp(&(b.1.date, &b.0.slug, &b.1.slug)));
    let meetings: Vec<IndexEntry<'_>> = meetings
        .into_iter()
        .map(|(council, meeting)| IndexEntry {
            council: &council.slug,
            date: meeting.date,
            slug: &meeting.slug,
            status: meeting.status,
            url: format!("{}/{}/", council.slug, meeting.slug),
            json: meeting_path(council, meeting),
        })
        .collect();
    Ok(format!(
        "{{\n\"format\": {FORMAT},\n\"councils\": {},\n\"meetings\": {}\n}}\n",
        lines(&councils)?,
        lines(&meetings)?
    ))
}

/// A JSON array of `values`, one a line.
fn lines<T: Serialize>(values: &[T]) -> Result<String> {
    let lines = values
        .iter()
        .map(serde_json::to_string)
        .collect::<Result<Vec<_>, _>>()?;
    if lines.is_empty() {
        return Ok("[]".to_owned());
    }
    Ok(format!("[\n{}\n]", lines.join(",\n")))
}
