// The public /v1 API, with the key kept in sessionStorage (never in a URL or a cookie) and sent as the API's usual
// 'Authorization: Bearer' header. Paths are resolved against the server's root, wherever /ui is mounted.
const KEY = 'memoryfabric.key';
const ROLE = 'memoryfabric.role';
export const root = location.pathname.replace(/\/ui(\/.*)?$/, '');

export const credentials = {
  get key() { return sessionStorage.getItem(KEY); },
  get role() { return sessionStorage.getItem(ROLE); },
  save(key, role) { sessionStorage.setItem(KEY, key); sessionStorage.setItem(ROLE, role); },
  clear() { sessionStorage.removeItem(KEY); sessionStorage.removeItem(ROLE); },
};

/** An answer other than 2xx: its status and problem+json body. */
export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/** Calls the API; resolves to the parsed JSON body (null for 204), rejects with ApiError. */
export async function api(method, path, body, key = credentials.key) {
  const headers = { Accept: 'application/json' };
  if (key) headers.Authorization = 'Bearer ' + key;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(root + path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer',
  });
  const text = response.status === 204 ? '' : await response.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = { detail: text }; }
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

/** '?a=1&b=2', leaving out empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') q.set(name, String(value));
  }
  const s = q.toString();
  return s ? '?' + s : '';
}

/** '/v1/agents/{agent}{rest}'. */
export const agentPath = (agent, rest = '') => '/v1/agents/' + encodeURIComponent(agent) + rest;

/** The text of the Prometheus exposition at /metrics (no key needed). */
export async function metricsText() {
  const response = await fetch(root + '/metrics', { cache: 'no-store', credentials: 'omit', headers: { Accept: 'text/plain' } });
  if (!response.ok) throw new ApiError(response.status, null);
  return response.text();
}
