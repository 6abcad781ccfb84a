// Tests for search.js. Run from the project root with:
//   node --test themes/standard/search/
//
// The engine tests write small bundles with an encoder of their own, written
// from docs/search-bundle.md, so they check the format as well as the engine.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { analyze, createSearch, stemDanish, tokenize } from './search.js';

const here = (rel) => fileURLToPath(new URL(rel, import.meta.url));

function readLines(path) {
  const lines = readFileSync(path, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

// ---------------------------------------------------------------------------
// The analysis

test('stemDanish gives the Snowball reference output for every word of voc.txt', () => {
  const dir = here('../../../../shared/snowball-danish/');
  const voc = `${dir}voc.txt`;
  const out = `${dir}output.txt`;
  if (!existsSync(voc) || !existsSync(out)) {
    assert.fail(
      `Snowball Danish reference data not found: expected ${voc} and ${out} ` +
        '(shared/snowball-danish/ beside the project checkout).',
    );
  }
  const words = readLines(voc);
  const stems = readLines(out);
  assert.equal(words.length, stems.length, 'voc.txt and output.txt differ in length');
  assert.ok(words.length > 20000, `only ${words.length} words in voc.txt`);
  const wrong = [];
  words.forEach((w, i) => {
    const got = stemDanish(w);
    if (got !== stems[i]) wrong.push(`line ${i + 1}: ${w} -> ${got}, expected ${stems[i]}`);
  });
  assert.deepEqual(wrong, [], `${wrong.length} of ${words.length} words differ`);
});

// analyzer-fixture.json: [{input, terms, offsets}], produced by feeding each
// input line to tantivy 0.27 with referat's analyzer (a throwaway Rust probe
// using the same AaFilter as the build). offsets are tantivy's UTF-8 byte offsets.
const fixture = JSON.parse(readFileSync(here('./analyzer-fixture.json'), 'utf8'));

test('analyze() matches tantivy term for term on the fixture', () => {
  assert.ok(fixture.length > 40);
  for (const { input, terms } of fixture) {
    assert.deepEqual(analyze(input), terms, `input: ${JSON.stringify(input)}`);
  }
});

test('tokenize() offsets match tantivy (converted from UTF-16 to UTF-8 bytes)', () => {
  const bytes = (s, i) => Buffer.byteLength(s.slice(0, i), 'utf8');
  for (const { input, terms, offsets } of fixture) {
    const got = tokenize(input);
    assert.deepEqual(
      got.map((t) => [bytes(input, t.offsetFrom), bytes(input, t.offsetTo)]),
      offsets,
      `input: ${JSON.stringify(input)}`,
    );
    assert.deepEqual(got.map((t) => t.text), terms);
  }
});

test('tokenize() offsets are UTF-16 indexes of the original words', () => {
  const text = 'Møde😀REFERATER, Aalborg';
  const toks = tokenize(text);
  assert.deepEqual(
    toks.map((t) => text.slice(t.offsetFrom, t.offsetTo)),
    ['Møde', 'REFERATER', 'Aalborg'],
  );
  assert.deepEqual(toks.map((t) => t.text), ['mød', 'referat', 'ålborg']);
});

test('tokenize() positions count the tokens that the 40-byte limit drops', () => {
  const toks = tokenize(`a, ${'x'.repeat(40)} b ${'ø'.repeat(20)} c`);
  assert.deepEqual(
    toks.map((t) => [t.text, t.position]),
    [['a', 0], ['b', 2], ['c', 4]],
  );
});

test('filters: aa -> å (non-overlapping), no final sigma, 40-byte limit', () => {
  assert.deepEqual(analyze('Aalborg ÅLBORG aaa'), ['ålborg', 'ålborg', 'åa']);
  assert.deepEqual(analyze('ΟΔΟΣ'), ['οδοσ']);
  assert.deepEqual(analyze('x'.repeat(39) + ' ' + 'y'.repeat(40)), ['x'.repeat(39)]);
  assert.deepEqual(analyze('§17, stk. 2'), ['17', 'stk', '2']);
});

test('stemDanish: rules that voc.txt does not exercise', () => {
  assert.equal(stemDanish('igst'), 'ig'); // "igst" -> "ig" even outside R1
  assert.equal(stemDanish('jazz'), 'jazz'); // z is not undoubled
  assert.equal(stemDanish('grill'), 'gril');
  assert.equal(stemDanish("fof's"), 'fof'); // R1 after the apostrophe; "s" after "'"
  assert.equal(stemDanish('ab'), 'ab'); // < 3 letters: untouched
});

// ---------------------------------------------------------------------------
// A bundle encoder, from docs/search-bundle.md

const WEIGHTS = [3, 2, 1.5, 1, 3]; // title, beslutning, indstilling, rest, case
const K1 = 1.2;
const B = 0.75;

// tantivy's fieldnorm table as the spec describes it.
const NORMS = [];
for (let id = 0; id <= 40; id++) NORMS.push(id);
for (let step = 2; NORMS.length < 256; step *= 2) {
  for (let k = 0; k < 8 && NORMS.length < 256; k++) NORMS.push(NORMS[NORMS.length - 1] + step);
}
const normId = (length) => NORMS.findLastIndex((n) => n <= length);

function pushVarint(out, n) {
  for (;;) {
    const low = n % 128;
    n = Math.floor(n / 128);
    if (n === 0) return out.push(low);
    out.push(low | 128);
  }
}

// Ascending numbers as varints: the first as is, each next minus the one before.
function pushGaps(out, numbers) {
  numbers.forEach((n, k) => pushVarint(out, k === 0 ? n : n - numbers[k - 1]));
}

// Ascending document ids as a varint, the first, and a bitmap from it: bit k
// of byte j set for document first + 8·j + k.
function bitmap(ids) {
  const out = [];
  pushVarint(out, ids[0]);
  const bits = new Array(((ids[ids.length - 1] - ids[0]) >> 3) + 1).fill(0);
  for (const id of ids) bits[(id - ids[0]) >> 3] |= 1 << ((id - ids[0]) & 7);
  return out.concat(bits);
}

// "Score": a field's average length, tokens_f / N rounded to the nearest
// sixteenth (Math.round takes halves up, which for x > 0 is away from zero),
// and at least 1/16.
const averageLength = (tokens, n) => Math.max(1, Math.round((16 * tokens) / n)) / 16;

// "Score": a term's term(t, d) in each document that holds it, BM25 summed
// over the fields in order, in doubles (Math.log for ln), quantized to the
// impacts: `max` the largest as a single, q = clamp(round(255 · term / max),
// 1, 255). `perField[f]`: [{doc, positions}]; `norms[doc][f]`: fieldnorm ids;
// `tokens[f]`: all tokens of field f; `n`: the number of documents.
function impactsOf(perField, norms, tokens, n) {
  const exact = new Map();
  perField.forEach((list, field) => {
    if (!list.length) return;
    const idf = Math.log(1 + (n - list.length + 0.5) / (list.length + 0.5));
    for (const { doc, positions } of list) {
      const tf = positions.length;
      const tfnorm = K1 * (1 - B + B * NORMS[norms[doc][field]] / averageLength(tokens[field], n));
      exact.set(doc, (exact.get(doc) ?? 0) + WEIGHTS[field] * idf * (K1 + 1) * tf / (tf + tfnorm));
    }
  });
  const ids = [...exact.keys()].sort((a, b) => a - b);
  const max = Math.fround(Math.max(...exact.values()));
  // Math.round takes halves up, which for x > 0 is away from zero.
  const q = ids.map((doc) => Math.min(255, Math.max(1, Math.round(255 * exact.get(doc) / max))));
  return { ids, max, q };
}

// A name made from `parts` (each as its length and bytes, as the build hashes
// them). The build takes xxh3-128, which Node does not have; the engine reads
// every name from index.json, so any name made from the content serves here.
function contentName(parts) {
  const hash = createHash('sha256');
  for (const part of parts) {
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(Buffer.byteLength(part)));
    hash.update(length).update(part);
  }
  return hash.digest('hex').slice(0, 10);
}
const byteOrder = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const dayNumber = (date) => Date.parse(`${date}T00:00:00Z`) / 86400000;

function writeFile(path, data) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
}

