//! The corpus generator (`referat-bench corpus`): the same seed writes the same bytes, the
//! archive builds, closed items never reach the site, and the archive has the promised shape.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use common::*;

/// The word the text of every closed item carries.
const MARKER: &str = "LUKKETTEKST";

/// How many meetings the tests generate.
const MEETINGS: usize = 200;

/// Runs `referat-bench corpus` into `out` and requires success.
fn generate(out: &Path, meetings: usize, seed: u64) {
    let output = Command::new(env!("CARGO_BIN_EXE_referat-bench"))
        .args(["corpus", "--meetings", &meetings.to_string()])
        .args(["--seed", &seed.to_string(), "--out"])
        .arg(out)
        .output()
        .expect("the referat-bench binary runs");
    assert!(
        output.status.success(),
        "referat-bench corpus failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// One agenda item of a meeting file.
struct Item {
    /// The heading line without `## `.
    heading: String,
    /// The lines after the heading.
    body: String,
}

impl Item {
    fn closed(&self) -> bool {
        self.heading.contains("{.lukket")
    }

    /// The Sags ID of the heading's attribute block.
    fn case(&self) -> Option<String> {
        let start = self.heading.find("case=")? + "case=".len();
        let rest = &self.heading[start..];
        Some(rest[..rest.find(['}', ' '])?].to_string())
    }
}

/// One meeting file.
struct MeetingFile {
    council: String,
    /// The file name without `.md`.
    stem: String,
    front_matter: String,
    intro: String,
    items: Vec<Item>,
}

/// The meeting files of a generated tree (paths relative to the site root), in path order.
fn meetings(tree: &BTreeMap<String, Vec<u8>>) -> Vec<MeetingFile> {
    let mut out = Vec::new();
    for (path, bytes) in tree {
        let parts: Vec<&str> = path.split('/').collect();
        if parts.len() != 3 || parts[0] != "content" || parts[2] == "_index.md" {
            continue;
        }
        let Some(stem) = parts[2].strip_suffix(".md") else {
            continue;
        };
        let text = std::str::from_utf8(bytes).expect("meeting files are UTF-8");
        let rest = text.strip_prefix("---\n").expect("front matter opens");
        let end = rest.find("\n---\n").expect("front matter closes");
        let front_matter = rest[..end].to_string();
        let mut intro = String::new();
        let mut items: Vec<Item> = Vec::new();
        for line in rest[end + 5..].lines() {
            if let Some(heading) = line.strip_prefix("## ") {
                items.push(Item {
                    heading: heading.to_string(),
                    body: String::new(),
                });
            } else if let Some(item) = items.last_mut() {
                item.body.push_str(line);
                item.body.push('\n');
            } else {
                intro.push_str(line);
                intro.push('\n');
            }
        }
        out.push(MeetingFile {
            council: parts[1].to_string(),
            stem: stem.to_string(),
            front_matter,
            intro,
            items,
        });
    }
    out
}

#[test]
fn the_same_seed_writes_the_same_bytes_and_another_seed_another_archive() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        dir.path().join("a"),
        dir.path().join("b"),
        dir.path().join("c"),
    );
    generate(&a, MEETINGS, 7);
    generate(&b, MEETINGS, 7);
    generate(&c, MEETINGS, 8);
    let (a, b, c) = (read_tree(&a), read_tree(&b), read_tree(&c));
    assert!(a.len() > MEETINGS);
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the same seed wrote other files"
    );
    for (path, bytes) in &a {
        assert!(
            bytes == &b[path],
            "{path} differs between two runs with seed 7"
        );
    }
    assert_ne!(a, c, "seeds 7 and 8 wrote the same archive");
}

