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

const K1 = 1.2;
const B = 0.75;
const LN2 = 0.6931471805599453;
const CASE_FIELD = 4; // the Sags ID: one raw term per document, no positions
const MAX_EXPANSIONS = 50;
const MIN_PREFIX = 3;
const EXCERPT_TOKENS = 30;
const STATUSES = ['dagsorden', 'referat'];
const DIMENSIONS = ['council', 'municipality', 'year', 'status'];

// A quoted phrase (to the next quote or the end), or a word: text up to
// whitespace or a quote. \p{White_Space} is Rust's char::is_whitespace.
const QUERY_PART = /"([^"]*)"?|[^"\p{White_Space}]+/gu;
const utf8 = new TextDecoder();

// The natural logarithm with + − × ÷ only (Math.log may round differently in
// another engine; Rust must get the same bits). "Score" gives the formula.
function ln(x) {
  let m = x;
  let e = 0;
  while (m >= 2) { m /= 2; e += 1; }
  while (m < 1) { m *= 2; e -= 1; }
  const s = (m - 1) / (m + 1);
  const s2 = s * s;
  let power = s; // s^(2k+1)
  let sum = 0;
  for (let k = 0; k < 20; k++) {
    sum += power / (2 * k + 1);
    power *= s2;
  }
  return e * LN2 + 2 * sum;
}

// tantivy's id_to_fieldnorm: lengths 0–40 as they are, then 8 steps of 2,
// 8 of 4, 8 of 8, ...
const FIELDNORMS = [];
for (let id = 0; id < 256; id++) {
  FIELDNORMS.push(id <= 40 ? id : FIELDNORMS[id - 1] + (2 << Math.floor((id - 41) / 8)));
}

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

// Index of `value` in the ascending array `list`, or -1.
function bsearch(list, value) {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid] < value) lo = mid + 1;
    else if (list[mid] > value) hi = mid - 1;
    else return mid;
  }
  return -1;
}

// Reads unsigned LEB128 varints. Arithmetic, not bit operators, so that
// numbers past 2^31 (offsets in big files) stay exact.
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
}

// A term shard ("Term shards"): its terms in order, each with the fields that
// hold it. Postings are only located here and decoded when a query needs them.
function parseShard(bytes) {
  const shard = { bytes, entries: [], byTerm: new Map(), positions: null };
  const c = new Cursor(bytes);
  let prev = new Uint8Array(0);
  for (let n = c.varint(); n > 0; n--) {
    const shared = c.varint();
    const rest = c.varint();
    const raw = new Uint8Array(shared + rest);
    raw.set(prev.subarray(0, shared));
    raw.set(bytes.subarray(c.pos, c.pos + rest), shared);
    c.pos += rest;
    prev = raw;
    const entry = { term: utf8.decode(raw), fields: [], docs: 0 };
    const mask = c.varint();
    for (let field = 0; mask >= 1 << field; field++) {
      if (!(mask & (1 << field))) continue;
      const df = c.varint();
      const at = c.varint();
      const length = c.varint();
      entry.fields.push({ shard, field, df, at, start: c.pos });
      entry.docs += df;
      c.pos += length;
    }
    shard.entries.push(entry);
    shard.byTerm.set(entry.term, entry);
  }
  return shard;
}