// One run more of `value` in runs [value, count].
function addToRun(runs, value) {
  const last = runs[runs.length - 1];
  if (last && last[0] === value) last[1] += 1;
  else runs.push([value, 1]);
}

/**
 * Writes the bundle of `councils` into `dir` (the _search/ folder). A council:
 * {slug, name, municipality, kommissorium, meetings: [{date, status, items:
 * [{title, beslutning, indstilling, rest, case}]}]}. `shardSize` terms a shard,
 * `fragmentChunk` fragments a chunk. Returns the documents, index.json, and per
 * term the form of its postings ('gaps' or 'bitmap').
 */
function writeBundle(dir, councils, shardSize, fragmentChunk = 1024) {
  const docs = [];
  const ixCouncils = [];
  const dates = [];
  for (const c of [...councils].sort((a, b) => byteOrder(a.slug, b.slug))) {
    const start = docs.length;
    const meta = { council: c.name, municipality: c.municipality };
    docs.push({
      fields: [c.name, '', '', c.kommissorium, null],
      fragment: { url: `${c.slug}/`, title: c.name, ...meta, date: null, status: null, case: null, text: c.kommissorium },
    });
    const years = [];
    const agenda = [];
    let lastDay = 0;
    for (const m of [...c.meetings].sort((a, b) => byteOrder(a.date, b.date))) {
      pushVarint(dates, m.items.length);
      pushVarint(dates, dayNumber(m.date) - lastDay);
      lastDay = dayNumber(m.date);
      m.items.forEach((it, k) => {
        const local = docs.length - start;
        addToRun(years, Number(m.date.slice(0, 4)));
        const run = agenda[agenda.length - 1];
        if (m.status === 'dagsorden') {
          if (run && run[0] + run[1] === local) run[1] += 1;
          else agenda.push([local, 1]);
        }
        const text = [it.beslutning, it.indstilling, it.rest].filter(Boolean).join('\n\n');
        docs.push({
          fields: [it.title, it.beslutning ?? '', it.indstilling ?? '', it.rest ?? '', it.case ?? null],
          fragment: {
            url: `${c.slug}/${m.date}/#punkt-${k + 1}`,
            title: it.title,
            ...meta,
            date: m.date,
            status: m.status,
            case: it.case ?? null,
            text: it.text ?? text,
          },
        });
      });
    }
    // "Fragments": chunks of `fragmentChunk`, each in a folder named by its fragments.
    const fragments = docs.slice(start).map((d) => JSON.stringify(d.fragment));
    const chunks = [];
    for (let from = 0; from < fragments.length; from += fragmentChunk) {
      const chunk = fragments.slice(from, from + fragmentChunk);
      const name = contentName(chunk);
      chunk.forEach((f, n) => writeFile(join(dir, 'f', name, `${n}.json`), f));
      chunks.push(name);
    }
    ixCouncils.push({
      slug: c.slug, name: c.name, municipality: c.municipality,
      start, count: docs.length - start, fragments: chunks, years, agenda,
    });
  }

  // term -> per field: [{doc, positions}], by document
  const postings = new Map();
  const tokens = [0, 0, 0, 0, 0];
  docs.forEach((d, doc) => {
    d.norms = d.fields.map((text, field) => {
      const toks = field === 4
        ? (text == null ? [] : [{ text: text.toLowerCase(), position: 0 }])
        : tokenize(text);
      tokens[field] += toks.length;
      for (const t of toks) {
        if (!postings.has(t.text)) postings.set(t.text, [[], [], [], [], []]);
        const list = postings.get(t.text)[field];
        if (list[list.length - 1]?.doc !== doc) list.push({ doc, positions: [] });
        list[list.length - 1].positions.push(t.position);
      }
      return normId(toks.length);
    });
  });

  const terms = [...postings.keys()].sort(byteOrder);
  const norms = docs.map((d) => d.norms);
  const forms = new Map();
  const shards = [];
  const shardNames = [];
  for (let i = 0; i < terms.length; i += shardSize) {
    const chunk = terms.slice(i, i + shardSize);
    const t = [];
    const p = [];
    pushVarint(t, chunk.length);
    let prev = Buffer.alloc(0);
    for (const term of chunk) {
      const bytes = Buffer.from(term);
      let shared = 0;
      while (shared < prev.length && prev[shared] === bytes[shared]) shared++;
      pushVarint(t, shared);
      pushVarint(t, bytes.length - shared);
      t.push(...bytes.subarray(shared));
      prev = bytes;
      const perField = postings.get(term);
      const mask = perField.reduce((m, list, f) => (list.length ? m | (1 << f) : m), 0);
      const { ids, max, q } = impactsOf(perField, norms, tokens, docs.length);
      pushVarint(t, mask);
      pushVarint(t, perField.reduce((count, list) => count + list.length, 0));
      pushVarint(t, ids.length);
      const single = Buffer.alloc(4);
      single.writeFloatLE(max);
      t.push(...single);
      pushVarint(t, mask & 0b1111 ? p.length : 0);
      // Positions: per field with positions, its documents, then per document its positions.
      perField.forEach((list, field) => {
        if (field === 4 || !list.length) return;
        pushVarint(p, list.length);
        pushGaps(p, list.map((posting) => posting.doc));
        for (const { positions } of list) {
          pushVarint(p, positions.length);
          pushGaps(p, positions);
        }
      });
      // The ids as gaps or as a bitmap, whichever is shorter (gaps on a tie); then the impacts.
      const gaps = [];
      pushGaps(gaps, ids);
      const dense = bitmap(ids);
      const isDense = dense.length < gaps.length;
      const written = isDense ? dense : gaps;
      forms.set(term, isDense ? 'bitmap' : 'gaps');
      pushVarint(t, written.length * 2 + (isDense ? 1 : 0));
      t.push(...written, ...q);
    }
    // Shard i's two files, named by both.
    const name = contentName([Buffer.from(t), Buffer.from(p)]);
    writeFile(join(dir, 's', `${name}-t.bin`), Buffer.from(t));
    writeFile(join(dir, 's', `${name}-p.bin`), Buffer.from(p));
    shardNames.push(name);
    // The shortest prefix of the first term that sorts after the shard before.
    let entry = '';
    if (i > 0) {
      for (const ch of chunk[0]) {
        entry += ch;
        if (byteOrder(entry, terms[i - 1]) > 0) break;
      }
    }
    shards.push(entry);
  }

  const datesName = `d/${contentName([Buffer.from(dates)])}.bin`;
  writeFile(join(dir, datesName), Buffer.from(dates));
  const index = {
    format: 3,
    docs: docs.length,
    fragmentChunk,
    councils: ixCouncils,
    shards,
    shardNames,
    dates: datesName,
  };
  writeFile(join(dir, 'index.json'), JSON.stringify(index));
  return { docs, index, forms };
}

