//! Answering a query from the index: parsing, matching, scoring, filters, facets, sorting,
//! excerpts and suggestions, exactly as docs/search-bundle.md describes.
//!
//! `themes/standard/search/search.js` does the same in the browser, operation for operation, so
//! both give the same results in the same order; change one only with the other.

use std::collections::BTreeMap;

use anyhow::Result;
use serde::Serialize;

use super::analysis::{fold, tokens};
use super::documents::{About, CASE_FIELD, FIELDS, Layout};
use super::index::{IndexReader, Posting, TermPostings};
use super::score::Impacts;
use crate::html::escape;

/// At most this many terms a prefix expands to.
const PREFIX_TERMS: usize = 50;
/// A prefix shorter than this (in characters) only matches its own term.
const PREFIX_MIN_CHARS: usize = 3;
/// Tokens in an excerpt.
const EXCERPT_TOKENS: usize = 30;

/// A query with its filters, sort and page.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// What the citizen typed.
    pub text: String,
    /// Which documents to keep.
    pub filters: Filters,
    /// How many results to return.
    pub limit: usize,
    /// How many results to skip.
    pub offset: usize,
    /// The order of results.
    pub sort: Sort,
}

/// Filters: a document must have one of the listed values of every non-empty list.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Council slugs.
    pub council: Vec<String>,
    /// Municipality names.
    pub municipality: Vec<String>,
    /// Years of the meeting.
    pub year: Vec<i32>,
    /// `dagsorden` or `referat`.
    pub status: Vec<String>,
}

/// The order of results.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    /// Highest score first.
    #[default]
    Relevance,
    /// Newest meeting first.
    Date,
}

/// The answer to a query, shaped like the browser module's.
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    /// Documents matching the query and every filter.
    pub total: usize,
    /// Counts per filter value.
    pub facets: Facets,
    /// The requested page of results.
    pub results: Vec<Hit>,
    /// A query to offer instead when nothing matched.
    pub suggestion: Option<String>,
}

/// Counts per value of each filter dimension.
#[derive(Debug, Clone, Serialize)]
pub struct Facets {
    /// Per council.
    pub council: Vec<FacetValue<String>>,
    /// Per municipality.
    pub municipality: Vec<FacetValue<String>>,
    /// Per year.
    pub year: Vec<FacetValue<i32>>,
    /// Per status.
    pub status: Vec<FacetValue<String>>,
}

/// One value of a facet and how many documents have it.
#[derive(Debug, Clone, Serialize)]
pub struct FacetValue<T> {
    /// The value, as a filter takes it.
    pub value: T,
    /// The council's name (councils only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Documents with the value.
    pub count: usize,
}

/// One result.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// Where it leads and what it is.
    #[serde(flatten)]
    pub about: About,
    /// Text around the matched words, HTML-escaped, matched words in `<mark>`.
    pub excerpt: String,
}

/// A clause of a query: one word (with its prefix expansions) or one phrase.
struct Clause {
    /// The terms with their postings; for a word the first is the word's own term.
    terms: Vec<(String, Option<TermPostings>)>,
    /// For a phrase, each term's position relative to the first.
    phrase: Option<Vec<u32>>,
    /// For a single word: its place in the query and its folded form, for a suggestion.
    word: Option<(std::ops::Range<usize>, String)>,
}

