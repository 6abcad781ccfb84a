//! Markdown events → HTML, with the rules every body in the archive follows: raw HTML is shown
//! as text, inner headings carry no ids of their own, and relative links must name an attachment
//! in the meeting's own folder, which is then published beside the meeting page.

use std::path::{Path, PathBuf};

use pulldown_cmark::{CowStr, Event, LinkType, Options, Tag, TagEnd};

use super::model::{Attachment, Link};
use crate::diagnostics::{Diagnostic, LineIndex};
use crate::slug::slugify;

/// The Markdown dialect of content files.
pub fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Where a body's relative links may point.
pub struct AttachmentFolder {
    /// The folder's name as links write it: the meeting file's stem, e.g. `2023-10-10`.
    pub name: String,
    /// The folder on disk.
    pub dir: PathBuf,
    /// The folder as shown in messages, e.g. `content/integrationsraadet/2023-10-10`.
    pub shown: PathBuf,
}

/// Turns the events of one body into HTML, collecting its attachments and problems.
pub struct BodyWriter<'f> {
    file: &'f Path,
    lines: LineIndex,
    first_line: usize,
    folder: Option<AttachmentFolder>,
    decimal_comma: bool,
    open_links: Vec<Option<String>>,
    /// Attachments linked so far, in order of first link.
    pub attachments: Vec<Attachment>,
    /// Links and images so far that are neither attachments nor e-mail addresses.
    pub links: Vec<Link>,
    /// Problems found so far.
    pub diagnostics: Vec<Diagnostic>,
}

impl<'f> BodyWriter<'f> {
    /// A writer for the body `body` of `file`, whose first line is `first_line` of the file.
    pub fn new(
        file: &'f Path,
        body: &str,
        first_line: usize,
        folder: Option<AttachmentFolder>,
        decimal_comma: bool,
    ) -> Self {
        BodyWriter {
            file,
            lines: LineIndex::new(body),
            first_line,
            folder,
            decimal_comma,
            open_links: Vec::new(),
            attachments: Vec::new(),
            links: Vec::new(),
            diagnostics: Vec::new(),
        }
    }

    /// The line in the file of byte `offset` of the body.
    pub fn line(&self, offset: usize) -> usize {
        self.lines.line(offset) + self.first_line - 1
    }

    /// Record a problem at byte `offset` of the body.
    pub fn error(&mut self, offset: usize, message: impl Into<String>) {
        let line = self.line(offset);
        self.diagnostics
            .push(Diagnostic::at(self.file, line, message));
    }

    /// Append the published form of `event`, found at byte `offset`, to `out`.
    pub fn push<'a>(&mut self, event: Event<'a>, offset: usize, out: &mut Vec<Event<'a>>) {
        match event {
            Event::Html(html) | Event::InlineHtml(html) => out.push(Event::Text(html)),
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                if id.is_some() || !classes.is_empty() || !attrs.is_empty() {
                    self.error(offset, super::meeting::ATTRIBUTES_ON_ITEMS_ONLY);
                }
                out.push(Event::Start(Tag::Heading {
                    level,
                    id: None,
                    classes: Vec::new(),
                    attrs: Vec::new(),
                }));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                if link_type != LinkType::Email && dest_url.starts_with('/') {
                    self.error(
                        offset,
                        format!(
                            "the link `{dest_url}` starts with `/`, which breaks when the site is \
                             served under a sub-path or opened from disk: link to a full URL \
                             (https://…) or to an attachment"
                        ),
                    );
                }
                let attachment = match link_type {
                    LinkType::Email => None,
                    _ => {
                        self.record_link(&dest_url, offset);
                        self.attachment_link(&dest_url, offset)
                    }
                };
                let (dest_url, meta) = match attachment {
                    Some((href, meta)) => (CowStr::from(href), Some(meta)),
                    None => (dest_url, None),
                };
                self.open_links.push(meta);
                out.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::End(TagEnd::Link) => {
                out.push(Event::End(TagEnd::Link));
                if let Some(Some(meta)) = self.open_links.pop() {
                    out.push(Event::InlineHtml(CowStr::from(meta)));
                }
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                self.record_link(&dest_url, offset);
                let dest_url = match self.attachment_link(&dest_url, offset) {
                    Some((href, _)) => CowStr::from(href),
                    None => dest_url,
                };
                out.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            other => out.push(other),
        }
    }

    /// Keep a link that is kept as written (not an attachment, not starting with `/`), for
    /// `referat check`.
    fn record_link(&mut self, dest: &str, offset: usize) {
        if !dest.starts_with('/') && !is_relative_file_link(dest) {
            let line = self.line(offset);
            self.links.push(Link {
                url: dest.to_owned(),
                line,
            });
        }
    }

