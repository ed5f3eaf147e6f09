// 報告: charts per cohort (participation, loans, sessions, tablets), the CSV downloads, and the
// monthly report for the council as an Excel workbook. Aggregates only: no personal data here,
// so every staff role (viewers too) may see it.

import { api, cohortOptions, DEVICE_JA, field, h, KIND_JA, select, STATUS_JA, todayJst } from "./api.js";
import { barChart } from "./charts.js";

export async function render(main) {
  const { cohorts, options } = await cohortOptions();
  const names = Object.fromEntries(cohorts.map((c) => [c.cohort_id, c.name]));
  const cohort = select("cohort_id", options, "");
  const month = h("input", { type: "month", name: "month", value: todayJst().slice(0, 7), required: true });
  const monthCohort = select("cohort_id", options, "");
  const download = h("a", { class: "button", id: "monthly-download", download: "" }, "月次報告をExcelでダウンロード");
  const sync = () => {
    const query = new URLSearchParams({ month: month.value });
    if (monthCohort.value) query.set("cohort_id", monthCohort.value);
    download.href = `/reports/monthly.xlsx?${query}`;
  };
  month.addEventListener("input", sync);
  monthCohort.addEventListener("change", sync);
  sync();
  const charts = h("div", { class: "charts" });

  async function load() {
    const query = { cohort_id: cohort.value };
    const [participation, loans, sessions, devices] = await Promise.all([
      api("GET", "/reports/participation", { query }),
      api("GET", "/reports/loans", { query }),
      api("GET", "/reports/sessions", { query }),
      api("GET", "/reports/devices"),
    ]);
    const shown = cohort.value ? [cohort.value] : [...new Set([...participation, ...loans].map((r) => r.cohort_id))];
    const blocks = shown.map((id) => {
      const areas = participation.filter((r) => r.cohort_id === id);
      const loanRow = loans.find((r) => r.cohort_id === id);
      const held = sessions.filter((r) => r.cohort_id === id && !r.cancelled);
      return h("section", { class: "cohort-report", "aria-label": `${names[id] || id}の報告` },
        h("h3", {}, names[id] || id),
        areas.length ? barChart({
          title: `${names[id] || id}：地域別の参加状況（人）`,
          categories: areas.map((r) => r.area_name),
          series: ["enrolled", "waitlisted", "applied", "withdrawn"].map((key) => ({ name: STATUS_JA[key], values: areas.map((r) => r[key]) })),
        }) : h("p", { class: "empty" }, "申込はまだありません。"),
        loanRow ? barChart({
          title: `${names[id] || id}：貸出の状況（件）`,
          categories: ["貸出中", "期限間近", "期限超過", "訪問回収", "返却済", "破損", "紛失"],
          series: [{ name: "件数", values: ["active", "due_soon", "overdue", "visit_required", "returned", "damaged", "lost"].map((k) => loanRow[k]) }],
        }) : h("p", { class: "empty" }, "貸出はまだありません。"),
        held.length ? barChart({
          title: `${names[id] || id}：説明会・講座の充足率（予約と当日参加）`,
          percent: true,
          categories: held.map((r) => `${r.starts_at.slice(5, 10).replace("-", "/")} ${KIND_JA[r.kind]}`),
          series: [{ name: "充足率", values: held.map((r) => r.fill_ratio) }],
        }) : h("p", { class: "empty" }, "説明会・講座はまだありません。"),
        held.some((r) => r.attendance_ratio !== null) ? barChart({
          title: `${names[id] || id}：出席率（開催済み）`,
          percent: true,
          categories: held.filter((r) => r.attendance_ratio !== null).map((r) => `${r.starts_at.slice(5, 10).replace("-", "/")} ${r.title}`),
          series: [{ name: "出席率", values: held.filter((r) => r.attendance_ratio !== null).map((r) => r.attendance_ratio) }],
        }) : null);
    });
    charts.replaceChildren(...blocks, h("section", { class: "cohort-report", "aria-label": "端末の報告" },
      h("h3", {}, "端末"),
      barChart({
        title: "端末の状況（全体・台）",
        categories: Object.values(DEVICE_JA),
        series: [{ name: "台数", values: Object.keys(DEVICE_JA).map((k) => devices[k] || 0) }],
      })));
  }
  cohort.addEventListener("change", load);
  const csv = (name, label) => h("a", { href: `/reports/${name}?format=csv`, download: "" }, label);
  main.replaceChildren(
    h("h2", {}, "報告"),
    h("div", { id: "view-status" }),
    h("section", { class: "card", "aria-labelledby": "monthly-title" },
      h("h3", { id: "monthly-title" }, "協議会への月次報告"),
      h("p", {}, "その月の申込・参加決定・貸出・返却・説明会と、作成時点の状況をまとめた Excel ファイルです（個人情報は含みません）。"),
      h("div", { class: "filters" }, field("対象の月", month), field("期", monthCohort), download)),
    h("p", { class: "downloads" }, "CSV：", csv("participation", "参加状況"), "　", csv("loans", "貸出"), "　", csv("sessions", "説明会・講座")),
    h("div", { class: "filters" }, field("グラフの期", cohort)),
    charts);
  await load();
}
