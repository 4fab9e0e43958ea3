"""Stationary points of any surface, found numerically: Newton from a grid of starts.

Newton's method on the gradient is attracted to every kind of stationary point (minima,
maxima and saddles alike), so a grid of starts over the domain, iterated as one vectorised
batch, finds them all once the grid is finer than their basins. Converged points are
deduplicated and classified by the Hessian's eigenvalues.
"""

from dataclasses import dataclass

import numpy as np

from gradscape.surfaces.base import Surface

KINDS = ("minimum", "saddle", "maximum", "degenerate")
MAX_POINTS = 400  # found points returned at most (minima first)


@dataclass(frozen=True)
class StationaryPoint:
    x: float
    y: float
    kind: str  # minimum, saddle, maximum or degenerate (a zero Hessian eigenvalue)
    value: float
    eigenvalues: tuple[float, float]


def _starts(domain, n: int) -> tuple[np.ndarray, np.ndarray]:
    """An n x n grid over the closed domain, edges included (points near them have starts)."""
    (x0, x1), (y0, y1) = domain
    xs = np.linspace(x0, x1, n)
    ys = np.linspace(y0, y1, n)
    gx, gy = np.meshgrid(xs, ys)
    return gx.ravel(), gy.ravel()


def _grad_hessian(surface: Surface, x: np.ndarray, y: np.ndarray) -> tuple:
    """Gradient and Hessian; in one pass where the surface offers it (a formula does)."""
    both = getattr(surface, "grad_hessian", None)
    if both is not None:
        return both(x, y)
    return (*surface.grad(x, y), *surface.hessian(x, y))


def _eigenvalues(hxx, hxy, hyy) -> tuple[np.ndarray, np.ndarray]:
    mean = 0.5 * (hxx + hyy)
    radius = np.hypot(0.5 * (hxx - hyy), hxy)
    return mean - radius, mean + radius


def find_stationary_points(
    surface: Surface,
    domain: tuple[tuple[float, float], tuple[float, float]],
    starts_per_axis: int = 41,  # odd: the centre of the domain is one of the starts
    iterations: int = 60,
    max_points: int = MAX_POINTS,
) -> list[StationaryPoint]:
    """Every stationary point Newton reaches from a grid of starts, inside the domain.

    Sorted minima first (lowest value first), then saddles, maxima and degenerate points.
    """
    (x0, x1), (y0, y1) = domain
    width, height = x1 - x0, y1 - y0
    x, y = _starts(domain, starts_per_axis)
    with np.errstate(all="ignore"):
        gx, gy = (np.asarray(g, dtype=float) for g in surface.grad(x, y))
        hxx, hxy, hyy = (np.broadcast_to(h, x.shape) for h in surface.hessian(x, y))
    gnorm = np.hypot(gx, gy)
    finite = np.isfinite(gnorm)
    g_scale = float(np.median(gnorm[finite])) if finite.any() else 1.0
    h_norm = np.sqrt(hxx * hxx + 2.0 * hxy * hxy + hyy * hyy)
    h_finite = np.isfinite(h_norm)
    h_scale = float(np.median(h_norm[h_finite])) if h_finite.any() else 1.0
    step_tol = 1e-13 * max(width, height)

    done_x: list[np.ndarray] = []
    done_y: list[np.ndarray] = []
    with np.errstate(all="ignore"):
        for _ in range(iterations):
            if x.size == 0:
                break
            gx, gy, hxx, hxy, hyy = _grad_hessian(surface, x, y)
            det = hxx * hyy - hxy * hxy
            dx = (hyy * gx - hxy * gy) / det
            dy = (hxx * gy - hxy * gx) / det
            nx, ny = x - dx, y - dy
            alive = (
                np.isfinite(nx)
                & np.isfinite(ny)
                & (np.abs(nx - 0.5 * (x0 + x1)) <= width)
                & (np.abs(ny - 0.5 * (y0 + y1)) <= height)
            )
            settled = alive & (np.abs(dx) <= step_tol) & (np.abs(dy) <= step_tol)
            done_x.append(nx[settled])
            done_y.append(ny[settled])
            moving = alive & ~settled
            x, y = nx[moving], ny[moving]
        # Runs still moving after all iterations converge linearly (degenerate points).
        done_x.append(x)
        done_y.append(y)
        px, py = np.concatenate(done_x), np.concatenate(done_y)
        inside = (
            (px >= x0 - 1e-9 * width)
            & (px <= x1 + 1e-9 * width)
            & (py >= y0 - 1e-9 * height)
            & (py <= y1 + 1e-9 * height)
        )
        px, py = px[inside], py[inside]
        gx, gy = (np.asarray(g, dtype=float) for g in surface.grad(px, py))
        g = np.broadcast_to(np.hypot(gx, gy), px.shape)
        stationary = np.isfinite(g) & (g <= 1e-8 * max(g_scale, 1e-300) + 1e-12)
        px, py, g = px[stationary], py[stationary], g[stationary]
    return _classify(surface, *_dedupe(px, py, g, 1e-5 * np.hypot(width, height)), h_scale)[
        :max_points
    ]


def _dedupe(px: np.ndarray, py: np.ndarray, g: np.ndarray, radius: float):
    """One point per cluster: the one with the smallest gradient."""
    order = np.argsort(g, kind="stable")
    kept_x: list[float] = []
    kept_y: list[float] = []
    for i in order:
        xi, yi = float(px[i]), float(py[i])
        if kept_x:
            d = np.hypot(np.asarray(kept_x) - xi, np.asarray(kept_y) - yi)
            if d.min() <= radius:
                continue
        kept_x.append(xi)
        kept_y.append(yi)
    return np.asarray(kept_x), np.asarray(kept_y)


def _classify(
    surface: Surface, px: np.ndarray, py: np.ndarray, h_scale: float
) -> list[StationaryPoint]:
    if px.size == 0:
        return []
    with np.errstate(all="ignore"):
        values = np.broadcast_to(np.asarray(surface.value(px, py), dtype=float), px.shape)
        hxx, hxy, hyy = (np.broadcast_to(h, px.shape) for h in surface.hessian(px, py))
    lo, hi = _eigenvalues(hxx, hxy, hyy)
    tol = 1e-8 * max(h_scale, 1.0)
    points = []
    for i in range(px.size):
        a, b = float(lo[i]), float(hi[i])
        if a > tol:
            kind = "minimum"
        elif b < -tol:
            kind = "maximum"
        elif a < -tol and b > tol:
            kind = "saddle"
        else:
            kind = "degenerate"
        points.append(StationaryPoint(float(px[i]), float(py[i]), kind, float(values[i]), (a, b)))
    points.sort(key=lambda p: (KINDS.index(p.kind), p.value, p.x, p.y))
    return points
