//! Fuzz target `meeting`: the bytes of a meeting file through the loader's own parsing
//! (`referat::content::parse_meeting`): the file name, UTF-8, front matter, agenda items and
//! their HTML, attachment links. Any outcome is fine but a panic, a hang or running out of
//! memory; and a closed item never keeps a section.
//!
//! The input is the file's contents, named `2023-10-10.md`; an input that starts with a name
//! ended by a NUL byte (`2023-10-10-ekstra.md\0---…`, at most 64 bytes) is named that instead,
//! so the file-name rules are fuzzed too. Attachments are looked up in the demo's council
//! folder `content/integrationsraadet/`, which has files under `2023-10-10/`.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

const COUNCIL_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../content/integrationsraadet");

fuzz_target!(|data: &[u8]| {
    let (name, contents) = match data.iter().take(65).position(|&b| b == 0) {
        Some(nul) => (
            String::from_utf8_lossy(&data[..nul]).into_owned(),
            &data[nul + 1..],
        ),
        None => ("2023-10-10.md".to_owned(), data),
    };
    if name.contains('/') || name.is_empty() {
        return;
    }
    if let Ok(meeting) =
        referat::content::parse_meeting(&name, contents, Path::new(COUNCIL_DIR), true)
    {
        for item in &meeting.items {
            assert!(
                !item.closed || item.sections.is_empty(),
                "closed item {} kept a section",
                item.number
            );
        }
    }
});
