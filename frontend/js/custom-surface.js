// Custom formula surfaces: the formula box with live validation (the error's position is
// underlined as you type), the editable range, one-click examples, and the two requests that
// turn a formula into surface metadata and a contour grid. The formula itself lives in
// state.custom, so links and exports carry it; main.js calls in through a few hooks.

import { ApiError, postJSON } from "./api.js";
import { catalog, state } from "./state.js";

export const CUSTOM = "custom";
export const DEFAULT_FORMULA = { expression: "x^2 + 10*y^2", x_range: [-3, 3], y_range: [-3, 3] };

// Each example is one click: a formula, its range and (for a lesson) the runs that show it.
export const EXAMPLES = [
  {
    id: "tilted-ravine",
    name: "Tilted ravine",
    expression: "10*(y - 0.5*x)^2 + 0.05*(x - 2)^2",
    x_range: [-4, 4],
    y_range: [-3, 3],
  },
  {
    id: "tilted-monkey",
    name: "Monkey saddle, tilted",
    expression: "x^3 - 3*x*y^2 + 0.5*x",
    x_range: [-2, 2],
    y_range: [-2, 2],
  },
  {
    id: "curved-valley",
    name: "Narrow curved valley",
    expression: "20*(y - sin(2*x))^2 + 0.1*x^2",
    x_range: [-3, 3],
    y_range: [-2, 2],
  },
  {
    id: "subgradients",
    name: "|x| + 10|y|: SGD vs Adam",
    expression: "abs(x) + 10*abs(y)",
    x_range: [-3, 3],
    y_range: [-3, 3],
    steps: 200,
    runs: [
      { optimizer: "sgd", params: { lr: 0.05 } },
      { optimizer: "adam", params: { lr: 0.1 } },
    ],
    note:
      "No gradient at the kinks: each step uses a subgradient (sign(x), 10 sign(y)). SGD's " +
      "steps across the valley stay lr × 10 long, so it zig-zags over y = 0 for ever; Adam " +
      "averages the flipping signs in its momentum and its steps shrink toward the minimum.",
  },
];

export const isCustom = (s = state) => s.surface === CUSTOM;

// The grid cache key of the current surface: a formula's key changes with its text and range.
export function surfaceKey(s = state) {
  return isCustom(s) ? `${CUSTOM}:${JSON.stringify(s.custom)}` : s.surface;
}

// Metadata (stationary points, default start, ...) and the grid of a formula, fetched together.
// The metadata becomes catalog.byId.surface.custom, so every view treats it like a built-in.
export async function loadCustom(custom, resolution) {
  const [info, grid] = await Promise.all([
    postJSON("/api/surfaces/custom", custom),
    postJSON("/api/surfaces/custom/grid", { ...custom, resolution }),
  ]);
  catalog.byId.surface[CUSTOM] = info;
  return grid;
}

// A formula's degenerate stationary points (a zero Hessian eigenvalue), which figures.js has
// no marker for; its minima, saddles and maxima are drawn like every surface's.
export function customMarkers(surface) {
  const points = surface?.id === CUSTOM ? surface.degenerate || [] : [];
  if (!points.length) return [];
  return [{
    type: "scatter", mode: "markers", name: "degenerate", x: points.map((p) => p[0]), y: points.map((p) => p[1]),
    marker: { symbol: "diamond-open", size: 12, color: "#1b2330", line: { width: 2 } },
    hovertemplate: "degenerate stationary point (%{x:.3g}, %{y:.3g})<extra></extra>", meta: { role: "degenerate" },
  }];
}

// ---- the formula box ------------------------------------------------------------------------

const $ = (id) => document.getElementById(id);
let hooks = null;
let pending = null; // AbortController of the validation in flight
let timer = null;
let shown = null; // the formula the box last showed from the state