// index.json with, per document, its council, year (0: none) and status
// (0: none, 1: dagsorden, 2: referat), for filters and facets.
function prepareIndex(raw) {
  const ix = {
    ...raw,
    avg: raw.fields.map((f) => f.tokens / raw.docs),
    councilOf: new Uint32Array(raw.docs),
    yearOf: new Uint16Array(raw.docs),
    statusOf: new Uint8Array(raw.docs),
  };
  raw.councils.forEach((c, k) => {
    ix.councilOf.fill(k, c.start, c.start + c.count);
    ix.statusOf.fill(2, c.start + 1, c.start + c.count);
    for (const [from, count] of c.agenda) ix.statusOf.fill(1, c.start + from, c.start + from + count);
    let doc = c.start + 1;
    for (const [year, count] of c.years) {
      ix.yearOf.fill(year, doc, doc + count);
      doc += count;
    }
  });
  ix.municipalities = [...new Set(raw.councils.map((c) => c.municipality))].sort(compareTerms);
  ix.valueOf = [
    (doc) => ix.councils[ix.councilOf[doc]].slug,
    (doc) => ix.councils[ix.councilOf[doc]].municipality,
    (doc) => ix.yearOf[doc] || undefined,
    (doc) => STATUSES[ix.statusOf[doc] - 1],
  ];
  return ix;
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
  const tokens = tokenize(text);
  const marked = tokens.map((t) => (terms.has(t.text) ? 1 : 0));
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
  const loadShard = (i) => load(`${ix.shardDir}/t${i}.bin`, async (res) => (shards[i] = parseShard(await binary(res))));
  const loadPositions = (i) => load(`${ix.shardDir}/p${i}.bin`, async (res) => (shards[i].positions = await binary(res)));
  // A term's entry, once its shard is loaded; undefined when no field holds it.
  const entryOf = (term) => shards[shardOf(term)].byTerm.get(term);

  // The up to 50 terms that start with `prefix`, held by the most documents;
  // sort is stable, so ties stay in term order.
  function expansions(prefix) {
    const found = shardsFrom(prefix).flatMap((i) => shards[i].entries.filter((e) => e.term.startsWith(prefix)));
    return found.sort((a, b) => b.docs - a.docs).slice(0, MAX_EXPANSIONS);
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

  // A (term, field)'s postings, decoded on first use, with the field's idf.
  function postings(fi) {
    if (!fi.docs) {
      const c = new Cursor(fi.shard.bytes, fi.start);
      fi.docs = [];
      fi.tfs = [];
      fi.norms = [];
      for (let i = 0, doc = 0; i < fi.df; i++) {
        const v = c.varint();
        const code = v % 4;
        doc += (v - code) / 4;
        fi.docs.push(doc);
        fi.tfs.push(code === 3 ? 4 + c.varint() : code + 1);
        fi.norms.push(c.bytes[c.pos++]);
      }
      fi.idf = ln(1 + (ix.docs - fi.df + 0.5) / (fi.df + 0.5));
    }
    return fi;
  }

  // The token positions of posting i of a (term, field); its shard's
  // positions file must be loaded.
  function positionsOf(fi, i) {
    if (!fi.positionLists) {
      const c = new Cursor(fi.shard.positions, fi.at);
      fi.positionLists = fi.tfs.map((tf) => {
        const list = [];
        for (let k = 0, p = 0; k < tf; k++) list.push((p += c.varint()));
        return list;
      });
    }
    return fi.positionLists[i];
  }

  // bm25 of posting i of a decoded (term, field), operation by operation as in "Score".
  function bm25(fi, i) {
    const tf = fi.tfs[i];
    const tfnorm = K1 * (1 - B + B * FIELDNORMS[fi.norms[i]] / ix.avg[fi.field]);
    return ix.fields[fi.field].weight * fi.idf * (K1 + 1) * tf / (tf + tfnorm);
  }

  // term(t, d) for one document: fields in order, summed from 0.
  function termScore(entry, doc) {
    let score = 0;
    for (const fi of entry.fields) {
      const i = bsearch(postings(fi).docs, doc);
      if (i >= 0) score += bm25(fi, i);
    }
    return score;
  }

  // A term clause: per document, the largest term(t, d) of its terms.
  function termClauseScores(entries) {
    const best = new Map();
    for (const entry of entries) {
      const sums = new Map();
      for (const fi of entry.fields) {
        postings(fi).docs.forEach((doc, i) => sums.set(doc, (sums.get(doc) ?? 0) + bm25(fi, i)));
      }
      for (const [doc, score] of sums) best.set(doc, Math.max(best.get(doc) ?? 0, score));
    }
    return best;
  }

  // A phrase: the documents with its terms at consecutive positions (as the
  // query numbered them) in one field, scored Σ term(t, d) in order.
  function phraseScores({ phrase, entries }) {
    const found = new Set();
    for (let field = 0; field < CASE_FIELD; field++) {
      const lists = entries.map((e) => e.fields.find((fi) => fi.field === field));
      if (!lists.every(Boolean)) continue;
      lists.forEach(postings);
      for (const doc of lists[0].docs) {
        if (found.has(doc)) continue;
        const at = lists.map((fi) => bsearch(fi.docs, doc));
        if (at.some((i) => i < 0)) continue;
        const aligned = (p) =>
          lists.every((fi, j) => bsearch(positionsOf(fi, at[j]), p + phrase[j].position - phrase[0].position) >= 0);
        if (positionsOf(lists[0], at[0]).some(aligned)) found.add(doc);
      }
    }
    const scores = new Map();
    for (const doc of found) {
      let score = 0;
      for (const entry of entries) score += termScore(entry, doc);
      scores.set(doc, score);
    }
    return scores;
  }

  // The documents that match every clause, scored Σ clause scores in query order.
  async function matches(clauses) {
    const possible = clauses.length > 0 && clauses.every((c) => c.entries.length && c.entries.every(Boolean));
    if (!possible) return [];
    const phraseShards = clauses.flatMap((c) => (c.phrase ? c.phrase.map((t) => shardOf(t.text)) : []));
    await Promise.all([...new Set(phraseShards)].map(loadPositions));
    const [first, ...rest] = clauses.map((c) => (c.phrase ? phraseScores(c) : termClauseScores(c.entries)));
    const found = [];
    for (const [doc, firstScore] of first) {
      if (!rest.every((scores) => scores.has(doc))) continue;
      let score = firstScore;
      for (const scores of rest) score += scores.get(doc);
      found.push({ doc, score });
    }
    return found;
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
        if (d < bestDistance || (d === bestDistance && best && e.docs > best.docs)) {
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
    const found = await matches(clauses);

    // "Filters and facets". A filter is a value or an array of values; an
    // empty array filters nothing.
    const wanted = DIMENSIONS.map((d) => {
      const values = [filters[d] ?? []].flat();
      return values.length ? new Set(values.map(String)) : null;
    });
    const counts = DIMENSIONS.map(() => new Map());
    const hits = [];
    for (const hit of found) {
      const values = ix.valueOf.map((valueOf) => valueOf(hit.doc));
      const fails = values.map((v, k) => (wanted[k] && !(v !== undefined && wanted[k].has(String(v))) ? 1 : 0));
      const failed = fails.reduce((a, b) => a + b);
      if (!failed) hits.push(hit);
      // A dimension's counts ignore its own filter.
      values.forEach((v, k) => {
        if (v !== undefined && failed === fails[k]) counts[k].set(v, (counts[k].get(v) ?? 0) + 1);
      });
    }
    const listed = (k, value, label) => {
      const count = counts[k].get(value) ?? 0;
      if (count === 0 && !wanted[k]?.has(String(value))) return [];
      return [label === undefined ? { value, count } : { value, label, count }];
    };
    const facets = {
      council: ix.councils.flatMap((c) => listed(0, c.slug, c.name)),
      municipality: ix.municipalities.flatMap((m) => listed(1, m)),
      // The years that have results, and the selected ones.
      year: [...new Set([...counts[2].keys(), ...[...(wanted[2] ?? [])].map(Number).filter(Number.isInteger)])]
        .sort((a, b) => b - a)
        .flatMap((y) => listed(2, y)),
      status: STATUSES.flatMap((s) => listed(3, s)),
    };

    if (sort !== 'date') {
      hits.sort((a, b) => b.score - a.score || a.doc - b.doc);
    } else if (hits.length > 1) {
      const date = await loadDates();
      hits.sort((a, b) => date[b.doc] - date[a.doc] || a.doc - b.doc);
    }

    const terms = new Set(
      clauses.flatMap((c) => (c.phrase ? c.phrase.map((t) => t.text) : [c.term, ...c.entries.map((e) => e.term)])),
    );
    const results = await Promise.all(
      hits.slice(offset, offset + limit).map(async ({ doc }) => {
        const council = ix.councils[ix.councilOf[doc]];
        const f = await load(`${council.fragments}/${doc - council.start}.json`, json);
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
    return { total: hits.length, facets, results, suggestion: hits.length ? null : suggest(text, clauses) };
  }

  return { search };
}