const tempDirs = [];
after(() => tempDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/**
 * A site with the bundle of `councils`, searched through a fetch that reads
 * the files from disk and records each path (relative to _search/) it is asked for.
 */
function makeSite(councils, { shardSize = 3, fragmentChunk = 1024 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'referat-search-'));
  tempDirs.push(dir);
  const bundle = writeBundle(join(dir, '_search'), councils, shardSize, fragmentChunk);
  const root = pathToFileURL(`${dir}/`).href;
  const fetched = [];
  const fetch = async (url) => {
    assert.equal(typeof url, 'string');
    fetched.push(url.slice(`${root}_search/`.length));
    const path = fileURLToPath(url);
    return existsSync(path) ? new Response(readFileSync(path)) : new Response('', { status: 404 });
  };
  const { search } = createSearch(root, { fetch });
  const urls = async (query, options) => (await search(query, options)).results.map((r) => r.url.slice(root.length));
  return { search, urls, fetched, root, ...bundle };
}

// ---------------------------------------------------------------------------
// The engine

const SITE = [
  {
    slug: 'beskaeftigelsesudvalget',
    name: 'Beskæftigelsesudvalget',
    municipality: 'Aarhus Kommune',
    kommissorium: 'Udvalget varetager kommunens beskæftigelse og integration.',
    meetings: [
      {
        date: '2024-01-09',
        status: 'dagsorden',
        items: [{ title: 'Budget 2024', rest: 'Budgettet for kommunens beskæftigelsesområde.' }],
      },
      {
        date: '2023-02-01',
        status: 'referat',
        items: [
          {
            title: 'Beskæftigelsesplan 2023',
            beslutning: 'Godkendt.',
            rest: 'Planen for kommunen: den grønne omstilling og beskæftigelse.',
            case: 'EMN-2023-00042',
          },
          {
            title: 'Omstilling af jobcentret',
            rest: 'Beskæftigelse i kommunen: omstilling grøn, som drift.',
            case: 'EMN-2023-00043',
          },
        ],
      },
    ],
  },
  {
    slug: 'aeldreraadet',
    name: 'Ældrerådet',
    municipality: 'Aalborg Kommune',
    kommissorium: 'Ældrerådet rådgiver kommunen om ældrepolitik i Ålborg.',
    meetings: [
      {
        date: '2022-05-03',
        status: 'referat',
        items: [
          {
            title: 'Budget 2023 for ældreområdet',
            beslutning: 'Godkendt.',
            rest: 'Sagsfremstilling: budgettet for ældre i kommunen.',
            case: 'EMN-2022-00100',
          },
          {
            title: 'Orientering om beskæftigelse',
            rest: 'Beskæftigelsesindsatsen for seniorer i Aalborg Kommune.',
            case: 'EMN-2016-02142',
          },
        ],
      },
      {
        date: '2023-03-14',
        status: 'dagsorden',
        items: [{ title: 'Klimaplan', indstilling: 'Det indstilles, at kommunen godkender klimaplanen. Klima.' }],
      },
    ],
  },
];
// The documents of SITE by id: councils by slug, each page first, then the
// items of its meetings, oldest meeting first.
const A_PAGE = 'aeldreraadet/';
const A_BUDGET = 'aeldreraadet/2022-05-03/#punkt-1';
const A_ORIENTERING = 'aeldreraadet/2022-05-03/#punkt-2';
const A_KLIMA = 'aeldreraadet/2023-03-14/#punkt-1';
const B_PAGE = 'beskaeftigelsesudvalget/';
const B_PLAN = 'beskaeftigelsesudvalget/2023-02-01/#punkt-1';
const B_OMSTILLING = 'beskaeftigelsesudvalget/2023-02-01/#punkt-2';
const B_BUDGET = 'beskaeftigelsesudvalget/2024-01-09/#punkt-1';
const BY_ID = [A_PAGE, A_BUDGET, A_ORIENTERING, A_KLIMA, B_PAGE, B_PLAN, B_OMSTILLING, B_BUDGET];

