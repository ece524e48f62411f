// Sign-in: the API key goes into sessionStorage only (gone when the tab closes). The key is checked with one call:
// the admin route answers 200 to the admin key and 403 to a tenant key; 401 means the key is unknown or revoked.
import { api, credentials, ApiError } from '../api.js';
import { h, errorBox } from '../dom.js';

export const name = 'signin';

export function render(container) {
  const input = h('input', { id: 'key', name: 'key', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true, placeholder: 'mfk_… or the admin key' });
  const status = h('div', { class: 'status' });
  const form = h('form', { class: 'signin', on: { submit: (e) => { e.preventDefault(); signIn(input.value.trim(), status); } } },
    h('h1', null, 'Sign in'),
    h('p', null, 'Give an API key: a tenant key shows that tenant\'s agents; the admin key shows the tenants and their keys. ',
      'The key stays in this tab\'s session storage and is sent only to this server, as the API\'s Authorization header.'),
    h('label', { for: 'key' }, 'API key'),
    input,
    h('button', { type: 'submit' }, 'Sign in'),
    status);
  container.append(form);
  input.focus();
}

async function signIn(key, status) {
  status.replaceChildren();
  if (!key) return;
  let role;
  try {
    await api('GET', '/v1/admin/tenants', undefined, key);
    role = 'admin';
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) role = 'tenant';
    else {
      status.append(errorBox(error instanceof ApiError && error.status === 401 ? new Error('The key is unknown or was revoked.') : error));
      return;
    }
  }
  credentials.save(key, role);
  location.hash = role === 'admin' ? '#/tenants' : '#/agents';
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}
