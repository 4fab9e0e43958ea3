// One-click lessons. Each preset is a complete state (surface, start, steps, runs) plus a short
// explanation. The numbers were checked against the API (tests/frontend/test_presets.py).

export const PRESETS = [
  {
    id: "race",
    title: "A race on the Rosenbrock valley",
    text:
      "Three optimizers start from the same point on a curved, narrow valley. Plain gradient descent " +
      "needs a tiny learning rate to stay stable across the steep walls, so it barely moves along the " +
      "flat floor; momentum builds up speed along it, and Adam rescales each coordinate.",
    state: {
      surface: "rosenbrock", start: [-1.5, 2], steps: 400,
      runs: [
        { optimizer: "sgd", params: { lr: 0.001 } },
        { optimizer: "momentum", params: { lr: 0.001 } },
        { optimizer: "adam", params: { lr: 0.05 } },
      ],
    },
  },
  {
    id: "lr-too-high",
    title: "Learning rate too high: overshoot and divergence",
    text:
      "On the bowl f = (x² + y²)/2 the Hessian is the identity, so its largest curvature is λmax = 1 and " +
      "gradient descent is only stable for lr < 2/λmax = 2. Each step multiplies the distance to the minimum " +
      "by (1 − lr): at lr = 1.9 the path jumps across the bowl every step but still shrinks and converges; at " +
      "lr = 2.1 every jump lands further out and the run diverges.",
    state: {
      surface: "quadratic", start: [-2.5, 2], steps: 300,
      runs: [
        { optimizer: "sgd", params: { lr: 1.9 } },
        { optimizer: "sgd", params: { lr: 2.1 } },
      ],
    },
  },
  {
    id: "lr-too-low",
    title: "Learning rate too low: the path crawls",
    text:
      "The same bowl with a sensible rate (0.3) and a timid one (0.01). The sensible run converges in a few " +
      "dozen steps; the timid one shrinks its distance to the minimum by only 1% per step and is still far from " +
      "the bottom when the 300 steps run out. Watch the loss chart: same direction, wildly different progress.",
    state: {
      surface: "quadratic", start: [-2.5, 2], steps: 300,
      runs: [
        { optimizer: "sgd", params: { lr: 0.3 } },
        { optimizer: "sgd", params: { lr: 0.01 } },
      ],
    },
  },
  {
    id: "saddle",
    title: "Saddle point: gradient descent stalls, noise escapes",
    text:
      "Starting exactly on the x-axis of f = x² − y², the gradient never points along y, so plain gradient " +
      "descent slides into the saddle at (0, 0) and stops there: its gradient vanishes and it reports " +
      "'converged', though this is no minimum. With a little gradient noise (as in SGD) the y-coordinate gets " +
      "a kick, the negative curvature amplifies it, and the run escapes downhill along y.",
    state: {
      surface: "saddle", start: [-1.8, 0], steps: 150,
      runs: [
        { optimizer: "sgd", params: { lr: 0.05 } },
        { optimizer: "sgd", params: { lr: 0.05 }, noise: 0.5, seed: 1 },
      ],
    },
  },
  {
    id: "ravine",
    title: "Ravines: zig-zag versus momentum",
    text:
      "This bowl is 25 times steeper across than along. Gradient descent must keep lr below 2/25 to survive " +
      "the steep direction, so it zig-zags between the walls and then crawls along the floor: after 150 steps it " +
      "has still not converged. Momentum and Nesterov (momentum 0.7) average the zig-zags away and converge in " +
      "about 90 and 100 steps; Adam gives each coordinate its own step size and heads diagonally for the bottom.",
    state: {
      surface: "ravine", start: [-3.5, 1.5], steps: 150,
      runs: [
        { optimizer: "sgd", params: { lr: 0.07 } },
        { optimizer: "momentum", params: { lr: 0.03, momentum: 0.7 } },
        { optimizer: "nesterov", params: { lr: 0.03, momentum: 0.7 } },
        { optimizer: "adam", params: { lr: 0.3 } },
      ],
    },
  },
  {
    id: "batch-sizes",
    title: "Batch GD vs SGD vs mini-batch SGD",
    text:
      "Fitting a line to 100 points: each point (w, b) is a model and the height is its mean squared error. " +
      "Full-batch gradient descent follows the exact gradient in a smooth curve and converges; SGD with one " +
      "sample per step estimates the gradient from a single point and jitters around the answer, travelling " +
      "more than ten times as far; a mini-batch of 8 averages away most of that noise for 8% of the full cost.",
    state: {
      surface: "linear_regression", steps: 200,
      runs: [
        { optimizer: "sgd", params: { lr: 0.1 }, batch_size: null },
        { optimizer: "sgd", params: { lr: 0.1 }, batch_size: 1 },
        { optimizer: "sgd", params: { lr: 0.1 }, batch_size: 8 },
      ],
    },
  },
  {
    id: "adagrad-stall",
    title: "Adagrad's learning rate decays to a stall",
    text:
      "Adagrad divides each step by the square root of the sum of all squared gradients so far. That sum only " +
      "grows, and the steep descent into the valley makes it huge, so the steps stay tiny and after 500 steps " +
      "Adagrad is still at the far end of the valley. RMSProp and Adam use a decaying average instead, so their " +
      "steps recover and they follow the valley floor toward (1, 1).",
    state: {
      surface: "rosenbrock", start: [-1.5, 2], steps: 500,
      runs: [
        { optimizer: "adagrad", params: { lr: 0.5 } },
        { optimizer: "rmsprop", params: { lr: 0.02 } },
        { optimizer: "adam", params: { lr: 0.1 } },
      ],
    },
  },
  {
    id: "adam-adamw",
    title: "Adam + L2 vs AdamW: coupled and decoupled weight decay",
    text:
      "Both runs use weight_decay = 0.5. Adam adds the decay to the gradient, where its adaptive denominator " +
      "rescales it like any other gradient; AdamW shrinks the weights directly, outside the adaptive scaling. " +
      "Same setting, different objective: the two runs settle at different points, both pulled from the true " +
      "minimum toward the origin.",
    state: {
      surface: "booth", start: [-8, 8], steps: 600,
      runs: [
        { optimizer: "adam", params: { lr: 0.3, weight_decay: 0.5 } },
        { optimizer: "adamw", params: { lr: 0.3, weight_decay: 0.5 } },
      ],
    },
  },
  {
    id: "newton-bowl",
    title: "Newton's method: one step to the bottom of a quadratic",
    text:
      "Newton's method divides the gradient by the curvature (the Hessian). On a quadratic that model is exact, " +
      "so with lr = 1 it lands on the minimum of this tilted bowl in a single step. Gradient descent, even at " +
      "nearly its largest stable rate (2/18), needs about 80 steps that bend with the bowl's long axis.",
    state: {
      surface: "booth", start: [-8, 8], steps: 100,
      runs: [
        { optimizer: "newton", params: { lr: 1 } },
        { optimizer: "sgd", params: { lr: 0.1 } },
      ],
    },
  },
  {
    id: "newton-saddle",
    title: "Newton's method jumps straight onto a saddle",
    text:
      "Newton's method looks for a point where the gradient is zero; it cannot tell a minimum from a saddle. " +
      "On f = x² − y² it jumps from any start straight to the saddle at (0, 0) in one step and reports " +
      "convergence, while gradient descent from the same start rolls off downhill along y. Curvature is " +
      "powerful, but Newton's method needs a safeguard wherever the Hessian is not positive definite.",
    state: {
      surface: "saddle", start: [-1.5, 1], steps: 100,
      runs: [
        { optimizer: "newton", params: { lr: 1 } },
        { optimizer: "sgd", params: { lr: 0.05 } },
      ],
    },
  },
  {
    id: "warmup-cosine",
    title: "Warmup, then cosine decay",
    text:
      "The recipe used to train transformers: ramp the learning rate up over the first steps, then let it follow " +
      "half a cosine down to a small floor (see the learning-rate chart). Both runs get the same noisy gradients: " +
      "with a constant rate the run keeps bouncing around the minimum, while the decaying rate lets it settle " +
      "with a final loss about fifty times lower.",
    state: {
      surface: "ravine", start: [-3.5, 1.5], steps: 300,
      runs: [
        { optimizer: "sgd", params: { lr: 0.07 }, noise: 2, schedule: { name: "cosine", warmup_steps: 20, min_lr: 0.001 } },
        { optimizer: "sgd", params: { lr: 0.07 }, noise: 2 },
      ],
    },
  },
];

export const presetById = (id) => PRESETS.find((p) => p.id === id);