const sorted = (list) => [...list].sort();
// The kind of each fetched file: index, t (term shard), p (positions), d (dates) or f (fragment).
const kinds = (fetched) =>
  fetched.map((path) => (path.startsWith('s/') ? path.at(-5) : path.split('/')[0].replace('.json', '')));

test('the test encoder writes the fieldnorm table that tantivy has', () => {
  assert.deepEqual(NORMS.slice(38, 51), [38, 39, 40, 42, 44, 46, 48, 50, 52, 54, 56, 60, 64]);
  assert.equal(NORMS[255], 2_013_265_944); // tantivy's FIELD_NORMS_TABLE[255]
  assert.equal(NORMS.length, 256);
});

test('every word must match (AND), in any field', async () => {
  const site = makeSite(SITE);
  assert.deepEqual(sorted(await site.urls('kommune budgettet ')), sorted([A_BUDGET, B_BUDGET]));
  assert.deepEqual(await site.urls('kommune budgettet ældre '), [A_BUDGET]);
  assert.equal((await site.search('budgettet klima ')).total, 0);
});

test('the last word also matches as a prefix, from 3 characters and without a trailing space', async () => {
  const site = makeSite(SITE);
  // beskæf: beskæftig, beskæftigelsesplan, beskæftigelsesområd, beskæftigelsesudvalg, ...
  const all = await site.urls('beskæf', { limit: 100 });
  assert.deepEqual(sorted(all), sorted([A_ORIENTERING, B_PAGE, B_PLAN, B_OMSTILLING, B_BUDGET]));
  assert.equal((await site.search('beskæf ')).total, 0);
  assert.equal((await site.search('"beskæf"')).total, 0, 'a phrase is no prefix');
  assert.deepEqual(await site.urls('kli'), [A_KLIMA]);
  assert.equal((await site.search('kl')).total, 0, 'under 3 characters');
  // "aalb" is "ålb" (3 characters) and finds ålborg; "aal" is "ål", too short.
  assert.deepEqual(sorted(await site.urls('aalb')), sorted([A_PAGE, A_ORIENTERING]));
  assert.equal((await site.search('aal')).total, 0);
  // The prefix is the word's token: punctuation around it does not count.
  assert.deepEqual(sorted(await site.urls('(beskæf', { limit: 100 })), sorted(all));
  // Only the last word: "beskæf" before another word is a whole term.
  assert.equal((await site.search('beskæf kommune')).total, 0);
});

test('a prefix takes the 50 terms with the highest count, ties in term order', async () => {
  // ord1 … ord52, one document each; ord9 in a second one; ord8 in two
  // fields of its one: both count 2 (documents once per field that holds the term).
  const items = Array.from({ length: 52 }, (_, k) => ({ title: `ord${k + 1}` }));
  items[7].rest = 'ord8';
  items.push({ title: 'ord9' });
  const site = makeSite([
    { slug: 'r', name: 'R', municipality: 'M', kommissorium: '', meetings: [{ date: '2021-01-01', status: 'referat', items }] },
  ]);
  const found = (await site.search('ord', { limit: 100 })).results.map((r) => r.title);
  // In term order the last are …, ord52, ord6, ord7, ord8, ord9: ord8 and
  // ord9 come first by their count, and then 48 more leave out ord6 and ord7
  // (by documents alone, ord8 would be left out instead of ord6).
  assert.equal(found.length, 51);
  assert.deepEqual(sorted(items.map((it) => it.title).filter((t) => !found.includes(t))), ['ord6', 'ord7']);
});

test('a quoted phrase needs its terms adjacent and in order, in one field', async () => {
  const site = makeSite(SITE);
  // B_PLAN: "den grønne omstilling"; B_OMSTILLING: "omstilling grøn".
  assert.deepEqual(sorted(await site.urls('grøn omstilling kommune ')), sorted([B_PLAN, B_OMSTILLING]));
  assert.deepEqual(await site.urls('kommune "grøn omstilling" beskæftigelse '), [B_PLAN]);
  assert.deepEqual(await site.urls('kommune "omstilling grøn" '), [B_OMSTILLING]);
  assert.equal((await site.search('"grøn kommune"')).total, 0);
  assert.ok(site.fetched.some((path) => /^s\/\w+-p\.bin$/.test(path)), 'phrases read positions');
});

test('a hyphenated word is a phrase of its parts', async () => {
  const site = makeSite([
    {
      slug: 'r', name: 'R', municipality: 'M', kommissorium: '',
      meetings: [{
        date: '2021-01-01', status: 'referat',
        items: [{ title: 'Covid-19 test' }, { title: 'Covid test 19' }],
      }],
    },
  ]);
  assert.deepEqual(await site.urls('covid-19 '), ['r/2021-01-01/#punkt-1']);
  assert.deepEqual(await site.urls('covid 19 '), ['r/2021-01-01/#punkt-1', 'r/2021-01-01/#punkt-2']);
});

test('a phrase keeps the gap of a dropped long token', async () => {
  const long = 'x'.repeat(45);
  const site = makeSite([
    {
      slug: 'r', name: 'R', municipality: 'M', kommissorium: '',
      meetings: [{
        date: '2021-01-01', status: 'referat',
        items: [{ title: `alfa ${long} beta` }, { title: 'alfa beta' }],
      }],
    },
  ]);
  assert.deepEqual(await site.urls(`"alfa ${'y'.repeat(41)} beta"`), ['r/2021-01-01/#punkt-1']);
  assert.deepEqual(await site.urls('"alfa beta"'), ['r/2021-01-01/#punkt-2']);
});

test('a Sags ID is found as written, whole', async () => {
  const site = makeSite(SITE);
  for (const query of ['EMN-2016-02142', 'emn-2016-02142 ', 'beskæftigelse EMN-2016-02142']) {
    const { results, total } = await site.search(query);
    assert.equal(total, 1, query);
    assert.equal(results[0].case, 'EMN-2016-02142');
  }
  assert.equal((await site.search('EMN-2016-0214')).total, 0, 'no prefix of a Sags ID');
  const cases = makeSite([
    {
      slug: 'r', name: 'R', municipality: 'M', kommissorium: '',
      meetings: [{ date: '2021-01-01', status: 'referat', items: [{ title: 'En', case: 'AB-1' }, { title: 'To', case: 'AB-12' }] }],
    },
  ]);
  assert.deepEqual(await cases.urls('AB-1'), ['r/2021-01-01/#punkt-1'], 'a Sags ID is not a prefix either');
});

