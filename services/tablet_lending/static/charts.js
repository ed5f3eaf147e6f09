// Charts drawn as plain SVG by this file (no library): horizontal bars, one row per category,
// stacked by series. Every chart has a title, a legend, and the same numbers as a table beside
// it for screen readers and for reading exact values.

import { h, table } from "./api.js";

const NS = "http://www.w3.org/2000/svg";

function s(tag, attrs = {}, ...children) {
  const node = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  for (const child of children) {
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// categories: labels; series: [{name, values: [number per category]}]; percent: values are 0..1
export function barChart({ title, categories, series, percent = false, max }) {
  const rowHeight = 28;
  const labelWidth = 190;
  const width = 640;
  const plot = width - labelWidth - 70;
  const height = categories.length * rowHeight + 40;
  const totals = categories.map((_, i) => series.reduce((sum, one) => sum + (one.values[i] || 0), 0));
  // Whole-number ticks for counts: four equal steps of 1, 2, 5, 10, 20, 50, ...
  const step = percent ? 0.25 : niceStep(Math.max(1, ...totals) / 4);
  const top = max ?? step * 4;
  const svg = s("svg", {
    viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": title, class: "chart",
    preserveAspectRatio: "xMinYMin meet",
  });
  svg.append(s("title", {}, title));
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    const x = labelWidth + plot * tick;
    svg.append(s("line", { x1: x, x2: x, y1: 4, y2: height - 28, class: "grid" }));
    svg.append(s("text", { x, y: height - 10, class: "tick", "text-anchor": "middle" },
      percent ? `${Math.round(tick * 100)}%` : formatNumber(top * tick)));
  }
  categories.forEach((label, i) => {
    const y = 8 + i * rowHeight;
    svg.append(s("text", { x: labelWidth - 8, y: y + 15, class: "label", "text-anchor": "end" },
      label.length > 14 ? label.slice(0, 13) + "…" : label));
    let x = labelWidth;
    series.forEach((one, k) => {
      const value = one.values[i] || 0;
      const w = top ? (plot * value) / top : 0;
      if (w > 0) {
        const bar = s("rect", { x, y, width: w, height: rowHeight - 8, class: `bar s${k}` });
        bar.append(s("title", {}, `${label} ${one.name}: ${show(value, percent)}`));
        svg.append(bar);
      }
      x += w;
    });
    svg.append(s("text", { x: x + 6, y: y + 15, class: "value" },
      show(series.length === 1 ? series[0].values[i] || 0 : totals[i], percent)));
  });
  const legend = series.length > 1
    ? h("ul", { class: "legend" }, series.map((one, k) =>
      h("li", {}, h("span", { class: `swatch s${k}`, "aria-hidden": "true" }), one.name)))
    : null;
  const numbers = table(title, [
    { label: "項目", value: (i) => categories[i] },
    ...series.map((one) => ({ label: one.name, value: (i) => show(one.values[i] || 0, percent) })),
  ], categories.map((_, i) => i));
  return h("figure", { class: "chart-box" },
    h("figcaption", {}, title), svg, legend,
    h("details", {}, h("summary", {}, "数値を表で見る"), numbers));
}

function niceStep(raw) {
  const power = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  for (const factor of [1, 2, 5, 10]) {
    if (factor * power >= raw) return Math.max(1, factor * power);
  }
  return 10 * power;
}

function show(value, percent) {
  return percent ? `${Math.round(value * 100)}%` : formatNumber(value);
}

function formatNumber(value) {
  return Number.isInteger(value) ? value.toLocaleString("ja-JP") : value.toFixed(1);
}

// A small fill meter for tables: filled / capacity, as a bar with the percentage beside it.
export function meter(filled, capacity, label) {
  const ratio = capacity ? Math.min(filled / capacity, 1) : 0;
  const svg = s("svg", { viewBox: "0 0 100 12", class: "meter", "aria-hidden": "true" },
    s("rect", { x: 0, y: 0, width: 100, height: 12, class: "meter-back" }),
    s("rect", { x: 0, y: 0, width: 100 * ratio, height: 12, class: "meter-fill" }));
  return h("span", { class: "meter-box", title: label },
    svg, h("span", {}, `${Math.round(ratio * 100)}%`),
    h("span", { class: "visually-hidden" }, label));
}