/// Answer `query` from `index`, laid out as `layout`.
pub fn search(index: &IndexReader, layout: &Layout, query: &Query) -> Result<Answer> {
    let clauses = clauses(index, &query.text)?;
    let docs = if clauses.is_empty() {
        Vec::new()
    } else {
        matches(index, &clauses)
    };
    let places = Places::new(layout);
    let filters = &query.filters;
    let mut facets = Counts::default();
    let mut hits: Vec<(u32, f64)> = Vec::new();
    for (doc, score) in docs {
        let place = places.of(doc);
        let pass = [
            filters.council.is_empty() || filters.council.contains(&place.council.slug),
            filters.municipality.is_empty()
                || filters.municipality.contains(&place.council.municipality),
            filters.year.is_empty() || place.year.is_some_and(|y| filters.year.contains(&y)),
            filters.status.is_empty()
                || place
                    .status
                    .is_some_and(|s| filters.status.iter().any(|f| f == s)),
        ];
        let failed = pass.iter().filter(|p| !**p).count();
        if failed == 0 {
            hits.push((doc, score));
        }
        let counts_for = |dim: usize| failed == 0 || (failed == 1 && !pass[dim]);
        if counts_for(0) {
            *facets.council.entry(place.council_index).or_default() += 1;
        }
        if counts_for(1) {
            *facets
                .municipality
                .entry(place.council.municipality.clone())
                .or_default() += 1;
        }
        if let Some(year) = place.year.filter(|_| counts_for(2)) {
            *facets.year.entry(year).or_default() += 1;
        }
        if let Some(status) = place.status.filter(|_| counts_for(3)) {
            *facets.status.entry(status).or_default() += 1;
        }
    }
    match query.sort {
        Sort::Relevance => hits.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0))),
        Sort::Date => {
            let days = places.days();
            hits.sort_by(|a, b| {
                let (da, db) = (days[a.0 as usize], days[b.0 as usize]);
                db.cmp(&da).then(a.0.cmp(&b.0))
            });
        }
    }
    let marked: Vec<&str> = clauses
        .iter()
        .flat_map(|c| c.terms.iter().map(|(t, _)| t.as_str()))
        .collect();
    let results = hits
        .iter()
        .skip(query.offset)
        .take(query.limit)
        .map(|&(doc, _)| {
            let fragment = index.fragment(doc)?;
            Ok(Hit {
                excerpt: excerpt(&fragment.text, &marked),
                about: fragment.about,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let suggestion = if hits.is_empty() {
        suggest(index, &query.text, &clauses)?
    } else {
        None
    };
    Ok(Answer {
        total: hits.len(),
        facets: facets.list(layout, filters),
        results,
        suggestion,
    })
}

/// A word or a phrase of a query: (is a phrase, its text, its byte range in the query).
type Part<'q> = (bool, &'q str, std::ops::Range<usize>);

/// The words and phrases of a query, and whether its last word is still being typed.
fn parts(query: &str) -> (Vec<Part<'_>>, bool) {
    let mut parts = Vec::new();
    let mut chars = query.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '"' {
            let start = i + 1;
            let mut end = query.len();
            for (j, d) in chars.by_ref() {
                if d == '"' {
                    end = j;
                    break;
                }
            }
            parts.push((true, &query[start..end], start..end));
        } else if !c.is_whitespace() {
            let mut end = query.len();
            while let Some(&(j, d)) = chars.peek() {
                if d.is_whitespace() || d == '"' {
                    end = j;
                    break;
                }
                chars.next();
            }
            parts.push((false, &query[i..end], i..end));
        }
    }
    let open = matches!(parts.last(), Some((false, _, r)) if r.end == query.len());
    (parts, open)
}

fn is_case_like(word: &str) -> bool {
    word.chars().any(|c| c.is_ascii_digit()) && word.chars().any(|c| !c.is_alphanumeric())
}

fn clauses(index: &IndexReader, query: &str) -> Result<Vec<Clause>> {
    let (parts, open) = parts(query);
    let last = parts.len().wrapping_sub(1);
    let mut clauses = Vec::new();
    for (n, (is_phrase, text, range)) in parts.into_iter().enumerate() {
        if !is_phrase && is_case_like(text) {
            let key: String = text.chars().flat_map(char::to_lowercase).collect();
            if let Some(postings) = index.term(&key)? {
                clauses.push(Clause {
                    terms: vec![(key, Some(postings))],
                    phrase: None,
                    word: None,
                });
                continue;
            }
        }
        let toks = tokens(text);
        match toks.as_slice() {
            [] => {}
            [token] => {
                let own = token.text.clone();
                let mut terms = vec![(own.clone(), index.term(&own)?)];
                let folded = fold(&text[token.offset_from..token.offset_to]);
                if !is_phrase && open && n == last && folded.chars().count() >= PREFIX_MIN_CHARS {
                    let mut expansions = Vec::new();
                    for term in index.terms_with_prefix(&folded)? {
                        let Some(postings) = index.term(&term)? else {
                            continue;
                        };
                        let count = Impacts::count(&postings);
                        expansions.push((count, term, postings));
                    }
                    expansions.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
                    terms.extend(
                        expansions
                            .into_iter()
                            .take(PREFIX_TERMS)
                            .filter(|(_, t, _)| *t != own)
                            .map(|(_, t, p)| (t, Some(p))),
                    );
                }
                clauses.push(Clause {
                    terms,
                    phrase: None,
                    word: (!is_phrase).then_some((range, folded)),
                });
            }
            many => {
                let first = many[0].position as u32;
                let mut terms = Vec::new();
                for token in many {
                    terms.push((token.text.clone(), index.term(&token.text)?));
                }
                clauses.push(Clause {
                    terms,
                    phrase: Some(many.iter().map(|t| t.position as u32 - first).collect()),
                    word: None,
                });
            }
        }
    }
    Ok(clauses)
}

/// Per document, the score of one term ("Score").
fn term_scores(index: &IndexReader, postings: &TermPostings) -> BTreeMap<u32, f64> {
    let impacts = Impacts::of(index, postings);
    (0..impacts.docs.len())
        .map(|i| (impacts.docs[i], impacts.score(i)))
        .collect()
}

/// Every document matching all clauses, with its score, by document id.
fn matches(index: &IndexReader, clauses: &[Clause]) -> Vec<(u32, f64)> {
    let mut result: Option<BTreeMap<u32, f64>> = None;
    for clause in clauses {
        let per_term: Vec<BTreeMap<u32, f64>> = clause
            .terms
            .iter()
            .map(|(_, p)| {
                p.as_ref()
                    .map_or_else(BTreeMap::new, |p| term_scores(index, p))
            })
            .collect();
        let mut scores: BTreeMap<u32, f64> = BTreeMap::new();
        match &clause.phrase {
            None => {
                for term in &per_term {
                    for (&doc, &s) in term {
                        let best = scores.entry(doc).or_insert(s);
                        if s > *best {
                            *best = s;
                        }
                    }
                }
            }
            Some(offsets) => {
                for (&doc, &first) in &per_term[0] {
                    if !per_term[1..].iter().all(|t| t.contains_key(&doc))
                        || !phrase_at(clause, offsets, doc)
                    {
                        continue;
                    }
                    let mut sum = first;
                    for term in &per_term[1..] {
                        sum += term[&doc];
                    }
                    scores.insert(doc, sum);
                }
            }
        }
        result = Some(match result {
            None => scores,
            Some(before) => before
                .into_iter()
                .filter_map(|(doc, s)| scores.get(&doc).map(|c| (doc, s + c)))
                .collect(),
        });
    }
    result.unwrap_or_default().into_iter().collect()
}

/// Whether the phrase's terms stand at their offsets in one field of `doc`.
fn phrase_at(clause: &Clause, offsets: &[u32], doc: u32) -> bool {
    let posting = |term: usize, field: usize| -> Option<&Posting> {
        let (_, list) = clause.terms[term]
            .1
            .as_ref()?
            .iter()
            .find(|(f, _)| *f == field)?;
        list.binary_search_by_key(&doc, |p| p.doc)
            .ok()
            .map(|i| &list[i])
    };
    (0..FIELDS.len()).filter(|&f| f != CASE_FIELD).any(|field| {
        let Some(first) = posting(0, field) else {
            return false;
        };
        first.positions.iter().any(|&p| {
            (1..clause.terms.len()).all(|t| {
                posting(t, field)
                    .is_some_and(|q| q.positions.binary_search(&(p + offsets[t])).is_ok())
            })
        })
    })
}

/// Where a document belongs: its council, year and status.
struct Place<'a> {
    council_index: usize,
    council: &'a super::documents::CouncilRange,
    year: Option<i32>,
    status: Option<&'static str>,
}

