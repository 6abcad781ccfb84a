//! One meeting file: front matter, then agenda items as `##` headings with `###` sections.
//!
//! A closed item (`{.lukket}`) keeps its number and title; every event of its body is dropped
//! here, before it is rendered, linked or stored.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;
use pulldown_cmark::{CowStr, Event, HeadingLevel, Parser, Tag, TagEnd};
use serde::Deserialize;
use xxhash_rust::xxh3::xxh3_128;

use super::cache::{self, CouncilHeads, Kept, MeetingCache, SourceFile};
use super::markdown::{AttachmentFolder, Body, BodyWriter, HeadingText, options};
use super::model::{Item, Meeting, MeetingText, Section, SectionKind, Status, TextAt, decision};
use super::source::{Source, parse_date, parse_time};
use crate::diagnostics::Diagnostic;
use crate::slug::slugify;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    date: String,
    start: Option<String>,
    end: Option<String>,
    place: Option<String>,
    status: String,
    #[serde(default)]
    participants: Vec<String>,
    #[serde(default)]
    absent: Vec<String>,
}

/// A meeting file found in a council folder, before it is read.
pub struct MeetingFile {
    /// The file on disk.
    pub path: PathBuf,
    /// The file as shown in messages.
    pub shown: PathBuf,
    /// The file name without `.md`: also the name of its attachment folder.
    pub stem: String,
    /// The meeting's slug: the date, plus the slug of the suffix.
    pub slug: String,
    /// The date in the file name.
    pub date: NaiveDate,
}

