// The overview above the jobs list: how many jobs of each type are in each state across the whole
// store, how many are due and how long the oldest has waited (GET /stats), and a chart of the last
// hour's throughput and lag (GET /stats/activity). Both come from statistics the server reads from
// the store at most once per interval, so a page left open costs the store nothing more.

import uPlot from '/webjars/uplot/1.6.30/dist/uPlot.esm.js';
import { getActivity, getStatistics } from './api.js';
import { el, replaceChildren, showProblem, stateBadge } from './dom.js';
import { poll } from './poller.js';
import { STATES, listHash } from './jobs-list.js';

const REFRESH_MILLIS = 5000;

/** The overview, refreshing itself until stopped; `filter` is the list's, for the count links. */
export function showOverview(filter) {
  const problem = el('p', { class: 'problem', role: 'alert', hidden: true });
  const counts = countsPart(filter);
  const chart = activityChart();
  const element = el(
    'section',
    { id: 'overview' },
    el('h2', {}, 'Overview ', el('small', {}, 'all nodes')),
    problem,
    counts.element,
    chart.element,
  );
  const running = poll(async () => {
    try {
      const [statistics, activity] = await Promise.all([getStatistics(), getActivity()]);
      showProblem(problem, null);
      counts.update(statistics);
      chart.update(activity.samples);
    } catch (e) {
      showProblem(problem, e);
    }
  }, REFRESH_MILLIS);
  return {
    element,
    stop() {
      running.stop();
      chart.destroy();
    },
  };
}

/** A table of types by states; each count links to the list filtered by that type and state. */
function countsPart(filter) {
  const body = el('tbody', { id: 'counts-body' });
  const total = el('tfoot', {});
  const table = el(
    'table',
    { id: 'counts' },
    el('thead', {}, el('tr', {}, el('th', {}, 'Type'), STATES.map((s) => el('th', {}, stateBadge(s))),
      el('th', {}, 'Due'), el('th', {}, 'Lag'))),
    body,
    total,
  );
  return {
    element: table,
    update(statistics) {
      replaceChildren(
        body,
        statistics.types.length === 0
          ? el('tr', {}, el('td', { class: 'empty', colspan: STATES.length + 3 }, 'No jobs yet.'))
          : statistics.types.map((row) =>
              el(
                'tr',
                { 'data-type': row.type },
                el('td', {}, row.type),
                STATES.map((state) => countCell(filter, row.type, state, row.counts[state])),
                el('td', { 'data-due': row.due }, String(row.due)),
                el('td', {}, seconds(row.lagSeconds)),
              ),
            ),
      );
      const sums = STATES.map((state) =>
        statistics.types.reduce((sum, row) => sum + row.counts[state], 0),
      );
      replaceChildren(
        total,
        el(
          'tr',
          {},
          el('th', {}, 'All'),
          sums.map((sum, i) => countCell(filter, '', STATES[i], sum)),
          el('th', {}, String(statistics.due)),
          el('th', {}, seconds(statistics.lagSeconds)),
        ),
      );
      table.dataset.readAt = statistics.readAt;
    },
  };
}

function countCell(filter, type, state, count) {
  const href = listHash({ ...filter, type, state, after: '' });
  return el(
    'td',
    { class: 'count', 'data-state': state, 'data-count': count },
    count > 0 ? el('a', { href }, String(count)) : '0',
  );
}

function seconds(value) {
  if (!value) {
    return '–';
  }
  return value < 120 ? `${value.toFixed(1)} s` : `${(value / 60).toFixed(1)} min`;
}

/** Jobs finished per minute and the lag over the last hour, drawn by uPlot. */
function activityChart() {
  const holder = el('div', { id: 'activity-chart', 'data-samples': '0' });
  let plot = null;
  const element = el('figure', { class: 'chart' }, holder,
    el('figcaption', {}, 'Last hour: jobs finished per minute (left) and lag in seconds (right)'));
  return {
    element,
    update(samples) {
      const data = [
        samples.map((s) => Date.parse(s.at) / 1000),
        samples.map((s) => s.finishedPerMinute),
        samples.map((s) => s.lagSeconds),
      ];
      holder.dataset.samples = String(samples.length);
      if (plot) {
        plot.setData(data);
        return;
      }
      plot = new uPlot(
        {
          width: Math.max(320, holder.clientWidth || 640),
          height: 180,
          series: [
            {},
            { label: 'finished / min', stroke: '#1f5fbf', width: 2, scale: 'rate' },
            { label: 'lag (s)', stroke: '#c62828', width: 2, scale: 's' },
          ],
          axes: [{}, { scale: 'rate' }, { scale: 's', side: 1, grid: { show: false } }],
          scales: { x: { time: true } },
        },
        data,
        holder,
      );
    },
    destroy() {
      if (plot) {
        plot.destroy();
        plot = null;
      }
    },
  };
}