struct Places<'a> {
    layout: &'a Layout,
}

impl<'a> Places<'a> {
    fn new(layout: &'a Layout) -> Self {
        Places { layout }
    }

    fn of(&self, doc: u32) -> Place<'a> {
        let councils = &self.layout.councils;
        let council_index = councils.partition_point(|c| c.start <= doc) - 1;
        let council = &councils[council_index];
        let local = doc - council.start;
        if local == 0 {
            return Place {
                council_index,
                council,
                year: None,
                status: None,
            };
        }
        let mut seen = 1;
        let mut year = None;
        for &(y, count) in &council.years {
            seen += count;
            if local < seen {
                year = Some(y);
                break;
            }
        }
        let agenda = council
            .agenda
            .iter()
            .any(|&(start, count)| local >= start && local < start + count);
        Place {
            council_index,
            council,
            year,
            status: Some(if agenda { "dagsorden" } else { "referat" }),
        }
    }

    /// Each document's meeting day; 0 for council pages, which sort last.
    fn days(&self) -> Vec<u32> {
        let mut days = Vec::new();
        for council in &self.layout.councils {
            days.push(0);
            for &(items, day) in &council.meetings {
                days.extend(std::iter::repeat_n(day, items as usize));
            }
        }
        days
    }
}

#[derive(Default)]
struct Counts {
    council: BTreeMap<usize, usize>,
    municipality: BTreeMap<String, usize>,
    year: BTreeMap<i32, usize>,
    status: BTreeMap<&'static str, usize>,
}

