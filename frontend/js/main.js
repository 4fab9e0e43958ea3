// Wiring: load the catalog, restore the state from the URL, connect controls to the state,
// runs to the runner and everything to the figures. Drawing itself lives in figures.js.

import { getJSON } from "./api.js";
import { download, runsToCSV, runsToJSON } from "./export.js";
import { contourFigure, lossFigure, lrFigure, surfaceFigure } from "./figures.js";
import { attachHoverReadout, attachSuggestButton, requestStabilityBounds, withStabilityBounds } from "./curvature.js";
import { fillSelect } from "./controls.js";
import { createPlayer } from "./player.js";
import { presetById } from "./presets.js";
import { createRunner } from "./runner.js";
import {
  catalog, makeRun, nextColor, runLabel, runRequest, setCatalog, startPoint, state, statusText, surfaceRef,
  surfaceInfo, withOptimizer, withSchedule, withSurface,
} from "./state.js";
import {
  describeFrame, markPreset, renderEditor, renderLessons, renderPresets, renderProblem, renderRunList,
} from "./sidebar.js";
import { copyLink, presetFromHash } from "./link.js";
import { numberProblem, showApiFieldError, showFieldError, validatedNumber } from "./field-errors.js";
import { presetState, renderLessonCard } from "./lesson-card.js";
import { decodeState, encodeState } from "./url-state.js";
import {
  CUSTOM, DEFAULT_FORMULA, customMarkers, isCustom, loadCustom, mountCustomSurface, renderCustomSurface,
  surfaceKey,
} from "./custom-surface.js";

const $ = (id) => document.getElementById(id);
const PLOT_CONFIG = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["select2d", "lasso2d"] };
const CHART_CONFIG = { responsive: true, displaylogo: false, displayModeBar: false };
const GRID_RESOLUTION = 121;
const MAX_STEPS = 100000; // the server's cap (GRADSCAPE_MAX_STEPS default)
const icon = (d) => `<svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><path d="${d}" fill="currentColor"/></svg>`;
const ICON_PLAY = icon("M4 2v12l10-6z");
const ICON_PAUSE = icon("M3 2h4v12H3zM9 2h4v12H9z");

const grids = new Map(); // surface id (or a formula's surfaceKey) -> grid from the API
const runner = createRunner(() => {
  syncPlayer();
  requestRedraw({ sidebar: true });
});
const player = createPlayer(
  () => requestRedraw(),
  (playing) => {
    $("play").innerHTML = playing ? ICON_PAUSE : ICON_PLAY;
    $("play").setAttribute("aria-label", playing ? "Pause" : "Play");
  },
);
player.setWaiting(() => runner.running());

// ---- drawing ------------------------------------------------------------------------------

let pending = null;
function requestRedraw({ sidebar = false } = {}) {
  if (pending) {
    pending.sidebar ||= sidebar;
    return;
  }
  pending = { sidebar };
  requestAnimationFrame(() => {
    const { sidebar: withSidebar } = pending;
    pending = null;
    draw(withSidebar);
  });
}

// Legend names: "1. Adam (lr 0.05) — converged in 212 steps", on two lines when the plot is narrow.
function labels(joint = $("plot").clientWidth < 560 ? "<br>   " : " — ") {
  return Object.fromEntries(
    state.runs.map((run, i) => [run.uid, `${i + 1}. ${runLabel(run)}${joint}${statusText(runner.results[run.uid])}`]),
  );
}

// Plotly.react can keep a previous surface's axis range (seen after a 3D <-> 2D switch, with
// the equal-aspect axes): a new surface or view starts from a fresh plot instead.
let drawnView = null;

