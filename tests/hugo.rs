//! The corpus generator's Hugo site (`referat-bench corpus --format hugo`, bench/hugo.rs), which
//! `referat-bench compare` measures against referat: Hugo builds it without errors, with a page
//! per meeting at the URL referat gives the meeting, and no closed item's text is anywhere in the
//! Hugo site, sources or output, while the closed items' titles are published.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use aho_corasick::AhoCorasick;
use common::*;

/// The word the text of every closed item carries (bench/corpus.rs).
const MARKER: &str = "LUKKETTEKST";

/// How many meetings the test generates: enough for closed items, agendas and attachments.
const MEETINGS: u32 = 30;

/// Runs `referat-bench corpus` with `extra` arguments into `out` and requires success.
fn generate(out: &Path, extra: &[&str]) {
    let output = Command::new(env!("CARGO_BIN_EXE_referat-bench"))
        .args(["corpus", "--meetings", &MEETINGS.to_string(), "--seed", "1"])
        .args(extra)
        .arg("--out")
        .arg(out)
        .output()
        .expect("the referat-bench binary runs");
    assert!(
        output.status.success(),
        "referat-bench corpus {extra:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Hugo, or a failure that says how to install it.
fn hugo() -> Command {
    let found = Command::new("hugo")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "Hugo is not installed: `apt-get install -y hugo` (bash .ci/run installs it)"
    );
    Command::new("hugo")
}

/// A meeting file of the referat corpus: where its page is, and its closed items.
struct Meeting {
    /// `<council>/<stem>`, the meeting's URL path on both sites.
    path: String,
    /// Per closed item: its title, and the lines of its text (headings and blank lines left out).
    closed: Vec<(String, Vec<String>)>,
}

/// The meetings of the referat corpus whose `content/` holds `tree` (its files by path).
fn meetings(tree: &BTreeMap<String, Vec<u8>>) -> Vec<Meeting> {
    let mut out = Vec::new();
    for (path, bytes) in tree {
        let parts: Vec<&str> = path.split('/').collect();
        let [council, file] = parts[..] else {
            continue;
        };
        let Some(stem) = file.strip_suffix(".md").filter(|s| *s != "_index") else {
            continue;
        };
        let text = std::str::from_utf8(bytes).expect("meeting files are UTF-8");
        let mut closed: Vec<(String, Vec<String>)> = Vec::new();
        let mut in_closed = false;
        for line in text.lines() {
            if let Some(heading) = line.strip_prefix("## ") {
                in_closed = heading.contains("{.lukket");
                if in_closed {
                    let title = heading[..heading.find(" {").unwrap()].to_string();
                    closed.push((title, Vec::new()));
                }
            } else if in_closed && !line.trim().is_empty() && !line.starts_with("### ") {
                closed.last_mut().unwrap().1.push(line.to_string());
            }
        }
        out.push(Meeting {
            path: format!("{council}/{stem}"),
            closed,
        });
    }
    out
}

/// What a closed item's line would publish if it leaked: a paragraph or list point without its
/// list marker and the marker word; for an attachment, `Err` with its file's name (names and
/// titles of attachments repeat across meetings, so a file is looked for in its meeting only).
fn leak(line: &str) -> Result<String, String> {
    let line = line.trim_start_matches("- ");
    if let Some(link) = line.strip_prefix('[') {
        let (_, target) = link.split_once("](").unwrap();
        return Err(target
            .trim_end_matches(')')
            .rsplit('/')
            .next()
            .unwrap()
            .to_string());
    }
    Ok(line.trim_start_matches(&format!("{MARKER}: ")).to_string())
}

#[test]
fn hugo_builds_the_generated_site_with_a_page_per_meeting_and_no_closed_text() {
    let mut hugo = hugo();
    let dir = tempfile::tempdir().unwrap();
    let referat_root = dir.path().join("referat");
    let hugo_root = dir.path().join("hugo");
    generate(&referat_root, &[]);
    generate(&hugo_root, &["--format", "hugo"]);

    let meetings = meetings(&read_tree(&referat_root.join("content")));
    assert_eq!(meetings.len(), MEETINGS as usize);
    let closed_items: usize = meetings.iter().map(|m| m.closed.len()).sum();
    assert!(closed_items > 0, "the corpus has no closed item to test");

    let output = hugo
        .arg("--source")
        .arg(&hugo_root)
        .arg("--cacheDir")
        .arg(dir.path().join("hugo-cache"))
        .output()
        .unwrap();
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "hugo failed:\n{printed}");
    assert!(
        !printed.contains("ERROR"),
        "hugo reported errors:\n{printed}"
    );

    // Referat builds the same archive, with its meetings at the same paths.
    let referat_public = referat_root.join("public");
    build_ok(&referat_root, &referat_public, &[]);

    let hugo_public = hugo_root.join("public");
    let hugo_tree = read_tree(&hugo_root);
    let meeting_pages = hugo_tree
        .keys()
        .filter(|path| {
            let parts: Vec<&str> = path.split('/').collect();
            parts.len() == 4 && parts[0] == "public" && parts[3] == "index.html"
        })
        .count();
    assert_eq!(meeting_pages, meetings.len(), "one Hugo page per meeting");
    for meeting in &meetings {
        let page = format!("{}/index.html", meeting.path);
        assert!(
            referat_public.join(&page).is_file(),
            "referat has no page {page}"
        );
        let html = fs::read_to_string(hugo_public.join(&page))
            .unwrap_or_else(|e| panic!("Hugo has no page {page}: {e}"));
        assert!(html.contains("<footer class=\"site-footer\">"), "{page}");
        assert!(html.contains("aria-label=\"Brødkrumme\""), "{page}");
        for (title, _) in &meeting.closed {
            let escaped = title.replace('&', "&amp;");
            assert!(
                html.contains(&escaped),
                "{page} lacks the closed item's title {title:?}"
            );
        }
    }

    // No closed text anywhere under the Hugo site: not in its sources, not in what it built.
    let mut needles: Vec<String> = vec![MARKER.to_string()];
    let mut closed_files = 0;
    for meeting in &meetings {
        for line in meeting.closed.iter().flat_map(|(_, lines)| lines) {
            match leak(line) {
                Ok(text) => needles.push(text),
                Err(file) => {
                    closed_files += 1;
                    let html =
                        fs::read_to_string(hugo_public.join(&meeting.path).join("index.html"))
                            .unwrap();
                    assert!(!html.contains(&format!("href=\"{file}\"")), "{file}");
                    for root in [&hugo_root.join("content"), &hugo_public] {
                        let path = root.join(&meeting.path).join(&file);
                        assert!(!path.exists(), "{} exists", path.display());
                    }
                }
            }
        }
    }
    needles.retain(|n| n.len() >= 12);
    assert!(
        needles.len() > closed_items,
        "too few closed texts to look for"
    );
    eprintln!(
        "{} closed items, {} closed texts and {closed_files} closed attachments looked for",
        closed_items,
        needles.len() - 1
    );
    let finder = AhoCorasick::new(&needles).unwrap();
    for (path, bytes) in &hugo_tree {
        if let Some(found) = finder.find(bytes) {
            panic!(
                "the Hugo site's {path} holds closed text {:?}",
                needles[found.pattern().as_usize()]
            );
        }
    }
}
