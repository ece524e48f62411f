// The shell: sign-in state, navigation and the hash router ('#/agents/tom/timeline?turn=t1'). Each view is a module
// with render(container, route); a view writes only into the container it was given, so a slow answer for a view the
// user already left lands in a detached element.
import { credentials } from './api.js';
import { h } from './dom.js';
import * as sampler from './metrics-sampler.js';

// Each view's module is loaded when first shown, so opening one view loads only what it needs.
const views = {
  signin: () => import('./views/signin.js'),
  agents: () => import('./views/agents.js'),
  agent: () => import('./views/agent.js'),
  timeline: () => import('./views/timeline.js'),
  notes: () => import('./views/notes.js'),
  note: () => import('./views/note.js'),
  search: () => import('./views/search.js'),
  guard: () => import('./views/guard.js'),
  metrics: () => import('./views/metrics.js'),
  tenants: () => import('./views/tenants.js'),
};

/** Parses location.hash into path segments and query parameters. */
export function currentRoute() {
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path, q] = hash.split('?');
  const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { segments, params: new URLSearchParams(q || '') };
}

function pick({ segments }) {
  if (!credentials.key) return ['signin', null];
  const [first, name, section, id] = segments;
  if (first === 'metrics') return ['metrics', null];
  if (credentials.role === 'admin') return ['tenants', null];
  if (first === 'agents' && name) {
    switch (section) {
      case 'timeline': return ['timeline', name];
      case 'notes': return [id ? 'note' : 'notes', name];
      case 'search': return ['search', name];
      case 'guard': return ['guard', name];
      default: return ['agent', name];
    }
  }
  return ['agents', null];
}

function navigation(agentName, section) {
  const nav = document.getElementById('nav');
  const who = document.getElementById('who');
  nav.replaceChildren();
  who.replaceChildren();
  if (!credentials.key) return;
  const items = credentials.role === 'admin'
    ? [['#/tenants', 'Tenants', 'tenants']]
    : [['#/agents', 'Agents', 'agents']];
  items.push(['#/metrics', 'Server', 'metrics']);
  for (const [href, text, key] of items) {
    nav.append(h('a', { href, class: section === key ? 'current' : null }, text));
  }
  if (agentName) {
    const base = '#/agents/' + encodeURIComponent(agentName);
    const tabs = h('span', { class: 'tabs' }, h('span', { class: 'agent-name' }, agentName));
    for (const [suffix, text] of [['', 'Overview'], ['/timeline', 'Timeline'], ['/notes', 'Notes'], ['/search', 'Search'], ['/guard', 'Guard']]) {
      const key = suffix.slice(1) || 'overview';
      tabs.append(h('a', { href: base + suffix, class: section === key ? 'current' : null }, text));
    }
    nav.append(tabs);
  }
  who.append(
    h('span', { class: 'role' }, credentials.role === 'admin' ? 'admin key' : 'tenant key'),
    h('button', { type: 'button', class: 'link', on: { click: signOut } }, 'Sign out'));
}

function signOut() {
  credentials.clear();
  sampler.stop();
  location.hash = '#/';
  render();
}

export function render() {
  const route = currentRoute();
  const [view, agentName] = pick(route);
  const section = agentName ? (route.segments[2] || 'overview') : (route.segments[0] || (credentials.role === 'admin' ? 'tenants' : 'agents'));
  navigation(agentName, section);
  const main = document.getElementById('main');
  const container = h('div', { class: 'view', 'data-view': view });
  main.replaceChildren(container);
  if (credentials.key) sampler.start();
  views[view]()
    .then((module) => module.render(container, { ...route, agent: agentName, rerender: render }))
    .catch((error) => container.append(h('p', { class: 'error', role: 'alert' }, String(error && error.message ? error.message : error))));
}

window.addEventListener('hashchange', render);
render();
