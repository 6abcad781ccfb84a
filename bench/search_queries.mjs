// One first query, in this fresh process, against a site built on disk: the driver of
// `referat-bench search` (bench/search_bench.rs), which runs it once per engine, query and run.
//
//   node bench/search_queries.mjs <referat|pagefind> <site folder> <query>
//
// The engine's module is imported before the clock starts; the time is from calling search to
// having the first 10 results with their excerpts (referat: `search()` returns them; Pagefind:
// `search()`, then `data()` of the first 10). Files are read from disk by a replacement of fetch
// (Pagefind fetches relative to its own file: URL, which Node's fetch cannot read), which counts
// what the query downloads. The runtime's own files count too, though they are imported rather
// than fetched: referat's `_search/search.js`; Pagefind's `pagefind.js` and `pagefind-worker.js`,
// which a browser loads for the first search (in Node, with no Worker, Pagefind searches on the
// main thread instead).
//
// Prints one line of JSON: {"ms", "total", "shown", "files": [{"path", "kind", "bytes", "gzip"}]}
// where kind is "code", "entry", "index" or "fragment", and gzip is the bytes a server would send
// with gzip (level 6), never more than the bytes as they are (Pagefind's files are already
// gzipped on disk).
import { readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const [engine, siteArg, query] = process.argv.slice(2);
if (!['referat', 'pagefind'].includes(engine) || !siteArg || query === undefined) {
  console.error('usage: node bench/search_queries.mjs <referat|pagefind> <site folder> <query>');
  process.exit(2);
}
const site = resolve(siteArg);
const siteUrl = pathToFileURL(`${site}/`).href;
// Whatever the engines print must not mix with the answer on stdout.
console.log = console.info = console.warn = console.error;

const files = []; // [path relative to the site, bytes]
async function fetchFromDisk(input) {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (!url.href.startsWith(siteUrl)) throw new Error(`outside the site: ${url.href}`);
  const path = fileURLToPath(url); // without the query (Pagefind adds ?ts= to its entry file)
  try {
    const bytes = await readFile(path);
    files.push([relative(site, path), bytes]);
    return new Response(bytes);
  } catch {
    return new Response('not found', { status: 404 });
  }
}
globalThis.fetch = fetchFromDisk;
// Node loads its Response class (undici) on first use: about 30 ms that belong to this
// harness, not to either engine, so it is loaded before the clock starts.
await new Response(new Uint8Array(1)).arrayBuffer();

// What each file of a first query is, by its path relative to the site.
const KINDS = {
  referat: [
    [/^_search\/search\.js$/, 'code'],
    [/^_search\/index\.json$/, 'entry'],
    [/^_search\/f\//, 'fragment'],
    [/^_search\//, 'index'],
  ],
  pagefind: [
    [/^pagefind\/(pagefind(-worker)?\.js|wasm\.[^/]*\.pagefind)$/, 'code'],
    [/^pagefind\/(pagefind-entry\.json|[^/]*\.pf_meta)$/, 'entry'],
    [/^pagefind\/fragment\//, 'fragment'],
    [/^pagefind\//, 'index'],
  ],
};
const kindOf = (path) => KINDS[engine].find(([pattern]) => pattern.test(path))?.[1] ?? 'other';

let answer;
if (engine === 'referat') {
  const runtime = '_search/search.js';
  files.push([runtime, await readFile(join(site, runtime))]);
  const { createSearch } = await import(pathToFileURL(join(site, runtime)).href);
  const search = createSearch(siteUrl, { fetch: fetchFromDisk });
  const started = performance.now();
  const found = await search.search(query, { limit: 10 });
  answer = { ms: performance.now() - started, total: found.total, shown: found.results.length };
} else {
  for (const runtime of ['pagefind/pagefind.js', 'pagefind/pagefind-worker.js']) {
    files.push([runtime, await readFile(join(site, runtime))]);
  }
  const pagefind = await import(pathToFileURL(join(site, 'pagefind/pagefind.js')).href);
  const started = performance.now();
  const found = await pagefind.search(query);
  const shown = await Promise.all(found.results.slice(0, 10).map((r) => r.data()));
  answer = { ms: performance.now() - started, total: found.results.length, shown: shown.length };
}

answer.files = files.map(([path, bytes]) => ({
  path,
  kind: kindOf(path),
  bytes: bytes.length,
  gzip: Math.min(bytes.length, gzipSync(bytes, { level: 6 }).length),
}));
process.stdout.write(`${JSON.stringify(answer)}\n`);
