"""Every registered surface against finite differences, its own metadata and its grid."""

import math

import numpy as np
import pytest
import scipy.optimize

from gradscape.surfaces import SURFACES, DataSurface, Surface, get_surface
from gradscape.surfaces import data as data_module

ALL = list(SURFACES.values())
ANALYTIC = [s for s in ALL if not isinstance(s, DataSurface)]
DATA = [s for s in ALL if isinstance(s, DataSurface)]
IDS = lambda s: s.id  # noqa: E731

# Surfaces whose minima are not isolated points: the listed ones are examples.
CURVE_OF_MINIMA = {"deep_linear"}


def random_points(surface: Surface, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    (x0, x1), (y0, y1) = surface.info.domain
    rng = np.random.default_rng(seed)
    return rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)


def assert_close(actual, expected, rtol: float, atol) -> None:
    """assert_allclose, but atol may be an array: one tolerance per point."""
    err = np.abs(np.asarray(actual) - expected)
    bound = atol + rtol * np.abs(expected)
    assert np.all(err <= bound), f"worst excess {np.max(err - bound):.3g}"


def hessian_matrix(surface: Surface, x: float, y: float) -> np.ndarray:
    hxx, hxy, hyy = surface.hessian(float(x), float(y))
    return np.array([[hxx, hxy], [hxy, hyy]])


def test_registry_ids_match_and_lookup_works():
    assert len(SURFACES) == 14
    for sid, surface in SURFACES.items():
        assert surface.id == sid
        assert get_surface(sid) is surface


# ---------------------------------------------------------------- derivatives


@pytest.mark.parametrize("surface", ALL, ids=IDS)
def test_gradient_matches_central_differences(surface):
    x, y = random_points(surface, 40)
    h = 1e-6
    fd_x = (surface.value(x + h, y) - surface.value(x - h, y)) / (2 * h)
    fd_y = (surface.value(x, y + h) - surface.value(x, y - h)) / (2 * h)
    gx, gy = surface.grad(x, y)
    # Rounding in the differences is about eps * |f| / h.
    atol = 1e-14 * (1.0 + np.abs(surface.value(x, y))) / h
    assert_close(gx, fd_x, rtol=1e-6, atol=atol)
    assert_close(gy, fd_y, rtol=1e-6, atol=atol)


@pytest.mark.parametrize("surface", ALL, ids=IDS)
def test_hessian_matches_central_differences_of_gradient(surface):
    x, y = random_points(surface, 40, seed=1)
    h = 1e-6
    gx_px, gy_px = surface.grad(x + h, y)
    gx_mx, gy_mx = surface.grad(x - h, y)
    gx_py, gy_py = surface.grad(x, y + h)
    gx_my, gy_my = surface.grad(x, y - h)
    hxx, hxy, hyy = surface.hessian(x, y)
    gx, gy = surface.grad(x, y)
    atol = 1e-14 * (1.0 + np.hypot(gx, gy)) / h
    assert_close(hxx, (gx_px - gx_mx) / (2 * h), rtol=1e-6, atol=atol)
    assert_close(hyy, (gy_py - gy_my) / (2 * h), rtol=1e-6, atol=atol)
    assert_close(hxy, (gx_py - gx_my) / (2 * h), rtol=1e-6, atol=atol)
    assert_close(hxy, (gy_px - gy_mx) / (2 * h), rtol=1e-6, atol=atol)


@pytest.mark.parametrize("surface", ALL, ids=IDS)
def test_floats_and_arrays_give_the_same_numbers(surface):
    x, y = random_points(surface, 12, seed=2)
    as_array = [
        (surface.value(x, y),),
        surface.grad(x, y),
        surface.hessian(x, y),
    ]
    for i, (a, b) in enumerate(zip(x.tolist(), y.tolist(), strict=True)):
        as_float = [(surface.value(a, b),), surface.grad(a, b), surface.hessian(a, b)]
        for floats, arrays in zip(as_float, as_array, strict=True):
            for f, arr in zip(floats, arrays, strict=True):
                assert type(f) is float
                assert f == pytest.approx(float(arr[i]), rel=1e-13, abs=1e-12)


