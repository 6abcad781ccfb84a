//! What the guard found in each file of the content, kept in `.referat-cache/guard` from build to
//! build, so that a rebuild reads again only the files that changed.
//!
//! Closed text is kept only as [`Form`]s, hashes: the file holds no text of a closed item, but a
//! text guessed can be confirmed with it, so it is as private as content/ and is never
//! published. Like the other caches it is a speed-up and nothing more: a file that cannot be
//! read, or whose checksum does not match, means a guard made from every file again.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_128;

use super::needles::Form;

/// A checksum of the postcard bytes starts the file.
const CHECKSUM_LEN: usize = 16;

/// What the last build's guard found.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct State {
    /// The closed runs it looked for in the open text, by the hash of each as written, sorted.
    pub(super) sought: Vec<u128>,
    /// What each file of the content gave, by its path from the site root: the meeting files,
    /// the council files, then site.toml.
    pub(super) files: Vec<(PathBuf, Entry)>,
}

/// What one file of the content gave the guard.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Entry {
    /// A hash of everything it was found from: the file, what the content stage made of it, and
    /// the running program.
    pub(super) key: u128,
    /// The runs of the file's closed items, in the order of the file.
    pub(super) runs: Vec<Closed>,
    /// Those of [`State::sought`] that the file's open text contains, sorted.
    pub(super) published: Vec<u128>,
}

/// One run of a closed item's text.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Closed {
    /// Its line in the meeting file.
    pub(super) line: usize,
    /// The forms it takes in the files a build writes, each once: the first is the run as
    /// written, the one numbered `html` the run as HTML text has it.
    pub(super) forms: Vec<Form>,
    /// Which of `forms` HTML text has.
    pub(super) html: usize,
}

impl State {
    /// The state kept at `path`, if it is whole.
    pub(super) fn read(path: &Path) -> Option<State> {
        let bytes = fs::read(path).ok()?;
        let (sum, bytes) = bytes.split_at_checked(CHECKSUM_LEN)?;
        if sum != xxh3_128(bytes).to_le_bytes() {
            return None;
        }
        postcard::from_bytes(bytes).ok()
    }

    /// Keep this state at `path`: written beside it, then renamed. Not kept is only slower next
    /// time, so a failure is not an error.
    pub(super) fn write(&self, path: &Path) {
        let Some(dir) = path.parent() else { return };
        let Ok(bytes) = postcard::to_allocvec(self) else {
            return;
        };
        let _ = fs::create_dir_all(dir)
            .and_then(|()| tempfile::NamedTempFile::new_in(dir))
            .and_then(|mut file| {
                file.write_all(&xxh3_128(&bytes).to_le_bytes())?;
                file.write_all(&bytes)?;
                file.persist(path).map_err(|error| error.error)?;
                Ok(())
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_is_read_as_written_and_a_damaged_one_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache/guard");
        let run = Closed {
            line: 7,
            forms: vec![Form::of("Borgeren har klaget over sagsbehandlingen")],
            html: 0,
        };
        let state = State {
            sought: vec![run.forms[0].hash],
            files: vec![(
                PathBuf::from("content/raad/2024-01-01.md"),
                Entry {
                    key: 3,
                    runs: vec![run],
                    published: Vec::new(),
                },
            )],
        };
        state.write(&path);
        let read = State::read(&path).expect("the state written");
        assert_eq!(format!("{read:?}"), format!("{state:?}"));

        let mut bytes = fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        fs::write(&path, bytes).unwrap();
        assert!(State::read(&path).is_none(), "a damaged state is not read");
    }
}
