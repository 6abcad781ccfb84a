//! The archive → search documents: one per council page and one per open agenda item, numbered in
//! (council, date, item) order, with the layout that maps document ids to councils, years,
//! statuses and meeting dates.
//!
//! Closed items are skipped here, so nothing of them reaches the index.

use std::ops::Range;

use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use xxhash_rust::xxh3::Xxh3;

use crate::content::{
    Archive, Council, Item, Meeting, Section, SectionKind, Status, build_id, meeting_key,
};
use crate::html::to_text;

/// The indexed fields, in the order of their bit in the bundle's field masks.
pub const FIELDS: [Field; 5] = [
    Field {
        name: "title",
        weight: 3.0,
    },
    Field {
        name: "beslutning",
        weight: 2.0,
    },
    Field {
        name: "indstilling",
        weight: 1.5,
    },
    Field {
        name: "rest",
        weight: 1.0,
    },
    Field {
        name: "case",
        weight: 3.0,
    },
];

/// The index of the Sags ID field in [`FIELDS`]: one lowercased term, no positions.
pub const CASE_FIELD: usize = 4;

/// One indexed field and its weight in the score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Field {
    /// Its name in the index.
    pub name: &'static str,
    /// What its BM25 score is multiplied by.
    pub weight: f64,
}

/// One search document: the text of its fields, and the fragment shown for it as a result.
#[derive(Debug, Clone)]
pub struct Document {
    /// The text of each field of [`FIELDS`], in order (the case field: the Sags ID or nothing).
    pub fields: [String; 5],
    /// Where the result leads: an item's anchor on its meeting page, or the council page.
    pub url: String,
    /// What a result shows: the [`Fragment`] as JSON, serialised once for the index, the
    /// group's hash and the bundle.
    pub fragment: String,
    /// What names it from one build to the next (see [`key`]).
    pub key: u64,
}

impl Document {
    /// The document's group: what changes together, so what an incremental build replaces
    /// together. A meeting's items share one (the meeting page), a council page has its own.
    pub fn group(&self) -> &str {
        let url = &self.url;
        url.split_once('#').map_or(url.as_str(), |(page, _)| page)
    }
}

/// A number naming the document at `url` from one build to the next: the start of the SHA-256
/// of its URL (an item's anchor, a council's page), which no other document shares.
fn key(url: &str) -> u64 {
    let digest = Sha256::digest(url.as_bytes());
    u64::from_le_bytes(digest[..8].try_into().expect("a SHA-256 has 32 bytes"))
}

/// What a result shows; written into a chunk of its council's fragments, `f/<name>/<n>.json`, and
/// kept in the index for `referat search`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fragment {
    /// Where the result leads and what it is.
    #[serde(flatten)]
    pub about: About,
    /// The searchable text as plain text, for excerpts.
    pub text: String,
}

/// Where a result leads and what it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct About {
    /// The item's anchor on its meeting page, or the council page, relative to the site root.
    pub url: String,
    /// The item's title, or the council's name.
    pub title: String,
    /// The council's name.
    pub council: String,
    /// The council's municipality.
    pub municipality: String,
    /// The meeting's date, `YYYY-MM-DD`; none for a council page.
    pub date: Option<String>,
    /// `dagsorden` or `referat`; none for a council page.
    pub status: Option<String>,
    /// The item's Sags ID.
    pub case: Option<String>,
}

/// Which documents belong to which council, year, status and meeting date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Layout {
    /// Every council, by slug, with its range of document ids.
    pub councils: Vec<CouncilRange>,
}

/// One council's documents: `start .. start + count`, the council page first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CouncilRange {
    /// The council's slug.
    pub slug: String,
    /// The council's name.
    pub name: String,
    /// The council's municipality.
    pub municipality: String,
    /// Its first document id (the council page).
    pub start: u32,
    /// How many documents it has, the council page included.
    pub count: u32,
    /// Runs `[year, items]` of the items after the council page, in order.
    pub years: Vec<(i32, u32)>,
    /// Runs `[local start, items]` of items of a dagsorden.
    pub agenda: Vec<(u32, u32)>,
    /// Per meeting with open items, oldest first: `[items, day number]` (days since 31 December
    /// of 1 BC).
    pub meetings: Vec<(u32, u32)>,
}

