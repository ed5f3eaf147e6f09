// The console's client of the tablet_lending API: the session cookie (HttpOnly) travels by
// itself; every change echoes the CSRF cookie in X-CSRF-Token. Errors come back in Japanese:
// the API's `message_ja` where it has one, otherwise a Japanese sentence for the status.

const CSRF_COOKIE = "sslp_lending_csrf";

export class ApiError extends Error {
  constructor(status, body) {
    super(japanese(status, body));
    this.status = status;
    this.body = body;
  }
}

const FIELDS_JA = {
  cohort_id: "期ID", name: "名称", areas: "対象地域", capacity: "定員",
  lending_starts_on: "貸出開始日", lending_ends_on: "貸出終了日", minimum_age: "年齢",
  title: "名称", venue: "会場", starts_at: "開始", ends_at: "終了", kind: "種類",
  device_id: "資産番号", serial_number: "シリアル番号", model: "機種", participant_id: "参加者ID",
  issued_on: "貸出日", returned_on: "返却日", condition: "状態", data_wiped: "データ消去",
  circumstances: "状況", decision: "対応", reason: "理由", municipality_code: "市区町村コード",
  seed: "シード", month: "月", state: "状態", q: "検索語",
};

function japanese(status, body) {
  if (body && typeof body.message_ja === "string") return body.message_ja;
  if (status === 422 && body && Array.isArray(body.errors)) {
    const fields = [...new Set(body.errors.map((e) => {
      const last = String(e.field).split(".").filter((p) => p !== "body" && p !== "query").pop();
      return FIELDS_JA[last] || last;
    }))];
    return `入力内容を確認してください（${fields.join("、")}）。`;
  }
  if (status === 401) return "ログインしてください。";
  if (status === 403) return "この操作の権限がありません。";
  if (status === 404) return "見つかりません。";
  if (status === 409) return "ほかの操作と重なりました。画面を読み込み直してください。";
  if (status === 413) return "ファイルが大きすぎます。";
  if (status === 0) return "サーバーに接続できません。ネットワークを確認してください。";
  return "処理できませんでした。時間をおいてもう一度お試しください。";
}

function cookie(name) {
  const found = document.cookie.split("; ").find((part) => part.startsWith(name + "="));
  return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
}

// Called with 401 so the page can show the sign-in form again.
let onSignedOut = () => {};
export function whenSignedOut(callback) { onSignedOut = callback; }

export async function api(method, path, options = {}) {
  const headers = {};
  let body;
  if (options.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(options.json);
  } else if (options.body !== undefined) {
    headers["content-type"] = options.contentType || "application/octet-stream";
    body = options.body;
  }
  if (method !== "GET") headers["x-csrf-token"] = cookie(CSRF_COOKIE);
  let url = path;
  if (options.query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(options.query)) {
      if (value !== undefined && value !== null && value !== "") params.set(key, value);
    }
    if ([...params].length) url += "?" + params.toString();
  }
  let response;
  try {
    response = await fetch(url, { method, headers, body, credentials: "same-origin" });
  } catch {
    throw new ApiError(0, null);
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!response.ok) {
    if (response.status === 401 && !options.signIn) onSignedOut();
    throw new ApiError(response.status, data);
  }
  return data;
}

// DOM from data, never from HTML strings: text is always text.
export function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const DATE = new Intl.DateTimeFormat("ja-JP", {
  timeZone: "Asia/Tokyo", year: "numeric", month: "numeric", day: "numeric", weekday: "short",
});
const TIME = new Intl.DateTimeFormat("ja-JP", {
  timeZone: "Asia/Tokyo", hour: "numeric", minute: "2-digit",
});

// "2026-05-12" (a calendar date) or an instant, as 2026/5/12(火)
export function day(value) {
  if (!value) return "";
  const instant = value.length === 10 ? new Date(value + "T00:00:00+09:00") : new Date(value);
  return DATE.format(instant);
}

export function dayTime(value) {
  return value ? `${day(value)} ${TIME.format(new Date(value))}` : "";
}

export function todayJst() {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Tokyo" }).format(new Date());
  return parts; // YYYY-MM-DD
}

export const STATUS_JA = {
  applied: "抽選待ち", waitlisted: "補欠", enrolled: "参加", withdrawn: "辞退",
};
export const KIND_JA = { explanatory: "説明会", follow_up: "フォローアップ説明会" }; // the programme's names (services/common/wording.py)
export const DEVICE_JA = {
  in_stock: "在庫", on_loan: "貸出中", in_repair: "修理中", lost: "紛失", retired: "廃棄済み",
};
export const CONDITION_JA = { good: "良好", worn: "使用感あり", damaged: "破損" };
export const LOAN_JA = { active: "貸出中", returned: "返却済", lost: "紛失" };
export const STAGE_JA = { message: "連絡済み", call: "電話", visit: "訪問回収" };

// A table in a scrolling box (wide tables scroll inside it, never the page).
export function table(caption, columns, rows, empty = "該当するものはありません。") {
  if (!rows.length) return h("p", { class: "empty" }, empty);
  return h("div", { class: "table-box", role: "region", "aria-label": caption, tabindex: "0" },
    h("table", {},
      h("caption", { class: "visually-hidden" }, caption),
      h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c.label)))),
      h("tbody", {}, rows.map((row) => h("tr", {},
        columns.map((c, i) => h(i === 0 ? "th" : "td", { scope: i === 0 ? "row" : null, class: c.class },
          c.value(row))))))));
}

// A message in the view's status line: "ok" or "error" (read out by screen readers).
export function say(target, kind, text) {
  target.replaceChildren(h("p", { class: `notice ${kind}`, role: kind === "error" ? "alert" : "status" }, text));
}

export function field(label, input, hint) {
  const id = input.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  input.id = id;
  return h("div", { class: "field" }, h("label", { for: id }, label), input,
    hint ? h("small", {}, hint) : null);
}

export function select(name, options, value) {
  return h("select", { name },
    options.map(([optionValue, label]) =>
      h("option", { value: optionValue, selected: optionValue === value }, label)));
}

export async function cohortOptions(withAll = true) {
  const cohorts = await api("GET", "/cohorts");
  const options = cohorts.map((c) => [c.cohort_id, `${c.name}（${c.cohort_id}）`]);
  return { cohorts, options: withAll ? [["", "すべての期"], ...options] : options };
}

// A message to show on the next view (after a form that moves to another page).
let flashed = null;
export function flash(text) { flashed = text; }
export function takeFlash() {
  const text = flashed;
  flashed = null;
  return text;
}

export function fullName(participant) {
  const p = participant.personal;
  return p ? `${p.family_name} ${p.given_name}` : participant.participant_id;
}
