//! The search index: the bundle a build publishes under `_search/`, and `referat search`.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use common::*;
use sha2::{Digest, Sha256};

fn search(root: &Path, args: &[&str]) -> String {
    let mut all = vec!["search", "--root", root.to_str().unwrap()];
    all.extend_from_slice(args);
    let out = referat(&all);
    assert!(
        out.status.success(),
        "referat {all:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn search_json(root: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = args.to_vec();
    all.push("--json");
    serde_json::from_str(&search(root, &all)).unwrap()
}

/// The results' URLs, relative to the demo's base URL.
fn urls(answer: &serde_json::Value) -> Vec<String> {
    answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["url"]
                .as_str()
                .unwrap()
                .trim_start_matches("http://127.0.0.1:8000/")
                .to_owned()
        })
        .collect()
}

fn hash(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    hasher.finalize()[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn demo() -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, root) = site_copy(&repo_root().join("content"));
    fs::rename(&root, dir.path().join("content")).unwrap();
    let root = dir.path().to_path_buf();
    fs::copy(repo_root().join("site.toml"), root.join("site.toml")).unwrap();
    (dir, root)
}

/// Each bundle file but the entry and the runtime is named by the hash of what it holds.
fn check_names(files: &BTreeMap<String, Vec<u8>>) {
    let entry: serde_json::Value = serde_json::from_slice(&files["_search/index.json"]).unwrap();
    let shard_count = entry["shards"].as_array().unwrap().len();
    let shard_dir = entry["shardDir"].as_str().unwrap();
    let mut shards: Vec<&[u8]> = Vec::new();
    for n in 0..shard_count {
        shards.push(&files[&format!("_search/{shard_dir}/t{n}.bin")]);
        shards.push(&files[&format!("_search/{shard_dir}/p{n}.bin")]);
    }
    assert_eq!(shard_dir, format!("s/{}", hash(&shards)));
    let dates = entry["dates"].as_str().unwrap();
    assert_eq!(
        format!("d/{}.bin", hash(&[&files[&format!("_search/{dates}")]])),
        dates
    );
    for council in entry["councils"].as_array().unwrap() {
        let folder = council["fragments"].as_str().unwrap();
        let count = council["count"].as_u64().unwrap();
        let parts: Vec<&[u8]> = (0..count)
            .map(|n| files[&format!("_search/{folder}/{n}.json")].as_slice())
            .collect();
        let slug = council["slug"].as_str().unwrap();
        assert_eq!(folder, format!("f/{slug}-{}", hash(&parts)));
    }
    let named = 2
        + 2 * shard_count
        + 1
        + entry["councils"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["count"].as_u64().unwrap() as usize)
            .sum::<usize>();
    let published = files.keys().filter(|p| p.starts_with("_search/")).count();
    assert_eq!(
        published, named,
        "every file of the bundle is accounted for"
    );
}

#[test]
fn the_bundle_names_every_file_by_its_content_and_a_rebuild_renames_what_changed() {
    let (_dir, root) = demo();
    let out = root.join("public");
    build_ok(&root, &out, &[]);
    let before = read_tree(&out);
    check_names(&before);
    let entry: serde_json::Value = serde_json::from_slice(&before["_search/index.json"]).unwrap();
    assert_eq!(entry["format"], 2);
    assert_eq!(
        entry["docs"],
        4 + 12 + 2,
        "4 council pages and 14 open items"
    );
    assert!(
        entry.get("fields").is_none(),
        "format 2 needs no field lengths: impacts are computed at build time"
    );
    let fragment: serde_json::Value = serde_json::from_slice(
        &before[&format!(
            "_search/{}/1.json",
            entry["councils"][1]["fragments"].as_str().unwrap()
        )],
    )
    .unwrap();
    assert_eq!(fragment["url"], "integrationsraadet/2023-10-10/#punkt-1");
    assert_eq!(fragment["date"], "2023-10-10");
    assert_eq!(fragment["status"], "referat");

    let meeting = root.join("content/opgaveudvalget-integration-af-flygtninge/2016-04-26.md");
    let text = fs::read_to_string(&meeting).unwrap();
    fs::write(
        &meeting,
        text + "\nRådet talte også om kvartalsregnskabet.\n",
    )
    .unwrap();
    build_ok(&root, &out, &[]);
    let after = read_tree(&out);
    check_names(&after);
    let folders = |files: &BTreeMap<String, Vec<u8>>| -> Vec<String> {
        let entry: serde_json::Value =
            serde_json::from_slice(&files["_search/index.json"]).unwrap();
        entry["councils"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["fragments"].as_str().unwrap().to_owned())
            .collect()
    };
    let (old, new) = (folders(&before), folders(&after));
    assert_eq!(
        old[..3],
        new[..3],
        "other councils' fragments keep their names"
    );
    assert_ne!(old[3], new[3], "the edited council's fragments are renamed");
    assert_ne!(before["_search/index.json"], after["_search/index.json"]);
}

