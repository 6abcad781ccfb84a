//! `referat check`: what `referat build` would refuse, and what it would publish without a word
//! but should not — links into the site that lead nowhere, oversized attachments, minutes dated
//! in the future, decisions in an agenda, CPR numbers in published text (docs/check.md).
//!
//! It loads the site with the build's own loader, so it reports the build's errors word for word,
//! then runs its rules on the loaded archive: `links.rs` (links and anchors), `meetings.rs`
//! (dates, statuses, attachment sizes) and `cpr.rs` (personal data). Nothing is written: not the
//! output folder, not the search cache. The clock is read by the caller and handed in as
//! `today`, so a check is a function of its input.

mod cpr;
pub(crate) use cpr::cpr_numbers;
mod links;
mod meetings;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Serialize, Serializer};

use crate::config::SiteConfig;
use crate::content;
use crate::diagnostics::Diagnostic;
use crate::render::{Renderer, Theme};

/// What to check.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// The site root: the folder with site.toml and content/.
    pub root: PathBuf,
    /// Overrides site.toml's `base_url`, as in `referat build --base-url`.
    pub base_url: Option<String>,
    /// The day the check runs: a referat dated after it is an error.
    pub today: NaiveDate,
    /// Report warnings as errors.
    pub strict: bool,
}

/// How bad a finding is: errors fail the check (exit code 1), warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The site must not be published like this.
    Error,
    /// Worth a look; an error with `--strict`.
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

impl Serialize for Severity {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// The rule behind a finding; its name is stable, for CI pipelines to filter on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rule {
    /// An error `referat build` reports (site.toml, the theme, the content).
    Build,
    /// A link into the site, or an anchor, that leads nowhere.
    BrokenLink,
    /// An attachment larger than `max_attachment_mb`.
    AttachmentSize,
    /// A referat dated after today.
    FutureReferat,
    /// A dagsorden with a Beslutning section.
    DecisionInDagsorden,
    /// `ddmmyy-xxxx` with a real date: a CPR number.
    CprNumber,
    /// `ddmmyyxxxx` with a real date: perhaps a CPR number written without its dash.
    CprNumberWithoutDash,
}

impl Serialize for Rule {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl Rule {
    /// The rule's name, as the text and JSON write it.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Build => "build",
            Rule::BrokenLink => "broken-link",
            Rule::AttachmentSize => "attachment-size",
            Rule::FutureReferat => "future-referat",
            Rule::DecisionInDagsorden => "decision-in-dagsorden",
            Rule::CprNumber => "cpr-number",
            Rule::CprNumberWithoutDash => "cpr-number-without-dash",
        }
    }

    fn severity(self) -> Severity {
        match self {
            Rule::AttachmentSize | Rule::DecisionInDagsorden | Rule::CprNumberWithoutDash => {
                Severity::Warning
            }
            _ => Severity::Error,
        }
    }
}

/// One problem at one place.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Finding {
    /// The file, relative to the site root.
    pub file: PathBuf,
    /// Its 1-based line, when the problem has one.
    pub line: Option<usize>,
    /// Error or warning (every finding is an error with `--strict`).
    pub severity: Severity,
    /// The rule that found it.
    pub rule: Rule,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub hint: String,
}

impl Finding {
    fn new(
        rule: Rule,
        file: &Path,
        line: Option<usize>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Finding {
        Finding {
            file: file.to_path_buf(),
            line,
            severity: rule.severity(),
            rule,
            message: message.into(),
            hint: hint.into(),
        }
    }

    /// An error the build reports, as the build words it.
    fn build(diagnostic: Diagnostic) -> Finding {
        Finding::new(
            Rule::Build,
            &diagnostic.file,
            diagnostic.line,
            diagnostic.message,
            "`referat build` stops at this and publishes nothing: fix it first",
        )
    }
}

/// What was checked, when the site loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Checked {
    /// Councils loaded.
    pub councils: usize,
    /// Meetings loaded.
    pub meetings: usize,
}

/// The outcome of a check; serialised as the JSON that `--format json` prints.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Every finding, sorted by file, then line.
    pub findings: Vec<Finding>,
    /// How many findings are errors.
    pub errors: usize,
    /// How many findings are warnings.
    pub warnings: usize,
    /// What was checked; `None` when site.toml or the content did not load, so that only the
    /// build's errors were looked for.
    pub checked: Option<Checked>,
}

/// Check the site at `options.root`. Problems with the site are findings, never an `Err`.
pub fn check(options: &CheckOptions) -> Report {
    let mut findings = Vec::new();
    let checked = run(options, &mut findings);
    if options.strict {
        for finding in &mut findings {
            finding.severity = Severity::Error;
        }
    }
    findings.sort();
    // The same number or link twice on one line is one thing to fix.
    findings.dedup();
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    Report {
        warnings: findings.len() - errors,
        errors,
        findings,
        checked,
    }
}

fn run(options: &CheckOptions, findings: &mut Vec<Finding>) -> Option<Checked> {
    let root = &options.root;
    let config = match SiteConfig::load(root, options.base_url.as_deref()) {
        Ok(config) => config,
        Err(diagnostic) => {
            findings.push(Finding::build(diagnostic));
            return None;
        }
    };
    let max_attachment_mb = config.max_attachment_mb;
    let theme_file = theme_file(root, &config.theme);
    let theme = match Theme::load(root, &config.theme, &config.language) {
        Ok(theme) => Some(theme),
        Err(error) => {
            let message = error_chain(&error);
            let prefix = format!("{}: ", theme_file.display());
            let message = message.strip_prefix(&prefix).unwrap_or(&message);
            findings.push(Finding::build(Diagnostic::file(&theme_file, message)));
            None
        }
    };
    let archive = match content::load(root, config, None) {
        Ok(archive) => archive,
        Err(diagnostics) => {
            findings.extend(diagnostics.into_iter().map(Finding::build));
            return None;
        }
    };
    findings.extend(meetings::check(
        root,
        &archive,
        options.today,
        max_attachment_mb,
    ));
    findings.extend(cpr::check(root, &archive));
    if let Some(theme) = theme {
        let renderer = Renderer::new(&archive, theme);
        findings.extend(links::check(&archive, &renderer, &theme_file));
    }
    Some(Checked {
        councils: archive.councils.len(),
        meetings: archive.meetings().count(),
    })
}

/// An error with its causes, on one line.
fn error_chain(error: &anyhow::Error) -> String {
    error
        .chain()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(": ")
}

/// Where the theme `name` of the site at `root` comes from, for findings about it: its own
/// folder, else the site's template overrides, else site.toml, which names it.
fn theme_file(root: &Path, name: &str) -> PathBuf {
    let own = Path::new("themes").join(name);
    if root.join(&own).is_dir() {
        own
    } else if root.join("templates").is_dir() {
        PathBuf::from("templates")
    } else {
        PathBuf::from(crate::config::FILE_NAME)
    }
}
