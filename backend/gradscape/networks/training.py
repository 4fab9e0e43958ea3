"""Train a small network with a core optimizer and schedule, then slice its loss landscape.

The network's parameters are one flat vector (1, P), so the update rules of
``gradscape.optimizers`` apply unchanged. Recorded per point k (point 0 is the
initialisation): full training loss and accuracy, validation loss and accuracy, and the
learning rate of the step that leaves it; the sharpness every ``sharpness_every`` steps.
A run stops as ``diverged`` when the parameters, the loss or the gradient stop being finite
or leave the bound, else it ``completed``. Blocks of steps are yielded as they are computed,
so a streamed run and the same run computed at once are the same numbers.
"""

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gradscape.config import Settings
from gradscape.deadline import NO_DEADLINE, Deadline
from gradscape.errors import InvalidValueError
from gradscape.networks import landscape as ls
from gradscape.networks.datasets import Dataset, DatasetKind, get_dataset_kind, make_dataset
from gradscape.networks.layers import LOSSES, get_activation
from gradscape.networks.mlp import MLP
from gradscape.networks.sharpness import top_eigenvalue
from gradscape.optimizers import Optimizer, get_optimizer
from gradscape.schedules import make_schedule

Array = np.ndarray
BOUND = 1e6  # |theta| beyond this counts as diverged, as in the core engine
MAX_PATH_POINTS = 200  # trajectory snapshots kept for the PCA and the projected path
MAX_SHARPNESS_POINTS = 50
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
    path_stride: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "path_stride", max(1, math.ceil(self.steps / MAX_PATH_POINTS)))


