// The senior beside the ticket: loans, sessions and the recent Dai-chan conversation (newest
// first, safety templates marked), a mail's attachments, and the safety-review marks.

import { api, explain } from "./api.js";
import { $, announce, el, state, time, toast } from "./page.js";

// Why a mail's part was not kept (RefusalReason values), in the words staff read.
const REFUSED = {
  too_large: "大きすぎるため 保存していません（1件10MBまで）",
  too_many: "添付の数が多すぎるため 保存していません（1通10件まで）",
  total_too_large: "添付の合計が大きすぎるため 保存していません（1通20MBまで）",
  blocked_type: "プログラムなど 危険なおそれのある種類のため 保存していません",
  encrypted: "暗号化されていて 読めないため 保存していません",
  message_too_large: "メールが大きすぎるため 保存していません",
  unreadable: "読み取れない形式のため 保存していません",
};

function fileSize(bytes) {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} バイト`;
}

// A mail entry's kept attachments as downloads (the server makes the browser save them), and
// the parts that were not kept with the reason; null for an entry without either.
export function entryFiles(ticketId, entry) {
  const kept = entry.attachments || [];
  const refused = entry.refused_parts || [];
  if (!kept.length && !refused.length) return null;
  const list = el("ul", { class: "entry-files" });
  for (const file of kept) {
    const href = `/staff/api/tickets/${encodeURIComponent(ticketId)}/attachments/${encodeURIComponent(file.id)}`;
    list.append(el("li", {},
      el("a", { href, download: file.filename, rel: "noopener", text: `📎 ${file.filename}` }),
      el("span", { class: "muted", text: `（${fileSize(file.size)}）` }),
    ));
  }
  for (const part of refused) {
    list.append(el("li", { class: "refused", text: `✕ ${part.filename || "（名前なし）"}：${REFUSED[part.reason] || "保存していません"}` }));
  }
  return list;
}

export function renderContext(context) {
  const box = $("context");
  box.replaceChildren();
  const rows = [];
  rows.push(el("p", { text: `参加者ID：${context.participant_id || "（LINEと連携されていません）"}` }));
  if (context.loans && context.loans.length) {
    const list = el("ul", { class: "plain" });
    for (const loan of context.loans) {
      const state = loan.overdue ? `返却期限を ${loan.days_overdue}日 過ぎています` : ({ active: "貸出中", returned: "返却済み", lost: "紛失", damaged: "破損" }[loan.state] || loan.state);
      list.append(el("li", { class: loan.overdue ? "overdue" : "", text: `${loan.device_model || "タブレット"}：返却期限 ${loan.due_on || "-"}（${state}）` }));
    }
    rows.push(el("h4", { text: "タブレットの貸出" }), list);
  } else {
    rows.push(el("p", { class: "muted", text: "貸出の記録はありません。" }));
  }
  if (context.sessions && context.sessions.length) {
    const list = el("ul", { class: "plain" });
    for (const session of context.sessions) {
      const booking = { booked: "予約", cancelled: "取消", attended: "出席", absent: "欠席" }[session.booking] || session.booking;
      list.append(el("li", { text: `${time(session.starts_at)} ${session.title || session.session_id}（${booking}）` }));
    }
    rows.push(el("h4", { text: "講座" }), list);
  }
  if (context.conversation && context.conversation.length) {
    const list = el("ol", { class: "plain conversation" });
    for (const turn of context.conversation) {
      const who = turn.role === "senior" ? "ご本人" : (turn.safety ? "大ちゃん（安全の定型文）" : "大ちゃん");
      const item = el("li", { class: turn.role + (turn.safety ? " safety" : ""), text: `${who}：${turn.text}` });
      if (turn.role === "senior" && turn._id) item.append(safetyReviewForm(turn._id));
      list.append(item);
    }
    rows.push(el("h4", { text: "最近の 大ちゃんとの会話（新しい順）" }), list);
  }
  box.append(...rows);
}

// Staff tell Dai-chan's safety routing what it missed or raised wrongly (kept for review).
const SAFETY_MARKS = [
  ["missed:emergency", "見落とし：救急"], ["missed:self_harm", "見落とし：心の危機"],
  ["missed:fraud", "見落とし：詐欺"], ["missed:person", "見落とし：人と話したい"],
  ["false_alarm:emergency", "誤報：救急"], ["false_alarm:self_harm", "誤報：心の危機"],
  ["false_alarm:fraud", "誤報：詐欺"], ["false_alarm:person", "誤報：人と話したい"],
];

function safetyReviewForm(turnId) {
  const select = el("select", { "aria-label": "大ちゃんの安全判定への報告" });
  select.append(el("option", { value: "", text: "安全判定を報告…" }));
  for (const [value, label] of SAFETY_MARKS) select.append(el("option", { value, text: label }));
  const button = el("button", { type: "button", class: "small", text: "報告" });
  button.addEventListener("click", async () => {
    if (!state.current || !select.value) return;
    const [label, route] = select.value.split(":");
    try {
      const result = await api("POST", `/tickets/${state.current.id}/safety-reviews`, { turn_id: turnId, label, route });
      announce(result.recorded ? "報告しました。安全判定の見直しに使います。" : "すでに報告済みです。");
      select.value = "";
    } catch (error) {
      toast(explain(error));
    }
  });
  return el("span", { class: "safety-review" }, select, button);
}
