//! Finding many texts at once in the files a build writes, knowing only their hashes.
//!
//! A text looked for is a [`Form`]: its length, a hash of its bytes and a hash of each of its
//! first windows. That is all the guard keeps of a closed item's text, in memory and in its
//! cache, so neither holds the text; an occurrence is confirmed by hashing the bytes where it
//! would be. Two texts with one 128-bit hash would make a file refused that holds only the other,
//! never a file published that holds one.

use std::ops::Range;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_128;

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
            windows: std::array::from_fn(|offset| window(&bytes[offset..])),
        }
    }
}

/// Texts of at least [`MIN_CHARS`] bytes, each found wherever it occurs in a haystack. The texts
/// are grouped by their window at each of their first [`STEP`] offsets, and the groups indexed
/// in buckets by the window's hash. The haystack's windows at every `STEP` bytes are looked up;
/// where a group's window is found, the bytes from where its texts would start are hashed once
/// for each of their lengths, and the texts of that length with that hash are found by binary
/// search. Texts often share their start, so a group may have thousands of texts but seldom
/// more than a hundred lengths.
///
/// There are 64 to 128 buckets a group, so that few of a haystack's windows fall in one with a
/// group; a bucket takes a bit, and the groups are found from the count of those in the buckets
/// of the words before, so that the buckets take a few bytes a group.
#[derive(Default)]
pub(super) struct Needles {
    /// How far a window's hash is shifted right to give its bucket.
    shift: u32,
    /// One bit per bucket: whether any group is in it.
    filled: Vec<u64>,
    /// For each word of `filled`, how many groups are in the buckets of the words before it.
    ranks: Vec<u32>,
    /// The groups, by bucket.
    groups: Vec<Group>,
    /// The lengths of each group's texts, shortest first.
    lengths: Vec<Length>,
    /// The hash of the texts of each length of each group, by hash.
    hashes: Vec<u128>,
    /// The number of the text each of `hashes` is.
    numbers: Vec<u32>,
}

/// The texts that have one window at one offset.
struct Group {
    window: u64,
    offset: u32,
    /// Where their lengths are in [`Needles::lengths`].
    lengths: Range<u32>,
}

/// The texts of one group that have one length.
struct Length {
    len: u32,
    /// Where they are in [`Needles::hashes`] and [`Needles::numbers`].
    members: Range<u32>,
}

impl Needles {
    /// The needles that look for `forms`, each numbered by its place.
    pub(super) fn new(forms: &[Form]) -> Needles {
        assert!(
            u32::try_from(forms.len() * STEP).is_ok(),
            "the needles number their entries with 32 bits"
        );
        let mut entries: Vec<(u64, usize, u32, u128, u32)> = Vec::with_capacity(forms.len() * STEP);
        for (number, form) in forms.iter().enumerate() {
            let number = number as u32;
            for (offset, &window) in form.windows.iter().enumerate() {
                entries.push((window, offset, form.len, form.hash, number));
            }
        }
        entries.par_sort_unstable();
        let mut groups: Vec<Group> = Vec::new();
        let mut lengths: Vec<Length> = Vec::new();
        let mut at = 0;
        for group in entries.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
            let first = lengths.len() as u32;
            for length in group.chunk_by(|a, b| a.2 == b.2) {
                let end = at + length.len() as u32;
                lengths.push(Length {
                    len: length[0].2,
                    members: at..end,
                });
                at = end;
            }
            groups.push(Group {
                window: group[0].0,
                offset: group[0].1 as u32,
                lengths: first..lengths.len() as u32,
            });
        }
        let bits = (groups.len() * 64)
            .next_power_of_two()
            .trailing_zeros()
            .max(6);
        let shift = u64::BITS - bits;
        groups.sort_by_key(|group| group.window >> shift);
        let mut filled = vec![0u64; (1 << bits) / 64];
        let mut ranks = vec![0u32; filled.len()];
        for group in &groups {
            let bucket = (group.window >> shift) as usize;
            filled[bucket / 64] |= 1 << (bucket % 64);
            if let Some(rank) = ranks.get_mut(bucket / 64 + 1) {
                *rank += 1;
            }
        }
        for word in 1..ranks.len() {
            ranks[word] += ranks[word - 1];
        }
        Needles {
            shift,
            filled,
            ranks,
            groups,
            lengths,
            hashes: entries.iter().map(|entry| entry.3).collect(),
            numbers: entries.iter().map(|entry| entry.4).collect(),
        }
    }

    /// Calls `found` with the number of the text and the start of every occurrence of a text
    /// in `haystack`, once each.
    pub(super) fn each_match(&self, haystack: &[u8], mut found: impl FnMut(usize, usize)) {
        if self.groups.is_empty() {
            return;
        }
        let mut at = 0;
        while at + WINDOW <= haystack.len() {
            let window = window(&haystack[at..]);
            let bucket = window >> self.shift;
            let word = (bucket / 64) as usize;
            if self.filled[word] & (1 << (bucket % 64)) != 0 {
                let groups = self.groups[self.ranks[word] as usize..]
                    .iter()
                    .skip_while(|group| group.window >> self.shift < bucket)
                    .take_while(|group| group.window >> self.shift == bucket);
                for group in groups {
                    if group.window == window
                        && let Some(start) = at.checked_sub(group.offset as usize)
                    {
                        self.starting(group, &haystack[start..], |text| found(text, start));
                    }
                }
            }
            at += STEP;
        }
    }

    /// Calls `found` with each text of `group` that `haystack` starts with: those whose hash is
    /// that of as many bytes of it.
    fn starting(&self, group: &Group, haystack: &[u8], mut found: impl FnMut(usize)) {
        let lengths = group.lengths.start as usize..group.lengths.end as usize;
        for length in &self.lengths[lengths] {
            let Some(start) = haystack.get(..length.len as usize) else {
                return;
            };
            let hash = xxh3_128(start);
            let members = length.members.start as usize..length.members.end as usize;
            let hashes = &self.hashes[members.clone()];
            let first = hashes.partition_point(|&member| member < hash);
            let count = hashes[first..].partition_point(|&member| member == hash);
            for &number in &self.numbers[members][first..first + count] {
                found(number as usize);
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