function draw(withSidebar) {
  const surface = surfaceInfo();
  const grid = grids.get(surfaceKey());
  const input = { surface, grid, runs: state.runs, results: runner.results, labels: labels(), frame: player.frame(), start: startPoint() };
  if (surface && grid && window.Plotly) {
    const fig = state.view3d ? surfaceFigure(input) : contourFigure(input);
    if (!state.view3d) fig.data.splice(1, 0, ...customMarkers(surface));
    const view = `${surfaceKey()}:${state.view3d}`;
    if (drawnView !== null && drawnView !== view) Plotly.purge($("plot"));
    drawnView = view;
    Plotly.react($("plot"), fig.data, fig.layout, PLOT_CONFIG);
  }
  if (window.Plotly) {
    const loss = lossFigure(input);
    Plotly.react($("loss-chart"), loss.data, loss.layout, CHART_CONFIG);
    requestStabilityBounds(surfaceRef(), state.runs, runner.results, () => requestRedraw());
    const lr = withStabilityBounds(lrFigure(input), state.runs, runner.results);
    Plotly.react($("lr-chart"), lr.data, lr.layout, CHART_CONFIG);
  }
  $("scrubber").max = String(player.length() - 1);
  $("scrubber").value = String(player.frame());
  $("frame-label").textContent = describeFrame(player.frame(), player.length());
  if (withSidebar) renderRunList(runner.results, runListHandlers);
  const errors = state.runs.map((run, i) => [i, runner.results[run.uid]?.error]).filter(([, e]) => e);
  $("status-line").textContent = errors.map(([i, e]) => `Run ${i + 1}: ${e}`).join(" · ");
  $("status-line").classList.toggle("error", errors.length > 0);
  showApiFieldError(runner.results[state.runs[state.selected]?.uid]?.error);
  markIdle();
}

// For tests and automation: true once no run is waiting to start or still streaming.
function markIdle() {
  document.body.dataset.idle = String(runTimer === null && !runner.running());
}

function syncPlayer() {
  const length = Math.max(1, ...state.runs.map((r) => runner.results[r.uid]?.points.length || 0));
  player.setLength(length, state.steps + 1);
}

// ---- state changes --------------------------------------------------------------------------

let runTimer = null;
function scheduleRuns(delay = 120) {
  clearTimeout(runTimer);
  document.body.dataset.idle = "false";
  runTimer = setTimeout(() => {
    runTimer = null;
    const started = runner.sync(state.runs.map((run) => ({ uid: run.uid, body: runRequest(run) })));
    if (started.length) player.restart();
    requestRedraw({ sidebar: true });
  }, delay);
}

// After any change: write the URL, redraw, and (unless only looks changed) re-run.
function commit({ rerun = true, editor = false, problem = false } = {}) {
  history.replaceState(null, "", `#${encodeState()}`);
  if (problem) renderProblem();
  if (editor) renderEditor(editorHandlers);
  markPreset(state.preset);
  renderLessonCard(state, (id) => loadPreset(id, { view3d: state.view3d }));
  renderCustomSurface();
  requestRedraw({ sidebar: true });
  if (rerun) scheduleRuns();
}

function loadState(next) {
  const formula = next.surface === CUSTOM && next.custom;
  const known = catalog.byId.surface[next.surface] || formula ? next.surface : catalog.surfaces[0].id;
  Object.assign(state, next, { surface: known });
  if (!state.runs.length) state.runs = [makeRun({}, 0)];
  ensureGrid(surfaceKey());
  commit({ editor: true, problem: true });
}

function loadPreset(id, { view3d } = {}) {
  if (!presetById(id)) return;
  loadState(presetState(id, { view3d }));
}

function loadFromHash() {
  const presetId = presetFromHash(location.hash);
  if (presetId && presetById(presetId)) {
    loadPreset(presetId, { view3d: new URLSearchParams(location.hash.slice(1)).get("view") === "3d" });
    return true;
  }
  const decoded = decodeState(location.hash);
  if (!decoded) return false;
  loadState(decoded);
  return true;
}

