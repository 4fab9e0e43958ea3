// The Maps page's lessons, as data: each sets one or two maps and says what to look for.
// A map is {kind, run, axes, metric}: kind "basin" (start.x x start.y), "phase" (two
// hyperparameters), "sweep" (one learning-rate axis) or "theory" (Distill's closed form for
// the heavy ball beside the computed phase diagram of map 0).

const basin = (run, n = 96) => ({ kind: "basin", run, n });

export const PRESETS = [
  {
    id: "himmelblau-basins",
    title: "Himmelblau's four basins: gradient descent vs Adam",
    text: "Every pixel is a run started there: its colour is the minimum it ends in, darker "
      + "the more steps it took. Gradient descent (left) splits the square into four basins "
      + "along the ridges through the saddles. Adam (right) finds the same four minima, but "
      + "its basins are not GD's: its momentum carries some runs across a ridge, so a few "
      + "percent of the starts end in a different minimum. Click a pixel to watch that run.",
    maps: [
      basin({ surface: "himmelblau", optimizer: "sgd", params: { lr: 0.01 }, steps: 500 }),
      basin({ surface: "himmelblau", optimizer: "adam", params: { lr: 0.1 }, steps: 500 }),
    ],
  },
  {
    id: "newton-fractal",
    title: "Newton's method: basins with fractal boundaries",
    text: "Newton's method jumps to where the local quadratic model is flat, so it is drawn to "
      + "every root of the gradient: the four minima, the four saddles and the central "
      + "maximum of Himmelblau each get a basin. Near the boundaries the basins interleave "
      + "in ever finer filaments (a Newton fractal): a tiny change of start sends the run "
      + "somewhere else entirely.",
    maps: [basin({ surface: "himmelblau", optimizer: "newton", steps: 40 }, 160)],
  },
  {
    id: "heavy-ball-phase",
    title: "Heavy ball on the ravine: the phase diagram",
    text: "Each cell runs momentum SGD on the ravine (curvatures 1 and 25) with one learning "
      + "rate and one momentum; colour is the final loss, black diverged. Plain GD (momentum "
      + "0) is stable only for lr < 2/λmax = 0.08 (dashed line); momentum m stretches the "
      + "bound to 2(1 + m)/λmax. Right: the convergence rate from the closed form (the roots "
      + "of the two-step recurrence, as in Distill's \"Why Momentum Really Works\"): the "
      + "computed stable region matches it cell by cell.",
    maps: [
      {
        kind: "phase",
        metric: "final_loss",
        run: { surface: "ravine", optimizer: "momentum", steps: 300 },
        axes: [
          { name: "params.lr", min: 0.001, max: 0.2, n: 64, log: true },
          { name: "params.momentum", min: 0, max: 0.99, n: 64, log: false },
        ],
      },
      { kind: "theory" },
    ],
  },
  {
    id: "lr-range-test",
    title: "Learning-rate range test on Rosenbrock",
    text: "Gradient descent from (-1.5, 2) with 200 learning rates, 500 steps each (Smith's "
      + "range test): the final loss falls as the rate grows, until the runs blow up. Every "
      + "rate below 2/λmax at the start (dashed) is safe; past it the first steps overshoot, "
      + "yet runs survive up to about twice that, because the curvature drops once they "
      + "leave the valley wall. The best rate sits just below the edge.",
    maps: [
      {
        kind: "sweep",
        run: { surface: "rosenbrock", optimizer: "sgd", start: [-1.5, 2], steps: 500 },
        axes: [{ name: "params.lr", min: 1e-5, max: 1e-2, n: 200, log: true }],
      },
    ],
  },
];

export const presetById = (id) => PRESETS.find((p) => p.id === id);
