// Worked examples: each sets the form, trains, and says what to look for.

export const PRESETS = [
  {
    id: "batch-vs-sgd-moons",
    title: "Batch GD vs SGD vs mini-batch on moons",
    text: "Full-batch gradient descent on moons: a smooth loss curve and a straight, "
      + "one-dimensional path in the PCA landscape. Set Batch size to 1 (SGD) or 16 "
      + "(mini-batch) and train again: the loss gets noisy, the path wanders, and the "
      + "cheaper steps still find a good boundary.",
    settings: {
      dataset: "moons", samples: 200, data_noise: 0.15, hidden: [16, 16], activation: "tanh",
      optimizer: "sgd", params: { lr: 0.5 }, batch_size: null, steps: 600,
      landscape: { directions: "pca", resolution: 41 },
    },
    variants: [{ batch_size: 1 }, { batch_size: 16 }],
  },
  {
    id: "edge-of-stability",
    title: "Too high a learning rate: the edge of stability",
    text: "Full-batch GD with lr = 4 on noisy moons. Gradient descent is stable only where "
      + "the sharpness (the largest Hessian eigenvalue) stays below 2/lr = 0.5. Watch the "
      + "sharpness climb to that line and hover there while the loss oscillates and spikes "
      + "instead of falling smoothly (Cohen et al. 2021). Raise lr to 16 and it blows up.",
    settings: {
      dataset: "moons", samples: 200, data_noise: 0.25, hidden: [16, 16], activation: "tanh",
      optimizer: "sgd", params: { lr: 4 }, batch_size: null, steps: 1500,
      landscape: { directions: "pca", resolution: 41 },
    },
  },
  {
    id: "adam-vs-sgd-spirals",
    title: "Adam vs SGD on spirals",
    text: "Adam untangles two spirals with a 2-32-32-1 tanh network in a few hundred steps. "
      + "Switch the optimizer to SGD with the same budget: the loss plateaus and the "
      + "boundary stays a blob, because the gradients of a deep tanh net are tiny in some "
      + "directions and Adam rescales them per coordinate.",
    settings: {
      dataset: "spirals", samples: 300, data_noise: 0.05, hidden: [32, 32],
      activation: "tanh", optimizer: "adam", params: { lr: 0.01 }, batch_size: null,
      steps: 1500, landscape: { directions: "pca", resolution: 41 },
    },
  },
];

export const presetById = (id) => PRESETS.find((p) => p.id === id);
