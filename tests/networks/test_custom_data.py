"""Your own data: {"x", "y", "task"} in place of a data set id, checked and split like one."""

import json
import math

import numpy as np
import pytest

from gradscape.config import Settings, get_settings
from gradscape.networks import build_network_spec, make_dataset, train

RUN = {
    "hidden": [8, 8],
    "steps": 150,
    "optimizer": "adam",
    "params": {"lr": 0.03},
    "landscape": None,
}


def moons_points(n: int = 120) -> dict:
    data = make_dataset("moons", n, 0.1, seed=4)
    return {"x": data.x.tolist(), "y": data.y.tolist(), "task": "binary"}


def test_own_points_train_like_a_built_in_set(client):
    points = moons_points()
    body = client.post("/api/networks/runs", json={**RUN, "dataset": points}).json()
    assert body["status"] == "completed"
    assert body["accuracy"][-1] >= 0.9 and body["loss"][-1] < 0.5 * body["loss"][0]
    assert set(body["boundary"]) == {"x", "y", "z"}


def test_split_is_the_last_fifth_after_a_seeded_shuffle():
    points = moons_points(100)
    a = build_network_spec(dataset=points, seed=1)
    b = build_network_spec(dataset=points, seed=1)
    c = build_network_spec(dataset=points, seed=2)
    assert a.data.n_train == 80 and len(a.data.x) == 100
    np.testing.assert_array_equal(a.data.x, b.data.x)
    assert not np.array_equal(a.data.x, c.data.x)
    # The same points, reordered; labels travel with their points.
    original = {(tuple(p), label) for p, label in zip(points["x"], points["y"], strict=True)}
    assert {(tuple(p), int(label)) for p, label in zip(a.data.x, a.data.y, strict=True)} == original
    assert a.data_key == b.data_key != build_network_spec(dataset=moons_points(90)).data_key


def test_regression_points_fit_a_curve():
    x = np.linspace(-3, 3, 60)
    points = {"x": x[:, None].tolist(), "y": np.sin(x).tolist(), "task": "regression"}
    result = train(build_network_spec(dataset=points, **{**RUN, "steps": 300}))
    assert result["accuracy"] is None
    assert result["loss"][-1] < 0.1 * result["loss"][0]
    assert len(result["boundary"]["x"]) == len(result["boundary"]["y"]) == 200


def test_multiclass_labels_set_the_class_count():
    rng = np.random.default_rng(0)
    y = np.arange(60) % 4
    x = np.column_stack([np.cos(y * 1.6), np.sin(y * 1.6)]) + 0.1 * rng.standard_normal((60, 2))
    spec = build_network_spec(dataset={"x": x.tolist(), "y": y.tolist(), "task": "multiclass"})
    assert spec.kind.classes == 4 and spec.mlp.sizes[-1] == 4


def bad(points: dict, **change) -> dict:
    return {**points, **change}


POINTS = moons_points(40)
NAN_AT_17 = [row[:] for row in POINTS["x"]]
NAN_AT_17[17][0] = math.nan


@pytest.mark.parametrize(
    ("dataset", "loc"),
    [
        (bad(POINTS, x=NAN_AT_17), ["body", "dataset", "x", 17, 0]),
        (bad(POINTS, x=[*POINTS["x"][:5], [1.0], *POINTS["x"][6:]]), ["body", "dataset", "x", 5]),
        (
            bad(POINTS, x=[*POINTS["x"][:3], [1.0, "a"], *POINTS["x"][4:]]),
            ["body", "dataset", "x", 3, 1],
        ),
        (
            bad(POINTS, x=[*POINTS["x"][:2], [1e300, 0.0], *POINTS["x"][3:]]),
            ["body", "dataset", "x", 2, 0],
        ),
        (bad(POINTS, y=POINTS["y"][:-1]), ["body", "dataset", "y"]),
        (bad(POINTS, y=[*POINTS["y"][:9], 2, *POINTS["y"][10:]]), ["body", "dataset", "y", 9]),
        (bad(POINTS, y=[*POINTS["y"][:9], 0.5, *POINTS["y"][10:]]), ["body", "dataset", "y", 9]),
        (bad(POINTS, y=[0] * 40), ["body", "dataset", "y"]),
        (
            bad(POINTS, y=[*POINTS["y"][:7], 10, *POINTS["y"][8:]], task="multiclass"),
            ["body", "dataset", "y", 7],
        ),
        (bad(POINTS, x=POINTS["x"][:9], y=POINTS["y"][:9]), ["body", "dataset", "x"]),
        (bad(POINTS, task="clustering"), ["body", "dataset", "task"]),
        (bad(POINTS, task="regression"), ["body", "dataset", "x", 0]),
        ({"x": POINTS["x"], "y": POINTS["y"]}, ["body", "dataset", "task"]),
        ({**POINTS, "extra": 1}, ["body", "dataset", "extra"]),
        ([1, 2], ["body", "dataset"]),
    ],
)
def test_bad_points_answer_422_naming_their_place(client, dataset, loc):
    body = json.dumps({**RUN, "dataset": dataset}, allow_nan=True)
    for path in ("/api/networks/runs", "/api/networks/runs/stream"):
        response = client.post(path, content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 422, response.text
        assert response.json()["detail"][0]["loc"] == loc
    batch = json.dumps({"runs": [RUN, {**RUN, "dataset": dataset}]}, allow_nan=True)
    response = client.post(
        "/api/networks/batch", content=batch, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "runs", 1, *loc[1:]]


def test_the_sample_cap_applies(app, client):
    app.dependency_overrides[get_settings] = lambda: Settings(max_network_samples=30)
    response = client.post("/api/networks/runs", json={**RUN, "dataset": POINTS})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "dataset", "x"]
    assert "30" in response.json()["detail"][0]["msg"]


def test_the_page_sees_the_split_a_run_trains_on(client):
    points = moons_points(50)
    shown = client.post("/api/networks/dataset", json={**points, "seed": 3}).json()
    spec = build_network_spec(dataset=points, data_seed=3, seed=8)
    assert shown["n_train"] == spec.data.n_train == 40
    np.testing.assert_array_equal(shown["x"], spec.data.x)
    np.testing.assert_array_equal(shown["y"], spec.data.y)
    bad = client.post(
        "/api/networks/dataset", json={**points, "y": [*points["y"][:4], 7, *points["y"][5:]]}
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "y", 4]
