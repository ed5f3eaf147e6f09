// The helpdesk staff page: plain JavaScript, no libraries. Talks to /staff/api with the session
// cookie (HttpOnly) and echoes the CSRF cookie in X-CSRF-Token on every change.
"use strict";

const API = "/staff/api";

const LABELS = {
  status: { new: "新規", open: "対応中", waiting_on_senior: "返答待ち", resolved: "解決済み", closed: "完了" },
  priority: { urgent: "緊急", high: "高", normal: "通常", low: "低" },
  channel: { line: "LINE", phone: "電話", email: "メール", ai_escalation: "大ちゃんから", device_issue: "端末の不具合" },
  category: {
    emergency: "緊急事態", self_harm: "心の危機", fraud: "詐欺の疑い", person_requested: "人と話したい", safety_review: "安全の確認",
    device: "端末", loan: "貸出", session: "講座", account: "アカウント", other: "その他",
  },
  sla: { running: "期限内", warning: "期限間近", breached: "期限超過", met: "達成", met_late: "遅れて達成", paused: "一時停止中" },
  target: { first_response: "初回応答", next_response: "次の応答", resolution: "解決" },
  kind: { senior: "ご本人", reply: "返信", note: "内部メモ", system: "受付" },
  action: {
    opened: "受付", claimed: "担当", released: "担当をはずした", assigned: "割り当て", replied: "返信",
    noted: "メモ", status: "状態の変更", priority: "優先度の変更", category: "分類の変更", tags: "タグ",
    reopened: "再開", conversation_taken: "LINEの会話を引き継いだ", conversation_handed_back: "大ちゃんに戻した",
    request_joined: "依頼を追加", csat: "満足度の回答", reply_not_delivered: "返信が届かなかった",
  },
};

const state = {
  me: null,
  tickets: [],
  seen: new Set(),
  queueLoaded: false,
  current: null,
  selected: 0,
  replyId: null,
  // What was typed on each ticket and not sent yet (this tab only; never stored elsewhere).
  drafts: new Map(),
  canned: [],
  events: null,
  heartbeat: null,
  reloadTimer: null,
  // The ticket the staff member last asked to see: an answer for any other ticket that arrives
  // later (the most urgent one opened on sign-in, a slow click) must not replace it.
  wanted: null,
};

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

function cookie(name) {
  const found = document.cookie.split("; ").find((part) => part.startsWith(name + "="));
  return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
}

class ApiError extends Error {
  constructor(status, body) {
    super(body.message || "error");
    this.status = status;
    this.body = body;
  }
}

