// 貸出・返却: who to call (overdue, due soon) with name and phone, lending a tablet, and taking
// one back (condition, accessories, data wiped) or recording a loss.

import {
  api, ApiError, fullName, cohortOptions, CONDITION_JA, day, field, flash, h, LOAN_JA, say, select, STAGE_JA,
  table, todayJst,
} from "./api.js";

export const role = "operator";

export async function render(main, ctx) {
  if (ctx.params[0] && ctx.params[1] === "return") return returnForm(main, ctx, ctx.params[0]);
  if (ctx.params[0] && ctx.params[1] === "loss") return lossForm(main, ctx, ctx.params[0]);
  const { options } = await cohortOptions();
  const cohort = select("cohort_id", options, "");
  const notice = h("div", { id: "view-status" });
  const lists = h("div", {});

  async function load() {
    const query = { cohort_id: cohort.value };
    const [overdue, soon, active] = await Promise.all([
      api("GET", "/loans/calls", { query: { ...query, due: "overdue" } }),
      api("GET", "/loans/calls", { query: { ...query, due: "due_soon" } }),
      api("GET", "/loans", { query: { ...query, status: "active", limit: 1000 } }),
    ]);
    const callColumns = (late) => [
      { label: "氏名", value: (r) => r.name ? h("a", { href: `#/people/${encodeURIComponent(r.participant_id)}` }, r.name) : "（消去済み）" },
      { label: "フリガナ", value: (r) => r.kana || "" },
      { label: "電話", value: (r) => r.phone ? h("a", { href: `tel:${r.phone}` }, r.phone) : "—" },
      { label: "返却期限", value: (r) => day(r.due_on) },
      late ? { label: "超過", value: (r) => `${r.days_overdue}日` } : null,
      late ? { label: "段階", value: (r) => r.visit_required ? "訪問回収" : STAGE_JA[r.overdue_stage] || "—" } : null,
      { label: "LINE", value: (r) => r.line_linked ? "連携済み" : "未連携（電話で）" },
      { label: "端末", value: (r) => r.device_id },
      { label: "操作", value: (r) => h("a", { class: "button", href: `#/loans/${encodeURIComponent(r.loan_id)}/return` }, `返却（${r.name || r.device_id}）`) },
    ].filter(Boolean);
    lists.replaceChildren(
      h("section", { "aria-labelledby": "overdue-title" },
        h("h3", { id: "overdue-title" }, `返却期限を過ぎた貸出（${overdue.length}件）`),
        table("返却期限を過ぎた貸出", callColumns(true), overdue, "期限を過ぎた貸出はありません。")),
      h("section", { "aria-labelledby": "soon-title" },
        h("h3", { id: "soon-title" }, `返却期限が近い貸出（${soon.length}件）`),
        table("返却期限が近い貸出", callColumns(false), soon, "期限が近い貸出はありません。")),
      h("section", { "aria-labelledby": "active-title" },
        h("h3", { id: "active-title" }, `貸出中（${active.length}件）`),
        table("貸出中", [
          { label: "貸出ID", value: (l) => l.loan_id },
          { label: "参加者", value: (l) => h("a", { href: `#/people/${encodeURIComponent(l.participant_id)}` }, l.participant_id) },
          { label: "端末", value: (l) => `${l.device_id}（${l.device_model}）` },
          { label: "貸出日", value: (l) => day(l.issued_on) },
          { label: "返却期限", value: (l) => day(l.due_on) },
          { label: "操作", value: (l) => h("span", { class: "row-actions" },
            h("a", { class: "button", href: `#/loans/${encodeURIComponent(l.loan_id)}/return` }, "返却"),
            h("a", { class: "button secondary", href: `#/loans/${encodeURIComponent(l.loan_id)}/loss` }, "紛失")) },
        ], active, "貸出中の端末はありません。")));
  }
  cohort.addEventListener("change", load);
  main.replaceChildren(h("h2", {}, "貸出・返却"), notice,
    h("div", { class: "filters" }, field("期", cohort)),
    await issueForm(ctx, options.slice(1), notice, load), lists);
  await load();
}

