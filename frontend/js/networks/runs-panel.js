// The Runs panel: the list (select, recolour, remove) and the editor of the selected run
// (optimizer, learning rate, hyperparameters, schedule, batch size, seed). Each function
// redraws its part from the state; user input goes out through the `on` callbacks.

import { optimizerFields, renderRunItems } from "../run-editor.js";
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
  const rows = state.runs.map((run, i) => {
    const { text, status } = statusOf(state.results[run.uid]);
    return {
      color: run.color, name: runLabel(run, i), status: text, statusStyle: status,
      title: "Edit this run; its decision regions shade the data plot",
    };
  });
  renderRunItems($("run-list"), rows, state.selected, on);
  $("add-run").disabled = state.runs.length >= (catalog.options?.max_runs || 8);
}

let renderOptimizerFields = null;

// The editor shows the selected run; `on.change(run)` after every valid edit.
export function renderEditor(on) {
  const run = state.runs[state.selected];
  const edit = (field) => (name, value) => {
    const current = state.runs[state.selected];
    current[field] = { ...current[field], [name]: value };
    on.change(current);
  };
  renderOptimizerFields ||= optimizerFields(catalog, { param: edit("params"), scheduleOption: edit("schedule") });
  const opt = byId(catalog.optimizers, run.optimizer);
  const kind = byId(catalog.schedules, run.schedule.name);
  renderOptimizerFields(run, opt, kind, { ...defaults(kind.params), ...run.schedule });
  $("lr").max = opt.params.find((p) => p.name === "lr")?.max ?? "";
  $("batch-size").value = run.batch_size ?? "";
  $("seed").value = run.seed;
  for (const input of document.querySelectorAll("#run-editor input")) input.setAttribute("aria-invalid", "false");
  for (const note of document.querySelectorAll("#run-editor .field-error")) note.hidden = true;
}
