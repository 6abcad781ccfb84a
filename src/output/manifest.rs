//! The manifest of an output folder, in the site's cache: every file the last build published
//! there, sorted by path, with the hash of its bytes and the key of the input it was made from.
//!
//! Four lines of text start it: the format, the output folder, the program that wrote it and the
//! fingerprint of its guard. The records follow, each path written as how many bytes it shares
//! with the one before and the rest of it (a site's paths differ in their last few bytes), then
//! the two hashes; an xxh3-128 checksum of the records ends it. A rebuild reads it into one
//! buffer of paths with an index by path, and marks the files it keeps as they were rather than
//! recording each of them again.

use std::fs;
use std::hash::BuildHasher;
use std::io::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result, bail};
use foldhash::fast::FixedState;
use hashbrown::HashTable;
use xxhash_rust::xxh3::{Xxh3, xxh3_128};

use crate::content::build_id;

/// The first line of a manifest; another version of referat may key its input otherwise.
const HEADER: &str = concat!("referat-manifest 3 ", env!("CARGO_PKG_VERSION"));

/// The bytes of a record after its path: the hash of the file's bytes and the key.
const HASHES_LEN: usize = 32;

/// What one published file was: the hash of its bytes, and the key of the input it was made
/// from (0 when the stage that wrote it keeps none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Record {
    pub hash: u128,
    pub key: u128,
}

/// What the last build of an output folder published, and which of its files this build keeps.
pub(super) struct Manifest {
    /// Every path, one after another.
    paths: String,
    /// Where each path ends in `paths`, in the order of the paths.
    ends: Vec<u32>,
    records: Vec<Record>,
    /// Each path's number, by the path.
    index: HashTable<u32>,
    /// One bit per file: kept by this build as it was.
    kept: Vec<AtomicU64>,
    /// The [`crate::guard::Guard::fingerprint`] of the guard that scanned the files.
    pub guard: u128,
}

impl Manifest {
    /// How many files it lists.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// The path of file `i`.
    pub fn path(&self, i: usize) -> &str {
        nth_path(&self.paths, &self.ends, i)
    }

    /// The record of file `i`.
    pub fn record(&self, i: usize) -> Record {
        self.records[i]
    }

    /// The number of the file at `path`, if the last build published one there.
    pub fn find(&self, path: &str) -> Option<usize> {
        self.index
            .find(FixedState::default().hash_one(path), |&i| {
                self.path(i as usize) == path
            })
            .map(|&i| i as usize)
    }

    /// Keep file `i` as the last build published it.
    pub fn keep(&self, i: usize) {
        self.kept[i / 64].fetch_or(1 << (i % 64), Ordering::Relaxed);
    }

    /// Whether file `i` is kept as the last build published it.
    pub fn kept(&self, i: usize) -> bool {
        self.kept[i / 64].load(Ordering::Relaxed) & (1 << (i % 64)) != 0
    }
}

/// The manifest at `path` when it describes `output` as it is now (its `index.html` and
/// `404.html` have the recorded hashes) and was written by this program, else none.
pub(super) fn read(path: &Path, output: &Path) -> Option<Manifest> {
    let bytes = fs::read(path).ok()?;
    let mut rest = &bytes[..];
    let mut line = || {
        let end = rest.iter().position(|&b| b == b'\n')?;
        let line = std::str::from_utf8(&rest[..end]).ok();
        rest = &rest[end + 1..];
        line
    };
    if line()? != HEADER
        || line()? != output.to_string_lossy()
        || line()?.strip_prefix("program ")? != build_id()
    {
        return None;
    }
    let guard = u128::from_str_radix(line()?.strip_prefix("guard ")?, 16).ok()?;
    let (body, sum) = rest.split_at_checked(rest.len().checked_sub(16)?)?;
    if sum != xxh3_128(body).to_le_bytes() {
        return None;
    }
    let (mut paths, mut ends, mut records) = (String::new(), Vec::new(), Vec::new());
    let mut last = Vec::new();
    let mut body = body;
    while !body.is_empty() {
        let (lengths, after) = body.split_at_checked(4)?;
        let shared = usize::from(u16::from_le_bytes([lengths[0], lengths[1]]));
        let own = usize::from(u16::from_le_bytes([lengths[2], lengths[3]]));
        let (own_bytes, after) = after.split_at_checked(own)?;
        let (hashes, after) = after.split_at_checked(HASHES_LEN)?;
        if shared > last.len() {
            return None;
        }
        last.truncate(shared);
        last.extend_from_slice(own_bytes);
        paths.push_str(std::str::from_utf8(&last).ok()?);
        ends.push(u32::try_from(paths.len()).ok()?);
        records.push(Record {
            hash: u128::from_le_bytes(hashes[..16].try_into().ok()?),
            key: u128::from_le_bytes(hashes[16..].try_into().ok()?),
        });
        body = after;
    }
    let hasher = FixedState::default();
    let mut index = HashTable::with_capacity(ends.len());
    for i in 0..ends.len() {
        let hash = hasher.hash_one(nth_path(&paths, &ends, i));
        index.insert_unique(hash, i as u32, |&j| {
            hasher.hash_one(nth_path(&paths, &ends, j as usize))
        });
    }
    let manifest = Manifest {
        kept: (0..ends.len().div_ceil(64))
            .map(|_| AtomicU64::new(0))
            .collect(),
        paths,
        ends,
        records,
        index,
        guard,
    };
    let intact = ["index.html", "404.html"].iter().all(|file| {
        manifest.find(file).is_some_and(|i| {
            fs::read(output.join(file))
                .is_ok_and(|bytes| xxh3_128(&bytes) == manifest.records[i].hash)
        })
    });
    intact.then_some(manifest)
}

