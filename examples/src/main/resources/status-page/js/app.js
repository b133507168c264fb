// The status page: a hash router over two views, the jobs list (#/?state=..) and one job
// (#/jobs/{id}), beside the submit form. Each view is a module that renders into <main>, keeps
// itself up to date by polling the JSON API, and stops when another view replaces it. A new view
// is a module with a show...(container, ...) function answering {stop()}, and a route in `route`.
//
//   api.js          the JSON API; failures carry the problem's detail
//   jobs-list.js    filters, one keyset page, First/Next page
//   job-detail.js   state, progress, error, result, actions
//   submit-form.js  the form
//   poller.js, dom.js

import { reportTypes } from './api.js';
import { el, replaceChildren } from './dom.js';
import { filterFrom, showJobList } from './jobs-list.js';
import { showJobDetail } from './job-detail.js';
import { initSubmitForm } from './submit-form.js';

const container = document.getElementById('view');
let current = null;
let types = [];

function route() {
  if (current) {
    current.stop();
  }
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path, query = ''] = hash.split('?');
  const job = path.match(/^\/jobs\/([^/]+)$/);
  if (job) {
    current = showJobDetail(container, decodeURIComponent(job[1]));
  } else {
    current = showJobList(container, filterFrom(new URLSearchParams(query)), {
      reportTypes: types.map((type) => type.name),
    });
  }
}

async function start() {
  try {
    types = (await reportTypes()).types;
  } catch (e) {
    replaceChildren(container, el('p', { class: 'problem', role: 'alert' }, e.message));
    return;
  }
  initSubmitForm(document.getElementById('submit-form'), types, (id) => {
    location.hash = `#/jobs/${id}`;
  });
  window.addEventListener('hashchange', route);
  route();
  document.body.dataset.ready = 'true';
}

start();
