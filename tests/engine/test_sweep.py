"""The sweep engine: its two paths agree with each other, with torch and with closed forms."""

import json
from pathlib import Path

import numpy as np
import pytest

from gradscape.engine import compiled
from gradscape.engine.sweep import (
    CONVERGED,
    DIVERGED,
    build_sweep,
    run_sweep,
    stationary_points,
)
from gradscape.surfaces import SURFACES

FIXTURE = json.loads((Path(__file__).parents[1] / "fixtures" / "torch_optim.json").read_text())


def test_numba_is_there_and_the_common_kernels_compile():
    assert compiled.available(), "numba is a dependency: the compiled loop must build"
    compiled.warm_up(block=True)
    assert all(compiled.ready(key) for key in compiled.COMMON)


def axis(name, lo, hi, n, log=False):
    return {"name": name, "min": lo, "max": hi, "n": n, "log": log}


@pytest.mark.parametrize("surface_id", sorted(compiled.SURFACES))
def test_compiled_formulas_equal_the_surfaces(surface_id):
    rng = np.random.default_rng(1)
    (x0, x1), (y0, y1) = SURFACES[surface_id].info.domain
    x, y = rng.uniform(x0, x1, 500), rng.uniform(y0, y1, 500)
    loss, gx, gy = SURFACES[surface_id].value_grad(x, y)
    got = compiled.evaluate(compiled.SURFACES[surface_id], x, y)
    np.testing.assert_allclose(got[:, 0], loss, rtol=1e-15, atol=1e-300)
    np.testing.assert_allclose(got[:, 1], np.broadcast_to(gx, x.shape), rtol=1e-15, atol=1e-300)
    np.testing.assert_allclose(got[:, 2], np.broadcast_to(gy, x.shape), rtol=1e-15, atol=1e-300)


# Each optimizer the loop serves, swept over a hyperparameter it has, plus its switches.
PATH_CASES = [
    ("sgd", {"lr": 0.002, "weight_decay": 0.1}, "params.weight_decay", 0.0, 0.5),
    ("momentum", {"lr": 0.002, "dampening": 0.3}, "params.momentum", 0.0, 0.95),
    ("nesterov", {"lr": 0.002}, "params.momentum", 0.1, 0.99),
    ("adam", {"lr": 0.05}, "params.beta2", 0.5, 0.9999),
    ("adam", {"lr": 0.05, "amsgrad": True, "maximize": False}, "params.beta1", 0.0, 0.99),
    ("adamw", {"lr": 0.05}, "params.weight_decay", 0.0, 0.5),
    ("rmsprop", {"lr": 0.01, "centered": True}, "params.momentum", 0.0, 0.9),
    ("rmsprop", {"lr": 0.01}, "params.alpha", 0.5, 0.999),
    ("adagrad", {"lr": 0.5}, "params.lr_decay", 0.0, 0.1),
    ("adagrad", {"lr": 0.5}, "params.initial_accumulator_value", 0.0, 2.0),
    ("nadam", {"lr": 0.05, "weight_decay": 0.01}, "params.momentum_decay", 0.0, 0.1),
    ("nadam", {"lr": 0.05, "decoupled_weight_decay": True}, "params.weight_decay", 0.0, 0.5),
]


