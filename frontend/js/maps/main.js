// The Maps page: presets and the form set the maps (state.js), each map streams its sweep
// from POST /api/sweeps/stream and redraws as rows arrive; a click opens that cell's run.

import { ApiError, getJSON, postStream } from "../api.js";
import { fillSelect, paramControl, renderPresetButtons } from "../controls.js";
import { download, toCSV } from "../export.js";
import { renderHeader } from "../header.js";
import { attachMoreToggle } from "../lesson-more.js";
import { presetFromHash } from "../link.js";
import { plotConfig } from "../plot-config.js";
import { basinFigure, phaseFigure, sweepFigure, theoryFigure } from "./figures.js";
import { PRESETS, presetById } from "./presets.js";
import {
  addRows, catalog, cell, cellRun, defaults, emptyResult, optimizerInfo, optimizerPageLink,
  state, surfaceInfo, sweepRequest,
} from "./state.js";
import { decodeState, encodeState } from "./url-state.js";

const $ = (id) => document.getElementById(id);
const CONFIG = plotConfig(["select2d", "lasso2d"]); // a map is clicked, never selected
const grids = new Map(); // surface id -> contour grid
let controllers = [];
let pending = null; // debounced rerun after a form edit
window.gradscapeMaps = state; // for the curious (and the browser tests): the page's data

const KEYS = {
  basin: "Colour: the stationary point a run ends near (markers: ★ minimum, ✕ saddle, ◆ maximum; small dots: a curve of them, one colour); darker: more steps; black: diverged; grey: ended near none. Click a pixel to watch its run.",
  phase: "Black: diverged. Dashed: the plain-GD bound 2/λmax where it applies. Click a cell to watch its run.",
  sweep: "Final loss of each run against its learning rate (log-log); ✕ diverged. Click a point to watch its run.",
};

const compact = () => window.matchMedia("(max-width: 640px)").matches;

// ---- drawing -------------------------------------------------------------------------------

function figureFor(k) {
  const map = state.maps[k];
  if (map.kind === "theory") {
    const source = state.results[0];
    return source?.start_curvature ? theoryFigure(state.maps[0], source, compact()) : null;
  }
  const result = state.results[k];
  if (!result) return null;
  if (map.kind === "basin") {
    const surface = surfaceInfo(map.run.surface);
    return basinFigure(map, result, grids.get(map.run.surface), surface, compact());
  }
  return map.kind === "phase" ? phaseFigure(map, result, compact()) : sweepFigure(map, result, compact());
}

const drawQueued = new Set();
function draw(k) {
  if (drawQueued.has(k)) return;
  drawQueued.add(k);
  requestAnimationFrame(() => {
    drawQueued.delete(k);
    const figure = figureFor(k);
    const el = $(`map-${k}`);
    if (figure && el && window.Plotly) window.Plotly.react(el, figure.data, figure.layout, CONFIG);
  });
}

function setStatus(k, text, error = false) {
  const el = $(`map-status-${k}`);
  if (!el) return;
  el.textContent = text;
  el.classList.toggle("error", error);
}

// What the runs of a basin map reached: isolated minima are counted, a set of minima (a
// curve of them, one attractor) is named; every other stationary point is counted.
function reachedText(result) {
  const reached = [...new Set(result.attractor.flat().filter((a) => a !== null))]
    .map((a) => result.attractors[a]).filter(Boolean);
  const minima = reached.filter((p) => p.kind === "minimum");
  const sets = minima.filter((p) => (p.members?.length ?? 1) > 1).map((p) => p.label);
  const points = minima.length - sets.length;
  const others = reached.length - minima.length;
  const named = [...(points || !sets.length ? [`${points} minim${points === 1 ? "um" : "a"}`] : []), ...sets];
  return `${named.join(" and ")} reached${others ? `, ${others} other stationary point${others === 1 ? "" : "s"}` : ""}`;
}

function summary(map, result, seconds) {
  const statuses = result.status.flat();
  const diverged = statuses.filter((s) => s === "diverged").length;
  const cells = statuses.length;
  let text = `${result.rows > 1 ? `${result.cols} × ${result.rows}` : cells} runs of ${map.run.steps ?? 200} steps in ${seconds.toFixed(1)} s`;
  if (map.kind === "basin") text += `: ${reachedText(result)}`;
  if (diverged) text += `; ${diverged} diverged (black)`;
  return text;
}

function renderMapPanels() {
  const box = $("maps");
  box.classList.toggle("single", state.maps.length === 1);
  box.replaceChildren(...state.maps.map((map, k) => {
    const panel = document.createElement("section");
    panel.className = "panel map-panel";
    panel.innerHTML = `<p class="map-status" id="map-status-${k}"></p><div class="map-plot" id="map-${k}"></div>`;
    if (map.kind !== "theory") {
      const key = document.createElement("p");
      key.className = "hint map-key";
      key.textContent = KEYS[map.kind];
      panel.append(key);
    }
    return panel;
  }));
}

