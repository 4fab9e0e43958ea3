"""POST /api/networks/batch and its stream: runs trained together, one shared landscape."""

import json
import threading
import time

import numpy as np
import pytest

from gradscape.api import cost
from gradscape.config import Settings, get_settings
from gradscape.deadline import Cancelled, Deadline
from gradscape.networks import build_network_spec, stream_batch, train, train_batch
from gradscape.networks.mlp import MLP

from .test_api import parse_sse

BASE = {
    "dataset": "moons",
    "samples": 100,
    "hidden": [8, 8],
    "activation": "relu",
    "steps": 40,
    "seed": 0,
    "landscape": {"directions": "pca", "resolution": 11},
}
MIXED = [
    {**BASE, "optimizer": "adam", "params": {"lr": 0.02}},
    {**BASE, "optimizer": "sgd", "params": {"lr": 0.5}, "batch_size": 16},
    {**BASE, "optimizer": "sgd", "params": {"lr": 0.5}, "batch_size": 1, "seed": 3},
    {**BASE, "optimizer": "momentum", "params": {"lr": 0.05}, "schedule": {"name": "cosine"}},
    {**BASE, "optimizer": "rmsprop", "params": {"lr": 0.003}, "sharpness_every": 7},
    {**BASE, "optimizer": "sgd", "params": {"lr": 400.0}},  # diverges at step 2
]
CURVES = ("loss", "val_loss", "accuracy", "val_accuracy", "lr", "sharpness")


def test_each_run_answers_as_it_would_alone(client):
    response = client.post("/api/networks/batch", json={"runs": MIXED})
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["runs"]) == len(MIXED)
    assert body["runs"][-1]["status"] == "diverged"
    for request, together in zip(MIXED, body["runs"], strict=True):
        alone = client.post("/api/networks/runs", json=request).json()
        assert set(together) == set(alone)
        for key in CURVES:
            np.testing.assert_allclose(
                np.array(
                    together[key] if key != "sharpness" else [s["value"] for s in together[key]],
                    dtype=float,
                ),
                np.array(
                    alone[key] if key != "sharpness" else [s["value"] for s in alone[key]],
                    dtype=float,
                ),
                rtol=1e-10,
                err_msg=key,
            )
        assert [s["step"] for s in together["sharpness"]] == [s["step"] for s in alone["sharpness"]]
        for key in ("status", "steps_taken", "message", "path_steps", "stability"):
            assert together[key] == alone[key], key


def test_runs_share_data_and_initial_weights_unless_the_seed_differs():
    specs = [
        build_network_spec(**{**BASE, "landscape": None}, optimizer="sgd", params={"lr": lr})
        for lr in (0.1, 0.5)
    ]
    specs.append(
        build_network_spec(
            **{**BASE, "landscape": None, "seed": 9, "data_seed": 0}, optimizer="sgd"
        )
    )
    a, b, c = train_batch(specs)["runs"]
    assert a["loss"][0] == b["loss"][0]  # same data, same initial weights
    assert a["loss"][1] != b["loss"][1]  # different learning rates
    assert c["loss"][0] != a["loss"][0]  # its own initial weights ...
    np.testing.assert_array_equal(specs[2].data.x, specs[0].data.x)  # ... on the same data


def test_runs_of_one_shape_are_one_batched_network(monkeypatch):
    """Four full-batch runs cost as many backprop calls as one: arrays (runs, P), no loop."""
    calls: list[int] = []
    original = MLP.value_and_grad

    def counting(self, params, x, y):
        calls.append(len(params))
        return original(self, params, x, y)

    monkeypatch.setattr(MLP, "value_and_grad", counting)
    kwargs = {**BASE, "landscape": None, "sharpness_every": 0, "optimizer": "sgd"}
    train(build_network_spec(**kwargs, params={"lr": 0.1}))
    alone = list(calls)
    calls.clear()
    specs = [build_network_spec(**kwargs, params={"lr": lr}) for lr in (0.1, 0.2, 0.3, 0.4)]
    train_batch(specs)
    assert len(calls) == len(alone) == BASE["steps"] + 1
    assert set(calls) == {4}


def test_shared_landscape_holds_every_path(client):
    runs = [MIXED[0], MIXED[1], MIXED[3]]
    body = client.post("/api/networks/batch", json={"runs": runs}).json()
    land = body["landscape"]
    assert land["directions"] == "pca" and len(land["paths"]) == 3
    assert sum(land["explained_variance"]) <= 1.0 + 1e-12
    centre = len(land["x"]) // 2
    # The plane goes through run 0's final weights, where the loss is its final loss.
    assert land["z"][centre][centre] == pytest.approx(body["runs"][0]["loss"][-1], rel=1e-9)
    assert land["paths"][0]["path"][-1] == [0.0, 0.0]
    for path, run in zip(land["paths"], body["runs"], strict=True):
        assert path["path_steps"] == run["path_steps"]
        assert len(path["path"]) == len(path["path_loss"]) == len(run["path_steps"])
        # Every path lies inside the grid.
        xs = [p[0] for p in path["path"]]
        ys = [p[1] for p in path["path"]]
        assert land["x"][0] <= min(xs) and max(xs) <= land["x"][-1]
        assert land["y"][0] <= min(ys) and max(ys) <= land["y"][-1]
    # The loss under run 0's last path point is the loss at the centre.
    assert land["paths"][0]["path_loss"][-1] == pytest.approx(body["runs"][0]["loss"][-1])