@pytest.mark.parametrize("surface", ALL, ids=IDS)
def test_value_grad_is_value_and_grad(surface):
    x, y = random_points(surface, 6, seed=8)
    for args in [(x, y), *zip(x.tolist(), y.tolist(), strict=True)]:
        together = surface.value_grad(*args)
        apart = (surface.value(*args), *surface.grad(*args))
        for a, b in zip(together, apart, strict=True):
            assert type(a) is type(b)
            np.testing.assert_allclose(a, b, rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize("surface", ALL, ids=IDS)
def test_any_array_shape_answers_in_kind(surface):
    x, y = random_points(surface, 12, seed=3)
    flat = [(surface.value(x, y),), surface.grad(x, y), surface.hessian(x, y)]
    x2, y2 = x.reshape(3, 4), y.reshape(3, 4)
    shaped = [(surface.value(x2, y2),), surface.grad(x2, y2), surface.hessian(x2, y2)]
    for parts_flat, parts_shaped in zip(flat, shaped, strict=True):
        for a, b in zip(parts_flat, parts_shaped, strict=True):
            assert np.shape(b) == (3, 4)
            np.testing.assert_array_equal(np.reshape(a, (3, 4)), b)


# ---------------------------------------------------------------- metadata


def gradient_tolerance(surface: Surface, p) -> float:
    """Zero to float precision: rounding in the gradient scales with the curvature there."""
    scale = np.abs(np.linalg.eigvalsh(hessian_matrix(surface, *p))).max()
    return 1e-12 * (1.0 + scale) * (1.0 + np.hypot(*p))


@pytest.mark.parametrize("surface", ALL, ids=IDS)
def test_minima_are_stationary_and_convex_there(surface):
    for p in surface.info.minima:
        gx, gy = surface.grad(*p)
        assert math.hypot(gx, gy) <= gradient_tolerance(surface, p), p
        eig = np.linalg.eigvalsh(hessian_matrix(surface, *p))
        assert eig[0] >= -1e-12 * abs(eig[1]), (p, eig)


@pytest.mark.parametrize("surface", ALL, ids=IDS)
def test_first_minimum_is_global_over_the_minima_and_the_domain(surface):
    minima = surface.info.minima
    if not minima:
        return
    best = surface.value(*minima[0])
    for p in minima:
        assert surface.value(*p) >= best - 1e-12
    (x0, x1), (y0, y1) = surface.info.domain
    z = surface.grid(np.linspace(x0, x1, 301), np.linspace(y0, y1, 301))
    assert best <= z.min() + 1e-12


@pytest.mark.parametrize("surface", ALL, ids=IDS)
def test_points_are_distinct_and_inside_the_domain(surface):
    (x0, x1), (y0, y1) = surface.info.domain
    points = surface.info.minima + surface.info.saddles + surface.info.maxima
    assert len(set(points)) == len(points)
    for x, y in (*points, surface.info.default_start):
        assert type(x) is float and type(y) is float
        assert x0 <= x <= x1 and y0 <= y <= y1


@pytest.mark.parametrize("surface", [s for s in ALL if s.id not in CURVE_OF_MINIMA], ids=IDS)
def test_every_minimum_in_the_domain_is_listed(surface):
    """Descent (scipy BFGS) from every point of a fine grid that is lower than its 8
    neighbours ends at a listed minimum or leaves the domain."""
    (x0, x1), (y0, y1) = surface.info.domain
    n = 401
    xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
    z = surface.grid(xs, ys)
    inner = z[1:-1, 1:-1]
    lowest = np.ones_like(inner, dtype=bool)
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            if di or dj:
                lowest &= inner < z[1 + di : n - 1 + di, 1 + dj : n - 1 + dj]
    rows, cols = np.nonzero(lowest)
    minima = np.array(surface.info.minima).reshape(-1, 2)
    for i, j in zip(rows + 1, cols + 1, strict=True):
        end = scipy.optimize.minimize(
            lambda p: surface.value(p[0], p[1]),
            [xs[j], ys[i]],
            jac=lambda p: np.array(surface.grad(p[0], p[1])),
            method="BFGS",
            options={"gtol": 1e-10},
        ).x
        if not (x0 <= end[0] <= x1 and y0 <= end[1] <= y1):
            continue
        dist = np.hypot(*(minima - end).T) if len(minima) else np.array([np.inf])
        assert dist.min() < 1e-4, (surface.id, xs[j], ys[i], end)


@pytest.mark.parametrize("surface", ALL, ids=IDS)
def test_saddles_are_stationary_and_indefinite(surface):
    for p in surface.info.saddles:
        gx, gy = surface.grad(*p)
        assert math.hypot(gx, gy) <= gradient_tolerance(surface, p), p
        eig = np.linalg.eigvalsh(hessian_matrix(surface, *p))
        if np.all(eig == 0.0):
            # Degenerate (the monkey saddle): f is both above and below f(p) on a small circle.
            angles = np.linspace(0.0, 2 * np.pi, 24, endpoint=False)
            around = surface.value(p[0] + 1e-3 * np.cos(angles), p[1] + 1e-3 * np.sin(angles))
            f0 = surface.value(*p)
            assert around.min() < f0 < around.max()
        else:
            assert eig[0] < 0.0 < eig[1], (p, eig)


@pytest.mark.parametrize("surface", ALL, ids=IDS)
def test_maxima_are_stationary_and_concave_there(surface):
    for p in surface.info.maxima:
        gx, gy = surface.grad(*p)
        assert math.hypot(gx, gy) <= gradient_tolerance(surface, p), p
        eig = np.linalg.eigvalsh(hessian_matrix(surface, *p))
        assert eig[1] < 0.0, (p, eig)


@pytest.mark.parametrize("surface", [s for s in ALL if s.id not in CURVE_OF_MINIMA], ids=IDS)
def test_every_maximum_in_the_domain_is_listed(surface):
    """Ascent from every grid point higher than its 8 neighbours ends at a listed maximum
    or leaves the domain."""
    (x0, x1), (y0, y1) = surface.info.domain
    n = 201
    xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
    z = surface.grid(xs, ys)
    inner = z[1:-1, 1:-1]
    highest = np.ones_like(inner, dtype=bool)
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            if di or dj:
                highest &= inner > z[1 + di : n - 1 + di, 1 + dj : n - 1 + dj]
    rows, cols = np.nonzero(highest)
    maxima = np.array(surface.info.maxima).reshape(-1, 2)
    for i, j in zip(rows + 1, cols + 1, strict=True):
        end = scipy.optimize.minimize(
            lambda p: -surface.value(p[0], p[1]),
            [xs[j], ys[i]],
            jac=lambda p: -np.array(surface.grad(p[0], p[1])),
            method="BFGS",
            options={"gtol": 1e-10},
        ).x
        if not (x0 <= end[0] <= x1 and y0 <= end[1] <= y1):
            continue
        dist = np.hypot(*(maxima - end).T) if len(maxima) else np.array([np.inf])
        assert dist.min() < 1e-4, (surface.id, xs[j], ys[i], end)


def test_the_monkey_saddle_is_degenerate():
    assert hessian_matrix(get_surface("monkey_saddle"), 0.0, 0.0).tolist() == [[0, 0], [0, 0]]


def test_known_counts_of_minima_and_saddles():
    counts = {s.id: (len(s.info.minima), len(s.info.saddles)) for s in ALL}
    assert counts["himmelblau"] == (4, 4)
    assert counts["six_hump_camel"] == (6, 7)
    assert counts["rastrigin"] == (121, 220)
    assert counts["ackley"] == (121, 220)
    maxima = {s.id: len(s.info.maxima) for s in ALL if s.info.maxima}
    assert maxima == {"himmelblau": 1, "six_hump_camel": 2, "rastrigin": 100, "ackley": 100}


@pytest.mark.parametrize("surface", ALL, ids=IDS)
def test_convex_flag_matches_the_hessian(surface):
    (x0, x1), (y0, y1) = surface.info.domain
    x, y = np.meshgrid(np.linspace(x0, x1, 60), np.linspace(y0, y1, 60))
    hxx, hxy, hyy = np.broadcast_arrays(*surface.hessian(x, y))
    h = np.stack([np.stack([hxx, hxy], -1), np.stack([hxy, hyy], -1)], -2)
    eig = np.linalg.eigvalsh(h)
    if surface.info.convex:
        assert np.all(eig[..., 0] >= -1e-12 * np.abs(eig[..., 1]))
    else:
        assert np.any(eig[..., 0] < 0.0)


@pytest.mark.parametrize("surface", ALL, ids=IDS)
def test_default_start_is_not_stationary(surface):
    gx, gy = surface.grad(*surface.info.default_start)
    assert math.hypot(gx, gy) > 1e-2


@pytest.mark.parametrize("surface", ALL, ids=IDS)
def test_metadata_is_filled_in(surface):
    info = surface.info
    assert info.name and info.formula
    assert info.description.count(". ") >= 1
    assert info.domain[0][0] < info.domain[0][1] and info.domain[1][0] < info.domain[1][1]


def test_ackley_origin_is_finite_with_zero_gradient():
    ackley = get_surface("ackley")
    assert ackley.value(0.0, 0.0) == 0.0
    assert ackley.grad(0.0, 0.0) == (0.0, 0.0)
    h = hessian_matrix(ackley, 0.0, 0.0)
    assert np.all(np.isfinite(h)) and np.linalg.eigvalsh(h)[0] > 1e6
    gx, gy = ackley.grad(np.zeros(3), np.array([0.0, 1e-200, -1e-3]))
    assert np.all(np.isfinite(gx)) and np.all(np.isfinite(gy)) and gx[0] == gy[0] == 0.0


def test_overflow_gives_inf_not_an_exception():
    for sid in ("rosenbrock", "beale", "himmelblau", "six_hump_camel", "monkey_saddle"):
        v = get_surface(sid).value(1e200, 1e200)
        assert math.isinf(v) or math.isnan(v)


# ---------------------------------------------------------------- grids


@pytest.mark.parametrize("surface", ALL, ids=IDS)
def test_grid_matches_value(surface):
    (x0, x1), (y0, y1) = surface.info.domain
    xs, ys = np.linspace(x0, x1, 37), np.linspace(y0, y1, 23)
    z = surface.grid(xs, ys)
    assert z.shape == (23, 37)
    expected = np.array([[surface.value(float(a), float(b)) for a in xs] for b in ys])
    np.testing.assert_allclose(z, expected, rtol=1e-12, atol=1e-12 * np.abs(expected).max())


# ---------------------------------------------------------------- data surfaces


def _softplus(z):
    return np.logaddexp(0.0, z)


# Each data surface's loss on one sample, written out independently of the surface code.
SAMPLE_LOSS = {
    "linear_regression": lambda w, b, x, t: (w * x + b - t) ** 2,
    "logistic_regression": lambda w, b, x, t: _softplus(w * x + b) - t * (w * x + b),
    "deep_linear": lambda w1, w2, x, t: (w2 * w1 * x - t) ** 2,
}


def test_every_data_surface_has_a_reference_loss():
    assert {s.id for s in DATA} == set(SAMPLE_LOSS)


@pytest.mark.parametrize("surface", DATA, ids=IDS)
def test_value_is_the_mean_sample_loss(surface):
    x, y = random_points(surface, 5, seed=4)
    loss = SAMPLE_LOSS[surface.id]
    data = surface.inputs, surface.targets
    expected = [np.mean(loss(a, b, *data)) for a, b in zip(x, y, strict=True)]
    np.testing.assert_allclose(surface.value(x, y), expected, rtol=1e-12)
    assert 64 <= surface.n_samples <= 200


@pytest.mark.parametrize("surface", DATA, ids=IDS)
def test_batch_grad_over_all_samples_is_the_gradient(surface):
    x, y = random_points(surface, 6, seed=5)
    idx = np.tile(np.arange(surface.n_samples), (6, 1))
    bx, by = surface.batch_grad(x, y, idx)
    gx, gy = surface.grad(x, y)
    assert bx.shape == by.shape == (6,)
    np.testing.assert_allclose(bx, gx, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(by, gy, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("surface", DATA, ids=IDS)
def test_batch_grad_of_one_sample_matches_its_finite_differences(surface):
    x, y = random_points(surface, 8, seed=6)
    idx = np.arange(8)[:, None] * 7 % surface.n_samples
    xi, ti = surface.inputs[idx[:, 0]], surface.targets[idx[:, 0]]
    loss = SAMPLE_LOSS[surface.id]
    h = 1e-6
    fd_x = (loss(x + h, y, xi, ti) - loss(x - h, y, xi, ti)) / (2 * h)
    fd_y = (loss(x, y + h, xi, ti) - loss(x, y - h, xi, ti)) / (2 * h)
    bx, by = surface.batch_grad(x, y, idx)
    np.testing.assert_allclose(bx, fd_x, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(by, fd_y, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("surface", DATA, ids=IDS)
def test_mini_batch_gradients_differ_from_the_full_gradient(surface):
    x0, y0 = surface.info.default_start
    rng = np.random.default_rng(7)
    idx = np.stack([rng.choice(surface.n_samples, 10, replace=False) for _ in range(4)])
    x, y = np.full(4, x0), np.full(4, y0)
    bx, by = surface.batch_grad(x, y, idx)
    gx, gy = surface.grad(x0, y0)
    gnorm = math.hypot(gx, gy)
    assert np.all(np.hypot(bx - gx, by - gy) > 1e-3 * gnorm)
    assert len({round(v, 12) for v in bx}) == 4  # and from each other


@pytest.mark.parametrize("surface", DATA, ids=IDS)
def test_data_set_is_deterministic(surface):
    again = type(surface)()
    np.testing.assert_array_equal(again.inputs, surface.inputs)
    np.testing.assert_array_equal(again.targets, surface.targets)
    assert again.info == surface.info
    assert np.unique(surface.inputs).size == surface.n_samples


@pytest.mark.parametrize("surface", DATA, ids=IDS)
def test_chunking_does_not_change_the_numbers(surface, monkeypatch):
    x, y = np.meshgrid(*(np.linspace(lo, hi, 30) for lo, hi in surface.info.domain))
    whole = [surface.value(x, y), *surface.grad(x, y), *surface.hessian(x, y)]
    monkeypatch.setattr(data_module, "_CHUNK_ELEMENTS", 1000)
    chunked = [surface.value(x, y), *surface.grad(x, y), *surface.hessian(x, y)]
    for a, b in zip(whole, chunked, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-14, atol=1e-15)


def test_regression_minima_are_the_closed_form_and_newton_fits():
    lin = get_surface("linear_regression")
    design = np.column_stack([lin.inputs, np.ones(lin.n_samples)])
    w, b = np.linalg.solve(design.T @ design, design.T @ lin.targets)
    assert lin.info.minima[0] == pytest.approx((w, b), rel=1e-12)
    logistic = get_surface("logistic_regression")
    assert math.hypot(*logistic.grad(*logistic.info.minima[0])) < 1e-12


def test_deep_linear_minima_lie_on_the_hyperbola():
    deep = get_surface("deep_linear")
    for w1, w2 in deep.info.minima:
        assert w1 * w2 == 1.0 and deep.value(w1, w2) == 0.0
