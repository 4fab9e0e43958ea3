"""Train a small network with a core optimizer and schedule, then slice its loss landscape.

The network's parameters are one flat vector (1, P), so the update rules of
``gradscape.optimizers`` apply unchanged. Recorded per point k (point 0 is the
initialisation): full training loss and accuracy, validation loss and accuracy, and the
learning rate of the step that leaves it; the sharpness every ``sharpness_every`` steps.
A run stops as ``diverged`` when the parameters, the loss or the gradient stop being finite
or leave the bound, else it ``completed``. Blocks of steps are yielded as they are computed,
so a streamed run and the same run computed at once are the same numbers.
"""

import hashlib
import math
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gradscape.config import Settings
from gradscape.deadline import NO_DEADLINE, Deadline
from gradscape.errors import InvalidValueError
from gradscape.networks import landscape as ls
from gradscape.networks.datasets import (
    Dataset,
    DatasetKind,
    custom_dataset,
    get_dataset_kind,
    make_dataset,
)
from gradscape.networks.layers import LOSSES, get_activation
from gradscape.networks.mlp import MLP
from gradscape.networks.sharpness import (
    Stability,
    preconditioner,
    stability_rule,
    top_eigenvalue,
)
from gradscape.optimizers import Optimizer, get_optimizer
from gradscape.schedules import make_schedule

Array = np.ndarray
BOUND = 1e6  # |theta| beyond this counts as diverged, as in the core engine
MAX_PATH_POINTS = 200  # trajectory snapshots kept for the PCA and the projected path
DENSE_SHARPNESS_STEPS = 2_000  # up to here sharpness is measured every step by default
MAX_LAYERS = 8
BOUNDARY_RESOLUTION = 60
INTERPOLATION_ALPHAS = np.round(np.linspace(-0.5, 1.5, 81), 10)
TASK_LOSS = {"binary": "bce", "multiclass": "cross_entropy", "regression": "mse"}


@dataclass(frozen=True)
class LandscapeSpec:
    directions: str = "pca"
    resolution: int = 41


@dataclass(frozen=True)
class NetworkSpec:
    """A validated network run: everything the trainer needs, nothing it must check again."""

    kind: DatasetKind
    data: Dataset
    mlp: MLP
    optimizer: Optimizer
    hyper: Mapping[str, Any]
    lr: Array  # (steps + 1,) the learning rate of the step leaving each point
    batch_size: int | None
    steps: int
    seed: int
    landscape: LandscapeSpec | None
    sharpness_every: int  # 0: never
    data_key: tuple = ()  # equal keys: the same points (runs trained together share them)
    path_stride: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "path_stride", max(1, math.ceil(self.steps / MAX_PATH_POINTS)))

    @property
    def stability(self) -> Stability:
        return stability_rule(self.optimizer.id, self.hyper)

    @property
    def shape_key(self) -> tuple:
        """Runs with equal keys are one batched network: same layers, activation and loss."""
        return (self.mlp.sizes, self.mlp.activation.id, self.mlp.loss.id, self.data_key)