/// Path `i` of the paths one after another in `paths`, ending at `ends`.
fn nth_path<'a>(paths: &'a str, ends: &[u32], i: usize) -> &'a str {
    let start = if i == 0 { 0 } else { ends[i - 1] as usize };
    &paths[start..ends[i] as usize]
}

/// Write the manifest of `records`, sorted by path, to `path`.
pub(super) fn write<'a>(
    path: &Path,
    output: &Path,
    guard: u128,
    records: impl Iterator<Item = (&'a str, Record)>,
) -> Result<()> {
    let write = || -> Result<()> {
        let mut file = std::io::BufWriter::new(fs::File::create(path)?);
        write!(
            file,
            "{HEADER}\n{}\nprogram {}\nguard {guard:032x}\n",
            output.display(),
            build_id()
        )?;
        let mut sum = Xxh3::new();
        let mut last = "";
        for (path, record) in records {
            let shared = path
                .bytes()
                .zip(last.bytes())
                .take_while(|(a, b)| a == b)
                .count();
            let own = &path.as_bytes()[shared..];
            let (Ok(shared_len), Ok(own_len)) = (u16::try_from(shared), u16::try_from(own.len()))
            else {
                bail!("the path {path} is too long to be published");
            };
            let mut bytes = [0; 4 + HASHES_LEN];
            bytes[..2].copy_from_slice(&shared_len.to_le_bytes());
            bytes[2..4].copy_from_slice(&own_len.to_le_bytes());
            bytes[4..20].copy_from_slice(&record.hash.to_le_bytes());
            bytes[20..].copy_from_slice(&record.key.to_le_bytes());
            for part in [&bytes[..4], own, &bytes[4..]] {
                sum.update(part);
                file.write_all(part)?;
            }
            last = path;
        }
        file.write_all(&sum.digest128().to_le_bytes())?;
        file.flush()?;
        Ok(())
    };
    write().with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_reads_back_as_written_and_a_damaged_one_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path().join("public");
        fs::create_dir_all(&output).unwrap();
        let mut records = Vec::new();
        for (i, path) in [
            "404.html",
            "_search/f/0a/1",
            "_search/f/0a/10",
            "_search/f/0b/1",
            "index.html",
            "raad/2023-10-10/index.html",
            "raad/index.html",
        ]
        .into_iter()
        .enumerate()
        {
            fs::create_dir_all(output.join(path).parent().unwrap()).unwrap();
            fs::write(output.join(path), path).unwrap();
            let record = Record {
                hash: xxh3_128(path.as_bytes()),
                key: i as u128,
            };
            records.push((path, record));
        }
        let path = dir.path().join("manifest");
        write(&path, &output, 7, records.iter().copied()).unwrap();
        let manifest = read(&path, &output).expect("read back");
        assert_eq!(manifest.guard, 7);
        let read_back: Vec<(&str, Record)> = (0..manifest.len())
            .map(|i| (manifest.path(i), manifest.record(i)))
            .collect();
        assert_eq!(read_back, records);
        for (i, (path, _)) in records.iter().enumerate() {
            assert_eq!(manifest.find(path), Some(i));
        }
        assert_eq!(manifest.find("raad"), None);
        manifest.keep(5);
        assert!(manifest.kept(5) && !manifest.kept(4));

        let bytes = fs::read(&path).unwrap();
        for damaged in [&bytes[..bytes.len() - 1], &bytes[..bytes.len() - 20]] {
            fs::write(&path, damaged).unwrap();
            assert!(read(&path, &output).is_none(), "{} bytes", damaged.len());
        }
        let mut flipped = bytes.clone();
        flipped[bytes.len() - 30] ^= 1;
        fs::write(&path, flipped).unwrap();
        assert!(read(&path, &output).is_none(), "a flipped bit");
        fs::write(&path, &bytes).unwrap();
        fs::write(output.join("404.html"), "edited").unwrap();
        assert!(read(&path, &output).is_none(), "an edited 404.html");
    }
}