function rangeInputs(axis) {
  return `
    <div class="control-row formula-range">
      <div class="control">
        <label for="custom-${axis}-min">${axis} from</label>
        <input id="custom-${axis}-min" type="number" step="any" inputmode="decimal">
      </div>
      <div class="control">
        <label for="custom-${axis}-max">${axis} to</label>
        <input id="custom-${axis}-max" type="number" step="any" inputmode="decimal">
      </div>
    </div>`;
}

// Build the box (once) after the surface's formula line, and add "Custom formula" to the menu.
// hooks.apply(custom, {runs, steps, note}) is called with a validated formula.
export function mountCustomSurface(select, anchor, appHooks) {
  hooks = appHooks;
  select.append(new Option("Custom formula…", CUSTOM));
  const box = document.createElement("div");
  box.id = "custom-formula";
  box.className = "custom-formula";
  box.hidden = true;
  box.innerHTML = `
    <div class="control">
      <label for="formula">f(x, y) =</label>
      <div class="formula-field">
        <div class="formula-mirror" id="formula-mirror" aria-hidden="true"></div>
        <textarea id="formula" rows="2" spellcheck="false" autocomplete="off" autocapitalize="off"
                  aria-describedby="formula-message"></textarea>
      </div>
    </div>
    <p class="formula-message" id="formula-message" role="status" aria-live="polite"></p>
    ${rangeInputs("x")}
    ${rangeInputs("y")}
    <p class="hint">Numbers, x, y, pi, e, + − * / ^, and sin cos tan exp log log10 sqrt abs
      tanh sinh cosh atan sigmoid softplus min max. Examples:</p>
    <div class="formula-examples" id="formula-examples"></div>`;
  anchor.after(box);
  const examples = $("formula-examples");
  for (const ex of EXAMPLES) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "btn btn-small";
    b.dataset.example = ex.id;
    b.textContent = ex.name;
    b.title = ex.expression;
    b.addEventListener("click", () => loadExample(ex));
    examples.append(b);
  }
  $("formula").addEventListener("input", () => edited());
  $("formula").addEventListener("scroll", () => { $("formula-mirror").scrollTop = $("formula").scrollTop; });
  for (const id of ["custom-x-min", "custom-x-max", "custom-y-min", "custom-y-max"]) {
    $(id).addEventListener("input", () => edited());
  }
}

function loadExample(ex) {
  const custom = { expression: ex.expression, x_range: [...ex.x_range], y_range: [...ex.y_range] };
  fillBox(custom);
  validate(custom, { runs: ex.runs, steps: ex.steps, note: ex.note ? { title: ex.name, text: ex.note } : null });
}

// Show the current state in the box (on load, on switching to the custom surface).
// Called after every state change: shows the box for the custom surface, refills it when the
// formula changed elsewhere (a link, an example), and shows an example's lesson, if any.
export function renderCustomSurface() {
  const box = $("custom-formula");
  if (!box) return;
  box.hidden = !isCustom();
  const example = isCustom() && !state.preset
    ? EXAMPLES.find((ex) => ex.note && ex.expression === state.custom?.expression)
    : null;
  if (example) {
    $("lesson-note").hidden = false;
    $("lesson-note").classList.remove("modified");
    if ($("lesson-modified")) $("lesson-modified").hidden = true;
    $("lesson-title").textContent = example.name;
    $("lesson-text").textContent = example.note;
  }
  if (!isCustom() || !state.custom) return;
  const key = JSON.stringify(state.custom);
  if (key !== shown) {
    shown = key;
    fillBox(state.custom);
  }
  const info = catalog.byId.surface[CUSTOM];
  if (info && document.body.dataset.formula !== "error") showFound(info);
}

function fillBox(custom) {
  $("formula").value = custom.expression;
  $("custom-x-min").value = String(custom.x_range[0]);
  $("custom-x-max").value = String(custom.x_range[1]);
  $("custom-y-min").value = String(custom.y_range[0]);
  $("custom-y-max").value = String(custom.y_range[1]);
  underline(custom.expression, null);
}

