// What every part of the staff page shares: the words shown for the API's values, the page's
// state, and small DOM helpers. Plain modules written for this project, no libraries.

export const LABELS = {
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

export const state = {
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

export const $ = (id) => document.getElementById(id);

export function el(tag, attrs = {}, ...children) {
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

export function toast(message) {
  const box = $("toast");
  box.textContent = message;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 8000);
}

export function announce(message) {
  $("announce").textContent = "";
  setTimeout(() => { $("announce").textContent = message; }, 50);
}

export function time(value) {
  if (!value) return "";
  return new Date(value).toLocaleString("ja-JP", { timeZone: "Asia/Tokyo", month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

export function waited(seconds) {
  if (seconds === null || seconds === undefined) return "";
  if (seconds < 60) return "1分未満";
  if (seconds < 3600) return `${Math.floor(seconds / 60)}分`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}時間${Math.floor((seconds % 3600) / 60)}分`;
  return `${Math.floor(seconds / 86400)}日`;
}