impl MeetingFile {
    /// Recognise `YYYY-MM-DD.md` or `YYYY-MM-DD-<suffix>.md`; otherwise say what was expected.
    pub fn new(path: PathBuf, shown: PathBuf) -> Result<MeetingFile, Diagnostic> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let expected = "expected a meeting file named YYYY-MM-DD.md, or YYYY-MM-DD-<suffix>.md for \
                        a second meeting that day";
        let Some(stem) = name.strip_suffix(".md").map(str::to_owned) else {
            return Err(Diagnostic::file(
                &shown,
                format!("{expected}: the extension must be `.md` in lowercase, not `{name}`"),
            ));
        };
        let (date_part, suffix) = if stem.len() >= 10 && stem.is_char_boundary(10) {
            stem.split_at(10)
        } else {
            return Err(Diagnostic::file(
                &shown,
                format!("{expected}, not `{name}`"),
            ));
        };
        let date = parse_date(date_part)
            .map_err(|e| Diagnostic::file(&shown, format!("the file name: {e}; {expected}")))?;
        let slug = match suffix {
            "" => date_part.to_owned(),
            _ => {
                let suffix_slug = suffix.strip_prefix('-').map(slugify).unwrap_or_default();
                if suffix_slug.is_empty() {
                    return Err(Diagnostic::file(
                        &shown,
                        format!("{expected}, not `{name}`"),
                    ));
                }
                format!("{date_part}-{suffix_slug}")
            }
        };
        Ok(MeetingFile {
            path,
            shown,
            stem,
            slug,
            date,
        })
    }

    /// Read and parse the file, or take it from `cache` (with its council's heads file) when
    /// parsing it again would give the same, with what the cache knows of it; `council_dir`
    /// holds its attachment folder; raw HTML may embed iframes from `iframe_hosts`.
    pub fn load(
        &self,
        council_dir: &Path,
        council_shown: &Path,
        decimal_comma: bool,
        iframe_hosts: &[String],
        cache: Option<(&MeetingCache, &CouncilHeads)>,
    ) -> Result<(Meeting, Option<Kept>), Vec<Diagnostic>> {
        let read = || Source::read_bytes(&self.path, &self.shown).map_err(|d| vec![d]);
        let parse = |bytes| {
            let source = Source::parse(bytes, &self.shown).map_err(|d| vec![d])?;
            self.parse(
                &source,
                council_dir,
                council_shown,
                decimal_comma,
                iframe_hosts,
            )
        };
        let Some((cache, heads)) = cache else {
            return Ok((parse(read()?)?, None));
        };
        let stamp = crate::filestamp::of(&self.path);
        let (content, bytes) = match heads.content(&self.shown, stamp) {
            Some(content) => (content, None),
            None => {
                let bytes = read()?;
                (xxh3_128(&bytes), Some(bytes))
            }
        };
        let paths = [self.path.as_path(), &self.shown, council_dir, council_shown];
        let key = cache::key(
            [&content.to_le_bytes()[..], &[u8::from(decimal_comma)]]
                .into_iter()
                .chain(paths.map(|p| p.as_os_str().as_encoded_bytes()))
                .chain(iframe_hosts.iter().map(|h| h.as_bytes())),
        );
        let source = SourceFile {
            shown: &self.shown,
            stamp,
            content,
        };
        cache.meeting(key, &source, heads, || {
            let bytes = match bytes {
                Some(bytes) => bytes,
                None => read()?,
            };
            // Parsed bytes must be those the key was made from: an entry is kept under it.
            if xxh3_128(&bytes) != content {
                return Err(vec![Diagnostic::file(
                    &self.shown,
                    "the file changed while the build read it: build again",
                )]);
            }
            parse(bytes)
        })
    }

    /// Parse the file's `source`, read already; `council_dir` holds its attachment folder.
    pub fn parse(
        &self,
        source: &Source,
        council_dir: &Path,
        council_shown: &Path,
        decimal_comma: bool,
        iframe_hosts: &[String],
    ) -> Result<Meeting, Vec<Diagnostic>> {
        let front: FrontMatter = source.front_matter(&self.shown).map_err(|d| vec![d])?;
        let shown = &self.shown;
        let date = source.field(shown, "date", &front.date, parse_date);
        let status = source.field(shown, "status", &front.status, Status::parse);
        let time = |key, value: Option<String>| {
            value
                .map(|v| source.field(shown, key, &v, parse_time))
                .transpose()
        };
        let end_without_start = front.end.is_some() && front.start.is_none();
        let (start, end) = (time("start", front.start), time("end", front.end));
        let mut diagnostics: Vec<Diagnostic> = [date.as_ref().err(), status.as_ref().err()]
            .into_iter()
            .chain([start.as_ref().err(), end.as_ref().err()])
            .flatten()
            .cloned()
            .collect();
        if end_without_start {
            diagnostics.push(Diagnostic::at(
                shown,
                source.key_line("end"),
                "front matter: `end` without `start`: expected both times, or `start` alone",
            ));
        }
        if let Ok(date) = date
            && date != self.date
        {
            diagnostics.push(Diagnostic::at(
                shown,
                source.key_line("date"),
                format!(
                    "the date {date} differs from the date in the file name ({}): expected them \
                     to be the same",
                    self.date
                ),
            ));
        }
        let folder = AttachmentFolder {
            name: self.stem.clone(),
            dir: council_dir.join(&self.stem),
            shown: council_shown.join(&self.stem),
        };
        let mut writer = BodyWriter::new(
            &self.shown,
            source.body(),
            source.body_first_line(),
            Some(folder),
            decimal_comma,
            iframe_hosts,
        );
        let (text, items) = parse_items(source.body(), &mut writer);
        diagnostics.append(&mut writer.diagnostics);
        let (Ok(status), Ok(start), Ok(end), true) = (status, start, end, diagnostics.is_empty())
        else {
            return Err(diagnostics);
        };
        Ok(Meeting {
            slug: self.slug.clone(),
            source: self.shown.clone(),
            fingerprint: source.fingerprint,
            date: self.date,
            start,
            end,
            place: front.place,
            status,
            participants: front.participants,
            absent: front.absent,
            items,
            attachments: writer.attachments,
            links: writer.links,
            text: TextAt::Here(Arc::new(text)),
        })
    }
}

