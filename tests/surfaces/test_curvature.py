"""Curvature (eigen-decomposition of the Hessian) against numpy.linalg.eigh and differences."""

import numpy as np
import pytest

from gradscape.surfaces import SURFACES, get_surface
from gradscape.surfaces.curvature import KINDS, curvature, symmetric_eigh

ALL = list(SURFACES.values())


def random_points(surface, n=60, seed=1):
    (x0, x1), (y0, y1) = surface.info.domain
    rng = np.random.default_rng(seed)
    return rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)


def test_closed_form_matches_numpy_eigh_on_random_symmetric_matrices():
    rng = np.random.default_rng(0)
    scale = 10.0 ** rng.uniform(-6, 6, (3, 2000))
    a, b, c = rng.standard_normal((3, 2000)) * scale
    b[:50] = 0.0  # already diagonal
    a[50:100] = c[50:100]  # equal diagonal
    l1, l2, v1, v2 = symmetric_eigh(a, b, c)
    mats = np.stack([np.stack([a, b], -1), np.stack([b, c], -1)], -2)
    ref_l, ref_v = np.linalg.eigh(mats)
    size = np.max(np.abs(ref_l), axis=1)
    np.testing.assert_array_less(np.abs(l1 - ref_l[:, 0]), 1e-12 * size + 1e-300)
    np.testing.assert_array_less(np.abs(l2 - ref_l[:, 1]), 1e-12 * size + 1e-300)
    for v, lam in ((v1, l1), (v2, l2)):
        np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, rtol=1e-14)
        residual = np.einsum("nij,nj->ni", mats, v) - lam[:, None] * v
        assert np.all(np.linalg.norm(residual, axis=1) <= 1e-11 * size)
    # Where the eigenvalues are distinct, the vectors are eigh's up to sign.
    distinct = (ref_l[:, 1] - ref_l[:, 0]) > 1e-3 * size
    for i, v in enumerate((v1, v2)):
        dots = np.abs(np.einsum("ni,ni->n", v, ref_v[:, :, i]))[distinct]
        np.testing.assert_allclose(dots, 1.0, atol=1e-9)


def test_tiny_eigenvalue_beside_a_large_one_keeps_its_digits():
    # [[1e8, 1e4], [1e4, 1 + 1]]: eigenvalues ~1e8 and ~1 (det / trace); m - r would lose them.
    a, b, c = np.array([1e8]), np.array([1e4]), np.array([2.0])
    l1, l2, _, _ = symmetric_eigh(a, b, c)
    det = a * c - b * b
    assert l1[0] == pytest.approx(det[0] / l2[0], rel=1e-15)
    assert l1[0] == pytest.approx(1.0, rel=1e-6)


@pytest.mark.parametrize("surface", ALL, ids=lambda s: s.id)
def test_curvature_matches_finite_differences_and_eigh(surface):
    x, y = random_points(surface)
    c = curvature(surface, x, y)
    h = 1e-5
    gx_p, gy_p = surface.grad(x + h, y)
    gx_m, gy_m = surface.grad(x - h, y)
    hx_p, hy_p = surface.grad(x, y + h)
    hx_m, hy_m = surface.grad(x, y - h)
    fd = np.stack(
        [
            np.stack([(gx_p - gx_m) / (2 * h), (gy_p - gy_m) / (2 * h)], -1),
            np.stack([(hx_p - hx_m) / (2 * h), (hy_p - hy_m) / (2 * h)], -1),
        ],
        -2,
    )
    scale = 1.0 + np.max(np.abs(c.hessian), axis=(1, 2))
    err = np.max(np.abs(c.hessian - fd), axis=(1, 2))
    assert np.all(err <= 1e-5 * scale), f"worst {np.max(err / scale):.3g}"
    ref_l = np.linalg.eigh(c.hessian)[0]
    np.testing.assert_allclose(c.eigenvalues, ref_l, rtol=0, atol=1e-10 * float(np.max(scale)))
    assert np.all(np.isfinite(c.value)) and c.value == pytest.approx(surface.value(x, y))
    lmax = c.eigenvalues[:, 1]
    expected = np.where(lmax > 0, 2 / np.where(lmax > 0, lmax, 1), np.nan)
    np.testing.assert_allclose(c.max_stable_lr, expected, rtol=1e-15)
    assert set(c.kind) <= set(KINDS)


def test_kinds_at_known_points():
    him = get_surface("himmelblau")
    pts = np.array([[3.0, 2.0], [-0.270845, -0.923039], [0.08667750, 2.88425470]])
    assert curvature(him, pts[:, 0], pts[:, 1]).kind == ["minimum", "maximum", "saddle"]
    monkey = get_surface("monkey_saddle")
    assert curvature(monkey, np.array([0.0]), np.array([0.0])).kind == ["flat"]
    ravine = curvature(get_surface("ravine"), np.array([1.0]), np.array([0.5]))
    assert ravine.condition_number[0] == pytest.approx(25.0)
    assert ravine.max_stable_lr[0] == pytest.approx(2 / 25)
    np.testing.assert_allclose(np.abs(ravine.eigenvectors[0]), np.eye(2), atol=1e-15)
    saddle = curvature(get_surface("saddle"), np.array([0.3]), np.array([0.2]))
    assert saddle.eigenvalues[0].tolist() == [-2.0, 2.0]
    assert saddle.condition_number[0] == pytest.approx(1.0)
