"""What a 2D loss surface is: value, analytic gradient and Hessian, plus teaching metadata.

Every method takes x and y as Python floats or as numpy arrays of one shape and answers
in kind, so one call evaluates a whole contour grid or a whole batch of runs, and the
scalar engine can step a single run without numpy overhead.
"""

from dataclasses import dataclass

import numpy as np

Point = tuple[float, float]


@dataclass(frozen=True)
class SurfaceInfo:
    """Metadata shown by the API and the UI."""

    id: str
    name: str
    formula: str
    description: str
    domain: tuple[Point, Point]  # ((x_lo, x_hi), (y_lo, y_hi))
    default_start: Point
    minima: tuple[Point, ...] = ()  # every minimum in the domain, a global one first
    saddles: tuple[Point, ...] = ()
    maxima: tuple[Point, ...] = ()  # local maxima in the domain
    minimum_set: str = ""  # where the minima form a curve: its equation, as a label says it
    convex: bool = False
    log_levels: bool = False  # contour levels log-spaced: values span orders of magnitude


class Surface:
    """A differentiable 2D objective. Subclasses set ``info`` and the three methods."""

    info: SurfaceInfo

    @property
    def id(self) -> str:
        return self.info.id

    @property
    def default_start(self) -> Point:
        """Where a run starts unless told; a formula answers without its full metadata."""
        return self.info.default_start

    def value(self, x, y):
        raise NotImplementedError

    def grad(self, x, y):
        """(df/dx, df/dy)."""
        raise NotImplementedError

    def hessian(self, x, y):
        """(d2f/dx2, d2f/dxdy, d2f/dy2)."""
        raise NotImplementedError

    def value_grad(self, x, y):
        """(f, df/dx, df/dy); surfaces may share work between the two (the engine's hot path)."""
        gx, gy = self.grad(x, y)
        return self.value(x, y), gx, gy

    def undefined_at(self, x: float, y: float) -> str | None:
        """Why value or gradient are not finite at (x, y), in words; None if unknown."""
        return None

    def grid(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """z[i, j] = f(xs[j], ys[i]) by broadcasting, never a Python loop."""
        return np.asarray(self.value(xs[None, :], ys[:, None]), dtype=float)


class DataSurface(Surface):
    """A surface that is the mean loss over a fixed data set, so it has mini-batches.

    ``batch_grad(x, y, idx)`` takes parameters of shape (runs,) and sample indices of
    shape (runs, batch) and returns each run's gradient on its own mini-batch.
    """

    n_samples: int

    def batch_grad(self, x: np.ndarray, y: np.ndarray, idx: np.ndarray):
        raise NotImplementedError
