// The networks page's state <-> the URL hash (link.js packs it). Every setting that defines
// the run is written out; hyperparameters and schedule options only where they differ from
// the API's defaults, as on the optimizer page.

import { changed, hashFor, readHash } from "../link.js";
import { presetById } from "./presets.js";
import { byId, catalog, defaults } from "./state.js";

const RUN_FIELDS = ["dataset", "samples", "data_noise", "hidden", "activation", "optimizer", "batch_size", "steps", "seed", "landscape"];

export function encodeState(s) {
  const compact = Object.fromEntries(RUN_FIELDS.map((k) => [k, s[k]]));
  const opt = byId(catalog.optimizers, s.optimizer);
  const params = changed(s.params, defaults(opt?.params || []));
  if (Object.keys(params).length) compact.params = params;
  const { name, ...options } = s.schedule;
  const scheduleOptions = changed(options, defaults(byId(catalog.schedules, name)?.params || []));
  if (name !== "constant" || Object.keys(scheduleOptions).length) compact.schedule = { name, ...scheduleOptions };
  if (s.view3d) compact.view3d = 1;
  if (s.preset) compact.preset = s.preset;
  return hashFor(compact);
}

const isNum = (v) => typeof v === "number" && Number.isFinite(v);
const pick = (v, ok, fallback) => (ok(v) ? v : fallback);

// Known names only, each value from the link or else the spec's default.
const fromSpecs = (specs, values = {}) => Object.fromEntries(specs.map((p) => [p.name, values[p.name] ?? p.default]));

// The settings a hash holds, over `base` (the page's own defaults), or null when it holds none.
// Unknown ids fall back to the base; numbers are passed on as they are, so the API names a bad one.
export function decodeState(hash, base) {
  const c = readHash(hash);
  if (!c) return null;
  const dataset = byId(catalog.datasets, c.dataset) || byId(catalog.datasets, base.dataset);
  const opt = byId(catalog.optimizers, c.optimizer) || byId(catalog.optimizers, base.optimizer);
  const kind = byId(catalog.schedules, c.schedule?.name) || byId(catalog.schedules, "constant");
  const landscape = c.landscape || {};
  return {
    dataset: dataset.id,
    samples: pick(c.samples, isNum, dataset.default_samples),
    data_noise: pick(c.data_noise, isNum, dataset.default_noise),
    hidden: pick(c.hidden, (h) => Array.isArray(h) && h.length > 0 && h.every(Number.isInteger), base.hidden),
    activation: byId(catalog.activations, c.activation) ? c.activation : base.activation,
    optimizer: opt.id,
    params: fromSpecs(opt.params, c.params),
    schedule: { ...changed(fromSpecs(kind.params, c.schedule), defaults(kind.params)), name: kind.id },
    batch_size: pick(c.batch_size, isNum, null),
    steps: pick(c.steps, isNum, base.steps),
    seed: pick(c.seed, isNum, base.seed),
    landscape: {
      directions: ["pca", "random"].includes(landscape.directions) ? landscape.directions : base.landscape.directions,
      resolution: pick(landscape.resolution, isNum, base.landscape.resolution),
    },
    view3d: Boolean(c.view3d),
    preset: presetById(c.preset) ? c.preset : null,
  };
}
