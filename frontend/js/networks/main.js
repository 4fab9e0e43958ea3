// The networks page: reads the form into the state (and the state into the URL), streams a
// training run, redraws the plots, exports the run.

import { ApiError, getJSON, postStream } from "../api.js";
import {
  bindLearningRate, fillSelect, renderParamControls, renderPresetButtons,
} from "../controls.js";
import { download } from "../export.js";
import { copyLink, presetFromHash } from "../link.js";
import { LOCAL_PLOT_CONFIG } from "../plot-config.js";
import { curvesToCSV, runToJSON } from "./export.js";
import {
  accuracyFigure, dataFigure, interpolationFigure, landscapeFigure, lossFigure, sharpnessFigure,
} from "./figures.js";
import { PRESETS, presetById } from "./presets.js";
import {
  addBlock, byId, catalog, DEFAULTS, defaults, emptyResult, networkRequest, parseHidden, state,
} from "./state.js";
import { decodeState, encodeState } from "./url-state.js";

const $ = (id) => document.getElementById(id);
const CONFIG = LOCAL_PLOT_CONFIG;
let controller = null; // aborts the run in flight

function draw(id, figure) {
  window.Plotly.react($(id), figure.data, figure.layout, CONFIG);
}

const datasetInfo = () => byId(catalog.datasets, state.dataset);

function setStatus(text, error = false) {
  $("status-line").textContent = text;
  $("status-line").classList.toggle("error", error);
}

// ---- drawing -------------------------------------------------------------------------------

function drawData() {
  if (!state.points) return;
  const info = datasetInfo();
  draw("data-plot", dataFigure({
    points: state.points, boundary: state.result?.boundary, task: info.task, classes: info.classes,
  }));
}

function drawCurves() {
  const result = state.result || emptyResult();
  draw("loss-chart", lossFigure(result));
  draw("accuracy-chart", accuracyFigure(result, datasetInfo().task));
  draw("sharpness-chart", sharpnessFigure(result));
}

function drawViews() {
  const result = state.result || emptyResult();
  draw("landscape-plot", landscapeFigure(result, state.view3d));
  draw("interp-chart", interpolationFigure(result));
}

function drawAll() {
  drawData();
  drawCurves();
  drawViews();
}

// ---- the form <-> the state -------------------------------------------------------------

function renderOptimizer() {
  const opt = byId(catalog.optimizers, state.optimizer);
  $("optimizer").value = state.optimizer;
  $("optimizer-description").textContent = opt.description;
  renderParamControls($("hyperparams"), opt.params, state.params, "hp", (name, value) => {
    state.params = { ...state.params, [name]: value };
  }, ["lr"]);
  setLearningRate(state.params.lr);
}

function renderSchedule() {
  const kind = byId(catalog.schedules, state.schedule.name);
  $("schedule").value = kind.id;
  renderParamControls($("schedule-options"), kind.params, { ...defaults(kind.params), ...state.schedule }, "sched",
    (name, value) => { state.schedule = { ...state.schedule, [name]: value }; });
}

function renderForm() {
  $("dataset").value = state.dataset;
  $("dataset-description").textContent = datasetInfo().description;
  $("samples").value = state.samples;
  $("data-noise").value = state.data_noise;
  $("hidden").value = state.hidden.join(", ");
  $("activation").value = state.activation;
  $("batch-size").value = state.batch_size ?? "";
  $("steps").value = state.steps;
  $("seed").value = state.seed;
  $("directions").value = state.landscape.directions;
  $("resolution").value = state.landscape.resolution;
  $("view-3d").checked = state.view3d;
  renderOptimizer();
  renderSchedule();
}

let setLearningRate = () => {};

function numberInput(id, apply, { integer = false, optional = false } = {}) {
  $(id).addEventListener("input", () => {
    const raw = $(id).value.trim();
    if (optional && raw === "") {
      $(id).setAttribute("aria-invalid", "false");
      apply(null);
      return;
    }
    const v = Number(raw);
    const ok = raw !== "" && Number.isFinite(v) && (!integer || Number.isInteger(v));
    $(id).setAttribute("aria-invalid", String(!ok));
    if (ok) apply(v);
  });
}

