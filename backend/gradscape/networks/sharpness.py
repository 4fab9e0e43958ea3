"""Sharpness: the largest eigenvalue of the training loss's Hessian, by power iteration.

Each iteration is one exact Hessian-vector product (``MLP.hvp``, the R-operator), never the
P x P Hessian. Gradient descent with step size lr is unstable along a direction whose
curvature exceeds 2 / lr; Cohen et al. 2021 ("Gradient descent on neural networks typically
occurs at the edge of stability") show full-batch GD drives sharpness up to that bound.
"""

from collections.abc import Callable

import numpy as np

Array = np.ndarray


def _power_iteration(
    hvp: Callable[[Array], Array], v: Array, shift: Array, iters: int, rtol: float
) -> tuple[Array, Array]:
    """Dominant eigenvalue (runs,) of H - shift I and its unit eigenvector (runs, P)."""
    v = v / np.linalg.norm(v, axis=1, keepdims=True)
    value = np.zeros(len(v))
    for _ in range(iters):
        hv = hvp(v) - shift[:, None] * v
        new = np.einsum("ij,ij->i", v, hv)  # Rayleigh quotient
        norm = np.linalg.norm(hv, axis=1, keepdims=True)
        if not np.all(np.isfinite(norm)) or np.any(norm == 0):
            return new, v
        v = hv / norm
        done = np.all(np.abs(new - value) <= rtol * np.abs(new))
        value = new
        if done:
            break
    return value, v


def top_eigenvalue(
    hvp: Callable[[Array], Array], v0: Array, iters: int = 20, rtol: float = 1e-4
) -> tuple[Array, Array]:
    """The largest (most positive) Hessian eigenvalue per run, and its eigenvector.

    Power iteration finds the eigenvalue of largest magnitude. Where that one is negative,
    a second pass on H - lambda I (all of whose eigenvalues are then >= 0) finds the top one.
    Warm-start ``v0`` from the previous eigenvector to converge in a few iterations.
    """
    zero = np.zeros(len(v0))
    value, v = _power_iteration(hvp, v0, zero, iters, rtol)
    negative = value < 0
    if np.any(negative):
        shifted, v_shifted = _power_iteration(hvp, v0, np.where(negative, value, 0.0), iters, rtol)
        value = np.where(negative, shifted + value, value)
        v = np.where(negative[:, None], v_shifted, v)
    return value, v
