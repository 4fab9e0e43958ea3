"""Many local minima around one global minimum: where local methods get stuck.

Both surfaces have a dimple near every integer lattice point. Their minima, and the saddles
between neighbouring minima, have no closed form; they are refined by Newton's method at
import from the lattice points and the midpoints of the lattice edges.
"""

import math

import numpy as np

from gradscape.elementwise import cos, exp, maximum, sin, sqrt
from gradscape.surfaces.base import Point, Surface, SurfaceInfo
from gradscape.surfaces.stationary import refine_stationary

TWO_PI = 2.0 * math.pi


def _lattice(lo: float, hi: float) -> tuple[list[float], list[float]]:
    """Integers in [lo, hi] and the half-integers between them."""
    ints = [float(k) for k in range(math.ceil(lo), math.floor(hi) + 1)]
    return ints, [k + 0.5 for k in ints[:-1]]


def _stationary_points(surface: Surface, half_width: float) -> tuple[tuple, tuple, tuple]:
    """Minima near lattice points (global at the origin first), saddles near edge midpoints,
    maxima near cell centres."""
    ints, halves = _lattice(-half_width, half_width)
    ints.sort(key=abs)  # the origin first: its minimum is the global one
    minima = refine_stationary(surface, [(a, b) for a in ints for b in ints])
    saddles = refine_stationary(
        surface, [(a, b) for a in halves for b in ints] + [(a, b) for a in ints for b in halves]
    )

    maxima = refine_stationary(surface, [(a, b) for a in halves for b in halves])

    def inside(points: list[Point]) -> tuple[Point, ...]:
        return tuple(p for p in points if abs(p[0]) <= half_width and abs(p[1]) <= half_width)

    return inside(minima), inside(saddles), inside(maxima)


class Rastrigin(Surface):
    """f = 2A + x^2 - A cos(2πx) + y^2 - A cos(2πy) with A = 10 (Rastrigin 1974)."""

    A = 10.0
    HALF_WIDTH = 5.12

    def __init__(self) -> None:
        minima, saddles, maxima = _stationary_points(self, self.HALF_WIDTH)
        w = self.HALF_WIDTH
        self.info = SurfaceInfo(
            id="rastrigin",
            name="Rastrigin",
            formula="f(x, y) = 20 + x² − 10 cos 2πx + y² − 10 cos 2πy",
            description="A bowl covered in an egg-crate of ripples: 121 local minima on the "
            "plot, only the one at the origin global. A small learning rate settles in the "
            "nearest dimple; large steps or gradient noise skip over ripples and start to feel "
            "the bowl underneath.",
            domain=((-w, w), (-w, w)),
            default_start=(-3.3, 2.6),
            minima=minima,
            saddles=saddles,
            maxima=maxima,
        )

    def value(self, x, y):
        a = self.A
        return (x * x - a * cos(TWO_PI * x)) + (y * y - a * cos(TWO_PI * y)) + 2.0 * a

    def grad(self, x, y):
        k = TWO_PI * self.A
        return 2.0 * x + k * sin(TWO_PI * x), 2.0 * y + k * sin(TWO_PI * y)

    def hessian(self, x, y):
        k = TWO_PI * TWO_PI * self.A
        return 2.0 + k * cos(TWO_PI * x), 0.0 * x * y, 2.0 + k * cos(TWO_PI * y)


def _polar(x, y):
    """r = |(x, y)| and the unit vector (x, y) / r, taken as (0, 0) where r is 0."""
    r = sqrt(x * x + y * y)
    if isinstance(r, float):
        return (r, x / r, y / r) if r > 0.0 else (0.0, 0.0 * x, 0.0 * y)
    safe = np.where(r > 0.0, r, 1.0)
    return r, np.where(r > 0.0, x / safe, 0.0), np.where(r > 0.0, y / safe, 0.0)


class Ackley(Surface):
    """f = -a exp(-b √((x²+y²)/2)) - exp((cos cx + cos cy)/2) + a + e (Ackley 1987).

    a = 20, b = 0.2, c = 2π. The first term is a cone at the origin: at r = 0 its gradient
    is taken as 0 (the origin is the minimum, and 0 is in the subdifferential) and its
    curvature p(r)/r across the radius, infinite at the tip, is capped at p(0)/R_FLOOR, so
    the Hessian stays finite and positive definite within R_FLOOR of the origin.
    """

    a = 20.0
    b = 0.2
    c = TWO_PI
    HALF_WIDTH = 5.0
    R_FLOOR = 1e-8

    def __init__(self) -> None:
        minima, saddles, maxima = _stationary_points(self, self.HALF_WIDTH)
        w = self.HALF_WIDTH
        self.info = SurfaceInfo(
            id="ackley",
            name="Ackley",
            formula="f(x, y) = −20 exp(−0.2 √(½(x² + y²))) − exp(½(cos 2πx + cos 2πy)) + e + 20",
            description="A nearly flat plate pitted with a grid of dimples, with a deep "
            "funnel at the origin whose tip is a sharp cone (no gradient or Hessian exactly "
            "there). Away from the centre the gradient mostly points into the nearest dimple, "
            "so local methods stall unless their steps are long or noisy enough to hop out.",
            domain=((-w, w), (-w, w)),
            default_start=(3.6, -2.3),
            minima=minima,
            saddles=saddles,
            maxima=maxima,
        )

    def value(self, x, y):
        rho = sqrt(0.5 * (x * x + y * y))
        ripple = exp(0.5 * (cos(self.c * x) + cos(self.c * y)))
        return self.a * (1.0 - exp(-self.b * rho)) + (math.e - ripple)

    def _cone_slope(self, r):
        """p(r) = d/dr of the cone term -a exp(-b r/√2)."""
        k = self.b * math.sqrt(0.5)
        return self.a * k * exp(-k * r)

    def grad(self, x, y):
        r, ux, uy = _polar(x, y)
        p = self._cone_slope(r)
        cx, cy = self.c * x, self.c * y
        ripple = exp(0.5 * (cos(cx) + cos(cy)))
        k = 0.5 * self.c * ripple
        return p * ux + k * sin(cx), p * uy + k * sin(cy)

    def hessian(self, x, y):
        r, ux, uy = _polar(x, y)
        p = self._cone_slope(r)
        q = -self.b * math.sqrt(0.5) * p  # d2/dr2 of the cone term
        across = p / maximum(r, self.R_FLOOR)  # curvature across the radius: p(r) / r
        cx, cy = self.c * x, self.c * y
        sx, sy = sin(cx), sin(cy)
        ripple = exp(0.5 * (cos(cx) + cos(cy)))
        k = 0.5 * self.c * self.c * ripple
        hxx = q * ux * ux + across * (1.0 - ux * ux) + k * (cos(cx) - 0.5 * sx * sx)
        hxy = (q - across) * ux * uy - 0.5 * k * sx * sy
        hyy = q * uy * uy + across * (1.0 - uy * uy) + k * (cos(cy) - 0.5 * sy * sy)
        return hxx, hxy, hyy
