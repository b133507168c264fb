// The jobs list: filters, one keyset page of jobs, and paging by the `next` cursor the API
// returns. The filter lives in the URL (#/?state=..&type=..&order=..&limit=..&after=..), so refreshing,
// paging and the back button all keep it. Nothing here counts or loads all jobs: each refresh
// asks for one page.
//
// The view is a list of parts; each part has an element and refreshes itself from the filter
// when the view polls. A part that shows more about the same jobs is added to `parts` below.

import { listJobs } from './api.js';
import { el, replaceChildren, shortTime, showProblem, stateBadge } from './dom.js';
import { poll } from './poller.js';
import { showOverview } from './overview.js';

export const STATES = ['REQUESTED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'];
export const PAGE_SIZES = ['10', '25', '50', '100'];
export const ORDERS = ['newest', 'oldest'];
const DEFAULT_PAGE_SIZE = '25';
const REFRESH_MILLIS = 2000;

/** The list's filter from the URL's query part. */
export function filterFrom(params) {
  return {
    state: params.get('state') || '',
    type: params.get('type') || '',
    limit: PAGE_SIZES.includes(params.get('limit')) ? params.get('limit') : DEFAULT_PAGE_SIZE,
    order: ORDERS.includes(params.get('order')) ? params.get('order') : ORDERS[0],
    after: params.get('after') || '',
  };
}

/** The URL of the list with `filter`. */
export function listHash(filter) {
  const params = new URLSearchParams();
  for (const key of ['state', 'type', 'order', 'limit', 'after']) {
    const isDefault =
      (key === 'limit' && filter[key] === DEFAULT_PAGE_SIZE) || (key === 'order' && filter[key] === ORDERS[0]);
    if (filter[key] && !isDefault) {
      params.set(key, filter[key]);
    }
  }
  const query = params.toString();
  return query ? `#/?${query}` : '#/';
}

/** Shows the list in `container` until the returned view is stopped. */
export function showJobList(container, filter, { reportTypes }) {
  const parts = [filtersPart(filter, reportTypes), jobsPart(filter)];
  const updated = el('span', { class: 'updated', id: 'list-updated' });
  const overview = showOverview(filter);
  replaceChildren(
    container,
    overview.element,
    el(
      'section',
      { id: 'jobs' },
      el('h2', {}, 'Jobs'),
      parts.map((part) => part.element),
    ),
  );
  parts[0].element.append(updated);
  const list = poll(async () => {
    await Promise.all(parts.map((part) => part.refresh && part.refresh()));
    updated.textContent = `Updated ${new Date().toLocaleTimeString()}`;
    updated.dataset.refreshes = String(Number(updated.dataset.refreshes || 0) + 1);
  }, REFRESH_MILLIS);
  return {
    stop() {
      list.stop();
      overview.stop();
    },
  };
}

function filtersPart(filter, reportTypes) {
  const change = (key) => (event) => {
    // a new filter starts again from the first page
    location.hash = listHash({ ...filter, [key]: event.target.value, after: '' });
  };
  const select = (id, key, options, anyLabel) =>
    el(
      'select',
      { id, name: key, onchange: change(key) },
      anyLabel === null ? [] : el('option', { value: '' }, anyLabel),
      options.map((value) => el('option', { value, selected: value === filter[key] }, value)),
    );
  const element = el(
    'div',
    { class: 'filters' },
    el('label', {}, 'State ', select('filter-state', 'state', STATES, 'any')),
    el('label', {}, 'Report type ', select('filter-type', 'type', reportTypes, 'any')),
    el('label', {}, 'Order ', orderSelect(filter, change('order'))),
    el('label', {}, 'Per page ', select('filter-limit', 'limit', PAGE_SIZES, null)),
  );
  return { element };
}

function orderSelect(filter, onchange) {
  const labels = { newest: 'newest first', oldest: 'oldest first' };
  return el(
    'select',
    { id: 'filter-order', name: 'order', onchange },
    ORDERS.map((value) => el('option', { value, selected: value === filter.order }, labels[value])),
  );
}

function jobsPart(filter) {
  const problem = el('p', { class: 'problem', id: 'list-problem', role: 'alert', hidden: true });
  const body = el('tbody', { id: 'jobs-body' });
  const first = el('button', { type: 'button', id: 'first-page', disabled: !filter.after }, 'First page');
  const next = el('button', { type: 'button', id: 'next-page', disabled: true }, 'Next page');
  first.addEventListener('click', () => {
    location.hash = listHash({ ...filter, after: '' });
  });
  let nextCursor = null;
  next.addEventListener('click', () => {
    if (nextCursor) {
      location.hash = listHash({ ...filter, after: nextCursor });
    }
  });
  const table = el(
    'table',
    { id: 'jobs-table' },
    el(
      'thead',
      {},
      el('tr', {}, ['Job', 'Type', 'State', 'Attempt', 'Progress', 'Created', 'Finished'].map((h) => el('th', {}, h))),
    ),
    body,
  );
  return {
    element: el('div', {}, problem, table, el('div', { class: 'pager' }, first, next)),
    async refresh() {
      let page;
      try {
        page = await listJobs(filter);
      } catch (e) {
        showProblem(problem, e);
        return;
      }
      showProblem(problem, null);
      nextCursor = page.next;
      next.disabled = !page.next;
      replaceChildren(body, page.jobs.length ? page.jobs.map(row) : emptyRow(filter));
    },
  };
}

function row(job) {
  return el(
    'tr',
    { 'data-job-id': job.id },
    el('td', { class: 'id' }, el('a', { href: `#/jobs/${job.id}` }, job.id)),
    el('td', {}, job.type),
    el('td', {}, stateBadge(job.state)),
    el('td', {}, `${job.attempt} of ${job.maxAttempts}`),
    el('td', {}, `${job.progress.percent}%`),
    el('td', {}, shortTime(job.createdAt)),
    el('td', {}, shortTime(job.finishedAt)),
  );
}

function emptyRow(filter) {
  const text = filter.after ? 'No more jobs after this place.' : 'No jobs match these filters.';
  return el('tr', {}, el('td', { colspan: 7, class: 'empty' }, text));
}
