// Curvature you can see. Three pieces, all fed by POST /api/curvature:
// - a readout of f, the gradient, the Hessian's eigenvalues and eigenvectors, the kind of
//   point, the condition number and 2/λmax under the cursor, with the eigenvectors drawn as
//   two short axes at the cursor (an SVG layer above the plot: no Plotly redraw per move);
// - 2/λmax along each run for the learning-rate chart (plain gradient descent is stable
//   only below it, so a rate above the dashed line is visible where it happens);
// - "Suggest": lr = 1/λmax at the start point.

import { postJSON } from "./api.js";
import { formatNumber } from "./state.js";

const HOVER_DELAY = 60; // ms of stillness before asking the server
const MAX_POINTS = 2000; // points per run sent for the stability bound (decimated)
const AXIS_PX = 34; // drawn length of the stronger eigen-axis
const UP = "#1f6fd1"; // curves up
const DOWN = "#d13b1f"; // curves down
const SVG = "http://www.w3.org/2000/svg";

export function curvatureAt(surface, points, options) {
  return postJSON("/api/curvature", { surface, points }, options);
}

// ---- the hover readout ----------------------------------------------------------------------

// Pixel <-> data mapping of a 2D Plotly plot (null when it is not a drawn 2D plot).
function plotFrame(plot) {
  const area = plot.querySelector(".nsewdrag");
  const layout = plot._fullLayout;
  if (!area || !layout?.xaxis?.range || !layout?.yaxis?.range) return null;
  const box = area.getBoundingClientRect();
  const [x0, x1] = layout.xaxis.range;
  const [y0, y1] = layout.yaxis.range;
  return {
    box,
    toData: (cx, cy) => [x0 + ((cx - box.left) / box.width) * (x1 - x0), y1 - ((cy - box.top) / box.height) * (y1 - y0)],
    toPixel: (x, y) => [box.left + ((x - x0) / (x1 - x0)) * box.width, box.top + ((y1 - y) / (y1 - y0)) * box.height],
    // screen pixels per data unit, along x and y
    scale: [box.width / (x1 - x0), box.height / (y1 - y0)],
  };
}

const fmt = (v) => (v === null || v === undefined ? "–" : formatNumber(v));
const KIND_TEXT = {
  minimum: "minimum-like bowl (curves up)",
  maximum: "maximum-like cap (curves down)",
  saddle: "saddle (up one way, down the other)",
  flat: "flat along one direction",
};

function readoutRows(c, [x, y]) {
  const [g] = c.gradient;
  const [[l1, l2]] = c.eigenvalues;
  const [[v1, v2]] = c.eigenvectors;
  const kind = c.kind[0];
  return [
    ["at", `(${fmt(x)}, ${fmt(y)})`],
    ["f", fmt(c.value[0])],
    ["∇f", `(${fmt(g[0])}, ${fmt(g[1])})`],
    ["λ₁, v₁", `${fmt(l1)}, (${fmt(v1?.[0])}, ${fmt(v1?.[1])})`],
    ["λ₂, v₂", `${fmt(l2)}, (${fmt(v2?.[0])}, ${fmt(v2?.[1])})`],
    ["kind", KIND_TEXT[kind] || "–", kind || ""],
    ["κ", fmt(c.condition_number[0])],
    ["2/λmax", c.max_stable_lr[0] === null ? "none (no upward curvature)" : fmt(c.max_stable_lr[0])],
  ];
}

function makeOverlay(panel) {
  const readout = document.createElement("div");
  readout.className = "curvature-readout";
  readout.id = "curvature-readout";
  readout.setAttribute("role", "status");
  readout.setAttribute("aria-label", "Curvature at the cursor or the tapped point");
  readout.hidden = true;
  const svg = document.createElementNS(SVG, "svg");
  svg.classList.add("curvature-axes");
  svg.setAttribute("aria-hidden", "true");
  panel.append(readout, svg);
  return { readout, svg };
}

function drawAxes(svg, panel, frame, point, c) {
  const origin = panel.getBoundingClientRect();
  const [px, py] = frame.toPixel(...point);
  const [[l1, l2]] = c.eigenvalues;
  const vectors = c.eigenvectors[0];
  const big = Math.max(Math.abs(l1), Math.abs(l2));
  const lines = [];
  [l1, l2].forEach((lam, i) => {
    const v = vectors[i];
    if (lam === null || !v || v[0] === null) return;
    // data direction -> screen direction (y points down on screen)
    let dx = v[0] * frame.scale[0];
    let dy = -v[1] * frame.scale[1];
    const n = Math.hypot(dx, dy) || 1;
    const len = AXIS_PX * (big > 0 ? 0.35 + 0.65 * (Math.abs(lam) / big) : 0.35);
    dx = (dx / n) * len;
    dy = (dy / n) * len;
    const cx = px - origin.left;
    const cy = py - origin.top;
    const line = document.createElementNS(SVG, "line");
    line.setAttribute("x1", String(cx - dx));
    line.setAttribute("y1", String(cy - dy));
    line.setAttribute("x2", String(cx + dx));
    line.setAttribute("y2", String(cy + dy));
    line.setAttribute("stroke", lam >= 0 ? UP : DOWN);
    line.setAttribute("stroke-width", "3");
    line.setAttribute("stroke-linecap", "round");
    line.dataset.eigen = String(i + 1);
    line.dataset.lambda = String(lam);
    lines.push(line);
  });
  svg.replaceChildren(...lines);
}

