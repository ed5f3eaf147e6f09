// One ticket: its header, thread and history, the actions on it, the reply and note forms.
// Drafts are kept per ticket in this tab only; leaving a typed reply or an unanswered senior asks.

import { api, explain } from "./api.js";
import { entryFiles, renderContext } from "./context.js";
import { $, LABELS, announce, el, state, time, toast } from "./page.js";
import { loadQueue, renderQueue } from "./queue.js";
import { loadSenior } from "./senior.js";

// `reload` refreshes the ticket on the screen (a live update, a refused action) without
// counting as the staff member asking for it.
export async function openTicket(id, { keepFocus = false, reload = false } = {}) {
  if (!reload) state.wanted = id;
  let ticket;
  try {
    ticket = await api("GET", `/tickets/${id}`);
  } catch (error) {
    if (state.wanted === id) {
      toast(explain(error));
      state.wanted = state.current ? state.current.id : null;
    }
    return;
  }
  if (state.wanted !== id) return;
  const switching = !state.current || state.current.id !== id;
  // A reload started by an earlier live update can finish after a newer answer (a reply's):
  // the older ticket must not replace it on the screen.
  if (!switching && ticket.version < state.current.version) return;
  if (switching) {
    if (state.current) {
      keepDraft(state.current.id);
      api("DELETE", `/tickets/${state.current.id}/presence`).catch(() => {});
    }
    const draft = state.drafts.get(id) || { reply: "", note: "", replyId: null };
    state.replyId = draft.replyId;
    $("reply-text").value = draft.reply;
    $("note-text").value = draft.note;
  }
  state.current = ticket;
  renderTicket(ticket);
  if (switching) loadSenior(id);
  renderQueue(new Set());
  $("ticket-view").hidden = false;
  if (switching && !keepFocus) $("ticket-title").focus();
  clearInterval(state.heartbeat);
  state.heartbeat = setInterval(() => {
    if (state.current) {
      api("POST", `/tickets/${state.current.id}/presence`).then(renderViewers).catch(() => {});
    }
  }, 10000);
}

function keepDraft(id) {
  const reply = $("reply-text").value;
  const note = $("note-text").value;
  if (reply || note) state.drafts.set(id, { reply, note, replyId: state.replyId });
  else state.drafts.delete(id);
}

// The senior's newest message has no reply after it (a note does not answer them).
function unanswered(ticket) {
  const spoken = ticket.thread.filter((entry) => entry.kind === "senior" || entry.kind === "reply");
  return spoken.length > 0 && spoken[spoken.length - 1].kind === "senior";
}

// Before giving the conversation back or resolving: nothing typed is lost, nobody left unanswered.
function confirmLeaving(action) {
  const ticket = state.current;
  if (!ticket) return false;
  const warnings = [];
  if ($("reply-text").value.trim()) warnings.push("送っていない返信があります。");
  if (unanswered(ticket)) warnings.push("ご本人の最後のメッセージに まだ返信していません。");
  return !warnings.length || window.confirm(`${warnings.join("\n")}\nこのまま${action}しますか？`);
}

export function closeTicket() {
  if (state.current) api("DELETE", `/tickets/${state.current.id}/presence`).catch(() => {});
  clearInterval(state.heartbeat);
  state.current = null;
  $("ticket-senior").replaceChildren();
  $("ticket-view").hidden = true;
}

export function renderViewers(data) {
  const others = (data.viewers || []).filter((v) => !state.me || v.staff_id !== state.me.id);
  $("ticket-viewers").textContent = others.length
    ? `いま見ている人：${others.map((v) => v.name).join("、")}`
    : "";
}