test('a title hit ranks above a hit in the rest', async () => {
  const site = makeSite([
    {
      slug: 'r', name: 'Rådet', municipality: 'M', kommissorium: 'Om veje.',
      meetings: [{
        date: '2021-01-01', status: 'referat',
        items: [
          { title: 'Punkt om byen', rest: 'Vejbelysning i byen.' },
          { title: 'Vejbelysning i byen', rest: 'Punkt om byen.' },
        ],
      }],
    },
  ]);
  assert.deepEqual(await site.urls('vejbelysning'), ['r/2021-01-01/#punkt-2', 'r/2021-01-01/#punkt-1']);
});

test('equal scores are ordered by document id, not by date', async () => {
  const item = { title: 'Ens punkt', rest: 'Samme tekst.' };
  const meeting = (date) => ({ date, status: 'referat', items: [item] });
  const site = makeSite([
    { slug: 'b', name: 'B', municipality: 'M', kommissorium: '', meetings: [meeting('2020-01-01')] },
    { slug: 'a', name: 'A', municipality: 'M', kommissorium: '', meetings: [meeting('2022-01-01'), meeting('2019-01-01')] },
  ]);
  assert.deepEqual(await site.urls('ens punkt'), ['a/2019-01-01/#punkt-1', 'a/2022-01-01/#punkt-1', 'b/2020-01-01/#punkt-1']);
});

// The order of results that "Score" gives for `clauses`, computed here from
// the words of the site's documents (not from its bundle), to hold the engine
// to the spec. A clause is {any: [terms]}, a term clause, or {phrase: [terms]},
// terms that must stand at consecutive positions in one field.
function specOrder(site, clauses) {
  const n = site.docs.length;
  const fieldTokens = site.docs.map((d) => d.fields.map((text, f) => {
    if (f < 4) return tokenize(text);
    return text == null ? [] : [{ text: text.toLowerCase(), position: 0 }];
  }));
  const tokens = [0, 1, 2, 3, 4].map((f) => fieldTokens.reduce((sum, fields) => sum + fields[f].length, 0));
  // term(t, d): BM25 over the fields that hold t in d, summed in field order.
  const exact = (t, doc) => {
    let score = 0;
    for (let f = 0; f < 5; f++) {
      const tf = fieldTokens[doc][f].filter((x) => x.text === t).length;
      if (!tf) continue;
      const df = fieldTokens.filter((fields) => fields[f].some((x) => x.text === t)).length;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      const len = NORMS[normId(fieldTokens[doc][f].length)];
      const avg = Math.max(1, Math.round((16 * tokens[f]) / n)) / 16;
      score += WEIGHTS[f] * idf * (1.2 + 1) * tf / (tf + 1.2 * (1 - 0.75 + 0.75 * len / avg));
    }
    return score;
  };
  // score(t, d) = q · max / 255: max the largest term(t, d) as a single, q its
  // share of 255 rounded (halves up: the numbers are positive) into 1–255.
  const maxes = new Map();
  const score = (t, doc) => {
    const s = exact(t, doc);
    if (!s) return 0;
    if (!maxes.has(t)) maxes.set(t, Math.fround(Math.max(...site.docs.map((_, d) => exact(t, d)))));
    const max = maxes.get(t);
    return Math.min(255, Math.max(1, Math.round(255 * s / max))) * max / 255;
  };
  // A term clause: the best of its terms; a phrase: Σ of its terms, from 0.
  const clauseScore = (clause, doc) => {
    if (clause.any) return Math.max(...clause.any.map((t) => score(t, doc)));
    const { phrase } = clause;
    const adjacent = fieldTokens[doc].slice(0, 4).some((list) => list.some((first) =>
      phrase.every((t, k) => list.some((x) => x.text === t && x.position === first.position + k))));
    return adjacent ? phrase.reduce((sum, t) => sum + score(t, doc), 0) : 0;
  };
  const found = [];
  for (let doc = 0; doc < n; doc++) {
    const parts = clauses.map((clause) => clauseScore(clause, doc));
    // A document: the first clause's score, plus the next, …
    if (parts.every((s) => s > 0)) found.push({ doc, score: parts.reduce((a, b) => a + b) });
  }
  found.sort((a, b) => b.score - a.score || a.doc - b.doc);
  return found.map(({ doc }) => site.docs[doc].fragment.url);
}

// A seeded pseudo-random corpus: ten words in every field of most documents,
// and "india alfa" at the start of a few titles.
function randomSite(seed) {
  let state = seed;
  const random = (n) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return Math.floor((state / 2147483648) * n);
  };
  const vocabulary = ['alfa', 'bravo', 'charlie', 'delta', 'ekko', 'foxtrot', 'golf', 'hotel', 'golfbane', 'golfklub'];
  const text = (max) => Array.from({ length: random(max) }, () => vocabulary[random(vocabulary.length)]).join(' ');
  const meetings = Array.from({ length: 6 }, (_, m) => ({
    date: `2020-01-${String(m + 10)}`,
    status: m % 2 ? 'dagsorden' : 'referat',
    items: Array.from({ length: 8 }, () => ({
      title: `${random(8) === 0 ? 'india alfa ' : ''}${text(6)}`, beslutning: text(12), indstilling: text(20), rest: text(90),
    })),
  }));
  return [{ slug: 's', name: 'S', municipality: 'M', kommissorium: text(30), meetings }];
}

