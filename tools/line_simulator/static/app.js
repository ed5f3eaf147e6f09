// The demo chat: act as a senior, talk to おおさか楽なび, see Dai-chan's answers.
// Everything goes through the simulator's /sim API; the page polls the conversation once a
// second. All text is inserted with textContent, never as HTML, because it comes from the bot.
"use strict";

const POLL_MS = 1000;
const USER_ID = /^U[0-9a-f]{32}$/;
const STORAGE_KEY = "line-simulator-user";

const els = {
  select: document.getElementById("user-select"),
  customId: document.getElementById("custom-id"),
  useCustom: document.getElementById("use-custom"),
  randomId: document.getElementById("random-id"),
  info: document.getElementById("user-info"),
  follow: document.getElementById("follow-btn"),
  unfollow: document.getElementById("unfollow-btn"),
  status: document.getElementById("status"),
  chat: document.getElementById("chat"),
  typing: document.getElementById("typing"),
  quick: document.getElementById("quick-replies"),
  form: document.getElementById("composer"),
  text: document.getElementById("text"),
  send: document.getElementById("send-btn"),
  menu: document.getElementById("rich-menu"),
  menuToggle: document.getElementById("menu-toggle"),
  menuBoard: document.getElementById("menu-board"),
};

const state = {
  userId: null,
  user: null,
  lastSeq: 0,
  lastEntry: null,
  pollTimer: null,
  generation: 0, // bumps on every user switch so a late answer for the old user is dropped
  menuKey: null, // which rich menu is drawn (its id and whether it is the user's own)
  menuOpen: true,
  polls: 0,
};

// -- helpers ---------------------------------------------------------------------------------

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

function showStatus(message, isError = false) {
  els.status.textContent = message;
  els.status.classList.toggle("error", isError);
}

function timeOf(iso) {
  return new Date(iso).toLocaleTimeString("ja-JP", {
    hour: "2-digit",
    minute: "2-digit",
    timeZone: "Asia/Tokyo",
  });
}

