//! Case history: the open items of the whole archive grouped by Sags ID, once, after loading.
//!
//! A closed item never carries its Sags ID in the model, so only open items are grouped. Each
//! case gets a page whose slug is made from its ID; two IDs written differently that give the same
//! slug (`EMN-2016-1` and `emn/2016.1`) are an error, never one silently merged page.

use rayon::prelude::*;

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
    // Every use of an ID, by ID then oldest meeting first: the order of the meetings and the
    // place of the item tell any two uses apart, so the sort needs no stability.
    let mut uses: Vec<(&str, ItemRef)> = councils
        .par_iter()
        .enumerate()
        .flat_map_iter(|(ci, council)| uses_in(ci, council))
        .collect();
    let order = |at: &ItemRef| {
        let meeting = &councils[at.council].meetings[at.meeting];
        (
            meeting.date,
            meeting.start.as_deref(),
            at.council,
            at.meeting,
            at.item,
        )
    };
    uses.par_sort_unstable_by(|a, b| a.0.cmp(b.0).then_with(|| order(&a.1).cmp(&order(&b.1))));
    let by_id: Vec<&[(&str, ItemRef)]> = uses.chunk_by(|a, b| a.0 == b.0).collect();
    // By slug, and of the IDs that give one slug, the first by ID is its case.
    let mut by_slug: Vec<(String, &[(&str, ItemRef)])> = by_id
        .into_par_iter()
        .map(|uses| (case_slug(uses[0].0), uses))
        .collect();
    by_slug.par_sort_by(|a, b| a.0.cmp(&b.0));
    let mut cases = Vec::with_capacity(by_slug.len());
    let mut problems = Vec::new();
    for ids in by_slug.chunk_by(|a, b| a.0 == b.0) {
        let (slug, first) = &ids[0];
        for (_, other) in &ids[1..] {
            problems.push(clash(councils, slug, other[0], first[0]));
        }
        cases.push(Case {
            id: first[0].0.to_owned(),
            items: first.iter().map(|(_, at)| *at).collect(),
        });
    }
    if problems.is_empty() {
        Ok(cases)
    } else {
        Err(problems)
    }
}

/// The Sags ID of each open item of `council`, the `ci`th, with the item.
fn uses_in(ci: usize, council: &Council) -> Vec<(&str, ItemRef)> {
    let mut uses = Vec::new();
    for (mi, meeting) in council.meetings.iter().enumerate() {
        for (ii, item) in meeting.items.iter().enumerate() {
            if let Some(id) = item.case.as_deref().filter(|_| !item.closed) {
                let at = ItemRef {
                    council: ci,
                    meeting: mi,
                    item: ii,
                };
                uses.push((id, at));
            }
        }
    }
    uses
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
