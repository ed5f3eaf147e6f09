// Whom the staff member is helping, shown in the ticket's header: the contact card from
// tablet_lending and the 呼び名 from Dai-chan's memory, each read as this staff member.

import { api } from "./api.js";
import { $, el, state } from "./page.js";

// Read from tablet_lending and ai_chat as them when they open the ticket (audited there), shown
// only while that ticket is on screen, never kept in the page's state.
export async function loadSenior(id) {
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

// The name the senior told Dai-chan to call them by; ai_chat down says so and leaves the card.
function preferredName(senior) {
  const named = senior.preferred_name || {};
  if (named.status === "found") {
    return el("span", { class: "senior-preferred" }, "　呼び名：", el("strong", { text: named.name }));
  }
  if (named.status === "none") {
    return el("span", { class: "muted senior-preferred", text: "　呼び名：大ちゃんには まだ伝えていません" });
  }
  if (named.status === "unavailable") {
    return el("span", { class: "muted senior-preferred", text: `　${named.message_ja || "呼び名は 取得できませんでした。"}` });
  }
  return null; // no LINE user on the ticket: nobody to ask about
}

function renderSenior(senior) {
  const box = $("ticket-senior");
  const card = senior.card;
  const named = preferredName(senior);
  if (senior.status !== "found" || !card) {
    const parts = [el("span", { class: "muted", text: senior.message_ja || "氏名と電話番号はありません。" })];
    if (named) parts.push(named);
    box.replaceChildren(...parts);
    return;
  }
  const parts = [
    el("strong", { class: "senior-name", text: `${card.family_name} ${card.given_name} さん` }),
    el("span", { class: "muted", text: `（${card.family_name_kana} ${card.given_name_kana}）` }),
  ];
  if (named) parts.push(named);
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
