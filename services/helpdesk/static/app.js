// The helpdesk staff page: sign-in, the keyboard, and the start. Plain modules written for this
// project, no libraries: page.js (shared state and helpers), api.js (the client), queue.js,
// ticket.js, senior.js, context.js, canned.js, intake.js and live.js.

import { ApiError, api, explain, whenSignedOut } from "./api.js";
import { loadCanned } from "./canned.js";
import { fillCategories, openIntake } from "./intake.js";
import { startLive, stopLive } from "./live.js";
import { $, state } from "./page.js";
import { loadQueue, moveSelection } from "./queue.js";
import { closeTicket, openTicket } from "./ticket.js";

function showLogin() {
  stopLive();
  state.me = null;
  $("app-view").hidden = true;
  $("login-view").hidden = false;
  for (const id of ["logout", "help-button", "canned-manage"]) $(id).hidden = true;
  $("who").textContent = "";
  api("GET", "/sign-in-options").then((o) => { $("sso").hidden = !o.sso; }).catch(() => {});
  $("login-username").focus();
}

async function showApp(me) {
  state.me = me;
  $("login-view").hidden = true;
  $("app-view").hidden = false;
  $("logout").hidden = false;
  $("help-button").hidden = false;
  $("canned-manage").hidden = !me.roles.includes("supervisor");
  $("who").textContent = `${me.name} さん`;
  await Promise.all([loadQueue(), loadCanned()]);
  startLive();
  // The queue loads in the server's priority order (urgency, then the longest waiting): its first
  // row is the most urgent active ticket.
  const urgent = $("f-sort").value === "priority" ? state.tickets[0] : null;
  if (urgent) {
    state.selected = state.tickets.indexOf(urgent);
    await openTicket(urgent.id, { keepFocus: true });
  }
  // Unless the staff member has already chosen another ticket while this one loaded.
  if (urgent && state.wanted !== urgent.id) return;
  const row = urgent && document.querySelector(`.queue-list [data-ticket="${urgent.id}"]`);
  (row || $("queue-list")).focus();
}

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const error = $("login-error");
  error.hidden = true;
  try {
    const result = await api("POST", "/login", {
      username: $("login-username").value.trim(),
      password: $("login-password").value,
    });
    $("login-password").value = "";
    await showApp(result.staff);
  } catch (caught) {
    error.textContent = caught instanceof ApiError && caught.status === 401
      ? "ユーザー名 または パスワードが 違います。"
      : explain(caught);
    error.hidden = false;
    $("login-password").select();
  }
});

$("logout").addEventListener("click", async () => {
  try { await api("POST", "/logout"); } catch (_) { /* signed out either way */ }
  closeTicket();
  showLogin();
});

function typing(target) {
  return target && (target.tagName === "TEXTAREA" || target.tagName === "SELECT" ||
    (target.tagName === "INPUT" && !["checkbox", "radio", "button", "submit"].includes(target.type)));
}

document.addEventListener("keydown", (event) => {
  if (!state.me) return;
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.closest?.("form")) {
    const form = event.target.closest("form");
    if (form) { event.preventDefault(); form.requestSubmit(); }
    return;
  }
  if (document.querySelector("dialog[open]")) return;
  if (event.key === "Escape") {
    if (typing(event.target)) event.target.blur();
    const current = document.querySelector(".queue-list .current") || document.querySelector(".queue-list button");
    if (current) current.focus();
    return;
  }
  if (typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
  const keys = {
    j: () => moveSelection(1),
    k: () => moveSelection(-1),
    c: () => !$("act-claim").hidden && $("act-claim").click(),
    x: () => !$("act-resolve").hidden && $("act-resolve").click(),
    r: () => !$("reply-form").hidden && $("reply-text").focus(),
    n: () => state.current && $("note-text").focus(),
    i: () => openIntake(),
    "/": () => $("f-status").focus(),
    "?": () => $("help-dialog").showModal(),
  };
  const handler = keys[event.key];
  if (handler) { event.preventDefault(); handler(); }
});

$("help-button").addEventListener("click", () => $("help-dialog").showModal());
$("help-close").addEventListener("click", () => $("help-dialog").close());

whenSignedOut(showLogin);
fillCategories();
api("GET", "/me").then(showApp).catch(() => showLogin());
