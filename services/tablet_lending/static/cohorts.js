// 期（コホート）: capacity and fill, applicants waiting for the draw, and the draw itself.

import { api, ApiError, day, field, h, say, table, todayJst } from "./api.js";
import { meter } from "./charts.js";

export async function render(main, ctx) {
  const [statuses, participation] = await Promise.all([
    api("GET", "/reports/cohorts"),
    api("GET", "/reports/participation"),
  ]);
  const cohorts = statuses.map((s) => s.cohort);
  const counts = {};
  for (const row of participation) {
    const total = counts[row.cohort_id] || (counts[row.cohort_id] = { applied: 0, waitlisted: 0, enrolled: 0, withdrawn: 0 });
    for (const key of Object.keys(total)) total[key] += row[key];
  }
  const status = h("div", { id: "view-status" });
  const rows = cohorts.map((cohort, i) => ({ cohort, state: statuses[i], count: counts[cohort.cohort_id] || {} }));
  main.replaceChildren(
    h("h2", {}, "期と定員"),
    status,
    table("期の一覧", [
      { label: "期", value: (r) => h("span", {}, r.cohort.name, h("br"), h("small", {}, r.cohort.cohort_id)) },
      { label: "対象地域", class: "wide", value: (r) => r.cohort.areas.map((a) => a.name).join("、") },
      { label: "貸出期間", value: (r) => `${day(r.cohort.lending_starts_on)} 〜 ${day(r.cohort.lending_ends_on)}` },
      { label: "定員", value: (r) => r.cohort.capacity.toLocaleString("ja-JP") },
      { label: "参加", value: (r) => r.state.enrolled.toLocaleString("ja-JP") },
      { label: "残り", value: (r) => r.state.seats_left.toLocaleString("ja-JP") },
      { label: "充足", value: (r) => meter(r.state.enrolled, r.cohort.capacity, `${r.cohort.name} 定員${r.cohort.capacity}名のうち${r.state.enrolled}名`) },
      { label: "抽選待ち", value: (r) => String(r.count.applied || 0) },
      { label: "補欠", value: (r) => String(r.count.waitlisted || 0) },
      { label: "抽選", value: (r) => drawCell(r, ctx, status) },
    ], rows),
    ctx.can("operator") ? newCohortForm(ctx, status) : null,
  );
}

function drawCell(row, ctx, status) {
  if (row.state.drawn) return h("span", { class: "tag ok" }, "抽選済み");
  if (row.cohort.lending_ends_on < todayJst()) return h("span", { class: "muted" }, "終了した期");
  if (!ctx.can("supervisor")) return h("span", { class: "muted nowrap" }, "未実施（統括が実施）");
  const seed = h("input", { name: "seed", minlength: "8", maxlength: "128", placeholder: "空欄なら自動", size: "12" });
  const form = h("form", { class: "inline-form" },
    field("シード（任意）", seed),
    h("button", { type: "submit" }, `${row.cohort.name}の抽選を実行`));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const waiting = row.count.applied || 0;
    if (!confirm(`${row.cohort.name}の抽選を実行します（抽選待ち ${waiting}名、定員 ${row.cohort.capacity}名）。よろしいですか？`)) return;
    try {
      const result = await api("POST", `/cohorts/${encodeURIComponent(row.cohort.cohort_id)}/lottery`,
        { json: { seed: seed.value || null } });
      await ctx.reload();
      say(document.getElementById("view-status"), "ok",
        `抽選しました：参加 ${result.enrolled.length}名、補欠 ${result.waitlisted.length}名（シード ${result.seed}、記録 ${result.lottery_id}）。`);
    } catch (error) {
      say(status, "error", error instanceof ApiError ? error.message : "抽選できませんでした。");
    }
  });
  return form;
}

function newCohortForm(ctx, status) {
  const inputs = {
    cohort_id: h("input", { name: "cohort_id", required: true, pattern: "[a-z0-9][a-z0-9-]{1,40}", placeholder: "phase-5" }),
    name: h("input", { name: "name", required: true, maxlength: "40", placeholder: "第5期" }),
    areas: h("textarea", { name: "areas", required: true, rows: "3", placeholder: "27116 大阪市生野区\n27119 大阪市阿倍野区" }),
    lending_starts_on: h("input", { name: "lending_starts_on", type: "date", required: true }),
    lending_ends_on: h("input", { name: "lending_ends_on", type: "date", required: true }),
    capacity: h("input", { name: "capacity", type: "number", min: "1", max: "100000", required: true }),
  };
  const form = h("form", { class: "card grid-form" },
    field("期ID（半角英小文字・数字・-）", inputs.cohort_id),
    field("名称", inputs.name),
    field("対象地域（1行に「コード 地域名」）", inputs.areas),
    field("貸出開始日", inputs.lending_starts_on),
    field("貸出終了日", inputs.lending_ends_on),
    field("定員", inputs.capacity),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "期を作成")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const areas = inputs.areas.value.split("\n").map((line) => line.trim()).filter(Boolean).map((line) => {
      const [code, ...name] = line.split(/\s+/);
      return { code, name: name.join(" ") };
    });
    try {
      await api("POST", "/cohorts", { json: {
        cohort_id: inputs.cohort_id.value, name: inputs.name.value, areas,
        lending_starts_on: inputs.lending_starts_on.value, lending_ends_on: inputs.lending_ends_on.value,
        capacity: Number(inputs.capacity.value),
      } });
      await ctx.reload();
      say(document.getElementById("view-status"), "ok", `期「${inputs.name.value}」を作成しました。`);
    } catch (error) {
      say(status, "error", error instanceof ApiError ? error.message : "作成できませんでした。");
    }
  });
  return h("details", { class: "more" }, h("summary", {}, "新しい期を作る"), form);
}
