"""A typed formula as one more Surface: exact derivatives, metadata found numerically."""

import math
from functools import cached_property, lru_cache

import numpy as np

from gradscape.surfaces.base import Point, Surface, SurfaceInfo
from gradscape.surfaces.formula.parse import FormulaError, parse
from gradscape.surfaces.formula.tape import Tape
from gradscape.surfaces.formula.text import gradient_text, to_text
from gradscape.surfaces.stationary_finder import StationaryPoint, find_stationary_points

DEFAULT_RANGE = (-3.0, 3.0)
MAX_EXTENT = 1e6
Range = tuple[float, float]


class FormulaSurface(Surface):
    """f(x, y) given as text; equal when the normalised text and the ranges are equal."""

    def __init__(
        self, expression: str, x_range: Range = DEFAULT_RANGE, y_range: Range = DEFAULT_RANGE
    ):
        self.tree = parse(expression)
        self.expression = to_text(self.tree)
        self.tape = Tape(self.tree)
        self.x_range = (float(x_range[0]), float(x_range[1]))
        self.y_range = (float(y_range[0]), float(y_range[1]))
        self.key = (self.expression, self.x_range, self.y_range)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FormulaSurface) and other.key == self.key

    def __hash__(self) -> int:
        return hash(self.key)

    def __repr__(self) -> str:
        return f"FormulaSurface({self.expression!r}, {self.x_range}, {self.y_range})"

    # --- the Surface interface

    def value(self, x, y):
        return self.tape.evaluate(x, y, 0)[0]

    def grad(self, x, y):
        _, gx, gy = self.tape.evaluate(x, y, 1)
        return gx, gy

    def value_grad(self, x, y):
        return self.tape.evaluate(x, y, 1)

    def hessian(self, x, y):
        return self.tape.evaluate(x, y, 2)[3:]

    def grad_hessian(self, x, y):
        """(gx, gy, hxx, hxy, hyy) from one second-order pass (the stationary finder's)."""
        return self.tape.evaluate(x, y, 2)[1:]

    def grid(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        return self.value(
            np.asarray(xs, dtype=float)[None, :], np.asarray(ys, dtype=float)[:, None]
        )

    def undefined_at(self, x: float, y: float) -> str | None:
        return self.tape.explain(x, y)

    # --- metadata

    @cached_property
    def stationary_points(self) -> list[StationaryPoint]:
        return find_stationary_points(self, (self.x_range, self.y_range))

    def points_of_kind(self, kind: str) -> tuple[Point, ...]:
        return tuple((p.x, p.y) for p in self.stationary_points if p.kind == kind)

    @cached_property
    def gradient_text(self) -> tuple[str, str]:
        return gradient_text(self.tree)

    @cached_property
    def info(self) -> SurfaceInfo:  # type: ignore[override]
        return SurfaceInfo(
            id="custom",
            name="Custom formula",
            formula=f"f(x, y) = {self.expression}",
            description="Your own formula, with exact gradients and Hessians; its stationary "
            "points were found by Newton's method from a grid of starts.",
            domain=(self.x_range, self.y_range),
            default_start=self.default_start,
            minima=self.points_of_kind("minimum"),
            saddles=self.points_of_kind("saddle"),
            maxima=self.points_of_kind("maximum"),
            log_levels=self.log_levels,
        )

    @cached_property
    def _coarse(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        xs = np.linspace(*self.x_range, 41)
        ys = np.linspace(*self.y_range, 41)
        return xs, ys, self.grid(xs, ys)

    @cached_property
    def default_start(self) -> Point:
        """Near the upper-left corner, or the nearest point to it where f is defined."""
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        want = (float(f"{x0 + 0.2 * (x1 - x0):.12g}"), float(f"{y0 + 0.8 * (y1 - y0):.12g}"))
        f, gx, gy = self.value_grad(*want)
        if math.isfinite(f) and math.isfinite(gx) and math.isfinite(gy):
            return want
        xs, ys, _ = self._coarse
        gxs, gys = np.meshgrid(xs, ys)
        with np.errstate(all="ignore"):
            v, dx, dy = self.value_grad(gxs, gys)
        ok = np.isfinite(v) & np.isfinite(dx) & np.isfinite(dy)
        if not ok.any():
            return want
        dist = np.hypot(gxs - want[0], gys - want[1])
        i = int(np.argmin(np.where(ok, dist, np.inf)))
        return float(gxs.flat[i]), float(gys.flat[i])

    @cached_property
    def log_levels(self) -> bool:
        """Log-spaced contours when the values are non-negative and span orders of magnitude."""
        z = self._coarse[2]
        z = z[np.isfinite(z)]
        if z.size == 0 or z.min() < 0:
            return False
        spread = z - z.min()
        # Calibrated on the built-in surfaces: Booth, Rosenbrock, Beale and Himmelblau (max
        # 7.6 to 415 times the median) have log levels; the quadratics (3 to 4 times) do not.
        return bool(spread.max() > 7.5 * max(np.median(spread), 1e-300))


@lru_cache(maxsize=128)
def formula_surface(expression: str, x_range: Range, y_range: Range) -> FormulaSurface:
    """The surface for a formula and ranges, built once and shared (runs of it group together)."""
    for name, (lo, hi) in (("x_range", x_range), ("y_range", y_range)):
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise FormulaError(f"{name} must be [low, high] with low < high", None, name)
        if max(abs(lo), abs(hi)) > MAX_EXTENT:
            raise FormulaError(f"{name} must lie within ±{MAX_EXTENT:g}", None, name)
    return FormulaSurface(expression, x_range, y_range)
