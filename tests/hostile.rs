//! Hostile content: known XSS payloads fed through every field a site is made from (site.toml,
//! a council's folder name, `_index.md` and its body, a meeting's file name, front matter, item
//! and section headings, section text as Markdown and raw HTML, link and image text and titles,
//! attachment link text), then every output file is read the way its reader reads it (HTML
//! parsed as a browser would, feeds and the sitemap as XML, calendars as iCalendar lines, JSON as
//! JSON, the binary search shards as bytes) and none may hold anything that runs script.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::*;
use scraper::{Html, Node};

/// Known payloads, each meant to run `alert(1)` (or evaluate a template) wherever it lands.
const PAYLOADS: &[&str] = &[
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "javascript:alert(1)",
    "\"><script>alert(1)</script>",
    "'><img src=x onerror=alert(1)>",
    "'-alert(1)-'",
    "\";alert(1);//",
    "</title><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    "</script><script>alert(1)</script>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    "<a href=\"data:text/html,<script>alert(1)</script>\">data</a>",
    "<a href=\"javascript:alert(1)\">js</a>",
    "<a href=\"jav&#x09;ascript:alert(1)\">tab</a>",
    "<a href=\" &#14; javascript:alert(1)\">ctrl</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">case</a>",
    "<a href=\"vbscript:msgbox(1)\">vb</a>",
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<form action=\"javascript:alert(1)\"><button>send</button></form>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"javascript:alert(1)\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\">",
    "<link rel=\"import\" href=\"data:text/html,<script>alert(1)</script>\">",
    "<style>@import 'javascript:alert(1)';</style>",
    "<div style=\"background:url(javascript:alert(1))\">styled</div>",
    "<p class=\"x\" id=\"punkt-1\" onclick=\"alert(1)\">click</p>",
    "<!--<img src=x onerror=alert(1)>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "]]><script>alert(1)</script>",
    "{{ 7*7 }}",
    "{% raw %}{{ config }}{% endraw %}",
    "${7*7}",
    "\u{2028}\u{2029}",
    "\r\nBEGIN:VEVENT\r\nSUMMARY:injiceret\r\nEND:VEVENT",
];

/// The payloads, each on its own, joined into one text.
fn all_payloads() -> String {
    PAYLOADS.join(" ")
}

