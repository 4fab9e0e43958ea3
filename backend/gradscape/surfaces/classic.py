"""Classic analytic test functions from the optimisation literature."""

from gradscape.surfaces.base import Surface, SurfaceInfo


class Quadratic(Surface):
    """f = (x^2 + y^2) / 2: Hessian = identity, so gradient descent is stable for lr < 2."""

    info = SurfaceInfo(
        id="quadratic",
        name="Quadratic bowl",
        formula="f(x, y) = (x² + y²) / 2",
        description="An isotropic convex bowl. Every direction has curvature 1, so gradient "
        "descent converges for lr < 2/λmax = 2, oscillates above 1 and diverges beyond 2.",
        domain=((-3.0, 3.0), (-3.0, 3.0)),
        default_start=(-2.5, 2.0),
        minima=((0.0, 0.0),),
        convex=True,
    )

    def value(self, x, y):
        return 0.5 * (x * x + y * y)

    def grad(self, x, y):
        return 1.0 * x, 1.0 * y

    def hessian(self, x, y):
        return 1.0 + 0.0 * x, 0.0 * x, 1.0 + 0.0 * y


class Rosenbrock(Surface):
    """f = (a - x)^2 + b (y - x^2)^2 with a = 1, b = 100 (Rosenbrock 1960)."""

    a = 1.0
    b = 100.0
    info = SurfaceInfo(
        id="rosenbrock",
        name="Rosenbrock valley",
        formula="f(x, y) = (1 − x)² + 100 (y − x²)²",
        description="A curved, narrow, flat-bottomed valley. Finding the valley is easy; "
        "following it to the minimum at (1, 1) is hard for plain gradient descent.",
        domain=((-2.0, 2.0), (-1.0, 3.0)),
        default_start=(-1.5, 2.0),
        minima=((1.0, 1.0),),
        log_levels=True,
    )

    def value(self, x, y):
        r = y - x * x
        return (self.a - x) * (self.a - x) + self.b * r * r

    def grad(self, x, y):
        r = y - x * x
        return -2.0 * (self.a - x) - 4.0 * self.b * x * r, 2.0 * self.b * r

    def hessian(self, x, y):
        return (
            2.0 - 4.0 * self.b * (y - 3.0 * x * x),
            -4.0 * self.b * x,
            2.0 * self.b + 0.0 * x,
        )
