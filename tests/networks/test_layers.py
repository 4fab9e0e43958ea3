"""Every layer, activation and loss: backward and R-operator against central differences."""

import numpy as np
import pytest

from gradscape.networks.layers import ACTIVATIONS, LOSSES, Dense
from gradscape.networks.mlp import MLP

RNG = np.random.default_rng(7)
H = 1e-6


def central_difference(f, x: np.ndarray) -> np.ndarray:
    """d sum(f(x) * probe) / dx, entry by entry; f returns an array of any shape."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = H
        grad[i] = (f(x + e) - f(x - e)) / (2 * H)
    return grad


def targets(loss_id: str, n: int, k: int, rng: np.random.Generator) -> np.ndarray:
    if loss_id == "bce":
        return rng.integers(0, 2, n)
    if loss_id == "cross_entropy":
        return rng.integers(0, k, n)
    return rng.standard_normal((n, k))


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_activation_backward_matches_central_differences(activation):
    act = ACTIVATIONS[activation]
    z = RNG.standard_normal((2, 5, 3)) * 2
    z[np.abs(z) < 1e-3] = 0.5  # keep ReLU away from its kink
    probe = RNG.standard_normal(z.shape)
    a = act.forward(z)
    dz = act.backward(a, probe)
    numeric = central_difference(lambda t: np.sum(act.forward(t) * probe), z)
    np.testing.assert_allclose(dz, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_activation_second_derivative_matches_differences_of_the_first(activation):
    act = ACTIVATIONS[activation]
    z = np.linspace(-3, 3, 41)
    z[np.abs(z) < 1e-3] = 0.1
    numeric = (act.derivative(act.forward(z + H)) - act.derivative(act.forward(z - H))) / (2 * H)
    np.testing.assert_allclose(act.second_derivative(act.forward(z)), numeric, atol=1e-6)


def test_dense_backward_matches_central_differences():
    layer = Dense(3, 4, offset=2)  # not at the start of the vector, to test the offsets
    params = RNG.standard_normal((2, 2 + layer.size + 1))
    x = RNG.standard_normal((2, 6, 3))
    probe = RNG.standard_normal((2, 6, 4))

    def objective(p: np.ndarray) -> float:
        return float(np.sum(layer.forward(p, x) * probe))

    grad = np.zeros_like(params)
    dx = layer.backward(params, x, probe, grad)
    numeric_params = central_difference(objective, params)
    np.testing.assert_allclose(grad[:, 2:-1], numeric_params[:, 2:-1], rtol=1e-6, atol=1e-8)
    numeric_x = central_difference(lambda t: np.sum(layer.forward(params, t) * probe), x)
    np.testing.assert_allclose(dx, numeric_x, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("loss_id", list(LOSSES))
def test_loss_gradient_and_hessian_match_central_differences(loss_id):
    loss = LOSSES[loss_id]
    k = 1 if loss_id == "bce" else 3
    out = RNG.standard_normal((2, 7, k)) * 3
    y = targets(loss_id, 7, k, RNG)
    value, grad = loss.value_and_grad(out, y)
    np.testing.assert_allclose(value, loss.value(out, y), rtol=1e-12)
    numeric = central_difference(lambda t: np.sum(loss.value(t, y)), out)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)
    r = RNG.standard_normal(out.shape)
    eps = 1e-5
    numeric_hvp = (
        loss.value_and_grad(out + eps * r, y)[1] - loss.value_and_grad(out - eps * r, y)[1]
    ) / (2 * eps)
    np.testing.assert_allclose(loss.hvp(out, y, r), numeric_hvp, rtol=1e-6, atol=1e-9)


def test_losses_stay_finite_for_huge_logits():
    out = np.array([[[800.0], [-800.0]]])
    y = np.array([0, 1])
    value, grad = LOSSES["bce"].value_and_grad(out, y)
    np.testing.assert_allclose(value, [800.0])
    np.testing.assert_allclose(grad[0, :, 0], [0.5, -0.5])
    out3 = np.array([[[900.0, 0.0, -900.0]]])
    value, grad = LOSSES["cross_entropy"].value_and_grad(out3, np.array([2]))
    np.testing.assert_allclose(value, [1800.0])
    np.testing.assert_allclose(grad[0, 0], [1.0, 0.0, -1.0])


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("loss_id", list(LOSSES))
def test_network_gradient_and_hvp_match_central_differences(activation, loss_id):
    k = 1 if loss_id == "bce" else 3
    mlp = MLP((2, 5, 4, k), ACTIVATIONS[activation], LOSSES[loss_id])
    rng = np.random.default_rng(3)
    params = np.stack([mlp.init(rng) + 0.2 * rng.standard_normal(mlp.n_params) for _ in range(2)])
    x = rng.standard_normal((9, 2))
    y = targets(loss_id, 9, k, rng)
    value, grad, _ = mlp.value_and_grad(params, x, y)
    np.testing.assert_allclose(value, mlp.value(params, x, y), rtol=1e-12)
    numeric = np.zeros_like(params)
    for j in range(mlp.n_params):
        e = np.zeros(mlp.n_params)
        e[j] = H
        numeric[:, j] = (mlp.value(params + e, x, y) - mlp.value(params - e, x, y)) / (2 * H)
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-8)
    v = rng.standard_normal(params.shape)
    eps = 1e-5
    numeric_hvp = (
        mlp.value_and_grad(params + eps * v, x, y)[1]
        - mlp.value_and_grad(params - eps * v, x, y)[1]
    ) / (2 * eps)
    np.testing.assert_allclose(mlp.hvp(params, x, y, v), numeric_hvp, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_initialisation_is_seeded_and_scaled(activation):
    mlp = MLP((2, 64, 64, 1), ACTIVATIONS[activation], LOSSES["bce"])
    a = mlp.init(np.random.default_rng(5))
    np.testing.assert_array_equal(a, mlp.init(np.random.default_rng(5)))
    assert not np.array_equal(a, mlp.init(np.random.default_rng(6)))
    w, b = mlp.layers[1].weights(a[None])
    np.testing.assert_array_equal(b, 0.0)
    expected_var = 2.0 / 64 if activation == "relu" else 2.0 / (64 + 64)  # He / Glorot
    assert np.var(w) == pytest.approx(expected_var, rel=0.1)
