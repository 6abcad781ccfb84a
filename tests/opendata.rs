//! Open data and case history: every meeting as JSON with an index (docs/open-data.md), and a
//! page per Sags ID listing its open items across meetings and councils.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::*;
use serde_json::Value;

/// The JSON file at `path` under `output`, parsed.
fn json(output: &Path, path: &str) -> Value {
    serde_json::from_str(&page(output, path)).unwrap_or_else(|e| panic!("{path} is not JSON: {e}"))
}

/// A string field of `value`.
fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("`{key}` is not a string in {value}"))
}

/// The keys of the object `value`, sorted.
fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    keys
}

/// The output file a site-root-relative URL of the JSON names, without its fragment.
fn file_of(url: &str) -> String {
    file_of_url("https://x.dk/", &format!("https://x.dk/{url}"))
}

/// `title` as the pages write text.
fn escaped(title: &str) -> String {
    title
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A front matter value of the meeting file `source`.
fn front_matter<'a>(source: &'a str, key: &str) -> &'a str {
    let prefix = format!("{key}: ");
    source
        .lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no `{key}` in the front matter"))
}

#[test]
fn every_meeting_is_published_as_json_with_what_its_page_shows() {
    let out = tempfile::tempdir().unwrap();
    let output = out.path();
    build_ok(&repo_root(), output, &[]);
    let index = json(output, "moeder.json");
    let meetings = index["meetings"].as_array().unwrap();
    assert_eq!(meetings.len(), 2, "the demo has two meetings");
    let mut items_checked = 0;
    let mut attachments_checked = 0;
    for entry in meetings {
        let meeting = json(output, text(entry, "json"));
        let council = text(entry, "council");
        let slug = text(&meeting, "slug");
        assert_eq!(meeting["format"], 1);
        assert_eq!(text(&meeting["council"], "slug"), council);
        assert_eq!(text(&meeting, "url"), format!("{council}/{slug}/"));

        let source =
            std::fs::read_to_string(repo_root().join(format!("content/{council}/{slug}.md")))
                .unwrap();
        assert_eq!(text(&meeting, "date"), front_matter(&source, "date"));
        assert_eq!(text(&meeting, "status"), front_matter(&source, "status"));
        assert_eq!(text(&meeting, "date"), text(entry, "date"));
        assert_eq!(text(&meeting, "status"), text(entry, "status"));

        let council_page = page(output, &format!("{council}/index.html"));
        assert!(council_page.contains(&format!(
            "<h1>{}</h1>",
            escaped(text(&meeting["council"], "name"))
        )));
        let html = page(output, &format!("{council}/{slug}/index.html"));
        let items = meeting["items"].as_array().unwrap();
        let headings = source.lines().filter(|l| l.starts_with("## ")).count();
        assert_eq!(items.len(), headings, "{slug}: one item per `## ` heading");
        for (i, item) in items.iter().enumerate() {
            let number = i + 1;
            assert_eq!(item["number"], number);
            let heading = format!(
                "<h2 id=\"punkt-{number}-titel\"><span class=\"item-number\">{number}.</span> {}</h2>",
                escaped(text(item, "title"))
            );
            assert!(html.contains(&heading), "{slug}: {heading}");
            assert_eq!(item["closed"], false, "the demo has no closed item");
            assert_eq!(
                text(item, "url"),
                format!("{council}/{slug}/#punkt-{number}")
            );
            for section in item["sections"].as_array().unwrap() {
                assert!(html.contains(text(section, "html")), "{slug}: {section}");
            }
            let decision: Vec<&str> = item["sections"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|s| s["kind"] == "beslutning")
                .map(|s| text(s, "text"))
                .collect();
            if decision.is_empty() {
                assert!(item["decision"].is_null());
            } else {
                assert_eq!(text(item, "decision"), decision.join("\n"));
            }
            for attachment in item["attachments"].as_array().unwrap() {
                let name = text(attachment, "file_name");
                let url = text(attachment, "url");
                assert_eq!(url, format!("{council}/{slug}/{name}"));
                let size = std::fs::metadata(output.join(url))
                    .unwrap_or_else(|e| panic!("{url}: {e}"))
                    .len();
                assert_eq!(attachment["size"], size, "{url}");
                assert_eq!(text(attachment, "type"), "PDF");
                assert!(
                    item["sections"]
                        .to_string()
                        .contains(&format!("href=\\\"{name}\\\"")),
                    "{url} is listed with an item that links to it"
                );
                assert!(
                    meeting["attachments"]
                        .as_array()
                        .unwrap()
                        .contains(attachment),
                    "{url} is among the meeting's attachments"
                );
                attachments_checked += 1;
            }
            items_checked += 1;
        }
        assert_eq!(
            meeting["attachments"].as_array().unwrap().len(),
            html.matches("<span class=\"bilag-meta\">").count(),
            "{slug}: every attachment the page links"
        );
    }
    assert_eq!(items_checked, 14);
    assert!(
        attachments_checked >= 5,
        "{attachments_checked} attachments"
    );

    let handleplan = json(output, "integrationsraadet/2023-10-10.json");
    let item = &handleplan["items"][3];
    assert_eq!(text(item, "case"), "EMN-2023-00398");
    assert_eq!(text(item, "case_url"), "sag/emn-2023-00398/");
    assert!(text(item, "decision").starts_with("Drøftedes.\nArbejdsgrupperne præsenterede"));
    assert_eq!(text(&handleplan, "start"), "16:00");
    assert_eq!(text(&handleplan, "end"), "18:30");
    assert_eq!(handleplan["participants"][0], "Nuuradiin S. Hussein");

    let case = page(output, "sag/emn-2023-00398/index.html");
    let label = "<strong>Beslutning:</strong> ";
    let decision = &case[case.find(label).unwrap() + label.len()..];
    let decision = &decision[..decision.find("</p>").unwrap()];
    assert!(
        decision.starts_with("Drøftedes. Arbejdsgrupperne præsenterede") && decision.ends_with("…"),
        "a long decision is shortened: {decision}"
    );
    assert!(decision.chars().count() <= 241, "{decision}");
}

