//! Finding many texts at once in the files a build writes, knowing only their hashes.
//!
//! A text looked for is a [`Form`]: its length, a hash of its bytes, a hash of its first
//! [`MIN_CHARS`] bytes and a hash of each of its first windows. That is all the guard keeps of a
//! closed item's text, in memory and in its cache, so neither holds the text; an occurrence is
//! confirmed by hashing the bytes where it would be. Two texts with one 128-bit hash would make a
//! file refused that holds only the other, never a file published that holds one.

use std::ops::Range;

use foldhash::{HashMap, HashMapExt};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::{xxh3_64, xxh3_128};

/// The fewest characters a run of a closed item's text must have to be looked for.
pub(super) const MIN_CHARS: usize = 20;
/// The bytes of a window, the part of a text that [`Needles`] indexes and looks up.
const WINDOW: usize = 12;
/// How far apart the windows of a haystack that [`Needles`] looks up are. A text looked for has
/// at least [`MIN_CHARS`] bytes, so each of its occurrences holds a whole window that starts at a
/// multiple of `STEP` and at one of the text's first `STEP` offsets.
const STEP: usize = MIN_CHARS - WINDOW + 1;

/// A text looked for, as hashes: no text can be read from it, but one guessed can be confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Form {
    /// The hash of the text's bytes.
    pub(super) hash: u128,
    /// The text's length in bytes.
    len: u32,
    /// The hash of the text's first [`MIN_CHARS`] bytes.
    start: u64,
    /// The hash of the window at each of the text's first [`STEP`] offsets.
    windows: [u64; STEP],
}

impl Form {
    /// The form of `text`; panics if it is shorter than [`MIN_CHARS`] bytes.
    pub(super) fn of(text: &str) -> Form {
        let bytes = text.as_bytes();
        assert!(
            bytes.len() >= MIN_CHARS,
            "a text looked for has {MIN_CHARS} bytes at least"
        );
        Form {
            hash: xxh3_128(bytes),
            len: u32::try_from(bytes.len()).expect("a run of text is shorter than 4 GB"),
            start: xxh3_64(&bytes[..MIN_CHARS]),
            windows: std::array::from_fn(|offset| window(&bytes[offset..])),
        }
    }
}

/// Texts of at least [`MIN_CHARS`] bytes, each found wherever it occurs in a haystack, in three
/// steps that each rule out more than the one before:
///
/// 1. The haystack's windows at every `STEP` bytes are looked up among the texts' windows at
///    each of their first `STEP` offsets (the anchors), indexed in buckets by the window's hash.
///    There are 64 to 128 buckets an anchor, so that few of a haystack's windows fall in one
///    with an anchor; a bucket takes a bit, and the anchors are found from the count of those in
///    the buckets of the words before, so that the buckets take a few bytes an anchor.
/// 2. Where an anchor's window is found, the [`MIN_CHARS`] bytes from where its texts would
///    start are hashed and looked up among the texts' starts, which give the lengths of the
///    texts that start so.
/// 3. The bytes from there are hashed once for each of those lengths, and looked up among the
///    texts' hashes.
///
/// Closed texts often share their first words with the open ones ("Høringssvar fra …"), so the
/// haystack has many windows that are some anchor's. Each costs two lookups in the second step,
/// whatever the number of texts that share that anchor: the few that also share their start
/// have few lengths.
#[derive(Default)]
pub(super) struct Needles {
    /// How far a window's hash is shifted right to give its bucket.
    shift: u32,
    /// One bit per bucket: whether any anchor is in it.
    filled: Vec<u64>,
    /// For each word of `filled`, how many anchors are in the buckets of the words before it.
    ranks: Vec<u32>,
    /// The anchors, by bucket.
    anchors: Vec<Anchor>,
    /// For the hash of each of the texts' starts, where the lengths of the texts that start so
    /// are in `lengths`.
    starts: HashMap<u64, Range<u32>>,
    /// The lengths of the texts of each start, shortest first.
    lengths: Vec<u32>,
    /// For the hash of each text, where the numbers of the texts with that hash are in
    /// `numbers`.
    texts: HashMap<u128, Range<u32>>,
    /// The number of each text, by its hash.
    numbers: Vec<u32>,
}

/// The window that some texts have at one offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Anchor {
    window: u64,
    offset: u32,
}

