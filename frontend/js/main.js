// Wiring: load the catalog, restore the state from the URL, connect controls to the state,
// runs to the runner and everything to the stage. Drawing lives in stage.js (when), figures.js
// (whole figures) and race.js (what moves each frame).
//
// Debug handle, read-only, for tests and automation: `window.gradscape`
//   .frame        the animation frame shown
//   .drawn        what the last frame drew: {frame, view: "2d" | "3d", runs: [{uid, run (1-based),
//                 step, point [x, y], loss, onScreen, px [x, y] (overlay canvas pixels, CSS units),
//                 vectors? {step, descent (data units, -lr·∇f), stepTip, descentTip (pixels)},
//                 edgeArrow? {px, angle, text, label [x, y, w, h]} (2D, when the head is off view)}]}
//   .results      run uid -> streamed result {points, loss, grad_norm, lr, status, message, request}
//   .runs         the runs as in the state (uid, optimizer, params, colour, ...)
//   .playing      whether the animation is playing

import { getJSON } from "./api.js";
import { download, runsToCSV, runsToJSON } from "./export.js";
import { attachHoverReadout, attachSuggestButton, requestStabilityBounds, withStabilityBounds } from "./curvature.js";
import { fillSelect } from "./controls.js";
import { renderHeader } from "./header.js";
import { presetFromHash } from "./link.js";
import { createPlayer } from "./player.js";
import { loadPlotly } from "./plotly-loader.js";
import { presetById } from "./presets.js";
import { createRunner } from "./runner.js";
import {
  describeFrame, markPreset, renderEditor, renderLessons, renderPresets, renderProblem, renderRunList,
} from "./sidebar.js";
import { createStage } from "./stage.js";
import {
  addedRun, catalog, makeRun, runLabel, runRequest, setCatalog, startPoint, state, statusText, stepOf,
  surfaceInfo, surfaceRef, withOptimizer, withSchedule, withSurface,
} from "./state.js";
import { bindPlotTap } from "./plot-tap.js";
import { numberProblem, showApiFieldError, showFieldError, validatedNumber } from "./field-errors.js";
import { presetState, renderLessonCard } from "./lesson-card.js";
import { attachMoreToggle } from "./lesson-more.js";
import { decodeState, encodeState } from "./url-state.js";
import {
  CUSTOM, DEFAULT_FORMULA, customMarkers, isCustom, loadCustom, mountCustomSurface, renderCustomSurface,
  surfaceKey,
} from "./custom-surface.js";
import { plotPNG, recordVideo } from "./video.js";

const $ = (id) => document.getElementById(id);
let hoverReadout = null; // the curvature readout under the cursor (curvature.js)
const GRID_RESOLUTION = 121;
const MAX_STEPS = 100000; // the server's cap (GRADSCAPE_MAX_STEPS default)
const icon = (d) => `<svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><path d="${d}" fill="currentColor"/></svg>`;
const ICON_PLAY = icon("M4 2v12l10-6z");
const ICON_PAUSE = icon("M3 2h4v12H3zM9 2h4v12H9z");

const TOUCH_OR_NARROW = window.matchMedia("(hover: none), (max-width: 640px)");
const NARROW = window.matchMedia("(max-width: 640px)");
const plotlyReady = loadPlotly();
const grids = new Map(); // surface id (or a formula's surfaceKey) -> grid from the API
const runner = createRunner((uid, kind) => {
  syncPlayer();
  requestRedraw({ sidebar: kind !== "block" || !runner.results[uid]?.points.length });
});
const player = createPlayer(
  () => stage.requestFrame(),
  (playing) => {
    $("play").innerHTML = playing ? ICON_PAUSE : ICON_PLAY;
    $("play").setAttribute("aria-label", playing ? "Pause" : "Play");
  },
);
player.setWaiting(() => runner.running());

const stage = createStage(
  { plot: $("plot"), loss: $("loss-chart"), lr: $("lr-chart"), legend: $("plot-legend") },
  () => ({
    surface: surfaceInfo(), grid: grids.get(surfaceKey()), key: surfaceKey(), runs: state.runs, results: runner.results,
    labels: Object.fromEntries(state.runs.map((run) => [run.uid, runLabel(run)])),
    frame: player.frame(), start: startPoint(), planned: state.steps + 1, view3d: state.view3d, camera3d: state.camera3d,
    modeBarRoom: TOUCH_OR_NARROW.matches, narrow: NARROW.matches,
  }),
  () => {
    $("scrubber").max = String(player.length() - 1);
    $("scrubber").value = String(player.frame());
    // a thinned run's frames are not its steps: label with the longest run's steps
    const longest = state.runs.map((r) => runner.results[r.uid]).filter(Boolean).reduce((a, b) => (b.points.length > (a?.points.length ?? -1) ? b : a), null);
    const last = player.length() - 1;
    $("frame-label").textContent = describeFrame(stepOf(longest, Math.min(player.frame(), last)), stepOf(longest, last) + 1);
    markIdle();
  },
  {
    // the lr chart's 2/λmax line along each finished run (curvature.js)
    beforeStatic: () => requestStabilityBounds(surfaceRef(), state.runs, runner.results, () => requestRedraw()),
    lr: (figure, inp) => withStabilityBounds(figure, inp.runs, inp.results),
    // a formula's degenerate stationary points (custom-surface.js)
    plot: (figure, inp) => { if (!inp.view3d) figure.data.splice(1, 0, ...customMarkers(inp.surface)); },
    // the 3D view as the user turned it goes into the link
    camera: (view) => {
      state.camera3d = view;
      history.replaceState(null, "", `#${encodeState()}`);
    },
  },
);

