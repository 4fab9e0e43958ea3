"""Sharpness by power iteration on exact Hessian-vector products."""

import numpy as np
import pytest

from gradscape.networks.layers import ACTIVATIONS, LOSSES
from gradscape.networks.mlp import MLP
from gradscape.networks.sharpness import top_eigenvalue


def full_hessian(mlp: MLP, params: np.ndarray, x, y, eps: float = 1e-5) -> np.ndarray:
    """Central differences of the verified gradient, symmetrised."""
    p = len(params)
    hess = np.zeros((p, p))
    for j in range(p):
        e = np.zeros(p)
        e[j] = eps
        hess[:, j] = (
            mlp.value_and_grad((params + e)[None], x, y)[1][0]
            - mlp.value_and_grad((params - e)[None], x, y)[1][0]
        ) / (2 * eps)
    return (hess + hess.T) / 2


@pytest.mark.parametrize(
    ("activation", "loss_id", "k"),
    [("tanh", "bce", 1), ("sigmoid", "cross_entropy", 3), ("tanh", "mse", 1)],
)
def test_top_eigenvalue_matches_the_exact_hessian(activation, loss_id, k):
    mlp = MLP((2, 4, 3, k), ACTIVATIONS[activation], LOSSES[loss_id])
    rng = np.random.default_rng(11)
    params = mlp.init(rng) + 0.5 * rng.standard_normal(mlp.n_params)
    x = rng.standard_normal((25, 2))
    y = rng.standard_normal((25, 1)) if loss_id == "mse" else rng.integers(0, k, 25)
    hess = full_hessian(mlp, params, x, y)
    exact = np.linalg.eigvalsh(hess)[-1]
    value, vector = top_eigenvalue(
        lambda v, rows: mlp.hvp(params[None], x, y, v),
        rng.standard_normal((1, mlp.n_params)),
        iters=3000,
        rtol=1e-13,
    )
    assert value[0] == pytest.approx(exact, rel=1e-6)
    np.testing.assert_allclose(hess @ vector[0], exact * vector[0], atol=1e-4 * abs(exact))


def test_finds_the_top_eigenvalue_when_a_negative_one_dominates():
    q, _ = np.linalg.qr(np.random.default_rng(0).standard_normal((5, 5)))
    eig = np.array([-9.0, -1.0, 0.5, 2.0, 3.0])
    hess = q @ np.diag(eig) @ q.T
    value, _ = top_eigenvalue(lambda v, rows: v @ hess, np.ones((1, 5)), iters=2000, rtol=1e-14)
    assert value[0] == pytest.approx(3.0, rel=1e-8)


def test_runs_are_independent():
    hessians = [np.diag([1.0, 4.0, 2.0]), np.diag([-6.0, 0.5, 1.5])]

    def hvp(v, rows):
        return np.stack([hessians[r] @ vi for r, vi in zip(rows, v, strict=True)])

    value, _ = top_eigenvalue(hvp, np.ones((2, 3)), iters=2000, rtol=1e-14)
    np.testing.assert_allclose(value, [4.0, 1.5], rtol=1e-8)
