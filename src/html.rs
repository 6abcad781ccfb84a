//! Escaping text for HTML, and reading back the escapes and the HTML referat and pulldown-cmark
//! write.

/// `text` escaped for HTML text and quoted attribute values: `&`, `<`, `>`, `"` and `'`.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    let Ok(()) = escape_runs(text, |run| {
        escaped.push_str(run);
        Ok::<_, std::convert::Infallible>(())
    });
    escaped
}

/// [`escape`] written to `out`: the templates' escape function, so that pages hold the very
/// escapes the guard looks for (tests/guard.rs), and a value goes into its page without a copy.
pub fn escape_to(text: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    escape_runs(text, |run| out.write_all(run.as_bytes()))
}

/// Hand `text` to `push` in runs: the text between the characters [`escape`] escapes, each in
/// one piece, and the escapes.
fn escape_runs<E>(text: &str, mut push: impl FnMut(&str) -> Result<(), E>) -> Result<(), E> {
    let mut at = 0;
    for (i, byte) in text.bytes().enumerate() {
        let with = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        push(&text[at..i])?;
        push(with)?;
        at = i + 1;
    }
    push(&text[at..])
}

/// The text of `html` whose only markup is the escapes of [`escape`], and the `&nbsp;` of
/// sanitised HTML (`&amp;` last, so that `&amp;lt;` stays `&lt;`).
pub fn unescape(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// The value of every attribute in `html` that starts with `start` (its name and `="`, e.g.
/// `" id=\""`), as written, its escapes kept. referat and pulldown-cmark escape any `"` of a
/// value, so the next `"` ends it.
pub fn attribute_values<'a>(html: &'a str, start: &'a str) -> impl Iterator<Item = &'a str> {
    memchr::memmem::find_iter(html.as_bytes(), start.as_bytes()).filter_map(move |at| {
        let value = &html[at + start.len()..];
        value.find('"').map(|end| &value[..end])
    })
}

/// The plain text of HTML written by the content stage: one line per paragraph, list item,
/// table cell, heading or other block (the line breaks of the source within one become spaces),
/// tags dropped with their text kept, escapes decoded, runs of blanks made one, no empty lines.
/// The content stage's HTML has `<` only at tags and `>` nowhere inside a tag, and no script:
/// raw HTML is sanitised there.
pub fn to_text(html: &str) -> String {
    const BLOCKS: &[&str] = &[
        "p",
        "li",
        "br",
        "tr",
        "td",
        "th",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "div",
        "dt",
        "dd",
        "caption",
        "hr",
        "table",
    ];
    let mut text = PlainText::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        text.push_html(&rest[..lt]);
        let Some(gt) = rest[lt..].find('>') else {
            rest = &rest[lt..];
            break;
        };
        let tag = &rest[lt + 1..lt + gt];
        let name = tag
            .trim_start_matches('/')
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or("");
        if BLOCKS.contains(&name) {
            text.line_break();
        }
        rest = &rest[lt + gt + 1..];
    }
    text.push_html(rest);
    text.out
}

/// Plain text being put together: blanks made one, lines without blanks at either end, no
/// empty lines.
struct PlainText {
    out: String,
    blank: bool,
    line_break: bool,
}

impl PlainText {
    fn with_capacity(capacity: usize) -> PlainText {
        PlainText {
            out: String::with_capacity(capacity),
            blank: false,
            line_break: false,
        }
    }

    /// Add text without tags, its escapes of [`unescape`] decoded. A blank is any whitespace
    /// character, as [`char::is_whitespace`] has it, or a decoded no-break space.
    fn push_html(&mut self, html: &str) {
        const ESCAPES: [(&str, char); 6] = [
            ("&lt;", '<'),
            ("&gt;", '>'),
            ("&quot;", '"'),
            ("&#39;", '\''),
            ("&nbsp;", '\u{a0}'),
            ("&amp;", '&'),
        ];
        let bytes = html.as_bytes();
        // The text from `start` to `at` is pushed in one piece when a blank or an escape ends it.
        let (mut start, mut at) = (0, 0);
        while at < bytes.len() {
            let (len, blank) = match bytes[at] {
                b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' => (1, true),
                b'&' => match ESCAPES.iter().find(|(e, _)| html[at..].starts_with(e)) {
                    Some((escape, decoded)) => {
                        self.push_str(&html[start..at]);
                        if decoded.is_whitespace() {
                            self.blank = true;
                        } else {
                            self.push_str(decoded.encode_utf8(&mut [0; 4]));
                        }
                        at += escape.len();
                        start = at;
                        continue;
                    }
                    None => (1, false),
                },
                // The first bytes of the characters beyond ASCII that are whitespace.
                0xc2 | 0xe1 | 0xe2 | 0xe3 => {
                    let c = html[at..].chars().next().expect("a character starts here");
                    (c.len_utf8(), c.is_whitespace())
                }
                _ => (1, false),
            };
            if blank {
                self.push_str(&html[start..at]);
                self.blank = true;
                start = at + len;
            }
            at += len;
        }
        self.push_str(&html[start..]);
    }

    /// Add text without blanks, after a line break or a space if one is due.
    fn push_str(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        if !self.out.is_empty() {
            if self.line_break {
                self.out.push('\n');
            } else if self.blank {
                self.out.push(' ');
            }
        }
        self.blank = false;
        self.line_break = false;
        self.out.push_str(text);
    }

    fn line_break(&mut self) {
        self.line_break = true;
    }
}

#[cfg(test)]
mod tests {
    use super::{escape, escape_to, to_text, unescape};

    #[test]
    fn unescape_reverses_escape() {
        let text = "Ærø a<b> & \"c\" 'd' &lt; /e – å";
        assert_eq!(
            escape(text),
            "Ærø a&lt;b&gt; &amp; &quot;c&quot; &#39;d&#39; &amp;lt; /e – å"
        );
        assert_eq!(unescape(&escape(text)), text);
        let mut written = Vec::new();
        escape_to(text, &mut written).unwrap();
        assert_eq!(
            written,
            escape(text).as_bytes(),
            "the templates escape the same"
        );
    }

    #[test]
    fn to_text_keeps_words_apart_and_decodes_escapes() {
        assert_eq!(
            to_text(
                "<p>Rådet <strong>tager</strong>\n&lt;orientering&gt; &amp; mere</p>\n\
                 <ul><li>a</li><li>b <a href=\"x.pdf\">bilag</a> <span>(PDF, 57 B)</span></li></ul>"
            ),
            "Rådet tager <orientering> & mere\na\nb bilag (PDF, 57 B)"
        );
        assert_eq!(to_text("<p>A&amp;lt;B</p>"), "A&lt;B");
        assert_eq!(to_text("<div>a&nbsp;b</div><div><b>c</b></div>"), "a b\nc");
        assert_eq!(
            to_text("<p> &amp;&lt;x&gt; &nbsp;&unknown; a\u{a0}b\u{2003}c&#39;</p>"),
            "&<x> &unknown; a b c'"
        );
        assert_eq!(to_text("<p>&nbsp;</p><p>&amp;</p>"), "&");
        assert_eq!(
            to_text("<p>æ\u{85}ø\u{1680}å\u{2009}Æ\u{202f}Ø\u{3000}Å\t\r\u{b}\u{c}x¢\u{2013}y</p>"),
            "æ ø å Æ Ø Å x¢\u{2013}y"
        );
    }
}
