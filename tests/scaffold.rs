//! `referat init` and `referat new meeting`: a new site builds at once, a new meeting file
//! builds into its page, and nothing is ever overwritten.

mod common;

use std::fs;

use common::*;

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A new site in a temporary folder, created by `referat init`.
fn new_site() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    let out = referat(&["init", root.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    (dir, root)
}

#[test]
fn init_writes_a_site_that_builds_at_once() {
    let (_dir, root) = new_site();
    for file in ["site.toml", ".gitignore", "content/byraadet/_index.md"] {
        assert!(root.join(file).is_file(), "init did not write {file}");
    }
    let gitignore = fs::read_to_string(root.join(".gitignore")).unwrap();
    assert!(gitignore.contains("/public") && gitignore.contains("/.referat-cache"));
    let meetings: Vec<_> = fs::read_dir(root.join("content/byraadet"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name != "_index.md")
        .collect();
    assert_eq!(meetings.len(), 1, "{meetings:?}");
    let slug = meetings[0].trim_end_matches(".md");

    let output = root.join("public");
    build_ok(&root, &output, &[]);
    let council = page(&output, "byraadet/index.html");
    assert!(council.contains("Byrådet"), "{council}");
    let meeting = page(&output, &format!("byraadet/{slug}/index.html"));
    assert!(meeting.contains("Godkendelse af dagsorden"), "{meeting}");
}

#[test]
fn init_refuses_a_folder_that_is_not_empty() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let out = referat(&["init", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("is not empty"), "{}", stderr(&out));
    assert!(!dir.path().join("site.toml").exists());
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn new_meeting_writes_an_agenda_that_builds_into_its_page() {
    let (_dir, root) = new_site();
    let root_arg = root.to_str().unwrap();
    let out = referat(&[
        "new",
        "meeting",
        "byraadet",
        "2026-12-01",
        "--root",
        root_arg,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let file = root.join("content/byraadet/2026-12-01.md");
    let text = fs::read_to_string(&file).unwrap();
    assert!(text.contains("status: dagsorden"), "{text}");
    assert!(
        !text.contains("Beslutning"),
        "an agenda has no decision yet: {text}"
    );

    let output = root.join("public");
    build_ok(&root, &output, &[]);
    let meeting = page(&output, "byraadet/2026-12-01/index.html");
    assert!(meeting.contains("1. december 2026"), "{meeting}");
    assert!(meeting.contains("dagsorden"), "{meeting}");
}

#[test]
fn new_meeting_takes_the_status_asked_for() {
    let (_dir, root) = new_site();
    let out = referat(&[
        "new",
        "meeting",
        "byraadet",
        "2026-11-02",
        "--status",
        "referat",
        "--root",
        root.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = fs::read_to_string(root.join("content/byraadet/2026-11-02.md")).unwrap();
    assert!(
        text.contains("status: referat") && text.contains("### Beslutning"),
        "{text}"
    );
}

#[test]
fn new_meeting_never_overwrites_a_file() {
    let (_dir, root) = new_site();
    let root_arg = root.to_str().unwrap();
    let file = root.join("content/byraadet/2026-12-01.md");
    fs::write(&file, "mine").unwrap();
    let out = referat(&[
        "new",
        "meeting",
        "byraadet",
        "2026-12-01",
        "--root",
        root_arg,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));
    assert_eq!(fs::read_to_string(&file).unwrap(), "mine");
}

#[test]
fn new_meeting_names_the_councils_there_are() {
    let (_dir, root) = new_site();
    let out = referat(&[
        "new",
        "meeting",
        "byraadett",
        "2026-12-01",
        "--root",
        root.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let message = stderr(&out);
    assert!(
        message.contains("no council `byraadett`") && message.contains("byraadet"),
        "{message}"
    );
    assert!(!root.join("content/byraadett").exists());
}

#[test]
fn new_meeting_wants_a_real_date() {
    let (_dir, root) = new_site();
    let out = referat(&[
        "new",
        "meeting",
        "byraadet",
        "2026-02-30",
        "--root",
        root.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("expected YYYY-MM-DD"),
        "{}",
        stderr(&out)
    );
}
