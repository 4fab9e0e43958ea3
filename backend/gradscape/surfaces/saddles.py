"""Saddle points: stationary points that are not minima, and what they do to descent."""

from gradscape.surfaces.base import Surface, SurfaceInfo


class Saddle(Surface):
    """f = x^2 - y^2: curvature +2 along x, -2 along y."""

    info = SurfaceInfo(
        id="saddle",
        name="Saddle",
        formula="f(x, y) = x² − y²",
        description="The simplest saddle: a minimum along x and a maximum along y, with no "
        "lowest point anywhere. Started close to the x-axis, gradient descent slides toward "
        "the saddle and lingers there until its tiny y-component has grown enough to carry it "
        "away; noise and momentum shorten the wait.",
        domain=((-2.0, 2.0), (-2.0, 2.0)),
        default_start=(-1.8, 0.02),
        saddles=((0.0, 0.0),),
    )

    def value(self, x, y):
        return x * x - y * y

    def grad(self, x, y):
        return 2.0 * x, -2.0 * y

    def hessian(self, x, y):
        return 2.0 + 0.0 * x, 0.0 * x, -2.0 + 0.0 * y


class MonkeySaddle(Surface):
    """f = x^3 - 3xy^2 = Re((x + iy)^3): three valleys and three ridges meet at the origin."""

    info = SurfaceInfo(
        id="monkey_saddle",
        name="Monkey saddle",
        formula="f(x, y) = x³ − 3xy²",
        description="A degenerate saddle where three valleys meet, with gradient and Hessian "
        "both zero at the origin, so neither slope nor curvature tells a method which way is "
        "down. Runs slow to a crawl as they approach the flat centre and then pick one of the "
        "three valleys.",
        domain=((-2.0, 2.0), (-2.0, 2.0)),
        default_start=(1.5, 0.1),
        saddles=((0.0, 0.0),),
    )

    def value(self, x, y):
        return x * (x * x - 3.0 * y * y)

    def grad(self, x, y):
        return 3.0 * (x * x - y * y), -6.0 * x * y

    def hessian(self, x, y):
        return 6.0 * x, -6.0 * y, -6.0 * x
