// The networks page: reads the form into the state (and the state into the URL), checks it,
// streams the runs as one batch, redraws the plots a few times a second, exports the runs.

import { ApiError, getJSON, postJSON, postStream } from "../api.js";
import { fillSelect, renderPresetButtons } from "../controls.js";
import { download } from "../export.js";
import { renderHeader } from "../header.js";
import { attachMoreToggle } from "../lesson-more.js";
import { presetFromHash } from "../link.js";
import { plotConfig } from "../plot-config.js";
import { parseCSV, contentHash, pointsToCSV } from "./csv.js";
import { curvesToCSV, runsToJSON } from "./export.js";
import {
  accuracyFigure, dataFigure, interpolationFigure, landscapeFigure, landscapeScene, lossFigure, sharpnessFigure,
} from "./figures.js";
import { createScene3d } from "../scene3d.js";
import { plotPNG } from "../video.js";
import { PRESETS, presetById } from "./presets.js";
import { renderEditor, renderRunList } from "./runs-panel.js";
import {
  addBlock, batchRequest, byId, catalog, countParams, datasetInfo, DEFAULTS, defaults, emptyResult,
  freshState, makeRun, parseHidden, runLabel, state,
} from "./state.js";
import { decodeState, encodeState } from "./url-state.js";
import { showFieldError } from "../field-errors.js";
import { labelOf, problems } from "./validate.js";

const $ = (id) => document.getElementById(id);
// The site's Plotly config (no buttons that send a chart elsewhere), without lasso and box select.
const CONFIG = plotConfig(["lasso2d", "select2d"]);
let controller = null; // aborts the runs in flight

const setStatus = (text, error = false) => {
  $("status-line").textContent = text;
  $("status-line").classList.toggle("error", error);
};

// ---- drawing: one plot per task, at most a few times a second --------------------------------

const widthOf = (id) => $(id).clientWidth || 560;
const viewRuns = () => state.runs.map((run, i) => ({ label: runLabel(run, i), color: run.color, result: state.results[run.uid] }));

const DRAWERS = {
  data() {
    if (!state.points) return;
    const info = datasetInfo();
    const task = state.points.task || info.task;
    const classes = state.points.classes || info.classes;
    draw("data-plot", dataFigure({ points: state.points, task, classes, runs: viewRuns(), selected: state.selected, width: widthOf("data-plot") }));
  },
  loss: () => draw("loss-chart", lossFigure(viewRuns(), widthOf("loss-chart"))),
  accuracy() {
    const regression = datasetInfo()?.task === "regression";
    $("accuracy-panel").hidden = regression; // no empty axis: regression has no accuracy
    if (!regression) draw("accuracy-chart", accuracyFigure(viewRuns(), widthOf("accuracy-chart")));
  },
  sharpness() {
    const runs = viewRuns();
    draw("sharpness-chart", sharpnessFigure(runs, widthOf("sharpness-chart")));
    const notes = [...new Set(runs.map((r) => r.result?.stability?.note).filter(Boolean))];
    $("sharpness-notes").replaceChildren(...notes.map((text) => Object.assign(document.createElement("li"), { textContent: text })));
  },
  landscape() {
    drawLandscape();
    const land = state.shared;
    $("landscape-caption").textContent = land
      ? `One slice for all runs, through run 1's final weights (★); ${land.directions === "pca" ? "spanned by the principal components of every path together" : "along two random filter-normalised directions"}.`
      : "";
  },
  interpolation: () => draw("interp-chart", interpolationFigure(viewRuns(), widthOf("interp-chart"))),
};

function draw(id, figure) {
  window.Plotly.react($(id), figure.data, figure.layout, CONFIG);
}

// The landscape: a Plotly contour, or in 3D the page's own scene (scene3d.js, no WebGL).
function drawLandscape() {
  const el = $("landscape-plot");
  const scene3d = state.view3d && state.shared;
  if (!scene3d) {
    el._scene3d?.destroy();
    draw("landscape-plot", landscapeFigure(state.shared, viewRuns(), widthOf("landscape-plot")));
    return;
  }
  if (!el._scene3d) {
    if (el._fullLayout) window.Plotly.purge(el);
    createScene3d(el);
  }
  el._scene3d.set(landscapeScene(state.shared, viewRuns()));
}

