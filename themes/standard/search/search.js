// search.js — referat's search, in the browser and in Node >= 20: the Danish
// analysis, and the engine that answers queries from the files that
// `referat build` writes to _search/. docs/search-bundle.md specifies both;
// src/search/ does the same in Rust, and tests hold the two to the same
// results. A plain ES module without dependencies or build step: every citizen
// who searches downloads it as written.
//
// The analysis gives exactly the terms of the build's tantivy 0.27 analyzer:
// SimpleTokenizer, RemoveLongFilter::limit(40), LowerCaser, AaFilter ("aa" ->
// "å", referat's own), Stemmer(Danish) (Snowball, via the frostem crate).
// Checked against tantivy (analyzer-fixture.json, tests/search_analysis.rs)
// and against the Snowball reference vocabulary (shared/snowball-danish).

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
 * Full analysis: [{text, offsetFrom, offsetTo, position}] with the indexed
 * term, where its word is in the input (UTF-16 indexes, so
 * input.slice(offsetFrom, offsetTo) is the word as written; tantivy's are UTF-8
 * byte offsets) and tantivy's token position. Tokens that RemoveLongFilter
 * drops are absent but keep their position, as in tantivy: a phrase around a
 * dropped token still needs the gap.
 */
export function tokenize(text) {
  const tokens = [];
  let position = 0;
  for (const m of String(text).matchAll(WORD_RUN)) {
    const raw = m[0];
    const at = position++;
    // A UTF-16 unit is at most 3 UTF-8 bytes, so <= 13 units is always short.
    if (raw.length > 13 && utf8Length(raw) >= MAX_TOKEN_BYTES) continue;
    tokens.push({
      text: stemDanish(aaFilter(lowerCase(raw))),
      offsetFrom: m.index,
      offsetTo: m.index + raw.length,
      position: at,
    });
  }
  return tokens;
}

/** The terms tantivy would index for `text`, in order (duplicates kept). */
export function analyze(text) {
  return tokenize(text).map((t) => t.text);
}

// ---------------------------------------------------------------------------
// The engine: answers queries from the files of _search/ alone, fetching only
// what a query needs and keeping everything it fetched for the next query.
// Section names in comments refer to docs/search-bundle.md.
//
// A first query runs cold (mostly interpreted, where a number that is not a
// small integer costs an allocation) over lists of up to every document, so
// the engine keeps to typed arrays and few steps per document: a term's
// postings are decoded at most once, into ids beside its impacts, and only
// when a query cannot do without (a prefix's terms are merged straight from
// their shard; a term in most documents is looked up in its bitmap); filters
// and facets take runs of documents alike at a time; and only the results on
// the page are put in order.

const FORMAT = 3;
const CASE_FIELD = 4; // the Sags ID: one raw term per document, no positions
const MAX_EXPANSIONS = 50;
const MIN_PREFIX = 3;
const EXCERPT_TOKENS = 30;
const STATUSES = ['dagsorden', 'referat'];
const DIMENSIONS = ['council', 'municipality', 'year', 'status'];
// Up to this many results wanted, they are picked by insertion into a sorted
// list while the hits go by; more, and all hits are sorted.
const MAX_PICKED = 64;

// A quoted phrase (to the next quote or the end), or a word: text up to
// whitespace or a quote. \p{White_Space} is Rust's char::is_whitespace.
const QUERY_PART = /"([^"]*)"?|[^"\p{White_Space}]+/gu;
const utf8 = new TextDecoder();

// Terms sort by code point (= UTF-8 byte order). JS compares UTF-16 units, in
// which surrogates (D800–DFFF, code points above FFFF) sort below E000–FFFF;
// ranking them above restores code point order.
const unitRank = (u) => (u < 0xd800 ? u : u < 0xe000 ? u + 0x2000 : u - 0x800);
function compareTerms(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return unitRank(x) - unitRank(y);
  }
  return a.length - b.length;
}

