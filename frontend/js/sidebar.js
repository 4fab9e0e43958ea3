// The left panel's dynamic parts: the run list, the run editor, presets and lessons. Each
// function redraws one part from the state; user input goes out through the `on` callbacks.

import { renderPresetButtons } from "./controls.js";
import { showFieldError } from "./field-errors.js";
import { LESSONS, lessonHref } from "./lessons.js";
import { PRESETS } from "./presets.js";
import { optimizerFields, renderRunItems } from "./run-editor.js";
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
  const rows = state.runs.map((run, i) => ({
    color: run.color,
    name: `${i + 1}. ${runLabel(run)}`,
    status: statusText(results[run.uid]),
    statusStyle: statusStyle(results[run.uid]),
  }));
  renderRunItems($("run-list"), rows, state.selected, on);
}

let renderOptimizerFields = null;

// The editor for the selected run: optimizer, learning rate, hyperparameters, schedule, noise.
export function renderEditor(on) {
  const run = state.runs[state.selected];
  if (!run) return;
  renderOptimizerFields ||= optimizerFields(catalog, on);
  renderOptimizerFields(run, optimizerInfo(run.optimizer), scheduleInfo(run.schedule.name), run.schedule);
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
