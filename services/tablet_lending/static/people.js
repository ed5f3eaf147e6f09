// 申込者・参加者: search by name, kana, phone or number; one person's record, their LINE link
// code and withdrawal. Every list and record shown here is a read of personal data, audited by
// the API as such.

import {
  api, ApiError, cohortOptions, day, dayTime, field, h, KIND_JA, LOAN_JA, say, select,
  STATUS_JA, table,
} from "./api.js";

export const role = "operator";
const PAGE = 50;

export async function render(main, ctx) {
  if (ctx.params[0]) return detail(main, ctx, ctx.params[0]);
  const { options } = await cohortOptions();
  const query = new URLSearchParams();
  const cohort = select("cohort_id", options, query.get("cohort_id") || "");
  const status = select("status", [["", "すべての状態"], ...Object.entries(STATUS_JA)], query.get("status") || "");
  const words = h("input", { name: "q", type: "search", value: query.get("q") || "", placeholder: "氏名・フリガナ・電話・申込番号", maxlength: "100" });
  const results = h("div", { id: "people-results" });
  const notice = h("div", { id: "view-status" });
  let skip = 0;

  async function load() {
    try {
      const found = await api("GET", "/participants", { query: {
        cohort_id: cohort.value, status: status.value, q: words.value.trim(), limit: PAGE, skip,
      } });
      results.replaceChildren(
        h("p", { class: "count", role: "status" }, found.length ? `${skip + 1}〜${skip + found.length}件目` : "0件"),
        table("申込者・参加者", [
          { label: "氏名", value: (p) => h("a", { href: `#/people/${encodeURIComponent(p.participant_id)}` }, p.personal ? `${p.personal.family_name} ${p.personal.given_name}` : "（消去済み）") },
          { label: "フリガナ", value: (p) => p.personal ? `${p.personal.family_name_kana} ${p.personal.given_name_kana}` : "" },
          { label: "参加者ID", value: (p) => p.participant_id },
          { label: "期", value: (p) => p.cohort_id },
          { label: "地域", value: (p) => p.area_name },
          { label: "状態", value: (p) => STATUS_JA[p.status] + (p.waitlist_position ? `（${p.waitlist_position}番）` : "") },
          { label: "電話", value: (p) => p.personal?.phone || "" },
          { label: "申込番号", value: (p) => p.application_number || "" },
        ], found, "該当する人はいません。"),
        h("div", { class: "pager" },
          h("button", { type: "button", disabled: skip === 0, onclick: () => { skip = Math.max(0, skip - PAGE); load(); } }, "前へ"),
          h("button", { type: "button", disabled: found.length < PAGE, onclick: () => { skip += PAGE; load(); } }, "次へ")));
    } catch (error) {
      say(notice, "error", error instanceof ApiError ? error.message : "読み込めませんでした。");
    }
  }

  const form = h("form", { class: "filters", role: "search", "aria-label": "申込者・参加者の検索" },
    field("期", cohort), field("状態", status), field("検索", words),
    h("button", { type: "submit" }, "検索"));
  form.addEventListener("submit", (event) => { event.preventDefault(); skip = 0; load(); });
  main.replaceChildren(h("h2", {}, "申込者・参加者"), notice, form, results,
    applicationForm(options.slice(1), notice));
  await load();
}

function applicationForm(cohorts, notice) {
  const f = {
    cohort: select("cohort_id", cohorts, cohorts[0]?.[0]),
    family_name: h("input", { required: true, maxlength: "40" }),
    given_name: h("input", { required: true, maxlength: "40" }),
    family_name_kana: h("input", { required: true, maxlength: "40" }),
    given_name_kana: h("input", { required: true, maxlength: "40" }),
    birthdate: h("input", { type: "date", required: true }),
    postal_code: h("input", { maxlength: "8", placeholder: "544-0034" }),
    address: h("input", { required: true, maxlength: "200" }),
    phone: h("input", { type: "tel", maxlength: "20" }),
    terms: h("input", { value: "v1", required: true, maxlength: "40" }),
  };
  const form = h("form", { class: "card grid-form" },
    field("期", f.cohort), field("姓", f.family_name), field("名", f.given_name),
    field("セイ", f.family_name_kana), field("メイ", f.given_name_kana),
    field("生年月日", f.birthdate), field("郵便番号", f.postal_code), field("住所", f.address),
    field("電話番号", f.phone), field("同意した規約の版", f.terms),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "申込を登録")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const made = await api("POST", `/cohorts/${encodeURIComponent(f.cohort.value)}/applications`, { json: {
        terms_version: f.terms.value,
        personal: {
          family_name: f.family_name.value, given_name: f.given_name.value,
          family_name_kana: f.family_name_kana.value, given_name_kana: f.given_name_kana.value,
          birthdate: f.birthdate.value, address: f.address.value,
          postal_code: f.postal_code.value || null, phone: f.phone.value || null,
        },
      } });
      say(notice, "ok", `申込を登録しました（${made.participant_id}、${STATUS_JA[made.status]}）。`);
      form.reset();
    } catch (error) {
      say(notice, "error", error instanceof ApiError ? error.message : "登録できませんでした。");
    }
  });
  return h("details", { class: "more" }, h("summary", {}, "電話・紙の申込を入力する"), form);
}

