// The one state object and the pure helpers that read it. Everything a link must reproduce
// lives in `state`; results, the catalog and the animation clock live beside it, not in it.

export const PALETTE = ["#ff5a36", "#1f9bd1", "#f5b700", "#9b5de5", "#00c49a", "#ff5d8f", "#3d5a80", "#8ac926"];

export const state = {
  surface: "rosenbrock",
  custom: null, // {expression, x_range, y_range} while surface is "custom" (custom-surface.js)
  start: null, // [x, y]; null means the surface's default_start
  steps: 200,
  tol: 1e-6,
  view3d: false,
  camera3d: null, // {turn, tilt, zoom} of the 3D view as the user left it; null: the first view
  preset: null, // id of the preset last loaded, if the state still matches it
  selected: 0, // index of the run shown in the run editor
  runs: [],
};

// The API's metadata, loaded once: {surfaces, optimizers, schedules} as arrays plus maps by id.
export const catalog = { surfaces: [], optimizers: [], schedules: [], byId: {} };

export function setCatalog({ surfaces, optimizers, schedules }) {
  Object.assign(catalog, { surfaces, optimizers, schedules });
  catalog.byId = {
    surface: Object.fromEntries(surfaces.map((s) => [s.id, s])),
    optimizer: Object.fromEntries(optimizers.map((o) => [o.id, o])),
    schedule: Object.fromEntries(schedules.map((s) => [s.id, s])),
  };
}

export const surfaceInfo = (id = state.surface) => catalog.byId.surface?.[id];
export const optimizerInfo = (id) => catalog.byId.optimizer?.[id];
export const scheduleInfo = (id) => catalog.byId.schedule?.[id];

export function defaults(paramSpecs) {
  return Object.fromEntries((paramSpecs || []).map((p) => [p.name, p.default]));
}

let nextUid = 1;

// A run as the user edits it. `uid` ties it to its result; it is not part of a link.
export function makeRun(fields = {}, index = 0) {
  const optimizer = fields.optimizer || "sgd";
  const info = optimizerInfo(optimizer);
  const schedule = { name: "constant", ...(fields.schedule || {}) };
  return {
    uid: `r${nextUid++}`,
    optimizer,
    params: { ...defaults(info?.params), ...(fields.params || {}) },
    schedule: { ...defaults(scheduleInfo(schedule.name)?.params), ...schedule },
    noise: fields.noise ?? 0,
    batch_size: fields.batch_size ?? null,
    seed: fields.seed ?? 0,
    color: fields.color || PALETTE[index % PALETTE.length],
  };
}

// The learning rate a run of `optimizer` starts with on a surface: the surface's suggestion
// (GET /api/surfaces, suggested_lr: moves visibly in 200 steps), else the optimizer's default.
export function suggestedLr(optimizer, surfaceId = state.surface) {
  return surfaceInfo(surfaceId)?.suggested_lr?.[optimizer] ?? defaults(optimizerInfo(optimizer)?.params).lr;
}

// Switching optimizer starts from that optimizer's defaults, with its suggested learning rate
// for the current surface (Newton and L-BFGS: 1).
export function withOptimizer(run, optimizer) {
  const fresh = defaults(optimizerInfo(optimizer)?.params);
  const lr = suggestedLr(optimizer);
  return { ...run, optimizer, params: { ...fresh, ...(lr === undefined ? {} : { lr }) } };
}

// On a surface change, a run still at its suggested (or default) rate takes the new surface's
// suggestion; a rate the user chose stays.
export function withSurface(run, from, to) {
  const lr = run.params.lr;
  const untouched = lr === suggestedLr(run.optimizer, from) || lr === defaults(optimizerInfo(run.optimizer)?.params).lr;
  const next = suggestedLr(run.optimizer, to);
  return untouched && next !== undefined ? { ...run, params: { ...run.params, lr: next } } : run;
}

export function withSchedule(run, name) {
  return { ...run, schedule: { name, ...defaults(scheduleInfo(name)?.params) } };
}