test('scores follow the spec: the full order of results on a random corpus', async () => {
  const site = makeSite(randomSite(7), { shardSize: 2 });
  // Both forms of postings: a word in most documents is a bitmap, a rare one gaps.
  assert.equal(site.forms.get('alfa'), 'bitmap');
  assert.equal(site.forms.get('india'), 'gaps');
  const golf = [...site.forms.keys()].filter((t) => t.startsWith('golf'));
  assert.equal(golf.length, 3);
  const queries = {
    'alfa bravo ': [{ any: ['alfa'] }, { any: ['bravo'] }],
    'golf ': [{ any: ['golf'] }],
    'charlie delta ekko ': [{ any: ['charli'] }, { any: ['delta'] }, { any: ['ekko'] }],
    'charlie golf': [{ any: ['charli'] }, { any: golf }],
    '"alfa bravo" hotel ': [{ phrase: ['alfa', 'bravo'] }, { any: ['hotel'] }],
    'india ': [{ any: ['india'] }],
    'india alfa ': [{ any: ['india'] }, { any: ['alfa'] }],
    'alfa india ': [{ any: ['alfa'] }, { any: ['india'] }],
    'alfa india golf': [{ any: ['alfa'] }, { any: ['india'] }, { any: golf }],
    '"india alfa" delta ': [{ phrase: ['india', 'alfa'] }, { any: ['delta'] }],
  };
  for (const [query, clauses] of Object.entries(queries)) {
    const expected = specOrder(site, clauses);
    const { total, results } = await site.search(query, { limit: 1000 });
    assert.equal(total, expected.length, query);
    assert.ok(total > (query.includes('india') ? 2 : 5), `${query}: only ${total} results`);
    assert.deepEqual(results.map((r) => r.url.slice(site.root.length)), expected, query);
  }
});

test('a bitmap that starts past id 0 and crosses bytes, alone and in AND', async () => {
  // Council a: its page and 150 items without "fælles", ids 0–150; council b:
  // its page, 151, and 20 items, 152–171, all but items 5 and 11 with "fælles"
  // (1–3 times, for different scores), so its bitmap starts at 152, a varint
  // of two bytes, and spans three bytes; "unik" in items 0, 5 and 19.
  const other = Array.from({ length: 150 }, (_, k) => ({ title: `Andet ${k}`, rest: 'og så videre' }));
  const items = Array.from({ length: 20 }, (_, k) => ({
    title: `Punkt ${k}`,
    rest: [k === 5 || k === 11 ? '' : 'fælles '.repeat(1 + (k % 3)), [0, 5, 19].includes(k) ? 'unik' : '', 'og så videre'].join(' '),
  }));
  const site = makeSite([
    { slug: 'b', name: 'B', municipality: 'M', kommissorium: '', meetings: [
      { date: '2021-01-01', status: 'referat', items: items.slice(0, 12) },
      { date: '2022-01-01', status: 'dagsorden', items: items.slice(12) },
    ] },
    { slug: 'a', name: 'A', municipality: 'M', kommissorium: '', meetings: [{ date: '2020-01-01', status: 'referat', items: other }] },
  ]);
  const [faelles] = analyze('fælles');
  const [unik] = analyze('unik');
  assert.equal(site.forms.get(faelles), 'bitmap');
  assert.equal(site.forms.get(unik), 'gaps');
  const url = (k) => site.docs[152 + k].fragment.url; // item k of council b
  assert.equal(url(0), 'b/2021-01-01/#punkt-1');
  const holding = Array.from({ length: 20 }, (_, k) => k).filter((k) => k !== 5 && k !== 11);

  const all = await site.urls('fælles ', { limit: 100 });
  assert.deepEqual(sorted(all), sorted(holding.map(url)));
  assert.deepEqual(all, specOrder(site, [{ any: [faelles] }]));
  assert.deepEqual(await site.urls('fælles ', { limit: 3, offset: 2 }), all.slice(2, 5));
  // "unik" is in item 5 too, which has no "fælles"; the bitmap's term second or first.
  assert.deepEqual(await site.urls('unik fælles '), specOrder(site, [{ any: [unik] }, { any: [faelles] }]));
  assert.deepEqual(await site.urls('fælles unik '), specOrder(site, [{ any: [faelles] }, { any: [unik] }]));
  assert.deepEqual(sorted(await site.urls('fælles unik ')), sorted([url(0), url(19)]));
  // A bitmap in an AND with another bitmap ("og", in every item).
  assert.equal(site.forms.get('og'), 'bitmap');
  assert.deepEqual(await site.urls('og fælles ', { limit: 100 }), specOrder(site, [{ any: ['og'] }, { any: [faelles] }]));

  // Items 12–19 are of the dagsorden (2022), 0–11 of the referat (2021).
  const dagsorden = await site.search('fælles ', { filters: { status: 'dagsorden' }, limit: 100 });
  assert.equal(dagsorden.total, 8);
  assert.deepEqual(dagsorden.facets.year, [{ value: 2022, count: 8 }]);
  assert.deepEqual(dagsorden.facets.status, [{ value: 'dagsorden', count: 8 }, { value: 'referat', count: 10 }]);
  assert.deepEqual(dagsorden.facets.council, [{ value: 'b', label: 'B', count: 8 }]);
});

test('index.json of another format is an error', async () => {
  const site = makeSite(SITE);
  const path = join(fileURLToPath(site.root), '_search', 'index.json');
  writeFileSync(path, JSON.stringify({ ...site.index, format: 1 }));
  await assert.rejects(site.search('kommune'), /index\.json: format 1/);
});

