// The JSON API of the report server. Every failure becomes an ApiError whose message is the
// problem's `detail` (RFC 9457), the text meant for the user.

export class ApiError extends Error {
  constructor(status, title, detail) {
    super(detail || title || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.title = title;
  }
}

async function call(method, path, body) {
  const init = { method, headers: { Accept: 'application/json, application/problem+json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, 'Network error', `The server did not answer: ${e.message}`);
  }
  if (response.ok) {
    return response.json();
  }
  const type = response.headers.get('Content-Type') || '';
  if (type.startsWith('application/problem+json')) {
    const problem = await response.json();
    throw new ApiError(problem.status || response.status, problem.title, problem.detail);
  }
  throw new ApiError(response.status, response.statusText, `HTTP ${response.status} ${response.statusText}`);
}

/** {types: [{name, exampleParameters}]} */
export function reportTypes() {
  return call('GET', '/report-types');
}

/** filter: {state, type, after, limit}; empty values are left out. Answers {after, limit, next, jobs}. */
export function listJobs(filter) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) {
    if (value) {
      query.set(key, value);
    }
  }
  return call('GET', `/reports?${query}`);
}

export function getJob(id) {
  return call('GET', `/reports/${encodeURIComponent(id)}`);
}

/** The latest error with its stack trace: {type, message, stackTrace}. */
export function getJobError(id) {
  return call('GET', `/reports/${encodeURIComponent(id)}/error`);
}

/** Answers {id, state}. */
export function submitReport(type, parameters) {
  return call('POST', `/reports/${encodeURIComponent(type)}`, parameters);
}

/** Every transition, oldest first: {entries: [{from, to, at, attempt, node, errorType, errorMessage}]}. */
export function getJobHistory(id) {
  return call('GET', `/reports/${encodeURIComponent(id)}/history`);
}

/** An operator's retry of a FAILED or CANCELLED job; answers {id, state}. */
export function retryJob(id) {
  return call('POST', `/reports/${encodeURIComponent(id)}/retry`);
}

/** Per type of the whole store: {readAt, due, lagSeconds, types: [{type, counts, due, lagSeconds}]}. */
export function getStatistics() {
  return call('GET', '/stats');
}

/** The chart's samples, oldest first: {samples: [{at, finishedPerMinute, due, lagSeconds}]}. */
export function getActivity() {
  return call('GET', '/stats/activity');
}

/** Answers {id, state, outcome}. */
export function cancelJob(id) {
  return call('DELETE', `/reports/${encodeURIComponent(id)}`);
}
