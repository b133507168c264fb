// Small DOM helpers. Text always goes in as text nodes, never as HTML.

/** el('a', {href: '#/'}, 'text', child) */
export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (name.startsWith('on')) {
      element.addEventListener(name.slice(2), value);
    } else {
      element.setAttribute(name, value === true ? '' : value);
    }
  }
  append(element, ...children);
  return element;
}

export function append(parent, ...children) {
  for (const child of children.flat()) {
    if (child !== undefined && child !== null && child !== false) {
      parent.append(child instanceof Node ? child : String(child));
    }
  }
}

export function replaceChildren(parent, ...children) {
  parent.replaceChildren();
  append(parent, ...children);
}

/** Shows an error's message in `element`, or hides it for null. */
export function showProblem(element, error) {
  if (error) {
    element.textContent = error.message;
    element.hidden = false;
  } else {
    element.textContent = '';
    element.hidden = true;
  }
}

/** An ISO-8601 instant in the reader's time zone, or a dash. */
export function time(iso) {
  return iso ? new Date(iso).toLocaleString() : '–';
}

/** Like time(), but only the time of day for today's instants; the whole one is in its title. */
export function shortTime(iso) {
  if (!iso) {
    return '–';
  }
  const date = new Date(iso);
  const today = date.toDateString() === new Date().toDateString();
  return el('time', { datetime: iso, title: date.toLocaleString() },
    today ? date.toLocaleTimeString() : date.toLocaleString());
}

export function stateBadge(state) {
  return el('span', { class: `state state-${state}`, 'data-state': state }, state);
}
