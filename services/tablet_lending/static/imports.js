// CSV取込: a municipality's applicant file into a cohort, and the per-row report to send back.

import { api, ApiError, cohortOptions, field, h, say, select, STATUS_JA, table } from "./api.js";

export const role = "operator";
const OUTCOME_JA = { accepted: "受付", duplicate: "重複（受付済み）", refused: "受付不可" };

export async function render(main, ctx) {
  const { cohorts, options } = await cohortOptions(false);
  const open = cohorts.filter((c) => !c.demo);
  const cohort = select("cohort_id", options, (open[0] || cohorts[0])?.cohort_id);
  const codes = h("datalist", { id: "area-codes" });
  const municipality = h("input", { name: "municipality_code", required: true, pattern: "\\d{5,6}", list: "area-codes", inputmode: "numeric", placeholder: "27116" });
  const file = h("input", { name: "file", type: "file", accept: ".csv,text/csv", required: true });
  const notice = h("div", { id: "view-status" });
  const report = h("section", { id: "import-report", "aria-live": "polite" });

  function fillCodes() {
    const chosen = cohorts.find((c) => c.cohort_id === cohort.value);
    codes.replaceChildren(...(chosen?.areas || []).map((a) => h("option", { value: a.code }, a.name)));
    if (chosen && !municipality.value) municipality.value = chosen.areas[0]?.code || "";
  }
  cohort.addEventListener("change", () => { municipality.value = ""; fillCodes(); });
  fillCodes();

  const form = h("form", { class: "card grid-form" },
    field("取り込む期", cohort),
    field("送ってきた市区町村のコード", municipality, "大阪市（27100）は区のコードでも、市のコードでも送れます。"),
    field("CSVファイル（Shift_JIS または UTF-8、3,000行まで）", file),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "取り込む")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = file.files[0];
    if (!chosen) return;
    const button = form.querySelector("button");
    button.disabled = true;
    try {
      const record = await api("POST", `/cohorts/${encodeURIComponent(cohort.value)}/imports`, {
        body: chosen, contentType: "text/csv",
        query: { municipality_code: municipality.value, filename: chosen.name },
      });
      say(notice, "ok", `取り込みました：受付 ${record.counts.accepted}件、重複 ${record.counts.duplicate}件、受付不可 ${record.counts.refused}件。`);
      showReport(report, record);
    } catch (error) {
      say(notice, "error", error instanceof ApiError ? error.message : "取り込めませんでした。");
    } finally {
      button.disabled = false;
    }
  });
  main.replaceChildren(h("h2", {}, "申込CSVの取込"), notice, codes, form, report);
}

function showReport(target, record) {
  target.replaceChildren(
    h("h3", {}, `取込結果（${record.filename || record.import_id}）`),
    h("p", {}, h("a", { class: "button", href: `/imports/${encodeURIComponent(record.import_id)}/report.csv`, download: "" },
      "行ごとの結果をCSVでダウンロード（市区町村へ返送用・個人情報なし）")),
    table("行ごとの結果", [
      { label: "行", value: (r) => String(r.line) },
      { label: "申込番号", value: (r) => r.application_number || "" },
      { label: "結果", value: (r) => h("span", { class: `tag ${r.outcome}` }, OUTCOME_JA[r.outcome]) },
      { label: "状態", value: (r) => STATUS_JA[r.status] || "" },
      { label: "理由", value: (r) => r.message_ja || "" },
    ], record.rows));
}