function bindClicks() {
  state.maps.forEach((map, k) => {
    const el = $(`map-${k}`);
    if (!el || map.kind === "theory" || !el.on) return;
    el.on("plotly_click", (event) => onCellClick(k, event.points[0]));
  });
}

// ---- running -------------------------------------------------------------------------------

async function ensureGrid(surfaceId) {
  if (grids.has(surfaceId)) return;
  const info = surfaceInfo(surfaceId);
  if (!info) return;
  grids.set(surfaceId, await getJSON(`/api/surfaces/${surfaceId}/grid`, { resolution: 121 }));
}

function runAll() {
  for (const c of controllers) c.abort();
  controllers = [];
  state.results = state.maps.map(() => null);
  state.maps.forEach((map, k) => {
    if (map.kind === "theory") return;
    const controller = new AbortController();
    controllers.push(controller);
    runMap(k, controller.signal);
  });
}

async function runMap(k, signal) {
  const map = state.maps[k];
  const request = sweepRequest(map);
  const result = emptyResult(request);
  state.results[k] = result;
  setStatus(k, "Computing…");
  const t0 = performance.now();
  try {
    if (map.kind === "basin") await ensureGrid(map.run.surface);
    draw(k);
    const done = await postStream("/api/sweeps/stream", request, (event) => {
      addRows(result, event);
      setStatus(k, `Computing… ${result.filled} of ${result.rows} rows`);
      draw(k);
    }, { signal });
    if (signal.aborted) return;
    Object.assign(result, { attractors: done.attractors, start_curvature: done.start_curvature, axes: done.axes, done: true });
    setStatus(k, summary(map, result, (performance.now() - t0) / 1000));
    draw(k);
    state.maps.forEach((m, j) => { if (m.kind === "theory") { draw(j); setStatus(j, "Closed form, no runs: computed in the page."); } });
  } catch (error) {
    if (error.name === "AbortError") return;
    result.error = error instanceof ApiError ? error.message : String(error);
    setStatus(k, `Could not compute this map: ${result.error}`, true);
  }
}

// ---- a click on a cell -----------------------------------------------------------------------

function cellIndex(map, result, point) {
  const nearest = (values, v) => {
    let best = 0;
    values.forEach((x, i) => { if (Math.abs(x - v) < Math.abs(values[best] - v)) best = i; });
    return best;
  };
  const xs = result.axes[0].values;
  if (result.axes.length === 1) return [0, nearest(xs, point.x)];
  return [nearest(result.axes[1].values, point.y), nearest(xs, point.x)];
}

function onCellClick(k, point) {
  const map = state.maps[k];
  const result = state.results[k];
  if (!result || !point) return;
  const [i, j] = cellIndex(map, result, point);
  const c = cell(result, i, j);
  if (c.status === null) return;
  const run = cellRun(result, i, j);
  const href = optimizerPageLink(run);
  const values = result.axes.map((a, n) => `${a.name} = ${(+a.values[n === 0 ? j : i]).toPrecision(4)}`).join(", ");
  const loss = c.final_loss === null ? "none" : c.final_loss.toPrecision(4);
  $("cell-text").textContent = `Cell [${i}][${j}]: ${values}. ${run.optimizer} ${c.status} after ${c.steps_taken} steps, final loss ${loss}.`;
  const link = $("cell-link");
  link.href = href;
  link.hidden = false;
  window.open(href, "_blank", "noopener");
}

// ---- the form ------------------------------------------------------------------------------

const numericParams = (optimizerId) => (optimizerInfo(optimizerId)?.params || [])
  .filter((p) => p.type === "float" || p.type === "int");

function axisDefaults(optimizerId, name) {
  const spec = numericParams(optimizerId).find((p) => `params.${p.name}` === name);
  if (!spec) return { name, min: 0, max: 1, n: 48, log: false };
  if (spec.log) {
    const d = Number(spec.default) || 1e-3;
    return { name, min: d / 100, max: Math.min(d * 100, spec.max ?? d * 100), n: 48, log: true };
  }
  return { name, min: spec.min ?? 0, max: Math.min(spec.max ?? 1, spec.name.startsWith("beta") ? 0.999 : spec.max ?? 1), n: 48, log: false };
}