@pytest.mark.parametrize("surface", ["himmelblau", "rosenbrock"])
@pytest.mark.parametrize(("optimizer", "params", "name", "lo", "hi"), PATH_CASES)
def test_compiled_loop_equals_numpy_path(optimizer, params, name, lo, hi, surface):
    run = {"surface": surface, "optimizer": optimizer, "params": params, "steps": 300}
    sweep = build_sweep(run, [axis(name, lo, hi, 7), axis("start.x", -1.5, 1.5, 5)])
    slow, fast = run_sweep(sweep, fast=False), run_sweep(sweep, fast=True)
    np.testing.assert_array_equal(fast.status, slow.status)
    np.testing.assert_array_equal(fast.steps_taken, slow.steps_taken)
    np.testing.assert_allclose(fast.final_point, slow.final_point, rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(fast.final_loss, slow.final_loss, rtol=1e-12, atol=1e-15)
    assert len(set(slow.steps_taken.tolist()) | set(slow.status.tolist())) > 1  # cells differ


def test_compiled_loop_with_noise_and_a_schedule_equals_numpy_path():
    run = {
        "surface": "himmelblau",
        "optimizer": "adam",
        "params": {"lr": 0.1},
        "schedule": {"name": "cosine", "warmup_steps": 10},
        "steps": 200,
        "seed": 3,
    }
    sweep = build_sweep(run, [axis("noise", 0.0, 5.0, 6), axis("schedule.min_lr", 0.0, 0.05, 4)])
    slow, fast = run_sweep(sweep, fast=False), run_sweep(sweep, fast=True)
    np.testing.assert_array_equal(fast.status, slow.status)
    np.testing.assert_allclose(fast.final_point, slow.final_point, rtol=1e-13)


TORCH_CASES = [
    c
    for c in FIXTURE["cases"]
    if c["optimizer"] in compiled.OPTIMIZERS and c["surface"] in compiled.SURFACES
]


@pytest.mark.parametrize("fast", [True, False], ids=["compiled", "numpy"])
@pytest.mark.parametrize("case", TORCH_CASES, ids=lambda c: f"{c['optimizer']}-{c['surface']}")
def test_sweep_cell_ends_where_torch_does(case, fast):
    run = {
        "surface": case["surface"],
        "optimizer": case["optimizer"],
        "params": case["params"],
        "schedule": case.get("schedule"),
        "start": case["start"],
        "steps": case["steps"],
        "tol": 0.0,
        "bound": 1e12,
    }
    x = case["start"][0]
    result = run_sweep(build_sweep(run, [axis("start.x", x, x, 1)]), fast=fast)
    assert result.status[0] == 1  # completed
    np.testing.assert_allclose(result.final_point[0], case["points"][-1], rtol=1e-9, atol=1e-12)


def test_lr_sweep_diverges_past_two_over_lambda_max_within_one_cell():
    # ravine: f = (x^2 + 25 y^2) / 2, so lambda_max = 25 and plain GD is stable for lr < 0.08.
    run = {"surface": "ravine", "optimizer": "sgd", "steps": 500}
    sweep = build_sweep(run, [axis("params.lr", 0.01, 0.3, 64, log=True)])
    result = run_sweep(sweep)
    lrs = sweep.axes[0].values
    diverged = result.status == DIVERGED
    edge = int(np.argmax(diverged))
    assert diverged[edge:].all() and not diverged[:edge].any()
    assert lrs[edge - 1] < 2 / 25 < lrs[edge]


def heavy_ball_radius(lr: np.ndarray, momentum: np.ndarray, curvatures) -> np.ndarray:
    """Largest |root| of z^2 - (1 + m - lr h) z + m over the curvatures h (closed form)."""
    rho = np.zeros(np.broadcast(lr, momentum).shape)
    for h in curvatures:
        b = 1 + momentum - lr * h
        disc = np.sqrt((b * b - 4 * momentum).astype(complex))
        rho = np.maximum(rho, np.maximum(abs((b + disc) / 2), abs((b - disc) / 2)))
    return rho


def test_heavy_ball_phase_diagram_matches_the_closed_form_cell_by_cell():
    run = {"surface": "ravine", "optimizer": "momentum", "steps": 3000, "tol": 0.0}
    sweep = build_sweep(
        run, [axis("params.lr", 0.005, 0.3, 48, log=True), axis("params.momentum", 0, 0.95, 40)]
    )
    result = run_sweep(sweep)
    lr, m = np.meshgrid(sweep.axes[0].values, sweep.axes[1].values)  # [i][j] = (lr_j, m_i)
    rho = heavy_ball_radius(lr, m, (1.0, 25.0)).ravel()
    start_loss = SURFACES["ravine"].value(-3.5, 1.5)
    shrank = (result.status != DIVERGED) & (result.final_loss < start_loss)
    decided = np.abs(rho - 1) > 2e-3  # within 0.2% of 1 no finite run can tell
    assert decided.mean() > 0.97
    np.testing.assert_array_equal(shrank[decided], (rho < 1)[decided])
    assert 0.2 < (rho < 1).mean() < 0.9  # both regions are on the map


def test_himmelblau_basin_map_finds_its_four_minima():
    run = {"surface": "himmelblau", "optimizer": "sgd", "params": {"lr": 0.01}, "steps": 1000}
    sweep = build_sweep(run, [axis("start.x", -5, 5, 41), axis("start.y", -5, 5, 41)])
    result = run_sweep(sweep)
    points = stationary_points(SURFACES["himmelblau"])
    minima = {i for i, p in enumerate(points) if p.kind == "minimum"}
    assert len(minima) == 4
    found = set(result.attractor[result.status == CONVERGED].tolist())
    assert found >= minima
    for i in minima:  # each minimum's basin holds the start nearest to it
        px, py = points[i].point
        j = np.argmin(np.abs(sweep.axes[0].values - px))
        k = np.argmin(np.abs(sweep.axes[1].values - py))
        assert result.attractor[k * sweep.cols + j] == i


def test_newton_basins_reach_the_maximum_too():
    run = {"surface": "himmelblau", "optimizer": "newton", "steps": 50}
    sweep = build_sweep(run, [axis("start.x", -5, 5, 30), axis("start.y", -5, 5, 30)])
    result = run_sweep(sweep)
    kinds = {stationary_points(SURFACES["himmelblau"])[a].kind for a in result.attractor if a >= 0}
    assert kinds == {"minimum", "saddle", "maximum"}
