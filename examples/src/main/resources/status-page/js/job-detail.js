// One job: what it is, its progress (polled until it ends), its error, its result, and what can
// be done with it. The view is a list of parts, each with an element and an update(job) called
// with every fresh snapshot; a part that shows more of the job is added to `parts` below, an
// action to `ACTIONS` in actionsPart.

import { cancelJob, getJob, getJobError, getJobHistory, retryJob } from './api.js';
import { el, replaceChildren, showProblem, stateBadge, time } from './dom.js';
import { poll } from './poller.js';

const POLL_MILLIS = 1000;
const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);
const RETRIABLE = new Set(['FAILED', 'CANCELLED']);

/** Shows job `id` in `container` until the returned view is stopped. */
export function showJobDetail(container, id) {
  const problem = el('p', { class: 'problem', id: 'detail-problem', role: 'alert', hidden: true });
  let view = null;
  const refresh = async () => {
    let job;
    try {
      job = await getJob(id);
    } catch (e) {
      showProblem(problem, e);
      return e.status !== 404; // an unknown job will not appear
    }
    showProblem(problem, null);
    view.update(job);
    return !TERMINAL.has(job.state);
  };
  const parts = [
    summaryPart(),
    progressPart(),
    errorPart(id),
    resultPart(),
    actionsPart(id, () => poller.refreshNow()),
    historyPart(id),
  ];
  view = {
    update(job) {
      parts.forEach((part) => part.update(job));
    },
  };
  replaceChildren(
    container,
    el(
      'section',
      { id: 'job-detail', 'data-job-id': id },
      el('h2', {}, 'Job ', el('span', { class: 'id' }, id)),
      problem,
      parts.map((part) => part.element),
    ),
  );
  let running = poll(refresh, POLL_MILLIS);
  const poller = {
    // after an action, show its effect at once and poll again until the job ends
    refreshNow() {
      running.stop();
      running = poll(refresh, POLL_MILLIS);
    },
    stop() {
      running.stop();
    },
  };
  return poller;
}

function summaryPart() {
  const fields = {
    type: el('dd', { id: 'job-type' }),
    state: el('dd', { id: 'job-state' }),
    attempts: el('dd', { id: 'job-attempts' }),
    parameters: el('dd', { id: 'job-parameters' }),
    created: el('dd', { id: 'job-created' }),
    started: el('dd', { id: 'job-started' }),
    finished: el('dd', { id: 'job-finished' }),
    nextRun: el('dd', { id: 'job-next-run' }),
  };
  const element = el(
    'dl',
    {},
    el('dt', {}, 'Type'), fields.type,
    el('dt', {}, 'State'), fields.state,
    el('dt', {}, 'Attempts'), fields.attempts,
    el('dt', {}, 'Parameters'), fields.parameters,
    el('dt', {}, 'Created'), fields.created,
    el('dt', {}, 'Started'), fields.started,
    el('dt', {}, 'Finished'), fields.finished,
    el('dt', {}, 'Next run'), fields.nextRun,
  );
  return {
    element,
    update(job) {
      fields.type.textContent = job.type;
      replaceChildren(
        fields.state,
        stateBadge(job.state),
        job.cancellationRequested && !TERMINAL.has(job.state) ? ' cancellation requested' : '',
      );
      fields.attempts.textContent = `${job.attempt} of ${job.maxAttempts}`;
      const parameters = Object.entries(job.parameters);
      fields.parameters.textContent = parameters.length
        ? parameters.map(([key, value]) => `${key} = ${value}`).join(', ')
        : 'none';
      fields.created.textContent = time(job.createdAt);
      fields.started.textContent = time(job.startedAt);
      fields.finished.textContent = time(job.finishedAt);
      fields.nextRun.textContent = job.state === 'REQUESTED' ? time(job.nextRunAt) : '–';
    },
  };
}

function progressPart() {
  const bar = el('progress', { id: 'job-progress', max: 100, value: 0 });
  const percent = el('span', { class: 'percent', id: 'job-progress-percent' });
  const message = el('span', { id: 'job-progress-message' });
  return {
    element: el('div', { class: 'progress' }, bar, percent, message),
    update(job) {
      bar.value = job.progress.percent;
      bar.dataset.percent = String(job.progress.percent);
      percent.textContent = `${job.progress.percent}%`;
      message.textContent = job.progress.message || '';
    },
  };
}

