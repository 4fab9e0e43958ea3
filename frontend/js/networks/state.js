// The networks page's one state object, the runs it compares, and the requests they turn into.

// Run colours, in the order runs are added.
export const PALETTE = ["#3b6fe0", "#e4572e", "#17a398", "#9b5de5", "#f4a259", "#2e4057", "#d81159", "#6a994e"];

// One run: what differs between the runs of a comparison. Everything else (data, network,
// steps, landscape) is shared, so the runs start from the same data and, with the same seed,
// the same initial weights.
export const DEFAULT_RUN = Object.freeze({
  optimizer: "adam",
  params: { lr: 0.01 },
  schedule: { name: "constant" },
  batch_size: null,
  seed: 0,
});

// The settings a fresh page starts from; a link (url-state.js) overrides them.
export const DEFAULTS = Object.freeze({
  dataset: "moons",
  samples: 200,
  data_noise: 0.1,
  data_seed: 0,
  hidden: [16, 16],
  activation: "tanh",
  steps: 500,
  landscape: { directions: "pca", resolution: 41 },
  sharpness_every: null, // null: every step up to 2,000 steps (the server's default)
  runs: [DEFAULT_RUN],
  selected: 0,
  view3d: false,
  preset: null, // the preset last loaded, whose lesson note is shown
  custom: null, // your own points {x, y, task, name, hash} when dataset === "custom"
});

let nextUid = 1;

// A run with its own uid (results are keyed by it) and colour.
export function makeRun(run = DEFAULT_RUN, color = null, taken = []) {
  const free = PALETTE.find((c) => !taken.includes(c)) || PALETTE[taken.length % PALETTE.length];
  return {
    uid: nextUid++,
    optimizer: run.optimizer || DEFAULT_RUN.optimizer,
    params: { ...(run.params || DEFAULT_RUN.params) },
    schedule: { ...(run.schedule || DEFAULT_RUN.schedule) },
    batch_size: run.batch_size ?? null,
    seed: run.seed ?? 0,
    color: color || run.color || free,
  };
}

export function freshState(settings = DEFAULTS) {
  const runs = [];
  for (const run of settings.runs) runs.push(makeRun(run, run.color, runs.map((r) => r.color)));
  return {
    ...structuredClone({ ...settings, runs: [] }),
    runs,
    points: null, // the data set's points, from GET /api/datasets/{id} (or POST /api/networks/dataset)
    results: {}, // uid -> the run so far: curves from stream blocks, views from `done`
    shared: null, // the landscape shared by all runs, with each one's path (POST .../batch)
    custom: settings.custom ? structuredClone(settings.custom) : null,
  };
}

export const state = freshState();

export const catalog = { datasets: [], optimizers: [], schedules: [], activations: [], options: null };
export const byId = (list, id) => list.find((item) => item.id === id);

export function defaults(specs) {
  return Object.fromEntries(specs.map((p) => [p.name, p.default]));
}

// The data set's task and class count: a built-in one's, or that of your own points.
export function datasetInfo(s = state) {
  if (s.dataset === "custom") {
    const custom = s.custom?.y ? s.custom : null;
    const task = custom?.task || s.custom?.missing?.task || "binary";
    const classes = task === "regression" ? 0 : Math.max(1, ...(custom?.y || [1])) + 1;
    return {
      id: "custom", name: "Your data", task, classes,
      description: custom ? `${custom.name}: ${custom.y.length} points (${custom.task}).` : "Paste or upload a CSV.",
    };
  }
  return byId(catalog.datasets, s.dataset);
}

// The `dataset` field of a request: an id, or your own points.
function datasetField(s) {
  if (s.dataset !== "custom") return s.dataset;
  return { x: s.custom.x, y: s.custom.y, task: s.custom.task };
}

// The body of POST /api/networks/runs for one run (the batch sends one per run).
export function runRequest(run, s = state) {
  const custom = s.dataset === "custom";
  const request = {
    dataset: datasetField(s),
    samples: custom ? null : s.samples,
    data_noise: custom ? null : s.data_noise,
    data_seed: s.data_seed,
    hidden: s.hidden,
    activation: s.activation,
    optimizer: run.optimizer || DEFAULT_RUN.optimizer,
    params: run.params,
    schedule: run.schedule,
    batch_size: run.batch_size,
    steps: s.steps,
    seed: run.seed,
    landscape: null, // the page draws the one landscape all runs share (batchRequest)
  };
  if (s.sharpness_every !== null) request.sharpness_every = s.sharpness_every;
  return request;
}

// POST /api/networks/batch: every run, and the one slice they share.
export const batchRequest = (s = state) => ({ runs: s.runs.map((run) => runRequest(run, s)), landscape: s.landscape });

// `request` is the body that was sent and `link` the page's address then, kept with the run
// they produced for the JSON export.
export function emptyResult(request = null, link = null) {
  return {
    request,
    link,
    loss: [], val_loss: [], accuracy: [], val_accuracy: [], lr: [], sharpness: [],
    boundary: null, landscape: null, path: null, path_steps: null, interpolation: null,
    stability: null, status: "running", message: "", steps_taken: 0,
  };
}

// Fold one stream block into a run's result; blocks arrive in order and never overlap.
// Accuracy stays null for regression, as in the whole-run answer.
export function addBlock(result, block) {
  for (const key of ["loss", "val_loss", "lr", "sharpness"]) result[key].push(...block[key]);
  for (const key of ["accuracy", "val_accuracy"]) {
    if (block[key] && result[key]) result[key].push(...block[key]);
    else if (!block[key]) result[key] = null;
  }
  result.boundary = block.boundary;
  result.steps_taken = result.loss.length - 1;
  return result;
}

// "16, 16" -> [16, 16]; null with the reason when it is not a list of whole widths.
export function parseHidden(text) {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  if (!parts.length) return { error: "Give at least one width, e.g. 16, 16." };
  const bad = parts.find((p) => !/^\d+$/.test(p) || Number(p) < 1);
  if (bad !== undefined) return { error: `"${bad}" is not a width: use whole numbers from 1, comma separated.` };
  const widths = parts.map(Number);
  if (widths.length > 8) return { error: "At most 8 hidden layers." };
  const big = widths.find((w) => w > 1024);
  if (big) return { error: `${big} is too wide: at most 1024 units a layer.` };
  return { widths };
}

// Parameters of an MLP with these layer sizes, as the server counts them.
export function countParams(sizes) {
  let total = 0;
  for (let i = 1; i < sizes.length; i += 1) total += sizes[i - 1] * sizes[i] + sizes[i];
  return total;
}

// "1. Adam · lr 0.01 · batch 16"
export function runLabel(run, index, s = state) {
  const opt = byId(catalog.optimizers, run.optimizer);
  const batch = run.batch_size === null ? "full batch" : `batch ${run.batch_size}`;
  const seed = run.seed !== s.runs[0]?.seed ? ` · seed ${run.seed}` : "";
  const sched = run.schedule.name !== "constant" ? ` · ${run.schedule.name}` : "";
  return `${index + 1}. ${opt?.name || run.optimizer} · lr ${run.params.lr} · ${batch}${sched}${seed}`;
}