/// The payloads without the characters in `without`, joined: a heading cannot hold `{` or a
/// line break, a link's text no unbalanced `[` or `]`.
fn payloads_without(without: &[char]) -> String {
    PAYLOADS
        .iter()
        .filter(|p| !p.contains(without))
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `text` as a quoted YAML (and TOML) string.
fn quoted(text: &str) -> String {
    serde_json::to_string(text)
        .unwrap()
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

const COUNCIL_DIR: &str = "Råd \"><img src=x onerror=alert(1)> 'x'";
const COUNCIL_SLUG: &str = "raad-img-src-x-onerror-alert-1-x";
const MEETING_STEM: &str = "2024-03-05-\"><svg onload=alert(1)> 'x' ${7*7}";
const MEETING_SLUG: &str = "2024-03-05-svg-onload-alert-1-x-7-7";

/// A site with every field hostile, built: (guard, output).
fn build_hostile_site(extra_toml: &str, extra_body: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    let p = quoted(&all_payloads());
    // Headings, and the text of links.
    let h = payloads_without(&['{', '\r', '\n', '\u{2028}']);
    let t = payloads_without(&['{', '\r', '\n', '\u{2028}', '[', ']']);
    write_file(
        &root,
        "site.toml",
        &format!(
            "title = {p}\nmunicipality = {p}\nbase_url = \"https://www.example.dk/raad/\"\n\
             accessibility_statement = \"https://was.digst.dk/x\"\n{extra_toml}\n\
             [contact]\ndepartment = {p}\naddress = {p}\nphone = {p}\nemail = {p}\ncvr = {p}\n"
        ),
    );
    let council = format!("content/{COUNCIL_DIR}");
    let raw_lines: String = PAYLOADS.iter().map(|p| format!("{p}\n\n")).collect();
    let inline = all_payloads().replace(['\r', '\n'], " ");
    write_file(
        &root,
        &format!("{council}/_index.md"),
        &format!(
            "---\nname: {p}\nkind: {p}\nmunicipality: {p}\nmembers:\n  - name: {p}\n    role: {p}\n\
             contact:\n  department: {p}\n  address: {p}\n  phone: {p}\n  email: {p}\n  cvr: {p}\n\
             ---\n\n## {h}\n\n{raw_lines}Tekst {inline}\n\n[{t}](https://www.example.dk/ {p})\n\n\
             ```\n{inline}\n```\n"
        ),
    );
    let meeting_body = format!(
        "Indledning {inline}\n\n{raw_lines}\
         ## {h}\n\n### {h}\n\nInline {inline}\n\n{raw_lines}\
         - [{t}](https://www.example.dk/ {p})\n- ![{t}](https://www.example.dk/a.png {p})\n\
         - <https://www.example.dk/?q=\"><script>alert(1)</script>>\n\n\
         | {h} | b |\n|:--|--:|\n| {h} | <img src=x onerror=alert(1)> |\n\n\
         ```\n{inline}\n```\n\n`{h}`\n\n\
         ### Skabelon\n\nSkabelon {{{{ 7\\*7 }}}} ${{7\\*7}} {{% raw %}}\n\n### Video\n\n{extra_body}\n\n\
         ## Lukket {h} {{.lukket}}\n\nHEMMELIG-{inline}\n"
    );
    write_file(
        &root,
        &format!("{council}/{MEETING_STEM}.md"),
        &format!(
            "---\ndate: 2024-03-05\nstart: \"16:00\"\nend: \"18:00\"\nplace: {p}\n\
             status: referat\nparticipants:\n  - {p}\n  - {p}\nabsent:\n  - {p}\n---\n\n\
             {meeting_body}"
        ),
    );
    write_file(
        &root,
        &format!("{council}/2024-03-06.md"),
        &format!(
            "---\ndate: 2024-03-06\nstatus: dagsorden\n---\n\n## Bilag {h} {{case=EMN-2024-1}}\n\n\
             - [<b>Bilag</b> <script>alert(1)</script> <img src=x onerror=alert(1)> \
             \"><script>alert(1)</script> '-alert(1)-' <iframe src=javascript:alert(1)></iframe> \
             <a href=\"javascript:alert(1)\">js</a>](2024-03-06/bilag.pdf)\n\n\
             ### Indstilling\n\nInline {inline}\n\n{raw_lines}"
        ),
    );
    write_file(
        &root,
        &format!("{council}/2024-03-06/bilag.pdf"),
        "%PDF-1.4\n",
    );
    let output = root.join("public");
    build_ok(&root, &output, &[]);
    (dir, output)
}

/// The problems of one output file, as "file: problem".
type Problems = Vec<String>;

/// A URL attribute's value as a browser reads its scheme: without blanks and control
/// characters, lowercased.
fn runs_script(url: &str) -> bool {
    let url: String = url
        .chars()
        .filter(|&c| c > ' ')
        .collect::<String>()
        .to_ascii_lowercase();
    ["javascript:", "vbscript:", "data:"]
        .iter()
        .any(|scheme| url.starts_with(scheme))
}

/// The problems of a parsed HTML document or fragment: elements and attributes that run
/// script or load other documents, except the theme's own search script.
fn html_problems(path: &str, html: &Html, problems: &mut Problems) {
    const URL_ATTRIBUTES: &[&str] = &[
        "href",
        "src",
        "action",
        "formaction",
        "data",
        "poster",
        "background",
        "cite",
        "ping",
        "srcset",
        "xlink:href",
        "codebase",
    ];
    const FORBIDDEN: &[&str] = &[
        "script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "svg",
        "math", "style", "portal", "mglyph",
    ];
    for node in html.tree.nodes() {
        let Node::Element(element) = node.value() else {
            continue;
        };
        let name = element.name();
        let is_theme_script = name == "script"
            && element
                .attr("src")
                .is_some_and(|src| src.ends_with("static/search-page.js"))
            && !node.has_children();
        if FORBIDDEN.contains(&name) && !is_theme_script {
            problems.push(format!("{path}: a <{name}> element"));
        }
        if name == "meta" && element.attr("http-equiv").is_some() {
            problems.push(format!("{path}: <meta http-equiv>"));
        }
        if name == "link"
            && !matches!(
                element.attr("rel"),
                Some("stylesheet" | "alternate" | "canonical")
            )
        {
            problems.push(format!("{path}: <link rel={:?}>", element.attr("rel")));
        }
        for (attribute, value) in element.attrs() {
            let attribute = attribute.to_ascii_lowercase();
            if attribute.starts_with("on") {
                problems.push(format!("{path}: <{name} {attribute}={value:?}>"));
            }
            if attribute == "srcdoc" {
                problems.push(format!("{path}: <{name} srcdoc>"));
            }
            if attribute == "style" && !value.starts_with("text-align: ") {
                problems.push(format!("{path}: <{name} style={value:?}>"));
            }
            if URL_ATTRIBUTES.contains(&attribute.as_str()) && runs_script(value) {
                problems.push(format!("{path}: <{name} {attribute}={value:?}>"));
            }
        }
    }
}

/// The problems of a JSON file: every `html` value as an HTML fragment. (Every other string is
/// text, for its reader to escape.)
fn json_problems(path: &str, value: &serde_json::Value, key: &str, problems: &mut Problems) {
    match value {
        serde_json::Value::String(text) if key == "html" => {
            html_problems(path, &Html::parse_fragment(text), problems);
        }
        serde_json::Value::Array(values) => {
            for value in values {
                json_problems(path, value, key, problems);
            }
        }
        serde_json::Value::Object(map) => {
            for (key, value) in map {
                json_problems(path, value, key, problems);
            }
        }
        _ => {}
    }
}

/// The problems of an XML file (feed or sitemap): it must be well-formed, hold only the
/// elements of Atom and sitemaps, and each HTML content of a feed entry is checked as HTML.
fn xml_problems(path: &str, text: &str, problems: &mut Problems) {
    use quick_xml::events::Event;
    const ELEMENTS: &[&str] = &[
        "feed",
        "title",
        "id",
        "link",
        "updated",
        "author",
        "name",
        "generator",
        "entry",
        "category",
        "content",
        "urlset",
        "url",
        "loc",
        "sitemapindex",
        "sitemap",
    ];
    let mut reader = quick_xml::Reader::from_str(text);
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => break,
            Ok(Event::Start(e) | Event::Empty(e)) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                if !ELEMENTS.contains(&name.as_str()) {
                    problems.push(format!("{path}: an element <{name}>"));
                }
            }
            Ok(_) => {}
            Err(e) => {
                problems.push(format!("{path}: not well-formed XML: {e}"));
                return;
            }
        }
    }
    if path.ends_with("atom.xml") {
        let feed = feed_rs::parser::parse(text.as_bytes()).expect("an Atom feed");
        for entry in feed.entries {
            let content = entry.content.and_then(|c| c.body).unwrap_or_default();
            html_problems(path, &Html::parse_fragment(&content), problems);
        }
    }
}