    /// For a relative link: check it names a file in the attachment folder, record the file,
    /// and return the published href with the HTML that shows its type and size.
    fn attachment_link(&mut self, dest: &str, offset: usize) -> Option<(String, String)> {
        if !is_relative_file_link(dest) {
            return None;
        }
        let Some(folder) = &self.folder else {
            self.error(
                offset,
                format!(
                    "the link `{dest}` points to a file, but only meeting files have attachments: \
                     link to a full URL (https://…) instead"
                ),
            );
            return None;
        };
        let path = dest.strip_prefix("./").unwrap_or(dest);
        let file_name = match path.split_once('/') {
            Some((dir, name)) if dir == folder.name && !name.contains('/') => name,
            _ => {
                let message = format!(
                    "the link `{dest}` must name a file in the meeting's attachment folder: \
                     expected `{}/<file>`, with the file in {}/",
                    folder.name,
                    folder.shown.display()
                );
                self.error(offset, message);
                return None;
            }
        };
        if !is_safe_file_name(file_name) {
            let suggestion = safe_file_name(file_name);
            self.error(
                offset,
                format!(
                    "the attachment name `{file_name}` is not a safe file name: use lowercase \
                     letters a–z, digits, `-`, `_` and `.`, e.g. rename it to `{suggestion}`"
                ),
            );
            return None;
        }
        let source = folder.dir.join(file_name);
        let shown = folder.shown.join(file_name);
        let size = match std::fs::symlink_metadata(&source) {
            Ok(meta) if meta.file_type().is_file() => meta.len(),
            Ok(meta) if meta.file_type().is_symlink() => {
                self.error(
                    offset,
                    format!(
                        "the attachment {} is a symbolic link: copy the file itself into the folder",
                        shown.display()
                    ),
                );
                return None;
            }
            _ => {
                self.error(
                    offset,
                    format!(
                        "the link `{dest}` names a missing attachment: expected the file {}",
                        shown.display()
                    ),
                );
                return None;
            }
        };
        if !self.attachments.iter().any(|a| a.file_name == file_name) {
            self.attachments.push(Attachment {
                file_name: file_name.to_owned(),
                source,
                size,
                line: self.line(offset),
            });
        }
        let size = format_size(size, self.decimal_comma);
        let meta = match file_type(file_name) {
            Some(kind) => format!(" <span class=\"bilag-meta\">({kind}, {size})</span>"),
            None => format!(" <span class=\"bilag-meta\">({size})</span>"),
        };
        Some((file_name.to_owned(), meta))
    }
}

/// Render transformed events to HTML.
pub fn to_html<'a>(events: impl IntoIterator<Item = Event<'a>>) -> String {
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    html
}

/// The plain text of the inline events of a heading.
pub fn push_heading_text(event: &Event<'_>, title: &mut String) {
    match event {
        Event::Text(text) | Event::Code(text) => title.push_str(text),
        Event::SoftBreak | Event::HardBreak => title.push(' '),
        _ => {}
    }
}

fn is_relative_file_link(dest: &str) -> bool {
    if dest.is_empty() || dest.starts_with('#') || dest.starts_with('/') {
        return false;
    }
    let scheme_end = dest.find(':');
    let path_start = dest.find(['/', '?', '#']).unwrap_or(dest.len());
    !matches!(scheme_end, Some(colon) if colon < path_start)
}

fn is_safe_file_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b))
}

fn safe_file_name(name: &str) -> String {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !ext.is_empty() => format!("{}.{}", slugify(stem), slugify(ext)),
        _ => slugify(name),
    }
}

/// The type of the file `name` as pages show it: its extension in capitals, or none.
pub fn file_type(name: &str) -> Option<String> {
    name.rsplit_once('.')
        .filter(|(stem, ext)| !stem.is_empty() && !ext.is_empty())
        .map(|(_, ext)| ext.to_ascii_uppercase())
}

/// A file size in decimal units, e.g. "57 B", "312 kB", "1,2 MB".
pub fn format_size(bytes: u64, decimal_comma: bool) -> String {
    let text = if bytes < 1_000 {
        format!("{bytes} B")
    } else if bytes < 999_500 {
        format!("{} kB", (bytes + 500) / 1_000)
    } else {
        let tenths = (bytes + 50_000) / 100_000;
        format!("{}.{} MB", tenths / 10, tenths % 10)
    };
    if decimal_comma {
        text.replace('.', ",")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_file_links_are_told_apart() {
        assert!(is_relative_file_link("2023-10-10/a.pdf"));
        assert!(is_relative_file_link("../a.pdf"));
        assert!(!is_relative_file_link("https://x.dk/a.pdf"));
        assert!(!is_relative_file_link("mailto:a@b.dk"));
        assert!(!is_relative_file_link("#punkt-2"));
        assert!(!is_relative_file_link("/abs"));
    }

    #[test]
    fn sizes_read_the_danish_way() {
        assert_eq!(format_size(57, true), "57 B");
        assert_eq!(format_size(312_400, true), "312 kB");
        assert_eq!(format_size(1_250_000, true), "1,3 MB");
        assert_eq!(format_size(1_250_000, false), "1.3 MB");
        assert_eq!(format_size(999_700, true), "1,0 MB");
    }

    #[test]
    fn email_autolinks_and_site_absolute_links() {
        let file = Path::new("m.md");
        let body = "<navn@kommune.dk> [x](/raad/)";
        let mut writer = BodyWriter::new(file, body, 1, None, true);
        let mut events = Vec::new();
        for (event, range) in pulldown_cmark::Parser::new_ext(body, options()).into_offset_iter() {
            writer.push(event, range.start, &mut events);
        }
        assert_eq!(writer.diagnostics.len(), 1, "{:?}", writer.diagnostics);
        assert!(writer.diagnostics[0].message.contains("starts with `/`"));
        assert!(to_html(events).contains("href=\"mailto:navn@kommune.dk\""));
    }

    #[test]
    fn unsafe_names_get_a_suggestion() {
        assert!(!is_safe_file_name("Høringsudkast 2024.PDF"));
        assert_eq!(
            safe_file_name("Høringsudkast 2024.PDF"),
            "hoeringsudkast-2024.pdf"
        );
    }
}
