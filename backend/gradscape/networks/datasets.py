"""Toy data sets, generated in-process from a seed: a registry, one line per data set.

Every generator returns its points already shuffled, so the held-out validation split is
simply the last ``VALIDATION_FRACTION`` of them: the same (samples, noise, seed) always gives
the same points and the same split, in ``GET /api/datasets/{id}`` and in a network run.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from gradscape.errors import InvalidValueError, UnknownIdError

Task = Literal["binary", "multiclass", "regression"]
VALIDATION_FRACTION = 0.2
MIN_SAMPLES = 10
MAX_NOISE = 5.0
MAX_CLASSES = 10
MAX_COORDINATE = 1e6


@dataclass(frozen=True)
class Dataset:
    """Points ``x`` (n, input_dim) and targets ``y``: class ids (n,) or values (n, 1)."""

    x: np.ndarray
    y: np.ndarray
    n_train: int

    @property
    def train(self) -> tuple[np.ndarray, np.ndarray]:
        return self.x[: self.n_train], self.y[: self.n_train]

    @property
    def validation(self) -> tuple[np.ndarray, np.ndarray]:
        return self.x[self.n_train :], self.y[self.n_train :]


Generator = Callable[[int, float, np.random.Generator], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class DatasetKind:
    """A registry entry: metadata for the API and UI plus the generator."""

    id: str
    name: str
    description: str
    task: Task
    classes: int  # 0 for regression
    input_dim: int
    default_noise: float
    generate: Generator
    default_samples: int = 200

    def info(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "task": self.task,
            "classes": self.classes,
            "input_dim": self.input_dim,
            "default_samples": self.default_samples,
            "default_noise": self.default_noise,
            "loss": {"binary": "bce", "multiclass": "cross_entropy", "regression": "mse"}[
                self.task
            ],
        }


def _shuffled(x: np.ndarray, y: np.ndarray, rng: np.random.Generator):
    order = rng.permutation(len(x))
    return x[order], y[order]


def moons(n: int, noise: float, rng: np.random.Generator):
    """Two interleaving half circles (sklearn.datasets.make_moons)."""
    n_out = n // 2
    n_in = n - n_out
    t_out = np.linspace(0, np.pi, n_out)
    t_in = np.linspace(0, np.pi, n_in)
    x = np.concatenate(
        [
            np.column_stack([np.cos(t_out), np.sin(t_out)]),
            np.column_stack([1 - np.cos(t_in), 1 - np.sin(t_in) - 0.5]),
        ]
    )
    y = np.concatenate([np.zeros(n_out, int), np.ones(n_in, int)])
    return _shuffled(x + noise * rng.standard_normal(x.shape), y, rng)


def circles(n: int, noise: float, rng: np.random.Generator):
    """A small circle inside a large one (sklearn.datasets.make_circles, factor 0.5)."""
    n_out = n // 2
    n_in = n - n_out
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    x = np.concatenate(
        [
            np.column_stack([np.cos(t_out), np.sin(t_out)]),
            0.5 * np.column_stack([np.cos(t_in), np.sin(t_in)]),
        ]
    )
    y = np.concatenate([np.zeros(n_out, int), np.ones(n_in, int)])
    return _shuffled(x + noise * rng.standard_normal(x.shape), y, rng)


def xor(n: int, noise: float, rng: np.random.Generator):
    """Uniform points in [-1, 1]^2, class 1 where x1 and x2 have the same sign."""
    x = rng.uniform(-1, 1, (n, 2))
    y = (x[:, 0] * x[:, 1] > 0).astype(int)
    return x + noise * rng.standard_normal(x.shape), y


def spirals(classes: int) -> Generator:
    """``classes`` interleaved arms of an Archimedean spiral (CS231n's toy set)."""

    def generate(n: int, noise: float, rng: np.random.Generator):
        label = np.arange(n) % classes
        r = np.repeat(np.linspace(0.05, 1.0, -(-n // classes)), classes)[:n]
        theta = 1.75 * 2 * np.pi * r + 2 * np.pi * label / classes
        theta = theta + noise * rng.standard_normal(n)
        x = np.column_stack([r * np.cos(theta), r * np.sin(theta)])
        return _shuffled(x, label, rng)

    return generate


BLOB_CENTRES = np.array([[-1.0, -0.6], [1.0, -0.6], [0.0, 1.1]])


def blobs(n: int, noise: float, rng: np.random.Generator):
    """Three Gaussian blobs with standard deviation ``noise`` around fixed centres."""
    y = np.arange(n) % len(BLOB_CENTRES)
    x = BLOB_CENTRES[y] + noise * rng.standard_normal((n, 2))
    return _shuffled(x, y, rng)


def sine(n: int, noise: float, rng: np.random.Generator):
    """1D regression: y = sin(x) plus Gaussian noise, x uniform in [-pi, pi]."""
    x = rng.uniform(-np.pi, np.pi, (n, 1))
    return x, np.sin(x) + noise * rng.standard_normal((n, 1))


DATASETS: dict[str, DatasetKind] = {
    d.id: d
    for d in (
        DatasetKind("moons", "Moons", "Two interleaving half circles.", "binary", 2, 2, 0.1, moons),
        DatasetKind(
            "circles",
            "Circles",
            "A small circle inside a large one.",
            "binary",
            2,
            2,
            0.05,
            circles,
        ),
        DatasetKind(
            "xor",
            "XOR",
            "Four quadrants; opposite corners share a class.",
            "binary",
            2,
            2,
            0.05,
            xor,
        ),
        DatasetKind(
            "spirals",
            "Spirals (2 classes)",
            "Two interleaved spiral arms.",
            "binary",
            2,
            2,
            0.1,
            spirals(2),
        ),
        DatasetKind(
            "spirals3",
            "Spirals (3 classes)",
            "Three interleaved spiral arms.",
            "multiclass",
            3,
            2,
            0.1,
            spirals(3),
            default_samples=300,
        ),
        DatasetKind(
            "blobs",
            "Blobs",
            "Three Gaussian clusters.",
            "multiclass",
            3,
            2,
            0.4,
            blobs,
            default_samples=300,
        ),
        DatasetKind(
            "sine", "Sine", "Regression: y = sin(x) plus noise.", "regression", 0, 1, 0.1, sine
        ),
    )
}


def get_dataset_kind(dataset_id: str, where: str = "dataset") -> DatasetKind:
    try:
        return DATASETS[dataset_id]
    except (KeyError, TypeError):  # TypeError: an unhashable id
        raise UnknownIdError(where, dataset_id, list(DATASETS)) from None


def make_dataset(
    dataset_id: str,
    samples: int | None = None,
    noise: float | None = None,
    seed: int = 0,
    max_samples: int = 5_000,
    noise_field: str = "data_noise",
) -> Dataset:
    """Generate a data set and its split; errors name the field (``samples``, ``noise``)."""
    kind = get_dataset_kind(dataset_id)
    samples = kind.default_samples if samples is None else samples
    noise = kind.default_noise if noise is None else noise
    if not MIN_SAMPLES <= samples <= max_samples:
        raise InvalidValueError("samples", f"must be between {MIN_SAMPLES} and {max_samples}")
    if not (np.isfinite(noise) and 0 <= noise <= MAX_NOISE):
        raise InvalidValueError(noise_field, f"must be between 0 and {MAX_NOISE:g}")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise InvalidValueError("seed", "must be a whole number between 0 and 2**32 - 1")
    rng = np.random.default_rng([seed, 0])
    x, y = kind.generate(samples, float(noise), rng)
    n_val = max(1, round(VALIDATION_FRACTION * samples))
    return Dataset(np.ascontiguousarray(x, dtype=float), y, samples - n_val)


# --- The user's own points -----------------------------------------------------------------


def custom_dataset(
    x: Sequence[Sequence[float]],
    y: Sequence[float],
    task: Task,
    seed: int = 0,
    max_samples: int = 5_000,
    where: str = "dataset",
) -> tuple[DatasetKind, Dataset]:
    """The user's points as a data set: checked (errors name ``where.x.17.0``), shuffled by
    ``seed`` and split like a generated one. Nothing is kept once the run is over."""
    n = len(x)
    if not MIN_SAMPLES <= n <= max_samples:
        raise InvalidValueError(
            f"{where}.x", f"needs between {MIN_SAMPLES} and {max_samples} points, got {n}"
        )
    if len(y) != n:
        raise InvalidValueError(f"{where}.y", f"has {len(y)} values for {n} points")
    dim = 1 if task == "regression" else 2
    for i, row in enumerate(x):
        if len(row) != dim:
            what = "x" if dim == 1 else "x1, x2"
            raise InvalidValueError(
                f"{where}.x.{i}", f"must hold {dim} number(s) ({what}), got {len(row)}"
            )
        for j, v in enumerate(row):
            if not (math.isfinite(v) and abs(v) <= MAX_COORDINATE):
                raise InvalidValueError(
                    f"{where}.x.{i}.{j}", f"must be a finite number of size <= {MAX_COORDINATE:g}"
                )
    classes = 0
    for i, v in enumerate(y):
        if not (math.isfinite(v) and abs(v) <= MAX_COORDINATE):
            raise InvalidValueError(
                f"{where}.y.{i}", f"must be a finite number of size <= {MAX_COORDINATE:g}"
            )
        if task != "regression":
            top = 1 if task == "binary" else MAX_CLASSES - 1
            if v != int(v) or not 0 <= v <= top:
                raise InvalidValueError(
                    f"{where}.y.{i}", f"a class label must be a whole number from 0 to {top}"
                )
            classes = max(classes, int(v) + 1)
    if task != "regression" and classes < 2:
        raise InvalidValueError(f"{where}.y", "needs at least two classes (labels 0 and 1)")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise InvalidValueError("seed", "must be a whole number between 0 and 2**32 - 1")
    xa = np.asarray(x, dtype=float).reshape(n, dim)
    ya = np.asarray(y, dtype=float)
    ya = ya.reshape(n, 1) if task == "regression" else ya.astype(int)
    xa, ya = _shuffled(xa, ya, np.random.default_rng([seed, 0]))
    n_val = max(1, round(VALIDATION_FRACTION * n))
    kind = DatasetKind(
        "custom",
        "Your data",
        f"{n} points of your own ({task}).",
        task,
        2 if task == "binary" else classes,
        dim,
        0.0,
        _no_generator,
        default_samples=n,
    )
    return kind, Dataset(np.ascontiguousarray(xa), ya, n - n_val)


def _no_generator(n: int, noise: float, rng: np.random.Generator):
    raise InvalidValueError("dataset", "your own points cannot be regenerated")