// The first index at or after `from` (and before `end`) whose value in the
// ascending `list` is >= `value`; `end` when there is none. Gallops: steps of
// 1, 2, 4, … then halves, so a short list walks a long one in few reads.
function seek(list, from, end, value) {
  let lo = from;
  let hi = from;
  for (let step = 1; hi < end && list[hi] < value; step *= 2) {
    lo = hi + 1;
    hi += step;
  }
  if (hi > end) hi = end;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// Index of `value` in the first `end` entries of the ascending `list`, or -1.
function indexIn(list, end, value) {
  const i = seek(list, 0, end, value);
  return i < end && list[i] === value ? i : -1;
}

// Reads unsigned LEB128 varints ("Varints"). Arithmetic, not bit operators,
// so that numbers past 2^31 (offsets in big files) stay exact.
class Cursor {
  constructor(bytes, pos = 0) {
    this.bytes = bytes;
    this.pos = pos;
  }

  varint() {
    let value = 0;
    let scale = 1;
    let byte;
    do {
      byte = this.bytes[this.pos++];
      value += (byte & 0x7f) * scale;
      scale *= 128;
    } while (byte & 0x80);
    return value;
  }

  // Steps over `n` varints.
  skip(n) {
    const { bytes } = this;
    let pos = this.pos;
    for (let left = n; left > 0; ) if (bytes[pos++] < 0x80) left--;
    this.pos = pos;
  }
}

// A term shard ("Term shards"): its terms in order, each with the fields that
// hold it, its `count`, `df` and `max`, where its positions are, and where its
// postings are: the ids from `start` to `end`, then the impacts. Postings are
// only located here and decoded when a query needs them (see postings()).
function parseShard(bytes) {
  const shard = { bytes, entries: [], byTerm: new Map(), positions: null };
  const floats = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const c = new Cursor(bytes);
  let term = new Uint8Array(64); // the term's bytes, its first `shared` those of the term before
  for (let n = c.varint(); n > 0; n--) {
    const shared = c.varint();
    const rest = c.varint();
    if (shared + rest > term.length) {
      const longer = new Uint8Array(2 * (shared + rest));
      longer.set(term);
      term = longer;
    }
    term.set(bytes.subarray(c.pos, c.pos + rest), shared);
    c.pos += rest;
    const mask = c.varint();
    const count = c.varint();
    const df = c.varint();
    const max = floats.getFloat32(c.pos, true); // a single, exactly a double
    c.pos += 4;
    const at = c.varint();
    const packed = c.varint(); // (length << 1) | dense; the length of the ids, not the impacts
    const start = c.pos;
    const end = start + (packed - (packed % 2)) / 2;
    c.pos = end + df;
    const entry = {
      shard, term: utf8.decode(term.subarray(0, shared + rest)), mask, count, df, max, at,
      dense: packed % 2 === 1, start, end,
      docs: null, scores: null, impacts: null, fields: null,
    };
    shard.entries.push(entry);
    shard.byTerm.set(entry.term, entry);
  }
  return shard;
}

// index.json with, per document, its council, year (0: none) and status
// (0: none, 1: dagsorden, 2: referat), for filters and facets; per council
// the index of its municipality in `municipalities`; the years documents have;
// and the runs of documents alike in all three ("segments", `segments[s]` …
// `segments[s + 1] − 1`), so that filters and facets take a run at a time.
function prepareIndex(raw) {
  if (raw.format !== FORMAT) throw new Error(`search: index.json: format ${raw.format}, not ${FORMAT}`);
  const ix = {
    ...raw,
    councilOf: new Uint32Array(raw.docs),
    yearOf: new Uint16Array(raw.docs),
    statusOf: new Uint8Array(raw.docs),
  };
  const years = new Set();
  const cuts = [raw.docs]; // where a council, year or status may change
  raw.councils.forEach((c, k) => {
    ix.councilOf.fill(k, c.start, c.start + c.count);
    ix.statusOf.fill(2, c.start + 1, c.start + c.count);
    cuts.push(c.start, c.start + 1, c.start + c.count);
    for (const [from, count] of c.agenda) {
      ix.statusOf.fill(1, c.start + from, c.start + from + count);
      cuts.push(c.start + from, c.start + from + count);
    }
    let doc = c.start + 1;
    for (const [year, count] of c.years) {
      ix.yearOf.fill(year, doc, doc + count);
      if (count > 0) years.add(year);
      cuts.push(doc, (doc += count));
    }
  });
  ix.municipalities = [...new Set(raw.councils.map((c) => c.municipality))].sort(compareTerms);
  ix.municipalityOf = Uint32Array.from(raw.councils, (c) => ix.municipalities.indexOf(c.municipality));
  ix.years = [...years];
  ix.segments = Uint32Array.from(new Set(cuts.filter((doc) => doc <= raw.docs))).sort();
  return ix;
}

// Scored lists: documents in id order, each with a score, as a term, a clause
// or a query has them. A term's entry is one: its `docs` stay null until
// postings() decodes them, and a document's score is q · max / 255 of its
// impact (`impacts` beside `docs`; `scores` stays null, as a query needs few
// of them). So is a list that the engine makes (scoredList()), with `docs`
// and `scores`. Both have `df`, their number of documents.

// A term's postings ("Term shards"), decoded on first use: `docs`, the
// documents that hold it in id order, and beside them `impacts`, its q in
// each. A list of the engine's is returned as it is.
function postings(list) {
  if (list.docs !== null) return list;
  const { df, dense, start, end } = list;
  const { bytes } = list.shard;
  const docs = new Uint32Array(df);
  if (dense) {
    // Bit k of byte j: document first + 8·j + k (bit 0 of byte 0 is the first).
    const c = new Cursor(bytes, start);
    let i = 0;
    for (let base = c.varint(), pos = c.pos; pos < end; base += 8) {
      for (let bits = bytes[pos++]; bits !== 0; bits &= bits - 1) docs[i++] = base + 31 - Math.clz32(bits & -bits);
    }
  } else {
    // The first id, then the gaps: varints, read inline (this runs per posting).
    for (let i = 0, pos = start, doc = 0; i < df; i++) {
      let v = bytes[pos++];
      if (v > 0x7f) {
        v &= 0x7f;
        let scale = 128;
        let byte;
        do {
          byte = bytes[pos++];
          v += (byte & 0x7f) * scale;
          scale *= 128;
        } while (byte > 0x7f);
      }
      docs[i] = doc += v;
    }
  }
  list.impacts = bytes.subarray(end, end + df);
  list.docs = docs;
  return list;
}

// The score of document i of a decoded list: score(t, d) = q · max / 255
// ("Score") for a term.
const scoreOf = (list, i) => (list.scores !== null ? list.scores[i] : (list.impacts[i] * list.max) / 255);

// A list of the engine's.
const scoredList = (docs, scores) => ({ df: docs.length, docs, scores, impacts: null, max: 0, dense: false });

// Whether `list` is a term's bitmap ("Term shards", dense = 1) not decoded yet.
const bitmapOnly = (list) => list.dense && list.docs === null;

// Set bits per byte value.
const POPCOUNT = new Uint8Array(256);
for (let b = 1; b < 256; b++) POPCOUNT[b] = (b & 1) + POPCOUNT[b >> 1];

// AND ("Queries", "Score"): the documents of both lists, in id order, each
// scored a's score plus b's (a + b is b + a in IEEE arithmetic, so either may
// be the one before in the query). A term's bitmap is not decoded for it:
// the other list's documents are looked up in it, which for a term in most
// documents ("af", "og") reads a few bits for each of a few documents
// rather than every document of the term.
function intersect(a, b) {
  if (bitmapOnly(b) && !bitmapOnly(a)) return lookUp(postings(a), b);
  if (bitmapOnly(a) && !bitmapOnly(b)) return lookUp(postings(b), a);
  const { docs: aDocs, df: aEnd } = postings(a);
  const { docs: bDocs, df: bEnd } = postings(b);
  const docs = new Uint32Array(Math.min(aEnd, bEnd));
  const scores = new Float64Array(docs.length);
  let n = 0;
  for (let i = 0, j = 0; i < aEnd && j < bEnd; ) {
    const x = aDocs[i];
    const y = bDocs[j];
    if (x === y) {
      docs[n] = x;
      scores[n++] = scoreOf(a, i++) + scoreOf(b, j++);
    } else if (x < y) {
      i = aDocs[i + 1] < y ? seek(aDocs, i + 2, aEnd, y) : i + 1;
    } else {
      j = bDocs[j + 1] < x ? seek(bDocs, j + 2, bEnd, x) : j + 1;
    }
  }
  return scoredList(docs.subarray(0, n), scores.subarray(0, n));
}

// AND of a decoded list with a term's bitmap: a document's bit, and its
// impact, the one after as many as the bits set before it.
function lookUp(list, term) {
  const { bytes } = term.shard;
  const c = new Cursor(bytes, term.start);
  const first = c.varint();
  const bitmap = c.pos; // byte j of the bitmap is bytes[bitmap + j]
  const size = term.end - bitmap;
  const docs = new Uint32Array(Math.min(list.df, term.df));
  const scores = new Float64Array(docs.length);
  let n = 0;
  let counted = 0; // the bytes of the bitmap whose bits are in `before`
  let before = 0;
  for (let i = 0; i < list.df; i++) {
    const doc = list.docs[i];
    if (doc < first) continue;
    const byte = (doc - first) >>> 3; // ids are below 2^32
    if (byte >= size) break;
    for (; counted < byte; counted++) before += POPCOUNT[bytes[bitmap + counted]];
    const bits = bytes[bitmap + byte];
    const bit = 1 << ((doc - first) & 7);
    if (bits & bit) {
      const q = bytes[term.end + before + POPCOUNT[bits & (bit - 1)]];
      docs[n] = doc;
      scores[n++] = scoreOf(list, i) + (q * term.max) / 255;
    }
  }
  return scoredList(docs.subarray(0, n), scores.subarray(0, n));
}

// Whether a document's positions of a phrase's terms (`positions[j]`, the
// first `counts[j]`) hold p + shift[j] for every term j, for some p.
function aligned(positions, counts, shift) {
  next: for (let k = 0; k < counts[0]; k++) {
    const p = positions[0][k];
    for (let j = 1; j < positions.length; j++) {
      if (indexIn(positions[j], counts[j], p + shift[j]) < 0) continue next;
    }
    return true;
  }
  return false;
}

// The first `want` of `count` hits (`docs[i]` with `keys[i]`) in order: the
// highest key first, then the lowest id. `docs` ascend, so a hit never goes
// before an earlier one with the same key.
function firstInOrder(docs, keys, count, want) {
  if (want <= 0) return [];
  if (want > MAX_PICKED) {
    const order = new Uint32Array(count);
    for (let i = 0; i < count; i++) order[i] = i;
    order.sort((i, j) => keys[j] - keys[i] || i - j);
    return Array.from(order.subarray(0, want), (i) => docs[i]);
  }
  // Insertion into `picked` (indexes of hits, in order), which never grows past `want`.
  const picked = new Uint32Array(want);
  let n = 0;
  let floor = -Infinity; // once `picked` is full: the key a hit must beat
  for (let i = 0; i < count; i++) {
    const key = keys[i];
    if (key <= floor) continue;
    let k = n < want ? n++ : n - 1;
    for (; k > 0 && keys[picked[k - 1]] < key; k--) picked[k] = picked[k - 1];
    picked[k] = i;
    if (n === want) floor = keys[picked[n - 1]];
  }
  return Array.from(picked.subarray(0, n), (i) => docs[i]);
}

// A word tried as a Sags ID: it holds a digit (0–9) and a character that is
// neither a letter nor a digit (in the tokenizer's sense), as in Rust.
const looksLikeCaseId = (word) => /[0-9]/.test(word) && /[^\p{Alphabetic}\p{N}]/u.test(word);

// Levenshtein distance over code points; anything above `max` is max + 1.
function editDistance(a, b, max) {
  const x = [...a];
  const y = [...b];
  if (Math.abs(x.length - y.length) > max) return max + 1;
  let row = y.map((_, j) => j).concat(y.length);
  for (let i = 1; i <= x.length; i++) {
    const next = [i];
    for (let j = 1; j <= y.length; j++) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    if (Math.min(...next) > max) return max + 1;
    row = next;
  }
  return Math.min(row[y.length], max + 1);
}

const HTML_ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (s) => s.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]);

