//! Scaffolding: `referat init` writes a new site that builds at once, and `referat new meeting`
//! writes a meeting file from a template. Neither ever overwrites a file.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;

use crate::config::FILE_NAME as SITE_FILE;
use crate::content::{CONTENT_DIR, Status};

/// The council a new site starts with.
const FIRST_COUNCIL: &str = "byraadet";

const SITE_TOML: &str = r#"# The site's settings: docs/content-format.md in referat's repository lists every key.
title = "Dagsordener og referater"
municipality = "Eksempel Kommune"
# Where the site is published; `referat build --base-url` overrides it.
base_url = "http://127.0.0.1:1111/"
language = "da"
theme = "standard"
# The web accessibility statement the law requires every public site to link to.
accessibility_statement = "https://was.digst.dk/"

[contact]
department = "Borgerservice"
address = "Rådhuspladsen 1, 0000 Eksempelby"
phone = "00 00 00 00"
"#;

const COUNCIL_INDEX: &str = "---
name: Byrådet
kind: råd
members:
  - name: Navn Navnesen
    role: formand
---

## Kommissorium

Byrådet er kommunens øverste politiske myndighed.
";

const GITIGNORE: &str = "# what `referat build` writes and keeps between builds
/public
/.referat-cache
# a build's staging folder and lock, beside the output folder while a build runs
/.public.staging-*
/.public.lock
";

/// Create a new site in `dir`, which must not exist or be empty; returns the files written.
/// Its first meeting is dated `today`.
pub fn init(dir: &Path, today: NaiveDate) -> Result<Vec<PathBuf>> {
    if dir.exists() {
        let mut entries =
            fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
        if entries.next().is_some() {
            bail!(
                "{} is not empty: give `referat init` a new folder, or an empty one",
                dir.display()
            );
        }
    }
    let council = Path::new(CONTENT_DIR).join(FIRST_COUNCIL);
    let files = [
        (PathBuf::from(SITE_FILE), SITE_TOML.to_owned()),
        (PathBuf::from(".gitignore"), GITIGNORE.to_owned()),
        (council.join("_index.md"), COUNCIL_INDEX.to_owned()),
        (
            council.join(format!("{today}.md")),
            meeting(today, Status::Referat),
        ),
    ];
    let mut written = Vec::new();
    for (path, text) in files {
        let path = dir.join(path);
        write_new(&path, &text)?;
        written.push(path);
    }
    Ok(written)
}

/// Write the file of a meeting of `council` (its folder name) on `date` into the site at
/// `root`; returns its path.
pub fn new_meeting(root: &Path, council: &str, date: NaiveDate, status: Status) -> Result<PathBuf> {
    let content = root.join(CONTENT_DIR);
    let folder = content.join(council);
    if !folder.join("_index.md").is_file() {
        let mut known: Vec<String> = fs::read_dir(&content)
            .with_context(|| format!("cannot read {}", content.display()))?
            .filter_map(|e| e.ok())
            .filter(|e| e.path().join("_index.md").is_file())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        known.sort();
        bail!(
            "there is no council `{council}` in {}: expected the name of a council's folder ({})",
            content.display(),
            if known.is_empty() {
                "there are none yet".to_owned()
            } else {
                known.join(", ")
            }
        );
    }
    let path = folder.join(format!("{date}.md"));
    write_new(&path, &meeting(date, status))?;
    Ok(path)
}

/// The text of a new meeting file: front matter, and the items every meeting starts with.
fn meeting(date: NaiveDate, status: Status) -> String {
    let approval = match status {
        Status::Dagsorden => "### Indstilling\n\nAt dagsordenen godkendes.",
        Status::Referat => "### Beslutning\n\nGodkendt.",
    };
    format!(
        "---\ndate: {date}\nstart: \"16:00\"\nend: \"18:00\"\nplace: Rådhuset\nstatus: {status}\n\
         participants:\n  - Navn Navnesen\n---\n\n## Godkendelse af dagsorden\n\n{approval}\n",
        status = status.as_str()
    )
}

/// Write `text` to a new file at `path`, creating its folder; an existing file is an error.
fn write_new(path: &Path, text: &str) -> Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                anyhow::anyhow!(
                    "{} already exists: referat never overwrites a file; edit it, or remove it first",
                    path.display()
                )
            } else {
                anyhow::Error::new(e).context(format!("cannot create {}", path.display()))
            }
        })?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::{Status, meeting};
    use chrono::NaiveDate;

    #[test]
    fn an_agenda_has_no_decision_yet() {
        let date = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let agenda = meeting(date, Status::Dagsorden);
        assert!(agenda.contains("status: dagsorden") && agenda.contains("date: 2026-12-01"));
        assert!(!agenda.contains("Beslutning"));
        assert!(meeting(date, Status::Referat).contains("### Beslutning"));
    }
}
