// Live updates over server-sent events: ticket changes reload the queue (bursts coalesced) and
// the ticket on screen; presence changes refresh who else is looking.

import { STREAM, api } from "./api.js";
import { $, state } from "./page.js";
import { loadQueue } from "./queue.js";
import { openTicket, renderViewers } from "./ticket.js";

export function startLive() {
  stopLive();
  const source = new EventSource(STREAM);
  state.events = source;
  source.addEventListener("open", () => { $("live-state").hidden = false; });
  source.addEventListener("error", () => { $("live-state").hidden = true; });
  source.addEventListener("ticket", (event) => {
    const ticket = JSON.parse(event.data);
    // Coalesce bursts into one reload of the queue.
    clearTimeout(state.reloadTimer);
    state.reloadTimer = setTimeout(() => loadQueue().catch(() => {}), 150);
    if (state.current && state.current.id === ticket.id && ticket.version !== state.current.version) {
      openTicket(ticket.id, { keepFocus: true, reload: true });
    }
  });
  source.addEventListener("presence", (event) => {
    const data = JSON.parse(event.data);
    if (state.current && state.current.id === data.ticket_id) {
      api("GET", `/tickets/${data.ticket_id}/presence`).then(renderViewers).catch(() => {});
    }
  });
}

export function stopLive() {
  if (state.events) state.events.close();
  state.events = null;
  $("live-state").hidden = true;
}
