//! A theme: tera templates, a translation table and static files. The standard theme is built
//! into the binary; a folder `themes/<name>/` at the site root replaces it, and the site's own
//! `templates/` folder overrides single templates of either.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::{Datelike, NaiveDate};
use tera::Tera;
use xxhash_rust::xxh3::Xxh3;

use crate::content::{Meeting, Status};

/// The templates every theme provides, each rendering one kind of page.
pub const TEMPLATES: &[&str] = &[
    "base.html",
    "index.html",
    "council.html",
    "meeting.html",
    "archive.html",
    "archive_year.html",
    "case.html",
    "search.html",
    "404.html",
];

const STANDARD_TEMPLATES: &[(&str, &str)] = &[
    (
        "base.html",
        include_str!("../../themes/standard/templates/base.html"),
    ),
    (
        "index.html",
        include_str!("../../themes/standard/templates/index.html"),
    ),
    (
        "council.html",
        include_str!("../../themes/standard/templates/council.html"),
    ),
    (
        "meeting.html",
        include_str!("../../themes/standard/templates/meeting.html"),
    ),
    (
        "archive.html",
        include_str!("../../themes/standard/templates/archive.html"),
    ),
    (
        "archive_year.html",
        include_str!("../../themes/standard/templates/archive_year.html"),
    ),
    (
        "case.html",
        include_str!("../../themes/standard/templates/case.html"),
    ),
    (
        "search.html",
        include_str!("../../themes/standard/templates/search.html"),
    ),
    (
        "404.html",
        include_str!("../../themes/standard/templates/404.html"),
    ),
];
const STANDARD_STATIC: &[(&str, &[u8])] = &[
    (
        "referat.css",
        include_bytes!("../../themes/standard/static/referat.css"),
    ),
    (
        "search-page.js",
        include_bytes!("../../themes/standard/static/search-page.js"),
    ),
];
const STANDARD_I18N: &str = include_str!("../../themes/standard/i18n.toml");

/// The texts referat itself fills in (templates name theirs, and tera reports a missing one).
const RUST_TEXTS: &[&str] = &[
    "date_format",
    "heading_dagsorden",
    "heading_referat",
    "status_dagsorden",
    "status_referat",
    "selected_meeting",
    "meeting_count_one",
    "meeting_count_many",
    "archive",
    "archive_year_heading",
    "case_heading",
    "home",
    "councils",
    "search",
    "search_heading",
    "not_found_heading",
    "time",
    "place",
    "closed",
    "calendar_site",
    "calendar_council",
    "calendar_event",
];

/// A file the theme publishes as it is, under `static/`.
pub enum StaticFile {
    /// Built into the binary.
    Embedded(&'static [u8]),
    /// Read from the theme folder.
    Disk(PathBuf),
}

/// A loaded theme, ready to render.
pub struct Theme {
    /// The templates, with the site's overrides applied.
    pub tera: Tera,
    /// The texts in the site's language.
    pub texts: Texts,
    /// Static files by their path under `static/`, sorted.
    pub static_files: Vec<(String, StaticFile)>,
    /// A hash of the templates and the translation table, and the language.
    pub fingerprint: u128,
}

/// The theme's texts in one language.
pub struct Texts {
    /// Every text by key.
    pub strings: BTreeMap<String, String>,
    /// The names of the months, January first.
    pub months: Vec<String>,
}

impl Texts {
    /// The text `key`, one that referat fills in itself: a theme without it does not load.
    pub fn get(&self, key: &str) -> &str {
        debug_assert!(RUST_TEXTS.contains(&key), "`{key}` is not in RUST_TEXTS");
        self.strings.get(key).map_or("", String::as_str)
    }

