//! A file of the site's cache that holds one value: its postcard bytes after their checksum.
//! Like every cache it is a speed-up and nothing more, so a file that cannot be read, or whose
//! checksum does not match, is read as none, and one that cannot be written is left unwritten.

use std::fs;
use std::io::Write;
use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;
use xxhash_rust::xxh3::xxh3_128;

/// The xxh3-128 of the postcard bytes starts the file.
const CHECKSUM_LEN: usize = 16;

/// The value kept at `path`, if the file is whole.
pub fn read<T: DeserializeOwned>(path: &Path) -> Option<T> {
    let bytes = fs::read(path).ok()?;
    let (sum, bytes) = bytes.split_at_checked(CHECKSUM_LEN)?;
    if sum != xxh3_128(bytes).to_le_bytes() {
        return None;
    }
    postcard::from_bytes(bytes).ok()
}

/// Keep `value` at `path`: written beside it, then renamed, so that a build killed meanwhile
/// leaves the file as it was.
pub fn write<T: Serialize>(path: &Path, value: &T) {
    let Some(dir) = path.parent() else { return };
    let Ok(bytes) = postcard::to_allocvec(value) else {
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

#[cfg(test)]
mod tests {
    use super::{read, write};

    #[test]
    fn a_value_is_read_as_written_and_a_damaged_file_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache/value");
        let value = (7u32, vec!["a".to_owned(), "b".to_owned()]);
        write(&path, &value);
        assert_eq!(read::<(u32, Vec<String>)>(&path), Some(value));

        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&path, bytes).unwrap();
        assert_eq!(read::<(u32, Vec<String>)>(&path), None, "damaged");
        assert_eq!(read::<(u32, Vec<String>)>(&dir.path().join("none")), None);
    }
}
