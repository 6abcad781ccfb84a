//! Writing the site: every file goes through one [`Sink`] into a staging folder beside the output
//! folder, and [`Staging::publish`] swaps it into place in one step, so a web server never sees a
//! half-written site and a failed build leaves the published one exactly as it was.
//!
//! A lock file beside the output folder (`.<name>.lock`) lets one build at a time write it; the
//! system releases the lock when a build ends, however it ends, so the next build can remove
//! the staging folder of one that was killed.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// Where a build writes its files.
pub struct Sink {
    root: PathBuf,
}

impl Sink {
    /// Write `bytes` to `path`, a `/`-separated path relative to the site's root.
    pub fn write(&self, path: &str, bytes: &[u8]) -> Result<()> {
        let target = self.target(path)?;
        fs::write(&target, bytes).with_context(|| format!("cannot write {}", target.display()))
    }

    /// Copy the file `from` to `path`, a `/`-separated path relative to the site's root.
    pub fn copy(&self, path: &str, from: &Path) -> Result<()> {
        let target = self.target(path)?;
        fs::copy(from, &target)
            .map(|_| ())
            .with_context(|| format!("cannot copy {} to {}", from.display(), target.display()))
    }

    /// Rename the file or folder `from` to `to`, both `/`-separated paths relative to the
    /// site's root.
    pub fn rename(&self, from: &str, to: &str) -> Result<()> {
        let (from, to) = (self.target(from)?, self.target(to)?);
        fs::rename(&from, &to)
            .with_context(|| format!("cannot rename {} to {}", from.display(), to.display()))
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
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        Ok(target)
    }
}

/// A staging folder that becomes the output folder when the build has succeeded.
/// Dropped without [`Staging::publish`], it is removed and the output folder is untouched.
pub struct Staging {
    dir: tempfile::TempDir,
    output: PathBuf,
    /// Held until the build ends.
    _lock: fs::File,
}

impl Staging {
    /// Prepare to replace `output`. Refuses an output folder that holds the site's sources or
    /// anything other than a previously built site.
    pub fn new(output: &Path, root: &Path) -> Result<Staging> {
        let output = absolute(output)?;
        let root = absolute(root)?;
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
        let prefix = format!(".{name}.staging-");
        remove_leftovers(parent, &prefix)?;
        let dir = tempfile::Builder::new()
            .prefix(&prefix)
            .tempdir_in(parent)
            .with_context(|| format!("cannot create a staging folder in {}", parent.display()))?;
        make_world_readable(dir.path())?;
        Ok(Staging {
            dir,
            output,
            _lock: lock,
        })
    }

    /// The sink that writes into the staging folder.
    pub fn sink(&self) -> Sink {
        Sink {
            root: self.dir.path().to_path_buf(),
        }
    }

    /// Put the staged site in place of the output folder, in one rename where the system can.
    pub fn publish(self) -> Result<()> {
        let staged = self.dir.keep();
        if !self.output.exists() {
            return fs::rename(&staged, &self.output)
                .with_context(|| format!("cannot move the new site to {}", self.output.display()));
        }
        swap(&staged, &self.output)?;
        fs::remove_dir_all(&staged)
            .with_context(|| format!("cannot remove the previous site at {}", staged.display()))
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
