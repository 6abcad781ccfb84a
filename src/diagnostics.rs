//! Problems found in a site's input, each tied to a file and a line.
//!
//! Loading collects every problem of a build instead of stopping at the first, so a webmaster
//! sees all of them at once (ripgrep's habit: keep going, set the exit code at the end).

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in one input file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// The file, as the webmaster names it (relative to the site root where possible).
    pub file: PathBuf,
    /// 1-based line in `file`, when the problem has one.
    pub line: Option<usize>,
    /// What is wrong and what was expected.
    pub message: String,
}

impl Diagnostic {
    /// A problem at `line` of `file`.
    pub fn at(file: &Path, line: usize, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.to_path_buf(),
            line: Some(line),
            message: message.into(),
        }
    }

    /// A problem with a whole file (or folder).
    pub fn file(file: &Path, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.to_path_buf(),
            line: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file.display(), line, self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

/// Why a build did not publish.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The input has problems; all of them are listed, sorted by file and line.
    #[error("{} problem{} in the site's input", .0.len(), if .0.len() == 1 { "" } else { "s" })]
    Content(Vec<Diagnostic>),
    /// The guard found text in the written files that must not be published (a closed item's
    /// text, a CPR number); nothing was published.
    #[error(
        "refusing to publish: {} finding{} of a closed item's text or personal data",
        .0.len(),
        if .0.len() == 1 { "" } else { "s" }
    )]
    Refused(Vec<crate::guard::Leak>),
    /// Something outside the input failed (disk, permissions, a template bug).
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// At most this many of the guard's findings are printed; a template that leaks leaks into
/// every page.
const SHOWN_LEAKS: usize = 20;

impl BuildError {
    /// Every problem on a line of its own, as the terminal shows them: `error: file:line: …`
    /// for the input's, `Error: …` and its causes for the others.
    pub fn lines(&self) -> String {
        match self {
            BuildError::Content(diagnostics) => diagnostics
                .iter()
                .map(|diagnostic| format!("error: {diagnostic}\n"))
                .collect(),
            BuildError::Refused(leaks) => {
                let mut text: String = leaks
                    .iter()
                    .take(SHOWN_LEAKS)
                    .map(|leak| format!("error: {leak}\n"))
                    .collect();
                if leaks.len() > SHOWN_LEAKS {
                    text += &format!(
                        "error: … and {} more; nothing was published\n",
                        leaks.len() - SHOWN_LEAKS
                    );
                }
                text
            }
            BuildError::Other(error) => {
                let mut text = format!("Error: {error}\n");
                for cause in error.chain().skip(1) {
                    text += &format!("Caused by: {cause}\n");
                }
                text
            }
        }
    }
}

/// The values of the results that succeeded; the problems of the others go to `diagnostics`.
pub fn collect_ok<T>(
    results: Vec<Result<T, Vec<Diagnostic>>>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<T> {
    let mut values = Vec::with_capacity(results.len());
    for result in results {
        match result {
            Ok(value) => values.push(value),
            Err(mut problems) => diagnostics.append(&mut problems),
        }
    }
    values
}

/// 1-based line numbers for byte offsets of one text.
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Index the line starts of `text`.
    pub fn new(text: &str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { starts }
    }

    /// The 1-based line holding byte `offset`.
    pub fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_counts_from_one() {
        let index = LineIndex::new("a\nbb\n\nc");
        assert_eq!(index.line(0), 1);
        assert_eq!(index.line(2), 2);
        assert_eq!(index.line(5), 3);
        assert_eq!(index.line(6), 4);
    }

    #[test]
    fn display_names_file_and_line() {
        let d = Diagnostic::at(Path::new("content/a.md"), 3, "bad");
        assert_eq!(d.to_string(), "content/a.md:3: bad");
    }
}
