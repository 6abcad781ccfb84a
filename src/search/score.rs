//! A term's score in each document that holds it, quantized to one byte: what the bundle
//! carries and what `referat search` ranks with, so both give the same bits ("Score" in
//! docs/search-bundle.md).

use super::documents::FIELDS;
use super::index::{IndexReader, TermPostings};

const K1: f64 = 1.2;
const B: f64 = 0.75;

/// One term's documents, by id, with the term's quantized score in each.
#[derive(Debug, Clone, Default)]
pub struct Impacts {
    /// The largest score of the term in any document, rounded to a single.
    pub max: f32,
    /// The documents that hold the term in any field, ascending.
    pub docs: Vec<u32>,
    /// Per document, `q` of 1–255: the score is `q · max / 255`.
    pub impacts: Vec<u8>,
}

impl Impacts {
    /// The impacts of the term with `postings` in `index`.
    pub fn of(index: &IndexReader, postings: &TermPostings) -> Impacts {
        let n = f64::from(index.docs);
        let mut exact: Vec<(u32, f64)> = Vec::new();
        for (field, list) in postings {
            let df = list.len() as f64;
            let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
            let avg = average_length(index.tokens[*field], n);
            let weight = FIELDS[*field].weight;
            for posting in list {
                let len = f64::from(tantivy::fieldnorm::FieldNormReader::id_to_fieldnorm(
                    posting.norm,
                ));
                let tf = f64::from(posting.tf);
                let tfnorm = K1 * (1.0 - B + B * len / avg);
                exact.push((posting.doc, weight * idf * (K1 + 1.0) * tf / (tf + tfnorm)));
            }
        }
        // Fields in order, then by document: a stable sort keeps each document's fields in
        // field order, so its sum is taken field by field from the first.
        exact.sort_by_key(|&(doc, _)| doc);
        let mut sums: Vec<(u32, f64)> = Vec::with_capacity(exact.len());
        for (doc, score) in exact {
            match sums.last_mut() {
                Some((last, sum)) if *last == doc => *sum += score,
                _ => sums.push((doc, score)),
            }
        }
        let max = sums.iter().map(|&(_, s)| s).fold(0.0, f64::max) as f32;
        let scale = f64::from(max);
        Impacts {
            max,
            docs: sums.iter().map(|&(doc, _)| doc).collect(),
            impacts: sums
                .iter()
                .map(|&(_, s)| (255.0 * s / scale).round().clamp(1.0, 255.0) as u8)
                .collect(),
        }
    }

    /// The score in the `i`th document.
    pub fn score(&self, i: usize) -> f64 {
        f64::from(self.impacts[i]) * f64::from(self.max) / 255.0
    }

    /// Documents counted once per field that holds the term: what orders prefix expansions
    /// and suggestions.
    pub fn count(postings: &TermPostings) -> u64 {
        postings.iter().map(|(_, list)| list.len() as u64).sum()
    }
}

/// The average length of a field that holds `tokens` tokens in `docs` documents, rounded to the
/// nearest sixteenth (halves away from zero) and at least 1/16: an edit that adds a word or two
/// seldom changes it, so the scores of the terms it does not touch stay the same.
pub(super) fn average_length(tokens: u64, docs: f64) -> f64 {
    (16.0 * tokens as f64 / docs).round().max(1.0) / 16.0
}

#[cfg(test)]
mod tests {
    use super::{Impacts, average_length};

    #[test]
    fn an_average_length_is_rounded_to_sixteenths_and_at_least_one() {
        assert_eq!(average_length(100, 18.0), 89.0 / 16.0);
        assert_eq!(average_length(101, 18.0), 90.0 / 16.0);
        assert_eq!(average_length(3, 32.0), 2.0 / 16.0, "a half is rounded up");
        assert_eq!(average_length(0, 5.0), 1.0 / 16.0);
        assert_eq!(average_length(640, 10.0), 64.0);
    }

    #[test]
    fn a_score_is_the_impact_times_the_max_over_255() {
        let impacts = Impacts {
            max: 2.5,
            docs: vec![3, 9],
            impacts: vec![255, 51],
        };
        assert_eq!(impacts.score(0), 2.5);
        assert_eq!(impacts.score(1), 51.0 * 2.5 / 255.0);
    }
}
