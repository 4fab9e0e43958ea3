"""Stationary points grouped into what runs can end at: isolated points, and connected sets.

Where the Hessian is singular along a whole curve (the two-layer linear network's hyperbola
w1 * w2 = 1 of minima), the stationary-point finder returns one point per start that landed
on the curve: a hundred "degenerate" points that are one valley. Here degenerate points at
one value that chain together (each within LINK_FRACTION of the domain's diagonal of the
next) form one set, and listed points lying on it join it. Every curve at the surface's
lowest value is one set, the global minima (however many pieces the domain cuts them into).

A degenerate point or set at the lowest (highest) value on the domain is a minimum (maximum)
of a flat-bottomed kind: no point is lower. A curve elsewhere is a valley of (local) minima
when the Hessian's other eigenvalue is positive all along it (a ridge of maxima when
negative): flat along the curve, curving up across it (a Morse-Bott critical curve).
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gradscape.surfaces.base import Point, Surface

# The finder's grid of starts leaves gaps between the points it finds along a curve: 2% of
# the diagonal on deep_linear's minima (0.12 of 5.7), up to 7% on a ring of local minima or
# maxima, which Newton's method reaches from fewer starts. 10% bridges them; two distinct
# curves at one value are rarely that close.
LINK_FRACTION = 0.1
MIN_CURVE_POINTS = 3  # fewer degenerate points together are points, not a curve
# A set's members are thinned to one per this fraction of the diagonal: a run's distance to
# the set then errs by at most that much, and a curve is a few hundred points, not thousands.
THIN_FRACTION = 0.005
# Across a valley the Hessian's trace must exceed this fraction of its typical size on the
# domain: (r² - 1)³ is flat on the unit circle to second order (trace ~ 1e-12), no valley.
CURVATURE_TOLERANCE = 1e-6
# Two stationary values are "the same" within this fraction of the surface's range of values
# on its domain (deep_linear: 1e-8 x 26; its curve's points are within 1e-30 of 0).
VALUE_TOLERANCE = 1e-8
LEVEL_GRID = 41  # points per axis of the grid that measures the surface's range of values
FLAT = {"minimum": "flat-bottomed ", "maximum": "flat-topped "}  # a degenerate one's label


@dataclass(frozen=True)
class StationarySet:
    """One attractor: a stationary point, or a connected set of them at one value."""

    point: Point  # a listed point on it if there is one, else its member nearest the centre
    kind: str  # minimum, saddle, maximum or degenerate
    value: float
    members: tuple[Point, ...]  # the stationary points found on it; (point,) if isolated
    degenerate: bool  # the Hessian is singular there (flat in some direction)
    label: str
    tol: float = 0.0  # values within tol of value are the same value (see levels)
    lowest: bool = False  # a set at the surface's lowest value: every point at it is on it

    @property
    def is_curve(self) -> bool:
        return len(self.members) > 1


@dataclass(frozen=True)
class Levels:
    """The surface's lowest and highest value on its domain, when two values are equal, and
    the typical size of its Hessian there."""

    low: float
    high: float
    tol: float
    curvature: float


def levels(surface: Surface, domain, values: np.ndarray) -> Levels:
    """Lowest and highest value over a grid of the domain and the stationary values."""
    (x0, x1), (y0, y1) = domain
    xs, ys = np.linspace(x0, x1, LEVEL_GRID)[None, :], np.linspace(y0, y1, LEVEL_GRID)[:, None]
    with np.errstate(all="ignore"):
        z = np.asarray(surface.value(xs, ys), dtype=float).ravel()
        hxx, hxy, hyy = (
            np.broadcast_to(h, (LEVEL_GRID, LEVEL_GRID)) for h in surface.hessian(xs, ys)
        )
        size = np.sqrt(hxx * hxx + 2.0 * hxy * hxy + hyy * hyy)
    size = size[np.isfinite(size)]
    curvature = float(np.median(size)) if size.size else 0.0
    z = np.concatenate([z[np.isfinite(z)], values[np.isfinite(values)]])
    if z.size == 0:
        return Levels(0.0, 0.0, 0.0, curvature)
    low, high = float(z.min()), float(z.max())
    return Levels(low, high, VALUE_TOLERANCE * max(high - low, abs(low), 1e-300), curvature)


def _components(linked: np.ndarray) -> np.ndarray:
    """Connected-component label of each node of a symmetric boolean adjacency matrix."""
    n = len(linked)
    label = np.full(n, -1)
    for seed in range(n):
        if label[seed] >= 0:
            continue
        label[seed] = seed
        frontier = [seed]
        while frontier:
            nxt = np.flatnonzero(linked[frontier].any(axis=0) & (label < 0))
            label[nxt] = seed
            frontier = nxt.tolist()
    return label


def _thin(xy: np.ndarray, order: Sequence[int], spacing: float) -> tuple[Point, ...]:
    """The points xy[order], skipping each one within ``spacing`` of one already kept."""
    kept: list[int] = []
    for i in dict.fromkeys(int(i) for i in order):
        if not kept or np.hypot(*(xy[kept] - xy[i]).T).min() > spacing:
            kept.append(i)
    return tuple((float(xy[i, 0]), float(xy[i, 1])) for i in kept)


def _kind(kind: str, value: float, lv: Levels, trace: np.ndarray | None = None) -> str:
    """A degenerate point's kind from its value: flat-bottomed minimum, flat-topped maximum;
    a curve's also from the Hessian's trace along it (``trace``): a valley or a ridge."""
    if kind != "degenerate":
        return kind
    if value <= lv.low + lv.tol:
        return "minimum"
    if value >= lv.high - lv.tol:
        return "maximum"
    if trace is not None:
        bend = CURVATURE_TOLERANCE * lv.curvature
        if np.all(trace > bend):
            return "minimum"
        if np.all(trace < -bend):
            return "maximum"
    return kind


def _label(kind: str, point: Point, value: float, curves: int, flat: bool, name: str) -> str:
    """'minimum (3, 2)', 'flat-bottomed minimum (0, 0)', 'the curve of minima w₁·w₂ = 1',
    'a curve of minima at 0', '2 curves of minima at 0' (``curves``: how many pieces)."""
    if curves:
        what = {"minimum": "minima", "maximum": "maxima"}.get(kind, "degenerate stationary points")
        if name:
            return f"the curve of {what} {name}"
        return f"{'a curve' if curves == 1 else f'{curves} curves'} of {what} at {value:.4g}"
    shape = FLAT.get(kind, "") if flat else ""
    return f"{shape}{kind} ({point[0]:.4g}, {point[1]:.4g})"


def group_stationary(
    points: Sequence[tuple[Point, str]],
    surface: Surface,
    domain: tuple[Point, Point],
    minimum_set: str = "",
) -> list[StationarySet]:
    """Isolated stationary points and connected degenerate sets, in the order of ``points``
    (each set where its first point was). ``points``: (point, kind), listed ones first.
    ``minimum_set`` names the surface's curve of minima in words ("w₁·w₂ = 1"), if known.
    """
    if not points:
        return []
    xy = np.array([p for p, _ in points], dtype=float)
    kinds = [k for _, k in points]
    with np.errstate(all="ignore"):
        values = np.broadcast_to(
            np.asarray(surface.value(xy[:, 0], xy[:, 1]), dtype=float), (len(xy),)
        )
    lv = levels(surface, domain, values)
    (x0, x1), (y0, y1) = domain
    diag = float(np.hypot(x1 - x0, y1 - y0))
    link = LINK_FRACTION * diag
    near = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1]) <= link
    same = np.abs(values[:, None] - values[None, :]) <= lv.tol
    degenerate = np.array([k == "degenerate" for k in kinds])
    with np.errstate(all="ignore"):
        hxx, _, hyy = (np.broadcast_to(h, (len(xy),)) for h in surface.hessian(xy[:, 0], xy[:, 1]))
    trace = hxx + hyy
    group = _components(near & same & degenerate[:, None] & degenerate[None, :])
    sizes = np.bincount(group, minlength=len(xy))
    curve = degenerate & (sizes[group] >= MIN_CURVE_POINTS)
    group[~curve] = len(xy) + np.flatnonzero(~curve)  # every other point is its own
    # A listed point on a curve (deep_linear lists two examples of its minima) joins it.
    for i in np.flatnonzero(~curve):
        on = np.flatnonzero(curve & near[i] & same[i])
        if on.size:
            group[i] = group[on[0]]
    pieces = {int(g): 1 for g in group[curve]}
    at_low = curve & (values <= lv.low + lv.tol)
    if at_low.any():  # every curve of global minima is one set: the minimum set
        first = int(group[np.flatnonzero(at_low)[0]])
        merged = set(group[at_low].tolist())
        group[np.isin(group, list(merged))] = first
        pieces[first] = len(merged)
    out = []
    for g in dict.fromkeys(group.tolist()):  # groups in order of first appearance
        idx = np.flatnonzero(group == g)
        is_curve = bool(curve[idx].any())
        flat = bool(degenerate[idx].any())
        listed = [i for i in idx if not degenerate[i]]
        if listed or not is_curve:
            rep = int(listed[0] if listed else idx[0])
        else:
            centre = xy[idx].mean(axis=0)
            rep = int(idx[np.argmin(np.hypot(*(xy[idx] - centre).T))])
        if is_curve:
            kind = _kind("degenerate", float(values[rep]), lv, trace[idx[degenerate[idx]]])
        else:
            kind = _kind(kinds[rep], float(values[rep]), lv)
        lowest = is_curve and float(values[rep]) <= lv.low + lv.tol
        name = minimum_set if lowest else ""
        point = (float(xy[rep, 0]), float(xy[rep, 1]))
        value = float(values[rep])
        shown = 0.0 if abs(value) <= lv.tol else value  # not "at 4.63e-37"
        out.append(
            StationarySet(
                point=point,
                kind=kind,
                value=value,
                members=_thin(xy, [rep, *idx], THIN_FRACTION * diag) if is_curve else (point,),
                degenerate=flat,
                label=_label(kind, point, shown, pieces.get(int(g), 0), flat, name),
                tol=lv.tol,
                lowest=lowest,
            )
        )
    return out