export function startPoint(s = state) {
  return s.start || surfaceInfo(s.surface)?.default_start || [0, 0];
}

export const isDataSurface = (id = state.surface) => surfaceInfo(id)?.kind === "data";

const MAX_EXACT = 20001;

// The step number of point k of a result (a thinned result lists them in `index`).
export const stepOf = (result, k) => result?.index?.[k] ?? k;
// What the API takes as `surface`: an id, or the formula object of a custom surface.
export const surfaceRef = (s = state) => (s.surface === "custom" ? s.custom : s.surface);

// The body of POST /api/runs for one run of the current state.
export function runRequest(run, s = state) {
  const body = {
    surface: surfaceRef(s),
    optimizer: run.optimizer,
    params: { ...run.params },
    schedule: { ...run.schedule },
    start: startPoint(s),
    steps: s.steps,
    seed: run.seed,
    tol: s.tol,
    // Runs up to MAX_EXACT points come whole (every step drawn, exported and animated); the
    // server thins longer ones (first, every k-th and last point, with `index` their steps).
    max_points: MAX_EXACT,
  };
  if (isDataSurface(s.surface)) body.batch_size = run.batch_size;
  else body.noise = run.noise;
  return body;
}

export function nextColor(runs) {
  const used = new Set(runs.map((r) => r.color));
  return PALETTE.find((c) => !used.has(c)) || PALETTE[runs.length % PALETTE.length];
}

// Where a converged run stopped, from the run's stationary_kind (POST /api/curvature's kinds).
const REACHED = { minimum: "at a minimum", maximum: "on a local maximum", saddle: "on a saddle point", flat: "on a flat point" };

// Short human text for a run's status, e.g. "diverged at step 37", "converged in 212 steps at a
// minimum" or "converged in 3 steps on a local maximum".
export function statusText(result) {
  if (!result) return "waiting";
  if (result.error) return `error: ${result.error}`;
  if (!result.status) return `running… ${Math.max(0, result.points.length - 1)} steps`;
  const reached = REACHED[result.stationary_kind] ? ` ${REACHED[result.stationary_kind]}` : "";
  if (result.message) return result.message.split(/[:;]/)[0] + reached;
  return `${result.status} after ${result.steps_taken} steps${reached}`;
}

// The style a status is shown in: L-BFGS halting by its own rule is "stopped", not "converged".
export function statusStyle(result) {
  if (!result?.status) return "running";
  if (result.message?.startsWith("stopped")) return "stopped";
  return result.status;
}

export function formatNumber(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(2).replace("e+", "e");
  return String(Number(v.toPrecision(4)));
}

export function runLabel(run) {
  const name = optimizerInfo(run.optimizer)?.name || run.optimizer;
  const parts = [`lr ${formatNumber(run.params.lr)}`];
  if (run.schedule?.name && run.schedule.name !== "constant") parts.push(run.schedule.name);
  if (isDataSurface()) parts.push(run.batch_size ? `batch ${run.batch_size}` : "full batch");
  else if (run.noise) parts.push(`σ ${formatNumber(run.noise)}`);
  const wd = run.params.weight_decay;
  if (wd) parts.push(`wd ${formatNumber(wd)}`);
  return `${name} (${parts.join(", ")})`;
}

// Optimizers "+ Add run" tries in turn: the first one not yet racing is added.
const ADD_ORDER = ["adam", "momentum", "sgd", "rmsprop", "nesterov", "adagrad", "nadam", "adamw", "lbfgs", "newton"];

// The run "+ Add run" adds: another optimizer, an unused colour, and the learning rate the
// surface suggests for it (one that moves visibly on this surface).
export function addedRun(runs) {
  const used = new Set(runs.map((r) => r.optimizer));
  const known = ADD_ORDER.filter((id) => optimizerInfo(id));
  const optimizer = known.find((id) => !used.has(id)) || known[runs.length % known.length] || "sgd";
  const run = makeRun({ optimizer, color: nextColor(runs) }, runs.length);
  const lr = suggestedLr(optimizer);
  return lr === undefined ? run : { ...run, params: { ...run.params, lr } };
}
