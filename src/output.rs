//! Writing the site: every file goes through one [`Sink`] into a staging folder beside the output
//! folder, and [`Staging::publish`] puts it in place.
//!
//! A first build, or one with `--clean`, stages the whole site and swaps it for the output
//! folder in one step, so a web server never sees a half-written site and a failed build leaves
//! the published one exactly as it was. Every build then records a manifest of what it
//! published (each file's hash, and the key of the input it was made from) in the site's cache.
//! The next build compares against it: it stages only the files whose bytes changed, lets the
//! stages skip work whose input key is unchanged ([`Sink::unchanged`]), and publishes by moving
//! the changed files in and removing the vanished ones. Those moves are listed in a journal
//! first, so a build killed among them is completed by the next one before it starts.
//!
//! A lock file beside the output folder (`.<name>.lock`) lets one build at a time write it; the
//! system releases the lock when a build ends, however it ends, so the next build can remove
//! the staging folder of one that was killed.

use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, Result, bail};
use foldhash::{HashMap, HashSet, HashSetExt};
use rayon::prelude::*;
use xxhash_rust::xxh3::{xxh3_64, xxh3_128};

use crate::content::build_id;
use crate::guard::{Guard, Leak, Refused};
use crate::search::CACHE_DIR;

/// What one published file was: the hash of its bytes, and the key of the input it was made
/// from (0 when the stage that wrote it keeps none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Record {
    hash: u128,
    key: u128,
}

/// The first line of a manifest; another version of referat may key its input otherwise.
const MANIFEST_HEADER: &str = concat!("referat-manifest 2 ", env!("CARGO_PKG_VERSION"));

/// Where a build writes its files.
pub struct Sink {
    root: PathBuf,
    previous: Option<HashMap<String, Record>>,
    /// Whether the last build's guard looked for what this one looks for: a file it published
    /// with the same bytes passed the same scan, and is not scanned again.
    scanned: bool,
    records: Mutex<Vec<(String, Record)>>,
    guard: Guard,
    leaks: Mutex<Vec<Leak>>,
    /// The folders of the staging folder made so far, so that each is made once rather than
    /// asked for again with every file (two system calls each).
    folders: Mutex<HashSet<String>>,
}

impl Sink {
    /// Write `bytes` to `path`, a `/`-separated path relative to the site's root.
    pub fn write(&self, path: &str, bytes: &[u8]) -> Result<()> {
        self.write_keyed(path, 0, bytes)
    }

    /// Write `bytes`, made from the input whose key is `key`, to `path`: the next build may skip
    /// making it again while the key stays the same ([`Sink::unchanged`]).
    pub fn write_keyed(&self, path: &str, key: u128, bytes: &[u8]) -> Result<()> {
        let record = Record {
            hash: xxh3_128(bytes),
            key,
        };
        let published = self
            .previous
            .as_ref()
            .and_then(|p| p.get(path))
            .is_some_and(|p| p.hash == record.hash);
        if !(published && self.scanned) {
            let leaks = self.guard.scan(path, bytes);
            if !leaks.is_empty() {
                self.leaks.lock().expect("no write panicked").extend(leaks);
            }
        }
        if !published {
            let target = self.target(path)?;
            fs::write(&target, bytes)
                .with_context(|| format!("cannot write {}", target.display()))?;
        }
        self.record(path, record);
        Ok(())
    }

    /// Copy the file `from` to `path`, a `/`-separated path relative to the site's root. A file
    /// whose [stamp](crate::filestamp) is the one it had when the published copy was made is not
    /// read again, unless the guard looks for other texts than when it was last scanned: its
    /// bytes are not made from the archive, so a new closed text may be in them.
    pub fn copy(&self, path: &str, from: &Path) -> Result<()> {
        let stamp = crate::filestamp::of(from).unwrap_or(0);
        if self.scanned && self.unchanged(path, stamp) {
            return Ok(());
        }
        let bytes = fs::read(from).with_context(|| format!("cannot read {}", from.display()))?;
        self.write_keyed(path, stamp, &bytes)
    }

    /// Whether the published file at `path` was made from the input whose key is `key`. If so,
    /// it stays as it is, and the caller need not make it again.
    pub fn unchanged(&self, path: &str, key: u128) -> bool {
        self.unchanged_all(&[path], key)
    }

