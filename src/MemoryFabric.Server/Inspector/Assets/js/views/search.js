// The search playground: a query and a token budget in (POST /context with "explain": true), the packed context out,
// each item with its score, the signals that found it, its tokens, and the items just below the cut; and the same
// request as curl and as the .NET SDK would send it, to copy.
import { api, agentPath, root } from '../api.js';
import { h, link, table, errorBox } from '../dom.js';
import { turnHref, agentHref } from '../nav.js';

export const name = 'search';

export function render(container, { agent, params }) {
  const q = h('input', { name: 'query', type: 'search', required: true, value: params.get('q') || '', placeholder: 'What does the agent remember about…', 'aria-label': 'Query' });
  const budget = h('input', { name: 'budget', type: 'number', min: 1, max: 1000000, value: params.get('budget') || 300, 'aria-label': 'Token budget' });
  const verbatim = h('input', { name: 'verbatim', type: 'checkbox' });
  const out = h('div', { class: 'results' });
  const form = h('form', { class: 'toolbar playground', on: { submit: (e) => { e.preventDefault(); run(agent, q.value.trim(), Number(budget.value), verbatim.checked, out); } } },
    q, h('label', null, 'Budget ', budget, ' tokens'),
    h('label', { title: 'Return the whole history instead when it fits the budget (the API default)' }, verbatim, ' verbatim when it fits'),
    h('button', { type: 'submit' }, 'Build context'));
  container.append(h('h1', null, 'Search playground'), form, out);
  if (q.value) run(agent, q.value, Number(budget.value), false, out);
}

async function run(agent, query, tokenBudget, preferVerbatim, out) {
  if (!query) return;
  const body = { query, tokenBudget, preferVerbatimWhenItFits: preferVerbatim, explain: true };
  out.replaceChildren(request(agent, body), h('p', { class: 'muted' }, 'Building…'));
  let context;
  const started = performance.now();
  try {
    context = await api('POST', agentPath(agent, '/context'), body);
  } catch (error) {
    out.replaceChildren(request(agent, body), errorBox(error));
    return;
  }
  const ms = performance.now() - started;
  const x = context.explanation;
  out.replaceChildren(
    h('p', { class: 'summary-line' },
      h('strong', { class: 'mode' }, context.mode), ` · ${context.tokens} of ${tokenBudget} tokens · ${context.items.length} items · ${x.candidates} candidates · ${ms.toFixed(0)} ms`),
    h('h2', null, 'Packed context'),
    itemsTable(agent, x.items, false),
    h('h2', null, 'Just below the cut'),
    x.belowCut.length ? itemsTable(agent, x.belowCut, true) : h('p', { class: 'muted empty' }, context.mode === 'verbatim' ? 'Nothing: the whole history fit the budget.' : 'Nothing: every candidate was packed.'),
    h('h2', null, 'Rendered text, as the agent reads it'),
    h('pre', { class: 'context-text' }, context.text),
    request(agent, body));
}

function itemsTable(agent, items, below) {
  const rows = items.map((i) => h('tr', { 'data-item-id': i.id, class: 'kind-' + i.kind },
    h('td', { class: 'num' }, String(i.rank)),
    h('td', null, h('span', { class: 'chip' }, i.kind)),
    h('td', { class: 'item-text' }, i.text),
    h('td', { class: 'num score' }, i.score.toFixed(4)),
    h('td', { class: 'signals' }, i.signals.length ? i.signals.map((s) => h('span', { class: 'chip signal-' + s }, s)) : h('span', { class: 'muted' }, '—')),
    h('td', { class: 'small' }, detail(i)),
    h('td', { class: 'num tokens' }, String(i.tokens)),
    below ? h('td', { class: 'left-out' }, i.leftOut) : null,
    h('td', null, source(agent, i))));
  const columns = ['#', 'Kind', 'Text', 'Score', 'Signals', 'Ranks', 'Tokens'];
  if (below) columns.push('Left out');
  columns.push('Open');
  return table(columns, rows, { class: 'list explain ' + (below ? 'below-cut' : 'packed') });
}

function detail(i) {
  const parts = [];
  if (i.lexicalRank) parts.push(`lexical #${i.lexicalRank}`);
  if (i.denseRank) parts.push(`dense #${i.denseRank}`);
  if (i.expansion > 0) parts.push(`expansion +${i.expansion.toFixed(4)}`);
  if (i.consensus) parts.push(`consensus: ${i.consensus}`);
  return parts.join(' · ') || '—';
}

function source(agent, i) {
  if (i.kind === 'turn') return link(turnHref(agent, i.id), 'turn');
  if (i.kind === 'note') return link(agentHref(agent, '/notes/' + encodeURIComponent(i.id)), 'note');
  return h('span', { class: 'muted' }, 'episode');
}

// The request as curl and as the .NET SDK sends it (the key is left as $KEY).
function request(agent, body) {
  const url = location.origin + root + agentPath(agent, '/context');
  const json = JSON.stringify(body);
  const curl = `curl -s -X POST '${url}' -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -d '${json.replaceAll("'", "'\\''")}'`;
  const csharp = `var context = await memory.GetContextAsync(${JSON.stringify(agent)}, new ContextRequest\n{\n    Query = ${JSON.stringify(body.query)},\n    TokenBudget = ${body.tokenBudget},\n    PreferVerbatimWhenItFits = ${body.preferVerbatimWhenItFits},\n    Explain = true,\n});`;
  const block = (title, text, cls) => {
    const pre = h('pre', { class: 'copyable ' + cls }, text);
    return h('div', { class: 'request-block' }, h('div', { class: 'request-title' }, title,
      h('button', { type: 'button', class: 'link copy', on: { click: () => copy(text, pre) } }, 'Copy')), pre);
  };
  return h('details', { class: 'request', open: true }, h('summary', null, 'The request'),
    block('HTTP', `POST ${root}${agentPath(agent, '/context')}\nContent-Type: application/json\n\n${JSON.stringify(body, null, 2)}`, 'http'),
    block('curl', curl, 'curl'),
    block('.NET SDK (MemoryFabric.Client)', csharp, 'csharp'));
}

async function copy(text, pre) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const range = document.createRange();
    range.selectNodeContents(pre);
    const selection = getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
}
