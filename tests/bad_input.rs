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
    for text in ["", " \n\t\n", "\u{feff}\r\n\r\n"] {
        let site = Site::new();
        fs::write(site.path("content/integrationsraadet/2023-11-07.md"), text).unwrap();
        site.fails_with(&[
            "content/integrationsraadet/2023-11-07.md: the file is empty: expected front matter \
             between `---` lines, then the body",
        ]);
    }
}

#[test]
fn a_utf16_file() {
    let site = Site::new();
    let mut bytes = vec![0xFF, 0xFE];
    for unit in "---\ndate: 2023-11-07\nstatus: referat\n---\n".encode_utf16() {
        bytes.extend(unit.to_le_bytes());
    }
    fs::write(site.path("content/integrationsraadet/2023-11-07.md"), bytes).unwrap();
    site.fails_with(&[
        "content/integrationsraadet/2023-11-07.md:1: the file is UTF-16 text (it starts with a \
         UTF-16 byte-order mark): save it as UTF-8",
    ]);
}

#[test]
fn a_tab_that_indents_the_front_matter() {
    let site = Site::new();
    site.edit(MEETING, "absent:\n  - Anna", "absent:\n\t- Anna");
    let line = line_of(&site.path(MEETING), "\t- Anna");
    site.fails_with(&[&format!(
        "{MEETING}:{line}: front matter: a tab indents this line: expected spaces, since YAML \
         indents with spaces only"
    )]);
}

#[test]
fn an_item_heading_with_only_attributes() {
    let site = Site::new();
    site.edit(
        MEETING,
        "## Indstilling af kandidat til Det Nationale Integrationsråd {.lukket}",
        "## {.lukket}",
    );
    let line = line_of(&site.path(MEETING), "## {.lukket}");
    site.fails_with(&[&format!(
        "{MEETING}:{line}: agenda item 4 has no title: expected `## <title>`"
    )]);
}

#[test]
fn raw_html_nested_too_deep() {
    let site = Site::new();
    site.edit(
        MEETING,
        "Godkendt.",
        &format!("Godkendt.\n\n{}", "<div>".repeat(2_000)),
    );
    let line = line_of(&site.path(MEETING), "<div>");
    site.fails_with(&[&format!(
        "{MEETING}:{line}: this text holds raw HTML, and its elements nest 2000 levels deep: \
         expected at most 1000; close the tags that are left open, or write the text as Markdown"
    )]);
}

#[test]
fn links_and_images_with_a_scheme_that_could_run_script() {
    for (target, scheme) in [
        ("javascript:alert(1)", "javascript"),
        ("JAVASCRIPT:alert(1)", "javascript"),
        ("&#x6A;avascript:alert(1)", "javascript"),
        ("<java\tscript:alert(1)>", "javascript"),
        (
            "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
            "data",
        ),
        ("vbscript:msgbox(1)", "vbscript"),
        ("file:///etc/passwd", "file"),
    ] {
        let site = Site::new();
        site.edit(MEETING, "Godkendt.", &format!("Godkendt [her]({target})."));
        let line = line_of(&site.path(MEETING), "Godkendt [her]");
        let shown = target
            .trim_matches(['<', '>'])
            .replace("&#x6A;", "j")
            .replace('\t', "\\t");
        site.fails_with(&[&format!(
            "{MEETING}:{line}: the link `{shown}` has the URL scheme `{scheme}:`, which is not \
             allowed: expected an https://, http://, mailto: or tel: URL, a `#` anchor or an \
             attachment"
        )]);
    }
    let site = Site::new();
    let index = "content/integrationsraadet/_index.md";
    site.edit(
        index,
        "Integrationsrådet rådgiver",
        "![logo](data:image/svg+xml,<svg/onload=alert(1)>) Integrationsrådet rådgiver",
    );
    let line = line_of(&site.path(index), "![logo]");
    site.fails_with(&[&format!(
        "{index}:{line}: the image `data:image/svg+xml,<svg/onload=alert(1)>` has the URL scheme \
         `data:`, which is not allowed: expected an https://, http://, mailto: or tel: URL, a \
         `#` anchor or an attachment"
    )]);
}