#[test]
fn a_second_run_replaces_an_earlier_corpus_and_other_folders_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("corpus");
    generate(&out, 40, 1);
    generate(&out, 12, 2);
    assert_eq!(meetings(&read_tree(&out)).len(), 12);

    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_referat-bench"))
        .args(["corpus", "--meetings", "5", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("neither empty nor a corpus"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notes.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn the_archive_builds_and_no_closed_text_reaches_the_site() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    generate(&root, MEETINGS, 3);
    let source = read_tree(&root);
    let closed_sources = source
        .values()
        .filter(|bytes| contains(bytes, MARKER.as_bytes()))
        .count();
    assert!(
        closed_sources > 20,
        "only {closed_sources} files hold closed items"
    );

    let out = dir.path().join("public");
    build_ok(&root, &out, &[]);
    let site = read_tree(&out);
    for (path, bytes) in &site {
        assert!(
            !contains(&scanned(path, bytes), MARKER.as_bytes()),
            "{path} contains the closed items' marker {MARKER}"
        );
    }
    let meeting_pages = site
        .keys()
        .filter(|path| {
            let parts: Vec<&str> = path.split('/').collect();
            parts.len() == 3
                && parts[0] != "arkiv"
                && parts[2] == "index.html"
                && parts[1].starts_with(|c: char| c.is_ascii_digit())
        })
        .count();
    assert_eq!(meeting_pages, MEETINGS);
    let attachments = site
        .keys()
        .filter(|path| path.ends_with(".pdf") || path.ends_with(".docx"))
        .count();
    assert!(attachments > 20, "only {attachments} attachments published");
}

#[test]
fn the_archive_has_the_promised_shape() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), MEETINGS, 5);
    let tree = read_tree(dir.path());
    let files = meetings(&tree);
    assert_eq!(files.len(), MEETINGS);

    let councils: BTreeSet<&str> = files.iter().map(|m| m.council.as_str()).collect();
    assert!(
        (20..=34).contains(&councils.len()),
        "{} councils",
        councils.len()
    );
    for council in &councils {
        let index =
            String::from_utf8(tree[&format!("content/{council}/_index.md")].clone()).unwrap();
        for key in ["name: ", "kind: ", "municipality: ", "members:\n", "## "] {
            assert!(index.contains(key), "{council}/_index.md has no {key:?}");
        }
    }

    // Dates from 2007 to 2026, file names that match them, agendas and minutes.
    let mut agendas = 0;
    for m in &files {
        let year: i32 = m.stem[..4].parse().unwrap();
        assert!((2007..=2026).contains(&year), "{}/{}", m.council, m.stem);
        assert!(
            m.front_matter
                .contains(&format!("date: {}\n", &m.stem[..10]))
        );
        if m.front_matter.contains("status: dagsorden") {
            agendas += 1;
            assert!(
                m.items.iter().all(|i| !i.body.contains("### Beslutning")),
                "the agenda {}/{} has decisions",
                m.council,
                m.stem
            );
        } else {
            assert!(m.front_matter.contains("status: referat"));
        }
        assert!(!m.intro.contains(MARKER));
    }
    // A suffix only for a second meeting of the council on the same day.
    let stems: BTreeSet<(&str, &str)> = files
        .iter()
        .map(|m| (m.council.as_str(), m.stem.as_str()))
        .collect();
    for &(council, stem) in &stems {
        if stem.len() > 10 {
            assert!(stem[10..].starts_with("-ekstra"), "{council}/{stem}");
            assert!(stems.contains(&(council, &stem[..10])), "{council}/{stem}");
        }
    }
    assert!(
        (3..MEETINGS / 5).contains(&agendas),
        "{agendas} agendas of {MEETINGS} meetings"
    );

    // 8–20 items a meeting, about 8 % closed; the marker in closed items only.
    let items: Vec<&Item> = files.iter().flat_map(|m| &m.items).collect();
    for m in &files {
        assert!(
            (8..=20).contains(&m.items.len()),
            "{}/{}",
            m.council,
            m.stem
        );
    }
    let closed: Vec<&&Item> = items.iter().filter(|i| i.closed()).collect();
    let share = closed.len() as f64 / items.len() as f64;
    assert!(
        (0.05..0.11).contains(&share),
        "{} of {} items closed",
        closed.len(),
        items.len()
    );
    for item in &items {
        assert_eq!(
            item.closed(),
            item.body.contains(MARKER),
            "the marker is not exactly in the closed items: {}",
            item.heading
        );
        assert!(!item.heading.contains(MARKER));
    }

    // Sags IDs: well-formed, one council each, and many come up at more than one meeting.
    let mut meetings_of_case: BTreeMap<String, BTreeSet<(&str, &str)>> = BTreeMap::new();
    for m in &files {
        for item in &m.items {
            if let Some(case) = item.case() {
                let parts: Vec<&str> = case.split('-').collect();
                assert!(
                    parts.len() == 3
                        && parts[0] == "EMN"
                        && parts[1].len() == 4
                        && parts[2].len() >= 5
                        && parts[1..]
                            .iter()
                            .all(|p| p.bytes().all(|b| b.is_ascii_digit())),
                    "{case}"
                );
                meetings_of_case
                    .entry(case)
                    .or_default()
                    .insert((&m.council, &m.stem));
            }
        }
    }
    for (case, at) in &meetings_of_case {
        let councils: BTreeSet<&str> = at.iter().map(|(c, _)| *c).collect();
        assert_eq!(councils.len(), 1, "{case} is used by {councils:?}");
    }
    let recurring = meetings_of_case.values().filter(|at| at.len() > 1).count();
    assert!(
        recurring * 20 >= meetings_of_case.len(),
        "only {recurring} of {} Sags IDs recur",
        meetings_of_case.len()
    );

    // A postponed case comes back at a later meeting of its council.
    let mut postponed = 0;
    for m in &files {
        for item in &m.items {
            if item.body.contains("\nUdsat til mødet den ") {
                postponed += 1;
                let case = item.case().expect("a postponed item has a Sags ID");
                assert!(
                    meetings_of_case[&case]
                        .iter()
                        .any(|&(c, stem)| c == m.council && stem > m.stem.as_str()),
                    "{case}, postponed at {}/{}, never comes back",
                    m.council,
                    m.stem
                );
            }
        }
    }
    assert!(postponed >= 10, "only {postponed} postponed items");

    // Danish text with a large vocabulary.
    let text: String = files
        .iter()
        .flat_map(|m| &m.items)
        .map(|i| i.body.as_str())
        .collect();
    for word in [
        "æ",
        "ø",
        "å",
        "Resumé",
        "Sagsfremstilling",
        "Indstilling",
        "Bilag",
    ] {
        assert!(text.contains(word), "no {word:?} in the text");
    }
    assert!(
        ["Aalborg", "Aarhus", "Haarby", "Faaborg", "Aabenraa"]
            .iter()
            .any(|w| text.contains(w)),
        "no place spelt with aa"
    );
    let words: BTreeSet<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 2)
        .collect();
    assert!(words.len() > 5000, "only {} different words", words.len());
}
