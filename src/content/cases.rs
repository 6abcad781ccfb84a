//! Case history: the open items of the whole archive grouped by Sags ID, once, after loading.
//!
//! A closed item never carries its Sags ID in the model, so only open items are grouped. Each
//! case gets a page whose slug is made from its ID; two IDs written differently that give the same
//! slug (`EMN-2016-1` and `emn/2016.1`) are an error, never one silently merged page.

use std::collections::BTreeMap;

use super::model::{Case, Council, ItemRef};
use crate::diagnostics::Diagnostic;
use crate::slug::slugify;

/// The slug of the page of the Sags ID `id`: lowercase, every run of `-`, `.`, `_` and `/` one
/// `-`, e.g. "EMN-2016-02142" → "emn-2016-02142".
pub fn case_slug(id: &str) -> String {
    slugify(id)
}

/// Every Sags ID of the open items of `councils` with its items, oldest meeting first, sorted by
/// slug; or a problem for each ID whose slug another ID already gives.
pub fn group(councils: &[Council]) -> Result<Vec<Case>, Vec<Diagnostic>> {
    let mut by_id: BTreeMap<&str, Vec<ItemRef>> = BTreeMap::new();
    for (ci, council) in councils.iter().enumerate() {
        for (mi, meeting) in council.meetings.iter().enumerate() {
            for (ii, item) in meeting.items.iter().enumerate() {
                if let Some(id) = item.case.as_deref().filter(|_| !item.closed) {
                    by_id.entry(id).or_default().push(ItemRef {
                        council: ci,
                        meeting: mi,
                        item: ii,
                    });
                }
            }
        }
    }
    let mut by_slug: BTreeMap<String, Vec<(&str, Vec<ItemRef>)>> = BTreeMap::new();
    for (id, mut items) in by_id {
        items.sort_by_key(|at| {
            let meeting = &councils[at.council].meetings[at.meeting];
            (
                meeting.date,
                meeting.start.as_deref(),
                at.council,
                at.meeting,
                at.item,
            )
        });
        by_slug.entry(case_slug(id)).or_default().push((id, items));
    }
    let mut cases = Vec::with_capacity(by_slug.len());
    let mut problems = Vec::new();
    for (slug, mut ids) in by_slug {
        if let [(first, first_items), others @ ..] = ids.as_slice() {
            for (id, items) in others {
                problems.push(clash(
                    councils,
                    &slug,
                    (id, items[0]),
                    (first, first_items[0]),
                ));
            }
        }
        let (id, items) = ids.swap_remove(0);
        cases.push(Case {
            id: id.to_owned(),
            items,
        });
    }
    if problems.is_empty() {
        Ok(cases)
    } else {
        Err(problems)
    }
}

/// The problem of the Sags ID `id` (first used at `at`), whose slug the ID `other` (first used
/// at `other_at`) already gives.
fn clash(
    councils: &[Council],
    slug: &str,
    (id, at): (&str, ItemRef),
    (other, other_at): (&str, ItemRef),
) -> Diagnostic {
    let meeting = &councils[at.council].meetings[at.meeting];
    let other_meeting = &councils[other_at.council].meetings[other_at.meeting];
    Diagnostic::file(
        &meeting.source,
        format!(
            "item {}: the Sags ID `{id}` gives the case page sag/{slug}/, which the Sags ID \
             `{other}` (item {} of {}) gives too: write one case's ID the same way everywhere, \
             or IDs that differ in more than capitals and punctuation",
            meeting.items[at.item].number,
            other_meeting.items[other_at.item].number,
            other_meeting.source.display()
        ),
    )
}
