// The networks page's state <-> the URL hash (link.js packs it). Every setting that defines
// the runs is written out; hyperparameters and schedule options only where they differ from
// the API's defaults, as on the optimizer page. Your own data goes inline when it is small;
// a bigger set is named by its content hash and kept in this browser's storage only.

import { changed, hashFor, readHash } from "../link.js";
import { contentHash } from "./csv.js";
import { presetById } from "./presets.js";
import { byId, catalog, DEFAULT_RUN, defaults } from "./state.js";

const SHARED_FIELDS = ["dataset", "samples", "data_noise", "data_seed", "hidden", "activation", "steps", "landscape"];
export const INLINE_LIMIT = 4000; // characters of inline points a link carries
const STORE_PREFIX = "gradscape-data-";

function encodeRun(run) {
  const opt = byId(catalog.optimizers, run.optimizer);
  const out = { optimizer: run.optimizer, batch_size: run.batch_size, seed: run.seed, color: run.color };
  const params = changed(run.params, defaults(opt?.params || []));
  if (Object.keys(params).length) out.params = params;
  const { name, ...options } = run.schedule;
  const scheduleOptions = changed(options, defaults(byId(catalog.schedules, name)?.params || []));
  if (name !== "constant" || Object.keys(scheduleOptions).length) out.schedule = { name, ...scheduleOptions };
  return out;
}

// Your points for a link: inline, or by hash (then stored here, so this browser finds them).
function encodeData(custom) {
  const points = { x: custom.x, y: custom.y, task: custom.task };
  const inline = JSON.stringify(points);
  if (inline.length <= INLINE_LIMIT) return { ...points, name: custom.name };
  const hash = custom.hash || contentHash(points);
  try {
    localStorage.setItem(STORE_PREFIX + hash, JSON.stringify({ ...points, name: custom.name }));
  } catch {
    // storage full or disabled: the link still names the data
  }
  return { hash, n: custom.y.length, task: custom.task, name: custom.name };
}

export function encodeState(s) {
  const compact = Object.fromEntries(SHARED_FIELDS.map((k) => [k, s[k]]));
  compact.runs = s.runs.map(encodeRun);
  if (s.selected) compact.selected = s.selected;
  if (s.sharpness_every !== null) compact.sharpness_every = s.sharpness_every;
  if (s.dataset === "custom" && s.custom?.x) compact.data = encodeData(s.custom);
  else if (s.dataset === "custom" && s.custom?.missing) compact.data = s.custom.missing;
  if (s.view3d) compact.view3d = 1;
  if (s.preset) compact.preset = s.preset;
  return hashFor(compact);
}

const isNum = (v) => typeof v === "number" && Number.isFinite(v);
const pick = (v, ok, fallback) => (ok(v) ? v : fallback);

// Known names only, each value from the link or else the spec's default.
const fromSpecs = (specs, values = {}) => Object.fromEntries(specs.map((p) => [p.name, values[p.name] ?? p.default]));

function decodeRun(r, base) {
  const opt = byId(catalog.optimizers, r.optimizer) || byId(catalog.optimizers, base.optimizer);
  const kind = byId(catalog.schedules, r.schedule?.name) || byId(catalog.schedules, "constant");
  return {
    optimizer: opt.id,
    params: fromSpecs(opt.params, r.params),
    schedule: { ...changed(fromSpecs(kind.params, r.schedule), defaults(kind.params)), name: kind.id },
    batch_size: pick(r.batch_size, isNum, null),
    seed: pick(r.seed, isNum, base.seed),
    color: typeof r.color === "string" && /^#[0-9a-f]{6}$/i.test(r.color) ? r.color : null,
  };
}

// Your points from a link: inline, or found by hash in this browser, or marked missing.
function decodeData(d) {
  if (!d || typeof d !== "object") return null;
  if (Array.isArray(d.x) && Array.isArray(d.y)) return { x: d.x, y: d.y, task: d.task, name: d.name || "linked data" };
  if (typeof d.hash === "string") {
    try {
      const stored = JSON.parse(localStorage.getItem(STORE_PREFIX + d.hash) || "null");
      if (stored && contentHash(stored) === d.hash) return { ...stored, hash: d.hash };
    } catch {
      // unreadable storage: treat as missing
    }
    return { missing: { hash: d.hash, n: d.n, task: d.task, name: d.name } };
  }
  return null;
}

// The settings a hash holds, over `base` (the page's own defaults), or null when it holds none.
// Unknown ids fall back to the base; numbers are passed on as they are, so the API names a bad
// one. Links from before runs could be compared (one run's fields at the top) still open.
export function decodeState(hash, base) {
  const c = readHash(hash);
  if (!c) return null;
  const custom = c.dataset === "custom" ? decodeData(c.data) : null;
  const dataset = custom ? { id: "custom" } : byId(catalog.datasets, c.dataset) || byId(catalog.datasets, base.dataset);
  const landscape = c.landscape || {};
  const single = !Array.isArray(c.runs);
  const runs = single ? [c] : c.runs.filter((r) => r && typeof r === "object").slice(0, catalog.options?.max_runs || 8);
  return {
    dataset: dataset.id,
    samples: pick(c.samples, isNum, dataset.default_samples ?? base.samples),
    data_noise: pick(c.data_noise, isNum, dataset.default_noise ?? base.data_noise),
    data_seed: pick(single ? c.seed : c.data_seed, isNum, base.data_seed),
    hidden: pick(c.hidden, (h) => Array.isArray(h) && h.length > 0 && h.every(Number.isInteger), base.hidden),
    activation: byId(catalog.activations, c.activation) ? c.activation : base.activation,
    steps: pick(c.steps, isNum, base.steps),
    landscape: {
      directions: ["pca", "random"].includes(landscape.directions) ? landscape.directions : base.landscape.directions,
      resolution: pick(landscape.resolution, isNum, base.landscape.resolution),
    },
    sharpness_every: pick(c.sharpness_every, isNum, null),
    runs: (runs.length ? runs : [DEFAULT_RUN]).map((r) => decodeRun(r, DEFAULT_RUN)),
    selected: pick(c.selected, (v) => Number.isInteger(v) && v >= 0 && v < runs.length, 0),
    view3d: Boolean(c.view3d),
    preset: presetById(c.preset) ? c.preset : null,
    custom,
  };
}