#[test]
fn a_closed_item_is_its_number_and_title_only() {
    let (_dir, root) = site_copy(&examples());
    let out = root.join("public");
    build_ok(&root, &out, &[]);
    let meeting = json(&out, "integrationsraadet/2023-10-10.json");
    let closed: Vec<&Value> = meeting["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| item["closed"] == true)
        .collect();
    assert_eq!(closed.len(), 1);
    assert_eq!(keys(closed[0]), ["closed", "number", "title"]);
    assert_eq!(closed[0]["number"], 4);
    assert_eq!(
        text(closed[0], "title"),
        "Indstilling af kandidat til Det Nationale Integrationsråd"
    );
    let all = page(&out, "integrationsraadet/2023-10-10.json");
    assert!(!all.contains("KANARIE-7731") && !all.contains("Personfølsomme"));
    let open = &meeting["items"][0];
    assert_eq!(
        keys(open),
        [
            "attachments",
            "case",
            "case_url",
            "closed",
            "decision",
            "number",
            "sections",
            "title",
            "url"
        ]
    );
}

/// A writable copy of the demo: the repository's `site.toml` and `content/`.
fn demo_copy() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    copy_dir(&repo_root().join("content"), &root.join("content"));
    std::fs::copy(repo_root().join("site.toml"), root.join("site.toml")).unwrap();
    (dir, root)
}

