// The Runs panel: the list (select, recolour, remove) and the editor of the selected run
// (optimizer, learning rate, hyperparameters, schedule, batch size, seed). Each function
// redraws its part from the state; user input goes out through the `on` callbacks.

import { bindLearningRate, fillSelect, renderParamControls } from "../controls.js";
import { byId, catalog, defaults, runLabel, state } from "./state.js";

const $ = (id) => document.getElementById(id);

function statusOf(result) {
  if (!result) return { text: "not trained yet", status: "idle" };
  if (result.status === "running") return { text: `training… step ${result.steps_taken}`, status: "running" };
  const loss = result.loss.at(-1);
  const acc = result.accuracy?.at(-1);
  const tail = `loss ${loss?.toPrecision(3)}${acc !== undefined ? ` · accuracy ${(100 * acc).toFixed(1)}%` : ""}`;
  return { text: `${result.status} · ${tail}`, status: result.status };
}

export function renderRunList(on) {
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
    pick.title = "Edit this run; its decision regions shade the data plot";
    pick.innerHTML = '<span class="run-name"></span><span class="run-status"></span>';
    pick.querySelector(".run-name").textContent = runLabel(run, i);
    const { text, status } = statusOf(state.results[run.uid]);
    const statusEl = pick.querySelector(".run-status");
    statusEl.textContent = text;
    statusEl.dataset.status = status;
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
  $("run-list").replaceChildren(...items);
  $("add-run").disabled = state.runs.length >= (catalog.options?.max_runs || 8);
}

let setLearningRate = null;

// The editor shows the selected run; `on.change(run)` after every valid edit.
export function renderEditor(on) {
  const run = state.runs[state.selected];
  const opt = byId(catalog.optimizers, run.optimizer);
  if (!setLearningRate) {
    const lrSpec = opt.params.find((p) => p.name === "lr");
    setLearningRate = bindLearningRate($("lr-slider"), $("lr"), lrSpec, (v) => {
      const current = state.runs[state.selected];
      current.params = { ...current.params, lr: v };
      on.change(current);
    });
    $("lr").max = lrSpec?.max ?? "";
    fillSelect($("optimizer"), catalog.optimizers);
    fillSelect($("schedule"), catalog.schedules);
  }
  $("optimizer").value = run.optimizer;
  $("optimizer-description").textContent = opt.description;
  setLearningRate(run.params.lr);
  renderParamControls($("hyperparams"), opt.params, run.params, "hp", (name, value) => {
    run.params = { ...run.params, [name]: value };
    on.change(run);
  }, ["lr"]);
  const kind = byId(catalog.schedules, run.schedule.name);
  $("schedule").value = kind.id;
  renderParamControls($("schedule-options"), kind.params, { ...defaults(kind.params), ...run.schedule }, "sched", (name, value) => {
    run.schedule = { ...run.schedule, [name]: value };
    on.change(run);
  });
  $("batch-size").value = run.batch_size ?? "";
  $("seed").value = run.seed;
  for (const input of document.querySelectorAll("#run-editor input")) input.setAttribute("aria-invalid", "false");
  for (const note of document.querySelectorAll("#run-editor .field-error")) note.hidden = true;
}
