// Logging a phone call or an e-mail as a ticket (i), and the category choices on the page.

import { api, explain } from "./api.js";
import { $, LABELS, announce, el, toast } from "./page.js";
import { loadQueue } from "./queue.js";
import { openTicket } from "./ticket.js";

export function fillCategories() {
  for (const select of [$("f-category"), $("intake-category")]) {
    for (const [value, label] of Object.entries(LABELS.category)) {
      select.append(el("option", { value, text: label }));
    }
  }
  $("intake-category").value = "other";
}

export function openIntake() {
  $("intake-form").reset();
  $("intake-category").value = "other";
  $("intake-dialog").showModal();
  $("intake-summary").focus();
}

$("intake-open").addEventListener("click", openIntake);
$("intake-cancel").addEventListener("click", () => $("intake-dialog").close());
$("intake-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const summary = $("intake-summary").value.trim();
  if (!summary) return;
  try {
    const ticket = await api("POST", "/tickets", {
      summary,
      channel: $("intake-channel").value,
      category: $("intake-category").value,
      priority: $("intake-priority").value,
      participant_id: $("intake-participant").value.trim() || null,
      contact: $("intake-contact").value.trim() || null,
    });
    $("intake-dialog").close();
    announce(`#${ticket.number} として記録しました。`);
    await loadQueue();
    await openTicket(ticket.id);
  } catch (error) {
    toast(explain(error));
  }
});
