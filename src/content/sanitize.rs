//! Raw HTML in Markdown, cut down to what a page of minutes needs: formatting, lists, tables,
//! links and images, with `http`, `https`, `mailto`, `tel` and relative URLs only, no script,
//! no event-handler attributes, no styles or classes of the writer's own, no comments, and
//! iframes only from the hosts `site.toml` lists in `iframe_hosts`.
//!
//! pulldown-cmark hands raw HTML over one line or one tag at a time (`<b>` and `</b>` around
//! Markdown text are two events), so no single event can be judged alone: a body (a section,
//! a meeting's introduction, a kommissorium) that holds raw HTML is rendered whole and the
//! rendered HTML of the whole body is sanitised, which also closes whatever the writer left
//! open inside the body instead of inside the page. A body without raw HTML is pulldown-cmark's
//! own output, safe by construction once its link targets are checked, and is left as it is.

use std::collections::{HashMap, HashSet};

use ammonia::{Builder, Url, UrlRelative};

/// The tags raw HTML may use, and everything referat's own Markdown output uses.
const TAGS: &[&str] = &[
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
    "var",
];

/// The attributes of an iframe from an allowed host that are kept.
const IFRAME_ATTRIBUTES: &[&str] = &[
    "src",
    "title",
    "width",
    "height",
    "allowfullscreen",
    "loading",
];

/// The deepest nesting of elements a body with raw HTML may have. Parsing HTML takes time that
/// grows with the square of its depth; no page of minutes nests a hundred levels.
pub const MAX_DEPTH: usize = 1_000;

/// How deep the elements of `html` nest at most, counted from its tags (an end tag closes the
/// last element opened, void elements and `<…/>` open none): at least the depth a browser
/// finds, more when end tags are left out.
pub fn nesting_depth(html: &str) -> usize {
    const VOID: &[&str] = &[
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr",
    ];
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        rest = &rest[lt + 1..];
        if let Some(after) = rest.strip_prefix('/') {
            depth = depth.saturating_sub(1);
            rest = after;
            continue;
        }
        let name_end = rest
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        let name = &rest[..name_end];
        if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        let self_closing = rest.find('>').is_some_and(|gt| rest[..gt].ends_with('/'));
        if !self_closing && !VOID.iter().any(|v| v.eq_ignore_ascii_case(name)) {
            depth += 1;
            deepest = deepest.max(depth);
        }
    }
    deepest
}

/// `html`, rendered from a body that held raw HTML, cut down to the allowlist; iframes are
/// kept only when their `src` is an `https` URL on one of `iframe_hosts`.
pub fn sanitize(html: &str, iframe_hosts: &[String]) -> String {
    let mut builder = Builder::empty();
    let tag_attributes: HashMap<&str, HashSet<&str>> = [
        ("a", &["href", "title"][..]),
        ("abbr", &["title"]),
        ("img", &["src", "alt", "title", "width", "height"]),
        ("ol", &["start", "reversed"]),
        ("li", &["value"]),
        ("td", &["colspan", "rowspan", "style"]),
        ("th", &["colspan", "rowspan", "scope", "style"]),
        ("col", &["span"]),
        ("colgroup", &["span"]),
        ("time", &["datetime"]),
        ("q", &["cite"]),
        ("blockquote", &["cite"]),
        ("del", &["cite", "datetime"]),
        ("ins", &["cite", "datetime"]),
    ]
    .into_iter()
    .map(|(tag, attributes)| (tag, attributes.iter().copied().collect()))
    .collect();
    builder
        .tags(TAGS.iter().copied().collect())
        .tag_attributes(tag_attributes)
        .generic_attributes(["lang", "title"].into_iter().collect())
        // The type and size shown after an attachment link are referat's own.
        .allowed_classes([("span", ["bilag-meta"].into_iter().collect())].into())
        .url_schemes(["http", "https", "mailto", "tel"].into_iter().collect())
        .url_relative(UrlRelative::PassThrough)
        .link_rel(Some("noopener noreferrer"))
        .strip_comments(true)
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            // The only style kept is the column alignment pulldown-cmark writes into tables.
            ("td" | "th", "style") => matches!(
                value,
                "text-align: left" | "text-align: center" | "text-align: right"
            )
            .then(|| value.into()),
            _ => Some(value.into()),
        });
    if iframe_hosts.is_empty() {
        builder.clean_content_tags(["script", "style", "iframe"].into_iter().collect());
    } else {
        builder
            .clean_content_tags(["script", "style"].into_iter().collect())
            .add_tags(["iframe"])
            .add_tag_attributes("iframe", IFRAME_ATTRIBUTES);
    }
    let clean = builder.clean(html).to_string();
    if iframe_hosts.is_empty() {
        clean
    } else {
        keep_allowed_iframes(&clean, iframe_hosts)
    }
}

/// `html` as html5ever serialises it, without the iframes whose `src` is not an `https` URL on
/// one of `hosts`, and without the content of any iframe (fallback text no browser shows).
///
/// In serialised HTML a `<` stands only at the start of a tag, or inside an element whose
/// content is raw text: text and attribute values have it escaped, comments are gone, and of the
/// raw-text elements only `iframe` passes the allowlist. An iframe's raw text ends at the first
/// `</iframe>`, so reading from tag to tag, and from each `<iframe` to its `</iframe>`, finds
/// every iframe and nothing else.
fn keep_allowed_iframes(html: &str, hosts: &[String]) -> String {
    const OPEN: &str = "<iframe";
    const CLOSE: &str = "</iframe>";
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(OPEN) {
        out.push_str(&rest[..at]);
        let iframe = &rest[at..];
        let Some(tag_end) = iframe.find('>') else {
            return out;
        };
        let start_tag = &iframe[..=tag_end];
        let end = iframe[tag_end..]
            .find(CLOSE)
            .map_or(iframe.len(), |i| tag_end + i + CLOSE.len());
        if attribute(start_tag, "src").is_some_and(|src| iframe_allowed(&src, hosts)) {
            out.push_str(start_tag);
            out.push_str(CLOSE);
        }
        rest = &iframe[end..];
    }
    out.push_str(rest);
    out
}

