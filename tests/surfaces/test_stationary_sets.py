"""Stationary points grouped into attractors, checked against closed forms: curves of
degenerate points at one value are one set; isolated points stay points."""

import numpy as np
import pytest

from gradscape.engine.sweep import stationary_points
from gradscape.surfaces import SURFACES
from gradscape.surfaces.formula.surface import FormulaSurface
from gradscape.surfaces.stationary_sets import group_stationary

CURVE_OF_MINIMA = {"deep_linear"}


def radii(s) -> np.ndarray:
    return np.hypot(*np.array(s.members).T)


@pytest.mark.parametrize("surface", list(SURFACES.values()), ids=lambda s: s.id)
def test_built_in_surfaces_keep_their_listed_points_first_and_isolated(surface):
    sets = stationary_points(surface)
    listed = [(p, "minimum") for p in surface.info.minima]
    listed += [(p, "saddle") for p in surface.info.saddles]
    if surface.id in CURVE_OF_MINIMA:  # its listed minima are two points of one curve
        assert [s.kind for s in sets] == ["minimum", "saddle"]
        assert set(surface.info.minima) <= set(sets[0].members)
        return
    assert all(s.members == (s.point,) for s in sets)
    assert [(s.point, s.kind) for s in sets[: len(listed)]] == listed
    for s in sets:
        assert s.value == pytest.approx(float(surface.value(*s.point)), abs=1e-12)
        if s.kind in ("minimum", "saddle", "maximum"):
            assert not s.degenerate, s


def test_a_ring_of_minima_is_one_set_on_the_unit_circle():
    (centre, ring) = stationary_points(FormulaSurface("(x^2 + y^2 - 1)^2"))
    assert (centre.kind, centre.point, centre.label) == ("maximum", (0.0, 0.0), "maximum (0, 0)")
    assert ring.kind == "minimum" and ring.degenerate and ring.label == "a curve of minima at 0"
    assert len(ring.members) > 100
    np.testing.assert_allclose(radii(ring), 1.0, atol=1e-9)
    angles = np.sort(np.arctan2(*np.array(ring.members).T[::-1]))
    assert np.diff(angles).max() < 0.2  # all the way round
    assert ring.point in ring.members


def test_two_rings_at_the_lowest_value_are_one_set_of_global_minima():
    sets = stationary_points(FormulaSurface("(x^2 + y^2 - 4)^2 * (x^2 + y^2 - 1)^2"))
    (minima,) = [s for s in sets if s.kind == "minimum"]
    assert minima.label == "2 curves of minima at 0"
    r = radii(minima)
    assert np.all(np.isclose(r, 1.0, atol=1e-9) | np.isclose(r, 2.0, atol=1e-9))
    assert np.isclose(r, 1.0).sum() > 20 and np.isclose(r, 2.0).sum() > 20


def test_a_ring_of_maxima_and_a_ring_at_neither_extreme():
    ridge = [s for s in stationary_points(FormulaSurface("-(x^2 + y^2 - 1)^2")) if s.is_curve]
    assert [(s.kind, s.label) for s in ridge] == [("maximum", "a curve of maxima at 0")]
    # (r^2 - 1)^3 is flat on the unit circle but lower inside it, higher outside: no extreme.
    (flat,) = [s for s in stationary_points(FormulaSurface("(x^2 + y^2 - 1)^3")) if s.is_curve]
    assert flat.kind == "degenerate"
    assert flat.label == "a curve of degenerate stationary points at 0"
    np.testing.assert_allclose(radii(flat), 1.0, atol=1e-6)


def test_isolated_degenerate_points_are_minima_only_at_the_lowest_value():
    (bowl,) = stationary_points(FormulaSurface("x^4 + y^2"))  # flat-bottomed: x^4
    assert bowl.kind == "minimum" and bowl.degenerate and bowl.members == (bowl.point,)
    assert bowl.label.startswith("flat-bottomed minimum (")
    assert abs(bowl.point[0]) < 1e-4 and bowl.point[1] == 0
    (monkey,) = stationary_points(FormulaSurface("x^3 - 3*x*y^2"))  # lower values beside it
    assert monkey.kind == "degenerate" and monkey.degenerate


def test_two_degenerate_points_are_not_a_curve():
    quartic = FormulaSurface("x^4 + y^4")
    points = [((0.0, 0.0), "degenerate"), ((0.1, 0.0), "degenerate")]
    sets = group_stationary(points, quartic, quartic.info.domain)
    assert [s.members for s in sets] == [((0.0, 0.0),), ((0.1, 0.0),)]
    assert [s.kind for s in sets] == ["minimum", "degenerate"]  # only the first is lowest


def test_rings_of_local_minima_and_maxima_are_told_apart_by_the_curvature_across():
    """f = g(r²), g(s) = (s - 1)²(s - 4)² - 0.1 (s - 1)³: g'(s) = 0 at s = 1 and at the roots
    of 4s² - 26.3s + 40.3, so three rings: a valley of local minima at r = 1 (g = 0), a ridge
    of maxima, and the global minima, lower, on the outer ring."""
    surface = FormulaSurface("(x^2+y^2-1)^2*(x^2+y^2-4)^2 - 0.1*(x^2+y^2-1)^3")
    s_mid, s_out = sorted(np.roots([4.0, -26.3, 40.3]))
    g = (s_out - 1) ** 2 * (s_out - 4) ** 2 - 0.1 * (s_out - 1) ** 3
    rings = {s.label: s for s in stationary_points(surface) if s.is_curve}
    assert len(rings) == 3
    outer = rings[f"a curve of minima at {g:.4g}"]
    assert outer.lowest and outer.kind == "minimum" and outer.value == pytest.approx(g)
    np.testing.assert_allclose(radii(outer), np.sqrt(s_out), rtol=1e-7)  # finder: ~3e-9
    valley = rings["a curve of minima at 0"]
    assert valley.kind == "minimum" and not valley.lowest
    np.testing.assert_allclose(radii(valley), 1.0, rtol=1e-7)
    (ridge,) = [s for s in rings.values() if s.kind == "maximum"]
    np.testing.assert_allclose(radii(ridge), np.sqrt(s_mid), rtol=1e-7)
