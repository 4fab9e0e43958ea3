"""Landscape slices (Li et al. 2018), the projected path and the 1D interpolation."""

import numpy as np
import pytest

from gradscape.networks import build_network_spec, train
from gradscape.networks.landscape import (
    Plane,
    filter_normalized_direction,
    interpolate,
    loss_grid,
    pca_plane,
)
from gradscape.networks.layers import ACTIVATIONS, LOSSES
from gradscape.networks.mlp import MLP


@pytest.fixture(scope="module", params=["pca", "random"])
def result(request):
    spec = build_network_spec(
        dataset="moons",
        steps=300,
        params={"lr": 0.02},
        seed=1,
        landscape={"directions": request.param, "resolution": 21},
    )
    return train(spec)


def test_centre_of_the_grid_is_the_final_training_loss(result):
    land = result["landscape"]
    mid = len(land["x"]) // 2
    assert land["x"][mid] == 0.0 and land["y"][mid] == 0.0
    assert land["z"][mid][mid] == pytest.approx(result["loss"][-1], rel=1e-12)
    assert len(land["z"]) == len(land["y"]) == 21 and len(land["z"][0]) == len(land["x"])


def test_path_starts_at_init_ends_at_the_centre_and_fits_in_the_grid(result):
    path = np.array(result["path"])
    np.testing.assert_array_equal(path[-1], [0.0, 0.0])
    assert result["path_steps"][0] == 0 and result["path_steps"][-1] == 300
    assert len(result["path_steps"]) == len(path)
    land = result["landscape"]
    assert len(land["path_loss"]) == len(path)
    assert land["path_loss"][-1] == pytest.approx(result["loss"][-1], rel=1e-12)
    assert np.all(np.abs(path[:, 0]) <= land["x"][-1])
    assert np.all(np.abs(path[:, 1]) <= land["y"][-1])


def test_pca_variance_shares_are_sorted_fractions(result):
    shares = result["landscape"]["explained_variance"]
    if result["landscape"]["directions"] == "random":
        assert shares is None
        return
    assert 0.0 <= shares[1] <= shares[0] <= 1.0
    assert shares[0] + shares[1] <= 1.0 + 1e-12
    assert shares[0] > 0.5  # training paths are nearly one-dimensional (Li et al. sec. 7)


def test_interpolation_ends_at_the_initial_and_final_losses(result):
    alpha = result["interpolation"]["alpha"]
    loss = result["interpolation"]["loss"]
    assert loss[alpha.index(0.0)] == pytest.approx(result["loss"][0], rel=1e-12)
    assert loss[alpha.index(1.0)] == pytest.approx(result["loss"][-1], rel=1e-12)


def test_directions_are_filter_normalised_with_zero_bias():
    mlp = MLP((2, 8, 5, 3), ACTIVATIONS["tanh"], LOSSES["cross_entropy"])
    rng = np.random.default_rng(0)
    params = mlp.init(rng) + 0.1 * rng.standard_normal(mlp.n_params)
    d = filter_normalized_direction(mlp, params, rng)
    for layer in mlp.layers:
        w, _ = layer.weights(params[None])
        dw, db = layer.weights(d[None])
        # one filter = one neuron's incoming weights = one column of W (n_in, n_out)
        np.testing.assert_allclose(
            np.linalg.norm(dw, axis=-2), np.linalg.norm(w, axis=-2), rtol=1e-9
        )
        np.testing.assert_array_equal(db, 0.0)


def test_pca_of_a_known_trajectory():
    """A path along e0 with an uncorrelated wiggle along e1: the components are e0, e1."""
    t = np.linspace(0.0, 1.0, 50)
    traj = np.zeros((50, 6))
    traj[:, 0] = 5 * t
    traj[:, 1] = 0.3 * np.cos(2 * np.pi * t)  # even about t = 0.5, so cov(t, .) = 0
    plane = pca_plane(traj, np.random.default_rng(0))
    assert abs(plane.d1[0]) == pytest.approx(1.0, abs=1e-6)
    assert abs(plane.d2[1]) == pytest.approx(1.0, abs=1e-3)
    offsets = traj - traj[-1]
    variances = np.var(offsets, axis=0)
    expected = variances / variances.sum()
    np.testing.assert_allclose(plane.explained_variance, expected[:2], rtol=1e-6)


def test_pca_of_a_straight_path_fills_in_an_orthogonal_direction():
    traj = np.outer(np.linspace(0, 1, 10), [1.0, 2.0, 0.0, 0.0])
    plane = pca_plane(traj, np.random.default_rng(0))
    assert plane.explained_variance == pytest.approx((1.0, 0.0))
    assert plane.d1 @ plane.d2 == pytest.approx(0.0, abs=1e-12)
    assert np.linalg.norm(plane.d2) == pytest.approx(1.0)


def test_grid_equals_a_loop_of_single_forward_passes():
    mlp = MLP((2, 6, 1), ACTIVATIONS["tanh"], LOSSES["bce"])
    rng = np.random.default_rng(1)
    centre = mlp.init(rng)
    plane = Plane(
        centre, rng.standard_normal(mlp.n_params), rng.standard_normal(mlp.n_params), "random", None
    )
    x, y = rng.standard_normal((30, 2)), rng.integers(0, 2, 30)
    xs, ys = np.linspace(-1, 1, 5), np.linspace(-2, 2, 7)
    z = loss_grid(mlp, plane, xs, ys, x, y)
    for i, b in enumerate(ys):
        for j, a in enumerate(xs):
            point = centre + a * plane.d1 + b * plane.d2
            assert z[i, j] == pytest.approx(mlp.value(point[None], x, y)[0], rel=1e-12)
    line = interpolate(mlp, centre, centre + plane.d1, np.array([0.0, 0.5]), x, y)
    assert line[0] == mlp.value(centre[None], x, y)[0]
    assert line[1] == pytest.approx(mlp.value((centre + 0.5 * plane.d1)[None], x, y)[0])
