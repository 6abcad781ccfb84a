//! Inputs the fuzz targets (fuzz/, docs/fuzzing.md) found to crash, hang or exhaust memory,
//! fed through the same entry points once they were fixed: each must give a clear error or
//! succeed, quickly, and never panic.
//!
//! `tests/fuzz-regressions/<target>/<name>` holds the inputs, byte for byte as the target reads
//! them; a new one is picked up without touching this file.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use referat::content::{Meeting, parse_meeting};
use referat::diagnostics::Diagnostic;

/// What one input may take, in a debug build, before it counts as hanging again.
const TIME_LIMIT: Duration = Duration::from_secs(5);

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz-regressions")
        .join(target);
    let mut found: Vec<(PathBuf, Vec<u8>)> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let bytes = fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect();
    found.sort();
    found
}

/// The fuzz target `meeting`: a name ended by a NUL byte in the first 65 bytes names the file,
/// else it is `2023-10-10.md`; attachments are looked up in the demo's council folder.
fn parse_like_the_meeting_target(data: &[u8]) -> Option<Result<Meeting, Vec<Diagnostic>>> {
    let (name, contents) = match data.iter().take(65).position(|&b| b == 0) {
        Some(nul) => (
            String::from_utf8_lossy(&data[..nul]).into_owned(),
            &data[nul + 1..],
        ),
        None => ("2023-10-10.md".to_owned(), data),
    };
    if name.contains('/') || name.is_empty() {
        return None;
    }
    let council = Path::new(env!("CARGO_MANIFEST_DIR")).join("content/integrationsraadet");
    Some(parse_meeting(&name, contents, &council, true))
}

#[test]
fn meeting_inputs_give_an_answer_in_time() {
    let inputs = inputs("meeting");
    assert!(!inputs.is_empty());
    for (path, data) in inputs {
        let started = Instant::now();
        let outcome = parse_like_the_meeting_target(&data);
        let took = started.elapsed();
        assert!(
            took < TIME_LIMIT,
            "{} took {took:?}: expected under {TIME_LIMIT:?}",
            path.display()
        );
        if let Some(Err(errors)) = outcome {
            assert!(
                !errors.is_empty(),
                "{}: an error without a message",
                path.display()
            );
            for error in &errors {
                assert!(
                    !error.message.trim().is_empty(),
                    "{}: an error without a message: {error}",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn deeply_nested_front_matter_is_refused_with_its_line() {
    let data = fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fuzz-regressions/meeting/front-matter-deep-flow-nesting"),
    )
    .unwrap();
    let Some(Err(errors)) = parse_like_the_meeting_target(&data) else {
        panic!("front matter nested 32 768 deep was accepted");
    };
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].line, Some(4), "{}", errors[0]);
    assert!(
        errors[0].message.contains("more than 32 `[` or `{` nested"),
        "{}",
        errors[0]
    );
}
