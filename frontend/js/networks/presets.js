// Worked examples: each sets the data, the network and the runs to compare, trains, and says
// what to look for. Every number in a text is checked from the page's own data by
// tests/frontend/test_networks_page.py.

const MOONS = { dataset: "moons", samples: 200, data_noise: 0.15, data_seed: 0, hidden: [16, 16], activation: "tanh" };

export const PRESETS = [
  {
    id: "batch-vs-sgd-moons",
    title: "Batch size 1 vs 16 vs full batch, same 600 steps",
    text: "Three runs of SGD (lr 0.3) from the same initial weights, each taking the same 600 "
      + "steps. Full batch: the training loss falls at every single step and ends below 0.1. "
      + "Batch 16: the loss rises on more than a third of the steps, yet it ends within a "
      + "factor of two of full batch, each step reading a tenth of the data. Batch 1 (SGD): 600 "
      + "single points are under 4 epochs; the noisiest curve ends above loss 0.3, below 90% "
      + "accuracy.",
    settings: {
      ...MOONS, steps: 600, landscape: { directions: "pca", resolution: 41 },
      runs: [
        { optimizer: "sgd", params: { lr: 0.3 }, batch_size: 1, seed: 0 },
        { optimizer: "sgd", params: { lr: 0.3 }, batch_size: 16, seed: 0 },
        { optimizer: "sgd", params: { lr: 0.3 }, batch_size: null, seed: 0 },
      ],
    },
  },
  {
    id: "edge-of-stability",
    title: "The edge of stability: sharpness rises to 2/lr and stays",
    text: "Full-batch gradient descent (lr 0.07, mean squared error) fitting a sine with a small "
      + "8-8 tanh network. GD is stable only while the sharpness, the Hessian's largest "
      + "eigenvalue, stays below 2/lr ≈ 28.6. Over the first tenth of training it sits below 60% "
      + "of that line; then it climbs (progressive sharpening) until it reaches the line at "
      + "about step 550. It overshoots by up to a fifth until a spike in the loss near step 830 "
      + "throws it back, and from then on it stays at the line (within 10%) for the remaining "
      + "1,150 steps, while the training loss keeps falling, no longer monotonically "
      + "(Cohen et al. 2021).",
    settings: {
      dataset: "sine", samples: 200, data_noise: 0.1, data_seed: 0, hidden: [8, 8], activation: "tanh",
      steps: 2000, landscape: { directions: "pca", resolution: 41 },
      runs: [{ optimizer: "sgd", params: { lr: 0.07 }, batch_size: null, seed: 0 }],
    },
  },
  {
    id: "adam-vs-sgd-spirals",
    title: "Adam vs SGD on spirals",
    text: "Two runs from the same initial weights of a 2-32-32-1 tanh network. Adam (lr 0.01) "
      + "untangles the two spirals: 100% training accuracy by step 500. SGD (lr 0.3) with the "
      + "same 1,500 steps barely moves: its loss stays above 0.6 and its accuracy below 70%, "
      + "because the gradients of a deep tanh net are tiny in some directions and Adam "
      + "rescales them per coordinate.",
    settings: {
      dataset: "spirals", samples: 300, data_noise: 0.05, data_seed: 0, hidden: [32, 32], activation: "tanh",
      steps: 1500, landscape: { directions: "pca", resolution: 41 }, sharpness_every: 10,
      runs: [
        { optimizer: "adam", params: { lr: 0.01 }, batch_size: null, seed: 0 },
        { optimizer: "sgd", params: { lr: 0.3 }, batch_size: null, seed: 0 },
      ],
    },
  },
];

export const presetById = (id) => PRESETS.find((p) => p.id === id);