// "Excerpt": the first window of 30 tokens with the most tokens whose term is
// in `terms`, as HTML.
function excerpt(text, terms) {
  // The tokens as tokenize() gives them. The stemmer only cuts endings, so a
  // token's term starts as the token does, lowercased and with "aa" as "å":
  // only the tokens that start with the first two letters of a term (or with
  // a term of one letter) need stemming to be compared.
  const heads = new Set([...terms].map((t) => t.slice(0, 2)));
  const tokens = [];
  const marked = [];
  for (const m of String(text).matchAll(WORD_RUN)) {
    const raw = m[0];
    if (raw.length > 13 && utf8Length(raw) >= MAX_TOKEN_BYTES) continue;
    const folded = aaFilter(lowerCase(raw));
    const head = heads.has(folded.slice(0, 2)) || heads.has(folded.slice(0, 1));
    tokens.push({ offsetFrom: m.index, offsetTo: m.index + raw.length });
    marked.push(head && terms.has(stemDanish(folded)) ? 1 : 0);
  }
  const size = Math.min(EXCERPT_TOKENS, tokens.length);
  if (size === 0) return '';
  let count = marked.slice(0, size).reduce((a, b) => a + b, 0);
  let best = 0;
  let bestCount = count;
  for (let start = 1; start + size <= tokens.length; start++) {
    count += marked[start + size - 1] - marked[start - 1];
    if (count > bestCount) {
      best = start;
      bestCount = count;
    }
  }
  // "…" where words were cut, not for punctuation around the first or last.
  let html = best > 0 ? '…' : '';
  let at = tokens[best].offsetFrom;
  for (let i = best; i < best + size; i++) {
    const { offsetFrom, offsetTo } = tokens[i];
    const word = escapeHtml(text.slice(offsetFrom, offsetTo));
    html += escapeHtml(text.slice(at, offsetFrom)) + (marked[i] ? `<mark>${word}</mark>` : word);
    at = offsetTo;
  }
  return best + size < tokens.length ? `${html}…` : html;
}

