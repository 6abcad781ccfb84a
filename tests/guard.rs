//! The publish-time guard (src/guard/): a build whose files would publish a closed item's text
//! or a CPR number refuses to publish, names the file, and leaves the published site as it was.
//! Neither the site nor the cache of parsed meetings ever holds a closed item's text.

mod common;

use std::fs;

use common::*;

/// The closed item of ../shared/examples, and the start of its body.
const MEETING: &str = "content/integrationsraadet/2023-10-10.md";
const CLOSED_SENTENCE: &str = "Personfølsomme oplysninger om kandidaten.";

/// A template that shows text it must not: the theme's 404 page plus `extra`.
fn leaking_404(root: &std::path::Path, extra: &str) {
    let theme = fs::read_to_string(repo_root().join("themes/standard/templates/404.html")).unwrap();
    let marker = "{% endblock";
    let at = theme.rfind(marker).expect("404.html ends a block");
    let leaking = format!("{}<p>{extra}</p>{}", &theme[..at], &theme[at..]);
    write_file(root, "templates/404.html", &leaking);
}

/// The line of the output manifest that names the guard which scanned the published files, by a
/// hash of every text it looked for.
fn guard_line(root: &std::path::Path) -> String {
    let (_, manifest) = read_tree(&root.join(".referat-cache/output"))
        .into_iter()
        .find(|(name, _)| name.ends_with("/manifest"))
        .expect("the build wrote an output manifest");
    // Four lines of text start the manifest; its records follow, in binary.
    let manifest = String::from_utf8_lossy(&manifest);
    let line = manifest
        .lines()
        .take(4)
        .find(|l| l.starts_with("guard "))
        .unwrap();
    line.to_owned()
}

#[test]
fn a_page_with_a_closed_items_text_is_not_published_and_the_site_stays() {
    let (_dir, root) = site_copy(&examples());
    let source = fs::read_to_string(root.join(MEETING)).unwrap();
    let line = 1 + source[..source.find(CLOSED_SENTENCE).unwrap()]
        .matches('\n')
        .count();
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("public");
    build_ok(&root, &site, &[]);
    let published = read_tree(&site);

    leaking_404(&root, &format!("Fundet: {CLOSED_SENTENCE}"));
    for mode in [&[][..], &["--clean"][..]] {
        let run = build(&root, &site, mode);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(!run.status.success(), "the build {mode:?} must fail");
        assert!(
            stderr.contains(&format!(
                "error: 404.html contains the text of a closed item ({MEETING}:{line})"
            )),
            "the error names the file and the closed item's line:\n{stderr}"
        );
        assert!(stderr.contains("was left as it was"), "{stderr}");
        assert!(
            read_tree(&site) == published,
            "the published site is exactly as it was after {mode:?}"
        );
    }
}

#[test]
fn html_escapes_do_not_hide_a_closed_items_text() {
    let (_dir, root) = site_copy(&examples());
    let meeting = fs::read_to_string(root.join(MEETING)).unwrap();
    let secret = "Borgerens \"sag\" & klage <fortrolig> skal ikke ses";
    let meeting = meeting.replace(
        CLOSED_SENTENCE,
        &format!("{CLOSED_SENTENCE} {}.", secret.replace('<', "\\<")),
    );
    fs::write(root.join(MEETING), meeting).unwrap();
    leaking_404(
        &root,
        "{{ `Borgerens \"sag\" & klage <fortrolig> skal ikke ses.` }}",
    );
    let out = tempfile::tempdir().unwrap();
    let run = build(&root, out.path(), &[]);
    assert!(
        !run.status.success(),
        "tera escapes the text, the guard finds it anyway"
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("404.html contains the text of a closed item"),
        "{stderr}"
    );
}

