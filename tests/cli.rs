//! The command line's contract: help, exit codes, and the summary line.

mod common;

use common::*;

#[test]
fn help_is_the_manual() {
    let out = referat(&["--help"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("build"), "{text}");
    let out = referat(&["build", "--help"]);
    let text = String::from_utf8_lossy(&out.stdout);
    for option in ["--root", "--output", "--base-url", "--quiet"] {
        assert!(text.contains(option), "build --help lacks {option}");
    }
}

#[test]
fn usage_errors_exit_with_2() {
    assert_eq!(referat(&["build", "--no-such-flag"]).status.code(), Some(2));
    assert_eq!(referat(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn a_build_logs_a_line_per_stage_then_a_one_line_summary() {
    let out = tempfile::tempdir().unwrap();
    let (_site, root) = site_copy(&examples());
    let args = [
        "build",
        "--root",
        root.to_str().unwrap(),
        "--output",
        out.path().to_str().unwrap(),
    ];
    let result = referat(&args);
    assert!(result.status.success());
    let stderr = String::from_utf8_lossy(&result.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines[..lines.len() - 1],
        [
            "load",
            "guard",
            "prepare output",
            "render pages: 9",
            "copy files: 1",
            "feeds",
            "open data",
            "search index",
            "search bundle",
            "publish"
        ],
        "{stderr}"
    );
    assert!(
        lines[lines.len() - 1]
            .starts_with("Built 1 council, 1 meeting, 4 items: 9 pages and 11 files in "),
        "{stderr}"
    );

    let verbose = referat(&[&args[..], &["--verbose"]].concat());
    let stderr = String::from_utf8_lossy(&verbose.stderr);
    let timed: Vec<&str> = stderr.lines().filter(|l| l.contains(" s  ")).collect();
    assert_eq!(timed.len(), 10, "{stderr}");
    assert!(timed[1].ends_with(" s  guard"), "{stderr}");
    assert!(timed[3].ends_with(" s  render pages (9)"), "{stderr}");
    assert!(
        stderr.contains("; 0 files changed, 0 removed"),
        "the second build was not incremental: {stderr}"
    );

    let quiet = referat(&[&args[..], &["--quiet"]].concat());
    assert!(quiet.status.success());
    assert_eq!(String::from_utf8_lossy(&quiet.stderr), "");
}

#[test]
fn the_default_root_and_output_are_the_current_folder_and_public() {
    let (_dir, root) = site_copy(&examples());
    let result = referat_in(&root, &["build"]);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    assert!(root.join("public/index.html").is_file());
}
