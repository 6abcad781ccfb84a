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

mod manifest;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, Result, bail};
use foldhash::{HashSet, HashSetExt};
use rayon::prelude::*;
use xxhash_rust::xxh3::{xxh3_64, xxh3_128};

use crate::guard::{Guard, Leak, Refused};
use crate::search::CACHE_DIR;
use manifest::{Manifest, Record};

/// Where a build writes its files.
pub struct Sink {
    root: PathBuf,
    /// What the last build published; this build marks in it the files it keeps as they were.
    previous: Option<Manifest>,
    /// Whether the last build's guard looked for what this one looks for: a file it published
    /// with the same bytes passed the same scan, and is not scanned again.
    scanned: bool,
    /// The files this build publishes other than those it keeps as they were.
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
        let found = self
            .previous
            .as_ref()
            .and_then(|previous| Some((previous, previous.find(path)?)));
        let published = found.is_some_and(|(previous, i)| previous.record(i).hash == record.hash);
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
        match found {
            Some((previous, i)) if previous.record(i) == record => previous.keep(i),
            _ => self
                .records
                .lock()
                .expect("no write panicked")
                .push((path.to_owned(), record)),
        }
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
        let found: Option<Vec<usize>> = paths
            .iter()
            .map(|path| {
                previous
                    .find(path.as_ref())
                    .filter(|&i| previous.record(i).key == key)
            })
            .collect();
        let Some(found) = found else {
            return false;
        };
        for i in found {
            previous.keep(i);
        }
        true
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
            manifest::read(&state.join(MANIFEST), &output)
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
            previous,
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
        let guard = self.sink.guard.fingerprint();
        let staged = self.dir.keep();
        let Some(previous) = self.sink.previous else {
            manifest::write(
                &fresh,
                &self.output,
                guard,
                records
                    .iter()
                    .map(|(path, record)| (path.as_str(), *record)),
            )?;
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
        // The last build's files that this one published again, and those whose bytes changed.
        let mut replaced = vec![false; previous.len()];
        let mut changed: Vec<&str> = Vec::new();
        for (path, record) in &records {
            match previous.find(path) {
                Some(i) => {
                    replaced[i] = true;
                    if previous.record(i).hash != record.hash {
                        changed.push(path);
                    }
                }
                None => changed.push(path),
            }
        }
        let vanished: Vec<&str> = (0..previous.len())
            .filter(|&i| !previous.kept(i) && !replaced[i])
            .map(|i| previous.path(i))
            .collect();
        // The site as published now: the files kept as they were, and those recorded anew.
        let now = || {
            merge(
                (0..previous.len())
                    .filter(|&i| previous.kept(i) && !replaced[i])
                    .map(|i| (previous.path(i), previous.record(i))),
                records
                    .iter()
                    .map(|(path, record)| (path.as_str(), *record)),
            )
        };
        manifest::write(&fresh, &self.output, guard, now())?;
        // A folder the last site did not have moves in whole, and a folder this site no longer
        // has goes whole: the staging folder holds only the changed files, so a new folder there
        // holds all of its files. Both paths are sorted, so the files of one folder are together.
        let (before, now) = rayon::join(
            || folders((0..previous.len()).map(|i| previous.path(i))),
            || folders(now().map(|(path, _)| path)),
        );
        let mut journal = String::new();
        for unit in units(&changed, &before) {
            journal += &format!(
                "move\t{}\t{}\n",
                staged.join(unit).display(),
                self.output.join(unit).display()
            );
        }
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

/// Every folder that holds a file of `paths` (`/`-separated, relative), as a relative path. Of
/// sorted paths, those of one folder follow each other, and their folder is looked up once.
fn folders<'a>(paths: impl Iterator<Item = &'a str>) -> HashSet<&'a str> {
    let mut folders = HashSet::new();
    let mut last = None;
    for path in paths {
        let Some(slash) = path.rfind('/') else {
            continue;
        };
        if last == Some(&path[..slash]) {
            continue;
        }
        last = Some(&path[..slash]);
        let mut end = slash;
        while folders.insert(&path[..end]) {
            match path[..end].rfind('/') {
                Some(slash) => end = slash,
                None => break,
            }
        }
    }
    folders
}

/// The records of `kept` and `fresh`, both sorted by path and with no path in both, in one
/// sorted sequence.
fn merge<'a>(
    kept: impl Iterator<Item = (&'a str, Record)>,
    fresh: impl Iterator<Item = (&'a str, Record)>,
) -> impl Iterator<Item = (&'a str, Record)> {
    let (mut kept, mut fresh) = (kept.peekable(), fresh.peekable());
    std::iter::from_fn(move || match (kept.peek(), fresh.peek()) {
        (Some(a), Some(b)) if a.0 < b.0 => kept.next(),
        (Some(_), Some(_)) | (None, _) => fresh.next(),
        (Some(_), None) => kept.next(),
    })
}

/// What moves or goes for each of `paths` (sorted), each once: [`outermost_missing`] of it.
fn units<'a>(paths: &[&'a str], folders: &HashSet<&str>) -> Vec<&'a str> {
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
            manifest::write(
                &state.join(MANIFEST),
                &absolute(&output).unwrap(),
                last_guard,
                records
                    .iter()
                    .map(|(path, record)| (path.as_str(), *record)),
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
        manifest::write(
            &state.join(MANIFEST),
            &absolute(&output).unwrap(),
            guard,
            records
                .iter()
                .map(|(path, record)| (path.as_str(), *record)),
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
        let previous = sink.previous.as_ref().unwrap();
        let kept = || -> Vec<&str> {
            (0..previous.len())
                .filter(|&i| previous.kept(i))
                .map(|i| previous.path(i))
                .collect()
        };
        assert!(kept().is_empty(), "a refusal kept files");
        assert!(sink.unchanged_all(&["index.html", "404.html"], 5));
        assert!(sink.unchanged("c.json", 6));
        assert_eq!(kept(), ["404.html", "c.json", "index.html"]);
        assert!(sink.records.lock().unwrap().is_empty());
    }

    #[test]
    fn a_folder_moves_and_goes_whole_where_the_other_site_has_none_of_it() {
        let paths = |list: &[&str]| list.iter().map(|p| p.to_string()).collect::<Vec<_>>();
        let before = paths(&["index.html", "raad/2023/index.html", "_search/s/ab/t0.bin"]);
        let folders = folders(before.iter().map(String::as_str));
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
