//! The cache of parsed meetings, `.referat-cache/meetings/`, so that a rebuild parses only the
//! meeting files that changed.
//!
//! Each entry is one [`Meeting`] in postcard, then its [`MeetingText`], in a file named by the
//! hex of its key: a hash of
//! everything parsing the meeting reads (the file's bytes, its paths, the council folder's paths,
//! the settings of `site.toml` that parsing uses, and the running program). An entry is never stale, only unused. What the key cannot cover is the attachments'
//! sizes: a found entry is taken only when each attachment is still a regular file of the
//! recorded size in a folder that is no symbolic link. Only meetings parsed without a problem are
//! kept, so a file with errors is parsed, and its errors reported, on every build.
//!
//! A meeting taken from the cache, or kept in it, points to its entry for its text
//! ([`KeptText`]): the text is decoded when a stage asks for it, and it is never all in memory.
//!
//! The cache is a speed-up and nothing more: a folder that cannot be written means no cache, an
//! entry that cannot be read or whose checksum does not match is parsed again.

use std::collections::HashSet;
use std::ffi::OsString;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use xxhash_rust::xxh3::Xxh3;

use super::model::{Meeting, MeetingText, TextAt};
use crate::diagnostics::Diagnostic;

/// A checksum of an entry's key and postcard bytes starts each entry.
const CHECKSUM_LEN: usize = 16;

/// The cache of parsed meetings in one folder, and the entries this build used.
pub struct MeetingCache {
    dir: PathBuf,
    used: Mutex<HashSet<OsString>>,
}

impl MeetingCache {
    /// The cache in `dir`, created if need be; none when it cannot be created or written.
    pub fn open(dir: &Path) -> Option<MeetingCache> {
        fs::create_dir_all(dir)
            .and_then(|()| tempfile::tempfile_in(dir))
            .ok()?;
        Some(MeetingCache {
            dir: dir.to_owned(),
            used: Mutex::default(),
        })
    }

    /// The meeting kept under `key`, else the one `parse` gives, kept under `key` when parsing
    /// found no problem.
    pub fn meeting(
        &self,
        key: u128,
        parse: impl FnOnce() -> Result<Meeting, Vec<Diagnostic>>,
    ) -> Result<Meeting, Vec<Diagnostic>> {
        let name = OsString::from(format!("{key:032x}"));
        let path = self.dir.join(&name);
        let meeting = match read(&path, key) {
            Some(meeting) => meeting,
            None => {
                let mut meeting = parse()?;
                // Not kept is only slower next time, and the text stays in memory.
                if let Ok(kept) = self.write(&path, key, &meeting) {
                    meeting.text = TextAt::Kept(kept);
                }
                meeting
            }
        };
        self.used
            .lock()
            .expect("no thread panics holding the lock")
            .insert(name);
        Ok(meeting)
    }

    /// Remove every entry this build did not use: those of changed, removed or renamed meeting
    /// files, and temporary files a build left when it was stopped.
    pub fn remove_unused(self) {
        let used = self
            .used
            .into_inner()
            .expect("no thread panics holding the lock");
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            if !used.contains(&entry.file_name()) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }

    /// Keep `meeting` under `key` at `path`: written to a temporary file beside it, then renamed,
    /// so that a build stopped meanwhile leaves no half-written entry. Returns where its text is.
    fn write(&self, path: &Path, key: u128, meeting: &Meeting) -> anyhow::Result<KeptText> {
        let mut bytes = postcard::to_stdvec(meeting)?;
        let at = CHECKSUM_LEN + bytes.len();
        bytes = postcard::to_extend(&*meeting.text()?, bytes)?;
        let mut file = tempfile::NamedTempFile::new_in(&self.dir)?;
        file.write_all(&checksum(key, &bytes).to_le_bytes())?;
        file.write_all(&bytes)?;
        file.persist(path)?;
        Ok(KeptText {
            path: path.to_owned(),
            key,
            at,
        })
    }
}

/// Where in the cache a meeting's text is: the entry, its key, and where in it the text starts.
#[derive(Debug, Clone)]
pub struct KeptText {
    pub(super) path: PathBuf,
    key: u128,
    at: usize,
}

