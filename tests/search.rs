//! The search index: the bundle a build publishes under `_search/`, and `referat search`.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use common::*;
use xxhash_rust::xxh3::Xxh3;

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

/// The name of `parts`: the first 10 hex digits of the xxh3-128 of each part's length and bytes.
fn hash(parts: &[&[u8]]) -> String {
    let mut hasher = Xxh3::new();
    for part in parts {
        hasher.update(&(part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    format!("{:032x}", hasher.digest128())[..10].to_owned()
}

/// The bundle's `index.json`, from the `files` of a built site.
fn index_json(files: &BTreeMap<String, Vec<u8>>) -> serde_json::Value {
    serde_json::from_slice(&files["_search/index.json"]).unwrap()
}

/// Each bundle file but the entry and the runtime is named by the hash of what it holds: a
/// shard's two files by both, a council's fragments by chunks of `fragmentChunk`.
fn check_names(files: &BTreeMap<String, Vec<u8>>) {
    let entry = index_json(files);
    let names = entry["shardNames"].as_array().unwrap();
    assert_eq!(names.len(), entry["shards"].as_array().unwrap().len());
    for name in names {
        let name = name.as_str().unwrap();
        let terms = &files[&format!("_search/s/{name}-t.bin")];
        let positions = &files[&format!("_search/s/{name}-p.bin")];
        assert_eq!(name, hash(&[terms, positions]));
    }
    let dates = entry["dates"].as_str().unwrap();
    assert_eq!(
        format!("d/{}.bin", hash(&[&files[&format!("_search/{dates}")]])),
        dates
    );
    let chunk = entry["fragmentChunk"].as_u64().unwrap() as usize;
    assert_eq!(chunk, 1024);
    let mut fragments = 0;
    for council in entry["councils"].as_array().unwrap() {
        let chunks = council["fragments"].as_array().unwrap();
        let count = council["count"].as_u64().unwrap() as usize;
        assert_eq!(chunks.len(), count.div_ceil(chunk));
        for (k, name) in chunks.iter().enumerate() {
            let name = name.as_str().unwrap();
            let parts: Vec<&[u8]> = (k * chunk..count.min((k + 1) * chunk))
                .map(|n| files[&format!("_search/f/{name}/{}.json", n % chunk)].as_slice())
                .collect();
            assert_eq!(name, hash(&parts));
        }
        fragments += count;
    }
    let named = 2 + 2 * names.len() + 1 + fragments;
    let published = files.keys().filter(|p| p.starts_with("_search/")).count();
    assert_eq!(
        published, named,
        "every file of the bundle is accounted for"
    );
}

/// Each council's fragment chunk names.
fn chunk_names(files: &BTreeMap<String, Vec<u8>>) -> Vec<serde_json::Value> {
    index_json(files)["councils"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["fragments"].clone())
        .collect()
}

#[test]
fn the_bundle_names_every_file_by_its_content_and_a_rebuild_renames_what_changed() {
    let (_dir, root) = demo_site();
    let out = root.join("public");
    build_ok(&root, &out, &[]);
    let before = read_tree(&out);
    check_names(&before);
    let entry = index_json(&before);
    assert_eq!(entry["format"], 3);
    assert_eq!(
        entry["docs"],
        4 + 12 + 2,
        "4 council pages and 14 open items"
    );
    assert!(
        entry.get("fields").is_none(),
        "the bundle needs no field lengths: impacts are computed at build time"
    );
    let fragment: serde_json::Value = serde_json::from_slice(
        &before[&format!(
            "_search/f/{}/1.json",
            entry["councils"][1]["fragments"][0].as_str().unwrap()
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
    let (old, new) = (chunk_names(&before), chunk_names(&after));
    assert_eq!(
        old[..3],
        new[..3],
        "other councils' fragments keep their names"
    );
    assert_ne!(old[3], new[3], "the edited council's fragments are renamed");
    assert_ne!(before["_search/index.json"], after["_search/index.json"]);
}

/// The demo with 11 meetings of 100 items more in Integrationsudvalget (1,101 documents: two
/// chunks of fragments), each item with words of its own, so the terms fill many shards.
fn demo_with_a_large_council() -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, root) = demo_site();
    for meeting in 0..11 {
        let mut text = format!(
            "---\ndate: 2024-{:02}-10\nstatus: referat\n---\n",
            meeting + 2
        );
        for item in 0..100 {
            let n = 100 * meeting + item;
            text += &format!(
                "\n## Punkt {n}\n\n### Beslutning\n\nUdvalget drøftede emne{n}a og sag{n}b samt \
                 forslag{n}c, plan{n}d, notat{n}e, bilag{n}f og høring{n}g. Godkendt.\n"
            );
        }
        write_file(
            &root,
            &format!("content/integrationsudvalget/2024-{:02}-10.md", meeting + 2),
            &text,
        );
    }
    (dir, root)
}

#[test]
fn a_rebuild_after_a_changed_word_renames_only_the_shards_and_the_chunk_it_touches() {
    let (_dir, root) = demo_with_a_large_council();
    let out = root.join("public");
    build_ok(&root, &out, &[]);
    let before = read_tree(&out);
    let councils = chunk_names(&before);
    let edited = 2;
    assert_eq!(
        index_json(&before)["councils"][edited]["slug"],
        "integrationsudvalget"
    );
    assert_eq!(councils[edited].as_array().unwrap().len(), 2);
    // An item of the first meeting, in the first chunk.
    let meeting = root.join("content/integrationsudvalget/2024-02-10.md");
    let text = fs::read_to_string(&meeting).unwrap();
    fs::write(&meeting, text.replacen("Godkendt.", "Vedtaget.", 1)).unwrap();
    build_ok(&root, &out, &[]);
    let after = read_tree(&out);
    check_names(&after);

    let shard_names = |files: &BTreeMap<String, Vec<u8>>| -> BTreeSet<String> {
        index_json(files)["shardNames"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap().to_owned())
            .collect()
    };
    let (old, new) = (shard_names(&before), shard_names(&after));
    assert!(old.len() >= 10, "{} shards", old.len());
    let renamed = old.difference(&new).count();
    assert!(
        (1..=3).contains(&renamed),
        "{renamed} of {} shards renamed",
        old.len()
    );

    let (old, new) = (councils, chunk_names(&after));
    for (k, (old, new)) in old.iter().zip(&new).enumerate() {
        if k == edited {
            assert_ne!(old[0], new[0], "the edited item's chunk is renamed");
            assert_eq!(old[1], new[1], "the council's other chunk keeps its name");
        } else {
            assert_eq!(old, new, "council {k}'s chunks keep their names");
        }
    }
}

#[test]
fn search_finds_prefixes_phrases_and_case_ids_and_ranks_titles_first() {
    let (_dir, root) = demo_site();
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
    let (_dir, root) = demo_site();
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
    let (_dir, root) = demo_site();
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

#[test]
fn search_waits_for_a_build_of_the_site_to_end_before_indexing() {
    let (_dir, root) = demo_site();
    let lock = hold_site_lock(&root);
    let waiting = referat_waiting(&[
        "search".as_ref(),
        "--root".as_ref(),
        root.as_os_str(),
        "integration".as_ref(),
    ]);
    drop(lock);
    let out = waiting.wait_with_output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("results for \"integration\""), "{text}");
}
