// Answers queries with the browser module, from a built site on disk.
//
//   node tests/search_answers.mjs <site folder> <base URL>   < queries.json
//
// queries.json: [{"text": "…", "filters": {…}, "limit": 10, "offset": 0, "sort": "relevance"}, …]
// Prints one JSON array: the answer to each query, in order.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [site, baseUrl] = process.argv.slice(2);
const { createSearch } = await import(pathToFileURL(join(site, '_search/search.js')).href);

// Serve the site's files for URLs under baseUrl, as a web server would.
async function fetchFromDisk(url) {
  const path = String(url);
  if (!path.startsWith(baseUrl)) throw new Error(`outside the site: ${path}`);
  try {
    const bytes = await readFile(join(site, decodeURIComponent(path.slice(baseUrl.length))));
    return new Response(bytes);
  } catch {
    return new Response('not found', { status: 404 });
  }
}

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const queries = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const search = createSearch(baseUrl, { fetch: fetchFromDisk });
const answers = [];
for (const q of queries) {
  answers.push(
    await search.search(q.text, {
      filters: q.filters ?? {},
      limit: q.limit ?? 10,
      offset: q.offset ?? 0,
      sort: q.sort ?? 'relevance',
    }),
  );
}
process.stdout.write(JSON.stringify(answers));