/// The problems of an iCalendar file: every line one of the properties referat writes, and
/// one event per meeting.
fn calendar_problems(path: &str, bytes: &[u8], meetings: usize, problems: &mut Problems) {
    const PROPERTIES: &[&str] = &[
        "BEGIN",
        "END",
        "VERSION",
        "PRODID",
        "CALSCALE",
        "METHOD",
        "NAME",
        "X-WR-CALNAME",
        "X-WR-TIMEZONE",
        "SOURCE",
        "REFRESH-INTERVAL",
        "X-PUBLISHED-TTL",
        "UID",
        "DTSTAMP",
        "DTSTART",
        "DTEND",
        "SUMMARY",
        "LOCATION",
        "DESCRIPTION",
        "URL",
    ];
    let text = String::from_utf8(scanned(path, bytes)).unwrap();
    let lines: Vec<&str> = text.strip_suffix("\r\n").unwrap().split("\r\n").collect();
    for line in &lines {
        let name = line.split([':', ';']).next().unwrap();
        if !PROPERTIES.contains(&name) || line.contains(['\r', '\n']) {
            problems.push(format!("{path}: the line {line:?}"));
        }
    }
    for marker in ["BEGIN:VEVENT", "END:VEVENT"] {
        let count = lines.iter().filter(|l| **l == marker).count();
        if count != meetings {
            problems.push(format!(
                "{path}: {count} lines {marker}, expected {meetings}"
            ));
        }
    }
}

