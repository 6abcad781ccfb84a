//! What the guard found in each file of the content, kept in `.referat-cache/guard` from build to
//! build, so that a rebuild reads again only the files that changed.
//!
//! Closed text is kept only as [`Form`]s, hashes: the file holds no text of a closed item, but a
//! text guessed can be confirmed with it, so it is as private as content/ and is never
//! published. Like the other caches it is a speed-up and nothing more: a file that cannot be
//! read, or whose checksum does not match, means a guard made from every file again.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::needles::Form;
use crate::cachefile;

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
        cachefile::read(path)
    }

    /// Keep this state at `path`. Not kept is only slower next time, so a failure is not an
    /// error.
    pub(super) fn write(&self, path: &Path) {
        cachefile::write(path, self);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_is_read_as_written() {
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
    }
}
