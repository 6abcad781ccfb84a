//! The cache of parsed meetings, `.referat-cache/meetings/`, so that a rebuild parses only the
//! meeting files that changed.
//!
//! Each entry is one [`Meeting`] in postcard, then its [`MeetingText`], in a file named by the
//! hex of its key: a hash of everything parsing the meeting reads (a hash of the file's bytes,
//! its paths, the council folder's paths, the settings of `site.toml` that parsing uses, and the
//! running program). An entry is never stale, only unused. What the key cannot cover is the
//! attachments' sizes: a found entry is taken only when each attachment is still a regular file
//! of the recorded size in a folder that is no symbolic link. Only meetings parsed without a
//! problem are kept, so a file with errors is parsed, and its errors reported, on every build.
//!
//! A meeting taken from the cache, or kept in it, points to its entry for its text
//! ([`KeptText`]): the text is decoded when a stage asks for it, and it is never all in memory.
//!
//! So that a rebuild need not open every meeting file and every entry, each council folder's
//! meetings also have a heads file beside the entries ([`CouncilHeads`]): for each meeting, its
//! file's [stamp](crate::filestamp) and the hash of its bytes, its entry's key and length, and
//! the meeting. A meeting file whose stamp is the recorded one is not read: the recorded hash
//! stands for its bytes in the key. A meeting whose key is the recorded one is taken from the
//! heads file, when its entry is still there with the recorded length (its checksum is checked
//! when its text is read). A build rewrites the heads file of a council only when one of its
//! meetings is not as recorded.
//!
//! The cache is a speed-up and nothing more: a folder that cannot be written means no cache, an
//! entry that cannot be read or whose checksum does not match is parsed again.

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::{Xxh3, xxh3_64};

use super::model::{Meeting, MeetingText, TextAt};
use crate::diagnostics::Diagnostic;

/// A checksum of an entry's key and postcard bytes starts each entry.
const CHECKSUM_LEN: usize = 16;

/// What the cache knows of a meeting file it holds the meeting of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kept {
    /// The file's [stamp](crate::filestamp) when it was looked at, if it had one.
    stamp: Option<u128>,
    /// The xxh3-128 hash of its bytes.
    content: u128,
    /// The key of its entry.
    key: u128,
    /// The entry's length in bytes.
    entry_len: u64,
    /// Where the text starts in the entry.
    at: u64,
}

/// One meeting of a heads file, as read.
#[derive(Deserialize)]
struct Head {
    kept: Kept,
    meeting: Meeting,
}

/// One meeting of a heads file, as written: the same fields as [`Head`].
#[derive(Serialize)]
struct HeadOut<'a> {
    kept: Kept,
    meeting: &'a Meeting,
}

/// A meeting file, for [`MeetingCache::meeting`].
pub struct SourceFile<'a> {
    /// Its path relative to the site root, as the meeting's `source`.
    pub shown: &'a Path,
    /// Its [stamp](crate::filestamp), looked at before its bytes were read.
    pub stamp: Option<u128>,
    /// The xxh3-128 hash of its bytes.
    pub content: u128,
}

/// The heads file of one council folder's meetings: what the last build kept, by meeting file
/// (relative to the site root), until this build takes it.
pub struct CouncilHeads {
    name: OsString,
    heads: Mutex<HashMap<PathBuf, Head>>,
    /// How many meetings the file held.
    count: usize,
    /// Whether a meeting was not taken as the file holds it.
    changed: AtomicBool,
}

