//! One process at a time writes a site's cache (`.referat-cache/` at its root): the parsed
//! meetings, the guard's texts and the search index are shared by every build of the site, into
//! any output folder, and by `referat search`. A second build of the same site, say into another
//! output folder or beside `referat serve`, waits for the first to end rather than write the
//! same files at once. The lock is a file in the cache that the system releases when its holder
//! ends, however it ends.
//!
//! The cache is a speed-up and nothing more, so a site whose cache folder cannot be written, or
//! whose file system cannot lock files, is built without the lock.

use std::fs;
use std::path::Path;

use crate::search::CACHE_DIR;

/// The lock file, in the cache folder.
const LOCK_FILE: &str = "lock";

/// Held while a process writes the site's cache; dropping it lets the next one in.
pub struct SiteLock {
    _file: Option<fs::File>,
}

/// Take the lock of the cache of the site at `root`. When another process holds it, hand `say`
/// the line that tells so, then wait until it is released.
pub fn take(root: &Path, say: impl FnOnce(&str)) -> SiteLock {
    let dir = root.join(CACHE_DIR);
    let file = fs::create_dir_all(&dir).and_then(|()| {
        fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(LOCK_FILE))
    });
    let Ok(file) = file else {
        return SiteLock { _file: None };
    };
    let locked = match file.try_lock() {
        Ok(()) => true,
        Err(fs::TryLockError::WouldBlock) => {
            say(&format!(
                "Waiting for another build of {} to end …",
                root.display()
            ));
            file.lock().is_ok()
        }
        Err(fs::TryLockError::Error(_)) => false,
    };
    SiteLock {
        _file: locked.then_some(file),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::thread;
    use std::time::Duration;

    use super::take;

    #[test]
    fn a_second_taker_waits_until_the_first_lets_go() {
        let site = tempfile::tempdir().unwrap();
        let first = take(site.path(), |_| panic!("the first taker does not wait"));
        let (said, heard) = mpsc::channel();
        let (done, finished) = mpsc::channel();
        let root = site.path().to_owned();
        let second = thread::spawn(move || {
            let lock = take(&root, |line| said.send(line.to_owned()).unwrap());
            done.send(()).unwrap();
            lock
        });
        assert!(
            heard
                .recv()
                .unwrap()
                .starts_with("Waiting for another build of")
        );
        assert!(
            finished.recv_timeout(Duration::from_millis(200)).is_err(),
            "the second taker went in while the first held the lock"
        );
        drop(first);
        finished.recv().unwrap();
        assert!(second.join().unwrap()._file.is_some());
    }

    #[test]
    fn a_site_whose_cache_cannot_be_made_is_not_locked() {
        let site = tempfile::tempdir().unwrap();
        std::fs::write(site.path().join(crate::search::CACHE_DIR), "a file").unwrap();
        let lock = take(site.path(), |_| panic!("nothing to wait for"));
        assert!(lock._file.is_none());
    }
}