/// Heading attributes mean something on agenda items only; elsewhere they would be dropped
/// silently, which for `{.lukket}` would publish what the writer meant to close.
pub const ATTRIBUTES_ON_ITEMS_ONLY: &str = "heading attributes such as `{.lukket}` belong on \
    `## ` agenda item headings only: a closed item is closed as a whole";

/// The heading whose text is being collected.
struct OpenHeading {
    level: HeadingLevel,
    text: HeadingText,
}

/// The item being read.
struct OpenItem<'a> {
    item: Item,
    sections: Vec<Section>,
    section: Option<OpenSection<'a>>,
}

/// The section being read, with the events of its body so far.
struct OpenSection<'a> {
    kind: SectionKind,
    title: String,
    line: usize,
    body: Body<'a>,
}

impl OpenItem<'_> {
    /// Add the item, done, to `items` and its sections to `sections`.
    fn finish(
        mut self,
        writer: &mut BodyWriter<'_>,
        items: &mut Vec<Item>,
        sections: &mut Vec<Vec<Section>>,
    ) {
        self.close_section(writer);
        self.item.decision = decision(&self.sections);
        items.push(self.item);
        sections.push(self.sections);
    }

    fn close_section(&mut self, writer: &mut BodyWriter<'_>) {
        if let Some(section) = self.section.take() {
            if section.kind == SectionKind::Intro && section.body.events.is_empty() {
                return;
            }
            self.sections.push(Section {
                kind: section.kind,
                title: section.title,
                line: section.line,
                html: writer.html(section.body),
            });
        }
    }
}

/// The items of a meeting's `body`, and its text: the introduction and the items' sections.
fn parse_items(body: &str, writer: &mut BodyWriter<'_>) -> (MeetingText, Vec<Item>) {
    let mut intro = Body::default();
    let mut items: Vec<Item> = Vec::new();
    let mut sections: Vec<Vec<Section>> = Vec::new();
    let mut open: Option<OpenItem<'_>> = None;
    let mut heading: Option<OpenHeading> = None;

    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        if let Some(h) = heading.as_mut() {
            match event {
                Event::End(TagEnd::Heading(level)) if level == h.level => {
                    let text = h.text.take();
                    heading = None;
                    finish_heading(level, text, range.start, open.as_mut(), writer);
                }
                other => h.text.push(&other),
            }
            continue;
        }
        match event {
            Event::Start(Tag::Heading {
                level: level @ (HeadingLevel::H1 | HeadingLevel::H2 | HeadingLevel::H3),
                id,
                classes,
                attrs,
            }) => {
                if level != HeadingLevel::H2
                    && (id.is_some() || !classes.is_empty() || !attrs.is_empty())
                {
                    writer.error(range.start, ATTRIBUTES_ON_ITEMS_ONLY);
                }
                match level {
                    HeadingLevel::H1 => writer.error(
                        range.start,
                        "a `#` heading in a meeting file: expected agenda items as `## ` \
                         headings and their sections as `### `",
                    ),
                    HeadingLevel::H2 => {
                        if let Some(done) = open.take() {
                            done.finish(writer, &mut items, &mut sections);
                        }
                        let number = sections.len() + 1;
                        let (case, closed) =
                            item_attributes(id, classes, attrs, range.start, writer);
                        open = Some(OpenItem {
                            item: Item {
                                number,
                                line: writer.line(range.start),
                                title: String::new(),
                                case: if closed { None } else { case },
                                closed,
                                decision: None,
                            },
                            sections: Vec::new(),
                            section: None,
                        });
                    }
                    _ => match open.as_mut() {
                        None => writer.error(
                            range.start,
                            "a `###` section before the first agenda item: expected a `## ` item \
                             heading first",
                        ),
                        Some(item) => item.close_section(writer),
                    },
                }
                heading = Some(OpenHeading {
                    level,
                    text: HeadingText::default(),
                });
            }
            event => match open.as_mut() {
                None => writer.push(event, range.start, &mut intro),
                Some(item) if item.item.closed => {}
                Some(item) => {
                    let line = writer.line(range.start);
                    let section = item.section.get_or_insert_with(|| OpenSection {
                        kind: SectionKind::Intro,
                        title: String::new(),
                        line,
                        body: Body::default(),
                    });
                    writer.push(event, range.start, &mut section.body);
                }
            },
        }
    }
    if let Some(done) = open.take() {
        done.finish(writer, &mut items, &mut sections);
    }
    let text = MeetingText {
        intro_html: writer.html(intro),
        sections,
    };
    (text, items)
}

