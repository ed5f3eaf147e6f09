// 説明会・講座: the schedule with seats, scheduling a new one, and the roll call (出欠) of a
// session: who booked, who came, and walk-ins found by name.

import {
  api, ApiError, fullName, cohortOptions, dayTime, field, h, KIND_JA, say, select, STATUS_JA, table,
  todayJst,
} from "./api.js";

export async function render(main, ctx) {
  if (ctx.params[0] && ctx.can("operator")) return rollCall(main, ctx, ctx.params[0]);
  const { cohorts, options } = await cohortOptions();
  const cohort = select("cohort_id", options, "");
  // Where each session is: the cohort's area by its code (Dai-chan lists a senior's own first).
  const areaNames = new Map(cohorts.flatMap((c) => c.areas.map((a) => [a.code, a.name])));
  const areaOf = (s) => s.area_code ? areaNames.get(s.area_code) || s.area_code : "指定なし";
  const list = h("div", {});
  const notice = h("div", { id: "view-status" });

  async function load() {
    const sessions = await api("GET", "/sessions", { query: { cohort_id: cohort.value } });
    list.replaceChildren(table("説明会・講座の一覧", [
      { label: "日時", value: (s) => dayTime(s.starts_at) },
      { label: "種類", value: (s) => KIND_JA[s.kind] },
      { label: "名称", value: (s) => s.title },
      { label: "会場", value: (s) => s.venue },
      { label: "地域", value: areaOf },
      { label: "期", value: (s) => s.cohort_id },
      { label: "定員", value: (s) => String(s.capacity) },
      { label: "予約", value: (s) => String(s.booked) },
      { label: "残席", value: (s) => s.cancelled ? "—" : String(s.seats_left) },
      { label: "状態・操作", value: (s) => s.cancelled ? h("span", { class: "tag refused" }, "中止")
        : ctx.can("operator") ? h("span", { class: "row-actions" },
          h("a", { class: "button", href: `#/sessions/${encodeURIComponent(s.session_id)}` }, `出欠（${s.title}）`),
          h("button", { type: "button", class: "danger", onclick: () => cancel(s, notice, load) }, "中止")) : "" },
    ], sessions, "予定はありません。"));
  }
  cohort.addEventListener("change", load);
  main.replaceChildren(h("h2", {}, "説明会・講座"), notice,
    h("div", { class: "filters" }, field("期", cohort)), list,
    ctx.can("operator") ? scheduleForm(cohorts, options.slice(1), notice, load) : null);
  await load();
}

async function cancel(session, notice, load) {
  if (!confirm(`「${session.title}」（${dayTime(session.starts_at)}）を中止します。予約した人には LINE で知らせます。よろしいですか？`)) return;
  try {
    await api("POST", `/sessions/${encodeURIComponent(session.session_id)}/cancel`);
    await load();
    say(notice, "ok", `「${session.title}」を中止しました。`);
  } catch (error) {
    say(notice, "error", error instanceof ApiError ? error.message : "中止できませんでした。");
  }
}

// The areas a session of `cohort` may be in: the cohort's own (the API refuses any other).
function areaOptions(cohort) {
  return [["", "指定なし"], ...(cohort?.areas || []).map((a) => [a.code, `${a.name}（${a.code}）`])];
}

function scheduleForm(cohortList, cohorts, notice, load) {
  const byId = new Map(cohortList.map((c) => [c.cohort_id, c]));
  const f = {
    cohort: select("cohort_id", cohorts, cohorts[0]?.[0]),
    area: select("area_code", areaOptions(byId.get(cohorts[0]?.[0])), ""),
    kind: select("kind", Object.entries(KIND_JA), "follow_up"),
    title: h("input", { required: true, maxlength: "80", placeholder: "フォローアップ説明会（LINEの使い方）" }),
    venue: h("input", { required: true, maxlength: "120", placeholder: "生野区民センター 第1会議室" }),
    date: h("input", { type: "date", required: true, value: todayJst() }),
    starts: h("input", { type: "time", required: true, value: "14:00" }),
    ends: h("input", { type: "time", required: true, value: "15:30" }),
    capacity: h("input", { type: "number", min: "1", max: "10000", required: true, value: "20" }),
  };
  const form = h("form", { class: "card grid-form" },
    field("期", f.cohort), field("種類", f.kind), field("名称", f.title), field("会場", f.venue),
    field("地域", f.area, "会場のある市区町村（大ちゃんは、その地域の人に先に案内します）"),
    field("日付", f.date), field("開始", f.starts), field("終了", f.ends), field("定員", f.capacity),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "予定を登録")));
  f.cohort.addEventListener("change", () => {
    f.area.replaceChildren(...areaOptions(byId.get(f.cohort.value)).map(([value, label]) =>
      h("option", { value }, label)));
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const made = await api("POST", "/sessions", { json: {
        area_code: f.area.value || null,
        cohort_id: f.cohort.value, kind: f.kind.value, title: f.title.value, venue: f.venue.value,
        starts_at: `${f.date.value}T${f.starts.value}:00+09:00`,
        ends_at: `${f.date.value}T${f.ends.value}:00+09:00`,
        capacity: Number(f.capacity.value),
      } });
      await load();
      say(notice, "ok", `「${made.title}」（${dayTime(made.starts_at)}、定員${made.capacity}名）を登録しました。`);
    } catch (error) {
      say(notice, "error", error instanceof ApiError ? error.message : "登録できませんでした。");
    }
  });
  return h("details", { class: "more" }, h("summary", {}, "説明会・講座を登録する"), form);
}

