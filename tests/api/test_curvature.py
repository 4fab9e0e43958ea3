"""POST /api/curvature (minimal 8a version): gradients against central differences, Hessian
eigen-decomposition against numpy.linalg, kinds of known stationary points."""

import numpy as np
import pytest

from gradscape.surfaces import SURFACES

POINTS = [[-1.2, 0.7], [0.3, -0.4], [1.1, 1.3]]


@pytest.mark.parametrize("surface_id", sorted(SURFACES))
def test_gradient_matches_central_differences(client, surface_id):
    answer = client.post("/api/curvature", json={"surface": surface_id, "points": POINTS}).json()
    s = SURFACES[surface_id]
    h = 1e-6
    for (x, y), g, v in zip(POINTS, answer["gradient"], answer["value"], strict=True):
        fd = [
            (s.value(x + h, y) - s.value(x - h, y)) / (2 * h),
            (s.value(x, y + h) - s.value(x, y - h)) / (2 * h),
        ]
        assert g == pytest.approx(fd, rel=1e-5, abs=1e-5)
        assert v == pytest.approx(float(s.value(x, y)), rel=1e-12)


def test_eigen_decomposition_matches_numpy_linalg(client):
    answer = client.post("/api/curvature", json={"surface": "rosenbrock", "points": POINTS}).json()
    for hess, lam, vecs, cond, lr in zip(
        answer["hessian"],
        answer["eigenvalues"],
        answer["eigenvectors"],
        answer["condition_number"],
        answer["max_stable_lr"],
        strict=True,
    ):
        reference = np.linalg.eigvalsh(np.array(hess))
        assert lam == pytest.approx(reference.tolist(), rel=1e-12)
        for value, v in zip(lam, vecs, strict=True):
            assert np.array(hess) @ np.array(v) == pytest.approx(value * np.array(v), abs=1e-9)
        assert cond == pytest.approx(max(map(abs, lam)) / min(map(abs, lam)))
        assert lr == (pytest.approx(2 / lam[1]) if lam[1] > 0 else None)


def test_kinds_of_known_points(client):
    kinds = client.post("/api/curvature", json={"surface": "saddle", "points": [[0, 0]]}).json()[
        "kind"
    ]
    assert kinds == ["saddle"]
    kinds = client.post(
        "/api/curvature", json={"surface": "quadratic", "points": [[0, 0], [1, 2]]}
    ).json()["kind"]
    assert kinds == ["minimum", "minimum"]


def test_unknown_surface_and_bad_points_are_422(client):
    r = client.post("/api/curvature", json={"surface": "nope", "points": [[0, 0]]})
    assert r.status_code == 422 and "surface" in r.text
    r = client.post("/api/curvature", json={"surface": "quadratic", "points": [[0, "a"]]})
    assert r.status_code == 422
    r = client.post("/api/curvature", json={"surface": "quadratic", "points": []})
    assert r.status_code == 422
