//! Watching the site's sources: `site.toml`, `content/`, `themes/` and `templates/`.
//!
//! A change is reported once the sources have been quiet for [`QUIET`], so saving a burst of
//! files (an editor's "save all", a `git checkout`) causes one rebuild. notify's own debouncers
//! are not used: notify-debouncer-mini emits each path when its own timeout has passed, so a
//! burst that straddles its deadline arrives as two batches, and it cannot tell a file being
//! read (by the build itself) from a file being written.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

use anyhow::{Context, Result};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};

/// How long the sources must be quiet before a change is reported.
const QUIET: Duration = Duration::from_millis(200);

/// The folders of the site root whose every file is a source.
const SOURCE_FOLDERS: [&str; 3] = ["content", "themes", "templates"];

/// The watch on one site's sources.
pub(super) struct Watch {
    root: PathBuf,
    events: Receiver<notify::Result<Event>>,
    /// Watches while it lives.
    _watcher: RecommendedWatcher,
}

impl Watch {
    /// Start watching the sources of the site at `root`. The source folders that do not exist
    /// now are not watched.
    pub(super) fn start(root: &Path) -> Result<Watch> {
        // The paths of events are absolute, and on some systems without symbolic links.
        let root = &std::fs::canonicalize(root)
            .with_context(|| format!("cannot find the site's folder {}", root.display()))?;
        let (sender, events) = channel();
        let mut watcher = notify::recommended_watcher(move |event| {
            // The receiver is gone only when serving stops.
            let _ = sender.send(event);
        })
        .context("cannot watch the site's files for changes")?;
        watcher
            .watch(root, RecursiveMode::NonRecursive)
            .with_context(|| format!("cannot watch {} for changes", root.display()))?;
        for folder in SOURCE_FOLDERS {
            let dir = root.join(folder);
            if dir.is_dir() {
                watcher
                    .watch(&dir, RecursiveMode::Recursive)
                    .with_context(|| format!("cannot watch {} for changes", dir.display()))?;
            }
        }
        Ok(Watch {
            root: root.to_path_buf(),
            events,
            _watcher: watcher,
        })
    }

    /// Wait for a change to the sources and then for the sources to be quiet; the changed
    /// files relative to the root, sorted. `None` when the watch has stopped.
    pub(super) fn next_change(&self) -> Option<Vec<PathBuf>> {
        let mut changed = BTreeSet::new();
        let mut created = BTreeSet::new();
        loop {
            let event = if changed.is_empty() {
                self.events.recv().ok()?
            } else {
                match self.events.recv_timeout(QUIET) {
                    Ok(event) => event,
                    Err(RecvTimeoutError::Timeout) => {
                        // A file created and removed again while saving (the temporary file
                        // of an editor or of `sed -i`) changed nothing.
                        changed.retain(|path: &PathBuf| {
                            !created.contains(path) || self.root.join(path).exists()
                        });
                        if !changed.is_empty() {
                            return Some(changed.into_iter().collect());
                        }
                        created.clear();
                        continue;
                    }
                    Err(RecvTimeoutError::Disconnected) => return None,
                }
            };
            let event = match event {
                // Reading a file (the build does) is no change.
                Ok(event) if matches!(event.kind, EventKind::Access(_)) => continue,
                Ok(event) => event,
                Err(error) => {
                    eprintln!("warning: watching the site's files: {error}");
                    continue;
                }
            };
            let sources = event
                .paths
                .iter()
                .filter_map(|path| path.strip_prefix(&self.root).ok())
                .filter(|path| is_source(path))
                .map(Path::to_path_buf);
            for path in sources {
                if matches!(event.kind, EventKind::Create(_)) {
                    created.insert(path.clone());
                }
                changed.insert(path);
            }
        }
    }
}

/// Whether `path`, relative to the site root, is a source of the site: `site.toml` or a file
/// under a source folder, but not an editor's temporary or backup file nor anything hidden.
fn is_source(path: &Path) -> bool {
    let names: Option<Vec<&str>> = path
        .components()
        .map(|part| match part {
            Component::Normal(name) => name.to_str(),
            _ => None,
        })
        .collect();
    let Some(names) = names else {
        return false;
    };
    let in_sources = match names.as_slice() {
        ["site.toml"] => true,
        [folder, _, ..] => SOURCE_FOLDERS.contains(folder),
        _ => false,
    };
    in_sources
        && !names.iter().any(|name| name.starts_with(['.', '#']))
        && names.last().is_some_and(|name| {
            !(name.ends_with('~')
                || name.ends_with(".swp")
                || name.ends_with(".swx")
                || *name == "4913")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_site_toml_and_the_files_of_the_source_folders() {
        for path in [
            "site.toml",
            "content/byraadet/2024-01-01.md",
            "content/byraadet",
            "themes/standard/static/referat.css",
            "templates/meeting.html",
        ] {
            assert!(is_source(Path::new(path)), "{path}");
        }
    }

    #[test]
    fn other_files_and_editors_temporary_files_are_not_sources() {
        for path in [
            "content",
            "public/index.html",
            ".referat-cache/serve/index.html",
            "README.md",
            "content/byraadet/.2024-01-01.md.swp",
            "content/byraadet/2024-01-01.md.swx",
            "content/byraadet/2024-01-01.md~",
            "content/byraadet/#2024-01-01.md#",
            "content/byraadet/4913",
            "content/.git/index",
        ] {
            assert!(!is_source(Path::new(path)), "{path}");
        }
    }
}
