// accessibility.test.mjs — WCAG 2.1 A/AA of the built site in headless Chromium, with axe-core,
// and the site used with the keyboard alone.
//
// Run by tests/browser.rs, which builds the demo site for a sub-path, serves it on 127.0.0.1 (a
// missing page answered with 404.html and status 404) and sets:
//   SITE_URL                  where the site is served, ending in / (http://127.0.0.1:40123/raad/)
//   ACCESSIBILITY_STATEMENT   site.toml's accessibility_statement, which the footer must link to
//   CHROMIUM                  the browser (default /usr/bin/chromium)
// axe-core checks the pages of the sitemap, up to three of each kind (front page, councils,
// meetings, archive and years, cases, the empty search page), the search page with results and
// with none, and the 404 page, at the tags wcag2a, wcag2aa, wcag21a, wcag21aa; any violation
// fails, each listed with its rule, impact, elements and page. Text shown only on focus or hover
// (the skip link, buttons) is checked for contrast in that state. Then a person with a keyboard
// only (Tab, Enter and typing): the skip link comes first and leads into the main content, the
// search box is reached, a search is run and a result opened; every link, button and box focused
// on the way, and on every kind of page, shows a focus outline. The footer links to the
// accessibility statement (tilgængelighedserklæring) of site.toml. Exit code 0 when all passed.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { launch, required, step, steps, until, watchdog, watcher } from './harness.mjs';

const SITE_URL = required('SITE_URL');
const STATEMENT = required('ACCESSIBILITY_STATEMENT');
const SEARCH_URL = new URL('soeg/', SITE_URL).href;
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
/** A word the demo has results for, and one it has none for. */
const FOUND = 'integration';
const NOT_FOUND = 'xqzvwpl';
/** The most pages of one kind (case pages, meeting pages …) of the sitemap that axe-core checks. */
const PER_TYPE = 3;
/** The most Tab presses a walk takes before it gives up. */
const MAX_TABS = 150;

const timer = watchdog('the accessibility test', 110);

const statusText = () => document.getElementById('soeg-status')?.textContent.trim() ?? '';

/** Wait until the search page has answered: results listed, or the status says none were found. */
async function searchAnswered(page, expectResults) {
  if (expectResults) {
    await until(page, 'the search results', () => document.querySelectorAll('#soeg .result-list > li').length, (n) => n > 0);
  } else {
    const none = `Ingen resultater for »${NOT_FOUND}«.`;
    await until(page, `the search to say "${none}"`, statusText, (s) => s.startsWith(none));
  }
}

const browser = await launch();

// What goes wrong beside the steps: script errors, failed or stray requests.
const expected404 = new Set();
const { problems, watch } = watcher(SITE_URL, expected404);

/** Run axe-core in `page` at the WCAG 2.1 A/AA tags; the violations, one line per element. */
async function axeViolations(page, label, context) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.addScriptTag({ path: AXE_PATH });
  }
  const results = await page.evaluate(
    async ([tags, context]) =>
      window.axe.run(context ?? document, {
        runOnly: { type: 'tag', values: tags },
        resultTypes: ['violations'],
      }),
    [AXE_TAGS, context],
  );
  const lines = [];
  for (const violation of results.violations) {
    for (const node of violation.nodes) {
      lines.push(
        `${label}: ${violation.id} (${violation.impact}) at ${node.target.join(' ')}: ${violation.help}` +
          `\n      ${node.failureSummary?.replace(/\n\s*/g, ' ') ?? ''}`,
      );
    }
  }
  return lines;
}

