//! Markdown events → HTML, with the rules every body in the archive follows: raw HTML is
//! sanitised (see [`super::sanitize`]), inner headings carry no ids of their own, links and images
//! use the schemes `http`, `https`, `mailto` and `tel` only, and relative links must name an
//! attachment in the meeting's own folder, which is then published beside the meeting page.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use pulldown_cmark::{CowStr, Event, LinkType, Options, Tag, TagEnd};

use super::model::{Attachment, Link};
use super::sanitize::{MAX_DEPTH, nesting_depth, sanitize};
use crate::diagnostics::{Diagnostic, LineIndex};
use crate::slug::slugify;

/// The URL schemes a Markdown link or image may have.
pub const ALLOWED_SCHEMES: &[&str] = &["http", "https", "mailto", "tel"];

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

/// The published events of one body (a section, a meeting's introduction, a kommissorium),
/// and whether the writer's raw HTML is among them.
#[derive(Default)]
pub struct Body<'a> {
    /// The events, as [`BodyWriter::push`] made them.
    pub events: Vec<Event<'a>>,
    /// The offset of the first raw HTML in the body, if it has any.
    raw_html: Option<usize>,
}

/// Turns the events of one body into HTML, collecting its attachments and problems.
pub struct BodyWriter<'f> {
    file: &'f Path,
    lines: LineIndex,
    first_line: usize,
    folder: Option<AttachmentFolder>,
    decimal_comma: bool,
    iframe_hosts: &'f [String],
    open_links: Vec<Option<String>>,
    /// Attachments linked so far, in order of first link.
    pub attachments: Vec<Attachment>,
    /// Links and images so far that are neither attachments nor e-mail addresses.
    pub links: Vec<Link>,
    /// Problems found so far.
    pub diagnostics: Vec<Diagnostic>,
}