/// The problems of every file under `output`.
fn output_problems(files: &BTreeMap<String, Vec<u8>>) -> Problems {
    let mut problems = Vec::new();
    for (path, bytes) in files {
        let text = std::str::from_utf8(bytes);
        let extension = Path::new(path)
            .extension()
            .map_or(String::new(), |e| e.to_string_lossy().into_owned());
        match (extension.as_str(), text) {
            ("html", Ok(text)) => html_problems(path, &Html::parse_document(text), &mut problems),
            ("json", Ok(text)) => match serde_json::from_str(text) {
                Ok(value) => json_problems(path, &value, "", &mut problems),
                Err(e) => problems.push(format!("{path}: not JSON: {e}")),
            },
            ("xml", Ok(text)) => xml_problems(path, text, &mut problems),
            ("ics", _) => calendar_problems(path, bytes, 2, &mut problems),
            // The theme's own code and style.
            ("js" | "css", _) => {}
            // The published attachment, as it was written.
            ("pdf", _) => {}
            // Search shards and dates: terms and numbers, nothing of a tag survives tokenizing.
            ("bin", _) | ("txt", _) => {
                let lower = bytes.to_ascii_lowercase();
                for needle in [
                    &b"<script"[..],
                    b"<img",
                    b"<svg",
                    b"<iframe",
                    b"javascript:",
                ] {
                    if lower.windows(needle.len()).any(|w| w == needle) {
                        problems.push(format!(
                            "{path}: `{}` in the bytes",
                            String::from_utf8_lossy(needle)
                        ));
                    }
                }
            }
            _ => problems.push(format!("{path}: an unexpected file")),
        }
        // A closed item's text is never published, hostile or not.
        if bytes.windows(9).any(|w| w == b"HEMMELIG-") {
            problems.push(format!("{path}: the closed item's text"));
        }
    }
    problems
}

#[test]
fn no_payload_survives_in_any_output_file() {
    let (_dir, output) = build_hostile_site("", "");
    let files = read_tree(&output);
    let problems = output_problems(&files);
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // Slugs are safe names, made from the hostile folder and file names.
    let meeting_dir = format!("{COUNCIL_SLUG}/{MEETING_SLUG}");
    assert!(files.contains_key(&format!("{meeting_dir}/index.html")));
    assert!(files.contains_key(&format!("{COUNCIL_SLUG}/2024-03-06/bilag.pdf")));
    for path in files.keys() {
        assert!(
            path.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_./".contains(&b)),
            "the output file name {path:?}"
        );
    }

    // Front-matter strings are escaped, not dropped or evaluated: a reader sees them as written.
    let payload = all_payloads();
    let shown = |text: &str| text.replace("\r\n", "\n");
    let council = Html::parse_document(&page(&output, &format!("{COUNCIL_SLUG}/index.html")));
    let h1 = text_of(&council, "h1");
    assert_eq!(h1, shown(&payload));
    let meeting = Html::parse_document(&page(&output, &format!("{meeting_dir}/index.html")));
    let title = text_of(&meeting, "title");
    assert!(title.contains(&shown(&payload)), "{title}");
    let facts = text_of(&meeting, ".meeting-facts dd");
    assert!(facts.contains(&shown(&payload)), "{facts}");
    assert!(!facts.contains("49"), "a template was evaluated: {facts}");

    // The JSON holds the strings as data, exactly.
    let json: serde_json::Value =
        serde_json::from_str(&page(&output, &format!("{meeting_dir}.json"))).unwrap();
    assert_eq!(json["place"], payload);
    assert_eq!(json["participants"][0], payload);

    // Markdown text around the payloads is kept; raw HTML is formatting at most.
    let body = text_of(&meeting, ".item-section");
    assert!(body.contains("Inline"), "{body}");
    assert!(body.contains("'-alert(1)-'"), "{body}");
    assert!(
        body.contains("Skabelon {{ 7*7 }} ${7*7} {% raw %}"),
        "{body}"
    );

    // The attachment link of a body with raw HTML keeps its target and referat's type and size.
    let agenda = page(&output, &format!("{COUNCIL_SLUG}/2024-03-06/index.html"));
    assert!(agenda.contains("<a href=\"bilag.pdf\" rel=\"noopener noreferrer\">"));
    assert!(agenda.contains("<span class=\"bilag-meta\">(PDF, 9 B)</span>"));

    // Plain text taken from Markdown (open data, search excerpts) has the tags of raw HTML
    // dropped, and nothing of a script: the item of 2024-03-06 has raw HTML and no code.
    let json: serde_json::Value =
        serde_json::from_str(&page(&output, &format!("{COUNCIL_SLUG}/2024-03-06.json"))).unwrap();
    let item = &json["items"][0];
    let text = item["sections"][1]["text"].as_str().unwrap();
    assert!(text.starts_with("Inline javascript:alert(1) \">"), "{text}");
    let mut texts = vec![item["title"].as_str().unwrap().to_owned(), text.to_owned()];
    for (path, bytes) in &files {
        if path.starts_with("_search/f/") {
            let fragment: serde_json::Value = serde_json::from_slice(bytes).unwrap();
            if fragment["url"].as_str().unwrap().contains("2024-03-06") {
                texts.push(fragment["title"].as_str().unwrap().to_owned());
                texts.push(fragment["text"].as_str().unwrap().to_owned());
            }
        }
    }
    assert_eq!(texts.len(), 4, "the item and its search fragment");
    for text in texts {
        assert!(!text.contains('<'), "a tag in the plain text {text:?}");
        assert!(!text.contains("alert(1)</"), "a script's text in {text:?}");
    }
}

