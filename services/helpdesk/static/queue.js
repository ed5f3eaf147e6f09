// The queue: filtered and sorted by the server, one row per ticket with the senior's registered
// name when tablet_lending gave it for this staff member (nothing when it did not: the queue
// still loads). j/k move along it; a row opens its ticket.

import { api, explain } from "./api.js";
import { $, LABELS, announce, el, state, toast, waited } from "./page.js";
import { openTicket } from "./ticket.js";

function queueQuery() {
  const params = new URLSearchParams();
  const status = $("f-status").value;
  if (status !== "active") params.append("status", status);
  if ($("f-priority").value) params.append("priority", $("f-priority").value);
  if ($("f-category").value) params.append("category", $("f-category").value);
  params.append("sort", $("f-sort").value);
  if ($("f-mine").checked) params.append("mine", "true");
  return params.toString();
}

export async function loadQueue() {
  const data = await api("GET", "/tickets?" + queueQuery());
  const fresh = data.tickets.filter((t) => !state.seen.has(t.id));
  if (state.queueLoaded) {
    for (const ticket of fresh) {
      if (ticket.priority === "urgent") announce(`緊急のチケットが届きました：#${ticket.number} ${ticket.summary}`);
    }
  }
  for (const ticket of data.tickets) state.seen.add(ticket.id);
  state.queueLoaded = true;
  state.tickets = data.tickets;
  renderQueue(new Set(fresh.map((t) => t.id)));
}

export function renderQueue(fresh) {
  const list = $("queue-list");
  const focusedId = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.ticket : null;
  list.replaceChildren();
  state.tickets.forEach((ticket, index) => {
    const owner = ticket.assignee ? `担当：${ticket.assignee.name}` : "担当なし";
    const button = el(
      "button",
      {
        type: "button",
        class: `row-button priority-${ticket.priority}` + (state.current && state.current.id === ticket.id ? " current" : ""),
        "data-ticket": ticket.id,
        "data-index": String(index),
        "aria-current": state.current && state.current.id === ticket.id ? "true" : null,
      },
      el("span", { class: `badge p-${ticket.priority}`, text: LABELS.priority[ticket.priority] }),
      el("span", { class: "num", text: `#${ticket.number}` }),
      el("span", { class: "summary", text: ticket.summary }),
      ticket.senior_name ? el("span", { class: "senior", text: `${ticket.senior_name} さん` }) : null,
      el("span", { class: "sub", text: `${LABELS.status[ticket.status]}・${LABELS.channel[ticket.channel] || ticket.channel}・${owner}` + (ticket.waiting_seconds !== null ? `・待ち ${waited(ticket.waiting_seconds)}` : "") }),
    );
    if (fresh.has(ticket.id)) button.classList.add("fresh");
    button.addEventListener("click", () => { state.selected = index; openTicket(ticket.id); });
    button.addEventListener("focus", () => { state.selected = index; });
    list.append(el("li", {}, button));
  });
  $("queue-count").textContent = `（${state.tickets.length}件）`;
  $("queue-empty").hidden = state.tickets.length > 0;
  if (focusedId) {
    const again = list.querySelector(`[data-ticket="${focusedId}"]`);
    if (again) again.focus();
  }
}

$("filters").addEventListener("change", () => loadQueue().catch((e) => toast(explain(e))));
$("filters").addEventListener("submit", (event) => event.preventDefault());

export function moveSelection(step) {
  const buttons = [...document.querySelectorAll(".queue-list button")];
  if (!buttons.length) return;
  const current = buttons.indexOf(document.activeElement);
  const next = Math.min(Math.max((current < 0 ? state.selected : current) + step, 0), buttons.length - 1);
  buttons[next].focus();
}