def _int(value: Any, where: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise InvalidValueError(where, f"must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise InvalidValueError(where, f"must be between {low} and {high}, got {value}")
    return int(value)


def build_network_spec(
    dataset: str | Mapping[str, Any] = "moons",
    samples: int | None = None,
    data_noise: float | None = None,
    hidden: Sequence[int] = (16, 16),
    activation: str = "tanh",
    optimizer: str = "adam",
    params: Mapping[str, Any] | None = None,
    schedule: Mapping[str, Any] | None = None,
    batch_size: int | None = None,
    steps: int = 500,
    seed: int = 0,
    landscape: Mapping[str, Any] | None = None,
    sharpness_every: int | None = None,
    data_seed: int | None = None,
    settings: Settings | None = None,
) -> NetworkSpec:
    """Check a network run request; errors name the offending field and the cap.

    ``dataset`` is a data set id or the user's own points ``{"x", "y", "task"}``;
    ``data_seed`` (default: ``seed``) draws and splits the points, ``seed`` the initial
    weights and the batches, so runs can share data and differ in initialisation.
    """
    settings = settings or Settings()
    seed = _int(seed, "seed", 0, 2**32 - 1)
    data_seed = seed if data_seed is None else _int(data_seed, "data_seed", 0, 2**32 - 1)
    if isinstance(dataset, Mapping):
        task = dataset.get("task")
        if task not in ("binary", "multiclass", "regression"):
            raise InvalidValueError("dataset.task", "must be binary, multiclass or regression")
        kind, data = custom_dataset(
            dataset.get("x", []),
            dataset.get("y", []),
            task,
            data_seed,
            settings.max_network_samples,
        )
        digest = hashlib.sha256(data.x.tobytes() + np.asarray(data.y).tobytes()).hexdigest()
        data_key: tuple = ("custom", task, digest)
    else:
        kind = get_dataset_kind(dataset)
        if samples is not None:
            samples = _int(samples, "samples", 10, settings.max_network_samples)
        data = make_dataset(dataset, samples, data_noise, data_seed, settings.max_network_samples)
        noise = kind.default_noise if data_noise is None else float(data_noise)
        data_key = (dataset, len(data.x), noise, data_seed)
    if len(hidden) > MAX_LAYERS:
        raise InvalidValueError("hidden", f"at most {MAX_LAYERS} hidden layers")
    widths = tuple(_int(w, f"hidden.{i}", 1, 1024) for i, w in enumerate(hidden))
    outputs = {"binary": 1, "multiclass": kind.classes, "regression": 1}[kind.task]
    sizes = (kind.input_dim, *widths, outputs)
    if MLP.count_params(sizes) > settings.max_network_params:
        raise InvalidValueError(
            "hidden",
            f"the network would have {MLP.count_params(sizes)} parameters; the limit is "
            f"{settings.max_network_params}",
        )
    mlp = MLP(sizes, get_activation(activation), LOSSES[TASK_LOSS[kind.task]])
    opt = get_optimizer(optimizer)
    if not opt.elementwise:
        raise InvalidValueError(
            "optimizer",
            f"{optimizer} needs the full Hessian or line searches, which network runs do not "
            "provide; choose an elementwise optimizer such as sgd or adam",
        )
    hyper = opt.resolve(params or {})
    steps = _int(steps, "steps", 0, settings.max_network_steps)
    schedule_fn = make_schedule(schedule, float(hyper["lr"]), steps)
    if batch_size is not None:
        batch_size = _int(batch_size, "batch_size", 1, data.n_train)
    if sharpness_every is None:
        sharpness_every = max(1, math.ceil(steps / DENSE_SHARPNESS_STEPS))
    else:
        sharpness_every = _int(sharpness_every, "sharpness_every", 0, max(steps, 1))
    land = None
    if landscape is not None:
        land = landscape_spec(landscape, settings.max_landscape_resolution)
        if land.directions == "pca" and steps < 2:
            raise InvalidValueError(
                "landscape.directions", "pca needs a trajectory of at least 2 steps"
            )
    return NetworkSpec(
        kind,
        data,
        mlp,
        opt,
        hyper,
        np.asarray(schedule_fn(np.arange(steps + 1)), dtype=float),
        batch_size,
        steps,
        seed,
        land,
        sharpness_every,
        data_key,
    )


def landscape_spec(landscape: Mapping[str, Any], max_resolution: int) -> LandscapeSpec:
    """A landscape request checked against the resolution cap; errors name the field."""
    unknown = sorted(set(landscape) - {"directions", "resolution"})
    if unknown:
        raise InvalidValueError(f"landscape.{unknown[0]}", "unknown option")
    directions = landscape.get("directions", "pca")
    if directions not in ("pca", "random"):
        raise InvalidValueError("landscape.directions", "must be pca or random")
    resolution = _int(landscape.get("resolution", 41), "landscape.resolution", 5, max_resolution)
    if resolution % 2 == 0:
        raise InvalidValueError(
            "landscape.resolution", "must be odd, so the final weights lie on the grid's centre"
        )
    return LandscapeSpec(directions, resolution)


# --- Training -------------------------------------------------------------------------------


@dataclass
class Block:
    """Points start .. start + len(loss) - 1 of a run, and the sharpness measured meanwhile."""

    start: int
    loss: list[float]
    val_loss: list[float]
    accuracy: list[float] | None
    val_accuracy: list[float] | None
    lr: list[float]
    sharpness: list[dict[str, float]]

    def payload(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "loss": self.loss,
            "val_loss": self.val_loss,
            "accuracy": self.accuracy,
            "val_accuracy": self.val_accuracy,
            "lr": self.lr,
            "sharpness": self.sharpness,
        }

    def extend(self, later: "Block") -> None:
        """Append the block that follows this one."""
        for key in ("loss", "val_loss", "accuracy", "val_accuracy", "lr", "sharpness"):
            mine, theirs = getattr(self, key), getattr(later, key)
            if mine is not None and theirs is not None:
                mine.extend(theirs)


def accuracies(out: Array, y: Array, task: str) -> Array | None:
    """Share of correct predictions (runs,) for outputs (runs, n, k); None for regression."""
    if task == "binary":
        return np.mean((out[..., 0] > 0) == (y == 1), axis=-1)
    if task == "multiclass":
        return np.mean(np.argmax(out, axis=-1) == y, axis=-1)
    return None


@dataclass
class _OptimizerGroup:
    """Runs whose update rule and hyperparameters agree but for the learning rate: one call
    of the pure update steps them all, with lr a (runs, 1) column."""

    optimizer: Optimizer
    hyper: Mapping[str, Any]
    rows: Array
    state: Any


def _optimizer_groups(specs: Sequence[NetworkSpec], params: Array) -> list[_OptimizerGroup]:
    keys: dict[tuple, list[int]] = {}
    for r, spec in enumerate(specs):
        hyper = tuple(sorted((k, v) for k, v in spec.hyper.items() if k != "lr"))
        keys.setdefault((spec.optimizer.id, hyper), []).append(r)
    groups = []
    for rows in keys.values():
        spec = specs[rows[0]]
        rows_array = np.array(rows)
        state = spec.optimizer.init(params[rows_array], spec.hyper)
        groups.append(_OptimizerGroup(spec.optimizer, spec.hyper, rows_array, state))
    return groups


class Training:
    """Runs of one network shape on one data set, advanced together block by block.

    Their parameters are one (runs, P) array, so every layer's forward and backward pass is
    one batched matrix product over all of them; runs with the same update rule take one
    optimizer step together. Runs are independent rows: each one's numbers are exactly what
    it would get alone. ``statuses[r]`` says how run r ended (``status`` for a lone run).
    """

    def __init__(self, *specs: NetworkSpec, deadline: Deadline = NO_DEADLINE) -> None:
        if not specs or any(s.shape_key != specs[0].shape_key for s in specs):
            raise ValueError("runs trained together must share the data and the network shape")
        self.deadline = deadline  # checked before every step and every chunk of the landscape
        self.specs = specs
        self.spec = spec = specs[0]
        self.mlp = spec.mlp
        self.x, self.y = spec.data.train
        self.x_val, self.y_val = spec.data.validation
        self.task = spec.kind.task
        n_params = self.mlp.n_params
        self.params = np.stack([self.mlp.init(np.random.default_rng([s.seed, 1])) for s in specs])
        self.initial = self.params.copy()
        self.last_good = self.params.copy()  # each run's final weights once it stops
        self.groups = _optimizer_groups(specs, self.params)
        self._batch_rngs = [np.random.default_rng([s.seed, 2]) for s in specs]
        self._perm_left = [np.empty(0, dtype=np.intp) for _ in specs]
        self._eigvec = np.stack(
            [np.random.default_rng([s.seed, 3]).standard_normal(n_params) for s in specs]
        )
        longest = max(s.steps for s in specs)
        self.lr = np.stack([np.pad(s.lr, (0, longest - s.steps), mode="edge") for s in specs])
        self.stabilities = [s.stability for s in specs]
        self.t = 0
        self.statuses = ["running"] * len(specs)
        self.messages = [""] * len(specs)
        self.steps_taken = [0] * len(specs)
        self.final_losses = [math.nan] * len(specs)
        self.snapshots: list[list[Array]] = [[] for _ in specs]
        self.snapshot_steps: list[list[int]] = [[] for _ in specs]
        self._pending: dict[str, Any] | None = None  # metrics of the current point

    # --- one run's view, for a lone run -------------------------------------------------

    @property
    def status(self) -> str:
        return self.statuses[0]

    @property
    def message(self) -> str:
        return self.messages[0]

    @property
    def done(self) -> bool:
        return "running" not in self.statuses

    def _running(self) -> Array:
        return np.array([s == "running" for s in self.statuses])

    def _batch(self, r: int) -> Array:
        """Run r's next mini-batch of training indices: shuffled epochs, one stream."""
        size = self.specs[r].batch_size
        left = self._perm_left[r]
        while len(left) < size:
            left = np.concatenate([left, self._batch_rngs[r].permutation(len(self.x))])
        self._perm_left[r] = left[size:]
        return left[:size]

    def _evaluate(self, params: Array) -> dict[str, Any]:
        """Full-data metrics (runs,) at ``params``; the full-batch gradient where GD needs it."""
        mlp, x, y = self.mlp, self.x, self.y
        full = np.array([s.batch_size is None for s in self.specs])
        grad = np.zeros_like(params)
        with np.errstate(all="ignore"):
            if full.all():
                loss, grad, out = mlp.value_and_grad(params, x, y)
            elif not full.any():
                out = mlp.output(params, x)
                loss = mlp.loss.value(out, y)
            else:
                out = np.empty((len(params), len(x), mlp.sizes[-1]))
                loss = np.empty(len(params))
                loss[full], grad[full], out[full] = mlp.value_and_grad(params[full], x, y)
                out[~full] = mlp.output(params[~full], x)
                loss[~full] = mlp.loss.value(out[~full], y)
            out_val = mlp.output(params, self.x_val)
            val_loss = mlp.loss.value(out_val, self.y_val)
            finite = np.isfinite(loss) & np.isfinite(val_loss) & np.all(np.isfinite(grad), axis=1)
        return {
            "loss": loss,
            "grad": grad,
            "val_loss": val_loss,
            "accuracy": accuracies(out, y, self.task),
            "val_accuracy": accuracies(out_val, self.y_val, self.task),
            "finite": finite,
        }

    def _gradients(self) -> Array:
        """Every run's gradient for this step: the full-batch one already computed, or one
        mini-batch per run, all runs of one batch size in one batched pass."""
        grad = self._pending["grad"].copy()
        sizes: dict[int, list[int]] = {}
        for r, spec in enumerate(self.specs):
            if spec.batch_size is not None:
                sizes.setdefault(spec.batch_size, []).append(r)
        for rows in sizes.values():
            index = np.stack([self._batch(r) for r in rows])  # (runs, batch)
            with np.errstate(all="ignore"):
                _, g, _ = self.mlp.value_and_grad(self.params[rows], self.x[index], self.y[index])
            grad[rows] = g
        return grad

    def _step(self, grad: Array) -> tuple[Array, list[Any]]:
        """One update of every run; each group of runs sharing a rule in one call."""
        params = np.empty_like(self.params)
        states = []
        for group in self.groups:
            rows = group.rows
            lr = self.lr[rows, self.t][:, None]
            with np.errstate(all="ignore"):
                new, state = group.optimizer.update(
                    self.params[rows], grad[rows], group.state, self.t + 1, lr, group.hyper, None
                )
            params[rows] = new
            states.append(state)
        return params, states

    def _sharpness(self, rows: Array) -> Array:
        """Top eigenvalue of each run's Hessian, or of P^-1/2 H P^-1/2 (the same spectrum as
        P^-1 H) for adaptive rules, plus the L2 weight decay the rule adds to the gradient."""
        params = self.params[rows]
        scale = np.ones_like(params)
        decay = np.array([self.stabilities[r].weight_decay for r in rows])
        for group in self.groups:
            spec = self.specs[group.rows[0]]
            if spec.stability.kind != "preconditioned":
                continue
            pre = preconditioner(group.optimizer.id, group.hyper, group.state, self.t)
            mine = np.isin(rows, group.rows)
            if pre is not None and mine.any():
                where = np.searchsorted(group.rows, rows[mine])
                scale[mine] = 1.0 / np.sqrt(pre[where])
        mlp, x, y, check = self.mlp, self.x, self.y, self.deadline.check

        def hvp(v: Array, sub: Array) -> Array:
            check()  # up to 40 products per measurement: each one may be the last
            sv = scale[sub] * v
            return scale[sub] * (mlp.hvp(params[sub], x, y, sv) + decay[sub, None] * sv)

        with np.errstate(all="ignore"):
            value, self._eigvec[rows] = top_eigenvalue(hvp, self._eigvec[rows])
        return value

    def _record(self, blocks: list[Block], metrics: dict[str, Any], rows: Array) -> None:
        """Append point t of each run in ``rows`` to its block."""
        acc, val_acc = metrics["accuracy"], metrics["val_accuracy"]
        for r in rows:
            block = blocks[r]
            block.loss.append(float(metrics["loss"][r]))
            block.val_loss.append(float(metrics["val_loss"][r]))
            if block.accuracy is not None:
                block.accuracy.append(float(acc[r]))
                block.val_accuracy.append(float(val_acc[r]))
            block.lr.append(float(self.lr[r, self.t]))
            self.final_losses[r] = float(metrics["loss"][r])
            spec = self.specs[r]
            if self.t % spec.path_stride == 0 or self.t == spec.steps:
                self.snapshots[r].append(self.params[r].copy())
                self.snapshot_steps[r].append(self.t)
        due = [r for r in rows if self._sharpness_due(r)]
        if due:
            values = self._sharpness(np.array(due))
            for r, value in zip(due, values.tolist(), strict=True):
                if math.isfinite(value):
                    blocks[r].sharpness.append({"step": self.t, "value": value})

    def _sharpness_due(self, r: int) -> bool:
        spec, every = self.specs[r], self.specs[r].sharpness_every
        if not every or not (self.t % every == 0 or self.t == spec.steps):
            return False
        # An adaptive rule has no preconditioner before its first step.
        return self.t > 0 or self.stabilities[r].kind == "hessian"

    def _new_blocks(self) -> list[Block]:
        classify = self.task != "regression"
        start = 0 if self._pending is None else self.t + 1
        return [
            Block(start, [], [], [] if classify else None, [] if classify else None, [], [])
            for _ in self.specs
        ]

    def advance(self, n: int) -> list[Block]:
        """Take up to ``n`` steps of every running run (recording point 0 first); one block
        per run, empty for a run that had already stopped."""
        blocks = self._new_blocks()
        if self._pending is None:
            metrics = self._evaluate(self.params)
            rows = np.flatnonzero(metrics["finite"])
            for r in np.flatnonzero(~metrics["finite"]):
                self._stop(r, "diverged", "diverged at step 0: the initial loss is not finite")
            self._record(blocks, metrics, rows)
            self._pending = metrics
            for r in rows:
                if self.specs[r].steps == 0:
                    self._stop(
                        r, "completed", f"completed 0 steps; final loss {metrics['loss'][r]:.6g}"
                    )
            return blocks
        for _ in range(n):
            if self.done:
                break
            self.deadline.check()
            running = self._running()
            params, states = self._step(self._gradients())
            with np.errstate(invalid="ignore"):
                bounded = np.all(np.isfinite(params), axis=1) & (
                    np.max(np.abs(params), axis=1) <= BOUND
                )
            for r in np.flatnonzero(running & ~bounded):
                why = f"the parameters left the bound |θ| <= {BOUND:g} (or stopped being finite)"
                self._stop(r, "diverged", f"diverged at step {self.t + 1}: {why}")
            metrics = self._evaluate(params)
            for r in np.flatnonzero(running & bounded & ~metrics["finite"]):
                why = "the loss or the gradient stopped being finite"
                self._stop(r, "diverged", f"diverged at step {self.t + 1}: {why}")
            alive = self._running()
            # Stopped runs keep their last good weights, so they stay finite in the batch.
            params[~alive] = self.last_good[~alive]
            self.params = params
            for group, state in zip(self.groups, states, strict=True):
                group.state = state
            self.t += 1
            rows = np.flatnonzero(alive)
            self.last_good[rows] = params[rows]
            self._record(blocks, metrics, rows)
            self._pending = metrics
            for r in rows:
                if self.t >= self.specs[r].steps:
                    loss = metrics["loss"][r]
                    self._stop(r, "completed", f"completed {self.t} steps; final loss {loss:.6g}")
        return blocks

    def _stop(self, r: int, status: str, message: str) -> None:
        self.statuses[r], self.messages[r] = status, message
        self.steps_taken[r] = self.t

    # --- After training: the views of the solution -------------------------------------

    def _trajectory(self, r: int) -> tuple[Array, list[int]]:
        """Run r's snapshots, ending at its final weights."""
        steps = list(self.snapshot_steps[r])
        trajectory = np.stack(self.snapshots[r])
        if len(steps) == 1 or steps[-1] != self.steps_taken[r]:
            trajectory = np.concatenate([trajectory, self.last_good[r][None]])
            steps.append(self.steps_taken[r])
        return trajectory, steps

    def _slice(
        self, land: LandscapeSpec, trajectories: list[Array], seed: int
    ) -> tuple[ls.Plane, list[Array], Array, Array, Array]:
        """A plane through the first run's final weights (the PCA of every trajectory, or
        random directions), the paths in it and the loss on a grid that holds them all."""
        centre = trajectories[0][-1]
        rng = np.random.default_rng([seed, 4])
        if land.directions == "pca":
            plane = ls.pca_plane(np.concatenate(trajectories), rng, centre)
        else:
            plane = ls.random_plane(self.mlp, centre, rng)
        paths = [plane.project(t) for t in trajectories]
        paths[0][-1] = 0.0  # the centre, exactly
        reach = np.max(np.abs(np.concatenate(paths)), axis=0) * 1.25
        half = [
            float(r) if r > 1e-9 and land.directions == "pca" else max(float(r), 1.0) for r in reach
        ]
        xs, ys = ls.axis(half[0], land.resolution), ls.axis(half[1], land.resolution)
        z = ls.loss_grid(self.mlp, plane, xs, ys, self.x, self.y, self.deadline.check)
        return plane, paths, xs, ys, z

    def _path_loss(self, plane: ls.Plane, path: Array) -> list[float | None]:
        with np.errstate(all="ignore"):  # the loss under the path, for the 3D view
            return json_list(self.mlp.value(plane.points(path[:, 0], path[:, 1]), self.x, self.y))

    def landscape(self, r: int = 0) -> dict[str, Any] | None:
        """The 2D slice around run r's final weights and its path projected onto it."""
        land = self.specs[r].landscape
        if land is None or not self.snapshots[r]:
            return None
        trajectory, _ = self._trajectory(r)
        plane, (path,), xs, ys, z = self._slice(land, [trajectory], self.specs[r].seed)
        return {
            "landscape": {
                **_grid_payload(plane, xs, ys, z),
                "path_loss": self._path_loss(plane, path),
            },
            "path": path.tolist(),
        }

    def shared_landscape(self, land: LandscapeSpec) -> dict[str, Any] | None:
        """One slice for every run: through run 0's final weights, spanned by the principal
        components of all the trajectories together (or random directions), with each run's
        path projected onto it; None if a run has no path (its first loss was not finite)."""
        if not all(self.snapshots):
            return None
        trajectories, steps = zip(
            *(self._trajectory(r) for r in range(len(self.specs))), strict=True
        )
        plane, paths, xs, ys, z = self._slice(land, list(trajectories), self.spec.seed)
        return {
            **_grid_payload(plane, xs, ys, z),
            "paths": [
                {"path": p.tolist(), "path_steps": s, "path_loss": self._path_loss(plane, p)}
                for p, s in zip(paths, steps, strict=True)
            ],
        }

    def interpolation(self, r: int = 0) -> dict[str, Any]:
        loss = ls.interpolate(
            self.mlp, self.initial[r], self.last_good[r], INTERPOLATION_ALPHAS, self.x, self.y
        )
        return {"alpha": INTERPOLATION_ALPHAS.tolist(), "loss": json_list(loss)}

    def boundaries(self) -> list[dict[str, Any]]:
        """Each run's prediction on a grid over the data: P(class 1), the predicted class, or
        for regression the fitted curve; one batched forward pass for all runs."""
        x_all = self.spec.data.x
        low, high = x_all.min(axis=0), x_all.max(axis=0)
        pad = 0.1 * (high - low) + 0.25
        low, high = low - pad, high + pad
        mlp, params = self.mlp, self.params
        if self.task == "regression":
            xs = np.linspace(low[0], high[0], 200)
            with np.errstate(all="ignore"):
                fit = mlp.output(params, xs[:, None])[:, :, 0]
            return [{"x": xs.tolist(), "y": json_list(row)} for row in fit]
        xs = np.linspace(low[0], high[0], BOUNDARY_RESOLUTION)
        ys = np.linspace(low[1], high[1], BOUNDARY_RESOLUTION)
        gx, gy = np.meshgrid(xs, ys)
        with np.errstate(all="ignore"):
            out = mlp.output(params, np.column_stack([gx.ravel(), gy.ravel()]))
        if self.task == "binary":  # to 1e-4: a picture, sent a few times a second
            z = np.round(0.5 * (1.0 + np.tanh(0.5 * out[..., 0])), 4)
        else:
            z = np.argmax(out, axis=-1).astype(float)
        xl, yl = xs.tolist(), ys.tolist()
        return [{"x": xl, "y": yl, "z": json_grid(zr.reshape(len(ys), len(xs)))} for zr in z]

    def boundary(self) -> dict[str, Any]:
        return self.boundaries()[0]

    def summary(self, r: int = 0, boundary: dict[str, Any] | None = None) -> dict[str, Any]:
        """The final event of run r: landscape, path, interpolation, boundary and status."""
        views = self.landscape(r) or {"landscape": None, "path": None}
        return {
            **views,
            "path_steps": self._trajectory(r)[1] if views["path"] is not None else None,
            "interpolation": self.interpolation(r),
            "boundary": boundary if boundary is not None else self.boundaries()[r],
            "stability": self.stabilities[r].payload(),
            "status": self.statuses[r],
            "steps_taken": self.steps_taken[r],
            "message": self.messages[r],
        }


def _grid_payload(plane: ls.Plane, xs: Array, ys: Array, z: Array) -> dict[str, Any]:
    return {
        "x": xs.tolist(),
        "y": ys.tolist(),
        "z": json_grid(z),
        "directions": plane.kind,
        "explained_variance": None
        if plane.explained_variance is None
        else list(plane.explained_variance),
    }


def json_list(values: Array) -> list[float | None]:
    """Floats for JSON: NaN and infinities become null."""
    values = np.asarray(values, dtype=float)
    return [v if math.isfinite(v) else None for v in values.tolist()]


def json_grid(values: Array) -> list[list[float | None]]:
    return [json_list(row) for row in values]


STREAM_SECONDS = 0.25  # a streamed block is sent at least this often (a few a second)


def _chunks(run: Training, block_steps: int | None) -> Iterator[list[Block]]:
    """Blocks of ``block_steps`` steps, or, by default, of whatever was computed in about
    STREAM_SECONDS, advanced in small chunks so a long run still draws a few times a second."""
    if block_steps is not None:
        while not run.done:
            yield run.advance(block_steps)
        return
    chunk = max(1, math.ceil(max(s.steps for s in run.specs) / 400))
    yield run.advance(chunk)  # point 0 at once: the page draws before training gets going
    while not run.done:
        started = time.perf_counter()
        blocks = run.advance(chunk)
        while not run.done and time.perf_counter() - started < STREAM_SECONDS:
            for mine, later in zip(blocks, run.advance(chunk), strict=True):
                mine.extend(later)
        yield blocks


def stream_training(
    spec: NetworkSpec, block_steps: int | None = None, deadline: Deadline = NO_DEADLINE
) -> Iterator[tuple[str | None, dict[str, Any]]]:
    """Blocks as ``(None, payload)`` with the live boundary, then ``("done", summary)``."""
    run = Training(spec, deadline=deadline)
    for (block,) in _chunks(run, block_steps):
        if block.loss:
            yield None, {**block.payload(), "boundary": run.boundary()}
    yield "done", run.summary()


def _whole(run: Training, r: int, blocks: list[Block]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "loss": [],
        "val_loss": [],
        "accuracy": [],
        "val_accuracy": [],
        "lr": [],
        "sharpness": [],
    }
    for block in blocks:
        for key, values in block.payload().items():
            if key != "start" and values is not None:
                result[key].extend(values)
    if run.task == "regression":
        result["accuracy"] = result["val_accuracy"] = None
    return result


def train(spec: NetworkSpec, deadline: Deadline = NO_DEADLINE) -> dict[str, Any]:
    """The whole run at once: the stream's blocks concatenated, plus the final summary."""
    return train_batch([spec], deadline=deadline)["runs"][0]


# --- Several runs at once -------------------------------------------------------------------


def batch_groups(specs: Sequence[NetworkSpec]) -> list[list[int]]:
    """Indices of the runs that train together: one group per network shape and data set."""
    groups: dict[tuple, list[int]] = {}
    for i, spec in enumerate(specs):
        groups.setdefault(spec.shape_key, []).append(i)
    return list(groups.values())


def shared_landscape_spec(
    specs: Sequence[NetworkSpec], shared: LandscapeSpec | None = None
) -> LandscapeSpec | None:
    """The shared slice's settings (``shared``, else the first run's) when every run can lie
    on one slice, else None."""
    land = shared or specs[0].landscape
    if land is None or len(batch_groups(specs)) != 1:
        return None
    if land.directions == "pca" and sum(s.steps for s in specs) < 2:
        return None
    return land


def train_batch(
    specs: Sequence[NetworkSpec],
    shared: LandscapeSpec | None = None,
    deadline: Deadline = NO_DEADLINE,
) -> dict[str, Any]:
    """Every run's whole answer (as ``train`` gives it) and one landscape shared by all,
    sliced as ``shared`` says (by default as the first run's landscape)."""
    runs: list[dict[str, Any] | None] = [None] * len(specs)
    landscape = None
    for rows in batch_groups(specs):
        run = Training(*(specs[i] for i in rows), deadline=deadline)
        history: list[list[Block]] = [[] for _ in rows]
        while not run.done:
            for mine, block in zip(
                history, run.advance(max(s.steps for s in run.specs) or 1), strict=True
            ):
                mine.append(block)
        boundaries = run.boundaries()
        for k, i in enumerate(rows):
            runs[i] = {**_whole(run, k, history[k]), **run.summary(k, boundaries[k])}
        land = shared_landscape_spec(specs, shared)
        if land is not None:
            landscape = run.shared_landscape(land)
    return {"runs": runs, "landscape": landscape}


def stream_batch(
    specs: Sequence[NetworkSpec],
    block_steps: int | None = None,
    shared: LandscapeSpec | None = None,
    deadline: Deadline = NO_DEADLINE,
) -> Iterator[tuple[str | None, dict[str, Any]]]:
    """Blocks ``{"runs": [block or null, ...]}`` with each run's live boundary, then
    ``("done", {"runs": [summary, ...], "landscape": shared})``. Groups of runs that cannot
    be batched together take turns, block by block."""
    trainings = [
        (rows, Training(*(specs[i] for i in rows), deadline=deadline))
        for rows in batch_groups(specs)
    ]
    streams = [(rows, run, _chunks(run, block_steps)) for rows, run in trainings]
    while any(not run.done for _, run in trainings):
        for rows, run, chunks in streams:
            if run.done:
                continue
            blocks = next(chunks)
            boundaries = run.boundaries()
            payload: list[dict[str, Any] | None] = [None] * len(specs)
            for k, i in enumerate(rows):
                if blocks[k].loss:
                    payload[i] = {**blocks[k].payload(), "boundary": boundaries[k]}
            if any(p is not None for p in payload):
                yield None, {"runs": payload}
    summaries: list[dict[str, Any] | None] = [None] * len(specs)
    landscape = None
    for rows, run in trainings:
        boundaries = run.boundaries()
        for k, i in enumerate(rows):
            summaries[i] = run.summary(k, boundaries[k])
        land = shared_landscape_spec(specs, shared)
        if land is not None:
            landscape = run.shared_landscape(land)
    yield "done", {"runs": summaries, "landscape": landscape}
