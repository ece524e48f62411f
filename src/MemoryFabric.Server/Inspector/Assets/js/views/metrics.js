// The server's own metrics over the last hour, sampled from /metrics by this page while it is signed in (the samples
// live in this tab's session storage): search latency and quarantine rate.
import { h } from '../dom.js';
import { chart } from '../plot.js';
import * as sampler from '../metrics-sampler.js';

export const name = 'metrics';

export function render(container) {
  const plots = h('div', { class: 'plots' });
  container.append(h('h1', null, 'Server'),
    h('p', { class: 'muted' }, 'From the server\'s /metrics, sampled every 10 s by this page since sign-in (the last hour is kept): ',
      'mean latency of the search and context requests in each interval, and items the guard quarantined per minute.'),
    plots);
  const draw = (points) => {
    if (!container.isConnected) { unsubscribe(); return; }
    const { latency, quarantine } = sampler.rates(points);
    plots.replaceChildren(
      chart({ title: 'Search latency (search and context requests)', yLabel: 'ms', series: [{ name: 'mean latency', cls: 's-latency', kind: 'line', points: latency }], empty: 'No search or context request between samples yet.' }),
      chart({ title: 'Quarantine rate', yLabel: 'items/min', series: [{ name: 'quarantined', cls: 's-quarantine', kind: 'line', points: quarantine }], empty: 'Needs two samples (10 s).' }),
      h('p', { class: 'muted small samples' }, `${points.length} samples`));
  };
  const unsubscribe = sampler.subscribe(draw);
  draw(sampler.samples());
  sampler.sample();
}