#[test]
fn a_cpr_number_in_an_open_item_is_not_published() {
    let (_dir, root) = site_copy(&examples());
    let meeting = fs::read_to_string(root.join(MEETING)).unwrap();
    let meeting = meeting.replacen(
        "\n### ",
        "\nBorgeren med CPR-nr. 010190-1234 har klaget.\n\n### ",
        1,
    );
    fs::write(root.join(MEETING), meeting).unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = build(&root, &out.path().join("public"), &[]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success());
    assert!(
        stderr.contains("integrationsraadet/2023-10-10/index.html contains `010190-****`"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("1234"),
        "the error does not print the number"
    );
    assert!(!out.path().join("public").exists(), "nothing was published");
}

#[test]
fn a_sentence_that_closed_and_open_items_share_is_no_leak() {
    let (_dir, root) = site_copy(&examples());
    let shared = "Forvaltningen indstiller, at orienteringen tages til efterretning.";
    let meeting = fs::read_to_string(root.join(MEETING)).unwrap();
    let meeting = meeting
        .replace(CLOSED_SENTENCE, &format!("{CLOSED_SENTENCE}\n\n{shared}"))
        .replacen("\n### ", &format!("\n{shared}\n\n### "), 1);
    fs::write(root.join(MEETING), meeting).unwrap();
    let out = tempfile::tempdir().unwrap();
    build_ok(&root, out.path(), &[]);
    assert!(page(out.path(), "integrationsraadet/2023-10-10/index.html").contains(shared));
}

#[test]
fn an_item_closed_after_it_was_published_leaves_no_trace() {
    let (_dir, root) = site_copy(&examples());
    let out = tempfile::tempdir().unwrap();
    let sentence = "gav indledningsvist en introduktion til foreningens arbejde.";
    build_ok(&root, out.path(), &[]);
    assert!(page(out.path(), "integrationsraadet/2023-10-10/index.html").contains(sentence));

    let cache = root.join(".referat-cache/meetings");
    let cached = |text: &str| {
        read_tree(&cache)
            .into_iter()
            .filter(|(_, bytes)| String::from_utf8_lossy(bytes).contains(text))
            .map(|(name, _)| name)
            .collect::<Vec<_>>()
    };
    assert!(
        !cached(sentence).is_empty(),
        "the meeting cache holds the open item's text, as it is searched for below"
    );
    assert_eq!(
        cached(CLOSED_SENTENCE),
        Vec::<String>::new(),
        "the meeting cache holds a closed item's text"
    );

    // The output manifest names the guard that scanned the published files, by a hash of what
    // it looked for: a rebuild scans again every file that a guard looking for other texts let
    // through, even one whose bytes are unchanged.
    let before = guard_line(&root);

    let meeting = fs::read_to_string(root.join(MEETING)).unwrap();
    let closed = meeting.replace("{case=EMN-2023-00412}", "{.lukket}");
    assert_ne!(closed, meeting);
    fs::write(root.join(MEETING), closed).unwrap();
    build_ok(&root, out.path(), &[]);
    assert_ne!(
        guard_line(&root),
        before,
        "the guard's fingerprint ignores a new closed text"
    );
    for (path, bytes) in read_tree(out.path()) {
        let text = String::from_utf8_lossy(&scanned(&path, &bytes)).into_owned();
        assert!(!text.contains(sentence), "{path} still has the closed text");
    }
    for text in [sentence, CLOSED_SENTENCE] {
        assert_eq!(
            cached(text),
            Vec::<String>::new(),
            "the meeting cache holds a closed item's text: {text}"
        );
    }
    let segments = search_index_segments(&root);
    assert!(
        segments.iter().all(|&(_, deleted)| deleted == 0),
        "the kept search index still holds the item as a deleted document: {segments:?}"
    );
}

#[test]
fn a_rebuild_looks_for_what_a_clean_build_looks_for() {
    // The guard keeps what it found in each file, and reads again only the files that changed:
    // a run of closed text that an unchanged file publishes, or no longer does, must count as
    // it would in a clean build.
    let (_dir, root) = site_copy(&examples());
    let out = tempfile::tempdir().unwrap();
    let open = "gav indledningsvist en introduktion til foreningens arbejde.";
    let meeting = |open: &str, closed: &str| {
        format!(
            "---\ndate: 2023-11-14\nstatus: referat\n---\n\n## Orientering\n\n{open}\n\n\
             ## Personalesag {{.lukket}}\n\n{closed}\n\nAnsøgerens helbred og familieforhold.\n"
        )
    };
    let rebuilt_as_clean = |step: &str| {
        build_ok(&root, out.path(), &[]);
        let rebuilt = guard_line(&root);
        build_ok(&root, out.path(), &["--clean"]);
        assert_eq!(
            rebuilt,
            guard_line(&root),
            "after {step}, a rebuild looks for other texts than a clean build"
        );
        rebuilt
    };
    build_ok(&root, out.path(), &[]);

    // An open item of an unchanged meeting publishes the new meeting's closed run.
    write_file(
        &root,
        "content/integrationsraadet/2023-11-14.md",
        &meeting(
            "Orientering om rådets arbejde.",
            &format!("Foreningen mødtes. {open}"),
        ),
    );
    let shared = rebuilt_as_clean("a meeting whose closed run an old one publishes");
    assert!(page(out.path(), "integrationsraadet/2023-10-10/index.html").contains(open));

    // That meeting no longer publishes it.
    let old = fs::read_to_string(root.join(MEETING)).unwrap();
    fs::write(
        root.join(MEETING),
        old.replace(open, "fortalte om foreningen."),
    )
    .unwrap();
    let sought = rebuilt_as_clean("the old meeting's open item changed");
    assert_ne!(
        sought, shared,
        "the run is looked for once it is not published"
    );

    // A new meeting publishes the old meeting's closed sentence, then is deleted.
    let published = "content/integrationsraadet/2023-12-12.md";
    let text = meeting(CLOSED_SENTENCE, "Oplysninger om en medarbejders fravær.")
        .replace("2023-11-14", "2023-12-12");
    write_file(&root, published, &text);
    let with = rebuilt_as_clean("a meeting that publishes a closed sentence");
    assert_ne!(
        with, sought,
        "a sentence an open item publishes is not looked for"
    );
    fs::remove_file(root.join(published)).unwrap();
    assert_eq!(rebuilt_as_clean("that meeting was deleted"), sought);

    leaking_404(&root, CLOSED_SENTENCE);
    let run = build(&root, out.path(), &[]);
    assert!(
        !run.status.success(),
        "a rebuild publishes a closed sentence that no open item publishes any more"
    );
}
