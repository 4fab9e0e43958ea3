"""The stability bound drawn beside the sharpness, and the preconditioned sharpness of
adaptive optimizers, against the update rules themselves and the exact Hessian."""

import numpy as np
import pytest

from gradscape.networks import build_network_spec
from gradscape.networks.sharpness import preconditioner, stability_rule
from gradscape.networks.training import Training
from gradscape.optimizers import get_optimizer

from .test_sharpness import full_hessian


def final_distance(optimizer_id: str, params: dict, curvature: float, steps: int = 3000) -> float:
    """|theta| after running the rule on f = curvature / 2 theta^2 from theta = 1."""
    opt = get_optimizer(optimizer_id)
    hyper = opt.resolve(params)
    theta = np.ones((1, 1))
    state = opt.init(theta, hyper)
    for t in range(1, steps + 1):
        theta, state = opt.update(theta, curvature * theta, state, t, hyper["lr"], hyper, None)
        if not np.isfinite(theta).all() or abs(theta[0, 0]) > 1e6:
            return np.inf
    return abs(float(theta[0, 0]))


@pytest.mark.parametrize(
    ("optimizer_id", "params", "label"),
    [
        ("sgd", {"lr": 0.1}, "2/lr"),
        ("momentum", {"lr": 0.1, "momentum": 0.9}, "3.8/lr"),
        ("momentum", {"lr": 0.1, "momentum": 0.5, "dampening": 0.5}, "6/lr"),
        ("nesterov", {"lr": 0.1, "momentum": 0.9}, "1.357/lr"),
    ],
)
def test_the_bound_is_where_the_rule_turns_unstable_on_a_quadratic(optimizer_id, params, label):
    rule = stability_rule(optimizer_id, get_optimizer(optimizer_id).resolve(params))
    assert rule.kind == "hessian" and rule.label == label
    bound = rule.coefficient / params["lr"]
    assert final_distance(optimizer_id, params, 0.98 * bound) < 1e-3
    assert final_distance(optimizer_id, params, 1.02 * bound) == np.inf


def test_adam_says_two_over_lr_does_not_apply():
    rule = stability_rule("adam", get_optimizer("adam").resolve({"lr": 0.01}))
    assert rule.kind == "preconditioned" and rule.coefficient == pytest.approx(38.0)
    assert "2/lr does not apply" in rule.note
    nadam = stability_rule("nadam", get_optimizer("nadam").resolve({}))
    assert nadam.coefficient is None and "does not apply" in nadam.note


TINY = {"dataset": "moons", "samples": 30, "hidden": [3], "landscape": None, "sharpness_every": 1}


def test_gd_sharpness_every_step_is_the_hessians_top_eigenvalue():
    spec = build_network_spec(**TINY, optimizer="sgd", params={"lr": 0.5}, steps=6)
    run = Training(spec)
    x, y = spec.data.train
    for step in range(7):
        (block,) = run.advance(1)
        exact = np.linalg.eigvalsh(full_hessian(spec.mlp, run.params[0], x, y))[-1]
        assert block.sharpness[0]["step"] == step
        assert block.sharpness[0]["value"] == pytest.approx(exact, rel=1e-3)


@pytest.mark.parametrize(
    ("optimizer_id", "params"),
    [
        ("adam", {"lr": 0.05}),
        ("adam", {"lr": 0.05, "weight_decay": 0.1}),
        ("adamw", {"lr": 0.05, "amsgrad": True}),
        ("rmsprop", {"lr": 0.01, "centered": True}),
        ("adagrad", {"lr": 0.1, "lr_decay": 0.01}),
    ],
)
def test_preconditioned_sharpness_is_the_top_eigenvalue_of_p_inverse_h(optimizer_id, params):
    spec = build_network_spec(**TINY, optimizer=optimizer_id, params=params, steps=5)
    run = Training(spec)
    (first,) = run.advance(1)
    assert first.sharpness == []  # no preconditioner before the first step
    (block,) = run.advance(5)
    x, y = spec.data.train
    hess = full_hessian(spec.mlp, run.params[0], x, y)
    hyper = spec.hyper
    if optimizer_id != "adamw":  # L2 in the gradient: the rule sees H + wd I
        hess = hess + hyper["weight_decay"] * np.eye(len(hess))
    group = run.groups[0]
    p = preconditioner(optimizer_id, hyper, group.state, run.t)[0]
    eig = np.linalg.eigvals(hess / p[:, None])  # P^-1 H, not symmetric
    exact = float(np.max(eig.real))
    assert block.sharpness[-1]["step"] == 5
    assert block.sharpness[-1]["value"] == pytest.approx(exact, rel=1e-3)


def test_adam_preconditioner_is_the_one_its_step_divides_by():
    """theta_{t+1} - theta_t = -lr P^-1 m_{t+1}: checked on the rule's own numbers."""
    opt = get_optimizer("adam")
    hyper = opt.resolve({"lr": 0.1, "beta1": 0.8})
    rng = np.random.default_rng(0)
    theta = rng.standard_normal((1, 5))
    state = opt.init(theta, hyper)
    for t in range(1, 4):
        theta, state = opt.update(theta, rng.standard_normal((1, 5)), state, t, 0.1, hyper, None)
    grad = rng.standard_normal((1, 5))
    new, new_state = opt.update(theta, grad, state, 4, 0.1, hyper, None)
    p = preconditioner("adam", hyper, new_state, 4)
    np.testing.assert_allclose(new - theta, -0.1 * new_state.exp_avg / p, rtol=1e-12)
