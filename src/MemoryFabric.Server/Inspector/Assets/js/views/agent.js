// One agent's overview: its counts and its turns and notes over time (GET /v1/agents/{agent}/activity).
import { api, agentPath, query } from '../api.js';
import { h, link, formatNumber, errorBox } from '../dom.js';
import { agentHref } from '../nav.js';
import { chart } from '../plot.js';

export const name = 'agent';

export async function render(container, { agent }) {
  container.append(h('h1', null, agent));
  let summary;
  let activity;
  try {
    [summary, activity] = await Promise.all([
      api('GET', agentPath(agent)),
      api('GET', agentPath(agent, '/activity' + query({ buckets: 40 }))),
    ]);
  } catch (error) {
    container.append(errorBox(error));
    return;
  }
  const stat = (label, value, href) => h('div', { class: 'stat' }, h('span', { class: 'value' }, formatNumber(value)), href ? link(href, label) : h('span', null, label));
  container.append(h('div', { class: 'stats' },
    stat('turns', summary.turns, agentHref(agent, '/timeline')),
    stat('episodes', summary.episodes, agentHref(agent, '/timeline')),
    stat('notes', summary.notes, agentHref(agent, '/notes')),
    stat('waiting for embedding', summary.pendingEmbeddings)));
  const buckets = activity.buckets.map((b) => ({ x: Date.parse(b.start), x2: Date.parse(b.end), turns: b.turns, notes: b.notes }));
  container.append(chart({
    title: 'Turns and notes over time',
    yLabel: 'items',
    series: [
      { name: 'turns', cls: 's-turns', kind: 'bar', points: buckets.map((b) => ({ x: b.x, x2: b.x2, y: b.turns })) },
      { name: 'notes', cls: 's-notes', kind: 'line', points: buckets.map((b) => ({ x: (b.x + b.x2) / 2, y: b.notes })) },
    ],
    empty: 'The agent holds nothing yet.',
  }));
}
