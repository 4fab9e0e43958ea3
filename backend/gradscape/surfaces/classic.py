"""Classic analytic test functions from the optimisation literature.

Stationary points that have no closed form were found once by Newton's method from a dense
grid of starts (analytic gradient and Hessian, float64) and are written out to full precision;
the tests check that each one has a zero gradient and the claimed Hessian signature.
"""

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


class Ravine(Surface):
    """f = (x^2 + κ y^2) / 2 with κ = 25: a convex quadratic with condition number 25."""

    kappa = 25.0
    info = SurfaceInfo(
        id="ravine",
        name="Ravine (ill-conditioned bowl)",
        formula="f(x, y) = (x² + 25 y²) / 2",
        description="A bowl 25 times steeper across (y) than along (x). A learning rate small "
        "enough to be stable across the ravine (lr < 2/25) crawls along it, so gradient descent "
        "zig-zags between the walls while momentum builds speed along the floor.",
        domain=((-4.0, 4.0), (-2.0, 2.0)),
        default_start=(-3.5, 1.5),
        minima=((0.0, 0.0),),
        convex=True,
    )

    def value(self, x, y):
        return 0.5 * (x * x + self.kappa * y * y)

    def grad(self, x, y):
        return 1.0 * x, self.kappa * y

    def hessian(self, x, y):
        return 1.0 + 0.0 * x, 0.0 * x, self.kappa + 0.0 * y


class Booth(Surface):
    """f = (x + 2y - 7)^2 + (2x + y - 5)^2 (Booth): a rotated quadratic, eigenvalues 18 and 2."""

    info = SurfaceInfo(
        id="booth",
        name="Booth",
        formula="f(x, y) = (x + 2y − 7)² + (2x + y − 5)²",
        description="A convex quadratic whose long axis runs diagonally (curvatures 18 and 2). "
        "Methods that rescale each coordinate separately cannot undo a rotation, so their paths "
        "still bend, while Newton's method lands on (1, 3) in one step.",
        domain=((-10.0, 10.0), (-10.0, 10.0)),
        default_start=(-8.0, 8.0),
        minima=((1.0, 3.0),),
        convex=True,
        log_levels=True,
    )

    def value(self, x, y):
        a = x + 2.0 * y - 7.0
        b = 2.0 * x + y - 5.0
        return a * a + b * b

    def grad(self, x, y):
        return 10.0 * x + 8.0 * y - 34.0, 8.0 * x + 10.0 * y - 38.0

    def hessian(self, x, y):
        return 10.0 + 0.0 * x, 8.0 + 0.0 * x, 10.0 + 0.0 * y


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
        _, gx, gy = self.value_grad(x, y)
        return gx, gy

    def value_grad(self, x, y):
        d = self.a - x
        r = y - x * x
        br = self.b * r
        return d * d + br * r, -2.0 * d - 4.0 * x * br, 2.0 * br

    def hessian(self, x, y):
        return (
            2.0 - 4.0 * self.b * (y - 3.0 * x * x),
            -4.0 * self.b * x,
            2.0 * self.b + 0.0 * x,
        )


class Beale(Surface):
    """f = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2 (Beale 1958)."""

    info = SurfaceInfo(
        id="beale",
        name="Beale",
        formula="f(x, y) = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²",
        description="Flat plateaus next to walls where the value climbs past 10⁵. One fixed "
        "learning rate is too small for the plateau and too large for the walls, which is "
        "where per-coordinate adaptive methods such as Adam and RMSprop show their worth.",
        domain=((-4.5, 4.5), (-4.5, 4.5)),
        default_start=(1.0, 1.5),
        minima=((3.0, 0.5),),
        saddles=((0.0, 1.0), (0.1005379373241584, -2.6445135850231245)),
        log_levels=True,
    )

    def value(self, x, y):
        y2 = y * y
        a1 = 1.5 - x + x * y
        a2 = 2.25 - x + x * y2
        a3 = 2.625 - x + x * y2 * y
        return a1 * a1 + a2 * a2 + a3 * a3

    def grad(self, x, y):
        y2 = y * y
        a1 = 1.5 - x + x * y
        a2 = 2.25 - x + x * y2
        a3 = 2.625 - x + x * y2 * y
        gx = 2.0 * (a1 * (y - 1.0) + a2 * (y2 - 1.0) + a3 * (y2 * y - 1.0))
        gy = 2.0 * x * (a1 + 2.0 * y * a2 + 3.0 * y2 * a3)
        return gx, gy

    def hessian(self, x, y):
        y2 = y * y
        a1 = 1.5 - x + x * y
        a2 = 2.25 - x + x * y2
        a3 = 2.625 - x + x * y2 * y
        d1, d2, d3 = y - 1.0, y2 - 1.0, y2 * y - 1.0  # d a_i / dx
        e1, e2, e3 = x, 2.0 * x * y, 3.0 * x * y2  # d a_i / dy
        hxx = 2.0 * (d1 * d1 + d2 * d2 + d3 * d3)
        hxy = 2.0 * (e1 * d1 + e2 * d2 + e3 * d3 + a1 + 2.0 * y * a2 + 3.0 * y2 * a3)
        hyy = 2.0 * (e1 * e1 + e2 * e2 + e3 * e3 + 2.0 * x * a2 + 6.0 * x * y * a3)
        return hxx, hxy, hyy


