// One note: its fields, its history as versions with what changed, the turns it came from, and edit / delete / purge
// (each behind a confirmation), as the API allows (PUT, DELETE, DELETE ?purge=true).
import { api, agentPath, ApiError } from '../api.js';
import { h, link, formatTime, errorBox } from '../dom.js';
import { agentHref, go } from '../nav.js';
import { confirmAction } from '../confirm.js';
import { provenance, validity } from './notes.js';

export const name = 'note';
const KINDS = ['fact', 'preference', 'event', 'plan', 'relationship', 'profile'];
// What a version says (its status and end of validity are set later, when it is superseded or deleted).
const COMPARED = ['kind', 'text', 'subject', 'attribute', 'value', 'eventTime', 'validFrom', 'importance', 'entities'];

export async function render(container, { agent, segments }) {
  const id = segments[3];
  let note;
  let history;
  try {
    [note, history] = await Promise.all([
      api('GET', agentPath(agent, '/notes/' + encodeURIComponent(id))),
      api('GET', agentPath(agent, '/notes/' + encodeURIComponent(id) + '/history')),
    ]);
  } catch (error) {
    container.append(h('h1', null, 'Note'), errorBox(error));
    return;
  }
  const status = h('div', { class: 'status' });
  container.append(
    h('p', null, link(agentHref(agent, '/notes'), '← Notes')),
    h('h1', null, 'Note ', h('span', { class: 'mono' }, note.id)),
    fields(agent, note),
    actions(agent, note, status),
    status,
    h('h2', null, 'History'),
    versions(agent, history.versions));
}

function fields(agent, n) {
  const row = (label, ...value) => [h('dt', null, label), h('dd', null, ...value)];
  return h('dl', { class: 'fields' },
    row('Text', h('span', { class: 'note-text' }, n.text)),
    row('Kind', n.kind),
    row('Subject', n.subject),
    row('Attribute', n.attribute ? `${n.attribute} = ${n.value ?? ''}` : '—'),
    row('Valid', validity(n)),
    row('Event time', formatTime(n.eventTime)),
    row('Version', `v${n.version} (lineage ${n.lineageId})`),
    row('Status', n.status),
    row('Written', formatTime(n.createdAt)),
    row('Source', `${n.provenance.source} · trust ${n.provenance.trust} · extractor ${n.provenance.extractor} ${n.provenance.extractorVersion}`),
    row('From turns', provenance(agent, n)),
    row('Strength', `${n.strength.toFixed(2)} · recalled ${n.recallCount} times · importance ${n.importance}`));
}

function actions(agent, note, status) {
  const bar = h('div', { class: 'actions' });
  const path = agentPath(agent, '/notes/' + encodeURIComponent(note.id));
  const fail = (error) => status.replaceChildren(errorBox(error instanceof ApiError && error.status === 403 && error.problem && error.problem.requiredScope
    ? new Error(`This key lacks the '${error.problem.requiredScope}' scope. ${error.message}`) : error));
  if (note.status === 'active') {
    bar.append(h('button', { type: 'button', class: 'edit', on: { click: () => bar.after(editor(agent, note, status, fail)) } }, 'Edit'));
    bar.append(h('button', { type: 'button', class: 'delete', on: { click: async () => {
      if (!await confirmAction('Delete this note?', 'The note leaves retrieval; its versions stay in the history (marked deleted) until purged.', 'Delete')) return;
      try { const r = await api('DELETE', path); go(agentHref(agent, '/notes/' + encodeURIComponent(r.note.id))); } catch (error) { fail(error); }
    } } }, 'Delete'));
  }
  bar.append(h('button', { type: 'button', class: 'purge danger', on: { click: async () => {
    if (!await confirmAction('Purge this note for good?', 'Every version of the note is removed and cannot be brought back. This needs a key with the forget scope.', 'Purge')) return;
    try { await api('DELETE', path + '?purge=true'); go(agentHref(agent, '/notes')); } catch (error) { fail(error); }
  } } }, 'Purge'));
  return bar;
}

function editor(agent, note, status, fail) {
  const input = (name, value, attrs = {}) => h('input', { name, value: value ?? '', ...attrs });
  const kind = h('select', { name: 'kind' }, KINDS.map((k) => h('option', { value: k, selected: k === note.kind }, k)));
  const text = h('textarea', { name: 'text', rows: 3, required: true });
  text.value = note.text;
  const subject = input('subject', note.subject, { required: true });
  const attribute = input('attribute', note.attribute);
  const value = input('value', note.value);
  const form = h('form', { class: 'editor', on: { submit: async (e) => {
    e.preventDefault();
    if (!await confirmAction('Save a new version?', 'The current version is kept in the history as superseded.', 'Save')) return;
    const write = {
      kind: kind.value, text: text.value, subject: subject.value,
      attribute: attribute.value || null, value: value.value || null,
      eventTime: note.eventTime, validFrom: note.validFrom,
      sourceTurnIds: note.provenance.turnIds, entities: note.entities, importance: note.importance,
      source: note.provenance.source, trust: note.provenance.trust,
    };
    try {
      const result = await api('PUT', agentPath(agent, '/notes/' + encodeURIComponent(note.id)), write);
      go(agentHref(agent, '/notes/' + encodeURIComponent(result.note.id)));
    } catch (error) { fail(error); }
  } } },
  h('label', null, 'Kind ', kind), h('label', null, 'Text ', text), h('label', null, 'Subject ', subject),
  h('label', null, 'Attribute ', attribute), h('label', null, 'Value ', value),
  h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save'), h('button', { type: 'button', on: { click: () => form.remove() } }, 'Cancel')));
  status.replaceChildren();
  return form;
}

function versions(agent, list) {
  return h('ol', { class: 'versions' }, list.map((v, i) => {
    const previous = i > 0 ? list[i - 1] : null;
    const changes = previous ? COMPARED.filter((f) => JSON.stringify(v[f] ?? null) !== JSON.stringify(previous[f] ?? null)) : [];
    return h('li', { class: 'version status-' + v.status, 'data-version': v.version },
      h('div', { class: 'version-title' },
        link(agentHref(agent, '/notes/' + encodeURIComponent(v.id)), `v${v.version}`),
        ` · ${v.status} · written ${formatTime(v.createdAt)}`,
        v.supersedeReason ? ` · superseded (${v.supersedeReason})` : ''),
      h('div', { class: 'note-text' }, v.text),
      previous
        ? (changes.length
          ? h('ul', { class: 'changes' }, changes.map((f) => h('li', { 'data-field': f }, h('strong', null, f), ': ', h('del', null, show(previous[f])), ' → ', h('ins', null, show(v[f])))))
          : h('p', { class: 'muted small' }, 'No field changed.'))
        : h('p', { class: 'muted small' }, 'First version.'));
  }));
}

const show = (value) => (value === null || value === undefined || value === '' ? '∅' : String(value));