function renderTicket(t) {
  $("ticket-title").textContent = `#${t.number} ${t.summary}`;
  $("ticket-meta").textContent = [
    `優先度：${LABELS.priority[t.priority]}`,
    `状態：${LABELS.status[t.status]}`,
    `受付：${LABELS.channel[t.channel] || t.channel}`,
    t.mail_address ? `差出人：${t.mail_address}` : null,
    t.unknown_sender ? "⚠ 登録のない差出人です（ご本人・ご家族か確認してください）" : null,
    `分類：${LABELS.category[t.category] || t.category}`,
    `受付日時：${time(t.opened_at)}`,
    t.holds_conversation ? "LINEの会話：ヘルプデスクが担当中" : null,
    t.csat ? `満足度：${t.csat.score}` : null,
  ].filter(Boolean).join("　");
  const mine = t.assignee && state.me && t.assignee.id === state.me.id;
  $("ticket-owner").textContent = t.assignee
    ? (mine ? "あなたが担当しています。" : `このチケットは ${t.assignee.name} さんが対応中です。`)
    : "まだ だれも担当していません。";
  renderViewers(t);
  const sla = t.sla || {};
  $("ticket-sla").textContent = ["first_response", "next_response", "resolution"]
    .filter((k) => sla[k])
    .map((k) => `${LABELS.target[k]}：${LABELS.sla[sla[k].state]}（期限 ${time(sla[k].due_at)}）`)
    .join("　");
  const active = ["new", "open", "waiting_on_senior"].includes(t.status);
  const free = !t.assignee || mine;
  $("act-claim").hidden = !(active && !t.assignee);
  $("act-release").hidden = !(active && mine);
  $("act-take").hidden = !(active && free && t.line_user_id && !t.holds_conversation);
  $("act-handback").hidden = !(free && t.holds_conversation);
  $("act-wait").hidden = !(free && (t.status === "open" || t.status === "new"));
  $("act-open").hidden = !(free && (t.status === "waiting_on_senior" || t.status === "resolved"));
  $("act-open").textContent = t.status === "resolved" ? "再開する" : "対応中に戻す";
  $("act-resolve").hidden = !(active && free);
  $("resolve-csat").parentElement.hidden = $("act-resolve").hidden || !t.line_user_id;
  $("reply-form").hidden = !(active && free);
  $("reply-send").textContent = t.line_user_id ? "LINEで返信を送る" : (t.mail_address ? "メールで返信を送る" : "返信を記録する");

  const thread = $("thread");
  thread.replaceChildren();
  for (const entry of t.thread) {
    const who = entry.kind === "senior" ? "ご本人" : (entry.author && entry.author.name) || "";
    thread.append(el(
      "li", { class: `entry ${entry.kind}` },
      el("div", { class: "entry-head", text: `${LABELS.kind[entry.kind] || entry.kind}・${who}・${time(entry.at)}` }),
      el("div", { class: "entry-text", text: entry.text }),
      entryFiles(t.id, entry),
    ));
  }
  const history = $("history");
  history.replaceChildren();
  for (const item of t.history.slice(-12).reverse()) {
    const detail = item.to ? `→ ${LABELS.status[item.to] || LABELS.priority[item.to] || LABELS.category[item.to] || (item.to.name || item.to)}` : "";
    history.append(el("li", { text: `${time(item.at)} ${item.actor.name}：${LABELS.action[item.action] || item.action} ${detail}` }));
  }
  renderContext(t.context || {});
}

async function act(path, body = {}, success) {
  if (!state.current) return;
  const ticket = state.current;
  try {
    const updated = await api("POST", `/tickets/${ticket.id}/${path}`, { version: ticket.version, ...body });
    state.current = { ...updated, context: ticket.context, viewers: ticket.viewers };
    renderTicket(state.current);
    if (success) announce(success);
    loadQueue().catch(() => {});
    return updated;
  } catch (error) {
    toast(explain(error));
    await openTicket(ticket.id, { keepFocus: true, reload: true });
    return null;
  }
}

$("act-claim").addEventListener("click", () => act("claim", {}, "担当しました。"));
$("act-release").addEventListener("click", () => act("release", {}, "担当をはずしました。"));
$("act-take").addEventListener("click", () => act("conversation", {}, "LINEの会話を引き継ぎました。大ちゃんは返事をしません。"));
$("act-handback").addEventListener("click", () => {
  if (confirmLeaving("大ちゃんに戻")) act("handback", {}, "会話を大ちゃんに戻しました。");
});
$("act-wait").addEventListener("click", () => act("status", { status: "waiting_on_senior" }, "返答待ちにしました。"));
$("act-open").addEventListener("click", () => act("status", { status: "open" }, "対応中にしました。"));
$("act-resolve").addEventListener("click", () => {
  if (!confirmLeaving("解決に")) return;
  act("resolve", { ask_csat: $("resolve-csat").checked }, "解決にしました。会話は大ちゃんに戻りました。");
});

$("reply-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = $("reply-text").value.trim();
  if (!text || !state.current) return;
  // One id per composed reply: a double-click or a retry is recognised and sent once.
  if (!state.replyId) state.replyId = crypto.randomUUID();
  const button = $("reply-send");
  button.disabled = true;
  try {
    const done = await act("replies", { text, client_reply_id: state.replyId, then_wait: $("reply-wait").checked }, "返信を送りました。");
    if (done) {
      $("reply-text").value = "";
      state.replyId = null;
      state.drafts.delete(state.current.id);
    }
  } finally {
    button.disabled = false;
  }
});
$("reply-text").addEventListener("input", () => { if (!$("reply-text").value) state.replyId = null; });

$("note-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = $("note-text").value.trim();
  if (!text) return;
  if (await act("notes", { text }, "メモを残しました。")) $("note-text").value = "";
});