impl<'f> BodyWriter<'f> {
    /// A writer for the body `body` of `file`, whose first line is `first_line` of the file;
    /// raw HTML may embed iframes from `iframe_hosts` (`site.toml`).
    pub fn new(
        file: &'f Path,
        body: &str,
        first_line: usize,
        folder: Option<AttachmentFolder>,
        decimal_comma: bool,
        iframe_hosts: &'f [String],
    ) -> Self {
        BodyWriter {
            file,
            lines: LineIndex::new(body),
            first_line,
            folder,
            decimal_comma,
            iframe_hosts,
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

    /// The HTML of `body`: sanitised as a whole when it holds raw HTML.
    pub fn html(&mut self, body: Body<'_>) -> String {
        let html = to_html(body.events);
        let Some(offset) = body.raw_html else {
            return html;
        };
        let depth = nesting_depth(&html);
        if depth > MAX_DEPTH {
            self.error(
                offset,
                format!(
                    "this text holds raw HTML, and its elements nest {depth} levels deep: \
                     expected at most {MAX_DEPTH}; close the tags that are left open, or write \
                     the text as Markdown"
                ),
            );
            return String::new();
        }
        sanitize(&html, self.iframe_hosts)
    }

    /// Append the published form of `event`, found at byte `offset`, to `body`.
    pub fn push<'a>(&mut self, event: Event<'a>, offset: usize, body: &mut Body<'a>) {
        let out = &mut body.events;
        match event {
            Event::Html(_) | Event::InlineHtml(_) => {
                body.raw_html.get_or_insert(offset);
                out.push(event);
            }
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
                if link_type != LinkType::Email && !self.scheme_allowed("link", &dest_url, offset) {
                    self.open_links.push(None);
                    out.push(Event::Start(Tag::Link {
                        link_type,
                        dest_url: CowStr::Borrowed(""),
                        title,
                        id,
                    }));
                    return;
                }
                if link_type != LinkType::Email && browser_form(&dest_url).starts_with('/') {
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
                if !self.scheme_allowed("image", &dest_url, offset) {
                    out.push(Event::Start(Tag::Image {
                        link_type,
                        dest_url: CowStr::Borrowed(""),
                        title,
                        id,
                    }));
                    return;
                }
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

    /// False, with a problem recorded, when `dest` has a URL scheme other than those of
    /// [`ALLOWED_SCHEMES`], as a browser reads it (ignoring case, leading blanks and control
    /// characters, and tabs and line breaks anywhere).
    fn scheme_allowed(&mut self, what: &str, dest: &str, offset: usize) -> bool {
        let Some(scheme) = url_scheme(dest) else {
            return true;
        };
        if ALLOWED_SCHEMES.contains(&scheme.as_str()) {
            return true;
        }
        self.error(
            offset,
            format!(
                "the {what} `{}` has the URL scheme `{scheme}:`, which is not allowed: expected \
                 an https://, http://, mailto: or tel: URL, a `#` anchor or an attachment",
                dest.escape_debug()
            ),
        );
        false
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
        if std::fs::symlink_metadata(&folder.dir).is_ok_and(|m| m.file_type().is_symlink()) {
            self.error(
                offset,
                format!(
                    "the attachment folder {} is a symbolic link: expected a real folder beside \
                     the meeting file, holding the files themselves",
                    folder.shown.display()
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

/// The plain text of a heading, from its inline events: the text of emphasis, code and links
/// kept, raw HTML tags dropped (with what a sanitised body drops, such as a script's text).
#[derive(Default)]
pub struct HeadingText {
    text: String,
    html: String,
    raw_html: bool,
}

impl HeadingText {
    /// Take in one inline event of the heading.
    pub fn push(&mut self, event: &Event<'_>) {
        match event {
            Event::Text(text) | Event::Code(text) => {
                self.text.push_str(text);
                self.html.push_str(&crate::html::escape(text));
            }
            Event::SoftBreak | Event::HardBreak => {
                self.text.push(' ');
                self.html.push(' ');
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                self.raw_html = true;
                self.html.push_str(html);
            }
            _ => {}
        }
    }

    /// The text taken in so far, trimmed, and start again.
    pub fn take(&mut self) -> String {
        let this = std::mem::take(self);
        // Past MAX_DEPTH, parsing would take long: then the tags are dropped, their text kept.
        if this.raw_html && nesting_depth(&this.html) <= MAX_DEPTH {
            let text = crate::html::to_text(&sanitize(&this.html, &[]));
            text.lines().collect::<Vec<_>>().join(" ")
        } else {
            this.text.trim().to_owned()
        }
    }
}

/// `dest` as a browser reads a URL: without leading and trailing blanks and control
/// characters, and without tabs and line breaks anywhere.
fn browser_form(dest: &str) -> Cow<'_, str> {
    let trimmed = dest.trim_matches(|c: char| c <= ' ');
    if trimmed.contains(['\t', '\n', '\r']) {
        Cow::Owned(trimmed.replace(['\t', '\n', '\r'], ""))
    } else {
        Cow::Borrowed(trimmed)
    }
}

/// The scheme of the URL `dest` in lowercase (`javascript` of `JavaScript:…`), as a browser
/// reads it; none for a relative URL.
pub fn url_scheme(dest: &str) -> Option<String> {
    let dest = browser_form(dest);
    let colon = dest.find(':')?;
    let scheme = &dest[..colon];
    let valid = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b));
    valid.then(|| scheme.to_ascii_lowercase())
}

fn is_relative_file_link(dest: &str) -> bool {
    let dest = browser_form(dest);
    !(dest.is_empty() || dest.starts_with('#') || dest.starts_with('/'))
        && url_scheme(&dest).is_none()
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
        assert!(!is_relative_file_link(" javascript:x"));
        assert!(is_relative_file_link("2023-10-10/a:b.pdf"));
        assert_eq!(
            url_scheme("\u{1}Java\tScript:x").as_deref(),
            Some("javascript")
        );
        assert_eq!(url_scheme("møde:x"), None);
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
        let body = "<navn@kommune.dk> [x](/raad/)";
        let (html, diagnostics) = render(body);
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert!(diagnostics[0].message.contains("starts with `/`"));
        assert!(html.contains("href=\"mailto:navn@kommune.dk\""));
    }

    fn render(body: &str) -> (String, Vec<Diagnostic>) {
        let file = Path::new("m.md");
        let mut writer = BodyWriter::new(file, body, 1, None, true, &[]);
        let mut events = Body::default();
        for (event, range) in pulldown_cmark::Parser::new_ext(body, options()).into_offset_iter() {
            writer.push(event, range.start, &mut events);
        }
        (writer.html(events), writer.diagnostics)
    }

    #[test]
    fn links_and_images_with_other_schemes_are_errors() {
        for body in [
            "[x](javascript:alert(1))",
            "[x](JavaScript:alert(1))",
            "[x](<java\tscript:alert(1)>)",
            "[x](&#x6A;avascript:alert(1))",
            "[x](&#1;javascript:alert(1))",
            "[x](<\tjavascript:alert(1)>)",
            "<javascript:alert(1)>",
            "[x](vbscript:msgbox(1))",
            "[x](file:///etc/passwd)",
            "![x](data:image/svg+xml;base64,PHN2Zz4=)",
            "[x]: data:text/html,x\n\n[x]",
        ] {
            let (html, diagnostics) = render(body);
            assert_eq!(diagnostics.len(), 1, "{body}: {diagnostics:?}");
            assert!(
                diagnostics[0]
                    .message
                    .contains("which is not allowed: expected an https://"),
                "{body}: {}",
                diagnostics[0].message
            );
            for attribute in ["href=\"", "src=\""] {
                for (at, _) in html.match_indices(attribute) {
                    assert!(
                        html[at + attribute.len()..].starts_with('"'),
                        "{body}: {html}"
                    );
                }
            }
        }
        for body in [
            "[x](https://x.dk/)",
            "[x](HTTP://x.dk/)",
            "[x](mailto:a@b.dk)",
            "[x](tel:+4512345678)",
            "[x](#punkt-1)",
        ] {
            let (_, diagnostics) = render(body);
            assert!(diagnostics.is_empty(), "{body}: {diagnostics:?}");
        }
    }

    #[test]
    fn raw_html_is_sanitised_with_the_markdown_around_it() {
        let (html, diagnostics) = render(
            "Tekst <b>fed *og kursiv*</b> <span onclick=\"x()\">.</span>\n\n<div>\n<script>\nalert(1)\n</script>\n</div>\n\n<!-- note -->\n",
        );
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(
            html,
            "<p>Tekst <b>fed <em>og kursiv</em></b> <span>.</span></p>\n<div>\n\n</div>\n\n"
        );
        let (html, _) = render("Ingen HTML: 5 < 6 & \"x\"\n");
        assert_eq!(html, "<p>Ingen HTML: 5 &lt; 6 &amp; \"x\"</p>\n");
    }

    #[test]
    fn raw_html_cannot_close_the_page_around_the_body() {
        let (html, _) = render("<b>åben\n\n</div></section></main><script>alert(1)</script>\n");
        assert!(
            !html.contains("</section>") && !html.contains("</main>"),
            "{html}"
        );
        assert!(!html.contains("script"), "{html}");
    }

    #[test]
    fn heading_text_drops_tags_and_script() {
        let mut heading = HeadingText::default();
        for event in
            pulldown_cmark::Parser::new("## Budget <b>2024</b><script>alert(1)</script> `kode`")
        {
            heading.push(&event);
        }
        assert_eq!(heading.take(), "Budget 2024 kode");
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