async function api(method, path, body) {
  const headers = { "accept": "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET") headers["x-csrf-token"] = cookie("sslp_csrf");
  const response = await fetch(API + path, {
    method, headers, credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (response.status === 401 && path !== "/login") {
    showLogin();
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

// Japanese for staff; the API speaks English.
function explain(error) {
  if (!(error instanceof ApiError)) return "通信に失敗しました。ネットワークを確認して、もう一度お試しください。";
  const body = error.body || {};
  if (error.status === 409 && body.assignee) {
    return `このチケットは ${body.assignee.name} さんが対応中です。`;
  }
  if (error.status === 409 && body.current_version !== undefined) {
    return "このチケットは ほかの人が先に更新しました。最新の内容を読み込みました。確認してから、もう一度操作してください。";
  }
  if (error.status === 409) return "いまの状態では その操作はできません。";
  if (error.status === 403) return "この操作をする権限がありません。";
  if (error.status === 404) return "チケットが見つかりません。";
  if (error.status === 422) return "入力内容を確認してください。";
  if (error.status === 423) return "ログインの失敗が続いたため、このアカウントは一時的にロックされています。しばらくしてから お試しください。";
  return "エラーが起きました。時間をおいて もう一度お試しください。";
}

function toast(message) {
  const box = $("toast");
  box.textContent = message;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 8000);
}

function announce(message) {
  $("announce").textContent = "";
  setTimeout(() => { $("announce").textContent = message; }, 50);
}

function time(value) {
  if (!value) return "";
  return new Date(value).toLocaleString("ja-JP", { timeZone: "Asia/Tokyo", month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

function waited(seconds) {
  if (seconds === null || seconds === undefined) return "";
  if (seconds < 60) return "1分未満";
  if (seconds < 3600) return `${Math.floor(seconds / 60)}分`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}時間${Math.floor((seconds % 3600) / 60)}分`;
  return `${Math.floor(seconds / 86400)}日`;
}

// -- sign in ------------------------------------------------------------------------------

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

// -- the queue ----------------------------------------------------------------------------

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

async function loadQueue() {
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

function renderQueue(fresh) {
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

function moveSelection(step) {
  const buttons = [...document.querySelectorAll(".queue-list button")];
  if (!buttons.length) return;
  const current = buttons.indexOf(document.activeElement);
  const next = Math.min(Math.max((current < 0 ? state.selected : current) + step, 0), buttons.length - 1);
  buttons[next].focus();
}

// -- one ticket ---------------------------------------------------------------------------

// `reload` refreshes the ticket on the screen (a live update, a refused action) without
// counting as the staff member asking for it.
async function openTicket(id, { keepFocus = false, reload = false } = {}) {
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

function closeTicket() {
  if (state.current) api("DELETE", `/tickets/${state.current.id}/presence`).catch(() => {});
  clearInterval(state.heartbeat);
  state.current = null;
  $("ticket-senior").replaceChildren();
  $("ticket-view").hidden = true;
}

function renderViewers(data) {
  const others = (data.viewers || []).filter((v) => !state.me || v.staff_id !== state.me.id);
  $("ticket-viewers").textContent = others.length
    ? `いま見ている人：${others.map((v) => v.name).join("、")}`
    : "";
}

// Whom the staff member is helping: read from tablet_lending as them when they open the ticket
// (audited there), shown only while that ticket is on screen, never kept in the page's state.
async function loadSenior(id) {
  const box = $("ticket-senior");
  box.replaceChildren(el("span", { class: "muted", text: "ご本人の氏名と電話番号を確認しています…" }));
  let senior;
  try {
    senior = await api("GET", `/tickets/${id}/senior`);
  } catch (error) {
    senior = { status: "unavailable", message_ja: "氏名と電話番号を取得できませんでした。開き直してください。" };
  }
  if (!state.current || state.current.id !== id) return;
  renderSenior(senior);
}

function renderSenior(senior) {
  const box = $("ticket-senior");
  const card = senior.card;
  if (senior.status !== "found" || !card) {
    box.replaceChildren(el("span", { class: "muted", text: senior.message_ja || "氏名と電話番号はありません。" }));
    return;
  }
  const parts = [
    el("strong", { class: "senior-name", text: `${card.family_name} ${card.given_name} さん` }),
    el("span", { class: "muted", text: `（${card.family_name_kana} ${card.given_name_kana}）` }),
  ];
  if (card.phone) {
    parts.push("　電話：", el("a", { class: "senior-phone", href: `tel:${card.phone.replace(/[^0-9+]/g, "")}`, text: card.phone }));
  } else {
    parts.push(el("span", { class: "muted", text: "　電話番号の登録はありません" }));
  }
  parts.push(`　地域：${card.area_name}`);
  if (card.loan) {
    const late = card.loan.overdue ? "（返却期限を過ぎています）" : "";
    parts.push(`　タブレット：${card.loan.device_model} 返却期限 ${card.loan.due_on}${late}`);
  }
  box.replaceChildren(...parts);
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
function entryFiles(ticketId, entry) {
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

function renderContext(context) {
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

// -- canned responses ---------------------------------------------------------------------

async function loadCanned() {
  const data = await api("GET", "/canned");
  state.canned = data.canned;
  const select = $("canned-select");
  select.replaceChildren(el("option", { value: "", text: "定型文を入れる…" }));
  for (const item of state.canned) select.append(el("option", { value: item.id, text: item.title }));
  const list = $("canned-list");
  list.replaceChildren();
  for (const item of state.canned) {
    const edit = el("button", { type: "button", text: `「${item.title}」を編集` });
    edit.addEventListener("click", () => {
      $("canned-id").value = item.id;
      $("canned-title-input").value = item.title;
      $("canned-body").value = item.body;
      $("canned-title-input").focus();
    });
    const remove = el("button", { type: "button", text: "削除" });
    remove.addEventListener("click", async () => {
      try { await api("DELETE", `/canned/${item.id}`); await loadCanned(); } catch (e) { toast(explain(e)); }
    });
    list.append(el("li", {}, edit, remove));
  }
}

$("canned-select").addEventListener("change", () => {
  const item = state.canned.find((c) => c.id === $("canned-select").value);
  if (item) {
    const area = $("reply-text");
    area.value = area.value ? `${area.value}\n${item.body}` : item.body;
    area.focus();
  }
  $("canned-select").value = "";
});

$("canned-manage").addEventListener("click", () => { $("canned-dialog").showModal(); $("canned-title-input").focus(); });
$("canned-close").addEventListener("click", () => $("canned-dialog").close());
$("canned-new").addEventListener("click", () => {
  $("canned-id").value = ""; $("canned-title-input").value = ""; $("canned-body").value = "";
  $("canned-title-input").focus();
});
$("canned-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const id = $("canned-id").value;
  const body = { title: $("canned-title-input").value.trim(), body: $("canned-body").value.trim() };
  try {
    await api(id ? "PUT" : "POST", id ? `/canned/${id}` : "/canned", body);
    $("canned-id").value = "";
    $("canned-form").reset();
    await loadCanned();
    announce("定型文を保存しました。");
  } catch (error) {
    toast(explain(error));
  }
});

// -- intake -------------------------------------------------------------------------------

function fillCategories() {
  for (const select of [$("f-category"), $("intake-category")]) {
    for (const [value, label] of Object.entries(LABELS.category)) {
      select.append(el("option", { value, text: label }));
    }
  }
  $("intake-category").value = "other";
}

function openIntake() {
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

// -- live updates -------------------------------------------------------------------------

function startLive() {
  stopLive();
  const source = new EventSource(API + "/stream");
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

function stopLive() {
  if (state.events) state.events.close();
  state.events = null;
  $("live-state").hidden = true;
}

// -- keyboard -----------------------------------------------------------------------------

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

// -- start --------------------------------------------------------------------------------

fillCategories();
api("GET", "/me").then(showApp).catch(() => showLogin());
