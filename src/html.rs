//! Escaping text for HTML, and reading back the escapes referat and pulldown-cmark write.

/// `text` escaped for HTML text and quoted attribute values. `/` is left alone (tera's default
/// escapes it, which makes every URL unreadable without making it any safer).
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// The text of `html` whose only markup is the escapes of [`escape`] (`&amp;` last, so that
/// `&amp;lt;` stays `&lt;`).
pub fn unescape(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::{escape, unescape};

    #[test]
    fn unescape_reverses_escape() {
        let text = "a<b> & \"c\" 'd' &lt; /e";
        assert_eq!(
            escape(text),
            "a&lt;b&gt; &amp; &quot;c&quot; &#39;d&#39; &amp;lt; /e"
        );
        assert_eq!(unescape(&escape(text)), text);
    }
}
