"""The run engine: recording, stopping rules, determinism, and one code path for every batch."""

import math

import numpy as np
import pytest

from gradscape.engine import build_spec, run_batch, run_one, stream_run
from gradscape.engine.records import Outcome
from gradscape.errors import InvalidValueError, UnknownIdError
from gradscape.schedules import make_schedule
from gradscape.surfaces import SURFACES


def both_paths(spec):
    """The scalar and the vectorised engine on the same spec."""
    return run_batch([spec], scalar=True)[0], run_batch([spec], scalar=False)[0]


def test_point_zero_is_the_start_and_arrays_align():
    spec = build_spec("rosenbrock", "adam", {"lr": 0.01}, start=(-1.2, 1.7), steps=50, tol=0)
    for r in both_paths(spec):
        assert r.points[0].tolist() == [-1.2, 1.7]
        assert len(r.points) == len(r.loss) == len(r.grad_norm) == len(r.lr) == 51
        surface = SURFACES["rosenbrock"]
        np.testing.assert_allclose(
            r.loss, surface.value(r.points[:, 0], r.points[:, 1]), rtol=1e-12
        )
        gx, gy = surface.grad(r.points[:, 0], r.points[:, 1])
        np.testing.assert_allclose(r.grad_norm, np.hypot(gx, gy), rtol=1e-12)
        assert (r.status, r.steps_taken) == ("completed", 50)