function bindForm() {
  $("dataset").addEventListener("change", async () => {
    state.dataset = $("dataset").value;
    const info = datasetInfo();
    state.samples = info.default_samples;
    state.data_noise = info.default_noise;
    renderForm();
    await loadPoints();
  });
  numberInput("samples", (v) => { state.samples = v; loadPoints(); }, { integer: true });
  numberInput("data-noise", (v) => { state.data_noise = v; loadPoints(); });
  numberInput("steps", (v) => { state.steps = v; }, { integer: true });
  numberInput("seed", (v) => { state.seed = v; loadPoints(); }, { integer: true });
  numberInput("batch-size", (v) => { state.batch_size = v; }, { integer: true, optional: true });
  numberInput("resolution", (v) => { state.landscape = { ...state.landscape, resolution: v }; }, { integer: true });
  $("hidden").addEventListener("input", () => {
    const widths = parseHidden($("hidden").value);
    $("hidden").setAttribute("aria-invalid", String(!widths));
    if (widths) state.hidden = widths;
  });
  $("activation").addEventListener("change", () => { state.activation = $("activation").value; });
  $("directions").addEventListener("change", () => {
    state.landscape = { ...state.landscape, directions: $("directions").value };
  });
  $("optimizer").addEventListener("change", () => {
    state.optimizer = $("optimizer").value;
    const opt = byId(catalog.optimizers, state.optimizer);
    state.params = { ...defaults(opt.params), lr: state.params.lr };
    renderOptimizer();
  });
  $("schedule").addEventListener("change", () => {
    state.schedule = { name: $("schedule").value };
    renderSchedule();
  });
  const lrSpec = byId(catalog.optimizers, state.optimizer).params.find((p) => p.name === "lr");
  setLearningRate = bindLearningRate($("lr-slider"), $("lr"), lrSpec, (v) => {
    state.params = { ...state.params, lr: v };
  });
  $("view-3d").addEventListener("change", () => {
    state.view3d = $("view-3d").checked;
    saveToURL();
    drawViews();
  });
  // Every control's own listener has updated the state by the time the event bubbles here.
  for (const type of ["input", "change"]) $("network-form").addEventListener(type, saveToURL);
  $("network-form").addEventListener("submit", (event) => {
    event.preventDefault();
    train();
  });
  $("stop").addEventListener("click", () => controller?.abort());
}

// ---- HTTP ------------------------------------------------------------------------------------

async function loadPoints() {
  try {
    state.points = await getJSON(`/api/datasets/${state.dataset}`, {
      samples: state.samples, noise: state.data_noise, seed: state.seed,
    });
    state.result = null;
    drawAll();
    markExportable();
  } catch (err) {
    if (err instanceof ApiError) setStatus(err.message, true);
    else throw err;
  }
}

async function train() {
  controller?.abort();
  controller = new AbortController();
  document.body.dataset.idle = "false";
  $("train").disabled = true;
  $("stop").disabled = false;
  setStatus("Training…");
  const result = emptyResult(structuredClone(networkRequest()), location.href);
  try {
    await loadPoints();
    state.result = result;
    const done = await postStream("/api/networks/runs/stream", result.request, (block) => {
      addBlock(result, block);
      const last = result.loss.length - 1;
      setStatus(`Training… step ${last} of ${state.steps}, loss ${result.loss[last].toPrecision(4)}`);
      drawData();
      drawCurves();
    }, { signal: controller.signal });
    Object.assign(result, done);
    drawAll();
    markExportable();
    setStatus(done.message, done.status === "diverged");
  } catch (err) {
    if (err.name === "AbortError") setStatus("Stopped.");
    else if (err instanceof ApiError) setStatus(err.message, true);
    else throw err;
  } finally {
    $("train").disabled = false;
    $("stop").disabled = true;
    document.body.dataset.idle = "true";
  }
}

// ---- presets -------------------------------------------------------------------------------

function renderPresets() {
  renderPresetButtons($("presets"), PRESETS, loadPreset, 1);
}

