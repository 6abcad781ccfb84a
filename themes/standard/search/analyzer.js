// analyzer.js — the browser half of referat's text analysis.
//
// It must give exactly the terms that the Rust build indexes with tantivy 0.27:
//
//   TextAnalyzer::builder(SimpleTokenizer::default())
//       .filter(RemoveLongFilter::limit(40))
//       .filter(LowerCaser)
//       .filter(AaFilter)                      // referat's own: "aa" -> "å"
//       .filter(Stemmer::new(Language::Danish)) // Snowball Danish, via the frostem crate
//       .build()
//
// Plain ES module, no dependencies: runs unchanged in browsers and in Node >= 20.
// Checked against tantivy itself by analyzer.test.mjs (fixture made by a Rust probe)
// and against the Snowball reference vocabulary (shared/snowball-danish).
//
// Offsets: tantivy reports UTF-8 *byte* offsets; here offsetFrom/offsetTo are
// UTF-16 code-unit offsets into the JS string, so text.slice(offsetFrom, offsetTo)
// is the original (un-lowercased, un-stemmed) word.

// ---------------------------------------------------------------------------
// SimpleTokenizer: a token is a maximal run of chars for which Rust's
// char::is_alphanumeric() holds, i.e. Unicode Alphabetic or General_Category
// Nd/Nl/No. Everything else (space, punctuation, '§', '-', "'", combining marks
// that are not Alphabetic, emoji, ...) separates tokens. Lone surrogates never
// match (in Rust they cannot occur at all).
const WORD_RUN = /[\p{Alphabetic}\p{N}]+/gu;

// RemoveLongFilter::limit(40) keeps a token iff its UTF-8 byte length is < 40
// (tantivy: `token.text.len() < self.token_length_limit`). It runs before
// LowerCaser, so it measures the original spelling.
const MAX_TOKEN_BYTES = 40;

function utf8Length(s) {
  let n = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0);
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}

// LowerCaser: tantivy lowercases ASCII tokens with make_ascii_lowercase and any
// other token char by char with char::to_lowercase(), so, unlike
// str::to_lowercase and JS toLowerCase, there is NO final-sigma rule:
// "ΟΔΟΣ" -> "οδοσ", not "οδος". JS toLowerCase has no other context-dependent
// rule (without a locale), and its one-char mappings are the same as Rust's
// (e.g. "İ" -> "i̇", two chars), so mapping Σ first is enough.
function lowerCase(s) {
  return s.replace(/\u03A3/g, '\u03C3').toLowerCase();
}

// AaFilter (referat): every "aa" becomes "å", left to right, non-overlapping
// ("aaa" -> "åa"), so "Aalborg" and "Ålborg" meet. Same as Rust str::replace.
function aaFilter(s) {
  return s.replaceAll('aa', 'å');
}

// ---------------------------------------------------------------------------
// Snowball Danish stemmer, as generated into frostem (Snowball 3.x danish.sbl).
// See https://snowballstem.org/algorithms/danish/stemmer.html for the prose.
// Positions below are UTF-16 indexes; the suffixes are all BMP so endsWith and
// length arithmetic are safe, and only mark_regions has to count code points.

const VOWELS = new Set('aeiouyæåø');
// Letters that may precede a removable plural/genitive "s". Newer Snowball
// versions also accept an apostrophe here.
const S_ENDING = new Set("abcdfghjklmnoprtvyzå'");
// undouble only fires for these consonants (newer Snowball: the ASCII
// consonants minus c h j q v w x z; the original algorithm used any non-vowel).
const UNDOUBLE = new Set('bdfgklmnprst');

// Step 1 suffixes. Snowball's `among` takes the LONGEST suffix lying wholly in
// R1, hence the sort. All are deleted, except "s" (see S_ENDING).
const MAIN_SUFFIXES = [
  'hed', 'ethed', 'ered', 'e', 'erede', 'ende', 'erende', 'ene', 'erne', 'ere',
  'en', 'heden', 'eren', 'er', 'heder', 'erer', 'heds', 'es', 'endes',
  'erendes', 'enes', 'ernes', 'eres', 'ens', 'hedens', 'erens', 'ers', 'ets',
  'erets', 'et', 'eret', 's',
].sort((a, b) => b.length - a.length);
const CONSONANT_PAIRS = ['gd', 'dt', 'gt', 'kt'];
const OTHER_SUFFIXES = ['elig', 'løst', 'lig', 'els', 'ig']; // longest first

