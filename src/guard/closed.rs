//! The text of closed items, read from a meeting file's raw lines, and the forms it takes in
//! the files a build writes.

use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use super::needles::{Form, MIN_CHARS};
use super::state::Closed;
use crate::content::markdown;
use crate::html::escape;

/// The fewest words a run must have to be looked for.
const MIN_WORDS: usize = 3;
/// The most words of one piece of a run looked for.
const PIECE_WORDS: usize = 12;

/// The runs of the closed items of a meeting file whose bodies are `bodies`, as the guard looks
/// for them: each in every form it takes in the files a build writes.
pub(super) fn closed_items(text: &str, bodies: &[Range<usize>]) -> Vec<Closed> {
    closed_runs(text, bodies)
        .into_iter()
        .map(|run| {
            let html = body_escape(&run.text);
            let mut texts = vec![run.text.clone()];
            for form in written_forms(&run.text) {
                if !texts.contains(&form) {
                    texts.push(form);
                }
            }
            Closed {
                line: run.line,
                html: texts
                    .iter()
                    .position(|text| *text == html)
                    .expect("the form HTML text has is a written form"),
                forms: texts.iter().map(|text| Form::of(text)).collect(),
            }
        })
        .collect()
}

/// A run of a closed item's plain text, with its line.
#[derive(Debug, PartialEq, Eq)]
struct Run {
    text: String,
    line: usize,
}

/// The runs of text of the closed items of a meeting file whose bodies are `bodies`.
fn closed_runs(text: &str, bodies: &[Range<usize>]) -> Vec<Run> {
    let mut runs = Vec::new();
    for body in bodies {
        let first_line = text[..body.start].matches('\n').count() + 1;
        let source = &text[body.clone()];
        let mut keep = |run: Option<(String, usize)>| {
            let Some((run, offset)) = run else { return };
            let line = first_line + source[..offset].matches('\n').count();
            for piece in pieces(&run) {
                if piece.chars().count() >= MIN_CHARS && piece.split(' ').count() >= MIN_WORDS {
                    runs.push(Run { text: piece, line });
                }
            }
        };
        // A run between two pieces of markup, as HTML has it, and a run of a line across
        // inline markup (emphasis, links), as plain text has it.
        let mut segment: Option<(String, usize)> = None;
        let mut line: Option<(String, usize)> = None;
        for (event, range) in Parser::new_ext(source, markdown::options()).into_offset_iter() {
            match event {
                Event::Text(t) | Event::Code(t) => {
                    for run in [&mut segment, &mut line] {
                        match run.as_mut() {
                            Some((text, _)) => text.push_str(&t),
                            None => *run = Some((t.to_string(), range.start)),
                        }
                    }
                }
                Event::Start(tag) if is_inline(&tag) => keep(segment.take()),
                Event::End(tag) if is_inline_end(&tag) => keep(segment.take()),
                _ => {
                    keep(segment.take());
                    keep(line.take());
                }
            }
        }
        keep(segment.take());
        keep(line.take());
    }
    runs.sort_by(|a, b| (a.line, &a.text).cmp(&(b.line, &b.text)));
    runs.dedup();
    runs
}

/// The pieces of a run that are looked for: its sentences, each cut into parts of at most
/// [`PIECE_WORDS`] words, so that an excerpt that cuts a sentence still contains whole pieces.
fn pieces(run: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut sentence: Vec<&str> = Vec::new();
    for word in run.split_whitespace() {
        sentence.push(word);
        if sentence.len() == PIECE_WORDS || word.ends_with(['.', '!', '?', ':', ';']) {
            pieces.push(sentence.join(" "));
            sentence.clear();
        }
    }
    if !sentence.is_empty() {
        pieces.push(sentence.join(" "));
    }
    pieces
}

/// Whether a tag is markup within a line of text.
fn is_inline(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Link { .. }
    )
}

/// Whether a tag's end is markup within a line of text.
fn is_inline_end(tag: &TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link
    )
}

