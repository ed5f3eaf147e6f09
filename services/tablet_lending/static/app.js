// The programme office's console: sign-in, the menu, and one view at a time (hash routes, so
// the browser's back button and bookmarks work). Plain modules written for this project.

import { api, ApiError, h, say, takeFlash, whenSignedOut } from "./api.js";
import * as cohorts from "./cohorts.js";
import * as people from "./people.js";
import * as imports from "./imports.js";
import * as sessions from "./sessions.js";
import * as devices from "./devices.js";
import * as loans from "./loans.js";
import * as reports from "./reports.js";

const VIEWS = { cohorts, people, imports, sessions, devices, loans, reports };
const ROLE_JA = { viewer: "閲覧", operator: "運用担当", supervisor: "統括" };
const $ = (id) => document.getElementById(id);
let me = null;

function can(role) {
  if (!me) return false;
  if (role === "supervisor") return me.roles.includes("supervisor");
  if (role === "operator") return me.roles.some((r) => r === "operator" || r === "supervisor");
  return true;
}

function showLogin(message) {
  me = null;
  $("app-view").hidden = true;
  $("logout").hidden = true;
  $("who").textContent = "";
  $("login-view").hidden = false;
  const error = $("login-error");
  error.hidden = !message;
  error.textContent = message || "";
  $("login-username").focus();
}

function showApp() {
  $("login-view").hidden = true;
  $("app-view").hidden = false;
  $("logout").hidden = false;
  $("who").textContent = `${me.display_name}（${me.roles.map((r) => ROLE_JA[r] || r).join("・")}）`;
  for (const link of document.querySelectorAll("#nav a[data-role]")) {
    link.parentElement.hidden = !can(link.dataset.role);
  }
  route();
}

async function route() {
  if (!me) return;
  const [name, ...params] = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  const view = VIEWS[name] && (VIEWS[name].role ? can(VIEWS[name].role) : true) ? name : "cohorts";
  for (const link of document.querySelectorAll("#nav a[data-view]")) {
    if (link.dataset.view === view) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  const main = $("view");
  main.replaceChildren(h("p", { class: "loading" }, "読み込み中…"));
  try {
    await VIEWS[view].render(main, { me, can, params, go, reload: route });
    const message = takeFlash();
    const line = document.getElementById("view-status");
    if (message && line) say(line, "ok", message);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return;
    main.replaceChildren();
    say(main, "error", error instanceof ApiError ? error.message : "画面を表示できませんでした。");
    console.error(error);
  }
  const heading = main.querySelector("h2");
  if (heading && document.activeElement !== $("login-username")) {
    heading.tabIndex = -1;
    if (!main.contains(document.activeElement)) heading.focus();
  }
}

function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = event.target.querySelector("button");
  button.disabled = true;
  try {
    await api("POST", "/auth/session", {
      json: { username: $("login-username").value, password: $("login-password").value },
      signIn: true,
    });
    me = await api("GET", "/auth/me");
    $("login-password").value = "";
    showApp();
  } catch (error) {
    showLogin(error instanceof ApiError ? error.message : "ログインできませんでした。");
  } finally {
    button.disabled = false;
  }
});

$("logout").addEventListener("click", async () => {
  try { await api("POST", "/auth/logout"); } catch { /* signed out either way */ }
  showLogin("ログアウトしました。");
});

whenSignedOut(() => showLogin("ログインの有効期限が切れました。もう一度ログインしてください。"));
window.addEventListener("hashchange", route);

(async () => {
  try {
    me = await api("GET", "/auth/me", { signIn: true });
    showApp();
  } catch {
    showLogin("");
  }
})();
