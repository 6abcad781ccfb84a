//! The iCalendar files (RFC 5545), `kalender.ics`: one event per meeting, for calendar apps to
//! subscribe to.
//!
//! Times are written in UTC, converted from Copenhagen's wall clock with the time zone
//! database, rather than as local times with a VTIMEZONE: a VTIMEZONE would have to spell out
//! Denmark's summer time rules for every year the archive reaches (they changed in 1996), and
//! every calendar app reads UTC. A meeting without a start time is an all-day event. An event's
//! DTSTAMP is the moment the meeting begins, since the content has no other date.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use chrono_tz::Tz;

use super::{CALENDAR, Dated, Site};
use crate::content::Council;

/// The longest line, in octets, without its CRLF.
const LINE_OCTETS: usize = 75;

/// The calendar of `council`, or of the whole site, of those of `meetings` (sorted newest
/// first) held on `from` or later.
pub(super) fn calendar(
    site: &Site<'_>,
    council: Option<&Council>,
    meetings: &[Dated<'_>],
    from: Option<NaiveDate>,
) -> String {
    let config = site.config;
    let name = match council {
        None => site
            .texts
            .fill("calendar_site", &[("municipality", &config.municipality)]),
        Some(c) => site.texts.fill(
            "calendar_council",
            &[("council", &c.name), ("municipality", &c.municipality)],
        ),
    };
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        format!(
            "PRODID:-//referat//NONSGML referat//{}",
            config.language.to_uppercase()
        ),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        format!("NAME:{}", text(&name)),
        format!("X-WR-CALNAME:{}", text(&name)),
        "X-WR-TIMEZONE:Europe/Copenhagen".to_owned(),
        format!("SOURCE:{}", site.file_url(&site.path(council, CALENDAR))),
        "REFRESH-INTERVAL;VALUE=DURATION:P1D".to_owned(),
        "X-PUBLISHED-TTL:P1D".to_owned(),
    ];
    for dated in meetings {
        if from.is_none_or(|from| dated.meeting.date >= from) {
            event(site, dated, &mut lines);
        }
    }
    lines.push("END:VCALENDAR".to_owned());
    let mut out = String::new();
    for line in &lines {
        fold(line, &mut out);
    }
    out
}

fn event(site: &Site<'_>, dated: &Dated<'_>, lines: &mut Vec<String>) {
    let Dated {
        council, meeting, ..
    } = dated;
    let texts = site.texts;
    let url = site.meeting_url(council, meeting);
    lines.push("BEGIN:VEVENT".to_owned());
    lines.push(format!("UID:{}", text(&uid(site, council, &meeting.slug))));
    lines.push(format!("DTSTAMP:{}", utc(dated.begins)));
    if meeting.start.is_some() {
        lines.push(format!("DTSTART:{}", utc(dated.begins)));
        if let Some(ends) = dated.ends() {
            lines.push(format!("DTEND:{}", utc(ends)));
        }
    } else {
        lines.push(format!("DTSTART;VALUE=DATE:{}", day(meeting.date)));
        lines.push(format!(
            "DTEND;VALUE=DATE:{}",
            day(meeting.date + TimeDelta::days(1))
        ));
    }
    lines.push(format!(
        "SUMMARY:{}",
        text(&texts.fill("calendar_event", &[("council", &council.name)]))
    ));
    if let Some(place) = &meeting.place {
        lines.push(format!("LOCATION:{}", text(place)));
    }
    let mut description = texts.meeting_heading(&council.name, meeting);
    description.push('\n');
    for item in &meeting.items {
        description.push_str(&format!("\n{}. {}", item.number, item.title));
        if item.closed {
            description.push_str(&format!(" ({})", texts.get("closed")));
        }
    }
    description.push_str(&format!("\n\n{url}"));
    lines.push(format!("DESCRIPTION:{}", text(&description)));
    lines.push(format!("URL:{url}"));
    lines.push("END:VEVENT".to_owned());
}

/// A meeting's UID: its page's path under the base URL's host, at that host
/// (`integrationsraadet/2023-10-10@www.kommune.dk`), `localhost` for a site opened from disk.
fn uid(site: &Site<'_>, council: &Council, meeting_slug: &str) -> String {
    let base = &site.config.base_url;
    let after_scheme = &base[base.find("://").map_or(0, |i| i + 3)..];
    let host = after_scheme.split('/').next().unwrap_or_default();
    let host = if host.is_empty() { "localhost" } else { host };
    let path = site.config.base_path().trim_start_matches('/');
    format!("{path}{}/{meeting_slug}@{host}", council.slug)
}

fn utc(moment: DateTime<Tz>) -> String {
    moment
        .with_timezone(&Utc)
        .format("%Y%m%dT%H%M%SZ")
        .to_string()
}

fn day(date: NaiveDate) -> String {
    date.format("%Y%m%d").to_string()
}

/// `value` as an iCalendar TEXT: `\`, `;` and `,` escaped, line breaks as `\n`, and without the
/// control characters TEXT cannot hold.
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Append `line` to `out` folded into lines of at most 75 octets, each ended by CRLF; a
/// continuation line starts with a space, and no character is split.
fn fold(line: &str, out: &mut String) {
    let mut room = LINE_OCTETS;
    let mut used = 0;
    for c in line.chars() {
        if used + c.len_utf8() > room {
            out.push_str("\r\n ");
            room = LINE_OCTETS - 1;
            used = 0;
        }
        out.push(c);
        used += c.len_utf8();
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            text("Sted; rum 1, 2. sal\\\nnæste\r\u{7}linje"),
            "Sted\\; rum 1\\, 2. sal\\\\\\nnæstelinje"
        );
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_a_character() {
        let line = format!("DESCRIPTION:{}", "æ".repeat(100));
        let mut out = String::new();
        fold(&line, &mut out);
        let lines: Vec<&str> = out.strip_suffix("\r\n").unwrap().split("\r\n").collect();
        assert!(lines.len() > 2);
        for (i, l) in lines.iter().enumerate() {
            assert!(l.len() <= 75, "line {i} has {} octets", l.len());
            assert_eq!(i > 0, l.starts_with(' '));
        }
        assert!(lines[0].len() + "æ".len() > 75, "the first line is full");
        let unfolded: String = lines
            .iter()
            .enumerate()
            .map(|(i, l)| if i == 0 { *l } else { &l[1..] })
            .collect();
        assert_eq!(unfolded, line);
    }
}