    /// Whether every published file of `paths` was made from the input whose key is `key`.
    /// If so, they all stay as they are; if not, none is kept by this call.
    pub fn unchanged_all(&self, paths: &[impl AsRef<str>], key: u128) -> bool {
        let Some(previous) = self.previous.as_ref().filter(|_| key != 0) else {
            return false;
        };
        let found: Option<Vec<(String, Record)>> = paths
            .iter()
            .map(|path| {
                let path = path.as_ref();
                let record = previous.get(path).filter(|r| r.key == key)?;
                Some((path.to_owned(), *record))
            })
            .collect();
        let Some(found) = found else {
            return false;
        };
        self.records
            .lock()
            .expect("no write panicked")
            .extend(found);
        true
    }

    fn record(&self, path: &str, record: Record) {
        self.records
            .lock()
            .expect("no write panicked")
            .push((path.to_owned(), record));
    }

    fn target(&self, path: &str) -> Result<PathBuf> {
        if path.is_empty()
            || path.starts_with('/')
            || path
                .split('/')
                .any(|part| part.is_empty() || part == "." || part == "..")
        {
            bail!("refusing to write outside the site: `{path}`");
        }
        let target = self.root.join(path);
        if let Some((folder, _)) = path.rsplit_once('/') {
            self.make_folder(folder)?;
        }
        Ok(target)
    }

    /// Make `folder`, a `/`-separated path relative to the site's root, unless it was made
    /// already.
    fn make_folder(&self, folder: &str) -> Result<()> {
        if self
            .folders
            .lock()
            .expect("no write panicked")
            .contains(folder)
        {
            return Ok(());
        }
        let path = self.root.join(folder);
        fs::create_dir_all(&path).with_context(|| format!("cannot create {}", path.display()))?;
        self.folders
            .lock()
            .expect("no write panicked")
            .insert(folder.to_owned());
        Ok(())
    }
}

/// What [`Staging::publish`] changed in the output folder.
#[derive(Debug, Clone, Copy)]
pub struct Published {
    /// Whether only changed files were moved in (false: the whole site was swapped in).
    pub incremental: bool,
    /// Files written: all of them, or those new or changed since the last build.
    pub written: usize,
    /// Files of the last build that this one no longer has, removed.
    pub removed: usize,
}

/// A staging folder that becomes the output folder, or whose files move into it, when the
/// build has succeeded. Dropped without [`Staging::publish`], it is removed and the output
/// folder is untouched.
pub struct Staging {
    dir: tempfile::TempDir,
    output: PathBuf,
    /// The folder of this output's manifest and journal.
    state: PathBuf,
    sink: Sink,
    /// Held until the build ends.
    _lock: fs::File,
}

impl Staging {
    /// Prepare to replace `output`, keeping its manifest in the cache of the site at `root`.
    /// With `clean`, or without a manifest that matches the output, the whole site is staged.
    /// Refuses an output folder that holds the site's sources or anything other than a
    /// previously built site.
    pub fn new(output: &Path, root: &Path, clean: bool, guard: Guard) -> Result<Staging> {
        let output = absolute(output)?;
        let root = absolute(root)?;
        let state = state_dir(&root, &output);
        if root.starts_with(&output) {
            bail!(
                "refusing to use {} as the output folder: it holds the site's sources; choose \
                 another --output, e.g. {}",
                output.display(),
                root.join("public").display()
            );
        }
        for source in ["content", "themes", "templates"] {
            if output.starts_with(root.join(source)) {
                bail!(
                    "refusing to write the site into {}: it is inside the site's {source}/ folder",
                    output.display()
                );
            }
        }
        if output.exists() && !looks_like_a_built_site(&output) {
            bail!(
                "{} exists and is not a site built by referat (no index.html): choose another \
                 --output, or empty or remove that folder first",
                output.display()
            );
        }
        let parent = output
            .parent()
            .context("the output folder has no parent folder")?;
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
        let name = output
            .file_name()
            .context("the output folder has no name")?
            .to_string_lossy();
        let lock = lock(&parent.join(format!(".{name}.lock")), &output)?;
        fs::create_dir_all(&state)
            .with_context(|| format!("cannot create the build cache {}", state.display()))?;
        finish_journal(&state)?;
        let prefix = format!(".{name}.staging-");
        remove_leftovers(parent, &prefix)?;
        let previous = if clean {
            None
        } else {
            read_manifest(&state, &output)?
        };
        let scanned = previous
            .as_ref()
            .is_some_and(|p| p.guard == guard.fingerprint());
        let dir = tempfile::Builder::new()
            .prefix(&prefix)
            .tempdir_in(parent)
            .with_context(|| format!("cannot create a staging folder in {}", parent.display()))?;
        make_world_readable(dir.path())?;
        let sink = Sink {
            root: dir.path().to_path_buf(),
            previous: previous.map(|p| p.files),
            scanned,
            records: Mutex::new(Vec::new()),
            guard,
            leaks: Mutex::new(Vec::new()),
            folders: Mutex::new(HashSet::new()),
        };
        Ok(Staging {
            dir,
            output,
            state,
            sink,
            _lock: lock,
        })
    }

