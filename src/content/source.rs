//! Reading a content file: UTF-8 text, front matter between `---` lines, then the body.

use std::path::Path;

use chrono::NaiveDate;
use serde::de::DeserializeOwned;

use crate::diagnostics::Diagnostic;

/// A content file split into its parts. CRLF line endings and a UTF-8 BOM are normalised away.
pub struct Source {
    /// The whole text, normalised.
    pub text: String,
    /// A hash of the whole text: what the file says, for the build's cache.
    pub fingerprint: u128,
    /// Byte range of the YAML between the `---` lines.
    yaml: std::ops::Range<usize>,
    /// Byte offset where the body starts.
    body_start: usize,
}

impl Source {
    /// Read `path` (shown as `shown` in messages) and split off its front matter.
    pub fn read(path: &Path, shown: &Path) -> Result<Source, Diagnostic> {
        Source::parse(Source::read_bytes(path, shown)?, shown)
    }

    /// The bytes of `path` (shown as `shown` in messages), for [`Source::parse`].
    pub fn read_bytes(path: &Path, shown: &Path) -> Result<Vec<u8>, Diagnostic> {
        std::fs::read(path)
            .map_err(|e| Diagnostic::file(shown, format!("cannot read the file: {e}")))
    }

    /// Split the file's contents `bytes` (shown as `shown` in messages) like [`Source::read`].
    pub fn parse(bytes: Vec<u8>, shown: &Path) -> Result<Source, Diagnostic> {
        if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
            return Err(Diagnostic::at(
                shown,
                1,
                "the file is UTF-16 text (it starts with a UTF-16 byte-order mark): save it as \
                 UTF-8",
            ));
        }
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let bytes = e.as_bytes();
                let line = bytes[..valid].iter().filter(|&&b| b == b'\n').count() + 1;
                return Err(Diagnostic::at(
                    shown,
                    line,
                    format!(
                        "the file is not UTF-8 text (byte 0x{:02X} cannot start a character); \
                         it may be saved as Windows-1252 or Latin-1: save it as UTF-8",
                        bytes[valid]
                    ),
                ));
            }
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let text = text.replace("\r\n", "\n");
        if text.trim().is_empty() {
            return Err(Diagnostic::file(
                shown,
                "the file is empty: expected front matter between `---` lines, then the body",
            ));
        }
        let Some(rest) = text.strip_prefix("---\n") else {
            return Err(Diagnostic::at(
                shown,
                1,
                "expected front matter: the file must start with a line `---`, then YAML, then `---`",
            ));
        };
        let yaml_start = 4;
        let close = if rest.starts_with("---\n") || rest == "---" {
            Some(0)
        } else {
            rest.find("\n---\n")
                .map(|i| i + 1)
                .or_else(|| rest.strip_suffix("\n---").map(|r| r.len() + 1))
        };
        let Some(close) = close else {
            return Err(Diagnostic::at(
                shown,
                1,
                "the front matter is not closed: expected a line `---` after the YAML",
            ));
        };
        let yaml_end = yaml_start + close;
        let body_start = (yaml_end + 4).min(text.len());
        Ok(Source {
            fingerprint: xxhash_rust::xxh3::xxh3_128(text.as_bytes()),
            text,
            yaml: yaml_start..yaml_end,
            body_start,
        })
    }

    /// The body after the front matter.
    pub fn body(&self) -> &str {
        &self.text[self.body_start..]
    }

    /// The 1-based line of the file where the body starts.
    pub fn body_first_line(&self) -> usize {
        self.text[..self.body_start].matches('\n').count() + 1
    }

    /// Parse the front matter as `T`; errors name the line in the file.
    pub fn front_matter<T: DeserializeOwned>(&self, shown: &Path) -> Result<T, Diagnostic> {
        let yaml = &self.text[self.yaml.clone()];
        let yaml = if yaml.trim().is_empty() { "{}" } else { yaml };
        if let Some(line) = too_deep(yaml) {
            return Err(Diagnostic::at(
                shown,
                line + 1,
                format!(
                    "front matter: more than {MAX_FLOW_DEPTH} `[` or `{{` nested here: expected \
                     plain values and lists, e.g. `participants: [Anna Lynge, Nikola Bosic]`"
                ),
            ));
        }
        serde_yaml::from_str(yaml).map_err(|e| {
            // YAML reports a tab in an indentation as a character that cannot start a token, on
            // a line near it: name the line and the tab instead.
            if let Some(i) = yaml.lines().position(|l| {
                l.starts_with([' ', '\t']) && l[..l.len() - l.trim_start().len()].contains('\t')
            }) {
                return Diagnostic::at(
                    shown,
                    i + 2,
                    "front matter: a tab indents this line: expected spaces, since YAML \
                     indents with spaces only",
                );
            }
            let (message, mut lines) = strip_positions(&e.to_string());
            lines.extend(e.location().map(|l| l.line()));
            let line = lines.into_iter().min().unwrap_or(1) + 1;
            Diagnostic::at(shown, line, format!("front matter: {message}"))
        })
    }

    /// Check the value of front-matter key `key` with `parse`; a problem names the key's line.
    pub fn field<T>(
        &self,
        shown: &Path,
        key: &str,
        value: &str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<T, Diagnostic> {
        parse(value).map_err(|message| {
            Diagnostic::at(
                shown,
                self.key_line(key),
                format!("front matter: {key}: {message}"),
            )
        })
    }

    /// The 1-based line of the front-matter key `key`, for problems found after parsing.
    pub fn key_line(&self, key: &str) -> usize {
        let yaml = &self.text[self.yaml.clone()];
        yaml.lines()
            .position(|l| {
                l.strip_prefix(key)
                    .is_some_and(|rest| rest.trim_start().starts_with(':'))
            })
            .map_or(1, |i| i + 2)
    }
}