const queue = new Set();
let pumping = null;
const nextTask = () => new Promise((resolve) => { setTimeout(resolve, 0); });

// Draw the named parts, each Plotly call in its own task, so the page never freezes.
function requestDraw(...parts) {
  for (const part of parts) queue.add(part);
  if (!pumping) {
    pumping = (async () => {
      while (queue.size) {
        const [part] = queue;
        queue.delete(part);
        DRAWERS[part]();
        await nextTask();
      }
      pumping = null;
    })();
  }
  return pumping;
}

const LIVE = ["data", "loss", "accuracy", "sharpness"];
const ALL = [...LIVE, "landscape", "interpolation"];

// ---- the form <-> the state -------------------------------------------------------------

function renderData() {
  const custom = state.dataset === "custom";
  $("dataset").value = state.dataset;
  $("dataset-description").textContent = datasetInfo()?.description || "";
  $("custom-data").hidden = !custom;
  $("generated-data").hidden = custom;
  $("samples").value = state.samples;
  $("data-noise").value = state.data_noise;
  $("data-seed").value = state.data_seed;
  $("hidden").value = state.hidden.join(", ");
  $("activation").value = state.activation;
  $("steps").value = state.steps;
  $("directions").value = state.landscape.directions;
  $("resolution").value = state.landscape.resolution;
  $("sharpness-every").value = state.sharpness_every ?? "";
  $("view-3d").checked = state.view3d;
  if (custom && state.custom?.x && !$("csv").value.trim()) $("csv").value = pointsToCSV(state.custom);
  if (custom && state.custom?.missing) problems($("custom-data"), EXTRA_CHECKS);
  updateBatchLimit();
}

function renderRuns() {
  renderRunList(runHandlers);
  renderEditor({ change: onRunChange });
}

function renderForm() {
  renderData();
  renderRuns();
}

const runHandlers = {
  select(i) {
    state.selected = i;
    renderRuns();
    saveToURL();
    requestDraw("data");
  },
  recolor(i, color) {
    state.runs[i].color = color;
    renderRunList(runHandlers);
    saveToURL();
    requestDraw(...ALL);
  },
  remove(i) {
    const [gone] = state.runs.splice(i, 1);
    delete state.results[gone.uid];
    if (state.shared) state.shared = { ...state.shared, paths: state.shared.paths.filter((_, k) => k !== i) };
    state.selected = Math.min(state.selected, state.runs.length - 1);
    renderRuns();
    saveToURL();
    requestDraw(...ALL);
  },
};

function onRunChange() {
  renderRunList(runHandlers);
  saveToURL();
}

// The batch size a run may take is capped by the training split.
function updateBatchLimit() {
  const n = state.points?.n_train;
  $("batch-size").max = n ? String(n) : "";
  $("batch-size").placeholder = n ? `full (${n})` : "full";
}

// Page-specific checks beyond a number box's own limits.
const EXTRA_CHECKS = {
  hidden(input) {
    const parsed = parseHidden(input.value);
    if (parsed.error) return parsed.error;
    const info = datasetInfo();
    const inputs = info?.task === "regression" ? 1 : 2;
    const outputs = info?.task === "multiclass" ? info.classes : 1;
    const count = countParams([inputs, ...parsed.widths, outputs]);
    const cap = catalog.options.max_params;
    return count > cap ? `That network has ${count} parameters; the limit is ${cap}.` : "";
  },
  csv(input) {
    if (state.dataset !== "custom") return "";
    const missing = state.custom?.missing;
    if (missing && !input.value.trim()) {
      return `This link trains on your own data (${missing.n} points, content hash ${missing.hash}), which no server keeps. Paste or upload the same CSV to continue.`;
    }
    const parsed = parseCSV(input.value, catalog.options.max_samples);
    return parsed.error ? `CSV ${parsed.error}.` : "";
  },
};

// Every field's problem now; shown next to each field, the first one focused.
function checkForm({ focus = false } = {}) {
  const found = problems($("network-form"), EXTRA_CHECKS);
  if (found.length) {
    const names = found.map((f) => labelOf(f.input)).join(", ");
    $("form-error").textContent = `Nothing was trained: fix ${names} first.`;
    $("form-error").hidden = false;
    if (focus) found[0].input.focus();
  } else {
    $("form-error").hidden = true;
  }
  return found;
}