def _int(value: Any, where: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise InvalidValueError(where, f"must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise InvalidValueError(where, f"must be between {low} and {high}, got {value}")
    return int(value)


def build_network_spec(
    dataset: str = "moons",
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
    settings: Settings | None = None,
) -> NetworkSpec:
    """Check a network run request; errors name the offending field and the cap."""
    settings = settings or Settings()
    kind = get_dataset_kind(dataset)
    seed = _int(seed, "seed", 0, 2**32 - 1)
    if samples is not None:
        samples = _int(samples, "samples", 10, settings.max_network_samples)
    data = make_dataset(dataset, samples, data_noise, seed, settings.max_network_samples)
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
        sharpness_every = max(1, math.ceil(steps / MAX_SHARPNESS_POINTS))
    else:
        sharpness_every = _int(sharpness_every, "sharpness_every", 0, max(steps, 1))
    land = None
    if landscape is not None:
        land = _landscape_spec(landscape, settings.max_landscape_resolution)
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
    )


def _landscape_spec(landscape: Mapping[str, Any], max_resolution: int) -> LandscapeSpec:
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


def accuracy(out: Array, y: Array, task: str) -> float | None:
    """Share of correct predictions for one run's outputs (n, k); None for regression."""
    if task == "binary":
        return float(np.mean((out[:, 0] > 0) == (y == 1)))
    if task == "multiclass":
        return float(np.mean(np.argmax(out, axis=1) == y))
    return None


class Training:
    """One network run advanced block by block; ``status`` says how it ended."""

    def __init__(self, spec: NetworkSpec, deadline: Deadline = NO_DEADLINE) -> None:
        self.spec = spec
        self.deadline = deadline  # checked before every step and every chunk of the landscape
        self.x, self.y = spec.data.train
        self.x_val, self.y_val = spec.data.validation
        self.task = spec.kind.task
        self.params = spec.mlp.init(np.random.default_rng([spec.seed, 1]))[None]
        self.initial = self.params[0].copy()
        self.opt_state = spec.optimizer.init(self.params, spec.hyper)
        self._batch_rng = np.random.default_rng([spec.seed, 2])
        self._perm_left = np.empty(0, dtype=np.intp)
        self._eigvec = np.random.default_rng([spec.seed, 3]).standard_normal(self.params.shape)
        self.t = 0
        self.status = "running"
        self.message = ""
        self.final_loss = math.nan
        self.snapshots: list[Array] = []
        self.snapshot_steps: list[int] = []
        self._grad: Array | None = None
        self._pending: dict[str, Any] | None = None  # metrics of the current point

    @property
    def done(self) -> bool:
        return self.status != "running"

    def _batch(self) -> Array:
        """The next mini-batch of training indices: shuffled epochs, one continuous stream."""
        size = self.spec.batch_size
        while len(self._perm_left) < size:
            self._perm_left = np.concatenate(
                [self._perm_left, self._batch_rng.permutation(len(self.x))]
            )
        batch, self._perm_left = self._perm_left[:size], self._perm_left[size:]
        return batch

    def _evaluate(self, params: Array) -> dict[str, Any]:
        """Full-data metrics at ``params``; also the full-batch gradient when GD needs it."""
        mlp = self.spec.mlp
        with np.errstate(all="ignore"):
            if self.spec.batch_size is None:
                loss, grad, out = mlp.value_and_grad(params, self.x, self.y)
            else:
                out = mlp.output(params, self.x)
                loss, grad = mlp.loss.value(out, self.y), None
            out_val = mlp.output(params, self.x_val)
            val_loss = mlp.loss.value(out_val, self.y_val)
        return {
            "loss": float(loss[0]),
            "grad": grad,
            "val_loss": float(val_loss[0]),
            "accuracy": accuracy(out[0], self.y, self.task),
            "val_accuracy": accuracy(out_val[0], self.y_val, self.task),
        }

    def _sharpness(self) -> float:
        mlp, x, y, params, check = self.spec.mlp, self.x, self.y, self.params, self.deadline.check

        def hvp(v: Array) -> Array:
            check()  # up to 40 products per measurement: each one may be the last
            return mlp.hvp(params, x, y, v)

        with np.errstate(all="ignore"):
            value, self._eigvec = top_eigenvalue(hvp, self._eigvec)
        return float(value[0])

    def _record(self, block: Block, metrics: dict[str, Any]) -> None:
        block.loss.append(metrics["loss"])
        block.val_loss.append(metrics["val_loss"])
        if block.accuracy is not None:
            block.accuracy.append(metrics["accuracy"])
            block.val_accuracy.append(metrics["val_accuracy"])
        block.lr.append(float(self.spec.lr[self.t]))
        self.final_loss = metrics["loss"]
        every = self.spec.sharpness_every
        if every and (self.t % every == 0 or self.t == self.spec.steps):
            value = self._sharpness()
            if math.isfinite(value):
                block.sharpness.append({"step": self.t, "value": value})
        if self.t % self.spec.path_stride == 0 or self.t == self.spec.steps:
            self.snapshots.append(self.params[0].copy())
            self.snapshot_steps.append(self.t)

    def _finite(self, metrics: dict[str, Any]) -> bool:
        grad = metrics["grad"]
        return (
            math.isfinite(metrics["loss"])
            and math.isfinite(metrics["val_loss"])
            and (grad is None or bool(np.all(np.isfinite(grad))))
        )

    def advance(self, n: int) -> Block:
        """Take up to ``n`` steps (recording point 0 first) and return their block."""
        classify = self.task != "regression"
        start = 0 if self._pending is None else self.t + 1
        block = Block(start, [], [], [] if classify else None, [] if classify else None, [], [])
        if self._pending is None:
            metrics = self._evaluate(self.params)
            if not self._finite(metrics):
                self._stop("diverged", "diverged at step 0: the initial loss is not finite")
                return block
            self._record(block, metrics)
            self._pending = metrics
            if self.spec.steps == 0:
                self._stop("completed", f"completed 0 steps; final loss {metrics['loss']:.6g}")
            return block
        spec, mlp = self.spec, self.spec.mlp
        for _ in range(n):
            if self.done:
                break
            self.deadline.check()
            if spec.batch_size is None:
                grad = self._pending["grad"]
            else:
                batch = self._batch()
                with np.errstate(all="ignore"):
                    _, grad, _ = mlp.value_and_grad(self.params, self.x[batch], self.y[batch])
            lr = float(spec.lr[self.t])
            with np.errstate(all="ignore"):
                params, opt_state = spec.optimizer.update(
                    self.params, grad, self.opt_state, self.t + 1, lr, spec.hyper, None
                )
            if not (np.all(np.isfinite(params)) and np.max(np.abs(params)) <= BOUND):
                why = f"the parameters left the bound |θ| <= {BOUND:g} (or stopped being finite)"
                self._stop("diverged", f"diverged at step {self.t + 1}: {why}")
                break
            metrics = self._evaluate(params)
            if not self._finite(metrics):
                why = "the loss or the gradient stopped being finite"
                self._stop("diverged", f"diverged at step {self.t + 1}: {why}")
                break
            self.params, self.opt_state = params, opt_state
            self.t += 1
            self._record(block, metrics)
            self._pending = metrics
            if self.t >= spec.steps:
                self._stop(
                    "completed", f"completed {self.t} steps; final loss {metrics['loss']:.6g}"
                )
        return block

    def _stop(self, status: str, message: str) -> None:
        self.status, self.message = status, message

    # --- After training: the views of the solution -------------------------------------

    def landscape(self) -> dict[str, Any] | None:
        """The 2D slice around the final weights and the path projected onto it."""
        land = self.spec.landscape
        if land is None or not self.snapshots:
            return None
        mlp = self.spec.mlp
        trajectory = np.stack(self.snapshots)
        if trajectory.shape[0] == 1 or self.snapshot_steps[-1] != self.t:
            trajectory = np.concatenate([trajectory, self.params])
        rng = np.random.default_rng([self.spec.seed, 4])
        if land.directions == "pca":
            plane = ls.pca_plane(trajectory, rng)
        else:
            plane = ls.random_plane(mlp, trajectory[-1], rng)
        path = plane.project(trajectory)
        path[-1] = 0.0  # the centre, exactly
        reach = np.max(np.abs(path), axis=0) * 1.25
        half = [
            float(r) if r > 1e-9 and land.directions == "pca" else max(float(r), 1.0) for r in reach
        ]
        xs, ys = ls.axis(half[0], land.resolution), ls.axis(half[1], land.resolution)
        z = ls.loss_grid(mlp, plane, xs, ys, self.x, self.y, self.deadline.check)
        with np.errstate(all="ignore"):  # the loss under the path, for the 3D view
            path_loss = mlp.value(plane.points(path[:, 0], path[:, 1]), self.x, self.y)
        return {
            "landscape": {
                "x": xs.tolist(),
                "y": ys.tolist(),
                "z": json_grid(z),
                "directions": plane.kind,
                "explained_variance": None
                if plane.explained_variance is None
                else list(plane.explained_variance),
                "path_loss": json_list(path_loss),
            },
            "path": path.tolist(),
        }

    def interpolation(self) -> dict[str, Any]:
        loss = ls.interpolate(
            self.spec.mlp, self.initial, self.params[0], INTERPOLATION_ALPHAS, self.x, self.y
        )
        return {"alpha": INTERPOLATION_ALPHAS.tolist(), "loss": json_list(loss)}

    def boundary(self) -> dict[str, Any]:
        """The model's prediction on a grid over the data: P(class 1), the predicted class,
        or for regression the fitted curve."""
        x_all = self.spec.data.x
        low, high = x_all.min(axis=0), x_all.max(axis=0)
        pad = 0.1 * (high - low) + 0.25
        low, high = low - pad, high + pad
        mlp, params = self.spec.mlp, self.params
        if self.task == "regression":
            xs = np.linspace(low[0], high[0], 200)
            with np.errstate(all="ignore"):
                fit = mlp.output(params, xs[:, None])[0, :, 0]
            return {"x": xs.tolist(), "y": json_list(fit)}
        xs = np.linspace(low[0], high[0], BOUNDARY_RESOLUTION)
        ys = np.linspace(low[1], high[1], BOUNDARY_RESOLUTION)
        gx, gy = np.meshgrid(xs, ys)
        with np.errstate(all="ignore"):
            out = mlp.output(params, np.column_stack([gx.ravel(), gy.ravel()]))[0]
        if self.task == "binary":
            z = 0.5 * (1.0 + np.tanh(0.5 * out[:, 0]))
        else:
            z = np.argmax(out, axis=1).astype(float)
        return {"x": xs.tolist(), "y": ys.tolist(), "z": json_grid(z.reshape(len(ys), len(xs)))}

    def summary(self) -> dict[str, Any]:
        """The final event: landscape, path, interpolation, boundary and status."""
        views = self.landscape() or {"landscape": None, "path": None}
        return {
            **views,
            "path_steps": self._path_steps() if views["path"] is not None else None,
            "interpolation": self.interpolation(),
            "boundary": self.boundary(),
            "status": self.status,
            "steps_taken": self.t,
            "message": self.message,
        }

    def _path_steps(self) -> list[int]:
        steps = list(self.snapshot_steps)
        if len(steps) == 1 or steps[-1] != self.t:
            steps.append(self.t)
        return steps


def json_list(values: Array) -> list[float | None]:
    """Floats for JSON: NaN and infinities become null."""
    values = np.asarray(values, dtype=float)
    return [v if math.isfinite(v) else None for v in values.tolist()]


def json_grid(values: Array) -> list[list[float | None]]:
    return [json_list(row) for row in values]


def stream_training(
    spec: NetworkSpec, block_steps: int | None = None, deadline: Deadline = NO_DEADLINE
) -> Iterator[tuple[str | None, dict[str, Any]]]:
    """Blocks as ``(None, payload)`` with the live boundary, then ``("done", summary)``."""
    if block_steps is None:
        block_steps = max(1, math.ceil(spec.steps / 50))
    run = Training(spec, deadline)
    while not run.done:
        block = run.advance(block_steps)
        if block.loss:
            yield None, {**block.payload(), "boundary": run.boundary()}
    yield "done", run.summary()


def train(spec: NetworkSpec, deadline: Deadline = NO_DEADLINE) -> dict[str, Any]:
    """The whole run at once: the stream's blocks concatenated, plus the final summary."""
    result: dict[str, Any] = {
        "loss": [],
        "val_loss": [],
        "accuracy": [],
        "val_accuracy": [],
        "lr": [],
        "sharpness": [],
    }
    run = Training(spec, deadline)
    while not run.done:
        block = run.advance(max(spec.steps, 1))
        for key, values in block.payload().items():
            if key != "start" and values is not None:
                result[key].extend(values)
    if spec.kind.task == "regression":
        result["accuracy"] = result["val_accuracy"] = None
    return {**result, **run.summary()}