impl Needles {
    /// The needles that look for `forms`, each numbered by its place.
    pub(super) fn new(forms: &[Form]) -> Needles {
        assert!(
            u32::try_from(forms.len()).is_ok(),
            "the needles number their texts with 32 bits"
        );
        let mut anchors: Vec<Anchor> = forms
            .par_iter()
            .flat_map_iter(|form| {
                form.windows
                    .iter()
                    .enumerate()
                    .map(|(offset, &window)| Anchor {
                        window,
                        offset: offset as u32,
                    })
            })
            .collect();
        anchors.par_sort_unstable();
        anchors.dedup();
        let bits = (anchors.len() * 64)
            .next_power_of_two()
            .trailing_zeros()
            .max(6);
        let shift = u64::BITS - bits;
        anchors.sort_by_key(|anchor| anchor.window >> shift);
        let mut filled = vec![0u64; (1 << bits) / 64];
        let mut ranks = vec![0u32; filled.len()];
        for anchor in &anchors {
            let bucket = (anchor.window >> shift) as usize;
            filled[bucket / 64] |= 1 << (bucket % 64);
            if let Some(rank) = ranks.get_mut(bucket / 64 + 1) {
                *rank += 1;
            }
        }
        for word in 1..ranks.len() {
            ranks[word] += ranks[word - 1];
        }

        let mut starts: Vec<(u64, u32)> = forms.iter().map(|form| (form.start, form.len)).collect();
        starts.par_sort_unstable();
        starts.dedup();
        let (starts, lengths) = ranges(&starts);

        let mut texts: Vec<(u128, u32)> = forms
            .iter()
            .enumerate()
            .map(|(number, form)| (form.hash, number as u32))
            .collect();
        texts.par_sort_unstable();
        let (texts, numbers) = ranges(&texts);

        Needles {
            shift,
            filled,
            ranks,
            anchors,
            starts,
            lengths,
            texts,
            numbers,
        }
    }

    /// Calls `found` with the number of the text and the start of every occurrence of a text
    /// in `haystack`, once each.
    pub(super) fn each_match(&self, haystack: &[u8], mut found: impl FnMut(usize, usize)) {
        if self.anchors.is_empty() {
            return;
        }
        let mut at = 0;
        while at + WINDOW <= haystack.len() {
            let window = window(&haystack[at..]);
            let bucket = window >> self.shift;
            let word = (bucket / 64) as usize;
            if self.filled[word] & (1 << (bucket % 64)) != 0 {
                let anchors = self.anchors[self.ranks[word] as usize..]
                    .iter()
                    .skip_while(|anchor| anchor.window >> self.shift < bucket)
                    .take_while(|anchor| anchor.window >> self.shift == bucket);
                for anchor in anchors {
                    if anchor.window == window
                        && let Some(start) = at.checked_sub(anchor.offset as usize)
                    {
                        self.starting(&haystack[start..], |text| found(text, start));
                    }
                }
            }
            at += STEP;
        }
    }

    /// Calls `found` with each text that `haystack` starts with: those whose start and whose
    /// hash are those of as many bytes of it.
    fn starting(&self, haystack: &[u8], mut found: impl FnMut(usize)) {
        let Some(lengths) = haystack
            .get(..MIN_CHARS)
            .and_then(|start| self.starts.get(&xxh3_64(start)))
        else {
            return;
        };
        for &len in &self.lengths[lengths.start as usize..lengths.end as usize] {
            let Some(text) = haystack.get(..len as usize) else {
                return;
            };
            if let Some(numbers) = self.texts.get(&xxh3_128(text)) {
                for &number in &self.numbers[numbers.start as usize..numbers.end as usize] {
                    found(number as usize);
                }
            }
        }
    }

    /// The number of the text that occurs first in `haystack` (the lowest of those that start
    /// at the same byte), if any does.
    pub(super) fn first(&self, haystack: &[u8]) -> Option<usize> {
        let mut first: Option<(usize, usize)> = None;
        self.each_match(haystack, |text, start| {
            first = Some(first.map_or((start, text), |f| f.min((start, text))));
        });
        first.map(|(_, text)| text)
    }
}

/// `pairs`, sorted, as a map from each of their keys to where its values are in the vector also
/// returned, in the order of `pairs`.
fn ranges<K: Copy + Eq + std::hash::Hash>(
    pairs: &[(K, u32)],
) -> (HashMap<K, Range<u32>>, Vec<u32>) {
    let mut map = HashMap::with_capacity(pairs.len());
    let mut at = 0;
    for run in pairs.chunk_by(|a, b| a.0 == b.0) {
        let end = at + run.len() as u32;
        map.insert(run[0].0, at..end);
        at = end;
    }
    (map, pairs.iter().map(|pair| pair.1).collect())
}

