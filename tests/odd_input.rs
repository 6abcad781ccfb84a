//! Odd but valid input: each builds the site it describes, without a panic. (Odd input that is
//! wrong, such as an empty file, a Windows-1252 or UTF-16 file, a tab in the front matter, the
//! date 2023-02-30 or an item heading with only attributes, is in bad_input.rs.)

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::*;

const SITE_TOML: &str = "title = \"Referater\"\nmunicipality = \"Testkommune\"\nbase_url = \
                         \"https://www.example.dk/\"\naccessibility_statement = \
                         \"https://was.digst.dk/x\"\n";
const INDEX: &str = "---\nname: Testrådet\n---\n\nRådet rådgiver byrådet.\n";
const COUNCIL: &str = "content/testraadet";

/// A site with one council and the meeting files `meetings` (name, text), built: (guard, root,
/// output).
fn build_site(meetings: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    write_file(&root, "site.toml", SITE_TOML);
    write_file(&root, &format!("{COUNCIL}/_index.md"), INDEX);
    for (name, text) in meetings {
        write_file(&root, &format!("{COUNCIL}/{name}"), text);
    }
    let output = root.join("public");
    build_ok(&root, &output, &[]);
    (dir, root, output)
}

fn meeting(body: &str) -> String {
    format!("---\ndate: 2024-03-05\nstatus: referat\nplace: Rådhuset\n---\n\n{body}")
}

fn meeting_page(output: &Path) -> String {
    page(output, "testraadet/2024-03-05/index.html")
}

#[test]
fn a_ten_megabyte_meeting_file_builds() {
    let mut body = String::new();
    let mut item = 0;
    while body.len() < 10_000_000 {
        item += 1;
        body.push_str(&format!("## Punkt nummer {item}\n\n### Beslutning\n\n"));
        for paragraph in 0..40 {
            body.push_str(&format!(
                "Byrådet drøftede sag {item} afsnit {paragraph} om budget, skoler, veje og \
                 borgerservice, og udvalget anbefalede en plan for ord{item}x{paragraph} med \
                 flere møder i løbet af året, hvor kommunens borgere kan komme med forslag.\n\n"
            ));
        }
    }
    body.push_str("## Sidste punkt\n\nSLUTMAERKE\n");
    let text = meeting(&body);
    assert!(text.len() > 10_000_000);
    let (_dir, _root, output) = build_site(&[("2024-03-05.md", &text)]);
    let html = meeting_page(&output);
    assert!(html.contains(&format!("id=\"punkt-{}\"", item + 1)));
    assert!(html.contains("SLUTMAERKE"));
    assert!(html.contains(&format!("ord{item}x39")));
    let json: serde_json::Value =
        serde_json::from_str(&page(&output, "testraadet/2024-03-05.json")).unwrap();
    assert_eq!(json["items"].as_array().unwrap().len(), item + 1);
}

#[test]
fn five_hundred_items_in_one_meeting_build() {
    let body: String = (1..=500)
        .map(|n| format!("## Punkt {n}\n\n### Beslutning\n\nBeslutning {n}.\n\n"))
        .collect();
    let (_dir, _root, output) = build_site(&[("2024-03-05.md", &meeting(&body))]);
    let html = meeting_page(&output);
    for n in [1, 250, 500] {
        assert!(html.contains(&format!("id=\"punkt-{n}\"")), "punkt-{n}");
        assert!(html.contains(&format!("Beslutning {n}.")));
    }
    assert!(!html.contains("punkt-501"));
    let json: serde_json::Value =
        serde_json::from_str(&page(&output, "testraadet/2024-03-05.json")).unwrap();
    let items = json["items"].as_array().unwrap();
    assert_eq!(items.len(), 500);
    assert_eq!(items[499]["number"], 500);
    assert_eq!(items[499]["decision"], "Beslutning 500.");
}

#[test]
fn a_utf8_byte_order_mark_is_accepted() {
    let text = meeting("## Første punkt\n\nTekst.\n");
    let (_dir, root, plain) = build_site(&[("2024-03-05.md", &text)]);
    write_file(
        &root,
        &format!("{COUNCIL}/2024-03-05.md"),
        &format!("\u{feff}{text}"),
    );
    write_file(
        &root,
        &format!("{COUNCIL}/_index.md"),
        &format!("\u{feff}{INDEX}"),
    );
    let with_bom = root.join("public-bom");
    build_ok(&root, &with_bom, &[]);
    assert!(meeting_page(&with_bom).contains("Første punkt"));
    assert!(
        read_tree(&with_bom) == read_tree(&plain),
        "a BOM changed the site"
    );
}

#[test]
fn crlf_line_endings_build_the_same_site_as_lf() {
    let (_dir, root) = site_copy(&examples());
    let lf = root.join("public-lf");
    build_ok(&root, &lf, &[]);
    let mut converted = 0;
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path == lf {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "md" || e == "toml") {
                let text = fs::read_to_string(&path).unwrap();
                assert!(!text.contains('\r'));
                fs::write(&path, text.replace('\n', "\r\n")).unwrap();
                converted += 1;
            }
        }
    }
    assert!(converted >= 3, "{converted} files converted");
    let crlf = root.join("public-crlf");
    build_ok(&root, &crlf, &[]);
    let (lf, crlf) = (read_tree(&lf), read_tree(&crlf));
    assert_eq!(
        lf.keys().collect::<Vec<_>>(),
        crlf.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &lf {
        assert!(
            crlf[path] == *bytes,
            "{path} differs with CRLF line endings"
        );
    }
}

#[test]
fn ten_thousand_nested_quotes_and_lists_build() {
    let body = format!(
        "## Citater\n\n{}bund-citat\n\n## Lister\n\n{}bund-liste\n\n## Blandet\n\n{}bund-blandet\n",
        "> ".repeat(10_000),
        "- ".repeat(10_000),
        "> - 1. ".repeat(3_000),
    );
    let (_dir, _root, output) = build_site(&[("2024-03-05.md", &meeting(&body))]);
    let html = meeting_page(&output);
    for marker in ["bund-citat", "bund-liste", "bund-blandet"] {
        assert!(html.contains(marker), "{marker}");
    }
    assert_eq!(html.matches("<blockquote>").count(), 13_000);
    let json = page(&output, "testraadet/2024-03-05.json");
    assert!(json.contains("bund-liste"));
}
