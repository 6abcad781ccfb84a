//! A file's stamp: what the system says of it (device, inode, size, times of modification and of
//! change), hashed into a key for the caches, so that a rebuild knows an input file is unchanged
//! without reading it. The device and inode name the file whatever path reaches it, so a site
//! built with `--root /srv/site` and then from inside that folder keeps its stamps.
//!
//! Any write to a file, and any change of its times, sets its change time (ctime) to the
//! system's clock, and no program can set it otherwise. So a file whose change time is older
//! than the moment it was looked at by more than the clock's tick has changed since only if its
//! stamp has. A file changed within [`SETTLE`] of being looked at has no stamp: a second write in
//! the same tick could leave every field as it was, so such a file is read again next time.

use std::fs::Metadata;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::{Duration, SystemTime};

use xxhash_rust::xxh3::Xxh3;

/// How long ago a file must have last changed to be known by its stamp: longer than the tick of
/// any file system's clock (two seconds on FAT).
const SETTLE: Duration = Duration::from_secs(3);

/// The stamp of the file at `path` (following symbolic links), or none when it cannot be looked
/// at or changed too recently to be known by it.
pub fn of(path: &Path) -> Option<u128> {
    let now = SystemTime::now();
    let meta = std::fs::metadata(path).ok()?;
    stamp(&meta, now)
}

/// The stamp of a file with metadata `meta`, looked at no earlier than `now`.
fn stamp(meta: &Metadata, now: SystemTime) -> Option<u128> {
    let changed = SystemTime::UNIX_EPOCH.checked_add(Duration::new(
        u64::try_from(meta.ctime()).ok()?,
        u32::try_from(meta.ctime_nsec()).ok()?,
    ))?;
    if changed + SETTLE > now {
        return None;
    }
    let mut hasher = Xxh3::new();
    for field in [
        meta.dev(),
        meta.ino(),
        meta.size(),
        meta.mtime() as u64,
        meta.mtime_nsec() as u64,
        meta.ctime() as u64,
        meta.ctime_nsec() as u64,
    ] {
        hasher.update(&field.to_le_bytes());
    }
    Some(hasher.digest128())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_has_a_stamp_once_it_has_settled_and_a_change_changes_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.pdf");
        std::fs::write(&path, "12345").unwrap();
        assert_eq!(of(&path), None, "just written");
        let meta = std::fs::metadata(&path).unwrap();
        let later = SystemTime::now() + SETTLE;
        let first = stamp(&meta, later).expect("settled");
        assert_eq!(stamp(&meta, later), Some(first));
        let link = dir.path().join("b.pdf");
        std::fs::hard_link(&path, &link).unwrap();
        let copy = dir.path().join("c.pdf");
        std::fs::copy(&path, &copy).unwrap();
        let stamp_of = |p: &Path| stamp(&std::fs::metadata(p).unwrap(), later + SETTLE);
        assert_eq!(
            stamp_of(&link),
            stamp_of(&path),
            "another path to the same file"
        );
        assert_ne!(
            stamp_of(&copy),
            stamp_of(&path),
            "another file, the same bytes"
        );

        let file = std::fs::File::options().write(true).open(&path).unwrap();
        file.set_modified(SystemTime::UNIX_EPOCH).unwrap();
        let meta = std::fs::metadata(&path).unwrap();
        let touched = stamp(&meta, SystemTime::now() + SETTLE).expect("settled");
        assert_ne!(
            touched, first,
            "the same bytes, another time of modification"
        );
        file.set_len(6).unwrap();
        let meta = std::fs::metadata(&path).unwrap();
        let longer = stamp(&meta, SystemTime::now() + SETTLE).expect("settled");
        assert_ne!(longer, touched, "another size");
        assert_eq!(of(&dir.path().join("missing")), None);
    }
}
