//! The browser's analysis (themes/standard/search/search.js) gives exactly the terms the
//! build's tantivy analyzer gives, and both stem like the Snowball reference.

mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::*;
use referat::search::analyze;
use tantivy::tokenizer::{SimpleTokenizer, TokenStream, Tokenizer};

fn search_dir() -> PathBuf {
    repo_root().join("themes/standard/search")
}

fn node() -> Command {
    let found = Command::new("node").arg("--version").output();
    assert!(
        found.is_ok_and(|o| o.status.success()),
        "node is not installed: the browser search module is tested with Node.js 20 or newer \
         (Debian: apt-get install nodejs; or https://nodejs.org/)"
    );
    Command::new("node")
}

/// Every line of `lines` through search.js's `analyze`, one JSON array per line.
fn analyze_in_node(lines: &[String]) -> Vec<Vec<String>> {
    let module = search_dir().join("search.js");
    let script = format!(
        "import {{ analyze }} from {:?};\n\
         import {{ readFileSync }} from 'node:fs';\n\
         const lines = JSON.parse(readFileSync(0, 'utf8'));\n\
         process.stdout.write(JSON.stringify(lines.map(analyze)));",
        format!("file://{}", module.display())
    );
    let mut child = node()
        .args(["--input-type=module", "-e", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let input = serde_json::to_vec(lines).unwrap();
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "node failed");
    serde_json::from_slice(&out.stdout).unwrap()
}

fn markdown_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            markdown_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
}

#[test]
fn the_browser_module_passes_its_own_tests() {
    let out = node()
        .args(["--test", search_dir().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "node --test themes/standard/search/ failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every distinct token of the Markdown under `dirs` (and, when `with_lines`, every distinct
/// line) through tantivy and through search.js: the terms must be identical.
fn assert_same_terms(dirs: &[PathBuf], with_lines: bool, min_tokens: usize) {
    let mut files = Vec::new();
    for dir in dirs {
        markdown_files(dir, &mut files);
    }
    files.sort();
    let mut lines = BTreeSet::new();
    let mut tokens = BTreeSet::new();
    let mut tokenizer = SimpleTokenizer::default();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for line in text.lines() {
            if with_lines {
                lines.insert(line.to_owned());
            }
            let mut stream = tokenizer.token_stream(line);
            while stream.advance() {
                tokens.insert(stream.token().text.clone());
            }
        }
    }
    assert!(
        tokens.len() >= min_tokens,
        "only {} distinct tokens",
        tokens.len()
    );
    let inputs: Vec<String> = tokens.into_iter().chain(lines).collect();
    let browser = analyze_in_node(&inputs);
    assert_eq!(browser.len(), inputs.len());
    let mut differ = Vec::new();
    for (input, terms) in inputs.iter().zip(&browser) {
        let expected = analyze(input);
        if &expected != terms {
            differ.push(format!(
                "{input:?}: tantivy {expected:?}, browser {terms:?}"
            ));
        }
    }
    assert!(
        differ.is_empty(),
        "{} inputs differ:\n{}",
        differ.len(),
        differ.join("\n")
    );
}

#[test]
fn browser_and_tantivy_agree_on_every_token_and_line_of_the_demo_and_examples() {
    assert_same_terms(
        &[repo_root().join("content"), examples().join("content")],
        true,
        1000,
    );
}

#[test]
fn browser_and_tantivy_agree_on_every_token_of_a_generated_archive_of_1000_meetings() {
    let dir = tempfile::tempdir().unwrap();
    generate_corpus(dir.path(), 1000);
    assert_same_terms(&[dir.path().join("content")], false, 5000);
}

#[test]
fn the_analyzers_stemmer_stems_the_snowball_reference_vocabulary() {
    let dir = repo_root().join("../shared/snowball-danish");
    let words = std::fs::read_to_string(dir.join("voc.txt")).expect("shared/snowball-danish");
    let stems = std::fs::read_to_string(dir.join("output.txt")).unwrap();
    let stemmer = frostem::Stemmer::new(frostem::Algorithm::Danish);
    let mut differ = Vec::new();
    let mut count = 0;
    for (word, stem) in words.lines().zip(stems.lines()) {
        let stemmed = stemmer.stem(&word.to_lowercase()).into_owned();
        if stemmed != stem {
            differ.push(format!("{word}: {stemmed} (Snowball: {stem})"));
        }
        count += 1;
    }
    assert_eq!(count, 23_832);
    assert!(
        differ.is_empty(),
        "the stemmer differs from Snowball on:\n{}",
        differ.join("\n")
    );
}

#[test]
fn tantivy_still_gives_the_terms_the_browser_fixture_records() {
    let fixture: Vec<serde_json::Value> = serde_json::from_str(
        &std::fs::read_to_string(search_dir().join("analyzer-fixture.json")).unwrap(),
    )
    .unwrap();
    assert!(fixture.len() > 40);
    for case in fixture {
        let input = case["input"].as_str().unwrap();
        let terms: Vec<String> = serde_json::from_value(case["terms"].clone()).unwrap();
        assert_eq!(
            analyze(input),
            terms,
            "input {input:?}: has the stemmer crate changed?"
        );
    }
}