// Longest suffix from `list` that `w` ends with and that starts at or after p1.
function longestInR1(w, list, p1) {
  return list.find((suf) => w.endsWith(suf) && w.length - suf.length >= p1);
}

// R1 start (UTF-16 index), or -1 if the word has fewer than 3 code points, in
// which case frostem's stem() returns before changing anything.
function markRegions(w) {
  let p1 = w.length;
  const apostrophe = w.indexOf("'");
  if (apostrophe >= 0) {
    // Newer Snowball: in "x'y" R1 starts right after the first apostrophe.
    p1 = apostrophe + 1;
  } else {
    // R1 starts after the first non-vowel that follows a vowel. "Non-vowel"
    // is any code point outside VOWELS (digits, other scripts, ...).
    let seenVowel = false;
    for (let i = 0; i < w.length; ) {
      const ch = String.fromCodePoint(w.codePointAt(i));
      i += ch.length;
      if (VOWELS.has(ch)) seenVowel = true;
      else if (seenVowel) { p1 = i; break; }
    }
  }
  // ...but R1 never starts before the 3rd code point ends.
  let i = 0;
  for (let n = 0; n < 3; n++) {
    if (i >= w.length) return -1;
    i += w.codePointAt(i) > 0xffff ? 2 : 1;
  }
  return Math.max(p1, i);
}

// consonant_pair: if R1 ends with gd/dt/gt/kt, drop the last letter.
function consonantPair(w, p1) {
  return longestInR1(w, CONSONANT_PAIRS, p1) ? w.slice(0, -1) : w;
}

/** Snowball Danish stem of an already-lowercased word. */
export function stemDanish(word) {
  let w = word;
  const p1 = markRegions(w);
  if (p1 < 0) return w;

  // Step 1: main_suffix.
  const suf = longestInR1(w, MAIN_SUFFIXES, p1);
  if (suf === 's') {
    // The letter before the "s" may lie outside R1.
    if (w.length >= 2 && S_ENDING.has(w[w.length - 2])) w = w.slice(0, -1);
  } else if (suf) {
    w = w.slice(0, -suf.length);
  }

  // Step 2: consonant_pair.
  w = consonantPair(w, p1);

  // Step 3: other_suffix. First, outside any region, "igst" -> "ig".
  if (w.endsWith('igst')) w = w.slice(0, -2);
  // That can leave the word shorter than p1 ("igst" -> "ig", p1 = 2): then the
  // rest of this step and undouble are skipped (Snowball's setlimit fails).
  if (w.length < p1) return stripApostrophe(w);
  const other = longestInR1(w, OTHER_SUFFIXES, p1);
  if (other === 'løst') {
    w = w.slice(0, -1); // "løst" -> "løs"
  } else if (other) {
    w = consonantPair(w.slice(0, -other.length), p1);
  }

  // Step 4: undouble. The last letter must be in R1; its twin need not be.
  const n = w.length;
  if (n - 1 >= p1 && n >= 2 && UNDOUBLE.has(w[n - 1]) && w[n - 2] === w[n - 1]) {
    w = w.slice(0, -1);
  }
  return stripApostrophe(w);
}

// Newer Snowball: finally drop one trailing apostrophe (never needed for
// tantivy's tokens, which cannot contain "'", but keeps stemDanish exact).
function stripApostrophe(w) {
  return w.endsWith("'") ? w.slice(0, -1) : w;
}

// ---------------------------------------------------------------------------

/**
 * Full analysis with positions: [{text, offsetFrom, offsetTo}], where text is
 * the indexed term and the offsets are UTF-16 indexes of the source word in
 * `text` (tantivy's are UTF-8 byte offsets). Tokens dropped by
 * RemoveLongFilter are absent, as in tantivy.
 */
export function tokenize(text) {
  const tokens = [];
  for (const m of String(text).matchAll(WORD_RUN)) {
    const raw = m[0];
    // A UTF-16 unit is at most 3 UTF-8 bytes, so <= 13 units is always short.
    if (raw.length > 13 && utf8Length(raw) >= MAX_TOKEN_BYTES) continue;
    tokens.push({
      text: stemDanish(aaFilter(lowerCase(raw))),
      offsetFrom: m.index,
      offsetTo: m.index + raw.length,
    });
  }
  return tokens;
}

/** The terms tantivy would index for `text`, in order (duplicates kept). */
export function analyze(text) {
  return tokenize(text).map((t) => t.text);
}
