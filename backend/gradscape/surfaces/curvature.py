"""Local curvature of a surface: the Hessian's eigenvalues and eigenvectors at many points.

A symmetric 2x2 matrix [[a, b], [b, c]] has the eigenvalues m -/+ r with m = (a + c) / 2 and
r = hypot((a - c) / 2, b), and the eigenvector of the larger one at the angle
t with tan 2t = 2b / (a - c). Written out in closed form over arrays, a whole batch of points
costs a few numpy calls (numpy.linalg.eigh is the independent reference in the tests).

The larger-magnitude eigenvalue is m + sign(m) r and the other det / that one, so a tiny
eigenvalue beside a large one (Rosenbrock's valley floor) keeps its digits instead of
cancelling in m - r.
"""

from dataclasses import dataclass

import numpy as np

from gradscape.surfaces.base import Surface

# The shape of the local quadratic model, from the eigenvalues' signs (l1 <= l2):
#   minimum  both > 0: a bowl, curving up in every direction
#   maximum  both < 0: a cap, curving down in every direction
#   saddle   l1 < 0 < l2: up one way, down the other
#   flat     an eigenvalue is zero (within FLAT_RTOL of the larger magnitude): a trough,
#            a ridge or a plane, where the quadratic model has a flat direction
KINDS = ("minimum", "maximum", "saddle", "flat")
FLAT_RTOL = 1e-9
FLAT_ATOL = 1e-12


@dataclass(frozen=True)
class Curvature:
    """Per-point arrays (n points): value, gradient, Hessian and its eigen-decomposition.

    Entries are NaN where the surface (or its derivatives) is not finite at a point.
    """

    value: np.ndarray  # (n,)
    gradient: np.ndarray  # (n, 2)
    hessian: np.ndarray  # (n, 2, 2)
    eigenvalues: np.ndarray  # (n, 2), ascending
    eigenvectors: np.ndarray  # (n, 2, 2): eigenvectors[k, i] is the unit vector of eigenvalue i
    kind: list[str | None]
    condition_number: np.ndarray  # (n,) max |l| / min |l|; inf where min |l| = 0
    max_stable_lr: np.ndarray  # (n,) 2 / l_max where l_max > 0, NaN elsewhere


def symmetric_eigh(
    a: np.ndarray, b: np.ndarray, c: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Eigenvalues (l1 <= l2) and unit eigenvectors (v1, v2) of [[a, b], [b, c]], elementwise.

    Returns l1, l2 of shape (n,) and v1, v2 of shape (n, 2).
    """
    a, b, c = (np.asarray(v, dtype=float) for v in (a, b, c))
    m = 0.5 * (a + c)
    r = np.hypot(0.5 * (a - c), b)
    det = a * c - b * b
    big = m + np.copysign(r, m)
    with np.errstate(divide="ignore", invalid="ignore"):
        small = np.where(big != 0.0, det / np.where(big != 0.0, big, 1.0), 0.0)
    l1 = np.minimum(big, small)
    l2 = np.maximum(big, small)
    # v2 = (cos t, sin t) with cos 2t = (a - c) / 2r, sin 2t = b / r, by half angles: exact
    # axis-aligned vectors when b = 0; any direction is an eigenvector when r = 0 (take x).
    # The larger of cos t and |sin t| comes from its half-angle formula, the other from
    # sin 2t = 2 sin t cos t, so neither loses digits to cancellation.
    with np.errstate(divide="ignore", invalid="ignore"):
        rr = np.where(r > 0, r, 1.0)
        cos2 = np.clip(np.where(r > 0, 0.5 * (a - c) / rr, 1.0), -1.0, 1.0)
        sin2 = np.where(r > 0, b / rr, 0.0)
        wide = cos2 >= 0
        big_cos = np.sqrt(0.5 * (1.0 + cos2))
        big_sin = np.copysign(np.sqrt(0.5 * (1.0 - cos2)), b)
        cos = np.where(wide, big_cos, sin2 / (2.0 * np.where(wide, 1.0, big_sin)))
        sin = np.where(wide, sin2 / (2.0 * np.where(wide, big_cos, 1.0)), big_sin)
    v2 = np.stack([cos, sin], axis=-1)
    v1 = np.stack([-sin, cos], axis=-1)
    return l1, l2, v1, v2


def classify(l1: np.ndarray, l2: np.ndarray) -> list[str | None]:
    """Name the local shape from ascending eigenvalues (vocabulary: KINDS; None if not finite)."""
    scale = np.maximum(np.abs(l1), np.abs(l2))
    zero = FLAT_ATOL + FLAT_RTOL * scale
    out: list[str | None] = []
    for lo, hi, z in zip(l1.tolist(), l2.tolist(), zero.tolist(), strict=True):
        if not (np.isfinite(lo) and np.isfinite(hi)):
            out.append(None)
        elif abs(lo) <= z or abs(hi) <= z:
            out.append("flat")
        elif lo > 0:
            out.append("minimum")
        elif hi < 0:
            out.append("maximum")
        else:
            out.append("saddle")
    return out


def curvature(surface: Surface, x: np.ndarray, y: np.ndarray) -> Curvature:
    """Everything the curvature readout shows, at each of the points (x[k], y[k])."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n = x.shape[0]
    with np.errstate(all="ignore"):
        value = np.broadcast_to(np.asarray(surface.value(x, y), dtype=float), (n,))
        gx, gy = (np.broadcast_to(np.asarray(g, dtype=float), (n,)) for g in surface.grad(x, y))
        a, b, c = (np.broadcast_to(np.asarray(h, dtype=float), (n,)) for h in surface.hessian(x, y))
        ok = np.isfinite(a) & np.isfinite(b) & np.isfinite(c)
        a, b, c = (np.where(ok, h, np.nan) for h in (a, b, c))
        l1, l2, v1, v2 = symmetric_eigh(a, b, c)
        lo, hi = np.abs(l1), np.abs(l2)
        small, large = np.minimum(lo, hi), np.maximum(lo, hi)
        cond = np.where(small > 0, large / np.where(small > 0, small, 1.0), np.inf)
        cond = np.where(ok, cond, np.nan)
        stable = np.where(l2 > 0, 2.0 / np.where(l2 > 0, l2, 1.0), np.nan)
    good_v = ok[:, None]
    return Curvature(
        value=np.where(np.isfinite(value), value, np.nan),
        gradient=np.stack([gx, gy], axis=-1),
        hessian=np.stack([np.stack([a, b], -1), np.stack([b, c], -1)], axis=-2),
        eigenvalues=np.stack([l1, l2], axis=-1),
        eigenvectors=np.stack([np.where(good_v, v1, np.nan), np.where(good_v, v2, np.nan)], 1),
        kind=classify(l1, l2),
        condition_number=cond,
        max_stable_lr=stable,
    )


# What reaching a stationary point of each kind means, for run messages.
KIND_NOTES = {
    "minimum": "a minimum (the surface curves up in every direction)",
    "maximum": "a local maximum, not a minimum (the surface curves down in every direction)",
    "saddle": "a saddle point, not a minimum (the surface curves down along one direction)",
    "flat": "a degenerate point (zero curvature along one direction): "
    "second derivatives cannot tell a minimum from a saddle",
}


def point_kind(surface: Surface, point: tuple[float, float]) -> str | None:
    """The kind (KINDS) of the surface's local shape at one point."""
    return curvature(surface, np.array([point[0]]), np.array([point[1]])).kind[0]