/// The byte ranges of the bodies of the closed items in a meeting file, from its raw lines: after
/// each `##` heading (ATX or underlined with `---`) that has `lukket` in a `{…}` block, up to the
/// next `#` or `##` heading. Fenced code blocks are skipped; front matter is not a body.
pub(super) fn closed_bodies(text: &str) -> Vec<Range<usize>> {
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        lines.push((at, line.trim_end_matches(['\n', '\r'])));
        at += line.len();
    }
    let mut first = 0;
    if lines
        .first()
        .is_some_and(|(_, l)| l.trim_start_matches('\u{feff}') == "---")
    {
        first = lines[1..]
            .iter()
            .position(|(_, l)| *l == "---" || *l == "...")
            .map_or(lines.len(), |end| end + 2);
    }
    let mut bodies = Vec::new();
    let mut open: Option<usize> = None;
    let mut fence: Option<char> = None;
    let mut i = first;
    while i < lines.len() {
        let (offset, line) = lines[i];
        let indented = line.len() - line.trim_start_matches(' ').len();
        let trimmed = line.trim_start_matches(' ');
        if indented < 4 {
            if let Some(marker) = fence {
                if trimmed.starts_with(&format!("{marker}{marker}{marker}")) {
                    fence = None;
                }
                i += 1;
                continue;
            }
            if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
                fence = trimmed.chars().next();
                i += 1;
                continue;
            }
        }
        let atx = (indented < 4)
            .then(|| atx_level(trimmed))
            .flatten()
            .filter(|level| *level <= 2);
        let setext = atx.is_none()
            && indented < 4
            && !trimmed.is_empty()
            && lines
                .get(i + 1)
                .is_some_and(|(_, next)| setext_underline(next).is_some());
        if atx.is_some() || setext {
            if let Some(start) = open.take() {
                bodies.push(start..offset);
            }
            let skip = if setext { 2 } else { 1 };
            if is_closed_heading(trimmed) {
                open = Some(lines.get(i + skip).map_or(text.len(), |(o, _)| *o));
            }
            i += skip;
            continue;
        }
        i += 1;
    }
    if let Some(start) = open {
        bodies.push(start..text.len());
    }
    bodies
}

/// The level of an ATX heading line (`#` to `######` then a space or the end).
fn atx_level(line: &str) -> Option<usize> {
    let level = line.bytes().take_while(|b| *b == b'#').count();
    let rest = &line[level..];
    ((1..=6).contains(&level) && (rest.is_empty() || rest.starts_with([' ', '\t'])))
        .then_some(level)
}

/// Whether `line` underlines the line before it as a heading (`===` or `---`), and with which.
fn setext_underline(line: &str) -> Option<char> {
    let indented = line.len() - line.trim_start_matches(' ').len();
    let marks = line.trim();
    let first = marks.chars().next()?;
    (indented < 4 && (first == '=' || first == '-') && marks.chars().all(|c| c == first))
        .then_some(first)
}

/// Whether a heading line has `lukket` inside a `{…}` block, in any case.
fn is_closed_heading(line: &str) -> bool {
    let lower = line.to_lowercase();
    let mut rest = lower.as_str();
    while let Some(open) = rest.find('{') {
        let block = &rest[open..];
        let end = block.find('}').unwrap_or(block.len());
        if block[..end].contains("lukket") {
            return true;
        }
        rest = &block[1..];
    }
    false
}

/// `text` escaped as pulldown-cmark escapes the text of HTML it writes.
fn body_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Tags that are markup within a line of text, in the HTML the content stage writes.
const INLINE_TAGS: &[&str] = &[
    "a", "abbr", "b", "code", "del", "em", "i", "mark", "s", "small", "span", "strong", "sub",
    "sup", "u",
];

/// `html` with its inline tags cut out and its other tags made line breaks, escapes kept: the
/// text a reader sees, as HTML escapes it.
pub(super) fn without_markup(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        text.push_str(&rest[..lt]);
        let Some(gt) = rest[lt..].find('>') else {
            rest = &rest[lt..];
            break;
        };
        let name = rest[lt + 1..lt + gt]
            .trim_start_matches('/')
            .split([' ', '/', '\n'])
            .next()
            .unwrap_or_default();
        if !INLINE_TAGS.contains(&name) {
            text.push('\n');
        }
        rest = &rest[lt + gt + 1..];
    }
    text.push_str(rest);
    text
}