async function ensureGrid(id) {
  if (grids.has(id)) return;
  const formula = isCustom() ? state.custom : null;
  if (formula) for (const key of grids.keys()) if (key.startsWith(`${CUSTOM}:`)) grids.delete(key);
  grids.set(id, null);
  try {
    const grid = formula
      ? await loadCustom(formula, GRID_RESOLUTION)
      : await getJSON(`/api/surfaces/${id}/grid`, { resolution: GRID_RESOLUTION });
    grids.set(id, grid);
  } catch (err) {
    grids.delete(id);
    $("status-line").textContent = `Could not load the surface: ${err.message}`;
  }
  // A formula's default start arrives with its metadata: runs that start there restart.
  if (formula && id === surfaceKey()) commit({ problem: true });
  else requestRedraw();
}

// A validated formula from the formula box (typed, or an example with its runs).
function applyCustom(custom, { runs, steps } = {}) {
  const [x, y] = state.start || [];
  const inside = state.start && x >= custom.x_range[0] && x <= custom.x_range[1] &&
    y >= custom.y_range[0] && y <= custom.y_range[1];
  Object.assign(state, { surface: CUSTOM, custom, preset: null, start: inside ? state.start : null });
  if (runs) {
    state.runs = runs.map((r, i) => makeRun(r, i));
    state.selected = 0;
  }
  if (steps) state.steps = steps;
  ensureGrid(surfaceKey());
  commit({ problem: true, editor: Boolean(runs) });
}

const selectedRun = () => state.runs[state.selected];
function updateRun(fn, opts) {
  state.runs[state.selected] = fn(selectedRun());
  commit(opts);
}

const editorHandlers = {
  param: (name, value) => updateRun((run) => ({ ...run, params: { ...run.params, [name]: value } })),
  scheduleOption: (name, value) => updateRun((run) => ({ ...run, schedule: { ...run.schedule, [name]: value } })),
};

const runListHandlers = {
  select: (i) => {
    state.selected = i;
    commit({ rerun: false, editor: true });
  },
  recolor: (i, color) => {
    state.runs[i] = { ...state.runs[i], color };
    commit({ rerun: false });
  },
  remove: (i) => {
    state.runs.splice(i, 1);
    state.selected = Math.min(state.selected, state.runs.length - 1);
    commit({ editor: true });
  },
};

function setStart(x, y) {
  state.start = [Number(x.toPrecision(6)), Number(y.toPrecision(6))];
  commit({ problem: true });
}

// ---- controls -------------------------------------------------------------------------------

function numberInput(id, apply, rules = {}) {
  validatedNumber($(id), rules, apply);
}

function bindControls() {
  $("surface").addEventListener("change", () => {
    const from = state.surface;
    Object.assign(state, { surface: $("surface").value, start: null });
    if (isCustom() && !state.custom) state.custom = { ...DEFAULT_FORMULA };
    state.runs = state.runs.map((run) => withSurface(run, from, state.surface));
    ensureGrid(surfaceKey());
    commit({ problem: true, editor: true });
  });
  numberInput("start-x", (v) => { state.start = [v, startPoint()[1]]; commit(); });
  numberInput("start-y", (v) => { state.start = [startPoint()[0], v]; commit(); });
  numberInput("steps", (v) => { state.steps = v; commit(); }, { integer: true, min: 1, max: MAX_STEPS });
  numberInput("tol", (v) => { state.tol = v; commit(); }, { min: 0 });
  $("view-3d").addEventListener("change", () => { state.view3d = $("view-3d").checked; commit({ rerun: false }); });

  $("optimizer").addEventListener("change", () => updateRun((run) => withOptimizer(run, $("optimizer").value), { editor: true }));
  $("schedule").addEventListener("change", () => updateRun((run) => withSchedule(run, $("schedule").value), { editor: true }));
  numberInput("noise", (v) => updateRun((run) => ({ ...run, noise: v })), { min: 0 });
  numberInput("seed", (v) => updateRun((run) => ({ ...run, seed: v })), { integer: true, min: 0 });
  $("batch-size").addEventListener("input", () => {
    const raw = $("batch-size").value.trim();
    const n = surfaceInfo()?.n_samples ?? null;
    const problem = raw === "" ? null : numberProblem(raw, { integer: true, min: 1, max: n });
    showFieldError($("batch-size"), problem);
    if (!problem) updateRun((run) => ({ ...run, batch_size: raw === "" ? null : Number(raw) }));
  });

  $("add-run").addEventListener("click", () => {
    const base = selectedRun() || makeRun();
    const fresh = makeRun({ ...base, color: nextColor(state.runs) });
    state.runs.push(fresh);
    state.selected = state.runs.length - 1;
    commit({ editor: true });
  });

  $("play").addEventListener("click", () => player.toggle());
  $("restart").addEventListener("click", () => player.restart());
  $("step-back").addEventListener("click", () => player.step(-1));
  $("step-forward").addEventListener("click", () => player.step(1));
  $("scrubber").addEventListener("input", () => player.seek(Number($("scrubber").value)));
  $("speed").addEventListener("change", () => player.setSpeed(Number($("speed").value)));
  document.addEventListener("keydown", onKey);

  $("plot").addEventListener("click", onPlotClick);
  $("copy-link").addEventListener("click", () => copyLink($("copy-link")));
  $("export-csv").addEventListener("click", () => exportRuns("csv"));
  $("export-json").addEventListener("click", () => exportRuns("json"));
  $("export-png").addEventListener("click", () => {
    Plotly.downloadImage($("plot"), { format: "png", width: 1400, height: 1000, filename: `gradscape-${state.surface}` });
  });
  window.addEventListener("hashchange", () => loadFromHash());
}