/// Front matter nests `[` and `{` this deep at most. The YAML parser takes time quadratic in
/// the depth (200 kB of `[` took two minutes), and no front matter needs more than two levels.
const MAX_FLOW_DEPTH: usize = 32;

/// The 1-based line of `yaml` where `[` and `{` nest deeper than [`MAX_FLOW_DEPTH`], counted
/// without regard to quotes (a quoted value with so many is no less absurd), if they do.
fn too_deep(yaml: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (n, line) in yaml.lines().enumerate() {
        for b in line.bytes() {
            match b {
                b'[' | b'{' => depth += 1,
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
            if depth > MAX_FLOW_DEPTH {
                return Some(n + 1);
            }
        }
    }
    None
}

/// serde_yaml's message without its " at line N column M" parts (which count from the YAML's
/// first line, not the file's), and the lines they named. A scanner error names where the
/// broken value starts and where parsing gave up: the earliest is the one to show.
fn strip_positions(message: &str) -> (String, Vec<usize>) {
    let mut text = String::with_capacity(message.len());
    let mut lines = Vec::new();
    let mut rest = message;
    while let Some(at) = rest.find(" at line ") {
        text.push_str(&rest[..at]);
        let after = &rest[at + " at line ".len()..];
        let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        lines.extend(after[..digits].parse::<usize>().ok());
        let after = &after[digits..];
        rest = match after.strip_prefix(" column ") {
            Some(col) => col.trim_start_matches(|c: char| c.is_ascii_digit()),
            None => after,
        };
    }
    text.push_str(rest);
    (text, lines)
}

/// Parse a `YYYY-MM-DD` date, saying what was wrong.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let shape_ok = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return Err(format!("`{text}` is not a date: expected YYYY-MM-DD"));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        format!("`{text}` is not a day of the calendar: expected a real date YYYY-MM-DD")
    })
}

/// Parse a `HH:MM` time of day, saying what was wrong.
pub fn parse_time(text: &str) -> Result<String, String> {
    if text.len() == 5 && chrono::NaiveTime::parse_from_str(text, "%H:%M").is_ok() {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "`{text}` is not a time of day: expected HH:MM, e.g. \"16:00\""
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_must_exist() {
        assert!(parse_date("2023-10-10").is_ok());
        assert!(
            parse_date("2023-02-30")
                .unwrap_err()
                .contains("not a day of the calendar")
        );
        assert!(
            parse_date("10-10-2023")
                .unwrap_err()
                .contains("expected YYYY-MM-DD")
        );
    }
}
