"""Newton's method: exact on quadratics, drawn to saddles, and a clean stop where H is singular."""

import dataclasses

import numpy as np
import pytest

from gradscape.engine import build_spec, run_batch
from gradscape.optimizers.newton import newton_step
from gradscape.surfaces import Surface, SurfaceInfo, get_surface


def _info(surface_id: str) -> SurfaceInfo:
    return SurfaceInfo(
        id=surface_id,
        name=surface_id,
        formula="",
        description="",
        domain=((-3.0, 3.0), (-3.0, 3.0)),
        default_start=(1.0, 1.0),
    )


class Trough(Surface):
    """f = x^2 + y^4: the curvature along y vanishes on the line y = 0."""

    info = _info("trough")

    def value(self, x, y):
        return x * x + y**4

    def grad(self, x, y):
        return 2.0 * x, 4.0 * y**3

    def hessian(self, x, y):
        return 2.0 + 0.0 * x, 0.0 * x, 12.0 * y * y


def run(surface: Surface | str, starts, steps=1, **kwargs):
    """One batch of Newton runs; a Surface object stands in for a registry id."""
    name = surface if isinstance(surface, str) else "quadratic"
    specs = [build_spec(name, "newton", start=s, steps=steps, **kwargs) for s in starts]
    if not isinstance(surface, str):
        specs = [dataclasses.replace(spec, surface=surface) for spec in specs]
    return run_batch(specs)


STARTS = [(-8.0, 8.0), (3.0, 3.0), (1.0, 3.0 + 1e-3), (-1e-3, 9.9)]


def test_one_step_lands_on_a_quadratics_minimum():
    """Booth: (x + 2y - 7)^2 + (2x + y - 5)^2, a rotated bowl with its minimum at (1, 3)."""
    for result in run("booth", STARTS, steps=1, tol=0.0):
        np.testing.assert_allclose(result.points[1], [1.0, 3.0], rtol=0, atol=1e-14)
        assert result.loss[1] == pytest.approx(0.0, abs=1e-27)


def test_lr_scales_the_newton_step():
    result = run("booth", [(2.0, 5.0)], steps=1, params={"lr": 0.25}, tol=0.0)[0]
    # the step is lr times the way to the minimum (1, 3)
    np.testing.assert_allclose(result.points[1], [2.0 - 0.25 * 1.0, 5.0 - 0.25 * 2.0], rtol=1e-14)


def test_plain_newton_jumps_to_the_saddle():
    """x^2 - y^2: Newton heads for where the gradient vanishes, minimum or not."""
    result = run("saddle", [(0.3, -0.4)], steps=20)[0]
    np.testing.assert_array_equal(result.points, [[0.3, -0.4], [0.0, 0.0]])
    assert result.status == "converged"  # the gradient vanishes there...
    assert result.loss[-1] == 0.0 > get_surface("saddle").value(0.0, -0.1)  # ...no minimum


def test_damping_beyond_the_negative_curvature_escapes_the_saddle():
    result = run("saddle", [(0.3, -0.4)], steps=5, params={"damping": 3.0})[0]
    # (H + 3 I) = diag(5, 1): x shrinks by 2/5 of itself, y triples every step
    np.testing.assert_allclose(result.points[-1], [0.3 * 0.6**5, -0.4 * 3.0**5], rtol=1e-12)
    assert result.loss[-1] < result.loss[0] < 0.0


def test_singular_hessian_is_a_run_status_not_a_crash():
    singular, regular = run(Trough(), [(1.0, 0.0), (1.0, 1.0)], steps=10, tol=0.0)
    assert singular.status == "singular"
    assert singular.steps_taken == 0
    assert "singular" in singular.message and "damping" in singular.message
    np.testing.assert_array_equal(singular.points, [[1.0, 0.0]])
    # the run beside it in the same batch goes on: x solved exactly, y shrinks by 1/3 a step
    assert regular.status == "completed"
    np.testing.assert_allclose(regular.points[1:, 0], 0.0, atol=1e-300)
    np.testing.assert_allclose(regular.points[:, 1], (2.0 / 3.0) ** np.arange(11), rtol=1e-12)


def test_singular_everywhere_and_damping_repairs_it():
    class Ramp(Surface):  # f = x^2 + y: no curvature at all along y
        info = _info("ramp")

        def value(self, x, y):
            return x * x + y

        def grad(self, x, y):
            return 2.0 * x, 1.0 + 0.0 * y

        def hessian(self, x, y):
            return 2.0 + 0.0 * x, 0.0 * x, 0.0 * y

    assert run(Ramp(), [(1.0, 1.0)], steps=5)[0].status == "singular"
    damped = run(Ramp(), [(1.0, 1.0)], steps=5, params={"damping": 1.0})[0]
    assert damped.status == "completed"
    np.testing.assert_allclose(damped.points[-1], [(1 / 3) ** 5, 1.0 - 5.0], rtol=1e-12)


def test_monkey_saddle_origin_is_singular():
    """x^3 - 3xy^2: the Hessian vanishes at the origin (tol=0 so the engine takes a step)."""
    result = run("monkey_saddle", [(0.0, 0.0)], steps=3, tol=0.0)[0]
    assert result.status == "singular"


def test_newton_step_against_numpy_solve():
    rng = np.random.default_rng(0)
    hessian = rng.normal(size=(50, 2, 2))
    grad = rng.normal(size=(50, 2))
    step, singular = newton_step(hessian, grad)
    assert not singular.any()
    np.testing.assert_allclose(step, np.linalg.solve(hessian, grad[..., None])[..., 0], rtol=1e-9)
    step, singular = newton_step(np.array([[[1.0, 2.0], [2.0, 4.0]]]), np.ones((1, 2)))
    assert singular.tolist() == [True] and np.isfinite(step).all()
