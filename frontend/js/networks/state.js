// The networks page's one state object, and the request it turns into.

export const state = {
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
  preset: null,
  points: null, // the data set's points, from GET /api/datasets/{id}
  result: null, // the run so far: curves from the stream blocks, views from `done`
};

export const catalog = { datasets: [], optimizers: [], schedules: [] };
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

export function emptyResult() {
  return {
    loss: [], val_loss: [], accuracy: [], val_accuracy: [], lr: [], sharpness: [],
    boundary: null, landscape: null, path: null, interpolation: null, status: "running",
    message: "",
  };
}

// Fold one stream block into the result; blocks arrive in order and never overlap.
export function addBlock(result, block) {
  for (const key of ["loss", "val_loss", "lr", "sharpness"]) result[key].push(...block[key]);
  if (block.accuracy) result.accuracy.push(...block.accuracy);
  if (block.val_accuracy) result.val_accuracy.push(...block.val_accuracy);
  result.boundary = block.boundary;
  return result;
}

export function parseHidden(text) {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  const widths = parts.map(Number);
  if (!widths.every((w) => Number.isInteger(w) && w >= 1)) return null;
  return widths;
}