/// The hash of the window at the start of `bytes`; its highest bits choose its bucket.
fn window(bytes: &[u8]) -> u64 {
    let mut window = [0; 16];
    window[..WINDOW].copy_from_slice(&bytes[..WINDOW]);
    let window = u128::from_le_bytes(window);
    let low = (window as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (low ^ (window >> 64) as u64).wrapping_mul(0xc2b2_ae3d_27d4_eb4f)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every occurrence of every text in `haystack`, by looking at each byte.
    fn every_match(texts: &[String], haystack: &[u8]) -> Vec<(usize, usize)> {
        let mut all = Vec::new();
        for (number, text) in texts.iter().enumerate() {
            for start in 0..haystack.len() {
                if haystack[start..].starts_with(text.as_bytes()) {
                    all.push((number, start));
                }
            }
        }
        all.sort();
        all
    }

    fn forms(texts: &[String]) -> Vec<Form> {
        texts.iter().map(|text| Form::of(text)).collect()
    }

    fn matches(needles: &Needles, haystack: &[u8]) -> Vec<(usize, usize)> {
        let mut all = Vec::new();
        needles.each_match(haystack, |text, start| all.push((text, start)));
        all.sort();
        all
    }

    #[test]
    fn a_text_is_found_at_every_offset_and_length() {
        for length in MIN_CHARS..MIN_CHARS + 2 * STEP {
            let text = &"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"[..length];
            let needles = Needles::new(&[Form::of(text)]);
            for start in 0..3 * STEP {
                for after in 0..STEP {
                    let haystack = format!("{}{text}{}", "-".repeat(start), "+".repeat(after));
                    assert_eq!(
                        matches(&needles, haystack.as_bytes()),
                        [(0, start)],
                        "{length} bytes at {start}, {after} after"
                    );
                    assert_eq!(needles.first(haystack.as_bytes()), Some(0));
                }
                let cut = format!("{}{}", "-".repeat(start), &text[..text.len() - 1]);
                assert_eq!(needles.first(cut.as_bytes()), None);
            }
        }
    }

    #[test]
    fn texts_that_share_windows_and_starts_are_all_found() {
        let base = "Borgeren har klaget over sagsbehandlingen";
        let mut texts: Vec<String> = (MIN_CHARS..=base.len())
            .map(|length| base[..length].to_owned())
            .collect();
        texts.push(base[..MIN_CHARS].to_owned());
        texts.push(format!("{} i afdelingen", &base[..30]));
        texts.push(format!("Også: {base}"));
        texts.push("aaaaaaaaaaaaaaaaaaaaaaaa".to_owned());
        texts.push("abababababababababababab".to_owned());
        let needles = Needles::new(&forms(&texts));
        for haystack in [
            format!("x {base} og Også: {base} i afdelingen. {base}"),
            format!("{} i afdelingen {}", &base[..30], "a".repeat(40)),
            format!("b{}a{}", "ab".repeat(30), &base[..MIN_CHARS - 1]),
            base.to_owned(),
        ] {
            let all = every_match(&texts, haystack.as_bytes());
            assert!(!all.is_empty());
            assert_eq!(matches(&needles, haystack.as_bytes()), all, "{haystack}");
            assert_eq!(
                needles.first(haystack.as_bytes()),
                all.iter()
                    .min_by_key(|(text, start)| (*start, *text))
                    .map(|m| m.0)
            );
        }
    }

    #[test]
    fn texts_are_found_in_any_bytes() {
        // A haystack of one part over and over: its texts share windows and overlap everywhere.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut letters = |count: usize| -> String {
            (0..count)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    ['a', 'a', 'a', 'a', 'a', 'a', 'b', 'æ'][(state % 8) as usize]
                })
                .collect()
        };
        let haystack = letters(100).repeat(200);
        let mut texts: Vec<String> = (0..50).map(|i| letters(MIN_CHARS + i % 7)).collect();
        for start in (0..19_000).step_by(89) {
            let start = (start..).find(|s| haystack.is_char_boundary(*s)).unwrap();
            let end = (start + MIN_CHARS + start % 11..)
                .find(|e| haystack.is_char_boundary(*e))
                .unwrap();
            texts.push(haystack[start..end].to_owned());
        }
        let needles = Needles::new(&forms(&texts));
        let all = every_match(&texts, haystack.as_bytes());
        assert!(all.len() > 100 * texts.len());
        assert_eq!(matches(&needles, haystack.as_bytes()), all);
    }

    #[test]
    fn without_texts_nothing_is_found() {
        let needles = Needles::new(&[]);
        assert_eq!(
            needles.first(b"Borgeren har klaget over sagsbehandlingen"),
            None
        );
    }
}
