// The left panel's dynamic parts: the run list, the run editor, presets and lessons. Each
// function redraws one part from the state; user input goes out through the `on` callbacks.

import {
  bindLearningRate, fillSelect, renderParamControls, renderPresetButtons,
} from "./controls.js";
import { showFieldError } from "./field-errors.js";
import { LESSONS, lessonHref } from "./lessons.js";
import { PRESETS } from "./presets.js";
import {
  catalog, isDataSurface, optimizerInfo, runLabel, scheduleInfo, startPoint, state,
  statusStyle, statusText, surfaceInfo,
} from "./state.js";

const $ = (id) => document.getElementById(id);

export function renderPresets(onLoad) {
  renderPresetButtons($("presets"), PRESETS, onLoad, 0);
}

export function markPreset(presetId) {
  for (const b of document.querySelectorAll("#presets .preset")) {
    b.setAttribute("aria-pressed", String(b.dataset.preset === presetId));
  }
}

export function renderLessons() {
  $("lessons").replaceChildren(
    ...LESSONS.map((lesson) => {
      const li = document.createElement("li");
      const q = document.createElement("a");
      q.href = lessonHref(lesson);
      q.className = "lesson-link";
      q.textContent = lesson.question;
      const p = document.createElement("p");
      p.textContent = lesson.answer;
      li.append(q, p);
      if (lesson.also) {
        const more = document.createElement("a");
        more.href = lessonHref(lesson, lesson.also);
        more.textContent = "…and on a saddle";
        p.append(" ", more);
      }
      return li;
    }),
  );
}

// The global problem controls: surface, start, steps, tolerance, 3D toggle.
export function renderProblem() {
  const surface = surfaceInfo();
  $("surface").value = state.surface;
  $("surface-formula").textContent = surface ? surface.formula : "";
  $("surface-formula").title = surface?.description || "";
  const [x, y] = startPoint();
  $("start-x").value = String(Number(x.toPrecision(4)));
  $("start-y").value = String(Number(y.toPrecision(4)));
  $("steps").value = String(state.steps);
  $("tol").value = String(state.tol);
  $("view-3d").checked = state.view3d;
  for (const id of ["start-x", "start-y", "steps", "tol"]) showFieldError($(id), null);
}

export function renderRunList(results, on) {
  const list = $("run-list");
  const items = state.runs.map((run, i) => {
    const li = document.createElement("li");
    li.className = `run-item${i === state.selected ? " selected" : ""}`;
    li.style.setProperty("--run-color", run.color);
    const color = document.createElement("input");
    color.type = "color";
    color.value = run.color;
    color.setAttribute("aria-label", `Colour of run ${i + 1}`);
    color.addEventListener("input", () => on.recolor(i, color.value));
    const pick = document.createElement("button");
    pick.type = "button";
    pick.className = "run-select";
    pick.setAttribute("aria-pressed", String(i === state.selected));
    const result = results[run.uid];
    const status = statusText(result);
    pick.innerHTML = '<span class="run-name"></span><span class="run-status"></span>';
    pick.querySelector(".run-name").textContent = `${i + 1}. ${runLabel(run)}`;
    const statusEl = pick.querySelector(".run-status");
    statusEl.textContent = status;
    statusEl.dataset.status = statusStyle(result);
    pick.addEventListener("click", () => on.select(i));
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "btn btn-icon btn-ghost";
    remove.textContent = "×";
    remove.setAttribute("aria-label", `Remove run ${i + 1}`);
    remove.disabled = state.runs.length <= 1;
    remove.addEventListener("click", () => on.remove(i));
    li.append(color, pick, remove);
    return li;
  });
  list.replaceChildren(...items);
}

let setLearningRate = null;

// The editor for the selected run: optimizer, learning rate, hyperparameters, schedule, noise.
export function renderEditor(on) {
  const run = state.runs[state.selected];
  if (!run) return;
  const opt = optimizerInfo(run.optimizer);
  if (!setLearningRate) {
    const lrSpec = opt?.params.find((p) => p.name === "lr");
    setLearningRate = bindLearningRate($("lr-slider"), $("lr"), lrSpec, (v) => on.param("lr", v));
    fillSelect($("optimizer"), catalog.optimizers);
    fillSelect($("schedule"), catalog.schedules);
  }
  $("optimizer").value = run.optimizer;
  $("optimizer-description").textContent = opt?.description || "";
  setLearningRate(run.params.lr);
  renderParamControls($("hyperparams"), opt?.params || [], run.params, "hp", on.param, ["lr"]);
  $("schedule").value = run.schedule.name;
  renderParamControls($("schedule-options"), scheduleInfo(run.schedule.name)?.params || [], run.schedule, "sched", on.scheduleOption);
  const data = isDataSurface();
  $("noise-control").hidden = data;
  $("batch-control").hidden = !data;
  $("noise").value = String(run.noise);
  $("batch-size").value = run.batch_size ? String(run.batch_size) : "";
  const n = surfaceInfo()?.n_samples;
  $("batch-size").max = n ? String(n) : "";
  $("batch-size").placeholder = n ? `full (${n})` : "full";
  $("seed").value = String(run.seed);
}

export function describeFrame(frame, length) {
  return `step ${frame} / ${Math.max(length - 1, 0)}`;
}
