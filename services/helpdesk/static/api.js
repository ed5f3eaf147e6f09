// The page's client of /staff/api: the session cookie (HttpOnly) travels by itself; every change
// echoes the CSRF cookie in X-CSRF-Token. The API speaks English; `explain` says it in Japanese.

const API = "/staff/api";
export const STREAM = API + "/stream";

// Who to tell when the session has ended (the sign-in screen), set by app.js.
let signedOut = () => {};
export function whenSignedOut(callback) { signedOut = callback; }

function cookie(name) {
  const found = document.cookie.split("; ").find((part) => part.startsWith(name + "="));
  return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
}

export class ApiError extends Error {
  constructor(status, body) {
    super(body.message || "error");
    this.status = status;
    this.body = body;
  }
}

export async function api(method, path, body) {
  const headers = { "accept": "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET") headers["x-csrf-token"] = cookie("sslp_csrf");
  const response = await fetch(API + path, {
    method, headers, credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (response.status === 401 && path !== "/login") {
    signedOut();
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

// Japanese for staff; the API speaks English.
export function explain(error) {
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
