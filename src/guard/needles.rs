//! Finding many texts at once in the files a build writes.

use rayon::prelude::*;

/// The fewest characters a run of a closed item's text must have to be looked for.
pub(super) const MIN_CHARS: usize = 20;
/// The bytes of a window, the part of a text that [`Needles`] indexes and looks up.
const WINDOW: usize = 12;
/// How far apart the windows of a haystack that [`Needles`] looks up are. A text looked for has
/// at least [`MIN_CHARS`] bytes, so each of its occurrences holds a whole window that starts at a
/// multiple of `STEP` and at one of the text's first `STEP` offsets.
const STEP: usize = MIN_CHARS - WINDOW + 1;

/// Texts of at least [`MIN_CHARS`] bytes, each found wherever it occurs in a haystack. The texts
/// are grouped by their window at each of their first [`STEP`] offsets, and the groups indexed
/// in buckets by the window's hash. The haystack's windows at every `STEP` bytes are looked up;
/// where a group's window is found, its texts that start there are found by binary search.
#[derive(Default)]
pub(super) struct Needles {
    texts: Vec<String>,
    /// How far a window's hash is shifted right to give its bucket.
    shift: u32,
    /// One bit per bucket: whether any group is in it.
    filled: Vec<u64>,
    /// Where each bucket's groups start in `groups`, and where the last one's end.
    starts: Vec<u32>,
    /// The groups, by bucket.
    groups: Vec<Group>,
    /// The numbers of the texts of each group, sorted by text.
    members: Vec<usize>,
}

/// The texts that have one window at one offset.
struct Group {
    window: u128,
    offset: usize,
    /// Where the texts are in [`Needles::members`].
    members: std::ops::Range<usize>,
}

impl Needles {
    /// The needles that look for `texts`; panics if one is shorter than [`MIN_CHARS`] bytes.
    pub(super) fn new(texts: Vec<String>) -> Needles {
        // The texts in order, so that the entries sort by numbers, not by comparing texts.
        let mut sorted: Vec<usize> = (0..texts.len()).collect();
        sorted.par_sort_unstable_by_key(|&number| &texts[number]);
        let mut entries: Vec<(u128, usize, usize)> = Vec::with_capacity(texts.len() * STEP);
        for (rank, &number) in sorted.iter().enumerate() {
            let text = texts[number].as_bytes();
            assert!(
                text.len() >= MIN_CHARS,
                "a text looked for has {MIN_CHARS} bytes at least"
            );
            for offset in 0..STEP {
                entries.push((window(&text[offset..]), offset, rank));
            }
        }
        entries.par_sort_unstable();
        let mut groups: Vec<Group> = Vec::new();
        for (at, &(window, offset, ..)) in entries.iter().enumerate() {
            match groups.last_mut() {
                Some(group) if group.window == window && group.offset == offset => {
                    group.members.end = at + 1;
                }
                _ => groups.push(Group {
                    window,
                    offset,
                    members: at..at + 1,
                }),
            }
        }
        // Buckets enough that few of a haystack's windows fall in one with a group.
        let bits = (groups.len() * 64)
            .next_power_of_two()
            .trailing_zeros()
            .max(6);
        let shift = u64::BITS - bits;
        groups.sort_by_key(|group| bucket(group.window, shift));
        let mut filled = vec![0u64; (1 << bits) / 64];
        let mut starts = vec![0; (1 << bits) + 1];
        for group in &groups {
            let bucket = bucket(group.window, shift);
            filled[bucket / 64] |= 1 << (bucket % 64);
            starts[bucket + 1] += 1;
        }
        for at in 1..starts.len() {
            starts[at] += starts[at - 1];
        }
        let members = entries.iter().map(|entry| sorted[entry.2]).collect();
        Needles {
            texts,
            shift,
            filled,
            starts,
            groups,
            members,
        }
    }

    /// Calls `found` with the number of the text and the start of every occurrence of a text
    /// in `haystack`, once each.
    pub(super) fn each_match(&self, haystack: &[u8], mut found: impl FnMut(usize, usize)) {
        if self.texts.is_empty() {
            return;
        }
        let mut at = 0;
        while at + WINDOW <= haystack.len() {
            let window = window(&haystack[at..]);
            let bucket = bucket(window, self.shift);
            if self.filled[bucket / 64] & (1 << (bucket % 64)) != 0 {
                let groups = self.starts[bucket] as usize..self.starts[bucket + 1] as usize;
                for group in &self.groups[groups] {
                    if group.window == window
                        && let Some(start) = at.checked_sub(group.offset)
                    {
                        let members = &self.members[group.members.clone()];
                        self.starting(members, &haystack[start..], |text| found(text, start));
                    }
                }
            }
            at += STEP;
        }
    }

    /// Calls `found` with each of the texts numbered `members` (sorted by text) that `haystack`
    /// starts with. Each such text sorts at or below the haystack, and is the start of every
    /// text sorted between them, so the largest text at or below is either one of them, or its
    /// common start with the haystack holds every one of them not seen yet.
    fn starting(&self, members: &[usize], haystack: &[u8], mut found: impl FnMut(usize)) {
        let text = |number: usize| self.texts[number].as_bytes();
        let mut key = haystack;
        let mut end = members.len();
        loop {
            let below = members[..end].partition_point(|&number| text(number) <= key);
            if below == 0 {
                return;
            }
            let largest = members[below - 1];
            let shared = text(largest)
                .iter()
                .zip(key)
                .take_while(|(a, b)| a == b)
                .count();
            if shared == text(largest).len() {
                found(largest);
            }
            if shared < MIN_CHARS {
                return;
            }
            key = &key[..shared];
            end = below - 1;
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

/// The window at the start of `bytes`.
fn window(bytes: &[u8]) -> u128 {
    let mut window = [0; 16];
    window[..WINDOW].copy_from_slice(&bytes[..WINDOW]);
    u128::from_le_bytes(window)
}

/// The bucket of a window for [`Needles`] whose hashes are shifted right by `shift`.
fn bucket(window: u128, shift: u32) -> usize {
    let low = (window as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let hash = (low ^ (window >> 64) as u64).wrapping_mul(0xc2b2_ae3d_27d4_eb4f);
    (hash >> shift) as usize
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
            let needles = Needles::new(vec![text.to_owned()]);
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
        let needles = Needles::new(texts.clone());
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
        let needles = Needles::new(texts.clone());
        let all = every_match(&texts, haystack.as_bytes());
        assert!(all.len() > 100 * texts.len());
        assert_eq!(matches(&needles, haystack.as_bytes()), all);
    }

    #[test]
    fn without_texts_nothing_is_found() {
        let needles = Needles::new(Vec::new());
        assert_eq!(
            needles.first(b"Borgeren har klaget over sagsbehandlingen"),
            None
        );
    }
}
