"""POST /api/curvature: columns per point, nulls for the undefined, caps and errors."""

import json
import math

import numpy as np
import pytest

from gradscape.config import Settings, get_settings


def strict_json(text: str):
    return json.loads(text, parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}"))


def test_ravine_curvature_is_the_closed_form(client):
    r = client.post("/api/curvature", json={"surface": "ravine", "points": [[1, 0.5], [-2, 0]]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {
        "value",
        "gradient",
        "hessian",
        "eigenvalues",
        "eigenvectors",
        "kind",
        "condition_number",
        "max_stable_lr",
    }
    assert all(len(v) == 2 for v in body.values())
    assert body["value"] == [pytest.approx(0.5 * (1 + 25 * 0.25)), pytest.approx(2.0)]
    assert body["gradient"][0] == [pytest.approx(1.0), pytest.approx(12.5)]
    assert body["hessian"][1] == [[1, 0], [0, 25]]
    assert body["eigenvalues"][0] == [1, 25]
    v1, v2 = np.abs(body["eigenvectors"][0])
    assert v1.tolist() == [1, 0] and v2.tolist() == [0, 1]
    assert body["kind"] == ["minimum", "minimum"]
    assert body["condition_number"][0] == pytest.approx(25)
    assert body["max_stable_lr"][0] == pytest.approx(0.08)


def test_undefined_entries_are_null_never_nan(client):
    # saddle: no positive... it has one; a maximum has none. Himmelblau's hump is a maximum.
    pts = [[-0.27084459066734756, -0.9230385564799816], [0.0, 0.0]]
    r = client.post("/api/curvature", json={"surface": "himmelblau", "points": pts})
    body = strict_json(r.text)
    assert body["kind"][0] == "maximum" and body["max_stable_lr"][0] is None
    r = client.post("/api/curvature", json={"surface": "monkey_saddle", "points": [[0, 0]]})
    body = strict_json(r.text)
    assert body["kind"] == ["flat"] and body["condition_number"] == [None]
    assert body["max_stable_lr"] == [None]
    r = client.post("/api/curvature", json={"surface": "rosenbrock", "points": [[1e300, 1e300]]})
    body = strict_json(r.text)
    assert r.status_code == 200 and body["value"] == [None]


def test_eigenvectors_are_unit_and_match_their_eigenvalues(client):
    pts = [[0.3, -0.7], [-1.2, 1.9], [2.0, -1.0]]
    body = client.post("/api/curvature", json={"surface": "rosenbrock", "points": pts}).json()
    for h, lam, vecs in zip(
        body["hessian"], body["eigenvalues"], body["eigenvectors"], strict=True
    ):
        assert lam[0] <= lam[1]
        for value, v in zip(lam, vecs, strict=True):
            assert math.hypot(*v) == pytest.approx(1.0)
            hv = np.array(h) @ np.array(v)
            np.testing.assert_allclose(hv, value * np.array(v), atol=1e-9 * abs(lam[1]))


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"surface": "nope", "points": [[0, 0]]}, ["body", "surface"]),
        ({"surface": "ravine", "points": []}, ["body", "points"]),
        ({"surface": "ravine", "points": [[0]]}, ["body", "points", 0]),
        ({"surface": "ravine"}, ["body", "points"]),
    ],
)
def test_bad_input_names_the_field(client, body, loc):
    r = client.post("/api/curvature", json=body)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][: len(loc)] == loc


def test_non_finite_points_are_refused(client):
    raw = '{"surface": "ravine", "points": [[NaN, 0]]}'
    r = client.post("/api/curvature", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][:2] == ["body", "points"]


def test_points_are_capped(client, app):
    app.dependency_overrides[get_settings] = lambda: Settings(max_curvature_points=3)
    r = client.post("/api/curvature", json={"surface": "ravine", "points": [[0, 0]] * 4})
    assert r.status_code == 422
    assert (
        r.json()["detail"][0]["loc"] == ["body", "points"] and "3" in r.json()["detail"][0]["msg"]
    )
    assert client.post(
        "/api/curvature", json={"surface": "ravine", "points": [[0, 0]] * 3}
    ).is_success


def test_openapi_documents_curvature_with_examples(client):
    schema = client.get("/openapi.json").json()
    assert "/api/curvature" in schema["paths"]
    models = schema["components"]["schemas"]
    assert models["CurvatureRequest"]["examples"] and models["CurvatureResponse"]["examples"]
    assert "saddle" in models["CurvatureResponse"]["properties"]["kind"]["description"]


HUMP = (-0.2708445906673476, -0.9230385564799816)  # Himmelblau's local maximum


def test_newton_on_himmelblau_says_it_reached_a_maximum(client):
    body = {"surface": "himmelblau", "optimizer": "newton", "params": {"lr": 1}}
    r = client.post("/api/runs", json=body).json()
    assert r["status"] == "converged"
    assert math.dist(r["points"][-1], HUMP) < 1e-5  # independent: the listed maximum
    assert r["stationary_kind"] == "maximum"
    assert "maximum, not a minimum" in r["message"]
    info = next(s for s in client.get("/api/surfaces").json() if s["id"] == "himmelblau")
    assert info["maxima"] == [list(HUMP)]


def test_stationary_kind_in_stream_batch_and_only_when_converged(client):
    saddle = {"surface": "saddle", "optimizer": "newton", "params": {"lr": 1}, "start": [-1.5, 1]}
    bowl = {"surface": "quadratic", "optimizer": "sgd", "params": {"lr": 0.5}}
    short = {**bowl, "steps": 3}
    runs = client.post("/api/runs/batch", json={"runs": [saddle, bowl, short]}).json()["runs"]
    assert [r["stationary_kind"] for r in runs] == ["saddle", "minimum", None]
    assert runs[2]["status"] == "completed"
    with client.stream("POST", "/api/runs/stream", json=saddle) as s:
        text = "".join(s.iter_text())
    done = json.loads(text.split("event: done\ndata:")[1].split("\n\n")[0])
    assert done["stationary_kind"] == "saddle" and "saddle point, not a minimum" in done["message"]
