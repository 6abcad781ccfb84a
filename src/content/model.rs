//! The archive as plain data: councils, their meetings, and the meetings' agenda items.
//!
//! A closed item carries its number and title only: its text is dropped while parsing and never
//! enters this model, so no later stage can publish it by mistake, and the cache of parsed
//! meetings (`cache.rs`, which stores [`Meeting`]s as they are) cannot keep it.
//!
//! A meeting's HTML, its [`MeetingText`], is most of what the archive weighs. When the cache of
//! parsed meetings holds it, the meeting keeps only where it is, and each stage that shows it
//! reads it from there: a rebuild then decodes the text of the meetings it makes again, not of
//! every meeting, and an archive of 100,000 meetings fits in memory.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use xxhash_rust::xxh3::Xxh3;

use crate::config::{Contact, SiteConfig};

/// Everything a site publishes, sorted: councils by slug, meetings oldest first.
#[derive(Debug, Clone)]
pub struct Archive {
    /// The site's configuration.
    pub config: SiteConfig,
    /// The councils, sorted by slug.
    pub councils: Vec<Council>,
    /// Every Sags ID of an open item with the items that carry it, sorted by the slug of the ID.
    pub cases: Vec<Case>,
    /// A hash of the configuration, part of every key of what the build makes.
    pub config_key: u128,
}

/// A key of what one meeting's own page and JSON are made from: the site's configuration, the
/// council's `_index.md` and folder name, and the meeting file, its name and its attachments'
/// names and sizes. A build may reuse what it made from the same key (see
/// [`crate::output::Sink::unchanged`]).
pub fn meeting_key(archive: &Archive, council: &Council, meeting: &Meeting) -> u128 {
    let mut hasher = Xxh3::new();
    hasher.update(&archive.config_key.to_le_bytes());
    key_meeting(&mut hasher, council, meeting);
    hasher.digest128()
}

/// Add what makes `meeting` of `council` to a key.
pub fn key_meeting(hasher: &mut Xxh3, council: &Council, meeting: &Meeting) {
    for part in [&council.fingerprint, &meeting.fingerprint] {
        hasher.update(&part.to_le_bytes());
    }
    for text in [&council.slug, &meeting.slug] {
        hasher.update(&(text.len() as u64).to_le_bytes());
        hasher.update(text.as_bytes());
    }
    for attachment in &meeting.attachments {
        hasher.update(&attachment.size.to_le_bytes());
        hasher.update(attachment.file_name.as_bytes());
        hasher.update(b"\0");
    }
}

impl Archive {
    /// Every meeting with its council, in council then date order.
    pub fn meetings(&self) -> impl Iterator<Item = (&Council, &Meeting)> {
        self.councils
            .iter()
            .flat_map(|c| c.meetings.iter().map(move |m| (c, m)))
    }

    /// The item `at` points to, with its meeting and council.
    pub fn item(&self, at: ItemRef) -> (&Council, &Meeting, &Item) {
        let council = &self.councils[at.council];
        let meeting = &council.meetings[at.meeting];
        (council, meeting, &meeting.items[at.item])
    }
}

/// One Sags ID and the open items that carry it: the history of one matter across meetings and
/// councils.
#[derive(Debug, Clone)]
pub struct Case {
    /// The Sags ID as written, e.g. "EMN-2016-02142"; no other Sags ID of the archive has its
    /// slug ([`crate::content::case_slug`]).
    pub id: String,
    /// Its items, oldest meeting first.
    pub items: Vec<ItemRef>,
}

/// Where an item is in the [`Archive`]: indexes into `councils`, that council's `meetings` and
/// that meeting's `items`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemRef {
    /// Index in [`Archive::councils`].
    pub council: usize,
    /// Index in [`Council::meetings`].
    pub meeting: usize,
    /// Index in [`Meeting::items`].
    pub item: usize,
}