window.gradscape = Object.freeze({
  get frame() { return player.frame(); },
  get drawn() { return stage.drawn(); },
  get results() { return runner.results; },
  get runs() { return state.runs; },
  get playing() { return player.playing; },
});

// ---- drawing ------------------------------------------------------------------------------

let sidebarQueued = false;
function requestRedraw({ sidebar = false } = {}) {
  document.body.dataset.idle = "false";
  stage.requestStatic();
  if (sidebar && !sidebarQueued) {
    sidebarQueued = true;
    requestAnimationFrame(() => {
      sidebarQueued = false;
      renderRunList(runner.results, runListHandlers);
      const errors = state.runs.map((run, i) => [i, runner.results[run.uid]?.error]).filter(([, e]) => e);
      $("status-line").textContent = errors.map(([i, e]) => `Run ${i + 1}: ${e}`).join(" · ");
      $("status-line").classList.toggle("error", errors.length > 0);
      showApiFieldError(runner.results[state.runs[state.selected]?.uid]?.error);
    });
  }
}

// Legend and export names: "1. Adam (lr 0.05) — converged in 212 steps".
function labels() {
  return Object.fromEntries(
    state.runs.map((run, i) => [run.uid, `${i + 1}. ${runLabel(run)} — ${statusText(runner.results[run.uid])}`]),
  );
}

// For tests and automation: true once no run is waiting to start or still streaming, and the
// last result is drawn.
let tapWaiting = false;
function markIdle() {
  const gridPending = grids.get(state.surface) === null;
  document.body.dataset.idle = String(
    !tapWaiting && !gridPending && runTimer === null && !runner.running() && !stage.pending() && !sidebarQueued,
  );
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
function commit({ rerun = true, editor = false, problem = false, delay = 120 } = {}) {
  history.replaceState(null, "", `#${encodeState()}`);
  if (problem) renderProblem();
  if (editor) renderEditor(editorHandlers);
  markPreset(state.preset);
  $("fit").disabled = state.view3d; // Fit frames the 2D plot
  renderLessonCard(state, (id) => loadPreset(id, { view3d: state.view3d }));
  renderCustomSurface();
  requestRedraw({ sidebar: true });
  if (rerun) scheduleRuns(delay);
}

function loadState(next) {
  const formula = next.surface === CUSTOM && next.custom;
  const known = catalog.byId.surface[next.surface] || formula ? next.surface : catalog.surfaces[0].id;
  Object.assign(state, { camera3d: null }, next, { surface: known });
  hoverReadout?.hide(); // it may describe another surface
  if (!state.runs.length) state.runs = [makeRun({}, 0)];
  ensureGrid(surfaceKey());
  commit({ editor: true, problem: true, delay: 0 });
}

function loadPreset(id, { view3d } = {}) {
  if (!presetById(id)) return;
  loadState(presetState(id, { view3d }));
}

// A lesson picked from a list far from the plot brings the plot into view.
function showPlot() {
  const target = $("lesson-note").hidden ? $("plot-panel") : $("lesson-note");
  if (target.getBoundingClientRect().top < 0 || $("plot").getBoundingClientRect().top > window.innerHeight * 0.5) {
    target.scrollIntoView({ block: "start" });
  }
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

function ensureGrid(id) {
  if (grids.has(id)) return;
  const formula = isCustom() && id === surfaceKey() ? state.custom : null;
  if (formula) for (const key of grids.keys()) if (key.startsWith(`${CUSTOM}:`)) grids.delete(key);
  grids.set(id, null);
  const request = formula
    ? loadCustom(formula, GRID_RESOLUTION)
    : getJSON(`/api/surfaces/${id}/grid`, { resolution: GRID_RESOLUTION });
  request
    .then((grid) => grids.set(id, grid))
    .catch((err) => {
      grids.delete(id);
      $("status-line").textContent = `Could not load the surface: ${err.message}`;
    })
    .finally(() => {
      // A formula's default start arrives with its metadata: runs that start there restart.
      if (formula && id === surfaceKey()) commit({ problem: true });
      else requestRedraw();
    });
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
    Object.assign(state, { surface: $("surface").value, start: null, camera3d: null });
    if (isCustom() && !state.custom) state.custom = { ...DEFAULT_FORMULA };
    state.runs = state.runs.map((run) => withSurface(run, from, state.surface));
    ensureGrid(surfaceKey());
    hoverReadout?.hide(); // it described the old surface
    commit({ problem: true, editor: true });
  });
  numberInput("start-x", (v) => { state.start = [v, startPoint()[1]]; commit(); });
  numberInput("start-y", (v) => { state.start = [startPoint()[0], v]; commit(); });
  numberInput("steps", (v) => { state.steps = v; commit(); }, { integer: true, min: 1, max: MAX_STEPS });
  numberInput("tol", (v) => { state.tol = v; commit(); }, { min: 0 });
  $("view-3d").addEventListener("change", () => {
    state.view3d = $("view-3d").checked;
    hoverReadout?.hide(); // it reads the 2D plot
    commit({ rerun: false });
  });

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
    state.runs.push(addedRun(state.runs));
    state.selected = state.runs.length - 1;
    commit({ editor: true });
  });

  $("play").addEventListener("click", () => player.toggle());
  $("restart").addEventListener("click", () => player.restart());
  $("step-back").addEventListener("click", () => player.step(-1));
  $("step-forward").addEventListener("click", () => player.step(1));
  $("scrubber").addEventListener("input", () => player.seek(Number($("scrubber").value)));
  $("speed").addEventListener("change", () => player.setSpeed(Number($("speed").value)));
  $("fit").addEventListener("click", () => stage.fit());
  document.addEventListener("keydown", onKey);

  // A tap moves the start; on a touch screen (no hover) it also shows the curvature there.
  bindPlotTap($("plot"), (x, y, pointerType) => {
    if (state.view3d) return;
    setStart(x, y);
    if (pointerType !== "mouse") hoverReadout?.pin(state.start);
  }, (waiting) => {
    tapWaiting = waiting;
    markIdle();
  });
  $("export-csv").addEventListener("click", () => exportRuns("csv"));
  $("export-json").addEventListener("click", () => exportRuns("json"));
  $("export-png").addEventListener("click", async () => {
    const filename = `gradscape-${state.surface}`;
    if (!state.view3d) {
      Plotly.downloadImage($("plot"), { format: "png", width: 1400, height: 1000, filename });
      return;
    }
    // the 3D view as drawn, heads and arrows included
    download(await plotPNG(plotLayers()), `${filename}-3d.png`, "image/png");
  });
  $("export-video").addEventListener("click", exportVideo);
  $("presets").addEventListener("click", (e) => { if (e.target.closest(".preset")) showPlot(); });
  window.addEventListener("hashchange", () => { if (loadFromHash()) showPlot(); });
}

