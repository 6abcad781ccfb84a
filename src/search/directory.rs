//! The folder of the search index as the bundle reads it: every file mapped into memory as
//! tantivy's [`MmapDirectory`] maps it, but the document stores, which hold every document's
//! fragment, read block by block.
//!
//! The bundle reads the fragment of every document once, in order. Mapped, each page read
//! stays in the build's resident memory until the index is closed: half a gigabyte at 100,000
//! meetings, for text that is used once. Read into a buffer, each block is freed once its
//! documents are taken, and the pages stay in the system's file cache only.

use std::fs::File;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::HasLen;
use tantivy::directory::error::{DeleteError, OpenDirectoryError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, OwnedBytes, WatchCallback,
    WatchHandle, WritePtr,
};

/// The extension of tantivy's document store files.
const STORE: &str = "store";

/// [`MmapDirectory`], but for the document stores, which are read by read calls.
#[derive(Debug, Clone)]
pub(super) struct StoreByRead {
    root: PathBuf,
    mapped: MmapDirectory,
}

impl StoreByRead {
    pub(super) fn open(root: &Path) -> Result<StoreByRead, OpenDirectoryError> {
        Ok(StoreByRead {
            root: root.to_owned(),
            mapped: MmapDirectory::open(root)?,
        })
    }
}

impl Directory for StoreByRead {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        if path.extension().is_none_or(|e| e != STORE) {
            return self.mapped.get_file_handle(path);
        }
        let full = self.root.join(path);
        let opened = File::open(&full).and_then(|file| {
            let len = usize::try_from(file.metadata()?.len()).map_err(io::Error::other)?;
            Ok(ReadFile { file, len })
        });
        match opened {
            Ok(file) => Ok(Arc::new(file)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                Err(OpenReadError::FileDoesNotExist(path.to_owned()))
            }
            Err(io_error) => Err(OpenReadError::IoError {
                io_error: Arc::new(io_error),
                filepath: full,
            }),
        }
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.mapped.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.mapped.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.mapped.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.mapped.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.mapped.atomic_write(path, data)
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.mapped.sync_directory()
    }

    fn acquire_lock(
        &self,
        lock: &Lock,
    ) -> Result<DirectoryLock, tantivy::directory::error::LockError> {
        self.mapped.acquire_lock(lock)
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.mapped.watch(watch_callback)
    }
}

/// A file read by positioned reads, each into a buffer of its own.
#[derive(Debug)]
struct ReadFile {
    file: File,
    len: usize,
}

impl HasLen for ReadFile {
    fn len(&self) -> usize {
        self.len
    }
}

impl FileHandle for ReadFile {
    fn read_bytes(&self, range: Range<usize>) -> io::Result<OwnedBytes> {
        let mut buffer = vec![0; range.len()];
        read_at(&self.file, &mut buffer, range.start as u64)?;
        Ok(OwnedBytes::new(buffer))
    }
}

#[cfg(unix)]
fn read_at(file: &File, buffer: &mut [u8], at: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buffer, at)
}

#[cfg(windows)]
fn read_at(file: &File, mut buffer: &mut [u8], mut at: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buffer.is_empty() {
        match file.seek_read(buffer, at)? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => {
                buffer = &mut buffer[n..];
                at += n as u64;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_file_is_read_and_other_files_are_mapped() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.store"), b"fragments").unwrap();
        std::fs::write(dir.path().join("a.idx"), b"postings").unwrap();
        let directory = StoreByRead::open(dir.path()).unwrap();
        let store = directory.open_read(Path::new("a.store")).unwrap();
        assert_eq!(store.len(), 9);
        assert_eq!(store.slice(2..6).read_bytes().unwrap().as_slice(), b"agme");
        assert_eq!(store.slice(3..3).read_bytes().unwrap().as_slice(), b"");
        let postings = directory.open_read(Path::new("a.idx")).unwrap();
        assert_eq!(postings.read_bytes().unwrap().as_slice(), b"postings");
        assert!(matches!(
            directory.open_read(Path::new("b.store")),
            Err(OpenReadError::FileDoesNotExist(_))
        ));
    }
}
