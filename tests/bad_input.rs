//! Bad input: each problem is reported with its file, line and what was expected, all problems
//! of a build at once, exit code 1, and the previously published site is left exactly as it was.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::*;

const MEETING: &str = "content/integrationsraadet/2023-10-10.md";

/// A copy of the examples, built once, so there is a published site to protect.
struct Site {
    _dir: tempfile::TempDir,
    root: PathBuf,
    output: PathBuf,
}

impl Site {
    fn new() -> Site {
        let (dir, root) = site_copy(&examples());
        let output = root.join("public");
        build_ok(&root, &output, &[]);
        Site {
            _dir: dir,
            root,
            output,
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    fn edit(&self, rel: &str, from: &str, to: &str) {
        let path = self.path(rel);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{rel} has no `{from}`");
        fs::write(&path, text.replacen(from, to, 1)).unwrap();
    }

    /// Build, expect failure with each of `expected` among the errors, and an untouched output.
    fn fails_with(&self, expected: &[&str]) -> String {
        let before = read_tree(&self.output);
        let out = build(&self.root, &self.output, &[]);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        for line in expected {
            assert!(
                stderr.lines().any(|l| l == format!("error: {line}")),
                "expected the error line\n  error: {line}\ngot:\n{stderr}"
            );
        }
        assert!(stderr.contains("was left as it was"), "{stderr}");
        assert!(
            read_tree(&self.output) == before,
            "the published site changed"
        );
        let leftovers: Vec<_> = fs::read_dir(&self.root)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("staging"))
            .collect();
        assert!(
            leftovers.is_empty(),
            "staging folders left behind: {leftovers:?}"
        );
        stderr
    }
}

fn line_of(path: &Path, needle: &str) -> usize {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .position(|l| l.contains(needle))
        .unwrap()
        + 1
}

#[test]
fn malformed_yaml() {
    let site = Site::new();
    site.edit(MEETING, "place: Jobcenter", "place: \"Jobcenter");
    let stderr = site.fails_with(&[]);
    assert!(
        stderr.contains(&format!("error: {MEETING}:5: front matter: ")),
        "{stderr}"
    );
}

#[test]
fn a_missing_date() {
    let site = Site::new();
    site.edit(MEETING, "date: 2023-10-10\n", "");
    site.fails_with(&[&format!("{MEETING}:2: front matter: missing field `date`")]);
}

#[test]
fn an_impossible_date() {
    let site = Site::new();
    site.edit(MEETING, "date: 2023-10-10", "date: 2023-02-30");
    site.fails_with(&[&format!(
        "{MEETING}:2: front matter: date: `2023-02-30` is not a day of the calendar: expected a \
         real date YYYY-MM-DD"
    )]);
}

#[test]
fn an_impossible_date_in_the_file_name() {
    let site = Site::new();
    fs::copy(
        site.path(MEETING),
        site.path("content/integrationsraadet/2023-02-30.md"),
    )
    .unwrap();
    site.fails_with(&[
        "content/integrationsraadet/2023-02-30.md: the file name: `2023-02-30` is not a day of \
         the calendar: expected a real date YYYY-MM-DD; expected a meeting file named \
         YYYY-MM-DD.md, or YYYY-MM-DD-<suffix>.md for a second meeting that day",
    ]);
}

#[test]
fn a_date_that_differs_from_the_file_name() {
    let site = Site::new();
    site.edit(MEETING, "date: 2023-10-10", "date: 2023-10-11");
    site.fails_with(&[&format!(
        "{MEETING}:2: the date 2023-10-11 differs from the date in the file name (2023-10-10): \
         expected them to be the same"
    )]);
}

#[test]
fn an_unknown_status() {
    let site = Site::new();
    site.edit(MEETING, "status: referat", "status: referatet");
    site.fails_with(&[&format!(
        "{MEETING}:6: front matter: status: `referatet` is not a status: expected `dagsorden` \
         (the agenda) or `referat` (the minutes)"
    )]);
}

#[test]
fn an_unknown_front_matter_key() {
    let site = Site::new();
    site.edit(MEETING, "absent:", "absentees:");
    site.fails_with(&[&format!(
        "{MEETING}:7: front matter: unknown field `absentees`, expected one of `date`, `start`, \
         `end`, `place`, `status`, `participants`, `absent`"
    )]);
}

#[test]
fn two_meetings_with_the_same_slug() {
    let site = Site::new();
    let text = fs::read_to_string(site.path(MEETING)).unwrap();
    let text = text.replace("](2023-10-10/", "](2023-10-10-ekstra/");
    for name in ["2023-10-10-Ekstra.md", "2023-10-10-ekstra.md"] {
        fs::write(
            site.path(&format!("content/integrationsraadet/{name}")),
            &text,
        )
        .unwrap();
    }
    site.fails_with(&[
        "content/integrationsraadet/2023-10-10-ekstra.md: two meetings have the slug \
         `2023-10-10-ekstra` (this file and content/integrationsraadet/2023-10-10-Ekstra.md): \
         expected one file per meeting, with a distinct suffix for a second meeting that day",
    ]);
}

#[test]
fn a_link_to_a_missing_attachment() {
    let site = Site::new();
    site.edit(
        MEETING,
        "(2023-10-10/handleplan-maalsaetning-1.pdf)",
        "(2023-10-10/mangler.pdf)",
    );
    let line = line_of(&site.path(MEETING), "mangler.pdf");
    site.fails_with(&[&format!(
        "{MEETING}:{line}: the link `2023-10-10/mangler.pdf` names a missing attachment: \
         expected the file content/integrationsraadet/2023-10-10/mangler.pdf"
    )]);
}

#[test]
fn an_attachment_link_that_leaves_the_meeting_folder() {
    let site = Site::new();
    site.edit(
        MEETING,
        "(2023-10-10/handleplan-maalsaetning-1.pdf)",
        "(../../site.toml)",
    );
    let line = line_of(&site.path(MEETING), "site.toml");
    site.fails_with(&[&format!(
        "{MEETING}:{line}: the link `../../site.toml` must name a file in the meeting's \
         attachment folder: expected `2023-10-10/<file>`, with the file in \
         content/integrationsraadet/2023-10-10/"
    )]);
}

#[test]
fn a_council_folder_without_index() {
    let site = Site::new();
    fs::create_dir(site.path("content/ældreraadet")).unwrap();
    site.fails_with(&[
        "content/ældreraadet/_index.md: the council folder has no _index.md: expected this \
         file, with front matter naming the council (`name: …`) and its kommissorium as the body",
    ]);
}

#[test]
fn a_file_that_is_not_utf8() {
    let site = Site::new();
    fs::write(
        site.path("content/integrationsraadet/2023-11-07.md"),
        b"---\ndate: 2023-11-07\nstatus: referat\n---\n\n## M\xf8debeslutning\n",
    )
    .unwrap();
    site.fails_with(&[
        "content/integrationsraadet/2023-11-07.md:6: the file is not UTF-8 text (byte 0xF8 \
         cannot start a character); it may be saved as Windows-1252 or Latin-1: save it as UTF-8",
    ]);
}

#[test]
fn an_empty_file() {
    let site = Site::new();
    fs::write(site.path("content/integrationsraadet/2023-11-07.md"), "").unwrap();
    site.fails_with(&[
        "content/integrationsraadet/2023-11-07.md: the file is empty: expected front matter \
         between `---` lines, then the body",
    ]);
}

#[test]
fn a_misspelt_closed_tag_is_not_published() {
    let site = Site::new();
    site.edit(MEETING, "{.lukket}", "{.lukke}");
    let line = line_of(&site.path(MEETING), "{.lukke}");
    site.fails_with(&[&format!(
        "{MEETING}:{line}: unknown class `.lukke` on an agenda item: expected `.lukket` for a \
         closed item, or none"
    )]);
}

#[test]
fn site_toml_problems_name_the_key() {
    let site = Site::new();
    site.edit(
        "site.toml",
        "language = \"da\"",
        "language = \"da\"\ncolour = \"red\"",
    );
    site.fails_with(&["site.toml:6: unknown field `colour`, expected one of `title`, `municipality`, `base_url`, `language`, `theme`, `accessibility_statement`, `contact`, `max_attachment_mb`"]);
}

#[test]
fn every_problem_of_a_build_is_reported_at_once() {
    let site = Site::new();
    site.edit(MEETING, "status: referat", "status: x");
    fs::write(
        site.path("content/integrationsraadet/2023-11-07.md"),
        "---\ndate: 2023-11-07\nstatus: referat\n---\n\n# Forkert\n\n## Punkt {.lukke}\n",
    )
    .unwrap();
    fs::write(site.path("content/integrationsraadet/noter.md"), "x").unwrap();
    let stderr = site.fails_with(&[
        &format!("{MEETING}:6: front matter: status: `x` is not a status: expected `dagsorden` (the agenda) or `referat` (the minutes)"),
        "content/integrationsraadet/2023-11-07.md:6: a `#` heading in a meeting file: expected agenda items as `## ` headings and their sections as `### `",
        "content/integrationsraadet/2023-11-07.md:8: unknown class `.lukke` on an agenda item: expected `.lukket` for a closed item, or none",
    ]);
    assert!(stderr.contains("content/integrationsraadet/noter.md: expected a meeting file named"));
    assert!(
        stderr.contains("Error: the build found 4 problems"),
        "{stderr}"
    );
}

#[test]
fn a_closed_tag_that_does_not_end_the_heading_is_an_error_not_an_open_item() {
    for heading in ["{.lukket} ##", "{.lukket} (fortroligt)"] {
        let site = Site::new();
        site.edit(MEETING, "{.lukket}", heading);
        let line = line_of(&site.path(MEETING), heading);
        site.fails_with(&[&format!(
            "{MEETING}:{line}: a heading contains `{{`: attributes such as `{{.lukket}}` or \
             `{{case=…}}` must end the `## ` heading line, after the title and without closing \
             `#`s"
        )]);
    }
}

#[test]
fn a_meeting_file_with_an_uppercase_extension_is_not_ignored() {
    let site = Site::new();
    fs::copy(
        site.path(MEETING),
        site.path("content/integrationsraadet/2023-11-07.MD"),
    )
    .unwrap();
    let stderr = site.fails_with(&[]);
    assert!(
        stderr.contains("2023-11-07.MD: expected a meeting file named YYYY-MM-DD.md"),
        "{stderr}"
    );
}

#[test]
fn a_bad_base_url_on_the_command_line_is_named_as_such() {
    let site = Site::new();
    let out = build(&site.root, &site.output, &["--base-url", "www.example.dk"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: --base-url: base_url `www.example.dk` is not a full URL"),
        "{stderr}"
    );
}