async function detail(main, ctx, participantId) {
  const record = await api("GET", `/participants/${encodeURIComponent(participantId)}`);
  const p = record.participant;
  const notice = h("div", { id: "view-status" });
  const personal = p.personal;
  const facts = [
    ["参加者ID", p.participant_id], ["期", p.cohort_id], ["地域", p.area_name],
    ["状態", STATUS_JA[p.status] + (p.waitlist_position ? `（補欠 ${p.waitlist_position}番）` : "")],
    ["申込番号", p.application_number || "—"], ["年代", p.age_band],
    ...(personal ? [
      ["氏名", `${personal.family_name} ${personal.given_name}`],
      ["フリガナ", `${personal.family_name_kana} ${personal.given_name_kana}`],
      ["生年月日", day(personal.birthdate)], ["郵便番号", personal.postal_code || "—"],
      ["住所", personal.address], ["電話", personal.phone || "—"],
    ] : [["個人情報", "消去済み"]]),
    ["LINE連携", record.line_linked ? "連携済み" : "未連携"],
    ["連携コードの期限", record.link_code_expires_at ? dayTime(record.link_code_expires_at) : "—"],
  ];
  const code = h("div", { id: "link-code", "aria-live": "polite" });
  const issue = h("button", { type: "button" }, "LINE連携コードを発行");
  issue.addEventListener("click", async () => {
    try {
      const issued = await api("POST", `/participants/${encodeURIComponent(p.participant_id)}/link-code`);
      code.replaceChildren(h("div", { class: "card code" },
        h("p", {}, "このコードを本人に伝えてください（この画面でだけ表示されます）："),
        h("p", { class: "big-code" }, issued.code.replace(/(\d{4})(\d{4})/, "$1 $2")),
        h("p", {}, `有効期限：${dayTime(issued.expires_at)}。本人が LINE の「おおさか楽なび」にこの8けたを送ると連携されます。`)));
    } catch (error) {
      say(notice, "error", error instanceof ApiError ? error.message : "発行できませんでした。");
    }
  });
  const reason = h("input", { required: true, maxlength: "500" });
  const withdraw = h("form", { class: "inline-form" }, field("辞退の理由", reason),
    h("button", { type: "submit", class: "danger" }, "辞退として記録"));
  withdraw.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("POST", `/participants/${encodeURIComponent(p.participant_id)}/withdraw`, { json: { reason: reason.value } });
      await ctx.reload();
      say(document.getElementById("view-status"), "ok", "辞退として記録しました。");
    } catch (error) {
      say(notice, "error", error instanceof ApiError ? error.message : "記録できませんでした。");
    }
  });
  main.replaceChildren(
    h("p", {}, h("a", { href: "#/people" }, "← 一覧へ戻る")),
    h("h2", {}, personal ? `${personal.family_name} ${personal.given_name} さん` : p.participant_id),
    notice,
    h("dl", { class: "facts" }, facts.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
    p.status !== "withdrawn" && personal ? h("div", { class: "actions" }, issue) : null,
    code,
    h("h3", {}, "貸出"),
    table("貸出", [
      { label: "端末", value: (l) => l.device_id },
      { label: "貸出日", value: (l) => day(l.issued_on) },
      { label: "返却期限", value: (l) => day(l.due_on) },
      { label: "状態", value: (l) => LOAN_JA[l.status] },
    ], record.loans, "貸出はありません。"),
    h("h3", {}, "説明会・講座の予約"),
    table("予約", [
      { label: "種類", value: (r) => KIND_JA[r.kind] },
      { label: "講座ID", value: (r) => r.session_id },
      { label: "予約", value: (r) => (r.status === "booked" ? "予約中" : "取消") + (r.walk_in ? "（当日参加）" : "") },
      { label: "出欠", value: (r) => r.attended === true ? "出席" : r.attended === false ? "欠席" : "—" },
    ], record.registrations, "予約はありません。"),
    p.status !== "withdrawn" ? h("details", { class: "more" }, h("summary", {}, "辞退を記録する"), withdraw) : null,
  );
}