test('filters narrow the results; each facet ignores its own filter', async () => {
  const site = makeSite(SITE);
  const all = await site.search('kommune ', { limit: 100 });
  assert.equal(all.total, 8);
  assert.deepEqual(all.facets, {
    council: [
      { value: 'aeldreraadet', label: 'Ældrerådet', count: 4 },
      { value: 'beskaeftigelsesudvalget', label: 'Beskæftigelsesudvalget', count: 4 },
    ],
    municipality: [{ value: 'Aalborg Kommune', count: 4 }, { value: 'Aarhus Kommune', count: 4 }],
    year: [{ value: 2024, count: 1 }, { value: 2023, count: 3 }, { value: 2022, count: 2 }],
    status: [{ value: 'dagsorden', count: 2 }, { value: 'referat', count: 4 }],
  });

  const aeldre = await site.search('kommune ', { filters: { council: 'aeldreraadet' }, limit: 100 });
  assert.equal(aeldre.total, 4);
  assert.deepEqual(aeldre.facets.council.map((f) => f.count), [4, 4]);
  assert.deepEqual(aeldre.facets.municipality, [{ value: 'Aalborg Kommune', count: 4 }]);
  assert.deepEqual(aeldre.facets.year, [{ value: 2023, count: 1 }, { value: 2022, count: 2 }]);

  const referat2023 = await site.search('kommune ', { filters: { year: 2023, status: 'referat' } });
  assert.deepEqual(sorted(referat2023.results.map((r) => r.url.slice(site.root.length))), [B_PLAN, B_OMSTILLING]);
  assert.deepEqual(referat2023.facets.council, [{ value: 'beskaeftigelsesudvalget', label: 'Beskæftigelsesudvalget', count: 2 }]);
  assert.deepEqual(referat2023.facets.year, [{ value: 2023, count: 2 }, { value: 2022, count: 2 }]);
  assert.deepEqual(referat2023.facets.status, [{ value: 'dagsorden', count: 1 }, { value: 'referat', count: 2 }]);

  // Arrays: any of the values. A selected value is listed even at 0.
  const some = await site.search('kommune ', {
    filters: { council: ['beskaeftigelsesudvalget'], year: [2022, 2024] },
  });
  assert.deepEqual(some.results.map((r) => r.url.slice(site.root.length)), [B_BUDGET]);
  assert.deepEqual(some.facets.year, [{ value: 2024, count: 1 }, { value: 2023, count: 2 }, { value: 2022, count: 0 }]);
  assert.deepEqual(some.facets.council.map((f) => [f.value, f.count]), [['aeldreraadet', 2], ['beskaeftigelsesudvalget', 1]]);

  const none = await site.search('kommune ', { filters: { year: 1999 } });
  assert.equal(none.total, 0);
  assert.deepEqual(none.facets.year, [{ value: 2024, count: 1 }, { value: 2023, count: 3 }, { value: 2022, count: 2 }, { value: 1999, count: 0 }]);

  const aalborg = await site.search('kommune ', { filters: { municipality: ['Aalborg Kommune'], status: [] } });
  assert.equal(aalborg.total, 4, 'an empty array filters nothing');
  // A year or status filter leaves the council pages out.
  const dagsorden = await site.search('kommune ', { filters: { status: 'dagsorden' } });
  assert.deepEqual(sorted(dagsorden.results.map((r) => r.url.slice(site.root.length))), [A_KLIMA, B_BUDGET]);
  assert.ok(!dagsorden.results.some((r) => r.status === null));
});

test('sort by date: newest meeting first, council pages last, then by id', async () => {
  const site = makeSite(SITE);
  const byScore = await site.urls('kommune ', { limit: 100 });
  assert.ok(!site.fetched.some((path) => path.startsWith('d/')), 'relevance does not read dates');
  assert.notDeepEqual(byScore, [B_BUDGET, A_KLIMA, B_PLAN, B_OMSTILLING, A_BUDGET, A_ORIENTERING, A_PAGE, B_PAGE]);
  assert.deepEqual(
    await site.urls('kommune ', { sort: 'date', limit: 100 }),
    [B_BUDGET, A_KLIMA, B_PLAN, B_OMSTILLING, A_BUDGET, A_ORIENTERING, A_PAGE, B_PAGE],
  );
  assert.equal(kinds(site.fetched).filter((k) => k === 'd').length, 1);
});

test('limit and offset page the results; only their fragments are fetched', async () => {
  const site = makeSite(SITE);
  const every = await site.urls('kommune ', { limit: 100 });
  site.fetched.length = 0;
  const page = await site.search('kommune ', { limit: 3, offset: 2 });
  assert.equal(page.total, 8);
  assert.deepEqual(page.results.map((r) => r.url.slice(site.root.length)), every.slice(2, 5));
  assert.deepEqual(kinds(site.fetched), [], 'all fetched before');

  const fresh = makeSite(SITE);
  await fresh.search('kommune ', { limit: 3, offset: 2 });
  const fragments = fresh.fetched.filter((path) => path.startsWith('f/'));
  const ids = fragments.map((path) => {
    const [, chunk, file] = path.split('/');
    const council = fresh.index.councils.find((c) => c.fragments.includes(chunk));
    return council.start + Number(file.replace('.json', ''));
  });
  assert.deepEqual(ids.map((id) => BY_ID[id]), every.slice(2, 5));
  assert.deepEqual(sorted(kinds(fresh.fetched)), ['f', 'f', 'f', 'index', 't']);
  assert.deepEqual((await fresh.search('kommune ', { offset: 8 })).results, []);
});

test('a fragment is read from the chunk of its council that holds it', async () => {
  // Chunks of 3 documents: each council's page and first two items, then its last item.
  const site = makeSite(SITE, { fragmentChunk: 3 });
  const [aeldre, beskaeftigelse] = site.index.councils;
  assert.deepEqual([aeldre.fragments.length, beskaeftigelse.fragments.length], [2, 2]);
  assert.deepEqual(await site.urls('klimaplan'), [A_KLIMA]);
  assert.deepEqual(site.fetched.filter((path) => path.startsWith('f/')), [`f/${aeldre.fragments[1]}/0.json`]);
  const whole = makeSite(SITE);
  for (const query of ['kommune ', 'budget', 'beskæf']) {
    assert.deepEqual(await site.urls(query, { limit: 100 }), await whole.urls(query, { limit: 100 }), query);
  }
  assert.ok(site.fetched.includes(`f/${beskaeftigelse.fragments[1]}/0.json`));
});

test('a result carries its fragment, the url made absolute', async () => {
  const site = makeSite(SITE);
  const { results } = await site.search('EMN-2016-02142');
  assert.deepEqual({ ...results[0], excerpt: undefined }, {
    url: `${site.root}aeldreraadet/2022-05-03/#punkt-2`,
    title: 'Orientering om beskæftigelse',
    council: 'Ældrerådet',
    municipality: 'Aalborg Kommune',
    date: '2022-05-03',
    status: 'referat',
    case: 'EMN-2016-02142',
    excerpt: undefined,
  });
  const page = (await site.search('ældrepolitik')).results[0];
  assert.deepEqual([page.url, page.date, page.status, page.case], [`${site.root}aeldreraadet/`, null, null, null]);
});