function onKey(e) {
  if (e.target.closest("input, select, textarea, button, summary, a") || e.metaKey || e.ctrlKey) return;
  if (e.key === " ") player.toggle();
  else if (e.key === "ArrowRight") player.step(1);
  else if (e.key === "ArrowLeft") player.step(-1);
  else if (e.key === "Home") player.restart();
  else return;
  e.preventDefault();
}

// A click on the 2D plot area sets the start point at the clicked data coordinate.
function onPlotClick(e) {
  if (state.view3d) return;
  const area = $("plot").querySelector(".nsewdrag");
  const layout = $("plot")._fullLayout;
  if (!area || !layout) return;
  const box = area.getBoundingClientRect();
  const fx = (e.clientX - box.left) / box.width;
  const fy = (e.clientY - box.top) / box.height;
  if (fx < 0 || fx > 1 || fy < 0 || fy > 1) return;
  const [x0, x1] = layout.xaxis.range;
  const [y0, y1] = layout.yaxis.range;
  setStart(x0 + fx * (x1 - x0), y1 - fy * (y1 - y0));
}

function exportRuns(kind) {
  const names = labels(" — ");
  if (kind === "csv") download(runsToCSV(state.runs, runner.results, names), `gradscape-${state.surface}.csv`, "text/csv");
  else download(runsToJSON(state.runs, runner.results, names, location.href), `gradscape-${state.surface}.json`, "application/json");
  $("export-csv").closest("details").open = false;
}

// ---- start ----------------------------------------------------------------------------------

async function main() {
  try {
    const [surfaces, optimizers, schedules] = await Promise.all([
      getJSON("/api/surfaces"), getJSON("/api/optimizers"), getJSON("/api/schedules"),
    ]);
    setCatalog({ surfaces, optimizers, schedules });
  } catch (err) {
    $("status-line").textContent = `Could not reach the Gradscape API: ${err.message}`;
    $("status-line").classList.add("error");
    return;
  }
  fillSelect($("surface"), catalog.surfaces);
  mountCustomSurface($("surface"), $("surface-formula"), { apply: applyCustom });
  renderPresets((id) => loadPreset(id));
  renderLessons();
  bindControls();
  attachHoverReadout($("plot"), () => (state.view3d ? null : surfaceRef()));
  attachSuggestButton($("lr"), () => surfaceRef(), startPoint, (lr) =>
    updateRun((run) => ({ ...run, params: { ...run.params, lr } }), { editor: true }));
  if (!loadFromHash()) loadPreset("race");
  document.body.dataset.ready = "true";
}

main();