impl Counts {
    fn list(self, layout: &Layout, filters: &Filters) -> Facets {
        let council = layout
            .councils
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let count = self.council.get(&i).copied().unwrap_or(0);
                (count > 0 || filters.council.contains(&c.slug)).then(|| FacetValue {
                    value: c.slug.clone(),
                    label: Some(c.name.clone()),
                    count,
                })
            })
            .collect();
        let mut municipalities: Vec<String> = layout
            .councils
            .iter()
            .map(|c| c.municipality.clone())
            .collect();
        municipalities.sort();
        municipalities.dedup();
        let municipality = municipalities
            .into_iter()
            .filter_map(|m| {
                let count = self.municipality.get(&m).copied().unwrap_or(0);
                let selected = filters.municipality.contains(&m);
                (count > 0 || selected).then_some(FacetValue {
                    value: m,
                    label: None,
                    count,
                })
            })
            .collect();
        let mut years: Vec<i32> = self.year.keys().copied().collect();
        years.extend(filters.year.iter().copied());
        years.sort_by(|a, b| b.cmp(a));
        years.dedup();
        let year = years
            .into_iter()
            .map(|y| FacetValue {
                value: y,
                label: None,
                count: self.year.get(&y).copied().unwrap_or(0),
            })
            .collect();
        let status = ["dagsorden", "referat"]
            .into_iter()
            .filter_map(|s| {
                let count = self.status.get(s).copied().unwrap_or(0);
                (count > 0 || filters.status.iter().any(|f| f == s)).then(|| FacetValue {
                    value: s.to_owned(),
                    label: None,
                    count,
                })
            })
            .collect();
        Facets {
            council,
            municipality,
            year,
            status,
        }
    }
}