test('the excerpt: the first 30-token window with the most marks, escaped, with … where cut', async () => {
  const filler = (word, n) => Array.from({ length: n }, (_, i) => `${word}${i}`).join(' ');
  const text = `${filler('a', 40)} Vi <drøfter> regnskab & budget; ${filler('b', 10)} regnskabet ${filler('c', 40)}.`;
  const site = makeSite([
    {
      slug: 'r', name: 'R', municipality: 'M', kommissorium: `(Kort <tekst> & ${filler('k', 27)} regnskab.)`,
      meetings: [{ date: '2021-01-01', status: 'referat', items: [{ title: 'Regnskab', rest: text }] }],
    },
  ]);
  const [item, page] = (await site.search('regnskab')).results;
  // Two marks (regnskab, regnskabet): the first window holding both ends at "regnskabet".
  assert.equal(
    item.excerpt,
    `…${filler('a', 40).slice(filler('a', 25).length + 1)} Vi &lt;drøfter&gt; <mark>regnskab</mark> &amp; budget; ${filler('b', 10)} <mark>regnskabet</mark>…`,
  );
  // 30 tokens in all: nothing is cut but the punctuation around them.
  assert.equal(page.excerpt, `Kort &lt;tekst&gt; &amp; ${filler('k', 27)} <mark>regnskab</mark>`);
  // No mark: the first 30 tokens.
  const plain = await makeSite([
    {
      slug: 'r', name: 'Emne', municipality: 'M', kommissorium: filler('w', 31),
      meetings: [],
    },
  ]).search('emne');
  assert.equal(plain.results[0].excerpt, `${filler('w', 30)}…`);
});

test('a suggestion replaces unknown words by the nearest term of their shard', async () => {
  const site = makeSite(SITE, { shardSize: 100 });
  const typo = await site.search('kommune beskæftigelsesplam');
  assert.equal(typo.total, 0);
  assert.equal(typo.suggestion, 'kommune beskæftigelsesplan');
  // The whole word is replaced; a quoted word is not.
  assert.equal((await site.search('Klma, kommune')).suggestion, 'klima kommune');
  assert.equal((await site.search('"klma" kommune')).suggestion, null);
  assert.equal((await site.search('klmx')).suggestion, null, '4 letters: at most 1 edit');
  assert.equal((await site.search('klimaplam')).suggestion, 'klimaplan');
  // The word as typed is compared, not its stem: "klimaplxnen" is 3 edits
  // from "klimaplan" (its stem "klimaplxn" would be 1).
  assert.equal((await site.search('klimaplxnen')).suggestion, null);
  assert.equal((await site.search('kommune')).suggestion, null, 'results: no suggestion');
  assert.equal((await site.search('budgettet klima')).suggestion, null, 'all words known');
});

test('a suggestion prefers the term with the highest count, then term order', async () => {
  const titles = ['kat', 'kat', 'kar', 'mus', 'mur'];
  const site = (rest) => makeSite([
    {
      slug: 'r', name: 'R', municipality: 'M', kommissorium: '',
      meetings: [{ date: '2021-01-01', status: 'referat', items: titles.map((title) => ({ title, rest: rest[title] })) }],
    },
  ], { shardSize: 100 });
  const plain = site({});
  assert.equal((await plain.search('kax')).suggestion, 'kat');
  assert.equal((await plain.search('mux')).suggestion, 'mur');
  // "kar" in two fields of its document counts 2, as "kat" in two documents:
  // a tie, so term order.
  assert.equal((await site({ kar: 'kar' }).search('kax')).suggestion, 'kar');
});

test('"Aalborg" finds "Ålborg" and the other way round', async () => {
  const site = makeSite(SITE);
  const expected = sorted([A_PAGE, A_ORIENTERING]);
  assert.deepEqual(sorted(await site.urls('Aalborg ')), expected);
  assert.deepEqual(sorted(await site.urls('ålborg ')), expected);
  assert.deepEqual(sorted(await site.urls('AALBORG')), expected);
});

test('terms are looked up in code point order, not UTF-16 order', async () => {
  // U+FB01 (ﬁ) is below U+1D51E (𝔞) as a code point, above it in UTF-16.
  const words = ['\uFB01x', '\u{1D51E}x', 'zz', '\uFF41x'];
  const site = makeSite([
    {
      slug: 'r', name: 'R', municipality: 'M', kommissorium: '',
      meetings: [{ date: '2021-01-01', status: 'referat', items: words.map((w) => ({ title: w })) }],
    },
  ], { shardSize: 1 });
  for (const [i, word] of words.entries()) {
    assert.deepEqual(await site.urls(`${word} `), [`r/2021-01-01/#punkt-${i + 1}`], word);
  }
});

test('an empty query fetches no shard and lists only selected facet values', async () => {
  const site = makeSite(SITE);
  for (const query of ['', '   ', ' \n\t']) {
    const answer = await site.search(query, { filters: { council: 'aeldreraadet', year: 2023 } });
    assert.deepEqual(answer, {
      total: 0,
      facets: {
        council: [{ value: 'aeldreraadet', label: 'Ældrerådet', count: 0 }],
        municipality: [],
        year: [{ value: 2023, count: 0 }],
        status: [],
      },
      results: [],
      suggestion: null,
    });
  }
  assert.deepEqual(site.fetched, ['index.json']);
});

test('a second query fetches only the files it has not fetched yet', async () => {
  const site = makeSite(SITE, { shardSize: 2 });
  // "i kommunen": A_BUDGET and B_OMSTILLING
  await site.search('kommune "i kommunen"', { sort: 'date' });
  const first = [...site.fetched];
  assert.equal(new Set(first).size, first.length, 'no file fetched twice');
  assert.deepEqual(sorted(new Set(kinds(first))), ['d', 'f', 'index', 'p', 't']);
  site.fetched.length = 0;
  const again = await site.search('kommune "i kommunen"', { sort: 'date' });
  assert.deepEqual(again.results.map((r) => r.url.slice(site.root.length)), [B_OMSTILLING, A_BUDGET]);
  assert.deepEqual(site.fetched, []);
  await site.search('kommune klima ');
  assert.ok(site.fetched.length > 0);
  assert.ok(site.fetched.every((path) => !first.includes(path)), site.fetched.join(' '));
  assert.ok(site.fetched.every((path) => ['t', 'f'].includes(kinds([path])[0])), site.fetched.join(' '));
});

test('a failed fetch is an error, and is tried again', async () => {
  let fail = true;
  const dir = mkdtempSync(join(tmpdir(), 'referat-search-'));
  tempDirs.push(dir);
  writeBundle(join(dir, '_search'), SITE, 3);
  const { search } = createSearch(pathToFileURL(`${dir}/`), {
    fetch: async (url) => (fail ? new Response('', { status: 503 }) : new Response(readFileSync(fileURLToPath(url)))),
  });
  await assert.rejects(search('kommune'), /index\.json: HTTP 503/);
  fail = false;
  assert.equal((await search('kommune ')).total, 8);
});
