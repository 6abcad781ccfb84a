// search.test.mjs — the search of a built site, end to end in headless Chromium.
//
// Run by tests/browser.rs, which builds the demo site for a sub-path, serves it on 127.0.0.1 and
// sets:
//   SITE_URL      where the site is served, ending in / (e.g. http://127.0.0.1:40123/raad/)
//   SITE_ROOT     the site's folder (site.toml, content/), for `referat search`
//   REFERAT_BIN   the referat binary: its `search --json` gives the answers the page must show
//   CHROMIUM      the browser (default /usr/bin/chromium)
// Every step asserts what a person would see; a wait gives up after 10 s, and the whole run
// after 60 s, so a broken page fails instead of hanging. Exit code 0 when all steps passed.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { launch, required, step, steps, until, watchdog, watcher } from './harness.mjs';

const SITE_URL = required('SITE_URL');
const SITE_ROOT = required('SITE_ROOT');
const REFERAT_BIN = required('REFERAT_BIN');
const SEARCH_URL = new URL('soeg/', SITE_URL).href;

const timer = watchdog('the browser test', 60);

/** What `referat search` answers for `query`: the total and the URLs of the first page. */
function cli(query, ...args) {
  const out = execFileSync(
    REFERAT_BIN,
    ['search', '--root', SITE_ROOT, '--base-url', SITE_URL, '--json', '--limit', '10', ...args, query],
    { encoding: 'utf8' },
  );
  const answer = JSON.parse(out);
  return { total: answer.total, urls: answer.results.map((r) => r.url), facets: answer.facets };
}

const statusText = () => document.getElementById('soeg-status')?.textContent.trim();
const resultHrefs = () => [...document.querySelectorAll('#soeg .result-list > li h3 a')].map((a) => a.href);

/** The page shows `expected` for `query`: the live region's count and the result links in order. */
async function expectResults(page, query, expected, label) {
  const count = `${expected.total} resultater for »${query}«`;
  await until(page, `the live region to say "${count}" (${label})`, statusText, (s) => s === count);
  const live = await page.evaluate(() => {
    const s = document.getElementById('soeg-status');
    return [s.getAttribute('role'), s.getAttribute('aria-live')];
  });
  assert.deepEqual(live, ['status', 'polite'], 'the count is announced in a polite live region');
  await until(page, `the result links of ${label} to be ${JSON.stringify(expected.urls)}`, resultHrefs, (hrefs) =>
    JSON.stringify(hrefs) === JSON.stringify(expected.urls),
  );
  assert.equal(await page.locator('#soeg .search-body').isVisible(), true, 'filters and results are shown');
}

const browser = await launch();

// What goes wrong beside the steps: script errors, failed or stray requests.
const { problems, watch } = watcher(SITE_URL);

