//! `referat check`: each rule fires on a copy of ../shared/examples with one file changed, at the
//! right file and line and with the right exit code; the demo and the examples are quiet; JSON
//! holds what the text shows; and nothing is written.

mod common;

use std::fs;
use std::path::Path;
use std::process::Output;

use chrono::{Days, Utc};
use chrono_tz::Europe::Copenhagen;
use common::*;
use serde_json::Value;

const MEETING: &str = "content/integrationsraadet/2023-10-10.md";
const COUNCIL: &str = "content/integrationsraadet/_index.md";

/// One finding as JSON gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Finding {
    file: String,
    line: Option<u64>,
    severity: String,
    rule: String,
    message: String,
    hint: String,
}

/// `referat check --format json` on the site at `root` with `extra` arguments: the exit code and
/// the findings.
fn check(root: &Path, extra: &[&str]) -> (i32, Vec<Finding>) {
    let out = run_check(root, &[&["--format", "json"], extra].concat());
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "check printed no JSON ({e}):\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let findings = json["findings"]
        .as_array()
        .expect("a findings array")
        .iter()
        .map(|f| Finding {
            file: f["file"].as_str().unwrap().to_owned(),
            line: f["line"].as_u64(),
            severity: f["severity"].as_str().unwrap().to_owned(),
            rule: f["rule"].as_str().unwrap().to_owned(),
            message: f["message"].as_str().unwrap().to_owned(),
            hint: f["hint"].as_str().unwrap().to_owned(),
        })
        .collect();
    (out.status.code().unwrap(), findings)
}

fn run_check(root: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["check", "--root", root.to_str().unwrap()];
    args.extend_from_slice(extra);
    referat(&args)
}

/// A copy of ../shared/examples: (guard, root).
fn example() -> (tempfile::TempDir, std::path::PathBuf) {
    site_copy(&examples())
}

/// Replace `from` (which must occur) by `to` in the file `path` of the site at `root`.
fn edit(root: &Path, path: &str, from: &str, to: &str) {
    let file = root.join(path);
    let text = fs::read_to_string(&file).unwrap();
    assert!(text.contains(from), "{path} has no `{from}`");
    fs::write(&file, text.replacen(from, to, 1)).unwrap();
}

/// The 1-based lines of the file `path` at `root` that contain `needle`.
fn lines_of(root: &Path, path: &str, needle: &str) -> Vec<u64> {
    fs::read_to_string(root.join(path))
        .unwrap()
        .lines()
        .enumerate()
        .filter(|(_, line)| line.contains(needle))
        .map(|(i, _)| i as u64 + 1)
        .collect()
}

/// A copy of the demo site at the repository's root: its site.toml, content/ and themes/.
fn demo() -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, root) = site_copy(&repo_root().join("content"));
    let site = dir.path().join("demo");
    fs::create_dir(&site).unwrap();
    fs::rename(&root, site.join("content")).unwrap();
    copy_dir(&repo_root().join("themes"), &site.join("themes"));
    fs::copy(repo_root().join("site.toml"), site.join("site.toml")).unwrap();
    (dir, site)
}

#[test]
fn the_demo_and_the_examples_are_quiet() {
    for (_dir, root) in [demo(), example()] {
        let (code, findings) = check(&root, &[]);
        assert_eq!(findings, [], "{}", root.display());
        assert_eq!(code, 0);
        let out = run_check(&root, &["--strict"]);
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.starts_with("No problems found in "), "{text}");
    }
}

#[test]
fn the_builds_errors_are_listed_as_the_build_words_them() {
    let (dir, root) = example();
    edit(&root, MEETING, "## Godkendelse af dagsorden", "## {.lukke}");
    edit(&root, COUNCIL, "## Formål", "## Formål {#formaal}");
    let built = build(&root, &dir.path().join("out"), &[]);
    assert!(!built.status.success());
    let build_errors: Vec<String> = String::from_utf8(built.stderr)
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix("error: ").map(str::to_owned))
        .collect();
    assert!(build_errors.len() >= 3, "{build_errors:?}");

    let (code, findings) = check(&root, &[]);
    assert_eq!(code, 1);
    let listed: Vec<String> = findings
        .iter()
        .map(|f| format!("{}:{}: {}", f.file, f.line.unwrap(), f.message))
        .collect();
    assert_eq!(listed, build_errors);
    assert!(
        findings
            .iter()
            .all(|f| f.rule == "build" && f.severity == "error")
    );
    assert!(!dir.path().join("out").exists());
}

