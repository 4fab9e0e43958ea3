"""Training with the core optimizers and schedules: results, determinism, divergence."""

import numpy as np
import pytest

from gradscape.config import Settings
from gradscape.errors import GradscapeError, InvalidValueError
from gradscape.networks import Training, build_network_spec, train
from gradscape.optimizers import OPTIMIZERS

ELEMENTWISE = [o.id for o in OPTIMIZERS.values() if o.elementwise]
WHOLE_VECTOR = [o.id for o in OPTIMIZERS.values() if not o.elementwise]


def run(**kwargs):
    kwargs.setdefault("landscape", None)
    return train(build_network_spec(**kwargs))


def test_moons_with_adam_reaches_high_accuracy():
    result = run(
        dataset="moons",
        samples=400,
        data_noise=0.05,
        hidden=[16, 16],
        activation="tanh",
        optimizer="adam",
        params={"lr": 0.01},
        steps=1000,
    )
    assert result["status"] == "completed"
    assert result["accuracy"][-1] >= 0.95
    assert result["val_accuracy"][-1] >= 0.95
    assert result["loss"][-1] < 0.1 * result["loss"][0]


def test_same_seed_same_run_other_seed_other_run():
    kwargs = {
        "dataset": "spirals",
        "steps": 60,
        "batch_size": 16,
        "optimizer": "sgd",
        "params": {"lr": 0.3},
        "landscape": {"directions": "random", "resolution": 11},
    }
    a, b, c = run(**kwargs, seed=3), run(**kwargs, seed=3), run(**kwargs, seed=4)
    assert a == b
    assert a["loss"] != c["loss"]


def test_curves_have_one_entry_per_point():
    result = run(dataset="blobs", steps=40, optimizer="sgd", params={"lr": 0.1})
    for key in ("loss", "val_loss", "accuracy", "val_accuracy", "lr"):
        assert len(result[key]) == 41, key
    assert result["steps_taken"] == 40
    assert all(0.0 <= a <= 1.0 for a in result["accuracy"])


def test_regression_has_no_accuracy_and_a_fitted_curve():
    result = run(dataset="sine", steps=200, params={"lr": 0.01})
    assert result["accuracy"] is None and result["val_accuracy"] is None
    assert len(result["boundary"]["x"]) == len(result["boundary"]["y"])
    assert result["loss"][-1] < result["loss"][0]


def test_full_batch_sgd_is_the_core_update_rule_on_the_flat_vector():
    """Two steps of plain GD by hand equal the run: no second copy of the rule."""
    spec = build_network_spec(
        dataset="xor", steps=2, optimizer="sgd", params={"lr": 0.5}, landscape=None
    )
    training = Training(spec)
    x, y = spec.data.train
    params = training.params.copy()
    expected = []
    for _ in range(3):
        loss, grad, _ = spec.mlp.value_and_grad(params, x, y)
        expected.append(loss[0])
        params = params - 0.5 * grad
    result = train(spec)
    np.testing.assert_allclose(result["loss"], expected, rtol=1e-12)


def test_batch_size_changes_the_path_and_full_batch_is_the_default():
    base = {"dataset": "moons", "steps": 30, "optimizer": "sgd", "params": {"lr": 0.2}}
    full = run(**base)
    everything = run(**base, batch_size=160)  # one batch = the whole training set, shuffled
    np.testing.assert_allclose(full["loss"], everything["loss"], rtol=1e-10)
    sgd = run(**base, batch_size=1)
    assert sgd["loss"] != full["loss"]


@pytest.mark.parametrize("optimizer", ELEMENTWISE)
def test_every_elementwise_optimizer_trains(optimizer):
    lr = {"adagrad": 0.1, "sgd": 0.5, "momentum": 0.1, "nesterov": 0.1}.get(optimizer, 0.01)
    result = run(
        dataset="moons", steps=100, optimizer=optimizer, params={"lr": lr}, sharpness_every=0
    )
    assert result["status"] == "completed"
    assert result["loss"][-1] < result["loss"][0]


@pytest.mark.parametrize("optimizer", WHOLE_VECTOR)
def test_optimizers_that_need_the_hessian_are_refused(optimizer):
    with pytest.raises(InvalidValueError) as info:
        build_network_spec(optimizer=optimizer)
    assert info.value.field == "optimizer"


def test_schedule_sets_the_recorded_learning_rate():
    result = run(
        steps=10,
        optimizer="sgd",
        params={"lr": 0.1},
        schedule={"name": "step", "step_size": 5, "gamma": 0.5},
    )
    assert result["lr"] == [0.1] * 5 + [0.05] * 5 + [0.025]


def test_divergence_stops_with_a_status_and_finite_numbers():
    result = run(
        dataset="sine",
        hidden=[32],
        activation="relu",
        optimizer="sgd",
        params={"lr": 50.0},
        steps=500,
        landscape={"directions": "pca", "resolution": 11},
    )
    assert result["status"] == "diverged"
    assert result["message"].startswith(f"diverged at step {result['steps_taken'] + 1}")
    assert len(result["loss"]) == result["steps_taken"] + 1
    assert all(np.isfinite(result["loss"]))


def test_sharpness_is_recorded_every_k_steps_and_tracks_two_over_lr():
    """Full-batch GD at lr = 0.5 sharpens up to the stability bound 2 / lr = 4 and hovers
    there (Cohen et al. 2021): the edge-of-stability preset."""
    result = run(
        dataset="moons",
        data_noise=0.25,
        optimizer="sgd",
        params={"lr": 0.5},
        steps=1500,
        sharpness_every=50,
    )
    steps = [s["step"] for s in result["sharpness"]]
    assert steps == list(range(0, 1501, 50))
    values = np.array([s["value"] for s in result["sharpness"]])
    assert values[0] < 2.5
    late = values[len(values) // 2 :]
    assert np.all(np.abs(late - 4.0) < 1.0)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"hidden": [8] * 9}, "hidden"),
        ({"hidden": [200, 200]}, "hidden"),
        ({"hidden": [4, 0]}, "hidden.1"),
        ({"steps": 30_000}, "steps"),
        ({"samples": 6000}, "samples"),
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": 500}, "batch_size"),
        ({"activation": "gelu"}, "activation"),
        ({"landscape": {"resolution": 10}}, "landscape.resolution"),
        ({"landscape": {"resolution": 103}}, "landscape.resolution"),
        ({"landscape": {"directions": "pca"}, "steps": 1}, "landscape.directions"),
        ({"params": {"lr": -1.0}}, "params.lr"),
        ({"sharpness_every": -1}, "sharpness_every"),
        ({"schedule": {"name": "nope"}}, "schedule.name"),
    ],
)
def test_bad_requests_name_the_field(kwargs, field):
    with pytest.raises(GradscapeError) as info:
        build_network_spec(**kwargs, settings=Settings())
    assert info.value.field == field