function mapForKind(kind, run) {
  const optimizer = run.optimizer;
  if (kind === "basin") return { kind, run, n: 96 };
  const second = numericParams(optimizer).find((p) => p.name !== "lr");
  if (kind === "phase" && second) {
    return { kind, run, metric: "final_loss", axes: [axisDefaults(optimizer, "params.lr"), axisDefaults(optimizer, `params.${second.name}`)] };
  }
  return { kind: "sweep", run, axes: [{ ...axisDefaults(optimizer, "params.lr"), n: 100 }] };
}

function field(label, input) {
  const wrap = document.createElement("div");
  wrap.className = "control";
  const l = document.createElement("label");
  l.textContent = label;
  l.htmlFor = input.id;
  wrap.append(l, input);
  return wrap;
}

function numberInput(id, value, onValue, { min, max, step = "any" } = {}) {
  const input = document.createElement("input");
  Object.assign(input, { id, type: "number", step, value: value ?? "" });
  if (min !== undefined) input.min = min;
  if (max !== undefined) input.max = max;
  input.addEventListener("input", () => {
    const v = Number(input.value);
    const bad = input.value.trim() === "" || !Number.isFinite(v) || (min !== undefined && v < min) || (max !== undefined && v > max);
    input.setAttribute("aria-invalid", String(bad));
    if (!bad) onValue(v);
  });
  return input;
}

function select(id, items, value, onValue) {
  const el = document.createElement("select");
  el.id = id;
  fillSelect(el, items, value);
  el.addEventListener("change", () => onValue(el.value));
  return el;
}

function edit(change) {
  const map = state.maps[state.active];
  change(map);
  state.preset = null;
  $("lesson-note").hidden = true;
  writeHash();
  renderForm();
  clearTimeout(pending);
  pending = setTimeout(() => { renderMapPanels(); runAll(); bindClicksSoon(); }, 350);
}

function axisFields(map, a) {
  const axis = map.axes[a];
  const box = document.createElement("div");
  const head = document.createElement("h3");
  head.textContent = a === 0 ? "Horizontal axis" : "Vertical axis";
  const names = numericParams(map.run.optimizer).map((p) => ({ id: `params.${p.name}`, name: p.name }));
  names.push({ id: "noise", name: "gradient noise σ" });
  const grid = document.createElement("div");
  grid.className = "axis-fields";
  grid.append(
    field("min", numberInput(`axis-${a}-min`, axis.min, (v) => edit((m) => { m.axes[a].min = v; }))),
    field("max", numberInput(`axis-${a}-max`, axis.max, (v) => edit((m) => { m.axes[a].max = v; }))),
    field("cells", numberInput(`axis-${a}-n`, axis.n, (v) => edit((m) => { m.axes[a].n = Math.round(v); }), { min: 1, max: 512, step: "1" })),
  );
  const log = paramControl({ name: "log", type: "bool", help: "Space the values geometrically." }, axis.log, `axis-${a}`, (_, v) => edit((m) => { m.axes[a].log = v; }));
  grid.append(log);
  box.append(head, field("sweep", select(`axis-${a}-name`, names, axis.name, (v) => edit((m) => { m.axes[a] = axisDefaults(m.run.optimizer, v); }))), grid);
  return box;
}

function renderForm() {
  const form = $("map-form");
  const map = state.maps[state.active];
  const activeSelect = $("active");
  $("active-control").hidden = state.maps.length < 2;
  fillSelect(activeSelect, state.maps.map((m, k) => ({ id: String(k), name: `Map ${k + 1} (${m.kind})` })), String(state.active));
  if (map.kind === "theory") {
    form.innerHTML = '<p class="hint">This map is the closed form for the heavy ball on map 1\'s axes: edit map 1.</p>';
    return;
  }
  const kinds = [{ id: "basin", name: "Basins of attraction" }, { id: "phase", name: "Phase diagram" }, { id: "sweep", name: "Learning-rate sweep" }];
  const parts = [
    field("Map", select("map-kind", kinds, map.kind, (v) => edit((m) => Object.assign(m, mapForKind(v, m.run), { axes: mapForKind(v, m.run).axes, n: mapForKind(v, m.run).n })))),
    field("Surface", select("surface", catalog.surfaces, map.run.surface, (v) => edit((m) => { m.run.surface = v; delete m.run.start; }))),
    field("Optimizer", select("optimizer", catalog.optimizers, map.run.optimizer, (v) => edit((m) => {
      const lr = m.run.params?.lr;
      m.run.optimizer = v;
      m.run.params = lr !== undefined && !["newton", "lbfgs"].includes(v) ? { lr } : {};
      if (m.kind !== "basin") Object.assign(m, mapForKind(m.kind, m.run));
    }))),
  ];
  const swept = new Set((map.kind === "basin" ? [] : map.axes).map((a) => a.name));
  const specs = (optimizerInfo(map.run.optimizer)?.params || []).filter((p) => !swept.has(`params.${p.name}`));
  const values = { ...defaults(specs), ...(map.run.params || {}) };
  const params = document.createElement("div");
  params.className = "hyperparams";
  params.append(...specs.map((spec) => paramControl(spec, values[spec.name], "param", (name, v) => edit((m) => { m.run.params = { ...(m.run.params || {}), [name]: v }; }))));
  parts.push(params);
  parts.push(field("Steps", numberInput("steps", map.run.steps ?? 200, (v) => edit((m) => { m.run.steps = Math.round(v); }), { min: 1, max: 100000, step: "1" })));
  if (map.kind === "basin") {
    parts.push(field("Cells per side", numberInput("resolution", map.n, (v) => edit((m) => { m.n = Math.round(v); }), { min: 2, max: 512, step: "1" })));
  } else {
    map.axes.forEach((_, a) => parts.push(axisFields(map, a)));
    if (map.kind === "phase") {
      parts.push(field("Colour", select("metric", [{ id: "final_loss", name: "final loss (log10)" }, { id: "steps", name: "steps to converge" }], map.metric || "final_loss", (v) => edit((m) => { m.metric = v; }))));
    }
  }
  form.replaceChildren(...parts);
}