#[test]
fn an_item_without_a_title_is_the_builds_error_at_its_line() {
    let (_dir, root) = example();
    edit(&root, MEETING, "## Godkendelse af dagsorden", "## ");
    let (code, findings) = check(&root, &[]);
    assert_eq!(code, 1);
    assert_eq!(findings.len(), 1, "{findings:?}");
    let f = &findings[0];
    assert_eq!((f.file.as_str(), f.line), (MEETING, Some(11)));
    assert_eq!(f.rule, "build");
    assert!(f.message.contains("agenda item 1 has no title"), "{f:?}");
}

#[test]
fn a_site_toml_error_stops_the_check_with_the_builds_words() {
    let (_dir, root) = example();
    edit(
        &root,
        "site.toml",
        "language = \"da\"",
        "language = \"da\"\ncolour = \"blue\"",
    );
    let (code, findings) = check(&root, &[]);
    assert_eq!(code, 1);
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].file, "site.toml");
    assert_eq!(findings[0].line, Some(6));
    assert!(findings[0].message.contains("unknown field `colour`"));
    let text = String::from_utf8(run_check(&root, &[]).stdout).unwrap();
    assert!(text.contains("The site did not load"), "{text}");
}

#[test]
fn an_anchor_past_the_last_item_is_a_broken_link() {
    let (_dir, root) = example();
    edit(
        &root,
        MEETING,
        "Godkendt.",
        "Godkendt. Se [punkt 2](#punkt-2), [toppen](#top) og [punkt 9](#punkt-9).",
    );
    let (code, findings) = check(&root, &[]);
    assert_eq!(code, 1);
    assert_eq!(findings.len(), 1, "{findings:?}");
    let f = &findings[0];
    assert_eq!((f.file.as_str(), f.line), (MEETING, Some(15)));
    assert_eq!(
        (f.rule.as_str(), f.severity.as_str()),
        ("broken-link", "error")
    );
    assert!(
        f.message
            .contains("`#punkt-9` leads to no anchor of this page"),
        "{f:?}"
    );
    assert!(
        f.hint.contains("4 items: `#punkt-1` to `#punkt-4`"),
        "{f:?}"
    );
}

#[test]
fn full_urls_under_the_base_url_are_followed_to_pages_files_and_anchors() {
    let (_dir, root) = example();
    let base = "https://www.example.dk/raad/";
    let good = [
        "integrationsraadet/2023-10-10/#punkt-3",
        "integrationsraadet/#kommissorium",
        "integrationsraadet/2023-10-10/handleplan-maalsaetning-1.pdf",
        "arkiv/2023/",
        "integrationsraadet/atom.xml",
        "sag/emn-2023-00398/",
        "",
    ];
    let bad = [
        "integrationsraadet/2023-10-11/#punkt-1",
        "integrationsraadet/#punkt-1",
        "integrationsraadet/2023-10-10/mangler.pdf",
    ];
    let mut text = String::from("\n");
    for path in good.iter().chain(&bad) {
        text += &format!("- [link]({base}{path})\n");
    }
    text += "- [ude](https://www.example.dk/andet/) [mail](mailto:a@example.dk)\n";
    edit(
        &root,
        COUNCIL,
        "i kommunen.\n",
        &format!("i kommunen.\n{text}"),
    );
    let (code, findings) = check(&root, &[]);
    assert_eq!(code, 1);
    let broken: Vec<(Option<u64>, &str)> = findings
        .iter()
        .map(|f| {
            assert_eq!((f.file.as_str(), f.rule.as_str()), (COUNCIL, "broken-link"));
            (f.line, f.message.as_str())
        })
        .collect();
    assert_eq!(broken.len(), 3, "{findings:#?}");
    for (path, (line, message)) in bad.iter().zip(&broken) {
        assert!(message.contains(&format!("`{base}{path}`")), "{message}");
        assert_eq!(*line, lines_of(&root, COUNCIL, path).first().copied());
    }
    assert!(
        broken[1].1.contains("no anchor `#punkt-1`"),
        "{findings:#?}"
    );

    let (code, findings) = check(&root, &["--base-url", "https://andet.example.dk/"]);
    assert_eq!(
        (code, findings),
        (0, vec![]),
        "other base URL: nothing is internal"
    );
}

