//! Subscriptions and discovery: an Atom feed and an iCalendar file for the whole site and for
//! each council, `sitemap.xml` and `robots.txt` (docs/feeds.md).
//!
//! Pages link to each other relatively, but these files are read away from the site, by feed
//! readers, calendar apps and crawlers, so every URL in them is absolute, from the base URL.
//! Every date in them comes from the content (a meeting's date and times, in
//! Europe/Copenhagen), never from the clock or from file times, so two builds of the same input
//! are byte-identical. A closed item reaches them with its number and title only, as on the
//! meeting page: the model holds nothing else of it.

mod atom;
mod calendar;
mod sitemap;

use anyhow::Result;
use chrono::{DateTime, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone};
use chrono_tz::Europe::Copenhagen;
use chrono_tz::Tz;
use rayon::prelude::*;

use crate::config::SiteConfig;
use crate::content::{Archive, Council, Meeting};
use crate::output::Sink;
use crate::render::{Page, Texts};

/// The Atom feed's file name, at the site's root and in each council's folder.
pub const ATOM: &str = "atom.xml";
/// The iCalendar file's name, at the site's root and in each council's folder.
pub const CALENDAR: &str = "kalender.ics";

/// The most meetings one feed lists, the newest: a feed reader wants what is new, and a feed
/// of a 10,000-meeting archive stays small.
const FEED_ENTRIES: usize = 50;
/// Calendars hold the meetings of this many months before the archive's newest meeting, and
/// every later one: what a subscriber plans by, without the whole archive in their calendar app.
const CALENDAR_MONTHS: u32 = 12;

/// The title of the site's feed (`None`) or of a council's, which the pages' autodiscovery
/// links show too: "Integrationsrådet - Aalborg Kommune".
pub fn title(config: &SiteConfig, council: Option<&Council>) -> String {
    match council {
        None => format!("{} - {}", config.title, config.municipality),
        Some(council) => format!("{} - {}", council.name, council.municipality),
    }
}

/// Write the feeds, calendars, sitemap and robots.txt of `archive` through `sink`, with the
/// texts of the site's language; `pages` are the site's pages, which the sitemap lists. Returns
/// how many files were written. A site opened from disk (`file://`) gets no sitemap and no
/// robots.txt: no crawler reads it there.
pub fn write(archive: &Archive, texts: &Texts, pages: &[Page], sink: &Sink) -> Result<usize> {
    let site = Site {
        config: &archive.config,
        texts,
    };
    let all = newest_first(archive.meetings());
    let from = all.first().and_then(|m| calendar_start(m.meeting.date));
    let site = &site;
    let (mut files, discovery) = rayon::join(
        || {
            let mut files: Vec<(String, String)> = archive
                .councils
                .par_iter()
                .flat_map_iter(|council| {
                    let meetings = newest_first(council.meetings.iter().map(|m| (council, m)));
                    [
                        (
                            format!("{}/{ATOM}", council.slug),
                            atom::feed(site, Some(council), &meetings),
                        ),
                        (
                            format!("{}/{CALENDAR}", council.slug),
                            calendar::calendar(site, Some(council), &meetings, from),
                        ),
                    ]
                })
                .collect();
            files.push((ATOM.to_owned(), atom::feed(site, None, &all)));
            files.push((
                CALENDAR.to_owned(),
                calendar::calendar(site, None, &all, from),
            ));
            files
        },
        || {
            if archive.config.opened_from_disk() {
                return Vec::new();
            }
            let mut files = sitemap::sitemaps(site, pages, sitemap::MAX_URLS);
            files.push((sitemap::ROBOTS.to_owned(), sitemap::robots(site)));
            files
        },
    );
    files.extend(discovery);
    files
        .par_iter()
        .try_for_each(|(path, text)| sink.write(path, text.as_bytes()))?;
    Ok(files.len())
}

/// The files [`write`] writes for `archive`, but for the numbered parts of a sitemap too large for
/// one file: the links `referat check` may follow to them.
pub fn paths(archive: &Archive) -> Vec<String> {
    let mut paths = vec![ATOM.to_owned(), CALENDAR.to_owned()];
    for council in &archive.councils {
        paths.push(format!("{}/{ATOM}", council.slug));
        paths.push(format!("{}/{CALENDAR}", council.slug));
    }
    if !archive.config.opened_from_disk() {
        paths.push(sitemap::SITEMAP.to_owned());
        paths.push(sitemap::ROBOTS.to_owned());
    }
    paths
}

/// What every file needs: the site's settings and texts, and its absolute URLs.
struct Site<'a> {
    config: &'a SiteConfig,
    texts: &'a Texts,
}