// Follow the cursor over the 2D contour plot and show the curvature there. A touch screen has
// no cursor: there the readout shows for a tapped point (pin) and stays until the next tap.
// surfaceId(): the surface to ask about, or null to stay quiet (3D view, no plot).
export function attachHoverReadout(plot, surfaceId) {
  const panel = plot.parentElement;
  const { readout, svg } = makeOverlay(panel);
  let timer = null;
  let controller = null;
  let cursor = null;
  let pinned = false;

  function hide() {
    clearTimeout(timer);
    controller?.abort();
    cursor = null;
    pinned = false;
    readout.hidden = true;
    delete readout.dataset.pinned;
    svg.replaceChildren();
  }

  // Show the curvature at a data point until the next pin or hide (touch screens).
  function pin(point) {
    const surface = surfaceId();
    if (!surface || !plotFrame(plot)) return hide();
    clearTimeout(timer);
    pinned = true;
    readout.dataset.pinned = "true";
    cursor = point;
    ask(point, surface);
  }

  async function ask(point, surface) {
    controller?.abort();
    controller = new AbortController();
    let c;
    try {
      c = await curvatureAt(surface, [point], { signal: controller.signal });
    } catch (err) {
      if (err.name !== "AbortError") readout.textContent = `curvature: ${err.message}`;
      return;
    }
    if (cursor !== point) return; // the cursor has moved on
    const frame = plotFrame(plot);
    if (!frame) return;
    readout.replaceChildren(
      ...readoutRows(c, point).map(([name, value, kind]) => {
        const row = document.createElement("div");
        row.className = "curvature-row";
        const k = document.createElement("span");
        k.className = "curvature-key";
        k.textContent = name;
        const v = document.createElement("span");
        v.className = "curvature-value";
        v.textContent = value;
        if (kind) v.dataset.kind = kind;
        row.append(k, v);
        return row;
      }),
    );
    readout.dataset.kind = c.kind[0] || "";
    readout.dataset.maxStableLr = String(c.max_stable_lr[0]);
    readout.hidden = false;
    // A pinned readout (touch) sits under the plot, in the page's flow: on a phone a box over
    // the plot would hide most of it, the tapped point included.
    readout.classList.toggle("docked", pinned);
    if (pinned) {
      readout.style.left = "";
      readout.style.top = "";
      drawAxes(svg, panel, frame, point, c);
      return;
    }
    // Inside the plot area, away from the cursor: top-left corner, or bottom-left when the
    // cursor is there.
    const [px, py] = frame.toPixel(...point);
    const origin = panel.getBoundingClientRect();
    const nearTop = py - frame.box.top < readout.offsetHeight + 24 && px - frame.box.left < readout.offsetWidth + 24;
    const top = nearTop ? frame.box.bottom - readout.offsetHeight - 8 : frame.box.top + 8;
    readout.style.left = `${frame.box.left - origin.left + 8}px`;
    readout.style.top = `${top - origin.top}px`;
    drawAxes(svg, panel, frame, point, c);
  }

  plot.addEventListener("mousemove", (e) => {
    if (pinned) return; // a touch screen's compatibility mouse events
    const surface = surfaceId();
    const frame = surface && plotFrame(plot);
    if (!frame) return hide();
    const { box } = frame;
    if (e.clientX < box.left || e.clientX > box.right || e.clientY < box.top || e.clientY > box.bottom) return hide();
    const point = frame.toData(e.clientX, e.clientY).map((v) => Number(v.toPrecision(6)));
    cursor = point;
    clearTimeout(timer);
    timer = setTimeout(() => ask(point, surface), HOVER_DELAY);
  });
  plot.addEventListener("mouseleave", () => { if (!pinned) hide(); });
  // A mouse moving in again takes over from a pinned readout.
  plot.addEventListener("pointermove", (e) => { if (pinned && e.pointerType === "mouse") pinned = false; });
  return { hide, pin };
}

