// What the browser tests share: their settings from the environment, a watchdog, numbered steps,
// waiting for the page, Debian's Chromium started the way this machine allows, and a watch on
// each page for script errors and requests that fail or leave the site.

import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const WAIT_MS = 10_000;

/** The environment variable `name`, which tests/browser.rs sets. */
export function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set: run this script through \`cargo nextest run --test browser\``);
    process.exit(2);
  }
  return value;
}

/** End the process, failing, when `what` has not finished in `seconds`. */
export function watchdog(what, seconds) {
  return setTimeout(() => {
    console.error(`${what} did not finish in ${seconds} s`);
    process.exit(1);
  }, seconds * 1000);
}

/** The steps that passed, by name. */
export const steps = [];

/** Run one numbered step, printing `ok N - name` or `not ok N - name`. */
export async function step(name, fn) {
  const started = Date.now();
  try {
    await fn();
  } catch (error) {
    console.log(`not ok ${steps.length + 1} - ${name}`);
    throw error;
  }
  steps.push(name);
  console.log(`ok ${steps.length} - ${name} (${Date.now() - started} ms)`);
}

/** Wait until `read()` (run in the page) satisfies `ok`; fail naming `what` and what was seen. */
export async function until(page, what, read, ok, arg) {
  const deadline = Date.now() + WAIT_MS;
  let seen;
  for (;;) {
    try {
      seen = await page.evaluate(read, arg);
      if (ok(seen)) return seen;
    } catch (error) {
      seen = `(${error.message.split('\n')[0]})`;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${WAIT_MS / 1000} s waiting for ${what}; last seen: ${JSON.stringify(seen)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Debian's Chromium, headless, without the background connections this machine refuses. */
export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    // Playwright starts Chromium with a new, empty user data dir of its own and removes it after.
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: WAIT_MS,
  });
}

/**
 * What goes wrong beside the steps, for the site at `siteUrl`: `watch(page)` collects into
 * `problems` its script errors, failed requests, requests outside the site's sub-path, and
 * HTTP errors other than the URLs in `expected404`.
 */
export function watcher(siteUrl, expected404 = new Set()) {
  const origin = new URL(siteUrl).origin;
  const problems = [];
  function watch(page) {
    page.setDefaultTimeout(WAIT_MS);
    page.setDefaultNavigationTimeout(WAIT_MS);
    page.on('pageerror', (error) => problems.push(`script error on ${page.url()}: ${error.message}`));
    page.on('console', (message) => {
      // A failed load is also a response, checked below (where the favicon guess is let off).
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        problems.push(`console error on ${page.url()}: ${message.text()}`);
      }
    });
    page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`));
    page.on('response', (response) => {
      const url = response.url();
      if (url === `${origin}/favicon.ico`) return; // the browser's own guess, not a link of the site
      if (!url.startsWith(siteUrl)) problems.push(`a request outside the site's sub-path: ${url}`);
      else if (response.status() >= 400 && !expected404.has(url)) problems.push(`HTTP ${response.status()} for ${url}`);
    });
  }
  return { problems, watch };
}
