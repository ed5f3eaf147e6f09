// 端末: the inventory by state, registering a tablet, and the manual moves (repair, stock,
// lost, retired); a loan moves a tablet in and out of 貸出中 by itself.

import { api, ApiError, CONDITION_JA, DEVICE_JA, field, h, say, select, table } from "./api.js";

export const role = "operator";
// The same moves the API allows (services/tablet_lending/domain/devices.py); it checks again.
const MOVES = {
  in_stock: ["in_repair", "lost", "retired"],
  in_repair: ["in_stock", "lost", "retired"],
  lost: ["in_repair", "retired"],
  on_loan: [],
  retired: [],
};
const ACCESSORIES_JA = { charger: "充電器", case: "ケース", sim: "SIM" };

export async function render(main) {
  const state = select("state", [["", "すべての状態"], ...Object.entries(DEVICE_JA)], "");
  const list = h("div", {});
  const notice = h("div", { id: "view-status" });

  async function load() {
    const devices = await api("GET", "/devices", { query: { state: state.value, limit: 1000 } });
    list.replaceChildren(h("p", { class: "count" }, `${devices.length}台`), table("端末の一覧", [
      { label: "資産番号", value: (d) => d.device_id },
      { label: "機種", value: (d) => d.model },
      { label: "シリアル番号", value: (d) => d.serial_number },
      { label: "状態", value: (d) => h("span", { class: `tag ${d.state}` }, DEVICE_JA[d.state]) },
      { label: "コンディション", value: (d) => CONDITION_JA[d.condition] },
      { label: "付属品", value: (d) => Object.entries(ACCESSORIES_JA).filter(([k]) => d.accessories[k]).map(([, v]) => v).join("・") },
      { label: "状態の変更", value: (d) => move(d, notice, load) },
    ], devices, "端末はありません。"));
  }
  state.addEventListener("change", load);
  main.replaceChildren(h("h2", {}, "端末"), notice,
    h("div", { class: "filters" }, field("状態", state)), list, registerForm(notice, load));
  await load();
}

function move(device, notice, load) {
  const targets = MOVES[device.state] || [];
  if (!targets.length) return h("span", { class: "muted" }, device.state === "on_loan" ? "返却・紛失は貸出画面で" : "—");
  const to = select("state", targets.map((t) => [t, DEVICE_JA[t]]), targets[0]);
  to.setAttribute("aria-label", `${device.device_id} の新しい状態`);
  const form = h("form", { class: "inline-form" }, to, h("button", { type: "submit" }, "変更"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("POST", `/devices/${encodeURIComponent(device.device_id)}/state`, { json: { state: to.value } });
      await load();
      say(notice, "ok", `${device.device_id} を「${DEVICE_JA[to.value]}」にしました。`);
    } catch (error) {
      say(notice, "error", error instanceof ApiError ? error.message : "変更できませんでした。");
    }
  });
  return form;
}

function registerForm(notice, load) {
  const f = {
    device_id: h("input", { required: true, pattern: "[A-Z0-9][A-Z0-9-]{2,31}", placeholder: "OSL-T-0101" }),
    serial: h("input", { required: true, minlength: "3", maxlength: "64" }),
    model: h("input", { required: true, maxlength: "64", placeholder: "iPad（第9世代）" }),
    sim: h("input", { type: "checkbox" }),
  };
  const form = h("form", { class: "card grid-form" },
    field("資産番号（半角英大文字・数字・-）", f.device_id), field("シリアル番号", f.serial),
    field("機種", f.model), field("SIMあり", f.sim),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "端末を登録")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const made = await api("POST", "/devices", { json: {
        device_id: f.device_id.value, serial_number: f.serial.value, model: f.model.value,
        accessories: { charger: true, case: true, sim: f.sim.checked },
      } });
      await load();
      say(notice, "ok", `端末 ${made.device_id} を登録しました（在庫）。`);
      form.reset();
    } catch (error) {
      say(notice, "error", error instanceof ApiError ? error.message : "登録できませんでした。");
    }
  });
  return h("details", { class: "more" }, h("summary", {}, "端末を登録する"), form);
}