async function rollCall(main, ctx, sessionId) {
  const path = `/sessions/${encodeURIComponent(sessionId)}`;
  const [session, roster] = await Promise.all([api("GET", path), api("GET", `${path}/registrations`)]);
  const notice = h("div", { id: "view-status" });
  const standing = roster.filter((r) => r.status === "booked");

  async function mark(participantId, attended, name) {
    try {
      await api("POST", `${path}/attendance`, { json: { participant_id: participantId, attended } });
      await ctx.reload();
      say(document.getElementById("view-status"), "ok", `${name || participantId} さんを${attended ? "出席" : "欠席"}にしました。`);
    } catch (error) {
      say(notice, "error", error instanceof ApiError ? error.message : "記録できませんでした。");
    }
  }

  const started = new Date(session.starts_at) <= new Date();
  async function book(participantId, name) {
    try {
      await api("POST", `${path}/registrations`, { json: { participant_id: participantId } });
      await ctx.reload();
      say(document.getElementById("view-status"), "ok", `${name || participantId} さんの席を予約しました。`);
    } catch (error) {
      say(notice, "error", error instanceof ApiError ? error.message : "予約できませんでした。");
    }
  }
  const words = h("input", { type: "search", maxlength: "100", placeholder: "氏名・フリガナ・電話" });
  const found = h("div", {});
  const lookFor = started ? "当日参加の人を探す" : "予約する人を探す";
  const walkIn = h("form", { class: "filters", role: "search", "aria-label": lookFor },
    field(lookFor, words), h("button", { type: "submit" }, "探す"));
  walkIn.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const people = await api("GET", "/participants", { query: { cohort_id: session.cohort_id, q: words.value.trim(), limit: 20 } });
      found.replaceChildren(table("検索結果", [
        { label: "氏名", value: (p) => fullName(p) },
        { label: "フリガナ", value: (p) => p.personal ? `${p.personal.family_name_kana} ${p.personal.given_name_kana}` : "" },
        { label: "状態", value: (p) => STATUS_JA[p.status] },
        { label: "操作", value: (p) => started
          ? h("button", { type: "button", onclick: () => mark(p.participant_id, true, fullName(p)) }, `出席として記録（${fullName(p)}）`)
          : h("button", { type: "button", onclick: () => book(p.participant_id, fullName(p)) }, `予約する（${fullName(p)}）`) },
      ], people, "見つかりません。"));
    } catch (error) {
      say(notice, "error", error instanceof ApiError ? error.message : "検索できませんでした。");
    }
  });

  main.replaceChildren(
    h("p", {}, h("a", { href: "#/sessions" }, "← 一覧へ戻る")),
    h("h2", {}, `出欠：${session.title}`),
    h("p", {}, `${dayTime(session.starts_at)}　${session.venue}　定員 ${session.capacity}名・予約 ${session.booked}名・残席 ${session.seats_left}`),
    notice,
    table("出欠表", [
      { label: "氏名", value: (r) => r.name || r.participant_id },
      { label: "フリガナ", value: (r) => r.kana || "" },
      { label: "予約", value: (r) => r.walk_in ? "当日参加" : r.via === "line" ? "LINEで予約" : "事務局で予約" },
      { label: "出欠", value: (r) => r.attended === true ? h("span", { class: "tag ok" }, "出席") : r.attended === false ? h("span", { class: "tag refused" }, "欠席") : "未記録" },
      { label: "記録", value: (r) => !started ? h("span", { class: "muted" }, "開始後に記録") : h("span", { class: "row-actions" },
        h("button", { type: "button", "aria-pressed": String(r.attended === true), onclick: () => mark(r.participant_id, true, r.name) }, `出席（${r.name || r.participant_id}）`),
        h("button", { type: "button", class: "secondary", "aria-pressed": String(r.attended === false), onclick: () => mark(r.participant_id, false, r.name) }, `欠席（${r.name || r.participant_id}）`)) },
    ], standing, "予約はまだありません。"),
    h("h3", {}, started ? "当日参加" : "席の予約"), walkIn, found,
  );
}
