// search-page.js — the search page of the standard theme (soeg/).
//
// A classic script, not a module: a browser that opens the site from disk (file://) refuses to
// load modules there, and only a classic script still runs to say so. It loads the search
// runtime with import() from ../_search/search.js, beside this file's static/ folder, so the
// page works at a domain root, under a sub-path, and moved elsewhere.
//
// The search lives in the URL (?q=…&raad=…&aar=…&status=…&sortering=dato&side=N): the back
// button steps through searches and a search can be shared. Typing updates the results after a
// pause, in one history entry per search; submitting the form or following a filter, sort or
// page link adds an entry; going back runs the search of the URL again.
(() => {
  'use strict';

  const script = document.currentScript;
  const root = document.getElementById('soeg');
  if (!script || !root) return;

  const PER_PAGE = 10;
  const TYPING_PAUSE_MS = 200;

  const texts = root.dataset;
  const months = JSON.parse(texts.months);
  const STATUS = { dagsorden: texts.statusDagsorden, referat: texts.statusReferat };

  // The filters: the URL parameter of each, the facet (and filter) of search.js it sets, how a
  // parameter is read, how a facet value is labelled, and the text of the link that clears it.
  const DIMENSIONS = [
    {
      param: 'raad',
      facet: 'council',
      parse: (v) => v || undefined,
      label: (entry) => entry.label,
      all: texts.allCouncil,
    },
    {
      param: 'aar',
      facet: 'year',
      parse: (v) => (/^\d{4}$/.test(v) ? Number(v) : undefined),
      label: (entry) => String(entry.value),
      all: texts.allYear,
    },
    {
      param: 'status',
      facet: 'status',
      parse: (v) => (v in STATUS ? v : undefined),
      label: (entry) => STATUS[entry.value],
      all: texts.allStatus,
    },
  ];

  const form = root.querySelector('.search-form');
  const input = form.elements.q;
  const headerInput = document.getElementById('site-search-q');
  const status = document.getElementById('soeg-status');
  const body = root.querySelector('.search-body');
  const results = root.querySelector('.search-results');
  const list = root.querySelector('.result-list');
  const pagination = root.querySelector('.pagination');
  const resultsHeading = document.getElementById('soeg-resultater');

  const engine = import(new URL('../_search/search.js', script.src).href).then((module) =>
    module.createSearch(new URL('../', script.src).href),
  );
  engine.catch(showUnavailable);

  /** `text` with each `{name}` replaced by `values[name]`. */
  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
  }

  /** An ISO date (2023-10-10) written in the site's language. */
  function formatDate(iso) {
    const [year, month, day] = iso.split('-').map(Number);
    return fill(texts.dateFormat, { day, month: months[month - 1], year });
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function readState(search) {
    const params = new URLSearchParams(search);
    const filters = {};
    for (const { param, facet, parse } of DIMENSIONS) {
      const value = params.has(param) ? parse(params.get(param)) : undefined;
      if (value !== undefined) filters[facet] = value;
    }
    const page = Number(params.get('side'));
    return {
      q: params.get('q') ?? '',
      filters,
      date: params.get('sortering') === 'dato',
      page: Number.isInteger(page) && page > 1 ? page : 1,
    };
  }

  /** The address of the search page showing `state`. */
  function urlOf(state) {
    const params = new URLSearchParams();
    if (state.q) params.set('q', state.q);
    for (const { param, facet } of DIMENSIONS) {
      if (state.filters[facet] !== undefined) params.set(param, String(state.filters[facet]));
    }
    if (state.date) params.set('sortering', 'dato');
    if (state.page > 1) params.set('side', String(state.page));
    const url = new URL(location.href);
    url.search = params.toString();
    url.hash = '';
    return url.href;
  }

  /** A link within the search page to `state`, followed without reloading the page. */
  function navLink(state, text, key) {
    const link = element('a', '', text);
    link.href = urlOf(state);
    link.dataset.nav = key;
    return link;
  }

  function setStatus(...nodes) {
    status.replaceChildren(...nodes.map((n) => (typeof n === 'string' ? element('p', '', n) : n)));
  }

  function showUnavailable() {
    body.hidden = true;
    setStatus(document.getElementById('soeg-fejl').content.cloneNode(true));
  }

  function facetList(state, found, { param, facet, label, all }) {
    const selected = state.filters[facet];
    const item = (value, text) => {
      const filters = { ...state.filters, [facet]: value };
      if (value === undefined) delete filters[facet];
      const link = navLink({ ...state, filters, page: 1 }, text, `${param}=${value ?? ''}`);
      if (value === selected) link.setAttribute('aria-current', 'true');
      const li = element('li');
      li.append(link);
      return li;
    };
    const entries = found.facets[facet] ?? [];
    // A value the index does not know (a link from before a rebuild) still shows as chosen.
    if (selected !== undefined && !entries.some((entry) => entry.value === selected)) {
      entries.push({ value: selected, label: String(selected), count: 0 });
    }
    root.querySelector(`.facet[data-facet="${facet}"]`).replaceChildren(
      item(undefined, all),
      ...entries.map((entry) => item(entry.value, `${label(entry)} (${entry.count})`)),
    );
  }

  function resultItem(result) {
    const li = element('li', 'search-result');
    const heading = element('h3');
    const link = element('a', '', result.title);
    link.href = result.url;
    heading.append(link);
    const meta = element('p', 'item-meta');
    if (result.status) {
      meta.append(element('span', 'tag tag-aaben', texts.open), ' ');
      meta.append(`${STATUS[result.status]}, ${formatDate(result.date)} · `);
    } else {
      meta.append(`${texts.kommissorium} · `);
    }
    meta.append(`${result.council}, ${result.municipality}`);
    if (result.case) meta.append(' ', element('span', 'case', `${texts.caseId}: ${result.case}`));
    const excerpt = element('p', 'search-excerpt');
    // search.js writes the excerpt from HTML-escaped text, adding only <mark>.
    excerpt.innerHTML = result.excerpt;
    li.append(heading, meta, excerpt);
    return li;
  }

  function render(state, found) {
    const query = state.q.trim();
    if (found.total === 0) {
      const nodes = [fill(texts.noResults, { query })];
      if (found.suggestion) {
        const p = element('p');
        const text = fill(texts.suggestion, { query: found.suggestion.trim() });
        p.append(navLink({ ...state, q: found.suggestion, page: 1 }, text, 'suggestion'));
        nodes.push(p);
      }
      setStatus(...nodes);
    } else {
      const count = found.total === 1 ? texts.resultsOne : texts.resultsMany;
      setStatus(fill(count, { count: found.total, query }));
    }

    body.hidden = found.total === 0 && Object.keys(state.filters).length === 0;
    results.hidden = found.total === 0;
    for (const dimension of DIMENSIONS) facetList(state, found, dimension);
    for (const link of root.querySelectorAll('[data-sort]')) {
      const date = link.dataset.sort === 'dato';
      link.href = urlOf({ ...state, date, page: 1 });
      link.dataset.nav = `sort=${link.dataset.sort}`;
      if (date === state.date) link.setAttribute('aria-current', 'true');
      else link.removeAttribute('aria-current');
    }

    list.replaceChildren(...found.results.map(resultItem));

    const pages = Math.ceil(found.total / PER_PAGE);
    pagination.replaceChildren();
    if (pages > 1 || state.page > 1) {
      if (state.page > 1) {
        const previous = navLink({ ...state, page: Math.min(state.page - 1, pages) || 1 }, texts.previous, 'page');
        previous.rel = 'prev';
        pagination.append(previous);
      }
      const pageOf = fill(texts.pageOf, { page: state.page, pages: Math.max(pages, 1) });
      pagination.append(element('span', 'page-of', pageOf));
      if (state.page < pages) {
        const next = navLink({ ...state, page: state.page + 1 }, texts.next, 'page');
        next.rel = 'next';
        pagination.append(next);
      }
    }
  }

  let latest = 0;

  /** Run the search of `state` and show it; `focusKey` names the link to keep focus on. */
  async function run(state, focusKey) {
    const ticket = ++latest;
    if (!state.q.trim()) {
      body.hidden = true;
      setStatus(texts.prompt);
      return;
    }
    const options = { filters: state.filters, limit: PER_PAGE, offset: (state.page - 1) * PER_PAGE };
    if (state.date) options.sort = 'date';
    let found;
    try {
      found = await (await engine).search(state.q, options);
    } catch (error) {
      if (ticket === latest) showUnavailable();
      console.error(error);
      return;
    }
    if (ticket !== latest) return;
    render(state, found);
    if (focusKey) {
      // The link followed was replaced: focus its successor, or the results after a new page.
      const again = focusKey === 'page' ? null : root.querySelector(`[data-nav="${CSS.escape(focusKey)}"]`);
      (again ?? (results.hidden ? input : resultsHeading)).focus();
    }
  }

  /** Fill both search boxes from `state`; a box that holds it already keeps its caret. */
  function showInForm(state) {
    for (const box of [input, headerInput]) {
      if (box && box.value !== state.q) box.value = state.q;
    }
  }

  // The next change typed adds a history entry; the ones after it replace that entry.
  let typedEntry = false;
  let typingTimer;

  function go(state, focusKey) {
    const url = urlOf(state);
    if (url !== location.href) history.pushState(null, '', url);
    typedEntry = false;
    showInForm(state);
    run(state, focusKey);
  }

  input.addEventListener('input', () => {
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => {
      const state = { ...readState(location.search), q: input.value, page: 1 };
      const url = urlOf(state);
      if (url !== location.href) {
        if (typedEntry) history.replaceState(null, '', url);
        else history.pushState(null, '', url);
        typedEntry = true;
      }
      showInForm(state);
      run(state);
    }, TYPING_PAUSE_MS);
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearTimeout(typingTimer);
    go({ ...readState(location.search), q: input.value, page: 1 });
  });

  root.addEventListener('click', (event) => {
    const link = event.target.closest('a[data-nav]');
    if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    clearTimeout(typingTimer);
    go(readState(new URL(link.href).search), link.dataset.nav);
  });

  window.addEventListener('popstate', () => {
    clearTimeout(typingTimer);
    typedEntry = false;
    const state = readState(location.search);
    showInForm(state);
    run(state);
  });

  const initial = readState(location.search);
  showInForm(initial);
  run(initial);
})();
