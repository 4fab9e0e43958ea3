"""The data set registry: shapes, seeds, splits and the errors that name the field."""

import numpy as np
import pytest

from gradscape.errors import InvalidValueError, UnknownIdError
from gradscape.networks.datasets import DATASETS, VALIDATION_FRACTION, make_dataset


@pytest.mark.parametrize("dataset_id", list(DATASETS))
def test_every_dataset_has_the_promised_shape_and_labels(dataset_id):
    kind = DATASETS[dataset_id]
    data = make_dataset(dataset_id, 150, None, seed=4)
    assert data.x.shape == (150, kind.input_dim)
    assert np.all(np.isfinite(data.x))
    assert data.n_train == 150 - round(VALIDATION_FRACTION * 150)
    if kind.task == "regression":
        assert data.y.shape == (150, 1)
    else:
        assert set(np.unique(data.y)) == set(range(kind.classes))
        # the shuffle leaves every class in the validation split
        assert set(np.unique(data.validation[1])) == set(range(kind.classes))


@pytest.mark.parametrize("dataset_id", list(DATASETS))
def test_same_seed_same_points_other_seed_other_points(dataset_id):
    a = make_dataset(dataset_id, 60, 0.1, seed=1)
    b = make_dataset(dataset_id, 60, 0.1, seed=1)
    c = make_dataset(dataset_id, 60, 0.1, seed=2)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.x, c.x)


def test_noise_moves_the_points():
    clean = make_dataset("moons", 100, 0.0, seed=0)
    radii = np.hypot(clean.x[:, 0] - (clean.y == 1), clean.x[:, 1] - 0.5 * (clean.y == 1))
    np.testing.assert_allclose(radii, 1.0, atol=1e-12)  # exactly on the half circles
    noisy = make_dataset("moons", 100, 0.3, seed=0)
    assert np.std(noisy.x - clean.x) == pytest.approx(0.3, rel=0.2)


def test_sine_targets_follow_the_sine():
    data = make_dataset("sine", 500, 0.0, seed=0)
    np.testing.assert_allclose(data.y[:, 0], np.sin(data.x[:, 0]), atol=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"samples": 5}, "samples"),
        ({"samples": 10**6}, "samples"),
        ({"noise": -0.1}, "data_noise"),
        ({"noise": float("nan")}, "data_noise"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_options_name_their_field(kwargs, field):
    with pytest.raises(InvalidValueError) as info:
        make_dataset("moons", **kwargs)
    assert info.value.field == field


def test_unknown_dataset():
    with pytest.raises(UnknownIdError) as info:
        make_dataset("mnist")
    assert info.value.field == "dataset"