/// The window of [`EXCERPT_TOKENS`] tokens of `text` with the most marked tokens.
fn excerpt(text: &str, marked: &[&str]) -> String {
    let toks = tokens(text);
    if toks.is_empty() {
        return String::new();
    }
    let is_marked: Vec<bool> = toks
        .iter()
        .map(|t| marked.contains(&t.text.as_str()))
        .collect();
    let width = EXCERPT_TOKENS.min(toks.len());
    let mut count: usize = is_marked[..width].iter().filter(|m| **m).count();
    let (mut best, mut best_count) = (0, count);
    for start in 1..=toks.len() - width {
        count =
            count + usize::from(is_marked[start + width - 1]) - usize::from(is_marked[start - 1]);
        if count > best_count {
            (best, best_count) = (start, count);
        }
    }
    let mut out = String::new();
    if best > 0 {
        out.push('…');
    }
    let mut at = toks[best].offset_from;
    for (token, marked) in toks[best..best + width].iter().zip(&is_marked[best..]) {
        out.push_str(&escape(&text[at..token.offset_from]));
        let word = &text[token.offset_from..token.offset_to];
        if *marked {
            out.push_str("<mark>");
            out.push_str(&escape(word));
            out.push_str("</mark>");
        } else {
            out.push_str(&escape(word));
        }
        at = token.offset_to;
    }
    if best + width < toks.len() {
        out.push('…');
    }
    out
}

/// The query with each unknown word replaced by the nearest term of the whole dictionary.
fn suggest(index: &IndexReader, query: &str, clauses: &[Clause]) -> Result<Option<String>> {
    let unknown: Vec<&(std::ops::Range<usize>, String)> = clauses
        .iter()
        .filter(|c| c.terms.iter().all(|(_, p)| p.is_none()))
        .filter_map(|c| c.word.as_ref())
        .collect();
    if unknown.is_empty() {
        return Ok(None);
    }
    let mut best: Vec<Option<(usize, u64, String)>> = vec![None; unknown.len()];
    index.for_each_term_count(|term, count| {
        for ((_, word), best) in unknown.iter().zip(best.iter_mut()) {
            let limit = if word.chars().count() <= 4 { 1 } else { 2 };
            let Some(distance) = edit_distance(word, term, limit) else {
                continue;
            };
            let better = best.as_ref().is_none_or(|(d, c, t)| {
                (distance, std::cmp::Reverse(count), term) < (*d, std::cmp::Reverse(*c), t.as_str())
            });
            if better {
                *best = Some((distance, count, term.to_owned()));
            }
        }
    })?;
    if best.iter().all(Option::is_none) {
        return Ok(None);
    }
    let mut suggestion = String::new();
    let mut at = 0;
    for ((range, _), best) in unknown.iter().zip(best) {
        if let Some((_, _, term)) = best {
            suggestion.push_str(&query[at..range.start]);
            suggestion.push_str(&term);
            at = range.end;
        }
    }
    suggestion.push_str(&query[at..]);
    Ok(Some(suggestion))
}

/// The Levenshtein distance of `a` and `b` in characters, if it is at most `limit`.
fn edit_distance(a: &str, b: &str, limit: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        let mut smallest = row[0];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
            smallest = smallest.min(row[j + 1]);
        }
        if smallest > limit {
            return None;
        }
    }
    (row[b.len()] <= limit).then_some(row[b.len()])
}

#[cfg(test)]
mod tests {
    use super::{edit_distance, excerpt, parts};

    #[test]
    fn queries_split_into_words_and_phrases() {
        let (p, open) = parts(r#"budget "integration af" EMN-2016-02142 besk"#);
        let texts: Vec<(bool, &str)> = p.iter().map(|(ph, t, _)| (*ph, *t)).collect();
        assert_eq!(
            texts,
            [
                (false, "budget"),
                (true, "integration af"),
                (false, "EMN-2016-02142"),
                (false, "besk")
            ]
        );
        assert!(open);
        assert!(!parts("besk ").1);
        assert!(!parts(r#""besk"#).1);
    }

    #[test]
    fn excerpts_mark_and_escape() {
        let text = "Rådet <b> godkendte budgettet & planen";
        assert_eq!(
            excerpt(text, &["budget"]),
            "Rådet &lt;b&gt; godkendte <mark>budgettet</mark> &amp; planen"
        );
    }

    #[test]
    fn edit_distance_stops_at_the_limit() {
        assert_eq!(edit_distance("budgt", "budget", 2), Some(1));
        assert_eq!(edit_distance("kat", "hund", 1), None);
    }
}