/** The latest error; its stack trace is fetched once the reader opens it. */
function errorPart(id) {
  const type = el('code', { id: 'job-error-type' });
  const message = el('p', { id: 'job-error-message' });
  const trace = el('pre', { id: 'job-error-stack-trace' });
  const details = el('details', { id: 'job-error-details' }, el('summary', {}, 'Stack trace'), trace);
  let loadedFor = null;
  details.addEventListener('toggle', async () => {
    const key = type.textContent + message.textContent;
    if (!details.open || loadedFor === key) {
      return;
    }
    trace.textContent = 'Loading…';
    try {
      trace.textContent = (await getJobError(id)).stackTrace;
      loadedFor = key;
    } catch (e) {
      trace.textContent = e.message;
    }
  });
  const heading = el('h3', { id: 'job-error-heading' }, 'Error');
  const element = el('div', { id: 'job-error', hidden: true }, heading, type, message, details);
  return {
    element,
    update(job) {
      element.hidden = !job.error;
      // a job retried after a failure keeps that error until a new one replaces it
      heading.textContent = job.state === 'FAILED' ? 'Error' : 'Error of an earlier attempt';
      if (job.error) {
        type.textContent = job.error.type;
        message.textContent = job.error.message || '(no message)';
      }
    },
  };
}

function resultPart() {
  const link = el('a', { id: 'job-result-link', download: true });
  const about = el('span', { id: 'job-result-about' });
  const element = el('p', { id: 'job-result', hidden: true }, link, ' ', about);
  return {
    element,
    update(job) {
      const result = job.state === 'COMPLETED' ? job.result : null;
      element.hidden = !result;
      if (result) {
        link.href = result.href;
        link.textContent = `Download ${result.fileName || 'result'}`;
        about.textContent = `(${result.contentType}, ${result.sizeBytes} bytes)`;
      }
    },
  };
}

/**
 * The job's transitions as a timeline, oldest first. It is read again only when the snapshot shows
 * that something moved (state, attempt or times), not on every poll.
 */
function historyPart(id) {
  const list = el('ol', { id: 'job-history', class: 'timeline' });
  const problem = el('p', { class: 'problem', role: 'alert', hidden: true });
  let shownFor = null;
  let latest = 0; // a reply to an older request must not replace a newer one
  const element = el('section', { class: 'history' }, el('h3', {}, 'History'), list, problem);
  return {
    element,
    async update(job) {
      const key = [job.state, job.attempt, job.startedAt, job.finishedAt, job.nextRunAt].join('|');
      if (key === shownFor) {
        return;
      }
      shownFor = key;
      const request = ++latest;
      try {
        const { entries } = await getJobHistory(id);
        if (request !== latest) {
          return;
        }
        showProblem(problem, null);
        replaceChildren(list, entries.map(historyEntry));
        list.dataset.entries = String(entries.length);
      } catch (e) {
        if (request === latest) {
          shownFor = null;
          showProblem(problem, e);
        }
      }
    },
  };
}

function historyEntry(entry) {
  const move = entry.from
    ? [stateBadge(entry.from), ' → ', stateBadge(entry.to)]
    : ['submitted ', stateBadge(entry.to)];
  const facts = [];
  if (entry.attempt > 0) {
    facts.push(`attempt ${entry.attempt}`);
  }
  if (entry.node) {
    facts.push(`on ${entry.node}`);
  }
  return el(
    'li',
    { 'data-to': entry.to },
    el('time', { datetime: entry.at }, time(entry.at)),
    ' ',
    move,
    facts.length ? el('span', { class: 'facts' }, ` · ${facts.join(' · ')}`) : '',
    entry.errorType
      ? el(
          'div',
          { class: 'history-error' },
          el('code', {}, entry.errorType),
          entry.errorMessage ? `: ${entry.errorMessage}` : '',
        )
      : '',
  );
}

const ACTIONS = [cancelAction, retryAction];

/** Runs a FAILED or CANCELLED job again under the same id. */
function retryAction(id, run) {
  const button = el('button', { type: 'button', id: 'retry-job', hidden: true }, 'Retry');
  button.addEventListener('click', () => {
    button.disabled = true;
    run(() => retryJob(id));
  });
  return {
    element: button,
    update(job) {
      button.hidden = !RETRIABLE.has(job.state);
      button.disabled = false;
    },
  };
}

/** Buttons for what may be done with the job now; each action shows itself when it applies. */
function actionsPart(id, refreshNow) {
  const problem = el('p', { class: 'problem', id: 'action-problem', role: 'alert', hidden: true });
  const run = async (action) => {
    showProblem(problem, null);
    try {
      await action();
    } catch (e) {
      showProblem(problem, e);
    }
    refreshNow();
  };
  const actions = ACTIONS.map((create) => create(id, run));
  return {
    element: el('div', { class: 'actions' }, actions.map((action) => action.element), problem),
    update(job) {
      actions.forEach((action) => action.update(job));
    },
  };
}

function cancelAction(id, run) {
  const button = el('button', { type: 'button', id: 'cancel-job', hidden: true }, 'Cancel');
  button.addEventListener('click', () => {
    button.disabled = true;
    run(() => cancelJob(id));
  });
  return {
    element: button,
    update(job) {
      button.hidden = TERMINAL.has(job.state);
      button.disabled = job.cancellationRequested;
    },
  };
}