function onKey(e) {
  if (e.target.closest("input, select, textarea, button, summary, a") || e.metaKey || e.ctrlKey) return;
  if (e.key === " ") player.toggle();
  else if (e.key === "ArrowRight") player.step(1);
  else if (e.key === "ArrowLeft") player.step(-1);
  else if (e.key === "Home") player.restart();
  else if (e.key === "End") player.seek(player.length() - 1);
  else return;
  e.preventDefault();
}

function exportRuns(kind) {
  const names = labels();
  if (kind === "csv") download(runsToCSV(state.runs, runner.results, names), `gradscape-${state.surface}.csv`, "text/csv");
  else download(runsToJSON(state.runs, runner.results, names, location.href), `gradscape-${state.surface}.json`, "application/json");
}

// The plot and the canvas of heads and arrows over it.
const plotLayers = () => ({ plot: $("plot"), overlay: $("plot").parentElement.querySelector(".plot-overlay") });

async function exportVideo() {
  const button = $("export-video");
  button.disabled = true;
  $("status-line").textContent = "Recording the animation…";
  try {
    const blob = await recordVideo({ ...plotLayers(), player });
    download(blob, `gradscape-${state.surface}.webm`, "video/webm");
    $("status-line").textContent = "";
  } catch (err) {
    $("status-line").textContent = `Could not record a video: ${err.message}`;
  } finally {
    button.disabled = false;
  }
}

// ---- start ----------------------------------------------------------------------------------

// Everything the first picture needs is fetched at once: the catalog, and (for the default
// view) its surface's grid, while plotly.js loads; runs start as soon as the catalog is in.
async function main() {
  renderHeader($("app-header"), "optimizers", [
    { id: "export-csv", label: "Runs as CSV" },
    { id: "export-json", label: "Runs as JSON" },
    { id: "export-png", label: "Plot as PNG" },
    { id: "export-video", label: "Animation as video (WebM)", title: "Records the plot as it plays from the start, at the current view and speed" },
  ]);
  attachMoreToggle($("lesson-note"), $("lesson-text"));
  const firstPreset = location.hash.length > 1 ? presetFromHash(location.hash) : "race";
  const firstSurface = presetById(firstPreset)?.state.surface;
  if (firstSurface) ensureGrid(firstSurface);
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
  hoverReadout = attachHoverReadout($("plot"), () => (state.view3d ? null : surfaceRef()));
  attachSuggestButton($("lr"), () => surfaceRef(), startPoint, (lr) =>
    updateRun((run) => ({ ...run, params: { ...run.params, lr } }), { editor: true }));
  if (!loadFromHash()) loadPreset("race");
  document.body.dataset.ready = "true";
  plotlyReady.then(() => requestRedraw({ sidebar: true }));
}

main();
