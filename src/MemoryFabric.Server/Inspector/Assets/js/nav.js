// Moves to a route of the page; re-renders when it is the current one.
export function go(href) {
  if (location.hash === href) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = href;
}

/** '#/agents/{agent}{rest}'. */
export const agentHref = (agent, rest = '') => '#/agents/' + encodeURIComponent(agent) + rest;

/** The timeline with one turn shown in its episode, highlighted. */
export const turnHref = (agent, turnId) => agentHref(agent, '/timeline?turn=' + encodeURIComponent(turnId));