    /// The text `key` with each `{name}` replaced by its value, in one pass: a value that
    /// contains `{…}` (a council named `{municipality}`) is kept as it is.
    pub fn fill(&self, key: &str, values: &[(&str, &str)]) -> String {
        let mut filled = String::new();
        let mut rest = self.get(key);
        while let Some(open) = rest.find('{') {
            filled.push_str(&rest[..open]);
            let name = rest[open + 1..].split_once('}').map(|(name, _)| name);
            match name.and_then(|name| values.iter().find(|(n, _)| *n == name)) {
                Some((name, value)) => {
                    filled.push_str(value);
                    rest = &rest[open + name.len() + 2..];
                }
                None => {
                    filled.push('{');
                    rest = &rest[open + 1..];
                }
            }
        }
        filled.push_str(rest);
        filled
    }

    /// A date written the way of the language, e.g. "10. oktober 2023".
    pub fn date(&self, date: NaiveDate) -> String {
        self.fill(
            "date_format",
            &[
                ("day", &date.day().to_string()),
                ("month", &self.months[date.month0() as usize]),
                ("year", &date.year().to_string()),
            ],
        )
    }

    /// A meeting's heading, e.g. "10. oktober 2023 - referat fra Integrationsrådet".
    pub fn meeting_heading(&self, council_name: &str, meeting: &Meeting) -> String {
        self.fill(
            &format!("heading_{}", meeting.status.as_str()),
            &[
                ("date", &self.date(meeting.date)),
                ("council", council_name),
            ],
        )
    }

    /// "Dagsorden" or "Referat".
    pub fn status_label(&self, status: Status) -> &str {
        self.get(&format!("status_{}", status.as_str()))
    }

    /// When a meeting is held, as its page shows it: "10. oktober 2023, 16:00–18:30".
    pub fn meeting_time(&self, meeting: &Meeting) -> String {
        let mut time = self.date(meeting.date);
        if let Some(start) = &meeting.start {
            time.push_str(", ");
            time.push_str(start);
            if let Some(end) = &meeting.end {
                time.push('–');
                time.push_str(end);
            }
        }
        time
    }
}

impl Theme {
    /// Load theme `name` for a site at `root` in `language`.
    pub fn load(root: &Path, name: &str, language: &str) -> Result<Theme> {
        let dir = root.join("themes").join(name);
        let (mut sources, i18n, static_files) = if dir.is_dir() {
            load_folder(&dir)?
        } else if name == "standard" {
            (
                STANDARD_TEMPLATES
                    .iter()
                    .map(|(n, s)| ((*n).to_owned(), (*s).to_owned()))
                    .collect(),
                STANDARD_I18N.to_owned(),
                STANDARD_STATIC
                    .iter()
                    .map(|(n, b)| ((*n).to_owned(), StaticFile::Embedded(b)))
                    .collect(),
            )
        } else {
            bail!(
                "site.toml: the theme `{name}` was not found: expected a folder {} with \
                 templates/ and i18n.toml, or theme = \"standard\"",
                dir.display()
            );
        };
        let overrides = root.join("templates");
        if overrides.is_dir() {
            for (template, text) in read_templates(&overrides)? {
                sources.insert(template, text);
            }
        }
        for template in TEMPLATES {
            if !sources.contains_key(*template) {
                bail!("the theme `{name}` has no template {template}");
            }
        }
        let mut tera = Tera::default();
        tera.autoescape_on([".html"]);
        tera.set_escape_fn(crate::html::escape_to);
        tera.register_filter("json_encode", tera_contrib::json::json_encode);
        tera.add_raw_templates(sources.iter().map(|(n, s)| (n.as_str(), s.as_str())))
            .map_err(|e| anyhow::anyhow!(crate::render::tera_message(&e)))
            .with_context(|| format!("the templates of the theme `{name}` do not compile"))?;
        let mut hasher = Xxh3::new();
        for (template, text) in &sources {
            for part in [template, text] {
                hasher.update(&(part.len() as u64).to_le_bytes());
                hasher.update(part.as_bytes());
            }
        }
        hasher.update(i18n.as_bytes());
        hasher.update(language.as_bytes());
        let texts = parse_texts(&i18n, language)
            .with_context(|| format!("in the translation table of the theme `{name}`"))?;
        Ok(Theme {
            tera,
            texts,
            static_files,
            fingerprint: hasher.digest128(),
        })
    }
}

type Parts = (BTreeMap<String, String>, String, Vec<(String, StaticFile)>);

fn load_folder(dir: &Path) -> Result<Parts> {
    let templates = read_templates(&dir.join("templates"))?;
    let i18n_path = dir.join("i18n.toml");
    let i18n = std::fs::read_to_string(&i18n_path)
        .with_context(|| format!("cannot read {}", i18n_path.display()))?;
    let mut static_files = Vec::new();
    let static_dir = dir.join("static");
    if static_dir.is_dir() {
        collect_files(&static_dir, "", &mut static_files)?;
    }
    static_files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok((templates, i18n, static_files))
}

fn collect_files(dir: &Path, prefix: &str, out: &mut Vec<(String, StaticFile)>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        let rel = format!("{prefix}{name}");
        if path.is_dir() {
            collect_files(&path, &format!("{rel}/"), out)?;
        } else {
            out.push((rel, StaticFile::Disk(path)));
        }
    }
    Ok(())
}

