"""Slices of a network's loss landscape, and the training path seen in them.

2D: the loss at theta* + a d1 + b d2 on a grid, where d1, d2 are either random
filter-normalised directions or the first two principal components of the trajectory
(Li et al. 2018, "Visualizing the Loss Landscape of Neural Nets", sections 4 and 7).
1D: the loss along the straight line (1 - alpha) theta_0 + alpha theta* (Goodfellow et al.
2015, "Qualitatively characterizing neural network optimization problems").

The grid is evaluated as a batch of parameter vectors, a chunk of grid points at a time, so
each layer is one stacked matrix product instead of one forward pass per point.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gradscape.networks.mlp import MLP

Array = np.ndarray
CHUNK_FLOATS = 1 << 18  # activations per layer and chunk of grid points


@dataclass(frozen=True)
class Plane:
    """Two directions through ``centre`` and the share of trajectory variance each explains."""

    centre: Array  # (P,)
    d1: Array
    d2: Array
    kind: str  # "pca" or "random"
    explained_variance: tuple[float, float] | None

    def project(self, points: Array) -> Array:
        """Coordinates (m, 2) of ``points`` (m, P) in the plane: least squares on d1, d2."""
        basis = np.stack([self.d1, self.d2], axis=1)  # (P, 2)
        coords, *_ = np.linalg.lstsq(basis, (points - self.centre).T, rcond=None)
        return coords.T

    def points(self, a: Array, b: Array) -> Array:
        """Parameter vectors (m, P) at plane coordinates a, b (m,)."""
        return self.centre + a[:, None] * self.d1 + b[:, None] * self.d2


def filter_normalized_direction(mlp: MLP, params: Array, rng: np.random.Generator) -> Array:
    """A Gaussian direction whose every filter (a neuron's incoming weights, one column of W)
    has the norm of the same filter in ``params``; bias entries are zero (Li et al. 2018)."""
    d = rng.standard_normal(mlp.n_params)
    for layer in mlp.layers:
        w, _ = layer.weights(params[None])
        dw, db = layer.weights(d[None])
        dw *= np.linalg.norm(w, axis=-2, keepdims=True) / (
            np.linalg.norm(dw, axis=-2, keepdims=True) + 1e-10
        )
        db[...] = 0.0
    return d


def random_plane(mlp: MLP, centre: Array, rng: np.random.Generator) -> Plane:
    d1 = filter_normalized_direction(mlp, centre, rng)
    d2 = filter_normalized_direction(mlp, centre, rng)
    return Plane(centre, d1, d2, "random", None)


def pca_plane(trajectory: Array, rng: np.random.Generator, centre: Array | None = None) -> Plane:
    """The first two principal components of the trajectory's offsets from ``centre`` (by
    default its last point; for several runs' trajectories stacked, one run's final weights).

    Like sklearn's PCA (which Li et al. use) the offsets are centred first. Computed from the
    small (m, m) Gram matrix rather than an SVD of the (m, P) trajectory. When the path spans
    fewer than two dimensions, the missing direction is a random unit vector orthogonal to the
    others and explains no variance.
    """
    centre = trajectory[-1] if centre is None else centre
    offsets = trajectory - centre
    offsets = offsets - offsets.mean(axis=0)
    gram = offsets @ offsets.T
    eigvals, eigvecs = np.linalg.eigh(gram)
    order = np.argsort(eigvals)[::-1]
    eigvals = np.clip(eigvals[order], 0.0, None)
    total = float(eigvals.sum())
    directions: list[Array] = []
    shares: list[float] = []
    for k in range(2):
        value = float(eigvals[k]) if k < len(eigvals) else 0.0
        if total > 0 and value > 1e-12 * total:
            d = offsets.T @ eigvecs[:, order[k]]
            directions.append(d / np.linalg.norm(d))
            shares.append(min(value / total, 1.0))
        else:
            d = rng.standard_normal(trajectory.shape[1])
            for other in directions:
                d -= (d @ other) * other
            directions.append(d / np.linalg.norm(d))
            shares.append(0.0)
    return Plane(centre, directions[0], directions[1], "pca", (shares[0], shares[1]))


def axis(half_width: float, resolution: int) -> Array:
    """``resolution`` (odd) points from -half_width to half_width with exactly 0 in the middle."""
    values = np.linspace(-half_width, half_width, resolution)
    values[resolution // 2] = 0.0
    return values


def loss_grid(
    mlp: MLP,
    plane: Plane,
    xs: Array,
    ys: Array,
    x: Array,
    y: Array,
    check: Callable[[], None] = lambda: None,
) -> Array:
    """The loss at every grid point, shape (len(ys), len(xs)) (z[i][j] is at xs[j], ys[i]).

    ``check`` runs before every chunk (a ``Deadline.check``: it raises to stop the work).
    """
    a, b = np.meshgrid(xs, ys)
    a, b = a.ravel(), b.ravel()
    chunk = min(len(a), max(1, CHUNK_FLOATS // (len(x) * max(mlp.sizes))))
    buffers = [np.empty((chunk, len(x), layer.n_out)) for layer in mlp.layers]
    z = np.empty(len(a))
    with np.errstate(all="ignore"):
        for start in range(0, len(a), chunk):
            check()
            sl = slice(start, start + chunk)
            z[sl] = mlp.value(plane.points(a[sl], b[sl]), x, y, buffers)
    return z.reshape(len(ys), len(xs))


def interpolate(mlp: MLP, start: Array, end: Array, alphas: Array, x: Array, y: Array) -> Array:
    """The loss along (1 - alpha) start + alpha end, one batch of parameter vectors."""
    points = (1.0 - alphas)[:, None] * start + alphas[:, None] * end
    with np.errstate(all="ignore"):
        return mlp.value(points, x, y)
