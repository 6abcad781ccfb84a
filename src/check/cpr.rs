//! Personal data: text that looks like a Danish CPR number, `ddmmyy-xxxx` where `ddmmyy` is a
//! real date, anywhere a build publishes it: every line of a council's `_index.md` and of a
//! meeting file except the bodies of closed items, which are never published. Ten digits without
//! the dash (`ddmmyyxxxx`) are only a warning: account and reference numbers look like that too.
//!
//! Findings show the number masked (`010190-****`), so a CI log does not publish what the check
//! is there to keep off the site.

use std::ops::Range;
use std::path::Path;

use chrono::NaiveDate;
use rayon::prelude::*;

use super::{Finding, Rule};
use crate::content::{Archive, Meeting};
use crate::diagnostics::Diagnostic;

/// The findings of this rule in every file of `archive` (site at `root`).
pub(super) fn check(root: &Path, archive: &Archive) -> Vec<Finding> {
    let mut files: Vec<(&Path, Vec<Range<usize>>)> = Vec::new();
    for council in &archive.councils {
        files.push((&council.source, Vec::new()));
        for meeting in &council.meetings {
            files.push((&meeting.source, closed_bodies(meeting)));
        }
    }
    files
        .par_iter()
        .flat_map_iter(|(file, hidden)| scan_file(root, file, hidden))
        .collect()
}

/// The lines of the bodies of the closed items: after each one's heading up to the next item.
fn closed_bodies(meeting: &Meeting) -> Vec<Range<usize>> {
    let items = &meeting.items;
    items
        .iter()
        .enumerate()
        .filter(|(_, item)| item.closed)
        .map(|(i, item)| item.line + 1..items.get(i + 1).map_or(usize::MAX, |next| next.line))
        .collect()
}

fn scan_file(root: &Path, file: &Path, hidden: &[Range<usize>]) -> Vec<Finding> {
    let text = match std::fs::read_to_string(root.join(file)) {
        Ok(text) => text,
        Err(e) => {
            let problem = Diagnostic::file(file, format!("cannot read the file: {e}"));
            return vec![Finding::build(problem)];
        }
    };
    let mut findings = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        if hidden.iter().any(|lines| lines.contains(&number)) {
            continue;
        }
        for found in cpr_numbers(line) {
            findings.push(if found.dashed {
                Finding::new(
                    Rule::CprNumber,
                    file,
                    Some(number),
                    format!(
                        "`{}` looks like a CPR number: personal data that must not be published",
                        found.masked
                    ),
                    "remove the number, or move the text into a closed item (`{.lukket}`), \
                     whose body is never published",
                )
            } else {
                Finding::new(
                    Rule::CprNumberWithoutDash,
                    file,
                    Some(number),
                    format!(
                        "`{}` may be a CPR number written without its dash",
                        found.masked
                    ),
                    "if it is one, remove it or move the text into a closed item (`{.lukket}`); \
                     other ten-digit numbers that start with a date may stay",
                )
            });
        }
    }
    findings
}

/// A number that looks like a CPR number.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Found {
    /// Written `ddmmyy-xxxx`, not `ddmmyyxxxx`.
    pub(crate) dashed: bool,
    /// The date part, then the last four digits as `*`.
    pub(crate) masked: String,
}

/// The numbers in `line` that look like CPR numbers: six digits that form a date, then four
/// digits, with or without a `-` between them, standing alone: not part of a longer number, a
/// word, a Sags ID (`EMN-2016-02142`) or a phone number in international form (`+45…`).
pub(crate) fn cpr_numbers(line: &str) -> Vec<Found> {
    let bytes = line.as_bytes();
    let mut found = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        if !bytes[at].is_ascii_digit() {
            at += 1;
            continue;
        }
        let start = at;
        let end = digits_end(bytes, start);
        at = end;
        if joined_before(&line[..start]) {
            continue;
        }
        let (dashed, stop) = match end - start {
            6 if bytes.get(end) == Some(&b'-') => {
                let last = digits_end(bytes, end + 1);
                if last - (end + 1) != 4 {
                    continue;
                }
                at = last;
                (true, last)
            }
            10 => (false, end),
            _ => continue,
        };
        if joined_after(&line[stop..]) || !is_date(&line[start..start + 6]) {
            continue;
        }
        let dash = if dashed { "-" } else { "" };
        found.push(Found {
            dashed,
            masked: format!("{}{dash}****", &line[start..start + 6]),
        });
    }
    found
}

/// The end of the run of ASCII digits that starts at `start`.
fn digits_end(bytes: &[u8], start: usize) -> usize {
    start
        + bytes[start..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
}

/// Whether the text before a number makes it part of something longer: a word, a Sags ID, a
/// path, a decimal number, or a phone number after `+`.
fn joined_before(before: &str) -> bool {
    before
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric() || "-_/.+".contains(c))
}

/// Whether the text after a number makes it part of something longer.
fn joined_after(after: &str) -> bool {
    after
        .chars()
        .next()
        .is_some_and(|c| c.is_alphanumeric() || "-_/".contains(c))
}

/// Whether `ddmmyy` is a day of the calendar in 19yy or 20yy.
fn is_date(ddmmyy: &str) -> bool {
    let part = |range: Range<usize>| ddmmyy[range].parse::<u32>().unwrap_or(0);
    let (day, month, year) = (part(0..2), part(2..4), part(4..6) as i32);
    [1900, 2000]
        .iter()
        .any(|century| NaiveDate::from_ymd_opt(century + year, month, day).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(line: &str) -> Vec<String> {
        cpr_numbers(line).into_iter().map(|f| f.masked).collect()
    }

    #[test]
    fn dashed_numbers_with_a_real_date_are_found() {
        assert_eq!(masked("CPR-nr. 010190-1234."), ["010190-****"]);
        assert_eq!(
            masked("(290200-1234) og 311299-0001"),
            ["290200-****", "311299-****"]
        );
        assert!(cpr_numbers("010190-1234")[0].dashed);
    }

    #[test]
    fn numbers_without_a_real_date_are_not() {
        assert!(masked("320190-1234").is_empty());
        assert!(masked("011390-1234").is_empty());
        assert!(masked("300290-1234").is_empty());
        assert!(masked("290201-1234").is_empty());
    }

    #[test]
    fn ten_digits_are_found_without_the_dash() {
        let found = cpr_numbers("konto 0101901234");
        assert_eq!(found.len(), 1);
        assert!(!found[0].dashed);
        assert_eq!(found[0].masked, "010190****");
    }

    #[test]
    fn case_ids_phone_numbers_and_dates_are_not_cpr_numbers() {
        for line in [
            "Sags ID: EMN-2016-02142",
            "EMN-010190-1234",
            "sag 010190-1234-A",
            "Ring til os: 99 31 37 00, +45 9931 3700 eller +4501019012",
            "tlf. 9931-3700, 9931 3700",
            "Mødet 2023-10-10 kl. 16:00",
            "01019012345 og 010190-12345 og 1010190-1234",
            "x010190-1234",
            "https://example.dk/010190-1234",
        ] {
            assert!(masked(line).is_empty(), "{line}: {:?}", masked(line));
        }
    }
}