fn finish_heading(
    level: HeadingLevel,
    text: String,
    offset: usize,
    open: Option<&mut OpenItem<'_>>,
    writer: &mut BodyWriter<'_>,
) {
    if text.contains('{') {
        writer.error(
            offset,
            "a heading contains `{`: attributes such as `{.lukket}` or `{case=…}` must end the \
             `## ` heading line, after the title and without closing `#`s",
        );
    }
    let Some(open) = open else { return };
    match level {
        HeadingLevel::H2 => {
            if text.is_empty() {
                writer.error(
                    offset,
                    format!(
                        "agenda item {} has no title: expected `## <title>`",
                        open.item.number
                    ),
                );
            }
            open.item.title = text;
        }
        HeadingLevel::H3 if !open.item.closed => {
            let title = text.trim_end_matches(':').trim_end().to_owned();
            open.section = Some(OpenSection {
                kind: SectionKind::from_heading(&title),
                title,
                line: writer.line(offset),
                body: Body::default(),
            });
        }
        _ => {}
    }
}

/// Read `{case=…}` and `{.lukket}` from an item heading; anything else is an error, since a
/// misspelt `.lukket` would publish a closed item.
fn item_attributes(
    id: Option<CowStr<'_>>,
    classes: Vec<CowStr<'_>>,
    attrs: Vec<(CowStr<'_>, Option<CowStr<'_>>)>,
    offset: usize,
    writer: &mut BodyWriter<'_>,
) -> (Option<String>, bool) {
    if let Some(id) = id {
        writer.error(
            offset,
            format!(
                "the heading id `#{id}` is not allowed: items are anchored as `#punkt-<N>` by \
                 their number"
            ),
        );
    }
    let mut closed = false;
    for class in classes {
        if &*class == "lukket" {
            closed = true;
        } else {
            writer.error(
                offset,
                format!(
                    "unknown class `.{class}` on an agenda item: expected `.lukket` for a closed \
                     item, or none"
                ),
            );
        }
    }
    let mut case = None;
    for (key, value) in attrs {
        match (&*key, value) {
            ("case", Some(value)) if is_case_id(&value) => case = Some(value.into_string()),
            ("case", value) => writer.error(
                offset,
                format!(
                    "the Sags ID `{}` is not valid: expected letters, digits, `-`, `.`, `_` or \
                     `/`, e.g. `case=EMN-2016-02142`",
                    value.as_deref().unwrap_or("")
                ),
            ),
            (key, _) => writer.error(
                offset,
                format!(
                    "unknown attribute `{key}` on an agenda item: expected `case=<Sags ID>` or \
                     `.lukket`"
                ),
            ),
        }
    }
    (case, closed)
}

