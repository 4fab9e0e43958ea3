// The networks page's one state object, and the request it turns into.

// The settings a fresh page starts from; a link (url-state.js) overrides them.
export const DEFAULTS = Object.freeze({
  dataset: "moons",
  samples: 200,
  data_noise: 0.1,
  hidden: [16, 16],
  activation: "tanh",
  optimizer: "adam",
  params: { lr: 0.01 },
  schedule: { name: "constant" },
  batch_size: null,
  steps: 500,
  seed: 0,
  landscape: { directions: "pca", resolution: 41 },
  view3d: false,
  preset: null, // the preset last loaded, whose lesson note is shown
});

export const state = {
  ...structuredClone(DEFAULTS),
  points: null, // the data set's points, from GET /api/datasets/{id}
  result: null, // the run so far: curves from the stream blocks, views from `done`
};

export const catalog = { datasets: [], optimizers: [], schedules: [], activations: [] };
export const byId = (list, id) => list.find((item) => item.id === id);

export function defaults(specs) {
  return Object.fromEntries(specs.map((p) => [p.name, p.default]));
}

export function networkRequest(s = state) {
  return {
    dataset: s.dataset,
    samples: s.samples,
    data_noise: s.data_noise,
    hidden: s.hidden,
    activation: s.activation,
    optimizer: s.optimizer,
    params: s.params,
    schedule: s.schedule,
    batch_size: s.batch_size,
    steps: s.steps,
    seed: s.seed,
    landscape: s.landscape,
  };
}

// `request` is the body that was sent and `link` the page's address then, kept with the run
// they produced for the JSON export.
export function emptyResult(request = null, link = null) {
  return {
    request,
    link,
    loss: [], val_loss: [], accuracy: [], val_accuracy: [], lr: [], sharpness: [],
    boundary: null, landscape: null, path: null, interpolation: null, status: "running",
    message: "",
  };
}

// Fold one stream block into the result; blocks arrive in order and never overlap. Accuracy
// stays null for regression, as in the whole-run answer.
export function addBlock(result, block) {
  for (const key of ["loss", "val_loss", "lr", "sharpness"]) result[key].push(...block[key]);
  for (const key of ["accuracy", "val_accuracy"]) {
    if (block[key] && result[key]) result[key].push(...block[key]);
    else if (!block[key]) result[key] = null;
  }
  result.boundary = block.boundary;
  return result;
}

export function parseHidden(text) {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  const widths = parts.map(Number);
  if (!widths.every((w) => Number.isInteger(w) && w >= 1)) return null;
  return widths;
}
