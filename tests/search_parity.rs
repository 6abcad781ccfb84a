//! `referat search` (Rust, from the tantivy index) and the browser module (JavaScript, from the
//! published bundle) give the same answers: the same items in the same order, the same totals,
//! facet counts and excerpts, on the demo and on a generated archive of 1,000 meetings.

mod common;

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use common::*;
use serde_json::{Value, json};

const BASE: &str = "http://example.test/raad/";

/// One query: its text, filters, sort and page, as the browser module takes them.
fn query(text: &str, filters: Value, sort: &str, limit: usize, offset: usize) -> Value {
    json!({"text": text, "filters": filters, "sort": sort, "limit": limit, "offset": offset})
}

fn cli_answer(root: &Path, q: &Value) -> Value {
    let mut args: Vec<String> = ["search", "--json", "--base-url", BASE, "--root"]
        .map(String::from)
        .into();
    args.push(root.to_str().unwrap().to_owned());
    args.push(q["text"].as_str().unwrap().to_owned());
    let filters = &q["filters"];
    for (key, flag) in [
        ("council", "--council"),
        ("year", "--year"),
        ("status", "--status"),
    ] {
        if !filters[key].is_null() {
            args.push(flag.to_owned());
            args.push(filters[key].to_string().trim_matches('"').to_owned());
        }
    }
    if q["sort"] == "date" {
        args.push("--by-date".to_owned());
    }
    args.extend([
        "--limit".to_owned(),
        q["limit"].to_string(),
        "--offset".to_owned(),
        q["offset"].to_string(),
    ]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = referat(&args);
    assert!(
        out.status.success(),
        "referat {args:?}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn browser_answers(site: &Path, queries: &[Value]) -> Vec<Value> {
    let mut child = Command::new("node")
        .arg(repo_root().join("tests/search_answers.mjs"))
        .arg(site)
        .arg(BASE)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("node is not installed ({e}): install Node.js 20 or newer, e.g. `apt-get install nodejs`")
        });
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(queries).unwrap().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "search_answers.mjs failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Build the site at `root` into `root/public`.
fn build_site(root: &Path) -> std::path::PathBuf {
    let site = root.join("public");
    build_ok(root, &site, &["--base-url", BASE]);
    site
}

/// Require the same answers to `queries` from the site at `root`, built into `site`.
fn assert_same_answers(root: &Path, site: &Path, queries: &[Value]) {
    let browser = browser_answers(site, queries);
    let mut matched = 0;
    for (q, from_browser) in queries.iter().zip(&browser) {
        let from_cli = cli_answer(root, q);
        for key in ["total", "facets", "results"] {
            assert_eq!(
                from_cli[key], from_browser[key],
                "`{key}` differs for {q}:\nreferat search: {}\nsearch.js: {}",
                from_cli[key], from_browser[key]
            );
        }
        matched += usize::from(from_cli["total"].as_u64().unwrap() > 0);
    }
    assert!(
        matched * 4 >= queries.len() * 3,
        "most queries find something ({matched} of {})",
        queries.len()
    );
}

#[test]
fn the_browser_and_the_cli_agree_on_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo_root().join("content"), &dir.path().join("content"));
    fs::copy(repo_root().join("site.toml"), dir.path().join("site.toml")).unwrap();
    let none = json!({});
    let queries = [
        query("beskæf", none.clone(), "relevance", 10, 0),
        query("integration", none.clone(), "relevance", 10, 0),
        query("integration", none.clone(), "relevance", 5, 5),
        query("integration", none.clone(), "date", 10, 0),
        query(
            "integration",
            json!({"council": "integrationsraadet"}),
            "relevance",
            10,
            0,
        ),
        query("integration", json!({"year": 2016}), "relevance", 10, 0),
        query(
            "integration",
            json!({"status": "referat"}),
            "relevance",
            10,
            0,
        ),
        query(
            "\"integration af flygtninge\" anbefalinger",
            none.clone(),
            "relevance",
            10,
            0,
        ),
        query("EMN-2016-02142", none.clone(), "relevance", 10, 0),
        query("Ålborg kommune", none.clone(), "relevance", 10, 0),
        query("handleplan beskæftigelse", none.clone(), "relevance", 10, 0),
        query("og", none, "relevance", 20, 0),
    ];
    let site = build_site(dir.path());
    assert_same_answers(dir.path(), &site, &queries);
}

#[test]
fn the_browser_and_the_cli_agree_on_a_generated_archive_of_1000_meetings() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    generate_corpus(root, 1000);
    // Queries made of the archive's own words: from fragments, read from the built bundle.
    let site = build_site(root);
    let entry: Value =
        serde_json::from_slice(&fs::read(site.join("_search/index.json")).unwrap()).unwrap();
    let councils = entry["councils"].as_array().unwrap();
    let chunk = entry["fragmentChunk"].as_u64().unwrap() as usize;
    let fragment = |council: usize, n: usize| -> Value {
        let name = councils[council]["fragments"][n / chunk].as_str().unwrap();
        let path = site.join(format!("_search/f/{name}/{}.json", n % chunk));
        serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
    };
    let words = |text: &str| -> Vec<String> {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() > 3)
            .map(str::to_owned)
            .collect()
    };
    let a = fragment(1, 1);
    let b = fragment(5, 7);
    let c = fragment(9, 3);
    let title_words = words(a["title"].as_str().unwrap());
    let longest = title_words.iter().max_by_key(|w| w.len()).unwrap();
    let b_words = words(b["text"].as_str().unwrap());
    let c_words: Vec<&str> = c["text"].as_str().unwrap().split_whitespace().collect();
    let phrase = c_words[2..5].join(" ");
    let case = (1..30)
        .find_map(|n| fragment(2, n)["case"].as_str().map(str::to_owned))
        .expect("a generated item with a Sags ID");
    let council = councils[3]["slug"].as_str().unwrap();
    let year = councils[3]["years"][0][0].as_i64().unwrap();
    let none = json!({});
    let queries = [
        query(longest, none.clone(), "relevance", 10, 0),
        query(
            &longest.chars().take(5).collect::<String>(),
            none.clone(),
            "relevance",
            10,
            0,
        ),
        query(
            &format!("{} {}", b_words[0], b_words[3]),
            none.clone(),
            "relevance",
            10,
            0,
        ),
        query(&format!("\"{phrase}\""), none.clone(), "relevance", 10, 0),
        query(
            &format!("{} \"{phrase}\"", c_words[0]),
            none.clone(),
            "relevance",
            10,
            0,
        ),
        query(&case, none.clone(), "relevance", 10, 0),
        query("kommune", none.clone(), "relevance", 10, 0),
        query("og", none.clone(), "relevance", 10, 40),
        query("at", none.clone(), "date", 10, 0),
        query("borger", json!({"council": council}), "relevance", 10, 0),
        query("borger", json!({"year": year}), "relevance", 10, 0),
        query("borger", json!({"status": "dagsorden"}), "relevance", 10, 0),
        query(
            &b_words[1],
            json!({"council": council, "year": year}),
            "date",
            10,
            0,
        ),
    ];
    assert_same_answers(root, &site, &queries);
}
