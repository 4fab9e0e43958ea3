"""The stationary-point finder against every built-in surface's listed points."""

import numpy as np
import pytest

from gradscape.surfaces import SURFACES, DataSurface, get_surface
from gradscape.surfaces.formula.surface import FormulaSurface
from gradscape.surfaces.stationary_finder import find_stationary_points

ANALYTIC = [s for s in SURFACES.values() if not isinstance(s, DataSurface)]
CURVE_OF_MINIMA = {"deep_linear"}  # its listed minima are examples from a curve


def nearest(points, x, y):
    d = [np.hypot(p.x - x, p.y - y) for p in points]
    i = int(np.argmin(d))
    return points[i], d[i]


@pytest.mark.parametrize("surface", list(SURFACES.values()), ids=lambda s: s.id)
def test_finder_recovers_every_listed_minimum_and_saddle(surface):
    (x0, x1), (y0, y1) = surface.info.domain
    found = find_stationary_points(surface, surface.info.domain)
    scale = max(x1 - x0, y1 - y0)
    listed = [(p, "minimum") for p in surface.info.minima if surface.id not in CURVE_OF_MINIMA]
    listed += [(p, "saddle") for p in surface.info.saddles]
    assert listed
    for (x, y), kind in listed:
        if not (x0 <= x <= x1 and y0 <= y <= y1):
            continue
        p, d = nearest(found, x, y)
        assert d <= 1e-6 * scale, (surface.id, kind, (x, y), p)
        # The monkey saddle's Hessian vanishes there: a degenerate stationary point.
        assert p.kind == kind or (kind == "saddle" and p.kind == "degenerate"), (p, kind)
    # Nothing found is spurious: every point has a zero gradient.
    for p in found:
        gx, gy = surface.grad(p.x, p.y)
        g_scale = 1.0 + abs(p.value)
        assert np.hypot(gx, gy) <= 1e-6 * g_scale, p


def test_classification_by_hessian_eigenvalues():
    s = FormulaSurface("x^3 - 3*x + y^3 - 3*y")  # stationary at x, y = +-1
    kinds = {(round(p.x), round(p.y)): p.kind for p in s.stationary_points}
    assert kinds == {(1, 1): "minimum", (-1, -1): "maximum", (1, -1): "saddle", (-1, 1): "saddle"}
    flat = FormulaSurface("x^4 + y^2")
    (p,) = flat.stationary_points
    assert p.kind == "degenerate" and abs(p.x) < 1e-4 and p.y == 0


def test_typed_beale_has_the_built_in_stationary_points():
    beale = get_surface("beale")
    typed = FormulaSurface(
        "(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2", *beale.info.domain
    )
    np.testing.assert_allclose(typed.info.minima, beale.info.minima, atol=1e-12)
    np.testing.assert_allclose(sorted(typed.info.saddles), sorted(beale.info.saddles), atol=1e-12)
    assert typed.points_of_kind("maximum") == () and typed.points_of_kind("degenerate") == ()