    /// The sink that writes into the staging folder.
    pub fn sink(&self) -> &Sink {
        &self.sink
    }

    /// Put the staged site in place of the output folder: in one rename where the system can
    /// when the whole site was staged, else by moving the changed files in. Refuses, with a
    /// [`Refused`] error, when the guard found anything in the written files that must not be
    /// published; the output folder is then left as it was.
    pub fn publish(self) -> Result<Published> {
        let mut leaks = self.sink.leaks.into_inner().expect("no write panicked");
        if !leaks.is_empty() {
            leaks.sort();
            return Err(Refused(leaks).into());
        }
        let mut records = self.sink.records.into_inner().expect("no write panicked");
        // By path; of a path recorded twice, the last record counts.
        records.par_sort_by(|a, b| a.0.cmp(&b.0));
        records.dedup_by(|later, earlier| {
            let same = later.0 == earlier.0;
            if same {
                std::mem::swap(later, earlier);
            }
            same
        });
        let manifest = self.state.join(MANIFEST);
        let fresh = self.state.join(format!("{MANIFEST}.new"));
        write_manifest(
            &fresh,
            &self.output,
            self.sink.guard.fingerprint(),
            &records,
        )?;
        let staged = self.dir.keep();
        let Some(previous) = self.sink.previous else {
            remove_if_present(&manifest)?;
            if self.output.exists() {
                swap(&staged, &self.output)?;
            } else {
                fs::rename(&staged, &self.output).with_context(|| {
                    format!("cannot move the new site to {}", self.output.display())
                })?;
            }
            rename(&fresh, &manifest)?;
            remove_dir_if_present(&staged)?;
            return Ok(Published {
                incremental: false,
                written: records.len(),
                removed: 0,
            });
        };
        // A folder the last site did not have moves in whole, and a folder this site no longer
        // has goes whole: the staging folder holds only the changed files, so a new folder there
        // holds all of its files. Both paths are sorted, so the files of one folder are together.
        let ((before, now), (changed, mut vanished)) = rayon::join(
            || {
                rayon::join(
                    || folders(previous.keys()),
                    || folders(records.iter().map(|(path, _)| path)),
                )
            },
            || {
                rayon::join(
                    || -> Vec<&String> {
                        records
                            .par_iter()
                            .filter(|(path, record)| {
                                previous.get(path).is_none_or(|p| p.hash != record.hash)
                            })
                            .map(|(path, _)| path)
                            .collect()
                    },
                    || -> Vec<&String> {
                        let mut vanished: HashSet<&String> = previous.keys().collect();
                        for (path, _) in &records {
                            vanished.remove(path);
                        }
                        vanished.into_iter().collect()
                    },
                )
            },
        );
        let mut journal = String::new();
        for unit in units(&changed, &before) {
            journal += &format!(
                "move\t{}\t{}\n",
                staged.join(unit).display(),
                self.output.join(unit).display()
            );
        }
        vanished.par_sort();
        for unit in units(&vanished, &now) {
            journal += &format!("remove\t{}\n", self.output.join(unit).display());
        }
        journal += &format!("move\t{}\t{}\n", fresh.display(), manifest.display());
        journal += &format!("remove\t{}\n", staged.display());
        let path = self.state.join(JOURNAL);
        let temporary = self.state.join(format!("{JOURNAL}.new"));
        fs::write(&temporary, journal)
            .and_then(|()| fs::File::open(&temporary)?.sync_all())
            .with_context(|| format!("cannot write {}", temporary.display()))?;
        rename(&temporary, &path)?;
        finish_journal(&self.state)?;
        Ok(Published {
            incremental: true,
            written: changed.len(),
            removed: vanished.len(),
        })
    }
}

