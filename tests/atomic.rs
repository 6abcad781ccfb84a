//! Atomic publish: a build killed midway (SIGKILL, no chance to clean up) leaves the published
//! site exactly as it was, and the next build removes what the killed one left and succeeds.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;

/// Files in the staging folders beside `output`.
fn staged_files(output: &Path) -> usize {
    let parent = output.parent().unwrap();
    fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".public.staging-")
        })
        .map(|e| walk(&e.path()))
        .sum()
}

fn walk(dir: &Path) -> usize {
    fs::read_dir(dir).map_or(0, |entries| {
        entries
            .map(|e| e.unwrap().path())
            .map(|p| if p.is_dir() { walk(&p) } else { 1 })
            .sum()
    })
}

#[test]
fn a_build_killed_midway_leaves_the_last_good_site_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    generate_corpus(&root, 200);
    let output = root.join("public");
    build_ok(&root, &output, &[]);
    let published = read_tree(&output);

    // A change, so that the killed build would have written something else.
    let council = fs::read_dir(root.join("content"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.is_dir())
        .unwrap();
    fs::write(
        council.join("2026-12-31.md"),
        "---\ndate: 2026-12-31\nstatus: dagsorden\n---\n\n## Nyt punkt\n\nTekst.\n",
    )
    .unwrap();

    // --clean stages the whole site, as a first build does.
    let mut child = Command::new(env!("CARGO_BIN_EXE_referat"))
        .args(["build", "--quiet", "--clean", "--root"])
        .arg(&root)
        .spawn()
        .unwrap();
    let started = Instant::now();
    let mut seen = 0;
    while seen < 200 && started.elapsed() < Duration::from_secs(120) {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the build ended before it had staged 200 files: nothing was killed midway"
        );
        seen = staged_files(&output);
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(
        seen >= 200,
        "the build staged only {seen} files in two minutes"
    );
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    assert!(
        staged_files(&output) > 0,
        "the killed build left no staging folder: the kill came too late to test anything"
    );
    assert!(
        read_tree(&output) == published,
        "the published site changed under a killed build"
    );

    build_ok(&root, &output, &[]);
    assert_eq!(
        staged_files(&output),
        0,
        "the killed build's staging folder is still there"
    );
    let rebuilt = page(
        &output,
        &format!(
            "{}/2026-12-31/index.html",
            council.file_name().unwrap().to_string_lossy()
        ),
    );
    assert!(rebuilt.contains("Nyt punkt"), "{rebuilt}");
}

#[test]
fn a_second_build_of_the_same_output_is_refused_while_one_runs() {
    let (_dir, root) = site_copy(&examples());
    let output = root.join("public");
    build_ok(&root, &output, &[]);
    let lock = fs::File::open(root.join(".public.lock")).unwrap();
    lock.lock().unwrap();
    let out = build(&root, &output, &[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("another build is writing"), "{stderr}");
    drop(lock);
    build_ok(&root, &output, &[]);
}

#[test]
fn builds_of_one_site_into_two_outputs_take_turns_with_its_cache() {
    let (_dir, root) = site_copy(&examples());
    let lock = hold_site_lock(&root);
    let first = root.join("first");
    let waiting = referat_waiting(&[
        "build".as_ref(),
        "--root".as_ref(),
        root.as_os_str(),
        "--output".as_ref(),
        first.as_os_str(),
    ]);
    drop(lock);
    assert!(waiting.wait_with_output().unwrap().status.success());

    let builds: Vec<_> = ["second", "third", "fourth"]
        .iter()
        .map(|name| {
            let output = root.join(name);
            let root = root.clone();
            std::thread::spawn(move || build(&root, &output, &[]))
        })
        .collect();
    for build in builds {
        let out = build.join().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let first = read_tree(&root.join("first"));
    for name in ["second", "third", "fourth"] {
        assert!(read_tree(&root.join(name)) == first, "{name} differs");
    }
}
