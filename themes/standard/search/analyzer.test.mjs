// Tests for analyzer.js. Run from the project root with:
//   node --test themes/standard/search/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { analyze, stemDanish, tokenize } from './analyzer.js';

const here = (rel) => fileURLToPath(new URL(rel, import.meta.url));

function readLines(path) {
  const lines = readFileSync(path, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

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
  assert.ok(fixture.length > 0);
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
