//! Incremental builds: after edits, additions and deletions of meetings, councils, attachments,
//! site.toml and templates, a build that reuses the last one's manifest publishes exactly the
//! bytes a clean build of the same input does, and leaves untouched files as they were.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use common::*;

/// Every folder under `dir`, by relative path.
fn folders(dir: &Path) -> BTreeSet<String> {
    fn walk(dir: &Path, prefix: &str, out: &mut BTreeSet<String>) {
        for entry in fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                let name = format!("{prefix}{}/", entry.file_name().to_string_lossy());
                out.insert(name.clone());
                walk(&entry.path(), &name, out);
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(dir, "", &mut out);
    out
}

/// The entries of the cache of parsed meetings kept at `root`, by name, with when each was
/// written; not the councils' heads files.
fn meeting_cache(root: &Path) -> BTreeMap<String, SystemTime> {
    fs::read_dir(root.join(".referat-cache/meetings"))
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            (name, modified(&e.path()))
        })
        .filter(|(name, _)| !name.starts_with("heads-"))
        .collect()
}

/// Build `root` into `output` reusing the last build, then a copy of `root` without its cache
/// into a new folder with `--clean`; require the same files, bytes and folders, and one entry in
/// the cache of parsed meetings per meeting file. Returns how many files the build said it
/// changed.
fn rebuild_matches_clean(root: &Path, output: &Path, what: &str) -> usize {
    let out = referat(&[
        "build",
        "--root",
        root.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "after {what}: {stderr}");
    let changed = stderr
        .split("; ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| {
            panic!("after {what}, the build did not publish incrementally: {stderr}")
        });
    let meetings: usize = fs::read_dir(root.join("content"))
        .unwrap()
        .map(|e| meeting_files(&e.unwrap().path()).len())
        .sum();
    assert_eq!(
        meeting_cache(root).len(),
        meetings,
        "after {what}: the meeting cache does not hold one entry per meeting file"
    );
    let (clean_dir, clean_root) = site_copy(root);
    fs::remove_dir_all(clean_root.join(".referat-cache")).unwrap();
    let clean = clean_dir.path().join("public");
    build_ok(&clean_root, &clean, &["--clean"]);
    let (got, want) = (read_tree(output), read_tree(&clean));
    let got_paths: BTreeSet<&String> = got.keys().collect();
    let want_paths: BTreeSet<&String> = want.keys().collect();
    assert_eq!(
        got_paths
            .symmetric_difference(&want_paths)
            .collect::<Vec<_>>(),
        Vec::<&&String>::new(),
        "after {what}: files only in one of the incremental and the clean build"
    );
    let differing: Vec<&String> = got
        .iter()
        .filter(|(path, bytes)| want[*path] != **bytes)
        .map(|(path, _)| path)
        .collect();
    assert!(
        differing.is_empty(),
        "after {what}: these files differ from a clean build: {differing:?}"
    );
    assert_eq!(
        folders(output),
        folders(&clean),
        "after {what}: the folders differ from a clean build"
    );
    changed
}

fn meeting_files(council: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(council)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md") && !p.ends_with("_index.md"))
        .collect();
    files.sort();
    files
}

/// A generated archive of `meetings` meetings in `dir/site`, built into `dir/public`: the two
/// folders and the archive's meeting files, sorted.
fn built_corpus(dir: &Path, meetings: u32) -> (PathBuf, PathBuf, Vec<PathBuf>) {
    let root = dir.join("site");
    generate_corpus(&root, meetings);
    let output = dir.join("public");
    build_ok(&root, &output, &[]);
    let mut files: Vec<PathBuf> = fs::read_dir(root.join("content"))
        .unwrap()
        .flat_map(|e| meeting_files(&e.unwrap().path()))
        .collect();
    files.sort();
    (root, output, files)
}

