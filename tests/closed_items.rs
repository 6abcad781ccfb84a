//! Closed (Lukket) items: only their number and title may reach the built site.

mod common;

use common::*;

/// The marker in the closed item of ../shared/examples.
const CANARY: &str = "KANARIE-7731";

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn no_byte_of_the_closed_items_text_reaches_any_output_file() {
    let source =
        std::fs::read_to_string(examples().join("content/integrationsraadet/2023-10-10.md"))
            .unwrap();
    assert!(
        source.contains(CANARY),
        "the example still carries its canary"
    );
    let (_dir, root) = site_copy(&examples());
    let out = tempfile::tempdir().unwrap();
    build_ok(&root, out.path(), &[]);
    let mut files = read_tree(out.path());
    assert!(files.len() > 5);
    assert!(
        files.keys().any(|p| p.starts_with("_search/s/")),
        "the search bundle is part of the scan"
    );
    for feed in [
        "atom.xml",
        "kalender.ics",
        "integrationsraadet/atom.xml",
        "integrationsraadet/kalender.ics",
    ] {
        let text = String::from_utf8(scanned(feed, &files[feed])).unwrap();
        assert!(
            text.contains("Indstilling af kandidat til Det Nationale Integrationsr"),
            "{feed} lists the closed item's title, and is part of the scan"
        );
    }
    for json in ["moeder.json", "integrationsraadet/2023-10-10.json"] {
        assert!(files.contains_key(json), "{json} is part of the scan");
    }
    assert!(
        String::from_utf8_lossy(&files["integrationsraadet/2023-10-10.json"])
            .contains("\"title\": \"Indstilling af kandidat til Det Nationale Integrationsråd\""),
        "the meeting's JSON lists the closed item's title"
    );
    let cache = read_tree(&root.join(".referat-cache"));
    assert!(
        !cache.is_empty(),
        "the search index kept for `referat search` is scanned too"
    );
    assert!(
        cache
            .iter()
            .any(|(path, bytes)| path.starts_with("meetings/")
                && contains(bytes, "Det Nationale Integrationsråd".as_bytes())),
        "the cache of parsed meetings, with the closed item's title, is scanned too"
    );
    files.extend(
        cache
            .into_iter()
            .map(|(p, b)| (format!(".referat-cache/{p}"), b)),
    );
    let body_text = "Personfølsomme oplysninger om kandidaten";
    for (path, bytes) in &files {
        let bytes = &scanned(path, bytes);
        assert!(
            !contains(bytes, CANARY.as_bytes()),
            "{path} contains {CANARY}"
        );
        assert!(
            !contains(bytes, body_text.as_bytes()),
            "{path} contains the closed item's text"
        );
    }
    let html = page(out.path(), "integrationsraadet/2023-10-10/index.html");
    assert!(html.contains("Indstilling af kandidat til Det Nationale Integrationsråd"));
    assert!(html.contains("Punktet er behandlet for lukkede døre."));
}

#[test]
fn a_closed_items_case_id_and_attachments_are_not_published() {
    let (_dir, root) = site_copy(&examples());
    let file = root.join("content/integrationsraadet/2023-10-10.md");
    let text = std::fs::read_to_string(&file).unwrap();
    let text = text.replace(
        "## Indstilling af kandidat til Det Nationale Integrationsråd {.lukket}",
        "## Indstilling af kandidat til Det Nationale Integrationsråd {.lukket case=EMN-2023-99999}",
    ) + "\n### Bilag\n\n- [CV](2023-10-10/cv-kandidat.pdf)\n";
    std::fs::write(&file, text).unwrap();
    std::fs::write(
        root.join("content/integrationsraadet/2023-10-10/cv-kandidat.pdf"),
        "CV",
    )
    .unwrap();
    let out = root.join("public");
    build_ok(&root, &out, &[]);
    let files = read_tree(&out);
    assert!(
        !files.keys().any(|p| p.contains("cv-kandidat")),
        "the closed item's attachment was copied"
    );
    assert!(
        !files.keys().any(|p| p.contains("99999")),
        "the closed item's Sags ID got a case page"
    );
    assert!(files.contains_key("sag/emn-2023-00398/index.html"));
    for (path, bytes) in &files {
        let bytes = &scanned(path, bytes);
        assert!(
            !contains(bytes, b"EMN-2023-99999"),
            "{path} has the closed item's Sags ID"
        );
        assert!(
            !contains(bytes, CANARY.as_bytes()),
            "{path} contains {CANARY}"
        );
    }
}
