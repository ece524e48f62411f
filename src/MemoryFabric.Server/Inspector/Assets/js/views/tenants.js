// The admin key's view: the tenants and each tenant's keys, without secrets (the API never returns them again).
import { api } from '../api.js';
import { h, link, table, formatTime, errorBox } from '../dom.js';

export const name = 'tenants';

export async function render(container, { segments }) {
  const tenant = segments[0] === 'tenants' ? segments[1] : undefined;
  if (tenant) return keys(container, tenant);
  container.append(h('h1', null, 'Tenants'));
  let list;
  try {
    list = (await api('GET', '/v1/admin/tenants')).tenants;
  } catch (error) {
    container.append(errorBox(error));
    return;
  }
  const rows = list.map((t) => h('tr', { 'data-tenant': t.id },
    h('td', null, link('#/tenants/' + encodeURIComponent(t.id), t.id)), h('td', null, t.name || '—'), h('td', null, formatTime(t.createdAt))));
  container.append(rows.length ? table(['Tenant', 'Name', 'Created'], rows, { class: 'list tenants' }) : h('p', { class: 'muted empty' }, 'No tenants yet.'),
    h('p', { class: 'muted small' }, 'The admin key manages tenants and keys; open the agents with one of the tenant\'s keys.'));
}

async function keys(container, tenant) {
  container.append(h('p', null, link('#/tenants', '← Tenants')), h('h1', null, 'Keys of ', tenant));
  let list;
  try {
    list = (await api('GET', '/v1/admin/tenants/' + encodeURIComponent(tenant) + '/keys')).keys;
  } catch (error) {
    container.append(errorBox(error));
    return;
  }
  const rows = list.map((k) => h('tr', { 'data-key': k.id },
    h('td', { class: 'mono' }, k.id), h('td', null, k.name || '—'), h('td', null, (k.scopes || []).join(', ')),
    h('td', null, k.trust === null || k.trust === undefined ? 'no cap' : String(k.trust)), h('td', null, formatTime(k.createdAt))));
  container.append(rows.length ? table(['Key', 'Name', 'Scopes', 'Trust cap', 'Created'], rows, { class: 'list keys' }) : h('p', { class: 'muted empty' }, 'No keys.'),
    h('p', { class: 'muted small' }, 'Secrets are shown once, when a key is created; they are stored as hashes only.'));
}