#[test]
fn a_missing_attachment_is_the_builds_error() {
    let (_dir, root) = example();
    edit(
        &root,
        MEETING,
        "handleplan-maalsaetning-1.pdf)",
        "handleplan-2.pdf)",
    );
    let (code, findings) = check(&root, &[]);
    assert_eq!(code, 1);
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].rule, "build");
    assert_eq!(
        findings[0].line,
        lines_of(&root, MEETING, "handleplan-2.pdf")
            .first()
            .copied()
    );
    assert!(findings[0].message.contains("missing attachment"));
}

#[test]
fn an_attachment_above_the_limit_is_a_warning_and_strict_makes_it_an_error() {
    let (dir, root) = example();
    edit(
        &root,
        "site.toml",
        "language = \"da\"",
        "language = \"da\"\nmax_attachment_mb = 0.00005",
    );
    let (code, findings) = check(&root, &[]);
    assert_eq!(code, 0, "a warning does not fail the check");
    assert_eq!(findings.len(), 1, "{findings:?}");
    let f = &findings[0];
    assert_eq!(
        (f.rule.as_str(), f.severity.as_str()),
        ("attachment-size", "warning")
    );
    assert_eq!(f.file, MEETING);
    assert_eq!(
        f.line,
        lines_of(&root, MEETING, "handleplan-maalsaetning-1.pdf")
            .first()
            .copied()
    );
    assert!(f.message.contains("max_attachment_mb = 0.00005"), "{f:?}");

    let (code, findings) = check(&root, &["--strict"]);
    assert_eq!(code, 1);
    assert_eq!(findings[0].severity, "error");
    build_ok(&root, &dir.path().join("out"), &[]);
}

#[test]
fn the_attachment_limit_must_be_a_positive_number() {
    for (value, expected) in [
        ("0", "expected a size in MB above 0"),
        ("\"20\"", "invalid type: string \"20\""),
    ] {
        let (_dir, root) = example();
        edit(
            &root,
            "site.toml",
            "language = \"da\"",
            &format!("language = \"da\"\nmax_attachment_mb = {value}"),
        );
        let (code, findings) = check(&root, &[]);
        assert_eq!(code, 1);
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(
            (findings[0].file.as_str(), findings[0].line),
            ("site.toml", Some(6))
        );
        assert!(findings[0].message.contains(expected), "{findings:?}");
    }
}

#[test]
fn a_referat_dated_after_today_is_an_error() {
    let (_dir, root) = example();
    let today = Utc::now().with_timezone(&Copenhagen).date_naive();
    let tomorrow = today.checked_add_days(Days::new(1)).unwrap();
    let meeting = |date, status| {
        format!("---\n# a meeting\ndate: {date}\nstatus: {status}\n---\n\n## Punkt\n\nTekst.\n")
    };
    let council = "content/integrationsraadet";
    write_file(
        &root,
        &format!("{council}/{tomorrow}.md"),
        &meeting(tomorrow, "referat"),
    );
    write_file(
        &root,
        &format!("{council}/{today}.md"),
        &meeting(today, "referat"),
    );
    write_file(
        &root,
        &format!("{council}/2099-01-01.md"),
        &meeting(tomorrow, "dagsorden"),
    );
    edit(
        &root,
        &format!("{council}/2099-01-01.md"),
        &tomorrow.to_string(),
        "2099-01-01",
    );
    let (code, findings) = check(&root, &[]);
    assert_eq!(code, 1);
    assert_eq!(findings.len(), 1, "{findings:?}");
    let f = &findings[0];
    assert_eq!(f.file, format!("{council}/{tomorrow}.md"));
    assert_eq!((f.line, f.rule.as_str()), (Some(3), "future-referat"));
    assert!(
        f.message.contains(&format!("after today ({today})")),
        "{f:?}"
    );
}

