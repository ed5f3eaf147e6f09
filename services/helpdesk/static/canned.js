// Canned responses: inserted into the reply; supervisors add, edit and delete them.

import { api, explain } from "./api.js";
import { $, announce, el, state, toast } from "./page.js";

export async function loadCanned() {
  const data = await api("GET", "/canned");
  state.canned = data.canned;
  const select = $("canned-select");
  select.replaceChildren(el("option", { value: "", text: "定型文を入れる…" }));
  for (const item of state.canned) select.append(el("option", { value: item.id, text: item.title }));
  const list = $("canned-list");
  list.replaceChildren();
  for (const item of state.canned) {
    const edit = el("button", { type: "button", text: `「${item.title}」を編集` });
    edit.addEventListener("click", () => {
      $("canned-id").value = item.id;
      $("canned-title-input").value = item.title;
      $("canned-body").value = item.body;
      $("canned-title-input").focus();
    });
    const remove = el("button", { type: "button", text: "削除" });
    remove.addEventListener("click", async () => {
      try { await api("DELETE", `/canned/${item.id}`); await loadCanned(); } catch (e) { toast(explain(e)); }
    });
    list.append(el("li", {}, edit, remove));
  }
}

$("canned-select").addEventListener("change", () => {
  const item = state.canned.find((c) => c.id === $("canned-select").value);
  if (item) {
    const area = $("reply-text");
    area.value = area.value ? `${area.value}\n${item.body}` : item.body;
    area.focus();
  }
  $("canned-select").value = "";
});

$("canned-manage").addEventListener("click", () => { $("canned-dialog").showModal(); $("canned-title-input").focus(); });
$("canned-close").addEventListener("click", () => $("canned-dialog").close());
$("canned-new").addEventListener("click", () => {
  $("canned-id").value = ""; $("canned-title-input").value = ""; $("canned-body").value = "";
  $("canned-title-input").focus();
});
$("canned-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const id = $("canned-id").value;
  const body = { title: $("canned-title-input").value.trim(), body: $("canned-body").value.trim() };
  try {
    await api(id ? "PUT" : "POST", id ? `/canned/${id}` : "/canned", body);
    $("canned-id").value = "";
    $("canned-form").reset();
    await loadCanned();
    announce("定型文を保存しました。");
  } catch (error) {
    toast(explain(error));
  }
});
