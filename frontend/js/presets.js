// One-click lessons. Each preset is a complete state (surface, start, steps, runs) plus a short
// explanation. Each claim is checked in the page by tests/frontend/test_presets.py.

export const PRESETS = [
  {
    id: "race",
    title: "A race on the Rosenbrock valley",
    text:
      "Three optimizers start from the same point on a curved, narrow valley. Plain gradient descent (SGD) " +
      "needs a tiny learning rate to stay stable across the steep walls, so after dropping to the valley floor it " +
      "barely moves along it (its short path is drawn on top). Momentum builds up speed along the floor and gets " +
      "closest to the minimum at (1, 1); Adam rescales each coordinate and ends in between.",
    state: {
      surface: "rosenbrock", start: [-1.5, 2], steps: 400,
      runs: [
        { optimizer: "momentum", params: { lr: 0.001 } },
        { optimizer: "adam", params: { lr: 0.05 } },
        { optimizer: "sgd", params: { lr: 0.001 } },
      ],
    },
  },
  {
    id: "lr-too-high",
    title: "Learning rate too high: overshoot and divergence",
    text:
      "On the ravine f = (x² + 25 y²)/2 the curvatures are 1 along x and λmax = 25 across, so gradient descent " +
      "is stable only for lr < 2/λmax = 0.08 (the dashed line in the learning-rate chart). Each step multiplies y " +
      "by (1 − 25·lr): at lr = 0.07 that is −0.75, so the path jumps across the ravine and the jumps shrink; at " +
      "lr = 0.0825 it is −1.06, so every jump lands further out and the zig-zag grows: the run is diverging. Along x " +
      "the factor is (1 − lr) ≈ 0.92 for both, so both still slide toward the minimum along the ravine.",
    state: {
      surface: "ravine", start: [-3.5, 0.3], steps: 30,
      runs: [
        { optimizer: "sgd", params: { lr: 0.0825 } },
        { optimizer: "sgd", params: { lr: 0.07 } },
      ],
    },
  },
  {
    id: "lr-too-low",
    title: "Learning rate too low: the path crawls",
    text:
      "The same ravine, 60 steps. At lr = 0.07, just under the stability bound 2/25, gradient descent settles " +
      "the steep direction in a few bounces and slides to the minimum. At lr = 0.002 every step shrinks the " +
      "distance along x by only 0.2%: the path curves smoothly down to the valley floor and is still near the " +
      "far end of the ravine, more than 3 units from the minimum, when the steps run out. Watch the loss chart: " +
      "the same direction, wildly different progress.",
    state: {
      surface: "ravine", start: [-3.5, 1.5], steps: 60,
      runs: [
        { optimizer: "sgd", params: { lr: 0.07 } },
        { optimizer: "sgd", params: { lr: 0.002 } },
      ],
    },
  },
  {
    id: "saddle",
    title: "Saddle point: gradient descent stalls, noise escapes",
    text:
      "Starting exactly on the x-axis of f = x² − y², the gradient never points along y, so plain gradient " +
      "descent (run 2, drawn on top) slides into the saddle at (0, 0) and stops there: its gradient vanishes, so it " +
      "reports 'converged … on a saddle point', which is no minimum. With a little gradient noise (run 1, as in " +
      "SGD) the y-coordinate gets a kick, the negative curvature amplifies it, and the run escapes downhill along y.",
    state: {
      surface: "saddle", start: [-1.8, 0], steps: 150,
      runs: [
        { optimizer: "sgd", params: { lr: 0.05 }, noise: 0.5, seed: 1 },
        { optimizer: "sgd", params: { lr: 0.05 } },
      ],
    },
  },
  {
    id: "ravine",
    title: "Ravines: zig-zag versus momentum",
    text:
      "This bowl is 25 times steeper across (y) than along (x). Gradient descent must keep lr below 2/25 for the " +
      "steep direction, so at lr = 0.075 it bounces between the walls, each bounce only 12% smaller than the last, " +
      "and after 100 steps it has still not converged. Momentum (β = 0.5, lr = 0.09) adds each gradient to the " +
      "last step: across the ravine the bounces cancel within a few steps, along it the pushes add up, and it " +
      "converges in about 50 steps. Adam moves every coordinate by about lr per step, so it heads diagonally, " +
      "blind to the ravine's shape, and ends hovering near the minimum without converging.",
    state: {
      surface: "ravine", start: [-3.5, 0.8], steps: 100,
      runs: [
        { optimizer: "sgd", params: { lr: 0.075 } },
        { optimizer: "momentum", params: { lr: 0.09, momentum: 0.5 } },
        { optimizer: "adam", params: { lr: 0.1 } },
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
      "Adagrad (run 2) is still at the far end of the valley. Adam (like RMSProp) divides by a decaying average " +
      "instead, so its steps recover once the gradients shrink, and it follows the valley floor close to (1, 1).",
    state: {
      surface: "rosenbrock", start: [-1.5, 2], steps: 500,
      runs: [
        { optimizer: "adam", params: { lr: 0.1 } },
        { optimizer: "adagrad", params: { lr: 0.5 } },
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
      "convergence (on a saddle point, as its status says), while gradient descent from the same start rolls off " +
      "downhill along y. Curvature is " +
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
      "with a constant rate (run 1) the run keeps bouncing around the minimum in a wide cloud, while the decaying " +
      "rate (run 2) shrinks the bounces until the run stands still, with a final loss dozens of times lower.",
    state: {
      surface: "ravine", start: [-3.5, 1.5], steps: 300,
      runs: [
        { optimizer: "sgd", params: { lr: 0.07 }, noise: 2 },
        { optimizer: "sgd", params: { lr: 0.07 }, noise: 2, schedule: { name: "cosine", warmup_steps: 20, min_lr: 0.001 } },
      ],
    },
  },
];

export const presetById = (id) => PRESETS.find((p) => p.id === id);