def test_different_shapes_still_train_but_share_no_landscape(client):
    runs = [MIXED[0], {**MIXED[1], "hidden": [4]}]
    body = client.post("/api/networks/batch", json={"runs": runs}).json()
    assert body["landscape"] is None
    alone = client.post("/api/networks/runs", json=runs[1]).json()
    assert body["runs"][1]["loss"] == alone["loss"]


def test_stream_concatenates_to_the_whole_batch(client):
    runs = [MIXED[0], MIXED[2], {**MIXED[1], "hidden": [4]}]
    whole = client.post("/api/networks/batch", json={"runs": runs}).json()
    with client.stream("POST", "/api/networks/batch/stream", json={"runs": runs}) as response:
        assert response.status_code == 200
        events = parse_sse(response.read().decode())
    blocks = [data["runs"] for name, data in events if name is None]
    (done,) = [data for name, data in events if name == "done"]
    for i, answer in enumerate(whole["runs"]):
        mine = [b[i] for b in blocks if b[i] is not None]
        assert [b["start"] for b in mine] == list(
            np.cumsum([0] + [len(b["loss"]) for b in mine[:-1]])
        )
        for key in CURVES:
            assert [v for b in mine for v in b[key]] == answer[key], key
        assert all("boundary" in b for b in mine)
        for key, value in done["runs"][i].items():
            assert answer[key] == value, key
    assert done["landscape"] is None


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"runs": []}, ["body", "runs"]),
        ({"runs": [BASE, {**BASE, "optimizer": "newton"}]}, ["body", "runs", 1, "optimizer"]),
        ({"runs": [BASE, {**BASE, "hidden": [4, 0]}]}, ["body", "runs", 1, "hidden", 1]),
        ({"runs": [{**BASE, "steps": 1.5}]}, ["body", "runs", 0, "steps"]),
        ({"runs": [BASE] * 9}, ["body", "runs"]),
    ],
)
def test_bad_batches_name_the_run_and_field(client, body, loc):
    response = client.post("/api/networks/batch", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == loc
    stream = client.post("/api/networks/batch/stream", json=body)
    assert stream.status_code == 422


def test_run_cap_comes_from_the_settings(app, client):
    app.dependency_overrides[get_settings] = lambda: Settings(max_network_batch_runs=2)
    response = client.post("/api/networks/batch", json={"runs": [BASE] * 3})
    assert response.status_code == 422 and "2" in response.json()["detail"][0]["msg"]
    assert client.get("/api/networks/options").json()["max_runs"] == 2


def test_answers_are_plain_json(client):
    response = client.post("/api/networks/batch", json={"runs": [MIXED[-1], MIXED[0]]})
    assert "NaN" not in response.text and "Infinity" not in response.text
    json.loads(response.text)


def test_a_shared_slice_spares_a_grid_per_run(client):
    runs = [{**MIXED[0], "landscape": None}, {**MIXED[1], "landscape": None}]
    shared = {"directions": "random", "resolution": 9}
    body = client.post("/api/networks/batch", json={"runs": runs, "landscape": shared}).json()
    assert [r["landscape"] for r in body["runs"]] == [None, None]
    assert body["landscape"]["directions"] == "random" and len(body["landscape"]["x"]) == 9
    assert len(body["landscape"]["paths"]) == 2
    bad = client.post("/api/networks/batch", json={"runs": runs, "landscape": {"resolution": 8}})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "landscape", "resolution"]


def test_an_expensive_batch_is_refused_before_any_work(app, client):
    one = {**BASE, "samples": 2000, "hidden": [32, 32], "steps": 2000}
    estimate = cost.network_cost(build_network_spec(**one)).seconds
    settings = Settings(max_work_seconds=2 * estimate)
    app.dependency_overrides[get_settings] = lambda: settings
    cost.check(cost.network_cost(build_network_spec(**one)), settings, "steps", "")  # one fits
    for path in ("/api/networks/batch", "/api/networks/batch/stream"):
        response = client.post(path, json={"runs": [one] * 8})  # ... eight do not
        assert response.status_code == 422
        (detail,) = response.json()["detail"]
        assert detail["loc"] == ["body", "runs"] and "too much work" in detail["msg"]
        assert "fewer runs" in detail["msg"]


def test_a_cancelled_batch_stops_within_a_step():
    specs = [
        build_network_spec(
            dataset="spirals",
            samples=2000,
            hidden=[64, 64],
            steps=20_000,
            sharpness_every=1,
            optimizer=opt,
            seed=i,
            data_seed=0,
            landscape=None,
        )
        for i, opt in enumerate(["adam", "sgd", "momentum", "adam"])
    ]
    deadline = Deadline()
    threading.Timer(0.3, deadline.cancel).start()
    t0 = time.perf_counter()
    with pytest.raises(Cancelled):
        train_batch(specs, deadline=deadline)
    assert time.perf_counter() - t0 < 5  # 20,000 steps would take minutes
    deadline = Deadline()
    stream = stream_batch(specs, deadline=deadline)
    next(stream)  # the first block: the initial point
    deadline.cancel()
    with pytest.raises(Cancelled):
        next(stream)
