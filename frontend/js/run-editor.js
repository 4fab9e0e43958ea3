// The Runs panel's parts both pages share (index.html and networks.html): the run list and the
// optimizer fields of the run editor. Each page says what a run's name and status are and what
// an edit does; the markup and the wiring live here once.

import { bindLearningRate, fillSelect, renderParamControls } from "./controls.js";

const $ = (id) => document.getElementById(id);

// One row per run in `list`: its colour, a button that selects it (name and status) and a
// remove button. rows: [{color, name, status, statusStyle, title?}];
// on: {recolor(i, color), select(i), remove(i)}.
export function renderRunItems(list, rows, selected, on) {
  const items = rows.map((row, i) => {
    const li = document.createElement("li");
    li.className = `run-item${i === selected ? " selected" : ""}`;
    li.style.setProperty("--run-color", row.color);
    const color = document.createElement("input");
    color.type = "color";
    color.value = row.color;
    color.setAttribute("aria-label", `Colour of run ${i + 1}`);
    color.addEventListener("input", () => on.recolor(i, color.value));
    const pick = document.createElement("button");
    pick.type = "button";
    pick.className = "run-select";
    pick.setAttribute("aria-pressed", String(i === selected));
    if (row.title) pick.title = row.title;
    pick.innerHTML = '<span class="run-name"></span><span class="run-status"></span>';
    pick.querySelector(".run-name").textContent = row.name;
    const statusEl = pick.querySelector(".run-status");
    statusEl.textContent = row.status;
    statusEl.dataset.status = row.statusStyle;
    pick.addEventListener("click", () => on.select(i));
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "btn btn-icon btn-ghost";
    remove.textContent = "×";
    remove.setAttribute("aria-label", `Remove run ${i + 1}`);
    remove.disabled = rows.length <= 1;
    remove.addEventListener("click", () => on.remove(i));
    li.append(color, pick, remove);
    return li;
  });
  list.replaceChildren(...items);
}

// The optimizer fields of the editor (#optimizer, #optimizer-description, #lr-slider and #lr,
// #hyperparams, #schedule, #schedule-options), filled from the catalog on the first call.
// on: {param(name, value), scheduleOption(name, value)}, called with valid values only.
// Returns render(run, optimizer, schedule, scheduleValues).
export function optimizerFields(catalog, on) {
  let setLearningRate = null;
  return (run, opt, schedule, scheduleValues) => {
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
    renderParamControls($("schedule-options"), schedule?.params || [], scheduleValues, "sched", on.scheduleOption);
  };
}