#[test]
fn the_index_lists_every_meeting_oldest_first_and_its_urls_resolve() {
    let (_dir, root) = demo_copy();
    write_file(
        &root,
        "content/integrationsraadet/2023-10-10-ekstra.md",
        "---\ndate: 2023-10-10\nstatus: dagsorden\n---\n\n## Ekstra punkt\n",
    );
    let out = root.join("public");
    build_ok(&root, &out, &[]);
    let index = json(&out, "moeder.json");
    assert_eq!(keys(&index), ["councils", "format", "meetings"]);
    assert_eq!(index["format"], 1);

    let mut sources = BTreeSet::new();
    for council in std::fs::read_dir(root.join("content")).unwrap() {
        let council = council.unwrap();
        for file in std::fs::read_dir(council.path()).unwrap() {
            let name = file.unwrap().file_name().to_string_lossy().into_owned();
            if let Some(slug) = name.strip_suffix(".md").filter(|n| *n != "_index") {
                let council = council.file_name().to_string_lossy().into_owned();
                sources.insert(format!("{council}/{slug}"));
            }
        }
    }
    let meetings = index["meetings"].as_array().unwrap();
    let listed: BTreeSet<String> = meetings
        .iter()
        .map(|m| format!("{}/{}", text(m, "council"), text(m, "slug")))
        .collect();
    assert_eq!(listed, sources);
    assert_eq!(listed.len(), meetings.len(), "each meeting once");

    let order: Vec<(&str, &str, &str)> = meetings
        .iter()
        .map(|m| (text(m, "date"), text(m, "council"), text(m, "slug")))
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted, "oldest first");
    assert_eq!(order[0].0, "2016-04-26");

    for entry in meetings {
        let url = text(entry, "url");
        assert!(url.ends_with('/'), "{url}");
        assert!(out.join(file_of(url)).is_file(), "{url} is no page");
        let meeting = json(&out, text(entry, "json"));
        assert_eq!(text(&meeting, "url"), url);
        assert_eq!(meeting["date"], entry["date"]);
        assert_eq!(meeting["status"], entry["status"]);
        assert_eq!(meeting["council"]["slug"], entry["council"]);
    }
    let ekstra = meetings
        .iter()
        .find(|m| m["slug"] == "2023-10-10-ekstra")
        .unwrap();
    assert_eq!(text(ekstra, "status"), "dagsorden");
    assert_eq!(
        text(ekstra, "json"),
        "integrationsraadet/2023-10-10-ekstra.json"
    );

    let councils: Vec<&str> = index["councils"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            assert!(out.join(file_of(text(c, "url"))).is_file());
            text(c, "slug")
        })
        .collect();
    assert_eq!(
        councils,
        [
            "dialogforum-for-integration",
            "integrationsraadet",
            "integrationsudvalget",
            "opgaveudvalget-integration-af-flygtninge"
        ]
    );
    assert!(page(&out, "index.html").contains(
        "<a href=\"moeder.json\" type=\"application/json\">Alle møder som åbne data (JSON)</a>"
    ));
    assert!(
        page(&out, "integrationsraadet/2023-10-10/index.html").contains(
            "<link rel=\"alternate\" type=\"application/json\" href=\"../../integrationsraadet/2023-10-10.json\">"
        )
    );
}

/// ../shared/examples with the Sags ID EMN-2023-00398 in two more meetings: a later one of the
/// same council (with a closed item carrying it too) and a still later one of a council whose
/// slug sorts first.
fn site_with_a_case_in_three_meetings() -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, root) = site_copy(&examples());
    write_file(
        &root,
        "content/integrationsraadet/2023-12-05.md",
        "---\ndate: 2023-12-05\nstatus: referat\n---\n\n\
         ## Godkendelse af dagsorden\n\n### Beslutning\n\nGodkendt.\n\n\
         ## Handleplan for målsætning 1 {case=EMN-2023-00398}\n\n\
         ### Indstilling\n\nJob og Velfærd indstiller, at handleplanen godkendes.\n\n\
         ### Beslutning\n\nUdsat til næste møde.\n\n\
         ## Personsag {.lukket case=EMN-2023-00398}\n\n### Beslutning\n\nHemmeligt-4242.\n",
    );
    write_file(
        &root,
        "content/beskaeftigelsesudvalget/_index.md",
        "---\nname: Beskæftigelsesudvalget\n---\n\nUdvalget for beskæftigelse.\n",
    );
    write_file(
        &root,
        "content/beskaeftigelsesudvalget/2024-01-15.md",
        "---\ndate: 2024-01-15\nstatus: dagsorden\n---\n\n\
         ## Orientering om handleplaner {case=EMN-2023-00398}\n\n\
         ### Indstilling\n\nTil orientering.\n",
    );
    (dir, root)
}