impl CouncilHeads {
    /// The hash of the bytes of the meeting file `shown` (relative to the site root), if its
    /// stamp is `stamp` as when the last build read it: the file need not be read to know it.
    pub fn content(&self, shown: &Path, stamp: Option<u128>) -> Option<u128> {
        let heads = self
            .heads
            .lock()
            .expect("no thread panics holding the lock");
        let kept = heads.get(shown)?.kept;
        (stamp.is_some() && kept.stamp == stamp).then_some(kept.content)
    }
}

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

    /// The heads file of the meetings of the council folder shown as `shown` (its path from the
    /// site's root, the same whatever `--root` reaches the site by), as the last build kept it;
    /// empty when there is none or it is damaged.
    pub fn heads(&self, shown: &Path) -> CouncilHeads {
        let name = OsString::from(format!(
            "heads-{:016x}",
            xxh3_64(shown.as_os_str().as_encoded_bytes())
        ));
        let heads: Vec<Head> = crate::cachefile::read(&self.dir.join(&name)).unwrap_or_default();
        CouncilHeads {
            name,
            count: heads.len(),
            heads: Mutex::new(
                heads
                    .into_iter()
                    .map(|h| (h.meeting.source.clone(), h))
                    .collect(),
            ),
            changed: AtomicBool::new(false),
        }
    }

    /// Keep the heads of `meetings`, the meetings of `heads`' council with what the cache knows
    /// of each, unless the file holds them already.
    pub fn keep_heads(&self, heads: CouncilHeads, meetings: &[(Meeting, Option<Kept>)]) {
        let out: Vec<HeadOut> = meetings
            .iter()
            .filter_map(|(meeting, kept)| {
                Some(HeadOut {
                    kept: (*kept)?,
                    meeting,
                })
            })
            .collect();
        if heads.changed.into_inner() || out.len() != heads.count {
            crate::cachefile::write(&self.dir.join(&heads.name), &out);
        }
        self.used
            .lock()
            .expect("no thread panics holding the lock")
            .insert(heads.name);
    }

    /// The meeting kept under `key`, else the one `parse` gives, kept under `key` when parsing
    /// found no problem; `source` is the meeting file, and `heads` its council's heads file.
    /// Returns with it what the cache knows of it, if it holds it.
    pub fn meeting(
        &self,
        key: u128,
        source: &SourceFile,
        heads: &CouncilHeads,
        parse: impl FnOnce() -> Result<Meeting, Vec<Diagnostic>>,
    ) -> Result<(Meeting, Option<Kept>), Vec<Diagnostic>> {
        let name = OsString::from(format!("{key:032x}"));
        let path = self.dir.join(&name);
        let head = heads
            .heads
            .lock()
            .expect("no thread panics holding the lock")
            .remove(source.shown)
            .filter(|head| head.kept.key == key);
        // Taken as the heads file holds it, with the same stamp, the file need not be rewritten.
        let (found, same) = match head.and_then(|head| {
            let same = head.kept.stamp == source.stamp;
            Some((from_head(head, &path)?, same))
        }) {
            Some((found, same)) => (Some(found), same),
            None => (read(&path, key), false),
        };
        let (meeting, kept) = match found {
            Some(found) => found,
            None => {
                let mut meeting = parse()?;
                // Not kept is only slower next time, and the text stays in memory.
                let Ok((text, kept)) = self.write(&path, key, &meeting) else {
                    heads.changed.store(true, Ordering::Relaxed);
                    return Ok((meeting, None));
                };
                meeting.text = TextAt::Kept(text);
                (meeting, kept)
            }
        };
        if !same {
            heads.changed.store(true, Ordering::Relaxed);
        }
        self.used
            .lock()
            .expect("no thread panics holding the lock")
            .insert(name);
        let kept = Kept {
            stamp: source.stamp,
            content: source.content,
            ..kept
        };
        Ok((meeting, Some(kept)))
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
    /// so that a build stopped meanwhile leaves no half-written entry. Returns where its text is,
    /// and the entry's part of what the cache knows of the meeting.
    fn write(&self, path: &Path, key: u128, meeting: &Meeting) -> anyhow::Result<(KeptText, Kept)> {
        let mut bytes = postcard::to_stdvec(meeting)?;
        let at = CHECKSUM_LEN + bytes.len();
        bytes = postcard::to_extend(&*meeting.text()?, bytes)?;
        let mut file = tempfile::NamedTempFile::new_in(&self.dir)?;
        file.write_all(&checksum(key, &bytes).to_le_bytes())?;
        file.write_all(&bytes)?;
        file.persist(path)?;
        let text = KeptText {
            path: path.to_owned(),
            key,
            at,
        };
        Ok((text, entry_part(key, CHECKSUM_LEN + bytes.len(), at)))
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

/// The entry's part of what the cache knows of a meeting: the rest is its file's.
fn entry_part(key: u128, entry_len: usize, at: usize) -> Kept {
    Kept {
        stamp: None,
        content: 0,
        key,
        entry_len: entry_len as u64,
        at: at as u64,
    }
}

/// The meeting of `head`, whose entry is at `path`, if the entry is still there with the
/// recorded length and the meeting's attachments are as they were; the entry's checksum is
/// checked when the text is read.
fn from_head(head: Head, path: &Path) -> Option<(Meeting, Kept)> {
    if fs::metadata(path).ok()?.len() != head.kept.entry_len {
        return None;
    }
    let mut meeting = head.meeting;
    meeting.text = TextAt::Kept(KeptText {
        path: path.to_owned(),
        key: head.kept.key,
        at: usize::try_from(head.kept.at).ok()?,
    });
    attachments_unchanged(&meeting).then_some((meeting, head.kept))
}

/// The meeting kept at `path` under `key`, if it is whole and its attachments are as they were,
/// and the entry's part of what the cache knows of it.
fn read(path: &Path, key: u128) -> Option<(Meeting, Kept)> {
    let entry = read_entry(path, key)?;
    let (mut meeting, text): (Meeting, _) =
        postcard::take_from_bytes(&entry[CHECKSUM_LEN..]).ok()?;
    let at = entry.len() - text.len();
    meeting.text = TextAt::Kept(KeptText {
        path: path.to_owned(),
        key,
        at,
    });
    let kept = entry_part(key, entry.len(), at);
    attachments_unchanged(&meeting).then_some((meeting, kept))
}

/// Whether each attachment of `meeting` is still a regular file of the recorded size, in a
/// folder that is no symbolic link.
fn attachments_unchanged(meeting: &Meeting) -> bool {
    // The attachments of a meeting share its one folder: look at each folder once.
    let mut folders: Vec<&Path> = meeting
        .attachments
        .iter()
        .filter_map(|a| a.source.parent())
        .collect();
    folders.dedup();
    folders
        .iter()
        .all(|dir| fs::symlink_metadata(dir).is_ok_and(|m| !m.file_type().is_symlink()))
        && meeting.attachments.iter().all(|a| {
            fs::symlink_metadata(&a.source)
                .is_ok_and(|m| m.file_type().is_file() && m.len() == a.size)
        })
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

    /// The meeting file of [`meeting`], with the stamp `stamp`.
    fn source(stamp: Option<u128>) -> SourceFile<'static> {
        SourceFile {
            shown: Path::new("content/raad/2023-10-10.md"),
            stamp,
            content: 9,
        }
    }

    /// The meeting kept under `key`, taken without the council's heads file, and what the cache
    /// knows of it.
    fn take(
        cache: &MeetingCache,
        key: u128,
        parse: impl FnOnce() -> Result<Meeting, Vec<Diagnostic>>,
    ) -> (Meeting, Option<Kept>) {
        let heads = CouncilHeads {
            name: "none".into(),
            heads: Mutex::default(),
            count: 0,
            changed: AtomicBool::new(false),
        };
        cache.meeting(key, &source(None), &heads, parse).unwrap()
    }

    /// Whether `cache` had to parse the meeting kept under `key`.
    fn parsed(cache: &MeetingCache, key: u128, attachment: &Path) -> bool {
        let mut parsed = false;
        let size = fs::symlink_metadata(attachment).map_or(0, |m| m.len());
        take(cache, key, || {
            parsed = true;
            Ok(meeting(attachment, size))
        });
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
            let (taken, _) = take(&cache, key, || Ok(parsed.clone()));
            assert!(matches!(taken.text, TextAt::Kept(_)), "{parse}");
            assert_eq!(taken.text().unwrap(), expected, "round {round}");
        }
        let entry = dir.path().join("cache").join(format!("{key:032x}"));
        let (taken, _) = take(&cache, key, || unreachable!());
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

    #[test]
    fn a_council_s_heads_file_stands_for_its_meeting_files_and_entries() {
        let dir = tempfile::tempdir().unwrap();
        let cache_dir = dir.path().join("cache");
        let attachment = dir.path().join("a.pdf");
        fs::write(&attachment, "12345").unwrap();
        let council = dir.path().join("raad");
        let key = key([&b"the file"[..]]);
        let entry = cache_dir.join(format!("{key:032x}"));
        let shown = source(None).shown;
        // One build of the council: whether it parsed the meeting, the meeting, and what the
        // heads file said of the meeting file's bytes.
        let build = |stamp: Option<u128>, keep: bool| -> (bool, Meeting, Option<u128>) {
            let cache = MeetingCache::open(&cache_dir).unwrap();
            let heads = cache.heads(&council);
            let content = heads.content(shown, stamp);
            let mut parsed = false;
            let taken = cache
                .meeting(key, &source(stamp), &heads, || {
                    parsed = true;
                    Ok(meeting(&attachment, 5))
                })
                .unwrap();
            if keep {
                cache.keep_heads(heads, std::slice::from_ref(&taken));
            }
            (parsed, taken.0, content)
        };

        let (parsed, _, content) = build(Some(1), true);
        assert!(parsed && content.is_none(), "a new meeting");
        let (parsed, _, content) = build(Some(1), true);
        assert_eq!(
            content,
            Some(9),
            "the same stamp stands for the file's bytes"
        );
        assert!(!parsed);
        assert_eq!(build(Some(2), true).2, None, "another stamp");
        assert_eq!(build(None, true).2, None, "no stamp");

        // Taken from the heads file, the entry is not read: an entry damaged within its length
        // is found when its text is read.
        build(Some(1), true);
        let whole = fs::read(&entry).unwrap();
        let mut flipped = whole.clone();
        *flipped.last_mut().unwrap() ^= 1;
        fs::write(&entry, &flipped).unwrap();
        let (parsed, taken, _) = build(Some(1), true);
        assert!(!parsed, "taken from the heads file");
        let error = taken.text().unwrap_err().to_string();
        assert!(error.contains("changed during the build"), "{error}");

        fs::write(&entry, &whole[..whole.len() - 1]).unwrap();
        assert!(build(Some(1), true).0, "an entry of another length");
        fs::remove_file(&entry).unwrap();
        assert!(build(Some(1), true).0, "no entry");

        // A heads file that holds its meetings as they are is not written again.
        let heads_file = fs::read_dir(&cache_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("heads-")
            })
            .expect("a heads file");
        let cache = MeetingCache::open(&cache_dir).unwrap();
        let heads = cache.heads(&council);
        fs::remove_file(&heads_file).unwrap();
        let taken = cache
            .meeting(key, &source(Some(1)), &heads, || unreachable!())
            .unwrap();
        cache.keep_heads(heads, &[taken]);
        assert!(!heads_file.exists(), "written again");
        assert!(
            !build(Some(1), false).0,
            "without the heads file, the entry is read"
        );
    }
}