impl Site<'_> {
    /// The absolute URL of the page whose folder is `dir` (`""` for the front page, else ending
    /// in `/`); from disk the page's `index.html`, as the pages link.
    fn page_url(&self, dir: &str) -> String {
        if self.config.opened_from_disk() {
            format!("{}{dir}index.html", self.config.base_url)
        } else {
            format!("{}{dir}", self.config.base_url)
        }
    }

    /// The absolute URL of the file at `path` from the site's root.
    fn file_url(&self, path: &str) -> String {
        format!("{}{path}", self.config.base_url)
    }

    /// The absolute URL of a meeting's page.
    fn meeting_url(&self, council: &Council, meeting: &Meeting) -> String {
        self.page_url(&format!("{}/{}/", council.slug, meeting.slug))
    }

    /// The URL of the page of `council`, or of the front page.
    fn home_url(&self, council: Option<&Council>) -> String {
        self.page_url(&council.map_or(String::new(), |c| format!("{}/", c.slug)))
    }

    /// The path of the file `name` of `council`, or of the site, from the site's root.
    fn path(&self, council: Option<&Council>, name: &str) -> String {
        council.map_or(name.to_owned(), |c| format!("{}/{name}", c.slug))
    }
}

/// A meeting with its council and the moment it begins.
struct Dated<'a> {
    council: &'a Council,
    meeting: &'a Meeting,
    /// Its date at its start time, or at midnight when it has none, in Copenhagen.
    begins: DateTime<Tz>,
}

impl Dated<'_> {
    /// When it ends, if it has an end time: the same day, or the next when the end is before
    /// the start (a meeting past midnight).
    fn ends(&self) -> Option<DateTime<Tz>> {
        let end = time_of_day(self.meeting.end.as_deref()?);
        let start = self.begins.naive_local();
        let day = if end < start.time() {
            start.date() + TimeDelta::days(1)
        } else {
            start.date()
        };
        Some(copenhagen(day.and_time(end)))
    }
}

/// `meetings` newest first; meetings that begin at the same moment by council slug, then by
/// meeting slug.
fn newest_first<'a>(meetings: impl Iterator<Item = (&'a Council, &'a Meeting)>) -> Vec<Dated<'a>> {
    let mut dated: Vec<Dated<'a>> = meetings
        .map(|(council, meeting)| {
            let start = meeting.start.as_deref().map_or(NaiveTime::MIN, time_of_day);
            Dated {
                council,
                meeting,
                begins: copenhagen(meeting.date.and_time(start)),
            }
        })
        .collect();
    dated.sort_by(|a, b| {
        b.begins
            .cmp(&a.begins)
            .then_with(|| a.council.slug.cmp(&b.council.slug))
            .then_with(|| a.meeting.slug.cmp(&b.meeting.slug))
    });
    dated
}

/// A `HH:MM` time that loading has checked.
fn time_of_day(text: &str) -> NaiveTime {
    NaiveTime::parse_from_str(text, "%H:%M").unwrap_or(NaiveTime::MIN)
}

/// A wall-clock time in Copenhagen. In the hour the clocks go back, the first of the two; in
/// the hour they skip, the time the clocks show an hour later (02:30 becomes 03:30 summer time).
fn copenhagen(local: NaiveDateTime) -> DateTime<Tz> {
    Copenhagen
        .from_local_datetime(&local)
        .earliest()
        .unwrap_or_else(|| Copenhagen.from_utc_datetime(&(local - TimeDelta::hours(1))))
}

/// The first day whose meetings the calendars hold, when the archive's newest meeting is on
/// `newest`.
fn calendar_start(newest: NaiveDate) -> Option<NaiveDate> {
    newest.checked_sub_months(Months::new(CALENDAR_MONTHS))
}

/// `text` for XML character data and quoted attribute values: the five escapes, and without
/// the control characters XML 1.0 cannot hold at all.
fn xml(text: &str) -> String {
    let allowed: String = text
        .chars()
        .filter(|&c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
        .filter(|&c| !matches!(c, '\u{FFFE}' | '\u{FFFF}'))
        .collect();
    crate::html::escape(&allowed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(date: &str, time: &str) -> String {
        let local = NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .unwrap()
            .and_time(time_of_day(time));
        copenhagen(local).to_rfc3339()
    }

    #[test]
    fn copenhagen_keeps_winter_and_summer_time_and_its_history() {
        assert_eq!(at("2024-01-15", "16:00"), "2024-01-15T16:00:00+01:00");
        assert_eq!(at("2023-10-10", "16:00"), "2023-10-10T16:00:00+02:00");
        // Before 1996 summer time ended in September.
        assert_eq!(at("1995-09-30", "12:00"), "1995-09-30T12:00:00+01:00");
        assert_eq!(at("1996-09-30", "12:00"), "1996-09-30T12:00:00+02:00");
    }

    #[test]
    fn times_the_clocks_skip_or_repeat_are_read_as_the_clocks_show_them() {
        // 31 March 2024: 02:00 became 03:00. 27 October 2024: 03:00 became 02:00.
        assert_eq!(at("2024-03-31", "02:30"), "2024-03-31T03:30:00+02:00");
        assert_eq!(at("2024-10-27", "02:30"), "2024-10-27T02:30:00+02:00");
    }

    #[test]
    fn calendars_start_a_year_before_the_newest_meeting() {
        let newest = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        assert_eq!(calendar_start(newest), NaiveDate::from_ymd_opt(2023, 2, 28));
    }

    #[test]
    fn xml_escapes_and_drops_what_xml_cannot_hold() {
        assert_eq!(
            xml("Råd & <udvalg> \"x\" 'y'\u{1}\u{FFFF}\t"),
            "Råd &amp; &lt;udvalg&gt; &quot;x&quot; &#39;y&#39;\t"
        );
    }
}