/// One council (råd, udvalg, dialogforum): a folder with `_index.md` and meeting files.
#[derive(Debug, Clone)]
pub struct Council {
    /// URL slug, from the folder name.
    pub slug: String,
    /// Display name, e.g. "Integrationsrådet".
    pub name: String,
    /// What kind of body it is, as written ("råd", "udvalg", "dialogforum").
    pub kind: Option<String>,
    /// The municipality it belongs to (the site's when `_index.md` names none).
    pub municipality: String,
    /// When it was set up.
    pub established: Option<NaiveDate>,
    /// Its members, in the order written.
    pub members: Vec<Member>,
    /// Its own contact block, if it has one.
    pub contact: Option<Contact>,
    /// The council's `_index.md`, relative to the site root.
    pub source: PathBuf,
    /// A hash of what `_index.md` says.
    pub fingerprint: u128,
    /// The kommissorium (terms of reference), rendered from `_index.md`'s body.
    pub kommissorium_html: String,
    /// The links of the kommissorium that are not attachments.
    pub links: Vec<Link>,
    /// Its meetings, oldest first.
    pub meetings: Vec<Meeting>,
}

/// A council member.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// Full name.
    pub name: String,
    /// Role, e.g. "formand", "næstformand".
    #[serde(default)]
    pub role: Option<String>,
}

/// Whether a meeting file is the agenda or the minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The agenda, published before the meeting.
    Dagsorden,
    /// The minutes, published after the meeting, with decisions.
    Referat,
}

impl Status {
    /// The status written as `text` in front matter.
    pub fn parse(text: &str) -> Result<Status, String> {
        match text {
            "dagsorden" => Ok(Status::Dagsorden),
            "referat" => Ok(Status::Referat),
            _ => Err(format!(
                "`{text}` is not a status: expected `dagsorden` (the agenda) or `referat` (the \
                 minutes)"
            )),
        }
    }

    /// The value as written in front matter.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Dagsorden => "dagsorden",
            Status::Referat => "referat",
        }
    }
}

/// One meeting of one council: one file `YYYY-MM-DD[-suffix].md`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Meeting {
    /// URL slug: the date, plus the file's suffix when a council meets twice that day.
    pub slug: String,
    /// The meeting file, relative to the site root.
    pub source: PathBuf,
    /// A hash of what the meeting file says.
    pub fingerprint: u128,
    /// The date of the meeting.
    pub date: NaiveDate,
    /// Start time, "HH:MM".
    pub start: Option<String>,
    /// End time, "HH:MM".
    pub end: Option<String>,
    /// Where it is held.
    pub place: Option<String>,
    /// Agenda or minutes.
    pub status: Status,
    /// Who took part.
    pub participants: Vec<String>,
    /// Who sent apologies (afbud).
    pub absent: Vec<String>,
    /// The agenda items, numbered from 1 in order.
    pub items: Vec<Item>,
    /// The files linked from open items, copied beside the meeting page.
    pub attachments: Vec<Attachment>,
    /// The links of the introduction and the open items that are not attachments.
    pub links: Vec<Link>,
    /// Where its HTML is: see [`Meeting::text`].
    #[serde(skip)]
    pub text: TextAt,
}

impl Meeting {
    /// Its HTML: the introduction and the open items' sections, read from the cache of parsed
    /// meetings when that holds it.
    pub fn text(&self) -> anyhow::Result<Arc<MeetingText>> {
        match &self.text {
            TextAt::Here(text) => Ok(Arc::clone(text)),
            TextAt::Kept(kept) => super::cache::read_text(kept).ok_or_else(|| {
                anyhow::anyhow!(
                    "the cache entry {} of {} changed during the build (another build running \
                     on the same site?): build again",
                    kept.path.display(),
                    self.source.display()
                )
            }),
        }
    }
}

/// A meeting's HTML: everything of it that is rendered from Markdown.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MeetingText {
    /// Text before the first item, rendered.
    pub intro_html: String,
    /// Each item's sections, in item order; none for a closed item.
    pub sections: Vec<Vec<Section>>,
}

impl MeetingText {
    /// The sections of `item`, one of the meeting's items.
    pub fn of(&self, item: &Item) -> &[Section] {
        &self.sections[item.number - 1]
    }
}