/// The text kept at `kept`, if its entry is still whole.
pub(super) fn read_text(kept: &KeptText) -> Option<std::sync::Arc<MeetingText>> {
    let entry = read_entry(&kept.path, kept.key)?;
    postcard::from_bytes(entry.get(kept.at..)?)
        .ok()
        .map(std::sync::Arc::new)
}

/// The entry at `path` under `key`, if its checksum matches.
fn read_entry(path: &Path, key: u128) -> Option<Vec<u8>> {
    let entry = fs::read(path).ok()?;
    let (sum, bytes) = entry.split_at_checked(CHECKSUM_LEN)?;
    (sum == checksum(key, bytes).to_le_bytes()).then_some(entry)
}

/// The meeting kept at `path` under `key`, if it is whole and its attachments are as they were.
fn read(path: &Path, key: u128) -> Option<Meeting> {
    let entry = read_entry(path, key)?;
    let (mut meeting, text): (Meeting, _) =
        postcard::take_from_bytes(&entry[CHECKSUM_LEN..]).ok()?;
    meeting.text = TextAt::Kept(KeptText {
        path: path.to_owned(),
        key,
        at: entry.len() - text.len(),
    });
    // The attachments of a meeting share its one folder: look at each folder once.
    let mut folders: Vec<&Path> = meeting
        .attachments
        .iter()
        .filter_map(|a| a.source.parent())
        .collect();
    folders.dedup();
    let unchanged = folders
        .iter()
        .all(|dir| fs::symlink_metadata(dir).is_ok_and(|m| !m.file_type().is_symlink()))
        && meeting.attachments.iter().all(|a| {
            fs::symlink_metadata(&a.source)
                .is_ok_and(|m| m.file_type().is_file() && m.len() == a.size)
        });
    unchanged.then_some(meeting)
}

/// The running program's path, size and time of change: a program built anew, from changed
/// sources within one version of referat, may parse the same file otherwise or hold the meeting
/// in another shape, so it does not take the entries of another; nor may it trust the output
/// manifest of another (it may render the same page otherwise).
pub(crate) fn build_id() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| {
        let exe = std::env::current_exe().unwrap_or_default();
        let (len, modified) =
            fs::metadata(&exe).map_or((0, None), |m| (m.len(), m.modified().ok()));
        format!("{} {len} {modified:?}", exe.display())
    })
}

fn checksum(key: u128, bytes: &[u8]) -> u128 {
    let mut hasher = Xxh3::new();
    hasher.update(&key.to_le_bytes());
    hasher.update(bytes);
    hasher.digest128()
}

