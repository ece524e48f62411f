// The tenant's agents, a page at a time (GET /v1/agents?cursor=&limit=&prefix=), filtered by name prefix.
import { api, query } from '../api.js';
import { h, link, table, formatBytes, formatNumber, formatTime, errorBox } from '../dom.js';
import { agentHref, go } from '../nav.js';

export const name = 'agents';

export async function render(container, { params }) {
  const prefix = params.get('prefix') || '';
  const limit = Number(params.get('limit')) || 25;
  const cursor = params.get('cursor') || '';
  const back = params.getAll('back'); // the cursors of the pages before this one
  const filter = h('input', { type: 'search', name: 'prefix', value: prefix, placeholder: 'Name starts with…', 'aria-label': 'Filter by name prefix' });
  const size = h('select', { name: 'limit', 'aria-label': 'Page size' },
    [10, 25, 50, 100].map((n) => h('option', { value: n, selected: n === limit }, `${n} a page`)));
  const form = h('form', { class: 'toolbar', on: { submit: (e) => { e.preventDefault(); go('#/agents' + query({ prefix: filter.value.trim(), limit: size.value })); } } },
    filter, size, h('button', { type: 'submit' }, 'Filter'));
  container.append(h('h1', null, 'Agents'), form);
  const body = h('div', { class: 'agents' }, h('p', { class: 'muted' }, 'Loading…'));
  container.append(body);

  let page;
  try {
    page = await api('GET', '/v1/agents' + query({ prefix, limit, cursor }));
  } catch (error) {
    body.replaceChildren(errorBox(error));
    return;
  }
  const rows = page.agents.map((a) => h('tr', { 'data-agent': a.agent },
    h('td', null, link(agentHref(a.agent), a.agent)),
    h('td', { class: 'num' }, formatNumber(a.turns)),
    h('td', { class: 'num' }, formatNumber(a.episodes)),
    h('td', { class: 'num' }, formatNumber(a.notes)),
    h('td', { class: 'num' + (a.quarantined ? ' warn' : '') }, formatNumber(a.quarantined)),
    h('td', { class: 'num' }, formatBytes(a.dataBytes)),
    h('td', null, formatTime(a.lastActivity))));
  const pager = h('div', { class: 'pager' });
  if (back.length > 0) {
    const previous = back.slice(0, -1);
    pager.append(h('a', { href: '#/agents' + pageQuery(prefix, limit, back[back.length - 1], previous), class: 'button prev' }, '← Previous'));
  }
  if (page.nextCursor) {
    pager.append(h('a', { href: '#/agents' + pageQuery(prefix, limit, page.nextCursor, [...back, cursor]), class: 'button next' }, 'Next →'));
  }
  body.replaceChildren(
    rows.length === 0
      ? h('p', { class: 'muted empty' }, prefix ? `No agent's name starts with "${prefix}".` : 'This tenant has no agents yet.')
      : table(['Agent', 'Turns', 'Episodes', 'Notes', 'Quarantined', 'Data', 'Last activity'], rows, { class: 'list agents-table' }),
    pager);
}

function pageQuery(prefix, limit, cursor, back) {
  const q = new URLSearchParams();
  if (prefix) q.set('prefix', prefix);
  q.set('limit', String(limit));
  if (cursor) q.set('cursor', cursor);
  for (const b of back) q.append('back', b);
  return '?' + q.toString();
}
