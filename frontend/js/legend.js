// The plot's legend, in HTML under the plot: one entry per run with its line style, name and
// status, and the run's current step and loss, updated every frame (cheap: a text node).
// Clicking an entry hides or shows that run.

import { runStyle } from "./figures.js";
import { formatNumber, runLabel, statusStyle, statusText } from "./state.js";

const DASH_ARRAY = { solid: "", dash: "6 4", dot: "2 3", dashdot: "6 3 2 3", longdash: "10 4", longdashdot: "10 3 2 3" };

function swatch(color, i) {
  const s = runStyle(i);
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 30 12");
  svg.setAttribute("width", "30");
  svg.setAttribute("height", "12");
  svg.setAttribute("aria-hidden", "true");
  const line = document.createElementNS(ns, "line");
  Object.entries({ x1: 1, y1: 6, x2: 29, y2: 6, stroke: color, "stroke-width": Math.min(s.width, 4), "stroke-dasharray": DASH_ARRAY[s.dash] }).forEach(([k, v]) => line.setAttribute(k, v));
  const dot = document.createElementNS(ns, "circle");
  Object.entries({ cx: 15, cy: 6, r: Math.min(s.head, 5), fill: color, stroke: "#1b2330", "stroke-width": 1 }).forEach(([k, v]) => dot.setAttribute(k, v));
  svg.append(line, dot);
  return svg;
}

export function renderLegend(el, runs, results, hidden, onToggle) {
  el.replaceChildren(...runs.map((run, i) => {
    const li = document.createElement("li");
    li.className = "legend-item";
    li.dataset.run = run.uid;
    const button = document.createElement("button");
    button.type = "button";
    button.setAttribute("aria-pressed", String(!hidden.has(run.uid)));
    button.title = "Show or hide this run";
    const name = document.createElement("span");
    name.className = "legend-name";
    name.textContent = `${i + 1}. ${runLabel(run)}`;
    const status = document.createElement("span");
    status.className = "legend-status";
    status.dataset.status = statusStyle(results[run.uid]);
    status.textContent = statusText(results[run.uid]);
    const live = document.createElement("span");
    live.className = "legend-live";
    button.append(swatch(run.color, i), name, status, live);
    button.addEventListener("click", () => onToggle(run.uid));
    li.append(button);
    return li;
  }));
}

// "step 120 · loss 0.0341" beside each run's entry.
export function updateLegend(el, heads) {
  for (const h of heads) {
    const live = el.querySelector(`[data-run="${h.uid}"] .legend-live`);
    if (live) live.textContent = `step ${h.step} · loss ${formatNumber(h.loss)}`;
  }
}