#[test]
fn attachment_links_cannot_leave_the_meeting_folder() {
    let folder = "content/integrationsraadet/2023-10-10";
    let expected_folder = |link: &str| {
        format!(
            "the link `{link}` must name a file in the meeting's attachment folder: expected \
             `2023-10-10/<file>`, with the file in {folder}/"
        )
    };
    let cases: Vec<(&str, String)> = vec![
        (
            "2023-10-10/../../../site.toml",
            expected_folder("2023-10-10/../../../site.toml"),
        ),
        (
            "2023-10-10\\handleplan-maalsaetning-1.pdf",
            expected_folder("2023-10-10\\handleplan-maalsaetning-1.pdf"),
        ),
        (
            "2023-10-10/%2e%2e%2f%2e%2e%2fsite.toml",
            "the attachment name `%2e%2e%2f%2e%2e%2fsite.toml` is not a safe file name: use \
             lowercase letters a–z, digits, `-`, `_` and `.`, e.g. rename it to \
             `2e-2e-2f-2e-2e-2fsite.toml`"
                .to_owned(),
        ),
        (
            "/etc/passwd",
            "the link `/etc/passwd` starts with `/`, which breaks when the site is served under a \
             sub-path or opened from disk: link to a full URL (https://…) or to an attachment"
                .to_owned(),
        ),
    ];
    for (link, message) in cases {
        let site = Site::new();
        site.edit(
            MEETING,
            "(2023-10-10/handleplan-maalsaetning-1.pdf)",
            &format!("({link})"),
        );
        let line = line_of(&site.path(MEETING), "[Udkast til handleplan, målsætning 1]");
        site.fails_with(&[&format!("{MEETING}:{line}: {message}")]);
    }
}

#[cfg(unix)]
#[test]
fn attachments_behind_symbolic_links_are_refused() {
    let link = "[Udkast til handleplan, målsætning 1]";
    // A file in the folder that links to a file outside the content folder.
    let site = Site::new();
    let folder = site.path("content/integrationsraadet/2023-10-10");
    std::os::unix::fs::symlink(site.path("site.toml"), folder.join("site.pdf")).unwrap();
    site.edit(MEETING, "handleplan-maalsaetning-1.pdf)", "site.pdf)");
    let line = line_of(&site.path(MEETING), link);
    site.fails_with(&[&format!(
        "{MEETING}:{line}: the attachment content/integrationsraadet/2023-10-10/site.pdf is a \
         symbolic link: copy the file itself into the folder"
    )]);
    // The attachment folder itself links to a folder outside the content folder.
    let site = Site::new();
    let folder = site.path("content/integrationsraadet/2023-10-10");
    let outside = site.root.join("outside");
    fs::rename(&folder, &outside).unwrap();
    std::os::unix::fs::symlink(&outside, &folder).unwrap();
    let line = line_of(&site.path(MEETING), link);
    site.fails_with(&[&format!(
        "{MEETING}:{line}: the attachment folder content/integrationsraadet/2023-10-10 is a \
         symbolic link: expected a real folder beside the meeting file, holding the files \
         themselves"
    )]);
}

#[test]
fn site_toml_links_and_hosts_that_could_run_script() {
    let site = Site::new();
    site.edit(
        "site.toml",
        "accessibility_statement = \"https://was.digst.dk/www-example-dk\"",
        "accessibility_statement = \"javascript:alert(1)\"",
    );
    let line = line_of(&site.path("site.toml"), "accessibility_statement");
    site.fails_with(&[&format!(
        "site.toml:{line}: accessibility_statement: `javascript:alert(1)` has the scheme \
         `javascript:`: expected an http:// or https:// URL, e.g. \
         `https://www.kommune.dk/tilgaengelighed`"
    )]);

    let site = Site::new();
    site.edit(
        "site.toml",
        "language = \"da\"",
        "language = \"da\"\niframe_hosts = [\"https://evil.example/\"]",
    );
    site.fails_with(&[
        "site.toml:6: iframe_hosts: `https://evil.example/` is not a host name: \
         expected names such as \"www.youtube-nocookie.com\", without `https://` or a path",
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
    site.fails_with(&["site.toml:6: unknown field `colour`, expected one of `title`, `municipality`, `base_url`, `language`, `theme`, `accessibility_statement`, `contact`, `max_attachment_mb`, `iframe_hosts`"]);
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