/// The folder of the site's cache at `root` that keeps the manifest and journal of `output`
/// (both absolute): one per output folder, named by a hash of its path.
fn state_dir(root: &Path, output: &Path) -> PathBuf {
    root.join(CACHE_DIR).join("output").join(format!(
        "{:016x}",
        xxh3_64(output.to_string_lossy().as_bytes())
    ))
}

/// Every folder that holds a file of `paths` (`/`-separated, relative), as a relative path.
fn folders<'a>(paths: impl Iterator<Item = &'a String>) -> HashSet<&'a str> {
    let mut folders = HashSet::new();
    for path in paths {
        let mut end = path.len();
        while let Some(slash) = path[..end].rfind('/') {
            if !folders.insert(&path[..slash]) {
                break;
            }
            end = slash;
        }
    }
    folders
}

/// What moves or goes for each of `paths` (sorted), each once: [`outermost_missing`] of it.
fn units<'a>(paths: &[&'a String], folders: &HashSet<&str>) -> Vec<&'a str> {
    let mut units: Vec<&str> = Vec::new();
    for path in paths {
        let unit = outermost_missing(path, folders);
        if units.last() != Some(&unit) {
            units.push(unit);
        }
    }
    units
}

/// The outermost folder above `path` that is not one of `folders`, else `path` itself.
fn outermost_missing<'a>(path: &'a str, folders: &HashSet<&str>) -> &'a str {
    path.match_indices('/')
        .map(|(slash, _)| &path[..slash])
        .find(|folder| !folders.contains(folder))
        .unwrap_or(path)
}

/// The manifest of the last build of an output folder, in its folder of the cache.
const MANIFEST: &str = "manifest";

/// The moves and removals an incremental publish is making, in its folder of the cache.
const JOURNAL: &str = "journal";

/// What the last build of an output folder published, from its manifest.
struct Manifest {
    /// Each file's record, by its path.
    files: HashMap<String, Record>,
    /// The [`Guard::fingerprint`] of the guard that scanned them.
    guard: u128,
}

/// The manifest in `state` when it describes `output` as it is now and was written by this
/// program, else none (the build then stages the whole site).
fn read_manifest(state: &Path, output: &Path) -> Result<Option<Manifest>> {
    let path = state.join(MANIFEST);
    let Ok(text) = fs::read_to_string(&path) else {
        return Ok(None);
    };
    let mut lines = text.splitn(5, '\n');
    if lines.next() != Some(MANIFEST_HEADER)
        || lines.next() != Some(output.to_string_lossy().as_ref())
        || lines.next().and_then(|l| l.strip_prefix("program ")) != Some(build_id())
    {
        return Ok(None);
    }
    let Some(guard) = lines
        .next()
        .and_then(|l| l.strip_prefix("guard "))
        .and_then(|hex| u128::from_str_radix(hex, 16).ok())
    else {
        return Ok(None);
    };
    let parsed: Option<Vec<(String, Record)>> = lines
        .next()
        .unwrap_or_default()
        .par_lines()
        .map(|line| {
            let (hash, rest) = line.split_once(' ')?;
            let (key, file) = rest.split_once(' ')?;
            let record = Record {
                hash: u128::from_str_radix(hash, 16).ok()?,
                key: u128::from_str_radix(key, 16).ok()?,
            };
            Some((file.to_owned(), record))
        })
        .collect();
    let Some(parsed) = parsed else {
        return Ok(None);
    };
    let files: HashMap<String, Record> = parsed.into_iter().collect();
    let intact = ["index.html", "404.html"].iter().all(|file| {
        files.get(*file).is_some_and(|record| {
            fs::read(output.join(file)).is_ok_and(|bytes| xxh3_128(&bytes) == record.hash)
        })
    });
    Ok(intact.then_some(Manifest { files, guard }))
}