/// The first attachment of the archive at `root`, by path, that the build into `output`
/// published, and where it published it.
fn published_attachment(root: &Path, output: &Path) -> (PathBuf, PathBuf) {
    let mut attachments: Vec<PathBuf> = fs::read_dir(root.join("content"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .flat_map(|c| fs::read_dir(c).unwrap().map(|e| e.unwrap().path()))
        .filter(|p| p.is_dir())
        .flat_map(|d| fs::read_dir(d).unwrap().map(|e| e.unwrap().path()))
        .collect();
    attachments.sort();
    attachments
        .into_iter()
        .map(|a| {
            let published = output.join(a.strip_prefix(root.join("content")).unwrap());
            (a, published)
        })
        .find(|(_, published)| published.is_file())
        .expect("the corpus publishes attachments")
}

fn modified(path: &Path) -> SystemTime {
    fs::metadata(path).unwrap().modified().unwrap()
}

#[test]
fn a_rebuild_publishes_what_a_clean_build_does_after_every_kind_of_change() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    generate_corpus(&root, 80);
    let output = dir.path().join("public");
    build_ok(&root, &output, &[]);
    let files = read_tree(&output).len();

    let mut councils: Vec<PathBuf> = fs::read_dir(root.join("content"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    councils.sort();
    let (first, last) = (&councils[0], &councils[councils.len() - 1]);
    let untouched = output.join(format!(
        "{}/index.html",
        last.file_name().unwrap().to_string_lossy()
    ));
    let untouched_before = modified(&untouched);

    assert_eq!(
        rebuild_matches_clean(&root, &output, "no change"),
        0,
        "a build of unchanged input changed files"
    );

    let segments_before = search_index_segments(&root);
    let cache_before = meeting_cache(&root);
    let meeting = &meeting_files(first)[0];
    let text = fs::read_to_string(meeting).unwrap();
    let title = text.lines().find(|l| l.starts_with("## ")).unwrap();
    fs::write(
        meeting,
        text.replacen(title, "## Ændret titel på punktet", 1),
    )
    .unwrap();
    let changed = rebuild_matches_clean(&root, &output, "an edited item title");
    assert!(
        changed > 0 && changed < files / 4,
        "an edited title changed {changed} of {files} files"
    );
    assert_eq!(
        modified(&untouched),
        untouched_before,
        "another council's page was rewritten"
    );
    let cache = meeting_cache(&root);
    let kept = cache_before
        .iter()
        .filter(|(name, written)| cache.get(*name) == Some(written))
        .count();
    assert_eq!(
        kept,
        cache_before.len() - 1,
        "the unchanged meetings were not taken from the cache as they were"
    );
    let segments = search_index_segments(&root);
    assert!(
        segments.len() == segments_before.len() + 1 && segments.iter().any(|s| s.1 > 0),
        "the edited meeting's documents were not replaced in the kept search index: \
         {segments_before:?} became {segments:?}"
    );

    let added: Vec<String> = fs::read_to_string(meeting)
        .unwrap()
        .lines()
        .map(|l| match l.starts_with("date: ") {
            true => "date: 2026-12-30".to_owned(),
            false => l.to_owned(),
        })
        .collect();
    fs::write(first.join("2026-12-30.md"), added.join("\n") + "\n").unwrap();
    rebuild_matches_clean(&root, &output, "a new meeting");
    assert_eq!(
        search_index_segments(&root).len(),
        segments.len() + 1,
        "the new meeting was not added to the kept search index"
    );

    let gone = &meeting_files(last)[1];
    let gone_page = output.join(format!(
        "{}/{}/",
        last.file_name().unwrap().to_string_lossy(),
        gone.file_stem().unwrap().to_string_lossy()
    ));
    assert!(gone_page.is_dir());
    fs::remove_file(gone).unwrap();
    let _ = fs::remove_dir_all(gone.with_extension(""));
    rebuild_matches_clean(&root, &output, "a deleted meeting");
    assert!(
        !gone_page.exists(),
        "the deleted meeting's page is still published"
    );
    let segments = search_index_segments(&root);
    assert!(
        segments.iter().all(|s| s.1 == 0),
        "with a meeting deleted, the search index was not made anew: {segments:?}"
    );

    let (attachment, published) = published_attachment(&root, &output);
    let meeting_page = published.with_file_name("index.html");
    let size = fs::metadata(&attachment).unwrap().len() + 7;
    fs::write(&attachment, vec![b'x'; size as usize]).unwrap();
    rebuild_matches_clean(&root, &output, "an attachment of another size");
    assert!(
        fs::read_to_string(&meeting_page)
            .unwrap()
            .contains(&format!("{size} B)")),
        "the meeting page does not show the attachment's new size {size} B"
    );

    let index = first.join("_index.md");
    let text = fs::read_to_string(&index).unwrap();
    fs::write(&index, text.replacen("name: ", "name: Nye ", 1)).unwrap();
    rebuild_matches_clean(&root, &output, "a renamed council");

    let site = root.join("site.toml");
    let text = fs::read_to_string(&site).unwrap();
    fs::write(
        &site,
        text.replacen("title = \"", "title = \"Nyt navn: ", 1),
    )
    .unwrap();
    let changed = rebuild_matches_clean(&root, &output, "a new site title");
    assert!(
        changed > files / 4,
        "a new site title changed only {changed} of {files} files"
    );

    write_file(
        &root,
        "templates/meeting.html",
        &fs::read_to_string(repo_root().join("themes/standard/templates/meeting.html"))
            .unwrap()
            .replacen("<article", "<!-- eget --><article", 1),
    );
    rebuild_matches_clean(&root, &output, "a template override");

    let cache_dir = root.join(".referat-cache/meetings");
    let mut corrupted = BTreeMap::new();
    for (n, name) in meeting_cache(&root).into_keys().enumerate() {
        let bytes = fs::read(cache_dir.join(&name)).unwrap();
        let bytes = match n % 2 {
            0 => b"garbage, not a meeting".to_vec(),
            _ => bytes[..bytes.len() / 2].to_vec(),
        };
        fs::write(cache_dir.join(&name), &bytes).unwrap();
        corrupted.insert(name, bytes);
    }
    rebuild_matches_clean(&root, &output, "a corrupted meeting cache");
    for (name, bytes) in corrupted {
        assert_ne!(
            fs::read(cache_dir.join(&name)).unwrap(),
            bytes,
            "the corrupted entry {name} was not written again"
        );
    }
    assert!(
        page(
            &output,
            &format!(
                "{}/{}/index.html",
                first.file_name().unwrap().to_string_lossy(),
                meeting.file_stem().unwrap().to_string_lossy()
            )
        )
        .contains("<!-- eget -->")
    );
}

#[test]
fn a_changed_output_folder_is_built_whole_again() {
    let (_dir, root) = site_copy(&examples());
    let output = root.join("public");
    build_ok(&root, &output, &[]);
    fs::write(output.join("index.html"), "edited by hand").unwrap();
    let out = referat(&["build", "--root", root.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        !stderr.contains("changed"),
        "the build trusted a manifest of another site: {stderr}"
    );
    assert!(page(&output, "index.html").contains("<html"));
}

#[test]
fn a_site_reached_by_another_path_keeps_its_cache() {
    let (_dir, root) = site_copy(&examples());
    let heads = || -> BTreeSet<String> {
        fs::read_dir(root.join(".referat-cache/meetings"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with("heads-"))
            .collect()
    };
    build_ok(&root, &root.join("public"), &[]);
    let by_root = heads();
    assert!(!by_root.is_empty(), "a heads file per council");
    let out = referat_in(&root, &["build", "--quiet"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        heads(),
        by_root,
        "a build inside the site's folder did not find the heads files of `--root DIR`"
    );
}

#[test]
fn files_rewritten_with_the_same_size_are_published_anew() {
    // Built once the files have settled, so the build knows them by their stamps
    // (src/filestamp.rs) and the next build reads only those whose stamp changed.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    generate_corpus(&root, 10);
    std::thread::sleep(std::time::Duration::from_millis(3100));
    let output = dir.path().join("public");
    build_ok(&root, &output, &[]);
    let (attachment, published) = published_attachment(&root, &output);
    let mut bytes = fs::read(&attachment).unwrap();
    for byte in &mut bytes {
        *byte = byte.wrapping_add(1);
    }
    fs::write(&attachment, &bytes).unwrap();
    rebuild_matches_clean(&root, &output, "an attachment rewritten with the same size");
    assert_eq!(
        fs::read(&published).unwrap(),
        bytes,
        "the published attachment is not the rewritten one"
    );

    let meeting = attachment.parent().unwrap().with_extension("md");
    let text = fs::read_to_string(&meeting).unwrap();
    let title = text
        .lines()
        .find_map(|line| line.strip_prefix("## "))
        .expect("the meeting has an item");
    let at = title
        .find(|c: char| c.is_ascii_lowercase())
        .expect("a title with a lowercase letter");
    let letter = if title[at..].starts_with('x') {
        "y"
    } else {
        "x"
    };
    let retitled = format!("{}{letter}{}", &title[..at], &title[at + 1..]);
    fs::write(&meeting, text.replacen(title, &retitled, 1)).unwrap();
    rebuild_matches_clean(
        &root,
        &output,
        "a meeting file rewritten with the same size",
    );
    let meeting_page = published.with_file_name("index.html");
    assert!(
        fs::read_to_string(&meeting_page)
            .unwrap()
            .contains(&retitled),
        "the meeting page does not show the item's new title {retitled}"
    );
}

#[test]
fn a_meeting_cache_that_cannot_be_made_means_parsing_every_file() {
    let (_dir, root) = site_copy(&examples());
    let blocker = root.join(".referat-cache/meetings");
    write_file(
        &root,
        ".referat-cache/meetings",
        "a file where the cache's folder would be",
    );
    let output = root.join("public");
    build_ok(&root, &output, &[]);
    assert!(page(&output, "integrationsraadet/2023-10-10/index.html").contains("<article"));
    assert!(blocker.is_file(), "the build replaced what was in the way");
}

#[test]
fn the_search_bundle_stays_that_of_a_clean_build_through_many_small_rebuilds() {
    // Each rebuild adds a small segment to the kept search index; a segment whose items were
    // edited again holds deleted documents. Once enough segments are alike, they are merged, and
    // the scores must still use the exact token counts of the live documents.
    let dir = tempfile::tempdir().unwrap();
    let (root, output, meetings) = built_corpus(dir.path(), 40);
    let lengthen = |meeting: &Path, word: &str| {
        let text = fs::read_to_string(meeting).unwrap();
        let title = text.lines().find(|l| l.starts_with("## ")).unwrap();
        let longer = format!("{title} {word}");
        fs::write(meeting, text.replacen(title, &longer, 1)).unwrap();
    };
    lengthen(&meetings[0], "først");
    lengthen(&meetings[1], "først");
    build_ok(&root, &output, &[]);
    for (n, meeting) in [&meetings[0]]
        .into_iter()
        .chain(&meetings[2..12])
        .enumerate()
    {
        lengthen(meeting, &format!("ændring{n} og flere ord"));
        build_ok(&root, &output, &[]);
    }
    let segments = search_index_segments(&root);
    assert!(
        segments.len() < 12,
        "the kept index was never merged, so this test proves nothing: {segments:?}"
    );
    lengthen(&meetings[12], "sidst");
    rebuild_matches_clean(&root, &output, "many small rebuilds");
}

#[test]
fn a_search_memory_of_an_older_build_costs_time_not_correctness() {
    // The search cache remembers what the last export made: the index's segments and deletions,
    // each term's sizes, and the names of the shards and fragment chunks by key. Put back the
    // memory of an older build, after rebuilds that replaced items, replaced the same items
    // again (tantivy then drops the segment of their first replacement) and named other files:
    // a rebuild must tell from it what changed since that build, make again what it must, and
    // publish what a clean build does.
    let dir = tempfile::tempdir().unwrap();
    let (root, output, meetings) = built_corpus(dir.path(), 40);
    let memory = root.join(".referat-cache/search/bundle");
    let older = fs::read(&memory).unwrap();
    let change = |meeting: &Path, from: &str, to: &str| {
        let text = fs::read_to_string(meeting).unwrap();
        let edited = text.replacen(from, to, 1);
        assert_ne!(edited, text, "no `{from}` in {}", meeting.display());
        fs::write(meeting, edited).unwrap();
    };
    for (meeting, from, to) in [
        (&meetings[0], " og ", " samt "),
        (&meetings[0], " samt ", " eller "),
        (&meetings[1], " og ", " samt "),
    ] {
        change(meeting, from, to);
        build_ok(&root, &output, &[]);
    }
    assert_ne!(
        fs::read(&memory).unwrap(),
        older,
        "the memory never changed"
    );
    fs::write(&memory, older).unwrap();
    change(&meetings[2], " og ", " samt ");
    rebuild_matches_clean(&root, &output, "a search memory of an older build");
}
