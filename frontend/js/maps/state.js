// The Maps page's one state object, the API catalog, and pure helpers: the sweep request of a
// map, empty results filled in as rows stream, the closed form for the heavy ball, and the
// link to one cell's run on the optimizer page.

import { hashFor } from "../link.js";

export const catalog = { surfaces: [], optimizers: [] };

export const state = {
  preset: null,
  maps: [], // [{kind, run, axes?, n?, metric?}]
  active: 0, // the map the sidebar edits
  results: [], // per map: {request, axes, rows, final_loss, ..., attractors, done, error}
};

export const byId = (items, id) => items.find((item) => item.id === id);
export const surfaceInfo = (id) => byId(catalog.surfaces, id);
export const optimizerInfo = (id) => byId(catalog.optimizers, id);
export const defaults = (params = []) => Object.fromEntries(params.map((p) => [p.name, p.default]));

// Evenly (or geometrically) spaced values, min and max included: numpy's linspace/geomspace.
export function axisValues({ min, max, n, log }) {
  if (n === 1) return [min];
  const values = [];
  for (let k = 0; k < n; k += 1) {
    const f = k / (n - 1);
    values.push(log ? Math.exp(Math.log(min) + f * (Math.log(max) - Math.log(min))) : min + f * (max - min));
  }
  values[n - 1] = max;
  return values;
}

// The axes a map sweeps: a basin map covers the surface's domain.
export function mapAxes(map) {
  if (map.kind !== "basin") return map.axes;
  const domain = surfaceInfo(map.run.surface)?.domain || { x: [-5, 5], y: [-5, 5] };
  return [
    { name: "start.x", min: domain.x[0], max: domain.x[1], n: map.n, log: false },
    { name: "start.y", min: domain.y[0], max: domain.y[1], n: map.n, log: false },
  ];
}

export const sweepRequest = (map) => ({ run: map.run, axes: mapAxes(map) });

// A result waiting for its rows: every cell null until its row arrives.
export function emptyResult(request) {
  const axes = request.axes.map((a) => ({ name: a.name, values: axisValues(a) }));
  const rows = axes.length === 2 ? axes[1].values.length : 1;
  const cols = axes[0].values.length;
  const grid = () => Array.from({ length: rows }, () => new Array(cols).fill(null));
  return {
    request, axes, rows, cols, filled: 0, done: false, error: null,
    final_loss: grid(), final_point: grid(), status: grid(), steps_taken: grid(), attractor: grid(),
    attractors: [], start_curvature: null,
  };
}

const FIELDS = ["final_loss", "final_point", "status", "steps_taken", "attractor"];

// Copy one streamed event (whole rows from row_start on) into the result.
export function addRows(result, event) {
  const oneAxis = result.axes.length === 1;
  for (const field of FIELDS) {
    const rows = oneAxis ? [event[field]] : event[field];
    rows.forEach((row, k) => { result[field][event.row_start + k] = row; });
  }
  result.filled = Math.max(result.filled, event.row_start + (oneAxis ? 1 : event.status.length));
}

// Cell [i][j] as the API answers it: row i, column j.
export function cell(result, i, j) {
  return Object.fromEntries(FIELDS.map((f) => [f, result[f][i][j]]));
}

// The run request of cell [i][j]: the map's run with the axes' values put in.
export function cellRun(result, i, j) {
  const run = JSON.parse(JSON.stringify(result.request.run));
  result.axes.forEach((axis, a) => {
    const value = axis.values[a === 0 ? j : i];
    const [kind, key] = axis.name.split(".");
    if (kind === "start") {
      const start = run.start || [...surfaceInfo(run.surface).default_start];
      start[key === "x" ? 0 : 1] = value;
      run.start = start;
    } else if (kind === "params") run.params = { ...(run.params || {}), [key]: value };
    else if (kind === "schedule") run.schedule = { ...(run.schedule || { name: "constant" }), [key]: value };
    else run.noise = value;
  });
  return run;
}

// The optimizer page's link to one run (its hash format, url-state.js: compact JSON).
export function optimizerPageLink(run) {
  const r = { o: run.optimizer };
  if (run.params && Object.keys(run.params).length) r.p = run.params;
  if (run.schedule && run.schedule.name !== "constant") r.h = run.schedule;
  if (run.noise) r.n = run.noise;
  if (run.seed) r.e = run.seed;
  const compact = { surface: run.surface, steps: run.steps ?? 200, runs: [r] };
  if (run.start) compact.start = run.start;
  if (run.tol !== undefined && run.tol !== 1e-6) compact.tol = run.tol;
  return `./#${hashFor(compact)}`;
}

// Heavy ball x_{k+1} = x_k - lr h x_k + m (x_k - x_{k-1}) on curvature h converges iff both
// roots of z^2 - (1 + m - lr h) z + m have |z| < 1; the rate is the larger |root| over the
// curvatures (Distill, "Why Momentum Really Works").
export function heavyBallRate(lr, m, curvatures) {
  let rate = 0;
  for (const h of curvatures) {
    const b = 1 + m - lr * h;
    const disc = b * b - 4 * m;
    const r = disc >= 0
      ? Math.max(Math.abs((b + Math.sqrt(disc)) / 2), Math.abs((b - Math.sqrt(disc)) / 2))
      : Math.sqrt(m);
    rate = Math.max(rate, r);
  }
  return rate;
}

// Does the plain-GD bound 2/lambda_max apply to this map's learning-rate axis?
export const gdBoundApplies = (map) =>
  ["sgd", "momentum", "nesterov"].includes(map.run.optimizer)
  && (map.axes || []).some((a) => a.name === "params.lr");