// A number box: its value goes into the state only while it is valid.
function numberInput(id, apply, { optional = false } = {}) {
  $(id).addEventListener("input", () => {
    const [problem] = problems($(id).closest(".control"), EXTRA_CHECKS);
    if (problem) return;
    const raw = $(id).value.trim();
    apply(optional && raw === "" ? null : Number(raw));
  });
}

const selectedRun = () => state.runs[state.selected];

async function useCSV(text) {
  const parsed = parseCSV(text, catalog.options.max_samples);
  if (parsed.error) {
    showFieldError($("csv"), `CSV ${parsed.error}.`);
    return;
  }
  showFieldError($("csv"), "");
  const name = state.custom?.fileName || "pasted CSV";
  state.custom = { ...parsed.points, name, hash: contentHash(parsed.points) };
  $("dataset-description").textContent = datasetInfo().description;
  await loadPoints();
  saveToURL();
}

function bindForm() {
  $("dataset").addEventListener("change", async () => {
    state.dataset = $("dataset").value;
    if (state.dataset !== "custom") {
      const info = datasetInfo();
      state.samples = info.default_samples;
      state.data_noise = info.default_noise;
      showFieldError($("csv"), "");
    }
    renderData();
    if (state.dataset === "custom" && !state.custom?.x) {
      state.points = null;
      state.results = {};
      state.shared = null;
      requestDraw(...ALL);
      if ($("csv").value.trim()) await useCSV($("csv").value);
      return;
    }
    await loadPoints();
  });
  let csvTimer = null;
  $("csv").addEventListener("input", () => {
    clearTimeout(csvTimer);
    csvTimer = setTimeout(() => useCSV($("csv").value), 300);
  });
  $("csv-file").addEventListener("change", async () => {
    const file = $("csv-file").files[0];
    if (!file) return;
    const text = await file.text();
    $("csv").value = text;
    state.custom = { ...(state.custom || {}), fileName: file.name };
    await useCSV(text);
  });
  numberInput("samples", (v) => { state.samples = v; loadPoints(); });
  numberInput("data-noise", (v) => { state.data_noise = v; loadPoints(); });
  numberInput("data-seed", (v) => { state.data_seed = v; loadPoints(); });
  numberInput("steps", (v) => { state.steps = v; });
  numberInput("resolution", (v) => { state.landscape = { ...state.landscape, resolution: v }; });
  numberInput("sharpness-every", (v) => { state.sharpness_every = v; }, { optional: true });
  numberInput("batch-size", (v) => { selectedRun().batch_size = v; onRunChange(); }, { optional: true });
  numberInput("seed", (v) => { selectedRun().seed = v; onRunChange(); });
  $("hidden").addEventListener("input", () => {
    const [problem] = problems($("hidden").closest(".control"), EXTRA_CHECKS);
    if (!problem) state.hidden = parseHidden($("hidden").value).widths;
  });
  $("activation").addEventListener("change", () => { state.activation = $("activation").value; });
  $("directions").addEventListener("change", () => {
    state.landscape = { ...state.landscape, directions: $("directions").value };
  });
  $("optimizer").addEventListener("change", () => {
    const run = selectedRun();
    run.optimizer = $("optimizer").value;
    run.params = { ...defaults(byId(catalog.optimizers, run.optimizer).params), lr: run.params.lr };
    renderRuns();
    saveToURL();
  });
  $("schedule").addEventListener("change", () => {
    selectedRun().schedule = { name: $("schedule").value };
    renderRuns();
    saveToURL();
  });
  $("add-run").addEventListener("click", () => {
    const copy = makeRun(selectedRun(), null, state.runs.map((r) => r.color));
    state.runs.push(copy);
    state.selected = state.runs.length - 1;
    renderRuns();
    saveToURL();
  });
  $("view-3d").addEventListener("change", () => {
    state.view3d = $("view-3d").checked;
    saveToURL();
    requestDraw("landscape");
  });
  // Every field says what is wrong with it as soon as it is typed.
  $("network-form").addEventListener("input", (event) => {
    const field = event.target;
    if (field.matches("input[type=number], input[type=text]")) problems(field.closest(".control") || field.parentElement, EXTRA_CHECKS);
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

// The points as a run sees them: a built-in set by id, your own split by the server.
async function fetchPoints() {
  if (state.dataset === "custom") {
    const { x, y, task } = state.custom;
    return postJSON("/api/networks/dataset", { x, y, task, seed: state.data_seed });
  }
  return getJSON(`/api/datasets/${state.dataset}`, { samples: state.samples, noise: state.data_noise, seed: state.data_seed });
}

async function loadPoints() {
  if (state.dataset === "custom" && !state.custom?.x) return;
  try {
    state.points = await fetchPoints();
    state.results = {};
    state.shared = null;
    updateBatchLimit();
    renderRunList(runHandlers);
    markExportable();
    await requestDraw(...ALL);
  } catch (err) {
    if (err instanceof ApiError) setStatus(err.message, true);
    else throw err;
  }
}

async function train() {
  if (checkForm({ focus: true }).length) {
    setStatus("Nothing was trained: a field needs fixing (see the message beside it).", true);
    return;
  }
  const body = batchRequest();
  const size = new Blob([JSON.stringify(body)]).size;
  if (size > catalog.options.max_body_bytes) {
    // Your points travel once per run: too many of both would be refused (413).
    const mb = (bytes) => `${(bytes / 1e6).toFixed(2)} MB`;
    showFieldError($("csv"), `${state.runs.length} runs with these points make a ${mb(size)} request; the server takes at most ${mb(catalog.options.max_body_bytes)}. Use fewer runs or fewer points.`);
    setStatus("Nothing was trained: the request would be too large (see the message at your data).", true);
    return;
  }
  controller?.abort();
  controller = new AbortController();
  const mine = controller;
  document.body.dataset.idle = "false";
  $("train").disabled = true;
  $("stop").disabled = false;
  setStatus("Training…");
  const link = location.href;
  state.sent = body;
  try {
    await loadPoints();
    state.runs.forEach((run, i) => { state.results[run.uid] = emptyResult(body.runs[i], link); });
    const runs = [...state.runs];
    const done = await postStream("/api/networks/batch/stream", body, (block) => {
      block.runs.forEach((b, i) => { if (b) addBlock(state.results[runs[i].uid], b); });
      const step = Math.max(...runs.map((r) => state.results[r.uid]?.steps_taken || 0));
      setStatus(`Training ${runs.length > 1 ? `${runs.length} runs` : ""}… step ${step} of ${body.runs[0].steps}`);
      renderRunList(runHandlers);
      requestDraw(...LIVE);
    }, { signal: mine.signal });
    done.runs.forEach((summary, i) => { if (state.results[runs[i].uid]) Object.assign(state.results[runs[i].uid], summary); });
    state.shared = done.landscape;
    renderRunList(runHandlers);
    await requestDraw(...ALL);
    markExportable();
    const diverged = done.runs.filter((r) => r.status === "diverged").length;
    setStatus(runs.length === 1 ? done.runs[0].message : `${runs.length} runs: ${done.runs.map((r, i) => `${i + 1}. ${r.message}`).join(" · ")}`, diverged > 0);
  } catch (err) {
    if (err.name === "AbortError") setStatus("Stopped.");
    else if (err instanceof ApiError) setStatus(err.message, true);
    else throw err;
  } finally {
    if (controller === mine) {
      $("train").disabled = false;
      $("stop").disabled = true;
      document.body.dataset.idle = "true";
    }
  }
}

// ---- presets -------------------------------------------------------------------------------

function showPreset(id) {
  const preset = presetById(id);
  for (const b of document.querySelectorAll("#presets .preset")) {
    b.setAttribute("aria-pressed", String(b.dataset.preset === id));
  }
  $("lesson-note").hidden = !preset;
  $("lesson-title").textContent = preset?.title || "";
  $("lesson-text").textContent = preset?.text || "";
}

function applySettings(settings) {
  const fresh = freshState({ ...DEFAULTS, ...settings });
  for (const run of fresh.runs) {
    const opt = byId(catalog.optimizers, run.optimizer);
    run.params = { ...defaults(opt.params), ...run.params };
  }
  Object.assign(state, fresh);
}

async function loadPreset(id) {
  const preset = presetById(id);
  applySettings({ ...preset.settings, preset: id });
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
// (seeds make the runs deterministic). False when the hash holds neither.
function restoreFromHash() {
  const presetId = presetFromHash(location.hash);
  if (presetById(presetId)) {
    loadPreset(presetId);
    return true;
  }
  const saved = decodeState(location.hash, DEFAULTS);
  if (!saved) return false;
  applySettings(saved);
  showPreset(state.preset);
  renderForm();
  if (state.dataset === "custom" && state.custom?.missing) {
    setStatus("This link's data is your own and is not stored anywhere: paste or upload it to train.", true);
    requestDraw(...ALL);
    return true;
  }
  train();
  return true;
}

// JSON and CSV need finished runs (completed or diverged), not ones stopped half-way.
function finishedRuns() {
  const runs = viewRuns();
  return runs.every((r) => r.result && r.result.status !== "running") ? runs : null;
}

function markExportable() {
  const finished = Boolean(finishedRuns());
  for (const id of ["export-json", "export-csv", "export-landscape"]) $(id).disabled = !finished;
}

function exportRuns(kind) {
  const name = `gradscape-${state.dataset}`;
  if (kind === "json") download(runsToJSON(finishedRuns(), state.shared, location.href, state.sent), `${name}-runs.json`, "application/json");
  if (kind === "csv") download(curvesToCSV(finishedRuns()), `${name}-curves.csv`, "text/csv");
  if (kind === "boundary" || kind === "landscape") {
    const plot = $(kind === "boundary" ? "data-plot" : "landscape-plot");
    if (plot._scene3d) plotPNG({ plot }).then((png) => download(png, `${name}-${kind}-3d.png`, "image/png"));
    else window.Plotly.downloadImage(plot, { format: "png", width: 1000, height: 1000, filename: `${name}-${kind}` });
  }
}

function bindHeader() {
  const buttons = renderHeader($("app-header"), "networks", [
    { id: "export-json", label: "Runs as JSON" },
    { id: "export-csv", label: "Curves as CSV" },
    { id: "export-boundary", label: "Boundary as PNG" },
    { id: "export-landscape", label: "Landscape as PNG" },
  ]);
  for (const kind of ["json", "csv", "boundary", "landscape"]) {
    buttons[`export-${kind}`].addEventListener("click", () => exportRuns(kind));
  }
  attachMoreToggle($("lesson-note"), $("lesson-text"));
}

// ---- start -----------------------------------------------------------------------------------

async function start() {
  bindHeader();
  const [datasets, optimizers, schedules, options] = await Promise.all([
    getJSON("/api/datasets"), getJSON("/api/optimizers"), getJSON("/api/schedules"),
    getJSON("/api/networks/options"),
  ]);
  catalog.datasets = datasets;
  // Only the optimizers that apply to networks (not Newton's method, say) are offered.
  catalog.optimizers = optimizers.filter((o) => options.optimizers.includes(o.id));
  catalog.schedules = schedules;
  catalog.activations = options.activations;
  catalog.options = options;
  fillSelect($("dataset"), [...datasets, { id: "custom", name: "Your data (CSV)…" }], state.dataset);
  fillSelect($("activation"), options.activations, state.activation);
  $("samples").max = options.max_samples;
  $("steps").max = options.max_steps;
  $("resolution").max = options.max_resolution;
  $("sharpness-every").max = options.max_steps;
  applySettings(DEFAULTS);
  bindForm();
  window.addEventListener("hashchange", restoreFromHash);
  renderPresetButtons($("presets"), PRESETS, loadPreset, 1);
  markExportable();
  // A link restores its view; a fresh page trains the default run at once, so it opens on a
  // boundary forming rather than on empty axes.
  if (!restoreFromHash()) {
    renderForm();
    saveToURL();
    train();
  }
  document.body.dataset.ready = "true";
}

window.addEventListener("DOMContentLoaded", () => {
  start().catch((err) => setStatus(`Could not start: ${err.message}`, true));
});