/// How many records of the manifest are formatted at once, on every core, before they are
/// written: the text of the whole manifest is never in memory (260 MB at 100,000 meetings).
const MANIFEST_BATCH: usize = 1 << 16;

/// Write the manifest of `records`, sorted by path, to `path`.
fn write_manifest(
    path: &Path,
    output: &Path,
    guard: u128,
    records: &[(String, Record)],
) -> Result<()> {
    let write = || -> std::io::Result<()> {
        let mut file = std::io::BufWriter::new(fs::File::create(path)?);
        write!(
            file,
            "{MANIFEST_HEADER}\n{}\nprogram {}\nguard {guard:032x}\n",
            output.display(),
            build_id()
        )?;
        for batch in records.chunks(MANIFEST_BATCH) {
            let lines: Vec<String> = batch
                .par_chunks(4096)
                .map(|chunk| {
                    let mut text = String::new();
                    for (file, record) in chunk {
                        writeln!(text, "{:032x} {:032x} {file}", record.hash, record.key)
                            .expect("a String takes any text");
                    }
                    text
                })
                .collect();
            for text in lines {
                file.write_all(text.as_bytes())?;
            }
        }
        file.flush()
    };
    write().with_context(|| format!("cannot write {}", path.display()))
}

/// Make every move and removal of the journal in `state`, if there is one, then remove it.
/// Each step can be made again, so a journal left by a killed build is finished the same way.
fn finish_journal(state: &Path) -> Result<()> {
    let path = state.join(JOURNAL);
    let Ok(journal) = fs::read_to_string(&path) else {
        return Ok(());
    };
    let mut created = None;
    for line in journal.lines() {
        match line.split('\t').collect::<Vec<_>>()[..] {
            ["move", from, to] => {
                let (from, to) = (Path::new(from), Path::new(to));
                if from.exists() {
                    if let Some(parent) = to.parent()
                        && created != Some(parent)
                    {
                        fs::create_dir_all(parent)
                            .with_context(|| format!("cannot create {}", parent.display()))?;
                        created = Some(parent);
                    }
                    // A whole folder replaces whatever was left at its place.
                    if from.is_dir() && to.is_dir() {
                        remove_dir_if_present(to)?;
                    }
                    rename(from, to)?;
                }
            }
            ["remove", path] => {
                let path = Path::new(path);
                if path.is_dir() {
                    remove_dir_if_present(path)?;
                } else {
                    remove_if_present(path)?;
                }
            }
            _ => bail!(
                "{}: cannot read the line `{line}`; remove the build cache {} and build again",
                path.display(),
                state.display()
            ),
        }
    }
    remove_if_present(&path)
}

fn rename(from: &Path, to: &Path) -> Result<()> {
    fs::rename(from, to)
        .with_context(|| format!("cannot move {} to {}", from.display(), to.display()))
}

fn remove_if_present(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("cannot remove {}", path.display()))
        }
        _ => Ok(()),
    }
}

fn remove_dir_if_present(path: &Path) -> Result<()> {
    match fs::remove_dir_all(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("cannot remove {}", path.display()))
        }
        _ => Ok(()),
    }
}

/// Take the lock of the output folder, or say which folder another build is writing.
fn lock(path: &Path, output: &Path) -> Result<fs::File> {
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .with_context(|| format!("cannot create the lock file {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(fs::TryLockError::WouldBlock) => bail!(
            "another build is writing {} now: wait for it to finish, or choose another --output",
            output.display()
        ),
        Err(fs::TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("cannot lock {}", path.display()))
        }
    }
}

/// Remove the staging folders that builds killed before they ended left behind. Only a build
/// holding the lock calls this, so none of them is in use.
fn remove_leftovers(parent: &Path, prefix: &str) -> Result<()> {
    let entries =
        fs::read_dir(parent).with_context(|| format!("cannot read {}", parent.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot read {}", parent.display()))?;
        if entry.file_name().to_string_lossy().starts_with(prefix) {
            let path = entry.path();
            fs::remove_dir_all(&path).with_context(|| {
                format!(
                    "cannot remove {}, left by a build that did not finish",
                    path.display()
                )
            })?;
        }
    }
    Ok(())
}

fn looks_like_a_built_site(dir: &Path) -> bool {
    dir.join("index.html").is_file() || fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none())
}

