//! `referat build`: load → render and index → write into staging → publish, and a summary of what
//! was built.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use rayon::prelude::*;

use crate::config::SiteConfig;
use crate::content;
use crate::diagnostics::BuildError;
use crate::feeds;
use crate::guard::{Guard, Refused};
use crate::opendata;
use crate::output::{Published, Staging};
use crate::progress::{Progress, Stage};
use crate::render::{Renderer, StaticFile, Theme};
use crate::search;

/// What to build and where.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The site root: the folder with site.toml and content/.
    pub root: PathBuf,
    /// The output folder; `<root>/public` when not given.
    pub output: Option<PathBuf>,
    /// Overrides site.toml's `base_url`.
    pub base_url: Option<String>,
    /// Ignore what the last build left in the cache: make and publish every file.
    pub clean: bool,
}

impl BuildOptions {
    /// The output folder this build writes.
    pub fn output_dir(&self) -> PathBuf {
        self.output
            .clone()
            .unwrap_or_else(|| self.root.join("public"))
    }
}

/// What a successful build produced.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Councils published.
    pub councils: usize,
    /// Meetings published.
    pub meetings: usize,
    /// Agenda items published (open and closed).
    pub items: usize,
    /// HTML pages written.
    pub pages: usize,
    /// Other files written: attachments, the theme's static files, the feeds, calendars,
    /// sitemap and robots.txt, and the open data JSON.
    pub files: usize,
    /// Documents in the search index: open items and council pages.
    pub search_documents: usize,
    /// Where the site now is.
    pub output: PathBuf,
    /// What publishing changed in the output folder.
    pub published: Published,
    /// Wall time of the whole build.
    pub seconds: f64,
    /// What each stage did and how long it took, in the order they ran.
    pub stages: Vec<Stage>,
}

/// Build the site described by `options`, reporting each stage to `progress`. On any error
/// the output folder is left untouched.
pub fn build(options: &BuildOptions, progress: &Progress) -> Result<Summary, BuildError> {
    let started = Instant::now();
    let root = &options.root;
    let _site = crate::sitelock::take(root, |line| progress.note(line));
    let (archive, theme, stamp) = progress.stage("load", None, |_| {
        let config = SiteConfig::load(root, options.base_url.as_deref())
            .map_err(|d| BuildError::Content(vec![d]))?;
        let theme = Theme::load(root, &config.theme, &config.language)?;
        let stamp = search::Stamp::of(root)?;
        let cache = root.join(search::CACHE_DIR).join("meetings");
        if options.clean {
            // A clean build parses every meeting file; a cache that cannot be removed is still
            // correct, since each entry is named by everything it was parsed from.
            let _ = std::fs::remove_dir_all(&cache);
        }
        let archive = content::load(root, config, Some(&cache)).map_err(BuildError::Content)?;
        Ok::<_, BuildError>((archive, theme, stamp))
    })?;

    let guard = progress.stage("guard", None, |_| {
        let cache = root.join(search::CACHE_DIR).join("guard");
        Guard::new(root, &archive, &cache, options.clean)
            .context("cannot prepare the guard for closed items")
    })?;
    let output = options.output_dir();
    let staging = progress.stage("prepare output", None, |_| {
        Staging::new(&output, root, options.clean, guard)
    })?;
    let sink = staging.sink();
    let renderer = Renderer::new(&archive, theme);
    let pages = renderer.pages();
    progress.stage("render pages", Some(pages.len()), |tick| {
        pages.par_iter().try_for_each_init(Vec::new, |html, page| {
            tick.inc();
            let key = renderer.key(page);
            if let Some(key) = key
                && sink.unchanged(&page.path, key)
            {
                return Ok(());
            }
            renderer.render_into(page, html)?;
            sink.write_keyed(&page.path, key.unwrap_or(0), html)
        })
    })?;

    let attachments: Vec<(String, &Path)> = archive
        .meetings()
        .flat_map(|(council, meeting)| {
            meeting.attachments.iter().map(move |a| {
                (
                    format!("{}/{}/{}", council.slug, meeting.slug, a.file_name),
                    a.source.as_path(),
                )
            })
        })
        .collect();
    let mut files = progress.stage("copy files", Some(attachments.len()), |tick| {
        attachments.par_iter().try_for_each(|(path, source)| {
            tick.inc();
            sink.copy(path, source)
        })?;
        let mut files = attachments.len();
        for (path, file) in renderer.static_files() {
            match file {
                StaticFile::Embedded(bytes) => sink.write(&path, bytes)?,
                StaticFile::Disk(source) => sink.copy(&path, source)?,
            }
            files += 1;
        }
        anyhow::Ok(files)
    })?;
    files += progress.stage("feeds", None, |_| {
        feeds::write(&archive, renderer.texts(), &pages, sink)
            .context("cannot write the feeds, calendars and sitemap")
    })?;
    files += progress.stage("open data", None, |_| {
        opendata::write(&archive, sink).context("cannot write the open data")
    })?;
    let bundle = search::index_and_export(root, &archive, &stamp, options.clean, sink, progress)
        .context("cannot build the search index")?;
    let published = progress.stage("publish", None, |_| {
        staging
            .publish()
            .map_err(|error| match error.downcast::<Refused>() {
                Ok(refused) => BuildError::Refused(refused.0),
                Err(error) => BuildError::Other(
                    error.context(format!("cannot publish the site to {}", output.display())),
                ),
            })
    })?;

    Ok(Summary {
        councils: archive.councils.len(),
        meetings: archive.meetings().count(),
        items: archive.meetings().map(|(_, m)| m.items.len()).sum(),
        pages: pages.len(),
        files,
        search_documents: bundle.docs as usize,
        output,
        published,
        seconds: started.elapsed().as_secs_f64(),
        stages: progress.stages(),
    })
}