/// The text of every element `selector` selects, joined by line breaks.
fn text_of(html: &Html, selector: &str) -> String {
    let selector = scraper::Selector::parse(selector).unwrap();
    html.select(&selector)
        .map(|e| e.text().collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The `src` of every iframe of `html`.
fn iframes(html: &str) -> Vec<String> {
    let html = Html::parse_document(html);
    let selector = scraper::Selector::parse("iframe").unwrap();
    html.select(&selector)
        .map(|e| e.attr("src").unwrap_or("").to_owned())
        .collect()
}

#[test]
fn iframes_come_only_from_the_hosts_site_toml_allows() {
    let embeds = "<iframe src=\"https://www.youtube-nocookie.com/embed/abc\" title=\"Mødet\" \
                  width=\"560\" height=\"315\" onload=\"alert(1)\" allowfullscreen></iframe>\n\n\
                  <iframe src=\"https://evil.example/embed/abc\"></iframe>\n\n\
                  Før <iframe src=\"https://www.youtube-nocookie.com.evil.example/\"></iframe> \
                  efter <iframe src=\"http://www.youtube-nocookie.com/embed/abc\"></iframe>.\n";
    let meeting_page = format!("{COUNCIL_SLUG}/{MEETING_SLUG}/index.html");

    let (_dir, output) =
        build_hostile_site("iframe_hosts = [\"www.youtube-nocookie.com\"]", embeds);
    let html = page(&output, &meeting_page);
    assert_eq!(
        iframes(&html),
        ["https://www.youtube-nocookie.com/embed/abc"]
    );
    assert!(html.contains(
        "<iframe src=\"https://www.youtube-nocookie.com/embed/abc\" title=\"Mødet\" \
         width=\"560\" height=\"315\" allowfullscreen=\"\"></iframe>"
    ));
    assert!(html.contains("Før  efter ."));
    // The allowed iframe is the only problem the scan finds.
    let problems = output_problems(&read_tree(&output));
    let iframe_problems: Vec<_> = problems.iter().filter(|p| p.contains("<iframe>")).collect();
    assert_eq!(problems.len(), iframe_problems.len(), "{problems:?}");
    assert!(
        iframe_problems.iter().all(|p| p.starts_with(&meeting_page)
            || p.starts_with(&format!("{COUNCIL_SLUG}/{MEETING_SLUG}.json"))),
        "{problems:?}"
    );

    let (_dir, output) = build_hostile_site("", embeds);
    assert!(iframes(&page(&output, &meeting_page)).is_empty());
    assert!(output_problems(&read_tree(&output)).is_empty());
}
