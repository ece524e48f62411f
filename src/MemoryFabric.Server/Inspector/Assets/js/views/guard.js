// The guard of one agent: its quarantine with each item's reason and the evidence behind it, release and confirm
// (each behind a confirmation), its lessons, and the tenant's relation groups.
import { api, agentPath, ApiError } from '../api.js';
import { h, link, table, formatTime, errorBox } from '../dom.js';
import { turnHref, agentHref } from '../nav.js';
import { confirmAction } from '../confirm.js';

export const name = 'guard';

export async function render(container, { agent, rerender }) {
  const status = h('div', { class: 'status' });
  container.append(h('h1', null, 'Guard'), status);
  let quarantine;
  let lessons;
  let settings;
  try {
    [quarantine, lessons, settings] = await Promise.all([
      api('GET', agentPath(agent, '/quarantine')),
      api('GET', agentPath(agent, '/lessons')),
      api('GET', '/v1/guard'),
    ]);
  } catch (error) {
    container.append(errorBox(error));
    return;
  }
  const fail = (error) => status.replaceChildren(errorBox(error instanceof ApiError && error.status === 403 && error.problem && error.problem.requiredScope
    ? new Error(`This key lacks the '${error.problem.requiredScope}' scope. ${error.message}`) : error));
  const act = async (title, message, label, method, path) => {
    if (!await confirmAction(title, message, label)) return;
    try { await api(method, path); rerender(); } catch (error) { fail(error); }
  };

  container.append(h('p', null, `The guard is ${settings.enabled ? 'on' : 'off'} for this tenant.`), h('h2', null, 'Quarantine'));
  const rows = quarantine.items.map((q) => {
    const base = agentPath(agent, '/quarantine/' + encodeURIComponent(q.itemId));
    const buttons = h('td', { class: 'actions' });
    if (q.status !== 'released') {
      buttons.append(h('button', { type: 'button', class: 'release', on: { click: () => act('Release this item?',
        'It goes back into search, context and consolidation.', 'Release', 'POST', base + '/release') } }, 'Release'));
    }
    if (q.status === 'flagged') {
      buttons.append(h('button', { type: 'button', class: 'confirm-poison danger', on: { click: () => act('Confirm as poisoned?',
        'The item stays out for good, and a lesson is learnt from it that quarantines the same content written again.', 'Confirm and keep out', 'POST', base + '/confirm') } }, 'Confirm poisoned'));
    }
    return h('tr', { 'data-item-id': q.itemId, class: 'status-' + q.status },
      h('td', null, q.kind === 'turn' ? link(turnHref(agent, q.itemId), h('span', { class: 'mono' }, q.itemId)) : h('span', { class: 'mono' }, q.itemId), ' ', h('span', { class: 'chip' }, q.kind)),
      h('td', { class: 'item-text' }, q.text),
      h('td', { class: 'reason' }, h('div', null, q.reason), evidence(q)),
      h('td', null, h('span', { class: 'chip' }, q.detector)),
      h('td', { class: 'small' }, formatTime(q.detectedAt)),
      h('td', { class: 'q-status' }, q.status, q.lessonId ? h('div', { class: 'small mono' }, 'lesson ' + q.lessonId) : null),
      buttons);
  });
  container.append(rows.length
    ? table(['Item', 'Text', 'Reason and evidence', 'Detector', 'Flagged', 'Status', ''], rows, { class: 'list quarantine' })
    : h('p', { class: 'muted empty' }, 'Nothing is quarantined.'));

  container.append(h('h2', null, 'Lessons'));
  const lessonRows = lessons.lessons.map((l) => h('tr', { 'data-lesson-id': l.id, class: l.revoked ? 'revoked' : null },
    h('td', { class: 'mono' }, l.id),
    h('td', null, l.reason),
    h('td', { class: 'small' }, (l.triggerSignature || []).join(' ')),
    h('td', { class: 'mono small' }, l.sourceItemId || '—'),
    h('td', { class: 'small' }, formatTime(l.createdAt)),
    h('td', null, l.revoked ? 'revoked' : h('button', { type: 'button', class: 'revoke', on: { click: () => act('Revoke this lesson?',
      'It catches nothing any more; what it quarantined stays quarantined.', 'Revoke', 'DELETE', agentPath(agent, '/lessons/' + encodeURIComponent(l.id))) } }, 'Revoke'))));
  container.append(lessonRows.length
    ? table(['Lesson', 'Reason', 'Trigger', 'Learnt from', 'Learnt', ''], lessonRows, { class: 'list lessons' })
    : h('p', { class: 'muted empty' }, 'No lessons yet: confirming a quarantined item teaches one.'));

  container.append(h('h2', null, 'Relation groups'));
  container.append(settings.groups.length
    ? h('ul', { class: 'groups' }, settings.groups.map((g) => h('li', { 'data-group': g.name }, h('strong', null, g.name), ': ',
      g.members.map((m, i) => [i ? ', ' : '', m === agent ? h('em', null, m) : link(agentHref(m, '/guard'), m)]))))
    : h('p', { class: 'muted empty' }, 'No relation groups: agents of a group back or contradict each other\'s weak memories.'));
}

// The consensus evidence is in the reason's words: the contradicted claim, what backs the other value, the group.
function evidence(q) {
  if (q.detector !== 'consensus') return null;
  const backed = /backed by (\d+) trusted source/.exec(q.reason);
  const group = /including agent\(s\) (.+) of its relation group/.exec(q.reason);
  const parts = [];
  if (backed) parts.push(`${backed[1]} trusted source(s) back another value`);
  if (group) parts.push(`relation group agents: ${group[1]}`);
  return parts.length ? h('div', { class: 'evidence small' }, 'Evidence: ' + parts.join('; ')) : null;
}
