// The lesson card above the plot. One rule: the card of the last loaded preset stays for as
// long as that preset is the state's `preset`; once any setting that decides the runs differs
// from the preset's (an edit, another surface, a run added or removed), the card says
// "Modified" and offers the way back. Colours, the selected run and the 3D view do not count.

import { presetById } from "./presets.js";
import { makeRun, runRequest, startPoint } from "./state.js";

const $ = (id) => document.getElementById(id);

// The full state a preset loads (colours and uids fresh).
export function presetState(id, { view3d } = {}) {
  const s = presetById(id).state;
  return {
    surface: s.surface, start: s.start || null, steps: s.steps || 200, tol: s.tol ?? 1e-6,
    view3d: view3d ?? Boolean(s.view3d), preset: id, selected: 0,
    runs: s.runs.map((r, i) => makeRun(r, i)),
  };
}

// What decides the picture: every run's exact API request.
function fingerprint(s) {
  return JSON.stringify({ start: startPoint(s), tol: s.tol, runs: s.runs.map((run) => runRequest(run, s)) });
}

export function presetModified(s) {
  if (!s.preset || !presetById(s.preset)) return false;
  return fingerprint(s) !== fingerprint(presetState(s.preset));
}

let restore = null;

// Show the card for `s.preset` (or hide it); onRestore(id) reloads the preset.
export function renderLessonCard(s, onRestore) {
  const preset = s.preset && presetById(s.preset);
  const card = $("lesson-note");
  card.hidden = !preset;
  if (!preset) return;
  $("lesson-title").textContent = preset.title;
  $("lesson-text").textContent = preset.text;
  let bar = $("lesson-modified");
  if (!bar) {
    bar = document.createElement("p");
    bar.id = "lesson-modified";
    bar.className = "lesson-modified";
    bar.innerHTML = '<span>Modified: the text describes the original settings.</span> ';
    const back = document.createElement("button");
    back.type = "button";
    back.className = "btn btn-small";
    back.id = "lesson-restore";
    back.textContent = "Back to the lesson";
    back.addEventListener("click", () => restore?.());
    bar.append(back);
    card.append(bar);
  }
  restore = () => onRestore(s.preset);
  const modified = presetModified(s);
  bar.hidden = !modified;
  card.classList.toggle("modified", modified);
  card.dataset.modified = String(modified);
}