/**
 * The search of the site at `baseUrl` (the site root; the bundle is in
 * _search/ below it). `options.fetch` replaces globalThis.fetch. Files are
 * fetched when a query first needs them and kept for the next queries.
 */
export function createSearch(baseUrl, options = {}) {
  // In a page, a relative base is taken relative to the page.
  const root = new URL(baseUrl, globalThis.location?.href);
  const bundle = new URL('_search/', root);
  const fetchFile = options.fetch ?? ((url) => globalThis.fetch(url));
  const files = new Map(); // path in the bundle -> promise of its parsed content
  const shards = []; // shard number -> parsed shard, once loaded
  let ix;

  function load(path, read) {
    let file = files.get(path);
    if (!file) {
      file = Promise.resolve(fetchFile(new URL(path, bundle).href)).then((res) => {
        if (!res.ok) throw new Error(`search: ${path}: HTTP ${res.status}`);
        return read(res);
      });
      files.set(path, file);
      file.catch(() => files.delete(path)); // a failed fetch is tried again next time
    }
    return file;
  }
  const json = (res) => res.json();
  const binary = async (res) => new Uint8Array(await res.arrayBuffer());

  // The shard a term is in: the last whose entry is <= the term.
  function shardOf(term) {
    let lo = 0;
    let hi = ix.shards.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (compareTerms(ix.shards[mid], term) <= 0) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
  // The shards that may hold terms starting with `prefix`: its own shard and
  // every next one whose entry starts with it.
  function shardsFrom(prefix) {
    const list = [shardOf(prefix)];
    while (ix.shards[list.at(-1) + 1]?.startsWith(prefix)) list.push(list.at(-1) + 1);
    return list;
  }
  // Shard i's files are named by its entry in `shardNames` ("index.json").
  const loadShard = (i) => load(`s/${ix.shardNames[i]}-t.bin`, async (res) => (shards[i] = parseShard(await binary(res))));
  const loadPositions = (i) => load(`s/${ix.shardNames[i]}-p.bin`, async (res) => (shards[i].positions = await binary(res)));
  // A term's entry, once its shard is loaded; undefined when no field holds it.
  const entryOf = (term) => shards[shardOf(term)].byTerm.get(term);

  // The up to 50 terms that start with `prefix`, with the highest `count`;
  // sort is stable, so ties stay in term order.
  function expansions(prefix) {
    const found = shardsFrom(prefix).flatMap((i) => shards[i].entries.filter((e) => e.term.startsWith(prefix)));
    return found.sort((a, b) => b.count - a.count).slice(0, MAX_EXPANSIONS);
  }

  // "Queries": the clauses of a query, with the shards their terms are in
  // loaded. A term clause is {term, entries}, and when it is a word of the
  // query {word: {from, to, folded}} for the suggestion; a phrase is {phrase:
  // tokens, entries}, an entry undefined for a term no field holds.
  async function clausesOf(query) {
    const parts = [];
    for (const m of query.matchAll(QUERY_PART)) {
      parts.push(m[1] === undefined ? { text: m[0], at: m.index, word: true } : { text: m[1], at: m.index + 1 });
    }
    // The word still being typed: the query ends in it, not in whitespace or a quote.
    const last = parts.at(-1);
    const typing = last?.word && last.at + last.text.length === query.length ? last : null;

    // Sags IDs first: a word that is one is not analysed.
    const caseIds = await Promise.all(
      parts.map(async (p) => {
        if (!p.word || !looksLikeCaseId(p.text)) return null;
        const id = lowerCase(p.text);
        await loadShard(shardOf(id));
        return entryOf(id) ? id : null;
      }),
    );

    const clauses = [];
    const needed = new Set();
    parts.forEach((p, i) => {
      if (caseIds[i]) {
        clauses.push({ term: caseIds[i] });
        return;
      }
      const tokens = tokenize(p.text);
      if (tokens.length > 1) {
        clauses.push({ phrase: tokens });
        for (const t of tokens) needed.add(shardOf(t.text));
      } else if (tokens.length === 1) {
        const [t] = tokens;
        // The word as the index spells it, but unstemmed: what a prefix is.
        const folded = aaFilter(lowerCase(p.text.slice(t.offsetFrom, t.offsetTo)));
        const clause = { term: t.text };
        if (p.word) clause.word = { from: p.at, to: p.at + p.text.length, folded };
        if (p === typing && [...folded].length >= MIN_PREFIX) {
          clause.prefix = folded;
          for (const s of shardsFrom(folded)) needed.add(s);
        }
        clauses.push(clause);
        needed.add(shardOf(t.text));
      }
    });
    await Promise.all([...needed].map(loadShard));

    for (const c of clauses) {
      if (c.phrase) c.entries = c.phrase.map((t) => entryOf(t.text));
      else c.entries = [...new Set([entryOf(c.term), ...(c.prefix ? expansions(c.prefix) : [])])].filter(Boolean);
    }
    return clauses;
  }

  // A term clause ("Score"): the documents that hold any of its terms, in id
  // order, each scored the largest score(t, d) of its terms. One term: its
  // entry, a scored list as it is. Several: each term's postings read as
  // postings() reads them, but straight into `best`, by document id (0: no
  // term yet; a score is never 0, as q >= 1 and max > 0), and the list of
  // documents touched, sorted at the end.
  function termClause(entries) {
    if (entries.length === 1) return entries[0];
    const best = new Float64Array(ix.docs);
    let postingCount = 0;
    for (const entry of entries) postingCount += entry.df;
    const touched = new Uint32Array(Math.min(postingCount, ix.docs));
    let n = 0;
    for (const { shard, df, max, dense, start, end } of entries) {
      const { bytes } = shard;
      let impact = end;
      if (dense) {
        const c = new Cursor(bytes, start);
        for (let base = c.varint(), pos = c.pos; pos < end; base += 8) {
          for (let bits = bytes[pos++]; bits !== 0; bits &= bits - 1) {
            const doc = base + 31 - Math.clz32(bits & -bits);
            const score = bytes[impact++] * max / 255;
            const held = best[doc];
            if (held === 0) {
              touched[n++] = doc;
              best[doc] = score;
            } else if (score > held) {
              best[doc] = score;
            }
          }
        }
      } else {
        for (let i = 0, pos = start, doc = 0; i < df; i++) {
          let v = bytes[pos++];
          if (v > 0x7f) {
            v &= 0x7f;
            let scale = 128;
            let byte;
            do {
              byte = bytes[pos++];
              v += (byte & 0x7f) * scale;
              scale *= 128;
            } while (byte > 0x7f);
          }
          doc += v;
          const score = bytes[impact++] * max / 255;
          const held = best[doc];
          if (held === 0) {
            touched[n++] = doc;
            best[doc] = score;
          } else if (score > held) {
            best[doc] = score;
          }
        }
      }
    }
    const docs = touched.subarray(0, n).sort();
    const scores = new Float64Array(n);
    for (let k = 0; k < n; k++) scores[k] = best[docs[k]];
    return scoredList(docs, scores);
  }

  // A term's positions ("Positions"), decoded on first use: per field 0–3
  // that holds it, the field's documents in id order and where in its shard's
  // positions file their positions start (that file must be loaded).
  function fieldsOf(entry) {
    if (entry.fields) return entry.fields;
    const c = new Cursor(entry.shard.positions, entry.at);
    const fields = [];
    for (let field = 0; field < CASE_FIELD; field++) {
      if (!(entry.mask & (1 << field))) continue;
      const docs = new Uint32Array(c.varint());
      for (let i = 0, doc = 0; i < docs.length; i++) docs[i] = doc += c.varint();
      fields[field] = { docs, at: c.pos };
      // Past the positions, when a field with positions follows.
      if ((entry.mask & 0xf) >> (field + 1)) for (let i = 0; i < docs.length; i++) c.skip(c.varint());
    }
    return (entry.fields = fields);
  }

  // A phrase ("Queries", "Score"): the documents where its terms stand at
  // consecutive positions (as the query numbered them) in one field, in id
  // order, each scored Σ score(t, d) over its terms in order, from 0.
  function phraseClause({ phrase, entries }) {
    const m = entries.length;
    const shift = phrase.map((t) => t.position - phrase[0].position);
    const found = new Uint8Array(ix.docs);
    const list = [];
    for (let field = 0; field < CASE_FIELD; field++) {
      if (!entries.every((e) => e.mask & (1 << field))) continue;
      const lists = entries.map((e) => fieldsOf(e)[field]);
      // Per term: the index in its list of the document at hand, and a cursor
      // at the positions of document `next` of the list. The documents tried
      // are those of the shortest list.
      const at = new Array(m).fill(0);
      const cursors = lists.map((l, j) => new Cursor(entries[j].shard.positions, l.at));
      const next = new Array(m).fill(0);
      const positions = lists.map(() => new Uint32Array(16));
      const counts = new Array(m).fill(0);
      const fewest = lists.reduce((a, b) => (b.docs.length < a.docs.length ? b : a));
      for (const doc of fewest.docs) {
        if (found[doc]) continue;
        let all = true;
        for (let j = 0; j < m && all; j++) {
          const docs = lists[j].docs;
          at[j] = seek(docs, at[j], docs.length, doc);
          all = at[j] < docs.length && docs[at[j]] === doc;
        }
        if (!all) continue;
        // The positions of the document, term by term.
        for (let j = 0; j < m; j++) {
          const c = cursors[j];
          for (; next[j] < at[j]; next[j]++) c.skip(c.varint());
          const tf = c.varint();
          next[j]++;
          if (tf > positions[j].length) positions[j] = new Uint32Array(2 * tf);
          for (let k = 0, p = 0; k < tf; k++) positions[j][k] = p += c.varint();
          counts[j] = tf;
        }
        if (aligned(positions, counts, shift)) {
          found[doc] = 1;
          list.push(doc);
        }
      }
    }
    const docs = Uint32Array.from(list).sort();
    const scores = new Float64Array(docs.length);
    entries.forEach(postings);
    for (let k = 0; k < docs.length; k++) {
      let score = 0;
      for (const entry of entries) score += scoreOf(entry, indexIn(entry.docs, entry.df, docs[k]));
      scores[k] = score;
    }
    return scoredList(docs, scores);
  }

  // The documents that match every clause (AND), in id order, scored the
  // first clause's score plus the next, … in query order; null for none.
  async function matches(clauses) {
    const possible = clauses.length > 0 && clauses.every((c) => c.entries.length && c.entries.every(Boolean));
    if (!possible) return null;
    const phraseShards = clauses.flatMap((c) => (c.phrase ? c.phrase.map((t) => shardOf(t.text)) : []));
    await Promise.all([...new Set(phraseShards)].map(loadPositions));
    let found = null;
    for (const c of clauses) {
      const scored = c.phrase ? phraseClause(c) : termClause(c.entries);
      found = found ? intersect(found, scored) : scored;
      if (found.df === 0) return null;
    }
    return postings(found);
  }

  // "Suggestion": each word of the query whose clause no field holds,
  // replaced by the term of its term's shard nearest to the word (lowercased
  // and with "aa" as "å", as referat search does).
  function suggest(query, clauses) {
    let suggestion = query;
    // Right to left, so that the places of the words before stay right.
    for (const c of [...clauses].reverse()) {
      if (!c.word || c.entries.length) continue;
      const { from, to, folded } = c.word;
      const max = [...folded].length <= 4 ? 1 : 2;
      let best;
      let bestDistance = max + 1;
      for (const e of shards[shardOf(c.term)].entries) {
        const d = editDistance(folded, e.term, max);
        if (d < bestDistance || (d === bestDistance && best && e.count > best.count)) {
          best = e;
          bestDistance = d;
        }
      }
      if (best) suggestion = suggestion.slice(0, from) + best.term + suggestion.slice(to);
    }
    return suggestion === query ? null : suggestion;
  }

  // Meeting dates per document ("Dates"); -1 for council pages, which sort last.
  // A council's entries end once they have dated all its items: the file has
  // no count of meetings, so it must not list meetings without items.
  const loadDates = () =>
    load(ix.dates, async (res) => {
      const c = new Cursor(await binary(res));
      const date = new Int32Array(ix.docs).fill(-1);
      for (const council of ix.councils) {
        const end = council.start + council.count;
        for (let doc = council.start + 1, day = 0; doc < end && c.pos < c.bytes.length; ) {
          const items = c.varint();
          day += c.varint();
          date.fill(day, doc, doc + items);
          doc += items;
        }
      }
      return date;
    });

  async function search(query, { filters = {}, limit = 10, offset = 0, sort = 'relevance' } = {}) {
    ix ??= await load('index.json', async (res) => prepareIndex(await res.json()));
    const text = String(query ?? '');
    const clauses = await clausesOf(text);
    const found = (await matches(clauses)) ?? scoredList(new Uint32Array(0), new Float64Array(0));

    // "Filters and facets". A filter is a value or an array of values; an
    // empty array filters nothing. Per council, year and status: 1 when a
    // document with it fails the dimension's filter (a council fails the
    // council and the municipality filters).
    const wanted = DIMENSIONS.map((d) => {
      const values = [filters[d] ?? []].flat();
      return values.length ? new Set(values.map(String)) : null;
    });
    const fails = (k, value) => (wanted[k] && !(value !== undefined && wanted[k].has(String(value))) ? 1 : 0);
    const councilFails = Uint8Array.from(ix.councils, (c) => fails(0, c.slug));
    const municipalityFails = Uint8Array.from(ix.councils, (c) => fails(1, c.municipality));
    const yearFails = new Uint8Array(1 << 16);
    if (wanted[2]) {
      yearFails.fill(1);
      for (const y of ix.years) yearFails[y] = fails(2, y);
    }
    const statusFails = Uint8Array.from([undefined, ...STATUSES], (s) => fails(3, s));

    // The hits, in id order, with `keys` to order them by: the scores, or for
    // one term its impacts, which order its documents as its scores do
    // (q · max / 255 grows with q). And the facet counts. A segment at a time
    // (`docs` ascend); a dimension's counts ignore its own filter: documents
    // count when they fail no filter, or that dimension's alone.
    const { docs } = found;
    const ranks = found.scores ?? found.impacts;
    const { councilOf, yearOf, statusOf, municipalityOf, segments } = ix;
    const councilCounts = new Uint32Array(ix.councils.length);
    const municipalityCounts = new Uint32Array(ix.municipalities.length);
    const yearCounts = new Uint32Array(1 << 16); // year 0 (none) is never listed
    const statusCounts = new Uint32Array(STATUSES.length + 1); // status 0 (none) is never listed
    const filtered = wanted.some(Boolean);
    let hits = docs;
    let keys = ranks;
    if (filtered) {
      hits = new Uint32Array(docs.length);
      keys = new Float64Array(docs.length);
    }
    let total = 0;
    for (let s = 0, at = 0; at < docs.length && s + 1 < segments.length; s++) {
      const end = segments[s + 1];
      if (docs[at] >= end) continue;
      const to = seek(docs, at, docs.length, end);
      const count = to - at;
      const doc = segments[s];
      const council = councilOf[doc];
      const failC = councilFails[council];
      const failM = municipalityFails[council];
      const failY = yearFails[yearOf[doc]];
      const failS = statusFails[statusOf[doc]];
      const failed = failC + failM + failY + failS;
      if (failed === 0) {
        if (filtered) {
          hits.set(docs.subarray(at, to), total);
          keys.set(ranks.subarray(at, to), total);
        }
        total += count;
      }
      if (failed - failC === 0) councilCounts[council] += count;
      if (failed - failM === 0) municipalityCounts[municipalityOf[council]] += count;
      if (failed - failY === 0) yearCounts[yearOf[doc]] += count;
      if (failed - failS === 0) statusCounts[statusOf[doc]] += count;
      at = to;
    }
    const listed = (k, value, count, label) => {
      if (count === 0 && !wanted[k]?.has(String(value))) return [];
      return [label === undefined ? { value, count } : { value, label, count }];
    };
    const yearCount = (y) => (Number.isInteger(y) && y > 0 && y < yearCounts.length ? yearCounts[y] : 0);
    const facets = {
      council: ix.councils.flatMap((c, k) => listed(0, c.slug, councilCounts[k], c.name)),
      municipality: ix.municipalities.flatMap((m, k) => listed(1, m, municipalityCounts[k])),
      // The years that have results, and the selected ones.
      year: [...new Set([...ix.years.filter((y) => yearCounts[y] > 0), ...[...(wanted[2] ?? [])].map(Number).filter(Number.isInteger)])]
        .sort((a, b) => b - a)
        .flatMap((y) => listed(2, y, yearCount(y))),
      status: STATUSES.flatMap((s, k) => listed(3, s, statusCounts[k + 1])),
    };

    // The page: hits offset … offset + limit − 1 (as Array.slice takes them),
    // by score (or date), then id; only as many as it needs are put in order.
    const bound = (at) => {
      const n = Math.trunc(Number(at)) || 0;
      return n < 0 ? Math.max(total + n, 0) : Math.min(n, total);
    };
    const from = bound(offset);
    const to = bound(offset + limit);
    if (sort === 'date' && total > 1 && to > from) {
      const date = await loadDates();
      keys = new Int32Array(total);
      for (let i = 0; i < total; i++) keys[i] = date[hits[i]];
    }
    const page = from < to ? firstInOrder(hits, keys, total, to).slice(from) : [];

    const terms = new Set(
      clauses.flatMap((c) => (c.phrase ? c.phrase.map((t) => t.text) : [c.term, ...c.entries.map((e) => e.term)])),
    );
    const results = await Promise.all(
      page.map(async (doc) => {
        // "Fragments": local document n is file n mod fragmentChunk of chunk ⌊n / fragmentChunk⌋.
        const council = ix.councils[ix.councilOf[doc]];
        const n = doc - council.start;
        const chunk = council.fragments[Math.floor(n / ix.fragmentChunk)];
        const f = await load(`f/${chunk}/${n % ix.fragmentChunk}.json`, json);
        return {
          url: new URL(f.url, root).href,
          title: f.title,
          council: f.council,
          municipality: f.municipality,
          date: f.date,
          status: f.status,
          case: f.case,
          excerpt: excerpt(f.text ?? '', terms),
        };
      }),
    );
    return { total, facets, results, suggestion: total ? null : suggest(text, clauses) };
  }

  return { search };
}