// ---- 2/λmax along each run ------------------------------------------------------------------

// result -> {steps, bound} once the server has answered; pending requests are remembered too.
const bounds = new WeakMap();

// Ask for 2/λmax along every finished run that has none yet; onReady() when one arrives.
export function requestStabilityBounds(surface, runs, results, onReady) {
  for (const run of runs) {
    const r = results[run.uid];
    if (!r?.status || r.error || !r.points?.length || bounds.has(r)) continue;
    const every = Math.max(1, Math.ceil(r.points.length / MAX_POINTS));
    const steps = [];
    for (let k = 0; k < r.points.length; k += every) steps.push(k);
    if (steps[steps.length - 1] !== r.points.length - 1) steps.push(r.points.length - 1);
    const entry = { steps, bound: null };
    bounds.set(r, entry);
    curvatureAt(surface, steps.map((k) => r.points[k]))
      .then((c) => {
        entry.bound = c.max_stable_lr;
        onReady();
      })
      .catch(() => {}); // the chart simply goes without the bound
  }
}

// Add a dashed 2/λmax line per run to the learning-rate figure, and keep the y axis on the
// learning rates (a bound far above them is clipped at the top, never squashes the chart).
export function withStabilityBounds(figure, runs, results) {
  const traces = [];
  let top = 0;
  for (const run of runs) {
    const r = results[run.uid];
    for (const v of r?.lr || []) if (Number.isFinite(v)) top = Math.max(top, v);
    const entry = r && bounds.get(r);
    if (!entry?.bound) continue;
    traces.push({
      type: "scatter", mode: "lines", x: entry.steps, y: entry.bound, name: "2/λmax",
      line: { color: run.color, width: 1.6, dash: "dash" }, opacity: 0.9, showlegend: false, connectgaps: false,
      hovertemplate: `run ${runs.indexOf(run) + 1}: 2/λmax %{y:.4g} at step %{x}<br>plain GD is stable below<extra></extra>`,
      meta: { run: run.uid, role: "stability" },
    });
  }
  if (!traces.length || top <= 0) return figure;
  const yaxis = { ...figure.layout.yaxis };
  if (yaxis.type === "log") {
    const lows = runs.flatMap((run) => (results[run.uid]?.lr || []).filter((v) => v > 0));
    const lo = Math.log10(Math.min(...lows));
    yaxis.range = [lo - 0.3, Math.log10(top) + 0.6];
  } else {
    yaxis.range = [0, top * 2.2];
  }
  yaxis.autorange = false;
  const note = {
    xref: "paper", yref: "paper", x: 1, y: 1, xanchor: "right", yanchor: "top", showarrow: false,
    text: "dashed: 2/λmax at the run's point (plain GD is stable below)", font: { size: 11, color: "#3d4757" },
    bgcolor: "rgba(255,255,255,0.85)",
  };
  return {
    data: [...figure.data, ...traces],
    layout: { ...figure.layout, yaxis, annotations: [...(figure.layout.annotations || []), note] },
  };
}

// ---- "Suggest" learning rate ----------------------------------------------------------------

export const SUGGEST_HELP =
  "Suggest sets lr = 1/λmax, with λmax the largest curvature (Hessian eigenvalue) at the start: " +
  "half of 2/λmax, the largest rate at which plain gradient descent is stable there.";

// A "Suggest" button beside the learning-rate box; onSuggest(lr) applies the rate.
export function attachSuggestButton(lrBox, surfaceId, startPoint, onSuggest) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "btn btn-small";
  button.id = "suggest-lr";
  button.textContent = "Suggest";
  button.title = SUGGEST_HELP;
  const note = document.createElement("p");
  note.className = "hint";
  note.id = "suggest-lr-note";
  note.textContent = SUGGEST_HELP;
  button.setAttribute("aria-describedby", note.id);
  lrBox.closest(".control").after(note);
  lrBox.closest(".lr-inputs").append(button);
  button.addEventListener("click", async () => {
    const start = startPoint();
    try {
      const c = await curvatureAt(surfaceId(), [start]);
      const bound = c.max_stable_lr[0];
      if (bound === null) {
        note.textContent = "No upward curvature at the start (λmax ≤ 0): nothing bounds the rate there, so lr is unchanged.";
        return;
      }
      const lr = Number((bound / 2).toPrecision(3));
      const lmax = c.eigenvalues[0][1];
      note.textContent = `lr = 1/λmax = ${fmt(lr)} (λmax = ${fmt(lmax)} at the start); plain gradient descent is stable below 2/λmax = ${fmt(bound)}.`;
      onSuggest(lr);
    } catch (err) {
      note.textContent = `Could not compute the curvature: ${err.message}`;
    }
  });
  return button;
}
