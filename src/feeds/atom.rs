//! The Atom feeds (RFC 4287), `atom.xml`: one entry per meeting, the newest [`FEED_ENTRIES`].
//!
//! An entry's id names the meeting and its status, so the referat that follows a dagsorden is a
//! new entry that feed readers show, not a silent update of the old one. Its `updated` is the
//! moment the meeting begins; the feed's is its newest entry's.

use chrono::{DateTime, SecondsFormat};
use chrono_tz::Tz;

use super::{ATOM, Dated, FEED_ENTRIES, Site, title, xml};
use crate::content::Council;

/// A feed's `updated` when it has no entries, and so no date of its own: the Unix epoch.
const NO_DATE: &str = "1970-01-01T00:00:00Z";

/// The feed of `council`, or of the whole site, of `meetings` sorted newest first.
pub(super) fn feed(site: &Site<'_>, council: Option<&Council>, meetings: &[Dated<'_>]) -> String {
    let config = site.config;
    let self_url = site.file_url(&site.path(council, ATOM));
    let author = council.map_or(&config.municipality, |c| &c.municipality);
    let updated = meetings
        .first()
        .map_or(NO_DATE.to_owned(), |m| timestamp(m.begins));
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{lang}\">\n\
         <title>{title}</title>\n\
         <id>{id}</id>\n\
         <link rel=\"self\" type=\"application/atom+xml\" href=\"{id}\"/>\n\
         <link rel=\"alternate\" type=\"text/html\" href=\"{home}\"/>\n\
         <updated>{updated}</updated>\n\
         <author><name>{author}</name></author>\n\
         <generator>referat</generator>\n",
        lang = xml(&config.language),
        title = xml(&title(config, council)),
        id = xml(&self_url),
        home = xml(&site.home_url(council)),
        author = xml(author),
    );
    for dated in meetings.iter().take(FEED_ENTRIES) {
        out.push_str(&entry(site, dated));
    }
    out.push_str("</feed>\n");
    out
}

fn entry(site: &Site<'_>, dated: &Dated<'_>) -> String {
    let Dated {
        council, meeting, ..
    } = dated;
    let texts = site.texts;
    let url = site.meeting_url(council, meeting);
    format!(
        "<entry>\n\
         <title>{title}</title>\n\
         <link rel=\"alternate\" type=\"text/html\" href=\"{href}\"/>\n\
         <id>{id}</id>\n\
         <updated>{updated}</updated>\n\
         <author><name>{author}</name></author>\n\
         <category term=\"{slug}\" label=\"{council}\"/>\n\
         <category term=\"{status}\" label=\"{status_label}\"/>\n\
         <content type=\"html\">{content}</content>\n\
         </entry>\n",
        title = xml(&texts.meeting_heading(&council.name, meeting)),
        href = xml(&url),
        id = xml(&format!("{url}#{}", meeting.status.as_str())),
        updated = timestamp(dated.begins),
        author = xml(&council.municipality),
        slug = xml(&council.slug),
        council = xml(&council.name),
        status = meeting.status.as_str(),
        status_label = xml(texts.status_label(meeting.status)),
        content = xml(&content(site, dated, &url)),
    )
}

/// The entry's content, as HTML: when and where, and the items by number and title, each
/// linked to its anchor; a closed item is marked as such, as on its page, and nothing more.
fn content(site: &Site<'_>, dated: &Dated<'_>, url: &str) -> String {
    use crate::html::escape;
    let texts = site.texts;
    let meeting = dated.meeting;
    let mut html = format!(
        "<p>{}: {}",
        escape(texts.get("time")),
        escape(&texts.meeting_time(meeting))
    );
    if let Some(place) = &meeting.place {
        html.push_str(&format!(
            "<br>{}: {}",
            escape(texts.get("place")),
            escape(place)
        ));
    }
    html.push_str("</p>");
    if !meeting.items.is_empty() {
        html.push_str("<ol>");
        for item in &meeting.items {
            html.push_str(&format!(
                "<li><a href=\"{}#punkt-{}\">{}</a>",
                escape(url),
                item.number,
                escape(&item.title)
            ));
            if item.closed {
                html.push_str(&format!(" ({})", escape(texts.get("closed"))));
            }
            html.push_str("</li>");
        }
        html.push_str("</ol>");
    }
    html
}

/// RFC 3339 with the offset of Copenhagen at that moment: `2023-10-10T16:00:00+02:00`.
fn timestamp(moment: DateTime<Tz>) -> String {
    moment.to_rfc3339_opts(SecondsFormat::Secs, false)
}