/// The value of `name="…"` in a start tag as html5ever serialises it, decoded.
fn attribute(start_tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let from = start_tag.find(&needle)? + needle.len();
    let value = &start_tag[from..from + start_tag[from..].find('"')?];
    Some(
        value
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&nbsp;", "\u{a0}")
            .replace("&amp;", "&"),
    )
}

/// True when `src` is an `https` URL on one of `hosts` (compared without case).
pub fn iframe_allowed(src: &str, hosts: &[String]) -> bool {
    let Ok(url) = Url::parse(src.trim()) else {
        return false;
    };
    url.scheme() == "https"
        && url
            .host_str()
            .is_some_and(|host| hosts.iter().any(|h| h.eq_ignore_ascii_case(host)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(html: &str) -> String {
        sanitize(html, &[])
    }

    #[test]
    fn script_and_handlers_go_and_formatting_stays() {
        assert_eq!(
            clean("<p><b>fed</b> <script>alert(1)</script><img src=x onerror=alert(1)></p>"),
            "<p><b>fed</b> <img src=\"x\"></p>"
        );
        assert_eq!(clean("<svg onload=alert(1)>tekst</svg>"), "tekst");
        assert_eq!(clean("a<!-- skjult -->b"), "ab");
        assert_eq!(
            clean("<p style=\"color:red\" class=\"x\" id=\"punkt-1\">x</p>"),
            "<p>x</p>"
        );
    }

    #[test]
    fn only_safe_url_schemes_are_kept() {
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " javascript:alert(1)",
            "java\tscript:alert(1)",
            "&#106;avascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox(1)",
            "file:///etc/passwd",
        ] {
            let html = clean(&format!("<a href=\"{bad}\">x</a>"));
            assert_eq!(html, "<a rel=\"noopener noreferrer\">x</a>", "{bad}");
        }
        for good in [
            "https://x.dk/",
            "http://x.dk/",
            "mailto:a@b.dk",
            "tel:+4512345678",
            "#punkt-2",
            "bilag.pdf",
        ] {
            let html = clean(&format!("<a href=\"{good}\">x</a>"));
            assert!(html.contains(&format!("href=\"{good}\"")), "{good}: {html}");
        }
    }

    #[test]
    fn referats_own_markup_survives() {
        let html = "<table><thead><tr><th style=\"text-align: right\">A</th></tr></thead></table>\
                    <p><a href=\"x.pdf\">x</a> <span class=\"bilag-meta\">(PDF, 1 kB)</span></p>";
        let clean = clean(html);
        assert!(
            clean.contains("<th style=\"text-align: right\">A</th>"),
            "{clean}"
        );
        assert!(
            clean.contains("<span class=\"bilag-meta\">(PDF, 1 kB)</span>"),
            "{clean}"
        );
        assert!(
            super::sanitize("<td style=\"background:url(x)\">", &[])
                .find("style")
                .is_none()
        );
    }

    #[test]
    fn iframes_only_from_listed_hosts() {
        let hosts = vec!["www.youtube-nocookie.com".to_owned()];
        let ok = "<iframe src=\"https://www.youtube-nocookie.com/embed/x\" title=\"Video\" \
                  onload=\"alert(1)\">fallback<script>x</script></iframe>";
        assert_eq!(
            sanitize(ok, &hosts),
            "<iframe src=\"https://www.youtube-nocookie.com/embed/x\" title=\"Video\"></iframe>"
        );
        for bad in [
            "<iframe src=\"https://evil.example/\"></iframe>",
            "<iframe src=\"javascript:alert(1)\"></iframe>",
            "<iframe src=\"http://www.youtube-nocookie.com/embed/x\"></iframe>",
            "<iframe title=\"<iframe src=&quot;https://www.youtube-nocookie.com/&quot;>\"></iframe>",
            "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
            "<iframe src=\"https://www.youtube-nocookie.com.evil.example/\"></iframe>",
        ] {
            assert_eq!(sanitize(&format!("a{bad}b"), &hosts), "ab", "{bad}");
            assert_eq!(clean(&format!("a{bad}b")), "ab", "{bad}");
        }
        // An iframe left open takes the rest of the body as its fallback text, as in a browser.
        assert_eq!(
            sanitize("a<iframe src=\"https://evil.example/\">b<script>", &hosts),
            "a"
        );
    }

    #[test]
    fn nesting_is_counted_from_the_tags() {
        assert_eq!(nesting_depth("<p>a<br>b<img src=x/></p><p><b>c</b></p>"), 2);
        assert_eq!(nesting_depth(&"<blockquote>".repeat(10_000)), 10_000);
        assert_eq!(nesting_depth("a < b, <!-- x --> </p></p>"), 0);
    }

    #[test]
    fn deep_nesting_does_not_overflow_the_stack() {
        let html = "<div>".repeat(5_000) + "x";
        assert!(clean(&html).contains('x'));
    }
}