function showPreset(id) {
  const preset = presetById(id);
  for (const b of document.querySelectorAll("#presets .preset")) {
    b.setAttribute("aria-pressed", String(b.dataset.preset === id));
  }
  $("lesson-note").hidden = !preset;
  $("lesson-title").textContent = preset?.title || "";
  $("lesson-text").textContent = preset?.text || "";
}

async function loadPreset(id) {
  const preset = presetById(id);
  const opt = byId(catalog.optimizers, preset.settings.optimizer);
  Object.assign(state, { schedule: { name: "constant" }, seed: 0 }, preset.settings);
  state.params = { ...defaults(opt.params), ...preset.settings.params };
  state.preset = id;
  showPreset(id);
  renderForm();
  saveToURL();
  await train();
}

// ---- the URL and the header: links and exports --------------------------------------------

function saveToURL() {
  history.replaceState(null, "", `#${encodeState(state)}`);
}

// A link's view: "#preset=<id>" loads that preset, "#s=..." every setting; either one trains
// (a seed makes the run deterministic). False when the hash holds neither.
function restoreFromHash() {
  const presetId = presetFromHash(location.hash);
  if (presetById(presetId)) {
    loadPreset(presetId);
    return true;
  }
  const saved = decodeState(location.hash, DEFAULTS);
  if (!saved) return false;
  Object.assign(state, saved);
  showPreset(state.preset);
  renderForm();
  train();
  return true;
}

// JSON and CSV need a finished run (completed or diverged), not one stopped half-way.
function markExportable() {
  const finished = Boolean(state.result && state.result.status !== "running");
  for (const id of ["export-json", "export-csv", "export-landscape"]) $(id).disabled = !finished;
}

function exportRun(kind) {
  const name = `gradscape-${state.dataset}`;
  if (kind === "json") download(runToJSON(state.result), `${name}-run.json`, "application/json");
  if (kind === "csv") download(curvesToCSV(state.result), `${name}-curves.csv`, "text/csv");
  if (kind === "boundary" || kind === "landscape") {
    const plot = $(kind === "boundary" ? "data-plot" : "landscape-plot");
    window.Plotly.downloadImage(plot, { format: "png", width: 1000, height: 1000, filename: `${name}-${kind}` });
  }
  $("export-menu").open = false;
}

function bindHeader() {
  $("copy-link").addEventListener("click", () => copyLink($("copy-link")));
  $("export-json").addEventListener("click", () => exportRun("json"));
  $("export-csv").addEventListener("click", () => exportRun("csv"));
  $("export-boundary").addEventListener("click", () => exportRun("boundary"));
  $("export-landscape").addEventListener("click", () => exportRun("landscape"));
  window.addEventListener("hashchange", restoreFromHash);
}

// ---- start -----------------------------------------------------------------------------------

async function start() {
  const [datasets, optimizers, schedules, options] = await Promise.all([
    getJSON("/api/datasets"), getJSON("/api/optimizers"), getJSON("/api/schedules"),
    getJSON("/api/networks/options"),
  ]);
  catalog.datasets = datasets;
  // Only the optimizers that apply to networks (not Newton's method, say) are offered.
  catalog.optimizers = optimizers.filter((o) => options.optimizers.includes(o.id));
  catalog.schedules = schedules;
  catalog.activations = options.activations;
  fillSelect($("dataset"), datasets, state.dataset);
  fillSelect($("activation"), options.activations, state.activation);
  $("samples").max = options.max_samples;
  $("steps").max = options.max_steps;
  $("resolution").max = options.max_resolution;
  fillSelect($("optimizer"), catalog.optimizers, state.optimizer);
  fillSelect($("schedule"), schedules, state.schedule.name);
  state.params = { ...defaults(byId(optimizers, state.optimizer).params), ...state.params };
  bindForm();
  bindHeader();
  renderPresets();
  markExportable();
  if (!restoreFromHash()) {
    renderForm();
    await loadPoints();
    document.body.dataset.idle = "true";
  }
  document.body.dataset.ready = "true";
}

window.addEventListener("DOMContentLoaded", () => {
  start().catch((err) => setStatus(`Could not start: ${err.message}`, true));
});