fn absolute(path: &Path) -> Result<PathBuf> {
    let path = std::path::absolute(path)
        .with_context(|| format!("cannot resolve the path {}", path.display()))?;
    Ok(fs::canonicalize(&path).unwrap_or(path))
}

#[cfg(unix)]
fn make_world_readable(dir: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o755))
        .with_context(|| format!("cannot set permissions on {}", dir.display()))
}

#[cfg(not(unix))]
fn make_world_readable(_dir: &Path) -> Result<()> {
    Ok(())
}

/// Exchange two folders atomically (Linux `renameat2(RENAME_EXCHANGE)`); afterwards `staged`
/// holds the previous site.
#[cfg(target_os = "linux")]
fn swap(staged: &Path, output: &Path) -> Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, staged, CWD, output, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(()),
        Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS) => {
            swap_in_two_steps(staged, output)
        }
        Err(e) => {
            Err(e).with_context(|| format!("cannot swap the new site into {}", output.display()))
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn swap(staged: &Path, output: &Path) -> Result<()> {
    swap_in_two_steps(staged, output)
}

/// Where the system cannot exchange two folders: move the old one aside, then the new one in.
fn swap_in_two_steps(staged: &Path, output: &Path) -> Result<()> {
    let aside = staged.with_extension("previous");
    fs::rename(output, &aside).with_context(|| {
        format!(
            "cannot move the previous site away from {}",
            output.display()
        )
    })?;
    fs::rename(staged, output)
        .with_context(|| format!("cannot move the new site to {}", output.display()))?;
    fs::rename(&aside, staged)
        .with_context(|| format!("cannot move the previous site to {}", staged.display()))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn a_journal_left_by_a_build_killed_among_its_moves_is_finished_by_the_next_build() {
        let dir = tempfile::tempdir().unwrap();
        let (root, output) = (dir.path().join("site"), dir.path().join("public"));
        let state = state_dir(&absolute(&root).unwrap(), &absolute(&output).unwrap());
        let staged = dir.path().join(".public.staging-killed");
        for (path, text) in [
            (root.join("site.toml"), ""),
            (output.join("index.html"), "old"),
            (output.join("a.html"), "old"),
            (output.join("gone/c.html"), "old"),
            (staged.join("a.html"), "new"),
            (staged.join("new/b.html"), "new"),
            (state.join("manifest.new"), "the new manifest"),
        ] {
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        let journal = [
            format!(
                "move\t{}\t{}",
                staged.join("a.html").display(),
                output.join("a.html").display()
            ),
            format!(
                "move\t{}\t{}",
                staged.join("new").display(),
                output.join("new").display()
            ),
            format!("remove\t{}", output.join("gone").display()),
            format!(
                "move\t{}\t{}",
                state.join("manifest.new").display(),
                state.join("manifest").display()
            ),
            format!("remove\t{}", staged.display()),
        ];
        fs::write(state.join(JOURNAL), journal.join("\n") + "\n").unwrap();
        // Killed after the first move.
        fs::rename(staged.join("a.html"), output.join("a.html")).unwrap();

        let staging = Staging::new(&output, &root, false, Guard::default()).unwrap();
        assert_eq!(fs::read_to_string(output.join("a.html")).unwrap(), "new");
        assert_eq!(
            fs::read_to_string(output.join("new/b.html")).unwrap(),
            "new"
        );
        assert!(!output.join("gone").exists(), "a removed folder is left");
        assert_eq!(
            fs::read_to_string(state.join("manifest")).unwrap(),
            "the new manifest"
        );
        assert!(!state.join(JOURNAL).exists() && !staged.exists());
        assert!(
            staging.sink.previous.is_none(),
            "a manifest that is not one was trusted"
        );
    }

    #[test]
    fn a_published_file_is_scanned_again_unless_the_same_guard_scanned_it() {
        // A CPR number, which any guard refuses: published by a build whose guard is trusted to
        // have scanned it, an unchanged file is not scanned again; published under another
        // guard, it is.
        let cpr = b"<p>CPR 010190-1234</p>";
        for (last_guard, refused) in [(Guard::default().fingerprint(), false), (7, true)] {
            let dir = tempfile::tempdir().unwrap();
            let (root, output) = (dir.path().join("site"), dir.path().join("public"));
            let state = state_dir(&absolute(&root).unwrap(), &absolute(&output).unwrap());
            let mut records = BTreeMap::new();
            for (path, bytes) in [
                ("index.html", &b"home"[..]),
                ("404.html", b"none"),
                ("a.html", cpr),
            ] {
                fs::create_dir_all(&output).unwrap();
                fs::write(output.join(path), bytes).unwrap();
                let record = Record {
                    hash: xxh3_128(bytes),
                    key: 0,
                };
                records.insert(path.to_owned(), record);
            }
            fs::create_dir_all(&root).unwrap();
            fs::create_dir_all(&state).unwrap();
            write_manifest(
                &state.join(MANIFEST),
                &absolute(&output).unwrap(),
                last_guard,
                &records.clone().into_iter().collect::<Vec<_>>(),
            )
            .unwrap();

            let staging = Staging::new(&output, &root, false, Guard::default()).unwrap();
            assert!(staging.sink.previous.is_some(), "the manifest was not read");
            for (path, record) in &records {
                let bytes = fs::read(output.join(path)).unwrap();
                assert_eq!(xxh3_128(&bytes), record.hash);
                staging.sink().write(path, &bytes).unwrap();
            }
            let published = staging.publish();
            assert_eq!(
                published.is_err_and(|e| e.downcast_ref::<Refused>().is_some()),
                refused,
                "last guard {last_guard:x}"
            );
        }
    }

    #[test]
    fn files_made_from_one_input_are_kept_together_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let (root, output) = (dir.path().join("site"), dir.path().join("public"));
        let state = state_dir(&absolute(&root).unwrap(), &absolute(&output).unwrap());
        fs::create_dir_all(&root).unwrap();
        fs::create_dir_all(&output).unwrap();
        fs::create_dir_all(&state).unwrap();
        let records: Vec<(String, Record)> = [("404.html", 5), ("c.json", 6), ("index.html", 5)]
            .into_iter()
            .map(|(path, key)| {
                fs::write(output.join(path), path).unwrap();
                let hash = xxh3_128(path.as_bytes());
                (path.to_owned(), Record { hash, key })
            })
            .collect();
        let guard = Guard::default().fingerprint();
        write_manifest(
            &state.join(MANIFEST),
            &absolute(&output).unwrap(),
            guard,
            &records,
        )
        .unwrap();

        let staging = Staging::new(&output, &root, false, Guard::default()).unwrap();
        let sink = staging.sink();
        assert!(
            !sink.unchanged_all(&["index.html", "c.json"], 5),
            "c.json was made from key 6"
        );
        assert!(
            !sink.unchanged_all(&["index.html", "d.json"], 5),
            "d.json was never published"
        );
        assert!(!sink.unchanged("index.html", 0), "key 0 is no input's");
        assert!(
            sink.records.lock().unwrap().is_empty(),
            "a refusal kept files"
        );
        assert!(sink.unchanged_all(&["index.html", "404.html"], 5));
        assert!(sink.unchanged("c.json", 6));
        let kept: Vec<String> = sink
            .records
            .lock()
            .unwrap()
            .iter()
            .map(|(p, _)| p.clone())
            .collect();
        assert_eq!(kept, ["index.html", "404.html", "c.json"]);
    }

    #[test]
    fn a_folder_moves_and_goes_whole_where_the_other_site_has_none_of_it() {
        let paths = |list: &[&str]| list.iter().map(|p| p.to_string()).collect::<Vec<_>>();
        let before = paths(&["index.html", "raad/2023/index.html", "_search/s/ab/t0.bin"]);
        let folders = folders(before.iter());
        let mut sorted: Vec<&str> = folders.iter().copied().collect();
        sorted.sort();
        assert_eq!(
            sorted,
            ["_search", "_search/s", "_search/s/ab", "raad", "raad/2023"]
        );
        assert_eq!(outermost_missing("index.html", &folders), "index.html");
        assert_eq!(
            outermost_missing("raad/2023/a.pdf", &folders),
            "raad/2023/a.pdf"
        );
        assert_eq!(
            outermost_missing("_search/s/cd/t0.bin", &folders),
            "_search/s/cd"
        );
        assert_eq!(outermost_missing("ny/2024/index.html", &folders), "ny");
    }
}