/// The key of a meeting parsed from `parts`: everything its parsing reads, each part hashed with
/// its length so that no two lists of parts give one key, with this version of referat and the
/// running program's [`build_id`].
pub fn key<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> u128 {
    let mut hasher = Xxh3::new();
    let mut add = |part: &[u8]| {
        hasher.update(&(part.len() as u64).to_le_bytes());
        hasher.update(part);
    };
    add(env!("CARGO_PKG_VERSION").as_bytes());
    add(build_id().as_bytes());
    parts.into_iter().for_each(add);
    hasher.digest128()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::model::{Attachment, Status};

    fn meeting(attachment: &Path, size: u64) -> Meeting {
        Meeting {
            slug: "2023-10-10".into(),
            source: "content/raad/2023-10-10.md".into(),
            fingerprint: 7,
            date: chrono::NaiveDate::from_ymd_opt(2023, 10, 10).unwrap(),
            start: None,
            end: None,
            place: None,
            status: Status::Referat,
            participants: Vec::new(),
            absent: Vec::new(),
            items: Vec::new(),
            attachments: vec![Attachment {
                file_name: "a.pdf".into(),
                source: attachment.to_owned(),
                size,
                line: 3,
            }],
            links: Vec::new(),
            text: TextAt::Here(std::sync::Arc::new(MeetingText {
                intro_html: "<p>Intro</p>".into(),
                sections: Vec::new(),
            })),
        }
    }

    /// Whether `cache` had to parse the meeting kept under `key`.
    fn parsed(cache: &MeetingCache, key: u128, attachment: &Path) -> bool {
        let mut parsed = false;
        let size = fs::symlink_metadata(attachment).map_or(0, |m| m.len());
        cache
            .meeting(key, || {
                parsed = true;
                Ok(meeting(attachment, size))
            })
            .unwrap();
        parsed
    }

    #[test]
    fn an_entry_is_taken_only_while_its_attachments_are_as_they_were() {
        let dir = tempfile::tempdir().unwrap();
        let cache = MeetingCache::open(&dir.path().join("cache")).unwrap();
        let folder = dir.path().join("2023-10-10");
        fs::create_dir(&folder).unwrap();
        let attachment = folder.join("a.pdf");
        fs::write(&attachment, "12345").unwrap();
        let key = key([&b"the file"[..]]);
        assert!(parsed(&cache, key, &attachment), "a new entry");
        assert!(!parsed(&cache, key, &attachment), "taken from the cache");

        fs::write(&attachment, "123456").unwrap();
        assert!(parsed(&cache, key, &attachment), "another size");
        assert!(!parsed(&cache, key, &attachment));

        let elsewhere = dir.path().join("b.pdf");
        fs::write(&elsewhere, "123456").unwrap();
        fs::remove_file(&attachment).unwrap();
        std::os::unix::fs::symlink(&elsewhere, &attachment).unwrap();
        assert!(parsed(&cache, key, &attachment), "a symbolic link");

        fs::remove_file(&attachment).unwrap();
        fs::write(&attachment, "123456").unwrap();
        assert!(parsed(&cache, key, &attachment));
        assert!(!parsed(&cache, key, &attachment));
        let real = dir.path().join("real");
        fs::rename(&folder, &real).unwrap();
        std::os::unix::fs::symlink(&real, &folder).unwrap();
        assert!(parsed(&cache, key, &attachment), "a folder that is a link");
    }

    #[test]
    fn a_kept_meeting_reads_its_text_from_its_entry() {
        let dir = tempfile::tempdir().unwrap();
        let cache = MeetingCache::open(&dir.path().join("cache")).unwrap();
        let attachment = dir.path().join("a.pdf");
        fs::write(&attachment, "12345").unwrap();
        let key = key([&b"the file"[..]]);
        let parsed = meeting(&attachment, 5);
        let expected = parsed.text().unwrap();
        for (round, parse) in ["parsed and kept", "taken from the cache"]
            .iter()
            .enumerate()
        {
            let taken = cache.meeting(key, || Ok(parsed.clone())).unwrap();
            assert!(matches!(taken.text, TextAt::Kept(_)), "{parse}");
            assert_eq!(taken.text().unwrap(), expected, "round {round}");
        }
        let entry = dir.path().join("cache").join(format!("{key:032x}"));
        let taken = cache.meeting(key, || unreachable!()).unwrap();
        let mut bytes = fs::read(&entry).unwrap();
        *bytes.last_mut().unwrap() ^= 1;
        fs::write(&entry, bytes).unwrap();
        let error = taken.text().unwrap_err().to_string();
        assert!(error.contains("changed during the build"), "{error}");
    }

    #[test]
    fn a_damaged_entry_is_parsed_again_and_unused_entries_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let cache_dir = dir.path().join("cache");
        let attachment = dir.path().join("a.pdf");
        fs::write(&attachment, "12345").unwrap();
        let (kept, dropped) = (key([&b"kept"[..]]), key([&b"dropped"[..]]));
        let cache = MeetingCache::open(&cache_dir).unwrap();
        assert!(parsed(&cache, kept, &attachment));
        assert!(parsed(&cache, dropped, &attachment));
        let entry = cache_dir.join(format!("{kept:032x}"));
        let whole = fs::read(&entry).unwrap();
        for damaged in [&whole[..whole.len() - 1], &whole[..10], b""] {
            fs::write(&entry, damaged).unwrap();
            assert!(parsed(&cache, kept, &attachment), "{} bytes", damaged.len());
        }
        let mut flipped = whole.clone();
        *flipped.last_mut().unwrap() ^= 1;
        fs::write(&entry, flipped).unwrap();
        assert!(parsed(&cache, kept, &attachment), "a flipped bit");

        let cache = MeetingCache::open(&cache_dir).unwrap();
        assert!(!parsed(&cache, kept, &attachment));
        cache.remove_unused();
        let left: Vec<_> = fs::read_dir(&cache_dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, [OsString::from(format!("{kept:032x}"))]);
    }
}