/// Where a meeting's [`MeetingText`] is.
#[derive(Debug, Clone)]
pub enum TextAt {
    /// In memory.
    Here(Arc<MeetingText>),
    /// In an entry of the cache of parsed meetings.
    Kept(super::cache::KeptText),
}

impl Default for TextAt {
    fn default() -> TextAt {
        TextAt::Here(Arc::default())
    }
}

/// One agenda item (dagsordenspunkt).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Item {
    /// Its number, from 1, in order of the file.
    pub number: usize,
    /// The line of its `## ` heading in the meeting file.
    pub line: usize,
    /// Its title, as plain text.
    pub title: String,
    /// The Sags ID, e.g. "EMN-2016-02142"; never set on a closed item.
    pub case: Option<String>,
    /// Closed (Lukket): only number and title are published; it has no sections.
    pub closed: bool,
    /// The plain text of its Beslutning sections (the decision), one line per paragraph; none
    /// when it has no such section or they are empty.
    pub decision: Option<String>,
}

/// The plain text of the Beslutning sections among `sections` (the decision), one line per
/// paragraph; none when there is no such section or they are empty.
pub fn decision(sections: &[Section]) -> Option<String> {
    let parts: Vec<String> = sections
        .iter()
        .filter(|s| s.kind == SectionKind::Beslutning)
        .map(|s| crate::html::to_text(&s.html))
        .filter(|text| !text.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join("\n"))
}

/// The sections an agenda item usually has; anything else is `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SectionKind {
    /// Text before the item's first `###` heading.
    Intro,
    /// Resumé.
    Resume,
    /// Baggrund.
    Baggrund,
    /// Sagsfremstilling.
    Sagsfremstilling,
    /// Indstilling: the administration's recommendation.
    Indstilling,
    /// Tidligere beslutninger.
    TidligereBeslutninger,
    /// Beslutning: the decision.
    Beslutning,
    /// Bilag: attachments.
    Bilag,
    /// Any other heading, kept as written.
    Other,
}

impl SectionKind {
    /// The kind of a `###` heading, by its text (case and a trailing colon ignored).
    pub fn from_heading(title: &str) -> SectionKind {
        let key = title.trim().trim_end_matches(':').trim().to_lowercase();
        match key.as_str() {
            "resumé" | "resume" => SectionKind::Resume,
            "baggrund" => SectionKind::Baggrund,
            "sagsfremstilling" => SectionKind::Sagsfremstilling,
            "indstilling" | "indstillinger" => SectionKind::Indstilling,
            "tidligere beslutninger" | "tidligere beslutning" => SectionKind::TidligereBeslutninger,
            "beslutning" | "beslutninger" => SectionKind::Beslutning,
            "bilag" => SectionKind::Bilag,
            _ => SectionKind::Other,
        }
    }
}

/// One section of an open item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// Which section it is.
    pub kind: SectionKind,
    /// Its heading as written, without a trailing colon; empty for `Intro`.
    pub title: String,
    /// The line of its `###` heading in the meeting file (for `Intro`, of its first text).
    pub line: usize,
    /// Its body, rendered to HTML (raw HTML in the source sanitised).
    pub html: String,
}

/// A file linked from an open item, published beside its meeting page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Attachment {
    /// The file name it is published under.
    pub file_name: String,
    /// Where it is read from.
    pub source: PathBuf,
    /// Its size in bytes.
    pub size: u64,
    /// The line in the meeting file of the first link to it.
    pub line: usize,
}

/// A link or image of published text that is not an attachment: a `#fragment` or a full URL,
/// kept as written. `referat check` follows those that lead into the site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// The target as written, e.g. `#punkt-3` or `https://www.kommune.dk/raad/…`.
    pub url: String,
    /// The line of the link in its file.
    pub line: usize,
}

impl Attachment {
    /// Its type as the meeting page shows it: the extension in capitals ("PDF"), or none.
    pub fn file_type(&self) -> Option<String> {
        super::markdown::file_type(&self.file_name)
    }
}
