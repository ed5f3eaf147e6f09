// Whom the staff member is helping, shown in the ticket's header: the contact card from
// tablet_lending and the 呼び名 from Dai-chan's memory, each read as this staff member.

import { api } from "./api.js";
import { $, el, state } from "./page.js";

// Whom the staff member is helping: read from tablet_lending as them when they open the ticket
// (audited there), shown only while that ticket is on screen, never kept in the page's state.
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