// ---- presets, links, exports -----------------------------------------------------------------

function writeHash() {
  history.replaceState(null, "", `#${encodeState(state)}`);
}

function loadPreset(id) {
  const preset = presetById(id) || PRESETS[0];
  state.preset = preset.id;
  state.maps = JSON.parse(JSON.stringify(preset.maps));
  state.active = 0;
  showLesson();
  writeHash();
  start();
}

function showLesson() {
  const preset = presetById(state.preset);
  $("lesson-note").hidden = !preset;
  if (!preset) return;
  $("lesson-title").textContent = preset.title;
  $("lesson-text").textContent = preset.text;
  document.querySelectorAll(".preset").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.preset === preset.id)));
}

function bindClicksSoon() {
  // Plotly adds .on() to a div when it first draws; bind once every map has drawn.
  const tryBind = (tries) => {
    if (state.maps.every((m, k) => m.kind === "theory" || $(`map-${k}`)?.on)) bindClicks();
    else if (tries > 0) setTimeout(() => tryBind(tries - 1), 100);
  };
  tryBind(100);
}

function start() {
  renderForm();
  renderMapPanels();
  runAll();
  bindClicksSoon();
}

function exportCSV() {
  const columns = ["map", "kind", "i", "j", "axis0", "value0", "axis1", "value1", "status", "steps_taken", "final_loss", "final_x", "final_y", "attractor", "attractor_kind"];
  const rows = [];
  state.maps.forEach((map, k) => {
    const r = state.results[k];
    if (!r || map.kind === "theory") return;
    for (let i = 0; i < r.rows; i += 1) {
      for (let j = 0; j < r.cols; j += 1) {
        const c = cell(r, i, j);
        if (c.status === null) continue;
        const a = c.attractor;
        rows.push([k + 1, map.kind, i, j, r.axes[0].name, r.axes[0].values[j], r.axes[1]?.name ?? "", r.axes[1]?.values[i] ?? "",
          c.status, c.steps_taken, c.final_loss, c.final_point?.[0], c.final_point?.[1], a, a === null ? "" : r.attractors[a]?.kind]);
      }
    }
  });
  download(toCSV(columns, rows), "gradscape-maps.csv", "text/csv");
}

function exportPNG() {
  state.maps.forEach((map, k) => {
    window.Plotly.downloadImage($(`map-${k}`), { format: "png", width: 900, height: 900, filename: `gradscape-map-${k + 1}-${map.kind}` });
  });
}

async function main() {
  const buttons = renderHeader($("app-header"), "maps", [
    { id: "export-csv", label: "Cells as CSV" },
    { id: "export-png", label: "Maps as PNG" },
  ]);
  buttons["export-csv"].addEventListener("click", exportCSV);
  buttons["export-png"].addEventListener("click", exportPNG);
  attachMoreToggle($("lesson-note"), $("lesson-text"));
  const [surfaces, optimizers] = await Promise.all([getJSON("/api/surfaces"), getJSON("/api/optimizers")]);
  Object.assign(catalog, { surfaces, optimizers });
  renderPresetButtons($("presets"), PRESETS, loadPreset, 1);
  $("active").addEventListener("change", () => { state.active = Number($("active").value); writeHash(); renderForm(); });
  const fromLink = decodeState(location.hash);
  const asked = presetFromHash(location.hash);
  if (fromLink) {
    Object.assign(state, fromLink);
    showLesson();
    start();
  } else {
    loadPreset(asked || PRESETS[0].id);
  }
  window.addEventListener("resize", () => state.maps.forEach((_, k) => draw(k)));
}

main();
