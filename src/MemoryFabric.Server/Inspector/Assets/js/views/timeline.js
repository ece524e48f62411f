// One agent's timeline: sessions → episodes → turns. Turns come a page at a time (GET /turns?session=&cursor=&limit=),
// the next page when the end of the list scrolls into view, so a 10,000-turn agent paints its first page at once.
// With ?turn=ID the page opens on that turn's episode (GET /turns/{id}, GET /episodes?turn=) and highlights the turn.
import { api, agentPath, query } from '../api.js';
import { h, link, formatNumber, formatTime, errorBox } from '../dom.js';
import { agentHref } from '../nav.js';

export const name = 'timeline';
const PAGE = 100;
const EPISODE_PAGE = 50; // episodes are loaded as far as the turns shown, no further

export async function render(container, { agent, params }) {
  const turnId = params.get('turn');
  let session = params.get('session');
  let start = params.get('from');
  const aside = h('aside', { class: 'sessions', 'aria-label': 'Sessions' }, h('h2', null, 'Sessions'));
  const main = h('section', { class: 'timeline', 'aria-label': 'Turns' });
  container.append(h('h1', null, 'Timeline'), h('div', { class: 'split' }, aside, main));

  let episode = null;
  try {
    if (turnId) {
      const [turn, holder] = await Promise.all([
        api('GET', agentPath(agent, '/turns/' + encodeURIComponent(turnId))),
        api('GET', agentPath(agent, '/episodes' + query({ turn: turnId }))),
      ]);
      session = turn.sessionId;
      episode = holder.episodes[0] || null;
      start = episode ? episode.turnIds[0] : turn.id;
    }
  } catch (error) {
    main.append(errorBox(error));
    return;
  }

  // The sessions list loads beside the first page of turns; without a session asked for, the first one is shown.
  const sessions = api('GET', agentPath(agent, '/sessions' + query({ limit: 100 })));
  if (!session) {
    try {
      const page = await sessions;
      session = page.sessions.length ? page.sessions[0].id : null;
    } catch (error) {
      aside.append(errorBox(error));
      main.append(errorBox(error));
      return;
    }
  }
  const current = session;
  sessions.then((page) => listSessions(aside, agent, page, current), (error) => aside.append(errorBox(error)));
  if (!session) {
    main.append(h('p', { class: 'muted empty' }, 'The agent has no turns yet.'));
    return;
  }

  const state = { agent, session, cursor: start, more: true, loading: null, episodes: new Map(), episodeCursor: null, episodesDone: false, episodesEnd: null, lastEpisode: undefined };
  main.append(h('h2', { class: 'session-title' }, 'Session ', h('span', { class: 'mono' }, session)));
  if (start) main.append(h('p', null, link(agentHref(agent, '/timeline' + query({ session })), '↑ From the start of the session')));
  const list = h('ol', { class: 'turns' });
  const more = h('button', { type: 'button', class: 'more', on: { click: () => next(state, list, more) } }, 'Load more turns');
  main.append(list, more);
  await next(state, list, more);
  requestAnimationFrame(() => performance.mark('memoryfabric:timeline-first-page')); // the first page is painted

  if (turnId) {
    const row = [...list.querySelectorAll('li.turn')].find((li) => li.dataset.turnId === turnId);
    if (row) {
      row.classList.add('highlight');
      row.setAttribute('aria-current', 'true');
      if (episode) {
        for (const li of list.querySelectorAll('li')) {
          if (li.dataset.episodeId === episode.id) li.classList.add('in-episode');
        }
      }
      row.scrollIntoView({ block: 'center' });
    }
  }

  // The next page when the button comes into view.
  const observer = new IntersectionObserver((entries) => {
    if (!container.isConnected) { observer.disconnect(); return; }
    if (entries.some((e) => e.isIntersecting)) next(state, list, more);
  }, { rootMargin: '400px' });
  observer.observe(more);
}

