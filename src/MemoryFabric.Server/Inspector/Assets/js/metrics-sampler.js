// Samples the server's own /metrics while the page is signed in (every 10 s) and keeps the last hour of samples in
// sessionStorage, so the server plots survive a reload: search latency from ASP.NET Core's request histogram on the
// search and context routes, and items quarantined by the guard. The server keeps no history; the page does.
import { metricsText } from './api.js';

const STORE = 'memoryfabric.metrics';
const PERIOD_MS = 10_000;
const KEEP_MS = 60 * 60 * 1000;
const ROUTES = ['/v1/agents/{agent}/search', '/v1/agents/{agent}/context'];
let timer = null;
const listeners = new Set();

/** The samples, oldest first: { t, searches, searchSeconds, quarantined }. */
export function samples() {
  try { return JSON.parse(sessionStorage.getItem(STORE) || '[]'); } catch { return []; }
}

/** Calls back after each new sample; returns the unsubscribe function. */
export function subscribe(callback) {
  listeners.add(callback);
  return () => listeners.delete(callback);
}

export function start() {
  if (timer !== null) return;
  timer = setInterval(sample, PERIOD_MS);
  sample();
}

export function stop() {
  if (timer !== null) clearInterval(timer);
  timer = null;
  sessionStorage.removeItem(STORE);
}

/** Takes one sample now. */
export async function sample() {
  let text;
  try { text = await metricsText(); } catch { return; }
  const point = { t: Date.now(), ...read(text) };
  const kept = samples().filter((p) => p.t >= point.t - KEEP_MS);
  kept.push(point);
  sessionStorage.setItem(STORE, JSON.stringify(kept));
  for (const callback of listeners) callback(kept);
}

/** Sums the series the plots need from the Prometheus text format. */
export function read(text) {
  let searches = 0;
  let searchSeconds = 0;
  let quarantined = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const [, name, , labels = '', value] = match;
    const v = Number(value);
    if (!Number.isFinite(v)) continue;
    if (name === 'memoryfabric_guard_quarantined_total') quarantined += v;
    else if (name.startsWith('http_server_request_duration_seconds_') && ROUTES.some((r) => labels.includes(`http_route="${r}"`))) {
      if (name.endsWith('_count')) searches += v;
      else if (name.endsWith('_sum')) searchSeconds += v;
    }
  }
  return { searches, searchSeconds, quarantined };
}

/** Per interval between samples: mean search latency (ms) where searches ran, and quarantined items per minute. */
export function rates(points) {
  const latency = [];
  const quarantine = [];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1];
    const b = points[i];
    const minutes = (b.t - a.t) / 60000;
    const n = b.searches - a.searches;
    if (n > 0) latency.push({ x: b.t, y: ((b.searchSeconds - a.searchSeconds) / n) * 1000 });
    if (minutes > 0 && b.quarantined >= a.quarantined) quarantine.push({ x: b.t, y: (b.quarantined - a.quarantined) / minutes });
  }
  return { latency, quarantine };
}
