// The submit form: a registered report type and its parameters as key/value rows, posted to
// POST /reports/{type}. Choosing a type fills in its example parameters.

import { submitReport } from './api.js';
import { el, showProblem } from './dom.js';

export function initSubmitForm(form, types, onSubmitted) {
  const typeSelect = form.querySelector('#submit-type');
  const rows = form.querySelector('#submit-parameters');
  const problem = form.querySelector('#submit-problem');
  const button = form.querySelector('#submit-button');

  const addRow = (key = '', value = '') => {
    const row = el(
      'div',
      { class: 'parameter' },
      el('input', { name: 'key', placeholder: 'name', 'aria-label': 'parameter name' }),
      el('input', { name: 'value', placeholder: 'value', 'aria-label': 'parameter value' }),
      el('button', { type: 'button', title: 'Remove', onclick: () => row.remove() }, '×'),
    );
    row.querySelector('[name=key]').value = key;
    row.querySelector('[name=value]').value = value;
    rows.append(row);
  };
  const fillExamples = () => {
    rows.replaceChildren();
    const type = types.find((candidate) => candidate.name === typeSelect.value);
    Object.entries(type ? type.exampleParameters : {}).forEach(([key, value]) => addRow(key, value));
    if (!rows.children.length) {
      addRow();
    }
  };

  typeSelect.replaceChildren(...types.map((type) => el('option', { value: type.name }, type.name)));
  typeSelect.addEventListener('change', fillExamples);
  form.querySelector('#add-parameter').addEventListener('click', () => addRow());
  fillExamples();

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const parameters = {};
    for (const row of rows.querySelectorAll('.parameter')) {
      const key = row.querySelector('[name=key]').value.trim();
      if (key) {
        parameters[key] = row.querySelector('[name=value]').value;
      }
    }
    showProblem(problem, null);
    button.disabled = true;
    try {
      const submitted = await submitReport(typeSelect.value, parameters);
      onSubmitted(submitted.id);
    } catch (e) {
      showProblem(problem, e);
    } finally {
      button.disabled = false;
    }
  });
}
