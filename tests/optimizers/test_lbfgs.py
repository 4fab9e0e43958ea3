"""L-BFGS: Rosenbrock in a few dozen iterations, checked against scipy; memory and line search."""

import numpy as np
import pytest
from scipy.optimize import minimize, rosen, rosen_der

from gradscape.engine import build_spec, run_batch, run_one
from gradscape.engine.problem import SurfaceProblem
from gradscape.optimizers.lbfgs import LBFGS, strong_wolfe
from gradscape.surfaces import get_surface

START = (-1.5, 2.0)


def rosenbrock_run(steps: int = 200, **params):
    return run_one(
        build_spec("rosenbrock", "lbfgs", params=params, start=START, steps=steps, tol=0.0)
    )


def test_reaches_rosenbrocks_minimum_in_well_under_100_iterations():
    result = rosenbrock_run()  # the defaults
    assert result.status == "converged"
    assert result.steps_taken < 60
    np.testing.assert_allclose(result.points[-1], [1.0, 1.0], rtol=0, atol=1e-6)


def test_torch_defaults_stop_a_few_microns_short():
    """torch's default tolerance_change=1e-9 stops once g.d > -1e-9, here 2.7e-6 from (1, 1)."""
    result = rosenbrock_run(tolerance_change=1e-9)
    assert result.status == "converged"
    assert result.steps_taken == 40  # as torch.optim.LBFGS, see the torch fixture
    np.testing.assert_allclose(result.points[-1], [1.0, 1.0], rtol=0, atol=3e-6)


def test_agrees_with_scipy_lbfgs():
    ours = rosenbrock_run(tolerance_change=1e-12)
    scipy = minimize(rosen, START, jac=rosen_der, method="L-BFGS-B")
    assert scipy.success
    np.testing.assert_allclose(ours.points[-1], scipy.x, rtol=0, atol=1e-6)
    # the same family of method: iteration counts within a third of each other (41 vs 43)
    assert abs(ours.steps_taken - scipy.nit) <= scipy.nit / 3
    assert ours.loss[-1] < 1e-12 and scipy.fun < 1e-12


def test_history_size_bounds_the_memory_to_the_latest_pairs():
    problem = SurfaceProblem(get_surface("rosenbrock"))
    hyper = LBFGS.resolve({"history_size": 3})
    params = np.array([START])
    state = LBFGS.init(params, hyper)
    points, grads = [params[0]], [problem.grad(params)[0]]
    for step in range(1, 16):
        params, state = LBFGS.update(params, problem.grad(params), state, step, 1.0, hyper, problem)
        points.append(params[0])
        grads.append(problem.grad(params)[0])
        assert len(state.memory[0].dirs) <= 3
    mem = state.memory[0]
    assert len(mem.dirs) == len(mem.stps) == len(mem.ro) == 3
    # the pairs kept are the three newest steps s and gradient changes y (before this step)
    np.testing.assert_allclose(mem.stps, np.diff(points, axis=0)[-4:-1], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(mem.dirs, np.diff(grads, axis=0)[-4:-1], rtol=1e-9, atol=1e-12)
    short, long = rosenbrock_run(history_size=1), rosenbrock_run()
    assert short.steps_taken != long.steps_taken or not np.array_equal(short.points, long.points)


@pytest.mark.parametrize("start", [(-1.5, 2.0), (1.3, -0.5), (0.0, 0.0)])
def test_line_search_meets_the_strong_wolfe_conditions(start):
    problem = SurfaceProblem(get_surface("rosenbrock"))

    def evaluate(p):
        return float(problem.value(p[None])[0]), problem.grad(p[None])[0]

    x = np.array(start)
    f, g = evaluate(x)
    d = -g
    gtd = float(g @ d)
    t = strong_wolfe(evaluate, x, 1.0, d, f, g, gtd)
    f_new, g_new = evaluate(x + t * d)
    assert t > 0
    assert f_new <= f + 1e-4 * t * gtd  # sufficient decrease
    assert abs(g_new @ d) <= 0.9 * abs(gtd)  # curvature


def test_batched_runs_equal_each_run_alone():
    """Per-run memory survives runs finishing at different steps (the engine drops them)."""
    starts = [(-1.5, 2.0), (0.5, 0.5), (1.2, 1.2), (-1.0, -0.5)]
    lrs = [1.0, 1.0, 0.8, 1.0]
    specs = [
        build_spec("rosenbrock", "lbfgs", params={"lr": lr}, start=s, steps=80, tol=0.0)
        for s, lr in zip(starts, lrs, strict=True)
    ]
    together = run_batch(specs, scalar=False)
    assert len({r.steps_taken for r in together}) > 1
    for spec, batched in zip(specs, together, strict=True):
        alone = run_batch([spec], scalar=False)[0]
        assert batched.status == alone.status
        np.testing.assert_array_equal(batched.points, alone.points)