/// The forms a run of text takes in the files a build writes: as written (plain text, feeds'
/// CDATA), escaped for HTML text and attributes, and inside a JSON string.
fn written_forms(text: &str) -> Vec<String> {
    let body_text = body_escape(text);
    let json = serde_json::to_string(text).expect("a string is JSON");
    let mut forms = vec![
        text.to_owned(),
        body_text,
        escape(text),
        json[1..json.len() - 1].to_owned(),
    ];
    forms.sort();
    forms.dedup();
    forms
}
#[cfg(test)]
mod tests {
    use super::*;

    const MEETING: &str = "---\ndate: 2024-01-01\nstatus: referat\n---\n\
        ## Åbent punkt\n\nSagen blev drøftet på mødet i dag.\n\n\
        ## Personalesag {.lukket}\n\nBorgeren har klaget over **sagsbehandlingen** i afdelingen.\n\
        Sagen blev drøftet på mødet i dag.\n\n```\n## ikke en overskrift\nkode i lukket punkt her\n```\n\
        Titel på næste punkt\n---\n\nÅben tekst igen.\n";

    fn runs(text: &str) -> Vec<(String, usize)> {
        closed_runs(text, &closed_bodies(text))
            .into_iter()
            .map(|r| (r.text, r.line))
            .collect()
    }

    #[test]
    fn the_body_of_a_closed_item_runs_to_the_next_item_heading() {
        let runs = runs(MEETING);
        let texts: Vec<&str> = runs.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Borgeren har klaget over",
                "Borgeren har klaget over sagsbehandlingen i afdelingen.",
                "Sagen blev drøftet på mødet i dag.",
                "## ikke en overskrift kode i lukket punkt her",
            ]
        );
        assert_eq!(runs[1].1, 11, "the line of the run in the file");
        assert_eq!(runs[2].1, 12);
    }

    #[test]
    fn a_run_is_kept_in_each_of_its_forms_once_as_written_first() {
        let text = "---\ndate: 2024-01-01\n---\n## Sag {.lukket}\n\n\
                    Kommunen & borgeren har indgået en aftale.\n";
        let kept = closed_items(text, &closed_bodies(text));
        assert_eq!(kept.len(), 1);
        let run = &kept[0];
        assert_eq!(run.line, 6);
        assert_eq!(
            run.forms[0],
            Form::of("Kommunen & borgeren har indgået en aftale.")
        );
        assert_eq!(
            run.forms[run.html],
            Form::of("Kommunen &amp; borgeren har indgået en aftale.")
        );
        assert_eq!(
            run.forms.len(),
            2,
            "JSON and HTML attributes write no other"
        );
    }

    #[test]
    fn runs_are_looked_for_by_sentence_and_by_twelve_words() {
        assert_eq!(
            pieces("Første sætning her. Anden sætning? a b c d e f g h i j k l m n"),
            [
                "Første sætning her.",
                "Anden sætning?",
                "a b c d e f g h i j k l",
                "m n"
            ]
        );
    }

    #[test]
    fn closed_headings_are_found_in_any_form() {
        assert!(is_closed_heading("## Personalesag {.lukket}"));
        assert!(is_closed_heading("## Personalesag {.Lukket case=EMN-1}"));
        assert!(is_closed_heading("## Personalesag {.lukket} ##"));
        assert!(!is_closed_heading("## Lukket vej ved skolen"));
        let setext = "Personalesag {.lukket}\n---\nHemmelig tekst om en borger her.\n";
        assert_eq!(runs(setext).len(), 1);
    }

    #[test]
    fn front_matter_is_not_a_body() {
        assert!(closed_bodies("---\ntitle: x {.lukket}\n---\n").is_empty());
    }

    #[test]
    fn text_is_looked_for_as_html_and_json_write_it() {
        let forms = written_forms("Kommunen & \"borgeren\" <aftale>");
        assert!(forms.contains(&"Kommunen &amp; \"borgeren\" &lt;aftale&gt;".to_owned()));
        assert!(forms.contains(&"Kommunen &amp; &quot;borgeren&quot; &lt;aftale&gt;".to_owned()));
        assert!(forms.contains(&"Kommunen & \\\"borgeren\\\" <aftale>".to_owned()));
    }

    #[test]
    fn markup_within_a_line_is_cut_out_and_blocks_end_lines() {
        assert_eq!(
            without_markup("<p>A <strong>B</strong> &amp; <a href=\"x\">C</a></p><p>D<br />E</p>"),
            "\nA B &amp; C\n\nD\nE\n"
        );
    }
}