fn read_templates(dir: &Path) -> Result<BTreeMap<String, String>> {
    let mut templates = BTreeMap::new();
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "html") {
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            templates.insert(name, text);
        }
    }
    Ok(templates)
}

/// The table `language` of a translation file, checked to be complete.
fn parse_texts(i18n: &str, language: &str) -> Result<Texts> {
    let tables: BTreeMap<String, toml::Table> = toml::from_str(i18n)?;
    let Some(table) = tables.get(language) else {
        let known: Vec<_> = tables.keys().map(String::as_str).collect();
        bail!(
            "site.toml: language = \"{language}\" is not available: expected one of {}",
            known.join(", ")
        );
    };
    let mut strings = BTreeMap::new();
    let mut months = Vec::new();
    for (key, value) in table {
        match (key.as_str(), value) {
            ("months", toml::Value::Array(names)) => {
                months = names
                    .iter()
                    .filter_map(|n| n.as_str().map(str::to_owned))
                    .collect();
            }
            (_, toml::Value::String(text)) => {
                strings.insert(key.clone(), text.clone());
            }
            _ => bail!("[{language}] {key}: expected a string"),
        }
    }
    if months.len() != 12 {
        bail!("[{language}] months: expected the names of the 12 months");
    }
    if let Some(missing) = RUST_TEXTS.iter().find(|key| !strings.contains_key(**key)) {
        bail!("[{language}] has no text `{missing}`");
    }
    Ok(Texts { strings, months })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_of_the_standard_theme_has_every_text() {
        let tables: BTreeMap<String, toml::Table> = toml::from_str(STANDARD_I18N).unwrap();
        let danish: Vec<_> = tables["da"].keys().collect();
        assert!(tables.contains_key("en"));
        for (language, table) in &tables {
            let keys: Vec<_> = table.keys().collect();
            assert_eq!(keys, danish, "the texts of `{language}` differ from Danish");
            assert!(parse_texts(STANDARD_I18N, language).is_ok());
        }
    }

    #[test]
    fn a_translation_without_a_text_referat_needs_does_not_load() {
        let broken = STANDARD_I18N.replacen("heading_referat", "heading_referatet", 1);
        let error = parse_texts(&broken, "da").err().unwrap().to_string();
        assert_eq!(error, "[da] has no text `heading_referat`");
    }

    #[test]
    fn fill_replaces_placeholders() {
        let texts = parse_texts(STANDARD_I18N, "da").unwrap();
        assert_eq!(
            texts.fill("archive_year_heading", &[("year", "2023")]),
            "Møder i 2023"
        );
        assert_eq!(
            texts.fill(
                "calendar_council",
                &[
                    ("council", "{municipality} {x"),
                    ("municipality", "Aalborg")
                ]
            ),
            "Møder i {municipality} {x - Aalborg",
            "a value is never filled in again"
        );
    }
}