function listSessions(aside, agent, page, current) {
  const list = h('ul', { class: 'session-list' });
  const add = (sessions) => {
    for (const s of sessions) {
      list.append(h('li', { class: s.id === current ? 'current' : null, 'data-session': s.id },
        link(agentHref(agent, '/timeline' + query({ session: s.id })), h('span', { class: 'mono' }, s.id)),
        h('span', { class: 'muted small' }, `${formatNumber(s.turns)} turns · ${formatNumber(s.episodes)} episodes`),
        h('span', { class: 'muted small' }, formatTime(s.start))));
    }
  };
  add(page.sessions);
  aside.append(list);
  let cursor = page.nextCursor;
  if (cursor) {
    const button = h('button', { type: 'button', class: 'link', on: { click: async () => {
      const nextPage = await api('GET', agentPath(agent, '/sessions' + query({ limit: 100, cursor })));
      add(nextPage.sessions);
      cursor = nextPage.nextCursor;
      if (!cursor) button.remove();
    } } }, 'More sessions');
    aside.append(button);
  }
}

// Loads and shows the next page of turns, once at a time.
function next(state, list, more) {
  if (!state.more) return Promise.resolve();
  if (state.loading) return state.loading;
  more.disabled = true;
  state.loading = (async () => {
    try {
      const [page] = await Promise.all([
        api('GET', agentPath(state.agent, '/turns' + query({ session: state.session, cursor: state.cursor, limit: PAGE }))),
        state.episodeCursor === null && !state.episodesDone ? loadEpisodes(state) : null,
      ]);
      if (page.turns.length) {
        const last = Date.parse(page.turns[page.turns.length - 1].timestamp);
        while (!state.episodesDone && (state.episodesEnd === null || state.episodesEnd <= last)) await loadEpisodes(state);
      }
      for (const turn of page.turns) {
        const episode = state.episodes.get(turn.id) || null;
        if ((episode ? episode.id : null) !== state.lastEpisode) {
          list.append(episodeRow(episode));
          state.lastEpisode = episode ? episode.id : null;
        }
        list.append(turnRow(turn, episode));
      }
      state.cursor = page.nextCursor;
      state.more = Boolean(page.nextCursor);
    } catch (error) {
      list.append(h('li', { class: 'error-row' }, errorBox(error)));
      state.more = false;
    } finally {
      state.loading = null;
      more.disabled = !state.more;
      more.textContent = state.more ? 'Load more turns' : 'End of the session';
    }
  })();
  return state.loading;
}

async function loadEpisodes(state) {
  const page = await api('GET', agentPath(state.agent, '/episodes' + query({ session: state.session, cursor: state.episodeCursor, limit: EPISODE_PAGE })));
  for (const episode of page.episodes) {
    for (const id of episode.turnIds) state.episodes.set(id, episode);
    state.episodesEnd = Date.parse(episode.end);
  }
  state.episodeCursor = page.nextCursor;
  state.episodesDone = !page.nextCursor;
}

function episodeRow(episode) {
  if (!episode) {
    return h('li', { class: 'episode none' }, h('div', { class: 'episode-title' }, 'Not in an episode yet (consolidation cuts episodes later)'));
  }
  return h('li', { class: 'episode', 'data-episode-id': episode.id },
    h('div', { class: 'episode-title' }, 'Episode ', h('span', { class: 'mono' }, episode.id), ` · ${episode.boundaryReason} · ${formatNumber(episode.turnIds.length)} turns · ${formatTime(episode.start)} → ${formatTime(episode.end)}`),
    h('div', { class: 'summary' }, episode.summary),
    episode.keywords.length ? h('div', { class: 'keywords' }, episode.keywords.map((k) => h('span', { class: 'chip' }, k))) : null);
}

function turnRow(turn, episode) {
  return h('li', { class: 'turn role-' + turn.role, 'data-turn-id': turn.id, 'data-episode-id': episode ? episode.id : null },
    h('div', { class: 'meta' },
      h('span', { class: 'speaker' }, turn.speaker),
      h('span', { class: 'chip' }, turn.role),
      h('time', { datetime: turn.timestamp }, formatTime(turn.timestamp)),
      h('span', { class: 'mono muted' }, turn.id),
      h('span', { class: 'muted' }, `${turn.source} · trust ${turn.trust}`)),
    h('div', { class: 'text' }, turn.text));
}