#[test]
fn a_case_page_lists_its_open_items_across_meetings_and_councils_oldest_first() {
    let (_dir, root) = site_with_a_case_in_three_meetings();
    let out = root.join("public");
    build_ok(&root, &out, &[]);
    let path = "sag/emn-2023-00398/index.html";
    let html = page(&out, path);
    assert!(html.contains("<title>Sag EMN-2023-00398 - Dagsordener og referater</title>"));
    assert!(html.contains("<h1>Sag EMN-2023-00398</h1>"));
    assert!(html.contains("<li><span aria-current=\"page\">Sag EMN-2023-00398</span></li>"));
    assert_eq!(html.matches("<li class=\"case-item\">").count(), 3);
    assert!(
        !html.contains("Personsag"),
        "a closed item never joins its case"
    );

    let expected = [
        (
            "integrationsraadet/2023-10-10/index.html",
            "punkt-3",
            "Udkast til handleplaner for Integrationsstrategi 2023-2026",
            "10. oktober 2023",
        ),
        (
            "integrationsraadet/2023-12-05/index.html",
            "punkt-2",
            "Handleplan for målsætning 1",
            "5. december 2023",
        ),
        (
            "beskaeftigelsesudvalget/2024-01-15/index.html",
            "punkt-1",
            "Orientering om handleplaner",
            "15. januar 2024",
        ),
    ];
    let main = &html[html.find("<main").unwrap()..html.find("</main>").unwrap()];
    let links = attribute_values(main, "href");
    assert_eq!(links.len(), 3, "{links:?}");
    let mut last = 0;
    for ((file, anchor, title, date), link) in expected.iter().zip(&links) {
        let (target, fragment) = link.split_once('#').unwrap();
        assert_eq!(fragment, *anchor);
        let target = target.strip_prefix("../../").unwrap();
        assert_eq!(file_of(target), *file);
        let meeting = page(&out, file);
        assert!(
            meeting.contains(&format!(" id=\"{fragment}\"")),
            "{file} has the anchor {fragment}"
        );
        assert!(meeting.contains(&format!("</span> {title}</h2>")));
        let at = main
            .find(&format!(">{title}</a></h2>"))
            .unwrap_or_else(|| panic!("{title}"));
        assert!(at > last, "{title} comes after the one before");
        last = at;
        assert!(main.contains(&format!(">{date}</time>")));
    }
    assert!(main.contains(
        "· Integrationsrådet · Referat · Punkt 2</p>\n<p class=\"case-decision\"><strong>Beslutning:</strong> Udsat til næste møde.</p>"
    ));
    assert!(main.contains("· Beskæftigelsesudvalget · Dagsorden · Punkt 1</p>\n</li>"));
    assert!(main.contains(
        "<strong>Beslutning:</strong> Drøftedes. Integrationsrådet godkendte udkast til handleplan \
         for målsætning 2. Integrationsrådet godkendte udkast til handleplan for målsætning 3.</p>"
    ));

    let mut cases = BTreeSet::new();
    for entry in json(&out, "moeder.json")["meetings"].as_array().unwrap() {
        let meeting = json(&out, text(entry, "json"));
        let html = page(&out, &file_of(text(entry, "url")));
        for item in meeting["items"].as_array().unwrap() {
            if let Some(case) = item.get("case").and_then(Value::as_str) {
                let case_url = text(item, "case_url");
                assert!(
                    html.contains(&format!("<a href=\"../../{case_url}\">{case}</a>")),
                    "{}: item {} links to {case_url}",
                    text(entry, "url"),
                    item["number"]
                );
                assert!(out.join(file_of(case_url)).is_file());
                cases.insert(case_url.to_owned());
            }
        }
    }
    let pages: BTreeSet<String> = read_tree(&out)
        .into_keys()
        .filter(|p| p.starts_with("sag/"))
        .map(|p| p.strip_suffix("index.html").unwrap().to_owned())
        .collect();
    assert_eq!(
        pages, cases,
        "a case page for each Sags ID of an open item, and no other"
    );
    assert!(
        !read_tree(&out)
            .values()
            .any(|b| b.windows(14).any(|w| w == b"Hemmeligt-4242"))
    );
}

#[test]
fn an_english_case_page_is_in_english() {
    let (_dir, out) = build_english_examples();
    let html = page(&out, "sag/emn-2023-00412/index.html");
    assert!(html.contains("<h1>Case EMN-2023-00412</h1>"));
    assert!(html.contains("· Integrationsrådet · Minutes · Item 2</p>"));
    assert!(html.contains("<strong>Decision:</strong> Drøftedes."));
    assert!(page(&out, "index.html").contains(">Every meeting as open data (JSON)</a>"));
}

#[test]
fn two_sags_ids_that_give_one_case_page_are_an_error() {
    let (_dir, root) = site_copy(&examples());
    write_file(
        &root,
        "content/integrationsraadet/2023-12-05.md",
        "---\ndate: 2023-12-05\nstatus: referat\n---\n\n## Godkendelse af dagsorden\n\n\
         ## Handleplan {case=emn/2023.00398}\n",
    );
    let out = root.join("public");
    let failed = build(&root, &out, &[]);
    assert_eq!(failed.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(
        stderr.contains(
            "error: content/integrationsraadet/2023-12-05.md: item 2: the Sags ID \
             `emn/2023.00398` gives the case page sag/emn-2023-00398/, which the Sags ID \
             `EMN-2023-00398` (item 3 of content/integrationsraadet/2023-10-10.md) gives too"
        ),
        "{stderr}"
    );
    assert!(!out.exists(), "nothing was published");
}
