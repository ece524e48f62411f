// An agent's notes: kind, text, validity, version, status and the turns each came from (GET /notes).
import { api, agentPath, query } from '../api.js';
import { h, link, table, formatTime, errorBox } from '../dom.js';
import { agentHref, turnHref } from '../nav.js';

export const name = 'notes';

export async function render(container, { agent, params }) {
  const all = params.get('all') === '1';
  container.append(h('h1', null, 'Notes'),
    h('p', { class: 'toolbar' }, all
      ? link(agentHref(agent, '/notes'), 'Show active notes only')
      : link(agentHref(agent, '/notes?all=1'), 'Show every version (superseded, deleted)')));
  let notes;
  try {
    notes = (await api('GET', agentPath(agent, '/notes' + query({ includeInactive: all ? 'true' : '' })))).notes;
  } catch (error) {
    container.append(errorBox(error));
    return;
  }
  if (notes.length === 0) {
    container.append(h('p', { class: 'muted empty' }, 'No notes yet: consolidation distils them from the turns, or write one through the API.'));
    return;
  }
  const rows = notes.map((n) => h('tr', { 'data-note-id': n.id, class: 'status-' + n.status },
    h('td', null, h('span', { class: 'chip' }, n.kind)),
    h('td', { class: 'note-text' }, link(agentHref(agent, '/notes/' + encodeURIComponent(n.id)), n.text)),
    h('td', null, n.subject),
    h('td', { class: 'small' }, validity(n)),
    h('td', { class: 'num' }, 'v' + n.version),
    h('td', null, n.status),
    h('td', { class: 'provenance' }, provenance(agent, n))));
  container.append(table(['Kind', 'Text', 'Subject', 'Valid', 'Version', 'Status', 'From turns'], rows, { class: 'list notes-table' }));
}

export const validity = (n) => `${formatTime(n.validFrom)} → ${n.validTo ? formatTime(n.validTo) : 'now'}`;

/** Links to the turns a note came from, each opening the turn in its episode. */
export function provenance(agent, note) {
  const ids = note.provenance.turnIds;
  if (ids.length === 0) return h('span', { class: 'muted' }, note.provenance.extractor === 'api' ? 'written through the API' : '—');
  return ids.map((id) => link(turnHref(agent, id), h('span', { class: 'mono' }, id)));
}
