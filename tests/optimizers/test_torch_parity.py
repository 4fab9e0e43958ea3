"""Gradscape's update rules replayed against torch.optim trajectories (float64, 1,000 steps).

tests/fixtures/torch_optim.json is recorded by tests/fixtures/record_torch_optim.py; these
tests need only the JSON. Each case runs through the engine in both of its paths.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from gradscape.engine import RunSpec, build_spec, run_batch

FIXTURE = json.loads((Path(__file__).parents[1] / "fixtures" / "torch_optim.json").read_text())
CASES = FIXTURE["cases"]


def case_id(case: dict) -> str:
    options = ",".join(f"{k}={v}" for k, v in case["params"].items())
    sched = case.get("schedule", {}).get("name", "")
    return f"{case['optimizer']}-{case['surface']}-{options}{'-' + sched if sched else ''}"


def spec_for(case: dict) -> RunSpec:
    return build_spec(
        case["surface"],
        case["optimizer"],
        params=case["params"],
        schedule=case.get("schedule"),
        start=case["start"],
        steps=case["steps"],
        tol=0.0,
        bound=1e12,  # the maximize cases climb the bowl to ~1e9
    )


def test_fixture_covers_every_torch_style_optimizer_and_a_schedule():
    assert {c["optimizer"] for c in CASES} >= {
        "sgd",
        "momentum",
        "nesterov",
        "adagrad",
        "rmsprop",
        "adam",
        "adamw",
        "nadam",
    }
    assert {c["surface"] for c in CASES} == {"rosenbrock", "ravine"}
    assert any("schedule" in c for c in CASES)
    assert all(len(c["points"]) == 1001 for c in CASES if c["optimizer"] != "lbfgs")
    assert any(c["optimizer"] == "lbfgs" for c in CASES)


@pytest.mark.parametrize("scalar", [True, False], ids=["scalar-path", "vector-path"])
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_trajectory_matches_torch(case: dict, scalar: bool):
    result = run_batch([spec_for(case)], scalar=scalar)[0]
    if case.get("stopped"):  # torch's L-BFGS stopped moving: its stopping rules fired
        assert result.status == "converged", result.message
        assert result.steps_taken == len(case["points"]) - 1
    else:
        assert result.status == "completed", result.message
    np.testing.assert_allclose(result.points, np.array(case["points"]), rtol=1e-9, atol=1e-12)


def _adam_family_run(optimizer: str, weight_decay: float) -> np.ndarray:
    spec = build_spec(
        "rosenbrock",
        optimizer,
        params={"lr": 0.01, "weight_decay": weight_decay},
        start=(-1.2, 1.0),
        steps=300,
        tol=0.0,
    )
    return run_batch([spec], scalar=False)[0].points


def test_adamw_decoupled_decay_differs_from_adam_l2():
    adam, adamw = _adam_family_run("adam", 0.5), _adam_family_run("adamw", 0.5)
    assert np.abs(adam[-1] - adamw[-1]).max() > 1e-2
    # without decay the two are the same rule
    np.testing.assert_array_equal(_adam_family_run("adam", 0.0), _adam_family_run("adamw", 0.0))


def test_adamw_is_adam_on_decayed_weights_as_torch_writes_it():
    """torch/optim/adam.py with decoupled_weight_decay=True, as a textbook loop."""
    lr, wd, beta1, beta2, eps = 0.01, 0.5, 0.9, 0.999, 1e-8
    p = np.array([-1.2, 1.0])
    m = v = np.zeros(2)
    expected = [p]
    for t in range(1, 301):
        x, y = p
        g = np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])
        p = p * (1 - lr * wd)  # decoupled: the moments never see the decay
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
        expected.append(p)
    np.testing.assert_allclose(_adam_family_run("adamw", wd), expected, rtol=1e-9, atol=1e-12)