def test_gradient_descent_on_the_bowl_matches_the_closed_form():
    # f = |θ|²/2: each step multiplies θ by (1 - lr).
    lr, start = 0.3, (-2.5, 2.0)
    spec = build_spec("quadratic", "sgd", {"lr": lr}, start=start, steps=40, tol=0)
    for r in both_paths(spec):
        expected = np.array(start) * (1 - lr) ** np.arange(41)[:, None]
        np.testing.assert_allclose(r.points, expected, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("scalar", [True, False])
def test_too_high_a_learning_rate_diverges_at_the_predicted_step(scalar):
    # lr = 2.5 > 2/λmax = 2: |x_k| = 1.5^k |x_0|, which passes the bound 1e6 at step k*.
    spec = build_spec("quadratic", "sgd", {"lr": 2.5}, start=(-2.5, 2.0), steps=500)
    r = run_batch([spec], scalar=scalar)[0]
    k_star = math.ceil(math.log(1e6 / 2.5) / math.log(1.5))
    assert r.status == "diverged"
    assert r.message.startswith(f"diverged at step {k_star}:")
    assert len(r.points) == k_star  # points 0 .. k*-1, the last finite one inside the bound
    assert r.steps_taken == k_star - 1
    assert np.all(np.isfinite(r.points)) and np.abs(r.points).max() <= 1e6


@pytest.mark.parametrize("scalar", [True, False])
def test_overflow_to_infinity_is_divergence_not_nan(scalar):
    spec = build_spec("rosenbrock", "sgd", {"lr": 0.5}, start=(-1.5, 2.0), steps=100, bound=1e300)
    r = run_batch([spec], scalar=scalar)[0]
    assert r.status == "diverged"
    assert np.all(np.isfinite(r.points)) and np.all(np.isfinite(r.loss))
    assert np.all(np.isfinite(r.grad_norm))


@pytest.mark.parametrize("scalar", [True, False])
def test_converges_when_the_gradient_norm_reaches_tol(scalar):
    # GD with lr = 0.5 halves |θ| each step: |∇f| = 0.5^k |θ_0| <= tol first at k*.
    tol, start = 1e-6, (3.0, 4.0)
    spec = build_spec("quadratic", "sgd", {"lr": 0.5}, start=start, steps=500, tol=tol)
    r = run_batch([spec], scalar=scalar)[0]
    k_star = math.ceil(math.log2(5.0 / tol))
    assert (r.status, r.steps_taken, len(r.points)) == ("converged", k_star, k_star + 1)
    assert r.message.startswith(f"converged in {k_star} steps")
    assert r.grad_norm[-1] <= tol < r.grad_norm[-2]


@pytest.mark.parametrize("scalar", [True, False])
def test_tol_zero_disables_early_stopping_even_at_the_minimum(scalar):
    spec = build_spec("quadratic", "adam", {"lr": 0.1}, start=(0.0, 0.0), steps=30, tol=0)
    r = run_batch([spec], scalar=scalar)[0]
    assert (r.status, len(r.points)) == ("completed", 31)
    at_rest = build_spec("quadratic", "adam", {"lr": 0.1}, start=(0.0, 0.0), steps=30)
    assert run_batch([at_rest], scalar=scalar)[0].status == "converged"


def test_custom_bound():
    spec = build_spec("quadratic", "sgd", {"lr": 2.5}, start=(1.0, 0.0), steps=100, bound=10.0)
    r = run_one(spec)
    assert r.status == "diverged"
    assert np.abs(r.points).max() <= 10.0 < 1.5 * np.abs(r.points[-1]).max()


def test_the_learning_rate_of_every_step_is_recorded():
    schedule = {"name": "cosine", "warmup_steps": 10, "min_lr": 0.001}
    spec = build_spec("rosenbrock", "adam", {"lr": 0.05}, schedule=schedule, steps=100, tol=0)
    expected = make_schedule(schedule, 0.05, 100)(np.arange(101))
    for r in both_paths(spec):
        np.testing.assert_array_equal(r.lr, expected)
    assert expected[0] == pytest.approx(0.005) and expected[9] == pytest.approx(0.05)


def test_a_batch_equals_its_runs_one_by_one():
    """A race, a grid of starts and a learning-rate sweep in one batch, vectorised."""
    specs = [
        build_spec("ravine", opt, {"lr": 0.03}, steps=120, tol=0)
        for opt in ("sgd", "momentum", "nesterov", "adam")
    ]
    specs += [
        build_spec("rosenbrock", "adam", {"lr": 0.02}, start=(x, y), steps=80)
        for x in (-1.5, 0.0, 1.5)
        for y in (-0.5, 2.0)
    ]
    specs += [
        build_spec("quadratic", "sgd", {"lr": lr}, steps=60) for lr in (0.1, 1.0, 1.9, 2.5, 3)
    ]
    batch = run_batch(specs)
    for spec, got in zip(specs, batch, strict=True):
        alone = run_one(spec)
        assert (got.status, got.steps_taken, got.message) == (
            alone.status,
            alone.steps_taken,
            alone.message,
        )
        np.testing.assert_allclose(got.points, alone.points, rtol=1e-13, atol=1e-300)
        np.testing.assert_allclose(got.lr, alone.lr, rtol=0)
    statuses = [r.status for r in batch[-5:]]
    # |1 - lr| < 1 shrinks, = 0 lands at once, > 1 grows: the 2/λmax bound.
    assert statuses == ["completed", "converged", "completed", "diverged", "diverged"]


def test_noise_is_seeded_and_escapes_the_saddle():
    base = dict(surface="saddle", optimizer="sgd", params={"lr": 0.1}, start=(-2.0, 0.0), steps=200)
    plain = run_one(build_spec(**base))
    assert plain.status == "converged"  # gradient descent walks into the saddle and stops
    assert np.abs(plain.points[-1]).max() < 1e-5
    noisy = run_one(build_spec(**base, noise=0.05, seed=3))
    again = run_one(build_spec(**base, noise=0.05, seed=3))
    other = run_one(build_spec(**base, noise=0.05, seed=4))
    np.testing.assert_array_equal(noisy.points, again.points)
    assert not np.array_equal(noisy.points, other.points)
    assert abs(noisy.points[-1][1]) > 1.0  # pushed off the ridge, it slides down along y


def test_noise_in_a_batch_equals_noise_alone():
    specs = [
        build_spec(
            "saddle", "momentum", {"lr": 0.05}, start=(-2.0, 0.0), steps=90, noise=0.1, seed=s
        )
        for s in (1, 2, 1)
    ]
    batch = run_batch(specs, scalar=False)
    for spec, got in zip(specs, batch, strict=True):
        np.testing.assert_allclose(got.points, run_one(spec).points, rtol=1e-13)
    np.testing.assert_array_equal(batch[0].points, batch[2].points)


@pytest.mark.parametrize("block", [1, 7, 64, 1000])
@pytest.mark.parametrize("extra", [{"noise": 0.3, "seed": 5}, {}])
def test_streamed_blocks_concatenate_to_the_whole_run(block, extra):
    spec = build_spec("himmelblau", "rmsprop", {"lr": 0.05}, steps=300, tol=0, **extra)
    whole = run_one(spec)
    items = list(stream_run(spec, block))
    *blocks, outcome = items
    assert isinstance(outcome, Outcome) and outcome.status == whole.status
    sizes = [len(b.loss) for b in blocks]
    assert [b.start for b in blocks] == np.cumsum([0, *sizes[:-1]]).tolist()
    assert sizes[0] == min(block + 1, 301) and max(sizes[1:], default=0) <= block
    np.testing.assert_array_equal(np.concatenate([b.points for b in blocks]), whole.points)
    np.testing.assert_array_equal(np.concatenate([b.loss for b in blocks]), whole.loss)
    np.testing.assert_array_equal(np.concatenate([b.lr for b in blocks]), whole.lr)


def test_mini_batches_draw_seeded_batches_and_stream_consistently():
    spec = build_spec(
        "linear_regression", "sgd", {"lr": 0.05}, batch_size=4, steps=120, seed=9, tol=0
    )
    whole = run_one(spec)
    blocks = [b for b in stream_run(spec, 13) if not isinstance(b, Outcome)]
    np.testing.assert_array_equal(np.concatenate([b.points for b in blocks]), whole.points)
    full = run_one(build_spec("linear_regression", "sgd", {"lr": 0.05}, steps=120, tol=0))
    assert not np.allclose(full.points, whole.points)
    vec = run_batch([spec], scalar=False)[0]
    np.testing.assert_allclose(vec.points, whole.points, rtol=1e-12)


def test_bad_specs_name_the_field():
    with pytest.raises(UnknownIdError, match=r"valid ids: .*rosenbrock"):
        build_spec("rosenbrok", "sgd")
    with pytest.raises(UnknownIdError, match=r"valid ids: .*adam"):
        build_spec("rosenbrock", "adum")
    with pytest.raises(InvalidValueError) as err:
        build_spec("rosenbrock", "sgd", start=(math.nan, 0.0))
    assert err.value.field == "start"
    with pytest.raises(InvalidValueError) as err:
        build_spec("rosenbrock", "sgd", batch_size=4)
    assert err.value.field == "batch_size"
    with pytest.raises(InvalidValueError) as err:
        build_spec("rosenbrock", "sgd", schedule={"name": "step", "gama": 0.5})
    assert err.value.field == "schedule.gama"


def test_messages_read_as_english():
    one = run_one(build_spec("quadratic", "sgd", {"lr": 1.0}, steps=10))
    assert one.message.startswith("converged in 1 step:")
    none = run_one(build_spec("quadratic", "sgd", steps=1, tol=0))
    assert none.message.startswith("completed 1 step;")
