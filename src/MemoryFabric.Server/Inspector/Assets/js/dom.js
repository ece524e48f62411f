// Builds the page with DOM APIs only. Every string becomes a text node (memory text is attacker-controlled, so no
// markup is ever parsed from data); event-handler attributes and non-fragment links are refused outright.
const SVG = 'http://www.w3.org/2000/svg';

function setAttributes(el, attrs) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'on') {
      for (const [event, handler] of Object.entries(value)) el.addEventListener(event, handler);
    } else if (name.toLowerCase().startsWith('on')) {
      throw new Error('event handler attributes are not used: ' + name);
    } else if (name === 'href' && !String(value).startsWith('#')) {
      throw new Error('links stay inside the page: ' + value);
    } else if (name === 'style') {
      throw new Error('inline styles are forbidden by the page policy');
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** An HTML element: h('td', { class: 'num' }, 'text', otherNode). */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttributes(el, attrs);
  return append(el, children);
}

/** An SVG element. */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  setAttributes(el, attrs);
  return append(el, children);
}

/** A link inside the page ('#/...'). */
export const link = (href, ...children) => h('a', { href }, ...children);

export function formatTime(value) {
  if (!value) return '—';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? String(value) : d.toISOString().replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');
}

export function formatBytes(n) {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return (i === 0 ? String(v) : v.toFixed(1)) + ' ' + units[i];
}

export const formatNumber = (n) => (n === null || n === undefined ? '—' : Number(n).toLocaleString('en-US'));

/** A table from column titles and rows of cells (nodes or text). */
export function table(columns, rows, attrs) {
  return h('table', attrs,
    h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', null, rows));
}

/** An error box for an ApiError or any Error. */
export function errorBox(error) {
  const status = error && error.status ? `HTTP ${error.status}: ` : '';
  return h('p', { class: 'error', role: 'alert' }, status + (error && error.message ? error.message : String(error)));
}