let failed = false;
try {
  const beskaeftigelse = cli('beskæftigelse');
  const integration = cli('integration');
  const council = integration.facets.council.find((f) => f.value === 'integrationsraadet');
  assert.ok(council, 'the demo has results for »integration« in Integrationsrådet');
  const filtered = cli('integration', '--council', 'integrationsraadet');
  assert.ok(
    beskaeftigelse.total > 0 && integration.total > filtered.total && filtered.total > 0,
    `the demo's answers suit the scenario: ${beskaeftigelse.total}, ${integration.total}, ${filtered.total}`,
  );

  const context = await browser.newContext({ locale: 'da-DK' });
  const page = await context.newPage();
  watch(page);

  await step('the header search box on the front page leads to the search page', async () => {
    const response = await page.goto(SITE_URL);
    assert.equal(response.status(), 200);
    await page.locator('#site-search-q').fill('beskæftigelse');
    await Promise.all([page.waitForURL(`${SEARCH_URL}?q=besk%C3%A6ftigelse`), page.locator('#site-search-q').press('Enter')]);
  });

  await step('the search page shows the results and announces their count', async () => {
    await expectResults(page, 'beskæftigelse', beskaeftigelse, '»beskæftigelse«');
    assert.equal(await page.locator('#soeg-q').inputValue(), 'beskæftigelse', "the page's box holds the query");
    assert.equal(await page.locator('#site-search-q').inputValue(), 'beskæftigelse', 'the header box holds the query');
    const first = await page.locator('#soeg .result-list > li').first().innerText();
    assert.match(first, /Høring: Beskæftigelsesplan 2024/, 'the best match comes first');
    assert.ok((await page.locator('#soeg .result-list mark').count()) > 0, 'the excerpts mark the words found');
  });

  await step("typing in the page's own box updates the results and the URL", async () => {
    const box = page.locator('#soeg-q');
    await box.fill('');
    await box.pressSequentially('integration', { delay: 15 });
    await expectResults(page, 'integration', integration, '»integration« typed');
    await page.waitForURL(`${SEARCH_URL}?q=integration`);
  });

  await step('a council filter narrows the results to that council', async () => {
    const link = page.locator('#soeg .facet[data-facet="council"] a', { hasText: 'Integrationsrådet' });
    assert.equal(await link.innerText(), `Integrationsrådet (${council.count})`, 'the facet link shows its count');
    assert.equal(council.count, filtered.total);
    await link.click();
    await page.waitForURL(`${SEARCH_URL}?q=integration&raad=integrationsraadet`);
    await expectResults(page, 'integration', filtered, '»integration« in Integrationsrådet');
    const metas = await page.locator('#soeg .result-list .item-meta').allInnerTexts();
    assert.equal(metas.length, filtered.total);
    for (const meta of metas) assert.match(meta, /Integrationsrådet, Aalborg Kommune/, 'every result is of the council');
    for (const href of await page.evaluate(resultHrefs)) {
      assert.ok(href.startsWith(`${SITE_URL}integrationsraadet/`), `${href} is a page of the council`);
    }
    const current = page.locator('#soeg .facet[data-facet="council"] a[aria-current="true"]');
    assert.equal(await current.innerText(), `Integrationsrådet (${council.count})`, 'the chosen filter is marked');
  });

  await step('the back button brings the unfiltered results back', async () => {
    await page.goBack();
    await page.waitForURL(`${SEARCH_URL}?q=integration`);
    await expectResults(page, 'integration', integration, '»integration« after going back');
    const current = page.locator('#soeg .facet[data-facet="council"] a[aria-current="true"]');
    assert.equal(await current.innerText(), 'Alle råd og udvalg', 'no council is chosen');
    assert.equal(await page.locator('#soeg-q').inputValue(), 'integration');
  });

  await step("a result leads to the item's anchor on its meeting page", async () => {
    const link = page.locator('#soeg .result-list h3 a[href*="#punkt-"]').first();
    const href = await link.evaluate((a) => a.href);
    const title = await link.innerText();
    await link.click();
    await page.waitForURL(href);
    const target = await page.evaluate(() => {
      const element = document.getElementById(location.hash.slice(1));
      const box = element?.getBoundingClientRect();
      return {
        hash: location.hash,
        path: location.pathname,
        text: element?.textContent ?? null,
        inView: box ? box.top >= -1 && box.top < innerHeight : false,
      };
    });
    assert.match(target.hash, /^#punkt-\d+$/);
    assert.match(target.path, /^\/raad\/[a-z0-9-]+\/\d{4}-\d{2}-\d{2}\/$/, 'a meeting page under the sub-path');
    assert.ok(target.text !== null, `the page has an element with id ${target.hash.slice(1)}`);
    assert.ok(target.text.includes(title), `the anchored item is »${title}«`);
    assert.ok(target.inView, 'the browser scrolled to the item');
  });

  await step('without JavaScript the search page says so and links to the archive', async () => {
    const noScript = await browser.newContext({ javaScriptEnabled: false });
    const plain = await noScript.newPage();
    watch(plain);
    const response = await plain.goto(`${SEARCH_URL}?q=integration`);
    assert.equal(response.status(), 200);
    const message = plain.locator('#soeg .search-message');
    assert.equal(await message.count(), 1);
    assert.equal(await message.isVisible(), true, 'the message is shown');
    assert.match(await message.innerText(), /Søgningen kræver JavaScript/);
    assert.equal(await plain.locator('#soeg .search-body').isVisible(), false, 'no empty filters or results');
    const archive = message.locator('a');
    assert.equal(await archive.innerText(), 'Se alle møder i arkivet');
    await archive.click();
    await plain.waitForURL(`${SITE_URL}arkiv/`);
    assert.match(await plain.locator('h1').innerText(), /Arkiv/);
    await noScript.close();
  });

  assert.deepEqual(problems, [], 'no script errors, failed requests or requests outside the site');
  await context.close();
} catch (error) {
  failed = true;
  console.error(error.stack ?? String(error));
  if (problems.length) console.error(`also:\n  ${problems.join('\n  ')}`);
} finally {
  await browser.close();
  clearTimeout(timer);
}

console.log(`${steps.length} passed, ${failed ? 1 : 0} failed`);
process.exit(failed ? 1 : 0);