#[test]
fn search_finds_prefixes_phrases_and_case_ids_and_ranks_titles_first() {
    let (_dir, root) = demo();
    let prefix = search_json(&root, &["beskæf"]);
    assert_eq!(urls(&prefix)[0], "integrationsraadet/2023-10-10/#punkt-6");
    assert!(
        prefix["results"][0]["excerpt"]
            .as_str()
            .unwrap()
            .contains("<mark>Beskæftigelsesplan</mark>"),
        "{prefix}"
    );
    assert_eq!(
        search_json(&root, &["beskæf "])["total"],
        0,
        "a finished word is no prefix"
    );

    let all_words = search_json(&root, &["integration handleplan"]);
    let one_word = search_json(&root, &["integration"]);
    assert!(one_word["total"].as_u64() > all_words["total"].as_u64());

    let case = search_json(&root, &["EMN-2016-02142"]);
    assert_eq!(case["total"], 1);
    assert_eq!(
        urls(&case),
        ["opgaveudvalget-integration-af-flygtninge/2016-04-26/#punkt-1"]
    );
    assert_eq!(case["results"][0]["case"], "EMN-2016-02142");

    let phrase = search_json(&root, &["\"integration af flygtninge\""]);
    let reversed = search_json(&root, &["\"flygtninge af integration\""]);
    assert!(phrase["total"].as_u64().unwrap() >= 2);
    assert_eq!(reversed["total"], 0, "a phrase keeps its order");
    let inside = search_json(&root, &["evaluering", "\"integration af flygtninge\""]);
    assert_eq!(
        urls(&inside),
        ["opgaveudvalget-integration-af-flygtninge/2016-04-26/#punkt-2"]
    );

    assert_eq!(
        search_json(&root, &["Ålborg"])["total"],
        search_json(&root, &["Aalborg"])["total"]
    );
}

#[test]
fn search_filters_counts_sorts_and_suggests() {
    let (_dir, root) = demo();
    let all = search_json(&root, &["integration"]);
    let councils = all["facets"]["council"].as_array().unwrap();
    assert_eq!(councils.len(), 4);
    let filtered = search_json(&root, &["integration", "--council", "integrationsraadet"]);
    let aalborg = councils
        .iter()
        .find(|c| c["value"] == "integrationsraadet")
        .unwrap();
    assert_eq!(filtered["total"], aalborg["count"]);
    assert_eq!(
        filtered["facets"]["council"], all["facets"]["council"],
        "a council's own filter does not change the council counts"
    );
    for url in urls(&filtered) {
        assert!(url.starts_with("integrationsraadet/"), "{url}");
    }
    let by_name = search_json(&root, &["integration", "--council", "Integrationsrådet"]);
    assert_eq!(by_name["total"], filtered["total"]);

    let year = search_json(&root, &["integration", "--year", "2016"]);
    assert!(year["total"].as_u64().unwrap() > 0);
    for url in urls(&year) {
        assert!(url.contains("/2016-"), "{url}");
    }
    assert_eq!(
        search_json(&root, &["integration", "--status", "dagsorden"])["total"],
        0
    );

    let dated = search_json(&root, &["integration", "--by-date", "--limit", "100"]);
    let dates: Vec<&str> = dated["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["date"].as_str().unwrap_or(""))
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted, "newest first, council pages last");
    assert_eq!(dates[0], "2023-10-10");

    let page = search_json(&root, &["integration", "--limit", "2", "--offset", "2"]);
    assert_eq!(urls(&page), urls(&all)[2..4]);

    let typo = search_json(&root, &["flygtnige"]);
    assert_eq!(typo["total"], 0);
    assert_eq!(typo["suggestion"], "flygtning");

    let wrong = referat(&[
        "search",
        "--root",
        root.to_str().unwrap(),
        "x",
        "--council",
        "byraadet",
    ]);
    assert_eq!(wrong.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&wrong.stderr).contains(
            "there is no council `byraadet`: expected one of dialogforum-for-integration,"
        ),
        "{}",
        String::from_utf8_lossy(&wrong.stderr)
    );
}

#[test]
fn search_needs_no_build_and_follows_the_content() {
    let (_dir, root) = demo();
    let text = search(&root, &["kvartalsregnskabet"]);
    assert!(
        text.starts_with("No results for \"kvartalsregnskabet\"."),
        "{text}"
    );
    let meeting = root.join("content/integrationsraadet/2023-10-10.md");
    let source = fs::read_to_string(&meeting).unwrap();
    fs::write(&meeting, source + "\nRådet drøftede kvartalsregnskabet.\n").unwrap();
    let text = search(&root, &["kvartalsregnskabet"]);
    assert!(
        text.starts_with("1 result for \"kvartalsregnskabet\""),
        "{text}"
    );
    assert!(
        text.contains("http://127.0.0.1:8000/integrationsraadet/2023-10-10/#punkt-12"),
        "{text}"
    );
}