fn is_case_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id.starts_with(|c: char| c.is_ascii_alphanumeric())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._/".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> (MeetingText, Vec<Item>, Vec<Diagnostic>) {
        let file = Path::new("m.md");
        let mut writer = BodyWriter::new(file, body, 1, None, true, &[]);
        let (text, items) = parse_items(body, &mut writer);
        (text, items, writer.diagnostics)
    }

    #[test]
    fn items_are_numbered_with_their_sections() {
        let (text, items, errors) = parse(
            "## Første {case=EMN-2016-02142}\n\n### Indstilling\n\nGodkend.\n\n### Beslutninger:\n\nGodkendt.\n\n## Anden\n\nTekst.\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].title, "Første");
        assert_eq!(items[0].case.as_deref(), Some("EMN-2016-02142"));
        let kinds: Vec<_> = text.of(&items[0]).iter().map(|s| s.kind).collect();
        assert_eq!(kinds, [SectionKind::Indstilling, SectionKind::Beslutning]);
        assert_eq!(text.of(&items[0])[1].title, "Beslutninger");
        assert_eq!(items[0].decision.as_deref(), Some("Godkendt."));
        assert_eq!(items[1].number, 2);
        assert_eq!(text.of(&items[1])[0].kind, SectionKind::Intro);
        assert_eq!(items[1].decision, None);
    }

    #[test]
    fn a_closed_item_keeps_nothing_but_its_title() {
        let (text, items, errors) =
            parse("## Hemmeligt {.lukket}\n\n### Beslutning\n\nKANARIE [x](nope/x.pdf)\n");
        assert!(errors.is_empty(), "{errors:?}");
        assert!(items[0].closed);
        assert_eq!(items[0].title, "Hemmeligt");
        assert!(text.of(&items[0]).is_empty());
        assert_eq!(items[0].decision, None);
    }

    #[test]
    fn a_misspelt_closed_class_is_an_error_with_its_line() {
        let (_, _, errors) = parse("## A\n\n## B {.lukke}\n");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, Some(3));
        assert!(errors[0].message.contains("unknown class `.lukke`"));
    }

    #[test]
    fn closed_markers_anywhere_but_the_end_of_an_item_heading_are_errors() {
        for body in [
            "## Hemmeligt {.lukket} ##\n\nKANARIE\n",
            "## Hemmeligt {.lukket} og mere\n\nKANARIE\n",
            "## A\n\n### Beslutning {.lukket}\n\nKANARIE\n",
            "## A\n\n#### Note {.lukket}\n\nKANARIE\n",
        ] {
            let (_, _, errors) = parse(body);
            assert!(!errors.is_empty(), "no error for {body:?}");
        }
    }

    #[test]
    fn raw_html_is_sanitised() {
        let (text, items, _) = parse(
            "## A <i>kursiv</i><script>x</script>\n\n<script>alert(1)</script>\n\n<b>fed</b>\n",
        );
        assert_eq!(items[0].title, "A kursiv");
        let html = &text.of(&items[0])[0].html;
        assert_eq!(html, "\n<p><b>fed</b></p>\n");
    }

    #[test]
    fn items_sections_and_links_know_their_lines() {
        let body = "Intro [a](#punkt-2).\n\n## A\n\nTekst.\n\n### Beslutning\n\nSe \
                    [b](https://x.dk/).\n\nB\n---\n\n[c](#c)\n\n## C {.lukket}\n\n[d](#d)\n";
        let mut writer = BodyWriter::new(Path::new("m.md"), body, 10, None, true, &[]);
        let (text, items) = parse_items(body, &mut writer);
        assert!(writer.diagnostics.is_empty(), "{:?}", writer.diagnostics);
        let lines: Vec<usize> = items.iter().map(|i| i.line).collect();
        assert_eq!(lines, [12, 20, 25]);
        let sections: Vec<(SectionKind, usize)> = text
            .of(&items[0])
            .iter()
            .map(|s| (s.kind, s.line))
            .collect();
        assert_eq!(
            sections,
            [(SectionKind::Intro, 14), (SectionKind::Beslutning, 16)]
        );
        assert_eq!(text.of(&items[1])[0].line, 23);
        let links: Vec<(&str, usize)> = writer
            .links
            .iter()
            .map(|l| (l.url.as_str(), l.line))
            .collect();
        assert_eq!(
            links,
            [("#punkt-2", 10), ("https://x.dk/", 18), ("#c", 23)],
            "a closed item's links are not kept"
        );
    }
}