/// The search documents of an archive in id order, planned group by group: each group's key is
/// a hash of what its documents are made from, and its documents are made only when a stage
/// asks for them, so that a rebuild makes those of the changed meetings only. They are not
/// kept: an archive's documents hold all its text twice over, too much to hold at once.
pub struct Documents<'a> {
    archive: &'a Archive,
    /// Every group, in id order.
    pub groups: Vec<Group>,
    /// Per document id, its key (see [`key`]).
    pub keys: Vec<u64>,
    /// Which documents belong to which council, year, status and meeting date.
    pub layout: Layout,
}

/// Documents that change together, so that an incremental build replaces them together: a
/// meeting's open items, or a council page.
#[derive(Debug, Clone)]
pub struct Group {
    /// The page they lead to, relative to the site root: what [`Document::group`] gives.
    pub name: String,
    /// A hash of everything its documents are made from: the running program, and the key of
    /// the meeting's page ([`meeting_key`]) or of the council's `_index.md`.
    pub key: u128,
    /// Its documents' ids.
    pub docs: Range<usize>,
    council: usize,
    meeting: Option<usize>,
}

impl<'a> Documents<'a> {
    /// The plan of the documents of `archive`: their groups, keys and layout, no text yet.
    pub fn plan(archive: &'a Archive) -> Documents<'a> {
        let per_council: Vec<(Vec<Group>, Vec<u64>, CouncilRange)> = archive
            .councils
            .par_iter()
            .enumerate()
            .map(|(c, council)| plan_council(archive, c, council))
            .collect();
        let (mut groups, mut keys, mut councils) = (Vec::new(), Vec::new(), Vec::new());
        for (council_groups, council_keys, mut range) in per_council {
            let start = keys.len();
            range.start = start as u32;
            groups.extend(council_groups.into_iter().map(|mut group| {
                group.docs = start + group.docs.start..start + group.docs.end;
                group
            }));
            keys.extend(council_keys);
            councils.push(range);
        }
        Documents {
            archive,
            groups,
            keys,
            layout: Layout { councils },
        }
    }

    /// The documents of the group numbered `group`; an error when its meeting's text cannot be
    /// read.
    pub fn of(&self, group: usize) -> anyhow::Result<Vec<Document>> {
        let plan = &self.groups[group];
        let council = &self.archive.councils[plan.council];
        Ok(match plan.meeting {
            None => vec![council_document(council)],
            Some(m) => {
                let meeting = &council.meetings[m];
                let text = meeting.text()?;
                open_items(meeting)
                    .map(|item| item_document(council, meeting, text.of(item), item))
                    .collect()
            }
        })
    }

    /// The groups that hold documents of `ids`: each with its number and the part of its
    /// documents in `ids`, counted from its first.
    pub fn groups_of(
        &self,
        ids: Range<usize>,
    ) -> impl Iterator<Item = (usize, &Group, Range<usize>)> {
        let first = self.groups.partition_point(|g| g.docs.end <= ids.start);
        self.groups[first..]
            .iter()
            .take_while(move |g| g.docs.start < ids.end)
            .enumerate()
            .map(move |(n, g)| {
                let part = ids.start.max(g.docs.start) - g.docs.start
                    ..ids.end.min(g.docs.end) - g.docs.start;
                (first + n, g, part)
            })
    }
}

fn open_items(meeting: &Meeting) -> impl Iterator<Item = &Item> {
    meeting.items.iter().filter(|i| !i.closed)
}

/// One council's groups and document keys, the council page first, counted from 0, and its
/// range.
fn plan_council(
    archive: &Archive,
    number: usize,
    council: &Council,
) -> (Vec<Group>, Vec<u64>, CouncilRange) {
    let page = council_url(council);
    let mut keys = vec![key(&page)];
    let mut groups = vec![Group {
        key: group_key(archive, council, None),
        name: page,
        docs: 0..1,
        council: number,
        meeting: None,
    }];
    let mut range = CouncilRange {
        slug: council.slug.clone(),
        name: council.name.clone(),
        municipality: council.municipality.clone(),
        start: 0,
        count: 0,
        years: Vec::new(),
        agenda: Vec::new(),
        meetings: Vec::new(),
    };
    for (m, meeting) in council.meetings.iter().enumerate() {
        let local = keys.len();
        let page = meeting_url(council, meeting);
        keys.extend(open_items(meeting).map(|item| key(&item_url(&page, item))));
        let n = (keys.len() - local) as u32;
        push_run(&mut range.years, meeting.date.year(), n);
        if n == 0 {
            continue;
        }
        if meeting.status == Status::Dagsorden {
            match range.agenda.last_mut() {
                Some((s, c)) if *s + *c == local as u32 => *c += n,
                _ => range.agenda.push((local as u32, n)),
            }
        }
        range.meetings.push((n, days(meeting.date)));
        groups.push(Group {
            key: group_key(archive, council, Some(meeting)),
            name: page,
            docs: local..keys.len(),
            council: number,
            meeting: Some(m),
        });
    }
    range.count = keys.len() as u32;
    (groups, keys, range)
}

fn group_key(archive: &Archive, council: &Council, meeting: Option<&Meeting>) -> u128 {
    let mut hasher = Xxh3::new();
    hasher.update(build_id().as_bytes());
    match meeting {
        Some(meeting) => hasher.update(&meeting_key(archive, council, meeting).to_le_bytes()),
        None => {
            hasher.update(&archive.config_key.to_le_bytes());
            hasher.update(&council.fingerprint.to_le_bytes());
            hasher.update(council.slug.as_bytes());
        }
    }
    hasher.digest128()
}

fn council_url(council: &Council) -> String {
    format!("{}/", council.slug)
}

fn meeting_url(council: &Council, meeting: &Meeting) -> String {
    format!("{}/{}/", council.slug, meeting.slug)
}

fn item_url(meeting_url: &str, item: &Item) -> String {
    format!("{meeting_url}#punkt-{}", item.number)
}

fn push_run<K: PartialEq>(runs: &mut Vec<(K, u32)>, key: K, n: u32) {
    if n == 0 {
        return;
    }
    match runs.last_mut() {
        Some((k, c)) if *k == key => *c += n,
        _ => runs.push((key, n)),
    }
}

fn days(date: NaiveDate) -> u32 {
    date.num_days_from_ce().max(0) as u32
}

fn council_document(council: &Council) -> Document {
    let text = to_text(&council.kommissorium_html);
    let fragment = Fragment {
        about: About {
            url: council_url(council),
            title: council.name.clone(),
            council: council.name.clone(),
            municipality: council.municipality.clone(),
            date: None,
            status: None,
            case: None,
        },
        text: text.clone(),
    };
    document(
        [
            council.name.clone(),
            String::new(),
            String::new(),
            text,
            String::new(),
        ],
        fragment,
    )
}

/// The document with `fields` that shows `fragment`.
fn document(fields: [String; 5], fragment: Fragment) -> Document {
    Document {
        key: key(&fragment.about.url),
        fields,
        fragment: serde_json::to_string(&fragment).expect("a fragment is plain data"),
        url: fragment.about.url,
    }
}

fn item_document(
    council: &Council,
    meeting: &Meeting,
    sections: &[Section],
    item: &Item,
) -> Document {
    let (mut beslutning, mut indstilling, mut rest, mut all) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for section in sections {
        let text = to_text(&section.html);
        match section.kind {
            SectionKind::Beslutning => beslutning.push(text.clone()),
            SectionKind::Indstilling => indstilling.push(text.clone()),
            _ => {
                if !section.title.is_empty() {
                    rest.push(section.title.clone());
                }
                rest.push(text.clone());
            }
        }
        all.push(text);
    }
    let fragment = Fragment {
        about: About {
            url: item_url(&meeting_url(council, meeting), item),
            title: item.title.clone(),
            council: council.name.clone(),
            municipality: council.municipality.clone(),
            date: Some(meeting.date.format("%Y-%m-%d").to_string()),
            status: Some(meeting.status.as_str().to_owned()),
            case: item.case.clone(),
        },
        text: all.join("\n"),
    };
    document(
        [
            item.title.clone(),
            beslutning.join("\n"),
            indstilling.join("\n"),
            rest.join("\n"),
            item.case.clone().unwrap_or_default(),
        ],
        fragment,
    )
}