/** The page's type, from its path below the site. */
function pageType(url) {
  const path = url.slice(SITE_URL.length).split(/[?#]/)[0];
  if (path === '') return 'front page';
  if (path === 'arkiv/') return 'archive';
  if (/^arkiv\/\d{4}\/$/.test(path)) return 'archive year';
  if (path === 'soeg/') return 'search page';
  if (/^sag\/[^/]+\/$/.test(path)) return 'case page';
  if (/^[a-z0-9-]+\/\d{4}-\d{2}-\d{2}[^/]*\/$/.test(path)) return 'meeting page';
  if (/^[a-z0-9-]+\/$/.test(path)) return 'council page';
  return `other (${path})`;
}

/** What the focused element is and how its focus shows. */
function focusedNow() {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const style = getComputedStyle(element);
  const box = element.getBoundingClientRect();
  return {
    tag: element.tagName.toLowerCase(),
    id: element.id,
    className: typeof element.className === 'string' ? element.className : '',
    href: element.href ?? null,
    text: (element.textContent || element.value || '').trim().replace(/\s+/g, ' ').slice(0, 60),
    inResults: !!element.closest('#soeg .result-list'),
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth) || 0,
    boxShadow: style.boxShadow,
    visible: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0 &&
      box.top < innerHeight && box.left < innerWidth,
  };
}

function describe(focused) {
  if (!focused) return '(nothing)';
  const id = focused.id ? `#${focused.id}` : '';
  const cls = focused.className ? `.${focused.className.trim().split(/\s+/).join('.')}` : '';
  return `<${focused.tag}${id}${cls}> »${focused.text}«`;
}

/** A focused link, button or box must show where focus is: an outline, or else a box-shadow. */
function focusProblem(focused) {
  if (!focused || !['a', 'button', 'input', 'select', 'textarea', 'summary'].includes(focused.tag)) return null;
  const outline = focused.outlineStyle !== 'none' && focused.outlineWidth > 0;
  const shadow = focused.boxShadow && focused.boxShadow !== 'none';
  if (!outline && !shadow) return `${describe(focused)} shows no focus outline`;
  if (!focused.visible) return `${describe(focused)} is focused outside the window`;
  return null;
}

async function tab(page) {
  await page.keyboard.press('Tab');
  return page.evaluate(focusedNow);
}

/** Press Tab until `wanted(focused)`; every stop on the way must show its focus. */
async function tabUntil(page, what, wanted) {
  const seen = [];
  for (let i = 0; i < MAX_TABS; i++) {
    const focused = await tab(page);
    const problem = focusProblem(focused);
    assert.equal(problem, null, problem ?? '');
    seen.push(describe(focused));
    if (wanted(focused)) return { focused, presses: i + 1 };
  }
  throw new Error(`${MAX_TABS} presses of Tab did not reach ${what}; focus went:\n  ${seen.join('\n  ')}`);
}

/** Tab through the whole page from its top, checking every stop; the stops in order. */
async function tabThrough(page) {
  await page.evaluate(() => {
    document.activeElement?.blur();
    window.getSelection()?.removeAllRanges();
  });
  const stops = [];
  for (let i = 0; i < MAX_TABS; i++) {
    const focused = await tab(page);
    if (!focused || (i > 0 && focused.className === 'skip-link')) return stops;
    const problem = focusProblem(focused);
    assert.equal(problem, null, `${page.url()}: ${problem}`);
    stops.push(focused);
  }
  throw new Error(`${page.url()}: Tab did not come round to the top after ${MAX_TABS} presses`);
}

let failed = false;
try {
  const context = await browser.newContext({ locale: 'da-DK', viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  watch(page);

  const violations = [];
  const covered = new Map();
  async function check(url, label, ready) {
    const response = await page.goto(url);
    if (ready) await ready();
    violations.push(...(await axeViolations(page, label)));
    covered.set(label, response.status());
    return response;
  }

  await step('axe-core runs and reports a violation it is shown', async () => {
    await page.goto(SITE_URL);
    await page.evaluate(() => document.querySelector('main').append(document.createElement('button')));
    const found = await axeViolations(page, 'front page with an empty button');
    assert.ok(
      found.some((line) => /: button-name \(critical\) at #indhold > button: /.test(line)),
      `axe-core reports the empty button: ${found.join('\n')}`,
    );
  });

  await step('axe-core finds no WCAG 2.1 A/AA violation on any kind of page', async () => {
    const sitemap = await (await page.request.get(new URL('sitemap.xml', SITE_URL).href)).text();
    const pages = [...sitemap.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]);
    assert.ok(pages.length > 0, 'the sitemap lists the pages');
    const types = new Map();
    for (const url of pages) {
      assert.ok(url.startsWith(SITE_URL), `${url} is a page of the site`);
      const type = pageType(url);
      types.set(type, (types.get(type) ?? 0) + 1);
      if (types.get(type) > PER_TYPE) continue;
      const response = await check(url, `${type} ${url.slice(SITE_URL.length) || '/'}`);
      assert.equal(response.status(), 200, url);
    }
    for (const type of ['front page', 'council page', 'meeting page', 'archive', 'archive year', 'case page', 'search page']) {
      assert.ok(types.has(type), `the sitemap has a ${type}: ${[...types.keys()].join(', ')}`);
    }

    const found = `${SEARCH_URL}?q=${FOUND}`;
    await check(found, `search page with results soeg/?q=${FOUND}`, () => searchAnswered(page, true));
    const none = `${SEARCH_URL}?q=${NOT_FOUND}`;
    await check(none, `search page with no results soeg/?q=${NOT_FOUND}`, () => searchAnswered(page, false));

    const missing = new URL('findes/ikke/', SITE_URL).href;
    expected404.add(missing);
    const response = await check(missing, '404 page findes/ikke/');
    assert.equal(response.status(), 404, 'a missing page answers 404');
    assert.match(await page.locator('h1').innerText(), /Siden findes ikke/, "the 404 page is 404.html's");

    console.log(`# axe-core ${await page.evaluate(() => window.axe.version)} checked ${covered.size} pages`);
    assert.deepEqual(violations, [], `${violations.length} WCAG 2.1 A/AA violations:\n  ${violations.join('\n  ')}\n`);
  });

  await step('text keeps its contrast while hovered', async () => {
    await page.goto(`${SEARCH_URL}?q=${FOUND}`);
    await searchAnswered(page, true);
    const targets = ['.site-search button', '.search-row button', '.site-title', '.site-nav a', '#soeg .result-list a'];
    const found = [];
    for (const selector of targets) {
      await page.locator(selector).first().hover();
      found.push(...(await axeViolations(page, `hovered ${selector}`, { include: [[selector]] })));
    }
    assert.deepEqual(found, [], found.join('\n'));
  });

  await step('the skip link is the first stop and leads into the main content', async () => {
    await page.goto(SITE_URL);
    const first = await tab(page);
    assert.equal(first?.className, 'skip-link', `the first Tab stop is the skip link, not ${describe(first)}`);
    assert.equal(first.text, 'Skip til hoved indholdet');
    assert.equal(focusProblem(first), null, focusProblem(first) ?? '');
    // Shown while focused: its text must contrast with what it is shown on.
    const shown = await axeViolations(page, 'focused skip link', { include: [['.skip-link']] });
    assert.deepEqual(shown, [], shown.join('\n'));
    await page.keyboard.press('Enter');
    await page.waitForURL(`${SITE_URL}#indhold`);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'indhold', 'focus moved to <main>');
    const next = await tab(page);
    assert.ok(
      await page.evaluate(() => document.getElementById('indhold').contains(document.activeElement)),
      `the next Tab stays in the main content: ${describe(next)}`,
    );
  });

  await step('with Tab and Enter only: skip link, search box, a search, a result', async () => {
    await page.goto(SEARCH_URL);
    const first = await tab(page);
    assert.equal(first?.className, 'skip-link', `the first Tab stop is the skip link, not ${describe(first)}`);
    await page.keyboard.press('Enter');
    const box = await tab(page);
    assert.equal(box?.id, 'soeg-q', `after the skip link, Tab reaches the search box, not ${describe(box)}`);
    assert.equal(focusProblem(box), null, focusProblem(box) ?? '');
    await page.keyboard.type('beskæftigelse');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${SEARCH_URL}?q=besk%C3%A6ftigelse`);
    await searchAnswered(page, true);
    const expected = await page.evaluate(() => document.querySelector('#soeg .result-list > li h3 a').href);
    const { focused, presses } = await tabUntil(page, 'the first result', (f) => f?.inResults);
    assert.equal(focused.href, expected, `the first result link Tab reaches is the first result (${presses} presses)`);
    assert.match(focused.href, /#punkt-\d+$/, 'a result links to an agenda item');
    await page.keyboard.press('Enter');
    await page.waitForURL(expected);
    const target = await page.evaluate(() => {
      const element = document.getElementById(location.hash.slice(1));
      const box = element?.getBoundingClientRect();
      return { path: location.pathname, found: !!element, inView: box ? box.top >= -1 && box.top < innerHeight : false };
    });
    assert.match(target.path, /^\/raad\/[a-z0-9-]+\/\d{4}-\d{2}-\d{2}\/$/, 'a meeting page under the sub-path');
    assert.ok(target.found && target.inView, 'the meeting page shows the item of the result');
  });

  await step('the header search box is reached with Tab and searches with Enter', async () => {
    await page.goto(SITE_URL);
    await tabUntil(page, 'the header search box', (f) => f?.id === 'site-search-q');
    await page.keyboard.type(FOUND);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${SEARCH_URL}?q=${FOUND}`);
    await searchAnswered(page, true);
  });

  await step('every link, button and box shows its focus, on every kind of page', async () => {
    const urls = [
      SITE_URL,
      `${SEARCH_URL}?q=${FOUND}`,
      new URL('arkiv/', SITE_URL).href,
    ];
    // A meeting page and a case page, as the front page and the meeting link to them.
    await page.goto(SITE_URL);
    const meeting = await page.locator('main .meeting-list a').first().evaluate((a) => a.href);
    await page.goto(meeting);
    const council = await page.locator('.breadcrumbs a').last().evaluate((a) => a.href);
    const caseUrl = await page.locator('main .case a').first().evaluate((a) => a.href);
    urls.push(meeting, council, caseUrl);
    let total = 0;
    const kinds = new Set();
    for (const url of urls) {
      await page.goto(url);
      if (url.includes('?q=')) await searchAnswered(page, true);
      const stops = await tabThrough(page);
      assert.ok(stops.length > 3, `${url}: Tab reaches the page's links (${stops.length})`);
      for (const stop of stops) kinds.add(stop.tag);
      total += stops.length;
    }
    for (const kind of ['a', 'button', 'input']) assert.ok(kinds.has(kind), `the walk focused a <${kind}>`);
    console.log(`# ${total} focus stops on ${urls.length} pages, all with a visible outline`);
  });

  await step('the footer links to the accessibility statement of site.toml', async () => {
    for (const url of [SITE_URL, new URL('findes/ikke/', SITE_URL).href, `${SEARCH_URL}?q=${FOUND}`]) {
      await page.goto(url);
      const link = page.locator('footer.site-footer a', { hasText: 'Tilgængelighedserklæring' });
      assert.equal(await link.count(), 1, `${url}: the footer has one link »Tilgængelighedserklæring«`);
      assert.equal(await link.getAttribute('href'), STATEMENT, `${url}: it links to site.toml's accessibility_statement`);
      assert.equal(await link.isVisible(), true);
    }
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