function readBox() {
  const num = (id) => Number($(id).value.trim() === "" ? NaN : $(id).value);
  return {
    expression: $("formula").value,
    x_range: [num("custom-x-min"), num("custom-x-max")],
    y_range: [num("custom-y-min"), num("custom-y-max")],
  };
}

function edited() {
  clearTimeout(timer);
  document.body.dataset.formula = "checking";
  timer = setTimeout(() => validate(readBox()), 180);
}

// Ask the server (the only parser): a 422 names the problem and its position.
async function validate(custom, extras = {}) {
  clearTimeout(timer);
  pending?.abort();
  const controller = new AbortController();
  pending = controller;
  document.body.dataset.formula = "checking";
  const rangeError = checkRanges(custom);
  if (rangeError) {
    showError(rangeError, null, custom.expression, rangeError.field);
    return;
  }
  try {
    const info = await postJSON("/api/surfaces/custom", custom, { signal: controller.signal });
    if (pending !== controller) return;
    catalog.byId.surface[CUSTOM] = info;
    underline(custom.expression, null);
    showFound(info);
    document.body.dataset.formula = "ok";
    shown = JSON.stringify(custom);
    hooks.apply(custom, extras);
  } catch (err) {
    if (controller.signal.aborted) return;
    const d = err instanceof ApiError && Array.isArray(err.detail) ? err.detail[0] : null;
    const field = d?.loc?.[d.loc.length - 1];
    showError({ message: d?.msg || err.message }, d?.ctx?.position ?? null, custom.expression, field);
  }
}

function checkRanges({ x_range: xr, y_range: yr }) {
  for (const [axis, r] of [["x", xr], ["y", yr]]) {
    if (!r.every(Number.isFinite)) return { message: `${axis} range: type two numbers`, field: `${axis}_range` };
    if (!(r[0] < r[1])) return { message: `${axis} range: "from" must be less than "to"`, field: `${axis}_range` };
  }
  return null;
}

function showError(error, position, expression, field) {
  document.body.dataset.formula = "error";
  const msg = $("formula-message");
  msg.textContent = error.message;
  msg.classList.add("error");
  const onFormula = !field || field === "expression";
  $("formula").setAttribute("aria-invalid", String(onFormula));
  for (const axis of ["x", "y"]) {
    const bad = field === `${axis}_range`;
    $(`custom-${axis}-min`).setAttribute("aria-invalid", String(bad));
    $(`custom-${axis}-max`).setAttribute("aria-invalid", String(bad));
  }
  underline(expression, onFormula ? position : null);
}

// The mirror behind the textarea repeats its text invisibly, with the culprit underlined.
function underline(expression, position) {
  const mirror = $("formula-mirror");
  if (position === null || position === undefined) {
    mirror.textContent = expression;
    $("formula").setAttribute("aria-invalid", "false");
    return;
  }
  const at = Math.max(0, Math.min(position, expression.length));
  const mark = document.createElement("mark");
  mark.className = "formula-culprit";
  mark.textContent = expression.slice(at, at + 1) || " ";
  mirror.replaceChildren(expression.slice(0, at), mark, expression.slice(at + 1));
  mirror.scrollTop = $("formula").scrollTop;
}

function showFound(info) {
  const msg = $("formula-message");
  msg.classList.remove("error");
  for (const id of ["custom-x-min", "custom-x-max", "custom-y-min", "custom-y-max"]) {
    $(id).setAttribute("aria-invalid", "false");
  }
  if (!info) {
    msg.textContent = "";
    return;
  }
  const count = (n, one, many) => (n ? `${n} ${n === 1 ? one : many}` : "");
  const found = [
    count(info.minima.length, "minimum", "minima"),
    count(info.saddles.length, "saddle", "saddles"),
    count(info.maxima.length, "maximum", "maxima"),
    count(info.degenerate.length, "degenerate point", "degenerate points"),
  ].filter(Boolean);
  msg.textContent = `${found.length ? found.join(", ") : "No stationary points"} in range · ` +
    `∇f = (${info.gradient[0]}, ${info.gradient[1]})`;
}
