// The optimizer page's state <-> URL hash. A link holds compact JSON (link.js): settings that
// equal their defaults are left out, so links stay short and keep working when a default changes.

import { changed, hashFor, readHash } from "./link.js";
import { defaults, makeRun, optimizerInfo, scheduleInfo, state } from "./state.js";

export function encodeState(s = state) {
  const compact = {
    surface: s.surface,
    steps: s.steps,
    runs: s.runs.map((run) => {
      const r = { o: run.optimizer, c: run.color };
      const params = changed(run.params, defaults(optimizerInfo(run.optimizer)?.params));
      if (Object.keys(params).length) r.p = params;
      if (run.schedule.name !== "constant") r.h = { name: run.schedule.name };
      const options = changed(run.schedule, defaults(scheduleInfo(run.schedule.name)?.params));
      delete options.name;
      if (Object.keys(options).length) r.h = { name: run.schedule.name, ...options };
      if (run.noise) r.n = run.noise;
      if (run.batch_size) r.b = run.batch_size;
      if (run.seed) r.e = run.seed;
      return r;
    }),
  };
  if (s.surface === "custom" && s.custom) compact.custom = s.custom;
  if (s.start) compact.start = s.start;
  if (s.tol !== 1e-6) compact.tol = s.tol;
  if (s.view3d) compact.view3d = 1;
  if (s.view3d && s.camera3d) compact.cam = ["turn", "tilt", "zoom"].map((k) => Number(s.camera3d[k].toFixed(4)));
  if (s.selected) compact.selected = s.selected;
  if (s.preset) compact.preset = s.preset;
  return hashFor(compact);
}

// Parse a hash ("#s=..." ) into a full state, or null when it holds no state.
export function decodeState(hash) {
  const c = readHash(hash);
  if (!c) return null;
  const runs = (c.runs || []).map((r, i) =>
    makeRun(
      {
        optimizer: r.o,
        params: r.p,
        schedule: r.h,
        noise: r.n,
        batch_size: r.b,
        seed: r.e,
        color: r.c,
      },
      i,
    ),
  );
  return {
    surface: c.surface,
    custom: customFrom(c.custom),
    start: Array.isArray(c.start) ? c.start.map(Number) : null,
    steps: Number(c.steps) || 200,
    tol: c.tol ?? 1e-6,
    view3d: Boolean(c.view3d),
    camera3d: cameraFrom(c.cam),
    preset: c.preset || null,
    selected: Math.min(Number(c.selected) || 0, Math.max(runs.length - 1, 0)),
    runs,
  };
}


// A link's 3D camera ([turn, tilt, zoom]), or null if it is not one.
function cameraFrom(c) {
  if (!Array.isArray(c) || c.length !== 3 || !c.every(Number.isFinite)) return null;
  const [turn, tilt, zoom] = c.map(Number);
  return { turn, tilt, zoom };
}

// A link's formula object, or null if it is not one (the server checks the formula itself).
function customFrom(c) {
  const range = (r) => Array.isArray(r) && r.length === 2 && r.every(Number.isFinite);
  if (!c || typeof c.expression !== "string" || !range(c.x_range) || !range(c.y_range)) return null;
  return { expression: c.expression, x_range: c.x_range.map(Number), y_range: c.y_range.map(Number) };
}