class Himmelblau(Surface):
    """f = (x^2 + y - 11)^2 + (x + y^2 - 7)^2 (Himmelblau 1972): four minima, all f = 0."""

    info = SurfaceInfo(
        id="himmelblau",
        name="Himmelblau",
        formula="f(x, y) = (x² + y − 11)² + (x + y² − 7)²",
        description="Four equally good minima around a central hump, separated by four saddles. "
        "Which minimum a run ends in depends on where it starts and on the optimizer's "
        "momentum, not on which minimum is better.",
        domain=((-5.0, 5.0), (-5.0, 5.0)),
        default_start=(-0.5, 0.5),
        minima=(
            (3.0, 2.0),
            (-2.805118086952745, 3.131312518250573),
            (-3.779310253377747, -3.2831859912861696),
            (3.5844283403304917, -1.8481265269644036),
        ),
        # The saddles ring the local maximum at (-0.27084459066734756, -0.9230385564799816).
        saddles=(
            (3.385154183607021, 0.07385187983774928),
            (0.08667750455539634, 2.884254701174776),
            (-3.0730257507643897, -0.08135304428796751),
            (-0.12796134673068005, -1.9537149802445766),
        ),
        maxima=((-0.2708445906673476, -0.9230385564799816),),
        log_levels=True,
    )

    def value(self, x, y):
        a = x * x + y - 11.0
        b = x + y * y - 7.0
        return a * a + b * b

    def grad(self, x, y):
        a = x * x + y - 11.0
        b = x + y * y - 7.0
        return 4.0 * x * a + 2.0 * b, 2.0 * a + 4.0 * y * b

    def hessian(self, x, y):
        return 12.0 * x * x + 4.0 * y - 42.0, 4.0 * (x + y), 12.0 * y * y + 4.0 * x - 26.0


class SixHumpCamel(Surface):
    """f = (4 - 2.1x^2 + x^4/3) x^2 + xy + (4y^2 - 4) y^2 (Dixon and Szegő 1978)."""

    info = SurfaceInfo(
        id="six_hump_camel",
        name="Six-hump camel",
        formula="f(x, y) = (4 − 2.1x² + x⁴/3) x² + xy + (4y² − 4) y²",
        description="Six minima of three different depths: two global, two shallow and two "
        "high ones on the flanks. Gradient descent settles in whichever basin it starts in, so "
        "this surface shows how local minima trap a run and how momentum can carry it across.",
        domain=((-2.5, 2.5), (-1.5, 1.5)),
        default_start=(-1.5, -1.0),
        minima=(
            (0.08984201310031807, -0.7126564030207396),  # global, f = -1.0316284534898774
            (-0.08984201310031807, 0.7126564030207396),  # global
            (1.7036067149699807, -0.7960835686726251),  # f = -0.21546382438371725
            (-1.7036067149699807, 0.7960835686726251),
            (1.607104752920197, 0.5686514548841315),  # f = 2.104250310311258
            (-1.607104752920197, -0.5686514548841315),
        ),
        saddles=(
            (0.0, 0.0),
            (1.1092053368047863, -0.7682680925095399),
            (-1.1092053368047863, 0.7682680925095399),
            (1.6380679841897783, 0.228674069044394),
            (-1.6380679841897783, -0.228674069044394),
            (1.2960702671671092, 0.6050843880386585),
            (-1.2960702671671092, -0.6050843880386585),
        ),
        maxima=(
            (-1.2302298765166526, -0.16233458445899496),
            (1.2302298765166526, 0.16233458445899496),
        ),
    )

    def value(self, x, y):
        x2 = x * x
        y2 = y * y
        return (4.0 - 2.1 * x2 + x2 * x2 / 3.0) * x2 + x * y + (4.0 * y2 - 4.0) * y2

    def grad(self, x, y):
        x2 = x * x
        return 8.0 * x - 8.4 * x2 * x + 2.0 * x2 * x2 * x + y, x - 8.0 * y + 16.0 * y * y * y

    def hessian(self, x, y):
        x2 = x * x
        return 8.0 - 25.2 * x2 + 10.0 * x2 * x2, 1.0 + 0.0 * x, 48.0 * y * y - 8.0
