//! The corpus as plain data: what a writer turns into files of one format or another.
//!
//! Text is stored as plain sentences without Markdown syntax; a writer adds the syntax of its
//! format.

use chrono::NaiveDate;

/// A whole archive: the site's settings and its councils.
pub struct Corpus {
    /// The publisher and its settings.
    pub site: Site,
    /// The councils, in the order they were generated.
    pub councils: Vec<Council>,
}

/// The settings of the site.
pub struct Site {
    /// Shown in the header and every page title.
    pub title: String,
    /// The publishing municipality, e.g. "Aalborg Kommune".
    pub municipality: String,
    /// Where the site is served.
    pub base_url: String,
    /// The link to the accessibility statement.
    pub accessibility_statement: String,
    /// The contact block of the footer.
    pub contact: Contact,
}

/// A municipality's contact block.
pub struct Contact {
    /// The department that answers.
    pub department: String,
    /// Street, postcode and town.
    pub address: String,
    /// The phone number as written ("99 31 31 31").
    pub phone: String,
    /// The e-mail address.
    pub email: String,
    /// The CVR number (8 digits).
    pub cvr: String,
}

/// One council with its meetings.
pub struct Council {
    /// The folder name and URL slug, unique in the corpus.
    pub slug: String,
    /// The display name, e.g. "Integrationsrådet".
    pub name: String,
    /// "råd", "udvalg", "dialogforum" …
    pub kind: String,
    /// The municipality the council belongs to.
    pub municipality: String,
    /// The day the council was set up.
    pub established: NaiveDate,
    /// The members, chair first.
    pub members: Vec<Member>,
    /// The terms of reference (kommissorium).
    pub kommissorium: Vec<Section>,
    /// The meetings, oldest first.
    pub meetings: Vec<Meeting>,
}

/// A member of a council.
pub struct Member {
    /// Full name.
    pub name: String,
    /// "formand", "næstformand" or none.
    pub role: Option<&'static str>,
}

/// Whether a meeting's document is the agenda or the minutes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The agenda: published before the meeting, without decisions.
    Dagsorden,
    /// The minutes: the agenda and the decisions.
    Referat,
}

impl Status {
    /// The word the content format uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Dagsorden => "dagsorden",
            Status::Referat => "referat",
        }
    }
}

/// One meeting of one council.
pub struct Meeting {
    /// The day of the meeting.
    pub date: NaiveDate,
    /// Set for the second and later meeting of the council on the same day ("ekstra").
    pub suffix: Option<String>,
    /// Agenda or minutes.
    pub status: Status,
    /// Start time, "HH:MM".
    pub start: String,
    /// End time, "HH:MM".
    pub end: String,
    /// Where the meeting is held.
    pub place: String,
    /// Members present (minutes only).
    pub participants: Vec<String>,
    /// Members absent (minutes only).
    pub absent: Vec<String>,
    /// Text before the first item.
    pub intro: Vec<Block>,
    /// The agenda items in order.
    pub items: Vec<Item>,
}

impl Meeting {
    /// The file name without extension, which also names the attachment folder:
    /// "2023-10-10" or "2023-10-10-ekstra".
    pub fn stem(&self) -> String {
        match &self.suffix {
            Some(suffix) => format!("{}-{suffix}", self.date.format("%Y-%m-%d")),
            None => self.date.format("%Y-%m-%d").to_string(),
        }
    }
}

/// One agenda item.
pub struct Item {
    /// The heading, plain text.
    pub title: String,
    /// The Sags ID, e.g. "EMN-2023-00398".
    pub case: Option<String>,
    /// A closed (Lukket) item: only its title may be published.
    pub closed: bool,
    /// The sections in order.
    pub sections: Vec<Section>,
}

/// A titled part of an item or of a kommissorium.
pub struct Section {
    /// The heading ("Indstilling", "Beslutning", "Formål" …).
    pub heading: String,
    /// The content.
    pub blocks: Vec<Block>,
}

/// A block of text.
pub enum Block {
    /// A paragraph of sentences.
    Paragraph(String),
    /// A bulleted list.
    Bullets(Vec<String>),
    /// A numbered list.
    Numbered(Vec<String>),
    /// A list of attachments.
    Attachments(Vec<Attachment>),
}

/// An attachment (bilag) of a meeting.
pub struct Attachment {
    /// The link text.
    pub title: String,
    /// The file name: lowercase ASCII letters, digits, `-` and `.`, unique within the meeting.
    pub file_name: String,
    /// The file's bytes.
    pub content: Vec<u8>,
}