#[test]
fn a_dagsorden_with_decisions_is_a_warning_at_each_beslutning() {
    let (_dir, root) = example();
    edit(&root, MEETING, "status: referat", "status: dagsorden");
    let (code, findings) = check(&root, &[]);
    assert_eq!(code, 0);
    let lines: Vec<Option<u64>> = findings
        .iter()
        .map(|f| {
            assert_eq!(
                (f.rule.as_str(), f.severity.as_str()),
                ("decision-in-dagsorden", "warning")
            );
            f.line
        })
        .collect();
    let headings = lines_of(&root, MEETING, "### Beslutning");
    let open = &headings[..headings.len() - 1];
    assert_eq!(lines, open.iter().map(|&l| Some(l)).collect::<Vec<_>>());
    assert_eq!(run_check(&root, &["--strict"]).status.code(), Some(1));
}

#[test]
fn cpr_numbers_in_published_text_are_found_and_masked() {
    let (_dir, root) = example();
    edit(
        &root,
        MEETING,
        "Godkendt.",
        "Godkendt. Borgeren (010190-1234) deltog.",
    );
    edit(&root, MEETING, "Drøftedes.", "Drøftedes. Konto 0101901234.");
    edit(
        &root,
        MEETING,
        "Personfølsomme oplysninger",
        "Personfølsomme oplysninger, 020202-2222,",
    );
    edit(
        &root,
        COUNCIL,
        "  - name: Roman Jurowetzski",
        "  - name: Roman Jurowetzski 311299-4321",
    );
    let (code, findings) = check(&root, &[]);
    assert_eq!(code, 1);
    let found: Vec<(&str, Option<u64>, &str, &str)> = findings
        .iter()
        .map(|f| {
            (
                f.file.as_str(),
                f.line,
                f.rule.as_str(),
                f.severity.as_str(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (MEETING, Some(15), "cpr-number", "error"),
            (MEETING, Some(26), "cpr-number-without-dash", "warning"),
            (COUNCIL, Some(9), "cpr-number", "error"),
        ]
    );
    assert!(
        findings[0].message.contains("`010190-****`"),
        "{findings:?}"
    );
    let out = run_check(&root, &[]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("1234") && !text.contains("4321"), "{text}");
}

#[test]
fn case_ids_and_phone_numbers_are_not_cpr_numbers() {
    let (_dir, root) = example();
    edit(
        &root,
        MEETING,
        "Godkendt.",
        "Godkendt. Sag EMN-2016-02142 og EMN-010190-1234; ring 99 31 37 00, 9931-3700 \
         eller +4501019012; mødet 2023-10-10 kl. 16:00-18:30.",
    );
    let (code, findings) = check(&root, &["--strict"]);
    assert_eq!((code, findings), (0, vec![]));
}

#[test]
fn json_holds_the_findings_the_text_shows_sorted() {
    let (_dir, root) = example();
    edit(&root, MEETING, "status: referat", "status: dagsorden");
    edit(
        &root,
        MEETING,
        "Godkendt.",
        "Godkendt. [x](#punkt-7) 010190-1234",
    );
    edit(&root, COUNCIL, "i kommunen.", "i kommunen. [y](#punkt-1)");
    let (code, findings) = check(&root, &[]);
    assert_eq!(code, 1);
    assert!(findings.len() >= 5, "{findings:?}");
    let mut sorted = findings.clone();
    sorted.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    assert_eq!(findings, sorted);

    let out = run_check(&root, &[]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut expected = String::new();
    for f in &findings {
        expected += &format!(
            "{}:{}: {}: {} [{}]\n  hint: {}\n",
            f.file,
            f.line.unwrap(),
            f.severity,
            f.message,
            f.rule,
            f.hint
        );
    }
    let errors = findings.iter().filter(|f| f.severity == "error").count();
    let warnings = findings.len() - errors;
    expected +=
        &format!("Found {errors} errors and {warnings} warnings in 1 council and 1 meeting.\n");
    assert_eq!(text, expected);

    let json: Value =
        serde_json::from_slice(&run_check(&root, &["--format", "json"]).stdout).unwrap();
    assert_eq!(json["errors"], errors);
    assert_eq!(json["warnings"], warnings);
    assert_eq!(json["checked"]["meetings"], 1);
}

#[test]
fn check_writes_nothing() {
    let (_dir, root) = example();
    edit(&root, MEETING, "Godkendt.", "Godkendt. [x](#punkt-7)");
    let before = read_tree(&root);
    let (code, findings) = check(&root, &[]);
    assert_eq!((code, findings.len()), (1, 1));
    let (code, _) = check(&root, &["--strict"]);
    assert_eq!(code, 1);
    assert_eq!(read_tree(&root), before);
    assert!(!root.join("public").exists() && !root.join(".referat-cache").exists());
}

#[test]
fn an_unknown_format_is_a_usage_error() {
    let (_dir, root) = example();
    let out = run_check(&root, &["--format", "xml"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_template_that_does_not_render_is_the_builds_error() {
    let (dir, root) = example();
    write_file(&root, "templates/meeting.html", "{{ nope.x }}\n");
    let built = build(&root, &dir.path().join("out"), &[]);
    let stderr = String::from_utf8(built.stderr).unwrap();
    assert!(!built.status.success());
    let (code, findings) = check(&root, &[]);
    assert_eq!(code, 1);
    assert_eq!(findings.len(), 1, "{findings:?}");
    let f = &findings[0];
    assert_eq!(
        (f.file.as_str(), f.line, f.rule.as_str()),
        ("templates", None, "build")
    );
    assert!(
        f.message
            .starts_with("cannot render integrationsraadet/2023-10-10/index.html: "),
        "{f:?}"
    );
    assert!(
        f.message.contains("`nope` is not defined") && f.message.contains("meeting.html:1:4"),
        "the message names the variable and where the template reads it: {f:?}"
    );
    assert!(stderr.contains(&f.message), "{stderr}");
}

#[test]
fn a_missing_theme_is_reported_and_the_content_still_checked() {
    let (_dir, root) = example();
    edit(
        &root,
        "site.toml",
        "theme = \"standard\"",
        "theme = \"eget\"",
    );
    edit(&root, MEETING, "Godkendt.", "Godkendt. 010190-1234");
    let (code, findings) = check(&root, &[]);
    assert_eq!(code, 1);
    let found: Vec<(&str, &str)> = findings
        .iter()
        .map(|f| (f.file.as_str(), f.rule.as_str()))
        .collect();
    assert_eq!(found, [(MEETING, "cpr-number"), ("site.toml", "build")]);
    assert!(
        findings[1]
            .message
            .starts_with("the theme `eget` was not found"),
        "{findings:?}"
    );
}

#[test]
fn a_new_site_with_a_new_agenda_is_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    let root_arg = root.to_str().unwrap();
    assert!(referat(&["init", root_arg]).status.success());
    let new = [
        "new",
        "meeting",
        "byraadet",
        "2099-01-01",
        "--root",
        root_arg,
    ];
    assert!(referat(&new).status.success());
    let (code, findings) = check(&root, &["--strict"]);
    assert_eq!((code, findings), (0, vec![]));
    edit(
        &root,
        "content/byraadet/2099-01-01.md",
        "status: dagsorden",
        "status: referat",
    );
    let (code, findings) = check(&root, &[]);
    assert_eq!(code, 1);
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].rule, "future-referat");
}