async function api(method, path, body) {
  const options = { method, headers: {} };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(data.message || data.detail || `HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return data;
}

function reportWebhook(result, doneMessage) {
  if (result.status >= 200 && result.status < 300) {
    showStatus(doneMessage);
  } else if (result.status === 0) {
    showStatus("システム（line_gateway）につながりません。起動しているか確認してください。", true);
  } else {
    showStatus(`システムが受け付けませんでした（HTTP ${result.status}）。`, true);
  }
}

// -- users -----------------------------------------------------------------------------------

async function loadUsers() {
  const { users } = await api("GET", "/sim/users");
  const saved = localStorage.getItem(STORAGE_KEY);
  els.select.replaceChildren();
  for (const user of users) {
    const option = el("option", null, user.area ? `${user.displayName}（${user.area}）` : user.displayName);
    option.value = user.userId;
    els.select.append(option);
  }
  const initial = users.some((u) => u.userId === saved) ? saved : users[0]?.userId;
  if (saved && !users.some((u) => u.userId === saved) && USER_ID.test(saved)) {
    addCustomOption(saved);
    selectUser(saved);
  } else if (initial) {
    selectUser(initial);
  }
}

function addCustomOption(userId) {
  if ([...els.select.options].some((o) => o.value === userId)) return;
  const option = el("option", null, `ID ${userId.slice(0, 9)}…`);
  option.value = userId;
  els.select.append(option);
}

function selectUser(userId) {
  state.generation += 1;
  state.userId = userId;
  state.user = null;
  state.lastSeq = 0;
  state.lastEntry = null;
  state.menuKey = null;
  state.polls = 0;
  els.select.value = userId;
  els.chat.replaceChildren();
  els.quick.replaceChildren();
  els.typing.hidden = true;
  localStorage.setItem(STORAGE_KEY, userId);
  renderUserInfo();
  showStatus("");
  poll();
}

function randomUserId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return "U" + [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function renderUserInfo() {
  const user = state.user;
  const rows = [
    ["ID", state.userId],
    ["名前", user ? user.displayName : "（まだ話していません）"],
  ];
  if (user && user.area) rows.push(["地域", user.area]);
  const cohorts = { "phase-2": "第2期", "phase-3": "第3期", "phase-4-demo": "第4期（デモ）" };
  if (user && user.cohort) rows.push(["期", cohorts[user.cohort] || user.cohort]);
  // Sending this code links the demo senior's LINE account to their (fictional) loan.
  if (user && user.linkCode) rows.push(["連携コード", user.linkCode]);
  // Someone the simulator has never seen has not added the account yet: they start by adding it.
  const following = Boolean(user && user.following);
  rows.push(["友だち", following ? "追加済み" : user ? "ブロック中" : "まだ追加していません"]);
  els.info.replaceChildren();
  for (const [term, value] of rows) {
    els.info.append(el("dt", null, term), el("dd", null, value));
  }
  els.follow.disabled = following;
  els.unfollow.disabled = !following;
  els.text.disabled = !following;
  els.send.disabled = !following;
  els.text.placeholder = following ? "メッセージを入力" : "友だち追加すると話せます";
}

// -- rendering -------------------------------------------------------------------------------

const SYSTEM_NOTES = {
  follow: "友だち追加しました",
  unfollow: "ブロックしました",
};

function userMessageText(message) {
  switch (message.type) {
    case "text": return message.text;
    case "sticker": return "（スタンプ）";
    case "image": return "（写真）";
    case "audio": return "（音声メッセージ）";
    case "location": return `（位置情報）${message.address || ""}`;
    default: return `（${message.type}）`;
  }
}

function actionButton(action) {
  const button = el("button", null, action.label || action.text || "選ぶ");
  button.type = "button";
  if (action.type === "message") {
    button.addEventListener("click", () => sendText(action.text));
  } else if (action.type === "postback") {
    button.addEventListener("click", () => sendPostback(action.data, action.displayText || action.text));
  } else if (action.type === "uri") {
    button.addEventListener("click", () => window.open(action.uri, "_blank", "noopener"));
  } else {
    button.disabled = true;
    button.title = "シミュレーターでは使えません";
  }
  return button;
}

function botBubble(message) {
  const bubble = el("div", "bubble");
  switch (message.type) {
    case "text":
    case "textV2":
      bubble.textContent = message.text;
      break;
    case "template": {
      const template = message.template || {};
      bubble.classList.add("template", `template-${template.type}`);
      if (template.title) bubble.append(el("strong", "template-title", template.title));
      bubble.append(el("span", null, template.text || message.altText));
      const actions = template.actions || [];
      if (actions.length) {
        // Buttons templates stack full-width buttons; a confirm puts its two side by side.
        const box = el("div", template.type === "confirm" ? "actions side-by-side" : "actions");
        for (const action of actions) box.append(actionButton(action));
        bubble.append(box);
      }
      break;
    }
    case "image": {
      const img = el("img");
      img.src = message.previewImageUrl;
      img.alt = "大ちゃんから届いた写真";
      bubble.append(img);
      break;
    }
    case "sticker":
      bubble.textContent = "（スタンプ）";
      break;
    default:
      bubble.textContent = message.altText || `（${message.type}のメッセージ）`;
  }
  return bubble;
}

function renderEntry(entry) {
  if (entry.kind === "follow" || entry.kind === "unfollow") {
    const item = el("li", "entry system");
    item.append(el("span", "system-note", SYSTEM_NOTES[entry.kind]));
    return item;
  }
  if (entry.from === "user") {
    const text = entry.kind === "postback" ? entry.displayText : userMessageText(entry.message);
    if (!text) return null; // a postback without display text shows nothing in LINE either
    const item = el("li", "entry user");
    item.append(el("div", "bubble", text), el("span", "time", timeOf(entry.at)));
    return item;
  }
  if (!entry.delivered) return null;
  const item = el("li", "entry bot");
  // LINE shows a message's own sender (a person at the helpdesk) in place of the account's name.
  const named = entry.messages.find((message) => message.sender?.name);
  item.append(el("span", "sender", named ? named.sender.name : "大ちゃん（おおさか楽なび）"));
  for (const message of entry.messages) item.append(botBubble(message));
  item.append(el("span", "time", timeOf(entry.at)));
  return item;
}

function renderQuickReplies() {
  els.quick.replaceChildren();
  const entry = state.lastEntry;
  // LINE shows quick replies only under the newest message, and only until the user answers.
  if (!entry || entry.from !== "bot" || !entry.delivered || !state.user?.following) return;
  const last = entry.messages[entry.messages.length - 1];
  const items = (last && last.quickReply && last.quickReply.items) || [];
  for (const item of items) els.quick.append(actionButton(item.action));
}

// -- rich menu -------------------------------------------------------------------------------

function renderMenu(data) {
  const key = data.richMenuId ? `${data.richMenuId}:${data.source}` : null;
  if (key === state.menuKey) return;
  state.menuKey = key;
  els.menuBoard.replaceChildren();
  if (!data.menu) {
    els.menu.hidden = true;
    return;
  }
  const { size, areas, chatBarText } = data.menu;
  els.menuToggle.dataset.label = chatBarText;
  els.menuBoard.style.aspectRatio = `${size.width} / ${size.height}`;
  els.menuBoard.style.backgroundImage = `url("${data.imageUrl}")`;
  for (const area of areas) {
    const { x, y, width, height } = area.bounds;
    const button = actionButton(area.action);
    button.classList.add("menu-area");
    button.setAttribute("aria-label", area.action.label || area.action.displayText || "メニュー");
    button.textContent = "";
    Object.assign(button.style, {
      left: `${(100 * x) / size.width}%`,
      top: `${(100 * y) / size.height}%`,
      width: `${(100 * width) / size.width}%`,
      height: `${(100 * height) / size.height}%`,
    });
    els.menuBoard.append(button);
  }
  els.menu.hidden = false;
  setMenuOpen(state.menuOpen);
}

function setMenuOpen(open) {
  state.menuOpen = open;
  els.menuBoard.hidden = !open;
  els.menuToggle.setAttribute("aria-expanded", String(open));
  els.menuToggle.textContent = `${els.menuToggle.dataset.label || "メニュー"} ${open ? "▼" : "▲"}`;
}

async function refreshMenu(generation) {
  const data = await api("GET", `/sim/users/${state.userId}/richmenu`);
  if (generation === state.generation) renderMenu(data);
}

// -- polling ---------------------------------------------------------------------------------

async function poll() {
  clearTimeout(state.pollTimer);
  const generation = state.generation;
  const userId = state.userId;
  try {
    const data = await api("GET", `/sim/users/${userId}/conversation?after=${state.lastSeq}`);
    if (generation !== state.generation) return;
    const atBottom = els.chat.scrollHeight - els.chat.scrollTop - els.chat.clientHeight < 80;
    let added = false;
    for (const entry of data.items) {
      const node = renderEntry(entry);
      if (node) {
        els.chat.append(node);
        added = true;
      }
      if (entry.kind !== "delivery" || entry.delivered) state.lastEntry = entry;
    }
    const userChanged = JSON.stringify(data.user) !== JSON.stringify(state.user);
    state.user = data.user;
    state.lastSeq = data.lastSeq;
    if (userChanged) renderUserInfo();
    if (added || userChanged) renderQuickReplies();
    els.typing.hidden = !data.loading.active;
    // The menu changes rarely (provisioning, linking): look every few seconds, not every poll.
    if (state.polls++ % 3 === 0) await refreshMenu(generation);
    if (added && atBottom) els.chat.scrollTop = els.chat.scrollHeight;
    if (added && !atBottom) showStatus("新しいメッセージがあります。下にスクロールしてください。");
  } catch (error) {
    if (generation === state.generation) showStatus(`シミュレーターにつながりません（${error.message}）。`, true);
  } finally {
    if (generation === state.generation) state.pollTimer = setTimeout(poll, POLL_MS);
  }
}

// -- actions ---------------------------------------------------------------------------------

async function sendText(text) {
  const trimmed = (text || "").trim();
  if (!trimmed || !state.userId) return;
  els.send.disabled = true;
  try {
    const result = await api("POST", `/sim/users/${state.userId}/messages`, { type: "text", text: trimmed });
    reportWebhook(result, "送信しました。");
    els.text.value = "";
  } catch (error) {
    showStatus(`送信できませんでした（${error.message}）。`, true);
  } finally {
    els.send.disabled = !state.user?.following;
    els.text.focus();
    poll();
  }
}

async function sendPostback(data, displayText) {
  if (!state.userId) return;
  try {
    const body = displayText ? { data, displayText } : { data };
    const result = await api("POST", `/sim/users/${state.userId}/postbacks`, body);
    reportWebhook(result, "ボタンの操作を送りました。");
  } catch (error) {
    showStatus(`送信できませんでした（${error.message}）。`, true);
  } finally {
    poll();
  }
}

async function follow() {
  try {
    const result = await api("POST", `/sim/users/${state.userId}/follow`, {});
    reportWebhook(result, "友だち追加しました。");
  } catch (error) {
    showStatus(`友だち追加できませんでした（${error.message}）。`, true);
  } finally {
    poll();
  }
}

async function unfollow() {
  if (!window.confirm("おおさか楽なびをブロックしますか？ブロック中はメッセージが届きません。")) return;
  try {
    const result = await api("POST", `/sim/users/${state.userId}/unfollow`);
    reportWebhook(result, "ブロックしました。");
  } catch (error) {
    showStatus(`ブロックできませんでした（${error.message}）。`, true);
  } finally {
    poll();
  }
}

function useCustomId() {
  const userId = els.customId.value.trim();
  if (!USER_ID.test(userId)) {
    showStatus("IDは「U」と、0〜9・a〜fの32文字です。", true);
    els.customId.focus();
    return;
  }
  addCustomOption(userId);
  selectUser(userId);
}

els.select.addEventListener("change", () => selectUser(els.select.value));
els.useCustom.addEventListener("click", useCustomId);
els.customId.addEventListener("keydown", (event) => {
  if (event.key === "Enter") {
    event.preventDefault();
    useCustomId();
  }
});
els.randomId.addEventListener("click", () => {
  els.customId.value = randomUserId();
  els.customId.focus();
});
els.menuToggle.addEventListener("click", () => setMenuOpen(!state.menuOpen));
els.follow.addEventListener("click", follow);
els.unfollow.addEventListener("click", unfollow);
els.form.addEventListener("submit", (event) => {
  event.preventDefault();
  sendText(els.text.value);
});

loadUsers().catch((error) => showStatus(`利用者を読み込めません（${error.message}）。`, true));