async function issueForm(ctx, cohorts, notice, load) {
  const devices = await api("GET", "/devices", { query: { state: "in_stock", limit: 1000 } });
  const usable = devices.filter((d) => d.condition !== "damaged");
  const cohort = select("cohort_id", cohorts, cohorts[0]?.[0]);
  const words = h("input", { type: "search", maxlength: "100", placeholder: "氏名・フリガナ・電話" });
  const participant = h("input", { required: true, name: "participant_id", placeholder: "P-…" });
  const found = h("div", {});
  const device = select("device_id", usable.map((d) => [d.device_id, `${d.device_id}（${d.model}）`]), usable[0]?.device_id);
  const issued = h("input", { type: "date", value: todayJst(), required: true });
  const exception = h("input", { maxlength: "500", minlength: "3" });
  const search = h("button", { type: "button" }, "探す");
  search.addEventListener("click", async () => {
    try {
      const people = await api("GET", "/participants", { query: { cohort_id: cohort.value, status: "enrolled", q: words.value.trim(), limit: 20 } });
      found.replaceChildren(table("参加者の検索結果", [
        { label: "氏名", value: (p) => fullName(p) },
        { label: "フリガナ", value: (p) => p.personal ? `${p.personal.family_name_kana} ${p.personal.given_name_kana}` : "" },
        { label: "参加者ID", value: (p) => p.participant_id },
        { label: "選ぶ", value: (p) => h("button", { type: "button", onclick: () => { participant.value = p.participant_id; device.focus(); } }, `この人に貸す（${fullName(p)}）`) },
      ], people, "参加が決まった人の中に見つかりません。"));
    } catch (error) {
      say(notice, "error", error instanceof ApiError ? error.message : "検索できませんでした。");
    }
  });
  words.addEventListener("keydown", (event) => { if (event.key === "Enter") { event.preventDefault(); search.click(); } });
  const form = h("form", { class: "card grid-form" },
    field("期", cohort), h("div", { class: "field" }, field("参加者を探す", words), search), found,
    field("参加者ID", participant), field("端末（在庫・貸出可能）", device), field("貸出日", issued),
    ctx.can("supervisor") ? field("説明会に出ていない人に貸す理由（統括のみ・任意）", exception) : null,
    h("div", { class: "actions" }, h("button", { type: "submit" }, "貸し出す")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const loan = await api("POST", "/loans", { json: {
        participant_id: participant.value.trim(), device_id: device.value, issued_on: issued.value,
        session_exception: exception.value || null,
      } });
      await load();
      say(notice, "ok", `${loan.device_id} を貸し出しました。返却期限は ${day(loan.due_on)} です。`);
      participant.value = "";
      found.replaceChildren();
    } catch (error) {
      say(notice, "error", error instanceof ApiError ? error.message : "貸し出せませんでした。");
    }
  });
  return h("details", { class: "more" }, h("summary", {}, "端末を貸し出す"), form);
}

async function loanHeader(loanId) {
  const { loan } = await api("GET", `/loans/${encodeURIComponent(loanId)}`);
  return [loan, h("p", {}, `貸出 ${loan.loan_id}：端末 ${loan.device_id}（${loan.device_model}）、参加者 ${loan.participant_id}、貸出日 ${day(loan.issued_on)}、返却期限 ${day(loan.due_on)}、${LOAN_JA[loan.status]}`)];
}

async function returnForm(main, ctx, loanId) {
  const [loan, header] = await loanHeader(loanId);
  const notice = h("div", { id: "view-status" });
  const condition = select("condition", Object.entries(CONDITION_JA), "good");
  const wiped = h("input", { type: "checkbox", required: true });
  const back = Object.fromEntries(["charger", "case", "sim"].map((k) => [k, h("input", { type: "checkbox", checked: loan.accessories_issued[k] })]));
  const decision = h("input", { maxlength: "500" });
  const note = h("input", { maxlength: "500" });
  const returned = h("input", { type: "date", value: todayJst(), required: true });
  const form = h("form", { class: "card grid-form" },
    field("返却日", returned), field("端末の状態", condition),
    field("データを消去した", wiped, "消去してから返却を記録してください。"),
    h("fieldset", {}, h("legend", {}, "戻ってきた付属品"),
      loan.accessories_issued.charger ? field("充電器", back.charger) : null,
      loan.accessories_issued.case ? field("ケース", back.case) : null,
      loan.accessories_issued.sim ? field("SIM", back.sim) : null),
    field("破損時の対応（破損のとき）", decision), field("メモ", note),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "返却を記録")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const done = await api("POST", `/loans/${encodeURIComponent(loanId)}/return`, { json: {
        returned_on: returned.value, condition: condition.value, data_wiped: wiped.checked,
        accessories_returned: { charger: back.charger.checked, case: back.case.checked, sim: back.sim.checked },
        damage_decision: decision.value || null, note: note.value || null,
      } });
      const missing = done.return_record?.missing_accessories || [];
      flash(`${done.device_id} の返却を記録しました。` + (missing.length ? `足りない付属品：${missing.join("、")}` : ""));
      location.hash = "#/loans";
    } catch (error) {
      say(notice, "error", error instanceof ApiError ? error.message : "記録できませんでした。");
    }
  });
  main.replaceChildren(h("p", {}, h("a", { href: "#/loans" }, "← 貸出・返却へ戻る")),
    h("h2", {}, `返却：${loan.device_id}`), header, notice, loan.status === "active" ? form : h("p", {}, "この貸出は終わっています。"));
}

async function lossForm(main, ctx, loanId) {
  const [loan, header] = await loanHeader(loanId);
  const notice = h("div", { id: "view-status" });
  const circumstances = h("textarea", { required: true, maxlength: "1000", rows: "3" });
  const decision = h("input", { required: true, maxlength: "500" });
  const police = h("input", { maxlength: "40" });
  const form = h("form", { class: "card grid-form" },
    field("状況", circumstances), field("対応（決めたこと）", decision), field("警察の受理番号（あれば）", police),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "danger" }, "紛失を記録")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("POST", `/loans/${encodeURIComponent(loanId)}/loss`, { json: {
        circumstances: circumstances.value, decision: decision.value, police_report_number: police.value || null,
      } });
      flash(`${loan.device_id} の紛失を記録しました。`);
      location.hash = "#/loans";
    } catch (error) {
      say(notice, "error", error instanceof ApiError ? error.message : "記録できませんでした。");
    }
  });
  main.replaceChildren(h("p", {}, h("a", { href: "#/loans" }, "← 貸出・返却へ戻る")),
    h("h2", {}, `紛失：${loan.device_id}`), header, notice, loan.status === "active" ? form : h("p", {}, "この貸出は終わっています。"));
}
